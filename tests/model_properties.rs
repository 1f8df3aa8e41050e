//! Invariants of the model under random parameters, preferences and red lines (property test
//! with a fixed seed): probabilities stay in [0, 1], nothing is NaN, positions stay on their
//! scales, no offer, text or deal crosses a red line that binds it, and every run ends in a valid
//! outcome within the horizon.

use std::path::Path;
use std::sync::Arc;

use detente::outcome::Outcome;
use detente::scenario::{Override, load};
use detente::sim::Sim;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

const BASELINE: &str = "scenarios/iran-talks-2025.ron";

/// Parameters and per-actor values varied, each over its whole valid range.
fn overrides() -> impl Strategy<Value = Vec<String>> {
    let unit = || 0.0..=1.0f64;
    (
        (
            unit(),
            unit(),
            0.0..=30.0f64,
            unit(),
            unit(),
            unit(),
            unit(),
            0.0..=3.0f64,
        ),
        (
            unit(),
            unit(),
            unit(),
            -1.0..=1.0f64,
            unit(),
            unit(),
            0.0..=100.0f64,
            unit(),
        ),
        (
            0.0..=0.999f64,
            unit(),
            unit(),
            -1.0..=1.0f64,
            0.0..=0.5f64,
            prop::bool::ANY,
        ),
        (
            0.0..=100.0f64,
            0.0..=100.0f64,
            0.0..=0.15f64,
            0.001..=0.2f64,
        ),
    )
        .prop_map(
            |(
                (mu, eta, kappa_a, misp, noise, med, h0, tau),
                (thr, coll, trust, bias, hawks, prags, enrich, sal),
                (delta, cost, succ, rho, stall, median),
                (iran_line, us_line, resolve, belief),
            )| {
                vec![
                    format!("actors.khamenei.red_lines.at_least.enrichment={iran_line}"),
                    format!("actors.trump.red_lines.at_least.verification={us_line}"),
                    format!("params.resolve_spread={resolve}"),
                    format!("params.belief_noise={belief}"),
                    format!("params.concession_speed={mu}"),
                    format!("params.salience_exponent={}", eta * 3.0),
                    format!("params.acceptance_sharpness={kappa_a}"),
                    format!("params.misperception={misp}"),
                    format!("params.message_noise={}", noise * 25.0),
                    format!("params.mediator_noise={med}"),
                    format!("params.reneging_hazard={}", h0 * 0.2),
                    format!("params.aspiration={tau}"),
                    format!("params.threat_growth={}", thr * 0.2),
                    format!("params.collapse_hazard={}", coll * 0.2),
                    format!("params.optimism_bias={}", bias * 0.3),
                    format!("params.stall_progress={stall}"),
                    format!(
                        "params.mandate_rule={}",
                        if median { "Median" } else { "Mean" }
                    ),
                    format!("actors.khamenei.trust.initial={trust}"),
                    format!("actors.hawks.influence={hawks}"),
                    format!("actors.pragmatists.influence={prags}"),
                    format!("actors.khamenei.ideal.enrichment={enrich}"),
                    format!("actors.trump.salience.enrichment={sal}"),
                    format!("actors.trump.discount={delta}"),
                    format!("actors.israel.war.cost={cost}"),
                    format!("actors.israel.capabilities.strike.success={succ}"),
                    format!("actors.negotiators.risk={rho}"),
                ]
            },
        )
}

proptest! {
    #![proptest_config(Config { cases: 64, rng_seed: RngSeed::Fixed(7), failure_persistence: None, ..Config::default() })]

    #[test]
    fn runs_stay_valid_whatever_the_parameters(set in overrides(), seed in 0u64..1_000) {
        let set: Vec<Override> = set.iter().map(|s| s.parse().unwrap()).collect();
        let scenario = Arc::new(load(Path::new(BASELINE), &set).unwrap_or_else(|e| panic!("{e}")).scenario);
        let horizon = scenario.rounds.len();
        let mut sim = Sim::new(scenario.clone());
        for run in 0..40 {
            let v = sim.run(seed, run);
            prop_assert!(!v.trace.is_empty() && v.trace.len() <= horizon);
            for rec in v.trace {
                let probs = rec.acceptance.iter().chain(&rec.deal_estimate).chain(&rec.trust)
                    .chain(&rec.consistency).chain(&rec.strike_probability).chain(&rec.zeuthen_risk)
                    .chain([&rec.collapse_probability, &rec.threat]);
                for p in probs {
                    prop_assert!((0.0..=1.0).contains(p), "round {}: {p}", rec.round);
                }
                for y in rec.offers.iter().chain(&rec.mandates).flatten().chain(rec.proposal.iter().flatten()) {
                    prop_assert!((0.0..=100.0).contains(y), "position {y}");
                }
                prop_assert!(rec.gap.is_finite() && rec.influence.iter().all(|c| (0.0..=1.0).contains(c)));
            }
            // Red lines: a leader never offers across its own, and neither a deal nor the
            // mediator's text crosses those of the leaders and veto players.
            let blocking: Vec<usize> = scenario.sides.iter()
                .flat_map(|k| std::iter::once(k.leader).chain(k.veto.iter().copied())).collect();
            let respects = |a: usize, y: &[f64]| {
                scenario.actors[a].red_lines.iter().zip(y).all(|(l, &x)| l.allows(x))
            };
            for rec in v.trace {
                for (k, y) in rec.offers.iter().enumerate() {
                    prop_assert!(respects(scenario.sides[k].leader, y), "offer {y:?}");
                }
                if let Some(y) = &rec.proposal {
                    prop_assert!(blocking.iter().all(|&a| respects(a, y)), "text {y:?}");
                }
            }
            match v.outcome {
                Outcome::Deal { terms, round, durability, .. } => {
                    prop_assert!(blocking.iter().all(|&a| respects(a, terms)), "deal {terms:?}");
                    prop_assert!(terms.iter().all(|y| (0.0..=100.0).contains(y)));
                    prop_assert!((0.0..=1.0).contains(durability) && *round <= horizon);
                }
                Outcome::Collapse { round, .. } | Outcome::Strike { round, .. } => prop_assert!(*round <= horizon),
                Outcome::TalksContinue => prop_assert_eq!(v.trace.len(), horizon),
            }
        }
    }
}
