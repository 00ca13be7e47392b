//! A pipeline step with a trained sphere CNN: load a run folder written by
//! `tessera train sphere` (for example a τ network) and estimate its parameter for every FITS map
//! of a directory, whatever their ordering (RING or NESTED) and, with `--degrade`, from finer
//! maps.
//!
//! ```text
//! tessera sim tau --nside 16 --count 4000 --noise 60 -o sims/tau_train
//! tessera sim tau --nside 16 --count 200 --noise 60 --seed 9 -o sims/tau_test
//! tessera train sphere --task tau --train sims/tau_train --test sims/tau_test -o runs/tau
//! cargo run --release -p tessera-examples --example estimate_parameters -- runs/tau sims/tau_test
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use tessera_sky::{ReadOptions, read_map};
use tessera_train::data::{MapSet, MapTargets, network_input};
use tessera_train::sphere::{SphereRun, infer};

fn run(run_dir: &Path, maps_dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    // 1. The trained network with its input fields, resolution and scalings.
    let (run, net) = SphereRun::load(run_dir)?;
    let model = run.model_config()?;
    println!(
        "{}: a {} network reading {:?} at nside {}",
        run_dir.display(),
        run.task,
        run.fields,
        model.nside
    );
    // 2. Every FITS map of the directory, in the network's order and fields.
    let mut files: Vec<PathBuf> = std::fs::read_dir(maps_dir)
        .map_err(|e| format!("{}: {e}", maps_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "fits"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no .fits maps", maps_dir.display()).into());
    }
    let mut maps = Vec::new();
    for f in &files {
        let map = read_map(f, &ReadOptions::default())?;
        maps.extend(network_input(
            &map,
            run.fields,
            run.mask_channel,
            model.nside,
            true,
            f,
        )?);
    }
    let set = MapSet {
        nside: model.nside,
        channels: run.fields.channels() + usize::from(run.mask_channel),
        maps,
        targets: MapTargets::Values {
            values: Vec::new(),
            names: run.target_names.clone(),
        },
        ids: files.iter().map(|f| f.display().to_string()).collect(),
    };
    // 3. One forward pass per batch; outputs come back in the parameters' own units (or as
    //    class probabilities for a classifier).
    let outputs = infer(&net, &set, &run.normalisation, run.classification, 64)?;
    println!("file,{}", run.target_names.join(","));
    for (id, o) in set.ids.iter().zip(&outputs) {
        let values: Vec<String> = o.iter().map(|v| format!("{v:.5}")).collect();
        println!("{id},{}", values.join(","));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 {
        eprintln!("usage: estimate_parameters RUN_DIR MAPS_DIR");
        return ExitCode::FAILURE;
    }
    match run(Path::new(&args[0]), Path::new(&args[1])) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
