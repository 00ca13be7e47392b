//! The recurrence states the Legendre kernels climb, for a chunk of ring pairs at once (one SIMD
//! lane per ring pair), and the arithmetic they use.
//!
//! Every loop body below runs the same arithmetic on `L` independent values, which the compiler
//! turns into vector instructions (see [`super::simd`] for the instruction sets). Values start
//! scaled (see [`super::legendre`]): while every lane's value is still below `2^−600` only the
//! recurrence runs; lanes become significant ("live") one by one; the kernels then add masked
//! contributions until all lanes are live and finish with unrolled loops without checks.

use super::legendre::{LegendreTables, SCALE_DOWN};
use super::rings::RingPair;

/// Where the recurrences of one ring pair start for one `m`: `λ_mm(θ) = value · 2^(600 scale)`
/// (see [`super::legendre`]), with the ring's `cos θ` and `sin θ`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Start {
    /// `cos θ` of the northern ring.
    pub cos_theta: f64,
    /// `sin θ`.
    pub sin_theta: f64,
    /// `λ_mm(θ)` without its scale.
    pub value: f64,
    /// Scale exponent (`≤ 0`).
    pub scale: i32,
    /// The highest order that matters on the ring ([`RingPair::order_limit`]).
    pub order_limit: usize,
    /// `[log2 cos θ/2, log2 sin θ/2]` (spin transforms' starting values; zero for spin 0).
    pub log2_half: [f64; 2],
}

impl Start {
    /// The starts of the ring pairs of `block` for order `m` (transforms of spin `spin`):
    /// computed afresh, or, when
    /// `starts` holds those of `m − 1` for the same block (`advance`), by one multiplication
    /// each, which is what makes running the orders of a task in sequence cheap.
    pub fn fill(
        tables: &LegendreTables,
        (m, spin): (usize, usize),
        block: &[RingPair],
        starts: &mut Vec<Start>,
        advance: bool,
    ) {
        if !advance || m == 0 {
            starts.clear();
            starts.extend(block.iter().map(|p| {
                let (value, scale) = tables.start(m, p.sin_theta);
                let log2_half = if spin > 0 {
                    let (half_cos, half_sin) = half_angles(p.cos_theta, p.sin_theta);
                    [half_cos.log2(), half_sin.log2()]
                } else {
                    [0.0; 2]
                };
                Start {
                    cos_theta: p.cos_theta,
                    sin_theta: p.sin_theta,
                    value,
                    scale,
                    order_limit: p.order_limit(tables.lmax(), spin),
                    log2_half,
                }
            }));
        } else {
            let factor = -tables.start_ratio(m - 1);
            for s in starts.iter_mut() {
                s.value *= factor * s.sin_theta;
                if s.value.abs() < SCALE_DOWN {
                    s.value /= SCALE_DOWN;
                    s.scale -= 1;
                }
            }
        }
    }
}

/// `cos θ/2` and `sin θ/2`: the one that is not small from `1 ± cos θ`, the other from
/// `sin θ`, accurate near both poles.
pub(crate) fn half_angles(cos_theta: f64, sin_theta: f64) -> (f64, f64) {
    if cos_theta > 0.0 {
        let half_cos = ((1.0 + cos_theta) / 2.0).sqrt();
        (half_cos, sin_theta / (2.0 * half_cos))
    } else {
        let half_sin = ((1.0 - cos_theta) / 2.0).sqrt();
        (sin_theta / (2.0 * half_sin), half_sin)
    }
}

/// The most ring pairs one kernel call takes.
pub(crate) const MAX_LANES: usize = 64;

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

/// `[f(0), …, f(L − 1)]`, inlined into the kernel (unlike `std::array::from_fn`, whose
/// out-of-line copies are compiled without the kernel's instruction set, so that a fused
/// multiply-add in `f` became a library call).
#[inline(always)]
pub(crate) fn per_lane<const L: usize>(f: impl Fn(usize) -> f64) -> [f64; L] {
    let mut out = [0.0; L];
    for (k, o) in out.iter_mut().enumerate() {
        *o = f(k);
    }
    out
}

