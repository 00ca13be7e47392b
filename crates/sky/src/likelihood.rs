//! The standard spectrum-based estimate of a parameter: the exact full-sky likelihood of the
//! measured power spectrum, with noise in the model and an `f_sky` correction for masked maps.
//!
//! `−2 ln L(θ) = f_sky Σ_l (2l+1) [Ĉ_l / C_l(θ) + ln C_l(θ)]`, with `C_l(θ)` the model plus the
//! noise spectrum and `Ĉ_l` the measured (pseudo-)spectrum divided by `f_sky`. On a cut sky the
//! model can be coupled first (MASTER, [`crate::coupling`]): `C_l(θ)` is then
//! `(M · (C(θ) + N) + leakage)_l / f_sky` (for polarisation `M⁺`, and the leakage from the other
//! spectrum through `M⁻`), which follows the leakage of power between multipoles that the
//! plain `f_sky` rescaling misses (essential for narrow spectral features). The posterior with
//! a flat prior on the parameter's range is evaluated on a coarse grid, then on a fine grid
//! around its peak; the estimate is the posterior mean and the error its standard deviation (the
//! maximum-likelihood value is returned as well).

use crate::coupling::CouplingMatrix;
use crate::error::{Result, SkyError};

/// A measured spectrum and what the likelihood needs to compare it with models.
#[derive(Clone, Debug, PartialEq)]
pub struct SpectrumLikelihood {
    /// The measured `Ĉ_l` (anafast of the map, masked pixels as zeros), `l = 0 ..`.
    pub cl_hat: Vec<f64>,
    /// The noise spectrum `N_l` added to every model (same length, or empty for none).
    pub noise: Vec<f64>,
    /// Multipoles used: `lmin ..= lmax`.
    pub lmin: usize,
    /// Largest multipole used.
    pub lmax: usize,
    /// Observed sky fraction (1 for full sky).
    pub fsky: f64,
    /// The mask's mode coupling, applied to model + noise (`None`: `f_sky` rescaling only).
    pub coupling: Option<CouplingMatrix>,
    /// Pseudo-power added to every coupled model, independent of the parameter: on a cut sky
    /// the power the mask moves into this spectrum from another one (for EE, the B modes made E:
    /// `M⁻ · (C^BB + N)`, [`crate::coupling::PolarisedCoupling`]). Empty for none; used only
    /// with a coupling.
    pub leakage: Vec<f64>,
}

/// A parameter estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Posterior mean (flat prior on the searched range).
    pub value: f64,
    /// Posterior standard deviation: the 1σ error.
    pub sigma: f64,
    /// The maximum of the likelihood.
    pub max_likelihood: f64,
}

impl SpectrumLikelihood {
    /// `−2 ln L` of a model spectrum (without noise; the noise is added here).
    ///
    /// # Errors
    /// [`SkyError::SpectrumTooShort`] when the model, the measured spectrum or the coupling
    /// matrix ends before `lmax`; [`SkyError::ModelNotPositive`].
    pub fn neg2lnl(&self, model: &[f64]) -> Result<f64> {
        for (what, spectrum) in [
            ("likelihood model spectrum", model),
            ("likelihood measured spectrum", &self.cl_hat[..]),
        ] {
            if spectrum.len() <= self.lmax {
                return Err(SkyError::SpectrumTooShort {
                    what,
                    values: spectrum.len(),
                    lmax: self.lmax,
                });
            }
        }
        let total_model: Vec<f64> = model
            .iter()
            .enumerate()
            .map(|(l, &m)| m + self.noise.get(l).copied().unwrap_or(0.0))
            .collect();
        let expected = match &self.coupling {
            Some(c) if c.lmax_out() >= self.lmax => c
                .apply(&total_model)
                .into_iter()
                .enumerate()
                .map(|(l, v)| (v + self.leakage.get(l).copied().unwrap_or(0.0)) / self.fsky)
                .collect(),
            Some(c) => {
                return Err(SkyError::SpectrumTooShort {
                    what: "likelihood coupling matrix",
                    values: c.lmax_out() + 1,
                    lmax: self.lmax,
                });
            }
            None => total_model,
        };
        let mut total = 0.0;
        for (l, &c) in expected
            .iter()
            .enumerate()
            .take(self.lmax + 1)
            .skip(self.lmin)
        {
            if c.is_nan() || c <= 0.0 {
                return Err(SkyError::ModelNotPositive { l, value: c });
            }
            total += (2 * l + 1) as f64 * (self.cl_hat[l] / self.fsky / c + c.ln());
        }
        Ok(self.fsky * total)
    }

