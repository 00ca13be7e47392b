//! Simulation recipes of the training tasks, reproducible map by map from a seed.

use rand::RngExt;
use tessera_healpix::Healpix;

use super::noise::{add_white_noise, pixel_sigma};
use super::spectra::{PeakSpectrum, TauGrid, TauVariant};
use crate::error::{Result, SkyError};
use crate::map::{SkyMap, UNSEEN};
use crate::sht::{InputCls, ShtPlan, SimRng, sim_rng, synfast_with};

/// Which polarisation a peak-spectrum simulation carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeakField {
    /// Temperature: `TT` is the peak spectrum; the map has one field `T`.
    Temperature,
    /// Pure E modes: `EE` is the peak; the map has T (zero), Q, U.
    EModes,
    /// Pure B modes: `BB` is the peak.
    BModes,
}

/// What a simulation draws.
#[derive(Clone, Debug, PartialEq)]
pub enum SimTask {
    /// NNhealpix's mock: `l_p ~ U(lo, hi)` and a peak spectrum.
    EllPeak {
        /// The field that carries the spectrum.
        field: PeakField,
        /// The spectrum's shape.
        shape: PeakSpectrum,
        /// Range of `l_p` (NNhealpix: 5 to 2 nside).
        range: (f64, f64),
    },
    /// `τ ~ U(lo, hi)` and CAMB's spectra at τ (T, Q, U maps).
    Tau {
        /// What is fixed as τ varies.
        variant: TauVariant,
        /// Range of τ, inside [0.030, 0.090].
        range: (f64, f64),
    },
    /// Fixed spectra (no parameter), T alone or T/Q/U.
    Cls {
        /// The spectra.
        cls: InputCls,
        /// Simulate Q and U too.
        pol: bool,
    },
}

impl SimTask {
    /// The name of the drawn parameter, if any (`ell_p`, `tau`).
    pub fn parameter(&self) -> Option<&'static str> {
        match self {
            SimTask::EllPeak { .. } => Some("ell_p"),
            SimTask::Tau { .. } => Some("tau"),
            SimTask::Cls { .. } => None,
        }
    }

    /// The spectra at parameter value `p` up to `lmax`, and whether the map is polarised.
    ///
    /// # Errors
    /// When `p` is outside the τ grid or `lmax` above its table.
    pub fn cls_at(&self, p: f64, lmax: usize) -> Result<(InputCls, bool)> {
        Ok(match self {
            SimTask::EllPeak { field, shape, .. } => {
                let peak = shape.cl(p, lmax);
                let zero = vec![0.0; lmax + 1];
                match field {
                    PeakField::Temperature => (InputCls::temperature(peak), false),
                    PeakField::EModes => (
                        InputCls {
                            tt: zero.clone(),
                            ee: peak,
                            bb: zero.clone(),
                            te: zero,
                        },
                        true,
                    ),
                    PeakField::BModes => (
                        InputCls {
                            tt: zero.clone(),
                            ee: zero.clone(),
                            bb: peak,
                            te: zero,
                        },
                        true,
                    ),
                }
            }
            SimTask::Tau { variant, .. } => (TauGrid::new(*variant).cls(p, lmax)?, true),
            SimTask::Cls { cls, pol } => (cls.clone(), *pol),
        })
    }

    fn range(&self) -> Option<(f64, f64)> {
        match self {
            SimTask::EllPeak { range, .. } | SimTask::Tau { range, .. } => Some(*range),
            SimTask::Cls { .. } => None,
        }
    }
}

/// A simulation run: the task, the map resolution and what is added on top of the sky.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// What to simulate.
    pub task: SimTask,
    /// Map resolution.
    pub nside: u64,
    /// Largest multipole simulated; `None` = `3 nside − 1`.
    pub lmax: Option<usize>,
    /// Seed of the run: map `i` uses the stream [`sim_rng`]`(seed, i)`.
    pub seed: u64,
    /// White noise per Stokes parameter in μK·arcmin (0 = none).
    pub noise_uk_arcmin: f64,
    /// Gaussian beam FWHM in radians (0 = none).
    pub fwhm: f64,
    /// Pixels to cut (0 in the mask, RING order) become UNSEEN.
    pub mask: Option<Vec<f64>>,
}

