//! Spin-s transforms for any spin `s ≥ 1` (healpy's `alm2map_spin` and `map2alm_spin`): the
//! gradient/curl coefficients `(a^G, a^C)` of a spin-s field and its two real maps.
//!
//! healpy's (libsharp's) conventions, checked against healpy 1.20.1
//! (`crates/sky/tests/spin_golden.rs`):
//!
//! ```text
//! _sY_lm(θ, φ) = √((2l+1)/4π) (−1)^m d^l_{m,−s}(θ) e^{imφ}
//! Q + iU = −Σ (a^G_lm + i a^C_lm) _sY_lm
//! Q − iU = −(−1)^s Σ (a^G_lm − i a^C_lm) _{−s}Y_lm
//! ```
//!
//! Per ring and order `m ≥ 0` this is `Q = Σ_m (2 − δ_m0) Re(e^{imφ} S^Q_m)` with
//! `S^Q_m = −Σ_l (a^G A + i a^C B)`, `S^U_m = −Σ_l (a^C A − i a^G B)`, where `A` and `B` are the
//! half sum and half difference of the `±s` functions; the analysis is its adjoint with healpy's
//! quadrature weight `4π/npix` and no iteration. The Wigner `d^l_{m,±s}(θ)` come from the
//! three-term recurrence in `l`, carried with a binary exponent so that nothing underflows near
//! the poles at high `m`; its coefficients are computed once per order, and the recurrence runs
//! over [`LANES`] ring pairs at once (plain arrays the compiler vectorises, compiled for AVX2 and
//! AVX-512 too and chosen at run time like the other kernels: [`super::simd`]); orders beyond a
//! ring's [`RingPair::order_limit`] are skipped. A ring and its
//! mirror share their functions: `d^l_{m,m'}(π − θ) = (−1)^{l+m} d^l_{m,−m'}(θ)`, so the southern
//! ring's `A` and `B` are the northern ones times `±(−1)^{l+m+s}`.
//!
//! Spin 2 also has its own vectorised kernels ([`super::ShtPlan::alm2map_spin2`]); this
//! transform serves every spin, spin 2 included, where the two agree to 1e-12.

use rayon::prelude::*;

use super::Complex64;
use super::alm::Alm;
use super::climb::half_angles;
use super::fft::RingScratch;
use super::plan::ShtPlan;
use super::rings::RingPair;
use super::simd;
use super::spin2::WignerStart;
use crate::error::{Result, SkyError};

/// Ring pairs whose recurrences run side by side.
pub(crate) const LANES: usize = 8;
/// Lanes of the per-`l` sums analysis keeps in memory (the lanes are folded to these first).
pub(crate) const ACC_LANES: usize = 2;
/// The memory for the phases of one block of ring pairs (four complex numbers per pair and
/// order): the more pairs per block, the fewer times each order's coefficients are computed.
const BLOCK_BYTES: usize = 32 << 20;

/// Ring pairs per block for orders up to `mmax`.
fn block_pairs(mmax: usize) -> usize {
    let per_pair = (mmax + 1) * 4 * std::mem::size_of::<Complex64>();
    (BLOCK_BYTES / per_pair).max(LANES) / LANES * LANES
}

fn check(spin: usize, lmax: usize, nside: u64) -> Result<()> {
    if spin == 0 {
        return Err(SkyError::SpinZero);
    }
    if spin > lmax {
        return Err(SkyError::SpinAboveLmax { spin, lmax });
    }
    if nside == 0 || nside > 1 << 20 || lmax > 4 * nside as usize {
        return Err(SkyError::LmaxTooLarge {
            what: "spin transform",
            lmax,
            nside,
        });
    }
    Ok(())
}

