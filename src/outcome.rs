//! What a run ends in, its kind as studies count it ([`OutcomeKind`], [`OutcomeClass`]), and the
//! record of each round (docs/model.md §10).

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;

/// Why talks collapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CollapseCause {
    /// Broke down by chance (the per-round collapse hazard, raised by mistrust).
    Breakdown,
    /// Broke down after a stalemate (the hazard raised by stalled rounds).
    Stalemate,
    /// A side walked out (a forced action).
    WalkOut,
}

impl CollapseCause {
    /// Every cause, in the order of [`CollapseCause::index`].
    pub const ALL: [CollapseCause; 3] = [
        CollapseCause::Breakdown,
        CollapseCause::Stalemate,
        CollapseCause::WalkOut,
    ];

    /// Its name in tables, JSON and summaries.
    pub fn name(self) -> &'static str {
        match self {
            CollapseCause::Breakdown => "breakdown",
            CollapseCause::Stalemate => "stalemate",
            CollapseCause::WalkOut => "walkout",
        }
    }

    /// Its position in [`CollapseCause::ALL`] (for counts kept in arrays).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How a protector answered a strike on its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Response {
    /// Statements and diplomatic protest only.
    Diplomatic,
    /// Material support to the client (arms, intelligence, economic help).
    Material,
    /// Military action.
    Military,
}

impl Response {
    /// Every level, from the mildest, in the order of [`Response::index`].
    pub const ALL: [Response; 3] = [Response::Diplomatic, Response::Material, Response::Military];

    /// Its name in tables, JSON and summaries.
    pub fn name(self) -> &'static str {
        match self {
            Response::Diplomatic => "diplomatic",
            Response::Material => "material",
            Response::Military => "military",
        }
    }

    /// Its position in [`Response::ALL`] (for counts kept in arrays).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What kind of outcome a run ended in: the part of an [`Outcome`] that studies count.
/// Names (`deal`, `talks_continue`, `collapse`, `strike:<actor id>`) are made in one place,
/// [`OutcomeKind::name`], and read back in one place, [`OutcomeClass::parse`] (a kind is a class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OutcomeKind {
    /// A deal.
    Deal,
    /// Talks still going at the horizon.
    TalksContinue,
    /// A collapse.
    Collapse,
    /// A strike by the actor of this index.
    Strike(usize),
}

impl OutcomeKind {
    /// The kind of `o`.
    pub fn of(o: &Outcome) -> Self {
        match o {
            Outcome::Deal { .. } => OutcomeKind::Deal,
            Outcome::TalksContinue => OutcomeKind::TalksContinue,
            Outcome::Collapse { .. } => OutcomeKind::Collapse,
            Outcome::Strike { by, .. } => OutcomeKind::Strike(*by),
        }
    }

    /// Its name in tables, JSON and summaries, with the striker named by its id in `s`.
    pub fn name(self, s: &Scenario) -> String {
        match self {
            OutcomeKind::Deal => "deal".into(),
            OutcomeKind::TalksContinue => "talks_continue".into(),
            OutcomeKind::Collapse => "collapse".into(),
            OutcomeKind::Strike(by) => format!("strike:{}", s.actors[by].id),
        }
    }
}

/// A set of outcome kinds that studies report a share of: one kind, or any strike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OutcomeClass {
    /// Exactly this kind.
    Kind(OutcomeKind),
    /// A strike by anyone.
    AnyStrike,
}

impl OutcomeClass {
    /// The classes every study reports, before the strikes of particular actors.
    pub const COMMON: [OutcomeClass; 4] = [
        OutcomeClass::Kind(OutcomeKind::Deal),
        OutcomeClass::Kind(OutcomeKind::TalksContinue),
        OutcomeClass::Kind(OutcomeKind::Collapse),
        OutcomeClass::AnyStrike,
    ];

    /// Whether a run of kind `k` belongs to this class.
    pub fn contains(self, k: OutcomeKind) -> bool {
        match self {
            OutcomeClass::Kind(c) => c == k,
            OutcomeClass::AnyStrike => matches!(k, OutcomeKind::Strike(_)),
        }
    }

    /// Its name (`strike` for any strike; otherwise the kind's name).
    pub fn name(self, s: &Scenario) -> String {
        match self {
            OutcomeClass::Kind(k) => k.name(s),
            OutcomeClass::AnyStrike => "strike".into(),
        }
    }

