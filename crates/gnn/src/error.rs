//! The error type of tessera-gnn.

/// What a feature count or index refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element {
    /// Nodes (pixels, faces, graph nodes).
    Node,
    /// Edges.
    Edge,
}

impl std::fmt::Display for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Element::Node => "node",
            Element::Edge => "edge",
        })
    }
}

/// Invalid graphs, batches and layers, found on the CPU before anything reaches a device.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum GraphError {
    /// A graph without nodes.
    #[error("{what}: the graph has no nodes")]
    NoNodes {
        /// Which graph.
        what: String,
    },
    /// Feature values of another count than items × features.
    #[error("{what}: {values} {on} feature values for {items} {on}s × {features} features")]
    FeatureCount {
        /// Which graph.
        what: String,
        /// Node or edge features.
        on: Element,
        /// Values given.
        values: usize,
        /// Nodes or edges of the graph.
        items: usize,
        /// Features per item.
        features: usize,
    },
    /// A feature value that is not a finite number.
    #[error("{what}: feature {feature} of {on} {index} is not finite")]
    NotFinite {
        /// Which graph.
        what: String,
        /// A node's or an edge's feature.
        on: Element,
        /// The node or edge.
        index: usize,
        /// The feature.
        feature: usize,
    },
    /// An edge to or from a node the graph does not have.
    #[error("{what}: edge {from} → {to} leaves the {nodes} nodes")]
    EdgeOutOfRange {
        /// Which graph.
        what: String,
        /// The edge's source.
        from: u32,
        /// The edge's target.
        to: u32,
        /// Nodes of the graph.
        nodes: usize,
    },
    /// A batch of no graphs.
    #[error("batch: no graphs")]
    EmptyBatch,
    /// Graphs in one batch with different numbers of node or edge features.
    #[error("batch: graph {graph} has {found} {on} features, graph 0 has {first}")]
    BatchFeaturesDiffer {
        /// The graph that differs.
        graph: usize,
        /// Node or edge features.
        on: Element,
        /// Its feature count.
        found: usize,
        /// The first graph's.
        first: usize,
    },
    /// A primal graph and a dual graph that do not belong together.
    #[error("{what}: {detail}")]
    DualMismatch {
        /// Which pair.
        what: String,
        /// What does not match.
        detail: String,
    },
    /// A HEALPix grid that cannot be built (an nside NESTED order cannot have).
    #[error("{layer}: {source}")]
    Healpix {
        /// The layer or tiling that needed it.
        layer: &'static str,
        /// What the grid said.
        #[source]
        source: tessera_healpix::HealpixError,
    },
    /// A layer configured so that it cannot work.
    #[error("{layer}: {detail}")]
    Layer {
        /// The layer.
        layer: &'static str,
        /// What cannot work.
        detail: String,
    },
    /// A mesh batch that is not in configuration A's layout, or attention that does not fit it.
    #[error("FaceClusterPool, mesh {mesh}: {detail}")]
    NotConfigurationA {
        /// The mesh in the batch.
        mesh: usize,
        /// What is out of place.
        detail: String,
    },
    /// Face clustering that failed on a mesh of the batch.
    #[cfg(feature = "mesh")]
    #[error("FaceClusterPool, mesh {mesh}: {source}")]
    Clustering {
        /// The mesh in the batch.
        mesh: usize,
        /// What the clustering said.
        #[source]
        source: tessera_mesh::MeshError,
    },
    /// A mesh that pooling collapsed to clusters without any adjacency.
    #[error(
        "pooled mesh {mesh}: collapses to {clusters} cluster(s) without any adjacency: the mesh \
         is too small for this pooling schedule"
    )]
    PooledTooFar {
        /// The mesh in the batch.
        mesh: usize,
        /// Clusters left.
        clusters: usize,
    },
    /// Values that could not be read back from the device.
    #[error("{layer}: reading {what} back from the device: {source}")]
    ReadBack {
        /// The layer.
        layer: &'static str,
        /// What was read.
        what: &'static str,
        /// What burn said.
        #[source]
        source: burn::tensor::DataError,
    },
}

/// `Result` with [`GraphError`] as the default error.
pub type Result<T, E = GraphError> = std::result::Result<T, E>;
