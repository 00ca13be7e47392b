//! Where each image pixel looks on the sphere: Mollweide (healpy's `mollview`), orthographic
//! (`orthview`), gnomonic (`gnomview`) and plate carrée (`cartview`); and the graticule and
//! markers (`graticule`, `projscatter`) drawn over them.

use std::f64::consts::{FRAC_PI_2, PI, SQRT_2};

/// How the sphere is drawn on the image. Longitude grows to the left in every projection, as on
/// the sky (healpy's default).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Projection {
    /// The whole sky in one ellipse, longitude 0 in the centre (healpy's `mollview`).
    #[default]
    Mollweide,
    /// Two hemispheres side by side as seen from outside, the left one centred on
    /// (`lon`, `lat`) in degrees and the right one on the opposite direction (healpy's
    /// `orthview`).
    Orthographic {
        /// Longitude of the left hemisphere's centre, degrees.
        lon: f64,
        /// Latitude of the left hemisphere's centre, degrees.
        lat: f64,
    },
    /// A small patch projected on the plane tangent at (`lon`, `lat`) (healpy's `gnomview`),
    /// `width` degrees across (the image is twice as wide as high).
    Gnomonic {
        /// Longitude of the centre, degrees.
        lon: f64,
        /// Latitude of the centre, degrees.
        lat: f64,
        /// Angular width of the image, degrees (at most 170).
        width: f64,
    },
    /// The whole sky as a longitude–latitude rectangle (healpy's `cartview`), longitude `lon`
    /// in the centre.
    Cartesian {
        /// Longitude at the centre of the image, degrees.
        lon: f64,
    },
}

impl Projection {
    /// The angle one image pixel spans near the centre, degrees (for graticule and markers).
    pub(crate) fn degrees_per_pixel(self, w: u32) -> f64 {
        match self {
            Projection::Mollweide | Projection::Cartesian { .. } => 360.0 / w as f64,
            Projection::Orthographic { .. } => 2.0 * 90.0 / (w as f64 / 2.0),
            Projection::Gnomonic { width, .. } => width / w as f64,
        }
    }
}

/// The direction `(theta, phi)` seen at projection coordinates `x ∈ [-2√2, 2√2]`,
/// `y ∈ [-√2, √2]`, or `None` outside the ellipse. Longitude grows to the left (astronomers'
/// convention, healpy's default), with longitude 0 in the centre.
pub(crate) fn inverse_mollweide(x: f64, y: f64) -> Option<(f64, f64)> {
    let s = y / SQRT_2;
    if s.abs() > 1.0 {
        return None;
    }
    let aux = s.asin();
    let lat = ((2.0 * aux + (2.0 * aux).sin()) / PI)
        .clamp(-1.0, 1.0)
        .asin();
    let cos_aux = aux.cos();
    let lon = if cos_aux > 1e-12 {
        -PI * x / (2.0 * SQRT_2 * cos_aux)
    } else {
        0.0
    };
    (lon.abs() <= PI).then(|| (FRAC_PI_2 - lat, lon.rem_euclid(2.0 * PI)))
}

/// The unit vectors at `(lon0, lat0)` (radians): the centre, east and north.
fn local_frame(lon0: f64, lat0: f64) -> [[f64; 3]; 3] {
    let (sl, cl) = lat0.sin_cos();
    let (so, co) = lon0.sin_cos();
    [
        [cl * co, cl * so, sl],
        [-so, co, 0.0],
        [-sl * co, -sl * so, cl],
    ]
}

fn to_angles(p: [f64; 3]) -> (f64, f64) {
    let r = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt();
    let theta = (p[2] / r).clamp(-1.0, 1.0).acos();
    (theta, p[1].atan2(p[0]).rem_euclid(2.0 * PI))
}

