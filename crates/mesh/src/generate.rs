//! Synthetic meshes for tests and examples.

use std::collections::HashMap;

use crate::mesh::TriMesh;

/// An axis-aligned unit cube centred at the origin: 8 vertices, 12 outward-facing triangles.
pub fn cube() -> TriMesh {
    let vertices = (0..8)
        .map(|i| {
            [
                (i & 1) as f64 - 0.5,
                ((i >> 1) & 1) as f64 - 0.5,
                ((i >> 2) & 1) as f64 - 0.5,
            ]
        })
        .collect();
    let quads = [
        [0, 2, 3, 1],
        [4, 5, 7, 6],
        [0, 1, 5, 4],
        [2, 6, 7, 3],
        [0, 4, 6, 2],
        [1, 3, 7, 5],
    ];
    let faces = quads
        .iter()
        .flat_map(|q| [[q[0], q[1], q[2]], [q[0], q[2], q[3]]])
        .collect();
    TriMesh { vertices, faces }
}

/// An icosphere: the icosahedron subdivided `level` times and projected onto the unit sphere
/// (`20 · 4^level` faces).
pub fn icosphere(level: u32) -> TriMesh {
    let t = (1.0 + 5f64.sqrt()) / 2.0;
    let mut vertices: Vec<[f64; 3]> = [
        [-1.0, t, 0.0],
        [1.0, t, 0.0],
        [-1.0, -t, 0.0],
        [1.0, -t, 0.0],
        [0.0, -1.0, t],
        [0.0, 1.0, t],
        [0.0, -1.0, -t],
        [0.0, 1.0, -t],
        [t, 0.0, -1.0],
        [t, 0.0, 1.0],
        [-t, 0.0, -1.0],
        [-t, 0.0, 1.0],
    ]
    .iter()
    .map(|v| unit(*v))
    .collect();
    let mut faces: Vec<[u32; 3]> = vec![
        [0, 11, 5],
        [0, 5, 1],
        [0, 1, 7],
        [0, 7, 10],
        [0, 10, 11],
        [1, 5, 9],
        [5, 11, 4],
        [11, 10, 2],
        [10, 7, 6],
        [7, 1, 8],
        [3, 9, 4],
        [3, 4, 2],
        [3, 2, 6],
        [3, 6, 8],
        [3, 8, 9],
        [4, 9, 5],
        [2, 4, 11],
        [6, 2, 10],
        [8, 6, 7],
        [9, 8, 1],
    ];
    for _ in 0..level {
        let mut mid: HashMap<(u32, u32), u32> = HashMap::new();
        let mut midpoint = |a: u32, b: u32, vs: &mut Vec<[f64; 3]>| {
            *mid.entry((a.min(b), a.max(b))).or_insert_with(|| {
                let (p, q) = (vs[a as usize], vs[b as usize]);
                vs.push(unit([
                    (p[0] + q[0]) / 2.0,
                    (p[1] + q[1]) / 2.0,
                    (p[2] + q[2]) / 2.0,
                ]));
                (vs.len() - 1) as u32
            })
        };
        let mut next = Vec::with_capacity(faces.len() * 4);
        for [a, b, c] in faces {
            let ab = midpoint(a, b, &mut vertices);
            let bc = midpoint(b, c, &mut vertices);
            let ca = midpoint(c, a, &mut vertices);
            next.extend([[a, ab, ca], [b, bc, ab], [c, ca, bc], [ab, bc, ca]]);
        }
        faces = next;
    }
    TriMesh { vertices, faces }
}

fn unit(v: [f64; 3]) -> [f64; 3] {
    let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    v.map(|c| c / l)
}

/// A torus with `n` segments around the axis and `m` around the tube (radii 1 and 0.3):
/// `2nm` faces, genus 1. Needs `n, m ≥ 3`.
pub fn torus(n: u32, m: u32) -> TriMesh {
    let (n, m) = (n.max(3), m.max(3));
    let mut vertices = Vec::with_capacity((n * m) as usize);
    for i in 0..n {
        let u = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
        for j in 0..m {
            let v = 2.0 * std::f64::consts::PI * j as f64 / m as f64;
            let r = 1.0 + 0.3 * v.cos();
            vertices.push([r * u.cos(), r * u.sin(), 0.3 * v.sin()]);
        }
    }
    let idx = |i: u32, j: u32| (i % n) * m + (j % m);
    let mut faces = Vec::with_capacity((2 * n * m) as usize);
    for i in 0..n {
        for j in 0..m {
            let (a, b, c, d) = (idx(i, j), idx(i + 1, j), idx(i + 1, j + 1), idx(i, j + 1));
            faces.push([a, b, c]);
            faces.push([a, c, d]);
        }
    }
    TriMesh { vertices, faces }
}

/// A flat square sheet in the plane z = 0: a `side × side` grid of unit-spaced vertices, each
/// cell cut into two triangles (`2 (side − 1)²` faces, one boundary loop).
pub fn flat_grid(side: u32) -> TriMesh {
    let vertices = (0..side * side)
        .map(|k| [(k % side) as f64, (k / side) as f64, 0.0])
        .collect();
    let faces = (0..side.saturating_sub(1))
        .flat_map(|y| (0..side - 1).map(move |x| y * side + x))
        .flat_map(|k| [[k, k + 1, k + side + 1], [k, k + side + 1, k + side]])
        .collect();
    TriMesh { vertices, faces }
}

/// Two triangles touching at one vertex only: a bow-tie, the smallest non-manifold vertex.
pub fn bowtie() -> TriMesh {
    TriMesh {
        vertices: vec![
            [0.0, 0.0, 0.0],
            [1.0, 1.0, 0.0],
            [1.0, -1.0, 0.0],
            [-1.0, 1.0, 0.0],
            [-1.0, -1.0, 0.0],
        ],
        faces: vec![[0, 2, 1], [0, 3, 4]],
    }
}

/// Three triangles on one edge (a fin): the smallest non-manifold edge.
pub fn fin() -> TriMesh {
    TriMesh {
        vertices: vec![
            [0.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.5, 1.0, 0.0],
            [0.5, -1.0, 0.0],
            [0.5, 0.0, 1.0],
        ],
        faces: vec![[0, 1, 2], [1, 0, 3], [0, 1, 4]],
    }
}
