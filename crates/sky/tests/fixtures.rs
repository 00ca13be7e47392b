//! Every HEALPix map among the shared fixtures reads with healpy's values
//! (`../shared/data/fits/expected/*.json`, computed with healpy 1.20.1), and so do reorder and
//! ud_grade of them.

mod common;

use common::{floats, shared};
use serde_json::Value;
use tessera_healpix::Scheme;
use tessera_sky::{ReadOptions, SkyMap, UdGradeOptions, is_unseen, read_map};

const MAPS: [&str; 5] = [
    "map",
    "map_synfast_seed12345",
    "wmap_band_iqumap_r9_7yr_W_v4_udgraded32",
    "wmap_band_iqumap_r9_7yr_W_v4_udgraded32_masked",
    "wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32",
];

fn expected(stem: &str) -> Value {
    let text = std::fs::read_to_string(shared(&format!("fits/expected/{stem}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Values stored as f32 in the files: compare to healpy's float64 view of them.
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-30) || (is_unseen(a) && is_unseen(b))
}

fn read(stem: &str) -> SkyMap {
    read_map(
        shared(&format!("fits/{stem}.fits")),
        &ReadOptions::default(),
    )
    .unwrap()
}

#[test]
fn every_fixture_map_reads_with_healpys_values() {
    for stem in MAPS {
        let e = expected(stem);
        let map = read(stem);
        assert_eq!(map.nside(), e["nside"].as_u64().unwrap(), "{stem}");
        assert_eq!(
            map.scheme().fits_ordering(),
            e["ordering_in_file"].as_str().unwrap()
        );
        for col in e["columns"].as_array().unwrap() {
            let i = col["column"].as_u64().unwrap() as usize;
            let values = &map.fields[i].values;
            for (k, v) in floats(&col["first8"]).into_iter().enumerate() {
                assert!(close(values[k], v, 1e-12), "{stem} col {i} pixel {k}");
            }
            let last4 = floats(&col["last4"]);
            for (k, v) in last4.iter().enumerate() {
                assert!(
                    close(values[values.len() - 4 + k], *v, 1e-12),
                    "{stem} col {i} last"
                );
            }
            assert!(close(
                values[1000],
                col["pix_1000"].as_f64().unwrap(),
                1e-12
            ));
            let stats = map.stats(i);
            assert_eq!(
                stats.n_unseen as u64,
                col["n_unseen"].as_u64().unwrap(),
                "{stem} {i}"
            );
            assert!(
                close(stats.sum, col["sum_good"].as_f64().unwrap(), 1e-9),
                "{stem} {i} sum"
            );
            assert!(close(stats.mean, col["mean_good"].as_f64().unwrap(), 1e-9));
            assert!(close(stats.min, col["min_good"].as_f64().unwrap(), 1e-12));
            assert!(close(stats.max, col["max_good"].as_f64().unwrap(), 1e-12));
        }
    }
}

#[test]
fn reorder_and_ud_grade_match_healpy() {
    for stem in MAPS {
        let e = expected(stem);
        let map = read(stem);
        let nest = map.reorder(Scheme::Nested).unwrap();
        for (k, v) in floats(&e["reorder_r2n_col0_first8"])
            .into_iter()
            .enumerate()
        {
            assert!(
                close(nest.fields[0].values[k], v, 1e-12),
                "{stem} reorder {k}"
            );
        }
        assert_eq!(
            nest.reorder(Scheme::Ring).unwrap(),
            map,
            "{stem}: round trip"
        );

        let half = e["ud_grade_col0_to_half"]["nside_out"].as_u64().unwrap();
        let low = map.ud_grade(half, UdGradeOptions::default()).unwrap();
        assert_eq!(low.scheme(), Scheme::Ring);
        for (k, v) in floats(&e["ud_grade_col0_to_half"]["first8"])
            .into_iter()
            .enumerate()
        {
            assert!(
                close(low.fields[0].values[k], v, 1e-6),
                "{stem} degrade {k}"
            );
        }
        let sum = low.stats(0).sum;
        let expected_sum = e["ud_grade_col0_to_half"]["sum_good"].as_f64().unwrap();
        assert!(
            close(sum, expected_sum, 1e-6),
            "{stem}: {sum} vs {expected_sum}"
        );
        let pess = map
            .ud_grade(
                half,
                UdGradeOptions {
                    pess: true,
                    power: None,
                },
            )
            .unwrap();
        for (k, v) in floats(&e["ud_grade_col0_to_half_pess"]["first8"])
            .into_iter()
            .enumerate()
        {
            assert!(close(pess.fields[0].values[k], v, 1e-6), "{stem} pess {k}");
        }
        let high = map
            .ud_grade(2 * map.nside(), UdGradeOptions::default())
            .unwrap();
        for (k, v) in floats(&e["ud_grade_col0_to_double_first8"])
            .into_iter()
            .enumerate()
        {
            assert!(
                close(high.fields[0].values[k], v, 1e-12),
                "{stem} upgrade {k}"
            );
        }
        let back = high
            .ud_grade(map.nside(), UdGradeOptions::default())
            .unwrap();
        for (a, b) in back.fields[0].values.iter().zip(&map.fields[0].values) {
            assert!(
                close(*a, *b, 1e-15),
                "{stem}: upgrade then degrade is the identity"
            );
        }
    }
}

#[test]
fn fields_are_selected_by_index_or_stokes_alias() {
    let path = shared("fits/wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits");
    let all = read_map(&path, &ReadOptions::default()).unwrap();
    let names: Vec<&str> = all.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["I_STOKES", "Q_STOKES", "U_STOKES"]);
    let by_name = ReadOptions {
        fields: tessera_sky::FieldSelection::Names(vec!["Q_POLARISATION".into(), "T".into()]),
        ..Default::default()
    };
    let m = read_map(&path, &by_name).unwrap();
    assert_eq!(m.fields[0], all.fields[1]);
    assert_eq!(m.fields[1], all.fields[0]);
    let by_index = ReadOptions {
        fields: tessera_sky::FieldSelection::Indices(vec![2]),
        ..Default::default()
    };
    assert_eq!(read_map(&path, &by_index).unwrap().fields[0], all.fields[2]);
    let nested = ReadOptions {
        scheme: Some(Scheme::Nested),
        ..Default::default()
    };
    assert_eq!(
        read_map(&path, &nested).unwrap(),
        all.reorder(Scheme::Nested).unwrap()
    );
}

#[test]
fn healpy_written_files_read_back() {
    let tqu = read_map(
        shared("fits/healpy_written_nside4_TQU.fits"),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        (tqu.nside(), tqu.scheme(), tqu.fields.len()),
        (4, Scheme::Ring, 3)
    );
    assert_eq!(tqu.fields[0].unit.as_deref(), Some("uK"));
    let t = read_map(
        shared("fits/healpy_written_nside4_T_nest_float64.fits"),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        (t.nside(), t.scheme(), t.fields[0].name.as_str()),
        (4, Scheme::Nested, "T")
    );
}

#[test]
fn dipole_fit_matches_healpy_fit_dipole() {
    // healpy 1.20.1: m = read_map(W band, dtype=float64); low = ud_grade(m, 16);
    // low[|pi/2 - theta| < 20 deg] = UNSEEN; fit_dipole(low).
    let mut low = read("wmap_band_iqumap_r9_7yr_W_v4_udgraded32")
        .ud_grade(16, UdGradeOptions::default())
        .unwrap();
    let strip = low
        .geometry
        .query_strip(
            70f64.to_radians(),
            110f64.to_radians(),
            tessera_healpix::QueryMode::Exclusive,
        )
        .unwrap();
    strip
        .iter()
        .for_each(|&p| low.fields[0].values[p as usize] = tessera_sky::UNSEEN);
    let fit = low.remove_dipole(0).unwrap();
    assert!(close(fit.monopole, 0.01487402201789773, 1e-9));
    let healpy = [
        0.01417231921909997,
        -0.004279762873650393,
        0.0022034559440134993,
    ];
    for (d, h) in fit.dipole.iter().zip(healpy) {
        assert!(close(*d, h, 1e-9), "{d} vs {h}");
    }
    let residual = low.remove_dipole(0).unwrap();
    assert!(residual.monopole.abs() < 1e-12 && residual.dipole.iter().all(|d| d.abs() < 1e-12));
    let mean = low.remove_monopole(0).unwrap();
    assert!(mean.abs() < 1e-12);
}

/// fit_monopole and fit_dipole against healpy 1.20.1 with gal_cut 0, 20 and 45 degrees on the
/// WMAP fixtures (masked and not) and map.fits (`scripts/golden/dipole_golden.py`).
#[test]
fn monopole_and_dipole_fits_match_healpy() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/golden/dipole.json");
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for case in golden["cases"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let cut = case["gal_cut"].as_f64().unwrap();
        let opts = tessera_sky::ReadOptions {
            fields: tessera_sky::FieldSelection::Indices(vec![0]),
            ..Default::default()
        };
        let map = tessera_sky::read_map(common::shared(&format!("fits/{file}")), &opts).unwrap();
        let fit = map.fit_dipole(0, cut).unwrap();
        // Sums over 10^5 pixels: agreement relative to the map's amplitude, not to a dipole
        // that may be 10^-7 of it.
        let amplitude = map.fields[0]
            .values
            .iter()
            .filter(|v| !tessera_sky::is_unseen(**v))
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let close = |a: f64, b: f64, what: &str| {
            assert!(
                (a - b).abs() <= 1e-12 * amplitude,
                "{file} cut {cut} {what}: {a} vs {b}"
            );
        };
        close(fit.monopole, case["monopole"].as_f64().unwrap(), "monopole");
        for k in 0..3 {
            close(fit.dipole[k], case["dipole"][k].as_f64().unwrap(), "dipole");
        }
        close(
            map.fit_monopole(0, cut).unwrap(),
            case["fit_monopole"].as_f64().unwrap(),
            "fit_monopole",
        );
    }
}
