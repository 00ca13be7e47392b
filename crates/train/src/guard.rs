//! Guarded predictions: what a sphere run knows about its training maps ([`InputProfile`]) and
//! the checks of new maps and outputs against it ([`check_map`], [`check_outputs`]) — a map in
//! K for a network trained in μK, masked pixels fed to a full-sky network, inputs far from the
//! training scale, parameters outside the training range.

use serde::{Deserialize, Serialize};
use tessera_sky::{SkyMap, is_unseen};

use crate::data::MapFields;
use crate::sphere::SphereRun;

/// What a run records about the maps it was trained on (absent from runs saved before it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InputProfile {
    /// The unit of the training maps' first field read (`TUNIT`), if they had one.
    #[serde(default)]
    pub unit: Option<String>,
    /// Per parameter (regression runs), the smallest and largest training target.
    #[serde(default)]
    pub target_range: Vec<(f64, f64)>,
}

/// One thing a prediction should be read with care for.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// The map's unit differed from the training unit and was converted (values × `factor`).
    UnitConverted {
        /// The map's unit.
        from: String,
        /// The training unit.
        to: String,
        /// The factor applied.
        factor: f64,
    },
    /// The map's unit differs from the training unit and cannot be converted.
    UnitDiffers {
        /// The map's unit.
        found: String,
        /// The training unit.
        trained: String,
    },
    /// A channel's spread is far from the training maps' (a unit or scale mistake).
    ScaleOff {
        /// The field.
        field: String,
        /// This map's standard deviation over the training's.
        ratio: f64,
    },
    /// UNSEEN pixels in a map for a network trained on full-sky maps (they enter as 0).
    Unseen {
        /// How many pixels of the fields read.
        pixels: usize,
    },
    /// A predicted parameter outside the range the network was trained on.
    OutsideRange {
        /// The parameter.
        name: String,
        /// The prediction.
        value: f64,
        /// The training range.
        range: (f64, f64),
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::UnitConverted { from, to, factor } => {
                write!(
                    f,
                    "in {from}, converted to the training unit {to} (× {factor:e})"
                )
            }
            Finding::UnitDiffers { found, trained } => write!(
                f,
                "in {found}, the network was trained on maps in {trained}: predictions are not \
                 meaningful unless the unit is converted"
            ),
            Finding::ScaleOff { field, ratio } => write!(
                f,
                "field {field} spreads {ratio:.3e} times as much as the training maps (a unit or \
                 scale mismatch?)"
            ),
            Finding::Unseen { pixels } => write!(
                f,
                "{pixels} UNSEEN pixels, but the network was trained on full-sky maps (they enter \
                 as 0 and bias the prediction; train with --mask-channel for masked skies)"
            ),
            Finding::OutsideRange { name, value, range } => write!(
                f,
                "{name} = {value:.4} lies outside the training range [{}, {}]: the network \
                 extrapolates",
                range.0, range.1
            ),
        }
    }
}

/// The factor from a temperature unit to kelvin, for the units CMB maps use.
fn kelvin_per(unit: &str) -> Option<f64> {
    let u = unit.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    let base = u
        .strip_suffix("_cmb")
        .or_else(|| u.strip_suffix("cmb"))
        .unwrap_or(&u)
        .trim_end_matches('_');
    match base {
        "k" => Some(1.0),
        "mk" => Some(1e-3),
        "uk" | "μk" | "µk" | "muk" | "microk" => Some(1e-6),
        _ => None,
    }
}

