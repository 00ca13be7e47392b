//! `tessera alm`: spherical harmonic coefficients in and out of FITS files (healpy's map2alm,
//! alm2map, write_alm and read_alm).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use tessera_sky::sht::{alm2map, map2alm};
use tessera_sky::{read_alm, read_map, write_alm, write_map};

use crate::map::{FieldArgs, OutputMapArgs};

/// The a_lm subcommands.
#[derive(Subcommand, Debug)]
pub enum AlmCommand {
    /// The a_lm of a map (healpy's map2alm) to a FITS file in healpy's layout: one HDU each for
    /// T (and E, B from a T/Q/U map), columns INDEX = l² + l + m + 1, REAL, IMAG.
    ///
    /// Example: tessera alm from-map wmap.fits -o wmap_alm.fits --lmax 96
    FromMap {
        /// The FITS map.
        map: PathBuf,
        /// The a_lm FITS file to write.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        analysis: crate::analysis::AnalysisArgs,
        /// Replace OUTPUT if it exists.
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// A map from an a_lm FITS file (healpy's alm2map): HDU 1 gives T; with HDUs 2 and 3 (E, B),
    /// T/Q/U.
    ///
    /// Example: tessera alm to-map wmap_alm.fits -o wmap_lowl.fits --nside 32
    ToMap {
        /// The a_lm FITS file.
        alm: PathBuf,
        /// The FITS map to write.
        #[arg(short, long)]
        output: PathBuf,
        /// Resolution of the map.
        #[arg(long)]
        nside: u64,
        /// Temperature only, even when the file holds E and B.
        #[arg(long)]
        no_pol: bool,
        #[command(flatten)]
        out: OutputMapArgs,
    },
}

/// Runs one a_lm subcommand.
pub fn run(cmd: AlmCommand, out: &mut impl Write) -> Result<()> {
    match cmd {
        AlmCommand::FromMap {
            map,
            output,
            analysis,
            overwrite,
            fields,
        } => {
            let sky = read_map(&map, &fields.read_options())?;
            let opts = analysis.options();
            let alms =
                map2alm(&sky, &opts).with_context(|| format!("map2alm of {}", map.display()))?;
            write_alm(&output, &alms, overwrite)?;
            writeln!(
                out,
                "wrote {} a_lm set(s) to l = {} in {}",
                alms.len(),
                alms[0].lmax(),
                output.display()
            )?;
        }
        AlmCommand::ToMap {
            alm,
            output,
            nside,
            no_pol,
            out: o,
        } => {
            let t = read_alm(&alm, 1)?;
            let alms = if no_pol {
                vec![t]
            } else {
                match (read_alm(&alm, 2), read_alm(&alm, 3)) {
                    (Ok(e), Ok(b)) => vec![t, e, b],
                    _ => vec![t],
                }
            };
            if alms[0].lmax() > 4 * nside as usize {
                bail!(
                    "{}: lmax {} is above 4 nside = {}; choose a larger --nside",
                    alm.display(),
                    alms[0].lmax(),
                    4 * nside
                );
            }
            let sky =
                alm2map(&alms, nside).with_context(|| format!("alm2map of {}", alm.display()))?;
            write_map(&output, &sky, &o.write_options())?;
            writeln!(
                out,
                "wrote {} (nside {nside}, {} field(s))",
                output.display(),
                sky.fields.len()
            )?;
        }
    }
    Ok(())
}
