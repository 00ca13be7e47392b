//! Random changes of a mesh for training: curvature smoothing, a smooth bend ([`warp`]),
//! rotation, per-axis scaling, vertex jitter, and cutout ([`cutout`]), which hides the
//! features of a patch of faces. Plain geometry, so that any caller (a training loop, a
//! Python pipeline) draws the same changes from the same random stream.

pub mod cutout;
pub mod warp;

use rand::RngExt;
use rand_distr::{Distribution, Normal, StandardNormal};

use crate::error::{MeshError, Result};
use crate::{TriMesh, smooth};
use warp::SmoothWarp;

fn setting(name: &'static str, value: f64, must_be: &'static str) -> MeshError {
    MeshError::Setting {
        name: format!("mesh augmentation {name}"),
        value,
        must_be,
    }
}

/// A rotation matrix drawn uniformly on SO(3) (a normalised 4-D Gaussian as a unit quaternion).
pub fn random_rotation(rng: &mut impl rand::Rng) -> [[f64; 3]; 3] {
    let q: [f64; 4] = std::array::from_fn(|_| StandardNormal.sample(rng));
    let n = q.iter().map(|v| v * v).sum::<f64>().sqrt();
    let [w, x, y, z] = q.map(|v| v / n);
    [
        [
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y - w * z),
            2.0 * (x * z + w * y),
        ],
        [
            2.0 * (x * y + w * z),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z - w * x),
        ],
        [
            2.0 * (x * z - w * y),
            2.0 * (y * z + w * x),
            1.0 - 2.0 * (x * x + y * y),
        ],
    ]
}

/// Random changes drawn afresh for every training mesh each epoch; the input features are
/// recomputed afterwards (with the training split's statistics). PD-MeshNet's features are
/// invariant to rotations and to uniform scaling: what changes them is a bend, anisotropic
/// scaling (seen from a random direction when `rotate`) and jitter.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeshAugment {
    /// Standard deviation of the three per-axis scale factors, drawn from N(1, σ) (MeshCNN's
    /// `scale_verts`: 0.1); 0 disables.
    pub scale: f64,
    /// Standard deviation of every vertex's Gaussian displacement, in units of the mesh's mean
    /// edge length; 0 disables.
    pub jitter: f64,
    /// Rotate uniformly at random before scaling.
    pub rotate: bool,
    /// Amplitude of a smooth random bend applied first (three long plane waves of
    /// displacement, each moving vertices by up to this fraction of the mesh's RMS radius
    /// over √3); 0 disables. It varies outlines non-uniformly where scaling only stretches.
    #[serde(default)]
    pub warp: f64,
    /// Wavelengths of the bend across the mesh's diameter (twice its RMS radius), on average:
    /// each wave draws between ½ and 1½ times this. 1 bends the whole shape; more (e.g. 5)
    /// reshape each part on its own, such as a small engraving on a large block.
    #[serde(default = "one_cycle")]
    pub warp_cycles: f64,
    /// Longest time of mean-curvature smoothing applied before everything else, in squared RMS
    /// radii ([`smooth`]): each mesh is smoothed for a time drawn uniformly below it, which
    /// rounds off tips, notches and rims smaller than about its square root; 0 disables. It
    /// shows the network rounded versions of sharp outlines.
    #[serde(default)]
    pub smooth: f64,
    /// Largest fraction of the faces hidden by cutout, last of all: each mesh draws a fraction
    /// uniformly below it, and the input features of a connected patch of that many faces
    /// (grown from a random face) and of the face pairs touching it are set to the training
    /// mean, so that the network must also use the parts it would otherwise ignore; 0
    /// disables.
    #[serde(default)]
    pub cutout: f64,
}

/// One kind of change that [`MeshAugment`] makes, to keep part of an augmentation
/// ([`MeshAugment::keeping`]), e.g. for test-time augmentation with only the gentler changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AugmentPart {
    /// The curvature smoothing ([`MeshAugment::smooth`]).
    Smooth,
    /// The smooth bend ([`MeshAugment::warp`]).
    Warp,
    /// The random rotation ([`MeshAugment::rotate`]).
    Rotate,
    /// The per-axis scaling ([`MeshAugment::scale`]).
    Scale,
    /// The vertex jitter ([`MeshAugment::jitter`]).
    Jitter,
    /// The hidden patch ([`MeshAugment::cutout`]).
    Cutout,
}

fn one_cycle() -> f64 {
    1.0
}

impl MeshAugment {
    /// No augmentation.
    pub const NONE: MeshAugment = MeshAugment {
        scale: 0.0,
        jitter: 0.0,
        rotate: false,
        warp: 0.0,
        warp_cycles: 1.0,
        smooth: 0.0,
        cutout: 0.0,
    };

