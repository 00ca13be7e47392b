//! One block of PD-MeshNet: a primal-dual convolution, optionally in the paper's residual form
//! (`DualPrimalResConv`: `conv₀ → x₁ → ReLU → BatchNorm → conv₁ → + x₁ → ReLU`, on both
//! streams), then GroupNorm and ReLU (`DualPrimalResDownConv` without its pooling).

use burn::nn::{BatchNorm, BatchNormConfig, GroupNorm, GroupNormConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use tessera_gnn::conv::{PrimalDualConv, PrimalDualConvConfig};
use tessera_gnn::graph::DevicePrimalDual;

/// Configuration of [`PdBlock`].
#[derive(Config, Debug)]
pub struct PdBlockConfig {
    /// Primal input features.
    pub d_primal: usize,
    /// Dual input features.
    pub d_dual: usize,
    /// Output features of both streams.
    pub channels: usize,
    /// Attention heads (averaged).
    pub heads: usize,
    /// Two convolutions with a skip connection instead of one.
    pub residual: bool,
    /// GroupNorm groups wanted: the largest divisor of `channels` up to this that leaves at
    /// least 2 channels per group is used.
    pub norm_groups: usize,
}

/// The second convolution of a residual block with the batch normalisation before it.
#[derive(Module, Debug)]
pub struct PdSkip {
    primal_bn: BatchNorm,
    dual_bn: BatchNorm,
    conv: PrimalDualConv,
}

/// A PD-MeshNet block.
#[derive(Module, Debug)]
pub struct PdBlock {
    conv: PrimalDualConv,
    skip: Option<PdSkip>,
    primal_norm: GroupNorm,
    dual_norm: GroupNorm,
}

/// The groups used for `channels`: the largest divisor of `channels` up to `wanted` that leaves
/// at least 2 channels per group (a group of one channel would normalise it to zero), else 1.
pub(crate) fn norm_groups(wanted: usize, channels: usize) -> usize {
    (1..=wanted.min(channels / 2))
        .rev()
        .find(|g| channels.is_multiple_of(*g))
        .unwrap_or(1)
}

impl PdBlockConfig {
    /// The block on `device`.
    pub fn init(&self, device: &Device) -> PdBlock {
        let c = self.channels;
        let conv = |dp: usize, dd: usize| {
            PrimalDualConvConfig::new(dp, dd, c, c)
                .with_heads(self.heads)
                .with_concat(false)
                .init(device)
        };
        let groups = norm_groups(self.norm_groups, c);
        PdBlock {
            conv: conv(self.d_primal, self.d_dual),
            skip: self.residual.then(|| PdSkip {
                primal_bn: BatchNormConfig::new(c).init(device),
                dual_bn: BatchNormConfig::new(c).init(device),
                conv: conv(c, c),
            }),
            primal_norm: GroupNormConfig::new(groups, c).init(device),
            dual_norm: GroupNormConfig::new(groups, c).init(device),
        }
    }
}

impl PdBlock {
    /// New primal and dual features and the primal attention of the block's last convolution
    /// (what pooling scores pairs with).
    ///
    /// # Shapes
    /// `primal: [N_primal, d_primal]`, `dual: [N_dual, d_dual]` →
    /// `([N_primal, channels], [N_dual, channels], [E_primal, heads])`.
    pub fn forward(
        &self,
        primal: Tensor<2>,
        dual: Tensor<2>,
        g: &DevicePrimalDual,
    ) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
        let o = self.conv.forward(primal, dual, g);
        let (primal, dual, attention) = match &self.skip {
            None => (o.primal, o.dual, o.attention),
            Some(s) => {
                let (p1, d1) = (o.primal, o.dual);
                let o2 = s.conv.forward(
                    s.primal_bn.forward(relu(p1.clone())),
                    s.dual_bn.forward(relu(d1.clone())),
                    g,
                );
                (relu(o2.primal + p1), relu(o2.dual + d1), o2.attention)
            }
        };
        (
            relu(self.primal_norm.forward(primal)),
            relu(self.dual_norm.forward(dual)),
            attention,
        )
    }
}
