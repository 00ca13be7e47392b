//! `tessera map …`: HEALPix sky maps in FITS files.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use tessera_healpix::{CoordSys, Rotator, Scheme};
use tessera_sky::sht::{Map2AlmOptions, rotate_map_alms};
use tessera_sky::{
    Colormap, Dtype, FieldSelection, MollweideOptions, Projection, ReadOptions, Scale, SkyMap,
    UdGradeOptions, WriteOptions, galactic_north_pole, is_unseen, read_header, read_map,
    render_mollweide, write_map,
};

/// Which fields to read, shared by the map commands.
#[derive(Args, Debug, Clone)]
pub struct FieldArgs {
    /// Fields to read, by name (T, Q, U, I_STOKES, …) or 0-based index; comma-separated.
    /// Default: all.
    #[arg(long, value_delimiter = ',')]
    field: Vec<String>,
    /// The FITS HDU holding the map (1 = first extension).
    #[arg(long, default_value_t = 1)]
    hdu: usize,
}

impl FieldArgs {
    pub fn read_options(&self) -> ReadOptions {
        let fields = if self.field.is_empty() {
            FieldSelection::All
        } else if let Ok(idx) = self.field.iter().map(|f| f.parse::<usize>()).collect() {
            FieldSelection::Indices(idx)
        } else {
            FieldSelection::Names(self.field.clone())
        };
        ReadOptions {
            fields,
            hdu: self.hdu,
            scheme: None,
        }
    }
}

/// Pixel numbering scheme on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SchemeArg {
    /// Iso-latitude rings (healpy's default).
    Ring,
    /// Hierarchical (nest=True).
    Nested,
}

impl From<SchemeArg> for Scheme {
    fn from(s: SchemeArg) -> Scheme {
        match s {
            SchemeArg::Ring => Scheme::Ring,
            SchemeArg::Nested => Scheme::Nested,
        }
    }
}

/// Column precision on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum DtypeArg {
    /// 32-bit floats (healpy's default).
    F32,
    /// 64-bit floats.
    F64,
}

/// Colour map on the command line.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CmapArg {
    /// Planck's CMB colours (blue-cream-red).
    Planck,
    /// viridis (healpy's default).
    Viridis,
}

/// Output options of the commands that write a map.
#[derive(Args, Debug, Clone)]
pub struct OutputMapArgs {
    /// Column precision of the output.
    #[arg(long, value_enum, default_value = "f32")]
    dtype: DtypeArg,
    /// Replace OUT if it exists.
    #[arg(long)]
    overwrite: bool,
    /// Store only the seen pixels (explicit indexing, healpy's partial=True).
    #[arg(long)]
    partial: bool,
}

impl OutputMapArgs {
    pub(crate) fn write_options(&self) -> WriteOptions {
        let dtype = match self.dtype {
            DtypeArg::F32 => Dtype::F32,
            DtypeArg::F64 => Dtype::F64,
        };
        WriteOptions {
            dtype,
            overwrite: self.overwrite,
            partial: self.partial,
        }
    }
}

/// `--coord [FROM,]TO`: the map turned into another coordinate system.
#[derive(Args, Debug, Clone, Default)]
pub struct MapFrameArg {
    /// Turn the map into coordinates TO (G galactic, E ecliptic, C equatorial J2000) through its
    /// pixels (healpy's rotate_map_pixel: bilinear interpolation, Q/U angles turned when the
    /// map has them). FROM defaults to the file's COORDSYS; give FROM,TO when it is missing.
    #[arg(long, value_delimiter = ',', num_args = 1, value_name = "[FROM,]TO")]
    coord: Vec<CoordSys>,
    /// With --coord: turn the map through its a_lm instead (healpy's rotate_map_alms with
    /// use_pixel_weights=False: map2alm with 3 iterations up to lmax 3 nside − 1, rotate_alm,
    /// alm2map). Exact for band-limited maps where the pixel way smooths; UNSEEN pixels count
    /// as 0, so use it on full-sky maps.
    #[arg(long, requires = "coord")]
    via_alm: bool,
}

