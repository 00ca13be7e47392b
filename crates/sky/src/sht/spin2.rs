//! The Legendre half of spin-s transforms (spin 2: Q/U ↔ E/B) as two spin-0-like sums, the
//! design of libsharp and ducc0.
//!
//! With healpy's conventions ([`super::spin`]), `_sY_lm = w_l d^l_{m,−s}(θ) e^{imφ}`,
//! `w_l = √((2l+1)/4π) (−1)^m`, a ring's phases of order `m` are
//!
//! ```text
//! Q_N = −½ Σ w [(g + ic) d⁻ + p_s (g − ic) d⁺],   U_N = −½ Σ w [−i (g + ic) d⁻ + i p_s (g − ic) d⁺]
//! Q_S = −½ Σ w p [(g − ic) d⁻ + p_s (g + ic) d⁺], U_S = −½ Σ w p [i (g − ic) d⁻ − i p_s (g + ic) d⁺]
//! ```
//!
//! with `d^∓ = d^l_{m,∓s}(θ)` of the northern ring, `g`, `c` the gradient and curl (E and B)
//! coefficients, `p_s = (−1)^s` and `p = (−1)^{l+m+s}` (the southern ring's functions are the
//! northern ones swapped: `d^l_{m,m'}(π − θ) = (−1)^{l+m} d^l_{m,−m'}(θ)`). So each of the two
//! function sequences carries two complex sums per ring — one for the north, one for the south
//! — which is exactly what a spin-0 kernel computes ([`super::spin0::climb_sums`], four real
//! sums per lane), and U follows from the same sums as Q.
//!
//! Both sequences obey `d^{l+1} = α_l (z − σ h_l) d^l − γ_l d^{l−1}` with `z = cos θ`,
//! `h_l = m s / (l (l + 1))` and `σ = ∓1`: the same `α`, `γ` for both. Rescaling
//! `d^l = N_l τ_l v^l` with `N_{l+1} = γ_l N_{l−1}` and signs `τ = 1, 1, −1, −1, …` turns each step
//! into `v^{l+1} = (A_l z + B_l) v^l + v^{l−1}`, two fused multiply-adds, and folds `N_l τ_l` into
//! the coefficients. Per ring pair and multipole that is 12 multiply-adds for Q and U north and
//! south (four sums and one step per sequence), with eight values per lane in registers, where
//! six spin-0 sums of the earlier design needed 24.
//!
//! Analysis is the adjoint: the ring phases are combined into one input pair per sequence,
//! summed against `v^l` over rings ([`super::spin0::climb_products`]), and mixed back into
//! `g` and `c` ([`SpinRecurrence::add_gc`]).

use realfft::num_complex::Complex64;

use super::climb::{EvenClimb, Start};
use super::legendre::{LegendreTables, SCALE_BITS};
use super::spin0::{SequenceProducts, SequenceSums, StepCoefficients, StepSums};

/// Lanes of the partial sums spin analysis keeps per multipole (the sums of all multipoles of an
/// order stay in the cache).
pub(crate) const SPIN_SUM_LANES: usize = 4;

/// Partial sums of one multipole: per sequence (`d^{l}_{m,−s}`, `d^l_{m,s}`), the north and
/// south sums in [`SPIN_SUM_LANES`] lanes.
pub(crate) type SpinSums = StepSums<2, SPIN_SUM_LANES>;

/// The closed form at `l0 = max(m, s)`: `d^{l0}_{m,m'} = ±√C(p+q, p) cos^p(θ/2) sin^q(θ/2)`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WignerStart {
    /// `log2 √C(p+q, p)`.
    pub log2_binomial: f64,
    pub p: usize,
    pub q: usize,
    pub negative: bool,
}

/// A binomial coefficient as a mantissa in `[1, 2)` and a binary exponent (it overflows a double
/// from `C(1030, 515)` on).
#[derive(Clone, Copy, Debug)]
struct Binomial {
    mantissa: f64,
    exponent: i64,
}

