//! `tessera predict RUN FILES…`: a trained sphere network applied to FITS maps, a trained
//! PD-MeshNet to meshes, or a graph classifier to TU folders (the run folder says which).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use rayon::prelude::*;
use tessera_sky::{ReadOptions, SkyMap, read_map};
use tessera_train::data::{AugmentPart, MeshFile};
use tessera_train::graph_run::{GRAPH_TASK, GraphRun, classify_graphs};
use tessera_train::guard::{Finding, predict_maps};
use tessera_train::meshfit::{MESH_TASK, MeshEnsemble, TestTimeAugment, argmax};
use tessera_train::segfit::SEGMENT_TASK;
use tessera_train::sphere::SphereRun;
use tessera_train::{CONFIG_FILE, REPORT_FILE, RUN_FILE};

use crate::sim::write_text;

/// Arguments of `tessera predict`.
#[derive(Args, Debug)]
pub struct PredictArgs {
    /// A run folder written by `tessera train sphere`, `tessera train mesh` or
    /// `tessera train graph --final`.
    run: PathBuf,
    /// FITS maps, RING or NESTED, at the network's nside (or finer with --degrade); OBJ/PLY
    /// meshes, or folders of them (searched recursively), for a mesh run (a mesh that cannot be
    /// read is reported after the others are written); TU dataset folders (graph labels optional) for a graph run.
    #[arg(required = true)]
    maps: Vec<PathBuf>,
    /// Degrade finer maps to the network's nside (ud_grade, mean of the seen children).
    #[arg(long)]
    degrade: bool,
    /// Sphere runs: average the outputs over the maps turned by the rotations that map the
    /// HEALPix grid onto itself (8; 4 about the polar axis for Q/U maps).
    #[arg(long)]
    average_rotations: bool,
    #[command(flatten)]
    mesh: MeshScoring,
    /// Output CSV: one row per map, mesh or graph: the class and its probabilities, or the
    /// parameters. For a segmentation run: the parts of the mesh's faces as .txt (one line per
    /// face of the file), a coloured .ply or .obj, or a .png picture.
    /// `-` writes the CSV to standard output (the status line then goes to standard error).
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    overwrite: crate::output::OverwriteArg,
    /// Sphere runs: refuse (exit 1) instead of warning when a map or a prediction is out of
    /// what the network was trained on: another unit that cannot be converted, a spread far
    /// from the training maps', UNSEEN pixels for a full-sky network, a parameter outside the
    /// training range. (A map in K, mK or μK is converted to the training unit either way.)
    #[arg(long)]
    strict: bool,
}

/// How `tessera predict` and `tessera eval` score meshes with a mesh run.
#[derive(Args, Debug)]
pub struct MeshScoring {
    /// Mesh runs: further run folders (trained on the same classes, e.g. with other seeds)
    /// whose class probabilities are averaged with RUN's: a deep ensemble.
    #[arg(long, num_args = 1.., value_name = "RUN")]
    pub ensemble: Vec<PathBuf>,
    /// Mesh runs: average each run's class probabilities over this many copies of every mesh,
    /// redrawn with the augmentation the run was trained with (test-time augmentation); 0
    /// scores each mesh as it is.
    #[arg(long, default_value_t = 0)]
    pub augmented_copies: usize,
    /// Mesh runs, with --augmented-copies: redraw the copies with only these parts of each
    /// run's training augmentation (comma-separated; the run's strengths, the other parts off),
    /// e.g. `smooth` or `jitter` for copies gentler than training's stretch and bend.
    #[arg(long, value_delimiter = ',', value_name = "PART")]
    pub augmented_with: Vec<AugmentPartArg>,
}

/// A part of a run's training augmentation (`--augmented-with`).
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum AugmentPartArg {
    /// Curvature smoothing (--augment-smooth).
    Smooth,
    /// The smooth bend (--augment-warp).
    Warp,
    /// Random rotation (--augment-rotate).
    Rotate,
    /// Per-axis scaling (--augment-scale).
    Scale,
    /// Vertex jitter (--augment-jitter).
    Jitter,
    /// The hidden patch of faces (--augment-cutout).
    Cutout,
}

