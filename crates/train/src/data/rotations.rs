//! Maps turned by the rotations that map the HEALPix grid onto itself
//! ([`tessera_healpix::grid_rotations`]), for averaging a network over orientations of its
//! input (test-time rotation averaging; the networks are not exactly rotation invariant).

use tessera_healpix::GridRotation;

use super::MapSet;
use crate::error::{Result, TrainError};

impl MapSet {
    /// Every map turned by `rotation` (all channels moved together; targets and names kept).
    ///
    /// # Errors
    /// [`TrainError::SizeMismatch`] when `rotation` is for another nside.
    pub fn rotated(&self, rotation: &GridRotation) -> Result<MapSet> {
        let npix = 12 * (self.nside * self.nside) as usize;
        let maps = (rotation.to().len() == npix)
            .then(|| rotation.apply(&self.maps, self.channels))
            .flatten()
            .ok_or_else(|| TrainError::SizeMismatch {
                what: "a grid rotation for these maps".into(),
                unit: "pixels",
                found: rotation.to().len(),
                needed: npix,
            })?;
        Ok(MapSet {
            nside: self.nside,
            channels: self.channels,
            maps,
            targets: self.targets.clone(),
            ids: self.ids.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use tessera_healpix::grid_rotations;

    use super::*;
    use crate::data::MapTargets;

    /// A two-channel set of two maps turns as its raw values do, and a rotation for another
    /// nside is refused.
    #[test]
    fn a_set_turns_as_its_values_and_another_nside_is_refused() {
        let r = grid_rotations(2, true).unwrap();
        let set = MapSet {
            nside: 2,
            channels: 2,
            maps: (0..2 * 48 * 2).map(|v| v as f32).collect(),
            targets: MapTargets::Values {
                values: vec![0.0, 1.0],
                names: vec!["x".into()],
            },
            ids: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            set.rotated(&r[1]).unwrap().maps,
            r[1].apply(&set.maps, 2).unwrap()
        );
        let other = grid_rotations(4, true).unwrap();
        assert!(set.rotated(&other[1]).is_err());
    }
}
