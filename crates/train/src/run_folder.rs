//! The run folder every trained model is kept in: `run.json` (what the run was, serialised by
//! its owner) beside `model.bpk` (the weights), both written through temporary files.

use std::path::Path;

use burn::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ConfigProblem, Result, TrainError};

/// The run's description file.
pub const RUN_FILE: &str = "run.json";
/// The run's weights.
pub const MODEL_FILE: &str = "model.bpk";

/// Writes `net` to `dir/model.bpk` and `run` to `dir/run.json` (`dir` created), each through a
/// temporary file renamed into place.
pub(crate) fn save<M: Module>(net: &M, run: &impl Serialize, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| TrainError::io(dir, e))?;
    let (tmp, model) = (dir.join("model.partial.bpk"), dir.join(MODEL_FILE));
    net.clone()
        .save_file(&tmp)
        .map_err(|e| TrainError::record(&tmp, e))?;
    std::fs::rename(&tmp, &model).map_err(|e| TrainError::io(&model, e))?;
    let json = dir.join(RUN_FILE);
    let text = serde_json::to_string_pretty(run)
        .map_err(|e| TrainError::io(&json, std::io::Error::other(e)))?;
    write_text(&json, &text)
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
