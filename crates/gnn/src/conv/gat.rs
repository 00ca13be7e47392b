//! GAT (Veličković et al.) and GATv2 (Brody et al.): multi-head attention over each node and its
//! neighbours (self-loops added as PyG does by default, or not: PD-MeshNet's dual update); heads
//! concatenated or averaged.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::leaky_relu;

use crate::graph::{DeviceBatch, Segments, scatter_sum, segment_softmax, select_heads};

/// Configuration of [`GatConv`].
#[derive(Config, Debug)]
pub struct GatConvConfig {
    /// Input features.
    pub d_input: usize,
    /// Output features per head.
    pub d_output: usize,
    /// Attention heads.
    #[config(default = 1)]
    pub heads: usize,
    /// Concatenate the heads (`[N, heads·d_output]`) rather than average them (`[N, d_output]`).
    #[config(default = true)]
    pub concat: bool,
    /// GATv2's scoring `a · LeakyReLU(W_s x_j + W_d x_i)` instead of GAT's
    /// `LeakyReLU(a_s · W x_j + a_d · W x_i)`.
    #[config(default = false)]
    pub v2: bool,
    /// Slope of the LeakyReLU.
    #[config(default = 0.2)]
    pub negative_slope: f64,
    /// Attend to the node itself too (a self-loop per node). Without, a node without incoming
    /// edges gets only the bias.
    #[config(default = true)]
    pub self_loops: bool,
}

/// Graph attention layer.
#[derive(Module, Debug)]
pub struct GatConv {
    source: Linear,
    target: Option<Linear>,
    att_source: Param<Tensor<2>>,
    att_target: Param<Tensor<2>>,
    bias: Param<Tensor<1>>,
    #[module(skip)]
    heads: usize,
    #[module(skip)]
    d_output: usize,
    #[module(skip)]
    concat: bool,
    #[module(skip)]
    v2: bool,
    #[module(skip)]
    slope: f64,
    #[module(skip)]
    self_loops: bool,
}

impl GatConvConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> GatConv {
        let hc = self.heads * self.d_output;
        let std = (2.0 / (1 + self.d_output) as f64).sqrt();
        let att = || {
            Param::from_tensor(Tensor::<2>::random(
                [self.heads, self.d_output],
                Distribution::Normal(0.0, std),
                device,
            ))
        };
        GatConv {
            source: LinearConfig::new(self.d_input, hc)
                .with_bias(false)
                .init(device),
            target: self.v2.then(|| {
                LinearConfig::new(self.d_input, hc)
                    .with_bias(false)
                    .init(device)
            }),
            att_source: att(),
            att_target: att(),
            bias: Param::from_tensor(Tensor::zeros(
                [if self.concat { hc } else { self.d_output }],
                device,
            )),
            heads: self.heads,
            d_output: self.d_output,
            concat: self.concat,
            v2: self.v2,
            slope: self.negative_slope,
            self_loops: self.self_loops,
        }
    }
}

impl GatConv {
    /// The edges attention runs over: with or without the self-loops.
    fn edges<'a>(
        &self,
        g: &'a DeviceBatch,
    ) -> (&'a Tensor<1, Int>, &'a Tensor<1, Int>, &'a Segments) {
        if self.self_loops {
            let loops = g.self_loops();
            (&loops.src, &loops.dst, &loops.incoming)
        } else {
            (&g.src, &g.dst, &g.incoming)
        }
    }

    /// The attention of every edge (self-loops appended when the layer has them), per head,
    /// normalised over each target's incoming edges.
    ///
    /// # Shapes
    /// `x: [N, d_input]` → `[E + N, heads]` (`[E, heads]` without self-loops).
    pub fn attention(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        self.attend(x, g).1
    }

    fn attend(&self, x: Tensor<2>, g: &DeviceBatch) -> (Tensor<3>, Tensor<2>) {
        let [n, _] = x.dims();
        let (h, c) = (self.heads, self.d_output);
        let (src, dst, incoming) = self.edges(g);
        let hs = self.source.forward(x.clone()).reshape([n, h, c]);
        let logits = if self.v2 {
            let ht = self
                .target
                .as_ref()
                .expect("v2 has a target projection")
                .forward(x)
                .reshape([n, h, c]);
            let pair = select_heads(hs.clone(), src.clone()) + select_heads(ht, dst.clone());
            let e = pair.dims()[0];
            (leaky_relu(pair, self.slope) * self.att_source.val().unsqueeze::<3>())
                .sum_dim(2)
                .reshape([e, h])
        } else {
            let a_s = (hs.clone() * self.att_source.val().unsqueeze::<3>())
                .sum_dim(2)
                .reshape([n, h]);
            let a_t = (hs.clone() * self.att_target.val().unsqueeze::<3>())
                .sum_dim(2)
                .reshape([n, h]);
            leaky_relu(
                a_s.select(0, src.clone()) + a_t.select(0, dst.clone()),
                self.slope,
            )
        };
        let alpha = segment_softmax(logits, incoming);
        (hs, alpha)
    }

    /// # Shapes
    /// `x: [N, d_input]` → `[N, heads·d_output]` (concat) or `[N, d_output]` (mean).
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let [n, _] = x.dims();
        let (h, c) = (self.heads, self.d_output);
        let (hs, alpha) = self.attend(x, g);
        let (src, _, incoming) = self.edges(g);
        let e = alpha.dims()[0];
        let messages = select_heads(hs, src.clone()) * alpha.reshape([e, h, 1]);
        let out = scatter_sum(messages.reshape([e, h * c]), incoming);
        let out = if self.concat {
            out
        } else {
            out.reshape([n, h, c]).mean_dim(1).reshape([n, c])
        };
        out + self.bias.val().unsqueeze::<2>()
    }
}
