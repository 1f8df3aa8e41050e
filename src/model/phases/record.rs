//! Phase 9: record. Appends the round to the trace; ends the run at the horizon; notes a
//! lapsed deadline.

use bevy_ecs::prelude::*;

use crate::model::components::{
    ActorIndex, Influence, Mandate, Offer, SideIndex, Standing, StrikeChance,
};
use crate::model::resources::{Clock, Ending, Latent, Model, Trace};
use crate::outcome::Outcome;

/// Writes this round's [`RoundRecord`](crate::outcome::RoundRecord).
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
    let (n_sides, n_actors) = (s.sides.len(), s.actors.len());
    // Rows are reused across runs: every field is overwritten, allocations are kept.
    let rec = trace.next_row();
    rec.round = clock.round;
    let this = &s.rounds[clock.round - 1];
    (rec.week, rec.date) = (this.week, this.date);
    rec.events.resize(latent.fired.len(), String::new());
    for (id, &e) in rec.events.iter_mut().zip(&latent.fired) {
        id.clone_from(&s.events[e].id);
    }
    rec.mandates.resize(n_sides, Vec::new());
    rec.offers.resize(n_sides, Vec::new());
    for v in [
        &mut rec.zeuthen_risk,
        &mut rec.believed_risk,
        &mut rec.audience_cost,
        &mut rec.acceptance,
        &mut rec.deal_estimate,
        &mut rec.trust,
        &mut rec.consistency,
    ] {
        v.resize(n_sides, 0.0);
    }
    rec.conceded.resize(n_sides, false);
    rec.at_boundary.resize(n_sides, false);
    rec.at_red_line.resize(n_sides, false);
    rec.blocked.resize(n_sides, None);
    rec.mediator_blocked.resize(n_sides, None);
    rec.proposal.clone_from(&latent.proposal);
    rec.influence.clear();
    rec.influence.resize(n_actors, 0.0);
    rec.strike_probability.resize(n_actors, 0.0);
    rec.threat = latent.threat;
    rec.gap = latent.gap;
    rec.stalled_rounds = latent.stalled_rounds;
    rec.collapse_probability = latent.collapse_probability;
    for (k, m, o, st) in &sides {
        let k = k.0;
        rec.mandates[k].clone_from(&m.0);
        rec.offers[k].clone_from(&o.y);
        rec.zeuthen_risk[k] = o.risk;
        rec.believed_risk[k] = o.believed_risk;
        rec.conceded[k] = o.conceded;
        rec.at_boundary[k] = o.at_boundary;
        rec.at_red_line[k] = o.at_red_line;
        rec.audience_cost[k] = o.audience_cost;
        rec.acceptance[k] = st.acceptance;
        rec.deal_estimate[k] = st.deal_estimate;
        rec.blocked[k] = st.blocked;
        rec.mediator_blocked[k] = st.mediator_blocked;
        rec.trust[k] = st.trust;
        rec.consistency[k] = st.consistency;
    }
    for (i, inf, sc) in &actors {
        if s.actors[i.0].side.is_some() {
            rec.influence[i.0] = inf.0;
        }
        rec.strike_probability[i.0] = sc.0;
    }
    if latent.deadline == Some(clock.round) && ending.0.is_none() {
        latent.deadline_lapsed = true;
    }
    if ending.0.is_none() && clock.round >= s.rounds.len() {
        ending.0 = Some(Outcome::TalksContinue);
    }
}
