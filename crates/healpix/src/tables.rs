//! Whole-map index tables built once and reused: neighbours and the 9-pixel stencil.
//!
//! Tables are generic over their index type ([`TableIndex`]): `i64` is healpy's format; `i32`
//! halves the memory (and the time, which at these sizes is mostly memory traffic) for every map
//! with fewer than 2^31 pixels (nside ≤ 8192).

use crate::base::Healpix;
use crate::error::{HealpixError, Result};
use crate::neighbours::MISSING;
use crate::par::fill_rows;

mod sealed {
    pub trait Sealed {}
    impl Sealed for i32 {}
    impl Sealed for i64 {}
}

/// An integer type a whole-map table can be stored in: `i32` or `i64`.
pub trait TableIndex:
    sealed::Sealed + Copy + Default + Send + Sync + std::fmt::Debug + 'static
{
    /// The largest value the type holds.
    const MAX: i64;
    /// Narrows a value known to fit.
    fn from_i64(v: i64) -> Self;
    /// Widens back to `i64`.
    fn to_i64(self) -> i64;
}

impl TableIndex for i32 {
    const MAX: i64 = i32::MAX as i64;
    #[inline]
    fn from_i64(v: i64) -> Self {
        v as i32
    }
    #[inline]
    fn to_i64(self) -> i64 {
        self as i64
    }
}

impl TableIndex for i64 {
    const MAX: i64 = i64::MAX;
    #[inline]
    fn from_i64(v: i64) -> Self {
        v
    }
    #[inline]
    fn to_i64(self) -> i64 {
        self
    }
}

/// The 8 neighbours of every pixel of a map, row-major `[npix][8]`, healpy's slot order
/// (SW, W, NW, N, NE, E, SE, S) and [`MISSING`] (-1) for absent neighbours.
///
/// `NeighbourTable<i64>` is `healpy.get_all_neighbours(nside, np.arange(npix)).T`, built in
/// parallel.
///
/// # Example
/// ```
/// let hp = tessera_healpix::Healpix::ring(1)?;
/// let table = hp.neighbour_table();
/// assert_eq!(table.row(0), &[4, -1, 3, 2, 1, -1, 5, 8]);
/// let compact = hp.neighbour_table_of::<i32>()?;
/// assert_eq!(compact.row(0), &[4, -1, 3, 2, 1, -1, 5, 8]);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NeighbourTable<I: TableIndex = i64> {
    geometry: Healpix,
    data: Vec<I>,
}

impl<I: TableIndex> NeighbourTable<I> {
    /// The geometry the table was built for.
    pub fn geometry(&self) -> Healpix {
        self.geometry
    }

    /// The neighbours of `pix` (healpy order, -1 for missing).
    ///
    /// # Panics
    /// When `pix >= npix`.
    pub fn row(&self, pix: u64) -> &[I; 8] {
        let start = pix as usize * 8;
        self.data[start..start + 8]
            .try_into()
            .expect("rows have 8 slots")
    }

    /// The whole table, row-major `[npix * 8]`.
    pub fn as_slice(&self) -> &[I] {
        &self.data
    }

