//! Slice versions of the per-pixel functions, filling caller buffers (optionally in parallel).
//!
//! Each `_into` function validates every input and stops at the first invalid one with the same
//! typed error as the single-value call. [`Parallelism::Serial`] keeps to the calling thread;
//! [`Parallelism::Rayon`] spreads the work over rayon's pool.

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::loc::check_angles;
use crate::par::{Parallelism, fill_indexed, fill_indexed_pair};

fn check_len(what: &'static str, expected: usize, got: usize) -> Result<()> {
    if expected == got { Ok(()) } else { Err(HealpixError::LengthMismatch { what, expected, got }) }
}

impl Healpix {
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
        fill_indexed(out, mode, |i| {
            let (t, p) = (theta[i], phi[i]);
            check_angles(t, p)?;
            Ok(self.ang2pix_unchecked(t, p) as u64)
        })
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
        fill_indexed_pair(theta, phi, mode, |i| {
            self.check_pix(pix[i])?;
            Ok(self.pix2ang_unchecked(pix[i] as i64))
        })
    }

    /// `out[i] = vec2pix(v[i])` for whole arrays of vectors.
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`]; otherwise as [`Healpix::vec2pix`].
    pub fn vec2pix_into(&self, v: &[[f64; 3]], out: &mut [u64], mode: Parallelism) -> Result<()> {
        check_len("output", v.len(), out.len())?;
        fill_indexed(out, mode, |i| self.vec2pix(v[i]))
    }

    /// `out[i] = pix2vec(pix[i])` for whole arrays.
    ///
    /// # Errors
    /// [`HealpixError::LengthMismatch`]; [`HealpixError::PixelOutOfRange`].
    pub fn pix2vec_into(&self, pix: &[u64], out: &mut [[f64; 3]], mode: Parallelism) -> Result<()> {
        check_len("output", pix.len(), out.len())?;
        fill_indexed(out, mode, |i| {
            self.check_pix(pix[i])?;
            Ok(self.pix2vec_unchecked(pix[i] as i64))
        })
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
        fill_indexed(out, mode, |i| {
            self.check_pix(pix[i])?;
            Ok(self.ring2nest_unchecked(pix[i] as i64) as u64)
        })
    }

    /// `out[i] = nest2ring(pix[i])` for whole arrays.
    ///
    /// # Errors
    /// As [`Healpix::nest2ring`], plus [`HealpixError::LengthMismatch`].
    pub fn nest2ring_into(&self, pix: &[u64], out: &mut [u64], mode: Parallelism) -> Result<()> {
        self.require_nested_capable()?;
        check_len("output", pix.len(), out.len())?;
        fill_indexed(out, mode, |i| {
            self.check_pix(pix[i])?;
            Ok(self.nest2ring_unchecked(pix[i] as i64) as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_reports_first_bad_input_and_length_mismatch() {
        let hp = Healpix::ring(4).unwrap();
        let mut out = vec![0; 2];
        let err = hp.ang2pix_into(&[0.1, 9.0], &[0.0, 0.0], &mut out, Parallelism::Serial);
        assert_eq!(err, Err(HealpixError::ThetaOutOfRange { theta: 9.0 }));
        let err = hp.ang2pix_into(&[0.1], &[0.0, 0.0], &mut out, Parallelism::Serial);
        assert!(matches!(err, Err(HealpixError::LengthMismatch { .. })));
    }

    #[test]
    fn serial_and_parallel_agree() {
        let hp = Healpix::nested(64).unwrap();
        let pix: Vec<u64> = (0..hp.npix()).collect();
        let mut a = vec![0; pix.len()];
        let mut b = vec![0; pix.len()];
        hp.nest2ring_into(&pix, &mut a, Parallelism::Serial).unwrap();
        hp.nest2ring_into(&pix, &mut b, Parallelism::Rayon).unwrap();
        assert_eq!(a, b);
    }
}