impl From<AugmentPartArg> for AugmentPart {
    fn from(part: AugmentPartArg) -> Self {
        match part {
            AugmentPartArg::Smooth => AugmentPart::Smooth,
            AugmentPartArg::Warp => AugmentPart::Warp,
            AugmentPartArg::Rotate => AugmentPart::Rotate,
            AugmentPartArg::Scale => AugmentPart::Scale,
            AugmentPartArg::Jitter => AugmentPart::Jitter,
            AugmentPartArg::Cutout => AugmentPart::Cutout,
        }
    }
}

impl MeshScoring {
    /// Whether an option that only mesh runs take was given.
    pub fn given(&self) -> bool {
        !self.ensemble.is_empty() || self.augmented_copies > 0 || !self.augmented_with.is_empty()
    }

    /// The test-time augmentation asked for.
    ///
    /// # Errors
    /// `--augmented-with` without `--augmented-copies`.
    pub fn test_time_augment(&self) -> Result<TestTimeAugment> {
        if self.augmented_copies == 0 && !self.augmented_with.is_empty() {
            bail!("--augmented-with chooses how copies are drawn; give --augmented-copies K too");
        }
        Ok(TestTimeAugment {
            copies: self.augmented_copies,
            parts: (!self.augmented_with.is_empty())
                .then(|| self.augmented_with.iter().map(|&p| p.into()).collect()),
        })
    }

    /// The ensemble of `run` and the `--ensemble` runs.
    pub fn load(&self, run: &std::path::Path) -> Result<MeshEnsemble> {
        let dirs: Vec<PathBuf> = std::iter::once(run.to_path_buf())
            .chain(self.ensemble.iter().cloned())
            .collect();
        Ok(MeshEnsemble::load(&dirs)?)
    }

    /// The ensemble's class probabilities of each mesh file, with `--augmented-copies` and
    /// `--augmented-with`.
    pub fn classify(&self, ensemble: &MeshEnsemble, paths: &[PathBuf]) -> Result<Vec<Vec<f64>>> {
        Ok(ensemble.classify_files(paths, &self.test_time_augment()?)?)
    }

    /// [`classify`](Self::classify) of meshes already read.
    pub fn classify_read(
        &self,
        ensemble: &MeshEnsemble,
        files: &[MeshFile],
    ) -> Result<Vec<Vec<f64>>> {
        Ok(ensemble.classify_meshes(files, &self.test_time_augment()?)?)
    }
}

/// The mesh files named: files as given, and every .obj or .ply under a folder (sorted).
fn mesh_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        let mut found = Vec::new();
        let mut stack = vec![p.clone()];
        while let Some(dir) = stack.pop() {
            for entry in
                std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
            {
                let path = entry
                    .with_context(|| format!("reading {}", dir.display()))?
                    .path();
                if path.is_dir() {
                    stack.push(path);
                } else if path
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| x.eq_ignore_ascii_case("obj") || x.eq_ignore_ascii_case("ply"))
                {
                    found.push(path);
                }
            }
        }
        if found.is_empty() {
            bail!("{}: a folder without .obj or .ply meshes", p.display());
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// The class and class probabilities of each mesh that can be read, as CSV (averaged over
/// `--ensemble`), and one message per mesh that cannot.
fn predict_meshes(a: &PredictArgs) -> Result<(String, Vec<String>)> {
    let ensemble = a.mesh.load(&a.run)?;
    let files = mesh_files(&a.maps)?;
    let read: Vec<_> = files.par_iter().map(|p| MeshFile::read(p)).collect();
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for r in read {
        match r {
            Ok(file) => good.push(file),
            Err(e) => bad.push(e.to_string()),
        }
    }
    let probabilities = if good.is_empty() {
        Vec::new()
    } else {
        a.mesh.classify_read(&ensemble, &good)?
    };
    let mut csv = String::from("file,class");
    for c in ensemble.classes() {
        csv.push_str(&format!(",p_{c}"));
    }
    csv.push('\n');
    for ((file, p), c) in good.iter().zip(&probabilities).zip(argmax(&probabilities)) {
        csv.push_str(&format!(
            "{},{}",
            file.path.display(),
            ensemble.classes()[c]
        ));
        for v in p {
            csv.push_str(&format!(",{v:.6}"));
        }
        csv.push('\n');
    }
    Ok((csv, bad))
}

/// What a run folder holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunKind {
    /// `tessera train sphere`.
    Sphere,
    /// `tessera train mesh`.
    Mesh,
    /// `tessera train graph --final`.
    Graph,
    /// `tessera train mesh --task segment`.
    Segment,
}

