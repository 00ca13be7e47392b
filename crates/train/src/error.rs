//! The error type of tessera-train.

use std::path::PathBuf;

/// Bad datasets and failed runs.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum TrainError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A dataset file is malformed.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Data {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A graph could not be built.
    #[error(transparent)]
    Graph(#[from] tessera_gnn::GraphError),
    /// A mesh could not be read, cleaned or turned into graphs.
    #[error(transparent)]
    Mesh(#[from] tessera_mesh::MeshError),
    /// A sky map could not be read or converted.
    #[error(transparent)]
    Sky(#[from] tessera_sky::SkyError),
    /// A HEALPix grid that cannot be built.
    #[error(transparent)]
    Healpix(#[from] tessera_healpix::HealpixError),
    /// The backend asked for (`--device`) was not compiled into this build.
    #[error(
        "this build of Tessera has no {backend} backend: rebuild with `cargo build --release \
         --features {backend}` (the CPU backend, `cpu`, is always there)"
    )]
    NoBackend {
        /// The backend's feature name.
        backend: &'static str,
    },
    /// Values that could not be read back from the device.
    #[error("reading {what} back from the device: {source}")]
    ReadBack {
        /// What was read.
        what: &'static str,
        /// What burn said.
        #[source]
        source: burn::tensor::DataError,
    },
    /// A run folder of another kind than the one asked for.
    #[error("{}: a {found} run, not a {wanted} run", dir.display())]
    WrongRun {
        /// The run folder.
        dir: PathBuf,
        /// The task the run was trained for.
        found: String,
        /// The task asked for.
        wanted: &'static str,
    },
    /// A network configuration (a file, or the one saved in a run) that cannot be read.
    #[error("{what}: {problem}")]
    ModelConfig {
        /// Where the configuration came from.
        what: String,
        /// What is wrong with it.
        #[source]
        problem: ConfigProblem,
    },
    /// A network that cannot be built as configured.
    #[error("{network}: {problem}")]
    InvalidNetwork {
        /// Which network or layer.
        network: &'static str,
        /// What cannot work.
        problem: String,
    },
    /// Maps finer than a network is built for.
    #[error("{network} is built for maps up to nside {max} ({why}), not nside {nside}")]
    NsideTooLarge {
        /// Which network or layer.
        network: &'static str,
        /// The maps' nside.
        nside: u64,
        /// The largest nside it is built for.
        max: u64,
        /// Why, and what to do instead.
        why: &'static str,
    },
    /// A setting outside the values it can take.
    #[error("{name} {value}: {allowed}")]
    OutOfRange {
        /// The setting.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The values it can take.
        allowed: String,
    },
    /// Inputs of another size than the network, or the rest of the run, reads.
    #[error("{what}: {found} {unit} where {needed} are needed")]
    SizeMismatch {
        /// Which inputs.
        what: String,
        /// What is counted (channels, node features, pixels, …).
        unit: &'static str,
        /// The count in the inputs.
        found: usize,
        /// The count needed.
        needed: usize,
    },
    /// Weights of another shape than the layer that should take them.
    #[error("{layer}: {found} for a layer {expected}")]
    WeightsDoNotFit {
        /// The layer.
        layer: String,
        /// The shape of the weights.
        found: String,
        /// The shape of the layer.
        expected: String,
    },
    /// Too few of something (samples, classes, folds, runs) for what was asked.
    #[error("{what}: {found} {unit}, at least {needed} needed")]
    TooFew {
        /// What was asked.
        what: String,
        /// What is counted.
        unit: &'static str,
        /// How many there are.
        found: usize,
        /// How many are needed.
        needed: usize,
    },
    /// A training or test split with nothing in it.
    #[error("{train} training and {test} test {what} cannot train")]
    EmptySplit {
        /// The samples (meshes, …).
        what: &'static str,
        /// Training samples.
        train: usize,
        /// Test samples.
        test: usize,
    },
    /// Runs of an ensemble that do not predict the same classes.
    #[error("{}: classes [{}] differ from the first run's [{}]", dir.display(), classes.join(", "), first.join(", "))]
    EnsembleDiffers {
        /// The run that differs.
        dir: PathBuf,
        /// Its classes.
        classes: Vec<String>,
        /// The first run's classes.
        first: Vec<String>,
    },
    /// The task could not make an epoch's training samples (fresh simulations, …).
    #[error("making the training samples of epoch {}: {source}", epoch + 1)]
    EpochSamples {
        /// The epoch (from 0).
        epoch: usize,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A picture that cannot be drawn from the values given.
    #[error(transparent)]
    Plot(#[from] crate::plots::PlotError),
    /// Maps that do not fit a sphere network: `[nside, channels, targets]` of the maps against
    /// `[nside, channels, outputs]` of the network.
    #[error(
        "{what}: maps at nside {} with {} channel(s) and {} target(s); the network reads nside {} \
         with {} channel(s) into {} output(s)",
        maps[0], maps[1], maps[2], network[0], network[1], network[2]
    )]
    MapsDoNotFit {
        /// Which maps.
        what: String,
        /// The maps' nside, channels and targets.
        maps: [u64; 3],
        /// The network's nside, channels and outputs.
        network: [u64; 3],
    },
    /// A training schedule that cannot train (a batch size of 0, …).
    #[error(transparent)]
    Schedule(#[from] crate::schedule::ScheduleError),
    /// Weights or optimizer state that could not be written or read.
    #[error("{path}: {source}")]
    Record {
        /// The file.
        path: PathBuf,
        /// What burn said.
        #[source]
        source: burn::store::RecordError,
    },
    /// The training loss stopped being a finite number.
    #[error(
        "training diverged: the loss became {loss} in epoch {} (lower the learning rate?){}",
        epoch + 1,
        kept.as_ref().map(|d| format!("; the checkpoint of the last good epoch is kept in {}", d.display())).unwrap_or_default()
    )]
    Diverged {
        /// The epoch (from 0).
        epoch: usize,
        /// The loss.
        loss: f64,
        /// The checkpoint folder, when the run keeps one.
        kept: Option<PathBuf>,
    },
    /// A folder that already holds a finished run, given to a new training run.
    #[error("{}: holds a finished run ({marker}); choose another folder", dir.display())]
    FinishedRun {
        /// The run folder.
        dir: PathBuf,
        /// The file that shows the run finished.
        marker: String,
    },
    /// A checkpoint cannot be continued with these settings.
    #[error("{}: cannot resume: {}", dir.display(), differences.join("; "))]
    Resume {
        /// The checkpoint folder.
        dir: PathBuf,
        /// What differs from the checkpointed run (`field: old → new`).
        differences: Vec<String>,
    },
    /// The run stopped early on request ([`crate::engine::Checkpointing::stop_after`]).
    #[error("stopped after epoch {epochs_done} as asked; resume to continue")]
    Interrupted {
        /// Epochs finished.
        epochs_done: usize,
    },
}

impl TrainError {
    /// A file at `path` the system refused.
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        TrainError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Weights or optimizer state at `path` that burn could not write or read.
    pub(crate) fn record(path: &std::path::Path, source: burn::store::RecordError) -> Self {
        TrainError::Record {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What is wrong with a network configuration ([`TrainError::ModelConfig`]).
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// Not a JSON object.
    #[error("the model configuration is not a JSON object")]
    NotAnObject,
    /// A field that has no default is missing.
    #[error("the model configuration lacks `{0}`")]
    Lacks(String),
    /// A dropout probability outside [0, 1) (burn would panic on it).
    #[error("dropout {0} is not a probability in [0, 1)")]
    Dropout(f64),
    /// The JSON does not parse, or does not describe this network.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

/// `Result` with [`TrainError`] as the default error.
pub type Result<T, E = TrainError> = std::result::Result<T, E>;
