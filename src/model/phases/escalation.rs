//! Phase 7: escalation (Fearon). A side with a military option weighs striking now against
//! waiting every round, by its members' influence-weighted advantage net of its leader's
//! restraint; talks can also collapse by chance, more so with low trust and a long stalemate.

use bevy_ecs::prelude::*;

use super::third_parties::{
    StrikeOdds, StrikeRace, audience, forced_to_strike, misperceive, strike_advantage,
};
use crate::model::components::{ActorIndex, Influence, Standing, StrikeChance};
use crate::model::formulas;
use crate::model::resources::{Clock, Ending, Latent, LiveParams, Model};
use crate::model::rng::{Stream, Streams};
use crate::outcome::{CollapseCause, Outcome};
use crate::scenario::types::ForcedKind;

/// Each side's military option, weighed every round (or forced):
/// `P = 1 − exp(−λ0·Δt·e^(λ·x))` with `x` the influence-weighted mean of its members'
/// [`strike_advantage`] (each at its own perceived success `war.success` plus one misperception
/// draw shared by the side), less the leader's restraint θ, plus the audience cost once a
/// deadline has lapsed (docs/model.md §8).
#[allow(clippy::too_many_arguments)]
pub fn weigh_side_strikes(
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
    let s = &model.scenario;
    influence.clear();
    influence.resize(s.actors.len(), 0.0);
    for (i, inf, _) in &actors {
        influence[i.0] = inf.0;
    }
    let audience = audience(&latent, p);
    let mut race = StrikeRace::new(Stream::Escalation, clock.round);
    for (oi, o) in model.strikes.iter().enumerate() {
        let Some(k) = o.own_side else { continue };
        let forced = forced_to_strike(&latent, o.actor);
        let chance = if forced {
            1.0
        } else {
            let noise = misperceive(&model, p, &streams, Stream::Escalation, o, clock.round);
            model.member_weights(k, &influence, &mut weights);
            let (mut gain, mut total) = (0.0, 0.0);
            for (&m, &w) in model.members[k].iter().zip(weights.iter()) {
                let odds = StrikeOdds {
                    now: formulas::clamp01(s.actors[m].war.success + noise),
                    extra_cost: 0.0,
                };
                gain += w * strike_advantage(&model, p, &latent, clock.round, m, oi, odds);
                total += w;
            }
            let gain = if total > 0.0 { gain / total } else { 0.0 };
            formulas::rate_probability(
                p.strike_rate,
                p.strike_sharpness,
                gain - o.restraint + audience,
                model.dt(clock.round),
            )
        };
        for (i, _, mut sc) in &mut actors {
            if i.0 == o.actor {
                sc.0 = chance;
            }
        }
        race.enter(&model, &streams, oi, 1.0, chance);
    }
    race.finish(&model, p, &latent, &streams, &mut ending);
}

/// A forced walk-out ends the talks; otherwise they collapse with probability
/// `h_c·(1 + a_c·(1 − mean trust))·(1 + b_c·stalled rounds)` per week, over the weeks the round
/// covers ([`formulas::over_weeks`]).
#[allow(clippy::too_many_arguments)]
pub fn risk_collapse(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    mut latent: ResMut<Latent>,
    streams: Res<Streams>,
    mut ending: ResMut<Ending>,
    sides: Query<&Standing>,
) {
    let p = &params.0;
    if latent.forced.iter().any(|&(_, f)| f == ForcedKind::WalkOut) {
        ending.0 = Some(Outcome::Collapse {
            cause: CollapseCause::WalkOut,
            round: clock.round,
        });
        return;
    }
    let (sum, n) = sides
        .iter()
        .fold((0.0, 0.0), |(s, n), st| (s + st.trust, n + 1.0));
    let trust = if n > 0.0 { sum / n } else { 0.0 };
    let stalled = f64::from(latent.stalled_rounds);
    let chance = formulas::over_weeks(
        p.collapse_hazard
            * (1.0 + p.collapse_trust_scale * (1.0 - trust))
            * (1.0 + p.collapse_stall_scale * stalled),
        model.dt(clock.round),
    );
    latent.collapse_probability = chance;
    // Key 0: the talks' own draw (strike options are keyed by their owner and target).
    if streams.uniform(Stream::Escalation, 0, clock.round, 0) < chance {
        let cause = if stalled >= p.stall_rounds {
            CollapseCause::Stalemate
        } else {
            CollapseCause::Breakdown
        };
        ending.0 = Some(Outcome::Collapse {
            cause,
            round: clock.round,
        });
    }
}
