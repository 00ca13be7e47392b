//! Mean-curvature smoothing: one implicit (backward Euler) step of the curvature flow
//! `∂x/∂t = Δx` with the cotangent Laplacian (Desbrun et al. 1999). Sharp features — the tip
//! of a branch, a notch, the rim of an engraving — are rounded over a length of about `√t`,
//! while flat regions stay where they are (the cotangent Laplacian of a plane is zero, so
//! vertices do not slide within it, as they do under uniform "umbrella" weights). The implicit
//! step is stable for any `t`, also with the sliver triangles of remeshed CAD models. The flow
//! shrinks a closed surface slowly as a whole (a sphere's radius `r` by about `2t/r`) and pulls
//! the boundary loops of an open one inwards.
//!
//! The linear system `(M + t·L) x' = M x` (lumped vertex areas `M`, cotangent weights clamped
//! at 0 so that the matrix is symmetric positive definite) is solved for the three coordinates
//! by conjugate gradients with a diagonal preconditioner: `O(F)` work per iteration.

use crate::mesh::{TriMesh, cross, dot, norm, sub};
use crate::placement::{face_centroids, surface_spread};

/// Largest cotangent weight kept (an angle of about 10⁻⁶ rad): a sliver's near-zero angle would
/// otherwise give an infinite weight.
const MAX_COT: f64 = 1e6;

/// The conjugate-gradient iterations stop at this residual, relative to the right-hand side.
const TOLERANCE: f64 = 1e-10;

/// `mesh` after mean-curvature smoothing over the time `time`, in units of the squared RMS
/// radius of the surface (the area-weighted RMS distance of the faces from its centroid), so
/// that the result does not depend on the mesh's size: features smaller than about
/// `√time` radii are rounded off. Faces are unchanged; `time ≤ 0` returns the mesh as it is.
pub fn smooth(mesh: &TriMesh, time: f64) -> TriMesh {
    if time <= 0.0 || mesh.vertices.is_empty() {
        return mesh.clone();
    }
    CurvatureFlow::new(mesh).smooth(mesh, time)
}

/// What smoothing a mesh needs whatever the time: its lumped vertex areas `M`, its cotangent
/// weights (clamped at 0) and its RMS radius. Built once, it smooths the mesh over several
/// times ([`crate::face_flow`]).
pub(crate) struct CurvatureFlow {
    mass: Vec<f64>,
    /// Per vertex, the sum of its weights: the diagonal of `L`.
    degree: Vec<f64>,
    /// Per vertex, its neighbours with their (positive) weights.
    neighbours: Vec<Vec<(usize, f64)>>,
    /// The surface's area-weighted RMS radius, the unit of length of the smoothing time.
    pub(crate) rms: f64,
}

impl CurvatureFlow {
    /// The flow of `mesh`, or `None` for a mesh without vertices or of zero size, on which
    /// there is nothing to smooth or spread.
    pub(crate) fn of_sized(mesh: &TriMesh) -> Option<Self> {
        if mesh.vertices.is_empty() {
            return None;
        }
        let flow = CurvatureFlow::new(mesh);
        (flow.rms > 0.0).then_some(flow)
    }

