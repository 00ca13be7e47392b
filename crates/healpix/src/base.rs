//! [`Healpix`]: one resolution in one scheme, the object every query is asked of.

use crate::bits::isqrt;
use crate::error::{HealpixError, Result};
use crate::nside::Nside;
use crate::scheme::Scheme;

/// A HEALPix tessellation: a validated nside in a chosen [`Scheme`].
///
/// This is healpy's (and HEALPix C++'s `Healpix_Base`) notion of a map geometry. All per-pixel
/// functions are methods on it; construction validates nside once, so the methods only check
/// their own arguments. It is `Copy` and 64 bytes: pass it by value.
///
/// # Example
/// ```
/// use tessera_healpix::{Healpix, Scheme};
/// let hp = Healpix::new(16, Scheme::Nested)?;
/// let pix = hp.ang2pix(0.1, 0.2)?;          // healpy: ang2pix(16, 0.1, 0.2, nest=True)
/// assert_eq!(pix, 254);
/// let (theta, phi) = hp.pix2ang(pix)?;
/// assert_eq!(hp.ang2pix(theta, phi)?, pix);
/// assert!(Healpix::new(12, Scheme::Nested).is_err()); // NESTED needs a power of two
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Healpix {
    pub(crate) nside: i64,
    /// `log2(nside)`, or -1 when nside is not a power of two (RING only).
    pub(crate) order: i32,
    pub(crate) scheme: Scheme,
    pub(crate) npix: i64,
    /// Pixels in the north polar cap: `2 nside (nside - 1)`.
    pub(crate) ncap: i64,
    /// `4 / npix`.
    pub(crate) fact2: f64,
    /// `2 nside * fact2`.
    pub(crate) fact1: f64,
}

/// One ring of pixels, as [`Healpix::ringinfo`] describes it (healpy's `ringinfo`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ring {
    /// Its first pixel, RING numbering.
    pub start: u64,
    /// How many pixels it holds.
    pub len: u64,
    /// Cosine of the colatitude of its pixel centres.
    pub cos_theta: f64,
    /// Sine of that colatitude.
    pub sin_theta: f64,
    /// Whether its first pixel centre sits half a pixel east of `phi = 0`.
    pub shifted: bool,
}

/// Ring position of a ring index: (first pixel, pixels in the ring, half-pixel shifted?).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RingInfo {
    pub(crate) start: i64,
    pub(crate) len: i64,
    pub(crate) shifted: bool,
}

impl Healpix {
    /// A tessellation at `nside` in `scheme`.
    ///
    /// # Errors
    /// As [`Nside::new`]; [`HealpixError::NsideNotPowerOfTwo`] for NESTED with another nside.
    pub fn new(nside: u64, scheme: Scheme) -> Result<Self> {
        Self::from_nside(Nside::new(nside)?, scheme)
    }

