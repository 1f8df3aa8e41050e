//! Bueno de Mesquita's expected-utility model of group decision ("BDM"), as reconstructed by
//! Scholz, Calbert & Smith, "Unravelling Bueno de Mesquita's group decision model", J. Theoretical
//! Politics 23(4), 2011 (also ICAART 2011, pp. 18–30), run over one issue.
//!
//! The numbers it reproduces are stated in `docs/reference-engines.md` §1: the EU
//! emission-standards data (BDM 1994, Table 1), the published Table 2 (median and mean over 8
//! rounds) and an exact 10-round regression trajectory produced under the conventions of Scholz
//! et al.'s own code, which that section also lists.
//!
//! # The model
//!
//! `n` actors hold a position `x_i` on one issue, a capability `c_i` and a salience `s_i`
//! (0–1). `R` is the width of the issue (max − min of the positions). Each round:
//!
//! 1. **Risk.** Every actor's expected utility of challenging every other is computed with
//!    neutral risk exponents (`r = 1`). The *danger* an actor is in is the sum of the expected
//!    utilities the others have of challenging it, and is turned into a risk exponent
//!    `r_i ∈ [0.5, 2]` ([`risk_exponent`]).
//! 2. **Expected utilities.** With those exponents, each actor `i` evaluates, for every other
//!    actor `j`, its own expected utility of challenging `j`, `EU_i(i→j)`, and its perception
//!    of `j`'s expected utility of challenging it, `EU_j(j→i)` ([`expected_utility`]).
//! 3. **Offers.** From those two numbers `j` makes `i` an offer or not ([`classify_offer`]):
//!    a confrontation `i` loses (move to `x_j`), a compromise (move part of the way,
//!    [`compromise_position`]) or a capitulation (move to `x_j`).
//! 4. **Moves.** Each actor picks one offer, and all actors move at once.
//!
//! The outcome forecast of a round is the Condorcet median of the positions
//! ([`condorcet_median`]); the weighted mean ([`weighted_mean`]) is reported beside it.
//!
//! # Two readings ([`Conventions`])
//!
//! [`Conventions::ScholzCode`] reproduces the conventions of Scholz et al.'s code, where that
//! code departs from the paper's text (`docs/reference-engines.md` §1); it reproduces the
//! regression trajectory given there to better than 1e−6 (see the tests). [`Conventions::Paper`] is this module's
//! reading of the paper's text. Where the two differ:
//!
//! | | `ScholzCode` | `Paper` |
//! |---|---|---|
//! | `P(i beats j)` denominator | `Σ |vote_k(x_a, x_b)|` over all triples `(k, a, b)` | `Σ_k |vote_k(x_i, x_j)|` (pairwise) |
//! | risk: normalising the danger | by the max and min danger over all actors | by the max and min danger *this* actor would be in over the positions it could have taken (the positions on the table) |
//! | offers | confrontation, compromise (capitulation never fires) | confrontation, compromise, capitulation |
//! | choice among offers | the closest confrontation; else the compromise with the smallest weighted average (see [`compromise_choice_key`]) | the offer asking the smallest move (the smallest concession) |
//! | range `R` ([`Options::fixed_range`]) | the initial range, fixed | recomputed each round (by [`Options::paper`]; the option is free) |
//!
//! What both readings share, and why:
//!
//! * **Q** comes from [`Options::q`] (1 by default; the code fixes it at 1). When `Q < 1` the
//!   `(1 − Q)(T·U_b + (1 − T)·U_w)` term of the paper is used with **`T = 1`**: the text gives
//!   no rule to estimate `T`, and `T = 1` (the status quo, left alone, is expected to move in
//!   `i`'s favour) is the reading that keeps the term's utility in the paper's `[U_b, U_w]`
//!   bracket without another parameter. With `Q = 1` the term vanishes and `T` has no effect.
//! * **Perception.** Both expected utilities that decide an offer to `i` are evaluated with
//!   `i`'s risk exponent: `i`'s own `EU_i(i→j)` and its perception of `EU_j(j→i)` (the
//!   paper's `E^i U_ij`, `E^i U_ji`). The regression trajectory pins this down: with each
//!   expected utility under its own actor's exponent, Belgium's round-1 compromise lands at
//!   8.778752 instead of 8.415932.
//! * **Votes** inside `P` use each voter's own risk exponent `r_k` (in the risk pass, `r = 1`
//!   for all); the median is always taken with `r = 1`.
//! * **Two passes per round**: the neutral pass that estimates risk, then the pass with those
//!   exponents that drives the moves. The text infers risk from the expected utilities others
//!   have of challenging `i`, which cannot be computed with exponents not yet known, so both
//!   readings compute them risk-neutrally, afresh each round.
//! * **Simultaneous moves** at the end of the round: the text gives no order of play, and any
//!   sequential order would make the result depend on the order the actors are listed in.
//! * Ties (two offers equally good) go to the actor listed first.
//!
//! # Determinism
//!
//! Every power goes through [`libm::pow`] (no `f64::powf`), so results are bit-identical on
//! every platform; `simulate` has no randomness.

pub mod schedule;

use serde::{Deserialize, Serialize};

pub use crate::scenario::engine::bdm::{Conventions, Options};

/// One actor of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    /// The actor's name (reporting only).
    pub name: String,
    /// Capability `c_i` (power, resources) the actor can bring to bear on the issue, ≥ 0.
    pub capability: f64,
    /// The actor's position `x_i` on the issue at the start.
    pub position: f64,
    /// Salience `s_i` of the issue to the actor, in [0, 1].
    pub salience: f64,
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Round {
    /// Every actor's position after the round (for round 0, the input positions).
    pub positions: Vec<f64>,
    /// The Condorcet median of `positions` ([`condorcet_median`]).
    pub median: f64,
    /// The capability-and-salience-weighted mean of `positions` ([`weighted_mean`]).
    pub mean: f64,
    /// The risk exponent `r_i` of every actor used for the moves (empty for round 0).
    pub risk: Vec<f64>,
    /// The moves made in the round, by actor index (empty for round 0).
    pub moves: Vec<Move>,
    /// Per actor, what it expected of a challenge with each actor at another position, which
    /// decided its move (empty for round 0, and when all actors agree).
    pub expected: Vec<Vec<Expectation>>,
}

