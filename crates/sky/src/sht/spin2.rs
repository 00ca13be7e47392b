//! The Legendre half of spin-2 transforms (Q/U ↔ E/B) in HEALPix's convention:
//!
//! `Q_m(θ) = −(a^E F1 + i a^B F2)`, `U_m(θ) = −(a^B F1 − i a^E F2)`, summed over `l ≥ 2`, with
//!
//! `F1 = 2N_l [ −((l − m²)/sin²θ + l(l−1)/2) λ_lm + (cos θ / sin²θ) L λ_{l−1,m} ]`,
//! `F2 = 2N_l (m / sin²θ) [ −(l−1) cos θ λ_lm + L λ_{l−1,m} ]`,
//!
//! `N_l = sqrt((l−2)!/(l+2)!)`, `L = sqrt((2l+1)/(2l−1) (l²−m²))` (HEALPix's `F_{1,lm}`,
//! `F_{2,lm}`, COSMO polarisation convention, as healpy). `F1` has the north/south parity of
//! `λ_lm`, `F2` the opposite one. Analysis is the adjoint. The phases of the loops are those of
//! [`super::climb`].

use realfft::num_complex::Complex64;

use super::climb::{Acc, Arith, Climb, Start, per_lane};
use super::legendre::{LegendreTables, Recurrence};

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

/// The five factors of one `l`, loaded once per step.
#[derive(Clone, Copy)]
struct Coeffs {
    f1_s2: f64,
    f1_c: f64,
    f1_l: f64,
    f2_c: f64,
    f2_l: f64,
}

impl Coeffs {
    #[inline(always)]
    fn at(f: &Spin2Factors, l: usize) -> Self {
        Coeffs {
            f1_s2: f.f1_s2[l],
            f1_c: f.f1_c[l],
            f1_l: f.f1_l[l],
            f2_c: f.f2_c[l],
            f2_l: f.f2_l[l],
        }
    }

    /// `(F1, F2)` of one lane from `λ_l`, `λ_{l−1}`, `1/sin²θ`, `cos θ/sin²θ`.
    #[inline(always)]
    fn f1f2<A: Arith>(&self, lam: f64, lam1: f64, inv_s2: f64, cs: f64) -> (f64, f64) {
        let f1 = A::fma(
            A::fma(self.f1_s2, inv_s2, self.f1_c),
            lam,
            self.f1_l * cs * lam1,
        );
        let f2 = A::fma(self.f2_c * cs, lam, self.f2_l * inv_s2 * lam1);
        (f1, f2)
    }
}

/// [`add_synth`] for lane `k` alone (the body of the unrolled loops).
#[inline(always)]
fn synth_lane<const L: usize, A: Arith>(
    k: usize,
    f1: f64,
    f2: f64,
    ae: Complex64,
    ab: Complex64,
    to1: &mut [[f64; L]; 4],
    to2: &mut [[f64; L]; 4],
) {
    to1[0][k] = A::fma(-ae.re, f1, to1[0][k]);
    to1[1][k] = A::fma(-ae.im, f1, to1[1][k]);
    to1[2][k] = A::fma(-ab.re, f1, to1[2][k]);
    to1[3][k] = A::fma(-ab.im, f1, to1[3][k]);
    to2[0][k] = A::fma(ab.im, f2, to2[0][k]);
    to2[1][k] = A::fma(-ab.re, f2, to2[1][k]);
    to2[2][k] = A::fma(-ae.im, f2, to2[2][k]);
    to2[3][k] = A::fma(ae.re, f2, to2[3][k]);
}

/// [`add_analysis`] for lane `k` alone.
#[inline(always)]
fn analysis_lane<const L: usize, A: Arith>(
    k: usize,
    f1: f64,
    f2: f64,
    c1: &[[f64; L]; 4],
    c2: &[[f64; L]; 4],
    out: &mut [Acc; 4],
) {
    out[0][k] += A::fma(-f1, c1[0][k], f2 * c2[3][k]);
    out[1][k] -= A::fma(f1, c1[1][k], f2 * c2[2][k]);
    out[2][k] -= A::fma(f2, c2[1][k], f1 * c1[2][k]);
    out[3][k] += A::fma(f2, c2[0][k], -f1 * c1[3][k]);
}

/// Per-lane `1/sin²θ` and `cos θ / sin²θ` of a chunk (0 for missing lanes).
#[inline(always)]
fn ring_terms<const L: usize>(chunk: &[Start]) -> ([f64; L], [f64; L]) {
    let mut inv_s2 = [0.0; L];
    let mut cs = [0.0; L];
    for (k, p) in chunk.iter().enumerate().take(L) {
        inv_s2[k] = 1.0 / (p.sin_theta * p.sin_theta);
        cs[k] = p.cos_theta * inv_s2[k];
    }
    (inv_s2, cs)
}

