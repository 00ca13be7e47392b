//! HEALPix ring weights (healpy's `use_weights=True`): a quadrature weight per iso-latitude ring
//! that makes `map2alm` exact for the axisymmetric harmonics up to a chosen `l`.
//!
//! healpy reads them from `weight_ring_n<nside>.fits`, made by HEALPix's `QUAD_RING`: one
//! `D_weight` per northern ring (equator included), each ring's pixels multiplied by `1 + D`,
//! mirrored in the south. They solve, for every even `l ≤ lmax`,
//!
//! ```text
//! Σ_rings c_r N_r (1 + D_r) P_l(z_r) = npix δ_l0      (c_r = 2, 1 on the equator)
//! ```
//!
//! (odd `l` hold by symmetry), an underdetermined system (`lmax/2 + 1` equations, `2 nside`
//! rings), taking the solution whose ring totals `y_r = c_r N_r D_r` have the least norm. That is
//! what [`ring_weights`] computes — through the normal equations `P Pᵀ x = b`, `y = Pᵀ x`, with a
//! Cholesky factorisation — and it reproduces healpy's files to 4e-15 · nside (weights of order 0.1;
//! `crates/sky/tests/ring_weights.rs`), as closely as an SVD of the same conditions does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use super::rings::ring_pairs;
use crate::error::{Result, SkyError};

/// The `lmax` HEALPix made its shipped ring weights for, per power-of-two nside 2…8192
/// (`MAX-LPOL` of healpy's `weight_ring_n*.fits`).
const HEALPIX_LMAX: [(u64, usize); 13] = [
    (2, 2),
    (4, 8),
    (8, 24),
    (16, 48),
    (32, 100),
    (64, 226),
    (128, 454),
    (256, 768),
    (512, 1700),
    (1024, 3500),
    (2048, 6144),
    (4096, 12288),
    (8192, 24576),
];

/// Ring weights computed so far, by `(nside, lmax)`.
type Computed = HashMap<(u64, usize), Arc<Vec<f64>>>;

/// The largest nside whose ring weights are computed here (nside 1024 takes 2.4 s and 2048
/// 14 s on a 2-core machine, growing as nside³; larger ones are refused rather than left
/// running).
pub const RING_WEIGHTS_NSIDE_MAX: u64 = 2048;

/// The `lmax` the ring weights of `nside` are exact to: HEALPix's choice for the nsides it ships
/// (2…8192, a power of two), else `3 nside`.
pub fn ring_weights_lmax(nside: u64) -> usize {
    HEALPIX_LMAX
        .iter()
        .find(|&&(n, _)| n == nside)
        .map_or(3 * nside as usize, |&(_, lmax)| lmax)
}

/// The ring weights `D_r` of `nside`, one per northern ring from the pole to the equator
/// (`2 nside` values; each ring's pixels count `1 + D_r` times), exact for the axisymmetric
/// harmonics up to `lmax` ([`ring_weights_lmax`] gives healpy's). Computed once per
/// `(nside, lmax)` and kept.
///
/// # Errors
/// [`SkyError::OutOfRange`] when `nside` is 0 or above [`RING_WEIGHTS_NSIDE_MAX`],
/// [`SkyError::TooFewRings`] when `lmax / 2 + 1` equations outnumber the `2 nside` rings.
pub fn ring_weights(nside: u64, lmax: usize) -> Result<Arc<Vec<f64>>> {
    static CACHE: OnceLock<Mutex<Computed>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(w) = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(nside, lmax))
    {
        return Ok(Arc::clone(w));
    }
    let weights = Arc::new(solve(nside, lmax)?);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((nside, lmax), Arc::clone(&weights));
    Ok(weights)
}

