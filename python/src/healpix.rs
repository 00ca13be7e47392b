//! tessera-healpix on numpy arrays: pixel indices as int64, angles in radians, NESTED or RING
//! by `nest`. Scalars, broadcasting, `lonlat` and healpy's defaults are the Python layer's.

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use tessera_healpix::{CoordSys, EulerType, Healpix, Parallelism, QueryMode, Rotator, Scheme};

use crate::value_error;

/// Two arrays handed back together.
type Pair<'py, A, B> = (Bound<'py, A>, Bound<'py, B>);

fn geometry(nside: u64, nest: bool) -> PyResult<Healpix> {
    let scheme = if nest { Scheme::Nested } else { Scheme::Ring };
    Healpix::new(nside, scheme).map_err(value_error)
}

/// Pixel indices from Python (int64, possibly negative) as u64, refusing negatives by value.
fn pixels(pix: &[i64]) -> PyResult<Vec<u64>> {
    pix.iter()
        .map(|&p| u64::try_from(p).map_err(|_| value_error(format!("pixel {p} is negative"))))
        .collect()
}

fn to_i64(v: Vec<u64>) -> Vec<i64> {
    v.into_iter().map(|p| p as i64).collect()
}

fn mode(inclusive: bool, fact: u32) -> QueryMode {
    if inclusive {
        QueryMode::Inclusive { fact }
    } else {
        QueryMode::Exclusive
    }
}

#[pyfunction]
fn ang2pix<'py>(
    py: Python<'py>,
    nside: u64,
    theta: PyReadonlyArray1<'py, f64>,
    phi: PyReadonlyArray1<'py, f64>,
    nest: bool,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let hp = geometry(nside, nest)?;
    let (theta, phi) = (theta.as_slice()?, phi.as_slice()?);
    let mut out = vec![0u64; theta.len()];
    py.detach(|| hp.ang2pix_into(theta, phi, &mut out, Parallelism::Rayon))
        .map_err(value_error)?;
    Ok(to_i64(out).into_pyarray(py))
}

#[pyfunction]
fn pix2ang<'py>(
    py: Python<'py>,
    nside: u64,
    pix: PyReadonlyArray1<'py, i64>,
    nest: bool,
) -> PyResult<Pair<'py, PyArray1<f64>, PyArray1<f64>>> {
    let hp = geometry(nside, nest)?;
    let pix = pixels(pix.as_slice()?)?;
    let (mut theta, mut phi) = (vec![0.0; pix.len()], vec![0.0; pix.len()]);
    py.detach(|| hp.pix2ang_into(&pix, &mut theta, &mut phi, Parallelism::Rayon))
        .map_err(value_error)?;
    Ok((theta.into_pyarray(py), phi.into_pyarray(py)))
}

#[pyfunction]
fn vec2pix<'py>(
    py: Python<'py>,
    nside: u64,
    xyz: PyReadonlyArray2<'py, f64>,
    nest: bool,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let hp = geometry(nside, nest)?;
    let xyz = xyz.as_array();
    if xyz.ncols() != 3 {
        return Err(value_error("vectors must have 3 components"));
    }
    let v: Vec<[f64; 3]> = xyz.rows().into_iter().map(|r| [r[0], r[1], r[2]]).collect();
    let mut out = vec![0u64; v.len()];
    py.detach(|| hp.vec2pix_into(&v, &mut out, Parallelism::Rayon))
        .map_err(value_error)?;
    Ok(to_i64(out).into_pyarray(py))
}

#[pyfunction]
fn pix2vec<'py>(
    py: Python<'py>,
    nside: u64,
    pix: PyReadonlyArray1<'py, i64>,
    nest: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let hp = geometry(nside, nest)?;
    let pix = pixels(pix.as_slice()?)?;
    let mut out = vec![[0.0; 3]; pix.len()];
    py.detach(|| hp.pix2vec_into(&pix, &mut out, Parallelism::Rayon))
        .map_err(value_error)?;
    let rows: Vec<Vec<f64>> = (0..3).map(|k| out.iter().map(|v| v[k]).collect()).collect();
    PyArray2::from_vec2(py, &rows).map_err(value_error)
}

#[pyfunction]
fn nest2ring<'py>(
    py: Python<'py>,
    nside: u64,
    pix: PyReadonlyArray1<'py, i64>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let hp = geometry(nside, true)?;
    let pix = pixels(pix.as_slice()?)?;
    let mut out = vec![0u64; pix.len()];
    py.detach(|| hp.nest2ring_into(&pix, &mut out, Parallelism::Rayon))
        .map_err(value_error)?;
    Ok(to_i64(out).into_pyarray(py))
}

