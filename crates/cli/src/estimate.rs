//! `tessera estimate`: the spectrum-likelihood estimate of each map's parameter in a simulation
//! folder (the baseline the networks are compared with).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::Value;
use tessera_healpix::Healpix;
use tessera_sky::coupling::CouplingMatrix;
use tessera_sky::likelihood::{Estimate, SpectrumLikelihood};
use tessera_sky::sht::{Map2AlmOptions, Spectrum, anafast, gauss_beam};
use tessera_sky::sim::{PeakField, PeakSpectrum, SimConfig, SimTask, TauVariant, noise_cl};
use tessera_sky::{ReadOptions, SkyMap, read_map};

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

/// What the manifest says about the simulation.
struct Setup {
    task: SimTask,
    spectrum: Spectrum,
    range: (f64, f64),
    nside: u64,
    noise: f64,
    fwhm: f64,
    /// What the maps' pixels do to the sky's a_lm, temperature and polarisation
    /// ([`SimConfig::pixel_transfer`]), to 3 nside − 1.
    pixels: [Vec<f64>; 2],
    /// The power folded down from above 3 nside − 1 into TT, EE, BB
    /// ([`SimConfig::aliased_power`]; zero for band-limited maps).
    aliased: [Vec<f64>; 3],
    /// Pixels seen (RING), when a mask cuts the maps on top of their own UNSEEN pixels.
    seen: Option<Vec<bool>>,
}

impl Setup {
    /// The setup of maps of `task` at `nside` made as `made` says (noise, beam, pixels).
    fn new(task: SimTask, spectrum: Spectrum, made: &SimConfig) -> Result<Setup> {
        let range = task.range().context("a task with a parameter")?;
        let nside = made.nside;
        let pixels = made
            .pixel_transfer(3 * nside as usize - 1)
            .context("the maps' pixel window")?;
        let aliased = made
            .aliased_power(0.5 * (range.0 + range.1), ALIASING_MAPS)
            .context("the power aliased onto the maps")?;
        Ok(Setup {
            task,
            spectrum,
            range,
            nside,
            noise: made.noise_uk_arcmin,
            fwhm: made.fwhm,
            pixels,
            aliased,
            seen: None,
        })
    }
}

/// Simulations that measure the power aliased onto the maps' multipoles.
const ALIASING_MAPS: u64 = 64;

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
    let (task, spectrum) = match s["task"].as_str() {
        Some("ellp") => {
            let (field, spectrum) = match s["field"].as_str() {
                Some("E") => (PeakField::EModes, Spectrum::EE),
                Some("B") => (PeakField::BModes, Spectrum::BB),
                _ => (PeakField::Temperature, Spectrum::TT),
            };
            let shape = PeakSpectrum {
                sigma: num(&s["sigma"], "sigma")?,
                floor: num(&s["floor"], "floor")?,
            };
            (
                SimTask::EllPeak {
                    field,
                    shape,
                    range,
                },
                spectrum,
            )
        }
        Some("tau") => {
            let variant = if s["variant"].as_str() == Some("as") {
                TauVariant::AsFixed
            } else {
                TauVariant::AsExp2TauFixed
            };
            (SimTask::Tau { variant, range }, Spectrum::EE)
        }
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
        ..SimConfig::new(task.clone(), nside)
    };
    Setup::new(task, spectrum, &made).with_context(|| path.display().to_string())
}

