//! Settings of KTAB's Spatial Model of Politics (the `SpatialModel` engine): the model's options,
//! its stopping rule and the ideal-accommodation matrix.

use serde::{Deserialize, Serialize};

/// How coalition strengths are turned into a pairwise victory probability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VictoryProbModel {
    /// p = c1 / (c1 + c2).
    Linear,
    /// Squares of strengths.
    Square,
    /// Fourth powers of strengths.
    Quartic,
    /// Eighth powers of strengths.
    Octic,
    /// Near-binary with a 10% threshold.
    Binary,
}

/// How an actor's utility difference becomes a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VotingRule {
    /// Sign of the difference (smoothed over 1e-8).
    Binary,
    /// 0.8 proportional + 0.2 binary.
    PropBin,
    /// Proportional to the difference.
    Proportional,
    /// 0.5 proportional + 0.5 cubic.
    PropCbc,
    /// Cube of the difference.
    Cubic,
    /// Asymmetric prospect: gains weighted 2/3.
    ASymProsp,
}

/// Probabilistic Condorcet election model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PceModel {
    /// One-step conditional probabilities.
    Conditional,
    /// Markov process with incentive-weighted challenges.
    MarkovIncentive,
    /// Markov process with uniform challenges.
    MarkovUniform,
}

/// State-transition mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateTransitions {
    /// Each actor adopts its most probable bargain.
    Deterministic,
    /// Each actor draws the bargain it adopts with the probabilities the election gives them;
    /// the draws come from the run's seeded stream, so a run is reproducible.
    Stochastic,
}

/// One entry of the ideal-accommodation matrix: how far `actor`'s ideal moves toward
/// `toward`'s new position after each turn. Entries not given are those of the identity
/// matrix (1 on the diagonal, 0 elsewhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accommodation {
    /// Id of the actor whose ideal moves.
    pub actor: String,
    /// Id of the actor whose position it moves toward.
    pub toward: String,
    /// The matrix entry, in [0, 1]; a row's entries must not sum above 1.
    pub rate: f64,
}

/// Range onto which win probabilities are mapped to infer risk attitudes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BigRRange {
    /// [0, +1].
    Min,
    /// [-0.5, +1].
    Mid,
    /// [-1, +1].
    Max,
}

/// How actor h estimates actor i's risk attitude from its own and i's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BigRAdjust {
    /// r_hi = r_i.
    Full,
    /// r_hi = (r_h + 2 r_i) / 3.
    TwoThirds,
    /// r_hi = (r_h + r_i) / 2.
    Half,
    /// r_hi = (2 r_h + r_i) / 3.
    OneThird,
    /// r_hi = r_h.
    None,
}

/// Third-party commitment model for challenge votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThirdPartyCommit {
    /// Third party fully committed to the side it joins.
    Full,
    /// Semi-committed.
    Semi,
    /// Not committed.
    No,
}

/// Interpolation rule for vector bargains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InterVecBrgn {
    /// Weights salience × probability.
    S1P1,
    /// Weights salience² × probability².
    S2P2,
    /// Salience² with the probability excess.
    S2PMax,
}

/// Which bargains are put to the actors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BargnModel {
    /// Only the initiator's interpolated bargain.
    InitOnlyInterp,
    /// Both the initiator's and the receiver's interpolations.
    InitRcvrInterp,
    /// The power-weighted compromise of the two.
    PwCompInterp,
}

/// Model parameters and stopping rule; in a scenario file every field may be left out (KTAB's
/// defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Victory-probability model.
    pub vpm: VictoryProbModel,
    /// Voting rule for coalitions and bargains.
    pub voting_rule: VotingRule,
    /// Probabilistic Condorcet election model.
    pub pce: PceModel,
    /// State-transition mode.
    pub transitions: StateTransitions,
    /// Risk-attitude range.
    pub big_r_range: BigRRange,
    /// Risk-attitude estimation rule.
    pub big_r_adjust: BigRAdjust,
    /// Third-party commitment.
    pub third_party: ThirdPartyCommit,
    /// Vector bargain interpolation.
    pub inter_vec_brgn: InterVecBrgn,
    /// Bargain model.
    pub bargn_model: BargnModel,
    /// Minimum number of iterations.
    pub min_iter: usize,
    /// Maximum number of iterations.
    pub max_iter: usize,
    /// Stop when the step change relative to the first step falls below this.
    pub min_delta_ratio: f64,
    /// Added to the first-step distance to avoid 0/0.
    pub min_sig_delta: f64,
    /// The ideal-accommodation matrix, as the entries that differ from the identity.
    pub ideal_accommodation: Vec<Accommodation>,
}

impl Default for Settings {
    /// KTAB's defaults, which are also the settings of the `dummyData_3Dim` reference run.
    fn default() -> Self {
        Settings {
            vpm: VictoryProbModel::Linear,
            voting_rule: VotingRule::Proportional,
            pce: PceModel::Conditional,
            transitions: StateTransitions::Deterministic,
            big_r_range: BigRRange::Mid,
            big_r_adjust: BigRAdjust::OneThird,
            third_party: ThirdPartyCommit::Semi,
            inter_vec_brgn: InterVecBrgn::S2P2,
            bargn_model: BargnModel::InitOnlyInterp,
            min_iter: 2,
            max_iter: 100,
            min_delta_ratio: 0.02,
            min_sig_delta: 1e-4,
            ideal_accommodation: Vec::new(),
        }
    }
}

/// The accommodation matrix from the settings' entries (actor ids resolved against `ids`)
/// over the identity. Entries naming unknown actors are ignored here: scenario validation
/// rejects them first.
pub fn accommodation_matrix(settings: &Settings, ids: &[String]) -> Vec<Vec<f64>> {
    let n = ids.len();
    let mut a: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let index = |id: &str| ids.iter().position(|x| x == id);
    for e in &settings.ideal_accommodation {
        if let (Some(i), Some(j)) = (index(&e.actor), index(&e.toward)) {
            a[i][j] = e.rate;
        }
    }
    a
}
