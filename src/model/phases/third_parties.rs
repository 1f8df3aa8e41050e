//! Phase 6: third parties. A third party with `Strike` weighs striking against waiting; its
//! chance of success rises with its patron's approval (docs/model.md §8).

use bevy_ecs::prelude::*;

use crate::model::components::{ActorIndex, Influence, NoDeal, Offer, SideIndex, StrikeChance};
use crate::model::formulas;
use crate::model::resources::{Clock, Ending, Latent, LiveParams, Model, StrikeOption};
use crate::model::rng::{Stream, Streams, pair_key};
use crate::outcome::{Outcome, Response};
use crate::scenario::types::{ForcedKind, Params};

/// What both strike phases read each round: where the talks are heading if nobody strikes
/// (midway between the offers, written to `wait`), whether military options are weighed at all
/// (the talks stalled or a deadline lapsed), and the audience cost in force.
pub fn strike_context(
    latent: &Latent,
    params: &Params,
    sides: &Query<(&SideIndex, &Offer)>,
    wait: &mut Vec<f64>,
) -> (bool, f64) {
    wait.clear();
    for (_, o) in sides {
        if wait.is_empty() {
            wait.resize(o.y.len(), 0.0);
        }
        for (w, y) in wait.iter_mut().zip(&o.y) {
            *w += 0.5 * y;
        }
    }
    let audience = if latent.deadline_lapsed {
        params.audience_cost
    } else {
        0.0
    };
    (latent.escalation_open(params), audience)
}

/// A scheduled event forces `actor` to strike this round.
pub fn forced_to_strike(latent: &Latent, actor: usize) -> bool {
    latent
        .forced
        .iter()
        .any(|&(a, f)| a == actor && f == ForcedKind::Strike)
}

/// Actor `a`'s expected gain from the strike option `option` over waiting, at success probability `p`:
/// `p·U(strike) + (1 − p)·U(sq) − ĉ − Σ ρ·r·C_response − defiance` minus
/// `U(wait) − threat·(1 − progress)` (waiting looks worse as the threat grows).
#[allow(clippy::too_many_arguments)]
pub fn strike_gain(
    model: &Model,
    params: &Params,
    latent: &Latent,
    a: usize,
    option: usize,
    p: f64,
    defiance: f64,
    wait: &[f64],
) -> f64 {
    let u_point = model.u_option[option][a];
    let o = &model.strikes[option];
    let protection: f64 = model
        .protectors
        .iter()
        .zip(&latent.commitments)
        .filter(|(pr, _)| pr.1 == o.target)
        .map(|(pr, c)| formulas::protected_strike_cost(0.0, c * pr.3, params.response_cost))
        .sum();
    let cost = model.scenario.actors[a].war.cost + protection + defiance;
    let u_strike = p * u_point + (1.0 - p) * model.u_status_quo[a] - cost;
    let u_wait = model.utility(a, wait) - latent.threat * (1.0 - latent.progress());
    u_strike - u_wait
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

/// How a strike ends the run: each protector of the target answers (military with its
/// `military` probability, material up to its `response` probability, diplomatic otherwise),
/// and the target retaliates with probability `retaliation`. Each answer is its own keyed draw
/// (slot 2 of the option's draws for the retaliation, slot 3 of the option and protector pair
/// for a protector).
fn strike_outcome(
    model: &Model,
    params: &Params,
    streams: &Streams,
    stream: Stream,
    o: &StrikeOption,
    g: f64,
    round: usize,
) -> Outcome {
    let responses = model
        .protectors
        .iter()
        .filter(|p| p.1 == o.target)
        .map(|&(actor, _, _, response, military)| {
            let key = pair_key(o.key, model.actor_key[actor]);
            let u = streams.uniform(stream, key, round, 3);
            let level = if u < military {
                Response::Military
            } else if u < response {
                Response::Material
            } else {
                Response::Diplomatic
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
    pub fn finish(self, model: &Model, params: &Params, streams: &Streams, ending: &mut Ending) {
        if let (Some((_, _, oi, g)), None) = (self.leader, &ending.0) {
            let o = &model.strikes[oi];
            ending.0 = Some(strike_outcome(
                model,
                params,
                streams,
                self.stream,
                o,
                g,
                self.round,
            ));
        }
    }
}

/// The patron's approval `g = σ(κ_g·(hawk share − pragmatist share + threat − progress))`: the
/// shares are of the patron's factions' influence (lobbying included) — the debate inside the
/// patron's government — with the hawks being the factions that expect a strike to pay for
/// itself (`p̂·(U(strike) − U(sq)) > ĉ`) and the pragmatists the others.
fn approval(model: &Model, params: &Params, latent: &Latent, oi: usize, influence: &[f64]) -> f64 {
    let o = &model.strikes[oi];
    let Some(k) = o.patron else { return 1.0 };
    let (mut hawk, mut total) = (0.0, 0.0);
    for &f in &model.scenario.sides[k].factions {
        let a = &model.scenario.actors[f];
        let w = (influence[f] + model.lobby[f]).max(0.0);
        let gain = a.war.success * (model.u_option[oi][f] - model.u_status_quo[f]) - a.war.cost;
        total += w;
        if gain > 0.0 {
            hawk += w;
        }
    }
    let hawk = if total > 0.0 { hawk / total } else { 0.0 };
    let pragmatist = if total > 0.0 { 1.0 - hawk } else { 0.0 };
    formulas::patron_approval(
        params.approval_sharpness,
        hawk,
        pragmatist,
        latent.threat,
        latent.progress(),
    )
}

/// Each third party with a military option decides, all at once, once the talks stall or a
/// deadline lapses (or when forced): `P = σ(κ·(ΔEU − θ + audience cost))`.
#[allow(clippy::too_many_arguments)]
pub fn weigh_third_party_strikes(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    latent: Res<Latent>,
    streams: Res<Streams>,
    mut ending: ResMut<Ending>,
    sides: Query<(&SideIndex, &Offer)>,
    mut actors: Query<(&ActorIndex, &Influence, &NoDeal, &mut StrikeChance)>,
    mut influence: Local<Vec<f64>>,
    mut wait: Local<Vec<f64>>,
) {
    let p = &params.0;
    let n = model.scenario.actors.len();
    influence.clear();
    influence.resize(n, 0.0);
    for (i, inf, _, _) in &actors {
        influence[i.0] = inf.0;
    }
    let (open, audience) = strike_context(&latent, p, &sides, &mut wait);
    let mut race = StrikeRace::new(Stream::ThirdParties, clock.round);
    for (oi, o) in model
        .strikes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.own_side.is_none())
    {
        let forced = forced_to_strike(&latent, o.actor);
        let g = approval(&model, p, &latent, oi, &influence);
        let chance = if forced {
            1.0
        } else if open {
            let success = formulas::clamp01(
                formulas::strike_success(g, o.success, o.success_alone)
                    + misperceive(&model, p, &streams, Stream::ThirdParties, o, clock.round),
            );
            let defiance = p.defiance_cost * (1.0 - g) * latent.progress();
            let gain = strike_gain(&model, p, &latent, o.actor, oi, success, defiance, &wait);
            formulas::over_weeks(
                formulas::escalation_probability(p.strike_sharpness, gain, o.restraint, audience),
                model.dt(clock.round),
            )
        } else {
            0.0
        };
        for (i, _, _, mut sc) in &mut actors {
            if i.0 == o.actor {
                sc.0 = chance;
            }
        }
        race.enter(&model, &streams, oi, g, chance);
    }
    race.finish(&model, p, &streams, &mut ending);
}
