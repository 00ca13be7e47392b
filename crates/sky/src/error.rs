//! The error type of tessera-sky.

use std::path::PathBuf;

use tessera_healpix::HealpixError;

/// Everything that can go wrong reading, writing or transforming a sky map. File errors name
/// the file; the CLI prints the `Display` form unchanged.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum SkyError {
    /// The operating system refused a file operation.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// cfitsio could not parse or write the file.
    #[error("{path}: not a readable FITS file: {message}")]
    Fits {
        /// The file.
        path: PathBuf,
        /// cfitsio's message.
        message: String,
    },
    /// The file is FITS but holds no HEALPix map where one was looked for.
    #[error("{path}: HDU {hdu} is not a HEALPix map: {reason}")]
    NotHealpix {
        /// The file.
        path: PathBuf,
        /// The HDU index (0 = primary).
        hdu: usize,
        /// What is missing or wrong.
        reason: String,
    },
    /// A header keyword has a value the reader cannot use.
    #[error("{path}: keyword {keyword} = {value:?} is invalid: expected {expected}")]
    BadKeyword {
        /// The file.
        path: PathBuf,
        /// The keyword.
        keyword: &'static str,
        /// Its value as found.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// NSIDE and the number of pixels in the file disagree.
    #[error("{path}: NSIDE = {nside} implies {expected} pixels but the table holds {found}")]
    NsideMismatch {
        /// The file.
        path: PathBuf,
        /// The NSIDE keyword.
        nside: u64,
        /// `12 nside^2`.
        expected: u64,
        /// Pixels actually stored.
        found: u64,
    },
    /// A field asked for is not in the file.
    #[error("{path}: no field {field} (available: {available})")]
    NoSuchField {
        /// The file.
        path: PathBuf,
        /// The field asked for.
        field: String,
        /// The fields the file has.
        available: String,
    },
    /// A column cannot hold map values (text, for instance).
    #[error("{path}: column {column} holds {kind}, not numbers")]
    NonNumericColumn {
        /// The file.
        path: PathBuf,
        /// The column name.
        column: String,
        /// What it holds.
        kind: String,
    },
    /// An explicit (partial) map lists a pixel outside the map.
    #[error("{path}: PIXEL column lists pixel {pixel}, but the map has only {npix} pixels")]
    PixelOutOfRange {
        /// The file.
        path: PathBuf,
        /// The offending pixel index.
        pixel: i64,
        /// The number of pixels of the map.
        npix: u64,
    },
    /// The output exists and overwriting was not asked for.
    #[error("{path}: already exists (pass --overwrite, or WriteOptions::overwrite, to replace it)")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A multipole range a map at this nside cannot carry.
    #[error(
        "{what}: lmax {lmax} is above 4 nside = {}; use at most 3 nside - 1 = {}",
        4 * nside,
        (3 * nside).saturating_sub(1)
    )]
    LmaxTooLarge {
        /// What was asked for.
        what: &'static str,
        /// The multipole asked for.
        lmax: usize,
        /// The maps' nside.
        nside: u64,
    },
    /// Two maps (or a map and a plan or mask) that must share an nside do not.
    #[error("{what}: nside {left} and nside {right} differ")]
    NsideDiffers {
        /// What was being combined.
        what: &'static str,
        /// The first one's nside.
        left: u64,
        /// The second one's nside.
        right: u64,
    },
    /// Maps or fields that must match do not.
    #[error("{what}: {detail}")]
    Mismatch {
        /// What was being combined.
        what: &'static str,
        /// How they differ.
        detail: String,
    },
    /// The input would need memory out of proportion to the file (a declared size that the
    /// bytes present do not back, or a partial map too large to expand to the full sky).
    #[error("{path}: {detail}")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// What was declared and what it would take.
        detail: String,
    },
    /// Invalid pixel geometry (nside, scheme, resolution change).
    #[error(transparent)]
    Healpix(#[from] HealpixError),
}

/// `Result` with [`SkyError`] as the default error.
pub type Result<T, E = SkyError> = std::result::Result<T, E>;
