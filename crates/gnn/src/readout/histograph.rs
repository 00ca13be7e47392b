//! HISTOGRAPH (Galron, Sinai, Maron, Eliasof, ICLR 2026): a readout over the whole history of
//! node activations. Every layer's features are embedded to a common width with a sinusoidal
//! layer encoding; the last layer queries all layers, giving one weight per layer and graph
//! (mean over the graph's nodes), normalised by their **signed** sum (weights may be negative:
//! the layer mix can act as a high-pass filter over depth); the mixed node features then attend
//! to each other within their graph (one head, masked to the graph) and are averaged.
//!
//! Guard: the signed sum can approach 0; its magnitude is floored at `eps` (keeping its sign).

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

use crate::graph::{DeviceBatch, scatter_mean};

/// Configuration of [`HistographReadout`].
#[derive(Config, Debug)]
pub struct HistographReadoutConfig {
    /// Width of each layer's node features, input layer first.
    pub layer_widths: Vec<usize>,
    /// Common width `D`.
    pub d_model: usize,
    /// Floor of the signed normaliser's magnitude.
    #[config(default = 1e-3)]
    pub eps: f64,
}

/// The HISTOGRAPH readout.
#[derive(Module, Debug)]
pub struct HistographReadout {
    embed: Vec<Linear>,
    layer_query: Linear,
    layer_key: Linear,
    node_q: Linear,
    node_k: Linear,
    node_v: Linear,
    #[module(skip)]
    encoding: Vec<Vec<f32>>,
    #[module(skip)]
    eps: f64,
}

impl HistographReadoutConfig {
    /// The readout on `device`.
    pub fn init(&self, device: &Device) -> HistographReadout {
        let d = self.d_model;
        let lin = |i: usize, o: usize| LinearConfig::new(i, o).with_bias(false).init(device);
        let encoding = (0..self.layer_widths.len())
            .map(|l| {
                (0..d)
                    .map(|j| {
                        let angle = l as f64 / 10000f64.powf((2 * (j / 2)) as f64 / d as f64);
                        if j % 2 == 0 {
                            angle.sin() as f32
                        } else {
                            angle.cos() as f32
                        }
                    })
                    .collect()
            })
            .collect();
        HistographReadout {
            embed: self
                .layer_widths
                .iter()
                .map(|&w| LinearConfig::new(w, d).init(device))
                .collect(),
            layer_query: lin(d, d),
            layer_key: lin(d, d),
            node_q: lin(d, d),
            node_k: lin(d, d),
            node_v: lin(d, d),
            encoding,
            eps: self.eps,
        }
    }
}

impl HistographReadout {
    /// The signed layer weights per graph (each row sums to 1; entries may be negative).
    ///
    /// # Shapes
    /// `layers[l]: [N, width_l]` → `[num_graphs, L]`.
    pub fn layer_weights(&self, layers: &[Tensor<2>], g: &DeviceBatch) -> Tensor<2> {
        self.mix(layers, g).1
    }

    fn embedded(&self, layers: &[Tensor<2>]) -> Vec<Tensor<2>> {
        layers
            .iter()
            .zip(&self.embed)
            .zip(&self.encoding)
            .map(|((h, e), p)| {
                let d = p.len();
                let pe = Tensor::<1>::from_data(TensorData::new(p.clone(), [d]), &h.device());
                e.forward(h.clone()) + pe.unsqueeze::<2>()
            })
            .collect()
    }

    fn mix(&self, layers: &[Tensor<2>], g: &DeviceBatch) -> (Tensor<2>, Tensor<2>) {
        let x = self.embedded(layers);
        let d = x[0].dims()[1] as f64;
        let q = self
            .layer_query
            .forward(x.last().expect("at least one layer").clone());
        let scores: Vec<Tensor<2>> = x
            .iter()
            .map(|xl| (q.clone() * self.layer_key.forward(xl.clone())).sum_dim(1) / d.sqrt())
            .collect();
        let c = scatter_mean(Tensor::cat(scores, 1), &g.nodes); // [B, L]
        let total = c.clone().sum_dim(1); // [B, 1]
        let sign = total
            .clone()
            .sign()
            .mask_fill(total.clone().equal_elem(0.0), 1.0);
        let denom = total.abs().clamp_min(self.eps) * sign;
        let alpha = c / denom; // [B, L]
        let per_node = alpha.clone().select(0, g.nodes.index.clone()); // [N, L]
        let h = x
            .into_iter()
            .enumerate()
            .map(|(l, xl)| xl * per_node.clone().slice([0..per_node.dims()[0], l..l + 1]))
            .reduce(|a, b| a + b)
            .expect("at least one layer");
        (h, alpha)
    }

    /// # Shapes
    /// `layers[l]: [N, width_l]` (the backbone's activations, input first) →
    /// `[num_graphs, d_model]`.
    pub fn forward(&self, layers: &[Tensor<2>], g: &DeviceBatch) -> Tensor<2> {
        let (h, _) = self.mix(layers, g);
        let [_, d] = h.dims();
        let seg = &g.nodes;
        let [b, longest] = seg.padded.dims();
        // Nodes of each graph side by side, padded with a zero row; padded keys masked out.
        let pad = Tensor::<2>::zeros([1, d], &h.device());
        let dense = Tensor::cat(vec![h, pad], 0)
            .select(0, seg.padded.clone().reshape([b * longest]))
            .reshape([b, longest, d]);
        let (q, k, v) = (
            self.node_q.forward(dense.clone()),
            self.node_k.forward(dense.clone()),
            self.node_v.forward(dense),
        );
        let present = seg.present.clone(); // [B, longest]
        let key_mask = (present.clone() - 1.0).reshape([b, 1, longest]) * 1e9;
        let att = softmax(
            q.matmul(k.swap_dims(1, 2)) / (d as f64).sqrt() + key_mask,
            2,
        );
        let z = att.matmul(v); // [B, longest, d]
        (z * present.reshape([b, longest, 1]))
            .sum_dim(1)
            .reshape([b, d])
            / seg.counts.clone()
    }
}
