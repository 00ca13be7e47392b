//! Pixel corners and edges (healpy's `boundaries`).

use std::f64::consts::FRAC_PI_2;

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::vec3;
use crate::xyf::{JPLL, JRLL};

impl Healpix {
    /// Unit vector at continuous face coordinates (`x`, `y` in units of the face side).
    fn xyf2vec(&self, x: f64, y: f64, face: usize) -> [f64; 3] {
        let jr = JRLL[face] as f64 - x - y;
        let (nr, z, sin_theta);
        if jr < 1.0 {
            nr = jr;
            let tmp = nr * nr / 3.0;
            z = 1.0 - tmp;
            sin_theta = (z > 0.99).then(|| (tmp * (2.0 - tmp)).sqrt());
        } else if jr > 3.0 {
            nr = 4.0 - jr;
            let tmp = nr * nr / 3.0;
            z = tmp - 1.0;
            sin_theta = (z < -0.99).then(|| (tmp * (2.0 - tmp)).sqrt());
        } else {
            nr = 1.0;
            z = (2.0 - jr) * 2.0 / 3.0;
            sin_theta = None;
        }
        let mut tmp = JPLL[face] as f64 * nr + x - y;
        if tmp < 0.0 {
            tmp += 8.0;
        }
        if tmp >= 8.0 {
            tmp -= 8.0;
        }
        let phi = if nr < 1e-15 {
            0.0
        } else {
            (0.5 * FRAC_PI_2 * tmp) / nr
        };
        vec3::from_loc(z, phi, sin_theta)
    }

    /// Points along the boundary of `pix`, as unit vectors (healpy's `boundaries`).
    ///
    /// Returns `4 * step` points going counter-clockwise from the north corner: N corner,
    /// `step - 1` points along the NW edge, W corner, …, the E corner and `step - 1` points along
    /// the NE edge. With `step = 1` these are the four corners N, W, S, E.
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`], [`HealpixError::InvalidStep`] for `step == 0`.
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(1)?;
    /// let corners = hp.boundaries(0, 1)?;
    /// assert_eq!(corners.len(), 4);
    /// assert!((corners[0][2] - 1.0).abs() < 1e-15); // pixel 0 touches the north pole
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn boundaries(&self, pix: u64, step: usize) -> Result<Vec<[f64; 3]>> {
        self.check_pix(pix)?;
        if step == 0 {
            return Err(HealpixError::InvalidStep);
        }
        let f = self.pix2xyf_unchecked(pix as i64);
        let n = self.nside as f64;
        let dc = 0.5 / n;
        let (xc, yc) = ((f.x as f64 + 0.5) / n, (f.y as f64 + 0.5) / n);
        let d = 1.0 / (step as f64 * n);
        let mut out = vec![[0.0; 3]; 4 * step];
        for i in 0..step {
            let di = i as f64 * d;
            out[i] = self.xyf2vec(xc + dc - di, yc + dc, f.face);
            out[i + step] = self.xyf2vec(xc - dc, yc + dc - di, f.face);
            out[i + 2 * step] = self.xyf2vec(xc - dc + di, yc - dc, f.face);
            out[i + 3 * step] = self.xyf2vec(xc + dc, yc - dc + di, f.face);
        }
        Ok(out)
    }
}

impl Healpix {
    /// The point of `pix` at fractional position (`u`, `v`) ∈ [0, 1]² of the pixel in its face's
    /// coordinates (`u` along the north-east axis, `v` along the north-west one; (0.5, 0.5) is
    /// the centre, (1, 1) the north corner), as a unit vector. HEALPix's projection is equal
    /// area, so uniform (`u`, `v`) are uniform over the pixel's area: integrals over a pixel are
    /// integrals over the unit square (what the pixel window function needs).
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(4)?;
    /// let centre = hp.pixel_point(10, 0.5, 0.5)?;
    /// let want = hp.pix2vec(10)?;
    /// assert!((0..3).all(|i| (centre[i] - want[i]).abs() < 1e-14));
    /// assert_eq!(hp.pixel_point(10, 1.0, 1.0)?, hp.corners(10)?[0]);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn pixel_point(&self, pix: u64, u: f64, v: f64) -> Result<[f64; 3]> {
        self.check_pix(pix)?;
        let f = self.pix2xyf_unchecked(pix as i64);
        let n = self.nside as f64;
        Ok(self.xyf2vec((f.x as f64 + u) / n, (f.y as f64 + v) / n, f.face))
    }

    /// The four corners of `pix` (N, W, S, E) as unit vectors, without allocating: healpy's
    /// `boundaries(nside, pix, step=1)`.
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(2)?;
    /// assert_eq!(hp.corners(5)?.to_vec(), hp.boundaries(5, 1)?);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn corners(&self, pix: u64) -> Result<[[f64; 3]; 4]> {
        self.check_pix(pix)?;
        let f = self.pix2xyf_unchecked(pix as i64);
        let n = self.nside as f64;
        let (xc, yc, dc) = ((f.x as f64 + 0.5) / n, (f.y as f64 + 0.5) / n, 0.5 / n);
        Ok([
            self.xyf2vec(xc + dc, yc + dc, f.face),
            self.xyf2vec(xc - dc, yc + dc, f.face),
            self.xyf2vec(xc - dc, yc - dc, f.face),
            self.xyf2vec(xc + dc, yc - dc, f.face),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;

    #[test]
    fn corners_are_unit_vectors_around_the_centre() {
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(8, scheme).unwrap();
            for pix in (0..hp.npix()).step_by(7) {
                let c = hp.pix2vec(pix).unwrap();
                for v in hp.boundaries(pix, 3).unwrap() {
                    let norm = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
                    assert!((norm - 1.0).abs() < 1e-12);
                    let ang = crate::vec3::angle(c, v);
                    assert!(ang <= hp.max_pixrad() + 1e-12 && ang > 0.0);
                }
            }
        }
        assert!(Healpix::ring(2).unwrap().boundaries(0, 0).is_err());
    }
}
