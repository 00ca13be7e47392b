//! A PLY reader (ASCII and binary, little and big endian) for vertex positions and face index
//! lists. Own code rather than `ply-rs`: that crate's ASCII grammar rejects numbers such as `0.`
//! that VCGLIB (MeshLab) writes, which PD-MeshNet's fixtures contain.

use std::path::Path;

use crate::error::{MeshError, Result};
use crate::mesh::TriMesh;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scalar {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    F32,
    F64,
}

impl Scalar {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "char" | "int8" => Scalar::I8,
            "uchar" | "uint8" => Scalar::U8,
            "short" | "int16" => Scalar::I16,
            "ushort" | "uint16" => Scalar::U16,
            "int" | "int32" => Scalar::I32,
            "uint" | "uint32" => Scalar::U32,
            "float" | "float32" => Scalar::F32,
            "double" | "float64" => Scalar::F64,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::F64 => 8,
        }
    }
}

#[derive(Clone, Debug)]
struct Prop {
    name: String,
    /// `Some(count type)` for a list property.
    list: Option<Scalar>,
    value: Scalar,
}

#[derive(Clone, Debug)]
struct Element {
    name: String,
    count: usize,
    props: Vec<Prop>,
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Ascii,
    Little,
    Big,
}

/// Reads values of one element instance, ASCII or binary.
struct Cursor<'a> {
    format: Format,
    bytes: &'a [u8],
    pos: usize,
    /// ASCII: the body's lines and the current line/token.
    line: usize,
    tokens: std::vec::IntoIter<&'a str>,
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
}

impl<'a> Cursor<'a> {
    fn scalar(&mut self, t: Scalar, path: &Path) -> Result<f64> {
        let err = |line: Option<usize>, m: String| MeshError::Parse {
            path: path.to_path_buf(),
            line,
            message: m,
        };
        if self.format == Format::Ascii {
            let tok = self.tokens.next().ok_or_else(|| {
                err(
                    Some(self.line),
                    "line ends early (missing property?)".into(),
                )
            })?;
            return tok
                .parse::<f64>()
                .map_err(|_| err(Some(self.line), format!("{tok:?} is not a number")));
        }
        let n = t.size();
        let b = self.bytes.get(self.pos..self.pos + n).ok_or_else(|| {
            err(
                None,
                format!("binary body ends at byte {} (truncated file?)", self.pos),
            )
        })?;
        self.pos += n;
        let mut a = [0u8; 8];
        a[..n].copy_from_slice(b);
        if self.format == Format::Big {
            a[..n].reverse();
        }
        Ok(match t {
            Scalar::I8 => a[0] as i8 as f64,
            Scalar::U8 => a[0] as f64,
            Scalar::I16 => i16::from_le_bytes([a[0], a[1]]) as f64,
            Scalar::U16 => u16::from_le_bytes([a[0], a[1]]) as f64,
            Scalar::I32 => i32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::U32 => u32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::F32 => f32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::F64 => f64::from_le_bytes(a),
        })
    }

    /// At most how many more values of type `t` the body holds (binary: bytes left; ASCII: tokens
    /// left on this line).
    fn values_left(&self, t: Scalar) -> usize {
        match self.format {
            Format::Ascii => self.tokens.len(),
            _ => (self.bytes.len() - self.pos.min(self.bytes.len())) / t.size(),
        }
    }

    /// At most how many more element instances of at least `bytes` bytes (binary) or one
    /// non-empty line each (ASCII) the body holds.
    fn instances_left(&self, bytes: usize) -> usize {
        match self.format {
            Format::Ascii => self.lines.clone().count(),
            _ => (self.bytes.len() - self.pos.min(self.bytes.len())) / bytes.max(1),
        }
    }

    /// The current ASCII line, for messages (`None` for binary bodies).
    fn ascii_line(&self) -> Option<usize> {
        (self.format == Format::Ascii).then_some(self.line)
    }

    /// Moves to the next ASCII line (an element instance).
    fn next_line(&mut self, path: &Path) -> Result<()> {
        if self.format != Format::Ascii {
            return Ok(());
        }
        loop {
            let (i, l) = self.lines.next().ok_or_else(|| MeshError::Parse {
                path: path.to_path_buf(),
                line: None,
                message: "file ends before all elements were read (truncated?)".into(),
            })?;
            if !l.trim().is_empty() {
                self.line = i + 1;
                self.tokens = l.split_whitespace().collect::<Vec<_>>().into_iter();
                return Ok(());
            }
        }
    }
}

/// `v` as a count or index: finite, whole and not negative.
fn whole(v: f64) -> Option<usize> {
    (v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= usize::MAX as f64).then_some(v as usize)
}

