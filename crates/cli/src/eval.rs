//! `tessera eval RUN --data …`: a trained network scored on labelled data — a mesh run on a
//! MeshCNN-layout folder, a sphere run on folders of maps with `params.csv` (or one folder per
//! class), a graph run on a TU folder — as a table and, with `-o`, a JSON report.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::{Value, json};
use tessera_mesh::{MeshFolder, Split};
use tessera_sky::project::Handedness;
use tessera_train::data::{
    Digits, FolderTarget, MapFields, MapSet, MapTargets, MnistTestDigits, SphericalMnist,
    grid_rotations,
};
use tessera_train::graph_run::{GraphRun, classify_graphs};
use tessera_train::meshfit::argmax;
use tessera_train::metrics::{ClassMetrics, RegressionMetrics};
use tessera_train::sphere::{SphereRun, predict_rotated};

use crate::predict::{MeshScoring, RunKind, run_kind};
use crate::sim::write_text;

/// Which meshes of a MeshCNN-layout folder to score.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitArg {
    /// CLASS/test/.
    Test,
    /// CLASS/train/.
    Train,
    /// Both.
    All,
}

/// Arguments of `tessera eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// A run folder written by `tessera train sphere`, `tessera train mesh` or
    /// `tessera train graph --final`.
    run: PathBuf,
    /// Labelled data: a MeshCNN-layout folder for a mesh run; folders of maps with params.csv
    /// (regression) or one folder per class (classification) for a sphere run; a TU dataset
    /// folder for a graph run; a COSEG-layout folder for a segmentation run. For a
    /// spherical-MNIST run, the MNIST folder it was trained on: its own test digits are rebuilt
    /// from the run's record (the same digits in the same orientations).
    #[arg(long, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Sphere runs: average the network's outputs over the maps turned by the rotations that
    /// map the HEALPix grid onto itself (8; 4 about the polar axis for Q/U maps).
    #[arg(long)]
    average_rotations: bool,
    /// Meshes to score (mesh runs).
    #[arg(long, value_enum, default_value = "test")]
    split: SplitArg,
    #[command(flatten)]
    mesh: MeshScoring,
    /// Write the metrics as JSON here too.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    overwrite: crate::output::OverwriteArg,
}

/// A classification table: accuracy, then recall per class.
fn class_table(
    m: &ClassMetrics,
    names: &[String],
    count: usize,
    out: &mut impl Write,
) -> Result<()> {
    writeln!(out, "accuracy {:.2} % on {count}", 100.0 * m.accuracy)?;
    writeln!(out, "{:<16} {:>8} {:>8}", "class", "samples", "recall")?;
    for (c, name) in names.iter().enumerate() {
        let n: u64 = m.confusion[c].iter().sum();
        writeln!(out, "{name:<16} {n:>8} {:>7.1}%", 100.0 * m.recall[c])?;
    }
    Ok(())
}

/// Why `--data` is needed: a run folder records where its data came from, but Tessera never
/// follows a path out of a run folder (it may come from another machine or another person).
pub(crate) fn data_needed(run_dir: &Path, record: &Value, key: &str) -> String {
    let mut message = format!(
        "{}: give the data to score on (--data DIR)",
        run_dir.display()
    );
    if let Some(recorded) = record[key].as_str() {
        message += &format!(
            "; the run was trained on {recorded}, as its run.json records (Tessera does not \
             follow paths out of a run folder)"
        );
    }
    message
}

fn eval_meshes(a: &EvalArgs, out: &mut impl Write) -> Result<Value> {
    let ensemble = a.mesh.load(&a.run)?;
    let classes = ensemble.classes();
    let [root] = &a.data[..] else {
        bail!("a mesh run is scored on one MeshCNN-layout folder (--data DIR)");
    };
    let folder = MeshFolder::open(root)?;
    let items: Vec<_> = folder
        .items
        .iter()
        .filter(|i| match a.split {
            SplitArg::Test => i.split == Split::Test,
            SplitArg::Train => i.split == Split::Train,
            SplitArg::All => true,
        })
        .collect();
    if items.is_empty() {
        bail!("{}: no {:?} meshes", root.display(), a.split);
    }
    let mut index = Vec::with_capacity(folder.classes.len());
    for name in &folder.classes {
        match classes.iter().position(|c| c == name) {
            Some(k) => index.push(k),
            None => bail!(
                "{}: class {name} is not one of the run's ({})",
                root.join(name).display(),
                classes.join(", ")
            ),
        }
    }
    let paths: Vec<PathBuf> = items.iter().map(|i| i.path.clone()).collect();
    let predicted = argmax(&a.mesh.classify(&ensemble, &paths)?);
    let truth: Vec<usize> = items.iter().map(|i| index[i.class]).collect();
    let m = ClassMetrics::new(&truth, &predicted, classes.len());
    class_table(&m, classes, items.len(), out)?;
    let augmented_with: Vec<String> = a
        .mesh
        .augmented_with
        .iter()
        .map(|p| format!("{p:?}").to_lowercase())
        .collect();
    Ok(json!({"run": a.run, "ensemble": a.mesh.ensemble,
        "augmented_copies": a.mesh.augmented_copies,
        "augmented_with": augmented_with, "data": root, "meshes": items.len(),
        "metrics": m}))
}

