//! DeepSphere's Chebyshev convolution on the HEALPix graph (Perraudin et al. 2019): pixels are
//! nodes joined to their 8 (or 7) neighbours with weights `exp(−d²/(2⟨d²⟩))` (`d` the distance
//! of the pixel centres, `⟨d²⟩` its mean over the edges), `L = I − D^{−1/2} W D^{−1/2}`, and
//! `x' = Σ_{k<K} T_k(L̃) x W_k + b` with `L̃ = 2L/λ_max − I`. Unlike the stencil convolution its
//! filters are isotropic (no N/E/S/W orientation), so it is closer to rotation-equivariant.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::IndexingUpdateOp;
use tessera_healpix::Healpix;

use crate::error::{GraphError, Result};

/// Configuration of [`HealpixChebConv`].
#[derive(Config, Debug)]
pub struct HealpixChebConvConfig {
    /// HEALPix resolution of the maps the layer reads.
    pub nside: u64,
    /// Input channels.
    pub d_input: usize,
    /// Output channels.
    pub d_output: usize,
    /// Number of Chebyshev terms `K ≥ 1` (filters reach `K − 1` neighbours away).
    #[config(default = 3)]
    pub k: usize,
    /// Largest eigenvalue used to rescale `L` (2 bounds it; DeepSphere uses its estimate × 1.02).
    #[config(default = 2.0)]
    pub lambda_max: f64,
}

/// Chebyshev graph filter on NESTED HEALPix maps.
#[derive(Module, Debug)]
pub struct HealpixChebConv {
    terms: Vec<Linear>,
    /// Edge sources and destinations, `[E]` each.
    src: Tensor<1, Int>,
    dst: Tensor<1, Int>,
    /// `w_ij / sqrt(d_i d_j)`, `[1, E, 1]`.
    norm: Tensor<3>,
    npix: usize,
    lambda_max: f64,
}

/// The weighted HEALPix graph of DeepSphere: directed edges (both directions listed) and the
/// symmetric-normalised weight of each.
fn healpix_graph(nside: u64) -> Result<(Vec<i64>, Vec<i64>, Vec<f32>)> {
    let hp = Healpix::nested(nside).map_err(|e| GraphError::Invalid {
        what: "HealpixChebConv".into(),
        detail: e.to_string(),
    })?;
    let table = hp.neighbour_table();
    let npix = hp.npix() as usize;
    let centre = |p: usize| hp.pix2vec(p as u64).expect("pixel in range");
    let (mut src, mut dst, mut d2) = (Vec::new(), Vec::new(), Vec::new());
    for p in 0..npix {
        let a = centre(p);
        for &q in table.as_slice()[8 * p..8 * p + 8]
            .iter()
            .filter(|&&q| q >= 0)
        {
            let b = centre(q as usize);
            src.push(q);
            dst.push(p as i64);
            d2.push((0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>());
        }
    }
    let mean = d2.iter().sum::<f64>() / d2.len() as f64;
    let w: Vec<f64> = d2.iter().map(|d| (-d / (2.0 * mean)).exp()).collect();
    let mut degree = vec![0.0f64; npix];
    for (&t, &wi) in dst.iter().zip(&w) {
        degree[t as usize] += wi;
    }
    let norm = src
        .iter()
        .zip(&dst)
        .zip(&w)
        .map(|((&s, &t), &wi)| (wi / (degree[s as usize] * degree[t as usize]).sqrt()) as f32)
        .collect();
    Ok((src, dst, norm))
}

impl HealpixChebConvConfig {
    /// The layer on `device`.
    ///
    /// # Errors
    /// [`GraphError::Invalid`] for an nside that is not a power of 2.
    pub fn init(&self, device: &Device) -> Result<HealpixChebConv> {
        let (src, dst, norm) = healpix_graph(self.nside)?;
        let e = src.len();
        Ok(HealpixChebConv {
            terms: (0..self.k.max(1))
                .map(|i| {
                    LinearConfig::new(self.d_input, self.d_output)
                        .with_bias(i == 0)
                        .init(device)
                })
                .collect(),
            src: Tensor::from_data(TensorData::new(src, [e]), device),
            dst: Tensor::from_data(TensorData::new(dst, [e]), device),
            norm: Tensor::from_data(TensorData::new(norm, [1, e, 1]), device),
            npix: (12 * self.nside * self.nside) as usize,
            lambda_max: self.lambda_max,
        })
    }
}

impl HealpixChebConv {
    /// `L̃ x`.
    ///
    /// # Shapes
    /// `x: [B, npix, C]` → `[B, npix, C]`.
    pub fn laplacian(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, c] = x.dims();
        assert_eq!(
            n, self.npix,
            "a map of {n} pixels for a layer of {}",
            self.npix
        );
        let messages = x.clone().select(1, self.src.clone()) * self.norm.clone();
        let wx = Tensor::zeros([b, n, c], &x.device()).select_assign(
            1,
            self.dst.clone(),
            messages,
            IndexingUpdateOp::Add,
        );
        (x.clone() - wx) * (2.0 / self.lambda_max) - x
    }

    /// # Shapes
    /// `x: [B, npix, d_input]` (NESTED) → `[B, npix, d_output]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let mut out = self.terms[0].forward(x.clone());
        let (mut prev, mut cur) = (x.clone(), x);
        for (k, term) in self.terms.iter().enumerate().skip(1) {
            let next = if k == 1 {
                self.laplacian(cur.clone())
            } else {
                self.laplacian(cur.clone()) * 2.0 - prev
            };
            out = out + term.forward(next.clone());
            (prev, cur) = (cur, next);
        }
        out
    }
}