    /// Checks that every strength is finite and 0 (off) or positive, that the bend draws
    /// a positive, finite number of wavelengths and that cutout hides less than every face.
    ///
    /// # Errors
    /// [`MeshError::Setting`] naming the first setting that cannot work.
    pub fn check(&self) -> Result<()> {
        let strengths = [
            ("scale", self.scale),
            ("jitter", self.jitter),
            ("warp", self.warp),
            ("smooth", self.smooth),
            ("cutout", self.cutout),
        ];
        if let Some((name, value)) = strengths
            .iter()
            .find(|(_, v)| !(*v >= 0.0 && v.is_finite()))
        {
            return Err(setting(name, *value, "0 (off) or positive"));
        }
        if !(self.warp_cycles > 0.0 && self.warp_cycles.is_finite()) {
            return Err(setting("warp cycles", self.warp_cycles, "positive"));
        }
        if self.cutout >= 1.0 {
            return Err(setting(
                "cutout",
                self.cutout,
                "below 1 (the fraction of faces hidden)",
            ));
        }
        Ok(())
    }

    /// This augmentation with only the `parts` named left on, at their strengths here, and
    /// the others off.
    pub fn keeping(&self, parts: &[AugmentPart]) -> MeshAugment {
        let strength = |part, value| if parts.contains(&part) { value } else { 0.0 };
        MeshAugment {
            scale: strength(AugmentPart::Scale, self.scale),
            jitter: strength(AugmentPart::Jitter, self.jitter),
            rotate: self.rotate && parts.contains(&AugmentPart::Rotate),
            warp: strength(AugmentPart::Warp, self.warp),
            warp_cycles: self.warp_cycles,
            smooth: strength(AugmentPart::Smooth, self.smooth),
            cutout: strength(AugmentPart::Cutout, self.cutout),
        }
    }

    /// Whether this changes anything.
    pub fn is_active(&self) -> bool {
        self.scale > 0.0
            || self.jitter > 0.0
            || self.warp > 0.0
            || self.smooth > 0.0
            || self.cutout > 0.0
    }

    /// A randomly changed copy of `mesh` (same faces, moved vertices; the cutout, which
    /// changes features, not vertices, is left to the redrawn samples).
    pub fn apply(&self, mesh: &TriMesh, rng: &mut impl rand::Rng) -> TriMesh {
        let smoothed;
        let mesh = if self.smooth > 0.0 {
            smoothed = smooth(mesh, rng.random_range(0.0..self.smooth));
            &smoothed
        } else {
            mesh
        };
        let mut out = mesh.clone();
        let warp = (self.warp > 0.0)
            .then(|| SmoothWarp::random(&mesh.vertices, self.warp, self.warp_cycles, rng));
        let rotation = if self.rotate {
            random_rotation(rng)
        } else {
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        };
        let scale: [f64; 3] = match Normal::new(1.0, self.scale) {
            Ok(n) if self.scale > 0.0 => std::array::from_fn(|_| n.sample(rng).max(0.5)),
            _ => [1.0; 3],
        };
        let step = self.jitter * mean_edge_length(mesh);
        let jitter = Normal::new(0.0, step).ok().filter(|_| step > 0.0);
        for v in &mut out.vertices {
            if let Some(w) = &warp {
                *v = w.displace(*v);
            }
            let r: [f64; 3] = std::array::from_fn(|i| {
                (0..3).map(|j| rotation[i][j] * v[j]).sum::<f64>() * scale[i]
            });
            *v = match &jitter {
                Some(n) => r.map(|x| x + n.sample(rng)),
                None => r,
            };
        }
        out
    }
}

/// The mean length of the mesh's edges (each edge counted once per face that has it).
pub fn mean_edge_length(mesh: &TriMesh) -> f64 {
    let mut sum = 0.0;
    for t in &mesh.faces {
        for k in 0..3 {
            let (a, b) = (
                mesh.vertices[t[k] as usize],
                mesh.vertices[t[(k + 1) % 3] as usize],
            );
            sum += (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>().sqrt();
        }
    }
    sum / (3 * mesh.faces.len().max(1)) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn det(m: &[[f64; 3]; 3]) -> f64 {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }

    /// Rotations are orthonormal with determinant 1, and uniform: the image of the pole has mean
    /// 0 and `E[z²] = 1/3` over many draws.
    #[test]
    fn rotations_are_uniform_and_proper() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(1);
        let (mut mean, mut z2) = ([0.0f64; 3], 0.0);
        let n = 20_000;
        for _ in 0..n {
            let r = random_rotation(&mut rng);
            assert!((det(&r) - 1.0).abs() < 1e-12);
            for i in 0..3 {
                let dot: f64 = (0..3).map(|k| r[i][k] * r[i][k]).sum();
                assert!((dot - 1.0).abs() < 1e-12);
                mean[i] += r[i][2] / n as f64;
            }
            z2 += r[2][2] * r[2][2] / n as f64;
        }
        assert!(mean.iter().all(|m| m.abs() < 0.02), "{mean:?}");
        assert!((z2 - 1.0 / 3.0).abs() < 0.01, "{z2}");
    }
}
