//! Comparisons under common random numbers: identical variants differ by exactly nothing; a
//! variant known to move an outcome does so significantly, with the right sign.

use std::path::Path;
use std::sync::Arc;

use detente::outcome::{OutcomeClass, OutcomeKind};
use detente::scenario::{Override, Scenario, expand, load};
use detente::study::compare::compare;

fn scenario(set: &[&str]) -> Arc<Scenario> {
    let set: Vec<Override> = set.iter().map(|s| s.parse().unwrap()).collect();
    Arc::new(
        load(Path::new("scenarios/iran-talks-2025.ron"), &set)
            .unwrap()
            .scenario,
    )
}

#[test]
fn identical_base_and_variant_differ_by_exactly_zero() {
    let s = scenario(&[]);
    let c = compare(&[s.clone(), s.clone()], 3_000, 4, 2);
    for kind in [
        "deal",
        "talks_continue",
        "collapse",
        "strike",
        "strike:israel",
    ] {
        let class = detente::outcome::OutcomeClass::parse(kind, &s).expect("a known outcome");
        let d = c.share_difference(1, class);
        assert_eq!((d.diff, d.lo, d.hi), (0.0, 0.0, 0.0), "{kind}");
        assert!(!d.significant());
    }
    let r = c.rounds_difference(1);
    assert_eq!((r.diff, r.lo, r.hi), (0.0, 0.0, 0.0));
    for d in 0..4 {
        let t = c.terms_difference(1, d);
        assert_eq!(t.diff, 0.0);
        assert!(!t.significant());
    }
    assert_eq!(c.variants[0].agg, c.variants[1].agg);
}

#[test]
fn more_hawk_influence_is_a_significant_change_of_the_right_sign() {
    let c = compare(
        &[scenario(&[]), scenario(&["actors.hawks.influence=0.7"])],
        4_000,
        4,
        2,
    );
    let deal = c.share_difference(1, OutcomeClass::Kind(OutcomeKind::Deal));
    // (Strikes barely move with the hawks' influence: docs/model.md §11.)
    assert!(deal.significant() && deal.hi < 0.0, "deals {deal:?}");
    // Paired intervals are much narrower than two independent samples' would be.
    let independent = 1.96 * (2.0 * 0.25 / 4_000f64).sqrt();
    assert!(
        deal.hi - deal.lo < independent,
        "paired width {} vs {independent}",
        deal.hi - deal.lo
    );
}

#[test]
fn a_comparison_is_the_same_on_any_thread_count() {
    let scenarios = [scenario(&[]), scenario(&["params.misperception=0.3"])];
    assert_eq!(
        compare(&scenarios, 2_000, 8, 1),
        compare(&scenarios, 2_000, 8, 2)
    );
}

#[test]
fn list_values_make_one_variant_each_and_several_lists_multiply() {
    let set: Vec<Override> = [
        "actors.hawks.influence=0.2,0.4,0.6",
        "sides.iran.veto=[khamenei, sceptics],[khamenei]",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    let sets = expand(&set);
    assert_eq!(sets.len(), 6);
    assert_eq!(sets[0][0].value, "0.2");
    assert_eq!(sets[0][1].value, "[khamenei, sceptics]");
    assert_eq!(sets[5][0].value, "0.6");
    assert_eq!(sets[5][1].value, "[khamenei]");
    assert_eq!(expand(&[]), vec![Vec::<Override>::new()]);
}
