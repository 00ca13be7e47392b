//! `read_map`: HEALPix maps from FITS binary tables, in every layout healpy reads.

use std::path::Path;

use fitsio::FitsFile;
use fitsio::hdu::{FitsHdu, HduInfo};
use fitsio::tables::{ColumnDataType, ConcreteColumnDescription};
use tessera_healpix::{Healpix, Nside, Scheme};

use super::fits_error;
use crate::error::{Result, SkyError};
use crate::map::{Field, SkyMap, UNSEEN};

/// Which fields (columns) to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FieldSelection {
    /// Every numeric column (except the `PIXEL` index of partial maps).
    #[default]
    All,
    /// Columns by position among the data columns, 0-based (healpy's `field=(0, 1, 2)`).
    Indices(Vec<usize>),
    /// Columns by name, case-insensitive, with Stokes aliases (`T`, `Q`, `U`, `I_STOKES`,
    /// `Q-POLARISATION`, …).
    Names(Vec<String>),
}

/// Options of [`read_map`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// The fields to read.
    pub fields: FieldSelection,
    /// The HDU holding the map (1 = the first extension, as healpy's `hdu=1`).
    pub hdu: usize,
    /// Convert to this scheme after reading (`None`: keep the file's).
    pub scheme: Option<Scheme>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            fields: FieldSelection::All,
            hdu: 1,
            scheme: None,
        }
    }
}

/// Everything the reader learned from one HDU's header.
struct Layout {
    scheme: Scheme,
    nside: Option<u64>,
    explicit: bool,
    coord: Option<String>,
    rows: usize,
    columns: Vec<ConcreteColumnDescription>,
}

fn read_string_key(f: &mut FitsFile, hdu: &FitsHdu, key: &str) -> Option<String> {
    hdu.read_key::<String>(f, key)
        .ok()
        .map(|s| s.trim().to_string())
}

fn read_layout(path: &Path, f: &mut FitsFile, hdu: &FitsHdu, index: usize) -> Result<Layout> {
    let not_healpix = |reason: String| SkyError::NotHealpix {
        path: path.to_path_buf(),
        hdu: index,
        reason,
    };
    let (rows, columns) = match &hdu.info {
        HduInfo::TableInfo {
            column_descriptions,
            num_rows,
        } => (*num_rows, column_descriptions.clone()),
        HduInfo::ImageInfo { .. } => {
            return Err(not_healpix("it is an image, not a binary table".into()));
        }
        _ => return Err(not_healpix("unsupported HDU type".into())),
    };
    if let Some(pixtype) = read_string_key(f, hdu, "PIXTYPE")
        && !pixtype.eq_ignore_ascii_case("HEALPIX")
    {
        return Err(not_healpix(format!("PIXTYPE is {pixtype:?}, not HEALPIX")));
    }
    let nside_key = hdu.read_key::<i64>(f, "NSIDE");
    let scheme = match read_string_key(f, hdu, "ORDERING") {
        Some(ordering) => ordering
            .parse::<Scheme>()
            .map_err(|_| SkyError::BadKeyword {
                path: path.to_path_buf(),
                keyword: "ORDERING",
                value: ordering.clone(),
                expected: "RING or NESTED",
            })?,
        None => {
            // healpy assumes RING (with a warning; `tessera map info` says so) unless the table
            // is plainly something else.
            if let Some(reason) = not_a_map_table(&columns, rows) {
                return Err(not_healpix(reason));
            }
            Scheme::Ring
        }
    };
    let nside = match nside_key {
        Ok(n) if n >= 1 => Some(n as u64),
        Ok(n) => {
            return Err(SkyError::BadKeyword {
                path: path.to_path_buf(),
                keyword: "NSIDE",
                value: n.to_string(),
                expected: "a positive integer",
            });
        }
        Err(_) => None,
    };
    let indxschm = read_string_key(f, hdu, "INDXSCHM").unwrap_or_default();
    let object = read_string_key(f, hdu, "OBJECT").unwrap_or_default();
    let explicit = indxschm.eq_ignore_ascii_case("EXPLICIT")
        || (indxschm.is_empty() && object.eq_ignore_ascii_case("PARTIAL"));
    let coord = read_string_key(f, hdu, "COORDSYS").filter(|c| !c.is_empty());
    Ok(Layout {
        scheme,
        nside,
        explicit,
        coord,
        rows,
        columns,
    })
}

