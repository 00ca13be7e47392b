//! The ecosystem's types, behind optional features: the neighbour and stencil tables as
//! `ndarray` views (feature `ndarray`), the pixels' neighbour graph as a `petgraph` graph
//! (feature `petgraph`). Nothing is copied into a view.

#[cfg(feature = "ndarray")]
mod arrays {
    use ndarray::ArrayView2;

    use crate::tables::{NeighbourTable, StencilTable, TableIndex};

    impl<I: TableIndex> NeighbourTable<I> {
        /// The table as an `npix × 8` view (healpy's order, -1 for missing).
        pub fn as_array(&self) -> ArrayView2<'_, I> {
            let rows = self.as_slice().len() / 8;
            ArrayView2::from_shape((rows, 8), self.as_slice()).expect("rows of 8")
        }
    }

    impl<I: TableIndex> StencilTable<I> {
        /// The table as an `npix × 9` view (SW, W, NW, N, centre, NE, E, SE, S; `npix` for
        /// missing).
        pub fn as_array(&self) -> ArrayView2<'_, I> {
            let rows = self.as_slice().len() / 9;
            ArrayView2::from_shape((rows, 9), self.as_slice()).expect("rows of 9")
        }
    }
}

#[cfg(feature = "petgraph")]
mod graphs {
    use petgraph::graph::{NodeIndex, UnGraph};

    use crate::{Healpix, Result};

    impl Healpix {
        /// The pixels as the nodes of an undirected graph (node `i` is pixel `i` of this
        /// scheme), one edge per pair of neighbouring pixels (healpy's 8-neighbourhood).
        ///
        /// Node indices are `usize`, so any nside fits.
        ///
        /// # Errors
        /// As [`Healpix::neighbour_table_of`].
        pub fn neighbour_graph(&self) -> Result<UnGraph<(), (), usize>> {
            let table = self.neighbour_table_of::<i64>()?;
            let npix = self.npix() as usize;
            let mut graph = UnGraph::with_capacity(npix, 4 * npix);
            for _ in 0..npix {
                graph.add_node(());
            }
            for (pix, row) in table.as_slice().chunks_exact(8).enumerate() {
                for &n in row {
                    // Each pair once: from the smaller pixel.
                    if n > pix as i64 {
                        graph.update_edge(NodeIndex::new(pix), NodeIndex::new(n as usize), ());
                    }
                }
            }
            Ok(graph)
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(feature = "ndarray")]
    #[test]
    fn tables_as_arrays() {
        let hp = crate::Healpix::nested(2).unwrap();
        let (table, stencil) = (hp.neighbour_table(), hp.stencil_table());
        let (t, s) = (table.as_array(), stencil.as_array());
        assert_eq!((t.dim(), s.dim()), ((48, 8), (48, 9)));
        assert_eq!(t.row(17).to_vec(), table.row(17).to_vec());
        assert_eq!(s[[17, 4]], 17);
    }

    /// Every pixel's neighbours are its graph neighbours, once each; at nside 1 the twelve
    /// base pixels have 8 or 7 neighbours (the poles' corners are missing).
    #[cfg(feature = "petgraph")]
    #[test]
    fn neighbour_graph_is_the_table() {
        use petgraph::graph::NodeIndex;
        for hp in [
            crate::Healpix::ring(4).unwrap(),
            crate::Healpix::nested(4).unwrap(),
        ] {
            let graph = hp.neighbour_graph().unwrap();
            let table = hp.neighbour_table();
            assert_eq!(graph.node_count(), 192);
            for pix in 0..192u64 {
                let mut expected: Vec<usize> = table
                    .row(pix)
                    .iter()
                    .filter(|&&n| n >= 0)
                    .map(|&n| n as usize)
                    .collect();
                expected.sort_unstable();
                expected.dedup();
                let mut got: Vec<usize> = graph
                    .neighbors(NodeIndex::new(pix as usize))
                    .map(|n| n.index())
                    .collect();
                got.sort_unstable();
                assert_eq!(got, expected, "pixel {pix}");
            }
        }
    }
}
