//! `tessera train mesh --task segment`: PD-MeshNet's segmenters on a COSEG-layout folder.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use serde_json::json;
use tessera_mesh::segmentation::{SegmentationScores, read_segmented};
use tessera_mesh::{Shading, render_png_row};
use tessera_train::data::{MeshFeatures, SegmentDataset, SegmentSample};
use tessera_train::engine::History;
use tessera_train::models::{PdMeshSegmenterConfig, SegmenterKind};
use tessera_train::segfit::{
    SEGMENT_TASK, SegmentRun, TEST_AREA_FACE_ACCURACY, fit_segmenter, scores_of, segment,
};
use tessera_train::{CLEANING_FILE, RunFolder};

use crate::meshtrain::{MeshTrainArgs, SegmenterArg};
use crate::progress::EpochProgress;
use crate::segrun::part_colour;

/// Test meshes drawn as pictures (true and predicted parts).
const PICTURES: usize = 6;

/// The segmenter from the flags, with the paper's defaults for its kind.
fn model_config(a: &MeshTrainArgs, features: MeshFeatures, parts: usize) -> PdMeshSegmenterConfig {
    let (kind, channels, keep) = match a.segmenter {
        SegmenterArg::Unet => (SegmenterKind::UNet, vec![32, 64, 128], 0.7),
        SegmenterArg::Superpixel => (SegmenterKind::Superpixel, vec![64, 96], 0.8),
    };
    PdMeshSegmenterConfig::new(features.primal_channels(), features.dual_channels(), parts)
        .with_kind(kind)
        .with_channels(a.channels.clone().unwrap_or(channels))
        .with_heads(a.heads.unwrap_or(1))
        .with_keep(a.keep.unwrap_or(keep))
        .with_residual(!a.plain)
        .with_norm_groups(a.norm_groups.unwrap_or(1))
}

/// Writes `parts/NAME.png` for the first test meshes: true parts (left) and predicted (right).
fn draw_parts(
    samples: &[SegmentSample],
    predicted: &[Vec<u16>],
    parts: usize,
    dir: &Path,
) -> Result<()> {
    let pictures = dir.join("parts");
    std::fs::create_dir_all(&pictures)
        .with_context(|| format!("creating {}", pictures.display()))?;
    for (s, p) in samples.iter().zip(predicted).take(PICTURES) {
        let mesh = read_segmented(&s.sample.path, parts)?.mesh;
        let name = s
            .sample
            .path
            .file_stem()
            .map_or_else(|| "mesh".to_string(), |n| n.to_string_lossy().into_owned());
        let shading =
            |labels: &[u16]| Shading::Colors(labels.iter().map(|&l| part_colour(l)).collect());
        render_png_row(
            &mesh,
            &[shading(&s.truth.face_labels), shading(p)],
            480,
            pictures.join(format!("{name}.png")),
        )?;
    }
    Ok(())
}

/// `predictions.csv`: face accuracy per test mesh.
fn write_predictions(
    folder: &RunFolder,
    samples: &[SegmentSample],
    predicted: &[Vec<u16>],
) -> Result<()> {
    let mut csv = String::from("file,faces,face_accuracy\n");
    for (s, p) in samples.iter().zip(predicted) {
        let right = p
            .iter()
            .zip(&s.truth.face_labels)
            .filter(|(a, b)| a == b)
            .count();
        csv.push_str(&format!(
            "{},{},{:.5}\n",
            s.sample.path.display(),
            p.len(),
            right as f64 / p.len().max(1) as f64
        ));
    }
    Ok(folder.write_predictions(&csv)?)
}

/// `history.csv`, `report.json` (the scores) and the curves of a segmentation run.
pub fn write_figures(
    folder: &RunFolder,
    history: &History,
    scores: &SegmentationScores,
) -> Result<()> {
    folder.write_history(history)?;
    folder.write_report(scores)?;
    history.plot_loss(
        &[],
        &folder.file("loss.png"),
        "PD-MeshNet segmentation — loss",
        "cross-entropy",
    )?;
    history.plot_monitored(
        TEST_AREA_FACE_ACCURACY,
        None,
        &folder.file("accuracy.png"),
        "PD-MeshNet segmentation — after each epoch",
        "test area-weighted face accuracy",
    )?;
    Ok(())
}

/// Runs `tessera train mesh --task segment`.
pub fn run(
    a: &MeshTrainArgs,
    folder: &RunFolder,
    features: MeshFeatures,
    out: &mut impl Write,
) -> Result<()> {
    let reading = ProgressBar::new_spinner();
    reading.set_message("reading meshes and part labels");
    let data = SegmentDataset::load(&a.data, features, || reading.tick())?;
    reading.finish_and_clear();
    let all = || data.train.iter().chain(&data.test);
    writeln!(
        out,
        "{} training and {} test meshes, {} parts; {}",
        data.train.len(),
        data.test.len(),
        data.parts.len(),
        crate::cleaning::summary(all().map(|s| &s.report))
    )?;
    let model = model_config(a, features, data.parts.len());
    let settings = json!({"data": a.data, "features": features, "model": model});
    let (cfg, ckpt) = a.start(folder, settings)?;
    let progress = EpochProgress::new(a.epochs);
    let (net, history) = fit_segmenter(&model, &data, &cfg, &ckpt, |epoch, h| {
        progress.epoch_done(
            epoch,
            format!(
                "loss {:.4}, test area-weighted face accuracy {:.4}",
                h.train_loss[epoch],
                h.last_monitored(TEST_AREA_FACE_ACCURACY)
            ),
            h.seconds[epoch],
        );
    })?;
    progress.finish();
    let predicted = segment(&net, &data.test)?;
    let scores = scores_of(&data.test, &predicted, data.parts.len());
    write_predictions(folder, &data.test, &predicted)?;
    write_figures(folder, &history, &scores)?;
    crate::cleaning::write_csv(
        &folder.file(CLEANING_FILE),
        all().map(|s| (&s.sample.path, &s.report)),
    )?;
    draw_parts(&data.test, &predicted, data.parts.len(), folder.dir())?;
    let run = SegmentRun {
        task: SEGMENT_TASK.into(),
        parts: data.parts.clone(),
        model: serde_json::to_value(&model)?,
        primal_stats: data.primal_stats.clone(),
        dual_stats: data.dual_stats.clone(),
        features,
        fit: cfg,
        history,
        scores: scores.clone(),
        data: json!({"folder": a.data, "train_meshes": data.train.len(), "test_meshes": data.test.len()}),
    };
    run.save(&net, folder.dir())?;
    crate::progress::report_best_epoch(out, run.history.best_epoch)?;
    writeln!(
        out,
        "{}; run written to {}",
        scores_line(&scores),
        a.output.display()
    )?;
    Ok(())
}

/// The test scores of a segmentation run, in one line.
pub fn scores_line(scores: &SegmentationScores) -> String {
    format!(
        "test meshes: area-weighted face accuracy {:.2} %, face accuracy {:.2} %, edge accuracy \
         {:.2} % (hard labels) / {:.2} % (soft), mean part IoU {:.3}",
        100.0 * scores.area_face_accuracy,
        100.0 * scores.face_accuracy,
        100.0 * scores.edge_accuracy_hard,
        100.0 * scores.edge_accuracy_soft,
        scores.mean_iou,
    )
}
