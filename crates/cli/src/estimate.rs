//! `tessera estimate`: the spectrum-likelihood estimate of each map's parameter in a simulation
//! folder or any folder of maps (the baseline the networks are compared with), by
//! [`ParameterEstimator`].

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::Value;
use tessera_sky::likelihood::Estimate;
use tessera_sky::sim::{
    ParameterEstimator, PeakField, PeakSpectrum, SimConfig, SimTask, TauVariant,
};
use tessera_sky::{ReadOptions, read_map};

use crate::sim::{MANIFEST, PARAMS, write_text};

/// Estimation methods.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Method {
    /// Exact full-sky likelihood of the power spectrum; on masked maps the model is coupled by
    /// the mask (MASTER: spin 0 for T, spin 2 with the E/B leakage for EE and BB).
    Likelihood,
}

/// Arguments of `tessera estimate`.
#[derive(Args, Debug)]
pub struct EstimateArgs {
    /// A folder written by `tessera sim ellp|tau` (maps, params.csv, sim.json), or any folder
    /// of FITS maps described by --task and the options after it.
    dir: PathBuf,
    /// The estimator.
    #[arg(long, value_enum, default_value = "likelihood")]
    method: Method,
    /// Output CSV (default DIR/estimates_likelihood.csv, rewritten at each run): file, truth,
    /// estimate, sigma, ml. An existing file named here is kept unless --overwrite.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    overwrite: crate::output::OverwriteArg,
    /// Smallest multipole in the likelihood.
    #[arg(long, default_value_t = 2)]
    lmin: usize,
    /// Largest multipole in the likelihood (default 2 nside, where the HEALPix quadrature is
    /// accurate).
    #[arg(long)]
    lmax: Option<usize>,
    #[command(flatten)]
    maps: MapsArgs,
    /// Also apply the network of this sphere run to each map: its estimate (and σ, for a
    /// Gaussian head) lands beside the likelihood's in the same CSV.
    #[arg(long, value_name = "RUN")]
    run: Option<PathBuf>,
}

/// Parameters that maps measure, for folders that `tessera sim` did not write.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskArg {
    /// τ from the EE spectrum of T, Q, U maps in μK (CAMB's spectra with A_s e^{−2τ} fixed).
    Tau,
    /// ℓ_p of NNhealpix's peak spectrum in T maps.
    EllpT,
    /// ℓ_p of the peak spectrum in pure-E Q/U maps.
    EllpE,
    /// ℓ_p of the peak spectrum in pure-B Q/U maps.
    EllpB,
}

/// How maps that `tessera sim` did not write were made (ignored for simulation folders, whose
/// sim.json says it).
#[derive(Args, Debug, Default, Clone)]
pub struct MapsArgs {
    /// What the maps measure: estimate any folder of FITS maps (RING or NESTED), described by
    /// the options below; a params.csv with the parameter's column, where present, gives the
    /// truth.
    #[arg(long, value_enum)]
    task: Option<TaskArg>,
    /// Range searched (default: τ 0.03–0.09, ℓ_p 5 to 2 nside).
    #[arg(long, value_delimiter = ',', value_name = "LO,HI")]
    range: Option<Vec<f64>>,
    /// The maps' noise, beam and mask (a mask's cut pixels are UNSEEN in the estimation, as
    /// the maps' own UNSEEN pixels are).
    #[command(flatten)]
    observation: crate::sim::Observation,
    /// The maps carry no pixel window (by default they carry their own pixels', as real maps
    /// do).
    #[arg(long)]
    no_pixwin: bool,
}

/// How the maps were made (task, nside, noise, beam, pixels), and the pixels a mask cuts on
/// top of the maps' own UNSEEN ones.
struct Setup {
    made: SimConfig,
    /// Pixels seen (RING), when a mask cuts the maps.
    seen: Option<Vec<bool>>,
}

fn read_setup(dir: &Path) -> Result<Setup> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "{}: not a simulation folder (made by tessera sim)",
            path.display()
        )
    })?;
    let m: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not valid JSON", path.display()))?;
    let s = &m["simulation"];
    let num = |v: &Value, what: &str| {
        v.as_f64()
            .with_context(|| format!("{}: no {what}", path.display()))
    };
    let range = (num(&s["range"][0], "range")?, num(&s["range"][1], "range")?);
    let task = match s["task"].as_str() {
        Some("ellp") => SimTask::EllPeak {
            field: match s["field"].as_str() {
                Some("E") => PeakField::EModes,
                Some("B") => PeakField::BModes,
                _ => PeakField::Temperature,
            },
            shape: PeakSpectrum {
                sigma: num(&s["sigma"], "sigma")?,
                floor: num(&s["floor"], "floor")?,
            },
            range,
        },
        Some("tau") => SimTask::Tau {
            variant: if s["variant"].as_str() == Some("as") {
                TauVariant::AsFixed
            } else {
                TauVariant::AsExp2TauFixed
            },
            range,
        },
        other => bail!(
            "{}: task {other:?} has no parameter to estimate",
            path.display()
        ),
    };
    let nside = m["nside"]
        .as_u64()
        .with_context(|| format!("{}: no nside", path.display()))?;
    // Folders written before these were recorded hold band-limited maps without a window.
    let made = SimConfig {
        supersample: m["supersample"].as_u64().unwrap_or(1),
        pixwin: m["pixwin"].as_bool().unwrap_or(false),
        lmax: m["lmax"].as_u64().map(|l| l as usize),
        fwhm: (m["fwhm_arcmin"].as_f64().unwrap_or(0.0) / 60.0).to_radians(),
        noise_uk_arcmin: m["noise_uk_arcmin"].as_f64().unwrap_or(0.0),
        ..SimConfig::new(task, nside)
    };
    Ok(Setup { made, seen: None })
}

