//! Sensitivity indices from the outputs of a design: variance-based (Sobol) and screening
//! (Morris) estimators, each with a seeded 95% percentile-bootstrap interval.
//!
//! The designs are generated elsewhere; this module only reads their outputs, in two fixed
//! layouts:
//!
//! * **Saltelli** (Saltelli et al. 2010) for `k` factors and `N` base samples: two independent
//!   `N × k` matrices `A` and `B`, and for each factor `i` the matrix `AB^i`, which is `A` with
//!   column `i` taken from `B`. Block `j` of the outputs holds `k + 2` values in the order
//!   `f(A_j), f(B_j), f(AB_j^1), …, f(AB_j^k)`, so `y.len() = N·(k + 2)`.
//! * **Morris** (Morris 1991, in the trajectory form of Campolongo et al. 2007): `r`
//!   trajectories of `k + 1` points each, so `y.len() = r·(k + 1)`. Point `s ≥ 1` of a
//!   trajectory differs from point `s − 1` in one factor only, by a signed step `Δ` in the unit
//!   scale of that factor; every factor is stepped exactly once per trajectory. The steps are
//!   given as `(factor, Δ)` pairs, `k` per trajectory, trajectory-major.
//!
//! Estimators:
//!
//! * first-order index, Saltelli et al. (2010), Table 2 (b):
//!   `S_i = (1/N) Σ_j f(B)_j (f(AB^i)_j − f(A)_j) / V`;
//! * total index, Jansen (1999), as in Saltelli et al. (2010), Table 2 (f):
//!   `ST_i = (1/2N) Σ_j (f(A)_j − f(AB^i)_j)² / V`;
//!
//!   with `V` the (population) variance of all `2N` values of `f(A)` and `f(B)`. Before
//!   estimating, every output is shifted by the mean of the `f(A)` and `f(B)` values: the
//!   indices are unchanged in expectation (the shift multiplies `Σ (f(AB^i) − f(A))`, whose
//!   expectation is zero), while the noise a large output mean would add to the first-order
//!   estimator is removed.
//! * elementary effects, Morris (1991): `EE_i = (f(x + Δ e_i) − f(x)) / Δ`, one per factor and
//!   trajectory; `μ` is their mean, `σ` their sample standard deviation (`r − 1` denominator),
//!   and `μ*` the mean of `|EE_i|` (Campolongo et al. 2007), which, unlike `μ`, does not let
//!   effects of opposite sign cancel.
//!
//! Intervals are percentile bootstraps: the `N` Saltelli blocks (or the `r` Morris
//! trajectories) are resampled with replacement `resamples` times from a ChaCha8 stream seeded
//! with `seed`, every index is recomputed on each resample (including `V`), and the interval is
//! the 2.5% and 97.5% quantiles (linear interpolation) of the recomputed values. The same seed
//! gives the same intervals.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Base samples below which Sobol indices are reported as unstable.
pub const SOBOL_MIN_SAMPLES: usize = 500;
/// Bootstrap interval width of a Sobol index above which it is reported as unstable.
pub const SOBOL_MAX_WIDTH: f64 = 0.2;
/// Sum of first-order indices above which the estimates are reported as unstable (the true sum
/// is at most 1).
pub const SOBOL_MAX_FIRST_SUM: f64 = 1.1;
/// First-order index below which the estimate is reported as unstable (true indices are ≥ 0).
pub const SOBOL_MIN_FIRST: f64 = -0.05;
/// Trajectories below which Morris statistics are reported as unstable.
pub const MORRIS_MIN_TRAJECTORIES: usize = 10;

/// Lower and upper quantiles of the percentile interval (95%).
const QUANTILES: (f64, f64) = (0.025, 0.975);

/// An estimate with a 95% bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    /// The estimate from the full sample.
    pub value: f64,
    /// Lower end of the 95% percentile-bootstrap interval.
    pub lo: f64,
    /// Upper end of the 95% percentile-bootstrap interval.
    pub hi: f64,
}

