//! PD-MeshNet's two mesh segmenters (Milano et al. 2020, section 1.7 of docs/METHODS.md):
//!
//! - **U-Net**: encoder blocks each followed by face-cluster pooling, a bottleneck block, then
//!   one up block per pooling in reverse (`DualPrimalUpConv`: a convolution, unpooling, the
//!   primal and dual features saved before that pooling concatenated, a second convolution;
//!   dual nodes that vanished inside a cluster get one learned vector), and a linear map from
//!   every face's features to its part scores.
//! - **Superpixel-like**: the encoder with pooling only; the part scores are computed on the
//!   coarsest clusters, and every face takes its final cluster's scores.
//!
//! Differences from the released code, stated: the blocks are [`PdBlock`]s (GroupNorm, heads
//! averaged) where the released up blocks use BatchNorm; the last layer is a linear map per face
//! where the released U-Net ends with a convolution, its ReLU and BatchNorm.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use tessera_gnn::graph::{DevicePrimalDual, PrimalDualBatch};
use tessera_gnn::pool::{
    FaceClusterInfo, FaceClusterPool, FaceClusterPoolConfig, FaceClusterUnpool,
    FaceClusterUnpoolConfig,
};

use super::pdmesh_block::{PdBlock, PdBlockConfig};
use crate::error::{Result, TrainError};

/// Which segmenter.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum SegmenterKind {
    /// Encoder, bottleneck and decoder with skips (PD-MeshNet's `unet_mesh_segmenter`).
    UNet,
    /// Every face takes its final cluster's prediction (`mesh_segmenter`).
    Superpixel,
}

/// Configuration of [`PdMeshSegmenter`].
#[derive(Config, Debug)]
pub struct PdMeshSegmenterConfig {
    /// Primal (face) input features.
    pub d_primal: usize,
    /// Dual (pair) input features.
    pub d_dual: usize,
    /// Parts.
    pub parts: usize,
    /// Block widths. U-Net: every width but the last is an encoder block followed by pooling,
    /// the last is the bottleneck (PD-MeshNet's COSEG U-Net: [32, 64, 128]). Superpixel: every
    /// width is a block followed by pooling ([64, 96]).
    #[config(default = "vec![32, 64, 128]")]
    pub channels: Vec<usize>,
    /// Attention heads (averaged; PD-MeshNet's segmenters: 1).
    #[config(default = 1)]
    pub heads: usize,
    /// Fraction of face pairs kept by each pooling (U-Net 0.7, superpixel 0.8).
    #[config(default = 0.7)]
    pub keep: f64,
    /// Residual encoder blocks (the paper's `DualPrimalResDownConv`).
    #[config(default = true)]
    pub residual: bool,
    /// GroupNorm groups over each face's and pair's channels (1: a layer normalisation; the
    /// paper's 16 leaves 2 channels per group in 32-wide blocks, which keeps only which of the
    /// two is larger, and trained to half the accuracy on COSEG aliens).
    #[config(default = 1)]
    pub norm_groups: usize,
    /// Which segmenter.
    #[config(default = "SegmenterKind::UNet")]
    pub kind: SegmenterKind,
}

/// One decoder step: a convolution on the coarse graph, unpooling, the skip features
/// concatenated, a convolution on the fine graph.
#[derive(Module, Debug)]
pub struct UpBlock {
    before: PdBlock,
    unpool: FaceClusterUnpool,
    after: PdBlock,
}

/// A mesh segmenter: part scores for every face.
#[derive(Module, Debug)]
pub struct PdMeshSegmenter {
    encoder: Vec<PdBlock>,
    bottleneck: Option<PdBlock>,
    decoder: Vec<UpBlock>,
    pool: FaceClusterPool,
    head: Linear,
}

impl PdMeshSegmenterConfig {
    /// A lower bound on the network's weights, without building it.
    pub fn min_parameters(&self) -> u128 {
        // Each attention head has its own weights.
        crate::run_folder::chain_parameters(
            std::iter::once(self.d_primal).chain(self.channels.iter().copied()),
        )
        .saturating_mul(self.heads.max(1) as u128)
    }

    /// Reads a configuration saved as JSON (the "model" of a segmentation run's run.json);
    /// absent fields take their defaults except the inputs and the part count.
    ///
    /// # Errors
    /// [`TrainError::ModelConfig`] naming `what` when `json` is not a segmenter configuration.
    pub fn from_json(json: &serde_json::Value, what: &str) -> Result<Self> {
        crate::run_folder::config_with_defaults(
            json,
            &Self::new(0, 0, 0),
            &["d_primal", "d_dual", "parts"],
            what,
        )
    }

