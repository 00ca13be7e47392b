//! The error type of tessera-gnn.

/// Invalid graphs or batches, found on the CPU before anything reaches a device.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GraphError {
    /// A graph, a batch or a layer input that cannot be used.
    #[error("{what}: {detail}")]
    Invalid {
        /// Which graph or input.
        what: String,
        /// What is wrong.
        detail: String,
    },
}

/// `Result` with [`GraphError`] as the default error.
pub type Result<T, E = GraphError> = std::result::Result<T, E>;
