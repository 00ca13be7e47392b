//! A pipeline step as an astronomy pipeline would write it with tessera-sky: read a FITS map,
//! degrade it to nside 16, mask the galactic plane, remove the monopole and dipole, write the
//! result as a healpy-compatible FITS file, and render a Mollweide picture of it.
//!
//! ```text
//! cargo run -p tessera-examples --example sky_pipeline -- \
//!     ../shared/data/fits/wmap_band_iqumap_r9_7yr_W_v4_udgraded32.fits /tmp/pipeline
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use tessera_healpix::QueryMode;
use tessera_sky::{
    FieldSelection, MollweideOptions, ReadOptions, UNSEEN, UdGradeOptions, WriteOptions, read_map,
    render_mollweide, write_map,
};

fn run(input: PathBuf, out_dir: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    // 1. Read the temperature field, whatever the file calls it (T, I_STOKES, TEMPERATURE, …).
    let opts = ReadOptions {
        fields: FieldSelection::Names(vec!["T".into()]),
        ..Default::default()
    };
    let map = read_map(&input, &opts)?;
    println!(
        "read {}: nside {} {}",
        input.display(),
        map.nside(),
        map.scheme()
    );

    // 2. Degrade to nside 16 (averaging the seen children of each pixel).
    let mut low = map.ud_grade(16, UdGradeOptions::default())?;

    // 3. Mask |b| < 20 deg: the map is in galactic coordinates.
    let strip = low.geometry.query_strip(
        70f64.to_radians(),
        110f64.to_radians(),
        QueryMode::Exclusive,
    )?;
    strip
        .iter()
        .for_each(|&p| low.fields[0].values[p as usize] = UNSEEN);
    println!("masked the galactic plane: f_sky = {:.3}", low.f_sky(0));

    // 4. Remove monopole and dipole over the seen pixels (as before a power spectrum).
    let fit = low.remove_dipole(0)?;
    println!(
        "removed monopole {:.4} and dipole {:?}",
        fit.monopole, fit.dipole
    );

    // 5. Write (atomically, healpy's layout) and render.
    std::fs::create_dir_all(&out_dir)?;
    let fits_out = out_dir.join("pipeline_nside16.fits");
    write_map(
        &fits_out,
        &low,
        &WriteOptions {
            overwrite: true,
            ..Default::default()
        },
    )?;
    let png = out_dir.join("pipeline_nside16.png");
    let picture = MollweideOptions {
        title: Some("T, nside 16, |b| > 20 deg".into()),
        ..Default::default()
    };
    render_mollweide(&low, 0, &png, &picture)?;
    println!("wrote {} and {}", fits_out.display(), png.display());
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(out_dir)) = (args.next(), args.next()) else {
        eprintln!("usage: sky_pipeline MAP.fits OUT_DIR");
        return ExitCode::from(2);
    };
    match run(input, out_dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
