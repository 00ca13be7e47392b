//! `tessera train mesh`: the PD-MeshNet classifier on a MeshCNN-layout folder of meshes.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::ProgressBar;
use serde_json::json;
use tessera_train::data::{MeshAugment, MeshDataset, MeshFeatures};
use tessera_train::meshfit::{MESH_TASK, MeshRun, TEST_ACCURACY, argmax, classify, fit_mesh};
use tessera_train::metrics::ClassMetrics;
use tessera_train::models::{MeshPooling, MeshReadout, PdMeshNetConfig};
use tessera_train::{CLEANING_FILE, RunFolder};

use crate::progress::EpochProgress;

/// Readouts on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MeshReadoutArg {
    /// Mean over dual nodes (PD-MeshNet's).
    Mean,
    /// Per-channel maximum over dual nodes.
    Max,
    /// Generalised mean with a learned exponent.
    Gem,
    /// Gated attention (a learned softmax weight per dual node).
    Attention,
    /// HISTOGRAPH over the last block's input and output.
    Histograph,
}

/// Feature transforms on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MeshFeaturesArg {
    /// Logarithm of the ratio features.
    Log,
    /// As the paper computes them.
    Paper,
    /// Log, plus each face's distance from the centroid and the angle it makes with it.
    LogPlacement,
    /// Log-placement, plus how far rays along each face's normal travel to the next face.
    LogPlacementThickness,
    /// Log-placement, plus how far each face moves under curvature smoothing at two scales.
    LogPlacementFlow,
    /// Log-placement, plus the density of folded surface around each face at three radii.
    LogPlacementContext,
}

/// Pooling choices on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MeshPoolingArg {
    /// Contract the pairs with the highest attention (PD-MeshNet).
    Learned,
    /// Contract as many pairs, chosen at random (ablation).
    Random,
    /// No pooling (ablation).
    None,
}

/// Mesh tasks on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeshTaskArg {
    /// A class per mesh (PD-MeshNet's classifier).
    Classify,
    /// A part per face (PD-MeshNet's segmenters).
    Segment,
}

/// Segmenters on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SegmenterArg {
    /// Encoder, bottleneck and decoder with skips.
    Unet,
    /// Every face takes the part of its final cluster.
    Superpixel,
}

