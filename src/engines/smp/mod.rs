//! Core of KTAB's Spatial Model of Politics (SMP), re-implemented in Rust from a reading of
//! the KTAB C++ sources (`smp.cpp`, `smpbcn.cpp`, `kmodel.cpp`, `kstate.cpp`).
//!
//! Positions and saliences are given on KTAB's 0–100 input scale and divided by 100 internally,
//! exactly as KTAB's CSV reader does. Capabilities ("power") are used as given; with the
//! proportional voting rule and the linear victory-probability model their scale cancels.
//!
//! Every actor has an *ideal* beside its position: it values positions by their distance from
//! its ideal. After each turn the ideals move toward the new positions through the
//! ideal-accommodation matrix ([`accommodate`]); with KTAB's default, the identity, ideals are
//! the positions. State transitions are deterministic (each actor adopts its most probable
//! bargain) or stochastic (it draws one with those probabilities, from a seeded stream).
//!
//! The formulas are here; [`schedule`] runs them as a `bevy_ecs` schedule, one phase per step of
//! a turn.

pub mod schedule;

use serde::{Deserialize, Serialize};

pub use crate::scenario::engine::smp::{
    Accommodation, BargnModel, BigRAdjust, BigRRange, InterVecBrgn, PceModel, Settings,
    StateTransitions, ThirdPartyCommit, VictoryProbModel, VotingRule,
};

/// One actor of the spatial model, on KTAB's 0–100 input scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmpActor {
    /// Actor name.
    pub name: String,
    /// Scalar capability ("power").
    pub power: f64,
    /// Position per dimension, 0–100.
    pub position: Vec<f64>,
    /// Salience per dimension, 0–100 (the sum over dimensions must not exceed 100).
    pub salience: Vec<f64>,
}

/// One state of the model run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmpState {
    /// Positions, `positions[actor][dim]`, on the 0–100 scale.
    pub positions: Vec<Vec<f64>>,
    /// Probability that each actor's position wins (actors sharing a position share it).
    pub win_prob: Vec<f64>,
    /// Risk attitudes inferred in this state (before its bargaining step).
    pub risk_attitudes: Vec<f64>,
    /// Change from the previous state relative to the first step (`None` for state 0).
    pub frac_change: Option<f64>,
    /// Ideals, `ideals[actor][dim]`, on the 0–100 scale (the positions under identity
    /// accommodation).
    pub ideals: Vec<Vec<f64>>,
    /// The turn played from this state (`None` for the last state).
    pub turn: Option<Turn>,
}

/// What one turn did: the challenges chosen and the bargain each actor adopted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Per actor, the challenge it chose (`None`: no challenge worth making).
    pub challenges: Vec<Option<Challenge>>,
    /// Per actor, the bargain it adopted.
    pub adopted: Vec<Adoption>,
    /// Per actor, every bargain put to it (its status quo first) with the probability the
    /// election gave it.
    pub bargains: Vec<Vec<Offered>>,
}

/// A bargain put to an actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offered {
    /// Initiator (the actor itself, with `receiver`, for its status quo).
    pub initiator: usize,
    /// Receiver.
    pub receiver: usize,
    /// The probability the election among the actor's bargains gave this one.
    pub probability: f64,
    /// The position the actor would take under it, 0–100.
    pub position: Vec<f64>,
}

/// A challenge an actor chose: the target with the highest expected gain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenge {
    /// Index of the actor challenged.
    pub target: usize,
    /// The challenger's estimate of its probability to win the contest.
    pub p_win: f64,
    /// The challenger's expected utility gain from challenging.
    pub gain: f64,
}

/// The bargain an actor adopted, among those put to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adoption {
    /// Initiator of the bargain (the actor itself when it kept its position).
    pub initiator: usize,
    /// Receiver of the bargain.
    pub receiver: usize,
    /// The probability the election gave this bargain among those put to the actor.
    pub probability: f64,
    /// The highest probability among them (the deterministic transition's choice).
    pub top_probability: f64,
    /// How many bargains were put to the actor (its own status quo included).
    pub offered: usize,
    /// Its place among them (in [`Turn::bargains`]).
    pub index: usize,
    /// The position it adopts, 0–100.
    pub position: Vec<f64>,
}

// ---------------------------------------------------------------------------
// Generic KTAB model-library pieces

fn vote(vr: VotingRule, w: f64, ui: f64, uj: f64) -> f64 {
    assert!(w > 0.0, "non-positive voting weight");
    let du = ui - uj;
    let r_bin = (du / 1e-8).clamp(-1.0, 1.0);
    let r_cub = du * du * du;
    match vr {
        VotingRule::Binary => w * r_bin,
        VotingRule::PropBin => w * (0.8 * du + 0.2 * r_bin),
        VotingRule::Proportional => w * du,
        VotingRule::PropCbc => w * (0.5 * du + 0.5 * r_cub),
        VotingRule::Cubic => w * r_cub,
        VotingRule::ASymProsp => {
            if du < 0.0 {
                w * du
            } else if du > 0.0 {
                2.0 * w * du / 3.0
            } else {
                0.0
            }
        }
    }
}

