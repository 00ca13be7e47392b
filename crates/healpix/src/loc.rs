//! Positions ↔ pixels: `ang2pix`, `pix2ang`, `vec2pix`, `pix2vec` and their lon/lat forms.
//!
//! Angles follow healpy: `theta` is the colatitude in `[0, pi]` (0 at the north pole), `phi` the
//! longitude in radians (any value; it is taken modulo 2π). The `_lonlat` variants take and give
//! degrees, longitude first, like healpy's `lonlat=True`.

use std::f64::consts::{FRAC_PI_2, PI};

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::scheme::Scheme;
use crate::vec3;

/// A location on the sphere as HEALPix C++ keeps it: `z = cos(theta)`, `phi`, and `sin(theta)`
/// when it is known more accurately than `sqrt(1 - z^2)` (near the poles).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Loc {
    pub(crate) z: f64,
    pub(crate) phi: f64,
    pub(crate) sin_theta: Option<f64>,
}

/// `v1 mod v2` into `[0, v2)`, as HEALPix C++'s `fmodulo`.
#[inline]
pub(crate) fn fmodulo(v1: f64, v2: f64) -> f64 {
    if v1 >= 0.0 {
        return if v1 < v2 { v1 } else { v1 % v2 };
    }
    // fmod(v1, v2) is v1 itself when |v1| < v2: skip the (slow, software) fmod call.
    let rem = if v1 > -v2 { v1 } else { v1 % v2 };
    let tmp = rem + v2;
    if tmp == v2 { 0.0 } else { tmp }
}

/// Checks a colatitude and longitude.
#[inline]
pub(crate) fn check_angles(theta: f64, phi: f64) -> Result<()> {
    if !theta.is_finite() {
        return Err(HealpixError::NonFinite {
            what: "theta",
            value: theta,
        });
    }
    if !phi.is_finite() {
        return Err(HealpixError::NonFinite {
            what: "phi",
            value: phi,
        });
    }
    if !(0.0..=PI).contains(&theta) {
        return Err(HealpixError::ThetaOutOfRange { theta });
    }
    Ok(())
}

/// healpy's `lonlat2thetaphi`: degrees (lon, lat) to radians (theta, phi).
///
/// # Errors
/// [`HealpixError::NonFinite`], [`HealpixError::LatitudeOutOfRange`].
///
/// # Example
/// ```
/// let (theta, phi) = tessera_healpix::lonlat2thetaphi(90.0, 0.0)?;
/// assert_eq!(theta, std::f64::consts::FRAC_PI_2);
/// assert_eq!(phi, std::f64::consts::FRAC_PI_2);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
pub fn lonlat2thetaphi(lon: f64, lat: f64) -> Result<(f64, f64)> {
    if !lon.is_finite() {
        return Err(HealpixError::NonFinite {
            what: "longitude",
            value: lon,
        });
    }
    if !lat.is_finite() {
        return Err(HealpixError::NonFinite {
            what: "latitude",
            value: lat,
        });
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(HealpixError::LatitudeOutOfRange { lat });
    }
    // numpy's radians() multiplies by pi/180.
    let theta = (FRAC_PI_2 - lat * (PI / 180.0)).clamp(0.0, PI);
    Ok((theta, lon * (PI / 180.0)))
}

/// healpy's `thetaphi2lonlat`: radians (theta, phi) to degrees (lon, lat).
///
/// # Example
/// ```
/// let (lon, lat) = tessera_healpix::thetaphi2lonlat(0.0, std::f64::consts::PI);
/// assert_eq!((lon, lat), (180.0, 90.0));
/// ```
pub fn thetaphi2lonlat(theta: f64, phi: f64) -> (f64, f64) {
    // numpy's degrees() multiplies by 180/pi.
    (phi * (180.0 / PI), 90.0 - theta * (180.0 / PI))
}

/// healpy's `ang2vec`: the unit vector of the direction `(theta, phi)` in radians.
///
/// # Errors
/// As [`Healpix::ang2pix`].
///
/// # Example
/// ```
/// let v = tessera_healpix::ang2vec(0.0, 1.0)?;
/// assert_eq!(v, [0.0, 0.0, 1.0]);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
pub fn ang2vec(theta: f64, phi: f64) -> Result<[f64; 3]> {
    check_angles(theta, phi)?;
    let s = theta.sin();
    Ok([s * phi.cos(), s * phi.sin(), theta.cos()])
}

