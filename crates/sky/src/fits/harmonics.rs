//! FITS files of spherical harmonic coefficients and power spectra, in HEALPix's conventions.
//!
//! - a_lm: one binary-table HDU per component (T, E, B), columns `INDEX = l² + l + m + 1`,
//!   `REAL`, `IMAG`, keywords `MAX-LPOL`, `MAX-MPOL` (healpy's `write_alm` / `read_alm`).
//! - C_l: one table HDU (binary or ASCII, as the HEALPix Fortran tools write), one column per
//!   spectrum, row `l`; healpy names the columns `TEMPERATURE`, `GRADIENT`, `CURL`, `G-T`, `C-T`,
//!   `C-G`.

use std::path::Path;

use fitsio::FitsFile;
use fitsio::hdu::HduInfo;
use fitsio::tables::{ColumnDataType, ColumnDescription};
use realfft::num_complex::Complex64;

use super::fits_error;
use crate::error::{Result, SkyError};
use crate::sht::{Alm, PowerSpectra, Spectrum};

/// The file opened for cfitsio once its sizes up to HDU `hdu` are checked; keep the second value
/// alive while reading (it may be a decompressed copy).
fn open(path: &Path, hdu: usize) -> Result<(FitsFile, super::header::CheckedFile)> {
    let checked = super::header::checked_file(path, hdu)?;
    let f = FitsFile::open(&checked.path).map_err(|e| fits_error(path, e))?;
    Ok((f, checked))
}

fn table_columns(
    path: &Path,
    f: &mut FitsFile,
    hdu: usize,
) -> Result<(fitsio::hdu::FitsHdu, Vec<String>)> {
    let not_table = |reason: String| SkyError::NotHealpix {
        path: path.to_path_buf(),
        hdu,
        reason,
    };
    let h = f
        .hdu(hdu)
        .map_err(|e| not_table(format!("cannot open this HDU ({})", super::describe(&e))))?;
    let names = match &h.info {
        HduInfo::TableInfo {
            column_descriptions,
            ..
        } => column_descriptions
            .iter()
            .map(|c| c.name.trim().to_string())
            .collect(),
        _ => return Err(not_table("not a table".into())),
    };
    Ok((h, names))
}

