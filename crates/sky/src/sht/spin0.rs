//! The Legendre sums of the transforms: for one `m` and a chunk of ring pairs at once, sum
//! `c_l λ_lm(θ)` over `l` for `S` coefficient sequences (synthesis), or accumulate
//! `Σ_rings λ_lm(θ) X(θ)` for `S` ring inputs (analysis). A spin-0 transform is one sequence;
//! a spin-2 transform is six ([`super::spin2`]).
//!
//! Both climb the recurrence in `cos²θ` over even `l − m` ([`EvenRecurrence`]): a sequence is
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

/// Per lane, for each of `S` sequences or inputs: `[north, south]`.
pub(crate) type RingValues<const S: usize> = [[Complex64; 2]; S];

/// Partial sums over lanes of one step for `S` inputs, `[even re, even im, odd re, odd im]`,
/// each in `R` lanes (the vector lanes of the kernel folded into `R`).
pub(crate) type StepSums<const S: usize, const R: usize> = [[[f64; R]; 4]; S];

/// Synthesis for one `m`: per ring pair of `chunk` (where its recurrence starts) and sequence
/// `s`, `dst[i][s] = [north, south]` sums `Σ_l c_l λ_lm(±θ)`, from the sequences' step
/// coefficients.
// Lane loops index several arrays in step; iterator chains would hide the SIMD structure.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub(crate) fn synthesize<const L: usize, const S: usize, A: Arith>(
    rec: &EvenRecurrence,
    chunk: &[Start],
    coefficients: &[StepCoefficients<S>],
    dst: &mut [RingValues<S>],
) {
    let kmax = rec.len() - 1;
    let mut climb = EvenClimb::<L>::start(chunk);
    climb.skip_negligible::<A>(rec, kmax);
    // Per sequence: [even re, even im, odd re, odd im] per lane.
    let mut acc = [[[0.0; L]; 4]; S];
    while climb.k <= kmax && !climb.all_live() {
        let c = &coefficients[climb.k];
        let live = climb.live();
        for i in 0..L {
            let v = climb.cur[i] * live[i];
            add_terms::<L, S, A>(&mut acc, i, v, c);
        }
        climb.step::<A>(rec);
    }
    // Locals, not references into `climb`, so that they live in vector registers.
    let (y, mut p1, mut p0) = (climb.y, climb.prev, climb.cur);
    let mut k = climb.k;
    while k < kmax {
        let ([a0, b0], [a1, b1]) = (rec.step[k], rec.step[k + 1]);
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
    for (i, d) in dst.iter_mut().enumerate().take(L) {
        for (s, a) in acc.iter().enumerate() {
            let e = Complex64::new(a[0][i], a[1][i]);
            let o = Complex64::new(a[2][i], a[3][i]) * climb.x[i];
            d[s] = [e + o, e - o];
        }
    }
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

/// Analysis for one `m`: adds `Σ_rings r_k(θ) · [x_even, cos θ x_odd]` of each input to
/// `acc[k][s]` (partial sums in `W` lanes, reduced by the caller and turned into sums over
/// `λ_lm` by [`EvenRecurrence::add_from_even_odd`]), where `inputs[i][s] = [north, south]` for
/// each ring pair of `chunk`, `x_even` their sum and `x_odd` their difference. `L` must be a
/// multiple of `W`; lane `w` of the sums goes to `w mod R` (fewer lanes `R` keep the partial sums of all steps small
/// enough for the cache when there are many inputs).
///
/// Once every lane is significant, the inputs are taken `G` at a time (`G` divides `S`), each
/// group climbing the recurrence again from the same state, two steps per pass over the lanes:
/// `2 · 4G` sums must stay in registers, and each lane's inputs are then read once per two
/// steps.
#[inline(always)]
pub(crate) fn analyze<
    const L: usize,
    const W: usize,
    const S: usize,
    const G: usize,
    const R: usize,
    A: Arith,
    F: FoldLanes,
>(
    rec: &EvenRecurrence,
    chunk: &[Start],
    inputs: &[RingValues<S>],
    acc: &mut [StepSums<S, R>],
) {
    let kmax = rec.len() - 1;
    let mut climb = EvenClimb::<L>::start(chunk);
    // Per input: [even re, even im, odd re, odd im] per lane.
    let mut src = [[[0.0; L]; 4]; S];
    for (i, lane) in inputs.iter().enumerate().take(L) {
        let x = climb.x[i];
        for (sr, &[n, s]) in src.iter_mut().zip(lane) {
            sr[0][i] = n.re + s.re;
            sr[1][i] = n.im + s.im;
            sr[2][i] = x * (n.re - s.re);
            sr[3][i] = x * (n.im - s.im);
        }
    }
    climb.skip_negligible::<A>(rec, kmax);
    while climb.k <= kmax && !climb.all_live() {
        let live = climb.live();
        let mut sums = [[[0.0; W]; 4]; S];
        for v in (0..L).step_by(W) {
            for w in 0..W {
                let r = climb.cur[v + w] * live[v + w];
                add_products::<L, W, S, S, A>(&mut sums, 0, w, r, &src, v + w);
            }
        }
        F::add_lanes(&mut acc[climb.k], 0, &sums);
        climb.step::<A>(rec);
    }
    let y = climb.y;
    for group in (0..S).step_by(G) {
        let (mut p1, mut p0) = (climb.prev, climb.cur);
        let mut k = climb.k;
        while k < kmax {
            let ([a0, b0], [a1, b1]) = (rec.step[k], rec.step[k + 1]);
            let (mut s0, mut s1) = ([[[0.0; W]; 4]; G], [[[0.0; W]; 4]; G]);
            for v in (0..L).step_by(W) {
                for w in 0..W {
                    let i = v + w;
                    add_products::<L, W, S, G, A>(&mut s0, group, w, p0[i], &src, i);
                    p1[i] = A::fma(A::fma(a0, y[i], b0), p0[i], p1[i]);
                    add_products::<L, W, S, G, A>(&mut s1, group, w, p1[i], &src, i);
                    p0[i] = A::fma(A::fma(a1, y[i], b1), p1[i], p0[i]);
                }
            }
            F::add_lanes(&mut acc[k], group, &s0);
            F::add_lanes(&mut acc[k + 1], group, &s1);
            k += 2;
        }
        if k == kmax {
            let mut sums = [[[0.0; W]; 4]; G];
            for v in (0..L).step_by(W) {
                for w in 0..W {
                    add_products::<L, W, S, G, A>(&mut sums, group, w, p0[v + w], &src, v + w);
                }
            }
            F::add_lanes(&mut acc[k], group, &sums);
        }
    }
}

/// `sums[g][·][w] += r · src[first + g][·][i]` for the `G` inputs from `first`.
#[inline(always)]
fn add_products<const L: usize, const W: usize, const S: usize, const G: usize, A: Arith>(
    sums: &mut [[[f64; W]; 4]; G],
    first: usize,
    w: usize,
    r: f64,
    src: &[[[f64; L]; 4]; S],
    i: usize,
) {
    for (sum, sr) in sums.iter_mut().zip(&src[first..first + G]) {
        for q in 0..4 {
            sum[q][w] = A::fma(r, sr[q][i], sum[q][w]);
        }
    }
}

/// How an analysis kernel adds its per-step sums over vector lanes to the stored partial sums
/// (`W` lanes folded into `R`): once per step and chunk, so its cost counts when there are many
/// inputs.
pub(crate) trait FoldLanes {
    /// `out[first + g][·] += sums[g]`, the `W` lanes folded into `R` (lane `w` into `w mod R`).
    fn add_lanes<const W: usize, const S: usize, const G: usize, const R: usize>(
        out: &mut StepSums<S, R>,
        first: usize,
        sums: &[[[f64; W]; 4]; G],
    );
}

/// The fold in plain arithmetic, for any lane counts.
pub(crate) struct PlainFold;

impl FoldLanes for PlainFold {
    #[inline(always)]
    fn add_lanes<const W: usize, const S: usize, const G: usize, const R: usize>(
        out: &mut StepSums<S, R>,
        first: usize,
        sums: &[[[f64; W]; 4]; G],
    ) {
        for (o, s) in out[first..first + G].iter_mut().zip(sums) {
            for (oq, sq) in o.iter_mut().zip(s) {
                for (w, b) in sq.iter().enumerate() {
                    oq[w % R] += b;
                }
            }
        }
    }
}