/// What one actor expects of a challenge with another, as it reckons (with its own risk
/// exponent): the two numbers [`classify_offer`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    /// Index of the other actor `j`.
    pub other: usize,
    /// `EU_i(i→j)`: the actor's expected utility of challenging `j`.
    pub own: f64,
    /// `E^i U_j(j→i)`: its perception of `j`'s expected utility of challenging it.
    pub theirs: f64,
}

/// How an actor came to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MoveKind {
    /// Both want to challenge, the other more: the actor loses the fight and moves to the
    /// other's position.
    Confrontation,
    /// The other wants to challenge, the actor does not and its expected loss is the smaller:
    /// it moves part of the way ([`compromise_position`]).
    Compromise,
    /// The other wants to challenge, the actor does not and its expected loss is at least the
    /// other's gain: it moves all the way (never under [`Conventions::ScholzCode`]).
    Capitulation,
}

/// One actor's move in a round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Move {
    /// Index of the actor that moves.
    pub actor: usize,
    /// Its position after the move.
    pub to: f64,
    /// Why it moves.
    pub kind: MoveKind,
    /// Index of the actor whose offer it takes.
    pub with: usize,
    /// The expected utility that drove the move: the offerer's `EU_with(with→actor)`, as the
    /// moving actor perceives it (with the mover's risk exponent).
    pub eu: f64,
}

/// `base^r` through [`libm::pow`], returning `base` itself for `r = 1` (which `libm::pow`
/// also does, exactly: the shortcut only saves time in the risk-neutral passes).
fn pow(base: f64, r: f64) -> f64 {
    if r == 1.0 { base } else { libm::pow(base, r) }
}

/// The vote of actor `k` for position `x_a` over `x_b`:
/// `v_k(x_a, x_b) = c_k·s_k·((|x_k − x_b|/R)^r − (|x_k − x_a|/R)^r)`, with
/// `weight = c_k·s_k`, `range = R` and `r` the voter's risk exponent.
///
/// Source: Scholz et al. 2011, the votes of third parties (`docs/reference-engines.md` §1).
/// Positive when `k` prefers `x_a`; antisymmetric in `(x_a, x_b)`.
pub fn vote(weight: f64, x_k: f64, x_a: f64, x_b: f64, r: f64, range: f64) -> f64 {
    weight * (pow((x_k - x_b).abs() / range, r) - pow((x_k - x_a).abs() / range, r))
}

/// The Condorcet median: the position, among the distinct `positions`, that beats every other
/// in a pairwise vote `Σ_k v_k(x_a, x_b) > 0` with `r = 1` and `weights[k] = c_k·s_k`.
///
/// Source: Scholz et al. 2011 (BDM's "median voter" forecast; `docs/reference-engines.md` §1:
/// the position that beats every other in pairwise votes, with `r = 1`). With `r = 1` on one
/// issue a weak Condorcet winner always exists (the weighted median); when no position beats
/// every other strictly (exact ties), the position with the largest smallest margin wins, and
/// among those the lowest. NaN when `positions` is empty.
pub fn condorcet_median(positions: &[f64], weights: &[f64], range: f64) -> f64 {
    condorcet_median_in(&mut Vec::new(), positions, weights, range)
}

/// [`condorcet_median`], sorting the candidates in `candidates` (a buffer kept between calls).
fn condorcet_median_in(
    candidates: &mut Vec<f64>,
    positions: &[f64],
    weights: &[f64],
    range: f64,
) -> f64 {
    candidates.clear();
    candidates.extend_from_slice(positions);
    candidates.sort_by(f64::total_cmp);
    candidates.dedup();
    let range = if range > 0.0 { range } else { 1.0 };
    let margin = |a: f64, b: f64| -> f64 {
        positions
            .iter()
            .zip(weights)
            .map(|(&x_k, &w_k)| vote(w_k, x_k, a, b, 1.0, range))
            .sum()
    };
    let mut best = f64::NAN;
    let mut best_margin = f64::NEG_INFINITY;
    for &a in candidates.iter() {
        let worst = candidates
            .iter()
            .filter(|&&b| b != a)
            .map(|&b| margin(a, b))
            .fold(f64::INFINITY, f64::min);
        if worst > 0.0 {
            return a;
        }
        if worst > best_margin {
            best_margin = worst;
            best = a;
        }
    }
    best
}

/// The weighted mean `Σ_k c_k·s_k·x_k / Σ_k c_k·s_k`, with `weights[k] = c_k·s_k`.
///
/// Source: Scholz et al. 2011, Table 2's "mean" (`docs/reference-engines.md` §1). NaN when the
/// weights sum to 0.
pub fn weighted_mean(positions: &[f64], weights: &[f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    positions
        .iter()
        .zip(weights)
        .map(|(x, w)| x * w)
        .sum::<f64>()
        / total
}

/// Every voter's votes over the current positions, with its own risk exponent: the table
/// behind `P(i beats j)`.
#[derive(Debug, Clone, PartialEq)]
pub struct VoteTable<'a> {
    positions: &'a [f64],
    weights: &'a [f64],
    b: TableBuffers,
}

/// What a [`VoteTable`] holds beside its inputs, kept from round to round.
#[derive(Debug, Clone, Default, PartialEq)]
struct TableBuffers {
    /// `(|x_k − x_a|/R)^{r_k}` at `k·n + a`.
    distance: Vec<f64>,
    /// Per actor, the first actor at the same position (itself if none): their columns of
    /// `distance` are equal.
    first: Vec<usize>,
    /// Per voter, the first voter with the same row of `distance` (itself if none).
    row: Vec<usize>,
}

impl<'a> VoteTable<'a> {
    /// Tabulates the votes of every actor `k` (weight `c_k·s_k`, exponent `risk[k]`) over
    /// the positions, on a range `R = range`.
    pub fn new(positions: &'a [f64], weights: &'a [f64], risk: &[f64], range: f64) -> Self {
        Self::in_buffers(TableBuffers::default(), positions, weights, risk, range)
    }

