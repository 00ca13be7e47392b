//! Normalised associated Legendre functions `λ_lm(θ)`, computed on the fly by recurrence.
//!
//! `λ_lm(θ) = sqrt((2l+1)/4π · (l−m)!/(l+m)!) P_lm(cos θ)` with the Condon–Shortley phase, so that
//! `Y_lm(θ, φ) = λ_lm(θ) e^{imφ}`. For each `m` the recurrence starts from
//! `λ_mm = (−1)^m sqrt((2m+1)/4π · (2m−1)!!/(2m)!!) sin^m θ` and climbs in `l`:
//! `λ_l = α_l cos θ λ_{l−1} − β_l λ_{l−2}`.
//!
//! Near the poles `sin^m θ` underflows long before `λ_lm` becomes significant at high `l`, so
//! starting values are carried as `v · 2^(SCALE_BITS · s)` with an integer `s ≤ 0`; while `s < 0`
//! the value is below `2^−SCALE_BITS` and contributes nothing (libsharp skips these terms the same
//! way), and it is rescaled as it grows. This keeps the transforms exact to `lmax` far above 6000.

/// Bits per scale step: `2^−600 ≈ 2.4e−181` is far below any significant contribution.
pub(crate) const SCALE_BITS: i32 = 600;

/// `2^−SCALE_BITS`.
pub(crate) const SCALE_DOWN: f64 = f64::from_bits(((1023 - SCALE_BITS) as u64) << 52);

/// Tables shared by every `m`: square roots of integers and the `λ_mm` prefactors.
#[derive(Debug)]
pub(crate) struct LegendreTables {
    lmax: usize,
    sqrt_int: Vec<f64>,
    inv_sqrt_int: Vec<f64>,
    /// `|λ_mm(θ)| / sin^m θ`.
    mm_prefactor: Vec<f64>,
}

/// The recurrence coefficients of one `m`, indexed by `l` (entries below `m + 1` unused).
#[derive(Default)]
pub(crate) struct Recurrence {
    /// `α_l = sqrt((4l²−1)/(l²−m²))`.
    pub alpha: Vec<f64>,
    /// `β_l = α_l sqrt(((l−1)²−m²)/(4(l−1)²−1))`.
    pub beta: Vec<f64>,
}

impl LegendreTables {
    /// Tables for multipoles up to `lmax`.
    pub fn new(lmax: usize) -> Self {
        let n = 2 * lmax + 6;
        let sqrt_int: Vec<f64> = (0..n).map(|k| (k as f64).sqrt()).collect();
        let inv_sqrt_int = sqrt_int
            .iter()
            .map(|&s| if s > 0.0 { 1.0 / s } else { 0.0 })
            .collect();
        let mut mm_prefactor = Vec::with_capacity(lmax + 1);
        let mut prod = 1.0 / (4.0 * std::f64::consts::PI); // ∏ (2k−1)/(2k), times 1/4π
        for m in 0..=lmax {
            if m > 0 {
                prod *= (2 * m - 1) as f64 / (2 * m) as f64;
            }
            mm_prefactor.push(((2 * m + 1) as f64 * prod).sqrt());
        }
        LegendreTables {
            lmax,
            sqrt_int,
            inv_sqrt_int,
            mm_prefactor,
        }
    }

    /// `sqrt(k)` from the table (`k ≤ 2 lmax + 5`).
    #[inline]
    pub fn sqrt_int(&self, k: usize) -> f64 {
        self.sqrt_int[k]
    }

    /// Fills the recurrence coefficients of order `m` for `l ≤ lmax + 2` (the extra entries let
    /// unrolled loops step past `lmax` without branches; they are finite and never used).
    pub fn recurrence(&self, m: usize, out: &mut Recurrence) {
        let len = self.lmax + 3;
        out.alpha.clear();
        out.beta.clear();
        out.alpha.resize(len, 0.0);
        out.beta.resize(len, 0.0);
        let (s, is) = (&self.sqrt_int, &self.inv_sqrt_int);
        for l in m + 1..len {
            let a = s[2 * l - 1] * s[2 * l + 1] * is[l - m] * is[l + m];
            let b = if l >= m + 2 {
                s[l - 1 - m] * s[l - 1 + m] * is[2 * l - 3] * is[2 * l - 1]
            } else {
                0.0
            };
            out.alpha[l] = a;
            out.beta[l] = a * b;
        }
    }

