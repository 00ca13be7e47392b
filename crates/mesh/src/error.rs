//! The error type of tessera-mesh.

use std::path::PathBuf;

/// Everything that can go wrong loading or processing a mesh. File errors name the file (and the
/// line, where the format has lines).
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum MeshError {
    /// The operating system refused a file operation.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file could not be parsed.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A mesh without faces.
    #[error("{mesh}: the mesh has no faces")]
    NoFaces {
        /// The mesh (a file name, or a description).
        mesh: String,
    },
    /// A vertex with a NaN or infinite coordinate.
    #[error("{mesh}: vertex {vertex} has a non-finite coordinate {coordinates:?}")]
    NonFiniteVertex {
        /// The mesh.
        mesh: String,
        /// The vertex index (0-based).
        vertex: usize,
        /// Its coordinates.
        coordinates: [f64; 3],
    },
    /// A face that names a vertex the mesh does not have.
    #[error("{mesh}: face {face} uses vertex {vertex}, but there are only {vertices} vertices")]
    VertexOutOfRange {
        /// The mesh.
        mesh: String,
        /// The face index (0-based).
        face: usize,
        /// The vertex it names (0-based).
        vertex: u32,
        /// Vertices the mesh has.
        vertices: usize,
    },
    /// An edge shared by more than two faces, which the face graphs cannot hold.
    #[error("{mesh}: edge {edge:?} has {faces} faces (non-manifold); clean the mesh first")]
    NonManifoldEdge {
        /// The mesh.
        mesh: String,
        /// Its two vertices.
        edge: [u32; 2],
        /// Faces around it.
        faces: usize,
    },
    /// A mesh in which no two faces share an edge.
    #[error("{mesh}: no two faces share an edge (a polygon soup?)")]
    PolygonSoup {
        /// The mesh.
        mesh: String,
    },
    /// Cleaning removed every face.
    #[error("{mesh}: no face survives cleaning (all degenerate or duplicated)")]
    NothingSurvivesCleaning {
        /// The mesh.
        mesh: String,
    },
    /// Per-face values (colours, shading values) whose number is not the mesh's face count.
    #[error("{what}: {found} {items} for {faces} faces")]
    PerFaceCount {
        /// The picture or file being made.
        what: String,
        /// What the values are (`colours`, `values`).
        items: &'static str,
        /// Values given.
        found: usize,
        /// Faces of the mesh.
        faces: usize,
    },
    /// Clustering scores whose number is not the primal graph's edge count.
    #[error("face clustering: {scores} scores for {edges} primal edges")]
    ScoreCount {
        /// Scores given.
        scores: usize,
        /// Primal edges (adjacent face pairs).
        edges: usize,
    },
    /// A NaN clustering score.
    #[error("face clustering: score of primal edge {edge} is NaN")]
    NanScore {
        /// The primal edge.
        edge: usize,
    },
    /// A clustering whose maps break an invariant of face-cluster pooling (a bug in what built
    /// it, not a property of the mesh).
    #[error("face clustering breaks an invariant: {detail}")]
    BrokenClustering {
        /// The first violation.
        detail: String,
    },
    /// Feature arrays whose length is not a multiple of the channel count.
    #[error("feature statistics: {values} values is not a multiple of {channels} channels")]
    FeatureChannels {
        /// Values in the array.
        values: usize,
        /// Channels per face.
        channels: usize,
    },
    /// Feature statistics asked of no rows.
    #[error("feature statistics: no rows to compute statistics from")]
    NoFeatureRows,
    /// A data set folder with nothing of what its layout needs.
    #[error("{root}: no {missing} (expected {layout})")]
    NothingFound {
        /// The folder.
        root: PathBuf,
        /// What is missing.
        missing: &'static str,
        /// The layout expected.
        layout: &'static str,
    },
    /// A mesh file outside the layout that locates its label files.
    #[error("{path}: not in a {layout} layout")]
    NotInLayout {
        /// The mesh file.
        path: PathBuf,
        /// The layout expected.
        layout: &'static str,
    },
    /// A part-names file that names no part.
    #[error("{path}: names no part (one part per line)")]
    NoParts {
        /// The file.
        path: PathBuf,
    },
    /// A picture asked to draw nothing.
    #[error("{path}: nothing to draw (no shading)")]
    NothingToDraw {
        /// The picture.
        path: PathBuf,
    },
    /// A setting that cannot work (a negative strength, a fraction of 1 or more…).
    #[error("{name} {value} must be {must_be}")]
    Setting {
        /// What the setting is.
        name: String,
        /// The value given.
        value: f64,
        /// What it must be.
        must_be: &'static str,
    },
}

/// `Result` with [`MeshError`] as the default error.
pub type Result<T, E = MeshError> = std::result::Result<T, E>;
