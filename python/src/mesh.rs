//! tessera-mesh on numpy arrays: vertices `(n, 3)` float64, faces `(m, 3)` int64.

use numpy::{IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray2};
use pyo3::prelude::*;
use tessera_mesh::{DualConfig, MeshGraph, TriMesh};

use crate::value_error;

fn mesh_from(
    vertices: &PyReadonlyArray2<'_, f64>,
    faces: &PyReadonlyArray2<'_, i64>,
) -> PyResult<TriMesh> {
    let (v, f) = (vertices.as_array(), faces.as_array());
    if v.ncols() != 3 || f.ncols() != 3 {
        return Err(value_error("vertices and faces must have 3 columns"));
    }
    let n = v.nrows();
    let faces = f
        .rows()
        .into_iter()
        .map(|r| -> PyResult<[u32; 3]> {
            let mut face = [0u32; 3];
            for (k, &i) in r.iter().enumerate() {
                face[k] = u32::try_from(i)
                    .ok()
                    .filter(|&i| (i as usize) < n)
                    .ok_or_else(|| value_error(format!("face index {i} is not a vertex of {n}")))?;
            }
            Ok(face)
        })
        .collect::<PyResult<_>>()?;
    let vertices = v.rows().into_iter().map(|r| [r[0], r[1], r[2]]).collect();
    Ok(TriMesh { vertices, faces })
}

type MeshArrays<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<i64>>);
type Cleaned<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<i64>>, String);

fn mesh_arrays<'py>(py: Python<'py>, mesh: TriMesh) -> PyResult<MeshArrays<'py>> {
    let (n, m) = (mesh.vertices.len(), mesh.faces.len());
    let v = mesh
        .vertices
        .into_flattened()
        .into_pyarray(py)
        .reshape([n, 3]);
    let f: Vec<i64> = mesh.faces.into_iter().flatten().map(i64::from).collect();
    let f = f.into_pyarray(py).reshape([m, 3]);
    Ok((v.map_err(value_error)?, f.map_err(value_error)?))
}

fn mesh_error(e: tessera_mesh::MeshError) -> PyErr {
    let text = e.to_string();
    if let tessera_mesh::MeshError::Io { source, .. } = &e
        && source.kind() == std::io::ErrorKind::NotFound
    {
        return pyo3::exceptions::PyFileNotFoundError::new_err(text);
    }
    value_error(text)
}

/// An OBJ or PLY file's vertices and faces (polygons fanned into triangles with `triangulate`).
#[pyfunction]
fn read_mesh(
    py: Python<'_>,
    path: std::path::PathBuf,
    triangulate: bool,
) -> PyResult<MeshArrays<'_>> {
    let mesh = py
        .detach(|| tessera_mesh::read_mesh(&path, triangulate))
        .map_err(mesh_error)?;
    mesh_arrays(py, mesh)
}

/// The cleaned mesh (merged vertices, degenerate, duplicate and non-manifold faces removed,
/// faces wound consistently) and the report of what changed, as JSON.
#[pyfunction]
fn clean<'py>(
    py: Python<'py>,
    vertices: PyReadonlyArray2<'py, f64>,
    faces: PyReadonlyArray2<'py, i64>,
) -> PyResult<Cleaned<'py>> {
    let mesh = mesh_from(&vertices, &faces)?;
    let (cleaned, report) = py
        .detach(|| tessera_mesh::clean(&mesh, "mesh"))
        .map_err(mesh_error)?;
    let json = serde_json::to_string(&report).map_err(value_error)?;
    let (v, f) = mesh_arrays(py, cleaned)?;
    Ok((v, f, json))
}

/// The primal graph (faces, and pairs of faces sharing an edge) as an edge index `(2, 2 P)`,
/// both directions, and PD-MeshNet's input features (config A): per face `(F, 1)`, per
/// adjacent pair `(P, 7)`.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn primal_dual<'py>(
    py: Python<'py>,
    vertices: PyReadonlyArray2<'py, f64>,
    faces: PyReadonlyArray2<'py, i64>,
) -> PyResult<(
    Bound<'py, PyArray2<i64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
)> {
    let mesh = mesh_from(&vertices, &faces)?;
    let (graph, features) = py
        .detach(|| {
            let graph = MeshGraph::new(&mesh, "mesh")?;
            let features = tessera_mesh::pd_features(&mesh, &graph, DualConfig::SingleUndirected);
            Ok::<_, tessera_mesh::MeshError>((graph, features))
        })
        .map_err(mesh_error)?;
    let pairs = &graph.faces.pairs;
    let sources = pairs
        .iter()
        .flat_map(|&[i, j]| [i64::from(i), i64::from(j)]);
    let targets = pairs
        .iter()
        .flat_map(|&[i, j]| [i64::from(j), i64::from(i)]);
    let index: Vec<i64> = sources.chain(targets).collect();
    let e = 2 * pairs.len();
    let index = index
        .into_pyarray(py)
        .reshape([2, e])
        .map_err(value_error)?;
    let faces_n = mesh.faces.len();
    let primal = features
        .primal
        .into_pyarray(py)
        .reshape([faces_n, features.primal_channels])
        .map_err(value_error)?;
    let dual_n = features.dual.len() / features.dual_channels.max(1);
    let dual = features
        .dual
        .into_pyarray(py)
        .reshape([dual_n, features.dual_channels])
        .map_err(value_error)?;
    Ok((index, primal, dual))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_mesh, m)?)?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add_function(wrap_pyfunction!(primal_dual, m)?)?;
    Ok(())
}
