//! Phase 6: third parties. A third party with `Strike` weighs striking now against waiting every
//! round; its chance of success rises with its patron's approval (docs/model.md §8).

use bevy_ecs::prelude::*;

use crate::model::components::{ActorIndex, Influence, StrikeChance};
use crate::model::formulas;
use crate::model::resources::{Clock, Ending, Latent, LiveParams, Model, StrikeOption};
use crate::model::rng::{Stream, Streams, pair_key};
use crate::outcome::{Outcome, Response};
use crate::scenario::types::{ForcedKind, Params};

/// The audience cost in force for every strike decision: `audience_cost` once a deadline has
/// lapsed without a deal (Fearon 1994), 0 before.
pub fn audience(latent: &Latent, params: &Params) -> f64 {
    if latent.deadline_lapsed {
        params.audience_cost
    } else {
        0.0
    }
}

/// A scheduled event forces `actor` to strike this round.
pub fn forced_to_strike(latent: &Latent, actor: usize) -> bool {
    latent
        .forced
        .iter()
        .any(|&(a, f)| a == actor && f == ForcedKind::Strike)
}

/// The odds and costs of a strike option as its weigher sees them this round.
#[derive(Debug, Clone, Copy)]
pub struct StrikeOdds {
    /// Estimated chance of success if it strikes this round.
    pub now: f64,
    /// Costs beyond the weigher's own war cost and the protectors' expected answers (defiance of
    /// the patron).
    pub extra_cost: f64,
}

/// What striking with `option` this round is worth to actor `a` over waiting, per week
/// (docs/model.md §8): `x = V_strike(t) − EU_wait`, with
/// `V_strike(t) = p̂·U(outcome) + (1 − p̂)·(U(sq) − z) − c` and
/// `EU_wait = P̂deal·V_deal(ȳ) + (1 − P̂deal)·max(U(sq) − z', V_strike(t + 1))`:
/// ȳ and P̂deal are the proposal on the table with the highest joint acceptance and that
/// acceptance (phase 5); z' the threat at the next round and V_strike(t + 1) the strike then, at
/// odds lowered by the closing window (`window_closing` per week). The cost c is the
/// weigher's war cost, the protectors' expected answers (`Σ C_r·clamp₀₁(c·r)`, Huth 1988) and
/// `odds.extra_cost`. A deal is worth its utility plus the weigher's deal bonus if it is on a side.
pub fn strike_advantage(
    model: &Model,
    params: &Params,
    latent: &Latent,
    round: usize,
    a: usize,
    option: usize,
    odds: StrikeOdds,
) -> f64 {
    let o = &model.strikes[option];
    let actor = &model.scenario.actors[a];
    let protection: f64 = (0..model.protectors.len())
        .filter(|&pi| model.protectors[pi].1 == o.target)
        .map(|pi| {
            let [_, material, military] = protector_answers(model, params, latent, pi, option);
            formulas::protected_strike_cost(0.0, 0.5 * material + military, params.response_cost)
        })
        .sum();
    let cost = actor.war.cost + protection + odds.extra_cost;
    let (u_out, u_sq) = (model.u_option[option][a], model.u_status_quo[a]);
    let weeks = model.dt(round + 1);
    let threat_next = latent.threat + params.threat_growth * weeks;
    let later = odds.now * libm::pow(1.0 - params.window_closing, weeks);
    let now = formulas::strike_value(odds.now, u_out, u_sq, latent.threat, cost);
    let v_later = formulas::strike_value(later, u_out, u_sq, threat_next, cost);
    let v_deal = if latent.prospect.is_empty() {
        u_sq - latent.threat
    } else {
        let bonus = if actor.side.is_some() {
            actor.deal_bonus
        } else {
            0.0
        };
        model.utility(a, &latent.prospect) + bonus - latent.threat
    };
    let wait = formulas::wait_value(latent.deal_chance, v_deal, u_sq - threat_next, v_later);
    now - wait
}

