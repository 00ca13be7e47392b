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
//! the poles at high `m`.
//!
//! Spin 2 has its own vectorised kernels ([`super::ShtPlan::alm2map_spin2`]); this one is
//! portable (no SIMD) and serves every spin, spin 2 included, where the two agree to 1e-12.

use rayon::prelude::*;

use super::Complex64;
use super::alm::Alm;
use super::fft::{RingFfts, RingScratch};
use super::rings::{Ring, ring_pairs};
use crate::error::{Result, SkyError};

/// One ring of the map with its colatitude.
struct SpinRing {
    cos_theta: f64,
    sin_theta: f64,
    phi0: f64,
    ring: Ring,
}

/// Every ring of an nside, north to south.
fn rings(nside: usize) -> Vec<SpinRing> {
    let pairs = ring_pairs(nside);
    let north = pairs.iter().map(|p| SpinRing {
        cos_theta: p.cos_theta,
        sin_theta: p.sin_theta,
        phi0: p.phi0,
        ring: p.north,
    });
    let south = pairs.iter().rev().filter_map(|p| {
        p.south.map(|ring| SpinRing {
            cos_theta: -p.cos_theta,
            sin_theta: p.sin_theta,
            phi0: p.phi0,
            ring,
        })
    });
    north.chain(south).collect()
}

fn check(spin: usize, lmax: usize, nside: u64) -> Result<()> {
    if spin == 0 {
        return Err(SkyError::Mismatch {
            what: "spin transform",
            detail: "spin 0 is the scalar transform (map2alm, alm2map)".into(),
        });
    }
    if spin > lmax {
        return Err(SkyError::Mismatch {
            what: "spin transform",
            detail: format!("spin {spin} above lmax {lmax}: every coefficient would be 0"),
        });
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
/// [`SkyError::Mismatch`] for spin 0, a spin above `lmax`, or coefficient sets of different
/// shapes; [`SkyError::LmaxTooLarge`] for `lmax > 4 nside`.
pub fn alm2map_spin(alms: &[Alm; 2], nside: u64, spin: usize) -> Result<[Vec<f64>; 2]> {
    let [g, c] = alms;
    if (g.lmax(), g.mmax()) != (c.lmax(), c.mmax()) {
        return Err(SkyError::Mismatch {
            what: "alm2map_spin",
            detail: "the gradient and curl coefficients have different lmax or mmax".into(),
        });
    }
    let (lmax, mmax) = (g.lmax(), g.mmax());
    check(spin, lmax, nside)?;
    let nside = nside as usize;
    let npix = 12 * nside * nside;
    let ffts = RingFfts::new(nside);
    let rings = rings(nside);
    let (mut q, mut u) = (vec![0.0; npix], vec![0.0; npix]);
    let mut q_rings = split_rings(&mut q, &rings);
    let mut u_rings = split_rings(&mut u, &rings);
    q_rings
        .par_iter_mut()
        .zip(u_rings.par_iter_mut())
        .zip(&rings)
        .for_each_init(
            || (Functions::new(lmax, spin), RingScratch::default()),
            |(f, scratch), ((q, u), r)| {
                let mut sq = vec![Complex64::new(0.0, 0.0); mmax + 1];
                let mut su = sq.clone();
                for m in 0..=mmax {
                    f.fill(m, r.cos_theta, r.sin_theta);
                    let (gm, cm) = (g.column(m), c.column(m));
                    for l in f.first..=lmax {
                        let (a, b) = (f.a[l], f.b[l]);
                        let (gl, cl) = (gm[l - m], cm[l - m]);
                        let i = Complex64::new(0.0, 1.0);
                        sq[m] -= gl * a + i * cl * b;
                        su[m] -= cl * a - i * gl * b;
                    }
                }
                let shifted = r.phi0 != 0.0;
                ffts.synthesize(|m| sq[m], mmax, shifted, q, scratch);
                ffts.synthesize(|m| su[m], mmax, shifted, u, scratch);
            },
        );
    Ok([q, u])
}

/// The gradient and curl coefficients `[a^G, a^C]` up to `lmax`, `mmax` of a spin-`spin` field
/// given by its two RING maps (healpy's `map2alm_spin`: quadrature weight `4π/npix`, no
/// iteration).
///
/// # Errors
/// [`SkyError::Mismatch`] for spin 0, a spin above `lmax`, maps of different or non-HEALPix
/// sizes, or non-finite pixels; [`SkyError::LmaxTooLarge`] for `lmax > 4 nside`.
pub fn map2alm_spin(maps: [&[f64]; 2], spin: usize, lmax: usize, mmax: usize) -> Result<[Alm; 2]> {
    let [q, u] = maps;
    let nside = tessera_healpix::npix2nside(q.len() as u64).map_err(|_| SkyError::Mismatch {
        what: "map2alm_spin",
        detail: format!("{} pixels is not a HEALPix map size", q.len()),
    })?;
    if u.len() != q.len() || !q.iter().chain(u).all(|v| v.is_finite()) {
        return Err(SkyError::Mismatch {
            what: "map2alm_spin",
            detail: "the two maps must have the same size and finite pixels".into(),
        });
    }
    let mmax = mmax.min(lmax);
    check(spin, lmax, nside)?;
    let nside = nside as usize;
    let weight = 4.0 * std::f64::consts::PI / q.len() as f64;
    let ffts = RingFfts::new(nside);
    let rings = rings(nside);
    let zeros = || [Alm::zeros(lmax, mmax), Alm::zeros(lmax, mmax)];
    let sums = rings
        .par_iter()
        .fold(
            || (zeros(), Functions::new(lmax, spin), RingScratch::default()),
            |(mut gc, mut f, mut scratch), r| {
                let range = r.ring.offset..r.ring.offset + r.ring.nphi;
                let shifted = r.phi0 != 0.0;
                let mut qm = vec![Complex64::new(0.0, 0.0); mmax + 1];
                let mut um = qm.clone();
                ffts.analyze(
                    &q[range.clone()],
                    weight,
                    mmax,
                    shifted,
                    |m, v| qm[m] = v,
                    &mut scratch,
                );
                ffts.analyze(
                    &u[range],
                    weight,
                    mmax,
                    shifted,
                    |m, v| um[m] = v,
                    &mut scratch,
                );
                let i = Complex64::new(0.0, 1.0);
                let [g, c] = &mut gc;
                for m in 0..=mmax {
                    f.fill(m, r.cos_theta, r.sin_theta);
                    let (gm, cm) = (g.column_mut(m), c.column_mut(m));
                    for l in f.first..=lmax {
                        let (a, b) = (f.a[l], f.b[l]);
                        gm[l - m] -= qm[m] * a + i * um[m] * b;
                        cm[l - m] -= um[m] * a - i * qm[m] * b;
                    }
                }
                (gc, f, scratch)
            },
        )
        .map(|(gc, _, _)| gc)
        .reduce(zeros, |mut a, b| {
            for (x, y) in a.iter_mut().zip(&b) {
                for (p, q) in x.values_mut().iter_mut().zip(y.values()) {
                    *p += q;
                }
            }
            a
        });
    Ok(sums)
}

/// The rings of a RING map as disjoint mutable slices, in `rings`' order.
fn split_rings<'a>(map: &'a mut [f64], rings: &[SpinRing]) -> Vec<&'a mut [f64]> {
    let mut by_offset: Vec<(usize, usize)> = rings
        .iter()
        .enumerate()
        .map(|(k, r)| (r.ring.offset, k))
        .collect();
    by_offset.sort_unstable();
    let mut slices: Vec<Option<&'a mut [f64]>> = (0..rings.len()).map(|_| None).collect();
    let mut rest = map;
    for (_, k) in by_offset {
        let (head, tail) = rest.split_at_mut(rings[k].ring.nphi);
        slices[k] = Some(head);
        rest = tail;
    }
    slices.into_iter().map(|s| s.unwrap_or_default()).collect()
}

