//! Mesh classification data in MeshCNN's layout (`<root>/<class>/{train,test}/*.obj|ply`), as
//! PD-MeshNet reads it: every mesh cleaned (with its report), its faces and face pairs made into
//! a primal/dual pair in configuration A, PD-MeshNet's input features (relative face area;
//! dihedral angle and edge ratios per pair) z-scored with statistics of the training split.
//! Optional augmentation redraws the training meshes each epoch (curvature smoothing, smooth
//! bend, random rotation, per-axis scaling, vertex jitter), recomputes their features with
//! the same statistics and may hide those of a patch of faces (cutout).

use std::path::{Path, PathBuf};

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use tessera_gnn::graph::{Graph, PrimalDualGraph};
use tessera_mesh::{
    CONTEXT_CHANNELS, DualConfig, FLOW_CHANNELS, FeatureStats, MeshFolder, MeshGraph,
    PLACEMENT_CHANNELS, Split, THICKNESS_CHANNELS, TriMesh, clean, face_context, face_flow,
    face_placement, face_thickness, pd_features, read_mesh,
};

use tessera_mesh::augment::cutout::{face_patch, hide};
use tessera_mesh::{MeshAugment, MeshReport};

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

/// How PD-MeshNet's raw input features are transformed before z-scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum MeshFeatures {
    /// As the paper computes them.
    Paper,
    /// The logarithm of the ratio features (relative area; edge-to-height and edge-length
    /// ratios), the angle as it is. Sliver triangles make the ratios heavy-tailed (on the Cube
    /// Engraving meshes `k_max` has a mean of 6·10¹⁰ and a standard deviation of 10¹³), which
    /// a z-score then squashes to a constant for every ordinary face; their logarithms are
    /// well spread.
    #[default]
    Log,
    /// [`MeshFeatures::Log`] with each face's place in the whole shape added to its features
    /// ([`face_placement`]: distance from the centroid, relative to the mesh's size, and how
    /// much the face looks away from it): shape that lies beyond the few rings of faces the
    /// convolutions see, such as tentacles spreading from a body or a long thin outline.
    LogPlacement,
    /// [`MeshFeatures::LogPlacement`] with the logarithms of each face's [`face_thickness`]
    /// added: how far a ray along its normal travels to the next face, on the nearer and the
    /// farther side (the thickness of the part it belongs to, the width of a gap or groove in
    /// front of it).
    LogPlacementThickness,
    /// [`MeshFeatures::LogPlacement`] with how far each face moves along its normal under
    /// curvature smoothing at two scales ([`face_flow`]): whether it lies on a sharp tip, a
    /// rounded lobe, in a notch or on a flat, judged over more faces than the convolutions see.
    LogPlacementFlow,
    /// [`MeshFeatures::LogPlacement`] with the density of folded surface around each face at
    /// three radii ([`face_context`]): whether it lies in a thin stem that ends in a flat
    /// region, or among the creases of a busy outline, judged over up to a fifth of the shape.
    LogPlacementContext,
}

impl MeshFeatures {
    /// Transforms one mesh's features in place (`primal`: 1 per face, `dual`: 7 per pair).
    pub fn apply(&self, primal: &mut [f64], dual: &mut [f64]) {
        if *self != MeshFeatures::Paper {
            primal.iter_mut().for_each(|v| *v = v.ln());
            for row in dual.chunks_exact_mut(7) {
                row[1..].iter_mut().for_each(|v| *v = v.ln());
            }
        }
    }

    /// Channels per face: 1 (relative area), 3 with the placement, 5 with the thickness or
    /// the flow too, 6 with the context.
    pub fn primal_channels(&self) -> usize {
        match self {
            MeshFeatures::LogPlacementThickness => 1 + PLACEMENT_CHANNELS + THICKNESS_CHANNELS,
            MeshFeatures::LogPlacement => 1 + PLACEMENT_CHANNELS,
            MeshFeatures::LogPlacementFlow => 1 + PLACEMENT_CHANNELS + FLOW_CHANNELS,
            MeshFeatures::LogPlacementContext => 1 + PLACEMENT_CHANNELS + CONTEXT_CHANNELS,
            MeshFeatures::Paper | MeshFeatures::Log => 1,
        }
    }

