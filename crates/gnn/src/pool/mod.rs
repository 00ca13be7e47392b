//! Pooling that coarsens the domain itself (as opposed to readouts, which end it): HEALPix
//! nested pooling and unpooling.

mod healpix;

pub use healpix::{
    HealpixPool, HealpixPoolConfig, HealpixPoolKind, HealpixUnpool, HealpixUnpoolConfig,
};
