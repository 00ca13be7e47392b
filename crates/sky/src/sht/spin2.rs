//! The Legendre half of spin-2 transforms (Q/U ↔ E/B) in HEALPix's convention:
//!
//! `Q_m(θ) = −(a^E F1 + i a^B F2)`, `U_m(θ) = −(a^B F1 − i a^E F2)`, summed over `l ≥ 2`, with
//!
//! `F1 = 2N_l [ −((l − m²)/sin²θ + l(l−1)/2) λ_lm + (cos θ / sin²θ) L λ_{l−1,m} ]`,
//! `F2 = 2N_l (m / sin²θ) [ −(l−1) cos θ λ_lm + L λ_{l−1,m} ]`,
//!
//! `N_l = sqrt((l−2)!/(l+2)!)`, `L = sqrt((2l+1)/(2l−1) (l²−m²))` (HEALPix's `F_{1,lm}`,
//! `F_{2,lm}`, COSMO polarisation convention, as healpy). Analysis is the adjoint.
//!
//! `F1` and `F2` are sums of `λ_lm` and `λ_{l−1,m}` times `1`, `1/sin²θ` or `cos θ/sin²θ`, so
//! `Q` and `U` of a ring are each three sums `Σ_l c_l λ_lm(θ)` — one per ring factor — with
//! coefficients `c_l` mixed from `a^E` and `a^B` ([`Spin2Factors::sequences`]): six spin-0
//! sums, which [`super::spin0`] computes in one pass of the recurrence. The parities come for
//! free: `1/sin²θ` is even under `θ → π − θ`, `cos θ/sin²θ` odd. Analysis forms the six ring
//! inputs (`Q`, `U` times each factor), takes their six sums over rings of `λ_lm`, and mixes
//! them back into `a^E`, `a^B` ([`Spin2Factors::add_eb`]).

use realfft::num_complex::Complex64;

use super::climb::{Arith, Start};
use super::legendre::{EvenRecurrence, LegendreTables};
use super::spin0::{self, FoldLanes, RingValues, StepCoefficients, StepSums};

/// Sequences (synthesis) and inputs (analysis) of a spin-2 transform, in the order
/// `Q·1, Q/sin²θ, Q cos θ/sin²θ, U·1, U/sin²θ, U cos θ/sin²θ`.
pub(crate) const SEQUENCES: usize = 6;

/// Lanes of the partial sums spin-2 analysis keeps per step: two, so that the sums of all steps
/// of an order (24 per step) stay in the cache at nside 1024 (map2alm TQU 4.96 → 4.37 s).
pub(crate) const SPIN2_SUM_LANES: usize = 2;

/// The ring-independent factors of `F1`, `F2` for one `m`, indexed by `l` (zero for `l < 2`):
/// `F1 = (f1_s2 / sin²θ + f1_c) λ_l + f1_l (cos θ / sin²θ) λ_{l−1}`,
/// `F2 = f2_c (cos θ / sin²θ) λ_l + f2_l / sin²θ λ_{l−1}`.
#[derive(Default)]
pub(crate) struct Spin2Factors {
    f1_s2: Vec<f64>,
    f1_c: Vec<f64>,
    f1_l: Vec<f64>,
    f2_c: Vec<f64>,
    f2_l: Vec<f64>,
}

impl Spin2Factors {
    /// Fills the factors of order `m` for `l ≤ lmax + 1` from the integer square-root tables.
    pub fn fill(&mut self, tables: &LegendreTables, m: usize, lmax: usize) {
        let n = lmax + 2;
        for v in [
            &mut self.f1_s2,
            &mut self.f1_c,
            &mut self.f1_l,
            &mut self.f2_c,
            &mut self.f2_l,
        ] {
            v.clear();
            v.resize(n, 0.0);
        }
        let s = |k: usize| tables.sqrt_int(k);
        let mf = m as f64;
        for l in m.max(2)..n {
            let lf = l as f64;
            let norm = 2.0 / (s(l + 2) * s(l + 1) * s(l) * s(l - 1));
            let big_l = s(2 * l + 1) / s(2 * l - 1) * s(l - m) * s(l + m);
            self.f1_s2[l] = norm * (mf * mf - lf);
            self.f1_c[l] = -norm * 0.5 * lf * (lf - 1.0);
            self.f1_l[l] = norm * big_l;
            self.f2_c[l] = -norm * mf * (lf - 1.0);
            self.f2_l[l] = norm * mf * big_l;
        }
    }
}

impl Spin2Factors {
    /// The six coefficient sequences of order `m` (index `j = l − m`) whose spin-0 sums give
    /// `Q` and `U` ([`ring_values`]), from the columns `e[j] = a^E_{m+j,m}`, `b[j] = a^B_{m+j,m}`.
    pub fn sequences(
        &self,
        m: usize,
        e: &[Complex64],
        b: &[Complex64],
        out: &mut [Vec<Complex64>; SEQUENCES],
    ) {
        let zero = Complex64::new(0.0, 0.0);
        let i = Complex64::new(0.0, 1.0);
        for o in out.iter_mut() {
            o.clear();
        }
        for j in 0..e.len() {
            let l = m + j;
            let (ae, ab) = (e[j], b[j]);
            let (ae1, ab1) = (
                e.get(j + 1).copied().unwrap_or(zero),
                b.get(j + 1).copied().unwrap_or(zero),
            );
            let (f1_s2, f1_c, f2_c) = (self.f1_s2[l], self.f1_c[l], self.f2_c[l]);
            let (f1_l1, f2_l1) = (self.f1_l[l + 1], self.f2_l[l + 1]);
            let values = [
                -ae * f1_c,
                -ae * f1_s2 - i * ab1 * f2_l1,
                -ae1 * f1_l1 - i * ab * f2_c,
                -ab * f1_c,
                -ab * f1_s2 + i * ae1 * f2_l1,
                -ab1 * f1_l1 + i * ae * f2_c,
            ];
            for (o, v) in out.iter_mut().zip(values) {
                o.push(v);
            }
        }
    }

