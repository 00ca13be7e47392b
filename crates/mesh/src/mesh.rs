//! [`TriMesh`]: vertices and triangular faces.

use crate::error::{MeshError, Result};

/// A triangle mesh: vertex positions and faces as vertex-index triples (counter-clockwise seen
/// from outside, as OBJ and PLY store them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TriMesh {
    /// Vertex positions.
    pub vertices: Vec<[f64; 3]>,
    /// Faces as indices into `vertices`.
    pub faces: Vec<[u32; 3]>,
}

/// `a − b`.
#[inline]
pub(crate) fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

/// Cross product.
#[inline]
pub(crate) fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// Dot product.
#[inline]
pub(crate) fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Euclidean length.
#[inline]
pub(crate) fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

impl TriMesh {
    /// A mesh from vertices and faces, checked: at least one face, indices in range, finite
    /// coordinates.
    ///
    /// # Errors
    /// [`MeshError::NoFaces`], [`MeshError::NonFiniteVertex`] or [`MeshError::VertexOutOfRange`]
    /// naming `what` and the first problem.
    pub fn new(vertices: Vec<[f64; 3]>, faces: Vec<[u32; 3]>, what: &str) -> Result<Self> {
        let mesh = TriMesh { vertices, faces };
        mesh.validate(what)?;
        Ok(mesh)
    }

    /// Checks the mesh as [`TriMesh::new`] does.
    ///
    /// # Errors
    /// [`MeshError::NoFaces`], [`MeshError::NonFiniteVertex`], [`MeshError::VertexOutOfRange`].
    pub fn validate(&self, what: &str) -> Result<()> {
        if self.faces.is_empty() {
            return Err(MeshError::NoFaces { mesh: what.into() });
        }
        if let Some(i) = self
            .vertices
            .iter()
            .position(|v| v.iter().any(|c| !c.is_finite()))
        {
            return Err(MeshError::NonFiniteVertex {
                mesh: what.into(),
                vertex: i,
                coordinates: self.vertices[i],
            });
        }
        let n = self.vertices.len();
        if let Some((f, v)) = self
            .faces
            .iter()
            .enumerate()
            .find_map(|(f, t)| t.iter().find(|&&v| v as usize >= n).map(|&v| (f, v)))
        {
            return Err(MeshError::VertexOutOfRange {
                mesh: what.into(),
                face: f,
                vertex: v,
                vertices: n,
            });
        }
        Ok(())
    }

    /// Positions of the three corners of face `f`.
    #[inline]
    pub fn corners(&self, f: usize) -> [[f64; 3]; 3] {
        self.faces[f].map(|v| self.vertices[v as usize])
    }

    /// `(p1 − p0) × (p2 − p0)` of face `f`: twice the area times the unit normal.
    #[inline]
    pub fn area_vector(&self, f: usize) -> [f64; 3] {
        let [a, b, c] = self.corners(f);
        cross(sub(b, a), sub(c, a))
    }

    /// Area of face `f`.
    pub fn face_area(&self, f: usize) -> f64 {
        0.5 * norm(self.area_vector(f))
    }

    /// Unit normal of face `f` (zero for a degenerate face).
    pub fn face_normal(&self, f: usize) -> [f64; 3] {
        let n = self.area_vector(f);
        let l = norm(n);
        if l > 0.0 { n.map(|c| c / l) } else { [0.0; 3] }
    }

    /// The total surface area.
    pub fn area(&self) -> f64 {
        (0..self.faces.len()).map(|f| self.face_area(f)).sum()
    }

    /// The axis-aligned bounding box `(min, max)`.
    pub fn bounds(&self) -> ([f64; 3], [f64; 3]) {
        let mut lo = [f64::INFINITY; 3];
        let mut hi = [f64::NEG_INFINITY; 3];
        for v in &self.vertices {
            for k in 0..3 {
                lo[k] = lo[k].min(v[k]);
                hi[k] = hi[k].max(v[k]);
            }
        }
        (lo, hi)
    }
}
