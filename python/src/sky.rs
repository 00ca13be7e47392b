//! tessera-sky on numpy arrays: maps as lists of float64 arrays (RING unless `nest`), a_lm as
//! complex128 arrays in healpy's order, spectra as rows.

use numpy::Complex64;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use tessera_healpix::{Healpix, Nside, Scheme};
use tessera_sky::sht::{self, Alm, Map2AlmOptions};
use tessera_sky::{
    Dtype, FieldSelection, ReadOptions, SkyMap, UdGradeOptions, WriteOptions, read_header,
};

use crate::{to_py, value_error};

pub(crate) type Maps<'py> = Vec<PyReadonlyArray1<'py, f64>>;

/// A SkyMap of the given fields (each `npix` long) in `scheme`.
pub(crate) fn sky_map(maps: &Maps, nest: bool, names: Option<Vec<String>>) -> PyResult<SkyMap> {
    let first = maps.first().ok_or_else(|| value_error("no map given"))?;
    let npix = first.len()?;
    let nside = Nside::from_npix(npix as u64).map_err(value_error)?;
    let scheme = if nest { Scheme::Nested } else { Scheme::Ring };
    let geometry = Healpix::new(nside.get(), scheme).map_err(value_error)?;
    let default_names = ["I_STOKES", "Q_STOKES", "U_STOKES"];
    let fields = maps
        .iter()
        .enumerate()
        .map(|(i, m)| -> PyResult<(String, Vec<f64>)> {
            let name = match &names {
                Some(n) => n.get(i).cloned().unwrap_or_else(|| format!("FIELD{i}")),
                None if maps.len() == 3 => default_names[i].to_string(),
                None if i == 0 => "I_STOKES".to_string(),
                None => format!("FIELD{i}"),
            };
            Ok((name, m.as_slice()?.to_vec()))
        })
        .collect::<PyResult<Vec<_>>>()?;
    SkyMap::new(geometry, fields).map_err(to_py)
}

fn arrays<'py>(py: Python<'py>, map: SkyMap) -> Vec<Bound<'py, PyArray1<f64>>> {
    map.fields
        .into_iter()
        .map(|f| f.values.into_pyarray(py))
        .collect()
}

/// healpy's analysis settings; `use_weights`: HEALPix ring weights.
fn options(
    lmax: Option<usize>,
    mmax: Option<usize>,
    iter: usize,
    pol: bool,
    use_weights: bool,
) -> Map2AlmOptions {
    Map2AlmOptions {
        lmax,
        mmax,
        iter,
        pol,
        use_weights,
    }
}

/// Reads the fields of a HEALPix FITS map: their values (in `nest` order), the file's header
/// cards as (key, value) pairs, and the field names.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn read_map<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    fields: Option<Vec<usize>>,
    nest: bool,
    hdu: usize,
) -> PyResult<(
    Vec<Bound<'py, PyArray1<f64>>>,
    Vec<(String, String)>,
    Vec<String>,
)> {
    let opts = ReadOptions {
        fields: fields.map_or(FieldSelection::All, FieldSelection::Indices),
        hdu,
        scheme: Some(if nest { Scheme::Nested } else { Scheme::Ring }),
    };
    let (map, header) = py
        .detach(|| {
            Ok::<_, tessera_sky::SkyError>((
                tessera_sky::read_map(&path, &opts)?,
                read_header(&path, hdu)?,
            ))
        })
        .map_err(to_py)?;
    let cards = header.cards.into_iter().map(|c| (c.key, c.value)).collect();
    let names = map.fields.iter().map(|f| f.name.clone()).collect();
    Ok((arrays(py, map), cards, names))
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn write_map(
    py: Python<'_>,
    path: std::path::PathBuf,
    maps: Maps,
    nest: bool,
    coord: Option<String>,
    overwrite: bool,
    column_names: Option<Vec<String>>,
    float64: bool,
    partial: bool,
) -> PyResult<()> {
    let mut map = sky_map(&maps, nest, column_names)?;
    map.coord = coord;
    let opts = WriteOptions {
        dtype: if float64 { Dtype::F64 } else { Dtype::F32 },
        overwrite,
        partial,
    };
    py.detach(|| tessera_sky::write_map(&path, &map, &opts))
        .map_err(to_py)
}

#[pyfunction]
fn ud_grade<'py>(
    py: Python<'py>,
    maps: Maps<'py>,
    nside_out: u64,
    nest: bool,
    pess: bool,
    power: Option<f64>,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let map = sky_map(&maps, nest, None)?;
    let out = py
        .detach(|| map.ud_grade(nside_out, UdGradeOptions { pess, power }))
        .map_err(to_py)?;
    Ok(arrays(py, out))
}

