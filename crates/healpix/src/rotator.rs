//! Rotations of the sphere with healpy's conventions: [`Rotator`] (healpy's `hp.Rotator`) between
//! galactic, ecliptic and equatorial (J2000) coordinates, by Euler angles, and composed.

use std::f64::consts::PI;
use std::str::FromStr;

use crate::error::{HealpixError, Result};

/// A celestial coordinate system, as FITS `COORDSYS` and healpy's `coord` name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CoordSys {
    /// Galactic (`G`).
    Galactic,
    /// Ecliptic (`E`).
    Ecliptic,
    /// Equatorial, J2000 (`C` for celestial, or `Q`).
    Equatorial,
}

impl CoordSys {
    /// healpy's letter: `G`, `E` or `C`.
    pub fn letter(self) -> char {
        match self {
            CoordSys::Galactic => 'G',
            CoordSys::Ecliptic => 'E',
            CoordSys::Equatorial => 'C',
        }
    }
}

impl FromStr for CoordSys {
    type Err = HealpixError;

    /// `G`, `E`, `C` or `Q` (any case), or the names spelled out (`galactic`, `ecliptic`,
    /// `equatorial`, `celestial`), as `COORDSYS` keys and healpy's `coord` write them.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "g" | "galactic" => Ok(CoordSys::Galactic),
            "e" | "ecliptic" => Ok(CoordSys::Ecliptic),
            "c" | "q" | "equatorial" | "celestial" => Ok(CoordSys::Equatorial),
            _ => Err(HealpixError::UnknownCoordSys {
                name: s.to_string(),
            }),
        }
    }
}

/// healpy's conventions for the three Euler angles of [`Rotator::euler`] (its `eulertype`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EulerType {
    /// healpy's default: about z by the first angle, then y, then x (the aeronautics
    /// convention; `rot = (lon, lat, psi)` brings `(lon, lat)` to the centre of the frame).
    #[default]
    Zyx,
    /// About z, then the new x, then the new z (classical mechanics).
    X,
    /// About z, then the new y, then the new z (quantum mechanics).
    Y,
}

/// A 3×3 matrix, rows first.
pub type Matrix3 = [[f64; 3]; 3];

const IDENTITY: Matrix3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// healpy 1.20.1's coordinate conversion matrices (`Rotator(coord=[from, to]).mat`), to the
/// last bit: they come from its ecliptic→galactic and ecliptic→equatorial (J2000 obliquity)
/// matrices through numpy's `inv` and `dot`, which tessera does not recompute.
fn coord_matrix(from: CoordSys, to: CoordSys) -> Matrix3 {
    use CoordSys::{Ecliptic as E, Equatorial as C, Galactic as G};
    match (from, to) {
        (G, E) => [
            [
                -0.05487563486628312,
                0.49410952885789716,
                -0.8676660868040493,
            ],
            [
                -0.9938213523891737,
                -0.11099097203832778,
                -0.0003516551470140832,
            ],
            [
                -0.09647685853808478,
                0.8622857865103741,
                0.49714730025296094,
            ],
        ],
        (G, C) => [
            [
                -0.054875539395714594,
                0.49410945362336384,
                -0.8676661356858704,
            ],
            [
                -0.8734371047274336,
                -0.44482959429881663,
                -0.1980763896109499,
            ],
            [-0.4838349917703226, 0.7469822487020499, 0.4559837945175692],
        ],
        (E, G) => [
            [
                -0.054875634866282955,
                -0.9938213523891724,
                -0.09647685853808491,
            ],
            [
                0.49410952885789594,
                -0.11099097203832753,
                0.8622857865103742,
            ],
            [
                -0.8676660868040468,
                -0.00035165514701401834,
                0.49714730025296094,
            ],
        ],
        (E, C) => [
            [
                0.9999999999999906,
                -8.651314600163712e-08,
                -9.838583464995654e-08,
            ],
            [
                4.02386553932528e-08,
                0.9174821682916503,
                -0.3977769109272801,
            ],
            [
                1.2468018087495808e-07,
                0.3977769109272727,
                0.9174821682916464,
            ],
        ],
        (C, G) => [
            [
                -0.05487553939571453,
                -0.8734371047274332,
                -0.48383499177032235,
            ],
            [0.49410945362336356, -0.4448295942988166, 0.74698224870205],
            [
                -0.8676661356858695,
                -0.19807638961094987,
                0.45598379451756915,
            ],
        ],
        (C, E) => [
            [
                0.9999999999999925,
                4.0238655393252714e-08,
                1.2468018087495806e-07,
            ],
            [
                -8.651314600163742e-08,
                0.9174821682916512,
                0.3977769109272729,
            ],
            [
                -9.838583464995669e-08,
                -0.3977769109272802,
                0.9174821682916463,
            ],
        ],
        _ => IDENTITY,
    }
}

fn product(a: &Matrix3, b: &Matrix3) -> Matrix3 {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
        }
    }
    m
}

fn transpose(a: &Matrix3) -> Matrix3 {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = a[j][i];
        }
    }
    m
}

/// A rotation of the sphere (healpy's `Rotator`): a change of coordinate system, a rotation by
/// Euler angles, or a composition of them. It turns vectors and directions; `a * b` applies `b`
/// first, as healpy's `Rotator.__mul__` does.
///
/// # Example
/// The Crab nebula (RA 83.633°, Dec 22.015°) in galactic coordinates, as healpy gives it:
/// ```
/// use tessera_healpix::{CoordSys, Rotator};
/// let to_galactic = Rotator::coord(CoordSys::Equatorial, CoordSys::Galactic);
/// let (l, b) = to_galactic.rotate_lonlat(83.63308, 22.0145);
/// assert!((l - -175.44255201352294).abs() < 1e-10 && (b - -5.784362493197349).abs() < 1e-10);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rotator {
    matrix: Matrix3,
}

