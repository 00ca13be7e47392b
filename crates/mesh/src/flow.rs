//! How far each face moves under curvature smoothing, at two scales: a multi-scale descriptor
//! of the shape around the face that reaches beyond the few rings of faces a convolution sees.
//! The tip of a sharp branch moves a long way inwards, the bottom of a notch outwards, a
//! rounded lobe little, a flat face not at all; what counts as sharp is set by the smoothing
//! time ([`FLOW_TIMES`], a length of about `√t` RMS radii). The values are invariant to
//! rotations, translations, uniform scaling and a reversal of every face's orientation.

use crate::mesh::{TriMesh, cross, dot};
use crate::placement::face_centroids;
use crate::smooth::CurvatureFlow;

/// The smoothing times of [`face_flow`], in squared RMS radii: features of about 0.02 and
/// 0.045 radii (a branch of an engraved outline; a lobe).
pub const FLOW_TIMES: [f64; 2] = [0.0005, 0.002];

/// Channels per face of [`face_flow`].
pub const FLOW_CHANNELS: usize = FLOW_TIMES.len();

/// Per face, row-major (`num_faces × 2`): for each time `t` of [`FLOW_TIMES`], the distance its
/// centroid moves along its outward normal when the mesh is smoothed for `t` ([`crate::smooth()`]),
/// in units of `√t` RMS radii — negative where the surface bulges (a tip moves in), positive
/// in a hollow. "Outward" is the side the faces' orientation gives a positive enclosed volume,
/// so reversing every face changes nothing (for an open mesh the sign of that volume is a
/// convention, still consistent across the mesh). A degenerate face without a normal gets 0.
pub fn face_flow(mesh: &TriMesh) -> Vec<f64> {
    let n = mesh.faces.len();
    let mut out = vec![0.0; n * FLOW_CHANNELS];
    // The Laplacian does not depend on the time: built once for both.
    let Some(flow) = CurvatureFlow::of_sized(mesh) else {
        return out;
    };
    let centroids = face_centroids(mesh);
    let outward = if signed_volume(mesh) < 0.0 { -1.0 } else { 1.0 };
    let normals: Vec<[f64; 3]> = (0..n).map(|f| mesh.face_normal(f)).collect();
    for (k, &t) in FLOW_TIMES.iter().enumerate() {
        let moved = face_centroids(&flow.smooth(mesh, t));
        let unit = outward / (t.sqrt() * flow.rms);
        for f in 0..n {
            let shift: [f64; 3] = std::array::from_fn(|i| moved[f][i] - centroids[f][i]);
            let along = dot(shift, normals[f]) * unit;
            out[f * FLOW_CHANNELS + k] = if along.is_finite() { along } else { 0.0 };
        }
    }
    out
}

/// The volume the faces enclose, signed by their orientation (positive when they face out).
fn signed_volume(mesh: &TriMesh) -> f64 {
    (0..mesh.faces.len())
        .map(|f| {
            let [a, b, c] = mesh.corners(f);
            let bc = cross(b, c);
            dot(a, bc) / 6.0
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::icosphere;
    use crate::placement::moved_and_flipped;

    #[test]
    fn a_sphere_shrinks_evenly_and_a_spike_moves_in_the_most() {
        let sphere = icosphere(3);
        let flow = face_flow(&sphere);
        assert_eq!(flow.len(), FLOW_CHANNELS * sphere.faces.len());
        for (k, &t) in FLOW_TIMES.iter().enumerate() {
            // A unit sphere shrinks by about 2t: -2√t in units of √t.
            let expected = -2.0 * t.sqrt();
            for row in flow.chunks_exact(FLOW_CHANNELS) {
                assert!((row[k] - expected).abs() < 0.5 * expected.abs(), "{row:?}");
            }
        }
        // Pull one vertex out a little: the faces round it move in further than any other.
        let mut spiky = sphere.clone();
        spiky.vertices[0] = spiky.vertices[0].map(|x| 1.05 * x);
        let flow = face_flow(&spiky);
        let touches = |f: usize| spiky.faces[f].contains(&0);
        let (mut tip, mut rest) = (0.0f64, 0.0f64);
        for f in 0..spiky.faces.len() {
            let v = flow[f * FLOW_CHANNELS];
            if touches(f) {
                tip = tip.min(v);
            } else {
                rest = rest.min(v);
            }
        }
        assert!(tip < 1.4 * rest, "tip {tip}, rest {rest}");
    }

    #[test]
    fn flow_ignores_pose_size_and_face_orientation() {
        let mut mesh = icosphere(2);
        mesh.vertices[3] = mesh.vertices[3].map(|x| 1.4 * x);
        mesh.vertices[17] = mesh.vertices[17].map(|x| 0.8 * x);
        let a = face_flow(&mesh);
        let b = face_flow(&moved_and_flipped(&mesh));
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-6 * (1.0 + x.abs()), "{x} vs {y}");
        }
        assert!(a.iter().any(|v| *v > 0.0), "the dent moves out");
    }
}
