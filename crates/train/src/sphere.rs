//! Training and inference of the sphere CNN on [`MapSet`]s, and the run folder that keeps a
//! trained network with everything needed to use it again (`run.json` + `model.bpk`).

use std::borrow::Cow;
use std::path::Path;

use burn::prelude::*;

use crate::data::{GridRotation, MapFields, MapSet, MapTargets};
use crate::engine::{Checkpointing, History, Output, Split, Task};
use crate::error::{Result, TrainError};
use crate::models::{SphereCnn, SphereCnnConfig};
use crate::run_folder;
pub use crate::schedule::{EarlyStopping, FitSchedule};

/// Affine scalings fixed from the training set: inputs per channel, targets per parameter.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Normalisation {
    /// Subtracted from each channel.
    pub channel_mean: Vec<f64>,
    /// Divides each channel after the mean is removed.
    pub channel_scale: Vec<f64>,
    /// Subtracted from each regression target (empty for classes).
    pub target_mean: Vec<f64>,
    /// Divides each regression target.
    pub target_scale: Vec<f64>,
}

impl Normalisation {
    /// Means and standard deviations of `set` (channels over all pixels; targets over maps).
    /// A constant channel or target keeps scale 1.
    pub fn fit(set: &MapSet) -> Normalisation {
        let c = set.channels;
        let (mut sum, mut sum2) = (vec![0.0f64; c], vec![0.0f64; c]);
        for (i, &v) in set.maps.iter().enumerate() {
            sum[i % c] += f64::from(v);
            sum2[i % c] += f64::from(v) * f64::from(v);
        }
        let n = (set.maps.len() / c).max(1) as f64;
        let stats = |s: &[f64], s2: &[f64], n: f64| -> (Vec<f64>, Vec<f64>) {
            let mean: Vec<f64> = s.iter().map(|v| v / n).collect();
            let scale = s2
                .iter()
                .zip(&mean)
                .map(|(v, m)| {
                    let sd = (v / n - m * m).max(0.0).sqrt();
                    if sd > 0.0 { sd } else { 1.0 }
                })
                .collect();
            (mean, scale)
        };
        let (channel_mean, channel_scale) = stats(&sum, &sum2, n);
        let (target_mean, target_scale) = match &set.targets {
            MapTargets::Values { values, names } => {
                let k = names.len();
                let (mut s, mut s2) = (vec![0.0; k], vec![0.0; k]);
                for (i, v) in values.iter().enumerate() {
                    s[i % k] += v;
                    s2[i % k] += v * v;
                }
                stats(&s, &s2, set.len().max(1) as f64)
            }
            MapTargets::Classes { .. } => (Vec::new(), Vec::new()),
        };
        Normalisation {
            channel_mean,
            channel_scale,
            target_mean,
            target_scale,
        }
    }

    /// Maps `idx` of `set`, normalised, as a tensor.
    ///
    /// # Shapes
    /// → `[idx.len(), npix, channels]`.
    fn inputs(&self, set: &MapSet, idx: &[usize], device: &Device) -> Tensor<3> {
        let c = set.channels;
        let mut v = Vec::with_capacity(idx.len() * set.map_len());
        for &i in idx {
            v.extend(set.map(i).iter().enumerate().map(|(k, &x)| {
                ((f64::from(x) - self.channel_mean[k % c]) / self.channel_scale[k % c]) as f32
            }));
        }
        Tensor::from_data(
            TensorData::new(v, [idx.len(), set.map_len() / c, c]),
            device,
        )
    }
}

/// What a trained network says about a set of maps.
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions {
    /// Per map: class probabilities, or parameter values in their own units.
    pub outputs: Vec<Vec<f64>>,
    /// Mean loss over the maps (as in training; NaN when the set has no targets).
    pub loss: f64,
}

impl Predictions {
    /// The most probable class of each map.
    pub fn classes(&self) -> Vec<usize> {
        crate::metrics::argmax(&self.outputs)
    }

    /// Accuracy (classes) or RMSE of the first parameter (values) against `targets`.
    pub fn metric(&self, targets: &MapTargets) -> f64 {
        match targets {
            MapTargets::Classes { labels, .. } => {
                let hits = self
                    .classes()
                    .iter()
                    .zip(labels)
                    .filter(|(p, t)| p == t)
                    .count();
                hits as f64 / labels.len().max(1) as f64
            }
            MapTargets::Values { values, names } => {
                let k = names.len();
                let se: f64 = self
                    .outputs
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (o[0] - values[i * k]).powi(2))
                    .sum();
                (se / self.outputs.len().max(1) as f64).sqrt()
            }
        }
    }
}