fn vprob_pair(vpm: VictoryProbModel, s1: f64, s2: f64) -> (f64, f64) {
    let (x1, x2) = match vpm {
        VictoryProbModel::Linear => (s1, s2),
        VictoryProbModel::Square => (s1 * s1, s2 * s2),
        VictoryProbModel::Quartic => (libm::pow(s1, 4.0), libm::pow(s2, 4.0)),
        VictoryProbModel::Octic => (libm::pow(s1, 8.0), libm::pow(s2, 8.0)),
        VictoryProbModel::Binary => {
            let t = 1.10;
            if s1 >= t * s2 {
                (1.0, 1e-6)
            } else if s2 >= t * s1 {
                (1e-6, 1.0)
            } else {
                let r12 = s1 / (s1 + s2);
                let p12 = (r12 * (t + 1.0) - 1.0) / (t - 1.0);
                (p12, 1.0 - p12)
            }
        }
    };
    (x1 / (x1 + x2), x2 / (x1 + x2))
}

type Mat = Vec<Vec<f64>>;

/// c[i][j] = strength of the coalition for option i against option j.
fn coalitions(vfn: impl Fn(usize, usize, usize) -> f64, n_act: usize, n_opt: usize) -> Mat {
    let min_c = 1e-8;
    let mut c = vec![vec![min_c; n_opt]; n_opt];
    // scan only the lower-left triangle; the diagonal stays at `min_c`
    let pairs = (0..n_opt).flat_map(|i| (0..i).map(move |j| (i, j)));
    for (i, j) in pairs {
        let (mut cij, mut cji) = (min_c, min_c);
        for k in 0..n_act {
            let v = vfn(k, i, j);
            if v > 0.0 {
                cij += v;
            }
            if v < 0.0 {
                cji -= v;
            }
        }
        c[i][j] = cij;
        c[j][i] = cji;
    }
    c
}

fn vprob_matrix(vpm: VictoryProbModel, c: &Mat) -> Mat {
    let n = c.len();
    let mut p = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..i {
            let (a, b) = vprob_pair(vpm, c[i][j], c[j][i]);
            p[i][j] = a;
            p[j][i] = b;
        }
        p[i][i] = 0.5;
    }
    p
}

fn cond_pce(pv: &Mat) -> Vec<f64> {
    let p: Vec<f64> = pv.iter().map(|row| row.iter().product()).collect();
    let s: f64 = p.iter().sum();
    p.iter().map(|x| x / s).collect()
}

fn markov_uniform_pce(pv: &Mat) -> Vec<f64> {
    let n = pv.len();
    let mut p = vec![1.0 / n as f64; n];
    let mut change = 1.0;
    while change > 1e-6 {
        change = 0.0;
        let mut q = vec![0.0; n];
        for i in 0..n {
            let s: f64 = (0..n).map(|j| pv[i][j] * (p[i] + p[j])).sum();
            q[i] = s / n as f64;
            change = f64::max(change, (q[i] - p[i]).abs());
        }
        for i in 0..n {
            p[i] = (p[i] + q[i]) / 2.0;
        }
    }
    p
}

fn markov_incentive_pce(c: &Mat, vpm: VictoryProbModel) -> Vec<f64> {
    let n = c.len();
    let vp = vprob_matrix(vpm, c);
    let inc: Mat = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| c[i][j] * vp[i][j] + if i == j { 1e-10 } else { 0.0 })
                .collect()
        })
        .collect();
    let chlg: Mat = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| inc[i][j] / (0..n).map(|k| inc[k][j]).sum::<f64>())
                .collect()
        })
        .collect();
    let mut p = vec![1.0 / n as f64; n];
    let mut change = 1.0;
    while change > 1e-8 {
        let ct: Mat = (0..n)
            .map(|i| (0..n).map(|j| p[i] * chlg[j][i]).collect())
            .collect();
        change = 0.0;
        let mut q = vec![0.0; n];
        for i in 0..n {
            q[i] = (0..n).map(|j| vp[i][j] * (ct[i][j] + ct[j][i])).sum();
            change = f64::max(change, (q[i] - p[i]).abs());
        }
        for i in 0..n {
            p[i] = (p[i] + q[i]) / 2.0;
        }
    }
    p
}

