//! Reading OBJ and PLY files (by extension), writing OBJ.

use std::io::Write;
use std::path::Path;

use crate::error::{MeshError, Result};
use crate::mesh::TriMesh;

fn parse_err(path: &Path, line: Option<usize>, message: impl Into<String>) -> MeshError {
    MeshError::Parse {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| MeshError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

/// Reads a mesh from an `.obj` or `.ply` file (by extension, case-insensitive). Polygons with
/// more than three corners are fan-triangulated when `triangulate` is set, an error otherwise.
///
/// # Errors
/// A missing file, an unknown extension, or any error of [`read_obj`] / [`crate::read_ply`].
pub fn read_mesh(path: impl AsRef<Path>, triangulate: bool) -> Result<TriMesh> {
    let path = path.as_ref();
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("obj") => read_obj(path, triangulate),
        Some("ply") => crate::ply::read_ply(path, triangulate),
        _ => Err(parse_err(
            path,
            None,
            "unknown mesh format (expected .obj or .ply)",
        )),
    }
}

/// Parses an OBJ file line by line so that errors name the line: vertex lines need three finite
/// numbers, face lines at least three in-range vertex indices (`v`, `v/vt`, `v//vn`, `v/vt/vn`,
/// negative = relative). Other statements (normals, texture coordinates, groups, materials) are
/// skipped. Vertices keep the file's numbering.
fn parse_obj(path: &Path, bytes: &[u8], triangulate: bool) -> Result<TriMesh> {
    let mut nverts: i64 = 0;
    let mut vertices: Vec<[f64; 3]> = Vec::new();
    let mut faces: Vec<[u32; 3]> = Vec::new();
    // Lines are read as UTF-8 with invalid bytes replaced: a comment, group or material name in
    // another encoding is skipped like any other, and a vertex or face line with such bytes
    // fails on the number it cannot be.
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = String::from_utf8_lossy(line);
        let line = line.trim_end_matches('\r');
        let lineno = Some(i + 1);
        let mut tokens = line.split_whitespace();
        match tokens.next() {
            Some("v") => {
                let coords: Vec<&str> = tokens.collect();
                if coords.len() < 3 {
                    return Err(parse_err(
                        path,
                        lineno,
                        format!("vertex needs x y z, found {line:?}"),
                    ));
                }
                let mut p = [0.0; 3];
                for (k, c) in coords[..3].iter().enumerate() {
                    let v: f64 = c.parse().map_err(|_| {
                        parse_err(
                            path,
                            lineno,
                            format!("vertex coordinate {c:?} is not a number"),
                        )
                    })?;
                    if !v.is_finite() {
                        return Err(parse_err(
                            path,
                            lineno,
                            format!("vertex coordinate {c} is not finite"),
                        ));
                    }
                    p[k] = v;
                }
                vertices.push(p);
                nverts += 1;
            }
            Some("f") => {
                let corners: Vec<&str> = tokens.collect();
                if corners.len() < 3 {
                    return Err(parse_err(
                        path,
                        lineno,
                        format!(
                            "face needs at least 3 vertices, found {} (truncated file?)",
                            corners.len()
                        ),
                    ));
                }
                if corners.len() > 3 && !triangulate {
                    return Err(parse_err(
                        path,
                        lineno,
                        format!(
                            "face with {} vertices; ask for triangulation to split polygons",
                            corners.len()
                        ),
                    ));
                }
                let mut corner_ids: Vec<u32> = Vec::with_capacity(corners.len());
                for c in corners {
                    let first = c.split('/').next().unwrap_or_default();
                    let idx: i64 = first.parse().map_err(|_| {
                        parse_err(path, lineno, format!("face vertex {c:?} is not an index"))
                    })?;
                    let resolved = if idx < 0 { nverts + idx + 1 } else { idx };
                    if idx == 0 || resolved < 1 || resolved > nverts {
                        return Err(parse_err(
                            path,
                            lineno,
                            format!(
                                "face vertex index {idx} is out of range (1..={nverts} defined so far)"
                            ),
                        ));
                    }
                    corner_ids.push((resolved - 1) as u32);
                }
                for k in 1..corner_ids.len() - 1 {
                    faces.push([corner_ids[0], corner_ids[k], corner_ids[k + 1]]);
                }
            }
            _ => {}
        }
    }
    if faces.is_empty() {
        return Err(parse_err(
            path,
            None,
            "no faces (empty file, or a point cloud?)",
        ));
    }
    TriMesh::new(vertices, faces, &path.display().to_string())
}

