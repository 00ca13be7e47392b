//! Training and k-fold cross-validation of graph classifiers.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use tessera_gnn::graph::{Graph, GraphBatch};

use crate::data::{TuDataset, stratified_folds};
use crate::error::{Result, TrainError};
use crate::models::GinClassifierConfig;

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
        }
    }
}

/// Per-fold results and their summary.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CvReport {
    /// Test accuracy after the last epoch, per fold.
    pub fold_accuracy: Vec<f64>,
    /// Mean training loss per epoch, per fold.
    pub train_loss: Vec<Vec<f64>>,
    /// Mean of the fold accuracies.
    pub mean: f64,
    /// Standard deviation of the fold accuracies.
    pub std: f64,
}

fn batch_of(graphs: &[Graph], idx: &[usize]) -> Result<GraphBatch> {
    let refs: Vec<&Graph> = idx.iter().map(|&i| &graphs[i]).collect();
    Ok(GraphBatch::new(&refs)?)
}

fn targets(labels: &[usize], idx: &[usize], device: &Device) -> Tensor<1, Int> {
    let v: Vec<i64> = idx.iter().map(|&i| labels[i] as i64).collect();
    Tensor::from_data(TensorData::new(v, [idx.len()]), device)
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
    mut progress: impl FnMut(usize, usize, f64),
) -> Result<CvReport> {
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
    let train_device = Device::flex().autodiff();
    let eval_device = Device::flex();
    let loss_fn = CrossEntropyLossConfig::new().init(&train_device);
    let mut fold_accuracy = Vec::new();
    let mut train_loss = Vec::new();
    for (k, test) in folds.iter().enumerate() {
        let train: Vec<usize> = folds
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .flat_map(|(_, f)| f.iter().copied())
            .collect();
        train_device.seed(cfg.seed.wrapping_add(k as u64));
        let mut net = model.init(&train_device);
        let mut optim = AdamConfig::new().init();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(cfg.seed ^ (0x5DEE_CE66 + k as u64));
        let mut order = train.clone();
        let mut losses = Vec::with_capacity(cfg.epochs);
        for epoch in 0..cfg.epochs {
            order.shuffle(&mut rng);
            let lr = cfg.lr * 0.5f64.powi((epoch / cfg.lr_halving.max(1)) as i32);
            let (mut sum, mut n) = (0.0, 0usize);
            for chunk in order.chunks(cfg.batch_size) {
                let batch = batch_of(&data.graphs, chunk)?.to_device(&train_device);
                let logits = net.forward(&batch);
                let loss = loss_fn.forward(logits, targets(&data.labels, chunk, &train_device));
                sum += loss.clone().into_scalar::<f32>() as f64 * chunk.len() as f64;
                n += chunk.len();
                let grads = GradientsParams::from_grads(loss.backward(), &net);
                net = optim.step(lr, net, grads);
            }
            let mean = sum / n as f64;
            losses.push(mean);
            progress(k, epoch, mean);
        }
        let eval = net.valid();
        let batch = batch_of(&data.graphs, test)?.to_device(&eval_device);
        let pred = eval.forward(&batch).argmax(1).reshape([test.len()]);
        let correct = pred
            .equal(targets(&data.labels, test, &eval_device))
            .int()
            .sum()
            .into_scalar::<i64>();
        fold_accuracy.push(correct as f64 / test.len() as f64);
        train_loss.push(losses);
    }
    let n = fold_accuracy.len() as f64;
    let mean = fold_accuracy.iter().sum::<f64>() / n;
    let std = (fold_accuracy
        .iter()
        .map(|a| (a - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    Ok(CvReport {
        fold_accuracy,
        train_loss,
        mean,
        std,
    })
}