fn check_compatible(model: &SphereCnnConfig, set: &MapSet, what: &str) -> Result<()> {
    if set.nside != model.nside
        || set.channels != model.channels
        || set.targets.outputs() != model.outputs
    {
        return Err(TrainError::MapsDoNotFit {
            what: what.to_string(),
            maps: [set.nside, set.channels as u64, set.targets.outputs() as u64],
            network: [model.nside, model.channels as u64, model.outputs as u64],
        });
    }
    if set.is_empty() {
        return Err(TrainError::TooFew {
            what: what.to_string(),
            unit: "maps",
            found: 0,
            needed: 1,
        });
    }
    Ok(())
}

/// Runs `net` over the maps of `set` in batches of `batch` on the CPU: class probabilities
/// (`classification`) or parameter values in their own units, per map, followed for a Gaussian
/// head by each value's standard deviation σ. The targets of `set` are not read.
///
/// # Errors
/// [`TrainError::SizeMismatch`] when the maps do not fit the network.
pub fn infer(
    net: &SphereCnn,
    set: &MapSet,
    norm: &Normalisation,
    classification: bool,
    batch: usize,
) -> Result<Vec<Vec<f64>>> {
    if norm.channel_mean.len() != set.channels {
        return Err(TrainError::SizeMismatch {
            what: "maps".into(),
            unit: "channel(s)",
            found: set.channels,
            needed: norm.channel_mean.len(),
        });
    }
    let device = crate::compute::device_of(net);
    let order: Vec<usize> = (0..set.len()).collect();
    let mut outputs = Vec::with_capacity(set.len());
    for idx in order.chunks(batch.max(1)) {
        let out = net.forward(norm.inputs(set, idx, &device));
        // A Gaussian head gives ln σ after the values.
        let params = norm.target_scale.len();
        if classification {
            outputs.extend(crate::compute::softmax_rows(out)?);
            continue;
        }
        for row in crate::compute::read_rows(out)? {
            outputs.push(
                row.into_iter()
                    .enumerate()
                    .map(|(j, v)| match j.checked_sub(params) {
                        None => v * norm.target_scale[j] + norm.target_mean[j],
                        Some(p) => v.exp() * norm.target_scale[p],
                    })
                    .collect(),
            );
        }
    }
    Ok(outputs)
}

/// [`infer`] averaged over the maps turned by each of `rotations` (from
/// [`grid_rotations`](crate::data::grid_rotations)): the mean class probabilities or parameter
/// values of the turned copies. No rotations: [`infer`] itself.
///
/// # Errors
/// As [`infer`], and rotations for another nside.
pub fn infer_rotated(
    net: &SphereCnn,
    set: &MapSet,
    norm: &Normalisation,
    classification: bool,
    batch: usize,
    rotations: &[GridRotation],
) -> Result<Vec<Vec<f64>>> {
    let Some((first, rest)) = rotations.split_first() else {
        return infer(net, set, norm, classification, batch);
    };
    let mut sum = infer(net, &set.rotated(first)?, norm, classification, batch)?;
    for r in rest {
        let out = infer(net, &set.rotated(r)?, norm, classification, batch)?;
        for (s, o) in sum.iter_mut().zip(out) {
            s.iter_mut().zip(o).for_each(|(a, b)| *a += b);
        }
    }
    let n = rotations.len() as f64;
    sum.iter_mut().flatten().for_each(|v| *v /= n);
    Ok(sum)
}

/// [`infer`] on a set with targets, and the loss as training measures it (cross-entropy, or
/// the mean squared error of the standardised parameters).
///
/// # Errors
/// [`TrainError::SizeMismatch`] when the maps do not fit the network.
pub fn predict(
    net: &SphereCnn,
    model: &SphereCnnConfig,
    set: &MapSet,
    norm: &Normalisation,
    batch: usize,
) -> Result<Predictions> {
    predict_rotated(net, model, set, norm, batch, &[])
}

