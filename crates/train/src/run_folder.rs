//! The run folder every training command writes, and the one place its files are named:
//! `run.json` (what the run was, serialised by its owner) beside `model.bpk` (the weights),
//! `report.json` (the figures), `history.csv` (one row per epoch), `predictions.csv` (one row
//! per test item) and `checkpoint/` (what `--resume` continues from). Every file is written
//! through a temporary file renamed into place.

use std::path::{Path, PathBuf};

use burn::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::{Checkpointing, History};
use crate::error::{ConfigProblem, Result, TrainError};

/// The run's description file.
pub const RUN_FILE: &str = "run.json";
/// The run's weights.
pub const MODEL_FILE: &str = "model.bpk";
/// The figures of a finished run (what `tessera report` and `tessera eval` print).
pub const REPORT_FILE: &str = "report.json";
/// One row per epoch ([`History::write_csv`]).
pub const HISTORY_FILE: &str = "history.csv";
/// One row per test item: its truth and the prediction.
pub const PREDICTIONS_FILE: &str = "predictions.csv";
/// The settings of a cross-validation (which keeps no `run.json` unless a final network is
/// trained).
pub const CONFIG_FILE: &str = "config.json";
/// A cross-validation's training loss and held-out accuracy per fold and epoch.
pub const FOLD_LOSSES_FILE: &str = "loss.csv";
/// What cleaning did to each mesh of a mesh run (faces re-oriented, dropped, vertices merged).
pub const CLEANING_FILE: &str = "cleaning.csv";
/// The checkpoints of a run, kept after every epoch until it finishes.
pub const CHECKPOINT_DIR: &str = "checkpoint";

/// The folder of one training run. Training commands open it with [`RunFolder::for_training`]
/// (which refuses a folder holding a finished run) and write their results through it, so that
/// every run folder has the same files under the same names, each written atomically.
///
/// ```
/// use tessera_train::{REPORT_FILE, RunFolder};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let folder = RunFolder::for_training(dir.path().join("run"))?;
/// folder.write_report(&serde_json::json!({"accuracy": 0.9}))?;
/// assert!(folder.file(REPORT_FILE).exists());
/// // The folder now holds a finished run: a second training into it is refused.
/// assert!(RunFolder::for_training(dir.path().join("run")).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RunFolder {
    dir: PathBuf,
}

impl RunFolder {
    /// The run folder at `dir`, for a run about to train: refused when it already holds a
    /// finished run (its `run.json` or `report.json`), before any data is read, since training
    /// into it would mix two runs' files. A folder with only a checkpoint is accepted (that is
    /// what `--resume` continues). The folder is created by the first file written into it, so
    /// a run refused for its settings leaves nothing behind.
    ///
    /// # Errors
    /// [`TrainError::FinishedRun`].
    pub fn for_training(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        if let Some(marker) = [RUN_FILE, REPORT_FILE]
            .into_iter()
            .find(|m| dir.join(m).exists())
        {
            return Err(TrainError::FinishedRun {
                dir,
                marker: marker.to_string(),
            });
        }
        Ok(RunFolder { dir })
    }

    /// The run folder at `dir` as it is (to read, or to redraw its pictures).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        RunFolder { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the folder's file `name` (one of this module's `*_FILE` names, or a
    /// picture's).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Checkpoints in `checkpoint/` for a run described by `settings`, continued when `resume`.
    pub fn checkpointing(&self, resume: bool, settings: serde_json::Value) -> Checkpointing {
        Checkpointing::new(self.file(CHECKPOINT_DIR), resume, settings)
    }

    /// Writes `text` to the folder's file `name`.
    ///
    /// # Errors
    /// [`TrainError::Io`].
    pub fn write_text(&self, name: &str, text: &str) -> Result<()> {
        self.create()?;
        write_text(&self.file(name), text)
    }

