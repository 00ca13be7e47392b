//! The primal-dual convolution and face-cluster pooling on small closed meshes: attention
//! normalised per face, invariant to a relabelling of the faces, batched = per mesh, gradients
//! equal to finite differences; pooling a batch = pooling each mesh, pooled graphs valid for a
//! second layer, unpooling restores the old layout.

use burn::prelude::*;
use tessera_gnn::conv::PrimalDualConvConfig;
use tessera_gnn::graph::{Graph, PrimalDualBatch, PrimalDualGraph};
use tessera_gnn::pool::{FaceClusterPoolConfig, FaceClusterUnpoolConfig};

/// burn's CPU device has one random stream per process: tests that initialise layers take this
/// lock so that their weights are the same on every run.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn values(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// Face pairs sharing an edge, in first-seen edge order, `[i, j]` with `i < j`.
fn pairs(faces: &[[u32; 3]]) -> Vec<[u32; 2]> {
    let mut seen: Vec<([u32; 2], u32)> = Vec::new();
    let mut out = Vec::new();
    for (f, t) in faces.iter().enumerate() {
        for k in 0..3 {
            let (a, b) = (t[k], t[(k + 1) % 3]);
            let e = [a.min(b), a.max(b)];
            match seen.iter().find(|(x, _)| *x == e) {
                Some(&(_, g)) => out.push([g.min(f as u32), g.max(f as u32)]),
                None => seen.push((e, f as u32)),
            }
        }
    }
    out
}

/// PD-MeshNet configuration A: one dual node per pair, dual edges between pairs sharing a face.
/// `relabel[f]` renames face `f` (the pair order is kept).
fn mesh(faces: &[[u32; 3]], relabel: &[u32], phase: f32) -> PrimalDualGraph {
    let p = pairs(faces);
    let n = faces.len();
    let mut px = vec![0.0f32; n * 2];
    for (f, &r) in relabel.iter().enumerate().take(n) {
        let r = r as usize;
        px[2 * r] = (f as f32 * 0.7 + phase).sin();
        px[2 * r + 1] = (f as f32 * 1.3 - phase).cos();
    }
    let edges: Vec<[u32; 2]> = p
        .iter()
        .flat_map(|&[i, j]| {
            let (a, b) = (relabel[i as usize], relabel[j as usize]);
            [[a, b], [b, a]]
        })
        .collect();
    let primal = Graph::new(n, 2, px, edges, "primal").unwrap();
    let dx: Vec<f32> = (0..p.len() * 3)
        .map(|k| (k as f32 * 0.37 + phase).sin())
        .collect();
    let mut dual_edges = Vec::new();
    for (a, pa) in p.iter().enumerate() {
        for (b, pb) in p.iter().enumerate() {
            if a != b && pa.iter().any(|f| pb.contains(f)) {
                dual_edges.push([b as u32, a as u32]);
            }
        }
    }
    let dual = Graph::new(p.len(), 3, dx, dual_edges, "dual").unwrap();
    let of_edge = (0..p.len() as u32).flat_map(|d| [d, d]).collect();
    PrimalDualGraph::new(primal, dual, of_edge, "mesh").unwrap()
}

const TETRA: [[u32; 3]; 4] = [[0, 1, 2], [0, 3, 1], [1, 3, 2], [2, 3, 0]];
/// An octahedron: 8 faces, 12 pairs.
const OCTA: [[u32; 3]; 8] = [
    [0, 2, 4],
    [2, 1, 4],
    [1, 3, 4],
    [3, 0, 4],
    [2, 0, 5],
    [1, 2, 5],
    [3, 1, 5],
    [0, 3, 5],
];

fn identity(n: usize) -> Vec<u32> {
    (0..n as u32).collect()
}

