//! Whole-map operations: reorder, ud_grade, masks.

use rayon::prelude::*;
use tessera_healpix::{Healpix, HealpixError, Parallelism, Scheme};

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
        let fields = self
            .fields
            .iter()
            .map(|f| {
                let values = self.geometry.reorder(&f.values, self.scheme(), scheme)?;
                Ok(Field {
                    name: f.name.clone(),
                    unit: f.unit.clone(),
                    values,
                })
            })
            .collect::<Result<Vec<_>>>()?;
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
            return Err(HealpixError::IncompatibleResolutions {
                from: nside_in,
                to: nside_out,
            }
            .into());
        }
        let out_geometry = Healpix::nested(nside_out)?;
        let ratio = opts
            .power
            .map_or(1.0, |p| (nside_out as f64 / nside_in as f64).powf(p));
        if self.scheme() == Scheme::Ring {
            return self.ud_grade_ring(nside_out, opts.pess, ratio);
        }
        // Work in NESTED, where children are consecutive; borrow when the map already is.
        let converted;
        let nested = if self.scheme() == Scheme::Nested {
            self
        } else {
            converted = self.reorder(Scheme::Nested)?;
            &converted
        };
        let fields = nested
            .fields
            .iter()
            .map(|f| {
                let values = if nside_out < nside_in {
                    degrade(
                        &f.values,
                        (nside_in / nside_out).pow(2) as usize,
                        opts.pess,
                        ratio,
                    )
                } else if nside_out > nside_in {
                    upgrade(&f.values, (nside_out / nside_in).pow(2) as usize, ratio)
                } else {
                    f.values.clone()
                };
                Field {
                    name: f.name.clone(),
                    unit: f.unit.clone(),
                    values,
                }
            })
            .collect();
        let out = SkyMap {
            geometry: out_geometry,
            coord: self.coord.clone(),
            fields,
        };
        match self.scheme() {
            Scheme::Nested => Ok(out),
            other => out.reorder(other),
        }
    }

    /// ud_grade of a RING map without reordering whole maps: each output pixel finds its parent
    /// or children through the NESTED index arithmetic, so only the output is written.
    fn ud_grade_ring(&self, nside_out: u64, pess: bool, ratio: f64) -> Result<SkyMap> {
        let nside_in = self.nside();
        let fine_in = self.geometry;
        let out_geometry = Healpix::ring(nside_out)?;
        let (nest_in, nest_out) = (
            fine_in.with_scheme(Scheme::Nested)?,
            Healpix::nested(nside_out)?,
        );
        let npix_out = out_geometry.npix();
        if nside_out >= nside_in {
            return self.upgrade_ring(nest_in, nest_out, ratio);
        }
        let fields = self
            .fields
            .iter()
            .map(|f| {
                let values: Result<Vec<f64>> = (0..npix_out)
                    .into_par_iter()
                    .map(|j| {
                        let nested = nest_out.ring2nest(j)?;
                        let levels = 2 * (nside_in / nside_out).trailing_zeros();
                        let children = ((nested << levels)..((nested + 1) << levels))
                            .map(|c| Ok(f.values[nest_in.nest2ring(c)? as usize]));
                        mean_of_children(children, 1 << levels, pess, ratio)
                    })
                    .collect();
                Ok(Field {
                    name: f.name.clone(),
                    unit: f.unit.clone(),
                    values: values?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SkyMap {
            geometry: out_geometry,
            coord: self.coord.clone(),
            fields,
        })
    }

    /// ud_grade of a RING map to a finer (or the same) RING map: output pixels in blocks, each block through
    /// the bulk `ring2nest`/`nest2ring` conversions (validated once per block) to its parents,
    /// then one gather per field.
    fn upgrade_ring(&self, nest_in: Healpix, nest_out: Healpix, ratio: f64) -> Result<SkyMap> {
        const BLOCK: usize = 4096;
        let npix_out = nest_out.npix() as usize;
        let levels = 2 * (nest_out.nside() / nest_in.nside()).trailing_zeros();
        // The RING parent of every output pixel, block by block in parallel.
        let mut parents = vec![0u64; npix_out];
        parents
            .par_chunks_mut(BLOCK)
            .enumerate()
            .try_for_each(|(b, out)| -> Result<()> {
                let start = (b * BLOCK) as u64;
                let ring: Vec<u64> = (start..start + out.len() as u64).collect();
                let mut nested = vec![0u64; out.len()];
                nest_out.ring2nest_into(&ring, &mut nested, Parallelism::Serial)?;
                nested.iter_mut().for_each(|n| *n >>= levels);
                nest_in.nest2ring_into(&nested, out, Parallelism::Serial)?;
                Ok(())
            })?;
        let fields = self
            .fields
            .iter()
            .map(|f| Field {
                name: f.name.clone(),
                unit: f.unit.clone(),
                values: parents
                    .par_iter()
                    .map(|&p| scaled(f.values[p as usize], ratio))
                    .collect(),
            })
            .collect();
        Ok(SkyMap {
            geometry: Healpix::ring(nest_out.nside())?,
            coord: self.coord.clone(),
            fields,
        })
    }

    /// Sets every field to UNSEEN where `mask` is zero (or UNSEEN): healpy's masked-array
    /// convention for a binary mask. `mask` is in this map's scheme.
    ///
    /// # Errors
    /// [`SkyError::PixelCount`] when the mask does not have `npix` values.
    pub fn apply_mask(&mut self, mask: &[f64]) -> Result<()> {
        self.mask_where(mask, |m| m == 0.0)
    }

    /// Sets every field to UNSEEN where `mask` is below `threshold` (or UNSEEN): for a mask
    /// brought from a finer resolution, whose values are the fractions of each pixel kept.
    /// `0.5` keeps a pixel when at least half of it is kept, which keeps `f_sky` close to the
    /// fine mask's; `1.0` keeps only pixels wholly inside the mask.
    ///
    /// # Errors
    /// [`SkyError::PixelCount`] when the mask does not have `npix` values,
    /// [`SkyError::OutOfRange`] when `threshold` is not in `(0, 1]`.
    pub fn apply_mask_threshold(&mut self, mask: &[f64], threshold: f64) -> Result<()> {
        if !(threshold > 0.0 && threshold <= 1.0) {
            return Err(SkyError::OutOfRange {
                what: "mask threshold",
                value: threshold,
                allowed: "(0, 1]".into(),
            });
        }
        self.mask_where(mask, |m| m < threshold)
    }

    fn mask_where(&mut self, mask: &[f64], masked: impl Fn(f64) -> bool) -> Result<()> {
        if mask.len() != self.geometry.npix() as usize {
            return Err(SkyError::PixelCount {
                what: "mask",
                found: mask.len(),
                nside: self.geometry.nside(),
                needed: self.geometry.npix() as usize,
            });
        }
        for field in &mut self.fields {
            for (v, &m) in field.values.iter_mut().zip(mask) {
                if is_unseen(m) || masked(m) {
                    *v = UNSEEN;
                }
            }
        }
        Ok(())
    }
}

/// The monopole and dipole fitted by [`SkyMap::remove_dipole`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DipoleFit {
    /// The fitted constant.
    pub monopole: f64,
    /// The fitted dipole vector `(dx, dy, dz)`: the map held `d . n(p)` at pixel direction `n(p)`.
    pub dipole: [f64; 3],
}

impl SkyMap {
    /// Subtracts the mean of the seen pixels of field `field` (healpy's `remove_monopole`) and
    /// returns it. UNSEEN pixels stay UNSEEN.
    ///
    /// # Errors
    /// [`SkyError::NoFieldIndex`] when the field does not exist, [`SkyError::NoSeenPixel`] when
    /// no pixel is seen.
    pub fn remove_monopole(&mut self, field: usize) -> Result<f64> {
        let mean = self.seen_stats(field)?.mean;
        for v in self.fields[field]
            .values
            .iter_mut()
            .filter(|v| !is_unseen(**v))
        {
            *v -= mean;
        }
        Ok(mean)
    }

    /// Fits and subtracts a monopole and a dipole from the seen pixels of field `field` by least
    /// squares (healpy's `remove_dipole`, equal pixel weights), returning the fit.
    ///
    /// # Errors
    /// [`SkyError::NoFieldIndex`] when the field does not exist, [`SkyError::DipoleUnconstrained`]
    /// when the seen pixels cannot constrain a
    /// dipole (fewer than 4, or all in a plane).
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::Healpix;
    /// use tessera_sky::SkyMap;
    /// let hp = Healpix::ring(8)?;
    /// let values = (0..hp.npix()).map(|p| 3.0 + 2.0 * hp.pix2vec(p).unwrap()[2]).collect();
    /// let mut map = SkyMap::new(hp, vec![("T", values)])?;
    /// let fit = map.remove_dipole(0)?;
    /// assert!((fit.monopole - 3.0).abs() < 1e-9 && (fit.dipole[2] - 2.0).abs() < 1e-9);
    /// assert!(map.fields[0].values.iter().all(|v| v.abs() < 1e-9));
    /// # Ok::<(), tessera_sky::SkyError>(())
    /// ```
    pub fn remove_dipole(&mut self, field: usize) -> Result<DipoleFit> {
        let fit = self.fit_dipole(field, 0.0)?;
        let geometry = self.geometry;
        for (p, v) in self.fields[field]
            .values
            .iter_mut()
            .enumerate()
            .filter(|(_, v)| !is_unseen(**v))
        {
            let n = geometry.pix2vec(p as u64)?;
            *v -= fit.monopole + fit.dipole[0] * n[0] + fit.dipole[1] * n[1] + fit.dipole[2] * n[2];
        }
        Ok(fit)
    }

    /// The monopole and dipole of field `field` fitted by least squares (healpy's
    /// `fit_dipole(m, gal_cut=…)`), over the seen pixels at `|latitude| ≥ gal_cut` degrees in the
    /// map's own frame (0: all of them). The map is not changed.
    ///
    /// # Errors
    /// [`SkyError::NoFieldIndex`], [`SkyError::OutOfRange`] for a `gal_cut` outside `[0, 90)`, or
    /// the pixels kept cannot constrain a dipole.
    pub fn fit_dipole(&self, field: usize, gal_cut: f64) -> Result<DipoleFit> {
        self.seen_stats(field)?;
        // Normal equations of v ≈ m + d·n over the kept pixels: A = Σ b bᵀ, r = Σ b v, b = (1, n).
        let mut a = [[0.0f64; 4]; 4];
        let mut r = [0.0f64; 4];
        for (n, v) in self.fit_pixels(field, gal_cut)? {
            let b = [1.0, n[0], n[1], n[2]];
            for i in 0..4 {
                r[i] += b[i] * v;
                for j in 0..4 {
                    a[i][j] += b[i] * b[j];
                }
            }
        }
        let c = solve4(a, r).ok_or(SkyError::DipoleUnconstrained)?;
        Ok(DipoleFit {
            monopole: c[0],
            dipole: [c[1], c[2], c[3]],
        })
    }

    /// The mean of field `field` over the seen pixels at `|latitude| ≥ gal_cut` degrees in the
    /// map's own frame (healpy's `fit_monopole(m, gal_cut=…)`).
    ///
    /// # Errors
    /// As [`SkyMap::fit_dipole`], and when no pixel is kept.
    pub fn fit_monopole(&self, field: usize, gal_cut: f64) -> Result<f64> {
        self.seen_stats(field)?;
        let (mut sum, mut count) = (0.0, 0usize);
        for (_, v) in self.fit_pixels(field, gal_cut)? {
            sum += v;
            count += 1;
        }
        if count == 0 {
            return Err(SkyError::NoSeenPixel {
                what: "fit_monopole",
                gal_cut,
            });
        }
        Ok(sum / count as f64)
    }

    /// The direction and value of every seen pixel of `field` at `|z| ≥ sin(gal_cut)`.
    fn fit_pixels(&self, field: usize, gal_cut: f64) -> Result<Vec<([f64; 3], f64)>> {
        if !(0.0..90.0).contains(&gal_cut) {
            return Err(SkyError::OutOfRange {
                what: "gal_cut (degrees)",
                value: gal_cut,
                allowed: "[0, 90)".into(),
            });
        }
        let limit = gal_cut.to_radians().sin();
        let mut kept = Vec::new();
        for (p, &v) in self.fields[field].values.iter().enumerate() {
            if is_unseen(v) || !v.is_finite() {
                continue;
            }
            let n = self.geometry.pix2vec(p as u64)?;
            if gal_cut == 0.0 || n[2].abs() >= limit {
                kept.push((n, v));
            }
        }
        Ok(kept)
    }

    fn seen_stats(&self, field: usize) -> Result<crate::map::FieldStats> {
        if field >= self.fields.len() {
            return Err(SkyError::NoFieldIndex {
                field,
                fields: self.fields.len(),
            });
        }
        let stats = self.stats(field);
        if stats.n_seen == 0 {
            return Err(SkyError::NoSeenPixel {
                what: "statistics of a field",
                gal_cut: 0.0,
            });
        }
        Ok(stats)
    }
}

/// Solves the 4×4 system `a x = r` (nalgebra's LU with partial pivoting); `None` when a pivot
/// is below 1e-12 of the largest entry (no seen pixel off one axis, say).
fn solve4(a: [[f64; 4]; 4], r: [f64; 4]) -> Option<[f64; 4]> {
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let lu = nalgebra::Matrix4::from_fn(|i, j| a[i][j]).lu();
    if lu.u().diagonal().iter().any(|p| p.abs() <= 1e-12 * scale) {
        return None;
    }
    lu.solve(&nalgebra::Vector4::from(r)).map(Into::into)
}

/// Mean over groups of `k` consecutive NESTED children.
fn degrade(values: &[f64], k: usize, pess: bool, ratio: f64) -> Vec<f64> {
    values
        .par_chunks_exact(k)
        .map(|children| {
            let values = children
                .iter()
                .map(|&v| Ok::<_, std::convert::Infallible>(v));
            let Ok(mean) = mean_of_children(values, k, pess, ratio);
            mean
        })
        .collect()
}

/// healpy's degrading rule for the `k` children of one pixel: the mean of the seen ones (scaled
/// by `ratio`), UNSEEN when none is seen or, with `pess`, when any is not.
fn mean_of_children<E>(
    children: impl Iterator<Item = std::result::Result<f64, E>>,
    k: usize,
    pess: bool,
    ratio: f64,
) -> std::result::Result<f64, E> {
    let (mut sum, mut hits) = (0.0, 0usize);
    for v in children {
        let v = v?;
        if !is_unseen(v) && v.is_finite() {
            sum += v;
            hits += 1;
        }
    }
    let bad = if pess { hits != k } else { hits == 0 };
    Ok(if bad {
        UNSEEN
    } else {
        sum / (hits as f64 / ratio)
    })
}

/// A value scaled by `ratio` for upgrading; UNSEEN stays UNSEEN.
fn scaled(v: f64, ratio: f64) -> f64 {
    if is_unseen(v) { UNSEEN } else { v * ratio }
}

/// Each value repeated for its `k` NESTED children.
fn upgrade(values: &[f64], k: usize, ratio: f64) -> Vec<f64> {
    let mut out = vec![0.0; values.len() * k];
    out.par_chunks_mut(k)
        .zip(values.par_iter())
        .for_each(|(children, &v)| {
            children.fill(scaled(v, ratio));
        });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RING ud_grade (parents through bulk index conversions) equals the NESTED path reordered,
    /// for every pixel, upgrading by 2 and 4, with a power scaling, and at the same nside.
    #[test]
    fn ring_upgrade_equals_the_nested_path() {
        let ring = Healpix::ring(8).unwrap();
        let values: Vec<f64> = (0..ring.npix()).map(|p| (p as f64 * 0.37).sin()).collect();
        let map = SkyMap::new(ring, vec![("T", values)]).unwrap();
        let nested = map.reorder(Scheme::Nested).unwrap();
        for (nside_out, power) in [(16, None), (32, Some(-2.0)), (8, None)] {
            let opts = UdGradeOptions { pess: false, power };
            let direct = map.ud_grade(nside_out, opts).unwrap();
            let via = nested
                .ud_grade(nside_out, opts)
                .unwrap()
                .reorder(Scheme::Ring)
                .unwrap();
            assert_eq!(direct.scheme(), Scheme::Ring);
            assert_eq!(
                direct.fields[0].values, via.fields[0].values,
                "nside {nside_out}"
            );
        }
    }
}