/// The two maps (healpy's Q-like and U-like, RING order) of a spin-`spin` field with gradient
/// and curl coefficients `alms = [a^G, a^C]` (healpy's `alm2map_spin`).
///
/// # Errors
/// [`SkyError::SpinZero`], [`SkyError::SpinAboveLmax`], [`SkyError::AlmShape`] for
/// coefficient sets of different shapes; [`SkyError::LmaxTooLarge`] for `lmax > 4 nside`.
pub fn alm2map_spin(alms: &[Alm; 2], nside: u64, spin: usize) -> Result<[Vec<f64>; 2]> {
    let [g, c] = alms;
    if (g.lmax(), g.mmax()) != (c.lmax(), c.mmax()) {
        return Err(SkyError::AlmShape {
            what: "alm2map_spin (the curl's shape against the gradient's)",
            found: (c.lmax(), c.mmax()),
            needed: (g.lmax(), g.mmax()),
        });
    }
    let (lmax, mmax) = (g.lmax(), g.mmax());
    check(spin, lmax, nside)?;
    Ok(alm2map_spin_with(
        &ShtPlan::new(nside, lmax, mmax)?,
        alms,
        spin,
    ))
}

/// [`alm2map_spin`] on a plan of the coefficients' `lmax` and `mmax` (checked by the caller).
fn alm2map_spin_with(plan: &ShtPlan, alms: &[Alm; 2], spin: usize) -> [Vec<f64>; 2] {
    let [g, c] = alms;
    let (lmax, mmax) = (plan.lmax(), plan.mmax());
    let npix = plan.npix();
    let (mut q, mut u) = (vec![0.0; npix], vec![0.0; npix]);
    let mut q_rings = plan.pair_slices(&mut q);
    let mut u_rings = plan.pair_slices(&mut u);
    let norms = norms(lmax);
    let block_len = block_pairs(mmax);
    for (b, block) in plan.pairs.chunks(block_len).enumerate() {
        let nb = block.len();
        // Per order m, per pair: the phases of the northern Q, U and the southern Q, U rings.
        let mut phases = vec![[Complex64::new(0.0, 0.0); 4]; (mmax + 1) * nb];
        phases.par_chunks_mut(nb).enumerate().for_each_init(
            || Order::new(lmax, spin),
            |order, (m, out)| {
                order.prepare(m);
                for (group, out) in block.chunks(LANES).zip(out.chunks_mut(LANES)) {
                    if matters(plan, group, spin, m) {
                        let columns = [g.column(m), c.column(m)];
                        simd::synthesise_spin(plan.isa(), order, group, columns, &norms, out);
                    }
                }
            },
        );
        let first = b * block_len;
        q_rings[first..first + nb]
            .par_iter_mut()
            .zip(u_rings[first..first + nb].par_iter_mut())
            .zip(block)
            .enumerate()
            .for_each_init(
                RingScratch::default,
                |scratch, (j, (((qn, qs), (un, us)), pair))| {
                    let shifted = pair.phi0 != 0.0;
                    let at = |m: usize, k: usize| phases[m * nb + j][k];
                    plan.ffts
                        .synthesize(|m| at(m, 0), mmax, shifted, qn, scratch);
                    plan.ffts
                        .synthesize(|m| at(m, 1), mmax, shifted, un, scratch);
                    if let (Some(qs), Some(us)) = (qs, us) {
                        plan.ffts
                            .synthesize(|m| at(m, 2), mmax, shifted, qs, scratch);
                        plan.ffts
                            .synthesize(|m| at(m, 3), mmax, shifted, us, scratch);
                    }
                },
            );
    }
    [q, u]
}

