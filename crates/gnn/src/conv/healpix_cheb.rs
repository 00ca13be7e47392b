//! DeepSphere's Chebyshev convolution on the HEALPix graph (Perraudin et al. 2019): pixels are
//! nodes joined to their 8 (or 7) neighbours with weights `exp(−d²/(2⟨d²⟩))` (`d` the distance
//! of the pixel centres, `⟨d²⟩` its mean over the edges), `L = I − D^{−1/2} W D^{−1/2}`, and
//! `x' = Σ_{k<K} T_k(L̃) x W_k + b` with `L̃ = 2L/λ_max − I`. Unlike the stencil convolution its
//! filters are isotropic (no N/E/S/W orientation), so it is closer to rotation-equivariant.

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
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
    /// Add a learned bias.
    #[config(default = true)]
    pub bias: bool,
    /// Start from a bank of band-pass filters instead of random weights: filter `j` reads input
    /// channel `j mod d_input` through band `j div d_input` of `⌈d_output / d_input⌉` Gaussian
    /// bands evenly spaced in `√λ` (which grows like ℓ at large scales, so the bands split the
    /// multipoles evenly), each expanded in the `K` Chebyshev terms with Jackson damping (no
    /// Gibbs ringing into the stop band), and no bias. Training then sharpens them.
    #[config(default = false)]
    pub band_pass_init: bool,
}

/// Chebyshev coefficients (Jackson-damped) of `f` on `[−1, 1]`, `k` terms.
fn chebyshev_coefficients(f: impl Fn(f64) -> f64, k: usize) -> Vec<f64> {
    use std::f64::consts::PI;
    let nodes = 4 * k.max(16);
    let theta = |n: usize| PI * (n as f64 + 0.5) / nodes as f64;
    let m = (k + 1) as f64;
    (0..k)
        .map(|j| {
            let c = (0..nodes)
                .map(|n| f(theta(n).cos()) * (j as f64 * theta(n)).cos())
                .sum::<f64>()
                * if j == 0 { 1.0 } else { 2.0 }
                / nodes as f64;
            let a = PI * j as f64 / m;
            let jackson = ((m - j as f64) * a.cos() + a.sin() / (PI / m).tan()) / m;
            c * jackson
        })
        .collect()
}

/// The band-pass weights of [`HealpixChebConvConfig::band_pass_init`]: `[K][d_input · d_output]`.
fn band_pass_weights(k: usize, d_input: usize, d_output: usize, lambda_max: f64) -> Vec<Vec<f32>> {
    let bands = d_output.div_ceil(d_input);
    let top = lambda_max.sqrt();
    let width = top / bands as f64;
    let filters: Vec<Vec<f64>> = (0..bands)
        .map(|b| {
            let centre = (b as f64 + 0.5) * width;
            chebyshev_coefficients(
                |x| {
                    let root = ((x + 1.0) * lambda_max / 2.0).max(0.0).sqrt();
                    (-(root - centre).powi(2) / (2.0 * (0.5 * width).powi(2))).exp()
                },
                k,
            )
        })
        .collect();
    (0..k)
        .map(|term| {
            let mut w = vec![0.0f32; d_input * d_output];
            for j in 0..d_output {
                w[(j % d_input) * d_output + j] = filters[j / d_input][term] as f32;
            }
            w
        })
        .collect()
}

/// Chebyshev graph filter on NESTED HEALPix maps.
#[derive(Module, Debug)]
pub struct HealpixChebConv {
    terms: Vec<Linear>,
    /// For every pixel its 8 neighbours and itself, `[9 · npix]` (a missing neighbour repeats
    /// the pixel, with coefficient 0).
    neighbours: Tensor<1, Int>,
    /// The row of `L̃` on those 9 pixels, `[npix, 9, 1]`.
    coefficients: Tensor<3>,
    npix: usize,
}

