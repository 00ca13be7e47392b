//! PD-MeshNet's primal-dual convolution (Milano et al. 2020, `DualPrimalConv`): a graph
//! attention update of the dual graph (no self-loops), then an attention update of the primal
//! graph whose coefficients come from the **new dual features**: for primal edge `j → i` and head
//! `h`, `α_ij^h = softmax_j LeakyReLU(a_h · x'_d(i,j)^h)`, with `x'_d(i,j)^h` head `h`'s slice of
//! the dual node of the edge; `x'_i = ‖_h Σ_j α_ij^h W_h x_j + b` (no self-loop: a face is
//! rebuilt from its ≤ 3 neighbours). No activation inside: the blocks around it add ReLU and
//! normalisation. The primal attention is returned for pooling.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::leaky_relu;

use super::gat::{GatConv, GatConvConfig};
use crate::graph::{DevicePrimalDual, scatter_sum, segment_softmax, select_heads};

/// Configuration of [`PrimalDualConv`].
#[derive(Config, Debug)]
pub struct PrimalDualConvConfig {
    /// Primal (face) input features.
    pub d_primal: usize,
    /// Dual (face pair) input features.
    pub d_dual: usize,
    /// Primal output features per head.
    pub d_primal_out: usize,
    /// Dual output features per head.
    pub d_dual_out: usize,
    /// Attention heads (PD-MeshNet's classifiers: 3). Dual head `h` drives primal head `h`.
    #[config(default = 1)]
    pub heads: usize,
    /// Concatenate the heads of both outputs (else average them).
    #[config(default = true)]
    pub concat: bool,
    /// Slope of the LeakyReLUs.
    #[config(default = 0.2)]
    pub negative_slope: f64,
}

/// What one primal-dual convolution returns.
#[derive(Clone, Debug)]
pub struct PrimalDualOutput {
    /// New primal features `[N_primal, heads·d_primal_out]` (or `d_primal_out` averaged).
    pub primal: Tensor<2>,
    /// New dual features `[N_dual, heads·d_dual_out]` (or `d_dual_out` averaged).
    pub dual: Tensor<2>,
    /// Primal attention `[E_primal, heads]`, normalised over each face's incoming edges.
    pub attention: Tensor<2>,
}

/// The primal-dual attention convolution.
#[derive(Module, Debug)]
pub struct PrimalDualConv {
    dual: GatConv,
    primal: Linear,
    attention: Param<Tensor<2>>,
    bias: Param<Tensor<1>>,
    #[module(skip)]
    heads: usize,
    #[module(skip)]
    d_primal_out: usize,
    #[module(skip)]
    d_dual_out: usize,
    #[module(skip)]
    concat: bool,
    #[module(skip)]
    slope: f64,
}

impl PrimalDualConvConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> PrimalDualConv {
        let heads = self.heads.max(1);
        let std = (2.0 / (1 + self.d_dual_out) as f64).sqrt();
        PrimalDualConv {
            dual: GatConvConfig::new(self.d_dual, self.d_dual_out)
                .with_heads(heads)
                .with_concat(true)
                .with_self_loops(false)
                .with_negative_slope(self.negative_slope)
                .init(device),
            primal: LinearConfig::new(self.d_primal, heads * self.d_primal_out)
                .with_bias(false)
                .init(device),
            attention: Param::from_tensor(Tensor::random(
                [heads, self.d_dual_out],
                Distribution::Normal(0.0, std),
                device,
            )),
            bias: Param::from_tensor(Tensor::zeros(
                [if self.concat {
                    heads * self.d_primal_out
                } else {
                    self.d_primal_out
                }],
                device,
            )),
            heads,
            d_primal_out: self.d_primal_out,
            d_dual_out: self.d_dual_out,
            concat: self.concat,
            slope: self.negative_slope,
        }
    }
}

impl PrimalDualConv {
    /// # Shapes
    /// `primal: [N_primal, d_primal]`, `dual: [N_dual, d_dual]` → [`PrimalDualOutput`].
    pub fn forward(
        &self,
        primal: Tensor<2>,
        dual: Tensor<2>,
        g: &DevicePrimalDual,
    ) -> PrimalDualOutput {
        let (h, cd, cp) = (self.heads, self.d_dual_out, self.d_primal_out);
        let new_dual = self.dual.forward(dual, &g.dual);
        let [nd, _] = new_dual.dims();
        let [np, _] = primal.dims();
        // Attention of each primal edge from its dual node's new features, head by head.
        let of_edge = select_heads(
            new_dual.clone().reshape([nd, h, cd]),
            g.dual_of_edge.clone(),
        );
        let e = of_edge.dims()[0];
        let logits = (of_edge * self.attention.val().unsqueeze::<3>())
            .sum_dim(2)
            .reshape([e, h]);
        let alpha = segment_softmax(leaky_relu(logits, self.slope), &g.primal.incoming);
        let projected = self.primal.forward(primal).reshape([np, h, cp]);
        let messages =
            select_heads(projected, g.primal.src.clone()) * alpha.clone().reshape([e, h, 1]);
        let out = scatter_sum(messages.reshape([e, h * cp]), &g.primal.incoming);
        let (primal, dual) = if self.concat {
            (out, new_dual)
        } else {
            (
                out.reshape([np, h, cp]).mean_dim(1).reshape([np, cp]),
                new_dual.reshape([nd, h, cd]).mean_dim(1).reshape([nd, cd]),
            )
        };
        PrimalDualOutput {
            primal: primal + self.bias.val().unsqueeze::<2>(),
            dual,
            attention: alpha,
        }
    }
}