/// The gradient and curl coefficients `[a^G, a^C]` up to `lmax`, `mmax` of a spin-`spin` field
/// given by its two RING maps (healpy's `map2alm_spin`: quadrature weight `4π/npix`, no
/// iteration).
///
/// # Errors
/// [`SkyError::SpinZero`], [`SkyError::SpinAboveLmax`]; [`SkyError::Healpix`] for a
/// non-HEALPix size; [`SkyError::InField`] around [`SkyError::PixelCount`] or
/// [`SkyError::NotFinitePixel`] for maps of different sizes or non-finite pixels;
/// [`SkyError::LmaxTooLarge`] for `lmax > 4 nside`.
pub fn map2alm_spin(maps: [&[f64]; 2], spin: usize, lmax: usize, mmax: usize) -> Result<[Alm; 2]> {
    let [q, u] = maps;
    let nside = tessera_healpix::npix2nside(q.len() as u64)?;
    let mmax = mmax.min(lmax);
    check(spin, lmax, nside)?;
    let plan = ShtPlan::new(nside, lmax, mmax)?;
    for (name, map) in [("Q-like", q), ("U-like", u)] {
        plan.check_map(map).map_err(|e| SkyError::InField {
            field: name.into(),
            source: Box::new(e),
        })?;
    }
    Ok(map2alm_spin_with(&plan, maps, spin))
}

/// [`map2alm_spin`] on a plan of the maps' nside (checked by the caller).
fn map2alm_spin_with(plan: &ShtPlan, maps: [&[f64]; 2], spin: usize) -> [Alm; 2] {
    let [q, u] = maps;
    let (lmax, mmax) = (plan.lmax(), plan.mmax());
    let weight = 4.0 * std::f64::consts::PI / q.len() as f64;
    let norms = norms(lmax);
    let mut gc = [Alm::zeros(lmax, mmax), Alm::zeros(lmax, mmax)];
    let [g, c] = &mut gc;
    let mut columns: Vec<(&mut [Complex64], &mut [Complex64])> =
        g.columns_mut().into_iter().zip(c.columns_mut()).collect();
    for block in plan.pairs.chunks(block_pairs(mmax)) {
        let nb = block.len();
        // Per pair, per order m: the phases of the northern Q, U and the southern Q, U rings.
        let mut phases = vec![[Complex64::new(0.0, 0.0); 4]; nb * (mmax + 1)];
        phases.par_chunks_mut(mmax + 1).zip(block).for_each_init(
            RingScratch::default,
            |scratch, (out, pair)| {
                let shifted = pair.phi0 != 0.0;
                let rings = [Some(pair.north), pair.south];
                for (side, ring) in rings.iter().enumerate() {
                    let Some(r) = ring else { continue };
                    let range = r.offset..r.offset + r.nphi;
                    for (k, map) in [q, u].iter().enumerate() {
                        let emit = |m: usize, v| out[m][2 * side + k] = v;
                        plan.ffts.analyze(
                            &map[range.clone()],
                            weight,
                            mmax,
                            shifted,
                            emit,
                            scratch,
                        );
                    }
                }
            },
        );
        let phases = &phases;
        columns.par_iter_mut().enumerate().for_each_init(
            || (Order::new(lmax, spin), Vec::new()),
            |(order, acc), (m, (gm, cm))| {
                order.prepare(m);
                acc.clear();
                acc.resize(lmax + 1 - order.l0, [[0.0; ACC_LANES]; 4]);
                for (k, group) in block.chunks(LANES).enumerate() {
                    if matters(plan, group, spin, m) {
                        let mut local = [[Complex64::new(0.0, 0.0); 4]; LANES];
                        for (j, v) in local.iter_mut().enumerate().take(group.len()) {
                            *v = phases[(k * LANES + j) * (mmax + 1) + m];
                        }
                        simd::analyse_spin(plan.isa(), order, group, &local, &norms, acc);
                    }
                }
                for (i, t) in acc.iter().enumerate() {
                    let l = order.l0 + i;
                    let sum = |r: usize| t[r].iter().sum::<f64>();
                    gm[l - m] += Complex64::new(sum(0), sum(1));
                    cm[l - m] += Complex64::new(sum(2), sum(3));
                }
            },
        );
    }
    gc
}

/// Whether order `m` can matter on any ring of `group` (see [`RingPair::order_limit`]: beyond
/// it the functions are many orders of magnitude below double precision, as libsharp and
/// ducc0 skip them). Pairs run from the pole to the equator, so the last has the highest limit.
fn matters(plan: &ShtPlan, group: &[RingPair], spin: usize, m: usize) -> bool {
    !plan.skips_orders()
        || group
            .last()
            .is_some_and(|pair| pair.order_limit(plan.lmax(), spin) >= m)
}

