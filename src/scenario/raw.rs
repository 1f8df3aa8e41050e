//! The scenario file as written: serde types that mirror the RON text.
//!
//! Every field is optional here so that a variant file (`extends: Some("base.ron")`) can give only
//! what it changes. Whether a *merged* scenario is complete and consistent is decided later, by
//! [`super::validate`], which reports every problem at once. What this layer does guarantee:
//!
//! * unknown fields are rejected (`deny_unknown_fields` on every struct), so a typo is an error
//!   with a line and column, never a silent default;
//! * every number is finite ([`Num`] rejects `NaN` and `inf` where it is parsed).
//!
//! Field documentation here is the reference for `scenarios/README.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// A finite `f64`. Parsing `NaN` or an infinity is an error at the number's own location.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Num(pub f64);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(deserializer)?;
        if v.is_finite() {
            Ok(Num(v))
        } else {
            Err(serde::de::Error::custom(format!(
                "{v} is not allowed here: numbers must be finite"
            )))
        }
    }
}

/// Claim ids from the scenario's source digest (`seeds/`), e.g. `["C03", "C07"]`.
pub type Claims = Vec<String>;

/// Provenance of the values of one item: a map from a field path inside the item (`"influence"`,
/// `"ideal.<issue>"`, `"war"`) to the claims that support it. A key covers every value beneath
/// it; a value that no key covers is an assumption.
pub type Because = BTreeMap<String, Claims>;

/// A whole scenario file (or, with `extends`, a patch to another one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Scenario")]
pub struct RawScenario {
    /// Title shown in reports.
    pub name: Option<String>,
    /// Free text: what the scenario is about, its period and its source.
    pub description: Option<String>,
    /// Path (relative to this file) of a scenario this one patches.
    pub extends: Option<String>,
    /// Path (relative to this file) of the source digest whose claim ids `because` cites.
    pub digest: Option<String>,
    /// The dimensions under negotiation.
    pub issues: Option<Vec<RawIssue>>,
    /// The principals of the talks.
    pub sides: Option<Vec<RawSide>>,
    /// Everyone who acts: leaders, factions, third parties, mediators.
    pub actors: Option<Vec<RawActor>>,
    /// The schedule of negotiation rounds, in order; its length is the horizon.
    pub rounds: Option<Vec<RawRound>>,
    /// Scheduled events.
    pub events: Option<Vec<RawEvent>>,
    /// Model parameters; every one has a default (see `detente explain`).
    pub params: Option<super::params::RawParams>,
    /// Which engine runs the scenario (default: the negotiation model).
    pub engine: Option<RawEngine>,
}

/// The engine of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Engine")]
pub enum RawEngine {
    /// The negotiation model (docs/model.md): sides, rounds, events, outcomes.
    Negotiation,
    /// Bueno de Mesquita's expected-utility model (Scholz, Calbert & Smith 2011) over the
    /// actors' capabilities, positions and saliences.
    ExpectedUtility(RawExpectedUtility),
    /// KTAB's Spatial Model of Politics over the actors' capabilities, positions and saliences.
    SpatialModel(super::engine::smp::Settings),
}

/// Options of the expected-utility engine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "ExpectedUtility")]
pub struct RawExpectedUtility {
    /// `ScholzCode` (default: the authors' code) or `Paper` (the paper's text).
    pub conventions: Option<super::engine::bdm::Conventions>,
    /// Rounds to play (default 10).
    pub rounds: Option<u32>,
    /// Q (default 1).
    pub q: Option<Num>,
    /// Keep the range R at its initial value (default: true for ScholzCode, false for Paper).
    pub fixed_range: Option<bool>,
}

/// One dimension of the negotiation space, on a 0–100 scale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Issue")]
pub struct RawIssue {
    /// Identifier used in maps keyed by issue (`ideal`, `salience`, statements).
    pub id: Option<String>,
    /// What 0 means.
    pub low: Option<String>,
    /// What 100 means.
    pub high: Option<String>,
    /// Where things stand without a deal (0–100).
    pub status_quo: Option<Num>,
    /// `true` if this issue measures how binding a deal is: its level lowers the reneging
    /// hazard. At most one issue may say so.
    pub durability: Option<bool>,
    /// Claims behind the status quo and the scale.
    pub because: Option<Claims>,
}