/// Reads a PLY file: `vertex` elements with `x`, `y`, `z` and `face` elements with a
/// `vertex_indices` (or `vertex_index`) list; other elements and properties are skipped.
///
/// # Errors
/// [`MeshError::Parse`] naming the file (and the line, for ASCII files) for a bad header, a
/// missing element or property, a short body, a bad number, a face index out of range, or a
/// polygon without `triangulate`.
pub fn read_ply(path: impl AsRef<Path>, triangulate: bool) -> Result<TriMesh> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| MeshError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let err = |line: Option<usize>, m: String| MeshError::Parse {
        path: path.to_path_buf(),
        line,
        message: m,
    };
    let end = b"end_header";
    let header_end = bytes
        .windows(end.len())
        .position(|w| w == end)
        .ok_or_else(|| err(None, "no end_header: not a PLY file".into()))?;
    let mut body_start = header_end + end.len();
    while body_start < bytes.len() && bytes[body_start] != b'\n' {
        body_start += 1;
    }
    body_start += 1;
    let header = std::str::from_utf8(&bytes[..header_end])
        .map_err(|_| err(None, "header is not text".into()))?;
    let mut lines = header.lines().enumerate();
    if lines.next().map(|(_, l)| l.trim()) != Some("ply") {
        return Err(err(Some(1), "first line is not `ply`".into()));
    }
    let mut format = None;
    let mut elements: Vec<Element> = Vec::new();
    let mut header_lines = 1;
    for (i, l) in lines {
        header_lines = i + 1;
        let t: Vec<&str> = l.split_whitespace().collect();
        match t.as_slice() {
            ["format", f, _] => {
                format = Some(match *f {
                    "ascii" => Format::Ascii,
                    "binary_little_endian" => Format::Little,
                    "binary_big_endian" => Format::Big,
                    other => return Err(err(Some(i + 1), format!("unknown format {other}"))),
                })
            }
            ["element", name, count] => elements.push(Element {
                name: name.to_string(),
                count: count
                    .parse()
                    .map_err(|_| err(Some(i + 1), format!("bad element count {count:?}")))?,
                props: Vec::new(),
            }),
            ["property", "list", c, v, name] => {
                let (c, v) = (Scalar::parse(c), Scalar::parse(v));
                let (Some(c), Some(v)) = (c, v) else {
                    return Err(err(Some(i + 1), format!("unknown list types in {l:?}")));
                };
                let el = elements
                    .last_mut()
                    .ok_or_else(|| err(Some(i + 1), "property before any element".into()))?;
                el.props.push(Prop {
                    name: name.to_string(),
                    list: Some(c),
                    value: v,
                });
            }
            ["property", ty, name] => {
                let v = Scalar::parse(ty)
                    .ok_or_else(|| err(Some(i + 1), format!("unknown property type {ty}")))?;
                let el = elements
                    .last_mut()
                    .ok_or_else(|| err(Some(i + 1), "property before any element".into()))?;
                el.props.push(Prop {
                    name: name.to_string(),
                    list: None,
                    value: v,
                });
            }
            ["comment", ..] | ["obj_info", ..] | [] => {}
            _ => return Err(err(Some(i + 1), format!("unexpected header line {l:?}"))),
        }
    }
    let format = format.ok_or_else(|| err(None, "no format line".into()))?;
    let body = &bytes[body_start.min(bytes.len())..];
    let text = if format == Format::Ascii {
        std::str::from_utf8(body).map_err(|_| err(None, "ASCII body is not text".into()))?
    } else {
        ""
    };
    let mut cur = Cursor {
        format,
        bytes: body,
        pos: 0,
        line: header_lines + 1,
        tokens: Vec::new().into_iter(),
        lines: text.lines().enumerate(),
    };
    // Line numbers of the ASCII body count from the header's end.
    let offset = header_lines + 1;
    let fix_line = |e: MeshError| match e {
        MeshError::Parse {
            path,
            line: Some(l),
            message,
        } if format == Format::Ascii => MeshError::Parse {
            path,
            line: Some(l + offset),
            message,
        },
        other => other,
    };
    let mut vertices: Vec<[f64; 3]> = Vec::new();
    let mut faces: Vec<[u32; 3]> = Vec::new();
    for el in &elements {
        let find = |n: &str| el.props.iter().position(|p| p.name == n);
        let (xyz, list) = match el.name.as_str() {
            "vertex" => {
                let idx = ["x", "y", "z"].map(find);
                if let Some(k) = idx.iter().position(Option::is_none) {
                    return Err(err(
                        None,
                        format!("vertex element has no property {}", ["x", "y", "z"][k]),
                    ));
                }
                (Some(idx.map(|i| i.expect("checked"))), None)
            }
            "face" => {
                let l = find("vertex_indices")
                    .or_else(|| find("vertex_index"))
                    .ok_or_else(|| err(None, "face element has no vertex_indices list".into()))?;
                (None, Some(l))
            }
            _ => (None, None),
        };
        if el.props.is_empty() {
            continue; // nothing to read, whatever the count says
        }
        let smallest: usize = el
            .props
            .iter()
            .map(|p| p.list.unwrap_or(p.value).size())
            .sum();
        let left = cur.instances_left(smallest);
        if el.count > left {
            let room = match format {
                Format::Ascii => format!("only {left} lines follow"),
                _ => format!("the body's {} bytes hold at most {left}", body.len()),
            };
            return Err(err(
                None,
                format!(
                    "the header declares {} {} elements, but {room} (truncated file, or a \
                     false header)",
                    el.count, el.name
                ),
            ));
        }
        for n in 0..el.count {
            cur.next_line(path).map_err(fix_line)?;
            let mut p = [0.0; 3];
            for (k, prop) in el.props.iter().enumerate() {
                match prop.list {
                    None => {
                        let v = cur.scalar(prop.value, path).map_err(fix_line)?;
                        if let Some(xyz) = xyz
                            && let Some(c) = xyz.iter().position(|&i| i == k)
                        {
                            p[c] = v;
                        }
                    }
                    Some(count_type) => {
                        let raw = cur.scalar(count_type, path).map_err(fix_line)?;
                        let count = whole(raw)
                            .filter(|&c| c <= cur.values_left(prop.value))
                            .ok_or_else(|| {
                                fix_line(err(
                                    cur.ascii_line(),
                                    format!(
                                        "{} {n}: list length {raw} is not a count the rest of \
                                         the file can hold",
                                        el.name
                                    ),
                                ))
                            })?;
                        let mut idx = Vec::with_capacity(count);
                        for _ in 0..count {
                            idx.push(cur.scalar(prop.value, path).map_err(fix_line)?);
                        }
                        if Some(k) == list {
                            if count < 3 || (count > 3 && !triangulate) {
                                return Err(err(
                                    None,
                                    format!("face {n} has {count} vertices (triangles expected)"),
                                ));
                            }
                            let corners = idx
                                .iter()
                                .map(|&v| whole(v).and_then(|v| u32::try_from(v).ok()))
                                .collect::<Option<Vec<u32>>>()
                                .ok_or_else(|| {
                                    err(
                                        None,
                                        format!(
                                            "face {n} has an index that is not a vertex number \
                                             (a whole number from 0): {idx:?}"
                                        ),
                                    )
                                })?;
                            for j in 1..count - 1 {
                                faces.push([corners[0], corners[j], corners[j + 1]]);
                            }
                        }
                    }
                }
            }
            if xyz.is_some() {
                vertices.push(p);
            }
        }
    }
    TriMesh::new(vertices, faces, &path.display().to_string())
}