/// Why a table without ORDERING is not a map: a_lm columns, or (for a full-sky table) a length
/// that is no HEALPix pixel count (C_l tables hold lmax + 1 rows).
fn not_a_map_table(columns: &[ConcreteColumnDescription], rows: usize) -> Option<String> {
    let names: Vec<String> = columns
        .iter()
        .map(|c| c.name.trim().to_ascii_uppercase())
        .collect();
    let has = |n: &str| names.iter().any(|c| c == n);
    if has("INDEX") && has("REAL") && has("IMAG") {
        return Some(
            "it holds spherical-harmonic coefficients (INDEX, REAL, IMAG columns), not pixels; \
             read it with read_alm"
                .into(),
        );
    }
    let per_row = columns.first().map_or(1, |c| c.data_type.repeat.max(1));
    let values = rows.saturating_mul(per_row) as u64;
    if !has("PIXEL") && Nside::from_npix(values).is_err() {
        return Some(format!(
            "no ORDERING keyword, and {values} values per column is not a HEALPix \
             pixel count (12 nside²); a power spectrum (C_l) table is read with read_cl \
             (columns {})",
            names.join(", ")
        ));
    }
    None
}

fn check_numeric(path: &Path, col: &ConcreteColumnDescription) -> Result<()> {
    let kind = match col.data_type.typ {
        ColumnDataType::String | ColumnDataType::Text => "text",
        ColumnDataType::Logical => "logical values",
        ColumnDataType::Bit => "bits",
        _ => return Ok(()),
    };
    Err(SkyError::NonNumericColumn {
        path: path.to_path_buf(),
        column: col.name.clone(),
        kind: kind.to_string(),
    })
}

/// The data columns to read, as indices into `layout.columns`.
fn select_columns(path: &Path, layout: &Layout, selection: &FieldSelection) -> Result<Vec<usize>> {
    let data: Vec<usize> = (0..layout.columns.len())
        .filter(|&i| !(layout.explicit && layout.columns[i].name.eq_ignore_ascii_case("PIXEL")))
        .collect();
    let names = || data.iter().map(|&i| layout.columns[i].name.as_str());
    let available = || names().collect::<Vec<_>>().join(", ");
    let missing = |field: String| SkyError::NoSuchField {
        path: path.to_path_buf(),
        field,
        available: available(),
    };
    match selection {
        FieldSelection::All => Ok(data.clone()),
        FieldSelection::Indices(idx) => idx
            .iter()
            .map(|&i| data.get(i).copied().ok_or_else(|| missing(format!("#{i}"))))
            .collect(),
        FieldSelection::Names(wanted) => wanted
            .iter()
            .map(|w| {
                super::find_field(names(), w)
                    .map(|k| data[k])
                    .ok_or_else(|| missing(w.clone()))
            })
            .collect(),
    }
}

