//! End-to-end tests of `tessera map …` on the shared FITS fixtures.

mod common;

use std::path::PathBuf;

use common::tessera;
use predicates::prelude::*;
use predicates::str::contains;

fn fixture(name: &str) -> String {
    let base = std::env::var_os("TESSERA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    base.join("fits").join(name).display().to_string()
}

const WMAP: &str = "wmap_band_iqumap_r9_7yr_W_v4_udgraded32_masked.fits";
const MASK: &str = "wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits";

#[test]
fn info_reports_geometry_and_field_statistics() {
    tessera(&["map", "info", &fixture(WMAP)])
        .assert()
        .success()
        .stdout(contains("nside     32 (12288 pixels").and(contains("RING")))
        .stdout(contains("I_STOKES").and(contains("0.6187")));
    tessera(&["map", "info", &fixture(WMAP), "--field", "Q", "--json"])
        .assert()
        .success()
        .stdout(contains("\"name\":\"Q_STOKES\"").and(contains("\"n_unseen\":4686")));
}

#[test]
fn convert_degrades_and_reorders() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("low.fits").display().to_string();
    tessera(&[
        "map",
        "convert",
        &fixture("map.fits"),
        &out,
        "--nside",
        "32",
        "--scheme",
        "nested",
    ])
    .assert()
    .success()
    .stdout(contains("nside 32, NESTED"));
    tessera(&["map", "info", &out, "--json"])
        .assert()
        .success()
        .stdout(contains("\"scheme\":\"NESTED\"").and(contains("\"nside\":32")));
    // An existing output is kept unless --overwrite.
    tessera(&[
        "map",
        "convert",
        &fixture("map.fits"),
        &out,
        "--nside",
        "16",
    ])
    .assert()
    .code(1)
    .stderr(contains("already exists"));
}

#[test]
fn mask_combines_a_mask_file_and_a_latitude_cut() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("masked.fits").display().to_string();
    tessera(&[
        "map",
        "mask",
        &fixture("map.fits"),
        &out,
        "--mask",
        &fixture(MASK),
        "--gal-cut",
        "5",
    ])
    .assert()
    .success()
    .stdout(contains("f_sky = 0.61"));
    tessera(&["map", "mask", &fixture("map.fits"), &out])
        .assert()
        .code(1)
        .stderr(contains("nothing to do"));
}

#[test]
fn bad_map_input_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.fits").display().to_string();
    tessera(&["map", "info", &missing])
        .assert()
        .code(1)
        .stderr(contains("missing.fits"));
    tessera(&["map", "info", &fixture("cl.fits")])
        .assert()
        .code(1)
        .stderr(
            contains("cl.fits")
                .and(contains("not a HEALPix map"))
                .and(contains("power spectrum (C_l) table")),
        );
    // A truncated file: cfitsio's words, not a raw `FitsError { status: … }`.
    let truncated = dir.path().join("truncated.fits");
    let bytes = std::fs::read(fixture("map.fits")).unwrap();
    std::fs::write(&truncated, &bytes[..5000]).unwrap();
    tessera(&["map", "info", &truncated.display().to_string()])
        .assert()
        .code(1)
        .stderr(contains("truncated.fits").and(contains("truncated or damaged")))
        .stderr(contains("FitsError").not());
    tessera(&["map", "info", &fixture("map.fits"), "--hdu", "2"])
        .assert()
        .code(1)
        .stderr(contains("has 2 HDUs (0 to 1), so no HDU 2"));
    tessera(&["map", "info", &fixture(WMAP), "--field", "B"])
        .assert()
        .code(1)
        .stderr(contains("no field B").and(contains("I_STOKES")));
    let out = dir.path().join("x.fits").display().to_string();
    tessera(&["map", "convert", &fixture(WMAP), &out, "--nside", "3"])
        .assert()
        .code(1)
        .stderr(contains("powers of two"));
    assert!(
        !std::path::Path::new(&out).exists(),
        "no output left behind"
    );
}

#[test]
fn view_draws_a_png_and_rejects_unknown_fields() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("q.png");
    let png_s = png.display().to_string();
    tessera(&[
        "map",
        "view",
        &fixture(WMAP),
        "-o",
        &png_s,
        "--field",
        "Q",
        "--hist",
        "--width",
        "320",
    ])
    .assert()
    .success();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR width and height: 320 x (160 + title + colour bar).
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 320);
    assert!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()) > 160);
    let ortho = dir.path().join("o.png").display().to_string();
    tessera(&[
        "map",
        "view",
        &fixture(WMAP),
        "-o",
        &ortho,
        "--ortho",
        "-30,10",
        "--width",
        "320",
    ])
    .assert()
    .success();
    tessera(&["map", "view", &fixture(WMAP), "-o", &ortho, "--ortho", "10"])
        .assert()
        .code(1)
        .stderr(contains("LON,LAT"));
    let other = dir.path().join("b.png").display().to_string();
    tessera(&["map", "view", &fixture(WMAP), "-o", &other, "--field", "B"])
        .assert()
        .code(1)
        .stderr(contains("no field B"));
    assert!(!std::path::Path::new(&other).exists());
}

