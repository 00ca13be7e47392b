//! Writes the pixel-window tables tessera-sky embeds: for nside = 1, 2, 4, …
//! `PIXWIN_TABLE_NSIDE_MAX`, `w_T` then `w_P` at ℓ = 0 ..= 4 nside, little-endian f64, computed
//! by `pixwin_pol_computed`.
//!
//! `cargo run --release -p tessera-sky --example pixwin_tables -- crates/sky/data/pixwin_tables.f64`

use std::io::Write;

use tessera_sky::sht::{PIXWIN_TABLE_NSIDE_MAX, pixwin_pol_computed};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: pixwin_tables OUTPUT.f64")?;
    let mut bytes = Vec::new();
    let mut nside = 1u64;
    while nside <= PIXWIN_TABLE_NSIDE_MAX {
        let started = std::time::Instant::now();
        let lmax = 4 * nside as usize;
        for window in pixwin_pol_computed(nside, Some(lmax))? {
            window.iter().for_each(|v| bytes.extend(v.to_le_bytes()));
        }
        eprintln!("nside {nside}: {:.1} s", started.elapsed().as_secs_f64());
        nside *= 2;
    }
    let mut file = std::fs::File::create(&out)?;
    file.write_all(&bytes)?;
    eprintln!("wrote {out}: {} bytes", bytes.len());
    Ok(())
}
