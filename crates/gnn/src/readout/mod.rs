//! Graph readouts: one vector per graph from its nodes.

mod attention;
mod attsets;
mod gem;
mod histograph;
mod hopfield;
mod latent;
mod mltp;
mod node;

use burn::prelude::*;

pub use attention::{AttentionReadout, AttentionReadoutConfig};
pub use attsets::{AttSetsReadout, AttSetsReadoutConfig};
pub use gem::{GemReadout, GemReadoutConfig};
pub use histograph::{HistographReadout, HistographReadoutConfig};
pub use hopfield::{HopfieldReadout, HopfieldReadoutConfig};
pub use latent::{LatentAttentionReadout, LatentAttentionReadoutConfig};
pub use mltp::{MultiLayerPooling, MultiLayerPoolingConfig};
pub use node::{NodeReadout, NodeReadoutKind, Pooling};

use crate::graph::{DeviceBatch, scatter_max, scatter_mean, scatter_sum};

/// The parameter-free readouts.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum BasicReadout {
    /// Sum over the graph's nodes (GIN's choice: injective on multisets).
    Sum,
    /// Mean over the nodes.
    Mean,
    /// Per-feature maximum over the nodes.
    Max,
}

impl BasicReadout {
    /// # Shapes
    /// `x: [N, F]` → `[num_graphs, F]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        match self {
            BasicReadout::Sum => scatter_sum(x, &g.nodes),
            BasicReadout::Mean => scatter_mean(x, &g.nodes),
            BasicReadout::Max => scatter_max(x, &g.nodes),
        }
    }
}