impl Estimate {
    /// Width of the interval, `hi − lo`.
    pub fn width(&self) -> f64 {
        self.hi - self.lo
    }
}

/// Sobol indices of one factor.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SobolIndex {
    /// First-order index `S_i` (Saltelli et al. 2010): the share of the output variance due to
    /// the factor alone.
    pub first: Estimate,
    /// Total index `ST_i` (Jansen 1999): the share of the output variance due to the factor,
    /// including all its interactions.
    pub total: Estimate,
}

/// Morris statistics of one factor.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MorrisIndex {
    /// Mean elementary effect `μ` (Morris 1991).
    pub mu: f64,
    /// Mean absolute elementary effect `μ*` (Campolongo et al. 2007), with a bootstrap interval
    /// over trajectories.
    pub mu_star: Estimate,
    /// Sample standard deviation `σ` of the elementary effects (Morris 1991): large when the
    /// factor acts non-linearly or through interactions.
    pub sigma: f64,
}

/// Sobol first-order and total indices of each factor from Saltelli-layout outputs `y`
/// (len `N·(k+2)`, see the [module docs](self)).
///
/// First order (Saltelli et al. 2010): `S_i = (1/N) Σ f(B)(f(AB^i) − f(A)) / V`; total
/// (Jansen 1999): `ST_i = (1/2N) Σ (f(A) − f(AB^i))² / V`, `V` the variance of all `f(A)` and
/// `f(B)` values (outputs are first centred on their mean, which leaves the estimators unchanged
/// in expectation). Bootstrap: resample the `N` blocks with replacement `resamples` times
/// (seeded), percentile interval; resamples without variation in `f(A)`, `f(B)` are skipped.
///
/// Returns `Err` if `k = 0`, `N < 2` or `y` has the wrong length, an output is not finite,
/// `resamples = 0`, or `V = 0` (no variation).
pub fn sobol(y: &[f64], k: usize, resamples: usize, seed: u64) -> Result<Vec<SobolIndex>, String> {
    if k == 0 {
        return Err("sobol: no factors (k = 0)".to_string());
    }
    let width = k + 2;
    if !y.len().is_multiple_of(width) {
        return Err(format!(
            "sobol: {} outputs is not a multiple of k + 2 = {width} (Saltelli layout)",
            y.len()
        ));
    }
    let n = y.len() / width;
    if n < 2 {
        return Err(format!("sobol: {n} base samples, need at least 2"));
    }
    if resamples == 0 {
        return Err("sobol: need at least one bootstrap resample".to_string());
    }
    if let Some(j) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("sobol: output {j} is not finite ({})", y[j]));
    }
    let first_ab = y[0];
    if y.chunks_exact(width)
        .all(|b| b[0] == first_ab && b[1] == first_ab)
    {
        return Err("sobol: no variation in f(A) and f(B) (V = 0)".to_string());
    }

    // Centre on the mean of the f(A), f(B) values.
    let mean = y.chunks_exact(width).map(|b| b[0] + b[1]).sum::<f64>() / (2 * n) as f64;
    let yc: Vec<f64> = y.iter().map(|v| v - mean).collect();

    let mut acc = SobolSums::new(k);
    for block in yc.chunks_exact(width) {
        acc.add(block);
    }
    let (first, total) = acc
        .indices(n)
        .ok_or_else(|| "sobol: no variation in f(A) and f(B) (V = 0)".to_string())?;

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut first_bs: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    let mut total_bs: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    for _ in 0..resamples {
        acc.clear();
        for _ in 0..n {
            let j = rng.random_range(0..n);
            acc.add(&yc[j * width..(j + 1) * width]);
        }
        if let Some((f, t)) = acc.indices(n) {
            for i in 0..k {
                first_bs[i].push(f[i]);
                total_bs[i].push(t[i]);
            }
        }
    }

    Ok((0..k)
        .map(|i| SobolIndex {
            first: estimate(first[i], &mut first_bs[i]),
            total: estimate(total[i], &mut total_bs[i]),
        })
        .collect())
}