/// The map in the other scheme: RING → NESTED with `r2n`, else NESTED → RING (straight from
/// the arrays, without a copy into a SkyMap).
#[pyfunction]
fn reorder<'py>(
    py: Python<'py>,
    maps: Maps<'py>,
    r2n: bool,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let (from, to) = if r2n {
        (Scheme::Ring, Scheme::Nested)
    } else {
        (Scheme::Nested, Scheme::Ring)
    };
    let mut out = Vec::with_capacity(maps.len());
    for m in &maps {
        let values = m.as_slice()?;
        let nside = Nside::from_npix(values.len() as u64).map_err(value_error)?;
        let geometry = Healpix::new(nside.get(), from).map_err(value_error)?;
        let turned = py
            .detach(|| geometry.reorder(values, from, to))
            .map_err(value_error)?;
        out.push(turned.into_pyarray(py));
    }
    Ok(out)
}

fn alm_array<'py>(py: Python<'py>, alm: Alm) -> Bound<'py, PyArray1<Complex64>> {
    alm.into_vec().into_pyarray(py)
}

#[pyfunction]
fn map2alm<'py>(
    py: Python<'py>,
    maps: Maps<'py>,
    lmax: Option<usize>,
    mmax: Option<usize>,
    iter: usize,
    pol: bool,
    use_weights: bool,
) -> PyResult<Vec<Bound<'py, PyArray1<Complex64>>>> {
    let map = sky_map(&maps, false, None)?;
    let opts = options(lmax, mmax, iter, pol, use_weights);
    let alms = py.detach(|| sht::map2alm(&map, &opts)).map_err(to_py)?;
    Ok(alms.into_iter().map(|a| alm_array(py, a)).collect())
}

#[pyfunction]
fn alm2map<'py>(
    py: Python<'py>,
    alms: Vec<PyReadonlyArray1<'py, Complex64>>,
    nside: u64,
    lmax: usize,
    mmax: usize,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let alms = alms_from(&alms, lmax, mmax)?;
    let map = py.detach(|| sht::alm2map(&alms, nside)).map_err(to_py)?;
    Ok(arrays(py, map))
}

/// The spectra of one map or the cross spectra of two, rows in healpy's order (TT, EE, BB, TE,
/// EB, TB for T, Q, U maps with `pol`; TT alone otherwise).
#[pyfunction]
fn anafast<'py>(
    py: Python<'py>,
    maps: Maps<'py>,
    maps2: Option<Maps<'py>>,
    lmax: Option<usize>,
    iter: usize,
    pol: bool,
    use_weights: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let a = sky_map(&maps, false, None)?;
    let opts = options(lmax, None, iter, pol, use_weights);
    let b = maps2.map(|b| sky_map(&b, false, None)).transpose()?;
    let spectra = py
        .detach(|| match &b {
            Some(b) => sht::anafast_cross(&a, b, &opts),
            None => sht::anafast(&a, &opts),
        })
        .map_err(to_py)?;
    let rows: Vec<Vec<f64>> = spectra.spectra.into_iter().map(|(_, cl)| cl).collect();
    PyArray2::from_vec2(py, &rows).map_err(value_error)
}

