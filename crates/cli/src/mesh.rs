//! `tessera mesh …`: triangle meshes for primal-dual networks.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::Subcommand;
use serde_json::json;
use tessera_mesh::{
    DualConfig, FeatureStats, Keep, MeshGraph, Shading, TriMesh, clean, cluster_faces, pd_features,
    read_mesh, render_png, write_obj,
};
use tessera_train::meshfit::{MeshRun, learned_clusters};

/// The mesh subcommands.
#[derive(Subcommand, Debug)]
pub enum MeshCommand {
    /// What a mesh holds and what cleaning changes: counts, boundary loops, components, Euler
    /// characteristic and genus, non-manifold edges and vertices, and the statistics of the
    /// PD-MeshNet input features (config A).
    ///
    /// Example: tessera mesh info ../shared/data/meshes/msb/ants/train/11.obj
    Info {
        /// An .obj or .ply file.
        file: PathBuf,
        /// Split polygons into triangles (fans) instead of refusing them.
        #[arg(long)]
        triangulate: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Draw the mesh to a PNG (a small software render from an oblique view): faces shaded by
    /// their normal, coloured by relative area, or by the clusters of `--keep` pooling.
    ///
    /// Example: tessera mesh view shape.obj -o shape.png --by clusters --keep 0.5
    View {
        /// An .obj or .ply file.
        file: PathBuf,
        /// The PNG to write.
        #[arg(short, long)]
        output: PathBuf,
        /// What the colours show.
        #[arg(long, value_enum, default_value = "normal")]
        by: ViewBy,
        /// Fraction of edges kept when colouring by clusters.
        #[arg(long, default_value_t = 0.5)]
        keep: f64,
        /// Image width and height in pixels.
        #[arg(long, default_value_t = 600)]
        size: u32,
        /// Split polygons into triangles.
        #[arg(long)]
        triangulate: bool,
        /// Which axis of the file points up in the picture: y (OBJ's usual convention, MeshCNN's
        /// sets) or z (CAD and scans, Blender's default).
        #[arg(long, value_enum, default_value = "y")]
        up: UpAxis,
        #[command(flatten)]
        overwrite: crate::output::OverwriteArg,
    },
    /// Cluster faces as PD-MeshNet's pooling does and write the mesh with one colour per cluster:
    /// a picture (`-o clusters.png`) or an OBJ with vertex colours for MeshLab or Blender
    /// (`-o clusters.obj`). With `--run`, a network trained by `tessera train mesh` chooses the
    /// clusters with its learned attention, as it does when classifying; without it the score
    /// of an edge is its flatness (−|α − π|): the flattest neighbours merge first.
    ///
    /// Examples:
    ///   tessera mesh pool mesh.obj --keep 0.5 --levels 2 -o clusters.obj
    ///   tessera mesh pool ../shared/data/meshes/msb/ants/test/17.obj --run runs/msb -o ant.png
    Pool {
        /// An .obj or .ply file.
        file: PathBuf,
        /// A mesh run folder: show the clusters its trained pooling makes.
        #[arg(long)]
        run: Option<PathBuf>,
        /// Fraction of primal edges kept at each level by flatness (PD-MeshNet's classifiers:
        /// 0.8); a trained run uses its own.
        #[arg(long, default_value_t = 0.8)]
        keep: f64,
        /// Pooling steps applied one after the other (default: 1 by flatness, all of a run's).
        #[arg(long)]
        levels: Option<usize>,
        /// The file to write: .png (a picture) or .obj (coloured vertices).
        #[arg(short, long)]
        output: PathBuf,
        /// Picture width and height in pixels.
        #[arg(long, default_value_t = 600)]
        size: u32,
        /// Split polygons into triangles.
        #[arg(long)]
        triangulate: bool,
    },
}

/// The axis that points up in a picture.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpAxis {
    /// +y up.
    Y,
    /// +z up.
    Z,
}

/// `mesh` turned so that `up` points up for the renderer (which draws +y up): z-up meshes are
/// turned by −90° about x, `(x, y, z) → (x, z, −y)`, a rotation, so faces keep their winding.
fn upright(mut mesh: TriMesh, up: UpAxis) -> TriMesh {
    if up == UpAxis::Z {
        for v in &mut mesh.vertices {
            *v = [v[0], v[2], -v[1]];
        }
    }
    mesh
}

/// What `tessera mesh view` colours faces by.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ViewBy {
    /// Grey, lit.
    Normal,
    /// Face area over mesh area (blue small, red large).
    Area,
    /// Clusters of one pooling step (flattest edges first).
    Clusters,
}

