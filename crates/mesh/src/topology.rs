//! Edges, adjacency and the topological report of a mesh.

use std::collections::HashMap;

use crate::mesh::TriMesh;

/// A minimal union-find with path halving and union by index (the smaller root wins, so results
/// are deterministic): the face clustering's. petgraph's `UnionFind` (union by rank) gives the
/// same partitions but measured 1.3–1.4× slower on clustering-sized inputs (`cargo bench -p
/// tessera-mesh --features petgraph --bench union_find`; docs/decisions/0016).
#[derive(Clone, Debug)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    /// The root of `x`'s set (the smallest element joined to it so far).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns whether they were apart.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi as usize] = lo;
        true
    }
}

/// The undirected edges of a mesh with the faces on each: `faces_of[e]` lists `(face, side)`
/// where `side` ∈ 0..3 is the face's half-edge `v[side] → v[side+1]`.
#[derive(Clone, Debug)]
pub struct EdgeMap {
    /// Edge `e` joins `edges[e][0] < edges[e][1]`, in order of first appearance scanning faces.
    pub edges: Vec<[u32; 2]>,
    /// Faces incident to each edge, with the side of the face the edge is.
    pub faces_of: Vec<Vec<(u32, u8)>>,
    /// For each face, its three edges (side k = vertices k, k+1).
    pub face_edges: Vec<[u32; 3]>,
}

impl EdgeMap {
    /// Builds the edge map (MeshCNN's edge order: first appearance, sides 0, 1, 2 of each face).
    pub fn new(mesh: &TriMesh) -> Self {
        let mut index: HashMap<(u32, u32), u32> = HashMap::with_capacity(mesh.faces.len() * 2);
        let mut edges = Vec::new();
        let mut faces_of: Vec<Vec<(u32, u8)>> = Vec::new();
        let mut face_edges = Vec::with_capacity(mesh.faces.len());
        for (f, t) in mesh.faces.iter().enumerate() {
            let mut fe = [0u32; 3];
            for k in 0..3 {
                let (a, b) = (t[k], t[(k + 1) % 3]);
                let key = (a.min(b), a.max(b));
                let e = *index.entry(key).or_insert_with(|| {
                    edges.push([key.0, key.1]);
                    faces_of.push(Vec::new());
                    (edges.len() - 1) as u32
                });
                faces_of[e as usize].push((f as u32, k as u8));
                fe[k] = e;
            }
            face_edges.push(fe);
        }
        EdgeMap {
            edges,
            faces_of,
            face_edges,
        }
    }
}

/// What is true of a mesh's topology.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Topology {
    /// Vertices used by at least one face.
    pub vertices: usize,
    /// Faces.
    pub faces: usize,
    /// Undirected edges.
    pub edges: usize,
    /// Edges with one face.
    pub boundary_edges: usize,
    /// Closed loops of boundary edges.
    pub boundary_loops: usize,
    /// Edges with more than two faces.
    pub nonmanifold_edges: usize,
    /// Vertices whose faces do not form one fan.
    pub nonmanifold_vertices: usize,
    /// Edge-connected components of faces.
    pub components: usize,
    /// `V − E + F`.
    pub euler_characteristic: i64,
    /// `(2 − χ) / 2` for a closed, connected, manifold mesh; `None` otherwise.
    pub genus: Option<i64>,
    /// Faces with zero area or a repeated vertex.
    pub degenerate_faces: usize,
}

impl Topology {
    /// Whether every edge has exactly two faces and every vertex one fan.
    pub fn is_closed_manifold(&self) -> bool {
        self.boundary_edges == 0 && self.nonmanifold_edges == 0 && self.nonmanifold_vertices == 0
    }

    /// Whether no edge has more than two faces and every vertex has one fan.
    pub fn is_manifold(&self) -> bool {
        self.nonmanifold_edges == 0 && self.nonmanifold_vertices == 0
    }

    /// The topology of `mesh` as it is.
    pub fn of(mesh: &TriMesh) -> Self {
        let em = EdgeMap::new(mesh);
        let nf = mesh.faces.len();
        let mut used = vec![false; mesh.vertices.len()];
        for t in &mesh.faces {
            for &v in t {
                used[v as usize] = true;
            }
        }
        let vertices = used.iter().filter(|&&u| u).count();
        let boundary: Vec<usize> = (0..em.edges.len())
            .filter(|&e| em.faces_of[e].len() == 1)
            .collect();
        let nonmanifold_edges = em.faces_of.iter().filter(|f| f.len() > 2).count();
        // Components of faces through shared (manifold or not) edges.
        let mut uf = UnionFind::new(nf);
        for fs in &em.faces_of {
            for w in fs.windows(2) {
                uf.union(w[0].0, w[1].0);
            }
        }
        let components = (0..nf as u32).filter(|&f| uf.find(f) == f).count();
        // Boundary loops: components of the boundary-edge graph over vertices.
        let mut vuf = UnionFind::new(mesh.vertices.len());
        let mut on_boundary = vec![false; mesh.vertices.len()];
        for &e in &boundary {
            let [a, b] = em.edges[e];
            vuf.union(a, b);
            on_boundary[a as usize] = true;
            on_boundary[b as usize] = true;
        }
        let boundary_loops = (0..mesh.vertices.len() as u32)
            .filter(|&v| on_boundary[v as usize] && vuf.find(v) == v)
            .count();
        // Non-manifold vertices: the faces around a vertex, joined through the edges at it, must
        // form one group.
        let mut around: Vec<Vec<u32>> = vec![Vec::new(); mesh.vertices.len()];
        for (f, t) in mesh.faces.iter().enumerate() {
            for &v in t {
                around[v as usize].push(f as u32);
            }
        }
        let mut nonmanifold_vertices = 0;
        for (v, fans) in around.iter().enumerate() {
            if fans.len() < 2 {
                continue;
            }
            let local: HashMap<u32, u32> = fans
                .iter()
                .enumerate()
                .map(|(i, &f)| (f, i as u32))
                .collect();
            let mut luf = UnionFind::new(fans.len());
            for &f in fans {
                for k in 0..3 {
                    let e = em.face_edges[f as usize][k] as usize;
                    if em.edges[e].contains(&(v as u32)) {
                        for &(g, _) in &em.faces_of[e] {
                            luf.union(local[&f], local[&g]);
                        }
                    }
                }
            }
            if (0..fans.len() as u32).filter(|&i| luf.find(i) == i).count() > 1 {
                nonmanifold_vertices += 1;
            }
        }
        let degenerate_faces = (0..nf)
            .filter(|&f| {
                let t = mesh.faces[f];
                t[0] == t[1] || t[1] == t[2] || t[0] == t[2] || mesh.face_area(f) == 0.0
            })
            .count();
        let euler = vertices as i64 - em.edges.len() as i64 + nf as i64;
        let closed = boundary.is_empty() && nonmanifold_edges == 0 && nonmanifold_vertices == 0;
        Topology {
            vertices,
            faces: nf,
            edges: em.edges.len(),
            boundary_edges: boundary.len(),
            boundary_loops,
            nonmanifold_edges,
            nonmanifold_vertices,
            components,
            euler_characteristic: euler,
            genus: (closed && components == 1).then(|| (2 - euler) / 2),
            degenerate_faces,
        }
    }
}
