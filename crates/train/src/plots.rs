//! Pictures of a run, as PNG: loss curves, the confusion matrix, estimates against the truth
//! and residual histograms.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Result, TrainError};

/// Values a picture cannot be drawn from ([`TrainError::Plot`]).
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PlotError {
    /// No finite value in any curve.
    #[error("no finite values to plot")]
    NoValues,
    /// Estimates and true values of different lengths, or none.
    #[error(
        "estimates must match the true values one to one ({truth} true values, series of {lengths:?})"
    )]
    Unpaired {
        /// True values.
        truth: usize,
        /// The length of each series.
        lengths: Vec<usize>,
    },
    /// A confusion matrix that is empty or not square, or labels that do not match it.
    #[error(
        "confusion matrix must be square with one label per class ({rows} rows, {labels} labels)"
    )]
    NotSquare {
        /// Rows of the matrix.
        rows: usize,
        /// Class labels.
        labels: usize,
    },
    /// A log-log plot with a value that is not positive, or no points.
    #[error("a scaling plot needs positive sizes and costs")]
    NotPositive,
}

fn draw_err(path: &Path, e: impl std::fmt::Display) -> TrainError {
    TrainError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Draws the legend of `chart` at `position` in `font_size` points and writes the picture out.
fn finish_with_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    root: &DrawingArea<DB, Shift>,
    position: SeriesLabelPosition,
    font_size: u32,
    path: &Path,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", font_size))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    root.present().map_err(|e| draw_err(path, e))
}

/// Draws into a temporary file renamed over `path` when `draw` succeeded (no half-written PNG).
fn atomically(path: &Path, draw: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let mut failure = None;
    let outcome = tessera_sky::write_atomically(path, ".png", |tmp| {
        draw(tmp).map_err(|e| {
            let message = e.to_string();
            failure = Some(e);
            tessera_sky::SkyError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(message),
            }
        })
    });
    match (outcome, failure) {
        (Ok(()), _) => Ok(()),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(draw_err(path, e)),
    }
}

/// Training loss per epoch, one line per fold, log-scaled.
///
/// # Errors
/// [`TrainError::Io`] when the PNG cannot be written; [`TrainError::Plot`] with no losses.
pub fn plot_losses(curves: &[Vec<f64>], path: &Path, title: &str) -> Result<()> {
    let named: Vec<(String, Vec<f64>)> = curves
        .iter()
        .enumerate()
        .map(|(k, c)| (format!("fold {}", k + 1), c.clone()))
        .collect();
    plot_curves(&named, path, title, "training loss (cross-entropy)")
}

/// Named curves per epoch (losses), with a legend: on a log axis when they span a decade or
/// more, on a linear one otherwise (so that every tick can be read).
///
/// # Errors
/// [`TrainError::Io`] when the PNG cannot be written; [`TrainError::Plot`] with no positive
/// values.
pub fn plot_curves(
    curves: &[(String, Vec<f64>)],
    path: &Path,
    title: &str,
    y_desc: &str,
) -> Result<()> {
    plot_curves_against(curves, None, path, title, y_desc)
}

/// One per-epoch test figure (accuracy or RMSE), named "test", on log axes beside an optional
/// `reference` line; nothing is drawn when no value is positive (0 % accuracy throughout), as
/// log axes cannot show it.
///
/// # Errors
/// As [`plot_curves`].
pub fn plot_metric_curve(
    values: &[f64],
    reference: Option<(&str, f64)>,
    path: &Path,
    title: &str,
    y_desc: &str,
) -> Result<()> {
    if values.iter().any(|v| *v > 0.0) {
        let curve = [("test".to_string(), values.to_vec())];
        plot_curves_against(&curve, reference, path, title, y_desc)?;
    }
    Ok(())
}

/// [`plot_curves`] with a dashed horizontal line for a reference value (the likelihood's RMSE
/// beside the network's after each epoch).
///
/// # Errors
/// As [`plot_curves`].
pub fn plot_curves_against(
    curves: &[(String, Vec<f64>)],
    reference: Option<(&str, f64)>,
    path: &Path,
    title: &str,
    y_desc: &str,
) -> Result<()> {
    let epochs = curves.iter().map(|c| c.1.len()).max().unwrap_or(0);
    let values = curves
        .iter()
        .flat_map(|c| c.1.iter())
        .chain(reference.as_ref().map(|r| &r.1))
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if epochs == 0 || lo > hi {
        return Err(PlotError::NoValues.into());
    }
    tessera_sky::register_fonts();
    // A log axis for positive values spanning a decade or more; a linear one otherwise (a
    // Gaussian negative log-likelihood goes below 0).
    let axis = if lo > 0.0 && hi / lo >= 10.0 {
        Axis::Log
    } else {
        // Enough decimals for ticks a tenth of the range apart.
        let step = (hi - lo).max(hi.abs() * 1e-3).max(f64::MIN_POSITIVE) / 10.0;
        Axis::Linear {
            decimals: (-step.log10().floor()).max(0.0) as usize + 1,
        }
    };
    atomically(path, |tmp| {
        draw_curves(
            curves,
            reference,
            tmp,
            path,
            (title, y_desc),
            epochs,
            (lo, hi),
            axis,
        )
    })
}

