//! Phase 2: deliberation inside each side (Putnam's two-level game). Influence drifts, each
//! side forms its mandate, each member values the no-deal path.

#![allow(clippy::needless_range_loop)] // per-side and per-issue arrays are indexed together

use bevy_ecs::prelude::*;

use crate::model::components::{ActorIndex, Influence, Mandate, NoDeal, Resolve, SideIndex};
use crate::model::formulas;
use crate::model::resources::{Clock, Latent, LiveParams, Model};
use crate::model::rng::{Stream, Streams};
use crate::scenario::types::{MandateRule, Role};

/// Factions' influence drifts by N(0, σ_c), one keyed draw per faction and round.
pub fn drift_influence(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    streams: Res<Streams>,
    mut actors: Query<(&ActorIndex, &mut Influence)>,
    mut noise: Local<Vec<f64>>,
) {
    // A random walk: the spread over a round grows with the square root of the weeks it covers.
    let sigma = params.0.influence_drift * model.dt(clock.round).sqrt();
    if sigma == 0.0 {
        return;
    }
    noise.clear();
    for (i, a) in model.scenario.actors.iter().enumerate() {
        let draw = if a.role == Role::Faction {
            sigma * streams.normal(Stream::Deliberation, model.actor_key[i], clock.round, 0)
        } else {
            0.0
        };
        noise.push(draw);
    }
    for (i, mut inf) in &mut actors {
        if noise[i.0] != 0.0 {
            inf.0 = formulas::clamp01(inf.0 + noise[i.0]);
        }
    }
}

/// Each side's mandate per issue: `m_d = (w_L·x_L + Σ w_f·x_f) / (w_L + Σ w_f)` with
/// `w_f = c_f·s_f,d` and `w_L = ω·Σ w_f` (rule `Mean`), or the weighted median (rule `Median`).
pub fn form_mandates(
    model: Res<Model>,
    params: Res<LiveParams>,
    actors: Query<(&ActorIndex, &Influence)>,
    mut sides: Query<(&SideIndex, &mut Mandate)>,
    mut influence: Local<Vec<Influence>>,
    mut pairs: Local<Vec<(f64, f64)>>,
) {
    let s = &model.scenario;
    super::gather(&actors, s.actors.len(), &mut influence, Influence(0.0));
    for (k, mut mandate) in &mut sides {
        let side = &s.sides[k.0];
        let leader = &s.actors[side.leader];
        for (d, m) in mandate.0.iter_mut().enumerate() {
            pairs.clear();
            for &f in &side.factions {
                let c = (influence[f].0 + model.lobby[f]).max(0.0);
                pairs.push((s.actors[f].ideal[d], c * s.actors[f].salience[d]));
            }
            *m = match params.0.mandate_rule {
                MandateRule::Mean => {
                    formulas::mandate_mean(leader.ideal[d], side.leader_weight, &pairs)
                }
                MandateRule::Median => {
                    formulas::mandate_median(leader.ideal[d], side.leader_weight, &mut pairs)
                }
            };
        }
    }
}

/// Each side member's no-deal value as it perceives it (docs/model.md §6):
/// `d = (1 − P)·U(sq) + P·[p̂·U(strike outcome) + (1 − p̂)·U(sq) − ĉ]`, with `P` the perceived
/// chance that the no-deal path turns military (growing with the threat), and `p̂` lowered for
/// the target of a strike by its protectors' commitments; plus the member's private resolve τ
/// (§4), which the other side does not see.
pub fn value_no_deal(
    model: Res<Model>,
    params: Res<LiveParams>,
    latent: Res<Latent>,
    mut actors: Query<(&ActorIndex, &Resolve, &mut NoDeal)>,
) {
    let s = &model.scenario;
    let p_esc = formulas::clamp01(params.0.escalation_prior * latent.threat);
    for (i, resolve, mut nd) in &mut actors {
        let a = &s.actors[i.0];
        let Some(k) = a.side else { continue };
        let protection: f64 = model
            .protectors
            .iter()
            .zip(&latent.commitments)
            .filter(|(p, _)| p.1 == k)
            .map(|(p, c)| c * p.3)
            .sum();
        let targeted = model.strikes.iter().any(|o| o.target == k);
        let p_hat = if targeted {
            a.war.success * (1.0 - formulas::clamp01(protection))
        } else {
            a.war.success
        };
        let u_sq = model.u_status_quo[i.0];
        let u_strike = model.u_strike_point[i.0];
        nd.0 = formulas::no_deal_value(u_sq, u_strike, p_esc, p_hat, a.war.cost) + resolve.0;
    }
}
