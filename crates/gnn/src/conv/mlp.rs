//! The multi-layer perceptron GIN applies to each node: Linear layers with ReLU between them,
//! optionally BatchNorm before each ReLU as in the GIN paper (Xu et al. 2019, §7: "batch
//! normalization is applied on every hidden layer").

use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

/// A node-wise network `[N, d_in] → [N, d_out]` that [`super::GinConv`] can carry (PyG's
/// `GINConv(nn)`): any burn module with this forward.
pub trait NodeMlp: Module {
    /// # Shapes
    /// `x: [N, d_in]` → `[N, d_out]`.
    fn forward(&self, x: Tensor<2>) -> Tensor<2>;
}

/// Configuration of [`Mlp`].
#[derive(Config, Debug)]
pub struct MlpConfig {
    /// Widths from the input to the output: `[d_in, hidden…, d_out]` (at least two).
    pub widths: Vec<usize>,
    /// BatchNorm on every hidden layer, before its ReLU.
    #[config(default = false)]
    pub batch_norm: bool,
}

/// One Linear layer and, on hidden layers, an optional BatchNorm.
#[derive(Module, Debug)]
struct MlpLayer {
    linear: Linear,
    norm: Option<BatchNorm>,
}

/// Linear → (BatchNorm) → ReLU → … → Linear.
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<MlpLayer>,
}

impl MlpConfig {
    /// The network on `device`.
    ///
    /// # Panics
    /// With fewer than two widths (a programming error).
    pub fn init(&self, device: &Device) -> Mlp {
        assert!(
            self.widths.len() >= 2,
            "an MLP needs an input and an output width"
        );
        let last = self.widths.len() - 2;
        Mlp {
            layers: self
                .widths
                .windows(2)
                .enumerate()
                .map(|(i, w)| MlpLayer {
                    linear: LinearConfig::new(w[0], w[1]).init(device),
                    norm: (self.batch_norm && i < last)
                        .then(|| BatchNormConfig::new(w[1]).init(device)),
                })
                .collect(),
        }
    }
}

impl NodeMlp for Mlp {
    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(x, |h, (i, layer)| {
            let h = layer.linear.forward(h);
            if i == last {
                return h;
            }
            relu(match &layer.norm {
                Some(norm) => norm.forward(h),
                None => h,
            })
        })
    }
}