/// Running sums of the Saltelli estimators over blocks.
struct SobolSums {
    /// Σ of the f(A), f(B) values.
    sum: f64,
    /// Σ of their squares.
    sum_sq: f64,
    /// Σ f(B)(f(AB^i) − f(A)) per factor.
    first: Vec<f64>,
    /// Σ (f(A) − f(AB^i))² per factor.
    total: Vec<f64>,
}

impl SobolSums {
    fn new(k: usize) -> Self {
        SobolSums {
            sum: 0.0,
            sum_sq: 0.0,
            first: vec![0.0; k],
            total: vec![0.0; k],
        }
    }

    fn clear(&mut self) {
        self.sum = 0.0;
        self.sum_sq = 0.0;
        self.first.fill(0.0);
        self.total.fill(0.0);
    }

    /// Adds one block `f(A), f(B), f(AB^1), …, f(AB^k)`.
    fn add(&mut self, block: &[f64]) {
        let (fa, fb) = (block[0], block[1]);
        self.sum += fa + fb;
        self.sum_sq += fa * fa + fb * fb;
        for (i, &fab) in block[2..].iter().enumerate() {
            self.first[i] += fb * (fab - fa);
            let d = fa - fab;
            self.total[i] += d * d;
        }
    }

    /// First-order and total indices over `n` blocks, `None` when `V` is not positive.
    fn indices(&self, n: usize) -> Option<(Vec<f64>, Vec<f64>)> {
        let m = (2 * n) as f64;
        let mean = self.sum / m;
        let v = self.sum_sq / m - mean * mean;
        if v.is_nan() || v <= 0.0 {
            return None;
        }
        let nf = n as f64;
        let first = self.first.iter().map(|s| s / nf / v).collect();
        let total = self.total.iter().map(|s| s / (2.0 * nf) / v).collect();
        Some((first, total))
    }
}

