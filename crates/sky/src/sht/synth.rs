//! Beams and Gaussian random fields: [`gauss_beam`], [`synalm`].

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};
use realfft::num_complex::Complex64;

use super::alm::Alm;
use crate::error::{Result, SkyError};

/// The random number generator of every simulation: xoshiro256++ seeded by
/// `SeedableRng::seed_from_u64`, an algorithm that will not change under us, so a seed
/// reproduces a map across versions and machines.
pub type SimRng = Xoshiro256PlusPlus;

/// A generator for stream `index` of a run seeded with `seed` (maps of one run are independent
/// and each is reproducible alone).
pub fn sim_rng(seed: u64, index: u64) -> SimRng {
    // splitmix64 of the pair, so neighbouring seeds and indices give unrelated streams.
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    SimRng::seed_from_u64(z ^ (z >> 31))
}

/// The full width at half maximum of a Gaussian of standard deviation `sigma`,
/// `sigma · sqrt(8 ln 2)` (healpy's `smoothing(m, sigma=…)` in terms of its `fwhm`).
pub fn fwhm_of_sigma(sigma: f64) -> f64 {
    sigma * (8.0 * 2f64.ln()).sqrt()
}

/// The Gaussian beam window `b_l = exp(−l(l+1)σ²/2)`, `σ = fwhm / sqrt(8 ln 2)` (healpy's
/// `gauss_beam`, `fwhm` in radians). With `pol`, returns the four columns healpy returns
/// (T, E, B, TE): E and B carry the spin-2 factor `exp(2σ²)`, TE `exp(σ²)`.
pub fn gauss_beam(fwhm: f64, lmax: usize, pol: bool) -> Vec<Vec<f64>> {
    let sigma2 = (fwhm / (8.0 * 2f64.ln()).sqrt()).powi(2);
    let g: Vec<f64> = (0..=lmax)
        .map(|l| (-0.5 * (l * (l + 1)) as f64 * sigma2).exp())
        .collect();
    if !pol {
        return vec![g];
    }
    [0.0, 2.0 * sigma2, 2.0 * sigma2, sigma2]
        .iter()
        .map(|f| g.iter().map(|b| b * f64::exp(*f)).collect())
        .collect()
}

/// Input spectra of a polarised simulation, `C_l` for `l = 0 ..= lmax` in map units squared.
#[derive(Clone, Debug, PartialEq)]
pub struct InputCls {
    /// Temperature.
    pub tt: Vec<f64>,
    /// E modes (zero for a temperature-only simulation).
    pub ee: Vec<f64>,
    /// B modes.
    pub bb: Vec<f64>,
    /// Temperature × E correlation.
    pub te: Vec<f64>,
}

impl InputCls {
    /// Temperature alone.
    pub fn temperature(tt: Vec<f64>) -> Self {
        let n = tt.len();
        InputCls {
            tt,
            ee: vec![0.0; n],
            bb: vec![0.0; n],
            te: vec![0.0; n],
        }
    }

    /// The largest multipole with a value in every spectrum.
    pub fn lmax(&self) -> usize {
        [&self.tt, &self.ee, &self.bb, &self.te]
            .iter()
            .map(|c| c.len())
            .min()
            .unwrap_or(0)
            .saturating_sub(1)
    }

    /// Checks that the spectra are finite, `TT, EE, BB ≥ 0` and `TE² ≤ TT·EE` (a valid
    /// covariance) at every `l ≤ lmax`.
    ///
    /// # Errors
    /// [`SkyError::SpectrumTooShort`], or [`SkyError::NotACovariance`] naming the first
    /// offending multipole.
    pub fn validate(&self, lmax: usize) -> Result<()> {
        if self.lmax() < lmax {
            return Err(SkyError::SpectrumTooShort {
                what: "input spectra",
                values: self.lmax() + 1,
                lmax,
            });
        }
        for l in 0..=lmax {
            let (tt, ee, bb, te) = (self.tt[l], self.ee[l], self.bb[l], self.te[l]);
            let ok = [tt, ee, bb, te].iter().all(|v| v.is_finite())
                && tt >= 0.0
                && ee >= 0.0
                && bb >= 0.0
                && te * te <= tt * ee * (1.0 + 1e-12);
            if !ok {
                return Err(SkyError::NotACovariance { l, tt, ee, bb, te });
            }
        }
        Ok(())
    }
}

