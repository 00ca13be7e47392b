//! The Fourier half of ring-based transforms: one real FFT per ring, with the ring's longitude
//! offset `φ0` and the aliasing of `m ≥ nphi` folded in.

use std::collections::HashMap;
use std::f64::consts::PI;
use std::sync::Arc;

use realfft::num_complex::Complex64;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

/// Real FFT plans for every ring length of one nside, and the shared phase table of the
/// equatorial rings.
pub(crate) struct RingFfts {
    forward: HashMap<usize, Arc<dyn RealToComplex<f64>>>,
    inverse: HashMap<usize, Arc<dyn ComplexToReal<f64>>>,
    equator_len: usize,
    /// `e^{iπk/N}` for `k < N = 4 nside` (the shift of half a pixel).
    equator_shift: Vec<Complex64>,
}

/// Per-thread buffers for ring FFTs.
#[derive(Default)]
pub(crate) struct RingScratch {
    spectrum: Vec<Complex64>,
    values: Vec<f64>,
    fft: Vec<Complex64>,
    shift: Vec<Complex64>,
}

/// The phase factor table of a ring: `e^{imφ0}` depends only on `m mod N` and on the parity of
/// `m div N` (`φ0 = π/N` for shifted rings).
struct Shift<'a> {
    table: Option<&'a [Complex64]>,
}

impl Shift<'_> {
    /// `e^{imφ0}` at `m = q N + k` (`k < N`) from `k` and whether `q` is odd.
    #[inline]
    fn at(&self, k: usize, odd_wrap: bool) -> Complex64 {
        match self.table {
            None => Complex64::new(1.0, 0.0),
            Some(t) => {
                let w = t[k];
                if odd_wrap { -w } else { w }
            }
        }
    }
}

/// `(m, m mod n, whether m div n is odd)` for `m` in `first..=last`, counted without a division
/// per order (two integer divisions per order and ring were a tenth of a transform's time).
fn orders_mod(first: usize, last: usize, n: usize) -> impl Iterator<Item = (usize, usize, bool)> {
    let (mut k, mut odd_wrap) = (first % n, (first / n) % 2 == 1);
    (first..=last).map(move |m| {
        let out = (m, k, odd_wrap);
        k += 1;
        if k == n {
            k = 0;
            odd_wrap = !odd_wrap;
        }
        out
    })
}

/// `e^{iπk/n}` for `k < n`, as products of a coarse and a fine table (`2√n` sines and cosines
/// instead of `n`: they were 3 % of a transform's time at nside 256; one rounding more).
fn shift_table(n: usize, out: &mut Vec<Complex64>) {
    let cis = |k: usize| {
        let (s, c) = (PI * k as f64 / n as f64).sin_cos();
        Complex64::new(c, s)
    };
    let step = (n as f64).sqrt().ceil() as usize;
    let fine: Vec<Complex64> = (0..step).map(cis).collect();
    out.clear();
    for coarse in (0..n).step_by(step).map(cis) {
        let left = (n - out.len()).min(step);
        out.extend(fine[..left].iter().map(|f| coarse * f));
    }
}

impl RingFfts {
    /// Plans for the ring lengths `4, 8, …, 4 nside`.
    pub fn new(nside: usize) -> Self {
        let mut planner = RealFftPlanner::<f64>::new();
        let mut forward = HashMap::new();
        let mut inverse = HashMap::new();
        for i in 1..=nside {
            let n = 4 * i;
            forward.insert(n, planner.plan_fft_forward(n));
            inverse.insert(n, planner.plan_fft_inverse(n));
        }
        let mut equator_shift = Vec::new();
        shift_table(4 * nside, &mut equator_shift);
        RingFfts {
            forward,
            inverse,
            equator_len: 4 * nside,
            equator_shift,
        }
    }

    fn shift<'a>(&'a self, n: usize, shifted: bool, buf: &'a mut Vec<Complex64>) -> Shift<'a> {
        if !shifted {
            return Shift { table: None };
        }
        if n == self.equator_len {
            return Shift {
                table: Some(&self.equator_shift),
            };
        }
        if buf.len() != n {
            shift_table(n, buf);
        }
        Shift { table: Some(buf) }
    }

    /// Ring values from Fourier coefficients: `f(φ_j) = Σ_{|m| ≤ mmax} F_m e^{imφ_j}` with
    /// `F_{−m} = conj(F_m)`, `φ_j = φ0 + 2πj/N`. `coeff(m)` gives `F_m`.
    pub fn synthesize(
        &self,
        coeff: impl Fn(usize) -> Complex64,
        mmax: usize,
        shifted: bool,
        out: &mut [f64],
        scratch: &mut RingScratch,
    ) {
        let n = out.len();
        let RingScratch {
            spectrum,
            fft,
            shift,
            ..
        } = scratch;
        let shift = self.shift(n, shifted, shift);
        spectrum.clear();
        spectrum.resize(n / 2 + 1, Complex64::new(0.0, 0.0));
        spectrum[0].re = coeff(0).re;
        for (m, k, odd_wrap) in orders_mod(1, mmax, n) {
            let c = coeff(m) * shift.at(k, odd_wrap);
            if k == 0 {
                spectrum[0].re += 2.0 * c.re;
            } else if 2 * k == n {
                spectrum[k].re += 2.0 * c.re;
            } else if 2 * k < n {
                spectrum[k] += c;
            } else {
                spectrum[n - k] += c.conj();
            }
        }
        let plan = &self.inverse[&n];
        fft.resize(plan.get_scratch_len(), Complex64::new(0.0, 0.0));
        plan.process_with_scratch(spectrum, out, fft)
            .expect("ring spectrum has real DC and Nyquist terms by construction");
    }