    /// Channels per face pair (PD-MeshNet's 7 of configuration A).
    pub fn dual_channels(&self) -> usize {
        7
    }

    /// The transformed features of `mesh`, before z-scoring: `(primal, dual)`, row-major with
    /// [`MeshFeatures::primal_channels`] and [`MeshFeatures::dual_channels`] columns.
    pub fn compute(&self, mesh: &TriMesh, graph: &MeshGraph) -> (Vec<f64>, Vec<f64>) {
        let mut f = pd_features(mesh, graph, DualConfig::SingleUndirected);
        self.apply(&mut f.primal, &mut f.dual);
        let mut columns: Vec<(Vec<f64>, usize)> = Vec::new();
        if matches!(
            self,
            MeshFeatures::LogPlacement
                | MeshFeatures::LogPlacementThickness
                | MeshFeatures::LogPlacementFlow
                | MeshFeatures::LogPlacementContext
        ) {
            columns.push((face_placement(mesh), PLACEMENT_CHANNELS));
        }
        if *self == MeshFeatures::LogPlacementContext {
            columns.push((face_context(mesh), CONTEXT_CHANNELS));
        }
        if *self == MeshFeatures::LogPlacementFlow {
            columns.push((face_flow(mesh), FLOW_CHANNELS));
        }
        if *self == MeshFeatures::LogPlacementThickness {
            let thickness = face_thickness(mesh);
            columns.push((
                thickness.iter().map(|d| d.max(1e-6).ln()).collect(),
                THICKNESS_CHANNELS,
            ));
        }
        if columns.is_empty() {
            return (f.primal, f.dual);
        }
        let primal = f
            .primal
            .iter()
            .enumerate()
            .flat_map(|(face, &area)| {
                let extra = columns
                    .iter()
                    .flat_map(move |(values, width)| &values[face * width..(face + 1) * width]);
                std::iter::once(area).chain(extra.copied())
            })
            .collect();
        (primal, f.dual)
    }
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
    /// The transform applied before z-scoring.
    pub features: MeshFeatures,
    /// What cleaning changed in each mesh (training meshes, then test meshes, as in
    /// [`train`](Self::train) and [`test`](Self::test)).
    pub cleaning: Vec<MeshReport>,
    /// The cleaned training meshes with their graphs, for augmentation.
    train_meshes: Vec<(TriMesh, MeshGraph)>,
}

/// Features of one mesh before normalisation.
struct Raw {
    report: MeshReport,
    path: PathBuf,
    class: usize,
    split: Split,
    mesh: TriMesh,
    graph: MeshGraph,
    primal: Vec<f64>,
    dual: Vec<f64>,
}

fn prepare(path: &Path, class: usize, split: Split, features: MeshFeatures) -> Result<Raw> {
    let MeshFile {
        path,
        mesh,
        graph,
        report,
    } = MeshFile::read(path)?;
    let (primal, dual) = features.compute(&mesh, &graph);
    Ok(Raw {
        report,
        path,
        class,
        split,
        mesh,
        graph,
        primal,
        dual,
    })
}

/// The network's sample of a mesh with raw features `(primal, dual)`, z-scored by the stats.
pub(crate) fn to_sample(
    path: &Path,
    class: usize,
    graph: &MeshGraph,
    (mut p, mut d): (Vec<f64>, Vec<f64>),
    primal_stats: &FeatureStats,
    dual_stats: &FeatureStats,
) -> Result<MeshSample> {
    let what = path.display().to_string();
    primal_stats.apply(&mut p);
    dual_stats.apply(&mut d);
    let faces = &graph.faces;
    let dual_graph = faces.dual(DualConfig::SingleUndirected);
    let f32s = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
    let (cp, cd) = (primal_stats.mean.len(), dual_stats.mean.len());
    let primal = Graph::new(faces.num_faces, cp, f32s(p), faces.directed_edges(), &what)?;
    let dual = Graph::new(dual_graph.num_nodes, cd, f32s(d), dual_graph.edges, &what)?;
    Ok(MeshSample {
        path: path.to_path_buf(),
        class,
        graph: PrimalDualGraph::new(primal, dual, dual_graph.of_primal_edge, &what)?,
    })
}

