//! Where networks train: burn's `flex` CPU backend (always built), or a GPU through burn's
//! `wgpu` (Vulkan, Metal, DirectX 12) or `cuda` backends, each behind the cargo feature of the
//! same name (off by default: CI and a plain `cargo build` compile the CPU backend only).
//!
//! Training loops create their device from [`Compute`] (in [`crate::sphere::FitSchedule`] and
//! [`crate::fit::FitConfig`]); inference runs on the device the network's weights live on.

use burn::prelude::*;

use crate::error::{Result, TrainError};

/// The backend a training run uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Compute {
    /// burn's pure-Rust `flex` backend on the CPU, on all cores (decision 0008).
    #[default]
    Cpu,
    /// The default GPU of burn's `wgpu` backend (cargo feature `wgpu`).
    Wgpu,
    /// The first CUDA GPU (cargo feature `cuda`).
    Cuda,
}

impl Compute {
    /// The backend's name, as the command line spells it.
    pub fn name(self) -> &'static str {
        match self {
            Compute::Cpu => "cpu",
            Compute::Wgpu => "wgpu",
            Compute::Cuda => "cuda",
        }
    }

    /// Whether this build of Tessera has the backend.
    pub fn available(self) -> bool {
        match self {
            Compute::Cpu => true,
            Compute::Wgpu => cfg!(feature = "wgpu"),
            Compute::Cuda => cfg!(feature = "cuda"),
        }
    }

    /// The device (without autodiff).
    ///
    /// # Errors
    /// [`TrainError::NoBackend`] when the backend was not compiled in, naming the feature to build.
    pub fn device(self) -> Result<Device> {
        match self {
            Compute::Cpu => Ok(Device::flex()),
            #[cfg(feature = "wgpu")]
            Compute::Wgpu => Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)),
            #[cfg(feature = "cuda")]
            Compute::Cuda => Ok(Device::cuda(0)),
            #[allow(unreachable_patterns)]
            other => Err(TrainError::NoBackend {
                backend: other.name(),
            }),
        }
    }
}

/// The device the weights of `net` live on (the CPU for a network without parameters).
pub(crate) fn device_of<M: burn::module::Module>(net: &M) -> Device {
    net.devices()
        .into_iter()
        .next()
        .unwrap_or_else(Device::flex)
}

/// The rows of `softmax(logits)` read back from the device: class probabilities per sample.
///
/// # Shapes
/// `logits`: `[samples, classes]`.
///
/// # Errors
/// [`TrainError::ReadBack`] when the values cannot be read back.
pub(crate) fn softmax_rows(logits: Tensor<2>) -> Result<Vec<Vec<f64>>> {
    read_rows(burn::tensor::activation::softmax(logits, 1))
}

/// The rows of `t` read back from the device.
///
/// # Errors
/// [`TrainError::ReadBack`] when the values cannot be read back.
pub(crate) fn read_rows(t: Tensor<2>) -> Result<Vec<Vec<f64>>> {
    let [_, k] = t.dims();
    let v = t
        .into_data()
        .convert::<f32>()
        .try_to_vec::<f32>()
        .map_err(|source| TrainError::ReadBack {
            what: "predictions",
            source,
        })?;
    Ok(v.chunks_exact(k.max(1))
        .map(|r| r.iter().map(|&x| f64::from(x)).collect())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_is_always_there_and_a_missing_gpu_backend_names_its_feature() {
        assert!(Compute::Cpu.available());
        assert!(Compute::Cpu.device().is_ok());
        for gpu in [Compute::Wgpu, Compute::Cuda] {
            if !gpu.available() {
                let e = gpu.device().unwrap_err().to_string();
                assert!(e.contains(&format!("--features {}", gpu.name())), "{e}");
            }
        }
        let json = serde_json::to_string(&Compute::Wgpu).unwrap();
        assert_eq!(
            serde_json::from_str::<Compute>(&json).unwrap(),
            Compute::Wgpu
        );
    }

    #[test]
    fn inference_follows_the_weights() {
        let device = Device::flex();
        let layer = burn::nn::LinearConfig::new(2, 3).init(&device);
        assert_eq!(device_of(&layer), device);
    }
}
