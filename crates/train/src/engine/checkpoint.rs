//! The engine's checkpoints: after every epoch, the weights, Adam's state, the history, the
//! weight average and the best epoch's weights, in one folder; a kill at any moment leaves the
//! last finished epoch's checkpoint whole, and a resume with the same settings repeats the
//! uninterrupted run exactly.

use std::path::{Path, PathBuf};

use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::prelude::*;
use serde_json::Value;

use super::History;
use crate::averaging::WeightAverage;
use crate::error::{Result, TrainError};
use crate::schedule::{EarlyStopping, FitSchedule};

/// Where a run keeps its checkpoint, and whether it continues from one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checkpointing {
    /// Folder of the checkpoint; `None`: no checkpoints.
    pub dir: Option<PathBuf>,
    /// Continue from the checkpoint in `dir` when there is one.
    pub resume: bool,
    /// Everything besides the schedule that decides the run's result (data, network,
    /// augmentation…), as the caller describes it: a resume with other settings is refused,
    /// naming the difference.
    pub settings: Value,
    /// Stop (as if killed) after this many epochs in this process — for tests of resume.
    pub stop_after: Option<usize>,
}

/// What `state.json` records besides the weight files.
#[derive(serde::Serialize, serde::Deserialize)]
struct State {
    history: History,
    /// The best epoch so far and its validation loss (its weights: `best.bpk`).
    best: Option<(usize, f64)>,
    average: WeightAverage,
}

/// A checkpoint read back.
pub(super) struct Restored<M> {
    pub net: M,
    pub optim: ModuleOptimizer,
    pub history: History,
    pub average: WeightAverage,
    pub best: Option<(usize, f64, M)>,
}

const STATE: &str = "state.json";
const SETTINGS: &str = "settings.json";
const RESULT: &str = "result.json";
const BEST: &str = "best.bpk";

