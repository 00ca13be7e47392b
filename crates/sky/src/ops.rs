//! Whole-map operations: reorder, ud_grade, masks.

use tessera_healpix::{Healpix, Scheme};

use crate::error::{Result, SkyError};
use crate::map::{Field, SkyMap, UNSEEN, is_unseen};

/// Options of [`SkyMap::ud_grade`], as healpy's `ud_grade`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UdGradeOptions {
    /// Pessimistic degrading: a coarse pixel is UNSEEN when any of its children is (healpy's
    /// `pess=True`); otherwise it averages the children that are seen.
    pub pess: bool,
    /// Scale by `(nside_out / nside_in)^power` (healpy's `power`; `Some(-2.0)` keeps sums of hit
    /// counts, for instance).
    pub power: Option<f64>,
}

impl SkyMap {
    /// The same map in another pixel numbering scheme (healpy's `reorder`).
    ///
    /// # Errors
    /// [`SkyError::Healpix`] when RING → NESTED is asked at a non-power-of-two nside.
    pub fn reorder(&self, scheme: Scheme) -> Result<SkyMap> {
        if scheme == self.scheme() {
            return Ok(self.clone());
        }
        let perm = self.geometry.reorder_permutation(self.scheme(), scheme)?;
        let fields = self
            .fields
            .iter()
            .map(|f| Field {
                name: f.name.clone(),
                unit: f.unit.clone(),
                values: perm.iter().map(|&p| f.values[p as usize]).collect(),
            })
            .collect();
        Ok(SkyMap {
            geometry: self.geometry.with_scheme(scheme)?,
            coord: self.coord.clone(),
            fields,
        })
    }

    /// The map at another resolution (healpy's `ud_grade`), in the same scheme.
    ///
    /// Degrading averages the children of each coarse pixel (ignoring UNSEEN ones unless `pess`);
    /// upgrading copies each pixel to its children. UNSEEN stays UNSEEN.
    ///
    /// # Errors
    /// [`SkyError::Healpix`] unless both nsides are powers of two.
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::Healpix;
    /// use tessera_sky::{SkyMap, UdGradeOptions};
    /// let map = SkyMap::new(Healpix::nested(2)?, vec![("T", (0..48).map(f64::from).collect())])?;
    /// let low = map.ud_grade(1, UdGradeOptions::default())?;
    /// assert_eq!(low.fields[0].values[0], 1.5); // mean of pixels 0..4
    /// # Ok::<(), tessera_sky::SkyError>(())
    /// ```
    pub fn ud_grade(&self, nside_out: u64, opts: UdGradeOptions) -> Result<SkyMap> {
        let nside_in = self.nside();
        if !nside_in.is_power_of_two() || !nside_out.is_power_of_two() {
            return Err(SkyError::Mismatch {
                what: "ud_grade",
                detail: format!("nside {nside_in} -> {nside_out}: both must be powers of two"),
            });
        }
        let nested = self.reorder(Scheme::Nested)?;
        let out_geometry = Healpix::nested(nside_out)?;
        // Both must be powers of two related by a power of two: checked by the hierarchy maps.
        let ratio = opts
            .power
            .map_or(1.0, |p| (nside_out as f64 / nside_in as f64).powf(p));
        let fields = nested
            .fields
            .iter()
            .map(|f| {
                let values = if nside_out < nside_in {
                    out_geometry.upgrade_map(nside_in)?; // validates the pair
                    degrade(
                        &f.values,
                        (nside_in / nside_out).pow(2) as usize,
                        opts.pess,
                        ratio,
                    )
                } else {
                    nested.geometry.upgrade_map(nside_out)?;
                    upgrade(&f.values, (nside_out / nside_in).pow(2) as usize, ratio)
                };
                Ok(Field {
                    name: f.name.clone(),
                    unit: f.unit.clone(),
                    values,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let out = SkyMap {
            geometry: out_geometry,
            coord: self.coord.clone(),
            fields,
        };
        out.reorder(self.scheme())
    }

    /// Sets every field to UNSEEN where `mask` is zero (or UNSEEN): healpy's masked-array
    /// convention. `mask` is in this map's scheme.
    ///
    /// # Errors
    /// [`SkyError::Mismatch`] when the mask does not have `npix` values.
    pub fn apply_mask(&mut self, mask: &[f64]) -> Result<()> {
        if mask.len() != self.geometry.npix() as usize {
            return Err(SkyError::Mismatch {
                what: "mask",
                detail: format!(
                    "{} values for a map of {} pixels",
                    mask.len(),
                    self.geometry.npix()
                ),
            });
        }
        for field in &mut self.fields {
            for (v, &m) in field.values.iter_mut().zip(mask) {
                if m == 0.0 || is_unseen(m) {
                    *v = UNSEEN;
                }
            }
        }
        Ok(())
    }
}

/// Mean over groups of `k` consecutive NESTED children.
fn degrade(values: &[f64], k: usize, pess: bool, ratio: f64) -> Vec<f64> {
    values
        .chunks_exact(k)
        .map(|children| {
            let (mut sum, mut hits) = (0.0, 0usize);
            for &v in children.iter().filter(|&&v| !is_unseen(v) && v.is_finite()) {
                sum += v;
                hits += 1;
            }
            let bad = if pess { hits != k } else { hits == 0 };
            if bad {
                UNSEEN
            } else {
                sum / (hits as f64 / ratio)
            }
        })
        .collect()
}

/// Each value repeated for its `k` NESTED children.
fn upgrade(values: &[f64], k: usize, ratio: f64) -> Vec<f64> {
    values
        .iter()
        .flat_map(|&v| std::iter::repeat_n(if is_unseen(v) { UNSEEN } else { v * ratio }, k))
        .collect()
}
