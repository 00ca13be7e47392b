//! Mesh segmentation end to end on a small COSEG folder (six aliens to train on, two to test,
//! copied with their label files into a temporary folder): the U-Net and superpixel segmenters
//! train on the engine, gradients reach every parameter through unpooling, the metrics are
//! scores, a run folder gives back the same predictions, and a bad label file is named.

use std::path::{Path, PathBuf};

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use tessera_gnn::graph::{PrimalDualBatch, PrimalDualGraph};
use tessera_train::data::{MeshFeatures, SegmentDataset};
use tessera_train::engine::Checkpointing;
use tessera_train::models::{PdMeshSegmenterConfig, SegmenterKind};
use tessera_train::schedule::FitSchedule;
use tessera_train::segfit::{
    SEGMENT_TASK, SegmentRun, TEST_AREA_FACE_ACCURACY, fit_segmenter, score, segment,
};

/// burn's CPU device has one random stream per process.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn aliens() -> PathBuf {
    std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("meshes/coseg/aliens")
}

/// Six training and two test aliens with their labels, in `root`.
fn small_folder(root: &Path) {
    let src = aliens();
    std::fs::copy(src.join("classes.txt"), root.join("classes.txt")).unwrap();
    for dir in ["train", "test", "seg", "sseg"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
    }
    for (split, names) in [
        ("train", &["1", "10", "100", "101", "102", "103"][..]),
        ("test", &["104", "105"][..]),
    ] {
        for name in names {
            let from = |dir: &str, ext: &str| src.join(dir).join(format!("{name}.{ext}"));
            let to = |dir: &str, ext: &str| root.join(dir).join(format!("{name}.{ext}"));
            // The COSEG test meshes live in test/; a training name may be a test mesh there.
            let obj = [from("train", "obj"), from("test", "obj")]
                .into_iter()
                .find(|p| p.exists())
                .unwrap();
            std::fs::copy(obj, to(split, "obj")).unwrap();
            std::fs::copy(from("seg", "eseg"), to("seg", "eseg")).unwrap();
            std::fs::copy(from("sseg", "seseg"), to("sseg", "seseg")).unwrap();
        }
    }
}

fn small_dataset() -> (tempfile::TempDir, SegmentDataset) {
    let tmp = tempfile::tempdir().unwrap();
    small_folder(tmp.path());
    let data = SegmentDataset::load(tmp.path(), MeshFeatures::Log, || {}).unwrap();
    (tmp, data)
}

fn tiny(data: &SegmentDataset, kind: SegmenterKind) -> PdMeshSegmenterConfig {
    PdMeshSegmenterConfig::new(
        data.primal_stats.mean.len(),
        data.dual_stats.mean.len(),
        data.parts.len(),
    )
    .with_channels(vec![8, 16])
    .with_norm_groups(2)
    .with_kind(kind)
}

/// Every float parameter's path and values, in visiting order.
#[derive(Default)]
struct Values {
    path: Vec<String>,
    found: Vec<(String, Vec<f32>)>,
}

impl ModuleVisitor for Values {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let values = param.val().into_data().convert::<f32>();
        let values = values.try_to_vec::<f32>().unwrap();
        self.found.push((self.path.join("."), values));
    }
}

fn values<M: Module>(m: &M) -> Vec<(String, Vec<f32>)> {
    let mut v = Values::default();
    m.visit(&mut v);
    v.found
}