/// [`predict`] with the outputs averaged over `rotations` of the maps (see [`infer_rotated`]).
///
/// # Errors
/// As [`predict`], and rotations for another nside.
pub fn predict_rotated(
    net: &SphereCnn,
    model: &SphereCnnConfig,
    set: &MapSet,
    norm: &Normalisation,
    batch: usize,
    rotations: &[GridRotation],
) -> Result<Predictions> {
    check_compatible(model, set, "predict")?;
    let (outputs, loss) = match &set.targets {
        MapTargets::Classes { labels, .. } => {
            let outputs = infer_rotated(net, set, norm, true, batch, rotations)?;
            let nll: f64 = outputs
                .iter()
                .zip(labels)
                .map(|(p, &l)| -p[l].max(1e-30).ln())
                .sum();
            (outputs, nll)
        }
        MapTargets::Values { values, names } => {
            let outputs = infer_rotated(net, set, norm, false, batch, rotations)?;
            let k = names.len();
            // Per standardised value: the squared error, or the Gaussian negative
            // log-likelihood when the network gives σ.
            let loss: f64 = outputs
                .iter()
                .enumerate()
                .flat_map(|(i, o)| {
                    (0..k).map(move |j| {
                        let z = (o[j] - values[i * k + j]) / norm.target_scale[j];
                        match o.get(k + j) {
                            Some(sigma) => {
                                let s = sigma / norm.target_scale[j];
                                0.5 * (z / s).powi(2) + s.ln()
                            }
                            None => z * z,
                        }
                    })
                })
                .sum::<f64>()
                / k as f64;
            (outputs, loss)
        }
    };
    Ok(Predictions {
        outputs,
        loss: loss / set.len() as f64,
    })
}

/// The sphere CNN's task as the engine sees it: epoch `e` trains on `train(e)` (a fixed set,
/// or fresh maps); the first epoch's set is the base the validation maps are drawn from; the
/// test loss and metric are recorded after each epoch.
struct SphereTask<'a, 's, F> {
    model: &'s SphereCnnConfig,
    train: F,
    base: Cow<'a, MapSet>,
    epoch: Option<Cow<'a, MapSet>>,
    test: &'s MapSet,
    norm: &'s Normalisation,
}

impl<'a, F: FnMut(usize) -> Result<Cow<'a, MapSet>>> Task for SphereTask<'a, '_, F> {
    type Model = SphereCnn;

    fn init(&self, device: &Device) -> Result<SphereCnn> {
        self.model.init(device)
    }

    fn train_len(&self) -> usize {
        self.base.len()
    }

    fn begin_epoch(&mut self, epoch: usize, _seed: u64) -> Result<()> {
        if epoch == 0 {
            self.epoch = None;
            return Ok(());
        }
        let set = (self.train)(epoch)?;
        check_compatible(self.model, &set, "training maps")?;
        if set.len() < self.base.len() {
            return Err(TrainError::SizeMismatch {
                what: format!("epoch {}", epoch + 1),
                unit: "training maps",
                found: set.len(),
                needed: self.base.len(),
            });
        }
        self.epoch = Some(set);
        Ok(())
    }

    fn forward(
        &self,
        net: &SphereCnn,
        split: Split,
        batch: &[usize],
        device: &Device,
    ) -> Result<Output> {
        let set = match (split, &self.epoch) {
            (Split::Train, Some(set)) => set,
            _ => &self.base,
        };
        let out = net.forward(self.norm.inputs(set, batch, device));
        Ok(match &set.targets {
            MapTargets::Classes { labels, .. } => {
                let t: Vec<i64> = batch.iter().map(|&i| labels[i] as i64).collect();
                Output::Classes {
                    logits: out,
                    labels: Tensor::from_data(TensorData::new(t, [batch.len()]), device),
                }
            }
            MapTargets::Values { values, names } => {
                let k = names.len();
                let norm = self.norm;
                let t: Vec<f32> = batch
                    .iter()
                    .flat_map(|&i| {
                        (0..k).map(move |j| {
                            ((values[i * k + j] - norm.target_mean[j]) / norm.target_scale[j])
                                as f32
                        })
                    })
                    .collect();
                let targets = Tensor::from_data(TensorData::new(t, [batch.len(), k]), device);
                if self.model.gaussian {
                    Output::Gaussian {
                        predicted: out,
                        targets,
                    }
                } else {
                    Output::Values {
                        predicted: out,
                        targets,
                    }
                }
            }
        })
    }

    fn monitor(&self, net: &SphereCnn) -> Result<Vec<f64>> {
        let eval = predict(net, self.model, self.test, self.norm, 128)?;
        Ok(vec![eval.loss, eval.metric(&self.test.targets)])
    }

    fn monitor_names(&self) -> Vec<String> {
        vec![TEST_LOSS.into(), TEST_METRIC.into()]
    }
}

