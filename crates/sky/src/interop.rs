//! Map fields as `ndarray` views and arrays (feature `ndarray`); nothing is copied into a view.

use ndarray::{Array2, ArrayView1};

use crate::map::SkyMap;

impl SkyMap {
    /// Field `i` as a view of its `npix` values (in the map's scheme), or `None` past the last.
    pub fn field_view(&self, i: usize) -> Option<ArrayView1<'_, f64>> {
        self.fields
            .get(i)
            .map(|f| ArrayView1::from(f.values.as_slice()))
    }

    /// Every field as one `fields × npix` array (healpy's layout of a T, Q, U map).
    pub fn to_array(&self) -> Array2<f64> {
        let npix = self.fields.first().map_or(0, |f| f.values.len());
        let values: Vec<f64> = self
            .fields
            .iter()
            .flat_map(|f| f.values.iter().copied())
            .collect();
        Array2::from_shape_vec((self.fields.len(), npix), values).expect("fields of npix values")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_as_arrays() {
        let hp = tessera_healpix::Healpix::ring(1).unwrap();
        let t: Vec<f64> = (0..12).map(f64::from).collect();
        let q: Vec<f64> = (0..12).map(|i| -f64::from(i)).collect();
        let map = SkyMap::new(hp, vec![("T", t.clone()), ("Q", q)]).unwrap();
        assert_eq!(map.field_view(0).unwrap().to_vec(), t);
        assert!(map.field_view(2).is_none());
        let all = map.to_array();
        assert_eq!(all.dim(), (2, 12));
        assert_eq!(all[[1, 5]], -5.0);
    }
}