#[test]
fn attention_relabelling_and_batching() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    device.seed(5);
    let conv = PrimalDualConvConfig::new(2, 3, 4, 5)
        .with_heads(3)
        .init(&device);
    let run = |graphs: &[&PrimalDualGraph]| {
        let b = PrimalDualBatch::new(graphs).unwrap().to_device(&device);
        conv.forward(b.primal.x.clone(), b.dual.x.clone(), &b)
    };
    let octa = mesh(&OCTA, &identity(8), 0.3);
    let out = run(&[&octa]);
    assert_eq!(out.primal.dims(), [8, 12]);
    assert_eq!(out.dual.dims(), [12, 15]);
    // Each face has 3 incoming primal edges; per head their attention sums to 1.
    let att = values(out.attention.clone());
    let dst: Vec<u32> = octa.primal.edges.iter().map(|e| e[1]).collect();
    for f in 0..8 {
        for h in 0..3 {
            let s: f32 = (0..dst.len())
                .filter(|&e| dst[e] == f)
                .map(|e| att[e * 3 + h])
                .sum();
            assert!((s - 1.0).abs() < 1e-5, "face {f} head {h}: {s}");
        }
    }
    // Relabelled faces: the same outputs, moved with the faces.
    let perm = [5u32, 2, 7, 0, 3, 6, 1, 4];
    let moved = run(&[&mesh(&OCTA, &perm, 0.3)]);
    let (a, b) = (values(out.primal.clone()), values(moved.primal));
    for f in 0..8 {
        let g = perm[f] as usize;
        for c in 0..12 {
            assert!((a[f * 12 + c] - b[g * 12 + c]).abs() < 1e-5);
        }
    }
    assert_eq!(values(out.dual.clone()), values(moved.dual));
    // Batched with a tetrahedron: each part equals the mesh alone.
    let tetra = mesh(&TETRA, &identity(4), 1.1);
    let both = run(&[&tetra, &octa]);
    let alone = run(&[&tetra]);
    let (pb, pt) = (values(both.primal), values(alone.primal));
    assert!(
        pt.iter()
            .zip(&pb[..pt.len()])
            .all(|(x, y)| (x - y).abs() < 1e-5)
    );
    assert!(
        a.iter()
            .zip(&pb[pt.len()..])
            .all(|(x, y)| (x - y).abs() < 1e-5)
    );
    let (db, dt) = (values(both.dual), values(alone.dual));
    assert!(
        dt.iter()
            .zip(&db[..dt.len()])
            .all(|(x, y)| (x - y).abs() < 1e-5)
    );
    // Averaged heads.
    let mean = PrimalDualConvConfig::new(2, 3, 4, 5)
        .with_heads(3)
        .with_concat(false)
        .init(&device);
    let b = PrimalDualBatch::new(&[&octa]).unwrap().to_device(&device);
    let o = mean.forward(b.primal.x.clone(), b.dual.x.clone(), &b);
    assert_eq!((o.primal.dims(), o.dual.dims()), ([8, 4], [12, 5]));
    // A dual node index past the dual graph is refused.
    assert!(
        PrimalDualGraph::new(octa.primal.clone(), octa.dual.clone(), vec![99; 24], "bad").is_err()
    );
    assert!(
        PrimalDualGraph::new(octa.primal.clone(), octa.dual.clone(), vec![0; 3], "bad").is_err()
    );
}

/// `loss(primal, dual)`'s gradients for the octahedron `g` (8 faces × 2, 12 pairs × 3) against
/// central differences; at most `kinks` inputs may disagree (a kink inside the step), and some
/// gradient must be non-zero.
fn assert_gradients(
    loss: &dyn Fn(Tensor<2>, Tensor<2>) -> Tensor<1>,
    g: &PrimalDualGraph,
    device: &Device,
    kinks: usize,
) {
    let (p0, d0) = (g.primal.x.clone(), g.dual.x.clone());
    let p = Tensor::<2>::from_data(TensorData::new(p0.clone(), [8, 2]), device).require_grad();
    let d = Tensor::<2>::from_data(TensorData::new(d0.clone(), [12, 3]), device).require_grad();
    let grads = loss(p.clone(), d.clone()).backward();
    let (gp, gd) = (
        values(p.grad(&grads).unwrap()),
        values(d.grad(&grads).unwrap()),
    );
    assert!(gp.iter().chain(&gd).any(|&v| v.abs() > 1e-3), "no gradient");
    let at = |which: usize, i: usize, h: f32| {
        let (mut pv, mut dv) = (p0.clone(), d0.clone());
        if which == 0 {
            pv[i] += h
        } else {
            dv[i] += h
        }
        loss(
            Tensor::from_data(TensorData::new(pv, [8, 2]), device),
            Tensor::from_data(TensorData::new(dv, [12, 3]), device),
        )
        .into_scalar::<f32>()
    };
    let h = 1e-2f32;
    let mut off = 0;
    for (which, analytic) in [(0usize, &gp), (1, &gd)] {
        for (i, &a) in analytic.iter().enumerate() {
            let numeric = (at(which, i, h) - at(which, i, -h)) / (2.0 * h);
            if (a - numeric).abs() >= 3e-2 * (1.0 + numeric.abs()) {
                off += 1;
            }
        }
    }
    assert!(
        off <= kinks,
        "{off} of {} inputs disagree with finite differences",
        gp.len() + gd.len()
    );
}

