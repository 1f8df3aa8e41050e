//! The validated scenario: complete, consistent, immutable, cheap to share across threads.
//!
//! References are indices (actors, sides, issues) checked by validation, so the model never looks
//! a name up. Per-issue vectors are indexed like [`Scenario::issues`].

use serde::Serialize;

pub use super::calendar::Date;
pub use super::params::{MandateRule, Params};
pub use super::raw::{ForcedKind, Role};

/// A validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Title.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The issue dimensions.
    pub issues: Vec<Issue>,
    /// Index of the issue that measures a deal's durability, if any.
    pub durability_issue: Option<usize>,
    /// The sides.
    pub sides: Vec<Side>,
    /// The actors.
    pub actors: Vec<Actor>,
    /// The rounds; their count is the horizon.
    pub rounds: Vec<Round>,
    /// Enabled events, sorted by round (stable: file order within a round).
    pub events: Vec<Event>,
    /// Global parameters.
    pub params: Params,
    /// The engine that runs the scenario.
    pub engine: Engine,
}

/// The engine of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Engine {
    /// The negotiation model.
    Negotiation,
    /// Bueno de Mesquita's expected-utility model.
    ExpectedUtility {
        /// Its options.
        options: super::engine::bdm::Options,
        /// Rounds to play.
        rounds: usize,
    },
    /// KTAB's Spatial Model of Politics.
    SpatialModel(super::engine::smp::Settings),
}

impl Engine {
    /// The name used in messages.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Negotiation => "negotiation",
            Engine::ExpectedUtility { .. } => "expected-utility",
            Engine::SpatialModel(_) => "spatial-model",
        }
    }
}

/// An issue dimension (0–100).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Identifier.
    pub id: String,
    /// Meaning of 0.
    pub low: String,
    /// Meaning of 100.
    pub high: String,
    /// Position without a deal.
    pub status_quo: f64,
}

/// A side: leader, factions, veto players.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Actor index of the leader.
    pub leader: usize,
    /// Actor indices of the factions.
    pub factions: Vec<usize>,
    /// Actor indices of the veto players.
    pub veto: Vec<usize>,
    /// Share of member influence that must prefer a deal (0–1).
    pub ratification_quota: f64,
    /// Leader's self-weight ω.
    pub leader_weight: f64,
    /// Probability that the side is the sincere type in a run.
    pub sincere: f64,
}

/// An actor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Actor {
    /// Identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Side index (leaders and factions).
    pub side: Option<usize>,
    /// Role.
    pub role: Role,
    /// Ideal point per issue (0–100); empty for a mediator that gives none.
    pub ideal: Vec<f64>,
    /// Raw salience per issue (0–1).
    pub salience: Vec<f64>,
    /// Influence share within the side (0–1).
    pub influence: f64,
    /// Capability for the reference engines (0 when not given).
    pub capability: f64,
    /// Risk attitude ρ (−1..1).
    pub risk: f64,
    /// Per-round discount factor δ.
    pub discount: f64,
    /// Value put on any deal as such.
    pub deal_bonus: f64,
    /// Irreversible up-front cost of a deal.
    pub upfront_cost: f64,
    /// Perception of the military path.
    pub war: War,
    /// Trust parameters.
    pub trust: Trust,
    /// Declared red lines per issue (one entry per issue; [0, 100] where none is declared).
    pub red_lines: Vec<RedLine>,
    /// Capabilities outside the talks.
    pub capabilities: Vec<Capability>,
}

/// An actor's perception of the military option.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct War {
    /// Perceived success probability of a strike.
    pub success: f64,
    /// Perceived cost of the military path.
    pub cost: f64,
}

/// A red line on one issue (docs/model.md §2): the band of positions an actor will ever accept.
/// A faction never ratifies a deal outside it, a veto player vetoes it, a leader never offers or
/// accepts it, and the mediator keeps its text inside the bands of the leaders and veto players.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RedLine {
    /// The least acceptable position (0 when none is declared).
    pub at_least: f64,
    /// The most acceptable position (100 when none is declared).
    pub at_most: f64,
}