/// The test loss after each epoch, in a sphere run's [`History`].
pub const TEST_LOSS: &str = "test_loss";
/// The test accuracy (classes) or root-mean-square error of the first parameter, in its units,
/// after each epoch, in a sphere run's [`History`].
pub const TEST_METRIC: &str = "test_metric";

/// Trains a new network on the engine ([`crate::engine::fit`]): epoch `e` trains on
/// `train(e)` (a fixed set, borrowed, or fresh maps such as new rotations of the digits; a
/// resumed run asks again for the epochs it continues with), and the test loss and metric are
/// recorded after it. With `cfg.patience > 0`, a fraction of the first epoch's maps is held
/// out for validation (the same maps every epoch) and the best epoch's weights are kept; with
/// `cfg.average_last > 0` the mean of the last epochs' weights. `progress(epoch, history)` is
/// called after every epoch; `ckpt` keeps and resumes checkpoints.
///
/// # Errors
/// Sets that do not fit the network, errors of `train`, and the engine's errors.
pub fn fit_sphere<'a>(
    model: &SphereCnnConfig,
    mut train: impl FnMut(usize) -> Result<Cow<'a, MapSet>>,
    test: &MapSet,
    norm: &Normalisation,
    cfg: &FitSchedule,
    ckpt: &Checkpointing,
    progress: impl FnMut(usize, &History),
) -> Result<(SphereCnn, History)> {
    cfg.check()?;
    check_compatible(model, test, "test maps")?;
    let base = train(0)?;
    check_compatible(model, &base, "training maps")?;
    let mut task = SphereTask {
        model,
        train,
        base,
        epoch: None,
        test,
        norm,
    };
    let trained = crate::engine::fit(&mut task, cfg, 0, ckpt, progress)?;
    Ok((trained.model, trained.history))
}

/// Everything a trained network needs to be used again, kept as `run.json` beside `model.bpk`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SphereRun {
    /// What was learned (`mnist`, `ellp`, `tau`, `eb`, or `folder`).
    pub task: String,
    /// The network (burn's `Config` as JSON).
    pub model: serde_json::Value,
    /// The fields the network reads.
    pub fields: MapFields,
    /// Whether a mask channel follows the fields (see [`crate::data::network_input`]).
    #[serde(default)]
    pub mask_channel: bool,
    /// Class names, or parameter names.
    pub target_names: Vec<String>,
    /// Classification (true) or regression.
    pub classification: bool,
    /// The fixed scalings.
    pub normalisation: Normalisation,
    /// How it was trained.
    pub fit: FitSchedule,
    /// Per-epoch record ([`TEST_LOSS`] and [`TEST_METRIC`] monitored).
    pub history: History,
    /// Free-form description of the data (sizes, folders, noise…).
    pub data: serde_json::Value,
    /// The training maps' unit and parameter ranges, which new maps are checked against
    /// ([`crate::guard`]); empty for runs saved before they were recorded.
    #[serde(default)]
    pub inputs: crate::guard::InputProfile,
}

pub use crate::run_folder::{MODEL_FILE, RUN_FILE};

impl SphereRun {
    /// The network configuration.
    ///
    /// # Errors
    /// [`TrainError::ModelConfig`] when `model` is not a [`SphereCnnConfig`] (fields added since the
    /// run was saved take their defaults).
    pub fn model_config(&self) -> Result<SphereCnnConfig> {
        run_folder::config_with_defaults(
            &self.model,
            &SphereCnnConfig::new(0, 0, 0),
            &["nside", "channels", "outputs"],
            "the sphere CNN configuration of the run",
        )
    }

    /// Writes `run.json` and `model.bpk` into `dir` (created), each through a temporary file.
    ///
    /// # Errors
    /// Files that cannot be written.
    pub fn save(&self, net: &SphereCnn, dir: &Path) -> Result<()> {
        run_folder::save(net, self, dir)
    }

    /// Reads a run folder written by [`SphereRun::save`], with its network on the CPU.
    ///
    /// # Errors
    /// A missing or malformed `run.json`, weights that do not match the configuration.
    pub fn load(dir: &Path) -> Result<(SphereRun, SphereCnn)> {
        let run: SphereRun = run_folder::read_run(dir, "sphere run")?;
        let config = run.model_config()?;
        run_folder::check_weights_fit(dir, config.min_parameters())?;
        let net = run_folder::load_weights(config.init(&Device::flex())?, dir)?;
        Ok((run, net))
    }
}
