//! healpy-compatible FITS I/O of HEALPix maps (binary tables, as healpy and HEALPix write them).

mod fast;
mod fast_write;
mod harmonics;
mod header;
mod read;
mod write;

pub use harmonics::{read_alm, read_cl, write_alm, write_cl};
pub use header::{FitsHeader, HeaderCard, read_header};
pub use read::{FieldSelection, ReadOptions, read_map};
pub use write::{Dtype, WriteOptions, write_map};

/// A cfitsio failure on `path`, as a [`SkyError::Fits`] naming the file.
fn fits_error(path: &std::path::Path, e: fitsio::errors::Error) -> crate::SkyError {
    crate::SkyError::Fits {
        path: path.to_path_buf(),
        message: describe(&e),
    }
}

/// cfitsio's own words for a failure, with its status code last (not `FitsError { status: … }`).
fn describe(e: &fitsio::errors::Error) -> String {
    match e {
        fitsio::errors::Error::Fits(f) => {
            let hint = match f.status {
                107 => " (past the last HDU, or a truncated file)",
                108 => " (a read failed: truncated or damaged file?)",
                252 | 253 => " (not a FITS file?)",
                _ => "",
            };
            format!("{}{hint} [cfitsio status {}]", f.message, f.status)
        }
        other => other.to_string(),
    }
}

/// The value of a header keyword.
pub(crate) enum KeyValue {
    /// A character string.
    Str(String),
    /// An integer.
    Int(i64),
}

/// The HEALPix keywords healpy writes after the column definitions, in healpy's order, with its
/// comments. `EXTNAME` is among them; writers that set it themselves skip it.
pub(crate) fn healpix_keys(
    map: &crate::SkyMap,
    partial: bool,
) -> Vec<(&'static str, KeyValue, &'static str)> {
    use KeyValue::{Int, Str};
    let (indxschm, object) = if partial {
        ("EXPLICIT", "PARTIAL")
    } else {
        ("IMPLICIT", "FULLSKY")
    };
    let mut keys = vec![
        ("PIXTYPE", Str("HEALPIX".into()), "HEALPIX pixelisation"),
        (
            "ORDERING",
            Str(map.scheme().fits_ordering().into()),
            "Pixel ordering scheme, either RING or NESTED",
        ),
    ];
    if let Some(coord) = &map.coord {
        keys.push((
            "COORDSYS",
            Str(coord.clone()),
            "Ecliptic, Galactic or Celestial (equatorial)",
        ));
    }
    keys.extend([
        (
            "EXTNAME",
            Str("xtension".into()),
            "name of this binary table extension",
        ),
        (
            "NSIDE",
            Int(map.nside() as i64),
            "Resolution parameter of HEALPIX",
        ),
        ("FIRSTPIX", Int(0), "First pixel # (0 based)"),
        (
            "LASTPIX",
            Int(map.geometry.npix() as i64 - 1),
            "Last pixel # (0 based)",
        ),
        (
            "INDXSCHM",
            Str(indxschm.into()),
            "Indexing: IMPLICIT or EXPLICIT",
        ),
        (
            "OBJECT",
            Str(object.into()),
            "Sky coverage, either FULLSKY or PARTIAL",
        ),
    ]);
    keys
}

/// Column names that stand for the same Stokes field in the files of healpy, HEALPix Fortran,
/// Planck and WMAP: asking for `T` finds `TEMPERATURE`, `I_STOKES` or `I`, and so on.
const ALIASES: [&[&str]; 3] = [
    &["T", "I", "TEMPERATURE", "I_STOKES", "INTENSITY", "TEMP"],
    &[
        "Q",
        "Q_POLARISATION",
        "Q-POLARISATION",
        "Q_STOKES",
        "Q_POLARIZATION",
        "Q_POL",
    ],
    &[
        "U",
        "U_POLARISATION",
        "U-POLARISATION",
        "U_STOKES",
        "U_POLARIZATION",
        "U_POL",
    ],
];

/// The index of the column called `wanted` among `names`: an exact match (case-insensitive)
/// first, then a match through [`ALIASES`].
pub(crate) fn find_field<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    wanted: &str,
) -> Option<usize> {
    let wanted = wanted.trim().to_ascii_uppercase();
    if let Some(i) = names
        .clone()
        .position(|n| n.trim().eq_ignore_ascii_case(&wanted))
    {
        return Some(i);
    }
    let group = ALIASES.iter().find(|g| g.contains(&wanted.as_str()))?;
    names
        .clone()
        .position(|n| group.contains(&n.trim().to_ascii_uppercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_find_stokes_columns() {
        let names = ["I_STOKES", "Q_STOKES", "U_STOKES"];
        assert_eq!(find_field(names.iter().copied(), "temperature"), Some(0));
        assert_eq!(find_field(names.iter().copied(), "Q-POLARISATION"), Some(1));
        assert_eq!(find_field(names.iter().copied(), "u"), Some(2));
        assert_eq!(find_field(names.iter().copied(), "B"), None);
    }
}