#[pyfunction]
fn ring2nest<'py>(
    py: Python<'py>,
    nside: u64,
    pix: PyReadonlyArray1<'py, i64>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let hp = geometry(nside, false)?;
    let pix = pixels(pix.as_slice()?)?;
    let mut out = vec![0u64; pix.len()];
    py.detach(|| hp.ring2nest_into(&pix, &mut out, Parallelism::Rayon))
        .map_err(value_error)?;
    Ok(to_i64(out).into_pyarray(py))
}

/// The 8 neighbours of each pixel, shape (n, 8) (the Python side returns its transpose, a view,
/// as healpy's (8, n)), in healpy's order (SW, W, NW, N, NE, E, SE, S), −1 where a pixel has only
/// 7.
#[pyfunction]
fn get_all_neighbours<'py>(
    py: Python<'py>,
    nside: u64,
    pix: PyReadonlyArray1<'py, i64>,
    nest: bool,
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    let hp = geometry(nside, nest)?;
    let pix = pixels(pix.as_slice()?)?;
    let n = pix.len();
    let mut out = vec![[0i64; 8]; n];
    py.detach(|| hp.neighbours_into(&pix, &mut out, Parallelism::Rayon))
        .map_err(value_error)?;
    out.into_flattened()
        .into_pyarray(py)
        .reshape([n, 8])
        .map_err(value_error)
}

#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn query_disc<'py>(
    py: Python<'py>,
    nside: u64,
    vec: [f64; 3],
    radius: f64,
    inclusive: bool,
    fact: u32,
    nest: bool,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let hp = geometry(nside, nest)?;
    let found = hp
        .query_disc(vec, radius, mode(inclusive, fact))
        .map_err(value_error)?;
    Ok(to_i64(found).into_pyarray(py))
}

#[pyfunction]
fn query_strip<'py>(
    py: Python<'py>,
    nside: u64,
    theta1: f64,
    theta2: f64,
    inclusive: bool,
    nest: bool,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let hp = geometry(nside, nest)?;
    let found = hp
        .query_strip(theta1, theta2, mode(inclusive, 1))
        .map_err(value_error)?;
    Ok(to_i64(found).into_pyarray(py))
}

#[pyfunction]
fn query_polygon<'py>(
    py: Python<'py>,
    nside: u64,
    vertices: PyReadonlyArray2<'py, f64>,
    inclusive: bool,
    fact: u32,
    nest: bool,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let hp = geometry(nside, nest)?;
    let v = vertices.as_array();
    if v.ncols() != 3 {
        return Err(value_error("vertices must have 3 components"));
    }
    let v: Vec<[f64; 3]> = v.rows().into_iter().map(|r| [r[0], r[1], r[2]]).collect();
    let found = hp
        .query_polygon(&v, mode(inclusive, fact))
        .map_err(value_error)?;
    Ok(to_i64(found).into_pyarray(py))
}

/// The 4 pixels and weights of bilinear interpolation at each direction, each shape (4, n).
#[pyfunction]
fn get_interp_weights<'py>(
    py: Python<'py>,
    nside: u64,
    theta: PyReadonlyArray1<'py, f64>,
    phi: PyReadonlyArray1<'py, f64>,
    nest: bool,
) -> PyResult<Pair<'py, PyArray2<i64>, PyArray2<f64>>> {
    let hp = geometry(nside, nest)?;
    let (theta, phi) = (theta.as_slice()?, phi.as_slice()?);
    let mut out = vec![tessera_healpix::InterpWeights::default(); theta.len()];
    py.detach(|| hp.interp_weights_into(theta, phi, &mut out, Parallelism::Rayon))
        .map_err(value_error)?;
    let pix: Vec<Vec<i64>> = (0..4)
        .map(|k| out.iter().map(|w| w.pixels[k] as i64).collect())
        .collect();
    let weights: Vec<Vec<f64>> = (0..4)
        .map(|k| out.iter().map(|w| w.weights[k]).collect())
        .collect();
    Ok((
        PyArray2::from_vec2(py, &pix).map_err(value_error)?,
        PyArray2::from_vec2(py, &weights).map_err(value_error)?,
    ))
}