/// How protector `pi` (an index into `Model::protectors`) would answer a strike with option
/// `oi`, as probabilities of diplomatic, material and military support (`protector_answer`):
/// at its current commitment, with the harm `max(0, U(sq) − U(outcome))` the strike's outcome
/// does to its own preferences, its war cost as the cost of confronting the attacker, and the
/// shared precision λ (`strike_sharpness`). Strikers expect these answers; the answer drawn
/// when a strike happens follows them.
pub fn protector_answers(
    model: &Model,
    params: &Params,
    latent: &Latent,
    pi: usize,
    oi: usize,
) -> [f64; 3] {
    let (actor, _, _, response, military) = model.protectors[pi];
    let harm = model.u_status_quo[actor] - model.u_option[oi][actor];
    formulas::protector_answer(
        params.strike_sharpness,
        latent.commitments[pi],
        harm,
        model.scenario.actors[actor].war.cost,
        response,
        military,
    )
}

/// Misperception: the noise on option `o`'s owner's estimate of success this round, reduced by
/// mediation (slot 0 of the option's draws).
pub fn misperceive(
    model: &Model,
    params: &Params,
    streams: &Streams,
    stream: Stream,
    o: &StrikeOption,
    round: usize,
) -> f64 {
    let clarity = model.mediators.iter().map(|m| m.1).fold(0.0, f64::max);
    params.optimism_bias
        + params.misperception * (1.0 - clarity) * streams.normal(stream, o.key, round, 0)
}

/// How a strike ends the run: each protector of the target answers by its own keyed draw
/// (slot 3 of the option and protector pair) from its answer probabilities
/// ([`protector_answers`]), and the target retaliates with probability `retaliation` (slot 2 of
/// the option's draws).
#[allow(clippy::too_many_arguments)]
fn strike_outcome(
    model: &Model,
    params: &Params,
    latent: &Latent,
    streams: &Streams,
    stream: Stream,
    oi: usize,
    g: f64,
    round: usize,
) -> Outcome {
    let o = &model.strikes[oi];
    let responses = (0..model.protectors.len())
        .filter(|&pi| model.protectors[pi].1 == o.target)
        .map(|pi| {
            let actor = model.protectors[pi].0;
            let [diplomatic, material, _] = protector_answers(model, params, latent, pi, oi);
            let key = pair_key(o.key, model.actor_key[actor]);
            let u = streams.uniform(stream, key, round, 3);
            let level = if u < diplomatic {
                Response::Diplomatic
            } else if u < diplomatic + material {
                Response::Material
            } else {
                Response::Military
            };
            (actor, level)
        })
        .collect();
    let retaliation = streams.uniform(stream, o.key, round, 2) < params.retaliation;
    Outcome::Strike {
        by: o.actor,
        patron_approval: g,
        round,
        responses,
        retaliation,
    }
}

/// The strike decisions of one phase, taken at once: every option draws (slot 1 of its draws)
/// whatever the others do; of the options whose draw falls below their chance, the one whose
/// draw falls furthest below it (the smallest `u / chance`) strikes. At most one strike ends a
/// run, and which one does not depend on the order of the options.
pub struct StrikeRace {
    stream: Stream,
    round: usize,
    /// (u / chance, option key, option index, patron approval) of the leading strike.
    leader: Option<(f64, u64, usize, f64)>,
}

impl StrikeRace {
    /// An empty race of `stream` in `round`.
    pub fn new(stream: Stream, round: usize) -> Self {
        StrikeRace {
            stream,
            round,
            leader: None,
        }
    }

    /// Option `oi` takes part with probability `chance` of striking, at patron approval `approval`.
    pub fn enter(
        &mut self,
        model: &Model,
        streams: &Streams,
        oi: usize,
        approval: f64,
        chance: f64,
    ) {
        if chance <= 0.0 {
            return;
        }
        let key = model.strikes[oi].key;
        let u = streams.uniform(self.stream, key, self.round, 1);
        if u >= chance {
            return;
        }
        let score = u / chance;
        let leads = self
            .leader
            .is_none_or(|(s, k, _, _)| score < s || (score == s && key < k));
        if leads {
            self.leader = Some((score, key, oi, approval));
        }
    }