/// The setup of maps described on the command line (`--task` …), at the nside of `first`.
fn setup_from_args(maps: &MapsArgs, task: TaskArg, first: &Path) -> Result<Setup> {
    let nside = read_map(first, &ReadOptions::default())?.nside();
    let range = match maps.range.as_deref() {
        Some([lo, hi]) if lo <= hi => Some((*lo, *hi)),
        Some(r) => bail!("--range needs LO,HI with LO <= HI, got {r:?}"),
        None => None,
    };
    let name = match task {
        TaskArg::Tau => "tau",
        TaskArg::EllpT => "ellp-t",
        TaskArg::EllpE => "ellp-e",
        TaskArg::EllpB => "ellp-b",
    };
    let sim_task = SimTask::named(name, nside, range).context("a task SimTask knows")?;
    // Real maps: their own pixels' window, nothing folded down that a model could know.
    let made = SimConfig {
        supersample: 1,
        pixwin: !maps.no_pixwin,
        fwhm: maps.observation.fwhm(),
        noise_uk_arcmin: maps.observation.noise,
        ..SimConfig::new(sim_task, nside)
    };
    let seen = maps
        .observation
        .read_mask(nside)?
        .map(|m| m.iter().map(|&v| v > 0.0).collect());
    Ok(Setup { made, seen })
}

/// The FITS maps of a folder, in name order.
fn fits_files(dir: &Path) -> Result<Vec<String>> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: not a readable folder", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".fits") || n.ends_with(".fits.gz") || n.ends_with(".fit"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{}: no FITS maps (*.fits, *.fits.gz)", dir.display());
    }
    Ok(files)
}

/// The maps of a simulation folder and their true parameter, read by the parameter's name
/// (`ell_p`, `tau`) from `params.csv`; none for fixed-spectrum simulations.
fn read_params(dir: &Path, parameter: Option<&str>) -> Result<Vec<(String, Option<f64>)>> {
    let table = tessera_io::Table::read(dir.join(PARAMS))?;
    let files = table.strings("file")?;
    let truths: Vec<Option<f64>> = match parameter {
        Some(name) => table
            .numbers(name, f64::MAX)?
            .into_iter()
            .map(Some)
            .collect(),
        None => vec![None; files.len()],
    };
    Ok(files.into_iter().map(String::from).zip(truths).collect())
}

/// The estimate of the map in `path`, cut by the setup's mask if it has one.
fn estimate_one(setup: &Setup, estimator: &ParameterEstimator, path: &Path) -> Result<Estimate> {
    let mut map = read_map(path, &ReadOptions::default())?;
    if let Some(seen) = &setup.seen {
        map = map.reorder(tessera_healpix::Scheme::Ring)?;
        for field in &mut map.fields {
            for (v, &s) in field.values.iter_mut().zip(seen) {
                if !s {
                    *v = tessera_sky::UNSEEN;
                }
            }
        }
    }
    estimator
        .estimate(&map)
        .with_context(|| path.display().to_string())
}

/// Runs `tessera estimate DIR [--lmax L]` (other options default) from within another command.
pub fn run_dir(dir: &Path, lmax: Option<usize>, out: &mut impl Write) -> Result<()> {
    run(
        EstimateArgs {
            dir: dir.to_path_buf(),
            method: Method::Likelihood,
            output: None,
            overwrite: crate::output::OverwriteArg::default(),
            lmin: 2,
            lmax,
            maps: MapsArgs::default(),
            run: None,
        },
        out,
    )
}

/// A network's estimates of one parameter, map by map.
struct NetworkEstimates {
    values: Vec<f64>,
    /// σ per map, from a Gaussian head.
    sigma: Option<Vec<f64>>,
}

