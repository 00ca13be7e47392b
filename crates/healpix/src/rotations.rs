//! The rotations of the sphere that map the HEALPix grid onto itself, as pixel permutations:
//! the same map seen in another exact orientation (for test-time averaging of a network over
//! orientations of its input, or for augmentation that needs no interpolation).

use std::f64::consts::{FRAC_PI_2, PI, TAU};

use crate::{Healpix, Result};

/// One rotation of the grid: `to[p]` is where the value of NESTED pixel `p` goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridRotation {
    /// What it is ("φ + 90°", "φ + 90°, then 180° about the x axis").
    pub name: String,
    to: Vec<u32>,
}

impl GridRotation {
    /// Where each NESTED pixel goes: `to()[p]` receives the value of pixel `p`.
    pub fn to(&self) -> &[u32] {
        &self.to
    }

    /// `values` (NESTED, `channels` values per pixel, pixel-major, one or more maps one after
    /// the other) turned by this rotation; `None` when their length is not a whole number of
    /// maps of this rotation's pixel count.
    pub fn apply<T: Copy + Default>(&self, values: &[T], channels: usize) -> Option<Vec<T>> {
        let map = self.to.len() * channels;
        if map == 0 || !values.len().is_multiple_of(map) {
            return None;
        }
        let c = channels;
        let mut out = vec![T::default(); values.len()];
        for (src, dst) in values.chunks(map).zip(out.chunks_mut(map)) {
            for (p, &q) in self.to.iter().enumerate() {
                let q = q as usize;
                dst[q * c..(q + 1) * c].copy_from_slice(&src[p * c..(p + 1) * c]);
            }
        }
        Some(out)
    }
}

/// The proper rotations of the sphere that map HEALPix pixel centres onto pixel centres: the
/// four turns by multiples of 90° about the polar axis, each alone and followed by the
/// half-turn about the x axis (`(θ, φ) → (π − θ, −φ)`) — eight in all, the identity first.
/// With `polar_only`, the four about the polar axis, which carry each pixel's (θ, φ) frame
/// along, so that Q and U keep their values (the half-turns would change their frame).
///
/// # Errors
/// [`HealpixError`](crate::HealpixError) for an invalid `nside`.
pub fn grid_rotations(nside: u64, polar_only: bool) -> Result<Vec<GridRotation>> {
    let hp = Healpix::nested(nside)?;
    let flips: &[bool] = if polar_only { &[false] } else { &[false, true] };
    let mut out = Vec::new();
    for &flip in flips {
        for quarter in 0..4u32 {
            let to = (0..hp.npix())
                .map(|p| {
                    let (theta, phi) = hp.pix2ang(p)?;
                    let phi = phi + f64::from(quarter) * FRAC_PI_2;
                    let (theta, phi) = if flip {
                        (PI - theta, -phi)
                    } else {
                        (theta, phi)
                    };
                    Ok(hp.ang2pix(theta, phi.rem_euclid(TAU))? as u32)
                })
                .collect::<Result<Vec<u32>>>()?;
            let turn = format!("φ + {}°", 90 * quarter);
            let name = if flip {
                format!("{turn}, then 180° about the x axis")
            } else {
                turn
            };
            out.push(GridRotation { name, to });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f(θ, φ)` at each NESTED pixel centre.
    fn map_of(nside: u64, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        let hp = Healpix::nested(nside).unwrap();
        (0..hp.npix())
            .map(|p| {
                let (t, ph) = hp.pix2ang(p).unwrap();
                f(t, ph)
            })
            .collect()
    }

    /// Each rotation is a permutation, the identity comes first, and a rotated map is the
    /// function seen through the rotation: cos θ changes sign under the half-turns and not under
    /// the polar turns; sin θ cos φ becomes sin θ sin φ after a quarter turn.
    #[test]
    fn rotations_permute_pixels_as_the_sphere_turns() {
        for nside in [1, 2, 8] {
            let all = grid_rotations(nside, false).unwrap();
            assert_eq!(all.len(), 8);
            assert_eq!(grid_rotations(nside, true).unwrap(), all[..4]);
            for r in &all {
                let mut seen = r.to.clone();
                seen.sort_unstable();
                assert!(
                    seen.iter().enumerate().all(|(i, &p)| p as usize == i),
                    "{}",
                    r.name
                );
            }
            assert!(all[0].to.iter().enumerate().all(|(i, &p)| p as usize == i));
            let close =
                |a: Vec<f64>, b: Vec<f64>| a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12);
            let z = map_of(nside, |t, _| t.cos());
            assert!(close(all[1].apply(&z, 1).unwrap(), z.clone()));
            assert!(close(
                all[4].apply(&z, 1).unwrap(),
                map_of(nside, |t, _| -t.cos())
            ));
            // Turned by +90°, the value at φ came from φ − 90°.
            let x = map_of(nside, |t, p| t.sin() * p.cos());
            let y = map_of(nside, |t, p| t.sin() * p.sin());
            assert!(close(all[1].apply(&x, 1).unwrap(), y));
        }
    }

    /// Channels move together, maps one after the other are turned alike, and values that are
    /// not whole maps of this nside are refused.
    #[test]
    fn channels_and_maps_move_together() {
        let r = &grid_rotations(2, true).unwrap()[1];
        let npix = r.to().len();
        let two: Vec<u32> = (0..2 * npix as u32 * 3).collect();
        let out = r.apply(&two, 3).unwrap();
        for (p, &q) in r.to().iter().enumerate() {
            let q = q as usize;
            assert_eq!(out[q * 3..q * 3 + 3], two[p * 3..p * 3 + 3]);
            let (p2, q2) = (npix + p, npix + q);
            assert_eq!(out[q2 * 3..q2 * 3 + 3], two[p2 * 3..p2 * 3 + 3]);
        }
        assert!(r.apply(&two[1..], 3).is_none());
        assert!(r.apply(&two, 0).is_none());
    }
}
