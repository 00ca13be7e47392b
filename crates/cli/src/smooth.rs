//! `tessera smooth`: a map convolved with a Gaussian or a tabulated beam (healpy's smoothing).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use tessera_sky::sht::{fwhm_of_sigma, smoothing, smoothing_beam};
use tessera_sky::{read_cl, read_map, write_map};

use crate::map::{FieldArgs, OutputMapArgs};

/// Arguments of `tessera smooth`.
#[derive(Args, Debug)]
pub struct SmoothArgs {
    /// The FITS map (T, or T/Q/U: E and B are smoothed with their own windows).
    input: PathBuf,
    /// The smoothed map (written atomically; `.gz` compresses).
    output: PathBuf,
    /// Gaussian beam full width at half maximum, in arcminutes (healpy's fwhm, in radians
    /// there).
    #[arg(long, conflicts_with_all = ["beam", "sigma"])]
    fwhm: Option<f64>,
    /// The Gaussian beam by its standard deviation instead, in arcminutes (healpy's sigma;
    /// FWHM = sigma · sqrt(8 ln 2) ≈ 2.355 sigma).
    #[arg(long, conflicts_with = "beam")]
    sigma: Option<f64>,
    /// A beam window B_l as a FITS table (healpy's write_cl layout; one column for T, or T, E,
    /// B): the beam of an instrument rather than a Gaussian.
    #[arg(long)]
    beam: Option<PathBuf>,
    #[command(flatten)]
    analysis: crate::analysis::AnalysisArgs,
    #[command(flatten)]
    fields: FieldArgs,
    #[command(flatten)]
    out: OutputMapArgs,
}

/// Runs `tessera smooth`.
pub fn run(a: SmoothArgs, out: &mut impl Write) -> Result<()> {
    let map = read_map(&a.input, &a.fields.read_options())?;
    let opts = a.analysis.options();
    let gaussian = match (a.fwhm, a.sigma) {
        (Some(fwhm), _) => Some(("--fwhm", fwhm, fwhm)),
        (None, Some(sigma)) => Some(("--sigma", sigma, fwhm_of_sigma(sigma))),
        (None, None) => None,
    };
    let smoothed = match (gaussian, &a.beam) {
        (Some((flag, given, fwhm)), _) => {
            if !(given.is_finite() && given >= 0.0) {
                bail!("{flag} {given} is not a width in arcminutes");
            }
            smoothing(&map, (fwhm / 60.0).to_radians(), &opts)?
        }
        (None, Some(path)) => {
            let columns = read_cl(path)?;
            let windows: Vec<Vec<f64>> = columns.into_iter().map(|(_, b)| b).collect();
            smoothing_beam(&map, &windows, &opts)
                .with_context(|| format!("smoothing with the beam in {}", path.display()))?
        }
        (None, None) => {
            bail!("give the beam: --fwhm ARCMIN or --sigma ARCMIN (Gaussian), or --beam B_L.fits")
        }
    };
    write_map(&a.output, &smoothed, &a.out.write_options())?;
    writeln!(out, "wrote {}", a.output.display())?;
    Ok(())
}
