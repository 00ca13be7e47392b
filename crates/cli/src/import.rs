//! `tessera import`: trained models from other tools as Tessera run folders.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde_json::json;
use tessera_sky::project::Handedness;
use tessera_train::RunFolder;
use tessera_train::data::MnistTestDigits;
use tessera_train::nnhealpix::import_nnhealpix;

/// Models to import.
#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// An NNhealpix network saved by Keras (`model.save("model.h5")`) as a sphere run folder,
    /// for `tessera predict`, `tessera eval` and `tessera report`.
    ///
    /// The gathers of its OrderMap layers are checked against the HEALPix geometry (the stencil
    /// of every RING pixel, the children of every coarse pixel) and the network is rebuilt to
    /// read NESTED maps, unstandardised, as the model read them.
    ///
    /// Examples:
    ///   tessera import nnhealpix model.h5 -o runs/nnhealpix --classes 0,1,2,3,4,5,6,7,8
    ///   tessera import nnhealpix model.h5 -o runs/nnhealpix_mnist --mnist ../shared/data/mnist
    ///   tessera eval runs/nnhealpix_mnist   (scores it on Tessera's spherical-MNIST test maps)
    #[command(verbatim_doc_comment)]
    Nnhealpix(NnhealpixArgs),
}

/// Arguments of `tessera import nnhealpix`.
#[derive(Args, Debug)]
pub struct NnhealpixArgs {
    /// The Keras HDF5 model file.
    pub model: PathBuf,
    /// The run folder to write (run.json, model.bpk).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Names of the outputs, comma-separated: class names for a softmax model, parameter
    /// names for a regression (default: 0, 1, 2, … for classes, p0, p1, … for parameters).
    #[arg(long, value_delimiter = ',')]
    pub classes: Vec<String>,
    /// Make it a spherical-MNIST run on the digits of this folder, so that `tessera eval RUN`
    /// scores it on Tessera's test maps (the last --test-count IDX test digits, NNhealpix's
    /// handedness, digit 9 kept only for a 10-class model).
    #[arg(long, value_name = "DIR")]
    pub mnist: Option<PathBuf>,
    /// MNIST digits held out for testing (with --mnist).
    #[arg(long, default_value_t = 2000)]
    pub test_count: usize,
    /// Seed of the test orientations (with --mnist: a trained run's seed gives its test maps).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Runs `tessera import`.
pub fn run(cmd: ImportCommand, out: &mut impl Write) -> Result<()> {
    match cmd {
        ImportCommand::Nnhealpix(a) => nnhealpix(a, out),
    }
}

fn nnhealpix(a: NnhealpixArgs, out: &mut impl Write) -> Result<()> {
    RunFolder::for_training(&a.output)?;
    let imported = import_nnhealpix(&a.model)?;
    let config = &imported.config;
    let source = a.model.display().to_string();
    let (task, data) = match &a.mnist {
        Some(dir) => {
            if !imported.classification || !(9..=10).contains(&config.outputs) {
                bail!(
                    "--mnist needs a 9- or 10-class softmax model (digits 0–8, or 0–9), not {} \
                     {}",
                    config.outputs,
                    if imported.classification {
                        "classes"
                    } else {
                        "parameters"
                    }
                );
            }
            let digits = MnistTestDigits::Last;
            let data = json!({"source": dir.display().to_string(), "imported_from": source,
                "test_count": a.test_count, "test_digits_from": digits, "split": digits.describe(),
                "keep_nine": config.outputs == 10, "handedness": Handedness::Nnhealpix.name(),
                "layers": imported.layers});
            ("mnist", data)
        }
        None => (
            "imported",
            json!({"imported_from": source, "layers": imported.layers}),
        ),
    };
    let names = (!a.classes.is_empty()).then(|| a.classes.clone());
    let run = imported
        .to_run(names, task, data, a.seed)
        .with_context(|| a.model.display().to_string())?;
    run.save(&imported.net, &a.output)?;
    for line in &imported.layers {
        writeln!(out, "  {line}")?;
    }
    writeln!(
        out,
        "{}: imported as a sphere run ({} blocks, nside {} → {}, {} outputs) in {}",
        a.model.display(),
        config.widths.len(),
        config.nside,
        config.nside_out(),
        config.outputs,
        a.output.display()
    )?;
    Ok(())
}