fn prob_ce2(pcem: PceModel, vpm: VictoryProbModel, c: &Mat) -> Vec<f64> {
    match pcem {
        PceModel::Conditional => cond_pce(&vprob_matrix(vpm, c)),
        PceModel::MarkovIncentive => markov_incentive_pce(c, vpm),
        PceModel::MarkovUniform => markov_uniform_pce(&vprob_matrix(vpm, c)),
    }
}

/// `u[actor][option]`, `w[actor]`: option probabilities.
fn scalar_pce(
    w: &[f64],
    u: &Mat,
    n_opt: usize,
    vr: VotingRule,
    vpm: VictoryProbModel,
    pcem: PceModel,
) -> Vec<f64> {
    let c = coalitions(|k, i, j| vote(vr, w[k], u[k][i], u[k][j]), w.len(), n_opt);
    prob_ce2(pcem, vpm, &c)
}

/// Risk attitudes from the probabilities that each actor's position wins, mapped linearly onto
/// the range `rr` (KTAB's `bigRfromProb`). When every position is equally likely to win (all
/// actors agree, or a perfectly symmetric case) KTAB divides by zero; here every actor is then
/// risk-neutral (0), so utilities stay finite.
fn big_r_from_prob(p: &[f64], rr: BigRRange) -> Vec<f64> {
    let p_min = p.iter().copied().fold(1.0, f64::min);
    let p_max = p.iter().copied().fold(0.0, f64::max);
    if p_max - p_min <= 1e-12 {
        return vec![0.0; p.len()];
    }
    p.iter()
        .map(|&x| match rr {
            BigRRange::Min => (x - p_min) / (p_max - p_min),
            BigRRange::Mid => (3.0 * x - (p_max + 2.0 * p_min)) / (2.0 * (p_max - p_min)),
            BigRRange::Max => (2.0 * x - (p_max + p_min)) / (p_max - p_min),
        })
        .collect()
}

fn est_nra(rh: f64, ri: f64, ra: BigRAdjust) -> f64 {
    match ra {
        BigRAdjust::Full => ri,
        BigRAdjust::TwoThirds => (rh + 2.0 * ri) / 3.0,
        BigRAdjust::Half => (rh + ri) / 2.0,
        BigRAdjust::OneThird => (2.0 * rh + ri) / 3.0,
        BigRAdjust::None => rh,
    }
}

/// Third party's vote in the (i:j) contest, sum-of-utilities form.
#[allow(clippy::too_many_arguments)]
fn third_party_vote(
    wk: f64,
    vr: VotingRule,
    tpc: ThirdPartyCommit,
    pik: f64,
    pjk: f64,
    uki: f64,
    ukj: f64,
    ukk: f64,
) -> f64 {
    let (ik_j, j_ik, i_jk, jk_i) = match tpc {
        ThirdPartyCommit::Full => (3.0 * uki, 3.0 * ukj, 3.0 * uki, 3.0 * ukj),
        ThirdPartyCommit::Semi => (
            uki + uki + ukk,
            ukj + ukj + ukj,
            uki + uki + uki,
            ukj + ukj + ukk,
        ),
        ThirdPartyCommit::No => (
            uki + uki + ukk,
            ukj + ukj + ukk,
            uki + uki + ukk,
            ukj + ukj + ukk,
        ),
    };
    let u_ik_j = pik * ik_j + pjk * j_ik;
    let u_i_jk = pik * i_jk + pjk * jk_i;
    vote(vr, wk, u_ik_j, u_i_jk)
}

fn vprob_little(vr: VotingRule, wn: f64, uni: f64, unj: f64, ci: f64, cj: f64) -> f64 {
    let v = vote(vr, wn, uni, unj);
    let cni = if v > 0.0 { ci + v } else { ci };
    let cnj = if v < 0.0 { cj - v } else { cj };
    cni / (cni + cnj)
}

// ---------------------------------------------------------------------------
// SMP-specific pieces

fn bs_util(sd: f64, r: f64) -> f64 {
    if sd <= 1.0 {
        (1.0 - sd) * (1.0 + sd * r)
    } else {
        (1.0 - sd) * (1.0 + r)
    }
}

fn bv_diff(a: &[f64], b: &[f64], s: &[f64]) -> f64 {
    let mut ds2 = 0.0;
    let mut ss2 = 0.0;
    for k in 0..a.len() {
        let ds = (a[k] - b[k]) * s[k];
        ds2 += ds * ds;
        ss2 += s[k] * s[k];
    }
    libm::sqrt(ds2 / ss2)
}

fn norm_diff(a: &[f64], b: &[f64]) -> f64 {
    libm::sqrt(a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum())
}

fn round4(x: f64) -> f64 {
    ((0.5 + x * 10000.0) as i64) as f64 / 10000.0
}