impl Binomial {
    /// `C(n, k)` as a product of `min(k, n − k)` ratios.
    fn new(n: usize, k: usize) -> Self {
        let k = k.min(n - k);
        (1..=k).fold(
            Binomial {
                mantissa: 1.0,
                exponent: 0,
            },
            |b, i| b.times((n - k + i) as f64 / i as f64),
        )
    }

    /// This value times `ratio`, renormalised.
    fn times(self, ratio: f64) -> Self {
        let mantissa = self.mantissa * ratio;
        let e = ((mantissa.to_bits() >> 52) & 0x7ff) as i64 - 1023;
        Binomial {
            mantissa: mantissa * f64::from_bits(((1023 - e) as u64) << 52),
            exponent: self.exponent + e,
        }
    }

    fn log2(self) -> f64 {
        self.mantissa.log2() + self.exponent as f64
    }
}

impl WignerStart {
    /// The start of `d^l_{m,m'}` for `m ≥ 0`, `m' = ±s` (computed afresh: the test of the
    /// starts [`SpinRecurrence::fill`] carries from order to order).
    #[cfg(test)]
    fn new(m: usize, mp: i64) -> Self {
        let shape = Self::shape(m, mp);
        shape.with_binomial(Binomial::new(shape.p + shape.q, shape.p))
    }

    /// The exponents and sign of `d^{l0}_{m,m'}`, its binomial still to be set.
    fn shape(m: usize, mp: i64) -> Self {
        let s = mp.unsigned_abs() as usize;
        let (p, q, negative) = if mp < 0 {
            (m.abs_diff(s), m + s, false)
        } else if m >= s {
            (m + s, m - s, false)
        } else {
            (s + m, s - m, (s - m) % 2 == 1)
        };
        WignerStart {
            log2_binomial: 0.0,
            p,
            q,
            negative,
        }
    }

    /// This start with `C(p + q, p)` = `binomial`.
    fn with_binomial(self, binomial: Binomial) -> Self {
        WignerStart {
            log2_binomial: 0.5 * binomial.log2(),
            ..self
        }
    }

    /// `log2 |d^{l0}|` at a ring with `log2_half = [log2 cos θ/2, log2 sin θ/2]`.
    #[inline]
    pub fn log2_value(&self, log2_half: [f64; 2]) -> f64 {
        // The products' rounding is about p |log2 cos θ/2| ulps: 1e-13 of values that start
        // near 2^-1000, negligible for the others.
        self.log2_binomial + self.p as f64 * log2_half[0] + self.q as f64 * log2_half[1]
    }
}

/// The recurrences of `d^l_{m,−s}` and `d^l_{m,s}` for one order `m`, in the form the spin-0
/// kernels climb.
#[derive(Default)]
pub(crate) struct SpinRecurrence {
    spin: usize,
    m: usize,
    /// `max(m, s)`: the first multipole of both sequences.
    l0: usize,
    /// Multipoles `l0..=lmax`.
    len: usize,
    /// Per sequence, `[A_i, B_i]` of the step from `l0 + i` to `l0 + i + 1` (one entry beyond
    /// `lmax`, never used in a sum).
    pub steps: [Vec<[f64; 2]>; 2],
    /// `κ_i = −½ w_l N_l τ_l`, `l = l0 + i`: the factor of both sequences' coefficients.
    kappa: Vec<f64>,
    start: [WignerStart; 2],
    /// `(m, s, C(2 l0, |m − s|))` of the last order filled: the binomial of both starts, which
    /// the next order's follows from by one multiplication (an `O(m)` product per order was
    /// most of this preparation's time).
    binomial: Option<(usize, usize, Binomial)>,
}