/// `(F1, F2)` per lane at `l` from `λ_l`, `λ_{l−1}`.
#[inline(always)]
fn f1f2<const L: usize, A: Arith>(
    f: &Spin2Factors,
    l: usize,
    lam: &[f64; L],
    lam1: &[f64; L],
    inv_s2: &[f64; L],
    cs: &[f64; L],
) -> ([f64; L], [f64; L]) {
    let (a, b, c, d, e) = (f.f1_s2[l], f.f1_c[l], f.f1_l[l], f.f2_c[l], f.f2_l[l]);
    let f1 = per_lane(|k| A::fma(A::fma(a, inv_s2[k], b), lam[k], c * cs[k] * lam1[k]));
    let f2 = per_lane(|k| A::fma(d * cs[k], lam[k], e * inv_s2[k] * lam1[k]));
    (f1, f2)
}

/// Adds the synthesis terms of one `l`: `F1` parts to `to1`, `F2` parts to `to2`
/// (`[Q re, Q im, U re, U im]` lanes).
#[inline(always)]
fn add_synth<const L: usize, A: Arith>(
    f1: &[f64; L],
    f2: &[f64; L],
    ae: Complex64,
    ab: Complex64,
    to1: &mut [[f64; L]; 4],
    to2: &mut [[f64; L]; 4],
) {
    for k in 0..L {
        to1[0][k] = A::fma(-ae.re, f1[k], to1[0][k]);
        to1[1][k] = A::fma(-ae.im, f1[k], to1[1][k]);
        to1[2][k] = A::fma(-ab.re, f1[k], to1[2][k]);
        to1[3][k] = A::fma(-ab.im, f1[k], to1[3][k]);
        to2[0][k] = A::fma(ab.im, f2[k], to2[0][k]);
        to2[1][k] = A::fma(-ab.re, f2[k], to2[1][k]);
        to2[2][k] = A::fma(-ae.im, f2[k], to2[2][k]);
        to2[3][k] = A::fma(ae.re, f2[k], to2[3][k]);
    }
}

/// Synthesis for one `m`: per ring pair of `chunk`,
/// `dst = [Q north, Q south, U north, U south]` Fourier coefficients from `e[i] = a^E_{m+i,m}`,
/// `b[i] = a^B_{m+i,m}`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn synthesize<const L: usize, A: Arith>(
    rec: &Recurrence,
    fac: &Spin2Factors,
    m: usize,
    chunk: &[Start],
    e: &[Complex64],
    b: &[Complex64],
    dst: &mut [[Complex64; 4]],
) {
    let lmax = m + e.len() - 1;
    let (inv_s2, cs) = ring_terms::<L>(chunk);
    let mut climb = Climb::<L>::start(m, chunk);
    climb.skip_negligible::<A>(rec, lmax);
    // acc[0]: terms with the parity of the north ring (symmetric), acc[1]: antisymmetric.
    let mut acc = [[[0.0; L]; 4]; 2];
    while climb.l <= lmax && !climb.all_live() {
        let l = climb.l;
        let live = climb.live();
        let lam: [f64; L] = per_lane(|k| climb.cur[k] * live[k]);
        let lam1: [f64; L] = per_lane(|k| climb.prev[k] * live[k]);
        let (f1, f2) = f1f2::<L, A>(fac, l, &lam, &lam1, &inv_s2, &cs);
        let [sym, anti] = &mut acc;
        let (to1, to2) = if (l - m) & 1 == 0 {
            (sym, anti)
        } else {
            (anti, sym)
        };
        add_synth::<L, A>(&f1, &f2, e[l - m], b[l - m], to1, to2);
        climb.step::<A>(rec);
    }
    // Locals, not references into `acc`, so that the accumulators stay in registers.
    let first = (climb.l - m) & 1;
    let (mut ta, mut tb) = (acc[first], acc[1 - first]);
    let (x, mut p1, mut p0) = (climb.x, climb.prev, climb.cur);
    let mut l = climb.l;
    while l < lmax {
        let (ae0, ab0, ae1, ab1) = (e[l - m], b[l - m], e[l + 1 - m], b[l + 1 - m]);
        let g0 = Coeffs::at(fac, l);
        let g1 = Coeffs::at(fac, l + 1);
        let (al1, be1) = (rec.alpha[l + 1], rec.beta[l + 1]);
        let (al2, be2) = (rec.alpha[l + 2], rec.beta[l + 2]);
        for k in 0..L {
            let (f1, f2) = g0.f1f2::<A>(p0[k], p1[k], inv_s2[k], cs[k]);
            synth_lane::<L, A>(k, f1, f2, ae0, ab0, &mut ta, &mut tb);
            let p2 = A::fma(al1 * x[k], p0[k], -be1 * p1[k]);
            let (f1, f2) = g1.f1f2::<A>(p2, p0[k], inv_s2[k], cs[k]);
            synth_lane::<L, A>(k, f1, f2, ae1, ab1, &mut tb, &mut ta);
            p1[k] = p2;
            p0[k] = A::fma(al2 * x[k], p2, -be2 * p0[k]);
        }
        l += 2;
    }
    if l == lmax {
        let (f1, f2) = f1f2::<L, A>(fac, l, &p0, &p1, &inv_s2, &cs);
        add_synth::<L, A>(&f1, &f2, e[l - m], b[l - m], &mut ta, &mut tb);
    }
    let (sym, anti) = if first == 0 { (ta, tb) } else { (tb, ta) };
    for (k, d) in dst.iter_mut().enumerate().take(L) {
        let c = |i: usize, sign: f64| {
            Complex64::new(
                sym[i][k] + sign * anti[i][k],
                sym[i + 1][k] + sign * anti[i + 1][k],
            )
        };
        *d = [c(0, 1.0), c(0, -1.0), c(2, 1.0), c(2, -1.0)];
    }
}

