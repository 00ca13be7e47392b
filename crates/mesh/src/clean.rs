//! Cleaning as PD-MeshNet does it, with a report of every change.

use std::collections::{HashMap, HashSet};

use crate::error::{MeshError, Result};
use crate::mesh::TriMesh;
use crate::topology::Topology;

/// What cleaning changed, and the topology before and after.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeshReport {
    /// The mesh as read.
    pub input: Topology,
    /// Vertices merged into an earlier vertex at the same position.
    pub merged_vertices: usize,
    /// Faces dropped because two corners were the same vertex.
    pub repeated_vertex_faces: usize,
    /// Faces dropped because their area is exactly zero.
    pub zero_area_faces: usize,
    /// Faces dropped because an earlier face has the same three vertices.
    pub duplicate_faces: usize,
    /// Faces turned over (their winding reversed) so that each connected part is oriented
    /// consistently, and outward ([`orient`]).
    #[serde(default)]
    pub flipped_faces: usize,
    /// Faces dropped because one of their directed half-edges was already used by a kept face
    /// after orientation (a third face on an edge, or a face that no orientation of a
    /// non-orientable part can fit).
    pub nonmanifold_faces: usize,
    /// Vertices no face uses any more, removed.
    pub isolated_vertices: usize,
    /// The cleaned mesh.
    pub output: Topology,
}

impl MeshReport {
    /// Whether cleaning changed nothing.
    pub fn unchanged(&self) -> bool {
        self.merged_vertices
            + self.repeated_vertex_faces
            + self.zero_area_faces
            + self.duplicate_faces
            + self.flipped_faces
            + self.nonmanifold_faces
            + self.isolated_vertices
            == 0
    }
}

/// Cleans a mesh as PD-MeshNet's `preprocess_mesh` does, except that faces wound the other way
/// round are turned over instead of dropped: merge vertices at identical positions, drop faces
/// with a repeated vertex or zero area and duplicated faces, [`orient`] every connected part
/// consistently and outward, drop faces whose directed half-edges were already used by a kept
/// face (walking faces in file order: this removes third faces on an edge and faces that a
/// non-orientable part cannot fit), then remove unused vertices. Faces keep their order. Nothing
/// is changed silently: the report counts each kind of change.
///
/// # Errors
/// [`MeshError::NothingSurvivesCleaning`] naming `what` when no face survives.
pub fn clean(mesh: &TriMesh, what: &str) -> Result<(TriMesh, MeshReport)> {
    clean_tracked(mesh, what).map(|(m, r, _)| (m, r))
}

/// [`clean`], also giving, for each face of the cleaned mesh, the index of the face it was in
/// `mesh` (to carry per-face data such as part labels through cleaning).
///
/// # Errors
/// As [`clean`].
pub fn clean_tracked(mesh: &TriMesh, what: &str) -> Result<(TriMesh, MeshReport, Vec<u32>)> {
    let input = Topology::of(mesh);
    // 1. Merge vertices with bit-identical positions (−0.0 and 0.0 merge too).
    let key = |p: &[f64; 3]| p.map(|c| if c == 0.0 { 0u64 } else { c.to_bits() });
    let mut first: HashMap<[u64; 3], u32> = HashMap::with_capacity(mesh.vertices.len());
    let remap: Vec<u32> = mesh
        .vertices
        .iter()
        .enumerate()
        .map(|(i, p)| *first.entry(key(p)).or_insert(i as u32))
        .collect();
    let merged_vertices = mesh.vertices.len() - first.len();
    let mut faces: Vec<[u32; 3]> = mesh
        .faces
        .iter()
        .map(|t| t.map(|v| remap[v as usize]))
        .collect();
    let mut origin: Vec<u32> = (0..faces.len() as u32).collect();
    // 2. Degenerate and duplicate faces.
    let (mut repeated, mut zero, mut dup) = (0, 0, 0);
    let mut seen_sets: HashSet<[u32; 3]> = HashSet::with_capacity(faces.len());
    let probe = TriMesh {
        vertices: mesh.vertices.clone(),
        faces: Vec::new(),
    };
    retain_tracked(&mut faces, &mut origin, |t| {
        if t[0] == t[1] || t[1] == t[2] || t[0] == t[2] {
            repeated += 1;
            return false;
        }
        let [a, b, c] = t.map(|v| probe.vertices[v as usize]);
        let n = crate::mesh::cross(crate::mesh::sub(b, a), crate::mesh::sub(c, a));
        if n == [0.0; 3] {
            zero += 1;
            return false;
        }
        let mut s = *t;
        s.sort_unstable();
        if !seen_sets.insert(s) {
            dup += 1;
            return false;
        }
        true
    });
    // 3. One orientation per connected part, outward.
    let flipped = orient(&mesh.vertices, &mut faces);
    // 4. Directed half-edge test.
    let mut half_edges: HashSet<(u32, u32)> = HashSet::with_capacity(faces.len() * 3);
    let mut nonmanifold = 0;
    retain_tracked(&mut faces, &mut origin, |t| {
        let hes = [(t[0], t[1]), (t[1], t[2]), (t[2], t[0])];
        if hes.iter().any(|h| half_edges.contains(h)) {
            nonmanifold += 1;
            return false;
        }
        half_edges.extend(hes);
        true
    });
    if faces.is_empty() {
        return Err(MeshError::NothingSurvivesCleaning {
            mesh: what.to_string(),
        });
    }
    // 5. Remove unused vertices, keeping the order of the rest.
    let mut new_index = vec![u32::MAX; mesh.vertices.len()];
    let mut vertices = Vec::new();
    for t in &faces {
        for &v in t {
            if new_index[v as usize] == u32::MAX {
                new_index[v as usize] = 0;
            }
        }
    }
    for (i, slot) in new_index.iter_mut().enumerate() {
        if *slot == 0 {
            *slot = vertices.len() as u32;
            vertices.push(mesh.vertices[i]);
        }
    }
    let isolated = first.len() - vertices.len();
    for t in faces.iter_mut() {
        *t = t.map(|v| new_index[v as usize]);
    }
    let cleaned = TriMesh { vertices, faces };
    let report = MeshReport {
        input,
        merged_vertices,
        repeated_vertex_faces: repeated,
        zero_area_faces: zero,
        duplicate_faces: dup,
        flipped_faces: flipped,
        nonmanifold_faces: nonmanifold,
        isolated_vertices: isolated,
        output: Topology::of(&cleaned),
    };
    Ok((cleaned, report, origin))
}