/// Checks a map against the run before prediction. A known unit different from the training
/// unit (K, mK, μK, with or without `_CMB`) is converted in place, for the fields the network
/// reads.
pub fn check_map(run: &SphereRun, map: &mut SkyMap) -> Vec<Finding> {
    let mut findings = Vec::new();
    let fields = run.fields.indices();
    if let (Some(trained), Some(found)) = (
        run.inputs.unit.as_deref(),
        fields
            .first()
            .and_then(|&f| map.fields.get(f))
            .and_then(|f| f.unit.clone()),
    ) && !found.eq_ignore_ascii_case(trained)
    {
        match (kelvin_per(&found), kelvin_per(trained)) {
            (Some(a), Some(b)) if a != b => {
                let factor = a / b;
                for &f in fields {
                    if let Some(field) = map.fields.get_mut(f) {
                        for v in field.values.iter_mut().filter(|v| !is_unseen(**v)) {
                            *v *= factor;
                        }
                        field.unit = Some(trained.to_string());
                    }
                }
                findings.push(Finding::UnitConverted {
                    from: found,
                    to: trained.to_string(),
                    factor,
                });
            }
            (Some(_), Some(_)) => {}
            _ => findings.push(Finding::UnitDiffers {
                found,
                trained: trained.to_string(),
            }),
        }
    }
    if !run.mask_channel {
        let pixels: usize = fields
            .iter()
            .filter_map(|&f| map.fields.get(f))
            .map(|f| f.values.iter().filter(|v| is_unseen(**v)).count())
            .max()
            .unwrap_or(0);
        if pixels > 0 {
            findings.push(Finding::Unseen { pixels });
        }
    }
    for (c, &f) in fields.iter().enumerate() {
        let (Some(field), Some(&trained)) =
            (map.fields.get(f), run.normalisation.channel_scale.get(c))
        else {
            continue;
        };
        let seen: Vec<f64> = field
            .values
            .iter()
            .copied()
            .filter(|v| !is_unseen(*v))
            .collect();
        if seen.len() < 2 || trained <= 0.0 {
            continue;
        }
        let mean = seen.iter().sum::<f64>() / seen.len() as f64;
        let sd = (seen.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / seen.len() as f64).sqrt();
        let ratio = sd / trained;
        if !(0.1..=10.0).contains(&ratio) {
            findings.push(Finding::ScaleOff {
                field: field.name.clone(),
                ratio,
            });
        }
    }
    findings
}

/// Checks a regression run's outputs for one map against the training range of each parameter
/// (nothing for classification runs or runs saved without the range).
pub fn check_outputs(run: &SphereRun, outputs: &[f64]) -> Vec<Finding> {
    if run.classification {
        return Vec::new();
    }
    outputs
        .iter()
        .zip(&run.inputs.target_range)
        .zip(&run.target_names)
        .filter(|((v, (lo, hi)), _)| {
            let margin = 1e-9 * (hi - lo).abs();
            **v < lo - margin || **v > hi + margin
        })
        .map(|((&value, &range), name)| Finding::OutsideRange {
            name: name.clone(),
            value,
            range,
        })
        .collect()
}

/// One map's prediction, with what the guard found about the map and the outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct MapPrediction {
    /// Class probabilities, or parameter values in their units (then their σ, for a Gaussian
    /// head).
    pub outputs: Vec<f64>,
    /// What to read the prediction with care for ([`check_map`], [`check_outputs`]).
    pub findings: Vec<Finding>,
}

/// Applies a sphere run's network to sky maps, as `tessera predict` does: each map (RING or
/// NESTED; finer maps degraded when `degrade`) is checked against the training maps and
/// converted to the training unit where that is known ([`check_map`]), read in the network's
/// fields, and each output checked against the training range ([`check_outputs`]). With
/// `average_rotations` the outputs are averaged over the grid rotations
/// ([`grid_rotations`](crate::data::grid_rotations)). `names` name the maps in errors.
///
/// # Errors
/// Maps that do not fit the network (nside, fields), named.
pub fn predict_maps(
    run: &SphereRun,
    net: &crate::models::SphereCnn,
    maps: Vec<SkyMap>,
    names: &[String],
    degrade: bool,
    average_rotations: bool,
) -> crate::error::Result<Vec<MapPrediction>> {
    use rayon::prelude::*;
    let model = run.model_config()?;
    let checked: Vec<(Vec<f32>, Vec<Finding>)> = maps
        .into_par_iter()
        .zip(names)
        .map(|(mut map, name)| {
            let findings = check_map(run, &mut map);
            let input = crate::data::network_input(
                &map,
                run.fields,
                run.mask_channel,
                model.nside,
                degrade,
                std::path::Path::new(name),
            )?;
            Ok((input, findings))
        })
        .collect::<crate::error::Result<_>>()?;
    let (inputs, findings): (Vec<Vec<f32>>, Vec<Vec<Finding>>) = checked.into_iter().unzip();
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let set = crate::data::MapSet {
        nside: model.nside,
        channels: run.fields.channels() + usize::from(run.mask_channel),
        maps: inputs.into_iter().flatten().collect(),
        targets: crate::data::MapTargets::Values {
            values: Vec::new(),
            names: run.target_names.clone(),
        },
        ids: names.to_vec(),
    };
    let rotations = if average_rotations {
        crate::data::grid_rotations(model.nside, run.fields != MapFields::T)
            .map_err(tessera_sky::SkyError::from)?
    } else {
        Vec::new()
    };
    let outputs = crate::sphere::infer_rotated(
        net,
        &set,
        &run.normalisation,
        run.classification,
        128,
        &rotations,
    )?;
    Ok(outputs
        .into_iter()
        .zip(findings)
        .map(|(outputs, mut findings)| {
            findings.extend(check_outputs(run, &outputs));
            MapPrediction { outputs, findings }
        })
        .collect())
}

