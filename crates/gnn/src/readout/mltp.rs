//! Multi-layer trainable pooling (Tang & Yang 2024, "Pooling and attention: what are effective
//! designs for LLM-based embedding models?"), for graphs: the mean over each graph's nodes of
//! every layer (projected to a common width `d`, the input layer included) plus a learned layer
//! embedding form `H ∈ R^{B×L×d}`; a learned latent array queries it with one multi-head
//! cross-attention block (pre-LayerNorm on both sides, residual) and a GEGLU feed-forward
//! (residual); the latents are averaged and the result L2-normalised.
//!
//! Guard: the L2 norm is floored at 1e-12.

use burn::module::Param;
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::{gelu, softmax};

use crate::graph::{DeviceBatch, scatter_mean};

/// Configuration of [`MultiLayerPooling`].
#[derive(Config, Debug)]
pub struct MultiLayerPoolingConfig {
    /// Width of each layer's node features, input layer first.
    pub layer_widths: Vec<usize>,
    /// Common width `d` (and of the output).
    pub d_model: usize,
    /// Latents (the paper: 768 for an LLM; a few suit graphs).
    #[config(default = 8)]
    pub latents: usize,
    /// Attention heads (`d_model` must be a multiple).
    #[config(default = 4)]
    pub heads: usize,
}

/// The multi-layer trainable pooling readout.
#[derive(Module, Debug)]
pub struct MultiLayerPooling {
    project: Vec<Linear>,
    layer_embedding: Param<Tensor<2>>,
    latents: Param<Tensor<2>>,
    norm_latents: LayerNorm,
    norm_layers: LayerNorm,
    query: Linear,
    key: Linear,
    value: Linear,
    out: Linear,
    norm_ff: LayerNorm,
    ff_in: Linear,
    ff_out: Linear,
    #[module(skip)]
    heads: usize,
}

impl MultiLayerPoolingConfig {
    /// The readout on `device`.
    ///
    /// # Panics
    /// When `d_model` is not a multiple of `heads` or there is no layer.
    pub fn init(&self, device: &Device) -> MultiLayerPooling {
        let d = self.d_model;
        assert!(
            self.heads > 0 && d.is_multiple_of(self.heads) && !self.layer_widths.is_empty(),
            "MultiLayerPooling: width {d} for {} heads and {} layers",
            self.heads,
            self.layer_widths.len()
        );
        let std = (1.0 / d as f64).sqrt();
        let normal = |rows: usize| {
            Param::from_tensor(Tensor::random(
                [rows, d],
                Distribution::Normal(0.0, std),
                device,
            ))
        };
        let lin = |i: usize, o: usize| LinearConfig::new(i, o).init(device);
        MultiLayerPooling {
            project: self.layer_widths.iter().map(|&w| lin(w, d)).collect(),
            layer_embedding: normal(self.layer_widths.len()),
            latents: normal(self.latents.max(1)),
            norm_latents: LayerNormConfig::new(d).init(device),
            norm_layers: LayerNormConfig::new(d).init(device),
            query: lin(d, d),
            key: lin(d, d),
            value: lin(d, d),
            out: lin(d, d),
            norm_ff: LayerNormConfig::new(d).init(device),
            ff_in: lin(d, 8 * d),
            ff_out: lin(4 * d, d),
            heads: self.heads,
        }
    }
}

impl MultiLayerPooling {
    /// # Shapes
    /// `layers[l]: [N, width_l]` (input first) → `[num_graphs, d_model]`, rows of unit norm.
    pub fn forward(&self, layers: &[Tensor<2>], g: &DeviceBatch) -> Tensor<2> {
        let per_layer: Vec<Tensor<3>> = layers
            .iter()
            .zip(&self.project)
            .map(|(h, p)| scatter_mean(p.forward(h.clone()), &g.nodes).unsqueeze_dim::<3>(1))
            .collect();
        let h = Tensor::cat(per_layer, 1) + self.layer_embedding.val().unsqueeze::<3>(); // [B, L, d]
        let [b, l, d] = h.dims();
        let lat = self.latents.val();
        let r = lat.dims()[0];
        let lat = lat.unsqueeze::<3>().expand([b, r, d]);
        let (nh, dh) = (self.heads, d / self.heads);
        let split = |x: Tensor<3>, n: usize| x.reshape([b, n, nh, dh]).swap_dims(1, 2); // [B, h, n, dh]
        let q = split(
            self.query.forward(self.norm_latents.forward(lat.clone())),
            r,
        );
        let kv = self.norm_layers.forward(h);
        let (k, v) = (
            split(self.key.forward(kv.clone()), l),
            split(self.value.forward(kv), l),
        );
        let att = softmax(q.matmul(k.swap_dims(2, 3)) / (dh as f64).sqrt(), 3); // [B, h, r, L]
        let o = att.matmul(v).swap_dims(1, 2).reshape([b, r, d]);
        let lat = lat + self.out.forward(o);
        let [gate, x] = self
            .ff_in
            .forward(self.norm_ff.forward(lat.clone()))
            .chunk(2, 2)
            .try_into()
            .expect("two halves");
        let lat = lat + self.ff_out.forward(x * gelu(gate));
        let pooled = lat.mean_dim(1).reshape([b, d]);
        let norm = pooled
            .clone()
            .powf_scalar(2.0)
            .sum_dim(1)
            .sqrt()
            .clamp_min(1e-12);
        pooled / norm
    }
}
