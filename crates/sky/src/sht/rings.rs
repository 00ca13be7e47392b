//! The iso-latitude rings of a HEALPix RING map, grouped in north/south pairs.

use std::f64::consts::PI;

/// One ring of pixels: where its pixels start in the RING map and how many there are.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ring {
    /// Index of the first pixel in RING order.
    pub offset: usize,
    /// Number of pixels (`4 i` near the poles, `4 nside` in the equatorial belt).
    pub nphi: usize,
}

/// A ring at colatitude θ together with its mirror at π − θ (absent for the equator).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RingPair {
    /// `cos θ` of the northern ring.
    pub cos_theta: f64,
    /// `sin θ` (the same for both rings).
    pub sin_theta: f64,
    /// Longitude of the first pixel centre (the same for both rings).
    pub phi0: f64,
    /// The northern ring.
    pub north: Ring,
    /// The southern ring, unless the northern one is the equator.
    pub south: Option<Ring>,
}

impl RingPair {
    /// The highest order `m` whose functions of spin `spin` can matter on this ring for
    /// `l ≤ lmax`: for larger `m` the ring lies beyond every turning point (`l sin θ ≈ m` for
    /// spin 0), where `λ_lm(θ)` decays exponentially with the distance, and
    /// `max(100, lmax/100)` orders of margin leave only values many orders of magnitude below
    /// double precision. The same limit as libsharp's and ducc0's (`get_mlim`): it skips the
    /// polar rings at high `m` without climbing their recurrences.
    pub fn order_limit(&self, lmax: usize, spin: usize) -> usize {
        let (lmax_f, spin) = (lmax as f64, spin as f64);
        let margin = (0.01 * lmax_f).max(100.0);
        let b = -2.0 * spin * self.cos_theta.abs();
        let t = lmax_f * self.sin_theta + margin;
        let discriminant = b * b - 4.0 * (spin * spin - t * t);
        if discriminant <= 0.0 {
            return lmax;
        }
        let limit = 0.5 * (-b + discriminant.sqrt());
        if limit >= lmax_f {
            lmax
        } else {
            limit.round() as usize
        }
    }
}

/// The ring pairs of a HEALPix map from the north pole to the equator.
pub(crate) fn ring_pairs(nside: usize) -> Vec<RingPair> {
    let n = nside;
    let npix = 12 * n * n;
    let ncap = 2 * n * (n - 1);
    (1..=2 * n)
        .map(|i| {
            let (cos_theta, sin_theta, nphi, offset, shifted) = if i < n {
                let tmp = (i * i) as f64 / (3.0 * (n * n) as f64);
                (
                    1.0 - tmp,
                    (tmp * (2.0 - tmp)).sqrt(),
                    4 * i,
                    2 * i * (i - 1),
                    true,
                )
            } else {
                let z = (2 * n - i) as f64 * 2.0 / (3.0 * n as f64);
                let s = ((1.0 - z) * (1.0 + z)).sqrt();
                (
                    z,
                    s,
                    4 * n,
                    ncap + (i - n) * 4 * n,
                    (i - n).is_multiple_of(2),
                )
            };
            let north = Ring { offset, nphi };
            let south = (i < 2 * n).then(|| Ring {
                offset: npix - nphi - offset,
                nphi,
            });
            RingPair {
                cos_theta,
                sin_theta,
                phi0: if shifted { PI / nphi as f64 } else { 0.0 },
                north,
                south,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_cover_every_pixel_once() {
        for nside in [1, 2, 3, 8] {
            let npix = 12 * nside * nside;
            let mut seen = vec![0u8; npix];
            for p in ring_pairs(nside) {
                for r in std::iter::once(p.north).chain(p.south) {
                    seen[r.offset..r.offset + r.nphi]
                        .iter_mut()
                        .for_each(|s| *s += 1);
                }
                assert!((p.cos_theta.powi(2) + p.sin_theta.powi(2) - 1.0).abs() < 1e-15);
            }
            assert!(seen.iter().all(|&s| s == 1), "nside {nside}");
        }
    }

    #[test]
    fn geometry_matches_pix2ang() {
        let nside = 4;
        let hp = tessera_healpix::Healpix::ring(nside as u64).unwrap();
        for p in ring_pairs(nside) {
            for (r, sign) in [(Some(p.north), 1.0), (p.south, -1.0)] {
                let Some(r) = r else { continue };
                let (theta, phi) = hp.pix2ang(r.offset as u64).unwrap();
                assert!((theta.cos() - sign * p.cos_theta).abs() < 1e-14);
                assert!((phi - p.phi0).abs() < 1e-14);
            }
        }
    }
}
