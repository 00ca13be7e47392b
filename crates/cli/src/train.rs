//! `tessera train graph`: cross-validated graph classification on a TU dataset.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use tessera_train::data::{TuDataset, TuOptions};
use tessera_train::fit::{FitConfig, HELD_OUT_ACCURACY, cross_validate_with, train_on_all};
use tessera_train::graph_run::GraphRun;
use tessera_train::models::{GinClassifierConfig, GraphLayerKind, ReadoutKind};
use tessera_train::schedule::FitSchedule;
use tessera_train::{CONFIG_FILE, FOLD_LOSSES_FILE, RunFolder};

/// Readouts on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ReadoutArg {
    /// Sum over nodes (GIN's).
    Sum,
    /// Mean over nodes.
    Mean,
    /// Maximum over nodes.
    Max,
    /// Generalised mean, learned exponent.
    Gem,
    /// Gated attention over nodes.
    Attention,
    /// Hopfield pooling (one learned query).
    Hopfield,
    /// Grouped GeM (4 groups).
    Ggem,
    /// AttSets per-feature attention.
    Attsets,
    /// NV-Embed latent attention.
    Latent,
    /// HISTOGRAPH (signed layer attention, then node self-attention).
    Histograph,
    /// Multi-layer trainable pooling (latents query every layer's mean).
    Mltp,
}

/// Graph layers on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ModelArg {
    /// GIN (GINE with --edge-labels).
    Gin,
    /// GCN.
    Gcn,
    /// GraphSAGE (mean).
    Sage,
    /// GAT (4 heads averaged).
    Gat,
    /// GATv2 (4 heads averaged).
    Gatv2,
    /// Chebyshev filters of order 3.
    Cheb,
}

impl ModelArg {
    /// The graph layer it names.
    pub fn kind(self) -> GraphLayerKind {
        match self {
            ModelArg::Gin => GraphLayerKind::Gin,
            ModelArg::Gcn => GraphLayerKind::Gcn,
            ModelArg::Sage => GraphLayerKind::Sage,
            ModelArg::Gat => GraphLayerKind::Gat,
            ModelArg::Gatv2 => GraphLayerKind::Gatv2,
            ModelArg::Cheb => GraphLayerKind::Cheb,
        }
    }
}

/// Arguments of `tessera train graph`. The defaults are one recipe for every data set (see
/// docs/results.md): nothing in it was tuned on the test folds.
#[derive(Args, Debug)]
pub struct GraphTrainArgs {
    /// A TU dataset folder (NAME/NAME_A.txt, NAME_graph_indicator.txt, NAME_graph_labels.txt, …).
    #[arg(long)]
    data: PathBuf,
    /// Graph layers (GIN's protocol around them: a readout and a scorer per layer).
    #[arg(long, value_enum, default_value = "gin")]
    model: ModelArg,
    /// Graph readout.
    #[arg(long, value_enum, default_value = "sum")]
    readout: ReadoutArg,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 10)]
    folds: usize,
    /// Epochs per fold (at most: see --patience).
    #[arg(long, default_value_t = FitConfig::default().schedule.epochs)]
    epochs: usize,
    /// Graphs per batch.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Hidden width.
    #[arg(long, default_value_t = 64)]
    hidden: usize,
    /// Graph layers.
    #[arg(long, default_value_t = 4)]
    layers: usize,
    /// Initial learning rate (Adam, halved every 50 epochs).
    #[arg(long, default_value_t = FitConfig::default().schedule.lr)]
    lr: f64,
    /// Model selection: a random --validation fraction of each fold's training graphs is held
    /// out; training stops after this many epochs without a lower validation loss and keeps
    /// the best epoch's network, which is then scored once on the held-out fold. The epoch is
    /// never chosen on the held-out fold. 0: no validation split, the last epoch is kept (the
    /// GIN paper's protocol).
    #[arg(long, default_value_t = FitConfig::default().schedule.patience)]
    patience: usize,
    /// Fraction of each fold's training graphs held out for model selection.
    #[arg(long, default_value_t = FitConfig::default().schedule.validation_fraction)]
    validation: f64,
    /// Leave out the BatchNorm layers of the GIN paper's network (inside each GIN MLP and
    /// after each graph layer).
    #[arg(long)]
    no_batch_norm: bool,
    /// Seed of folds, shuffling and weights.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Leave out the node labels (NAME_node_labels.txt), read one-hot by default: for labels
    /// that are identifiers rather than categories. Graphs without node features get one-hot
    /// degrees instead.
    #[arg(long)]
    no_node_labels: bool,
    /// Leave out the continuous node attributes (NAME_node_attributes.txt). By default they
    /// are appended to the one-hot node labels when the data set has them, standardised with
    /// each fold's training statistics (kept in run.json for new graphs).
    #[arg(long, conflicts_with = "node_attributes")]
    no_node_attributes: bool,
    /// Accepted for older scripts: node attributes are read by default now.
    #[arg(long, hide = true)]
    node_attributes: bool,
    /// Use the data set's edge labels (one-hot) as edge features: GINE layers instead of GIN
    /// (GIN only).
    #[arg(long)]
    edge_labels: bool,
    /// After cross-validation, train one more network on every graph with the same recipe and
    /// keep it (run.json, model.bpk) for `tessera eval` and `tessera predict`; cross-validation
    /// measures the recipe, this is the model to use.
    #[arg(long = "final")]
    final_model: bool,
    #[command(flatten)]
    device: crate::progress::DeviceArgs,
    /// Run folder: config.json at the start, checkpoint/ after every epoch, loss.csv and
    /// report.json at the end (report.json marks a finished run); with --final, run.json and
    /// model.bpk too.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    resume: crate::progress::ResumeArgs,
}

