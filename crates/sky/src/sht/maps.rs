//! healpy-style transforms of [`SkyMap`]s: `map2alm`, `alm2map`, `anafast`, `smoothing`,
//! `synfast`.

use tessera_healpix::{Healpix, Rotator, Scheme};

use super::alm::Alm;
use super::plan::ShtPlan;
use super::spectra::PowerSpectra;
use super::synth::{InputCls, SimRng, gauss_beam, synalm};
use crate::error::{Result, SkyError};
use crate::map::{SkyMap, UNSEEN, is_unseen};

/// Options of [`map2alm`] and [`anafast`], with healpy's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Map2AlmOptions {
    /// Largest multipole; `None` = `3 nside − 1`.
    pub lmax: Option<usize>,
    /// Largest order; `None` = `lmax`.
    pub mmax: Option<usize>,
    /// Jacobi iterations refining the quadrature (healpy's default: 3). Each costs one
    /// synthesis and one analysis; 0 is the plain quadrature.
    pub iter: usize,
    /// Treat the first three fields as T, Q, U (giving T, E, B coefficients) when the map has
    /// three or more fields.
    pub pol: bool,
    /// Weigh each ring by HEALPix's ring weights (healpy's `use_weights`), which make the
    /// quadrature exact for the axisymmetric harmonics up to [`super::ring_weights_lmax`]
    /// (about `3 nside`); nside up to [`super::RING_WEIGHTS_NSIDE_MAX`].
    pub use_weights: bool,
}

impl Default for Map2AlmOptions {
    fn default() -> Self {
        Map2AlmOptions {
            lmax: None,
            mmax: None,
            iter: 3,
            pol: true,
            use_weights: false,
        }
    }
}

impl Map2AlmOptions {
    fn plan(&self, nside: u64) -> Result<ShtPlan> {
        let lmax = self.lmax.unwrap_or(3 * nside as usize - 1);
        let plan = ShtPlan::new(nside, lmax, self.mmax.unwrap_or(lmax))?;
        if self.use_weights {
            plan.with_ring_weights()
        } else {
            Ok(plan)
        }
    }
}

/// The values of field `i` in RING order with UNSEEN pixels set to 0, as healpy's `map2alm`
/// does (mask maps before the transform when zeros are not what you want).
pub(super) fn ring_values(map: &SkyMap) -> Result<Vec<Vec<f64>>> {
    let ring = if map.scheme() == Scheme::Ring {
        None
    } else {
        Some(map.reorder(Scheme::Ring)?)
    };
    let m = ring.as_ref().unwrap_or(map);
    Ok(m.fields
        .iter()
        .map(|f| {
            f.values
                .iter()
                .map(|&v| if is_unseen(v) && !v.is_nan() { 0.0 } else { v })
                .collect()
        })
        .collect())
}

/// Spherical harmonic coefficients of a map (healpy's `map2alm`): one set per field, or
/// `[T, E, B]` from the first three fields with `pol`. NESTED maps are reordered first; UNSEEN
/// pixels count as 0; NaN pixels are an error.
///
/// # Errors
/// [`SkyError::InField`] around [`SkyError::NotFinitePixel`] for NaN pixels,
/// [`SkyError::LmaxTooLarge`] for `lmax > 4 nside`.
pub fn map2alm(map: &SkyMap, opts: &Map2AlmOptions) -> Result<Vec<Alm>> {
    let plan = opts.plan(map.nside())?;
    map2alm_with(&plan, map, opts.iter, opts.pol)
}

/// [`map2alm`] with a plan made beforehand (for many maps of one nside).
///
/// # Errors
/// As [`map2alm`], and when the plan's nside is not the map's.
pub fn map2alm_with(plan: &ShtPlan, map: &SkyMap, iter: usize, pol: bool) -> Result<Vec<Alm>> {
    if plan.nside() != map.nside() {
        return Err(SkyError::NsideDiffers {
            what: "map2alm (map and plan)",
            left: map.nside(),
            right: plan.nside(),
        });
    }
    let values = ring_values(map)?;
    let named = |e: SkyError, i: usize| SkyError::InField {
        field: map.fields[i].name.clone(),
        source: Box::new(e),
    };
    if pol && values.len() >= 3 {
        let t = plan.map2alm(&values[0], iter).map_err(|e| named(e, 0))?;
        plan.check_map(&values[1]).map_err(|e| named(e, 1))?;
        plan.check_map(&values[2]).map_err(|e| named(e, 2))?;
        let [e, b] = plan.map2alm_spin2(&values[1], &values[2], iter)?;
        return Ok(vec![t, e, b]);
    }
    values
        .iter()
        .enumerate()
        .map(|(i, v)| plan.map2alm(v, iter).map_err(|e| named(e, i)))
        .collect()
}

