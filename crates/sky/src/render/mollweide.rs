//! Mollweide projection of a map field to a PNG file (healpy's `mollview`).

use std::f64::consts::{FRAC_PI_2, PI, SQRT_2};
use std::path::Path;

use plotters::prelude::*;
use tessera_healpix::Healpix;

use super::colormap::Colormap;
use crate::error::{Result, SkyError};
use crate::map::{SkyMap, is_unseen};

/// How values map to colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// Linear between min and max.
    #[default]
    Linear,
    /// Histogram-equalised (healpy's `norm='hist'`): each colour covers as many pixels.
    HistEqual,
}

/// How the sphere is drawn on the image.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Projection {
    /// The whole sky in one ellipse, longitude 0 in the centre (healpy's `mollview`).
    #[default]
    Mollweide,
    /// Two hemispheres side by side as seen from outside, the left one centred on
    /// (`lon`, `lat`) in degrees and the right one on the opposite direction (healpy's
    /// `orthview`).
    Orthographic {
        /// Longitude of the left hemisphere's centre, degrees.
        lon: f64,
        /// Latitude of the left hemisphere's centre, degrees.
        lat: f64,
    },
}

/// Options of [`render_mollweide`].
#[derive(Clone, Debug, PartialEq)]
pub struct MollweideOptions {
    /// Image width in pixels (the height is half of it plus title and colour bar).
    pub width: u32,
    /// Title above the map (default: the field name).
    pub title: Option<String>,
    /// Unit shown under the colour bar (default: the field's unit).
    pub unit: Option<String>,
    /// Lower end of the colour scale (default: the minimum seen value).
    pub min: Option<f64>,
    /// Upper end of the colour scale (default: the maximum seen value).
    pub max: Option<f64>,
    /// Linear or histogram-equalised colours.
    pub scale: Scale,
    /// The colour map.
    pub colormap: Colormap,
    /// The projection (Mollweide unless asked otherwise).
    pub projection: Projection,
}

impl Default for MollweideOptions {
    fn default() -> Self {
        MollweideOptions {
            width: 800,
            title: None,
            unit: None,
            min: None,
            max: None,
            scale: Scale::Linear,
            colormap: Colormap::Planck,
            projection: Projection::Mollweide,
        }
    }
}

const UNSEEN_GREY: RGBColor = RGBColor(160, 160, 160);
const TITLE_H: u32 = 36;
const BAR_H: u32 = 64;

/// The direction `(theta, phi)` seen at projection coordinates `x ∈ [-2√2, 2√2]`,
/// `y ∈ [-√2, √2]`, or `None` outside the ellipse. Longitude grows to the left (astronomers'
/// convention, healpy's default), with longitude 0 in the centre.
fn inverse_mollweide(x: f64, y: f64) -> Option<(f64, f64)> {
    let s = y / SQRT_2;
    if s.abs() > 1.0 {
        return None;
    }
    let aux = s.asin();
    let lat = ((2.0 * aux + (2.0 * aux).sin()) / PI)
        .clamp(-1.0, 1.0)
        .asin();
    let cos_aux = aux.cos();
    let lon = if cos_aux > 1e-12 {
        -PI * x / (2.0 * SQRT_2 * cos_aux)
    } else {
        0.0
    };
    (lon.abs() <= PI).then(|| (FRAC_PI_2 - lat, lon.rem_euclid(2.0 * PI)))
}

/// The direction seen at disc coordinates `(u, v)` in `[-1, 1]` of an orthographic view centred
/// on `(lon0, lat0)` (radians), or `None` outside the disc. East is to the left, as on the sky.
fn inverse_orthographic(u: f64, v: f64, lon0: f64, lat0: f64) -> Option<(f64, f64)> {
    let r2 = u * u + v * v;
    if r2 > 1.0 {
        return None;
    }
    let depth = (1.0 - r2).sqrt();
    let (sl, cl) = lat0.sin_cos();
    let (so, co) = lon0.sin_cos();
    let centre = [cl * co, cl * so, sl];
    let east = [-so, co, 0.0];
    let north = [-sl * co, -sl * so, cl];
    let p: [f64; 3] = std::array::from_fn(|i| depth * centre[i] - u * east[i] + v * north[i]);
    let theta = p[2].clamp(-1.0, 1.0).acos();
    Some((theta, p[1].atan2(p[0]).rem_euclid(2.0 * PI)))
}

