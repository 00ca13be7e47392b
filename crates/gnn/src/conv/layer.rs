//! Any graph convolution of this crate behind one type: [`GraphLayer`], a burn enum module,
//! built from [`GraphLayerConfig`]. Classifiers and the tile networks of the sphere and of
//! mesh faces hold layers of this type, so that every convolution runs wherever they do.

use burn::prelude::*;

use super::{
    ChebConv, ChebConvConfig, GatConv, GatConvConfig, GcnConv, GcnConvConfig, GinConv,
    GinConvConfig, GineConv, GineConvConfig, SageConv, SageConvConfig,
};
use crate::graph::DeviceBatch;

/// The graph convolutions [`GraphLayer`] can be.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum GraphLayerKind {
    /// GIN-0 (GINE when the graphs carry edge features).
    Gin,
    /// GCN (symmetric normalisation, self-loops).
    Gcn,
    /// GraphSAGE (mean aggregation).
    Sage,
    /// GAT, 4 heads averaged.
    Gat,
    /// GATv2, 4 heads averaged.
    Gatv2,
    /// Chebyshev filters of order 3 (λ_max = 2).
    Cheb,
}

impl GraphLayerKind {
    /// Every kind, in the order above.
    pub const ALL: [GraphLayerKind; 6] = [
        GraphLayerKind::Gin,
        GraphLayerKind::Gcn,
        GraphLayerKind::Sage,
        GraphLayerKind::Gat,
        GraphLayerKind::Gatv2,
        GraphLayerKind::Cheb,
    ];
}

/// Configuration of one [`GraphLayer`].
#[derive(Config, Debug)]
pub struct GraphLayerConfig {
    /// Which convolution.
    pub kind: GraphLayerKind,
    /// Input features.
    pub d_input: usize,
    /// Output features.
    pub d_output: usize,
    /// Edge features (GIN becomes GINE when positive; the others ignore them).
    #[config(default = 0)]
    pub d_edge: usize,
    /// BatchNorm inside GIN's MLP.
    #[config(default = false)]
    pub batch_norm: bool,
    /// Learn GIN's ε.
    #[config(default = false)]
    pub train_eps: bool,
}

/// One graph convolution, whichever kind. (The variants differ in size; a network holds a
/// handful of layers, built once, so they are not boxed.)
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum GraphLayer {
    /// GIN.
    Gin(GinConv),
    /// GINE.
    Gine(GineConv),
    /// GCN.
    Gcn(GcnConv),
    /// GraphSAGE.
    Sage(SageConv),
    /// GAT or GATv2.
    Gat(GatConv),
    /// Chebyshev.
    Cheb(ChebConv),
}

impl GraphLayerConfig {
    /// The layer on `device`.
    pub fn init(&self, device: &Device) -> GraphLayer {
        let (i, o) = (self.d_input, self.d_output);
        match self.kind {
            GraphLayerKind::Gin if self.d_edge > 0 => GraphLayer::Gine(
                GineConvConfig::new(i, self.d_edge, o)
                    .with_train_eps(self.train_eps)
                    .with_batch_norm(self.batch_norm)
                    .init(device),
            ),
            GraphLayerKind::Gin => GraphLayer::Gin(
                GinConvConfig::new(i, o)
                    .with_train_eps(self.train_eps)
                    .with_batch_norm(self.batch_norm)
                    .init(device),
            ),
            GraphLayerKind::Gcn => GraphLayer::Gcn(GcnConvConfig::new(i, o).init(device)),
            GraphLayerKind::Sage => GraphLayer::Sage(SageConvConfig::new(i, o).init(device)),
            GraphLayerKind::Gat | GraphLayerKind::Gatv2 => GraphLayer::Gat(
                GatConvConfig::new(i, o)
                    .with_heads(4)
                    .with_concat(false)
                    .with_v2(self.kind == GraphLayerKind::Gatv2)
                    .init(device),
            ),
            GraphLayerKind::Cheb => GraphLayer::Cheb(ChebConvConfig::new(i, o, 3).init(device)),
        }
    }
}

impl GraphLayer {
    /// # Shapes
    /// `x: [N, d_input]` → `[N, d_output]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        match self {
            GraphLayer::Gin(c) => c.forward(x, g),
            GraphLayer::Gine(c) => c.forward(x, g),
            GraphLayer::Gcn(c) => c.forward(x, g),
            GraphLayer::Sage(c) => c.forward(x, g),
            GraphLayer::Gat(c) => c.forward(x, g),
            GraphLayer::Cheb(c) => c.forward(x, g),
        }
    }
}
