//! PD-MeshNet's pooling (`DualPrimalEdgePooling`) and unpooling: the primal attention of the last
//! convolution scores every face pair (mean over heads and both directions); each mesh of the
//! batch contracts its highest-scoring pairs (tessera-mesh's `cluster_faces`, keep fraction 0.8 in
//! the classifiers); face features are merged by mean or sum, dual features of the pairs merged
//! into one new pair likewise, dual nodes inside a cluster vanish, and the new dual graph is the
//! line graph of the new primal graph (configuration A). Features stay on the device (gradients
//! flow through the merge); the clustering itself runs on the CPU.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::Distribution;
use tessera_mesh::{Clustering, DualConfig, FaceGraph, Keep, cluster_faces};

use crate::error::{GraphError, Result};
use crate::graph::{
    DevicePrimalDual, Graph, PrimalDualBatch, PrimalDualGraph, Segments, scatter_mean, scatter_sum,
};

/// How merged features combine.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum PoolAggregate {
    /// Mean of the members (PD-MeshNet's classifiers).
    Mean,
    /// Sum of the members.
    Sum,
}

/// Configuration of [`FaceClusterPool`].
#[derive(Config, Debug)]
pub struct FaceClusterPoolConfig {
    /// Fraction of each mesh's face pairs kept (the others are contracted).
    #[config(default = 0.8)]
    pub keep: f64,
    /// How features merge.
    #[config(default = "PoolAggregate::Mean")]
    pub aggregate: PoolAggregate,
}

/// Attention-driven face clustering.
#[derive(Module, Debug)]
pub struct FaceClusterPool {
    keep: f64,
    #[module(skip)]
    aggregate: PoolAggregate,
}

/// What pooling did to a batch: enough to unpool it.
#[derive(Clone, Debug)]
pub struct FaceClusterInfo {
    /// The clustering of each mesh.
    pub clusterings: Vec<Clustering>,
    /// The batch before pooling.
    pub before: PrimalDualBatch,
    /// The new face (batch numbering) of each old face.
    pub face_map: Vec<u32>,
    /// The new dual node of each old dual node, `None` when it vanished inside a cluster.
    pub dual_map: Vec<Option<u32>>,
}

/// A pooled batch.
#[derive(Clone, Debug)]
pub struct Pooled {
    /// Face features of the clusters `[N_primal', C]`.
    pub primal: Tensor<2>,
    /// Dual features of the new pairs `[N_dual', C_dual]`.
    pub dual: Tensor<2>,
    /// The coarser batch (features not kept on the CPU side).
    pub batch: PrimalDualBatch,
    /// The coarser batch on the device.
    pub device_batch: DevicePrimalDual,
    /// The record for unpooling.
    pub info: FaceClusterInfo,
}

impl FaceClusterPoolConfig {
    /// The layer.
    ///
    /// # Errors
    /// [`GraphError::Layer`] when `keep` is outside [0, 1].
    pub fn init(&self) -> Result<FaceClusterPool> {
        if !(0.0..=1.0).contains(&self.keep) {
            return Err(GraphError::Layer {
                layer: "FaceClusterPool",
                detail: format!("keep fraction {} is not in [0, 1]", self.keep),
            });
        }
        Ok(FaceClusterPool {
            keep: self.keep,
            aggregate: self.aggregate,
        })
    }
}

/// The face pairs of graph `g` of a batch, checked to be laid out as PD-MeshNet's configuration
/// A: directed edges `2p = i → j`, `2p + 1 = j → i` with `i < j`, dual node `p` for both.
fn pairs_of(batch: &PrimalDualBatch, g: usize, edges: std::ops::Range<usize>) -> Result<FaceGraph> {
    let p = &batch.primal;
    let (first, last) = (p.ptr[g] as u32, p.ptr[g + 1] as u32);
    let d0 = batch.dual.ptr[g] as u32;
    let bad = |detail: String| GraphError::NotConfigurationA { mesh: g, detail };
    if edges.len() % 2 == 1 {
        return Err(bad("an odd number of directed primal edges".into()));
    }
    let mut pairs = Vec::with_capacity(edges.len() / 2);
    for (k, e) in edges.clone().step_by(2).enumerate() {
        let (i, j) = (p.src[e] - first, p.dst[e] - first);
        if p.src[e + 1] != p.dst[e] || p.dst[e + 1] != p.src[e] || i >= j || j >= last - first {
            return Err(bad(format!(
                "primal edges {e} and {} are not a pair i → j, j → i with i < j",
                e + 1
            )));
        }
        let d = batch.dual_of_edge[e] - d0;
        if d != k as u32 || batch.dual_of_edge[e + 1] - d0 != k as u32 {
            return Err(bad(format!(
                "pair {k} is not dual node {k} (configuration A)"
            )));
        }
        pairs.push([i, j]);
    }
    Ok(FaceGraph {
        num_faces: (last - first) as usize,
        pairs,
    })
}

