//! NNhealpix models saved by Keras (`model.save("model.h5")`) as Tessera sphere networks.
//!
//! NNhealpix (Krachmalnicoff & Tomasi 2019) builds its networks from plain Keras layers on RING
//! maps: `ConvNeighbours` is an `OrderMap` that gathers every pixel's 9-pixel stencil followed
//! by a `Conv1D` with kernel 9 and stride 9; `MaxPooling`/`AveragePooling`/`Dgrade` is an
//! `OrderMap` that gathers each coarse pixel's 4 children followed by a 1-D pooling by 4. The
//! importer reads the file with a pure-Rust HDF5 reader and rebuilds the same function as a
//! [`SphereCnn`], which reads NESTED maps:
//!
//! - every gather is checked against the HEALPix geometry, not trusted: a stencil gather must
//!   hold the 8 neighbours and the pixel itself of every RING pixel (its slots, in whatever
//!   order, are matched to Tessera's SW, W, NW, N, C, NE, E, SE, S and the kernel's rows
//!   follow), a pooling gather the 4 children of every coarse RING pixel;
//! - the rows of the Dense layer after `Flatten` move from Keras's order (RING pixel major,
//!   or channel major with `data_format="channels_first"`) to Tessera's NESTED, channel-minor
//!   order;
//! - the input is used as the model used it, unstandardised (NNhealpix's MNIST model reads
//!   grey levels / 255).
//!
//! The gather indices are read from the layer's configuration (`indices`, as Keras 2 saved
//! it) or from its weights (TensorFlow 2 tracks the layer's index variable).

use std::path::Path;

use burn::prelude::*;
use hdf5_reader::Hdf5File;
use serde_json::Value;
use tessera_gnn::pool::HealpixPoolKind;
use tessera_healpix::Healpix;

use crate::error::{Result, TrainError};
use crate::models::{SphereCnn, SphereCnnConfig, SphereReadout, SphereWeights};

/// A Keras model made a Tessera network.
#[derive(Debug)]
pub struct ImportedSphere {
    /// The network's configuration.
    pub config: SphereCnnConfig,
    /// The network, with the model's weights.
    pub net: SphereCnn,
    /// The model ends in a softmax (classification) rather than a linear layer (regression).
    pub classification: bool,
    /// What each Keras layer became, in order, for the run record.
    pub layers: Vec<String>,
}

/// One weight array of a layer, as stored.
#[derive(Clone, Debug)]
struct Array {
    shape: Vec<usize>,
    values: Vec<f64>,
}

/// One layer of the model's configuration, with its weights.
#[derive(Clone, Debug)]
struct Layer {
    class: String,
    name: String,
    config: Value,
    weights: Vec<Array>,
}

impl Layer {
    fn get(&self, key: &str) -> Option<&Value> {
        self.config.get(key)
    }

    fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// A Keras size given as `n` or `[n]`.
    fn size(&self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Value::Array(v) if v.len() == 1 => v[0].as_u64(),
            v => v.as_u64(),
        }
    }

    fn activation(&self) -> &str {
        self.str("activation").unwrap_or("linear")
    }
}

/// Errors about the file, naming it.
fn bad(path: &Path, message: impl Into<String>) -> TrainError {
    TrainError::Data {
        path: path.to_path_buf(),
        line: None,
        message: message.into(),
    }
}

/// The layers of a Keras HDF5 model file, with their weights.
fn read_layers(path: &Path) -> Result<Vec<Layer>> {
    let h5 = |e: hdf5_reader::error::Error| bad(path, format!("not a readable HDF5 file: {e}"));
    let file = Hdf5File::open(path).map_err(h5)?;
    let root = file.root_group().map_err(h5)?;
    let config = root
        .attribute("model_config")
        .and_then(|a| a.read_string())
        .map_err(|_| {
            bad(
                path,
                "no model_config attribute: not a Keras model file (a weights-only file from \
                 save_weights has no architecture to import)",
            )
        })?;
    let config: Value = serde_json::from_str(&config)
        .map_err(|e| bad(path, format!("model_config is not JSON: {e}")))?;
    // Functional models and Keras ≥ 2.2 Sequential models: {"config": {"layers": [...]}};
    // older Sequential models: {"config": [...]}.
    let list = match &config["config"] {
        Value::Array(v) => v,
        c => c["layers"]
            .as_array()
            .ok_or_else(|| bad(path, "model_config lists no layers"))?,
    };
    let weights_root = if file.group("/model_weights").is_ok() {
        "/model_weights"
    } else {
        ""
    };
    list.iter()
        .map(|l| {
            let class = l["class_name"].as_str().unwrap_or_default().to_string();
            let config = l["config"].clone();
            let name = config["name"]
                .as_str()
                .or_else(|| l["name"].as_str())
                .ok_or_else(|| bad(path, format!("a {class} layer without a name")))?
                .to_string();
            let weights = read_weights(&file, &format!("{weights_root}/{name}"))
                .map_err(|e| bad(path, format!("layer {name}: {e}")))?;
            Ok(Layer {
                class,
                name,
                config,
                weights,
            })
        })
        .collect()
}

