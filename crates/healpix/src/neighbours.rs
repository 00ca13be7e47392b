//! The 8 neighbours of a pixel, in healpy's order SW, W, NW, N, NE, E, SE, S.

use crate::base::{Healpix, RingInfo};
use crate::error::Result;
use crate::scheme::Scheme;

/// A compass direction from a pixel to one of its neighbours.
///
/// The discriminant is the slot in healpy's `get_all_neighbours` output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Direction {
    /// South-west (slot 0).
    SW = 0,
    /// West (slot 1).
    W = 1,
    /// North-west (slot 2).
    NW = 2,
    /// North (slot 3).
    N = 3,
    /// North-east (slot 4).
    NE = 4,
    /// East (slot 5).
    E = 5,
    /// South-east (slot 6).
    SE = 6,
    /// South (slot 7).
    S = 7,
}

impl Direction {
    /// All directions in healpy's slot order.
    pub const ALL: [Direction; 8] = [
        Direction::SW,
        Direction::W,
        Direction::NW,
        Direction::N,
        Direction::NE,
        Direction::E,
        Direction::SE,
        Direction::S,
    ];

    /// The slot of this direction in healpy's neighbour order.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The direction pointing back.
    ///
    /// # Example
    /// ```
    /// use tessera_healpix::Direction;
    /// assert_eq!(Direction::SW.opposite(), Direction::NE);
    /// ```
    pub const fn opposite(self) -> Direction {
        Direction::ALL[(self as usize + 4) % 8]
    }

    /// The short compass name (`"SW"`, …).
    pub const fn name(self) -> &'static str {
        ["SW", "W", "NW", "N", "NE", "E", "SE", "S"][self as usize]
    }
}

/// The neighbours of one pixel; a slot is `None` where the pixel has no neighbour.
///
/// Exactly 24 pixels of a map with nside ≥ 2 (the W/E or N/S corners of base faces where three
/// faces meet) have 7 neighbours; at nside 1 every pixel has 6.
///
/// # Example
/// ```
/// use tessera_healpix::{Direction, Healpix};
/// let hp = Healpix::ring(1)?;
/// let nb = hp.neighbours(0)?;
/// assert_eq!(nb.get(Direction::SW), Some(4));
/// assert_eq!(nb.get(Direction::W), None);
/// assert_eq!(nb.to_healpy(), [4, -1, 3, 2, 1, -1, 5, 8]);
/// # Ok::<(), tessera_healpix::HealpixError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Neighbours(pub [Option<u64>; 8]);

/// The value healpy (and [`crate::NeighbourTable`]) uses for a missing neighbour.
pub const MISSING: i64 = -1;

impl Neighbours {
    /// The neighbour in direction `d`, if there is one.
    pub fn get(&self, d: Direction) -> Option<u64> {
        self.0[d.index()]
    }

    /// The neighbours that exist, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.0.iter().flatten().copied()
    }

    /// The number of neighbours that exist (6, 7 or 8).
    pub fn count(&self) -> usize {
        self.0.iter().filter(|n| n.is_some()).count()
    }

    /// The healpy form: pixel indices with [`MISSING`] (-1) in empty slots.
    pub fn to_healpy(&self) -> [i64; 8] {
        self.0.map(|n| n.map_or(MISSING, |p| p as i64))
    }
}

