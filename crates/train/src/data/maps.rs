//! Sets of HEALPix maps with targets, as the sphere CNN reads them: NESTED order, pixel-major
//! with the channels of a pixel side by side, masked (UNSEEN) pixels as 0.
//!
//! Maps come from the spherical MNIST projector, or from folders of FITS maps with a
//! `params.csv` of targets (`file,<target>…`, as `tessera sim` writes it) — users' own
//! simulations included.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tessera_healpix::Scheme;
use tessera_sky::{ReadOptions, SkyMap, UdGradeOptions, is_unseen, read_map};

use crate::error::{Result, TrainError};

/// What the network predicts for each map.
#[derive(Clone, Debug, PartialEq)]
pub enum MapTargets {
    /// One class per map.
    Classes {
        /// Class index of each map.
        labels: Vec<usize>,
        /// Class names, by index.
        names: Vec<String>,
    },
    /// Real parameters, `names.len()` per map.
    Values {
        /// `len × names.len()` values.
        values: Vec<f64>,
        /// Parameter names (`ell_p`, `tau`…).
        names: Vec<String>,
    },
}

impl MapTargets {
    /// Outputs of a network trained on these targets.
    pub fn outputs(&self) -> usize {
        match self {
            MapTargets::Classes { names, .. } | MapTargets::Values { names, .. } => names.len(),
        }
    }
}

/// The Stokes fields a network reads, in channel order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MapFields {
    /// Temperature (or the only field of a one-field map).
    T,
    /// Q and U (fields 1 and 2 of a T/Q/U map).
    QU,
    /// T, Q and U.
    TQU,
}

impl MapFields {
    /// Field positions in a T/Q/U file.
    pub fn indices(self) -> &'static [usize] {
        match self {
            MapFields::T => &[0],
            MapFields::QU => &[1, 2],
            MapFields::TQU => &[0, 1, 2],
        }
    }

    /// Number of channels.
    pub fn channels(self) -> usize {
        self.indices().len()
    }
}

/// Maps and their targets.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSet {
    /// Resolution of every map.
    pub nside: u64,
    /// Channels per pixel.
    pub channels: usize,
    /// `len × npix × channels` values, NESTED.
    pub maps: Vec<f32>,
    /// The targets.
    pub targets: MapTargets,
    /// A name per map (its file, or `digit-<i>`).
    pub ids: Vec<String>,
}

impl MapSet {
    /// Number of maps.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// No maps.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Values per map.
    pub fn map_len(&self) -> usize {
        12 * (self.nside * self.nside) as usize * self.channels
    }

    /// Map `i`.
    pub fn map(&self, i: usize) -> &[f32] {
        let n = self.map_len();
        &self.maps[i * n..(i + 1) * n]
    }

    /// The maps `idx` (in that order) with their targets and names.
    pub fn subset(&self, idx: &[usize]) -> MapSet {
        let targets = match &self.targets {
            MapTargets::Classes { labels, names } => MapTargets::Classes {
                labels: idx.iter().map(|&i| labels[i]).collect(),
                names: names.clone(),
            },
            MapTargets::Values { values, names } => {
                let k = names.len();
                MapTargets::Values {
                    values: idx
                        .iter()
                        .flat_map(|&i| values[i * k..(i + 1) * k].iter().copied())
                        .collect(),
                    names: names.clone(),
                }
            }
        };
        MapSet {
            nside: self.nside,
            channels: self.channels,
            maps: idx
                .iter()
                .flat_map(|&i| self.map(i).iter().copied())
                .collect(),
            targets,
            ids: idx.iter().map(|&i| self.ids[i].clone()).collect(),
        }
    }
}

/// How a folder's maps are labelled.
#[derive(Clone, Debug, PartialEq)]
pub enum FolderTarget {
    /// The named columns of `params.csv` (regression).
    Columns(Vec<String>),
    /// The folder a map sits in is its class (`e_train/`, `b_train/` → classes `e`, `b`); class
    /// names are the folder names without a `_train`/`_test` suffix, so train and test agree.
    Folder,
}

