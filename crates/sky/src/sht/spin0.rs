//! The Legendre half of spin-0 transforms: for one `m` and a chunk of ring pairs at once, sum
//! `a_lm λ_lm(θ)` over `l` (synthesis) or accumulate `λ_lm(θ) F_m(θ)` into `a_lm` (analysis).
//!
//! Both climb the recurrence in `cos²θ` over even `l − m` ([`EvenRecurrence`]): the column of
//! coefficients is first turned into two sums over the even functions `r_k` — one for even
//! `l − m`, one for odd, which is multiplied by `cos θ` — so each step covers two multipoles.
//! North and south rings share the even functions (`λ_lm(π−θ) = (−1)^(l+m) λ_lm(θ)`), so the
//! two sums give both rings: north = even + cos θ · odd, south = even − cos θ · odd.
//!
//! Synthesis keeps a chunk's lanes in registers and runs down the multipoles; analysis runs the
//! other way round — for each pair of steps over all lanes of a wide chunk (kept in L1 memory),
//! with the sums over lanes in registers — so that it reads and writes each coefficient's
//! partial sums once per pair of steps and chunk instead of once per step and lane.

use realfft::num_complex::Complex64;

use super::climb::{Acc, Arith, EvenClimb, Start};
use super::legendre::EvenRecurrence;

/// Synthesis for one `m`: per ring pair of `chunk` (where its recurrence starts), `dst = [north, south]` sums
/// `Σ_l a_lm λ_lm(±θ)`, from the column turned into even sums by
/// [`EvenRecurrence::to_even_odd`].
// Lane loops index several arrays in step; iterator chains would hide the SIMD structure.
#[allow(clippy::needless_range_loop)]
#[inline(always)]
pub(crate) fn synthesize<const L: usize, A: Arith>(
    rec: &EvenRecurrence,
    chunk: &[Start],
    (even, odd): (&[Complex64], &[Complex64]),
    dst: &mut [[Complex64; 2]],
) {
    let kmax = rec.len() - 1;
    let mut climb = EvenClimb::<L>::start(chunk);
    climb.skip_negligible::<A>(rec, kmax);
    // [even re, even im, odd re, odd im] per lane.
    let mut acc = [[0.0; L]; 4];
    while climb.k <= kmax && !climb.all_live() {
        let coefficients = [even[climb.k], odd[climb.k]];
        let live = climb.live();
        for i in 0..L {
            let v = climb.cur[i] * live[i];
            add_terms::<L, A>(&mut acc, i, v, coefficients);
        }
        climb.step::<A>(rec);
    }
    // Locals, not references into `climb`, so that they live in vector registers.
    let (y, mut p1, mut p0) = (climb.y, climb.prev, climb.cur);
    let mut k = climb.k;
    while k < kmax {
        let ([a0, b0], [a1, b1]) = (rec.step[k], rec.step[k + 1]);
        let (c0, c1) = ([even[k], odd[k]], [even[k + 1], odd[k + 1]]);
        for i in 0..L {
            add_terms::<L, A>(&mut acc, i, p0[i], c0);
            p1[i] = A::fma(A::fma(a0, y[i], b0), p0[i], p1[i]);
            add_terms::<L, A>(&mut acc, i, p1[i], c1);
            p0[i] = A::fma(A::fma(a1, y[i], b1), p1[i], p0[i]);
        }
        k += 2;
    }
    if k == kmax {
        for i in 0..L {
            add_terms::<L, A>(&mut acc, i, p0[i], [even[k], odd[k]]);
        }
    }
    for (i, d) in dst.iter_mut().enumerate().take(L) {
        let e = Complex64::new(acc[0][i], acc[1][i]);
        let o = Complex64::new(acc[2][i], acc[3][i]) * climb.x[i];
        *d = [e + o, e - o];
    }
}