/// Gaussian random `a_lm` with the given spectra (healpy's `synalm(..., new=True)`): `T` and `E`
/// correlated through `TE` (Cholesky factor per `l`), `B` independent. Returns `[T]` when
/// `pol` is false, else `[T, E, B]`. Real and imaginary parts of `m > 0` coefficients each have
/// variance `C_l / 2`; `m = 0` coefficients are real with variance `C_l`.
///
/// # Errors
/// [`SkyError::SpectrumTooShort`] or [`SkyError::NotACovariance`].
pub fn synalm(cls: &InputCls, lmax: usize, pol: bool, rng: &mut SimRng) -> Result<Vec<Alm>> {
    cls.validate(lmax)?;
    let n = if pol { 3 } else { 1 };
    let mut alms = vec![Alm::zeros(lmax, lmax); n];
    // Per l: T = t·g1, E = e1·g1 + e2·g2, B = b·g3.
    let factors: Vec<[f64; 4]> = (0..=lmax)
        .map(|l| {
            let (tt, ee, bb, te) = (cls.tt[l], cls.ee[l], cls.bb[l], cls.te[l]);
            let t = tt.sqrt();
            let e1 = if t > 0.0 { te / t } else { 0.0 };
            let e2 = (ee - e1 * e1).max(0.0).sqrt();
            [t, e1, e2, bb.sqrt()]
        })
        .collect();
    let draw = |rng: &mut SimRng, real: bool| -> Complex64 {
        let re: f64 = StandardNormal.sample(rng);
        if real {
            Complex64::new(re, 0.0)
        } else {
            let im: f64 = StandardNormal.sample(rng);
            Complex64::new(re, im) * std::f64::consts::FRAC_1_SQRT_2
        }
    };
    for m in 0..=lmax {
        for (l, &[t, e1, e2, b]) in factors.iter().enumerate().skip(m) {
            let g1 = draw(rng, m == 0);
            alms[0].set(l, m, g1 * t);
            if pol {
                let g2 = draw(rng, m == 0);
                let g3 = draw(rng, m == 0);
                alms[1].set(l, m, g1 * e1 + g2 * e2);
                alms[2].set(l, m, g3 * b);
            }
        }
    }
    Ok(alms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_beam_matches_healpy() {
        // healpy.gauss_beam(np.radians(1.0), lmax=200)[[10, 100, 200]]
        let b = &gauss_beam(1f64.to_radians(), 200, false)[0];
        assert!((b[10] - 0.9969832031731731).abs() < 1e-14, "{}", b[10]);
        assert!((b[100] - 0.7577396186911121).abs() < 1e-13, "{}", b[100]);
        assert!((b[200] - 0.3314864059969028).abs() < 1e-13, "{}", b[200]);
        let pol = gauss_beam(1f64.to_radians(), 10, true);
        assert_eq!(pol.len(), 4);
        assert!(pol[1][10] > pol[0][10] && pol[3][10] > pol[0][10]);
    }

    #[test]
    fn synalm_is_reproducible_and_checks_covariance() {
        let cls = InputCls {
            tt: vec![1.0; 11],
            ee: vec![0.5; 11],
            bb: vec![0.1; 11],
            te: vec![0.3; 11],
        };
        let a = synalm(&cls, 10, true, &mut sim_rng(7, 0)).unwrap();
        let b = synalm(&cls, 10, true, &mut sim_rng(7, 0)).unwrap();
        let c = synalm(&cls, 10, true, &mut sim_rng(7, 1)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a[0].get(3, 0).im, 0.0);
        let bad = InputCls {
            te: vec![1.0; 11],
            ..cls
        };
        assert!(synalm(&bad, 10, true, &mut sim_rng(7, 0)).is_err());
    }
}
