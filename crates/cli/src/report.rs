//! `tessera report RUN`: the tables and pictures of a trained sphere network — loss curves,
//! the confusion matrix, or estimates against the truth with the spectrum-likelihood estimates
//! of the same maps (when `tessera estimate` was run on the test folders) and residual
//! histograms — and `report.json` with the figures.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Value, json};
use tessera_train::data::{MapSet, MapTargets};
use tessera_train::meshfit::{MESH_TASK, MeshRun, TEST_ACCURACY};
use tessera_train::metrics::{RegressionMetrics, rmse_ratio_bootstrap};
use tessera_train::plots::{plot_confusion, plot_estimates, plot_residuals};
use tessera_train::segfit::{SEGMENT_TASK, SegmentRun};
use tessera_train::sphere::{Predictions, SphereRun, TEST_LOSS, TEST_METRIC};
use tessera_train::{
    CONFIG_FILE, FOLD_LOSSES_FILE, PREDICTIONS_FILE, REPORT_FILE, RUN_FILE, RunFolder,
};

use crate::sim::write_text;

/// Arguments of `tessera report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run folder written by `tessera train sphere`, `tessera train mesh` or
    /// `tessera train graph`.
    run: PathBuf,
    /// Likelihood estimates of the test maps (CSVs of `tessera estimate`, each beside the maps
    /// it estimates); default: the run's own copy (likelihood.csv), made at training time from
    /// the test folders' estimates_likelihood.csv.
    #[arg(long, num_args = 1..)]
    likelihood: Vec<PathBuf>,
}

/// Writes the test predictions of a finished run, then its report.
pub fn write_run_report(
    test: &MapSet,
    p: &Predictions,
    test_folders: &[PathBuf],
    folder: &RunFolder,
) -> Result<String> {
    copy_likelihood_estimates(test, test_folders, folder.dir())?;
    let mut csv = String::new();
    match &test.targets {
        MapTargets::Classes { labels, names } => {
            csv.push_str("id,truth,predicted");
            for n in names {
                csv.push_str(&format!(",p_{n}"));
            }
            csv.push('\n');
            for (i, (l, c)) in labels.iter().zip(p.classes()).enumerate() {
                csv.push_str(&format!("{},{},{}", test.ids[i], names[*l], names[c]));
                for v in &p.outputs[i] {
                    csv.push_str(&format!(",{v:.6}"));
                }
                csv.push('\n');
            }
        }
        MapTargets::Values { values, names } => {
            let k = names.len();
            // A Gaussian head gives each value's σ after the values.
            let with_sigma = p.outputs.first().is_some_and(|o| o.len() == 2 * k);
            csv.push_str("id");
            for n in names {
                csv.push_str(&format!(",{n}_true,{n}_nn"));
                if with_sigma {
                    csv.push_str(&format!(",{n}_sigma"));
                }
            }
            csv.push('\n');
            for i in 0..test.len() {
                csv.push_str(&test.ids[i]);
                for j in 0..k {
                    csv.push_str(&format!(",{},{}", values[i * k + j], p.outputs[i][j]));
                    if with_sigma {
                        csv.push_str(&format!(",{}", p.outputs[i][k + j]));
                    }
                }
                csv.push('\n');
            }
        }
    }
    folder.write_predictions(&csv)?;
    report(folder.dir(), &[])
}

/// Runs `tessera report`.
pub fn run(a: ReportArgs, out: &mut impl Write) -> Result<()> {
    let summary = report(&a.run, &a.likelihood)?;
    writeln!(out, "{summary}")?;
    Ok(())
}

/// A CSV table's header and rows (through [`tessera_io::Table`], the one CSV reader).
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let table = tessera_io::Table::read(path)?;
    let rows = table.rows().map(|(_, cells)| cells.to_vec()).collect();
    Ok((table.header().to_vec(), rows))
}

fn column(header: &[String], name: &str, path: &Path) -> Result<usize> {
    header
        .iter()
        .position(|h| h == name)
        .with_context(|| format!("{}: no column {name}", path.display()))
}

fn number(s: &str, path: &Path) -> Result<f64> {
    s.parse::<f64>()
        .with_context(|| format!("{}: `{s}` is not a number", path.display()))
}

