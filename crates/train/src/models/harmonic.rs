//! The dense harmonic projector of [`tessera_gnn::conv::HealpixHarmonicConv`], built from
//! tessera-sky's transforms: the synthesis columns are `alm2map` of unit coefficients, the
//! analysis rows `map2alm` (healpy's 3 Jacobi iterations, as `tessera estimate` uses) of unit
//! maps, so the layer splits a map into multipoles exactly as the likelihood's `anafast` does.

use rayon::prelude::*;
use tessera_gnn::conv::{HarmonicProjector, HarmonicTerm};
use tessera_healpix::{Healpix, Scheme};
use tessera_sky::sht::{Alm, Complex64, ShtPlan};

use crate::error::{Result, TrainError};

/// Jacobi iterations of the analysis (healpy's default, and `tessera estimate`'s).
const ANALYSIS_ITERATIONS: usize = 3;

/// Largest map the dense projector is built for: its two matrices hold `(field · npix)²·¾`
/// values each (28 MB at nside 16 for T, 113 MB for Q/U).
pub const MAX_HARMONIC_NSIDE: u64 = 16;

/// One real coefficient: the real or imaginary part of `a_ℓm`.
#[derive(Clone, Copy)]
struct Coefficient {
    l: usize,
    m: usize,
    imaginary: bool,
}

/// The real coefficients of multipole `l`: `Re a_ℓ0`, then `Re a_ℓm`, `Im a_ℓm` for `m ≥ 1`.
fn coefficients_of(l: usize) -> impl Iterator<Item = Coefficient> {
    std::iter::once(Coefficient {
        l,
        m: 0,
        imaginary: false,
    })
    .chain(
        (1..=l).flat_map(move |m| [false, true].map(|imaginary| Coefficient { l, m, imaginary })),
    )
}

/// The fields a [`harmonic_projector`] reads and the maps it writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HarmonicFields {
    /// A scalar (T) map in, one scalar map per multipole out.
    Scalar,
    /// A Q, U pair in, a Q, U pair per multipole's E part and per its B part out.
    Spin2,
    /// A Q, U pair in, the scalar E map and the scalar B map of each multipole out (healpy's
    /// `alm2map` of that multipole's `a_E` or `a_B` alone): what rotating the polarisation frame
    /// leaves unchanged, at half the synthesis of [`HarmonicFields::Spin2`].
    Spin2AsScalars,
}