/// Runs one mesh subcommand.
pub fn run(cmd: MeshCommand, out: &mut impl Write) -> Result<()> {
    match cmd {
        MeshCommand::Info {
            file,
            triangulate,
            json,
        } => info(&file, triangulate, json, out),
        MeshCommand::Pool {
            file,
            run,
            keep,
            levels,
            output,
            size,
            triangulate,
        } => {
            let how = match run {
                Some(dir) => Clusters::Learned(dir),
                None => Clusters::Flat(keep),
            };
            pool(&file, &how, levels, &output, size, triangulate, out)
        }
        MeshCommand::View {
            file,
            output,
            by,
            keep,
            size,
            triangulate,
            up,
            overwrite,
        } => {
            overwrite.check(&output)?;
            view(&file, &output, by, keep, size, (triangulate, up), out)
        }
    }
}

fn view(
    file: &PathBuf,
    output: &PathBuf,
    by: ViewBy,
    keep: f64,
    size: u32,
    (triangulate, up): (bool, UpAxis),
    out: &mut impl Write,
) -> Result<()> {
    let name = file.display().to_string();
    let (mesh, _) = clean(&read_mesh(file, triangulate)?, &name)?;
    let mesh = upright(mesh, up);
    let shading = match by {
        ViewBy::Normal => Shading::Normal,
        ViewBy::Area => {
            let total = mesh.area();
            Shading::Values(
                (0..mesh.faces.len())
                    .map(|f| mesh.face_area(f) / total)
                    .collect(),
            )
        }
        ViewBy::Clusters => {
            let (clusters, _) = flat_clusters(&mesh, &name, keep, 1, &mut std::io::sink())?;
            Shading::Colors(clusters.iter().map(|&k| palette(k)).collect())
        }
    };
    render_png(&mesh, &shading, size, output)?;
    writeln!(out, "wrote {}", output.display())?;
    Ok(())
}

