//! GIN (Xu et al.): `x' = MLP((1 + ε) x + Σ_{j→i} x_j)`, ε fixed or learned, the MLP the
//! caller's ([`GinConv::new`], as PyG's `GINConv(nn)`) or the paper's two layers
//! ([`GinConvConfig`]).

use burn::module::Param;
use burn::prelude::*;

use super::mlp::{Mlp, MlpConfig, NodeMlp};
use crate::graph::{DeviceBatch, scatter_sum};

/// Configuration of [`GinConv`] with the paper's MLP (Linear → (BatchNorm) → ReLU → Linear).
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
    /// BatchNorm on the MLP's hidden layer (the GIN paper's).
    #[config(default = false)]
    pub batch_norm: bool,
}

/// Graph isomorphism network layer around a node-wise network `N`.
#[derive(Module, Debug)]
pub struct GinConv<N: NodeMlp = Mlp> {
    nn: N,
    eps: Param<Tensor<1>>,
}

impl GinConvConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> GinConv {
        let mlp = MlpConfig::new(vec![self.d_input, self.d_output, self.d_output])
            .with_batch_norm(self.batch_norm)
            .init(device);
        GinConv::new(mlp, self.eps, self.train_eps, device)
    }
}

impl<N: NodeMlp> GinConv<N> {
    /// The layer around the caller's node network `nn`, with ε starting at `eps` and learned
    /// when `train_eps`.
    pub fn new(nn: N, eps: f64, train_eps: bool, device: &Device) -> Self {
        let eps = Tensor::<1>::from_data(TensorData::new(vec![eps as f32], [1]), device);
        let eps = Param::from_tensor(eps);
        GinConv {
            nn,
            eps: if train_eps {
                eps
            } else {
                eps.set_require_grad(false)
            },
        }
    }

    /// # Shapes
    /// `x: [N, d_input]` → `[N, d_output]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let neighbours = scatter_sum(x.clone().select(0, g.src.clone()), &g.incoming);
        self.update(x, neighbours)
    }

    /// `nn((1 + ε) x + aggregated)`: the node update shared with GINE.
    ///
    /// # Shapes
    /// `x, aggregated: [N, d_input]` → `[N, d_output]`.
    pub(crate) fn update(&self, x: Tensor<2>, aggregated: Tensor<2>) -> Tensor<2> {
        let own = x * (self.eps.val() + 1.0).unsqueeze::<2>();
        self.nn.forward(own + aggregated)
    }
}