/// Writes `mesh` as ASCII PLY, with one RGB colour per face when `face_colors` is given (a face
/// property list `red green blue`, which MeshLab and Blender show), through a temporary file
/// renamed into place.
///
/// # Errors
/// [`MeshError::PerFaceCount`] when the colours do not match the faces; [`MeshError::Io`] when the
/// file cannot be written.
pub fn write_ply(
    path: impl AsRef<Path>,
    mesh: &TriMesh,
    face_colors: Option<&[[u8; 3]]>,
) -> Result<()> {
    let path = path.as_ref();
    if let Some(c) = face_colors
        && c.len() != mesh.faces.len()
    {
        return Err(MeshError::PerFaceCount {
            what: path.display().to_string(),
            items: "colours",
            found: c.len(),
            faces: mesh.faces.len(),
        });
    }
    let mut text = String::with_capacity(48 * (mesh.vertices.len() + mesh.faces.len()) + 256);
    text.push_str("ply\nformat ascii 1.0\ncomment written by tessera-mesh\n");
    text.push_str(&format!("element vertex {}\n", mesh.vertices.len()));
    text.push_str("property double x\nproperty double y\nproperty double z\n");
    text.push_str(&format!("element face {}\n", mesh.faces.len()));
    text.push_str("property list uchar int vertex_indices\n");
    if face_colors.is_some() {
        text.push_str("property uchar red\nproperty uchar green\nproperty uchar blue\n");
    }
    text.push_str("end_header\n");
    for v in &mesh.vertices {
        text.push_str(&format!("{} {} {}\n", v[0], v[1], v[2]));
    }
    for (i, f) in mesh.faces.iter().enumerate() {
        text.push_str(&format!("3 {} {} {}", f[0], f[1], f[2]));
        if let Some(c) = face_colors {
            text.push_str(&format!(" {} {} {}", c[i][0], c[i][1], c[i][2]));
        }
        text.push('\n');
    }
    crate::io::write_atomically(path, ".ply", |file| {
        std::io::Write::write_all(file, text.as_bytes())
    })
}
