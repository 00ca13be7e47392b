//! Face clustering, the non-learned half of PD-MeshNet's pooling: contract the highest-scoring
//! primal edges with union-find and build the coarser primal and dual graphs with the maps that
//! unpooling needs.

use std::collections::HashMap;

use crate::error::{MeshError, Result};
use crate::graph::{DualConfig, DualGraph, FaceGraph};
use crate::topology::UnionFind;

/// How many primal edges to contract.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Keep {
    /// Keep this fraction of the edges: contract `floor((1 − fraction) · E)` of them
    /// (PD-MeshNet's `fraction_to_keep`; 0.8 in its classifiers).
    Fraction(f64),
    /// Contract edges until at most this many clusters remain (or no edge is left).
    Clusters(usize),
}

/// How merged features combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Aggregate {
    /// The mean of the members (PD-MeshNet's default).
    #[default]
    Mean,
    /// The sum of the members.
    Sum,
}

/// The result of one clustering step.
#[derive(Clone, Debug, PartialEq)]
pub struct Clustering {
    /// The cluster of each old face (clusters numbered by their smallest face, ascending).
    pub face_to_cluster: Vec<u32>,
    /// The coarser primal graph: one node per cluster, pairs of adjacent clusters.
    pub graph: FaceGraph,
    /// For each old pair, the new pair it was merged into, or `None` when both faces fell in
    /// the same cluster (the dual node vanishes).
    pub pair_to_new: Vec<Option<u32>>,
    /// The old pairs contracted, in the order they were chosen.
    pub contracted: Vec<u32>,
}

/// Clusters faces by contracting the highest-scoring pairs (`scores[p]` for pair `p` of
/// `graph`). Ties go to the lower pair index; union-find keeps the smaller face as root, so the
/// result is deterministic. Works on any [`FaceGraph`], including an already-coarsened one.
///
/// # Errors
/// [`MeshError::ScoreCount`] when scores and pairs differ in number, [`MeshError::NanScore`],
/// [`MeshError::Setting`] when the keep fraction is outside [0, 1].
pub fn cluster_faces(graph: &FaceGraph, scores: &[f64], keep: Keep) -> Result<Clustering> {
    if scores.len() != graph.pairs.len() {
        return Err(MeshError::ScoreCount {
            scores: scores.len(),
            edges: graph.pairs.len(),
        });
    }
    if let Some(edge) = scores.iter().position(|s| s.is_nan()) {
        return Err(MeshError::NanScore { edge });
    }
    let mut order: Vec<u32> = (0..graph.pairs.len() as u32).collect();
    order.sort_by(|&a, &b| {
        scores[b as usize]
            .total_cmp(&scores[a as usize])
            .then(a.cmp(&b))
    });
    let mut uf = UnionFind::new(graph.num_faces);
    let mut contracted = Vec::new();
    match keep {
        Keep::Fraction(f) => {
            if !(0.0..=1.0).contains(&f) {
                return Err(MeshError::Setting {
                    name: "keep fraction".into(),
                    value: f,
                    must_be: "in [0, 1]",
                });
            }
            // The epsilon keeps floor((1 - 0.8) · 120) at 24 despite rounding (0.19999…).
            let k = ((1.0 - f) * graph.pairs.len() as f64 + 1e-9).floor() as usize;
            for &p in order.iter().take(k) {
                let [i, j] = graph.pairs[p as usize];
                uf.union(i, j);
                contracted.push(p);
            }
        }
        Keep::Clusters(target) => {
            let mut clusters = graph.num_faces;
            for &p in &order {
                if clusters <= target {
                    break;
                }
                let [i, j] = graph.pairs[p as usize];
                if uf.union(i, j) {
                    clusters -= 1;
                }
                contracted.push(p);
            }
        }
    }
    // Number clusters by their root (the smallest face), ascending.
    let roots: Vec<u32> = (0..graph.num_faces as u32).map(|f| uf.find(f)).collect();
    let mut id = vec![u32::MAX; graph.num_faces];
    let mut next = 0u32;
    for &r in &roots {
        let r = r as usize;
        if id[r] == u32::MAX {
            id[r] = next;
            next += 1;
        }
    }
    let face_to_cluster: Vec<u32> = roots.iter().map(|&r| id[r as usize]).collect();
    // New pairs: relabel, drop pairs inside a cluster, coalesce repeats (first appearance order).
    let mut new_index: HashMap<[u32; 2], u32> = HashMap::new();
    let mut pairs = Vec::new();
    let pair_to_new = graph
        .pairs
        .iter()
        .map(|&[i, j]| {
            let (a, b) = (face_to_cluster[i as usize], face_to_cluster[j as usize]);
            if a == b {
                return None;
            }
            let key = [a.min(b), a.max(b)];
            Some(*new_index.entry(key).or_insert_with(|| {
                pairs.push(key);
                (pairs.len() - 1) as u32
            }))
        })
        .collect();
    Ok(Clustering {
        face_to_cluster,
        graph: FaceGraph {
            num_faces: next as usize,
            pairs,
        },
        pair_to_new,
        contracted,
    })
}

