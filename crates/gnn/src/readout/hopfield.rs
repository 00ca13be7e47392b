//! Hopfield pooling (Ramsauer et al., "Hopfield Networks is All You Need"): `k` learned query
//! patterns retrieve from the graph's nodes, `softmax_G(β · q_i · W_K x_n)` weighting
//! `W_V x_n`; the `k` retrieved patterns are concatenated.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;

use crate::graph::{DeviceBatch, scatter_sum, segment_softmax};

/// Configuration of [`HopfieldReadout`].
#[derive(Config, Debug)]
pub struct HopfieldReadoutConfig {
    /// Node features.
    pub d_input: usize,
    /// Width of keys and queries.
    pub d_key: usize,
    /// Width of each retrieved pattern.
    pub d_value: usize,
    /// Number of learned queries (output width `queries · d_value`).
    #[config(default = 1)]
    pub queries: usize,
    /// Inverse temperature β; `None` = `1/sqrt(d_key)`.
    pub beta: Option<f64>,
}

/// Hopfield pooling over each graph's nodes.
#[derive(Module, Debug)]
pub struct HopfieldReadout {
    key: Linear,
    value: Linear,
    queries: Param<Tensor<2>>,
    #[module(skip)]
    beta: f64,
}

impl HopfieldReadoutConfig {
    /// The readout on `device`.
    pub fn init(&self, device: &Device) -> HopfieldReadout {
        let std = (1.0 / self.d_key as f64).sqrt();
        HopfieldReadout {
            key: LinearConfig::new(self.d_input, self.d_key)
                .with_bias(false)
                .init(device),
            value: LinearConfig::new(self.d_input, self.d_value).init(device),
            queries: Param::from_tensor(Tensor::random(
                [self.queries, self.d_key],
                Distribution::Normal(0.0, std),
                device,
            )),
            beta: self.beta.unwrap_or(1.0 / (self.d_key as f64).sqrt()),
        }
    }
}

impl HopfieldReadout {
    /// The retrieval weights of every node for every query (summing to 1 within each graph).
    ///
    /// # Shapes
    /// `x: [N, d_input]` → `[N, queries]`.
    pub fn weights(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let logits = self.key.forward(x).matmul(self.queries.val().transpose()) * self.beta;
        segment_softmax(logits, &g.nodes)
    }

    /// # Shapes
    /// `x: [N, d_input]` → `[num_graphs, queries · d_value]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let [n, _] = x.dims();
        let w = self.weights(x.clone(), g);
        let v = self.value.forward(x);
        let (k, dv) = (w.dims()[1], v.dims()[1]);
        let weighted = w.reshape([n, k, 1]) * v.reshape([n, 1, dv]);
        scatter_sum(weighted.reshape([n, k * dv]), &g.nodes)
    }
}