/// The rows of DeepSphere's rescaled Laplacian `L̃ = (2/λ_max)(I − D^{−1/2} W D^{−1/2}) − I`
/// on the HEALPix graph, 9 entries per pixel: the pixel's neighbour table (with a repeat of the
/// pixel and coefficient 0 where a neighbour is missing) and the pixel itself.
fn laplacian_rows(nside: u64, lambda_max: f64) -> Result<(Vec<i64>, Vec<f32>)> {
    let hp = Healpix::nested(nside).map_err(|source| GraphError::Healpix {
        layer: "HealpixChebConv",
        source,
    })?;
    let table = hp.neighbour_table();
    let table = table.as_slice();
    let npix = hp.npix() as usize;
    let centre = |p: usize| hp.pix2vec(p as u64).expect("pixel in range");
    // Squared chord to each of the 8 neighbour slots of every pixel (None where it is missing),
    // computed once; the weights, degrees and coefficients all read it.
    let d2: Vec<Option<f64>> = (0..8 * npix)
        .map(|slot| {
            let q = table[slot];
            (q >= 0).then(|| {
                let (a, b) = (centre(slot / 8), centre(q as usize));
                (0..3).map(|i| (a[i] - b[i]).powi(2)).sum::<f64>()
            })
        })
        .collect();
    let present: Vec<f64> = d2.iter().flatten().copied().collect();
    let mean = present.iter().sum::<f64>() / present.len() as f64;
    let weight: Vec<f64> = d2
        .iter()
        .map(|d| d.map_or(0.0, |d| (-d / (2.0 * mean)).exp()))
        .collect();
    let degree: Vec<f64> = weight.chunks(8).map(|w| w.iter().sum()).collect();
    let scale = 2.0 / lambda_max;
    let (mut neighbours, mut coefficients) = (Vec::with_capacity(9 * npix), Vec::new());
    for p in 0..npix {
        for slot in 8 * p..8 * p + 8 {
            let q = table[slot];
            if q >= 0 {
                let q = q as usize;
                neighbours.push(q as i64);
                coefficients.push((-scale * weight[slot] / (degree[p] * degree[q]).sqrt()) as f32);
            } else {
                neighbours.push(p as i64);
                coefficients.push(0.0);
            }
        }
        neighbours.push(p as i64);
        coefficients.push((scale - 1.0) as f32);
    }
    Ok((neighbours, coefficients))
}

impl HealpixChebConvConfig {
    /// The layer on `device`.
    ///
    /// # Errors
    /// [`GraphError::Healpix`] for an nside that is not a power of 2.
    pub fn init(&self, device: &Device) -> Result<HealpixChebConv> {
        let (neighbours, coefficients) = laplacian_rows(self.nside, self.lambda_max)?;
        let npix = (12 * self.nside * self.nside) as usize;
        let k = self.k.max(1);
        let mut terms: Vec<Linear> = (0..k)
            .map(|i| {
                LinearConfig::new(self.d_input, self.d_output)
                    .with_bias(self.bias && i == 0)
                    .init(device)
            })
            .collect();
        if self.band_pass_init {
            let weights = band_pass_weights(k, self.d_input, self.d_output, self.lambda_max);
            for (term, w) in terms.iter_mut().zip(weights) {
                term.weight = Param::from_tensor(Tensor::from_data(
                    TensorData::new(w, [self.d_input, self.d_output]),
                    device,
                ));
                if let Some(bias) = &mut term.bias {
                    *bias = Param::from_tensor(Tensor::zeros([self.d_output], device));
                }
            }
        }
        Ok(HealpixChebConv {
            terms,
            neighbours: Tensor::from_data(TensorData::new(neighbours, [9 * npix]), device),
            coefficients: Tensor::from_data(TensorData::new(coefficients, [npix, 9, 1]), device),
            npix,
        })
    }
}

impl HealpixChebConv {
    /// `L̃` applied to maps stored as rows, one per pixel.
    ///
    /// # Shapes
    /// `rows: [npix, M]` → `[npix, M]`.
    fn laplacian_of_rows(&self, rows: Tensor<2>) -> Tensor<2> {
        let m = rows.dims()[1];
        // burn-flex copies whole rows when it selects along dimension 0.
        (rows
            .select(0, self.neighbours.clone())
            .reshape([self.npix, 9, m])
            * self.coefficients.clone())
        .sum_dim(1)
        .reshape([self.npix, m])
    }

    /// Maps `[B, npix, C]` as rows `[npix, B · C]`.
    fn to_rows(&self, x: Tensor<3>) -> Tensor<2> {
        let [b, n, c] = x.dims();
        assert_eq!(
            n, self.npix,
            "a map of {n} pixels for a layer of {}",
            self.npix
        );
        x.swap_dims(0, 1).reshape([n, b * c])
    }

