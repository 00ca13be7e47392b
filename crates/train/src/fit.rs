//! Graph classification on the engine: the [`GraphTask`], k-fold cross-validation around it,
//! and the network trained on every graph once cross-validation has measured the recipe.
//!
//! Each fold standardises the continuous node attributes with its training graphs' statistics
//! ([`crate::data::NodeScaler`]); with early stopping (`patience`), the epoch kept is chosen on
//! a validation split of the training graphs; the held-out fold is scored once, at the end.
//! The held-out accuracy after each epoch is recorded as a curve to draw, never to choose by.

use burn::prelude::*;
use serde_json::json;
use tessera_gnn::graph::{Graph, GraphBatch};

use crate::data::{NodeScaler, TuDataset, stratified_folds};
use crate::engine::{self, Checkpointing, History, Output, Split, Task};
use crate::error::{Result, TrainError};
use crate::metrics::ClassMetrics;
use crate::models::{GinClassifier, GinClassifierConfig};
use crate::schedule::FitSchedule;

/// Settings of a cross-validated training run: the folds and the schedule of each.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FitConfig {
    /// Folds (10 in the standard protocol).
    pub folds: usize,
    /// The schedule of every fold (and of the network trained on every graph).
    #[serde(flatten)]
    pub schedule: FitSchedule,
}

impl Default for FitConfig {
    /// The documented recipe (docs/results.md): GIN's schedule — Adam from 0.01, halved every
    /// 50 epochs, batch 32, 200 epochs — with the epoch kept chosen on a 10 % validation split
    /// of each fold's training graphs.
    fn default() -> Self {
        FitConfig {
            folds: 10,
            schedule: FitSchedule {
                epochs: 200,
                batch_size: 32,
                lr: 0.01,
                halve_every: 50,
                patience: 200,
                ..FitSchedule::default()
            },
        }
    }
}

/// Graph classification as the engine sees it: standardised copies of the training graphs,
/// and optionally held-out graphs whose accuracy is recorded after each epoch.
pub struct GraphTask<'a> {
    model: &'a GinClassifierConfig,
    graphs: Vec<Graph>,
    labels: Vec<usize>,
    monitored: Option<(Vec<Graph>, Vec<usize>)>,
}

impl<'a> GraphTask<'a> {
    /// The graphs `train` of `data` (their attributes z-scored by their own statistics, also
    /// applied to the graphs `monitor`) for `model`; and the scaler.
    pub fn new(
        model: &'a GinClassifierConfig,
        data: &TuDataset,
        train: &[usize],
        monitor: &[usize],
    ) -> (Self, NodeScaler) {
        let scaler = data.scaler(train);
        let labels_of = |idx: &[usize]| idx.iter().map(|&i| data.labels[i]).collect::<Vec<_>>();
        let task = GraphTask {
            model,
            graphs: scaler.apply_to(&data.graphs, train),
            labels: labels_of(train),
            monitored: (!monitor.is_empty())
                .then(|| (scaler.apply_to(&data.graphs, monitor), labels_of(monitor))),
        };
        (task, scaler)
    }
}

fn batch_of(graphs: &[Graph], idx: &[usize]) -> Result<GraphBatch> {
    let refs: Vec<&Graph> = idx.iter().map(|&i| &graphs[i]).collect();
    Ok(GraphBatch::new(&refs)?)
}

impl Task for GraphTask<'_> {
    type Model = GinClassifier;

    fn init(&self, device: &Device) -> Result<GinClassifier> {
        Ok(self.model.init(device))
    }

    fn train_len(&self) -> usize {
        self.graphs.len()
    }

    fn forward(
        &self,
        net: &GinClassifier,
        _split: Split,
        batch: &[usize],
        device: &Device,
    ) -> Result<Output> {
        let logits = net.forward(&batch_of(&self.graphs, batch)?.to_device(device));
        let t: Vec<i64> = batch.iter().map(|&i| self.labels[i] as i64).collect();
        let labels = Tensor::from_data(TensorData::new(t, [batch.len()]), device);
        Ok(Output::Classes { logits, labels })
    }

    fn monitor(&self, net: &GinClassifier) -> Result<Vec<f64>> {
        match &self.monitored {
            Some((graphs, labels)) => Ok(vec![accuracy(net, graphs, labels)?.0]),
            None => Ok(Vec::new()),
        }
    }

    fn monitor_names(&self) -> Vec<String> {
        match &self.monitored {
            Some(_) => vec![HELD_OUT_ACCURACY.into()],
            None => Vec::new(),
        }
    }
}