impl SpinRecurrence {
    /// Fills the recurrences of order `m` and spin `spin` up to the tables' `lmax`.
    pub fn fill(&mut self, tables: &LegendreTables, m: usize, spin: usize) {
        let lmax = tables.lmax();
        let s = spin;
        self.spin = s;
        self.m = m;
        self.l0 = m.max(s);
        self.len = (lmax + 1).saturating_sub(self.l0);
        for v in &mut self.steps {
            v.clear();
        }
        self.kappa.clear();
        // Both starts share C(p + q, p) = C(2 l0, |m − s|); from m − 1 ≥ s to m it grows by
        // (2m)(2m − 1)/((m − s)(m + s)).
        let binomial = match self.binomial {
            Some((previous, spin, b)) if spin == s && previous + 1 == m && previous >= s => {
                let mf = m as f64;
                b.times(2.0 * mf * (2.0 * mf - 1.0) / ((m - s) as f64 * (m + s) as f64))
            }
            _ => Binomial::new(2 * self.l0, m.abs_diff(s)),
        };
        self.binomial = Some((m, s, binomial));
        self.start = [
            WignerStart::shape(m, -(s as i64)).with_binomial(binomial),
            WignerStart::shape(m, s as i64).with_binomial(binomial),
        ];
        if self.len == 0 {
            return;
        }
        let sq = |k: usize| tables.sqrt_int(k);
        let (mf, sf) = (m as f64, s as f64);
        let parity_m = if m.is_multiple_of(2) { 1.0 } else { -1.0 };
        let norm = |l: usize| sq(2 * l + 1) * (0.25 / std::f64::consts::PI).sqrt();
        // N_i (l = l0 + i): N_0 = N_1 = 1, N_{i+1} = γ_{l0+i} N_{i−1}.
        let (mut n_prev, mut n_cur) = (1.0, 1.0);
        let tau = |j: usize| if (j / 2).is_multiple_of(2) { 1.0 } else { -1.0 };
        // D_l = √((l+1−m)(l+1+m)(l+1−s)(l+1+s)) (the previous step's is `d_cur`), so that
        // α_l = (l+1)(2l+1)/D_l, γ_l = (l+1) D_{l−1}/(l D_l), h_l = m s/(l(l+1)) and
        // A_l ∝ α_l N_l/N_{l+1} take two divisions per step instead of four.
        let mut d_cur = 0.0;
        for i in 0..=self.len {
            let l = self.l0 + i;
            let (lf, l1) = (l as f64, (l + 1) as f64);
            let d_next = sq(l + 1 - m) * sq(l + 1 + m) * sq(l + 1 - s) * sq(l + 1 + s);
            let r = 1.0 / (lf * l1 * d_next);
            let alpha = (2.0 * lf + 1.0) * lf * l1 * l1 * r;
            let (n_next, a) = if i == 0 {
                (1.0, tau(1) * tau(0) * alpha * n_cur)
            } else {
                let gamma = l1 * l1 * d_cur * r;
                // α_l N_l / (γ_l N_{l−1}) = (2l+1) l N_l / (D_{l−1} N_{l−1}).
                let ratio = (2.0 * lf + 1.0) * lf * n_cur / (d_cur * n_prev);
                (gamma * n_prev, tau(i + 1) * tau(i) * ratio)
            };
            d_cur = d_next;
            let h = mf * sf * d_next * r;
            // σ = −1 for d_{m,−s}: (z + h); σ = +1 for d_{m,s}: (z − h).
            self.steps[0].push([a, a * h]);
            self.steps[1].push([a, -a * h]);
            if i < self.len {
                self.kappa.push(-0.5 * norm(l) * parity_m * n_cur * tau(i));
            }
            (n_prev, n_cur) = (n_cur, n_next);
        }
    }

    /// Multipoles `l0..=lmax` (the steps of both recurrences).
    pub fn len(&self) -> usize {
        self.len
    }

    /// `(−1)^s`.
    fn parity_s(&self) -> f64 {
        if self.spin.is_multiple_of(2) {
            1.0
        } else {
            -1.0
        }
    }

    /// `p = (−1)^{l+m+s}` at `l = l0 + i`.
    fn parity(&self, i: usize) -> f64 {
        if (self.l0 + i + self.m + self.spin).is_multiple_of(2) {
            1.0
        } else {
            -1.0
        }
    }

