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
/// [`SkyError::NothingToPlot`] when no auto-spectrum has a positive value at `l ≥ 2`;
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
        return Err(SkyError::NothingToPlot);
    }
    super::register_fonts();
    let lmax = spectra.lmax().max(3) as f64;
    let decades = (hi / lo).log10().max(1.0);
    let top = hi * 10f64.powf(decades / 3.0);
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
            // Headroom above the data (a quarter of the axis) for the legend in the upper right.
            .build_cartesian_2d((2f64..lmax).log_scale(), (lo * 0.8..top).log_scale())
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
            .x_label_formatter(&|l| format!("{}", l.round()))
            .y_label_formatter(&|v| log_tick(*v))
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
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 16))
            .draw()
            .map_err(|e| draw_err(e.to_string()))?;
        root.present().map_err(|e| draw_err(e.to_string()))
    })
}

/// A log-axis tick as people write it: `0.02`, `150`, `3000`, or `2e-5` and `4e7` far from 1,
/// with at most two significant digits (not `99999999e-5`).
/// A short tick label for a value on a logarithmic axis: two significant digits, plain
/// decimals from 0.01 to 99,999 and `2.5e-7` beyond (never `99999999e-5`).
pub fn log_tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let exponent = v.abs().log10().floor() as i32;
    let mantissa = v / 10f64.powi(exponent);
    // Two significant digits, with 9.99… carried to the next power.
    let (mut m, mut e) = ((mantissa * 10.0).round() / 10.0, exponent);
    if m.abs() >= 10.0 {
        m /= 10.0;
        e += 1;
    }
    if (-2..=4).contains(&e) {
        let value = m * 10f64.powi(e);
        let decimals = (1 - e).max(0) as usize;
        let text = format!("{value:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    } else {
        let m = format!("{m:.1}");
        let m = m.trim_end_matches('0').trim_end_matches('.');
        format!("{m}e{e}")
    }
}

#[cfg(test)]
mod tests {
    use super::log_tick;

    #[test]
    fn log_ticks_are_short() {
        for (v, want) in [
            (1e-5, "1e-5"),
            (0.999_999_99e-5, "1e-5"),
            (2.5e-7, "2.5e-7"),
            (0.02, "0.02"),
            (0.5, "0.5"),
            (1.0, "1"),
            (150.0, "150"),
            (3000.0, "3000"),
            (99_999.999, "1e5"),
            (4.0e7, "4e7"),
        ] {
            assert_eq!(log_tick(v), want, "{v}");
        }
    }
}
