//! Triangle meshes for primal-dual mesh networks (PD-MeshNet): OBJ/PLY loading, cleaning with a
//! report of every change, the primal graph (faces) and dual graph (adjacent face pairs) in
//! PD-MeshNet's three configurations, input features, and the face clustering that pooling
//! applies. No burn: the learned layers live in `tessera-gnn`.
//!
//! # Example
//! ```
//! use tessera_mesh::{DualConfig, Keep, MeshGraph, clean, cluster_faces, generate, pd_features};
//! let mesh = generate::icosphere(1);                       // 80 faces, closed, genus 0
//! let (mesh, report) = clean(&mesh, "icosphere")?;
//! assert_eq!(report.output.genus, Some(0));
//! let graph = MeshGraph::new(&mesh, "icosphere")?;
//! assert_eq!(graph.faces.pairs.len(), 120);                // E = 3F/2
//! let dual = graph.faces.dual(DualConfig::SingleUndirected);
//! assert_eq!(dual.edges.len(), 4 * 120);                   // 4-regular line graph
//! let feats = pd_features(&mesh, &graph, DualConfig::SingleUndirected);
//! assert_eq!(feats.dual.len(), 7 * 120);
//! let scores = vec![1.0; 120];
//! let pooled = cluster_faces(&graph.faces, &scores, Keep::Fraction(0.8))?;
//! assert_eq!(pooled.contracted.len(), 24);
//! # Ok::<(), tessera_mesh::MeshError>(())
//! ```

pub mod augment;
mod clean;
mod cluster;
mod context;
mod error;
mod features;
mod flow;
mod folder;
pub mod generate;
mod graph;
#[cfg(feature = "petgraph")]
mod interop;
mod io;
mod mesh;
mod placement;
mod ply;
mod render;
pub mod segmentation;
mod smooth;
mod thickness;
mod topology;

pub use augment::{AugmentPart, MeshAugment, random_rotation};
pub use clean::{MeshReport, clean, clean_tracked, orient};
pub use cluster::{Aggregate, Clustering, Keep, cluster_faces};
pub use context::{CONTEXT_CHANNELS, CONTEXT_TIMES, face_context};
pub use error::{MeshError, Result};
pub use features::{
    FeatureStats, PrimalDualFeatures, dihedral_angle, meshcnn_features, pd_features,
};
pub use flow::{FLOW_CHANNELS, FLOW_TIMES, face_flow};
pub use folder::{MeshFolder, MeshItem, Split};
pub use graph::{DualConfig, DualGraph, FaceGraph, MeshGraph};
pub use io::{read_mesh, read_obj, write_obj};
pub use mesh::TriMesh;
pub use placement::{PLACEMENT_CHANNELS, face_placement};
pub use ply::{read_ply, write_ply};
pub use render::{Shading, render_png, render_png_row};
pub use smooth::smooth;
pub use thickness::{THICKNESS_CHANNELS, THICKNESS_NO_HIT, face_thickness};
pub use topology::{EdgeMap, Topology, UnionFind};