/// Adds the analysis terms of one `l` to `out = [E re, E im, B re, B im]` lanes; `c1` are the
/// ring coefficients combined with `F1`'s parity, `c2` with `F2`'s.
#[inline(always)]
fn add_analysis<const L: usize, A: Arith>(
    f1: &[f64; L],
    f2: &[f64; L],
    c1: &[[f64; L]; 4],
    c2: &[[f64; L]; 4],
    out: &mut [Acc; 4],
) {
    for k in 0..L {
        out[0][k] += A::fma(-f1[k], c1[0][k], f2[k] * c2[3][k]);
        out[1][k] -= A::fma(f1[k], c1[1][k], f2[k] * c2[2][k]);
        out[2][k] -= A::fma(f2[k], c2[1][k], f1[k] * c1[2][k]);
        out[3][k] += A::fma(f2[k], c2[0][k], -f1[k] * c1[3][k]);
    }
}

/// Analysis for one `m`: adds to `acc[i] = [E re, E im, B re, B im]` lanes of `l = m + i` the
/// adjoint sums of the ring coefficients `phases[k] = [Q north, Q south, U north, U south]`.
#[inline(always)]
pub(crate) fn analyze<const L: usize, A: Arith>(
    rec: &Recurrence,
    fac: &Spin2Factors,
    m: usize,
    chunk: &[Start],
    phases: &[[Complex64; 4]],
    acc: &mut [[Acc; 4]],
) {
    let lmax = m + acc.len() - 1;
    let (inv_s2, cs) = ring_terms::<L>(chunk);
    // comb[0] = north + south (even parity), comb[1] = north − south; [Q re, Q im, U re, U im].
    let mut comb = [[[0.0; L]; 4]; 2];
    for (k, &[qn, qs, un, us]) in phases.iter().enumerate().take(L) {
        let parts = [
            (qn.re, qs.re),
            (qn.im, qs.im),
            (un.re, us.re),
            (un.im, us.im),
        ];
        for (i, (n, s)) in parts.into_iter().enumerate() {
            comb[0][i][k] = n + s;
            comb[1][i][k] = n - s;
        }
    }
    let mut climb = Climb::<L>::start(m, chunk);
    climb.skip_negligible::<A>(rec, lmax);
    while climb.l <= lmax && !climb.all_live() {
        let l = climb.l;
        let live = climb.live();
        let lam: [f64; L] = per_lane(|k| climb.cur[k] * live[k]);
        let lam1: [f64; L] = per_lane(|k| climb.prev[k] * live[k]);
        let (f1, f2) = f1f2::<L, A>(fac, l, &lam, &lam1, &inv_s2, &cs);
        let p = (l - m) & 1;
        add_analysis::<L, A>(&f1, &f2, &comb[p], &comb[1 - p], &mut acc[l - m]);
        climb.step::<A>(rec);
    }
    let p = (climb.l - m) & 1;
    let (ca, cb) = (&comb[p], &comb[1 - p]);
    let (x, mut p1, mut p0) = (climb.x, climb.prev, climb.cur);
    let mut l = climb.l;
    while l < lmax {
        let g0 = Coeffs::at(fac, l);
        let g1 = Coeffs::at(fac, l + 1);
        let (al1, be1) = (rec.alpha[l + 1], rec.beta[l + 1]);
        let (al2, be2) = (rec.alpha[l + 2], rec.beta[l + 2]);
        let (lo, hi) = acc.split_at_mut(l + 1 - m);
        let (out0, out1) = (&mut lo[l - m], &mut hi[0]);
        for k in 0..L {
            let (f1, f2) = g0.f1f2::<A>(p0[k], p1[k], inv_s2[k], cs[k]);
            analysis_lane::<L, A>(k, f1, f2, ca, cb, out0);
            let p2 = A::fma(al1 * x[k], p0[k], -be1 * p1[k]);
            let (f1, f2) = g1.f1f2::<A>(p2, p0[k], inv_s2[k], cs[k]);
            analysis_lane::<L, A>(k, f1, f2, cb, ca, out1);
            p1[k] = p2;
            p0[k] = A::fma(al2 * x[k], p2, -be2 * p0[k]);
        }
        l += 2;
    }
    if l == lmax {
        let (f1, f2) = f1f2::<L, A>(fac, l, &p0, &p1, &inv_s2, &cs);
        add_analysis::<L, A>(&f1, &f2, ca, cb, &mut acc[l - m]);
    }
}