#[test]
fn convert_options_partial_dtype_and_pess_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.fits").display().to_string();
    tessera(&[
        "map",
        "convert",
        &fixture(WMAP),
        &out,
        "--nside",
        "16",
        "--pess",
        "--partial",
        "--dtype",
        "f64",
    ])
    .assert()
    .success();
    // Pessimistic degrading keeps fewer seen pixels than the optimistic default.
    let json = |path: &str| {
        let o = tessera(&["map", "info", path, "--json", "--field", "T"])
            .output()
            .unwrap();
        assert!(o.status.success());
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let pess = json(&out)["fields"][0]["f_sky"].as_f64().unwrap();
    let opt_out = dir.path().join("o.fits").display().to_string();
    tessera(&["map", "convert", &fixture(WMAP), &opt_out, "--nside", "16"])
        .assert()
        .success();
    let optimistic = json(&opt_out)["fields"][0]["f_sky"].as_f64().unwrap();
    assert!(pess < optimistic, "{pess} < {optimistic}");
    let head = std::fs::read(&out).unwrap();
    let header = String::from_utf8_lossy(&head[..5760]);
    assert!(header.contains("INDXSCHM= 'EXPLICIT'") && header.contains("TFORM2  = '1D"));
}

/// A mask finer than the map is averaged to the map's pixels; `--mask-threshold` (default 0.5)
/// decides which fractions are kept. Before, a pixel 75 % masked was kept.
#[test]
fn finer_mask_is_thresholded() {
    use tessera_healpix::Healpix;
    use tessera_sky::{SkyMap, write_map};
    let dir = tempfile::tempdir().unwrap();
    let coarse = Healpix::nested(8).unwrap();
    let fine = Healpix::nested(16).unwrap();
    // In NESTED order the four children of coarse pixel p are 4p .. 4p + 3: even parents keep
    // one child in four (25 %), odd parents three (75 %). The mask keeps half the sky.
    let mask: Vec<f64> = (0..fine.npix())
        .map(|c| {
            let (parent, child) = (c / 4, c % 4);
            let kept = if parent % 2 == 0 { 1 } else { 3 };
            if child < kept { 1.0 } else { 0.0 }
        })
        .collect();
    let write = |name: &str, map: SkyMap| {
        let path = dir.path().join(name);
        write_map(&path, &map, &Default::default()).unwrap();
        path.display().to_string()
    };
    let mask = write(
        "mask.fits",
        SkyMap::new(fine, vec![("MASK", mask)]).unwrap(),
    );
    let map = write(
        "map.fits",
        SkyMap::new(coarse, vec![("T", vec![1.0; coarse.npix() as usize])]).unwrap(),
    );
    let out = dir.path().join("masked.fits").display().to_string();
    let fsky = |extra: &[&str]| {
        let mut args = vec!["map", "mask", &map, &out, "--mask", &mask, "--overwrite"];
        args.extend(extra);
        tessera(&args)
            .assert()
            .success()
            .stdout(contains("the mask keeps 0.5000"));
        let masked = tessera_sky::read_map(&out, &Default::default()).unwrap();
        masked.f_sky(0)
    };
    assert_eq!(
        fsky(&[]),
        0.5,
        "default threshold 0.5 keeps the 75 % pixels only"
    );
    assert_eq!(fsky(&["--mask-threshold", "1"]), 0.0);
    assert_eq!(fsky(&["--mask-threshold", "0.2"]), 1.0);
    tessera(&[
        "map",
        "mask",
        &map,
        &out,
        "--mask",
        &mask,
        "--mask-threshold",
        "0",
    ])
    .assert()
    .code(1)
    .stderr(contains("--mask-threshold 0 is not in (0, 1]"));
}