impl Default for Rotator {
    fn default() -> Self {
        Rotator { matrix: IDENTITY }
    }
}

impl Rotator {
    /// The rotation that changes nothing.
    pub fn identity() -> Self {
        Rotator::default()
    }

    /// A rotation given by its matrix (rows first), applied as `matrix · v`.
    pub fn from_matrix(matrix: Matrix3) -> Self {
        Rotator { matrix }
    }

    /// The change from coordinates `from` to `to` (healpy's `Rotator(coord=[from, to])`).
    pub fn coord(from: CoordSys, to: CoordSys) -> Self {
        Rotator {
            matrix: coord_matrix(from, to),
        }
    }

    /// A rotation by three Euler angles in radians (healpy's `Rotator(rot=angles, deg=False,
    /// eulertype=…)`; healpy's own default takes degrees: convert them first).
    pub fn euler(angles: [f64; 3], convention: EulerType) -> Self {
        // healpy's get_rotation_matrix: euler_matrix_new(a1, -a2, a3).
        let [a1, a2, a3] = [angles[0], -angles[1], angles[2]];
        let (c1, s1, c2, s2, c3, s3) = (a1.cos(), a1.sin(), a2.cos(), a2.sin(), a3.cos(), a3.sin());
        let m1 = [[c1, -s1, 0.0], [s1, c1, 0.0], [0.0, 0.0, 1.0]];
        let (m2, m3) = match convention {
            EulerType::Zyx => (
                [[c2, 0.0, s2], [0.0, 1.0, 0.0], [-s2, 0.0, c2]],
                [[1.0, 0.0, 0.0], [0.0, c3, -s3], [0.0, s3, c3]],
            ),
            EulerType::Y => (
                [[c2, 0.0, s2], [0.0, 1.0, 0.0], [-s2, 0.0, c2]],
                [[c3, -s3, 0.0], [s3, c3, 0.0], [0.0, 0.0, 1.0]],
            ),
            EulerType::X => (
                [[1.0, 0.0, 0.0], [0.0, c2, -s2], [0.0, s2, c2]],
                [[c3, -s3, 0.0], [s3, c3, 0.0], [0.0, 0.0, 1.0]],
            ),
        };
        // M = m3ᵀ · (m2ᵀ · m1ᵀ), in numpy's order.
        let inner = product(&transpose(&m2), &transpose(&m1));
        Rotator {
            matrix: product(&transpose(&m3), &inner),
        }
    }

    /// A change of coordinates followed by a rotation, as one healpy `Rotator(rot=…,
    /// coord=[from, to])` is (the conversion first).
    pub fn euler_in(angles: [f64; 3], convention: EulerType, from: CoordSys, to: CoordSys) -> Self {
        let rotation = Rotator::euler(angles, convention);
        Rotator {
            matrix: product(&rotation.matrix, &coord_matrix(from, to)),
        }
    }

    /// The matrix, rows first.
    pub fn matrix(&self) -> Matrix3 {
        self.matrix
    }

    /// The rotation undoing this one (healpy's `get_inverse`, or `inv=True`).
    pub fn inverse(&self) -> Self {
        Rotator {
            matrix: transpose(&self.matrix),
        }
    }

    /// A vector turned (`matrix · v`; the length is kept).
    pub fn rotate_vec(&self, v: [f64; 3]) -> [f64; 3] {
        let m = &self.matrix;
        [
            m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
            m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
            m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
        ]
    }

    /// A direction `(theta, phi)` in radians turned, as healpy's `r(theta, phi)`: `phi` comes
    /// back in `(−π, π]`.
    pub fn rotate_ang(&self, theta: f64, phi: f64) -> (f64, f64) {
        let (st, ct, sp, cp) = (theta.sin(), theta.cos(), phi.sin(), phi.cos());
        let [x, y, z] = self.rotate_vec([st * cp, st * sp, ct]);
        let r = (x * x + y * y + z * z).sqrt();
        ((z / r).acos(), y.atan2(x))
    }

    /// A direction `(lon, lat)` in degrees turned, as healpy's `r(lon, lat, lonlat=True)`: the
    /// longitude comes back in `(−180°, 180°]`.
    pub fn rotate_lonlat(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (theta, phi) = self.rotate_ang(PI / 2.0 - lat.to_radians(), lon.to_radians());
        (phi.to_degrees(), 90.0 - theta.to_degrees())
    }
}

impl std::ops::Mul for Rotator {
    type Output = Rotator;

    /// `a * b` turns by `b`, then by `a` (healpy's composition).
    fn mul(self, b: Rotator) -> Rotator {
        Rotator {
            matrix: product(&self.matrix, &b.matrix),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_rotations_and_undo_each_other() {
        use CoordSys::*;
        for (a, b) in [
            (Galactic, Ecliptic),
            (Galactic, Equatorial),
            (Ecliptic, Equatorial),
        ] {
            let there = Rotator::coord(a, b);
            let back = Rotator::coord(b, a);
            let round = (back * there).matrix();
            for (i, row) in round.iter().enumerate() {
                for (j, v) in row.iter().enumerate() {
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!((v - want).abs() < 1e-12, "{a:?}->{b:?}: {round:?}");
                }
            }
            assert!((there.inverse().matrix()[0][1] - back.matrix()[0][1]).abs() < 1e-12);
        }
        assert_eq!("q".parse::<CoordSys>().unwrap(), Equatorial);
        assert!("X".parse::<CoordSys>().is_err());
    }
}
