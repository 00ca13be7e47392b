//! A caller can tell failures apart by their variant and read the values in them, without
//! parsing messages; and causes stay reachable through `source()`.

use std::error::Error;
use std::path::PathBuf;

use burn::prelude::Device;
use tessera_train::data::{TuDataset, TuOptions};
use tessera_train::fit::{FitConfig, cross_validate};
use tessera_train::models::{
    GinClassifierConfig, HarmonicFields, MAX_HARMONIC_NSIDE, PdMeshNetConfig, SPHERE_CNN_NSIDE_MAX,
    SphereCnnConfig, harmonic_projector,
};
use tessera_train::plots::{PlotError, plot_confusion};
use tessera_train::schedule::{FitSchedule, ScheduleError};
use tessera_train::{ConfigProblem, TrainError};

fn mutag() -> TuDataset {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/graphs/MUTAG");
    TuDataset::load(dir, TuOptions::default()).unwrap()
}

#[test]
fn nside_too_large_carries_the_nside_and_the_limit() {
    let nside = SPHERE_CNN_NSIDE_MAX * 2;
    let e = SphereCnnConfig::new(nside, 1, 2)
        .init(&Device::flex())
        .err()
        .unwrap();
    let TrainError::NsideTooLarge { nside: n, max, .. } = e else {
        panic!("{e:?}");
    };
    assert_eq!((n, max), (nside, SPHERE_CNN_NSIDE_MAX));
    let e = harmonic_projector(32, HarmonicFields::Scalar)
        .err()
        .unwrap();
    assert!(
        matches!(e, TrainError::NsideTooLarge { nside: 32, max, .. } if max == MAX_HARMONIC_NSIDE),
        "{e:?}"
    );
}

#[test]
fn a_batch_size_of_zero_and_too_few_folds_are_told_apart() {
    let data = mutag();
    let model = GinClassifierConfig::new(data.features(), data.num_classes());
    let no_batch = FitConfig {
        folds: 10,
        schedule: FitSchedule {
            batch_size: 0,
            ..FitConfig::default().schedule
        },
    };
    let e = cross_validate(&data, &model, &no_batch, |_, _, _| {})
        .err()
        .unwrap();
    assert!(
        matches!(e, TrainError::Schedule(ScheduleError::ZeroBatchSize)),
        "{e:?}"
    );
    let one_fold = FitConfig {
        folds: 1,
        ..FitConfig::default()
    };
    let e = cross_validate(&data, &model, &one_fold, |_, _, _| {})
        .err()
        .unwrap();
    assert!(
        matches!(
            e,
            TrainError::TooFew {
                unit: "folds",
                found: 1,
                needed: 2,
                ..
            }
        ),
        "{e:?}"
    );
    let wrong_width = GinClassifierConfig::new(data.features() + 1, data.num_classes());
    let e = cross_validate(&data, &wrong_width, &FitConfig::default(), |_, _, _| {})
        .err()
        .unwrap();
    assert!(
        matches!(
            e,
            TrainError::SizeMismatch {
                found: 7,
                needed: 8,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_bad_model_configuration_names_its_problem_and_keeps_the_json_error() {
    let e = PdMeshNetConfig::from_json(&serde_json::json!([1, 2]), "model.json")
        .err()
        .unwrap();
    assert!(
        matches!(&e, TrainError::ModelConfig { what, problem: ConfigProblem::NotAnObject } if what == "model.json"),
        "{e:?}"
    );
    let e = PdMeshNetConfig::from_json(
        &serde_json::json!({"d_primal": 1, "d_dual": 7, "classes": 3, "dropout": 2.0}),
        "model.json",
    )
    .err()
    .unwrap();
    assert!(
        matches!(
            &e,
            TrainError::ModelConfig {
                problem: ConfigProblem::Dropout(p),
                ..
            } if *p == 2.0
        ),
        "{e:?}"
    );
    let e = PdMeshNetConfig::from_json(
        &serde_json::json!({"d_primal": "one", "d_dual": 7, "classes": 3}),
        "model.json",
    )
    .err()
    .unwrap();
    let json = e.source().and_then(|s| s.source());
    assert!(
        json.is_some_and(|j| j.is::<serde_json::Error>()),
        "the parser's error is kept as the source: {e:?}"
    );
}

#[test]
fn a_picture_that_cannot_be_drawn_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let e = plot_confusion(
        &[vec![1, 2], vec![3, 4]],
        &["a".to_string()],
        &dir.path().join("c.png"),
        "c",
    )
    .err()
    .unwrap();
    assert!(
        matches!(
            e,
            TrainError::Plot(PlotError::NotSquare { rows: 2, labels: 1 })
        ),
        "{e:?}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