/// `A_l` and `B_l` of one ring and order `m` for `l ≤ lmax` (zero below `first`): half the sum
/// and half the difference of `√((2l+1)/4π) (−1)^m d^l_{m,−s}` and
/// `(−1)^s √((2l+1)/4π) (−1)^m d^l_{m,s}`.
struct Functions {
    lmax: usize,
    spin: usize,
    first: usize,
    a: Vec<f64>,
    b: Vec<f64>,
    minus: Vec<f64>,
    plus: Vec<f64>,
}

impl Functions {
    fn new(lmax: usize, spin: usize) -> Self {
        Functions {
            lmax,
            spin,
            first: 0,
            a: vec![0.0; lmax + 1],
            b: vec![0.0; lmax + 1],
            minus: vec![0.0; lmax + 1],
            plus: vec![0.0; lmax + 1],
        }
    }

    fn fill(&mut self, m: usize, cos_theta: f64, sin_theta: f64) {
        let s = self.spin;
        self.first = m.max(s);
        wigner_d(
            m,
            -(s as i64),
            cos_theta,
            sin_theta,
            self.lmax,
            &mut self.minus,
        );
        wigner_d(m, s as i64, cos_theta, sin_theta, self.lmax, &mut self.plus);
        let parity_m = if m % 2 == 0 { 1.0 } else { -1.0 };
        let parity_s = if s % 2 == 0 { 1.0 } else { -1.0 };
        for l in self.first..=self.lmax {
            let norm = parity_m * ((2 * l + 1) as f64 / (4.0 * std::f64::consts::PI)).sqrt();
            let (fp, fm) = (norm * self.minus[l], parity_s * norm * self.plus[l]);
            self.a[l] = 0.5 * (fp + fm);
            self.b[l] = 0.5 * (fp - fm);
        }
    }
}