/// The map smoothed by a Gaussian of `fwhm` radians (UNSEEN pixels stay UNSEEN).
#[pyfunction]
#[allow(clippy::too_many_arguments)] // healpy's keyword arguments, one each
fn smoothing<'py>(
    py: Python<'py>,
    maps: Maps<'py>,
    fwhm: f64,
    lmax: Option<usize>,
    iter: usize,
    pol: bool,
    nest: bool,
    use_weights: bool,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let map = sky_map(&maps, nest, None)?;
    let opts = options(lmax, None, iter, pol, use_weights);
    let out = py
        .detach(|| sht::smoothing(&map, fwhm, &opts))
        .map_err(to_py)?;
    Ok(arrays(py, out))
}

#[pyfunction]
fn pixwin<'py>(
    py: Python<'py>,
    nside: u64,
    pol: bool,
    lmax: Option<usize>,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    if pol {
        let [t, p] = sht::pixwin_pol(nside, lmax).map_err(to_py)?;
        Ok(vec![t.into_pyarray(py), p.into_pyarray(py)])
    } else {
        Ok(vec![
            sht::pixwin(nside, lmax).map_err(to_py)?.into_pyarray(py),
        ])
    }
}

#[pyfunction]
fn gauss_beam<'py>(
    py: Python<'py>,
    fwhm: f64,
    lmax: usize,
    pol: bool,
) -> Vec<Bound<'py, PyArray1<f64>>> {
    sht::gauss_beam(fwhm, lmax, pol)
        .into_iter()
        .map(|b| b.into_pyarray(py))
        .collect()
}

fn alms_from<'py>(
    alms: &[PyReadonlyArray1<'py, Complex64>],
    lmax: usize,
    mmax: usize,
) -> PyResult<Vec<Alm>> {
    alms.iter()
        .map(|a| Alm::from_vec(lmax, mmax, a.as_slice()?.to_vec()).map_err(to_py))
        .collect()
}

/// The columns of a C_l (or B_l) FITS table, each with its name.
#[pyfunction]
fn read_cl<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
) -> PyResult<Vec<(String, Bound<'py, PyArray1<f64>>)>> {
    let columns = py.detach(|| tessera_sky::read_cl(&path)).map_err(to_py)?;
    Ok(columns
        .into_iter()
        .map(|(name, values)| (name, values.into_pyarray(py)))
        .collect())
}

/// Writes spectra in healpy's order (TT, EE, BB, TE, EB, TB: as many as given).
#[pyfunction]
fn write_cl(
    py: Python<'_>,
    path: std::path::PathBuf,
    cls: Vec<PyReadonlyArray1<'_, f64>>,
    overwrite: bool,
) -> PyResult<()> {
    use sht::Spectrum::{BB, EB, EE, TB, TE, TT};
    if cls.len() > 6 {
        return Err(value_error(format!("{} spectra: at most 6", cls.len())));
    }
    let spectra = [TT, EE, BB, TE, EB, TB]
        .into_iter()
        .zip(&cls)
        .map(|(s, c)| Ok((s, c.as_slice()?.to_vec())))
        .collect::<PyResult<Vec<_>>>()?;
    let spectra = sht::PowerSpectra { spectra };
    py.detach(|| tessera_sky::write_cl(&path, &spectra, overwrite))
        .map_err(to_py)
}

/// The a_lm of one HDU of an a_lm FITS file, with their lmax and mmax.
#[pyfunction]
fn read_alm<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    hdu: usize,
) -> PyResult<(Bound<'py, PyArray1<Complex64>>, usize, usize)> {
    let alm = py
        .detach(|| tessera_sky::read_alm(&path, hdu))
        .map_err(to_py)?;
    let (lmax, mmax) = (alm.lmax(), alm.mmax());
    Ok((alm_array(py, alm), lmax, mmax))
}

#[pyfunction]
fn write_alm(
    py: Python<'_>,
    path: std::path::PathBuf,
    alms: Vec<PyReadonlyArray1<'_, Complex64>>,
    lmax: usize,
    mmax: usize,
    overwrite: bool,
) -> PyResult<()> {
    let alms = alms_from(&alms, lmax, mmax)?;
    py.detach(|| tessera_sky::write_alm(&path, &alms, overwrite))
        .map_err(to_py)
}