/// The weights of the layer group `group`, in the order of its `weight_names` (none when the
/// group or the attribute is missing, or the list is empty).
fn read_weights(file: &Hdf5File, group: &str) -> std::result::Result<Vec<Array>, String> {
    let Ok(g) = file.group(group) else {
        return Ok(Vec::new());
    };
    let Ok(names) = g.attribute("weight_names").and_then(|a| a.read_strings()) else {
        return Ok(Vec::new());
    };
    names
        .iter()
        .map(|n| {
            let d = file
                .dataset(&format!("{group}/{n}"))
                .map_err(|e| format!("weight {n}: {e}"))?;
            let shape: Vec<usize> = d.shape().iter().map(|&s| s as usize).collect();
            let values = read_numbers(&d).map_err(|e| format!("weight {n}: {e}"))?;
            Ok(Array { shape, values })
        })
        .collect()
}

/// A numeric dataset's values as f64, whatever its stored type.
fn read_numbers(d: &hdf5_reader::Dataset) -> std::result::Result<Vec<f64>, String> {
    fn all<T: hdf5_reader::H5Type + Copy>(
        d: &hdf5_reader::Dataset,
        f: impl Fn(T) -> f64,
    ) -> Option<Vec<f64>> {
        d.read_array::<T>()
            .ok()
            .map(|a| a.iter().map(|&v| f(v)).collect())
    }
    all::<f32>(d, f64::from)
        .or_else(|| all::<f64>(d, |v| v))
        .or_else(|| all::<i32>(d, f64::from))
        .or_else(|| all::<i64>(d, |v| v as f64))
        .or_else(|| all::<u32>(d, f64::from))
        .ok_or_else(|| format!("not a numeric array ({:?})", d.dtype()))
}

/// Gather indices of an `OrderMap` layer: from its configuration, or its one weight.
fn gather_indices(path: &Path, layer: &Layer) -> Result<Vec<i64>> {
    let from_config = layer.get("indices").and_then(Value::as_array).map(|v| {
        v.iter()
            .map(|x| x.as_i64().or_else(|| x.as_f64().map(|f| f as i64)))
            .collect::<Option<Vec<i64>>>()
    });
    let indices: Option<Vec<i64>> = match from_config {
        Some(v) => v,
        None => layer
            .weights
            .first()
            .map(|a| a.values.iter().map(|&v| v as i64).collect()),
    };
    indices.ok_or_else(|| {
        bad(
            path,
            format!(
                "OrderMap layer {}: no gather indices in its configuration or weights",
                layer.name
            ),
        )
    })
}

/// Tessera's stencil of every RING pixel at `nside`, slots SW, W, NW, N, C, NE, E, SE, S,
/// −1 for a missing neighbour.
fn ring_stencils(nside: u64) -> Result<Vec<[i64; 9]>> {
    let ring = Healpix::ring(nside).map_err(tessera_sky::SkyError::from)?;
    (0..ring.npix())
        .map(|p| {
            let nb = ring
                .neighbours(p)
                .map_err(tessera_sky::SkyError::from)?
                .to_healpy();
            Ok([
                nb[0], nb[1], nb[2], nb[3], p as i64, nb[4], nb[5], nb[6], nb[7],
            ])
        })
        .collect()
}

