//! [`Graph`], [`GraphBatch`] and [`DeviceBatch`].

use std::sync::{Arc, OnceLock};

use burn::prelude::*;

use super::scatter::Segments;
use crate::error::{Element, GraphError, Result};

/// One graph: node features (row-major, `features` per node) and directed edges `src → dst`.
/// Undirected graphs list both directions.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// Number of nodes.
    pub num_nodes: usize,
    /// Features per node.
    pub features: usize,
    /// `num_nodes × features` values.
    pub x: Vec<f32>,
    /// Directed edges `[src, dst]`.
    pub edges: Vec<[u32; 2]>,
    /// Features per edge (0: none).
    pub edge_features: usize,
    /// `edges × edge_features` values, in edge order.
    pub edge_attr: Vec<f32>,
}

impl Graph {
    /// The graph with features on its edges (`edge_features` per edge, in edge order).
    ///
    /// # Errors
    /// [`GraphError::FeatureCount`] when the length is not `edges × edge_features`,
    /// [`GraphError::NotFinite`] when a value is not finite.
    pub fn with_edge_features(
        mut self,
        edge_features: usize,
        edge_attr: Vec<f32>,
        what: &str,
    ) -> Result<Self> {
        if edge_attr.len() != self.edges.len() * edge_features {
            return Err(GraphError::FeatureCount {
                what: what.to_string(),
                on: Element::Edge,
                values: edge_attr.len(),
                items: self.edges.len(),
                features: edge_features,
            });
        }
        if let Some(i) = edge_attr.iter().position(|v| !v.is_finite()) {
            return Err(GraphError::NotFinite {
                what: what.to_string(),
                on: Element::Edge,
                index: i / edge_features.max(1),
                feature: i % edge_features.max(1),
            });
        }
        self.edge_features = edge_features;
        self.edge_attr = edge_attr;
        Ok(self)
    }

    /// A graph, checked: at least one node, `x` of the right length and finite, edges in range.
    ///
    /// # Errors
    /// [`GraphError::NoNodes`], [`GraphError::FeatureCount`], [`GraphError::NotFinite`] or
    /// [`GraphError::EdgeOutOfRange`] naming `what`, for the first problem.
    pub fn new(
        num_nodes: usize,
        features: usize,
        x: Vec<f32>,
        edges: Vec<[u32; 2]>,
        what: &str,
    ) -> Result<Self> {
        if num_nodes == 0 {
            return Err(GraphError::NoNodes {
                what: what.to_string(),
            });
        }
        if x.len() != num_nodes * features {
            return Err(GraphError::FeatureCount {
                what: what.to_string(),
                on: Element::Node,
                values: x.len(),
                items: num_nodes,
                features,
            });
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(GraphError::NotFinite {
                what: what.to_string(),
                on: Element::Node,
                index: i / features.max(1),
                feature: i % features.max(1),
            });
        }
        if let Some(e) = edges
            .iter()
            .find(|e| e[0] as usize >= num_nodes || e[1] as usize >= num_nodes)
        {
            return Err(GraphError::EdgeOutOfRange {
                what: what.to_string(),
                from: e[0],
                to: e[1],
                nodes: num_nodes,
            });
        }
        Ok(Graph {
            num_nodes,
            features,
            x,
            edges,
            edge_features: 0,
            edge_attr: Vec::new(),
        })
    }
}

/// Many graphs as one block-diagonal graph: nodes concatenated, edges shifted by each graph's
/// first node (`ptr`), `batch[n]` = the graph of node `n` (PyG's layout).
#[derive(Clone, Debug, PartialEq)]
pub struct GraphBatch {
    /// Total nodes.
    pub num_nodes: usize,
    /// Number of graphs.
    pub num_graphs: usize,
    /// Features per node.
    pub features: usize,
    /// `num_nodes × features` values.
    pub x: Vec<f32>,
    /// Edge sources.
    pub src: Vec<u32>,
    /// Edge targets.
    pub dst: Vec<u32>,
    /// Features per edge (0: none).
    pub edge_features: usize,
    /// `E × edge_features` values.
    pub edge_attr: Vec<f32>,
    /// Graph of each node.
    pub batch: Vec<u32>,
    /// First node of each graph, and the total at the end (`num_graphs + 1` entries).
    pub ptr: Vec<usize>,
}

impl GraphBatch {
    /// Concatenates graphs that have the same number of features.
    ///
    /// # Errors
    /// [`GraphError::EmptyBatch`] for an empty list, [`GraphError::BatchFeaturesDiffer`] for
    /// differing feature counts.
    pub fn new(graphs: &[&Graph]) -> Result<Self> {
        let first = graphs.first().ok_or(GraphError::EmptyBatch)?;
        let features = first.features;
        let mut b = GraphBatch {
            num_nodes: 0,
            num_graphs: graphs.len(),
            features,
            x: Vec::new(),
            src: Vec::new(),
            dst: Vec::new(),
            edge_features: first.edge_features,
            edge_attr: Vec::new(),
            batch: Vec::new(),
            ptr: vec![0],
        };
        for (g, graph) in graphs.iter().enumerate() {
            if graph.features != features {
                return Err(GraphError::BatchFeaturesDiffer {
                    graph: g,
                    on: Element::Node,
                    found: graph.features,
                    first: features,
                });
            }
            if graph.edge_features != first.edge_features {
                return Err(GraphError::BatchFeaturesDiffer {
                    graph: g,
                    on: Element::Edge,
                    found: graph.edge_features,
                    first: first.edge_features,
                });
            }
            b.edge_attr.extend_from_slice(&graph.edge_attr);
            let offset = b.num_nodes as u32;
            b.x.extend_from_slice(&graph.x);
            b.src.extend(graph.edges.iter().map(|e| e[0] + offset));
            b.dst.extend(graph.edges.iter().map(|e| e[1] + offset));
            b.batch
                .extend(std::iter::repeat_n(g as u32, graph.num_nodes));
            b.num_nodes += graph.num_nodes;
            b.ptr.push(b.num_nodes);
        }
        Ok(b)
    }

