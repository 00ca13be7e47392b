//! Datasets, models and the one training engine of Tessera, on burn 0.22 (`Device::flex()` on
//! the CPU; GPUs behind the `wgpu` and `cuda` features, see [`compute`]).
//!
//! - The engine ([`engine`]): every task hands it a [`engine::Task`]; it owns the epochs, the
//!   learning-rate schedule ([`schedule::FitSchedule`]), early stopping on a validation split,
//!   weight averaging, label smoothing, the divergence guard, the history and the checkpoints
//!   that let any run resume exactly.
//! - Graphs: the TU benchmark format, stratified k-fold splits, the GIN graph classifier, and
//!   cross-validation around the engine (node attributes z-scored per fold), in [`fit`]; a
//!   classifier trained on a whole dataset and kept in a run folder, in [`graph_run`].
//! - Sphere: spherical MNIST and folders of FITS maps ([`data::MapSet`]), the NNhealpix sphere CNN
//!   ([`models::SphereCnn`]), its task, inference and run folders, in [`sphere`].
//! - Meshes: MeshCNN-layout folders ([`data::MeshDataset`]), the PD-MeshNet classifier
//!   ([`models::PdMeshNet`]), its task and ensembles, in [`meshfit`]; COSEG-layout segmentation
//!   sets ([`data::SegmentDataset`]), PD-MeshNet's U-Net and superpixel segmenters
//!   ([`models::PdMeshSegmenter`]) and their task, in [`segfit`].
//!
//! # Example: a graph classifier, cross-validated, then trained on everything and kept
//!
//! ```
//! use tessera_train::data::{TuDataset, TuOptions};
//! use tessera_train::fit::{FitConfig, cross_validate, train_on_all};
//! use tessera_train::graph_run::{GraphRun, classify_graphs};
//! use tessera_train::models::GinClassifierConfig;
//! use tessera_train::schedule::FitSchedule;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A TU folder (as graph benchmark sites ship them): 12 triangles and 12 paths of 3 nodes.
//! let dir = tempfile::tempdir()?;
//! let ds = dir.path().join("TOY");
//! std::fs::create_dir(&ds)?;
//! let (mut indicator, mut labels, mut edges) = (String::new(), String::new(), String::new());
//! for g in 0..24 {
//!     let base = 3 * g + 1;
//!     indicator.push_str(&format!("{0}\n{0}\n{0}\n", g + 1));
//!     labels.push_str(if g % 2 == 0 { "0\n" } else { "1\n" });
//!     let mut link = |a: usize, b: usize| edges.push_str(&format!("{a}, {b}\n{b}, {a}\n"));
//!     link(base, base + 1);
//!     link(base + 1, base + 2);
//!     if g % 2 == 0 {
//!         link(base + 2, base); // close the triangle
//!     }
//! }
//! std::fs::write(ds.join("TOY_graph_indicator.txt"), indicator)?;
//! std::fs::write(ds.join("TOY_graph_labels.txt"), labels)?;
//! std::fs::write(ds.join("TOY_A.txt"), edges)?;
//!
//! let data = TuDataset::load(&ds, TuOptions::default())?; // unlabelled nodes: one-hot degrees
//! let model = GinClassifierConfig::new(data.features(), data.num_classes()).with_hidden(16);
//! let schedule = FitSchedule { epochs: 30, batch_size: 8, lr: 0.01, ..FitSchedule::default() };
//! let cfg = FitConfig { folds: 3, schedule };
//! let report = cross_validate(&data, &model, &cfg, |_fold, _epoch, _loss| {})?;
//! assert_eq!(report.fold_accuracy.len(), 3);
//!
//! // The network to keep, and its run folder (run.json + model.bpk).
//! let (net, scaler, history) = train_on_all(&data, &model, &cfg, &Default::default(), |_, _| {})?;
//! let run = GraphRun::new(&data, &model, TuOptions::default(), scaler, &cfg, history.train_loss);
//! run.save(&net, &dir.path().join("run"))?;
//! let (run, net) = GraphRun::load(&dir.path().join("run"))?;
//! let probabilities = classify_graphs(&net, &run.read_graphs(&ds)?.graphs, 8)?;
//! assert_eq!(probabilities.len(), 24);
//! # Ok(())
//! # }
//! ```

pub mod averaging;
pub mod compute;
pub mod data;
pub mod engine;
mod error;
pub mod fit;
pub mod graph_run;
pub mod guard;
#[cfg(feature = "ndarray")]
mod interop;
pub mod meshfit;
pub mod metrics;
pub mod models;
pub mod nnhealpix;
pub mod plots;
mod run_folder;
pub mod schedule;
pub mod segfit;
pub mod sphere;

pub use compute::Compute;
pub use error::{ConfigProblem, Result, TrainError};
pub use run_folder::{
    CHECKPOINT_DIR, CLEANING_FILE, CONFIG_FILE, FOLD_LOSSES_FILE, HISTORY_FILE, MODEL_FILE,
    PREDICTIONS_FILE, REPORT_FILE, RUN_FILE, RunFolder,
};
