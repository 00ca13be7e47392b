//! Layers and readouts: hand-computed reductions, finite-difference gradients, permutation
//! equivariance/invariance, and batched = per-graph.

use burn::prelude::*;
use tessera_gnn::conv::{
    ChebConvConfig, GatConvConfig, GcnConvConfig, GinConvConfig, SageConvConfig,
};
use tessera_gnn::graph::{
    DeviceBatch, Graph, GraphBatch, Segments, scatter_max, scatter_mean, scatter_sum,
    segment_softmax,
};
use tessera_gnn::readout::{
    AttSetsReadoutConfig, AttentionReadoutConfig, BasicReadout, GemReadoutConfig,
    HistographReadoutConfig, HopfieldReadoutConfig, LatentAttentionReadoutConfig,
    MultiLayerPoolingConfig,
};

fn values(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// A small irregular graph: 5 nodes, undirected edges, 2 features.
fn graph(perm: &[u32]) -> Graph {
    let edges = [[0u32, 1], [1, 2], [2, 0], [2, 3], [3, 4]];
    let x = [0.5f32, -1.0, 1.5, 0.25, -0.75, 2.0, 1.0, 1.0, -2.0, 0.1];
    let mut new_x = vec![0.0; 10];
    for (old, &new) in perm.iter().enumerate() {
        new_x[2 * new as usize] = x[2 * old];
        new_x[2 * new as usize + 1] = x[2 * old + 1];
    }
    let e = edges
        .iter()
        .flat_map(|&[a, b]| {
            [
                [perm[a as usize], perm[b as usize]],
                [perm[b as usize], perm[a as usize]],
            ]
        })
        .collect();
    Graph::new(5, 2, new_x, e, "test").unwrap()
}

const ID: [u32; 5] = [0, 1, 2, 3, 4];
const PERM: [u32; 5] = [3, 0, 4, 1, 2];

#[test]
fn reductions_by_hand() {
    let device = Device::flex();
    let seg = Segments::new(&[0, 2, 0, 2], 3, &device);
    let v = Tensor::<2>::from_data([[1.0, -1.0], [2.0, 5.0], [3.0, 4.0], [-4.0, 0.5]], &device);
    assert_eq!(
        values(scatter_sum(v.clone(), &seg)),
        [4.0, 3.0, 0.0, 0.0, -2.0, 5.5]
    );
    assert_eq!(
        values(scatter_mean(v.clone(), &seg)),
        [2.0, 1.5, 0.0, 0.0, -1.0, 2.75]
    );
    assert_eq!(
        values(scatter_max(v.clone(), &seg)),
        [3.0, 4.0, 0.0, 0.0, 2.0, 5.0]
    );
    let sm = values(segment_softmax(v, &seg));
    let e = |a: f32, b: f32| a.exp() / (a.exp() + b.exp());
    assert!((sm[0] - e(1.0, 3.0)).abs() < 1e-6 && (sm[4] - e(3.0, 1.0)).abs() < 1e-6);
    assert!((sm[2] - e(2.0, -4.0)).abs() < 1e-6 && (sm[7] - e(0.5, 5.0)).abs() < 1e-6);
}

type Layer = Box<dyn Fn(Tensor<2>, &DeviceBatch) -> Tensor<2>>;

/// burn's CPU device has one random stream per process: tests that seed it take this lock so that
/// their weights are the same on every run.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn layers(device: &Device) -> Vec<(&'static str, Layer)> {
    // Fixed weights: the tests are deterministic (and away from ReLU/LeakyReLU kinks, which a
    // finite difference straddling them would average).
    device.seed(42);
    let gcn = GcnConvConfig::new(2, 3).init(device);
    let gin = GinConvConfig::new(2, 3)
        .with_train_eps(true)
        .with_eps(0.3)
        .init(device);
    let sage = SageConvConfig::new(2, 3).init(device);
    // Heads × width = 3 output channels in each GAT flavour.
    let gat = GatConvConfig::new(2, 1).with_heads(3).init(device);
    let gat_mean = GatConvConfig::new(2, 3)
        .with_heads(2)
        .with_concat(false)
        .init(device);
    let gatv2 = GatConvConfig::new(2, 3).with_v2(true).init(device);
    let cheb = ChebConvConfig::new(2, 3, 3).init(device);
    vec![
        ("cheb", Box::new(move |x, g| cheb.forward(x, g))),
        ("gat", Box::new(move |x, g| gat.forward(x, g))),
        ("gat-mean", Box::new(move |x, g| gat_mean.forward(x, g))),
        ("gatv2", Box::new(move |x, g| gatv2.forward(x, g))),
        ("gcn", Box::new(move |x, g| gcn.forward(x, g))),
        ("gin", Box::new(move |x, g| gin.forward(x, g))),
        ("sage", Box::new(move |x, g| sage.forward(x, g))),
    ]
}