/// The a_lm rotated by the Euler angles (ψ, θ, φ), or by a rotation matrix when given.
#[pyfunction]
fn rotate_alm<'py>(
    py: Python<'py>,
    alm: PyReadonlyArray1<'py, Complex64>,
    lmax: usize,
    angles: [f64; 3],
    matrix: Option<[[f64; 3]; 3]>,
) -> PyResult<Bound<'py, PyArray1<Complex64>>> {
    let mut a = Alm::from_vec(lmax, lmax, alm.as_slice()?.to_vec()).map_err(to_py)?;
    py.detach(|| match matrix {
        Some(m) => sht::rotate_alm(&mut a, &tessera_healpix::Rotator::from_matrix(m)),
        None => sht::rotate_alm_euler(&mut a, angles[0], angles[1], angles[2]),
    })
    .map_err(to_py)?;
    Ok(alm_array(py, a))
}

/// The least-squares a_lm of a map, its relative residual and the iterations taken.
#[pyfunction]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn map2alm_lsq<'py>(
    py: Python<'py>,
    maps: Maps<'py>,
    lmax: usize,
    mmax: usize,
    pol: bool,
    tol: f64,
    maxiter: usize,
) -> PyResult<(Vec<Bound<'py, PyArray1<Complex64>>>, f64, usize)> {
    let map = sky_map(&maps, false, None)?;
    let opts = sht::LsqOptions {
        lmax,
        mmax: Some(mmax),
        pol,
        tol,
        maxiter,
    };
    let fit = py.detach(|| sht::map2alm_lsq(&map, &opts)).map_err(to_py)?;
    let alms = fit.alms.into_iter().map(|a| alm_array(py, a)).collect();
    Ok((alms, fit.rel_res, fit.iterations))
}

/// The map and its derivatives ∂/∂θ and (1/sin θ) ∂/∂φ.
#[pyfunction]
fn alm2map_der1<'py>(
    py: Python<'py>,
    alm: PyReadonlyArray1<'py, Complex64>,
    nside: u64,
    lmax: usize,
    mmax: usize,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let a = Alm::from_vec(lmax, mmax, alm.as_slice()?.to_vec()).map_err(to_py)?;
    let map = py.detach(|| sht::alm2map_der1(&a, nside)).map_err(to_py)?;
    Ok(arrays(py, map))
}

/// The maps seen in the frame a rotation `matrix` leads to, by interpolating the pixels
/// (healpy's `Rotator.rotate_map_pixel`), in the maps' ordering.
#[pyfunction]
fn rotate_map_pixel<'py>(
    py: Python<'py>,
    maps: Maps<'py>,
    matrix: [[f64; 3]; 3],
    nest: bool,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let map = sky_map(&maps, nest, None)?;
    let rotator = tessera_healpix::Rotator::from_matrix(matrix);
    let out = py.detach(|| map.rotate_pixels(&rotator)).map_err(to_py)?;
    Ok(arrays(py, out))
}

/// The maps seen in the frame a rotation `matrix` leads to, through their a_lm (healpy's
/// `Rotator.rotate_map_alms` without pixel weights), RING order.
#[pyfunction]
fn rotate_map_alms<'py>(
    py: Python<'py>,
    maps: Maps<'py>,
    matrix: [[f64; 3]; 3],
    lmax: Option<usize>,
    iter: usize,
    use_weights: bool,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let map = sky_map(&maps, false, None)?;
    let rotator = tessera_healpix::Rotator::from_matrix(matrix);
    let opts = options(lmax, None, iter, true, use_weights);
    let out = py
        .detach(|| sht::rotate_map_alms(&map, &rotator, &opts))
        .map_err(to_py)?;
    Ok(arrays(py, out))
}