/// The projector onto the multipoles `ℓ ≤ 3·nside − 1` of NESTED maps: one term per ℓ for a
/// scalar field, or an E and a B term per ℓ ≥ 2 for a Q, U pair.
///
/// # Errors
/// [`TrainError::NsideTooLarge`] above [`MAX_HARMONIC_NSIDE`]; errors of the transforms.
pub fn harmonic_projector(nside: u64, fields: HarmonicFields) -> Result<HarmonicProjector> {
    if nside > MAX_HARMONIC_NSIDE {
        return Err(TrainError::NsideTooLarge {
            network: "the harmonic convolution",
            nside,
            max: MAX_HARMONIC_NSIDE,
            why: "it stores dense projections; finer maps need the stencil or Chebyshev \
                  convolution, or degrading first",
        });
    }
    let hp = Healpix::nested(nside)?;
    let npix = hp.npix() as usize;
    // ring[p]: the RING index of NESTED pixel p.
    let ring: Vec<usize> = hp
        .reorder_permutation(Scheme::Ring, Scheme::Nested)?
        .into_iter()
        .map(|r| r as usize)
        .collect();
    let lmax = 3 * nside as usize - 1;
    let spin2 = fields != HarmonicFields::Scalar;
    let kinds = if spin2 { 2 } else { 1 };
    let first = if spin2 { 2 } else { 0 };
    let mut terms = Vec::new();
    let mut coefficients: Vec<(usize, Coefficient)> = Vec::new();
    for l in first..=lmax {
        for kind in 0..kinds {
            let start = coefficients.len();
            coefficients.extend(coefficients_of(l).map(|c| (kind, c)));
            terms.push(HarmonicTerm {
                degree: l,
                kind,
                coefficients: start..coefficients.len(),
            });
        }
    }
    let field_channels = kinds; // 1 (T) or 2 (Q, U)
    let rows = field_channels * npix;
    let ncoef = coefficients.len();
    let unit = |c: Coefficient| {
        let mut alm = Alm::zeros(lmax, lmax);
        let v = if c.imaginary {
            Complex64::new(0.0, 1.0)
        } else {
            Complex64::new(1.0, 0.0)
        };
        alm.set(c.l, c.m, v);
        alm
    };
    // One plan per worker: a plan's scratch buffer serves one transform at a time. The first
    // is built here, so that a plan that cannot be built is an error, not a worker's panic.
    ShtPlan::new(nside, lmax, lmax)?;
    let new_plan = || ShtPlan::new(nside, lmax, lmax).expect("built once above");
    // Synthesis: column j is the map of coefficient j (channel-major, NESTED).
    let columns: Vec<Vec<Vec<f64>>> = coefficients
        .par_iter()
        .map_init(new_plan, |plan, &(kind, c)| -> Result<Vec<Vec<f64>>> {
            Ok(if fields == HarmonicFields::Spin2 {
                let (one, zero) = (unit(c), Alm::zeros(lmax, lmax));
                let (e, b) = if kind == 0 {
                    (&one, &zero)
                } else {
                    (&zero, &one)
                };
                plan.alm2map_spin2(e, b)?.to_vec()
            } else {
                vec![plan.alm2map(&unit(c))?]
            })
        })
        .collect::<Result<_>>()?;
    let map_channels = columns.first().map_or(1, Vec::len);
    let mut synthesis = vec![0.0f32; map_channels * npix * ncoef];
    for (j, maps) in columns.iter().enumerate() {
        for (channel, map) in maps.iter().enumerate() {
            for (p, &r) in ring.iter().enumerate() {
                synthesis[(channel * npix + p) * ncoef + j] = map[r] as f32;
            }
        }
    }
    // Analysis: column (channel, p) holds the coefficients of the unit map there.
    let read = |alm: &Alm, c: Coefficient| {
        let v = alm.get(c.l, c.m);
        if c.imaginary { v.im } else { v.re }
    };
    let pixels: Vec<(usize, usize)> = (0..field_channels)
        .flat_map(|channel| ring.iter().map(move |&r| (channel, r)))
        .collect();
    let impulses: Vec<Vec<f32>> = pixels
        .par_iter()
        .map_init(new_plan, |plan, &(channel, r)| -> Result<Vec<f32>> {
            let (mut impulse, zero) = (vec![0.0f64; npix], vec![0.0f64; npix]);
            impulse[r] = 1.0;
            let alms = if spin2 {
                let (q, u) = if channel == 0 {
                    (&impulse, &zero)
                } else {
                    (&zero, &impulse)
                };
                plan.map2alm_spin2(q, u, ANALYSIS_ITERATIONS)?.to_vec()
            } else {
                vec![plan.map2alm(&impulse, ANALYSIS_ITERATIONS)?]
            };
            Ok(coefficients
                .iter()
                .map(|&(kind, c)| read(&alms[kind], c) as f32)
                .collect())
        })
        .collect::<Result<_>>()?;
    let mut analysis = vec![0.0f32; ncoef * rows];
    for (column, values) in impulses.iter().enumerate() {
        for (i, v) in values.iter().enumerate() {
            analysis[i * rows + column] = *v;
        }
    }
    let projector = HarmonicProjector {
        nside,
        field_channels,
        map_channels,
        analysis,
        synthesis,
        terms,
    };
    projector.validate()?;
    Ok(projector)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A band-limited map (random coefficients up to ℓ_max, NESTED).
    fn random_alm(lmax: usize, seed: u64) -> Alm {
        let mut alm = Alm::zeros(lmax, lmax);
        let mut state = seed;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64) - 0.5
        };
        for m in 0..=lmax {
            for l in m..=lmax {
                let im = if m == 0 { 0.0 } else { next() };
                alm.set(l, m, Complex64::new(next(), im));
            }
        }
        alm
    }

    fn project(p: &HarmonicProjector, field: &[f64]) -> Vec<Vec<f64>> {
        let (rows, ncoef) = (field.len(), p.coefficients());
        let out_rows = p.map_channels * p.npix();
        let a: Vec<f64> = (0..ncoef)
            .map(|k| {
                (0..rows)
                    .map(|r| p.analysis[k * rows + r] as f64 * field[r])
                    .sum()
            })
            .collect();
        p.terms
            .iter()
            .map(|t| {
                (0..out_rows)
                    .map(|r| {
                        t.coefficients
                            .clone()
                            .map(|k| p.synthesis[r * ncoef + k] as f64 * a[k])
                            .sum()
                    })
                    .collect()
            })
            .collect()
    }

    /// The RING → NESTED reordering of a map.
    fn nest(hp: &Healpix, ring_map: &[f64]) -> Vec<f64> {
        hp.reorder(ring_map, Scheme::Ring, Scheme::Nested).unwrap()
    }

    fn distance(a: &[f64], b: &[f64]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    /// The coefficients of multipole `l` only.
    fn only(alm: &Alm, l: usize) -> Alm {
        let mut out = Alm::zeros(alm.lmax(), alm.lmax());
        for m in 0..=l {
            out.set(l, m, alm.get(l, m));
        }
        out
    }

    /// Each projection is `alm2map` of that multipole's coefficients from `map2alm` (3
    /// iterations): the split `anafast` makes. They sum to the map up to the transform's
    /// accuracy at nside 4.
    #[test]
    fn scalar_projections_split_a_map_into_its_multipoles() {
        let nside = 4;
        let p = harmonic_projector(nside, HarmonicFields::Scalar).unwrap();
        let lmax = 3 * nside as usize - 1;
        assert_eq!(p.terms.len(), lmax + 1);
        assert_eq!(p.coefficients(), (lmax + 1) * (lmax + 1));
        let plan = ShtPlan::new(nside, lmax, lmax).unwrap();
        let hp = Healpix::nested(nside).unwrap();
        let ring_map = plan.alm2map(&random_alm(lmax, 7)).unwrap();
        let map = nest(&hp, &ring_map);
        let parts = project(&p, &map);
        let measured = plan.map2alm(&ring_map, 3).unwrap();
        let scale = map.iter().map(|v| v * v).sum::<f64>().sqrt();
        for (l, part) in parts.iter().enumerate() {
            let want = nest(&hp, &plan.alm2map(&only(&measured, l)).unwrap());
            let err = distance(part, &want);
            assert!(err < 1e-5 * scale, "ℓ = {l}: {err} of {scale}");
        }
        let sum: Vec<f64> = (0..map.len())
            .map(|i| parts.iter().map(|part| part[i]).sum())
            .collect();
        assert!(distance(&sum, &map) < 1e-2 * scale);
    }

    /// On a pure-E Q/U map the E terms are the E coefficients of `map2alm_spin2` put back, the B
    /// terms its (small) B leakage, and the E terms sum to the map.
    #[test]
    fn spin2_projections_separate_e_from_b() {
        let nside = 4;
        let p = harmonic_projector(nside, HarmonicFields::Spin2).unwrap();
        let scalars = harmonic_projector(nside, HarmonicFields::Spin2AsScalars).unwrap();
        let lmax = 3 * nside as usize - 1;
        assert_eq!(p.terms.len(), 2 * (lmax - 1));
        assert_eq!(scalars.terms, p.terms);
        assert_eq!((p.map_channels, scalars.map_channels), (2, 1));
        let plan = ShtPlan::new(nside, lmax, lmax).unwrap();
        let hp = Healpix::nested(nside).unwrap();
        let mut e = random_alm(lmax, 11);
        for l in 0..2 {
            for m in 0..=l {
                e.set(l, m, Complex64::new(0.0, 0.0));
            }
        }
        let zero = Alm::zeros(lmax, lmax);
        let [q, u] = plan.alm2map_spin2(&e, &zero).unwrap();
        let field: Vec<f64> = [nest(&hp, &q), nest(&hp, &u)].concat();
        let parts = project(&p, &field);
        let scalar_parts = project(&scalars, &field);
        let measured = plan.map2alm_spin2(&q, &u, 3).unwrap();
        let total = distance(&field, &vec![0.0; field.len()]);
        let mut e_sum = vec![0.0; field.len()];
        for ((t, part), scalar_part) in p.terms.iter().zip(&parts).zip(&scalar_parts) {
            let coefficients = only(&measured[t.kind], t.degree);
            // The scalar version: the E (or B) map of this multipole, as alm2map makes it.
            let want = nest(&hp, &plan.alm2map(&coefficients).unwrap());
            let err = distance(scalar_part, &want);
            assert!(
                err < 1e-5 * total,
                "scalar ℓ = {} kind {}: {err}",
                t.degree,
                t.kind
            );
            let [wq, wu] = if t.kind == 0 {
                plan.alm2map_spin2(&coefficients, &zero).unwrap()
            } else {
                plan.alm2map_spin2(&zero, &coefficients).unwrap()
            };
            let want = [nest(&hp, &wq), nest(&hp, &wu)].concat();
            let err = distance(part, &want);
            assert!(
                err < 1e-5 * total,
                "ℓ = {} kind {}: {err} of {total}",
                t.degree,
                t.kind
            );
            if t.kind == 0 {
                e_sum.iter_mut().zip(part).for_each(|(s, v)| *s += v);
            } else {
                let leak = distance(part, &vec![0.0; part.len()]);
                assert!(
                    leak < 1e-2 * total,
                    "B leakage at ℓ {}: {leak} of {total}",
                    t.degree
                );
            }
        }
        assert!(distance(&e_sum, &field) < 2e-2 * total);
    }

    /// Why the harmonic layer: the response of each band-pass filter to maps of a single
    /// multipole (output power over input power), for the harmonic bank and DeepSphere's
    /// Chebyshev bank of 40 terms (both started as band-passes, 16 filters, nside 8). Far from
    /// its peak (≥ 8 multipoles away) the harmonic filter passes nothing but the transform's
    /// error (9·10⁻⁶); the polynomial of the graph Laplacian passes 10⁻¹ — its resolution is
    /// uniform in λ (∝ ℓ², so coarse at large scales) and its eigenvectors are not spherical
    /// harmonics — which buries the 10⁻³–10⁻⁵ tails of a peaked spectrum under its peak.
    #[test]
    fn harmonic_band_passes_leak_far_less_than_chebyshev_ones() {
        use burn::prelude::*;
        use tessera_gnn::conv::{HealpixChebConvConfig, HealpixHarmonicConvConfig};
        let (nside, filters) = (8u64, 16);
        let lmax = 3 * nside as usize - 1;
        let device = Device::flex();
        let harmonic = HealpixHarmonicConvConfig::new(1, filters)
            .with_bias(false)
            .with_band_pass_init(true)
            .init(
                &harmonic_projector(nside, HarmonicFields::Scalar).unwrap(),
                &device,
            )
            .unwrap();
        let cheb = HealpixChebConvConfig::new(nside, 1, filters)
            .with_k(40)
            .with_bias(false)
            .with_band_pass_init(true)
            .init(&device)
            .unwrap();
        let plan = ShtPlan::new(nside, lmax, lmax).unwrap();
        let hp = Healpix::nested(nside).unwrap();
        let npix = hp.npix() as usize;
        // Maps of one multipole each (m = 1 and m = ℓ mixed), as a batch.
        let mut maps = Vec::new();
        for l in 1..=lmax {
            let mut alm = Alm::zeros(lmax, lmax);
            alm.set(l, 1, Complex64::new(1.0, 0.3));
            alm.set(l, l, Complex64::new(0.5, -0.7));
            maps.extend(
                nest(&hp, &plan.alm2map(&alm).unwrap())
                    .iter()
                    .map(|&v| v as f32),
            );
        }
        let x = Tensor::<3>::from_data(TensorData::new(maps, [lmax, npix, 1]), &device);
        let input_power = x.clone().powi_scalar(2).mean_dim(1).reshape([lmax, 1]);
        let leakage = |out: Tensor<3>| -> f64 {
            let gain: Vec<f32> = (out.powi_scalar(2).mean_dim(1).reshape([lmax, filters])
                / input_power.clone())
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
            // For each filter: its largest gain at least 8 multipoles from its peak, relative.
            (0..filters)
                .map(|j| {
                    let g = |l: usize| gain[(l - 1) * filters + j] as f64;
                    let peak = (1..=lmax).max_by(|&a, &b| g(a).total_cmp(&g(b))).unwrap();
                    (1..=lmax)
                        .filter(|l| l.abs_diff(peak) >= 8)
                        .map(|l| g(l) / g(peak))
                        .fold(0.0, f64::max)
                })
                .fold(0.0, f64::max)
        };
        let (h, c) = (
            leakage(harmonic.forward(x.clone())),
            leakage(cheb.forward(x)),
        );
        println!("worst out-of-band power gain: harmonic {h:.1e}, Chebyshev K = 40 {c:.1e}");
        assert!(h < 1e-4, "harmonic leakage {h}");
        assert!(c > 100.0 * h, "Chebyshev {c} vs harmonic {h}");
    }

    #[test]
    fn large_maps_are_refused_with_the_alternatives() {
        let e = harmonic_projector(32, HarmonicFields::Scalar)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nside 32") && e.contains("Chebyshev"), "{e}");
    }
}
