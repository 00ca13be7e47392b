//! NV-Embed latent attention pooling (Lee et al., ICLR 2025): every node queries a learned
//! dictionary of `r` latents, `o_n = softmax(W_q x_n · Lᵀ / √d) L`, then an MLP
//! (Linear → GELU → Linear), then the mean over the graph's nodes. One head.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::{gelu, softmax};

use crate::graph::{DeviceBatch, scatter_mean};

/// Configuration of [`LatentAttentionReadout`].
#[derive(Config, Debug)]
pub struct LatentAttentionReadoutConfig {
    /// Node features.
    pub d_input: usize,
    /// Width of the latents and of the output.
    pub d_model: usize,
    /// Number of latents (NV-Embed: 512 for text; a few dozen suit graphs).
    #[config(default = 16)]
    pub latents: usize,
}

/// Latent attention then mean pooling.
#[derive(Module, Debug)]
pub struct LatentAttentionReadout {
    query: Linear,
    latents: Param<Tensor<2>>,
    mlp_in: Linear,
    mlp_out: Linear,
}

impl LatentAttentionReadoutConfig {
    /// The readout on `device`.
    pub fn init(&self, device: &Device) -> LatentAttentionReadout {
        let std = (1.0 / self.d_model as f64).sqrt();
        LatentAttentionReadout {
            query: LinearConfig::new(self.d_input, self.d_model)
                .with_bias(false)
                .init(device),
            latents: Param::from_tensor(Tensor::random(
                [self.latents, self.d_model],
                Distribution::Normal(0.0, std),
                device,
            )),
            mlp_in: LinearConfig::new(self.d_model, self.d_model).init(device),
            mlp_out: LinearConfig::new(self.d_model, self.d_model).init(device),
        }
    }
}

impl LatentAttentionReadout {
    /// # Shapes
    /// `x: [N, d_input]` → `[num_graphs, d_model]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let lat = self.latents.val();
        let d = lat.dims()[1] as f64;
        let weights = softmax(
            self.query.forward(x).matmul(lat.clone().transpose()) / d.sqrt(),
            1,
        );
        let o = weights.matmul(lat);
        scatter_mean(self.mlp_out.forward(gelu(self.mlp_in.forward(o))), &g.nodes)
    }
}
