//! The Legendre half of spin-0 transforms: for one `m` and a few ring pairs at once, sum
//! `a_lm λ_lm(θ)` over `l` (synthesis) or accumulate `λ_lm(θ) F_m(θ)` into `a_lm` (analysis).
//!
//! The rings of a chunk are SIMD lanes: every loop body below runs the same arithmetic on `L`
//! independent values, which the compiler turns into vector instructions (see [`super::simd`]
//! for the instruction sets). North and south rings share `|λ_lm|`
//! (`λ_lm(π−θ) = (−1)^(l+m) λ_lm(θ)`), so even and odd `l − m` are summed apart and combined at
//! the end: half the Legendre work.
//!
//! Each transform runs in three phases per chunk: while every lane's `λ_lm` is still below
//! `2^−600` only the recurrence runs (nothing to add); while some lanes are significant and
//! others not, contributions are masked; once all are significant, an unrolled loop without
//! checks does the bulk of the work.

use realfft::num_complex::Complex64;

use super::legendre::{LegendreTables, Recurrence, SCALE_DOWN};
use super::rings::RingPair;

/// The most lanes any instruction set uses; per-lane accumulators are this wide.
pub(crate) const MAX_LANES: usize = 16;

/// Per-lane partial sums (only the first `L` entries are used).
pub(crate) type Acc = [f64; MAX_LANES];

/// Multiply-add as the instruction set does it best.
pub(crate) trait Arith {
    /// `a · b + c`.
    fn fma(a: f64, b: f64, c: f64) -> f64;
}

/// Separate multiply and add (no FMA unit assumed).
pub(crate) struct Plain;

