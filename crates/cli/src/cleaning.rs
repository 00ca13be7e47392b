//! What cleaning changed, told once per command and written out per mesh.

use std::path::{Path, PathBuf};

use anyhow::Result;
use tessera_mesh::MeshReport;

use crate::sim::write_text;

/// One line over many meshes: how many changed, faces turned over, faces dropped, vertices
/// merged.
pub fn summary<'a>(reports: impl IntoIterator<Item = &'a MeshReport>) -> String {
    let (mut meshes, mut changed, mut turned, mut dropped, mut merged) = (0, 0, 0, 0, 0);
    for r in reports {
        meshes += 1;
        changed += usize::from(!r.unchanged());
        turned += r.flipped_faces;
        dropped += r.input.faces - r.output.faces;
        merged += r.merged_vertices;
    }
    format!(
        "cleaning changed {changed} of {meshes} meshes: {turned} faces turned over, {dropped} \
         dropped, {merged} vertices merged (cleaning.csv)"
    )
}

/// `cleaning.csv`: one row per mesh with each kind of change.
pub fn write_csv<'a>(
    path: &Path,
    rows: impl IntoIterator<Item = (&'a PathBuf, &'a MeshReport)>,
) -> Result<()> {
    let mut csv = String::from(
        "file,faces_in,faces_out,turned_over,repeated_vertex,zero_area,duplicate,\
         nonmanifold_or_not_orientable,merged_vertices\n",
    );
    for (file, r) in rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            file.display(),
            r.input.faces,
            r.output.faces,
            r.flipped_faces,
            r.repeated_vertex_faces,
            r.zero_area_faces,
            r.duplicate_faces,
            r.nonmanifold_faces,
            r.merged_vertices
        ));
    }
    write_text(path, &csv)
}