/// A RING map from coefficients (healpy's `alm2map`): `[T]` gives field `T`, `[T, E, B]` gives
/// `TEMPERATURE`, `Q_POLARISATION`, `U_POLARISATION` (healpy's column names).
///
/// # Errors
/// [`SkyError::NoCoefficients`] or [`SkyError::SetCount`] when there are neither 1 nor 3 sets,
/// [`SkyError::AlmShape`] when their shapes differ, [`SkyError::LmaxTooLarge`] when
/// `lmax > 4 nside`.
pub fn alm2map(alms: &[Alm], nside: u64) -> Result<SkyMap> {
    let first = alms.first().ok_or(SkyError::NoCoefficients)?;
    let plan = ShtPlan::new(nside, first.lmax(), first.mmax())?;
    alm2map_with(&plan, alms)
}

/// [`alm2map`] with a plan made beforehand.
///
/// # Errors
/// As [`alm2map`].
pub fn alm2map_with(plan: &ShtPlan, alms: &[Alm]) -> Result<SkyMap> {
    let geometry = Healpix::ring(plan.nside())?;
    match alms {
        [t] => SkyMap::new(geometry, vec![("T", plan.alm2map(t)?)]),
        [t, e, b] => {
            let tmap = plan.alm2map(t)?;
            let [q, u] = plan.alm2map_spin2(e, b)?;
            SkyMap::new(
                geometry,
                vec![
                    ("TEMPERATURE", tmap),
                    ("Q_POLARISATION", q),
                    ("U_POLARISATION", u),
                ],
            )
        }
        _ => Err(SkyError::SetCount {
            what: "alm2map",
            found: alms.len(),
        }),
    }
}

/// Angular power spectra of a map (healpy's `anafast`): TT, EE, BB, TE, EB, TB for a map with
/// three or more fields and `pol`; otherwise TT of the first field alone. (healpy's
/// `anafast(m, pol=False)` on a T/Q/U map returns the six unlabelled spin-0 spectra of I, Q and
/// U; take those with [`map2alm`] and [`super::alm2cl`] when they are wanted.)
///
/// # Errors
/// As [`map2alm`], and [`SkyError::PolarisationFirst`] for a map whose first field is Q or U without
/// a temperature field (a Q,U-only map has no TT; give T, Q, U).
pub fn anafast(map: &SkyMap, opts: &Map2AlmOptions) -> Result<PowerSpectra> {
    let plan = opts.plan(map.nside())?;
    PowerSpectra::from_alms(&spectrum_alms(&plan, map, opts)?)
}

/// Cross spectra of two maps of the same nside (healpy's `anafast(map1, map2)`), with the same
/// choice of spectra as [`anafast`].
///
/// # Errors
/// As [`anafast`], and when the maps' nsides or spectrum sets differ.
pub fn anafast_cross(a: &SkyMap, b: &SkyMap, opts: &Map2AlmOptions) -> Result<PowerSpectra> {
    if a.nside() != b.nside() {
        return Err(SkyError::NsideDiffers {
            what: "anafast",
            left: a.nside(),
            right: b.nside(),
        });
    }
    let plan = opts.plan(a.nside())?;
    let x = spectrum_alms(&plan, a, opts)?;
    let y = spectrum_alms(&plan, b, opts)?;
    PowerSpectra::cross(&x, &y)
}

