//! Experimental designs for parameter sweeps and sensitivity analysis.
//!
//! A design is a list of [`Point`]s in the unit hypercube `[0, 1)^k`, one coordinate per
//! parameter; [`values`] maps a point to parameter values through each parameter's
//! [`Distribution`] (its quantile function), so stratification in the unit cube carries over to
//! the parameters.
//!
//! * [`Design::Grid`]: full factorial on the midpoints `(i + 0.5)/levels` of `levels` equal
//!   strata (every value of a [`Distribution::Discrete`] parameter instead). Points are
//!   enumerated with the last parameter varying fastest.
//! * [`Design::LatinHypercube`]: `n` points, exactly one in each of the `n` equal strata of
//!   every dimension, at a random position inside the stratum (McKay, Beckman & Conover 1979).
//! * [`Design::Sobol`]: the Saltelli (2010) scheme for Sobol indices. `A` and `B` are the first
//!   and last `k` columns of a `2k`-dimensional Sobol sequence (Joe & Kuo 2008 direction
//!   numbers, Gray-code order, first point — the origin — skipped, seeded digital shift).
//!   Block `j` holds `k + 2` points in the order `A_j, B_j, AB_j^0, …, AB_j^{k−1}`, where
//!   `AB^i` is `A` with column `i` taken from `B` — the layout
//!   [`sensitivity::sobol`](super::sensitivity::sobol) reads.
//! * [`Design::Morris`]: `r` trajectories of `k + 1` points on the `p`-level grid
//!   `{0, 1/(p−1), …, 1}` (Morris 1991, in the form of Campolongo et al. 2007, without
//!   trajectory optimisation). Each step changes one factor, in a random order, by
//!   `±Δ`, `Δ = p/(2(p − 1))`; the steps, read from [`Role::Morris`], are what
//!   [`sensitivity::morris`](super::sensitivity::morris) takes. Grid levels are stored as
//!   `level·(1 − 10⁻¹²)`, so that the top level stays inside `[0, 1)`.
//!
//! Everything random comes from a ChaCha8 stream seeded with the `seed` given to
//! [`Design::points`]: the same seed gives the same points on every platform. Quantiles use
//! `libm` for every transcendental function, for the same reason.
//!
//! [`spread_order`] gives an order in which to run the points so that a run stopped early has
//! still covered the space evenly.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The largest value below 1 (`1 − 2⁻⁵³`): unit coordinates are clamped to it.
const BELOW_ONE: f64 = 1.0 - f64::EPSILON / 2.0;

/// Factor by which Morris grid levels are scaled into `[0, 1)`.
const MORRIS_SCALE: f64 = 1.0 - 1e-12;

/// How a parameter varies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Distribution {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Normal, clipped to [low, high] (inverse CDF of the truncated normal, so points stay
    /// stratified).
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
        /// Lower clip.
        low: f64,
        /// Upper clip.
        high: f64,
    },
    /// Log-uniform on [low, high], low > 0.
    LogUniform {
        /// Lower bound (> 0).
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// One of the listed values, equally likely (u in [0,1) picks index floor(u·n)).
    Discrete {
        /// The values, in the order the unit coordinate picks them.
        values: Vec<f64>,
    },
}

/// As written in an experiment file, e.g. `Uniform(low: 0.2, high: 0.7)`.
impl std::fmt::Display for Distribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Distribution::Uniform { low, high } => write!(f, "Uniform(low: {low}, high: {high})"),
            Distribution::Normal {
                mean,
                sd,
                low,
                high,
            } => write!(
                f,
                "Normal(mean: {mean}, sd: {sd}, low: {low}, high: {high})"
            ),
            Distribution::LogUniform { low, high } => {
                write!(f, "LogUniform(low: {low}, high: {high})")
            }
            Distribution::Discrete { values } => {
                let v: Vec<String> = values.iter().map(f64::to_string).collect();
                write!(f, "Discrete(values: [{}])", v.join(", "))
            }
        }
    }
}

impl Distribution {
    /// The value at quantile u ∈ [0, 1).
    ///
    /// `u` outside `[0, 1)` is clamped into it; NaN gives NaN. The result always lies within
    /// [`bounds`](Self::bounds), and is non-decreasing in `u` (up to rounding, for a normal). For [`Normal`](Self::Normal), the
    /// quantile of the normal truncated to `[low, high]` (computed on the tail side nearer to
    /// the clip interval, so that intervals far out in a tail keep their precision).
    pub fn quantile(&self, u: f64) -> f64 {
        if u.is_nan() {
            return f64::NAN;
        }
        let u = u.clamp(0.0, BELOW_ONE);
        match self {
            Distribution::Uniform { low, high } => clip(low + u * (high - low), *low, *high),
            Distribution::Normal {
                mean,
                sd,
                low,
                high,
            } => {
                if u == 0.0 {
                    return *low;
                }
                truncated_normal_quantile(*mean, *sd, *low, *high, u)
            }
            Distribution::LogUniform { low, high } => {
                if u == 0.0 {
                    return *low;
                }
                let (ll, lh) = (libm::log(*low), libm::log(*high));
                clip(libm::exp(ll + u * (lh - ll)), *low, *high)
            }
            Distribution::Discrete { values } => {
                if values.is_empty() {
                    return f64::NAN;
                }
                let n = values.len();
                let i = ((u * n as f64) as usize).min(n - 1);
                values[i]
            }
        }
    }

    /// Checks the parameters (finite, low < high, sd > 0, non-empty list, low > 0 for log);
    /// Err(message).
    pub fn validate(&self) -> Result<(), String> {
        let finite = |name: &str, what: &str, x: f64| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(format!("{name}: {what} = {x} is not finite"))
            }
        };
        let ordered = |name: &str, low: f64, high: f64| {
            if low < high {
                Ok(())
            } else {
                Err(format!("{name}: low ({low}) must be below high ({high})"))
            }
        };
        match self {
            Distribution::Uniform { low, high } => {
                finite("uniform", "low", *low)?;
                finite("uniform", "high", *high)?;
                ordered("uniform", *low, *high)
            }
            Distribution::Normal {
                mean,
                sd,
                low,
                high,
            } => {
                finite("normal", "mean", *mean)?;
                finite("normal", "sd", *sd)?;
                finite("normal", "low", *low)?;
                finite("normal", "high", *high)?;
                if *sd <= 0.0 {
                    return Err(format!("normal: sd ({sd}) must be positive"));
                }
                ordered("normal", *low, *high)
            }
            Distribution::LogUniform { low, high } => {
                finite("log-uniform", "low", *low)?;
                finite("log-uniform", "high", *high)?;
                if *low <= 0.0 {
                    return Err(format!("log-uniform: low ({low}) must be positive"));
                }
                ordered("log-uniform", *low, *high)
            }
            Distribution::Discrete { values } => {
                if values.is_empty() {
                    return Err("discrete: no values".to_string());
                }
                match values.iter().position(|v| !v.is_finite()) {
                    Some(i) => Err(format!("discrete: value {i} ({}) is not finite", values[i])),
                    None => Ok(()),
                }
            }
        }
    }

    /// Bounds of the values it can take: `(low, high)`, or the smallest and largest listed value
    /// of a [`Discrete`](Self::Discrete) distribution (NaN for an empty list).
    pub fn bounds(&self) -> (f64, f64) {
        match self {
            Distribution::Uniform { low, high }
            | Distribution::Normal { low, high, .. }
            | Distribution::LogUniform { low, high } => (*low, *high),
            Distribution::Discrete { values } => {
                if values.is_empty() {
                    (f64::NAN, f64::NAN)
                } else {
                    values
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                            (lo.min(v), hi.max(v))
                        })
                }
            }
        }
    }

    /// Number of grid levels of this parameter in a [`Design::Grid`] with `levels` levels: the
    /// length of a discrete list, else `levels`.
    fn grid_levels(&self, levels: usize) -> usize {
        match self {
            Distribution::Discrete { values } => values.len(),
            _ => levels,
        }
    }
}