/// A principal in the talks: a leader who decides, factions, veto players.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Side")]
pub struct RawSide {
    /// Identifier.
    pub id: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// The actor who decides for the side (role `Leader`).
    pub leader: Option<String>,
    /// Actors whose views the leader weighs (role `Faction`).
    pub factions: Option<Vec<String>>,
    /// Members whose consent a deal needs (leader or factions of this side).
    pub veto: Option<Vec<String>>,
    /// Influence-weighted share of the side's factions that must prefer a deal to no deal (0–1).
    pub ratification_quota: Option<Num>,
    /// The leader's self-weight ω relative to the factions' total weight (≥ 0).
    pub leader_weight: Option<Num>,
    /// Probability that the side is the sincere type in a run (0–1): drawn once per run; an
    /// insincere side reverses itself in public more often (docs/model.md §7).
    pub sincere: Option<Num>,
    /// Provenance of the side's values.
    pub because: Option<Because>,
}

/// What an actor is in the negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Decides for its side; weighs the factions' views.
    Leader,
    /// A group inside a side with influence on the mandate.
    Faction,
    /// Outside the talks; acts through its capabilities.
    ThirdParty,
    /// Hosts rounds and proposes compromises.
    Mediator,
}

/// An actor: its place in the game, its preferences and its perceptions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Actor")]
pub struct RawActor {
    /// Identifier.
    pub id: Option<String>,
    /// Display name (who the actor stands for).
    pub name: Option<String>,
    /// The side the actor belongs to (`None` for third parties and mediators).
    pub side: Option<String>,
    /// What the actor is.
    pub role: Option<Role>,
    /// Ideal point per issue id (0–100).
    pub ideal: Option<BTreeMap<String, Num>>,
    /// Salience per issue id (0–1; normalised over issues by the model).
    pub salience: Option<BTreeMap<String, Num>>,
    /// Influence share within the side (0–1); for a leader, unused (see `Side.leader_weight`).
    pub influence: Option<Num>,
    /// Capability ("power") for the reference engines (> 0).
    pub capability: Option<Num>,
    /// Risk attitude ρ in [−1, 1]: −1 risk-averse (γ = 2), +1 risk-acceptant (γ = 0.5).
    pub risk: Option<Num>,
    /// Per-round discount factor δ (0–1).
    pub discount: Option<Num>,
    /// Value (utility units, 0–1) the actor puts on any deal as such, beyond its terms.
    pub deal_bonus: Option<Num>,
    /// Irreversible cost the actor pays up front when a deal is signed (utility units, 0–1).
    pub upfront_cost: Option<Num>,
    /// How the actor perceives the military path.
    pub war: Option<RawWar>,
    /// How the actor's trust in the other side starts and learns.
    pub trust: Option<RawTrust>,
    /// Hard limits the actor declares on issues (docs/model.md §2).
    pub red_lines: Option<RawRedLines>,
    /// What a third party (or a side) can do outside the talks.
    pub capabilities: Option<Vec<RawCapability>>,
    /// Provenance of the actor's values.
    pub because: Option<Because>,
}

/// An actor's perception of the military option (docs/model.md §6, the no-deal value).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "War")]
pub struct RawWar {
    /// Perceived probability that a strike on the nuclear programme succeeds (0–1).
    pub success: Option<Num>,
    /// Perceived cost of the military path, in utility units (0–1).
    pub cost: Option<Num>,
}

/// An actor's declared red lines: per issue id, the least (`at_least`) and the most (`at_most`)
/// it will ever accept (0–100).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "RedLines")]
pub struct RawRedLines {
    /// Positions below these are unacceptable, per issue id.
    pub at_least: Option<BTreeMap<String, Num>>,
    /// Positions above these are unacceptable, per issue id.
    pub at_most: Option<BTreeMap<String, Num>>,
}

/// An actor's trust in the other side and how it learns (asymmetric: faster down than up).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Trust")]
pub struct RawTrust {
    /// Trust at the start (0–1): the prior probability that the other side is the sincere type.
    pub initial: Option<Num>,
}

/// What an actor can do outside the talks (docs/model.md §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Capability")]
pub enum RawCapability {
    /// Moves influence inside a side toward an allied faction.
    Lobby(RawLobby),
    /// A military option against a target side.
    Strike(RawStrike),
    /// A commitment to a client that raises the cost of striking it.
    Protect(RawProtect),
    /// Hosts rounds and lowers misperception.
    Mediate(RawMediate),
}

/// `Lobby`: pushes influence toward an allied faction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Lobby")]
pub struct RawLobby {
    /// The faction lobbied for.
    pub target: Option<String>,
    /// Influence weight added to the target faction when its side forms its mandate (0–1).
    pub strength: Option<Num>,
}

