//! How much folded surface lies around each face, at three radii: a multi-scale context that
//! reaches far beyond the few rings of faces a convolution sees. Every edge contributes its
//! length times the angle between the normals of its two faces (0 where the surface is flat,
//! large along the rim and the floor of a groove); this "crease" measure, spread by heat
//! diffusion over about `√t` RMS radii ([`CONTEXT_TIMES`]), gives each face the density of
//! creases in its neighbourhood. At the tip of a thin stem that ends in a flat region the
//! density falls off quickly with the radius; in the middle of a busy outline it stays high.
//! The values are invariant to rotations, translations, uniform scaling and a reversal of
//! every face's orientation; unlike counts of rings of faces they do not depend on how finely
//! each part is triangulated.

use crate::mesh::{TriMesh, dot, norm, sub};
use crate::smooth::CurvatureFlow;
use crate::topology::EdgeMap;

/// The diffusion times of [`face_context`], in squared RMS radii: neighbourhoods of about 0.05,
/// 0.1 and 0.2 radii (the width of an engraved groove, a branch, a whole part of an outline).
pub const CONTEXT_TIMES: [f64; 3] = [0.0025, 0.01, 0.04];

/// Channels per face of [`face_context`].
pub const CONTEXT_CHANNELS: usize = CONTEXT_TIMES.len();

/// Smallest density kept before the logarithm, in creases (radians) per RMS radius: a flat
/// region far from any crease would otherwise give `ln 0`.
const DENSITY_FLOOR: f64 = 1e-3;

/// Per face, row-major (`num_faces × 3`): for each time `t` of [`CONTEXT_TIMES`], the natural
/// logarithm of the crease density around the face — the edges' lengths times their
/// (unsigned) angles between face normals, shared between their two end vertices, diffused
/// for `t` ([`crate::smooth()`]'s heat equation) and averaged over the face's corners — in
/// radians per RMS radius, floored at 10⁻³. Boundary edges and edges of degenerate faces
/// contribute nothing; a mesh of zero size gets the floor everywhere.
pub fn face_context(mesh: &TriMesh) -> Vec<f64> {
    let floor = DENSITY_FLOOR.ln();
    let n = mesh.faces.len();
    let mut out = vec![floor; n * CONTEXT_CHANNELS];
    let Some(flow) = CurvatureFlow::of_sized(mesh) else {
        return out;
    };
    let creases = vertex_creases(mesh);
    for (k, &t) in CONTEXT_TIMES.iter().enumerate() {
        let density = flow.diffuse(&creases, t);
        for (f, corners) in mesh.faces.iter().enumerate() {
            let mean = corners.iter().map(|&v| density[v as usize]).sum::<f64>() / 3.0;
            let value = (mean * flow.rms).max(DENSITY_FLOOR).ln();
            out[f * CONTEXT_CHANNELS + k] = if value.is_finite() { value } else { floor };
        }
    }
    out
}

/// Per vertex, half the crease measure (length × angle between the face normals) of every
/// interior edge it ends.
fn vertex_creases(mesh: &TriMesh) -> Vec<f64> {
    let normals: Vec<[f64; 3]> = (0..mesh.faces.len()).map(|f| mesh.face_normal(f)).collect();
    let edges = EdgeMap::new(mesh);
    let mut creases = vec![0.0; mesh.vertices.len()];
    for (ends, faces) in edges.edges.iter().zip(&edges.faces_of) {
        let [(f, _), (g, _)] = faces[..] else {
            continue;
        };
        let (a, b) = (normals[f as usize], normals[g as usize]);
        if dot(a, a) == 0.0 || dot(b, b) == 0.0 {
            continue;
        }
        // Reversing every face negates both normals: the angle stays.
        let angle = dot(a, b).clamp(-1.0, 1.0).acos();
        let [p, q] = ends.map(|v| mesh.vertices[v as usize]);
        let length = norm(sub(p, q));
        for &v in ends {
            creases[v as usize] += 0.5 * length * angle;
        }
    }
    creases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{cube, flat_grid, icosphere};
    use crate::placement::moved_and_flipped;

    #[test]
    fn context_ignores_pose_size_and_face_orientation() {
        let mut mesh = icosphere(2);
        mesh.vertices[3] = mesh.vertices[3].map(|x| 1.4 * x);
        mesh.vertices[17] = mesh.vertices[17].map(|x| 0.8 * x);
        let a = face_context(&mesh);
        let b = face_context(&moved_and_flipped(&mesh));
        assert_eq!(a.len(), CONTEXT_CHANNELS * mesh.faces.len());
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-6 * (1.0 + x.abs()), "{x} vs {y}");
        }
    }

    #[test]
    fn creases_count_only_folded_edges() {
        // The unit cube's 12 edges are folded by π/2, its face diagonals not at all.
        let mesh = cube();
        let total: f64 = vertex_creases(&mesh).iter().sum();
        let expected = 12.0 * std::f64::consts::FRAC_PI_2;
        assert!((total - expected).abs() < 1e-9, "{total} vs {expected}");
        // A flat square: no creases anywhere, the floor at every time.
        let flat = flat_grid(5);
        assert!(face_context(&flat).iter().all(|&v| v == DENSITY_FLOOR.ln()));
    }

    #[test]
    fn a_spike_is_felt_less_the_farther_a_face_is() {
        // One vertex pulled out of a sphere folds the faces round it: the density is highest
        // there, and at the longest time it is spread more evenly than at the shortest.
        let mut mesh = icosphere(3);
        mesh.vertices[0] = mesh.vertices[0].map(|x| 1.3 * x);
        let context = face_context(&mesh);
        let column = |k: usize| -> Vec<f64> {
            context
                .chunks_exact(CONTEXT_CHANNELS)
                .map(|row| row[k])
                .collect()
        };
        let tip = mesh.vertices[0];
        let far = (0..mesh.faces.len())
            .max_by(|&a, &b| {
                let d = |f: usize| -dot(mesh.face_normal(f), tip);
                d(a).total_cmp(&d(b))
            })
            .unwrap();
        let near = mesh.faces.iter().position(|t| t.contains(&0)).unwrap();
        for k in 0..CONTEXT_CHANNELS {
            let c = column(k);
            assert!(
                c[near] > c[far],
                "time {k}: near {} far {}",
                c[near],
                c[far]
            );
        }
        let spread = |k: usize| {
            let c = column(k);
            let max = c.iter().copied().fold(f64::MIN, f64::max);
            let min = c.iter().copied().fold(f64::MAX, f64::min);
            max - min
        };
        assert!(spread(CONTEXT_CHANNELS - 1) < spread(0));
    }
}
