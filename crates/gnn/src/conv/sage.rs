//! GraphSAGE (mean aggregator): `x' = W_self x + W_neigh mean_{j→i} x_j + b`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use crate::graph::{DeviceBatch, scatter_mean};

/// Configuration of [`SageConv`].
#[derive(Config, Debug)]
pub struct SageConvConfig {
    /// Input features.
    pub d_input: usize,
    /// Output features.
    pub d_output: usize,
}

/// GraphSAGE layer with the mean aggregator.
#[derive(Module, Debug)]
pub struct SageConv {
    own: Linear,
    neighbours: Linear,
}

impl SageConvConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> SageConv {
        SageConv {
            own: LinearConfig::new(self.d_input, self.d_output).init(device),
            neighbours: LinearConfig::new(self.d_input, self.d_output)
                .with_bias(false)
                .init(device),
        }
    }
}

impl SageConv {
    /// # Shapes
    /// `x: [N, d_input]` → `[N, d_output]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let mean = scatter_mean(x.clone().select(0, g.src.clone()), &g.incoming);
        self.own.forward(x) + self.neighbours.forward(mean)
    }
}
