//! PD-MeshNet cost against mesh size, and its training cost on MSB (issue "Primal-dual mesh
//! networks end to end", performance section). The original PyTorch PD-MeshNet cannot run here
//! (it needs PyMesh); `bench/pdmesh_vs_torch.py` compares `train` with a PyTorch twin of the same
//! network that reads the inputs `export` writes.
//!
//! Usage:
//! - `mesh_timing scaling OUT_DIR` — tori of 500 to 50 000 faces (vertices moved by a fixed
//!   pseudo-random pattern so that features and attention differ between pairs), through the
//!   paper's classifier (channels [64, 128], 3 heads, keep 0.8, untrained): median seconds to
//!   prepare a mesh (read the OBJ, clean, graph, features) and to classify it (forward pass with
//!   pooling), meshes per second, peak resident memory so far; writes `OUT_DIR/scaling.json` and
//!   the log–log plot `OUT_DIR/mesh_scaling.png`.
//! - `mesh_timing train MSB_DIR EPOCHS` — the paper's classifier trained on the folder: median
//!   seconds per epoch and peak resident memory.
//! - `mesh_timing export MSB_DIR OUT.json` — the training split as `train` reads it (log
//!   features, z-scored; face pairs), for `bench/pdmesh_vs_torch.py`'s PyTorch twin.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tessera_bench::{median_time, peak_rss_mb};
use tessera_mesh::{FeatureStats, TriMesh, generate, write_obj};
use tessera_train::data::{MeshAugment, MeshDataset, MeshFeatures, mesh_sample};
use tessera_train::meshfit::{classify, fit_mesh};
use tessera_train::models::{MeshPooling, PdMeshNetConfig};
use tessera_train::plots::plot_scaling;
use tessera_train::sphere::FitSchedule;

/// A torus with `2nm` faces, its vertices moved by up to 2 % of the tube radius.
fn bumpy_torus(n: u32, m: u32) -> TriMesh {
    let mut t = generate::torus(n, m);
    for (i, v) in t.vertices.iter_mut().enumerate() {
        for (k, c) in v.iter_mut().enumerate() {
            *c += 0.006 * (((i * 3 + k) as f64 * 0.618_033_988_75).fract() - 0.5);
        }
    }
    t
}