/// A map of `map`'s fields at `nside` as the network reads it: NESTED, channels interleaved,
/// missing pixels (UNSEEN, and NaN as healpy counts it) as 0, and with `mask_channel` one more
/// channel that is 1 where every field is seen and 0 elsewhere (so the network can tell a cut
/// pixel from a zero). A map at a finer resolution is degraded (`ud_grade`, mean of seen children)
/// when `degrade` is set.
///
/// # Errors
/// [`TrainError::Data`] naming `what` for a wrong nside, missing fields, or non-finite values.
pub fn network_input(
    map: &SkyMap,
    fields: MapFields,
    mask_channel: bool,
    nside: u64,
    degrade: bool,
    what: &Path,
) -> Result<Vec<f32>> {
    let bad = |message: String| TrainError::Data {
        path: what.to_path_buf(),
        line: None,
        message,
    };
    let mut map = std::borrow::Cow::Borrowed(map);
    if map.nside() != nside {
        if !(degrade && map.nside() > nside) {
            return Err(bad(format!(
                "a map at nside {} for a network trained at nside {nside}{}",
                map.nside(),
                if map.nside() > nside {
                    " (ask to degrade it)"
                } else {
                    ""
                }
            )));
        }
        map = std::borrow::Cow::Owned(map.ud_grade(nside, UdGradeOptions::default())?);
    }
    let wanted = fields.indices();
    let needed = wanted.iter().max().expect("at least one field") + 1;
    if map.fields.len() < needed || (fields == MapFields::T && map.fields.len() == 2) {
        return Err(bad(format!(
            "{} field(s), the network reads {:?} (T/Q/U maps have 3 fields)",
            map.fields.len(),
            fields
        )));
    }
    let nested = if map.scheme() == Scheme::Nested {
        map
    } else {
        std::borrow::Cow::Owned(map.reorder(Scheme::Nested)?)
    };
    let npix = 12 * (nside * nside) as usize;
    let width = wanted.len() + usize::from(mask_channel);
    let mut out = vec![0.0f32; npix * width];
    if mask_channel {
        for p in 0..npix {
            out[p * width + wanted.len()] = 1.0;
        }
    }
    for (c, &f) in wanted.iter().enumerate() {
        for (p, &v) in nested.fields[f].values.iter().enumerate() {
            if is_unseen(v) {
                if mask_channel {
                    out[p * width + wanted.len()] = 0.0;
                }
                continue;
            }
            if !v.is_finite() {
                return Err(bad(format!("pixel {p} of field {f} is {v}")));
            }
            out[p * width + c] = v as f32;
        }
    }
    Ok(out)
}

/// The largest target magnitude `params.csv` may hold (their squares must stay finite).
const MAX_TARGET: f64 = 1e150;

/// `params.csv` of a folder: file names and the named columns (read by
/// [`tessera_io::Table`]: a byte-order mark, quoted cells and commas inside quotes are fine).
fn read_params(dir: &Path, columns: &[String]) -> Result<Vec<(String, Vec<f64>)>> {
    let as_train = |e: tessera_io::TableError| TrainError::Data {
        path: e.path,
        line: e.line,
        message: e.message,
    };
    let table = tessera_io::Table::read(dir.join("params.csv")).map_err(as_train)?;
    if table.header().first().map(String::as_str) != Some("file") {
        return Err(TrainError::Data {
            path: table.path().to_path_buf(),
            line: Some(1),
            message: "the first column must be `file`".into(),
        });
    }
    let files = table.strings("file").map_err(as_train)?;
    // Squares of the targets are summed for their scale: keep them finite.
    let values: Vec<Vec<f64>> = columns
        .iter()
        .map(|c| table.numbers(c, MAX_TARGET))
        .collect::<std::result::Result<_, _>>()
        .map_err(as_train)?;
    Ok(files
        .into_iter()
        .enumerate()
        .map(|(row, file)| (file.to_string(), values.iter().map(|v| v[row]).collect()))
        .collect())
}

/// The class name of a folder: its name without a `_train`/`_test`/`-train`/`-test` suffix.
pub fn folder_class(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    for suffix in ["_train", "_test", "-train", "-test"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return stem.to_string();
        }
    }
    name
}