/// The direction shown at image pixel `(px, py)` of a `w` × `h` map area.
fn direction_at(projection: Projection, px: u32, py: u32, w: u32, h: u32) -> Option<(f64, f64)> {
    match projection {
        Projection::Mollweide => {
            let y = SQRT_2 * (1.0 - 2.0 * (py as f64 + 0.5) / h as f64);
            let x = 2.0 * SQRT_2 * (2.0 * (px as f64 + 0.5) / w as f64 - 1.0);
            inverse_mollweide(x, y)
        }
        Projection::Orthographic { lon, lat } => {
            let half = w / 2;
            let (right, local_x) = if px >= half {
                (true, px - half)
            } else {
                (false, px)
            };
            let u = 2.0 * (local_x as f64 + 0.5) / half as f64 - 1.0;
            let v = 1.0 - 2.0 * (py as f64 + 0.5) / h as f64;
            let (lon0, lat0) = if right {
                ((lon + 180.0).to_radians(), (-lat).to_radians())
            } else {
                (lon.to_radians(), lat.to_radians())
            };
            inverse_orthographic(u, v, lon0, lat0)
        }
    }
}

/// The colour-scale position of each seen value: linear in `[min, max]` or its rank (hist).
struct Scaler {
    min: f64,
    max: f64,
    sorted: Option<Vec<f64>>,
}

impl Scaler {
    fn new(values: &[f64], opts: &MollweideOptions) -> Self {
        let mut seen: Vec<f64> = values.iter().copied().filter(|v| !is_unseen(*v)).collect();
        seen.sort_by(f64::total_cmp);
        let min = opts
            .min
            .unwrap_or_else(|| seen.first().copied().unwrap_or(0.0));
        let max = opts
            .max
            .unwrap_or_else(|| seen.last().copied().unwrap_or(1.0));
        let sorted = (opts.scale == Scale::HistEqual).then_some(seen);
        Scaler { min, max, sorted }
    }

    fn position(&self, v: f64) -> f64 {
        match &self.sorted {
            Some(sorted) if !sorted.is_empty() => {
                let v = v.clamp(self.min, self.max);
                sorted.partition_point(|&s| s < v) as f64 / sorted.len() as f64
            }
            _ if self.max > self.min => (v - self.min) / (self.max - self.min),
            _ => 0.5,
        }
    }
}

