//! The quad-tree between resolutions: parents, children and the index maps of up/down-grading.
//!
//! In the NESTED scheme the pixel `p` at nside `n` covers exactly the pixels `p * k .. (p + 1) * k`
//! at nside `n * sqrt(k)`. These functions give that relation in either scheme, for any power-of-2
//! ratio, so that `ud_grade` and pooling layers need no arithmetic of their own.

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::par::{Parallelism, fill_indexed};
use crate::scheme::Scheme;

/// The sub-pixels of one pixel at a finer resolution, from [`Healpix::children`].
#[derive(Clone, Debug)]
pub struct Children {
    fine: Healpix,
    next: i64,
    end: i64,
}

impl Iterator for Children {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        (self.next < self.end).then(|| {
            self.next += 1;
            self.fine.index_of_nested(self.next - 1) as u64
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.end - self.next) as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Children {}

impl Healpix {
    /// log2 of the nside ratio `self.nside / coarse`, checked.
    fn levels_to(&self, coarse: u64) -> Result<u32> {
        let bad = HealpixError::IncompatibleResolutions {
            from: self.nside as u64,
            to: coarse,
        };
        self.require_nested_capable().map_err(|_| bad.clone())?;
        let fine = self.nside as u64;
        if coarse == 0 || !coarse.is_power_of_two() || coarse > fine {
            return Err(bad);
        }
        Ok((fine / coarse).trailing_zeros())
    }

    /// This geometry at another nside, same scheme.
    fn at_nside(&self, nside: u64) -> Result<Healpix> {
        Healpix::new(nside, self.scheme)
    }

    #[inline]
    fn nested_index(&self, pix: i64) -> i64 {
        match self.scheme {
            Scheme::Nested => pix,
            Scheme::Ring => self.ring2nest_unchecked(pix),
        }
    }

    #[inline]
    fn index_of_nested(&self, pix: i64) -> i64 {
        match self.scheme {
            Scheme::Nested => pix,
            Scheme::Ring => self.nest2ring_unchecked(pix),
        }
    }

    /// The pixel at `coarse_nside` that contains `pix`, in this map's scheme.
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`]; [`HealpixError::IncompatibleResolutions`] unless both
    /// nsides are powers of two with `coarse_nside <= nside`.
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(8)?;
    /// assert_eq!(hp.parent(37, 4)?, 9);
    /// assert_eq!(hp.parent(37, 1)?, 0);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn parent(&self, pix: u64, coarse_nside: u64) -> Result<u64> {
        self.check_pix(pix)?;
        let levels = self.levels_to(coarse_nside)?;
        let coarse = self.at_nside(coarse_nside)?;
        Ok(coarse.index_of_nested(self.nested_index(pix as i64) >> (2 * levels)) as u64)
    }

    /// The pixels at `fine_nside` inside `pix`, in this map's scheme, in NESTED order among
    /// themselves (so for NESTED they are consecutive). An iterator: nothing is allocated.
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`]; [`HealpixError::IncompatibleResolutions`] unless both
    /// nsides are powers of two with `fine_nside >= nside`.
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(4)?;
    /// assert_eq!(hp.children(9, 8)?.collect::<Vec<_>>(), [36, 37, 38, 39]);
    /// assert_eq!(hp.children(9, 32)?.len(), 64);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn children(&self, pix: u64, fine_nside: u64) -> Result<Children> {
        self.check_pix(pix)?;
        let fine = self.at_nside(fine_nside)?;
        let levels = fine.levels_to(self.nside as u64)?;
        let first = self.nested_index(pix as i64) << (2 * levels);
        Ok(Children {
            fine,
            next: first,
            end: first + (1 << (2 * levels)),
        })
    }

    /// For every pixel of this map, the pixel at `coarse_nside` that contains it (the index map
    /// of degrading a map; both in this map's scheme). Built in parallel.
    ///
    /// # Errors
    /// As [`Healpix::parent`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(2)?;
    /// let map = hp.degrade_map(1)?;
    /// assert_eq!(map.len(), 48);
    /// assert!(map.iter().all(|&p| p < 12));
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn degrade_map(&self, coarse_nside: u64) -> Result<Vec<u64>> {
        let levels = self.levels_to(coarse_nside)?;
        let coarse = self.at_nside(coarse_nside)?;
        let mut out = vec![0u64; self.npix as usize];
        fill_indexed(&mut out, Parallelism::Rayon, |p| {
            coarse.index_of_nested(self.nested_index(p as i64) >> (2 * levels)) as u64
        });
        Ok(out)
    }

    /// For every pixel of this map, its `(fine_nside / nside)^2` sub-pixels at `fine_nside`,
    /// row-major `[npix][k]` (the index map of upgrading a map, or of pooling in RING order).
    ///
    /// # Errors
    /// As [`Healpix::children`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(1)?;
    /// let map = hp.upgrade_map(2)?;
    /// assert_eq!(&map[4..8], &[4, 5, 6, 7]);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn upgrade_map(&self, fine_nside: u64) -> Result<Vec<u64>> {
        let fine = self.at_nside(fine_nside)?;
        let levels = fine.levels_to(self.nside as u64)?;
        let k = 1usize << (2 * levels);
        let mut out = vec![0u64; fine.npix as usize];
        fill_indexed(&mut out, Parallelism::Rayon, |i| {
            let coarse = self.nested_index((i / k) as i64);
            let nested = (coarse << (2 * levels)) + (i % k) as i64;
            fine.index_of_nested(nested) as u64
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pixel_is_a_child_of_its_parent_in_both_schemes() {
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(8, scheme).unwrap();
            let coarse = Healpix::new(2, scheme).unwrap();
            let down = hp.degrade_map(2).unwrap();
            let up = coarse.upgrade_map(8).unwrap();
            for pix in 0..hp.npix() {
                let parent = hp.parent(pix, 2).unwrap();
                assert_eq!(down[pix as usize], parent);
                assert!(coarse.children(parent, 8).unwrap().any(|c| c == pix));
            }
            for c in 0..coarse.npix() {
                let kids: Vec<u64> = coarse.children(c, 8).unwrap().collect();
                assert_eq!(&up[c as usize * 16..(c as usize + 1) * 16], kids.as_slice());
            }
        }
    }

    #[test]
    fn incompatible_resolutions_are_errors() {
        let hp = Healpix::ring(6).unwrap();
        assert!(hp.parent(0, 3).is_err());
        let hp = Healpix::nested(4).unwrap();
        assert!(hp.parent(0, 8).is_err());
        assert!(hp.children(0, 2).is_err());
        assert!(hp.degrade_map(3).is_err());
    }
}
