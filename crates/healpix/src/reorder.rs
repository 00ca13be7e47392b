//! Whole-map reordering between RING and NESTED (healpy's `reorder`).

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::par::{Parallelism, collect_indexed, fill_indexed};
use crate::scheme::Scheme;

impl Healpix {
    /// The permutation that takes a map in scheme `from` to scheme `to`: the result in `to` is
    /// `out[i] = map[perm[i]]`. The identity when the schemes are equal. Built in parallel.
    ///
    /// # Errors
    /// [`HealpixError::NsideNotPowerOfTwo`] when the schemes differ at a non-power-of-two nside.
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, Scheme};
    /// let hp = Healpix::ring(2)?;
    /// let perm = hp.reorder_permutation(Scheme::Ring, Scheme::Nested)?;
    /// assert_eq!(perm[3], 0); // NESTED pixel 3 is RING pixel 0
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn reorder_permutation(&self, from: Scheme, to: Scheme) -> Result<Vec<u64>> {
        let mut perm = vec![0u64; self.npix as usize];
        if from == to {
            perm.iter_mut().enumerate().for_each(|(i, p)| *p = i as u64);
            return Ok(perm);
        }
        self.require_nested_capable()?;
        fill_indexed(&mut perm, Parallelism::Rayon, |i| match to {
            Scheme::Nested => self.nest2ring_unchecked(i as i64) as u64,
            Scheme::Ring => self.ring2nest_unchecked(i as i64) as u64,
        });
        Ok(perm)
    }

    /// Reorders a whole map from scheme `from` to scheme `to` (healpy's `reorder`).
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`] when `map` has not `npix` values; as
    /// [`Healpix::reorder_permutation`].
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, Scheme};
    /// let hp = Healpix::ring(4)?;
    /// let ring: Vec<f32> = (0..192).map(|i| i as f32).collect();
    /// let nest = hp.reorder(&ring, Scheme::Ring, Scheme::Nested)?;
    /// assert_eq!(hp.reorder(&nest, Scheme::Nested, Scheme::Ring)?, ring);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn reorder<T: Copy + Send + Sync>(
        &self,
        map: &[T],
        from: Scheme,
        to: Scheme,
    ) -> Result<Vec<T>> {
        if map.len() != self.npix as usize {
            return Err(HealpixError::LengthMismatch {
                what: "map",
                expected: self.npix as usize,
                got: map.len(),
            });
        }
        if from == to {
            return Ok(map.to_vec());
        }
        self.require_nested_capable()?;
        // Gather through the index conversion directly: no permutation table in memory.
        let out = collect_indexed(map.len(), |i| {
            map[match to {
                Scheme::Nested => self.nest2ring_unchecked(i as i64),
                Scheme::Ring => self.ring2nest_unchecked(i as i64),
            } as usize]
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_matches_single_pixel_conversion() {
        let hp = Healpix::nested(8).unwrap();
        let perm = hp
            .reorder_permutation(Scheme::Nested, Scheme::Ring)
            .unwrap();
        for (ring, &nest) in perm.iter().enumerate() {
            assert_eq!(hp.nest2ring(nest).unwrap(), ring as u64);
        }
        assert!(
            Healpix::ring(3)
                .unwrap()
                .reorder_permutation(Scheme::Ring, Scheme::Nested)
                .is_err()
        );
        assert!(
            hp.reorder(&[0.0f64; 5], Scheme::Ring, Scheme::Nested)
                .is_err()
        );
    }
}