/// For each slot of a stencil gather, the Tessera slot it holds, checked at every pixel.
fn stencil_slots(path: &Path, name: &str, indices: &[i64], nside: u64) -> Result<[usize; 9]> {
    let stencils = ring_stencils(nside)?;
    let npix = stencils.len() as i64;
    if indices.len() != 9 * stencils.len() {
        return Err(bad(
            path,
            format!(
                "OrderMap layer {name}: {} indices, not the 9 × {npix} of a stencil at nside \
                 {nside}",
                indices.len()
            ),
        ));
    }
    // Keras appends one zero pixel (index npix); numpy-style −1 reads it too.
    let missing = |i: i64| if i == npix { -1 } else { i };
    let mut slots = [usize::MAX; 9];
    for k in 0..9 {
        slots[k] = (0..9)
            .filter(|s| !slots[..k].contains(s))
            .find(|&s| {
                stencils
                    .iter()
                    .enumerate()
                    .all(|(p, st)| missing(indices[9 * p + k]) == st[s])
            })
            .ok_or_else(|| {
                bad(
                    path,
                    format!(
                        "OrderMap layer {name}: slot {k} does not hold one neighbour direction \
                         of every RING pixel at nside {nside} (not NNhealpix's stencil)"
                    ),
                )
            })?;
    }
    Ok(slots)
}

/// Checks that a pooling gather holds the 4 children of every coarse RING pixel.
fn check_children(path: &Path, name: &str, indices: &[i64], nside: u64) -> Result<()> {
    let sky = |e| TrainError::from(tessera_sky::SkyError::from(e));
    let (fine, coarse) = (
        Healpix::ring(nside).map_err(sky)?,
        Healpix::ring(nside / 2).map_err(sky)?,
    );
    let n = coarse.npix() as usize;
    if indices.len() != 4 * n {
        return Err(bad(
            path,
            format!(
                "OrderMap layer {name}: {} indices, not the 4 × {n} children of nside {}",
                indices.len(),
                nside / 2
            ),
        ));
    }
    for j in 0..n {
        let parent = coarse.ring2nest(j as u64).map_err(sky)?;
        let mut want = (0..4)
            .map(|k| fine.nest2ring(4 * parent + k).map(|p| p as i64))
            .collect::<std::result::Result<Vec<i64>, _>>()
            .map_err(sky)?;
        let mut got = indices[4 * j..4 * j + 4].to_vec();
        want.sort_unstable();
        got.sort_unstable();
        if got != want {
            return Err(bad(
                path,
                format!(
                    "OrderMap layer {name}: group {j} is {got:?}, not the children {want:?} of \
                     RING pixel {j} at nside {} (not NNhealpix's degrading)",
                    nside / 2
                ),
            ));
        }
    }
    Ok(())
}

/// A weight of the expected shape, as f32.
fn weight(path: &Path, layer: &Layer, i: usize, shape: &[usize]) -> Result<Vec<f32>> {
    let a = layer
        .weights
        .get(i)
        .ok_or_else(|| bad(path, format!("layer {}: weight {i} is missing", layer.name)))?;
    if a.shape != shape {
        return Err(bad(
            path,
            format!(
                "layer {}: weight {i} has shape {:?}, expected {shape:?}",
                layer.name, a.shape
            ),
        ));
    }
    Ok(a.values.iter().map(|&v| v as f32).collect())
}

/// A convolution read: kernel `[9, d_in, d_out]` in Tessera's slot order, and its bias.
struct StencilKernel {
    kernel: Vec<f32>,
    shape: [usize; 3],
    bias: Option<Vec<f32>>,
}

/// A Dense layer read: weight `[d_in, d_out]` and bias.
struct DenseWeights {
    weight: Vec<f32>,
    shape: [usize; 2],
    bias: Vec<f32>,
}

/// What the walk through the layers has gathered so far.
#[derive(Default)]
struct Walk {
    nside: u64,
    channels: usize,
    inputs: usize,
    widths: Vec<usize>,
    convs_in_block: usize,
    convs_per_block: Option<usize>,
    pool: Option<HealpixPoolKind>,
    conv_bias: Option<bool>,
    kernels: Vec<StencilKernel>,
    readout: Option<SphereReadout>,
    flatten_channels_first: bool,
    dropout: f64,
    dense: Vec<DenseWeights>,
    softmax: bool,
    record: Vec<String>,
}

