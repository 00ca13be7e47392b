//! `tessera predict RUN MAPS…`: a trained sphere network applied to FITS maps.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use rayon::prelude::*;
use tessera_sky::{ReadOptions, read_map};
use tessera_train::data::{MapSet, MapTargets, network_input};
use tessera_train::sphere::{SphereRun, infer};

use crate::sim::write_text;

/// Arguments of `tessera predict`.
#[derive(Args, Debug)]
pub struct PredictArgs {
    /// A run folder written by `tessera train sphere`.
    run: PathBuf,
    /// FITS maps, RING or NESTED, at the network's nside (or finer with --degrade).
    #[arg(required = true)]
    maps: Vec<PathBuf>,
    /// Degrade finer maps to the network's nside (ud_grade, mean of the seen children).
    #[arg(long)]
    degrade: bool,
    /// Output CSV: one row per map, the class and its probabilities, or the parameters.
    #[arg(short, long)]
    output: PathBuf,
}

/// Runs `tessera predict`.
pub fn run(a: PredictArgs, out: &mut impl Write) -> Result<()> {
    let (run, net) = SphereRun::load(&a.run)?;
    let model = run.model_config()?;
    let inputs: Vec<Vec<f32>> = a
        .maps
        .par_iter()
        .map(|path| -> Result<Vec<f32>> {
            let map = read_map(path, &ReadOptions::default())?;
            Ok(network_input(
                &map,
                run.fields,
                run.mask_channel,
                model.nside,
                a.degrade,
                path,
            )?)
        })
        .collect::<Result<_>>()?;
    if inputs.is_empty() {
        bail!("no maps given");
    }
    let set = MapSet {
        nside: model.nside,
        channels: run.fields.channels() + usize::from(run.mask_channel),
        maps: inputs.into_iter().flatten().collect(),
        targets: MapTargets::Values {
            values: Vec::new(),
            names: run.target_names.clone(),
        },
        ids: a.maps.iter().map(|p| p.display().to_string()).collect(),
    };
    let outputs = infer(&net, &set, &run.normalisation, run.classification, 128)?;
    let mut csv = String::from("file");
    if run.classification {
        csv.push_str(",class");
        for n in &run.target_names {
            csv.push_str(&format!(",p_{n}"));
        }
    } else {
        for n in &run.target_names {
            csv.push_str(&format!(",{n}"));
        }
    }
    csv.push('\n');
    for (id, o) in set.ids.iter().zip(&outputs) {
        csv.push_str(id);
        if run.classification {
            let best = (0..o.len())
                .max_by(|&x, &y| o[x].total_cmp(&o[y]))
                .unwrap_or(0);
            csv.push_str(&format!(",{}", run.target_names[best]));
        }
        for v in o {
            csv.push_str(&format!(",{v:.6}"));
        }
        csv.push('\n');
    }
    write_text(&a.output, &csv)?;
    writeln!(out, "{} maps → {}", outputs.len(), a.output.display())?;
    Ok(())
}
