//! A graph classifier kept for later use: `tessera train graph --final` trains one on every
//! graph of a TU dataset and saves it in the run folder with what reading new graphs needs (the
//! feature options and the label vocabulary); `tessera eval` and `tessera predict` load it.

use std::path::Path;

use burn::prelude::*;
use tessera_gnn::graph::{Graph, GraphBatch};

use crate::data::{NodeScaler, TuDataset, TuOptions, TuVocabulary};
use crate::error::{Result, TrainError};
use crate::fit::FitConfig;
use crate::models::{GinClassifier, GinClassifierConfig};
use crate::run_folder;

/// `task` of a graph run's `run.json` (tells graph runs from sphere and mesh runs).
pub const GRAPH_TASK: &str = "graph classification";

/// What `run.json` records of a graph classifier trained on a whole dataset.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GraphRun {
    /// Always [`GRAPH_TASK`].
    pub task: String,
    /// The dataset it was trained on (its name).
    pub dataset: String,
    /// The network (burn's `Config` of [`GinClassifierConfig`] as JSON).
    pub model: serde_json::Value,
    /// How node and edge features were read.
    pub options: TuOptions,
    /// The label values behind the one-hot features and the classes.
    pub vocabulary: TuVocabulary,
    /// The z-scores of the continuous node attributes, from the training graphs (applied to
    /// every graph this run reads; absent in runs saved before it existed: none).
    #[serde(default)]
    pub scaler: NodeScaler,
    /// How it was trained.
    pub fit: FitConfig,
    /// Mean training loss per epoch.
    pub train_loss: Vec<f64>,
}

impl GraphRun {
    /// The record of `model` trained on `data` (read with `options`, attributes scaled by
    /// `scaler`) by `fit`.
    pub fn new(
        data: &TuDataset,
        model: &GinClassifierConfig,
        options: TuOptions,
        scaler: NodeScaler,
        fit: &FitConfig,
        train_loss: Vec<f64>,
    ) -> Self {
        GraphRun {
            task: GRAPH_TASK.into(),
            dataset: data.name.clone(),
            model: serde_json::to_value(model).expect("a burn Config serialises"),
            options,
            vocabulary: data.vocabulary.clone(),
            scaler,
            fit: fit.clone(),
            train_loss,
        }
    }

    /// The network configuration.
    ///
    /// # Errors
    /// [`TrainError::ModelConfig`] when `model` is not a [`GinClassifierConfig`] (fields added since
    /// the run was saved take their defaults; the input width and class count must be there).
    pub fn model_config(&self) -> Result<GinClassifierConfig> {
        run_folder::config_with_defaults(
            &self.model,
            &GinClassifierConfig::new(0, 0),
            &["d_input", "num_classes"],
            "the graph classifier configuration of the run",
        )
    }

    /// Writes `run.json` and `model.bpk` into `dir` (created), each through a temporary file.
    ///
    /// # Errors
    /// Files that cannot be written, naming them.
    pub fn save(&self, net: &GinClassifier, dir: &Path) -> Result<()> {
        run_folder::save(net, self, dir)
    }

    /// Reads a run folder written by [`GraphRun::save`], with its network on the CPU.
    ///
    /// # Errors
    /// A missing or malformed `run.json` or `model.bpk`, naming the file.
    pub fn load(dir: &Path) -> Result<(GraphRun, GinClassifier)> {
        let run: GraphRun = run_folder::read_run(dir, "graph run")?;
        if run.task != GRAPH_TASK {
            return Err(TrainError::WrongRun {
                dir: dir.to_path_buf(),
                found: run.task,
                wanted: GRAPH_TASK,
            });
        }
        let config = run.model_config()?;
        run_folder::check_weights_fit(dir, config.min_parameters())?;
        let net = run_folder::load_weights(config.init(&Device::flex()), dir)?;
        Ok((run, net))
    }

    /// A TU folder read as the training data was: the same feature options, one-hot columns,
    /// classes (graph labels optional) and attribute scaling.
    ///
    /// # Errors
    /// The loader's errors, a label the training data did not have, or node features of
    /// another width than the network's input.
    pub fn read_graphs(&self, dir: &Path) -> Result<TuDataset> {
        let mut data = TuDataset::load_with(dir, self.options, Some(&self.vocabulary))?;
        let width = self.model_config()?.d_input;
        if data.features() != width {
            return Err(TrainError::SizeMismatch {
                what: format!(
                    "{} (the network was trained on {})",
                    dir.display(),
                    self.dataset
                ),
                unit: "node features per node",
                found: data.features(),
                needed: width,
            });
        }
        let all: Vec<usize> = (0..data.graphs.len()).collect();
        data.graphs = self.scaler.apply_to(&data.graphs, &all);
        Ok(data)
    }
}

/// Class probabilities of every graph, in batches of `batch`, on the device of `net`'s weights.
///
/// # Errors
/// Graph errors from batching.
pub fn classify_graphs(
    net: &GinClassifier,
    graphs: &[Graph],
    batch: usize,
) -> Result<Vec<Vec<f64>>> {
    let device = crate::compute::device_of(net);
    let mut out = Vec::with_capacity(graphs.len());
    for chunk in graphs.chunks(batch.max(1)) {
        let refs: Vec<&Graph> = chunk.iter().collect();
        let logits = net.forward(&GraphBatch::new(&refs)?.to_device(&device));
        out.extend(crate::compute::softmax_rows(logits)?);
    }
    Ok(out)
}
