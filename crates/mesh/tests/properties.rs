//! Invariants on generated meshes, clustering laws, and bad input.

use proptest::prelude::*;
use tessera_mesh::{
    Aggregate, DualConfig, Keep, MeshGraph, Topology, TriMesh, clean, cluster_faces, generate,
    read_mesh, write_obj,
};

#[test]
fn generated_meshes_have_the_right_topology() {
    for level in 0..3 {
        let t = Topology::of(&generate::icosphere(level));
        assert_eq!(t.euler_characteristic, 2);
        assert_eq!(2 * t.edges, 3 * t.faces);
        assert_eq!(t.genus, Some(0));
    }
    let t = Topology::of(&generate::torus(12, 8));
    assert_eq!((t.euler_characteristic, t.genus), (0, Some(1)));
    let t = Topology::of(&generate::cube());
    assert!(t.is_closed_manifold() && t.genus == Some(0) && t.faces == 12);
    let bowtie = Topology::of(&generate::bowtie());
    assert_eq!((bowtie.nonmanifold_vertices, bowtie.components), (1, 2));
    let fin = generate::fin();
    assert_eq!(Topology::of(&fin).nonmanifold_edges, 1);
    // Cleaning reports the fin's third face and leaves a manifold mesh.
    let (clean_fin, report) = clean(&fin, "fin").unwrap();
    assert_eq!(report.nonmanifold_faces, 1);
    assert_eq!(report.output.nonmanifold_edges, 0);
    assert!(
        MeshGraph::new(&fin, "fin")
            .unwrap_err()
            .to_string()
            .contains("non-manifold")
    );
    assert_eq!(
        MeshGraph::new(&clean_fin, "fin").unwrap().faces.pairs.len(),
        1
    );
}

#[test]
fn dual_nodes_have_at_most_four_neighbours() {
    for mesh in [
        generate::icosphere(2),
        generate::torus(10, 6),
        generate::cube(),
    ] {
        let g = MeshGraph::new(&mesh, "m").unwrap();
        let dual = g.faces.dual(DualConfig::SingleUndirected);
        let mut degree = vec![0; dual.num_nodes];
        for [a, _] in &dual.edges {
            degree[*a as usize] += 1;
        }
        assert!(degree.iter().all(|&d| d == 4), "closed meshes: exactly 4");
    }
}

fn scores_for(n: usize, seed: u64) -> Vec<f64> {
    (0..n)
        .map(|i| ((i as u64 * 2654435761 + seed) % 1000) as f64 / 1000.0)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every face lands in exactly one cluster; keep = 1 is the identity; unpooling broadcasts
    /// cluster values back; pooling twice works on the coarsened graph.
    #[test]
    fn clustering_laws(level in 0u32..3, keep in 0.0f64..1.0, seed in 0u64..1000) {
        let mesh = generate::icosphere(level);
        let g = MeshGraph::new(&mesh, "ico").unwrap();
        let scores = scores_for(g.faces.pairs.len(), seed);
        let c = cluster_faces(&g.faces, &scores, Keep::Fraction(keep)).unwrap();
        prop_assert_eq!(c.face_to_cluster.len(), mesh.faces.len());
        prop_assert!(c.face_to_cluster.iter().all(|&k| (k as usize) < c.graph.num_faces));
        let mut seen = vec![false; c.graph.num_faces];
        for &k in &c.face_to_cluster { seen[k as usize] = true; }
        prop_assert!(seen.iter().all(|&s| s));
        let values: Vec<f64> = (0..c.graph.num_faces).map(|i| i as f64).collect();
        let back = c.unpool_faces(&values, 1);
        prop_assert!(back.iter().zip(&c.face_to_cluster).all(|(v, &k)| *v == k as f64));
        // pool(unpool(x)) = x with the mean.
        prop_assert_eq!(c.pool_faces(&back, 1, Aggregate::Mean), values);
        // A second step on the coarse graph.
        let s2 = scores_for(c.graph.pairs.len(), seed + 1);
        let c2 = cluster_faces(&c.graph, &s2, Keep::Fraction(0.5)).unwrap();
        prop_assert!(c2.graph.num_faces <= c.graph.num_faces);
        // Both steps are valid coarsenings; a tampered one is not.
        prop_assert!(c.validate(&g.faces).is_ok(), "{:?}", c.validate(&g.faces));
        prop_assert!(c2.validate(&c.graph).is_ok());
        if c.graph.num_faces > 1 {
            let mut moved = c.clone();
            let f = moved.face_to_cluster.iter().position(|&k| k == 0).unwrap();
            moved.face_to_cluster[f] = 1;
            prop_assert!(moved.validate(&g.faces).is_err());
        }
        if let Some(p) = c.pair_to_new.iter().position(Option::is_some) {
            let mut lost = c.clone();
            lost.pair_to_new[p] = None;
            prop_assert!(lost.validate(&g.faces).is_err());
        }
        // Same input, same output.
        prop_assert_eq!(&cluster_faces(&g.faces, &scores, Keep::Fraction(keep)).unwrap(), &c);
    }
}

