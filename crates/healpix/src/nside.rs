//! The validated resolution parameter `nside` and the healpy functions on it.

use std::f64::consts::PI;
use std::fmt;

use crate::error::{HealpixError, Result};

/// The largest HEALPix order (depth) supported with 64-bit pixel indices, as in healpy.
pub const MAX_ORDER: u32 = 29;

/// The largest nside supported, `2^29`, as in healpy.
pub const MAX_NSIDE: u64 = 1 << MAX_ORDER;

/// A validated HEALPix resolution: `1 <= nside <= 2^29`.
///
/// Any such nside is valid for the RING scheme; the NESTED scheme additionally requires a power
/// of two, which [`Nside::order`] reports. Validate once here and the hot paths need no checks.
///
/// # Example
/// ```
/// use tessera_healpix::Nside;
/// let nside = Nside::new(64)?;
/// assert_eq!(nside.npix(), 49_152);
/// assert_eq!(nside.order(), Some(6));
/// assert_eq!(Nside::new(3)?.order(), None); // fine for RING only
/// assert!(Nside::new(0).is_err());
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nside(u64);

impl Nside {
    /// Validates `nside` (`1 ..= 2^29`).
    ///
    /// # Errors
    /// [`HealpixError::NsideZero`] or [`HealpixError::NsideTooLarge`].
    ///
    /// # Example
    /// ```
    /// assert!(tessera_healpix::Nside::new(1 << 30).is_err());
    /// ```
    pub fn new(nside: u64) -> Result<Self> {
        match nside {
            0 => Err(HealpixError::NsideZero),
            n if n > MAX_NSIDE => Err(HealpixError::NsideTooLarge { nside: n }),
            n => Ok(Nside(n)),
        }
    }

    /// The nside of a given order (depth): `2^order`.
    ///
    /// # Errors
    /// [`HealpixError::OrderTooLarge`] above order 29.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tessera_healpix::Nside::from_order(10)?.get(), 1024);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn from_order(order: u32) -> Result<Self> {
        if order > MAX_ORDER {
            return Err(HealpixError::OrderTooLarge { order });
        }
        Ok(Nside(1 << order))
    }

    /// The nside of a map with `npix` pixels (healpy's `npix2nside`).
    ///
    /// # Errors
    /// [`HealpixError::InvalidNpix`] when `npix` is not `12 * nside^2`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tessera_healpix::Nside::from_npix(3072)?.get(), 16);
    /// assert!(tessera_healpix::Nside::from_npix(3000).is_err());
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn from_npix(npix: u64) -> Result<Self> {
        let invalid = HealpixError::InvalidNpix { npix };
        if npix == 0 || !npix.is_multiple_of(12) {
            return Err(invalid);
        }
        let nside = crate::bits::isqrt((npix / 12) as i64) as u64;
        if 12 * nside * nside != npix {
            return Err(invalid);
        }
        Nside::new(nside).map_err(|_| invalid)
    }

    /// The nside as an integer.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The order (depth) `log2(nside)` when nside is a power of two, else `None`.
    pub const fn order(self) -> Option<u32> {
        if self.0.is_power_of_two() {
            Some(self.0.trailing_zeros())
        } else {
            None
        }
    }

    /// Whether the NESTED scheme can use this nside (a power of two).
    pub const fn supports_nested(self) -> bool {
        self.0.is_power_of_two()
    }

    /// The number of pixels, `12 * nside^2` (healpy's `nside2npix`).
    pub const fn npix(self) -> u64 {
        12 * self.0 * self.0
    }

    /// The area of one pixel in steradians (healpy's `nside2pixarea`).
    ///
    /// # Example
    /// ```
    /// let a = tessera_healpix::Nside::new(1)?.pixarea();
    /// assert!((a - std::f64::consts::PI / 3.0).abs() < 1e-15);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn pixarea(self) -> f64 {
        4.0 * PI / self.npix() as f64
    }

    /// The area of one pixel in square degrees (healpy's `nside2pixarea(degrees=True)`).
    pub fn pixarea_deg2(self) -> f64 {
        let deg = 180.0 / PI;
        self.pixarea() * deg * deg
    }

    /// The approximate pixel size, `sqrt(pixarea)`, in radians (healpy's `nside2resol`).
    ///
    /// # Example
    /// ```
    /// let r = tessera_healpix::Nside::new(1024)?.resol_arcmin();
    /// assert!((r - 3.435).abs() < 1e-3);
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn resol(self) -> f64 {
        self.pixarea().sqrt()
    }

    /// The approximate pixel size in arcminutes (healpy's `nside2resol(arcmin=True)`).
    pub fn resol_arcmin(self) -> f64 {
        self.resol() * (180.0 * 60.0 / PI)
    }
}

