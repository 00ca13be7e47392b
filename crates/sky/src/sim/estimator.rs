//! The spectrum-likelihood estimate of a simulation task's parameter (τ, ℓ_p) on maps made as
//! a [`SimConfig`] describes them: the baseline the networks are compared with, for any caller.
//!
//! The model of each map's spectrum is `C_l(θ) b_l² w_l² + A_l + N_l`: the task's spectra at
//! parameter θ through the beam `b_l` and the maps' pixels `w_l`
//! ([`SimConfig::pixel_transfer`]), the power folded down from above 3 nside − 1
//! ([`SimConfig::aliased_power`]) and white noise. On a cut sky (UNSEEN pixels) the model is
//! coupled by the mask (MASTER): temperature with the spin-0 matrix; EE (BB) with the spin-2
//! `M⁺`, plus the power the cut moves in from BB (EE) through `M⁻`, the other spectrum taken at
//! the middle of the searched range. The couplings are computed once per distinct mask.

use std::sync::Mutex;

use tessera_healpix::Healpix;

use super::noise::noise_cl;
use super::recipe::{PeakField, SimConfig, SimTask};
use crate::coupling::CouplingMatrix;
use crate::error::{Result, SkyError};
use crate::likelihood::{Estimate, SpectrumLikelihood};
use crate::map::{SkyMap, is_unseen};
use crate::sht::{Map2AlmOptions, Spectrum, anafast, gauss_beam};

/// Simulations that measure the power aliased onto the maps' multipoles.
const ALIASING_MAPS: u64 = 64;

/// What a cut sky does to the model: its coupling matrix and the power leaked in from the
/// other polarisation spectrum (empty for temperature).
#[derive(Clone)]
struct MaskCoupling {
    coupling: CouplingMatrix,
    leakage: Vec<f64>,
}

/// Estimates the parameter of maps made as a [`SimConfig`] says, map by map (maps of one
/// estimator may be estimated in parallel).
pub struct ParameterEstimator {
    task: SimTask,
    spectrum: Spectrum,
    range: (f64, f64),
    nside: u64,
    lmin: usize,
    lmax: usize,
    /// Beam × pixel window of the estimated spectrum, to 3 nside − 1.
    transfer: Vec<f64>,
    aliased: [Vec<f64>; 3],
    noise: Vec<f64>,
    couplings: Mutex<Vec<(Vec<bool>, MaskCoupling)>>,
}

impl ParameterEstimator {
    /// An estimator for maps made as `made` says (task, nside, beam, noise, pixels), using
    /// multipoles `lmin ..= lmax` (`None`: 2 nside, where the HEALPix quadrature is accurate).
    /// τ and the E/B mocks are estimated from EE (BB for pure B), the T mock from TT.
    ///
    /// # Errors
    /// [`SkyError::NoParameter`] for a task without a parameter, [`SkyError::MultipoleRange`] for
    /// a multipole range outside `0 ..= 3 nside − 1`; an nside the pixel windows do not cover.
    pub fn new(made: &SimConfig, lmin: usize, lmax: Option<usize>) -> Result<Self> {
        let range = made.task.range().ok_or(SkyError::NoParameter)?;
        let spectrum = match made.task {
            SimTask::EllPeak {
                field: PeakField::Temperature,
                ..
            } => Spectrum::TT,
            SimTask::EllPeak {
                field: PeakField::BModes,
                ..
            } => Spectrum::BB,
            _ => Spectrum::EE,
        };
        let nside = made.nside;
        let alm_lmax = 3 * nside as usize - 1;
        let lmax = lmax.unwrap_or(2 * nside as usize);
        if lmax > alm_lmax || lmin > lmax {
            return Err(SkyError::MultipoleRange {
                lmin,
                lmax,
                max: alm_lmax,
            });
        }
        let k = usize::from(spectrum != Spectrum::TT);
        let pixels = made.pixel_transfer(alm_lmax)?;
        let transfer = gauss_beam(made.fwhm, alm_lmax, true)[k]
            .iter()
            .zip(&pixels[k])
            .map(|(b, w)| b * w)
            .collect();
        Ok(ParameterEstimator {
            task: made.task.clone(),
            spectrum,
            range,
            nside,
            lmin,
            lmax,
            transfer,
            aliased: made.aliased_power(0.5 * (range.0 + range.1), ALIASING_MAPS)?,
            noise: vec![noise_cl(made.noise_uk_arcmin); alm_lmax + 1],
            couplings: Mutex::new(Vec::new()),
        })
    }

