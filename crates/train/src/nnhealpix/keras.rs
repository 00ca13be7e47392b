//! Reading a Keras HDF5 model file: its layers (from `model_config`) with their weights (from
//! `model_weights/<layer>/<weight name>`), with a pure-Rust HDF5 reader.

use std::path::Path;

use hdf5_reader::Hdf5File;
use serde_json::Value;

use crate::error::{Result, TrainError};

/// One weight array of a layer, as stored.
#[derive(Clone, Debug)]
pub(super) struct Array {
    shape: Vec<usize>,
    values: Vec<f64>,
}

/// One layer of the model's configuration, with its weights.
#[derive(Clone, Debug)]
pub(super) struct Layer {
    pub(super) class: String,
    pub(super) name: String,
    pub(super) config: Value,
    pub(super) weights: Vec<Array>,
}

impl Layer {
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.config.get(key)
    }

    pub(super) fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// A Keras size given as `n` or `[n]`.
    pub(super) fn size(&self, key: &str) -> Option<u64> {
        match self.get(key)? {
            Value::Array(v) if v.len() == 1 => v[0].as_u64(),
            v => v.as_u64(),
        }
    }

    pub(super) fn activation(&self) -> &str {
        self.str("activation").unwrap_or("linear")
    }
}

/// Errors about the file, naming it.
pub(super) fn bad(path: &Path, message: impl Into<String>) -> TrainError {
    TrainError::Data {
        path: path.to_path_buf(),
        line: None,
        message: message.into(),
    }
}

/// The layers of a Keras HDF5 model file, with their weights.
pub(super) fn read_layers(path: &Path) -> Result<Vec<Layer>> {
    let h5 = |e: hdf5_reader::error::Error| bad(path, format!("not a readable HDF5 file: {e}"));
    let file = Hdf5File::open(path).map_err(h5)?;
    let root = file.root_group().map_err(h5)?;
    let config = root
        .attribute("model_config")
        .and_then(|a| a.read_string())
        .map_err(|_| {
            bad(
                path,
                "no model_config attribute: not a Keras model file (a weights-only file from \
                 save_weights has no architecture to import)",
            )
        })?;
    let config: Value = serde_json::from_str(&config)
        .map_err(|e| bad(path, format!("model_config is not JSON: {e}")))?;
    // Functional models and Keras ≥ 2.2 Sequential models: {"config": {"layers": [...]}};
    // older Sequential models: {"config": [...]}.
    let list = match &config["config"] {
        Value::Array(v) => v,
        c => c["layers"]
            .as_array()
            .ok_or_else(|| bad(path, "model_config lists no layers"))?,
    };
    let weights_root = if file.group("/model_weights").is_ok() {
        "/model_weights"
    } else {
        ""
    };
    list.iter()
        .map(|l| {
            let class = l["class_name"].as_str().unwrap_or_default().to_string();
            let config = l["config"].clone();
            let name = config["name"]
                .as_str()
                .or_else(|| l["name"].as_str())
                .ok_or_else(|| bad(path, format!("a {class} layer without a name")))?
                .to_string();
            let weights = read_weights(&file, &format!("{weights_root}/{name}"))
                .map_err(|e| bad(path, format!("layer {name}: {e}")))?;
            Ok(Layer {
                class,
                name,
                config,
                weights,
            })
        })
        .collect()
}

/// The weights of the layer group `group`, in the order of its `weight_names` (none when the
/// group or the attribute is missing, or the list is empty).
fn read_weights(file: &Hdf5File, group: &str) -> std::result::Result<Vec<Array>, String> {
    let Ok(g) = file.group(group) else {
        return Ok(Vec::new());
    };
    let Ok(names) = g.attribute("weight_names").and_then(|a| a.read_strings()) else {
        return Ok(Vec::new());
    };
    names
        .iter()
        .map(|n| {
            let d = file
                .dataset(&format!("{group}/{n}"))
                .map_err(|e| format!("weight {n}: {e}"))?;
            let shape: Vec<usize> = d.shape().iter().map(|&s| s as usize).collect();
            let values = read_numbers(&d).map_err(|e| format!("weight {n}: {e}"))?;
            Ok(Array { shape, values })
        })
        .collect()
}

/// A numeric dataset's values as f64, whatever its stored type.
fn read_numbers(d: &hdf5_reader::Dataset) -> std::result::Result<Vec<f64>, String> {
    fn all<T: hdf5_reader::H5Type + Copy>(
        d: &hdf5_reader::Dataset,
        f: impl Fn(T) -> f64,
    ) -> Option<Vec<f64>> {
        d.read_array::<T>()
            .ok()
            .map(|a| a.iter().map(|&v| f(v)).collect())
    }
    all::<f32>(d, f64::from)
        .or_else(|| all::<f64>(d, |v| v))
        .or_else(|| all::<i32>(d, f64::from))
        .or_else(|| all::<i64>(d, |v| v as f64))
        .or_else(|| all::<u32>(d, f64::from))
        .ok_or_else(|| format!("not a numeric array ({:?})", d.dtype()))
}

/// Gather indices of an `OrderMap` layer: from its configuration, or its one weight.
pub(super) fn gather_indices(path: &Path, layer: &Layer) -> Result<Vec<i64>> {
    let from_config = layer.get("indices").and_then(Value::as_array).map(|v| {
        v.iter()
            .map(|x| x.as_i64().or_else(|| x.as_f64().map(|f| f as i64)))
            .collect::<Option<Vec<i64>>>()
    });
    let indices: Option<Vec<i64>> = match from_config {
        Some(v) => v,
        None => layer
            .weights
            .first()
            .map(|a| a.values.iter().map(|&v| v as i64).collect()),
    };
    indices.ok_or_else(|| {
        bad(
            path,
            format!(
                "OrderMap layer {}: no gather indices in its configuration or weights",
                layer.name
            ),
        )
    })
}

/// A weight of the expected shape, as f32.
pub(super) fn weight(path: &Path, layer: &Layer, i: usize, shape: &[usize]) -> Result<Vec<f32>> {
    let a = layer
        .weights
        .get(i)
        .ok_or_else(|| bad(path, format!("layer {}: weight {i} is missing", layer.name)))?;
    if a.shape != shape {
        return Err(bad(
            path,
            format!(
                "layer {}: weight {i} has shape {:?}, expected {shape:?}",
                layer.name, a.shape
            ),
        ));
    }
    Ok(a.values.iter().map(|&v| v as f32).collect())
}
