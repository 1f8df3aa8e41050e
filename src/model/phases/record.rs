//! Phase 9: record. Appends the round to the trace; ends the run at the horizon; notes a
//! lapsed deadline.

use bevy_ecs::prelude::*;

use crate::model::components::{
    ActorIndex, Influence, Mandate, Offer, SideIndex, Standing, StrikeChance,
};
use crate::model::resources::{Clock, Ending, Latent, Model, Trace};
use crate::outcome::{Outcome, RoundRecord};

/// Writes this round's [`RoundRecord`].
#[allow(clippy::too_many_arguments)]
pub fn record_round(
    model: Res<Model>,
    clock: Res<Clock>,
    mut latent: ResMut<Latent>,
    mut ending: ResMut<Ending>,
    mut trace: ResMut<Trace>,
    sides: Query<(&SideIndex, &Mandate, &Offer, &Standing)>,
    actors: Query<(&ActorIndex, &Influence, &StrikeChance)>,
) {
    let s = &model.scenario;
    let n_sides = s.sides.len();
    let mut rec = RoundRecord {
        round: clock.round,
        events: latent
            .fired
            .iter()
            .map(|&e| s.events[e].id.clone())
            .collect(),
        mandates: vec![Vec::new(); n_sides],
        offers: vec![Vec::new(); n_sides],
        zeuthen_risk: vec![0.0; n_sides],
        conceded: vec![false; n_sides],
        at_boundary: vec![false; n_sides],
        proposal: latent.proposal.clone(),
        acceptance: vec![0.0; n_sides],
        deal_estimate: vec![0.0; n_sides],
        influence: vec![0.0; s.actors.len()],
        trust: vec![0.0; n_sides],
        consistency: vec![0.0; n_sides],
        threat: latent.threat,
        gap: latent.gap,
        stalled_rounds: latent.stalled_rounds,
        strike_probability: vec![0.0; s.actors.len()],
        collapse_probability: latent.collapse_probability,
    };
    for (k, m, o, st) in &sides {
        let k = k.0;
        rec.mandates[k].clone_from(&m.0);
        rec.offers[k].clone_from(&o.y);
        rec.zeuthen_risk[k] = o.risk;
        rec.conceded[k] = o.conceded;
        rec.at_boundary[k] = o.at_boundary;
        rec.acceptance[k] = st.acceptance;
        rec.deal_estimate[k] = st.deal_estimate;
        rec.trust[k] = st.trust;
        rec.consistency[k] = st.consistency;
    }
    for (i, inf, sc) in &actors {
        if s.actors[i.0].side.is_some() {
            rec.influence[i.0] = inf.0;
        }
        rec.strike_probability[i.0] = sc.0;
    }
    trace.0.push(rec);
    if latent.deadline == Some(clock.round) && ending.0.is_none() {
        latent.deadline_lapsed = true;
    }
    if ending.0.is_none() && clock.round >= s.rounds.len() {
        ending.0 = Some(Outcome::TalksContinue);
    }
}
