//! The two HEALPix pixel numbering schemes.

use std::fmt;
use std::str::FromStr;

/// The pixel numbering scheme (healpy's `nest=False` / `nest=True`, FITS `ORDERING`).
///
/// * `Ring`: pixels numbered along iso-latitude rings from the north pole; any nside ≥ 1. This is
///   the scheme spherical harmonic transforms work in and the usual one in FITS files.
/// * `Nested`: pixels numbered hierarchically inside the 12 base faces; nside must be a power of
///   two. The four children of pixel `p` are `4p..4p+4`, so pooling is a reshape.
///
/// # Example
/// ```
/// use tessera_healpix::Scheme;
/// assert_eq!("nested".parse::<Scheme>().unwrap(), Scheme::Nested);
/// assert_eq!(Scheme::Ring.fits_ordering(), "RING");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// Iso-latitude ring numbering (healpy's default).
    #[default]
    Ring,
    /// Hierarchical (quad-tree) numbering.
    Nested,
}

impl Scheme {
    /// The value of the FITS `ORDERING` keyword for this scheme: `"RING"` or `"NESTED"`.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tessera_healpix::Scheme::Nested.fits_ordering(), "NESTED");
    /// ```
    pub fn fits_ordering(self) -> &'static str {
        match self {
            Scheme::Ring => "RING",
            Scheme::Nested => "NESTED",
        }
    }

    /// True for [`Scheme::Nested`] (healpy's `nest` flag).
    ///
    /// # Example
    /// ```
    /// assert!(!tessera_healpix::Scheme::Ring.is_nested());
    /// ```
    pub fn is_nested(self) -> bool {
        self == Scheme::Nested
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.fits_ordering())
    }
}

/// The error of parsing a [`Scheme`] from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown HEALPix scheme {0:?}: expected RING or NESTED (also NEST)")]
pub struct ParseSchemeError(pub String);

impl FromStr for Scheme {
    type Err = ParseSchemeError;

    /// Parses `ring` or `nested`/`nest`, case-insensitively, as FITS `ORDERING` values appear.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "RING" => Ok(Scheme::Ring),
            "NESTED" | "NEST" => Ok(Scheme::Nested),
            _ => Err(ParseSchemeError(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fits_spellings() {
        assert_eq!(" Ring ".parse::<Scheme>().unwrap(), Scheme::Ring);
        assert_eq!("NEST".parse::<Scheme>().unwrap(), Scheme::Nested);
        assert!("galactic".parse::<Scheme>().is_err());
        assert_eq!(Scheme::Nested.to_string(), "NESTED");
    }
}