/// Keeps the faces that `keep` accepts, in order, and their origins with them.
fn retain_tracked(
    faces: &mut Vec<[u32; 3]>,
    origin: &mut Vec<u32>,
    mut keep: impl FnMut(&[u32; 3]) -> bool,
) {
    let mut kept = 0;
    for i in 0..faces.len() {
        if keep(&faces[i]) {
            faces[kept] = faces[i];
            origin[kept] = origin[i];
            kept += 1;
        }
    }
    faces.truncate(kept);
    origin.truncate(kept);
}

/// Orients faces consistently: within each part connected through edges shared by exactly two
/// faces, every such edge is walked in opposite directions by its two faces, and each part is
/// then turned so that its signed volume about the mesh's centroid is positive (outward on a
/// closed surface; on an open one, away from the mesh's centre). A face is turned over by
/// swapping its last two corners, so turning a whole mesh over and orienting it gives back the
/// faces as they were. Parts that are not orientable keep the first orientation reached; the
/// half-edge test of [`clean`] then drops the faces that do not fit. Returns how many faces
/// were turned over.
pub fn orient(vertices: &[[f64; 3]], faces: &mut [[u32; 3]]) -> usize {
    let undirected = |a: u32, b: u32| (a.min(b), a.max(b));
    let mut edge_faces: HashMap<(u32, u32), Vec<usize>> = HashMap::with_capacity(faces.len() * 2);
    for (f, t) in faces.iter().enumerate() {
        for k in 0..3 {
            edge_faces
                .entry(undirected(t[k], t[(k + 1) % 3]))
                .or_default()
                .push(f);
        }
    }
    let has_directed =
        |t: &[u32; 3], a: u32, b: u32| (0..3).any(|k| t[k] == a && t[(k + 1) % 3] == b);
    let oriented = |t: [u32; 3], flip: bool| if flip { [t[0], t[2], t[1]] } else { t };
    // The centre of the whole mesh: each part is turned to face away from it, so that a part
    // too flat to have a volume of its own (a lone face) still has an outward side.
    let n = (3 * faces.len()).max(1) as f64;
    let centre: [f64; 3] = std::array::from_fn(|i| {
        faces
            .iter()
            .flatten()
            .map(|&v| vertices[v as usize][i])
            .sum::<f64>()
            / n
    });
    let mut flip: Vec<Option<bool>> = vec![None; faces.len()];
    let mut turned = 0;
    for start in 0..faces.len() {
        if flip[start].is_some() {
            continue;
        }
        flip[start] = Some(false);
        let mut part = vec![start];
        let mut next = 0;
        while let Some(&f) = part.get(next) {
            next += 1;
            let t = oriented(faces[f], flip[f] == Some(true));
            for k in 0..3 {
                let (a, b) = (t[k], t[(k + 1) % 3]);
                let shared = &edge_faces[&undirected(a, b)];
                if shared.len() != 2 {
                    continue;
                }
                let g = if shared[0] == f { shared[1] } else { shared[0] };
                if flip[g].is_none() {
                    // g must walk the edge b → a.
                    flip[g] = Some(has_directed(&faces[g], a, b));
                    part.push(g);
                }
            }
        }
        let volume: f64 = part
            .iter()
            .map(|&f| {
                let t = oriented(faces[f], flip[f] == Some(true));
                let [a, b, d] = t.map(|v| crate::mesh::sub(vertices[v as usize], centre));
                let n = crate::mesh::cross(b, d);
                a[0] * n[0] + a[1] * n[1] + a[2] * n[2]
            })
            .sum();
        for &f in &part {
            let turn = (flip[f] == Some(true)) != (volume < 0.0);
            if turn {
                faces[f] = oriented(faces[f], true);
                turned += 1;
            }
        }
    }
    turned
}
