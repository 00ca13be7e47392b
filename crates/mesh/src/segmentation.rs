//! Part labels for mesh segmentation, as MeshCNN ships them and PD-MeshNet uses them.
//!
//! A COSEG-style folder holds, next to `{train,test}/<n>.obj`, one hard label per mesh edge in
//! `seg/<n>.eseg` (1-based, one line per edge) and the fraction of each part among the
//! annotations of that edge in `sseg/<n>.seseg` (one line per edge, one column per part).
//! Edges are numbered in MeshCNN's order ([`MeshEdges`]). PD-MeshNet labels each face by the
//! majority of its three edges ([`face_labels`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::clean::{MeshReport, clean_tracked};
use crate::error::{MeshError, Result};
use crate::folder::Split;
use crate::graph::{FaceGraph, MeshGraph};
use crate::io::read_mesh;
use crate::mesh::TriMesh;

/// The edges of a mesh in MeshCNN's order: scan the faces in file order and, for each face
/// `(v0, v1, v2)`, its edges `(v0, v1)`, `(v1, v2)`, `(v2, v0)`; an edge gets the next number
/// the first time it is met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeshEdges {
    /// Each edge's two vertices, in the order first met.
    pub edges: Vec<[u32; 2]>,
    /// Each face's three edges: `(v0, v1)`, `(v1, v2)`, `(v2, v0)`.
    pub face_edges: Vec<[u32; 3]>,
}

impl MeshEdges {
    /// Numbers the edges of `faces` (as read, before any cleaning: that is what label files
    /// index).
    pub fn of(faces: &[[u32; 3]]) -> Self {
        let mut number: HashMap<(u32, u32), u32> = HashMap::with_capacity(faces.len() * 2);
        let mut edges = Vec::with_capacity(faces.len() * 3 / 2 + 2);
        let face_edges = faces
            .iter()
            .map(|t| {
                std::array::from_fn(|k| {
                    let (a, b) = (t[k], t[(k + 1) % 3]);
                    *number.entry((a.min(b), a.max(b))).or_insert_with(|| {
                        edges.push([a, b]);
                        (edges.len() - 1) as u32
                    })
                })
            })
            .collect();
        MeshEdges { edges, face_edges }
    }

    /// The number of edges.
    pub fn len(&self) -> usize {
        self.edges.len()
    }

    /// Whether there are no edges.
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }
}

/// The part labels of one mesh's edges.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EdgeLabels {
    /// The number of parts.
    pub parts: usize,
    /// Each edge's part, from 0 (the files count from 1).
    pub hard: Vec<u16>,
    /// Each edge's fraction of each part, `[edges × parts]` row-major, when a soft label file
    /// was read.
    pub soft: Option<Vec<f32>>,
}

fn parse_err(path: &Path, line: usize, message: String) -> MeshError {
    MeshError::Parse {
        path: path.to_path_buf(),
        line: Some(line),
        message,
    }
}

fn read_lines(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| MeshError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| MeshError::Parse {
        path: path.to_path_buf(),
        line: None,
        message: "not a text file (invalid UTF-8)".into(),
    })
}

/// The non-empty lines of `text`, numbered from 1, refusing any count other than `edges`.
fn edge_lines<'a>(path: &Path, text: &'a str, edges: usize) -> Result<Vec<(usize, &'a str)>> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if lines.len() != edges {
        let line = lines.last().map_or(1, |(i, _)| *i);
        return Err(parse_err(
            path,
            line,
            format!(
                "{} label lines for a mesh of {edges} edges (one line per edge, in MeshCNN's edge order)",
                lines.len()
            ),
        ));
    }
    Ok(lines)
}

/// Reads hard edge labels (`.eseg`: one part number per line, from 1 to `parts`) for a mesh
/// of `edges` edges; the labels come back from 0.
///
/// # Errors
/// [`MeshError::Io`] for a missing file; [`MeshError::Parse`] naming the file and line for a
/// line that is not a whole number, a part out of `1..=parts`, or a line count other than
/// `edges`.
pub fn read_eseg(path: &Path, edges: usize, parts: usize) -> Result<Vec<u16>> {
    let text = read_lines(path)?;
    edge_lines(path, &text, edges)?
        .into_iter()
        .map(|(line, l)| {
            let value: f64 = l
                .parse()
                .map_err(|_| parse_err(path, line, format!("{l:?} is not a part number")))?;
            if value.fract() != 0.0 || !(1.0..=parts as f64).contains(&value) {
                return Err(parse_err(
                    path,
                    line,
                    format!("part {l} is not one of 1…{parts}"),
                ));
            }
            Ok(value as u16 - 1)
        })
        .collect()
}

