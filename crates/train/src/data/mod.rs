//! Datasets.

mod maps;
mod meshes;
mod mnist;
mod rotations;
mod segment;
mod split;
mod standardise;
mod tu;

pub use maps::{FolderTarget, MapFields, MapSet, MapTargets, folder_class, network_input};
pub(crate) use meshes::to_sample;
pub use meshes::{MeshDataset, MeshFeatures, MeshFile, MeshSample, mesh_sample};
pub use mnist::{Digits, MnistTestDigits, SphericalMnist};
pub use segment::{SegmentDataset, SegmentSample};
pub use split::stratified_folds;
pub use standardise::NodeScaler;
/// Re-exported: the grid rotations and mesh augmentation that the training data uses.
pub use tessera_healpix::{GridRotation, grid_rotations};
pub use tessera_mesh::{AugmentPart, MeshAugment};
pub use tu::{TuDataset, TuOptions, TuVocabulary};
