//! Colour maps: values in [0, 1] to RGB.

/// A colour map for map values scaled to `[0, 1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Colormap {
    /// The Planck collaboration's CMB map colours: blue through cream to red; symmetric
    /// fluctuations around zero read naturally. The default.
    #[default]
    Planck,
    /// matplotlib's viridis (healpy's default), perceptually uniform, for positive quantities.
    Viridis,
}

const PLANCK: [(f64, [u8; 3]); 7] = [
    (0.00, [0, 0, 255]),
    (0.17, [0, 112, 255]),
    (0.33, [0, 221, 255]),
    (0.50, [255, 237, 217]),
    (0.67, [255, 180, 0]),
    (0.83, [255, 75, 0]),
    (1.00, [100, 0, 0]),
];

const VIRIDIS: [(f64, [u8; 3]); 6] = [
    (0.0, [68, 1, 84]),
    (0.2, [65, 68, 135]),
    (0.4, [42, 120, 142]),
    (0.6, [34, 168, 132]),
    (0.8, [122, 209, 81]),
    (1.0, [253, 231, 37]),
];

impl Colormap {
    /// The colour of `t` in `[0, 1]` (clamped), interpolated linearly between the map's stops.
    ///
    /// # Example
    /// ```
    /// use tessera_sky::Colormap;
    /// assert_eq!(Colormap::Planck.rgb(0.0), [0, 0, 255]);
    /// assert_eq!(Colormap::Planck.rgb(2.0), [100, 0, 0]);
    /// ```
    pub fn rgb(self, t: f64) -> [u8; 3] {
        let stops: &[(f64, [u8; 3])] = match self {
            Colormap::Planck => &PLANCK,
            Colormap::Viridis => &VIRIDIS,
        };
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let k = stops
            .iter()
            .position(|&(s, _)| s >= t)
            .unwrap_or(stops.len() - 1)
            .max(1);
        let ((s0, c0), (s1, c1)) = (stops[k - 1], stops[k]);
        let w = if s1 > s0 { (t - s0) / (s1 - s0) } else { 0.0 };
        std::array::from_fn(|i| (c0[i] as f64 + w * (c1[i] as f64 - c0[i] as f64)).round() as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_interpolate_between_stops() {
        assert_eq!(Colormap::Planck.rgb(0.5), [255, 237, 217]);
        assert_eq!(Colormap::Viridis.rgb(1.0), [253, 231, 37]);
        let mid = Colormap::Viridis.rgb(0.1);
        assert!(mid[2] > 84 && mid[2] < 135);
    }
}
