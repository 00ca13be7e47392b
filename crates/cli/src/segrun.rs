//! `tessera predict` and `tessera eval` with a segmentation run (`tessera train mesh --task
//! segment`): the parts of one mesh as labels, a coloured mesh or a picture; the metrics on a
//! COSEG-layout folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde_json::{Value, json};
use tessera_mesh::{MeshReport, Shading, Split, render_png, write_obj, write_ply};
use tessera_train::data::SegmentDataset;
use tessera_train::segfit::{SegmentRun, scores_of, segment};

use crate::sim::write_text;

/// A colour per part, distinct for the first ten (matplotlib's tab10).
pub fn part_colour(part: u16) -> [u8; 3] {
    const COLOURS: [[u8; 3]; 10] = [
        [31, 119, 180],
        [255, 127, 14],
        [44, 160, 44],
        [214, 39, 40],
        [148, 103, 189],
        [140, 86, 75],
        [227, 119, 194],
        [127, 127, 127],
        [188, 189, 34],
        [23, 190, 207],
    ];
    COLOURS[part as usize % COLOURS.len()]
}

/// One line on what cleaning changed.
pub fn cleaning_summary(report: &MeshReport) -> String {
    if report.unchanged() {
        return "cleaning changed nothing".into();
    }
    format!(
        "cleaning turned {} faces over, dropped {} (of {}) and merged {} vertices",
        report.flipped_faces,
        report.input.faces - report.output.faces,
        report.input.faces,
        report.merged_vertices
    )
}

/// `tessera predict RUN MESH -o OUT` for a segmentation run: OUT.txt holds the part of every
/// face of the file (1-based, 0 for a face cleaning dropped), OUT.ply and OUT.obj the cleaned
/// mesh coloured by part, OUT.png a picture of it.
pub fn predict(run_dir: &Path, meshes: &[PathBuf], output: &Path) -> Result<String> {
    let [mesh] = meshes else {
        bail!(
            "a segmentation run labels one mesh per call ({} given)",
            meshes.len()
        );
    };
    let (run, net) = SegmentRun::load(run_dir)?;
    let p = run.predict_file(&net, mesh)?;
    let colours: Vec<[u8; 3]> = p.parts.iter().map(|&l| part_colour(l)).collect();
    let extension = output
        .extension()
        .and_then(|x| x.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("txt") => {
            let text: String = p.file_labels().iter().map(|l| format!("{l}\n")).collect();
            write_text(output, &text)?;
        }
        Some("ply") => write_ply(output, &p.mesh, Some(&colours))?,
        Some("obj") => write_obj(output, &p.mesh, Some(&colours))?,
        Some("png") => render_png(&p.mesh, &Shading::Colors(colours), 640, output)?,
        _ => bail!(
            "{}: write the parts as .txt (one per face of the file), .ply or .obj (coloured \
             mesh) or .png (picture)",
            output.display()
        ),
    }
    let mut count = vec![0usize; run.parts.len()];
    p.parts.iter().for_each(|&l| count[l as usize] += 1);
    let parts: Vec<String> = run
        .parts
        .iter()
        .zip(&count)
        .map(|(name, n)| format!("{name}: {n}"))
        .collect();
    Ok(format!(
        "{}: {}; faces per part {}; → {}",
        mesh.display(),
        cleaning_summary(&p.report),
        parts.join(", "),
        output.display()
    ))
}

/// `tessera eval RUN --data DIR` for a segmentation run: the metrics on the folder's test
/// meshes (or `split`), standardised with the run's statistics.
pub fn eval(
    run_dir: &Path,
    data: &[PathBuf],
    split: Option<Split>,
    out: &mut impl Write,
) -> Result<Value> {
    let (run, net) = SegmentRun::load(run_dir)?;
    let root = match data {
        [root] => root.clone(),
        [] => bail!("{}", crate::eval::data_needed(run_dir, &run.data, "folder")),
        _ => bail!("a segmentation run is scored on one COSEG-layout folder (--data DIR)"),
    };
    let stats = (run.primal_stats.clone(), run.dual_stats.clone());
    let set = SegmentDataset::load_with(&root, run.features, Some(stats), || {})?;
    if set.parts.len() != run.parts.len() {
        bail!(
            "{}: {} parts; the run segments into {}",
            root.display(),
            set.parts.len(),
            run.parts.len()
        );
    }
    let samples: Vec<_> = match split {
        Some(Split::Train) => set.train,
        Some(Split::Test) => set.test,
        None => set.train.into_iter().chain(set.test).collect(),
    };
    let s = scores_of(&samples, &segment(&net, &samples)?, run.parts.len());
    writeln!(out, "{} meshes, {} faces", s.meshes, s.faces)?;
    for (name, v) in [
        (
            "area-weighted face accuracy (PD-MeshNet)",
            s.area_face_accuracy,
        ),
        ("face accuracy", s.face_accuracy),
        ("edge accuracy, hard labels (MeshCNN)", s.edge_accuracy_hard),
        ("edge accuracy, soft labels (MeshCNN)", s.edge_accuracy_soft),
    ] {
        writeln!(out, "{name:<42} {:>7.2} %", 100.0 * v)?;
    }
    for (name, iou) in run.parts.iter().zip(&s.part_iou) {
        let iou = iou.map_or_else(|| "–".to_string(), |v| format!("{v:.3}"));
        writeln!(out, "IoU of part {name:<30} {iou:>7}")?;
    }
    writeln!(out, "{:<42} {:>7.3}", "mean IoU", s.mean_iou)?;
    Ok(json!({"run": run_dir, "data": root, "metrics": s}))
}
