//! AttSets (Yang et al., IJCV 2020): per-feature attention over the set of nodes,
//! `s_n^d = softmax_{n∈G}(g(x_n)^d)`, `o^d = Σ_n x_n^d s_n^d`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use crate::graph::{DeviceBatch, scatter_sum, segment_softmax};

/// Configuration of [`AttSetsReadout`].
#[derive(Config, Debug)]
pub struct AttSetsReadoutConfig {
    /// Node features (the output has the same width).
    pub d_input: usize,
}

/// Per-feature attentional aggregation.
#[derive(Module, Debug)]
pub struct AttSetsReadout {
    score: Linear,
}

impl AttSetsReadoutConfig {
    /// The readout on `device`.
    pub fn init(&self, device: &Device) -> AttSetsReadout {
        AttSetsReadout {
            score: LinearConfig::new(self.d_input, self.d_input).init(device),
        }
    }
}

impl AttSetsReadout {
    /// # Shapes
    /// `x: [N, d_input]` → `[num_graphs, d_input]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let s = segment_softmax(self.score.forward(x.clone()), &g.nodes);
        scatter_sum(x * s, &g.nodes)
    }
}
