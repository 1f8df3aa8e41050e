//! Invariants of the reference engines under random actors and every combination of settings
//! (property tests with a fixed seed): runs end, nothing is NaN, positions stay in the hull of
//! the inputs, probabilities stay in [0, 1] and the stopping rule holds.

use detente::engines::bdm::{self, Conventions, Options};
use detente::engines::smp::{
    BargnModel, BigRAdjust, BigRRange, InterVecBrgn, PceModel, Settings, SmpActor,
    StateTransitions, ThirdPartyCommit, VictoryProbModel, VotingRule, run,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// 2–7 actors on `dims` issues: capability 1–200, positions 0–100, saliences > 0 summing to at
/// most 100 (KTAB's scale).
fn smp_actors() -> impl Strategy<Value = Vec<SmpActor>> {
    (1usize..=3).prop_flat_map(|dims| {
        prop::collection::vec(
            (
                1.0..200.0f64,
                prop::collection::vec(0.0..=100.0f64, dims),
                prop::collection::vec(0.01..1.0f64, dims),
                0.05..=1.0f64,
            ),
            2..=7,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (power, position, raw, share))| {
                    let total: f64 = raw.iter().sum();
                    SmpActor {
                        name: format!("a{i}"),
                        power,
                        position,
                        salience: raw.iter().map(|s| 100.0 * share * s / total).collect(),
                    }
                })
                .collect()
        })
    })
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        (0usize..5, 0usize..6, 0usize..3, 0usize..2, 0usize..3),
        (0usize..5, 0usize..3, 0usize..3, 0usize..3),
    )
        .prop_map(|((vpm, vr, pce, st, rr), (ra, tp, ivb, bm))| Settings {
            vpm: [
                VictoryProbModel::Linear,
                VictoryProbModel::Square,
                VictoryProbModel::Quartic,
                VictoryProbModel::Octic,
                VictoryProbModel::Binary,
            ][vpm],
            voting_rule: [
                VotingRule::Binary,
                VotingRule::PropBin,
                VotingRule::Proportional,
                VotingRule::PropCbc,
                VotingRule::Cubic,
                VotingRule::ASymProsp,
            ][vr],
            pce: [
                PceModel::Conditional,
                PceModel::MarkovIncentive,
                PceModel::MarkovUniform,
            ][pce],
            transitions: [
                StateTransitions::Deterministic,
                StateTransitions::Stochastic,
            ][st],
            big_r_range: [BigRRange::Min, BigRRange::Mid, BigRRange::Max][rr],
            big_r_adjust: [
                BigRAdjust::Full,
                BigRAdjust::TwoThirds,
                BigRAdjust::Half,
                BigRAdjust::OneThird,
                BigRAdjust::None,
            ][ra],
            third_party: [
                ThirdPartyCommit::Full,
                ThirdPartyCommit::Semi,
                ThirdPartyCommit::No,
            ][tp],
            inter_vec_brgn: [InterVecBrgn::S1P1, InterVecBrgn::S2P2, InterVecBrgn::S2PMax][ivb],
            bargn_model: [
                BargnModel::InitOnlyInterp,
                BargnModel::InitRcvrInterp,
                BargnModel::PwCompInterp,
            ][bm],
            max_iter: 30,
            ..Settings::default()
        })
}

proptest! {
    #![proptest_config(Config { cases: 512, rng_seed: RngSeed::Fixed(11), failure_persistence: None, ..Config::default() })]

    #[test]
    fn smp_runs_stay_valid_under_every_setting(actors in smp_actors(), settings in settings()) {
        let states = run(&actors, &settings);
        prop_assert!(states.len() >= 2 && states.len() <= settings.max_iter + 1);
        let dims = actors[0].position.len();
        for (t, s) in states.iter().enumerate() {
            prop_assert_eq!(s.frac_change.is_none(), t == 0);
            for (i, p) in s.positions.iter().enumerate() {
                for d in 0..dims {
                    let lo = actors.iter().map(|a| a.position[d]).fold(f64::INFINITY, f64::min);
                    let hi = actors.iter().map(|a| a.position[d]).fold(f64::NEG_INFINITY, f64::max);
                    // Bargains interpolate between positions (rounded to 1e-4 of the scale).
                    prop_assert!(p[d] >= lo - 0.01 && p[d] <= hi + 0.01, "state {t} actor {i}: {p:?} outside [{lo}, {hi}]");
                }
                prop_assert!(s.win_prob[i].is_finite() && (0.0..=1.0 + 1e-9).contains(&s.win_prob[i]));
                prop_assert!(s.risk_attitudes[i].is_finite() && s.risk_attitudes[i].abs() <= 1.0 + 1e-9);
            }
            if let Some(turn) = &s.turn {
                for a in &turn.adopted {
                    prop_assert!(a.probability > 0.0 && a.probability <= a.top_probability + 1e-12);
                    prop_assert!(a.offered >= 1);
                }
            }
            if let Some(f) = s.frac_change {
                prop_assert!(f.is_finite() && f >= 0.0);
            }
        }
        // The stopping rule: only the last state may fall below the ratio after min_iter.
        for (t, s) in states.iter().enumerate().take(states.len() - 1).skip(settings.min_iter) {
            prop_assert!(s.frac_change.unwrap() >= settings.min_delta_ratio, "kept going after state {t}");
        }
    }

    #[test]
    fn bdm_runs_stay_valid_under_both_conventions(
        rows in prop::collection::vec((0.01..1.0f64, 0.0..=10.0f64, 0.0..=1.0f64), 2..=12),
        paper in any::<bool>(),
        q in 0.5..=1.0f64,
    ) {
        let actors: Vec<bdm::Actor> = rows
            .iter()
            .enumerate()
            .map(|(i, &(capability, position, salience))| bdm::Actor { name: format!("a{i}"), capability, position, salience })
            .collect();
        let options = Options { q, ..if paper { Options::paper() } else { Options::scholz_code() } };
        prop_assert_eq!(options.conventions == Conventions::Paper, paper);
        let rounds = bdm::simulate(&actors, &options, 10);
        prop_assert_eq!(rounds.len(), 11);
        let lo = rows.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
        let hi = rows.iter().map(|r| r.1).fold(f64::NEG_INFINITY, f64::max);
        for r in &rounds {
            for x in &r.positions {
                prop_assert!(*x >= lo - 1e-9 && *x <= hi + 1e-9, "{x} outside [{lo}, {hi}]");
            }
            if rows.iter().any(|r| r.0 * r.2 > 0.0) {
                prop_assert!(r.median.is_finite() && r.mean.is_finite());
            }
            for e in &r.risk {
                prop_assert!((0.5 - 1e-9..=2.0 + 1e-9).contains(e), "risk exponent {e}");
            }
        }
    }
}
