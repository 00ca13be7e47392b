//! Any per-layer graph readout of this crate behind one type: [`NodeReadout`], a burn enum
//! module built from [`NodeReadoutKind`].

use burn::prelude::*;

use super::{
    AttSetsReadout, AttSetsReadoutConfig, AttentionReadout, AttentionReadoutConfig, BasicReadout,
    GemReadout, GemReadoutConfig, HopfieldReadout, HopfieldReadoutConfig, LatentAttentionReadout,
    LatentAttentionReadoutConfig,
};
use crate::graph::DeviceBatch;

/// The readouts of one layer's node features that [`NodeReadout`] can be.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum NodeReadoutKind {
    /// Sum over nodes.
    Sum,
    /// Mean over nodes.
    Mean,
    /// Maximum over nodes.
    Max,
    /// Generalised mean with a learned exponent (of `|x| + 1e-6`).
    Gem,
    /// GeM with one exponent per group of channels (4 groups when the width allows).
    Ggem,
    /// Gated attention.
    Attention,
    /// Hopfield pooling with one learned query.
    Hopfield,
    /// AttSets per-feature attention.
    AttSets,
    /// NV-Embed latent attention (16 latents), then the mean.
    Latent,
}

/// A parameter-free readout as a module.
#[derive(Module, Debug)]
pub struct Pooling {
    #[module(skip)]
    kind: BasicReadout,
}

/// One readout of node features into one vector per graph, whichever kind.
#[derive(Module, Debug)]
pub enum NodeReadout {
    /// Sum, mean or max.
    Basic(Pooling),
    /// GeM (grouped or not); reads `|x|`.
    Gem(GemReadout),
    /// Gated attention.
    Attention(AttentionReadout),
    /// Hopfield pooling.
    Hopfield(HopfieldReadout),
    /// AttSets.
    AttSets(AttSetsReadout),
    /// Latent attention.
    Latent(LatentAttentionReadout),
}

impl NodeReadoutKind {
    /// The readout of `width`-channel node features on `device`.
    pub fn init(self, width: usize, device: &Device) -> NodeReadout {
        let basic = |kind| NodeReadout::Basic(Pooling { kind });
        match self {
            NodeReadoutKind::Sum => basic(BasicReadout::Sum),
            NodeReadoutKind::Mean => basic(BasicReadout::Mean),
            NodeReadoutKind::Max => basic(BasicReadout::Max),
            NodeReadoutKind::Gem | NodeReadoutKind::Ggem => {
                let grouped = self == NodeReadoutKind::Ggem && width.is_multiple_of(4);
                let groups = if grouped { 4 } else { 1 };
                NodeReadout::Gem(GemReadoutConfig::new().with_groups(groups).init(device))
            }
            NodeReadoutKind::Attention => {
                NodeReadout::Attention(AttentionReadoutConfig::new(width, width).init(device))
            }
            NodeReadoutKind::Hopfield => {
                NodeReadout::Hopfield(HopfieldReadoutConfig::new(width, width, width).init(device))
            }
            NodeReadoutKind::AttSets => {
                NodeReadout::AttSets(AttSetsReadoutConfig::new(width).init(device))
            }
            NodeReadoutKind::Latent => {
                NodeReadout::Latent(LatentAttentionReadoutConfig::new(width, width).init(device))
            }
        }
    }
}

impl NodeReadout {
    /// # Shapes
    /// `x: [N, F]` → `[num_graphs, F]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        match self {
            NodeReadout::Basic(p) => p.kind.forward(x, g),
            NodeReadout::Gem(r) => r.forward(x.abs(), g),
            NodeReadout::Attention(r) => r.forward(x, g),
            NodeReadout::Hopfield(r) => r.forward(x, g),
            NodeReadout::AttSets(r) => r.forward(x, g),
            NodeReadout::Latent(r) => r.forward(x, g),
        }
    }
}