/// Reads an NNhealpix model saved by Keras and rebuilds it as a Tessera network, on the CPU.
///
/// # Errors
/// [`TrainError::Data`], naming the file, for a file that is not a Keras HDF5 model, a layer
/// with no Tessera counterpart, gather indices that are not NNhealpix's stencils and
/// degradings, weights of the wrong shape.
pub fn import_nnhealpix(path: &Path) -> Result<ImportedSphere> {
    let layers = read_layers(path)?;
    let mut w = Walk::default();
    let mut i = 0;
    while i < layers.len() {
        let l = &layers[i];
        let next = layers.get(i + 1);
        let is_relu = |l: Option<&Layer>| {
            l.is_some_and(|l| {
                (l.class == "Activation" && l.activation() == "relu") || l.class == "ReLU"
            })
        };
        match l.class.as_str() {
            "InputLayer" => {
                let shape = l
                    .get("batch_input_shape")
                    .or_else(|| l.get("batch_shape"))
                    .and_then(Value::as_array)
                    .filter(|s| s.len() == 3)
                    .ok_or_else(|| bad(path, "the input is not [batch, pixels, channels]"))?;
                let (npix, channels) = (
                    shape[1].as_u64().unwrap_or(0),
                    shape[2].as_u64().unwrap_or(0) as usize,
                );
                w.nside = tessera_healpix::npix2nside(npix).map_err(|_| {
                    bad(
                        path,
                        format!("the input has {npix} pixels, not a HEALPix map"),
                    )
                })?;
                (w.channels, w.inputs) = (channels, channels);
                w.record.push(format!(
                    "{}: input, nside {}, {channels} channels",
                    l.name, w.nside
                ));
            }
            "OrderMap" => {
                let indices = gather_indices(path, l)?;
                let Some(op) = next else {
                    return Err(bad(
                        path,
                        format!("OrderMap layer {} ends the model", l.name),
                    ));
                };
                match op.class.as_str() {
                    "Conv1D" => {
                        if op.size("kernel_size") != Some(9) || op.size("strides") != Some(9) {
                            return Err(bad(
                                path,
                                format!(
                                    "Conv1D layer {}: kernel and stride must be 9 (NNhealpix's \
                                     ConvNeighbours)",
                                    op.name
                                ),
                            ));
                        }
                        let slots = stencil_slots(path, &l.name, &indices, w.nside)?;
                        let filters = op.size("filters").unwrap_or(0) as usize;
                        let (c, o) = (w.channels, filters);
                        let keras = weight(path, op, 0, &[9, c, o])?;
                        let mut kernel = vec![0.0f32; 9 * c * o];
                        for (k, &s) in slots.iter().enumerate() {
                            kernel[s * c * o..(s + 1) * c * o]
                                .copy_from_slice(&keras[k * c * o..(k + 1) * c * o]);
                        }
                        let use_bias = op.get("use_bias").and_then(Value::as_bool).unwrap_or(true);
                        let bias = if use_bias {
                            Some(weight(path, op, 1, &[o])?)
                        } else {
                            None
                        };
                        if *w.conv_bias.get_or_insert(use_bias) != use_bias {
                            return Err(bad(path, "some convolutions have a bias and some not"));
                        }
                        let relu_inline = op.activation() == "relu";
                        let relu_after = op.activation() == "linear" && is_relu(layers.get(i + 2));
                        if !(relu_inline || relu_after) {
                            return Err(bad(
                                path,
                                format!(
                                    "Conv1D layer {}: Tessera's blocks apply a ReLU after each \
                                     convolution, this one is followed by {:?}",
                                    op.name,
                                    layers.get(i + 2).map(|l| l.class.as_str())
                                ),
                            ));
                        }
                        w.kernels.push(StencilKernel {
                            kernel,
                            shape: [9, c, o],
                            bias,
                        });
                        w.channels = o;
                        w.convs_in_block += 1;
                        w.record.push(format!(
                            "{} + {}: stencil convolution at nside {}, {c} → {o} channels (slots \
                             matched: {slots:?})",
                            l.name, op.name, w.nside
                        ));
                        i += if relu_inline { 2 } else { 3 };
                        continue;
                    }
                    "MaxPooling1D" | "AveragePooling1D" => {
                        if op.size("pool_size") != Some(4) {
                            return Err(bad(
                                path,
                                format!("{} layer {}: pool size must be 4", op.class, op.name),
                            ));
                        }
                        check_children(path, &l.name, &indices, w.nside)?;
                        let kind = if op.class == "MaxPooling1D" {
                            HealpixPoolKind::Max
                        } else {
                            HealpixPoolKind::Mean
                        };
                        if *w.pool.get_or_insert(kind) != kind {
                            return Err(bad(path, "the blocks mix max and average pooling"));
                        }
                        let convs = std::mem::take(&mut w.convs_in_block);
                        if convs == 0 || *w.convs_per_block.get_or_insert(convs) != convs {
                            return Err(bad(
                                path,
                                format!(
                                    "pooling {} closes a block of {convs} convolutions: Tessera's \
                                     blocks all have the same number, at least one",
                                    op.name
                                ),
                            ));
                        }
                        w.widths.push(w.channels);
                        w.record.push(format!(
                            "{} + {}: {kind:?} pooling, nside {} → {}",
                            l.name,
                            op.name,
                            w.nside,
                            w.nside / 2
                        ));
                        w.nside /= 2;
                        i += 2;
                        continue;
                    }
                    other => {
                        return Err(bad(
                            path,
                            format!(
                                "OrderMap layer {} is followed by a {other}, not a Conv1D or a \
                                 pooling",
                                l.name
                            ),
                        ));
                    }
                }
            }
            "Dropout" => {
                w.dropout = l.get("rate").and_then(Value::as_f64).unwrap_or(0.0);
                w.record.push(format!("{}: dropout {}", l.name, w.dropout));
            }
            "Flatten" | "GlobalAveragePooling1D" | "GlobalMaxPooling1D" => {
                if w.convs_in_block > 0 || w.widths.is_empty() {
                    return Err(bad(
                        path,
                        format!(
                            "{} layer {}: Tessera reads out after whole blocks (convolutions then \
                             pooling)",
                            l.class, l.name
                        ),
                    ));
                }
                w.readout = Some(match l.class.as_str() {
                    "Flatten" => SphereReadout::Flatten,
                    "GlobalAveragePooling1D" => SphereReadout::Mean,
                    _ => SphereReadout::Max,
                });
                w.flatten_channels_first = l.str("data_format") == Some("channels_first");
                w.record.push(format!(
                    "{}: readout {:?}",
                    l.name,
                    w.readout.unwrap_or(SphereReadout::Flatten)
                ));
            }
            "Dense" => {
                let units = l.size("units").unwrap_or(0) as usize;
                let rows = match (w.dense.last(), w.readout) {
                    (Some(d), _) => d.shape[1],
                    (None, Some(SphereReadout::Flatten)) => {
                        12 * (w.nside * w.nside) as usize * w.channels
                    }
                    (None, Some(_)) => w.channels,
                    (None, None) => {
                        return Err(bad(
                            path,
                            format!("Dense layer {} before a readout", l.name),
                        ));
                    }
                };
                let kernel = weight(path, l, 0, &[rows, units])?;
                let bias = weight(path, l, 1, &[units])?;
                let act = if l.activation() == "linear" {
                    match next {
                        Some(n) if n.class == "Activation" => {
                            i += 1;
                            n.activation().to_string()
                        }
                        _ => "linear".into(),
                    }
                } else {
                    l.activation().to_string()
                };
                let hidden = w.dense.is_empty();
                match (hidden, act.as_str()) {
                    (true, "relu") => {}
                    (false, "softmax") => w.softmax = true,
                    (false, "linear") => {}
                    _ => {
                        return Err(bad(
                            path,
                            format!(
                                "Dense layer {} with activation {act}: Tessera's head is one \
                                 hidden Dense layer with ReLU, then an output layer (softmax or \
                                 linear)",
                                l.name
                            ),
                        ));
                    }
                }
                w.dense.push(DenseWeights {
                    weight: kernel,
                    shape: [rows, units],
                    bias,
                });
                w.record
                    .push(format!("{}: dense {rows} → {units}, {act}", l.name));
            }
            "Activation" if l.activation() == "softmax" && w.dense.len() == 2 => {
                w.softmax = true;
            }
            other => {
                return Err(bad(
                    path,
                    format!(
                        "layer {} ({other}) has no counterpart in Tessera's sphere CNN",
                        l.name
                    ),
                ));
            }
        }
        i += 1;
    }
    build(path, w, &Device::flex())
}

