//! Training and evaluation of the PD-MeshNet classifier on a [`MeshDataset`].

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use burn::prelude::*;
use rayon::prelude::*;
use tessera_gnn::graph::{PrimalDualBatch, PrimalDualGraph};
use tessera_mesh::FeatureStats;

use crate::data::{
    AugmentPart, MeshAugment, MeshDataset, MeshFeatures, MeshFile, MeshSample, mesh_sample,
};
use crate::engine::{Checkpointing, History, Output, Split, Task};
use crate::error::{Result, TrainError};
use crate::models::{PdMeshNet, PdMeshNetConfig};
use crate::run_folder;
use crate::schedule::FitSchedule;

/// The test accuracy after each epoch, in a mesh run's [`History`] (for a segmentation run, the
/// area-weighted per-face accuracy).
pub const TEST_ACCURACY: &str = "test_accuracy";

/// Mesh classification as the engine sees it: the training meshes, redrawn by the
/// augmentation every epoch, and the test meshes whose accuracy is recorded after each epoch.
struct MeshTask<'a> {
    model: &'a PdMeshNetConfig,
    data: &'a MeshDataset,
    augment: &'a MeshAugment,
    /// This epoch's training meshes (the base ones without augmentation).
    epoch: Cow<'a, [MeshSample]>,
}

impl Task for MeshTask<'_> {
    type Model = PdMeshNet;

    fn init(&self, device: &Device) -> Result<PdMeshNet> {
        self.model.init(device)
    }

    fn train_len(&self) -> usize {
        self.data.train.len()
    }

    fn begin_epoch(&mut self, _epoch: usize, seed: u64) -> Result<()> {
        if self.augment.is_active() {
            self.epoch = Cow::Owned(self.data.augmented_train(self.augment, seed)?);
        }
        Ok(())
    }

    fn forward(
        &self,
        net: &PdMeshNet,
        split: Split,
        batch: &[usize],
        device: &Device,
    ) -> Result<Output> {
        let samples: &[MeshSample] = match split {
            Split::Train => &self.epoch,
            Split::Held => &self.data.train,
        };
        let logits = net.forward(&batch_of(samples, batch)?, device)?;
        let t: Vec<i64> = batch.iter().map(|&i| samples[i].class as i64).collect();
        let labels = Tensor::from_data(TensorData::new(t, [batch.len()]), device);
        Ok(Output::Classes { logits, labels })
    }

    fn monitor(&self, net: &PdMeshNet) -> Result<Vec<f64>> {
        let predicted = argmax(&classify(net, &self.data.test, 16)?);
        let hits = predicted
            .iter()
            .zip(&self.data.test)
            .filter(|(p, s)| **p == s.class)
            .count();
        Ok(vec![hits as f64 / self.data.test.len() as f64])
    }

    fn monitor_names(&self) -> Vec<String> {
        vec![TEST_ACCURACY.into()]
    }
}

fn batch_of(samples: &[MeshSample], idx: &[usize]) -> Result<PrimalDualBatch> {
    let refs: Vec<&PrimalDualGraph> = idx.iter().map(|&i| &samples[i].graph).collect();
    Ok(PrimalDualBatch::new(&refs)?)
}

/// Class probabilities of every mesh, in batches of `batch`.
///
/// # Errors
/// A mesh too small for the pooling schedule.
pub fn classify(net: &PdMeshNet, samples: &[MeshSample], batch: usize) -> Result<Vec<Vec<f64>>> {
    let device = crate::compute::device_of(net);
    let order: Vec<usize> = (0..samples.len()).collect();
    let mut out = Vec::with_capacity(samples.len());
    for idx in order.chunks(batch.max(1)) {
        let logits = net.forward(&batch_of(samples, idx)?, &device)?;
        out.extend(crate::compute::softmax_rows(logits)?);
    }
    Ok(out)
}

/// The faces' clusters of one mesh after each of the network's pooling steps (composed:
/// `levels[k][face]` after step `k + 1`; empty when the network does not pool), as the trained
/// attention chooses them.
///
/// # Errors
/// A mesh too small for the pooling schedule.
pub fn learned_clusters(net: &PdMeshNet, sample: &MeshSample) -> Result<Vec<Vec<u32>>> {
    net.clusters(
        &batch_of(std::slice::from_ref(sample), &[0])?,
        &crate::compute::device_of(net),
    )
}

pub use crate::metrics::argmax;

/// Trains a new classifier on the training meshes (redrawn by `augment` every epoch when it is
/// active) on the engine ([`crate::engine::fit`]: early stopping on a validation split of the
/// training meshes, never augmented; weight averaging; checkpoints in `ckpt`), recording the
/// test accuracy after each epoch; `progress(epoch, history)` after every epoch.
///
/// # Errors
/// An empty split, augmentation that cannot work ([`MeshAugment::check`]), a mesh too small
/// for the pooling schedule, and the engine's errors.
pub fn fit_mesh(
    model: &PdMeshNetConfig,
    data: &MeshDataset,
    cfg: &FitSchedule,
    augment: &MeshAugment,
    ckpt: &Checkpointing,
    progress: impl FnMut(usize, &History),
) -> Result<(PdMeshNet, History)> {
    augment.check()?;
    if data.train.is_empty() || data.test.is_empty() {
        return Err(TrainError::EmptySplit {
            what: "meshes",
            train: data.train.len(),
            test: data.test.len(),
        });
    }
    let mut task = MeshTask {
        model,
        data,
        augment,
        epoch: Cow::Borrowed(&data.train),
    };
    let trained = crate::engine::fit(&mut task, cfg, 0, ckpt, progress)?;
    Ok((trained.model, trained.history))
}

