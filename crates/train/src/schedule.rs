//! The schedule of every training run (the engine's, [`crate::engine`]): epochs, batches, Adam
//! with a cosine or step-halving learning-rate decay, one seed, label smoothing, weight
//! averaging, and optional early stopping on a validation split carved from the training data.

use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;

/// A schedule that cannot train.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
pub enum ScheduleError {
    /// No epochs.
    #[error("0 epochs cannot train")]
    ZeroEpochs,
    /// Batches of no samples.
    #[error("a batch size of 0 cannot train")]
    ZeroBatchSize,
    /// A learning rate that is not a positive number.
    #[error("learning rate {0} is not a positive number")]
    LearningRate(f64),
    /// A validation fraction outside (0, 1) with early stopping on.
    #[error("validation fraction {0} is not in (0, 1)")]
    ValidationFraction(f64),
    /// Label smoothing outside [0, 1).
    #[error("label smoothing {0} is not in [0, 1)")]
    LabelSmoothing(f64),
    /// Weight averaging over more epochs than trained, or together with early stopping.
    #[error(
        "weights averaged over the last {average_last} of {epochs} epochs{}: choose at most the \
         epochs trained, and either averaging or early stopping",
        if *patience > 0 { " with early stopping" } else { "" }
    )]
    Averaging {
        /// Epochs averaged.
        average_last: usize,
        /// Epochs trained.
        epochs: usize,
        /// Early stopping's patience.
        patience: usize,
    },
}

/// Settings of a training run (Adam; a cosine decay of the learning rate, or GIN's halving).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FitSchedule {
    /// Passes over the training set.
    pub epochs: usize,
    /// Maps or meshes per step (NNhealpix: 32).
    pub batch_size: usize,
    /// Initial learning rate of Adam (NNhealpix: 1e-3).
    pub lr: f64,
    /// The learning rate falls along a cosine to `lr × final_lr_fraction` at the last epoch
    /// (when `halve_every` is 0).
    #[serde(default = "default_final_lr_fraction")]
    pub final_lr_fraction: f64,
    /// When positive, the learning rate is instead halved every this many epochs (GIN's
    /// schedule: 50).
    #[serde(default, alias = "lr_halving")]
    pub halve_every: usize,
    /// Seed of the weights, the shuffling and the dropout.
    pub seed: u64,
    /// Stop when the validation loss has not improved for this many epochs, and keep the
    /// weights of its best epoch (0: no early stopping, no validation split).
    #[serde(default)]
    pub patience: usize,
    /// Fraction of the training data held out for validation when `patience > 0`.
    #[serde(default = "default_validation")]
    pub validation_fraction: f64,
    /// Keep the mean of the weights at the ends of the last this many epochs instead of the
    /// last step's (stochastic weight averaging, [`crate::averaging`]; 0: off).
    #[serde(default)]
    pub average_last: usize,
    /// Label smoothing of the classification loss: the target of a sample of class `c` is
    /// `1 − ε` on `c` and `ε / classes` spread over every class (Szegedy et al. 2016; 0: plain
    /// cross-entropy). Ignored by regression.
    #[serde(default)]
    pub label_smoothing: f64,
    /// The backend that trains.
    #[serde(default)]
    pub compute: crate::Compute,
}

fn default_validation() -> f64 {
    0.1
}

fn default_final_lr_fraction() -> f64 {
    0.02
}

impl Default for FitSchedule {
    fn default() -> Self {
        FitSchedule {
            epochs: 20,
            batch_size: 32,
            lr: 1e-3,
            final_lr_fraction: default_final_lr_fraction(),
            halve_every: 0,
            seed: 0,
            patience: 0,
            validation_fraction: default_validation(),
            average_last: 0,
            label_smoothing: 0.0,
            compute: crate::Compute::Cpu,
        }
    }
}

impl FitSchedule {
    /// The learning rate of `epoch`: `lr` halved every `halve_every` epochs, or from `lr` at
    /// the first to `lr × final_lr_fraction` at the last along a cosine.
    pub fn lr_at(&self, epoch: usize) -> f64 {
        if let Some(halvings) = epoch.checked_div(self.halve_every) {
            return self.lr * 0.5f64.powi(halvings as i32);
        }
        let t = epoch as f64 / (self.epochs.max(2) - 1) as f64;
        let f = self.final_lr_fraction;
        self.lr * (f + (1.0 - f) * 0.5 * (1.0 + (std::f64::consts::PI * t.min(1.0)).cos()))
    }

