//! `tessera sim`, `tessera spectrum` and `tessera estimate` end to end.

use assert_cmd::Command;
use predicates::prelude::*;

fn tessera() -> Command {
    Command::cargo_bin("tessera").unwrap()
}

/// The numeric columns (truth, estimate, sigma, ml) of each row of DIR/estimates_likelihood.csv.
fn estimate_rows(dir: &std::path::Path) -> Vec<Vec<f64>> {
    let est = std::fs::read_to_string(dir.join("estimates_likelihood.csv")).unwrap();
    est.lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn simulate_then_estimate_ell_p() {
    let dir = tempfile::tempdir().unwrap();
    let sims = dir.path().join("ellp");
    tessera()
        .args([
            "sim", "ellp", "--nside", "8", "--count", "12", "--seed", "3", "-o",
        ])
        .arg(&sims)
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote 12 maps"));
    let params = std::fs::read_to_string(sims.join("params.csv")).unwrap();
    assert_eq!(params.lines().count(), 13);
    assert!(params.starts_with("file,ell_p\nmap_00000.fits,"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sims.join("sim.json")).unwrap()).unwrap();
    assert_eq!(manifest["simulation"]["range"][1], 16.0);
    // The same seed gives the same maps; a second run without --overwrite refuses.
    tessera()
        .args([
            "sim", "ellp", "--nside", "8", "--count", "12", "--seed", "3", "-o",
        ])
        .arg(&sims)
        .assert()
        .failure()
        .stderr(predicate::str::contains("already holds maps"));
    tessera()
        .arg("estimate")
        .arg(&sims)
        .assert()
        .success()
        .stdout(predicate::str::contains("pull mean"));
    let rows = estimate_rows(&sims);
    assert_eq!(rows.len(), 12);
    // An output named with -o is kept unless --overwrite; the default one is rewritten.
    let named = dir.path().join("named.csv");
    std::fs::write(&named, "keep me").unwrap();
    tessera()
        .arg("estimate")
        .arg(&sims)
        .arg("-o")
        .arg(&named)
        .assert()
        .failure()
        .stderr(predicate::str::contains("pass --overwrite"));
    assert_eq!(std::fs::read_to_string(&named).unwrap(), "keep me");
    tessera()
        .arg("estimate")
        .arg(&sims)
        .arg("-o")
        .arg(&named)
        .arg("--overwrite")
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&named)
            .unwrap()
            .starts_with("file,truth")
    );
    for r in &rows {
        let (truth, value, sigma) = (r[0], r[1], r[2]);
        assert!(sigma > 0.0 && (value - truth).abs() < 6.0 * sigma, "{r:?}");
    }
}

/// Pure-E Q/U maps under a galactic cut: the EE likelihood with the spin-2 coupling (M⁺, and
/// the B modes the cut makes) gives errors that match its misses. With the f_sky rescaling
/// alone, on these maps, its misses were ~30 times its errors (pull sd 32, mean −12) — at nside
/// 16 the faint tails of the peak spectrum, where the cut's B modes dominate, carry the weight.
#[test]
fn cut_sky_polarisation_estimates_have_honest_errors() {
    let dir = tempfile::tempdir().unwrap();
    let sims = dir.path().join("ellp_e_cut");
    tessera()
        .args([
            "sim",
            "ellp",
            "--field",
            "e",
            "--gal-cut",
            "20",
            "--nside",
            "16",
            "--count",
            "16",
            "--seed",
            "5",
            "-o",
        ])
        .arg(&sims)
        .assert()
        .success();
    tessera().arg("estimate").arg(&sims).assert().success();
    let pulls: Vec<f64> = estimate_rows(&sims)
        .iter()
        .map(|r| (r[1] - r[0]) / r[2])
        .collect();
    assert_eq!(pulls.len(), 16);
    let rms = (pulls.iter().map(|p| p * p).sum::<f64>() / pulls.len() as f64).sqrt();
    assert!(
        rms < 2.0 && pulls.iter().all(|p| p.abs() < 5.0),
        "pulls {pulls:?}"
    );
}

