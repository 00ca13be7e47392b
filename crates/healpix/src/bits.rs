//! Bit interleaving (Morton codes) and integer square roots used by the index arithmetic.
//!
//! Inside a base face, the NESTED index of `(x, y)` interleaves the bits of x (even positions)
//! and y (odd positions). Both directions use 64K-entry tables over byte pairs (128 KB each, kept
//! in cache by the hot loops), which measured faster than the shift-and-mask cascades here.

/// Spreads the low 32 bits of `v` to the even bit positions (bit i → bit 2i).
const fn spread_bits(v: u64) -> u64 {
    let mut x = v & 0xFFFF_FFFF;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Gathers the even bits of `v` into the low 32 bits (the inverse of [`spread_bits`]).
const fn compress_bits(v: u64) -> u64 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF
}

/// `MORTON[x | y << 8]` interleaves a byte of x (even bits) with a byte of y (odd bits).
static MORTON: [u16; 65536] = {
    let mut table = [0u16; 65536];
    let mut i = 0;
    while i < 65536 {
        table[i] = (spread_bits((i & 0xff) as u64) | (spread_bits((i >> 8) as u64) << 1)) as u16;
        i += 1;
    }
    table
};

/// `UNMORTON[m]` splits 16 interleaved bits into `x | y << 8`.
static UNMORTON: [u16; 65536] = {
    let mut table = [0u16; 65536];
    let mut i = 0;
    while i < 65536 {
        table[i] = (compress_bits(i as u64) | (compress_bits((i >> 1) as u64) << 8)) as u16;
        i += 1;
    }
    table
};

/// Interleaves `x` (to the even bits) and `y` (to the odd bits), both below 2^32.
#[inline]
pub(crate) fn interleave(x: u64, y: u64) -> u64 {
    let t = |s: u32| MORTON[(((x >> s) & 0xff) | (((y >> s) & 0xff) << 8)) as usize] as u64;
    t(0) | (t(8) << 16) | (t(16) << 32) | (t(24) << 48)
}

/// Splits a 64-bit Morton code into `(x, y)` (the inverse of [`interleave`]).
#[inline]
pub(crate) fn deinterleave(m: u64) -> (u64, u64) {
    let t = |s: u32| UNMORTON[((m >> s) & 0xffff) as usize] as u64;
    let (a, b, c, d) = (t(0), t(16), t(32), t(48));
    let x = (a & 0xff) | ((b & 0xff) << 8) | ((c & 0xff) << 16) | ((d & 0xff) << 24);
    let y = (a >> 8) | ((b >> 8) << 8) | ((c >> 8) << 16) | ((d >> 8) << 24);
    (x, y)
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
    fn tables_agree_with_the_bit_cascades() {
        for (x, y) in [
            (0u64, 0u64),
            (1, 0),
            (0, 1),
            (0x1234_5678, 0x0fed_cba9),
            ((1 << 29) - 1, 3),
        ] {
            let m = interleave(x, y);
            assert_eq!(m, spread_bits(x) | (spread_bits(y) << 1));
            assert_eq!(deinterleave(m), (x, y));
            assert_eq!((compress_bits(m), compress_bits(m >> 1)), (x, y));
        }
        assert_eq!(interleave(0b111, 0), 0b10101);
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