    /// A tessellation at an already validated [`Nside`].
    ///
    /// # Errors
    /// [`HealpixError::NsideNotPowerOfTwo`] for NESTED with an nside that is not a power of two.
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, Nside, Scheme};
    /// let hp = Healpix::from_nside(Nside::new(3)?, Scheme::Ring)?;
    /// assert_eq!(hp.npix(), 108);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn from_nside(nside: Nside, scheme: Scheme) -> Result<Self> {
        if scheme == Scheme::Nested && !nside.supports_nested() {
            return Err(HealpixError::NsideNotPowerOfTwo { nside: nside.get() });
        }
        let n = nside.get() as i64;
        let npix = 12 * n * n;
        let fact2 = 4.0 / npix as f64;
        Ok(Healpix {
            nside: n,
            order: nside.order().map_or(-1, |o| o as i32),
            scheme,
            npix,
            ncap: 2 * n * (n - 1),
            fact2,
            fact1: ((n << 1) as f64) * fact2,
        })
    }

    /// The RING tessellation at `nside` (any nside ≥ 1).
    ///
    /// # Errors
    /// As [`Nside::new`].
    pub fn ring(nside: u64) -> Result<Self> {
        Self::new(nside, Scheme::Ring)
    }

    /// The NESTED tessellation at `nside` (a power of two).
    ///
    /// # Errors
    /// As [`Healpix::new`].
    pub fn nested(nside: u64) -> Result<Self> {
        Self::new(nside, Scheme::Nested)
    }

    /// The same resolution in another scheme.
    ///
    /// # Errors
    /// [`HealpixError::NsideNotPowerOfTwo`] when asking for NESTED at a non-power-of-two nside.
    pub fn with_scheme(self, scheme: Scheme) -> Result<Self> {
        Self::new(self.nside as u64, scheme)
    }

    /// The resolution parameter.
    pub fn nside(&self) -> u64 {
        self.nside as u64
    }

    /// The resolution as a validated [`Nside`].
    pub fn nside_validated(&self) -> Nside {
        Nside::new(self.nside as u64).expect("validated at construction")
    }

    /// `log2(nside)` when nside is a power of two.
    pub fn order(&self) -> Option<u32> {
        (self.order >= 0).then_some(self.order as u32)
    }

    /// The numbering scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The number of pixels, `12 nside^2`.
    pub fn npix(&self) -> u64 {
        self.npix as u64
    }

    /// The number of iso-latitude rings, `4 nside - 1`.
    pub fn nrings(&self) -> u64 {
        (4 * self.nside - 1) as u64
    }

    /// Checks that `pix` is a pixel of this map.
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`].
    #[inline]
    pub fn check_pix(&self, pix: u64) -> Result<()> {
        if pix < self.npix as u64 {
            Ok(())
        } else {
            Err(HealpixError::PixelOutOfRange {
                pix,
                nside: self.nside as u64,
                npix: self.npix as u64,
            })
        }
    }

    /// First pixel, length and shift of ring `ring` (1-based, `1 ..= 4 nside - 1`).
    #[inline]
    pub(crate) fn ring_info(&self, ring: i64) -> RingInfo {
        let n = self.nside;
        if ring < n {
            RingInfo {
                start: 2 * ring * (ring - 1),
                len: 4 * ring,
                shifted: true,
            }
        } else if ring < 3 * n {
            RingInfo {
                start: self.ncap + (ring - n) * 4 * n,
                len: 4 * n,
                shifted: ((ring - n) & 1) == 0,
            }
        } else {
            let nr = 4 * n - ring;
            RingInfo {
                start: self.npix - 2 * nr * (nr + 1),
                len: 4 * nr,
                shifted: true,
            }
        }
    }

    /// The layout of ring `ring` (1-based, `1 ..= 4 nside − 1`, north to south), as healpy's
    /// `ringinfo(nside, ring)`: its first RING pixel, pixel count, the cosine and sine of its
    /// colatitude, and whether its first pixel centre is shifted off `phi = 0`.
    ///
    /// # Errors
    /// [`HealpixError::RingOutOfRange`] outside `1 ..= 4 nside − 1`.
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(2)?;
    /// let r = hp.ringinfo(3)?;
    /// assert_eq!((r.start, r.len, r.shifted), (12, 8, false));
    /// assert!((r.cos_theta - 1.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn ringinfo(&self, ring: u64) -> Result<Ring> {
        let rings = 4 * self.nside as u64 - 1;
        if ring == 0 || ring > rings {
            return Err(HealpixError::RingOutOfRange { ring, rings });
        }
        let ring = ring as i64;
        let n = self.nside;
        let north = if ring > 2 * n { 4 * n - ring } else { ring };
        // HEALPix C++'s get_ring_info, to the last bit.
        let (mut cos_theta, sin_theta) = if north < n {
            let tmp = (north * north) as f64 * self.fact2;
            (1.0 - tmp, (tmp * (2.0 - tmp)).sqrt())
        } else {
            let c = (2 * n - north) as f64 * self.fact1;
            (c, ((1.0 + c) * (1.0 - c)).sqrt())
        };
        if north != ring {
            cos_theta = -cos_theta;
        }
        let info = self.ring_info(ring);
        Ok(Ring {
            start: info.start as u64,
            len: info.len as u64,
            cos_theta,
            sin_theta,
            shifted: info.shifted,
        })
    }

    /// The ring (1-based, north to south) holding pixel `pix` of this map's scheme (HEALPix
    /// C++'s `pix2ring`).
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`] for a pixel beyond `npix`.
    pub fn pix2ring(&self, pix: u64) -> Result<u64> {
        let ring_pix = match self.scheme {
            Scheme::Ring => {
                self.check_pix(pix)?;
                pix
            }
            Scheme::Nested => self.nest2ring(pix)?,
        };
        let p = ring_pix as i64;
        let n = self.nside;
        let ring = if p < self.ncap {
            (1 + isqrt(1 + 2 * p)) >> 1
        } else if p < self.npix - self.ncap {
            (p - self.ncap) / (4 * n) + n
        } else {
            4 * n - ((1 + isqrt(2 * (self.npix - p) - 1)) >> 1)
        };
        Ok(ring as u64)
    }

    /// `cos(theta)` of the centres of ring `ring`.
    #[inline]
    pub(crate) fn ring2z(&self, ring: i64) -> f64 {
        let n = self.nside;
        if ring < n {
            1.0 - (ring * ring) as f64 * self.fact2
        } else if ring <= 3 * n {
            (2 * n - ring) as f64 * self.fact1
        } else {
            let r = 4 * n - ring;
            (r * r) as f64 * self.fact2 - 1.0
        }
    }

    /// The ring whose centres lie just north of (or at) `z = cos(theta)`; 0 above the first ring.
    #[inline]
    pub(crate) fn ring_above(&self, z: f64) -> i64 {
        let az = z.abs();
        if az <= 2.0 / 3.0 {
            return (self.nside as f64 * (2.0 - 1.5 * z)) as i64;
        }
        let iring = (self.nside as f64 * (3.0 * (1.0 - az)).sqrt()) as i64;
        if z > 0.0 {
            iring
        } else {
            4 * self.nside - iring - 1
        }
    }

    /// Ring information with the centres' colatitude, as HEALPix C++'s `get_ring_info2`.
    pub(crate) fn ring_info_theta(&self, ring: i64) -> (RingInfo, f64) {
        let n = self.nside;
        let north = if ring > 2 * n { 4 * n - ring } else { ring };
        let mut theta = if north < n {
            let tmp = (north * north) as f64 * self.fact2;
            let cos_t = 1.0 - tmp;
            let sin_t = (tmp * (2.0 - tmp)).sqrt();
            sin_t.atan2(cos_t)
        } else {
            ((2 * n - north) as f64 * self.fact1).acos()
        };
        if north != ring {
            theta = std::f64::consts::PI - theta;
        }
        (self.ring_info(ring), theta)
    }

    /// The largest angular distance between a pixel centre and any of its corners (radians).
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(1)?;
    /// assert!((hp.max_pixrad() - 0.8410686705679303).abs() < 1e-15);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn max_pixrad(&self) -> f64 {
        let n = self.nside as f64;
        let va = crate::vec3::from_z_phi(2.0 / 3.0, std::f64::consts::PI / (4.0 * n));
        let t1 = 1.0 - 1.0 / n;
        let vb = crate::vec3::from_z_phi(1.0 - t1 * t1 / 3.0, 0.0);
        crate::vec3::angle(va, vb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_info_tiles_the_pixel_range() {
        for nside in [1u64, 2, 3, 4, 5, 8] {
            let hp = Healpix::ring(nside).unwrap();
            let mut next = 0;
            for ring in 1..=hp.nrings() as i64 {
                let info = hp.ring_info(ring);
                assert_eq!(info.start, next, "nside {nside} ring {ring}");
                next += info.len;
            }
            assert_eq!(next, hp.npix);
        }
    }

    #[test]
    fn nested_requires_power_of_two() {
        assert_eq!(
            Healpix::nested(6),
            Err(HealpixError::NsideNotPowerOfTwo { nside: 6 })
        );
        assert!(Healpix::ring(6).is_ok());
    }
}