    /// Reads a name written by [`OutcomeClass::name`] for scenario `s`; `None` for a name it
    /// does not know (an unknown word or actor id).
    pub fn parse(name: &str, s: &Scenario) -> Option<Self> {
        Some(match name {
            "deal" => OutcomeClass::Kind(OutcomeKind::Deal),
            "talks_continue" => OutcomeClass::Kind(OutcomeKind::TalksContinue),
            "collapse" => OutcomeClass::Kind(OutcomeKind::Collapse),
            "strike" => OutcomeClass::AnyStrike,
            other => OutcomeClass::Kind(OutcomeKind::Strike(
                s.actor_index(other.strip_prefix("strike:")?)?,
            )),
        })
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Outcome {
    /// Both sides accepted a proposal.
    Deal {
        /// The agreed point, per issue (0–100).
        terms: Vec<f64>,
        /// The round (1-based) of the agreement.
        round: usize,
        /// Probability that the deal survives a full administration term, from the sides'
        /// reneging hazards: (1 − h̄)^T_a.
        durability: f64,
        /// Whose text it is.
        via: DealVia,
    },
    /// The horizon was reached with talks still going.
    TalksContinue,
    /// The talks collapsed.
    Collapse {
        /// Why.
        cause: CollapseCause,
        /// The round (1-based).
        round: usize,
    },
    /// An actor used its military option.
    Strike {
        /// Actor index of the striker.
        by: usize,
        /// The patron's approval g at the time (1 for a side striking on its own).
        patron_approval: f64,
        /// The round (1-based).
        round: usize,
        /// Each protector of the target (actor index) and how it answered.
        responses: Vec<(usize, Response)>,
        /// Whether the target answered militarily.
        retaliation: bool,
    },
}

impl Outcome {
    /// The round the run ended in (`None` for talks still going at the horizon).
    pub fn round(&self) -> Option<usize> {
        match self {
            Outcome::Deal { round, .. }
            | Outcome::Collapse { round, .. }
            | Outcome::Strike { round, .. } => Some(*round),
            Outcome::TalksContinue => None,
        }
    }
}

/// Why a side's win-set refused a proposal (Putnam's Level II, docs/model.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Blocker {
    /// Too few of the side's factions (by influence) prefer it to no deal.
    Quota,
    /// This veto player prefers no deal.
    Veto(usize),
    /// The proposal crosses this actor's red line on this issue (the actor is the side's
    /// leader or one of its veto players; docs/model.md §2).
    RedLine {
        /// The actor whose red line it is.
        actor: usize,
        /// The issue.
        issue: usize,
    },
}

/// Whose text a deal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DealVia {
    /// The standing offer of the side of this index.
    Offer(usize),
    /// The mediator's proposal.
    Mediator,
}

/// The state of the talks at the end of one round: every series the model computes.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RoundRecord {
    /// Round number (1-based).
    pub round: usize,
    /// Weeks since the first round.
    pub week: f64,
    /// The round's date, if the scenario's rounds are dated.
    pub date: Option<crate::scenario::types::Date>,
    /// Ids of the events that fired at its start.
    pub events: Vec<String>,
    /// Each side's mandate, per issue.
    pub mandates: Vec<Vec<f64>>,
    /// Each side's standing offer at the end of the round, per issue.
    pub offers: Vec<Vec<f64>>,
    /// Each side's Zeuthen risk (its willingness to risk conflict rather than concede).
    pub zeuthen_risk: Vec<f64>,
    /// The other side's Zeuthen risk as each side believes it (it concedes when its own risk
    /// is not higher).
    pub believed_risk: Vec<f64>,
    /// Which sides conceded this round.
    pub conceded: Vec<bool>,
    /// Which sides' concessions stopped at the boundary of their win-set.
    pub at_boundary: Vec<bool>,
    /// Which sides' concessions stopped at a red line of their leader.
    pub at_red_line: Vec<bool>,
    /// The audience cost each side's leader would pay, per round, for taking the other side's
    /// offer (its side's public commitments).
    pub audience_cost: Vec<f64>,
    /// The mediator's proposal, if one was made.
    pub proposal: Option<Vec<f64>>,
    /// Each side's probability of accepting the best proposal on the table.
    pub acceptance: Vec<f64>,
    /// Per side, why its win-set refused the other side's offer this round (`None`: it did not).
    pub blocked: Vec<Option<Blocker>>,
    /// Per side, why its win-set refused the mediator's proposal this round (`None`: it did
    /// not, or there was none).
    pub mediator_blocked: Vec<Option<Blocker>>,
    /// Each side's own estimate of the chance of a deal this round.
    pub deal_estimate: Vec<f64>,
    /// Each actor's influence share (0 for actors outside the sides).
    pub influence: Vec<f64>,
    /// Each side's trust in the other.
    pub trust: Vec<f64>,
    /// Each side's consistency of messaging this round.
    pub consistency: Vec<f64>,
    /// Latent threat.
    pub threat: f64,
    /// Mean gap between the offers (points).
    pub gap: f64,
    /// Consecutive rounds without progress.
    pub stalled_rounds: u32,
    /// Each actor's probability of striking this round (0 for actors without the option).
    pub strike_probability: Vec<f64>,
    /// Probability of a collapse this round.
    pub collapse_probability: f64,
}