impl RedLine {
    /// No limit: the whole scale.
    pub const NONE: RedLine = RedLine {
        at_least: 0.0,
        at_most: 100.0,
    };

    /// Whether position `x` respects the line (with a tolerance of 10⁻⁹ for rounding).
    pub fn allows(self, x: f64) -> bool {
        x >= self.at_least - 1e-9 && x <= self.at_most + 1e-9
    }

    /// The nearest position that respects the line.
    pub fn clamp(self, x: f64) -> f64 {
        x.clamp(self.at_least, self.at_most)
    }

    /// Whether the actor declared a limit here at all.
    pub fn declared(self) -> bool {
        self != Self::NONE
    }
}

/// Trust parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Trust {
    /// Initial trust in the other side: the prior that it is the sincere type.
    pub initial: f64,
}

/// A validated capability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Capability {
    /// Moves influence toward an allied faction.
    Lobby {
        /// Actor index of the faction lobbied for.
        target: usize,
        /// Influence weight added to the target in its side's deliberation.
        strength: f64,
    },
    /// A military option.
    Strike {
        /// Side index struck.
        target: usize,
        /// Side index of the patron, if any.
        patron: Option<usize>,
        /// Success with full approval.
        success: f64,
        /// Success alone.
        success_alone: f64,
        /// Restraint threshold θ.
        restraint: f64,
        /// Position per issue after a successful strike (`None`: unchanged).
        outcome: Vec<Option<f64>>,
    },
    /// A protection commitment.
    Protect {
        /// Side index protected.
        client: usize,
        /// Commitment strength.
        commitment: f64,
        /// Probability of any response.
        response: f64,
        /// Probability a response is military.
        military: f64,
    },
    /// Mediation.
    Mediate {
        /// Share of misperception removed.
        clarity: f64,
    },
}

impl Capability {
    /// The capability's kind as written in files and paths (`lobby`, `strike`...).
    pub fn kind(&self) -> &'static str {
        match self {
            Capability::Lobby { .. } => "lobby",
            Capability::Strike { .. } => "strike",
            Capability::Protect { .. } => "protect",
            Capability::Mediate { .. } => "mediate",
        }
    }
}

/// A round of talks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// Venue.
    pub venue: String,
    /// Label.
    pub label: String,
    /// Actor index of the host, if any.
    pub host: Option<usize>,
    /// Its date, if the scenario's rounds are dated.
    pub date: Option<Date>,
    /// Weeks since the first round (0 for the first).
    pub week: f64,
    /// Weeks this round covers: since the previous round, and one week for the first. Every
    /// per-week rate of the model is applied over this span (docs/model.md §1, "Time").
    pub dt: f64,
}

/// An enabled event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Identifier.
    pub id: String,
    /// Round (1-based) at whose start it fires.
    pub round: usize,
    /// Its date, if the file gives one (it then fires at the first round on or after it).
    pub date: Option<Date>,
    /// The effect.
    pub effect: Effect,
    /// What happened, for the story.
    pub note: String,
}

/// A validated event effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Effect {
    /// A public statement.
    Statement {
        /// Actor index.
        actor: usize,
        /// Stated position per issue (`None`: not addressed).
        position: Vec<Option<f64>>,
        /// Strength (0–1) of the public commitment to it, if the statement is one.
        commit: Option<f64>,
    },
    /// An influence change.
    InfluenceShift {
        /// Actor index.
        actor: usize,
        /// Change.
        delta: f64,
    },
    /// A change of a protection commitment.
    AllianceChange {
        /// Actor index of the protector.
        actor: usize,
        /// Side index of the client.
        client: usize,
        /// Change.
        delta: f64,
    },
    /// A deadline at the end of round `round` (1-based).
    Deadline {
        /// Last round before the deadline lapses.
        round: usize,
    },
    /// A global parameter changes.
    ParameterChange {
        /// Parameter name (a [`Params`] field).
        param: &'static str,
        /// New value.
        value: f64,
    },
    /// A forced action.
    ForcedAction {
        /// Actor index.
        actor: usize,
        /// Action.
        action: ForcedKind,
    },
}