/// `x` limited to `[lo, hi]`, never panicking (unlike `f64::clamp`) on a NaN or reversed bound.
fn clip(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

/// Standard normal CDF `Φ(z) = erfc(−z/√2)/2`.
fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile `Φ⁻¹(p)`: Acklam's rational approximation (relative error below
/// 1.15·10⁻⁹) refined by one Halley step on `Φ`, which brings it to about machine precision;
/// `p > 1/2` by symmetry.
fn inv_phi(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.02425;
    if p.is_nan() {
        return f64::NAN;
    }
    if p > 0.5 {
        // By symmetry, from the lower tail, where Φ keeps its relative precision (1 − p is
        // exact for p ≥ 0.5).
        return -inv_phi(1.0 - p);
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let x = if p < P_LOW {
        let q = (-2.0 * libm::log(p)).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // Halley's step; exp(x²/2) overflows beyond |x| ≈ 37.6, where p is subnormal anyway.
    if x > -37.5 {
        let e = phi(x) - p;
        let u = e * (2.0 * std::f64::consts::PI).sqrt() * libm::exp(0.5 * x * x);
        x - u / (1.0 + 0.5 * x * u)
    } else {
        x
    }
}

/// Quantile `u` of the normal `(mean, sd)` truncated to `[low, high]`.
fn truncated_normal_quantile(mean: f64, sd: f64, low: f64, high: f64, u: f64) -> f64 {
    let a = (low - mean) / sd;
    let b = (high - mean) / sd;
    // Work in the lower tail, where Φ keeps its relative precision: mirror an interval that
    // lies mostly above the mean.
    let z = if a + b > 0.0 {
        -standard_truncated_quantile(-b, -a, 1.0 - u)
    } else {
        standard_truncated_quantile(a, b, u)
    };
    clip(mean + sd * z, low, high)
}

/// Quantile `u` of the standard normal truncated to `[a, b]`, `a + b ≤ 0`.
fn standard_truncated_quantile(a: f64, b: f64, u: f64) -> f64 {
    if b < -35.0 {
        // So far out that Φ(b) nears the bottom of the f64 range: the density on [a, b] is
        // ∝ exp(−|b|·w) in the distance w = b − z from the upper end (to relative order 1/b²),
        // a truncated exponential.
        let lambda = -b;
        let width = b - a;
        let w = -libm::log1p((1.0 - u) * libm::expm1(-lambda * width)) / lambda;
        return clip(b - w, a, b);
    }
    let pa = phi(a);
    let pb = phi(b);
    clip(inv_phi(pa + u * (pb - pa)), a, b)
}

/// A design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Design {
    /// Full factorial: `levels` evenly spaced quantiles per parameter ((i+0.5)/levels), or every
    /// value of a Discrete parameter.
    Grid {
        /// Levels of each non-discrete parameter.
        levels: usize,
    },
    /// Latin hypercube with `points` points (random position inside each stratum, seeded).
    LatinHypercube {
        /// Number of points (and of strata per dimension).
        points: usize,
    },
    /// Saltelli (2010) sampling for Sobol indices from a Sobol sequence with `base_samples` N:
    /// N·(k+2) points.
    Sobol {
        /// Base samples `N` (rows of `A` and `B`); powers of two balance the sequence best.
        base_samples: usize,
    },
    /// Morris elementary effects: `trajectories` r, grid `levels` p (even): r·(k+1) points.
    Morris {
        /// Number of trajectories `r`.
        trajectories: usize,
        /// Number of grid levels `p` (even, ≥ 2).
        levels: usize,
    },
}

/// One point of a design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Position of the point in [`Design::points`].
    pub index: usize,
    /// Coordinates in `[0, 1)`, one per parameter; see [`values`].
    pub unit: Vec<f64>,
    /// What the point is for.
    pub role: Role,
}

/// What a point is for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Role {
    /// A plain point (grid, LHS).
    Plain,
    /// Saltelli block j: row j of matrix A.
    SaltelliA {
        /// Block (base sample) `j`.
        block: usize,
    },
    /// Saltelli block j: row j of matrix B.
    SaltelliB {
        /// Block (base sample) `j`.
        block: usize,
    },
    /// Saltelli block j: row j of A with column `factor` taken from B (AB_i).
    SaltelliAB {
        /// Block (base sample) `j`.
        block: usize,
        /// The column `i` taken from `B`.
        factor: usize,
    },
    /// Morris: point `step` of trajectory t; for step > 0, `factor` changed by `delta` (signed,
    /// in unit scale) from the previous point.
    Morris {
        /// Trajectory `t`.
        trajectory: usize,
        /// Position in the trajectory, `0..=k`.
        step: usize,
        /// The factor changed from the previous point (`None` for step 0).
        factor: Option<usize>,
        /// The signed change `±Δ`, `Δ = p/(2(p − 1))`, of that factor in the unit scale (the
        /// stored coordinates differ by `delta·(1 − 10⁻¹²)`); 0 for step 0.
        delta: f64,
    },
}

/// Dimensions of the embedded Sobol sequence: `A` and `B` of [`Design::Sobol`] take `2k` of
/// them, so at most 25 parameters.
pub const SOBOL_MAX_DIMENSIONS: usize = 1 + JOE_KUO.len();

impl Design {
    /// Number of points for k parameters (for Grid: product of levels / Discrete list sizes —
    /// give the distributions). Saturates at `usize::MAX`; see [`size`](Self::size).
    pub fn len(&self, dists: &[Distribution]) -> usize {
        self.size(dists)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(usize::MAX)
    }

    /// Number of points for these parameters, counted without making them: grid levels (or
    /// discrete list lengths) multiplied, LHS points, Sobol `N·(k+2)`, Morris `r·(k+1)`. `None`
    /// when the count does not fit 64 bits.
    pub fn size(&self, dists: &[Distribution]) -> Option<u64> {
        match *self {
            Design::Grid { levels } => {
                crate::limits::product(dists.iter().map(|d| d.grid_levels(levels) as u64))
            }
            _ => self.size_of_k(dists.len()).flatten(),
        }
    }

    /// [`size`](Self::size) for `k` parameters, for the designs whose size depends on `k` only
    /// (`None` for a grid).
    fn size_of_k(&self, k: usize) -> Option<Option<u64>> {
        let k = k as u64;
        match *self {
            Design::Grid { .. } => None,
            Design::LatinHypercube { points } => Some(Some(points as u64)),
            Design::Sobol { base_samples } => Some(
                k.checked_add(2)
                    .and_then(|m| (base_samples as u64).checked_mul(m)),
            ),
            Design::Morris { trajectories, .. } => Some(
                k.checked_add(1)
                    .and_then(|m| (trajectories as u64).checked_mul(m)),
            ),
        }
    }

    /// How [`size`](Self::size) is made, for messages: `grid levels 4 × 4 × 5`, `N = 1024 base
    /// samples × (k + 2 = 6)`, …; empty for a Latin hypercube (its size is given as is).
    pub fn size_formula(&self, dists: &[Distribution]) -> String {
        self.size_formula_k(dists.len(), dists)
    }

    /// [`size_formula`](Self::size_formula) for `k` parameters (a grid reads `dists`).
    fn size_formula_k(&self, k: usize, dists: &[Distribution]) -> String {
        match *self {
            Design::Grid { levels } if dists.is_empty() => {
                format!("a grid of {levels} levels on no parameter")
            }
            Design::Grid { levels } => {
                let f: Vec<String> = dists
                    .iter()
                    .map(|d| d.grid_levels(levels).to_string())
                    .collect();
                format!("grid levels {}", f.join(" × "))
            }
            Design::LatinHypercube { .. } => String::new(),
            Design::Sobol { base_samples } => {
                format!(
                    "N = {base_samples} base samples × (k + 2 = {})",
                    k as u64 + 2
                )
            }
            Design::Morris { trajectories, .. } => {
                format!(
                    "r = {trajectories} trajectories × (k + 1 = {})",
                    k as u64 + 1
                )
            }
        }
    }

