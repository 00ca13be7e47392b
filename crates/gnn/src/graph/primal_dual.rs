//! A primal graph with its dual (PD-MeshNet: faces and face adjacencies), batched.
//!
//! The primal graph's directed edges each belong to one dual node (`dual_of_edge`): in
//! PD-MeshNet's configuration A both directions of a face pair share the node of the pair.

use burn::prelude::*;

use super::batch::{DeviceBatch, Graph, GraphBatch};
use crate::error::{GraphError, Result};

/// One primal graph, its dual, and the dual node of each directed primal edge.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimalDualGraph {
    /// Primal nodes (faces) with their features and directed edges.
    pub primal: Graph,
    /// Dual nodes with their features and directed edges.
    pub dual: Graph,
    /// For each directed primal edge (in `primal.edges` order), its dual node.
    pub dual_of_edge: Vec<u32>,
}

impl PrimalDualGraph {
    /// Ties a primal graph to its dual, checked.
    ///
    /// # Errors
    /// [`GraphError::DualMismatch`] naming `what` when `dual_of_edge` does not have one entry per
    /// primal edge or points past the dual nodes.
    pub fn new(primal: Graph, dual: Graph, dual_of_edge: Vec<u32>, what: &str) -> Result<Self> {
        let invalid = |detail: String| GraphError::DualMismatch {
            what: what.to_string(),
            detail,
        };
        if dual_of_edge.len() != primal.edges.len() {
            return Err(invalid(format!(
                "{} dual nodes for {} primal edges",
                dual_of_edge.len(),
                primal.edges.len()
            )));
        }
        if let Some(&d) = dual_of_edge.iter().find(|&&d| d as usize >= dual.num_nodes) {
            return Err(invalid(format!(
                "dual node {d} of a primal edge, the dual graph has {}",
                dual.num_nodes
            )));
        }
        Ok(PrimalDualGraph {
            primal,
            dual,
            dual_of_edge,
        })
    }
}

/// Many primal/dual pairs as one block-diagonal pair.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimalDualBatch {
    /// The primal graphs, batched.
    pub primal: GraphBatch,
    /// The dual graphs, batched.
    pub dual: GraphBatch,
    /// The dual node (batch numbering) of each primal edge (batch order).
    pub dual_of_edge: Vec<u32>,
}

impl PrimalDualBatch {
    /// Concatenates pairs with the same feature counts.
    ///
    /// # Errors
    /// [`GraphError::EmptyBatch`] for an empty list, [`GraphError::BatchFeaturesDiffer`] for
    /// differing feature counts.
    pub fn new(graphs: &[&PrimalDualGraph]) -> Result<Self> {
        let primal: Vec<&Graph> = graphs.iter().map(|g| &g.primal).collect();
        let dual: Vec<&Graph> = graphs.iter().map(|g| &g.dual).collect();
        let dual_batch = GraphBatch::new(&dual)?;
        let dual_of_edge = graphs
            .iter()
            .zip(&dual_batch.ptr)
            .flat_map(|(g, &offset)| g.dual_of_edge.iter().map(move |&d| d + offset as u32))
            .collect();
        Ok(PrimalDualBatch {
            primal: GraphBatch::new(&primal)?,
            dual: dual_batch,
            dual_of_edge,
        })
    }

    /// The batch on `device`.
    pub fn to_device(&self, device: &Device) -> DevicePrimalDual {
        let d: Vec<i64> = self.dual_of_edge.iter().map(|&v| i64::from(v)).collect();
        DevicePrimalDual {
            primal: self.primal.to_device(device),
            dual: self.dual.to_device(device),
            dual_of_edge: Tensor::from_data(TensorData::new(d, [self.dual_of_edge.len()]), device),
        }
    }
}

/// A [`PrimalDualBatch`] on a device.
#[derive(Clone, Debug)]
pub struct DevicePrimalDual {
    /// The primal graphs.
    pub primal: DeviceBatch,
    /// The dual graphs.
    pub dual: DeviceBatch,
    /// The dual node of each primal edge `[E_primal]`.
    pub dual_of_edge: Tensor<1, Int>,
}
