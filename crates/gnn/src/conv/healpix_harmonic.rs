//! Isotropic convolution in harmonic space (zonal filters, Esteves et al. 2018; the spectral
//! layers of Cohen et al.'s spherical CNNs): the map is split into its multipoles, `x = Σ_ℓ P_ℓ x`
//! with `P_ℓ` the projection onto degree `ℓ`, and `x' = Σ_ℓ P_ℓ x W_ℓ + b`. A filter is any
//! function of `ℓ`, exactly: no leakage between multipoles beyond that of the transform itself,
//! where a polynomial of the HEALPix graph Laplacian ([`super::HealpixChebConv`]) mixes them
//! (its eigenvectors are not spherical harmonics). For Q/U maps the terms are the E and B
//! parts of each multipole (spin-2 harmonics), so filters can tell E from B; each part is
//! synthesised either as a Q/U pair or as a scalar map (the E or B map of that multipole, as
//! healpy's `alm2map` of `a_E` or `a_B` alone), the latter half the work and invariant under
//! rotations of the polarisation frame.
//!
//! The projections are dense matrices ([`HarmonicProjector`], built by tessera-train from
//! tessera-sky's transforms), so the layer suits low resolutions (nside ≤ 16).

use std::ops::Range;

use burn::module::Param;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;

use crate::error::{GraphError, Result};

/// One term of a [`HarmonicProjector`]: the coefficients of one multipole (and, for spin 2, of
/// its E or its B part).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarmonicTerm {
    /// The multipole ℓ.
    pub degree: usize,
    /// 0 for a scalar field or the E part, 1 for the B part.
    pub kind: usize,
    /// Its rows of [`HarmonicProjector::analysis`] (columns of the synthesis).
    pub coefficients: Range<usize>,
}

/// A harmonic decomposition of HEALPix fields as two dense real matrices: analysis (map →
/// real coefficients) and synthesis (coefficients → map), with the coefficients grouped into
/// [`HarmonicTerm`]s. A field is `field_channels` consecutive map channels read together: 1
/// for a scalar (T) map, 2 for a spin-2 (Q, U) pair; the synthesis writes `map_channels` per
/// term (the field's own channels, or 1 when a spin-2 field's E and B parts are synthesised as
/// scalar maps). Pixels are NESTED; a field's vector is its channels one after the other
/// (`[channels · npix]`, channel-major).
#[derive(Clone, Debug)]
pub struct HarmonicProjector {
    /// Resolution of the maps.
    pub nside: u64,
    /// Channels of one field (1 scalar, 2 spin-2).
    pub field_channels: usize,
    /// Channels of each term's synthesised map: `field_channels`, or 1 for scalar maps of a
    /// spin-2 field's E and B parts.
    pub map_channels: usize,
    /// `[coefficients, field_channels · npix]`, row-major.
    pub analysis: Vec<f32>,
    /// `[map_channels · npix, coefficients]`, row-major.
    pub synthesis: Vec<f32>,
    /// The terms, in order, their coefficient ranges contiguous and covering all coefficients.
    pub terms: Vec<HarmonicTerm>,
}

impl HarmonicProjector {
    /// Pixels of one map.
    pub fn npix(&self) -> usize {
        (12 * self.nside * self.nside) as usize
    }

    /// Real coefficients of one field.
    pub fn coefficients(&self) -> usize {
        self.terms.last().map_or(0, |t| t.coefficients.end)
    }

    /// Checks that the matrices and terms fit together.
    ///
    /// # Errors
    /// [`GraphError::Layer`] naming the first mismatch.
    pub fn validate(&self) -> Result<()> {
        let invalid = |detail: String| GraphError::Layer {
            layer: "HarmonicProjector",
            detail,
        };
        if self.field_channels == 0 || self.map_channels == 0 || self.terms.is_empty() {
            return Err(invalid(
                "no field channels, no map channels or no terms".into(),
            ));
        }
        let mut next = 0;
        for t in &self.terms {
            if t.coefficients.start != next || t.coefficients.is_empty() {
                return Err(invalid(format!(
                    "term ℓ = {} (kind {}) covers coefficients {:?}, expected a non-empty range \
                     starting at {next}",
                    t.degree, t.kind, t.coefficients
                )));
            }
            next = t.coefficients.end;
        }
        let (analysis, synthesis) = (
            self.field_channels * self.npix() * next,
            self.map_channels * self.npix() * next,
        );
        if self.analysis.len() != analysis || self.synthesis.len() != synthesis {
            return Err(invalid(format!(
                "analysis {} and synthesis {} values, expected {analysis} and {synthesis} ({} \
                 coefficients × {} field and {} map channels × {} pixels)",
                self.analysis.len(),
                self.synthesis.len(),
                next,
                self.field_channels,
                self.map_channels,
                self.npix()
            )));
        }
        Ok(())
    }
}