    /// Fourier coefficients of a ring times `weight`: `F_m = w Σ_j f_j e^{−imφ_j}` for
    /// `m ≤ mmax`, passed to `emit(m, F_m)`.
    pub fn analyze(
        &self,
        ring: &[f64],
        weight: f64,
        mmax: usize,
        shifted: bool,
        mut emit: impl FnMut(usize, Complex64),
        scratch: &mut RingScratch,
    ) {
        let n = ring.len();
        let RingScratch {
            spectrum,
            values,
            fft,
            shift,
        } = scratch;
        values.clear();
        values.extend_from_slice(ring);
        spectrum.resize(n / 2 + 1, Complex64::new(0.0, 0.0));
        let plan = &self.forward[&n];
        fft.resize(plan.get_scratch_len(), Complex64::new(0.0, 0.0));
        plan.process_with_scratch(values, spectrum, fft)
            .expect("buffer lengths match the plan");
        let shift = self.shift(n, shifted, shift);
        for (m, k, odd_wrap) in orders_mod(0, mmax, n) {
            let x = if 2 * k <= n {
                spectrum[k]
            } else {
                spectrum[n - k].conj()
            };
            emit(m, x * shift.at(k, odd_wrap).conj() * weight);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Direct evaluation of the ring sum, for comparison.
    fn direct(coeffs: &[Complex64], phi0: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|j| {
                let phi = phi0 + 2.0 * PI * j as f64 / n as f64;
                coeffs.iter().enumerate().fold(0.0, |acc, (m, c)| {
                    let e = Complex64::from_polar(1.0, m as f64 * phi);
                    acc + if m == 0 { c.re } else { 2.0 * (c * e).re }
                })
            })
            .collect()
    }

    #[test]
    fn synthesis_folds_high_m_and_shifts() {
        let ffts = RingFfts::new(3);
        let coeffs: Vec<Complex64> = (0..30)
            .map(|m| {
                Complex64::new(
                    (m as f64 * 0.7).sin(),
                    if m == 0 { 0.0 } else { (m as f64).cos() },
                )
            })
            .collect();
        let mut scratch = RingScratch::default();
        for (n, shifted) in [(4, true), (8, true), (12, false), (12, true)] {
            let mut out = vec![0.0; n];
            ffts.synthesize(|m| coeffs[m], 29, shifted, &mut out, &mut scratch);
            let phi0 = if shifted { PI / n as f64 } else { 0.0 };
            let want = direct(&coeffs, phi0, n);
            for (a, b) in out.iter().zip(&want) {
                assert!((a - b).abs() < 1e-12, "n {n}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn orders_mod_counts_like_division() {
        for (first, last, n) in [(0, 40, 4), (1, 29, 12), (5, 5, 8), (13, 100, 7)] {
            let got: Vec<_> = orders_mod(first, last, n).collect();
            let want: Vec<_> = (first..=last)
                .map(|m| (m, m % n, (m / n) % 2 == 1))
                .collect();
            assert_eq!(got, want, "orders {first}..={last}, n {n}");
        }
    }

    #[test]
    fn shift_tables_match_direct_phases() {
        let mut table = Vec::new();
        for n in [4, 12, 100, 1024, 4093] {
            shift_table(n, &mut table);
            assert_eq!(table.len(), n);
            for (k, t) in table.iter().enumerate() {
                let want = Complex64::from_polar(1.0, PI * k as f64 / n as f64);
                assert!((t - want).norm() < 1e-15, "n {n} k {k}: {t} vs {want}");
            }
        }
    }

    #[test]
    fn analysis_is_the_adjoint_sum() {
        let ffts = RingFfts::new(2);
        let ring: Vec<f64> = (0..8)
            .map(|j| (j as f64 * 1.3).cos() + 0.1 * j as f64)
            .collect();
        let mut scratch = RingScratch::default();
        let phi0 = PI / 8.0;
        ffts.analyze(
            &ring,
            0.5,
            11,
            true,
            |m, f| {
                let want: Complex64 = ring
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| {
                        let phi = phi0 + 2.0 * PI * j as f64 / 8.0;
                        Complex64::from_polar(0.5 * v, -(m as f64) * phi)
                    })
                    .sum();
                assert!((f - want).norm() < 1e-12, "m {m}: {f} vs {want}");
            },
            &mut scratch,
        );
    }
}
