//! The PD-MeshNet shape classifier (Milano et al. 2020, SHREC/Cube configuration): blocks of
//! primal-dual convolution (multi-head attention, heads averaged) — in the paper's residual form
//! `conv₀ → [ReLU → BatchNorm → conv₁] + conv₀` → ReLU → GroupNorm(16) → ReLU — each followed by
//! attention-driven face-cluster pooling; then a readout over each mesh's dual nodes (the
//! paper's mean, or max, GeM, gated attention, HISTOGRAPH), a dense layer of 100 and the class
//! scores.
//!
//! Differences from the released code, stated: heads are averaged, not concatenated (a third of
//! the width); weights use burn's default initialisation, not N(0, 0.02). The plain form (one
//! convolution per block, no pooling after the last block) is kept as an option.
//!
//! For ablations the pooling can also contract random face pairs (the same number as the
//! learned pooling) or be switched off.

use burn::nn::{Dropout, DropoutConfig, GroupNorm, GroupNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::relu;
use tessera_gnn::conv::{GraphLayer, GraphLayerConfig, GraphLayerKind};
use tessera_gnn::graph::{PrimalDualBatch, scatter_max, scatter_mean};
use tessera_gnn::pool::{FaceClusterInfo, FaceClusterPool, FaceClusterPoolConfig, PoolAggregate};
use tessera_gnn::readout::{
    AttentionReadout, AttentionReadoutConfig, GemReadout, GemReadoutConfig, HistographReadout,
    HistographReadoutConfig,
};

use super::pdmesh_block::{PdBlock, PdBlockConfig};
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
    /// Residual blocks (two convolutions, the paper's `DualPrimalResConv`) or one convolution.
    #[config(default = true)]
    pub residual: bool,
    /// Groups of the GroupNorm after each block (the paper: 16; for narrow blocks the largest
    /// divisor of the width up to this with 2 or more channels per group; 1 is a layer
    /// normalisation).
    #[config(default = 16)]
    pub norm_groups: usize,
    /// Pool after the last block too (the paper: yes) or only between blocks.
    #[config(default = true)]
    pub pool_last: bool,
    /// Width of the dense layer (100).
    #[config(default = 100)]
    pub dense: usize,
    /// How the dual nodes of a mesh become one vector (the paper: mean).
    #[config(default = "MeshReadout::Mean")]
    pub readout: MeshReadout,
    /// Dropout probability before the dense layer and before the class scores (the paper: 0).
    #[config(default = 0.0)]
    pub dropout: f64,
    /// Instead of primal-dual blocks, this graph layer of tessera-gnn on the faces joined to
    /// the faces they share an edge with (the primal graph; the dual stream is not used, and
    /// nothing pools), each followed by GroupNorm and ReLU, read out over the faces.
    #[config(default = "None")]
    pub face_conv: Option<GraphLayerKind>,
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
    /// HISTOGRAPH over the last block's input and output (both pooled to the final resolution),
    /// then attention between the mesh's dual nodes.
    Histograph,
}

/// The classifier.
#[derive(Module, Debug)]
pub struct PdMeshNet {
    blocks: Vec<MeshBlock>,
    pool: FaceClusterPool,
    gem: Option<GemReadout>,
    attention: Option<AttentionReadout>,
    histograph: Option<HistographReadout>,
    hidden: Linear,
    output: Linear,
    dropout: Dropout,
    #[module(skip)]
    pooling: MeshPooling,
    #[module(skip)]
    pool_last: bool,
    #[module(skip)]
    readout: MeshReadout,
}

/// A graph layer on the faces, then GroupNorm.
#[derive(Module, Debug)]
pub struct FaceBlock {
    conv: GraphLayer,
    norm: GroupNorm,
}

/// One block of the network. (A handful per network, built once: not boxed.)
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
enum MeshBlock {
    PrimalDual(PdBlock),
    Faces(FaceBlock),
}

impl PdMeshNetConfig {
    /// A lower bound on the network's weights, without building it (see
    /// [`crate::models::GinClassifierConfig::min_parameters`]).
    pub fn min_parameters(&self) -> u128 {
        // Each attention head has its own weights.
        crate::run_folder::chain_parameters(
            std::iter::once(self.d_primal).chain(self.channels.iter().copied()),
        )
        .saturating_mul(self.heads.max(1) as u128)
    }

    /// Reads a configuration saved as JSON (burn's `Config::save`, or the "model" of a mesh
    /// run's run.json); absent fields take their defaults.
    ///
    /// # Errors
    /// [`TrainError::Io`] or [`TrainError::ModelConfig`] naming the file when it cannot be read
    /// or parsed.
    pub fn from_file(path: &std::path::Path) -> Result<Self> {
        let what = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TrainError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let json = serde_json::from_str(&text).map_err(|e| TrainError::ModelConfig {
            what: what.clone(),
            problem: e.into(),
        })?;
        Self::from_json(&json, &what)
    }

