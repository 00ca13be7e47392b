//! The Legendre half of spin-0 transforms: for one `m` and a few ring pairs at once, sum
//! `a_lm λ_lm(θ)` over `l` (synthesis) or accumulate `λ_lm(θ) F_m(θ)` into `a_lm` (analysis).
//!
//! The rings of a chunk are SIMD lanes: every loop body below runs the same arithmetic on
//! `LANES` independent values, which the compiler turns into vector instructions. North and
//! south rings share `|λ_lm|` (`λ_lm(π−θ) = (−1)^(l+m) λ_lm(θ)`), so even and odd `l − m` are
//! summed apart and combined at the end: half the Legendre work.

use realfft::num_complex::Complex64;

use super::legendre::{LegendreTables, Recurrence, SCALE_DOWN};

/// Ring pairs processed together (vector lanes of `f64`).
#[cfg(target_feature = "avx")]
pub(crate) const LANES: usize = 8;
/// Ring pairs processed together (vector lanes of `f64`).
#[cfg(not(target_feature = "avx"))]
pub(crate) const LANES: usize = 4;

/// A chunk of lanes: `[f64; LANES]`.
pub(crate) type Lanes = [f64; LANES];

/// The recurrence state of a chunk of rings for one `m`.
pub(crate) struct Climb {
    /// `cos θ` per lane.
    pub x: Lanes,
    /// `λ_{l−1}` (scaled).
    pub prev: Lanes,
    /// `λ_l` (scaled).
    pub cur: Lanes,
    /// Scale exponent per lane; `< 0` means "still negligible".
    pub scale: [i32; LANES],
    /// The current `l`.
    pub l: usize,
}

impl Climb {
    /// Starts at `l = m` for rings with the given `cos θ`, `sin θ` (unused lanes: `sin θ = 0`).
    pub fn start(tables: &LegendreTables, m: usize, cos: &Lanes, sin: &Lanes) -> Self {
        let mut cur = [0.0; LANES];
        let mut scale = [0; LANES];
        for k in 0..LANES {
            if sin[k] > 0.0 {
                (cur[k], scale[k]) = tables.start(m, sin[k]);
            }
        }
        Climb {
            x: *cos,
            prev: [0.0; LANES],
            cur,
            scale,
            l: m,
        }
    }

    /// Whether some lane is still below the significance threshold.
    #[inline]
    pub fn scaled(&self) -> bool {
        self.scale.iter().any(|&s| s < 0)
    }

    /// The factor (0 or 1) that silences lanes whose value is still negligible.
    #[inline]
    pub fn live(&self) -> Lanes {
        std::array::from_fn(|k| if self.scale[k] == 0 { 1.0 } else { 0.0 })
    }

    /// One step `l → l + 1`, rescaling lanes that have grown past 1 while scaled.
    #[inline]
    pub fn step_checked(&mut self, rec: &Recurrence) {
        let (a, b) = (rec.alpha[self.l + 1], rec.beta[self.l + 1]);
        for k in 0..LANES {
            let next = a * self.x[k] * self.cur[k] - b * self.prev[k];
            self.prev[k] = self.cur[k];
            self.cur[k] = next;
            if self.scale[k] < 0 && next.abs() > 1.0 {
                self.prev[k] *= SCALE_DOWN;
                self.cur[k] *= SCALE_DOWN;
                self.scale[k] += 1;
            }
        }
        self.l += 1;
    }
}