fn solve(nside: u64, lmax: usize) -> Result<Vec<f64>> {
    if nside == 0 || nside > RING_WEIGHTS_NSIDE_MAX {
        return Err(SkyError::OutOfRange {
            what: "ring weights nside",
            value: nside as f64,
            allowed: format!("1 ..= {RING_WEIGHTS_NSIDE_MAX}"),
        });
    }
    let pairs = ring_pairs(nside as usize);
    let equations = lmax / 2 + 1;
    if equations > pairs.len() {
        return Err(SkyError::TooFewRings {
            lmax,
            conditions: equations,
            rings: pairs.len(),
        });
    }
    let npix = 12.0 * (nside * nside) as f64;
    // Row k of `p`: P_{2k}(z_r) over the rings; the ring totals c_r N_r.
    let totals: Vec<f64> = pairs
        .iter()
        .map(|p| p.north.nphi as f64 * if p.south.is_some() { 2.0 } else { 1.0 })
        .collect();
    let columns: Vec<Vec<f64>> = pairs
        .par_iter()
        .map(|p| even_legendre(p.cos_theta, equations))
        .collect();
    let rings = pairs.len();
    let mut p = vec![0.0; equations * rings];
    for (r, column) in columns.iter().enumerate() {
        for (k, &v) in column.iter().enumerate() {
            p[k * rings + r] = v;
        }
    }
    let row = |k: usize| &p[k * rings..(k + 1) * rings];
    // b_l = npix δ_l0 − Σ_r c_r N_r P_l(z_r): what the weights must correct.
    let b: Vec<f64> = (0..equations)
        .map(|k| {
            let sum: f64 = row(k).iter().zip(&totals).map(|(a, t)| a * t).sum();
            if k == 0 { npix - sum } else { -sum }
        })
        .collect();
    // The Gram matrix P Pᵀ (lower triangle), its Cholesky factor in place, then x and y = Pᵀ x.
    let mut gram: Vec<f64> = (0..equations)
        .into_par_iter()
        .flat_map_iter(|i| {
            let ri = row(i);
            (0..equations).map(move |j| {
                if j > i {
                    0.0
                } else {
                    ri.iter().zip(row(j)).map(|(a, b)| a * b).sum()
                }
            })
        })
        .collect();
    cholesky(&mut gram, equations).map_err(|pivot| SkyError::DependentRingConditions {
        lmax,
        nside,
        pivot,
    })?;
    let x = cholesky_solve(&gram, equations, b);
    // D_r = (Pᵀ x)_r / (c_r N_r): each ring's column of P against x.
    Ok(columns
        .iter()
        .zip(&totals)
        .map(|(column, total)| column.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>() / total)
        .collect())
}

/// `P_0(z), P_2(z), …, P_{2(count−1)}(z)` by the three-term recurrence
/// `(l + 1) P_{l+1} = (2l + 1) z P_l − l P_{l−1}`, carried in double-double arithmetic: in
/// plain f64 its rounding grows to 3e-11 by l = 3500, which the weights inherit.
fn even_legendre(z: f64, count: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(count);
    let (mut previous, mut current) = (Dd::ZERO, Dd::from(1.0));
    for l in 0..2 * count {
        if l % 2 == 0 {
            out.push(current.hi + current.lo);
        }
        let l = l as f64;
        let next = current
            .times(z)
            .times(2.0 * l + 1.0)
            .minus(previous.times(l))
            .over(l + 1.0);
        previous = current;
        current = next;
    }
    out
}

/// A double-double number `hi + lo` (|lo| ≤ ulp(hi) / 2), for the Legendre recurrence.
#[derive(Clone, Copy)]
struct Dd {
    hi: f64,
    lo: f64,
}

impl Dd {
    const ZERO: Dd = Dd { hi: 0.0, lo: 0.0 };

    fn from(v: f64) -> Dd {
        Dd { hi: v, lo: 0.0 }
    }

    /// `a + b` exactly as `s + e` (Knuth's two-sum), normalised.
    fn sum(a: f64, b: f64) -> Dd {
        let s = a + b;
        let v = s - a;
        let e = (a - (s - v)) + (b - v);
        Dd::quick(s, e)
    }

