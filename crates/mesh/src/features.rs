//! Input features: PD-MeshNet's dual (dihedral angle, edge-to-height and edge-length ratios) and
//! primal (relative area) features, MeshCNN's five edge features, and z-score statistics.

use std::f64::consts::PI;
use std::path::Path;

use crate::error::{MeshError, Result};
use crate::graph::{DualConfig, MeshGraph};
use crate::mesh::{TriMesh, cross, dot, norm, sub};
use crate::topology::EdgeMap;

/// Per-face-side quantities of a face `f` on its side `s` (the half-edge `v[s] → v[s+1]`).
struct Side {
    /// `|e|² / (2 Area)`: edge length over the height onto it.
    k: f64,
    /// `|e| / |previous half-edge|`.
    r_before: f64,
    /// `|e| / |next half-edge|`.
    r_after: f64,
}

fn side(mesh: &TriMesh, f: u32, s: u8) -> Side {
    let t = mesh.faces[f as usize];
    let s = s as usize;
    let p = |k: usize| mesh.vertices[t[k % 3] as usize];
    let e = norm(sub(p(s + 1), p(s)));
    let prev = norm(sub(p(s), p(s + 2)));
    let next = norm(sub(p(s + 2), p(s + 1)));
    let area2 = norm(mesh.area_vector(f as usize));
    Side {
        k: e * e / area2,
        r_before: e / prev,
        r_after: e / next,
    }
}

/// The signed dihedral angle of faces `i` and `j` across their shared edge, in `[0, 2π)`:
/// π when flat, `> π` for a convex edge (3π/2 for a box edge), `< π` for a concave one
/// (PD-MeshNet's atan2 convention). Faces whose orientations disagree are made consistent first.
pub fn dihedral_angle(mesh: &TriMesh, (i, si): (u32, u8), (j, sj): (u32, u8)) -> f64 {
    let ti = mesh.faces[i as usize];
    let tj = mesh.faces[j as usize];
    let (a, b) = (ti[si as usize], ti[(si as usize + 1) % 3]);
    let (c, _) = (tj[sj as usize], tj[(sj as usize + 1) % 3]);
    let e = sub(mesh.vertices[b as usize], mesh.vertices[a as usize]);
    let el = norm(e);
    let e = e.map(|x| x / el);
    let ni = mesh.face_normal(i as usize);
    let mut nj = mesh.face_normal(j as usize);
    if c == a {
        // Both faces run the edge the same way: flip j.
        nj = nj.map(|x| -x);
    }
    let hi = cross(ni, e);
    let hj = cross(nj, e).map(|x| -x);
    let x = dot(hi, hj);
    let y = dot(hi, cross(hj, e));
    let alpha = y.atan2(x);
    if alpha < 0.0 { alpha + 2.0 * PI } else { alpha }
}

/// Features of the primal and dual nodes, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct PrimalDualFeatures {
    /// Channels per primal node (1: area / total area).
    pub primal_channels: usize,
    /// `num_faces × primal_channels` values.
    pub primal: Vec<f64>,
    /// Channels per dual node (7 for config A, 4 for B and C).
    pub dual_channels: usize,
    /// `num_dual_nodes × dual_channels` values.
    pub dual: Vec<f64>,
}

/// PD-MeshNet's input features for a mesh and its graph.
///
/// Config A, per pair {i, j}: `[α, min(k_ij, k_ji), max(k_ij, k_ji), r_bef of the face with the
/// smaller k, r_bef of the other, r_aft of the smaller-k face, r_aft of the other]` (ties: face
/// i first). Config B/C, per directed edge i→j: `[α, k_ij, r_bef_ij, r_aft_ij]`. Primal: the face's
/// area over the mesh's area.
pub fn pd_features(mesh: &TriMesh, graph: &MeshGraph, config: DualConfig) -> PrimalDualFeatures {
    let total = mesh.area();
    let primal: Vec<f64> = (0..mesh.faces.len())
        .map(|f| mesh.face_area(f) / total)
        .collect();
    let mut dual = Vec::new();
    for &[si, sj] in &graph.sides {
        let alpha = dihedral_angle(mesh, si, sj);
        let (a, b) = (side(mesh, si.0, si.1), side(mesh, sj.0, sj.1));
        match config {
            DualConfig::SingleUndirected => {
                let (lo, hi) = if b.k < a.k { (&b, &a) } else { (&a, &b) };
                dual.extend([
                    alpha,
                    lo.k,
                    hi.k,
                    lo.r_before,
                    hi.r_before,
                    lo.r_after,
                    hi.r_after,
                ]);
            }
            DualConfig::DoubleUndirected | DualConfig::DoubleDirected => {
                dual.extend([alpha, a.k, a.r_before, a.r_after]);
                dual.extend([alpha, b.k, b.r_before, b.r_after]);
            }
        }
    }
    PrimalDualFeatures {
        primal_channels: 1,
        primal,
        dual_channels: if config == DualConfig::SingleUndirected {
            7
        } else {
            4
        },
        dual,
    }
}