impl MapFrameArg {
    /// `map` in the frame asked for (unchanged without `--coord`).
    fn apply(&self, map: SkyMap, file: &std::path::Path) -> Result<SkyMap> {
        let (from, to) = match self.coord.as_slice() {
            [] => return Ok(map),
            [to] => {
                let from = map
                    .coord
                    .as_deref()
                    .and_then(|c| c.parse::<CoordSys>().ok());
                let Some(from) = from else {
                    bail!(
                        "{}: COORDSYS is {}, so the map's frame is unknown: give --coord FROM,TO",
                        file.display(),
                        map.coord.as_deref().unwrap_or("absent")
                    );
                };
                (from, *to)
            }
            [from, to] => (*from, *to),
            more => bail!("--coord takes TO or FROM,TO, not {} systems", more.len()),
        };
        let mut turned = if from == to {
            map
        } else {
            let rotator = Rotator::coord(from, to);
            if self.via_alm {
                rotate_map_alms(&map, &rotator, &Map2AlmOptions::default())
                    .with_context(|| format!("{}: rotating through the a_lm", file.display()))?
            } else {
                map.rotate_pixels(&rotator)?
            }
        };
        turned.coord = Some(to.letter().to_string());
        Ok(turned)
    }
}

/// The map subcommands.
#[derive(Subcommand, Debug)]
pub enum MapCommand {
    /// What a map file holds: nside, scheme, coordinates, and per field the unit, sky fraction,
    /// min/max/mean/rms over seen pixels; with --header, every card of the map's FITS header.
    ///
    /// A file without an ORDERING keyword is read as RING, as healpy does, and info says so.
    ///
    /// Example: tessera map info wmap_band_iqumap_r9_7yr_W_v4.fits --header
    Info {
        /// The FITS map.
        file: PathBuf,
        #[command(flatten)]
        fields: FieldArgs,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Also print the header cards (keyword, value, comment) of the map's HDU.
        #[arg(long)]
        header: bool,
    },
    /// Change resolution, scheme and/or coordinate system (healpy's ud_grade, reorder and
    /// rotate_map_pixel) and write a new file.
    ///
    /// Examples:
    ///   tessera map convert in.fits out.fits --nside 64 --scheme nested
    ///   tessera map convert planck_galactic.fits equatorial.fits --coord C
    #[command(verbatim_doc_comment)]
    Convert {
        /// The input FITS map.
        input: PathBuf,
        /// The output FITS map (written atomically).
        output: PathBuf,
        /// Output nside (a power of two): degrade by averaging, upgrade by copying.
        #[arg(long)]
        nside: Option<u64>,
        /// Output scheme (default: the input's).
        #[arg(long, value_enum)]
        scheme: Option<SchemeArg>,
        /// When degrading, a pixel with any UNSEEN child becomes UNSEEN (healpy's pess=True).
        #[arg(long)]
        pess: bool,
        #[command(flatten)]
        frame: MapFrameArg,
        #[command(flatten)]
        fields: FieldArgs,
        #[command(flatten)]
        out: OutputMapArgs,
    },
    /// Draw a field to a PNG: Mollweide (healpy's mollview) by default, or --ortho, --gnom,
    /// --cart; Planck colours, UNSEEN pixels grey, a colour bar with the unit, optionally a
    /// graticule and rings around sources.
    ///
    /// Examples:
    ///   tessera map view wmap.fits -o wmap_Q.png --field Q --min -0.05 --max 0.05
    ///   tessera map view planck.fits -o crab.png --coord C --gnom 83.63,22.01 --size 5 --marker 83.63,22.01 --graticule 1
    #[command(verbatim_doc_comment)]
    View {
        /// The FITS map.
        file: PathBuf,
        /// The PNG to write.
        #[arg(short, long)]
        output: PathBuf,
        /// The field to draw, by name (T, Q, U, …) or 0-based index.
        #[arg(long, default_value = "0")]
        field: String,
        /// The FITS HDU holding the map.
        #[arg(long, default_value_t = 1)]
        hdu: usize,
        /// Lower end of the colour scale (default: the minimum).
        #[arg(long, allow_negative_numbers = true)]
        min: Option<f64>,
        /// Upper end of the colour scale (default: the maximum).
        #[arg(long, allow_negative_numbers = true)]
        max: Option<f64>,
        /// Histogram-equalised colours (healpy's norm='hist').
        #[arg(long)]
        hist: bool,
        /// Colour map.
        #[arg(long, value_enum, default_value = "planck")]
        cmap: CmapArg,
        /// Image width in pixels.
        #[arg(long, default_value_t = 800)]
        width: u32,
        /// Title (default: the field name).
        #[arg(long)]
        title: Option<String>,
        /// Unit under the colour bar (default: the file's TUNIT).
        #[arg(long)]
        unit: Option<String>,
        /// Orthographic view instead of Mollweide: two hemispheres, the left centred on LON,LAT
        /// (degrees), the right on the opposite direction (healpy's orthview).
        #[arg(
            long,
            value_name = "LON,LAT",
            value_delimiter = ',',
            allow_hyphen_values = true
        )]
        ortho: Option<Vec<f64>>,
        /// Gnomonic view of a patch centred on LON,LAT (degrees; healpy's gnomview), --size
        /// degrees across.
        #[arg(
            long,
            value_name = "LON,LAT",
            value_delimiter = ',',
            allow_hyphen_values = true,
            conflicts_with_all = ["ortho", "cart"]
        )]
        gnom: Option<Vec<f64>>,
        /// Width of the --gnom patch, degrees.
        #[arg(long, default_value_t = 10.0, requires = "gnom")]
        size: f64,
        /// Plate carrée (longitude–latitude rectangle) of the whole sky, centred on longitude
        /// LON (default 0; healpy's cartview; a negative LON as --cart=-30).
        #[arg(
            long,
            value_name = "LON",
            num_args = 0..=1,
            default_missing_value = "0",
            require_equals = true,
            conflicts_with = "ortho"
        )]
        cart: Option<f64>,
        /// Draw meridians and parallels every DEG degrees (default 30; healpy's graticule).
        #[arg(long, value_name = "DEG", num_args = 0..=1, default_missing_value = "30")]
        graticule: Option<f64>,
        /// Ring a position LON,LAT (degrees, in the map's frame after --coord); repeat for
        /// several (healpy's projscatter).
        #[arg(long, value_name = "LON,LAT", allow_hyphen_values = true)]
        marker: Vec<String>,
        /// Draw the map in another coordinate system (Q or U alone turn as scalars).
        #[command(flatten)]
        frame: MapFrameArg,
        #[command(flatten)]
        overwrite: crate::output::OverwriteArg,
    },
    /// Mask a map: pixels outside a mask file and/or within a galactic latitude cut become UNSEEN.
    ///
    /// The mask file is read (first field, or --mask-field) and brought to the map's nside and
    /// scheme. A mask finer than the map is averaged (UNSEEN counts as 0), so each map pixel gets
    /// the fraction of it that the mask keeps; pixels below --mask-threshold are masked. The
    /// default 0.5 keeps f_sky close to the mask's own; 1 keeps only pixels wholly inside the
    /// mask (the safe choice for spectra near the mask's edge). --gal-cut B masks
    /// |galactic latitude| < B degrees, wherever the map's COORDSYS (G, E or C; G when absent)
    /// puts the galactic plane.
    ///
    /// Example: tessera map mask map.fits masked.fits --mask wmap_analysis_mask.fits --gal-cut 10
    Mask {
        /// The input FITS map.
        input: PathBuf,
        /// The output FITS map (written atomically).
        output: PathBuf,
        /// A FITS mask (1 = keep, 0 = mask).
        #[arg(long)]
        mask: Option<PathBuf>,
        /// The mask file's field to use.
        #[arg(long, default_value = "0")]
        mask_field: String,
        /// Mask map pixels where the mask, at the map's resolution, is below this fraction
        /// (in (0, 1]; only matters for a mask finer than the map).
        #[arg(long, default_value_t = 0.5)]
        mask_threshold: f64,
        /// Mask |galactic latitude| below this many degrees (in the map's COORDSYS).
        #[arg(long)]
        gal_cut: Option<f64>,
        #[command(flatten)]
        fields: FieldArgs,
        #[command(flatten)]
        out: OutputMapArgs,
    },
}