/// Configuration of [`HealpixHarmonicConv`].
#[derive(Config, Debug)]
pub struct HealpixHarmonicConvConfig {
    /// Input channels (a multiple of the projector's field channels).
    pub d_input: usize,
    /// Output channels.
    pub d_output: usize,
    /// Add a learned bias.
    #[config(default = true)]
    pub bias: bool,
    /// Start from a bank of band-pass filters instead of random weights: filter `j` reads
    /// projected channel `j mod K` through band `j div K` (`K` = input fields × the projector's
    /// map channels, i.e. `d_input` unless E and B are synthesised as scalars); bands alternate
    /// over the term kinds (E, B for spin 2) and are Gaussians in ℓ, evenly spaced over
    /// `0..=ℓ_max`, one spacing wide; no bias.
    #[config(default = false)]
    pub band_pass_init: bool,
}

/// Isotropic filters defined by their response at each multipole, on NESTED maps.
#[derive(Module, Debug)]
pub struct HealpixHarmonicConv {
    /// `[terms · fields · map_channels] → d_output`: the response of every term, projected
    /// channel and output channel.
    weights: Linear,
    /// `[coefficients, field_channels · npix]`.
    analysis: Tensor<2>,
    /// One `[map_channels · npix, coefficients of the term]` block per term.
    synthesis: Vec<Tensor<2>>,
    #[module(skip)]
    ranges: Vec<(usize, usize)>,
    npix: usize,
    field_channels: usize,
    map_channels: usize,
}

/// The band-pass weights of [`HealpixHarmonicConvConfig::band_pass_init`], `[terms · d_input,
/// d_output]` row-major, `d_input` being the projected channels per term.
fn band_pass_weights(terms: &[HarmonicTerm], d_input: usize, d_output: usize) -> Vec<f32> {
    let kinds = terms.iter().map(|t| t.kind + 1).max().unwrap_or(1);
    let lmax = terms.iter().map(|t| t.degree).max().unwrap_or(0);
    let bands = d_output.div_ceil(d_input);
    let centres = bands.div_ceil(kinds);
    let spacing = (lmax + 1) as f64 / centres as f64;
    let mut w = vec![0.0f32; terms.len() * d_input * d_output];
    for j in 0..d_output {
        let (channel, band) = (j % d_input, j / d_input);
        let (kind, centre) = (band % kinds, ((band / kinds) as f64 + 0.5) * spacing);
        for (t, term) in terms.iter().enumerate().filter(|(_, t)| t.kind == kind) {
            let z = (term.degree as f64 - centre) / (0.5 * spacing);
            w[(t * d_input + channel) * d_output + j] = (-0.5 * z * z).exp() as f32;
        }
    }
    w
}

impl HealpixHarmonicConvConfig {
    /// The layer on `device`, filtering in the harmonic basis of `projector`.
    ///
    /// # Errors
    /// [`GraphError::Layer`] for an inconsistent projector, or input channels that are not
    /// whole fields of it.
    pub fn init(
        &self,
        projector: &HarmonicProjector,
        device: &Device,
    ) -> Result<HealpixHarmonicConv> {
        projector.validate()?;
        let f = projector.field_channels;
        if self.d_input == 0 || !self.d_input.is_multiple_of(f) || self.d_output == 0 {
            return Err(GraphError::Layer {
                layer: "HealpixHarmonicConv",
                detail: format!(
                    "{} input channels into {} outputs: the inputs must be whole fields of {f} \
                     channels (Q, U pairs for spin 2) and both counts positive",
                    self.d_input, self.d_output
                ),
            });
        }
        let (npix, ncoef, terms, m) = (
            projector.npix(),
            projector.coefficients(),
            projector.terms.len(),
            projector.map_channels,
        );
        let rows = f * npix;
        let projected = self.d_input / f * m;
        let synthesis = Tensor::<2>::from_data(
            TensorData::new(projector.synthesis.clone(), [m * npix, ncoef]),
            device,
        );
        let ranges: Vec<(usize, usize)> = projector
            .terms
            .iter()
            .map(|t| (t.coefficients.start, t.coefficients.len()))
            .collect();
        let mut weights = LinearConfig::new(terms * projected, self.d_output)
            .with_bias(self.bias)
            .init(device);
        if self.band_pass_init {
            let w = band_pass_weights(&projector.terms, projected, self.d_output);
            weights.weight = Param::from_tensor(Tensor::from_data(
                TensorData::new(w, [terms * projected, self.d_output]),
                device,
            ));
            if let Some(bias) = &mut weights.bias {
                *bias = Param::from_tensor(Tensor::zeros([self.d_output], device));
            }
        }
        Ok(HealpixHarmonicConv {
            weights,
            analysis: Tensor::from_data(
                TensorData::new(projector.analysis.clone(), [ncoef, rows]),
                device,
            ),
            synthesis: ranges
                .iter()
                .map(|&(start, len)| synthesis.clone().narrow(1, start, len))
                .collect(),
            ranges,
            npix,
            field_channels: f,
            map_channels: m,
        })
    }
}