/// Arguments of `tessera train mesh`.
#[derive(Args, Debug)]
pub struct MeshTrainArgs {
    /// What to learn: classify whole meshes, or segment them into parts (a class per face).
    #[arg(long, value_enum, default_value = "classify")]
    pub(crate) task: MeshTaskArg,
    /// Data folder. Classification: ROOT/CLASS/{train,test}/*.obj or .ply (MeshCNN's layout).
    /// Segmentation: ROOT/{train,test}/NAME.obj with ROOT/seg/NAME.eseg and ROOT/sseg/NAME.seseg
    /// (MeshCNN's COSEG layout; part names from ROOT/classes.txt when present).
    #[arg(long)]
    pub(crate) data: PathBuf,
    /// Segmentation: PD-MeshNet's U-Net (encoder, bottleneck, decoder with skips), or its
    /// superpixel-like segmenter (every face takes its final cluster's part).
    #[arg(long, value_enum, default_value = "unet")]
    pub(crate) segmenter: SegmenterArg,
    /// The network from a JSON file instead of the flags below: a PD-MeshNet configuration such
    /// as configs/pdmesh_shrec.json (the paper's SHREC/Cube classifier) or the "model" of
    /// another run's run.json. Its class count is replaced by the data's.
    #[arg(long)]
    pub(crate) model: Option<PathBuf>,
    /// Channels of each primal-dual block, comma-separated (default: 64,128 to classify, the
    /// paper's SHREC classifier; 32,64,128 for the U-Net, whose last width is its bottleneck;
    /// 64,96 for the superpixel segmenter).
    #[arg(long, value_delimiter = ',', conflicts_with = "model")]
    pub(crate) channels: Option<Vec<usize>>,
    /// Attention heads, averaged (default: 3 to classify, 1 to segment, as the paper).
    #[arg(long, conflicts_with = "model")]
    pub(crate) heads: Option<usize>,
    /// The convolution of the blocks: PD-MeshNet's primal-dual attention (the default), or a
    /// graph layer of `tessera train graph` on the faces joined across their edges (gin, gcn,
    /// sage, gat, gatv2, cheb; no pooling, read out over the faces).
    #[arg(long, value_enum)]
    pub(crate) conv: Option<crate::train::ModelArg>,
    /// One convolution per block instead of the paper's residual pair.
    #[arg(long, conflicts_with = "model")]
    pub(crate) plain: bool,
    /// GroupNorm groups after each block, over each face's and pair's channels (default: 16 to
    /// classify, the paper's; 1 to segment, a layer normalisation: with 2 channels per group a
    /// group keeps only which channel is larger, and the segmenters' 32-wide blocks trained to
    /// half the accuracy).
    #[arg(long, conflicts_with = "model")]
    pub(crate) norm_groups: Option<usize>,
    /// Fraction of face pairs each pooling keeps (default: 0.8, or 0.7 for the U-Net, as the
    /// paper; 1 = no pooling, classification only).
    #[arg(long, conflicts_with = "model")]
    pub(crate) keep: Option<f64>,
    /// Which pairs each pooling contracts: learned (the paper's), random or none.
    #[arg(long, value_enum, default_value = "learned", conflicts_with = "model")]
    pub(crate) pooling: MeshPoolingArg,
    /// Pool only between blocks, not after the last one (the paper pools after every block).
    #[arg(long, conflicts_with = "model")]
    pub(crate) no_pool_last: bool,
    /// Readout over each mesh's dual nodes.
    #[arg(long, value_enum, default_value = "mean", conflicts_with = "model")]
    pub(crate) readout: MeshReadoutArg,
    /// Dropout probability before the dense layer and before the class scores (the paper: 0;
    /// a regulariser when the training set has few distinct shapes).
    #[arg(long, default_value_t = 0.0, conflicts_with = "model")]
    pub(crate) dropout: f64,
    /// Input features: log (the logarithm of PD-MeshNet's ratio features, well spread even on
    /// meshes with sliver triangles), paper (as the paper computes them) or log-placement (log,
    /// and where each face lies in the whole shape: its distance from the centroid over the
    /// mesh's RMS radius and |cos| of its normal against that direction; rotation-invariant)
    /// or log-placement-thickness (also the log lengths of rays cast both ways along each face's
    /// normal to the next face: the thickness of its part and the width of a gap or groove in
    /// front of it; O(faces²) per mesh) or log-placement-flow (log-placement and how far each
    /// face moves along its normal when the mesh is smoothed over two lengths: a sharp tip, a
    /// rounded lobe, a notch or a flat) or log-placement-context (log-placement and the density
    /// of folded surface around each face within about 0.05, 0.1 and 0.2 RMS radii: a thin stem
    /// ending in a flat region, or the middle of a busy outline). Default: log to classify,
    /// log-placement to segment (a part is also where a face lies in the whole shape).
    #[arg(long, value_enum)]
    pub(crate) features: Option<MeshFeaturesArg>,
    /// Augmentation: standard deviation of per-axis scale factors N(1, σ) drawn for every
    /// training mesh each epoch (MeshCNN uses 0.1; 0 = off).
    #[arg(long, default_value_t = 0.0)]
    pub(crate) augment_scale: f64,
    /// Augmentation: standard deviation of a Gaussian displacement of every vertex, in mean
    /// edge lengths (0 = off).
    #[arg(long, default_value_t = 0.0)]
    pub(crate) augment_jitter: f64,
    /// Augmentation: rotate every training mesh at random before scaling it.
    #[arg(long)]
    pub(crate) augment_rotate: bool,
    /// Augmentation: bend every training mesh smoothly before rotating it: three long random
    /// waves of displacement, each moving vertices by up to this fraction of the mesh's RMS
    /// radius over √3 (e.g. 0.05; 0 = off). It varies outlines where scaling only stretches them.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) augment_warp: f64,
    /// Augmentation: wavelengths of the bend across the mesh, on average (each wave draws ½ to
    /// 1½ times this). 1 bends the whole shape; 5 reshapes each part on its own, e.g. an
    /// engraving that covers a tenth of a block (then keep --augment-warp small, e.g. 0.05).
    #[arg(long, default_value_t = 1.0)]
    pub(crate) augment_warp_cycles: f64,
    /// Augmentation: longest time of mean-curvature smoothing, in squared RMS radii of the
    /// mesh (each mesh draws a time below it): rounds off tips, notches and rims smaller than
    /// about its square root, so the network also sees rounded versions of sharp outlines.
    /// 0 disables; 0.001 visibly rounds the engravings of the Cube Engraving meshes.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) augment_smooth: f64,
    /// Augmentation: largest fraction of the faces whose input features are hidden (set to the
    /// training mean), last of all: each mesh draws a fraction below it and hides a connected
    /// patch of that many faces, grown from a random face, so the network must also learn the
    /// cues it would otherwise ignore (a tree's trunk besides its tips). 0 disables; below 1.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) augment_cutout: f64,
    /// Epochs.
    #[arg(long, default_value_t = 60)]
    pub(crate) epochs: usize,
    /// Meshes per step.
    #[arg(long, default_value_t = 8)]
    pub(crate) batch_size: usize,
    /// Initial learning rate (Adam), decayed along a cosine to 2 % of it.
    #[arg(long, default_value_t = 1e-3)]
    pub(crate) lr: f64,
    /// Seed of the weights and the shuffling.
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    #[command(flatten)]
    pub(crate) fit_options: crate::progress::FitOptionArgs,
    #[command(flatten)]
    pub(crate) device: crate::progress::DeviceArgs,
    /// Run folder: report.json, predictions.csv, history.csv, loss.png, accuracy.png,
    /// confusion.png, cleaning.csv, and run.json with model.bpk (the network). A folder that
    /// holds a finished run is refused.
    #[arg(short, long)]
    pub(crate) output: PathBuf,
}