/// The direction seen at disc coordinates `(u, v)` in `[-1, 1]` of an orthographic view centred
/// on `(lon0, lat0)` (radians), or `None` outside the disc. East is to the left, as on the sky.
pub(crate) fn inverse_orthographic(u: f64, v: f64, lon0: f64, lat0: f64) -> Option<(f64, f64)> {
    let r2 = u * u + v * v;
    if r2 > 1.0 {
        return None;
    }
    let depth = (1.0 - r2).sqrt();
    let [centre, east, north] = local_frame(lon0, lat0);
    let p: [f64; 3] = std::array::from_fn(|i| depth * centre[i] - u * east[i] + v * north[i]);
    Some(to_angles(p))
}

/// The direction seen at tangent-plane coordinates `(u, v)` (in units of the distance to the
/// plane) of a gnomonic view centred on `(lon0, lat0)` (radians). East is to the left.
pub(crate) fn inverse_gnomonic(u: f64, v: f64, lon0: f64, lat0: f64) -> (f64, f64) {
    let [centre, east, north] = local_frame(lon0, lat0);
    to_angles(std::array::from_fn(|i| {
        centre[i] - u * east[i] + v * north[i]
    }))
}

/// The direction shown at image pixel `(px, py)` of a `w` × `h` map area.
pub(crate) fn direction_at(
    projection: Projection,
    px: u32,
    py: u32,
    w: u32,
    h: u32,
) -> Option<(f64, f64)> {
    // Image coordinates in [-1, 1], y up.
    let fx = 2.0 * (px as f64 + 0.5) / w as f64 - 1.0;
    let fy = 1.0 - 2.0 * (py as f64 + 0.5) / h as f64;
    match projection {
        Projection::Mollweide => inverse_mollweide(2.0 * SQRT_2 * fx, SQRT_2 * fy),
        Projection::Orthographic { lon, lat } => {
            let half = w / 2;
            let (right, local_x) = if px >= half {
                (true, px - half)
            } else {
                (false, px)
            };
            let u = 2.0 * (local_x as f64 + 0.5) / half as f64 - 1.0;
            let (lon0, lat0) = if right {
                ((lon + 180.0).to_radians(), (-lat).to_radians())
            } else {
                (lon.to_radians(), lat.to_radians())
            };
            inverse_orthographic(u, fy, lon0, lat0)
        }
        Projection::Gnomonic { lon, lat, width } => {
            let half = (width.min(170.0) / 2.0).to_radians().tan();
            // Square pixels: the height spans half the width's tangent extent.
            let (u, v) = (fx * half, fy * half * h as f64 / w as f64);
            Some(inverse_gnomonic(u, v, lon.to_radians(), lat.to_radians()))
        }
        Projection::Cartesian { lon } => {
            let longitude = lon.to_radians() - fx * PI;
            let latitude = fy * FRAC_PI_2;
            Some((FRAC_PI_2 - latitude, longitude.rem_euclid(2.0 * PI)))
        }
    }
}

/// Lines of constant longitude and latitude every `step` degrees, `width` degrees wide: on the
/// sphere, or (`flat`, for the plate carrée) in degrees of longitude.
pub(crate) fn on_graticule(theta: f64, phi: f64, step: f64, width: f64, flat: bool) -> bool {
    let lat = 90.0 - theta.to_degrees();
    let lon = phi.to_degrees();
    let near = |v: f64| {
        let r = v.rem_euclid(step);
        r.min(step - r)
    };
    // Meridians converge at the poles: their width in longitude grows as 1 / cos(lat).
    let cos_lat = if flat {
        1.0
    } else {
        lat.to_radians().cos().max(1e-3)
    };
    (near(lat) < width / 2.0) || (lat.abs() < 89.0 && near(lon) * cos_lat < width / 2.0)
}