/// `acc[·][i] += r · [even re, even im, odd re, odd im]`.
#[inline(always)]
fn add_terms<const L: usize, A: Arith>(
    acc: &mut [[f64; L]; 4],
    i: usize,
    r: f64,
    [e, o]: [Complex64; 2],
) {
    acc[0][i] = A::fma(e.re, r, acc[0][i]);
    acc[1][i] = A::fma(e.im, r, acc[1][i]);
    acc[2][i] = A::fma(o.re, r, acc[2][i]);
    acc[3][i] = A::fma(o.im, r, acc[3][i]);
}

/// Analysis for one `m`: adds `Σ_rings r_k(θ) · [f_even, cos θ f_odd]` to
/// `acc[k] = [even re, even im, odd re, odd im]` (partial sums in `W` lanes, reduced by the
/// caller and turned into `a_lm` by [`EvenRecurrence::add_from_even_odd`]), where
/// `phases[i] = [F_m(θ_i), F_m(π − θ_i)]` for each ring pair of `chunk`, `f_even` their sum
/// and `f_odd` their difference. `L` must be a multiple of `W`.
#[inline(always)]
pub(crate) fn analyze<const L: usize, const W: usize, A: Arith>(
    rec: &EvenRecurrence,
    chunk: &[Start],
    phases: &[[Complex64; 2]],
    acc: &mut [[Acc; 4]],
) {
    let kmax = rec.len() - 1;
    let mut climb = EvenClimb::<L>::start(chunk);
    // [even re, even im, odd re, odd im] inputs per lane.
    let mut src = [[0.0; L]; 4];
    for (i, &[n, s]) in phases.iter().enumerate().take(L) {
        let x = climb.x[i];
        src[0][i] = n.re + s.re;
        src[1][i] = n.im + s.im;
        src[2][i] = x * (n.re - s.re);
        src[3][i] = x * (n.im - s.im);
    }
    climb.skip_negligible::<A>(rec, kmax);
    while climb.k <= kmax && !climb.all_live() {
        let live = climb.live();
        let mut sums = [[0.0; W]; 4];
        for v in (0..L).step_by(W) {
            for w in 0..W {
                let r = climb.cur[v + w] * live[v + w];
                add_products::<L, W, A>(&mut sums, w, r, &src, v + w);
            }
        }
        add_lanes(&mut acc[climb.k], &sums);
        climb.step::<A>(rec);
    }
    let y = climb.y;
    let (p1, p0) = (&mut climb.prev, &mut climb.cur);
    let mut k = climb.k;
    while k < kmax {
        let ([a0, b0], [a1, b1]) = (rec.step[k], rec.step[k + 1]);
        let (mut s0, mut s1) = ([[0.0; W]; 4], [[0.0; W]; 4]);
        for v in (0..L).step_by(W) {
            for w in 0..W {
                let i = v + w;
                add_products::<L, W, A>(&mut s0, w, p0[i], &src, i);
                p1[i] = A::fma(A::fma(a0, y[i], b0), p0[i], p1[i]);
                add_products::<L, W, A>(&mut s1, w, p1[i], &src, i);
                p0[i] = A::fma(A::fma(a1, y[i], b1), p1[i], p0[i]);
            }
        }
        add_lanes(&mut acc[k], &s0);
        add_lanes(&mut acc[k + 1], &s1);
        k += 2;
    }
    if k == kmax {
        let mut sums = [[0.0; W]; 4];
        for v in (0..L).step_by(W) {
            for w in 0..W {
                add_products::<L, W, A>(&mut sums, w, p0[v + w], &src, v + w);
            }
        }
        add_lanes(&mut acc[k], &sums);
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

/// `out[·][..W] += sums`.
#[inline(always)]
fn add_lanes<const W: usize>(out: &mut [Acc; 4], sums: &[[f64; W]; 4]) {
    for (o, s) in out.iter_mut().zip(sums) {
        for (a, b) in o.iter_mut().zip(s) {
            *a += b;
        }
    }
}
