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
    /// A folder written by `tessera sim ellp|tau` (maps, params.csv, sim.json).
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
    let fwhm = (m["fwhm_arcmin"].as_f64().unwrap_or(0.0) / 60.0).to_radians();
    let made = SimConfig {
        supersample: m["supersample"].as_u64().unwrap_or(1),
        pixwin: m["pixwin"].as_bool().unwrap_or(false),
        lmax: m["lmax"].as_u64().map(|l| l as usize),
        fwhm,
        ..SimConfig::new(task.clone(), nside)
    };
    let pixels = made
        .pixel_transfer(3 * nside as usize - 1)
        .with_context(|| format!("{}: the maps' pixel window", path.display()))?;
    let aliased = made
        .aliased_power(0.5 * (range.0 + range.1), ALIASING_MAPS)
        .with_context(|| format!("{}: the power aliased onto the maps", path.display()))?;
    Ok(Setup {
        task,
        spectrum,
        range,
        nside,
        noise: m["noise_uk_arcmin"].as_f64().unwrap_or(0.0),
        fwhm,
        pixels,
        aliased,
    })
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
    let map = read_map(path, &ReadOptions::default())?;
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
        },
        out,
    )
}

/// Runs `tessera estimate`.
pub fn run(args: EstimateArgs, out: &mut impl Write) -> Result<()> {
    let Method::Likelihood = args.method;
    if let Some(path) = &args.output {
        args.overwrite.check(path)?;
    }
    let setup = read_setup(&args.dir)?;
    let params = read_params(&args.dir, setup.task.parameter())?;
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
    let mut csv = String::from("file,truth,estimate,sigma,max_likelihood\n");
    let mut pulls = Vec::new();
    let mut sq = 0.0;
    for ((file, truth), e) in params.iter().zip(&results) {
        let t = truth.map_or(String::new(), |t| t.to_string());
        csv.push_str(&format!(
            "{file},{t},{},{},{}\n",
            e.value, e.sigma, e.max_likelihood
        ));
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
