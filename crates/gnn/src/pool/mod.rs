//! Pooling that coarsens the domain itself (as opposed to readouts, which end it): HEALPix
//! nested pooling and unpooling, and PD-MeshNet's face-cluster pooling and unpooling.

mod face_cluster;
mod healpix;

pub use face_cluster::{
    FaceClusterInfo, FaceClusterPool, FaceClusterPoolConfig, FaceClusterUnpool,
    FaceClusterUnpoolConfig, PoolAggregate, Pooled,
};

pub use healpix::{
    HealpixPool, HealpixPoolConfig, HealpixPoolKind, HealpixUnpool, HealpixUnpoolConfig,
};
