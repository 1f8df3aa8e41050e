//! The pure formulas of the model (docs/model.md), kept apart from the ECS systems.
//!
//! Every function here is a plain computation on numbers and slices: no `World`, no RNG, no
//! allocation (inputs are slices, outputs are written into `&mut [f64]`, scratch space lives on
//! the stack). The systems in `model::phases` gather state, call these, and write the results
//! back, so that each mechanism of the model can be read, and unit-tested against its closed
//! form, in one place. Each function names the model it comes from.
//!
//! # Conventions
//!
//! * Positions on an issue are on the 0–100 scale; utilities, probabilities, shares and trust are
//!   on 0–1. An issue vector (`ideal`, `salience`, an offer `y`) has one entry per issue, in the
//!   scenario's issue order; all the slices passed to one call have the same length.
//! * Out-of-range inputs are clamped where the function says so, and every division is guarded:
//!   for valid (finite) input no function returns NaN. Each doc comment says what is returned
//!   when a denominator is zero.
//!
//! # Determinism (docs/model.md §9)
//!
//! Every transcendental function goes through the [`libm`] crate (`libm::exp`, `libm::pow`,
//! `libm::log`), a portable software implementation, so that results are bit-identical on every
//! platform. Never call `f64::exp`, `f64::powf`, `f64::ln` and friends here or in the systems:
//! they may lower to the platform's own libm, whose last bits differ between systems. Only the
//! IEEE-exact operations (+ − × ÷, `abs`, `sqrt`, `min`/`max`/`clamp`) are used directly.

/// The width of the issue scale: positions run from 0 to `POSITION_SCALE`.
pub const POSITION_SCALE: f64 = 100.0;

/// The largest per-round discount factor [`deal_value`] uses; larger values are clamped to it so
/// that `1 / (1 − δ)` stays finite (at most 10⁶ rounds' worth of flow).
pub const MAX_DISCOUNT: f64 = 0.999_999;

/// Clamps `x` to [0, 1] (NaN passes through, so a bug upstream stays visible).
pub fn clamp01(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}

/// The probability that an event of per-week probability `p` happens within `dt` weeks:
/// 1 − (1 − p)^dt.
///
/// Model: the calendar convention of docs/model.md §1 ("Time"): every hazard is a constant rate
/// λ = −ln(1 − p) per week, so P(event in Δt) = 1 − e^(−λ·Δt). A round that covers two weeks
/// carries the chance of two one-week rounds, and outcome shares do not grow with the number of
/// rounds a fixed calendar is split into.
///
/// Guarantees: result in [0, 1]; exactly `p` (clamped) when `dt` = 1; 0 when `dt` ≤ 0 or p ≤ 0;
/// 1 when p ≥ 1 and `dt` > 0; rises with both arguments.
pub fn over_weeks(p: f64, dt: f64) -> f64 {
    let p = clamp01(p);
    if dt == 1.0 {
        p
    } else if dt <= 0.0 || p <= 0.0 {
        0.0
    } else {
        clamp01(1.0 - libm::pow(1.0 - p, dt))
    }
}

/// The logistic function σ(x) = 1 / (1 + e^(−x)).
///
/// Model: the logit choice rule used by every probabilistic decision of the model (acceptance,
/// approval, escalation).
///
/// Guarantees: result in [0, 1], with σ(−x) = 1 − σ(x) up to rounding. Stable for large |x|: the
/// exponential is only ever taken of a non-positive number, so it never overflows; σ(±∞) = 1 or
/// 0 exactly.
pub fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + libm::exp(-x))
    } else {
        let e = libm::exp(x);
        e / (1.0 + e)
    }
}

/// The risk exponent γ = 2^(−ρ) of an actor with risk attitude ρ.
///
/// Model: Bueno de Mesquita's expected-utility model of policy choice, in which the curvature of
/// the loss in distance, 0.5 ≤ γ ≤ 2, encodes risk attitude (docs/model.md §1): ρ = −1 gives γ = 2
/// (risk-averse, losses grow quadratically), ρ = 0 gives γ = 1 (neutral), ρ = +1 gives γ = 0.5
/// (risk-acceptant).
///
/// Guarantees: ρ is clamped to [−1, 1], so γ ∈ [0.5, 2].
pub fn risk_exponent(rho: f64) -> f64 {
    libm::pow(2.0, -rho.clamp(-1.0, 1.0))
}

/// Normalised saliences ŝ_d = s_d / Σ_e s_e, written into `out`.
///
/// Model: the salience weights of the spatial utility (docs/model.md §1; Bueno de Mesquita's
/// salience).
///
/// Guarantees: negative raw saliences count as 0; `out` is non-negative and sums to 1 (up to
/// rounding). If every raw salience is 0 the actor cares equally about every issue: `out` is
/// uniform, 1/n each. An empty input leaves `out` empty.
///
/// # Panics
///
/// If `raw` and `out` differ in length.
pub fn normalise_salience(raw: &[f64], out: &mut [f64]) {
    assert_eq!(raw.len(), out.len(), "one salience per issue");
    let total: f64 = raw.iter().map(|s| s.max(0.0)).sum();
    if total > 0.0 {
        for (o, s) in out.iter_mut().zip(raw) {
            *o = s.max(0.0) / total;
        }
    } else {
        let uniform = 1.0 / out.len() as f64;
        out.fill(uniform);
    }
}

/// An actor's utility for the point `y`: U(y) = 1 − Σ_d ŝ_d · (|y_d − x_d| / 100)^γ.
///
/// Model: spatial (weighted-distance) utility over the issue space, with Bueno de Mesquita's
/// risk exponent γ (docs/model.md §1). `ideal` is x, `sal_norm` the normalised saliences ŝ (see
/// [`normalise_salience`]), `gamma` the risk exponent (see [`risk_exponent`]).
///
/// Guarantees: U(ideal) = 1, and U = 0 where y is 100 points from the ideal on every issue with
/// positive salience. Each distance is capped at the width of the scale, and the result is clamped to [0, 1], so
/// positions slightly outside 0–100 or saliences that do not quite sum to 1 cannot leave that
/// range. A zero distance contributes 0 whatever γ (`0^γ` is never evaluated). `gamma` must be
/// positive.
pub fn utility(ideal: &[f64], sal_norm: &[f64], gamma: f64, y: &[f64]) -> f64 {
    debug_assert_eq!(ideal.len(), y.len(), "one ideal coordinate per issue");
    debug_assert_eq!(sal_norm.len(), y.len(), "one salience per issue");
    let mut loss = 0.0;
    for ((&x, &s), &yd) in ideal.iter().zip(sal_norm).zip(y) {
        loss += s * distance_loss(yd - x, gamma);
    }
    clamp01(1.0 - loss)
}

/// (|gap| / 100)^γ, with the relative distance capped at 1 and 0 for a zero gap.
fn distance_loss(gap: f64, gamma: f64) -> f64 {
    let t = (gap.abs() / POSITION_SCALE).min(1.0);
    if t == 0.0 { 0.0 } else { power(t, gamma) }
}

/// t^γ for t in (0, 1]: exact shortcuts for γ = 1, 2 and 1/2, else `exp(γ·ln t)`, which is
/// several times cheaper than a correctly rounded `pow` and within a few ulps of it. This is the
/// hot spot of a run (every utility evaluation); it goes through `libm` like everything else.
#[inline]
pub fn power(t: f64, gamma: f64) -> f64 {
    if gamma == 1.0 {
        t
    } else if gamma == 2.0 {
        t * t
    } else if gamma == 0.5 {
        libm::sqrt(t)
    } else {
        libm::exp(gamma * libm::log(t))
    }
}

/// A side's mandate on one issue under the `Mean` rule:
/// m = (w_L·x_L + Σ_f w_f·x_f) / (w_L + Σ_f w_f), with w_L = ω·Σ_f w_f.
///
/// Model: Putnam (1988) two-level games, the domestic level (docs/model.md §2). `members`
/// holds one `(position, weight)` pair per faction, with the faction weight on this issue
/// w_f = c_f · s_f,d (influence times salience) computed by the caller; the leader, at
/// `leader_pos`, weighs `leader_weight_omega` (ω) times the factions together, so ω = 1 gives
/// the leader half the say.
///
/// Guarantees: the result lies between the smallest and the largest position involved.
/// Negative weights and a negative ω count as 0. If every faction weight is 0 (or there are no
/// factions) the denominator is 0 and the leader's position is returned.
pub fn mandate_mean(leader_pos: f64, leader_weight_omega: f64, members: &[(f64, f64)]) -> f64 {
    let omega = leader_weight_omega.max(0.0);
    let (mut total_w, mut weighted_pos) = (0.0, 0.0);
    for &(x, w) in members {
        let w = w.max(0.0);
        total_w += w;
        weighted_pos += w * x;
    }
    if total_w <= 0.0 {
        return leader_pos;
    }
    let w_leader = omega * total_w;
    (w_leader * leader_pos + weighted_pos) / (w_leader + total_w)
}

/// The lower weighted median of `(value, weight)` pairs; sorts `pairs` by value in place.
///
/// Model: the `Median` mandate rule (docs/model.md §2) — Black's median voter, weighted by
/// influence; see [`mandate_median`] for the version that includes the leader.
///
/// Tie rule: the result is the smallest value v such that the weight of all pairs with value
/// ≤ v reaches half the total weight (a cumulative weight within 10⁻¹² of half the total, in
/// relative terms, counts as reaching it, so a tie is not decided by rounding). When the half is
/// reached exactly at v, v is returned, not the mean of v and the next value: with two equally
/// weighted values, the lower one.
///
/// Guarantees: the result is one of the values with positive weight. Negative weights count as
/// 0. Returns `None` if `pairs` is empty or every weight is 0.
pub fn weighted_median(pairs: &mut [(f64, f64)]) -> Option<f64> {
    sort_pairs(pairs);
    let total: f64 = pairs.iter().map(|&(_, w)| w.max(0.0)).sum();
    if total <= 0.0 {
        return None;
    }
    median_walk(pairs, None, total)
}

/// A side's mandate on one issue under the `Median` rule: the lower weighted median (see
/// [`weighted_median`] for the tie rule) of the factions' positions and the leader's, the leader
/// weighing w_L = ω·Σ_f w_f. Sorts `members` by position in place.
///
/// Model: Putnam (1988) two-level games with a median-voter aggregation (docs/model.md §2);
/// weights as in [`mandate_mean`].
///
/// Guarantees: the result is the leader's position or a faction's position. Negative weights and
/// a negative ω count as 0. If every faction weight is 0 the leader's position is returned.
pub fn mandate_median(
    leader_pos: f64,
    leader_weight_omega: f64,
    members: &mut [(f64, f64)],
) -> f64 {
    sort_pairs(members);
    let total_f: f64 = members.iter().map(|&(_, w)| w.max(0.0)).sum();
    if total_f <= 0.0 {
        return leader_pos;
    }
    let w_leader = leader_weight_omega.max(0.0) * total_f;
    median_walk(members, Some((leader_pos, w_leader)), total_f + w_leader).unwrap_or(leader_pos)
}

/// Sorts by value, then weight, with a total order: the result does not depend on the input
/// order, so the floating-point sums taken along it do not either.
fn sort_pairs(pairs: &mut [(f64, f64)]) {
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
}

/// Walks `sorted` (plus `extra`, merged in at its place) in increasing value and returns the
/// first value at which the cumulative weight reaches half of `total`.
fn median_walk(sorted: &[(f64, f64)], extra: Option<(f64, f64)>, total: f64) -> Option<f64> {
    let half = 0.5 * total * (1.0 - 1e-12);
    let mut cum = 0.0;
    let mut extra = extra.filter(|&(_, w)| w > 0.0);
    let mut last = None;
    for &(x, w) in sorted {
        if let Some((xe, we)) = extra
            && xe < x
        {
            cum += we;
            last = Some(xe);
            extra = None;
            if cum >= half {
                return Some(xe);
            }
        }
        let w = w.max(0.0);
        if w == 0.0 {
            continue;
        }
        cum += w;
        last = Some(x);
        if cum >= half {
            return Some(x);
        }
    }
    if let Some((xe, _)) = extra {
        return Some(xe);
    }
    last
}

/// Whether a side ratifies a deal: the influence-weighted share of its members who prefer the
/// deal to no deal reaches `quota`.
///
/// Model: the win-set of Putnam (1988) two-level games (docs/model.md §2). `member_prefers`
/// holds one `(prefers, weight)` pair per member, `prefers` being U(y) ≥ U(no deal); the veto
/// players' separate test (each must prefer the deal) is not part of this function.
///
/// Guarantees: negative weights count as 0. If the total weight is 0 nobody can ratify and the
/// result is `false`, whatever the quota.
pub fn ratifies(member_prefers: &[(bool, f64)], quota: f64) -> bool {
    let (mut yes, mut total) = (0.0, 0.0);
    for &(prefers, w) in member_prefers {
        let w = w.max(0.0);
        total += w;
        if prefers {
            yes += w;
        }
    }
    total > 0.0 && yes >= quota * total
}

/// The arithmetic mean of `xs`; 0 for an empty slice.
///
/// Model: the mean statement m̄_t of a side in the signalling phase (docs/model.md §7).
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// The population standard deviation of `xs`: sqrt(Σ (x − x̄)² / n); 0 for an empty slice.
///
/// Model: the spread sd(M_t) of a side's statements in the signalling phase (docs/model.md
/// §7). Two passes over the deviations from the first value, so the result is never
/// negative and is exactly 0 when all values are equal.
pub fn std_dev(xs: &[f64]) -> f64 {
    let Some(&origin) = xs.first() else {
        return 0.0;
    };
    // Deviations from the first value: exact zeros when all values are equal.
    let n = xs.len() as f64;
    let shift = xs.iter().map(|x| x - origin).sum::<f64>() / n;
    let ss: f64 = xs
        .iter()
        .map(|x| (x - origin - shift) * (x - origin - shift))
        .sum();
    (ss / n).sqrt()
}

