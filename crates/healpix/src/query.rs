//! Region queries: discs (`query_disc`) and iso-latitude strips (`query_strip`).
//!
//! The algorithms are those of HEALPix C++ (`query_disc_internal`, `query_strip_internal`), so the
//! pixel sets equal healpy's, including the conservative extra pixels of inclusive queries.

use std::f64::consts::{FRAC_PI_2, PI};

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::scheme::Scheme;
use crate::vec3::cosdist_zphi;

/// Which pixels a region query returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QueryMode {
    /// Pixels whose centres lie inside the region (healpy's `inclusive=False`).
    #[default]
    Exclusive,
    /// Every pixel that overlaps the region, possibly with a few that only come close
    /// (healpy's `inclusive=True`). For discs, `fact` is healpy's oversampling factor (default 4):
    /// overlap is tested at `fact * nside`; larger is tighter and slower. Strips ignore it.
    Inclusive {
        /// Oversampling factor for the overlap test (a power of two for NESTED).
        fact: u32,
    },
}

impl QueryMode {
    /// Inclusive mode with healpy's default oversampling factor 4.
    pub const fn inclusive() -> Self {
        QueryMode::Inclusive { fact: 4 }
    }
}

impl Healpix {
    /// The pixels within `radius` radians of the direction `vec` (healpy's `query_disc`),
    /// sorted ascending.
    ///
    /// # Errors
    /// [`HealpixError::ZeroVector`], [`HealpixError::NonFinite`], [`HealpixError::InvalidRadius`],
    /// [`HealpixError::InvalidOversampling`].
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, QueryMode};
    /// let hp = Healpix::ring(16)?;
    /// let exact = hp.query_disc([1.0, 0.0, 0.0], 0.2, QueryMode::Exclusive)?;
    /// let more = hp.query_disc([1.0, 0.0, 0.0], 0.2, QueryMode::inclusive())?;
    /// assert!(exact.iter().all(|p| more.contains(p)) && more.len() > exact.len());
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn query_disc(&self, vec: [f64; 3], radius: f64, mode: QueryMode) -> Result<Vec<u64>> {
        let (theta, phi) = crate::loc::vec2ang(vec)?;
        if !(radius >= 0.0 && radius.is_finite()) {
            return Err(HealpixError::InvalidRadius { radius });
        }
        let fact = match mode {
            QueryMode::Exclusive => 0,
            QueryMode::Inclusive { fact } => {
                self.check_fact(fact)?;
                fact as i64
            }
        };
        // Both traversals emit pixels in order, as HEALPix C++ appends them to a rangeset: the
        // RING one strictly increasing, the NESTED one non-decreasing (a pixel may repeat).
        let out = match self.scheme {
            Scheme::Ring => self.query_disc_ring(theta, phi, radius, fact),
            Scheme::Nested => {
                let mut out = self.query_disc_nest(theta, phi, radius, fact);
                out.dedup();
                out
            }
        };
        debug_assert!(out.is_sorted_by(|a, b| a < b));
        Ok(out)
    }

    pub(crate) fn check_fact(&self, fact: u32) -> Result<()> {
        let bad = HealpixError::InvalidOversampling {
            fact,
            nside: self.nside as u64,
        };
        if fact == 0 || (self.nside as u64).saturating_mul(fact as u64) > crate::MAX_NSIDE {
            return Err(bad);
        }
        if self.scheme == Scheme::Nested && !fact.is_power_of_two() {
            return Err(bad);
        }
        Ok(())
    }

    /// A capacity that holds a disc of radius `r` (area fraction plus one pixel per ring edge).
    fn disc_capacity(&self, r: f64) -> usize {
        let area = self.npix as f64 * (1.0 - r.min(PI).cos()) / 2.0;
        let rings = 4.0 * self.nside as f64 * r.min(PI) / PI + 2.0;
        // Capped: a huge disc grows the vector as it fills instead of reserving up front.
        ((area * 1.05 + 4.0 * rings) as usize).min(1 << 24)
    }

    fn query_disc_ring(&self, theta: f64, phi: f64, radius: f64, fact: i64) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.disc_capacity(radius));
        let inclusive = fact != 0;
        let fine = (fact > 1)
            .then(|| Healpix::ring((fact * self.nside) as u64).expect("checked by check_fact"));
        let (rsmall, rbig) = match &fine {
            Some(b2) => (radius + b2.max_pixrad(), radius + self.max_pixrad()),
            None if inclusive => (radius + self.max_pixrad(), radius + self.max_pixrad()),
            None => (radius, radius),
        };
        if rsmall >= PI {
            return (0..self.npix as u64).collect();
        }
        let rbig = rbig.min(PI);
        let (cosrsmall, cosrbig) = (rsmall.cos(), rbig.cos());
        let z0 = theta.cos();
        let xa = 1.0 / ((1.0 - z0) * (1.0 + z0)).sqrt();
        let cpix = self.loc2pix(z0, phi, None);

        let rlat1 = theta - rsmall;
        let mut irmin = self.ring_above(rlat1.cos()) + 1;
        if rlat1 <= 0.0 && irmin > 1 {
            let info = self.ring_info(irmin - 1);
            out.extend(0..(info.start + info.len) as u64);
        }
        if fine.is_some() && rlat1 > 0.0 {
            irmin = (irmin - 1).max(1);
        }
        let rlat2 = theta + rsmall;
        let mut irmax = self.ring_above(rlat2.cos());
        if fine.is_some() && rlat2 < PI {
            irmax = (irmax + 1).min(4 * self.nside - 1);
        }
        for iz in irmin..=irmax {
            let z = self.ring2z(iz);
            let x = (cosrbig - z * z0) * xa;
            let ysq = 1.0 - z * z - x * x;
            // No intersection with the disc's edge: the ring lies wholly inside it.
            let whole_ring = ysq <= 0.0;
            let dphi = if whole_ring {
                PI - 1e-15
            } else {
                ysq.sqrt().atan2(x)
            };
            if dphi <= 0.0 {
                continue;
            }
            let info = self.ring_info(iz);
            let (ipix1, nr) = (info.start, info.len);
            let shift = if info.shifted { 0.5 } else { 0.0 };
            let ipix2 = ipix1 + nr - 1;
            let inv_twopi = 1.0 / (2.0 * PI);
            let mut ip_lo = (nr as f64 * inv_twopi * (phi - dphi) - shift).floor() as i64 + 1;
            // HEALPix C++ takes phi + dphi here too, which for a whole ring drops the pixel at
            // exactly phi + pi (a disc on a pole, or centred at phi = 0, pi/2, pi, 3pi/2);
            // healpy's build keeps it. A whole ring is all nr pixels from ip_lo on.
            let mut ip_hi = if whole_ring {
                ip_lo + nr - 1
            } else {
                (nr as f64 * inv_twopi * (phi + dphi) - shift).floor() as i64
            };
            if let Some(b2) = &fine {
                let outside = |ip| {
                    self.ring_pixel_misses_disc(b2, ip, nr, ipix1, fact, z0, phi, cosrsmall, cpix)
                };
                while ip_lo <= ip_hi && outside(ip_lo) {
                    ip_lo += 1;
                }
                while ip_hi > ip_lo && outside(ip_hi) {
                    ip_hi -= 1;
                }
            }
            if ip_lo <= ip_hi {
                if ip_hi >= nr {
                    ip_lo -= nr;
                    ip_hi -= nr;
                }
                if ip_lo < 0 {
                    out.extend(ipix1 as u64..(ipix1 + ip_hi + 1) as u64);
                    out.extend((ipix1 + ip_lo + nr) as u64..(ipix2 + 1) as u64);
                } else {
                    out.extend((ipix1 + ip_lo) as u64..(ipix1 + ip_hi + 1) as u64);
                }
            }
        }
        if rlat2 >= PI && irmax + 1 < 4 * self.nside {
            let info = self.ring_info(irmax + 1);
            out.extend(info.start as u64..self.npix as u64);
        }
        out
    }

    /// HEALPix C++'s `check_pixel_ring`: true when no sub-pixel at the border of ring pixel
    /// `ip` (at `fact * nside`) lies within the enlarged disc, i.e. the pixel can be skipped.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn ring_pixel_misses_disc(
        &self,
        b2: &Healpix,
        ip: i64,
        nr: i64,
        ipix1: i64,
        fct: i64,
        cz: f64,
        cphi: f64,
        cosrp2: f64,
        cpix: i64,
    ) -> bool {
        let mut pix = ip;
        if pix >= nr {
            pix -= nr;
        }
        if pix < 0 {
            pix += nr;
        }
        pix += ipix1;
        if pix == cpix {
            return false;
        }
        let f = self.ring2xyf_unchecked(pix);
        let (ox, oy) = (fct * f.x, fct * f.y);
        let near = |x: i64, y: i64| {
            let (z, phi) = b2.xyf2zphi_ring(x, y, f.face);
            cosdist_zphi(z, phi, cz, cphi) > cosrp2
        };
        for i in 0..fct - 1 {
            if near(ox + i, oy)
                || near(ox + fct - 1, oy + i)
                || near(ox + fct - 1 - i, oy + fct - 1)
                || near(ox, oy + fct - 1 - i)
            {
                return false;
            }
        }
        true
    }

    /// The centre `(z, phi)` of the RING pixel at face coordinates `(x, y, face)`: the same
    /// floating-point expressions as `pix2loc(xyf2ring(x, y, face))`, so bit-identical, but
    /// without recovering the ring from the pixel index (no integer square root).
    #[inline]
    fn xyf2zphi_ring(&self, x: i64, y: i64, face: usize) -> (f64, f64) {
        let n = self.nside;
        let ring = crate::xyf::JRLL[face] * n - x - y - 1;
        let (_, jp) = self.ring_slot(ring, face, x - y);
        let phi = if ring < n {
            (jp as f64 - 0.5) * FRAC_PI_2 / ring as f64
        } else if ring <= 3 * n {
            let fodd = 0.5 + 0.5 * ((ring + n) & 1) as f64;
            (jp as f64 - fodd) * PI * 0.75 * self.fact1
        } else {
            (jp as f64 - 0.5) * FRAC_PI_2 / (4 * n - ring) as f64
        };
        (self.ring2z(ring), phi)
    }

    fn query_disc_nest(&self, theta: f64, phi: f64, radius: f64, fact: i64) -> Vec<u64> {
        if radius >= PI {
            return (0..self.npix as u64).collect();
        }
        let order = self.order;
        let inclusive = fact != 0;
        let oplus = if inclusive {
            fact.trailing_zeros() as i32
        } else {
            0
        };
        let omax = order + oplus;
        let cosrad = radius.cos();
        let levels: Vec<(Healpix, f64, f64)> = (0..=omax)
            .map(|o| {
                let base = Healpix::nested(1 << o).expect("order <= 29");
                let dr = base.max_pixrad();
                let crpdr = if radius + dr > PI {
                    -1.0
                } else {
                    (radius + dr).cos()
                };
                let crmdr = if radius - dr < 0.0 {
                    1.0
                } else {
                    (radius - dr).cos()
                };
                (base, crpdr, crmdr)
            })
            .collect();
        let z0 = theta.cos();
        let mut out = Vec::with_capacity(self.disc_capacity(radius));
        let mut stack: Vec<(i64, i32)> = (0..12).rev().map(|p| (p, 0)).collect();
        let mut stacktop = 0usize;
        while let Some((pix, o)) = stack.pop() {
            let (base, crpdr, crmdr) = &levels[o as usize];
            let loc = base.pix2loc_in::<true>(pix);
            let cangdist = cosdist_zphi(z0, phi, loc.z, loc.phi);
            if cangdist <= *crpdr {
                continue;
            }
            // 1: only the safety margin reaches the centre; 2: centre inside; 3: fully inside.
            let zone = if cangdist < cosrad {
                1
            } else if cangdist <= *crmdr {
                2
            } else {
                3
            };
            nest_step(
                &mut NestWalk {
                    order,
                    omax,
                    inclusive,
                    stack: &mut stack,
                    stacktop: &mut stacktop,
                    out: &mut out,
                },
                pix,
                o,
                zone,
            );
        }
        out
    }

    /// The pixels whose centres lie between colatitudes `theta1` and `theta2` (healpy's
    /// `query_strip`), sorted ascending. When `theta1 > theta2` the strip wraps over the poles:
    /// `[0, theta2] ∪ [theta1, π]`.
    ///
    /// # Errors
    /// [`HealpixError::NonFinite`], [`HealpixError::ThetaOutOfRange`].
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, QueryMode};
    /// // A galactic-plane cut |b| < 20° at nside 8, in a map in galactic coordinates.
    /// let hp = Healpix::nested(8)?;
    /// let (t1, t2) = (70f64.to_radians(), 110f64.to_radians());
    /// let cut = hp.query_strip(t1, t2, QueryMode::Exclusive)?;
    /// assert!(cut.iter().all(|&p| { let (t, _) = hp.pix2ang(p).unwrap(); t >= t1 && t <= t2 }));
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn query_strip(&self, theta1: f64, theta2: f64, mode: QueryMode) -> Result<Vec<u64>> {
        crate::loc::check_angles(theta1, 0.0)?;
        crate::loc::check_angles(theta2, 0.0)?;
        let inclusive = matches!(mode, QueryMode::Inclusive { .. });
        let mut ring = if theta1 < theta2 {
            self.strip_ring(theta1, theta2, inclusive)
        } else {
            let mut both = self.strip_ring(0.0, theta2, inclusive);
            both.extend(self.strip_ring(theta1, PI, inclusive));
            both
        };
        if self.scheme == Scheme::Nested {
            for p in ring.iter_mut() {
                *p = self.ring2nest_unchecked(*p as i64) as u64;
            }
            ring.sort_unstable();
        }
        ring.dedup();
        Ok(ring)
    }

    fn strip_ring(&self, theta1: f64, theta2: f64, inclusive: bool) -> Vec<u64> {
        let last_ring = 4 * self.nside - 1;
        let mut ring1 = (1 + self.ring_above(theta1.cos())).max(1);
        let mut ring2 = self.ring_above(theta2.cos()).min(last_ring);
        if inclusive {
            ring1 = (ring1 - 1).max(1);
            ring2 = (ring2 + 1).min(last_ring);
        }
        let first = self.ring_info(ring1).start;
        let last = self.ring_info(ring2);
        let end = last.start + last.len;
        if first <= end {
            (first as u64..end as u64).collect()
        } else {
            Vec::new()
        }
    }
}

