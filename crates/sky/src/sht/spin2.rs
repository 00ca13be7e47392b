//! The Legendre half of spin-2 transforms (Q/U ↔ E/B) in HEALPix's convention:
//!
//! `Q_m(θ) = −(a^E F1 + i a^B F2)`, `U_m(θ) = −(a^B F1 − i a^E F2)`, summed over `l ≥ 2`, with
//!
//! `F1 = 2N_l [ −((l − m²)/sin²θ + l(l−1)/2) λ_lm + (cos θ / sin²θ) L λ_{l−1,m} ]`,
//! `F2 = 2N_l (m / sin²θ) [ −(l−1) cos θ λ_lm + L λ_{l−1,m} ]`,
//!
//! `N_l = sqrt((l−2)!/(l+2)!)`, `L = sqrt((2l+1)/(2l−1) (l²−m²))` (HEALPix's `F_{1,lm}`,
//! `F_{2,lm}`, COSMO polarisation convention, as healpy). `F1` has the north/south parity of
//! `λ_lm`, `F2` the opposite one. Analysis is the adjoint.

use realfft::num_complex::Complex64;

use super::legendre::{LegendreTables, Recurrence};
use super::spin0::{Climb, LANES, Lanes};

/// `[Q re, Q im, U re, U im]` lanes, for one north/south parity class.
type Acc = [Lanes; 4];

/// Per-`l` factors of `F1`, `F2` that do not depend on the ring.
#[derive(Clone, Copy)]
struct Factors {
    /// `2N_l (2m² − 2l)/2`… split as `f1_s2 / sin²θ + f1_c`: `F1 = f1_s2 λ /s² + f1_c λ + f1_l (c/s²) λ₁`.
    f1_s2: f64,
    f1_c: f64,
    f1_l: f64,
    /// `F2 = f2_c (c/s²) λ + f2_l λ₁ / s²`.
    f2_c: f64,
    f2_l: f64,
}

fn factors(tables: &LegendreTables, l: usize, m: usize) -> Factors {
    let (lf, mf) = (l as f64, m as f64);
    let norm = 2.0 / ((lf + 2.0) * (lf + 1.0) * lf * (lf - 1.0)).sqrt();
    let big_l =
        tables.sqrt_int(2 * l + 1) / tables.sqrt_int(2 * l - 1) * ((lf * lf - mf * mf).sqrt());
    Factors {
        f1_s2: norm * (mf * mf - lf),
        f1_c: -norm * 0.5 * lf * (lf - 1.0),
        f1_l: norm * big_l,
        f2_c: -norm * mf * (lf - 1.0),
        f2_l: norm * mf * big_l,
    }
}

/// `(F1, F2)` per lane from `λ_l`, `λ_{l−1}`.
#[inline]
fn f1f2(f: &Factors, lam: &Lanes, lam1: &Lanes, inv_s2: &Lanes, cs: &Lanes) -> (Lanes, Lanes) {
    let f1 =
        std::array::from_fn(|k| (f.f1_s2 * inv_s2[k] + f.f1_c) * lam[k] + f.f1_l * cs[k] * lam1[k]);
    let f2 = std::array::from_fn(|k| f.f2_c * cs[k] * lam[k] + f.f2_l * inv_s2[k] * lam1[k]);
    (f1, f2)
}

/// Lanes of `1/sin²θ` and `cos θ / sin²θ` (0 for unused lanes).
fn ring_terms(cos: &Lanes, sin: &Lanes) -> (Lanes, Lanes) {
    let inv_s2: Lanes = std::array::from_fn(|k| {
        if sin[k] > 0.0 {
            1.0 / (sin[k] * sin[k])
        } else {
            0.0
        }
    });
    let cs = std::array::from_fn(|k| cos[k] * inv_s2[k]);
    (inv_s2, cs)
}