/// A side's consistency this round:
/// clamp₀₁(1 − [ν1·|m̄_t − m̄_{t−1}|/100 + ν2·sd/50 + ν3·reversal]).
///
/// Model: costly signalling and credibility (docs/model.md §7): a side whose members'
/// statements shift between rounds, spread within a round, or reverse themselves sends a less
/// credible signal. `mean_now` and `mean_prev` are the mean statements (0–100) this round and
/// last, `spread_sd` their standard deviation this round (see [`std_dev`]; 50 is the largest sd
/// possible on the scale), `reversal` the degree of reversal in [0, 1] (1: a member contradicted
/// its own last statement).
///
/// Guarantees: result in [0, 1]; 1 for a side that says the same thing, with one voice, as last
/// round.
pub fn consistency(
    mean_now: f64,
    mean_prev: f64,
    spread_sd: f64,
    reversal: f64,
    nu1: f64,
    nu2: f64,
    nu3: f64,
) -> f64 {
    let shift = (mean_now - mean_prev).abs() / POSITION_SCALE;
    let spread = spread_sd.abs() / (0.5 * POSITION_SCALE);
    clamp01(1.0 - (nu1 * shift + nu2 * spread + nu3 * reversal))
}

/// Zeuthen's risk limit of a side k facing the other side j:
/// Risk_k = (U_k(y_k) − U_k(y_j)) / (U_k(y_k) − d_k).
///
/// Model: Zeuthen (1930) concession, as formalised by Harsanyi (1956): the largest probability
/// of conflict that k would accept rather than accept j's offer. The side with the lower risk
/// concedes (see [`zeuthen_concessions`]); this process leads to the Nash (1950) bargaining
/// solution, since Risk_1 ≤ Risk_2 exactly when the Nash product at y_1 is at most the Nash
/// product at y_2.
///
/// Arguments: `u_own_offer` = U_k(y_k), `u_other_offer` = U_k(y_j), `d` = d_k, k's no-deal value.
///
/// Guarantees: result in [0, 1]. The edge cases follow the meaning of the risk limit:
/// * U_k(y_j) ≥ U_k(y_k): j's offer is at least as good for k as its own, so k risks nothing by
///   moving toward it: 0 (checked first).
/// * otherwise, U_k(y_k) ≤ d_k: k's own offer is already no better than conflict, so conceding
///   further can only be worse than conflict and k would face conflict with certainty rather
///   than concede: 1 (the convention of Harsanyi and of Rosenschein & Zlotkin's monotonic
///   concession protocol; this also covers the zero denominator U_k(y_k) = d_k).
/// * a ratio above 1 (j's offer is worse than conflict for k) is clamped to 1.
pub fn zeuthen_risk(u_own_offer: f64, u_other_offer: f64, d: f64) -> f64 {
    if u_other_offer >= u_own_offer {
        0.0
    } else if u_own_offer <= d {
        1.0
    } else {
        clamp01((u_own_offer - u_other_offer) / (u_own_offer - d))
    }
}

/// Whether a side concedes under Zeuthen's rule against its belief: its own risk is not above
/// the other's risk as it believes it (see [`zeuthen_risk`]), within `tie_tolerance`.
///
/// Model: Zeuthen (1930) / Harsanyi (1956) concession with private resolve (docs/model.md §4).
/// Both sides may hold when each believes the other the weaker.
pub fn zeuthen_concedes(own_risk: f64, believed_other_risk: f64, tie_tolerance: f64) -> bool {
    own_risk <= believed_other_risk + tie_tolerance.max(0.0)
}

/// Which sides concede under Zeuthen's rule with complete information: the side with the lower
/// risk, or both when the risks are within `tie_tolerance` of each other ([`zeuthen_concedes`]
/// with each side's belief equal to the other's true risk).
///
/// Model: Zeuthen (1930) / Harsanyi (1956) concession (docs/model.md §4).
///
/// Guarantees: at least one side concedes. Returns `[a concedes, b concedes]`.
pub fn zeuthen_concessions(risk_a: f64, risk_b: f64, tie_tolerance: f64) -> [bool; 2] {
    [
        zeuthen_concedes(risk_a, risk_b, tie_tolerance),
        zeuthen_concedes(risk_b, risk_a, tie_tolerance),
    ]
}

/// How fast a side's Zeuthen risk rises with its no-deal value: ∂r/∂d for
/// r = (U_k(y_k) − U_k(y_j)) / (U_k(y_k) − d), that is r / (U_k(y_k) − d) where 0 < r < 1, and 0
/// where [`zeuthen_risk`] is at a corner (0 or 1), which a small change of d does not move.
///
/// Guarantees: finite and ≥ 0.
pub fn zeuthen_risk_slope(u_own_offer: f64, u_other_offer: f64, d: f64) -> f64 {
    let r = zeuthen_risk(u_own_offer, u_other_offer, d);
    if r <= 0.0 || r >= 1.0 {
        0.0
    } else {
        r / (u_own_offer - d)
    }
}

/// Standard normal density φ(z).
pub fn normal_pdf(z: f64) -> f64 {
    const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
    INV_SQRT_2PI * libm::exp(-0.5 * z * z)
}

/// Standard normal distribution function Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// The inverse Mills ratio φ(z)/Φ(z), computed without underflow far in the lower tail (where
/// it tends to −z).
///
/// Guarantees: finite and > 0 for every finite z; ≥ −z.
pub fn inverse_mills(z: f64) -> f64 {
    if z < -30.0 {
        // Φ(z) = φ(z)/(−z) · (1 − 1/z² + 3/z⁴ − …) (Abramowitz & Stegun 26.2.12).
        let z2 = z * z;
        -z / (1.0 - 1.0 / z2 + 3.0 / (z2 * z2))
    } else {
        normal_pdf(z) / normal_cdf(z)
    }
}

/// A normal belief N(m, s²) about an unknown x after observing an event of probability
/// Φ((a + b·x)/σ): the moments of the exact posterior (assumed-density filtering with a probit
/// likelihood; Minka 2001, Bishop 2006 §4.5):
///
/// ```text
/// z  = (a + b·m) / √(σ² + b²s²),   λ = φ(z)/Φ(z)
/// m' = m + λ · b·s² / √(σ² + b²s²)
/// s'² = s² − λ·(λ + z) · b²s⁴ / (σ² + b²s²)
/// ```
///
/// Here x is the other side's resolve and the event is its concession or its holding firm
/// (docs/model.md §4): `a_plus_bm` is the event's margin at the current mean, `b` how the
/// margin moves with x, `noise` σ the observer's uncertainty about the comparison the other
/// side made. Returns `(m', s')`.
///
/// Guarantees: with `s` = 0 or `b` = 0 the belief is unchanged; s' ∈ [0, s]; finite for finite
/// inputs with σ > 0 or b·s > 0. An unlikely event moves the mean further than a likely one.
pub fn probit_update(mean: f64, sd: f64, a_plus_bm: f64, b: f64, noise: f64) -> (f64, f64) {
    let var = sd * sd;
    let spread2 = noise * noise + b * b * var;
    if b == 0.0 || var == 0.0 || spread2 <= 0.0 {
        return (mean, sd);
    }
    let spread = spread2.sqrt();
    let z = a_plus_bm / spread;
    let lambda = inverse_mills(z);
    let mean = mean + lambda * b * var / spread;
    let shrink = (lambda * (lambda + z)).clamp(0.0, 1.0) * b * b * var / spread2;
    (mean, sd * (1.0 - shrink).max(0.0).sqrt())
}

/// A side's concession speed μ_k = μ0 · (1 + deadline pressure) · (0.5 + trust in the other).
///
/// Model: Zeuthen–Harsanyi concession with deadline effects (docs/model.md §4): a side
/// concedes faster as a deadline nears and when it trusts the other side to reciprocate.
///
/// Guarantees: trust is clamped to [0, 1] and a negative μ0 or pressure counts as 0; the result
/// is clamped to [0, 1] (it is the share of the gap covered on an issue of zero salience).
pub fn concession_rate(mu0: f64, deadline_pressure: f64, trust: f64) -> f64 {
    clamp01(mu0.max(0.0) * (1.0 + deadline_pressure.max(0.0)) * (0.5 + clamp01(trust)))
}

/// One concession step of side k toward side j's offer, in place:
/// y_k,d += f_d · (y_j,d − y_k,d), with f_d = clamp₀₁(μ · (1 − ŝ_k,d)^η).
///
/// Model: Zeuthen–Harsanyi concession spread over issues (docs/model.md §4): the side moves
/// most on the issues it cares least about (logrolling). `sal_norm` is k's normalised salience,
/// `eta` (η ≥ 0) how strongly the step concentrates on low-salience issues (η = 0: the same
/// share μ on every issue), `mu` the concession rate (see [`concession_rate`]).
///
/// Guarantees: each coordinate moves toward j's offer by at most the whole gap (the factor is
/// clamped to [0, 1]), so a step never overshoots. Note that an issue carrying all of k's
/// salience (ŝ = 1) never moves when η > 0. The win-set boundary is not checked here.
///
/// # Panics
///
/// If the three slices differ in length.
pub fn concession_step(own: &mut [f64], other: &[f64], sal_norm: &[f64], eta: f64, mu: f64) {
    assert_eq!(own.len(), other.len(), "one coordinate per issue");
    assert_eq!(own.len(), sal_norm.len(), "one salience per issue");
    let eta = eta.max(0.0);
    for ((y, &target), &s) in own.iter_mut().zip(other).zip(sal_norm) {
        let factor = clamp01(mu * libm::pow(clamp01(1.0 - s), eta));
        *y += factor * (target - *y);
    }
}

/// One party to a Nash bargaining problem: its spatial utility (see [`utility`]), its no-deal
/// value and its bargaining power.
#[derive(Clone, Copy, Debug)]
pub struct Bargainer<'a> {
    /// Ideal point x, one position (0–100) per issue.
    pub ideal: &'a [f64],
    /// Normalised saliences ŝ, one per issue, summing to 1.
    pub salience: &'a [f64],
    /// Risk exponent γ > 0 (see [`risk_exponent`]).
    pub gamma: f64,
    /// No-deal (disagreement) value d.
    pub disagreement: f64,
    /// Bargaining power α ≥ 0, the exponent of this party's gain in the Nash product.
    pub power: f64,
}

impl Bargainer<'_> {
    /// This party's utility for the point `y` (see [`utility`]).
    pub fn utility(&self, y: &[f64]) -> f64 {
        utility(self.ideal, self.salience, self.gamma, y)
    }
}

/// The asymmetric Nash product Π_k (U_k(y) − d_k)^α_k of two parties at the point `y`.
///
/// Model: Nash (1950) bargaining, generalised to bargaining powers α_k (Kalai 1977; Roth 1979).
///
/// Guarantees: positive when both parties gain over no deal (U_k(y) > d_k); 0 when either does
/// not (the point is outside the bargaining set). Negative powers count as 0.
pub fn nash_product(a: &Bargainer<'_>, b: &Bargainer<'_>, y: &[f64]) -> f64 {
    let gain_a = a.utility(y) - a.disagreement;
    let gain_b = b.utility(y) - b.disagreement;
    if gain_a > 0.0 && gain_b > 0.0 {
        libm::pow(gain_a, a.power.max(0.0)) * libm::pow(gain_b, b.power.max(0.0))
    } else {
        0.0
    }
}

/// Bargaining powers of two parties from their impatience `r_k = −ln δ_k` (per round):
/// `α_k ∝ 1/r_k`, scaled to sum to 2 (so equal patience gives the symmetric Nash solution).
///
/// Model: the limit of Rubinstein's (1982) alternating offers as the time between offers
/// shrinks is the asymmetric Nash solution with powers `1/r_k` (Binmore, Rubinstein and
/// Wolinsky 1986): the more patient party gets more.
///
/// Guarantees: powers are finite, non-negative and sum to 2; a party with zero impatience
/// against a positive one gets all the power, an infinitely impatient one none against a
/// finite one; two alike at either extreme get 1 each.
pub fn patience_powers(r_a: f64, r_b: f64) -> [f64; 2] {
    // Patience w = 1/r: infinite for a party that does not discount, 0 for an infinitely
    // impatient one (and for NaN, which counts as infinitely impatient).
    let patience = |r: f64| {
        if r > 0.0 {
            1.0 / r
        } else if r.is_nan() {
            0.0
        } else {
            f64::INFINITY
        }
    };
    let (wa, wb) = (patience(r_a), patience(r_b));
    match (wa.is_infinite(), wb.is_infinite()) {
        (true, false) => [2.0, 0.0],
        (false, true) => [0.0, 2.0],
        _ if wa + wb > 0.0 && (wa + wb).is_finite() => [2.0 * wa / (wa + wb), 2.0 * wb / (wa + wb)],
        _ => [1.0, 1.0],
    }
}

