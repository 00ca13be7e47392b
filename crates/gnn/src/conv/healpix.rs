//! NNhealpix's pixel convolution on a HEALPix map (Krachmalnicoff & Tomasi 2019): every pixel and
//! its 8 neighbours form a 9-pixel stencil, in the order SW, W, NW, N, **centre**, NE, E, SE, S
//! (the order of the published NNhealpix weights); a missing neighbour (8 pixels of the sphere
//! have only 7) reads zero. One gather and one matrix product:
//! `x'[p] = Σ_k x[stencil(p)_k] W_k + b`.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use tessera_healpix::Healpix;

use crate::error::{GraphError, Result};

/// Configuration of [`HealpixConv`].
#[derive(Config, Debug)]
pub struct HealpixConvConfig {
    /// HEALPix resolution of the maps the layer reads (a power of 2).
    pub nside: u64,
    /// Input channels (1 for T, 3 for T/Q/U, +1 for a mask channel…).
    pub d_input: usize,
    /// Output channels (filters).
    pub d_output: usize,
    /// Add a learned bias (NNhealpix's layers have none).
    #[config(default = true)]
    pub bias: bool,
}

/// The 9-pixel stencil convolution on NESTED maps.
#[derive(Module, Debug)]
pub struct HealpixConv {
    /// `[9 · d_input, d_output]`: row `k · d_input + c` weighs channel `c` of stencil slot `k`.
    linear: Linear,
    /// The stencil table, `[9 · npix]`, NESTED, missing neighbours = `npix` (a zero pixel).
    stencil: Tensor<1, Int>,
    nside: u64,
    d_input: usize,
}

impl HealpixConvConfig {
    /// The layer on `device` (weights: burn's Linear initialisation over the 9·d_input inputs).
    ///
    /// # Errors
    /// [`GraphError::Healpix`] when `nside` is not a power of 2, [`GraphError::Layer`] when
    /// a channel count is 0.
    pub fn init(&self, device: &Device) -> Result<HealpixConv> {
        if self.d_input == 0 || self.d_output == 0 {
            return Err(GraphError::Layer {
                layer: "HealpixConv",
                detail: format!(
                    "{} input and {} output channels",
                    self.d_input, self.d_output
                ),
            });
        }
        let hp = Healpix::nested(self.nside).map_err(|source| GraphError::Healpix {
            layer: "HealpixConv",
            source,
        })?;
        let table = hp.stencil_table().into_vec();
        let npix = hp.npix() as usize;
        Ok(HealpixConv {
            linear: LinearConfig::new(9 * self.d_input, self.d_output)
                .with_bias(self.bias)
                .init(device),
            stencil: Tensor::from_data(TensorData::new(table, [9 * npix]), device),
            nside: self.nside,
            d_input: self.d_input,
        })
    }
}

impl HealpixConv {
    /// The resolution the layer reads.
    pub fn nside(&self) -> u64 {
        self.nside
    }

    /// The shape of the weight matrix, `[9 · d_input, d_output]`.
    pub fn weight_dims(&self) -> [usize; 2] {
        self.linear.weight.dims()
    }

    /// Whether the layer adds a bias.
    pub fn has_bias(&self) -> bool {
        self.linear.bias.is_some()
    }

    /// The layer with the given kernel, e.g. the weights of a Keras `ConvNeighbours` layer of
    /// NNhealpix (its `Conv1D` kernel has exactly this layout).
    ///
    /// # Shapes
    /// `kernel: [9, d_input, d_output]`, slots in the order SW, W, NW, N, C, NE, E, SE, S.
    ///
    /// # Panics
    /// When the kernel's shape does not match the layer.
    pub fn with_kernel(mut self, kernel: Tensor<3>) -> Self {
        let [k, c, o] = kernel.dims();
        let [rows, cols] = self.linear.weight.dims();
        assert!(
            k == 9 && k * c == rows && o == cols,
            "kernel [{k}, {c}, {o}] for a layer [9, {}, {cols}]",
            self.d_input
        );
        let w = kernel.reshape([rows, cols]);
        self.linear.weight = self.linear.weight.map(|_| w);
        self
    }

    /// The layer with the given bias (one per output channel), e.g. a Keras `Conv1D`'s.
    ///
    /// # Panics
    /// When the layer has no bias or `bias` is not `[d_output]`.
    pub fn with_bias_values(mut self, bias: Tensor<1>) -> Self {
        let param = self.linear.bias.take().expect("a layer with a bias");
        assert_eq!(param.dims(), bias.dims(), "bias shape");
        self.linear.bias = Some(param.map(|_| bias));
        self
    }

    /// The stencil of every pixel laid side by side: `cols[b, p, k · C + c] = x[b, stencil(p)_k, c]`.
    ///
    /// # Shapes
    /// `x: [B, npix, C]` → `[B, npix, 9 · C]`.
    pub fn gather(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, npix, c] = x.dims();
        assert_eq!(
            npix * 9,
            self.stencil.dims()[0],
            "a map of {npix} pixels for a layer at nside {}",
            self.nside
        );
        // Rows of one matrix `[B · (npix + 1), C]` (each map followed by its zero pixel),
        // selected along dimension 0: burn-flex copies (and, backwards, adds) whole rows there,
        // where a selection along dimension 1 of a 3-D tensor goes element by element.
        let device = x.device();
        let zero = Tensor::zeros([b, 1, c], &device);
        let rows = Tensor::cat(vec![x, zero], 1).reshape([b * (npix + 1), c]);
        let offsets = Tensor::<1, Int>::arange(0..b as i64, &device) * (npix as i64 + 1);
        let index = (self.stencil.clone().reshape([1, 9 * npix]) + offsets.reshape([b, 1]))
            .reshape([b * 9 * npix]);
        rows.select(0, index).reshape([b, npix, 9 * c])
    }

    /// # Shapes
    /// `x: [B, npix, d_input]` (NESTED order) → `[B, npix, d_output]`.
    ///
    /// # Panics
    /// When `x` is not a map at the layer's nside with `d_input` channels.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        assert_eq!(x.dims()[2], self.d_input, "input channels");
        self.linear.forward(self.gather(x))
    }
}
