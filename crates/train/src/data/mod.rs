//! Datasets.

mod split;
mod tu;

pub use split::stratified_folds;
pub use tu::{TuDataset, TuOptions};