/// MeshCNN's five features per mesh edge, in MeshCNN's edge order: the unsigned dihedral angle
/// `π − acos(n_a · n_b)` (π when flat), the two inner angles opposite the edge (sorted), the two
/// height-over-edge ratios (sorted). Divisions by zero use 0.1 as MeshCNN does. A boundary edge
/// repeats its one face's values and has angle π.
pub fn meshcnn_features(mesh: &TriMesh) -> Vec<[f64; 5]> {
    let em = EdgeMap::new(mesh);
    let safe = |x: f64| if x == 0.0 { 0.1 } else { x };
    em.faces_of
        .iter()
        .map(|fs| {
            let per_face: Vec<(f64, f64)> = fs
                .iter()
                .take(2)
                .map(|&(f, s)| {
                    let t = mesh.faces[f as usize];
                    let s = s as usize;
                    let p = |k: usize| mesh.vertices[t[k % 3] as usize];
                    let (a, b, o) = (p(s), p(s + 1), p(s + 2));
                    let (u, v) = (sub(a, o), sub(b, o));
                    let cos = dot(u, v) / safe(norm(u) * norm(v));
                    let inner = cos.clamp(-1.0, 1.0).acos();
                    let e = norm(sub(b, a));
                    let height = norm(mesh.area_vector(f as usize)) / safe(e);
                    (inner, height / safe(e))
                })
                .collect();
            let (x, y) = (per_face[0], *per_face.get(1).unwrap_or(&per_face[0]));
            let dihedral = if fs.len() >= 2 {
                let c = dot(
                    mesh.face_normal(fs[0].0 as usize),
                    mesh.face_normal(fs[1].0 as usize),
                );
                PI - c.clamp(-1.0, 1.0).acos()
            } else {
                PI
            };
            [
                dihedral,
                x.0.min(y.0),
                x.0.max(y.0),
                x.1.min(y.1),
                x.1.max(y.1),
            ]
        })
        .collect()
}

/// Per-channel mean and standard deviation over a training set, for z-scoring features
/// (saved with a model as JSON).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureStats {
    /// Mean per channel.
    pub mean: Vec<f64>,
    /// Standard deviation per channel (1 where a channel is constant, so that z-scoring leaves
    /// it at 0).
    pub std: Vec<f64>,
    /// Rows the statistics were computed from.
    pub count: u64,
    /// Whether each channel was constant (its spread is 0, whatever `std` holds); empty in
    /// statistics saved before it was recorded.
    #[serde(default)]
    pub constant: Vec<bool>,
}

impl FeatureStats {
    /// Statistics of row-major `values` with `channels` columns, accumulated over many arrays.
    ///
    /// # Errors
    /// [`MeshError::NoFeatureRows`] when there are no rows, [`MeshError::FeatureChannels`] when a
    /// length is not a multiple of `channels`.
    pub fn fit<'a>(channels: usize, arrays: impl IntoIterator<Item = &'a [f64]>) -> Result<Self> {
        let (mut sum, mut sum2, mut n) = (vec![0.0; channels], vec![0.0; channels], 0u64);
        for a in arrays {
            if channels == 0 || a.len() % channels != 0 {
                return Err(MeshError::FeatureChannels {
                    values: a.len(),
                    channels,
                });
            }
            for row in a.chunks_exact(channels) {
                for (c, &v) in row.iter().enumerate() {
                    sum[c] += v;
                    sum2[c] += v * v;
                }
                n += 1;
            }
        }
        if n == 0 {
            return Err(MeshError::NoFeatureRows);
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n as f64).collect();
        let var: Vec<f64> = sum2
            .iter()
            .zip(&mean)
            .map(|(s2, m)| (s2 / n as f64 - m * m).max(0.0))
            .collect();
        Ok(FeatureStats {
            std: var
                .iter()
                .map(|&v| if v > 0.0 { v.sqrt() } else { 1.0 })
                .collect(),
            constant: var.iter().map(|&v| v == 0.0).collect(),
            mean,
            count: n,
        })
    }

    /// Z-scores row-major `values` in place.
    pub fn apply(&self, values: &mut [f64]) {
        let c = self.mean.len();
        for row in values.chunks_exact_mut(c) {
            for (k, v) in row.iter_mut().enumerate() {
                *v = (*v - self.mean[k]) / self.std[k];
            }
        }
    }

    /// The spread of channel `c` as measured: 0 for a constant channel, else its standard
    /// deviation.
    pub fn spread(&self, c: usize) -> f64 {
        if self.constant.get(c).copied().unwrap_or(false) {
            0.0
        } else {
            self.std[c]
        }
    }

    /// Writes the statistics as JSON.
    ///
    /// # Errors
    /// [`MeshError::Io`] naming the file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("plain numbers serialise");
        std::fs::write(path, text).map_err(|e| MeshError::Io {
            path: path.to_path_buf(),
            source: e,
        })
    }

    /// Reads statistics written by [`FeatureStats::save`].
    ///
    /// # Errors
    /// [`MeshError::Io`] or [`MeshError::Parse`] naming the file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| MeshError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        serde_json::from_str(&text).map_err(|e| MeshError::Parse {
            path: path.to_path_buf(),
            line: Some(e.line()),
            message: e.to_string(),
        })
    }
}
