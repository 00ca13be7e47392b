//! Writing and reading back, every layout the reader supports, and bad input: each a typed error
//! naming the file, never a panic, never a half-written output.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::shared;
use fitsio::FitsFile;
use fitsio::tables::{ColumnDataType, ColumnDescription};
use tessera_healpix::{Healpix, Scheme};
use tessera_sky::{
    Dtype, ReadOptions, SkyError, SkyMap, UNSEEN, WriteOptions, read_header, read_map, write_map,
};

fn sample(nside: u64, scheme: Scheme, fields: &[&str]) -> SkyMap {
    let geometry = Healpix::new(nside, scheme).unwrap();
    let npix = geometry.npix() as usize;
    let fields = fields
        .iter()
        .enumerate()
        .map(|(k, name)| {
            (
                *name,
                (0..npix)
                    .map(|p| (p as f64 * 0.37 + k as f64).sin() * 100.0)
                    .collect(),
            )
        })
        .collect();
    let mut map = SkyMap::new(geometry, fields).unwrap();
    for f in &mut map.fields {
        f.unit = Some("uK".into());
    }
    map.coord = Some("G".into());
    map
}

fn read(path: &Path) -> Result<SkyMap, SkyError> {
    read_map(path, &ReadOptions::default())
}

#[test]
fn round_trips_in_every_layout() {
    let dir = tempfile::tempdir().unwrap();
    for nside in [1u64, 2, 16, 64] {
        for scheme in [Scheme::Ring, Scheme::Nested] {
            for fields in [
                &["TEMPERATURE"][..],
                &["TEMPERATURE", "Q_POLARISATION", "U_POLARISATION"],
            ] {
                for dtype in [Dtype::F32, Dtype::F64] {
                    let map = sample(nside, scheme, fields);
                    let path = dir
                        .path()
                        .join(format!("m{nside}{scheme}{}{dtype:?}.fits", fields.len()));
                    write_map(
                        &path,
                        &map,
                        &WriteOptions {
                            dtype,
                            ..Default::default()
                        },
                    )
                    .unwrap();
                    let back = read(&path).unwrap();
                    assert_eq!(
                        (back.nside(), back.scheme(), back.coord.as_deref()),
                        (nside, scheme, Some("G"))
                    );
                    for (a, b) in back.fields.iter().zip(&map.fields) {
                        assert_eq!((&a.name, &a.unit), (&b.name, &b.unit));
                        let exact: Vec<f64> = match dtype {
                            Dtype::F32 => b.values.iter().map(|&v| v as f32 as f64).collect(),
                            Dtype::F64 => b.values.clone(),
                        };
                        assert_eq!(a.values, exact, "nside {nside} {scheme} {dtype:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn partial_maps_store_only_seen_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let mut map = sample(8, Scheme::Nested, &["TEMPERATURE"]);
    for p in 100..768 {
        map.fields[0].values[p] = UNSEEN;
    }
    let path = dir.path().join("partial.fits");
    write_map(
        &path,
        &map,
        &WriteOptions {
            partial: true,
            ..Default::default()
        },
    )
    .unwrap();
    let mut f = FitsFile::open(&path).unwrap();
    let hdu = f.hdu(1).unwrap();
    assert_eq!(
        hdu.read_key::<String>(&mut f, "INDXSCHM").unwrap(),
        "EXPLICIT"
    );
    assert_eq!(hdu.read_key::<String>(&mut f, "OBJECT").unwrap(), "PARTIAL");
    assert_eq!(hdu.read_col::<i64>(&mut f, "PIXEL").unwrap().len(), 100);
    let back = read(&path).unwrap();
    assert_eq!(back.stats(0).n_seen, 100);
    for (a, b) in back.fields[0].values.iter().zip(&map.fields[0].values) {
        assert_eq!(*a as f32, *b as f32);
    }
}

#[test]
fn gzip_files_and_integer_columns_read() {
    let dir = tempfile::tempdir().unwrap();
    let map = sample(4, Scheme::Ring, &["T"]);
    let plain = dir.path().join("m.fits");
    write_map(
        &plain,
        &map,
        &WriteOptions {
            dtype: Dtype::F64,
            ..Default::default()
        },
    )
    .unwrap();
    let gz = dir.path().join("m.fits.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    enc.finish().unwrap();
    assert_eq!(read(&gz).unwrap(), read(&plain).unwrap());
    // A name ending in .gz gets a gzip file (magic 1f 8b) that reads back the same, and no
    // temporary file is left beside it.
    let written = dir.path().join("written.fits.gz");
    let f64_options = WriteOptions {
        dtype: Dtype::F64,
        ..Default::default()
    };
    write_map(&written, &map, &f64_options).unwrap();
    assert!(std::fs::read(&written).unwrap().starts_with(&[0x1f, 0x8b]));
    assert_eq!(
        read(&written).unwrap().fields[0].values,
        read(&plain).unwrap().fields[0].values
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tessera-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Header cards, plain and gzip alike; HDU 0 is the primary header.
    let header = read_header(&gz, 1).unwrap();
    assert_eq!(header, read_header(&plain, 1).unwrap());
    assert_eq!(header.get("NSIDE"), Some("4"));
    assert_eq!(header.get("ORDERING"), Some("RING"));
    assert_eq!(read_header(&plain, 0).unwrap().get("SIMPLE"), Some("T"));
    let err = read_header(&plain, 2).unwrap_err().to_string();
    assert!(
        err.contains("m.fits") && err.contains("so no HDU 2"),
        "{err}"
    );

    for (typ, name) in [
        (ColumnDataType::Byte, "B"),
        (ColumnDataType::Short, "I"),
        (ColumnDataType::Int, "J"),
        (ColumnDataType::LongLong, "K"),
    ] {
        let path = dir.path().join(format!("int{name}.fits"));
        let values: Vec<i32> = (0..192).map(|p| p % 100).collect();
        write_table(&path, "RING", Some(4), &[("MASK", typ)], |hdu, f| {
            hdu.write_col(f, "MASK", &values).unwrap();
        });
        let back = read(&path).unwrap();
        assert_eq!(
            back.fields[0].values,
            values.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            "{name}"
        );
    }
}

/// Writes a one-HDU binary table by hand (for layouts and faults write_map never produces).
fn write_table(
    path: &Path,
    ordering: &str,
    nside: Option<i64>,
    columns: &[(&str, ColumnDataType)],
    fill: impl FnOnce(&fitsio::hdu::FitsHdu, &mut FitsFile),
) {
    let mut f = FitsFile::create(path).overwrite().open().unwrap();
    let cols: Vec<_> = columns
        .iter()
        .map(|(n, t)| ColumnDescription::new(*n).with_type(*t).create().unwrap())
        .collect();
    let hdu = f.create_table("xtension".to_string(), &cols).unwrap();
    fill(&hdu, &mut f);
    hdu.write_key(&mut f, "PIXTYPE", "HEALPIX").unwrap();
    hdu.write_key(&mut f, "ORDERING", ordering).unwrap();
    if let Some(n) = nside {
        hdu.write_key(&mut f, "NSIDE", n).unwrap();
    }
}

fn message(path: &Path) -> String {
    let err = read(path).expect_err("must fail");
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "message names the file: {msg}"
    );
    msg
}

#[test]
fn bad_files_are_clear_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.fits");
    assert!(message(&missing).contains("No such file"));

    let not_fits = dir.path().join("text.fits");
    std::fs::write(&not_fits, "SIMPLE = hello, this is not FITS").unwrap();
    assert!(message(&not_fits).contains("not a readable FITS file"));

    let wrong_nside = dir.path().join("nside.fits");
    write_table(
        &wrong_nside,
        "RING",
        Some(8),
        &[("T", ColumnDataType::Float)],
        |hdu, f| {
            hdu.write_col(f, "T", &vec![0f32; 192]).unwrap();
        },
    );
    assert!(message(&wrong_nside).contains("NSIDE = 8 implies 768 pixels but the table holds 192"));

    let ordering = dir.path().join("ordering.fits");
    write_table(
        &ordering,
        "SPIRAL",
        Some(4),
        &[("T", ColumnDataType::Float)],
        |hdu, f| {
            hdu.write_col(f, "T", &vec![0f32; 192]).unwrap();
        },
    );
    assert!(message(&ordering).contains("ORDERING = \"SPIRAL\" is invalid"));

    let strings = dir.path().join("strings.fits");
    write_table(
        &strings,
        "RING",
        Some(1),
        &[("NAME", ColumnDataType::String)],
        |hdu, f| {
            let names: Vec<String> = (0..12).map(|i| format!("p{i}")).collect();
            hdu.write_col(f, "NAME", &names).unwrap();
        },
    );
    assert!(message(&strings).contains("holds text"));

    let spectrum = shared("fits/cl.fits");
    assert!(
        read(&spectrum)
            .unwrap_err()
            .to_string()
            .contains("not a HEALPix map")
    );

    let truncated = dir.path().join("truncated.fits");
    let bytes = std::fs::read(shared("fits/map.fits")).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    message(&truncated);
}

#[test]
fn corrupted_fixture_bytes_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read(shared("fits/wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits")).unwrap();
    let path = dir.path().join("corrupt.fits");
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut ok, mut failed) = (0, 0);
    for _ in 0..200 {
        let mut bytes = original.clone();
        // Corrupt the header region most of the time: that is where structure lives.
        for _ in 0..1 + next() % 8 {
            let limit = if next() % 4 == 0 { bytes.len() } else { 8640 };
            let at = (next() as usize) % limit;
            bytes[at] = next() as u8;
        }
        if next() % 5 == 0 {
            bytes.truncate((next() as usize) % bytes.len());
        }
        std::fs::write(&path, &bytes).unwrap();
        match read(&path) {
            Ok(map) => {
                map.validate().unwrap();
                ok += 1;
            }
            Err(e) => {
                assert!(e.to_string().contains("corrupt.fits"), "{e}");
                failed += 1;
            }
        }
    }
    assert!(
        ok > 0 && failed > 0,
        "both outcomes exercised: {ok} ok, {failed} failed"
    );
}

#[test]
fn existing_files_are_kept_unless_overwrite_and_no_temp_files_remain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keep.fits");
    let first = sample(2, Scheme::Ring, &["T"]);
    write_map(&path, &first, &WriteOptions::default()).unwrap();
    let second = sample(4, Scheme::Ring, &["T"]);
    let err = write_map(&path, &second, &WriteOptions::default()).unwrap_err();
    assert!(matches!(err, SkyError::Exists { .. }));
    assert_eq!(read(&path).unwrap().nside(), 2);
    write_map(
        &path,
        &second,
        &WriteOptions {
            overwrite: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(read(&path).unwrap().nside(), 4);
    let into_missing_dir = dir.path().join("no/such/dir/x.fits");
    assert!(write_map(&into_missing_dir, &second, &WriteOptions::default()).is_err());
    let leftovers: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".tessera-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn written_files_read_back_through_cfitsio_too() {
    let dir = tempfile::tempdir().unwrap();
    for (nside, dtype) in [(2u64, Dtype::F64), (16, Dtype::F32)] {
        let map = sample(
            nside,
            Scheme::Nested,
            &["TEMPERATURE", "Q_POLARISATION", "U_POLARISATION"],
        );
        let path = dir.path().join(format!("cfitsio{nside}.fits"));
        write_map(
            &path,
            &map,
            &WriteOptions {
                dtype,
                ..Default::default()
            },
        )
        .unwrap();
        let mut f = FitsFile::open(&path).unwrap();
        let hdu = f.hdu(1).unwrap();
        assert_eq!(hdu.read_key::<i64>(&mut f, "NSIDE").unwrap(), nside as i64);
        assert_eq!(hdu.read_key::<String>(&mut f, "TUNIT2").unwrap(), "uK");
        for field in &map.fields {
            let values: Vec<f64> = hdu.read_col(&mut f, &field.name).unwrap();
            let expected: Vec<f64> = match dtype {
                Dtype::F32 => field.values.iter().map(|&v| v as f32 as f64).collect(),
                Dtype::F64 => field.values.clone(),
            };
            assert_eq!(values, expected, "{} at nside {nside}", field.name);
        }
    }
}

/// Overwrites the value of header keyword `key` (an integer card) in a FITS file.
fn patch_int_card(path: &Path, key: &str, value: u64) {
    let mut bytes = std::fs::read(path).unwrap();
    let label = format!("{key:<8}= ");
    let at = bytes
        .windows(label.len())
        .position(|w| w == label.as_bytes())
        .unwrap_or_else(|| panic!("no {key} card"));
    bytes[at + 10..at + 30].copy_from_slice(format!("{value:>20}").as_bytes());
    std::fs::write(path, bytes).unwrap();
}

/// Hostile headers on small files end in a typed error, not an abort or a huge allocation:
/// a partial map declaring NSIDE 2^29 (expanded, 3.5e18 pixels), and a table declaring 10^9
/// rows over a body of a few kilobytes.
#[test]
fn declared_sizes_are_checked_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let mut map = sample(4, Scheme::Nested, &["T"]);
    for v in map.fields[0].values.iter_mut().skip(20) {
        *v = UNSEEN;
    }
    let partial = dir.path().join("partial.fits");
    let opts = WriteOptions {
        partial: true,
        ..Default::default()
    };
    write_map(&partial, &map, &opts).unwrap();
    patch_int_card(&partial, "NSIDE", 1 << 29);
    let err = read(&partial).unwrap_err();
    assert!(matches!(err, SkyError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("NSIDE 536870912"), "{err}");

    let rows = dir.path().join("rows.fits");
    write_map(&rows, &sample(4, Scheme::Ring, &["T"]), &Default::default()).unwrap();
    patch_int_card(&rows, "NAXIS2", 1_000_000_000);
    let err = read(&rows).unwrap_err();
    assert!(matches!(err, SkyError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("1000000000 rows"), "{err}");
}

/// An a_lm table whose MAX-LPOL (or a damaged INDEX) declares far more coefficients than it has
/// rows is refused before the coefficients are allocated (a fuzzing finding: 11.8 GB asked for
/// by a flipped byte of healpy's alm.fits).
#[test]
fn alm_tables_declaring_a_huge_lmax_are_refused() {
    use tessera_sky::sht::Alm;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alm.fits");
    tessera_sky::write_alm(&path, &[Alm::zeros(4, 4)], false).unwrap();
    assert_eq!(tessera_sky::read_alm(&path, 1).unwrap().lmax(), 4);
    patch_int_card(&path, "MAX-LPOL", 3_000_000_000);
    let err = tessera_sky::read_alm(&path, 1).unwrap_err();
    assert!(matches!(err, SkyError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("15 rows"), "{err}");
}

/// A gzip file is inflated only up to the end of the HDU asked for: a 192-pixel map followed by
/// 64 MB of zeros (64 kB compressed) reads at once, without inflating the rest.
#[test]
fn gzip_is_inflated_only_as_far_as_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let map = sample(4, Scheme::Ring, &["T"]);
    let plain = dir.path().join("m.fits");
    write_map(&plain, &map, &Default::default()).unwrap();
    let gz = dir.path().join("bomb.fits.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::best(),
    );
    enc.write_all(&std::fs::read(&plain).unwrap()).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap();
    assert!(std::fs::metadata(&gz).unwrap().len() < 4 << 20);
    let started = std::time::Instant::now();
    let back = read(&gz).unwrap();
    assert_eq!(back.fields[0].values.len(), 192);
    assert!(
        started.elapsed().as_secs_f64() < 5.0,
        "{:?}",
        started.elapsed()
    );
}
