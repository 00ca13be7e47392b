//! The one training engine of Tessera: every task (graph classification, mesh classification,
//! sphere classification and regression) hands it a [`Task`] — its network, its samples and
//! what its network says about them — and the engine runs the epochs.
//!
//! The engine alone owns, for every task: the seeds of each epoch (so that a resumed run
//! repeats the uninterrupted one), the shuffling and batching, Adam and the learning-rate
//! schedule ([`FitSchedule::lr_at`]), the loss (cross-entropy with label smoothing, the mean
//! squared error, or the Gaussian negative log-likelihood), the validation split carved from the training samples and early stopping on
//! it, weight averaging, the divergence guard, the history, the progress callback, and the
//! checkpoints and resume ([`Checkpointing`]). Cross-validation, fresh simulations per epoch
//! and ensembles are built around it, not beside it.
//!
//! Model selection never sees test data: early stopping reads the validation split only.
//! A task may add a *monitor* (for example the test accuracy after each epoch, drawn as a
//! curve); the engine records it and never uses it to choose anything.

mod checkpoint;
mod history;

use burn::nn::loss::{MseLoss, Reduction};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

pub use checkpoint::{Checkpointing, settings_difference};
pub use history::History;

use crate::averaging::WeightAverage;
use crate::error::{Result, TrainError};
use crate::schedule::{EarlyStopping, FitSchedule};

/// Which samples a [`Task::forward`] call reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// This epoch's training samples (augmented or freshly drawn where the task does that).
    Train,
    /// The task's base training samples as they are (the validation split is drawn from them).
    Held,
}

/// What a network says about a batch, with the truth to score it against.
pub enum Output {
    /// Class scores and the true classes.
    Classes {
        /// `[batch, classes]`.
        logits: Tensor<2>,
        /// `[batch]`.
        labels: Tensor<1, Int>,
    },
    /// Standardised values and their standardised targets (scored by the mean squared error).
    Values {
        /// `[batch, outputs]`.
        predicted: Tensor<2>,
        /// `[batch, outputs]`.
        targets: Tensor<2>,
    },
    /// Standardised values with their predicted spread, scored by the Gaussian negative
    /// log-likelihood `½ ((t − μ) / σ)² + ln σ` (Nix & Weigend 1994), which trains σ to be the
    /// size of the error.
    Gaussian {
        /// `[batch, 2 · outputs]`: the means μ, then ln σ of each output.
        predicted: Tensor<2>,
        /// `[batch, outputs]`.
        targets: Tensor<2>,
    },
}

/// ln σ is kept within ±this in the Gaussian loss (σ from 5e-5 to 2e4 target standard
/// deviations), so that one wild output cannot overflow the loss.
const MAX_LOG_SIGMA: f64 = 10.0;

impl Output {
    /// The mean loss over the batch: cross-entropy with `smoothing` (0: plain) or MSE.
    fn loss(self, smoothing: f64) -> Tensor<1> {
        match self {
            Output::Classes { logits, labels } => {
                let device = logits.device();
                FitSchedule::cross_entropy(smoothing, &device).forward(logits, labels)
            }
            Output::Values { predicted, targets } => {
                MseLoss::new().forward(predicted, targets, Reduction::Mean)
            }
            Output::Gaussian { predicted, targets } => {
                let [b, k] = targets.dims();
                let mean = predicted.clone().slice([0..b, 0..k]);
                let log_sigma = predicted
                    .slice([0..b, k..2 * k])
                    .clamp(-MAX_LOG_SIGMA, MAX_LOG_SIGMA);
                let z = (targets - mean) * (log_sigma.clone() * -1.0).exp();
                (z.powi_scalar(2) * 0.5 + log_sigma).mean()
            }
        }
    }
}

/// One learning task, as the engine sees it.
pub trait Task {
    /// The network.
    type Model: Module;

    /// A new network on `device` (the engine has seeded the device).
    ///
    /// # Errors
    /// A configuration the network cannot be built from.
    fn init(&self, device: &Device) -> Result<Self::Model>;

    /// How many base training samples there are (the validation split is drawn from
    /// `0..train_len()`; the rest train).
    fn train_len(&self) -> usize;

