//! Flat images projected onto HEALPix maps, as NNhealpix's `projections.projectimages` does for
//! spherical MNIST: the image spans 180° × 180° (colatitude 0…180°, longitude −90…90°) before a
//! rotation moves it anywhere on the sphere. Each HEALPix pixel is the mean of 4 bilinear samples
//! of the image at its sub-pixel centres (NNhealpix ray-casts and bins).
//!
//! By default the image has NNhealpix's handedness ([`Handedness::Nnhealpix`]): it reads the
//! right way round on a healpy `mollview`, which shows the sky as seen from inside the sphere.

use rand::{Rng, RngExt};
use tessera_healpix::Healpix;

use crate::error::Result;

/// Which way round an image lies on the sphere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Handedness {
    /// NNhealpix's: the image's columns run towards decreasing longitude φ, so the image reads
    /// the right way round seen from inside the sphere (healpy's `mollview`). Published
    /// NNhealpix models and maps exchanged with NNhealpix users expect it.
    #[default]
    Nnhealpix,
    /// The mirror image: columns run towards increasing φ, so the image reads the right way
    /// round seen from outside the sphere.
    Outside,
}

impl Handedness {
    /// The name used on the command line and in run records (`nnhealpix`, `outside`).
    pub fn name(self) -> &'static str {
        match self {
            Handedness::Nnhealpix => "nnhealpix",
            Handedness::Outside => "outside",
        }
    }

    /// The handedness of a [`name`](Self::name), if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        [Handedness::Nnhealpix, Handedness::Outside]
            .into_iter()
            .find(|h| h.name() == name)
    }
}

/// Projects images onto NESTED HEALPix maps.
#[derive(Clone, Debug)]
pub struct ImageProjector {
    nside: u64,
    handedness: Handedness,
    /// Unit vectors of the 4 sub-pixel centres of every pixel, NESTED: `[npix × 4]`.
    samples: Vec<[f64; 3]>,
}

impl ImageProjector {
    /// Sub-pixel samples per pixel.
    const SUB: usize = 4;

    /// A projector onto maps of resolution `nside`, with NNhealpix's handedness.
    ///
    /// # Errors
    /// [`SkyError::Healpix`](crate::SkyError::Healpix) for an invalid nside.
    pub fn new(nside: u64) -> Result<Self> {
        let fine = Healpix::nested(2 * nside)?;
        // NESTED: the 4 children of coarse pixel p are 4p … 4p + 3.
        let samples = (0..fine.npix())
            .map(|p| fine.pix2vec(p).expect("pixel in range"))
            .collect();
        Ok(ImageProjector {
            nside,
            handedness: Handedness::default(),
            samples,
        })
    }

    /// The same projector laying images down with `handedness`.
    pub fn with_handedness(mut self, handedness: Handedness) -> Self {
        self.handedness = handedness;
        self
    }

    /// Which way round images lie.
    pub fn handedness(&self) -> Handedness {
        self.handedness
    }

    /// The map resolution.
    pub fn nside(&self) -> u64 {
        self.nside
    }

    /// The image seen through `rotation`: pixel value = mean of bilinear samples of the image
    /// (grey level / 255) at the pixel's sub-pixel centres, after undoing the rotation; 0 off the
    /// image.
    ///
    /// # Panics
    /// When `image` is not square (side² grey levels, row-major, top row first).
    pub fn project(&self, image: &[u8], rotation: &[[f64; 3]; 3]) -> Vec<f32> {
        self.project_distorted(image, rotation, &IDENTITY_2D)
    }