#[test]
fn convolutions_are_permutation_equivariant_and_batch_independent() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let (a, b) = (graph(&ID), graph(&PERM));
    let ga = GraphBatch::new(&[&a]).unwrap().to_device(&device);
    let gb = GraphBatch::new(&[&b]).unwrap().to_device(&device);
    let both = GraphBatch::new(&[&a, &b]).unwrap().to_device(&device);
    for (name, layer) in layers(&device) {
        let ya = values(layer(ga.x.clone(), &ga));
        let yb = values(layer(gb.x.clone(), &gb));
        for (old, &new) in PERM.iter().enumerate() {
            for c in 0..3 {
                let (p, q) = (ya[3 * old + c], yb[3 * new as usize + c]);
                assert!(
                    (p - q).abs() < 1e-5,
                    "{name}: node {old} channel {c}: {p} vs {q}"
                );
            }
        }
        let yboth = values(layer(both.x.clone(), &both));
        assert!(
            yboth[..15]
                .iter()
                .zip(&ya)
                .all(|(p, q)| (p - q).abs() < 1e-5),
            "{name}: batched"
        );
        assert!(
            yboth[15..]
                .iter()
                .zip(&yb)
                .all(|(p, q)| (p - q).abs() < 1e-5),
            "{name}: batched"
        );
        for r in [BasicReadout::Sum, BasicReadout::Mean, BasicReadout::Max] {
            let ra = values(r.forward(layer(ga.x.clone(), &ga), &ga));
            let rb = values(r.forward(layer(gb.x.clone(), &gb), &gb));
            assert!(
                ra.iter().zip(&rb).all(|(p, q)| (p - q).abs() < 1e-5),
                "{name} {r:?}: invariance"
            );
        }
    }
}

/// `d/dx Σ f(x)²` by autodiff against central differences (f32: step 1e-3, tolerance 2e-2), with
/// seeded weights.
#[test]
fn gradients_match_finite_differences() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex().autodiff();
    let g = graph(&ID);
    let batch = GraphBatch::new(&[&g]).unwrap().to_device(&device);
    for (name, layer) in layers(&device) {
        for readout in [BasicReadout::Sum, BasicReadout::Max] {
            let loss = |x: Tensor<2>| {
                readout
                    .forward(layer(x, &batch), &batch)
                    .powf_scalar(2.0)
                    .sum()
            };
            let x = batch.x.clone().require_grad();
            let grads = loss(x.clone()).backward();
            let analytic = x
                .grad(&grads)
                .unwrap()
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let base = g.x.clone();
            let mut kinks = 0;
            for i in 0..base.len() {
                let at = |d: f32| {
                    let mut v = base.clone();
                    v[i] += d;
                    let t = Tensor::<2>::from_data(TensorData::new(v, [5, 2]), &device);
                    loss(t).into_scalar::<f32>()
                };
                let (h, f0) = (1e-3f32, at(0.0));
                let (left, right) = ((f0 - at(-h)) / h, (at(h) - f0) / h);
                let numeric = (left + right) / 2.0;
                let tol = 2e-2 * (1.0 + numeric.abs());
                if (left - right).abs() > 3.0 * tol {
                    // A ReLU/LeakyReLU/max kink inside the step: the two one-sided slopes disagree
                    // and the central difference averages them; the autodiff value must be one
                    // of them.
                    kinks += 1;
                    let near = |s: f32| (analytic[i] - s).abs() < 10.0 * tol;
                    assert!(
                        near(left) || near(right),
                        "{name} {readout:?} x[{i}]: {} not in [{left}, {right}]",
                        analytic[i]
                    );
                    continue;
                }
                assert!(
                    (analytic[i] - numeric).abs() < tol,
                    "{name} {readout:?} x[{i}]: {} vs {numeric}",
                    analytic[i]
                );
            }
            assert!(
                kinks <= 3,
                "{name} {readout:?}: {kinks} of 10 inputs at kinks"
            );
        }
    }
}