/// One Adam step on the cross-entropy of two meshes moves every parameter of both
/// segmenters: the gradient reaches the encoder through unpooling and the skips, and the
/// learned vector of the dual nodes that vanished inside clusters. (Only the last block's dual
/// normalisation gets none: nothing reads its output. A dual attention's target vector may get
/// none either: its term is the same for every edge into a node, so it cancels in the softmax
/// whenever all of a node's scores lie on one side of LeakyReLU's kink — GAT's "static"
/// attention, which depends on the weights drawn; the weights here are drawn from a fixed seed.)
#[test]
fn gradients_reach_every_parameter_through_unpooling() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, data) = small_dataset();
    let device = Device::flex().autodiff();
    device.seed(7);
    let graphs: Vec<&PrimalDualGraph> = data.train[..2].iter().map(|s| &s.sample.graph).collect();
    let batch = PrimalDualBatch::new(&graphs).unwrap();
    let labels: Vec<i64> = data.train[..2]
        .iter()
        .flat_map(|s| s.truth.face_labels.iter().map(|&l| i64::from(l)))
        .collect();
    let n = labels.len();
    for kind in [SegmenterKind::UNet, SegmenterKind::Superpixel] {
        let net = tiny(&data, kind).init(&device).unwrap();
        let logits = net.forward(&batch, &device).unwrap();
        assert_eq!(logits.dims(), [n, data.parts.len()]);
        let target = Tensor::<1, Int>::from_data(TensorData::new(labels.clone(), [n]), &device);
        let loss = burn::nn::loss::CrossEntropyLossConfig::new()
            .init(&device)
            .forward(logits, target);
        let before = values(&net);
        // Running statistics move in the forward pass, not by steps; the last block's dual
        // stream is not read (the part scores are read from the faces).
        let unread = match kind {
            SegmenterKind::UNet => "decoder.0.after.dual_norm",
            SegmenterKind::Superpixel => "encoder.1.dual_norm",
        };
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        let net = AdamConfig::new().init().step(1e-2, net, grads);
        let after = values(&net);
        let still: Vec<&str> = before
            .iter()
            .zip(&after)
            .filter(|(b, _)| {
                !b.0.contains("running_")
                    && !b.0.starts_with(unread)
                    && !b.0.ends_with("dual.att_target")
            })
            .filter(|(b, a)| b.1 == a.1)
            .map(|(b, _)| b.0.as_str())
            .collect();
        assert!(still.is_empty(), "{kind:?}: {still:?} did not move");
    }
}

/// Both segmenters train on the engine (the loss falls), the superpixel segmenter gives every
/// face of a final cluster the same part, the metrics are fractions, and a saved run gives
/// back the same predictions.
#[test]
fn segmenters_train_score_and_reload() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (_tmp, data) = small_dataset();
    assert_eq!(
        (data.train.len(), data.test.len(), data.parts.len()),
        (6, 2, 4)
    );
    let schedule = FitSchedule {
        epochs: 6,
        lr: 1e-2,
        batch_size: 2,
        ..FitSchedule::default()
    };
    for kind in [SegmenterKind::UNet, SegmenterKind::Superpixel] {
        let model = tiny(&data, kind);
        let (net, history) = fit_segmenter(
            &model,
            &data,
            &schedule,
            &Checkpointing::default(),
            |_, _| {},
        )
        .unwrap();
        let loss = &history.train_loss;
        assert!(loss[loss.len() - 1] < loss[0], "{kind:?}: {loss:?}");
        let scores = score(&net, &data.test, data.parts.len()).unwrap();
        for v in [
            scores.face_accuracy,
            scores.area_face_accuracy,
            scores.edge_accuracy_hard,
            scores.edge_accuracy_soft,
            scores.mean_iou,
        ] {
            assert!((0.0..=1.0).contains(&v), "{kind:?}: {scores:?}");
        }
        assert_eq!(
            scores.faces,
            data.test
                .iter()
                .map(|s| s.truth.face_labels.len())
                .sum::<usize>()
        );
        let dir = tempfile::tempdir().unwrap();
        let run = SegmentRun {
            task: SEGMENT_TASK.into(),
            parts: data.parts.clone(),
            model: serde_json::to_value(&model).unwrap(),
            primal_stats: data.primal_stats.clone(),
            dual_stats: data.dual_stats.clone(),
            features: data.features,
            fit: schedule.clone(),
            history,
            scores,
            data: serde_json::json!({}),
        };
        run.save(&net, dir.path()).unwrap();
        let (_, again) = SegmentRun::load(dir.path()).unwrap();
        assert_eq!(
            segment(&again, &data.test).unwrap(),
            segment(&net, &data.test).unwrap()
        );
    }
}

/// A label file with a part out of range is refused with its name and line.
#[test]
fn a_bad_label_file_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    small_folder(tmp.path());
    let eseg = tmp.path().join("seg/104.eseg");
    let text = std::fs::read_to_string(&eseg).unwrap();
    let (_, rest) = text.split_once('\n').unwrap();
    std::fs::write(&eseg, format!("9\n{rest}")).unwrap();
    let e = SegmentDataset::load(tmp.path(), MeshFeatures::Log, || {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("104.eseg:1") && e.contains("part 9"), "{e}");
}

#[test]
fn runs_written_before_the_area_weighted_figure_was_named_still_read() {
    // Committed run of an older version: its history calls the area-weighted face accuracy
    // `test_accuracy`.
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/fixtures/runs/segment_aliens");
    let (run, _) = SegmentRun::load(&fixture).unwrap();
    let area = run.history.monitored(TEST_AREA_FACE_ACCURACY);
    assert_eq!(area.len(), 1);
    assert!(
        (area[0] - 0.254_535_715_330_941_8).abs() < 1e-15,
        "{area:?}"
    );
    assert!(run.history.monitored("test_accuracy").is_empty());
}