/// A trained mesh classifier with what it needs to be used again: `run.json` + `model.bpk`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct MeshRun {
    /// Always `mesh classification` (tells mesh runs from sphere runs).
    pub task: String,
    /// Class names, by index.
    pub classes: Vec<String>,
    /// The network (burn's `Config` as JSON).
    pub model: serde_json::Value,
    /// Z-score statistics of the primal features (training split).
    pub primal_stats: FeatureStats,
    /// Z-score statistics of the dual features (training split).
    pub dual_stats: FeatureStats,
    /// The transform of the raw features before z-scoring (absent in older runs: the paper's).
    #[serde(default = "paper_features")]
    pub features: MeshFeatures,
    /// How it was trained.
    pub fit: FitSchedule,
    /// The augmentation of the training meshes (absent in runs made before it existed).
    #[serde(default = "no_augment")]
    pub augment: MeshAugment,
    /// Per-epoch record.
    pub history: History,
    /// Accuracy on the test meshes after the last epoch.
    pub test_accuracy: f64,
    /// `confusion[true][predicted]` over the test meshes.
    pub confusion: Vec<Vec<u64>>,
    /// Free-form description of the data.
    pub data: serde_json::Value,
}

fn paper_features() -> MeshFeatures {
    MeshFeatures::Paper
}

fn no_augment() -> MeshAugment {
    MeshAugment::NONE
}

/// The task name of mesh runs.
pub const MESH_TASK: &str = "mesh classification";

/// The figures of a mesh classification run, as its `report.json` holds them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MeshReport {
    /// Accuracy on the test meshes.
    pub test_accuracy: f64,
    /// Test meshes.
    pub test_meshes: u64,
    /// Class names, by index.
    pub classes: Vec<String>,
    /// `confusion[true][predicted]` over the test meshes.
    pub confusion: Vec<Vec<u64>>,
    /// Per class, the fraction of its test meshes predicted right.
    pub per_class_recall: Vec<f64>,
    /// The epoch whose weights were kept (from 1), when a validation split chose one.
    pub kept_epoch: Option<usize>,
    /// Mean seconds per epoch.
    pub seconds_per_epoch: f64,
}

impl MeshRun {
    /// The network configuration.
    ///
    /// # Errors
    /// [`TrainError::ModelConfig`] when `model` is not a [`PdMeshNetConfig`] (fields added since the
    /// run was saved take their defaults).
    pub fn model_config(&self) -> Result<PdMeshNetConfig> {
        PdMeshNetConfig::from_json(&self.model, "the PD-MeshNet configuration of the run")
    }

    /// Writes `run.json` and `model.bpk` into `dir` (created), each through a temporary file.
    ///
    /// # Errors
    /// Files that cannot be written.
    pub fn save(&self, net: &PdMeshNet, dir: &Path) -> Result<()> {
        run_folder::save(net, self, dir)
    }

    /// The run's figures for `report.json`.
    pub fn report(&self) -> MeshReport {
        MeshReport {
            test_accuracy: self.test_accuracy,
            test_meshes: self.confusion.iter().flatten().sum(),
            classes: self.classes.clone(),
            confusion: self.confusion.clone(),
            per_class_recall: crate::metrics::recall_per_class(&self.confusion),
            kept_epoch: self.history.best_epoch.map(|e| e + 1),
            seconds_per_epoch: self.history.mean_seconds(),
        }
    }

    /// One mesh file made ready for this run's network (its feature transform and statistics).
    ///
    /// # Errors
    /// A mesh that cannot be read or has no face adjacency, naming the file.
    pub fn sample(&self, path: &Path) -> Result<MeshSample> {
        mesh_sample(path, 0, self.features, &self.primal_stats, &self.dual_stats)
    }

    /// Reads a run folder written by [`MeshRun::save`], with its network on the CPU.
    ///
    /// # Errors
    /// A missing or malformed `run.json` (or a sphere run), weights that do not match.
    pub fn load(dir: &Path) -> Result<(MeshRun, PdMeshNet)> {
        let run: MeshRun = run_folder::read_run(dir, "mesh run")?;
        let config = run.model_config()?;
        run_folder::check_weights_fit(dir, config.min_parameters())?;
        let net = run_folder::load_weights(config.init(&Device::flex())?, dir)?;
        Ok((run, net))
    }
}

