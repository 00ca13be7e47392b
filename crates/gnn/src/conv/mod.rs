//! Graph convolutions: one layer per file, `XxxConfig` + `Xxx` as in burn-nn.
//!
//! Graph layers map node features `[N, F_in]` of a [`crate::graph::DeviceBatch`] to `[N, F_out]`;
//! the HEALPix layers map batches of NESTED maps `[B, npix, C_in]` to `[B, npix, C_out]`.

mod cheb;
mod gat;
mod gcn;
mod gin;
mod gine;
mod healpix;
mod healpix_cheb;
mod healpix_harmonic;
mod layer;
mod mlp;
mod primal_dual;
mod sage;
mod tile;

pub use cheb::{ChebConv, ChebConvConfig};
pub use gat::{GatConv, GatConvConfig};
pub use gcn::{GcnConv, GcnConvConfig};
pub use gin::{GinConv, GinConvConfig};
pub use gine::{GineConv, GineConvConfig};
pub use healpix::{HealpixConv, HealpixConvConfig};
pub use healpix_cheb::{HealpixChebConv, HealpixChebConvConfig};
pub use healpix_harmonic::{
    HarmonicProjector, HarmonicTerm, HealpixHarmonicConv, HealpixHarmonicConvConfig,
};
pub use layer::{GraphLayer, GraphLayerConfig, GraphLayerKind};
pub use mlp::{Mlp, MlpConfig, NodeMlp};
pub use primal_dual::{PrimalDualConv, PrimalDualConvConfig, PrimalDualOutput};
pub use sage::{SageConv, SageConvConfig};
pub use tile::{TileConv, TileNeighbourhoods};