    /// Creates the folder (and its parents) if it is not there yet.
    ///
    /// # Errors
    /// [`TrainError::Io`].
    pub fn create(&self) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|e| TrainError::io(&self.dir, e))
    }

    /// Writes `value` as pretty-printed JSON to the folder's file `name`.
    ///
    /// # Errors
    /// [`TrainError::Io`].
    pub fn write_json(&self, name: &str, value: &impl Serialize) -> Result<()> {
        let path = self.file(name);
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| TrainError::io(&path, std::io::Error::other(e)))?;
        self.write_text(name, &text)
    }

    /// Writes the run's figures to `report.json`.
    ///
    /// # Errors
    /// [`TrainError::Io`].
    pub fn write_report(&self, report: &impl Serialize) -> Result<()> {
        self.write_json(REPORT_FILE, report)
    }

    /// Writes the per-item test predictions (a CSV table with its header) to `predictions.csv`.
    ///
    /// # Errors
    /// [`TrainError::Io`].
    pub fn write_predictions(&self, csv: &str) -> Result<()> {
        self.write_text(PREDICTIONS_FILE, csv)
    }

    /// Writes the run's history to `history.csv`.
    ///
    /// # Errors
    /// [`TrainError::Io`].
    pub fn write_history(&self, history: &History) -> Result<()> {
        self.create()?;
        history.write_csv(&self.file(HISTORY_FILE))
    }

    /// Reads the folder's JSON file `name`.
    ///
    /// # Errors
    /// [`TrainError::Io`] when it cannot be read, [`TrainError::Data`] when it is not JSON.
    pub fn read_json(&self, name: &str) -> Result<serde_json::Value> {
        let path = self.file(name);
        let text = std::fs::read_to_string(&path).map_err(|e| TrainError::io(&path, e))?;
        serde_json::from_str(&text).map_err(|e| TrainError::Data {
            path,
            line: Some(e.line()),
            message: format!("not JSON: {e}"),
        })
    }
}

/// Writes `net` to `dir/model.bpk` and `run` to `dir/run.json` (`dir` created), each through a
/// temporary file renamed into place.
pub(crate) fn save<M: Module>(net: &M, run: &impl Serialize, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| TrainError::io(dir, e))?;
    let (tmp, model) = (dir.join("model.partial.bpk"), dir.join(MODEL_FILE));
    net.clone()
        .save_file(&tmp)
        .map_err(|e| TrainError::record(&tmp, e))?;
    std::fs::rename(&tmp, &model).map_err(|e| TrainError::io(&model, e))?;
    RunFolder::at(dir).write_json(RUN_FILE, run)
}

/// Writes `text` to `path` through a temporary file renamed into place.
pub(crate) fn write_text(path: &Path, text: &str) -> Result<()> {
    tessera_sky::write_atomically(path, "", |tmp| {
        std::fs::write(tmp, text).map_err(|source| tessera_sky::SkyError::Io {
            path: path.to_path_buf(),
            source,
        })
    })?;
    Ok(())
}