    /// The configuration in `json` (absent fields take their defaults except the inputs and the
    /// class count, which must be stated); `what` names the source in errors.
    ///
    /// # Errors
    /// [`TrainError::ModelConfig`] naming `what` when `json` is not a PD-MeshNet configuration.
    pub fn from_json(json: &serde_json::Value, what: &str) -> Result<Self> {
        crate::run_folder::config_with_defaults(
            json,
            &Self::new(0, 0, 0),
            &["d_primal", "d_dual", "classes"],
            what,
        )
    }

    /// The network on `device`.
    ///
    /// # Errors
    /// [`TrainError::InvalidNetwork`] for no blocks, a zero width, or a HISTOGRAPH readout of
    /// face graph layers; [`TrainError::OutOfRange`] for a dropout probability outside [0, 1).
    pub fn init(&self, device: &Device) -> Result<PdMeshNet> {
        if self.channels.is_empty() || self.channels.contains(&0) || self.classes < 2 {
            return Err(TrainError::InvalidNetwork {
                network: "PD-MeshNet",
                problem: format!(
                    "channels {:?} and {} classes (blocks of positive widths, at least 2 classes)",
                    self.channels, self.classes
                ),
            });
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(TrainError::OutOfRange {
                name: "PD-MeshNet dropout",
                value: self.dropout,
                allowed: "a probability in [0, 1)".into(),
            });
        }
        if self.face_conv.is_some() && self.readout == MeshReadout::Histograph {
            return Err(TrainError::InvalidNetwork {
                network: "PD-MeshNet",
                problem: "the HISTOGRAPH readout reads the dual stream, which face graph layers \
                          do not compute: choose mean, max, GeM or attention"
                    .into(),
            });
        }
        let mut blocks = Vec::new();
        let (mut dp, mut dd) = (self.d_primal, self.d_dual);
        let mut last_input = dd;
        for &c in &self.channels {
            blocks.push(match self.face_conv {
                None => MeshBlock::PrimalDual(
                    PdBlockConfig::new(dp, dd, c, self.heads, self.residual, self.norm_groups)
                        .init(device),
                ),
                Some(kind) => MeshBlock::Faces(FaceBlock {
                    conv: GraphLayerConfig::new(kind, dp, c).init(device),
                    norm: GroupNormConfig::new(
                        crate::models::pdmesh_block::norm_groups(self.norm_groups, c),
                        c,
                    )
                    .init(device),
                }),
            });
            last_input = dd;
            (dp, dd) = (c, c);
        }
        let readout = self.readout;
        Ok(PdMeshNet {
            blocks,
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
            dropout: DropoutConfig::new(self.dropout).init(),
            pooling: if self.keep < 1.0 && self.face_conv.is_none() {
                self.pooling
            } else {
                MeshPooling::None
            },
            pool_last: self.pool_last,
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
        let last = self.blocks.len() - 1;
        for (k, block) in self.blocks.iter().enumerate() {
            last_input = dual.clone();
            let attention;
            (primal, dual, attention) = match block {
                MeshBlock::PrimalDual(block) => block.forward(primal, dual, &g),
                MeshBlock::Faces(block) => {
                    let h = block.conv.forward(primal, &g.primal);
                    let attention = Tensor::zeros([0, 1], device);
                    (relu(block.norm.forward(h)), dual, attention)
                }
            };
            if self.pooling != MeshPooling::None && (k < last || self.pool_last) {
                let scores = match self.pooling {
                    MeshPooling::Random => {
                        Tensor::random(attention.dims(), Distribution::Default, device)
                    }
                    _ => attention,
                };
                let p = self.pool.forward(primal, dual, scores, &cpu)?;
                if k == last {
                    // HISTOGRAPH reads the last block's input at the readout's resolution.
                    last_input = p.info.pool_dual(last_input, PoolAggregate::Mean);
                }
                if let Some(steps) = record.as_deref_mut() {
                    steps.push(p.info.clone());
                }
                (primal, dual, cpu, g) = (p.primal, p.dual, p.batch, p.device_batch);
            }
        }
        // Face graph layers are read out over the faces, primal-dual ones over the dual nodes.
        let (read, nodes) = match self.blocks.first() {
            Some(MeshBlock::Faces(_)) => (primal, &g.primal),
            _ => (dual, &g.dual),
        };
        // The learned readout built for this network, if any; else the mean or the maximum.
        let per_mesh = if let Some(gem) = &self.gem {
            gem.forward(read, nodes)
        } else if let Some(attention) = &self.attention {
            attention.forward(read, nodes)
        } else if let Some(histograph) = &self.histograph {
            histograph.forward(&[last_input, read], nodes)
        } else if self.readout == MeshReadout::Max {
            scatter_max(read, &nodes.nodes)
        } else {
            scatter_mean(read, &nodes.nodes)
        };
        let hidden = relu(self.hidden.forward(self.dropout.forward(per_mesh)));
        Ok(self.output.forward(self.dropout.forward(hidden)))
    }
}