impl MeshTrainArgs {
    /// The schedule from the flags, the run folder created, and its checkpointing (resumed
    /// with `--resume` when `settings`, what decides the result besides the schedule, agree).
    pub(crate) fn start(
        &self,
        folder: &RunFolder,
        settings: serde_json::Value,
    ) -> Result<(
        tessera_train::schedule::FitSchedule,
        tessera_train::engine::Checkpointing,
    )> {
        let cfg = crate::progress::cosine_schedule(
            self.epochs,
            self.batch_size,
            self.lr,
            self.seed,
            &self.fit_options,
            self.device,
        )?;
        folder.create()?;
        Ok((
            cfg,
            folder.checkpointing(self.fit_options.resume.resume, settings),
        ))
    }
}

/// The network: from `--model` (class count from the data) or from the flags.
fn model_config(
    a: &MeshTrainArgs,
    features: MeshFeatures,
    classes: usize,
) -> Result<PdMeshNetConfig> {
    let inputs = (features.primal_channels(), features.dual_channels());
    if let Some(path) = &a.model {
        let mut m = PdMeshNetConfig::from_file(path)?;
        if (m.d_primal, m.d_dual) != inputs {
            bail!(
                "{}: inputs {} primal and {} dual; the mesh features are {} and {}",
                path.display(),
                m.d_primal,
                m.d_dual,
                inputs.0,
                inputs.1
            );
        }
        m.classes = classes;
        return Ok(m);
    }
    Ok(PdMeshNetConfig::new(inputs.0, inputs.1, classes)
        .with_channels(a.channels.clone().unwrap_or(vec![64, 128]))
        .with_heads(a.heads.unwrap_or(3))
        .with_residual(!a.plain)
        .with_face_conv(a.conv.map(crate::train::ModelArg::kind))
        .with_norm_groups(a.norm_groups.unwrap_or(16))
        .with_keep(a.keep.unwrap_or(0.8))
        .with_pool_last(!a.no_pool_last)
        .with_dropout(a.dropout)
        .with_pooling(match a.pooling {
            MeshPoolingArg::Learned => MeshPooling::Learned,
            MeshPoolingArg::Random => MeshPooling::Random,
            MeshPoolingArg::None => MeshPooling::None,
        })
        .with_readout(match a.readout {
            MeshReadoutArg::Mean => MeshReadout::Mean,
            MeshReadoutArg::Max => MeshReadout::Max,
            MeshReadoutArg::Gem => MeshReadout::Gem,
            MeshReadoutArg::Attention => MeshReadout::Attention,
            MeshReadoutArg::Histograph => MeshReadout::Histograph,
        }))
}