/// `√((2l + 1)/4π)` for `l ≤ lmax`.
fn norms(lmax: usize) -> Vec<f64> {
    (0..=lmax)
        .map(|l| ((2 * l + 1) as f64 / (4.0 * std::f64::consts::PI)).sqrt())
        .collect()
}

/// One order `m`: the recurrence coefficients of `d^l_{m,−s}` and `d^l_{m,s}` (index 0 and 1),
/// computed once and run over groups of ring pairs.
pub(crate) struct Order {
    lmax: usize,
    spin: usize,
    m: usize,
    /// `max(m, s)`: the first `l` of both sequences.
    l0: usize,
    /// `d^{l+1} = alpha_l ((z − shift_l) d^l) − gamma_l d^{l−1}`, index `l − l0`.
    alpha: [Vec<f64>; 2],
    shift: [Vec<f64>; 2],
    gamma: [Vec<f64>; 2],
    /// The closed form at `l0`: `±√C(p+q, p) cos^p(θ/2) sin^q(θ/2)`.
    start: [WignerStart; 2],
}

/// The recurrence state of one group of ring pairs for both sequences.
#[derive(Clone, Copy, Default)]
struct Lanes {
    previous: [[f64; LANES]; 2],
    current: [[f64; LANES]; 2],
    /// `2^exponent` of each lane's values (0 while they are below f64's range).
    factor: [[f64; LANES]; 2],
    exponent: [[i64; LANES]; 2],
    z: [f64; LANES],
    /// Every lane carries its values unscaled.
    normal: bool,
}

impl Order {
    fn new(lmax: usize, spin: usize) -> Self {
        let empty = || [Vec::with_capacity(lmax + 1), Vec::with_capacity(lmax + 1)];
        let start = WignerStart::default();
        Order {
            lmax,
            spin,
            m: 0,
            l0: 0,
            alpha: empty(),
            shift: empty(),
            gamma: empty(),
            start: [start; 2],
        }
    }

    fn prepare(&mut self, m: usize) {
        let s = self.spin;
        self.m = m;
        self.l0 = m.max(s);
        for (k, mp) in [-(s as i64), s as i64].into_iter().enumerate() {
            let (mf, mpf) = (m as f64, mp as f64);
            let (alpha, shift, gamma) =
                (&mut self.alpha[k], &mut self.shift[k], &mut self.gamma[k]);
            alpha.clear();
            shift.clear();
            gamma.clear();
            for l in self.l0..self.lmax {
                let lf = l as f64;
                let l1 = lf + 1.0;
                let a =
                    l1 * (2.0 * lf + 1.0) / ((l1 * l1 - mf * mf) * (l1 * l1 - mpf * mpf)).sqrt();
                alpha.push(a);
                if l == 0 {
                    shift.push(0.0);
                    gamma.push(0.0);
                } else {
                    shift.push(mf * mpf / (lf * l1));
                    let b = ((lf * lf - mf * mf) * (lf * lf - mpf * mpf)).sqrt()
                        / (lf * (2.0 * lf + 1.0));
                    gamma.push(a * b);
                }
            }
            self.start[k] = WignerStart::new(m, mp);
        }
    }

    /// The recurrence state at `l0` for the ring pairs of `group` (their northern rings).
    fn lanes(&self, group: &[RingPair]) -> Lanes {
        let mut lanes = Lanes::default();
        for (k, pair) in group.iter().enumerate() {
            lanes.z[k] = pair.cos_theta;
            let (half_cos, half_sin) = half_angles(pair.cos_theta, pair.sin_theta);
            let log2_half = [half_cos.log2(), half_sin.log2()];
            for (seq, start) in self.start.iter().enumerate() {
                let log2 = start.log2_value(log2_half);
                let exponent = log2.floor();
                let sign = if start.negative { -1.0 } else { 1.0 };
                lanes.current[seq][k] = sign * (log2 - exponent).exp2();
                lanes.exponent[seq][k] = exponent as i64;
                lanes.factor[seq][k] = scale(1.0, exponent as i64);
            }
        }
        lanes.fold();
        lanes
    }

