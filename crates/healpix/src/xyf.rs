//! Face coordinates `(x, y, face)` and the conversions between schemes.
//!
//! Every pixel lies in one of the 12 base faces at integer coordinates `0 <= x, y < nside`
//! (x grows towards the north-east, y towards the north-west). The integer arithmetic follows
//! HEALPix C++ (`healpix_base.cc`) step for step so that results are identical to healpy's.

use crate::base::{Healpix, RingInfo};
use crate::bits::{deinterleave, interleave, isqrt};
use crate::error::Result;
use crate::scheme::Scheme;

/// Ring index (in units of nside) of the southernmost corner of each base face.
pub(crate) const JRLL: [i64; 12] = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
/// Longitude index (in units of pi/4) of the southernmost corner of each base face.
pub(crate) const JPLL: [i64; 12] = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];

/// A pixel's position inside its base face.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Xyf {
    /// Coordinate along the face's north-east axis, `0..nside`.
    pub x: i64,
    /// Coordinate along the face's north-west axis, `0..nside`.
    pub y: i64,
    /// Base face, `0..12` (0–3 north, 4–7 equator, 8–11 south).
    pub face: usize,
}

/// `(iphi - 1) / nr` for a polar-cap ring, where the quotient is 0..=3: three compares instead of
/// a division.
#[inline]
fn face_in_cap(iphi: i64, nr: i64) -> i64 {
    let k = iphi - 1;
    (k >= nr) as i64 + (k >= 2 * nr) as i64 + (k >= 3 * nr) as i64
}

/// The equatorial-belt face from the indices of the two face-edge lines through a pixel
/// (`ifp`, `ifm` in 0..=4): HEALPix C++'s `ifp == ifm ? ifp | 4 : ifp < ifm ? ifp : ifm + 8`
/// as a table, so random pixels cost no mispredicted branches.
const EQUATORIAL_FACE: [u8; 25] = {
    let mut table = [0u8; 25];
    let mut i = 0;
    while i < 25 {
        let (ifp, ifm) = (i / 5, i % 5);
        table[i] = if ifp == ifm {
            (ifp | 4) as u8
        } else if ifp < ifm {
            ifp as u8
        } else {
            (ifm + 8) as u8
        };
        i += 1;
    }
    table
};

impl Healpix {
    /// Face coordinates of a NESTED index (no bounds check).
    #[inline]
    pub(crate) fn nest2xyf_unchecked(&self, pix: i64) -> Xyf {
        let shift = 2 * self.order as u32;
        let face = (pix >> shift) as usize;
        let (x, y) = deinterleave((pix & ((1i64 << shift) - 1)) as u64);
        Xyf {
            x: x as i64,
            y: y as i64,
            face,
        }
    }

    /// NESTED index of face coordinates (no bounds check).
    #[inline]
    pub(crate) fn xyf2nest_unchecked(&self, x: i64, y: i64, face: usize) -> i64 {
        ((face as i64) << (2 * self.order as u32)) + interleave(x as u64, y as u64) as i64
    }

    /// Face coordinates of a RING index (no bounds check).
    #[inline(always)]
    pub(crate) fn ring2xyf_unchecked(&self, pix: i64) -> Xyf {
        let n = self.nside;
        let nl2 = 2 * n;
        let (iring, iphi, kshift, nr, face);
        if pix < self.ncap {
            let r = (1 + isqrt(1 + 2 * pix)) >> 1;
            iphi = (pix + 1) - 2 * r * (r - 1);
            kshift = 0;
            nr = r;
            iring = r;
            face = face_in_cap(iphi, nr);
        } else if pix < self.npix - self.ncap {
            let ip = pix - self.ncap;
            let tmp = if self.order >= 0 {
                ip >> (self.order + 2)
            } else {
                ip / (4 * n)
            };
            iring = tmp + n;
            iphi = ip - tmp * 4 * n + 1;
            kshift = (iring + n) & 1;
            nr = n;
            let ire = tmp + 1;
            let irm = nl2 + 2 - ire;
            let (mut ifm, mut ifp) = (iphi - (ire >> 1) + n - 1, iphi - (irm >> 1) + n - 1);
            if self.order >= 0 {
                ifm >>= self.order;
                ifp >>= self.order;
            } else {
                ifm /= n;
                ifp /= n;
            }
            face = EQUATORIAL_FACE[(ifp * 5 + ifm) as usize] as i64;
        } else {
            let ip = self.npix - pix;
            let r = (1 + isqrt(2 * ip - 1)) >> 1;
            iphi = 4 * r + 1 - (ip - 2 * r * (r - 1));
            kshift = 0;
            nr = r;
            iring = 2 * nl2 - r;
            face = face_in_cap(iphi, nr) + 8;
        }
        let face = face as usize;
        let irt = iring - (2 + (face as i64 >> 2)) * n + 1;
        let mut ipt = 2 * iphi - JPLL[face] * nr - kshift - 1;
        ipt -= 8 * n * (ipt >= nl2) as i64; // wrap around phi = 0 without a branch
        Xyf {
            x: (ipt - irt) >> 1,
            y: (-ipt - irt) >> 1,
            face,
        }
    }

    /// RING index of face coordinates (no bounds check).
    #[inline]
    pub(crate) fn xyf2ring_unchecked(&self, x: i64, y: i64, face: usize) -> i64 {
        let (info, jp) = self.ring_slot(JRLL[face] * self.nside - x - y - 1, face, x - y);
        info.start + jp - 1
    }

