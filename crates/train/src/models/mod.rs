//! Models built from tessera-gnn layers.

mod gin;

pub use gin::{GinClassifier, GinClassifierConfig, ReadoutKind};