/// Each bad graph is refused with its own variant, carrying the values a caller needs.
#[test]
fn bad_graphs_are_refused() {
    use tessera_gnn::{Element, GraphError};
    let e = Graph::new(0, 1, vec![], vec![], "g").unwrap_err();
    assert!(
        matches!(&e, GraphError::NoNodes { what } if what == "g"),
        "{e:?}"
    );
    assert!(e.to_string().contains("no nodes"), "{e}");
    let e = Graph::new(2, 1, vec![1.0], vec![], "g").unwrap_err();
    assert!(
        matches!(
            e,
            GraphError::FeatureCount {
                on: Element::Node,
                values: 1,
                items: 2,
                features: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let e = Graph::new(2, 1, vec![1.0, 2.0], vec![[0, 2]], "g").unwrap_err();
    assert!(
        matches!(
            e,
            GraphError::EdgeOutOfRange {
                from: 0,
                to: 2,
                nodes: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("leaves"), "{e}");
    let e = Graph::new(2, 2, vec![1.0, 2.0, 3.0, f32::NAN], vec![], "g").unwrap_err();
    assert!(
        matches!(
            e,
            GraphError::NotFinite {
                on: Element::Node,
                index: 1,
                feature: 1,
                ..
            }
        ),
        "{e:?}"
    );
    let a = Graph::new(1, 1, vec![1.0], vec![], "a").unwrap();
    let b = Graph::new(1, 2, vec![1.0, 2.0], vec![], "b").unwrap();
    let e = GraphBatch::new(&[&a, &b]).unwrap_err();
    assert!(
        matches!(
            e,
            GraphError::BatchFeaturesDiffer {
                graph: 1,
                on: Element::Node,
                found: 2,
                first: 1
            }
        ),
        "{e:?}"
    );
    assert!(matches!(
        GraphBatch::new(&[]).unwrap_err(),
        GraphError::EmptyBatch
    ));
}

/// Learned readouts: invariant to node order, batched = per graph, attention weights sum to 1
/// per graph, gradients match finite differences.
#[test]
fn learned_readouts() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    Device::flex().autodiff().seed(7);
    let device = Device::flex().autodiff();
    let (a, b) = (graph(&ID), graph(&PERM));
    let ga = GraphBatch::new(&[&a]).unwrap().to_device(&device);
    let gb = GraphBatch::new(&[&b]).unwrap().to_device(&device);
    let both = GraphBatch::new(&[&a, &b]).unwrap().to_device(&device);
    let gem = GemReadoutConfig::new().init(&device);
    let att = AttentionReadoutConfig::new(2, 4).init(&device);
    let hop = HopfieldReadoutConfig::new(2, 4, 3)
        .with_queries(2)
        .init(&device);
    let hop_w = hop.clone();
    let ggem = GemReadoutConfig::new()
        .with_groups(2)
        .with_p(2.0)
        .init(&device);
    let attsets = AttSetsReadoutConfig::new(2).init(&device);
    let latent = LatentAttentionReadoutConfig::new(2, 4)
        .with_latents(3)
        .init(&device);
    let readouts: Vec<(&str, Layer)> = vec![
        (
            "ggem",
            Box::new(move |x: Tensor<2>, g: &DeviceBatch| ggem.forward(x.abs() + 0.1, g)),
        ),
        (
            "attsets",
            Box::new(move |x: Tensor<2>, g: &DeviceBatch| attsets.forward(x, g)),
        ),
        (
            "latent",
            Box::new(move |x: Tensor<2>, g: &DeviceBatch| latent.forward(x, g)),
        ),
        (
            "hopfield",
            Box::new(move |x: Tensor<2>, g: &DeviceBatch| hop.forward(x, g)),
        ),
        (
            "gem",
            Box::new(move |x: Tensor<2>, g: &DeviceBatch| gem.forward(x.abs() + 0.1, g)),
        ),
        (
            "attention",
            Box::new({
                let att = att.clone();
                move |x: Tensor<2>, g: &DeviceBatch| att.forward(x, g)
            }),
        ),
    ];
    for (name, r) in &readouts {
        let ra = values(r(ga.x.clone(), &ga));
        let rb = values(r(gb.x.clone(), &gb));
        assert!(
            ra.iter().zip(&rb).all(|(p, q)| (p - q).abs() < 1e-5),
            "{name}: invariance"
        );
        let rboth = values(r(both.x.clone(), &both));
        assert!(
            rboth[..ra.len()]
                .iter()
                .zip(&ra)
                .all(|(p, q)| (p - q).abs() < 1e-5),
            "{name}: batched"
        );
        let loss = |x: Tensor<2>| r(x, &ga).powf_scalar(2.0).sum();
        let x = ga.x.clone().require_grad();
        let grads = loss(x.clone()).backward();
        let analytic = x
            .grad(&grads)
            .unwrap()
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let base = a.x.clone();
        for i in 0..base.len() {
            let at = |d: f32| {
                let mut v = base.clone();
                v[i] += d;
                loss(Tensor::<2>::from_data(TensorData::new(v, [5, 2]), &device))
                    .into_scalar::<f32>()
            };
            let numeric = (at(1e-2) - at(-1e-2)) / 2e-2;
            assert!(
                (analytic[i] - numeric).abs() < 2e-2 * (1.0 + numeric.abs()),
                "{name} x[{i}]: {} vs {numeric}",
                analytic[i]
            );
        }
    }
    let hw = values(hop_w.weights(both.x.clone(), &both));
    for q in 0..2 {
        let per_graph: f32 = (0..5).map(|n| hw[2 * n + q]).sum();
        assert!(
            (per_graph - 1.0).abs() < 1e-5,
            "hopfield query {q}: {per_graph}"
        );
    }
    assert_eq!(hop_w.forward(both.x.clone(), &both).dims(), [2, 6]);
    let w = values(att.weights(both.x.clone(), &both));
    assert!(
        (w[..5].iter().sum::<f32>() - 1.0).abs() < 1e-5
            && (w[5..].iter().sum::<f32>() - 1.0).abs() < 1e-5
    );
    // GeM with p = 1 is the mean.
    let mean_gem = GemReadoutConfig::new().with_p(1.0).init(&device);
    let pos = ga.x.clone().abs() + 0.1;
    let (g1, m1) = (
        values(mean_gem.forward(pos.clone(), &ga)),
        values(BasicReadout::Mean.forward(pos, &ga)),
    );
    assert!(g1.iter().zip(&m1).all(|(p, q)| (p - q).abs() < 1e-5));
}

/// The Chebyshev basis by hand on the path 0–1–2, x = (1, 2, 4), λ_max = 2 (L̃ = −D^{−1/2}AD^{−1/2}):
/// T_1 x = −(√2, 5/√2, √2), T_2 x = 2 L̃ T_1 x − x = (4, 2, 1).
#[test]
fn chebyshev_basis_by_hand() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let g = Graph::new(
        3,
        1,
        vec![1.0, 2.0, 4.0],
        vec![[0, 1], [1, 0], [1, 2], [2, 1]],
        "path",
    )
    .unwrap();
    let b = GraphBatch::new(&[&g]).unwrap().to_device(&device);
    let cheb = ChebConvConfig::new(1, 1, 3).init(&device);
    let basis: Vec<Vec<f32>> = cheb
        .basis(b.x.clone(), &b)
        .into_iter()
        .map(values)
        .collect();
    let s = 2f32.sqrt();
    let want = [
        vec![1.0, 2.0, 4.0],
        vec![-s, -5.0 / s, -s],
        vec![4.0, 2.0, 1.0],
    ];
    for (k, (got, w)) in basis.iter().zip(&want).enumerate() {
        assert!(
            got.iter().zip(w).all(|(a, b)| (a - b).abs() < 1e-5),
            "T_{k}: {got:?} vs {w:?}"
        );
    }
}

/// HISTOGRAPH over a three-layer activation history: invariant to node order, batched = per
/// graph, signed layer weights summing to 1 per graph, gradients match finite differences.
/// The history the readouts over layers are tested on: the input and two functions of it.
fn history(x: Tensor<2>) -> Vec<Tensor<2>> {
    vec![x.clone(), x.clone().tanh(), x.powf_scalar(2.0) * 0.5]
}

/// A readout over a layer history (`run(x, batch)`, `width` outputs per graph): invariant to a
/// relabelling of the nodes, batched = per graph, gradients equal to finite differences.
fn check_history_readout(run: impl Fn(Tensor<2>, &DeviceBatch) -> Tensor<2>, width: usize) {
    let device = Device::flex().autodiff();
    let (a, b) = (graph(&ID), graph(&PERM));
    let ga = GraphBatch::new(&[&a]).unwrap().to_device(&device);
    let gb = GraphBatch::new(&[&b]).unwrap().to_device(&device);
    let both = GraphBatch::new(&[&a, &b]).unwrap().to_device(&device);
    let (ra, rb) = (
        values(run(ga.x.clone(), &ga)),
        values(run(gb.x.clone(), &gb)),
    );
    assert_eq!(ra.len(), width);
    assert!(
        ra.iter().zip(&rb).all(|(p, q)| (p - q).abs() < 1e-5),
        "invariance {ra:?} {rb:?}"
    );
    let rboth = values(run(both.x.clone(), &both));
    assert!(
        rboth[..width]
            .iter()
            .zip(&ra)
            .all(|(p, q)| (p - q).abs() < 1e-5),
        "batched"
    );
    assert!(
        rboth[width..]
            .iter()
            .zip(&rb)
            .all(|(p, q)| (p - q).abs() < 1e-5),
        "batched"
    );
    let loss =
        |x: Tensor<2>| (run(x, &ga) * Tensor::<2>::ones([1, width], &device).cumsum(1)).sum();
    let x = ga.x.clone().require_grad();
    let grads = loss(x.clone()).backward();
    let analytic = x
        .grad(&grads)
        .unwrap()
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    assert!(analytic.iter().any(|v| v.abs() > 1e-4), "no gradient");
    for i in 0..a.x.len() {
        let at = |d: f32| {
            let mut v = a.x.clone();
            v[i] += d;
            loss(Tensor::<2>::from_data(TensorData::new(v, [5, 2]), &device)).into_scalar::<f32>()
        };
        let numeric = (at(1e-3) - at(-1e-3)) / 2e-3;
        assert!(
            (analytic[i] - numeric).abs() < 3e-2 * (1.0 + numeric.abs()),
            "x[{i}]: {} vs {numeric}",
            analytic[i]
        );
    }
}

#[test]
fn histograph_readout() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex().autodiff();
    device.seed(11);
    let hist = HistographReadoutConfig::new(vec![2, 2, 2], 4).init(&device);
    check_history_readout(|x, g| hist.forward(&history(x), g), 4);
    // The signed layer weights of each graph sum to 1.
    let both = GraphBatch::new(&[&graph(&ID), &graph(&PERM)])
        .unwrap()
        .to_device(&device);
    let w = values(hist.layer_weights(&history(both.x.clone()), &both));
    for g in 0..2 {
        let s: f32 = w[3 * g..3 * g + 3].iter().sum();
        assert!((s - 1.0).abs() < 1e-4, "graph {g}: weights {w:?}");
    }
}

#[test]
fn multi_layer_pooling_readout() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex().autodiff();
    device.seed(12);
    let mltp = MultiLayerPoolingConfig::new(vec![2, 2, 2], 8)
        .with_latents(3)
        .with_heads(2)
        .init(&device);
    check_history_readout(|x, g| mltp.forward(&history(x), g), 8);
    // Unit-norm embeddings, and the layers matter: a history with another last layer differs.
    let g = GraphBatch::new(&[&graph(&ID)]).unwrap().to_device(&device);
    let e = values(mltp.forward(&history(g.x.clone()), &g));
    let norm: f32 = e.iter().map(|v| v * v).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "{norm}");
    let mut other = history(g.x.clone());
    other[2] = other[2].clone().neg();
    let f = values(mltp.forward(&other, &g));
    assert!(e.iter().zip(&f).any(|(p, q)| (p - q).abs() > 1e-3));
}

