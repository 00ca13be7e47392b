//! Seconds per training epoch of the GIN classifier (tessera-train `GinClassifier`, sum readout)
//! on a TU data set, for `bench/gin_vs_pyg.py`, which trains the same network with PyTorch
//! Geometric: 4 GIN-0 layers (MLP Linear-ReLU-Linear, hidden 64), a sum readout of every layer
//! including the input, one linear scorer per layer with dropout 0.5, scores summed;
//! cross-entropy, Adam at 0.01, batches of 32 graphs in a fixed shuffled order, all graphs.
//!
//! Usage: `gin_timing EPOCHS TU_FOLDER...` — prints one JSON object: per data set, the median
//! seconds per epoch (after one warm-up epoch) and the peak resident memory (VmHWM).

use anyhow::{Context, Result};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use serde_json::{Map, Value, json};
use tessera_bench::{median_time, peak_rss_mb};
use tessera_gnn::graph::{Graph, GraphBatch};
use tessera_train::data::{TuDataset, TuOptions};
use tessera_train::models::GinClassifierConfig;

fn main() -> Result<()> {
    tessera_bench::keep_freed_memory_warm();
    let usage = "usage: gin_timing EPOCHS TU_FOLDER...";
    let mut args = std::env::args().skip(1);
    let epochs: usize = args.next().context(usage)?.parse()?;
    let mut out = Map::new();
    for folder in args {
        let data = TuDataset::load(
            std::path::Path::new(&folder),
            TuOptions {
                node_labels: true,
                node_attributes: false,
                edge_labels: false,
            },
        )?;
        let device = Device::flex().autodiff();
        device.seed(0);
        let model = GinClassifierConfig::new(data.features(), data.num_classes())
            .with_hidden(64)
            .with_layers(4);
        let mut net = model.init(&device);
        let mut optim = AdamConfig::new().init();
        let loss_fn = CrossEntropyLossConfig::new().init(&device);
        // A fixed permutation (multiplicative hashing), the same every epoch.
        let n = data.graphs.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let batches: Vec<(GraphBatch, Vec<i64>)> = order
            .chunks(32)
            .map(|c| {
                let refs: Vec<&Graph> = c.iter().map(|&i| &data.graphs[i]).collect();
                let labels = c.iter().map(|&i| data.labels[i] as i64).collect();
                Ok((GraphBatch::new(&refs)?, labels))
            })
            .collect::<Result<_>>()?;
        let (epoch, _) = median_time(epochs, || {
            let mut total = 0.0f32;
            for (b, labels) in &batches {
                let g = b.to_device(&device);
                let y = Tensor::<1, Int>::from_data(
                    TensorData::new(labels.clone(), [labels.len()]),
                    &device,
                );
                let loss = loss_fn.forward(net.forward(&g), y);
                total += loss.clone().into_scalar::<f32>();
                let grads = GradientsParams::from_grads(loss.backward(), &net);
                net = optim.step(0.01, net.clone(), grads);
            }
            total
        });
        out.insert(
            data.name.clone(),
            json!({"epoch_seconds": epoch, "graphs": n, "peak_rss_mb": peak_rss_mb()}),
        );
    }
    println!("{}", Value::Object(out));
    Ok(())
}