#[test]
fn spectrum_writes_csv_png_and_fits() {
    let dir = tempfile::tempdir().unwrap();
    let sims = dir.path().join("tau");
    tessera()
        .args([
            "sim",
            "tau",
            "--nside",
            "8",
            "--count",
            "1",
            "--noise",
            "30",
            "--gal-cut",
            "15",
            "-o",
        ])
        .arg(&sims)
        .assert()
        .success();
    let map = sims.join("map_00000.fits");
    let (csv, png, fits) = (
        dir.path().join("cl.csv"),
        dir.path().join("cl.png"),
        dir.path().join("cl.fits"),
    );
    tessera()
        .arg("spectrum")
        .arg(&map)
        .arg("-o")
        .arg(&csv)
        .arg("--plot")
        .arg(&png)
        .arg("--fits")
        .arg(&fits)
        .assert()
        .success()
        .stdout(predicate::str::contains("6 spectra to l = 23"));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("l,TT,EE,BB,TE,EB,TB\n0,"));
    assert_eq!(text.lines().count(), 25);
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    assert_eq!(tessera_sky::read_cl(&fits).unwrap().len(), 6);
    // --pixwin divides TT by w_T² (healpy's anafast(m) / pixwin(nside)**2).
    let deconvolved = dir.path().join("cl_pixwin.csv");
    tessera()
        .arg("spectrum")
        .arg(&map)
        .arg("--pixwin")
        .arg("-o")
        .arg(&deconvolved)
        .assert()
        .success();
    let tt = |path: &std::path::Path| -> Vec<f64> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
            .collect()
    };
    let w = tessera_sky::sht::pixwin(8, Some(23)).unwrap();
    for (l, (a, b)) in tt(&csv).iter().zip(tt(&deconvolved)).enumerate() {
        assert!(
            (b * w[l] * w[l] - a).abs() <= 1e-9 * a.abs(),
            "l {l}: {a} {b}"
        );
    }
    // --use-weights: HEALPix's ring weights (the library's, checked against healpy's files),
    // which change the spectrum of a map that is not band-limited.
    let weighted = dir.path().join("cl_weighted.csv");
    tessera()
        .arg("spectrum")
        .arg(&map)
        .args(["--use-weights", "--iter", "0", "-o"])
        .arg(&weighted)
        .assert()
        .success();
    let opts = tessera_sky::sht::Map2AlmOptions {
        iter: 0,
        use_weights: true,
        ..Default::default()
    };
    let sky = tessera_sky::read_map(&map, &Default::default()).unwrap();
    let expected = tessera_sky::sht::anafast(&sky, &opts).unwrap();
    let expected = expected.get(tessera_sky::sht::Spectrum::TT).unwrap();
    for (l, (ours, theirs)) in tt(&weighted).iter().zip(expected).enumerate() {
        assert!((ours - theirs).abs() <= 1e-12 * theirs.abs(), "l {l}");
    }
    assert_ne!(tt(&weighted), tt(&csv));
}

#[test]
fn bad_input_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    tessera()
        .arg("estimate")
        .arg(dir.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a simulation folder"));
    tessera()
        .args(["spectrum", "missing.fits", "-o"])
        .arg(dir.path().join("cl.csv"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("missing.fits"));
    tessera()
        .args(["sim", "tau", "--nside", "8", "--range", "0.01,0.05", "-o"])
        .arg(dir.path().join("x"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("outside the CAMB grid"));
    assert!(!dir.path().join("cl.csv").exists());
}

/// The spectrum CSV as (header, columns by name).
fn spectrum_columns(path: &std::path::Path) -> (String, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').skip(1).map(|v| v.parse().unwrap()).collect())
        .collect();
    let columns = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c]).collect())
        .collect();
    (header, columns)
}