/// Reads soft edge labels (`.seseg`: one line per edge, `parts` fractions each, in `[0, 1]`)
/// for a mesh of `edges` edges, `[edges × parts]` row-major. Columns beyond `parts` are
/// accepted when they are 0 (MeshCNN's chairs carry an empty fourth column) and left out.
///
/// # Errors
/// [`MeshError::Io`] for a missing file; [`MeshError::Parse`] naming the file and line for a
/// line with fewer columns than parts, a value that is not a number in `[0, 1]`, a non-zero
/// value beyond the parts, or a line count other than `edges`.
pub fn read_seseg(path: &Path, edges: usize, parts: usize) -> Result<Vec<f32>> {
    let text = read_lines(path)?;
    let mut out = Vec::with_capacity(edges * parts);
    for (line, l) in edge_lines(path, &text, edges)? {
        let mut columns = 0;
        for cell in l.split_whitespace() {
            let v: f32 = cell
                .parse()
                .ok()
                .filter(|v: &f32| (0.0..=1.0).contains(v))
                .ok_or_else(|| {
                    parse_err(path, line, format!("{cell:?} is not a fraction in [0, 1]"))
                })?;
            columns += 1;
            if columns <= parts {
                out.push(v);
            } else if v != 0.0 {
                return Err(parse_err(
                    path,
                    line,
                    format!("a fraction of {v} for part {columns}, beyond the {parts} parts"),
                ));
            }
        }
        if columns < parts {
            return Err(parse_err(
                path,
                line,
                format!("{columns} columns for {parts} parts"),
            ));
        }
    }
    Ok(out)
}

/// Where the labels of mesh `<dir>/<split>/<n>.obj` live in a COSEG-style folder:
/// `<dir>/seg/<n>.eseg` and `<dir>/sseg/<n>.seseg`.
pub fn label_files(mesh: &Path) -> Option<(PathBuf, PathBuf)> {
    let stem = mesh.file_stem()?.to_str()?;
    let root = mesh.parent()?.parent()?;
    Some((
        root.join("seg").join(format!("{stem}.eseg")),
        root.join("sseg").join(format!("{stem}.seseg")),
    ))
}

/// Face labels by PD-MeshNet's majority vote: each face takes the part that at least two of its
/// three edges carry. A face whose three edges all differ takes the part most common among its
/// neighbours across `faces` (repeated until nothing changes, so that runs of such faces are
/// filled from their edges); ties, and faces with no labelled neighbour, take the smallest of
/// the parts in question, so the result does not depend on chance.
///
/// `face_edges` are the faces' edges ([`MeshEdges::face_edges`]) and `faces` their adjacency,
/// on the same faces.
pub fn face_labels(face_edges: &[[u32; 3]], hard: &[u16], faces: &FaceGraph) -> Vec<u16> {
    let mut label: Vec<Option<u16>> = face_edges
        .iter()
        .map(|e| {
            let [a, b, c] = e.map(|e| hard[e as usize]);
            if a == b || a == c {
                Some(a)
            } else if b == c {
                Some(b)
            } else {
                None
            }
        })
        .collect();
    let around = faces.pairs_of_face();
    let neighbour = |f: usize, p: u32| {
        let [i, j] = faces.pairs[p as usize];
        if i as usize == f {
            j as usize
        } else {
            i as usize
        }
    };
    loop {
        let mut changed = false;
        for f in 0..label.len() {
            if label[f].is_some() {
                continue;
            }
            let mut votes: Vec<u16> = around[f]
                .iter()
                .filter_map(|&p| label[neighbour(f, p)])
                .collect();
            if votes.is_empty() {
                continue;
            }
            votes.sort_unstable();
            let mut best = (0, votes[0]);
            for run in votes.chunk_by(|a, b| a == b) {
                if run.len() > best.0 {
                    best = (run.len(), run[0]);
                }
            }
            label[f] = Some(best.1);
            changed = true;
        }
        if !changed {
            break;
        }
    }
    label
        .iter()
        .zip(face_edges)
        .map(|(l, e)| l.unwrap_or_else(|| e.iter().map(|&e| hard[e as usize]).min().unwrap_or(0)))
        .collect()
}

