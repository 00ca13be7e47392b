//! MASTER mode coupling for spin-0 fields (Hivon et al. 2002): on a masked sky the expected
//! pseudo-spectrum is `⟨C̃_l⟩ = Σ_l' M_ll' C_l'` with
//! `M_ll' = (2l'+1)/(4π) Σ_l'' (2l''+1) W_l'' (l l' l''; 0 0 0)²`, `W` the power spectrum of the
//! mask. The likelihood uses it to model the measured spectrum of a cut sky instead of the
//! `f_sky` rescaling, which is blind to the leakage of power between multipoles.

use crate::error::{Result, SkyError};

/// `ln n!` for `n < len`.
fn ln_factorials(len: usize) -> Vec<f64> {
    let mut t = vec![0.0f64; len.max(2)];
    for n in 2..t.len() {
        t[n] = t[n - 1] + (n as f64).ln();
    }
    t
}

/// The Wigner 3j symbol `(l1 l2 l3; 0 0 0)` from its closed form (0 when `l1 + l2 + l3` is odd
/// or the triangle condition fails), in log space: exact to rounding for any `l`.
pub fn wigner3j_000(l1: usize, l2: usize, l3: usize) -> f64 {
    let lf = ln_factorials(l1 + l2 + l3 + 2);
    wigner3j_000_with(&lf, l1, l2, l3)
}

fn wigner3j_000_with(lf: &[f64], l1: usize, l2: usize, l3: usize) -> f64 {
    let big = l1 + l2 + l3;
    if !big.is_multiple_of(2) || l3 > l1 + l2 || l1 > l2 + l3 || l2 > l1 + l3 {
        return 0.0;
    }
    let g = big / 2;
    let ln = 0.5 * (lf[big - 2 * l1] + lf[big - 2 * l2] + lf[big - 2 * l3] - lf[big + 1]) + lf[g]
        - lf[g - l1]
        - lf[g - l2]
        - lf[g - l3];
    let sign = if g.is_multiple_of(2) { 1.0 } else { -1.0 };
    sign * ln.exp()
}

/// The coupling matrix of a mask, rows `l ≤ lmax_out` (measured), columns `l' ≤ lmax_in` (true).
#[derive(Clone, Debug, PartialEq)]
pub struct CouplingMatrix {
    lmax_out: usize,
    lmax_in: usize,
    /// Row-major `(lmax_out + 1) × (lmax_in + 1)`.
    m: Vec<f64>,
}

impl CouplingMatrix {
    /// The spin-0 coupling matrix of a mask whose power spectrum is `mask_cl` (`W_l`, from
    /// `anafast` of the mask map; terms beyond its end count as 0).
    ///
    /// # Errors
    /// [`SkyError::Mismatch`] for an empty or non-finite mask spectrum.
    pub fn spin0(mask_cl: &[f64], lmax_out: usize, lmax_in: usize) -> Result<Self> {
        if mask_cl.is_empty() || mask_cl.iter().any(|v| !v.is_finite()) {
            return Err(SkyError::Mismatch {
                what: "coupling matrix",
                detail: "the mask spectrum is empty or not finite".into(),
            });
        }
        let lf = ln_factorials(lmax_out + lmax_in + mask_cl.len() + 2);
        let cols = lmax_in + 1;
        let mut m = vec![0.0; (lmax_out + 1) * cols];
        for l in 0..=lmax_out {
            for lp in 0..=lmax_in {
                let lo = l.abs_diff(lp);
                let hi = (l + lp).min(mask_cl.len() - 1);
                let mut s = 0.0;
                for (lpp, w) in mask_cl.iter().enumerate().take(hi + 1).skip(lo) {
                    let j = wigner3j_000_with(&lf, l, lp, lpp);
                    s += (2 * lpp + 1) as f64 * w * j * j;
                }
                m[l * cols + lp] = (2 * lp + 1) as f64 / (4.0 * std::f64::consts::PI) * s;
            }
        }
        Ok(CouplingMatrix {
            lmax_out,
            lmax_in,
            m,
        })
    }

    /// Largest measured multipole (rows).
    pub fn lmax_out(&self) -> usize {
        self.lmax_out
    }

    /// `M_ll'`.
    ///
    /// # Panics
    /// Outside `l ≤ lmax_out`, `l' ≤ lmax_in`.
    pub fn get(&self, l: usize, lp: usize) -> f64 {
        assert!(
            l <= self.lmax_out && lp <= self.lmax_in,
            "({l}, {lp}) outside the matrix"
        );
        self.m[l * (self.lmax_in + 1) + lp]
    }

    /// The expected pseudo-spectrum `M · cl` (`cl` beyond `lmax_in` is ignored, missing values
    /// count as 0), `l = 0 ..= lmax_out`.
    pub fn apply(&self, cl: &[f64]) -> Vec<f64> {
        let cols = self.lmax_in + 1;
        (0..=self.lmax_out)
            .map(|l| {
                self.m[l * cols..(l + 1) * cols]
                    .iter()
                    .zip(cl)
                    .map(|(a, b)| a * b)
                    .sum()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wigner_symbols_by_hand() {
        assert!((wigner3j_000(1, 1, 0) + 1.0 / 3f64.sqrt()).abs() < 1e-14);
        assert!((wigner3j_000(1, 1, 2) - (2.0f64 / 15.0).sqrt()).abs() < 1e-14);
        assert!((wigner3j_000(2, 2, 2) + (2.0f64 / 35.0).sqrt()).abs() < 1e-14);
        assert_eq!(wigner3j_000(1, 2, 4), 0.0);
        assert_eq!(wigner3j_000(1, 1, 1), 0.0);
        // Orthogonality: Σ_l3 (2 l3 + 1) (l1 l2 l3; 0 0 0)² = 1 (sum over m1 = m2 = 0 terms only
        // is not 1 in general, but Σ_{l3} (2l3+1) (…)² over all l3 equals 1 for m's = 0).
        for (l1, l2) in [(3usize, 5usize), (20, 31), (150, 170)] {
            let s: f64 = (l1.abs_diff(l2)..=l1 + l2)
                .map(|l3| (2 * l3 + 1) as f64 * wigner3j_000(l1, l2, l3).powi(2))
                .sum();
            assert!((s - 1.0).abs() < 1e-10, "{l1} {l2}: {s}");
        }
    }

    /// A full-sky mask (`W_0 = 4π`) couples nothing.
    #[test]
    fn full_sky_is_the_identity() {
        let m = CouplingMatrix::spin0(&[4.0 * std::f64::consts::PI, 0.0, 0.0], 10, 12).unwrap();
        for l in 0..=10 {
            for lp in 0..=12 {
                let want = if l == lp { 1.0 } else { 0.0 };
                assert!((m.get(l, lp) - want).abs() < 1e-12);
            }
        }
        assert!(CouplingMatrix::spin0(&[], 4, 4).is_err());
    }
}
