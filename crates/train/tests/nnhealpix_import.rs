//! `tessera_train::nnhealpix`: small NNhealpix models in Keras's HDF5 layout (made by
//! `scripts/golden/nnhealpix_keras_fixture.py`, see data/PROVENANCE.md) imported, saved as run
//! folders, loaded back and run on NESTED maps: the class probabilities equal the Keras
//! model's on the same maps in RING order, to 1e-5.

use std::path::{Path, PathBuf};

use serde_json::Value;
use tessera_healpix::Healpix;
use tessera_train::data::{MapFields, MapSet, MapTargets};
use tessera_train::engine::History;
use tessera_train::models::SphereReadout;
use tessera_train::nnhealpix::import_nnhealpix;
use tessera_train::schedule::FitSchedule;
use tessera_train::sphere::{Normalisation, SphereRun, predict};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nnhealpix")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(fixtures().join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The fixture's RING maps as a NESTED map set.
fn nested_maps(e: &Value) -> MapSet {
    let nside = e["nside"].as_u64().unwrap();
    let hp = Healpix::nested(nside).unwrap();
    let rings: Vec<Vec<f64>> = serde_json::from_value(e["maps_ring"].clone()).unwrap();
    let mut maps = Vec::new();
    for ring in &rings {
        for q in 0..hp.npix() {
            maps.push(ring[hp.nest2ring(q).unwrap() as usize] as f32);
        }
    }
    MapSet {
        nside,
        channels: 1,
        maps,
        targets: MapTargets::Classes {
            labels: vec![0; rings.len()],
            names: vec!["a".into(), "b".into(), "c".into()],
        },
        ids: (0..rings.len()).map(|i| format!("map-{i}")).collect(),
    }
}

/// Imports `file`, saves and reloads it as a run folder, and compares its probabilities.
fn check(file: &str) -> Vec<String> {
    let e = expected();
    let imported = import_nnhealpix(&fixtures().join(file)).unwrap();
    assert!(imported.classification, "{file}: a softmax model");
    assert_eq!(imported.config.readout, SphereReadout::Flatten);
    let run = SphereRun {
        task: "imported".into(),
        model: serde_json::to_value(&imported.config).unwrap(),
        fields: MapFields::T,
        mask_channel: false,
        target_names: vec!["a".into(), "b".into(), "c".into()],
        classification: true,
        normalisation: Normalisation {
            channel_mean: vec![0.0],
            channel_scale: vec![1.0],
            target_mean: vec![],
            target_scale: vec![],
        },
        fit: FitSchedule::default(),
        history: History::default(),
        data: Value::Null,
        inputs: Default::default(),
    };
    let dir = tempfile::tempdir().unwrap();
    run.save(&imported.net, dir.path()).unwrap();
    let (run, net) = SphereRun::load(dir.path()).unwrap();
    let config = run.model_config().unwrap();
    let set = nested_maps(&e);
    let got = predict(&net, &config, &set, &run.normalisation, 2)
        .unwrap()
        .outputs;
    let want: Vec<Vec<f64>> = serde_json::from_value(e["models"][file].clone()).unwrap();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        for (k, (a, b)) in g.iter().zip(w).enumerate() {
            assert!(
                (a - b).abs() < 1e-5,
                "{file}: map {i} class {k}: {a} vs {b}"
            );
        }
    }
    // The maps are told apart: a check that a constant output could not pass.
    let spread = (0..3).any(|k| (want[0][k] - want[1][k]).abs() > 1e-3);
    assert!(spread, "{file}: the fixture's outputs differ between maps");
    imported.layers
}

/// Keras 2's layout: gather indices in the OrderMap configs, centre in the middle of the
/// stencil, max pooling, activations as layers, Flatten channels-last.
#[test]
fn a_keras2_nnhealpix_model_reproduces_its_outputs() {
    let layers = check("tiny_keras2.h5");
    assert!(
        layers.iter().any(|l| l.contains("Max pooling")),
        "{layers:?}"
    );
}

/// TensorFlow 2's layout: gather indices as OrderMap weights, centre first and −1 for missing
/// neighbours, average pooling, activations inside Dense, Flatten channels-first.
#[test]
fn a_tf2_nnhealpix_model_reproduces_its_outputs() {
    let layers = check("tiny_tf2.h5");
    assert!(
        layers.iter().any(|l| l.contains("Mean pooling")),
        "{layers:?}"
    );
    assert!(
        layers
            .iter()
            .any(|l| l.contains("[4, 0, 1, 2, 3, 5, 6, 7, 8]")),
        "centre-first slots matched: {layers:?}"
    );
}

/// A stencil gather with two neighbours of one pixel swapped is not NNhealpix's stencil: refused
/// with the layer named, rather than imported as a network that computes something else.
#[test]
fn a_wrong_stencil_is_refused() {
    let path = fixtures().join("tiny_bad_stencil.h5");
    let err = import_nnhealpix(&path).unwrap_err().to_string();
    assert!(err.contains("tiny_bad_stencil.h5"), "{err}");
    assert!(
        err.contains("order_map_1") && err.contains("stencil"),
        "{err}"
    );
}

/// A file that is not HDF5, and an HDF5 file that is not a Keras model, are named and refused.
#[test]
fn files_that_are_not_keras_models_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("model.h5");
    std::fs::write(&text, "not an HDF5 file at all").unwrap();
    let err = import_nnhealpix(&text).unwrap_err().to_string();
    assert!(err.contains("model.h5") && err.contains("HDF5"), "{err}");
    let missing = dir.path().join("absent.h5");
    let err = import_nnhealpix(&missing).unwrap_err().to_string();
    assert!(err.contains("absent.h5"), "{err}");
}