/// The run folder's own copy of the likelihood estimates of its test maps (columns `file`,
/// `estimate`, `sigma`; `file` as the run names the map), written when the run is trained: a
/// run folder carries what its report compares with, and nothing in it leads outside it.
pub const LIKELIHOOD_COPY: &str = "likelihood.csv";

/// Likelihood estimates from CSVs of `tessera estimate`, keyed by the map's path as the run
/// names it (`folder/file`): each file's estimates are of maps in the folder it sits in.
fn read_estimates(files: &[PathBuf]) -> Result<HashMap<String, (f64, f64)>> {
    let mut out = HashMap::new();
    for f in files {
        let folder = f.parent().unwrap_or(Path::new(""));
        read_estimate_file(f, folder, &mut out)?;
    }
    Ok(out)
}

/// Adds the estimates of one CSV (columns `file`, `estimate`, `sigma`) to `out`, keyed by
/// `folder/file`.
fn read_estimate_file(
    f: &Path,
    folder: &Path,
    out: &mut HashMap<String, (f64, f64)>,
) -> Result<()> {
    let (header, rows) = read_csv(f)?;
    let (fi, ei, si) = (
        column(&header, "file", f)?,
        column(&header, "estimate", f)?,
        column(&header, "sigma", f)?,
    );
    for r in rows {
        out.insert(
            folder.join(&r[fi]).display().to_string(),
            (number(&r[ei], f)?, number(&r[si], f)?),
        );
    }
    Ok(())
}

/// Copies into the run folder the likelihood estimates of its test maps found in `test_folders`
/// (their `estimates_likelihood.csv`, where present), as [`LIKELIHOOD_COPY`].
fn copy_likelihood_estimates(test: &MapSet, test_folders: &[PathBuf], dir: &Path) -> Result<()> {
    let files: Vec<PathBuf> = test_folders
        .iter()
        .map(|d| d.join("estimates_likelihood.csv"))
        .filter(|f| f.exists())
        .collect();
    let estimates = read_estimates(&files)?;
    let mut csv = String::from("file,estimate,sigma\n");
    let mut copied = 0;
    for id in &test.ids {
        if let Some((estimate, sigma)) = estimates.get(id) {
            csv.push_str(&format!("{id},{estimate},{sigma}\n"));
            copied += 1;
        }
    }
    if copied > 0 {
        write_text(&dir.join(LIKELIHOOD_COPY), &csv)?;
    }
    Ok(())
}

/// The likelihood estimates a report compares with: the files named (`--likelihood`), else the
/// run folder's own copy.
fn likelihood_estimates(dir: &Path, named: &[PathBuf]) -> Result<HashMap<String, (f64, f64)>> {
    if !named.is_empty() {
        return read_estimates(named);
    }
    let copy = dir.join(LIKELIHOOD_COPY);
    if !copy.exists() {
        return Ok(HashMap::new());
    }
    // Map names in the copy are the run's own: read as they are, not under the run folder.
    let mut out = HashMap::new();
    read_estimate_file(&copy, Path::new(""), &mut out)?;
    Ok(out)
}

fn stats(truth: &[f64], estimate: &[f64]) -> (f64, f64, f64) {
    let m = RegressionMetrics::new(truth, estimate);
    (m.rmse, m.bias, m.sd)
}

/// The pictures of a mesh run: loss and accuracy curves and the confusion matrix, from its
/// run.json.
fn mesh_report(dir: &Path) -> Result<String> {
    let (run, _) = MeshRun::load(dir)?;
    write_mesh_report(&run, &RunFolder::at(dir))
}

/// Writes the history, `report.json` and the pictures of mesh run `run` into `folder`; returns
/// a summary.
pub fn write_mesh_report(run: &MeshRun, folder: &RunFolder) -> Result<String> {
    folder.write_history(&run.history)?;
    folder.write_report(&run.report())?;
    draw_mesh_pictures(run, folder.dir())
}