    /// Ends the run with the winning strike, if any (and if the run has not ended already).
    pub fn finish(
        self,
        model: &Model,
        params: &Params,
        latent: &Latent,
        streams: &Streams,
        ending: &mut Ending,
    ) {
        if let (Some((_, _, oi, g)), None) = (self.leader, &ending.0) {
            ending.0 = Some(strike_outcome(
                model,
                params,
                latent,
                streams,
                self.stream,
                oi,
                g,
                self.round,
            ));
        }
    }
}

/// The patron's approval of option `oi` (`patron_approval`): a decision of the patron side,
/// its members and its leader weighted as in its deliberation (`Model::member_weights`), each
/// valuing the strike at the option's odds with full support, `p·(U(outcome) − U(sq) + z) − ĉ`;
/// the leader also subtracts the restraint of its own military option, if it holds one (a leader
/// who wants no war restrains its client). A lapsed deadline adds the audience cost; progress in
/// the talks lowers it. 1 without a patron.
fn approval(
    model: &Model,
    params: &Params,
    latent: &Latent,
    oi: usize,
    influence: &[f64],
    weights: &mut Vec<f64>,
) -> f64 {
    let o = &model.strikes[oi];
    let Some(k) = o.patron else { return 1.0 };
    let leader = model.scenario.sides[k].leader;
    let restraint = model
        .strikes
        .iter()
        .find(|s| s.actor == leader)
        .map_or(0.0, |s| s.restraint);
    model.member_weights(k, influence, weights);
    let (mut view, mut total) = (0.0, 0.0);
    for (&m, &w) in model.members[k].iter().zip(weights.iter()) {
        let a = &model.scenario.actors[m];
        let gain = o.success * (model.u_option[oi][m] - model.u_status_quo[m] + latent.threat)
            - a.war.cost
            - if m == leader { restraint } else { 0.0 };
        view += w * gain;
        total += w;
    }
    let view = if total > 0.0 { view / total } else { 0.0 };
    formulas::patron_approval(
        params.approval_sharpness,
        view,
        audience(latent, params),
        latent.progress(),
    )
}

/// Each third party with a military option decides, all at once, every round (or is forced):
/// `P = 1 − exp(−λ0·Δt·e^(λ·x))` with `x = strike_advantage − θ + A` (docs/model.md §8), at
/// the approval-adjusted odds plus its misperception draw, paying defiance `c_d·(1 − g)`.
#[allow(clippy::too_many_arguments)]
pub fn weigh_third_party_strikes(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    latent: Res<Latent>,
    streams: Res<Streams>,
    mut ending: ResMut<Ending>,
    mut actors: Query<(&ActorIndex, &Influence, &mut StrikeChance)>,
    mut influence: Local<Vec<f64>>,
    mut weights: Local<Vec<f64>>,
) {
    let p = &params.0;
    let n = model.scenario.actors.len();
    influence.clear();
    influence.resize(n, 0.0);
    for (i, inf, _) in &actors {
        influence[i.0] = inf.0;
    }
    let audience = audience(&latent, p);
    let mut race = StrikeRace::new(Stream::ThirdParties, clock.round);
    for (oi, o) in model
        .strikes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.own_side.is_none())
    {
        let forced = forced_to_strike(&latent, o.actor);
        let g = approval(&model, p, &latent, oi, &influence, &mut weights);
        let chance = if forced {
            1.0
        } else {
            let success = formulas::clamp01(
                formulas::strike_success(g, o.success, o.success_alone)
                    + misperceive(&model, p, &streams, Stream::ThirdParties, o, clock.round),
            );
            let odds = StrikeOdds {
                now: success,
                extra_cost: p.defiance_cost * (1.0 - g),
            };
            let x = strike_advantage(&model, p, &latent, clock.round, o.actor, oi, odds)
                - o.restraint
                + audience;
            formulas::rate_probability(p.strike_rate, p.strike_sharpness, x, model.dt(clock.round))
        };
        for (i, _, mut sc) in &mut actors {
            if i.0 == o.actor {
                sc.0 = chance;
            }
        }
        race.enter(&model, &streams, oi, g, chance);
    }
    race.finish(&model, p, &latent, &streams, &mut ending);
}