    /// All points, in index order, for these parameter distributions, reproducible from `seed`.
    ///
    /// Only Grid reads the distributions themselves (the length of discrete lists); the others
    /// need only their number `k`. `seed` does not affect Grid.
    ///
    /// # Panics
    ///
    /// If [`validate`](Self::validate) fails for `dists.len()` parameters, or the design has
    /// more than [`DESIGN_POINTS_HARD`](crate::limits::DESIGN_POINTS_HARD) points (check
    /// [`size`](Self::size) first: the points are made in memory).
    pub fn points(&self, dists: &[Distribution], seed: u64) -> Vec<Point> {
        let k = dists.len();
        if let Err(e) = self.validate(k) {
            panic!("invalid design: {e}");
        }
        if let Err(e) =
            crate::limits::DESIGN.check(self.size(dists), self.size_formula(dists), true)
        {
            panic!("invalid design: {e}");
        }
        match *self {
            Design::Grid { levels } => {
                let sizes: Vec<usize> = dists.iter().map(|d| d.grid_levels(levels)).collect();
                grid_points(&sizes)
            }
            Design::LatinHypercube { points } => lhs_points(points, k, seed),
            Design::Sobol { base_samples } => saltelli_points(base_samples, k, seed),
            Design::Morris {
                trajectories,
                levels,
            } => morris_points(trajectories, levels, k, seed),
        }
    }

    /// Checks the design (sizes > 0, Morris levels even ≥ 2, Sobol dimension supported);
    /// Err(message).
    ///
    /// Sobol and Morris need at least one parameter; Sobol at most
    /// [`SOBOL_MAX_DIMENSIONS`]` / 2` (25). Latin hypercube, Sobol and Morris designs of more
    /// than [`DESIGN_POINTS_HARD`](crate::limits::DESIGN_POINTS_HARD) points are refused (a
    /// grid's size depends on the distributions: see [`size`](Self::size)).
    pub fn validate(&self, k: usize) -> Result<(), String> {
        if let Some(size) = self.size_of_k(k) {
            crate::limits::DESIGN
                .check(size, self.size_formula_k(k, &[]), true)
                .map_err(|e| e.to_string())?;
        }
        match *self {
            Design::Grid { levels } => {
                if levels == 0 {
                    return Err("grid: levels must be at least 1".to_string());
                }
            }
            Design::LatinHypercube { points } => {
                if points == 0 {
                    return Err("latin hypercube: points must be at least 1".to_string());
                }
            }
            Design::Sobol { base_samples } => {
                if base_samples == 0 {
                    return Err("sobol: base_samples must be at least 1".to_string());
                }
                if base_samples as u64 >= 1 << SOBOL_BITS {
                    return Err(format!(
                        "sobol: base_samples ({base_samples}) must be below 2^{SOBOL_BITS}"
                    ));
                }
                if k == 0 {
                    return Err("sobol: no parameters".to_string());
                }
                if 2 * k > SOBOL_MAX_DIMENSIONS {
                    return Err(format!(
                        "sobol: {k} parameters need {} sequence dimensions, {} are supported \
                         (at most {} parameters)",
                        2 * k,
                        SOBOL_MAX_DIMENSIONS,
                        SOBOL_MAX_DIMENSIONS / 2
                    ));
                }
            }
            Design::Morris {
                trajectories,
                levels,
            } => {
                if trajectories == 0 {
                    return Err("morris: trajectories must be at least 1".to_string());
                }
                if levels < 2 || levels % 2 != 0 {
                    return Err(format!(
                        "morris: levels ({levels}) must be even and at least 2"
                    ));
                }
                if k == 0 {
                    return Err("morris: no parameters".to_string());
                }
            }
        }
        Ok(())
    }
}

/// Maps a unit point to parameter values.
///
/// # Panics
///
/// If `dists` and `unit` differ in length.
pub fn values(dists: &[Distribution], unit: &[f64]) -> Vec<f64> {
    assert_eq!(
        dists.len(),
        unit.len(),
        "values: {} distributions for a point of {} coordinates",
        dists.len(),
        unit.len()
    );
    dists
        .iter()
        .zip(unit)
        .map(|(d, &u)| d.quantile(u))
        .collect()
}

/// A uniformly random permutation of `0..n` (Fisher–Yates).
fn shuffled(n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i);
        v.swap(i, j);
    }
    v
}

/// Full factorial over `sizes[j]` levels per parameter, last parameter fastest.
fn grid_points(sizes: &[usize]) -> Vec<Point> {
    let total = sizes.iter().product::<usize>();
    (0..total)
        .map(|index| {
            let mut unit = vec![0.0; sizes.len()];
            let mut rest = index;
            for (u, &n) in unit.iter_mut().zip(sizes).rev() {
                *u = ((rest % n) as f64 + 0.5) / n as f64;
                rest /= n;
            }
            Point {
                index,
                unit,
                role: Role::Plain,
            }
        })
        .collect()
}

/// `u`, moved by at most a few ulps so that `floor(u·n) = stratum` (rounding of
/// `(stratum + v)/n` can otherwise land on the next stratum, or on 1).
fn in_stratum(mut u: f64, stratum: usize, n: usize) -> f64 {
    let of = |u: f64| (u * n as f64).floor();
    let s = stratum as f64;
    while of(u) > s {
        u = u.next_down();
    }
    while of(u) < s {
        u = u.next_up();
    }
    u
}

/// Latin hypercube: per dimension, an independent random permutation of the strata and a
/// uniform position inside each.
fn lhs_points(n: usize, k: usize, seed: u64) -> Vec<Point> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut units = vec![vec![0.0; k]; n];
    for j in 0..k {
        let strata = shuffled(n, &mut rng);
        for (unit, &s) in units.iter_mut().zip(&strata) {
            let v: f64 = rng.random();
            unit[j] = in_stratum((s as f64 + v) / n as f64, s, n);
        }
    }
    units
        .into_iter()
        .enumerate()
        .map(|(index, unit)| Point {
            index,
            unit,
            role: Role::Plain,
        })
        .collect()
}

/// Saltelli (2010) blocks `A_j, B_j, AB_j^0, …, AB_j^{k−1}` from a digitally shifted
/// `2k`-dimensional Sobol sequence.
fn saltelli_points(n: usize, k: usize, seed: u64) -> Vec<Point> {
    let mut seq = SobolSequence::new(2 * k, Some(seed));
    let mut points = Vec::with_capacity(n * (k + 2));
    let mut push = |unit: Vec<f64>, role: Role| {
        let index = points.len();
        points.push(Point { index, unit, role });
    };
    for block in 0..n {
        let x = seq.next_point();
        let (a, b) = x.split_at(k);
        push(a.to_vec(), Role::SaltelliA { block });
        push(b.to_vec(), Role::SaltelliB { block });
        for factor in 0..k {
            let mut ab = a.to_vec();
            ab[factor] = b[factor];
            push(ab, Role::SaltelliAB { block, factor });
        }
    }
    points
}

/// Morris trajectories: a random base point `x*` on the `p`-level grid with `x* + Δ ≤ 1`,
/// random directions (a factor stepped down starts at `x* + Δ`), factors stepped once each in
/// a random order.
fn morris_points(r: usize, p: usize, k: usize, seed: u64) -> Vec<Point> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let half = p / 2; // Δ in grid steps
    let delta = p as f64 / (2.0 * (p - 1) as f64);
    let unit = |levels: &[usize]| -> Vec<f64> {
        levels
            .iter()
            .map(|&l| l as f64 / (p - 1) as f64 * MORRIS_SCALE)
            .collect()
    };
    let mut points = Vec::with_capacity(r * (k + 1));
    for trajectory in 0..r {
        let mut level: Vec<usize> = (0..k).map(|_| rng.random_range(0..half)).collect();
        let up: Vec<bool> = (0..k).map(|_| rng.random::<bool>()).collect();
        for (l, &up) in level.iter_mut().zip(&up) {
            if !up {
                *l += half;
            }
        }
        let order = shuffled(k, &mut rng);
        points.push(Point {
            index: points.len(),
            unit: unit(&level),
            role: Role::Morris {
                trajectory,
                step: 0,
                factor: None,
                delta: 0.0,
            },
        });
        for (s, &i) in order.iter().enumerate() {
            let signed = if up[i] {
                level[i] += half;
                delta
            } else {
                level[i] -= half;
                -delta
            };
            points.push(Point {
                index: points.len(),
                unit: unit(&level),
                role: Role::Morris {
                    trajectory,
                    step: s + 1,
                    factor: Some(i),
                    delta: signed,
                },
            });
        }
    }
    points
}