/// The coefficient sets a spectrum is taken from: T, E, B from the first three fields of a
/// polarised map, else T from the first field alone (the other fields are not transformed).
fn spectrum_alms(plan: &ShtPlan, map: &SkyMap, opts: &Map2AlmOptions) -> Result<Vec<Alm>> {
    let polarised = opts.pol && map.fields.len() >= 3;
    let first = map.fields[0].name.as_str();
    let is_stokes = |wanted| crate::fits::find_field(std::iter::once(first), wanted) == Some(0);
    if !polarised && (is_stokes("Q") || is_stokes("U")) {
        return Err(SkyError::PolarisationFirst {
            first: first.to_string(),
        });
    }
    if polarised {
        let mut alms = map2alm_with(plan, map, opts.iter, true)?;
        alms.truncate(3);
        return Ok(alms);
    }
    let temperature = SkyMap {
        geometry: map.geometry,
        coord: map.coord.clone(),
        fields: vec![map.fields[0].clone()],
    };
    map2alm_with(plan, &temperature, opts.iter, false)
}

/// A map smoothed with a Gaussian beam of `fwhm` radians (healpy's `smoothing`): map2alm,
/// multiply by the beam (spin-2 factor for E and B), alm2map. As in healpy, UNSEEN pixels count
/// as 0 in the transform and are UNSEEN again in the result, field by field; the result keeps
/// the input's scheme (RING or NESTED), field names and units.
///
/// # Errors
/// As [`map2alm`].
pub fn smoothing(map: &SkyMap, fwhm: f64, opts: &Map2AlmOptions) -> Result<SkyMap> {
    let lmax = opts.lmax.unwrap_or(3 * map.nside() as usize - 1);
    smoothing_beam(map, &gauss_beam(fwhm, lmax, true), opts)
}

/// A map smoothed with a beam given by its window `b_l` (healpy's `smoothing(m,
/// beam_window=…)`), as [`smoothing`] does with a Gaussian: `beam` holds one window (T, and E
/// and B alike) or three (T, E, B), each at least `lmax + 1` long; a B_l FITS file read with
/// [`crate::read_cl`] gives them.
///
/// # Errors
/// As [`map2alm`], and [`SkyError::SetCount`] when no window is given,
/// [`SkyError::SpectrumTooShort`] when one is shorter than `lmax + 1`.
pub fn smoothing_beam(map: &SkyMap, beam: &[Vec<f64>], opts: &Map2AlmOptions) -> Result<SkyMap> {
    let plan = opts.plan(map.nside())?;
    let lmax = plan.lmax();
    if beam.is_empty() {
        return Err(SkyError::SetCount {
            what: "smoothing beam windows",
            found: 0,
        });
    }
    if let Some(short) = beam.iter().find(|b| b.len() <= lmax) {
        return Err(SkyError::SpectrumTooShort {
            what: "smoothing beam window",
            values: short.len(),
            lmax,
        });
    }
    let window = |i: usize| &beam[i.min(beam.len() - 1)][..=lmax];
    let beams: Vec<&[f64]> = if beam.len() >= 3 {
        vec![window(0), window(1), window(2)]
    } else {
        vec![window(0); 3]
    };
    let mut out = through_alms(&plan, map, opts, |alms, polarised| {
        for (i, a) in alms.iter_mut().enumerate() {
            a.almxfl(beams[if polarised { i } else { 0 }]);
        }
        Ok(())
    })?;
    for (smoothed, original) in out.fields.iter_mut().zip(&map.fields) {
        for (v, &o) in smoothed.values.iter_mut().zip(&original.values) {
            if is_unseen(o) {
                *v = UNSEEN;
            }
        }
    }
    Ok(out)
}

/// A map seen in the frame `rotator` leads to, rotated through its a_lm (healpy's
/// `Rotator.rotate_map_alms(m, use_pixel_weights=False)`): map2alm, [`super::rotate_alm`] on
/// T (and E, B with `opts.pol` and three fields), alm2map. Exact for maps band-limited below
/// `lmax`, unlike [`SkyMap::rotate_pixels`], which interpolates. UNSEEN pixels count as 0, as in
/// healpy. The result keeps the input's scheme and field names; set [`SkyMap::coord`] when the
/// rotator changes coordinate system.
///
/// # Errors
/// As [`map2alm`], and `mmax < lmax` in `opts`.
pub fn rotate_map_alms(map: &SkyMap, rotator: &Rotator, opts: &Map2AlmOptions) -> Result<SkyMap> {
    let plan = opts.plan(map.nside())?;
    through_alms(&plan, map, opts, |alms, _| {
        alms.iter_mut()
            .try_for_each(|a| super::rotate_alm(a, rotator))
    })
}

