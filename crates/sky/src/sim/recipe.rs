//! Simulation recipes of the training tasks, reproducible map by map from a seed.

use rand::RngExt;
use tessera_healpix::Healpix;

use super::noise::{add_white_noise, pixel_sigma};
use super::spectra::{PeakSpectrum, TAU_GRID_LMAX, TAU_MAX, TAU_MIN, TauGrid, TauVariant};
use crate::error::{Result, SkyError};
use crate::map::{SkyMap, UNSEEN};
use crate::ops::UdGradeOptions;
use crate::sht::{
    InputCls, Map2AlmOptions, ShtPlan, SimRng, Spectrum, anafast, pixwin_pol, sim_rng, synfast_with,
};

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

    /// The tasks [`SimTask::named`] knows.
    pub const NAMES: [&'static str; 4] = ["tau", "ellp-t", "ellp-e", "ellp-b"];

    /// A task by name (one of [`SimTask::NAMES`]): `tau` (CAMB's spectra with A_s e^{−2τ}
    /// fixed) or NNhealpix's ℓ_p mock in T, pure E or pure B (`ellp-t`, `ellp-e`, `ellp-b`,
    /// the default peak shape), over `range`, by default the τ grid's or 5 to 2 nside.
    pub fn named(name: &str, nside: u64, range: Option<(f64, f64)>) -> Option<SimTask> {
        let peak = |field| SimTask::EllPeak {
            field,
            shape: PeakSpectrum::default(),
            range: range.unwrap_or((5.0, 2.0 * nside as f64)),
        };
        Some(match name {
            "tau" => SimTask::Tau {
                variant: TauVariant::AsExp2TauFixed,
                range: range.unwrap_or((TAU_MIN, TAU_MAX)),
            },
            "ellp-t" => peak(PeakField::Temperature),
            "ellp-e" => peak(PeakField::EModes),
            "ellp-b" => peak(PeakField::BModes),
            _ => return None,
        })
    }

    /// The largest multipole the task's spectra are known to.
    fn lmax_known(&self) -> usize {
        match self {
            SimTask::EllPeak { .. } => usize::MAX,
            SimTask::Tau { .. } => TAU_GRID_LMAX,
            SimTask::Cls { cls, .. } => cls.lmax(),
        }
    }

    /// The range the parameter is drawn from, if the task has one.
    pub fn range(&self) -> Option<(f64, f64)> {
        match self {
            SimTask::EllPeak { range, .. } | SimTask::Tau { range, .. } => Some(*range),
            SimTask::Cls { .. } => None,
        }
    }
}

/// A simulation run: the task, the map resolution and what is added on top of the sky.
///
/// Real low-resolution maps are made from finer ones: the sky carries the fine pixels' window
/// and power above `3 nside − 1`, and averaging to the coarse pixels gives them the coarse
/// pixels' window. [`SimConfig::new`] makes maps that way (`supersample` 4, `pixwin`); a
/// `supersample` of 1 without `pixwin` gives band-limited maps without a pixel window.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    /// What to simulate.
    pub task: SimTask,
    /// Map resolution.
    pub nside: u64,
    /// The sky is drawn at `nside × supersample` and averaged down to `nside` (a power of 2;
    /// 1: drawn at `nside`).
    pub supersample: u64,
    /// The sky carries the pixel window of the resolution it is drawn at (healpy's
    /// `synfast(pixwin=True)`).
    pub pixwin: bool,
    /// Largest multipole simulated; `None` = `3 nside × supersample − 1`, or the largest the
    /// task's spectra know if that is lower (191 for τ).
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

impl SimConfig {
    /// Maps of `task` at `nside` made as real low-resolution maps are (drawn at 4 × nside
    /// with its pixel window, then averaged down), without noise, beam or mask, from seed 0.
    pub fn new(task: SimTask, nside: u64) -> Self {
        SimConfig {
            task,
            nside,
            supersample: 4,
            pixwin: true,
            lmax: None,
            seed: 0,
            noise_uk_arcmin: 0.0,
            fwhm: 0.0,
            mask: None,
        }
    }

    /// The resolution the sky is drawn at.
    pub fn sky_nside(&self) -> u64 {
        self.nside * self.supersample
    }

