//! The GIN graph classifier of Xu et al. (2019): graph layers (GIN by default, any
//! [`GraphLayerKind`]), a readout of every layer's node features (the input included), one
//! linear scorer per layer, scores summed. The readout is a choice: sum (the paper's), mean,
//! max, GeM or gated attention, … — or one readout over all layers (HISTOGRAPH, multi-layer
//! trainable pooling) with a single scorer.

use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use tessera_gnn::conv::{GraphLayer, GraphLayerConfig, GraphLayerKind};
use tessera_gnn::graph::DeviceBatch;
use tessera_gnn::readout::{
    HistographReadout, HistographReadoutConfig, MultiLayerPooling, MultiLayerPoolingConfig,
    NodeReadout, NodeReadoutKind,
};

/// The graph readout of [`GinClassifier`]: parameter-free, or learned (one per layer).
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum ReadoutKind {
    /// Sum over nodes (GIN's).
    Sum,
    /// Mean over nodes.
    Mean,
    /// Maximum over nodes.
    Max,
    /// Generalised mean with a learned exponent (of `|x| + 1e-6`).
    Gem,
    /// Gated attention over nodes.
    Attention,
    /// Hopfield pooling with one learned query.
    Hopfield,
    /// Grouped GeM: one learned exponent per group of channels (4 groups).
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

impl ReadoutKind {
    /// The per-layer readout, or `None` for the readouts over all layers.
    fn per_layer(self) -> Option<NodeReadoutKind> {
        Some(match self {
            ReadoutKind::Sum => NodeReadoutKind::Sum,
            ReadoutKind::Mean => NodeReadoutKind::Mean,
            ReadoutKind::Max => NodeReadoutKind::Max,
            ReadoutKind::Gem => NodeReadoutKind::Gem,
            ReadoutKind::Ggem => NodeReadoutKind::Ggem,
            ReadoutKind::Attention => NodeReadoutKind::Attention,
            ReadoutKind::Hopfield => NodeReadoutKind::Hopfield,
            ReadoutKind::AttSets => NodeReadoutKind::AttSets,
            ReadoutKind::Latent => NodeReadoutKind::Latent,
            ReadoutKind::Histograph | ReadoutKind::Mltp => return None,
        })
    }
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
    /// Graph layers.
    #[config(default = 4)]
    pub layers: usize,
    /// Dropout before each scorer.
    #[config(default = 0.5)]
    pub dropout: f64,
    /// Learn ε in each GIN layer.
    #[config(default = false)]
    pub train_eps: bool,
    /// Graph readout.
    #[config(default = "ReadoutKind::Sum")]
    pub readout: ReadoutKind,
    /// Edge features; > 0 switches GIN layers to GINE (the other layers ignore them).
    #[config(default = 0)]
    pub d_edge: usize,
    /// The graph layers (GIN's protocol around them is unchanged).
    #[config(default = "GraphLayerKind::Gin")]
    pub conv: GraphLayerKind,
    /// BatchNorm inside each GIN MLP and after each graph layer, before its ReLU (the GIN
    /// paper's network; absent in runs saved before it existed, which had none).
    #[config(default = false)]
    pub batch_norm: bool,
}

/// One graph layer and, with batch normalisation, the BatchNorm after it.
#[derive(Module, Debug)]
struct Block {
    conv: GraphLayer,
    norm: Option<BatchNorm>,
}

/// A readout of one layer's node features and the scorer of its output.
#[derive(Module, Debug)]
struct LayerScore {
    readout: NodeReadout,
    scorer: Linear,
}

/// A readout that reads every layer at once. (Built once per network: not boxed.)
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
enum LayersReadout {
    Histograph(HistographReadout),
    Mltp(MultiLayerPooling),
}

/// One readout over all layers and the scorer of its output.
#[derive(Module, Debug)]
struct WholeScore {
    readout: LayersReadout,
    scorer: Linear,
}

/// How the layers' node features become class scores. (Built once per network: not boxed.)
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
enum Head {
    /// A readout and a scorer per layer (the input included), scores summed.
    PerLayer(Vec<LayerScore>),
    /// One readout over all layers and one scorer.
    AllLayers(WholeScore),
}

/// Graph layers (GIN by default) with per-layer readouts and scorers.
#[derive(Module, Debug)]
pub struct GinClassifier {
    blocks: Vec<Block>,
    head: Head,
    dropout: Dropout,
}

impl GinClassifierConfig {
    /// A lower bound on the network's weights, without building it: every layer kind maps its
    /// input to `hidden` features through at least one weight matrix.
    pub fn min_parameters(&self) -> u128 {
        let (d, h, l) = (
            self.d_input as u128,
            self.hidden as u128,
            self.layers as u128,
        );
        d.saturating_mul(h)
            .saturating_add(l.saturating_sub(1).saturating_mul(h).saturating_mul(h))
    }

    /// The model on `device`.
    pub fn init(&self, device: &Device) -> GinClassifier {
        let widths: Vec<usize> = std::iter::once(self.d_input)
            .chain(std::iter::repeat_n(self.hidden, self.layers))
            .collect();
        let blocks = widths
            .windows(2)
            .map(|w| Block {
                conv: GraphLayerConfig::new(self.conv, w[0], w[1])
                    .with_d_edge(self.d_edge)
                    .with_batch_norm(self.batch_norm)
                    .with_train_eps(self.train_eps)
                    .init(device),
                norm: self
                    .batch_norm
                    .then(|| BatchNormConfig::new(w[1]).init(device)),
            })
            .collect();
        let last = *widths.last().expect("input width");
        let head = match self.readout.per_layer() {
            Some(kind) => Head::PerLayer(
                widths
                    .iter()
                    .map(|&w| LayerScore {
                        readout: kind.init(w, device),
                        scorer: LinearConfig::new(w, self.num_classes).init(device),
                    })
                    .collect(),
            ),
            None => {
                let readout = if self.readout == ReadoutKind::Histograph {
                    LayersReadout::Histograph(
                        HistographReadoutConfig::new(widths.clone(), last).init(device),
                    )
                } else {
                    let heads = if last.is_multiple_of(4) { 4 } else { 1 };
                    LayersReadout::Mltp(
                        MultiLayerPoolingConfig::new(widths.clone(), last)
                            .with_heads(heads)
                            .init(device),
                    )
                };
                Head::AllLayers(WholeScore {
                    readout,
                    scorer: LinearConfig::new(last, self.num_classes).init(device),
                })
            }
        };
        GinClassifier {
            blocks,
            head,
            dropout: DropoutConfig::new(self.dropout).init(),
        }
    }
}

impl GinClassifier {
    /// Class scores (logits) per graph.
    ///
    /// # Shapes
    /// batch with `x: [N, d_input]` → `[num_graphs, num_classes]`.
    pub fn forward(&self, g: &DeviceBatch) -> Tensor<2> {
        let mut layers = vec![g.x.clone()];
        for block in &self.blocks {
            let h = block.conv.forward(layers.last().expect("input").clone(), g);
            layers.push(relu(match &block.norm {
                Some(norm) => norm.forward(h),
                None => h,
            }));
        }
        match &self.head {
            Head::PerLayer(scores) => scores
                .iter()
                .zip(layers)
                .map(|(s, h)| {
                    s.scorer
                        .forward(self.dropout.forward(s.readout.forward(h, g)))
                })
                .reduce(|a, b| a + b)
                .expect("at least the input layer"),
            Head::AllLayers(whole) => {
                let pooled = match &whole.readout {
                    LayersReadout::Histograph(r) => r.forward(&layers, g),
                    LayersReadout::Mltp(r) => r.forward(&layers, g),
                };
                whole.scorer.forward(self.dropout.forward(pooled))
            }
        }
    }
}