/// `--no-pol` gives TT of the temperature field alone (not six spectra of I, Q and U labelled
/// TT…TB), and `--remove-monopole` subtracts the T mean only, as HEALPix's anafast does: Q and U,
/// and so EE, BB and EB, are untouched.
#[test]
fn spectrum_no_pol_and_remove_monopole_act_on_temperature_only() {
    let dir = tempfile::tempdir().unwrap();
    let sims = dir.path().join("tau");
    tessera()
        .args(["sim", "tau", "--nside", "8", "--count", "1", "-o"])
        .arg(&sims)
        .assert()
        .success();
    // An offset on Q and U as well as T, so that subtracting their means would show.
    let mut map = tessera_sky::read_map(sims.join("map_00000.fits"), &Default::default()).unwrap();
    assert_eq!(map.fields.len(), 3);
    for field in &mut map.fields {
        for v in &mut field.values {
            *v += 25.0;
        }
    }
    let offset = dir.path().join("offset.fits");
    tessera_sky::write_map(&offset, &map, &Default::default()).unwrap();
    let run = |extra: &[&str], name: &str| {
        let csv = dir.path().join(name);
        tessera()
            .arg("spectrum")
            .arg(&offset)
            .args(extra)
            .arg("-o")
            .arg(&csv)
            .assert()
            .success();
        spectrum_columns(&csv)
    };
    let (header, no_pol) = run(&["--no-pol"], "no_pol.csv");
    assert_eq!(header, "l,TT");
    let (header, pol) = run(&[], "pol.csv");
    assert_eq!(header, "l,TT,EE,BB,TE,EB,TB");
    assert_eq!(
        no_pol[0], pol[0],
        "TT of --no-pol is the TT of the T/Q/U run"
    );
    let (_, removed) = run(&["--remove-monopole"], "removed.csv");
    for (name, c) in [("EE", 1), ("BB", 2), ("EB", 4)] {
        assert_eq!(removed[c], pol[c], "{name} must not change");
    }
    assert!(
        removed[0][0] < 1e-6 * pol[0][0],
        "the T monopole goes: C_0 {} of {}",
        removed[0][0],
        pol[0][0]
    );
    let (a, b) = (removed[0][5], pol[0][5]);
    assert!(
        (a - b).abs() <= 1e-9 * b,
        "TT at l = 5 is untouched: {a} vs {b}"
    );
}

/// `-o -` writes the CSV to standard output (the status line to standard error); `/dev/stdout`
/// is written in place, never replaced; an existing file is refused without `--overwrite`, and
/// the refusal names the flag and keeps the file.
#[test]
fn outputs_go_to_stdout_special_files_or_refuse_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let sims = dir.path().join("tau");
    tessera()
        .args(["sim", "tau", "--nside", "8", "--count", "1", "-o"])
        .arg(&sims)
        .assert()
        .success();
    let map = sims.join("map_00000.fits");
    tessera()
        .arg("spectrum")
        .arg(&map)
        .args(["-o", "-"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("l,TT,EE,BB,TE,EB,TB\n0,"))
        .stderr(predicate::str::contains("wrote 6 spectra"));
    assert!(!std::path::Path::new("-").exists());
    tessera()
        .arg("spectrum")
        .arg(&map)
        .args(["-o", "/dev/stdout"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("l,TT,"));
    assert!(!std::fs::symlink_metadata("/dev/stdout").unwrap().is_file());
    let csv = dir.path().join("cl.csv");
    std::fs::write(&csv, "keep me").unwrap();
    tessera()
        .arg("spectrum")
        .arg(&map)
        .arg("-o")
        .arg(&csv)
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists (pass --overwrite"));
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), "keep me");
    tessera()
        .arg("spectrum")
        .arg(&map)
        .arg("-o")
        .arg(&csv)
        .arg("--overwrite")
        .assert()
        .success();
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with("l,TT"));
}

