//! The NNhealpix sphere CNN (Krachmalnicoff & Tomasi 2019): blocks of HEALPix convolution, ReLU
//! and pooling by 4 (nside halved), then a readout of the coarse map and a dense head. One
//! architecture serves classification (digits, E vs B) and regression (ℓ_p, τ).

use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use tessera_gnn::conv::{HealpixChebConv, HealpixChebConvConfig, HealpixConv, HealpixConvConfig};
use tessera_gnn::pool::{HealpixPool, HealpixPoolConfig, HealpixPoolKind};

use crate::error::{Result, TrainError};

/// The convolution of every block.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum SphereConvKind {
    /// NNhealpix's 9-pixel stencil (oriented filters).
    Stencil,
    /// DeepSphere's Chebyshev filter on the HEALPix graph with this many terms (isotropic).
    Chebyshev(usize),
}

/// How the last, coarse map becomes one vector.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum SphereReadout {
    /// All pixels side by side (NNhealpix: `Flatten`); keeps where things are.
    Flatten,
    /// Mean over pixels: invariant to where on the sphere a feature sits.
    Mean,
    /// Maximum over pixels.
    Max,
}

/// Configuration of [`SphereCnn`].
#[derive(Config, Debug)]
pub struct SphereCnnConfig {
    /// Resolution of the input maps.
    pub nside: u64,
    /// Input channels (1: T; 2: Q, U; 3: T, Q, U; one more for a mask channel).
    pub channels: usize,
    /// Outputs: classes for classification, parameters for regression.
    pub outputs: usize,
    /// Filters of each block; every block halves nside (NNhealpix's MNIST model: [32, 32, 32]).
    #[config(default = "vec![32, 32, 32]")]
    pub widths: Vec<usize>,
    /// Convolutions (each followed by ReLU) in every block before its pooling; NNhealpix uses 1,
    /// a second one doubles the receptive field at each resolution (VGG's habit).
    #[config(default = 1)]
    pub convs_per_block: usize,
    /// The convolution.
    #[config(default = "SphereConvKind::Stencil")]
    pub conv: SphereConvKind,
    /// Pooling inside blocks (NNhealpix: max for digits, mean for spectra).
    #[config(default = "HealpixPoolKind::Max")]
    pub pool: HealpixPoolKind,
    /// Readout of the last map.
    #[config(default = "SphereReadout::Flatten")]
    pub readout: SphereReadout,
    /// Width of the hidden dense layer (NNhealpix: 48 for digits, 256 for ℓ_p).
    #[config(default = 48)]
    pub dense: usize,
    /// Dropout before the dense head.
    #[config(default = 0.2)]
    pub dropout: f64,
}

/// The network.
#[derive(Module, Debug)]
pub struct SphereCnn {
    stencils: Vec<HealpixConv>,
    chebs: Vec<HealpixChebConv>,
    pool: HealpixPool,
    dropout: Dropout,
    hidden: Linear,
    output: Linear,
    #[module(skip)]
    readout: SphereReadout,
    #[module(skip)]
    convs_per_block: usize,
}

impl SphereCnnConfig {
    /// The resolution after the last block.
    pub fn nside_out(&self) -> u64 {
        self.nside >> self.widths.len()
    }

    /// The network on `device`.
    ///
    /// # Errors
    /// [`TrainError::Config`] when nside cannot be halved once per block, or a width is 0.
    pub fn init(&self, device: &Device) -> Result<SphereCnn> {
        let blocks = self.widths.len() as u32;
        if !self.nside.is_power_of_two()
            || self.nside.trailing_zeros() < blocks
            || self.widths.contains(&0)
            || self.convs_per_block == 0
            || self.channels == 0
            || self.outputs == 0
        {
            return Err(TrainError::Config(format!(
                "a sphere CNN with blocks {:?} cannot read nside {} maps with {} channels into {} \
                 outputs with {} convolutions per block (each block halves nside; widths, \
                 channels, outputs and convolutions per block must be positive)",
                self.widths, self.nside, self.channels, self.outputs, self.convs_per_block
            )));
        }
        let (mut stencils, mut chebs) = (Vec::new(), Vec::new());
        let mut d_in = self.channels;
        for (i, &w) in self.widths.iter().enumerate() {
            let nside = self.nside >> i;
            for _ in 0..self.convs_per_block {
                match self.conv {
                    SphereConvKind::Stencil => {
                        stencils.push(HealpixConvConfig::new(nside, d_in, w).init(device)?)
                    }
                    SphereConvKind::Chebyshev(k) => chebs.push(
                        HealpixChebConvConfig::new(nside, d_in, w)
                            .with_k(k)
                            .init(device)?,
                    ),
                }
                d_in = w;
            }
        }
        let npix_out = 12 * (self.nside_out() * self.nside_out()) as usize;
        let flat = match self.readout {
            SphereReadout::Flatten => npix_out * d_in,
            SphereReadout::Mean | SphereReadout::Max => d_in,
        };
        Ok(SphereCnn {
            stencils,
            chebs,
            pool: HealpixPoolConfig::new().with_kind(self.pool).init()?,
            dropout: DropoutConfig::new(self.dropout).init(),
            hidden: LinearConfig::new(flat, self.dense).init(device),
            output: LinearConfig::new(self.dense, self.outputs).init(device),
            readout: self.readout,
            convs_per_block: self.convs_per_block,
        })
    }
}

impl SphereCnn {
    /// The feature map after the last block.
    ///
    /// # Shapes
    /// `x: [B, npix, channels]` (NESTED) → `[B, npix / 4^blocks, widths.last]`.
    pub fn features(&self, x: Tensor<3>) -> Tensor<3> {
        let mut h = x;
        for block in self.stencils.chunks(self.convs_per_block) {
            for conv in block {
                h = relu(conv.forward(h));
            }
            h = self.pool.forward(h);
        }
        for block in self.chebs.chunks(self.convs_per_block) {
            for conv in block {
                h = relu(conv.forward(h));
            }
            h = self.pool.forward(h);
        }
        h
    }

    /// Class scores (logits) or parameter values.
    ///
    /// # Shapes
    /// `x: [B, npix, channels]` (NESTED) → `[B, outputs]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        let h = self.features(x);
        let [b, n, c] = h.dims();
        let v = match self.readout {
            SphereReadout::Flatten => h.reshape([b, n * c]),
            SphereReadout::Mean => h.mean_dim(1).reshape([b, c]),
            SphereReadout::Max => h.max_dim(1).reshape([b, c]),
        };
        let v = relu(self.hidden.forward(self.dropout.forward(v)));
        self.output.forward(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Module;

    #[test]
    fn a_second_convolution_per_block_adds_one_stencil_layer_per_resolution() {
        let device = Device::flex();
        let one = SphereCnnConfig::new(4, 2, 3)
            .with_widths(vec![5, 6])
            .with_dense(7)
            .with_readout(SphereReadout::Mean);
        let two = one.clone().with_convs_per_block(2);
        let (a, b) = (one.init(&device).unwrap(), two.init(&device).unwrap());
        // The extra layers are 9·5·5 and 9·6·6 weights plus their biases.
        let extra = (9 * 5 * 5 + 5) + (9 * 6 * 6 + 6);
        assert_eq!(b.num_params(), a.num_params() + extra);
        let x = Tensor::<3>::ones([2, 12 * 16, 2], &device);
        assert_eq!(b.features(x.clone()).dims(), [2, 12, 6]);
        assert_eq!(b.forward(x).dims(), [2, 3]);
        assert!(one.with_convs_per_block(0).init(&device).is_err());
    }
}
