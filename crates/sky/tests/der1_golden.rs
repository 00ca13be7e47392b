//! `alm2map_der1` against healpy 1.20.1's (`data/golden/alm2map_der1.json.gz`,
//! `scripts/golden/der1_golden.py`): the map and both derivatives normwise to 1e-10.

mod common;

use common::{assert_normwise, floats, golden_gz};
use tessera_sky::sht::{Alm, Complex64, alm2map_der1};

#[test]
fn alm2map_der1_matches_healpy() {
    let g = golden_gz("alm2map_der1.json.gz");
    let nside = g["nside"].as_u64().unwrap();
    let lmax = g["lmax"].as_u64().unwrap() as usize;
    for case in g["cases"].as_array().unwrap() {
        let mmax = case["mmax"].as_u64().unwrap() as usize;
        let values = floats(&case["re"])
            .into_iter()
            .zip(floats(&case["im"]))
            .map(|(r, i)| Complex64::new(r, i))
            .collect();
        let alm = Alm::from_vec(lmax, mmax, values).unwrap();
        let maps = alm2map_der1(&alm, nside).unwrap();
        for (k, field) in maps.fields.iter().enumerate() {
            let what = format!("mmax {mmax}, {}", field.name);
            assert_normwise(&what, &field.values, &floats(&case["maps"][k]), 1e-10);
        }
    }
}
