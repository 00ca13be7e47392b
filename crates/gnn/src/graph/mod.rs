//! Graphs on the CPU (validated once), batched into one block-diagonal graph, and sent to a
//! device with the index tensors the layers need.

mod batch;
mod primal_dual;
mod scatter;
mod tiles;

pub use batch::{DeviceBatch, Graph, GraphBatch, SelfLoops};
pub use primal_dual::{DevicePrimalDual, PrimalDualBatch, PrimalDualGraph};
pub(crate) use scatter::select_heads;
pub use scatter::{Segments, scatter_max, scatter_mean, scatter_sum, segment_softmax};
pub use tiles::{HealpixTiles, Tiles};
