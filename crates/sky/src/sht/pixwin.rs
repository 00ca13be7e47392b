//! The pixel window functions (healpy's `pixwin`), computed from the pixels' shapes.
//!
//! A map value is the mean of the sky over its pixel, which multiplies the spectrum by `w_ℓ²`,
//!
//! `w_ℓ² = (1/N_pix) Σ_p (1/Ω_p²) ∫_p ∫_p P_ℓ(n·n′) dn dn′`
//!
//! (the addition theorem turns the mean over `m` of `|pixel-averaged Y_ℓm|²` into Legendre
//! polynomials of the angle between two points of a pixel); the polarisation window has the
//! spin-2 kernel `d^ℓ_22` in place of `P_ℓ`. HEALPix ships these as tables
//! (`pixel_window_nXXXX.fits`, which tessera cannot redistribute); they are this integral, which
//! is computed here: HEALPix's projection is equal area, so each pixel is the unit square of its
//! face coordinates ([`Healpix::pixel_point`]) and the double integral is a Gauss–Legendre
//! product rule on it; the pairs' separations `t = 1 − n·n′` are gathered in a fine histogram
//! (linear sharing between neighbouring bins), so each `P_ℓ` is evaluated once per bin rather
//! than once per pair. Pixels of the same shape are done once: the four quadrants, the two
//! hemispheres, and whole rings of the equatorial belt are copies of each other.

use rayon::prelude::*;
use tessera_healpix::Healpix;

use crate::error::{Result, SkyError};

/// Gauss–Legendre points per axis of a pixel (exact for polynomials of degree 15 along each
/// axis: the window to `ℓ = 4 nside` varies by a few radians of phase across a pixel).
const GAUSS_POINTS: usize = 8;

/// Bins of the histogram of pair separations.
const BINS: usize = 1 << 15;

/// Gauss–Legendre nodes and weights on [0, 1] (weights summing to 1), by Newton's method on
/// `P_n`.
pub(crate) fn gauss_legendre_unit(n: usize) -> Vec<(f64, f64)> {
    let mut p = vec![0.0; n + 1];
    (0..n)
        .map(|i| {
            // Tricomi's first guess of the i-th root, then Newton.
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                legendre(x, &mut p);
                derivative = n as f64 * (x * p[n] - p[n - 1]) / (x * x - 1.0);
                let step = p[n] / derivative;
                x -= step;
                if step.abs() < 1e-16 {
                    break;
                }
            }
            let weight = 2.0 / ((1.0 - x * x) * derivative * derivative);
            (0.5 * (1.0 - x), 0.5 * weight)
        })
        .collect()
}

/// The product rule on the unit square: `(u, v, weight)`, weights summing to 1.
fn square_rule(gauss: &[(f64, f64)]) -> Vec<(f64, f64, f64)> {
    gauss
        .iter()
        .flat_map(|&(u, wu)| gauss.iter().map(move |&(v, wv)| (u, v, wu * wv)))
        .collect()
}

/// A rule on the unit square split along its diagonal `u + v = 1` (smooth on either side of
/// a kink there): Gauss on each triangle through the collapsed map `u = a, v = (1 − a) b`
/// (Jacobian `1 − a`), the upper triangle by symmetry about the centre.
fn split_square_rule(gauss: &[(f64, f64)]) -> Vec<(f64, f64, f64)> {
    let lower: Vec<(f64, f64, f64)> = gauss
        .iter()
        .flat_map(|&(a, wa)| {
            gauss
                .iter()
                .map(move |&(b, wb)| (a, (1.0 - a) * b, wa * wb * (1.0 - a)))
        })
        .collect();
    let upper = lower.iter().map(|&(u, v, w)| (1.0 - u, 1.0 - v, w));
    lower.iter().copied().chain(upper).collect()
}

/// One pixel of each distinct shape (RING index), how many pixels share it, and whether it
/// straddles the boundary of the polar caps (z = 2/3: ring `nside`), where the projection has a
/// kink along the pixel's east–west diagonal.
fn distinct_pixels(nside: u64) -> Vec<(u64, f64, bool)> {
    let n = nside;
    let mut out = Vec::new();
    for ring in 1..=2 * n {
        let (start, count) = if ring < n {
            (2 * ring * (ring - 1), 4 * ring)
        } else {
            (2 * n * (n - 1) + (ring - n) * 4 * n, 4 * n)
        };
        // Every ring but the equator has its mirror image in the south.
        let hemispheres = if ring < 2 * n { 2.0 } else { 1.0 };
        if ring <= n {
            // Polar caps and the ring where they meet: the four quadrants are rotations of
            // each other, the pixels within a quadrant differ.
            let straddles = ring == n;
            out.extend((start..start + count / 4).map(|p| (p, 4.0 * hemispheres, straddles)));
        } else {
            // Equatorial belt: every pixel of a ring is a shifted copy of the first.
            out.push((start, count as f64 * hemispheres, false));
        }
    }
    out
}

