//! What a run ends in, and the record of each round (DESIGN §7.4).

use serde::Serialize;

/// Why talks collapsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CollapseCause {
    /// Broke down by chance (the per-round collapse hazard, raised by mistrust).
    Breakdown,
    /// Broke down after a stalemate (the hazard raised by stalled rounds).
    Stalemate,
    /// A side walked out (a forced action).
    WalkOut,
}

/// How a protector answered a strike on its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Response {
    /// Statements and diplomatic protest only.
    Diplomatic,
    /// Material support to the client (arms, intelligence, economic help).
    Material,
    /// Military action.
    Military,
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

/// The state of the talks at the end of one round: every series the model computes.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RoundRecord {
    /// Round number (1-based).
    pub round: usize,
    /// Ids of the events that fired at its start.
    pub events: Vec<String>,
    /// Each side's mandate, per issue.
    pub mandates: Vec<Vec<f64>>,
    /// Each side's standing offer at the end of the round, per issue.
    pub offers: Vec<Vec<f64>>,
    /// Each side's Zeuthen risk (its willingness to risk conflict rather than concede).
    pub zeuthen_risk: Vec<f64>,
    /// Which sides conceded this round.
    pub conceded: Vec<bool>,
    /// Which sides' concessions stopped at the boundary of their win-set.
    pub at_boundary: Vec<bool>,
    /// The mediator's proposal, if one was made.
    pub proposal: Option<Vec<f64>>,
    /// Each side's probability of accepting the best proposal on the table.
    pub acceptance: Vec<f64>,
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
