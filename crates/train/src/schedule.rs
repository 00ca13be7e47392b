//! The schedule shared by the sphere and mesh training loops: epochs, batches, Adam with a
//! cosine learning-rate decay, one seed.

/// Settings of a training run (Adam, cosine decay of the learning rate).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FitSchedule {
    /// Passes over the training set.
    pub epochs: usize,
    /// Maps or meshes per step (NNhealpix: 32).
    pub batch_size: usize,
    /// Initial learning rate of Adam (NNhealpix: 1e-3).
    pub lr: f64,
    /// The learning rate falls along a cosine to `lr × final_lr_fraction` at the last epoch.
    pub final_lr_fraction: f64,
    /// Seed of the weights, the shuffling and the dropout.
    pub seed: u64,
}

impl Default for FitSchedule {
    fn default() -> Self {
        FitSchedule {
            epochs: 20,
            batch_size: 32,
            lr: 1e-3,
            final_lr_fraction: 0.02,
            seed: 0,
        }
    }
}

impl FitSchedule {
    /// The learning rate of `epoch`: `lr` at the first, `lr × final_lr_fraction` at the last,
    /// along a cosine.
    pub fn lr_at(&self, epoch: usize) -> f64 {
        let t = epoch as f64 / (self.epochs.max(2) - 1) as f64;
        let f = self.final_lr_fraction;
        self.lr * (f + (1.0 - f) * 0.5 * (1.0 + (std::f64::consts::PI * t.min(1.0)).cos()))
    }
}