/// The network the walk describes, with the Dense rows after `Flatten` in Tessera's order.
fn build(path: &Path, w: Walk, device: &Device) -> Result<ImportedSphere> {
    let (Some(readout), [hidden, output]) = (w.readout, &w.dense[..]) else {
        return Err(bad(
            path,
            format!(
                "the model ends with {} Dense layers{}: Tessera's head is a readout, one hidden \
                 Dense layer and an output layer",
                w.dense.len(),
                if w.readout.is_none() {
                    " and no readout"
                } else {
                    ""
                }
            ),
        ));
    };
    let input_nside = w.nside << w.widths.len();
    let config = SphereCnnConfig::new(input_nside, w.inputs, output.shape[1])
        .with_widths(w.widths.clone())
        .with_convs_per_block(w.convs_per_block.unwrap_or(1))
        .with_conv_bias(w.conv_bias.unwrap_or(false))
        .with_pool(w.pool.unwrap_or(HealpixPoolKind::Max))
        .with_readout(readout)
        .with_dense(hidden.shape[1])
        .with_dropout(w.dropout);
    let mut hidden_rows = hidden.weight.clone();
    if readout == SphereReadout::Flatten {
        let nested = Healpix::nested(w.nside).map_err(tessera_sky::SkyError::from)?;
        let (n, c, units) = (nested.npix() as usize, w.channels, hidden.shape[1]);
        for q in 0..n {
            let p = nested
                .nest2ring(q as u64)
                .map_err(tessera_sky::SkyError::from)? as usize;
            for ch in 0..c {
                let from = if w.flatten_channels_first {
                    ch * n + p
                } else {
                    p * c + ch
                };
                let to = q * c + ch;
                hidden_rows[to * units..(to + 1) * units]
                    .copy_from_slice(&hidden.weight[from * units..(from + 1) * units]);
            }
        }
    }
    let t1 = |v: &[f32]| Tensor::<1>::from_data(TensorData::new(v.to_vec(), [v.len()]), device);
    let t2 = |v: Vec<f32>, s: [usize; 2]| Tensor::<2>::from_data(TensorData::new(v, s), device);
    let weights = SphereWeights {
        convs: w
            .kernels
            .iter()
            .map(|k| {
                (
                    Tensor::<3>::from_data(TensorData::new(k.kernel.clone(), k.shape), device),
                    k.bias.as_deref().map(t1),
                )
            })
            .collect(),
        hidden: (t2(hidden_rows, hidden.shape), t1(&hidden.bias)),
        output: (t2(output.weight.clone(), output.shape), t1(&output.bias)),
    };
    let net = config.init(device)?.with_weights(weights)?;
    Ok(ImportedSphere {
        config,
        net,
        classification: w.softmax,
        layers: w.record,
    })
}

