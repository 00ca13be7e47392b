//! MASTER mode coupling (Hivon et al. 2002): on a masked sky the expected pseudo-spectrum is
//! `⟨C̃_l⟩ = Σ_l' M_ll' C_l'` with
//! `M_ll' = (2l'+1)/(4π) Σ_l'' (2l''+1) W_l'' (l l' l''; 0 0 0)²`, `W` the power spectrum of the
//! mask. The likelihood uses it to model the measured spectrum of a cut sky instead of the
//! `f_sky` rescaling, which is blind to the leakage of power between multipoles.
//!
//! For polarisation the mask also mixes E and B (Kogut et al. 2003, Brown et al. 2005):
//! `⟨C̃^EE⟩ = M⁺ C^EE + M⁻ C^BB`, `⟨C̃^BB⟩ = M⁻ C^EE + M⁺ C^BB`, with
//! `M^±_ll' = (2l'+1)/(4π) Σ_{l'' : l+l'+l'' even / odd} (2l''+1) W_l'' (l l' l''; 2 −2 0)²`.
//! These are computed by quadrature: `Σ_l'' (2l''+1) W_l'' (l l' l''; 2 −2 0)² (±1)^(l+l'+l'')`
//! is `½ ∫ d^l_{2,±2}(x) d^l'_{2,±2}(x) ξ(x) dx` with `ξ(x) = Σ_l'' (2l''+1) W_l'' P_l''(x)`
//! (Gauss–Legendre, exact for these polynomials), which needs no 3j symbols of spin 2.