impl HealpixHarmonicConv {
    /// Number of terms (multipoles, times 2 for spin 2's E and B).
    pub fn terms(&self) -> usize {
        self.ranges.len()
    }

    /// The projections `P_t x` of every term side by side along the channels: for each term,
    /// the part of every input field in that multipole (and E or B part), as a map.
    ///
    /// # Shapes
    /// `x: [B, npix, C]` (NESTED) → `[B, npix, T·K]` with `K = C / field_channels ·
    /// map_channels` (`C` unless E and B become scalar maps), term `t` in channels
    /// `t·K..(t+1)·K`.
    pub fn basis(&self, x: Tensor<3>) -> Tensor<3> {
        let [b, n, c] = x.dims();
        assert_eq!(
            n, self.npix,
            "a map of {n} pixels for a layer of {}",
            self.npix
        );
        let (f, m) = (self.field_channels, self.map_channels);
        let g = c / f;
        // Fields as columns: [B, npix, G, f] → [f, npix, B, G] → [f·npix, B·G].
        let fields = x
            .reshape([b, n, g, f])
            .permute([3, 1, 0, 2])
            .reshape([f * n, b * g]);
        let coefficients = self.analysis.clone().matmul(fields);
        let parts: Vec<Tensor<2>> = self
            .synthesis
            .iter()
            .zip(&self.ranges)
            .map(|(s, &(start, len))| s.clone().matmul(coefficients.clone().narrow(0, start, len)))
            .collect();
        let t = parts.len();
        Tensor::cat(parts, 1)
            .reshape([m, n, t, b, g])
            .permute([3, 1, 2, 4, 0])
            .reshape([b, n, t * g * m])
    }

    /// `Σ_t P_t x W_t + b`, one product of the stacked projections with the stacked weights.
    ///
    /// # Shapes
    /// `x: [B, npix, d_input]` (NESTED) → `[B, npix, d_output]`.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        self.weights.forward(self.basis(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A projector at nside 1 with random matrices and three terms of 2, 3 and 1 coefficients
    /// (kinds 0, 1, 0), for `f` field channels and `m` map channels.
    fn random_projector(f: usize, m: usize) -> HarmonicProjector {
        let terms = vec![
            HarmonicTerm {
                degree: 0,
                kind: 0,
                coefficients: 0..2,
            },
            HarmonicTerm {
                degree: 1,
                kind: 1,
                coefficients: 2..5,
            },
            HarmonicTerm {
                degree: 2,
                kind: 0,
                coefficients: 5..6,
            },
        ];
        let value =
            |i: usize, salt: usize| (((i * 7919 + salt * 104729) % 997) as f32 / 498.5) - 1.0;
        HarmonicProjector {
            nside: 1,
            field_channels: f,
            map_channels: m,
            analysis: (0..6 * f * 12).map(|i| value(i, 1)).collect(),
            synthesis: (0..6 * m * 12).map(|i| value(i, 2)).collect(),
            terms,
        }
    }

