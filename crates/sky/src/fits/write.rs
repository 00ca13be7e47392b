//! `write_map`: HEALPix maps to FITS binary tables laid out as healpy writes them.

use std::path::Path;

use fitsio::FitsFile;
use fitsio::tables::{ColumnDataType, ColumnDescription};

use super::fits_error;
use crate::error::{Result, SkyError};
use crate::map::{SkyMap, is_unseen};

/// The floating-point type of the columns written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dtype {
    /// 32-bit floats (`E`), healpy's default.
    #[default]
    F32,
    /// 64-bit floats (`D`).
    F64,
}

/// Options of [`write_map`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Column precision.
    pub dtype: Dtype,
    /// Replace an existing file (healpy's `overwrite=True`); otherwise an existing file is an error.
    pub overwrite: bool,
    /// Write only the pixels seen in the first field, with a `PIXEL` column (healpy's
    /// `partial=True`, `INDXSCHM = 'EXPLICIT'`).
    pub partial: bool,
}

/// Writes a map as healpy's `write_map` does: one binary-table extension `xtension` with a column
/// per field (`1024E` rows for maps of more than 1024 pixels, else one pixel per row), units in
/// `TUNITn`, and the keys PIXTYPE, ORDERING, COORDSYS, NSIDE, FIRSTPIX, LASTPIX, INDXSCHM, OBJECT.
///
/// A name ending in `.gz` gets a gzip-compressed file, as healpy and cfitsio write it.
///
/// The file is written under a temporary name in the target directory and renamed into place
/// only when complete: a failure or a crash never leaves a half-written map, and an existing file
/// is untouched unless the new one is complete.
///
/// # Errors
/// [`SkyError::Exists`] without `overwrite`; [`SkyError::Io`]/[`SkyError::Fits`] naming the file.
///
/// # Example
/// ```
/// use tessera_healpix::Healpix;
/// use tessera_sky::{SkyMap, WriteOptions, read_map, write_map};
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("t.fits");
/// let map = SkyMap::new(Healpix::ring(2)?, vec![("TEMPERATURE", (0..48).map(f64::from).collect())])?;
/// write_map(&path, &map, &WriteOptions::default())?;
/// assert_eq!(read_map(&path, &Default::default())?.fields[0].values, map.fields[0].values);
/// # Ok::<(), tessera_sky::SkyError>(())
/// ```
pub fn write_map(path: impl AsRef<Path>, map: &SkyMap, opts: &WriteOptions) -> Result<()> {
    let path = path.as_ref();
    map.validate()?;
    if path.exists() && !opts.overwrite {
        return Err(SkyError::Exists {
            path: path.to_path_buf(),
        });
    }
    let gzip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    crate::atomic::write_atomically(path, ".fits.partial", |tmp| {
        if !gzip {
            return write_plain(tmp, path, map, opts);
        }
        // Written plain beside the target, then compressed into the temporary file; the plain
        // copy is removed when this returns, whatever happens.
        let io = |source| SkyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let dir = tmp.parent().unwrap_or_else(|| Path::new("."));
        let plain = tempfile::Builder::new()
            .prefix(&format!(
                "{}{}-",
                tessera_io::TEMP_PREFIX,
                std::process::id()
            ))
            .suffix(".fits.partial")
            .tempfile_in(dir)
            .map_err(io)?
            .into_temp_path();
        write_plain(&plain, path, map, opts)?;
        let mut input = std::fs::File::open(&plain).map_err(io)?;
        let output = std::io::BufWriter::new(std::fs::File::create(tmp).map_err(io)?);
        let mut encoder = flate2::write::GzEncoder::new(output, flate2::Compression::default());
        std::io::copy(&mut input, &mut encoder).map_err(io)?;
        use std::io::Write;
        encoder.finish().map_err(io)?.flush().map_err(io)
    })
}

/// Writes `map` uncompressed to `tmp`; errors name `path`, the file the user asked for.
fn write_plain(tmp: &Path, path: &Path, map: &SkyMap, opts: &WriteOptions) -> Result<()> {
    if !opts.partial && super::fast_write::supports(map) {
        super::fast_write::write_full_sky(tmp, map, opts.dtype).map_err(|e| SkyError::Io {
            path: path.to_path_buf(),
            source: e,
        })
    } else {
        write_fits(tmp, map, opts).map_err(|e| match e {
            SkyError::Fits { message, .. } => SkyError::Fits {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }
}

fn write_fits(tmp: &Path, map: &SkyMap, opts: &WriteOptions) -> Result<()> {
    let err = |e| fits_error(tmp, e);
    let mut f = FitsFile::create(tmp).overwrite().open().map_err(err)?;
    let npix = map.geometry.npix();
    let seen: Option<Vec<u64>> = opts.partial.then(|| {
        (0..npix)
            .filter(|&p| !is_unseen(map.fields[0].values[p as usize]))
            .collect()
    });
    let repeat = if seen.is_none() && npix > 1024 {
        1024
    } else {
        1
    };
    let typ = match opts.dtype {
        Dtype::F32 => ColumnDataType::Float,
        Dtype::F64 => ColumnDataType::Double,
    };
    let mut columns = Vec::new();
    if seen.is_some() {
        let pixel_type = if npix > i32::MAX as u64 {
            ColumnDataType::LongLong
        } else {
            ColumnDataType::Int
        };
        columns.push(
            ColumnDescription::new("PIXEL")
                .with_type(pixel_type)
                .create()
                .map_err(err)?,
        );
    }
    for field in &map.fields {
        columns.push(
            ColumnDescription::new(field.name.as_str())
                .with_type(typ)
                .that_repeats(repeat)
                .create()
                .map_err(err)?,
        );
    }
    let hdu = f
        .create_table("xtension".to_string(), &columns)
        .map_err(err)?;
    let offset = usize::from(seen.is_some());
    if let Some(pixels) = &seen {
        let as_i64: Vec<i64> = pixels.iter().map(|&p| p as i64).collect();
        hdu.write_col(&mut f, "PIXEL", &as_i64).map_err(err)?;
    }
    for (k, field) in map.fields.iter().enumerate() {
        let values: Vec<f64> = match &seen {
            Some(pixels) => pixels.iter().map(|&p| field.values[p as usize]).collect(),
            None => field.values.clone(),
        };
        match opts.dtype {
            Dtype::F32 => {
                let v: Vec<f32> = values.iter().map(|&x| x as f32).collect();
                hdu.write_col(&mut f, field.name.as_str(), &v)
                    .map_err(err)?;
            }
            Dtype::F64 => {
                hdu.write_col(&mut f, field.name.as_str(), &values)
                    .map_err(err)?;
            }
        }
        if let Some(unit) = &field.unit {
            hdu.write_key(&mut f, &format!("TUNIT{}", k + 1 + offset), unit.as_str())
                .map_err(err)?;
        }
    }
    for (key, value, comment) in super::healpix_keys(map, seen.is_some()) {
        match value {
            // create_table has written EXTNAME already.
            _ if key == "EXTNAME" => Ok(()),
            super::KeyValue::Str(v) => hdu.write_key(&mut f, key, (v.as_str(), comment)),
            super::KeyValue::Int(v) => hdu.write_key(&mut f, key, (v, comment)),
        }
        .map_err(err)?;
    }
    drop(f);
    Ok(())
}