/// Below this gain (utility units), the search objective of [`nash_point`] replaces ln by its
/// Taylor extension.
const NASH_EPS: f64 = 1e-9;
/// Most issues for the grid stage of [`nash_point`] (its tables live on the stack).
const NASH_GRID_ISSUES: usize = 8;
/// Grid intervals per issue in the grid stage of [`nash_point`].
const NASH_GRID_POINTS: usize = 24;
/// Bins of party a's total loss in the grid stage of [`nash_point`] (at most 256: indices are
/// stored as `u8`).
const NASH_GRID_BINS: usize = 256;
/// Intervals of the coarse grid scanned on each coordinate line before Brent's search.
const NASH_LINE_GRID: usize = 8;
/// Brent's line search stops when the maximiser is known to within this many points.
const NASH_LINE_TOL: f64 = 1e-5;
/// Most evaluations of one Brent line search (it needs about ten on a smooth line; golden-section
/// steps alone would reach [`NASH_LINE_TOL`] on a 100-point bracket in 34).
const NASH_LINE_ITERS: usize = 60;
/// Most sweeps of coordinate ascent over all issues.
const NASH_MAX_SWEEPS: usize = 200;
/// A sweep that moves no coordinate by more than this (points) ends coordinate ascent.
const NASH_TOL: f64 = 1e-4;

/// The asymmetric Nash bargaining point of two parties, argmax_y Π_k (U_k(y) − d_k)^α_k, over
/// the box spanned by `corner_1` and `corner_2` (on each issue, from the smaller to the larger
/// coordinate; pass the two offers, or the low and high corners of any box). Writes the point
/// into `out` and returns the Nash product there.
///
/// Model: Nash (1950) bargaining solution with bargaining powers α_k (Kalai 1977), the point a
/// mediator proposes between two offers (docs/model.md §5); also the limit of Zeuthen–Harsanyi
/// concession (see [`zeuthen_risk`]).
///
/// Method (deterministic: no randomness, fixed grids, a fixed rule to stop). The search
/// maximises Φ(y) = Σ_k α_k·φ(U_k(y) − d_k), where φ = ln above a tiny ε = 10⁻⁹ and its
/// second-order Taylor extension below it: concave and increasing, so Φ is finite on the whole
/// box and leads the search into the bargaining set from outside it. Two stages:
///
/// 1. *Grid.* Utilities are separable by issue, so the pair of total losses (L_a, L_b) is a sum
///    of per-issue pairs. On a grid of 24 intervals per issue, a dynamic programme over issues
///    keeps, for each of 256 bins of L_a (over a's feasible range), the grid point with the
///    least L_b, dropping points where either party loses its gain. The best of these and the
///    centre of the box is the start. This finds logrolls (each issue to the side that values it
///    more) that a one-issue-at-a-time search could not reach across a valley of the Nash
///    product when utilities are not concave (γ < 1). Skipped above 8 issues (start: centre).
/// 2. *Refinement.* Cyclic coordinate ascent: each issue in turn is scanned on a grid of 8
///    intervals, then refined by Brent's search (to 10⁻⁵ points) around the best grid point; a
///    move is kept only if it raises Φ. Only the current issue's term of each utility changes
///    along a line, so each evaluation costs two `pow`s. After the first sweep a line is searched
///    again only if a point 10⁻⁴ to either side is better. Sweeps stop when no coordinate moves
///    by more than 10⁻⁴ points, or after 200 sweeps.
///
/// Guarantees: for γ_k ≥ 1 the utilities are concave, so Φ is concave, and its directional
/// derivatives separate by issue, so coordinate ascent reaches the global maximum; the tests
/// check closed forms to 10⁻³ points. For γ < 1 the grid stage picks the basin and the result is
/// the maximum up to the grid's resolution (near-ties between distant points may go either way).
/// When the maximiser is not unique (a flat Nash product, e.g. linear utilities with
/// proportional saliences), the point reached from the start is returned. Returns `None` (and
/// leaves in `out` the best point found) if that point does not give both parties more than
/// their no-deal value — in particular when no point of the box does. Cost: tens of µs for four
/// issues; no allocation.
///
/// # Panics
///
/// If `corner_1`, `corner_2` and `out` differ in length, or the parties' slices are shorter.
pub fn nash_point(
    a: &Bargainer<'_>,
    b: &Bargainer<'_>,
    corner_1: &[f64],
    corner_2: &[f64],
    out: &mut [f64],
) -> Option<f64> {
    assert_eq!(corner_1.len(), out.len(), "one coordinate per issue");
    assert_eq!(corner_2.len(), out.len(), "one coordinate per issue");
    let box_ = Box_ { corner_1, corner_2 };
    for (d, y) in out.iter_mut().enumerate() {
        let (lo, hi) = box_.range(d);
        *y = 0.5 * (lo + hi);
    }
    let from_grid = grid_start(a, b, box_, out);
    coordinate_ascent(a, b, box_, out, from_grid);
    let feasible = a.utility(out) > a.disagreement && b.utility(out) > b.disagreement;
    feasible.then(|| nash_product(a, b, out))
}

/// The search box of [`nash_point`], spanned by two corners.
#[derive(Clone, Copy)]
struct Box_<'a> {
    corner_1: &'a [f64],
    corner_2: &'a [f64],
}

impl Box_<'_> {
    /// The box's range (lo, hi) on issue d.
    fn range(&self, d: usize) -> (f64, f64) {
        let (c1, c2) = (self.corner_1[d], self.corner_2[d]);
        (c1.min(c2), c1.max(c2))
    }
}

/// The search objective Φ of [`nash_point`] for utilities `ua`, `ub`.
fn nash_objective(a: &Bargainer<'_>, b: &Bargainer<'_>, ua: f64, ub: f64) -> f64 {
    a.power.max(0.0) * extended_log(ua - a.disagreement)
        + b.power.max(0.0) * extended_log(ub - b.disagreement)
}

/// ln z for z ≥ ε; below ε, the second-order Taylor expansion of ln at ε, which is concave,
/// increasing for z < 2ε, finite everywhere, and above ln on (0, ε).
fn extended_log(z: f64) -> f64 {
    if z >= NASH_EPS {
        libm::log(z)
    } else {
        let u = (z - NASH_EPS) / NASH_EPS;
        libm::log(NASH_EPS) + u - 0.5 * u * u
    }
}

/// (ŝ_a,d·loss_a, ŝ_b,d·loss_b): what each party loses on issue d at position t.
fn issue_losses(a: &Bargainer<'_>, b: &Bargainer<'_>, d: usize, t: f64) -> (f64, f64) {
    (
        a.salience[d] * distance_loss(t - a.ideal[d], a.gamma),
        b.salience[d] * distance_loss(t - b.ideal[d], b.gamma),
    )
}

/// Stage 1 of [`nash_point`]: moves `out` (the box's centre) to the best point of the grid, if
/// that is better; whether it did. A dynamic programme over issues on the pairs of total losses (L_a, L_b): after
/// issue d, `best[bin]` holds the partial sums with the least L_b among the grid choices whose
/// L_a falls in that bin, and `choice`/`from` record how to get there.
fn grid_start(a: &Bargainer<'_>, b: &Bargainer<'_>, box_: Box_<'_>, out: &mut [f64]) -> bool {
    const EMPTY: (f64, f64) = (f64::INFINITY, f64::INFINITY);
    let n = out.len();
    let (max_a, max_b) = (1.0 - a.disagreement, 1.0 - b.disagreement);
    if n == 0 || n > NASH_GRID_ISSUES || max_a <= 0.0 || max_b <= 0.0 {
        return false;
    }
    let point = |d: usize, j: usize| {
        let (lo, hi) = box_.range(d);
        lo + (hi - lo) * j as f64 / NASH_GRID_POINTS as f64
    };
    let bins_per_loss = NASH_GRID_BINS as f64 / max_a;
    let mut best = [EMPTY; NASH_GRID_BINS];
    best[0] = (0.0, 0.0);
    let mut choice = [[0u8; NASH_GRID_BINS]; NASH_GRID_ISSUES];
    let mut from = [[0u8; NASH_GRID_BINS]; NASH_GRID_ISSUES];
    for d in 0..n {
        let mut losses = [(0.0, 0.0); NASH_GRID_POINTS + 1];
        for (j, l) in losses.iter_mut().enumerate() {
            *l = issue_losses(a, b, d, point(d, j));
        }
        let mut next = [EMPTY; NASH_GRID_BINS];
        for (bin, &(sum_a, sum_b)) in best.iter().enumerate() {
            if sum_a == f64::INFINITY {
                continue;
            }
            for (j, &(la, lb)) in losses.iter().enumerate() {
                let (la, lb) = (sum_a + la, sum_b + lb);
                // Losses only grow over issues: a partial sum past a no-deal value stays past it.
                if la >= max_a || lb >= max_b {
                    continue;
                }
                let to = ((la * bins_per_loss) as usize).min(NASH_GRID_BINS - 1);
                if lb < next[to].1 {
                    next[to] = (la, lb);
                    (choice[d][to], from[d][to]) = (j as u8, bin as u8);
                }
            }
        }
        best = next;
    }
    let mut start = None;
    let mut start_value = nash_objective(a, b, a.utility(out), b.utility(out));
    for (bin, &(la, lb)) in best.iter().enumerate() {
        if la == f64::INFINITY {
            continue;
        }
        let value = nash_objective(a, b, 1.0 - la, 1.0 - lb);
        if value > start_value {
            (start, start_value) = (Some(bin), value);
        }
    }
    let Some(mut bin) = start else { return false };
    for d in (0..n).rev() {
        out[d] = point(d, usize::from(choice[d][bin]));
        bin = usize::from(from[d][bin]);
    }
    true
}

/// Stage 2 of [`nash_point`]: cyclic coordinate ascent on Φ from `out`, within the box. The
/// first sweep searches each whole line — or, from a grid start (`from_grid`), two grid cells
/// either side of it, and the whole line only if the best point found is on that bracket's
/// edge; later sweeps first test the points [`NASH_TOL`] to either side of the current one and
/// search the line again only if one of them is better (on a concave line, the maximiser is then
/// within [`NASH_TOL`] already).
fn coordinate_ascent(
    a: &Bargainer<'_>,
    b: &Bargainer<'_>,
    box_: Box_<'_>,
    out: &mut [f64],
    from_grid: bool,
) {
    for sweep in 0..NASH_MAX_SWEEPS {
        let mut largest_move: f64 = 0.0;
        for d in 0..out.len() {
            let (lo, hi) = box_.range(d);
            // Along issue d: U_k(t) = U_k(y) + loss_k,d(y_d) − loss_k,d(t).
            let (now_a, now_b) = issue_losses(a, b, d, out[d]);
            let (rest_a, rest_b) = (a.utility(out) + now_a, b.utility(out) + now_b);
            let along = |t: f64| {
                let (la, lb) = issue_losses(a, b, d, t);
                nash_objective(a, b, rest_a - la, rest_b - lb)
            };
            if sweep > 0 {
                let here = along(out[d]);
                let left = (out[d] - NASH_TOL).max(lo);
                let right = (out[d] + NASH_TOL).min(hi);
                if along(left) <= here && along(right) <= here {
                    continue;
                }
            }
            let t = if sweep == 0 && from_grid {
                // The grid stage's start is within a grid cell or two of the line's maximum
                // in its basin: search two cells either side, and the whole line only if the
                // maximum found lies on that bracket's edge.
                let cell = (hi - lo) / NASH_GRID_POINTS as f64;
                let (left, right) = ((out[d] - 2.0 * cell).max(lo), (out[d] + 2.0 * cell).min(hi));
                let (t, v) = brent_max(&along, left, right);
                let inside =
                    (t - left > NASH_TOL || left == lo) && (right - t > NASH_TOL || right == hi);
                if inside {
                    if v > along(out[d]) { t } else { out[d] }
                } else {
                    maximise_on_line(along, lo, hi, out[d])
                }
            } else {
                maximise_on_line(along, lo, hi, out[d])
            };
            largest_move = largest_move.max((t - out[d]).abs());
            out[d] = t;
        }
        if largest_move <= NASH_TOL {
            break;
        }
    }
}

/// Maximises `f` on [lo, hi]: a grid of `NASH_LINE_GRID` intervals, then Brent's search in the
/// two grid intervals around the best grid point. Returns `current` unless a point with a
/// strictly higher value was found (so coordinate ascent never goes down). Ties between grid
/// points go to the lowest, keeping the result a function of the inputs alone.
fn maximise_on_line(f: impl Fn(f64) -> f64, lo: f64, hi: f64, current: f64) -> f64 {
    let (mut best_t, mut best_f) = (current, f(current));
    let width = hi - lo;
    if width <= 0.0 {
        return if f(lo) > best_f { lo } else { best_t };
    }
    let step = width / NASH_LINE_GRID as f64;
    let (mut grid_i, mut grid_f) = (0, f64::NEG_INFINITY);
    for i in 0..=NASH_LINE_GRID {
        let v = f(lo + step * i as f64);
        if v > grid_f {
            (grid_i, grid_f) = (i, v);
        }
    }
    if grid_f > best_f {
        (best_t, best_f) = (lo + step * grid_i as f64, grid_f);
    }
    let left = lo + step * grid_i.saturating_sub(1) as f64;
    let right = (lo + step * (grid_i + 1) as f64).min(hi);
    let (t, v) = brent_max(&f, left, right);
    if v > best_f { t } else { best_t }
}