    /// Checks that the schedule can train.
    ///
    /// # Errors
    /// The [`ScheduleError`] of the first setting that cannot work.
    pub fn check(&self) -> Result<(), ScheduleError> {
        let fraction = |v: f64| v > 0.0 && v < 1.0;
        if self.epochs == 0 {
            Err(ScheduleError::ZeroEpochs)
        } else if self.batch_size == 0 {
            Err(ScheduleError::ZeroBatchSize)
        } else if !(self.lr > 0.0 && self.lr.is_finite()) {
            Err(ScheduleError::LearningRate(self.lr))
        } else if self.patience > 0 && !fraction(self.validation_fraction) {
            Err(ScheduleError::ValidationFraction(self.validation_fraction))
        } else if !(0.0..1.0).contains(&self.label_smoothing) {
            Err(ScheduleError::LabelSmoothing(self.label_smoothing))
        } else if self.average_last > self.epochs || (self.average_last > 0 && self.patience > 0) {
            Err(ScheduleError::Averaging {
                average_last: self.average_last,
                epochs: self.epochs,
                patience: self.patience,
            })
        } else {
            Ok(())
        }
    }

    /// The classification loss: cross-entropy on logits, with label smoothing `smoothing`
    /// when it is positive.
    pub fn cross_entropy(smoothing: f64, device: &burn::prelude::Device) -> CrossEntropyLoss {
        CrossEntropyLossConfig::new()
            .with_smoothing((smoothing > 0.0).then_some(smoothing as f32))
            .init(device)
    }

    /// Whether the weights at the end of `epoch` (from 0) enter the average.
    pub fn averages(&self, epoch: usize) -> bool {
        self.average_last > 0 && epoch + self.average_last >= self.epochs
    }

    /// Training and validation indices of `n` samples: without early stopping all train; with
    /// it a seeded random `validation_fraction` (at least one, at most `n − 1`) is held out.
    pub fn validation_split(&self, n: usize) -> (Vec<usize>, Vec<usize>) {
        let mut all: Vec<usize> = (0..n).collect();
        if self.patience == 0 || n < 2 {
            return (all, Vec::new());
        }
        all.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(
            self.seed ^ 0x005E_ED0F_7A11,
        ));
        let held = ((self.validation_fraction * n as f64).round() as usize).clamp(1, n - 1);
        let mut validation = all.split_off(n - held);
        all.sort_unstable();
        validation.sort_unstable();
        (all, validation)
    }
}

/// Early stopping on a validation loss: keeps the model of the best epoch and says when
/// `patience` epochs have passed without improvement.
#[derive(Debug)]
pub struct EarlyStopping<M> {
    patience: usize,
    best: Option<(usize, f64, M)>,
}

impl<M> EarlyStopping<M> {
    /// A tracker (`patience` 0 never stops and keeps nothing).
    pub fn new(patience: usize) -> Self {
        EarlyStopping {
            patience,
            best: None,
        }
    }

    /// Records the validation loss of `epoch` (`model()` is called only for a new best); true
    /// when training should stop.
    pub fn update(&mut self, epoch: usize, loss: f64, model: impl FnOnce() -> M) -> bool {
        if self.patience == 0 {
            return false;
        }
        // A NaN loss is never better.
        let better = match &self.best {
            Some((_, best, _)) => loss < *best,
            None => !loss.is_nan(),
        };
        if better {
            self.best = Some((epoch, loss, model()));
        }
        self.should_stop(epoch)
    }

    /// Takes up a run again whose best epoch so far was `epoch` with validation `loss`.
    pub fn restore(&mut self, epoch: usize, loss: f64, model: M) {
        self.best = Some((epoch, loss, model));
    }

    /// Whether `patience` epochs have passed without improvement by the end of `epoch`.
    pub fn should_stop(&self, epoch: usize) -> bool {
        self.patience > 0
            && self
                .best
                .as_ref()
                .is_some_and(|(best_epoch, _, _)| epoch >= best_epoch + self.patience)
    }

