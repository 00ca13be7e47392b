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
    /// A value outside the range it may take: a cut or threshold, a tolerance, a width, an
    /// nside a table covers, a parameter outside an embedded grid.
    #[error("{what}: {value} is outside {allowed}")]
    OutOfRange {
        /// What the value is.
        what: &'static str,
        /// The value given.
        value: f64,
        /// The values it may take.
        allowed: String,
    },
    /// A per-pixel array (a mask, a field, a map handed to a transform) whose length is not the
    /// map's pixel count.
    #[error("{what}: {found} values, nside {nside} needs {needed}")]
    PixelCount {
        /// What the array is.
        what: &'static str,
        /// Values given.
        found: usize,
        /// The map's nside.
        nside: u64,
        /// `12 nside²`.
        needed: usize,
    },
    /// A pixel handed to a transform is NaN or infinite.
    #[error("pixel {pixel} is {value}; replace it with UNSEEN or mask it before the transform")]
    NotFinitePixel {
        /// The pixel index.
        pixel: usize,
        /// Its value.
        value: f64,
    },
    /// An error in one named field of a map.
    #[error("field {field}: {source}")]
    InField {
        /// The field's name.
        field: String,
        /// What went wrong with it.
        #[source]
        source: Box<SkyError>,
    },
    /// `a_lm` whose `lmax`/`mmax` are not the ones needed (another set's, a plan's, or
    /// `mmax = lmax` for a rotation).
    #[error(
        "{what}: lmax/mmax {}/{} given where {}/{} is needed",
        found.0,
        found.1,
        needed.0,
        needed.1
    )]
    AlmShape {
        /// What was being done.
        what: &'static str,
        /// `(lmax, mmax)` given.
        found: (usize, usize),
        /// `(lmax, mmax)` needed.
        needed: (usize, usize),
    },
    /// `mmax` above `lmax`.
    #[error("alm: mmax {mmax} exceeds lmax {lmax}")]
    MmaxAboveLmax {
        /// The degree limit.
        lmax: usize,
        /// The order limit.
        mmax: usize,
    },
    /// A coefficient vector whose length is not the one `lmax` and `mmax` give.
    #[error("alm: {found} coefficients given, lmax {lmax} and mmax {mmax} need {needed}")]
    AlmCount {
        /// Coefficients given.
        found: usize,
        /// The degree limit.
        lmax: usize,
        /// The order limit.
        mmax: usize,
        /// Coefficients needed.
        needed: usize,
    },
    /// A coefficient vector whose length is `(lmax+1)(lmax+2)/2` for no `lmax`.
    #[error("alm: {coefficients} coefficients is not (lmax+1)(lmax+2)/2 for any lmax")]
    NotTriangular {
        /// Coefficients given.
        coefficients: usize,
    },
    /// A coefficient is NaN or infinite.
    #[error("alm: coefficient {index} is not finite")]
    NotFiniteCoefficient {
        /// Its index in healpy's order.
        index: usize,
    },
    /// An `m = 0` coefficient with an imaginary part, which a real map cannot have.
    #[error("alm: a_{l},0 has an imaginary part; m = 0 coefficients of a real map are real")]
    ImaginaryM0 {
        /// Its degree.
        l: usize,
    },
    /// Neither one nor three sets (of coefficients, spectra or beam windows) where 1 (T) or
    /// 3 (T, E, B) are needed.
    #[error("{what}: needs 1 (T) or 3 (T, E, B) sets, got {found}")]
    SetCount {
        /// What was given.
        what: &'static str,
        /// Sets given.
        found: usize,
    },
    /// A spectrum, beam window or coupling matrix that ends before `lmax`.
    #[error("{what}: {values} values (l = 0, 1, …), lmax {lmax} needs {}", lmax + 1)]
    SpectrumTooShort {
        /// What it is.
        what: &'static str,
        /// Values given.
        values: usize,
        /// The multipole it must reach.
        lmax: usize,
    },
    /// Input spectra that are not a covariance at some multipole.
    #[error("input spectra at l = {l}: TT {tt}, EE {ee}, BB {bb}, TE {te} is not a covariance")]
    NotACovariance {
        /// The multipole.
        l: usize,
        /// `C_l^TT`.
        tt: f64,
        /// `C_l^EE`.
        ee: f64,
        /// `C_l^BB`.
        bb: f64,
        /// `C_l^TE`.
        te: f64,
    },
    /// A likelihood model spectrum (signal plus noise) that is not positive.
    #[error("likelihood: model C_l + N_l = {value} at l = {l} is not positive")]
    ModelNotPositive {
        /// The multipole.
        l: usize,
        /// The model's value there.
        value: f64,
    },
    /// A parameter range with nothing in it.
    #[error("{what}: parameter range [{lo}, {hi}] is empty")]
    EmptyRange {
        /// What it is for.
        what: &'static str,
        /// Its lower end.
        lo: f64,
        /// Its upper end.
        hi: f64,
    },
    /// A likelihood multipole range outside what the maps' coefficients hold.
    #[error("likelihood estimate: multipole range {lmin}..={lmax} is not inside 0..={max}")]
    MultipoleRange {
        /// Lowest multipole asked for.
        lmin: usize,
        /// Highest multipole asked for.
        lmax: usize,
        /// `3 nside − 1`.
        max: usize,
    },
    /// A likelihood estimate asked of simulations whose spectra have no free parameter.
    #[error("likelihood estimate: fixed spectra have no parameter to estimate")]
    NoParameter,
    /// A map without the fields a spectrum needs.
    #[error("likelihood estimate: no {spectrum} spectrum (it needs T, Q, U fields)")]
    NoSpectrum {
        /// The spectrum (`EE`, `BB`, …).
        spectrum: &'static str,
    },
    /// A field index the map does not have.
    #[error("field #{field} does not exist (the map has {fields})")]
    NoFieldIndex {
        /// The index asked for.
        field: usize,
        /// Fields the map has.
        fields: usize,
    },
    /// No pixel is seen where a statistic or fit needs some.
    #[error("{what}: no seen pixel at |latitude| >= {gal_cut} degrees")]
    NoSeenPixel {
        /// What was being computed.
        what: &'static str,
        /// The galactic cut applied (0 for none).
        gal_cut: f64,
    },
    /// The seen pixels do not constrain a dipole (fewer than 4, or all in a plane).
    #[error("fit_dipole: the pixels kept do not constrain a dipole")]
    DipoleUnconstrained,
    /// A spin transform asked for spin 0.
    #[error("spin transform: spin 0 is the scalar transform (map2alm, alm2map)")]
    SpinZero,
    /// A spin above `lmax`, for which every coefficient is 0.
    #[error("spin transform: spin {spin} above lmax {lmax}: every coefficient would be 0")]
    SpinAboveLmax {
        /// The spin.
        spin: usize,
        /// The degree limit.
        lmax: usize,
    },
    /// A temperature spectrum asked of a map whose first field is Q or U.
    #[error(
        "power spectrum: the first field is {first}, a polarisation field, and the map has no \
         temperature; give a T, Q, U map for EE and BB"
    )]
    PolarisationFirst {
        /// The first field's name.
        first: String,
    },
    /// A map without fields.
    #[error("sky map: no fields")]
    NoFields,
    /// A transform given no coefficient sets.
    #[error("alm2map: no coefficients given")]
    NoCoefficients,
    /// A mask spectrum that is empty or not finite.
    #[error("coupling matrix: the mask spectrum is empty or not finite")]
    BadMaskSpectrum,
    /// A spectrum plot with nothing positive to draw on its log axis.
    #[error("spectrum plot: no auto-spectrum has a positive value at l >= 2")]
    NothingToPlot,
    /// Fewer rings than the quadrature conditions asked of them.
    #[error("ring weights: lmax {lmax} asks {conditions} conditions of {rings} rings")]
    TooFewRings {
        /// The degree limit.
        lmax: usize,
        /// Conditions (`lmax / 2 + 1`).
        conditions: usize,
        /// Ring pairs available.
        rings: usize,
    },
    /// Ring-weight conditions that are not independent (the Gram matrix is singular).
    #[error(
        "ring weights: the conditions for lmax {lmax} at nside {nside} are not independent \
         (pivot {pivot})"
    )]
    DependentRingConditions {
        /// The degree limit.
        lmax: usize,
        /// The resolution.
        nside: u64,
        /// The Cholesky pivot that failed.
        pivot: usize,
    },
    /// A column of a partial (explicit) map whose length is not the PIXEL column's.
    #[error("{path}: partial map column {column} has {found} values for {pixels} pixels")]
    ColumnLength {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// Values in it.
        found: usize,
        /// Entries of the PIXEL column.
        pixels: usize,
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
