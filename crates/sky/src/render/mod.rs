//! Pictures of sky maps (Mollweide, orthographic, gnomonic and plate carrée views, with a
//! graticule and markers) and of spectra, rendered to PNG with an embedded font.

mod colormap;
mod mollweide;
mod projections;
mod spectrum;

pub use colormap::Colormap;
pub use mollweide::{MollweideOptions, Scale, render_mollweide};
pub use projections::Projection;
pub use spectrum::{log_tick, plot_spectra};

/// Registers the embedded DejaVu Sans font under `sans-serif` once per process, so that
/// plotters text renders on a machine without system fonts. Every Tessera picture calls it.
pub fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use plotters::style::FontStyle;
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}
