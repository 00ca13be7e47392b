//! HEALPix pooling in NESTED order: the `4^k` children of a coarse pixel are contiguous, so
//! pooling is a reshape followed by a max or mean (mean pooling = healpy's `ud_grade` down), and
//! unpooling repeats every pixel over its children (= `ud_grade` up).

use burn::prelude::*;

use crate::error::{GraphError, Result};

/// How children are merged.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum HealpixPoolKind {
    /// Largest child (NNhealpix's `MaxPooling`).
    Max,
    /// Mean of the children (NNhealpix's `AveragePooling`, healpy's `ud_grade`).
    Mean,
}

/// Configuration of [`HealpixPool`].
#[derive(Config, Debug)]
pub struct HealpixPoolConfig {
    /// `nside_in / nside_out`, a power of 2: `ratio²` pixels become one.
    #[config(default = 2)]
    pub ratio: usize,
    /// Max or mean.
    #[config(default = "HealpixPoolKind::Max")]
    pub kind: HealpixPoolKind,
}

fn check_ratio(ratio: usize, layer: &'static str) -> Result<()> {
    if ratio == 0 || !ratio.is_power_of_two() {
        return Err(GraphError::Layer {
            layer,
            detail: format!("the nside ratio {ratio} is not a power of 2"),
        });
    }
    Ok(())
}

/// Merges each group of `ratio²` NESTED children into their parent.
#[derive(Module, Debug)]
pub struct HealpixPool {
    children: usize,
    #[module(skip)]
    kind: HealpixPoolKind,
}

impl HealpixPoolConfig {
    /// The layer (no parameters).
    ///
    /// # Errors
    /// [`GraphError::Layer`] when `ratio` is not a power of 2.
    pub fn init(&self) -> Result<HealpixPool> {
        check_ratio(self.ratio, "HealpixPool")?;
        Ok(HealpixPool {
            children: self.ratio * self.ratio,
            kind: self.kind,
        })
    }
}

impl HealpixPool {
    /// How the children are merged.
    pub fn kind(&self) -> HealpixPoolKind {
        self.kind
    }

    /// # Shapes
    /// `x: [B, npix, C]` (NESTED) → `[B, npix / ratio², C]`.
    ///
    /// # Panics
    /// When `npix` is not a multiple of `ratio²` (a map coarser than the pooling allows).
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, c] = x.dims();
        let m = self.children;
        assert!(
            n % m == 0 && n >= 12 * m,
            "{n} pixels cannot be pooled by {m}"
        );
        let grouped = x.reshape([b, n / m, m, c]);
        let merged = match self.kind {
            // The largest child is found without gradient, then read by one flat selection:
            // its gradient adds each output's gradient to that one child, where `max_dim`
            // would scatter into a 4-D tensor element by element and `max_pair` of halves
            // costs three masked passes per halving.
            HealpixPoolKind::Max => {
                let device = grouped.device();
                let child = grouped.clone().detach().argmax(2);
                let parents = (b * n / m) as i64;
                let base = (Tensor::<1, Int>::arange(0..parents, &device) * (m * c) as i64)
                    .reshape([b, n / m, 1, 1]);
                let channel = Tensor::<1, Int>::arange(0..c as i64, &device).reshape([1, 1, 1, c]);
                let index = (child * c as i64 + base + channel).reshape([b * n / m * c]);
                grouped
                    .reshape([b * n * c])
                    .select(0, index)
                    .reshape([b, n / m, 1, c])
            }
            HealpixPoolKind::Mean => grouped.mean_dim(2),
        };
        merged.reshape([b, n / m, c])
    }
}

/// Configuration of [`HealpixUnpool`].
#[derive(Config, Debug)]
pub struct HealpixUnpoolConfig {
    /// `nside_out / nside_in`, a power of 2.
    #[config(default = 2)]
    pub ratio: usize,
}

/// Copies every pixel onto its `ratio²` NESTED children.
#[derive(Module, Debug)]
pub struct HealpixUnpool {
    children: usize,
}

impl HealpixUnpoolConfig {
    /// The layer (no parameters).
    ///
    /// # Errors
    /// [`GraphError::Layer`] when `ratio` is not a power of 2.
    pub fn init(&self) -> Result<HealpixUnpool> {
        check_ratio(self.ratio, "HealpixUnpool")?;
        Ok(HealpixUnpool {
            children: self.ratio * self.ratio,
        })
    }
}

impl HealpixUnpool {
    /// # Shapes
    /// `x: [B, npix, C]` (NESTED) → `[B, npix · ratio², C]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, c] = x.dims();
        x.unsqueeze_dim::<4>(2)
            .repeat_dim(2, self.children)
            .reshape([b, n * self.children, c])
    }
}
