//! Mesh segmentation on the engine: the PD-MeshNet segmenters trained on a [`SegmentDataset`]
//! with cross-entropy over faces, scored with PD-MeshNet's and MeshCNN's metrics.

use std::path::Path;

use burn::prelude::*;
use tessera_gnn::graph::{PrimalDualBatch, PrimalDualGraph};
use tessera_mesh::segmentation::{SegmentationScores, SegmentationTally};
use tessera_mesh::{FeatureStats, MeshGraph, MeshReport, TriMesh, clean_tracked, read_mesh};

use crate::data::{MeshFeatures, MeshSample, SegmentDataset, SegmentSample};
use crate::engine::{Checkpointing, History, Output, Split, Task};
use crate::error::{Result, TrainError};
use crate::models::{PdMeshSegmenter, PdMeshSegmenterConfig};
use crate::run_folder;
use crate::schedule::FitSchedule;

/// Segmentation as the engine sees it: a sample is a mesh, its rows are its faces. The
/// validation split (early stopping) is drawn from the training meshes; the test meshes'
/// area-weighted face accuracy is recorded after each epoch, never used to choose.
struct SegmentTask<'a> {
    model: &'a PdMeshSegmenterConfig,
    data: &'a SegmentDataset,
}

fn batch_of(samples: &[SegmentSample], idx: &[usize]) -> Result<PrimalDualBatch> {
    let refs: Vec<&PrimalDualGraph> = idx.iter().map(|&i| &samples[i].sample.graph).collect();
    Ok(PrimalDualBatch::new(&refs)?)
}

impl Task for SegmentTask<'_> {
    type Model = PdMeshSegmenter;

    fn init(&self, device: &Device) -> Result<PdMeshSegmenter> {
        self.model.init(device)
    }

    fn train_len(&self) -> usize {
        self.data.train.len()
    }

    fn forward(
        &self,
        net: &PdMeshSegmenter,
        _split: Split,
        batch: &[usize],
        device: &Device,
    ) -> Result<Output> {
        let samples = &self.data.train;
        let logits = net.forward(&batch_of(samples, batch)?, device)?;
        let t: Vec<i64> = batch
            .iter()
            .flat_map(|&i| samples[i].truth.face_labels.iter().map(|&l| i64::from(l)))
            .collect();
        let n = t.len();
        let labels = Tensor::from_data(TensorData::new(t, [n]), device);
        Ok(Output::Classes { logits, labels })
    }

    fn monitor(&self, net: &PdMeshSegmenter) -> Result<Vec<f64>> {
        let s = score(net, &self.data.test, self.data.parts.len())?;
        Ok(vec![s.area_face_accuracy, s.face_accuracy])
    }

    fn monitor_names(&self) -> Vec<String> {
        vec![TEST_AREA_FACE_ACCURACY.into(), TEST_FACE_ACCURACY.into()]
    }
}

/// The predicted part of every face of every mesh, in batches of 8 meshes.
///
/// # Errors
/// A mesh too small for the pooling schedule.
pub fn segment(net: &PdMeshSegmenter, samples: &[SegmentSample]) -> Result<Vec<Vec<u16>>> {
    let meshes: Vec<&MeshSample> = samples.iter().map(|s| &s.sample).collect();
    segment_meshes(net, &meshes)
}

/// [`segment`] of meshes without labels.
///
/// # Errors
/// A mesh too small for the pooling schedule.
pub fn segment_meshes(net: &PdMeshSegmenter, meshes: &[&MeshSample]) -> Result<Vec<Vec<u16>>> {
    let device = crate::compute::device_of(net);
    let mut out = Vec::with_capacity(meshes.len());
    for chunk in meshes.chunks(8) {
        let graphs: Vec<&PrimalDualGraph> = chunk.iter().map(|m| &m.graph).collect();
        let logits = net.forward(&PrimalDualBatch::new(&graphs)?, &device)?;
        let parts = logits.argmax(1).into_data().convert::<i64>();
        let mut rest = parts
            .as_slice::<i64>()
            .map_err(|source| TrainError::ReadBack {
                what: "predictions",
                source,
            })?;
        for m in chunk {
            let (mine, tail) = rest.split_at(m.graph.primal.num_nodes);
            out.push(mine.iter().map(|&p| p as u16).collect());
            rest = tail;
        }
    }
    Ok(out)
}