/// Elementary effects `EE = (f(x + Δe_i) − f(x)) / Δ` per trajectory (Morris 1991);
/// `μ` = mean EE, `μ*` = mean |EE| (Campolongo et al. 2007; bootstrap over trajectories,
/// `resamples` times, seeded, percentile interval), `σ` = sample sd of EE.
///
/// `y` holds `r` trajectories of `k + 1` outputs; `steps` holds, per trajectory and step
/// `s ≥ 1`, the changed factor and its signed step `(factor, Δ)` (len `r·k`,
/// trajectory-major). Every factor must be stepped exactly once per trajectory.
///
/// Returns `Err` if `k = 0`, `r < 2`, `y` or `steps` has the wrong length, a factor is out of
/// range or not stepped exactly once in a trajectory, a `Δ` is zero or not finite, an output is
/// not finite, or `resamples = 0`.
pub fn morris(
    y: &[f64],
    k: usize,
    steps: &[(usize, f64)],
    resamples: usize,
    seed: u64,
) -> Result<Vec<MorrisIndex>, String> {
    if k == 0 {
        return Err("morris: no factors (k = 0)".to_string());
    }
    let width = k + 1;
    if !y.len().is_multiple_of(width) {
        return Err(format!(
            "morris: {} outputs is not a multiple of k + 1 = {width} (one trajectory)",
            y.len()
        ));
    }
    let r = y.len() / width;
    if r < 2 {
        return Err(format!("morris: {r} trajectories, need at least 2"));
    }
    if steps.len() != r * k {
        return Err(format!(
            "morris: {} steps for {r} trajectories of {k} factors, expected {}",
            steps.len(),
            r * k
        ));
    }
    if resamples == 0 {
        return Err("morris: need at least one bootstrap resample".to_string());
    }
    if let Some(j) = y.iter().position(|v| !v.is_finite()) {
        return Err(format!("morris: output {j} is not finite ({})", y[j]));
    }

    // Elementary effects, ee[t·k + i] for trajectory t and factor i.
    let mut ee = vec![0.0; r * k];
    let mut seen = vec![false; k];
    for t in 0..r {
        seen.fill(false);
        let out = &y[t * width..(t + 1) * width];
        for (s, &(i, delta)) in steps[t * k..(t + 1) * k].iter().enumerate() {
            if i >= k {
                return Err(format!(
                    "morris: trajectory {t}, step {}: factor {i} out of range (k = {k})",
                    s + 1
                ));
            }
            if seen[i] {
                return Err(format!(
                    "morris: trajectory {t}: factor {i} stepped more than once"
                ));
            }
            if !(delta.is_finite() && delta != 0.0) {
                return Err(format!(
                    "morris: trajectory {t}, step {}: Δ = {delta} (must be finite and non-zero)",
                    s + 1
                ));
            }
            seen[i] = true;
            ee[t * k + i] = (out[s + 1] - out[s]) / delta;
        }
    }

    let rf = r as f64;
    let mut mu = vec![0.0; k];
    let mut mu_star = vec![0.0; k];
    for row in ee.chunks_exact(k) {
        for i in 0..k {
            mu[i] += row[i];
            mu_star[i] += row[i].abs();
        }
    }
    for i in 0..k {
        mu[i] /= rf;
        mu_star[i] /= rf;
    }
    let mut sigma = vec![0.0; k];
    for row in ee.chunks_exact(k) {
        for i in 0..k {
            let d = row[i] - mu[i];
            sigma[i] += d * d;
        }
    }
    for s in &mut sigma {
        *s = libm::sqrt(*s / (rf - 1.0));
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut bs: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples); k];
    let mut sums = vec![0.0; k];
    for _ in 0..resamples {
        sums.fill(0.0);
        for _ in 0..r {
            let t = rng.random_range(0..r);
            for (s, e) in sums.iter_mut().zip(&ee[t * k..(t + 1) * k]) {
                *s += e.abs();
            }
        }
        for (b, s) in bs.iter_mut().zip(&sums) {
            b.push(s / rf);
        }
    }

    Ok((0..k)
        .map(|i| MorrisIndex {
            mu: mu[i],
            mu_star: estimate(mu_star[i], &mut bs[i]),
            sigma: sigma[i],
        })
        .collect())
}

/// A warning when the sample is too small for stable Sobol indices, else `None`: fewer than
/// [`SOBOL_MIN_SAMPLES`] base samples `n`, any first-order or total bootstrap interval wider
/// than [`SOBOL_MAX_WIDTH`], a first-order sum above [`SOBOL_MAX_FIRST_SUM`], or a first-order
/// index below [`SOBOL_MIN_FIRST`]. All reasons that apply are listed.
pub fn sobol_warning(n: usize, indices: &[SobolIndex]) -> Option<String> {
    let mut reasons = Vec::new();
    if n < SOBOL_MIN_SAMPLES {
        reasons.push(format!("{n} base samples (fewer than {SOBOL_MIN_SAMPLES})"));
    }
    let wide: Vec<String> = indices
        .iter()
        .enumerate()
        .flat_map(|(i, ix)| {
            [("S", ix.first), ("ST", ix.total)]
                .into_iter()
                .filter(|(_, e)| e.width().is_nan() || e.width() > SOBOL_MAX_WIDTH)
                .map(move |(name, e)| format!("{name}_{i} ±{:.2}", e.width() / 2.0))
        })
        .collect();
    if !wide.is_empty() {
        reasons.push(format!(
            "bootstrap intervals wider than {SOBOL_MAX_WIDTH} ({})",
            wide.join(", ")
        ));
    }
    let sum: f64 = indices.iter().map(|ix| ix.first.value).sum();
    if sum > SOBOL_MAX_FIRST_SUM {
        reasons.push(format!(
            "first-order indices sum to {sum:.3} (above {SOBOL_MAX_FIRST_SUM})"
        ));
    }
    let negative: Vec<String> = indices
        .iter()
        .enumerate()
        .filter(|(_, ix)| ix.first.value < SOBOL_MIN_FIRST)
        .map(|(i, ix)| format!("S_{i} = {:.3}", ix.first.value))
        .collect();
    if !negative.is_empty() {
        reasons.push(format!(
            "first-order indices below {SOBOL_MIN_FIRST} ({})",
            negative.join(", ")
        ));
    }
    if reasons.is_empty() {
        None
    } else {
        Some(format!(
            "Sobol indices may be unstable; increase the base samples: {}",
            reasons.join("; ")
        ))
    }
}