fn eval_graphs(a: &EvalArgs, out: &mut impl Write) -> Result<Value> {
    let (run, net) = GraphRun::load(&a.run)?;
    let [dir] = &a.data[..] else {
        bail!("a graph run is scored on one TU dataset folder (--data DIR)");
    };
    let data = run.read_graphs(dir)?;
    if !data.labelled {
        bail!(
            "{}: no {}_graph_labels.txt, nothing to score against (`tessera predict` classifies \
             unlabelled graphs)",
            dir.display(),
            data.name
        );
    }
    let predicted = argmax(&classify_graphs(&net, &data.graphs, 64)?);
    let names: Vec<String> = run.vocabulary.classes.iter().map(i64::to_string).collect();
    let m = ClassMetrics::new(&data.labels, &predicted, names.len());
    class_table(&m, &names, data.graphs.len(), out)?;
    Ok(json!({"run": a.run, "data": dir, "graphs": data.graphs.len(), "metrics": m}))
}

/// The test digits of a spherical-MNIST run, rebuilt from the MNIST folder `source` as its
/// run.json records them.
fn mnist_test_set(run: &SphereRun, nside: u64, source: &Path) -> Result<MapSet> {
    let d = &run.data;
    // Runs made before `test_count` was recorded used the default, 2000.
    let test_count = d["test_count"].as_u64().unwrap_or(2000) as usize;
    let keep_nine = d["keep_nine"].as_bool().unwrap_or(false);
    // Runs made before the choice was recorded tested on the last digits.
    let test_digits = match d.get("test_digits_from") {
        Some(v) => serde_json::from_value(v.clone())
            .context("the run's test_digits_from is neither \"Last\" nor \"Spread\"")?,
        None => MnistTestDigits::Last,
    };
    // Runs made before the handedness was recorded laid digits down the mirror way round.
    let handedness = match d.get("handedness").and_then(|v| v.as_str()) {
        Some(name) => Handedness::from_name(name).with_context(|| {
            format!("the run's handedness {name:?} is neither \"nnhealpix\" nor \"outside\"")
        })?,
        None => Handedness::Outside,
    };
    let m = SphericalMnist::new(source, nside, test_count, test_digits, keep_nine)?
        .with_handedness(handedness);
    Ok(m.test_set(crate::sphere::mnist_test_seed(run.fit.seed)))
}

fn eval_maps(a: &EvalArgs, out: &mut impl Write) -> Result<Value> {
    let (run, net) = SphereRun::load(&a.run)?;
    let model = run.model_config()?;
    let mnist_folder = match &a.data[..] {
        [dir] if run.task == "mnist" && Digits::is_mnist_folder(dir) => Some(dir),
        _ => None,
    };
    let set = if let Some(source) = mnist_folder {
        mnist_test_set(&run, model.nside, source)?
    } else if a.data.is_empty() {
        bail!("{}", data_needed(&a.run, &run.data, "source"));
    } else {
        let target = if run.classification {
            FolderTarget::Folder
        } else {
            FolderTarget::Columns(run.target_names.clone())
        };
        let classes = run.classification.then_some(run.target_names.as_slice());
        MapSet::read_folders(
            &a.data,
            &target,
            run.fields,
            run.mask_channel,
            model.nside,
            classes,
        )?
    };
    let rotations = if a.average_rotations {
        grid_rotations(model.nside, run.fields != MapFields::T)?
    } else {
        Vec::new()
    };
    if !rotations.is_empty() {
        writeln!(
            out,
            "outputs averaged over {} grid rotations",
            rotations.len()
        )?;
    }
    let p = predict_rotated(&net, &model, &set, &run.normalisation, 128, &rotations)?;
    let metrics = match &set.targets {
        MapTargets::Classes { labels, names } => {
            let m = ClassMetrics::new(labels, &p.classes(), names.len());
            class_table(&m, names, set.len(), out)?;
            json!(m)
        }
        MapTargets::Values { values, names } => {
            let k = names.len();
            let mut all = serde_json::Map::new();
            writeln!(out, "{} maps", set.len())?;
            writeln!(
                out,
                "{:<12} {:>12} {:>12} {:>12} {:>12}",
                "parameter", "RMSE", "bias", "sd", "MSE"
            )?;
            for (j, name) in names.iter().enumerate() {
                let truth: Vec<f64> = values.iter().skip(j).step_by(k).copied().collect();
                let est: Vec<f64> = p.outputs.iter().map(|o| o[j]).collect();
                let m = RegressionMetrics::new(&truth, &est);
                writeln!(
                    out,
                    "{name:<12} {:>12.5} {:>+12.5} {:>12.5} {:>12.3e}",
                    m.rmse, m.bias, m.sd, m.mse
                )?;
                all.insert(name.clone(), json!(m));
            }
            Value::Object(all)
        }
    };
    Ok(json!({"run": a.run, "data": a.data, "maps": set.len(),
        "rotations_averaged": rotations.len(), "metrics": metrics}))
}

/// Runs `tessera eval`.
pub fn run(a: EvalArgs, out: &mut impl Write) -> Result<()> {
    if let Some(path) = &a.output {
        a.overwrite.check(path)?;
    }
    let report = match run_kind(&a.run, "eval", a.mesh.given())? {
        RunKind::Mesh => eval_meshes(&a, out)?,
        RunKind::Graph => eval_graphs(&a, out)?,
        RunKind::Segment => {
            let split = match a.split {
                SplitArg::Test => Some(Split::Test),
                SplitArg::Train => Some(Split::Train),
                SplitArg::All => None,
            };
            crate::segrun::eval(&a.run, &a.data, split, out)?
        }
        RunKind::Sphere => eval_maps(&a, out)?,
    };
    if let Some(path) = &a.output {
        write_text(path, &serde_json::to_string_pretty(&report)?)?;
        writeln!(out, "metrics written to {}", path.display())?;
    }
    Ok(())
}
