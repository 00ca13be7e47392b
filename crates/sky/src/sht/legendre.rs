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

use realfft::num_complex::Complex64;

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
    /// `mm_prefactor[m + 1] / mm_prefactor[m]`.
    mm_ratio: Vec<f64>,
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
        let mm_ratio = mm_prefactor.windows(2).map(|w| w[1] / w[0]).collect();
        LegendreTables {
            lmax,
            sqrt_int,
            inv_sqrt_int,
            mm_prefactor,
            mm_ratio,
        }
    }

    /// The largest multipole.
    pub fn lmax(&self) -> usize {
        self.lmax
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

    /// `|λ_{m+1,m+1}(θ) / λ_mm(θ)| / sin θ` (the sign alternates).
    pub fn start_ratio(&self, m: usize) -> f64 {
        self.mm_ratio[m]
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

/// The recurrence of order `m` over even `l − m`, two multipoles per step, in `y = cos²θ`.
///
/// Writing `j = l − m`, `λ_{m+2k}(θ) = ρ_k r_k(y)` and `λ_{m+2k+1}(θ) = cos θ · q_k(y)`, where the
/// rescaled even functions obey `r_{k+1} = (Ã_k y + B̃_k) r_k + r_{k−1}` (eliminating the odd
/// terms from two steps of the recurrence in `l` gives `r_{k+1} = (A y + B) r_k + C r_{k−1}`;
/// the scales `ρ_{k+1} = C_k ρ_{k−1}` make `C` one, so a step is two fused multiply-adds). The
/// odd functions are sums of the even ones, `q_k = a_{2k+1} ρ_k r_k − b_{2k+1} q_{k−1}` (with
/// `a_j`, `b_j` the coefficients of [`Recurrence`] at `l = m + j`), so a sum over all `l` becomes
/// two sums over the even functions — one for even `l − m`, one for odd, multiplied by `cos θ`
/// at the end — once the coefficients are transformed ([`EvenRecurrence::to_even_odd`] and its
/// adjoint [`EvenRecurrence::add_from_even_odd`], both linear in `lmax`). Per ring and pair of
/// multipoles this is six multiply-adds (four sums, two for the recurrence) where the recurrence
/// in `l` takes ten; libsharp and ducc0 compute their spin-0 transforms this way.
#[derive(Default)]
pub(crate) struct EvenRecurrence {
    /// `[Ã_k, B̃_k]` for `k = 0..=K` (the last entry only lets unrolled loops step past `K`).
    pub step: Vec<[f64; 2]>,
    /// `ρ_k`, `k = 0..=K`.
    rho: Vec<f64>,
    /// `a_{2k+1}`, `k = 0..=K`.
    odd_alpha: Vec<f64>,
    /// `b_{2k+1}`, `k = 0..=K + 1` (`b_1 = 0`; the last entry is never used).
    odd_beta: Vec<f64>,
    /// `lmax − m`.
    span: usize,
}

impl EvenRecurrence {
    /// Fills the coefficients of order `m` up to `lmax` from the recurrence in `l` of that order.
    pub fn fill(&mut self, rec: &Recurrence, m: usize, lmax: usize) {
        let span = lmax - m;
        let kmax = span / 2;
        let a = |j: usize| rec.alpha[m + j];
        let b = |j: usize| if j >= 2 { rec.beta[m + j] } else { 0.0 };
        self.span = span;
        self.step.clear();
        self.rho.clear();
        self.odd_alpha.clear();
        self.odd_beta.clear();
        self.rho.extend([1.0, 1.0]);
        for k in 0..=kmax {
            let big_a = a(2 * k + 2) * a(2 * k + 1);
            let (big_b, big_c) = if k == 0 {
                (-b(2), 0.0)
            } else {
                let t = a(2 * k + 2) * b(2 * k + 1) / a(2 * k);
                (-b(2 * k + 2) - t, -t * b(2 * k))
            };
            if k >= 1 {
                self.rho.push(big_c * self.rho[k - 1]);
            }
            let ratio = self.rho[k] / self.rho[k + 1];
            self.step.push([big_a * ratio, big_b * ratio]);
            self.odd_alpha.push(a(2 * k + 1));
            self.odd_beta.push(b(2 * k + 1));
        }
        self.rho.truncate(kmax + 1);
        // b_{2K+3} multiplies h_{K+1} = 0: any finite value.
        self.odd_beta.push(0.0);
    }

    /// Even steps `K + 1` (`k = 0..=K` with `2K ≤ lmax − m`).
    pub fn len(&self) -> usize {
        self.span / 2 + 1
    }

    /// The coefficients of the two even sums from a column `c_j = a_{m+j, m}` (`j = 0..=lmax −
    /// m`): `Σ_j c_j λ_{m+j} = Σ_k even_k r_k + cos θ Σ_k odd_k r_k`.
    pub fn to_even_odd(
        &self,
        column: &[Complex64],
        even: &mut Vec<Complex64>,
        odd: &mut Vec<Complex64>,
    ) {
        let n = self.len();
        even.clear();
        even.extend((0..n).map(|k| column[2 * k] * self.rho[k]));
        odd.clear();
        odd.resize(n, Complex64::new(0.0, 0.0));
        // h_k = c_{2k+1} − b_{2k+3} h_{k+1}, from the top.
        let mut h = Complex64::new(0.0, 0.0);
        for k in (0..n).rev() {
            if 2 * k < self.span {
                h = column[2 * k + 1] - h * self.odd_beta[k + 1];
                odd[k] = h * (self.odd_alpha[k] * self.rho[k]);
            }
        }
    }

    /// The adjoint of [`EvenRecurrence::to_even_odd`]: adds to `column` the coefficients whose
    /// even sums are `even_k = Σ r_k f_even`, `odd_k = Σ r_k cos θ f_odd`.
    pub fn add_from_even_odd(
        &self,
        even: &[Complex64],
        odd: &[Complex64],
        column: &mut [Complex64],
    ) {
        let mut previous_odd = Complex64::new(0.0, 0.0);
        for k in 0..self.len() {
            column[2 * k] += even[k] * self.rho[k];
            if 2 * k < self.span {
                let c =
                    odd[k] * (self.odd_alpha[k] * self.rho[k]) - previous_odd * self.odd_beta[k];
                column[2 * k + 1] += c;
                previous_odd = c;
            }
        }
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

    /// The even-step recurrence and the coefficient transforms reproduce `Σ_l c_l λ_lm(±θ)`
    /// of the textbook recurrence, and the analysis transform is the synthesis one's adjoint.
    #[test]
    fn even_steps_sum_like_the_recurrence_in_l() {
        let lmax = 41;
        let t = LegendreTables::new(lmax);
        let mut rec = Recurrence::default();
        let mut even_rec = EvenRecurrence::default();
        let (mut even, mut odd) = (Vec::new(), Vec::new());
        for m in [0, 1, 6, 40, 41] {
            t.recurrence(m, &mut rec);
            even_rec.fill(&rec, m, lmax);
            let column: Vec<Complex64> = (m..=lmax)
                .map(|l| Complex64::new((l as f64 * 0.37).sin(), (l as f64 * 0.11).cos()))
                .collect();
            even_rec.to_even_odd(&column, &mut even, &mut odd);
            for theta in [0.2, 1.1, 1.9] {
                let (x, y) = (f64::cos(theta), f64::cos(theta).powi(2));
                let lambda = reference(lmax, m, theta);
                let want: Complex64 = column.iter().zip(&lambda[m..]).map(|(c, l)| c * l).sum();
                let (mut prev, mut cur) = (0.0, t.start(m, theta.sin()).0);
                let (mut e, mut o) = (Complex64::new(0.0, 0.0), Complex64::new(0.0, 0.0));
                for k in 0..even_rec.len() {
                    e += even[k] * cur;
                    o += odd[k] * cur;
                    let [a, b] = even_rec.step[k];
                    (prev, cur) = (cur, (a * y + b) * cur + prev);
                }
                let got = e + o * x;
                assert!(
                    (got - want).norm() < 1e-12,
                    "m {m} θ {theta}: {got} vs {want}"
                );
            }
            // <to_even_odd(c), (u, v)> = <c, add_from_even_odd(u, v)> for real weights.
            let n = even_rec.len();
            let u: Vec<Complex64> = (0..n)
                .map(|k| Complex64::new(0.3 * k as f64, 1.0))
                .collect();
            let v: Vec<Complex64> = (0..n)
                .map(|k| Complex64::new(1.0, -0.2 * k as f64))
                .collect();
            let mut back = vec![Complex64::new(0.0, 0.0); column.len()];
            even_rec.add_from_even_odd(&u, &v, &mut back);
            let dot = |a: &[Complex64], b: &[Complex64]| -> f64 {
                a.iter()
                    .zip(b)
                    .map(|(p, q)| p.re * q.re + p.im * q.im)
                    .sum()
            };
            let lhs = dot(&even, &u) + dot(&odd, &v);
            let rhs = dot(&column, &back);
            assert!(
                (lhs - rhs).abs() < 1e-9 * lhs.abs().max(1.0),
                "m {m}: {lhs} vs {rhs}"
            );
        }
    }

    /// The addition theorem `λ_l0² + 2 Σ_{m≥1} λ_lm² = (2l+1)/4π` at every `l ≤ 6000`, for
    /// rings near the pole, at mid latitude and near the equator: the tables, the scaled starting
    /// values and the recurrence stay accurate at high multipoles (values still scaled below
    /// `2^−600` count as zero, as in the kernels).
    #[test]
    fn addition_theorem_holds_to_lmax_6000() {
        let lmax = 6000;
        let t = LegendreTables::new(lmax);
        let mut rec = Recurrence::default();
        for theta in [0.002f64, 0.7, 1.5] {
            let mut sums = vec![0.0; lmax + 1];
            for m in 0..=lmax {
                t.recurrence(m, &mut rec);
                let (mut v, mut scale) = t.start(m, theta.sin());
                let mut prev = 0.0;
                let weight = if m == 0 { 1.0 } else { 2.0 };
                for (l, sum) in sums.iter_mut().enumerate().skip(m) {
                    if scale == 0 {
                        *sum += weight * v * v;
                    }
                    let next = rec.alpha[l + 1] * theta.cos() * v - rec.beta[l + 1] * prev;
                    (prev, v) = (v, next);
                    if scale < 0 && v.abs() > 1.0 {
                        (prev, v, scale) = (prev * SCALE_DOWN, v * SCALE_DOWN, scale + 1);
                    }
                }
            }
            // Near the pole the input itself limits the accuracy: 1 − cos θ (2e-6 at θ = 0.002)
            // carries a relative rounding error of ~5e-11, which λ_l0 amplifies by ~l²(1 − cos θ).
            // Measured worst: 1.4e-10 at θ = 0.002, 2.7e-13 at θ = 0.7 and 1.5.
            let tolerance = if theta < 0.01 { 1e-9 } else { 1e-12 };
            for (l, got) in sums.iter().enumerate() {
                let want = (2 * l + 1) as f64 / (4.0 * std::f64::consts::PI);
                let error = (got / want - 1.0).abs();
                assert!(error < tolerance, "θ {theta}, l {l}: {got} vs {want}");
            }
        }
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
