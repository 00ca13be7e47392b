//! HEALPix layers: NNhealpix's published stencil example, the stencil against the neighbour
//! table, pooling against healpy's `ud_grade`, unpooling, the DeepSphere Laplacian, gradients.

use burn::prelude::*;
use serde_json::Value;
use tessera_gnn::conv::{HealpixChebConvConfig, HealpixConvConfig};
use tessera_gnn::pool::{HealpixPoolConfig, HealpixPoolKind, HealpixUnpoolConfig};
use tessera_healpix::Healpix;

/// burn's CPU device has one random stream per process: tests that initialise layers take this
/// lock so that their weights are the same on every run.
static DEVICE_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn expected() -> Value {
    let base = std::env::var_os("TESSERA_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
        });
    let path = base.join("fits/expected/neighbours_small.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn map(values: Vec<f32>, channels: usize, device: &Device) -> Tensor<3> {
    let n = values.len() / channels;
    Tensor::from_data(TensorData::new(values, [1, n, channels]), device)
}

/// A smooth pseudo-random sequence (no RNG: the same on every platform).
fn wiggle(n: usize, phase: f32) -> Vec<f32> {
    (0..n)
        .map(|i| (i as f32 * 0.37 + phase).sin() + 0.3 * (i as f32 * 1.91 + phase).cos())
        .collect()
}

/// NNhealpix's own test: `ConvNeighbours` at nside 1 on `arange(12)` with weights 1..9 in its
/// centre-first order (C, SW, W, NW, N, NE, E, SE, S). In our order (SW, W, NW, N, C, …) the same
/// filter is `[2, 3, 4, 5, 1, 6, 7, 8, 9]`. At nside 1 RING and NESTED coincide.
#[test]
fn nnhealpix_stencil_example() {
    let device = Device::flex();
    let kernel: Vec<f32> = vec![2.0, 3.0, 4.0, 5.0, 1.0, 6.0, 7.0, 8.0, 9.0];
    let conv = HealpixConvConfig::new(1, 1, 1)
        .with_bias(false)
        .init(&device)
        .unwrap()
        .with_kernel(Tensor::from_data(
            TensorData::new(kernel, [9, 1, 1]),
            &device,
        ));
    let x = map((0..12).map(|i| i as f32).collect(), 1, &device);
    assert_eq!(
        values(conv.forward(x)),
        floats(&expected()["nnhealpix_conv_nside1_weights1to9_input_arange"])
    );
}

/// At nside 4 with 2 input and 3 output channels, the layer equals the sum written out with the
/// neighbour table of tessera-healpix (healpy's slot order, −1 = missing).
#[test]
fn stencil_equals_the_neighbour_sum() {
    let device = Device::flex();
    let (nside, cin, cout) = (4u64, 2usize, 3usize);
    let hp = Healpix::nested(nside).unwrap();
    let npix = hp.npix() as usize;
    let kernel = wiggle(9 * cin * cout, 0.5);
    let conv = HealpixConvConfig::new(nside, cin, cout)
        .with_bias(false)
        .init(&device)
        .unwrap()
        .with_kernel(Tensor::from_data(
            TensorData::new(kernel.clone(), [9, cin, cout]),
            &device,
        ));
    let x = wiggle(npix * cin, 0.1);
    let got = values(conv.forward(map(x.clone(), cin, &device)));
    // healpy's slots SW, W, NW, N, NE, E, SE, S → our stencil slots (centre at 4).
    let slot = [0usize, 1, 2, 3, 5, 6, 7, 8];
    for p in 0..npix {
        let nb = hp.neighbours(p as u64).unwrap().to_healpy();
        let mut pixels = vec![(4usize, p as i64)];
        pixels.extend(slot.iter().zip(nb).map(|(&s, q)| (s, q)));
        for o in 0..cout {
            let mut want = 0.0f32;
            for &(s, q) in pixels.iter().filter(|(_, q)| *q >= 0) {
                for c in 0..cin {
                    want += x[q as usize * cin + c] * kernel[(s * cin + c) * cout + o];
                }
            }
            let g = got[p * cout + o];
            assert!(
                (g - want).abs() < 1e-5,
                "pixel {p} channel {o}: {g} vs {want}"
            );
        }
    }
}

