//! Learned graph layers on burn 0.22 (backend chosen by the `Device`: `Device::flex()` on CPU,
//! `.autodiff()` to train): graphs validated on the CPU and batched block-diagonally, scatter
//! and segment reductions with exact gradients, graph convolutions and readouts.
//!
//! # Example
//! ```
//! use burn::prelude::*;
//! use tessera_gnn::conv::GinConvConfig;
//! use tessera_gnn::graph::{Graph, GraphBatch};
//! use tessera_gnn::readout::BasicReadout;
//! let device = Device::flex();
//! // A triangle with one feature per node.
//! let g = Graph::new(3, 1, vec![1.0, 2.0, 3.0], vec![[0, 1], [1, 0], [1, 2], [2, 1], [2, 0], [0, 2]], "triangle")?;
//! let batch = GraphBatch::new(&[&g, &g])?.to_device(&device);
//! let conv = GinConvConfig::new(1, 8).init(&device);
//! let h = conv.forward(batch.x.clone(), &batch);
//! let per_graph = BasicReadout::Sum.forward(h, &batch);
//! assert_eq!(per_graph.dims(), [2, 8]);
//! # Ok::<(), tessera_gnn::GraphError>(())
//! ```

pub mod conv;
mod error;
pub mod graph;
pub mod pool;
pub mod readout;

pub use error::{Element, GraphError, Result};
