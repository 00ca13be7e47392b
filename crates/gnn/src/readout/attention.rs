//! Gated attention readout (Li et al., gated graph networks): a learned gate scores each node,
//! the scores are normalised by a softmax within each graph, and the readout is the weighted sum
//! of transformed node features.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use crate::graph::{DeviceBatch, scatter_sum, segment_softmax};

/// Configuration of [`AttentionReadout`].
#[derive(Config, Debug)]
pub struct AttentionReadoutConfig {
    /// Node features.
    pub d_input: usize,
    /// Output features.
    pub d_output: usize,
}

/// `r_G = Σ_{n∈G} softmax_G(gate(x_n)) · value(x_n)`.
#[derive(Module, Debug)]
pub struct AttentionReadout {
    gate: Linear,
    value: Linear,
}

impl AttentionReadoutConfig {
    /// The readout on `device`.
    pub fn init(&self, device: &Device) -> AttentionReadout {
        AttentionReadout {
            gate: LinearConfig::new(self.d_input, 1).init(device),
            value: LinearConfig::new(self.d_input, self.d_output).init(device),
        }
    }
}

impl AttentionReadout {
    /// The attention weight of every node (summing to 1 within each graph).
    ///
    /// # Shapes
    /// `x: [N, d_input]` → `[N, 1]`.
    pub fn weights(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        segment_softmax(self.gate.forward(x), &g.nodes)
    }

    /// # Shapes
    /// `x: [N, d_input]` → `[num_graphs, d_output]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let w = self.weights(x.clone(), g);
        scatter_sum(self.value.forward(x) * w, &g.nodes)
    }
}