/// `d/dx Σ (primal'² + dual'²)` for both inputs against central differences.
#[test]
fn gradients_match_finite_differences() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex().autodiff();
    device.seed(11);
    let conv = PrimalDualConvConfig::new(2, 3, 3, 2)
        .with_heads(2)
        .init(&device);
    let g = mesh(&OCTA, &identity(8), 0.9);
    let b = PrimalDualBatch::new(&[&g]).unwrap().to_device(&device);
    let loss = |p: Tensor<2>, d: Tensor<2>| {
        let o = conv.forward(p, d, &b);
        o.primal.powf_scalar(2.0).sum() + o.dual.powf_scalar(2.0).sum()
    };
    // At most two LeakyReLU kinks inside the step.
    assert_gradients(&loss, &g, &device, 2);
}

/// The same check through convolution + face-cluster pooling (keep 0.7, mean): the merge is
/// differentiable; the clustering is a fixed choice unless a step reorders the attention.
#[test]
fn gradients_flow_through_pooling() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex().autodiff();
    device.seed(12);
    let conv = PrimalDualConvConfig::new(2, 3, 3, 2)
        .with_heads(2)
        .init(&device);
    let pool = FaceClusterPoolConfig::new().with_keep(0.7).init().unwrap();
    let g = mesh(&OCTA, &identity(8), 0.6);
    let cpu = PrimalDualBatch::new(&[&g]).unwrap();
    let b = cpu.to_device(&device);
    let loss = |p: Tensor<2>, d: Tensor<2>| {
        let o = conv.forward(p, d, &b);
        let pooled = pool.forward(o.primal, o.dual, o.attention, &cpu).unwrap();
        // Weights by position so that the merge's averaging matters.
        let [n, c] = pooled.primal.dims();
        let w: Vec<f32> = (0..n * c).map(|k| k as f32 * 0.1).collect();
        let w = Tensor::<2>::from_data(TensorData::new(w, [n, c]), &device);
        (pooled.primal * w).sum() + pooled.dual.powf_scalar(2.0).sum()
    };
    assert_gradients(&loss, &g, &device, 2);
}

