//! Whole-map index tables built once and reused: neighbours and the 9-pixel stencil.

use crate::base::Healpix;
use crate::neighbours::MISSING;
use crate::par::fill_rows;

/// The 8 neighbours of every pixel of a map, row-major `[npix][8]`, healpy's slot order
/// (SW, W, NW, N, NE, E, SE, S) and [`MISSING`] (-1) for absent neighbours.
///
/// This is `healpy.get_all_neighbours(nside, np.arange(npix)).T`, built in parallel.
///
/// # Example
/// ```
/// let hp = tessera_healpix::Healpix::ring(1)?;
/// let table = hp.neighbour_table();
/// assert_eq!(table.row(0), &[4, -1, 3, 2, 1, -1, 5, 8]);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NeighbourTable {
    geometry: Healpix,
    data: Vec<i64>,
}

impl NeighbourTable {
    /// The geometry the table was built for.
    pub fn geometry(&self) -> Healpix {
        self.geometry
    }

    /// The neighbours of `pix` (healpy order, -1 for missing).
    ///
    /// # Panics
    /// When `pix >= npix`.
    pub fn row(&self, pix: u64) -> &[i64; 8] {
        let start = pix as usize * 8;
        self.data[start..start + 8].try_into().expect("rows have 8 slots")
    }

    /// The whole table, row-major `[npix * 8]`.
    pub fn as_slice(&self) -> &[i64] {
        &self.data
    }

    /// The table as a flat vector, row-major `[npix * 8]`.
    pub fn into_vec(self) -> Vec<i64> {
        self.data
    }
}

/// The 9-pixel convolution stencil of every pixel, row-major `[npix][9]`, in the NNhealpix order
/// SW, W, NW, N, **centre**, NE, E, SE, S.
///
/// # Sentinel
/// A missing neighbour is stored as [`StencilTable::sentinel`], which equals `npix`. A convolution
/// appends one zero pixel to its input (`[.., npix + 1, ..]`) and gathers with the table unchanged,
/// so missing neighbours read zero without any branch, as in NNhealpix.
///
/// # Example
/// ```
/// let hp = tessera_healpix::Healpix::nested(1)?;
/// let st = hp.stencil_table();
/// assert_eq!(st.row(0), &[4, 12, 3, 2, 0, 1, 12, 5, 8]);
/// assert_eq!(st.sentinel(), 12);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StencilTable {
    geometry: Healpix,
    data: Vec<i64>,
}

impl StencilTable {
    /// Position of the centre pixel within a stencil row.
    pub const CENTRE: usize = 4;

    /// The geometry the table was built for.
    pub fn geometry(&self) -> Healpix {
        self.geometry
    }

    /// The index used for a missing neighbour: `npix`, one past the last pixel.
    pub fn sentinel(&self) -> i64 {
        self.geometry.npix
    }

    /// The stencil of `pix`.
    ///
    /// # Panics
    /// When `pix >= npix`.
    pub fn row(&self, pix: u64) -> &[i64; 9] {
        let start = pix as usize * 9;
        self.data[start..start + 9].try_into().expect("rows have 9 slots")
    }

    /// The whole table, row-major `[npix * 9]`.
    pub fn as_slice(&self) -> &[i64] {
        &self.data
    }

    /// The table as a flat vector, row-major `[npix * 9]`, ready for an index tensor.
    pub fn into_vec(self) -> Vec<i64> {
        self.data
    }
}

impl Healpix {
    /// Builds the [`NeighbourTable`] of the whole map (in parallel with the `parallel` feature).
    ///
    /// Memory: `64 * npix` bytes (805 MB at nside 1024).
    pub fn neighbour_table(&self) -> NeighbourTable {
        let mut data = vec![0i64; self.npix as usize * 8];
        fill_rows(&mut data, 8, |first, chunk| {
            for (k, row) in chunk.chunks_exact_mut(8).enumerate() {
                let row: &mut [i64; 8] = row.try_into().expect("8 slots");
                self.neighbours_into((first + k) as i64, row);
            }
        });
        NeighbourTable { geometry: *self, data }
    }

    /// Builds the [`StencilTable`] of the whole map (in parallel with the `parallel` feature).
    ///
    /// Memory: `72 * npix` bytes.
    pub fn stencil_table(&self) -> StencilTable {
        let sentinel = self.npix;
        let mut data = vec![0i64; self.npix as usize * 9];
        fill_rows(&mut data, 9, |first, chunk| {
            let mut nb = [0i64; 8];
            for (k, row) in chunk.chunks_exact_mut(9).enumerate() {
                let pix = (first + k) as i64;
                self.neighbours_into(pix, &mut nb);
                for (slot, &p) in row[..4].iter_mut().zip(&nb[..4]) {
                    *slot = if p == MISSING { sentinel } else { p };
                }
                row[4] = pix;
                for (slot, &p) in row[5..].iter_mut().zip(&nb[4..]) {
                    *slot = if p == MISSING { sentinel } else { p };
                }
            }
        });
        StencilTable { geometry: *self, data }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;

    #[test]
    fn tables_agree_with_single_pixel_calls() {
        for (nside, scheme) in [(3, Scheme::Ring), (8, Scheme::Nested), (8, Scheme::Ring)] {
            let hp = Healpix::new(nside, scheme).unwrap();
            let nt = hp.neighbour_table();
            let st = hp.stencil_table();
            for pix in 0..hp.npix() {
                let nb = hp.neighbours(pix).unwrap().to_healpy();
                assert_eq!(nt.row(pix), &nb);
                let row = st.row(pix);
                assert_eq!(row[StencilTable::CENTRE], pix as i64);
                for (i, &p) in nb.iter().enumerate() {
                    let slot = if i < 4 { i } else { i + 1 };
                    let expected = if p == MISSING { st.sentinel() } else { p };
                    assert_eq!(row[slot], expected);
                }
            }
        }
    }
}