/// The estimates of the sphere run in `run` for the parameter the likelihood estimates.
fn network_estimates(
    run: &Path,
    dir: &Path,
    params: &[(String, Option<f64>)],
    setup: &Setup,
) -> Result<NetworkEstimates> {
    let files: Vec<PathBuf> = params.iter().map(|(f, _)| dir.join(f)).collect();
    let out = crate::predict::sphere_outputs(run, &files, false, false)?;
    for (file, found) in files.iter().zip(&out.findings) {
        for f in found {
            eprintln!("warning: {}: {f}", file.display());
        }
    }
    let name = setup.made.task.parameter().unwrap_or_default();
    let names = &out.run.target_names;
    if out.run.classification {
        bail!(
            "{}: a classification run estimates no parameter",
            run.display()
        );
    }
    let j = names
        .iter()
        .position(|n| n == name)
        .with_context(|| format!("{}: the run estimates {names:?}, not {name}", run.display()))?;
    let k = names.len();
    Ok(NetworkEstimates {
        values: out.outputs.iter().map(|o| o[j]).collect(),
        sigma: out
            .model
            .gaussian
            .then(|| out.outputs.iter().map(|o| o[k + j]).collect()),
    })
}

/// Runs `tessera estimate`.
pub fn run(args: EstimateArgs, out: &mut impl Write) -> Result<()> {
    let Method::Likelihood = args.method;
    if let Some(path) = &args.output {
        args.overwrite.check(path)?;
    }
    let (setup, params) = match args.maps.task {
        None => {
            let setup = read_setup(&args.dir).map_err(|e| {
                e.context("describe other maps with --task (and --noise, --fwhm-arcmin, --mask)")
            })?;
            let params = read_params(&args.dir, setup.made.task.parameter())?;
            (setup, params)
        }
        Some(task) => {
            let params = if args.dir.join(PARAMS).exists() {
                let name = match task {
                    TaskArg::Tau => "tau",
                    _ => "ell_p",
                };
                read_params(&args.dir, Some(name))?
            } else {
                fits_files(&args.dir)?
                    .into_iter()
                    .map(|f| (f, None))
                    .collect()
            };
            let first = args.dir.join(&params.first().context("no maps")?.0);
            (setup_from_args(&args.maps, task, &first)?, params)
        }
    };
    // The network's estimates of the same maps, side by side.
    let network = match &args.run {
        Some(run) => Some(network_estimates(run, &args.dir, &params, &setup)?),
        None => None,
    };
    let estimator = ParameterEstimator::new(&setup.made, args.lmin, args.lmax)?;
    let bar = ProgressBar::new(params.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} maps, {elapsed} (eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message("estimating");
    let results: Vec<Estimate> = params
        .par_iter()
        .map(|(file, _)| {
            let e = estimate_one(&setup, &estimator, &args.dir.join(file));
            bar.inc(1);
            e
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    let mut csv = String::from("file,truth,estimate,sigma,max_likelihood");
    if let Some(n) = &network {
        csv.push_str(if n.sigma.is_some() {
            ",nn,nn_sigma"
        } else {
            ",nn"
        });
    }
    csv.push('\n');
    let mut pulls = Vec::new();
    let mut sq = 0.0;
    for (i, ((file, truth), e)) in params.iter().zip(&results).enumerate() {
        let t = truth.map_or(String::new(), |t| t.to_string());
        csv.push_str(&format!(
            "{file},{t},{},{},{}",
            e.value, e.sigma, e.max_likelihood
        ));
        if let Some(n) = &network {
            csv.push_str(&format!(",{}", n.values[i]));
            if let Some(s) = &n.sigma {
                csv.push_str(&format!(",{}", s[i]));
            }
        }
        csv.push('\n');
        if let Some(t) = truth {
            pulls.push((e.value - t) / e.sigma);
            sq += (e.value - t).powi(2);
        }
    }
    let path = args
        .output
        .unwrap_or_else(|| args.dir.join("estimates_likelihood.csv"));
    write_text(&path, &csv)?;
    writeln!(
        out,
        "wrote {} estimates to {}",
        results.len(),
        path.display()
    )?;
    if estimator.any_cut() && setup.made.noise_uk_arcmin == 0.0 {
        writeln!(
            out,
            "note: on cut noiseless maps the sigma column is too small (the mask correlates the \
             pseudo-spectrum's faint tails, which the likelihood counts as independent; pull sd \
             1.3 at nside 16, 2.3 at nside 32, docs/decisions/0009-sphere-cnn.md): judge the \
             estimates by their RMS error"
        )?;
    }
    if !pulls.is_empty() {
        let n = pulls.len() as f64;
        let mean = pulls.iter().sum::<f64>() / n;
        let sd =
            (pulls.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        let mean_sigma = results.iter().map(|e| e.sigma).sum::<f64>() / results.len() as f64;
        writeln!(
            out,
            "rms error {:.4}, mean sigma {mean_sigma:.4}, pull mean {mean:.3}, pull sd {sd:.3}",
            (sq / n).sqrt()
        )?;
    }
    Ok(())
}