/// Per-lane `(cos θ, λ_mm, scale)` of a chunk: the start of both recurrences (missing lanes
/// are zero and count as significant).
#[inline(always)]
fn starts<const L: usize>(chunk: &[Start]) -> ([f64; L], [f64; L], [i32; L]) {
    let (mut x, mut value, mut scale) = ([0.0; L], [0.0; L], [0; L]);
    for (k, s) in chunk.iter().enumerate().take(L) {
        (x[k], value[k], scale[k]) = (s.cos_theta, s.value, s.scale);
    }
    (x, value, scale)
}

/// After a step to `cur`: rescales the lanes still negligible whose value passed 1.
#[inline(always)]
fn rescale_grown<const L: usize>(prev: &mut [f64; L], cur: &mut [f64; L], scale: &mut [i32; L]) {
    let grown = (0..L).fold(false, |g, k| g | ((scale[k] < 0) & (cur[k].abs() > 1.0)));
    if grown {
        for k in 0..L {
            if scale[k] < 0 && cur[k].abs() > 1.0 {
                prev[k] *= SCALE_DOWN;
                cur[k] *= SCALE_DOWN;
                scale[k] += 1;
            }
        }
    }
}

/// The factor (0 or 1) that silences lanes whose value is still negligible.
#[inline(always)]
fn live_mask<const L: usize>(scale: &[i32; L]) -> [f64; L] {
    per_lane(|k| if scale[k] == 0 { 1.0 } else { 0.0 })
}

/// A three-term recurrence `r_{k+1} = (A_k y + B_k) r_k + r_{k−1}` of a chunk of `L` ring pairs
/// for one `m`, with step coefficients `steps[k] = [A_k, B_k]` and `cur = r_k`, `prev = r_{k−1}`:
/// in `y = cos²θ` over even `l − m` for spin 0 ([`super::legendre::EvenRecurrence`]), in
/// `y = cos θ` over every `l` for spin transforms ([`super::spin2`]).
pub(crate) struct EvenClimb<const L: usize> {
    /// `cos θ` per lane.
    pub x: [f64; L],
    /// The recurrence variable per lane.
    pub y: [f64; L],
    /// `r_{k−1}` (scaled).
    pub prev: [f64; L],
    /// `r_k` (scaled).
    pub cur: [f64; L],
    /// Scale exponent per lane; `< 0` means "still negligible".
    pub scale: [i32; L],
    /// The current step `k` (`l = m + 2k`).
    pub k: usize,
}

impl<const L: usize> EvenClimb<L> {
    /// Starts the spin-0 recurrence in `cos²θ` at `k = 0` (`l = m`) for the rings of `chunk`
    /// (at most `L`).
    #[inline(always)]
    pub fn start(chunk: &[Start]) -> Self {
        let (x, cur, scale) = starts::<L>(chunk);
        EvenClimb {
            x,
            y: per_lane(|k| x[k] * x[k]),
            prev: [0.0; L],
            cur,
            scale,
            k: 0,
        }
    }

    /// Starts a recurrence in `y = cos θ` at `k = 0` with the scaled values `cur` (the term
    /// before is zero).
    #[inline(always)]
    pub fn start_in_cos(x: [f64; L], cur: [f64; L], scale: [i32; L]) -> Self {
        EvenClimb {
            x,
            y: x,
            prev: [0.0; L],
            cur,
            scale,
            k: 0,
        }
    }

    /// Whether every lane is significant (unscaled).
    #[inline(always)]
    pub fn all_live(&self) -> bool {
        self.scale.iter().all(|&s| s == 0)
    }

    /// The factor (0 or 1) that silences lanes whose value is still negligible.
    #[inline(always)]
    pub fn live(&self) -> [f64; L] {
        live_mask(&self.scale)
    }

    /// One step `k → k + 1`.
    #[inline(always)]
    pub fn step<A: Arith>(&mut self, steps: &[[f64; 2]]) {
        let [a, b] = steps[self.k];
        for k in 0..L {
            let next = A::fma(A::fma(a, self.y[k], b), self.cur[k], self.prev[k]);
            self.prev[k] = self.cur[k];
            self.cur[k] = next;
        }
        rescale_grown(&mut self.prev, &mut self.cur, &mut self.scale);
        self.k += 1;
    }

    /// Climbs without adding anything while every lane is negligible (stops at `kmax + 1`).
    #[inline(always)]
    pub fn skip_negligible<A: Arith>(&mut self, steps: &[[f64; 2]], kmax: usize) {
        while self.k <= kmax && self.scale.iter().all(|&s| s < 0) {
            self.step::<A>(steps);
        }
    }
}
