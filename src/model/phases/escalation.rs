//! Phase 7: escalation (Fearon). A side with a military option strikes when its members'
//! influence-weighted gain from striking exceeds its leader's restraint; talks can also
//! collapse by chance, more so with low trust and a long stalemate.

use bevy_ecs::prelude::*;

use super::third_parties::{
    StrikeRace, forced_to_strike, misperceive, strike_context, strike_gain,
};
use crate::model::components::{ActorIndex, Influence, Offer, SideIndex, Standing, StrikeChance};
use crate::model::formulas;
use crate::model::resources::{Clock, Ending, Latent, LiveParams, Model};
use crate::model::rng::{Stream, Streams};
use crate::outcome::{CollapseCause, Outcome};
use crate::scenario::types::ForcedKind;

/// Each side's military option: `P = σ(κ·(ΔEU − θ + audience cost))`, where ΔEU averages its
/// members' gains (each at its own perceived success plus a shared misperception draw), only
/// once the talks stall or a deadline lapses (or when forced).
#[allow(clippy::too_many_arguments)]
pub fn weigh_side_strikes(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    latent: Res<Latent>,
    streams: Res<Streams>,
    mut ending: ResMut<Ending>,
    sides: Query<(&SideIndex, &Offer)>,
    mut actors: Query<(&ActorIndex, &Influence, &mut StrikeChance)>,
    mut influence: Local<Vec<f64>>,
    mut weights: Local<Vec<f64>>,
    mut wait: Local<Vec<f64>>,
) {
    let p = &params.0;
    let s = &model.scenario;
    influence.clear();
    influence.resize(s.actors.len(), 0.0);
    for (i, inf, _) in &actors {
        influence[i.0] = inf.0;
    }
    let (open, audience) = strike_context(&latent, p, &sides, &mut wait);
    let mut race = StrikeRace::new(Stream::Escalation, clock.round);
    for (oi, o) in model.strikes.iter().enumerate() {
        let Some(k) = o.own_side else { continue };
        let forced = forced_to_strike(&latent, o.actor);
        let chance = if forced {
            1.0
        } else if open {
            let noise = misperceive(&model, p, &streams, Stream::Escalation, o, clock.round);
            model.member_weights(k, &influence, &mut weights);
            let (mut gain, mut total) = (0.0, 0.0);
            for (&m, &w) in model.members[k].iter().zip(weights.iter()) {
                let success = formulas::clamp01(s.actors[m].war.success + noise);
                gain += w * strike_gain(&model, p, &latent, m, oi, success, 0.0, &wait);
                total += w;
            }
            let gain = if total > 0.0 { gain / total } else { 0.0 };
            formulas::over_weeks(
                formulas::escalation_probability(p.strike_sharpness, gain, o.restraint, audience),
                model.dt(clock.round),
            )
        } else {
            0.0
        };
        for (i, _, mut sc) in &mut actors {
            if i.0 == o.actor {
                sc.0 = chance;
            }
        }
        race.enter(&model, &streams, oi, 1.0, chance);
    }
    race.finish(&model, p, &streams, &mut ending);
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
