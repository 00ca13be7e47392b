//! The GIN graph classifier of Xu et al. (2019): GIN layers, a readout of every layer's node
//! features (the input included), one linear scorer per layer, scores summed. The readout is
//! a choice: sum (the paper's), mean, max, GeM or gated attention, … — or one readout over all
//! layers (HISTOGRAPH, multi-layer trainable pooling) with a single scorer.

use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use tessera_gnn::conv::{
    GatConv, GatConvConfig, GcnConv, GcnConvConfig, GinConv, GinConvConfig, GineConv,
    GineConvConfig, SageConv, SageConvConfig,
};
use tessera_gnn::graph::DeviceBatch;
use tessera_gnn::readout::{
    AttSetsReadout, AttSetsReadoutConfig, AttentionReadout, AttentionReadoutConfig, BasicReadout,
    GemReadout, GemReadoutConfig, HistographReadout, HistographReadoutConfig, HopfieldReadout,
    HopfieldReadoutConfig, LatentAttentionReadout, LatentAttentionReadoutConfig, MultiLayerPooling,
    MultiLayerPoolingConfig,
};

/// The graph layers of [`GinClassifier`].
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum GraphConvKind {
    /// GIN (GINE with edge features) — the paper's.
    Gin,
    /// GCN (symmetric normalisation, self-loops).
    Gcn,
    /// GraphSAGE (mean aggregation).
    Sage,
    /// GAT, 4 heads averaged.
    Gat,
}

/// The graph readout of [`GinClassifier`]: parameter-free, or learned (one per layer).
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum ReadoutKind {
    /// Sum over nodes (GIN's).
    Sum,
    /// Mean over nodes.
    Mean,
    /// Maximum over nodes.
    Max,
    /// Generalised mean with a learned exponent (inputs made positive with a softplus-free
    /// `|x| + 1e-6` floor inside the readout).
    Gem,
    /// Gated attention over nodes.
    Attention,
    /// Hopfield pooling with one learned query.
    Hopfield,
    /// Grouped GeM: one learned exponent per group of 4 channels' worth (4 groups).
    Ggem,
    /// AttSets: per-feature softmax attention over nodes.
    AttSets,
    /// NV-Embed latent attention (16 latents) then the mean over nodes.
    Latent,
    /// HISTOGRAPH: signed layer attention over all layers, then node self-attention; one
    /// scorer on its output instead of one per layer.
    Histograph,
    /// Multi-layer trainable pooling: 8 latents query every layer's mean (4 heads); one scorer
    /// on its output.
    Mltp,
}

/// Configuration of [`GinClassifier`].
#[derive(Config, Debug)]
pub struct GinClassifierConfig {
    /// Node input features.
    pub d_input: usize,
    /// Classes.
    pub num_classes: usize,
    /// Hidden width.
    #[config(default = 64)]
    pub hidden: usize,
    /// GIN layers.
    #[config(default = 4)]
    pub layers: usize,
    /// Dropout before each scorer.
    #[config(default = 0.5)]
    pub dropout: f64,
    /// Learn ε in each layer.
    #[config(default = false)]
    pub train_eps: bool,
    /// Graph readout.
    #[config(default = "ReadoutKind::Sum")]
    pub readout: ReadoutKind,
    /// Edge features; > 0 switches GIN layers to GINE (the other layers ignore them).
    #[config(default = 0)]
    pub d_edge: usize,
    /// The graph layers (GIN's protocol around them is unchanged).
    #[config(default = "GraphConvKind::Gin")]
    pub conv: GraphConvKind,
}

/// Graph layers (GIN by default) with per-layer readouts and scorers.
#[derive(Module, Debug)]
pub struct GinClassifier {
    convs: Vec<GinConv>,
    edge_convs: Vec<GineConv>,
    gcn: Vec<GcnConv>,
    sage: Vec<SageConv>,
    gat: Vec<GatConv>,
    scorers: Vec<Linear>,
    dropout: Dropout,
    gem: Vec<GemReadout>,
    attention: Vec<AttentionReadout>,
    hopfield: Vec<HopfieldReadout>,
    attsets: Vec<AttSetsReadout>,
    latent: Vec<LatentAttentionReadout>,
    histograph: Vec<HistographReadout>,
    mltp: Vec<MultiLayerPooling>,
    #[module(skip)]
    readout: ReadoutKind,
}