/// One simulated map and the parameter drawn for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// The map (RING order).
    pub map: SkyMap,
    /// The parameter's value (`None` for fixed spectra).
    pub parameter: Option<f64>,
}

/// A prepared simulation run (the transform plan is made once).
pub struct Simulator {
    config: SimConfig,
    plan: ShtPlan,
}

impl Simulator {
    /// Checks the configuration and prepares the transform.
    ///
    /// # Errors
    /// An invalid nside/lmax, a parameter range outside the model's, a mask of the wrong size.
    pub fn new(config: SimConfig) -> Result<Self> {
        let lmax = config.lmax.unwrap_or(3 * config.nside as usize - 1);
        let plan = ShtPlan::new(config.nside, lmax, lmax)?;
        if let Some((lo, hi)) = config.task.range() {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(SkyError::Mismatch {
                    what: "simulation",
                    detail: format!("parameter range [{lo}, {hi}] is empty"),
                });
            }
            config.task.cls_at(lo, lmax)?.0.validate(lmax)?;
            config.task.cls_at(hi, lmax)?.0.validate(lmax)?;
        }
        if let Some(mask) = &config.mask
            && mask.len() != plan.npix()
        {
            return Err(SkyError::Mismatch {
                what: "mask",
                detail: format!(
                    "{} values, nside {} needs {}",
                    mask.len(),
                    config.nside,
                    plan.npix()
                ),
            });
        }
        if !(config.noise_uk_arcmin >= 0.0 && config.fwhm >= 0.0) {
            return Err(SkyError::Mismatch {
                what: "simulation",
                detail: "noise level and beam width must be non-negative".into(),
            });
        }
        Ok(Simulator { config, plan })
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Map `index` of the run: draws the parameter, then the sky, beam, noise and mask, all from
    /// the stream `sim_rng(seed, index)`.
    ///
    /// # Errors
    /// Only on invalid spectra, which [`Simulator::new`] has ruled out.
    pub fn simulate(&self, index: u64) -> Result<Simulation> {
        let mut rng = sim_rng(self.config.seed, index);
        self.simulate_with(&mut rng)
    }

    fn simulate_with(&self, rng: &mut SimRng) -> Result<Simulation> {
        let c = &self.config;
        let parameter = c.task.range().map(|(lo, hi)| {
            if hi > lo {
                rng.random_range(lo..hi)
            } else {
                lo
            }
        });
        let (cls, pol) = c.task.cls_at(parameter.unwrap_or(0.0), self.plan.lmax())?;
        let mut map = synfast_with(&self.plan, &cls, c.fwhm, pol, None, rng)?;
        if matches!(
            c.task,
            SimTask::EllPeak {
                field: PeakField::EModes | PeakField::BModes,
                ..
            }
        ) {
            map.fields[0].values.iter_mut().for_each(|v| *v = 0.0);
        }
        let sigma = pixel_sigma(c.noise_uk_arcmin, c.nside);
        for f in map.fields.iter_mut() {
            add_white_noise(&mut f.values, sigma, rng);
        }
        if let Some(mask) = &c.mask {
            for f in map.fields.iter_mut() {
                for (v, &m) in f.values.iter_mut().zip(mask) {
                    if m == 0.0 {
                        *v = UNSEEN;
                    }
                }
            }
        }
        if matches!(c.task, SimTask::Tau { .. }) {
            for f in map.fields.iter_mut() {
                f.unit = Some("uK".into());
            }
        }
        map.geometry = Healpix::ring(c.nside)?;
        Ok(Simulation { map, parameter })
    }
}
