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
use tessera_train::guard::predict_maps;
use tessera_train::sphere::SphereRun;

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
    // 2. Every FITS map of the directory (any ordering; finer maps are degraded).
    let mut files: Vec<PathBuf> = std::fs::read_dir(maps_dir)
        .map_err(|e| format!("{}: {e}", maps_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "fits"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no .fits maps", maps_dir.display()).into());
    }
    let maps = files
        .iter()
        .map(|f| read_map(f, &ReadOptions::default()))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    // 3. The network on every map, guarded: each map is checked against the training maps
    //    (unit, scale, UNSEEN pixels) and each output against the training range; outputs
    //    come back in the parameters' own units (class probabilities for a classifier).
    let predictions = predict_maps(&run, &net, maps, &names, true, false)?;
    let mut columns = run.target_names.clone();
    if model.gaussian {
        // A Gaussian head gives each value's σ after the values.
        columns.extend(run.target_names.iter().map(|n| format!("sigma_{n}")));
    }
    println!("file,{}", columns.join(","));
    for (name, p) in names.iter().zip(&predictions) {
        let values: Vec<String> = p.outputs.iter().map(|v| format!("{v:.5}")).collect();
        println!("{name},{}", values.join(","));
        for finding in &p.findings {
            eprintln!("warning: {name}: {finding}");
        }
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