impl Arith for Plain {
    #[inline(always)]
    fn fma(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// Fused multiply-add (only where the CPU has it: a software `fma` would be slow).
pub(crate) struct Fused;

impl Arith for Fused {
    #[inline(always)]
    fn fma(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

/// The recurrence state of a chunk of `L` ring pairs for one `m`.
pub(crate) struct Climb<const L: usize> {
    /// `cos θ` per lane.
    pub x: [f64; L],
    /// `λ_{l−1}` (scaled).
    pub prev: [f64; L],
    /// `λ_l` (scaled).
    pub cur: [f64; L],
    /// Scale exponent per lane; `< 0` means "still negligible".
    pub scale: [i32; L],
    /// The current `l`.
    pub l: usize,
}

impl<const L: usize> Climb<L> {
    /// Starts at `l = m` for the rings of `chunk` (at most `L`; missing lanes stay zero).
    #[inline(always)]
    pub fn start(tables: &LegendreTables, m: usize, chunk: &[RingPair]) -> Self {
        let mut c = Climb {
            x: [0.0; L],
            prev: [0.0; L],
            cur: [0.0; L],
            scale: [0; L],
            l: m,
        };
        for (k, p) in chunk.iter().enumerate().take(L) {
            c.x[k] = p.cos_theta;
            (c.cur[k], c.scale[k]) = tables.start(m, p.sin_theta);
        }
        c
    }

    /// Whether every lane is significant (unscaled).
    #[inline(always)]
    pub fn all_live(&self) -> bool {
        self.scale.iter().all(|&s| s == 0)
    }

    /// The factor (0 or 1) that silences lanes whose value is still negligible.
    #[inline(always)]
    pub fn live(&self) -> [f64; L] {
        std::array::from_fn(|k| if self.scale[k] == 0 { 1.0 } else { 0.0 })
    }

    /// One step `l → l + 1`, rescaling lanes that have grown past 1 while scaled.
    #[inline(always)]
    pub fn step<A: Arith>(&mut self, rec: &Recurrence) {
        let (a, b) = (rec.alpha[self.l + 1], rec.beta[self.l + 1]);
        let mut grown = false;
        for k in 0..L {
            let next = A::fma(a * self.x[k], self.cur[k], -b * self.prev[k]);
            self.prev[k] = self.cur[k];
            self.cur[k] = next;
            grown |= (self.scale[k] < 0) & (next.abs() > 1.0);
        }
        if grown {
            for k in 0..L {
                if self.scale[k] < 0 && self.cur[k].abs() > 1.0 {
                    self.prev[k] *= SCALE_DOWN;
                    self.cur[k] *= SCALE_DOWN;
                    self.scale[k] += 1;
                }
            }
        }
        self.l += 1;
    }

    /// Climbs without adding anything while every lane is negligible (stops at `lmax + 1`).
    #[inline(always)]
    pub fn skip_negligible<A: Arith>(&mut self, rec: &Recurrence, lmax: usize) {
        while self.l <= lmax && self.scale.iter().all(|&s| s < 0) {
            self.step::<A>(rec);
        }
    }
}

/// Synthesis for one `m`: per ring pair of `chunk`, `dst = [north, south]` sums
/// `Σ_l a_lm λ_lm(±θ)`, where `alm[i] = a_{m+i, m}`.
#[inline(always)]
pub(crate) fn synthesize<const L: usize, A: Arith>(
    tables: &LegendreTables,
    rec: &Recurrence,
    m: usize,
    chunk: &[RingPair],
    alm: &[Complex64],
    dst: &mut [[Complex64; 2]],
) {
    let lmax = m + alm.len() - 1;
    let mut climb = Climb::<L>::start(tables, m, chunk);
    climb.skip_negligible::<A>(rec, lmax);
    // acc[parity] = (re, im) sums over l with (l − m) % 2 == parity.
    let mut acc = [[[0.0; L]; 2]; 2];
    while climb.l <= lmax && !climb.all_live() {
        let a = alm[climb.l - m];
        let live = climb.live();
        let p = (climb.l - m) & 1;
        for k in 0..L {
            let v = climb.cur[k] * live[k];
            acc[p][0][k] = A::fma(a.re, v, acc[p][0][k]);
            acc[p][1][k] = A::fma(a.im, v, acc[p][1][k]);
        }
        climb.step::<A>(rec);
    }
    // The unrolled loop adds l to `sa` and l + 1 to `sb`: locals (not references) so that they
    // live in vector registers.
    let first = (climb.l - m) & 1;
    let (mut sa, mut sb) = (acc[first], acc[1 - first]);
    let (x, mut p1, mut p0) = (climb.x, climb.prev, climb.cur);
    let mut l = climb.l;
    while l < lmax {
        let (a0, a1) = (alm[l - m], alm[l + 1 - m]);
        let (al1, be1) = (rec.alpha[l + 1], rec.beta[l + 1]);
        let (al2, be2) = (rec.alpha[l + 2], rec.beta[l + 2]);
        for k in 0..L {
            sa[0][k] = A::fma(a0.re, p0[k], sa[0][k]);
            sa[1][k] = A::fma(a0.im, p0[k], sa[1][k]);
            let p2 = A::fma(al1 * x[k], p0[k], -be1 * p1[k]);
            sb[0][k] = A::fma(a1.re, p2, sb[0][k]);
            sb[1][k] = A::fma(a1.im, p2, sb[1][k]);
            p1[k] = p2;
            p0[k] = A::fma(al2 * x[k], p2, -be2 * p0[k]);
        }
        l += 2;
    }
    if l == lmax {
        let a0 = alm[l - m];
        for k in 0..L {
            sa[0][k] = A::fma(a0.re, p0[k], sa[0][k]);
            sa[1][k] = A::fma(a0.im, p0[k], sa[1][k]);
        }
    }
    let (even, odd) = if first == 0 { (sa, sb) } else { (sb, sa) };
    for (k, d) in dst.iter_mut().enumerate().take(L) {
        let e = Complex64::new(even[0][k], even[1][k]);
        let o = Complex64::new(odd[0][k], odd[1][k]);
        *d = [e + o, e - o];
    }
}

/// Analysis for one `m`: adds `Σ_rings λ_lm(θ) F_m(θ)` to `acc` (per-lane partial sums,
/// reduced by the caller), where `phases[k] = [F_m(θ_k), F_m(π − θ_k)]` for each ring pair of
/// `chunk`. `acc[i]` collects `a_{m+i, m}` as `[re lanes, im lanes]`.
#[inline(always)]
pub(crate) fn analyze<const L: usize, A: Arith>(
    tables: &LegendreTables,
    rec: &Recurrence,
    m: usize,
    chunk: &[RingPair],
    phases: &[[Complex64; 2]],
    acc: &mut [[Acc; 2]],
) {
    let lmax = m + acc.len() - 1;
    // Even l − m sees north + south, odd sees north − south.
    let mut src = [[[0.0; L]; 2]; 2];
    for (k, &[n, s]) in phases.iter().enumerate().take(L) {
        src[0][0][k] = n.re + s.re;
        src[0][1][k] = n.im + s.im;
        src[1][0][k] = n.re - s.re;
        src[1][1][k] = n.im - s.im;
    }
    let mut climb = Climb::<L>::start(tables, m, chunk);
    climb.skip_negligible::<A>(rec, lmax);
    while climb.l <= lmax && !climb.all_live() {
        let live = climb.live();
        let p = (climb.l - m) & 1;
        let out = &mut acc[climb.l - m];
        for k in 0..L {
            let v = climb.cur[k] * live[k];
            out[0][k] = A::fma(v, src[p][0][k], out[0][k]);
            out[1][k] = A::fma(v, src[p][1][k], out[1][k]);
        }
        climb.step::<A>(rec);
    }
    let first = (climb.l - m) & 1;
    let (sa, sb) = (src[first], src[1 - first]);
    let (x, mut p1, mut p0) = (climb.x, climb.prev, climb.cur);
    let mut l = climb.l;
    while l < lmax {
        let (al1, be1) = (rec.alpha[l + 1], rec.beta[l + 1]);
        let (al2, be2) = (rec.alpha[l + 2], rec.beta[l + 2]);
        let (lo, hi) = acc.split_at_mut(l + 1 - m);
        let (out0, out1) = (&mut lo[l - m], &mut hi[0]);
        for k in 0..L {
            out0[0][k] = A::fma(p0[k], sa[0][k], out0[0][k]);
            out0[1][k] = A::fma(p0[k], sa[1][k], out0[1][k]);
            let p2 = A::fma(al1 * x[k], p0[k], -be1 * p1[k]);
            out1[0][k] = A::fma(p2, sb[0][k], out1[0][k]);
            out1[1][k] = A::fma(p2, sb[1][k], out1[1][k]);
            p1[k] = p2;
            p0[k] = A::fma(al2 * x[k], p2, -be2 * p0[k]);
        }
        l += 2;
    }
    if l == lmax {
        let out = &mut acc[l - m];
        for k in 0..L {
            out[0][k] = A::fma(p0[k], sa[0][k], out[0][k]);
            out[1][k] = A::fma(p0[k], sa[1][k], out[1][k]);
        }
    }
}