/// A segmentation data set in MeshCNN's COSEG layout: `<root>/classes.txt` (one part name per
/// line), `<root>/{train,test}/<n>.obj`, `<root>/seg/<n>.eseg`, `<root>/sseg/<n>.seseg`.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentationFolder {
    /// The folder.
    pub root: PathBuf,
    /// The part names, in label order (label 1 of the files is the first).
    pub parts: Vec<String>,
    /// Every mesh with its split, sorted by split and file name.
    pub meshes: Vec<(PathBuf, Split)>,
}

impl SegmentationFolder {
    /// Lists a COSEG-layout folder.
    ///
    /// # Errors
    /// [`MeshError::Io`] naming `classes.txt` or a split folder that cannot be read;
    /// [`MeshError::NoParts`] when `classes.txt` names no part, [`MeshError::NothingFound`] when
    /// there is no mesh.
    pub fn open(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let classes = root.join("classes.txt");
        let parts: Vec<String> = if classes.exists() {
            read_lines(&classes)?
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        } else {
            (1..=largest_label(&root.join("seg"))?)
                .map(|p| p.to_string())
                .collect()
        };
        if parts.is_empty() {
            return Err(MeshError::NoParts { path: classes });
        }
        let mut meshes = Vec::new();
        for (split, dir) in [(Split::Train, "train"), (Split::Test, "test")] {
            let d = root.join(dir);
            let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
                .map_err(|source| MeshError::Io {
                    path: d.clone(),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "obj" || x == "ply"))
                .collect();
            files.sort();
            meshes.extend(files.into_iter().map(|p| (p, split)));
        }
        if meshes.is_empty() {
            return Err(MeshError::NothingFound {
                root: root.to_path_buf(),
                missing: ".obj or .ply mesh under train/ or test/",
                layout: "<set>/{train,test}/*.obj with seg/*.eseg and sseg/*.seseg labels",
            });
        }
        Ok(SegmentationFolder {
            root,
            parts,
            meshes,
        })
    }
}

/// The largest part number in the `.eseg` files of `seg` (a set without `classes.txt` has
/// parts 1 to this).
fn largest_label(seg: &Path) -> Result<usize> {
    let mut largest = 0;
    for entry in std::fs::read_dir(seg).map_err(|source| MeshError::Io {
        path: seg.to_path_buf(),
        source,
    })? {
        let path = entry
            .map_err(|source| MeshError::Io {
                path: seg.to_path_buf(),
                source,
            })?
            .path();
        if path.extension().is_some_and(|x| x == "eseg") {
            let text = read_lines(&path)?;
            for (i, l) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let v: f64 = l
                    .trim()
                    .parse()
                    .ok()
                    .filter(|v: &f64| *v >= 1.0 && v.fract() == 0.0 && *v <= f64::from(u16::MAX))
                    .ok_or_else(|| {
                        parse_err(&path, i + 1, format!("{:?} is not a part number", l.trim()))
                    })?;
                largest = largest.max(v as usize);
            }
        }
    }
    Ok(largest)
}

/// One mesh of a segmentation set: cleaned, with a part per face, and its edge labels kept for
/// MeshCNN's metrics.
#[derive(Clone, Debug)]
pub struct SegmentedMesh {
    /// The cleaned mesh.
    pub mesh: TriMesh,
    /// What cleaning changed.
    pub report: MeshReport,
    /// For each face of [`mesh`](Self::mesh), its index in the file.
    pub file_faces: Vec<u32>,
    /// The file's edges in MeshCNN's order.
    pub edges: MeshEdges,
    /// The edges' labels.
    pub edge_labels: EdgeLabels,
    /// Each face's part ([`face_labels`]), on the cleaned faces.
    pub face_labels: Vec<u16>,
    /// The cleaned mesh's faces and face pairs.
    pub graph: MeshGraph,
}

impl SegmentedMesh {
    /// What scoring a prediction on this mesh needs ([`SegmentationTally::add`]).
    pub fn truth(&self) -> SegmentationTruth {
        SegmentationTruth {
            face_labels: self.face_labels.clone(),
            face_areas: (0..self.mesh.faces.len())
                .map(|f| self.mesh.face_area(f))
                .collect(),
            face_edges: self
                .file_faces
                .iter()
                .map(|&f| self.edges.face_edges[f as usize])
                .collect(),
            edge_labels: self.edge_labels.clone(),
        }
    }
}