impl FaceClusterPool {
    /// Pools a batch with the attention of its last primal-dual convolution.
    ///
    /// # Shapes
    /// `primal: [N_primal, C]`, `dual: [N_dual, C_dual]`, `attention: [E_primal, heads]`.
    ///
    /// # Errors
    /// [`GraphError::NotConfigurationA`] when the batch is not in configuration A's layout,
    /// [`GraphError::Layer`] when the attention does not match it.
    pub fn forward(
        &self,
        primal: Tensor<2>,
        dual: Tensor<2>,
        attention: Tensor<2>,
        batch: &PrimalDualBatch,
    ) -> Result<Pooled> {
        let device = primal.device();
        let [e, _] = attention.dims();
        if e != batch.primal.src.len() {
            return Err(GraphError::Layer {
                layer: "FaceClusterPool",
                detail: format!(
                    "attention for {e} edges, the batch has {}",
                    batch.primal.src.len()
                ),
            });
        }
        let att: Vec<f32> = attention
            .mean_dim(1)
            .into_data()
            .convert::<f32>()
            .try_to_vec::<f32>()
            .map_err(|source| GraphError::ReadBack {
                layer: "FaceClusterPool",
                what: "the attention",
                source,
            })?;
        // Edges are concatenated graph by graph: the graph of an edge is the graph of its source.
        let mut edge_ptr = vec![0usize];
        for g in 0..batch.primal.num_graphs {
            let end = batch.primal.src[edge_ptr[g]..]
                .iter()
                .position(|&s| batch.primal.batch[s as usize] as usize != g)
                .map_or(batch.primal.src.len(), |k| edge_ptr[g] + k);
            edge_ptr.push(end);
        }
        let (mut clusterings, mut graphs) = (Vec::new(), Vec::new());
        let (mut face_map, mut dual_map) = (Vec::new(), Vec::new());
        let (mut face_offset, mut dual_offset) = (0u32, 0u32);
        // dual_offset: new pairs so far (the numbering of the new dual nodes).
        for g in 0..batch.primal.num_graphs {
            let range = edge_ptr[g]..edge_ptr[g + 1];
            let faces = pairs_of(batch, g, range.clone())?;
            let scores: Vec<f64> = range
                .clone()
                .step_by(2)
                .map(|k| 0.5 * f64::from(att[k] + att[k + 1]))
                .collect();
            let c = cluster_faces(&faces, &scores, Keep::Fraction(self.keep))
                .map_err(|source| GraphError::Clustering { mesh: g, source })?;
            face_map.extend(c.face_to_cluster.iter().map(|&k| k + face_offset));
            dual_map.extend(c.pair_to_new.iter().map(|p| p.map(|q| q + dual_offset)));
            face_offset += c.graph.num_faces as u32;
            dual_offset += c.graph.pairs.len() as u32;
            graphs.push(coarse_graph(&c, g)?);
            clusterings.push(c);
        }
        let faces = Segments::new(&face_map, face_offset as usize, &device);
        let new_primal = match self.aggregate {
            PoolAggregate::Mean => scatter_mean(primal, &faces),
            PoolAggregate::Sum => scatter_sum(primal, &faces),
        };
        let refs: Vec<&PrimalDualGraph> = graphs.iter().collect();
        let coarse = PrimalDualBatch::new(&refs)?;
        let info = FaceClusterInfo {
            clusterings,
            before: batch.clone(),
            face_map,
            dual_map,
        };
        Ok(Pooled {
            primal: new_primal,
            dual: info.pool_dual(dual, self.aggregate),
            device_batch: coarse.to_device(&device),
            batch: coarse,
            info,
        })
    }
}