/// Runs `tessera train mesh`.
pub fn run(a: MeshTrainArgs, out: &mut impl Write) -> Result<()> {
    let folder = RunFolder::for_training(&a.output)?;
    let augment = MeshAugment {
        scale: a.augment_scale,
        jitter: a.augment_jitter,
        rotate: a.augment_rotate,
        warp: a.augment_warp,
        warp_cycles: a.augment_warp_cycles,
        smooth: a.augment_smooth,
        cutout: a.augment_cutout,
    };
    augment.check().with_context(|| {
        format!(
            "--augment-scale {}, --augment-jitter {}, --augment-warp {}, --augment-warp-cycles {}, \
             --augment-smooth {}, --augment-cutout {}",
            a.augment_scale,
            a.augment_jitter,
            a.augment_warp,
            a.augment_warp_cycles,
            a.augment_smooth,
            a.augment_cutout
        )
    })?;
    let default_features = match a.task {
        MeshTaskArg::Classify => MeshFeaturesArg::Log,
        MeshTaskArg::Segment => MeshFeaturesArg::LogPlacement,
    };
    let features = match a.features.unwrap_or(default_features) {
        MeshFeaturesArg::Log => MeshFeatures::Log,
        MeshFeaturesArg::Paper => MeshFeatures::Paper,
        MeshFeaturesArg::LogPlacement => MeshFeatures::LogPlacement,
        MeshFeaturesArg::LogPlacementThickness => MeshFeatures::LogPlacementThickness,
        MeshFeaturesArg::LogPlacementFlow => MeshFeatures::LogPlacementFlow,
        MeshFeaturesArg::LogPlacementContext => MeshFeatures::LogPlacementContext,
    };
    if a.task == MeshTaskArg::Segment {
        if augment != MeshAugment::NONE || a.conv.is_some() || a.model.is_some() {
            bail!(
                "--task segment trains PD-MeshNet's segmenters on the meshes as they are: \
                 --augment-*, --conv and --model are for classification"
            );
        }
        return crate::segtrain::run(&a, &folder, features, out);
    }
    let reading = ProgressBar::new_spinner();
    reading.set_message("reading and cleaning meshes");
    let data = MeshDataset::load(&a.data, features, || reading.tick())?;
    reading.finish_and_clear();
    writeln!(out, "{}", crate::cleaning::summary(&data.cleaning))?;
    let model = model_config(&a, features, data.classes.len())?;
    let settings =
        json!({"data": a.data, "features": features, "model": model, "augment": augment});
    let (cfg, ckpt) = a.start(&folder, settings)?;
    let progress = EpochProgress::new(a.epochs);
    let (net, history) = fit_mesh(&model, &data, &cfg, &augment, &ckpt, |epoch, h| {
        progress.epoch_done(
            epoch,
            format!(
                "loss {:.4}, test accuracy {:.4}",
                h.train_loss[epoch],
                h.last_monitored(TEST_ACCURACY)
            ),
            h.seconds[epoch],
        );
    })?;
    progress.finish();
    let probabilities = classify(&net, &data.test, 16)?;
    let predicted = argmax(&probabilities);
    let n = data.classes.len();
    let truth: Vec<usize> = data.test.iter().map(|s| s.class).collect();
    let ClassMetrics {
        accuracy,
        confusion,
        ..
    } = ClassMetrics::new(&truth, &predicted, n);
    let mut csv = String::from("file,truth,predicted\n");
    for (s, &p) in data.test.iter().zip(&predicted) {
        csv.push_str(&format!(
            "{},{},{}\n",
            s.path.display(),
            data.classes[s.class],
            data.classes[p]
        ));
    }
    folder.write_predictions(&csv)?;
    let files = data.train.iter().chain(&data.test).map(|s| &s.path);
    crate::cleaning::write_csv(&folder.file(CLEANING_FILE), files.zip(&data.cleaning))?;
    folder.write_history(&history)?;
    let run = MeshRun {
        task: MESH_TASK.into(),
        classes: data.classes.clone(),
        model: serde_json::to_value(&model)?,
        primal_stats: data.primal_stats.clone(),
        dual_stats: data.dual_stats.clone(),
        features,
        fit: cfg,
        augment,
        history,
        test_accuracy: accuracy,
        confusion,
        data: json!({"folder": a.data, "train_meshes": data.train.len(), "test_meshes": data.test.len()}),
    };
    run.save(&net, folder.dir())?;
    crate::report::write_mesh_report(&run, &folder)?;
    crate::progress::report_best_epoch(out, run.history.best_epoch)?;
    writeln!(
        out,
        "test accuracy {:.1} % on {} meshes ({} classes); run written to {}",
        100.0 * accuracy,
        data.test.len(),
        n,
        a.output.display()
    )?;
    Ok(())
}