use crate::error::{Result, SkyError};
use crate::sht::pixwin::{gauss_legendre_unit, legendre};

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
    /// [`SkyError::BadMaskSpectrum`] for an empty or non-finite mask spectrum.
    pub fn spin0(mask_cl: &[f64], lmax_out: usize, lmax_in: usize) -> Result<Self> {
        check_mask_cl(mask_cl)?;
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

    /// The coupling matrices of a spin-2 field on a mask whose power spectrum is `mask_cl`:
    /// `same` (`M⁺`: EE → EE and BB → BB) and `mixed` (`M⁻`: BB → EE and EE → BB). Rows and
    /// columns below `l = 2` are zero.
    ///
    /// # Errors
    /// [`SkyError::BadMaskSpectrum`] for an empty or non-finite mask spectrum.
    pub fn spin2(mask_cl: &[f64], lmax_out: usize, lmax_in: usize) -> Result<PolarisedCoupling> {
        let [plus, minus] = polarised_sums(mask_cl, lmax_out, lmax_in)?;
        let cols = lmax_in + 1;
        let build = |sign: f64| {
            let m = (0..(lmax_out + 1) * cols)
                .map(|i| {
                    let lp = i % cols;
                    let s = 0.5 * (plus[i] + sign * minus[i]);
                    (2 * lp + 1) as f64 / (4.0 * std::f64::consts::PI) * s
                })
                .collect();
            CouplingMatrix {
                lmax_out,
                lmax_in,
                m,
            }
        };
        Ok(PolarisedCoupling {
            same: build(1.0),
            mixed: build(-1.0),
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

/// The two coupling matrices of a spin-2 field ([`CouplingMatrix::spin2`]).
#[derive(Clone, Debug, PartialEq)]
pub struct PolarisedCoupling {
    /// `M⁺`: how a spectrum couples into the same spectrum (EE → EE, BB → BB).
    pub same: CouplingMatrix,
    /// `M⁻`: how a spectrum leaks into the other one (BB → EE, EE → BB).
    pub mixed: CouplingMatrix,
}

/// Checks a mask spectrum.
fn check_mask_cl(mask_cl: &[f64]) -> Result<()> {
    if mask_cl.is_empty() || mask_cl.iter().any(|v| !v.is_finite()) {
        return Err(SkyError::BadMaskSpectrum);
    }
    Ok(())
}

/// `S^±_ll' = Σ_l'' (2l''+1) W_l'' (l l' l''; 2 −2 0)² (±1)^(l+l'+l'')`, row-major
/// `(lmax_out + 1) × (lmax_in + 1)`, as `½ ∫ d^l_{2,±2} d^l'_{2,±2} ξ dx` by Gauss–Legendre.
fn polarised_sums(mask_cl: &[f64], lmax_out: usize, lmax_in: usize) -> Result<[Vec<f64>; 2]> {
    check_mask_cl(mask_cl)?;
    let lmax = lmax_out.max(lmax_in);
    // The integrand is a polynomial of degree lmax_out + lmax_in + (mask_cl.len() − 1).
    let points = (lmax_out + lmax_in + mask_cl.len()) / 2 + 2;
    let cols = lmax_in + 1;
    let mut sums = [
        vec![0.0; (lmax_out + 1) * cols],
        vec![0.0; (lmax_out + 1) * cols],
    ];
    let (mut p, mut d) = (vec![0.0; mask_cl.len()], [Vec::new(), Vec::new()]);
    for (u, weight) in gauss_legendre_unit(points) {
        // Nodes on [0, 1] with weights summing to 1: x on [−1, 1], weights summing to 2.
        let x = 1.0 - 2.0 * u;
        legendre(x, &mut p);
        let xi: f64 = mask_cl
            .iter()
            .zip(&p)
            .enumerate()
            .map(|(l, (w, p))| (2 * l + 1) as f64 * w * p)
            .sum();
        wigner_d2(x, lmax, &mut d);
        let factor = 0.5 * 2.0 * weight * xi;
        for (sum, d) in sums.iter_mut().zip(&d) {
            for l in 2..=lmax_out {
                let a = factor * d[l];
                for lp in 2..=lmax_in {
                    sum[l * cols + lp] += a * d[lp];
                }
            }
        }
    }
    Ok(sums)
}

/// Wigner `d^l_{2,2}(x)` (`d[0]`) and `d^l_{2,−2}(x)` (`d[1]`) for `l = 0 ..= lmax` (zero for
/// `l < 2`), by the three-term recurrence in `l` from `d^2_{2,±2} = ((1 ± x)/2)²`:
/// `l √(((l+1)² − 4)((l+1)² − 4)) d^{l+1} = (2l+1)(l(l+1)x ∓ 4) d^l − (l+1)(l² − 4) d^{l−1}`.
fn wigner_d2(x: f64, lmax: usize, d: &mut [Vec<f64>; 2]) {
    for (k, dk) in d.iter_mut().enumerate() {
        dk.clear();
        dk.resize(lmax + 1, 0.0);
        if lmax < 2 {
            continue;
        }
        let (mm, start) = if k == 0 {
            (4.0, 0.5 * (1.0 + x))
        } else {
            (-4.0, 0.5 * (1.0 - x))
        };
        dk[2] = start * start;
        for l in 2..lmax {
            let lf = l as f64;
            let next = (lf + 1.0) * (lf + 1.0) - 4.0;
            let prev = if l > 2 { dk[l - 1] } else { 0.0 };
            dk[l + 1] = ((2.0 * lf + 1.0) * (lf * (lf + 1.0) * x - mm) * dk[l]
                - (lf + 1.0) * (lf * lf - 4.0) * prev)
                / (lf * next);
        }
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

    /// On the full sky the polarised coupling is the identity from `l = 2` on and mixes nothing.
    #[test]
    fn full_sky_polarised_coupling_is_the_identity() {
        let c = CouplingMatrix::spin2(&[4.0 * std::f64::consts::PI], 12, 14).unwrap();
        for l in 0..=12 {
            for lp in 0..=14 {
                let want = if l == lp && l >= 2 { 1.0 } else { 0.0 };
                assert!((c.same.get(l, lp) - want).abs() < 1e-12, "{l} {lp}");
                assert!(c.mixed.get(l, lp).abs() < 1e-12, "{l} {lp}");
            }
        }
        assert!(CouplingMatrix::spin2(&[f64::NAN], 4, 4).is_err());
    }

    /// The recurrence's `d^3_{2,±2}` and `d^4_{2,2}` against their closed forms.
    #[test]
    fn wigner_d_by_hand() {
        let mut d = [Vec::new(), Vec::new()];
        for x in [-0.9, -0.3, 0.0, 0.4, 0.95] {
            wigner_d2(x, 4, &mut d);
            let (p, m) = ((1.0 + x) / 2.0, (1.0 - x) / 2.0);
            assert!((d[0][3] - p * p * (3.0 * x - 2.0)).abs() < 1e-14);
            assert!((d[1][3] - m * m * (3.0 * x + 2.0)).abs() < 1e-14);
            let d4 = p * p * (7.0 * x * x - 7.0 * x + 1.0);
            assert!((d[0][4] - d4).abs() < 1e-14, "{x}: {} vs {d4}", d[0][4]);
            assert_eq!((d[0][1], d[1][0]), (0.0, 0.0));
        }
    }
}