/// Reads the a_lm of HDU `hdu` (1 = T, 2 = E, 3 = B in healpy's files). Coefficients absent from
/// the file are zero; `lmax`/`mmax` come from the largest index present (or `MAX-LPOL`,
/// `MAX-MPOL` when larger).
///
/// # Errors
/// A missing or unreadable file, an HDU without `INDEX`/`REAL`/`IMAG` columns, an index that is
/// not `l² + l + m + 1` with `0 ≤ m ≤ l`, or a non-finite value.
pub fn read_alm(path: impl AsRef<Path>, hdu: usize) -> Result<Alm> {
    let path = path.as_ref();
    let (mut f, _checked) = open(path, hdu)?;
    let (h, names) = table_columns(path, &mut f, hdu)?;
    let find = |want: &str| {
        names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(want))
            .cloned()
            .ok_or_else(|| SkyError::NotHealpix {
                path: path.to_path_buf(),
                hdu,
                reason: format!("no {want} column (has {})", names.join(", ")),
            })
    };
    let index: Vec<i64> = h
        .read_col(&mut f, &find("INDEX")?)
        .map_err(|e| fits_error(path, e))?;
    let re: Vec<f64> = h
        .read_col(&mut f, &find("REAL")?)
        .map_err(|e| fits_error(path, e))?;
    let im: Vec<f64> = h
        .read_col(&mut f, &find("IMAG")?)
        .map_err(|e| fits_error(path, e))?;
    let bad = |detail: String| SkyError::NotHealpix {
        path: path.to_path_buf(),
        hdu,
        reason: detail,
    };
    let mut lm = Vec::with_capacity(index.len());
    let (mut lmax, mut mmax) = (0usize, 0usize);
    for &i in &index {
        if i < 1 {
            return Err(bad(format!("INDEX {i} is not l^2 + l + m + 1")));
        }
        let k = (i - 1) as u64;
        let l = (k as f64).sqrt() as u64;
        let l = if (l + 1) * (l + 1) <= k {
            l + 1
        } else if l * l > k {
            l - 1
        } else {
            l
        };
        let m = k as i64 - (l * l + l) as i64;
        if m < 0 {
            return Err(bad(format!("INDEX {i} has m < 0 (l = {l}, m = {m})")));
        }
        lmax = lmax.max(l as usize);
        mmax = mmax.max(m as usize);
        lm.push((l as usize, m as usize));
    }
    let mut key = |k: &str| {
        h.read_key::<i64>(&mut f, k)
            .ok()
            .filter(|&v| v >= 0)
            .map(|v| v as usize)
    };
    lmax = lmax.max(key("MAX-LPOL").unwrap_or(0));
    mmax = mmax.max(key("MAX-MPOL").unwrap_or(0)).min(lmax);
    if re.len() != lm.len() || im.len() != lm.len() {
        return Err(bad(
            "INDEX, REAL and IMAG have different lengths (truncated file?)".into(),
        ));
    }
    // The index and MAX-LPOL declare the size: never allocate far beyond the rows present.
    let declared = (mmax as u128 + 1) * (2 * lmax as u128 + 2 - mmax as u128) / 2;
    if declared > 16 * lm.len() as u128 + 65_536 {
        return Err(SkyError::TooLarge {
            path: path.to_path_buf(),
            detail: format!(
                "HDU {hdu}: lmax {lmax} and mmax {mmax} (from INDEX and MAX-LPOL/MAX-MPOL) \
                 mean {declared} coefficients, but the table has {} rows",
                lm.len()
            ),
        });
    }
    let mut alm = Alm::zeros(lmax, mmax);
    for (((l, m), r), i) in lm.into_iter().zip(re).zip(im) {
        if !(r.is_finite() && i.is_finite()) {
            return Err(bad(format!("a_{l},{m} is not finite")));
        }
        alm.set(l, m, Complex64::new(r, if m == 0 { 0.0 } else { i }));
    }
    Ok(alm)
}

/// Writes a_lm sets (T, or T, E, B) as healpy's `write_alm` does: one HDU each, `INDEX`
/// (int32), `REAL`, `IMAG` (float64), with `MAX-LPOL`/`MAX-MPOL`. Written through a temporary
/// file renamed into place.
///
/// # Errors
/// [`SkyError::Exists`] without `overwrite`; I/O and cfitsio failures naming the file.
pub fn write_alm(path: impl AsRef<Path>, alms: &[Alm], overwrite: bool) -> Result<()> {
    let path = path.as_ref();
    if path.exists() && !overwrite {
        return Err(SkyError::Exists {
            path: path.to_path_buf(),
        });
    }
    crate::atomic::write_atomically(path, ".fits.partial", |tmp| {
        let err = |e| fits_error(path, e);
        let mut f = FitsFile::create(tmp).overwrite().open().map_err(err)?;
        for (k, alm) in alms.iter().enumerate() {
            let columns = [
                ("INDEX", ColumnDataType::Int),
                ("REAL", ColumnDataType::Double),
                ("IMAG", ColumnDataType::Double),
            ]
            .iter()
            .map(|(n, t)| ColumnDescription::new(*n).with_type(*t).create())
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
            let hdu = f
                .create_table(format!("ALM{}", k + 1), &columns)
                .map_err(err)?;
            let mut index = Vec::with_capacity(alm.len());
            let (mut re, mut im) = (Vec::with_capacity(alm.len()), Vec::with_capacity(alm.len()));
            for m in 0..=alm.mmax() {
                for (l, a) in (m..=alm.lmax()).zip(alm.column(m)) {
                    index.push((l * l + l + m + 1) as i32);
                    re.push(a.re);
                    im.push(a.im);
                }
            }
            hdu.write_col(&mut f, "INDEX", &index).map_err(err)?;
            hdu.write_col(&mut f, "REAL", &re).map_err(err)?;
            hdu.write_col(&mut f, "IMAG", &im).map_err(err)?;
            hdu.write_key(&mut f, "MAX-LPOL", alm.lmax() as i64)
                .map_err(err)?;
            hdu.write_key(&mut f, "MAX-MPOL", alm.mmax() as i64)
                .map_err(err)?;
        }
        Ok(())
    })
}

