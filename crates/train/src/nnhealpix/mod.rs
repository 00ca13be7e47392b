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

mod gathers;
mod keras;

use std::path::Path;

use burn::prelude::*;
use serde_json::Value;
use tessera_gnn::pool::HealpixPoolKind;
use tessera_healpix::Healpix;

use self::gathers::{check_children, stencil_slots};
use self::keras::{Layer, bad, gather_indices, read_layers, weight};
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

/// Whether `l` is a ReLU (an `Activation("relu")` or a `ReLU` layer).
fn is_relu(l: Option<&Layer>) -> bool {
    l.is_some_and(|l| (l.class == "Activation" && l.activation() == "relu") || l.class == "ReLU")
}

impl Walk {
    /// The input layer: `[batch, pixels, channels]`.
    fn input(&mut self, path: &Path, l: &Layer) -> Result<()> {
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
        self.nside = tessera_healpix::npix2nside(npix).map_err(|_| {
            bad(
                path,
                format!("the input has {npix} pixels, not a HEALPix map"),
            )
        })?;
        (self.channels, self.inputs) = (channels, channels);
        self.record.push(format!(
            "{}: input, nside {}, {channels} channels",
            l.name, self.nside
        ));
        Ok(())
    }

    /// A stencil gather and its Conv1D (kernel and stride 9), then its ReLU (inside the
    /// Conv1D or the layer `after`); returns the layers used.
    fn stencil_conv(
        &mut self,
        path: &Path,
        gather: &Layer,
        conv: &Layer,
        after: Option<&Layer>,
    ) -> Result<usize> {
        if conv.size("kernel_size") != Some(9) || conv.size("strides") != Some(9) {
            return Err(bad(
                path,
                format!(
                    "Conv1D layer {}: kernel and stride must be 9 (NNhealpix's ConvNeighbours)",
                    conv.name
                ),
            ));
        }
        let indices = gather_indices(path, gather)?;
        let slots = stencil_slots(path, &gather.name, &indices, self.nside)?;
        let (c, o) = (self.channels, conv.size("filters").unwrap_or(0) as usize);
        let keras = weight(path, conv, 0, &[9, c, o])?;
        let mut kernel = vec![0.0f32; 9 * c * o];
        for (k, &s) in slots.iter().enumerate() {
            kernel[s * c * o..(s + 1) * c * o].copy_from_slice(&keras[k * c * o..(k + 1) * c * o]);
        }
        let use_bias = conv
            .get("use_bias")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let bias = if use_bias {
            Some(weight(path, conv, 1, &[o])?)
        } else {
            None
        };
        if *self.conv_bias.get_or_insert(use_bias) != use_bias {
            return Err(bad(path, "some convolutions have a bias and some not"));
        }
        let relu_inline = conv.activation() == "relu";
        if !(relu_inline || conv.activation() == "linear" && is_relu(after)) {
            return Err(bad(
                path,
                format!(
                    "Conv1D layer {}: Tessera's blocks apply a ReLU after each convolution, \
                     this one is followed by {:?}",
                    conv.name,
                    after.map(|l| l.class.as_str())
                ),
            ));
        }
        self.kernels.push(StencilKernel {
            kernel,
            shape: [9, c, o],
            bias,
        });
        self.channels = o;
        self.convs_in_block += 1;
        self.record.push(format!(
            "{} + {}: stencil convolution at nside {}, {c} → {o} channels (slots matched: \
             {slots:?})",
            gather.name, conv.name, self.nside
        ));
        Ok(if relu_inline { 2 } else { 3 })
    }

    /// A children gather and its pooling by 4: closes a block.
    fn pool(&mut self, path: &Path, gather: &Layer, pool: &Layer) -> Result<()> {
        if pool.size("pool_size") != Some(4) {
            return Err(bad(
                path,
                format!("{} layer {}: pool size must be 4", pool.class, pool.name),
            ));
        }
        check_children(
            path,
            &gather.name,
            &gather_indices(path, gather)?,
            self.nside,
        )?;
        let kind = if pool.class == "MaxPooling1D" {
            HealpixPoolKind::Max
        } else {
            HealpixPoolKind::Mean
        };
        if *self.pool.get_or_insert(kind) != kind {
            return Err(bad(path, "the blocks mix max and average pooling"));
        }
        let convs = std::mem::take(&mut self.convs_in_block);
        if convs == 0 || *self.convs_per_block.get_or_insert(convs) != convs {
            return Err(bad(
                path,
                format!(
                    "pooling {} closes a block of {convs} convolutions: Tessera's blocks all \
                     have the same number, at least one",
                    pool.name
                ),
            ));
        }
        self.widths.push(self.channels);
        self.record.push(format!(
            "{} + {}: {kind:?} pooling, nside {} → {}",
            gather.name,
            pool.name,
            self.nside,
            self.nside / 2
        ));
        self.nside /= 2;
        Ok(())
    }