fn info(file: &PathBuf, triangulate: bool, as_json: bool, out: &mut impl Write) -> Result<()> {
    let name = file.display().to_string();
    let mesh = read_mesh(file, triangulate)?;
    let (cleaned, report) = clean(&mesh, &name)?;
    let graph = MeshGraph::new(&cleaned, &name)?;
    let feats = pd_features(&cleaned, &graph, DualConfig::SingleUndirected);
    let dual_stats = FeatureStats::fit(7, [feats.dual.as_slice()])?;
    let names = [
        "alpha",
        "k_min",
        "k_max",
        "r_bef_min_k",
        "r_bef_other",
        "r_aft_min_k",
        "r_aft_other",
    ];
    if as_json {
        let v = json!({
            "file": name,
            "report": report,
            "primal_nodes": graph.faces.num_faces,
            "primal_pairs": graph.faces.pairs.len(),
            "dual_edges_config_a": graph.faces.dual(DualConfig::SingleUndirected).edges.len(),
            "dual_features": names.iter().enumerate().map(|(i, n)| json!({"name": n, "mean": dual_stats.mean[i], "std": dual_stats.spread(i)})).collect::<Vec<_>>(),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(());
    }
    let t = &report.input;
    writeln!(out, "{name}")?;
    writeln!(
        out,
        "  vertices {}  faces {}  edges {}",
        t.vertices, t.faces, t.edges
    )?;
    writeln!(
        out,
        "  boundary edges {} in {} loop(s), components {}, Euler characteristic {}, genus {}",
        t.boundary_edges,
        t.boundary_loops,
        t.components,
        t.euler_characteristic,
        t.genus
            .map_or("- (not closed or not connected)".into(), |g| g.to_string())
    )?;
    writeln!(
        out,
        "  non-manifold edges {}, non-manifold vertices {}, degenerate faces {}",
        t.nonmanifold_edges, t.nonmanifold_vertices, t.degenerate_faces
    )?;
    if report.unchanged() {
        writeln!(out, "  cleaning: nothing to change")?;
    } else {
        writeln!(
            out,
            "  cleaning: merged {} vertices; turned over {} faces wound against their neighbours or inward; dropped {} faces with a repeated vertex, {} zero-area, {} duplicated, {} non-manifold or not orientable; removed {} unused vertices",
            report.merged_vertices,
            report.flipped_faces,
            report.repeated_vertex_faces,
            report.zero_area_faces,
            report.duplicate_faces,
            report.nonmanifold_faces,
            report.isolated_vertices
        )?;
    }
    writeln!(
        out,
        "  primal graph: {} nodes, {} adjacencies; dual (config A): {} nodes, {} edges",
        graph.faces.num_faces,
        graph.faces.pairs.len(),
        graph.faces.pairs.len(),
        graph.faces.dual(DualConfig::SingleUndirected).edges.len()
    )?;
    writeln!(out, "  dual features (mean ± std):")?;
    for (i, n) in names.iter().enumerate() {
        writeln!(
            out,
            "    {n:<12} {:>10.4} ± {:.4}",
            dual_stats.mean[i],
            dual_stats.spread(i)
        )?;
    }
    Ok(())
}

/// Who chooses the clusters of `tessera mesh pool`.
enum Clusters {
    /// Flatness, keeping this fraction of pairs per step.
    Flat(f64),
    /// The trained network of this run folder.
    Learned(PathBuf),
}

fn pool(
    file: &PathBuf,
    how: &Clusters,
    levels: Option<usize>,
    output: &PathBuf,
    size: u32,
    triangulate: bool,
    out: &mut impl Write,
) -> Result<()> {
    let name = file.display().to_string();
    let ext = output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("png" | "obj")) {
        bail!(
            "{}: write a .png picture or an .obj with coloured vertices",
            output.display()
        );
    }
    let (mesh, _) = clean(&read_mesh(file, triangulate)?, &name)?;
    let (face_to_cluster, clusters) = match how {
        Clusters::Flat(keep) => flat_clusters(&mesh, &name, *keep, levels.unwrap_or(1), out)?,
        Clusters::Learned(dir) => trained_clusters(file, dir, levels, out)?,
    };
    let colors: Vec<[u8; 3]> = face_to_cluster.iter().map(|&k| palette(k)).collect();
    if ext.as_deref() == Some("png") {
        render_png(&mesh, &Shading::Colors(colors), size, output)?;
    } else {
        write_obj(output, &mesh, Some(&colors))?;
    }
    writeln!(
        out,
        "wrote {} faces in {clusters} clusters to {}",
        mesh.faces.len(),
        output.display()
    )?;
    Ok(())
}

/// The clusters the trained network of run folder `dir` makes on `file` after `levels` of its
/// pooling steps (all by default); prints one line per step.
fn trained_clusters(
    file: &Path,
    dir: &Path,
    levels: Option<usize>,
    out: &mut impl Write,
) -> Result<(Vec<u32>, usize)> {
    let (run, net) = MeshRun::load(dir)?;
    let sample = run.sample(file)?;
    let mut steps = learned_clusters(&net, &sample)?;
    if steps.is_empty() {
        bail!(
            "{}: this network does not pool (keep 1 or pooling none)",
            dir.display()
        );
    }
    let n = levels.unwrap_or(steps.len());
    if n == 0 || n > steps.len() {
        bail!(
            "--levels {n}: the network of {} pools {} time(s)",
            dir.display(),
            steps.len()
        );
    }
    for (k, step) in steps.iter().take(n).enumerate() {
        let clusters = step.iter().max().map_or(0, |&m| m as usize + 1);
        writeln!(out, "level {}: {clusters} clusters (learned)", k + 1)?;
    }
    let last = steps.swap_remove(n - 1);
    let clusters = last.iter().max().map_or(0, |&m| m as usize + 1);
    Ok((last, clusters))
}

/// The cluster of every face after `levels` pooling steps scored by flatness, and the number
/// of clusters; prints one line per level.
fn flat_clusters(
    mesh: &tessera_mesh::TriMesh,
    name: &str,
    keep: f64,
    levels: usize,
    out: &mut impl Write,
) -> Result<(Vec<u32>, usize)> {
    let graph = MeshGraph::new(mesh, name)?;
    let feats = pd_features(mesh, &graph, DualConfig::SingleUndirected);
    // Flatness per pair; merged pairs average their scores, as pooled dual features do.
    let mut scores: Vec<f64> = feats
        .dual
        .chunks_exact(7)
        .map(|f| -(f[0] - std::f64::consts::PI).abs())
        .collect();
    let mut faces = graph.faces.clone();
    let mut face_to_cluster: Vec<u32> = (0..mesh.faces.len() as u32).collect();
    for level in 0..levels {
        let c = cluster_faces(&faces, &scores, Keep::Fraction(keep))?;
        for k in face_to_cluster.iter_mut() {
            *k = c.face_to_cluster[*k as usize];
        }
        scores = c.pool_pairs(&scores, 1, tessera_mesh::Aggregate::Mean);
        writeln!(
            out,
            "level {}: {} clusters, {} adjacencies",
            level + 1,
            c.graph.num_faces,
            c.graph.pairs.len()
        )?;
        faces = c.graph;
        if faces.pairs.is_empty() {
            break;
        }
    }
    Ok((face_to_cluster, faces.num_faces))
}

/// A well-spread colour for cluster `k` (golden-ratio hues).
fn palette(k: u32) -> [u8; 3] {
    let h = (k as f64 * 0.618_033_988_75).fract() * 6.0;
    let x = 1.0 - (h % 2.0 - 1.0).abs();
    let (r, g, b) = match h as u32 {
        0 => (1.0, x, 0.0),
        1 => (x, 1.0, 0.0),
        2 => (0.0, 1.0, x),
        3 => (0.0, x, 1.0),
        4 => (x, 0.0, 1.0),
        _ => (1.0, 0.0, x),
    };
    [r, g, b].map(|c| (60.0 + 180.0 * c) as u8)
}
