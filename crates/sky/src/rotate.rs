//! Maps turned to another frame through their pixels (healpy's `Rotator.rotate_map_pixel`).

use rayon::prelude::*;
use tessera_healpix::Rotator;

use crate::error::Result;
use crate::map::{SkyMap, UNSEEN, is_unseen};

impl SkyMap {
    /// The map seen in the frame `rotator` leads to (healpy's `rotator.rotate_map_pixel(m)`):
    /// each pixel centre is turned back into this map's frame and the map interpolated there
    /// (bilinearly, healpy's `get_interp_val`). As in healpy, a map of two fields is Q, U and one
    /// of three is T, Q, U: the polarisation is turned by the change of the local reference
    /// direction (healpy's `angle_ref`); other fields are scalars. Interpolation smooths the
    /// smallest scales a little.
    ///
    /// Unlike healpy, a pixel whose interpolation reads an UNSEEN pixel is UNSEEN (healpy mixes
    /// the −1.6375e30 into its neighbours). The scheme and field names are kept; set
    /// [`SkyMap::coord`] to the new frame's letter when `rotator` changes coordinate system.
    ///
    /// # Errors
    /// Invalid geometry (not expected for a valid map).
    pub fn rotate_pixels(&self, rotator: &Rotator) -> Result<SkyMap> {
        let geometry = self.geometry;
        let back = rotator.inverse();
        let npix = geometry.npix();
        // Per output pixel: the four input pixels and weights, and the polarisation angle.
        let sources: Vec<([u64; 4], [f64; 4], f64)> = (0..npix)
            .into_par_iter()
            .map(|p| -> Result<_> {
                let (theta, phi) = geometry.pix2ang(p)?;
                let (t, f) = back.rotate_ang(theta, phi);
                let w = geometry.interp_weights(t, f)?;
                Ok((w.pixels, w.weights, angle_ref(rotator, t, f)))
            })
            .collect::<Result<_>>()?;
        let interpolate = |values: &[f64]| -> Vec<f64> {
            sources
                .iter()
                .map(|(pixels, weights, _)| {
                    let mut sum = 0.0;
                    for (&p, &w) in pixels.iter().zip(weights) {
                        let v = values[p as usize];
                        if is_unseen(v) && w != 0.0 {
                            return UNSEEN;
                        }
                        sum += v * w;
                    }
                    sum
                })
                .collect()
        };
        let mut out = self.clone();
        for (field, original) in out.fields.iter_mut().zip(&self.fields) {
            field.values = interpolate(&original.values);
        }
        let n = out.fields.len();
        if n == 2 || n == 3 {
            let (head, tail) = out.fields.split_at_mut(n - 1);
            let (q, u) = (&mut head[n - 2].values, &mut tail[0].values);
            for (k, (_, _, angle)) in sources.iter().enumerate() {
                if is_unseen(q[k]) || is_unseen(u[k]) {
                    continue;
                }
                let (s, c) = (2.0 * angle).sin_cos();
                let (qk, uk) = (q[k], u[k]);
                q[k] = qk * c - uk * s;
                u[k] = qk * s + uk * c;
            }
        }
        Ok(out)
    }
}

/// healpy's `Rotator.angle_ref(theta, phi)`: the angle between the local meridians (north
/// directions) before and after the rotation, at the direction `(theta, phi)`.
fn angle_ref(rotator: &Rotator, theta: f64, phi: f64) -> f64 {
    let (st, ct, sp, cp) = (theta.sin(), theta.cos(), phi.sin(), phi.cos());
    let vp = rotator.rotate_vec([st * cp, st * sp, ct]);
    let pole = rotator.rotate_vec([0.0, 0.0, 1.0]);
    let sin_alpha = pole[0] * vp[1] - pole[1] * vp[0];
    let dot = pole[0] * vp[0] + pole[1] * vp[1] + pole[2] * vp[2];
    let cos_alpha = pole[2] - vp[2] * dot;
    sin_alpha.atan2(cos_alpha)
}