impl ImportedSphere {
    /// The network as a sphere run (for [`SphereRun::save`](crate::sphere::SphereRun::save)):
    /// outputs named `names` (`None`: 0, 1, … for classes, p0, p1, … for parameters), inputs
    /// unstandardised, `task` and `data` as the run records them, `seed` the run's (an MNIST
    /// run's test orientations follow it).
    ///
    /// # Errors
    /// [`TrainError::Config`] for a model reading other than 1 (T), 2 (Q, U) or 3 (T, Q, U)
    /// channels, or names that do not match its outputs.
    pub fn to_run(
        &self,
        names: Option<Vec<String>>,
        task: &str,
        data: Value,
        seed: u64,
    ) -> Result<crate::sphere::SphereRun> {
        use crate::data::MapFields;
        let config = &self.config;
        let fields = match config.channels {
            1 => MapFields::T,
            2 => MapFields::QU,
            3 => MapFields::TQU,
            c => {
                return Err(TrainError::Config(format!(
                    "the model reads {c} channels; Tessera's runs read T (1), Q,U (2) or T,Q,U (3)"
                )));
            }
        };
        let names = names.unwrap_or_else(|| {
            let prefix = if self.classification { "" } else { "p" };
            (0..config.outputs)
                .map(|i| format!("{prefix}{i}"))
                .collect()
        });
        if names.len() != config.outputs {
            return Err(TrainError::Config(format!(
                "{} names for the model's {} outputs",
                names.len(),
                config.outputs
            )));
        }
        let (n, k) = (config.channels, config.outputs);
        let targets = |v: f64| {
            if self.classification {
                Vec::new()
            } else {
                vec![v; k]
            }
        };
        Ok(crate::sphere::SphereRun {
            task: task.into(),
            model: serde_json::to_value(config)
                .map_err(|e| TrainError::Config(format!("the network configuration: {e}")))?,
            fields,
            mask_channel: false,
            target_names: names,
            classification: self.classification,
            normalisation: crate::sphere::Normalisation {
                channel_mean: vec![0.0; n],
                channel_scale: vec![1.0; n],
                target_mean: targets(0.0),
                target_scale: targets(1.0),
            },
            fit: crate::schedule::FitSchedule {
                epochs: 0,
                seed,
                ..Default::default()
            },
            history: Default::default(),
            data,
            inputs: Default::default(),
        })
    }
}