    /// [`VoteTable::new`] written in `b`, buffers kept between rounds
    /// ([`VoteTable::into_buffers`] gives them back).
    fn in_buffers(
        mut b: TableBuffers,
        positions: &'a [f64],
        weights: &'a [f64],
        risk: &[f64],
        range: f64,
    ) -> Self {
        let n = positions.len();
        b.first.clear();
        b.first
            .extend((0..n).map(|a| (0..a).find(|&c| positions[c] == positions[a]).unwrap_or(a)));
        let first = &b.first;
        // Voters at the same position with the same exponent have the same row.
        b.row.clear();
        b.row.extend((0..n).map(|k| {
            (0..k)
                .find(|&k2| first[k2] == first[k] && risk[k2] == risk[k])
                .unwrap_or(k)
        }));
        b.distance.clear();
        if risk.iter().all(|&r| r == 1.0) {
            // Risk-neutral: every entry is its own base, with nothing worth copying.
            for &x_k in positions {
                b.distance
                    .extend(positions.iter().map(|&x_a| (x_k - x_a).abs() / range));
            }
        } else {
            // An entry equal by its inputs to an earlier one is copied, not recomputed (the
            // powers are the costly part, and a copy is the same number).
            for k in 0..n {
                for a in 0..n {
                    let d = match b.row[k] {
                        k2 if k2 < k => b.distance[k2 * n + a],
                        _ if first[a] < a => b.distance[k * n + first[a]],
                        _ => pow((positions[k] - positions[a]).abs() / range, risk[k]),
                    };
                    b.distance.push(d);
                }
            }
        }
        Self {
            positions,
            weights,
            b,
        }
    }

    /// The buffers of the table, for the next [`VoteTable::in_buffers`].
    fn into_buffers(self) -> TableBuffers {
        self.b
    }

    /// The vote of actor `k` for actor `a`'s position over actor `b`'s, [`vote`].
    pub fn vote(&self, k: usize, a: usize, b: usize) -> f64 {
        let n = self.positions.len();
        self.weights[k] * (self.b.distance[k * n + b] - self.b.distance[k * n + a])
    }

    /// `Σ_k Σ_a Σ_b |v_k(x_a, x_b)|` over all triples of actors: the denominator of
    /// `P(i beats j)` in Scholz et al.'s code (`docs/reference-engines.md` §1).
    pub fn all_triples_mass(&self) -> f64 {
        let n = self.positions.len();
        let mut total = 0.0;
        // Per voter, the sum over its row (equal rows have equal sums).
        let mut sums = Vec::with_capacity(n);
        for k in 0..n {
            let sum_k = match self.b.row[k] {
                k2 if k2 < k => sums[k2],
                _ => {
                    let row = &self.b.distance[k * n..(k + 1) * n];
                    let mut sum_k = 0.0;
                    for &d_a in row {
                        for &d_b in row {
                            sum_k += (d_b - d_a).abs();
                        }
                    }
                    sum_k
                }
            };
            sums.push(sum_k);
            total += self.weights[k] * sum_k;
        }
        total
    }

    /// `P(i beats j) = Σ_k max(0, v_k(x_i, x_j)) / D`: the share of the votes that side with
    /// `i` against `j`.
    ///
    /// Source: Scholz et al. 2011. `denominator = None` takes the paper's
    /// `D = Σ_k |v_k(x_i, x_j)|` (so `P(i beats j) + P(j beats i) = 1`); `Some(d)` takes `d`,
    /// in Scholz et al.'s code [`VoteTable::all_triples_mass`]. 0 when `x_i = x_j` or when the
    /// denominator is 0 (no voter cares).
    pub fn probability(&self, i: usize, j: usize, denominator: Option<f64>) -> f64 {
        if self.positions[i] == self.positions[j] {
            return 0.0;
        }
        let n = self.positions.len();
        let mut support = 0.0;
        let mut pairwise = 0.0;
        for k in 0..n {
            let v = self.vote(k, i, j);
            support += v.max(0.0);
            pairwise += v.abs();
        }
        let d = denominator.unwrap_or(pairwise);
        if d > 0.0 { support / d } else { 0.0 }
    }

    /// `P(i beats j)` ([`VoteTable::probability`]) at `i·n + j` for every pair, in `p`: the
    /// pairs of actors at the same two positions have the same columns, so the same `P`.
    fn probabilities(&self, denominator: Option<f64>, p: &mut Vec<f64>) {
        let n = self.positions.len();
        let first = &self.b.first;
        p.clear();
        p.resize(n * n, 0.0);
        for i in 0..n {
            for j in 0..n {
                p[i * n + j] = match (first[i], first[j]) {
                    _ if i == j => 0.0,
                    (fi, fj) if fi < i || fj < j => p[fi * n + fj],
                    _ => self.probability(i, j, denominator),
                };
            }
        }
    }
}

/// `U_s = 2 − 4·(0.5 − 0.5·d)^r`: `i`'s utility of winning its challenge of `j`, with
/// `d = |x_i − x_j|/R` (clamped to [0, 1]) and `r = r_i`.
///
/// Source: Scholz et al. 2011 (`docs/reference-engines.md` §1).
pub fn utility_success(distance: f64, r: f64) -> f64 {
    2.0 - 4.0 * pow(0.5 - 0.5 * distance.clamp(0.0, 1.0), r)
}

/// `U_f = 2 − 4·(0.5 + 0.5·d)^r`: `i`'s utility of losing its challenge of `j`, with
/// `d = |x_i − x_j|/R` (clamped to [0, 1]) and `r = r_i`.
///
/// Source: Scholz et al. 2011 (`docs/reference-engines.md` §1).
pub fn utility_failure(distance: f64, r: f64) -> f64 {
    2.0 - 4.0 * pow(0.5 + 0.5 * distance.clamp(0.0, 1.0), r)
}

/// `U_sq = 2 − 4·0.5^r`: `i`'s utility of the status quo, `r = r_i`.
///
/// Source: Scholz et al. 2011 (`docs/reference-engines.md` §1).
pub fn utility_status_quo(r: f64) -> f64 {
    2.0 - 4.0 * pow(0.5, r)
}

/// `U_b = 2 − 4·(0.5 − 0.25·(d_μ + d))^r`: `i`'s utility of the status quo getting better,
/// with `d_μ = |x_i − μ|/R` (`μ` the median), `d = |x_i − x_j|/R`, `r = r_i`.
///
/// Source: Scholz et al. 2011 (BDM 1994); used only when `Q < 1`.
pub fn utility_better(median_distance: f64, distance: f64, r: f64) -> f64 {
    let spread = 0.25 * (median_distance + distance);
    2.0 - 4.0 * pow((0.5 - spread).clamp(0.0, 1.0), r)
}