    /// Estimates the parameter of `model(θ) → C_l` over `[lo, hi]` (flat prior).
    ///
    /// # Errors
    /// When the model fails or gives invalid spectra, or the range is empty.
    pub fn estimate(
        &self,
        model: impl Fn(f64) -> Result<Vec<f64>>,
        lo: f64,
        hi: f64,
    ) -> Result<Estimate> {
        if lo.is_nan() || hi.is_nan() || lo >= hi {
            return Err(SkyError::EmptyRange {
                what: "likelihood",
                lo,
                hi,
            });
        }
        let eval = |t: f64| -> Result<f64> { self.neg2lnl(&model(t)?) };
        let grid = |a: f64, b: f64, n: usize| -> Result<Vec<(f64, f64)>> {
            (0..n)
                .map(|i| {
                    let t = a + (b - a) * i as f64 / (n - 1) as f64;
                    Ok((t, eval(t)?))
                })
                .collect()
        };
        let coarse = grid(lo, hi, 201)?;
        let best = coarse.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        // The fine grid covers where the posterior is above e^-25 of its peak (plus one step).
        let step = (hi - lo) / 200.0;
        let inside: Vec<f64> = coarse
            .iter()
            .filter(|p| p.1 < best + 50.0)
            .map(|p| p.0)
            .collect();
        let a = (inside.first().copied().unwrap_or(lo) - step).max(lo);
        let b = (inside.last().copied().unwrap_or(hi) + step).min(hi);
        let fine = grid(a, b, 801)?;
        let best = fine.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let max_likelihood = fine.iter().find(|p| p.1 == best).map_or(a, |p| p.0);
        let weights: Vec<f64> = fine.iter().map(|p| (-(p.1 - best) / 2.0).exp()).collect();
        // Trapezoid moments.
        let h = (b - a) / 800.0;
        let moment = |k: i32| -> f64 {
            fine.iter()
                .zip(&weights)
                .enumerate()
                .map(|(i, (p, w))| {
                    let edge = if i == 0 || i == fine.len() - 1 {
                        0.5
                    } else {
                        1.0
                    };
                    edge * w * p.0.powi(k)
                })
                .sum::<f64>()
                * h
        };
        let norm = moment(0);
        let mean = moment(1) / norm;
        let var = (moment(2) / norm - mean * mean).max(0.0);
        Ok(Estimate {
            value: mean,
            sigma: var.sqrt(),
            max_likelihood,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_amplitude_from_its_expectation() {
        // Ĉ_l equal to the model at A = 2: the likelihood peaks at A = 2 with
        // σ ≈ A sqrt(2 / Σ(2l+1)).
        let lmax = 30;
        let shape: Vec<f64> = (0..=lmax).map(|l| 1.0 / (1.0 + l as f64)).collect();
        let like = SpectrumLikelihood {
            cl_hat: shape.iter().map(|c| 2.0 * c).collect(),
            noise: vec![],
            lmin: 2,
            lmax,
            fsky: 1.0,
            coupling: None,
            leakage: vec![],
        };
        let est = like
            .estimate(|a| Ok(shape.iter().map(|c| a * c).collect()), 0.5, 5.0)
            .unwrap();
        let modes: f64 = (2..=lmax).map(|l| (2 * l + 1) as f64).sum();
        assert!((est.max_likelihood - 2.0).abs() < 0.01, "{est:?}");
        assert!(
            (est.sigma / (2.0 * (2.0 / modes).sqrt()) - 1.0).abs() < 0.05,
            "{est:?}"
        );
        assert!(like.neg2lnl(&[1.0; 3]).is_err());
        assert!(like.estimate(|_| Ok(vec![-1.0; 31]), 0.0, 1.0).is_err());
    }
}