fn scaling(out_dir: &std::path::Path) -> Result<Value> {
    std::fs::create_dir_all(out_dir)?;
    let tmp = tempfile::tempdir()?;
    let primal_stats = FeatureStats {
        mean: vec![0.0],
        std: vec![1.0],
        count: 1,
        constant: vec![false],
    };
    let dual_stats = FeatureStats {
        mean: vec![std::f64::consts::PI, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        std: vec![1.0; 7],
        count: 1,
        constant: vec![false; 7],
    };
    let device = burn::prelude::Device::flex();
    let net = PdMeshNetConfig::new(1, 7, 10).init(&device)?;
    let flat = PdMeshNetConfig::new(1, 7, 10)
        .with_pooling(MeshPooling::None)
        .init(&device)?;
    let mut rows = Vec::new();
    let (mut prep_pts, mut net_pts, mut flat_pts) = (Vec::new(), Vec::new(), Vec::new());
    for (n, m) in [(25, 10), (50, 20), (100, 40), (160, 64), (250, 100)] {
        let path = tmp.path().join(format!("torus_{n}_{m}.obj"));
        write_obj(&path, &bumpy_torus(n, m), None)?;
        let repeats = if n * m > 5000 { 3 } else { 7 };
        let (prep, sample) = median_time(repeats, || {
            mesh_sample(&path, 0, MeshFeatures::Paper, &primal_stats, &dual_stats)
        });
        let sample = sample?;
        let faces = sample.graph.primal.num_nodes as f64;
        let (forward, p) =
            median_time(repeats, || classify(&net, std::slice::from_ref(&sample), 1));
        p?;
        let (unpooled, p) = median_time(repeats, || {
            classify(&flat, std::slice::from_ref(&sample), 1)
        });
        p?;
        let rss = peak_rss_mb();
        eprintln!(
            "{faces} faces: prepare {prep:.4} s, classify {forward:.4} s ({unpooled:.4} s \
             without pooling), peak {rss:.0} MB"
        );
        prep_pts.push((faces, prep));
        net_pts.push((faces, forward));
        flat_pts.push((faces, unpooled));
        rows.push(json!({
            "faces": faces,
            "prepare_s": prep,
            "classify_s": forward,
            "classify_without_pooling_s": unpooled,
            "meshes_per_s": 1.0 / (prep + forward),
            "classify_us_per_face": 1e6 * forward / faces,
            "peak_rss_mb": rss,
        }));
    }
    plot_scaling(
        &[
            ("classify (forward + pooling)".into(), net_pts),
            ("classify, no pooling".into(), flat_pts),
            ("prepare (read, clean, features)".into(), prep_pts),
        ],
        &out_dir.join("mesh_scaling.png"),
        "PD-MeshNet inference cost against mesh size",
        "faces",
        "seconds per mesh (median)",
    )?;
    let v = json!({ "scaling": rows });
    std::fs::write(
        out_dir.join("scaling.json"),
        serde_json::to_string_pretty(&v)?,
    )?;
    Ok(v)
}

fn train(dir: &std::path::Path, epochs: usize) -> Result<Value> {
    let data = MeshDataset::load(dir, MeshFeatures::Log, || {})?;
    let model = PdMeshNetConfig::new(1, 7, data.classes.len());
    let cfg = FitSchedule {
        epochs,
        batch_size: 8,
        lr: 1e-3,
        final_lr_fraction: 0.02,
        seed: 0,
        ..FitSchedule::default()
    };
    let (_, history) = fit_mesh(
        &model,
        &data,
        &cfg,
        &MeshAugment::NONE,
        &Default::default(),
        |_, _| {},
    )?;
    let mut s = history.seconds.clone();
    s.sort_by(f64::total_cmp);
    Ok(json!({
        "train_meshes": data.train.len(),
        "epochs": epochs,
        "seconds_per_epoch_median": s[s.len() / 2],
        "peak_rss_mb": peak_rss_mb(),
    }))
}

/// The training split's z-scored features and face pairs, so that another implementation
/// trains on exactly the same inputs.
fn export(dir: &std::path::Path, out: &std::path::Path) -> Result<Value> {
    let data = MeshDataset::load(dir, MeshFeatures::Log, || {})?;
    let meshes: Vec<Value> = data
        .train
        .iter()
        .map(|s| {
            let g = &s.graph;
            // Configuration A: primal edges come as i → j, j → i per pair, pair k = dual node k.
            let pairs: Vec<[u32; 2]> = g.primal.edges.iter().step_by(2).copied().collect();
            json!({
                "class": s.class,
                "faces": g.primal.num_nodes,
                "primal": g.primal.x,
                "dual": g.dual.x,
                "pairs": pairs,
            })
        })
        .collect();
    let v = json!({
        "classes": data.classes.len(),
        "primal_features": data.train[0].graph.primal.features,
        "dual_features": data.train[0].graph.dual.features,
        "meshes": meshes,
    });
    std::fs::write(out, serde_json::to_string(&v)?)?;
    Ok(json!({ "meshes": data.train.len(), "written": out.display().to_string() }))
}

fn main() -> Result<()> {
    tessera_bench::keep_freed_memory_warm();
    let usage = "usage: mesh_timing scaling OUT_DIR | mesh_timing train MSB_DIR EPOCHS | \
                 mesh_timing export MSB_DIR OUT.json";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let v = match args.first().map(String::as_str) {
        Some("scaling") => scaling(args.get(1).context(usage)?.as_ref())?,
        Some("train") => train(
            args.get(1).context(usage)?.as_ref(),
            args.get(2).context(usage)?.parse()?,
        )?,
        Some("export") => export(
            args.get(1).context(usage)?.as_ref(),
            args.get(2).context(usage)?.as_ref(),
        )?,
        _ => bail!(usage),
    };
    println!("{}", serde_json::to_string(&v)?);
    Ok(())
}
