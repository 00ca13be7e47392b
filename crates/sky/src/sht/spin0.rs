//! The Legendre sums of the transforms: for one `m` and a chunk of ring pairs at once, sum
//! `c_k r_k(θ)` over the steps of a three-term recurrence (synthesis, [`climb_sums`]), or
//! accumulate `Σ_rings r_k(θ) X(θ)` (analysis, [`climb_products`]), two complex values per
//! ring and step. A spin-0 transform is one such sum; a spin-2 transform two, one per Wigner
//! function sequence ([`super::spin2`]).
//!
//! Spin 0 climbs the recurrence in `cos²θ` over even `l − m` ([`EvenRecurrence`]): a sequence is
//! first turned into two sums over the even functions `r_k` — one for even `l − m`, one for odd,
//! which is multiplied by `cos θ` — so each step covers two multipoles. North and south rings
//! share the even functions (`λ_lm(π−θ) = (−1)^(l+m) λ_lm(θ)`), so the two sums give both
//! rings: north = even + cos θ · odd, south = even − cos θ · odd.
//!
//! Synthesis keeps a chunk's lanes in registers and runs down the multipoles; analysis runs the
//! other way round — for each step over all lanes of a wide chunk (kept in L1 memory), with the
//! sums over lanes in registers — so that it reads and writes each coefficient's partial sums
//! once per step and chunk instead of once per step and lane.

use realfft::num_complex::Complex64;

use super::climb::{Arith, EvenClimb, Start};
use super::legendre::EvenRecurrence;

/// The coefficients of `S` sequences at one step `k`: `[even, odd]` of each
/// ([`EvenRecurrence::to_even_odd`]).
pub(crate) type StepCoefficients<const S: usize> = [[Complex64; 2]; S];

/// Partial sums over lanes of one step for `S` inputs, `[even re, even im, odd re, odd im]`,
/// each in `R` lanes (the vector lanes of the kernel folded into `R`).
pub(crate) type StepSums<const S: usize, const R: usize> = [[[f64; R]; 4]; S];

/// The sums of one sequence of a synthesis ([`climb_sums`] of one sequence), as each kernel
/// flavour compiles it: a function of its own, because inlined into its callers its lane loops
/// were sometimes left scalar or vectorised the wrong way round (alm2map TQU 2.6× slower).
pub(crate) type SequenceSums<'a, const L: usize> =
    &'a dyn Fn(&[[f64; 2]], EvenClimb<L>, &[StepCoefficients<1>], &mut [[[f64; L]; 4]; 1]);

/// The products of one input of an analysis ([`climb_products`] into slot `slot` of sums with
/// `SO` slots in `R` lanes), as each kernel flavour compiles it (a function of its own, as
/// [`SequenceSums`]; spin-0 analysis, a single input, is fastest inlined).
pub(crate) type SequenceProducts<'a, const L: usize, const SO: usize, const R: usize> =
    &'a dyn Fn(&[[f64; 2]], EvenClimb<L>, &[[f64; L]; 4], &mut [StepSums<SO, R>], usize);

/// Synthesis for one `m`: per ring pair of `chunk` (where its recurrence starts),
/// `dst[i] = [north, south]` sums `Σ_l c_l λ_lm(±θ)`, from the sequence's step coefficients.
#[inline(always)]
pub(crate) fn synthesize<const L: usize>(
    rec: &EvenRecurrence,
    chunk: &[Start],
    coefficients: &[StepCoefficients<1>],
    dst: &mut [[Complex64; 2]],
    sums: SequenceSums<'_, L>,
) {
    let climb = EvenClimb::<L>::start(chunk);
    let x = climb.x;
    let mut acc = [[[0.0; L]; 4]; 1];
    sums(&rec.step, climb, coefficients, &mut acc);
    let [a] = &acc;
    for (i, d) in dst.iter_mut().enumerate().take(L) {
        let e = Complex64::new(a[0][i], a[1][i]);
        let o = Complex64::new(a[2][i], a[3][i]) * x[i];
        *d = [e + o, e - o];
    }
}

