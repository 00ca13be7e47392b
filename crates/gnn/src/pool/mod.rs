//! Pooling that coarsens the domain itself (as opposed to readouts, which end it): HEALPix
//! nested pooling and unpooling, and PD-MeshNet's face-cluster pooling and unpooling (feature
//! `mesh`).

#[cfg(feature = "mesh")]
mod face_cluster;
mod healpix;

#[cfg(feature = "mesh")]
pub use face_cluster::{
    FaceClusterInfo, FaceClusterPool, FaceClusterPoolConfig, FaceClusterUnpool,
    FaceClusterUnpoolConfig, PoolAggregate, Pooled,
};

pub use healpix::{
    HealpixPool, HealpixPoolConfig, HealpixPoolKind, HealpixUnpool, HealpixUnpoolConfig,
};
