//! Angular power spectra drawn to PNG: `D_l = l(l+1) C_l / 2π` on a log scale.

use std::path::Path;

use plotters::prelude::*;

use crate::error::{Result, SkyError};
use crate::sht::{PowerSpectra, Spectrum};

/// Draws the auto-spectra (TT, EE, BB) of `spectra` as `D_l` against `l ≥ 2` on log-log axes,
/// with a legend, to a PNG written atomically. Cross spectra change sign and are left to the
/// CSV output.
///
/// # Errors
/// [`SkyError::Mismatch`] when no auto-spectrum has a positive value at `l ≥ 2`;
/// [`SkyError::Io`] when the file cannot be written.
pub fn plot_spectra(
    spectra: &PowerSpectra,
    path: impl AsRef<Path>,
    title: &str,
    unit: &str,
) -> Result<()> {
    let path = path.as_ref();
    let series: Vec<(Spectrum, Vec<(f64, f64)>)> = [Spectrum::TT, Spectrum::EE, Spectrum::BB]
        .iter()
        .filter_map(|&s| spectra.get(s).map(|c| (s, c)))
        .map(|(s, c)| {
            let pts = c
                .iter()
                .enumerate()
                .skip(2)
                .map(|(l, &v)| {
                    (
                        l as f64,
                        l as f64 * (l + 1) as f64 * v / (2.0 * std::f64::consts::PI),
                    )
                })
                .filter(|&(_, d)| d > 0.0 && d.is_finite())
                .collect();
            (s, pts)
        })
        .filter(|(_, p): &(Spectrum, Vec<(f64, f64)>)| !p.is_empty())
        .collect();
    let all = series.iter().flat_map(|(_, p)| p.iter());
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for &(_, d) in all {
        lo = lo.min(d);
        hi = hi.max(d);
    }
    if series.is_empty() {
        return Err(SkyError::Mismatch {
            what: "spectrum plot",
            detail: "no auto-spectrum has a positive value at l >= 2".into(),
        });
    }
    super::register_fonts();
    let lmax = spectra.lmax().max(3) as f64;
    let draw_err = |e: String| SkyError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    crate::atomic::write_atomically(path, ".png", |tmp| {
        let root = BitMapBackend::new(tmp, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(e.to_string()))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 24))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d((2f64..lmax).log_scale(), (lo * 0.8..hi * 1.25).log_scale())
            .map_err(|e| draw_err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc("multipole l")
            .y_desc(if unit.is_empty() {
                "l(l+1) C_l / 2π".to_string()
            } else {
                format!("l(l+1) C_l / 2π  [{unit}]")
            })
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(|e| draw_err(e.to_string()))?;
        let colours = [
            RGBColor(200, 40, 40),
            RGBColor(30, 90, 200),
            RGBColor(30, 150, 60),
        ];
        for ((s, pts), colour) in series.iter().zip(colours) {
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))
                .map_err(|e| draw_err(e.to_string()))?
                .label(s.name())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 16))
            .draw()
            .map_err(|e| draw_err(e.to_string()))?;
        root.present().map_err(|e| draw_err(e.to_string()))
    })
}