    /// Flatten (NNhealpix's), or a global mean or max.
    fn readout(&mut self, path: &Path, l: &Layer) -> Result<()> {
        if self.convs_in_block > 0 || self.widths.is_empty() {
            return Err(bad(
                path,
                format!(
                    "{} layer {}: Tessera reads out after whole blocks (convolutions then \
                     pooling)",
                    l.class, l.name
                ),
            ));
        }
        let readout = match l.class.as_str() {
            "Flatten" => SphereReadout::Flatten,
            "GlobalAveragePooling1D" => SphereReadout::Mean,
            _ => SphereReadout::Max,
        };
        self.readout = Some(readout);
        self.flatten_channels_first = l.str("data_format") == Some("channels_first");
        self.record.push(format!("{}: readout {readout:?}", l.name));
        Ok(())
    }

    /// A Dense layer of the head, with its activation (inside it or the layer `next`);
    /// returns the layers used.
    fn dense(&mut self, path: &Path, l: &Layer, next: Option<&Layer>) -> Result<usize> {
        let units = l.size("units").unwrap_or(0) as usize;
        let rows = match (self.dense.last(), self.readout) {
            (Some(d), _) => d.shape[1],
            (None, Some(SphereReadout::Flatten)) => {
                12 * (self.nside * self.nside) as usize * self.channels
            }
            (None, Some(_)) => self.channels,
            (None, None) => {
                return Err(bad(
                    path,
                    format!("Dense layer {} before a readout", l.name),
                ));
            }
        };
        let weight_rows = weight(path, l, 0, &[rows, units])?;
        let bias = weight(path, l, 1, &[units])?;
        let (act, used) = match next {
            Some(n) if l.activation() == "linear" && n.class == "Activation" => {
                (n.activation().to_string(), 2)
            }
            _ => (l.activation().to_string(), 1),
        };
        match (self.dense.is_empty(), act.as_str()) {
            (true, "relu") | (false, "linear") => {}
            (false, "softmax") => self.softmax = true,
            _ => {
                return Err(bad(
                    path,
                    format!(
                        "Dense layer {} with activation {act}: Tessera's head is one hidden \
                         Dense layer with ReLU, then an output layer (softmax or linear)",
                        l.name
                    ),
                ));
            }
        }
        self.dense.push(DenseWeights {
            weight: weight_rows,
            shape: [rows, units],
            bias,
        });
        self.record
            .push(format!("{}: dense {rows} → {units}, {act}", l.name));
        Ok(used)
    }
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
        i += match (l.class.as_str(), next) {
            ("InputLayer", _) => w.input(path, l).map(|()| 1)?,
            ("OrderMap", Some(op)) if op.class == "Conv1D" => {
                w.stencil_conv(path, l, op, layers.get(i + 2))?
            }
            ("OrderMap", Some(op))
                if matches!(op.class.as_str(), "MaxPooling1D" | "AveragePooling1D") =>
            {
                w.pool(path, l, op).map(|()| 2)?
            }
            ("OrderMap", other) => {
                return Err(bad(
                    path,
                    format!(
                        "OrderMap layer {} is followed by {}, not a Conv1D or a pooling",
                        l.name,
                        other.map_or("nothing", |n| n.class.as_str())
                    ),
                ));
            }
            ("Dropout", _) => {
                w.dropout = l.get("rate").and_then(Value::as_f64).unwrap_or(0.0);
                w.record.push(format!("{}: dropout {}", l.name, w.dropout));
                1
            }
            ("Flatten" | "GlobalAveragePooling1D" | "GlobalMaxPooling1D", _) => {
                w.readout(path, l).map(|()| 1)?
            }
            ("Dense", _) => w.dense(path, l, next)?,
            ("Activation", _) if l.activation() == "softmax" && w.dense.len() == 2 => {
                w.softmax = true;
                1
            }
            (other, _) => {
                return Err(bad(
                    path,
                    format!(
                        "layer {} ({other}) has no counterpart in Tessera's sphere CNN",
                        l.name
                    ),
                ));
            }
        };
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
    /// [`TrainError::InvalidNetwork`] for a model reading other than 1 (T), 2 (Q, U) or 3 (T,
    /// Q, U) channels; [`TrainError::SizeMismatch`] for names that do not match its outputs.
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
                return Err(TrainError::InvalidNetwork {
                    network: "the imported model",
                    problem: format!(
                        "it reads {c} channels; Tessera's runs read T (1), Q,U (2) or T,Q,U (3)"
                    ),
                });
            }
        };
        let names = names.unwrap_or_else(|| {
            let prefix = if self.classification { "" } else { "p" };
            (0..config.outputs)
                .map(|i| format!("{prefix}{i}"))
                .collect()
        });
        if names.len() != config.outputs {
            return Err(TrainError::SizeMismatch {
                what: "the output names".into(),
                unit: "names",
                found: names.len(),
                needed: config.outputs,
            });
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
            model: serde_json::to_value(config).map_err(|e| TrainError::ModelConfig {
                what: "the network configuration".into(),
                problem: e.into(),
            })?,
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