/// Renders field `field` of `map` to a PNG at `path`, in Mollweide projection or, with
/// [`MollweideOptions::projection`], orthographic: a title, the map
/// (UNSEEN pixels grey, outside the sphere white), and a colour bar with its range and unit.
///
/// The picture is drawn to a temporary file next to `path` and renamed into place when complete.
///
/// # Errors
/// [`SkyError::Mismatch`] for a field index out of range or a width below 200;
/// [`SkyError::Io`] when the image cannot be written.
///
/// # Example
/// ```
/// use tessera_healpix::Healpix;
/// use tessera_sky::{MollweideOptions, SkyMap, render_mollweide};
/// let map = SkyMap::new(Healpix::ring(8)?, vec![("T", (0..768).map(f64::from).collect())])?;
/// let dir = tempfile::tempdir().unwrap();
/// render_mollweide(&map, 0, dir.path().join("t.png"), &MollweideOptions::default())?;
/// # Ok::<(), tessera_sky::SkyError>(())
/// ```
pub fn render_mollweide(
    map: &SkyMap,
    field: usize,
    path: impl AsRef<Path>,
    opts: &MollweideOptions,
) -> Result<()> {
    let path = path.as_ref();
    let f = map.fields.get(field).ok_or_else(|| SkyError::Mismatch {
        what: "render",
        detail: format!(
            "field #{field} does not exist (the map has {})",
            map.fields.len()
        ),
    })?;
    if opts.width < 200 {
        return Err(SkyError::Mismatch {
            what: "render",
            detail: format!("width {} is below 200", opts.width),
        });
    }
    super::register_fonts();
    let (w, map_h) = (opts.width, opts.width / 2);
    let height = TITLE_H + map_h + BAR_H;
    let draw_err = |e: String| SkyError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    crate::atomic::write_atomically(path, ".png", |tmp| {
        let root = BitMapBackend::new(tmp, (w, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(e.to_string()))?;
        let scaler = Scaler::new(&f.values, opts);
        draw_map(&root, map, &f.values, &scaler, opts, w, map_h).map_err(draw_err)?;
        let title = opts.title.clone().unwrap_or_else(|| f.name.clone());
        let unit = opts
            .unit
            .clone()
            .or_else(|| f.unit.clone())
            .unwrap_or_default();
        draw_labels(&root, &title, &unit, &scaler, opts, w, map_h).map_err(draw_err)?;
        root.present().map_err(|e| draw_err(e.to_string()))
    })
}

fn draw_map<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    map: &SkyMap,
    values: &[f64],
    scaler: &Scaler,
    opts: &MollweideOptions,
    w: u32,
    h: u32,
) -> std::result::Result<(), String> {
    let geometry: Healpix = map.geometry;
    for py in 0..h {
        for px in 0..w {
            let Some((theta, phi)) = direction_at(opts.projection, px, py, w, h) else {
                continue;
            };
            let pix = geometry.ang2pix(theta, phi).map_err(|e| e.to_string())? as usize;
            let v = values[pix];
            let color = if is_unseen(v) {
                UNSEEN_GREY
            } else {
                let [r, g, b] = opts.colormap.rgb(scaler.position(v));
                RGBColor(r, g, b)
            };
            root.draw_pixel((px as i32, (TITLE_H + py) as i32), &color)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn draw_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    unit: &str,
    scaler: &Scaler,
    opts: &MollweideOptions,
    w: u32,
    map_h: u32,
) -> std::result::Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let title_style = ("sans-serif", 22).into_font().color(&BLACK);
    let text_w = (title.chars().count() as i32) * 11;
    root.draw(&Text::new(
        title.to_string(),
        ((w as i32 - text_w) / 2, 8),
        title_style,
    ))
    .map_err(err)?;
    let (x0, x1) = ((w / 5) as i32, (4 * w / 5) as i32);
    let bar_top = (TITLE_H + map_h + 8) as i32;
    for x in x0..x1 {
        let t = (x - x0) as f64 / (x1 - x0) as f64;
        // Linear: the bar spans min..max; histogram-equalised: it spans the quantiles.
        let [r, g, b] = opts.colormap.rgb(t);
        root.draw(&Rectangle::new(
            [(x, bar_top), (x + 1, bar_top + 16)],
            RGBColor(r, g, b).filled(),
        ))
        .map_err(err)?;
    }
    root.draw(&Rectangle::new(
        [(x0, bar_top), (x1, bar_top + 16)],
        BLACK.stroke_width(1),
    ))
    .map_err(err)?;
    let label = ("sans-serif", 15).into_font().color(&BLACK);
    let fmt = |v: f64| {
        if v != 0.0 && (v.abs() < 1e-2 || v.abs() >= 1e4) {
            format!("{v:.3e}")
        } else {
            format!("{v:.3}")
        }
    };
    let lo = fmt(scaler.min);
    root.draw(&Text::new(
        lo.clone(),
        (x0 - 8 - 8 * lo.len() as i32, bar_top),
        label.clone(),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        fmt(scaler.max),
        (x1 + 8, bar_top),
        label.clone(),
    ))
    .map_err(err)?;
    let mut caption = unit.to_string();
    if opts.scale == Scale::HistEqual {
        caption = format!("{caption} (histogram-equalised)")
            .trim()
            .to_string();
    }
    let cw = 7 * caption.chars().count() as i32;
    root.draw(&Text::new(
        caption,
        ((w as i32 - cw) / 2, bar_top + 24),
        label,
    ))
    .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_centre_edges_and_outside() {
        let (theta, phi) = inverse_mollweide(0.0, 0.0).unwrap();
        assert!((theta - FRAC_PI_2).abs() < 1e-12 && phi.abs() < 1e-12);
        let (theta, _) = inverse_mollweide(0.0, SQRT_2 * 0.999_999).unwrap();
        assert!(theta < 0.01);
        assert!(inverse_mollweide(2.0 * SQRT_2 * 0.99, 1.3).is_none());
        // Longitude grows to the left.
        let (_, phi) = inverse_mollweide(-1.0, 0.0).unwrap();
        assert!(phi > 0.0 && phi < PI);
    }

    #[test]
    fn orthographic_centre_and_limb() {
        let (theta, phi) = inverse_orthographic(0.0, 0.0, 1.0, 0.5).unwrap();
        assert!((theta - (FRAC_PI_2 - 0.5)).abs() < 1e-12 && (phi - 1.0).abs() < 1e-12);
        let (theta, _) = inverse_orthographic(0.0, 1.0, 0.0, 0.0).unwrap();
        assert!(theta.abs() < 1e-12, "top of the disc is the north pole");
        assert!(inverse_orthographic(0.8, 0.8, 0.0, 0.0).is_none());
        // East (growing longitude) to the left.
        let (_, phi) = inverse_orthographic(-0.5, 0.0, 0.0, 0.0).unwrap();
        assert!(phi > 0.0 && phi < PI);
    }
}
