//! Datasets, models and the training loops of Tessera, on burn 0.22 (`Device::flex()` on the CPU;
//! GPUs behind the `wgpu` and `cuda` features, see [`compute`]).
//!
//! - Graphs: the TU benchmark format, stratified k-fold splits, the GIN graph classifier and its
//!   cross-validated training (GIN's protocol: Adam, learning rate halved every 50 epochs,
//!   accuracy of the last epoch on the held-out fold), in [`fit`]; a classifier trained on a
//!   whole dataset and kept in a run folder, in [`graph_run`].
//! - Sphere: spherical MNIST and folders of FITS maps ([`data::MapSet`]), the NNhealpix sphere CNN
//!   ([`models::SphereCnn`]), its training, inference and run folders, in [`sphere`].
//! - Meshes: MeshCNN-layout folders ([`data::MeshDataset`]), the PD-MeshNet classifier
//!   ([`models::PdMeshNet`]) and its training, in [`meshfit`].

pub mod averaging;
pub mod compute;
pub mod data;
mod error;
pub mod fit;
pub mod graph_run;
pub mod meshfit;
pub mod metrics;
pub mod models;
pub mod plots;
mod run_folder;
mod schedule;
pub mod sphere;

pub use compute::Compute;
pub use error::{Result, TrainError};