/// One mesh file read and cleaned, with its face graph: what every network that reads it
/// shares, whatever its features and statistics (an ensemble reads each file once).
pub struct MeshFile {
    /// The file.
    pub path: PathBuf,
    /// The cleaned mesh.
    pub mesh: TriMesh,
    /// Its faces and face pairs.
    pub graph: MeshGraph,
    /// What cleaning changed.
    pub report: MeshReport,
}

impl MeshFile {
    /// Reads and cleans `path` and builds its face graph.
    ///
    /// # Errors
    /// A mesh that cannot be read or has no face adjacency, naming the file.
    pub fn read(path: &Path) -> Result<Self> {
        let what = path.display().to_string();
        let mesh = read_mesh(path, true)?;
        let (mesh, report) = clean(&mesh, &what)?;
        let graph = MeshGraph::new(&mesh, &what)?;
        Ok(MeshFile {
            path: path.to_path_buf(),
            mesh,
            graph,
            report,
        })
    }

    /// The mesh made ready for a trained network: featurised, transformed by `features` and
    /// z-scored with the network's training statistics (class 0).
    ///
    /// # Errors
    /// Features that do not fit the statistics' widths.
    pub fn sample(
        &self,
        features: MeshFeatures,
        (primal_stats, dual_stats): (&FeatureStats, &FeatureStats),
    ) -> Result<MeshSample> {
        let raw = features.compute(&self.mesh, &self.graph);
        to_sample(&self.path, 0, &self.graph, raw, primal_stats, dual_stats)
    }

    /// `copies` versions of the mesh, each changed by `augment` as training changes its
    /// meshes (drawn from `seed`) and made ready like [`MeshFile::sample`]: for test-time
    /// augmentation, which averages a network's outputs over them. A copy whose change made a
    /// feature non-finite is the unchanged mesh.
    ///
    /// # Errors
    /// Features that do not fit the statistics' widths.
    pub fn augmented_samples(
        &self,
        features: MeshFeatures,
        stats: (&FeatureStats, &FeatureStats),
        augment: &MeshAugment,
        copies: usize,
        seed: u64,
    ) -> Result<Vec<MeshSample>> {
        let original = self.sample(features, stats)?;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mesh = (&self.mesh, &self.graph);
        (0..copies)
            .map(|_| redrawn(&original, mesh, features, stats, augment, &mut rng))
            .collect()
    }
}

/// One mesh file made ready for a trained network: read, cleaned, featurised, transformed and
/// z-scored with the network's training statistics (`class` is recorded as given).
///
/// # Errors
/// A mesh that cannot be read or has no face adjacency, naming the file.
pub fn mesh_sample(
    path: &Path,
    class: usize,
    features: MeshFeatures,
    primal_stats: &FeatureStats,
    dual_stats: &FeatureStats,
) -> Result<MeshSample> {
    let sample = MeshFile::read(path)?.sample(features, (primal_stats, dual_stats))?;
    Ok(MeshSample { class, ..sample })
}

/// `sample`'s mesh (`mesh`, with its face graph) changed by `augment` with `rng`, featurised
/// again and z-scored with the same statistics, then cut out; the unchanged `sample` when
/// the move made a feature non-finite (a face folded flat).
fn redrawn(
    sample: &MeshSample,
    (mesh, graph): (&TriMesh, &MeshGraph),
    features: MeshFeatures,
    stats: (&FeatureStats, &FeatureStats),
    augment: &MeshAugment,
    rng: &mut impl rand::Rng,
) -> Result<MeshSample> {
    let moved = augment.apply(mesh, rng);
    let (mut primal, mut dual) = features.compute(&moved, graph);
    if !primal.iter().chain(&dual).all(|v| v.is_finite()) {
        return Ok(sample.clone());
    }
    if augment.cutout > 0.0 {
        let faces = &graph.faces;
        let fraction = rng.random_range(0.0..augment.cutout);
        let hidden = face_patch(faces, (fraction * faces.num_faces as f64) as usize, rng);
        hide(faces, &hidden, (&mut primal, &mut dual), stats);
    }
    let (primal_stats, dual_stats) = stats;
    to_sample(
        &sample.path,
        sample.class,
        graph,
        (primal, dual),
        primal_stats,
        dual_stats,
    )
}