/// Convolution, pooling (keep 0.7), a second convolution on the pooled graphs, unpooling.
#[test]
fn face_cluster_pooling() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    device.seed(21);
    let conv = PrimalDualConvConfig::new(2, 3, 4, 5)
        .with_heads(3)
        .init(&device);
    let conv2 = PrimalDualConvConfig::new(12, 15, 2, 2).init(&device);
    let pool = FaceClusterPoolConfig::new().with_keep(0.7).init().unwrap();
    let (octa, tetra) = (
        mesh(&OCTA, &identity(8), 0.4),
        mesh(&TETRA, &identity(4), 2.0),
    );
    let pooled = |graphs: &[&PrimalDualGraph]| {
        let cpu = PrimalDualBatch::new(graphs).unwrap();
        let b = cpu.to_device(&device);
        let o = conv.forward(b.primal.x.clone(), b.dual.x.clone(), &b);
        pool.forward(o.primal, o.dual, o.attention, &cpu).unwrap()
    };
    let both = pooled(&[&octa, &tetra]);
    let (po, pt) = (pooled(&[&octa]), pooled(&[&tetra]));
    // Octahedron: 12 pairs, 3 contracted; tetrahedron: 6 pairs, 1 contracted.
    assert_eq!(po.info.clusterings[0].contracted.len(), 3);
    assert_eq!(pt.info.clusterings[0].contracted.len(), 1);
    let cat = |a: Tensor<2>, b: Tensor<2>| [values(a), values(b)].concat();
    let close = |x: &[f32], y: &[f32]| {
        x.len() == y.len() && x.iter().zip(y).all(|(a, b)| (a - b).abs() < 1e-5)
    };
    assert!(close(
        &values(both.primal.clone()),
        &cat(po.primal.clone(), pt.primal.clone())
    ));
    assert!(close(
        &values(both.dual.clone()),
        &cat(po.dual.clone(), pt.dual.clone())
    ));
    // Mean pooling: a cluster's features are the mean of its faces'.
    let cpu = PrimalDualBatch::new(&[&octa]).unwrap();
    let b = cpu.to_device(&device);
    let o = conv.forward(b.primal.x.clone(), b.dual.x.clone(), &b);
    let faces = values(o.primal.clone());
    let clusters = values(po.primal.clone());
    let map = &po.info.face_map;
    for c in 0..po.batch.primal.num_nodes {
        let members: Vec<usize> = (0..8).filter(|&f| map[f] as usize == c).collect();
        for k in 0..12 {
            let mean =
                members.iter().map(|&f| faces[f * 12 + k]).sum::<f32>() / members.len() as f32;
            assert!((clusters[c * 12 + k] - mean).abs() < 1e-5);
        }
    }
    // The pooled pair is a valid input of the next layer: every face's attention sums to 1.
    let o2 = conv2.forward(both.primal.clone(), both.dual.clone(), &both.device_batch);
    let att = values(o2.attention);
    let dst = &both.batch.primal.dst;
    for f in 0..both.batch.primal.num_nodes as u32 {
        let s: f32 = (0..dst.len())
            .filter(|&e| dst[e] == f)
            .map(|e| att[e])
            .sum();
        let incoming = dst.iter().filter(|&&d| d == f).count();
        assert!(incoming == 0 || (s - 1.0).abs() < 1e-5, "cluster {f}: {s}");
    }
    // Unpooling: old faces take their cluster's row, vanished dual nodes the learned vector.
    let unpool = FaceClusterUnpoolConfig::new(15).init(&device);
    let (uf, ud) = unpool.forward(both.primal.clone(), both.dual.clone(), &both.info);
    assert_eq!(uf.dims(), [12, 12]);
    assert_eq!(ud.dims(), [18, 15]);
    assert_eq!(both.batch.primal.num_nodes, 12 - 3 - 1);
    let (uf, ud, pd) = (values(uf), values(ud), values(both.dual.clone()));
    let pf = values(both.primal.clone());
    for (f, &c) in both.info.face_map.iter().enumerate() {
        assert_eq!(
            uf[f * 12..f * 12 + 12],
            pf[c as usize * 12..c as usize * 12 + 12]
        );
    }
    let vanished: Vec<usize> = (0..18)
        .filter(|&d| both.info.dual_map[d].is_none())
        .collect();
    assert!(!vanished.is_empty());
    for d in 0..18 {
        match both.info.dual_map[d] {
            Some(n) => assert_eq!(
                ud[d * 15..d * 15 + 15],
                pd[n as usize * 15..n as usize * 15 + 15]
            ),
            None => assert_eq!(
                ud[d * 15..d * 15 + 15],
                ud[vanished[0] * 15..vanished[0] * 15 + 15]
            ),
        }
    }
    // Attention for another batch is refused.
    let wrong = Tensor::<2>::zeros([5, 3], &device);
    assert!(
        pool.forward(both.primal.clone(), both.dual.clone(), wrong, &cpu)
            .is_err()
    );
    assert!(FaceClusterPoolConfig::new().with_keep(1.5).init().is_err());
    // A mesh that pooling would collapse to one face: a clear error, no panic.
    let all = FaceClusterPoolConfig::new().with_keep(0.0).init().unwrap();
    let cpu = PrimalDualBatch::new(&[&tetra]).unwrap();
    let b = cpu.to_device(&device);
    let o = conv.forward(b.primal.x.clone(), b.dual.x.clone(), &b);
    let err = all
        .forward(o.primal, o.dual, o.attention, &cpu)
        .unwrap_err()
        .to_string();
    assert!(err.contains("too small"), "{err}");
}
