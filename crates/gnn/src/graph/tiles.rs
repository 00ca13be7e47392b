//! Tiles with neighbours: a HEALPix pixel, a mesh face and a graph node are all cells whose
//! neighbourhood a layer reads. [`Tiles`] gives that neighbourhood as directed edges, so that
//! every graph layer ([`crate::conv::GraphLayer`]) and readout runs on maps, on mesh faces and on
//! graphs alike ([`TileConv`](crate::conv::TileConv) applies one to batches of maps).

use tessera_healpix::Healpix;
#[cfg(feature = "mesh")]
use tessera_mesh::FaceGraph;

use super::{Graph, GraphBatch};
use crate::error::{GraphError, Result};

/// Cells with neighbours.
pub trait Tiles {
    /// How many tiles.
    fn tile_count(&self) -> usize;

    /// The neighbourhoods as directed edges `[neighbour, tile]`: messages flow from the
    /// neighbour to the tile (every neighbourhood here is symmetric, so both directions are
    /// there).
    fn neighbour_edges(&self) -> Vec<[u32; 2]>;

    /// The graph of the tiles carrying `features` values per tile (`x`, tile-major).
    ///
    /// # Errors
    /// [`GraphError::FeatureCount`] or [`GraphError::NotFinite`] when `x` does not hold `features` finite values per tile.
    fn graph(&self, features: usize, x: Vec<f32>) -> Result<Graph> {
        Graph::new(
            self.tile_count(),
            features,
            x,
            self.neighbour_edges(),
            "tiles",
        )
    }

    /// `copies` of the tiles as one block-diagonal batch (one copy per map of a batch of maps),
    /// without features: the neighbourhoods a layer reads.
    ///
    /// # Errors
    /// [`GraphError::EmptyBatch`] for zero copies.
    fn batch(&self, copies: usize) -> Result<GraphBatch> {
        let one = self.graph(1, vec![0.0; self.tile_count()])?;
        let refs = vec![&one; copies];
        GraphBatch::new(&refs)
    }
}

/// The pixels of a NESTED HEALPix map at `nside`, each joined to its 8 neighbours (7 for the
/// pixels where two base faces meet at a missing corner), as healpy's `get_all_neighbours`
/// gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealpixTiles {
    nside: u64,
}

impl HealpixTiles {
    /// The pixels at `nside` (a power of two: NESTED order).
    ///
    /// # Errors
    /// [`GraphError::Healpix`] for an nside NESTED order cannot have.
    pub fn new(nside: u64) -> Result<Self> {
        Healpix::nested(nside).map_err(|source| GraphError::Healpix {
            layer: "HEALPix tiles",
            source,
        })?;
        Ok(HealpixTiles { nside })
    }

    /// The resolution.
    pub fn nside(&self) -> u64 {
        self.nside
    }
}

impl Tiles for HealpixTiles {
    fn tile_count(&self) -> usize {
        12 * (self.nside * self.nside) as usize
    }

    fn neighbour_edges(&self) -> Vec<[u32; 2]> {
        let hp = Healpix::nested(self.nside).expect("checked in new");
        let table = hp.neighbour_table();
        table
            .as_slice()
            .chunks_exact(8)
            .enumerate()
            .flat_map(|(p, row)| {
                row.iter()
                    .filter(|&&q| q >= 0)
                    .map(move |&q| [q as u32, p as u32])
            })
            .collect()
    }
}

/// Mesh faces, each joined to the faces it shares an edge with (the primal graph; feature
/// `mesh`).
#[cfg(feature = "mesh")]
impl Tiles for FaceGraph {
    fn tile_count(&self) -> usize {
        self.num_faces
    }

    fn neighbour_edges(&self) -> Vec<[u32; 2]> {
        self.directed_edges()
    }
}

/// Graph nodes, with the graph's own edges.
impl Tiles for Graph {
    fn tile_count(&self) -> usize {
        self.num_nodes
    }

    fn neighbour_edges(&self) -> Vec<[u32; 2]> {
        self.edges.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healpix_pixels_have_eight_neighbours_but_at_the_missing_corners() {
        for nside in [1, 2, 8] {
            let tiles = HealpixTiles::new(nside).unwrap();
            let edges = tiles.neighbour_edges();
            let npix = tiles.tile_count();
            let mut degree = vec![0; npix];
            for &[from, to] in &edges {
                degree[to as usize] += 1;
                // Symmetric: the neighbour has the pixel as a neighbour too.
                assert!(edges.contains(&[to, from]), "nside {nside}: {from} → {to}");
            }
            // 24 pixels (8 corners × 3) lack one neighbour at nside > 1.
            let seven = degree.iter().filter(|&&d| d == 7).count();
            let eight = degree.iter().filter(|&&d| d == 8).count();
            if nside > 1 {
                assert_eq!((seven, eight), (24, npix - 24), "nside {nside}");
            }
        }
        // Pixel 0 at nside 1: healpy.get_all_neighbours(1, 0, nest=True) is
        // [4, -1, 3, 2, 1, -1, 5, 8] (data/golden/healpix.json.gz, "neighbours_full").
        let tiles = HealpixTiles::new(1).unwrap();
        let mut of_zero: Vec<u32> = tiles
            .neighbour_edges()
            .iter()
            .filter(|e| e[1] == 0)
            .map(|e| e[0])
            .collect();
        of_zero.sort_unstable();
        assert_eq!(of_zero, [1, 2, 3, 4, 5, 8]);
        assert!(HealpixTiles::new(3).is_err());
    }

    #[cfg(feature = "mesh")]
    #[test]
    fn faces_and_nodes_give_their_own_neighbourhoods() {
        let faces = FaceGraph {
            num_faces: 3,
            pairs: vec![[0, 1], [1, 2]],
        };
        assert_eq!(faces.neighbour_edges(), [[0, 1], [1, 0], [1, 2], [2, 1]]);
        let g = faces.graph(2, vec![1.0; 6]).unwrap();
        assert_eq!((g.tile_count(), g.neighbour_edges().len()), (3, 4));
        let batch = g.batch(3).unwrap();
        assert_eq!(
            (batch.num_nodes, batch.src.len(), batch.num_graphs),
            (9, 12, 3)
        );
        assert!(faces.graph(2, vec![1.0; 5]).is_err());
    }
}