/// The labels of one mesh and what its metrics weigh them by.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentationTruth {
    /// Each face's part.
    pub face_labels: Vec<u16>,
    /// Each face's area.
    pub face_areas: Vec<f64>,
    /// Each face's three edges, numbered as the label files number them.
    pub face_edges: Vec<[u32; 3]>,
    /// The edges' labels.
    pub edge_labels: EdgeLabels,
}

/// Segmentation metrics over a set of meshes, as PD-MeshNet and MeshCNN report them.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentationScores {
    /// Meshes scored.
    pub meshes: usize,
    /// Faces scored.
    pub faces: usize,
    /// Faces whose part is right, over all faces.
    pub face_accuracy: f64,
    /// PD-MeshNet's metric: each mesh's area-weighted face accuracy, averaged over the meshes
    /// weighted by their face counts.
    pub area_face_accuracy: f64,
    /// MeshCNN's hard-label metric: each mesh's fraction of edges whose predicted part is the
    /// edge's label, averaged over the meshes. An edge takes the prediction of the larger of its
    /// faces.
    pub edge_accuracy_hard: f64,
    /// MeshCNN's soft-label metric: each mesh's fraction of edge area (a third of the areas of
    /// an edge's faces) whose predicted part is among the edge's annotated parts, averaged over
    /// the meshes.
    pub edge_accuracy_soft: f64,
    /// Intersection over union of each part's faces, over all meshes (`None` for a part that is
    /// neither predicted nor labelled anywhere).
    pub part_iou: Vec<Option<f64>>,
    /// The mean of [`part_iou`](Self::part_iou) over the parts that have one.
    pub mean_iou: f64,
}

/// Adds up predictions mesh by mesh; [`scores`](Self::scores) gives the metrics.
#[derive(Clone, Debug, Default)]
pub struct SegmentationTally {
    meshes: usize,
    faces: usize,
    right: usize,
    area_weighted: f64,
    edge_hard: f64,
    edge_soft: f64,
    /// Per part: (intersection, union) in faces.
    overlap: Vec<(usize, usize)>,
}

impl SegmentationTally {
    /// An empty tally for `parts` parts.
    pub fn new(parts: usize) -> Self {
        SegmentationTally {
            overlap: vec![(0, 0); parts],
            ..Default::default()
        }
    }

    /// Scores one mesh's predicted face parts.
    ///
    /// # Panics
    /// When `predicted` does not have one part per face of `truth`, or a part is out of range.
    pub fn add(&mut self, truth: &SegmentationTruth, predicted: &[u16]) {
        assert_eq!(
            predicted.len(),
            truth.face_labels.len(),
            "one part per face"
        );
        let n = predicted.len();
        let right = predicted
            .iter()
            .zip(&truth.face_labels)
            .filter(|(p, t)| p == t)
            .count();
        let (mut area_right, mut area) = (0.0, 0.0);
        for ((p, t), a) in predicted
            .iter()
            .zip(&truth.face_labels)
            .zip(&truth.face_areas)
        {
            area += a;
            if p == t {
                area_right += a;
            }
        }
        for (part, (inter, union)) in self.overlap.iter_mut().enumerate() {
            let part = part as u16;
            for (p, t) in predicted.iter().zip(&truth.face_labels) {
                *inter += usize::from(*p == part && *t == part);
                *union += usize::from(*p == part || *t == part);
            }
        }
        // Each edge: the prediction of its larger face, and a third of its faces' areas.
        let labels = &truth.edge_labels;
        let edges = labels.hard.len();
        let mut edge_pred: Vec<Option<(u16, f64)>> = vec![None; edges];
        let mut edge_area = vec![0.0; edges];
        for ((es, &p), &a) in truth
            .face_edges
            .iter()
            .zip(predicted)
            .zip(&truth.face_areas)
        {
            for &e in es {
                let e = e as usize;
                edge_area[e] += a / 3.0;
                if edge_pred[e].is_none_or(|(_, best)| a > best) {
                    edge_pred[e] = Some((p, a));
                }
            }
        }
        let hard_right = edge_pred
            .iter()
            .zip(&labels.hard)
            .filter(|(p, h)| p.is_some_and(|(p, _)| p == **h))
            .count();
        let (mut soft_right, mut soft_area) = (0.0, 0.0);
        if let Some(soft) = &labels.soft {
            for (e, (p, a)) in edge_pred.iter().zip(&edge_area).enumerate() {
                soft_area += a;
                if let Some((p, _)) = p
                    && soft[e * labels.parts + *p as usize] > 0.0
                {
                    soft_right += a;
                }
            }
        }
        self.meshes += 1;
        self.faces += n;
        self.right += right;
        self.area_weighted += n as f64 * if area > 0.0 { area_right / area } else { 0.0 };
        self.edge_hard += hard_right as f64 / edges.max(1) as f64;
        self.edge_soft += if soft_area > 0.0 {
            soft_right / soft_area
        } else {
            0.0
        };
    }