/// Bits of the Sobol generator: coordinates are multiples of 2⁻⁵², exact in an f64.
const SOBOL_BITS: u32 = 52;

/// Direction numbers of Joe & Kuo, file `new-joe-kuo-6.21201` (S. Joe and F. Y. Kuo,
/// "Constructing Sobol sequences with better two-dimensional projections", SIAM J. Sci.
/// Comput. 30, 2635–2654 (2008); <https://web.maths.unsw.edu.au/~fkuo/sobol/>), rows
/// `d = 2..=51`: `(s, a, m_1..m_s)` — degree `s` of the primitive polynomial, its inner
/// coefficients `a` as bits, and the initial direction integers. Dimension 1 (here 0) is the
/// van der Corput sequence and has no row.
const JOE_KUO: [(usize, u64, &[u64]); 50] = [
    (1, 0, &[1]),                             // d = 2
    (2, 1, &[1, 3]),                          // d = 3
    (3, 1, &[1, 3, 1]),                       // d = 4
    (3, 2, &[1, 1, 1]),                       // d = 5
    (4, 1, &[1, 1, 3, 3]),                    // d = 6
    (4, 4, &[1, 3, 5, 13]),                   // d = 7
    (5, 2, &[1, 1, 5, 5, 17]),                // d = 8
    (5, 4, &[1, 1, 5, 5, 5]),                 // d = 9
    (5, 7, &[1, 1, 7, 11, 19]),               // d = 10
    (5, 11, &[1, 1, 5, 1, 1]),                // d = 11
    (5, 13, &[1, 1, 1, 3, 11]),               // d = 12
    (5, 14, &[1, 3, 5, 5, 31]),               // d = 13
    (6, 1, &[1, 3, 3, 9, 7, 49]),             // d = 14
    (6, 13, &[1, 1, 1, 15, 21, 21]),          // d = 15
    (6, 16, &[1, 3, 1, 13, 27, 49]),          // d = 16
    (6, 19, &[1, 1, 1, 15, 7, 5]),            // d = 17
    (6, 22, &[1, 3, 1, 15, 13, 25]),          // d = 18
    (6, 25, &[1, 1, 5, 5, 19, 61]),           // d = 19
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),      // d = 20
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),       // d = 21
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),        // d = 22
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),         // d = 23
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),      // d = 24
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),       // d = 25
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),      // d = 26
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),        // d = 27
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),        // d = 28
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),       // d = 29
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),       // d = 30
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),       // d = 31
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),       // d = 32
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),        // d = 33
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),       // d = 34
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),       // d = 35
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),       // d = 36
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),        // d = 37
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]), // d = 38
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),  // d = 39
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]), // d = 40
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),   // d = 41
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),  // d = 42
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),   // d = 43
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),   // d = 44
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),  // d = 45
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),  // d = 46
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),    // d = 47
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]), // d = 48
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),  // d = 49
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),  // d = 50
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),  // d = 51
];

/// Direction numbers `V_1..V_52` of Sobol dimension `dim` (0-based), scaled to 52 bits
/// (Bratley & Fox recurrence, as in Joe & Kuo's reference generator).
fn sobol_directions(dim: usize) -> [u64; SOBOL_BITS as usize] {
    const B: usize = SOBOL_BITS as usize;
    let mut v = [0u64; B];
    if dim == 0 {
        for (i, v) in v.iter_mut().enumerate() {
            *v = 1 << (B - 1 - i);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[dim - 1];
    for i in 0..B {
        v[i] = if i < s {
            m[i] << (B - 1 - i)
        } else {
            let mut x = v[i - s] ^ (v[i - s] >> s);
            for j in 1..s {
                if (a >> (s - 1 - j)) & 1 == 1 {
                    x ^= v[i - j];
                }
            }
            x
        };
    }
    v
}

/// A Sobol sequence in Gray-code order (Antonov & Saleev), starting after the origin, with an
/// optional digital shift: each coordinate is XORed with a 52-bit word per dimension drawn
/// from a ChaCha8 stream seeded with the seed.
struct SobolSequence {
    directions: Vec<[u64; SOBOL_BITS as usize]>,
    shift: Vec<u64>,
    state: Vec<u64>,
    /// Index of the point in `state` (0: the origin).
    count: u64,
}

impl SobolSequence {
    /// The sequence in `dims ≤ SOBOL_MAX_DIMENSIONS` dimensions, shifted by `seed` if given.
    fn new(dims: usize, seed: Option<u64>) -> Self {
        assert!(
            dims <= SOBOL_MAX_DIMENSIONS,
            "sobol: {dims} dimensions requested, {SOBOL_MAX_DIMENSIONS} supported"
        );
        let shift = match seed {
            Some(seed) => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                (0..dims)
                    .map(|_| rng.next_u64() >> (64 - SOBOL_BITS))
                    .collect()
            }
            None => vec![0; dims],
        };
        SobolSequence {
            directions: (0..dims).map(sobol_directions).collect(),
            shift,
            state: vec![0; dims],
            count: 0,
        }
    }

    /// The next point (the first call gives point 1, the origin being skipped).
    fn next_point(&mut self) -> Vec<f64> {
        // Gray code: point n + 1 differs from point n by the direction number of the lowest
        // zero bit of n.
        let c = self.count.trailing_ones() as usize;
        assert!(c < SOBOL_BITS as usize, "sobol: sequence exhausted");
        self.count += 1;
        let scale = 1.0 / (1u64 << SOBOL_BITS) as f64;
        self.state
            .iter_mut()
            .zip(&self.directions)
            .zip(&self.shift)
            .map(|((x, v), s)| {
                *x ^= v[c];
                (*x ^ s) as f64 * scale
            })
            .collect()
    }
}

/// An order of point indices such that every prefix covers the space evenly: for Grid and LHS a
/// deterministic low-discrepancy-like permutation (e.g. bit-reversal / van der Corput order of
/// indices); for Sobol and Morris whole blocks/trajectories stay together and blocks are taken
/// in sequence order.
///
/// `points` are those of [`Design::points`] for `design`; the result holds their `index` fields.
///
/// * Grid: the levels of each parameter are read from the points (the distinct coordinates).
///   Parameters are ranked by level count, largest first (`n_1 ≥ n_2 ≥ …`); ordinal `t` has
///   mixed-radix digits `d_1` (base `n_1`, fastest), `d_2`, …, and visits the cell with level
///   `ρ(d_1)` of the first parameter and `(a_j·d_1 + ρ(d_j)) mod n_j` of parameter `j`, where
///   `ρ` is the van der Corput (bit-reversal) order of `0..n` and `a_j` is a multiplier coprime
///   to `n_j` near a golden-ratio fraction of it (a rank-1 lattice). This is a bijection, and
///   every prefix of at least `n_j` points touches every level of parameter `j`.
/// * Latin hypercube: greedy maximin — start at the point nearest the centre, then repeatedly
///   take the point farthest (Euclidean, ties to the lower index) from all points taken so
///   far. Above 3·10⁸ distance evaluations (`n²k`) it falls back to the van der Corput order of
///   the strata of the first dimension.
/// * Sobol, Morris: blocks (trajectories) in order, points within a block in order — the order
///   of [`Design::points`], which the estimators in [`sensitivity`](super::sensitivity) need.
pub fn spread_order(design: &Design, points: &[Point]) -> Vec<usize> {
    let order = match design {
        Design::Grid { .. } => grid_spread(points),
        Design::LatinHypercube { .. } => lhs_spread(points),
        Design::Sobol { .. } | Design::Morris { .. } => block_spread(points),
    };
    order.into_iter().map(|pos| points[pos].index).collect()
}

/// `(ρ, ρ⁻¹)`: a van der Corput order of `0..n` and its inverse. With `2^b ≥ n`, `ρ` lists
/// `floor(rev_b(i)·n/2^b)` for `i = 0, 1, …, 2^b − 1`, skipping repeats, where `rev_b` reverses
/// the `b` low bits: the bit-reversal permutation when `n` is a power of two, and for other `n`
/// the strata in the order the van der Corput sequence first enters them (every stratum is
/// entered, since `1/2^b ≤ 1/n`).
fn van_der_corput_order(n: usize) -> (Vec<usize>, Vec<usize>) {
    let size = n.next_power_of_two();
    let bits = size.trailing_zeros();
    let mut inv = vec![usize::MAX; n];
    let mut rho = Vec::with_capacity(n);
    for i in 0..size {
        let r = if bits == 0 {
            0
        } else {
            i.reverse_bits() >> (usize::BITS - bits)
        };
        let s = ((r as u128 * n as u128) >> bits) as usize;
        if s < n && inv[s] == usize::MAX {
            inv[s] = rho.len();
            rho.push(s);
        }
    }
    (rho, inv)
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A multiplier coprime to `n`, near `frac(j·(√5 − 1)/2)·n` (1 for n ≤ 2).
fn lattice_multiplier(j: usize, n: usize) -> usize {
    if n <= 2 {
        return 1;
    }
    let golden = (5f64.sqrt() - 1.0) / 2.0;
    let target = ((j as f64 * golden).fract() * n as f64).round() as usize;
    (0..n)
        .flat_map(|d| [target + d, target.wrapping_sub(d)])
        .find(|&c| c >= 1 && c < n && gcd(c, n) == 1)
        .unwrap_or(1)
}

/// The grid order described at [`spread_order`]: positions sorted by their ordinal.
fn grid_spread(points: &[Point]) -> Vec<usize> {
    let k = points.iter().map(|p| p.unit.len()).max().unwrap_or(0);
    // Distinct coordinates of each parameter, sorted: the levels.
    let levels: Vec<Vec<f64>> = (0..k)
        .map(|j| {
            let mut v: Vec<f64> = points
                .iter()
                .filter_map(|p| p.unit.get(j).copied())
                .collect();
            v.sort_by(f64::total_cmp);
            v.dedup_by(|a, b| a.total_cmp(b).is_eq());
            v
        })
        .collect();
    let level_of = |p: &Point, j: usize| -> usize {
        p.unit
            .get(j)
            .and_then(|u| levels[j].binary_search_by(|x| x.total_cmp(u)).ok())
            .unwrap_or(0)
    };
    let mut rank: Vec<usize> = (0..k).collect();
    rank.sort_by_key(|&j| std::cmp::Reverse(levels[j].len()));
    let tables: Vec<(usize, Vec<usize>)> = rank
        .iter()
        .enumerate()
        .map(|(r, &j)| {
            let n = levels[j].len();
            (lattice_multiplier(r, n), van_der_corput_order(n).1)
        })
        .collect();
    let ordinal = |p: &Point| -> u128 {
        let Some((&first, rest)) = rank.split_first() else {
            return 0;
        };
        let d1 = tables[0].1[level_of(p, first)];
        let mut t = d1 as u128;
        let mut radix = levels[first].len() as u128;
        for (r, &j) in rest.iter().enumerate() {
            let n = levels[j].len();
            let (a, inv) = &tables[r + 1];
            let shifted = (level_of(p, j) + n - (a * d1) % n) % n;
            t = t.saturating_add((inv[shifted] as u128).saturating_mul(radix));
            radix = radix.saturating_mul(n as u128);
        }
        t
    };
    let mut keyed: Vec<(u128, usize)> = points
        .iter()
        .enumerate()
        .map(|(pos, p)| (ordinal(p), pos))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, pos)| pos).collect()
}

