//! Bit interleaving (Morton codes) and integer square roots used by the index arithmetic.

/// `SPREAD_BYTE[b]` is byte `b` with its bits spread to the even positions of 16 bits.
const SPREAD_BYTE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = spread_bits_arith(b as u64) as u16;
        b += 1;
    }
    table
};

/// Spreads the low 32 bits of `v` to the even bit positions (bit i → bit 2i) by byte lookup,
/// as HEALPix C++ does: shorter dependency chains than the mask cascade in the hot loops.
#[inline]
pub(crate) fn spread_bits(v: u64) -> u64 {
    let t = |shift: u32| SPREAD_BYTE[((v >> shift) & 0xff) as usize] as u64;
    t(0) | (t(8) << 16) | (t(16) << 32) | (t(24) << 48)
}

/// Spreads the low 32 bits of `v` to the even bit positions with masks (builds the table).
const fn spread_bits_arith(v: u64) -> u64 {
    let mut x = v & 0xFFFF_FFFF;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Gathers the even bits of `v` into the low 32 bits (the inverse of [`spread_bits`]).
#[inline]
pub(crate) const fn compress_bits(v: u64) -> u64 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF
}

/// `floor(sqrt(v))` for `v >= 0`, exact for all 63-bit values (the float guess is corrected).
#[inline]
pub(crate) fn isqrt(v: i64) -> i64 {
    debug_assert!(v >= 0);
    let mut r = ((v as f64) + 0.5).sqrt() as i64;
    if v < (1 << 50) {
        // Exact: sqrt of a double below 2^50 is never off by a whole unit.
        return r;
    }
    // The f64 guess can be off by one for larger v.
    while r * r > v {
        r -= 1;
    }
    while (r + 1).saturating_mul(r + 1) <= v {
        r += 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_and_compress_are_inverse() {
        for v in [0u64, 1, 2, 3, 0x1234_5678, (1 << 29) - 1, 0xFFFF_FFFF] {
            assert_eq!(compress_bits(spread_bits(v)), v);
            assert_eq!(spread_bits(v), spread_bits_arith(v));
        }
        assert_eq!(spread_bits(0b111), 0b10101);
    }

    #[test]
    fn isqrt_is_exact_near_squares() {
        for r in [0i64, 1, 2, 3, 1000, (1 << 30) + 7, 2_000_000_000] {
            assert_eq!(isqrt(r * r), r);
            if r > 0 {
                assert_eq!(isqrt(r * r - 1), r - 1);
            }
            assert_eq!(isqrt(r * r + 2 * r), r);
        }
    }
}