/// Training subcommands.
#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// Graph classification (GIN by default, or GCN, GraphSAGE, GAT, GATv2, Chebyshev) with
    /// k-fold cross-validation on a TU dataset; the epoch kept is chosen on a validation split
    /// of each fold's training graphs, never on the held-out fold.
    ///
    /// Example: tessera train graph --data ../shared/data/graphs/MUTAG --readout gem -o runs/mutag
    Graph(GraphTrainArgs),
    /// The NNhealpix sphere CNN: spherical MNIST, ℓ_p, τ, E versus B, or any folder of maps.
    ///
    /// Examples:
    ///   tessera train sphere --task mnist --epochs 20 -o runs/mnist
    ///   tessera sim ellp --count 4000 --seed 1 -o sims/ellp_train
    ///   tessera sim ellp --count 500 --seed 2 -o sims/ellp_test
    ///   tessera estimate sims/ellp_test
    ///   tessera train sphere --task ellp --train sims/ellp_train --test sims/ellp_test -o runs/ellp
    #[command(verbatim_doc_comment)]
    Sphere(crate::sphere::SphereTrainArgs),
    /// PD-MeshNet on meshes: shape classification on a MeshCNN-layout folder
    /// (CLASS/{train,test}/*.obj), or segmentation into parts on a COSEG-layout folder
    /// ({train,test}/*.obj with seg/*.eseg and sseg/*.seseg edge labels).
    ///
    /// Examples:
    ///   tessera train mesh --data ../shared/data/meshes/msb --epochs 60 -o runs/msb
    ///   tessera train mesh --task segment --data ../shared/data/meshes/coseg/aliens -o runs/aliens
    #[command(verbatim_doc_comment)]
    Mesh(crate::meshtrain::MeshTrainArgs),
}