    /// The mass, weights and radius of `mesh`.
    pub(crate) fn new(mesh: &TriMesh) -> Self {
        let n = mesh.vertices.len();
        let areas: Vec<f64> = (0..mesh.faces.len()).map(|f| mesh.face_area(f)).collect();
        let (_, rms) = surface_spread(&face_centroids(mesh), &areas);
        let mut mass = vec![0.0; n];
        let mut weights: std::collections::HashMap<(usize, usize), f64> = Default::default();
        for (face, corners) in mesh.faces.iter().enumerate() {
            let idx = corners.map(|v| v as usize);
            for k in 0..3 {
                mass[idx[k]] += areas[face] / 3.0;
                // The angle at corner k weighs the opposite edge.
                let (i, j) = (idx[(k + 1) % 3], idx[(k + 2) % 3]);
                let p = mesh.vertices[idx[k]];
                let (a, b) = (sub(mesh.vertices[i], p), sub(mesh.vertices[j], p));
                let sin = norm(cross(a, b));
                let cot = if sin > 0.0 {
                    (dot(a, b) / sin).clamp(0.0, MAX_COT)
                } else {
                    0.0
                };
                *weights.entry((i.min(j), i.max(j))).or_default() += 0.5 * cot;
            }
        }
        // A vertex that only degenerate faces touch still needs a positive mass.
        let floor = 1e-12 * mass.iter().sum::<f64>() / n.max(1) as f64;
        mass.iter_mut().for_each(|m| *m = m.max(floor));
        // In edge order, so that sums over neighbours repeat from run to run.
        let mut edges: Vec<((usize, usize), f64)> = weights.into_iter().collect();
        edges.sort_unstable_by_key(|e| e.0);
        let mut degree = vec![0.0; n];
        let mut neighbours = vec![Vec::new(); n];
        for ((i, j), w) in edges {
            if w > 0.0 {
                degree[i] += w;
                degree[j] += w;
                neighbours[i].push((j, w));
                neighbours[j].push((i, w));
            }
        }
        CurvatureFlow {
            mass,
            degree,
            neighbours,
            rms,
        }
    }

    /// `mesh` (the one this was built from) smoothed over `time` squared RMS radii, as
    /// [`smooth`] does.
    pub(crate) fn smooth(&self, mesh: &TriMesh, time: f64) -> TriMesh {
        let mut out = mesh.clone();
        if time <= 0.0 || self.rms <= 0.0 {
            return out;
        }
        let system = FlowSystem::new(self, time * self.rms * self.rms);
        for axis in 0..3 {
            let x0: Vec<f64> = mesh.vertices.iter().map(|v| v[axis]).collect();
            let rhs: Vec<f64> = x0.iter().zip(&self.mass).map(|(x, m)| x * m).collect();
            let x = system.solve(&rhs, x0);
            for (v, value) in out.vertices.iter_mut().zip(x) {
                v[axis] = value;
            }
        }
        out
    }

    /// A quantity per vertex, given as its integral over each vertex's area (`M u₀`), spread by
    /// one implicit step of the heat equation over `time` squared RMS radii: the density `u`
    /// solving `(M + t·L) u = M u₀`, which keeps the total `Σ M u` and averages `u₀` over about
    /// `√time` radii. `time ≤ 0` (or a surface of zero size) returns the density `u₀` itself.
    pub(crate) fn diffuse(&self, integrals: &[f64], time: f64) -> Vec<f64> {
        let density: Vec<f64> = integrals
            .iter()
            .zip(&self.mass)
            .map(|(q, m)| q / m)
            .collect();
        if time <= 0.0 || self.rms <= 0.0 {
            return density;
        }
        FlowSystem::new(self, time * self.rms * self.rms).solve(integrals, density)
    }
}

/// The sparse symmetric matrix `M + t·L` of one time step: its diagonal, and the weights of
/// [`CurvatureFlow`] scaled by `-t` off it.
struct FlowSystem<'a> {
    flow: &'a CurvatureFlow,
    diagonal: Vec<f64>,
    t: f64,
}

impl<'a> FlowSystem<'a> {
    fn new(flow: &'a CurvatureFlow, t: f64) -> Self {
        let diagonal = flow
            .mass
            .iter()
            .zip(&flow.degree)
            .map(|(m, d)| m + t * d)
            .collect();
        FlowSystem { flow, diagonal, t }
    }

    fn apply(&self, x: &[f64]) -> Vec<f64> {
        (0..x.len())
            .map(|i| {
                self.diagonal[i] * x[i]
                    + self.flow.neighbours[i]
                        .iter()
                        .map(|&(j, w)| -self.t * w * x[j])
                        .sum::<f64>()
            })
            .collect()
    }

