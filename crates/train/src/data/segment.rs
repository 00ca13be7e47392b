//! Mesh segmentation data in MeshCNN's COSEG layout ([`tessera_mesh::segmentation`]): every
//! mesh cleaned (faces oriented, nothing dropped on these sets), a part per face by PD-MeshNet's
//! majority vote, the edge labels kept for MeshCNN's metrics, and PD-MeshNet's input features
//! z-scored with statistics of the training split, as for classification.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tessera_mesh::segmentation::{
    SegmentationFolder, SegmentationTruth, SegmentedMesh, read_segmented,
};
use tessera_mesh::{FeatureStats, MeshReport, Split};

use super::meshes::{MeshFeatures, MeshSample, to_sample};
use crate::error::{Result, TrainError};

/// One mesh of a segmentation set, ready for the network, with its labels.
#[derive(Clone, Debug)]
pub struct SegmentSample {
    /// Faces, face pairs and their features (`class` unused: 0).
    pub sample: MeshSample,
    /// Each face's part, the face areas and the edge labels.
    pub truth: SegmentationTruth,
    /// What cleaning changed.
    pub report: MeshReport,
}

/// A segmentation data set: parts, training and test meshes, and the feature statistics.
#[derive(Clone, Debug)]
pub struct SegmentDataset {
    /// The folder.
    pub root: PathBuf,
    /// Part names, in label order.
    pub parts: Vec<String>,
    /// Training meshes.
    pub train: Vec<SegmentSample>,
    /// Test meshes.
    pub test: Vec<SegmentSample>,
    /// Z-score statistics of the primal features (training split).
    pub primal_stats: FeatureStats,
    /// Z-score statistics of the dual features (training split).
    pub dual_stats: FeatureStats,
    /// The transform applied before z-scoring.
    pub features: MeshFeatures,
}

impl SegmentDataset {
    /// Reads a COSEG-layout folder (`classes.txt` optional, `{train,test}/*.obj`, `seg/`,
    /// `sseg/`), calling `progress` once per mesh read.
    ///
    /// # Errors
    /// A folder that is not in that layout, a mesh or label file that cannot be read (naming
    /// the file and line), or an empty split.
    pub fn load(root: &Path, features: MeshFeatures, progress: impl Fn() + Sync) -> Result<Self> {
        Self::load_with(root, features, None, progress)
    }

    /// [`load`](Self::load), standardising with `stats` (a trained run's primal and dual
    /// statistics) instead of the folder's training split's, when given.
    ///
    /// # Errors
    /// As [`load`](Self::load).
    pub fn load_with(
        root: &Path,
        features: MeshFeatures,
        stats: Option<(FeatureStats, FeatureStats)>,
        progress: impl Fn() + Sync,
    ) -> Result<Self> {
        let folder = SegmentationFolder::open(root)?;
        let parts = folder.parts.len();
        type Read = (PathBuf, SegmentedMesh, Split, (Vec<f64>, Vec<f64>));
        let read: Vec<Read> = folder
            .meshes
            .par_iter()
            .map(|(path, split)| {
                let m = read_segmented(path, parts)?;
                let raw = features.compute(&m.mesh, &m.graph);
                progress();
                Ok((path.clone(), m, *split, raw))
            })
            .collect::<Result<_>>()?;
        for split in [Split::Train, Split::Test] {
            if !read.iter().any(|(_, _, s, _)| *s == split) {
                return Err(TrainError::Data {
                    path: root.join(if split == Split::Train {
                        "train"
                    } else {
                        "test"
                    }),
                    line: None,
                    message: "no meshes (.obj or .ply) in this split".into(),
                });
            }
        }
        let train = || read.iter().filter(|(_, _, s, _)| *s == Split::Train);
        let (primal_stats, dual_stats) = match stats {
            Some(stats) => stats,
            None => (
                FeatureStats::fit(
                    features.primal_channels(),
                    train().map(|(_, _, _, (p, _))| p.as_slice()),
                )?,
                FeatureStats::fit(
                    features.dual_channels(),
                    train().map(|(_, _, _, (_, d))| d.as_slice()),
                )?,
            ),
        };
        let (mut train_set, mut test_set) = (Vec::new(), Vec::new());
        for (path, m, split, raw) in read {
            let sample = to_sample(&path, 0, &m.graph, raw, &primal_stats, &dual_stats)?;
            let s = SegmentSample {
                sample,
                truth: m.truth(),
                report: m.report,
            };
            match split {
                Split::Train => train_set.push(s),
                Split::Test => test_set.push(s),
            }
        }
        Ok(SegmentDataset {
            root: root.to_path_buf(),
            parts: folder.parts,
            train: train_set,
            test: test_set,
            primal_stats,
            dual_stats,
            features,
        })
    }
}