/// Distance evaluations (`n²k`) above which the LHS order falls back from greedy maximin.
const MAXIMIN_LIMIT: u128 = 300_000_000;

/// The Latin hypercube order described at [`spread_order`].
fn lhs_spread(points: &[Point]) -> Vec<usize> {
    let n = points.len();
    let k = points.iter().map(|p| p.unit.len()).max().unwrap_or(0);
    if n == 0 {
        return Vec::new();
    }
    if (n as u128) * (n as u128) * (k.max(1) as u128) > MAXIMIN_LIMIT {
        let inv = van_der_corput_order(n).1;
        let mut keyed: Vec<(usize, usize)> = points
            .iter()
            .enumerate()
            .map(|(pos, p)| {
                let u = p.unit.first().copied().unwrap_or(0.0);
                let stratum = ((u * n as f64) as usize).min(n - 1);
                (inv[stratum], pos)
            })
            .collect();
        keyed.sort_unstable();
        return keyed.into_iter().map(|(_, pos)| pos).collect();
    }
    let dist2 = |a: &Point, b: &Point| -> f64 {
        a.unit
            .iter()
            .zip(&b.unit)
            .map(|(x, y)| (x - y) * (x - y))
            .sum()
    };
    let centre = |p: &Point| -> f64 { p.unit.iter().map(|x| (x - 0.5) * (x - 0.5)).sum() };
    let mut first = 0;
    for pos in 1..n {
        if centre(&points[pos]) < centre(&points[first]) {
            first = pos;
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut taken = vec![false; n];
    let mut nearest = vec![f64::INFINITY; n];
    let mut next = first;
    for _ in 0..n {
        order.push(next);
        taken[next] = true;
        let mut best: Option<usize> = None;
        for pos in 0..n {
            if taken[pos] {
                continue;
            }
            nearest[pos] = nearest[pos].min(dist2(&points[pos], &points[next]));
            if best.is_none_or(|b| nearest[pos] > nearest[b]) {
                best = Some(pos);
            }
        }
        match best {
            Some(b) => next = b,
            None => break,
        }
    }
    order
}

/// Saltelli blocks or Morris trajectories in order, points within each in order.
fn block_spread(points: &[Point]) -> Vec<usize> {
    let block = |p: &Point| match p.role {
        Role::SaltelliA { block } | Role::SaltelliB { block } | Role::SaltelliAB { block, .. } => {
            block
        }
        Role::Morris { trajectory, .. } => trajectory,
        Role::Plain => usize::MAX,
    };
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by_key(|&pos| block(&points[pos]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_dists() -> Vec<Distribution> {
        vec![
            Distribution::Uniform {
                low: -2.0,
                high: 3.0,
            },
            Distribution::Normal {
                mean: 1.0,
                sd: 2.0,
                low: -1.0,
                high: 4.0,
            },
            Distribution::LogUniform {
                low: 0.01,
                high: 100.0,
            },
            Distribution::Discrete {
                values: vec![3.0, -1.0, 7.5],
            },
        ]
    }

    fn all_designs() -> Vec<Design> {
        vec![
            Design::Grid { levels: 5 },
            Design::LatinHypercube { points: 50 },
            Design::Sobol { base_samples: 64 },
            Design::Morris {
                trajectories: 12,
                levels: 6,
            },
        ]
    }

    #[test]
    fn lhs_one_point_per_stratum() {
        for (n, k) in [(1, 3), (2, 2), (3, 4), (37, 5), (1000, 3)] {
            let dists = vec![
                Distribution::Uniform {
                    low: 0.0,
                    high: 1.0
                };
                k
            ];
            let pts = Design::LatinHypercube { points: n }.points(&dists, 11);
            assert_eq!(pts.len(), n);
            for j in 0..k {
                let mut seen = vec![false; n];
                for p in &pts {
                    let s = (p.unit[j] * n as f64).floor() as usize;
                    assert!(s < n && !seen[s], "n {n} dim {j}: stratum {s} twice");
                    seen[s] = true;
                }
            }
        }
    }

    #[test]
    fn lhs_reproducible_by_seed() {
        let dists = all_dists();
        let d = Design::LatinHypercube { points: 20 };
        assert_eq!(d.points(&dists, 5), d.points(&dists, 5));
        assert_ne!(d.points(&dists, 5), d.points(&dists, 6));
    }

    #[test]
    fn in_stratum_fixes_rounding() {
        // (2 + (1 − 2⁻⁵³))/3 rounds to 1.
        let u = in_stratum((2.0 + BELOW_ONE) / 3.0, 2, 3);
        assert!(u < 1.0 && (u * 3.0).floor() == 2.0);
        let u = in_stratum(1.0 / 3.0, 0, 3);
        assert_eq!((u * 3.0).floor(), 0.0);
    }

    #[test]
    fn sobol_unshifted_matches_reference() {
        let mut seq = SobolSequence::new(2, None);
        let got: Vec<Vec<f64>> = (0..8).map(|_| seq.next_point()).collect();
        let want = [
            [0.5, 0.5],
            [0.75, 0.25],
            [0.25, 0.75],
            [0.375, 0.375],
            [0.875, 0.875],
            [0.625, 0.125],
            [0.125, 0.625],
            [0.1875, 0.3125],
        ];
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.as_slice(), w.as_slice());
        }
    }

    #[test]
    fn sobol_dimensions_are_stratified() {
        // With the origin, the first 2^m points of every dimension are exactly {i/2^m}; the
        // digital shift keeps one point per dyadic interval.
        for seed in [None, Some(3)] {
            let mut seq = SobolSequence::new(SOBOL_MAX_DIMENSIONS, seed);
            let pts: Vec<Vec<f64>> = (1..1024).map(|_| seq.next_point()).collect();
            for m in 1..=10u32 {
                let n = 1usize << m;
                for d in 0..SOBOL_MAX_DIMENSIONS {
                    let mut seen = vec![false; n];
                    let origin = match seed {
                        None => 0.0,
                        Some(_) => {
                            // the shifted origin is the shift itself
                            let s = SobolSequence::new(SOBOL_MAX_DIMENSIONS, seed).shift[d];
                            s as f64 / (1u64 << SOBOL_BITS) as f64
                        }
                    };
                    for u in std::iter::once(origin).chain(pts[..n - 1].iter().map(|p| p[d])) {
                        assert!((0.0..1.0).contains(&u));
                        let b = (u * n as f64) as usize;
                        assert!(!seen[b], "dim {d}, 2^{m}: interval {b} twice");
                        seen[b] = true;
                    }
                }
            }
        }
    }

    #[test]
    fn sobol_reproducible_by_seed() {
        let dists = all_dists();
        let d = Design::Sobol { base_samples: 32 };
        let a = d.points(&dists, 42);
        assert_eq!(a, d.points(&dists, 42));
        let b = d.points(&dists, 43);
        assert_ne!(a, b);
        for (p, q) in a.iter().zip(&b) {
            assert_ne!(p.unit, q.unit);
        }
    }

    #[test]
    fn saltelli_structure() {
        let k = 4;
        let n = 16;
        let dists = vec![
            Distribution::Uniform {
                low: 0.0,
                high: 1.0
            };
            k
        ];
        let d = Design::Sobol { base_samples: n };
        let pts = d.points(&dists, 7);
        assert_eq!(pts.len(), n * (k + 2));
        assert_eq!(d.len(&dists), pts.len());
        for (j, block) in pts.chunks(k + 2).enumerate() {
            let (a, b) = (&block[0], &block[1]);
            assert_eq!(a.role, Role::SaltelliA { block: j });
            assert_eq!(b.role, Role::SaltelliB { block: j });
            for c in 0..k {
                assert_ne!(a.unit[c], b.unit[c]);
            }
            for (i, ab) in block[2..].iter().enumerate() {
                assert_eq!(
                    ab.role,
                    Role::SaltelliAB {
                        block: j,
                        factor: i
                    }
                );
                for c in 0..k {
                    let want = if c == i { b.unit[c] } else { a.unit[c] };
                    assert_eq!(ab.unit[c], want);
                }
            }
        }
        for (i, p) in pts.iter().enumerate() {
            assert_eq!(p.index, i);
        }
        // A and B are different columns of one sequence: A's rows are distinct points of the
        // first k dimensions.
        let rows: Vec<&Vec<f64>> = pts.iter().step_by(k + 2).map(|p| &p.unit).collect();
        for i in 0..rows.len() {
            for j in 0..i {
                assert_ne!(rows[i], rows[j]);
            }
        }
    }

    #[test]
    fn grid_enumerates_all_combinations() {
        let dists = vec![
            Distribution::Uniform {
                low: 0.0,
                high: 10.0,
            },
            Distribution::Discrete {
                values: vec![1.0, 2.0, 3.0],
            },
            Distribution::Normal {
                mean: 0.0,
                sd: 1.0,
                low: -2.0,
                high: 2.0,
            },
            Distribution::Discrete { values: vec![5.0] },
        ];
        let d = Design::Grid { levels: 4 };
        let pts = d.points(&dists, 0);
        assert_eq!(d.len(&dists), 4 * 3 * 4);
        assert_eq!(pts.len(), 48);
        let sizes = [4, 3, 4, 1];
        let mut seen = std::collections::BTreeSet::new();
        for p in &pts {
            let cell: Vec<usize> = p
                .unit
                .iter()
                .zip(sizes)
                .map(|(u, n)| {
                    let l = u * n as f64 - 0.5;
                    assert!((l - l.round()).abs() < 1e-9, "{u} is not a midpoint");
                    l.round() as usize
                })
                .collect();
            assert!(seen.insert(cell), "cell visited twice");
        }
        assert_eq!(seen.len(), 48);
        let vals: std::collections::BTreeSet<u64> = pts
            .iter()
            .map(|p| values(&dists, &p.unit)[1].to_bits())
            .collect();
        assert_eq!(vals.len(), 3);
        assert!(pts.iter().all(|p| values(&dists, &p.unit)[3] == 5.0));
        // Uniform levels are the midpoints 1.25, 3.75, 6.25, 8.75; the last parameter fastest.
        assert_eq!(values(&dists, &pts[0].unit)[0], 1.25);
        assert_eq!(values(&dists, &pts[47].unit)[0], 8.75);
        assert_eq!(pts[1].unit[2], 0.375);
    }

    #[test]
    fn points_and_values_within_bounds() {
        let dists = all_dists();
        for d in all_designs() {
            let pts = d.points(&dists, 9);
            assert_eq!(pts.len(), d.len(&dists), "{d:?}");
            for p in &pts {
                assert_eq!(p.unit.len(), dists.len());
                for &u in &p.unit {
                    assert!((0.0..1.0).contains(&u), "{d:?}: unit {u}");
                }
                for (v, dist) in values(&dists, &p.unit).iter().zip(&dists) {
                    let (lo, hi) = dist.bounds();
                    assert!(*v >= lo && *v <= hi, "{d:?}: {v} outside {dist:?}");
                }
            }
        }
        for dist in &dists {
            let (lo, hi) = dist.bounds();
            for u in [-1.0, 0.0, 1e-300, 0.3, 0.5, 0.999, BELOW_ONE, 1.0, 7.0] {
                let v = dist.quantile(u);
                assert!(v >= lo && v <= hi, "{dist:?} at {u}: {v}");
            }
            assert!(dist.quantile(f64::NAN).is_nan());
        }
        assert_eq!(all_dists()[3].bounds(), (-1.0, 7.5));
    }

    #[test]
    fn inverse_normal_matches_reference() {
        // Reference values: Python's statistics.NormalDist().inv_cdf (Wichura's AS241).
        let cases = [
            (1e-300, -37.0470962993612),
            (1e-20, -9.262340089798405),
            (1e-10, -6.361340902404056),
            (0.001, -3.090232306167813),
            (0.02, -2.0537489106318225),
            (0.02425, -1.9729610513118845),
            (0.1, -1.2815515655446008),
            (0.3, -0.5244005127080407),
            (0.5, 0.0),
            (0.6, 0.2533471031357998),
            (0.9, 1.2815515655446008),
            (0.97575, 1.9729610513118847),
            (0.99, 2.3263478740408408),
            (0.999999, 4.753424308817089),
        ];
        for (p, want) in cases {
            let got = inv_phi(p);
            assert!(
                (got - want).abs() <= 1e-13 * want.abs().max(1.0),
                "Φ⁻¹({p}) = {got}, want {want}"
            );
        }
        for p in [1e-12, 0.01, 0.2, 0.5, 0.75, 0.95] {
            assert!((phi(inv_phi(p)) - p).abs() <= 1e-15 * p.max(1e-3));
        }
    }

    #[test]
    fn normal_clipped_quantiles() {
        let cases = [
            (0.0, 1.0, -1.0, 1.0),   // symmetric
            (5.0, 2.0, 1.0, 9.0),    // symmetric
            (0.0, 1.0, -0.5, 3.0),   // asymmetric
            (0.0, 1.0, 3.0, 6.0),    // upper tail
            (0.0, 1.0, -8.0, -5.0),  // lower tail
            (10.0, 0.5, 40.0, 41.0), // far upper tail (60 sd out)
            (0.0, 1.0, -20.0, 20.0), // essentially untruncated
            (0.0, 1.0, 0.0, 1e-9),   // narrow
        ];
        for (mean, sd, low, high) in cases {
            let d = Distribution::Normal {
                mean,
                sd,
                low,
                high,
            };
            d.validate().unwrap();
            let mut prev = f64::NEG_INFINITY;
            for i in 0..=1000 {
                let u = i as f64 / 1000.0;
                let x = d.quantile(u);
                assert!(x >= low && x <= high, "{d:?} at {u}: {x}");
                assert!(x >= prev, "{d:?} not monotone at {u}: {prev} > {x}");
                prev = x;
            }
            assert_eq!(d.quantile(0.0), low);
            assert!(d.quantile(BELOW_ONE) <= high);
            if (mean - low - (high - mean)).abs() < 1e-12 {
                let m = d.quantile(0.5);
                assert!((m - mean).abs() < 1e-12 * sd, "{d:?}: median {m}");
            }
        }
        // Untruncated in effect: the quartiles of the standard normal.
        let d = Distribution::Normal {
            mean: 0.0,
            sd: 1.0,
            low: -20.0,
            high: 20.0,
        };
        assert!((d.quantile(0.75) - 0.6744897501960817).abs() < 1e-13);
        assert!((d.quantile(0.25) + 0.6744897501960817).abs() < 1e-13);
        // Far tail: the mass piles up at the bound nearest the mean (mean of the excess of a
        // normal beyond 60 sd ≈ sd/60).
        let far = Distribution::Normal {
            mean: 10.0,
            sd: 0.5,
            low: 40.0,
            high: 41.0,
        };
        let median_excess = (far.quantile(0.5) - 40.0) / 0.5;
        assert!((median_excess - std::f64::consts::LN_2 / 60.0).abs() < 1e-3 / 60.0);
    }

    #[test]
    fn log_uniform_and_discrete_quantiles() {
        let d = Distribution::LogUniform {
            low: 0.01,
            high: 100.0,
        };
        assert!((d.quantile(0.5) - 1.0).abs() < 1e-14);
        let d = Distribution::LogUniform {
            low: 2.0,
            high: 50.0,
        };
        assert!((d.quantile(0.5) / 10.0 - 1.0).abs() < 1e-14);
        let quartile = 2f64.powf(0.75) * 50f64.powf(0.25);
        assert!((d.quantile(0.25) / quartile - 1.0).abs() < 1e-14);
        assert_eq!(d.quantile(0.0), 2.0);
        let d = Distribution::Discrete {
            values: vec![10.0, 20.0, 30.0, 40.0],
        };
        assert_eq!(d.quantile(0.0), 10.0);
        assert_eq!(d.quantile(0.2499), 10.0);
        assert_eq!(d.quantile(0.25), 20.0);
        assert_eq!(d.quantile(0.74), 30.0);
        assert_eq!(d.quantile(0.75), 40.0);
        assert_eq!(d.quantile(BELOW_ONE), 40.0);
        let u = Distribution::Uniform {
            low: 2.0,
            high: 4.0,
        };
        assert_eq!(u.quantile(0.25), 2.5);
    }

    #[test]
    fn morris_trajectories() {
        for (k, p) in [(1, 2), (3, 4), (5, 6), (4, 10)] {
            let r = 25;
            let dists = vec![
                Distribution::Uniform {
                    low: 0.0,
                    high: 1.0
                };
                k
            ];
            let d = Design::Morris {
                trajectories: r,
                levels: p,
            };
            let pts = d.points(&dists, 3);
            assert_eq!(pts.len(), r * (k + 1));
            assert_eq!(d.len(&dists), pts.len());
            let delta = p as f64 / (2.0 * (p - 1) as f64);
            for (t, traj) in pts.chunks(k + 1).enumerate() {
                let mut changed = vec![0; k];
                for (s, pt) in traj.iter().enumerate() {
                    // every coordinate on the scaled p-level grid
                    for &u in &pt.unit {
                        let l = u / MORRIS_SCALE * (p - 1) as f64;
                        assert!((l - l.round()).abs() < 1e-9 && u < 1.0);
                    }
                    let Role::Morris {
                        trajectory,
                        step,
                        factor,
                        delta: dlt,
                    } = pt.role
                    else {
                        panic!("not a Morris role");
                    };
                    assert_eq!((trajectory, step), (t, s));
                    if s == 0 {
                        assert_eq!((factor, dlt), (None, 0.0));
                        continue;
                    }
                    let i = factor.unwrap();
                    assert_eq!(dlt.abs(), delta);
                    let prev = &traj[s - 1];
                    for c in 0..k {
                        let diff = pt.unit[c] - prev.unit[c];
                        if c == i {
                            assert!((diff - dlt * MORRIS_SCALE).abs() < 1e-12);
                        } else {
                            assert_eq!(diff, 0.0);
                        }
                    }
                    changed[i] += 1;
                }
                assert!(changed.iter().all(|&c| c == 1), "{changed:?}");
            }
            // Reproducible, and the seed matters.
            assert_eq!(pts, d.points(&dists, 3));
            if k > 1 {
                assert_ne!(pts, d.points(&dists, 4));
            }
        }
    }

    #[test]
    fn spread_order_is_a_permutation() {
        let dists = all_dists();
        for d in all_designs() {
            let pts = d.points(&dists, 1);
            let mut order = spread_order(&d, &pts);
            assert_eq!(order.len(), pts.len());
            order.sort_unstable();
            assert!(order.iter().enumerate().all(|(i, &o)| i == o), "{d:?}");
        }
    }

    #[test]
    fn grid_spread_order_covers_levels_early() {
        let cases: Vec<(usize, Vec<Distribution>)> = vec![
            (
                4,
                vec![
                    Distribution::Uniform {
                        low: 0.0,
                        high: 1.0
                    };
                    2
                ],
            ),
            (
                3,
                vec![
                    Distribution::Uniform {
                        low: 0.0,
                        high: 1.0
                    };
                    3
                ],
            ),
            (
                5,
                vec![
                    Distribution::Uniform {
                        low: 0.0,
                        high: 1.0
                    };
                    4
                ],
            ),
            (
                6,
                vec![
                    Distribution::Discrete {
                        values: vec![1.0, 2.0],
                    },
                    Distribution::Uniform {
                        low: 0.0,
                        high: 1.0,
                    },
                    Distribution::Discrete {
                        values: vec![1.0, 2.0, 3.0, 4.0, 5.0],
                    },
                    Distribution::Discrete {
                        values: vec![1.0, 2.0, 3.0],
                    },
                ],
            ),
            (
                8,
                vec![
                    Distribution::Uniform {
                        low: 0.0,
                        high: 1.0
                    };
                    1
                ],
            ),
        ];
        for (levels, dists) in cases {
            let d = Design::Grid { levels };
            let pts = d.points(&dists, 0);
            let order = spread_order(&d, &pts);
            let n = pts.len();
            let sizes: Vec<usize> = dists.iter().map(|x| x.grid_levels(levels)).collect();
            let level = |i: usize, j: usize| (pts[i].unit[j] * sizes[j] as f64) as usize;
            // Every prefix of at least n_j points touches every level of parameter j; in
            // particular the first ⌈n/4⌉ when n_j ≤ n/4.
            for len in 1..=n {
                for (j, &nj) in sizes.iter().enumerate() {
                    if nj > len {
                        continue;
                    }
                    let mut seen = vec![false; nj];
                    for &i in &order[..len] {
                        seen[level(i, j)] = true;
                    }
                    assert!(
                        seen.iter().all(|&s| s),
                        "levels {levels}, prefix {len}, j {j}"
                    );
                }
            }
            // The first two points differ in every parameter with more than one level.
            if n > 1 {
                for (j, &nj) in sizes.iter().enumerate() {
                    if nj > 1 {
                        assert_ne!(level(order[0], j), level(order[1], j));
                    }
                }
            }
            // The parameter with most levels takes them in van der Corput order: the second
            // point is half-way up.
            let top = (0..sizes.len())
                .max_by_key(|&j| (sizes[j], std::cmp::Reverse(j)))
                .unwrap();
            if sizes[top] >= 2 {
                assert_eq!(level(order[1], top), sizes[top] / 2);
            }
        }
    }

    #[test]
    fn lhs_spread_order_spreads() {
        let dists = vec![
            Distribution::Uniform {
                low: 0.0,
                high: 1.0
            };
            2
        ];
        let d = Design::LatinHypercube { points: 100 };
        let pts = d.points(&dists, 2);
        let order = spread_order(&d, &pts);
        let min_dist = |idx: &[usize]| {
            let mut m = f64::INFINITY;
            for (a, &i) in idx.iter().enumerate() {
                for &j in &idx[..a] {
                    let dx = pts[i].unit[0] - pts[j].unit[0];
                    let dy = pts[i].unit[1] - pts[j].unit[1];
                    m = m.min((dx * dx + dy * dy).sqrt());
                }
            }
            m
        };
        let plain: Vec<usize> = (0..25).collect();
        assert!(min_dist(&order[..25]) > min_dist(&plain));
        // Every quadrant is visited in the first 25.
        let mut quadrants = [0; 4];
        for &i in &order[..25] {
            let q = (pts[i].unit[0] >= 0.5) as usize * 2 + (pts[i].unit[1] >= 0.5) as usize;
            quadrants[q] += 1;
        }
        assert!(quadrants.iter().all(|&c| c >= 3), "{quadrants:?}");
        // Deterministic.
        assert_eq!(order, spread_order(&d, &pts));
    }

    #[test]
    fn lhs_spread_fallback_is_a_permutation() {
        let n = 20_000;
        let dists = vec![
            Distribution::Uniform {
                low: 0.0,
                high: 1.0
            };
            1
        ];
        let d = Design::LatinHypercube { points: n };
        let pts = d.points(&dists, 2);
        let order = spread_order(&d, &pts);
        // Strata of dimension 0 in van der Corput order: the first two are at 0 and n/2.
        let stratum = |i: usize| (pts[i].unit[0] * n as f64) as usize;
        assert_eq!((stratum(order[0]), stratum(order[1])), (0, n / 2));
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert!(sorted.iter().enumerate().all(|(i, &o)| i == o));
    }

    #[test]
    fn block_designs_keep_blocks_in_sequence_order() {
        let dists = all_dists();
        for d in [
            Design::Sobol { base_samples: 8 },
            Design::Morris {
                trajectories: 5,
                levels: 4,
            },
        ] {
            let pts = d.points(&dists, 1);
            let order = spread_order(&d, &pts);
            assert_eq!(order, (0..pts.len()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn van_der_corput_orders() {
        assert_eq!(van_der_corput_order(8).0, vec![0, 4, 2, 6, 1, 5, 3, 7]);
        assert_eq!(van_der_corput_order(5).0, vec![0, 2, 1, 3, 4]);
        assert_eq!(van_der_corput_order(3).0, vec![0, 1, 2]);
        assert_eq!(van_der_corput_order(6).0, vec![0, 3, 1, 4, 2, 5]);
        assert_eq!(van_der_corput_order(0).0, Vec::<usize>::new());
        assert_eq!(van_der_corput_order(1).0, vec![0]);
        let (rho, inv) = van_der_corput_order(11);
        for (i, &v) in rho.iter().enumerate() {
            assert_eq!(inv[v], i);
        }
    }

    #[test]
    fn validate_errors() {
        let bad = [
            Distribution::Uniform {
                low: 1.0,
                high: 1.0,
            },
            Distribution::Uniform {
                low: f64::NAN,
                high: 1.0,
            },
            Distribution::Uniform {
                low: 0.0,
                high: f64::INFINITY,
            },
            Distribution::Normal {
                mean: 0.0,
                sd: 0.0,
                low: -1.0,
                high: 1.0,
            },
            Distribution::Normal {
                mean: 0.0,
                sd: -1.0,
                low: -1.0,
                high: 1.0,
            },
            Distribution::Normal {
                mean: 0.0,
                sd: 1.0,
                low: 2.0,
                high: 1.0,
            },
            Distribution::Normal {
                mean: f64::NAN,
                sd: 1.0,
                low: -1.0,
                high: 1.0,
            },
            Distribution::LogUniform {
                low: 0.0,
                high: 1.0,
            },
            Distribution::LogUniform {
                low: -1.0,
                high: 1.0,
            },
            Distribution::LogUniform {
                low: 2.0,
                high: 1.0,
            },
            Distribution::Discrete { values: vec![] },
            Distribution::Discrete {
                values: vec![1.0, f64::NAN],
            },
        ];
        for d in &bad {
            let e = d.validate().unwrap_err();
            assert!(!e.is_empty());
            // Invalid distributions do not panic.
            let _ = d.quantile(0.5);
            let _ = d.bounds();
        }
        for d in all_dists() {
            d.validate().unwrap();
        }

        assert!(Design::Grid { levels: 0 }.validate(2).is_err());
        assert!(Design::LatinHypercube { points: 0 }.validate(2).is_err());
        assert!(Design::Sobol { base_samples: 0 }.validate(2).is_err());
        assert!(Design::Sobol { base_samples: 8 }.validate(0).is_err());
        assert!(Design::Sobol { base_samples: 8 }.validate(26).is_err());
        Design::Sobol { base_samples: 8 }.validate(25).unwrap();
        let morris = |trajectories, levels| Design::Morris {
            trajectories,
            levels,
        };
        assert!(morris(0, 4).validate(2).is_err());
        assert!(morris(10, 0).validate(2).is_err());
        assert!(morris(10, 3).validate(2).is_err());
        assert!(morris(10, 4).validate(0).is_err());
        morris(10, 2).validate(1).unwrap();
        for d in all_designs() {
            d.validate(4).unwrap();
        }
        // Grid and LHS accept zero parameters.
        assert_eq!(Design::Grid { levels: 3 }.points(&[], 0).len(), 1);
        assert_eq!(Design::LatinHypercube { points: 3 }.points(&[], 0).len(), 3);
    }

    #[test]
    #[should_panic(expected = "invalid design")]
    fn points_panics_on_invalid_design() {
        let _ = Design::Sobol { base_samples: 4 }.points(&[], 0);
    }

    #[test]
    fn serde_round_trip() {
        let dists = all_dists();
        let json = serde_json::to_string(&dists).unwrap();
        assert_eq!(
            serde_json::from_str::<Vec<Distribution>>(&json).unwrap(),
            dists
        );
        let designs = all_designs();
        let json = serde_json::to_string(&designs).unwrap();
        assert_eq!(serde_json::from_str::<Vec<Design>>(&json).unwrap(), designs);
        let pts = Design::Morris {
            trajectories: 2,
            levels: 4,
        }
        .points(&dists, 0);
        let json = serde_json::to_string(&pts).unwrap();
        assert_eq!(serde_json::from_str::<Vec<Point>>(&json).unwrap(), pts);
    }

    #[test]
    #[should_panic(expected = "values")]
    fn values_panics_on_length_mismatch() {
        let _ = values(&all_dists(), &[0.5]);
    }
}