const NB_XOFFSET: [i64; 8] = [-1, -1, 0, 1, 1, 1, 0, -1];
const NB_YOFFSET: [i64; 8] = [0, 1, 1, 1, 0, -1, -1, -1];
/// Face of the neighbouring face in each of the 9 directions (index `4 + dx + 3 dy`).
const NB_FACEARRAY: [[i8; 12]; 9] = [
    [8, 9, 10, 11, -1, -1, -1, -1, 10, 11, 8, 9],
    [5, 6, 7, 4, 8, 9, 10, 11, 9, 10, 11, 8],
    [-1, -1, -1, -1, 5, 6, 7, 4, -1, -1, -1, -1],
    [4, 5, 6, 7, 11, 8, 9, 10, 11, 8, 9, 10],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    [1, 2, 3, 0, 0, 1, 2, 3, 5, 6, 7, 4],
    [-1, -1, -1, -1, 7, 4, 5, 6, -1, -1, -1, -1],
    [3, 0, 1, 2, 3, 0, 1, 2, 4, 5, 6, 7],
    [2, 3, 0, 1, -1, -1, -1, -1, 0, 1, 2, 3],
];
/// Coordinate flips when crossing into the neighbouring face: bit 0 flips x, bit 1 flips y,
/// bit 2 swaps x and y. Indexed by direction and face row (north, equator, south).
const NB_SWAPARRAY: [[u8; 3]; 9] = [
    [0, 0, 3],
    [0, 0, 6],
    [0, 0, 0],
    [0, 0, 5],
    [0, 0, 0],
    [5, 0, 0],
    [0, 0, 0],
    [6, 0, 0],
    [3, 0, 0],
];

impl Healpix {
    /// Fills `out` with the neighbours of a valid pixel, [`MISSING`] where absent.
    ///
    /// This is the allocation-free kernel behind [`Healpix::neighbours`] and the bulk tables.
    #[inline]
    pub(crate) fn neighbours_raw(&self, pix: i64, out: &mut [i64; 8]) {
        if self.scheme == Scheme::Nested && self.nested_interior_neighbours(pix, out) {
            return;
        }
        let f = self.pix2xyf_unchecked(pix);
        let (ix, iy, face) = (f.x, f.y, f.face);
        let nsm1 = self.nside - 1;
        if ix > 0 && ix < nsm1 && iy > 0 && iy < nsm1 {
            // Interior of a face (RING here; NESTED took the fast path above).
            self.ring_interior_neighbours(pix, ix, iy, face, out);
            return;
        }
        for i in 0..8 {
            out[i] = self.edge_neighbour(ix + NB_XOFFSET[i], iy + NB_YOFFSET[i], face);
        }
    }

    /// Neighbours of a RING pixel inside face `face` at `(ix, iy)`. They lie on the five rings
    /// around the pixel's ring `jr`: W and E are the previous and next pixels of its own ring,
    /// NE follows NW on ring `jr - 1` and SE follows SW on ring `jr + 1` (cyclically), so only
    /// four positions need HEALPix C++'s `xyf2ring` arithmetic instead of eight.
    #[inline]
    fn ring_interior_neighbours(
        &self,
        pix: i64,
        ix: i64,
        iy: i64,
        face: usize,
        out: &mut [i64; 8],
    ) {
        let n = self.nside;
        let jr = crate::xyf::JRLL[face] * n - ix - iy - 1;
        // The pixel on ring `ring` at x - y = `d` in this face, with that ring's layout.
        let at = |ring: i64, d: i64| {
            let (info, jp) = self.ring_slot(ring, face, d);
            (info.start + jp - 1, info)
        };
        let next = |p: i64, info: RingInfo| {
            if p + 1 == info.start + info.len {
                info.start
            } else {
                p + 1
            }
        };
        let d = ix - iy;
        let (nw, above) = at(jr - 1, d - 1);
        let (sw, below) = at(jr + 1, d - 1);
        let (north, _) = at(jr - 2, d);
        let (south, _) = at(jr + 2, d);
        let own = self.ring_info(jr);
        let west = if pix == own.start {
            own.start + own.len - 1
        } else {
            pix - 1
        };
        *out = [
            sw,
            west,
            nw,
            north,
            next(nw, above),
            next(pix, own),
            next(sw, below),
            south,
        ];
    }