    /// Preconditioned conjugate gradients from the guess `x`.
    fn solve(&self, rhs: &[f64], mut x: Vec<f64>) -> Vec<f64> {
        let scale = dot_n(rhs, rhs).sqrt().max(f64::MIN_POSITIVE);
        let mut r: Vec<f64> = rhs.iter().zip(self.apply(&x)).map(|(b, a)| b - a).collect();
        let mut z: Vec<f64> = r.iter().zip(&self.diagonal).map(|(r, d)| r / d).collect();
        let mut p = z.clone();
        let mut rz = dot_n(&r, &z);
        for _ in 0..10 * x.len().max(10) {
            if dot_n(&r, &r).sqrt() <= TOLERANCE * scale {
                break;
            }
            let ap = self.apply(&p);
            let alpha = rz / dot_n(&p, &ap);
            for i in 0..x.len() {
                x[i] += alpha * p[i];
                r[i] -= alpha * ap[i];
            }
            for ((z, r), d) in z.iter_mut().zip(&r).zip(&self.diagonal) {
                *z = r / d;
            }
            let next = dot_n(&r, &z);
            let beta = next / rz;
            rz = next;
            for i in 0..x.len() {
                p[i] = z[i] + beta * p[i];
            }
        }
        x
    }
}

fn dot_n(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;

    #[test]
    fn zero_time_changes_nothing_and_a_flat_patch_stays_flat() {
        let mesh = generate::icosphere(2);
        assert_eq!(smooth(&mesh, 0.0).vertices, mesh.vertices);
        // A triangulated square in the plane z = 0 stays in it.
        let grid = generate::flat_grid(6);
        let out = smooth(&grid, 0.01);
        assert_ne!(out.vertices, grid.vertices);
        assert!(out.vertices.iter().all(|v| v[2].abs() < 1e-12));
    }

    #[test]
    fn diffusion_keeps_the_total_and_spreads_it_further_with_time() {
        // All of a quantity on one vertex: its density spreads out, the total stays.
        let mesh = generate::icosphere(3);
        let flow = CurvatureFlow::new(&mesh);
        let mut integrals = vec![0.0; mesh.vertices.len()];
        integrals[0] = 1.0;
        let mut peaks = Vec::new();
        for t in [0.0, 0.001, 0.01, 0.1] {
            let density = flow.diffuse(&integrals, t);
            let total: f64 = density.iter().zip(&flow.mass).map(|(u, m)| u * m).sum();
            assert!((total - 1.0).abs() < 1e-8, "time {t}: total {total}");
            assert!(
                density.iter().all(|&u| u >= -1e-12),
                "time {t}: negative density"
            );
            peaks.push(density[0]);
        }
        assert!(peaks.windows(2).all(|w| w[1] < w[0]), "peaks {peaks:?}");
    }

    #[test]
    fn a_spike_is_rounded_off_and_the_rest_barely_moves() {
        // An icosphere with one vertex pulled out to twice the radius.
        let mut mesh = generate::icosphere(2);
        mesh.vertices[0] = mesh.vertices[0].map(|x| 2.0 * x);
        let out = smooth(&mesh, 0.1);
        let tip = norm(out.vertices[0]);
        assert!(tip < 1.8, "the spike kept {tip}");
        // Far from the spike the sphere stays round (the flow shrinks it evenly).
        let far: Vec<f64> = (0..mesh.vertices.len())
            .filter(|&v| dot(mesh.vertices[v], mesh.vertices[0]) < 0.0)
            .map(|v| norm(out.vertices[v]))
            .collect();
        let (lo, hi) = far.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
        assert!(lo > 0.7 && hi < 1.0 && hi - lo < 0.01 * hi, "{lo}..{hi}");
        // A longer time smooths more.
        assert!(norm(smooth(&mesh, 0.3).vertices[0]) < tip - 0.2);
    }

    #[test]
    fn smoothing_commutes_with_similarity_transforms() {
        let mut mesh = generate::icosphere(2);
        mesh.vertices[3] = mesh.vertices[3].map(|x| 1.5 * x);
        let moved = |m: &TriMesh| {
            let mut m = m.clone();
            m.vertices = m
                .vertices
                .iter()
                .map(|v| [3.0 * v[1] + 1.0, -3.0 * v[0] - 2.0, 3.0 * v[2] + 0.5])
                .collect();
            m
        };
        let a = moved(&smooth(&mesh, 0.005));
        let b = smooth(&moved(&mesh), 0.005);
        for (p, q) in a.vertices.iter().zip(&b.vertices) {
            assert!(norm(sub(*p, *q)) < 1e-8, "{p:?} vs {q:?}");
        }
        assert_ne!(a.vertices, moved(&mesh).vertices);
    }
}