/// The segmentation metrics of `predicted` (one part per face of each of `samples`).
pub fn scores_of(
    samples: &[SegmentSample],
    predicted: &[Vec<u16>],
    parts: usize,
) -> SegmentationScores {
    let mut tally = SegmentationTally::new(parts);
    for (s, p) in samples.iter().zip(predicted) {
        tally.add(&s.truth, p);
    }
    tally.scores()
}

/// The segmentation metrics of the network on `samples`.
///
/// # Errors
/// As [`segment`].
pub fn score(
    net: &PdMeshSegmenter,
    samples: &[SegmentSample],
    parts: usize,
) -> Result<SegmentationScores> {
    Ok(scores_of(samples, &segment(net, samples)?, parts))
}

/// The test meshes' area-weighted face accuracy (PD-MeshNet's) after each epoch, in a
/// segmentation run's [`History`]. Runs written before it had its name call it
/// `test_accuracy`; [`SegmentRun::load`] renames it.
pub const TEST_AREA_FACE_ACCURACY: &str = "test_area_face_accuracy";

/// The test meshes' per-face accuracy (not area-weighted) after each epoch, in a segmentation
/// run's [`History`] (beside [`TEST_AREA_FACE_ACCURACY`]).
pub const TEST_FACE_ACCURACY: &str = "test_face_accuracy";

/// The name [`TEST_AREA_FACE_ACCURACY`] had in runs written before it was named.
const LEGACY_AREA_FACE_ACCURACY: &str = "test_accuracy";

/// Trains a new segmenter on the training meshes on the engine ([`crate::engine::fit`]: early
/// stopping on a validation split of the training meshes, weight averaging, label smoothing,
/// checkpoints in `ckpt`); the history's [`TEST_AREA_FACE_ACCURACY`] is the test meshes' area-weighted
/// face accuracy after each epoch; `progress(epoch, history)` after every epoch.
///
/// # Errors
/// An empty split, a mesh too small for the pooling schedule, and the engine's errors.
pub fn fit_segmenter(
    model: &PdMeshSegmenterConfig,
    data: &SegmentDataset,
    cfg: &FitSchedule,
    ckpt: &Checkpointing,
    progress: impl FnMut(usize, &History),
) -> Result<(PdMeshSegmenter, History)> {
    if data.train.is_empty() || data.test.is_empty() {
        return Err(TrainError::EmptySplit {
            what: "meshes",
            train: data.train.len(),
            test: data.test.len(),
        });
    }
    let mut task = SegmentTask { model, data };
    let trained = crate::engine::fit(&mut task, cfg, 0, ckpt, progress)?;
    Ok((trained.model, trained.history))
}

/// A trained segmenter with what it needs to be used again: `run.json` + `model.bpk`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SegmentRun {
    /// Always [`SEGMENT_TASK`].
    pub task: String,
    /// Part names, by label.
    pub parts: Vec<String>,
    /// The network (burn's `Config` as JSON).
    pub model: serde_json::Value,
    /// Z-score statistics of the primal features (training split).
    pub primal_stats: FeatureStats,
    /// Z-score statistics of the dual features (training split).
    pub dual_stats: FeatureStats,
    /// The transform of the raw features before z-scoring.
    pub features: MeshFeatures,
    /// How it was trained.
    pub fit: FitSchedule,
    /// Per-epoch record (`test_accuracy`: area-weighted face accuracy).
    pub history: History,
    /// The metrics on the test meshes after training.
    pub scores: SegmentationScores,
    /// The data folder.
    pub data: serde_json::Value,
}