/// Runs one map subcommand, writing its report to `out`.
pub fn run(cmd: MapCommand, out: &mut impl Write) -> Result<()> {
    match cmd {
        MapCommand::Info {
            file,
            fields,
            json,
            header,
        } => info(&file, &fields, json, header, out),
        MapCommand::Convert {
            input,
            output,
            nside,
            scheme,
            pess,
            frame,
            fields,
            out: o,
        } => {
            let mut map = frame.apply(read_map(&input, &fields.read_options())?, &input)?;
            if let Some(n) = nside {
                map = map
                    .ud_grade(n, UdGradeOptions { pess, power: None })
                    .with_context(|| format!("changing the resolution of {}", input.display()))?;
            }
            if let Some(s) = scheme {
                map = map.reorder(s.into())?;
            }
            write_map(&output, &map, &o.write_options())?;
            writeln!(
                out,
                "wrote {} (nside {}, {})",
                output.display(),
                map.nside(),
                map.scheme()
            )?;
            Ok(())
        }
        MapCommand::View {
            file,
            output,
            field,
            hdu,
            min,
            max,
            hist,
            cmap,
            width,
            title,
            unit,
            ortho,
            gnom,
            size,
            cart,
            graticule,
            marker,
            frame,
            overwrite,
        } => {
            let args = FieldArgs {
                field: vec![field],
                hdu,
            };
            let map = frame.apply(read_map(&file, &args.read_options())?, &file)?;
            let projection = match (ortho.as_deref(), gnom.as_deref(), cart) {
                (Some([lon, lat]), _, _) => Projection::Orthographic {
                    lon: *lon,
                    lat: *lat,
                },
                (Some(_), _, _) => bail!("--ortho takes LON,LAT in degrees"),
                (_, Some([lon, lat]), _) => {
                    if !(size > 0.0 && size <= 170.0) {
                        bail!("--size {size} is not a patch width in (0, 170] degrees");
                    }
                    Projection::Gnomonic {
                        lon: *lon,
                        lat: *lat,
                        width: size,
                    }
                }
                (_, Some(_), _) => bail!("--gnom takes LON,LAT in degrees"),
                (_, _, Some(lon)) => Projection::Cartesian { lon },
                _ => Projection::Mollweide,
            };
            if let Some(step) = graticule
                && !(step > 0.0 && step <= 90.0)
            {
                bail!("--graticule {step} is not a spacing in (0, 90] degrees");
            }
            let markers = marker
                .iter()
                .map(|m| -> Result<(f64, f64)> {
                    let parts: Vec<f64> = m
                        .split(',')
                        .map(|v| v.trim().parse::<f64>())
                        .collect::<std::result::Result<_, _>>()
                        .map_err(|_| {
                            anyhow::anyhow!("--marker {m:?}: expected LON,LAT in degrees")
                        })?;
                    match parts.as_slice() {
                        [lon, lat] if lat.abs() <= 90.0 => Ok((*lon, *lat)),
                        _ => bail!("--marker {m:?}: expected LON,LAT with |LAT| <= 90"),
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            let opts = MollweideOptions {
                projection,
                width,
                title,
                unit,
                min,
                max,
                scale: if hist {
                    Scale::HistEqual
                } else {
                    Scale::Linear
                },
                colormap: match cmap {
                    CmapArg::Planck => Colormap::Planck,
                    CmapArg::Viridis => Colormap::Viridis,
                },
                graticule,
                markers,
            };
            overwrite.check(&output)?;
            render_mollweide(&map, 0, &output, &opts)?;
            writeln!(out, "wrote {}", output.display())?;
            Ok(())
        }
        MapCommand::Mask {
            input,
            output,
            mask,
            mask_field,
            mask_threshold,
            gal_cut,
            fields,
            out: o,
        } => {
            if mask.is_none() && gal_cut.is_none() {
                bail!("nothing to do: give --mask FILE and/or --gal-cut DEGREES");
            }
            if !(mask_threshold > 0.0 && mask_threshold <= 1.0) {
                bail!("--mask-threshold {mask_threshold} is not in (0, 1]");
            }
            let mut map = read_map(&input, &fields.read_options())?;
            let mut mask_note = String::new();
            if let Some(mask_path) = mask {
                let (values, mask_fsky) = mask_values(&mask_path, &mask_field, &map)?;
                map.apply_mask_threshold(&values, mask_threshold)?;
                mask_note = format!(
                    " (the mask keeps {mask_fsky:.4}; pixels below {mask_threshold} masked)"
                );
            }
            if let Some(cut) = gal_cut {
                map.mask_galactic_plane(cut)
                    .with_context(|| format!("--gal-cut on {}", input.display()))?;
                if map.coord.as_deref().and_then(galactic_north_pole).is_none() {
                    let coord = map.coord.as_deref().unwrap_or("absent");
                    writeln!(
                        out,
                        "COORDSYS is {coord}: --gal-cut cut along the map's equator, as for a \
                         galactic map"
                    )?;
                }
            }
            write_map(&output, &map, &o.write_options())?;
            writeln!(
                out,
                "wrote {}: f_sky = {:.4}{mask_note}",
                output.display(),
                map.f_sky(0)
            )?;
            Ok(())
        }
    }
}

/// The mask's values at the map's nside and scheme, and the fraction of the sky the mask
/// keeps at its own resolution. UNSEEN mask pixels count as 0 (masked), also when averaging.
fn mask_values(path: &PathBuf, field: &str, map: &SkyMap) -> Result<(Vec<f64>, f64)> {
    let args = FieldArgs {
        field: vec![field.to_string()],
        hdu: 1,
    };
    let mut mask = read_map(path, &args.read_options())?;
    for v in &mut mask.fields[0].values {
        if is_unseen(*v) {
            *v = 0.0;
        }
    }
    let values = &mask.fields[0].values;
    let mask_fsky = values.iter().sum::<f64>() / values.len() as f64;
    if mask.nside() != map.nside() {
        mask = mask
            .ud_grade(map.nside(), UdGradeOptions::default())
            .with_context(|| {
                format!("bringing mask {} to nside {}", path.display(), map.nside())
            })?;
    }
    let mut mask = mask.reorder(map.scheme())?;
    Ok((mask.fields.swap_remove(0).values, mask_fsky))
}

fn info(
    file: &PathBuf,
    fields: &FieldArgs,
    json: bool,
    show_header: bool,
    out: &mut impl Write,
) -> Result<()> {
    let map = read_map(file, &fields.read_options())?;
    let header = read_header(file, fields.hdu)?;
    let scheme = if header.get("ORDERING").is_some() {
        map.scheme().to_string()
    } else {
        format!(
            "{} (no ORDERING keyword: assumed, as healpy does)",
            map.scheme()
        )
    };
    let stats: Vec<_> = (0..map.fields.len()).map(|i| (i, map.stats(i))).collect();
    if json {
        let per_field: Vec<_> = stats
            .iter()
            .map(|(i, s)| {
                let f = &map.fields[*i];
                json!({ "name": f.name, "unit": f.unit, "f_sky": s.f_sky(), "n_unseen": s.n_unseen,
                        "min": s.min, "max": s.max, "mean": s.mean, "rms": s.rms })
            })
            .collect();
        let cards: Vec<_> = header
            .cards
            .iter()
            .map(|c| json!({ "key": c.key, "value": c.value, "comment": c.comment }))
            .collect();
        let mut report = json!({ "file": file, "nside": map.nside(), "npix": map.geometry.npix(),
            "scheme": map.scheme().to_string(), "ordering_assumed": header.get("ORDERING").is_none(),
            "coordsys": map.coord, "fields": per_field });
        if show_header {
            report["header"] = json!(cards);
        }
        writeln!(out, "{report}")?;
        return Ok(());
    }
    writeln!(out, "file      {}", file.display())?;
    writeln!(
        out,
        "nside     {} ({} pixels, {:.3} arcmin)",
        map.nside(),
        map.geometry.npix(),
        map.geometry.nside_validated().resol_arcmin()
    )?;
    writeln!(out, "scheme    {scheme}")?;
    writeln!(
        out,
        "coordsys  {}",
        map.coord.as_deref().unwrap_or("(not given)")
    )?;
    writeln!(
        out,
        "{:<16} {:<8} {:>7} {:>13} {:>13} {:>13} {:>13}",
        "field", "unit", "f_sky", "min", "max", "mean", "rms"
    )?;
    for (i, s) in stats {
        let f = &map.fields[i];
        writeln!(
            out,
            "{:<16} {:<8} {:>7.4} {:>13.6e} {:>13.6e} {:>13.6e} {:>13.6e}",
            f.name,
            f.unit.as_deref().unwrap_or("-"),
            s.f_sky(),
            s.min,
            s.max,
            s.mean,
            s.rms
        )?;
    }
    if show_header {
        writeln!(out, "header of HDU {}:", fields.hdu)?;
        for c in &header.cards {
            if matches!(c.key.as_str(), "COMMENT" | "HISTORY") {
                writeln!(out, "  {:<8}   {}", c.key, c.comment)?;
            } else if c.comment.is_empty() {
                writeln!(out, "  {:<8} = {}", c.key, c.value)?;
            } else {
                writeln!(out, "  {:<8} = {} / {}", c.key, c.value, c.comment)?;
            }
        }
    }
    Ok(())
}
