//! Trained Tessera networks from Python: sphere run folders (written by `tessera train sphere`
//! or `tessera import nnhealpix`) applied to numpy maps, with the guard's findings; mesh
//! classifiers and segmenters applied to mesh files; graph classifiers applied to TU folders.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyValueError};
use pyo3::prelude::*;
use tessera_train::TrainError;
use tessera_train::guard::predict_maps;
use tessera_train::models::SphereCnn;
use tessera_train::sphere::SphereRun;

use crate::sky::{Maps, sky_map};

/// A training-side error as the Python exception its kind calls for.
fn train_error(e: TrainError) -> PyErr {
    match &e {
        TrainError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(e.to_string())
        }
        TrainError::Io { .. } => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// A sphere network and its run record.
#[pyclass(unsendable)]
struct SphereModel {
    run: SphereRun,
    net: SphereCnn,
    nside: u64,
    gaussian: bool,
}

#[pymethods]
impl SphereModel {
    /// Loads the run folder `path` (run.json and model.bpk).
    #[new]
    fn load(path: PathBuf) -> PyResult<Self> {
        let (run, net) = SphereRun::load(&path).map_err(train_error)?;
        let model = run.model_config().map_err(train_error)?;
        Ok(SphereModel {
            nside: model.nside,
            gaussian: model.gaussian,
            run,
            net,
        })
    }

    /// Class names, or parameter names.
    #[getter]
    fn target_names(&self) -> Vec<String> {
        self.run.target_names.clone()
    }

    /// Whether the network classifies (else it estimates parameters).
    #[getter]
    fn classification(&self) -> bool {
        self.run.classification
    }

    /// The resolution the network reads.
    #[getter]
    fn nside(&self) -> u64 {
        self.nside
    }

    /// The fields the network reads: "T", "QU" or "TQU".
    #[getter]
    fn fields(&self) -> String {
        format!("{:?}", self.run.fields)
    }

    /// Whether each parameter comes with its σ (a Gaussian head).
    #[getter]
    fn gaussian(&self) -> bool {
        self.gaussian
    }

    /// The network on `maps` (each a list of fields: T, or T, Q, U), as `tessera predict`:
    /// rows of class probabilities or values (then σ), and each map's findings as text.
    #[allow(clippy::type_complexity)]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        maps: Vec<Maps<'py>>,
        nest: bool,
        degrade: bool,
        average_rotations: bool,
        unit: Option<String>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<Vec<String>>)> {
        let sky = maps
            .iter()
            .map(|m| {
                let mut map = sky_map(m, nest, None)?;
                for field in &mut map.fields {
                    field.unit = unit.clone();
                }
                Ok(map)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let names: Vec<String> = (0..sky.len()).map(|i| format!("map {i}")).collect();
        let predictions = predict_maps(
            &self.run,
            &self.net,
            sky,
            &names,
            degrade,
            average_rotations,
        )
        .map_err(train_error)?;
        let rows: Vec<Vec<f64>> = predictions.iter().map(|p| p.outputs.clone()).collect();
        let findings = predictions
            .iter()
            .map(|p| p.findings.iter().map(ToString::to_string).collect())
            .collect();
        let width = rows.first().map_or(0, Vec::len);
        let array = if rows.is_empty() {
            PyArray2::zeros(py, [0, width], false)
        } else {
            PyArray2::from_vec2(py, &rows).map_err(crate::value_error)?
        };
        Ok((array, findings))
    }
}

/// Imports an NNhealpix network saved by Keras (`model.save("model.h5")`) as a sphere run
/// folder `output` (`tessera import nnhealpix`); returns what each layer became.
#[pyfunction]
fn import_nnhealpix(
    py: Python<'_>,
    model: PathBuf,
    output: PathBuf,
    classes: Option<Vec<String>>,
) -> PyResult<Vec<String>> {
    py.detach(|| {
        let imported = tessera_train::nnhealpix::import_nnhealpix(&model)?;
        let data = serde_json::json!({
            "imported_from": model.display().to_string(),
            "layers": imported.layers,
        });
        let run = imported.to_run(classes, "imported", data, 0)?;
        run.save(&imported.net, &output)?;
        Ok(imported.layers)
    })
    .map_err(train_error)
}

/// A mesh classifier (`tessera train mesh`) and its run record.
#[pyclass(unsendable)]
struct MeshModel {
    run: tessera_train::meshfit::MeshRun,
    net: tessera_train::models::PdMeshNet,
}

#[pymethods]
impl MeshModel {
    /// Loads the run folder `path` (run.json and model.bpk).
    #[new]
    fn load(path: PathBuf) -> PyResult<Self> {
        let (run, net) = tessera_train::meshfit::MeshRun::load(&path).map_err(train_error)?;
        Ok(MeshModel { run, net })
    }

    /// Class names, by index.
    #[getter]
    fn classes(&self) -> Vec<String> {
        self.run.classes.clone()
    }

    /// Class probabilities of each mesh file (OBJ or PLY), rows in the files' order; each mesh
    /// is cleaned and standardised as the training meshes were.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<PathBuf>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let rows = py
            .detach(|| {
                let samples = paths
                    .iter()
                    .map(|p| self.run.sample(p))
                    .collect::<Result<Vec<_>, _>>()?;
                tessera_train::meshfit::classify(&self.net, &samples, 16)
            })
            .map_err(train_error)?;
        PyArray2::from_vec2(py, &rows).map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

/// A mesh segmenter (`tessera train mesh --task segment`) and its run record.
#[pyclass(unsendable)]
struct SegmentModel {
    run: tessera_train::segfit::SegmentRun,
    net: tessera_train::models::PdMeshSegmenter,
}

#[pymethods]
impl SegmentModel {
    /// Loads the run folder `path` (run.json and model.bpk).
    #[new]
    fn load(path: PathBuf) -> PyResult<Self> {
        let (run, net) = tessera_train::segfit::SegmentRun::load(&path).map_err(train_error)?;
        Ok(SegmentModel { run, net })
    }

    /// Part names, by label.
    #[getter]
    fn parts(&self) -> Vec<String> {
        self.run.parts.clone()
    }

    /// The part of every face of the mesh file, in the file's order, counted from 1 as label
    /// files count them (0 for a face that cleaning dropped).
    fn predict<'py>(&self, py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyArray1<u16>>> {
        let parts = py
            .detach(|| self.run.predict_file(&self.net, &path))
            .map_err(train_error)?;
        Ok(parts.file_labels().into_pyarray(py))
    }
}

/// A graph classifier (`tessera train graph --final`) and its run record.
#[pyclass(unsendable)]
struct GraphModel {
    run: tessera_train::graph_run::GraphRun,
    net: tessera_train::models::GinClassifier,
}

#[pymethods]
impl GraphModel {
    /// Loads the run folder `path` (config.json, model.bpk and the vocabulary).
    #[new]
    fn load(path: PathBuf) -> PyResult<Self> {
        let (run, net) = tessera_train::graph_run::GraphRun::load(&path).map_err(train_error)?;
        Ok(GraphModel { run, net })
    }

    /// The graph labels of the training data, by class index.
    #[getter]
    fn classes(&self) -> Vec<i64> {
        self.run.vocabulary.classes.clone()
    }

    /// Class probabilities of every graph of a TU folder (labels optional), read as the
    /// training data was (features, one-hot columns, attribute scaling).
    fn predict<'py>(
        &self,
        py: Python<'py>,
        folder: PathBuf,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let rows = py
            .detach(|| {
                let data = self.run.read_graphs(&folder)?;
                tessera_train::graph_run::classify_graphs(&self.net, &data.graphs, 64)
            })
            .map_err(train_error)?;
        PyArray2::from_vec2(py, &rows).map_err(|e| PyValueError::new_err(e.to_string()))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<SphereModel>()?;
    m.add_class::<MeshModel>()?;
    m.add_class::<SegmentModel>()?;
    m.add_class::<GraphModel>()?;
    m.add_function(wrap_pyfunction!(import_nnhealpix, m)?)?;
    Ok(())
}