/// `U_w = 2 − 4·(0.5 + 0.25·(d_μ + d))^r`: `i`'s utility of the status quo getting worse,
/// with `d_μ = |x_i − μ|/R` (`μ` the median), `d = |x_i − x_j|/R`, `r = r_i`.
///
/// Source: Scholz et al. 2011 (BDM 1994); used only when `Q < 1`.
pub fn utility_worse(median_distance: f64, distance: f64, r: f64) -> f64 {
    let spread = 0.25 * (median_distance + distance);
    2.0 - 4.0 * pow((0.5 + spread).clamp(0.0, 1.0), r)
}

/// The utilities behind one challenge `i → j`, all with the same risk exponent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChallengeUtilities {
    /// [`utility_success`].
    pub success: f64,
    /// [`utility_failure`].
    pub failure: f64,
    /// [`utility_status_quo`].
    pub status_quo: f64,
    /// [`utility_better`].
    pub better: f64,
    /// [`utility_worse`].
    pub worse: f64,
}

impl ChallengeUtilities {
    /// All five utilities for `d = |x_i − x_j|/R`, `d_μ = |x_i − μ|/R` and exponent `r`.
    pub fn new(distance: f64, median_distance: f64, r: f64) -> Self {
        Self::with_status_quo(distance, Some(median_distance), r, utility_status_quo(r))
    }

    /// The utilities with `status_quo` = [`utility_status_quo`] of `r`, computed once per
    /// actor. Without `median_distance` (`Q = 1`) `better` and `worse` drop out of
    /// [`expected_utility`], so they are set to 0 without being computed.
    fn with_status_quo(
        distance: f64,
        median_distance: Option<f64>,
        r: f64,
        status_quo: f64,
    ) -> Self {
        let (better, worse) = match median_distance {
            Some(m) => (
                utility_better(m, distance, r),
                utility_worse(m, distance, r),
            ),
            None => (0.0, 0.0),
        };
        Self {
            success: utility_success(distance, r),
            failure: utility_failure(distance, r),
            status_quo,
            better,
            worse,
        }
    }
}

/// `EU_i(i→j) = s_j·(P·U_s + (1 − P)·U_f) + (1 − s_j)·U_s − Q·U_sq − (1 − Q)·(T·U_b + (1 − T)·U_w)`:
/// `i`'s expected utility of challenging `j`, with `P = P(i beats j)`, `s_j` the salience of
/// the issue to `j` (the chance that `j` resists) and the utilities `u` of `i`.
///
/// Source: Scholz et al. 2011 (BDM 1994); the authors' code (`docs/reference-engines.md` §1)
/// uses the `Q = 1` case.
pub fn expected_utility(p: f64, salience_j: f64, u: &ChallengeUtilities, q: f64, t: f64) -> f64 {
    let challenge =
        salience_j * (p * u.success + (1.0 - p) * u.failure) + (1.0 - salience_j) * u.success;
    let status_quo = q * u.status_quo;
    if q == 1.0 {
        challenge - status_quo
    } else {
        challenge - status_quo - (1.0 - q) * (t * u.better + (1.0 - t) * u.worse)
    }
}

/// The risk exponent `r_i = (1 − R_i/3)/(1 + R_i/3)` with
/// `R_i = (2·danger_i − max − min)/(max − min)`; `danger_i = Σ_{j≠i} EU_j(j→i)` computed
/// with `r = 1`, and `max`, `min` the bounds it is normalised by.
///
/// Source: Scholz et al. 2011 (BDM 1985, 1994; `docs/reference-engines.md` §1). `r_i` runs
/// from 2 (`danger_i = min`: the safest, risk-averse) to 0.5 (`danger_i = max`: the most
/// exposed, risk-acceptant). 1 when `max = min`.
pub fn risk_exponent(danger: f64, max: f64, min: f64) -> f64 {
    if max <= min {
        return 1.0;
    }
    let big_r = ((2.0 * danger - max - min) / (max - min)).clamp(-1.0, 1.0);
    (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
}

/// [`risk_exponent`] of every actor, normalised by the largest and smallest danger among the
/// actors (Scholz et al.'s code).
pub fn risk_exponents(danger: &[f64]) -> Vec<f64> {
    let mut risk = Vec::new();
    risk_exponents_into(danger, &mut risk);
    risk
}

/// [`risk_exponents`] written in `risk`.
fn risk_exponents_into(danger: &[f64], risk: &mut Vec<f64>) {
    let max = danger.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = danger.iter().copied().fold(f64::INFINITY, f64::min);
    risk.clear();
    risk.extend(danger.iter().map(|&d| risk_exponent(d, max, min)));
}

/// What `j`'s offer to `i` is, from `eu_i = EU_i(i→j)` and `eu_j = EU_j(j→i)` (both as `i`
/// perceives them):
///
/// * confrontation `i` loses when `eu_j > eu_i > 0`;
/// * compromise when `eu_j > 0 > eu_i` and `eu_j > |eu_i|`;
/// * capitulation when `eu_j > 0 > eu_i` and `|eu_i| ≥ eu_j` — only under
///   [`Conventions::Paper`] (it never fires in Scholz et al.'s code);
/// * no offer otherwise.
///
/// Source: BDM's quadrants as in Scholz et al. 2011 (`docs/reference-engines.md` §1).
pub fn classify_offer(eu_i: f64, eu_j: f64, conventions: Conventions) -> Option<MoveKind> {
    if eu_j > eu_i && eu_i > 0.0 {
        Some(MoveKind::Confrontation)
    } else if eu_j > 0.0 && eu_i < 0.0 {
        if eu_j > eu_i.abs() {
            Some(MoveKind::Compromise)
        } else if conventions == Conventions::Paper {
            Some(MoveKind::Capitulation)
        } else {
            None
        }
    } else {
        None
    }
}

/// Where a compromise takes `i`: `x_i + (x_j − x_i)·|eu_i/eu_j|`, part of the way towards
/// `x_j` in proportion to `i`'s expected loss over `j`'s expected gain.
///
/// Source: Scholz et al. 2011 (`docs/reference-engines.md` §1).
pub fn compromise_position(x_i: f64, x_j: f64, eu_i: f64, eu_j: f64) -> f64 {
    x_i + (x_j - x_i) * (eu_i / eu_j).abs()
}

/// The key by which Scholz et al.'s code chooses among compromise offers (the smallest wins):
/// `(|eu_i|·x_i + |eu_j|·x_j)/(|eu_i| + |eu_j|)`.
///
/// Source: the authors' code (`docs/reference-engines.md` §1: the compromise with the smallest
/// weighted average of the two positions).
pub fn compromise_choice_key(x_i: f64, x_j: f64, eu_i: f64, eu_j: f64) -> f64 {
    (eu_i.abs() * x_i + eu_j.abs() * x_j) / (eu_i.abs() + eu_j.abs())
}

/// `T` in [`expected_utility`] (see the module documentation: the text gives no estimate).
const T: f64 = 1.0;

/// The state of one round that the expected utilities are computed on.
struct Board<'a> {
    x: &'a [f64],
    weights: &'a [f64],
    salience: &'a [f64],
    range: f64,
    median: f64,
    q: f64,
    conventions: Conventions,
}

