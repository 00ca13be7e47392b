//! Training and k-fold cross-validation of graph classifiers.

use std::path::{Path, PathBuf};

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use tessera_gnn::graph::{Graph, GraphBatch};

use crate::data::{TuDataset, stratified_folds};
use crate::error::{Result, TrainError};
use crate::models::{GinClassifier, GinClassifierConfig};

/// Settings of a cross-validated training run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FitConfig {
    /// Folds (10 in the standard protocol).
    pub folds: usize,
    /// Epochs per fold.
    pub epochs: usize,
    /// Graphs per batch.
    pub batch_size: usize,
    /// Initial learning rate (Adam).
    pub lr: f64,
    /// The learning rate is halved every this many epochs (GIN's schedule: 50).
    pub lr_halving: usize,
    /// Seed of the folds, the shuffling and the initial weights.
    pub seed: u64,
    /// The backend that trains and evaluates.
    pub compute: crate::Compute,
}

impl FitConfig {
    /// The learning rate of `epoch`: `lr`, halved every `lr_halving` epochs.
    pub fn lr_at(&self, epoch: usize) -> f64 {
        self.lr * 0.5f64.powi((epoch / self.lr_halving.max(1)) as i32)
    }
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig {
            folds: 10,
            epochs: 100,
            batch_size: 32,
            lr: 0.01,
            lr_halving: 50,
            seed: 0,
            compute: crate::Compute::Cpu,
        }
    }
}

/// Where a run keeps its checkpoint, and whether it continues from one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checkpointing {
    /// Folder of the checkpoint (`state.json`, the model and the optimizer state after the last
    /// finished epoch); `None` = no checkpoints.
    pub dir: Option<PathBuf>,
    /// Continue from the checkpoint in `dir` when there is one.
    pub resume: bool,
    /// Stop (as if killed) after this many epochs in this process — for tests of `resume`.
    pub stop_after: Option<usize>,
}

/// What the checkpoint records besides the weights.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct State {
    fold: usize,
    /// Epochs finished in `fold`.
    epochs_done: usize,
    fold_accuracy: Vec<f64>,
    train_loss: Vec<Vec<f64>>,
    #[serde(default)]
    confusion: Vec<Vec<u64>>,
    /// Losses of the current fold so far.
    current_loss: Vec<f64>,
    /// Held-out accuracy after each epoch, per finished fold.
    #[serde(default)]
    test_accuracy: Vec<Vec<f64>>,
    /// Held-out accuracies of the current fold so far.
    #[serde(default)]
    current_accuracy: Vec<f64>,
    model_file: String,
    optim_file: String,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> TrainError {
    TrainError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Writes the checkpoint: new weight files first, then `state.json` renamed over the old one,
/// then the old weight files removed — a kill at any point leaves a consistent checkpoint.
fn save_checkpoint(
    dir: &Path,
    state: &mut State,
    net: &crate::models::GinClassifier,
    optim: &ModuleOptimizer,
) -> Result<()> {
    let tag = format!("f{}e{}", state.fold, state.epochs_done);
    let (model_file, optim_file) = (format!("model-{tag}.bpk"), format!("optim-{tag}.bin"));
    net.clone()
        .save_file(dir.join(&model_file))
        .map_err(|e| io_err(&dir.join(&model_file), format!("{e:?}")))?;
    optim
        .save(dir.join(&optim_file))
        .map_err(|e| io_err(&dir.join(&optim_file), format!("{e:?}")))?;
    let old = (
        std::mem::replace(&mut state.model_file, model_file),
        std::mem::replace(&mut state.optim_file, optim_file),
    );
    let tmp = dir.join("state.json.partial");
    std::fs::write(
        &tmp,
        serde_json::to_string_pretty(state).expect("plain data"),
    )
    .map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, dir.join("state.json"))
        .map_err(|e| io_err(&dir.join("state.json"), e))?;
    for f in [old.0, old.1] {
        if !f.is_empty() {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
    Ok(())
}

fn load_state(dir: &Path) -> Result<Option<State>> {
    let path = dir.join("state.json");
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| io_err(&path, e))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| TrainError::Data {
            path,
            line: Some(e.line()),
            message: format!("not a tessera checkpoint: {e}"),
        })
}

/// The stream of fold `k`, epoch `e`: shuffling and dropout draw from here, so a resumed run
/// repeats exactly what an uninterrupted one would have done. (burn's CPU device has one random
/// stream per process: two trainings running at once in one process are not reproducible.)
fn epoch_seed(seed: u64, k: usize, e: usize) -> u64 {
    let mut z = seed ^ ((k as u64) << 32 | e as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^ (z >> 31)
}

/// Per-fold results and their summary.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CvReport {
    /// Test accuracy after the last epoch, per fold.
    pub fold_accuracy: Vec<f64>,
    /// Mean training loss per epoch, per fold.
    pub train_loss: Vec<Vec<f64>>,
    /// Held-out accuracy after each epoch, per fold (the last entry is `fold_accuracy`).
    #[serde(default)]
    pub test_accuracy: Vec<Vec<f64>>,
    /// Confusion matrix over all held-out folds: `confusion[true][predicted]`.
    pub confusion: Vec<Vec<u64>>,
    /// Recall of each class over all held-out folds (NaN for a class with no graphs).
    pub per_class_recall: Vec<f64>,
    /// Mean of the fold accuracies.
    pub mean: f64,
    /// Standard deviation of the fold accuracies.
    pub std: f64,
}

