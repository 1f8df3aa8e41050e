//! Phase 1: the round starts; scheduled events apply; the latent threat grows.

use bevy_ecs::prelude::*;

use crate::model::components::{ActorIndex, Influence, Voice};
use crate::model::formulas::clamp01;
use crate::model::resources::{Clock, Latent, LiveParams, Model};
use crate::scenario::types::Effect;

/// Two statements of one actor on one issue further apart than this (points) are a reversal.
pub const REVERSAL_POINTS: f64 = 20.0;

/// Advances the clock and applies this round's events, in file order.
pub fn apply_events(
    model: Res<Model>,
    mut clock: ResMut<Clock>,
    mut latent: ResMut<Latent>,
    mut params: ResMut<LiveParams>,
    mut actors: Query<(&ActorIndex, &mut Influence, Option<&mut Voice>)>,
) {
    clock.round += 1;
    let round = clock.round;
    let latent = &mut *latent;
    latent.fired.clear();
    latent.forced.clear();
    latent.proposal = None;
    for (_, _, voice) in &mut actors {
        if let Some(mut v) = voice {
            v.forced.fill(f64::NAN);
            v.reversed = false;
        }
    }
    for (e, event) in model.scenario.events.iter().enumerate() {
        if event.round != round {
            continue;
        }
        latent.fired.push(e);
        match &event.effect {
            Effect::Statement {
                actor, position, ..
            } => {
                for (i, _, voice) in &mut actors {
                    let (true, Some(mut v)) = (i.0 == *actor, voice) else {
                        continue;
                    };
                    for (d, p) in position.iter().enumerate() {
                        let Some(p) = *p else { continue };
                        // Compared with what it said earlier this round, or else with its last statement.
                        let said_before = if v.forced[d].is_nan() {
                            v.spoken.then(|| v.now[d])
                        } else {
                            Some(v.forced[d])
                        };
                        if said_before.is_some_and(|b| (b - p).abs() > REVERSAL_POINTS) {
                            v.reversed = true;
                        }
                        v.forced[d] = p;
                    }
                }
            }
            Effect::InfluenceShift { actor, delta } => {
                for (i, mut inf, _) in &mut actors {
                    if i.0 == *actor {
                        inf.0 = clamp01(inf.0 + delta);
                    }
                }
            }
            Effect::AllianceChange {
                actor,
                client,
                delta,
            } => {
                for (p, c) in model.protectors.iter().zip(latent.commitments.iter_mut()) {
                    if p.0 == *actor && p.1 == *client {
                        *c = clamp01(*c + delta);
                    }
                }
            }
            Effect::Deadline { round } => latent.deadline = Some(*round),
            Effect::ParameterChange { param, value } => {
                params.0.set(param, *value);
            }
            Effect::ForcedAction { actor, action } => latent.forced.push((*actor, *action)),
        }
    }
}

/// The latent threat (the stockpile) grows by `threat_growth` per week, over the weeks the round
/// covers.
pub fn grow_threat(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    mut latent: ResMut<Latent>,
) {
    latent.threat = clamp01(latent.threat + params.0.threat_growth * model.dt(clock.round));
}
