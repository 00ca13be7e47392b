//! The spectrum likelihood recovers the simulation parameters without bias and with honest
//! errors: over 300 simulated maps the pulls `(estimate − truth) / σ` have mean within ±0.1 and
//! standard deviation within 10% of 1. Maps are simulated to `l = 3 nside − 1` (healpy's default)
//! and the likelihood uses `2 ≤ l ≤ 2 nside`, where the HEALPix quadrature (anafast, iter 3) is
//! accurate: above it the analysis leaks power at the 1e-4 level, which the exact likelihood of the
//! mock's 1e-5 floor would read as signal (the pulls then reach 4–7).

use tessera_sky::likelihood::SpectrumLikelihood;
use tessera_sky::sht::{Map2AlmOptions, Spectrum, anafast};
use tessera_sky::sim::{
    PeakField, PeakSpectrum, SimConfig, SimTask, Simulator, TauGrid, TauVariant, noise_cl,
};

const MAPS: u64 = 300;

fn pull_stats(pulls: &[f64]) -> (f64, f64) {
    let n = pulls.len() as f64;
    let mean = pulls.iter().sum::<f64>() / n;
    let var = pulls.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

fn run(
    task: SimTask,
    noise: f64,
    spectrum: Spectrum,
    range: (f64, f64),
    lmin: usize,
    like_lmax: usize,
) -> (f64, f64) {
    let nside = 16;
    let lmax = 3 * nside as usize - 1;
    let sim = Simulator::new(SimConfig {
        task: task.clone(),
        nside,
        supersample: 1,
        pixwin: false,
        lmax: None,
        seed: 2026,
        noise_uk_arcmin: noise,
        fwhm: 0.0,
        mask: None,
    })
    .unwrap();
    let opts = Map2AlmOptions {
        lmax: Some(lmax),
        iter: 3,
        ..Default::default()
    };
    let pulls: Vec<f64> = (0..MAPS)
        .map(|i| {
            let s = sim.simulate(i).unwrap();
            let cls = anafast(&s.map, &opts).unwrap();
            let like = SpectrumLikelihood {
                cl_hat: cls.get(spectrum).unwrap().to_vec(),
                noise: vec![noise_cl(noise); lmax + 1],
                lmin,
                lmax: like_lmax,
                fsky: 1.0,
                coupling: None,
                leakage: vec![],
            };
            let which = match spectrum {
                Spectrum::TT => 0,
                Spectrum::EE => 1,
                _ => 2,
            };
            let model = |p: f64| {
                let (c, _) = task.cls_at(p, lmax)?;
                Ok([c.tt, c.ee, c.bb][which].clone())
            };
            let est = like.estimate(model, range.0, range.1).unwrap();
            (est.value - s.parameter.unwrap()) / est.sigma
        })
        .collect();
    pull_stats(&pulls)
}

#[test]
fn ell_p_from_temperature_is_unbiased() {
    let range = (5.0, 32.0);
    let task = SimTask::EllPeak {
        field: PeakField::Temperature,
        shape: PeakSpectrum::default(),
        range,
    };
    let (mean, sd) = run(task, 0.0, Spectrum::TT, range, 2, 32);
    eprintln!("ell_p T: mean pull {mean:.3}, pull sd {sd:.3}");
    assert!(
        mean.abs() < 0.1 && (sd - 1.0).abs() < 0.1,
        "mean {mean}, sd {sd}"
    );
}

#[test]
fn ell_p_from_e_modes_with_noise_is_unbiased() {
    let range = (5.0, 32.0);
    let task = SimTask::EllPeak {
        field: PeakField::EModes,
        shape: PeakSpectrum::default(),
        range,
    };
    // Noise power 1e-5 (the spectrum's floor): 10.87 μK·arcmin in the mock's units.
    let (mean, sd) = run(task, 10.87, Spectrum::EE, range, 2, 32);
    eprintln!("ell_p E: mean pull {mean:.3}, pull sd {sd:.3}");
    assert!(
        mean.abs() < 0.1 && (sd - 1.0).abs() < 0.1,
        "mean {mean}, sd {sd}"
    );
}

#[test]
fn tau_from_e_modes_is_unbiased() {
    let range = (0.03, 0.09);
    let task = SimTask::Tau {
        variant: TauVariant::AsExp2TauFixed,
        range,
    };
    let (mean, sd) = run(task, 0.0, Spectrum::EE, range, 2, 32);
    eprintln!("tau EE: mean pull {mean:.3}, pull sd {sd:.3}");
    assert!(
        mean.abs() < 0.1 && (sd - 1.0).abs() < 0.1,
        "mean {mean}, sd {sd}"
    );
    let _ = TauGrid::new(TauVariant::AsFixed);
}