/// Writes the history, `report.json` and the curves of segmentation run `dir` (the pictures of
/// the test meshes need the meshes: `tessera eval` draws them); returns a summary.
fn segment_report(dir: &Path) -> Result<String> {
    let (run, _) = SegmentRun::load(dir)?;
    let folder = RunFolder::at(dir);
    crate::segtrain::write_figures(&folder, &run.history, &run.scores)?;
    Ok(crate::segtrain::scores_line(&run.scores))
}

/// Draws the pictures of a graph cross-validation run into `dir`: the training loss of every
/// fold, the held-out accuracy after each epoch (`curve`, mean over the folds) and the
/// confusion matrix over the held-out folds (classes named by their label values).
pub fn draw_graph_pictures(
    dir: &Path,
    dataset: &str,
    train_loss: &[Vec<f64>],
    curve: &[f64],
    confusion: &[Vec<u64>],
    class_values: &[i64],
) -> Result<()> {
    let title = |what: &str| format!("{dataset} — {what}");
    tessera_train::plots::plot_losses(train_loss, &dir.join("loss.png"), &title("training loss"))?;
    tessera_train::plots::plot_metric_curve(
        curve,
        None,
        &dir.join("accuracy.png"),
        &title("held-out accuracy after each epoch (mean over the folds)"),
        "accuracy",
    )?;
    let labels: Vec<String> = class_values.iter().map(i64::to_string).collect();
    plot_confusion(
        confusion,
        &labels,
        &dir.join("confusion.png"),
        &title("confusion over the held-out folds"),
    )?;
    Ok(())
}

/// Redraws the pictures of a `tessera train graph` folder from its config.json, report.json
/// and loss.csv; returns a summary.
fn graph_report(dir: &Path) -> Result<String> {
    let folder = RunFolder::at(dir);
    let (config, summary) = (
        folder.read_json(CONFIG_FILE)?,
        folder.read_json(REPORT_FILE)?,
    );
    let missing = |what: &str| format!("{}: no {what}", folder.file(REPORT_FILE).display());
    let parse = |v: &Value, what: &str| -> Result<Vec<Value>> {
        v.as_array().cloned().with_context(|| missing(what))
    };
    let curve: Vec<f64> = parse(
        &summary["mean_held_out_accuracy_per_epoch"],
        "accuracy curve",
    )?
    .iter()
    .filter_map(Value::as_f64)
    .collect();
    let confusion: Vec<Vec<u64>> = serde_json::from_value(summary["confusion"].clone())
        .with_context(|| missing("confusion matrix"))?;
    let class_values: Vec<i64> = serde_json::from_value(summary["class_values"].clone())
        .with_context(|| missing("class values"))?;
    let (header, rows) = read_csv(&folder.file(FOLD_LOSSES_FILE))?;
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(fold), Some(loss)) = (column("fold"), column("train_loss")) else {
        bail!(
            "{}: no fold and train_loss columns",
            folder.file(FOLD_LOSSES_FILE).display()
        );
    };
    let mut train_loss: Vec<Vec<f64>> = Vec::new();
    for r in &rows {
        let k: usize = r[fold]
            .parse()
            .with_context(|| format!("{FOLD_LOSSES_FILE}: a fold that is not a number"))?;
        let l: f64 = r[loss]
            .parse()
            .with_context(|| format!("{FOLD_LOSSES_FILE}: a loss that is not a number"))?;
        train_loss.resize(train_loss.len().max(k), Vec::new());
        train_loss[k.max(1) - 1].push(l);
    }
    let dataset = config["dataset"].as_str().unwrap_or("graphs");
    draw_graph_pictures(dir, dataset, &train_loss, &curve, &confusion, &class_values)?;
    Ok(format!(
        "{dataset}: {}-fold accuracy {:.1} ± {:.1} % (loss.png, accuracy.png, confusion.png)",
        train_loss.len(),
        100.0 * summary["mean"].as_f64().unwrap_or(f64::NAN),
        100.0 * summary["std"].as_f64().unwrap_or(f64::NAN)
    ))
}

