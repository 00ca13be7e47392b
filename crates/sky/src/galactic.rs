//! The galactic plane in a map's own frame: [`galactic_north_pole`] and
//! [`SkyMap::mask_galactic_plane`].

use rayon::prelude::*;
use tessera_healpix::{CoordSys, Healpix, Rotator};

use crate::error::{Result, SkyError};
use crate::map::{SkyMap, UNSEEN};

/// The galactic north pole as a unit vector in the frame a map's `COORDSYS` names (`G`, `E`
/// ecliptic, `C`/`Q` equatorial J2000, or the spelled-out names): the last row of healpy's
/// conversion to galactic ([`Rotator::coord`]); `None` for an unknown frame.
pub fn galactic_north_pole(coordsys: &str) -> Option<[f64; 3]> {
    let from = coordsys.parse::<CoordSys>().ok()?;
    Some(Rotator::coord(from, CoordSys::Galactic).matrix()[2])
}

impl SkyMap {
    /// Sets every field to UNSEEN where the galactic latitude is below `degrees` in absolute
    /// value. The map's `COORDSYS` says where the galactic plane is: an equatorial or ecliptic
    /// map is cut along the galactic plane seen in that frame; a galactic map, and one whose
    /// `COORDSYS` is absent or unrecognised (such as `unknown`), along its own equator. Returns
    /// the number of pixels cut.
    ///
    /// # Errors
    /// [`SkyError::OutOfRange`] when `degrees` is not in `[0, 90]`.
    pub fn mask_galactic_plane(&mut self, degrees: f64) -> Result<usize> {
        if !(0.0..=90.0).contains(&degrees) {
            return Err(SkyError::OutOfRange {
                what: "galactic cut (degrees)",
                value: degrees,
                allowed: "[0, 90]".into(),
            });
        }
        let pole = self
            .coord
            .as_deref()
            .and_then(galactic_north_pole)
            .unwrap_or([0.0, 0.0, 1.0]);
        let cut = pixels_near_great_circle(self.geometry, pole, degrees);
        for field in &mut self.fields {
            for &p in &cut {
                field.values[p] = UNSEEN;
            }
        }
        Ok(cut.len())
    }
}

/// The pixels whose centres lie less than `degrees` from the great circle normal to the unit
/// vector `pole`: `|pole · n(p)| < sin(degrees)`.
pub(crate) fn pixels_near_great_circle(
    geometry: Healpix,
    pole: [f64; 3],
    degrees: f64,
) -> Vec<usize> {
    let limit = degrees.to_radians().sin();
    (0..geometry.npix())
        .into_par_iter()
        .filter_map(|p| {
            let v = geometry.pix2vec(p).ok()?;
            let sin_b = pole[0] * v[0] + pole[1] * v[1] + pole[2] * v[2];
            (sin_b.abs() < limit).then_some(p as usize)
        })
        .collect()
}
