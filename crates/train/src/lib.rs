//! Datasets, models and the training loop of Tessera, on burn 0.22 (`Device::flex()`).
//!
//! Today: the TU graph benchmark format, stratified k-fold splits, the GIN graph classifier and
//! its cross-validated training (GIN's protocol: Adam, learning rate halved every 50 epochs,
//! accuracy of the last epoch on the held-out fold).

pub mod data;
mod error;
pub mod fit;
pub mod models;
pub mod plots;
pub mod sphere;

pub use error::{Result, TrainError};
