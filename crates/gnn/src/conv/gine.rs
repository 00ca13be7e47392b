//! GINE (Hu et al., "Strategies for Pre-training GNNs"): GIN with edge features,
//! `x' = MLP((1 + ε) x + Σ_{j→i} ReLU(x_j + W_e e_{ji}))`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

use super::{GinConv, GinConvConfig};
use crate::graph::{DeviceBatch, scatter_sum};

/// Configuration of [`GineConv`].
#[derive(Config, Debug)]
pub struct GineConvConfig {
    /// Input node features.
    pub d_input: usize,
    /// Edge features.
    pub d_edge: usize,
    /// Output features.
    pub d_output: usize,
    /// Initial ε.
    #[config(default = 0.0)]
    pub eps: f64,
    /// Learn ε.
    #[config(default = false)]
    pub train_eps: bool,
    /// BatchNorm on the MLP's hidden layer.
    #[config(default = false)]
    pub batch_norm: bool,
}

/// GIN layer whose messages carry edge features.
#[derive(Module, Debug)]
pub struct GineConv {
    edge: Linear,
    gin: GinConv,
}

impl GineConvConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> GineConv {
        GineConv {
            edge: LinearConfig::new(self.d_edge, self.d_input).init(device),
            gin: GinConvConfig::new(self.d_input, self.d_output)
                .with_eps(self.eps)
                .with_train_eps(self.train_eps)
                .with_batch_norm(self.batch_norm)
                .init(device),
        }
    }
}

impl GineConv {
    /// # Shapes
    /// `x: [N, d_input]`, the batch's `edge_attr: [E, d_edge]` → `[N, d_output]`.
    ///
    /// # Panics
    /// When the batch has no edge features (a programming error: check `edge_attr` first).
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let e = g
            .edge_attr
            .clone()
            .expect("GINE needs edge features in the batch");
        let messages = relu(x.clone().select(0, g.src.clone()) + self.edge.forward(e));
        self.gin.update(x, scatter_sum(messages, &g.incoming))
    }
}