/// The accuracy of `net` on `graphs`, and its predicted classes.
fn accuracy(net: &GinClassifier, graphs: &[Graph], labels: &[usize]) -> Result<(f64, Vec<usize>)> {
    let probabilities = crate::graph_run::classify_graphs(net, graphs, 256)?;
    let predicted = crate::metrics::argmax(&probabilities);
    let hits = predicted.iter().zip(labels).filter(|(p, t)| p == t).count();
    Ok((hits as f64 / labels.len().max(1) as f64, predicted))
}

/// One fold's result, kept beside its checkpoint so that a resumed run skips it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct FoldResult {
    accuracy: f64,
    predicted: Vec<usize>,
    history: History,
}

/// The held-out fold's accuracy after each epoch, in a fold's [`History`].
pub const HELD_OUT_ACCURACY: &str = "held_out_accuracy";

/// Per-fold results and their summary.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CvReport {
    /// Accuracy of the kept network on the held-out fold, per fold.
    pub fold_accuracy: Vec<f64>,
    /// Each fold's per-epoch record: training loss, validation loss and accuracy, the
    /// held-out accuracy after each epoch ([`HELD_OUT_ACCURACY`], a curve to draw; the kept
    /// network is chosen on the validation split), and the epoch kept.
    pub histories: Vec<History>,
    /// Confusion matrix over all held-out folds: `confusion[true][predicted]`.
    pub confusion: Vec<Vec<u64>>,
    /// Recall of each class over all held-out folds (NaN for a class with no graphs).
    pub per_class_recall: Vec<f64>,
    /// Mean of the fold accuracies.
    pub mean: f64,
    /// Standard deviation of the fold accuracies.
    pub std: f64,
}

fn check(
    data: &TuDataset,
    model: &GinClassifierConfig,
    cfg: &FitConfig,
    folds: usize,
) -> Result<()> {
    let s = &cfg.schedule;
    if model.hidden == 0 || model.layers == 0 {
        return Err(TrainError::InvalidNetwork {
            network: "the graph classifier",
            problem: format!(
                "{} layers of width {} cannot learn: both must be at least 1",
                model.layers, model.hidden
            ),
        });
    }
    for (unit, found, needed) in [
        ("node features per node", data.features(), model.d_input),
        ("classes", data.num_classes(), model.num_classes),
    ] {
        if found != needed {
            return Err(TrainError::SizeMismatch {
                what: "the graphs".into(),
                unit,
                found,
                needed,
            });
        }
    }
    if data.labelled && data.num_classes() < 2 {
        return Err(TrainError::TooFew {
            what: format!(
                "classification (every graph has the label {:?})",
                data.class_values()
            ),
            unit: "class",
            found: data.num_classes(),
            needed: 2,
        });
    }
    if !data.labelled || data.graphs.len() < folds.max(1) {
        return Err(TrainError::TooFew {
            what: format!("{folds} folds"),
            unit: "labelled graphs",
            found: if data.labelled { data.graphs.len() } else { 0 },
            needed: folds.max(1),
        });
    }
    Ok(s.check()?)
}

/// Trains one classifier on every graph of `data` with the recipe of `cfg` (`folds` is not
/// used) — the model to keep once cross-validation has measured how well the recipe
/// generalises — and the scaler of its inputs. `progress(epoch, loss)` after each epoch.
///
/// # Errors
/// As [`engine::fit`]; an unlabelled or empty dataset.
pub fn train_on_all(
    data: &TuDataset,
    model: &GinClassifierConfig,
    cfg: &FitConfig,
    ckpt: &Checkpointing,
    mut progress: impl FnMut(usize, f64),
) -> Result<(GinClassifier, NodeScaler, History)> {
    check(data, model, cfg, 1)?;
    let all: Vec<usize> = (0..data.graphs.len()).collect();
    let (mut task, scaler) = GraphTask::new(model, data, &all, &[]);
    // The folds' streams are 0..folds: this model draws from the next one.
    let trained = engine::fit(&mut task, &cfg.schedule, cfg.folds as u64, ckpt, |e, h| {
        progress(e, h.train_loss[e])
    })?;
    Ok((trained.model, scaler, trained.history))
}

