//! The primal-dual convolution on small closed meshes: attention normalised per face, invariant
//! to a relabelling of the faces, batched = per mesh, gradients equal to finite differences.

use burn::prelude::*;
use tessera_gnn::conv::PrimalDualConvConfig;
use tessera_gnn::graph::{Graph, PrimalDualBatch, PrimalDualGraph};

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
    let (p0, d0) = (g.primal.x.clone(), g.dual.x.clone());
    let p = Tensor::<2>::from_data(TensorData::new(p0.clone(), [8, 2]), &device).require_grad();
    let d = Tensor::<2>::from_data(TensorData::new(d0.clone(), [12, 3]), &device).require_grad();
    let grads = loss(p.clone(), d.clone()).backward();
    let (gp, gd) = (
        values(p.grad(&grads).unwrap()),
        values(d.grad(&grads).unwrap()),
    );
    let at = |which: usize, i: usize, h: f32| {
        let (mut pv, mut dv) = (p0.clone(), d0.clone());
        if which == 0 {
            pv[i] += h
        } else {
            dv[i] += h
        }
        loss(
            Tensor::from_data(TensorData::new(pv, [8, 2]), &device),
            Tensor::from_data(TensorData::new(dv, [12, 3]), &device),
        )
        .into_scalar::<f32>()
    };
    let h = 1e-2f32;
    let mut kinks = 0;
    for (which, analytic) in [(0usize, &gp), (1, &gd)] {
        for (i, &a) in analytic.iter().enumerate() {
            let numeric = (at(which, i, h) - at(which, i, -h)) / (2.0 * h);
            let tol = 3e-2 * (1.0 + numeric.abs());
            if (a - numeric).abs() >= tol {
                // A LeakyReLU kink inside the step.
                kinks += 1;
            }
        }
    }
    assert!(
        kinks <= 2,
        "{kinks} of {} inputs disagree with finite differences",
        gp.len() + gd.len()
    );
}
