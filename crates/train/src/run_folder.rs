//! The run folder every trained model is kept in: `run.json` (what the run was, serialised by
//! its owner) beside `model.bpk` (the weights), both written through temporary files.

use std::path::Path;

use burn::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Result, TrainError};

/// The run's description file.
pub const RUN_FILE: &str = "run.json";
/// The run's weights.
pub const MODEL_FILE: &str = "model.bpk";

fn io_err(path: &Path, e: impl std::fmt::Display) -> TrainError {
    TrainError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Writes `net` to `dir/model.bpk` and `run` to `dir/run.json` (`dir` created), each through a
/// temporary file renamed into place.
pub(crate) fn save<M: Module>(net: &M, run: &impl Serialize, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let (tmp, model) = (dir.join("model.partial.bpk"), dir.join(MODEL_FILE));
    net.clone()
        .save_file(&tmp)
        .map_err(|e| io_err(&tmp, format!("{e:?}")))?;
    std::fs::rename(&tmp, &model).map_err(|e| io_err(&model, e))?;
    let json = dir.join(RUN_FILE);
    let text = serde_json::to_string_pretty(run).map_err(|e| io_err(&json, e))?;
    tessera_sky::write_atomically(&json, "", |t| {
        std::fs::write(t, &text).map_err(|source| tessera_sky::SkyError::Io {
            path: json.clone(),
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
        .map_err(|e| io_err(&model, format!("{e:?}")))
}