/// The fixed data of a run: capabilities, saliences, settings, the accommodation matrix.
#[derive(bevy_ecs::resource::Resource)]
struct Model {
    cap: Vec<f64>,
    sal: Mat,
    sal_sum: Vec<f64>,
    s: Settings,
    /// `accommodation[i][j]`: how far `i`'s ideal moves toward `j`'s new position each turn.
    accommodation: Mat,
}

/// A state with its derived quantities (utilities as seen by each actor, risk attitudes).
struct Work {
    pos: Mat,
    ideal: Mat,
    nra: Vec<f64>,
    /// a_util[h][i][j]: h's estimate of the utility to i of j's position.
    a_util: Vec<Mat>,
}

const POS_TOL: f64 = 1e-3;
const MIN_SIG_EDU: f64 = 1e-5;

#[derive(Debug, Clone)]
struct Bargain {
    init: usize,
    rcvr: usize,
    pos_init: Vec<f64>,
    pos_rcvr: Vec<f64>,
}

impl Bargain {
    /// The bargain that leaves actor `i` where it is.
    fn status_quo(w: &Work, i: usize) -> Self {
        Bargain {
            init: i,
            rcvr: i,
            pos_init: w.pos[i].clone(),
            pos_rcvr: w.pos[i].clone(),
        }
    }

    /// The position actor `k` takes if this bargain is adopted.
    fn position_for(&self, k: usize) -> &[f64] {
        if self.init == self.rcvr || self.init == k {
            &self.pos_init
        } else {
            &self.pos_rcvr
        }
    }
}

/// New ideals after a turn (KTAB's ideal accommodation): `ideal_i ← ideal_i + Σ_j A_ij ·
/// (pos_j − ideal_i)`, positions being the new ones, computed as `(1 − Σ_j A_ij)·ideal_i +
/// Σ_j A_ij·pos_j` so that under the identity `A` the ideals are exactly the positions.
pub fn accommodate(a: &[Vec<f64>], ideals: &[Vec<f64>], positions: &[Vec<f64>]) -> Mat {
    ideals
        .iter()
        .zip(a)
        .map(|(ideal, row)| {
            let keep = 1.0 - row.iter().sum::<f64>();
            (0..ideal.len())
                .map(|d| {
                    let pull: f64 = row.iter().zip(positions).map(|(w, p)| w * p[d]).sum();
                    keep * ideal[d] + pull
                })
                .collect()
        })
        .collect()
}

impl Model {
    fn new(cap: Vec<f64>, sal: Mat, s: Settings, accommodation: Mat) -> Self {
        let sal_sum = sal.iter().map(|r| r.iter().sum()).collect();
        Model {
            cap,
            sal,
            sal_sum,
            s,
            accommodation,
        }
    }

    fn na(&self) -> usize {
        self.cap.len()
    }

    /// The derived quantities of a state: how each actor values each position (from its
    /// ideal), the Condorcet election over positions, the inferred risk attitudes, and every
    /// actor's estimate of every other's utilities.
    fn setup(&self, pos: Mat, ideal: Mat) -> Work {
        let na = self.na();
        let vdiff: Mat = (0..na)
            .map(|i| {
                (0..na)
                    .map(|j| bv_diff(&ideal[i], &pos[j], &self.sal[i]))
                    .collect()
            })
            .collect();
        let rn: Mat = vdiff
            .iter()
            .map(|r| r.iter().map(|&d| bs_util(d, 0.0)).collect())
            .collect();
        let vr = self.s.voting_rule;
        let c = coalitions(|k, i, j| vote(vr, self.cap[k], rn[k][i], rn[k][j]), na, na);
        let p = prob_ce2(self.s.pce, self.s.vpm, &c);
        let nra = big_r_from_prob(&p, self.s.big_r_range);
        let a_util = (0..na)
            .map(|h| {
                (0..na)
                    .map(|i| {
                        let rhi = est_nra(nra[h], nra[i], self.s.big_r_adjust);
                        (0..na).map(|j| bs_util(vdiff[i][j], rhi)).collect()
                    })
                    .collect()
            })
            .collect();
        Work {
            pos,
            ideal,
            nra,
            a_util,
        }
    }

    fn equiv(&self, w: &Work, i: usize, j: usize) -> bool {
        norm_diff(&w.pos[i], &w.pos[j]) < POS_TOL
    }

    fn win_probs(&self, w: &Work) -> Vec<f64> {
        let na = self.na();
        let mut uniq: Vec<usize> = Vec::new();
        for i in 0..na {
            if !uniq.iter().any(|&u| self.equiv(w, i, u)) {
                uniq.push(i);
            }
        }
        let u: Mat = (0..na)
            .map(|i| uniq.iter().map(|&j| w.a_util[i][i][j]).collect())
            .collect();
        // The model's voting rule, as in KTAB's pDist since 2017 (mid-2016 versions
        // hard-coded proportional voting here; KTAB's 2017 log of smpExample, with PropCbc
        // voting, is reproduced only with the model's rule).
        let p = scalar_pce(
            &self.cap,
            &u,
            uniq.len(),
            self.s.voting_rule,
            self.s.vpm,
            self.s.pce,
        );
        (0..na)
            .map(|i| {
                let mut k = usize::MAX;
                for (j1, &j2) in uniq.iter().enumerate() {
                    if self.equiv(w, i, j2) {
                        k = j1;
                    }
                }
                p[k]
            })
            .collect()
    }