    /// Neighbours of a NESTED pixel inside its face, computed on the Morton code itself: x sits
    /// in the even bits and y in the odd bits, and `x ± 1` is an add/subtract that carries through
    /// the even bits only (the odd bits are filled with ones, or masked off, first). Returns false,
    /// writing nothing, when the pixel touches its face's border.
    #[inline]
    fn nested_interior_neighbours(&self, pix: i64, out: &mut [i64; 8]) -> bool {
        let shift = 2 * self.order as u32;
        let local_mask = (1u64 << shift) - 1;
        let xmask = 0x5555_5555_5555_5555u64 & local_mask;
        let ymask = xmask << 1;
        let local = pix as u64 & local_mask;
        let (x, y) = (local & xmask, local & ymask);
        if x == 0 || y == 0 || x == xmask || y == ymask {
            return false;
        }
        let face = pix as u64 & !local_mask;
        let xp = ((x | ymask) + 1) & xmask;
        let xn = (x - 1) & xmask;
        let yp = ((y | xmask) + 2) & ymask;
        let yn = (y - 2) & ymask;
        let at = |x: u64, y: u64| (face | x | y) as i64;
        *out = [
            at(xn, y),
            at(xn, yp),
            at(x, yp),
            at(xp, yp),
            at(xp, y),
            at(xp, yn),
            at(x, yn),
            at(xn, yn),
        ];
        true
    }

    /// The pixel at face coordinates that may have stepped over the face edge by one.
    #[inline]
    fn edge_neighbour(&self, mut x: i64, mut y: i64, face: usize) -> i64 {
        let n = self.nside;
        let mut nbnum = 4usize;
        if x < 0 {
            x += n;
            nbnum -= 1;
        } else if x >= n {
            x -= n;
            nbnum += 1;
        }
        if y < 0 {
            y += n;
            nbnum -= 3;
        } else if y >= n {
            y -= n;
            nbnum += 3;
        }
        let f = NB_FACEARRAY[nbnum][face];
        if f < 0 {
            return MISSING;
        }
        let bits = NB_SWAPARRAY[nbnum][face >> 2];
        if bits & 1 != 0 {
            x = n - x - 1;
        }
        if bits & 2 != 0 {
            y = n - y - 1;
        }
        if bits & 4 != 0 {
            std::mem::swap(&mut x, &mut y);
        }
        self.xyf2pix_unchecked(x, y, f as usize)
    }

    /// The 8 neighbours of `pix` in healpy's order SW, W, NW, N, NE, E, SE, S
    /// (healpy's `get_all_neighbours(nside, pix)`).
    ///
    /// # Errors
    /// [`crate::HealpixError::PixelOutOfRange`].
    ///
    /// # Example
    /// ```
    /// let hp = tessera_healpix::Healpix::nested(4)?;
    /// let nb = hp.neighbours(6)?;
    /// assert_eq!(nb.count(), 8);
    /// assert!(nb.iter().all(|p| hp.neighbours(p).unwrap().iter().any(|q| q == 6)));
    /// # Ok::<(), tessera_healpix::HealpixError>(())
    /// ```
    pub fn neighbours(&self, pix: u64) -> Result<Neighbours> {
        self.check_pix(pix)?;
        let mut raw = [0i64; 8];
        self.neighbours_raw(pix as i64, &mut raw);
        Ok(Neighbours(raw.map(|p| (p >= 0).then_some(p as u64))))
    }

    /// The neighbours of the pixel containing `(theta, phi)` (healpy's
    /// `get_all_neighbours(nside, theta, phi)`).
    ///
    /// # Errors
    /// As [`Healpix::ang2pix`].
    pub fn neighbours_of_ang(&self, theta: f64, phi: f64) -> Result<Neighbours> {
        let pix = self.ang2pix(theta, phi)?;
        self.neighbours(pix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_four_pixels_have_seven_neighbours() {
        for (nside, scheme) in [(2, Scheme::Ring), (4, Scheme::Nested), (5, Scheme::Ring)] {
            let hp = Healpix::new(nside, scheme).unwrap();
            let seven = (0..hp.npix())
                .filter(|&p| hp.neighbours(p).unwrap().count() == 7)
                .count();
            assert_eq!(seven, 24, "nside {nside} {scheme}");
        }
    }

    #[test]
    fn opposite_is_an_involution() {
        for d in Direction::ALL {
            assert_eq!(d.opposite().opposite(), d);
            assert_ne!(d.opposite(), d);
        }
    }
}