/// Reads `dir/run.json` as a `T`; `kind` names the expected run in the error ("sphere run").
pub(crate) fn read_run<T: DeserializeOwned>(dir: &Path, kind: &str) -> Result<T> {
    let json = dir.join(RUN_FILE);
    let text = std::fs::read_to_string(&json).map_err(|source| TrainError::Io {
        path: json.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| TrainError::Data {
        path: json,
        line: Some(e.line()),
        message: format!("not a {kind}: {e}"),
    })
}

/// `net` (freshly initialised from the run's configuration) with the weights of `dir/model.bpk`.
pub(crate) fn load_weights<M: Module>(net: M, dir: &Path) -> Result<M> {
    let model = dir.join(MODEL_FILE);
    net.try_load_file(&model)
        .map_err(|e| TrainError::record(&model, e))
}

/// Σ aᵢ·aᵢ₊₁ over consecutive widths: the weights of a chain of layers with one weight per
/// input–output pair, a lower bound for any of Tessera's layers (saturating, never overflowing).
pub(crate) fn chain_parameters(widths: impl IntoIterator<Item = usize>) -> u128 {
    let widths: Vec<u128> = widths.into_iter().map(|w| w as u128).collect();
    widths.windows(2).fold(0u128, |sum, w| {
        sum.saturating_add(w[0].saturating_mul(w[1]))
    })
}

/// Refuses a configuration that declares more weights than `dir/model.bpk` can hold (at
/// least two bytes each), before anything that size is allocated: a hostile or damaged
/// `run.json` cannot make the loader ask for gigabytes.
///
/// # Errors
/// [`TrainError::Data`] naming `model.bpk`, or its I/O error.
pub(crate) fn check_weights_fit(dir: &Path, min_parameters: u128) -> Result<()> {
    let model = dir.join(MODEL_FILE);
    let bytes = std::fs::metadata(&model)
        .map_err(|e| TrainError::io(&model, e))?
        .len();
    if min_parameters.saturating_mul(2) > u128::from(bytes) {
        return Err(TrainError::Data {
            path: model,
            line: None,
            message: format!(
                "{RUN_FILE} declares a network of at least {min_parameters} weights, but the \
                 weights file holds only {bytes} bytes"
            ),
        });
    }
    Ok(())
}

/// Parses a model configuration saved as JSON, with every field the JSON leaves out taken from
/// `defaults` — so that runs saved before a field existed, and hand-written configuration files
/// that state only what they change, still load — except the `required` fields, which must be
/// there. `what` names the source in the error ("runs/x/run.json").
///
/// # Errors
/// [`TrainError::ModelConfig`] naming `what` when `saved` is not an object, lacks a required field,
/// or does not parse as a `C`.
pub(crate) fn config_with_defaults<C: Serialize + DeserializeOwned>(
    saved: &serde_json::Value,
    defaults: &C,
    required: &[&str],
    what: &str,
) -> Result<C> {
    let err = |problem: ConfigProblem| TrainError::ModelConfig {
        what: what.to_string(),
        problem,
    };
    let serde_json::Value::Object(saved) = saved else {
        return Err(err(ConfigProblem::NotAnObject));
    };
    if let Some(missing) = required.iter().find(|k| !saved.contains_key(**k)) {
        return Err(err(ConfigProblem::Lacks(missing.to_string())));
    }
    let serde_json::Value::Object(mut merged) =
        serde_json::to_value(defaults).map_err(|e| err(e.into()))?
    else {
        return Err(err(ConfigProblem::NotAnObject));
    };
    merged.extend(saved.iter().map(|(k, v)| (k.clone(), v.clone())));
    // burn panics on a dropout outside [0, 1): refuse it here, by name.
    if let Some(p) = merged.get("dropout").and_then(serde_json::Value::as_f64)
        && !(0.0..1.0).contains(&p)
    {
        return Err(err(ConfigProblem::Dropout(p)));
    }
    serde_json::from_value(serde_json::Value::Object(merged)).map_err(|e| err(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Cfg {
        size: usize,
        depth: usize,
        name: String,
    }

    #[test]
    fn a_finished_run_is_refused_and_a_checkpointed_one_continued() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("run");
        let folder = RunFolder::for_training(&dir).unwrap();
        assert!(!dir.exists(), "created before anything is written");
        // A killed run leaves only its checkpoint: training into it again is allowed.
        std::fs::create_dir_all(folder.file(CHECKPOINT_DIR)).unwrap();
        let folder = RunFolder::for_training(&dir).unwrap();
        folder.write_report(&json!({"accuracy": 0.5})).unwrap();
        folder.write_predictions("id,truth,predicted\n").unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [CHECKPOINT_DIR, PREDICTIONS_FILE, REPORT_FILE]);
        assert_eq!(folder.read_json(REPORT_FILE).unwrap()["accuracy"], 0.5);
        for marker in [REPORT_FILE, RUN_FILE] {
            let other = root.path().join(marker);
            std::fs::create_dir(&other).unwrap();
            std::fs::write(other.join(marker), "{}").unwrap();
            match RunFolder::for_training(&other) {
                Err(TrainError::FinishedRun { dir, marker: m }) => {
                    assert_eq!((dir, m.as_str()), (other.clone(), marker));
                }
                other => panic!("expected FinishedRun, got {other:?}"),
            }
        }
    }

    #[test]
    fn absent_fields_take_defaults_and_required_ones_must_be_stated() {
        let defaults = Cfg {
            size: 0,
            depth: 1,
            name: "plain".into(),
        };
        let loaded: Cfg =
            config_with_defaults(&json!({"size": 5, "name": "x"}), &defaults, &["size"], "f")
                .unwrap();
        assert_eq!(
            loaded,
            Cfg {
                size: 5,
                depth: 1,
                name: "x".into()
            }
        );
        let e = config_with_defaults::<Cfg>(&json!({"depth": 2}), &defaults, &["size"], "f.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("f.json") && e.contains("size"), "{e}");
        let e = config_with_defaults::<Cfg>(&json!([1]), &defaults, &[], "f.json").unwrap_err();
        assert!(e.to_string().contains("not a JSON object"), "{e}");
        let e =
            config_with_defaults::<Cfg>(&json!({"size": "big"}), &defaults, &[], "g").unwrap_err();
        assert!(e.to_string().starts_with("g: "), "{e}");
    }
}