impl fmt::Display for Nside {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u64> for Nside {
    type Error = HealpixError;
    fn try_from(n: u64) -> Result<Self> {
        Nside::new(n)
    }
}

/// healpy's `nside2npix`: the number of pixels of a map at `nside`.
///
/// # Errors
/// As [`Nside::new`].
///
/// # Example
/// ```
/// assert_eq!(tessera_healpix::nside2npix(16)?, 3072);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
pub fn nside2npix(nside: u64) -> Result<u64> {
    Ok(Nside::new(nside)?.npix())
}

/// healpy's `npix2nside`: the nside of a map with `npix` pixels.
///
/// # Errors
/// [`HealpixError::InvalidNpix`] when `npix` is not `12 * nside^2`.
///
/// # Example
/// ```
/// assert_eq!(tessera_healpix::npix2nside(49_152)?, 64);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
pub fn npix2nside(npix: u64) -> Result<u64> {
    Ok(Nside::from_npix(npix)?.get())
}

/// healpy's `nside2order`: `log2(nside)` for a power of two.
///
/// # Errors
/// As [`Nside::new`], and [`HealpixError::NsideNotPowerOfTwo`].
///
/// # Example
/// ```
/// assert_eq!(tessera_healpix::nside2order(1024)?, 10);
/// assert!(tessera_healpix::nside2order(1000).is_err());
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
pub fn nside2order(nside: u64) -> Result<u32> {
    Nside::new(nside)?
        .order()
        .ok_or(HealpixError::NsideNotPowerOfTwo { nside })
}

/// healpy's `nside2resol`: the approximate pixel size in radians.
///
/// # Errors
/// As [`Nside::new`].
///
/// # Example
/// ```
/// let r = tessera_healpix::nside2resol(1)?;
/// assert!((r - 1.0233267079464885).abs() < 1e-15);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
pub fn nside2resol(nside: u64) -> Result<f64> {
    Ok(Nside::new(nside)?.resol())
}

/// healpy's `nside2pixarea`: the area of one pixel in steradians.
///
/// # Errors
/// As [`Nside::new`].
///
/// # Example
/// ```
/// let a = tessera_healpix::nside2pixarea(2)?;
/// assert!((a - std::f64::consts::PI / 12.0).abs() < 1e-15);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
pub fn nside2pixarea(nside: u64) -> Result<f64> {
    Ok(Nside::new(nside)?.pixarea())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npix_round_trips_for_every_small_nside() {
        for n in 1..=300 {
            let nside = Nside::new(n).unwrap();
            assert_eq!(Nside::from_npix(nside.npix()).unwrap(), nside);
            assert!(Nside::from_npix(nside.npix() + 12).is_err() || n == 0);
        }
        assert_eq!(
            Nside::from_npix(12 * MAX_NSIDE * MAX_NSIDE).unwrap().get(),
            MAX_NSIDE
        );
    }

    #[test]
    fn rejects_out_of_range() {
        assert_eq!(Nside::new(0), Err(HealpixError::NsideZero));
        assert!(matches!(
            Nside::new(MAX_NSIDE + 1),
            Err(HealpixError::NsideTooLarge { .. })
        ));
        assert!(Nside::from_order(30).is_err());
        assert_eq!(Nside::from_order(29).unwrap().get(), MAX_NSIDE);
    }
}