    /// The step coefficients of both sequences from the columns `g[j] = a^G_{m+j,m}`,
    /// `c[j] = a^C_{m+j,m}`: per multipole `[north, south]` of `d^l_{m,−s}` (`out[0]`) and of
    /// `d^l_{m,s}` (`out[1]`), so that [`spin0::climb_sums`] gives the sums `E∓`, `O∓` whose
    /// combinations are the ring phases ([`ring_phases`]).
    pub fn coefficients(
        &self,
        g: &[Complex64],
        c: &[Complex64],
        out: &mut [Vec<StepCoefficients<1>>; 2],
    ) {
        let i = Complex64::new(0.0, 1.0);
        let ps = self.parity_s();
        for o in out.iter_mut() {
            o.clear();
        }
        for (k, &kappa) in self.kappa.iter().enumerate() {
            let j = self.l0 + k - self.m;
            let (plus, minus) = (g[j] + i * c[j], g[j] - i * c[j]);
            let p = self.parity(k);
            out[0].push([[plus * kappa, minus * (kappa * p)]]);
            out[1].push([[minus * (kappa * ps), plus * (kappa * ps * p)]]);
        }
    }

    /// The adjoint of [`SpinRecurrence::coefficients`]: adds to the columns `g`, `c` of order
    /// `m` the coefficients whose per-sequence sums over rings ([`analysis_inputs`]) are
    /// `acc` (lanes summed here).
    pub fn add_gc(&self, acc: &[SpinSums], g: &mut [Complex64], c: &mut [Complex64]) {
        let i = Complex64::new(0.0, 1.0);
        let ps = self.parity_s();
        for (k, (sums, &kappa)) in acc.iter().zip(&self.kappa).enumerate() {
            let total = |seq: usize, q: usize| {
                let t = &sums[seq];
                Complex64::new(t[q].iter().sum(), t[q + 1].iter().sum())
            };
            let (en, os, ep, op) = (total(0, 0), total(0, 2), total(1, 0), total(1, 2));
            let p = self.parity(k);
            let j = self.l0 + k - self.m;
            g[j] += (en + os * p + (ep + op * p) * ps) * kappa;
            c[j] += i * (-en + os * p + (ep - op * p) * ps) * kappa;
        }
    }

    /// The scaled starting values `d^{l0}_{m,∓s}` (sequence `seq`) of the lanes of `chunk`.
    #[inline(always)]
    fn climb<const L: usize>(&self, seq: usize, chunk: &[Start]) -> EvenClimb<L> {
        let (mut x, mut value, mut scale) = ([0.0; L], [0.0; L], [0; L]);
        let start = &self.start[seq];
        let sign = if start.negative { -1.0 } else { 1.0 };
        for (k, st) in chunk.iter().enumerate().take(L) {
            x[k] = st.cos_theta;
            let log2 = start.log2_value(st.log2_half);
            let mut exponent = log2.floor();
            let mut s = 0;
            while exponent < -f64::from(SCALE_BITS) {
                exponent += f64::from(SCALE_BITS);
                s -= 1;
            }
            value[k] = sign * (log2 - log2.floor()).exp2() * power_of_two(exponent);
            scale[k] = s;
        }
        EvenClimb::start_in_cos(x, value, scale)
    }
}

/// `2^e` for an integral `e` in the normal range (`−1022 ≤ e ≤ 1023`), from its bits: a second
/// `exp2` per lane and chunk was 1 % of a spin-2 transform's time.
#[inline(always)]
fn power_of_two(e: f64) -> f64 {
    debug_assert!(e == e.floor() && (-1022.0..=1023.0).contains(&e));
    f64::from_bits(((e as i64 + 1023) as u64) << 52)
}

/// `[Q north, Q south, U north, U south]` from the sums `[E⁻, O⁻]`, `[E⁺, O⁺]` of a lane.
#[inline(always)]
fn ring_phases(minus: [Complex64; 2], plus: [Complex64; 2]) -> [Complex64; 4] {
    let i = Complex64::new(0.0, 1.0);
    let ([en, on], [ep, op]) = (minus, plus);
    [en + ep, on + op, -i * (en - ep), i * (on - op)]
}

