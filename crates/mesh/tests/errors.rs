//! A caller can match each kind of unusable mesh or argument, with the values in it.

use tessera_mesh::{Keep, MeshError, MeshGraph, TriMesh, cluster_faces};

fn tetrahedron() -> TriMesh {
    let vertices = vec![
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
    ];
    let faces = vec![[0, 2, 1], [0, 1, 3], [1, 2, 3], [0, 3, 2]];
    TriMesh::new(vertices, faces, "tetrahedron").unwrap()
}

#[test]
fn unusable_meshes_are_named_with_their_values() {
    assert!(matches!(
        TriMesh::new(vec![[0.0; 3]; 3], vec![], "empty"),
        Err(MeshError::NoFaces { mesh }) if mesh == "empty"
    ));
    let err = TriMesh::new(
        vec![[0.0; 3], [1.0, f64::NAN, 0.0], [0.0, 1.0, 0.0]],
        vec![[0, 1, 2]],
        "nan.obj",
    )
    .unwrap_err();
    assert!(matches!(err, MeshError::NonFiniteVertex { vertex: 1, .. }));
    assert!(err.to_string().starts_with("nan.obj: vertex 1"), "{err}");
    assert!(matches!(
        TriMesh::new(vec![[0.0; 3]; 3], vec![[0, 1, 7]], "bad.obj"),
        Err(MeshError::VertexOutOfRange {
            face: 0,
            vertex: 7,
            vertices: 3,
            ..
        })
    ));
}

#[test]
fn clustering_arguments_carry_their_values() {
    let mesh = tetrahedron();
    let graph = MeshGraph::new(&mesh, "tetrahedron").unwrap();
    let edges = graph.faces.pairs.len();
    assert_eq!(edges, 6);
    assert!(matches!(
        cluster_faces(&graph.faces, &[1.0; 4], Keep::Fraction(0.5)),
        Err(MeshError::ScoreCount {
            scores: 4,
            edges: 6
        })
    ));
    let mut scores = vec![1.0; edges];
    scores[3] = f64::NAN;
    assert!(matches!(
        cluster_faces(&graph.faces, &scores, Keep::Fraction(0.5)),
        Err(MeshError::NanScore { edge: 3 })
    ));
    let err = cluster_faces(&graph.faces, &[1.0; 6], Keep::Fraction(1.5)).unwrap_err();
    assert!(matches!(err, MeshError::Setting { value, .. } if value == 1.5));
    assert_eq!(err.to_string(), "keep fraction 1.5 must be in [0, 1]");
}