    /// `A_l`, `B_l` of the northern rings at step `i` (`l = l0 + i`), with the recurrence then
    /// advanced to `l + 1`: once every lane's values are within f64's range (`lanes.normal`),
    /// without scale factors or checks.
    #[inline(always)]
    fn step(&self, lanes: &mut Lanes, i: usize, norm: f64) -> ([f64; LANES], [f64; LANES]) {
        if lanes.normal {
            self.step_in::<false>(lanes, i, norm)
        } else {
            self.step_in::<true>(lanes, i, norm)
        }
    }

    /// [`Order::step`] with (`SCALED`) or without the lanes' scale factors and rescaling.
    #[inline(always)]
    fn step_in<const SCALED: bool>(
        &self,
        lanes: &mut Lanes,
        i: usize,
        norm: f64,
    ) -> ([f64; LANES], [f64; LANES]) {
        let parity_s = if self.spin.is_multiple_of(2) {
            1.0
        } else {
            -1.0
        };
        let half = 0.5
            * if self.m.is_multiple_of(2) {
                norm
            } else {
                -norm
            };
        let (mut a, mut b) = ([0.0; LANES], [0.0; LANES]);
        for k in 0..LANES {
            let (mut minus, mut plus) = (lanes.current[0][k], lanes.current[1][k]);
            if SCALED {
                minus *= lanes.factor[0][k];
                plus *= lanes.factor[1][k];
            }
            plus *= parity_s;
            a[k] = half * (minus + plus);
            b[k] = half * (minus - plus);
        }
        if i + 1 < self.lmax + 1 - self.l0 {
            let mut rescale = false;
            for seq in 0..2 {
                let (alpha, shift, gamma) =
                    (self.alpha[seq][i], self.shift[seq][i], self.gamma[seq][i]);
                for k in 0..LANES {
                    let next = alpha * ((lanes.z[k] - shift) * lanes.current[seq][k])
                        - gamma * lanes.previous[seq][k];
                    lanes.previous[seq][k] = lanes.current[seq][k];
                    lanes.current[seq][k] = next;
                    if SCALED {
                        rescale |= next.abs() > RESCALE_ABOVE;
                    }
                }
            }
            if SCALED && rescale {
                lanes.rescale();
            }
        }
        (a, b)
    }

    /// The phases of order `m` (northern Q, U, southern Q, U) of the ring pairs of `group`,
    /// from the columns `m` of `[a^G, a^C]`.
    #[inline(always)]
    pub(crate) fn synthesise(
        &self,
        group: &[RingPair],
        [g, c]: [&[Complex64]; 2],
        norms: &[f64],
        out: &mut [[Complex64; 4]],
    ) {
        // Per parity of l + m + s, per lane, the real and imaginary parts of Σ g A, Σ c B,
        // Σ c A, Σ g B (as plain arrays, which vectorise).
        let mut sums = [[[0.0; LANES]; 8]; 2];
        let mut lanes = self.lanes(group);
        for l in self.l0..=self.lmax {
            let (a, b) = self.step(&mut lanes, l - self.l0, norms[l]);
            let (gl, cl) = (g[l - self.m], c[l - self.m]);
            let s = &mut sums[(l + self.m + self.spin) % 2];
            for k in 0..LANES {
                s[0][k] += gl.re * a[k];
                s[1][k] += gl.im * a[k];
                s[2][k] += cl.re * b[k];
                s[3][k] += cl.im * b[k];
                s[4][k] += cl.re * a[k];
                s[5][k] += cl.im * a[k];
                s[6][k] += gl.re * b[k];
                s[7][k] += gl.im * b[k];
            }
        }
        let i = Complex64::new(0.0, 1.0);
        let part = |parity: usize, re: usize, k: usize| {
            Complex64::new(sums[parity][re][k], sums[parity][re + 1][k])
        };
        for (k, out) in out.iter_mut().enumerate() {
            let [ga, cb, ca, gb] = [0, 2, 4, 6].map(|r| [part(0, r, k), part(1, r, k)]);
            // North: Q = −Σ (g A + i c B), U = −Σ (c A − i g B); the south's A and B are the
            // north's times p and −p, p = (−1)^(l+m+s) (index 0: p = 1).
            out[0] = -(ga[0] + ga[1] + i * (cb[0] + cb[1]));
            out[1] = -(ca[0] + ca[1] - i * (gb[0] + gb[1]));
            out[2] = -(ga[0] - ga[1] - i * (cb[0] - cb[1]));
            out[3] = -(ca[0] - ca[1] + i * (gb[0] - gb[1]));
        }
    }