impl FaceClusterInfo {
    /// Merges dual features of the batch before pooling as the pooling merged its own: rows of
    /// old pairs that became one new pair combine, rows of vanished pairs are dropped.
    ///
    /// # Shapes
    /// `dual: [N_dual, C]` → `[N_dual', C]`.
    pub fn pool_dual(&self, dual: Tensor<2>, aggregate: PoolAggregate) -> Tensor<2> {
        let device = dual.device();
        let kept: Vec<i64> = (0..self.dual_map.len())
            .filter(|&d| self.dual_map[d].is_some())
            .map(|d| d as i64)
            .collect();
        let targets: Vec<u32> = self.dual_map.iter().flatten().copied().collect();
        let new_pairs = self.clusterings.iter().map(|c| c.graph.pairs.len()).sum();
        let kept =
            Tensor::<1, Int>::from_data(TensorData::new(kept.clone(), [kept.len()]), &device);
        let segments = Segments::new(&targets, new_pairs, &device);
        match aggregate {
            PoolAggregate::Mean => scatter_mean(dual.select(0, kept), &segments),
            PoolAggregate::Sum => scatter_sum(dual.select(0, kept), &segments),
        }
    }
}

/// The coarser primal/dual pair of one mesh (no features: they live on the device).
fn coarse_graph(c: &Clustering, g: usize) -> Result<PrimalDualGraph> {
    let what = format!("pooled mesh {g}");
    if c.graph.pairs.is_empty() {
        return Err(GraphError::PooledTooFar {
            mesh: g,
            clusters: c.graph.num_faces,
        });
    }
    let primal = Graph::new(
        c.graph.num_faces,
        1,
        vec![0.0; c.graph.num_faces],
        c.graph.directed_edges(),
        &what,
    )?;
    let d = c.dual(DualConfig::SingleUndirected);
    let dual = Graph::new(d.num_nodes, 1, vec![0.0; d.num_nodes], d.edges, &what)?;
    PrimalDualGraph::new(primal, dual, d.of_primal_edge, &what)
}

/// Configuration of [`FaceClusterUnpool`].
#[derive(Config, Debug)]
pub struct FaceClusterUnpoolConfig {
    /// Dual features (the size of the learned vector given to vanished dual nodes).
    pub d_dual: usize,
}

/// Undoes a [`FaceClusterPool`]: every old face takes its cluster's features, every old dual
/// node its new pair's, and dual nodes that vanished inside a cluster a learned vector.
#[derive(Module, Debug)]
pub struct FaceClusterUnpool {
    vanished: Param<Tensor<2>>,
}

impl FaceClusterUnpoolConfig {
    /// The layer on `device` (the vector: Glorot-normal, as PD-MeshNet).
    pub fn init(&self, device: &Device) -> FaceClusterUnpool {
        let std = (2.0 / (1 + self.d_dual) as f64).sqrt();
        FaceClusterUnpool {
            vanished: Param::from_tensor(Tensor::random(
                [1, self.d_dual],
                Distribution::Normal(0.0, std),
                device,
            )),
        }
    }
}

impl FaceClusterUnpool {
    /// # Shapes
    /// `primal: [N_primal', C]`, `dual: [N_dual', d_dual]` → `([N_primal, C], [N_dual, d_dual])`
    /// on the batch before pooling.
    pub fn forward(
        &self,
        primal: Tensor<2>,
        dual: Tensor<2>,
        info: &FaceClusterInfo,
    ) -> (Tensor<2>, Tensor<2>) {
        let device = primal.device();
        let ints = |v: Vec<i64>| {
            let n = v.len();
            Tensor::<1, Int>::from_data(TensorData::new(v, [n]), &device)
        };
        let faces = ints(info.face_map.iter().map(|&f| i64::from(f)).collect());
        let [n_new, _] = dual.dims();
        let pairs = ints(
            info.dual_map
                .iter()
                .map(|d| d.map_or(n_new as i64, i64::from))
                .collect(),
        );
        let padded = Tensor::cat(vec![dual, self.vanished.val()], 0);
        (primal.select(0, faces), padded.select(0, pairs))
    }
}