/// `tessera spectrum A B`: cross spectra (healpy's anafast(map1, map2)); A with itself gives
/// A's own spectra, and maps of different nside are refused naming both.
#[test]
fn spectrum_of_two_maps_is_their_cross_spectrum() {
    let dir = tempfile::tempdir().unwrap();
    for (name, nside, seed) in [("a", "8", "1"), ("b", "8", "2"), ("c", "16", "3")] {
        tessera()
            .args([
                "sim", "tau", "--nside", nside, "--count", "1", "--seed", seed, "-o",
            ])
            .arg(dir.path().join(name))
            .assert()
            .success();
    }
    let map = |name: &str| dir.path().join(name).join("map_00000.fits");
    let run = |maps: &[std::path::PathBuf], csv: &str| {
        let out = dir.path().join(csv);
        tessera()
            .arg("spectrum")
            .args(maps)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        spectrum_columns(&out).1
    };
    let auto = run(&[map("a")], "auto.csv");
    let same = run(&[map("a"), map("a")], "same.csv");
    for (c, (x, y)) in auto.iter().zip(&same).enumerate() {
        for (l, (u, v)) in x.iter().zip(y).enumerate() {
            assert!(
                (u - v).abs() <= 1e-12 * u.abs().max(1e-30),
                "column {c} l {l}: {u} {v}"
            );
        }
    }
    let cross = run(&[map("a"), map("b")], "cross.csv");
    assert!(
        cross[0][10].abs() < auto[0][10],
        "independent skies barely correlate"
    );
    tessera()
        .arg("spectrum")
        .arg(map("a"))
        .arg(map("c"))
        .arg("-o")
        .arg(dir.path().join("bad.csv"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("nside 8 and nside 16 differ"));
}

/// Mean and standard error of the estimation errors (estimate − truth) of DIR's maps.
fn bias_and_error(dir: &std::path::Path) -> (f64, f64) {
    let errors: Vec<f64> = estimate_rows(dir).iter().map(|r| r[1] - r[0]).collect();
    let n = errors.len() as f64;
    let mean = errors.iter().sum::<f64>() / n;
    let sd = (errors.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    (mean, sd / n.sqrt())
}

/// τ maps made as real low-resolution maps are (the default: drawn at nside 64 with its pixel
/// window, averaged down to 16) are estimated without bias: the likelihood models the coarse
/// pixels' window and the power folded down from above 3 nside − 1. Read as the band-limited
/// maps without a window they are not, the same maps give τ biased by several standard errors
/// (so this check can fail).
#[test]
fn tau_from_maps_averaged_down_from_nside_64_is_unbiased() {
    let dir = tempfile::tempdir().unwrap();
    let sims = dir.path().join("tau");
    tessera()
        .args([
            "sim", "tau", "--nside", "16", "--count", "300", "--seed", "5", "-o",
        ])
        .arg(&sims)
        .assert()
        .success();
    let manifest_path = sims.join("sim.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    assert_eq!(manifest["supersample"], 4);
    assert_eq!(manifest["pixwin"], true);
    assert_eq!(manifest["lmax"], 191);
    tessera().arg("estimate").arg(&sims).assert().success();
    let (bias, error) = bias_and_error(&sims);
    assert!(bias.abs() < 3.0 * error, "bias {bias} ± {error}");

    manifest["supersample"] = 1.into();
    manifest["pixwin"] = false.into();
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    tessera()
        .args(["estimate", "--overwrite", "-o"])
        .arg(sims.join("estimates_likelihood.csv"))
        .arg(&sims)
        .assert()
        .success();
    let (naive, error) = bias_and_error(&sims);
    assert!(naive.abs() > 3.0 * error, "bias {naive} ± {error}");
}

/// Maps that `tessera sim` did not write are estimated when --task and the noise describe
/// them: the same estimates as for the simulation folder they were copied from (band-limited
/// maps with their pixels' window, as both sides assume). Without --task the folder is refused,
/// naming the option.
#[test]
fn estimate_describes_any_folder_of_maps() {
    let dir = tempfile::tempdir().unwrap();
    let sims = dir.path().join("tau");
    tessera()
        .args([
            "sim", "tau", "--nside", "8", "--count", "6", "--noise", "60",
        ])
        .args(["--supersample", "1", "--seed", "9", "-o"])
        .arg(&sims)
        .assert()
        .success();
    tessera().arg("estimate").arg(&sims).assert().success();
    let other = dir.path().join("maps");
    std::fs::create_dir(&other).unwrap();
    for i in 0..6 {
        let name = format!("map_{i:05}.fits");
        std::fs::copy(sims.join(&name), other.join(&name)).unwrap();
    }
    tessera()
        .arg("estimate")
        .arg(&other)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--task"));
    tessera()
        .arg("estimate")
        .arg(&other)
        .args(["--task", "tau", "--noise", "60"])
        .assert()
        .success();
    let simulated = estimate_rows(&sims);
    let text = std::fs::read_to_string(other.join("estimates_likelihood.csv")).unwrap();
    let described: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(described.len(), 6);
    for (s, d) in simulated.iter().zip(&described) {
        assert_eq!(d[1], "", "no truth without params.csv");
        let value: f64 = d[2].parse().unwrap();
        assert!((value - s[1]).abs() < 1e-12, "{value} vs {}", s[1]);
    }
}
