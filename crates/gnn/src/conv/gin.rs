//! GIN (Xu et al.): `x' = MLP((1 + ε) x + Σ_{j→i} x_j)`, ε fixed or learned.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

use crate::graph::{DeviceBatch, scatter_sum};

/// Configuration of [`GinConv`].
#[derive(Config, Debug)]
pub struct GinConvConfig {
    /// Input features.
    pub d_input: usize,
    /// Hidden and output features of the two-layer MLP.
    pub d_output: usize,
    /// Initial ε.
    #[config(default = 0.0)]
    pub eps: f64,
    /// Learn ε (GIN-ε) rather than keep it fixed (GIN-0).
    #[config(default = false)]
    pub train_eps: bool,
}

/// Graph isomorphism network layer with a two-layer MLP (Linear → ReLU → Linear).
#[derive(Module, Debug)]
pub struct GinConv {
    first: Linear,
    second: Linear,
    eps: Param<Tensor<1>>,
}

impl GinConvConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> GinConv {
        let eps = Tensor::<1>::from_data(TensorData::new(vec![self.eps as f32], [1]), device);
        let eps = if self.train_eps {
            Param::from_tensor(eps)
        } else {
            Param::from_tensor(eps).set_require_grad(false)
        };
        GinConv {
            first: LinearConfig::new(self.d_input, self.d_output).init(device),
            second: LinearConfig::new(self.d_output, self.d_output).init(device),
            eps,
        }
    }
}

impl GinConv {
    /// # Shapes
    /// `x: [N, d_input]` → `[N, d_output]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let neighbours = scatter_sum(x.clone().select(0, g.src.clone()), &g.incoming);
        self.update(x, neighbours)
    }

    /// `MLP((1 + ε) x + aggregated)`: the node update shared with GINE.
    ///
    /// # Shapes
    /// `x, aggregated: [N, d_input]` → `[N, d_output]`.
    pub(crate) fn update(&self, x: Tensor<2>, aggregated: Tensor<2>) -> Tensor<2> {
        let own = x * (self.eps.val() + 1.0).unsqueeze::<2>();
        self.second
            .forward(relu(self.first.forward(own + aggregated)))
    }
}
