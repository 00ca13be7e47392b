//! `tessera sim …`: folders of simulated CMB maps with their true parameters.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::{Value, json};
use tessera_healpix::Healpix;
use tessera_sky::sht::InputCls;
use tessera_sky::sim::{
    PeakField, PeakSpectrum, SimConfig, SimTask, Simulator, TauVariant, galactic_cut,
};
use tessera_sky::{ReadOptions, UdGradeOptions, WriteOptions, read_cl, read_map};

use crate::map::DtypeArg;

/// The manifest every simulation folder carries (read back by `tessera estimate`).
pub const MANIFEST: &str = "sim.json";
/// The table of true parameters.
pub const PARAMS: &str = "params.csv";

/// How maps are observed: their noise, beam and mask (`sim` makes them so, `estimate` reads
/// them so).
#[derive(Args, Debug, Clone, Default)]
pub struct Observation {
    /// White noise per Stokes parameter, μK·arcmin (in the spectra's units for the ℓ_p mock).
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,
    /// Gaussian beam FWHM, arcmin.
    #[arg(long, default_value_t = 0.0)]
    pub fwhm_arcmin: f64,
    /// A FITS mask (0 = cut): brought to the maps' nside by ud_grade, pixels below 0.5 are cut.
    #[arg(long)]
    pub mask: Option<PathBuf>,
}

impl Observation {
    /// The beam's FWHM in radians.
    pub fn fwhm(&self) -> f64 {
        (self.fwhm_arcmin / 60.0).to_radians()
    }

    /// The mask at `nside`, RING order: 1 where seen, 0 where cut (none without --mask).
    ///
    /// # Errors
    /// An unreadable mask file.
    pub fn read_mask(&self, nside: u64) -> Result<Option<Vec<f64>>> {
        let Some(path) = &self.mask else {
            return Ok(None);
        };
        let mut m = read_map(path, &ReadOptions::default())?;
        if m.nside() != nside {
            m = m.ud_grade(nside, UdGradeOptions::default())?;
        }
        let m = m.reorder(tessera_healpix::Scheme::Ring)?;
        Ok(Some(
            m.fields[0]
                .values
                .iter()
                .map(|&v| f64::from(u8::from(v >= 0.5 && !tessera_sky::is_unseen(v))))
                .collect(),
        ))
    }
}

/// Options every simulation shares.
#[derive(Args, Debug, Clone)]
pub struct CommonSimArgs {
    /// Map resolution.
    #[arg(long, default_value_t = 16)]
    nside: u64,
    /// Number of maps.
    #[arg(long, default_value_t = 100)]
    count: u64,
    /// Seed: map i of seed S is the same map on every machine and in every run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    observation: Observation,
    /// Cut |latitude| below this many degrees.
    #[arg(long)]
    gal_cut: Option<f64>,
    /// Draw the sky at nside × K and average it down to nside, as real low-resolution maps
    /// are made: they carry the coarse pixels' window and the power above 3 nside − 1
    /// (1: draw at nside, band-limited).
    #[arg(long, value_name = "K", default_value_t = 4)]
    supersample: u64,
    /// No pixel window on the sky as drawn (by default it carries the window of the
    /// resolution it is drawn at, as healpy's synfast(pixwin=True)). With --supersample 1:
    /// band-limited maps without a pixel window.
    #[arg(long)]
    no_pixwin: bool,
    /// Largest multipole simulated (default 3 nside × K − 1, at most 191 for τ).
    #[arg(long)]
    lmax: Option<usize>,
    /// Output folder (created; holds map_00000.fits …, params.csv, sim.json).
    #[arg(short, long)]
    output: PathBuf,
    /// Column precision of the maps.
    #[arg(long, value_enum, default_value = "f32")]
    dtype: DtypeArg,
    /// Replace maps already in the folder.
    #[arg(long)]
    overwrite: bool,
}

/// Polarisation of the peak-spectrum mock.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum PeakFieldArg {
    /// Temperature maps (one field).
    T,
    /// Q/U maps from a pure E-mode spectrum.
    E,
    /// Q/U maps from a pure B-mode spectrum.
    B,
}

/// What is fixed as τ varies.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum TauVariantArg {
    /// A_s e^{-2τ} fixed (only the reionisation bump moves).
    AsExp2tau,
    /// A_s fixed (high-l power also scales as e^{-2τ}).
    As,
}