    /// Adds this group's terms of `a^G_lm` and `a^C_lm` to `acc` (per `l − l0`, per lane: the
    /// real and imaginary parts of the terms of G, then of C), summed over the lanes later.
    #[inline(always)]
    pub(crate) fn analyse(
        &self,
        group: &[RingPair],
        phases: &[[Complex64; 4]],
        norms: &[f64],
        acc: &mut [[[f64; ACC_LANES]; 4]],
    ) {
        // Per lane: north ± south of Q and U, real and imaginary parts.
        let mut sides = [[0.0; LANES]; 8];
        for (k, &[qn, un, qs, us]) in phases.iter().enumerate().take(group.len()) {
            for (r, v) in [qn + qs, qn - qs, un + us, un - us].iter().enumerate() {
                sides[2 * r][k] = v.re;
                sides[2 * r + 1][k] = v.im;
            }
        }
        let [q_sum, q_diff, u_sum, u_diff] = [0, 2, 4, 6];
        let mut lanes = self.lanes(group);
        for (i, (l, &norm)) in norms.iter().enumerate().skip(self.l0).enumerate() {
            let (a, b) = self.step(&mut lanes, i, norm);
            // g −= A (qN + p qS) + i B (uN − p uS); c −= A (uN + p uS) − i B (qN − p qS).
            let (qa, ub, ua, qb) = if (l + self.m + self.spin).is_multiple_of(2) {
                (q_sum, u_diff, u_sum, q_diff)
            } else {
                (q_diff, u_sum, u_diff, q_sum)
            };
            // g −= A (qN + p qS) + i B (uN − p uS); c −= A (uN + p uS) − i B (qN − p qS).
            let mut t = [[0.0; LANES]; 4];
            for k in 0..LANES {
                t[0][k] = sides[qa][k] * a[k] - sides[ub + 1][k] * b[k];
                t[1][k] = sides[qa + 1][k] * a[k] + sides[ub][k] * b[k];
                t[2][k] = sides[ua][k] * a[k] + sides[qb + 1][k] * b[k];
                t[3][k] = sides[ua + 1][k] * a[k] - sides[qb][k] * b[k];
            }
            // Folded in registers to ACC_LANES before touching memory.
            for (out, t) in acc[i].iter_mut().zip(&t) {
                let mut folded = [0.0; ACC_LANES];
                for (k, v) in t.iter().enumerate() {
                    folded[k % ACC_LANES] += v;
                }
                for (o, f) in out.iter_mut().zip(folded) {
                    *o -= f;
                }
            }
        }
    }
}

impl Lanes {
    /// Lanes whose values grew past [`RESCALE_ABOVE`] are scaled down, their exponent raised.
    #[cold]
    fn rescale(&mut self) {
        for seq in 0..2 {
            for k in 0..LANES {
                if self.current[seq][k].abs() > RESCALE_ABOVE {
                    self.current[seq][k] *= pow2(-RESCALE_STEP);
                    self.previous[seq][k] *= pow2(-RESCALE_STEP);
                    self.exponent[seq][k] += RESCALE_STEP;
                    self.factor[seq][k] = scale(1.0, self.exponent[seq][k]);
                }
            }
        }
        self.fold();
    }