fn batch_of(graphs: &[Graph], idx: &[usize]) -> Result<GraphBatch> {
    let refs: Vec<&Graph> = idx.iter().map(|&i| &graphs[i]).collect();
    Ok(GraphBatch::new(&refs)?)
}

/// The accuracy on the held-out graphs, and the predicted classes.
fn held_out(
    net: &GinClassifier,
    data: &TuDataset,
    test: &[usize],
    device: &Device,
) -> Result<(f64, Vec<usize>)> {
    let batch = batch_of(&data.graphs, test)?.to_device(device);
    let pred: Vec<usize> = net
        .forward(&batch)
        .argmax(1)
        .reshape([test.len()])
        .into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .map_err(|e| TrainError::Config(format!("reading predictions: {e:?}")))?
        .into_iter()
        .map(|p| p as usize)
        .collect();
    let correct = test
        .iter()
        .zip(&pred)
        .filter(|&(&i, &p)| data.labels[i] == p)
        .count();
    Ok((correct as f64 / test.len() as f64, pred))
}

fn targets(labels: &[usize], idx: &[usize], device: &Device) -> Tensor<1, Int> {
    let v: Vec<i64> = idx.iter().map(|&i| labels[i] as i64).collect();
    Tensor::from_data(TensorData::new(v, [idx.len()]), device)
}

/// One pass of Adam at `lr` over the graphs `order` (in that order, `batch_size` at a time) on
/// the autodiff `device`: the updated network and the mean cross-entropy.
fn train_epoch(
    mut net: GinClassifier,
    optim: &mut ModuleOptimizer,
    device: &Device,
    data: &TuDataset,
    order: &[usize],
    lr: f64,
    batch_size: usize,
) -> Result<(GinClassifier, f64)> {
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let (mut sum, mut n) = (0.0, 0usize);
    for chunk in order.chunks(batch_size) {
        let batch = batch_of(&data.graphs, chunk)?.to_device(device);
        let logits = net.forward(&batch);
        let loss = loss_fn.forward(logits, targets(&data.labels, chunk, device));
        sum += loss.clone().into_scalar::<f32>() as f64 * chunk.len() as f64;
        n += chunk.len();
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        net = optim.step(lr, net, grads);
    }
    Ok((net, sum / n.max(1) as f64))
}

/// Trains one classifier on every graph of `data` with the schedule of `cfg` (its epochs,
/// batches, learning rates and seed; `folds` is not used) — the model to keep once
/// cross-validation has measured how well the recipe generalises. `progress(epoch, loss)` is
/// called after each epoch. The network is returned on `cfg.compute`'s device.
///
/// # Errors
/// [`TrainError::Config`] for zero epochs or batch size, an unlabelled dataset, or a device
/// missing from the build; graph errors from batching.
pub fn train_on_all(
    data: &TuDataset,
    model: &GinClassifierConfig,
    cfg: &FitConfig,
    mut progress: impl FnMut(usize, f64),
) -> Result<(GinClassifier, Vec<f64>)> {
    if cfg.epochs == 0 || cfg.batch_size == 0 || !data.labelled || data.graphs.is_empty() {
        return Err(TrainError::Config(format!(
            "{} epochs, batch {} cannot train on {} {}graphs",
            cfg.epochs,
            cfg.batch_size,
            data.graphs.len(),
            if data.labelled { "" } else { "unlabelled " }
        )));
    }
    let device = cfg.compute.device()?.autodiff();
    // The folds' streams are 0..folds: this model draws from the next one.
    let stream = cfg.folds;
    device.seed(cfg.seed.wrapping_add(stream as u64));
    let mut net = model.init(&device);
    let mut optim = AdamConfig::new().init();
    let mut losses = Vec::with_capacity(cfg.epochs);
    for epoch in 0..cfg.epochs {
        let es = epoch_seed(cfg.seed, stream, epoch);
        device.seed(es);
        let mut order: Vec<usize> = (0..data.graphs.len()).collect();
        order.shuffle(&mut Xoshiro256PlusPlus::seed_from_u64(es));
        let lr = cfg.lr_at(epoch);
        let loss;
        (net, loss) = train_epoch(net, &mut optim, &device, data, &order, lr, cfg.batch_size)?;
        losses.push(loss);
        progress(epoch, loss);
    }
    Ok((net.valid(), losses))
}

/// Trains `model` on the training folds and measures accuracy on the held-out fold, for every
/// fold (stratified). `progress(fold, epoch, loss)` is called after each epoch.
///
/// # Errors
/// [`TrainError::Config`] for fewer than 2 folds, more folds than graphs, or zero epochs/batch;
/// graph errors from batching.
pub fn cross_validate(
    data: &TuDataset,
    model: &GinClassifierConfig,
    cfg: &FitConfig,
    progress: impl FnMut(usize, usize, f64),
) -> Result<CvReport> {
    cross_validate_with(data, model, cfg, &Checkpointing::default(), progress)?
        .ok_or_else(|| TrainError::Config("stopped before the end".into()))
}