/// A warning when there are too few Morris trajectories `r` for stable statistics (fewer than
/// [`MORRIS_MIN_TRAJECTORIES`]), else `None`.
pub fn morris_warning(r: usize) -> Option<String> {
    (r < MORRIS_MIN_TRAJECTORIES).then(|| {
        format!(
            "Morris statistics may be unstable: {r} trajectories (fewer than \
             {MORRIS_MIN_TRAJECTORIES}); increase the trajectories"
        )
    })
}

/// The full-sample `value` with the percentile interval of the bootstrap values `bs` (sorted in
/// place). Without bootstrap values the interval collapses to the value.
fn estimate(value: f64, bs: &mut [f64]) -> Estimate {
    if bs.is_empty() {
        return Estimate {
            value,
            lo: value,
            hi: value,
        };
    }
    bs.sort_by(f64::total_cmp);
    Estimate {
        value,
        lo: quantile(bs, QUANTILES.0),
        hi: quantile(bs, QUANTILES.1),
    }
}

/// Quantile `q` of sorted, non-empty `xs` by linear interpolation between order statistics.
fn quantile(xs: &[f64], q: f64) -> f64 {
    let pos = q * (xs.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(xs.len() - 1);
    let frac = pos - lo as f64;
    xs[lo] + frac * (xs[hi] - xs[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::f64::consts::PI;

    /// Saltelli-layout outputs of `f` on `k` factors in the unit cube, `n` pseudo-random base
    /// samples.
    fn saltelli(f: impl Fn(&[f64]) -> f64, k: usize, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut y = Vec::with_capacity(n * (k + 2));
        let mut ab = vec![0.0; k];
        for _ in 0..n {
            let a: Vec<f64> = (0..k).map(|_| rng.random::<f64>()).collect();
            let b: Vec<f64> = (0..k).map(|_| rng.random::<f64>()).collect();
            y.push(f(&a));
            y.push(f(&b));
            for i in 0..k {
                ab.copy_from_slice(&a);
                ab[i] = b[i];
                y.push(f(&ab));
            }
        }
        y
    }

    /// Morris trajectories of `f` on `k` factors: levels `j/m`, `j = 0..=m`, a step of `h`
    /// levels (`Δ = ±h/m`), random base point and factor order. Returns outputs and steps.
    fn trajectories(
        f: impl Fn(&[f64]) -> f64,
        k: usize,
        r: usize,
        (m, h): (u32, u32),
        seed: u64,
    ) -> (Vec<f64>, Vec<(usize, f64)>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut y = Vec::with_capacity(r * (k + 1));
        let mut steps = Vec::with_capacity(r * k);
        for _ in 0..r {
            let mut level: Vec<u32> = (0..k).map(|_| rng.random_range(0..m + 1)).collect();
            let x = |level: &[u32]| -> Vec<f64> {
                level.iter().map(|&j| j as f64 / m as f64).collect()
            };
            let mut order: Vec<usize> = (0..k).collect();
            for i in (1..k).rev() {
                order.swap(i, rng.random_range(0..i + 1));
            }
            y.push(f(&x(&level)));
            for &i in &order {
                let up = level[i] + h <= m;
                let before = level[i];
                level[i] = if up { level[i] + h } else { level[i] - h };
                let delta = (level[i] as f64 - before as f64) / m as f64;
                steps.push((i, delta));
                y.push(f(&x(&level)));
            }
        }
        (y, steps)
    }

    /// Ishigami function on the unit cube mapped to [−π, π]³ (a = 7, b = 0.1); a 4th factor,
    /// if present, is a dummy.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        let s2 = libm::sin(x[1]);
        libm::sin(x[0]) + 7.0 * s2 * s2 + 0.1 * libm::pow(x[2], 4.0) * libm::sin(x[0])
    }

    const ISHIGAMI_S: [f64; 3] = [0.3139, 0.4424, 0.0];
    const ISHIGAMI_ST: [f64; 3] = [0.5576, 0.4424, 0.2437];

    /// `value` is inside `e`'s interval or within `tol` of it.
    fn covers(e: &Estimate, value: f64, tol: f64) -> bool {
        value >= e.lo - tol && value <= e.hi + tol
    }

    #[test]
    fn ishigami_matches_analytic_indices() {
        let n = 20_000;
        let y = saltelli(ishigami, 4, n, 11);
        let ix = sobol(&y, 4, 300, 5).unwrap();
        for i in 0..3 {
            let (s, st) = (ix[i].first, ix[i].total);
            eprintln!(
                "x{}: S = {s:?} (analytic {}), ST = {st:?} (analytic {})",
                i + 1,
                ISHIGAMI_S[i],
                ISHIGAMI_ST[i]
            );
            assert!((s.value - ISHIGAMI_S[i]).abs() < 0.03, "S_{i} = {s:?}");
            assert!((st.value - ISHIGAMI_ST[i]).abs() < 0.03, "ST_{i} = {st:?}");
            assert!(covers(&s, ISHIGAMI_S[i], 0.01), "S_{i} = {s:?}");
            assert!(covers(&st, ISHIGAMI_ST[i], 0.01), "ST_{i} = {st:?}");
            assert!(s.lo <= s.value && s.value <= s.hi);
            assert!(st.lo <= st.value && st.value <= st.hi);
        }
        // The dummy 4th factor.
        assert!(
            ix[3].first.value.abs() < 0.02 && ix[3].total.value < 0.02,
            "{:?}",
            ix[3]
        );
        assert_eq!(sobol_warning(n, &ix), None);
    }

    #[test]
    fn linear_model_indices_are_squared_weights() {
        let a = [1.0, 2.0, 3.0, 0.5, 0.0];
        let f = |x: &[f64]| x.iter().zip(&a).map(|(x, a)| x * a).sum::<f64>() + 100.0;
        let y = saltelli(f, a.len(), 10_000, 3);
        let ix = sobol(&y, a.len(), 200, 9).unwrap();
        let norm: f64 = a.iter().map(|a| a * a).sum();
        for (i, a) in a.iter().enumerate() {
            let want = a * a / norm;
            eprintln!(
                "a_{i} = {a}: S = {:?}, ST = {:?}, analytic {want:.4}",
                ix[i].first, ix[i].total
            );
            assert!(
                (ix[i].first.value - want).abs() < 0.02,
                "S_{i} = {:?}",
                ix[i].first
            );
            assert!(
                (ix[i].total.value - want).abs() < 0.02,
                "ST_{i} = {:?}",
                ix[i].total
            );
        }
        // a_4 = 0: the factor does not enter the function.
        assert!(ix[4].first.value.abs() < 0.02 && ix[4].total.value < 0.02);
    }

    #[test]
    fn non_influential_factor_has_small_indices() {
        // x2 does not enter; x0 and x1 interact.
        let f = |x: &[f64]| x[0] * x[1] + libm::exp(x[0]) + x[3];
        let y = saltelli(f, 4, 5_000, 21);
        let ix = sobol(&y, 4, 200, 1).unwrap();
        assert!(ix[2].first.value.abs() < 0.02, "{:?}", ix[2]);
        assert!(ix[2].total.value < 0.02, "{:?}", ix[2]);
        assert!(ix[2].total.hi < 0.02, "{:?}", ix[2]);
        assert!(ix[0].first.value > 0.2 && ix[1].total.value > 0.05);
    }

    #[test]
    fn morris_on_linear_function_is_exact() {
        let a = [1.0, -2.0, 0.5, 3.25, 0.0];
        let f = |x: &[f64]| x.iter().zip(&a).map(|(x, a)| x * a).sum::<f64>();
        // Dyadic levels (j/8) and steps (±1/2): every operation is exact.
        let (y, steps) = trajectories(f, a.len(), 20, (8, 4), 2);
        let ix = morris(&y, a.len(), &steps, 100, 4).unwrap();
        for (i, a) in a.iter().enumerate() {
            assert_eq!(ix[i].mu_star.value, a.abs());
            assert_eq!(ix[i].mu_star.lo, a.abs());
            assert_eq!(ix[i].mu_star.hi, a.abs());
            assert_eq!(ix[i].mu, *a);
            assert_eq!(ix[i].sigma, 0.0);
        }
        // Non-dyadic levels: exact up to rounding.
        let (y, steps) = trajectories(f, a.len(), 20, (3, 2), 5);
        let ix = morris(&y, a.len(), &steps, 100, 4).unwrap();
        for (i, a) in a.iter().enumerate() {
            assert!((ix[i].mu_star.value - a.abs()).abs() < 1e-12);
            assert!(ix[i].sigma < 1e-12);
        }
    }

    #[test]
    fn morris_on_ishigami_ranks_factors() {
        // p = 8 levels, Δ = 4/7. The ranking of x1 and x2 depends on Δ: with the common p = 4,
        // Δ = 2/3, every x2 step is between sin² = 0 and sin² = 3/4, so μ*_2 = 7.875 exactly,
        // just above μ*_1 ≈ 7.6 — x2 first. For uniform base points, x1 leads in expectation
        // when Δ is in (0.36, 0.64).
        let (y, steps) = trajectories(ishigami, 4, 100, (7, 4), 8);
        let ix = morris(&y, 4, &steps, 300, 6).unwrap();
        for (i, m) in ix.iter().enumerate() {
            eprintln!("x{}: {m:?}", i + 1);
        }
        assert!(ix[0].mu_star.value > ix[1].mu_star.value);
        assert!(ix[0].mu_star.value > ix[2].mu_star.value);
        assert!(ix[2].mu_star.value > 0.0 && ix[2].mu_star.lo > 0.0);
        assert_eq!(ix[3].mu_star.value, 0.0);
        assert_eq!(ix[3].sigma, 0.0);
        // x3 acts only through its interaction with x1: μ* > 0 with σ large.
        assert!(ix[2].sigma > ix[2].mu_star.value * 0.5);
        for m in &ix {
            assert!(m.mu_star.lo <= m.mu_star.value && m.mu_star.value <= m.mu_star.hi);
            assert!(m.mu.abs() <= m.mu_star.value + 1e-12);
        }
        assert_eq!(morris_warning(100), None);
    }

    #[test]
    fn sobol_rejects_bad_input() {
        // Wrong length: 3 factors need blocks of 5.
        assert!(sobol(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 3, 10, 0).is_err());
        assert!(sobol(&[], 3, 10, 0).is_err());
        // N = 1.
        assert!(sobol(&[0.0, 1.0, 2.0, 3.0, 4.0], 3, 10, 0).is_err());
        // Zero variance.
        assert!(sobol(&[2.0; 50], 3, 10, 0).is_err());
        let mut y = vec![2.0; 50];
        y[2] = 3.0; // only an AB value varies
        assert!(sobol(&y, 3, 10, 0).is_err());
        // No factors, no resamples, non-finite outputs.
        assert!(sobol(&[0.0, 1.0, 2.0, 3.0], 0, 10, 0).is_err());
        let y = saltelli(|x| x[0] + x[1], 2, 10, 0);
        assert!(sobol(&y, 2, 0, 0).is_err());
        let mut bad = y.clone();
        bad[5] = f64::NAN;
        assert!(sobol(&bad, 2, 10, 0).is_err());
        assert!(sobol(&y, 2, 10, 0).is_ok());
    }

    #[test]
    fn morris_rejects_bad_input() {
        let f = |x: &[f64]| x[0] + 2.0 * x[1];
        let (y, steps) = trajectories(f, 2, 5, (3, 2), 1);
        assert!(morris(&y, 2, &steps, 10, 0).is_ok());
        // Wrong lengths.
        assert!(morris(&y[..14], 2, &steps, 10, 0).is_err());
        assert!(morris(&y, 2, &steps[..9], 10, 0).is_err());
        // r = 1.
        assert!(morris(&y[..3], 2, &steps[..2], 10, 0).is_err());
        // Bad factor, repeated factor, zero step.
        let mut s = steps.clone();
        s[0].0 = 2;
        assert!(morris(&y, 2, &s, 10, 0).is_err());
        let mut s = steps.clone();
        s[1].0 = s[0].0;
        assert!(morris(&y, 2, &s, 10, 0).is_err());
        let mut s = steps.clone();
        s[3].1 = 0.0;
        assert!(morris(&y, 2, &s, 10, 0).is_err());
        // No factors, no resamples, non-finite outputs.
        assert!(morris(&y, 0, &[], 10, 0).is_err());
        assert!(morris(&y, 2, &steps, 0, 0).is_err());
        let mut bad = y.clone();
        bad[4] = f64::INFINITY;
        assert!(morris(&bad, 2, &steps, 10, 0).is_err());
    }

    #[test]
    fn small_samples_warn() {
        let n = 100;
        let y = saltelli(ishigami, 3, n, 4);
        let ix = sobol(&y, 3, 200, 4).unwrap();
        let w = sobol_warning(n, &ix).expect("N = 100 warns");
        assert!(w.contains("100 base samples"), "{w}");
        assert!(w.contains("wider than"), "{w}");

        let est = |value, half| Estimate {
            value,
            lo: value - half,
            hi: value + half,
        };
        let ok = SobolIndex {
            first: est(0.5, 0.01),
            total: est(0.6, 0.01),
        };
        assert_eq!(sobol_warning(1000, &[ok]), None);
        let wide = SobolIndex {
            total: est(0.6, 0.15),
            ..ok
        };
        assert!(sobol_warning(1000, &[ok, wide]).unwrap().contains("ST_1"));
        assert!(
            sobol_warning(1000, &[ok, ok, ok])
                .unwrap()
                .contains("sum to 1.500")
        );
        let negative = SobolIndex {
            first: est(-0.08, 0.01),
            ..ok
        };
        assert!(
            sobol_warning(1000, &[negative])
                .unwrap()
                .contains("S_0 = -0.080")
        );

        assert!(morris_warning(9).unwrap().contains("9 trajectories"));
        assert_eq!(morris_warning(10), None);
    }

    #[test]
    fn same_seed_gives_identical_intervals() {
        let y = saltelli(ishigami, 3, 1_000, 7);
        let a = sobol(&y, 3, 200, 42).unwrap();
        assert_eq!(a, sobol(&y, 3, 200, 42).unwrap());
        let b = sobol(&y, 3, 200, 43).unwrap();
        assert_ne!(a, b);
        for (a, b) in a.iter().zip(&b) {
            assert_eq!(a.first.value, b.first.value);
            assert_eq!(a.total.value, b.total.value);
        }

        let (y, steps) = trajectories(ishigami, 3, 30, (7, 4), 7);
        let a = morris(&y, 3, &steps, 200, 42).unwrap();
        assert_eq!(a, morris(&y, 3, &steps, 200, 42).unwrap());
        assert_ne!(a, morris(&y, 3, &steps, 200, 43).unwrap());
    }

    #[test]
    fn estimates_round_trip_through_serde_derives() {
        fn assert_serde<T: serde::Serialize + serde::de::DeserializeOwned>() {}
        assert_serde::<Estimate>();
        assert_serde::<SobolIndex>();
        assert_serde::<MorrisIndex>();
    }
}