    /// The layout of ring `ring` and the 1-based position `jp` in it of the pixel of base face
    /// `face` at `x - y = d`: HEALPix C++'s `xyf2ring` arithmetic once the ring is known.
    #[inline]
    pub(crate) fn ring_slot(&self, ring: i64, face: usize, d: i64) -> (RingInfo, i64) {
        let info = self.ring_info(ring);
        let nr = info.len >> 2;
        let kshift = 1 - info.shifted as i64;
        let mut jp = (JPLL[face] * nr + d + 1 + kshift) / 2;
        if jp < 1 {
            jp += 4 * self.nside; // only where the ring is a full equatorial one
        }
        (info, jp)
    }

    /// Face coordinates of a pixel in this map's scheme (no bounds check).
    #[inline]
    pub(crate) fn pix2xyf_unchecked(&self, pix: i64) -> Xyf {
        match self.scheme {
            Scheme::Ring => self.ring2xyf_unchecked(pix),
            Scheme::Nested => self.nest2xyf_unchecked(pix),
        }
    }

    /// Pixel index in this map's scheme of face coordinates (no bounds check).
    #[inline]
    pub(crate) fn xyf2pix_unchecked(&self, x: i64, y: i64, face: usize) -> i64 {
        match self.scheme {
            Scheme::Ring => self.xyf2ring_unchecked(x, y, face),
            Scheme::Nested => self.xyf2nest_unchecked(x, y, face),
        }
    }

    /// The face coordinates of `pix` (healpy's `pix2xyf`).
    ///
    /// # Errors
    /// [`crate::HealpixError::PixelOutOfRange`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(2)?;
    /// let f = hp.pix2xyf(7)?;
    /// assert_eq!((f.x, f.y, f.face), (1, 1, 1));
    /// assert_eq!(hp.xyf2pix(f)?, 7);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn pix2xyf(&self, pix: u64) -> Result<Xyf> {
        self.check_pix(pix)?;
        Ok(self.pix2xyf_unchecked(pix as i64))
    }

    /// The pixel at face coordinates `xyf` (healpy's `xyf2pix`).
    ///
    /// # Errors
    /// [`crate::HealpixError::PixelOutOfRange`] when a coordinate is outside `0..nside` or the face
    /// outside `0..12` (reported with the index the coordinates would have had).
    pub fn xyf2pix(&self, xyf: Xyf) -> Result<u64> {
        if xyf.x < 0 || xyf.y < 0 || xyf.x >= self.nside || xyf.y >= self.nside || xyf.face >= 12 {
            let bad = (xyf.face as u64)
                .saturating_mul(self.nside as u64 * self.nside as u64)
                .max(self.npix as u64);
            return Err(crate::HealpixError::PixelOutOfRange {
                pix: bad,
                nside: self.nside as u64,
                npix: self.npix as u64,
            });
        }
        Ok(self.xyf2pix_unchecked(xyf.x, xyf.y, xyf.face) as u64)
    }

    /// Converts a RING index to NESTED at this resolution (healpy's `ring2nest`).
    ///
    /// The scheme of `self` does not matter; the nside must be a power of two.
    ///
    /// # Errors
    /// [`crate::HealpixError::NsideNotPowerOfTwo`], [`crate::HealpixError::PixelOutOfRange`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(2)?;
    /// assert_eq!(hp.ring2nest(0)?, 3);
    /// assert_eq!(hp.nest2ring(3)?, 0);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn ring2nest(&self, pix: u64) -> Result<u64> {
        self.require_nested_capable()?;
        self.check_pix(pix)?;
        Ok(self.ring2nest_unchecked(pix as i64) as u64)
    }

    /// Converts a NESTED index to RING at this resolution (healpy's `nest2ring`).
    ///
    /// # Errors
    /// [`crate::HealpixError::NsideNotPowerOfTwo`], [`crate::HealpixError::PixelOutOfRange`].
    pub fn nest2ring(&self, pix: u64) -> Result<u64> {
        self.require_nested_capable()?;
        self.check_pix(pix)?;
        Ok(self.nest2ring_unchecked(pix as i64) as u64)
    }

    #[inline]
    pub(crate) fn ring2nest_unchecked(&self, pix: i64) -> i64 {
        let f = self.ring2xyf_unchecked(pix);
        self.xyf2nest_unchecked(f.x, f.y, f.face)
    }

    #[inline]
    pub(crate) fn nest2ring_unchecked(&self, pix: i64) -> i64 {
        let f = self.nest2xyf_unchecked(pix);
        self.xyf2ring_unchecked(f.x, f.y, f.face)
    }

    pub(crate) fn require_nested_capable(&self) -> Result<()> {
        if self.order >= 0 {
            Ok(())
        } else {
            Err(crate::HealpixError::NsideNotPowerOfTwo {
                nside: self.nside as u64,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xyf_round_trips_in_both_schemes_for_odd_nside_too() {
        for (nside, scheme) in [(1, Scheme::Ring), (3, Scheme::Ring), (7, Scheme::Ring)]
            .into_iter()
            .chain([(1, Scheme::Nested), (8, Scheme::Nested)])
        {
            let hp = Healpix::new(nside, scheme).unwrap();
            for pix in 0..hp.npix() {
                let f = hp.pix2xyf(pix).unwrap();
                assert!(f.x >= 0 && f.x < nside as i64 && f.y >= 0 && f.y < nside as i64);
                assert_eq!(
                    hp.xyf2pix(f).unwrap(),
                    pix,
                    "nside {nside} {scheme} pix {pix}"
                );
            }
        }
    }

    #[test]
    fn ring2nest_needs_power_of_two() {
        let hp = Healpix::ring(3).unwrap();
        assert!(hp.ring2nest(0).is_err());
    }
}
