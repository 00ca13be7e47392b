//! The PD-MeshNet shape classifier (Milano et al. 2020, SHREC/Cube configuration): blocks of
//! primal-dual convolution (multi-head attention, heads averaged), ReLU on both streams and
//! attention-driven face-cluster pooling; then a readout over each mesh's dual nodes (the
//! paper's mean, or max, GeM, gated attention, HISTOGRAPH), a dense layer of 100 and the class
//! scores.
//!
//! Simplifications against the released code, stated: one convolution per block (the paper's
//! residual block repeats it), layer normalisation per node (GroupNorm with one group) where the
//! paper uses GroupNorm(16), and no pooling after the last block (the readout follows it).
//!
//! For ablations the pooling can also contract random face pairs (the same number as the
//! learned pooling) or be switched off.

use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::relu;
use tessera_gnn::conv::{PrimalDualConv, PrimalDualConvConfig};
use tessera_gnn::graph::{PrimalDualBatch, scatter_max, scatter_mean};
use tessera_gnn::pool::{FaceClusterInfo, FaceClusterPool, FaceClusterPoolConfig};
use tessera_gnn::readout::{
    AttentionReadout, AttentionReadoutConfig, GemReadout, GemReadoutConfig, HistographReadout,
    HistographReadoutConfig,
};

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
    /// Which pairs each pooling contracts.
    #[config(default = "MeshPooling::Learned")]
    pub pooling: MeshPooling,
    /// Width of the dense layer (100).
    #[config(default = 100)]
    pub dense: usize,
    /// How the dual nodes of a mesh become one vector (the paper: mean).
    #[config(default = "MeshReadout::Mean")]
    pub readout: MeshReadout,
}

/// Which face pairs a pooling step contracts.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum MeshPooling {
    /// Those with the highest primal attention of the block before (PD-MeshNet).
    Learned,
    /// Pairs scored uniformly at random: as many contractions, nothing learned (ablation).
    Random,
    /// No pooling: every block runs on the full mesh.
    None,
}

/// The readout over each mesh's dual nodes.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum MeshReadout {
    /// Mean (PD-MeshNet's).
    Mean,
    /// Per-channel maximum: a small distinctive region is not averaged away.
    Max,
    /// Generalised mean with a learned exponent (between mean and max).
    Gem,
    /// Gated attention: a learned softmax weight per dual node.
    Attention,
    /// HISTOGRAPH over the last block's input and output (the activations at the final
    /// resolution), then attention between the mesh's dual nodes.
    Histograph,
}

/// The classifier.
#[derive(Module, Debug)]
pub struct PdMeshNet {
    convs: Vec<PrimalDualConv>,
    primal_norms: Vec<LayerNorm>,
    dual_norms: Vec<LayerNorm>,
    pool: FaceClusterPool,
    gem: Option<GemReadout>,
    attention: Option<AttentionReadout>,
    histograph: Option<HistographReadout>,
    hidden: Linear,
    output: Linear,
    #[module(skip)]
    pooling: MeshPooling,
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
        let mut last_input = dd;
        for &c in &self.channels {
            primal_norms.push(LayerNormConfig::new(c).init(device));
            dual_norms.push(LayerNormConfig::new(c).init(device));
            convs.push(
                PrimalDualConvConfig::new(dp, dd, c, c)
                    .with_heads(self.heads)
                    .with_concat(false)
                    .init(device),
            );
            last_input = dd;
            (dp, dd) = (c, c);
        }
        let readout = self.readout;
        Ok(PdMeshNet {
            convs,
            primal_norms,
            dual_norms,
            pool: FaceClusterPoolConfig::new()
                .with_keep(self.keep.min(1.0))
                .init()?,
            gem: (readout == MeshReadout::Gem).then(|| GemReadoutConfig::new().init(device)),
            attention: (readout == MeshReadout::Attention)
                .then(|| AttentionReadoutConfig::new(dd, dd).init(device)),
            histograph: (readout == MeshReadout::Histograph)
                .then(|| HistographReadoutConfig::new(vec![last_input, dd], dd).init(device)),
            hidden: LinearConfig::new(dd, self.dense).init(device),
            output: LinearConfig::new(self.dense, self.classes).init(device),
            pooling: if self.keep < 1.0 {
                self.pooling
            } else {
                MeshPooling::None
            },
            readout,
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
        self.run(batch, device, None)
    }

    /// What every pooling step of a forward pass did (clusterings, maps, the batch before it).
    ///
    /// # Errors
    /// As [`PdMeshNet::forward`].
    pub fn pooling_steps(
        &self,
        batch: &PrimalDualBatch,
        device: &Device,
    ) -> Result<Vec<FaceClusterInfo>> {
        let mut steps = Vec::new();
        self.run(batch, device, Some(&mut steps))?;
        Ok(steps)
    }

    /// The cluster of every face of the batch (batch numbering) after each pooling step, the
    /// steps composed: `clusters[k][face]` is the face's cluster after pooling `k + 1`.
    ///
    /// # Errors
    /// As [`PdMeshNet::forward`].
    pub fn clusters(&self, batch: &PrimalDualBatch, device: &Device) -> Result<Vec<Vec<u32>>> {
        let mut levels: Vec<Vec<u32>> = Vec::new();
        for step in self.pooling_steps(batch, device)? {
            let composed = match levels.last() {
                Some(prev) => prev.iter().map(|&c| step.face_map[c as usize]).collect(),
                None => step.face_map,
            };
            levels.push(composed);
        }
        Ok(levels)
    }

    fn run(
        &self,
        batch: &PrimalDualBatch,
        device: &Device,
        mut record: Option<&mut Vec<FaceClusterInfo>>,
    ) -> Result<Tensor<2>> {
        let mut cpu = batch.clone();
        let mut g = cpu.to_device(device);
        let (mut primal, mut dual) = (g.primal.x.clone(), g.dual.x.clone());
        let mut last_input = dual.clone();
        let last = self.convs.len() - 1;
        for (k, conv) in self.convs.iter().enumerate() {
            last_input = dual.clone();
            let o = conv.forward(primal, dual, &g);
            primal = relu(self.primal_norms[k].forward(o.primal));
            dual = relu(self.dual_norms[k].forward(o.dual));
            if self.pooling != MeshPooling::None && k < last {
                let scores = match self.pooling {
                    MeshPooling::Random => {
                        Tensor::random(o.attention.dims(), Distribution::Default, device)
                    }
                    _ => o.attention,
                };
                let p = self.pool.forward(primal, dual, scores, &cpu)?;
                if let Some(steps) = record.as_deref_mut() {
                    steps.push(p.info.clone());
                }
                (primal, dual, cpu, g) = (p.primal, p.dual, p.batch, p.device_batch);
            }
        }
        let per_mesh = match self.readout {
            MeshReadout::Mean => scatter_mean(dual, &g.dual.nodes),
            MeshReadout::Max => scatter_max(dual, &g.dual.nodes),
            MeshReadout::Gem => self.gem.as_ref().expect("built").forward(dual, &g.dual),
            MeshReadout::Attention => self
                .attention
                .as_ref()
                .expect("built")
                .forward(dual, &g.dual),
            MeshReadout::Histograph => self
                .histograph
                .as_ref()
                .expect("built")
                .forward(&[last_input, dual], &g.dual),
        };
        Ok(self.output.forward(relu(self.hidden.forward(per_mesh))))
    }
}
