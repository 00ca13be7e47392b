//! Graph convolutions: one layer per file, `XxxConfig` + `Xxx` as in burn-nn.
//!
//! Every layer maps node features `[N, F_in]` of a [`crate::graph::DeviceBatch`] to `[N, F_out]`.

mod cheb;
mod gat;
mod gcn;
mod gin;
mod gine;
mod sage;

pub use cheb::{ChebConv, ChebConvConfig};
pub use gat::{GatConv, GatConvConfig};
pub use gcn::{GcnConv, GcnConvConfig};
pub use gin::{GinConv, GinConvConfig};
pub use gine::{GineConv, GineConvConfig};
pub use sage::{SageConv, SageConvConfig};