/// Curves of at most this many epochs have a dot at each.
const MARKED_EPOCHS: usize = 30;

/// How values map to the vertical axis.
#[derive(Clone, Copy)]
enum Axis {
    Linear {
        decimals: usize,
    },
    /// log10 of the value, labelled with the value.
    Log,
}

impl Axis {
    fn to(self, v: f64) -> f64 {
        match self {
            Axis::Linear { .. } => v,
            Axis::Log => v.log10(),
        }
    }

    fn label(self, y: f64) -> String {
        match self {
            Axis::Linear { decimals } => {
                let text = format!("{y:.decimals$}");
                if text.contains('.') {
                    text.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    text
                }
            }
            Axis::Log => tessera_sky::log_tick(10f64.powf(y)),
        }
    }

    /// The drawn range of values `lo ..= hi`, with some room.
    fn range(self, lo: f64, hi: f64) -> std::ops::Range<f64> {
        let (a, b) = (self.to(lo), self.to(hi));
        let pad = ((b - a) * 0.08).max(1e-3 * b.abs().max(1e-12));
        a - pad..b + pad
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_curves(
    curves: &[(String, Vec<f64>)],
    reference: Option<(&str, f64)>,
    tmp: &Path,
    path: &Path,
    (title, y_desc): (&str, &str),
    epochs: usize,
    (lo, hi): (f64, f64),
    axis: Axis,
) -> Result<()> {
    let root = BitMapBackend::new(tmp, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(1f64..(epochs as f64).max(2.0), axis.range(lo, hi))
        .map_err(|e| draw_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(y_desc)
        .y_labels(8)
        .x_labels(epochs.clamp(2, 12))
        // Epochs are whole: label those, leave ticks between them blank.
        .x_label_formatter(&|x| {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| axis.label(*y))
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    for (k, (name, curve)) in curves.iter().enumerate() {
        let colour = Palette99::pick(k).to_rgba();
        let points: Vec<(f64, f64)> = curve
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite() && (**v > 0.0 || !matches!(axis, Axis::Log)))
            .map(|(e, v)| (e as f64 + 1.0, axis.to(*v)))
            .collect();
        // A short run's few epochs are marked, so that one epoch is a dot, not nothing.
        if points.len() <= MARKED_EPOCHS {
            let dots = points.iter().map(|&p| Circle::new(p, 4, colour.filled()));
            chart.draw_series(dots).map_err(|e| draw_err(path, e))?;
        }
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(|e| draw_err(path, e))?
            .label(name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
    }
    if let Some((name, value)) = reference {
        let y = axis.to(value);
        let last = (epochs as f64).max(2.0);
        let dashes = (0..40).map(|i| {
            let (a, b) = (i as f64 / 40.0, (i as f64 + 0.5) / 40.0);
            PathElement::new(
                vec![(1.0 + a * (last - 1.0), y), (1.0 + b * (last - 1.0), y)],
                BLACK.stroke_width(2),
            )
        });
        chart
            .draw_series(dashes)
            .map_err(|e| draw_err(path, e))?
            .label(format!("{name} {}", tessera_sky::log_tick(value)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    }
    finish_with_legend(&mut chart, &root, SeriesLabelPosition::UpperRight, 13, path)
}

/// Estimates against true values, one colour per estimator, with the diagonal.
///
/// # Errors
/// [`TrainError::Io`] when the PNG cannot be written; [`TrainError::Plot`] without points or
/// with series of another length than `truth`.
pub fn plot_estimates(
    truth: &[f64],
    series: &[(String, Vec<f64>)],
    path: &Path,
    title: &str,
    parameter: &str,
) -> Result<()> {
    if truth.is_empty() || series.iter().any(|s| s.1.len() != truth.len()) {
        return Err(PlotError::Unpaired {
            truth: truth.len(),
            lengths: series.iter().map(|s| s.1.len()).collect(),
        }
        .into());
    }
    let all = truth
        .iter()
        .chain(series.iter().flat_map(|s| s.1.iter()))
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let pad = ((hi - lo) * 0.05).max(1e-12);
    let (lo, hi) = (lo - pad, hi + pad);
    tessera_sky::register_fonts();
    atomically(path, |tmp| {
        let root = BitMapBackend::new(tmp, (760, 700)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, lo..hi)
            .map_err(|e| draw_err(path, e))?;
        chart
            .configure_mesh()
            .x_desc(format!("true {parameter}"))
            .y_desc(format!("estimated {parameter}"))
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(|e| draw_err(path, e))?;
        chart
            .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.stroke_width(1)))
            .map_err(|e| draw_err(path, e))?;
        for (k, (name, est)) in series.iter().enumerate() {
            let colour = Palette99::pick(k).to_rgba().mix(0.6);
            chart
                .draw_series(
                    truth
                        .iter()
                        .zip(est)
                        .filter(|(t, e)| t.is_finite() && e.is_finite())
                        .map(|(&t, &e)| Circle::new((t, e), 2, colour.filled())),
                )
                .map_err(|e| draw_err(path, e))?
                .label(name.clone())
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
        }
        // The mean estimate in ten bins of the truth: shrinkage towards the middle of the
        // prior shows at its edges, where the points alone hide it.
        for (k, (name, est)) in series.iter().enumerate() {
            let colour = Palette99::pick(k).to_rgba();
            let means = binned_means(truth, est, 10);
            chart
                .draw_series(LineSeries::new(
                    means.iter().copied(),
                    colour.stroke_width(3),
                ))
                .map_err(|e| draw_err(path, e))?
                .label(format!("{name}, mean per bin of the truth"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
                });
            chart
                .draw_series(
                    means
                        .iter()
                        .map(|&p| Cross::new(p, 6, colour.stroke_width(2))),
                )
                .map_err(|e| draw_err(path, e))?;
        }
        finish_with_legend(&mut chart, &root, SeriesLabelPosition::UpperLeft, 14, path)
    })
}

/// (bin centre, mean estimate) over `bins` equal bins of the truth's range, empty bins left out.
fn binned_means(truth: &[f64], estimate: &[f64], bins: usize) -> Vec<(f64, f64)> {
    let finite = || {
        truth
            .iter()
            .zip(estimate)
            .filter(|(t, e)| t.is_finite() && e.is_finite())
    };
    let (lo, hi) = finite().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (&t, _)| {
        (a.min(t), b.max(t))
    });
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return Vec::new();
    }
    let width = (hi - lo) / bins as f64;
    let mut sums = vec![(0.0, 0usize); bins];
    for (&t, &e) in finite() {
        let b = (((t - lo) / width) as usize).min(bins - 1);
        sums[b].0 += e;
        sums[b].1 += 1;
    }
    sums.iter()
        .enumerate()
        .filter(|(_, (_, n))| *n > 0)
        .map(|(b, (sum, n))| (lo + (b as f64 + 0.5) * width, sum / *n as f64))
        .collect()
}

/// Histograms of residuals (estimate − truth), one outline per estimator, on shared bins.
///
/// # Errors
/// [`TrainError::Io`] when the PNG cannot be written; [`TrainError::Plot`] without residuals.
pub fn plot_residuals(
    series: &[(String, Vec<f64>)],
    path: &Path,
    title: &str,
    parameter: &str,
) -> Result<()> {
    let all: Vec<f64> = series
        .iter()
        .flat_map(|s| s.1.iter())
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    if all.is_empty() {
        return Err(PlotError::NoValues.into());
    }
    let m = all.iter().fold(0.0f64, |a, v| a.max(v.abs())).max(1e-12);
    let bins = 30usize;
    let width = 2.0 * m / bins as f64;
    let counts: Vec<Vec<usize>> = series
        .iter()
        .map(|(_, r)| {
            let mut c = vec![0usize; bins];
            for v in r.iter().filter(|v| v.is_finite()) {
                c[(((v + m) / width) as usize).min(bins - 1)] += 1;
            }
            c
        })
        .collect();
    let top = counts.iter().flatten().copied().max().unwrap_or(1) as f64 * 1.1;
    tessera_sky::register_fonts();
    atomically(path, |tmp| {
        let root = BitMapBackend::new(tmp, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(-m..m, 0.0..top)
            .map_err(|e| draw_err(path, e))?;
        chart
            .configure_mesh()
            .x_desc(format!("estimate − true {parameter}"))
            .y_desc("maps")
            // Counts of maps are whole numbers: "70", not "70.0".
            .y_label_formatter(&|v| {
                if v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            })
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(|e| draw_err(path, e))?;
        for (k, ((name, _), c)) in series.iter().zip(&counts).enumerate() {
            let colour = Palette99::pick(k).to_rgba();
            let steps = c.iter().enumerate().flat_map(|(b, &n)| {
                let x0 = -m + b as f64 * width;
                [(x0, n as f64), (x0 + width, n as f64)]
            });
            chart
                .draw_series(LineSeries::new(steps, colour.stroke_width(2)))
                .map_err(|e| draw_err(path, e))?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
        }
        finish_with_legend(
            &mut chart,
            &root,
            SeriesLabelPosition::MiddleRight,
            14,
            path,
        )
    })
}

/// The confusion matrix `counts[true][predicted]` as a heat map with the counts written in.
///
/// # Errors
/// [`TrainError::Io`] when the PNG cannot be written; [`TrainError::Plot`] for an empty or
/// non-square matrix.
pub fn plot_confusion(
    counts: &[Vec<u64>],
    labels: &[String],
    path: &Path,
    title: &str,
) -> Result<()> {
    let n = counts.len();
    if n == 0 || counts.iter().any(|r| r.len() != n) || labels.len() != n {
        return Err(PlotError::NotSquare {
            rows: n,
            labels: labels.len(),
        }
        .into());
    }
    tessera_sky::register_fonts();
    atomically(path, |tmp| draw_confusion(counts, labels, tmp, path, title))
}

fn draw_confusion(
    counts: &[Vec<u64>],
    labels: &[String],
    tmp: &Path,
    path: &Path,
    title: &str,
) -> Result<()> {
    let n = counts.len();
    let cell = (480 / n as u32).clamp(30, 120) as i32;
    let side = cell * n as i32;
    let (left, top) = (110, 60);
    // Names too long for a column are written downwards under it.
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as i32;
    let vertical = longest * 8 > cell;
    let below = if vertical { longest * 9 + 16 } else { 24 };
    let size = (
        (side + left + 40).max(520) as u32,
        (side + top + 46 + below) as u32,
    );
    let root = BitMapBackend::new(tmp, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let err = |e: DrawingAreaErrorKind<_>| draw_err(path, e);
    root.draw(&Text::new(title.to_string(), (10, 15), ("sans-serif", 20)))
        .map_err(err)?;
    let font = ("sans-serif", 15);
    for (t, row) in counts.iter().enumerate() {
        let total = row.iter().sum::<u64>().max(1) as f64;
        let y = top + t as i32 * cell;
        root.draw(&Text::new(labels[t].clone(), (10, y + cell / 2 - 8), font))
            .map_err(err)?;
        for (p, &c) in row.iter().enumerate() {
            let x = left + p as i32 * cell;
            let shade = (255.0 * (1.0 - 0.75 * c as f64 / total)) as u8;
            root.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                RGBColor(shade, shade, 255).filled(),
            ))
            .map_err(err)?;
            root.draw(&Rectangle::new(
                [(x, y), (x + cell, y + cell)],
                BLACK.stroke_width(1),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                c.to_string(),
                (x + cell / 2 - 10, y + cell / 2 - 8),
                font,
            ))
            .map_err(err)?;
        }
    }
    for (p, name) in labels.iter().enumerate() {
        if vertical {
            let style = ("sans-serif", 15)
                .into_font()
                .transform(FontTransform::Rotate90);
            let x = left + p as i32 * cell + cell / 2 + 8;
            root.draw(&Text::new(name.clone(), (x, top + side + 6), style))
                .map_err(err)?;
        } else {
            let x = left + p as i32 * cell + cell / 2 - 10;
            root.draw(&Text::new(name.clone(), (x, top + side + 8), font))
                .map_err(err)?;
        }
    }
    root.draw(&Text::new(
        "predicted →".to_string(),
        (left, top + side + below + 8),
        font,
    ))
    .map_err(err)?;
    root.draw(&Text::new("true ↓".to_string(), (10, top - 22), font))
        .map_err(err)?;
    root.present().map_err(|e| draw_err(path, e))
}

/// Cost against problem size on log–log axes, one line of points per series, with a dashed
/// line of slope 1 (linear scaling) through the first point of the first series that has one.
///
/// # Errors
/// [`TrainError::Io`] when the PNG cannot be written; [`TrainError::Plot`] without points or
/// with a value that is not positive.
pub fn plot_scaling(
    series: &[(String, Vec<(f64, f64)>)],
    path: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
) -> Result<()> {
    let points: Vec<(f64, f64)> = series.iter().flat_map(|s| s.1.iter().copied()).collect();
    if points.is_empty() || points.iter().any(|&(x, y)| !(x > 0.0 && y > 0.0)) {
        return Err(PlotError::NotPositive.into());
    }
    let range = |v: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = v.fold((f64::INFINITY, 0f64), |(a, b), x| (a.min(x), b.max(x)));
        (lo / 1.5)..(hi * 1.5)
    };
    let xs = range(&mut points.iter().map(|p| p.0));
    let ys = range(&mut points.iter().map(|p| p.1));
    let (x0, y0) = points[0];
    tessera_sky::register_fonts();
    atomically(path, |tmp| {
        let root = BitMapBackend::new(tmp, (800, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(80)
            .build_cartesian_2d(xs.clone().log_scale(), ys.log_scale())
            .map_err(|e| draw_err(path, e))?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style(("sans-serif", 15))
            .draw()
            .map_err(|e| draw_err(path, e))?;
        let linear = [xs.start, xs.end].map(|x| (x, y0 * x / x0));
        chart
            .draw_series(DashedLineSeries::new(linear, 6, 4, BLACK.stroke_width(1)))
            .map_err(|e| draw_err(path, e))?
            .label("linear (slope 1)")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK));
        for (k, (name, pts)) in series.iter().enumerate() {
            let colour = Palette99::pick(k).to_rgba();
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))
                .map_err(|e| draw_err(path, e))?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour));
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 4, colour.filled())))
                .map_err(|e| draw_err(path, e))?;
        }
        finish_with_legend(&mut chart, &root, SeriesLabelPosition::UpperLeft, 14, path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_png(path: &Path) -> bool {
        std::fs::read(path).is_ok_and(|b| b.starts_with(b"\x89PNG"))
    }

    #[test]
    fn every_picture_is_a_png_with_its_legend() {
        let dir = tempfile::tempdir().unwrap();
        let p = |name: &str| dir.path().join(name);
        let curves = vec![
            ("train".to_string(), vec![0.9, 0.5, 0.2]),
            ("validation".to_string(), vec![1.0, 0.7, 0.6]),
        ];
        plot_curves(&curves, &p("curves.png"), "loss", "cross-entropy").unwrap();
        // A Gaussian negative log-likelihood falls below 0: a linear axis.
        let nll = vec![("train".to_string(), vec![0.4, -0.5, -0.9])];
        plot_curves(&nll, &p("nll.png"), "loss", "Gaussian NLL").unwrap();
        let truth = [1.0, 2.0, 3.0];
        let series = vec![
            ("network".to_string(), vec![1.1, 1.9, 3.2]),
            ("likelihood".to_string(), vec![0.9, 2.1, 2.9]),
        ];
        plot_estimates(&truth, &series, &p("estimates.png"), "estimates", "τ").unwrap();
        let residuals: Vec<(String, Vec<f64>)> = series
            .iter()
            .map(|(n, e)| (n.clone(), e.iter().zip(truth).map(|(e, t)| e - t).collect()))
            .collect();
        plot_residuals(&residuals, &p("residuals.png"), "residuals", "τ").unwrap();
        let cost = vec![
            ("empty".to_string(), Vec::new()),
            (
                "classify".to_string(),
                vec![(500.0, 0.005), (20_000.0, 0.3)],
            ),
        ];
        plot_scaling(&cost, &p("scaling.png"), "scaling", "faces", "s").unwrap();
        for name in [
            "curves.png",
            "nll.png",
            "estimates.png",
            "residuals.png",
            "scaling.png",
        ] {
            assert!(is_png(&p(name)), "{name}");
        }
    }

    #[test]
    fn impossible_pictures_are_errors_that_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.png");
        let short = vec![("network".to_string(), vec![1.0])];
        assert!(plot_estimates(&[1.0, 2.0], &short, &out, "t", "τ").is_err());
        let no_values = vec![("l".to_string(), vec![f64::NAN, f64::INFINITY])];
        assert!(plot_curves(&no_values, &out, "t", "y").is_err());
        assert!(plot_residuals(&[("r".into(), vec![f64::NAN])], &out, "t", "τ").is_err());
        let negative = vec![("c".to_string(), vec![(10.0, -1.0)])];
        assert!(plot_scaling(&negative, &out, "t", "x", "y").is_err());
        assert!(plot_confusion(&[vec![1, 2]], &["a".into()], &out, "t").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