impl MeshDataset {
    /// Reads, cleans and featurises every mesh of `root` (in parallel), transforming the
    /// features by `features`; `progress()` is called once per mesh.
    ///
    /// # Errors
    /// A missing folder or one without class folders, a class without training meshes, a mesh
    /// that cannot be read or has no face adjacency; each names the file.
    pub fn load(root: &Path, features: MeshFeatures, progress: impl Fn() + Sync) -> Result<Self> {
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
                let r = prepare(&item.path, item.class, item.split, features);
                progress();
                r
            })
            .collect::<Result<_>>()?;
        let train = || raw.iter().filter(|r| r.split == Split::Train);
        let primal_stats = FeatureStats::fit(
            features.primal_channels(),
            train().map(|r| r.primal.as_slice()),
        )?;
        let dual_stats =
            FeatureStats::fit(features.dual_channels(), train().map(|r| r.dual.as_slice()))?;
        let (mut train_set, mut test_set, mut train_meshes) = (Vec::new(), Vec::new(), Vec::new());
        let (mut train_reports, mut test_reports) = (Vec::new(), Vec::new());
        for r in raw {
            let features = (r.primal, r.dual);
            let s = to_sample(
                &r.path,
                r.class,
                &r.graph,
                features,
                &primal_stats,
                &dual_stats,
            )?;
            match r.split {
                Split::Train => {
                    train_set.push(s);
                    train_reports.push(r.report);
                    train_meshes.push((r.mesh, r.graph));
                }
                Split::Test => {
                    test_set.push(s);
                    test_reports.push(r.report);
                }
            }
        }
        Ok(MeshDataset {
            classes: folder.classes,
            train: train_set,
            test: test_set,
            primal_stats,
            dual_stats,
            features,
            cleaning: train_reports.into_iter().chain(test_reports).collect(),
            train_meshes,
        })
    }

    /// The training meshes redrawn by `augment` (in parallel; reproducible from `seed`), in the
    /// order of [`MeshDataset::train`]. A redrawn mesh whose features are not finite (a face
    /// squashed flat) is replaced by the original.
    ///
    /// # Errors
    /// A graph that cannot be rebuilt (not expected: the faces do not change).
    pub fn augmented_train(&self, augment: &MeshAugment, seed: u64) -> Result<Vec<MeshSample>> {
        if !augment.is_active() {
            return Ok(self.train.clone());
        }
        self.train
            .par_iter()
            .zip(&self.train_meshes)
            .enumerate()
            .map(|(i, (sample, (mesh, graph)))| {
                let mut rng = Xoshiro256PlusPlus::seed_from_u64(
                    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i as u64,
                );
                let stats = (&self.primal_stats, &self.dual_stats);
                redrawn(
                    sample,
                    (mesh, graph),
                    self.features,
                    stats,
                    augment,
                    &mut rng,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_features_leave_the_angle_and_take_logs_of_ratios() {
        let (mut p, mut d) = (vec![0.5, 2.0], (1..=7).map(f64::from).collect::<Vec<_>>());
        MeshFeatures::Paper.apply(&mut p, &mut d);
        assert_eq!(d[6], 7.0);
        MeshFeatures::Log.apply(&mut p, &mut d);
        assert_eq!(p, [0.5f64.ln(), 2f64.ln()]);
        assert_eq!(d[0], 1.0);
        for (c, v) in d.iter().enumerate().skip(1) {
            assert!((v - ((c + 1) as f64).ln()).abs() < 1e-15);
        }
    }
}