    /// The spectrum the parameter is estimated from.
    pub fn spectrum(&self) -> Spectrum {
        self.spectrum
    }

    /// Whether any map estimated so far was cut (had UNSEEN pixels).
    pub fn any_cut(&self) -> bool {
        !self
            .couplings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// TT, EE, BB of the model at parameter `p`, through the beam and the pixels, with the
    /// folded power.
    fn model_spectra(&self, p: f64) -> Result<[Vec<f64>; 3]> {
        let (c, _) = self.task.cls_at(p, 3 * self.nside as usize - 1)?;
        let mut spectra = [c.tt, c.ee, c.bb];
        for (c, aliased) in spectra.iter_mut().zip(&self.aliased) {
            for ((v, b), a) in c.iter_mut().zip(&self.transfer).zip(aliased) {
                *v = *v * b * b + a;
            }
        }
        Ok(spectra)
    }

    fn which(&self) -> usize {
        match self.spectrum {
            Spectrum::EE => 1,
            Spectrum::BB => 2,
            _ => 0,
        }
    }

    /// The coupling of the mask `seen` (on `geometry`), from the cache or computed under the
    /// lock (the other maps of a set wait for the same mask rather than compute it again).
    fn coupling(&self, geometry: Healpix, seen: Vec<bool>) -> Result<MaskCoupling> {
        let mut cache = self.couplings.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = cache.iter().find(|(mask, _)| *mask == seen) {
            return Ok(c.clone());
        }
        let alm_lmax = 3 * self.nside as usize - 1;
        let w = mask_spectrum(geometry, &seen, 2 * alm_lmax)?;
        let c = if self.spectrum == Spectrum::TT {
            MaskCoupling {
                coupling: CouplingMatrix::spin0(&w, self.lmax, alm_lmax)?,
                leakage: Vec::new(),
            }
        } else {
            let c = CouplingMatrix::spin2(&w, self.lmax, alm_lmax)?;
            let middle = 0.5 * (self.range.0 + self.range.1);
            let other = &self.model_spectra(middle)?[3 - self.which()];
            let total: Vec<f64> = other.iter().zip(&self.noise).map(|(c, n)| c + n).collect();
            MaskCoupling {
                leakage: c.mixed.apply(&total),
                coupling: c.same,
            }
        };
        cache.push((seen, c.clone()));
        Ok(c)
    }

    /// The estimate of one map (T, or T, Q, U for the polarised spectra; UNSEEN pixels cut).
    ///
    /// # Errors
    /// [`SkyError::NsideDiffers`] for a map at another nside, [`SkyError::NoSpectrum`] for one
    /// without the fields the spectrum needs.
    pub fn estimate(&self, map: &SkyMap) -> Result<Estimate> {
        if map.nside() != self.nside {
            return Err(SkyError::NsideDiffers {
                what: "likelihood estimate (map and estimator)",
                left: map.nside(),
                right: self.nside,
            });
        }
        let pol = self.spectrum != Spectrum::TT;
        let field = usize::from(pol && map.fields.len() >= 3);
        let fsky = map.f_sky(field);
        let alm_lmax = 3 * self.nside as usize - 1;
        let opts = Map2AlmOptions {
            lmax: Some(alm_lmax),
            mmax: None,
            iter: 3,
            pol,
            use_weights: false,
        };
        let cls = anafast(map, &opts)?;
        let cl_hat = cls
            .get(self.spectrum)
            .ok_or(SkyError::NoSpectrum {
                spectrum: self.spectrum.name(),
            })?
            .to_vec();
        let (coupling, leakage) = if fsky < 1.0 {
            let seen = map.fields[field]
                .values
                .iter()
                .map(|&v| !is_unseen(v))
                .collect();
            let c = self.coupling(map.geometry, seen)?;
            (Some(c.coupling), c.leakage)
        } else {
            (None, Vec::new())
        };
        let like = SpectrumLikelihood {
            cl_hat,
            noise: self.noise.clone(),
            lmin: self.lmin,
            lmax: self.lmax,
            fsky,
            coupling,
            leakage,
        };
        let which = self.which();
        let model = |p: f64| {
            self.model_spectra(p)
                .map(|mut c| std::mem::take(&mut c[which]))
        };
        like.estimate(model, self.range.0, self.range.1)
    }
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
            use_weights: false,
        },
    )?;
    Ok(w.get(Spectrum::TT).unwrap_or_default().to_vec())
}