/// The fields in which `old` and `new` differ, as `path: old → new` lines (objects compared
/// key by key, anything else as a whole).
pub fn settings_difference(old: &Value, new: &Value) -> Vec<String> {
    fn walk(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
        match (old, new) {
            (Value::Object(a), Value::Object(b)) => {
                let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(
                        &p,
                        a.get(k).unwrap_or(&Value::Null),
                        b.get(k).unwrap_or(&Value::Null),
                        out,
                    );
                }
            }
            _ if old != new => out.push(format!("{path}: {old} → {new}")),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    out
}

impl Checkpointing {
    /// Checkpoints in `dir`, resuming from them when `resume`, for a run described by
    /// `settings`.
    pub fn new(dir: impl Into<PathBuf>, resume: bool, settings: Value) -> Self {
        Checkpointing {
            dir: Some(dir.into()),
            resume,
            settings,
            stop_after: None,
        }
    }

    /// The same checkpointing in a sub-folder (one per fold of a cross-validation).
    pub fn sub(&self, name: &str) -> Self {
        Checkpointing {
            dir: self.dir.as_ref().map(|d| d.join(name)),
            ..self.clone()
        }
    }

    fn recorded(&self, schedule: &FitSchedule) -> Value {
        serde_json::json!({"schedule": schedule, "run": self.settings})
    }

    /// Opens the folder for a run with `schedule`: a new run records its settings there; a
    /// folder that already holds a run is refused unless resuming, and a resume with other
    /// settings is refused, naming every difference.
    ///
    /// # Errors
    /// [`TrainError::Resume`] as above; files that cannot be read or written.
    pub fn open(&self, schedule: &FitSchedule) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let path = dir.join(SETTINGS);
        let recorded = self.recorded(schedule);
        if !path.exists() {
            std::fs::create_dir_all(dir).map_err(|e| TrainError::io(dir, e))?;
            return write_json(&path, &recorded);
        }
        if !self.resume {
            return Err(TrainError::Resume {
                dir: dir.clone(),
                differences: vec![
                    "it holds an unfinished run: pass --resume to continue it, or choose \
                     another folder"
                        .into(),
                ],
            });
        }
        let text = std::fs::read_to_string(&path).map_err(|e| TrainError::io(&path, e))?;
        let old: Value = serde_json::from_str(&text).map_err(|e| TrainError::Data {
            path: path.clone(),
            line: Some(e.line()),
            message: format!("not a tessera checkpoint: {e}"),
        })?;
        let differences = settings_difference(&old, &recorded);
        if differences.is_empty() {
            Ok(())
        } else {
            Err(TrainError::Resume {
                dir: dir.clone(),
                differences,
            })
        }
    }

    /// The result a finished part of the run (a fold) left in the folder, if any.
    ///
    /// # Errors
    /// A result file that cannot be read.
    pub fn read_result<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>> {
        let Some(path) = self.dir.as_ref().map(|d| d.join(RESULT)) else {
            return Ok(None);
        };
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| TrainError::io(&path, e))?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| TrainError::Data {
                path,
                line: Some(e.line()),
                message: format!("not a tessera result: {e}"),
            })
    }

    /// Keeps the result of a finished part of the run in the folder.
    ///
    /// # Errors
    /// A file that cannot be written.
    pub fn write_result<T: serde::Serialize>(&self, result: &T) -> Result<()> {
        match &self.dir {
            Some(dir) => write_json(&dir.join(RESULT), result),
            None => Ok(()),
        }
    }

    /// The checkpoint to continue from, with the weights loaded into `net`'s architecture;
    /// `None` for a new run. Call after [`Self::open`], which checked the settings.
    pub(super) fn restore<M: Module>(&self, net: &M) -> Result<Option<Restored<M>>> {
        let Some(dir) = &self.dir else {
            return Ok(None);
        };
        let path = dir.join(STATE);
        if !path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| TrainError::io(&path, e))?;
        let state: State = serde_json::from_str(&text).map_err(|e| TrainError::Data {
            path: path.clone(),
            line: Some(e.line()),
            message: format!("not a tessera checkpoint: {e}"),
        })?;
        let load = |file: &str| {
            let p = dir.join(file);
            net.clone()
                .try_load_file(&p)
                .map_err(|e| TrainError::record(&p, e))
        };
        let (model_file, optim_file) = weight_files(state.history.epochs());
        let opath = dir.join(&optim_file);
        let optim = AdamConfig::new()
            .init()
            .load(&opath)
            .map_err(|e| TrainError::record(&opath, e))?;
        let best = match state.best {
            Some((epoch, loss)) => Some((epoch, loss, load(BEST)?)),
            None => None,
        };
        Ok(Some(Restored {
            net: load(&model_file)?,
            optim,
            history: state.history,
            average: state.average,
            best,
        }))
    }

    /// Keeps the state after an epoch: new weight files first, then `state.json` renamed over
    /// the old one, then the old weight files removed. `new_best`: the early-stopping tracker
    /// when this epoch is its new best (its weights are written to `best.bpk`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn save<M: Module>(
        &self,
        net: &M,
        optim: &ModuleOptimizer,
        history: &History,
        average: &WeightAverage,
        stopper: &EarlyStopping<M>,
        new_best: bool,
    ) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        let (model_file, optim_file) = weight_files(history.epochs());
        let write_model = |m: &M, name: &str| {
            let tmp = dir.join(format!("{name}.partial"));
            m.clone()
                .save_file(&tmp)
                .map_err(|e| TrainError::record(&tmp, e))?;
            std::fs::rename(&tmp, dir.join(name)).map_err(|e| TrainError::io(&dir.join(name), e))
        };
        write_model(net, &model_file)?;
        if let Some((_, _, best)) = stopper.best_ref().filter(|_| new_best) {
            write_model(best, BEST)?;
        }
        let opath = dir.join(&optim_file);
        optim
            .save(&opath)
            .map_err(|e| TrainError::record(&opath, e))?;
        let state = State {
            history: history.clone(),
            best: stopper.best_ref().map(|(e, l, _)| (e, l)),
            average: average.clone(),
        };
        write_json(&dir.join(STATE), &state)?;
        // The previous epoch's files, which the old state.json named.
        if let Some(previous) = history.epochs().checked_sub(1) {
            let (m, o) = weight_files(previous);
            let _ = std::fs::remove_file(dir.join(m));
            let _ = std::fs::remove_file(dir.join(o));
        }
        Ok(())
    }
}

/// Writes `value` as JSON to `path` through a temporary file renamed into place.
fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let tmp = path.with_extension("json.partial");
    let text =
        serde_json::to_string(value).map_err(|e| TrainError::io(path, std::io::Error::other(e)))?;
    std::fs::write(&tmp, text).map_err(|e| TrainError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| TrainError::io(path, e))
}

/// The weight and optimizer files of the state after `epochs` epochs.
fn weight_files(epochs: usize) -> (String, String) {
    (
        format!("model-e{epochs}.bpk"),
        format!("optim-e{epochs}.bin"),
    )
}
