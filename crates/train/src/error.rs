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
    /// Settings that cannot work together.
    #[error("{0}")]
    Config(String),
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

/// `Result` with [`TrainError`] as the default error.
pub type Result<T, E = TrainError> = std::result::Result<T, E>;