/// The sums of a synthesis: per sequence `s` and lane, `out[s] = Σ_k c_k r_k` of the
/// sequence's two coefficients per step `c_k = [first, second]` as `[first re, first im, second
/// re, second im]`, with `r_k` climbed from `climb` by `steps` (`k ≤ coefficients.len() − 1`;
/// `steps` holds at least as many entries). The sums are kept in a local until the end, so
/// that they stay in vector registers.
// Lane loops index several arrays in step; iterator chains would hide the SIMD structure.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub(crate) fn climb_sums<const L: usize, const S: usize, A: Arith>(
    steps: &[[f64; 2]],
    mut climb: EvenClimb<L>,
    coefficients: &[StepCoefficients<S>],
    out: &mut [[[f64; L]; 4]; S],
) {
    let mut acc = [[[0.0; L]; 4]; S];
    let Some(kmax) = coefficients.len().checked_sub(1) else {
        *out = acc;
        return;
    };
    climb.skip_negligible::<A>(steps, kmax);
    while climb.k <= kmax && !climb.all_live() {
        let c = &coefficients[climb.k];
        let live = climb.live();
        for i in 0..L {
            let v = climb.cur[i] * live[i];
            add_terms::<L, S, A>(&mut acc, i, v, c);
        }
        climb.step::<A>(steps);
    }
    // Locals, not references into `climb`, so that they live in vector registers.
    let (y, mut p1, mut p0) = (climb.y, climb.prev, climb.cur);
    let mut k = climb.k;
    while k < kmax {
        let ([a0, b0], [a1, b1]) = (steps[k], steps[k + 1]);
        let (c0, c1) = (&coefficients[k], &coefficients[k + 1]);
        for i in 0..L {
            add_terms::<L, S, A>(&mut acc, i, p0[i], c0);
            p1[i] = A::fma(A::fma(a0, y[i], b0), p0[i], p1[i]);
            add_terms::<L, S, A>(&mut acc, i, p1[i], c1);
            p0[i] = A::fma(A::fma(a1, y[i], b1), p1[i], p0[i]);
        }
        k += 2;
    }
    if k == kmax {
        for i in 0..L {
            add_terms::<L, S, A>(&mut acc, i, p0[i], &coefficients[k]);
        }
    }
    *out = acc;
}

/// `acc[s][·][i] += r · [even re, even im, odd re, odd im]` of each sequence `s`.
#[inline(always)]
fn add_terms<const L: usize, const S: usize, A: Arith>(
    acc: &mut [[[f64; L]; 4]; S],
    i: usize,
    r: f64,
    c: &StepCoefficients<S>,
) {
    for (a, [e, o]) in acc.iter_mut().zip(c) {
        a[0][i] = A::fma(e.re, r, a[0][i]);
        a[1][i] = A::fma(e.im, r, a[1][i]);
        a[2][i] = A::fma(o.re, r, a[2][i]);
        a[3][i] = A::fma(o.im, r, a[3][i]);
    }
}

/// Analysis for one `m`: adds `Σ_rings r_k(θ) · [x_even, cos θ x_odd]` of the input to
/// `acc[k][0]` (partial sums in `R` lanes, reduced by the caller and turned into sums over
/// `λ_lm` by [`EvenRecurrence::add_from_even_odd`]), where `inputs[i] = [north, south]` for
/// each ring pair of `chunk`, `x_even` their sum and `x_odd` their difference.
#[inline(always)]
pub(crate) fn analyze<
    const L: usize,
    const W: usize,
    const R: usize,
    const FOUR_STEPS: bool,
    A: Arith,
>(
    rec: &EvenRecurrence,
    chunk: &[Start],
    inputs: &[[Complex64; 2]],
    acc: &mut [StepSums<1, R>],
) {
    let climb = EvenClimb::<L>::start(chunk);
    let mut src = [[0.0; L]; 4];
    for (i, &[n, s]) in inputs.iter().enumerate().take(L) {
        let x = climb.x[i];
        src[0][i] = n.re + s.re;
        src[1][i] = n.im + s.im;
        src[2][i] = x * (n.re - s.re);
        src[3][i] = x * (n.im - s.im);
    }
    climb_products::<L, W, 1, R, FOUR_STEPS, A>(&rec.step, climb, &src, acc, 0);
}

/// The sums of an analysis: adds `Σ_lanes r_k · src[q]` (`q` = first re, first im, second re,
/// second im) to `acc[k][slot]` for `k < acc.len()`, with `r_k` climbed from `climb` by
/// `steps`. `L` must be a multiple of `W`; lane `w` of the sums goes to `w mod R` (fewer lanes
/// `R` keep the partial sums of all steps small enough for the cache).
///
/// Runs over all lanes for each step, two steps per pass (four with `FOUR_STEPS`), with the
/// `2 · 4` (`4 · 4`) sums over lanes in registers and each lane's input and recurrence values
/// read once per pass.
#[inline(always)]
pub(crate) fn climb_products<
    const L: usize,
    const W: usize,
    const SO: usize,
    const R: usize,
    const FOUR_STEPS: bool,
    A: Arith,