/// Runs a training subcommand.
pub fn run(cmd: TrainCommand, out: &mut impl Write) -> Result<()> {
    let a = match cmd {
        TrainCommand::Graph(a) => a,
        TrainCommand::Sphere(a) => return crate::sphere::run(a, out),
        TrainCommand::Mesh(a) => return crate::meshtrain::run(a, out),
    };
    let options = TuOptions {
        node_labels: !a.no_node_labels,
        node_attributes: !a.no_node_attributes,
        edge_labels: a.edge_labels,
    };
    let data = TuDataset::load(&a.data, options)?;
    let readout = match a.readout {
        ReadoutArg::Sum => ReadoutKind::Sum,
        ReadoutArg::Mean => ReadoutKind::Mean,
        ReadoutArg::Max => ReadoutKind::Max,
        ReadoutArg::Gem => ReadoutKind::Gem,
        ReadoutArg::Attention => ReadoutKind::Attention,
        ReadoutArg::Hopfield => ReadoutKind::Hopfield,
        ReadoutArg::Ggem => ReadoutKind::Ggem,
        ReadoutArg::Attsets => ReadoutKind::AttSets,
        ReadoutArg::Latent => ReadoutKind::Latent,
        ReadoutArg::Histograph => ReadoutKind::Histograph,
        ReadoutArg::Mltp => ReadoutKind::Mltp,
    };
    let conv = a.model.kind();
    if a.edge_labels && conv != GraphLayerKind::Gin {
        anyhow::bail!("--edge-labels needs --model gin (GINE layers read edge features)");
    }
    let model = GinClassifierConfig::new(data.features(), data.num_classes())
        .with_conv(conv)
        .with_hidden(a.hidden)
        .with_layers(a.layers)
        .with_readout(readout)
        .with_d_edge(data.graphs[0].edge_features)
        .with_batch_norm(!a.no_batch_norm);
    let recipe = FitConfig::default().schedule;
    let cfg = FitConfig {
        folds: a.folds,
        schedule: FitSchedule {
            epochs: a.epochs,
            batch_size: a.batch_size,
            lr: a.lr,
            seed: a.seed,
            patience: a.patience,
            validation_fraction: a.validation,
            compute: a.device.compute()?,
            ..recipe
        },
    };
    let folder = RunFolder::for_training(&a.output)?;
    let bar = crate::progress::EpochProgress::over_folds(a.folds, a.epochs);
    let started = std::time::Instant::now();
    let config = json!({"dataset": data.name, "graphs": data.graphs.len(), "classes": data.num_classes(),
        "features": data.features(), "model": format!("{conv:?}").to_lowercase(), "readout": format!("{readout:?}"), "hidden": a.hidden,
        "layers": a.layers, "fit": cfg});
    folder.write_json(CONFIG_FILE, &config)?;
    let settings = json!({"data": a.data, "options": options, "model": model});
    let ckpt = folder.checkpointing(a.resume.resume, settings);
    let report = cross_validate_with(&data, &model, &cfg, &ckpt, |fold, epoch, loss| {
        bar.fold_epoch_done(fold, epoch, format!("loss {loss:.4}"), None);
    })?;
    bar.finish();
    if a.final_model {
        let bar = crate::progress::EpochProgress::new(a.epochs);
        let mut tick = std::time::Instant::now();
        let (net, scaler, history) =
            train_on_all(&data, &model, &cfg, &ckpt.sub("final"), |epoch, loss| {
                let summary = format!("on every graph: loss {loss:.4}");
                bar.epoch_done(epoch, summary, tick.elapsed().as_secs_f64());
                tick = std::time::Instant::now();
            })?;
        bar.finish();
        GraphRun::new(&data, &model, options, scaler, &cfg, history.train_loss)
            .save(&net, &a.output)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let held_out: Vec<Vec<f64>> = report
        .histories
        .iter()
        .map(|h| h.monitored(HELD_OUT_ACCURACY))
        .collect();
    let mut csv = String::from("fold,epoch,train_loss,held_out_accuracy\n");
    for (k, h) in report.histories.iter().enumerate() {
        for (e, l) in h.train_loss.iter().enumerate() {
            let acc = held_out[k].get(e).map_or(String::new(), f64::to_string);
            csv.push_str(&format!("{},{},{l},{acc}\n", k + 1, e + 1));
        }
    }
    // The GIN paper's curve: held-out accuracy after each epoch, averaged over the folds.
    let curve: Vec<f64> = (0..a.epochs)
        .map(|e| {
            let v: Vec<f64> = held_out.iter().filter_map(|f| f.get(e)).copied().collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        })
        .collect();
    let train_loss: Vec<Vec<f64>> = report
        .histories
        .iter()
        .map(|h| h.train_loss.clone())
        .collect();
    folder.write_text(FOLD_LOSSES_FILE, &csv)?;
    let summary = json!({"fold_accuracy": report.fold_accuracy, "mean": report.mean, "std": report.std,
        "kept_epoch": report.histories.iter().map(|h| h.best_epoch.map(|e| e + 1)).collect::<Vec<_>>(),
        "mean_held_out_accuracy_per_epoch": curve,
        "confusion": report.confusion, "per_class_recall": report.per_class_recall,
        "class_values": data.class_values(), "seconds": seconds});
    folder.write_report(&summary)?;
    crate::report::draw_graph_pictures(
        &a.output,
        &data.name,
        &train_loss,
        &curve,
        &report.confusion,
        data.class_values(),
    )?;
    writeln!(
        out,
        "{}: {}-fold accuracy {:.1} ± {:.1} % ({seconds:.0} s)",
        data.name,
        a.folds,
        100.0 * report.mean,
        100.0 * report.std
    )?;
    for (k, acc) in report.fold_accuracy.iter().enumerate() {
        writeln!(out, "  fold {:>2}: {:.1} %", k + 1, 100.0 * acc)?;
    }
    if a.final_model {
        writeln!(
            out,
            "network trained on all {} graphs kept in {} (tessera eval / predict)",
            data.graphs.len(),
            a.output.display()
        )?;
    }
    Ok(())
}