/// Trains `model` on the training folds and scores the held-out fold once, for every fold
/// (stratified). `progress(fold, epoch, loss)` after each epoch.
///
/// # Errors
/// [`TrainError::TooFew`] for fewer than 2 folds or more folds than graphs; as
/// [`engine::fit`].
pub fn cross_validate(
    data: &TuDataset,
    model: &GinClassifierConfig,
    cfg: &FitConfig,
    progress: impl FnMut(usize, usize, f64),
) -> Result<CvReport> {
    cross_validate_with(data, model, cfg, &Checkpointing::default(), progress)
}

/// [`cross_validate`] with each fold checkpointed in `ckpt.dir/fold-K` (and its result kept
/// there once it is done), resumed from them with `ckpt.resume`.
///
/// # Errors
/// As [`cross_validate`], checkpoint files that cannot be written or read, and a resume with
/// other settings.
pub fn cross_validate_with(
    data: &TuDataset,
    model: &GinClassifierConfig,
    cfg: &FitConfig,
    ckpt: &Checkpointing,
    mut progress: impl FnMut(usize, usize, f64),
) -> Result<CvReport> {
    check(data, model, cfg, cfg.folds)?;
    if cfg.folds < 2 {
        return Err(TrainError::TooFew {
            what: "cross-validation".into(),
            unit: "folds",
            found: cfg.folds,
            needed: 2,
        });
    }
    let folds = stratified_folds(&data.labels, cfg.folds, cfg.schedule.seed);
    let root = Checkpointing {
        settings: json!({"folds": cfg.folds, "run": ckpt.settings}),
        ..ckpt.clone()
    };
    root.open(&cfg.schedule)?;
    let mut results = Vec::with_capacity(folds.len());
    for (k, test) in folds.iter().enumerate() {
        let fold_ckpt = root.sub(&format!("fold-{}", k + 1));
        if let Some(mut done) = fold_ckpt.read_result::<FoldResult>()? {
            // A fold finished by a version that did not name the monitor's one figure.
            if done.history.monitor_names.is_empty() && !done.history.monitor.is_empty() {
                done.history.monitor_names = vec![HELD_OUT_ACCURACY.into()];
            }
            results.push(done);
            continue;
        }
        let train: Vec<usize> = folds
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .flat_map(|(_, f)| f.iter().copied())
            .collect();
        let (mut task, _) = GraphTask::new(model, data, &train, test);
        let trained = engine::fit(&mut task, &cfg.schedule, k as u64, &fold_ckpt, |e, h| {
            progress(k, e, h.train_loss[e])
        })?;
        let (scored, labels) = task.monitored.as_ref().expect("the held-out fold");
        let (accuracy, predicted) = self::accuracy(&trained.model, scored, labels)?;
        let result = FoldResult {
            accuracy,
            predicted,
            history: trained.history,
        };
        fold_ckpt.write_result(&result)?;
        results.push(result);
    }
    let truth: Vec<usize> = folds.iter().flatten().map(|&i| data.labels[i]).collect();
    let predicted: Vec<usize> = results.iter().flat_map(|r| r.predicted.clone()).collect();
    let overall = ClassMetrics::new(&truth, &predicted, data.num_classes());
    let fold_accuracy: Vec<f64> = results.iter().map(|r| r.accuracy).collect();
    let (mean, std) = crate::metrics::mean_and_sd(&fold_accuracy);
    Ok(CvReport {
        fold_accuracy,
        histories: results.into_iter().map(|r| r.history).collect(),
        confusion: overall.confusion,
        per_class_recall: overall.recall,
        mean,
        std,
    })
}