    /// `L̃ x`.
    ///
    /// # Shapes
    /// `x: [B, npix, C]` → `[B, npix, C]`.
    pub fn laplacian(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, c] = x.dims();
        self.laplacian_of_rows(self.to_rows(x))
            .reshape([n, b, c])
            .swap_dims(0, 1)
    }

    /// The Chebyshev basis `T_0(L̃)x, …, T_{K−1}(L̃)x` side by side along the channels.
    ///
    /// # Shapes
    /// `x: [B, npix, C]` (NESTED) → `[B, npix, K·C]`, term `k` in channels `k·C..(k+1)·C`.
    pub fn basis(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, c] = x.dims();
        // The recursion runs on the maps as rows of a matrix, transposed once each way.
        let x = self.to_rows(x);
        let mut terms = vec![x.clone()];
        let (mut prev, mut cur) = (x.clone(), x);
        for k in 1..self.terms.len() {
            let next = if k == 1 {
                self.laplacian_of_rows(cur.clone())
            } else {
                self.laplacian_of_rows(cur.clone()) * 2.0 - prev
            };
            terms.push(next.clone());
            (prev, cur) = (cur, next);
        }
        let k = terms.len();
        let terms = terms.into_iter().map(|t| t.reshape([n, b, c])).collect();
        Tensor::cat(terms, 2).swap_dims(0, 1).reshape([b, n, k * c])
    }

    /// `Σ_k T_k(L̃) x W_k + b`, as one product of the stacked basis with the stacked weights (a
    /// high-order filter costs one matrix product, not K).
    ///
    /// # Shapes
    /// `x: [B, npix, d_input]` (NESTED) → `[B, npix, d_output]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let weights = Tensor::cat(self.terms.iter().map(|t| t.weight.val()).collect(), 0);
        let out = self.basis(x).matmul(weights.unsqueeze());
        match &self.terms[0].bias {
            Some(bias) => out + bias.val().unsqueeze(),
            None => out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stacked product equals `Σ_k T_k(L̃) x W_k + b` term by term, with the recursion
    /// `T_0 = x`, `T_1 = L̃x`, `T_k = 2L̃T_{k−1} − T_{k−2}` written out.
    #[test]
    fn forward_is_the_sum_of_the_chebyshev_terms() {
        let device = Device::flex();
        let conv = HealpixChebConvConfig::new(2, 2, 3)
            .with_k(5)
            .init(&device)
            .unwrap();
        let x = Tensor::<3>::random(
            [2, 48, 2],
            burn::tensor::Distribution::Normal(0.0, 1.0),
            &device,
        );
        let mut t = vec![x.clone(), conv.laplacian(x.clone())];
        for k in 2..5 {
            t.push(conv.laplacian(t[k - 1].clone()) * 2.0 - t[k - 2].clone());
        }
        let by_terms = conv
            .terms
            .iter()
            .zip(t)
            .map(|(term, tk)| term.forward(tk))
            .reduce(|a, b| a + b)
            .unwrap();
        let want: Vec<f32> = by_terms.into_data().try_to_vec::<f32>().unwrap();
        let got: Vec<f32> = conv.forward(x).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(got.len(), 2 * 48 * 3);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-4 * w.abs().max(1.0), "{g} vs {w}");
        }
    }

    /// The band-pass bank: each filter's response `Σ_k c_k T_k(x)` peaks at its band's centre
    /// (in `√λ`) and falls below 1 % of its peak two band widths away; filter `j` reads input
    /// channel `j mod d_input` only.
    #[test]
    fn band_pass_init_spreads_band_passes_over_the_spectrum() {
        let (k, bands) = (40, 8);
        let weights = band_pass_weights(k, 1, bands, 2.0);
        let response = |band: usize, lambda: f64| -> f64 {
            let x = (lambda - 1.0).clamp(-1.0, 1.0);
            (0..k)
                .map(|t| weights[t][band] as f64 * (t as f64 * x.acos()).cos())
                .sum()
        };
        let width = 2f64.sqrt() / bands as f64;
        for band in 1..bands - 1 {
            let centre = (band as f64 + 0.5) * width;
            let peak = response(band, centre * centre);
            let grid = (0..=400).map(|i| 2.0 * i as f64 / 400.0);
            let (best, _) = grid
                .clone()
                .map(|l| (l, response(band, l)))
                .fold((0.0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a });
            assert!(
                (best.sqrt() - centre).abs() < 0.5 * width,
                "band {band}: peak at √λ {} for centre {centre}",
                best.sqrt()
            );
            for l in grid.filter(|l: &f64| (l.sqrt() - centre).abs() > 2.0 * width) {
                let r = response(band, l);
                assert!(
                    r.abs() < 0.01 * peak,
                    "band {band}: {r} at λ {l} (peak {peak})"
                );
            }
        }
        // Two input channels: filter j reads channel j mod 2, band j div 2.
        let two = band_pass_weights(k, 2, 4, 2.0);
        for (j, input) in [(0, 0), (1, 1), (2, 0), (3, 1)] {
            assert_eq!(two[0][(1 - input) * 4 + j], 0.0);
            assert!(two[0][input * 4 + j] != 0.0);
        }
    }
}
