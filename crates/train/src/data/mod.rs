//! Datasets.

mod cutout;
mod maps;
mod meshes;
mod mnist;
mod rotations;
mod split;
mod standardise;
mod tu;
mod warp;

pub use maps::{FolderTarget, MapFields, MapSet, MapTargets, folder_class, network_input};
pub use meshes::{
    AugmentPart, MeshAugment, MeshDataset, MeshFeatures, MeshFile, MeshSample, mesh_sample,
};
pub use mnist::{
    Digits, MnistTestDigits, SphereProjector, SphericalMnist, random_distortion, random_rotation,
};
pub use rotations::{GridRotation, grid_rotations};
pub use split::stratified_folds;
pub use standardise::NodeScaler;
pub use tu::{TuDataset, TuOptions, TuVocabulary};