#[test]
fn keep_one_is_the_identity_and_targets_are_met() {
    let mesh = generate::torus(8, 6);
    let g = MeshGraph::new(&mesh, "torus").unwrap();
    let scores = scores_for(g.faces.pairs.len(), 3);
    let id = cluster_faces(&g.faces, &scores, Keep::Fraction(1.0)).unwrap();
    assert_eq!(id.graph, g.faces);
    assert!(
        id.face_to_cluster
            .iter()
            .enumerate()
            .all(|(f, &c)| f as u32 == c)
    );
    let c = cluster_faces(&g.faces, &scores, Keep::Clusters(20)).unwrap();
    assert_eq!(c.graph.num_faces, 20);
    let pairs: Vec<f64> = (0..g.faces.pairs.len()).map(|p| p as f64).collect();
    let pooled = c.pool_pairs(&pairs, 1, Aggregate::Sum);
    assert_eq!(pooled.len(), c.graph.pairs.len());
    let fill = [-1.0];
    let un = c.unpool_pairs(&pooled, 1, &fill);
    assert_eq!(un.len(), g.faces.pairs.len());
    assert!(cluster_faces(&g.faces, &scores[1..], Keep::Fraction(0.5)).is_err());
    assert!(cluster_faces(&g.faces, &scores, Keep::Fraction(1.5)).is_err());
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases = [
        ("empty.obj", "", "no faces"),
        (
            "trunc.obj",
            "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2",
            "trunc.obj:4:",
        ),
        (
            "range.obj",
            "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 7\n",
            "out of range",
        ),
        (
            "nan.obj",
            "v 0 nan 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n",
            "nan.obj:1:",
        ),
        (
            "quad.obj",
            "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n",
            "triangulation",
        ),
        (
            "noprop.ply",
            "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0\n1 0\n0 1\n3 0 1 2\n",
            "no property z",
        ),
        (
            "short.ply",
            "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n",
            "truncated",
        ),
        (
            "bad.ply",
            "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 x 0\n0 1 0\n3 0 1 2\n",
            "bad.ply:11:",
        ),
        ("notply.ply", "hello", "not a PLY"),
        ("mesh.stl", "solid", "unknown mesh format"),
    ];
    for (name, text, want) in cases {
        let p = write(name, text);
        let e = read_mesh(&p, false).unwrap_err().to_string();
        assert!(e.contains(name) && e.contains(want), "{name}: {e}");
    }
    let quad = read_mesh(dir.path().join("quad.obj"), true).unwrap();
    assert_eq!(quad.faces.len(), 2);
    assert!(
        read_mesh(dir.path().join("missing.obj"), false)
            .unwrap_err()
            .to_string()
            .contains("missing.obj")
    );
    // A polygon soup: faces share no edge.
    let soup = write(
        "soup.obj",
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 5 5 5\nv 6 5 5\nv 5 6 5\nf 1 2 3\nf 4 5 6\n",
    );
    let m = read_mesh(&soup, false).unwrap();
    assert!(
        MeshGraph::new(&m, "soup")
            .unwrap_err()
            .to_string()
            .contains("polygon soup")
    );
}

