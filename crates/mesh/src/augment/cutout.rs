//! Cutout for meshes: the input features of one connected patch of faces, and of every face
//! pair that touches it, are replaced by the training mean, so that a network cannot lean on
//! one part of a shape alone (a tree's pointed tips, say) and learns the other cues too (its
//! trunk, where branches meet). The faces and their adjacencies stay; only what the network
//! is told about them goes.

use std::collections::VecDeque;

use crate::{FaceGraph, FeatureStats};
use rand::{Rng, RngExt};

/// A patch of `count` faces (all of them when `count` is larger) grown breadth-first over
/// face adjacency from a random face, as one flag per face: a ball of faces around it, as
/// near to round as the mesh allows. A patch cannot cross into a part of the mesh that is
/// not connected to its first face; it stops smaller there.
pub fn face_patch(faces: &FaceGraph, count: usize, rng: &mut impl Rng) -> Vec<bool> {
    let mut hidden = vec![false; faces.num_faces];
    if faces.num_faces == 0 || count == 0 {
        return hidden;
    }
    let around = faces.pairs_of_face();
    let start = rng.random_range(0..faces.num_faces);
    let mut queue = VecDeque::from([start]);
    hidden[start] = true;
    let mut taken = 1;
    while let Some(face) = queue.pop_front() {
        for &p in &around[face] {
            if taken == count {
                return hidden;
            }
            let [i, j] = faces.pairs[p as usize];
            let other = if i as usize == face { j } else { i } as usize;
            if !hidden[other] {
                hidden[other] = true;
                taken += 1;
                queue.push_back(other);
            }
        }
    }
    hidden
}

/// Replaces, in raw features (before z-scoring, row-major), the rows of the `hidden` faces in
/// `primal` and of every pair of `faces` with a hidden face in `dual` by the statistics' means,
/// which the z-score maps to zero.
pub fn hide(
    faces: &FaceGraph,
    hidden: &[bool],
    (primal, dual): (&mut [f64], &mut [f64]),
    (primal_stats, dual_stats): (&FeatureStats, &FeatureStats),
) {
    let mean_row = |row: &mut [f64], stats: &FeatureStats| row.copy_from_slice(&stats.mean);
    for (row, _) in primal
        .chunks_exact_mut(primal_stats.mean.len())
        .zip(hidden)
        .filter(|(_, h)| **h)
    {
        mean_row(row, primal_stats);
    }
    for (row, [i, j]) in dual
        .chunks_exact_mut(dual_stats.mean.len())
        .zip(&faces.pairs)
    {
        if hidden[*i as usize] || hidden[*j as usize] {
            mean_row(row, dual_stats);
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;

    use super::*;

    /// A strip of `n` faces, each adjacent to the next.
    fn strip(n: u32) -> FaceGraph {
        FaceGraph {
            num_faces: n as usize,
            pairs: (0..n - 1).map(|i| [i, i + 1]).collect(),
        }
    }

    #[test]
    fn a_patch_has_the_size_asked_and_is_connected() {
        let faces = strip(40);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for count in [0, 1, 7, 40, 100] {
            let hidden = face_patch(&faces, count, &mut rng);
            let ids: Vec<usize> = (0..40).filter(|&f| hidden[f]).collect();
            assert_eq!(ids.len(), count.min(40), "count {count}");
            // On a strip a connected patch is a run of consecutive faces.
            if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
                assert_eq!(last - first + 1, ids.len(), "{ids:?}");
            }
        }
    }

    #[test]
    fn a_patch_stays_in_its_component() {
        // Faces 0–2 and 3–5: two strips that do not touch.
        let faces = FaceGraph {
            num_faces: 6,
            pairs: vec![[0, 1], [1, 2], [3, 4], [4, 5]],
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(0);
        for _ in 0..20 {
            let hidden = face_patch(&faces, 5, &mut rng);
            let left = hidden[..3].iter().filter(|h| **h).count();
            let right = hidden[3..].iter().filter(|h| **h).count();
            assert!(
                (left == 3 && right == 0) || (left == 0 && right == 3),
                "{hidden:?}"
            );
        }
    }

    #[test]
    fn hiding_sets_the_patch_and_its_pairs_to_the_mean() {
        let faces = strip(4);
        let stats = |mean: Vec<f64>| FeatureStats {
            std: vec![1.0; mean.len()],
            constant: vec![false; mean.len()],
            mean,
            count: 1,
        };
        let (ps, ds) = (stats(vec![-1.0, -2.0]), stats(vec![9.0]));
        let mut primal: Vec<f64> = (0..8).map(f64::from).collect();
        let mut dual = vec![1.0, 2.0, 3.0];
        let hidden = [false, false, true, false];
        hide(&faces, &hidden, (&mut primal, &mut dual), (&ps, &ds));
        assert_eq!(primal, [0.0, 1.0, 2.0, 3.0, -1.0, -2.0, 6.0, 7.0]);
        // Pairs {1, 2} and {2, 3} touch face 2; {0, 1} does not.
        assert_eq!(dual, [1.0, 9.0, 9.0]);
    }
}