/// The profile of a training set: the unit of the first field read in its first map file (when
/// its ids are files), and each parameter's range.
pub fn profile_of(set: &crate::data::MapSet, fields: MapFields) -> InputProfile {
    let unit = set.ids.first().and_then(|first| {
        let map = tessera_sky::read_map(first, &Default::default()).ok()?;
        map.fields.get(*fields.indices().first()?)?.unit.clone()
    });
    let target_range = match &set.targets {
        crate::data::MapTargets::Values { values, names } => (0..names.len())
            .map(|k| {
                values
                    .iter()
                    .skip(k)
                    .step_by(names.len().max(1))
                    .copied()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                        (lo.min(v), hi.max(v))
                    })
            })
            .collect(),
        crate::data::MapTargets::Classes { .. } => Vec::new(),
    };
    InputProfile { unit, target_range }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::History;
    use crate::schedule::FitSchedule;
    use crate::sphere::Normalisation;
    use tessera_healpix::Healpix;

    fn run(unit: Option<&str>) -> SphereRun {
        SphereRun {
            task: "tau".into(),
            model: serde_json::Value::Null,
            fields: MapFields::T,
            mask_channel: false,
            target_names: vec!["tau".into()],
            classification: false,
            normalisation: Normalisation {
                channel_mean: vec![0.0],
                channel_scale: vec![100.0],
                target_mean: vec![0.06],
                target_scale: vec![0.02],
            },
            fit: FitSchedule::default(),
            history: History::default(),
            data: serde_json::Value::Null,
            inputs: InputProfile {
                unit: unit.map(String::from),
                target_range: vec![(0.03, 0.09)],
            },
        }
    }

    fn map(scale: f64, unit: &str) -> SkyMap {
        let hp = Healpix::ring(4).unwrap();
        let values = (0..hp.npix()).map(|p| scale * (p as f64).sin()).collect();
        let mut m = SkyMap::new(hp, vec![("T", values)]).unwrap();
        m.fields[0].unit = Some(unit.into());
        m
    }

    /// K maps for a μK network are converted (and then on the training scale); an unknown unit
    /// is flagged, as is a unitless spread far off, masked pixels for a full-sky network, and
    /// a parameter outside the training range.
    #[test]
    fn maps_and_outputs_are_checked_against_the_training() {
        let r = run(Some("uK"));
        let mut k = map(141e-6, "K_CMB");
        let found = check_map(&r, &mut k);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            matches!(&found[0], Finding::UnitConverted { factor, .. } if (*factor - 1e6).abs() < 1e-3)
        );
        assert!((k.fields[0].values[1] - 141.0 * 1f64.sin()).abs() < 1e-9);
        let mut same = map(141.0, "uK");
        assert!(check_map(&r, &mut same).is_empty());
        let mut jansky = map(141.0, "Jy/sr");
        assert!(matches!(
            check_map(&r, &mut jansky)[0],
            Finding::UnitDiffers { .. }
        ));
        let mut tiny = map(141e-6, "uK");
        assert!(
            matches!(check_map(&run(None), &mut tiny)[0], Finding::ScaleOff { ratio, .. } if ratio < 1e-5)
        );
        let mut masked = map(141.0, "uK");
        masked.fields[0].values[..7].fill(tessera_sky::UNSEEN);
        assert_eq!(
            check_map(&r, &mut masked),
            vec![Finding::Unseen { pixels: 7 }]
        );
        assert!(check_outputs(&r, &[0.05]).is_empty());
        let out = check_outputs(&r, &[0.0263]);
        assert!(
            out[0]
                .to_string()
                .contains("outside the training range [0.03, 0.09]")
        );
    }

    #[test]
    fn units_of_cmb_maps() {
        assert_eq!(kelvin_per("K_CMB"), Some(1.0));
        assert_eq!(kelvin_per("uK"), Some(1e-6));
        assert_eq!(kelvin_per("μK_CMB"), Some(1e-6));
        assert_eq!(kelvin_per("mK"), Some(1e-3));
        assert_eq!(kelvin_per("Jy/sr"), None);
    }
}
