//! healpy-compatible FITS I/O of HEALPix maps (binary tables, as healpy and HEALPix write them).

mod fast;
mod fast_write;
mod read;
mod write;

pub use read::{FieldSelection, ReadOptions, read_map};
pub use write::{Dtype, WriteOptions, write_map};

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
