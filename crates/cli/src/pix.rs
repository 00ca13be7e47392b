//! `tessera pix …`: HEALPix pixel geometry from the command line.

use std::io::Write;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde_json::json;
use tessera_healpix::{CoordSys, Direction, Healpix, Nside, QueryMode, Rotator, Scheme};

use crate::input::{pairs, values_or_stdin};

/// The map geometry every pixel command needs.
#[derive(Args, Debug, Clone, Copy)]
pub struct GeometryArgs {
    /// HEALPix resolution parameter (any value >= 1 for RING; a power of two for --nest).
    #[arg(long, short = 'n')]
    nside: u64,
    /// Use NESTED pixel numbering instead of RING (healpy's nest=True).
    #[arg(long)]
    nest: bool,
}

impl GeometryArgs {
    fn healpix(self) -> Result<Healpix> {
        let scheme = if self.nest {
            Scheme::Nested
        } else {
            Scheme::Ring
        };
        Healpix::new(self.nside, scheme).context("invalid map geometry")
    }
}

/// The frame of the directions on the command line, when it is not the map's.
#[derive(Args, Debug, Clone, Default)]
pub struct FrameArgs {
    /// FROM,TO: the directions given (or printed) are in coordinates FROM, the map's pixels in
    /// TO, each G (galactic), E (ecliptic) or C (equatorial, J2000), as healpy's
    /// `coord=[FROM, TO]`. Example: --coord C,G looks up an RA/Dec source in a galactic map.
    #[arg(long, value_delimiter = ',', num_args = 1, value_name = "FROM,TO")]
    coord: Vec<CoordSys>,
}

impl FrameArgs {
    /// The rotation from the directions' frame to the map's, if one was asked for.
    fn rotator(&self) -> Result<Option<Rotator>> {
        match self.coord.as_slice() {
            [] => Ok(None),
            [from, to] => Ok(Some(Rotator::coord(*from, *to))),
            other => anyhow::bail!(
                "--coord takes two systems, FROM,TO (such as C,G), not {}",
                other.len()
            ),
        }
    }
}

/// A direction in the frame of the command line turned into the map's: `(lon, lat)` in degrees
/// with `lonlat`, else `(theta, phi)` in radians.
fn to_map_frame(rotator: Option<&Rotator>, (a, b): (f64, f64), lonlat: bool) -> (f64, f64) {
    match rotator {
        None => (a, b),
        Some(r) if lonlat => r.rotate_lonlat(a, b),
        Some(r) => r.rotate_ang(a, b),
    }
}

/// Output options shared by the pixel commands.
#[derive(Args, Debug, Clone, Copy)]
pub struct OutputArgs {
    /// Print JSON instead of a whitespace-separated table.
    #[arg(long)]
    json: bool,
}

