//! The error type of tessera-healpix.

/// Everything that can go wrong when HEALPix geometry is asked something invalid.
///
/// Each variant carries the offending value so that a message can name it; the CLI prints the
/// `Display` form unchanged.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum HealpixError {
    /// `nside` was 0.
    #[error("invalid nside 0: nside must be at least 1")]
    NsideZero,
    /// `nside` was above the largest resolution HEALPix supports with 64-bit indices.
    #[error("invalid nside {nside}: the largest supported nside is 2^29 = 536870912")]
    NsideTooLarge {
        /// The nside that was asked for.
        nside: u64,
    },
    /// The NESTED scheme was asked for with an nside that is not a power of two.
    #[error(
        "nside {nside} is not a power of two, which the NESTED scheme requires \
         (RING accepts any nside >= 1)"
    )]
    NsideNotPowerOfTwo {
        /// The nside that was asked for.
        nside: u64,
    },
    /// A HEALPix order (depth) above 29.
    #[error("invalid order {order}: orders run from 0 to 29")]
    OrderTooLarge {
        /// The order that was asked for.
        order: u32,
    },
    /// A polygon `query_polygon` cannot take.
    #[error("query_polygon: {detail}")]
    Polygon {
        /// What is wrong with it.
        detail: String,
    },
    /// A ring index outside `1 ..= 4 nside − 1`.
    #[error("ring {ring} does not exist: rings run from 1 to {rings}")]
    RingOutOfRange {
        /// The ring asked for.
        ring: u64,
        /// The number of rings, `4 nside − 1`.
        rings: u64,
    },
    /// A coordinate system name that is not G, E or C.
    #[error(
        "unknown coordinate system {name:?}: expected G (galactic), E (ecliptic) or C (equatorial)"
    )]
    UnknownCoordSys {
        /// The name given.
        name: String,
    },
    /// A pixel count that is not 12·nside² for a valid nside.
    #[error("{npix} is not a valid number of HEALPix pixels (12 * nside^2 for nside >= 1)")]
    InvalidNpix {
        /// The pixel count that was given.
        npix: u64,
    },
    /// A pixel index outside `0..npix`.
    #[error("pixel {pix} is out of range for nside {nside} (valid pixels: 0..{npix})")]
    PixelOutOfRange {
        /// The pixel index that was given.
        pix: u64,
        /// The resolution it was checked against.
        nside: u64,
        /// The number of pixels at that resolution.
        npix: u64,
    },
    /// A colatitude outside `[0, π]`.
    #[error("theta = {theta} is outside [0, pi]: theta is the colatitude in radians")]
    ThetaOutOfRange {
        /// The colatitude that was given.
        theta: f64,
    },
    /// A latitude outside `[-90°, 90°]`.
    #[error("latitude {lat} is outside [-90, 90] degrees")]
    LatitudeOutOfRange {
        /// The latitude that was given, in degrees.
        lat: f64,
    },
    /// A NaN or infinite coordinate.
    #[error("{what} is not a finite number (got {value})")]
    NonFinite {
        /// Which quantity it was (`"theta"`, `"phi"`, `"x"`, …).
        what: &'static str,
        /// The value that was given.
        value: f64,
    },
    /// The zero vector has no direction on the sphere.
    #[error("the zero vector has no direction on the sphere")]
    ZeroVector,
    /// A disc radius that is negative or not finite.
    #[error("disc radius {radius} is invalid: it must be a finite angle >= 0 in radians")]
    InvalidRadius {
        /// The radius that was given.
        radius: f64,
    },
    /// An oversampling factor for inclusive queries that is not usable at this resolution.
    #[error(
        "oversampling factor {fact} is invalid for nside {nside}: it must be >= 1, \
         a power of two in the NESTED scheme, and fact * nside must not exceed 2^29"
    )]
    InvalidOversampling {
        /// The factor that was given.
        fact: u32,
        /// The resolution of the query.
        nside: u64,
    },
    /// A boundary step of 0.
    #[error("boundary step must be at least 1")]
    InvalidStep,
    /// Two slices that must have the same length did not.
    #[error("length mismatch: {what} has {got} elements, expected {expected}")]
    LengthMismatch {
        /// Which slice was wrong.
        what: &'static str,
        /// Its expected length.
        expected: usize,
        /// Its actual length.
        got: usize,
    },
    /// A whole-map table was asked for in an integer type too small for its pixel indices.
    #[error("a table of {npix} pixels needs 64-bit indices: i32 holds pixel indices below 2^31")]
    IndexTypeTooSmall {
        /// The number of pixels of the map.
        npix: u64,
    },
    /// Up/down-grading between two resolutions that are not related by a power of two.
    #[error(
        "cannot map nside {from} to nside {to}: both must be powers of two (and parent \
         pixels must be coarser than their children)"
    )]
    IncompatibleResolutions {
        /// The nside mapped from.
        from: u64,
        /// The nside mapped to.
        to: u64,
    },
}

/// `Result` with [`HealpixError`] as the default error.
pub type Result<T, E = HealpixError> = std::result::Result<T, E>;
