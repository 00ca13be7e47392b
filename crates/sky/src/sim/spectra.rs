//! Model spectra of the simulation tasks: the NNhealpix peak spectrum and CAMB spectra on a τ grid.

use crate::error::{Result, SkyError};
use crate::sht::InputCls;

/// The NNhealpix mock spectrum `C_l = exp(−(l − l_p)² / (2σ²)) + floor` (gonzalezm/NNhealpix
/// `ConvNNTempLib.py`: `σ = 5`, `floor = 1e-5`, `l_p ~ U(5, 2 nside)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeakSpectrum {
    /// Width of the peak in `l`.
    pub sigma: f64,
    /// Constant added at every `l` (keeps the covariance positive).
    pub floor: f64,
}

impl Default for PeakSpectrum {
    fn default() -> Self {
        PeakSpectrum {
            sigma: 5.0,
            floor: 1e-5,
        }
    }
}

impl PeakSpectrum {
    /// `C_l` for `l = 0 ..= lmax` with the peak at `ell_p`.
    pub fn cl(&self, ell_p: f64, lmax: usize) -> Vec<f64> {
        (0..=lmax)
            .map(|l| {
                (-(l as f64 - ell_p).powi(2) / (2.0 * self.sigma * self.sigma)).exp() + self.floor
            })
            .collect()
    }
}

/// Which CAMB grid: what is held fixed as τ varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TauVariant {
    /// `A_s` fixed: high-l spectra scale as `e^{−2τ}` and the reionisation bump grows.
    AsFixed,
    /// `A_s e^{−2τ}` fixed (what the data constrain): only the low-l bump moves.
    #[default]
    AsExp2TauFixed,
}

/// Lensed CAMB 2.0.5 spectra (Planck 2018 best fit) for τ = 0.030 … 0.090 in steps of 0.002,
/// `l ≤ 191`, embedded in the library (`data/cls/`, made by `scripts/data/compact_tau_cls.py`
/// from `../shared/data/cls/`). Between grid points each `C_l` is interpolated with a cubic
/// (Catmull–Rom) in τ, smooth enough for likelihood refinement.
#[derive(Clone, Copy, Debug)]
pub struct TauGrid {
    variant: TauVariant,
}

const TABLE: &[u8] = include_bytes!("../../data/tau_grid_lmax191.f64");
const N_TAU: usize = 31;
const N_SPEC: usize = 4;
/// The largest multipole of the embedded table.
pub const TAU_GRID_LMAX: usize = 191;
/// The smallest τ of the grid.
pub const TAU_MIN: f64 = 0.030;
/// The largest τ of the grid.
pub const TAU_MAX: f64 = 0.090;
const TAU_STEP: f64 = 0.002;

impl TauGrid {
    /// The grid of one variant.
    pub fn new(variant: TauVariant) -> Self {
        TauGrid { variant }
    }

    fn at(&self, itau: usize, spec: usize, l: usize) -> f64 {
        let v = match self.variant {
            TauVariant::AsFixed => 0,
            TauVariant::AsExp2TauFixed => 1,
        };
        let i = ((v * N_TAU + itau) * N_SPEC + spec) * (TAU_GRID_LMAX + 1) + l;
        f64::from_le_bytes(TABLE[8 * i..8 * i + 8].try_into().expect("8 bytes"))
    }

    /// Spectrum `spec` (0 TT, 1 EE, 2 BB, 3 TE) at `tau`, `l = 0 ..= lmax`, in μK².
    fn spectrum(&self, tau: f64, spec: usize, lmax: usize) -> Vec<f64> {
        let x = (tau - TAU_MIN) / TAU_STEP;
        let i = (x.floor() as usize).min(N_TAU - 2);
        let t = x - i as f64;
        let idx = |k: isize| (i as isize + k).clamp(0, N_TAU as isize - 1) as usize;
        (0..=lmax)
            .map(|l| {
                let p = [idx(-1), idx(0), idx(1), idx(2)].map(|k| self.at(k, spec, l));
                // Catmull–Rom through p[1] (t = 0) and p[2] (t = 1).
                let a = -0.5 * p[0] + 1.5 * p[1] - 1.5 * p[2] + 0.5 * p[3];
                let b = p[0] - 2.5 * p[1] + 2.0 * p[2] - 0.5 * p[3];
                let c = -0.5 * p[0] + 0.5 * p[2];
                ((a * t + b) * t + c) * t + p[1]
            })
            .collect()
    }

    /// TT, EE, BB, TE at `tau` for `l ≤ lmax`.
    ///
    /// # Errors
    /// [`SkyError::OutOfRange`] when τ is outside [0.030, 0.090], [`SkyError::SpectrumTooShort`]
    /// when `lmax > 191`.
    pub fn cls(&self, tau: f64, lmax: usize) -> Result<InputCls> {
        if !(TAU_MIN..=TAU_MAX).contains(&tau) {
            return Err(SkyError::OutOfRange {
                what: "tau",
                value: tau,
                allowed: format!("the CAMB grid [{TAU_MIN}, {TAU_MAX}]"),
            });
        }
        if lmax > TAU_GRID_LMAX {
            return Err(SkyError::SpectrumTooShort {
                what: "embedded tau-grid spectra (made for nside ≤ 64)",
                values: TAU_GRID_LMAX + 1,
                lmax,
            });
        }
        let mut cls = InputCls {
            tt: self.spectrum(tau, 0, lmax),
            ee: self.spectrum(tau, 1, lmax),
            bb: self.spectrum(tau, 2, lmax),
            te: self.spectrum(tau, 3, lmax),
        };
        // Interpolation cannot create an invalid covariance in practice; clamp TE to be safe.
        for l in 0..=lmax {
            let bound = (cls.tt[l] * cls.ee[l]).sqrt();
            cls.te[l] = cls.te[l].clamp(-bound, bound);
        }
        Ok(cls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_nodes_are_the_camb_values() {
        let g = TauGrid::new(TauVariant::AsExp2TauFixed);
        let cls = g.cls(0.030, 10).unwrap();
        // ../shared/data/cls/cls_tau_grid_Ase2tau.npy[0, :, 2]
        assert!((cls.tt[2] - 1.00965565e+03).abs() < 1e-5);
        assert!((cls.ee[2] - 1.55583103e-02).abs() < 1e-10);
        assert!((cls.te[2] - 1.97545737e+00).abs() < 1e-7);
        assert_eq!(cls.tt[0], 0.0);
        // Interpolation is continuous and passes the nodes; the bump grows with τ.
        let mid = g.cls(0.031, 10).unwrap();
        let hi = g.cls(0.032, 10).unwrap();
        assert!(cls.ee[2] < mid.ee[2] && mid.ee[2] < hi.ee[2]);
        assert!(g.cls(0.1, 10).is_err() && g.cls(0.05, 200).is_err());
    }

    #[test]
    fn peak_spectrum() {
        let c = PeakSpectrum::default().cl(10.0, 20);
        assert!((c[10] - (1.0 + 1e-5)).abs() < 1e-15);
        assert!((c[15] - ((-0.5f64).exp() + 1e-5)).abs() < 1e-15);
    }
}
