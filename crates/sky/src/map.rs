//! [`SkyMap`]: one or more named fields over a HEALPix tessellation.

use tessera_healpix::{Healpix, Scheme};

use crate::error::{Result, SkyError};

/// healpy's `UNSEEN`: the value of a pixel without data.
pub const UNSEEN: f64 = -1.6375e30;

/// Whether a value marks a missing pixel: healpy's `UNSEEN` (compared with healpy's tolerance,
/// as f32 files store it rounded) or NaN.
#[inline]
pub fn is_unseen(v: f64) -> bool {
    (v - UNSEEN).abs() <= 1e-5 * UNSEEN.abs() || v.is_nan()
}

/// One named field (column) of a map: `TEMPERATURE`, `Q_POLARISATION`, `I_STOKES`, …
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The column name as written in FITS (`TTYPEn`).
    pub name: String,
    /// The unit (`TUNITn`), if any.
    pub unit: Option<String>,
    /// One value per pixel, in the map's scheme; [`UNSEEN`] where there is no data.
    pub values: Vec<f64>,
}

/// Statistics of one field over its seen pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldStats {
    /// Pixels with data.
    pub n_seen: usize,
    /// Pixels that are [`UNSEEN`] (or NaN).
    pub n_unseen: usize,
    /// Smallest seen value (NaN when no pixel is seen).
    pub min: f64,
    /// Largest seen value.
    pub max: f64,
    /// Sum of seen values.
    pub sum: f64,
    /// Mean of seen values.
    pub mean: f64,
    /// Root mean square of seen values.
    pub rms: f64,
}

impl FieldStats {
    /// The fraction of pixels that are seen.
    pub fn f_sky(&self) -> f64 {
        self.n_seen as f64 / (self.n_seen + self.n_unseen) as f64
    }
}

/// A full-sky HEALPix map with one or more fields.
///
/// # Precision
/// Values are `f64` in memory whatever the file holds: analysis (spectra, likelihoods, ud_grade
/// averages) wants the headroom, and every FITS column type (B, I, J, K, E, D) converts to `f64`
/// exactly. Writing chooses the file precision ([`crate::Dtype`], `f32` by default as healpy);
/// learning code converts to `f32` tensors at its boundary ([`SkyMap::field_f32`]).
///
/// Partial-sky files (explicit indexing) read into a full map with [`UNSEEN`] elsewhere, as
/// healpy's `read_map` does; writing with `partial` stores only the seen pixels again.
///
/// # Example
/// ```
/// use tessera_sky::{SkyMap, UNSEEN};
/// use tessera_healpix::{Healpix, Scheme};
/// let geometry = Healpix::new(4, Scheme::Ring)?;
/// let mut map = SkyMap::new(geometry, vec![("TEMPERATURE", vec![1.0; 192])])?;
/// map.fields[0].values[0] = UNSEEN;
/// assert_eq!(map.stats(0).n_unseen, 1);
/// assert!((map.f_sky(0) - 191.0 / 192.0).abs() < 1e-15);
/// # Ok::<(), tessera_sky::SkyError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SkyMap {
    /// The tessellation (nside and scheme).
    pub geometry: Healpix,
    /// The coordinate system (`COORDSYS`: `G` galactic, `E` ecliptic, `C` celestial), if known.
    pub coord: Option<String>,
    /// The fields, in file order.
    pub fields: Vec<Field>,
}

impl SkyMap {
    /// A map from named value arrays, each `npix` long.
    ///
    /// # Errors
    /// [`SkyError::InField`] around [`SkyError::PixelCount`] when a field has the wrong length,
    /// [`SkyError::NoFields`] when there are none.
    pub fn new<S: Into<String>>(geometry: Healpix, fields: Vec<(S, Vec<f64>)>) -> Result<Self> {
        let fields: Vec<Field> = fields
            .into_iter()
            .map(|(name, values)| Field {
                name: name.into(),
                unit: None,
                values,
            })
            .collect();
        let map = SkyMap {
            geometry,
            coord: None,
            fields,
        };
        map.validate()?;
        Ok(map)
    }

    /// Checks that there is at least one field and that every field has `npix` values.
    ///
    /// # Errors
    /// [`SkyError::NoFields`], or [`SkyError::InField`] around [`SkyError::PixelCount`].
    pub fn validate(&self) -> Result<()> {
        if self.fields.is_empty() {
            return Err(SkyError::NoFields);
        }
        let npix = self.geometry.npix() as usize;
        for f in &self.fields {
            if f.values.len() != npix {
                return Err(SkyError::InField {
                    field: f.name.clone(),
                    source: Box::new(SkyError::PixelCount {
                        what: "sky map",
                        found: f.values.len(),
                        nside: self.geometry.nside(),
                        needed: npix,
                    }),
                });
            }
        }
        Ok(())
    }

    /// The resolution parameter.
    pub fn nside(&self) -> u64 {
        self.geometry.nside()
    }

    /// The pixel numbering scheme.
    pub fn scheme(&self) -> Scheme {
        self.geometry.scheme()
    }

    /// The index of the field called `name` (exact, then healpy's aliases such as `T` for
    /// `TEMPERATURE`/`I_STOKES`, case-insensitive).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        crate::fits::find_field(self.fields.iter().map(|f| f.name.as_str()), name)
    }

    /// Field `i` as `f32` values (UNSEEN kept as healpy's f32 UNSEEN), for learning code.
    ///
    /// # Panics
    /// When `i` is not a field index.
    pub fn field_f32(&self, i: usize) -> Vec<f32> {
        self.fields[i].values.iter().map(|&v| v as f32).collect()
    }

    /// Statistics of field `i` over its seen pixels.
    ///
    /// # Panics
    /// When `i` is not a field index.
    pub fn stats(&self, i: usize) -> FieldStats {
        let values = &self.fields[i].values;
        let (mut n, mut sum, mut sum2) = (0usize, 0.0f64, 0.0f64);
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &v in values.iter().filter(|&&v| !is_unseen(v)) {
            n += 1;
            sum += v;
            sum2 += v * v;
            min = min.min(v);
            max = max.max(v);
        }
        let nan_if_empty = |x: f64| if n == 0 { f64::NAN } else { x };
        FieldStats {
            n_seen: n,
            n_unseen: values.len() - n,
            min: nan_if_empty(min),
            max: nan_if_empty(max),
            sum,
            mean: nan_if_empty(sum / n as f64),
            rms: nan_if_empty((sum2 / n as f64).sqrt()),
        }
    }

    /// The fraction of the sky where field `i` is seen.
    ///
    /// # Panics
    /// When `i` is not a field index.
    pub fn f_sky(&self, i: usize) -> f64 {
        self.stats(i).f_sky()
    }
}