/// Brent's method (Brent 1973, ch. 5): the maximum of `f` on [left, right], by parabolic
/// interpolation through the three best points where it is safe and golden-section steps where
/// it is not, to within [`NASH_LINE_TOL`]. Returns (argmax, max). Deterministic; at most
/// [`NASH_LINE_ITERS`] evaluations.
fn brent_max(f: &impl Fn(f64) -> f64, left: f64, right: f64) -> (f64, f64) {
    const CGOLD: f64 = 0.381_966_011_250_105_1; // (3 − √5) / 2
    let (mut a, mut b) = (left, right);
    let mut x = a + CGOLD * (b - a);
    let (mut w, mut v) = (x, x);
    // Minimise g = −f.
    let mut fx = -f(x);
    let (mut fw, mut fv) = (fx, fx);
    let (mut d, mut e): (f64, f64) = (0.0, 0.0);
    let tol1 = NASH_LINE_TOL;
    let tol2 = 2.0 * tol1;
    for _ in 0..NASH_LINE_ITERS {
        let xm = 0.5 * (a + b);
        if (x - xm).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol1 {
            // A parabola through x, w and v.
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            let e_before = e;
            e = d;
            if p.abs() < (0.5 * q * e_before).abs() && p > q * (a - x) && p < q * (b - x) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = tol1.copysign(xm - x);
                }
                golden = false;
            }
        }
        if golden {
            e = if x >= xm { a - x } else { b - x };
            d = CGOLD * e;
        }
        let u = if d.abs() >= tol1 {
            x + d
        } else {
            x + tol1.copysign(d)
        };
        let fu = -f(u);
        if fu <= fx {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            (v, fv, w, fw, x, fx) = (w, fw, x, fx, u, fu);
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                (v, fv, w, fw) = (w, fw, u, fu);
            } else if fu <= fv || v == x || v == w {
                (v, fv) = (u, fu);
            }
        }
    }
    (x, -fx)
}

/// The audience cost of one public commitment, per round:
/// `a_c · strength · ½^(age/t½) · beyond/100`.
///
/// Model: audience costs of backing down from a public commitment (Fearon 1994; Tomz 2007),
/// docs/model.md §4: a leader whose side committed in public to a position pays, for a deal
/// that concedes `beyond` points past it (summed over the committed issues), a cost that grows
/// with the commitment's `strength` and fades with its age (rounds since it was made) at
/// half-life `halflife` (t½). `a_c` is `cost` (utility per 100 points at full strength).
///
/// Guarantees: ≥ 0; 0 when nothing is conceded beyond the commitment; halves every `halflife`
/// rounds; negative inputs count as 0 and a half-life ≤ 0 as no fading.
pub fn audience_cost(cost: f64, strength: f64, age: f64, halflife: f64, beyond: f64) -> f64 {
    let fade = if halflife > 0.0 {
        libm::exp2(-age.max(0.0) / halflife)
    } else {
        1.0
    };
    cost.max(0.0) * strength.max(0.0) * fade * beyond.max(0.0) / POSITION_SCALE
}

/// The value of a deal that may be reneged on:
/// V = −K + u_R/(1 − δ) + (u − u_R)/(1 − δ(1 − h)).
///
/// Model: the commitment problem (Fearon 1995; Powell 2006), docs/model.md §6. The side pays
/// `k_upfront` (K) once, then receives the flow `u` each round while the deal holds and `u_r`
/// (u_R) each round after the other side reneges, which happens with per-round hazard `h`; flows
/// are discounted by `delta` (δ) per round, the first at round 0. This is the closed form of
/// −K + Σ_t δ^t [(1 − h)^t·u + (1 − (1 − h)^t)·u_R].
///
/// Guarantees: `h` is clamped to [0, 1] and δ to [0, [`MAX_DISCOUNT`]], so both denominators are
/// at least 1 − `MAX_DISCOUNT` and the value is finite. V falls as h rises when u > u_R.
pub fn deal_value(k_upfront: f64, u: f64, u_r: f64, delta: f64, h: f64) -> f64 {
    let delta = delta.clamp(0.0, MAX_DISCOUNT);
    let h = clamp01(h);
    -k_upfront + u_r / (1.0 - delta) + (u - u_r) / (1.0 - delta * (1.0 - h))
}

/// The per-round hazard that the other side reneges on a deal:
/// h = 1 − (1 − h_b)(1 − h_a), with
/// h_b = clamp₀₁(h0 · (1 + a_h·(1 − τ)) · (1 − b_h·G/100)) and h_a = q / T_a.
///
/// Model: the commitment problem (Fearon 1995; Powell 2006), docs/model.md §6. The base
/// hazard h0 (`h0`) is multiplied by 1 + a_h·(1 − τ) (`trust_scale`, trust τ = `trust`), so it
/// is h0 at full trust and (1 + a_h)·h0 at none, and cut by the share b_h (`durability_cut`) of
/// the durability issue G (`durability_0_100`) — a fully durable deal (G = 100) removes the share
/// b_h. A change of administration, withdrawing with probability q (`withdrawal_prob`) and due in
/// T_a rounds (`admin_rounds`), is spread as the per-round hazard q / T_a (the same expected
/// number of withdrawals over the term). The two are combined as independent hazards, which
/// equals their sum minus the product (negligible for small hazards) and keeps h a probability.
///
/// Guarantees: result in [0, 1]. τ, q and b_h are clamped to [0, 1], G to [0, 100], h0 and a_h to
/// ≥ 0. If `admin_rounds` ≤ 0 no change of administration is expected and h_a = 0.
pub fn hazard(
    h0: f64,
    trust: f64,
    durability_0_100: f64,
    trust_scale: f64,
    durability_cut: f64,
    withdrawal_prob: f64,
    admin_rounds: f64,
) -> f64 {
    let trust_factor = 1.0 + trust_scale.max(0.0) * (1.0 - clamp01(trust));
    let durability = durability_0_100.clamp(0.0, POSITION_SCALE) / POSITION_SCALE;
    let durability_factor = 1.0 - clamp01(durability_cut) * durability;
    let base = clamp01(h0.max(0.0) * trust_factor * durability_factor);
    let admin = if admin_rounds > 0.0 {
        clamp01(clamp01(withdrawal_prob) / admin_rounds)
    } else {
        0.0
    };
    clamp01(1.0 - (1.0 - base) * (1.0 - admin))
}

/// An actor's no-deal value:
/// d = (1 − P)·U_sq + P·[p̂·U_succ + (1 − p̂)·U_sq − ĉ].
///
/// Model: expected utility of the no-deal path as the actor perceives it (docs/model.md §6):
/// with probability P (`p_esc`) the no-deal path turns military; a strike then succeeds with the
/// actor's perceived probability p̂ (`p_hat`), giving U_succ (`u_strike_success`), or fails,
/// leaving the status quo U_sq (`u_sq`); either way the actor bears its perceived cost ĉ
/// (`c_hat`). Perceived success and cost are the actor's own (Fearon's misperception).
///
/// Guarantees: P and p̂ are clamped to [0, 1]. The result is not clamped: a costly war can push
/// it below 0 (down to min(U_sq, U_succ) − ĉ); at P = 0 it is U_sq.
pub fn no_deal_value(u_sq: f64, u_strike_success: f64, p_esc: f64, p_hat: f64, c_hat: f64) -> f64 {
    let p_esc = clamp01(p_esc);
    let p_hat = clamp01(p_hat);
    let war = p_hat * u_strike_success + (1.0 - p_hat) * u_sq - c_hat;
    (1.0 - p_esc) * u_sq + p_esc * war
}

/// The probability that a side accepts a proposal: σ(κ_a · (V_deal − V_nodeal)).
///
/// Model: logit (quantal-response) choice between the deal and no deal (docs/model.md §6),
/// with values from [`deal_value`] and [`no_deal_value`]; the win-set condition is applied by
/// the caller.
///
/// Guarantees: result in [0, 1]; 0.5 when the two values are equal; κ_a = 0 gives 0.5 always.
pub fn acceptance_probability(kappa: f64, v_deal: f64, v_nodeal: f64) -> f64 {
    logistic(kappa * (v_deal - v_nodeal))
}

/// A patron's approval of its client's strike: `g = σ(κ_g · (v̄ + A − progress))`.
///
/// Model: third-party (patron–client) support in the escalation layer (docs/model.md §8), a
/// decision of the patron side as a whole: `view` is the influence-weighted mean, over its
/// members and its leader (weighted as in its deliberation), of what the strike is worth to each
/// — `p·(U(outcome) − U(sq) + z) − c`, less the leader's own restraint for the leader — so a
/// leader who wants no war restrains its client as its factions' hawks push for it; a lapsed
/// deadline the patron set adds its audience cost `A` (Fearon 1994); progress in its own talks
/// lowers it.
///
/// Guarantees: result in [0, 1]; 0.5 when the pushes balance; increasing in `view` and
/// `audience_cost`, decreasing in `progress` for `κ_g > 0`.
pub fn patron_approval(kappa_g: f64, view: f64, audience_cost: f64, progress: f64) -> f64 {
    logistic(kappa_g * (view + audience_cost - progress))
}

/// A strike's probability of success given the patron's approval g:
/// p = p_alone + g · (p_with − p_alone).
///
/// Model: third-party strike capability with patron support (docs/model.md §8): a linear
/// mix of success with the patron's full support and success alone.
///
/// Guarantees: g is clamped to [0, 1], so the result lies between `success_alone` and
/// `success_with` (it is a probability when they are).
pub fn strike_success(g: f64, success_with: f64, success_alone: f64) -> f64 {
    success_alone + clamp01(g) * (success_with - success_alone)
}

/// The expected cost of striking a protected client: c + ρ · C_response.
///
/// Model: an extended-deterrence commitment (docs/model.md §8, `Protect`): the protector
/// responds with probability ρ (`response_prob`), adding the cost C_response.
///
/// Guarantees: ρ is clamped to [0, 1]; with ρ = 0 the cost is the base cost.
pub fn protected_strike_cost(base_cost: f64, response_prob: f64, response_cost: f64) -> f64 {
    base_cost + clamp01(response_prob) * response_cost
}

/// A protector's answer to a strike on its client, as a quantal choice among diplomatic,
/// material and military support: `P(ℓ) ∝ q_ℓ(c)·e^(λ·u_ℓ)`, with the answer's weight
/// `e = (0, ½, 1)`, its value `u_ℓ = e_ℓ·c·(1 + H) − e_ℓ²·K` and the protector's propensities
/// at commitment c, `q(c) = (1 − c·r, c·(r − m), c·m)`.
///
/// Model: extended deterrence as a decision (Huth 1988; Fearon 1994, credibility rises with
/// the commitment's strength), docs/model.md §8: the more it has committed (`commitment` c) and
/// the more the strike's outcome harms its own preferences (`harm` H ≥ 0), the more an answer is
/// worth; confronting the attacker costs the square of the answer's weight times its war cost
/// `K` (escalation costs rise faster than what it buys). The declared `response` r and
/// `military` m are the propensities at full commitment and indifference (conditional logit
/// with alternative-specific constants, McFadden 1974), so a protector without commitment
/// answers only in words.
///
/// Guarantees: the three probabilities are non-negative and sum to 1; `c = 0` gives
/// `[1, 0, 0]`; the military share rises with c and with H and falls with K; as `λ → ∞` the
/// answer of highest value among those with a positive propensity is chosen. Inputs are
/// clamped to their ranges (c, r in [0, 1], m in [0, r], H, K ≥ 0).
pub fn protector_answer(
    lambda: f64,
    commitment: f64,
    harm: f64,
    cost: f64,
    response: f64,
    military: f64,
) -> [f64; 3] {
    let c = clamp01(commitment);
    let r = clamp01(response);
    let m = military.clamp(0.0, r);
    let (h, k) = (harm.max(0.0), cost.max(0.0));
    let q = [1.0 - c * r, c * (r - m), c * m];
    let e = [0.0, 0.5, 1.0];
    let u: [f64; 3] = std::array::from_fn(|l| lambda * (e[l] * c * (1.0 + h) - e[l] * e[l] * k));
    let top = (0..3)
        .filter(|&l| q[l] > 0.0)
        .map(|l| u[l])
        .fold(f64::NEG_INFINITY, f64::max);
    let w: [f64; 3] = std::array::from_fn(|l| {
        if q[l] > 0.0 {
            q[l] * libm::exp(u[l] - top)
        } else {
            0.0
        }
    });
    let total: f64 = w.iter().sum();
    if total > 0.0 && total.is_finite() {
        w.map(|x| x / total)
    } else {
        [1.0, 0.0, 0.0]
    }
}

/// Fearon's bargaining range: the shares x of the good going to A that both A and B prefer to
/// war, (p − c_A, p + c_B), intersected with [0, 1].
///
/// Model: Fearon (1995), "Rationalist explanations for war": A wins a war with probability p;
/// war costs A c_A and B c_B, so A's war value is p − c_A and B's is 1 − p − c_B. A prefers the
/// split x to war when x > p − c_A, B when 1 − x > 1 − p − c_B, i.e. x < p + c_B. Positive costs
/// make the range non-empty: war is always inefficient.
///
/// Guarantees: p is clamped to [0, 1] and negative costs count as 0, so 0 ≤ lo ≤ p ≤ hi ≤ 1.
/// Both sides strictly prefer every x in the open interval (lo, hi) to war, and are indifferent
/// at an end that is not 0 or 1.
pub fn fearon_range(p: f64, c_a: f64, c_b: f64) -> (f64, f64) {
    let p = clamp01(p);
    (clamp01(p - c_a.max(0.0)), clamp01(p + c_b.max(0.0)))
}

/// The bargaining range when each side has its own estimate of A's chance of winning:
/// (p_A − c_A, p_B + c_B) intersected with [0, 1], or `None` if it is empty.
///
/// Model: Fearon (1995) with private information and misperception (docs/model.md §8): A
/// accepts x only above its own war value p_A − c_A; B accepts only while 1 − x exceeds its war
/// value 1 − p_B − c_B. Mutual optimism (p_A − p_B > c_A + c_B) closes the range.
///
/// Guarantees: the estimates are clamped to [0, 1] and negative costs count as 0; with
/// p_A = p_B this equals [`fearon_range`]. An empty range (lo > hi) gives `None`; a single point
/// (lo = hi) is returned.
pub fn perceived_bargaining_range(
    p_seen_by_a: f64,
    p_seen_by_b: f64,
    c_a: f64,
    c_b: f64,
) -> Option<(f64, f64)> {
    let lo = clamp01(p_seen_by_a) - c_a.max(0.0);
    let hi = clamp01(p_seen_by_b) + c_b.max(0.0);
    (lo <= hi).then(|| (clamp01(lo), clamp01(hi)))
}

