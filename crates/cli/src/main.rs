//! `tessera`: the command-line face of the Tessera toolkit.
//!
//! Thin by design: clap parses, the library crates compute, this file prints errors.

mod alm;
mod analysis;
mod cleaning;
mod estimate;
mod eval;
mod import;
mod input;
mod map;
mod mesh;
mod meshtrain;
mod output;
mod pix;
mod predict;
mod progress;
mod report;
mod segrun;
mod segtrain;
mod sim;
mod smooth;
mod spectrum;
mod sphere;
mod train;

use std::process::ExitCode;

/// mimalloc, not the system allocator: training allocates and frees tensors of hundreds of
/// megabytes every step, which glibc maps and unmaps each time (a third of the time went to
/// the kernel); mimalloc reuses them (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The one FFI call of the project: mimalloc has no safe API for its options.
#[allow(unsafe_code)]
unsafe extern "C" {
    /// mimalloc's option setter (exported by the library the `mimalloc` crate links).
    fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// `mi_option_purge_delay` in mimalloc 2.x's `mi_option_e` (libmimalloc-sys 0.1.49, pinned in
/// Cargo.lock).
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// `mi_option_purge_decommits` in the same enum.
const MI_OPTION_PURGE_DECOMMITS: i32 = 5;

/// Freed memory goes back to the kernel after a second of disuse instead of 10 ms, and then by
/// a reset (`MADV_FREE`: the kernel takes the pages only under memory pressure) instead of a
/// decommit: a training step frees and reallocates the same large buffers every few
/// milliseconds, and each return made the kernel clear the pages again (15 % of sphere-CNN
/// training time; the reset took PD-MeshNet's MSB epoch from about 5.1 to 4.7 s).
#[allow(unsafe_code)]
fn keep_freed_memory_warm() {
    // SAFETY: sets plain integer options; mimalloc documents them as callable at any time.
    unsafe {
        mi_option_set(MI_OPTION_PURGE_DELAY, 1000);
        mi_option_set(MI_OPTION_PURGE_DECOMMITS, 0);
    }
}

use clap::{Parser, Subcommand};

/// Deep learning on the sphere and on meshes: HEALPix pixel tools, sky maps, training.
///
/// Start with the pixel tools, which answer the questions healpy answers, with healpy's
/// conventions (theta = colatitude and phi = longitude in radians, or --lonlat in degrees;
/// RING order unless --nest):
///
///   tessera pix info --nside 64
///   tessera pix ang2pix --nside 64 --lonlat --coord C,G 83.63308 22.0145   (RA/Dec in a galactic map)
///   tessera pix neighbours --nside 64 --nest 1000
///   echo "0 1 2" | tessera pix pix2ang --nside 16
///
/// Sky maps in FITS files (read as healpy reads them, written as healpy writes them):
///
///   tessera map info map.fits
///   tessera map convert map.fits low.fits --nside 64 --scheme nested
///   tessera map mask map.fits masked.fits --mask mask.fits --gal-cut 10
///   tessera smooth map.fits smoothed.fits --fwhm 60
///
/// Spectra, simulations and the likelihood baseline:
///
///   tessera spectrum map.fits -o cl.csv --plot cl.png
///   tessera sim ellp --nside 16 --count 200 --seed 1 -o sims/ellp
///   tessera estimate sims/ellp
///
/// The sphere CNN (NNhealpix), trained, applied and reported:
///
///   tessera train sphere --task mnist --mnist MNIST_DIR --epochs 20 -o runs/mnist
///   tessera train sphere --task ellp --train sims/train --test sims/test -o runs/ellp
///   tessera predict runs/ellp maps/*.fits -o estimates.csv
///   tessera report runs/ellp
///
/// Meshes (OBJ, PLY) for primal-dual mesh networks:
///
///   tessera mesh info shape.obj
///   tessera mesh pool shape.obj --keep 0.5 --levels 2 -o clusters.obj
#[derive(Parser, Debug)]
#[command(name = "tessera", version, about, long_about, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// HEALPix pixel geometry: ang2pix, pix2ang, neighbours, ring2nest, discs, resolution info.
    #[command(subcommand)]
    Pix(pix::PixCommand),
    /// HEALPix sky maps in FITS files: info, convert (ud_grade, reorder), mask.
    #[command(subcommand)]
    Map(map::MapCommand),
    /// Triangle meshes: report, cleaning, primal/dual graphs, face clustering.
    #[command(subcommand)]
    Mesh(mesh::MeshCommand),
    /// Simulate CMB maps for the training tasks (l_p mock, τ, fixed spectra) into a folder.
    #[command(subcommand)]
    Sim(sim::SimCommand),
    /// Angular power spectra of a map, or cross spectra of two (healpy's anafast), to CSV, PNG
    /// and FITS.
    Spectrum(spectrum::SpectrumArgs),
    /// Smooth a map with a Gaussian beam (--fwhm in arcminutes) or a B_l beam file (healpy's
    /// smoothing); UNSEEN pixels stay UNSEEN.
    ///
    /// Example: tessera smooth wmap.fits wmap_1deg.fits --fwhm 60
    Smooth(smooth::SmoothArgs),
    /// Spherical harmonic coefficients to and from FITS files (healpy's map2alm/alm2map with
    /// write_alm/read_alm).
    #[command(subcommand)]
    Alm(alm::AlmCommand),
    /// Estimate each map's parameter (τ, ℓ_p) with the spectrum likelihood: simulated maps, or
    /// any maps described by --task, --noise, --fwhm-arcmin and --mask; --run puts a network's
    /// estimates beside it.
    ///
    /// Examples:
    ///   tessera estimate sims/tau
    ///   tessera estimate maps/ --task tau --noise 60 --mask mask.fits --run runs/tau -o both.csv
    #[command(verbatim_doc_comment)]
    Estimate(estimate::EstimateArgs),
    /// Train models: the sphere CNN on maps, PD-MeshNet on meshes, GIN on TU graph datasets.
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Apply a trained network to new data, writing a CSV: a sphere network to FITS maps (RING or
    /// NESTED), PD-MeshNet to meshes, a graph classifier (`train graph --final`) to TU folders.
    Predict(predict::PredictArgs),
    /// Pictures and figures of a training run: a sphere network (with the likelihood baseline),
    /// PD-MeshNet, or a graph cross-validation.
    Report(report::ReportArgs),
    /// Score a trained network on labelled data: accuracy, confusion and recall per class, or
    /// RMSE, bias and spread per parameter.
    ///
    /// Examples:
    ///   tessera eval runs/msb --data ../shared/data/meshes/msb
    ///   tessera eval runs/tau --data sims/tau_test -o tau_metrics.json
    ///   tessera eval runs/mutag --data ../shared/data/graphs/MUTAG   (a train graph --final run)
    ///   tessera eval runs/mnist --average-rotations   (an MNIST run, on its own test digits)
    #[command(verbatim_doc_comment)]
    Eval(eval::EvalArgs),
    /// Trained models from other tools as Tessera run folders: NNhealpix's Keras HDF5 files.
    #[command(subcommand)]
    Import(import::ImportCommand),
}

fn main() -> ExitCode {
    keep_freed_memory_warm();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Pix(cmd) => pix::run(cmd, &mut std::io::stdout().lock()),
        Command::Map(cmd) => map::run(cmd, &mut std::io::stdout().lock()),
        Command::Mesh(cmd) => mesh::run(cmd, &mut std::io::stdout().lock()),
        Command::Sim(cmd) => sim::run(cmd, &mut std::io::stdout().lock()),
        Command::Spectrum(args) => spectrum::run(args, &mut std::io::stdout().lock()),
        Command::Smooth(args) => smooth::run(args, &mut std::io::stdout().lock()),
        Command::Alm(cmd) => alm::run(cmd, &mut std::io::stdout().lock()),
        Command::Train(cmd) => train::run(cmd, &mut std::io::stdout().lock()),
        Command::Estimate(args) => estimate::run(args, &mut std::io::stdout().lock()),
        Command::Predict(args) => predict::run(args, &mut std::io::stdout().lock()),
        Command::Report(args) => report::run(args, &mut std::io::stdout().lock()),
        Command::Eval(args) => eval::run(args, &mut std::io::stdout().lock()),
        Command::Import(cmd) => import::run(cmd, &mut std::io::stdout().lock()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`tessera pix … | head`) is the reader's choice, not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err}");
            let mut shown = err.to_string();
            for cause in err.chain().skip(1) {
                let text = cause.to_string();
                // Library errors often quote their cause already: print each text once.
                if !shown.contains(&text) {
                    eprintln!("  caused by: {text}");
                    shown = text;
                }
            }
            ExitCode::FAILURE
        }
    }
}

/// Whether the error is a write to a pipe whose reader has gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
