//! The face clustering's union-find against petgraph's `UnionFind`, on the pair list a
//! clustering step sees: the faces of a 1000 × 1000 grid, their adjacent pairs in a shuffled
//! (score) order, 80 % of them contracted, then every face's root read. Both give the same
//! partition (checked before timing); the issue asked for petgraph's "if it is not slower".
//!
//! `cargo bench -p tessera-mesh --features petgraph --bench union_find`

use criterion::{Criterion, criterion_group, criterion_main};
use tessera_mesh::UnionFind;

const SIDE: u32 = 1000;

/// Adjacent pairs of a `SIDE × SIDE` grid of faces, shuffled by a fixed xorshift.
fn shuffled_pairs() -> Vec<[u32; 2]> {
    let mut pairs = Vec::new();
    for i in 0..SIDE {
        for j in 0..SIDE {
            let f = i * SIDE + j;
            if j + 1 < SIDE {
                pairs.push([f, f + 1]);
            }
            if i + 1 < SIDE {
                pairs.push([f, f + SIDE]);
            }
        }
    }
    let mut state = 12345u64;
    for k in (1..pairs.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        pairs.swap(k, (state % (k as u64 + 1)) as usize);
    }
    pairs.truncate(pairs.len() * 8 / 10);
    pairs
}

fn own_roots(n: usize, pairs: &[[u32; 2]]) -> Vec<u32> {
    let mut uf = UnionFind::new(n);
    for &[a, b] in pairs {
        uf.union(a, b);
    }
    (0..n as u32).map(|f| uf.find(f)).collect()
}

fn petgraph_roots(n: usize, pairs: &[[u32; 2]]) -> Vec<u32> {
    let mut uf = petgraph::unionfind::UnionFind::<u32>::new(n);
    for &[a, b] in pairs {
        uf.union(a, b);
    }
    (0..n as u32).map(|f| uf.find_mut(f)).collect()
}

fn benches(c: &mut Criterion) {
    let n = (SIDE * SIDE) as usize;
    let pairs = shuffled_pairs();
    let (own, theirs) = (own_roots(n, &pairs), petgraph_roots(n, &pairs));
    // Same partition: two faces share a root in one exactly when they do in the other.
    assert!(
        (0..n).all(|f| own[theirs[f] as usize] == own[f] && theirs[own[f] as usize] == theirs[f]),
        "the two union-finds disagree on the partition"
    );
    let mut group = c.benchmark_group("union_find_1M_faces");
    group.bench_function("tessera_mesh", |b| b.iter(|| own_roots(n, &pairs)));
    group.bench_function("petgraph", |b| b.iter(|| petgraph_roots(n, &pairs)));
    group.finish();
}

criterion_group! {
    name = union_find;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(union_find);