/// The largest pair separation `t = 1 − n·n′` between two points of the pixel, bounded from its
/// outline (a set's diameter is reached on its boundary), with a margin for the outline's
/// sampling.
fn max_separation(hp: &Healpix, pix: u64) -> Result<f64> {
    let outline = hp.boundaries(pix, 8)?;
    let mut t_max: f64 = 0.0;
    for (i, a) in outline.iter().enumerate() {
        for b in &outline[i + 1..] {
            t_max = t_max.max(half_distance_squared(a, b));
        }
    }
    Ok(1.1 * t_max)
}

/// `1 − a·b` for unit vectors, computed as `|a − b|² / 2` (exact for nearby points).
fn half_distance_squared(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    0.5 * ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2))
}

/// The histogram of pair separations `t = 1 − n·n′` over all pixels (each pair weighted by
/// its quadrature weights, every pixel counted once), in bins of the returned width.
fn separation_histogram(hp: &Healpix) -> Result<(Vec<f64>, f64)> {
    let pixels = distinct_pixels(hp.nside());
    let t_max = pixels
        .iter()
        .map(|&(p, _, _)| max_separation(hp, p))
        .try_fold(0.0f64, |m, t| t.map(|t| m.max(t)))?;
    let bin = t_max / BINS as f64;
    let gauss = gauss_legendre_unit(GAUSS_POINTS);
    let (square, split) = (square_rule(&gauss), split_square_rule(&gauss));
    // Fixed chunks summed in order: the same result whatever the number of threads.
    let chunk = pixels.len().div_ceil(256).max(1);
    let partial = pixels
        .par_chunks(chunk)
        .map(|chunk| -> Result<Vec<f64>> {
            let mut h = vec![0.0; BINS + 2];
            for &(pix, copies, straddles) in chunk {
                let rule = if straddles { &split } else { &square };
                let points = rule
                    .iter()
                    .map(|&(u, v, w)| Ok((hp.pixel_point(pix, u, v)?, w)))
                    .collect::<Result<Vec<_>>>()?;
                for (i, (a, wa)) in points.iter().enumerate() {
                    h[0] += copies * wa * wa;
                    for (b, wb) in &points[i + 1..] {
                        // Both orders of the pair; the separation shared linearly between bins.
                        let x = (half_distance_squared(a, b) / bin).min(BINS as f64);
                        let k = x as usize;
                        let (frac, w) = (x - k as f64, 2.0 * copies * wa * wb);
                        h[k] += w * (1.0 - frac);
                        h[k + 1] += w * frac;
                    }
                }
            }
            Ok(h)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut histogram = vec![0.0; BINS + 2];
    for h in &partial {
        histogram.iter_mut().zip(h).for_each(|(x, y)| *x += y);
    }
    Ok((histogram, bin))
}

/// `sqrt(Σ_k h_k K_ℓ(1 − k·bin) / Σ_k h_k)` for `ℓ = 0 ..= lmax`, where `kernel(x, out)` writes
/// `K_ℓ(x)` for every `ℓ` into `out`.
fn window_from(
    histogram: &[f64],
    bin: f64,
    lmax: usize,
    kernel: impl Fn(f64, &mut [f64]),
) -> Vec<f64> {
    let total: f64 = histogram.iter().sum();
    let (mut w2, mut k_l) = (vec![0.0; lmax + 1], vec![0.0; lmax + 1]);
    for (k, &h) in histogram.iter().enumerate().filter(|(_, h)| **h != 0.0) {
        kernel(1.0 - k as f64 * bin, &mut k_l);
        w2.iter_mut().zip(&k_l).for_each(|(w, v)| *w += h * v);
    }
    w2.iter().map(|v| (v / total).max(0.0).sqrt()).collect()
}

/// Legendre polynomials `P_ℓ(x)`, `ℓ = 0 .. out.len()`.
pub(crate) fn legendre(x: f64, out: &mut [f64]) {
    let (mut p0, mut p1) = (1.0, x);
    for (l, slot) in out.iter_mut().enumerate() {
        *slot = match l {
            0 => 1.0,
            1 => x,
            _ => {
                (p0, p1) = (
                    p1,
                    ((2 * l - 1) as f64 * x * p1 - (l - 1) as f64 * p0) / l as f64,
                );
                p1
            }
        };
    }
}

/// Wigner `d^ℓ_22(β)` at `x = cos β`, `ℓ = 0 .. out.len()` (0 below `ℓ = 2`), by the
/// three-term recurrence in `ℓ`.
fn wigner_d22(x: f64, out: &mut [f64]) {
    let (mut prev, mut d) = (0.0, 0.25 * (1.0 + x) * (1.0 + x));
    for (l, slot) in out.iter_mut().enumerate() {
        *slot = match l {
            0 | 1 => 0.0,
            2 => d,
            _ => {
                let m = (l - 1) as f64;
                let next = (m + 1.0) * (2.0 * m + 1.0) / ((m + 1.0).powi(2) - 4.0)
                    * ((x - 4.0 / (m * (m + 1.0))) * d
                        - (m * m - 4.0) / (m * (2.0 * m + 1.0)) * prev);
                (prev, d) = (d, next);
                d
            }
        };
    }
}

fn check_lmax(nside: u64, lmax: Option<usize>) -> Result<usize> {
    let lmax = lmax.unwrap_or(3 * nside as usize - 1);
    if lmax > 4 * nside as usize {
        return Err(SkyError::LmaxTooLarge {
            what: "pixel window",
            lmax,
            nside,
        });
    }
    Ok(lmax)
}

/// The temperature pixel window `w_ℓ`, `ℓ = 0 ..= lmax`, of HEALPix maps at `nside` (healpy's
/// `pixwin(nside, lmax=lmax)`; `lmax` defaults to `3 nside − 1` as there, at most `4 nside` as
/// in HEALPix's tables). `w_0 = 1`; multiply `a_ℓm` by `w_ℓ` to pixelise a sky, divide a
/// measured spectrum by `w_ℓ²` to undo it.
///
/// Agrees with HEALPix's tables to a relative 6e-7 or better up to `ℓ = 4 nside` for nside 2 to
/// 128 (golden values in `data/golden/pixwin.json.gz`; HEALPix's nside-256 table is itself only
/// good to 1e-5). For nside a power of two up to [`PIXWIN_TABLE_NSIDE_MAX`] the windows come
/// from tables this crate embeds, made by the same computation ([`pixwin_pol_computed`]) and
/// read in microseconds; other nsides are computed, at a cost growing as `nside²` (about a
/// second at nside 256 on two cores).
///
/// # Errors
/// [`SkyError::Healpix`] for `nside` 0, [`SkyError::LmaxTooLarge`] when `lmax > 4 nside`.
///
/// # Example
/// ```
/// let w = tessera_sky::sht::pixwin(16, None)?;
/// assert_eq!(w.len(), 48);
/// assert!((w[0] - 1.0).abs() < 1e-12 && w[47] < w[1] && w[1] < 1.0);
/// # Ok::<(), tessera_sky::SkyError>(())
/// ```
pub fn pixwin(nside: u64, lmax: Option<usize>) -> Result<Vec<f64>> {
    let hp = Healpix::ring(nside)?;
    let lmax = check_lmax(nside, lmax)?;
    if let Some([t, _]) = embedded(nside, lmax) {
        return Ok(t);
    }
    let (histogram, bin) = separation_histogram(&hp)?;
    Ok(window_from(&histogram, bin, lmax, legendre))
}

/// The temperature and polarisation pixel windows `[w_T, w_P]` (healpy's
/// `pixwin(nside, pol=True, lmax=lmax)`): `w_P` is the same pixel average with the spin-2 kernel
/// `d^ℓ_22` in place of `P_ℓ` (the Q/U components averaged as they are stored, in each point's
/// own frame, as HEALPix's tables assume), 0 for `ℓ < 2`; E and B modes are multiplied by it.
///
/// Agrees with HEALPix's polarisation tables as [`pixwin`] does with the temperature ones, and
/// uses the embedded tables in the same way.
///
/// # Errors
/// As [`pixwin`].
pub fn pixwin_pol(nside: u64, lmax: Option<usize>) -> Result<[Vec<f64>; 2]> {
    Healpix::ring(nside)?;
    let lmax = check_lmax(nside, lmax)?;
    match embedded(nside, lmax) {
        Some(windows) => Ok(windows),
        None => pixwin_pol_computed(nside, Some(lmax)),
    }
}

/// [`pixwin_pol`] computed from the pixels' shapes, never from the embedded tables (which are
/// this function's output at `lmax = 4 nside`; `cargo run --release -p tessera-sky --example
/// pixwin_tables -- crates/sky/data/pixwin_tables.f64` remakes them).
///
/// # Errors
/// As [`pixwin`].
pub fn pixwin_pol_computed(nside: u64, lmax: Option<usize>) -> Result<[Vec<f64>; 2]> {
    let hp = Healpix::ring(nside)?;
    let lmax = check_lmax(nside, lmax)?;
    let (histogram, bin) = separation_histogram(&hp)?;
    Ok([
        window_from(&histogram, bin, lmax, legendre),
        window_from(&histogram, bin, lmax, wigner_d22),
    ])
}

/// The largest nside whose windows are embedded (every power of two from 1 up to it).
pub const PIXWIN_TABLE_NSIDE_MAX: u64 = 2048;

/// The embedded tables: for nside = 1, 2, 4, … [`PIXWIN_TABLE_NSIDE_MAX`] in turn, `w_T` then
/// `w_P` at `ℓ = 0 ..= 4 nside`, little-endian f64.
const TABLES: &[u8] = include_bytes!("../../data/pixwin_tables.f64");

/// `[w_T, w_P]` to `lmax` from the embedded tables, when `nside` is among them.
fn embedded(nside: u64, lmax: usize) -> Option<[Vec<f64>; 2]> {
    if !nside.is_power_of_two() || nside > PIXWIN_TABLE_NSIDE_MAX {
        return None;
    }
    let mut offset = 0usize;
    let mut n = 1u64;
    while n < nside {
        offset += 2 * (4 * n as usize + 1);
        n *= 2;
    }
    let len = 4 * nside as usize + 1;
    let values = |start: usize| -> Option<Vec<f64>> {
        let bytes = TABLES.get(8 * start..8 * (start + lmax + 1))?;
        Some(
            bytes
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
        )
    };
    Some([values(offset)?, values(offset + len)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_integrates_polynomials_of_degree_fifteen() {
        let rule = gauss_legendre_unit(GAUSS_POINTS);
        for degree in 0..=15 {
            let integral: f64 = rule.iter().map(|(x, w)| w * x.powi(degree)).sum();
            assert!(
                (integral - 1.0 / (degree + 1) as f64).abs() < 1e-14,
                "{degree}"
            );
        }
    }

    #[test]
    fn both_pixel_rules_integrate_polynomials_over_the_square() {
        let gauss = gauss_legendre_unit(GAUSS_POINTS);
        for rule in [square_rule(&gauss), split_square_rule(&gauss)] {
            let total: f64 = rule.iter().map(|r| r.2).sum();
            assert!((total - 1.0).abs() < 1e-14);
            // ∫∫ u³ v² du dv = 1/12.
            let m: f64 = rule.iter().map(|&(u, v, w)| w * u.powi(3) * v * v).sum();
            assert!((m - 1.0 / 12.0).abs() < 1e-14, "{m}");
        }
    }

    /// The embedded tables are exactly what the computation gives (checked where it is cheap),
    /// and cut to any lmax.
    #[test]
    fn embedded_tables_are_the_computed_windows() {
        for nside in [1, 2, 4, 8, 16, 32, 64] {
            let lmax = 4 * nside as usize;
            let table = embedded(nside, lmax).expect("embedded");
            assert_eq!(
                table,
                pixwin_pol_computed(nside, Some(lmax)).unwrap(),
                "{nside}"
            );
            let short = pixwin_pol(nside, Some(lmax / 2)).unwrap();
            assert_eq!(short[0], table[0][..=lmax / 2]);
        }
        assert!(embedded(3, 12).is_none() && embedded(4096, 100).is_none());
        let top = embedded(PIXWIN_TABLE_NSIDE_MAX, 4 * PIXWIN_TABLE_NSIDE_MAX as usize).unwrap();
        assert_eq!(top[0][0], 1.0);
        let expected: usize = (0..=11).map(|k| 16 * (4 * (1usize << k) + 1)).sum();
        assert_eq!(TABLES.len(), expected, "nside 1 ..= 2048");
    }

    #[test]
    fn the_distinct_shapes_cover_every_pixel_once() {
        for nside in [1, 2, 4, 16] {
            let copies: f64 = distinct_pixels(nside).iter().map(|(_, c, _)| c).sum();
            assert_eq!(copies, (12 * nside * nside) as f64);
        }
    }

    /// The recurrences against closed forms: `P_3 = (5x³ − 3x)/2`,
    /// `d³_22 = ((1 + x)/2)² (3x − 2)`.
    #[test]
    fn kernels_match_closed_forms() {
        let mut out = [0.0; 4];
        for x in [-0.7, 0.1, 0.93] {
            legendre(x, &mut out);
            assert!((out[3] - (5.0 * x * x * x - 3.0 * x) / 2.0).abs() < 1e-14);
            wigner_d22(x, &mut out);
            assert_eq!(out[..2], [0.0, 0.0]);
            let d3 = 0.25 * (1.0 + x) * (1.0 + x) * (3.0 * x - 2.0);
            assert!((out[3] - d3).abs() < 1e-14, "{x}");
        }
    }

    #[test]
    fn bad_requests_are_errors() {
        assert!(pixwin(16, Some(65)).is_err());
        assert!(pixwin(0, None).is_err());
        assert_eq!(pixwin(4, Some(16)).unwrap().len(), 17);
    }
}
