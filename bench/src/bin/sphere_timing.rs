//! Training and inference throughput of the NNhealpix sphere CNN (tessera-train `SphereCnn`),
//! for `bench/sphere_cnn_vs_torch.py`, which runs the same network in PyTorch.
//!
//! The network: blocks of 9-pixel stencil convolution (32 filters, bias) + ReLU + max pooling by
//! 4 down to nside 2, flatten, dropout 0.2, dense 48, ReLU, dense 9 (NNhealpix's MNIST model;
//! 3 blocks at nside 16, 5 at nside 64); cross-entropy, Adam at 1e-3. Inputs are a fixed
//! deterministic pattern (timing does not depend on values). Also writes the NESTED stencil table
//! of every block's nside to `OUT/stencil_nside{n}.i64` so that the PyTorch model gathers the same
//! pixels.
//!
//! Usage: `sphere_timing OUT_DIR BATCH STEPS NSIDE...` — prints one JSON object: per nside, the
//! median seconds per training step (forward, backward, Adam) and per inference batch of 128,
//! and the peak resident memory of the process (VmHWM) after that nside.

use anyhow::{Context, Result};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use serde_json::{Map, Value, json};
use tessera_bench::{median_time, peak_rss_mb};
use tessera_healpix::Healpix;
use tessera_train::models::SphereCnnConfig;

fn inputs(batch: usize, npix: usize, device: &Device) -> Tensor<3> {
    let v: Vec<f32> = (0..batch * npix)
        .map(|i| ((i as f32) * 0.618).fract() - 0.5)
        .collect();
    Tensor::from_data(TensorData::new(v, [batch, npix, 1]), device)
}

fn main() -> Result<()> {
    tessera_bench::keep_freed_memory_warm();
    let usage = "usage: sphere_timing OUT_DIR BATCH STEPS NSIDE...";
    let mut args = std::env::args().skip(1);
    let out_dir = std::path::PathBuf::from(args.next().context(usage)?);
    let batch: usize = args.next().context(usage)?.parse()?;
    let steps: usize = args.next().context(usage)?.parse()?;
    let nsides: Vec<u64> = args.map(|s| s.parse()).collect::<Result<_, _>>()?;
    std::fs::create_dir_all(&out_dir)?;
    let mut out = Map::new();
    for nside in nsides {
        let hp = Healpix::nested(nside)?;
        let blocks = nside.trailing_zeros() as usize - 1;
        // The stencil of every block's resolution, for the PyTorch side.
        for b in 0..blocks {
            let n = nside >> b;
            let table: Vec<u8> = Healpix::nested(n)?
                .stencil_table()
                .into_vec()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            std::fs::write(out_dir.join(format!("stencil_nside{n}.i64")), table)?;
        }
        let npix = hp.npix() as usize;
        let model = SphereCnnConfig::new(nside, 1, 9).with_widths(vec![32; blocks]);
        let device = Device::flex().autodiff();
        device.seed(0);
        let mut net = model.init(&device)?;
        let mut optim = AdamConfig::new().init();
        let loss_fn = CrossEntropyLossConfig::new().init(&device);
        let x = inputs(batch, npix, &device);
        let y = Tensor::<1, Int>::from_data(
            TensorData::new(
                (0..batch as i64).map(|i| i % 9).collect::<Vec<_>>(),
                [batch],
            ),
            &device,
        );
        let (train, _) = median_time(steps, || {
            let loss = loss_fn.forward(net.forward(x.clone()), y.clone());
            let value = loss.clone().into_scalar::<f32>();
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(1e-3, net.clone(), grads);
            value
        });
        let eval = net.valid();
        let xe = inputs(128, npix, &Device::flex());
        let (infer, _) = median_time(steps.clamp(3, 10), || {
            eval.forward(xe.clone())
                .into_data()
                .try_to_vec::<f32>()
                .map(|v| v[0])
        });
        out.insert(
            format!("nside{nside}"),
            json!({
                "train_step_seconds": train,
                "train_maps_per_second": batch as f64 / train,
                "infer_batch128_seconds": infer,
                "infer_maps_per_second": 128.0 / infer,
                "peak_rss_mb": peak_rss_mb(),
                "blocks": blocks,
                "batch": batch,
            }),
        );
    }
    println!("{}", Value::Object(out));
    Ok(())
}