/// The state of a hierarchical (NESTED) region query: HEALPix C++'s stack and output.
pub(crate) struct NestWalk<'a> {
    pub(crate) order: i32,
    pub(crate) omax: i32,
    pub(crate) inclusive: bool,
    pub(crate) stack: &'a mut Vec<(i64, i32)>,
    pub(crate) stacktop: &'a mut usize,
    pub(crate) out: &'a mut Vec<u64>,
}

/// HEALPix C++'s `check_pixel`: what to do with pixel `pix` at order `o` given its `zone`
/// (0: outside; 1: only the safety margin reaches it; 2: its centre inside; 3: wholly inside).
pub(crate) fn nest_step(w: &mut NestWalk<'_>, pix: i64, o: i32, zone: i32) {
    if zone == 0 {
        return;
    }
    let push_children = |stack: &mut Vec<(i64, i32)>| {
        for i in 0..4 {
            stack.push((4 * pix + 3 - i, o + 1));
        }
    };
    if o < w.order {
        if zone >= 3 {
            let sdist = 2 * (w.order - o);
            w.out
                .extend((pix << sdist) as u64..((pix + 1) << sdist) as u64);
        } else {
            push_children(w.stack);
        }
    } else if o > w.order {
        if zone >= 2 || o >= w.omax {
            w.out.push((pix >> (2 * (o - w.order))) as u64);
            w.stack.truncate(*w.stacktop);
        } else {
            push_children(w.stack);
        }
    } else if zone >= 2 {
        w.out.push(pix as u64);
    } else if w.inclusive {
        if w.order < w.omax {
            *w.stacktop = w.stack.len();
            push_children(w.stack);
        } else {
            w.out.push(pix as u64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute_force_centres(hp: &Healpix, v: [f64; 3], radius: f64) -> Vec<u64> {
        let norm = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        (0..hp.npix())
            .filter(|&p| {
                let c = hp.pix2vec(p).unwrap();
                let cosd = (c[0] * v[0] + c[1] * v[1] + c[2] * v[2]) / norm;
                cosd >= radius.cos()
            })
            .collect()
    }

    #[test]
    fn exclusive_disc_is_the_set_of_centres_inside() {
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(16, scheme).unwrap();
            for (v, r) in [
                ([0.3, -0.2, 0.9], 0.3),
                ([1.0, 1.0, -0.1], 0.05),
                ([0.0, 0.0, -1.0], 0.5),
            ] {
                assert_eq!(
                    hp.query_disc(v, r, QueryMode::Exclusive).unwrap(),
                    brute_force_centres(&hp, v, r)
                );
            }
        }
    }

    #[test]
    fn inclusive_disc_contains_exclusive_and_full_sphere() {
        let hp = Healpix::nested(8).unwrap();
        let inc = hp
            .query_disc([0.0, 1.0, 0.0], 0.4, QueryMode::inclusive())
            .unwrap();
        let exc = hp
            .query_disc([0.0, 1.0, 0.0], 0.4, QueryMode::Exclusive)
            .unwrap();
        assert!(exc.iter().all(|p| inc.binary_search(p).is_ok()));
        assert_eq!(
            hp.query_disc([0.0, 1.0, 0.0], 4.0, QueryMode::Exclusive)
                .unwrap()
                .len(),
            768
        );
        assert!(
            hp.query_disc([0.0, 1.0, 0.0], -1.0, QueryMode::Exclusive)
                .is_err()
        );
        assert!(
            hp.query_disc([0.0, 1.0, 0.0], 0.1, QueryMode::Inclusive { fact: 3 })
                .is_err()
        );
    }
}