/// What one actor's challenges depend on through the other's position alone: per distinct
/// position `x_j` (per distinct `|x_i − x_j|` when `Q = 1`), the utilities of `i → j` and (as
/// `i` perceives them) of `j → i`.
type Challenges = Vec<(f64, ChallengeUtilities, ChallengeUtilities)>;

/// The buffers a round's formulas write in, kept from round to round and run to run so that
/// a round allocates nothing once the first has run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// A [`VoteTable`]'s buffers.
    table: TableBuffers,
    /// `P` of the risk-neutral pass.
    neutral_p: Vec<f64>,
    /// Every actor's danger.
    danger: Vec<f64>,
    /// Exponents of 1, one per actor.
    ones: Vec<f64>,
    /// The positions with one actor moved (the paper's risk).
    moved: Vec<f64>,
    /// The distinct positions, sorted.
    alternatives: Vec<f64>,
    /// The candidates of [`condorcet_median_in`].
    pub(crate) candidates: Vec<f64>,
    /// Per actor, its [`Challenges`].
    challenges: Vec<Challenges>,
}

impl Board<'_> {
    fn n(&self) -> usize {
        self.x.len()
    }

    /// The denominator of `P` for `table` ([`VoteTable::probability`]).
    fn denominator(&self, table: &VoteTable<'_>) -> Option<f64> {
        match self.conventions {
            Conventions::ScholzCode => Some(table.all_triples_mass()),
            Conventions::Paper => None,
        }
    }

    /// `P(i beats j)` at `i·n + j` for every pair, votes with the exponents `risk`, in `p`.
    fn probabilities(&self, risk: &[f64], table: &mut TableBuffers, p: &mut Vec<f64>) {
        let t = VoteTable::in_buffers(
            std::mem::take(table),
            self.x,
            self.weights,
            risk,
            self.range,
        );
        t.probabilities(self.denominator(&t), p);
        *table = t.into_buffers();
    }

    /// The utilities behind `i`'s challenge of `j`, with the risk exponent `r` and
    /// `status_quo` = [`utility_status_quo`] of `r`.
    fn utilities(&self, i: usize, j: usize, r: f64, status_quo: f64) -> ChallengeUtilities {
        let distance = (self.x[i] - self.x[j]).abs() / self.range;
        let median_distance = (self.q != 1.0).then(|| (self.x[i] - self.median).abs() / self.range);
        ChallengeUtilities::with_status_quo(distance, median_distance, r, status_quo)
    }

    /// `EU_i(i→j)` with `p = P(i beats j)`, risk-neutral (`r = 1`).
    fn neutral_expected_utility(&self, p: f64, i: usize, j: usize) -> f64 {
        let u = self.utilities(i, j, 1.0, utility_status_quo(1.0));
        expected_utility(p, self.salience[j], &u, self.q, T)
    }

    /// `danger_i = Σ_{j≠i} EU_j(j→i)` of every actor, with `r = 1` throughout, in
    /// `scratch.danger`.
    fn dangers(&self, scratch: &mut Scratch) {
        let n = self.n();
        scratch.ones.clear();
        scratch.ones.resize(n, 1.0);
        let mut p = std::mem::take(&mut scratch.neutral_p);
        self.probabilities(&scratch.ones, &mut scratch.table, &mut p);
        scratch.danger.clear();
        scratch.danger.extend((0..n).map(|i| {
            (0..n)
                .filter(|&j| j != i)
                .map(|j| self.neutral_expected_utility(p[j * n + i], j, i))
                .sum::<f64>()
        }));
        scratch.neutral_p = p;
    }

    /// `danger_i` of actor `i` alone, with `r = 1` throughout (`ones`: an exponent of 1 per
    /// actor).
    fn danger_of(&self, i: usize, ones: &[f64], table: &mut TableBuffers) -> f64 {
        let n = self.n();
        let t = VoteTable::in_buffers(
            std::mem::take(table),
            self.x,
            self.weights,
            ones,
            self.range,
        );
        let denominator = self.denominator(&t);
        let danger = (0..n)
            .filter(|&j| j != i)
            .map(|j| self.neutral_expected_utility(t.probability(j, i, denominator), j, i))
            .sum();
        *table = t.into_buffers();
        danger
    }

    /// The risk exponents of the round (first pass), in `risk`.
    fn risk(&self, scratch: &mut Scratch, risk: &mut Vec<f64>) {
        self.dangers(scratch);
        match self.conventions {
            Conventions::ScholzCode => risk_exponents_into(&scratch.danger, risk),
            Conventions::Paper => {
                // Normalise each actor's danger by the extremes it would meet at the
                // positions it could have taken: every position on the table.
                let Scratch {
                    table,
                    danger,
                    ones,
                    moved,
                    alternatives,
                    candidates,
                    ..
                } = scratch;
                alternatives.clear();
                alternatives.extend_from_slice(self.x);
                alternatives.sort_by(f64::total_cmp);
                alternatives.dedup();
                moved.clear();
                moved.extend_from_slice(self.x);
                risk.clear();
                for i in 0..self.n() {
                    let (mut max, mut min) = (danger[i], danger[i]);
                    for &y in alternatives.iter() {
                        moved[i] = y;
                        let board = Board {
                            x: moved,
                            median: if self.q == 1.0 {
                                self.median
                            } else {
                                condorcet_median_in(candidates, moved, self.weights, self.range)
                            },
                            ..*self
                        };
                        let d = board.danger_of(i, ones, table);
                        max = max.max(d);
                        min = min.min(d);
                    }
                    moved[i] = self.x[i];
                    risk.push(risk_exponent(danger[i], max, min));
                }
            }
        }
    }

    /// What actor `i` expects of a challenge with every actor at another position, given the
    /// round's `P` and risk exponents: its own `EU_i(i→j)` and its perception of `EU_j(j→i)`,
    /// both with `i`'s exponent (see the module documentation), in `out`. Actors at `i`'s own
    /// position have nothing to offer it and are left out. `challenges` holds, per actor
    /// before `i`, what [`Challenges`] it computed this round.
    fn expectations(
        &self,
        p: &[f64],
        risk: &[f64],
        i: usize,
        challenges: &mut [Challenges],
        out: &mut Vec<Expectation>,
    ) {
        let n = self.n();
        // The utilities depend on `j` only through `x_j`, and on `i` through `x_i` and `r_i`:
        // computed once per distinct position, or taken from an earlier actor at the same
        // position with the same exponent (the costly part is the powers).
        let twin = (0..i).find(|&t| self.x[t] == self.x[i] && risk[t] == risk[i]);
        let (done, rest) = challenges.split_at_mut(i);
        let mine = &mut rest[0];
        if twin.is_none() {
            mine.clear();
        }
        let status_quo = utility_status_quo(risk[i]);
        out.clear();
        for j in (0..n).filter(|&j| self.x[j] != self.x[i]) {
            let seen: &Challenges = match twin {
                Some(t) => &done[t],
                None => mine,
            };
            // With Q = 1 the utilities depend on `x_j` only through the distance.
            let key = if self.q == 1.0 {
                (self.x[i] - self.x[j]).abs()
            } else {
                self.x[j]
            };
            let found = seen.iter().find(|(x, _, _)| *x == key);
            let (own, theirs) = match found.map(|&(_, own, theirs)| (own, theirs)) {
                Some(u) => u,
                None => {
                    let own = self.utilities(i, j, risk[i], status_quo);
                    // With Q = 1 the utilities depend only on the distance and the exponent,
                    // which both challenges share.
                    let theirs = if self.q == 1.0 {
                        own
                    } else {
                        self.utilities(j, i, risk[i], status_quo)
                    };
                    if twin.is_none() {
                        mine.push((key, own, theirs));
                    }
                    (own, theirs)
                }
            };
            out.push(Expectation {
                other: j,
                own: expected_utility(p[i * n + j], self.salience[j], &own, self.q, T),
                theirs: expected_utility(p[j * n + i], self.salience[i], &theirs, self.q, T),
            });
        }
    }

    /// The offer actor `i` takes, if any, from its expectations of the others.
    fn choose(&self, i: usize, expectations: &[Expectation]) -> Option<Move> {
        let x_i = self.x[i];
        // (key, move): the smallest key wins, ties to the first offerer.
        let mut confrontation: Option<(f64, Move)> = None;
        let mut compromise: Option<(f64, Move)> = None;
        for e in expectations {
            let (j, eu_i, eu_j) = (e.other, e.own, e.theirs);
            let x_j = self.x[j];
            let Some(kind) = classify_offer(eu_i, eu_j, self.conventions) else {
                continue;
            };
            let to = match kind {
                MoveKind::Compromise => compromise_position(x_i, x_j, eu_i, eu_j),
                MoveKind::Confrontation | MoveKind::Capitulation => x_j,
            };
            let offer = Move {
                actor: i,
                to,
                kind,
                with: j,
                eu: eu_j,
            };
            let (slot, key) = match (self.conventions, kind) {
                (Conventions::Paper, _) => (&mut confrontation, (to - x_i).abs()),
                (Conventions::ScholzCode, MoveKind::Compromise) => {
                    (&mut compromise, compromise_choice_key(x_i, x_j, eu_i, eu_j))
                }
                (Conventions::ScholzCode, _) => (&mut confrontation, (x_j - x_i).abs()),
            };
            if slot.as_ref().is_none_or(|(best, _)| key < *best) {
                *slot = Some((key, offer));
            }
        }
        confrontation.or(compromise).map(|(_, offer)| offer)
    }
}