/// The two maps of a spin-`spin` field from its gradient and curl coefficients.
#[pyfunction]
fn alm2map_spin<'py>(
    py: Python<'py>,
    alms: Vec<PyReadonlyArray1<'py, Complex64>>,
    nside: u64,
    spin: usize,
    lmax: usize,
    mmax: usize,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let [g, c]: [Alm; 2] = alms_from(&alms, lmax, mmax)?
        .try_into()
        .map_err(|_| value_error("alm2map_spin needs two a_lm arrays (G, C)"))?;
    let maps = py
        .detach(|| sht::alm2map_spin(&[g, c], nside, spin))
        .map_err(to_py)?;
    Ok(maps.into_iter().map(|m| m.into_pyarray(py)).collect())
}

/// The gradient and curl coefficients of a spin-`spin` field from its two RING maps.
#[pyfunction]
fn map2alm_spin<'py>(
    py: Python<'py>,
    maps: Vec<PyReadonlyArray1<'py, f64>>,
    spin: usize,
    lmax: usize,
    mmax: usize,
) -> PyResult<Vec<Bound<'py, PyArray1<Complex64>>>> {
    let [q, u] = &maps[..] else {
        return Err(value_error("map2alm_spin needs two maps"));
    };
    let (q, u) = (q.as_slice()?, u.as_slice()?);
    let alms = py
        .detach(|| sht::map2alm_spin([q, u], spin, lmax, mmax))
        .map_err(to_py)?;
    Ok(alms.into_iter().map(|a| alm_array(py, a)).collect())
}

/// The spectra given as one row (TT) or four (TT, EE, BB, TE), each from ℓ = 0.
fn input_cls(cls: Vec<Vec<f64>>) -> PyResult<(sht::InputCls, bool)> {
    let mut rows = cls.into_iter();
    match (
        rows.next(),
        rows.next(),
        rows.next(),
        rows.next(),
        rows.next(),
    ) {
        (Some(tt), None, ..) => Ok((sht::InputCls::temperature(tt), false)),
        (Some(tt), Some(ee), Some(bb), Some(te), None) => {
            Ok((sht::InputCls { tt, ee, bb, te }, true))
        }
        _ => Err(value_error(
            "cls: one spectrum (TT) or four (TT, EE, BB, TE), each from l = 0",
        )),
    }
}

/// A Gaussian map of the spectra (T, or T, Q, U with `pol`), reproducible from `seed`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn synfast<'py>(
    py: Python<'py>,
    cls: Vec<Vec<f64>>,
    nside: u64,
    lmax: Option<usize>,
    fwhm: f64,
    pixwin: bool,
    pol: bool,
    seed: u64,
) -> PyResult<Vec<Bound<'py, PyArray1<f64>>>> {
    let (cls, polarised) = input_cls(cls)?;
    let opts = sht::SynfastOptions {
        lmax,
        fwhm,
        pol: pol && polarised,
        pixwin,
    };
    let map = py
        .detach(|| sht::synfast(&cls, nside, &opts, &mut sht::sim_rng(seed, 0)))
        .map_err(to_py)?;
    Ok(arrays(py, map))
}

/// `count` maps of a simulation recipe (`tessera sim`: τ or NNhealpix's ℓ_p mock), map `i` of
/// `seed` the same as the command line's, and the parameter drawn for each.
#[pyfunction]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn simulate<'py>(
    py: Python<'py>,
    task: &str,
    nside: u64,
    count: u64,
    seed: u64,
    range: Option<(f64, f64)>,
    noise: f64,
    fwhm: f64,
    mask: Option<PyReadonlyArray1<'py, f64>>,
    supersample: u64,
    pixwin: bool,
) -> PyResult<(
    Vec<Vec<Bound<'py, PyArray1<f64>>>>,
    Bound<'py, PyArray1<f64>>,
)> {
    use tessera_sky::sim::{SimConfig, Simulator};
    let task = sim_task(task, nside, range)?;
    let config = SimConfig {
        supersample,
        pixwin,
        seed,
        noise_uk_arcmin: noise,
        fwhm,
        mask: match mask {
            Some(m) => Some(m.as_slice()?.to_vec()),
            None => None,
        },
        ..SimConfig::new(task, nside)
    };
    let sims = py
        .detach(|| {
            let sim = Simulator::new(config)?;
            (0..count)
                .map(|i| sim.simulate(i))
                .collect::<tessera_sky::Result<Vec<_>>>()
        })
        .map_err(to_py)?;
    let parameters: Vec<f64> = sims
        .iter()
        .map(|s| s.parameter.unwrap_or(f64::NAN))
        .collect();
    let maps = sims.into_iter().map(|s| arrays(py, s.map)).collect();
    Ok((maps, parameters.into_pyarray(py)))
}

