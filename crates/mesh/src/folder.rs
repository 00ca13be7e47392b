//! Datasets in MeshCNN's folder layout: `<root>/<class>/{train,test}/*.obj|*.ply`.

use std::path::{Path, PathBuf};

use crate::error::{MeshError, Result};

/// The layout of a classification folder, as error messages state it.
const CLASS_LAYOUT: &str = "<root>/<class>/{train,test}/*.obj";

/// Which split a mesh belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Split {
    /// `train/`.
    Train,
    /// `test/`.
    Test,
}

/// One mesh file of a dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct MeshItem {
    /// The file.
    pub path: PathBuf,
    /// Index into [`MeshFolder::classes`].
    pub class: usize,
    /// Its split.
    pub split: Split,
}

/// A dataset folder: class names (sorted) and every mesh file, in a stable order.
#[derive(Clone, Debug, PartialEq)]
pub struct MeshFolder {
    /// The root folder.
    pub root: PathBuf,
    /// Class names, sorted (the class index is the position here).
    pub classes: Vec<String>,
    /// Meshes, sorted by class, split and file name.
    pub items: Vec<MeshItem>,
}

fn io(path: &Path, e: std::io::Error) -> MeshError {
    MeshError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

impl MeshFolder {
    /// Lists a MeshCNN-layout folder.
    ///
    /// # Errors
    /// A missing or unreadable folder, no class folders, or no `.obj`/`.ply` file at all.
    pub fn open(root: impl AsRef<Path>) -> Result<Self> {
        let root = root.as_ref();
        let mut classes: Vec<String> = std::fs::read_dir(root)
            .map_err(|e| io(root, e))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        classes.sort();
        if classes.is_empty() {
            return Err(MeshError::NothingFound {
                root: root.to_path_buf(),
                missing: "class folders",
                layout: CLASS_LAYOUT,
            });
        }
        let mut items = Vec::new();
        for (c, name) in classes.iter().enumerate() {
            for (split, dir) in [(Split::Train, "train"), (Split::Test, "test")] {
                let d = root.join(name).join(dir);
                if !d.is_dir() {
                    continue;
                }
                let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
                    .map_err(|e| io(&d, e))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                            x.eq_ignore_ascii_case("obj") || x.eq_ignore_ascii_case("ply")
                        })
                    })
                    .collect();
                files.sort();
                items.extend(files.into_iter().map(|path| MeshItem {
                    path,
                    class: c,
                    split,
                }));
            }
        }
        if items.is_empty() {
            return Err(MeshError::NothingFound {
                root: root.to_path_buf(),
                missing: ".obj or .ply files under <class>/train or <class>/test",
                layout: CLASS_LAYOUT,
            });
        }
        Ok(MeshFolder {
            root: root.to_path_buf(),
            classes,
            items,
        })
    }

    /// The items of one split.
    pub fn split(&self, split: Split) -> impl Iterator<Item = &MeshItem> {
        self.items.iter().filter(move |i| i.split == split)
    }
}