/// A number `mantissa · 2^exponent`, for Wigner functions far below f64's range.
#[derive(Clone, Copy)]
struct Scaled {
    mantissa: f64,
    exponent: i64,
}

impl Scaled {
    fn new(v: f64) -> Scaled {
        Scaled {
            mantissa: v,
            exponent: 0,
        }
        .normalised()
    }

    /// The mantissa in [1, 2) (or 0).
    fn normalised(self) -> Scaled {
        let v = self.mantissa;
        if v == 0.0 || !v.is_finite() {
            return Scaled {
                mantissa: v,
                exponent: 0,
            };
        }
        let e = ((v.to_bits() >> 52) & 0x7ff) as i64 - 1023;
        Scaled {
            mantissa: v * pow2(-e),
            exponent: self.exponent + e,
        }
    }

    fn times(self, other: Scaled) -> Scaled {
        Scaled {
            mantissa: self.mantissa * other.mantissa,
            exponent: self.exponent + other.exponent,
        }
        .normalised()
    }

    /// `self^n` by squaring, normalised at each step.
    fn powi(self, mut n: usize) -> Scaled {
        let (mut result, mut base) = (Scaled::new(1.0), self);
        while n > 0 {
            if n & 1 == 1 {
                result = result.times(base);
            }
            base = base.times(base);
            n >>= 1;
        }
        result
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

/// `d^l_{m,m'}(θ)` for `l ≤ lmax` into `out` (0 below `max(m, |m'|)`), `m ≥ 0`, from the closed
/// form at `l₀ = max(m, |m'|)` and the three-term recurrence in `l`.
fn wigner_d(m: usize, mp: i64, cos_theta: f64, sin_theta: f64, lmax: usize, out: &mut [f64]) {
    let s = mp.unsigned_abs() as usize;
    let l0 = m.max(s);
    out[..=lmax].iter_mut().for_each(|v| *v = 0.0);
    if l0 > lmax {
        return;
    }
    // Powers of cos θ/2 and sin θ/2 and the sign of the closed form at l₀.
    let (p, q, negative) = if mp < 0 {
        (m.abs_diff(s), m + s, false)
    } else if m >= s {
        (m + s, m - s, false)
    } else {
        (s + m, s - m, (s - m) % 2 == 1)
    };
    // The half-angle that is not small from 1 ± cos θ, the other from sin θ: accurate near
    // both poles.
    let (half_cos, half_sin) = if cos_theta > 0.0 {
        let half_cos = ((1.0 + cos_theta) / 2.0).sqrt();
        (half_cos, sin_theta / (2.0 * half_cos))
    } else {
        let half_sin = ((1.0 - cos_theta) / 2.0).sqrt();
        (sin_theta / (2.0 * half_sin), half_sin)
    };
    // √C(p + q, p) by a product, normalised as it grows.
    let mut binomial = Scaled::new(1.0);
    for k in 1..=p.min(q) {
        let top = (p.max(q) + k) as f64;
        binomial = binomial.times(Scaled::new(top / k as f64));
    }
    // √(mantissa · 2^e) = √(mantissa · 2^(e mod 2)) · 2^⌊e/2⌋.
    let odd = if binomial.exponent % 2 == 0 { 1.0 } else { 2.0 };
    let start = Scaled::new((binomial.mantissa * odd).sqrt())
        .times(Scaled {
            mantissa: 1.0,
            exponent: binomial.exponent.div_euclid(2),
        })
        .times(Scaled::new(half_cos).powi(p))
        .times(Scaled::new(half_sin).powi(q));
    let sign = if negative { -1.0 } else { 1.0 };
    let (mut previous, mut current) = (0.0, sign * start.mantissa);
    let mut exponent = start.exponent;
    out[l0] = scale(current, exponent);
    let (mf, mpf) = (m as f64, mp as f64);
    for l in l0..lmax {
        let lf = l as f64;
        let l1 = lf + 1.0;
        let norm = ((l1 * l1 - mf * mf) * (l1 * l1 - mpf * mpf)).sqrt();
        let a = l1 * (2.0 * lf + 1.0) / norm;
        let (shift, b) = if l == 0 {
            (0.0, 0.0)
        } else {
            (
                mf * mpf / (lf * l1),
                ((lf * lf - mf * mf) * (lf * lf - mpf * mpf)).sqrt() / (lf * (2.0 * lf + 1.0)),
            )
        };
        let next = a * ((cos_theta - shift) * current - b * previous);
        previous = current;
        current = next;
        if current.abs() > RESCALE_ABOVE {
            current *= pow2(-RESCALE_STEP);
            previous *= pow2(-RESCALE_STEP);
            exponent += RESCALE_STEP;
        }
        out[l + 1] = scale(current, exponent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
