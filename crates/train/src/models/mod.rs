//! Models built from tessera-gnn layers.

mod gin;
mod sphere;

pub use gin::{GinClassifier, GinClassifierConfig, ReadoutKind};
pub use sphere::{SphereCnn, SphereCnnConfig, SphereConvKind, SphereReadout};