impl GinClassifierConfig {
    /// The model on `device`.
    pub fn init(&self, device: &Device) -> GinClassifier {
        let widths: Vec<usize> = std::iter::once(self.d_input)
            .chain(std::iter::repeat_n(self.hidden, self.layers))
            .collect();
        let gin = self.conv == GraphConvKind::Gin;
        let layers_of = |kind: GraphConvKind| {
            if self.conv == kind {
                widths.windows(2).map(|w| (w[0], w[1])).collect()
            } else {
                Vec::new()
            }
        };
        GinClassifier {
            gcn: layers_of(GraphConvKind::Gcn)
                .into_iter()
                .map(|(i, o)| GcnConvConfig::new(i, o).init(device))
                .collect(),
            sage: layers_of(GraphConvKind::Sage)
                .into_iter()
                .map(|(i, o)| SageConvConfig::new(i, o).init(device))
                .collect(),
            gat: layers_of(GraphConvKind::Gat)
                .into_iter()
                .map(|(i, o)| {
                    GatConvConfig::new(i, o)
                        .with_heads(4)
                        .with_concat(false)
                        .init(device)
                })
                .collect(),
            convs: if gin && self.d_edge == 0 {
                widths
                    .windows(2)
                    .map(|w| {
                        GinConvConfig::new(w[0], w[1])
                            .with_train_eps(self.train_eps)
                            .init(device)
                    })
                    .collect()
            } else {
                Vec::new()
            },
            edge_convs: if gin && self.d_edge > 0 {
                widths
                    .windows(2)
                    .map(|w| {
                        GineConvConfig::new(w[0], self.d_edge, w[1])
                            .with_train_eps(self.train_eps)
                            .init(device)
                    })
                    .collect()
            } else {
                Vec::new()
            },
            scorers: widths
                .iter()
                .map(|&w| LinearConfig::new(w, self.num_classes).init(device))
                .collect(),
            dropout: DropoutConfig::new(self.dropout).init(),
            gem: if matches!(self.readout, ReadoutKind::Gem | ReadoutKind::Ggem) {
                let grouped = self.readout == ReadoutKind::Ggem;
                widths
                    .iter()
                    .map(|&w| {
                        let groups = if grouped && w % 4 == 0 { 4 } else { 1 };
                        GemReadoutConfig::new().with_groups(groups).init(device)
                    })
                    .collect()
            } else {
                Vec::new()
            },
            attention: if self.readout == ReadoutKind::Attention {
                widths
                    .iter()
                    .map(|&w| AttentionReadoutConfig::new(w, w).init(device))
                    .collect()
            } else {
                Vec::new()
            },
            hopfield: if self.readout == ReadoutKind::Hopfield {
                widths
                    .iter()
                    .map(|&w| HopfieldReadoutConfig::new(w, w, w).init(device))
                    .collect()
            } else {
                Vec::new()
            },
            attsets: if self.readout == ReadoutKind::AttSets {
                widths
                    .iter()
                    .map(|&w| AttSetsReadoutConfig::new(w).init(device))
                    .collect()
            } else {
                Vec::new()
            },
            latent: if self.readout == ReadoutKind::Latent {
                widths
                    .iter()
                    .map(|&w| LatentAttentionReadoutConfig::new(w, w).init(device))
                    .collect()
            } else {
                Vec::new()
            },
            histograph: if self.readout == ReadoutKind::Histograph {
                vec![
                    HistographReadoutConfig::new(
                        widths.clone(),
                        *widths.last().expect("input width"),
                    )
                    .init(device),
                ]
            } else {
                Vec::new()
            },
            mltp: if self.readout == ReadoutKind::Mltp {
                let d = *widths.last().expect("input width");
                let heads = if d.is_multiple_of(4) { 4 } else { 1 };
                vec![
                    MultiLayerPoolingConfig::new(widths.clone(), d)
                        .with_heads(heads)
                        .init(device),
                ]
            } else {
                Vec::new()
            },
            readout: self.readout,
        }
    }
}

impl GinClassifier {
    /// Class scores (logits) per graph.
    ///
    /// # Shapes
    /// batch with `x: [N, d_input]` → `[num_graphs, num_classes]`.
    pub fn forward(&self, g: &DeviceBatch) -> Tensor<2> {
        if !self.histograph.is_empty() || !self.mltp.is_empty() {
            // The whole history goes to the readout; the last scorer reads its output.
            let mut layers = vec![g.x.clone()];
            for l in 0..self.depth() {
                let next = relu(self.conv(l, layers.last().expect("input").clone(), g));
                layers.push(next);
            }
            let pooled = match (self.histograph.first(), self.mltp.first()) {
                (Some(hist), _) => hist.forward(&layers, g),
                (None, Some(mltp)) => mltp.forward(&layers, g),
                (None, None) => unreachable!("checked above"),
            };
            return self
                .scorers
                .last()
                .expect("scorers")
                .forward(self.dropout.forward(pooled));
        }
        let mut h = g.x.clone();
        let mut score = self.scorers[0].forward(self.dropout.forward(self.read(0, h.clone(), g)));
        for (l, scorer) in self.scorers[1..].iter().enumerate() {
            h = relu(self.conv(l, h, g));
            score = score + scorer.forward(self.dropout.forward(self.read(l + 1, h.clone(), g)));
        }
        score
    }

    /// Number of graph layers.
    fn depth(&self) -> usize {
        self.scorers.len() - 1
    }

    /// Graph layer `l` (whichever kind the model was built with).
    fn conv(&self, l: usize, h: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        if let Some(c) = self.convs.get(l) {
            c.forward(h, g)
        } else if let Some(c) = self.edge_convs.get(l) {
            c.forward(h, g)
        } else if let Some(c) = self.gcn.get(l) {
            c.forward(h, g)
        } else if let Some(c) = self.sage.get(l) {
            c.forward(h, g)
        } else {
            self.gat[l].forward(h, g)
        }
    }

    /// The readout of layer `l`'s node features.
    fn read(&self, l: usize, h: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        match self.readout {
            ReadoutKind::Sum => BasicReadout::Sum.forward(h, g),
            ReadoutKind::Mean => BasicReadout::Mean.forward(h, g),
            ReadoutKind::Max => BasicReadout::Max.forward(h, g),
            ReadoutKind::Gem | ReadoutKind::Ggem => self.gem[l].forward(h.abs(), g),
            ReadoutKind::AttSets => self.attsets[l].forward(h, g),
            ReadoutKind::Latent => self.latent[l].forward(h, g),
            ReadoutKind::Histograph | ReadoutKind::Mltp => {
                unreachable!("readouts over layers read all layers at once")
            }
            ReadoutKind::Attention => self.attention[l].forward(h, g),
            ReadoutKind::Hopfield => self.hopfield[l].forward(h, g),
        }
    }
}