    /// The largest multipole simulated.
    pub fn sky_lmax(&self) -> usize {
        self.lmax
            .unwrap_or_else(|| (3 * self.sky_nside() as usize - 1).min(self.task.lmax_known()))
    }

    /// The transfer function of the maps' pixels, temperature and polarisation, to `lmax`
    /// (≤ 4 nside): what multiplies each a_lm of the sky, on average, in the maps — the coarse
    /// pixels' window for maps averaged down from a sky with its own pixel window, 1 for
    /// band-limited maps without one. A spectrum model for the maps is `C_l b_l² w_l²`.
    ///
    /// # Errors
    /// An nside or lmax outside the tabulated windows.
    pub fn pixel_transfer(&self, lmax: usize) -> Result<[Vec<f64>; 2]> {
        let window = |nside| pixwin_pol(nside, Some(lmax));
        Ok(match (self.supersample > 1, self.pixwin) {
            (false, false) => [vec![1.0; lmax + 1], vec![1.0; lmax + 1]],
            // Drawn with the window of its own pixels, or of finer ones averaged down: the
            // coarse pixels' window either way.
            (_, true) => window(self.nside)?,
            // Averaging the children gives the coarse pixels' window over the fine pixels'.
            (true, false) => {
                let (coarse, fine) = (window(self.nside)?, window(self.sky_nside())?);
                // The polarisation windows are 0 at l < 2, where no spin-2 mode exists.
                std::array::from_fn(|k| {
                    coarse[k]
                        .iter()
                        .zip(&fine[k])
                        .map(|(c, f)| if *f == 0.0 { 0.0 } else { c / f })
                        .collect()
                })
            }
        })
    }

    /// The mean power, TT, EE and BB to `3 nside − 1`, that the maps carry from multipoles the
    /// coarse pixels cannot hold (`l ≥ 3 nside`), folded onto lower ones by the averaging down:
    /// what a model `C_l b_l² w_l²` misses. Measured on `maps` simulations of the task's
    /// spectra at `parameter`, every multipole below `3 nside` removed, beam and pixel window
    /// as configured, without noise or mask (a seed of its own). Zero for maps drawn at
    /// `nside`.
    ///
    /// # Errors
    /// A parameter outside the task's range of spectra.
    pub fn aliased_power(&self, parameter: f64, maps: u64) -> Result<[Vec<f64>; 3]> {
        let lmax = 3 * self.nside as usize - 1;
        let mut sums = [
            vec![0.0; lmax + 1],
            vec![0.0; lmax + 1],
            vec![0.0; lmax + 1],
        ];
        if self.supersample == 1 || maps == 0 {
            return Ok(sums);
        }
        let (mut cls, pol) = self.task.cls_at(parameter, self.sky_lmax())?;
        for c in [&mut cls.tt, &mut cls.ee, &mut cls.bb, &mut cls.te] {
            c.iter_mut().take(lmax + 1).for_each(|v| *v = 0.0);
        }
        let high = Simulator::new(SimConfig {
            task: SimTask::Cls { cls, pol },
            lmax: Some(self.sky_lmax()),
            seed: 0xA11A5,
            noise_uk_arcmin: 0.0,
            mask: None,
            ..self.clone()
        })?;
        let opts = Map2AlmOptions {
            lmax: Some(lmax),
            mmax: None,
            iter: 0,
            pol,
            use_weights: false,
        };
        for i in 0..maps {
            let spectra = anafast(&high.simulate(i)?.map, &opts)?;
            for (sum, which) in sums
                .iter_mut()
                .zip([Spectrum::TT, Spectrum::EE, Spectrum::BB])
            {
                if let Some(c) = spectra.get(which) {
                    sum.iter_mut()
                        .zip(c)
                        .for_each(|(s, v)| *s += v / maps as f64);
                }
            }
        }
        Ok(sums)
    }
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
    /// The sky's pixel window, when it carries one.
    pixel_windows: Option<[Vec<f64>; 2]>,
}