/// The setup of maps described on the command line (`--task` …), at the nside of `first`.
fn setup_from_args(maps: &MapsArgs, task: TaskArg, first: &Path) -> Result<Setup> {
    let nside = read_map(first, &ReadOptions::default())?.nside();
    let range = match maps.range.as_deref() {
        Some([lo, hi]) if lo <= hi => (*lo, *hi),
        Some(r) => bail!("--range needs LO,HI with LO <= HI, got {r:?}"),
        None if task == TaskArg::Tau => (0.03, 0.09),
        None => (5.0, 2.0 * nside as f64),
    };
    let peak = |field| SimTask::EllPeak {
        field,
        shape: PeakSpectrum::default(),
        range,
    };
    let (sim_task, spectrum) = match task {
        TaskArg::Tau => (
            SimTask::Tau {
                variant: TauVariant::AsExp2TauFixed,
                range,
            },
            Spectrum::EE,
        ),
        TaskArg::EllpT => (peak(PeakField::Temperature), Spectrum::TT),
        TaskArg::EllpE => (peak(PeakField::EModes), Spectrum::EE),
        TaskArg::EllpB => (peak(PeakField::BModes), Spectrum::BB),
    };
    // Real maps: their own pixels' window, nothing folded down that a model could know.
    let made = SimConfig {
        supersample: 1,
        pixwin: !maps.no_pixwin,
        fwhm: maps.observation.fwhm(),
        noise_uk_arcmin: maps.observation.noise,
        ..SimConfig::new(sim_task.clone(), nside)
    };
    let mut setup = Setup::new(sim_task, spectrum, &made)?;
    setup.seen = maps
        .observation
        .read_mask(nside)?
        .map(|m| m.iter().map(|&v| v > 0.0).collect());
    Ok(setup)
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

/// The power spectrum of an observed-pixel mask (`seen`: 1 where the field is seen, 0 where it
/// is UNSEEN) on `geometry`, to `l = min(lmax, 4 nside)`.
fn mask_spectrum(geometry: Healpix, seen: &[bool], lmax: usize) -> Result<Vec<f64>> {
    let nside = geometry.nside();
    let seen: Vec<f64> = seen.iter().map(|&s| f64::from(u8::from(s))).collect();
    let mask = SkyMap::new(geometry, vec![("MASK", seen)])?;
    let w = anafast(
        &mask,
        &Map2AlmOptions {
            lmax: Some(lmax.min(4 * nside as usize)),
            mmax: None,
            iter: 3,
            pol: false,
        },
    )?;
    Ok(w.get(Spectrum::TT).context("mask spectrum")?.to_vec())
}

/// What a cut sky does to the likelihood's model: its coupling matrix and the power leaked in
/// from the other polarisation spectrum (empty for temperature).
#[derive(Clone)]
struct MaskCoupling {
    coupling: CouplingMatrix,
    leakage: Vec<f64>,
}

/// The mask couplings of one folder, computed once per distinct mask: a simulation folder
/// shares one mask, and the matrices cost O(lmax²) quadratures each.
#[derive(Default)]
struct CouplingCache {
    by_mask: Mutex<Vec<(Vec<bool>, MaskCoupling)>>,
}

impl CouplingCache {
    /// The coupling of mask `seen`, from the cache or by `compute` (under the lock: the other
    /// maps of a folder wait for the same mask rather than compute it again).
    fn get_or_compute(
        &self,
        seen: Vec<bool>,
        compute: impl FnOnce(&[bool]) -> Result<MaskCoupling>,
    ) -> Result<MaskCoupling> {
        let mut by_mask = self.by_mask.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = by_mask.iter().find(|(mask, _)| *mask == seen) {
            return Ok(c.clone());
        }
        let c = compute(&seen)?;
        by_mask.push((seen, c.clone()));
        Ok(c)
    }

    /// Whether any map was cut.
    fn any_cut(&self) -> bool {
        !self
            .by_mask
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }
}

fn estimate_one(
    setup: &Setup,
    couplings: &CouplingCache,
    path: &Path,
    lmin: usize,
    lmax: usize,
) -> Result<Estimate> {
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
    if map.nside() != setup.nside {
        bail!(
            "{}: nside {} but the simulation has {}",
            path.display(),
            map.nside(),
            setup.nside
        );
    }
    let pol = setup.spectrum != Spectrum::TT;
    let field = usize::from(pol && map.fields.len() >= 3);
    let fsky = map.f_sky(field);
    let alm_lmax = 3 * setup.nside as usize - 1;
    let opts = Map2AlmOptions {
        lmax: Some(alm_lmax),
        mmax: None,
        iter: 3,
        pol,
    };
    let cls = anafast(&map, &opts).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let cl_hat = cls
        .get(setup.spectrum)
        .with_context(|| {
            format!(
                "{}: no {} spectrum (needs T, Q, U fields)",
                path.display(),
                setup.spectrum.name()
            )
        })?
        .to_vec();
    // The beam and the pixels' window: what the maps' a_lm are of the sky's.
    let k = usize::from(pol);
    let beam: Vec<f64> = gauss_beam(setup.fwhm, alm_lmax, true)[k]
        .iter()
        .zip(&setup.pixels[k])
        .map(|(b, w)| b * w)
        .collect();
    let which = match setup.spectrum {
        Spectrum::EE => 1,
        Spectrum::BB => 2,
        _ => 0,
    };
    // TT, EE, BB of the model at parameter p, through the beam and the pixels, with the power
    // aliased from above 3 nside − 1.
    let model_spectra = |p: f64| -> tessera_sky::Result<[Vec<f64>; 3]> {
        let (c, _) = setup.task.cls_at(p, alm_lmax)?;
        let mut k = 0;
        Ok([c.tt, c.ee, c.bb].map(|c| {
            let aliased = &setup.aliased[k];
            k += 1;
            c.iter()
                .zip(&beam)
                .zip(aliased)
                .map(|((c, b), a)| c * b * b + a)
                .collect()
        }))
    };
    let noise = vec![noise_cl(setup.noise); alm_lmax + 1];
    // On a cut sky the models are coupled by the mask (MASTER): temperature with the spin-0
    // matrix; EE (BB) with the spin-2 M⁺, plus the power the cut moves in from BB (EE) through
    // M⁻ — the other spectrum taken at the middle of the searched range (exactly zero for the
    // pure-E and pure-B peak spectra) plus its noise.
    let (coupling, leakage) = if fsky < 1.0 {
        let seen = map.fields[field]
            .values
            .iter()
            .map(|&v| !tessera_sky::is_unseen(v))
            .collect();
        let c = couplings.get_or_compute(seen, |seen| {
            let w = mask_spectrum(map.geometry, seen, 2 * alm_lmax)?;
            Ok(if pol {
                let c = CouplingMatrix::spin2(&w, lmax, alm_lmax)?;
                let other = &model_spectra(0.5 * (setup.range.0 + setup.range.1))?[3 - which];
                let other_total: Vec<f64> = other.iter().zip(&noise).map(|(c, n)| c + n).collect();
                MaskCoupling {
                    leakage: c.mixed.apply(&other_total),
                    coupling: c.same,
                }
            } else {
                MaskCoupling {
                    coupling: CouplingMatrix::spin0(&w, lmax, alm_lmax)?,
                    leakage: vec![],
                }
            })
        })?;
        (Some(c.coupling), c.leakage)
    } else {
        (None, vec![])
    };
    let like = SpectrumLikelihood {
        cl_hat,
        noise,
        lmin,
        lmax,
        fsky,
        coupling,
        leakage,
    };
    let model = |p: f64| model_spectra(p).map(|mut c| std::mem::take(&mut c[which]));
    like.estimate(model, setup.range.0, setup.range.1)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
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
    let name = setup.task.parameter().unwrap_or_default();
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
            let params = read_params(&args.dir, setup.task.parameter())?;
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
    let lmax = args.lmax.unwrap_or(2 * setup.nside as usize);
    if lmax > 3 * setup.nside as usize - 1 || args.lmin > lmax {
        bail!(
            "multipole range {}..={lmax} is not inside 0..={}",
            args.lmin,
            3 * setup.nside - 1
        );
    }
    let bar = ProgressBar::new(params.len() as u64).with_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} maps, {elapsed} (eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message("estimating");
    let couplings = CouplingCache::default();
    let results: Vec<Estimate> = params
        .par_iter()
        .map(|(file, _)| {
            let e = estimate_one(&setup, &couplings, &args.dir.join(file), args.lmin, lmax);
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
    if couplings.any_cut() && setup.noise == 0.0 {
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
