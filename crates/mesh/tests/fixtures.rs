//! The shared mesh data: PD-MeshNet's fixtures and every MSB / Cube Engraving mesh.

use std::f64::consts::PI;
use std::path::PathBuf;

use tessera_mesh::{
    DualConfig, MeshGraph, Topology, clean, dihedral_angle, pd_features, read_mesh,
};

fn shared(rel: &str) -> PathBuf {
    let base = std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let p = base.join(rel);
    assert!(
        p.exists(),
        "shared fixture {} not found (set TESSERA_SHARED_DATA)",
        p.display()
    );
    p
}

#[test]
fn two_face_dihedral_angles() {
    for (name, want) in [
        ("90", PI / 2.0),
        ("135", 0.75 * PI),
        ("225", 1.25 * PI),
        ("315", 1.75 * PI),
    ] {
        let path = shared(&format!(
            "meshes/fixtures/pd_meshnet/two_faces_{name}_deg.ply"
        ));
        // As wound in the file: cleaning turns the pair outward, which makes the 90° and 270°
        // files (the same two faces wound the other way round) alike.
        let mesh = read_mesh(&path, false).unwrap();
        let g = MeshGraph::new(&mesh, name).unwrap();
        assert_eq!(g.faces.pairs.len(), 1);
        let [a, b] = g.sides[0];
        let alpha = dihedral_angle(&mesh, a, b);
        assert!((alpha - want).abs() < 1e-6, "{name}: {alpha} vs {want}");
        assert!(
            (dihedral_angle(&mesh, b, a) - want).abs() < 1e-6,
            "{name} is symmetric"
        );
        let f = pd_features(&mesh, &g, DualConfig::SingleUndirected);
        assert_eq!(f.dual[0], alpha);
    }
}

#[test]
fn simple_mesh_graph_counts() {
    let path = shared("meshes/fixtures/pd_meshnet/simple_mesh.ply");
    let (mesh, _) = clean(&read_mesh(&path, false).unwrap(), "simple").unwrap();
    assert_eq!(mesh.faces.len(), 8);
    let g = MeshGraph::new(&mesh, "simple").unwrap();
    assert_eq!(g.faces.directed_edges().len(), 18);
    let a = g.faces.dual(DualConfig::SingleUndirected);
    assert_eq!((a.num_nodes, a.edges.len()), (9, 24));
    assert_eq!(g.faces.dual(DualConfig::DoubleUndirected).edges.len(), 48);
    assert_eq!(g.faces.dual(DualConfig::DoubleDirected).edges.len(), 24);
    let large = shared("meshes/fixtures/pd_meshnet/simple_mesh_large.ply");
    let (mesh, _) = clean(&read_mesh(&large, false).unwrap(), "large").unwrap();
    assert_eq!(mesh.faces.len(), 14);
    assert_eq!(
        MeshGraph::new(&mesh, "large").unwrap().faces.pairs.len(),
        21
    );
}

/// Every mesh of the shared folders loads, cleaning changes nothing, and the report agrees with
/// the README: no non-manifold edges anywhere, cube meshes closed with genus 0.
#[test]
fn every_shared_mesh_loads_and_reports() {
    let (mut count, mut flipped, mut nonmanifold_vertices) = (0, 0, 0);
    let (mut turned, mut turned_meshes) = (0, 0);
    for set in ["msb", "cubes_partial"] {
        let root = shared(&format!("meshes/{set}"));
        let mut files: Vec<PathBuf> = Vec::new();
        for class in std::fs::read_dir(&root).unwrap() {
            for split in ["train", "test"] {
                let dir = class.as_ref().unwrap().path().join(split);
                for f in std::fs::read_dir(&dir).unwrap() {
                    files.push(f.unwrap().path());
                }
            }
        }
        for path in files {
            let mesh = read_mesh(&path, false).unwrap_or_else(|e| panic!("{e}"));
            let (clean_mesh, report) = clean(&mesh, &path.display().to_string()).unwrap();
            let t: &Topology = &report.output;
            assert_eq!(report.input.nonmanifold_edges, 0, "{}", path.display());
            assert_eq!(t.nonmanifold_edges, 0, "{}", path.display());
            nonmanifold_vertices += t.nonmanifold_vertices;
            flipped += report.nonmanifold_faces;
            turned += report.flipped_faces;
            turned_meshes += usize::from(report.flipped_faces > 0);
            if set == "cubes_partial" {
                // As read (cleaning may drop a flipped face and open a hole).
                let i = &report.input;
                assert!(i.is_closed_manifold(), "{}: {i:?}", path.display());
                assert_eq!(i.genus, Some(0), "{}", path.display());
                assert_eq!(2 * i.edges, 3 * i.faces);
            }
            let g = MeshGraph::new(&clean_mesh, "x").unwrap();
            assert_eq!(g.faces.pairs.len(), t.edges - t.boundary_edges);
            count += 1;
        }
    }
    assert_eq!(count, 202 + 52 + 337 + 60);
    // A few MSB faces are wound against their neighbours: cleaning turns them over. A few
    // others sit where a surface cannot be oriented (a fold of a scan): those are dropped, as
    // before. No mesh is turned over as a whole (each is already wound outward).
    assert!(turned > 0 && turned < 20, "{turned} faces turned");
    assert!(turned_meshes < 10, "{turned_meshes} meshes turned");
    assert!(flipped < 20, "{flipped} faces dropped");
    eprintln!(
        "{turned} faces turned over in {turned_meshes} meshes, {flipped} dropped, {nonmanifold_vertices} non-manifold vertices reported"
    );
    for f in ["airplane", "ant", "nut", "sphere"] {
        let path = shared(&format!("meshes/fixtures/pyvista/{f}.ply"));
        let mesh = read_mesh(&path, false).unwrap_or_else(|e| panic!("{e}"));
        let (_, report) = clean(&mesh, f).unwrap();
        assert!(report.output.faces > 800, "{f}");
    }
}