    /// [`project`](Self::project) of the image distorted in its plane: the map shows at image
    /// point `p` the grey level of the original at `c + distortion · (p − c)`, `c` the image
    /// centre (see [`random_distortion`]).
    ///
    /// # Panics
    /// When `image` is not square (side² grey levels, row-major, top row first).
    pub fn project_distorted(
        &self,
        image: &[u8],
        rotation: &[[f64; 3]; 3],
        distortion: &[[f64; 2]; 2],
    ) -> Vec<f32> {
        let side = image.len().isqrt();
        assert_eq!(side * side, image.len(), "a square image");
        let d = distortion;
        let centre = side as f64 / 2.0 - 0.5;
        let r = rotation;
        let pi = std::f64::consts::PI;
        let grey = |row: isize, col: isize| -> f64 {
            if (0..side as isize).contains(&row) && (0..side as isize).contains(&col) {
                f64::from(image[row as usize * side + col as usize]) / 255.0
            } else {
                0.0
            }
        };
        let sample = |v: &[f64; 3]| -> f64 {
            // Image frame = Rᵀ · sky direction.
            let u: [f64; 3] =
                std::array::from_fn(|i| r[0][i] * v[0] + r[1][i] * v[1] + r[2][i] * v[2]);
            let theta = u[2].clamp(-1.0, 1.0).acos();
            // The longitude along the image's rows, from −90° at its first column.
            let phi = match self.handedness {
                Handedness::Nnhealpix => -u[1].atan2(u[0]),
                Handedness::Outside => u[1].atan2(u[0]),
            };
            if phi.abs() > pi / 2.0 {
                return 0.0;
            }
            // Offsets from the image centre, in image pixels (row, column).
            let (dy, dx) = (
                theta / pi * side as f64 - 0.5 - centre,
                (phi + pi / 2.0) / pi * side as f64 - 0.5 - centre,
            );
            let y = centre + d[0][0] * dy + d[0][1] * dx;
            let x = centre + d[1][0] * dy + d[1][1] * dx;
            let (y0, x0) = (y.floor(), x.floor());
            let (fy, fx) = (y - y0, x - x0);
            let (i, j) = (y0 as isize, x0 as isize);
            (1.0 - fy) * ((1.0 - fx) * grey(i, j) + fx * grey(i, j + 1))
                + fy * ((1.0 - fx) * grey(i + 1, j) + fx * grey(i + 1, j + 1))
        };
        self.samples
            .chunks_exact(Self::SUB)
            .map(|sub| (sub.iter().map(sample).sum::<f64>() / Self::SUB as f64) as f32)
            .collect()
    }
}

/// No distortion (for [`ImageProjector::project_distorted`]).
pub const IDENTITY_2D: [[f64; 2]; 2] = [[1.0, 0.0], [0.0, 1.0]];