/// `--gal-cut` cuts along the galactic plane in the map's COORDSYS: on an equatorial map the
/// galactic centre is cut and the celestial equator at RA 0 (b = −60°) is kept.
#[test]
fn gal_cut_follows_coordsys() {
    use tessera_healpix::Healpix;
    use tessera_sky::{SkyMap, write_map};
    let dir = tempfile::tempdir().unwrap();
    let hp = Healpix::ring(16).unwrap();
    let mut map = SkyMap::new(hp, vec![("T", vec![1.0; hp.npix() as usize])]).unwrap();
    map.coord = Some("C".into());
    let input = dir.path().join("equatorial.fits");
    write_map(&input, &map, &Default::default()).unwrap();
    let out = dir.path().join("cut.fits");
    tessera(&["map", "mask"])
        .arg(&input)
        .arg(&out)
        .args(["--gal-cut", "20"])
        .assert()
        .success();
    let cut = tessera_sky::read_map(&out, &Default::default()).unwrap();
    let value_at = |ra: f64, dec: f64| {
        let p = hp.ang2pix_lonlat(ra, dec).unwrap();
        cut.fields[0].values[p as usize]
    };
    assert!(
        tessera_sky::is_unseen(value_at(266.405, -28.936)),
        "galactic centre"
    );
    assert_eq!(value_at(0.0, 0.0), 1.0, "RA 0, Dec 0 lies at b = -60 deg");
    assert!(tessera_sky::is_unseen(value_at(100.0, 5.0)), "b = -0.3 deg");
    let fsky = cut.f_sky(0);
    let expected = 1.0 - 20f64.to_radians().sin();
    assert!((fsky - expected).abs() < 0.02, "f_sky {fsky} vs {expected}");
}

/// A map file without an ORDERING keyword is read as RING, as healpy does, and `map info` says
/// so; `--header` lists the header's cards.
#[test]
fn missing_ordering_is_assumed_ring_and_said() {
    use tessera_healpix::Healpix;
    use tessera_sky::{SkyMap, write_map};
    let dir = tempfile::tempdir().unwrap();
    let hp = Healpix::ring(4).unwrap();
    let values: Vec<f64> = (0..hp.npix()).map(|p| p as f64).collect();
    let path = dir.path().join("no_ordering.fits");
    write_map(
        &path,
        &SkyMap::new(hp, vec![("T", values)]).unwrap(),
        &Default::default(),
    )
    .unwrap();
    // Rename the keyword in place: the header stays valid FITS, without ORDERING.
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(9).position(|w| w == b"ORDERING=").unwrap();
    bytes[at..at + 8].copy_from_slice(b"ORDERXXX");
    std::fs::write(&path, bytes).unwrap();
    let map = tessera_sky::read_map(&path, &Default::default()).unwrap();
    assert_eq!(map.fields[0].values[7], 7.0);
    let file = path.display().to_string();
    tessera(&["map", "info", &file, "--header"])
        .assert()
        .success()
        .stdout(contains(
            "RING (no ORDERING keyword: assumed, as healpy does)",
        ))
        .stdout(contains("ORDERXXX = RING").and(contains("NSIDE    = 4")));
}