/// HEALPix's column names for TT, EE, BB, TE, TB, EB.
const CL_COLUMNS: [(Spectrum, &str); 6] = [
    (Spectrum::TT, "TEMPERATURE"),
    (Spectrum::EE, "GRADIENT"),
    (Spectrum::BB, "CURL"),
    (Spectrum::TE, "G-T"),
    (Spectrum::TB, "C-T"),
    (Spectrum::EB, "C-G"),
];

/// Reads the C_l columns of the first table HDU (binary or ASCII), by column order, as
/// `(name, values)`; row `i` is `l = i`. Files name columns variously (`TEMPERATURE`, `TT`,
/// `GRADIENT`, `TG`, …); the names are returned as found.
///
/// # Errors
/// A missing or unreadable file, no table in HDU 1, or a column that is not numeric.
pub fn read_cl(path: impl AsRef<Path>) -> Result<Vec<(String, Vec<f64>)>> {
    let path = path.as_ref();
    let (mut f, _checked) = open(path, 1)?;
    let (h, names) = table_columns(path, &mut f, 1)?;
    let mut out: Vec<(String, Vec<f64>)> = Vec::with_capacity(names.len());
    for name in names {
        if out.iter().any(|(n, _)| *n == name) {
            return Err(SkyError::NotHealpix {
                path: path.to_path_buf(),
                hdu: 1,
                reason: format!("column name {name} repeats; cannot tell the columns apart"),
            });
        }
        let values: Vec<f64> = h.read_col(&mut f, &name).map_err(|e| fits_error(path, e))?;
        out.push((name, values));
    }
    Ok(out)
}

/// Writes power spectra as healpy's `write_cl` does (binary table, float64, HEALPix column names
/// and order TT, EE, BB, TE, TB, EB), through a temporary file renamed into place.
///
/// # Errors
/// [`SkyError::Exists`] without `overwrite`; I/O and cfitsio failures naming the file.
pub fn write_cl(path: impl AsRef<Path>, cls: &PowerSpectra, overwrite: bool) -> Result<()> {
    let path = path.as_ref();
    if path.exists() && !overwrite {
        return Err(SkyError::Exists {
            path: path.to_path_buf(),
        });
    }
    crate::atomic::write_atomically(path, ".fits.partial", |tmp| {
        let err = |e| fits_error(path, e);
        let mut f = FitsFile::create(tmp).overwrite().open().map_err(err)?;
        let present: Vec<(&str, &[f64])> = CL_COLUMNS
            .iter()
            .filter_map(|(s, name)| cls.get(*s).map(|v| (*name, v)))
            .collect();
        let columns = present
            .iter()
            .map(|(n, _)| {
                ColumnDescription::new(*n)
                    .with_type(ColumnDataType::Double)
                    .create()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(err)?;
        let hdu = f.create_table("CL".to_string(), &columns).map_err(err)?;
        for (name, values) in &present {
            hdu.write_col(&mut f, *name, values).map_err(err)?;
        }
        hdu.write_key(&mut f, "CREATOR", "tessera").map_err(err)?;
        hdu.write_key(&mut f, "MAX-LPOL", cls.lmax() as i64)
            .map_err(err)?;
        hdu.write_key(&mut f, "POLAR", if present.len() > 1 { "T" } else { "F" })
            .map_err(err)?;
        Ok(())
    })
}