/// The pixel subcommands.
#[derive(Subcommand, Debug)]
pub enum PixCommand {
    /// Resolution facts for an nside: pixel count, order, pixel size and area.
    ///
    /// Example: tessera pix info --nside 1024
    Info {
        /// HEALPix resolution parameter.
        #[arg(long, short = 'n')]
        nside: u64,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Pixel containing each direction (healpy's ang2pix).
    ///
    /// Directions are pairs THETA PHI in radians (theta = colatitude, 0 at the north pole), or
    /// LON LAT in degrees with --lonlat. With no directions on the command line they are read
    /// from standard input.
    ///
    /// Examples:
    ///   tessera pix ang2pix --nside 16 --nest 0.1 0.2 1.0 3.0
    ///   tessera pix ang2pix --nside 64 --lonlat --coord C,G 83.63308 22.0145   (the Crab, RA/Dec,
    ///   in a galactic map: pixel 27139)
    #[command(allow_negative_numbers = true, verbatim_doc_comment)]
    Ang2pix {
        #[command(flatten)]
        geometry: GeometryArgs,
        /// Read and print angles as longitude/latitude in degrees.
        #[arg(long)]
        lonlat: bool,
        #[command(flatten)]
        frame: FrameArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// Alternating THETA PHI (or LON LAT with --lonlat).
        #[arg(value_name = "ANGLES")]
        angles: Vec<String>,
    },
    /// Centre of each pixel (healpy's pix2ang): THETA PHI in radians, or LON LAT with --lonlat.
    ///
    /// Example: echo "0 5 3071" | tessera pix pix2ang --nside 16 --lonlat
    Pix2ang {
        #[command(flatten)]
        geometry: GeometryArgs,
        /// Print longitude/latitude in degrees instead of colatitude/longitude in radians.
        #[arg(long)]
        lonlat: bool,
        #[command(flatten)]
        frame: FrameArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// Pixel indices (read from standard input when none are given).
        #[arg(value_name = "PIX")]
        pixels: Vec<String>,
    },
    /// Unit vector of each pixel centre (healpy's pix2vec).
    Pix2vec {
        #[command(flatten)]
        geometry: GeometryArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// Pixel indices (read from standard input when none are given).
        #[arg(value_name = "PIX")]
        pixels: Vec<String>,
    },
    /// The 8 neighbours of each pixel in healpy's order SW W NW N NE E SE S; -1 marks the
    /// missing neighbour of the 24 pixels per map that have only 7.
    ///
    /// Example: tessera pix neighbours --nside 4 --nest 0 5
    Neighbours {
        #[command(flatten)]
        geometry: GeometryArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// Pixel indices (read from standard input when none are given).
        #[arg(value_name = "PIX")]
        pixels: Vec<String>,
    },
    /// Convert RING indices to NESTED (nside must be a power of two).
    Ring2nest {
        /// HEALPix resolution parameter (a power of two).
        #[arg(long, short = 'n')]
        nside: u64,
        /// RING pixel indices (read from standard input when none are given).
        #[arg(value_name = "PIX")]
        pixels: Vec<String>,
    },
    /// Convert NESTED indices to RING (nside must be a power of two).
    Nest2ring {
        /// HEALPix resolution parameter (a power of two).
        #[arg(long, short = 'n')]
        nside: u64,
        /// NESTED pixel indices (read from standard input when none are given).
        #[arg(value_name = "PIX")]
        pixels: Vec<String>,
    },
    /// Pixels within a radius of a direction (healpy's query_disc).
    ///
    /// The centre is --theta/--phi in radians, or --lon/--lat in degrees; the radius is in
    /// degrees. By default a pixel is returned when its centre is inside the disc; --inclusive
    /// returns every pixel that overlaps it (plus possibly a few that only come close).
    ///
    /// Example: tessera pix query-disc --nside 64 --lon 0 --lat 90 --radius 5
    #[command(allow_negative_numbers = true)]
    QueryDisc {
        #[command(flatten)]
        geometry: GeometryArgs,
        /// Longitude of the centre in degrees.
        #[arg(long, requires = "lat", conflicts_with_all = ["theta", "phi"])]
        lon: Option<f64>,
        /// Latitude of the centre in degrees.
        #[arg(long, requires = "lon")]
        lat: Option<f64>,
        /// Colatitude of the centre in radians.
        #[arg(long, requires = "phi")]
        theta: Option<f64>,
        /// Longitude of the centre in radians.
        #[arg(long, requires = "theta")]
        phi: Option<f64>,
        /// Disc radius in degrees.
        #[arg(long)]
        radius: f64,
        /// Return all overlapping pixels, not only those with their centre inside.
        #[arg(long)]
        inclusive: bool,
        /// Oversampling factor of the --inclusive overlap test (healpy's fact).
        #[arg(long, default_value_t = 4, requires = "inclusive")]
        fact: u32,
        #[command(flatten)]
        frame: FrameArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// Runs one pixel subcommand, writing its result to `out`.
pub fn run(cmd: PixCommand, out: &mut impl Write) -> Result<()> {
    match cmd {
        PixCommand::Info { nside, output } => info(nside, output, out),
        PixCommand::Ang2pix {
            geometry,
            lonlat,
            frame,
            output,
            angles,
        } => {
            let hp = geometry.healpix()?;
            let rotator = frame.rotator()?;
            let angles = pairs(values_or_stdin::<f64>(&angles, "angle")?, "angles")?;
            let pix = angles
                .iter()
                .map(|&direction| {
                    let (a, b) = to_map_frame(rotator.as_ref(), direction, lonlat);
                    if lonlat {
                        hp.ang2pix_lonlat(a, b)
                    } else {
                        hp.ang2pix(a, b)
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            print_pixels(&hp, &pix, output, out)
        }
        PixCommand::Pix2ang {
            geometry,
            lonlat,
            frame,
            output,
            pixels,
        } => {
            let hp = geometry.healpix()?;
            // Pixel centres are in the map's frame (TO): printed in FROM.
            let back = frame.rotator()?.map(|r| r.inverse());
            let pix = values_or_stdin::<u64>(&pixels, "pixel")?;
            let angles = pix
                .iter()
                .map(|&p| {
                    let centre = if lonlat {
                        hp.pix2ang_lonlat(p)
                    } else {
                        hp.pix2ang(p)
                    };
                    centre.map(|c| to_map_frame(back.as_ref(), c, lonlat))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let (a, b) = if lonlat {
                ("lon", "lat")
            } else {
                ("theta", "phi")
            };
            if output.json {
                let (xs, ys): (Vec<f64>, Vec<f64>) = angles.into_iter().unzip();
                writeln!(out, "{}", json!({ "pix": pix, a: xs, b: ys }))?;
            } else {
                writeln!(out, "# pix {a} {b}")?;
                for (p, (x, y)) in pix.iter().zip(angles) {
                    writeln!(out, "{p} {x} {y}")?;
                }
            }
            Ok(())
        }
        PixCommand::Pix2vec {
            geometry,
            output,
            pixels,
        } => {
            let hp = geometry.healpix()?;
            let pix = values_or_stdin::<u64>(&pixels, "pixel")?;
            let vecs = pix
                .iter()
                .map(|&p| hp.pix2vec(p))
                .collect::<Result<Vec<_>, _>>()?;
            if output.json {
                writeln!(out, "{}", json!({ "pix": pix, "vec": vecs }))?;
            } else {
                writeln!(out, "# pix x y z")?;
                for (p, v) in pix.iter().zip(vecs) {
                    writeln!(out, "{p} {} {} {}", v[0], v[1], v[2])?;
                }
            }
            Ok(())
        }
        PixCommand::Neighbours {
            geometry,
            output,
            pixels,
        } => {
            let hp = geometry.healpix()?;
            let pix = values_or_stdin::<u64>(&pixels, "pixel")?;
            let rows = pix
                .iter()
                .map(|&p| hp.neighbours(p).map(|n| n.to_healpy()))
                .collect::<Result<Vec<_>, _>>()?;
            if output.json {
                let order: Vec<&str> = Direction::ALL.iter().map(|d| d.name()).collect();
                writeln!(
                    out,
                    "{}",
                    json!({ "order": order, "pix": pix, "neighbours": rows })
                )?;
            } else {
                let names: Vec<&str> = Direction::ALL.iter().map(|d| d.name()).collect();
                writeln!(out, "# pix {}", names.join(" "))?;
                for (p, row) in pix.iter().zip(rows) {
                    let cols: Vec<String> = row.iter().map(i64::to_string).collect();
                    writeln!(out, "{p} {}", cols.join(" "))?;
                }
            }
            Ok(())
        }
        PixCommand::Ring2nest { nside, pixels } => convert(nside, &pixels, out, Healpix::ring2nest),
        PixCommand::Nest2ring { nside, pixels } => convert(nside, &pixels, out, Healpix::nest2ring),
        PixCommand::QueryDisc {
            geometry,
            lon,
            lat,
            theta,
            phi,
            radius,
            inclusive,
            fact,
            frame,
            output,
        } => {
            let hp = geometry.healpix()?;
            let (theta, phi) = match (lon, lat, theta, phi) {
                (Some(lon), Some(lat), _, _) => tessera_healpix::lonlat2thetaphi(lon, lat)?,
                (_, _, Some(t), Some(p)) => (t, p),
                _ => anyhow::bail!(
                    "give the disc centre as --lon/--lat (degrees) or --theta/--phi (radians)"
                ),
            };
            let (theta, phi) = to_map_frame(frame.rotator()?.as_ref(), (theta, phi), false);
            let centre = tessera_healpix::ang2vec(theta, phi)?;
            guard_disc_size(&hp, radius)?;
            let mode = if inclusive {
                QueryMode::Inclusive { fact }
            } else {
                QueryMode::Exclusive
            };
            let pix = hp.query_disc(centre, radius.to_radians(), mode)?;
            print_pixels(&hp, &pix, output, out)
        }
    }
}

/// Most pixels a disc query prints: beyond this the answer is not useful as text.
const MAX_DISC_PIXELS: f64 = 5e7;

/// Refuses discs whose pixel list would not fit in memory or make sense on a terminal.
fn guard_disc_size(hp: &Healpix, radius_deg: f64) -> Result<()> {
    let r = radius_deg.to_radians().clamp(0.0, std::f64::consts::PI);
    let expected = 2.0 * std::f64::consts::PI * (1.0 - r.cos()) / hp.nside_validated().pixarea();
    if expected > MAX_DISC_PIXELS {
        anyhow::bail!(
            "a disc of radius {radius_deg} deg holds about {expected:.3e} pixels at nside {}: \
             too many to list (limit {MAX_DISC_PIXELS:.0e}); use a smaller radius or nside",
            hp.nside()
        );
    }
    Ok(())
}

/// Prints a pixel list: one index per line, or JSON with the geometry.
fn print_pixels(hp: &Healpix, pix: &[u64], output: OutputArgs, out: &mut impl Write) -> Result<()> {
    if output.json {
        let report = json!({ "nside": hp.nside(), "scheme": hp.scheme().to_string(), "pix": pix });
        writeln!(out, "{report}")?;
    } else {
        pix.iter().try_for_each(|p| writeln!(out, "{p}"))?;
    }
    Ok(())
}

fn convert(
    nside: u64,
    pixels: &[String],
    out: &mut impl Write,
    f: fn(&Healpix, u64) -> tessera_healpix::Result<u64>,
) -> Result<()> {
    let hp = Healpix::nested(nside).context("invalid map geometry")?;
    for p in values_or_stdin::<u64>(pixels, "pixel")? {
        writeln!(out, "{}", f(&hp, p)?)?;
    }
    Ok(())
}

fn info(nside: u64, output: OutputArgs, out: &mut impl Write) -> Result<()> {
    let n = Nside::new(nside).context("invalid nside")?;
    let hp = Healpix::ring(nside)?;
    let facts = json!({
        "nside": n.get(),
        "npix": n.npix(),
        "order": n.order(),
        "nested_ok": n.supports_nested(),
        "nrings": hp.nrings(),
        "resol_arcmin": n.resol_arcmin(),
        "pixarea_sr": n.pixarea(),
        "pixarea_deg2": n.pixarea_deg2(),
        "max_pixrad_arcmin": hp.max_pixrad().to_degrees() * 60.0,
    });
    if output.json {
        writeln!(out, "{facts}")?;
        return Ok(());
    }
    writeln!(out, "nside             {}", n.get())?;
    writeln!(out, "npix              {}", n.npix())?;
    match n.order() {
        Some(o) => writeln!(out, "order             {o} (RING and NESTED)")?,
        None => writeln!(
            out,
            "order             none: not a power of two (RING only)"
        )?,
    }
    writeln!(out, "rings             {}", hp.nrings())?;
    writeln!(
        out,
        "resolution        {:.6} arcmin (sqrt of the pixel area)",
        n.resol_arcmin()
    )?;
    writeln!(
        out,
        "pixel area        {:.6e} sr = {:.6e} deg^2",
        n.pixarea(),
        n.pixarea_deg2()
    )?;
    writeln!(
        out,
        "max pixel radius  {:.6} arcmin",
        hp.max_pixrad().to_degrees() * 60.0
    )?;
    Ok(())
}