/// Test-time augmentation: each network averages its class probabilities over `copies`
/// changed copies of every mesh, drawn as its training drew them, with all of its training
/// augmentation (`parts: None`) or only the parts named (the others off).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TestTimeAugment {
    /// Copies per mesh; 0 scores each mesh as it is.
    pub copies: usize,
    /// The parts of each network's training augmentation that change the copies (`None`: all).
    pub parts: Option<Vec<AugmentPart>>,
}

impl TestTimeAugment {
    /// Each mesh scored once, as it is.
    pub const NONE: TestTimeAugment = TestTimeAugment {
        copies: 0,
        parts: None,
    };

    /// The augmentation that makes the copies for a network trained with `training`.
    pub fn augmentation(&self, training: &MeshAugment) -> MeshAugment {
        match &self.parts {
            Some(parts) => training.keeping(parts),
            None => *training,
        }
    }
}

/// Trained mesh classifiers whose class probabilities are averaged: a deep ensemble. Networks
/// trained from different seeds on few examples learn different rules; where one is unsure
/// the others often are not, and the mean is better calibrated than any one member. A single
/// run is an ensemble of one.
pub struct MeshEnsemble {
    members: Vec<(MeshRun, PdMeshNet)>,
}

impl MeshEnsemble {
    /// Loads run folders written by `tessera train mesh` ([`MeshRun::save`]).
    ///
    /// # Errors
    /// No folder, a folder that [`MeshRun::load`] refuses, or runs whose classes differ
    /// (names or order), naming the folder.
    pub fn load(dirs: &[PathBuf]) -> Result<Self> {
        let members = dirs
            .iter()
            .map(|d| MeshRun::load(d))
            .collect::<Result<Vec<_>>>()?;
        let Some((first, _)) = members.first() else {
            return Err(TrainError::TooFew {
                what: "an ensemble".into(),
                unit: "runs",
                found: 0,
                needed: 1,
            });
        };
        for ((run, _), dir) in members.iter().zip(dirs) {
            if run.classes != first.classes {
                return Err(TrainError::EnsembleDiffers {
                    dir: dir.to_path_buf(),
                    classes: run.classes.clone(),
                    first: first.classes.clone(),
                });
            }
        }
        Ok(MeshEnsemble { members })
    }

    /// The class names, in the order of the probabilities.
    pub fn classes(&self) -> &[String] {
        &self.members[0].0.classes
    }

    /// The mean over the members of each mesh file's class probabilities; every member reads
    /// the files with its own feature transform and statistics ([`MeshRun::sample`]). With
    /// `tta.copies > 0` each member averages over that many copies of every mesh redrawn with
    /// the augmentation it was trained with, or the parts of it `tta` keeps (test-time
    /// augmentation; the draws are fixed by the file's position in `paths` and the copy, so
    /// results repeat); a member whose kept augmentation changes nothing sees the mesh once.
    /// Each file is read and cleaned once for all members.
    ///
    /// # Errors
    /// A mesh that cannot be read or is too small for a member's pooling schedule, naming
    /// the file.
    pub fn classify_files(
        &self,
        paths: &[PathBuf],
        tta: &TestTimeAugment,
    ) -> Result<Vec<Vec<f64>>> {
        let files: Vec<MeshFile> = paths
            .par_iter()
            .map(|p| MeshFile::read(p))
            .collect::<Result<_>>()?;
        self.classify_meshes(&files, tta)
    }

    /// [`classify_files`](Self::classify_files) of meshes already read and cleaned
    /// ([`MeshFile::read`]); the test-time draws are fixed by each mesh's position in `files`.
    ///
    /// # Errors
    /// A mesh too small for a member's pooling schedule, naming the file.
    pub fn classify_meshes(
        &self,
        files: &[MeshFile],
        tta: &TestTimeAugment,
    ) -> Result<Vec<Vec<f64>>> {
        let mut mean = vec![vec![0.0; self.classes().len()]; files.len()];
        for (run, net) in &self.members {
            let augment = tta.augmentation(&run.augment);
            let copies = if augment.is_active() { tta.copies } else { 0 };
            let stats = (&run.primal_stats, &run.dual_stats);
            let per_file: Vec<Vec<MeshSample>> = files
                .par_iter()
                .enumerate()
                .map(|(i, file)| {
                    if copies == 0 {
                        return Ok(vec![file.sample(run.features, stats)?]);
                    }
                    file.augmented_samples(run.features, stats, &augment, copies, i as u64)
                })
                .collect::<Result<_>>()?;
            let samples: Vec<MeshSample> = per_file.iter().flatten().cloned().collect();
            let probabilities = classify(net, &samples, 16)?;
            let mut rows = probabilities.iter();
            for (sum, file) in mean.iter_mut().zip(&per_file) {
                let weight = 1.0 / file.len() as f64;
                for p in rows.by_ref().take(file.len()) {
                    sum.iter_mut().zip(p).for_each(|(s, v)| *s += weight * v);
                }
            }
        }
        let n = self.members.len() as f64;
        mean.iter_mut().flatten().for_each(|v| *v /= n);
        Ok(mean)
    }
}