/// NNhealpix's `Dgrade` test: the mean over children of `arange(192)` (a RING map at nside 4)
/// is healpy's `ud_grade` to nside 1. Our pooling reads NESTED maps, so the input is reordered.
#[test]
fn mean_pooling_is_ud_grade() {
    let device = Device::flex();
    let hp = Healpix::ring(4).unwrap();
    let mut nested = vec![0.0f32; 192];
    for r in 0..192u64 {
        nested[hp.ring2nest(r).unwrap() as usize] = r as f32;
    }
    let pool = HealpixPoolConfig::new()
        .with_ratio(4)
        .with_kind(HealpixPoolKind::Mean)
        .init()
        .unwrap();
    let got = values(pool.forward(map(nested.clone(), 1, &device)));
    let want = floats(&expected()["nnhealpix_dgrade_avg_4to1_input_arange192"]);
    assert!(
        got.iter().zip(&want).all(|(g, w)| (g - w).abs() < 1e-4),
        "{got:?}"
    );
    // Two halvings are one quartering, and max pooling takes the largest child.
    let half = HealpixPoolConfig::new()
        .with_kind(HealpixPoolKind::Mean)
        .init()
        .unwrap();
    let twice = values(half.forward(half.forward(map(nested.clone(), 1, &device))));
    assert!(twice.iter().zip(&got).all(|(a, b)| (a - b).abs() < 1e-4));
    let max = HealpixPoolConfig::new().with_ratio(4).init().unwrap();
    let got = values(max.forward(map(nested.clone(), 1, &device)));
    for (parent, g) in got.iter().enumerate() {
        let want = nested[parent * 16..parent * 16 + 16]
            .iter()
            .fold(f32::MIN, |a, &b| a.max(b));
        assert_eq!(*g, want);
    }
}

/// Max pooling on a batch of two maps with three channels, values full of ties: each output is
/// its children's maximum in that map and channel, and the gradient of the sum reaches exactly
/// one child per output (the first largest), in that map and channel only.
#[test]
fn max_pooling_per_map_and_channel_with_ties() {
    let device = Device::flex().autodiff();
    let (b, n, c) = (2, 48, 3);
    // Few distinct values, so children tie often.
    let v: Vec<f32> = (0..b * n * c)
        .map(|i| ((i * 7 + i / 5) % 4) as f32)
        .collect();
    let x = Tensor::<3>::from_data(TensorData::new(v.clone(), [b, n, c]), &device).require_grad();
    let pool = HealpixPoolConfig::new().init().unwrap();
    let out = pool.forward(x.clone());
    let got = values(out.clone());
    let grads = out.sum().backward();
    let grad = values(x.grad(&grads).unwrap());
    let at = |map: usize, pix: usize, ch: usize| (map * n + pix) * c + ch;
    for map in 0..b {
        for parent in 0..n / 4 {
            for ch in 0..c {
                let children: Vec<f32> = (0..4).map(|k| v[at(map, 4 * parent + k, ch)]).collect();
                let largest = children.iter().fold(f32::MIN, |a, &x| a.max(x));
                assert_eq!(got[(map * n / 4 + parent) * c + ch], largest);
                let first = children.iter().position(|&x| x == largest).unwrap();
                for k in 0..4 {
                    let want = if k == first { 1.0 } else { 0.0 };
                    assert_eq!(
                        grad[at(map, 4 * parent + k, ch)],
                        want,
                        "map {map} parent {parent} channel {ch} child {k}"
                    );
                }
            }
        }
    }
}

