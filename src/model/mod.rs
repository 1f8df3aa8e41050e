//! The negotiation model (docs/model.md) as a `bevy_ecs` simulation.
//!
//! Actors and sides are entities ([`components`]); the run-wide state is in [`resources`]; the
//! pure formulas are in [`formulas`], each tested against its closed form; the systems of each
//! phase are in [`phases`]. [`round_schedule`] is the one place the phases are ordered.

pub mod components;
pub mod formulas;
pub mod phases;
pub mod resources;
pub mod rng;
pub mod spawn;
pub mod ziggurat;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::ScheduleLabel;

use phases::*;
use resources::Ending;

/// The schedule that plays one round.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Round;

/// The phases of a round (docs/model.md §3), run in this order, one system set each.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Scheduled events; the clock and the latent threat advance.
    Events,
    /// Influence drift, mandates, no-deal values (Putnam).
    Deliberation,
    /// Statements and consistency.
    Signalling,
    /// Zeuthen concessions bounded by win-sets; the mediator's Nash proposal.
    Offers,
    /// Acceptance under the commitment problem; a deal ends the run.
    Responses,
    /// Third parties' strikes.
    ThirdParties,
    /// Sides' strikes (Fearon) and random collapse.
    Escalation,
    /// Asymmetric trust updates.
    Trust,
    /// The round's record; the horizon.
    Record,
}

/// The talks are still open: no outcome yet this round.
fn talks_open(ending: Res<Ending>) -> bool {
    ending.0.is_none()
}

/// Builds the round schedule: the phases chained in the order of docs/model.md §3, the systems
/// inside each chained, phases after a terminal outcome skipped (but the round is still recorded),
/// the single-threaded executor set explicitly, and ambiguity detection as an error.
pub fn round_schedule() -> Schedule {
    let mut schedule = crate::ecs::strict_schedule(Round);
    schedule.configure_sets(
        (
            Phase::Events,
            Phase::Deliberation,
            Phase::Signalling,
            Phase::Offers,
            Phase::Responses,
            Phase::ThirdParties,
            Phase::Escalation,
            Phase::Trust,
            Phase::Record,
        )
            .chain(),
    );
    schedule.configure_sets(
        (
            Phase::Responses,
            Phase::ThirdParties,
            Phase::Escalation,
            Phase::Trust,
        )
            .distributive_run_if(talks_open),
    );
    schedule.add_systems((
        (events::apply_events, events::grow_threat)
            .chain()
            .in_set(Phase::Events),
        (
            deliberation::drift_influence,
            deliberation::form_mandates,
            deliberation::value_no_deal,
        )
            .chain()
            .in_set(Phase::Deliberation),
        (signalling::make_statements, signalling::score_consistency)
            .chain()
            .in_set(Phase::Signalling),
        (offers::exchange_offers, offers::mediate)
            .chain()
            .in_set(Phase::Offers),
        responses::respond_to_proposals.in_set(Phase::Responses),
        third_parties::weigh_third_party_strikes.in_set(Phase::ThirdParties),
        (escalation::weigh_side_strikes, escalation::risk_collapse)
            .chain()
            .in_set(Phase::Escalation),
        trust::update_trust.in_set(Phase::Trust),
        record::record_round.in_set(Phase::Record),
    ));
    schedule
}