/// [`cross_validate`] with checkpoints after every epoch and `resume` from them. Returns
/// `None` when `stop_after` ended the process's share of the run early.
///
/// # Errors
/// As [`cross_validate`], and checkpoint files that cannot be written or read.
pub fn cross_validate_with(
    data: &TuDataset,
    model: &GinClassifierConfig,
    cfg: &FitConfig,
    ckpt: &Checkpointing,
    mut progress: impl FnMut(usize, usize, f64),
) -> Result<Option<CvReport>> {
    if cfg.folds < 2 || cfg.folds > data.graphs.len() || cfg.epochs == 0 || cfg.batch_size == 0 {
        return Err(TrainError::Config(format!(
            "{} folds, {} epochs, batch {} cannot run on {} graphs",
            cfg.folds,
            cfg.epochs,
            cfg.batch_size,
            data.graphs.len()
        )));
    }
    let folds = stratified_folds(&data.labels, cfg.folds, cfg.seed);
    let eval_device = cfg.compute.device()?;
    let train_device = eval_device.clone().autodiff();
    if let Some(dir) = &ckpt.dir {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    let resumed = match (&ckpt.dir, ckpt.resume) {
        (Some(dir), true) => load_state(dir)?,
        _ => None,
    };
    let mut state = resumed.clone().unwrap_or(State {
        fold: 0,
        epochs_done: 0,
        fold_accuracy: Vec::new(),
        train_loss: Vec::new(),
        confusion: vec![vec![0; data.num_classes()]; data.num_classes()],
        current_loss: Vec::new(),
        test_accuracy: Vec::new(),
        current_accuracy: Vec::new(),
        model_file: String::new(),
        optim_file: String::new(),
    });
    let mut budget = ckpt.stop_after;
    for (k, test) in folds.iter().enumerate().skip(state.fold) {
        let train: Vec<usize> = folds
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .flat_map(|(_, f)| f.iter().copied())
            .collect();
        train_device.seed(cfg.seed.wrapping_add(k as u64));
        let mut net = model.init(&train_device);
        let mut optim = AdamConfig::new().init();
        if state.fold == k && state.epochs_done > 0 {
            let dir = ckpt
                .dir
                .as_ref()
                .expect("a resumed state comes from a folder");
            let mpath = dir.join(&state.model_file);
            net = net
                .try_load_file(&mpath)
                .map_err(|e| io_err(&mpath, format!("{e:?}")))?;
            let opath = dir.join(&state.optim_file);
            optim = optim
                .load(&opath)
                .map_err(|e| io_err(&opath, format!("{e:?}")))?;
        } else {
            state.fold = k;
            state.epochs_done = 0;
            state.current_loss.clear();
            state.current_accuracy.clear();
        }
        for epoch in state.epochs_done..cfg.epochs {
            if budget == Some(0) {
                return Ok(None);
            }
            budget = budget.map(|b| b - 1);
            let es = epoch_seed(cfg.seed, k, epoch);
            train_device.seed(es);
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(es);
            let mut order = train.clone();
            order.shuffle(&mut rng);
            let (lr, b) = (cfg.lr_at(epoch), cfg.batch_size);
            let mean;
            (net, mean) = train_epoch(net, &mut optim, &train_device, data, &order, lr, b)?;
            state.current_loss.push(mean);
            let (accuracy, _) = held_out(&net.valid(), data, test, &eval_device)?;
            state.current_accuracy.push(accuracy);
            state.epochs_done = epoch + 1;
            progress(k, epoch, mean);
            if let Some(dir) = &ckpt.dir {
                save_checkpoint(dir, &mut state, &net, &optim)?;
            }
        }
        let (accuracy, pred) = held_out(&net.valid(), data, test, &eval_device)?;
        for (&i, &p) in test.iter().zip(&pred) {
            state.confusion[data.labels[i]][p] += 1;
        }
        state.fold_accuracy.push(accuracy);
        state
            .train_loss
            .push(std::mem::take(&mut state.current_loss));
        state
            .test_accuracy
            .push(std::mem::take(&mut state.current_accuracy));
        state.fold = k + 1;
        state.epochs_done = 0;
        if let Some(dir) = &ckpt.dir {
            save_checkpoint(dir, &mut state, &net, &optim)?;
        }
    }
    let fold_accuracy = state.fold_accuracy;
    let n = fold_accuracy.len() as f64;
    let mean = fold_accuracy.iter().sum::<f64>() / n;
    let std = (fold_accuracy
        .iter()
        .map(|a| (a - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let per_class_recall = state
        .confusion
        .iter()
        .enumerate()
        .map(|(c, row)| row[c] as f64 / row.iter().sum::<u64>() as f64)
        .collect();
    Ok(Some(CvReport {
        fold_accuracy,
        train_loss: state.train_loss,
        test_accuracy: state.test_accuracy,
        confusion: state.confusion,
        per_class_recall,
        mean,
        std,
    }))
}
