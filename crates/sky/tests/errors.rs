//! A caller can match each kind of bad argument to tessera-sky, with the values in it, and the
//! message names them.

use tessera_healpix::{Healpix, HealpixError};
use tessera_sky::sht::{Alm, Complex64, InputCls, alm2map_spin, map2alm_spin};
use tessera_sky::{SkyError, SkyMap, UdGradeOptions};

fn ramp(npix: u64) -> Vec<f64> {
    (0..npix).map(|p| p as f64).collect()
}

#[test]
fn coefficient_vectors_name_what_is_wrong() {
    let zeros = |n| vec![Complex64::new(0.0, 0.0); n];
    assert!(matches!(
        Alm::from_vec(3, 5, zeros(10)),
        Err(SkyError::MmaxAboveLmax { lmax: 3, mmax: 5 })
    ));
    let err = Alm::from_vec(3, 3, zeros(9)).unwrap_err();
    assert!(matches!(
        err,
        SkyError::AlmCount {
            found: 9,
            lmax: 3,
            mmax: 3,
            needed: 10
        }
    ));
    assert!(err.to_string().contains("9 coefficients given"), "{err}");
    let mut values = zeros(10);
    values[7] = Complex64::new(f64::NAN, 0.0);
    assert!(matches!(
        Alm::from_vec(3, 3, values),
        Err(SkyError::NotFiniteCoefficient { index: 7 })
    ));
    let mut values = zeros(10);
    values[2] = Complex64::new(0.0, 1.0);
    assert!(matches!(
        Alm::from_vec(3, 3, values),
        Err(SkyError::ImaginaryM0 { l: 2 })
    ));
    assert!(matches!(
        Alm::from_vec_square(zeros(7)),
        Err(SkyError::NotTriangular { coefficients: 7 })
    ));
    let (a, b) = (Alm::zeros(4, 4), Alm::zeros(5, 5));
    assert!(matches!(
        a.check_same_shape(&b),
        Err(SkyError::AlmShape {
            found: (5, 5),
            needed: (4, 4),
            ..
        })
    ));
}

#[test]
fn map_arguments_carry_their_values() {
    let hp = Healpix::ring(4).unwrap();
    let mut map = SkyMap::new(hp, vec![("T", ramp(hp.npix()))]).unwrap();
    let err = map.apply_mask_threshold(&vec![1.0; 192], 1.5).unwrap_err();
    assert!(
        matches!(err, SkyError::OutOfRange { what: "mask threshold", value, .. } if value == 1.5)
    );
    assert!(err.to_string().contains("1.5 is outside (0, 1]"), "{err}");
    assert!(matches!(
        map.apply_mask(&[1.0; 10]),
        Err(SkyError::PixelCount {
            what: "mask",
            found: 10,
            nside: 4,
            needed: 192
        })
    ));
    assert!(matches!(
        map.remove_monopole(3),
        Err(SkyError::NoFieldIndex {
            field: 3,
            fields: 1
        })
    ));
    let nested = SkyMap::new(Healpix::nested(4).unwrap(), vec![("T", ramp(192))]).unwrap();
    assert!(matches!(
        nested.ud_grade(3, UdGradeOptions::default()),
        Err(SkyError::Healpix(HealpixError::IncompatibleResolutions {
            from: 4,
            to: 3
        }))
    ));
    // A field of the wrong length is named, around the pixel count.
    match SkyMap::new(hp, vec![("T", ramp(192)), ("Q", ramp(100))]) {
        Err(SkyError::InField { field, source }) => {
            assert_eq!(field, "Q");
            assert!(matches!(
                *source,
                SkyError::PixelCount {
                    found: 100,
                    needed: 192,
                    ..
                }
            ));
        }
        other => panic!("expected field Q's pixel count, got {other:?}"),
    }
    assert!(matches!(
        SkyMap::new(hp, Vec::<(&str, Vec<f64>)>::new()),
        Err(SkyError::NoFields)
    ));
}

#[test]
fn spectra_and_spin_transforms_carry_their_values() {
    let mut cls = InputCls::temperature(vec![1.0; 11]);
    cls.te[4] = 5.0;
    let err = cls.validate(10).unwrap_err();
    assert!(matches!(err, SkyError::NotACovariance { l: 4, te, .. } if te == 5.0));
    assert!(matches!(
        cls.validate(20),
        Err(SkyError::SpectrumTooShort {
            values: 11,
            lmax: 20,
            ..
        })
    ));
    let alms = [Alm::zeros(8, 8), Alm::zeros(8, 8)];
    assert!(matches!(alm2map_spin(&alms, 4, 0), Err(SkyError::SpinZero)));
    assert!(matches!(
        alm2map_spin(&alms, 4, 9),
        Err(SkyError::SpinAboveLmax { spin: 9, lmax: 8 })
    ));
    let q = vec![0.0; 192];
    assert!(matches!(
        map2alm_spin([&q, &q[..100]], 2, 8, 8),
        Err(SkyError::InField { ref field, .. }) if field == "U-like"
    ));
    assert!(matches!(
        map2alm_spin([&q[..100], &q[..100]], 2, 8, 8),
        Err(SkyError::Healpix(HealpixError::InvalidNpix { .. }))
    ));
}