/// healpy's `vec2ang`: the direction `(theta, phi)` of a vector (need not be normalised), with
/// `phi` in `[0, 2π)`.
///
/// # Errors
/// [`HealpixError::NonFinite`], [`HealpixError::ZeroVector`].
///
/// # Example
/// ```
/// let (theta, phi) = tessera_healpix::vec2ang([0.0, 2.0, 0.0])?;
/// assert_eq!((theta, phi), (std::f64::consts::FRAC_PI_2, std::f64::consts::FRAC_PI_2));
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
pub fn vec2ang(v: [f64; 3]) -> Result<(f64, f64)> {
    check_vector(v)?;
    let [x, y, z] = v;
    let theta = (x * x + y * y).sqrt().atan2(z);
    let mut phi = if x == 0.0 && y == 0.0 {
        0.0
    } else {
        y.atan2(x)
    };
    if phi < 0.0 {
        phi += 2.0 * PI;
    }
    Ok((theta, fmodulo(phi, 2.0 * PI)))
}

/// Checks that a vector is finite and non-zero.
pub(crate) fn check_vector(v: [f64; 3]) -> Result<()> {
    for (value, what) in v.iter().zip(["x", "y", "z"]) {
        if !value.is_finite() {
            return Err(HealpixError::NonFinite {
                what,
                value: *value,
            });
        }
    }
    if v == [0.0; 3] {
        return Err(HealpixError::ZeroVector);
    }
    Ok(())
}

impl Healpix {
    /// Pixel containing the location (no checks), HEALPix C++'s `loc2pix`.
    #[inline]
    pub(crate) fn loc2pix(&self, z: f64, phi: f64, sin_theta: Option<f64>) -> i64 {
        match self.scheme {
            Scheme::Ring => self.loc2pix_in::<false>(z, phi, sin_theta),
            Scheme::Nested => self.loc2pix_in::<true>(z, phi, sin_theta),
        }
    }

    /// [`Healpix::loc2pix`] with the scheme fixed at compile time (`NESTED`), so that bulk loops
    /// carry no per-pixel scheme branch.
    #[inline(always)]
    pub(crate) fn loc2pix_in<const NESTED: bool>(
        &self,
        z: f64,
        phi: f64,
        sin_theta: Option<f64>,
    ) -> i64 {
        let n = self.nside;
        let nf = n as f64;
        let za = z.abs();
        let tt = fmodulo(phi * (2.0 / PI), 4.0);
        let polar_tmp = |za: f64| match sin_theta {
            Some(s) if za >= 0.99 => nf * s / ((1.0 + za) / 3.0).sqrt(),
            _ => nf * (3.0 * (1.0 - za)).sqrt(),
        };
        match const { if NESTED { Scheme::Nested } else { Scheme::Ring } } {
            Scheme::Ring => {
                if za <= 2.0 / 3.0 {
                    let nl4 = 4 * n;
                    let temp1 = nf * (0.5 + tt);
                    let temp2 = nf * z * 0.75;
                    let jp = (temp1 - temp2) as i64;
                    let jm = (temp1 + temp2) as i64;
                    let ir = n + 1 + jp - jm;
                    let kshift = 1 - (ir & 1);
                    let t1 = jp + jm - n + kshift + 1 + nl4 + nl4;
                    let ip = if self.order > 0 {
                        (t1 >> 1) & (nl4 - 1)
                    } else {
                        (t1 >> 1) % nl4
                    };
                    self.ncap + (ir - 1) * nl4 + ip
                } else {
                    let tp = tt - (tt as i64) as f64; // tt >= 0: truncation without a libm call
                    let tmp = polar_tmp(za);
                    let jp = (tp * tmp) as i64;
                    let jm = ((1.0 - tp) * tmp) as i64;
                    let ir = jp + jm + 1;
                    let ip = (tt * ir as f64) as i64;
                    if z > 0.0 {
                        2 * ir * (ir - 1) + ip
                    } else {
                        self.npix - 2 * ir * (ir + 1) + ip
                    }
                }
            }
            Scheme::Nested => {
                if za <= 2.0 / 3.0 {
                    let temp1 = nf * (0.5 + tt);
                    let temp2 = nf * (z * 0.75);
                    let jp = (temp1 - temp2) as i64;
                    let jm = (temp1 + temp2) as i64;
                    let ifp = jp >> self.order;
                    let ifm = jm >> self.order;
                    let face = if ifp == ifm {
                        ifp | 4
                    } else if ifp < ifm {
                        ifp
                    } else {
                        ifm + 8
                    };
                    let ix = jm & (n - 1);
                    let iy = n - (jp & (n - 1)) - 1;
                    self.xyf2nest_unchecked(ix, iy, face as usize)
                } else {
                    let ntt = (tt as i64).min(3);
                    let tp = tt - ntt as f64;
                    let tmp = polar_tmp(za);
                    let jp = ((tp * tmp) as i64).min(n - 1);
                    let jm = (((1.0 - tp) * tmp) as i64).min(n - 1);
                    if z >= 0.0 {
                        self.xyf2nest_unchecked(n - jm - 1, n - jp - 1, ntt as usize)
                    } else {
                        self.xyf2nest_unchecked(jp, jm, ntt as usize + 8)
                    }
                }
            }
        }
    }