#[test]
fn obj_round_trip_and_coloured_output() {
    let dir = tempfile::tempdir().unwrap();
    let mesh = generate::icosphere(1);
    let p = dir.path().join("ico.obj");
    write_obj(&p, &mesh, None).unwrap();
    let back: TriMesh = read_mesh(&p, false).unwrap();
    assert_eq!(back.faces, mesh.faces);
    let colours = vec![[255u8, 0, 0]; mesh.faces.len()];
    let q = dir.path().join("coloured.obj");
    write_obj(&q, &mesh, Some(&colours)).unwrap();
    let coloured = read_mesh(&q, false).unwrap();
    assert_eq!(coloured.faces.len(), mesh.faces.len());
    let (merged, report) = clean(&coloured, "coloured").unwrap();
    assert_eq!(merged.vertices.len(), mesh.vertices.len());
    assert_eq!(
        report.merged_vertices,
        3 * mesh.faces.len() - mesh.vertices.len()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Corrupted bytes of real OBJ and PLY files give a mesh or an error, never a panic.
    #[test]
    fn corrupted_files_never_panic(pos in 0usize..4000, byte in any::<u8>(), cut in 0usize..4000, ply in any::<bool>()) {
        let src = if ply {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/meshes/fixtures/pd_meshnet/simple_mesh_large.ply")
        } else {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/meshes/msb/ants/train/11.obj")
        };
        let mut bytes = std::fs::read(src).expect("shared fixture");
        let n = bytes.len();
        bytes[pos % n] = byte;
        bytes.truncate(n - cut % n);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(if ply { "x.ply" } else { "x.obj" });
        std::fs::write(&p, &bytes).unwrap();
        if let Ok(m) = read_mesh(&p, true) {
            let _ = clean(&m, "x").map(|(m, _)| MeshGraph::new(&m, "x"));
        }
    }
}

#[test]
fn features_on_known_shapes_and_stats_round_trip() {
    use tessera_mesh::{FeatureStats, meshcnn_features, pd_features};
    // A cube: every edge between two coplanar triangles is flat (π); the 12 box edges are
    // convex: 3π/2 (PD-MeshNet's signed angle) and π/2 (MeshCNN's π − angle between normals).
    let cube = generate::cube();
    let g = MeshGraph::new(&cube, "cube").unwrap();
    let f = pd_features(&cube, &g, DualConfig::SingleUndirected);
    let alphas: Vec<f64> = f.dual.chunks_exact(7).map(|r| r[0]).collect();
    let flat = alphas
        .iter()
        .filter(|a| (*a - std::f64::consts::PI).abs() < 1e-9)
        .count();
    let convex = alphas
        .iter()
        .filter(|a| (*a - 1.5 * std::f64::consts::PI).abs() < 1e-9)
        .count();
    assert_eq!((flat, convex), (6, 12));
    assert!((f.primal.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let m = meshcnn_features(&cube);
    assert_eq!(m.len(), 18);
    assert_eq!(
        m.iter()
            .filter(|r| (r[0] - std::f64::consts::FRAC_PI_2).abs() < 1e-9)
            .count(),
        12
    );
    // Configs B/C: 4 channels per directed edge.
    let fb = pd_features(&cube, &g, DualConfig::DoubleDirected);
    assert_eq!(fb.dual.len(), 4 * 2 * 18);
    // z-scores: fitted on one set, saved, loaded, applied.
    let stats = FeatureStats::fit(7, [f.dual.as_slice()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("stats.json");
    stats.save(&p).unwrap();
    let back = FeatureStats::load(&p).unwrap();
    assert_eq!(back, stats);
    let mut z = f.dual.clone();
    back.apply(&mut z);
    let again = FeatureStats::fit(7, [z.as_slice()]).unwrap();
    assert!(again.mean.iter().all(|m| m.abs() < 1e-9));
    assert!(FeatureStats::fit(7, [&f.dual[..5]]).is_err());
}

/// Configs B/C: directed dual nodes follow their faces' clusters, both directions stay paired,
/// and pooling directed features keeps each direction apart.
#[test]
fn directed_dual_nodes_follow_clusters() {
    let mesh = generate::icosphere(1);
    let g = MeshGraph::new(&mesh, "ico").unwrap();
    let scores = scores_for(g.faces.pairs.len(), 9);
    let c = cluster_faces(&g.faces, &scores, Keep::Fraction(0.6)).unwrap();
    let map = c.directed_to_new(&g.faces);
    assert_eq!(map.len(), 2 * g.faces.pairs.len());
    for (p, &[i, j]) in g.faces.pairs.iter().enumerate() {
        match (map[2 * p], map[2 * p + 1]) {
            (Some(f), Some(b)) => {
                assert_eq!(f ^ 1, b);
                let [a, bb] = c.graph.pairs[(f / 2) as usize];
                let (from, to) = if f % 2 == 0 { (a, bb) } else { (bb, a) };
                assert_eq!(
                    (from, to),
                    (c.face_to_cluster[i as usize], c.face_to_cluster[j as usize])
                );
            }
            (None, None) => {
                assert_eq!(c.face_to_cluster[i as usize], c.face_to_cluster[j as usize])
            }
            other => panic!("directions disagree: {other:?}"),
        }
    }
    let values: Vec<f64> = (0..2 * g.faces.pairs.len())
        .map(|d| (d % 2) as f64)
        .collect();
    let pooled = c.pool_directed(&g.faces, &values, 1, Aggregate::Mean);
    assert_eq!(pooled.len(), 2 * c.graph.pairs.len());
}

/// Turned over by swapping the last two corners, as `orient` does.
fn turned(t: [u32; 3]) -> [u32; 3] {
    [t[0], t[2], t[1]]
}

/// Faces wound against their neighbours are turned over, not dropped; a closed mesh wound
/// inward is turned outward; and a whole mesh, closed or open, wound the other way round
/// cleans to the same faces as the original.
#[test]
fn cleaning_orients_faces_instead_of_dropping_them() {
    let cube = generate::cube();
    let (outward, report) = clean(&cube, "cube").unwrap();
    assert_eq!(report.flipped_faces, 0);
    let mut some = cube.clone();
    for f in [1, 4, 7] {
        some.faces[f] = turned(some.faces[f]);
    }
    let (fixed, report) = clean(&some, "cube").unwrap();
    assert_eq!((report.flipped_faces, report.nonmanifold_faces), (3, 0));
    assert_eq!(fixed.faces, outward.faces);
    assert!(!report.unchanged());
    for mesh in [
        generate::cube(),
        generate::icosphere(2),
        generate::torus(12, 8),
        bent_sheet(),
    ] {
        let (want, _) = clean(&mesh, "mesh").unwrap();
        let mut inside_out = mesh.clone();
        inside_out.faces.iter_mut().for_each(|t| *t = turned(*t));
        let (got, report) = clean(&inside_out, "inside out").unwrap();
        assert_eq!(report.flipped_faces, mesh.faces.len());
        assert_eq!(report.nonmanifold_faces, 0);
        assert_eq!(got.faces, want.faces);
    }
    // Closed meshes come out with a positive volume.
    let volume = |m: &TriMesh| -> f64 {
        m.faces
            .iter()
            .map(|t| {
                let [a, b, c] = t.map(|v| m.vertices[v as usize]);
                a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
                    + a[2] * (b[0] * c[1] - b[1] * c[0])
            })
            .sum()
    };
    assert!(volume(&outward) > 0.0);
}

/// An open surface that bulges: a flat grid lifted into a paraboloid.
fn bent_sheet() -> TriMesh {
    let mut sheet = generate::flat_grid(6);
    for v in &mut sheet.vertices {
        v[2] = -(v[0] * v[0] + v[1] * v[1]);
    }
    sheet
}

/// A PLY written with face colours reads back as the same mesh.
#[test]
fn ply_round_trip_with_colours() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cube.ply");
    let cube = generate::cube();
    let colours: Vec<[u8; 3]> = (0..cube.faces.len()).map(|f| [f as u8, 0, 255]).collect();
    tessera_mesh::write_ply(&path, &cube, Some(&colours)).unwrap();
    assert_eq!(read_mesh(&path, false).unwrap(), cube);
    assert!(tessera_mesh::write_ply(&path, &cube, Some(&colours[1..])).is_err());
}

/// A comment in another encoding (a Latin-1 byte) is skipped like any comment; the same byte
/// in a vertex line is an error naming the line.
#[test]
fn non_utf8_comments_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.obj");
    let mut obj = b"# caf\xe9\nv 0 0 0\nv 1 0 0\r\nv 0 1 0\nf 1 2 3\n".to_vec();
    std::fs::write(&path, &obj).unwrap();
    assert_eq!(read_mesh(&path, false).unwrap().faces, [[0, 1, 2]]);
    obj.extend_from_slice(b"v 0 0 \xe9\n");
    std::fs::write(&path, &obj).unwrap();
    let e = read_mesh(&path, false).unwrap_err().to_string();
    assert!(e.contains("latin1.obj:6"), "{e}");
}

/// A constant channel is z-scored to 0 (its stored scale is 1) and reported with a spread of 0,
/// not 1; statistics saved before `constant` existed still read.
#[test]
fn constant_features_have_no_spread() {
    let values = [1.0, 5.0, 2.0, 5.0, 3.0, 5.0];
    use tessera_mesh::FeatureStats;
    let s = FeatureStats::fit(2, [&values[..]]).unwrap();
    assert_eq!(s.constant, [false, true]);
    assert_eq!((s.std[1], s.spread(1)), (1.0, 0.0));
    assert!((s.spread(0) - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
    let old: FeatureStats =
        serde_json::from_str(r#"{"mean": [0.0], "std": [2.0], "count": 3}"#).unwrap();
    assert_eq!(old.spread(0), 2.0);
}

/// Hostile PLY headers end in a typed error at once, without a huge allocation or a long loop:
/// a face list of length 4e9 in a 219-byte file, an empty element of count 10^12, more elements
/// than the body can hold; and face indices that are not vertex numbers (NaN, 2.7) are refused,
/// not read as 0 and 2.
#[test]
fn hostile_ply_files_are_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let binary = |name: &str, header: &str, body: &[u8]| {
        let path = dir.path().join(name);
        let mut bytes =
            format!("ply\nformat binary_little_endian 1.0\n{header}end_header\n").into_bytes();
        bytes.extend_from_slice(body);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let triangle: Vec<u8> = [0f32, 0., 0., 1., 0., 0., 0., 1., 0.]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let vertices = "element vertex 3\nproperty float x\nproperty float y\nproperty float z\n";
    let started = std::time::Instant::now();
    // A face whose list says 4e9 indices.
    let mut body = triangle.clone();
    body.extend_from_slice(&4_000_000_000u32.to_le_bytes());
    let path = binary(
        "long_list.ply",
        &format!("{vertices}element face 1\nproperty list uint int vertex_indices\n"),
        &body,
    );
    let e = read_mesh(&path, false).unwrap_err().to_string();
    assert!(
        e.contains("long_list.ply") && e.contains("list length 4000000000"),
        "{e}"
    );
    // An element without properties, declared 10^12 times, then the mesh.
    let mut body = triangle.clone();
    body.push(3);
    body.extend([0i32, 1, 2].iter().flat_map(|v| v.to_le_bytes()));
    let path = binary(
        "empty_element.ply",
        &format!(
            "element nothing 1000000000000\n{vertices}element face 1\n\
             property list uchar int vertex_indices\n"
        ),
        &body,
    );
    assert_eq!(read_mesh(&path, false).unwrap().faces, [[0, 1, 2]]);
    // More vertices than the body holds.
    let path = binary(
        "many_vertices.ply",
        "element vertex 1000000000000\nproperty float x\nproperty float y\nproperty float z\n",
        &triangle,
    );
    let e = read_mesh(&path, false).unwrap_err().to_string();
    assert!(e.contains("declares 1000000000000 vertex elements"), "{e}");
    assert!(
        started.elapsed().as_secs_f64() < 5.0,
        "{:?}",
        started.elapsed()
    );
    // Indices that are not vertex numbers.
    for bad in ["nan", "2.7", "-1"] {
        let path = dir.path().join("bad_index.ply");
        let text = format!(
            "ply\nformat ascii 1.0\n{vertices}element face 1\n\
             property list uchar float vertex_indices\nend_header\n\
             0 0 0\n1 0 0\n0 1 0\n3 0 1 {bad}\n"
        );
        std::fs::write(&path, text).unwrap();
        let e = read_mesh(&path, false).unwrap_err().to_string();
        assert!(e.contains("not a vertex number"), "{bad}: {e}");
    }
}