/// The simulation subcommands.
#[derive(Subcommand, Debug)]
pub enum SimCommand {
    /// NNhealpix's mock: C_l = exp(-(l - l_p)^2 / 2σ^2) + floor with l_p drawn uniformly.
    ///
    /// Example: tessera sim ellp --nside 16 --count 1000 --seed 1 -o sims/ellp
    Ellp {
        /// T maps, or Q/U from pure E or pure B spectra.
        #[arg(long, value_enum, default_value = "t")]
        field: PeakFieldArg,
        /// Range of l_p (default 5 to 2 nside).
        #[arg(long, value_delimiter = ',', value_name = "LO,HI")]
        range: Option<Vec<f64>>,
        /// Width σ of the peak.
        #[arg(long, default_value_t = 5.0)]
        sigma: f64,
        /// Floor added to C_l.
        #[arg(long, default_value_t = 1e-5)]
        floor: f64,
        #[command(flatten)]
        common: CommonSimArgs,
    },
    /// CMB T/Q/U maps (μK) from CAMB spectra with τ drawn uniformly on the embedded grid.
    ///
    /// Example: tessera sim tau --nside 16 --count 500 --noise 50 --gal-cut 20 -o sims/tau
    Tau {
        /// Range of τ (within 0.03 to 0.09).
        #[arg(long, value_delimiter = ',', value_name = "LO,HI", default_values_t = [0.03, 0.09])]
        range: Vec<f64>,
        /// Which CAMB grid.
        #[arg(long, value_enum, default_value = "as-exp2tau")]
        variant: TauVariantArg,
        #[command(flatten)]
        common: CommonSimArgs,
    },
    /// Maps from fixed spectra in a C_l FITS file (columns TT, EE, BB, TE as HEALPix writes them).
    ///
    /// Example: tessera sim cls --cls planck_cl.fits --nside 64 --count 10 -o sims/planck
    Cls {
        /// The C_l file.
        #[arg(long)]
        cls: PathBuf,
        /// Temperature only, even if the file has polarisation.
        #[arg(long)]
        no_pol: bool,
        #[command(flatten)]
        common: CommonSimArgs,
    },
}

/// Runs one simulation subcommand.
pub fn run(cmd: SimCommand, out: &mut impl Write) -> Result<()> {
    let (task, common, describe) = match cmd {
        SimCommand::Ellp {
            field,
            range,
            sigma,
            floor,
            common,
        } => {
            let range = match range.as_deref() {
                Some(r) => pair(r)?,
                None => (5.0, 2.0 * common.nside as f64),
            };
            let (field, name) = match field {
                PeakFieldArg::T => (PeakField::Temperature, "T"),
                PeakFieldArg::E => (PeakField::EModes, "E"),
                PeakFieldArg::B => (PeakField::BModes, "B"),
            };
            let task = SimTask::EllPeak {
                field,
                shape: PeakSpectrum { sigma, floor },
                range,
            };
            let d = json!({"task": "ellp", "field": name, "range": [range.0, range.1], "sigma": sigma, "floor": floor});
            (task, common, d)
        }
        SimCommand::Tau {
            range,
            variant,
            common,
        } => {
            let (variant, name) = match variant {
                TauVariantArg::AsExp2tau => (TauVariant::AsExp2TauFixed, "as-exp2tau"),
                TauVariantArg::As => (TauVariant::AsFixed, "as"),
            };
            let range = pair(&range)?;
            let d = json!({"task": "tau", "variant": name, "range": [range.0, range.1]});
            (SimTask::Tau { variant, range }, common, d)
        }
        SimCommand::Cls {
            cls,
            no_pol,
            common,
        } => {
            let columns = read_cl(&cls)?;
            let col = |i: usize| columns.get(i).map(|c| c.1.clone());
            let tt = col(0).with_context(|| format!("{}: no columns", cls.display()))?;
            let n = tt.len();
            let pol = !no_pol && columns.len() >= 4;
            let input = if pol {
                InputCls {
                    tt,
                    ee: col(1).unwrap_or_default(),
                    bb: col(2).unwrap_or_default(),
                    te: col(3).unwrap_or_default(),
                }
            } else {
                InputCls::temperature(tt)
            };
            if input.lmax() + 1 < n.min(3 * common.nside as usize) {
                bail!("{}: spectra columns have different lengths", cls.display());
            }
            let d = json!({"task": "cls", "cls": cls.display().to_string(), "pol": pol});
            (SimTask::Cls { cls: input, pol }, common, d)
        }
    };
    simulate_folder(task, &common, describe, out)
}