    /// The metrics of everything added.
    pub fn scores(&self) -> SegmentationScores {
        let per = |v: f64, n: usize| if n == 0 { 0.0 } else { v / n as f64 };
        let part_iou: Vec<Option<f64>> = self
            .overlap
            .iter()
            .map(|&(i, u)| (u > 0).then(|| i as f64 / u as f64))
            .collect();
        let present: Vec<f64> = part_iou.iter().flatten().copied().collect();
        SegmentationScores {
            meshes: self.meshes,
            faces: self.faces,
            face_accuracy: per(self.right as f64, self.faces),
            area_face_accuracy: per(self.area_weighted, self.faces),
            edge_accuracy_hard: per(self.edge_hard, self.meshes),
            edge_accuracy_soft: per(self.edge_soft, self.meshes),
            mean_iou: per(present.iter().sum(), present.len()),
            part_iou,
        }
    }
}

/// Reads a mesh and its label files ([`label_files`]), cleans the mesh and labels its faces.
///
/// # Errors
/// Any error of [`read_mesh`], [`read_eseg`], [`read_seseg`] or cleaning, each naming its file.
pub fn read_segmented(path: &Path, parts: usize) -> Result<SegmentedMesh> {
    let raw = read_mesh(path, false)?;
    let edges = MeshEdges::of(&raw.faces);
    let (eseg, seseg) = label_files(path).ok_or_else(|| MeshError::NotInLayout {
        path: path.to_path_buf(),
        layout: "<set>/<split>/<name>",
    })?;
    let hard = read_eseg(&eseg, edges.len(), parts)?;
    let soft = read_seseg(&seseg, edges.len(), parts)?;
    let what = path.display().to_string();
    let (mesh, report, file_faces) = clean_tracked(&raw, &what)?;
    let graph = MeshGraph::new(&mesh, &what)?;
    let face_edges: Vec<[u32; 3]> = file_faces
        .iter()
        .map(|&f| edges.face_edges[f as usize])
        .collect();
    let face_labels = face_labels(&face_edges, &hard, &graph.faces);
    Ok(SegmentedMesh {
        mesh,
        report,
        file_faces,
        edges,
        edge_labels: EdgeLabels {
            parts,
            hard,
            soft: Some(soft),
        },
        face_labels,
        graph,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_numbered_in_meshcnn_order() {
        // Two faces sharing the edge 1–2.
        let e = MeshEdges::of(&[[0, 1, 2], [2, 1, 3]]);
        assert_eq!(e.edges, [[0, 1], [1, 2], [2, 0], [1, 3], [3, 2]]);
        assert_eq!(e.face_edges, [[0, 1, 2], [1, 3, 4]]);
    }

    #[test]
    fn majority_and_ties_from_the_neighbours() {
        // A strip of three faces: 0 — 1 — 2.
        let faces = FaceGraph {
            num_faces: 3,
            pairs: vec![[0, 1], [1, 2]],
        };
        // Face 0: parts 2, 2, 0 → 2. Face 1: 0, 1, 2 (a tie) → its neighbours say 2 and 1:
        // the smaller of the most common. Face 2: 1, 1, 1.
        let face_edges = [[0, 1, 2], [3, 4, 5], [6, 7, 8]];
        let hard = [2, 2, 0, 0, 1, 2, 1, 1, 1];
        assert_eq!(face_labels(&face_edges, &hard, &faces), [2, 1, 1]);
        // Alone, a tie takes the smallest of its own parts.
        let alone = FaceGraph {
            num_faces: 1,
            pairs: vec![],
        };
        assert_eq!(face_labels(&[[0, 1, 2]], &[3, 1, 2], &alone), [1]);
    }

    #[test]
    fn bad_label_files_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("1.eseg");
        std::fs::write(&p, "1\n2\n5\n").unwrap();
        let e = read_eseg(&p, 3, 4).unwrap_err().to_string();
        assert!(e.contains("1.eseg:3") && e.contains("1…4"), "{e}");
        std::fs::write(&p, "1\n2\n").unwrap();
        let e = read_eseg(&p, 3, 4).unwrap_err().to_string();
        assert!(e.contains("2 label lines") && e.contains("3 edges"), "{e}");
        std::fs::write(&p, "1\nx\n1\n").unwrap();
        assert!(read_eseg(&p, 3, 4).unwrap_err().to_string().contains(":2"));
        assert_eq!(
            {
                std::fs::write(&p, "1\n4\n2.000000\n").unwrap();
                read_eseg(&p, 3, 4).unwrap()
            },
            [0, 3, 1]
        );
        let s = dir.path().join("1.seseg");
        std::fs::write(&s, "0 1\n0.5 0.5\n1\n").unwrap();
        let e = read_seseg(&s, 3, 2).unwrap_err().to_string();
        assert!(e.contains("1.seseg:3") && e.contains("1 columns"), "{e}");
        std::fs::write(&s, "0 1 0\n0.5 0.5 0\n1 0 0.5\n").unwrap();
        let e = read_seseg(&s, 3, 2).unwrap_err().to_string();
        assert!(e.contains("1.seseg:3") && e.contains("beyond"), "{e}");
        std::fs::write(&s, "0 1 0\n0.5 0.5 0\n1 0 0\n").unwrap();
        assert_eq!(
            read_seseg(&s, 3, 2).unwrap(),
            [0.0, 1.0, 0.5, 0.5, 1.0, 0.0]
        );
        std::fs::write(&s, "0 1\n0.5 0.5\n1 2\n").unwrap();
        assert!(read_seseg(&s, 3, 2).unwrap_err().to_string().contains(":3"));
        let missing = read_eseg(&dir.path().join("none.eseg"), 3, 4).unwrap_err();
        assert!(missing.to_string().contains("none.eseg"));
    }

    /// Two faces sharing edge 1 (of 5); the larger face is wrong on one mesh.
    #[test]
    fn metrics_as_the_papers_define_them() {
        let truth = SegmentationTruth {
            face_labels: vec![0, 1],
            face_areas: vec![1.0, 3.0],
            face_edges: vec![[0, 1, 2], [1, 3, 4]],
            edge_labels: EdgeLabels {
                parts: 2,
                hard: vec![0, 1, 0, 1, 1],
                // Edge 1 was annotated as both parts.
                soft: Some(vec![1., 0., 0.5, 0.5, 1., 0., 0., 1., 0., 1.]),
            },
        };
        let mut all_right = SegmentationTally::new(2);
        all_right.add(&truth, &[0, 1]);
        let s = all_right.scores();
        assert_eq!((s.face_accuracy, s.area_face_accuracy), (1.0, 1.0));
        assert_eq!((s.edge_accuracy_hard, s.edge_accuracy_soft), (1.0, 1.0));
        assert_eq!(s.part_iou, [Some(1.0), Some(1.0)]);
        let mut big_wrong = SegmentationTally::new(2);
        big_wrong.add(&truth, &[0, 0]);
        let s = big_wrong.scores();
        assert_eq!(s.face_accuracy, 0.5);
        assert_eq!(s.area_face_accuracy, 0.25);
        // Edges 0, 1 (larger face: 0 ≠ 1), 2 right, 3 and 4 wrong: 2 of 5.
        assert_eq!(s.edge_accuracy_hard, 0.4);
        // Edge areas: 1/3 for 0 and 2, 4/3 for 1, 1 for 3 and 4; right: 0, 1 (0 is among its
        // parts), 2 → (1/3 + 4/3 + 1/3) / 4.
        assert!((s.edge_accuracy_soft - 0.5).abs() < 1e-12);
        assert_eq!(s.part_iou, [Some(0.5), Some(0.0)]);
        assert_eq!(s.mean_iou, 0.25);
        // Meshes are weighted by their face counts.
        big_wrong.add(&truth, &[0, 1]);
        assert_eq!(big_wrong.scores().area_face_accuracy, 0.625);
    }
}
