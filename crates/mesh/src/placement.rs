//! Where each face lies in the whole shape: features that PD-MeshNet's local ones (face area,
//! dihedral angles, edge ratios) cannot see within a few convolutions. Both are invariant to
//! rotations, translations and uniform scaling, and to the orientation of the faces.

use crate::mesh::{TriMesh, dot, norm, sub};

/// Channels per face of [`face_placement`].
pub const PLACEMENT_CHANNELS: usize = 2;

/// Per face, row-major (`num_faces × 2`): `[ρ, |cos θ|]`, where `ρ` is the distance of the
/// face's centroid from the area-weighted centroid of the mesh over the area-weighted RMS of
/// those distances (so the mean of `ρ²` over the surface is 1), and `θ` is the angle between the
/// face's normal and the direction from the mesh's centroid to the face (1: the face looks
/// away from or towards the centre, 0: it lies along the radius, as the sides of a limb do).
///
/// A face at the centroid itself, or a degenerate face without a normal, gets `cos θ = 0`; a
/// mesh of zero area gets `ρ = 0` everywhere.
pub fn face_placement(mesh: &TriMesh) -> Vec<f64> {
    let n = mesh.faces.len();
    let centroids = face_centroids(mesh);
    // One cross product per face gives both its area and its normal.
    let area_vectors: Vec<[f64; 3]> = (0..n).map(|f| mesh.area_vector(f)).collect();
    let doubled: Vec<f64> = area_vectors.iter().map(|&v| norm(v)).collect();
    let (centre, rms) = surface_spread(&centroids, &doubled);
    let offsets: Vec<[f64; 3]> = centroids.iter().map(|&c| sub(c, centre)).collect();
    let mut out = Vec::with_capacity(n * PLACEMENT_CHANNELS);
    for (f, offset) in offsets.iter().enumerate() {
        let distance = norm(*offset);
        let rho = if rms > 0.0 { distance / rms } else { 0.0 };
        let cos = if distance > 0.0 && doubled[f] > 0.0 {
            dot(area_vectors[f], *offset).abs() / (doubled[f] * distance)
        } else {
            0.0
        };
        out.extend([rho, cos]);
    }
    out
}

/// Each face's centroid.
pub(crate) fn face_centroids(mesh: &TriMesh) -> Vec<[f64; 3]> {
    (0..mesh.faces.len())
        .map(|f| {
            let [a, b, c] = mesh.corners(f);
            std::array::from_fn(|i| (a[i] + b[i] + c[i]) / 3.0)
        })
        .collect()
}

/// The area-weighted centroid of a surface and the area-weighted RMS distance of the face
/// centroids from it, from the face centroids and any quantity proportional to the face areas;
/// `([0; 3], 0)` for a surface of zero area.
pub(crate) fn surface_spread(centroids: &[[f64; 3]], areas: &[f64]) -> ([f64; 3], f64) {
    let total: f64 = areas.iter().sum();
    if total <= 0.0 {
        return ([0.0; 3], 0.0);
    }
    let centre: [f64; 3] = std::array::from_fn(|i| {
        centroids
            .iter()
            .zip(areas)
            .map(|(c, a)| a * c[i])
            .sum::<f64>()
            / total
    });
    let rms = (centroids
        .iter()
        .zip(areas)
        .map(|(&c, a)| {
            let d = sub(c, centre);
            a * dot(d, d)
        })
        .sum::<f64>()
        / total)
        .sqrt();
    (centre, rms)
}

/// `mesh` rotated, scaled by 3, translated, with every face's orientation reversed: what
/// features invariant to all four must not notice.
#[cfg(test)]
pub(crate) fn moved_and_flipped(mesh: &TriMesh) -> TriMesh {
    let (s, c) = (0.6f64.sin(), 0.6f64.cos());
    let mut moved = mesh.clone();
    for v in &mut moved.vertices {
        *v = [
            3.0 * (c * v[0] - s * v[1]) + 5.0,
            3.0 * (s * v[0] + c * v[1]) - 2.0,
            3.0 * v[2] + 1.0,
        ];
    }
    for t in &mut moved.faces {
        t.swap(1, 2);
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::icosphere;

    #[test]
    fn a_sphere_has_every_face_at_unit_distance_looking_outwards() {
        let mesh = icosphere(2);
        let p = face_placement(&mesh);
        assert_eq!(p.len(), 2 * mesh.faces.len());
        for row in p.chunks_exact(2) {
            assert!((row[0] - 1.0).abs() < 0.02, "rho {}", row[0]);
            assert!(row[1] > 0.99, "cos {}", row[1]);
        }
    }

    #[test]
    fn invariant_to_rotation_translation_scale_and_face_orientation() {
        let mesh = crate::generate::torus(12, 8);
        let p = face_placement(&mesh);
        let moved = moved_and_flipped(&mesh);
        for (a, b) in p.iter().zip(face_placement(&moved)) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
        // A torus's faces lie at two distances at least: the mean of rho^2 is 1, not every rho.
        let spread = p.chunks_exact(2).map(|r| r[0]).fold(0.0f64, f64::max)
            - p.chunks_exact(2).map(|r| r[0]).fold(f64::MAX, f64::min);
        assert!(spread > 0.3, "spread {spread}");
    }
}
