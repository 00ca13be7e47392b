//! Mesh pipeline benchmarks: the whole MSB folder (load + clean + primal/dual graphs + features),
//! the same for a 100k-face mesh, one clustering step on it, and the optional whole-shape face
//! features (placement, thickness) of one 500-face mesh and the curvature smoothing, the
//! smoothing-flow and the crease-context features of one Cube Engraving mesh. Single thread.
//!
//! `cargo bench -p tessera-mesh --bench mesh` (needs ../shared/data/meshes/msb and
//! cubes_partial).

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use tessera_mesh::{
    DualConfig, Keep, MeshGraph, TriMesh, clean, cluster_faces, face_context, face_flow,
    face_placement, face_thickness, generate, pd_features, read_mesh, smooth,
};

fn msb_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/meshes/msb");
    let mut files = Vec::new();
    for class in std::fs::read_dir(&root).expect("shared MSB folder") {
        for split in ["train", "test"] {
            for f in std::fs::read_dir(class.as_ref().unwrap().path().join(split)).unwrap() {
                files.push(f.unwrap().path());
            }
        }
    }
    files.sort();
    files
}

fn pipeline(mesh: &TriMesh) -> usize {
    let (m, _) = clean(mesh, "bench").unwrap();
    let g = MeshGraph::new(&m, "bench").unwrap();
    let dual = g.faces.dual(DualConfig::SingleUndirected);
    let f = pd_features(&m, &g, DualConfig::SingleUndirected);
    dual.edges.len() + f.dual.len()
}

fn benches(c: &mut Criterion) {
    let files = msb_files();
    c.bench_function("msb_folder_load_clean_graphs_features", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|p| pipeline(&read_mesh(p, false).unwrap()))
                .sum::<usize>()
        })
    });
    let big = generate::torus(400, 125); // 100,000 faces
    assert_eq!(big.faces.len(), 100_000);
    c.bench_function("100k_faces_clean_graphs_features", |b| {
        b.iter(|| pipeline(&big))
    });
    let g = MeshGraph::new(&big, "torus").unwrap();
    let scores: Vec<f64> = (0..g.faces.pairs.len())
        .map(|i| ((i * 7919) % 1000) as f64)
        .collect();
    c.bench_function("100k_faces_cluster_keep_0.8", |b| {
        b.iter(|| {
            cluster_faces(&g.faces, &scores, Keep::Fraction(0.8))
                .unwrap()
                .graph
                .pairs
                .len()
        })
    });
}

/// The whole-shape features of a 500-face torus (the size of the classification meshes).
fn shape_features(c: &mut Criterion) {
    let mesh = generate::torus(25, 10);
    assert_eq!(mesh.faces.len(), 500);
    c.bench_function("500_faces_placement", |b| {
        b.iter(|| face_placement(&mesh).len())
    });
    c.bench_function("500_faces_thickness", |b| {
        b.iter(|| face_thickness(&mesh).len())
    });
    // Curvature smoothing as `--augment-smooth` applies it, on a Cube Engraving mesh (sliver
    // triangles make the linear system stiffer than a torus's).
    let cube = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/meshes/cubes_partial/tree/test/tree_150.obj");
    let cube = read_mesh(&cube, true).expect("shared cubes_partial folder");
    c.bench_function("500_faces_cube_engraving_smooth_0.001", |b| {
        b.iter(|| smooth(&cube, 0.001).vertices.len())
    });
    c.bench_function("500_faces_cube_engraving_flow", |b| {
        b.iter(|| face_flow(&cube).len())
    });
    c.bench_function("500_faces_cube_engraving_context", |b| {
        b.iter(|| face_context(&cube).len())
    });
}

criterion_group! {
    name = mesh;
    config = Criterion::default().sample_size(10);
    targets = benches, shape_features
}
criterion_main!(mesh);