/// Synthesis for one `m`: per lane `[Q north, Q south, U north, U south]` Fourier coefficients
/// from `e[i] = a^E_{m+i,m}`, `b[i] = a^B_{m+i,m}`.
pub(crate) fn synthesize(
    tables: &LegendreTables,
    rec: &Recurrence,
    m: usize,
    cos: &Lanes,
    sin: &Lanes,
    e: &[Complex64],
    b: &[Complex64],
) -> [[Complex64; 4]; LANES] {
    let lmax = m + e.len() - 1;
    let (inv_s2, cs) = ring_terms(cos, sin);
    let mut climb = Climb::start(tables, m, cos, sin);
    let mut acc: [Acc; 2] = [[[0.0; LANES]; 4]; 2];
    while climb.l <= lmax {
        let l = climb.l;
        if l >= 2 {
            let live = climb.live();
            let lam: Lanes = std::array::from_fn(|k| climb.cur[k] * live[k]);
            let lam1: Lanes = std::array::from_fn(|k| climb.prev[k] * live[k]);
            let (f1, f2) = f1f2(&factors(tables, l, m), &lam, &lam1, &inv_s2, &cs);
            let (ae, ab) = (e[l - m], b[l - m]);
            let p = (l - m) & 1;
            let [s1, s2] = if p == 0 { [0, 1] } else { [1, 0] };
            for k in 0..LANES {
                acc[s1][0][k] -= f1[k] * ae.re;
                acc[s1][1][k] -= f1[k] * ae.im;
                acc[s1][2][k] -= f1[k] * ab.re;
                acc[s1][3][k] -= f1[k] * ab.im;
                acc[s2][0][k] += f2[k] * ab.im;
                acc[s2][1][k] -= f2[k] * ab.re;
                acc[s2][2][k] -= f2[k] * ae.im;
                acc[s2][3][k] += f2[k] * ae.re;
            }
        }
        climb.step_checked(rec);
    }
    let [sym, anti] = acc;
    std::array::from_fn(|k| {
        let c = |i: usize, sign: f64| {
            Complex64::new(
                sym[i][k] + sign * anti[i][k],
                sym[i + 1][k] + sign * anti[i + 1][k],
            )
        };
        [c(0, 1.0), c(0, -1.0), c(2, 1.0), c(2, -1.0)]
    })
}

/// Analysis for one `m`: adds to `acc[i] = [E re, E im, B re, B im]` lanes of `l = m + i` the
/// adjoint sums of the ring coefficients `phases[k] = [Q north, Q south, U north, U south]`.
pub(crate) fn analyze(
    tables: &LegendreTables,
    rec: &Recurrence,
    m: usize,
    cos: &Lanes,
    sin: &Lanes,
    phases: &[[Complex64; 4]; LANES],
    acc: &mut [[Lanes; 4]],
) {
    let lmax = m + acc.len() - 1;
    let (inv_s2, cs) = ring_terms(cos, sin);
    // comb[0] = north + south (even parity), comb[1] = north − south; [Q re, Q im, U re, U im].
    let mut comb = [[[0.0; LANES]; 4]; 2];
    for k in 0..LANES {
        let [qn, qs, un, us] = phases[k];
        comb[0][0][k] = qn.re + qs.re;
        comb[0][1][k] = qn.im + qs.im;
        comb[0][2][k] = un.re + us.re;
        comb[0][3][k] = un.im + us.im;
        comb[1][0][k] = qn.re - qs.re;
        comb[1][1][k] = qn.im - qs.im;
        comb[1][2][k] = un.re - us.re;
        comb[1][3][k] = un.im - us.im;
    }
    let mut climb = Climb::start(tables, m, cos, sin);
    while climb.l <= lmax {
        let l = climb.l;
        if l >= 2 {
            let live = climb.live();
            let lam: Lanes = std::array::from_fn(|k| climb.cur[k] * live[k]);
            let lam1: Lanes = std::array::from_fn(|k| climb.prev[k] * live[k]);
            let (f1, f2) = f1f2(&factors(tables, l, m), &lam, &lam1, &inv_s2, &cs);
            let p = (l - m) & 1;
            let (c1, c2) = (&comb[p], &comb[1 - p]);
            let out = &mut acc[l - m];
            for k in 0..LANES {
                out[0][k] += -f1[k] * c1[0][k] + f2[k] * c2[3][k];
                out[1][k] += -f1[k] * c1[1][k] - f2[k] * c2[2][k];
                out[2][k] += -f2[k] * c2[1][k] - f1[k] * c1[2][k];
                out[3][k] += f2[k] * c2[0][k] - f1[k] * c1[3][k];
            }
        }
        climb.step_checked(rec);
    }
}
