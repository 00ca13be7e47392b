//! The primal and dual graphs as `petgraph` graphs (feature `petgraph`).

use petgraph::graph::{DiGraph, NodeIndex, UnGraph};

use crate::graph::{DualGraph, FaceGraph};

impl FaceGraph {
    /// The faces as nodes (node `i` is face `i`), one edge per adjacent pair.
    pub fn to_petgraph(&self) -> UnGraph<(), (), usize> {
        let mut graph = UnGraph::with_capacity(self.num_faces, self.pairs.len());
        for _ in 0..self.num_faces {
            graph.add_node(());
        }
        for &[i, j] in &self.pairs {
            graph.add_edge(NodeIndex::new(i as usize), NodeIndex::new(j as usize), ());
        }
        graph
    }
}

impl DualGraph {
    /// The dual nodes (node `i` is dual node `i`) with the directed dual edges.
    pub fn to_petgraph(&self) -> DiGraph<(), (), usize> {
        let mut graph = DiGraph::with_capacity(self.num_nodes, self.edges.len());
        for _ in 0..self.num_nodes {
            graph.add_node(());
        }
        for &[from, to] in &self.edges {
            graph.add_edge(
                NodeIndex::new(from as usize),
                NodeIndex::new(to as usize),
                (),
            );
        }
        graph
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::{DualConfig, FaceGraph};

    /// A strip of three faces: face 1 touches 0 and 2; the line graph joins the two pairs.
    #[test]
    fn graphs_as_petgraph() {
        let primal = FaceGraph {
            num_faces: 3,
            pairs: vec![[0, 1], [1, 2]],
        };
        let g = primal.to_petgraph();
        assert_eq!((g.node_count(), g.edge_count()), (3, 2));
        assert_eq!(g.neighbors(petgraph::graph::NodeIndex::new(1)).count(), 2);
        let dual = primal.dual(DualConfig::SingleUndirected).to_petgraph();
        assert_eq!(dual.node_count(), 2);
        assert!(dual.contains_edge(0.into(), 1.into()) && dual.contains_edge(1.into(), 0.into()));
    }
}