/// `Strike`: a military option, more likely to work with a patron's approval.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Strike")]
pub struct RawStrike {
    /// The side struck.
    pub target: Option<String>,
    /// The side whose approval the striker seeks (`None`: acts alone).
    pub patron: Option<String>,
    /// Success probability with the patron's full approval (0–1).
    pub success: Option<Num>,
    /// Success probability without it (0–1).
    pub success_alone: Option<Num>,
    /// Restraint threshold θ: the gain from striking must exceed it (0–1).
    pub restraint: Option<Num>,
    /// Where the target's positions stand after a successful strike, per issue id (0–100);
    /// issues not named are unchanged.
    pub outcome: Option<BTreeMap<String, Num>>,
}

/// `Protect`: a commitment to a client side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Protect")]
pub struct RawProtect {
    /// The side protected.
    pub client: Option<String>,
    /// Strength of the commitment ρ (0–1): scales the expected cost of striking the client.
    pub commitment: Option<Num>,
    /// Probability of any response to a strike on the client (0–1).
    pub response: Option<Num>,
    /// Probability that a response is military (0–1).
    pub military: Option<Num>,
}

/// `Mediate`: hosts rounds, lowers misperception, may propose compromises.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Mediate")]
pub struct RawMediate {
    /// Fraction of misperception noise removed while this actor mediates (0–1).
    pub clarity: Option<Num>,
}

/// One round of talks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Round")]
pub struct RawRound {
    /// Where it takes place.
    pub venue: Option<String>,
    /// How it is called in reports.
    pub label: Option<String>,
    /// The mediator hosting it (an actor with `Mediate`), if any.
    pub host: Option<String>,
    /// Its date, `YYYY-MM-DD`. Without one, a round comes a week after the previous one; later
    /// rounds may be dated only if the first is.
    pub date: Option<String>,
    /// Claims behind the round.
    pub because: Option<Claims>,
}

/// A scheduled event: applied at the start of its round, before deliberation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Event")]
pub struct RawEvent {
    /// Identifier, so variants and `--set` can address the event.
    pub id: Option<String>,
    /// The round (1-based) at whose start the event fires; or give `date` instead.
    pub round: Option<u32>,
    /// The date of the event, `YYYY-MM-DD`: it fires at the start of the first round on or after
    /// it (the rounds must be dated).
    pub date: Option<String>,
    /// What happens.
    pub effect: Option<RawEffect>,
    /// `false` switches the event off (variants use this).
    pub enabled: Option<bool>,
    /// What the report says happened.
    pub note: Option<String>,
    /// Claims reporting the event.
    pub because: Option<Claims>,
}

/// The typed effect of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Effect", deny_unknown_fields)]
pub enum RawEffect {
    /// An actor states a position publicly (counts toward its side's consistency).
    Statement {
        /// Who speaks.
        actor: String,
        /// The stated position per issue id (0–100); issues not named are not addressed.
        position: BTreeMap<String, Num>,
        /// A public commitment of the speaker's side to that position, of this strength (0–1):
        /// its leader pays an audience cost for a deal that concedes beyond it.
        #[serde(default)]
        commit: Option<Num>,
    },
    /// An actor's influence share changes by `delta` (clamped to 0–1).
    InfluenceShift {
        /// Whose influence moves.
        actor: String,
        /// Change of the influence share.
        delta: Num,
    },
    /// A protector's commitment to a client changes by `delta` (clamped to 0–1).
    AllianceChange {
        /// The protector (an actor with `Protect`).
        actor: String,
        /// The client side.
        client: String,
        /// Change of the commitment.
        delta: Num,
    },
    /// A deadline: talks that have no deal by the end of round `round`, or by the last round on
    /// or before `date`, have lapsed it. Give one of the two.
    Deadline {
        /// The last round (1-based) before the deadline lapses.
        #[serde(default)]
        round: Option<u32>,
        /// The date of the deadline, `YYYY-MM-DD` (the rounds must be dated).
        #[serde(default)]
        date: Option<String>,
    },
    /// A parameter takes a new value from this round on (`path` as in `--set`).
    ParameterChange {
        /// Parameter path, e.g. `params.collapse_hazard`.
        path: String,
        /// New value.
        value: Num,
    },
    /// An intervention: an actor is made to act this round.
    ForcedAction {
        /// Who acts.
        actor: String,
        /// What it does.
        action: ForcedKind,
    },
}

/// The action of a [`RawEffect::ForcedAction`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForcedKind {
    /// The actor uses its `Strike` capability.
    Strike,
    /// The actor's side walks out: the talks collapse.
    WalkOut,
    /// The actor's side accepts the other side's standing offer.
    Accept,
}