/// A random distortion of an image in its plane (for [`ImageProjector::project_distorted`]):
/// each axis scaled by a factor in `[1 − strength, 1 + strength]` and sheared by a factor in
/// `[−strength, strength]`, uniformly — for digits, new handwriting from the same ones, as in the classic
/// affine augmentation of MNIST. Rotations in the plane are left to the sphere's rotation.
pub fn random_distortion(rng: &mut impl Rng, strength: f64) -> [[f64; 2]; 2] {
    let mut u = || rng.random_range(-strength..=strength);
    let (sy, sx, shear) = (1.0 + u(), 1.0 + u(), u());
    [[sy, shear], [0.0, sx]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    const SIDE: usize = 28;

    /// Without rotation a white image covers exactly the hemisphere x > 0 (pixels away from its
    /// edge are 1, pixels behind it 0). Its top-left pixel lands near the north pole at
    /// longitude +90° with NNhealpix's handedness (columns run towards decreasing φ, as a
    /// `mollview` shows it) and at −90° with the mirror handedness.
    #[test]
    fn the_image_covers_the_front_hemisphere() {
        let hp = Healpix::nested(8).unwrap();
        let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        for (handedness, first_column_phi) in [
            (Handedness::Nnhealpix, 90.0f64),
            (Handedness::Outside, -90.0),
        ] {
            let p = ImageProjector::new(8).unwrap().with_handedness(handedness);
            let map = p.project(&[255u8; SIDE * SIDE], &identity);
            for (pix, v) in map.iter().enumerate() {
                let [x, _, z] = hp.pix2vec(pix as u64).unwrap();
                if x > 0.15 && z.abs() < 0.95 {
                    assert!((v - 1.0).abs() < 1e-6, "pixel {pix}: {v}");
                } else if x < -0.15 {
                    assert_eq!(*v, 0.0);
                }
            }
            let mut corner = [0u8; SIDE * SIDE];
            corner[SIDE * 5 + 2] = 255;
            let map = p.project(&corner, &identity);
            let brightest = (0..map.len())
                .max_by(|&a, &b| map[a].total_cmp(&map[b]))
                .unwrap();
            let (theta, phi) = hp.pix2ang(brightest as u64).unwrap();
            let towards_centre = 2.5 / 28.0 * 180.0 * -first_column_phi.signum();
            let want_phi = (first_column_phi + towards_centre + 360.0) % 360.0;
            let want_theta = 5.5 / 28.0 * 180.0;
            assert!(
                (theta.to_degrees() - want_theta).abs() < 8.0,
                "{handedness:?}: {theta}"
            );
            assert!(
                (phi.to_degrees() - want_phi).abs() < 12.0,
                "{handedness:?}: {phi}"
            );
        }
    }

    /// The two handednesses are mirror images of each other: φ → −φ (away from the image's
    /// edge meridians φ = ±90°, where a sample exactly on the edge falls on either side by
    /// rounding).
    #[test]
    fn the_handednesses_mirror_each_other() {
        let hp = Healpix::nested(16).unwrap();
        let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let image: Vec<u8> = (0..SIDE * SIDE).map(|i| ((i * 37) % 256) as u8).collect();
        let ours = ImageProjector::new(16).unwrap().project(&image, &identity);
        let mirror = ImageProjector::new(16)
            .unwrap()
            .with_handedness(Handedness::Outside)
            .project(&image, &identity);
        for p in 0..hp.npix() {
            let [x, y, z] = hp.pix2vec(p).unwrap();
            if x.abs() < 1e-9 {
                continue;
            }
            let q = hp.vec2pix([x, -y, z]).unwrap();
            assert!(
                (ours[p as usize] - mirror[q as usize]).abs() < 1e-5,
                "pixel {p} ({x}, {y}, {z}): {} vs {} at {q}",
                ours[p as usize],
                mirror[q as usize]
            );
        }
    }

    /// A distortion of 0.5 in both axes magnifies the digit twice about the image centre: a
    /// central square covers about four times the pixels; the identity changes nothing; random
    /// distortions stay within their strength.
    #[test]
    fn distortions_scale_the_digit_about_its_centre() {
        let p = ImageProjector::new(16).unwrap();
        let identity = [[1.0, 0.0], [0.0, 1.0]];
        let r = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let mut square = [0u8; SIDE * SIDE];
        for row in 12..16 {
            for col in 12..16 {
                square[row * SIDE + col] = 255;
            }
        }
        assert_eq!(
            p.project_distorted(&square, &r, &identity),
            p.project(&square, &r)
        );
        let bright = |m: Vec<f32>| m.iter().filter(|&&v| v > 0.5).count() as f64;
        let plain = bright(p.project(&square, &r));
        let magnified = bright(p.project_distorted(&square, &r, &[[0.5, 0.0], [0.0, 0.5]]));
        assert!(plain > 5.0, "{plain}");
        assert!(
            (3.0..5.0).contains(&(magnified / plain)),
            "{plain} → {magnified}"
        );
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(4);
        for _ in 0..100 {
            let d = random_distortion(&mut rng, 0.2);
            assert!((0.8..=1.2).contains(&d[0][0]) && (0.8..=1.2).contains(&d[1][1]));
            assert!(d[0][1].abs() <= 0.2 && d[1][0] == 0.0);
        }
    }
}
