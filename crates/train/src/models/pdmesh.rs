//! The PD-MeshNet shape classifier (Milano et al. 2020, SHREC/Cube configuration): blocks of
//! primal-dual convolution (multi-head attention, heads averaged), ReLU on both streams and
//! attention-driven face-cluster pooling; then the mean over each mesh's dual nodes, a dense
//! layer of 100 and the class scores.
//!
//! Simplifications against the released code, stated: one convolution per block (the paper's
//! residual block repeats it), layer normalisation per node (GroupNorm with one group) where the
//! paper uses GroupNorm(16), and no pooling after the last block (the mean over dual nodes
//! follows it).

use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use tessera_gnn::conv::{PrimalDualConv, PrimalDualConvConfig};
use tessera_gnn::graph::{PrimalDualBatch, scatter_max, scatter_mean};
use tessera_gnn::pool::{FaceClusterPool, FaceClusterPoolConfig};

use crate::error::{Result, TrainError};

/// Configuration of [`PdMeshNet`].
#[derive(Config, Debug)]
pub struct PdMeshNetConfig {
    /// Primal (face) input features (1: relative area).
    pub d_primal: usize,
    /// Dual (pair) input features (7 in configuration A).
    pub d_dual: usize,
    /// Classes.
    pub classes: usize,
    /// Channels of each block (the paper's: [64, 128]).
    #[config(default = "vec![64, 128]")]
    pub channels: Vec<usize>,
    /// Attention heads (3).
    #[config(default = 3)]
    pub heads: usize,
    /// Fraction of face pairs kept by each pooling (0.8); 1 disables pooling.
    #[config(default = 0.8)]
    pub keep: f64,
    /// Width of the dense layer (100).
    #[config(default = 100)]
    pub dense: usize,
    /// How the dual nodes of a mesh become one vector (the paper: mean).
    #[config(default = "MeshReadout::Mean")]
    pub readout: MeshReadout,
}

/// The readout over each mesh's dual nodes.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum MeshReadout {
    /// Mean (PD-MeshNet's).
    Mean,
    /// Per-channel maximum: a small distinctive region is not averaged away.
    Max,
}

/// The classifier.
#[derive(Module, Debug)]
pub struct PdMeshNet {
    convs: Vec<PrimalDualConv>,
    primal_norms: Vec<LayerNorm>,
    dual_norms: Vec<LayerNorm>,
    pool: FaceClusterPool,
    hidden: Linear,
    output: Linear,
    #[module(skip)]
    pooling: bool,
    #[module(skip)]
    readout: MeshReadout,
}

impl PdMeshNetConfig {
    /// The network on `device`.
    ///
    /// # Errors
    /// [`TrainError::Config`] for no blocks, a zero width or a keep fraction outside [0, 1].
    pub fn init(&self, device: &Device) -> Result<PdMeshNet> {
        if self.channels.is_empty() || self.channels.contains(&0) || self.classes < 2 {
            return Err(TrainError::Config(format!(
                "PD-MeshNet with channels {:?} and {} classes",
                self.channels, self.classes
            )));
        }
        let (mut convs, mut primal_norms, mut dual_norms) = (Vec::new(), Vec::new(), Vec::new());
        let (mut dp, mut dd) = (self.d_primal, self.d_dual);
        for &c in &self.channels {
            primal_norms.push(LayerNormConfig::new(c).init(device));
            dual_norms.push(LayerNormConfig::new(c).init(device));
            convs.push(
                PrimalDualConvConfig::new(dp, dd, c, c)
                    .with_heads(self.heads)
                    .with_concat(false)
                    .init(device),
            );
            (dp, dd) = (c, c);
        }
        Ok(PdMeshNet {
            convs,
            primal_norms,
            dual_norms,
            pool: FaceClusterPoolConfig::new()
                .with_keep(self.keep.min(1.0))
                .init()?,
            hidden: LinearConfig::new(dd, self.dense).init(device),
            output: LinearConfig::new(self.dense, self.classes).init(device),
            pooling: self.keep < 1.0,
            readout: self.readout,
        })
    }
}

impl PdMeshNet {
    /// Class scores of every mesh of a batch (pooling runs on the CPU between blocks).
    ///
    /// # Shapes
    /// → `[meshes, classes]`.
    ///
    /// # Errors
    /// A mesh too small for the pooling schedule, a batch not in configuration A's layout.
    pub fn forward(&self, batch: &PrimalDualBatch, device: &Device) -> Result<Tensor<2>> {
        let mut cpu = batch.clone();
        let mut g = cpu.to_device(device);
        let (mut primal, mut dual) = (g.primal.x.clone(), g.dual.x.clone());
        let last = self.convs.len() - 1;
        for (k, conv) in self.convs.iter().enumerate() {
            let o = conv.forward(primal, dual, &g);
            primal = relu(self.primal_norms[k].forward(o.primal));
            dual = relu(self.dual_norms[k].forward(o.dual));
            if self.pooling && k < last {
                let p = self.pool.forward(primal, dual, o.attention, &cpu)?;
                (primal, dual, cpu, g) = (p.primal, p.dual, p.batch, p.device_batch);
            }
        }
        let per_mesh = match self.readout {
            MeshReadout::Mean => scatter_mean(dual, &g.dual.nodes),
            MeshReadout::Max => scatter_max(dual, &g.dual.nodes),
        };
        Ok(self.output.forward(relu(self.hidden.forward(per_mesh))))
    }
}
