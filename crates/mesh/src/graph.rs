//! The primal graph (one node per face, face adjacencies) and the dual graph in PD-MeshNet's
//! three configurations.

use crate::error::{MeshError, Result};
use crate::mesh::TriMesh;
use crate::topology::EdgeMap;

/// How dual nodes and edges are made from the primal graph (PD-MeshNet's options).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DualConfig {
    /// Config A (the paper's): one dual node per face pair {i, j}; dual nodes adjacent (both
    /// directions) when their pairs share a face — the line graph of the primal graph.
    #[default]
    SingleUndirected,
    /// Config B: two dual nodes i→j and j→i per pair; (m→i) and (i→j) joined in both directions.
    DoubleUndirected,
    /// Config C: as B, but only (m→i) → (i→j).
    DoubleDirected,
}

/// Faces and their adjacencies: the primal graph, as undirected pairs.
///
/// Directed primal edges are numbered `2p` (`i → j`) and `2p + 1` (`j → i`) for pair
/// `p = {i, j}`, `i < j`.
#[derive(Clone, Debug, PartialEq)]
pub struct FaceGraph {
    /// Number of faces (primal nodes).
    pub num_faces: usize,
    /// Adjacent face pairs `[i, j]`, `i < j`, without repeats.
    pub pairs: Vec<[u32; 2]>,
}

/// The dual graph and its tie to the primal one.
#[derive(Clone, Debug, PartialEq)]
pub struct DualGraph {
    /// The configuration.
    pub config: DualConfig,
    /// Number of dual nodes (pairs for config A, directed primal edges for B and C).
    pub num_nodes: usize,
    /// Directed dual edges `[from, to]`.
    pub edges: Vec<[u32; 2]>,
    /// The dual node of each directed primal edge (`2p`, `2p + 1`).
    pub of_primal_edge: Vec<u32>,
}

impl FaceGraph {
    /// The directed primal edges: `[i, j]` then `[j, i]` for each pair.
    pub fn directed_edges(&self) -> Vec<[u32; 2]> {
        self.pairs
            .iter()
            .flat_map(|&[i, j]| [[i, j], [j, i]])
            .collect()
    }

    /// For each face, the pairs it belongs to.
    pub fn pairs_of_face(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.num_faces];
        for (p, &[i, j]) in self.pairs.iter().enumerate() {
            out[i as usize].push(p as u32);
            out[j as usize].push(p as u32);
        }
        out
    }

    /// The dual graph in configuration `config`.
    pub fn dual(&self, config: DualConfig) -> DualGraph {
        let around = self.pairs_of_face();
        let mut edges = Vec::new();
        match config {
            DualConfig::SingleUndirected => {
                // Line graph: pairs sharing a face are adjacent.
                for ps in &around {
                    for &a in ps {
                        for &b in ps {
                            if a != b {
                                edges.push([a, b]);
                            }
                        }
                    }
                }
                edges.sort_unstable();
                edges.dedup();
                DualGraph {
                    config,
                    num_nodes: self.pairs.len(),
                    edges,
                    of_primal_edge: (0..2 * self.pairs.len() as u32).map(|d| d / 2).collect(),
                }
            }
            DualConfig::DoubleUndirected | DualConfig::DoubleDirected => {
                // Directed primal edge ids: p = {i, j} gives 2p = i→j, 2p+1 = j→i.
                let id = |p: u32, from: u32| -> u32 {
                    if self.pairs[p as usize][0] == from {
                        2 * p
                    } else {
                        2 * p + 1
                    }
                };
                for (p, &[i, j]) in self.pairs.iter().enumerate() {
                    for (from, to) in [(i, j), (j, i)] {
                        let d = id(p as u32, from);
                        // (m → from) → (from → to) for every other neighbour m of `from`.
                        for &q in &around[from as usize] {
                            if q == p as u32 {
                                continue;
                            }
                            let [a, b] = self.pairs[q as usize];
                            let m = if a == from { b } else { a };
                            let incoming = id(q, m);
                            edges.push([incoming, d]);
                            if config == DualConfig::DoubleUndirected {
                                edges.push([d, incoming]);
                            }
                        }
                        let _ = to;
                    }
                }
                edges.sort_unstable();
                edges.dedup();
                DualGraph {
                    config,
                    num_nodes: 2 * self.pairs.len(),
                    edges,
                    of_primal_edge: (0..2 * self.pairs.len() as u32).collect(),
                }
            }
        }
    }
}

/// The primal graph of a mesh, with the mesh edge behind each pair (for features).
#[derive(Clone, Debug)]
pub struct MeshGraph {
    /// Faces and adjacencies.
    pub faces: FaceGraph,
    /// For each pair, the two faces' sides on the shared edge: `[(i, side_i), (j, side_j)]`.
    pub sides: Vec<[(u32, u8); 2]>,
}

impl MeshGraph {
    /// Builds the primal graph from a (cleaned) mesh: one pair per mesh edge with exactly two
    /// faces, in MeshCNN's edge order. Boundary edges give no pair; edges with more than two
    /// faces are an error (clean the mesh first).
    ///
    /// # Errors
    /// [`MeshError::NonManifoldEdge`], or [`MeshError::PolygonSoup`] for a mesh without any
    /// adjacency (a polygon soup).
    pub fn new(mesh: &TriMesh, what: &str) -> Result<Self> {
        let em = EdgeMap::new(mesh);
        let mut pairs = Vec::new();
        let mut sides = Vec::new();
        for (e, fs) in em.faces_of.iter().enumerate() {
            match fs.as_slice() {
                [_] => {}
                [a, b] => {
                    let (x, y) = if a.0 < b.0 { (*a, *b) } else { (*b, *a) };
                    pairs.push([x.0, y.0]);
                    sides.push([x, y]);
                }
                more => {
                    return Err(MeshError::NonManifoldEdge {
                        mesh: what.to_string(),
                        edge: em.edges[e],
                        faces: more.len(),
                    });
                }
            }
        }
        if pairs.is_empty() {
            return Err(MeshError::PolygonSoup {
                mesh: what.to_string(),
            });
        }
        Ok(MeshGraph {
            faces: FaceGraph {
                num_faces: mesh.faces.len(),
                pairs,
            },
            sides,
        })
    }
}