    /// The stacked product equals `Σ_t S_t A_t x W_t + b` computed term by term in f64 on the
    /// CPU, for scalar fields and for spin-2 pairs (two fields of two channels) synthesised as
    /// pairs or as scalar maps.
    #[test]
    fn forward_is_the_sum_of_the_projected_terms() {
        let device = Device::flex();
        for (f, m) in [(1, 1), (2, 2), (2, 1)] {
            let p = random_projector(f, m);
            let (c, d_out, b, n) = (2 * f, 3, 2, 12);
            let conv = HealpixHarmonicConvConfig::new(c, d_out)
                .init(&p, &device)
                .unwrap();
            let x = Tensor::<3>::random(
                [b, n, c],
                burn::tensor::Distribution::Normal(0.0, 1.0),
                &device,
            );
            let xs: Vec<f32> = x.clone().into_data().try_to_vec::<f32>().unwrap();
            let w: Vec<f32> = conv
                .weights
                .weight
                .val()
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let bias: Vec<f32> = conv
                .weights
                .bias
                .as_ref()
                .unwrap()
                .val()
                .into_data()
                .try_to_vec::<f32>()
                .unwrap();
            let got: Vec<f32> = conv.forward(x).into_data().try_to_vec::<f32>().unwrap();
            let (rows, k) = (f * n, c / f * m);
            // A field's vector is channel-major; row r is channel r / n, pixel r % n.
            let mut want = vec![0.0f64; b * n * d_out];
            for batch in 0..b {
                for pix in 0..n {
                    for o in 0..d_out {
                        want[(batch * n + pix) * d_out + o] = bias[o] as f64;
                    }
                }
                for field in 0..c / f {
                    let v: Vec<f64> = (0..rows)
                        .map(|r| xs[(batch * n + r % n) * c + field * f + r / n] as f64)
                        .collect();
                    let a: Vec<f64> = (0..6)
                        .map(|k| {
                            (0..rows)
                                .map(|r| p.analysis[k * rows + r] as f64 * v[r])
                                .sum()
                        })
                        .collect();
                    for (t, term) in p.terms.iter().enumerate() {
                        for r in 0..m * n {
                            let proj: f64 = term
                                .coefficients
                                .clone()
                                .map(|j| p.synthesis[r * 6 + j] as f64 * a[j])
                                .sum();
                            let (ch, pix) = (field * m + r / n, r % n);
                            for o in 0..d_out {
                                want[(batch * n + pix) * d_out + o] +=
                                    proj * w[(t * k + ch) * d_out + o] as f64;
                            }
                        }
                    }
                }
            }
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (*g as f64 - w).abs() < 1e-3 * w.abs().max(1.0),
                    "f = {f}, m = {m}: {g} vs {w}"
                );
            }
        }
    }

    #[test]
    fn band_pass_init_gives_each_filter_one_band_of_one_kind_and_channel() {
        let terms: Vec<HarmonicTerm> = (0..20)
            .flat_map(|l| {
                (0..2).map(move |kind| HarmonicTerm {
                    degree: l,
                    kind,
                    coefficients: 0..1, // ranges do not matter here
                })
            })
            .collect();
        let (d_in, d_out) = (2, 8);
        let w = band_pass_weights(&terms, d_in, d_out);
        // 4 bands: E and B at centres 5 and 15 (spacing 10).
        for j in 0..d_out {
            let (channel, band) = (j % d_in, j / d_in);
            let (kind, centre) = (band % 2, 5 + 10 * (band / 2));
            for (t, term) in terms.iter().enumerate() {
                for ch in 0..d_in {
                    let v = w[(t * d_in + ch) * d_out + j];
                    if ch != channel || term.kind != kind {
                        assert_eq!(v, 0.0, "filter {j} reads term {t} channel {ch}");
                    } else {
                        // A Gaussian one spacing (10) wide: σ = 5.
                        let z = (term.degree as f64 - centre as f64) / 5.0;
                        assert!((v as f64 - (-0.5 * z * z).exp()).abs() < 1e-6, "{v}");
                    }
                }
            }
        }
    }

    #[test]
    fn inconsistent_projectors_and_split_fields_are_refused() {
        let device = Device::flex();
        let mut p = random_projector(2, 2);
        assert!(
            HealpixHarmonicConvConfig::new(3, 4)
                .init(&p, &device)
                .is_err()
        );
        p.analysis.pop();
        let e = HealpixHarmonicConvConfig::new(2, 4)
            .init(&p, &device)
            .unwrap_err();
        assert!(e.to_string().contains("analysis"), "{e}");
        let mut p = random_projector(1, 1);
        p.terms[1].coefficients = 3..5;
        assert!(
            HealpixHarmonicConvConfig::new(1, 4)
                .init(&p, &device)
                .is_err()
        );
    }
}
