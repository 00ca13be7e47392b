//! A map field drawn to a PNG file (healpy's `mollview`, `orthview`, `gnomview`, `cartview`).

use std::path::Path;

use plotters::prelude::*;
use tessera_healpix::Healpix;

use super::colormap::Colormap;
use super::projections::{Projection, direction_at, on_graticule, on_marker};
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
    /// Lines of constant longitude and latitude every so many degrees (healpy's `graticule`).
    pub graticule: Option<f64>,
    /// Rings drawn around these (longitude, latitude) positions in degrees, in the map's frame
    /// (healpy's `projscatter`): sources to look at.
    pub markers: Vec<(f64, f64)>,
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
            graticule: None,
            markers: Vec::new(),
        }
    }
}

const UNSEEN_GREY: RGBColor = RGBColor(160, 160, 160);
const TITLE_H: u32 = 36;
const BAR_H: u32 = 64;

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
/// [`SkyError::NoFieldIndex`] for a field index out of range, [`SkyError::OutOfRange`] for a
/// width below 200;
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
    let f = map.fields.get(field).ok_or(SkyError::NoFieldIndex {
        field,
        fields: map.fields.len(),
    })?;
    if opts.width < 200 {
        return Err(SkyError::OutOfRange {
            what: "render width (pixels)",
            value: opts.width as f64,
            allowed: "200 and above".into(),
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
    // Lines and rings a little over one image pixel wide.
    let line = 1.2 * opts.projection.degrees_per_pixel(w);
    let flat = matches!(opts.projection, Projection::Cartesian { .. });
    for py in 0..h {
        for px in 0..w {
            let Some((theta, phi)) = direction_at(opts.projection, px, py, w, h) else {
                continue;
            };
            let pix = geometry.ang2pix(theta, phi).map_err(|e| e.to_string())? as usize;
            let v = values[pix];
            let marked = opts
                .markers
                .iter()
                .any(|&m| on_marker(theta, phi, m, 3.0 * line, 1.5 * line));
            let gridded = opts
                .graticule
                .is_some_and(|step| on_graticule(theta, phi, step, line, flat));
            let color = if marked {
                BLACK
            } else if gridded {
                RGBColor(80, 80, 80)
            } else if is_unseen(v) {
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