/// The parts a segmenter gives one mesh file.
#[derive(Clone, Debug)]
pub struct PartPrediction {
    /// The mesh as cleaned (faces oriented; the faces the parts are for).
    pub mesh: TriMesh,
    /// The part of each face of [`mesh`](Self::mesh).
    pub parts: Vec<u16>,
    /// For each face of [`mesh`](Self::mesh), its index in the file.
    pub file_faces: Vec<u32>,
    /// The number of faces in the file.
    pub file_face_count: usize,
    /// What cleaning changed.
    pub report: MeshReport,
}

impl PartPrediction {
    /// The part of every face of the file, in file order, counted from 1 as label files count
    /// them; 0 for a face that cleaning dropped.
    pub fn file_labels(&self) -> Vec<u16> {
        let mut labels = vec![0; self.file_face_count];
        for (&f, &p) in self.file_faces.iter().zip(&self.parts) {
            labels[f as usize] = p + 1;
        }
        labels
    }
}

/// The task name of segmentation runs.
pub const SEGMENT_TASK: &str = "mesh segmentation";

impl SegmentRun {
    /// The network configuration.
    ///
    /// # Errors
    /// [`TrainError::ModelConfig`] when `model` is not a [`PdMeshSegmenterConfig`].
    pub fn model_config(&self) -> Result<PdMeshSegmenterConfig> {
        PdMeshSegmenterConfig::from_json(&self.model, "the segmenter configuration of the run")
    }

    /// Writes `run.json` and `model.bpk` into `dir` (created), each through a temporary file.
    ///
    /// # Errors
    /// Files that cannot be written.
    pub fn save(&self, net: &PdMeshSegmenter, dir: &Path) -> Result<()> {
        run_folder::save(net, self, dir)
    }

    /// The parts of every face of one mesh file (triangulated, cleaned, standardised with the
    /// run's statistics).
    ///
    /// # Errors
    /// A mesh that cannot be read, has no face adjacency or is too small for the pooling
    /// schedule, naming the file.
    pub fn predict_file(&self, net: &PdMeshSegmenter, path: &Path) -> Result<PartPrediction> {
        let what = path.display().to_string();
        let raw = read_mesh(path, true)?;
        let (mesh, report, file_faces) = clean_tracked(&raw, &what)?;
        let graph = MeshGraph::new(&mesh, &what)?;
        let features = self.features.compute(&mesh, &graph);
        let sample = crate::data::to_sample(
            path,
            0,
            &graph,
            features,
            &self.primal_stats,
            &self.dual_stats,
        )?;
        let parts = segment_meshes(net, &[&sample])?.remove(0);
        Ok(PartPrediction {
            mesh,
            parts,
            file_faces,
            file_face_count: raw.faces.len(),
            report,
        })
    }

    /// Reads a run folder written by [`SegmentRun::save`], with its network on the CPU.
    ///
    /// # Errors
    /// A missing or malformed `run.json` (or another kind of run), weights that do not match.
    pub fn load(dir: &Path) -> Result<(SegmentRun, PdMeshSegmenter)> {
        let mut run: SegmentRun = run_folder::read_run(dir, "segmentation run")?;
        run.history
            .rename_monitor(LEGACY_AREA_FACE_ACCURACY, TEST_AREA_FACE_ACCURACY);
        if run.task != SEGMENT_TASK {
            return Err(TrainError::WrongRun {
                dir: dir.to_path_buf(),
                found: run.task,
                wanted: SEGMENT_TASK,
            });
        }
        let config = run.model_config()?;
        run_folder::check_weights_fit(dir, config.min_parameters())?;
        let net = run_folder::load_weights(config.init(&Device::flex())?, dir)?;
        Ok((run, net))
    }
}