impl Clustering {
    /// Checks that this is a valid coarsening of `before`: every face in a cluster that exists,
    /// every cluster non-empty and connected through contracted pairs of `before`, the new pairs
    /// exactly the distinct cluster pairs of `before`'s pairs (`i < j`, no self-pair), and every
    /// old pair mapped to its new pair or, inside a cluster, to none.
    ///
    /// # Errors
    /// [`MeshError::BrokenClustering`] naming the first violation.
    pub fn validate(&self, before: &FaceGraph) -> Result<()> {
        let bad = |detail: String| Err(MeshError::BrokenClustering { detail });
        let n = self.graph.num_faces;
        if self.face_to_cluster.len() != before.num_faces
            || self.pair_to_new.len() != before.pairs.len()
        {
            return bad(format!(
                "maps for {} faces and {} pairs; the graph has {} and {}",
                self.face_to_cluster.len(),
                self.pair_to_new.len(),
                before.num_faces,
                before.pairs.len()
            ));
        }
        if let Some(f) = self.face_to_cluster.iter().position(|&c| c as usize >= n) {
            return bad(format!("face {f} is in a cluster beyond the {n} clusters"));
        }
        // Connectivity inside clusters: union the contracted pairs.
        let mut uf = UnionFind::new(before.num_faces);
        for &p in &self.contracted {
            let [i, j] = before.pairs[p as usize];
            uf.union(i, j);
        }
        let mut root_of_cluster = vec![None; n];
        for (f, &c) in self.face_to_cluster.iter().enumerate() {
            let r = uf.find(f as u32);
            match root_of_cluster[c as usize] {
                None => root_of_cluster[c as usize] = Some(r),
                Some(r0) if r0 != r => {
                    return bad(format!(
                        "cluster {c} is not connected by contracted pairs (face {f})"
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(c) = root_of_cluster.iter().position(Option::is_none) {
            return bad(format!("cluster {c} has no face"));
        }
        let index: HashMap<[u32; 2], u32> = self
            .graph
            .pairs
            .iter()
            .enumerate()
            .map(|(q, &p)| (p, q as u32))
            .collect();
        if index.len() != self.graph.pairs.len() {
            return bad("a new pair is listed twice".into());
        }
        let mut used = vec![false; self.graph.pairs.len()];
        for (p, &[i, j]) in before.pairs.iter().enumerate() {
            let (a, b) = (
                self.face_to_cluster[i as usize],
                self.face_to_cluster[j as usize],
            );
            let expected = (a != b).then(|| index.get(&[a.min(b), a.max(b)]).copied());
            match (expected, self.pair_to_new[p]) {
                (None, None) => {}
                (Some(Some(q)), Some(got)) if q == got => used[q as usize] = true,
                _ => {
                    return bad(format!(
                        "old pair {p} (clusters {a}, {b}) maps to {:?}",
                        self.pair_to_new[p]
                    ));
                }
            }
        }
        if let Some(q) = used.iter().position(|&u| !u) {
            return bad(format!("new pair {q} comes from no old pair"));
        }
        Ok(())
    }

    /// Pools per-face features (`channels` per face, row-major) into per-cluster features.
    pub fn pool_faces(&self, values: &[f64], channels: usize, how: Aggregate) -> Vec<f64> {
        merge(
            values,
            channels,
            self.graph.num_faces,
            self.face_to_cluster.iter().map(|&c| Some(c)),
            how,
        )
    }

    /// Pools per-pair (config A dual) features into the new pairs; pairs that vanished inside a
    /// cluster are dropped.
    pub fn pool_pairs(&self, values: &[f64], channels: usize, how: Aggregate) -> Vec<f64> {
        merge(
            values,
            channels,
            self.graph.pairs.len(),
            self.pair_to_new.iter().copied(),
            how,
        )
    }

    /// The new directed primal edge of each old directed primal edge (`2p` = `i → j`,
    /// `2p + 1` = `j → i`), `None` inside a cluster: the dual-node map of configs B and C.
    pub fn directed_to_new(&self, old: &FaceGraph) -> Vec<Option<u32>> {
        old.pairs
            .iter()
            .zip(&self.pair_to_new)
            .flat_map(|(&[i, _], new)| {
                let forward = new.map(|q| {
                    // i → j keeps the new pair's direction when i's cluster is its first node.
                    let keeps = self.face_to_cluster[i as usize] == self.graph.pairs[q as usize][0];
                    if keeps { 2 * q } else { 2 * q + 1 }
                });
                [forward, forward.map(|d| d ^ 1)]
            })
            .collect()
    }

    /// Pools per-directed-edge (config B/C dual) features into the new directed edges.
    pub fn pool_directed(
        &self,
        old: &FaceGraph,
        values: &[f64],
        channels: usize,
        how: Aggregate,
    ) -> Vec<f64> {
        let map = self.directed_to_new(old);
        merge(
            values,
            channels,
            2 * self.graph.pairs.len(),
            map.into_iter(),
            how,
        )
    }

    /// The coarser dual graph (rebuilt as the line graph of the new primal graph).
    pub fn dual(&self, config: DualConfig) -> DualGraph {
        self.graph.dual(config)
    }

    /// Unpooling of face values: every old face takes its cluster's row.
    pub fn unpool_faces(&self, values: &[f64], channels: usize) -> Vec<f64> {
        self.face_to_cluster
            .iter()
            .flat_map(|&c| {
                values[c as usize * channels..(c as usize + 1) * channels]
                    .iter()
                    .copied()
            })
            .collect()
    }

    /// Unpooling of pair values: every old pair takes its new pair's row, vanished pairs `fill`
    /// (PD-MeshNet's learned vector).
    pub fn unpool_pairs(&self, values: &[f64], channels: usize, fill: &[f64]) -> Vec<f64> {
        self.pair_to_new
            .iter()
            .flat_map(|p| match p {
                Some(p) => values[*p as usize * channels..(*p as usize + 1) * channels].to_vec(),
                None => fill.to_vec(),
            })
            .collect()
    }
}

fn merge(
    values: &[f64],
    channels: usize,
    groups: usize,
    target: impl Iterator<Item = Option<u32>>,
    how: Aggregate,
) -> Vec<f64> {
    let mut out = vec![0.0; groups * channels];
    let mut count = vec![0u32; groups];
    for (row, t) in values.chunks_exact(channels).zip(target) {
        if let Some(g) = t {
            let g = g as usize;
            count[g] += 1;
            for (o, v) in out[g * channels..(g + 1) * channels].iter_mut().zip(row) {
                *o += v;
            }
        }
    }
    if how == Aggregate::Mean {
        for (g, &n) in count.iter().enumerate() {
            if n > 1 {
                out[g * channels..(g + 1) * channels]
                    .iter_mut()
                    .for_each(|v| *v /= n as f64);
            }
        }
    }
    out
}
