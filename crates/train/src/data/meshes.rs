//! Mesh classification data in MeshCNN's layout (`<root>/<class>/{train,test}/*.obj|ply`), as
//! PD-MeshNet reads it: every mesh cleaned (with its report), its faces and face pairs made into
//! a primal/dual pair in configuration A, PD-MeshNet's input features (relative face area;
//! dihedral angle and edge ratios per pair) z-scored with statistics of the training split.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tessera_gnn::graph::{Graph, PrimalDualGraph};
use tessera_mesh::{
    DualConfig, FeatureStats, MeshFolder, MeshGraph, Split, clean, pd_features, read_mesh,
};

use crate::error::{Result, TrainError};

/// One mesh, ready for the network.
#[derive(Clone, Debug)]
pub struct MeshSample {
    /// The file.
    pub path: PathBuf,
    /// Its class.
    pub class: usize,
    /// Faces, face pairs and their features.
    pub graph: PrimalDualGraph,
}

/// A mesh classification data set.
#[derive(Clone, Debug)]
pub struct MeshDataset {
    /// Class names (the folder names, sorted).
    pub classes: Vec<String>,
    /// Training meshes.
    pub train: Vec<MeshSample>,
    /// Test meshes.
    pub test: Vec<MeshSample>,
    /// Z-score statistics of the primal features (training split).
    pub primal_stats: FeatureStats,
    /// Z-score statistics of the dual features (training split).
    pub dual_stats: FeatureStats,
}

/// Features of one mesh before normalisation.
struct Raw {
    path: PathBuf,
    class: usize,
    split: Split,
    graph: MeshGraph,
    primal: Vec<f64>,
    dual: Vec<f64>,
}

fn prepare(path: &Path, class: usize, split: Split) -> Result<Raw> {
    let what = path.display().to_string();
    let mesh = read_mesh(path, true)?;
    let (mesh, _report) = clean(&mesh, &what)?;
    let graph = MeshGraph::new(&mesh, &what)?;
    let f = pd_features(&mesh, &graph, DualConfig::SingleUndirected);
    Ok(Raw {
        path: path.to_path_buf(),
        class,
        split,
        graph,
        primal: f.primal,
        dual: f.dual,
    })
}

fn to_sample(
    raw: Raw,
    primal_stats: &FeatureStats,
    dual_stats: &FeatureStats,
) -> Result<MeshSample> {
    let what = raw.path.display().to_string();
    let (mut p, mut d) = (raw.primal, raw.dual);
    primal_stats.apply(&mut p);
    dual_stats.apply(&mut d);
    let faces = &raw.graph.faces;
    let dual_graph = faces.dual(DualConfig::SingleUndirected);
    let f32s = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
    let primal = Graph::new(faces.num_faces, 1, f32s(p), faces.directed_edges(), &what)?;
    let dual = Graph::new(dual_graph.num_nodes, 7, f32s(d), dual_graph.edges, &what)?;
    Ok(MeshSample {
        path: raw.path,
        class: raw.class,
        graph: PrimalDualGraph::new(primal, dual, dual_graph.of_primal_edge, &what)?,
    })
}

/// One mesh file made ready for a trained network: read, cleaned, featurised and z-scored with
/// the network's training statistics (`class` is recorded as given).
///
/// # Errors
/// A mesh that cannot be read or has no face adjacency, naming the file.
pub fn mesh_sample(
    path: &Path,
    class: usize,
    primal_stats: &FeatureStats,
    dual_stats: &FeatureStats,
) -> Result<MeshSample> {
    to_sample(prepare(path, class, Split::Test)?, primal_stats, dual_stats)
}

impl MeshDataset {
    /// Reads, cleans and featurises every mesh of `root` (in parallel); `progress()` is called
    /// once per mesh.
    ///
    /// # Errors
    /// A missing folder or one without class folders, a class without training meshes, a mesh
    /// that cannot be read or has no face adjacency; each names the file.
    pub fn load(root: &Path, progress: impl Fn() + Sync) -> Result<Self> {
        let folder = MeshFolder::open(root)?;
        for (c, name) in folder.classes.iter().enumerate() {
            if !folder.split(Split::Train).any(|i| i.class == c) {
                return Err(TrainError::Data {
                    path: root.join(name).join("train"),
                    line: None,
                    message: "no training meshes (.obj or .ply) for this class".into(),
                });
            }
        }
        let raw: Vec<Raw> = folder
            .items
            .par_iter()
            .map(|item| {
                let r = prepare(&item.path, item.class, item.split);
                progress();
                r
            })
            .collect::<Result<_>>()?;
        let train = || raw.iter().filter(|r| r.split == Split::Train);
        let primal_stats = FeatureStats::fit(1, train().map(|r| r.primal.as_slice()))?;
        let dual_stats = FeatureStats::fit(7, train().map(|r| r.dual.as_slice()))?;
        let (mut train_set, mut test_set) = (Vec::new(), Vec::new());
        for r in raw {
            let split = r.split;
            let s = to_sample(r, &primal_stats, &dual_stats)?;
            match split {
                Split::Train => train_set.push(s),
                Split::Test => test_set.push(s),
            }
        }
        Ok(MeshDataset {
            classes: folder.classes,
            train: train_set,
            test: test_set,
            primal_stats,
            dual_stats,
        })
    }
}
