//! Convex spherical polygons (`query_polygon`), by HEALPix C++'s `query_polygon_internal`: the
//! polygon is the intersection of the half-spheres on the inner side of its edges (and, for
//! inclusive queries, of its enclosing circle), queried together as HEALPix's `query_multidisc`.

use std::f64::consts::{FRAC_PI_2, PI};

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::query::{NestWalk, QueryMode, nest_step};
use crate::scheme::Scheme;

type Vec3 = [f64; 3];

fn dot(a: &Vec3, b: &Vec3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: &Vec3, b: &Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// HEALPix C++'s `vec3::Norm`: the vector times the reciprocal of its length.
fn norm(a: &Vec3) -> Vec3 {
    let inv = 1.0 / dot(a, a).sqrt();
    [a[0] * inv, a[1] * inv, a[2] * inv]
}

fn sub(a: &Vec3, b: &Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn add(a: &Vec3, b: &Vec3) -> Vec3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

/// A direction as HEALPix C++ holds it after `pointing(vec)`: `(theta, phi)` with `phi` in
/// `[0, 2π)`.
fn pointing(v: &Vec3) -> (f64, f64) {
    let theta = (v[0] * v[0] + v[1] * v[1]).sqrt().atan2(v[2]);
    let mut phi = if v[0] == 0.0 && v[1] == 0.0 {
        0.0
    } else {
        v[1].atan2(v[0])
    };
    if phi < 0.0 {
        phi += 2.0 * PI;
    }
    (theta, phi)
}

/// `pointing::to_vec3`.
fn to_vec3(theta: f64, phi: f64) -> Vec3 {
    let st = theta.sin();
    [st * phi.cos(), st * phi.sin(), theta.cos()]
}

/// HEALPix C++'s `find_enclosing_circle`: a circle (centre, cosine of its radius) holding
/// every point.
fn enclosing_circle(points: &[Vec3]) -> (Vec3, f64) {
    let mut centre = norm(&add(&points[0], &points[1]));
    let mut cosrad = dot(&points[0], &centre);
    for q in 2..points.len() {
        if dot(&points[q], &centre) < cosrad {
            // get_circle(point, q)
            centre = norm(&add(&points[0], &points[q]));
            cosrad = dot(&points[0], &centre);
            for q1 in 1..q {
                if dot(&points[q1], &centre) < cosrad {
                    // get_circle(point, q1, q)
                    centre = norm(&add(&points[q1], &points[q]));
                    cosrad = dot(&points[q1], &centre);
                    for i in 0..q1 {
                        if dot(&points[i], &centre) < cosrad {
                            centre = norm(&cross(
                                &sub(&points[q1], &points[i]),
                                &sub(&points[q], &points[i]),
                            ));
                            cosrad = dot(&points[i], &centre);
                            if cosrad < 0.0 {
                                centre = [-centre[0], -centre[1], -centre[2]];
                                cosrad = -cosrad;
                            }
                        }
                    }
                }
            }
        }
    }
    (centre, cosrad)
}

/// A set of pixel ranges `[lo, hi)` within one ring, as HEALPix's rangeset holds them; the two
/// buffers are reused from ring to ring.
struct RingSet {
    ranges: Vec<(i64, i64)>,
    scratch: Vec<(i64, i64)>,
}

impl RingSet {
    fn reset(&mut self, lo: i64, hi: i64) {
        self.ranges.clear();
        self.ranges.push((lo, hi));
    }

    fn intersect(&mut self, a: i64, b: i64) {
        self.ranges.retain_mut(|(s, e)| {
            (*s, *e) = ((*s).max(a), (*e).min(b));
            s < e
        });
    }

    fn remove(&mut self, a: i64, b: i64) {
        if a >= b {
            return;
        }
        self.scratch.clear();
        for &(s, e) in &self.ranges {
            for piece in [(s, e.min(a)), (s.max(b), e)] {
                if piece.0 < piece.1 {
                    self.scratch.push(piece);
                }
            }
        }
        std::mem::swap(&mut self.ranges, &mut self.scratch);
    }
}

impl Healpix {
    /// The pixels inside the convex spherical polygon with corners `vertices` (unit or not;
    /// at least three, in either winding), as healpy's `query_polygon`, sorted ascending.
    /// Inclusive queries return every pixel that overlaps it (and a few close ones), testing
    /// overlap at `fact × nside` as [`Healpix::query_disc`] does.
    ///
    /// # Errors
    /// [`HealpixError::ZeroVector`]/[`HealpixError::NonFinite`] for a bad corner,
    /// [`HealpixError::Polygon`] for fewer than three corners, a degenerate corner or a polygon
    /// that is not convex, [`HealpixError::InvalidOversampling`].
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, QueryMode};
    /// let hp = Healpix::nested(16)?;
    /// // A spherical triangle around the north pole.
    /// let corners = [[1.0, 0.0, 1.0], [-0.5, 0.866, 1.0], [-0.5, -0.866, 1.0]];
    /// let inside = hp.query_polygon(&corners, QueryMode::Exclusive)?;
    /// assert!(inside.contains(&hp.vec2pix([0.0, 0.0, 1.0])?));
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn query_polygon(&self, vertices: &[Vec3], mode: QueryMode) -> Result<Vec<u64>> {
        let fact = match mode {
            QueryMode::Exclusive => 0,
            QueryMode::Inclusive { fact } => {
                self.check_fact(fact)?;
                fact as i64
            }
        };
        let nv = vertices.len();
        if nv < 3 {
            return Err(HealpixError::Polygon {
                detail: format!("{nv} corners: a polygon needs at least 3"),
            });
        }
        let corners: Vec<Vec3> = vertices
            .iter()
            .map(|v| crate::loc::check_vector(*v).map(|()| pointing(v)))
            .map(|p| p.map(|(t, f)| to_vec3(t, f)))
            .collect::<Result<_>>()?;
        let mut normals = Vec::with_capacity(nv + 1);
        let mut flip = 0.0;
        for i in 0..nv {
            // As HEALPix C++: the handedness from the unnormalised cross product, the normal
            // scaled by flip / length.
            let normal = cross(&corners[i], &corners[(i + 1) % nv]);
            let handedness = dot(&normal, &corners[(i + 2) % nv]);
            if handedness.abs() <= 1e-10 {
                return Err(HealpixError::Polygon {
                    detail: format!(
                        "corner {} is degenerate (three corners on one great circle, or a repeated corner)",
                        (i + 1) % nv
                    ),
                });
            }
            if i == 0 {
                flip = if handedness < 0.0 { -1.0 } else { 1.0 };
            } else if flip * handedness <= 0.0 {
                return Err(HealpixError::Polygon {
                    detail: "the polygon is not convex".into(),
                });
            }
            let scale = flip / dot(&normal, &normal).sqrt();
            normals.push(normal.map(|c| c * scale));
        }
        let mut radii = vec![FRAC_PI_2; nv];
        let (centre, cosrad) = enclosing_circle(&corners);
        if fact != 0 {
            normals.push(centre);
            radii.push(cosrad.acos());
        }
        let mut out = match self.scheme {
            Scheme::Ring => {
                // The edges' half-spheres reach every ring; the polygon lies within its
                // enclosing circle, so only the rings the circle reaches (and one more on each
                // side, against rounding) can hold its pixels. HEALPix C++ visits them all.
                let bounds = self.rings_reached(&centre, cosrad.acos(), fact);
                self.multidisc_ring(&normals, &radii, fact, bounds)
            }
            Scheme::Nested => self.multidisc_nest(&normals, &radii, fact),
        };
        out.dedup();
        debug_assert!(out.is_sorted_by(|a, b| a < b));
        Ok(out)
    }

    /// HEALPix C++'s `query_multidisc`, RING scheme: the pixels inside every disc.
    /// The rings a disc of `radius` around `centre` can touch, padded by one ring and by the
    /// pixel radius an inclusive query allows for.
    fn rings_reached(&self, centre: &Vec3, radius: f64, fact: i64) -> (i64, i64) {
        let n = self.nside;
        let pad = if fact != 0 { self.max_pixrad() } else { 0.0 };
        let (theta, _) = pointing(centre);
        let (north, south) = (theta - radius - pad, theta + radius + pad);
        let first = if north <= 0.0 {
            1
        } else {
            self.ring_above(north.cos()).max(1)
        };
        let last = if south >= PI {
            4 * n - 1
        } else {
            (self.ring_above(south.cos()) + 1).min(4 * n - 1)
        };
        (first, last)
    }

    fn multidisc_ring(
        &self,
        normals: &[Vec3],
        radii: &[f64],
        fact: i64,
        bounds: (i64, i64),
    ) -> Vec<u64> {
        let n = self.nside;
        let fct = if fact != 0 { fact } else { 1 };
        let fine =
            (fct > 1).then(|| Healpix::ring((fct * n) as u64).expect("checked by check_fact"));
        let (rpsmall, rpbig) = match &fine {
            Some(b2) => (b2.max_pixrad(), self.max_pixrad()),
            None if fact != 0 => (self.max_pixrad(), self.max_pixrad()),
            None => (0.0, 0.0),
        };
        struct Disc {
            z0: f64,
            phi: f64,
            xa: f64,
            cosrsmall: f64,
            cosrbig: f64,
            cpix: i64,
        }
        let (mut irmin, mut irmax) = bounds;
        let mut discs = Vec::new();
        for (normal, &rad) in normals.iter().zip(radii) {
            let rsmall = rad + rpsmall;
            if rsmall >= PI {
                continue;
            }
            let rbig = (rad + rpbig).min(PI);
            let (theta, phi) = pointing(normal);
            let cth = theta.cos();
            discs.push(Disc {
                z0: cth,
                phi,
                xa: 1.0 / ((1.0 - cth) * (1.0 + cth)).sqrt(),
                cosrsmall: rsmall.cos(),
                cosrbig: rbig.cos(),
                cpix: if fct > 1 {
                    self.loc2pix(cth, phi, None)
                } else {
                    0
                },
            });
            let rlat1 = theta - rsmall;
            let mut irmin_t = if rlat1 <= 0.0 {
                1
            } else {
                self.ring_above(rlat1.cos()) + 1
            };
            if fct > 1 && rlat1 > 0.0 {
                irmin_t = (irmin_t - 1).max(1);
            }
            let rlat2 = theta + rsmall;
            let mut irmax_t = if rlat2 >= PI {
                4 * n - 1
            } else {
                self.ring_above(rlat2.cos())
            };
            if fct > 1 && rlat2 < PI {
                irmax_t = (irmax_t + 1).min(4 * n - 1);
            }
            irmax = irmax.min(irmax_t);
            irmin = irmin.max(irmin_t);
        }
        let inv_twopi = 1.0 / (2.0 * PI);
        let mut out = Vec::new();
        let mut set = RingSet {
            ranges: Vec::with_capacity(4),
            scratch: Vec::with_capacity(4),
        };
        for iz in irmin..=irmax {
            let z = self.ring2z(iz);
            let info = self.ring_info(iz);
            let (ipix1, nr) = (info.start, info.len);
            let shift = if info.shifted { 0.5 } else { 0.0 };
            set.reset(ipix1, ipix1 + nr);
            for d in &discs {
                if set.ranges.is_empty() {
                    break;
                }
                let x = (d.cosrbig - z * d.z0) * d.xa;
                let ysq = 1.0 - z * z - x * x;
                if ysq <= 0.0 || ysq.is_nan() {
                    // The ring does not cross the disc's edge (or the disc sits on a pole):
                    // the disc bounds which rings are visited, not the pixels of this one.
                    // HEALPix C++ takes dphi = pi - 1e-15 here, but healpy's build keeps the
                    // whole ring, as its query_disc does (a superset only for the rings an
                    // inclusive query adds beyond the disc).
                    continue;
                }
                let dphi = ysq.sqrt().atan2(x);
                let mut ip_lo = (nr as f64 * inv_twopi * (d.phi - dphi) - shift).floor() as i64 + 1;
                let mut ip_hi = (nr as f64 * inv_twopi * (d.phi + dphi) - shift).floor() as i64;
                if let Some(b2) = &fine {
                    let outside = |ip| {
                        self.ring_pixel_misses_disc(
                            b2,
                            ip,
                            nr,
                            ipix1,
                            fct,
                            d.z0,
                            d.phi,
                            d.cosrsmall,
                            d.cpix,
                        )
                    };
                    while ip_lo <= ip_hi && outside(ip_lo) {
                        ip_lo += 1;
                    }
                    while ip_hi > ip_lo && outside(ip_hi) {
                        ip_hi -= 1;
                    }
                }
                if ip_hi >= nr {
                    ip_lo -= nr;
                    ip_hi -= nr;
                }
                if ip_lo < 0 {
                    set.remove(ipix1 + ip_hi + 1, ipix1 + ip_lo + nr);
                } else {
                    set.intersect(ipix1 + ip_lo, ipix1 + ip_hi + 1);
                }
            }
            set.ranges.sort_unstable();
            for &(s, e) in &set.ranges {
                out.extend(s as u64..e as u64);
            }
        }
        out
    }

    /// HEALPix C++'s `query_multidisc`, NESTED scheme.
    fn multidisc_nest(&self, normals: &[Vec3], radii: &[f64], fact: i64) -> Vec<u64> {
        let order = self.order;
        let oplus = if fact != 0 {
            fact.trailing_zeros() as i32
        } else {
            0
        };
        let omax = order + oplus;
        // Per order, per disc: cos(r + dr), cos(r), cos(r − dr).
        let levels: Vec<(Healpix, Vec<[f64; 3]>)> = (0..=omax)
            .map(|o| {
                let base = Healpix::nested(1 << o).expect("order <= 29");
                let dr = base.max_pixrad();
                let limits = radii
                    .iter()
                    .map(|&r| {
                        [
                            if r + dr > PI { -1.0 } else { (r + dr).cos() },
                            r.cos(),
                            if r - dr < 0.0 { 1.0 } else { (r - dr).cos() },
                        ]
                    })
                    .collect();
                (base, limits)
            })
            .collect();
        let mut out = Vec::new();
        let mut stack: Vec<(i64, i32)> = (0..12).rev().map(|p| (p, 0)).collect();
        let mut stacktop = 0usize;
        while let Some((pix, o)) = stack.pop() {
            let (base, limits) = &levels[o as usize];
            let pv = base.pix2vec_in::<true>(pix);
            let mut zone = 3;
            for (normal, limit) in normals.iter().zip(limits) {
                let crad = dot(&pv, normal);
                if let Some(iz) = (0..zone).find(|&iz| crad < limit[iz as usize]) {
                    zone = iz;
                }
                if zone == 0 {
                    break;
                }
            }
            nest_step(
                &mut NestWalk {
                    order,
                    omax,
                    inclusive: fact != 0,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_polygons_are_errors() {
        let hp = Healpix::ring(8).unwrap();
        let square = [
            [1.0, 0.1, 0.1],
            [1.0, -0.1, 0.1],
            [1.0, -0.1, -0.1],
            [1.0, 0.1, -0.1],
        ];
        assert!(hp.query_polygon(&square, QueryMode::Exclusive).is_ok());
        let bowtie = [square[0], square[2], square[1], square[3]];
        let two = &square[..2];
        let repeated = [square[0], square[0], square[1]];
        for (corners, what) in [
            (&bowtie[..], "not convex"),
            (two, "at least 3"),
            (&repeated[..], "degenerate"),
        ] {
            let e = hp.query_polygon(corners, QueryMode::Exclusive).unwrap_err();
            assert!(e.to_string().contains(what), "{e}");
        }
        let e = hp.query_polygon(&[[0.0; 3], square[1], square[2]], QueryMode::Exclusive);
        assert!(e.is_err());
    }
}