    /// Location of a pixel centre (no checks), HEALPix C++'s `pix2loc`, with the scheme fixed at
    /// compile time (`NESTED`).
    #[inline(always)]
    pub(crate) fn pix2loc_in<const NESTED: bool>(&self, pix: i64) -> Loc {
        let n = self.nside;
        let polar = |tmp: f64| (tmp * (2.0 - tmp)).sqrt();
        match const { if NESTED { Scheme::Nested } else { Scheme::Ring } } {
            Scheme::Ring => {
                if pix < self.ncap {
                    let iring = (1 + crate::bits::isqrt(1 + 2 * pix)) >> 1;
                    let iphi = (pix + 1) - 2 * iring * (iring - 1);
                    let tmp = (iring * iring) as f64 * self.fact2;
                    let z = 1.0 - tmp;
                    let phi = (iphi as f64 - 0.5) * FRAC_PI_2 / iring as f64;
                    Loc {
                        z,
                        phi,
                        sin_theta: (z > 0.99).then(|| polar(tmp)),
                    }
                } else if pix < self.npix - self.ncap {
                    let nl4 = 4 * n;
                    let ip = pix - self.ncap;
                    let tmp = if self.order >= 0 {
                        ip >> (self.order + 2)
                    } else {
                        ip / nl4
                    };
                    let iring = tmp + n;
                    let iphi = ip - nl4 * tmp + 1;
                    let fodd = 0.5 + 0.5 * ((iring + n) & 1) as f64; // 1 or 0.5, without a branch
                    let z = (2 * n - iring) as f64 * self.fact1;
                    let phi = (iphi as f64 - fodd) * PI * 0.75 * self.fact1;
                    Loc {
                        z,
                        phi,
                        sin_theta: None,
                    }
                } else {
                    let ip = self.npix - pix;
                    let iring = (1 + crate::bits::isqrt(2 * ip - 1)) >> 1;
                    let iphi = 4 * iring + 1 - (ip - 2 * iring * (iring - 1));
                    let tmp = (iring * iring) as f64 * self.fact2;
                    let z = tmp - 1.0;
                    let phi = (iphi as f64 - 0.5) * FRAC_PI_2 / iring as f64;
                    Loc {
                        z,
                        phi,
                        sin_theta: (z < -0.99).then(|| polar(tmp)),
                    }
                }
            }
            Scheme::Nested => {
                let f = self.nest2xyf_unchecked(pix);
                let jr = (crate::xyf::JRLL[f.face] << self.order) - f.x - f.y - 1;
                let (nr, z, sin_theta);
                if jr < n {
                    nr = jr;
                    let tmp = (nr * nr) as f64 * self.fact2;
                    z = 1.0 - tmp;
                    sin_theta = (z > 0.99).then(|| polar(tmp));
                } else if jr > 3 * n {
                    nr = 4 * n - jr;
                    let tmp = (nr * nr) as f64 * self.fact2;
                    z = tmp - 1.0;
                    sin_theta = (z < -0.99).then(|| polar(tmp));
                } else {
                    nr = n;
                    z = (2 * n - jr) as f64 * self.fact1;
                    sin_theta = None;
                }
                let mut tmp = crate::xyf::JPLL[f.face] * nr + f.x - f.y;
                if tmp < 0 {
                    tmp += 8 * nr;
                }
                let phi = if nr == n {
                    0.75 * FRAC_PI_2 * tmp as f64 * self.fact1
                } else {
                    (0.5 * FRAC_PI_2 * tmp as f64) / nr as f64
                };
                Loc { z, phi, sin_theta }
            }
        }
    }