impl Simulator {
    /// Checks the configuration and prepares the transform.
    ///
    /// # Errors
    /// An invalid nside/lmax, a parameter range outside the model's, a mask of the wrong size.
    pub fn new(config: SimConfig) -> Result<Self> {
        if !config.supersample.is_power_of_two() {
            return Err(SkyError::OutOfRange {
                what: "simulation supersampling",
                value: config.supersample as f64,
                allowed: "the powers of 2".into(),
            });
        }
        let lmax = config.sky_lmax();
        let plan = ShtPlan::new(config.sky_nside(), lmax, lmax)?;
        if let Some((lo, hi)) = config.task.range() {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(SkyError::EmptyRange {
                    what: "simulation",
                    lo,
                    hi,
                });
            }
            config.task.cls_at(lo, lmax)?.0.validate(lmax)?;
            config.task.cls_at(hi, lmax)?.0.validate(lmax)?;
        }
        let npix = Healpix::ring(config.nside)?.npix() as usize;
        if let Some(mask) = &config.mask
            && mask.len() != npix
        {
            return Err(SkyError::PixelCount {
                what: "simulation mask",
                found: mask.len(),
                nside: config.nside,
                needed: npix,
            });
        }
        for (what, value) in [
            ("simulation noise level (μK·arcmin)", config.noise_uk_arcmin),
            ("simulation beam width (FWHM)", config.fwhm),
        ] {
            if value.is_nan() || value < 0.0 {
                return Err(SkyError::OutOfRange {
                    what,
                    value,
                    allowed: "non-negative numbers".into(),
                });
            }
        }
        let pixel_windows = if config.pixwin {
            Some(pixwin_pol(config.sky_nside(), Some(lmax))?)
        } else {
            None
        };
        Ok(Simulator {
            config,
            plan,
            pixel_windows,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Map `index` of the run: draws the parameter, then the sky (with the beam and pixel
    /// window, averaged down to `nside`), noise and mask, all from the stream
    /// `sim_rng(seed, index)`.
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
        let mut map = synfast_with(
            &self.plan,
            &cls,
            c.fwhm,
            pol,
            self.pixel_windows.as_ref(),
            rng,
        )?;
        if c.supersample > 1 {
            map = map.ud_grade(c.nside, UdGradeOptions::default())?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tau() -> SimTask {
        SimTask::Tau {
            variant: TauVariant::AsExp2TauFixed,
            range: (0.05, 0.07),
        }
    }

    /// Drawn finer with its window and averaged down, a map's pixels carry the coarse window;
    /// drawn at nside with a window, that window; band-limited without one, nothing.
    #[test]
    fn the_pixel_transfer_follows_how_the_maps_were_made() {
        let lmax = 47;
        let coarse = pixwin_pol(16, Some(lmax)).unwrap();
        let fine = pixwin_pol(64, Some(lmax)).unwrap();
        let made = |supersample, pixwin| SimConfig {
            supersample,
            pixwin,
            ..SimConfig::new(tau(), 16)
        };
        let real = made(4, true).pixel_transfer(lmax).unwrap();
        let at_nside = made(1, true).pixel_transfer(lmax).unwrap();
        let plain = made(1, false).pixel_transfer(lmax).unwrap();
        let no_window = made(4, false).pixel_transfer(lmax).unwrap();
        for k in 0..2 {
            for l in 2..=lmax {
                assert!((real[k][l] - coarse[k][l]).abs() < 1e-12);
                assert_eq!(at_nside[k][l], coarse[k][l]);
                assert_eq!(plain[k][l], 1.0);
                assert!((no_window[k][l] - coarse[k][l] / fine[k][l]).abs() < 1e-12);
            }
        }
    }

    /// The sky is drawn to 3 × 64 − 1 = 191 for τ at nside 16 (the table's end), averaged down
    /// to nside 16; band-limited maps stop at 47. The folded power is zero for those and
    /// positive in EE for the others.
    #[test]
    fn maps_averaged_down_carry_folded_power() {
        let real = SimConfig::new(tau(), 16);
        assert_eq!(real.sky_lmax(), TAU_GRID_LMAX);
        let sim = Simulator::new(real.clone()).unwrap();
        assert_eq!(sim.simulate(0).unwrap().map.nside(), 16);
        let band_limited = SimConfig {
            supersample: 1,
            pixwin: false,
            ..real.clone()
        };
        assert_eq!(band_limited.sky_lmax(), 47);
        let none = band_limited.aliased_power(0.06, 4).unwrap();
        assert!(none.iter().flatten().all(|&v| v == 0.0));
        let folded = real.aliased_power(0.06, 4).unwrap();
        assert!(folded[1][2..].iter().all(|&v| v > 0.0), "{:?}", folded[1]);
    }
}