/// Reads a Wavefront OBJ file into one mesh (all objects and groups), keeping the file's vertex
/// numbering (`tobj`, even with `single_index = false`, renumbers vertices by first use, which
/// would break per-vertex label files; see docs/decisions/0007).
///
/// # Errors
/// [`MeshError::Parse`] naming the file and line for malformed vertices, out-of-range or missing
/// face indices, polygons without `triangulate`, an empty file; [`MeshError::Io`].
pub fn read_obj(path: impl AsRef<Path>, triangulate: bool) -> Result<TriMesh> {
    let path = path.as_ref();
    let bytes = read_bytes(path)?;
    parse_obj(path, &bytes, triangulate)
}

/// Writes an OBJ file, optionally with a colour per face (RGB in 0..=255). OBJ has no face
/// colours, so a coloured mesh gets three vertices per face with `v x y z r g b` colours (as
/// MeshLab and Blender read them). Written through a temporary file renamed into place.
///
/// # Errors
/// [`MeshError::Io`] naming the file; [`MeshError::PerFaceCount`] when the colours do not match the
/// faces.
pub fn write_obj(
    path: impl AsRef<Path>,
    mesh: &TriMesh,
    face_colors: Option<&[[u8; 3]]>,
) -> Result<()> {
    let path = path.as_ref();
    let mut text = String::with_capacity(64 * mesh.faces.len());
    text.push_str("# written by tessera-mesh\n");
    match face_colors {
        None => {
            for v in &mesh.vertices {
                text.push_str(&format!("v {} {} {}\n", v[0], v[1], v[2]));
            }
            for f in &mesh.faces {
                text.push_str(&format!("f {} {} {}\n", f[0] + 1, f[1] + 1, f[2] + 1));
            }
        }
        Some(colors) => {
            if colors.len() != mesh.faces.len() {
                return Err(MeshError::PerFaceCount {
                    what: path.display().to_string(),
                    items: "colours",
                    found: colors.len(),
                    faces: mesh.faces.len(),
                });
            }
            for (f, c) in mesh.faces.iter().zip(colors) {
                let rgb = c.map(|x| x as f64 / 255.0);
                for &v in f {
                    let p = mesh.vertices[v as usize];
                    text.push_str(&format!(
                        "v {} {} {} {:.4} {:.4} {:.4}\n",
                        p[0], p[1], p[2], rgb[0], rgb[1], rgb[2]
                    ));
                }
            }
            for i in 0..mesh.faces.len() {
                text.push_str(&format!("f {} {} {}\n", 3 * i + 1, 3 * i + 2, 3 * i + 3));
            }
        }
    }
    write_atomically(path, ".obj", |file| file.write_all(text.as_bytes()))
}

/// Writes `path` through a hidden temporary file renamed into place once `write` succeeded (or
/// copied to standard output for `-`, or into a special file in place), as
/// [`tessera_io::write_output`] describes: a failure never leaves a half-written output.
///
/// # Errors
/// [`MeshError::Io`] naming `path`.
pub(crate) fn write_atomically(
    path: &Path,
    suffix: &str,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let io = |e| MeshError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    tessera_io::write_output(
        path,
        suffix,
        |tmp| {
            let mut file = std::fs::File::create(tmp).map_err(io)?;
            write(&mut file).map_err(io)
        },
        io,
    )
}