/// The kind of run in `dir`, from the task in its run.json; a folder of `tessera train graph`
/// without `--final` (a cross-validation report, no network) is refused with a message that
/// says so, instead of "run.json not found"; `what` is the command. `mesh_options` (whether
/// `--ensemble` or `--augmented-copies` was given) is refused unless `dir` holds a mesh run.
pub fn run_kind(dir: &std::path::Path, what: &str, mesh_options: bool) -> Result<RunKind> {
    let cv_only = !dir.join(RUN_FILE).exists()
        && dir.join(REPORT_FILE).exists()
        && dir.join(CONFIG_FILE).exists();
    if cv_only {
        bail!(
            "{}: a graph cross-validation run (`tessera train graph` without --final) keeps fold \
             accuracies, not a trained network, so `tessera {what}` has nothing to use; train \
             again with --final to keep one",
            dir.display()
        );
    }
    let task = std::fs::read_to_string(dir.join(RUN_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|v| v["task"].clone());
    let kind = match task {
        Some(t) if t == MESH_TASK => RunKind::Mesh,
        Some(t) if t == GRAPH_TASK => RunKind::Graph,
        Some(t) if t == SEGMENT_TASK => RunKind::Segment,
        // The sphere loader reports a missing or malformed run.json.
        _ => RunKind::Sphere,
    };
    if kind != RunKind::Mesh && mesh_options {
        bail!(
            "{}: --ensemble, --augmented-copies and --augmented-with apply to mesh runs \
             (`tessera train mesh`), and this is not one",
            dir.display()
        );
    }
    Ok(kind)
}

/// The class and class probabilities of every graph of the TU folders, as CSV.
fn predict_graphs(a: &PredictArgs) -> Result<(String, usize)> {
    let (run, net) = GraphRun::load(&a.run)?;
    let mut csv = String::from("dataset,graph,class");
    for c in &run.vocabulary.classes {
        csv.push_str(&format!(",p_{c}"));
    }
    csv.push('\n');
    let mut count = 0;
    for dir in &a.maps {
        let data = run.read_graphs(dir)?;
        let probabilities = classify_graphs(&net, &data.graphs, 64)?;
        for (g, (p, c)) in probabilities.iter().zip(argmax(&probabilities)).enumerate() {
            let class = run.vocabulary.classes[c];
            csv.push_str(&format!("{},{},{class}", data.name, g + 1));
            for v in p {
                csv.push_str(&format!(",{v:.6}"));
            }
            csv.push('\n');
        }
        count += data.graphs.len();
    }
    Ok((csv, count))
}

/// Runs `tessera predict`.
pub fn run(a: PredictArgs, out: &mut impl Write) -> Result<()> {
    a.overwrite.check(&a.output)?;
    let status = |out: &mut dyn Write, line: String| crate::output::status(out, &a.output, &line);
    match run_kind(&a.run, "predict", a.mesh.given())? {
        RunKind::Mesh => {
            let (csv, bad) = predict_meshes(&a)?;
            write_text(&a.output, &csv)?;
            let written = csv.lines().count() - 1;
            status(out, format!("{written} meshes → {}", a.output.display()))?;
            if !bad.is_empty() {
                bail!(
                    "{} of {} meshes could not be read (the others are in {}):\n  {}",
                    bad.len(),
                    bad.len() + written,
                    a.output.display(),
                    bad.join("\n  ")
                );
            }
            return Ok(());
        }
        RunKind::Segment => {
            let summary = crate::segrun::predict(&a.run, &a.maps, &a.output)?;
            status(out, summary)?;
            return Ok(());
        }
        RunKind::Graph => {
            let (csv, count) = predict_graphs(&a)?;
            write_text(&a.output, &csv)?;
            status(out, format!("{count} graphs → {}", a.output.display()))?;
            return Ok(());
        }
        RunKind::Sphere => {}
    }
    let SphereOutputs {
        run,
        model,
        outputs,
        findings,
    } = sphere_outputs(&a.run, &a.maps, a.degrade, a.average_rotations)?;
    let mut csv = String::from("file");
    if run.classification {
        csv.push_str(",class");
        for n in &run.target_names {
            csv.push_str(&format!(",p_{n}"));
        }
    } else {
        for n in &run.target_names {
            csv.push_str(&format!(",{n}"));
        }
        // A Gaussian head gives each value's standard deviation after the values.
        if model.gaussian {
            for n in &run.target_names {
                csv.push_str(&format!(",sigma_{n}"));
            }
        }
    }
    csv.push('\n');
    for (path, o) in a.maps.iter().zip(&outputs) {
        csv.push_str(&path.display().to_string());
        if run.classification {
            let best = (0..o.len())
                .max_by(|&x, &y| o[x].total_cmp(&o[y]))
                .unwrap_or(0);
            csv.push_str(&format!(",{}", run.target_names[best]));
        }
        for v in o {
            csv.push_str(&format!(",{v:.6}"));
        }
        csv.push('\n');
    }
    report_findings(&a, &findings)?;
    write_text(&a.output, &csv)?;
    status(
        out,
        format!("{} maps → {}", outputs.len(), a.output.display()),
    )
}

/// A sphere run's outputs on map files, with what the guard found about each map and its
/// outputs.
pub struct SphereOutputs {
    /// The run.
    pub run: SphereRun,
    /// Its network's configuration.
    pub model: tessera_train::models::SphereCnnConfig,
    /// Per map: class probabilities, or values (then σ for a Gaussian head).
    pub outputs: Vec<Vec<f64>>,
    /// Per map: the guard's findings (unit, scale, UNSEEN pixels, outputs out of range).
    pub findings: Vec<Vec<Finding>>,
}

/// Applies the sphere run in `run_dir` to the map files `maps` (RING or NESTED; `degrade`
/// brings finer maps to the network's nside), averaging over the grid rotations when asked.
///
/// # Errors
/// An unreadable run or map, maps that do not fit the network.
pub fn sphere_outputs(
    run_dir: &std::path::Path,
    maps: &[PathBuf],
    degrade: bool,
    average_rotations: bool,
) -> Result<SphereOutputs> {
    let (run, net) = SphereRun::load(run_dir)?;
    let model = run.model_config()?;
    if maps.is_empty() {
        bail!("no maps given");
    }
    let read: Vec<SkyMap> = maps
        .par_iter()
        .map(|path| read_map(path, &ReadOptions::default()))
        .collect::<tessera_sky::Result<_>>()?;
    let names: Vec<String> = maps.iter().map(|p| p.display().to_string()).collect();
    let predictions = predict_maps(&run, &net, read, &names, degrade, average_rotations)?;
    let (outputs, findings) = predictions
        .into_iter()
        .map(|p| (p.outputs, p.findings))
        .unzip();
    Ok(SphereOutputs {
        run,
        model,
        outputs,
        findings,
    })
}

/// Warns on standard error about each map's findings, or with `--strict` refuses.
fn report_findings(a: &PredictArgs, findings: &[Vec<Finding>]) -> Result<()> {
    let lines: Vec<String> = a
        .maps
        .iter()
        .zip(findings)
        .flat_map(|(path, found)| {
            found
                .iter()
                .map(move |f| format!("{}: {f}", path.display()))
        })
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    if a.strict {
        bail!(
            "--strict: {} finding(s), nothing written:\n  {}",
            lines.len(),
            lines.join("\n  ")
        );
    }
    for line in &lines {
        eprintln!("warning: {line}");
    }
    Ok(())
}