    /// h's estimate of (P[i beats j], expected utility gain to k) of i challenging j.
    fn prob_edu_chlg(&self, w: &Work, h: usize, k: usize, i: usize, j: usize) -> (f64, f64) {
        let vr = self.s.voting_rule;
        let a = &w.a_util[h];
        let eu_sq = a[k][i] + a[k][j];
        let u_hkij = 2.0 * a[k][i];
        let u_hkji = 2.0 * a[k][j];
        let sj = self.sal_sum[j];
        let min_cltn = 1e-10;
        let ci = vote(vr, self.sal_sum[i] * self.cap[i], a[i][i], a[i][j]);
        let cj = vote(vr, sj * self.cap[j], a[j][i], a[j][j]);
        let (mut chij, mut chji) = (min_cltn, min_cltn);
        for c in [ci, cj] {
            if c > 0.0 {
                chij += c;
            }
            if c < 0.0 {
                chji -= c;
            }
        }
        let (ci_ij, cj_ij) = (chij, chji);
        for (n, an) in a.iter().enumerate() {
            if n == i || n == j {
                continue;
            }
            let wn = self.sal_sum[n] * self.cap[n];
            let (uni, unj, unn) = (an[i], an[j], an[n]);
            let pin = vprob_little(vr, wn, uni, unj, ci_ij, cj_ij);
            let v = third_party_vote(wn, vr, self.s.third_party, pin, 1.0 - pin, uni, unj, unn);
            if v > 0.0 {
                chij += v;
            }
            if v < 0.0 {
                chji -= v;
            }
        }
        let phij = chij / (chij + chji);
        let phji = chji / (chij + chji);
        let eu_cntst = phij * u_hkij + phji * u_hkji;
        let eu_chlg = (1.0 - sj) * u_hkij + sj * eu_cntst;
        (phij, eu_chlg - eu_sq)
    }

    fn interpolate(&self, w: &Work, i: usize, j: usize, prb_i: f64, prb_j: f64) -> Bargain {
        let nd = w.pos[i].len();
        let mut bi = vec![0.0; nd];
        let mut bj = vec![0.0; nd];
        for d in 0..nd {
            let (ti, si) = (w.pos[i][d], self.sal[i][d]);
            let (tj, sj) = (w.pos[j][d], self.sal[j][d]);
            let min_w = 1e-6;
            let snpm = |n: f64, m: f64| {
                let wi = libm::pow(si, n) * libm::pow(prb_i, m);
                let wj = libm::pow(sj, n) * libm::pow(prb_j, m);
                (
                    round4(((wi + min_w) * ti + wj * tj) / (wi + min_w + wj)),
                    round4((wi * ti + (min_w + wj) * tj) / (wi + min_w + wj)),
                )
            };
            let (x, y) = match self.s.inter_vec_brgn {
                InterVecBrgn::S1P1 => snpm(1.0, 1.0),
                InterVecBrgn::S2P2 => snpm(2.0, 2.0),
                InterVecBrgn::S2PMax => {
                    let di = if prb_j > prb_i { prb_j - prb_i } else { 0.0 };
                    let dj = if prb_i > prb_j { prb_i - prb_j } else { 0.0 };
                    let (si2, sj2) = (si * si, sj * sj);
                    let dik = (di * sj2) / ((di * sj2) + min_w + ((1.0 - di) * si2));
                    let djk = (dj * si2) / ((dj * si2) + min_w + ((1.0 - dj) * sj2));
                    (ti + dik * (tj - ti), tj + djk * (ti - tj))
                }
            };
            bi[d] = x;
            bj[d] = y;
        }
        Bargain {
            init: i,
            rcvr: j,
            pos_init: bi,
            pos_rcvr: bj,
        }
    }

    fn pos_util(&self, w: &Work, a: usize, p: &[f64]) -> f64 {
        bs_util(bv_diff(&w.ideal[a], p, &self.sal[a]), w.nra[a])
    }

    fn brgn_util(&self, w: &Work, b: &Bargain, a: usize) -> f64 {
        let na = self.na();
        let mut u = 0.0;
        if b.init == b.rcvr {
            for n in 0..na {
                u += w.a_util[a][a][n];
            }
        } else {
            u += self.pos_util(w, a, &b.pos_init);
            u += self.pos_util(w, a, &b.pos_rcvr);
            for n in 0..na {
                if n != b.init && n != b.rcvr {
                    u += w.a_util[a][a][n];
                }
            }
        }
        u / na as f64
    }

