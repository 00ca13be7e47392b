//! Forward + backward of each convolution on a 100k-edge random graph (20k nodes, 64 features),
//! burn `flex` backend on the CPU — and the `ndarray` backend too with the `bench-ndarray`
//! feature, for the backend decision (docs/decisions/0008).
//!
//! `cargo bench -p tessera-gnn --bench conv [--features bench-ndarray]`

use burn::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use tessera_gnn::conv::{
    ChebConvConfig, GatConvConfig, GcnConvConfig, GinConvConfig, SageConvConfig,
};
use tessera_gnn::graph::{DeviceBatch, Graph, GraphBatch};

fn random_graph(nodes: usize, edges: usize, features: usize) -> Graph {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let e = (0..edges / 2)
        .flat_map(|_| {
            let (a, b) = (
                (next() % nodes as u64) as u32,
                (next() % nodes as u64) as u32,
            );
            [[a, b], [b, a]]
        })
        .collect();
    let x = (0..nodes * features)
        .map(|_| (next() % 1000) as f32 / 1000.0)
        .collect();
    Graph::new(nodes, features, x, e, "random").expect("valid")
}

type Layer = Box<dyn Fn(Tensor<2>, &DeviceBatch) -> Tensor<2>>;

/// The backends timed: flex, and ndarray when the feature is on.
fn devices() -> Vec<(&'static str, Device)> {
    let mut d = vec![("flex", Device::flex())];
    if cfg!(feature = "bench-ndarray") {
        d.push(("ndarray", ndarray_device()));
    }
    d
}

#[cfg(feature = "bench-ndarray")]
#[allow(deprecated)] // The point is to compare against it.
fn ndarray_device() -> Device {
    Device::ndarray()
}

#[cfg(not(feature = "bench-ndarray"))]
fn ndarray_device() -> Device {
    unreachable!("only with the bench-ndarray feature")
}

fn benches(c: &mut Criterion) {
    for (backend, device) in devices() {
        bench_backend(c, backend, device.autodiff());
    }
}

fn bench_backend(c: &mut Criterion, backend: &str, device: Device) {
    let g = random_graph(20_000, 100_000, 64);
    let batch = GraphBatch::new(&[&g]).unwrap().to_device(&device);
    let gcn = GcnConvConfig::new(64, 64).init(&device);
    let gin = GinConvConfig::new(64, 64).init(&device);
    let sage = SageConvConfig::new(64, 64).init(&device);
    let gat = GatConvConfig::new(64, 16).with_heads(4).init(&device);
    let cheb = ChebConvConfig::new(64, 64, 3).init(&device);
    let layers: Vec<(&str, Layer)> = vec![
        ("gcn", Box::new(move |x, g| gcn.forward(x, g))),
        ("gin", Box::new(move |x, g| gin.forward(x, g))),
        ("sage", Box::new(move |x, g| sage.forward(x, g))),
        ("gat_4x16", Box::new(move |x, g| gat.forward(x, g))),
        ("cheb_k3", Box::new(move |x, g| cheb.forward(x, g))),
    ];
    for (name, layer) in &layers {
        let id = match backend {
            "flex" => format!("{name}_fwd_bwd_100k_edges"),
            other => format!("{name}_fwd_bwd_100k_edges_{other}"),
        };
        c.bench_function(&id, |b| {
            b.iter(|| {
                let x = batch.x.clone().require_grad();
                let loss = layer(x.clone(), &batch).sum();
                let grads = loss.backward();
                x.grad(&grads).expect("gradient").dims()
            })
        });
    }
}

criterion_group! {
    name = conv;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(conv);