    /// Pixel of a valid `(theta, phi)` (no checks).
    #[inline]
    pub(crate) fn ang2pix_unchecked(&self, theta: f64, phi: f64) -> i64 {
        match self.scheme {
            Scheme::Ring => self.ang2pix_in::<false>(theta, phi),
            Scheme::Nested => self.ang2pix_in::<true>(theta, phi),
        }
    }

    /// [`Healpix::ang2pix_unchecked`] with the scheme fixed at compile time.
    #[inline(always)]
    pub(crate) fn ang2pix_in<const NESTED: bool>(&self, theta: f64, phi: f64) -> i64 {
        if !(0.01..=PI - 0.01).contains(&theta) {
            self.loc2pix_in::<NESTED>(theta.cos(), phi, Some(theta.sin()))
        } else {
            self.loc2pix_in::<NESTED>(theta.cos(), phi, None)
        }
    }

    /// Centre angles of a valid pixel (no checks).
    #[inline]
    pub(crate) fn pix2ang_unchecked(&self, pix: i64) -> (f64, f64) {
        match self.scheme {
            Scheme::Ring => self.pix2ang_in::<false>(pix),
            Scheme::Nested => self.pix2ang_in::<true>(pix),
        }
    }

    /// [`Healpix::pix2ang_unchecked`] with the scheme fixed at compile time.
    #[inline(always)]
    pub(crate) fn pix2ang_in<const NESTED: bool>(&self, pix: i64) -> (f64, f64) {
        let loc = self.pix2loc_in::<NESTED>(pix);
        let theta = match loc.sin_theta {
            Some(s) => s.atan2(loc.z),
            None => loc.z.acos(),
        };
        (theta, loc.phi)
    }

    /// The pixel containing the direction `(theta, phi)` (healpy's `ang2pix`).
    ///
    /// # Errors
    /// [`HealpixError::NonFinite`] for NaN/inf, [`HealpixError::ThetaOutOfRange`] outside `[0, π]`.
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(1024)?;
    /// assert_eq!(hp.ang2pix(1.0, 3.0)?, 2_891_683); // healpy 1.20.1
    /// assert!(hp.ang2pix(f64::NAN, 0.0).is_err());
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    #[inline]
    pub fn ang2pix(&self, theta: f64, phi: f64) -> Result<u64> {
        check_angles(theta, phi)?;
        Ok(self.ang2pix_unchecked(theta, phi) as u64)
    }

    /// The centre `(theta, phi)` of pixel `pix` in radians (healpy's `pix2ang`).
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(1)?;
    /// let (theta, phi) = hp.pix2ang(5)?;
    /// assert_eq!(theta, std::f64::consts::FRAC_PI_2);
    /// assert_eq!(phi, std::f64::consts::FRAC_PI_2);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    #[inline]
    pub fn pix2ang(&self, pix: u64) -> Result<(f64, f64)> {
        self.check_pix(pix)?;
        Ok(self.pix2ang_unchecked(pix as i64))
    }

