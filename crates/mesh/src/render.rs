//! A small software renderer: the mesh seen from a fixed oblique direction, z-buffered, faces
//! shaded by their normal or coloured by a per-face value, written to PNG.

use std::path::Path;

use crate::error::{MeshError, Result};
use crate::mesh::{TriMesh, dot};

/// How faces are coloured.
#[derive(Clone, Debug, PartialEq)]
pub enum Shading {
    /// Grey, lit from the viewer's upper left.
    Normal,
    /// One value per face, mapped through a blue–white–red scale (min to max), lit.
    Values(Vec<f64>),
    /// One RGB colour per face, lit.
    Colors(Vec<[u8; 3]>),
}

/// Renders `mesh` to a `size × size` PNG (written through a temporary file renamed into place).
///
/// # Errors
/// [`MeshError::PerFaceCount`] when per-face values or colours do not match the faces,
/// [`MeshError::Setting`] when the size is below 16; [`MeshError::Io`] when the file cannot be
/// written.
pub fn render_png(
    mesh: &TriMesh,
    shading: &Shading,
    size: u32,
    path: impl AsRef<Path>,
) -> Result<()> {
    render_png_row(mesh, std::slice::from_ref(shading), size, path)
}

/// Renders `mesh` once per shading, side by side in one PNG of `size × shadings` by `size`
/// pixels, all seen from the same view (e.g. true and predicted parts).
///
/// # Errors
/// As [`render_png`]; also [`MeshError::NothingToDraw`] for no shading.
pub fn render_png_row(
    mesh: &TriMesh,
    shadings: &[Shading],
    size: u32,
    path: impl AsRef<Path>,
) -> Result<()> {
    let path = path.as_ref();
    if shadings.is_empty() {
        return Err(MeshError::NothingToDraw {
            path: path.to_path_buf(),
        });
    }
    let panels = shadings
        .iter()
        .map(|s| render_rgb(mesh, s, size, path))
        .collect::<Result<Vec<_>>>()?;
    let (n, k) = (size as usize, panels.len());
    let mut rgb = Vec::with_capacity(n * n * 3 * k);
    for row in 0..n {
        for panel in &panels {
            rgb.extend_from_slice(&panel[row * n * 3..(row + 1) * n * 3]);
        }
    }
    crate::io::write_atomically(path, ".png", |file| {
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), size * k as u32, size);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(std::io::Error::other)?;
        writer.write_image_data(&rgb).map_err(std::io::Error::other)
    })
}

/// The RGB pixels (row-major, `size × size × 3`) of one view of `mesh`; `path` names the
/// picture in errors.
fn render_rgb(mesh: &TriMesh, shading: &Shading, size: u32, path: &Path) -> Result<Vec<u8>> {
    let nf = mesh.faces.len();
    let (items, found) = match shading {
        Shading::Values(v) => ("values", v.len()),
        Shading::Colors(c) => ("colours", c.len()),
        Shading::Normal => ("", nf),
    };
    if found != nf {
        return Err(MeshError::PerFaceCount {
            what: path.display().to_string(),
            items,
            found,
            faces: nf,
        });
    }
    if size < 16 {
        return Err(MeshError::Setting {
            name: format!("{}: image size", path.display()),
            value: f64::from(size),
            must_be: "at least 16",
        });
    }
    // View: rotate 35° about x, then 30° about y; orthographic.
    let (sa, ca) = 35f64.to_radians().sin_cos();
    let (sb, cb) = 30f64.to_radians().sin_cos();
    let view = |p: [f64; 3]| {
        let (y, z) = (ca * p[1] - sa * p[2], sa * p[1] + ca * p[2]);
        let (x, z) = (cb * p[0] + sb * z, -sb * p[0] + cb * z);
        [x, y, z]
    };
    let pts: Vec<[f64; 3]> = mesh.vertices.iter().map(|&p| view(p)).collect();
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &pts {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    let span = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(1e-12);
    let s = size as f64;
    let scale = 0.9 * s / span;
    let centre = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
    let to_px = |p: [f64; 3]| {
        [
            s / 2.0 + (p[0] - centre[0]) * scale,
            s / 2.0 - (p[1] - centre[1]) * scale,
            p[2],
        ]
    };
    let (vmin, vmax) = match shading {
        Shading::Values(v) => v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            }),
        _ => (0.0, 1.0),
    };
    let light = {
        let l = [-0.4, 0.5, 1.0];
        let n = dot(l, l).sqrt();
        l.map(|c| c / n)
    };
    let n = size as usize;
    let mut rgb = vec![255u8; n * n * 3];
    let mut depth = vec![f64::NEG_INFINITY; n * n];
    for f in 0..nf {
        let [a, b, c] = mesh.faces[f].map(|v| to_px(pts[v as usize]));
        let normal = view(mesh.face_normal(f));
        let lit = 0.25 + 0.75 * dot(normal, light).abs();
        let base: [f64; 3] = match shading {
            Shading::Normal => [0.8, 0.8, 0.82],
            Shading::Values(v) => {
                let t = if vmax > vmin {
                    (v[f] - vmin) / (vmax - vmin)
                } else {
                    0.5
                };
                if t < 0.5 {
                    let u = t * 2.0;
                    [u, u, 1.0]
                } else {
                    let u = (1.0 - t) * 2.0;
                    [1.0, u, u]
                }
            }
            Shading::Colors(c) => c[f].map(|x| x as f64 / 255.0),
        };
        let colour = base.map(|x| (x * lit * 255.0).clamp(0.0, 255.0) as u8);
        let x0 = a[0].min(b[0]).min(c[0]).floor().max(0.0) as usize;
        let x1 = (a[0].max(b[0]).max(c[0]).ceil() as usize).min(n - 1);
        let y0 = a[1].min(b[1]).min(c[1]).floor().max(0.0) as usize;
        let y1 = (a[1].max(b[1]).max(c[1]).ceil() as usize).min(n - 1);
        let area = (b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1]);
        if area.abs() < 1e-12 {
            continue;
        }
        for y in y0..=y1 {
            for x in x0..=x1 {
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                let w0 = ((b[0] - px) * (c[1] - py) - (c[0] - px) * (b[1] - py)) / area;
                let w1 = ((c[0] - px) * (a[1] - py) - (a[0] - px) * (c[1] - py)) / area;
                let w2 = 1.0 - w0 - w1;
                if w0 < 0.0 || w1 < 0.0 || w2 < 0.0 {
                    continue;
                }
                let z = w0 * a[2] + w1 * b[2] + w2 * c[2];
                let i = y * n + x;
                if z > depth[i] {
                    depth[i] = z;
                    rgb[3 * i..3 * i + 3].copy_from_slice(&colour);
                }
            }
        }
    }
    Ok(rgb)
}