    /// Makes epoch `epoch`'s training samples — augmented copies, fresh simulations — from
    /// `seed` (the same for a resumed epoch). Index `i` of [`Split::Train`] must still be a
    /// version of base sample `i`. The default keeps the base samples.
    ///
    /// # Errors
    /// Samples that cannot be made.
    fn begin_epoch(&mut self, epoch: usize, seed: u64) -> Result<()> {
        let _ = (epoch, seed);
        Ok(())
    }

    /// The network's output on samples `batch` of `split`, with their truth.
    ///
    /// # Errors
    /// Samples that do not fit the network.
    fn forward(
        &self,
        net: &Self::Model,
        split: Split,
        batch: &[usize],
        device: &Device,
    ) -> Result<Output>;

    /// Figures recorded after each epoch for the user's curves (a test score), from the
    /// network in evaluation mode; never used to choose an epoch. The default records nothing.
    ///
    /// # Errors
    /// Samples that do not fit the network.
    fn monitor(&self, net: &Self::Model) -> Result<Vec<f64>> {
        let _ = net;
        Ok(Vec::new())
    }

    /// The names of [`Task::monitor`]'s figures, in order (`test_accuracy`, …): the columns of
    /// the run's `history.csv`.
    fn monitor_names(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A trained network (in evaluation mode) and how it got there.
pub struct Trained<M> {
    /// The network kept: the best epoch's with early stopping, the average with weight
    /// averaging, otherwise the last.
    pub model: M,
    /// The per-epoch record.
    pub history: History,
}

/// A seed for `purpose` of `epoch` in stream `stream` (folds have their own streams); a
/// resumed run derives the same.
pub(crate) fn stream_seed(seed: u64, stream: u64, epoch: u64) -> u64 {
    let mut z = seed ^ (stream << 32 | epoch).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^ (z >> 31)
}

/// The mean loss (no smoothing) of `net` over the base samples `idx`, in batches of 128, and
/// the fraction of them classified right where the task outputs classes.
fn held_out_scores<T: Task>(
    task: &T,
    net: &T::Model,
    idx: &[usize],
    device: &Device,
) -> Result<(f64, Option<f64>)> {
    let (mut sum, mut hits, mut classes) = (0.0, 0usize, false);
    for chunk in idx.chunks(128) {
        let output = task.forward(net, Split::Held, chunk, device)?;
        if let Output::Classes { logits, labels } = &output {
            classes = true;
            let right = logits
                .clone()
                .argmax(1)
                .squeeze_dim::<1>(1)
                .equal(labels.clone());
            hits += right.int().sum().into_scalar::<i64>() as usize;
        }
        sum += output.loss(0.0).into_scalar::<f32>() as f64 * chunk.len() as f64;
    }
    let n = idx.len().max(1) as f64;
    Ok((sum / n, classes.then(|| hits as f64 / n)))
}

/// Trains a new network for `task` with `schedule`; `stream` separates runs that share a
/// seed (the folds of a cross-validation). `progress(epoch, history)` after every epoch.
///
/// With `schedule.patience > 0` a seeded `validation_fraction` of the base training samples is
/// held out (never trained on, never augmented), training stops after `patience` epochs
/// without a lower validation loss, and the best epoch's weights are kept. With
/// `schedule.average_last > 0` the weights kept are the mean of those at the ends of the last
/// `average_last` epochs. With `ckpt.dir` the state after every epoch is kept there, and
/// `ckpt.resume` continues from it exactly.
///
/// # Errors
/// A schedule that cannot train ([`FitSchedule::check`]), fewer than two training samples
/// with early stopping, the task's errors, a non-finite training loss
/// ([`TrainError::Diverged`]; the checkpoint of the last good epoch is kept), checkpoint
/// files that cannot be written or read, a resume with other settings
/// ([`TrainError::Resume`]), and [`TrainError::Interrupted`] when `ckpt.stop_after` ends the
/// process's share early.
pub fn fit<T: Task>(
    task: &mut T,
    schedule: &FitSchedule,
    stream: u64,
    ckpt: &Checkpointing,
    mut progress: impl FnMut(usize, &History),
) -> Result<Trained<T::Model>> {
    schedule.check()?;
    let n = task.train_len();
    if n == 0 {
        return Err(TrainError::TooFew {
            what: "training".into(),
            unit: "samples",
            found: 0,
            needed: 1,
        });
    }
    let eval_device = schedule.compute.device()?;
    let device = eval_device.clone().autodiff();
    device.seed(stream_seed(schedule.seed, stream, u64::MAX));
    let mut net = task.init(&device)?;
    let mut optim: ModuleOptimizer = AdamConfig::new().init();
    let (train_idx, validation) = schedule.validation_split(n);
    let mut stopper = EarlyStopping::new(schedule.patience);
    let mut average = WeightAverage::new();
    let mut history = History::default();
    ckpt.open(schedule)?;
    if let Some(saved) = ckpt.restore(&net)? {
        (net, optim, history, average) = (saved.net, saved.optim, saved.history, saved.average);
        if let Some((epoch, loss, best)) = saved.best {
            stopper.restore(epoch, loss, best.valid());
        }
    }
    history.monitor_names = task.monitor_names();
    let mut budget = ckpt.stop_after;
    let mut stop = stopper.should_stop(history.epochs().saturating_sub(1));
    for epoch in history.epochs()..schedule.epochs {
        if stop {
            break;
        }
        if budget == Some(0) {
            return Err(TrainError::Interrupted { epochs_done: epoch });
        }
        budget = budget.map(|b| b - 1);
        let seed = stream_seed(schedule.seed, stream, epoch as u64);
        device.seed(seed);
        task.begin_epoch(epoch, seed)?;
        let start = std::time::Instant::now();
        let mut order = train_idx.clone();
        order.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(seed));
        let lr = schedule.lr_at(epoch);
        let (mut sum, mut count) = (0.0, 0usize);
        for batch in order.chunks(schedule.batch_size) {
            let output = task.forward(&net, Split::Train, batch, &device)?;
            let loss = output.loss(schedule.label_smoothing);
            let value = loss.clone().into_scalar::<f32>() as f64;
            if !value.is_finite() {
                return Err(TrainError::Diverged {
                    epoch,
                    loss: value,
                    kept: ckpt.dir.clone(),
                });
            }
            sum += value * batch.len() as f64;
            count += batch.len();
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            net = optim.step(lr, net, grads);
        }
        history.seconds.push(start.elapsed().as_secs_f64());
        history.train_loss.push(sum / count.max(1) as f64);
        let snapshot = net.valid();
        if schedule.averages(epoch) {
            average.add(&snapshot);
        }
        history.monitor.push(task.monitor(&snapshot)?);
        let mut new_best = false;
        if !validation.is_empty() {
            let (loss, accuracy) = held_out_scores(task, &snapshot, &validation, &eval_device)?;
            history.validation_loss.push(loss);
            history.validation_accuracy.extend(accuracy);
            stop = stopper.update(epoch, loss, || {
                new_best = true;
                snapshot.clone()
            });
        }
        ckpt.save(&net, &optim, &history, &average, &stopper, new_best)?;
        progress(epoch, &history);
    }
    let (model, best_epoch) = stopper.finish(|| net.valid());
    history.best_epoch = best_epoch;
    Ok(Trained {
        model: average.apply(model),
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Gaussian loss is ½ ((t − μ) / σ)² + ln σ, averaged over maps and outputs: an error
    /// of one σ costs ½ + ln σ, and ln σ is clamped so that a wild output stays finite.
    #[test]
    fn the_gaussian_loss_is_the_negative_log_likelihood() {
        let device = Device::flex();
        let t = |v: Vec<f32>, s: [usize; 2]| Tensor::<2>::from_data(TensorData::new(v, s), &device);
        let ln2 = std::f32::consts::LN_2;
        let loss = Output::Gaussian {
            predicted: t(vec![0.5, -1.0, ln2, 0.0], [1, 4]),
            targets: t(vec![1.5, -1.0], [1, 2]),
        }
        .loss(0.0)
        .into_scalar::<f32>();
        let want = (0.5 * 0.25 + ln2) / 2.0;
        assert!((loss - want).abs() < 1e-6, "{loss} vs {want}");
        let wild = Output::Gaussian {
            predicted: t(vec![0.0, -500.0], [1, 2]),
            targets: t(vec![1.0], [1, 1]),
        }
        .loss(0.0)
        .into_scalar::<f32>();
        assert!(wild.is_finite(), "{wild}");
    }
}
