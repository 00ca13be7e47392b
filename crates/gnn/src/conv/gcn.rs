//! GCN (Kipf & Welling): `x' = D^{-1/2} (A + I) D^{-1/2} x W + b`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use crate::graph::DeviceBatch;

/// Configuration of [`GcnConv`].
#[derive(Config, Debug)]
pub struct GcnConvConfig {
    /// Input features.
    pub d_input: usize,
    /// Output features.
    pub d_output: usize,
    /// Add a learned bias.
    #[config(default = true)]
    pub bias: bool,
}

/// Graph convolution with symmetric normalisation and self-loops.
#[derive(Module, Debug)]
pub struct GcnConv {
    linear: Linear,
}

impl GcnConvConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> GcnConv {
        GcnConv {
            linear: LinearConfig::new(self.d_input, self.d_output)
                .with_bias(self.bias)
                .init(device),
        }
    }
}

impl GcnConv {
    /// # Shapes
    /// `x: [N, d_input]` → `[N, d_output]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let [n, _] = x.dims();
        // Transform first (fewer columns to move when d_output < d_input), bias after.
        let h = x.matmul(self.linear.weight.val());
        let loops = g.self_loops();
        let messages = h.select(0, loops.src.clone()) * loops.gcn_norm.clone();
        let [_, f] = messages.dims();
        let out = Tensor::zeros([n, f], &messages.device()).select_assign(
            0,
            loops.dst.clone(),
            messages,
            burn::tensor::IndexingUpdateOp::Add,
        );
        match &self.linear.bias {
            Some(b) => out + b.val().unsqueeze::<2>(),
            None => out,
        }
    }
}