    /// The batch on `device`, with the index tensors and segment layouts every layer uses; the
    /// normalisations only some layers need (GCN's, the Laplacian's, the self-loops) are
    /// computed by the first layer that asks, and kept with the batch.
    pub fn to_device(&self, device: &Device) -> DeviceBatch {
        let x = Tensor::<2>::from_data(
            TensorData::new(self.x.clone(), [self.num_nodes, self.features]),
            device,
        );
        let edge_attr = (self.edge_features > 0).then(|| {
            Tensor::<2>::from_data(
                TensorData::new(self.edge_attr.clone(), [self.src.len(), self.edge_features]),
                device,
            )
        });
        DeviceBatch {
            x,
            edge_attr,
            src: ints(&self.src, device),
            dst: ints(&self.dst, device),
            incoming: Segments::new(&self.dst, self.num_nodes, device),
            nodes: Segments::new(&self.batch, self.num_graphs, device),
            num_nodes: self.num_nodes,
            num_graphs: self.num_graphs,
            edges: Arc::new((self.src.clone(), self.dst.clone())),
            lazy: Arc::default(),
        }
    }
}

fn ints(v: &[u32], device: &Device) -> Tensor<1, Int> {
    let data: Vec<i64> = v.iter().map(|&i| i as i64).collect();
    Tensor::<1, Int>::from_data(TensorData::new(data, [v.len()]), device)
}

/// The edges with one self-loop per node appended, on a device.
#[derive(Clone, Debug)]
pub struct SelfLoops {
    /// Sources `[E + N]`.
    pub src: Tensor<1, Int>,
    /// Targets `[E + N]`.
    pub dst: Tensor<1, Int>,
    /// The augmented edges grouped by target node (attention over a node and its neighbours).
    pub incoming: Segments,
    /// GCN's normalisation `1/sqrt(d_src d_dst)` per augmented edge, degrees counting the
    /// self-loop `[E + N, 1]`.
    pub gcn_norm: Tensor<2>,
}

/// What layers compute from the batch when they first need it.
#[derive(Debug, Default)]
struct Lazy {
    loops: OnceLock<SelfLoops>,
    sym_norm: OnceLock<Tensor<2>>,
}

/// A [`GraphBatch`] on a device.
#[derive(Clone, Debug)]
pub struct DeviceBatch {
    /// Node features `[N, F]`.
    pub x: Tensor<2>,
    /// Edge features `[E, F_e]`, when the graphs have them.
    pub edge_attr: Option<Tensor<2>>,
    /// Edge sources `[E]`.
    pub src: Tensor<1, Int>,
    /// Edge targets `[E]`.
    pub dst: Tensor<1, Int>,
    /// Edges grouped by target node (for neighbourhood reductions).
    pub incoming: Segments,
    /// Nodes grouped by graph (for readouts).
    pub nodes: Segments,
    /// Total nodes.
    pub num_nodes: usize,
    /// Number of graphs.
    pub num_graphs: usize,
    /// The edges on the CPU, for what is computed on first use.
    edges: Arc<(Vec<u32>, Vec<u32>)>,
    lazy: Arc<Lazy>,
}

impl DeviceBatch {
    /// The edges with a self-loop per node and GCN's normalisation (computed on first use).
    pub fn self_loops(&self) -> &SelfLoops {
        self.lazy.loops.get_or_init(|| {
            let (src, dst) = &*self.edges;
            let device = self.x.device();
            let loops = 0..self.num_nodes as u32;
            let src_loop: Vec<u32> = src.iter().copied().chain(loops.clone()).collect();
            let dst_loop: Vec<u32> = dst.iter().copied().chain(loops).collect();
            let mut deg = vec![1.0f32; self.num_nodes];
            for &d in dst {
                deg[d as usize] += 1.0;
            }
            let norm: Vec<f32> = src_loop
                .iter()
                .zip(&dst_loop)
                .map(|(&s, &d)| 1.0 / (deg[s as usize] * deg[d as usize]).sqrt())
                .collect();
            SelfLoops {
                gcn_norm: Tensor::<1>::from_data(TensorData::new(norm, [src_loop.len()]), &device)
                    .unsqueeze_dim(1),
                incoming: Segments::new(&dst_loop, self.num_nodes, &device),
                src: ints(&src_loop, &device),
                dst: ints(&dst_loop, &device),
            }
        })
    }

    /// `1/sqrt(d_src d_dst)` per edge, degrees without self-loops `[E, 1]`: the normalised
    /// adjacency of the graph Laplacian (computed on first use).
    pub fn sym_norm(&self) -> &Tensor<2> {
        self.lazy.sym_norm.get_or_init(|| {
            let (src, dst) = &*self.edges;
            let mut degree = vec![0.0f32; self.num_nodes];
            for &d in dst {
                degree[d as usize] += 1.0;
            }
            let sym: Vec<f32> = src
                .iter()
                .zip(dst)
                .map(|(&s, &d)| 1.0 / (degree[s as usize] * degree[d as usize]).sqrt())
                .collect();
            Tensor::<1>::from_data(TensorData::new(sym, [src.len()]), &self.x.device())
                .unsqueeze_dim(1)
        })
    }
}