    /// Lanes whose values are now within f64's range carry them unscaled (exponent 0); when
    /// every lane does, the recurrence runs without scale factors.
    fn fold(&mut self) {
        for seq in 0..2 {
            for k in 0..LANES {
                if self.exponent[seq][k] != 0 && self.exponent[seq][k] >= FOLD_ABOVE {
                    let f = self.factor[seq][k];
                    self.current[seq][k] *= f;
                    self.previous[seq][k] *= f;
                    self.exponent[seq][k] = 0;
                    self.factor[seq][k] = 1.0;
                }
            }
        }
        self.normal = self.exponent.iter().flatten().all(|&e| e == 0);
    }
}

/// `2^e` for `|e| ≤ 1022`.
fn pow2(e: i64) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// `v · 2^e`, 0 when it is below f64's range.
fn scale(v: f64, e: i64) -> f64 {
    if e < -1900 {
        0.0
    } else if e < -1000 {
        v * pow2(-1000) * pow2(e + 1000)
    } else {
        v * pow2(e.min(1000))
    }
}

/// The largest mantissa carried before it is scaled down (and its exponent raised).
const RESCALE_ABOVE: f64 = 1e150;
const RESCALE_STEP: i64 = 498;
/// Values `2^e · mantissa` with `e` from here on are carried unscaled: what underflows in the
/// product is below 2^-600 of the largest values, far below double precision.
const FOLD_ABOVE: i64 = -600;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sht::rings::Ring;
    use crate::sht::simd::Isa;

    /// `d^l_{m,m'}(θ)` for `l ≤ lmax` into `out` (0 below `max(m, |m'|)`), as the transforms
    /// compute them: an [`Order`] of spin `|m'|` run over one ring.
    fn wigner_d(m: usize, mp: i64, cos_theta: f64, sin_theta: f64, lmax: usize, out: &mut [f64]) {
        out[..=lmax].iter_mut().for_each(|v| *v = 0.0);
        let mut order = Order::new(lmax, mp.unsigned_abs() as usize);
        order.prepare(m);
        if order.l0 > lmax {
            return;
        }
        let ring = Ring { offset: 0, nphi: 4 };
        let pair = RingPair {
            cos_theta,
            sin_theta,
            phi0: 0.0,
            north: ring,
            south: None,
        };
        let mut lanes = order.lanes(&[pair]);
        let seq = usize::from(mp > 0);
        for (i, l) in (order.l0..=lmax).enumerate() {
            out[l] = lanes.current[seq][0] * lanes.factor[seq][0];
            order.step(&mut lanes, i, 1.0);
        }
    }

    fn coefficients(lmax: usize, phase: f64) -> Alm {
        let mut a = Alm::zeros(lmax, lmax);
        for m in 0..=lmax {
            for l in m..=lmax {
                let im = if m == 0 {
                    0.0
                } else {
                    (0.3 * l as f64 + phase).cos()
                };
                a.set(
                    l,
                    m,
                    Complex64::new((0.7 * l as f64 - m as f64 + phase).sin(), im),
                );
            }
        }
        a
    }

    /// Both transforms of spin 3 on `plan`, flattened, with the scale of each.
    fn both(plan: &ShtPlan) -> [Vec<f64>; 2] {
        let lmax = plan.lmax();
        let alms = [coefficients(lmax, 0.0), coefficients(lmax, 1.0)];
        let [q, u] = alm2map_spin_with(plan, &alms, 3);
        let back = map2alm_spin_with(plan, [&q, &u], 3);
        let coefficients = back
            .iter()
            .flat_map(|a| a.values().iter().flat_map(|c| [c.re, c.im]))
            .collect();
        [[q, u].concat(), coefficients]
    }

    fn worst(a: &[Vec<f64>; 2], b: &[Vec<f64>; 2]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| {
                let scale = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let diff = x
                    .iter()
                    .zip(y)
                    .fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
                diff / scale
            })
            .fold(0.0, f64::max)
    }

    /// Every kernel flavour this CPU runs gives the portable transforms (the same code, no
    /// fused multiply-add: the same bits).
    #[test]
    fn instruction_sets_agree() {
        let plan = || ShtPlan::new(16, 40, 40).unwrap();
        let portable = both(&plan().with_kernels(Isa::Portable, true));
        for isa in [Isa::Avx2Fma, Isa::Avx512] {
            if isa.supported() {
                let other = both(&plan().with_kernels(isa, true));
                assert!(worst(&other, &portable) < 1e-12, "{isa:?}");
            }
        }
    }

    /// Skipping the orders beyond each ring pair's limit changes the spin-3 transforms by less
    /// than 1e-13 of their largest values, where the limit is well below lmax at the poles.
    #[test]
    fn skipping_negligible_orders_changes_nothing() {
        let plan = || ShtPlan::new(128, 383, 383).unwrap();
        assert!(
            plan().pairs[0].order_limit(383, 3) < 200,
            "the cut is active"
        );
        let skipped = both(&plan());
        let full = both(&plan().with_kernels(Isa::detect(), false));
        assert!(worst(&skipped, &full) < 1e-13);
    }

    /// The recurrence against the closed forms of small-l d functions, near the poles too.
    #[test]
    fn wigner_d_matches_closed_forms() {
        let mut out = vec![0.0; 4];
        for theta in [1e-3, 0.7, 2.0, std::f64::consts::PI - 1e-3] {
            let (c, s) = (f64::cos(theta), f64::sin(theta));
            // d^1_{0,−1} = sin θ / √2; d^1_{1,1} = (1 + cos θ)/2.
            wigner_d(0, -1, c, s, 2, &mut out);
            assert!(
                (out[1] - s / 2f64.sqrt()).abs() < 1e-15,
                "{theta} {} {}",
                out[1],
                s / 2f64.sqrt()
            );
            wigner_d(1, 1, c, s, 2, &mut out);
            assert!((out[1] - (1.0 + c) / 2.0).abs() < 1e-15, "{theta}");
            // d^2_{1,1} = (1 + cos θ)(2 cos θ − 1) / 2.
            assert!(
                (out[2] - (1.0 + c) * (2.0 * c - 1.0) / 2.0).abs() < 1e-14,
                "{theta}"
            );
            wigner_d(1, -1, c, s, 2, &mut out);
            // d^1_{1,-1} = (1 − cos θ)/2; d^2_{1,-1} = (1 − cos θ)(2 cos θ + 1)/2.
            assert!((out[1] - (1.0 - c) / 2.0).abs() < 1e-15, "{theta}");
            assert!(
                (out[2] - (1.0 - c) * (2.0 * c + 1.0) / 2.0).abs() < 1e-14,
                "{theta}"
            );
            // d^2_{0,2} = √6/4 sin²θ (l₀ = |m'| > m, sign (−1)^{m'−m} = +).
            wigner_d(0, 2, c, s, 3, &mut out);
            assert!(
                (out[2] - 6f64.sqrt() / 4.0 * s * s).abs() < 1e-15,
                "{theta}"
            );
        }
        // Far below f64's range at l₀, yet of order one by l = 3000 on a ring near the pole:
        // d^l_{m,2} for m = 700 at θ = 0.3 (the value at l₀ is about 1e-650).
        let mut out = vec![0.0; 3001];
        let theta: f64 = 0.3;
        wigner_d(700, 2, theta.cos(), theta.sin(), 3000, &mut out);
        assert_eq!(out[700], 0.0);
        let largest = out.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        assert!(largest > 0.01 && largest <= 1.0, "{largest}");
    }
}
