//! The rotations of the sphere that map the HEALPix grid onto itself, as pixel permutations:
//! the same map seen in another exact orientation, for averaging a network over orientations
//! of its input (test-time rotation averaging; the networks are not exactly rotation
//! invariant, and their errors differ between orientations).

use std::f64::consts::{FRAC_PI_2, PI, TAU};

use tessera_healpix::Healpix;

use super::MapSet;
use crate::error::{Result, TrainError};

/// One rotation of the grid: `to[p]` is where the value of NESTED pixel `p` goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GridRotation {
    /// What it is ("φ + 90°", "φ + 90°, then 180° about the x axis").
    pub name: String,
    to: Vec<u32>,
}

/// The proper rotations of the sphere that map HEALPix pixel centres onto pixel centres: the
/// four turns by multiples of 90° about the polar axis, each alone and followed by the
/// half-turn about the x axis (`(θ, φ) → (π − θ, −φ)`) — eight in all, the identity first.
/// With `polar_only`, the four about the polar axis, which carry each pixel's (θ, φ) frame
/// along, so that Q and U keep their values (the half-turns would change their frame).
///
/// # Errors
/// [`TrainError::Config`] for an invalid `nside`.
pub fn grid_rotations(nside: u64, polar_only: bool) -> Result<Vec<GridRotation>> {
    let hp = Healpix::nested(nside).map_err(|e| TrainError::Config(e.to_string()))?;
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
                .collect::<std::result::Result<Vec<u32>, tessera_healpix::HealpixError>>()
                .map_err(|e| TrainError::Config(e.to_string()))?;
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

impl MapSet {
    /// Every map turned by `rotation` (all channels moved together; targets and names kept).
    ///
    /// # Errors
    /// [`TrainError::Config`] when `rotation` is for another nside.
    pub fn rotated(&self, rotation: &GridRotation) -> Result<MapSet> {
        let npix = 12 * (self.nside * self.nside) as usize;
        if rotation.to.len() != npix {
            return Err(TrainError::Config(format!(
                "a rotation of {} pixels for maps of {npix}",
                rotation.to.len()
            )));
        }
        let c = self.channels;
        let mut maps = vec![0.0; self.maps.len()];
        for (src, dst) in self.maps.chunks(npix * c).zip(maps.chunks_mut(npix * c)) {
            for (p, &q) in rotation.to.iter().enumerate() {
                let q = q as usize;
                dst[q * c..(q + 1) * c].copy_from_slice(&src[p * c..(p + 1) * c]);
            }
        }
        Ok(MapSet {
            nside: self.nside,
            channels: c,
            maps,
            targets: self.targets.clone(),
            ids: self.ids.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::MapTargets;

    /// A one-channel set holding `f(θ, φ)` at each NESTED pixel centre.
    fn set_of(nside: u64, f: impl Fn(f64, f64) -> f64) -> MapSet {
        let hp = Healpix::nested(nside).unwrap();
        let maps = (0..hp.npix())
            .map(|p| {
                let (t, ph) = hp.pix2ang(p).unwrap();
                f(t, ph) as f32
            })
            .collect();
        MapSet {
            nside,
            channels: 1,
            maps,
            targets: MapTargets::Values {
                values: vec![0.0],
                names: vec!["x".into()],
            },
            ids: vec!["m".into()],
        }
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
            let z = set_of(nside, |t, _| t.cos());
            let close = |a: &MapSet, b: &MapSet| {
                a.maps
                    .iter()
                    .zip(&b.maps)
                    .all(|(x, y)| (x - y).abs() < 1e-5)
            };
            assert!(close(&z.rotated(&all[1]).unwrap(), &z));
            let minus_z = set_of(nside, |t, _| -t.cos());
            assert!(close(&z.rotated(&all[4]).unwrap(), &minus_z));
            // Turned by +90°, the value at φ came from φ − 90°.
            let x = set_of(nside, |t, p| t.sin() * p.cos());
            let y = set_of(nside, |t, p| t.sin() * p.sin());
            assert!(close(&x.rotated(&all[1]).unwrap(), &y));
        }
    }

    #[test]
    fn a_rotation_for_another_nside_is_refused() {
        let r = grid_rotations(2, true).unwrap();
        assert!(set_of(4, |_, _| 0.0).rotated(&r[1]).is_err());
    }
}
