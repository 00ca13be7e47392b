//! Models built from tessera-gnn layers.

mod gin;
mod harmonic;
mod pdmesh;
mod pdmesh_block;
mod pdmesh_seg;
mod sphere;

pub use gin::{GinClassifier, GinClassifierConfig, ReadoutKind};
pub use harmonic::{HarmonicFields, MAX_HARMONIC_NSIDE, harmonic_projector};
pub use pdmesh::{MeshPooling, MeshReadout, PdMeshNet, PdMeshNetConfig};
pub use pdmesh_seg::{PdMeshSegmenter, PdMeshSegmenterConfig, SegmenterKind};
pub use sphere::{
    SPHERE_CNN_NSIDE_MAX, SphereCnn, SphereCnnConfig, SphereConvKind, SphereReadout, SphereWeights,
};
pub use tessera_gnn::conv::GraphLayerKind;