#[pyfunction]
fn get_interp_val<'py>(
    py: Python<'py>,
    map: PyReadonlyArray1<'py, f64>,
    theta: PyReadonlyArray1<'py, f64>,
    phi: PyReadonlyArray1<'py, f64>,
    nest: bool,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let map = map.as_slice()?;
    let nside = tessera_healpix::Nside::from_npix(map.len() as u64).map_err(value_error)?;
    let hp = geometry(nside.get(), nest)?;
    let (theta, phi) = (theta.as_slice()?, phi.as_slice()?);
    let mut out = vec![0.0; theta.len()];
    py.detach(|| hp.interpolate_into(map, theta, phi, &mut out, Parallelism::Rayon))
        .map_err(value_error)?;
    Ok(out.into_pyarray(py))
}

/// The boundary of a pixel, `4 step` points, shape (3, 4 step).
#[pyfunction]
fn boundaries<'py>(
    py: Python<'py>,
    nside: u64,
    pix: i64,
    step: usize,
    nest: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let hp = geometry(nside, nest)?;
    let pix = pixels(&[pix])?[0];
    let points = hp.boundaries(pix, step).map_err(value_error)?;
    let rows: Vec<Vec<f64>> = (0..3)
        .map(|k| points.iter().map(|p| p[k]).collect())
        .collect();
    PyArray2::from_vec2(py, &rows).map_err(value_error)
}

/// The matrix of one healpy `Rotator(rot=…, coord=…, eulertype=…)` element: Euler angles in
/// radians (the conversion first when `coord` names two frames).
#[pyfunction]
fn rotator_matrix(
    rot: [f64; 3],
    coord: Option<(String, String)>,
    eulertype: &str,
) -> PyResult<[[f64; 3]; 3]> {
    let convention = match eulertype {
        "ZYX" => EulerType::Zyx,
        "X" => EulerType::X,
        "Y" => EulerType::Y,
        other => {
            return Err(value_error(format!(
                "eulertype {other:?} is not ZYX, X or Y"
            )));
        }
    };
    let rotator = match coord {
        Some((from, to)) => {
            let frame = |name: &str| name.parse::<CoordSys>().map_err(value_error);
            Rotator::euler_in(rot, convention, frame(&from)?, frame(&to)?)
        }
        None => Rotator::euler(rot, convention),
    };
    Ok(rotator.matrix())
}

/// Directions (colatitude, longitude in radians) turned by a rotation `matrix`, as healpy's
/// `Rotator.__call__` computes them (through unit vectors; longitudes in (−π, π]).
#[pyfunction]
fn rotate_directions<'py>(
    py: Python<'py>,
    matrix: [[f64; 3]; 3],
    theta: PyReadonlyArray1<'py, f64>,
    phi: PyReadonlyArray1<'py, f64>,
) -> PyResult<Pair<'py, PyArray1<f64>, PyArray1<f64>>> {
    use rayon::prelude::*;
    let (theta, phi) = (theta.as_slice()?, phi.as_slice()?);
    if theta.len() != phi.len() {
        return Err(value_error("theta and phi must have the same length"));
    }
    let turn = |(&t, &p): (&f64, &f64)| {
        let (st, ct) = t.sin_cos();
        let (sp, cp) = p.sin_cos();
        let v = [st * cp, st * sp, ct];
        let [x, y, z] = matrix.map(|row| row[0] * v[0] + row[1] * v[1] + row[2] * v[2]);
        let r = (x * x + y * y + z * z).sqrt();
        ((z / r).acos(), y.atan2(x))
    };
    let (t, p): (Vec<f64>, Vec<f64>) = py.detach(|| theta.par_iter().zip(phi).map(turn).unzip());
    Ok((t.into_pyarray(py), p.into_pyarray(py)))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(rotator_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(rotate_directions, m)?)?;
    m.add_function(wrap_pyfunction!(ang2pix, m)?)?;
    m.add_function(wrap_pyfunction!(pix2ang, m)?)?;
    m.add_function(wrap_pyfunction!(vec2pix, m)?)?;
    m.add_function(wrap_pyfunction!(pix2vec, m)?)?;
    m.add_function(wrap_pyfunction!(nest2ring, m)?)?;
    m.add_function(wrap_pyfunction!(ring2nest, m)?)?;
    m.add_function(wrap_pyfunction!(get_all_neighbours, m)?)?;
    m.add_function(wrap_pyfunction!(query_disc, m)?)?;
    m.add_function(wrap_pyfunction!(query_strip, m)?)?;
    m.add_function(wrap_pyfunction!(query_polygon, m)?)?;
    m.add_function(wrap_pyfunction!(get_interp_weights, m)?)?;
    m.add_function(wrap_pyfunction!(get_interp_val, m)?)?;
    m.add_function(wrap_pyfunction!(boundaries, m)?)?;
    Ok(())
}