/// Runs `tessera sim ARGS…` from within another command (the arguments as on the command line,
/// after `sim`), writing its messages to `out`.
pub fn run_args(args: &[String], out: &mut impl Write) -> Result<()> {
    #[derive(clap::Parser)]
    struct Sim {
        #[command(subcommand)]
        cmd: SimCommand,
    }
    let parsed = <Sim as clap::Parser>::try_parse_from(
        std::iter::once("sim".to_string()).chain(args.iter().cloned()),
    )?;
    run(parsed.cmd, out)
}

/// `LO,HI` from the command line.
fn pair(values: &[f64]) -> Result<(f64, f64)> {
    match values {
        [lo, hi] if lo <= hi => Ok((*lo, *hi)),
        _ => bail!("--range needs LO,HI with LO <= HI, got {values:?}"),
    }
}

fn load_mask(common: &CommonSimArgs) -> Result<Option<Vec<f64>>> {
    let geometry = Healpix::ring(common.nside)?;
    let mut mask = common.observation.read_mask(common.nside)?;
    if let Some(b) = common.gal_cut {
        let cut = galactic_cut(geometry, b);
        mask = Some(match mask {
            Some(m) => m.iter().zip(&cut).map(|(a, b)| a * b).collect(),
            None => cut,
        });
    }
    Ok(mask)
}

fn simulate_folder(
    task: SimTask,
    common: &CommonSimArgs,
    describe: Value,
    out: &mut impl Write,
) -> Result<()> {
    let mask = load_mask(common)?;
    let fsky = mask
        .as_ref()
        .map_or(1.0, |m| m.iter().sum::<f64>() / m.len() as f64);
    let config = SimConfig {
        task,
        nside: common.nside,
        supersample: common.supersample,
        pixwin: !common.no_pixwin,
        lmax: common.lmax,
        seed: common.seed,
        noise_uk_arcmin: common.observation.noise,
        fwhm: common.observation.fwhm(),
        mask,
    };
    let parameter = config.task.parameter();
    let sky_lmax = config.sky_lmax();
    let sim = Simulator::new(config)?;
    let dir = &common.output;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = |i: u64| format!("map_{i:05}.fits");
    if !common.overwrite && dir.join(name(0)).exists() {
        bail!(
            "{}: already holds maps (pass --overwrite to replace them)",
            dir.display()
        );
    }
    let opts = WriteOptions {
        dtype: match common.dtype {
            DtypeArg::F32 => tessera_sky::Dtype::F32,
            DtypeArg::F64 => tessera_sky::Dtype::F64,
        },
        overwrite: true,
        partial: false,
    };
    let bar = ProgressBar::new(common.count).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} maps, {elapsed} (eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message("simulating");
    let params: Vec<Option<f64>> = (0..common.count)
        .into_par_iter()
        .map(|i| -> Result<Option<f64>> {
            let s = sim.simulate(i)?;
            tessera_sky::write_map(dir.join(name(i)), &s.map, &opts)?;
            bar.inc(1);
            Ok(s.parameter)
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    let mut csv = String::from("file");
    if let Some(p) = parameter {
        csv.push(',');
        csv.push_str(p);
    }
    csv.push('\n');
    for (i, p) in params.iter().enumerate() {
        csv.push_str(&name(i as u64));
        if let Some(v) = p {
            csv.push_str(&format!(",{v}"));
        }
        csv.push('\n');
    }
    write_text(&dir.join(PARAMS), &csv)?;
    let manifest = json!({
        "tessera": env!("CARGO_PKG_VERSION"),
        "simulation": describe,
        "nside": common.nside,
        "lmax": sky_lmax,
        "supersample": common.supersample,
        "pixwin": !common.no_pixwin,
        "count": common.count,
        "seed": common.seed,
        "rng": "xoshiro256++ per map, seeded from (seed, index)",
        "noise_uk_arcmin": common.observation.noise,
        "fwhm_arcmin": common.observation.fwhm_arcmin,
        "mask": common.observation.mask.as_ref().map(|p| p.display().to_string()),
        "gal_cut_deg": common.gal_cut,
        "fsky": fsky,
        "parameter": parameter,
    });
    write_text(
        &dir.join(MANIFEST),
        &serde_json::to_string_pretty(&manifest)?,
    )?;
    writeln!(
        out,
        "wrote {} maps, {PARAMS} and {MANIFEST} to {}",
        common.count,
        dir.display()
    )?;
    Ok(())
}

/// Writes a text file through a temporary file renamed into place.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    tessera_sky::write_atomically(path, "", |tmp| {
        std::fs::write(tmp, text).map_err(|e| tessera_sky::SkyError::Io {
            path: path.to_path_buf(),
            source: e,
        })
    })?;
    Ok(())
}