    /// The best epoch so far, its validation loss and its model.
    pub fn best_ref(&self) -> Option<(usize, f64, &M)> {
        self.best.as_ref().map(|(e, l, m)| (*e, *l, m))
    }

    /// The best epoch and its model, if early stopping was on.
    pub fn best(self) -> Option<(usize, M)> {
        self.best.map(|(e, _, m)| (e, m))
    }

    /// The model to keep — the best epoch's, or `last` without early stopping — and the best
    /// epoch.
    pub fn finish(self, last: impl FnOnce() -> M) -> (M, Option<usize>) {
        match self.best() {
            Some((epoch, model)) => (model, Some(epoch)),
            None => (last(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn early_stopping_keeps_the_best_and_waits_patience_epochs() {
        let mut e = EarlyStopping::new(2);
        let losses = [3.0, 2.0, 2.5, 2.1, 1.0];
        let stops: Vec<bool> = losses
            .iter()
            .enumerate()
            .map(|(k, &l)| e.update(k, l, || k))
            .collect();
        assert_eq!(stops, [false, false, false, true, false]);
        assert_eq!(e.best(), Some((4, 4)));
        let mut off = EarlyStopping::new(0);
        assert!(!off.update(0, 1.0, || 0) && !off.update(9, 5.0, || 9));
        assert_eq!(off.best(), None);
        // NaN never becomes the best.
        let mut n = EarlyStopping::new(1);
        n.update(0, 1.0, || 0);
        assert!(n.update(1, f64::NAN, || 1));
        assert_eq!(n.best(), Some((0, 0)));
    }

    #[test]
    fn validation_split_is_seeded_and_disjoint() {
        let mut s = FitSchedule {
            patience: 3,
            ..FitSchedule::default()
        };
        let (t, v) = s.validation_split(50);
        assert_eq!((t.len(), v.len()), (45, 5));
        assert!(t.iter().all(|i| !v.contains(i)));
        assert_eq!(s.validation_split(50), (t, v));
        s.patience = 0;
        assert_eq!(s.validation_split(4).1.len(), 0);
    }

    #[test]
    fn weight_averaging_covers_the_last_epochs() {
        let mut s = FitSchedule {
            epochs: 10,
            average_last: 3,
            ..FitSchedule::default()
        };
        assert!(s.check().is_ok());
        let averaged: Vec<usize> = (0..10).filter(|&e| s.averages(e)).collect();
        assert_eq!(averaged, [7, 8, 9]);
        s.patience = 2;
        assert!(s.check().is_err(), "averaging and early stopping");
        s.patience = 0;
        s.average_last = 11;
        assert!(s.check().is_err(), "more epochs than trained");
        s.average_last = 0;
        assert!(!(0..10).any(|e| s.averages(e)));
    }

    #[test]
    fn label_smoothing_moves_the_target_off_the_one_hot() {
        use burn::prelude::*;
        let device = Device::flex();
        // Logits whose softmax is exactly (1/2, 1/4, 1/4); class 0 is the label.
        let logits =
            Tensor::<2>::from_data(TensorData::new(vec![2f32.ln(), 0.0, 0.0], [1, 3]), &device);
        let target = Tensor::<1, Int>::from_data(TensorData::new(vec![0i64], [1]), &device);
        let loss = |smoothing: f64| {
            let s = FitSchedule {
                label_smoothing: smoothing,
                ..FitSchedule::default()
            };
            assert!(s.check().is_ok());
            FitSchedule::cross_entropy(s.label_smoothing, &device)
                .forward(logits.clone(), target.clone())
                .into_scalar::<f32>() as f64
        };
        // −Σ_c q_c ln p_c with q = (1 − ε + ε/3, ε/3, ε/3).
        let expected =
            |e: f64| -((1.0 - e + e / 3.0) * 0.5f64.ln() + 2.0 * (e / 3.0) * 0.25f64.ln());
        assert!((loss(0.0) - expected(0.0)).abs() < 1e-5, "{}", loss(0.0));
        assert!((loss(0.3) - expected(0.3)).abs() < 1e-5, "{}", loss(0.3));
        for bad in [-0.1, 1.0, f64::NAN] {
            let s = FitSchedule {
                label_smoothing: bad,
                ..FitSchedule::default()
            };
            assert!(s.check().is_err(), "smoothing {bad}");
        }
    }
}
