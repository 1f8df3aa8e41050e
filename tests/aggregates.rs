//! Every aggregate merges exactly: summing the runs 0..k and k..n separately and merging gives
//! the aggregate of 0..n, field by field (a field forgotten by a merge fails here).

use std::path::Path;
use std::sync::Arc;

use detente::scenario::{Scenario, load};
use detente::sim::Sim;
use detente::study::batch::Aggregate;
use detente::study::compare::{Comparison, execute};
use proptest::prelude::*;

fn baseline(set: &[&str]) -> Arc<Scenario> {
    let set: Vec<_> = set.iter().map(|s| s.parse().unwrap()).collect();
    Arc::new(
        load(Path::new("scenarios/iran-talks-2025.ron"), &set)
            .unwrap()
            .scenario,
    )
}

fn aggregate(s: &Arc<Scenario>, sim: &mut Sim, seed: u64, runs: std::ops::Range<u64>) -> Aggregate {
    let mut a = Aggregate::new(s);
    for i in runs {
        a.add(&sim.run(seed, i));
    }
    a
}

fn comparison(scenarios: &[Arc<Scenario>], seed: u64, runs: std::ops::Range<u64>) -> Comparison {
    let mut c = Comparison::new(scenarios);
    execute(
        scenarios,
        runs,
        seed,
        1,
        &|_| false,
        &mut c,
        |_, _, _| (),
        |_, _| Ok(()),
    )
    .unwrap();
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn merging_two_halves_gives_the_whole(k in 0u64..700, seed in 0u64..1000) {
        let n = 700;
        let s = baseline(&[]);
        let mut sim = Sim::new(s.clone());
        let whole = aggregate(&s, &mut sim, seed, 0..n);
        let mut merged = aggregate(&s, &mut sim, seed, 0..k);
        merged.merge(&aggregate(&s, &mut sim, seed, k..n));
        prop_assert_eq!(&merged, &whole);
        // Every field is exercised by the whole (a zero field would hide a forgotten merge).
        prop_assert!(whole.deals > 0 && whole.collapses > 0 && whole.deal_rounds.iter().sum::<u64>() == whole.deals);

        let scenarios = [s.clone(), baseline(&["actors.hawks.influence=0.7"])];
        let whole = comparison(&scenarios, seed, 0..n);
        let mut merged = comparison(&scenarios, seed, 0..k);
        merged.merge(&comparison(&scenarios, seed, k..n));
        prop_assert_eq!(merged, whole);
    }
}