/// The inputs of both sequences' sums (`[north, south]` each, the adjoint of [`ring_phases`])
/// from a lane's `[Q north, Q south, U north, U south]`.
#[inline(always)]
fn analysis_inputs([qn, qs, un, us]: [Complex64; 4]) -> [[Complex64; 2]; 2] {
    let i = Complex64::new(0.0, 1.0);
    [[qn + i * un, qs - i * us], [qn - i * un, qs + i * us]]
}

/// Synthesis for one `m`: per ring pair of `chunk`, `dst = [Q north, Q south, U north,
/// U south]` Fourier coefficients from both sequences' step coefficients, with `sums`
/// computing each sequence's sums.
#[inline(always)]
pub(crate) fn synthesize<const L: usize>(
    order: &SpinRecurrence,
    chunk: &[Start],
    coefficients: &[Vec<StepCoefficients<1>>; 2],
    dst: &mut [[Complex64; 4]],
    sums: SequenceSums<'_, L>,
) {
    let [steps_minus, steps_plus] = &order.steps;
    let (mut minus, mut plus) = ([[[0.0; L]; 4]; 1], [[[0.0; L]; 4]; 1]);
    sums(
        steps_minus,
        order.climb::<L>(0, chunk),
        &coefficients[0],
        &mut minus,
    );
    sums(
        steps_plus,
        order.climb::<L>(1, chunk),
        &coefficients[1],
        &mut plus,
    );
    let ([m], [p]) = (&minus, &plus);
    for (i, d) in dst.iter_mut().enumerate().take(L) {
        *d = ring_phases(
            [
                Complex64::new(m[0][i], m[1][i]),
                Complex64::new(m[2][i], m[3][i]),
            ],
            [
                Complex64::new(p[0][i], p[1][i]),
                Complex64::new(p[2][i], p[3][i]),
            ],
        );
    }
}

/// Analysis for one `m`: adds to `acc[l − l0]` the partial sums over the ring pairs of `chunk`
/// of both sequences' inputs made from `phases[i] = [Q north, Q south, U north, U south]`,
/// with `products` computing each sequence's sums.
#[inline(always)]
pub(crate) fn analyze<const L: usize>(
    order: &SpinRecurrence,
    chunk: &[Start],
    phases: &[[Complex64; 4]],
    acc: &mut [SpinSums],
    products: SequenceProducts<'_, L, 2, SPIN_SUM_LANES>,
) {
    for seq in 0..2 {
        let mut src = [[0.0; L]; 4];
        for (i, &phase) in phases.iter().enumerate().take(L) {
            let [n, s] = analysis_inputs(phase)[seq];
            src[0][i] = n.re;
            src[1][i] = n.im;
            src[2][i] = s.re;
            src[3][i] = s.im;
        }
        products(
            &order.steps[seq],
            order.climb::<L>(seq, chunk),
            &src,
            acc,
            seq,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binomials carried from order to order are those computed afresh, to rounding.
    #[test]
    fn starts_carried_across_orders_match_fresh_ones() {
        let tables = LegendreTables::new(3000);
        let mut carried = SpinRecurrence::default();
        for m in 0..=2000 {
            carried.fill(&tables, m, 2);
            for (k, mp) in [-2i64, 2].into_iter().enumerate() {
                let fresh = WignerStart::new(m, mp);
                let got = carried.start[k];
                assert_eq!(
                    (got.p, got.q, got.negative),
                    (fresh.p, fresh.q, fresh.negative)
                );
                // 1e-12 in log2: a relative difference below 1e-12 of the value.
                assert!(
                    (got.log2_binomial - fresh.log2_binomial).abs() <= 1e-12,
                    "m {m}, m' {mp}: {} vs {}",
                    got.log2_binomial,
                    fresh.log2_binomial
                );
            }
        }
    }

    #[test]
    fn power_of_two_matches_exp2() {
        for e in [-1022.0, -600.0, -599.0, -1.0, 0.0, 1.0, 52.0, 1023.0] {
            assert_eq!(power_of_two(e), f64::exp2(e), "2^{e}");
        }
    }
}
