//! Chebyshev graph convolution (Defferrard et al.; DeepSphere's layer):
//! `x' = Σ_{k<K} T_k(L̃) x W_k + b`, `L̃ = 2L/λ_max − I`, `L = I − D^{−1/2} A D^{−1/2}`,
//! `T_0 = x`, `T_1 = L̃x`, `T_k = 2L̃T_{k−1} − T_{k−2}`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use crate::graph::{DeviceBatch, scatter_sum};

/// Configuration of [`ChebConv`].
#[derive(Config, Debug)]
pub struct ChebConvConfig {
    /// Input features.
    pub d_input: usize,
    /// Output features.
    pub d_output: usize,
    /// Number of Chebyshev terms `K ≥ 1` (filters reach `K − 1` hops).
    pub k: usize,
    /// Largest eigenvalue of `L` used for the rescaling (2 bounds it for the normalised
    /// Laplacian; DeepSphere rescales with its estimate ×1.02).
    #[config(default = 2.0)]
    pub lambda_max: f64,
}

/// Chebyshev spectral filter of order `K − 1`.
#[derive(Module, Debug)]
pub struct ChebConv {
    terms: Vec<Linear>,
    #[module(skip)]
    lambda_max: f64,
}

impl ChebConvConfig {
    /// The layer on `device` (`k` is raised to 1 if 0).
    pub fn init(&self, device: &Device) -> ChebConv {
        ChebConv {
            terms: (0..self.k.max(1))
                .map(|i| {
                    LinearConfig::new(self.d_input, self.d_output)
                        .with_bias(i == 0)
                        .init(device)
                })
                .collect(),
            lambda_max: self.lambda_max,
        }
    }
}

impl ChebConv {
    /// `L̃ x`.
    fn laplacian(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        let ax = scatter_sum(
            x.clone().select(0, g.src.clone()) * g.sym_norm().clone(),
            &g.incoming,
        );
        let s = 2.0 / self.lambda_max;
        (x.clone() - ax) * s - x
    }

    /// The Chebyshev basis `T_0(L̃)x, …, T_{K−1}(L̃)x` the filter combines.
    ///
    /// # Shapes
    /// `x: [N, F]` → `K` tensors `[N, F]`.
    pub fn basis(&self, x: Tensor<2>, g: &DeviceBatch) -> Vec<Tensor<2>> {
        let mut out = vec![x.clone()];
        if self.terms.len() > 1 {
            out.push(self.laplacian(x, g));
        }
        while out.len() < self.terms.len() {
            let k = out.len();
            let next = self.laplacian(out[k - 1].clone(), g) * 2.0 - out[k - 2].clone();
            out.push(next);
        }
        out
    }

    /// # Shapes
    /// `x: [N, d_input]` → `[N, d_output]`.
    pub fn forward(&self, x: Tensor<2>, g: &DeviceBatch) -> Tensor<2> {
        self.basis(x, g)
            .into_iter()
            .zip(&self.terms)
            .map(|(t, w)| w.forward(t))
            .reduce(|a, b| a + b)
            .expect("at least one term")
    }
}