/// Reads a HEALPix map from a FITS file (healpy's `read_map`).
///
/// Reads RING and NESTED maps (`ORDERING`), implicit full-sky tables (any number of pixels per
/// row: `1024E` or `E`) and explicit partial maps (`INDXSCHM = 'EXPLICIT'` with a `PIXEL` column;
/// missing pixels become [`UNSEEN`]); column types B, I, J, K, E and D (cfitsio applies `TSCAL`/
/// `TZERO`); gzip-compressed files; any HDU. NSIDE comes from the `NSIDE` keyword and must agree
/// with the table; without the keyword it is inferred from the pixel count.
///
/// # Errors
/// A [`SkyError`] naming the file: missing or unreadable file, an HDU that is not a HEALPix table,
/// a bad `ORDERING`/`NSIDE`, an NSIDE that disagrees with the data, a text column, an unknown field.
///
/// # Example
/// ```no_run
/// use tessera_sky::{FieldSelection, ReadOptions, read_map};
/// let opts = ReadOptions { fields: FieldSelection::Names(vec!["T".into()]), ..Default::default() };
/// let map = read_map("wmap_band_iqumap_r9_7yr_W_v4.fits", &opts)?;
/// println!("nside {} {}: {}", map.nside(), map.scheme(), map.fields[0].name);
/// # Ok::<(), tessera_sky::SkyError>(())
/// ```
pub fn read_map(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<SkyMap> {
    let path = path.as_ref();
    std::fs::metadata(path).map_err(|e| SkyError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    // Declared sizes checked against the bytes present before cfitsio allocates anything.
    let checked = super::header::checked_file(path, opts.hdu)?;
    let mut f = FitsFile::open(&checked.path).map_err(|e| fits_error(path, e))?;
    let hdu = f.hdu(opts.hdu).map_err(|e| {
        let status = match &e {
            fitsio::errors::Error::Fits(fe) => fe.status,
            _ => 0,
        };
        let reason = match status {
            // A read that fails is a damaged file, whatever the HDU holds.
            108 => return fits_error(path, e),
            107 => "the file ends before it (no such HDU, or a truncated file)".to_string(),
            _ => format!("cannot open this HDU ({})", super::describe(&e)),
        };
        SkyError::NotHealpix {
            path: path.to_path_buf(),
            hdu: opts.hdu,
            reason,
        }
    })?;
    let layout = read_layout(path, &mut f, &hdu, opts.hdu)?;
    let selected = select_columns(path, &layout, &opts.fields)?;
    if selected.is_empty() {
        return Err(SkyError::NotHealpix {
            path: path.to_path_buf(),
            hdu: opts.hdu,
            reason: "the table has no data columns".into(),
        });
    }
    let pixels = if layout.explicit {
        Some(read_pixel_column(path, &mut f, &hdu, &layout)?)
    } else {
        None
    };
    let mut fast = if layout.explicit {
        None
    } else {
        super::fast::read_float_columns(&checked.path, opts.hdu, &selected)
    }
    .map(Vec::into_iter);
    let mut fields = Vec::with_capacity(selected.len());
    for &c in &selected {
        let col = &layout.columns[c];
        check_numeric(path, col)?;
        let values: Vec<f64> = match fast.as_mut().and_then(Iterator::next) {
            Some(values) => values,
            None => hdu
                .read_col(&mut f, &col.name)
                .map_err(|e| fits_error(path, e))?,
        };
        let expected_len = layout.rows * col.data_type.repeat.max(1);
        if values.len() != expected_len {
            return Err(SkyError::Fits {
                path: path.to_path_buf(),
                message: format!(
                    "column {} should hold {expected_len} values but {} could be read (truncated file?)",
                    col.name,
                    values.len()
                ),
            });
        }
        let unit =
            read_string_key(&mut f, &hdu, &format!("TUNIT{}", c + 1)).filter(|u| !u.is_empty());
        fields.push(Field {
            name: col.name.trim().to_string(),
            unit,
            values,
        });
    }
    let geometry = geometry_of(path, &layout, &fields, pixels.as_deref())?;
    if let Some(pixels) = pixels {
        expand_partial(path, &geometry, &pixels, &mut fields)?;
    }
    let mut map = SkyMap {
        geometry,
        coord: layout.coord,
        fields,
    };
    if let Some(scheme) = opts.scheme {
        map = map.reorder(scheme)?;
    }
    Ok(map)
}

fn read_pixel_column(
    path: &Path,
    f: &mut FitsFile,
    hdu: &FitsHdu,
    layout: &Layout,
) -> Result<Vec<i64>> {
    let col = layout
        .columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case("PIXEL"))
        .ok_or_else(|| SkyError::NotHealpix {
            path: path.to_path_buf(),
            hdu: 0,
            reason: "explicit (partial) map without a PIXEL column".into(),
        })?;
    check_numeric(path, col)?;
    hdu.read_col::<i64>(f, &col.name)
        .map_err(|e| fits_error(path, e))
}

/// The map's geometry from NSIDE (checked against the data) or from the pixel count.
fn geometry_of(
    path: &Path,
    layout: &Layout,
    fields: &[Field],
    pixels: Option<&[i64]>,
) -> Result<Healpix> {
    let found = fields[0].values.len() as u64;
    let nside = match (layout.nside, pixels) {
        (Some(n), _) => n,
        (None, None) => Nside::from_npix(found)
            .map_err(|_| SkyError::NotHealpix {
                path: path.to_path_buf(),
                hdu: 1,
                reason: format!("no NSIDE keyword and {found} pixels is not 12 nside^2"),
            })?
            .get(),
        (None, Some(_)) => {
            return Err(SkyError::NotHealpix {
                path: path.to_path_buf(),
                hdu: 1,
                reason: "partial map without an NSIDE keyword".into(),
            });
        }
    };
    let nside_ok = Nside::new(nside).map_err(|_| SkyError::BadKeyword {
        path: path.to_path_buf(),
        keyword: "NSIDE",
        value: nside.to_string(),
        expected: "1 <= NSIDE <= 2^29",
    })?;
    if pixels.is_none() && nside_ok.npix() != found {
        return Err(SkyError::NsideMismatch {
            path: path.to_path_buf(),
            nside,
            expected: nside_ok.npix(),
            found,
        });
    }
    Healpix::from_nside(nside_ok, layout.scheme).map_err(|_| SkyError::BadKeyword {
        path: path.to_path_buf(),
        keyword: "NSIDE",
        value: nside.to_string(),
        expected: "a power of two for ORDERING = NESTED",
    })
}

/// The most full-sky pixels a partial map is expanded to: NSIDE 8192 (6.4 GB per f64 field).
const MAX_EXPANDED_PIXELS: u64 = 12 * 8192 * 8192;

/// Turns the value lists of a partial map into full-sky fields with UNSEEN elsewhere.
fn expand_partial(
    path: &Path,
    geometry: &Healpix,
    pixels: &[i64],
    fields: &mut [Field],
) -> Result<()> {
    let npix = geometry.npix();
    if npix > MAX_EXPANDED_PIXELS {
        return Err(SkyError::TooLarge {
            path: path.to_path_buf(),
            detail: format!(
                "a partial map of {} pixels at NSIDE {} would expand to {npix} full-sky pixels \
                 ({:.3e} bytes per field); partial maps are read up to NSIDE 8192",
                pixels.len(),
                geometry.nside(),
                npix as f64 * 8.0
            ),
        });
    }
    for field in fields.iter_mut() {
        if field.values.len() != pixels.len() {
            return Err(SkyError::ColumnLength {
                path: path.to_path_buf(),
                column: field.name.clone(),
                found: field.values.len(),
                pixels: pixels.len(),
            });
        }
        let mut full = Vec::new();
        full.try_reserve_exact(npix as usize)
            .map_err(|_| SkyError::TooLarge {
                path: path.to_path_buf(),
                detail: format!("cannot allocate the {npix} full-sky pixels of this partial map"),
            })?;
        full.resize(npix as usize, UNSEEN);
        for (&p, &v) in pixels.iter().zip(&field.values) {
            if p < 0 || p as u64 >= npix {
                return Err(SkyError::PixelOutOfRange {
                    path: path.to_path_buf(),
                    pixel: p,
                    npix,
                });
            }
            full[p as usize] = v;
        }
        field.values = full;
    }
    Ok(())
}
