//! The epoch progress of the training commands: a bar on a terminal, one line per epoch in a log.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `epochs` epochs, or over `folds × epochs` for cross-validation.
pub struct EpochProgress {
    bar: ProgressBar,
    epochs: usize,
    folds: usize,
}

impl EpochProgress {
    /// A bar for `epochs` epochs, starting with the message "training".
    pub fn new(epochs: usize) -> Self {
        Self::over_folds(1, epochs)
    }

    /// A bar for `epochs` epochs in each of `folds` folds (one fold: a plain run).
    pub fn over_folds(folds: usize, epochs: usize) -> Self {
        let bar = ProgressBar::new((folds * epochs) as u64).with_style(
            ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} epochs, {elapsed} (eta {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message("training");
        EpochProgress { bar, epochs, folds }
    }

    /// Epoch `epoch` (0-based) ended with `summary` after `seconds`.
    pub fn epoch_done(&self, epoch: usize, summary: String, seconds: f64) {
        self.fold_epoch_done(0, epoch, summary, Some(seconds));
    }

    /// Epoch `epoch` of fold `fold` (both 0-based) ended with `summary`, after `seconds` when
    /// known.
    pub fn fold_epoch_done(
        &self,
        fold: usize,
        epoch: usize,
        summary: String,
        seconds: Option<f64>,
    ) {
        let place = if self.folds > 1 {
            format!("fold {}/{}, ", fold + 1, self.folds)
        } else {
            String::new()
        };
        if !std::io::stderr().is_terminal() {
            // No bar in a log file: one line per epoch instead.
            let time = seconds.map_or(String::new(), |s| format!(" ({s:.0} s)"));
            eprintln!(
                "{place}epoch {}/{}: {summary}{time}",
                epoch + 1,
                self.epochs
            );
        }
        self.bar.set_message(format!("{place}{summary}"));
        self.bar
            .set_position((fold * self.epochs + epoch + 1) as u64);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The schedule of `tessera train sphere` and `tessera train mesh`: Adam from `lr` along a
/// cosine to 2 % of it, with the shared fit options.
pub fn cosine_schedule(
    epochs: usize,
    batch_size: usize,
    lr: f64,
    seed: u64,
    options: &FitOptionArgs,
    device: DeviceArgs,
) -> anyhow::Result<tessera_train::schedule::FitSchedule> {
    Ok(tessera_train::schedule::FitSchedule {
        epochs,
        batch_size,
        lr,
        seed,
        patience: options.patience,
        validation_fraction: options.validation,
        average_last: options.average_last,
        label_smoothing: options.label_smoothing,
        compute: device.compute()?,
        ..Default::default()
    })
}

/// The line saying which epoch's weights early stopping kept (nothing without it).
pub fn report_best_epoch(
    out: &mut impl std::io::Write,
    best: Option<usize>,
) -> std::io::Result<()> {
    match best {
        Some(epoch) => writeln!(
            out,
            "early stopping: kept the weights of epoch {} (lowest validation loss)",
            epoch + 1
        ),
        None => Ok(()),
    }
}

/// The backend a training runs on (`tessera train … --device`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DeviceArg {
    /// burn's flex backend on all CPU cores (always built).
    #[default]
    Cpu,
    /// The default GPU through wgpu (Vulkan, Metal, DirectX 12); needs a build with
    /// `--features wgpu`.
    Wgpu,
    /// The first CUDA GPU; needs a build with `--features cuda`.
    Cuda,
}

/// The backend option shared by every `tessera train` command.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct DeviceArgs {
    /// Backend that trains: cpu, or a GPU (wgpu, cuda) in a build with that cargo feature.
    #[arg(long, value_enum, default_value = "cpu")]
    pub device: DeviceArg,
}

impl DeviceArgs {
    /// The training layer's backend, or a clear error when this build lacks it.
    pub fn compute(self) -> anyhow::Result<tessera_train::Compute> {
        let compute = match self.device {
            DeviceArg::Cpu => tessera_train::Compute::Cpu,
            DeviceArg::Wgpu => tessera_train::Compute::Wgpu,
            DeviceArg::Cuda => tessera_train::Compute::Cuda,
        };
        compute.device()?;
        Ok(compute)
    }
}

/// Options of the training schedule shared by `tessera train sphere` and `tessera train mesh`:
/// which weights a training keeps (early stopping or weight averaging), label smoothing, and
/// resuming.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct FitOptionArgs {
    /// Early stopping: stop after this many epochs without a lower loss on a validation split
    /// held out of the training data, and keep the best epoch's weights (0 = off). The epoch
    /// is chosen on the validation split only, never on the test data.
    #[arg(long, default_value_t = 0)]
    pub patience: usize,
    /// Fraction of the training data held out for validation when --patience is set.
    #[arg(long, default_value_t = 0.1)]
    pub validation: f64,
    /// Weight averaging: keep the mean of the weights at the ends of the last N epochs instead
    /// of the last step's (stochastic weight averaging; steadier than the last epoch on small
    /// test sets). The printed per-epoch figures are those of each epoch's own weights; the
    /// final accuracy and the saved model are the average's. 0 = off.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub average_last: usize,
    /// Label smoothing of the classification loss: the target puts 1 − ε on the true class and
    /// spreads ε over all classes (a regulariser against over-confident fits of small training
    /// sets; 0.1 is the usual choice). Ignored for regression. 0 = plain cross-entropy.
    #[arg(long, value_name = "EPS", default_value_t = 0.0)]
    pub label_smoothing: f64,
    #[command(flatten)]
    pub resume: ResumeArgs,
}

/// Checkpoints and resuming, shared by every `tessera train` command.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct ResumeArgs {
    /// Continue an interrupted run from the checkpoint in its folder (OUTPUT/checkpoint, kept
    /// after every epoch): the result equals an uninterrupted run's. The other arguments must
    /// be the same as the first time; a difference is refused and named.
    #[arg(long)]
    pub resume: bool,
}
