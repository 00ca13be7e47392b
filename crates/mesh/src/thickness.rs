//! How much room each face has on either side: a ray cast from the face's centroid along its
//! normal, both ways, to the first other face it meets. On one side this is the thickness of
//! the part the face belongs to (the shape diameter function of Shapira et al. 2008, with one
//! ray instead of a cone); on the other the width of the gap in front of it — a narrow groove
//! engraved into a solid, the space between two fingers. Like [`crate::face_placement`] these
//! features see beyond the few rings of faces a convolution reaches, and they are invariant to
//! rotations, translations, uniform scaling and the orientation of the faces.
//!
//! Every ray is tested against every face's plane, and against the face itself only when the
//! plane is met nearer than the nearest hit so far (no acceleration structure): `O(F²)` per
//! mesh, a few milliseconds for the 500-face meshes of the classification sets here.

use crate::mesh::{TriMesh, cross, dot, norm, sub};
use crate::placement::{face_centroids, surface_spread};

/// Channels per face of [`face_thickness`].
pub const THICKNESS_CHANNELS: usize = 2;

/// The distance, in RMS radii, given to a ray that leaves the mesh without meeting a face
/// (beyond every distance inside the mesh's bulk: the RMS radius is about half its diameter).
pub const THICKNESS_NO_HIT: f64 = 4.0;

/// Per face, row-major (`num_faces × 2`): `[nearer, farther]`, the distances from the face's
/// centroid to the first face hit along its normal and against it, sorted so that face
/// orientation does not matter, in units of the surface's area-weighted RMS radius (as in
/// [`crate::face_placement`]) and at most [`THICKNESS_NO_HIT`] (also the value of a ray that
/// meets nothing, as rays through the holes of an open mesh do). A degenerate face without a
/// normal gets `[THICKNESS_NO_HIT; 2]`.
pub fn face_thickness(mesh: &TriMesh) -> Vec<f64> {
    let n = mesh.faces.len();
    let centroids = face_centroids(mesh);
    // Each triangle's `normal` is its area vector: twice its area times its unit normal.
    let triangles: Vec<Triangle> = (0..n).map(|f| Triangle::new(mesh.corners(f))).collect();
    let doubled: Vec<f64> = triangles.iter().map(|t| norm(t.normal)).collect();
    let (_, rms) = surface_spread(&centroids, &doubled);
    let mut out = Vec::with_capacity(n * THICKNESS_CHANNELS);
    for f in 0..n {
        if doubled[f] == 0.0 || rms == 0.0 {
            out.extend([THICKNESS_NO_HIT; 2]);
            continue;
        }
        let normal = triangles[f].normal.map(|x| x / doubled[f]);
        let mut side = [1.0, -1.0].map(|sign| {
            let direction = normal.map(|x| sign * x);
            // Faces touching the origin (a fold back onto the face) are not across a gap.
            let nearest = 1e-9 * rms;
            let mut best = f64::INFINITY;
            for (g, t) in triangles.iter().enumerate() {
                if g == f {
                    continue;
                }
                if let Some(d) = t.hit(centroids[f], direction, nearest, best) {
                    best = d;
                }
            }
            (best / rms).min(THICKNESS_NO_HIT)
        });
        side.sort_by(f64::total_cmp);
        out.extend(side);
    }
    out
}

/// A triangle prepared for ray tests: its plane first (cheap, and most faces are behind the
/// ray or beyond the nearest hit so far), then Möller–Trumbore's barycentric test.
struct Triangle {
    origin: [f64; 3],
    edge1: [f64; 3],
    edge2: [f64; 3],
    /// `edge1 × edge2`.
    normal: [f64; 3],
    /// Below this `|normal · direction|` the ray runs along the plane (or the face is
    /// degenerate).
    parallel: f64,
}

impl Triangle {
    fn new([a, b, c]: [[f64; 3]; 3]) -> Self {
        let (edge1, edge2) = (sub(b, a), sub(c, a));
        let normal = cross(edge1, edge2);
        let longest = dot(edge1, edge1).max(dot(edge2, edge2));
        Triangle {
            origin: a,
            edge1,
            edge2,
            normal,
            parallel: 1e-12 * longest,
        }
    }

