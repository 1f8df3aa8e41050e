//! Components: the per-entity state of a run. Actors and sides are entities; what never
//! changes during a run (ideal points, saliences, roles) lives in [`Model`](super::resources::Model).

use bevy_ecs::prelude::*;

/// Stable index of an actor in [`Scenario::actors`](crate::scenario::Scenario); the order in
/// which random draws are consumed.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ActorIndex(pub usize);

/// Stable index of a side in [`Scenario::sides`](crate::scenario::Scenario).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SideIndex(pub usize);

/// An actor's current influence share within its side (drifts, shifted by events).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Influence(pub f64);

/// What an actor says in public (side members only).
#[derive(Component, Debug, Clone, PartialEq, Default)]
pub struct Voice {
    /// This round's statement, per issue.
    pub now: Vec<f64>,
    /// Last round's statement (valid when `spoken`).
    pub prev: Vec<f64>,
    /// Positions imposed by scheduled statements this round (`NaN`: not addressed).
    pub forced: Vec<f64>,
    /// The actor contradicted itself within the round or against its last statement.
    pub reversed: bool,
    /// The actor has spoken before.
    pub spoken: bool,
}

/// An actor's value of the no-deal path this round, as it perceives it (docs/model.md §6).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct NoDeal(pub f64);

/// An actor's private resolve τ_i in this run (docs/model.md §4): a shift of its no-deal
/// value that the other side does not see, drawn once per run (0 off the sides, and with
/// `resolve_spread` = 0).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Resolve(pub f64);

/// An actor's probability of using its military option this round (0 without one).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct StrikeChance(pub f64);

/// A side's mandate: the position its members let it defend (Putnam), per issue.
#[derive(Component, Debug, Clone, PartialEq, Default)]
pub struct Mandate(pub Vec<f64>);

/// A side's standing offer and how it moved this round.
#[derive(Component, Debug, Clone, PartialEq, Default)]
pub struct Offer {
    /// The offer, per issue.
    pub y: Vec<f64>,
    /// The offer before this round's move (equal to `y` in round 1).
    pub prev: Vec<f64>,
    /// Zeuthen risk this round.
    pub risk: f64,
    /// The side conceded this round.
    pub conceded: bool,
    /// The concession stopped at the boundary of the side's win-set.
    pub at_boundary: bool,
    /// The concession stopped at one of the leader's red lines.
    pub at_red_line: bool,
    /// The audience cost (per round) the side's leader would pay for taking the other side's
    /// offer, from its side's public commitments (docs/model.md §4).
    pub audience_cost: f64,
    /// The other side's Zeuthen risk as this side believes it this round (from its belief
    /// about the other leader's resolve); the side concedes when its own risk is not higher.
    pub believed_risk: f64,
    /// Each actor's utility of `y`, filled for the members of both sides (the offer phase keeps
    /// it in step with `y`; the response phase reads it).
    pub utility: Vec<f64>,
}

/// A side's view of the talks.
#[derive(Component, Debug, Clone, Copy, PartialEq, Default)]
pub struct Standing {
    /// Trust in the other side (0–1).
    pub trust: f64,
    /// Consistency of this side's messaging this round (0–1).
    pub consistency: f64,
    /// Mean statement of the side last round (for the shift term of consistency).
    pub prev_mean: Option<f64>,
    /// Probability of accepting the best proposal on the table this round.
    pub acceptance: f64,
    /// The side's own estimate of the chance of a deal this round.
    pub deal_estimate: f64,
    /// Why the side's win-set refused the other side's offer this round, if it did.
    pub blocked: Option<crate::outcome::Blocker>,
    /// Why it refused the mediator's proposal this round, if it did.
    pub mediator_blocked: Option<crate::outcome::Blocker>,
    /// The side's type in this run (docs/model.md §7): sincere, or not (it then reverses
    /// itself in public more often). Drawn once per run; the other side does not see it.
    pub sincere: bool,
    /// The side's belief about the other leader's resolve: a normal with this mean and
    /// standard deviation, common prior N(0, σ_τ), updated from the other side's concessions
    /// and holds (docs/model.md §4). The update uses only what both sides see, so each side
    /// knows the other's belief.
    pub belief_mean: f64,
    /// Standard deviation of that belief.
    pub belief_sd: f64,
}
