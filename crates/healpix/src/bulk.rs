//! Slice versions of the per-pixel functions, filling caller buffers (optionally in parallel).
//!
//! Each `_into` function first validates every input in one tight pass, returning the same typed
//! error as the single-value call for the first invalid one, and then computes without checks.
//! [`Parallelism::Serial`] keeps to the calling thread; [`Parallelism::Rayon`] spreads the work
//! over rayon's pool.

use std::f64::consts::PI;

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::interp::InterpWeights;
use crate::loc::{check_angles, check_vector};
use crate::par::{Parallelism, map_blocks, map_blocks_pair, map_blocks_zip};
use crate::scheme::Scheme;

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(HealpixError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

/// Calls `$self.$method::<NESTED>(args)` with `NESTED` fixed by the map's scheme, so that the
/// bulk loop inside is compiled once per scheme without a per-pixel scheme branch.
macro_rules! by_scheme {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self.scheme {
            Scheme::Ring => $self.$method::<false>($($arg),*),
            Scheme::Nested => $self.$method::<true>($($arg),*),
        }
    };
}

impl Healpix {
    fn ang2pix_bulk<const N: bool>(
        &self,
        theta: &[f64],
        phi: &[f64],
        out: &mut [u64],
        mode: Parallelism,
    ) -> Result<()> {
        map_blocks_zip(theta, phi, out, mode, Self::check_angle_slices, |t, p| {
            self.ang2pix_in::<N>(t, p) as u64
        })
    }

    fn pix2ang_bulk<const N: bool>(
        &self,
        pix: &[u64],
        theta: &mut [f64],
        phi: &mut [f64],
        mode: Parallelism,
    ) -> Result<()> {
        let check = |block: &[u64]| self.check_pixels(block);
        map_blocks_pair(pix, theta, phi, mode, check, |&p| {
            self.pix2ang_in::<N>(p as i64)
        })
    }

    fn vec2pix_bulk<const N: bool>(
        &self,
        v: &[[f64; 3]],
        out: &mut [u64],
        mode: Parallelism,
    ) -> Result<()> {
        let check = |block: &[[f64; 3]]| {
            // One branch-free pass over the block (`&`, not `&&`); the search only on failure.
            let ok = block.iter().fold(true, |ok, v| {
                let finite = v[0].is_finite() & v[1].is_finite() & v[2].is_finite();
                ok & finite & ((v[0] != 0.0) | (v[1] != 0.0) | (v[2] != 0.0))
            });
            if ok {
                Ok(())
            } else {
                block.iter().try_for_each(|&v| check_vector(v))
            }
        };
        map_blocks(v, out, mode, check, |&v| self.vec2pix_in::<N>(v) as u64)
    }

    fn pix2vec_bulk<const N: bool>(
        &self,
        pix: &[u64],
        out: &mut [[f64; 3]],
        mode: Parallelism,
    ) -> Result<()> {
        let check = |block: &[u64]| self.check_pixels(block);
        map_blocks(pix, out, mode, check, |&p| self.pix2vec_in::<N>(p as i64))
    }

    /// Checks that every pixel is in range (one branch-free pass, then a search on failure).
    fn check_pixels(&self, pix: &[u64]) -> Result<()> {
        let max = pix.iter().copied().fold(0, u64::max);
        if pix.is_empty() || max < self.npix as u64 {
            return Ok(());
        }
        pix.iter().try_for_each(|&p| self.check_pix(p))
    }

    /// Checks every `(theta, phi)` pair.
    fn check_angle_slices(theta: &[f64], phi: &[f64]) -> Result<()> {
        let ok = theta.iter().zip(phi).fold(true, |ok, (&t, &p)| {
            ok & (0.0..=PI).contains(&t) & p.is_finite()
        });
        if ok {
            return Ok(());
        }
        theta
            .iter()
            .zip(phi)
            .try_for_each(|(&t, &p)| check_angles(t, p))
    }