    /// The table as a flat vector, row-major `[npix * 8]`.
    pub fn into_vec(self) -> Vec<I> {
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
pub struct StencilTable<I: TableIndex = i64> {
    geometry: Healpix,
    data: Vec<I>,
}

impl<I: TableIndex> StencilTable<I> {
    /// Position of the centre pixel within a stencil row.
    pub const CENTRE: usize = 4;

    /// The geometry the table was built for.
    pub fn geometry(&self) -> Healpix {
        self.geometry
    }

    /// The index used for a missing neighbour: `npix`, one past the last pixel.
    pub fn sentinel(&self) -> I {
        I::from_i64(self.geometry.npix)
    }

    /// The stencil of `pix`.
    ///
    /// # Panics
    /// When `pix >= npix`.
    pub fn row(&self, pix: u64) -> &[I; 9] {
        let start = pix as usize * 9;
        self.data[start..start + 9]
            .try_into()
            .expect("rows have 9 slots")
    }

    /// The whole table, row-major `[npix * 9]`.
    pub fn as_slice(&self) -> &[I] {
        &self.data
    }

    /// The table as a flat vector, row-major `[npix * 9]`, ready for an index tensor.
    pub fn into_vec(self) -> Vec<I> {
        self.data
    }
}

impl Healpix {
    /// `npix * width`, the length of a whole-map table.
    ///
    /// # Panics
    /// When the table could not be addressed in memory at all (nside above ~2^29 / 3 on 64-bit).
    fn table_len(&self, width: usize) -> usize {
        (self.npix as usize)
            .checked_mul(width)
            .expect("table larger than the address space")
    }

    fn check_table(&self, max: i64, width: usize, len: usize) -> Result<()> {
        // The stencil sentinel is npix itself, so npix must fit.
        if self.npix > max {
            return Err(HealpixError::IndexTypeTooSmall {
                npix: self.npix as u64,
            });
        }
        let expected = self.table_len(width);
        if len != expected {
            return Err(HealpixError::LengthMismatch {
                what: "table buffer",
                expected,
                got: len,
            });
        }
        Ok(())
    }

    /// Builds the [`NeighbourTable`] of the whole map in healpy's `i64` format (in parallel with
    /// the `parallel` feature).
    ///
    /// Memory: `64 * npix` bytes (805 MB at nside 1024); see [`Healpix::neighbour_table_of`] for
    /// the half-size `i32` form.
    ///
    /// # Panics
    /// When `8 * npix` entries cannot be allocated.
    pub fn neighbour_table(&self) -> NeighbourTable {
        self.neighbour_table_of::<i64>()
            .expect("every npix fits in i64")
    }

    /// Builds the [`NeighbourTable`] with entries of type `I`.
    ///
    /// # Errors
    /// [`HealpixError::IndexTypeTooSmall`] when `npix` does not fit in `I`.
    pub fn neighbour_table_of<I: TableIndex>(&self) -> Result<NeighbourTable<I>> {
        self.check_table(I::MAX, 8, self.table_len(8))?;
        let mut data = vec![I::default(); self.table_len(8)];
        self.neighbour_table_into(&mut data)?;
        Ok(NeighbourTable {
            geometry: *self,
            data,
        })
    }

    /// Fills a caller's buffer of `8 * npix` entries with the neighbour table (row-major, healpy
    /// order, -1 for missing). Reusing one buffer avoids the cost of fresh memory.
    ///
    /// # Errors
    /// [`HealpixError::IndexTypeTooSmall`], [`HealpixError::LengthMismatch`].
    pub fn neighbour_table_into<I: TableIndex>(&self, out: &mut [I]) -> Result<()> {
        self.check_table(I::MAX, 8, out.len())?;
        fill_rows(out, 8, |first, chunk| {
            let mut nb = [0i64; 8];
            for (k, row) in chunk.chunks_exact_mut(8).enumerate() {
                self.neighbours_raw((first + k) as i64, &mut nb);
                for (slot, &p) in row.iter_mut().zip(&nb) {
                    *slot = I::from_i64(p);
                }
            }
        });
        Ok(())
    }

    /// Builds the [`StencilTable`] of the whole map with `i64` entries (in parallel with the
    /// `parallel` feature).
    ///
    /// Memory: `72 * npix` bytes; see [`Healpix::stencil_table_of`] for the `i32` form.
    ///
    /// # Panics
    /// When `9 * npix` entries cannot be allocated.
    pub fn stencil_table(&self) -> StencilTable {
        self.stencil_table_of::<i64>()
            .expect("every npix fits in i64")
    }

    /// Builds the [`StencilTable`] with entries of type `I`.
    ///
    /// # Errors
    /// [`HealpixError::IndexTypeTooSmall`] when `npix` does not fit in `I`.
    pub fn stencil_table_of<I: TableIndex>(&self) -> Result<StencilTable<I>> {
        self.check_table(I::MAX, 9, self.table_len(9))?;
        let mut data = vec![I::default(); self.table_len(9)];
        self.stencil_table_into(&mut data)?;
        Ok(StencilTable {
            geometry: *self,
            data,
        })
    }

    /// Fills a caller's buffer of `9 * npix` entries with the stencil table (row-major, NNhealpix
    /// order, `npix` for missing neighbours).
    ///
    /// # Errors
    /// [`HealpixError::IndexTypeTooSmall`], [`HealpixError::LengthMismatch`].
    pub fn stencil_table_into<I: TableIndex>(&self, out: &mut [I]) -> Result<()> {
        self.check_table(I::MAX, 9, out.len())?;
        let sentinel = self.npix;
        let fix = |p: i64| I::from_i64(if p == MISSING { sentinel } else { p });
        fill_rows(out, 9, |first, chunk| {
            let mut nb = [0i64; 8];
            for (k, row) in chunk.chunks_exact_mut(9).enumerate() {
                let pix = (first + k) as i64;
                self.neighbours_raw(pix, &mut nb);
                row[0] = fix(nb[0]);
                row[1] = fix(nb[1]);
                row[2] = fix(nb[2]);
                row[3] = fix(nb[3]);
                row[4] = I::from_i64(pix);
                row[5] = fix(nb[4]);
                row[6] = fix(nb[5]);
                row[7] = fix(nb[6]);
                row[8] = fix(nb[7]);
            }
        });
        Ok(())
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
            let compact = hp.stencil_table_of::<i32>().unwrap();
            for pix in 0..hp.npix() {
                let nb = hp.neighbours(pix).unwrap().to_healpy();
                assert_eq!(nt.row(pix), &nb);
                let row = st.row(pix);
                assert_eq!(row[StencilTable::<i64>::CENTRE], pix as i64);
                for (i, &p) in nb.iter().enumerate() {
                    let slot = if i < 4 { i } else { i + 1 };
                    let expected = if p == MISSING { st.sentinel() } else { p };
                    assert_eq!(row[slot], expected);
                }
                assert_eq!(compact.row(pix).map(i64::from), *row);
            }
        }
    }

    #[test]
    fn buffers_of_the_wrong_size_or_type_are_rejected() {
        let hp = Healpix::nested(2).unwrap();
        let mut small = vec![0i64; 10];
        assert!(matches!(
            hp.neighbour_table_into(&mut small),
            Err(HealpixError::LengthMismatch { .. })
        ));
        let huge = Healpix::nested(1 << 14).unwrap();
        assert!(matches!(
            huge.neighbour_table_into(&mut Vec::<i32>::new()),
            Err(HealpixError::IndexTypeTooSmall { .. })
        ));
    }
}
