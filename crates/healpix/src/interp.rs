//! Bilinear interpolation between the 4 nearest pixel centres (healpy's `get_interp_weights`).

use std::f64::consts::PI;

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::loc::{check_angles, fmodulo};
use crate::scheme::Scheme;

/// Four pixels and their interpolation weights (which sum to 1).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct InterpWeights {
    /// The pixels: two on the ring above the point, two on the ring below.
    pub pixels: [u64; 4],
    /// The weight of each pixel.
    pub weights: [f64; 4],
}

impl Healpix {
    /// The 4 pixels around `(theta, phi)` and their bilinear weights (healpy's
    /// `get_interp_weights`, same pixels and weights).
    ///
    /// # Errors
    /// As [`Healpix::ang2pix`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(8)?;
    /// let w = hp.interp_weights(1.0, 2.0)?;
    /// assert!((w.weights.iter().sum::<f64>() - 1.0).abs() < 1e-14);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn interp_weights(&self, theta: f64, phi: f64) -> Result<InterpWeights> {
        check_angles(theta, phi)?;
        Ok(self.interp_weights_unchecked(theta, phi))
    }

    /// [`Healpix::interp_weights`] for valid angles.
    pub(crate) fn interp_weights_unchecked(&self, theta: f64, phi: f64) -> InterpWeights {
        let phi = fmodulo(phi, 2.0 * PI);
        let mut pix = [0i64; 4];
        let mut wgt = [0.0f64; 4];
        let ir1 = self.ring_above(theta.cos());
        let ir2 = ir1 + 1;
        let last = 4 * self.nside;
        let mut theta1 = 0.0;
        let mut theta2 = 0.0;
        let mut on_ring = |ring: i64, pair: usize| -> f64 {
            let (info, ring_theta) = self.ring_info_theta(ring);
            let dphi = 2.0 * PI / info.len as f64;
            let shift = if info.shifted { 0.5 } else { 0.0 };
            let tmp = phi / dphi - 0.5 * info.shifted as i64 as f64;
            let mut i1 = if tmp < 0.0 {
                tmp as i64 - 1
            } else {
                tmp as i64
            };
            let w1 = (phi - (i1 as f64 + shift) * dphi) / dphi;
            let mut i2 = i1 + 1;
            if i1 < 0 {
                i1 += info.len;
            }
            if i2 >= info.len {
                i2 -= info.len;
            }
            pix[2 * pair] = info.start + i1;
            pix[2 * pair + 1] = info.start + i2;
            wgt[2 * pair] = 1.0 - w1;
            wgt[2 * pair + 1] = w1;
            ring_theta
        };
        if ir1 > 0 {
            theta1 = on_ring(ir1, 0);
        }
        if ir2 < last {
            theta2 = on_ring(ir2, 1);
        }
        if ir1 == 0 {
            let wtheta = theta / theta2;
            wgt[2] *= wtheta;
            wgt[3] *= wtheta;
            let fac = (1.0 - wtheta) * 0.25;
            wgt = [fac, fac, wgt[2] + fac, wgt[3] + fac];
            pix[0] = (pix[2] + 2) & 3;
            pix[1] = (pix[3] + 2) & 3;
        } else if ir2 == last {
            let wtheta = (theta - theta1) / (PI - theta1);
            wgt[0] *= 1.0 - wtheta;
            wgt[1] *= 1.0 - wtheta;
            let fac = wtheta * 0.25;
            wgt = [wgt[0] + fac, wgt[1] + fac, fac, fac];
            pix[2] = ((pix[0] + 2) & 3) + self.npix - 4;
            pix[3] = ((pix[1] + 2) & 3) + self.npix - 4;
        } else {
            let wtheta = (theta - theta1) / (theta2 - theta1);
            wgt[0] *= 1.0 - wtheta;
            wgt[1] *= 1.0 - wtheta;
            wgt[2] *= wtheta;
            wgt[3] *= wtheta;
        }
        if self.scheme == Scheme::Nested {
            for p in pix.iter_mut() {
                *p = self.ring2nest_unchecked(*p);
            }
        }
        InterpWeights {
            pixels: pix.map(|p| p as u64),
            weights: wgt,
        }
    }

    /// The map value at `(theta, phi)` by bilinear interpolation (healpy's `get_interp_val`).
    ///
    /// # Errors
    /// As [`Healpix::ang2pix`]; [`HealpixError::LengthMismatch`] when `map` has not `npix` values.
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(4)?;
    /// let map = vec![2.5; 192];
    /// assert!((hp.interpolate(&map, 0.3, 1.0)? - 2.5).abs() < 1e-14);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn interpolate(&self, map: &[f64], theta: f64, phi: f64) -> Result<f64> {
        if map.len() != self.npix as usize {
            return Err(HealpixError::LengthMismatch {
                what: "map",
                expected: self.npix as usize,
                got: map.len(),
            });
        }
        let w = self.interp_weights(theta, phi)?;
        Ok(w.pixels
            .iter()
            .zip(w.weights)
            .map(|(&p, wt)| map[p as usize] * wt)
            .sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_a_partition_of_unity_and_exact_at_centres() {
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(8, scheme).unwrap();
            for pix in 0..hp.npix() {
                let (t, p) = hp.pix2ang(pix).unwrap();
                let w = hp.interp_weights(t, p).unwrap();
                assert!((w.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                let at_pix: f64 = w
                    .pixels
                    .iter()
                    .zip(w.weights)
                    .filter(|(q, _)| **q == pix)
                    .map(|(_, wt)| wt)
                    .sum();
                assert!((at_pix - 1.0).abs() < 1e-9, "{scheme} pix {pix}: {w:?}");
            }
        }
    }
}