impl MapSet {
    /// Reads the maps listed in the `params.csv` of each folder (in parallel), with targets from
    /// its columns or from the folders themselves (see [`FolderTarget`]), as [`network_input`]
    /// makes them. `classes` fixes the
    /// class order (pass the training set's names when reading a test set).
    ///
    /// # Errors
    /// A missing folder or `params.csv`, a listed map that cannot be read or has the wrong
    /// nside or fields, an empty folder, a test folder whose class the training set lacks.
    pub fn read_folders(
        dirs: &[PathBuf],
        target: &FolderTarget,
        fields: MapFields,
        mask_channel: bool,
        nside: u64,
        classes: Option<&[String]>,
    ) -> Result<MapSet> {
        let mut class_names: Vec<String> = classes.map(<[String]>::to_vec).unwrap_or_default();
        let (mut maps, mut ids, mut labels, mut values) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for dir in dirs {
            if !dir.is_dir() {
                return Err(TrainError::Data {
                    path: dir.clone(),
                    line: None,
                    message: "no such folder".into(),
                });
            }
            let columns = match target {
                FolderTarget::Columns(c) => c.clone(),
                FolderTarget::Folder => Vec::new(),
            };
            let rows = read_params(dir, &columns)?;
            if rows.is_empty() {
                return Err(TrainError::Data {
                    path: dir.join("params.csv"),
                    line: None,
                    message: "lists no maps".into(),
                });
            }
            let read: Vec<Vec<f32>> = rows
                .par_iter()
                .map(|(file, _)| {
                    let path = dir.join(file);
                    let map = read_map(&path, &ReadOptions::default())?;
                    network_input(&map, fields, mask_channel, nside, false, &path)
                })
                .collect::<Result<_>>()?;
            maps.extend(read.into_iter().flatten());
            if *target == FolderTarget::Folder {
                let class = folder_class(dir);
                let label = match class_names.iter().position(|c| *c == class) {
                    Some(l) => l,
                    None if classes.is_none() => {
                        class_names.push(class);
                        class_names.len() - 1
                    }
                    None => {
                        return Err(TrainError::Data {
                            path: dir.clone(),
                            line: None,
                            message: format!("class `{class}` is not one of {class_names:?}"),
                        });
                    }
                };
                labels.extend(std::iter::repeat_n(label, rows.len()));
            }
            for (file, v) in rows {
                ids.push(dir.join(file).display().to_string());
                values.extend(v);
            }
        }
        let targets = match target {
            FolderTarget::Columns(names) => MapTargets::Values {
                values,
                names: names.clone(),
            },
            FolderTarget::Folder => MapTargets::Classes {
                labels,
                names: class_names,
            },
        };
        Ok(MapSet {
            nside,
            channels: fields.channels() + usize::from(mask_channel),
            maps,
            targets,
            ids,
        })
    }
}

#[cfg(test)]
mod params_tests {
    use super::*;

    /// A spreadsheet's params.csv (byte-order mark, quoted cells) reads; targets whose squares
    /// overflow, or that are not finite, are refused naming the line and column.
    #[test]
    fn params_csv_as_spreadsheets_write_it() {
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| std::fs::write(dir.path().join("params.csv"), text).unwrap();
        write(
            "\u{feff}\"file\",\"tau\"\n\"map_0.fits\",\"0.05\"\nmap_1.fits,0.07\n\"a,b.fits\",1\n",
        );
        let rows = read_params(dir.path(), &["tau".to_string()]).unwrap();
        assert_eq!(
            rows,
            vec![
                ("map_0.fits".into(), vec![0.05]),
                ("map_1.fits".into(), vec![0.07]),
                ("a,b.fits".into(), vec![1.0])
            ]
        );
        for bad in ["1e308", "-1e308", "inf", "NaN"] {
            write(&format!("file,tau\nmap_0.fits,{bad}\n"));
            let e = read_params(dir.path(), &["tau".to_string()])
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("params.csv:2") && e.contains("tau"),
                "{bad}: {e}"
            );
        }
    }
}
