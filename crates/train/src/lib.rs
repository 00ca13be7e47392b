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

pub mod averaging;
pub mod compute;
pub mod data;
pub mod engine;
mod error;
pub mod fit;
pub mod graph_run;
pub mod guard;
pub mod meshfit;
pub mod metrics;
pub mod models;
pub mod plots;
mod run_folder;
pub mod schedule;
pub mod segfit;
pub mod sphere;

pub use compute::Compute;
pub use error::{Result, TrainError};