    /// The distance along the unit `direction` from `from` at which the ray meets this
    /// triangle (its edges included), if that lies in `(after, before)`.
    fn hit(&self, from: [f64; 3], direction: [f64; 3], after: f64, before: f64) -> Option<f64> {
        let facing = dot(self.normal, direction);
        if facing.abs() <= self.parallel {
            return None;
        }
        let s = sub(from, self.origin);
        let t = -dot(self.normal, s) / facing;
        if t <= after || t >= before {
            return None;
        }
        // Barycentric coordinates of the hit point (Möller–Trumbore with det = −facing).
        let inv = -1.0 / facing;
        let p = cross(direction, self.edge2);
        let u = dot(s, p) * inv;
        if !(-1e-9..=1.0 + 1e-9).contains(&u) {
            return None;
        }
        let q = cross(s, self.edge1);
        let v = dot(direction, q) * inv;
        if v < -1e-9 || u + v > 1.0 + 1e-9 {
            return None;
        }
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{cube, icosphere};

    /// The unit cube squashed to a slab `height` thick.
    fn slab(height: f64) -> TriMesh {
        let mut mesh = cube();
        mesh.vertices.iter_mut().for_each(|v| v[2] *= height);
        mesh
    }

    #[test]
    fn a_slab_is_as_thick_as_its_height_with_nothing_in_front() {
        let mesh = slab(0.1);
        let t = face_thickness(&mesh);
        let centroids = face_centroids(&mesh);
        let areas: Vec<f64> = (0..12).map(|f| mesh.face_area(f)).collect();
        let (_, rms) = surface_spread(&centroids, &areas);
        for (f, row) in t.chunks_exact(2).enumerate() {
            let normal = mesh.face_normal(f);
            let across = if normal[2].abs() > 0.5 { 0.1 } else { 1.0 };
            assert!((row[0] - across / rms).abs() < 1e-9, "face {f}: {row:?}");
            assert_eq!(row[1], THICKNESS_NO_HIT, "face {f}");
        }
    }

    #[test]
    fn a_sphere_is_a_diameter_thick() {
        let mesh = icosphere(2);
        let t = face_thickness(&mesh);
        // Face centroids lie just inside the unit sphere; the RMS radius is about 1 as well.
        for row in t.chunks_exact(2) {
            assert!((row[0] - 2.0).abs() < 0.05, "{row:?}");
            assert_eq!(row[1], THICKNESS_NO_HIT);
        }
    }

    #[test]
    fn a_gap_between_two_parts_is_seen_from_both() {
        // Two slabs 0.2 apart along z: the inner faces see the gap, the outer ones nothing.
        let mut mesh = slab(0.1);
        let upper = slab(0.1);
        let offset = mesh.vertices.len() as u32;
        mesh.vertices
            .extend(upper.vertices.iter().map(|v| [v[0], v[1], v[2] + 0.3]));
        mesh.faces
            .extend(upper.faces.iter().map(|t| t.map(|i| i + offset)));
        let t = face_thickness(&mesh);
        let centroids = face_centroids(&mesh);
        let areas: Vec<f64> = (0..24).map(|f| mesh.face_area(f)).collect();
        let (_, rms) = surface_spread(&centroids, &areas);
        let mut gaps = 0;
        for (f, row) in t.chunks_exact(2).enumerate() {
            let (normal, z) = (mesh.face_normal(f), centroids[f][2]);
            if normal[2].abs() < 0.5 {
                continue;
            }
            assert!((row[0] - 0.1 / rms).abs() < 1e-9, "face {f}: {row:?}");
            let inner = (z - 0.05).abs() < 1e-9 || (z - 0.25).abs() < 1e-9;
            if inner {
                assert!((row[1] - 0.2 / rms).abs() < 1e-9, "face {f}: {row:?}");
                gaps += 1;
            } else {
                assert_eq!(row[1], THICKNESS_NO_HIT, "face {f}");
            }
        }
        assert_eq!(gaps, 4);
    }

    #[test]
    fn invariant_to_rotation_translation_scale_and_face_orientation() {
        let mesh = crate::generate::torus(12, 8);
        let t = face_thickness(&mesh);
        let moved = crate::placement::moved_and_flipped(&mesh);
        for (a, b) in t.iter().zip(face_thickness(&moved)) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        // The tube's thickness is seen from every face; across the hole, some look at the far side.
        assert!(t.chunks_exact(2).all(|r| r[0] < THICKNESS_NO_HIT));
    }
}
