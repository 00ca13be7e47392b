//! GINE (Hu et al., "Strategies for Pre-training GNNs"): GIN with edge features,
//! `x' = MLP((1 + ε) x + Σ_{j→i} ReLU(x_j + W_e e_{ji}))`.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

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
}

/// GIN layer whose messages carry edge features.
#[derive(Module, Debug)]
pub struct GineConv {
    edge: Linear,
    first: Linear,
    second: Linear,
    eps: Param<Tensor<1>>,
}

impl GineConvConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> GineConv {
        let eps = Tensor::<1>::from_data(TensorData::new(vec![self.eps as f32], [1]), device);
        let eps = if self.train_eps {
            Param::from_tensor(eps)
        } else {
            Param::from_tensor(eps).set_require_grad(false)
        };
        GineConv {
            edge: LinearConfig::new(self.d_edge, self.d_input).init(device),
            first: LinearConfig::new(self.d_input, self.d_output).init(device),
            second: LinearConfig::new(self.d_output, self.d_output).init(device),
            eps,
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
        let own = x * (self.eps.val() + 1.0).unsqueeze::<2>();
        self.second.forward(relu(
            self.first.forward(own + scatter_sum(messages, &g.incoming)),
        ))
    }
}