>(
    steps: &[[f64; 2]],
    mut climb: EvenClimb<L>,
    src: &[[f64; L]; 4],
    acc: &mut [StepSums<SO, R>],
    slot: usize,
) {
    let Some(kmax) = acc.len().checked_sub(1) else {
        return;
    };
    climb.skip_negligible::<A>(steps, kmax);
    while climb.k <= kmax && !climb.all_live() {
        let live = climb.live();
        let mut sums = [[0.0; W]; 4];
        for v in (0..L).step_by(W) {
            for w in 0..W {
                let r = climb.cur[v + w] * live[v + w];
                add_products::<L, W, A>(&mut sums, w, r, src, v + w);
            }
        }
        add_lanes(&mut acc[climb.k][slot], &sums);
        climb.step::<A>(steps);
    }
    let y = climb.y;
    let (mut p1, mut p0) = (climb.prev, climb.cur);
    let mut k = climb.k;
    while FOUR_STEPS && k + 3 <= kmax {
        let [[a0, b0], [a1, b1], [a2, b2], [a3, b3]] =
            [steps[k], steps[k + 1], steps[k + 2], steps[k + 3]];
        let mut s = [[[0.0; W]; 4]; 4];
        for v in (0..L).step_by(W) {
            for w in 0..W {
                let i = v + w;
                let (mut r0, mut r1) = (p0[i], p1[i]);
                add_products::<L, W, A>(&mut s[0], w, r0, src, i);
                r1 = A::fma(A::fma(a0, y[i], b0), r0, r1);
                add_products::<L, W, A>(&mut s[1], w, r1, src, i);
                r0 = A::fma(A::fma(a1, y[i], b1), r1, r0);
                add_products::<L, W, A>(&mut s[2], w, r0, src, i);
                r1 = A::fma(A::fma(a2, y[i], b2), r0, r1);
                add_products::<L, W, A>(&mut s[3], w, r1, src, i);
                r0 = A::fma(A::fma(a3, y[i], b3), r1, r0);
                (p0[i], p1[i]) = (r0, r1);
            }
        }
        for (j, sj) in s.iter().enumerate() {
            add_lanes(&mut acc[k + j][slot], sj);
        }
        k += 4;
    }
    while k < kmax {
        let ([a0, b0], [a1, b1]) = (steps[k], steps[k + 1]);
        let (mut s0, mut s1) = ([[0.0; W]; 4], [[0.0; W]; 4]);
        for v in (0..L).step_by(W) {
            for w in 0..W {
                let i = v + w;
                add_products::<L, W, A>(&mut s0, w, p0[i], src, i);
                p1[i] = A::fma(A::fma(a0, y[i], b0), p0[i], p1[i]);
                add_products::<L, W, A>(&mut s1, w, p1[i], src, i);
                p0[i] = A::fma(A::fma(a1, y[i], b1), p1[i], p0[i]);
            }
        }
        add_lanes(&mut acc[k][slot], &s0);
        add_lanes(&mut acc[k + 1][slot], &s1);
        k += 2;
    }
    if k == kmax {
        let mut sums = [[0.0; W]; 4];
        for v in (0..L).step_by(W) {
            for w in 0..W {
                add_products::<L, W, A>(&mut sums, w, p0[v + w], src, v + w);
            }
        }
        add_lanes(&mut acc[k][slot], &sums);
    }
}

/// `sums[·][w] += r · src[·][i]`.
#[inline(always)]
fn add_products<const L: usize, const W: usize, A: Arith>(
    sums: &mut [[f64; W]; 4],
    w: usize,
    r: f64,
    src: &[[f64; L]; 4],
    i: usize,
) {
    for q in 0..4 {
        sums[q][w] = A::fma(r, src[q][i], sums[q][w]);
    }
}

/// `out[·] += sums[·]`, the `W` lanes folded into `R` (lane `w` into `w mod R`): once per step
/// and chunk of an analysis.
#[inline(always)]
fn add_lanes<const W: usize, const R: usize>(out: &mut [[f64; R]; 4], sums: &[[f64; W]; 4]) {
    for (oq, sq) in out.iter_mut().zip(sums) {
        for (w, b) in sq.iter().enumerate() {
            oq[w % R] += b;
        }
    }
}