impl Scenario {
    /// Index of the actor with this id.
    pub fn actor_index(&self, id: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.id == id)
    }

    /// Index of the side with this id.
    pub fn side_index(&self, id: &str) -> Option<usize> {
        self.sides.iter().position(|s| s.id == id)
    }

    /// The values a reference engine reads: each actor's capability, positions and saliences.
    fn reference_values(&self) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        for a in &self.actors {
            out.push((format!("actors.{}.capability", a.id), a.capability));
            for (field, xs) in [("ideal", &a.ideal), ("salience", &a.salience)] {
                for (issue, x) in self.issues.iter().zip(xs) {
                    out.push((format!("actors.{}.{field}.{}", a.id, issue.id), *x));
                }
            }
        }
        out
    }

    /// Every numeric value the model uses, with its path (as in `--set` and `because`), in
    /// file order: issues, sides, actors, events, params.
    pub fn values(&self) -> Vec<(String, f64)> {
        self.all_values()
            .into_iter()
            .filter_map(|(p, v, unread)| unread.is_none().then_some((p, v)))
            .collect()
    }

    /// The numeric values of the scenario that the model reads nowhere, each with the reason:
    /// fields the format shares between roles that this actor's role and capabilities never
    /// use (a third party's discount, a leader's influence...). [`Scenario::values`] leaves them
    /// out, so knobs, controls and sweeps never offer a lever that cannot move anything.
    pub fn unread_values(&self) -> Vec<(String, f64, &'static str)> {
        self.all_values()
            .into_iter()
            .filter_map(|(p, v, unread)| unread.map(|r| (p, v, r)))
            .collect()
    }

    /// Why the model never reads `field` of actor `a`, if it does not.
    fn unread(a: &Actor, field: &str) -> Option<&'static str> {
        let strikes = a
            .capabilities
            .iter()
            .any(|c| matches!(c, Capability::Strike { .. }));
        let protects = a
            .capabilities
            .iter()
            .any(|c| matches!(c, Capability::Protect { .. }));
        match a.role {
            Role::Leader if field == "influence" => {
                Some("a leader's weight in its side's mandate is the side's `leader_weight`")
            }
            Role::Leader | Role::Faction => None,
            Role::ThirdParty | Role::Mediator => match field {
                "capabilities" => None,
                "red_lines" => Some("red lines bind the sides' members only"),
                "influence" | "discount" | "deal_bonus" | "upfront_cost" | "trust.initial" => {
                    Some("only side members value deals and influence mandates")
                }
                "war.success" if strikes => Some(
                    "an actor off the sides expects its strike to succeed with the strike's own `success` and `success_alone`",
                ),
                _ if strikes => None,
                // A protector weighs its answer to a strike on its client by its own
                // preferences and war cost (docs/model.md §8).
                "ideal" | "salience" | "risk" | "war.cost" if protects => None,
                _ => Some(
                    "an actor off the sides without a `Strike` or `Protect` capability acts through its capabilities only",
                ),
            },
        }
    }

    /// Every numeric value with the reason it is not read, if it is not.
    fn all_values(&self) -> Vec<(String, f64, Option<&'static str>)> {
        let own_strike = "a side weighs its own strike with its members' `war.success`";
        self.listed_values()
            .into_iter()
            .map(|(path, v)| {
                let unread = path.strip_prefix("actors.").and_then(|rest| {
                    let a = self.actors.iter().find(|a| {
                        rest.strip_prefix(a.id.as_str())
                            .is_some_and(|r| r.starts_with('.'))
                    })?;
                    let field = &rest[a.id.len() + 1..];
                    let own_side_strike = a.role == Role::Leader
                        && matches!(
                            field,
                            "capabilities.strike.success" | "capabilities.strike.success_alone"
                        );
                    if own_side_strike {
                        return Some(own_strike);
                    }
                    let top = field.split('.').next().unwrap_or(field);
                    let key = if top == "war" || top == "trust" {
                        field
                    } else {
                        top
                    };
                    Self::unread(a, key)
                });
                (path, v, unread)
            })
            .collect()
    }

    /// Every numeric value, read or not.
    fn listed_values(&self) -> Vec<(String, f64)> {
        if self.engine != Engine::Negotiation {
            return self.reference_values();
        }
        let mut out = Vec::new();
        let mut push = |p: String, v: f64| out.push((p, v));
        for i in &self.issues {
            push(format!("issues.{}.status_quo", i.id), i.status_quo);
        }
        for s in &self.sides {
            push(
                format!("sides.{}.ratification_quota", s.id),
                s.ratification_quota,
            );
            push(format!("sides.{}.leader_weight", s.id), s.leader_weight);
            push(format!("sides.{}.sincere", s.id), s.sincere);
        }
        for a in &self.actors {
            let p = format!("actors.{}", a.id);
            for (field, xs) in [("ideal", &a.ideal), ("salience", &a.salience)] {
                for (issue, x) in self.issues.iter().zip(xs) {
                    push(format!("{p}.{field}.{}", issue.id), *x);
                }
            }
            for (field, v) in [
                ("influence", a.influence),
                ("risk", a.risk),
                ("discount", a.discount),
                ("deal_bonus", a.deal_bonus),
                ("upfront_cost", a.upfront_cost),
                ("war.success", a.war.success),
                ("war.cost", a.war.cost),
                ("trust.initial", a.trust.initial),
            ] {
                push(format!("{p}.{field}"), v);
            }
            for (issue, line) in self.issues.iter().zip(&a.red_lines) {
                if line.at_least != RedLine::NONE.at_least {
                    push(
                        format!("{p}.red_lines.at_least.{}", issue.id),
                        line.at_least,
                    );
                }
                if line.at_most != RedLine::NONE.at_most {
                    push(format!("{p}.red_lines.at_most.{}", issue.id), line.at_most);
                }
            }
            for c in &a.capabilities {
                let cp = format!("{p}.capabilities.{}", c.kind());
                match c {
                    Capability::Lobby { strength, .. } => push(format!("{cp}.strength"), *strength),
                    Capability::Strike {
                        success,
                        success_alone,
                        restraint,
                        outcome,
                        ..
                    } => {
                        push(format!("{cp}.success"), *success);
                        push(format!("{cp}.success_alone"), *success_alone);
                        push(format!("{cp}.restraint"), *restraint);
                        for (issue, x) in self.issues.iter().zip(outcome) {
                            if let Some(x) = x {
                                push(format!("{cp}.outcome.{}", issue.id), *x);
                            }
                        }
                    }
                    Capability::Protect {
                        commitment,
                        response,
                        military,
                        ..
                    } => {
                        push(format!("{cp}.commitment"), *commitment);
                        push(format!("{cp}.response"), *response);
                        push(format!("{cp}.military"), *military);
                    }
                    Capability::Mediate { clarity } => push(format!("{cp}.clarity"), *clarity),
                }
            }
        }
        for e in &self.events {
            let p = format!("events.{}", e.id);
            // An event placed by date is moved by its date, not by a round number.
            if e.date.is_none() {
                push(format!("{p}.round"), e.round as f64);
            }
            match &e.effect {
                Effect::Statement {
                    position, commit, ..
                } => {
                    for (issue, x) in self.issues.iter().zip(position) {
                        if let Some(x) = x {
                            push(format!("{p}.effect.position.{}", issue.id), *x);
                        }
                    }
                    if let Some(c) = commit {
                        push(format!("{p}.effect.commit"), *c);
                    }
                }
                Effect::InfluenceShift { delta, .. } | Effect::AllianceChange { delta, .. } => {
                    push(format!("{p}.effect.delta"), *delta)
                }
                Effect::Deadline { round } => push(format!("{p}.effect.round"), *round as f64),
                Effect::ParameterChange { value, .. } => push(format!("{p}.effect.value"), *value),
                Effect::ForcedAction { .. } => {}
            }
        }
        for spec in super::params::PARAM_SPECS {
            let v = self.params.get(spec.name).expect("every spec is a field");
            push(format!("params.{}", spec.name), v);
        }
        out
    }
}
