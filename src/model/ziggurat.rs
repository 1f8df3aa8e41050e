//! Standard normal draws by the ziggurat method (Marsaglia & Tsang 2000), with its tables built
//! through `libm` so that draws are identical on every platform (docs/model.md §9).
//!
//! The density is covered by 128 layers of equal area. A draw takes one 64-bit random number:
//! 7 bits choose the layer, 53 bits the position in it; about 99% of draws are accepted there
//! at the cost of a multiplication and a comparison. The rest evaluate the density (`libm::exp`)
//! or, in the base layer, sample the tail beyond `R` by Marsaglia's method.

use std::sync::OnceLock;

/// Layers.
const LAYERS: usize = 128;
/// Right edge of the base layer (for 128 layers).
const R: f64 = 3.442_619_855_899;
/// Area of each layer (for 128 layers).
const V: f64 = 9.912_563_035_262_17e-3;

/// `x[i]`: right edge of layer `i` (x[0] > R extends the base layer to cover the tail's area;
/// x[128] = 0); `f[i] = exp(−x[i]²/2)`.
struct Tables {
    x: [f64; LAYERS + 1],
    f: [f64; LAYERS + 1],
}

fn density(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        x[0] = V / density(R);
        x[1] = R;
        for i in 1..LAYERS - 1 {
            x[i + 1] = libm::sqrt(-2.0 * libm::log(V / x[i] + density(x[i])));
        }
        x[LAYERS] = 0.0;
        let mut f = [0.0; LAYERS + 1];
        for (fi, xi) in f.iter_mut().zip(&x) {
            *fi = density(*xi);
        }
        Tables { x, f }
    })
}

/// A uniform in [0, 1) from the top 53 bits of `bits`.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// One standard normal draw; `next` yields uniformly random 64-bit words.
pub fn standard_normal(mut next: impl FnMut() -> u64) -> f64 {
    let t = tables();
    loop {
        let bits = next();
        let i = (bits & 0x7f) as usize;
        let u = 2.0 * unit(bits) - 1.0;
        let x = u * t.x[i];
        if x.abs() < t.x[i + 1] {
            return x;
        }
        if i == 0 {
            // The tail beyond R (Marsaglia 1964).
            loop {
                let a = -libm::log(1.0 - unit(next())) / R;
                let b = -libm::log(1.0 - unit(next()));
                if 2.0 * b >= a * a {
                    return if u < 0.0 { -(R + a) } else { R + a };
                }
            }
        }
        if t.f[i + 1] + (t.f[i] - t.f[i + 1]) * unit(next()) < density(x) {
            return x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a simple, fixed source of 64-bit words for the tests.
    fn source(seed: u64) -> impl FnMut() -> u64 {
        let mut z = seed;
        move || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        }
    }

    #[test]
    fn the_layers_close_at_zero() {
        let t = tables();
        // The recursion must end just above 0: the last computed edge is tiny and positive.
        assert!(
            t.x[LAYERS - 1] > 0.0 && t.x[LAYERS - 1] < 0.3,
            "{}",
            t.x[LAYERS - 1]
        );
        assert!(t.x.windows(2).all(|w| w[0] > w[1]));
    }

    #[test]
    fn moments_and_tails_match_the_standard_normal() {
        let mut next = source(42);
        let n = 400_000;
        let xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut next)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / (var * var);
        assert!(mean.abs() < 0.006, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "variance {var}");
        assert!((kurt - 3.0).abs() < 0.05, "kurtosis {kurt}");
        // P(|Z| > z) for z = 1, 2, 3, 3.5 (the last two reach into the tail layer).
        for (z, p) in [
            (1.0, 0.317_310_5),
            (2.0, 0.045_500_3),
            (3.0, 0.002_699_8),
            (3.5, 0.000_465_3),
        ] {
            let share = xs.iter().filter(|x| x.abs() > z).count() as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (share - p).abs() < 4.0 * se,
                "P(|Z| > {z}) = {share}, expected {p}"
            );
        }
    }

    #[test]
    fn the_distribution_is_symmetric_and_smooth() {
        // Kolmogorov–Smirnov against Φ on 100,000 draws: D < 1.63/√n (α = 1%).
        let mut next = source(7);
        let n = 100_000;
        let mut xs: Vec<f64> = (0..n).map(|_| standard_normal(&mut next)).collect();
        xs.sort_by(f64::total_cmp);
        let phi = |x: f64| 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
        let d = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let c = phi(x);
                (c - i as f64 / n as f64)
                    .abs()
                    .max(((i + 1) as f64 / n as f64 - c).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 1.63 / (n as f64).sqrt(), "KS distance {d}");
    }
}