/// The value, per week, of striking: `V_strike = p·U(outcome) + (1 − p)·(U(sq) − z) − c`.
///
/// Model: war as a costly lottery (Fearon 1995), docs/model.md §8: the strike succeeds with
/// probability `p` and moves the issues to its outcome, which removes the latent threat `z`
/// (the programme the striker fears); it fails otherwise and leaves the status quo and the
/// threat; either way the striker pays `cost` (its war cost, the protectors' expected answers,
/// defiance of its patron).
///
/// Guarantees: `p` is clamped to [0, 1]; linear in `p`, equal to `U(sq) − z − c` at `p = 0`
/// and `U(outcome) − c` at `p = 1`.
pub fn strike_value(p: f64, u_outcome: f64, u_status_quo: f64, threat: f64, cost: f64) -> f64 {
    let p = clamp01(p);
    p * u_outcome + (1.0 - p) * (u_status_quo - threat) - cost
}

/// The value, per week, of not striking this round:
/// `EU_wait = P̂·V_deal + (1 − P̂)·max(V_no_deal', V_strike')`.
///
/// Model: the option value of waiting in preventive war (Fearon 1995; Powell 2006) and the
/// spoiler's problem (Kydd & Walter 2002), docs/model.md §8: with the chance `p_deal` the talks
/// end in the deal now on the table, worth `v_deal`, and the option to strike is gone; otherwise
/// the striker is back at the next round choosing the better of the no-deal path (`v_no_deal`,
/// the status quo under the threat as it will be by then) and striking then (`v_strike`, at the
/// odds it expects then). A deal the striker likes less than its later strike makes waiting
/// worse as the deal comes near; a closing window or a growing threat lowers both later
/// branches and so makes striking now the better choice.
///
/// Guarantees: `p_deal` is clamped to [0, 1]; equal to `v_deal` at `p_deal = 1` and to
/// `max(v_no_deal, v_strike)` at 0; never above `max(v_deal, v_no_deal, v_strike)`.
pub fn wait_value(p_deal: f64, v_deal: f64, v_no_deal: f64, v_strike: f64) -> f64 {
    let p = clamp01(p_deal);
    p * v_deal + (1.0 - p) * v_no_deal.max(v_strike)
}

/// The chance that an event whose rate is `λ0·e^(λ·x)` per week happens within `dt` weeks:
/// `1 − exp(−λ0 · Δt · e^(λ·x))`.
///
/// Model: the quantal-response hazard of docs/model.md §1 ("Time"): `x` is the annuitised
/// advantage of the event to whoever decides (McKelvey & Palfrey 1995 in continuous time), `λ0`
/// the base rate per week at indifference, `λ` the precision. Rates, not per-round
/// probabilities, so two rounds of one week each carry the same chance as one of two weeks.
///
/// Guarantees: result in [0, 1); 0 when `base_rate`, `dt` or the rate is 0 or negative;
/// increasing in `x` for `λ > 0`; `P(dt₁ + dt₂) = 1 − (1 − P(dt₁))·(1 − P(dt₂))`. Never NaN
/// for finite inputs (the exponent is capped).
pub fn rate_probability(base_rate: f64, lambda: f64, x: f64, dt: f64) -> f64 {
    if base_rate <= 0.0 || dt <= 0.0 {
        return 0.0;
    }
    let rate = base_rate * dt * libm::exp((lambda * x).min(700.0));
    if rate.is_nan() || rate <= 0.0 {
        0.0
    } else {
        -libm::expm1(-rate)
    }
}

/// The Wilson score interval for a binomial proportion: `successes` out of `n` at normal
/// quantile `z` (1.96 for 95 %).
///
/// Model: Wilson (1927), "Probable inference, the law of succession, and statistical inference":
/// the interval of proportions p for which |p̂ − p| ≤ z·sqrt(p(1 − p)/n),
/// (p̂ + z²/2n ± z·sqrt(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n). Used for outcome shares of a batch
/// (docs/architecture.md §7).
///
/// Guarantees: 0 ≤ lo ≤ p̂ ≤ hi ≤ 1, with lo = 0 exactly when there are no successes and hi = 1
/// exactly when all are. `successes` above `n` count as `n`; a negative `z` counts as |z|.
/// With n = 0 nothing is known and the result is (0, 1).
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let s = successes.min(n);
    let nf = n as f64;
    let p = s as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z.abs() * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    let lo = if s == 0 {
        0.0
    } else {
        clamp01(centre - half).min(p)
    };
    let hi = if s == n {
        1.0
    } else {
        clamp01(centre + half).max(p)
    };
    (lo, hi)
}