/// `map convert --coord`: a galactic map turned to equatorial through its pixels (healpy's
/// rotate_map_pixel), COORDSYS updated; a map without a known frame needs FROM,TO; `map view`
/// draws in the frame asked for.
#[test]
fn convert_and_view_turn_maps_between_frames() {
    use tessera_healpix::{CoordSys, Healpix, Rotator};
    use tessera_sky::{SkyMap, write_map};
    let dir = tempfile::tempdir().unwrap();
    let hp = Healpix::ring(16).unwrap();
    // A bright spot at the galactic centre.
    let values: Vec<f64> = (0..hp.npix())
        .map(|p| {
            let v = hp.pix2vec(p).unwrap();
            (20.0 * (v[0] - 1.0)).exp()
        })
        .collect();
    let mut map = SkyMap::new(hp, vec![("T", values)]).unwrap();
    map.coord = Some("G".into());
    let galactic = dir.path().join("galactic.fits");
    write_map(&galactic, &map, &Default::default()).unwrap();
    let equatorial = dir.path().join("equatorial.fits");
    tessera(&["map", "convert"])
        .arg(&galactic)
        .arg(&equatorial)
        .args(["--coord", "C"])
        .assert()
        .success();
    let turned = tessera_sky::read_map(&equatorial, &Default::default()).unwrap();
    assert_eq!(turned.coord.as_deref(), Some("C"));
    let brightest = (0..hp.npix() as usize)
        .max_by(|&a, &b| turned.fields[0].values[a].total_cmp(&turned.fields[0].values[b]))
        .unwrap() as u64;
    // The galactic centre in RA/Dec (healpy: 266.40, -28.94).
    let (ra, dec) =
        Rotator::coord(CoordSys::Galactic, CoordSys::Equatorial).rotate_lonlat(0.0, 0.0);
    let (theta, phi) = tessera_healpix::lonlat2thetaphi(ra, dec).unwrap();
    let centre = tessera_healpix::ang2vec(theta, phi).unwrap();
    let found = hp.pix2vec(brightest).unwrap();
    let cos: f64 = (0..3).map(|k| centre[k] * found[k]).sum();
    let off = cos.min(1.0).acos().to_degrees();
    assert!(
        off < 4.0,
        "brightest pixel {off} degrees from the galactic centre"
    );
    // Through the a_lm: the library's rotate_map_alms, written in f64.
    let via_alm = dir.path().join("equatorial_alm.fits");
    tessera(&["map", "convert"])
        .arg(&galactic)
        .arg(&via_alm)
        .args(["--coord", "C", "--via-alm", "--dtype", "f64"])
        .assert()
        .success();
    let turned = tessera_sky::read_map(&via_alm, &Default::default()).unwrap();
    let want = tessera_sky::sht::rotate_map_alms(
        &tessera_sky::read_map(&galactic, &Default::default()).unwrap(),
        &Rotator::coord(CoordSys::Galactic, CoordSys::Equatorial),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(turned.coord.as_deref(), Some("C"));
    for (a, b) in turned.fields[0].values.iter().zip(&want.fields[0].values) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    // Without a known frame, FROM must be given.
    map.coord = None;
    let unknown = dir.path().join("unknown.fits");
    write_map(&unknown, &map, &Default::default()).unwrap();
    tessera(&["map", "convert"])
        .arg(&unknown)
        .arg(dir.path().join("x.fits"))
        .args(["--coord", "C"])
        .assert()
        .failure()
        .stderr(contains("give --coord FROM,TO"));
    let png = dir.path().join("view.png");
    tessera(&["map", "view"])
        .arg(&unknown)
        .arg("-o")
        .arg(&png)
        .args(["--coord", "G,C"])
        .assert()
        .success();
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}

fn golden_smoothing() -> serde_json::Value {
    use std::io::Read;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/golden/smoothing.json.gz"
    );
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `tessera smooth` against healpy 1.20.1's smoothing of the T/Q/U fixture (fwhm 1°, iter 3,
/// polarised and not; `scripts/golden/smoothing_golden.py`), and a B_l beam file or `--sigma`
/// holding the same Gaussian gives the same map.
#[test]
fn smooth_matches_healpy_and_beam_files() {
    use tessera_sky::sht::{PowerSpectra, Spectrum, gauss_beam};
    let dir = tempfile::tempdir().unwrap();
    let g = golden_smoothing();
    let pixels: Vec<usize> = g["pixels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap() as usize)
        .collect();
    let smooth = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        tessera(&["smooth", &fixture("map.fits")])
            .arg(&out)
            .args(["--dtype", "f64"])
            .args(extra)
            .assert()
            .success();
        tessera_sky::read_map(&out, &Default::default()).unwrap()
    };
    for (key, extra) in [("pol", &[][..]), ("nopol", &["--no-pol"][..])] {
        let map = smooth(&format!("{key}.fits"), &[&["--fwhm", "60"], extra].concat());
        for (k, field) in map.fields.iter().enumerate() {
            let want: Vec<f64> = g[key][k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            let scale = want.iter().map(|v| v.abs()).fold(0.0, f64::max);
            for (&p, w) in pixels.iter().zip(&want) {
                let got = field.values[p];
                assert!(
                    (got - w).abs() < 1e-8 * scale,
                    "{key} field {k} pixel {p}: {got} vs {w}"
                );
            }
        }
    }
    let beam = dir.path().join("beam.fits");
    let b = gauss_beam(1f64.to_radians(), 383, false).remove(0);
    let spectra = PowerSpectra {
        spectra: vec![(Spectrum::TT, b)],
    };
    tessera_sky::write_cl(&beam, &spectra, true).unwrap();
    let from_file = smooth(
        "beam.fits.out.fits",
        &["--beam", &beam.display().to_string(), "--no-pol"],
    );
    let gaussian = smooth("gauss.fits", &["--fwhm", "60", "--no-pol"]);
    assert_eq!(from_file.fields, gaussian.fields);
    // The same Gaussian given by its sigma (60' / sqrt(8 ln 2)).
    let sigma = format!("{}", 60.0 / (8.0 * 2f64.ln()).sqrt());
    let by_sigma = smooth("sigma.fits", &["--sigma", &sigma, "--no-pol"]);
    for (a, b) in by_sigma.fields.iter().zip(&gaussian.fields) {
        for (x, y) in a.values.iter().zip(&b.values) {
            assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{x} vs {y}");
        }
    }
    tessera(&["smooth", &fixture("map.fits")])
        .arg(dir.path().join("none.fits"))
        .assert()
        .failure()
        .stderr(contains("--fwhm ARCMIN"));
}

/// `tessera alm`: healpy's a_lm fixture (lmax 256) to a map at nside 128 and back; the
/// coefficients return (band-limited: map2alm with 3 iterations recovers them to ~1e-4), and
/// the file has healpy's one-HDU-per-set layout.
#[test]
fn alm_files_to_maps_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("from_alm.fits");
    tessera(&["alm", "to-map", &fixture("alm.fits"), "-o"])
        .arg(&map)
        .args(["--nside", "128", "--dtype", "f64"])
        .assert()
        .success()
        .stdout(contains("nside 128"));
    let back = dir.path().join("back_alm.fits");
    tessera(&["alm", "from-map"])
        .arg(&map)
        .arg("-o")
        .arg(&back)
        .args(["--lmax", "256"])
        .assert()
        .success()
        .stdout(contains("to l = 256"));
    let original = tessera_sky::read_alm(fixture("alm.fits"), 1).unwrap();
    let again = tessera_sky::read_alm(&back, 1).unwrap();
    let (l, m) = (100, 37);
    let (a, b) = (original.get(l, m), again.get(l, m));
    assert!((a - b).norm() < 1e-3 * a.norm(), "a_100,37: {a} vs {b}");
    let big = (2..=256)
        .map(|l| {
            (original.get(l, 0) - again.get(l, 0)).norm() / original.get(l, 0).norm().max(1e-3)
        })
        .fold(0.0f64, f64::max);
    assert!(big < 1e-2, "worst relative a_l0 error {big}");
    tessera(&["alm", "to-map", &fixture("alm.fits"), "-o"])
        .arg(dir.path().join("coarse.fits"))
        .args(["--nside", "32"])
        .assert()
        .failure()
        .stderr(contains("lmax 256 is above 4 nside = 128"));
}

/// `map view` draws gnomonic patches and plate carrée views with a graticule and source
/// markers; a marker rings its position (dark pixels where the map is bright), and bad
/// settings are refused.
#[test]
fn view_projections_graticule_and_markers() {
    let dir = tempfile::tempdir().unwrap();
    let png = |name: &str| dir.path().join(name);
    for (name, args) in [
        (
            "gnom.png",
            vec![
                "--gnom",
                "0,0",
                "--size",
                "30",
                "--graticule",
                "10",
                "--marker",
                "0,0",
            ],
        ),
        ("cart.png", vec!["--cart", "--graticule"]),
        ("cart_west.png", vec!["--cart=-60", "--marker", "-60,0"]),
    ] {
        tessera(&["map", "view", &fixture(WMAP), "-o"])
            .arg(png(name))
            .args(&args)
            .assert()
            .success();
        assert!(
            std::fs::read(png(name)).unwrap().starts_with(b"\x89PNG"),
            "{name}"
        );
    }
    // The gnomonic patch is centred on the marker: the ring is black pixels around the centre.
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png("gnom.png")).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.line_size / info.width as usize;
    let pixel = |x: u32, y: u32| {
        let at = y as usize * info.line_size + x as usize * channels;
        [buf[at], buf[at + 1], buf[at + 2]]
    };
    // Map area 800 x 400 below a 36-pixel title: centre (400, 236); ring radius ~3.6 px.
    let ring_black = (0..12).any(|d| pixel(400 + d, 236) == [0, 0, 0]);
    assert!(ring_black, "a black ring around the marker");
    tessera(&["map", "view", &fixture(WMAP), "-o"])
        .arg(png("bad.png"))
        .args(["--gnom", "0,0", "--size", "200"])
        .assert()
        .failure()
        .stderr(contains("--size 200"));
    tessera(&["map", "view", &fixture(WMAP), "-o"])
        .arg(png("bad.png"))
        .args(["--marker", "10"])
        .assert()
        .failure()
        .stderr(contains("expected LON,LAT"));
}

/// `map view` keeps an existing picture unless `--overwrite` is given, naming the flag.
#[test]
fn view_refuses_to_overwrite_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("keep.png");
    std::fs::write(&png, "not a picture yet").unwrap();
    let png_s = png.display().to_string();
    tessera(&["map", "view", &fixture(WMAP), "-o", &png_s])
        .assert()
        .code(1)
        .stderr(contains("already exists (pass --overwrite"));
    assert_eq!(std::fs::read_to_string(&png).unwrap(), "not a picture yet");
    tessera(&["map", "view", &fixture(WMAP), "-o", &png_s, "--overwrite"])
        .assert()
        .success();
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
}