/// Plays `rounds` rounds from the actors' positions on a fresh [`schedule::Engine`]; returns
/// round 0 (the input: positions, median, mean) then one record per round.
///
/// Each round: the range `R` (fixed or the current one, [`Options::fixed_range`]), the median
/// `μ`, a risk-neutral pass giving every actor's danger and risk exponent, a pass with those
/// exponents giving the offers, then every actor takes its chosen offer at once. When `R = 0`
/// (all actors agree) nobody moves and every exponent is 1. With no actors the median and
/// mean are NaN.
pub fn simulate(actors: &[Actor], options: &Options, rounds: usize) -> Vec<Round> {
    schedule::Engine::new(actors, options).run(rounds).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BDM 1994 Table 1 as reproduced by Scholz et al. 2011 (`docs/reference-engines.md` §1).
    fn emission_standards() -> Vec<Actor> {
        [
            ("Netherlands", 0.08, 4.0, 0.8),
            ("Belgium", 0.08, 7.0, 0.4),
            ("Luxembourg", 0.03, 4.0, 0.2),
            ("Germany", 0.16, 4.0, 0.8),
            ("France", 0.16, 10.0, 0.6),
            ("Italy", 0.16, 10.0, 0.6),
            ("UK", 0.16, 10.0, 0.9),
            ("Ireland", 0.05, 7.0, 0.1),
            ("Denmark", 0.05, 4.0, 1.0),
            ("Greece", 0.08, 7.0, 0.7),
        ]
        .iter()
        .map(|&(name, capability, position, salience)| Actor {
            name: name.to_string(),
            capability,
            position,
            salience,
        })
        .collect()
    }

    /// `docs/reference-engines.md` §1, the "Scholz-code" regression trajectory: round, median,
    /// mean, then the positions of Netherlands, Belgium, Luxembourg, Germany, France, Italy, UK,
    /// Ireland, Denmark, Greece.
    #[rustfmt::skip]
    const TRAJECTORY: [[f64; 13]; 11] = [
        [0.0,  7.000000, 7.389956, 4.0, 7.000000, 4.000000, 4.0, 10.0, 10.0, 10.0, 7.000000, 4.0, 7.0],
        [1.0,  8.415932, 7.461314, 4.0, 8.415932, 7.000000, 4.0, 10.0, 10.0, 10.0, 4.000000, 4.0, 7.0],
        [2.0,  9.610859, 7.552501, 4.0, 9.610859, 8.415932, 4.0, 10.0, 10.0, 10.0, 7.000000, 4.0, 7.0],
        [3.0,  9.961980, 7.590145, 4.0, 9.961980, 9.610859, 4.0, 10.0, 10.0, 10.0, 8.415932, 4.0, 7.0],
        [4.0,  9.961980, 7.358131, 4.0, 4.800881, 9.961980, 4.0, 10.0, 10.0, 10.0, 9.610859, 4.0, 7.0],
        [5.0,  9.961980, 7.349174, 4.0, 5.524238, 4.800881, 4.0, 10.0, 10.0, 10.0, 9.961980, 4.0, 7.0],
        [6.0,  7.472046, 7.414878, 4.0, 7.472046, 5.524238, 4.0, 10.0, 10.0, 10.0, 5.524238, 4.0, 7.0],
        [7.0,  8.824594, 7.510457, 4.0, 8.824594, 7.472046, 4.0, 10.0, 10.0, 10.0, 7.472046, 4.0, 7.0],
        [8.0,  9.671130, 7.572447, 4.0, 9.671130, 8.824594, 4.0, 10.0, 10.0, 10.0, 8.824594, 4.0, 7.0],
        [9.0,  9.671130, 7.324989, 4.0, 4.144849, 9.671130, 4.0, 10.0, 10.0, 10.0, 9.671130, 4.0, 7.0],
        [10.0, 7.000000, 7.242131, 4.0, 4.291541, 4.144849, 4.0, 10.0, 10.0, 10.0, 4.144849, 4.0, 7.0],
    ];

    /// `docs/reference-engines.md` §1: round-1 risk exponents under the Scholz-code conventions.
    const ROUND1_RISK: [f64; 10] = [
        1.405653, 0.754196, 0.508864, 1.405653, 1.046524, 1.046524, 1.964898, 0.500000, 2.000000,
        1.112125,
    ];

    /// The paper's Table 2 (rounds 1–8): median, mean.
    const TABLE2: [(f64, f64); 8] = [
        (8.4, 7.4),
        (9.9, 7.5),
        (9.9, 7.6),
        (9.9, 7.3),
        (9.9, 7.3),
        (7.4, 7.4),
        (8.8, 7.5),
        (9.6, 7.6),
    ];

    /// The first value of `got` that differs from the table by more than `tol`, as
    /// "round r, what: got vs expected".
    fn first_divergence(got: &[Round], tol: f64) -> Option<String> {
        let names = emission_standards();
        for row in TRAJECTORY {
            let t = row[0] as usize;
            let round = &got[t];
            let mut checks = vec![("median".to_string(), round.median, row[1])];
            checks.push(("mean".to_string(), round.mean, row[2]));
            for (a, actor) in names.iter().enumerate() {
                checks.push((actor.name.clone(), round.positions[a], row[3 + a]));
            }
            for (what, value, expected) in checks {
                if (value - expected).abs() > tol || value.is_nan() {
                    return Some(format!(
                        "round {t}, {what}: {value:.9} vs expected {expected:.6}"
                    ));
                }
            }
        }
        None
    }

    #[test]
    fn scholz_code_reproduces_the_regression_trajectory() {
        let rounds = simulate(&emission_standards(), &Options::scholz_code(), 10);
        assert_eq!(rounds.len(), 11);
        if let Some(divergence) = first_divergence(&rounds, 1e-6) {
            panic!("first divergence: {divergence}");
        }
        // The table is printed to 6 decimals: the match is to rounding.
        let worst = TRAJECTORY
            .iter()
            .flat_map(|row| {
                let r = &rounds[row[0] as usize];
                let got = [r.median, r.mean]
                    .into_iter()
                    .chain(r.positions.iter().copied());
                got.zip(&row[1..]).map(|(g, e)| (g - e).abs())
            })
            .fold(0.0, f64::max);
        assert!(worst <= 5.000_1e-7, "worst deviation {worst:e}");
    }

    #[test]
    fn scholz_code_round_one_risk_and_moves() {
        let rounds = simulate(&emission_standards(), &Options::scholz_code(), 1);
        let round = &rounds[1];
        for (a, (&got, &expected)) in round.risk.iter().zip(&ROUND1_RISK).enumerate() {
            assert!(
                (got - expected).abs() <= 1e-6,
                "actor {a}: r = {got:.9}, expected {expected}"
            );
        }
        let summary: Vec<(usize, MoveKind, usize)> = round
            .moves
            .iter()
            .map(|m| (m.actor, m.kind, m.with))
            .collect();
        assert_eq!(
            summary,
            [
                (1, MoveKind::Compromise, 4),    // Belgium compromises with France
                (2, MoveKind::Confrontation, 1), // Luxembourg loses to Belgium
                (7, MoveKind::Confrontation, 2), // Ireland loses to Luxembourg
            ]
        );
        let to: Vec<f64> = round.moves.iter().map(|m| m.to).collect();
        assert!((to[0] - 8.415932).abs() <= 1e-6, "{}", to[0]);
        assert_eq!(to[1], 7.0);
        assert_eq!(to[2], 4.0);
        assert!(round.moves.iter().all(|m| m.eu > 0.0));
    }

    fn table2_errors(options: &Options) -> Vec<(f64, f64, f64, f64)> {
        let rounds = simulate(&emission_standards(), options, 8);
        rounds[1..]
            .iter()
            .zip(TABLE2)
            .map(|(r, (median, mean))| (r.median, median, r.mean, mean))
            .collect()
    }

    fn print_table2(label: &str, rows: &[(f64, f64, f64, f64)]) {
        println!("{label}: round  median (Table 2)  mean (Table 2)");
        for (t, (median, m2, mean, mean2)) in rows.iter().enumerate() {
            println!("  {}  {median:.3} ({m2})  {mean:.3} ({mean2})", t + 1);
        }
    }

    #[test]
    fn scholz_code_reproduces_table_2() {
        let rows = table2_errors(&Options::scholz_code());
        print_table2("ScholzCode", &rows);
        for (t, (median, m2, mean, mean2)) in rows.into_iter().enumerate() {
            assert!(
                (median - m2).abs() <= 0.3,
                "round {}: median {median}",
                t + 1
            );
            assert!((mean - mean2).abs() <= 0.3, "round {}: mean {mean}", t + 1);
        }
    }

    #[test]
    fn paper_against_table_2() {
        let rows = table2_errors(&Options::paper());
        print_table2("Paper", &rows);
        let off = rows
            .iter()
            .filter(|(median, m2, mean, mean2)| {
                (median - m2).abs() > 0.3 || (mean - mean2).abs() > 0.3
            })
            .count();
        println!("Paper: {off} of 8 rounds outside ±0.3");
        // The paper's reading has no regression target: only sanity is asserted.
        for (median, _, mean, _) in rows {
            assert!((4.0..=10.0).contains(&median) && (4.0..=10.0).contains(&mean));
        }
    }

    #[test]
    fn round_zero_is_the_input() {
        let actors = emission_standards();
        let rounds = simulate(&actors, &Options::paper(), 0);
        assert_eq!(rounds.len(), 1);
        let r0 = &rounds[0];
        let x: Vec<f64> = actors.iter().map(|a| a.position).collect();
        assert_eq!(r0.positions, x);
        assert_eq!(r0.median, 7.0);
        assert!((r0.mean - 5.003 / 0.677).abs() < 1e-12);
        assert!(r0.risk.is_empty() && r0.moves.is_empty());
    }

    #[test]
    fn consensus_and_empty_inputs_do_not_move_or_fail() {
        let mut actors = emission_standards();
        for a in &mut actors {
            a.position = 5.0;
        }
        for options in [Options::scholz_code(), Options::paper()] {
            let rounds = simulate(&actors, &options, 3);
            for r in &rounds[1..] {
                assert!(r.moves.is_empty());
                assert_eq!(r.median, 5.0);
                assert!((r.mean - 5.0).abs() < 1e-12);
                assert_eq!(r.risk, vec![1.0; 10]);
            }
            let empty = simulate(&[], &options, 2);
            assert_eq!(empty.len(), 3);
            assert!(empty[2].positions.is_empty() && empty[2].median.is_nan());
        }
    }

    #[test]
    fn helpers_follow_their_formulas() {
        // vote: antisymmetric, zero for equal positions, sign follows proximity.
        let v = vote(0.5, 4.0, 5.0, 9.0, 1.3, 6.0);
        assert!(v > 0.0);
        assert_eq!(v, -vote(0.5, 4.0, 9.0, 5.0, 1.3, 6.0));
        assert_eq!(vote(0.5, 4.0, 7.0, 7.0, 0.7, 6.0), 0.0);
        // The r = 1 shortcut is what libm::pow returns.
        for base in [0.0, 0.1, 0.25, 0.5, 0.999, 1.0] {
            assert_eq!(pow(base, 1.0).to_bits(), libm::pow(base, 1.0).to_bits());
        }
        // Utilities at the extremes.
        assert_eq!(utility_success(0.0, 1.7), utility_status_quo(1.7));
        assert_eq!(utility_failure(1.0, 1.0), -2.0);
        assert_eq!(utility_success(1.0, 1.0), 2.0);
        assert_eq!(utility_status_quo(1.0), 0.0);
        // EU: with Q = 1 no challenge of an equal position is worth anything.
        let u = ChallengeUtilities::new(0.0, 0.3, 1.4);
        assert!(expected_utility(0.3, 0.6, &u, 1.0, T).abs() < 1e-15);
        // Paper P sums to one over a pair; the code's is far smaller.
        let actors = emission_standards();
        let x: Vec<f64> = actors.iter().map(|a| a.position).collect();
        let w: Vec<f64> = actors.iter().map(|a| a.capability * a.salience).collect();
        let table = VoteTable::new(&x, &w, &ROUND1_RISK, 6.0);
        let (p_bf, p_fb) = (table.probability(1, 4, None), table.probability(4, 1, None));
        assert!((p_bf + p_fb - 1.0).abs() < 1e-12);
        let mass = table.all_triples_mass();
        let brute: f64 = (0..10)
            .flat_map(|k| (0..10).flat_map(move |a| (0..10).map(move |b| (k, a, b))))
            .map(|(k, a, b)| table.vote(k, a, b).abs())
            .sum();
        assert!((mass - brute).abs() < 1e-12);
        assert!(table.probability(1, 4, Some(mass)) < p_bf);
        assert_eq!(table.probability(0, 2, None), 0.0); // same position
        // Risk exponents span [0.5, 2].
        let r = risk_exponents(&[3.0, 1.0, 2.0]);
        for (got, expected) in r.into_iter().zip([0.5, 2.0, 1.0]) {
            assert!((got - expected).abs() < 1e-12, "{got}");
        }
        assert_eq!(risk_exponent(1.0, 1.0, 1.0), 1.0);
        // Offers.
        let s = Conventions::ScholzCode;
        assert_eq!(classify_offer(0.1, 0.2, s), Some(MoveKind::Confrontation));
        assert_eq!(classify_offer(0.2, 0.1, s), None);
        assert_eq!(classify_offer(-0.1, 0.2, s), Some(MoveKind::Compromise));
        assert_eq!(classify_offer(-0.3, 0.2, s), None);
        assert_eq!(
            classify_offer(-0.3, 0.2, Conventions::Paper),
            Some(MoveKind::Capitulation)
        );
        assert_eq!(compromise_position(7.0, 10.0, -0.1, 0.2), 8.5);
        // The median is the weighted median for r = 1.
        assert_eq!(condorcet_median(&x, &w, 6.0), 7.0);
        assert_eq!(condorcet_median(&[1.0, 3.0], &[1.0, 1.0], 2.0), 1.0); // exact tie
    }

    #[test]
    fn q_below_one_runs() {
        let options = Options {
            q: 0.5,
            ..Options::paper()
        };
        let rounds = simulate(&emission_standards(), &options, 8);
        assert!(
            rounds
                .iter()
                .all(|r| r.median.is_finite() && r.mean.is_finite())
        );
    }
}