    /// `out[i] = ang2pix(theta[i], phi[i])` for whole arrays (healpy's vectorised `ang2pix`).
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`] when the slices differ in length; otherwise as
    /// [`Healpix::ang2pix`] for the first invalid angle.
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, Parallelism};
    /// let hp = Healpix::nested(16)?;
    /// let mut pix = vec![0; 2];
    /// hp.ang2pix_into(&[0.1, 1.0], &[0.2, 3.0], &mut pix, Parallelism::Serial)?;
    /// assert_eq!(pix, [254, 1787]);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn ang2pix_into(
        &self,
        theta: &[f64],
        phi: &[f64],
        out: &mut [u64],
        mode: Parallelism,
    ) -> Result<()> {
        check_len("phi", theta.len(), phi.len())?;
        check_len("output", theta.len(), out.len())?;
        by_scheme!(self.ang2pix_bulk(theta, phi, out, mode))
    }

    /// `(theta[i], phi[i]) = pix2ang(pix[i])` for whole arrays.
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`]; [`HealpixError::PixelOutOfRange`] for the first bad pixel.
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, Parallelism};
    /// let hp = Healpix::ring(1)?;
    /// let (mut theta, mut phi) = (vec![0.0; 2], vec![0.0; 2]);
    /// hp.pix2ang_into(&[5, 4], &mut theta, &mut phi, Parallelism::Rayon)?;
    /// assert_eq!(phi, [std::f64::consts::FRAC_PI_2, 0.0]);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn pix2ang_into(
        &self,
        pix: &[u64],
        theta: &mut [f64],
        phi: &mut [f64],
        mode: Parallelism,
    ) -> Result<()> {
        check_len("theta output", pix.len(), theta.len())?;
        check_len("phi output", pix.len(), phi.len())?;
        by_scheme!(self.pix2ang_bulk(pix, theta, phi, mode))
    }

    /// `out[i] = vec2pix(v[i])` for whole arrays of vectors.
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`]; otherwise as [`Healpix::vec2pix`].
    pub fn vec2pix_into(&self, v: &[[f64; 3]], out: &mut [u64], mode: Parallelism) -> Result<()> {
        check_len("output", v.len(), out.len())?;
        by_scheme!(self.vec2pix_bulk(v, out, mode))
    }

    /// `out[i] = pix2vec(pix[i])` for whole arrays.
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`]; [`HealpixError::PixelOutOfRange`].
    pub fn pix2vec_into(&self, pix: &[u64], out: &mut [[f64; 3]], mode: Parallelism) -> Result<()> {
        check_len("output", pix.len(), out.len())?;
        by_scheme!(self.pix2vec_bulk(pix, out, mode))
    }

    /// `out[i] = ring2nest(pix[i])` for whole arrays.
    ///
    /// # Errors
    /// As [`Healpix::ring2nest`], plus [`HealpixError::LengthMismatch`].
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, Parallelism};
    /// let hp = Healpix::nested(2)?;
    /// let mut out = vec![0; 4];
    /// hp.ring2nest_into(&[0, 1, 2, 3], &mut out, Parallelism::Serial)?;
    /// assert_eq!(out, [3, 7, 11, 15]);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn ring2nest_into(&self, pix: &[u64], out: &mut [u64], mode: Parallelism) -> Result<()> {
        self.require_nested_capable()?;
        check_len("output", pix.len(), out.len())?;
        let check = |block: &[u64]| self.check_pixels(block);
        map_blocks(pix, out, mode, check, |&p| {
            self.ring2nest_unchecked(p as i64) as u64
        })
    }

    /// `out[i] = nest2ring(pix[i])` for whole arrays.
    ///
    /// # Errors
    /// As [`Healpix::nest2ring`], plus [`HealpixError::LengthMismatch`].
    pub fn nest2ring_into(&self, pix: &[u64], out: &mut [u64], mode: Parallelism) -> Result<()> {
        self.require_nested_capable()?;
        check_len("output", pix.len(), out.len())?;
        let check = |block: &[u64]| self.check_pixels(block);
        map_blocks(pix, out, mode, check, |&p| {
            self.nest2ring_unchecked(p as i64) as u64
        })
    }

    /// `out[i]` = the 8 neighbours of `pix[i]` in healpy's order with -1 for missing (healpy's
    /// `get_all_neighbours(nside, pix)`, transposed to one row per pixel).
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`]; [`HealpixError::PixelOutOfRange`].
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, Parallelism};
    /// let hp = Healpix::ring(1)?;
    /// let mut out = vec![[0; 8]; 1];
    /// hp.neighbours_into(&[0], &mut out, Parallelism::Serial)?;
    /// assert_eq!(out[0], [4, -1, 3, 2, 1, -1, 5, 8]);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn neighbours_into(
        &self,
        pix: &[u64],
        out: &mut [[i64; 8]],
        mode: Parallelism,
    ) -> Result<()> {
        check_len("output", pix.len(), out.len())?;
        let check = |block: &[u64]| self.check_pixels(block);
        map_blocks(pix, out, mode, check, |&p| {
            let mut row = [0i64; 8];
            self.neighbours_raw(p as i64, &mut row);
            row
        })
    }

    /// `out[i] = interp_weights(theta[i], phi[i])` for whole arrays.
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`]; otherwise as [`Healpix::interp_weights`].
    pub fn interp_weights_into(
        &self,
        theta: &[f64],
        phi: &[f64],
        out: &mut [InterpWeights],
        mode: Parallelism,
    ) -> Result<()> {
        check_len("phi", theta.len(), phi.len())?;
        check_len("output", theta.len(), out.len())?;
        map_blocks_zip(theta, phi, out, mode, Self::check_angle_slices, |t, p| {
            self.interp_weights_unchecked(t, p)
        })
    }

    /// [`Healpix::interpolate`] at many directions (healpy's `get_interp_val(m, theta, phi)`
    /// with arrays): `out[i]` is `map` bilinearly interpolated at `(theta[i], phi[i])`.
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`] when `map` has not `npix` values or the slices differ in
    /// length; the first invalid angle's error.
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::{Healpix, Parallelism};
    /// let hp = Healpix::ring(8)?;
    /// let map: Vec<f64> = (0..hp.npix()).map(|p| hp.pix2vec(p).unwrap()[2]).collect();
    /// let mut out = [0.0; 2];
    /// hp.interpolate_into(&map, &[0.5, 2.0], &[1.0, 4.0], &mut out, Parallelism::Serial)?;
    /// assert!((out[0] - 0.5f64.cos()).abs() < 0.02 && (out[1] - 2f64.cos()).abs() < 0.02);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn interpolate_into(
        &self,
        map: &[f64],
        theta: &[f64],
        phi: &[f64],
        out: &mut [f64],
        mode: Parallelism,
    ) -> Result<()> {
        check_len("map", self.npix as usize, map.len())?;
        check_len("phi", theta.len(), phi.len())?;
        check_len("output", theta.len(), out.len())?;
        map_blocks_zip(theta, phi, out, mode, Self::check_angle_slices, |t, p| {
            let w = self.interp_weights_unchecked(t, p);
            w.pixels
                .iter()
                .zip(w.weights)
                .map(|(&q, wt)| map[q as usize] * wt)
                .sum()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_reports_first_bad_input_and_length_mismatch() {
        let hp = Healpix::ring(4).unwrap();
        let mut out = vec![0; 3];
        let err = hp.ang2pix_into(&[0.1, 9.0, -1.0], &[0.0; 3], &mut out, Parallelism::Serial);
        assert_eq!(err, Err(HealpixError::ThetaOutOfRange { theta: 9.0 }));
        let err = hp.ang2pix_into(&[0.1], &[0.0, 0.0], &mut out, Parallelism::Serial);
        assert!(matches!(err, Err(HealpixError::LengthMismatch { .. })));
        let err = hp.ring2nest_into(&[0, 200, 300], &mut out, Parallelism::Rayon);
        assert!(matches!(
            err,
            Err(HealpixError::PixelOutOfRange { pix: 200, .. })
        ));
        let mut nan = vec![0; 1];
        let err = hp.ang2pix_into(&[0.5], &[f64::NAN], &mut nan, Parallelism::Serial);
        assert!(matches!(
            err,
            Err(HealpixError::NonFinite { what: "phi", .. })
        ));
    }

    #[test]
    fn serial_and_parallel_agree() {
        let hp = Healpix::nested(64).unwrap();
        let pix: Vec<u64> = (0..hp.npix()).collect();
        let mut a = vec![0; pix.len()];
        let mut b = vec![0; pix.len()];
        hp.nest2ring_into(&pix, &mut a, Parallelism::Serial)
            .unwrap();
        hp.nest2ring_into(&pix, &mut b, Parallelism::Rayon).unwrap();
        assert_eq!(a, b);
        let mut na = vec![[0; 8]; pix.len()];
        hp.neighbours_into(&pix, &mut na, Parallelism::Rayon)
            .unwrap();
        assert_eq!(na.concat(), hp.neighbour_table().into_vec());
    }
}