    /// The pixel containing `(lon, lat)` in degrees (healpy's `ang2pix(..., lonlat=True)`).
    ///
    /// # Errors
    /// As [`lonlat2thetaphi`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::ring(16)?;
    /// assert_eq!(hp.ang2pix_lonlat(0.0, 90.0)?, hp.ang2pix(0.0, 0.0)?);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn ang2pix_lonlat(&self, lon: f64, lat: f64) -> Result<u64> {
        let (theta, phi) = lonlat2thetaphi(lon, lat)?;
        Ok(self.ang2pix_unchecked(theta, phi) as u64)
    }

    /// The centre of `pix` as `(lon, lat)` in degrees (healpy's `pix2ang(..., lonlat=True)`).
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`].
    pub fn pix2ang_lonlat(&self, pix: u64) -> Result<(f64, f64)> {
        let (theta, phi) = self.pix2ang(pix)?;
        Ok(thetaphi2lonlat(theta, phi))
    }

    /// The pixel containing the direction of `v` (need not be normalised; healpy's `vec2pix`).
    ///
    /// # Errors
    /// [`HealpixError::NonFinite`], [`HealpixError::ZeroVector`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(4)?;
    /// assert_eq!(hp.vec2pix([0.0, 0.0, 2.0])?, hp.ang2pix(0.0, 0.0)?);
    /// assert!(hp.vec2pix([0.0, 0.0, 0.0]).is_err());
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    #[inline]
    pub fn vec2pix(&self, v: [f64; 3]) -> Result<u64> {
        check_vector(v)?;
        Ok(self.vec2pix_unchecked(v) as u64)
    }

    #[inline]
    pub(crate) fn vec2pix_unchecked(&self, v: [f64; 3]) -> i64 {
        match self.scheme {
            Scheme::Ring => self.vec2pix_in::<false>(v),
            Scheme::Nested => self.vec2pix_in::<true>(v),
        }
    }

    /// [`Healpix::vec2pix_unchecked`] with the scheme fixed at compile time.
    #[inline(always)]
    pub(crate) fn vec2pix_in<const NESTED: bool>(&self, v: [f64; 3]) -> i64 {
        let [x, y, z] = v;
        let xl = 1.0 / (x * x + y * y + z * z).sqrt();
        // healpy's safe_atan2: 0 at the poles (also for -0.0), selected without a branch.
        let at = y.atan2(x);
        let phi = if x == 0.0 && y == 0.0 { 0.0 } else { at };
        let nz = z * xl;
        if nz.abs() > 0.99 {
            self.loc2pix_in::<NESTED>(nz, phi, Some((x * x + y * y).sqrt() * xl))
        } else {
            self.loc2pix_in::<NESTED>(nz, phi, None)
        }
    }

    /// The unit vector of the centre of `pix` (healpy's `pix2vec`).
    ///
    /// # Errors
    /// [`HealpixError::PixelOutOfRange`].
    ///
    /// # Example
    /// ```
    /// let v = tessera_healpix::Healpix::ring(1)?.pix2vec(4)?;
    /// assert!((v[0] - 1.0).abs() < 1e-15 && v[2].abs() < 1e-15);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    #[inline]
    pub fn pix2vec(&self, pix: u64) -> Result<[f64; 3]> {
        self.check_pix(pix)?;
        Ok(self.pix2vec_unchecked(pix as i64))
    }

    #[inline]
    pub(crate) fn pix2vec_unchecked(&self, pix: i64) -> [f64; 3] {
        match self.scheme {
            Scheme::Ring => self.pix2vec_in::<false>(pix),
            Scheme::Nested => self.pix2vec_in::<true>(pix),
        }
    }

    /// [`Healpix::pix2vec_unchecked`] with the scheme fixed at compile time.
    #[inline(always)]
    pub(crate) fn pix2vec_in<const NESTED: bool>(&self, pix: i64) -> [f64; 3] {
        let loc = self.pix2loc_in::<NESTED>(pix);
        vec3::from_loc(loc.z, loc.phi, loc.sin_theta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmodulo_wraps_into_range() {
        assert_eq!(fmodulo(5.0, 4.0), 1.0);
        assert_eq!(fmodulo(-1.0, 4.0), 3.0);
        assert_eq!(fmodulo(-4.0, 4.0), 0.0);
        assert_eq!(fmodulo(3.5, 4.0), 3.5);
    }

    #[test]
    fn bad_angles_are_typed_errors() {
        let hp = Healpix::ring(4).unwrap();
        assert_eq!(
            hp.ang2pix(-0.1, 0.0),
            Err(HealpixError::ThetaOutOfRange { theta: -0.1 })
        );
        assert!(matches!(
            hp.ang2pix(0.5, f64::INFINITY),
            Err(HealpixError::NonFinite { .. })
        ));
        assert!(hp.ang2pix_lonlat(0.0, 91.0).is_err());
        assert!(hp.pix2ang(192).is_err());
    }

    #[test]
    fn poles_and_negative_phi() {
        for scheme in [Scheme::Ring, Scheme::Nested] {
            let hp = Healpix::new(8, scheme).unwrap();
            let north = hp.ang2pix(0.0, 0.0).unwrap();
            let south = hp.ang2pix(PI, 0.0).unwrap();
            assert!(north < hp.npix() && south < hp.npix() && north != south);
            let a = hp.ang2pix(1.0, -0.5).unwrap();
            let b = hp.ang2pix(1.0, 2.0 * PI - 0.5).unwrap();
            assert_eq!(a, b);
        }
    }
}