/// Unpooling copies a pixel onto its children (healpy's `ud_grade` up); mean pooling undoes it.
#[test]
fn unpooling_repeats_over_children() {
    let device = Device::flex();
    let x = wiggle(12 * 2, 0.3);
    let up = HealpixUnpoolConfig::new().with_ratio(2).init().unwrap();
    let y = values(up.forward(map(x.clone(), 2, &device)));
    assert_eq!(y.len(), 48 * 2);
    for child in 0..48 {
        for c in 0..2 {
            assert_eq!(y[child * 2 + c], x[(child / 4) * 2 + c]);
        }
    }
    let mean = HealpixPoolConfig::new()
        .with_kind(HealpixPoolKind::Mean)
        .init()
        .unwrap();
    let back = values(mean.forward(map(y, 2, &device)));
    assert!(back.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-6));
    assert!(HealpixPoolConfig::new().with_ratio(3).init().is_err());
    assert!(HealpixConvConfig::new(3, 1, 1).init(&device).is_err());
}

/// The rescaled Laplacian is symmetric (`⟨y, L̃x⟩ = ⟨L̃y, x⟩`), and with `K = 1` the Chebyshev
/// layer is a per-pixel linear map.
#[test]
fn deepsphere_laplacian_is_symmetric() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex();
    let conv = HealpixChebConvConfig::new(4, 1, 1).init(&device).unwrap();
    let (x, y) = (
        map(wiggle(192, 0.2), 1, &device),
        map(wiggle(192, 2.0), 1, &device),
    );
    let a = (y.clone() * conv.laplacian(x.clone()))
        .sum()
        .into_scalar::<f32>();
    let b = (conv.laplacian(y) * x.clone()).sum().into_scalar::<f32>();
    assert!((a - b).abs() < 1e-3 * a.abs().max(1.0), "{a} vs {b}");
    let one = HealpixChebConvConfig::new(4, 1, 2)
        .with_k(1)
        .init(&device)
        .unwrap();
    let out = values(one.forward(x));
    let out_shift = values(one.forward(map(
        wiggle(192, 0.2).into_iter().rev().collect(),
        1,
        &device,
    )));
    // A per-pixel map: reversing the pixels reverses the output.
    for p in 0..192 {
        for c in 0..2 {
            assert!((out[p * 2 + c] - out_shift[(191 - p) * 2 + c]).abs() < 1e-5);
        }
    }
}

type MapLayer = Box<dyn Fn(Tensor<3>) -> Tensor<3>>;

/// Autodiff gradients of `Σ f(x)²` against central differences for the stencil convolution, the
/// Chebyshev convolution and both poolings (nside 2, 2 channels).
#[test]
fn gradients_match_finite_differences() {
    let _lock = DEVICE_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let device = Device::flex().autodiff();
    device.seed(7);
    let stencil = HealpixConvConfig::new(2, 2, 3).init(&device).unwrap();
    let cheb = HealpixChebConvConfig::new(2, 2, 3).init(&device).unwrap();
    let max = HealpixPoolConfig::new().init().unwrap();
    let mean = HealpixPoolConfig::new()
        .with_kind(HealpixPoolKind::Mean)
        .init()
        .unwrap();
    let layers: Vec<(&str, MapLayer)> = vec![
        ("stencil", Box::new(move |x| stencil.forward(x))),
        ("cheb", Box::new(move |x| cheb.forward(x))),
        ("max pool", Box::new(move |x| max.forward(x))),
        ("mean pool", Box::new(move |x| mean.forward(x))),
    ];
    let base = wiggle(48 * 2, 0.7);
    for (name, layer) in &layers {
        let loss = |v: Vec<f32>| layer(map(v, 2, &device)).powf_scalar(2.0).sum();
        let x = map(base.clone(), 2, &device).require_grad();
        let grads = layer(x.clone()).powf_scalar(2.0).sum().backward();
        let analytic = values(x.grad(&grads).unwrap());
        for i in (0..base.len()).step_by(5) {
            let at = |d: f32| {
                let mut v = base.clone();
                v[i] += d;
                loss(v).into_scalar::<f32>()
            };
            let h = 1e-2f32;
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            let tol = 2e-2 * (1.0 + numeric.abs());
            assert!(
                (analytic[i] - numeric).abs() < tol,
                "{name} x[{i}]: {} vs {numeric}",
                analytic[i]
            );
        }
    }
}