/// Draws the pictures of mesh run `run` into `dir`; returns a summary.
pub fn draw_mesh_pictures(run: &MeshRun, dir: &Path) -> Result<String> {
    let title = |what: &str| format!("PD-MeshNet — {what}");
    let h = &run.history;
    h.plot_loss(&[], &dir.join("loss.png"), &title("loss"), "cross-entropy")?;
    h.plot_monitored(
        TEST_ACCURACY,
        None,
        &dir.join("accuracy.png"),
        &title("accuracy after each epoch"),
        "test accuracy",
    )?;
    plot_confusion(
        &run.confusion,
        &run.classes,
        &dir.join("confusion.png"),
        &title(&format!("test accuracy {:.1} %", 100.0 * run.test_accuracy)),
    )?;
    let total: u64 = run.confusion.iter().flatten().sum();
    Ok(format!(
        "test accuracy {:.1} % on {total} meshes (confusion.png, loss.png, accuracy.png)",
        100.0 * run.test_accuracy
    ))
}

/// Draws the pictures of run folder `dir` and writes its `report.json` (and `history.csv`, from
/// `run.json`); returns a summary.
pub fn report(dir: &Path, likelihood: &[PathBuf]) -> Result<String> {
    if dir.join(CONFIG_FILE).exists() && dir.join(FOLD_LOSSES_FILE).exists() {
        return graph_report(dir);
    }
    let text = std::fs::read_to_string(dir.join(RUN_FILE)).with_context(|| {
        format!(
            "{}: not a run folder of tessera train sphere, mesh or graph",
            dir.display()
        )
    })?;
    let task = serde_json::from_str::<Value>(&text).map(|v| v["task"].clone());
    match task {
        Ok(t) if t == MESH_TASK => return mesh_report(dir),
        Ok(t) if t == SEGMENT_TASK => return segment_report(dir),
        _ => {}
    }
    let run: SphereRun = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a sphere run", dir.display()))?;
    let h = &run.history;
    let folder = RunFolder::at(dir);
    folder.write_history(h)?;
    let title = |what: &str| format!("sphere CNN, {} — {what}", run.task);
    h.plot_loss(
        &[("test", h.monitored(TEST_LOSS))],
        &dir.join("loss.png"),
        &title("loss"),
        if run.classification {
            "cross-entropy"
        } else {
            "mean squared error (standardised)"
        },
    )?;
    let path = dir.join(PREDICTIONS_FILE);
    let (header, rows) = read_csv(&path)?;
    let mut report = json!({"task": run.task, "epochs": h.train_loss.len(),
        "seconds_per_epoch": h.mean_seconds()});
    let summary;
    if run.classification {
        let names = &run.target_names;
        let (ti, pi) = (
            column(&header, "truth", &path)?,
            column(&header, "predicted", &path)?,
        );
        let index = |s: &str| {
            names
                .iter()
                .position(|n| n == s)
                .with_context(|| format!("{}: unknown class {s}", path.display()))
        };
        let mut confusion = vec![vec![0u64; names.len()]; names.len()];
        for r in &rows {
            confusion[index(&r[ti])?][index(&r[pi])?] += 1;
        }
        let hits: u64 = (0..names.len()).map(|c| confusion[c][c]).sum();
        let acc = hits as f64 / rows.len().max(1) as f64;
        plot_confusion(
            &confusion,
            names,
            &dir.join("confusion.png"),
            &title(&format!("test accuracy {:.2} %", 100.0 * acc)),
        )?;
        report["test_maps"] = json!(rows.len());
        report["test_accuracy"] = json!(acc);
        report["confusion"] = json!(confusion);
        summary = format!(
            "test accuracy {:.2} % on {} maps (confusion.png, loss.png)",
            100.0 * acc,
            rows.len()
        );
    } else {
        let name = &run.target_names[0];
        let (ti, ni) = (
            column(&header, &format!("{name}_true"), &path)?,
            column(&header, &format!("{name}_nn"), &path)?,
        );
        let truth: Vec<f64> = rows
            .iter()
            .map(|r| number(&r[ti], &path))
            .collect::<Result<_>>()?;
        let nn: Vec<f64> = rows
            .iter()
            .map(|r| number(&r[ni], &path))
            .collect::<Result<_>>()?;
        let lk = likelihood_estimates(dir, likelihood)?;
        let matched: Vec<Option<(f64, f64)>> =
            rows.iter().map(|r| lk.get(&r[0]).copied()).collect();
        let nn_res: Vec<f64> = nn.iter().zip(&truth).map(|(e, t)| e - t).collect();
        let (rmse, bias, sd) = stats(&truth, &nn);
        report["test_maps"] = json!(rows.len());
        report["nn"] = json!({"rmse": rmse, "bias": bias, "sd": sd});
        let mut series = vec![("network".to_string(), nn.clone())];
        let mut residuals = vec![("network".to_string(), nn_res.clone())];
        let mut line = format!(
            "{name}: network RMSE {rmse:.4} (bias {bias:+.4}) on {} maps",
            rows.len()
        );
        // A Gaussian head's σ: calibrated when the pulls (estimate − truth) / σ have standard
        // deviation 1.
        if let Some(si) = header.iter().position(|h| *h == format!("{name}_sigma")) {
            let sigmas: Vec<f64> = rows
                .iter()
                .map(|r| number(&r[si], &path))
                .collect::<Result<_>>()?;
            let pulls: Vec<f64> = nn_res.iter().zip(&sigmas).map(|(e, s)| e / s).collect();
            let n = pulls.len().max(1) as f64;
            let mean = pulls.iter().sum::<f64>() / n;
            let sd = (pulls.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / n).sqrt();
            let sigma = sigmas.iter().sum::<f64>() / n;
            report["nn"]["mean_sigma"] = json!(sigma);
            report["nn"]["pull_mean"] = json!(mean);
            report["nn"]["pull_sd"] = json!(sd);
            line.push_str(&format!(", mean σ {sigma:.4}, pulls {mean:+.2} ± {sd:.2}"));
        }
        if matched.iter().all(Option::is_some) && !matched.is_empty() {
            let est: Vec<f64> = matched.iter().map(|m| m.expect("all matched").0).collect();
            let sigma = matched
                .iter()
                .map(|m| m.expect("all matched").1)
                .sum::<f64>()
                / matched.len() as f64;
            let lk_res: Vec<f64> = est.iter().zip(&truth).map(|(e, t)| e - t).collect();
            let (lrmse, lbias, lsd) = stats(&truth, &est);
            report["likelihood"] =
                json!({"rmse": lrmse, "bias": lbias, "sd": lsd, "mean_sigma": sigma});
            // The ratio's spread over the test maps (bootstrap, fixed seed: it reproduces).
            let (ratio, ratio_sd) = rmse_ratio_bootstrap(&truth, &nn, &est, 1000, 0);
            report["rmse_ratio_nn_over_likelihood"] = json!(ratio);
            report["rmse_ratio_bootstrap_sd"] = json!(ratio_sd);
            line.push_str(&format!(
                "; likelihood RMSE {lrmse:.4} (bias {lbias:+.4}, mean σ {sigma:.4}) on the same maps; ratio {ratio:.2} ± {ratio_sd:.2} (bootstrap over the maps)"
            ));
            series.push(("spectrum likelihood".to_string(), est));
            residuals.push(("spectrum likelihood".to_string(), lk_res));
        } else if matched.iter().any(Option::is_some) {
            line.push_str("; likelihood estimates cover only some test maps: not compared");
        }
        plot_estimates(
            &truth,
            &series,
            &dir.join("predicted.png"),
            &title(&format!("{name} on the test maps")),
            name,
        )?;
        plot_residuals(
            &residuals,
            &dir.join("residuals.png"),
            &title("residuals"),
            name,
        )?;
        line.push_str(" (predicted.png, residuals.png, loss.png)");
        summary = line;
    }
    // After each epoch, beside the likelihood's RMSE on the same maps when there is one.
    let likelihood_rmse = report["likelihood"]["rmse"].as_f64();
    h.plot_monitored(
        TEST_METRIC,
        likelihood_rmse.map(|r| ("likelihood RMSE", r)),
        &dir.join("metric.png"),
        &title(if run.classification {
            "accuracy after each epoch"
        } else {
            "RMSE after each epoch"
        }),
        if run.classification {
            "test accuracy"
        } else {
            "test RMSE of the first parameter"
        },
    )?;
    folder.write_report(&report)?;
    Ok(summary)
}
