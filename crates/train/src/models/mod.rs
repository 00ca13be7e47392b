//! Models built from tessera-gnn layers.

mod gin;
mod pdmesh;
mod pdmesh_block;
mod sphere;

pub use gin::{GinClassifier, GinClassifierConfig, GraphConvKind, ReadoutKind};
pub use pdmesh::{MeshPooling, MeshReadout, PdMeshNet, PdMeshNetConfig};
pub use sphere::{SphereCnn, SphereCnnConfig, SphereConvKind, SphereReadout};
