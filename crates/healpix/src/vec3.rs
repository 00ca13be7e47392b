//! Small helpers on unit vectors `[x, y, z]`.

/// The unit vector at `z = cos(theta)` and longitude `phi`.
#[inline]
pub(crate) fn from_z_phi(z: f64, phi: f64) -> [f64; 3] {
    let sin_t = ((1.0 - z) * (1.0 + z)).sqrt();
    [sin_t * phi.cos(), sin_t * phi.sin(), z]
}

/// The unit vector of a location given either by `z` alone or, near the poles, with `sin(theta)`.
#[inline]
pub(crate) fn from_loc(z: f64, phi: f64, sin_theta: Option<f64>) -> [f64; 3] {
    match sin_theta {
        Some(s) => [s * phi.cos(), s * phi.sin(), z],
        None => from_z_phi(z, phi),
    }
}

/// The angle between two vectors, `atan2(|a x b|, a . b)` (accurate at all angles).
#[inline]
pub(crate) fn angle(a: [f64; 3], b: [f64; 3]) -> f64 {
    let c = [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ];
    let cross = (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt();
    cross.atan2(a[0] * b[0] + a[1] * b[1] + a[2] * b[2])
}

/// The cosine of the angle between two points given by `(z, phi)`.
#[inline]
pub(crate) fn cosdist_zphi(z1: f64, phi1: f64, z2: f64, phi2: f64) -> f64 {
    z1 * z2 + (phi1 - phi2).cos() * ((1.0 - z1 * z1) * (1.0 - z2 * z2)).sqrt()
}