/// GeM's exponent is learned: it has a gradient and an optimizer step moves it, group by group.
#[test]
fn gem_exponent_is_trained() {
    use burn::optim::{AdamConfig, GradientsParams};
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex().autodiff();
    let g = graph(&ID);
    let batch = GraphBatch::new(&[&g]).unwrap().to_device(&device);
    let gem = GemReadoutConfig::new().with_groups(2).init(&device);
    let before = gem.p().into_data().try_to_vec::<f32>().unwrap();
    let loss = gem.forward(batch.x.clone().abs() + 0.1, &batch).sum();
    let grads = GradientsParams::from_grads(loss.backward(), &gem);
    let mut optim = AdamConfig::new().init();
    let gem = optim.step(0.1, gem, grads);
    let after = gem.p().into_data().try_to_vec::<f32>().unwrap();
    assert!(
        before.iter().zip(&after).all(|(a, b)| (a - b).abs() > 1e-3),
        "{before:?} → {after:?}"
    );
}

/// GINE: edge features change the result, and the layer is permutation equivariant, batch
/// independent and differentiable like the others.
#[test]
fn gine_uses_edge_features() {
    use tessera_gnn::conv::GineConvConfig;
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex().autodiff();
    device.seed(3);
    let with_edges = |perm: &[u32], scale: f32| {
        let g = graph(perm);
        let attr: Vec<f32> = (0..g.edges.len())
            .flat_map(|e| [scale * (e / 2) as f32, 1.0])
            .collect();
        g.with_edge_features(2, attr, "g").unwrap()
    };
    let conv = GineConvConfig::new(2, 2, 3)
        .with_train_eps(true)
        .init(&device);
    let (a, b) = (with_edges(&ID, 1.0), with_edges(&PERM, 1.0));
    let ga = GraphBatch::new(&[&a]).unwrap().to_device(&device);
    let gb = GraphBatch::new(&[&b]).unwrap().to_device(&device);
    let ya = values(conv.forward(ga.x.clone(), &ga));
    let yb = values(conv.forward(gb.x.clone(), &gb));
    for (old, &new) in PERM.iter().enumerate() {
        for c in 0..3 {
            assert!(
                (ya[3 * old + c] - yb[3 * new as usize + c]).abs() < 1e-5,
                "equivariance"
            );
        }
    }
    let both = GraphBatch::new(&[&a, &b]).unwrap().to_device(&device);
    let yboth = values(conv.forward(both.x.clone(), &both));
    assert!(
        yboth[..15]
            .iter()
            .zip(&ya)
            .all(|(p, q)| (p - q).abs() < 1e-5),
        "batched"
    );
    let other = with_edges(&ID, 5.0);
    let go = GraphBatch::new(&[&other]).unwrap().to_device(&device);
    let yo = values(conv.forward(go.x.clone(), &go));
    assert!(
        yo.iter().zip(&ya).any(|(p, q)| (p - q).abs() > 1e-3),
        "edge features matter"
    );
    assert!(a.clone().with_edge_features(3, vec![0.0; 5], "g").is_err());
    let plain = graph(&ID);
    assert!(
        GraphBatch::new(&[&a, &plain]).is_err(),
        "mixed edge features refused"
    );
}
