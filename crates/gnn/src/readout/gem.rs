//! Generalised-mean (GeM) readout with a learnable exponent `p`:
//! `r = (mean_{n∈G} max(x_n, ε)^p)^{1/p}` (p = 1: mean, p → ∞: max); grouped GeM (GGeM, Ko et
//! al.) learns one `p` per group of consecutive channels.

use burn::module::Param;
use burn::prelude::*;

use crate::graph::{DeviceBatch, scatter_mean};

/// Configuration of [`GemReadout`].
#[derive(Config, Debug)]
pub struct GemReadoutConfig {
    /// Initial exponent (3 in the image-retrieval literature).
    #[config(default = 3.0)]
    pub p: f64,
    /// Floor applied to inputs (GeM needs positive values; the fragile part).
    #[config(default = 1e-6)]
    pub eps: f64,
    /// Groups of channels with their own `p` (1 = GeM; GGeM uses the number of heads). The
    /// channel count must be a multiple of it.
    #[config(default = 1)]
    pub groups: usize,
}

/// GeM pooling over each graph's nodes, per feature.
#[derive(Module, Debug)]
pub struct GemReadout {
    p: Param<Tensor<1>>,
    #[module(skip)]
    eps: f64,
}

impl GemReadoutConfig {
    /// The readout on `device`.
    pub fn init(&self, device: &Device) -> GemReadout {
        GemReadout {
            p: Param::from_tensor(Tensor::from_data(
                TensorData::new(vec![self.p as f32], [1]),
                device,
            )),
            eps: self.eps,
        }
    }
}

impl GemReadout {
    /// The learned exponents (one per group), as used (clamped to [1, 100]).
    pub fn p(&self) -> Tensor<1> {
        self.p.val().clamp(1.0, 100.0)
    }

    /// # Shapes
    /// `x: [N, F]` → `[num_graphs, F]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        // Powers go through exp/log of the floored input.
        let [_, f] = x.dims();
        let groups = self.p.val().dims()[0];
        // One p per group of f / groups consecutive channels (clamped to [1, 100] as PyG does).
        let p = self
            .p
            .val()
            .clamp(1.0, 100.0)
            .reshape([groups, 1])
            .expand([groups, f / groups])
            .reshape([1, f]);
        let powered = (x.clamp_min(self.eps).log() * p.clone()).exp();
        (scatter_mean(powered, &g.nodes).clamp_min(self.eps).log() / p).exp()
    }
}
