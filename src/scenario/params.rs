//! The model's global parameters (docs/model.md, scenarios/README.md): one table, from which the
//! file type, the resolved type, the defaults, the valid ranges and the documentation are all
//! generated.
//!
//! Per-actor knobs (ideal points, saliences, influence, risk, discount, war perceptions, trust
//! rates) live on the actors; the knobs here apply to the whole negotiation.

use serde::{Deserialize, Serialize};

use super::raw::{Because, Num};

/// How a side aggregates its members' positions into a mandate (Putnam two-level game).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MandateRule {
    /// Weighted mean of leader and factions.
    #[default]
    Mean,
    /// Weighted median of leader and factions.
    Median,
}

/// Description of one numeric parameter: what `detente explain` and the docs print.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Field name in `params` (and in `--set params.NAME=...`).
    pub name: &'static str,
    /// Symbol in docs/model.md and the parameter table of scenarios/README.md.
    pub symbol: &'static str,
    /// Value when the scenario does not set it.
    pub default: f64,
    /// Unit of the value.
    pub unit: &'static str,
    /// Values outside this closed range are rejected.
    pub valid: (f64, f64),
    /// Plausible range for sweeps.
    pub sweep: (f64, f64),
    /// What the parameter does.
    pub doc: &'static str,
}

macro_rules! params {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident ($symbol:literal): $default:literal $unit:literal,
            valid $lo:literal..=$hi:literal, sweep $slo:literal..=$shi:literal;
    )+) => {
        /// `params` as written in a scenario file: every knob optional.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields, rename = "Params")]
        pub struct RawParams {
            /// Mandate aggregation rule (`Mean` or `Median`).
            pub mandate_rule: Option<MandateRule>,
            $( $(#[doc = $doc])+ pub $name: Option<Num>, )+
            /// Provenance of the parameter values, keyed by parameter name.
            pub because: Option<Because>,
        }

        /// Resolved global parameters: every knob has a value.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct Params {
            /// Mandate aggregation rule.
            pub mandate_rule: MandateRule,
            $( $(#[doc = $doc])+ pub $name: f64, )+
        }

        impl Default for Params {
            fn default() -> Self {
                Params { mandate_rule: MandateRule::Mean, $( $name: $default, )+ }
            }
        }

        /// Every numeric parameter, in declaration order.
        pub const PARAM_SPECS: &[ParamSpec] = &[
            $( ParamSpec {
                name: stringify!($name),
                symbol: $symbol,
                default: $default,
                unit: $unit,
                valid: ($lo, $hi),
                sweep: ($slo, $shi),
                doc: concat!($($doc),+),
            }, )+
        ];

        impl Params {
            /// The value of the numeric parameter `name`, if there is one.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name { $( stringify!($name) => Some(self.$name), )+ _ => None }
            }

            /// Sets the numeric parameter `name`; `false` if there is none of that name.
            pub fn set(&mut self, name: &str, value: f64) -> bool {
                match name {
                    $( stringify!($name) => { self.$name = value; true } )+
                    _ => false,
                }
            }
        }

        impl RawParams {
            /// The numeric values this file sets, by name, in declaration order.
            pub fn given(&self) -> Vec<(&'static str, f64)> {
                let mut out = Vec::new();
                $( if let Some(v) = self.$name { out.push((stringify!($name), v.0)); } )+
                out
            }
        }
    };
}

params! {
    /// Base concession speed: share of the gap to the other side's offer a conceding side covers
    /// per round, before trust and deadline pressure (Zeuthen–Harsanyi step).
    concession_speed ("μ0"): 0.15 "share of gap per round", valid 0.0..=1.0, sweep 0.02..=0.4;
    /// Salience exponent: how strongly concessions concentrate on low-salience issues.
    salience_exponent ("η"): 1.0 "exponent", valid 0.0..=10.0, sweep 0.5..=3.0;
    /// Weight of a proposal's shortfall against the side's own offer when it decides: it
    /// accepts on `(1 − δ)·V_deal(y) − d − τ·max(0, U(own offer) − U(y))` (Zeuthen: holding
    /// out for one's own offer is the alternative to accepting).
    aspiration ("τ"): 1.5 "weight", valid 0.0..=100.0, sweep 0.0..=3.0;
    /// Logit sharpness of acceptance in the deal-vs-no-deal value difference.
    acceptance_sharpness ("κ_a"): 8.0 "per utility unit", valid 0.0..=200.0, sweep 1.0..=20.0;
    /// Precision λ of every strike decision: the rate of a strike is `λ0·e^(λ·x)` per week, `x`
    /// the striker's advantage of striking now over waiting.
    strike_sharpness ("λ"): 6.0 "per utility unit", valid 0.0..=200.0, sweep 1.0..=20.0;
    /// Base rate λ0 of a strike per week, at indifference between striking now and waiting.
    strike_rate ("λ0"): 0.02 "per week", valid 0.0..=10.0, sweep 0.005..=0.1;
    /// Share of a strike's chance of success lost per week that it waits (a window of
    /// vulnerability that closes: the target disperses, hardens or rebuilds).
    window_closing ("w"): 0.0 "share per week", valid 0.0..=1.0, sweep 0.0..=0.1;
    /// Logit sharpness of a patron's approval of a third party's strike.
    approval_sharpness ("κ_g"): 4.0 "per unit", valid 0.0..=200.0, sweep 1.0..=20.0;
    /// Base per-week hazard that a signed deal is reneged on (commitment problem).
    reneging_hazard ("h0"): 0.01 "probability per week", valid 0.0..=1.0, sweep 0.001..=0.05;
    /// How much the reneging hazard grows as trust falls: h multiplied by 1 + this × (1 − trust).
    hazard_trust_scale ("a_h"): 3.0 "multiplier", valid 0.0..=100.0, sweep 0.0..=6.0;
    /// Share of the reneging hazard removed by a fully durable deal (durability issue at 100).
    hazard_durability_cut ("b_h"): 0.8 "share", valid 0.0..=1.0, sweep 0.0..=1.0;
    /// Probability that a change of administration withdraws from the deal.
    withdrawal_probability ("q"): 0.5 "probability", valid 0.0..=1.0, sweep 0.1..=0.9;
    /// Weeks until the next change of administration, spreading `q` as a per-week hazard.
    administration_weeks ("T_a"): 40.0 "weeks", valid 1.0..=1000000.0, sweep 10.0..=200.0;
    /// Standard deviation of each side's error in estimating its chance of winning a war
    /// (Fearon: private information and misperception).
    misperception ("σ_p"): 0.10 "probability", valid 0.0..=1.0, sweep 0.0..=0.3;
    /// Common bias of each side's estimate of its own chance of winning a war.
    optimism_bias ("b_p"): 0.0 "probability", valid -1.0..=1.0, sweep -0.15..=0.15;
    /// Standard deviation of the noise on public statements.
    message_noise ("σ_msg"): 10.0 "points", valid 0.0..=100.0, sweep 0.0..=25.0;
    /// How far a faction's statement is shaded from its ideal toward its side's mandate.
    statement_shading ("λ"): 0.5 "share", valid 0.0..=1.0, sweep 0.0..=1.0;
    /// Weight of the shift of a side's mean statement since last round in its consistency.
    consistency_shift ("ν1"): 1.0 "weight", valid 0.0..=100.0, sweep 0.0..=3.0;
    /// Weight of the spread of a side's statements in its consistency.
    consistency_spread ("ν2"): 1.0 "weight", valid 0.0..=100.0, sweep 0.0..=3.0;
    /// Weight of a reversal (a member contradicting its own last statement) in consistency.
    consistency_reversal ("ν3"): 0.3 "weight", valid 0.0..=100.0, sweep 0.0..=1.0;
    /// Probability per week that a sincere side reverses itself in public (Kydd 2005).
    reversal_if_sincere ("a_r"): 0.2 "probability per week", valid 0.0..=1.0, sweep 0.05..=0.35;
    /// Probability per week that an insincere side reverses itself in public (Kydd 2005).
    reversal_if_insincere ("b_r"): 0.5 "probability per week", valid 0.0..=1.0, sweep 0.3..=0.8;
    /// Trust never falls below this (a posterior floor: no side is ever sure the other lies).
    trust_floor ("ψ_min"): 0.02 "probability", valid 0.0..=0.5, sweep 0.0..=0.1;
    /// Trust never rises above this (no side is ever sure the other is sincere).
    trust_ceiling ("ψ_max"): 0.98 "probability", valid 0.5..=1.0, sweep 0.9..=1.0;
    /// Standard deviation of the random drift of faction influence over a week (it grows with the
    /// square root of the weeks a round covers).
    influence_drift ("σ_c"): 0.05 "share per √week", valid 0.0..=1.0, sweep 0.0..=0.2;
    /// Latent threat at the start (how much waiting costs those who fear the other side's programme).
    threat_initial ("τ0"): 0.0 "unit", valid 0.0..=1.0, sweep 0.0..=0.6;
    /// Growth of the latent threat per week (0 unless the scenario declares a growing threat).
    threat_growth ("Δτ"): 0.0 "per week", valid 0.0..=1.0, sweep 0.0..=0.1;
    /// Perceived probability that the no-deal path turns military, at threat 1.
    escalation_prior ("P_esc"): 0.3 "probability", valid 0.0..=1.0, sweep 0.05..=0.6;
    /// Base per-week probability that talks collapse by chance.
    collapse_hazard ("h_c"): 0.02 "probability per week", valid 0.0..=1.0, sweep 0.0..=0.1;
    /// How much the collapse hazard grows as trust falls: multiplied by 1 + this × (1 − trust).
    collapse_trust_scale ("a_c"): 2.0 "multiplier", valid 0.0..=100.0, sweep 0.0..=5.0;
    /// Extra collapse hazard multiplier per stalled round.
    collapse_stall_scale ("b_c"): 0.5 "multiplier per stalled round", valid 0.0..=100.0, sweep 0.0..=2.0;
    /// Consecutive rounds without progress after which the talks count as stalled.
    stall_rounds ("n_s"): 2.0 "rounds", valid 1.0..=1000.0, sweep 1.0..=5.0;
    /// Narrowing of the gap between the offers (mean over issues), as a share of the gap at the
    /// opening of the talks, below which a round makes no progress: a stalled round. Scale-free,
    /// so sides that open closer together do not stall sooner.
    stall_progress ("g_s"): 0.02 "share of the opening gap", valid 0.0..=1.0, sweep 0.0..=0.15;
    /// Extra concession speed as a deadline approaches (μ multiplied by 1 + this at the deadline).
    deadline_pressure ("π_d"): 1.0 "multiplier", valid 0.0..=100.0, sweep 0.0..=3.0;
    /// Audience cost added to the gain from striking once a deadline has lapsed.
    audience_cost ("a"): 0.1 "utility", valid 0.0..=1.0, sweep 0.0..=0.3;
    /// Standard deviation of the mediator's error in estimating each side's no-deal value: it
    /// proposes the Nash point for the values it believes, not the true ones.
    mediator_noise ("σ_m"): 0.05 "utility", valid 0.0..=1.0, sweep 0.0..=0.2;
    /// Standard deviation σ_τ of each side member's private resolve τ_i, drawn once per run and
    /// added to its no-deal value; also the spread of each side's prior belief about the other
    /// leader's resolve (docs/model.md §4, Fearon 1995). 0: complete information.
    resolve_spread ("σ_τ"): 0.03 "utility", valid 0.0..=1.0, sweep 0.0..=0.15;
    /// Noise σ_b of the probit through which a side reads the other's concession or firmness:
    /// how loosely it thinks the other's choice follows the Zeuthen comparison (docs/model.md
    /// §4). Larger: slower learning about the other's resolve.
    belief_noise ("σ_b"): 0.05 "risk", valid 0.001..=1.0, sweep 0.01..=0.2;
    /// Audience cost a_c, per week, of a deal 100 points beyond a public commitment of full
    /// strength (docs/model.md §4; Fearon 1994).
    commitment_cost ("a_c"): 0.2 "utility per 100 points", valid 0.0..=10.0, sweep 0.0..=0.6;
    /// Half-life t½ of a public commitment's audience cost.
    commitment_halflife ("t½"): 3.0 "weeks", valid 0.1..=1000.0, sweep 1.0..=10.0;
    /// Cost to a third party of striking against its patron's wishes, at full progress.
    defiance_cost ("c_d"): 0.2 "utility", valid 0.0..=1.0, sweep 0.0..=0.5;
    /// Cost C_response of a protector's answer to a strike on its client; a `Protect`
    /// commitment ρ with response probability r adds ρ · r · C_response to a striker's cost.
    response_cost ("C_r"): 0.5 "utility", valid 0.0..=1.0, sweep 0.0..=1.0;
    /// Probability that the target of a strike answers it militarily.
    retaliation ("p_r"): 0.6 "probability", valid 0.0..=1.0, sweep 0.0..=1.0;
}