    /// The adjoint of [`Spin2Factors::sequences`]: adds to the columns `e`, `b` of order `m`
    /// the coefficients whose six ring inputs have the sums over rings `sums[s][j] =
    /// Σ λ_{m+j,m} x_s`.
    pub fn add_eb(
        &self,
        m: usize,
        sums: &[Vec<Complex64>; SEQUENCES],
        e: &mut [Complex64],
        b: &mut [Complex64],
    ) {
        let i = Complex64::new(0.0, 1.0);
        let zero = Complex64::new(0.0, 0.0);
        let [q, q_s2, q_cs, u, u_s2, u_cs] = sums;
        for j in 0..e.len() {
            let l = m + j;
            let before = |t: &Vec<Complex64>| if j > 0 { t[j - 1] } else { zero };
            let g1 = |x: &Vec<Complex64>, s2: &Vec<Complex64>, cs: &Vec<Complex64>| {
                s2[j] * self.f1_s2[l] + x[j] * self.f1_c[l] + before(cs) * self.f1_l[l]
            };
            let g2 = |s2: &Vec<Complex64>, cs: &Vec<Complex64>| {
                cs[j] * self.f2_c[l] + before(s2) * self.f2_l[l]
            };
            e[j] += -g1(q, q_s2, q_cs) - i * g2(u_s2, u_cs);
            b[j] += -g1(u, u_s2, u_cs) + i * g2(q_s2, q_cs);
        }
    }
}

/// `(1/sin²θ, cos θ/sin²θ)` of a ring pair.
#[inline(always)]
fn ring_factors(start: &Start) -> (f64, f64) {
    let inv_s2 = 1.0 / (start.sin_theta * start.sin_theta);
    (inv_s2, start.cos_theta * inv_s2)
}

/// `[Q north, Q south, U north, U south]` of a ring pair from the six sums `[north, south]`.
#[inline(always)]
fn ring_values(start: &Start, sums: &RingValues<SEQUENCES>) -> [Complex64; 4] {
    let (inv_s2, cs) = ring_factors(start);
    let side = |first: usize, side: usize| {
        let sign = if side == 0 { 1.0 } else { -1.0 };
        sums[first][side] + sums[first + 1][side] * inv_s2 + sums[first + 2][side] * (sign * cs)
    };
    [side(0, 0), side(0, 1), side(3, 0), side(3, 1)]
}

/// Synthesis for one `m`: per ring pair of `chunk`, `dst = [Q north, Q south, U north,
/// U south]` Fourier coefficients from the step coefficients of the six sequences.
#[inline(always)]
pub(crate) fn synthesize<const L: usize, A: Arith>(
    rec: &EvenRecurrence,
    chunk: &[Start],
    coefficients: &[StepCoefficients<SEQUENCES>],
    dst: &mut [[Complex64; 4]],
) {
    let zero = Complex64::new(0.0, 0.0);
    let mut sums = [[[zero; 2]; SEQUENCES]; L];
    spin0::synthesize::<L, SEQUENCES, A>(rec, chunk, coefficients, &mut sums);
    for ((d, s), start) in dst.iter_mut().zip(&sums).zip(chunk) {
        *d = ring_values(start, s);
    }
}

/// Analysis for one `m`: adds to `acc[k]` the partial sums over the ring pairs of `chunk` of
/// the six inputs made from `phases[i] = [Q north, Q south, U north, U south]`, `G` inputs at a
/// time once all lanes are significant (see [`spin0::analyze`]).
#[inline(always)]
pub(crate) fn analyze<const L: usize, const W: usize, const G: usize, A: Arith, F: FoldLanes>(
    rec: &EvenRecurrence,
    chunk: &[Start],
    phases: &[[Complex64; 4]],
    acc: &mut [StepSums<SEQUENCES, SPIN2_SUM_LANES>],
) {
    let zero = Complex64::new(0.0, 0.0);
    let mut inputs = [[[zero; 2]; SEQUENCES]; L];
    for ((input, &[qn, qs, un, us]), start) in inputs.iter_mut().zip(phases).zip(chunk) {
        let (inv_s2, cs) = ring_factors(start);
        *input = [
            [qn, qs],
            [qn * inv_s2, qs * inv_s2],
            [qn * cs, qs * -cs],
            [un, us],
            [un * inv_s2, us * inv_s2],
            [un * cs, us * -cs],
        ];
    }
    spin0::analyze::<L, W, SEQUENCES, G, SPIN2_SUM_LANES, A, F>(
        rec,
        chunk,
        &inputs[..chunk.len()],
        acc,
    );
}