/// map2alm, `change` on the coefficients (told whether they are T, E, B), alm2map: the result
/// keeps the map's scheme, field names and units.
fn through_alms(
    plan: &ShtPlan,
    map: &SkyMap,
    opts: &Map2AlmOptions,
    change: impl FnOnce(&mut [Alm], bool) -> Result<()>,
) -> Result<SkyMap> {
    let mut alms = map2alm_with(plan, map, opts.iter, opts.pol)?;
    let polarised = opts.pol && alms.len() >= 3;
    change(&mut alms, polarised)?;
    let mut out_values = Vec::new();
    if polarised {
        out_values.push(plan.alm2map(&alms[0])?);
        let [q, u] = plan.alm2map_spin2(&alms[1], &alms[2])?;
        out_values.extend([q, u]);
    } else {
        for a in &alms {
            out_values.push(plan.alm2map(a)?);
        }
    }
    let mut out = map.reorder(Scheme::Ring)?;
    for (field, values) in out.fields.iter_mut().zip(out_values) {
        field.values = values;
    }
    if map.scheme() != Scheme::Ring {
        out = out.reorder(map.scheme())?;
    }
    Ok(out)
}

/// Options of [`synfast`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SynfastOptions {
    /// Largest multipole; `None` = `3 nside − 1`.
    pub lmax: Option<usize>,
    /// Gaussian beam FWHM in radians (0 = no beam).
    pub fwhm: f64,
    /// Simulate T, Q, U (from TT, EE, BB, TE) rather than T alone.
    pub pol: bool,
    /// Convolve with the pixel windows ([`super::pixwin_pol`]: T's on T, P's on E and B), as
    /// healpy's `pixwin=True`.
    pub pixwin: bool,
}

impl Default for SynfastOptions {
    fn default() -> Self {
        SynfastOptions {
            lmax: None,
            fwhm: 0.0,
            pol: true,
            pixwin: false,
        }
    }
}

/// A Gaussian random map with the given spectra (healpy's `synfast(..., new=True)`), drawn from
/// `rng` (see [`super::sim_rng`] for reproducible streams). RING order; fields as [`alm2map`].
///
/// # Errors
/// When the spectra are invalid or shorter than `lmax`, or `lmax > 4 nside`.
pub fn synfast(
    cls: &InputCls,
    nside: u64,
    opts: &SynfastOptions,
    rng: &mut SimRng,
) -> Result<SkyMap> {
    let lmax = opts.lmax.unwrap_or(3 * nside as usize - 1);
    let plan = ShtPlan::new(nside, lmax, lmax)?;
    let windows = if opts.pixwin {
        Some(super::pixwin_pol(nside, Some(lmax))?)
    } else {
        None
    };
    synfast_with(&plan, cls, opts.fwhm, opts.pol, windows.as_ref(), rng)
}

/// [`synfast`] with a plan made beforehand (for many maps), and the pixel windows `[T, P]`
/// (from [`super::pixwin_pol`] at the plan's nside and lmax) applied when given.
///
/// # Errors
/// As [`synfast`].
pub fn synfast_with(
    plan: &ShtPlan,
    cls: &InputCls,
    fwhm: f64,
    pol: bool,
    pixel_windows: Option<&[Vec<f64>; 2]>,
    rng: &mut SimRng,
) -> Result<SkyMap> {
    let mut alms = synalm(cls, plan.lmax(), pol, rng)?;
    if fwhm > 0.0 {
        let beams = gauss_beam(fwhm, plan.lmax(), true);
        for (i, a) in alms.iter_mut().enumerate() {
            a.almxfl(&beams[i]);
        }
    }
    if let Some([t, p]) = pixel_windows {
        for (i, a) in alms.iter_mut().enumerate() {
            a.almxfl(if i == 0 { t } else { p });
        }
    }
    alm2map_with(plan, &alms)
}