    /// `λ_mm(θ)` as `(v, s)` with `λ_mm = v · 2^(SCALE_BITS · s)`, `s ≤ 0`, for `sin θ > 0`.
    pub fn start(&self, m: usize, sin_theta: f64) -> (f64, i32) {
        let (mant, mut exp) = pow_split(sin_theta, m as u32);
        let mut scale = 0;
        while exp < -SCALE_BITS {
            exp += SCALE_BITS;
            scale -= 1;
        }
        let sign = if m % 2 == 1 { -1.0 } else { 1.0 };
        (sign * self.mm_prefactor[m] * mant * pow2(exp), scale)
    }
}

/// `2^e` for `−1022 ≤ e ≤ 1023`.
#[inline]
fn pow2(e: i32) -> f64 {
    f64::from_bits(((1023 + e) as u64) << 52)
}

/// Splits a positive normal `x` into `mantissa ∈ [1, 2)` and exponent.
#[inline]
fn split(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1023;
    (f64::from_bits((bits & !(0x7ff << 52)) | (1023 << 52)), exp)
}

/// `x^n` for positive normal `x` as `(mantissa, exponent)`, without overflow or underflow.
fn pow_split(x: f64, mut n: u32) -> (f64, i32) {
    let (mut base, mut base_exp) = split(x);
    let (mut mant, mut exp) = (1.0, 0i32);
    while n > 0 {
        if n & 1 == 1 {
            let (m, e) = split(mant * base);
            mant = m;
            exp += e + base_exp;
        }
        n >>= 1;
        if n > 0 {
            let (m, e) = split(base * base);
            base = m;
            base_exp = 2 * base_exp + e;
        }
    }
    (mant, exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// λ_lm by the textbook recurrence in plain f64 (fine for small l).
    fn reference(lmax: usize, m: usize, theta: f64) -> Vec<f64> {
        let (x, s) = (theta.cos(), theta.sin());
        let mut out = vec![0.0; lmax + 1];
        let mut mm = 1.0 / (4.0 * std::f64::consts::PI).sqrt();
        for k in 1..=m {
            mm *= -((2 * k + 1) as f64 / (2 * k) as f64).sqrt() * s;
        }
        out[m] = mm;
        for l in m + 1..=lmax {
            let (lf, mf) = (l as f64, m as f64);
            let a = ((4.0 * lf * lf - 1.0) / (lf * lf - mf * mf)).sqrt();
            let b = (((lf - 1.0).powi(2) - mf * mf) / (4.0 * (lf - 1.0).powi(2) - 1.0)).sqrt();
            out[l] = a * (x * out[l - 1] - b * if l >= m + 2 { out[l - 2] } else { 0.0 });
        }
        out
    }

    #[test]
    fn recurrence_matches_textbook_values() {
        let lmax = 40;
        let t = LegendreTables::new(lmax);
        let mut rec = Recurrence::default();
        for m in [0, 1, 5, 40] {
            t.recurrence(m, &mut rec);
            for theta in [0.1, 1.0, 2.5] {
                let want = reference(lmax, m, theta);
                let (mut v, s) = t.start(m, theta.sin());
                assert_eq!(s, 0);
                let mut prev = 0.0;
                for (l, w) in want.iter().enumerate().skip(m) {
                    assert!((v - w).abs() < 1e-13, "l {l} m {m}: {v} vs {w}");
                    let next = rec.alpha[l + 1] * theta.cos() * v - rec.beta[l + 1] * prev;
                    (prev, v) = (v, next);
                }
            }
        }
        // Y_20(θ=0) = sqrt(5/4π).
        assert!(
            (reference(2, 0, 0.0)[2] - (5.0 / (4.0 * std::f64::consts::PI)).sqrt()).abs() < 1e-15
        );
    }

    #[test]
    fn start_values_scale_instead_of_underflowing() {
        let t = LegendreTables::new(8000);
        let (v, s) = t.start(8000, 1e-3);
        assert!(s < 0 && v.is_finite() && v != 0.0);
        // log2 λ_mm = log2(prefactor) + m log2(sin θ), compared with (v, s).
        let want = t.mm_prefactor[8000].log2() + 8000.0 * 1e-3f64.log2();
        let got = v.abs().log2() + (SCALE_BITS * s) as f64;
        assert!((want - got).abs() < 1e-9, "{want} vs {got}");
        let (m, e) = pow_split(0.75, 3);
        assert!((m * pow2(e) - 0.421875).abs() < 1e-16);
    }
}