/// The simulation task named on the Python side.
fn sim_task(
    task: &str,
    nside: u64,
    range: Option<(f64, f64)>,
) -> PyResult<tessera_sky::sim::SimTask> {
    tessera_sky::sim::SimTask::named(task, nside, range).ok_or_else(|| {
        value_error(format!(
            "task {task:?}: one of {}",
            tessera_sky::sim::SimTask::NAMES.join(", ")
        ))
    })
}

/// The spectrum-likelihood estimate of each map's parameter: (value, sigma, maximum
/// likelihood) rows. The maps were made as the arguments say (noise, beam, pixels).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn estimate<'py>(
    py: Python<'py>,
    maps: Vec<Maps<'py>>,
    task: &str,
    range: Option<(f64, f64)>,
    noise: f64,
    fwhm: f64,
    supersample: u64,
    pixwin: bool,
    lmin: usize,
    lmax: Option<usize>,
    nest: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    use rayon::prelude::*;
    use tessera_sky::sim::{ParameterEstimator, SimConfig};
    let first = maps
        .first()
        .and_then(|m| m.first())
        .ok_or_else(|| value_error("no maps given"))?;
    let nside = Nside::from_npix(first.len()? as u64)
        .map_err(value_error)?
        .get();
    let made = SimConfig {
        supersample,
        pixwin,
        noise_uk_arcmin: noise,
        fwhm,
        ..SimConfig::new(sim_task(task, nside, range)?, nside)
    };
    let sky: Vec<SkyMap> = maps
        .iter()
        .map(|m| sky_map(m, nest, None))
        .collect::<PyResult<_>>()?;
    let rows = py
        .detach(|| {
            let estimator = ParameterEstimator::new(&made, lmin, lmax)?;
            sky.par_iter()
                .map(|m| {
                    estimator
                        .estimate(m)
                        .map(|e| vec![e.value, e.sigma, e.max_likelihood])
                })
                .collect::<tessera_sky::Result<Vec<_>>>()
        })
        .map_err(to_py)?;
    PyArray2::from_vec2(py, &rows).map_err(value_error)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_map, m)?)?;
    m.add_function(wrap_pyfunction!(write_map, m)?)?;
    m.add_function(wrap_pyfunction!(ud_grade, m)?)?;
    m.add_function(wrap_pyfunction!(reorder, m)?)?;
    m.add_function(wrap_pyfunction!(map2alm, m)?)?;
    m.add_function(wrap_pyfunction!(alm2map, m)?)?;
    m.add_function(wrap_pyfunction!(anafast, m)?)?;
    m.add_function(wrap_pyfunction!(smoothing, m)?)?;
    m.add_function(wrap_pyfunction!(pixwin, m)?)?;
    m.add_function(wrap_pyfunction!(gauss_beam, m)?)?;
    for f in [
        wrap_pyfunction!(read_cl, m)?,
        wrap_pyfunction!(write_cl, m)?,
        wrap_pyfunction!(read_alm, m)?,
        wrap_pyfunction!(write_alm, m)?,
        wrap_pyfunction!(rotate_alm, m)?,
        wrap_pyfunction!(map2alm_lsq, m)?,
        wrap_pyfunction!(alm2map_der1, m)?,
        wrap_pyfunction!(alm2map_spin, m)?,
        wrap_pyfunction!(rotate_map_pixel, m)?,
        wrap_pyfunction!(rotate_map_alms, m)?,
        wrap_pyfunction!(map2alm_spin, m)?,
        wrap_pyfunction!(synfast, m)?,
        wrap_pyfunction!(simulate, m)?,
        wrap_pyfunction!(estimate, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