    /// The challenge actor `i` makes: the target with the largest expected gain above
    /// KTAB's significance threshold, if any.
    fn challenge(&self, w: &Work, i: usize) -> Option<Challenge> {
        let mut best: Option<Challenge> = None;
        let mut best_eu = -1.0;
        for j in (0..self.na()).filter(|&j| j != i) {
            let (p, edu) = self.prob_edu_chlg(w, i, i, i, j);
            if MIN_SIG_EDU < edu && best_eu < edu {
                best = Some(Challenge {
                    target: j,
                    p_win: p,
                    gain: edu,
                });
                best_eu = edu;
            }
        }
        best
    }

    /// The bargains that `i`'s challenge puts on the table, under the bargain model.
    fn bargains(&self, w: &Work, i: usize, c: &Challenge) -> Vec<Bargain> {
        let j = c.target;
        let b_iij = self.interpolate(w, i, j, c.p_win, 1.0 - c.p_win);
        let mk_jij = || {
            // KTAB passes the expected utility change (not the probability) here.
            let pji_j = self.prob_edu_chlg(w, j, i, i, j).1;
            self.interpolate(w, i, j, pji_j, 1.0 - pji_j)
        };
        match self.s.bargn_model {
            BargnModel::InitOnlyInterp => vec![b_iij],
            BargnModel::InitRcvrInterp => vec![b_iij, mk_jij()],
            BargnModel::PwCompInterp => {
                let b_jij = mk_jij();
                let wi = self.cap[i] * self.sal_sum[i];
                // KTAB uses the initiator's capability for both weights.
                let wj = self.cap[i] * self.sal_sum[j];
                let avg = |x: &[f64], y: &[f64]| -> Vec<f64> {
                    x.iter()
                        .zip(y)
                        .map(|(a, b)| (wi * a + wj * b) / (wi + wj))
                        .collect()
                };
                vec![Bargain {
                    init: i,
                    rcvr: j,
                    pos_init: avg(&b_iij.pos_init, &b_jij.pos_init),
                    pos_rcvr: avg(&b_iij.pos_rcvr, &b_jij.pos_rcvr),
                }]
            }
        }
    }

    /// The election among the bargains put to one actor: every actor votes with its
    /// utility of each bargain. Returns the probability of each bargain.
    fn bargain_probabilities(&self, w: &Work, offered: &[Bargain]) -> Vec<f64> {
        let u: Mat = (0..self.na())
            .map(|a| offered.iter().map(|b| self.brgn_util(w, b, a)).collect())
            .collect();
        scalar_pce(
            &self.cap,
            &u,
            offered.len(),
            self.s.voting_rule,
            self.s.vpm,
            self.s.pce,
        )
    }
}

/// The index KTAB's deterministic transition adopts: the largest probability, ties to the
/// first.
fn most_probable(p: &[f64]) -> usize {
    let mut m_max = 0;
    for m in 1..p.len() {
        if p[m].abs() > p[m_max].abs() {
            m_max = m;
        }
    }
    m_max
}

/// The index a stochastic transition adopts for a uniform draw `u ∈ [0, 1)`: the first whose
/// cumulative probability exceeds `u` (the last one if rounding leaves the sum below `u`).
fn drawn(p: &[f64], u: f64) -> usize {
    let total: f64 = p.iter().sum();
    let mut acc = 0.0;
    for (m, x) in p.iter().enumerate() {
        acc += x / total;
        if u < acc {
            return m;
        }
    }
    p.len() - 1
}

fn state_dist(a: &Mat, b: &Mat) -> f64 {
    a.iter().zip(b).map(|(x, y)| norm_diff(x, y)).sum()
}

/// Runs the SMP from the actors' input positions until KTAB's stopping rule fires, on a fresh
/// [`schedule::Engine`] with run 0 of seed 0 (which only stochastic transitions read).
///
/// Returns every state, starting with the input (state 0). Positions are reported on the
/// 0–100 scale.
pub fn run(actors: &[SmpActor], settings: &Settings) -> Vec<SmpState> {
    schedule::Engine::new(actors, settings).run(0, 0).to_vec()
}

/// Reference run `dummyData_3Dim` (`docs/reference-engines.md` §2).
#[cfg(test)]
mod tests {
    use super::*;