/// Whether `(theta, phi)` lies on the ring drawn around a marker at `(lon, lat)` degrees:
/// between `radius` and `radius + width` degrees from it.
pub(crate) fn on_marker(theta: f64, phi: f64, marker: (f64, f64), radius: f64, width: f64) -> bool {
    let (mt, mp) = ((90.0 - marker.1).to_radians(), marker.0.to_radians());
    let cos_d = theta.cos() * mt.cos() + theta.sin() * mt.sin() * (phi - mp).cos();
    let d = cos_d.clamp(-1.0, 1.0).acos().to_degrees();
    d >= radius && d <= radius + width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_centre_edges_and_outside() {
        let (theta, phi) = inverse_mollweide(0.0, 0.0).unwrap();
        assert!((theta - FRAC_PI_2).abs() < 1e-12 && phi.abs() < 1e-12);
        let (theta, _) = inverse_mollweide(0.0, SQRT_2 * 0.999_999).unwrap();
        assert!(theta < 0.01);
        assert!(inverse_mollweide(2.0 * SQRT_2 * 0.99, 1.3).is_none());
        // Longitude grows to the left.
        let (_, phi) = inverse_mollweide(-1.0, 0.0).unwrap();
        assert!(phi > 0.0 && phi < PI);
    }

    #[test]
    fn orthographic_centre_and_limb() {
        let (theta, phi) = inverse_orthographic(0.0, 0.0, 1.0, 0.5).unwrap();
        assert!((theta - (FRAC_PI_2 - 0.5)).abs() < 1e-12 && (phi - 1.0).abs() < 1e-12);
        let (theta, _) = inverse_orthographic(0.0, 1.0, 0.0, 0.0).unwrap();
        assert!(theta.abs() < 1e-12, "top of the disc is the north pole");
        assert!(inverse_orthographic(0.8, 0.8, 0.0, 0.0).is_none());
        // East (growing longitude) to the left.
        let (_, phi) = inverse_orthographic(-0.5, 0.0, 0.0, 0.0).unwrap();
        assert!(phi > 0.0 && phi < PI);
    }

    #[test]
    fn gnomonic_and_cartesian_centres_and_directions() {
        let (theta, phi) = inverse_gnomonic(0.0, 0.0, 1.0, 0.5);
        assert!((theta - (FRAC_PI_2 - 0.5)).abs() < 1e-12 && (phi - 1.0).abs() < 1e-12);
        // tan(10°) to the left of a centre on the equator is 10° east.
        let (theta, phi) = inverse_gnomonic(-(10f64.to_radians().tan()), 0.0, 0.0, 0.0);
        assert!((theta - FRAC_PI_2).abs() < 1e-12 && (phi - 10f64.to_radians()).abs() < 1e-12);
        let w = 400;
        let centre = direction_at(Projection::Cartesian { lon: 30.0 }, w / 2, w / 4, w, w / 2);
        let (theta, phi) = centre.unwrap();
        assert!((theta - FRAC_PI_2).abs() < 0.01 && (phi - 30f64.to_radians()).abs() < 0.02);
        let gnom = Projection::Gnomonic {
            lon: 83.6,
            lat: 22.0,
            width: 5.0,
        };
        let (theta, phi) = direction_at(gnom, w / 2, w / 4, w, w / 2).unwrap();
        assert!((90.0 - theta.to_degrees() - 22.0).abs() < 0.02);
        assert!((phi.to_degrees() - 83.6).abs() < 0.02);
    }

    #[test]
    fn graticule_and_markers() {
        assert!(
            on_graticule(FRAC_PI_2, 0.4, 30.0, 0.5, false),
            "the equator"
        );
        assert!(
            on_graticule(1.0, 60f64.to_radians(), 30.0, 0.5, false),
            "a meridian"
        );
        assert!(!on_graticule(1.0, 0.4, 30.0, 0.5, false));
        // Near a pole a meridian is thin on the sphere, not on a plate carrée.
        let (near_pole, off) = (0.05, 60.5f64.to_radians());
        assert!(on_graticule(near_pole, off, 30.0, 2.0, false));
        assert!(!on_graticule(near_pole, off, 30.0, 0.5, true));
        let m = (10.0, 20.0);
        let (t, p) = ((90f64 - 21.0).to_radians(), 10f64.to_radians());
        assert!(on_marker(t, p, m, 0.8, 0.5));
        assert!(
            !on_marker((70f64).to_radians(), p, m, 0.8, 0.5),
            "the centre is left clear"
        );
    }
}
