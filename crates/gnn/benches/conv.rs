//! Forward + backward of each convolution on a 100k-edge random graph (20k nodes, 64 features),
//! burn `flex` backend on the CPU.
//!
//! `cargo bench -p tessera-gnn --bench conv`

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

fn benches(c: &mut Criterion) {
    let device = Device::flex().autodiff();
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
        c.bench_function(&format!("{name}_fwd_bwd_100k_edges"), |b| {
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