/// Synthesis for one `m`: returns per lane `(north, south)` sums `Σ_l a_lm λ_lm(±θ)`.
///
/// `alm[i]` is `a_{m+i, m}`; `lmax = m + alm.len() − 1`.
pub(crate) fn synthesize(
    climb: &mut Climb,
    rec: &Recurrence,
    alm: &[Complex64],
) -> [[Complex64; 2]; LANES] {
    let m = climb.l;
    let lmax = m + alm.len() - 1;
    // acc[parity] = (re, im) sums over l with (l − m) % 2 == parity.
    let mut acc = [[[0.0; LANES]; 2]; 2];
    while climb.l <= lmax && climb.scaled() {
        let a = alm[climb.l - m];
        let live = climb.live();
        let p = (climb.l - m) & 1;
        for k in 0..LANES {
            let v = climb.cur[k] * live[k];
            acc[p][0][k] += a.re * v;
            acc[p][1][k] += a.im * v;
        }
        climb.step_checked(rec);
    }
    let first = (climb.l - m) & 1;
    let [mut even, mut odd] = acc;
    let (sa, sb) = if first == 0 {
        (&mut even, &mut odd)
    } else {
        (&mut odd, &mut even)
    };
    let (x, mut p1, mut p0) = (climb.x, climb.prev, climb.cur);
    let mut l = climb.l;
    while l < lmax {
        let (a0, a1) = (alm[l - m], alm[l + 1 - m]);
        let (al1, be1, al2, be2) = (
            rec.alpha[l + 1],
            rec.beta[l + 1],
            rec.alpha[l + 2],
            rec.beta[l + 2],
        );
        for k in 0..LANES {
            sa[0][k] += a0.re * p0[k];
            sa[1][k] += a0.im * p0[k];
            let p2 = al1 * x[k] * p0[k] - be1 * p1[k];
            sb[0][k] += a1.re * p2;
            sb[1][k] += a1.im * p2;
            p1[k] = p2;
            p0[k] = al2 * x[k] * p2 - be2 * p0[k];
        }
        l += 2;
    }
    if l == lmax {
        let a0 = alm[l - m];
        for k in 0..LANES {
            sa[0][k] += a0.re * p0[k];
            sa[1][k] += a0.im * p0[k];
        }
    }
    std::array::from_fn(|k| {
        let e = Complex64::new(even[0][k], even[1][k]);
        let o = Complex64::new(odd[0][k], odd[1][k]);
        [e + o, e - o]
    })
}

/// Analysis for one `m`: adds `Σ_rings λ_lm(θ) F_m(θ)` to `acc` (per-lane partial sums, reduced
/// by the caller), where `phases[k] = (F_m(θ_k), F_m(π − θ_k))` for each lane.
///
/// `acc[i]` collects `a_{m+i, m}` as `(re lanes, im lanes)`; `lmax = m + acc.len() − 1`.
pub(crate) fn analyze(
    climb: &mut Climb,
    rec: &Recurrence,
    phases: &[[Complex64; 2]; LANES],
    acc: &mut [[Lanes; 2]],
) {
    let m = climb.l;
    let lmax = m + acc.len() - 1;
    // Even l − m sees north + south, odd sees north − south.
    let mut src = [[[0.0; LANES]; 2]; 2];
    for k in 0..LANES {
        let [n, s] = phases[k];
        src[0][0][k] = n.re + s.re;
        src[0][1][k] = n.im + s.im;
        src[1][0][k] = n.re - s.re;
        src[1][1][k] = n.im - s.im;
    }
    while climb.l <= lmax && climb.scaled() {
        let live = climb.live();
        let p = (climb.l - m) & 1;
        let out = &mut acc[climb.l - m];
        for k in 0..LANES {
            let v = climb.cur[k] * live[k];
            out[0][k] += v * src[p][0][k];
            out[1][k] += v * src[p][1][k];
        }
        climb.step_checked(rec);
    }
    let first = (climb.l - m) & 1;
    let (sa, sb) = (src[first], src[1 - first]);
    let (x, mut p1, mut p0) = (climb.x, climb.prev, climb.cur);
    let mut l = climb.l;
    while l < lmax {
        let (al1, be1, al2, be2) = (
            rec.alpha[l + 1],
            rec.beta[l + 1],
            rec.alpha[l + 2],
            rec.beta[l + 2],
        );
        let (lo, hi) = acc.split_at_mut(l + 1 - m);
        let (out0, out1) = (&mut lo[l - m], &mut hi[0]);
        for k in 0..LANES {
            out0[0][k] += p0[k] * sa[0][k];
            out0[1][k] += p0[k] * sa[1][k];
            let p2 = al1 * x[k] * p0[k] - be1 * p1[k];
            out1[0][k] += p2 * sb[0][k];
            out1[1][k] += p2 * sb[1][k];
            p1[k] = p2;
            p0[k] = al2 * x[k] * p2 - be2 * p0[k];
        }
        l += 2;
    }
    if l == lmax {
        let out = &mut acc[l - m];
        for k in 0..LANES {
            out[0][k] += p0[k] * sa[0][k];
            out[1][k] += p0[k] * sa[1][k];
        }
    }
}