/// Trust after one round: the posterior probability that the other side is the sincere type.
///
/// Model: Bayesian trust (Kydd 2005; docs/model.md §7). A sincere side sends an inconsistent
/// signal in a round with probability `a`, an insincere one with `b > a`. The observer is not
/// sure what it saw: it reads the round as inconsistent with probability `w` (one minus the
/// other side's consistency), so the update is Jeffrey's rule (Jeffrey 1965) over the two
/// readings:
///
/// ```text
/// ψ' = (1 − w)·ψ(1 − a) / [ψ(1 − a) + (1 − ψ)(1 − b)] + w·ψa / [ψa + (1 − ψ)b]
/// ```
///
/// Guarantees: with `w` = 0 or 1 it is Bayes' rule for a consistent or an inconsistent round;
/// with a = b (the signal says nothing) it returns ψ; a reading whose likelihood is zero under
/// both types leaves ψ unchanged; inputs are clamped to [0, 1], so the result lies in [0, 1].
pub fn trust_posterior(trust: f64, inconsistent: f64, a: f64, b: f64) -> f64 {
    let (t, w, a, b) = (
        clamp01(trust),
        clamp01(inconsistent),
        clamp01(a),
        clamp01(b),
    );
    let bayes = |ls: f64, li: f64| {
        let z = t * ls + (1.0 - t) * li;
        if z > 0.0 { t * ls / z } else { t }
    };
    clamp01((1.0 - w) * bayes(1.0 - a, 1.0 - b) + w * bayes(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_weeks_is_a_constant_rate() {
        // Two one-week chances of 0.1 give 1 − 0.9² = 0.19; half a week gives 1 − √0.9.
        assert_eq!(over_weeks(0.1, 1.0), 0.1);
        assert!((over_weeks(0.1, 2.0) - 0.19).abs() < 1e-15);
        assert!((over_weeks(0.1, 0.5) - (1.0 - 0.9f64.sqrt())).abs() < 1e-15);
        // Splitting a span into pieces leaves the chance of the whole span unchanged.
        let whole = over_weeks(0.07, 3.0);
        let piece = over_weeks(0.07, 0.75);
        assert!((1.0 - (1.0 - piece).powi(4) - whole).abs() < 1e-14);
        assert_eq!(over_weeks(0.3, 0.0), 0.0);
        assert_eq!(over_weeks(0.0, 5.0), 0.0);
        assert_eq!(over_weeks(1.0, 0.2), 1.0);
        assert_eq!(over_weeks(1.5, 2.0), 1.0);
    }

    #[test]
    fn patience_powers_favour_the_more_patient_party() {
        // δ = 0.97 against δ = 0.95: α ∝ 1/−ln δ.
        let (ra, rb) = (-f64::ln(0.97), -f64::ln(0.95));
        let [a, b] = patience_powers(ra, rb);
        let expected_a = 2.0 * (1.0 / ra) / (1.0 / ra + 1.0 / rb);
        assert!((a - expected_a).abs() < 1e-12, "{a} vs {expected_a}");
        assert!((a + b - 2.0).abs() < 1e-12);
        assert!(a > 1.2 && b < 0.8, "{a} {b}");
        assert_eq!(patience_powers(0.1, 0.1), [1.0, 1.0]);
        assert_eq!(patience_powers(0.0, 0.1), [2.0, 0.0]);
        assert_eq!(patience_powers(0.1, 0.0), [0.0, 2.0]);
        assert_eq!(patience_powers(0.0, 0.0), [1.0, 1.0]);
        assert_eq!(patience_powers(f64::INFINITY, 0.2), [0.0, 2.0]);
        assert_eq!(patience_powers(f64::INFINITY, f64::INFINITY), [1.0, 1.0]);
        assert_eq!(patience_powers(f64::NAN, 0.2), [0.0, 2.0]);
    }

    /// Asserts |a − b| ≤ tol, with a message naming both.
    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b} (tolerance {tol})");
    }

    /// A small deterministic generator for "random-looking" fixed cases (xorshift64*).
    struct Cases(u64);
    impl Cases {
        fn unit(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    // --- logistic, risk exponent, salience -------------------------------------------------

    #[test]
    fn logistic_is_symmetric_and_stable() {
        close(logistic(0.0), 0.5, 0.0);
        for &x in &[0.1, 1.0, 2.5, 10.0, 30.0] {
            close(logistic(-x), 1.0 - logistic(x), 1e-15);
            // σ(x) = e^x / (1 + e^x) as a closed form check away from the extremes.
            let e = libm::exp(x);
            close(logistic(x), e / (1.0 + e), 1e-15);
        }
        close(logistic(1.0), 0.731_058_578_630_004_9, 1e-15);
        assert_eq!(logistic(1000.0), 1.0);
        assert_eq!(logistic(-1000.0), 0.0);
        assert_eq!(logistic(f64::INFINITY), 1.0);
        assert_eq!(logistic(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn risk_exponent_spans_half_to_two() {
        close(risk_exponent(-1.0), 2.0, 1e-15);
        close(risk_exponent(0.0), 1.0, 0.0);
        close(risk_exponent(1.0), 0.5, 1e-15);
        close(risk_exponent(0.5), 1.0 / 2f64.sqrt(), 1e-15);
        close(risk_exponent(-7.0), 2.0, 1e-15); // clamped
        close(risk_exponent(7.0), 0.5, 1e-15);
    }

    #[test]
    fn salience_normalises_and_falls_back_to_uniform() {
        let mut out = [0.0; 4];
        normalise_salience(&[1.0, 0.6, 0.5, 0.2], &mut out);
        for (o, raw) in out.iter().zip([1.0, 0.6, 0.5, 0.2]) {
            close(*o, raw / 2.3, 1e-15);
        }
        close(out.iter().sum(), 1.0, 1e-15);
        normalise_salience(&[0.0, 0.0, 0.0, 0.0], &mut out);
        assert_eq!(out, [0.25; 4]);
        normalise_salience(&[-1.0, 1.0, 0.0, 3.0], &mut out);
        assert_eq!(out, [0.0, 0.25, 0.0, 0.75]);
    }

    // --- utility --------------------------------------------------------------------------

    #[test]
    fn utility_endpoints() {
        let ideal = [20.0, 70.0];
        let sal = [0.25, 0.75];
        for gamma in [0.5, 1.0, 2.0] {
            close(utility(&ideal, &sal, gamma, &ideal), 1.0, 0.0);
            // The far end of both issues: distance 1 on each, so U = 1 − Σ ŝ = 0.
            close(
                utility(&[0.0, 0.0], &sal, gamma, &[100.0, 100.0]),
                0.0,
                1e-15,
            );
            // Beyond the scale counts as the far end; the result stays in [0, 1].
            close(
                utility(&[0.0, 100.0], &sal, gamma, &[150.0, -80.0]),
                0.0,
                1e-15,
            );
        }
    }

    #[test]
    fn utility_hand_computed_for_each_gamma() {
        // Ideal (20, 70), ŝ = (0.25, 0.75), y = (36, 61): distances 0.16 and 0.09.
        let (ideal, sal, y) = ([20.0, 70.0], [0.25, 0.75], [36.0, 61.0]);
        // γ = 1: 1 − (0.25·0.16 + 0.75·0.09) = 1 − 0.1075.
        close(utility(&ideal, &sal, 1.0, &y), 0.8925, 1e-14);
        // γ = 2: 1 − (0.25·0.0256 + 0.75·0.0081) = 1 − 0.012475.
        close(utility(&ideal, &sal, 2.0, &y), 0.987_525, 1e-14);
        // γ = 0.5: 1 − (0.25·0.4 + 0.75·0.3) = 1 − 0.325.
        close(utility(&ideal, &sal, 0.5, &y), 0.675, 1e-14);
    }

    // --- mandates and ratification --------------------------------------------------------

    #[test]
    fn mandate_mean_appendix_a_first_side() {
        // The baseline (scenarios/iran-talks-2025.ron), enrichment: hawks at 0 (c 0.4, s 1.0)
        // → w 0.40; pragmatists at 50 (c 0.4, s 0.6) → w 0.24; leader at 35 with ω = 1 →
        // w_L = 0.64.
        // m = (0.64·35 + 0.40·0 + 0.24·50) / 1.28 = 34.4 / 1.28 = 26.875.
        let members = [(0.0, 0.4 * 1.0), (50.0, 0.4 * 0.6)];
        close(mandate_mean(35.0, 1.0, &members), 26.875, 1e-12);
    }

    #[test]
    fn mandate_mean_appendix_a_second_side() {
        // Negotiators 55 (0.55 × 0.7 = 0.385), sceptics 90 (0.45 × 1.0 = 0.45), leader 70 with
        // ω = 1.5 → w_L = 1.2525. m = (87.675 + 21.175 + 40.5) / 2.0875 = 149.35 / 2.0875.
        let members = [(55.0, 0.55 * 0.7), (90.0, 0.45 * 1.0)];
        close(mandate_mean(70.0, 1.5, &members), 149.35 / 2.0875, 1e-12);
    }

    #[test]
    fn mandate_mean_edge_cases() {
        assert_eq!(mandate_mean(35.0, 1.0, &[]), 35.0);
        assert_eq!(mandate_mean(35.0, 1.0, &[(0.0, 0.0), (90.0, 0.0)]), 35.0);
        assert_eq!(mandate_mean(35.0, 1.0, &[(0.0, -1.0), (90.0, 0.0)]), 35.0);
        // ω = 0: the leader has no say; plain weighted mean (0·1 + 90·3) / 4.
        close(
            mandate_mean(35.0, 0.0, &[(0.0, 1.0), (90.0, 3.0)]),
            67.5,
            1e-12,
        );
    }

    #[test]
    fn weighted_median_hand_computed() {
        // Total 10, half 5: cumulative 2 (at 10), 5 (at 20) → 20.
        let mut pairs = [(30.0, 5.0), (10.0, 2.0), (20.0, 3.0)];
        assert_eq!(weighted_median(&mut pairs), Some(20.0));
        // An exact tie at the half gives the lower value.
        assert_eq!(weighted_median(&mut [(20.0, 1.0), (10.0, 1.0)]), Some(10.0));
        // A tie reached through rounding (0.1 + 0.2 ≠ 0.3 in binary) is still a tie.
        assert_eq!(
            weighted_median(&mut [(10.0, 0.1), (20.0, 0.2), (30.0, 0.3)]),
            Some(20.0)
        );
        // One heavy value dominates; zero weights never win.
        assert_eq!(
            weighted_median(&mut [(5.0, 0.0), (50.0, 9.0), (60.0, 1.0)]),
            Some(50.0)
        );
        assert_eq!(weighted_median(&mut []), None);
        assert_eq!(weighted_median(&mut [(1.0, 0.0)]), None);
    }

    #[test]
    fn mandate_median_appendix_a_first_side() {
        // Sorted: 0 (0.40), leader 35 (0.64), 50 (0.24); total 1.28, half 0.64.
        // Cumulative 0.40 at 0, 1.04 at 35 → 35.
        let mut members = [(50.0, 0.4 * 0.6), (0.0, 0.4 * 1.0)];
        close(mandate_median(35.0, 1.0, &mut members), 35.0, 0.0);
        // A weak leader (ω = 0.25 → w_L = 0.16): total 0.80, half 0.40, reached exactly at 0
        // (the tie goes to the lower value) → 0.
        close(mandate_median(35.0, 0.25, &mut members), 0.0, 0.0);
        // The leader after every faction: 0 (1), 10 (1), leader 90 (ω = 1 → 2); half 2 → 10.
        close(
            mandate_median(90.0, 1.0, &mut [(10.0, 1.0), (0.0, 1.0)]),
            10.0,
            0.0,
        );
        // ω = 3 → w_L = 6 of 8: the leader's position.
        close(
            mandate_median(90.0, 3.0, &mut [(10.0, 1.0), (0.0, 1.0)]),
            90.0,
            0.0,
        );
        // No faction weight: the leader's position.
        close(mandate_median(42.0, 1.0, &mut [(10.0, 0.0)]), 42.0, 0.0);
        close(mandate_median(42.0, 1.0, &mut []), 42.0, 0.0);
    }

    #[test]
    fn ratification_quota() {
        let members = [(true, 0.4), (false, 0.4), (true, 0.2)];
        assert!(ratifies(&members, 0.5)); // 0.6 ≥ 0.5
        assert!(ratifies(&members, 0.6)); // exactly at the quota
        assert!(!ratifies(&members, 0.61));
        assert!(!ratifies(&[(true, 0.0), (false, 0.0)], 0.0)); // zero total weight
        assert!(!ratifies(&[], 0.0));
        assert!(ratifies(&[(true, 1.0), (false, -5.0)], 1.0)); // negative weight counts as 0
    }

    // --- signalling -----------------------------------------------------------------------

    #[test]
    fn std_dev_is_population_sd() {
        // Mean 5, squared deviations 9 1 1 1 0 0 4 16 → 32 / 8 = 4 → sd 2.
        close(
            std_dev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
            2.0,
            1e-15,
        );
        assert_eq!(std_dev(&[]), 0.0);
        assert_eq!(std_dev(&[0.1, 0.1, 0.1]), 0.0);
        close(std_dev(&[0.0, 100.0]), 50.0, 0.0); // the largest sd on the scale
        close(mean(&[1.0, 2.0, 6.0]), 3.0, 0.0);
        assert_eq!(mean(&[]), 0.0);
    }

    #[test]
    fn consistency_hand_computed_and_clamped() {
        assert_eq!(consistency(40.0, 40.0, 0.0, 0.0, 1.0, 1.0, 0.3), 1.0);
        // 1 − [1·10/100 + 1·5/50 + 0.3·1] = 1 − 0.5.
        close(consistency(50.0, 40.0, 5.0, 1.0, 1.0, 1.0, 0.3), 0.5, 1e-15);
        // Direction of the shift does not matter.
        close(consistency(30.0, 40.0, 5.0, 1.0, 1.0, 1.0, 0.3), 0.5, 1e-15);
        // Clamped at 0 below and at 1 above (negative weights would push it up).
        assert_eq!(consistency(100.0, 0.0, 50.0, 1.0, 1.0, 1.0, 0.3), 0.0);
        assert_eq!(consistency(50.0, 40.0, 5.0, 0.0, -1.0, -1.0, 0.0), 1.0);
    }

    // --- Zeuthen–Harsanyi -------------------------------------------------------------------

    #[test]
    fn zeuthen_risk_slope_is_the_derivative() {
        // r = 0.3/(0.8 − d); at d = 0.2: r = 0.5 and ∂r/∂d = 0.3/0.6² = 5/6.
        close(zeuthen_risk_slope(0.8, 0.5, 0.2), 0.3 / 0.36, 1e-12);
        let h = 1e-6;
        let numeric =
            (zeuthen_risk(0.8, 0.5, 0.2 + h) - zeuthen_risk(0.8, 0.5, 0.2 - h)) / (2.0 * h);
        close(zeuthen_risk_slope(0.8, 0.5, 0.2), numeric, 1e-6);
        assert_eq!(zeuthen_risk_slope(0.5, 0.7, 0.2), 0.0); // corner r = 0
        assert_eq!(zeuthen_risk_slope(0.8, 0.1, 0.2), 0.0); // corner r = 1
    }

    #[test]
    fn probit_update_matches_hand_values_and_numeric_moments() {
        // Prior N(0, 1), likelihood Φ(x) (a = 0, b = 1, σ = 1): z = 0, λ = φ(0)/Φ(0) = 2φ(0)
        // = 0.797 884 56; m' = λ/√2 = 0.564 189 58; s'² = 1 − λ²/2 = 1 − 1/π = 0.681 690 11.
        let (m, s) = probit_update(0.0, 1.0, 0.0, 1.0, 1.0);
        close(m, 0.564_189_583_547_756_3, 1e-12);
        close(s * s, 1.0 - 1.0 / std::f64::consts::PI, 1e-12);
        // Against the moments of prior × likelihood by quadrature, for an unlikely event.
        let (m0, s0, a, b, sigma) = (0.1, 0.05, -0.3, 2.0, 0.05);
        let (mut w, mut wx, mut wxx) = (0.0, 0.0, 0.0);
        let n = 200_000;
        for i in 0..n {
            let x = m0 + s0 * (-10.0 + 20.0 * (i as f64 + 0.5) / n as f64);
            let zx = (x - m0) / s0;
            let p = normal_pdf(zx) * normal_cdf((a + b * x) / sigma);
            w += p;
            wx += p * x;
            wxx += p * x * x;
        }
        let mean = wx / w;
        let var = wxx / w - mean * mean;
        let (m, s) = probit_update(m0, s0, a + b * m0, b, sigma);
        close(m, mean, 1e-9);
        close(s * s, var, 1e-9);
        assert!(m > m0, "an event likelier for higher x raises the mean");
        // Holding firm against the opposite sign lowers it; no information, no change.
        assert!(probit_update(m0, s0, 0.3 - b * m0, -b, sigma).0 < m0);
        assert_eq!(probit_update(0.3, 0.0, 1.0, 1.0, 0.1), (0.3, 0.0));
        assert_eq!(probit_update(0.3, 0.2, 1.0, 0.0, 0.1), (0.3, 0.2));
        // Far in the tail: finite, and the variance shrinks but stays ≥ 0.
        let (m, s) = probit_update(0.0, 1.0, -200.0, 1.0, 1.0);
        assert!(
            m.is_finite() && m > 100.0 && (0.0..1.0).contains(&s),
            "{m} {s}"
        );
        // The tail series joins the direct ratio smoothly at z = −30.
        close(inverse_mills(-30.000_001), inverse_mills(-29.999_999), 1e-5);
        close(inverse_mills(-40.0), 40.024_968_7, 1e-6);
    }

    #[test]
    fn zeuthen_risk_cases() {
        // (0.8 − 0.5) / (0.8 − 0.2) = 0.5.
        close(zeuthen_risk(0.8, 0.5, 0.2), 0.5, 1e-15);
        assert_eq!(zeuthen_risk(0.5, 0.5, 0.2), 0.0); // the other's offer is as good
        assert_eq!(zeuthen_risk(0.5, 0.7, 0.2), 0.0); // ... or better
        assert_eq!(zeuthen_risk(0.3, 0.1, 0.3), 1.0); // own offer = conflict: zero denominator
        assert_eq!(zeuthen_risk(0.3, 0.1, 0.4), 1.0); // own offer worse than conflict
        assert_eq!(zeuthen_risk(0.8, 0.1, 0.2), 1.0); // other's offer worse than conflict
        assert_eq!(zeuthen_concessions(0.3, 0.5, 1e-12), [true, false]);
        assert_eq!(zeuthen_concessions(0.5, 0.3, 1e-12), [false, true]);
        assert_eq!(zeuthen_concessions(0.5, 0.5, 1e-12), [true, true]);
    }

    #[test]
    fn concession_step_moves_least_salient_most_and_never_overshoots() {
        let sal = [0.5, 0.3, 0.2, 0.0];
        let other = [100.0, 100.0, 100.0, 100.0];
        let mut own = [0.0; 4];
        concession_step(&mut own, &other, &sal, 1.0, 0.2);
        // f = 0.2·(1 − ŝ): 0.10, 0.14, 0.16, 0.20 of the gap of 100.
        for (y, want) in own.iter().zip([10.0, 14.0, 16.0, 20.0]) {
            close(*y, want, 1e-12);
        }
        // η = 2 squares the factor's salience term: 0.2·0.25 = 0.05 of the gap on issue 0.
        let mut own2 = [0.0; 4];
        concession_step(&mut own2, &other, &sal, 2.0, 0.2);
        close(own2[0], 5.0, 1e-12);
        // μ > 1 is clamped: at most the whole gap, never beyond the other's offer.
        let mut own3 = [0.0, 50.0, 100.0, 0.0];
        concession_step(&mut own3, &[10.0, 40.0, 100.0, 0.0], &sal, 0.0, 7.0);
        assert_eq!(own3, [10.0, 40.0, 100.0, 0.0]);
        assert_eq!(concession_rate(0.15, 1.0, 0.5), 0.3);
        assert_eq!(concession_rate(0.8, 3.0, 1.0), 1.0);
    }

    /// 1-D Zeuthen process: the side with the lower risk concedes a small step toward the other's
    /// offer (ties: both) until the offers meet. It should end at the Nash point (α = 1 each).
    #[test]
    fn zeuthen_process_converges_to_nash_point() {
        let sal = [1.0];
        let cases = [
            // (ideal a, γ_a, d_a, ideal b, γ_b, d_b)
            (0.0, 2.0, 0.2, 100.0, 1.0, 0.1),
            (0.0, 1.0, 0.0, 100.0, 2.0, 0.4),
            (10.0, 0.5, 0.1, 90.0, 1.0, 0.3),
            (20.0, 2.0, 0.5, 80.0, 0.5, 0.05),
        ];
        for (xa, ga, da, xb, gb, db) in cases {
            let (ia, ib) = ([xa], [xb]);
            let a = party(&ia, &sal, ga, da, 1.0);
            let b = party(&ib, &sal, gb, db, 1.0);
            let (mut ya, mut yb) = ([xa], [xb]);
            let mut steps = 0;
            while yb[0] - ya[0] > 0.05 {
                let risk_a = zeuthen_risk(a.utility(&ya), a.utility(&yb), da);
                let risk_b = zeuthen_risk(b.utility(&yb), b.utility(&ya), db);
                let [ca, cb] = zeuthen_concessions(risk_a, risk_b, 1e-12);
                // Move by 0.02 points (η = 0: the same share on the only issue).
                let mu = 0.02 / (yb[0] - ya[0]);
                let (pa, pb) = (ya, yb);
                if ca {
                    concession_step(&mut ya, &pb, &sal, 0.0, mu);
                }
                if cb {
                    concession_step(&mut yb, &pa, &sal, 0.0, mu);
                }
                steps += 1;
                assert!(steps < 100_000);
            }
            let mut nash = [0.0];
            nash_point(&a, &b, &[xa], &[xb], &mut nash).expect("a bargaining set");
            // Both offers end within a few steps of the Nash point (0.5 points is the spec).
            close(ya[0], nash[0], 0.1);
            close(yb[0], nash[0], 0.1);
        }
    }

    /// Risk_1 ≤ Risk_2 ⇔ NashProduct(y_1) ≤ NashProduct(y_2) (Harsanyi 1956), whenever both
    /// sides prefer their own offer to the other's and the other's to conflict.
    #[test]
    fn zeuthen_risk_orders_like_nash_product() {
        let mut rng = Cases(0x9e37_79b9_7f4a_7c15);
        let mut checked = 0;
        for _ in 0..2000 {
            let mut v = [0.0; 20];
            v.iter_mut().for_each(|x| *x = rng.unit());
            let (ia, ib) = (
                [100.0 * v[0], 100.0 * v[1], 100.0 * v[2]],
                [100.0 * v[3], 100.0 * v[4], 100.0 * v[5]],
            );
            let (mut sa, mut sb) = ([0.0; 3], [0.0; 3]);
            normalise_salience(&v[6..9], &mut sa);
            normalise_salience(&v[9..12], &mut sb);
            let a = Bargainer {
                ideal: &ia,
                salience: &sa,
                gamma: 0.5 + 1.5 * v[12],
                disagreement: 0.5 * v[13],
                power: 1.0,
            };
            let b = Bargainer {
                ideal: &ib,
                salience: &sb,
                gamma: 0.5 + 1.5 * v[14],
                disagreement: 0.5 * v[15],
                power: 1.0,
            };
            // Offers: each side's ideal moved part of the way toward the other's.
            let (ta, tb) = (0.5 * v[16], 0.5 * v[17]);
            let mut y1 = [0.0; 3];
            let mut y2 = [0.0; 3];
            for d in 0..3 {
                y1[d] = ia[d] + ta * (ib[d] - ia[d]);
                y2[d] = ib[d] + tb * (ia[d] - ib[d]);
            }
            let (u11, u12) = (a.utility(&y1), a.utility(&y2));
            let (u22, u21) = (b.utility(&y2), b.utility(&y1));
            let regular = u11 > u12 && u12 > a.disagreement && u22 > u21 && u21 > b.disagreement;
            if !regular {
                continue;
            }
            let risk_1 = zeuthen_risk(u11, u12, a.disagreement);
            let risk_2 = zeuthen_risk(u22, u21, b.disagreement);
            let (np1, np2) = (nash_product(&a, &b, &y1), nash_product(&a, &b, &y2));
            if (risk_1 - risk_2).abs() > 1e-12 && (np1 - np2).abs() > 1e-12 {
                assert_eq!(risk_1 <= risk_2, np1 <= np2, "case {v:?}");
                checked += 1;
            }
        }
        assert!(checked > 200, "only {checked} regular cases");
    }

    // --- Nash bargaining ------------------------------------------------------------------

    fn party<'a>(
        ideal: &'a [f64],
        sal: &'a [f64],
        gamma: f64,
        d: f64,
        alpha: f64,
    ) -> Bargainer<'a> {
        Bargainer {
            ideal,
            salience: sal,
            gamma,
            disagreement: d,
            power: alpha,
        }
    }

    #[test]
    fn nash_point_linear_1d_midpoint_and_power() {
        let (ia, ib, s) = ([0.0], [100.0], [1.0]);
        let mut y = [0.0];
        // U_a = 1 − t, U_b = t (t = y/100), d = 0, α = (1, 1): argmax t(1 − t) = 1/2.
        let np = nash_point(
            &party(&ia, &s, 1.0, 0.0, 1.0),
            &party(&ib, &s, 1.0, 0.0, 1.0),
            &ia,
            &ib,
            &mut y,
        );
        close(y[0], 50.0, 1e-4);
        close(np.unwrap(), 0.25, 1e-9);
        // α = (2, 1): argmax (1 − t)² t → t = 1/3: a third of the way from a's ideal.
        nash_point(
            &party(&ia, &s, 1.0, 0.0, 2.0),
            &party(&ib, &s, 1.0, 0.0, 1.0),
            &ia,
            &ib,
            &mut y,
        );
        close(y[0], 100.0 / 3.0, 1e-4);
        // With no-deal values: argmax (1 − t − d_a)(t − d_b) → t = (1 − d_a + d_b)/2.
        nash_point(
            &party(&ia, &s, 1.0, 0.3, 1.0),
            &party(&ib, &s, 1.0, 0.1, 1.0),
            &ia,
            &ib,
            &mut y,
        );
        close(y[0], 40.0, 1e-4);
        // The corners may come in any order.
        nash_point(
            &party(&ia, &s, 1.0, 0.3, 1.0),
            &party(&ib, &s, 1.0, 0.1, 1.0),
            &ib,
            &ia,
            &mut y,
        );
        close(y[0], 40.0, 1e-4);
        // A box that excludes the unconstrained optimum: the nearest end.
        nash_point(
            &party(&ia, &s, 1.0, 0.0, 1.0),
            &party(&ib, &s, 1.0, 0.0, 1.0),
            &[60.0],
            &[90.0],
            &mut y,
        );
        close(y[0], 60.0, 1e-4);
    }

    #[test]
    fn nash_point_quadratic_2d_closed_form() {
        // γ = 2, ŝ = (½, ½) for both, ideals (0, 0) and (100, 100), d = 0, α = (2, 1).
        // The objective is strictly concave and symmetric in the issues, so y = (100u, 100u)
        // with u = argmax 2 ln(1 − u²) + ln(1 − (1 − u)²), i.e. the root in (0, ½) of
        // −4u/(1 − u²) + 2(1 − u)/(u(2 − u)) = 0 ⇔ 3u³ − 5u² − u + 1 = 0.
        let cubic = |u: f64| 3.0 * u * u * u - 5.0 * u * u - u + 1.0;
        let (mut lo, mut hi) = (0.0, 0.5);
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if cubic(mid) > 0.0 { lo = mid } else { hi = mid }
        }
        let u = 0.5 * (lo + hi);
        let (ia, ib, s) = ([0.0, 0.0], [100.0, 100.0], [0.5, 0.5]);
        let mut y = [0.0; 2];
        let a = party(&ia, &s, 2.0, 0.0, 2.0);
        let b = party(&ib, &s, 2.0, 0.0, 1.0);
        let np = nash_point(&a, &b, &ia, &ib, &mut y).unwrap();
        close(y[0], 100.0 * u, 1e-3);
        close(y[1], 100.0 * u, 1e-3);
        close(
            np,
            (1.0 - u * u) * (1.0 - u * u) * (1.0 - (1.0 - u) * (1.0 - u)),
            1e-12,
        );
    }

    #[test]
    fn nash_point_quadratic_2d_asymmetric_saliences() {
        // γ = 2, ideals (0, 0) and (100, 100), ŝ_a = (0.8, 0.2), ŝ_b = (0.3, 0.7), d = (0.1, 0.2),
        // α = (1, 1). First-order conditions: λ_a ŝ_a,d u_d = λ_b ŝ_b,d (1 − u_d) with
        // λ_k = 1/(U_k − d_k), so u_d = ŝ_b,d r / (ŝ_a,d + ŝ_b,d r), r = λ_b/λ_a =
        // (U_a − d_a)/(U_b − d_b): one scalar equation in r, solved by bisection.
        let (sa, sb) = ([0.8, 0.2], [0.3, 0.7]);
        let (da, db) = (0.1, 0.2);
        let point = |r: f64| [0, 1].map(|d| sb[d] * r / (sa[d] + sb[d] * r));
        let gap = |r: f64| {
            let u = point(r);
            let ua = 1.0 - sa[0] * u[0] * u[0] - sa[1] * u[1] * u[1];
            let ub =
                1.0 - sb[0] * (1.0 - u[0]) * (1.0 - u[0]) - sb[1] * (1.0 - u[1]) * (1.0 - u[1]);
            r - (ua - da) / (ub - db) // increasing in r
        };
        let (mut lo, mut hi): (f64, f64) = (1e-6, 1e6);
        for _ in 0..200 {
            let mid = (lo * hi).sqrt();
            if gap(mid) > 0.0 { hi = mid } else { lo = mid }
        }
        let want = point((lo * hi).sqrt());
        let (ia, ib) = ([0.0, 0.0], [100.0, 100.0]);
        let mut y = [0.0; 2];
        nash_point(
            &party(&ia, &sa, 2.0, da, 1.0),
            &party(&ib, &sb, 2.0, db, 1.0),
            &ia,
            &ib,
            &mut y,
        )
        .unwrap();
        close(y[0], 100.0 * want[0], 1e-3);
        close(y[1], 100.0 * want[1], 1e-3);
    }

    #[test]
    fn nash_point_finds_a_thin_bargaining_set_and_reports_none_without_one() {
        let (ia, ib, s) = ([0.0], [100.0], [1.0]);
        let mut y = [0.0];
        // Linear, d = (0.45, 0.45): only t ∈ (0.45, 0.55) gains for both; the optimum is 0.5.
        // Start from a box whose centre is outside the bargaining set.
        let a = party(&ia, &s, 1.0, 0.45, 1.0);
        let b = party(&ib, &s, 1.0, 0.45, 1.0);
        nash_point(&a, &b, &[0.0], &[52.0], &mut y).unwrap();
        close(y[0], 50.0, 1e-4);
        nash_point(&a, &b, &[48.0], &[100.0], &mut y).unwrap();
        close(y[0], 50.0, 1e-4);
        // d_a + d_b > 1: no point gains for both.
        let a = party(&ia, &s, 1.0, 0.6, 1.0);
        let b = party(&ib, &s, 1.0, 0.5, 1.0);
        assert_eq!(nash_point(&a, &b, &ia, &ib, &mut y), None);
        // A box outside the bargaining set: None too.
        let a = party(&ia, &s, 1.0, 0.3, 1.0);
        let b = party(&ib, &s, 1.0, 0.3, 1.0);
        assert_eq!(nash_point(&a, &b, &[0.0], &[25.0], &mut y), None);
    }

    #[test]
    fn nash_point_linear_4d_against_grid_search() {
        // Linear utilities over four issues: compare with a brute-force search on a 2-point grid.
        let (ia, ib) = ([0.0, 100.0, 0.0, 100.0], [100.0, 0.0, 100.0, 0.0]);
        let (sa, sb) = ([0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4]);
        let a = party(&ia, &sa, 1.0, 0.1, 1.0);
        let b = party(&ib, &sb, 1.0, 0.2, 1.0);
        let mut y = [0.0; 4];
        let np = nash_point(&a, &b, &ia, &ib, &mut y).unwrap();
        let mut best: f64 = 0.0;
        let mut z = [0.0; 4];
        for i in 0..21usize.pow(4) {
            let mut k = i;
            for zd in z.iter_mut() {
                *zd = 5.0 * (k % 21) as f64;
                k /= 21;
            }
            best = best.max(nash_product(&a, &b, &z));
        }
        assert!(np >= best - 1e-12, "{np} < grid {best}");
    }

    /// Risk-acceptant parties (γ < 1): the Nash product has several local maxima; the best
    /// one gives issue 2 to b and splits issue 1, a logroll that moving one issue at a time from
    /// the centre of the box does not reach. Checked against a brute-force grid search.
    #[test]
    fn nash_point_non_concave_matches_grid_search() {
        let (ia, ib) = ([68.0, 54.5], [5.4, 27.5]);
        let (sa, sb) = ([0.77, 0.23], [0.68, 0.32]);
        let a = party(&ia, &sa, 0.85, 0.08, 1.0);
        let b = party(&ib, &sb, 0.70, 0.21, 1.0);
        let mut y = [0.0; 2];
        let np = nash_point(&a, &b, &ia, &ib, &mut y).unwrap();
        let (mut best, mut best_y) = (0.0, [0.0; 2]);
        let steps = 400;
        for i in 0..=steps {
            for j in 0..=steps {
                let t = [i, j].map(|k| k as f64 / steps as f64);
                let z = [5.4 + 62.6 * t[0], 27.5 + 27.0 * t[1]];
                let v = nash_product(&a, &b, &z);
                if v > best {
                    (best, best_y) = (v, z);
                }
            }
        }
        assert!(np >= best - 1e-12, "{np} < grid {best}");
        close(y[0], best_y[0], 0.2);
        close(y[1], best_y[1], 0.2);
        close(y[1], 27.5, 1e-9);
        assert!(y[0] > 30.0 && y[0] < 45.0, "issue 1 split: {y:?}");
    }

    // --- commitment problem ---------------------------------------------------------------

    #[test]
    fn deal_value_matches_discounted_sum() {
        for &(k, u, u_r, delta, h) in &[
            (0.2, 0.8, 0.3, 0.95, 0.02),
            (0.0, 0.6, 0.6, 0.97, 0.5),
            (0.5, 0.9, -0.2, 0.9, 0.0),
            (0.1, 0.4, 0.7, 0.85, 1.0),
        ] {
            let (mut sum, mut disc, mut holds) = (-k, 1.0, 1.0);
            for _ in 0..5000 {
                sum += disc * (holds * u + (1.0 - holds) * u_r);
                disc *= delta;
                holds *= 1.0 - h;
            }
            close(deal_value(k, u, u_r, delta, h), sum, 1e-9);
        }
        // δ = 1 is clamped, so the value stays finite.
        assert!(deal_value(0.0, 1.0, 0.5, 1.0, 0.0).is_finite());
    }

    #[test]
    fn hazard_form() {
        // Full trust, no durability, no administration change: h0.
        close(hazard(0.01, 1.0, 0.0, 3.0, 0.8, 0.5, 0.0), 0.01, 1e-15);
        // No trust: (1 + 3)·h0; full durability cuts 80 %: 0.04·0.2.
        close(hazard(0.01, 0.0, 0.0, 3.0, 0.8, 0.5, 0.0), 0.04, 1e-15);
        close(hazard(0.01, 0.0, 100.0, 3.0, 0.8, 0.5, 0.0), 0.008, 1e-15);
        // Administration change q/T = 0.5/40, combined: 1 − (1 − 0.01)(1 − 0.0125).
        close(
            hazard(0.01, 1.0, 0.0, 3.0, 0.8, 0.5, 40.0),
            1.0 - 0.99 * 0.9875,
            1e-15,
        );
        // Monotone: falls with trust and durability.
        assert!(
            hazard(0.01, 0.3, 50.0, 3.0, 0.8, 0.5, 40.0)
                > hazard(0.01, 0.6, 50.0, 3.0, 0.8, 0.5, 40.0)
        );
        assert!(
            hazard(0.01, 0.3, 20.0, 3.0, 0.8, 0.5, 40.0)
                > hazard(0.01, 0.3, 70.0, 3.0, 0.8, 0.5, 40.0)
        );
        // Clamped to a probability.
        assert_eq!(hazard(0.9, 0.0, 0.0, 10.0, 0.0, 1.0, 0.5), 1.0);
    }

    #[test]
    fn no_deal_value_and_acceptance() {
        // (1 − 0.3)·0.2 + 0.3·[0.6·0.9 + 0.4·0.2 − 0.35] = 0.14 + 0.3·0.27 = 0.221.
        close(no_deal_value(0.2, 0.9, 0.3, 0.6, 0.35), 0.221, 1e-15);
        close(no_deal_value(0.2, 0.9, 0.0, 0.6, 0.35), 0.2, 0.0);
        close(no_deal_value(0.2, 0.9, 1.0, 1.0, 0.0), 0.9, 0.0);
        close(acceptance_probability(8.0, 0.5, 0.5), 0.5, 0.0);
        close(acceptance_probability(8.0, 0.6, 0.5), logistic(0.8), 1e-15);
        close(acceptance_probability(0.0, 9.0, 0.0), 0.5, 0.0);
    }

    // --- third parties and escalation -----------------------------------------------------

    #[test]
    fn third_party_formulas() {
        close(patron_approval(4.0, 0.2, 0.1, 0.3), 0.5, 1e-15);
        close(patron_approval(4.0, 0.5, 0.0, 0.0), logistic(2.0), 1e-15);
        assert!(patron_approval(4.0, 0.1, 0.0, 0.5) < patron_approval(4.0, 0.1, 0.0, 0.2));
        assert!(patron_approval(4.0, 0.1, 0.1, 0.5) > patron_approval(4.0, 0.1, 0.0, 0.5));
        close(strike_success(0.0, 0.6, 0.4), 0.4, 0.0);
        close(strike_success(1.0, 0.6, 0.4), 0.6, 1e-15);
        close(strike_success(0.5, 0.6, 0.4), 0.5, 1e-15);
        close(strike_success(3.0, 0.6, 0.4), 0.6, 1e-15); // g clamped
        close(protected_strike_cost(0.35, 0.25, 0.8), 0.55, 1e-15);
    }

    #[test]
    fn protector_answer_closed_forms() {
        // By hand: c = 0.5, H = 0.2, K = 0.4, r = 0.3, m = 0.1, λ = 2:
        // q = (0.85, 0.1, 0.05), u = 2·(0, 0.5·0.6 − 0.1, 0.6 − 0.4) = (0, 0.4, 0.4).
        let p = protector_answer(2.0, 0.5, 0.2, 0.4, 0.3, 0.1);
        let w = [0.85, 0.1 * 0.4f64.exp(), 0.05 * 0.4f64.exp()];
        let t: f64 = w.iter().sum();
        for l in 0..3 {
            close(p[l], w[l] / t, 1e-15);
        }
        // No commitment: words only, whatever the harm.
        assert_eq!(
            protector_answer(10.0, 0.0, 5.0, 0.0, 0.9, 0.5),
            [1.0, 0.0, 0.0]
        );
        // The military share rises with the commitment and the harm, falls with the cost.
        let mil = |c: f64, h: f64, k: f64| protector_answer(10.0, c, h, k, 0.25, 0.03)[2];
        assert!(mil(0.9, 0.0, 0.5) > mil(0.5, 0.0, 0.5));
        assert!(mil(0.5, 0.5, 0.5) > mil(0.5, 0.0, 0.5));
        assert!(mil(0.5, 0.0, 0.8) < mil(0.5, 0.0, 0.5));
        // λ → ∞: the best answer among those it may give.
        let best = protector_answer(1e6, 1.0, 0.0, 0.5, 0.25, 0.03);
        close(best[2], 1.0, 1e-12); // u = (0, 0.375, 0.5)
        let best = protector_answer(1e6, 1.0, 0.0, 1.5, 0.25, 0.03);
        close(best[1], 1.0, 1e-12); // u = (0, 0.125, −0.5)
        let best = protector_answer(1e6, 1.0, 0.0, 3.0, 0.25, 0.03);
        close(best[0], 1.0, 1e-12); // u = (0, −0.25, −2)
        // Always a distribution.
        for args in [
            (0.0, 0.3, 0.0, 0.0, 0.0, 0.0),
            (1e300, 1.0, 1e300, 0.0, 1.0, 1.0),
        ] {
            let p = protector_answer(args.0, args.1, args.2, args.3, args.4, args.5);
            close(p.iter().sum::<f64>(), 1.0, 1e-12);
            assert!(p.iter().all(|x| (0.0..=1.0).contains(x)));
        }
    }

    #[test]
    fn strike_value_is_the_costly_lottery() {
        // p = 0.6 of U = −0.1, else the status quo −0.8 under threat 0.2, cost 0.3.
        close(
            strike_value(0.6, -0.1, -0.8, 0.2, 0.3),
            -0.06 - 0.4 - 0.3,
            1e-15,
        );
        close(strike_value(0.0, -0.1, -0.8, 0.2, 0.3), -1.3, 1e-15);
        close(strike_value(1.0, -0.1, -0.8, 0.2, 0.3), -0.4, 1e-15);
        close(strike_value(7.0, -0.1, -0.8, 0.2, 0.3), -0.4, 1e-15); // p clamped
    }

    #[test]
    fn waiting_keeps_the_better_of_the_later_branches() {
        // A deal for sure: its value; no deal in sight: the better of the two later branches.
        close(wait_value(1.0, -0.3, -0.9, -0.5), -0.3, 0.0);
        close(wait_value(0.0, -0.3, -0.9, -0.5), -0.5, 0.0);
        close(wait_value(0.0, -0.3, -0.4, -0.5), -0.4, 0.0);
        close(
            wait_value(0.25, -0.3, -0.9, -0.5),
            0.25 * -0.3 + 0.75 * -0.5,
            1e-15,
        );
        // The spoiler: a deal it likes less than its later strike lowers the value of waiting
        // as the deal comes near; one it likes more raises it.
        assert!(wait_value(0.6, -0.7, -0.9, -0.5) < wait_value(0.2, -0.7, -0.9, -0.5));
        assert!(wait_value(0.6, -0.2, -0.9, -0.5) > wait_value(0.2, -0.2, -0.9, -0.5));
    }

    #[test]
    fn strike_decision_dominant_dominated_indifferent() {
        // Two actors: a striker whose strike now is worth `now`, and no deal in sight. Waiting is
        // worth the no-deal path −0.6 or striking later at 0.9 of today's odds.
        let (u_out, u_sq, z, c) = (0.0, -0.5, 0.1, 0.2);
        let decide = |p_now: f64, p_next: f64, lambda: f64| {
            let now = strike_value(p_now, u_out, u_sq, z, c);
            let later = strike_value(p_next, u_out, u_sq, z, c);
            let wait = wait_value(0.0, 0.0, u_sq - z, later);
            rate_probability(0.05, lambda, now - wait, 1.0)
        };
        // Dominant: a strike worth more now than either later branch; as λ → ∞ it is certain.
        assert!(decide(0.9, 0.5, 1000.0) > 0.999_999);
        // Dominated: a strike worth less than waiting; as λ → ∞ it never happens.
        assert!(decide(0.2, 0.2, 1000.0) < 1e-12);
        // Indifferent (the window does not close): the base rate, whatever λ.
        for lambda in [0.0, 6.0, 1000.0] {
            let p = decide(0.9, 0.9, lambda);
            close(p, -libm::expm1(-0.05), 1e-15);
        }
    }

    #[test]
    fn rate_probability_is_a_rate() {
        close(
            rate_probability(0.1, 6.0, 0.0, 1.0),
            1.0 - (-0.1f64).exp(),
            1e-15,
        );
        close(
            rate_probability(0.1, 6.0, 0.2, 2.0),
            1.0 - (-0.2 * 1.2f64.exp()).exp(),
            1e-15,
        );
        // Two rounds of a week carry the chance of one round of two weeks.
        let one = rate_probability(0.07, 5.0, 0.1, 1.0);
        let two = rate_probability(0.07, 5.0, 0.1, 2.0);
        close(two, 1.0 - (1.0 - one) * (1.0 - one), 1e-15);
        assert_eq!(rate_probability(0.0, 6.0, 1e9, 1.0), 0.0);
        assert_eq!(rate_probability(0.1, 6.0, 0.3, 0.0), 0.0);
        assert!(rate_probability(0.1, 6.0, 1e300, 1.0) <= 1.0);
        assert!(rate_probability(0.1, 6.0, -1e300, 1.0) >= 0.0);
        assert!(rate_probability(0.1, 6.0, 0.3, 1.0) > rate_probability(0.1, 6.0, 0.2, 1.0));
    }

    #[test]
    fn fearon_range_both_prefer_deal_inside_only() {
        for &(p, c_a, c_b) in &[(0.6, 0.2, 0.15), (0.3, 0.05, 0.25), (0.5, 0.1, 0.1)] {
            let (lo, hi) = fearon_range(p, c_a, c_b);
            close(lo, p - c_a, 1e-15);
            close(hi, p + c_b, 1e-15);
            let (war_a, war_b) = (p - c_a, 1.0 - p - c_b);
            for i in 0..=200 {
                let x = i as f64 / 200.0;
                let a_prefers = x > war_a;
                let b_prefers = 1.0 - x > war_b;
                if x > lo + 1e-12 && x < hi - 1e-12 {
                    assert!(a_prefers && b_prefers, "x = {x} inside ({lo}, {hi})");
                } else if x < lo - 1e-12 || x > hi + 1e-12 {
                    assert!(!(a_prefers && b_prefers), "x = {x} outside ({lo}, {hi})");
                }
            }
        }
        // Clipped to the shares that exist.
        assert_eq!(fearon_range(0.1, 0.3, 0.95), (0.0, 1.0));
    }

    #[test]
    fn mutual_optimism_closes_the_range() {
        assert_eq!(
            perceived_bargaining_range(0.6, 0.6, 0.2, 0.15),
            Some(fearon_range(0.6, 0.2, 0.15))
        );
        // A thinks it wins with 0.8, B thinks A wins with 0.4: 0.8 − 0.4 > 0.2 + 0.15.
        assert_eq!(perceived_bargaining_range(0.8, 0.4, 0.2, 0.15), None);
        // Optimism within the costs narrows the range: (0.5, 0.55).
        let (lo, hi) = perceived_bargaining_range(0.7, 0.4, 0.2, 0.15).unwrap();
        close(lo, 0.5, 1e-15);
        close(hi, 0.55, 1e-15);
    }

    // --- statistics and trust -------------------------------------------------------------

    #[test]
    fn wilson_known_values() {
        let (lo, hi) = wilson_interval(0, 10, 1.96);
        assert_eq!(lo, 0.0);
        close(hi, 0.277_53, 5e-5);
        let (lo, hi) = wilson_interval(50, 100, 1.96);
        close(lo, 0.403_83, 5e-5);
        close(hi, 0.596_17, 5e-5);
        // Symmetry: k of n ↔ n − k of n.
        let (lo3, hi3) = wilson_interval(3, 20, 1.96);
        let (lo17, hi17) = wilson_interval(17, 20, 1.96);
        close(lo3, 1.0 - hi17, 1e-14);
        close(hi3, 1.0 - lo17, 1e-14);
        // 3 of 20 at 95 %: (0.0524, 0.3604).
        close(lo3, 0.052_36, 5e-5);
        close(hi3, 0.360_38, 5e-5);
        assert_eq!(wilson_interval(10, 10, 1.96).1, 1.0);
        assert_eq!(wilson_interval(0, 0, 1.96), (0.0, 1.0));
        assert_eq!(wilson_interval(12, 10, 1.96), wilson_interval(10, 10, 1.96));
    }

    #[test]
    fn trust_is_the_posterior_that_the_other_side_is_sincere() {
        // Bayes' rule by hand: prior 0.4, a = 0.1, b = 0.4.
        // A clearly inconsistent round: 0.04 / (0.04 + 0.24) = 1/7.
        close(trust_posterior(0.4, 1.0, 0.1, 0.4), 1.0 / 7.0, 1e-15);
        // A clearly consistent round: 0.36 / (0.36 + 0.36) = 1/2.
        close(trust_posterior(0.4, 0.0, 0.1, 0.4), 0.5, 1e-15);
        // Jeffrey's rule mixes the two readings.
        close(
            trust_posterior(0.4, 0.25, 0.1, 0.4),
            0.75 * 0.5 + 0.25 / 7.0,
            1e-15,
        );
        // Uninformative signals leave trust where it was.
        close(trust_posterior(0.3, 0.6, 0.2, 0.2), 0.3, 1e-15);
        // Trust does not stick at a bound: certainty is kept, anything else moves.
        assert_eq!(trust_posterior(1.0, 1.0, 0.1, 0.4), 1.0);
        assert!(trust_posterior(0.98, 1.0, 0.1, 0.4) < 0.93);
        // A reading impossible under both types changes nothing; inputs are clamped.
        close(trust_posterior(0.7, 1.0, 0.0, 0.0), 0.7, 1e-15);
        let t = trust_posterior(1.5, -2.0, 5.0, -1.0);
        assert!((0.0..=1.0).contains(&t));
    }
}