    fn actors() -> Vec<SmpActor> {
        let rows: [(&str, f64, [f64; 6]); 7] = [
            (
                "SActor-00",
                102.543,
                [75.79, 49.53, 6.37, 5.91, 70.45, 28.15],
            ),
            (
                "SActor-01",
                53.393,
                [82.72, 30.33, 73.50, 21.22, 64.00, 24.79],
            ),
            (
                "SActor-02",
                129.643,
                [82.45, 48.47, 90.89, 13.55, 0.07, 34.62],
            ),
            (
                "SActor-03",
                75.920,
                [62.52, 20.76, 50.82, 39.24, 62.33, 22.21],
            ),
            (
                "SActor-04",
                63.224,
                [82.34, 40.96, 45.77, 25.43, 73.31, 22.59],
            ),
            (
                "SActor-05",
                120.048,
                [84.48, 22.92, 33.70, 39.35, 88.11, 15.42],
            ),
            (
                "SActor-06",
                54.178,
                [70.96, 31.75, 33.46, 27.93, 90.36, 26.03],
            ),
        ];
        rows.iter()
            .map(|(n, p, v)| SmpActor {
                name: n.to_string(),
                power: *p,
                position: vec![v[0], v[2], v[4]],
                salience: vec![v[1], v[3], v[5]],
            })
            .collect()
    }

    fn states() -> Vec<SmpState> {
        run(&actors(), &Settings::default())
    }

    /// Positions per state (state 0 = input, state t = after turn t-1), to 2 decimals
    /// (`docs/reference-engines.md` §2).
    const POSITIONS: [[[f64; 3]; 7]; 11] = [
        [
            [75.79, 6.37, 70.45],
            [82.72, 73.50, 64.00],
            [82.45, 90.89, 0.07],
            [62.52, 50.82, 62.33],
            [82.34, 45.77, 73.31],
            [84.48, 33.70, 88.11],
            [70.96, 33.46, 90.36],
        ],
        [
            [79.54, 44.71, 72.05],
            [78.93, 56.33, 72.52],
            [82.45, 90.89, 0.07],
            [65.82, 50.76, 63.02],
            [79.54, 44.72, 72.05],
            [84.39, 34.05, 86.34],
            [75.61, 24.79, 71.95],
        ],
        [
            [80.56, 34.24, 75.95],
            [76.04, 27.49, 72.02],
            [82.45, 90.89, 0.07],
            [66.71, 50.21, 63.52],
            [81.46, 35.82, 79.11],
            [80.56, 34.24, 75.95],
            [76.04, 27.49, 72.02],
        ],
        [
            [80.59, 35.04, 76.06],
            [78.31, 30.51, 73.78],
            [82.45, 90.89, 0.07],
            [66.71, 50.21, 63.52],
            [78.31, 30.51, 73.78],
            [80.69, 34.28, 76.28],
            [77.42, 28.70, 72.97],
        ],
        [
            [78.54, 30.53, 74.02],
            [79.05, 30.57, 74.21],
            [82.45, 90.89, 0.07],
            [66.71, 50.21, 63.52],
            [78.54, 30.53, 74.02],
            [80.59, 34.66, 76.06],
            [77.42, 28.70, 72.97],
        ],
        [
            [78.54, 30.53, 74.02],
            [79.05, 30.57, 74.21],
            [82.45, 90.89, 0.07],
            [66.71, 50.21, 63.52],
            [78.54, 30.53, 74.02],
            [80.52, 34.62, 75.95],
            [80.52, 34.62, 75.95],
        ],
        [
            [78.55, 31.17, 74.03],
            [79.14, 30.94, 74.32],
            [82.45, 90.89, 0.07],
            [67.12, 50.12, 63.73],
            [78.56, 30.60, 74.05],
            [80.52, 34.62, 75.95],
            [78.55, 31.17, 74.03],
        ],
        [
            [78.55, 31.16, 74.03],
            [78.55, 31.17, 74.03],
            [82.45, 90.89, 0.07],
            [67.12, 50.12, 63.73],
            [80.48, 34.61, 75.92],
            [80.48, 34.61, 75.92],
            [78.55, 31.17, 74.03],
        ],
        [
            [78.56, 31.54, 74.04],
            [79.88, 34.37, 75.17],
            [82.45, 90.89, 0.07],
            [67.12, 50.12, 63.73],
            [78.56, 31.55, 74.04],
            [79.88, 34.37, 75.17],
            [78.66, 31.27, 74.08],
        ],
        [
            [78.56, 31.76, 74.05],
            [78.56, 31.76, 74.05],
            [82.45, 90.89, 0.07],
            [67.12, 50.12, 63.73],
            [78.60, 31.65, 74.11],
            [79.88, 34.37, 75.17],
            [78.66, 31.27, 74.08],
        ],
        [
            [78.56, 31.76, 74.05],
            [78.56, 31.76, 74.05],
            [82.45, 90.89, 0.07],
            [67.12, 50.12, 63.73],
            [78.60, 31.65, 74.11],
            [79.88, 34.37, 75.16],
            [78.60, 31.65, 74.11],
        ],
    ];