#[test]
fn meshcnn_folder_layout() {
    use tessera_mesh::{MeshFolder, Split};
    let f = MeshFolder::open(shared("meshes/msb")).unwrap();
    assert_eq!(f.classes.len(), 10);
    assert_eq!(f.classes[0], "ants");
    assert_eq!(f.split(Split::Train).count(), 202);
    assert_eq!(f.split(Split::Test).count(), 52);
    let missing = MeshFolder::open("/definitely/not/here")
        .unwrap_err()
        .to_string();
    assert!(missing.contains("/definitely/not/here"), "{missing}");
    let empty = tempfile::tempdir().unwrap();
    assert!(
        MeshFolder::open(empty.path())
            .unwrap_err()
            .to_string()
            .contains("no class folders")
    );
}

/// Every COSEG mesh loads with its labels: one label per edge in MeshCNN's order, soft labels
/// that sum to 1, a part for every face, every part present, and few faces whose three edges
/// disagree.
#[test]
fn coseg_labels_load_and_vote() {
    use tessera_mesh::segmentation::{SegmentationFolder, read_segmented};
    for (set, parts, meshes) in [("aliens", 4, 198), ("chairs", 3, 397), ("vases", 4, 297)] {
        let folder = SegmentationFolder::open(shared(&format!("meshes/coseg/{set}"))).unwrap();
        assert_eq!(
            (folder.parts.len(), folder.meshes.len()),
            (parts, meshes),
            "{set}"
        );
        let mut seen = vec![0usize; parts];
        let (mut faces, mut mixed) = (0, 0);
        for (path, _) in &folder.meshes {
            let m = read_segmented(path, parts).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(m.face_labels.len(), m.mesh.faces.len());
            assert_eq!(m.report.nonmanifold_faces, 0, "{}", path.display());
            let soft = m.edge_labels.soft.as_ref().unwrap();
            for row in soft.chunks(parts) {
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-3);
            }
            for (f, &l) in m.face_labels.iter().enumerate() {
                seen[l as usize] += 1;
                let e = m.edges.face_edges[m.file_faces[f] as usize];
                mixed += usize::from(!e.iter().any(|&e| m.edge_labels.hard[e as usize] == l));
            }
            faces += m.mesh.faces.len();
        }
        assert!(seen.iter().all(|&n| n > 0), "{set}: {seen:?}");
        assert!(mixed * 100 < faces, "{set}: {mixed} of {faces} faces");
    }
}

/// Turning every face of every MSB test mesh over (the same meshes wound the other way round)
/// changes nothing after cleaning: the same faces, so the same features and the same
/// predictions from any trained network.
#[test]
fn msb_meshes_wound_the_other_way_clean_to_the_same_faces() {
    let folder = tessera_mesh::MeshFolder::open(shared("meshes/msb")).unwrap();
    let mut count = 0;
    for item in folder.split(tessera_mesh::Split::Test) {
        let mesh = read_mesh(&item.path, false).unwrap();
        let mut turned = mesh.clone();
        turned
            .faces
            .iter_mut()
            .for_each(|t| *t = [t[0], t[2], t[1]]);
        let (want, _) = clean(&mesh, "as read").unwrap();
        let (got, _) = clean(&turned, "turned over").unwrap();
        assert!(got == want, "{}", item.path.display());
        count += 1;
    }
    assert_eq!(count, 52);
}