    fn quick(a: f64, b: f64) -> Dd {
        let s = a + b;
        Dd {
            hi: s,
            lo: b - (s - a),
        }
    }

    fn times(self, b: f64) -> Dd {
        let p = self.hi * b;
        let e = self.hi.mul_add(b, -p);
        Dd::quick(p, e + self.lo * b)
    }

    fn minus(self, b: Dd) -> Dd {
        let s = Dd::sum(self.hi, -b.hi);
        Dd::quick(s.hi, s.lo + self.lo - b.lo)
    }

    fn over(self, b: f64) -> Dd {
        let q = self.hi / b;
        // The remainder self − q b, exactly enough for the second quotient digit.
        let p = q * b;
        let e = q.mul_add(b, -p);
        let r = ((self.hi - p) - e) + self.lo;
        Dd::quick(q, r / b)
    }
}

/// The Cholesky factor `L` of the symmetric positive definite `n × n` matrix whose lower
/// triangle `a` holds (row-major), in place; `Err(k)` when pivot `k` is not positive.
fn cholesky(a: &mut [f64], n: usize) -> std::result::Result<(), usize> {
    for j in 0..n {
        let (upto, below) = a.split_at_mut((j + 1) * n);
        let row_j = &mut upto[j * n..];
        let pivot = row_j[j] - row_j[..j].iter().map(|v| v * v).sum::<f64>();
        if pivot.is_nan() || pivot <= 0.0 {
            return Err(j);
        }
        row_j[j] = pivot.sqrt();
        let row_j = &*row_j;
        below.par_chunks_mut(n).for_each(|row_i| {
            let dot: f64 = row_i[..j].iter().zip(&row_j[..j]).map(|(x, y)| x * y).sum();
            row_i[j] = (row_i[j] - dot) / row_j[j];
        });
    }
    Ok(())
}

/// Solves `L Lᵀ x = b` with the factor of [`cholesky`].
fn cholesky_solve(l: &[f64], n: usize, mut b: Vec<f64>) -> Vec<f64> {
    for i in 0..n {
        let dot: f64 = (0..i).map(|k| l[i * n + k] * b[k]).sum();
        b[i] = (b[i] - dot) / l[i * n + i];
    }
    for i in (0..n).rev() {
        let dot: f64 = (i + 1..n).map(|k| l[k * n + i] * b[k]).sum();
        b[i] = (b[i] - dot) / l[i * n + i];
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The weights integrate the even Legendre polynomials exactly, with the least norm of
    /// ring totals (any other solution adds a null-space part and is longer).
    #[test]
    fn weights_make_the_ring_quadrature_exact() {
        for (nside, lmax) in [(1, 3), (3, 9), (8, 24), (12, 36)] {
            let d = ring_weights(nside, lmax).unwrap();
            let pairs = ring_pairs(nside as usize);
            assert_eq!(d.len(), 2 * nside as usize);
            let npix = 12.0 * (nside * nside) as f64;
            for k in 0..=lmax / 2 {
                let sum: f64 = pairs
                    .iter()
                    .zip(d.iter())
                    .map(|(p, w)| {
                        let c = if p.south.is_some() { 2.0 } else { 1.0 };
                        c * p.north.nphi as f64 * (1.0 + w) * even_legendre(p.cos_theta, k + 1)[k]
                    })
                    .sum();
                let expected = if k == 0 { npix } else { 0.0 };
                assert!(
                    (sum - expected).abs() < 1e-9 * npix,
                    "nside {nside} l {}: {sum}",
                    2 * k
                );
            }
        }
        assert!(ring_weights(4, 40).is_err());
        assert!(ring_weights(0, 2).is_err());
        assert!(ring_weights(4096, 12288).is_err());
        assert_eq!(ring_weights_lmax(64), 226);
        assert_eq!(ring_weights_lmax(12), 36);
    }
}
