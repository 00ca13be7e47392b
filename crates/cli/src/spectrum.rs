//! `tessera spectrum`: the angular power spectra of a map, or the cross spectra of two
//! (healpy's anafast).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use tessera_sky::sht::{PowerSpectra, anafast, anafast_cross};
use tessera_sky::{SkyMap, plot_spectra, read_map, write_cl};

use crate::map::FieldArgs;
use crate::sim::write_text;

/// Arguments of `tessera spectrum`.
#[derive(Args, Debug)]
pub struct SpectrumArgs {
    /// The FITS map (T, or T/Q/U for the six spectra). UNSEEN pixels count as zero, as in
    /// healpy: the result is the pseudo-spectrum of the masked sky.
    map: PathBuf,
    /// A second map of the same nside: the cross spectra of MAP and it (healpy's
    /// anafast(map1, map2)), TE meaning T of MAP with E of the second.
    map2: Option<PathBuf>,
    /// CSV of C_l: columns l, TT (, EE, BB, TE, EB, TB); `-` for standard output.
    #[arg(short, long)]
    output: PathBuf,
    /// Also draw D_l = l(l+1)C_l/2π of the auto-spectra to this PNG.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Also write the spectra as a HEALPix C_l FITS file.
    #[arg(long)]
    fits: Option<PathBuf>,
    #[command(flatten)]
    analysis: crate::analysis::AnalysisArgs,
    /// Subtract the mean of the seen pixels of the temperature field first, as HEALPix's
    /// anafast and healpy's remove_monopole do; Q and U are left as they are.
    #[arg(long)]
    remove_monopole: bool,
    /// Divide by the pixel window (w_T² for TT, w_P² for EE/BB/EB, w_T w_P for TE/TB; healpy's
    /// `anafast(m) / pixwin(nside)**2`): the spectrum of the sky before pixelisation.
    #[arg(long)]
    pixwin: bool,
    #[command(flatten)]
    fields: FieldArgs,
    #[command(flatten)]
    overwrite: crate::output::OverwriteArg,
}

/// Runs `tessera spectrum`.
pub fn run(args: SpectrumArgs, out: &mut impl Write) -> Result<()> {
    let outputs = [Some(&args.output), args.plot.as_ref(), args.fits.as_ref()];
    args.overwrite
        .check_all(outputs.into_iter().flatten().map(PathBuf::as_path))?;
    let read = |path: &PathBuf| -> Result<SkyMap> {
        let mut map = read_map(path, &args.fields.read_options())?;
        if args.remove_monopole {
            map.remove_monopole(0)?;
        }
        Ok(map)
    };
    let map = read(&args.map)?;
    let other = args.map2.as_ref().map(read).transpose()?;
    let opts = args.analysis.options();
    let mut spectra = match (&other, &args.map2) {
        (Some(b), Some(path)) => anafast_cross(&map, b, &opts)
            .map_err(|e| anyhow::anyhow!("{} × {}: {e}", args.map.display(), path.display()))?,
        _ => anafast(&map, &opts).map_err(|e| anyhow::anyhow!("{}: {e}", args.map.display()))?,
    };
    if args.pixwin {
        spectra.deconvolve_pixwin(map.nside())?;
    }
    write_text(&args.output, &to_csv(&spectra))?;
    if let Some(fits) = &args.fits {
        write_cl(fits, &spectra, true)?;
    }
    if let Some(png) = &args.plot {
        let unit = map.fields[0].unit.clone().unwrap_or_default();
        let title = format!(
            "{} (nside {})",
            args.map
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            map.nside()
        );
        let unit = if unit.is_empty() {
            String::new()
        } else {
            format!("{unit}²")
        };
        plot_spectra(&spectra, png, &title, &unit)?;
    }
    let line = format!(
        "wrote {} spectra to l = {} in {}",
        spectra.spectra.len(),
        spectra.lmax(),
        args.output.display()
    );
    crate::output::status(out, &args.output, &line)
}

/// The spectra as CSV: a header `l,TT,…` and one row per multipole.
pub fn to_csv(spectra: &PowerSpectra) -> String {
    let mut s = String::from("l");
    for (which, _) in &spectra.spectra {
        s.push(',');
        s.push_str(which.name());
    }
    s.push('\n');
    for l in 0..=spectra.lmax() {
        s.push_str(&l.to_string());
        for (_, v) in &spectra.spectra {
            s.push_str(&format!(",{:e}", v[l]));
        }
        s.push('\n');
    }
    s
}