    /// `WIN_PROB[actor][state]`.
    const WIN_PROB: [[f64; 11]; 7] = [
        [
            0.0047, 0.6059, 0.3618, 0.2234, 0.2420, 0.4040, 0.4031, 0.3546, 0.4593, 0.3962, 0.3340,
        ],
        [
            0.0302, 0.0509, 0.3087, 0.3684, 0.2457, 0.1811, 0.1290, 0.3546, 0.2960, 0.3962, 0.3340,
        ],
        [
            0.0054, 0.0096, 0.0256, 0.0158, 0.0096, 0.0339, 0.0072, 0.0571, 0.0194, 0.0074, 0.0183,
        ],
        [
            0.1492, 0.1406, 0.1887, 0.1674, 0.0823, 0.2564, 0.0533, 0.2768, 0.1131, 0.0507, 0.0957,
        ],
        [
            0.6001, 0.6059, 0.1152, 0.3684, 0.2420, 0.4040, 0.0446, 0.3115, 0.4593, 0.1730, 0.1512,
        ],
        [
            0.1447, 0.1217, 0.3618, 0.0649, 0.3687, 0.1246, 0.3628, 0.3115, 0.2960, 0.3530, 0.4009,
        ],
        [
            0.0656, 0.0713, 0.3087, 0.1602, 0.0517, 0.1246, 0.4031, 0.3546, 0.1123, 0.0198, 0.1512,
        ],
    ];

    /// Fractional change per iteration 1..10, to 4 decimals (`docs/reference-engines.md` §2).
    const FRAC: [f64; 10] = [
        0.9999, 0.7631, 0.1780, 0.0801, 0.0853, 0.0686, 0.0639, 0.1058, 0.0398, 0.0045,
    ];

    /// The risk attitudes inferred in round 1 (`docs/reference-engines.md` §2): on state 1, after
    /// the first step.
    const RISK_ROUND1: [f64; 7] = [1.000, -0.469, -0.500, -0.474, 0.655, -0.462, -0.469];

    fn same(x: f64, r: f64, decimals: usize) -> bool {
        format!("{x:.decimals$}") == format!("{r:.decimals$}")
    }

    #[test]
    fn equally_likely_positions_leave_everyone_risk_neutral() {
        // Two mirror-image actors: each position wins with probability 1/2.
        let a = |name: &str, x: f64| SmpActor {
            name: name.into(),
            power: 10.0,
            position: vec![x],
            salience: vec![50.0],
        };
        let states = run(&[a("a", 40.0), a("b", 60.0)], &Settings::default());
        for s in &states {
            assert_eq!(s.risk_attitudes, vec![0.0, 0.0]);
            assert!(s.positions.iter().flatten().all(|x| x.is_finite()));
            assert!(s.win_prob.iter().all(|p| p.is_finite()));
        }
        // Consensus: one position, which wins for sure.
        let states = run(&[a("a", 50.0), a("b", 50.0)], &Settings::default());
        assert_eq!(states[0].risk_attitudes, vec![0.0, 0.0]);
        assert_eq!(states.len(), 3, "min_iter turns, nothing moves");
    }

    #[test]
    fn eleven_states() {
        assert_eq!(states().len(), 11);
    }

    #[test]
    fn fractional_changes_to_4_decimals() {
        let s = states();
        assert!(s[0].frac_change.is_none());
        for (t, &r) in FRAC.iter().enumerate() {
            let f = s[t + 1].frac_change.expect("set after state 0");
            assert!(same(f, r, 4), "iteration {}: {f:.6} vs {r}", t + 1);
        }
    }

    #[test]
    fn round1_risk_attitudes_to_3_decimals() {
        let s = states();
        for (i, &r) in RISK_ROUND1.iter().enumerate() {
            let x = s[1].risk_attitudes[i];
            assert!(same(x, r, 3), "actor {i}: {x:.6} vs {r}");
        }
    }

    #[test]
    fn positions_to_2_decimals() {
        let s = states();
        for (t, st) in POSITIONS.iter().enumerate() {
            for (i, a) in st.iter().enumerate() {
                for (d, &r) in a.iter().enumerate() {
                    let x = s[t].positions[i][d];
                    assert!(same(x, r, 2), "state {t} actor {i} dim {d}: {x:.6} vs {r}");
                }
            }
        }
    }

    #[test]
    fn win_probabilities_to_4_decimals() {
        let s = states();
        for (i, row) in WIN_PROB.iter().enumerate() {
            for (t, &r) in row.iter().enumerate() {
                let x = s[t].win_prob[i];
                assert!(same(x, r, 4), "state {t} actor {i}: {x:.6} vs {r}");
            }
        }
    }
}