    /// The network on `device`.
    ///
    /// # Errors
    /// [`TrainError::InvalidNetwork`] for fewer than 2 parts, a zero width, a U-Net with fewer than two
    /// widths (one encoder block and the bottleneck), or a keep fraction outside (0, 1).
    pub fn init(&self, device: &Device) -> Result<PdMeshSegmenter> {
        let unet = self.kind == SegmenterKind::UNet;
        if self.parts < 2
            || self.channels.is_empty()
            || self.channels.contains(&0)
            || (unet && self.channels.len() < 2)
            || !(self.keep > 0.0 && self.keep < 1.0)
        {
            return Err(TrainError::InvalidNetwork {
                network: "PD-MeshNet segmenter",
                problem: format!(
                    "{:?} with {} parts, widths {:?} and keep {} (a U-Net needs an encoder width \
                     and a bottleneck width; every segmenter pools, keep in (0, 1))",
                    self.kind, self.parts, self.channels, self.keep
                ),
            });
        }
        let block = |dp: usize, dd: usize, c: usize, residual: bool| {
            PdBlockConfig::new(dp, dd, c, self.heads, residual, self.norm_groups).init(device)
        };
        let encoder_widths = if unet {
            &self.channels[..self.channels.len() - 1]
        } else {
            &self.channels[..]
        };
        let (mut dp, mut dd) = (self.d_primal, self.d_dual);
        let mut encoder = Vec::new();
        for &c in encoder_widths {
            encoder.push(block(dp, dd, c, self.residual));
            (dp, dd) = (c, c);
        }
        let mut bottleneck = None;
        let mut decoder = Vec::new();
        if unet {
            let width = self.channels[self.channels.len() - 1];
            bottleneck = Some(block(dp, dd, width, false));
            let mut c_in = width;
            for &c in encoder_widths.iter().rev() {
                decoder.push(UpBlock {
                    before: block(c_in, c_in, c, false),
                    unpool: FaceClusterUnpoolConfig::new(c).init(device),
                    after: block(2 * c, 2 * c, c, false),
                });
                c_in = c;
            }
            dp = c_in;
        }
        Ok(PdMeshSegmenter {
            encoder,
            bottleneck,
            decoder,
            pool: FaceClusterPoolConfig::new().with_keep(self.keep).init()?,
            head: LinearConfig::new(dp, self.parts).init(device),
        })
    }
}

/// What the encoder saved at one pooling: the features and graph before it, and the record.
struct Level {
    primal: Tensor<2>,
    dual: Tensor<2>,
    graph: DevicePrimalDual,
    info: FaceClusterInfo,
}

impl PdMeshSegmenter {
    /// Part scores of every face of a batch, in the batch's face order.
    ///
    /// # Shapes
    /// → `[faces, parts]`.
    ///
    /// # Errors
    /// A mesh too small for the pooling schedule.
    pub fn forward(&self, batch: &PrimalDualBatch, device: &Device) -> Result<Tensor<2>> {
        let mut cpu = batch.clone();
        let mut g = cpu.to_device(device);
        let (mut primal, mut dual) = (g.primal.x.clone(), g.dual.x.clone());
        let mut levels: Vec<Level> = Vec::with_capacity(self.encoder.len());
        for block in &self.encoder {
            let attention;
            (primal, dual, attention) = block.forward(primal, dual, &g);
            let p = self
                .pool
                .forward(primal.clone(), dual.clone(), attention, &cpu)?;
            levels.push(Level {
                primal,
                dual,
                graph: g,
                info: p.info,
            });
            (primal, dual, cpu, g) = (p.primal, p.dual, p.batch, p.device_batch);
        }
        let Some(bottleneck) = &self.bottleneck else {
            // Superpixel-like: score the final clusters, then give each face its cluster's.
            let scores = self.head.forward(primal);
            let mut cluster: Vec<u32> = (0..batch.primal.num_nodes as u32).collect();
            for level in &levels {
                cluster
                    .iter_mut()
                    .for_each(|c| *c = level.info.face_map[*c as usize]);
            }
            let n = cluster.len();
            let index = Tensor::<1, Int>::from_data(
                TensorData::new(cluster.into_iter().map(i64::from).collect(), [n]),
                device,
            );
            return Ok(scores.select(0, index));
        };
        (primal, dual, _) = bottleneck.forward(primal, dual, &g);
        for (up, level) in self.decoder.iter().zip(levels.into_iter().rev()) {
            (primal, dual, _) = up.before.forward(primal, dual, &g);
            (primal, dual) = up.unpool.forward(primal, dual, &level.info);
            let primal_in = Tensor::cat(vec![primal, level.primal], 1);
            let dual_in = Tensor::cat(vec![dual, level.dual], 1);
            g = level.graph;
            (primal, dual, _) = up.after.forward(primal_in, dual_in, &g);
        }
        Ok(self.head.forward(primal))
    }
}
