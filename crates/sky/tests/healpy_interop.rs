//! Interoperability with healpy both ways, with healpy itself: healpy reads back the maps tessera
//! wrote (values and header keys identical), and tessera reads the maps healpy wrote, including
//! layouts the shared fixtures lack (one pixel per row, byte/int columns, gzip, partial maps).
//!
//! healpy comes from a virtual environment: `TESSERA_HEALPY_PYTHON` names its python, or the test
//! creates one under `~/.cache/tessera/healpy-venv` with `pip install healpy==1.20.1` (network to
//! PyPI needed once). Without either, the test fails and says so.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{floats, python_with_healpy};
use serde_json::Value;
use tessera_healpix::{Healpix, Scheme};
use tessera_sky::{Dtype, ReadOptions, SkyMap, UNSEEN, WriteOptions, read_map, write_map};

fn sample(nside: u64, scheme: Scheme, nfields: usize) -> SkyMap {
    let geometry = Healpix::new(nside, scheme).unwrap();
    let npix = geometry.npix() as usize;
    let names = ["TEMPERATURE", "Q_POLARISATION", "U_POLARISATION"];
    let fields = (0..nfields)
        .map(|k| {
            (
                names[k],
                (0..npix)
                    .map(|p| (p as f64 * 0.37 + k as f64).sin() * 100.0)
                    .collect(),
            )
        })
        .collect();
    let mut map = SkyMap::new(geometry, fields).unwrap();
    map.fields
        .iter_mut()
        .for_each(|f| f.unit = Some("uK".into()));
    map.coord = Some("G".into());
    map
}

/// The fingerprint `scripts/interop/healpy_roundtrip.py` computes: sum of bits(v[i]) * (2i + 1).
fn fingerprint(values: &[f64]) -> u64 {
    values.iter().enumerate().fold(0u64, |acc, (i, v)| {
        acc.wrapping_add(v.to_bits().wrapping_mul(2 * i as u64 + 1))
    })
}

/// Checks one field against the Python side's summary: all values, or fingerprint and sample.
fn check_field(name: &str, got: &[f64], summary: &Value) {
    let same = |g: f64, e: f64| g == e || (g <= -1.6e30 && e <= -1.6e30);
    if let Some(values) = summary.get("values") {
        let expected = floats(values);
        assert_eq!(got.len(), expected.len(), "{name}");
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert!(same(*g, *e), "{name} pixel {i}: {g} vs {e}");
        }
        return;
    }
    for (k, e) in floats(&summary["sample"]).into_iter().enumerate() {
        assert!(same(got[k * 997], e), "{name} pixel {}", k * 997);
    }
    let expected: u64 = summary["fingerprint"].as_str().unwrap().parse().unwrap();
    assert_eq!(fingerprint(got), expected, "{name}: all values identical");
}

/// Writes the tessera side: every layout healpy must read back.
fn write_tessera_files(dir: &Path) -> Vec<(String, SkyMap, Dtype)> {
    let mut written = Vec::new();
    for nside in [1u64, 2, 16, 1024] {
        for scheme in [Scheme::Ring, Scheme::Nested] {
            for nfields in [1, 3] {
                for dtype in [Dtype::F32, Dtype::F64] {
                    let name = format!("tessera_n{nside}_{scheme}_{dtype:?}_{nfields}.fits");
                    let map = sample(nside, scheme, nfields);
                    write_map(
                        dir.join(&name),
                        &map,
                        &WriteOptions {
                            dtype,
                            ..Default::default()
                        },
                    )
                    .unwrap();
                    written.push((name, map, dtype));
                }
            }
        }
    }
    let mut partial = sample(16, Scheme::Ring, 1);
    partial.fields[0].values[100..].fill(UNSEEN);
    let opts = WriteOptions {
        partial: true,
        ..Default::default()
    };
    write_map(dir.join("tessera_partial.fits"), &partial, &opts).unwrap();
    written.push(("tessera_partial.fits".into(), partial, Dtype::F32));
    written
}

#[test]
fn healpy_reads_what_tessera_writes_and_tessera_reads_what_healpy_writes() {
    let python = python_with_healpy();
    let dir = tempfile::tempdir().unwrap();
    let ours = write_tessera_files(dir.path());
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/interop/healpy_roundtrip.py");
    let status = Command::new(&python)
        .arg(&script)
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "healpy side failed");

    // healpy read our files.
    let read: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("healpy_read.json")).unwrap(),
    )
    .unwrap();
    for (name, map, dtype) in &ours {
        let r = &read[name.as_str()];
        let h = &r["header"];
        assert_eq!(h["PIXTYPE"], "HEALPIX", "{name}");
        assert_eq!(h["ORDERING"], map.scheme().fits_ordering(), "{name}");
        assert_eq!(h["NSIDE"].as_u64().unwrap(), map.nside(), "{name}");
        assert_eq!(h["FIRSTPIX"], 0);
        assert_eq!(h["LASTPIX"].as_u64().unwrap(), map.geometry.npix() - 1);
        assert_eq!(h["COORDSYS"], "G");
        let partial = r["partial"].as_bool().unwrap();
        assert_eq!(h["INDXSCHM"], if partial { "EXPLICIT" } else { "IMPLICIT" });
        assert_eq!(h["OBJECT"], if partial { "PARTIAL" } else { "FULLSKY" });
        let letter = if *dtype == Dtype::F64 { "D" } else { "E" };
        let expected_tform = if partial {
            "E".to_string()
        } else if map.geometry.npix() > 1024 {
            format!("1024{letter}")
        } else {
            letter.to_string()
        };
        let tform = r["tforms"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_str()
            .unwrap()
            .trim();
        // "1E" and "E" are the same FITS format.
        let norm = |t: &str| {
            t.strip_prefix('1')
                .filter(|r| r.len() == 1)
                .unwrap_or(t)
                .to_string()
        };
        assert_eq!(norm(tform), norm(&expected_tform), "{name}");
        let rows = r["fields"].as_array().unwrap();
        assert_eq!(rows.len(), map.fields.len(), "{name}");
        for (row, field) in rows.iter().zip(&map.fields) {
            let expected: Vec<f64> = match dtype {
                Dtype::F32 => field.values.iter().map(|&v| v as f32 as f64).collect(),
                Dtype::F64 => field.values.clone(),
            };
            check_field(name, &expected, row);
        }
    }

    // We read healpy's files.
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("healpy_written.json")).unwrap(),
    )
    .unwrap();
    assert!(written.as_object().unwrap().len() >= 37);
    for (name, w) in written.as_object().unwrap() {
        let map = read_map(dir.path().join(name), &ReadOptions::default()).unwrap();
        assert_eq!(map.nside(), w["nside"].as_u64().unwrap(), "{name}");
        let scheme = if w["nest"].as_bool().unwrap() {
            Scheme::Nested
        } else {
            Scheme::Ring
        };
        assert_eq!(map.scheme(), scheme, "{name}");
        let cols = w["fields"].as_array().unwrap();
        assert_eq!(map.fields.len(), cols.len(), "{name}");
        for (field, col) in map.fields.iter().zip(cols) {
            check_field(name, &field.values, col);
        }
    }
}
