//! Order invariance (docs/model.md, "Order invariance"): listing the sides, the actors or the
//! events of a scenario in another order changes no result. Every draw is keyed by the entity
//! that makes it, both sides answer at once, and strikes are decided at once, so run *i* of the
//! permuted scenario must equal run *i* of the original, value for value.

use std::path::Path;
use std::sync::Arc;

use detente::outcome::{Blocker, DealVia, Outcome};
use detente::scenario::Scenario;
use detente::scenario::load::{load_str, parse_ron};
use detente::scenario::raw::RawScenario;
use detente::sim::Sim;

const BASELINE: &str = "scenarios/iran-talks-2025.ron";
const RUNS: u64 = 3_000;
const SEED: u64 = 11;

fn raw() -> RawScenario {
    let text = std::fs::read_to_string(BASELINE).unwrap();
    parse_ron(&text, Path::new(BASELINE)).unwrap()
}

fn scenario(raw: &RawScenario) -> Arc<Scenario> {
    let config = ron::ser::PrettyConfig::new()
        .extensions(ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES);
    let text = ron::ser::to_string_pretty(raw, config).unwrap();
    Arc::new(
        load_str(&text, Path::new(BASELINE), &[])
            .unwrap_or_else(|e| panic!("{e}"))
            .scenario,
    )
}

/// One run, told without indices: strikers and protectors by id, per-side values by side id.
fn describe(s: &Scenario, outcome: &Outcome, trace: &[detente::outcome::RoundRecord]) -> String {
    let actor = |a: usize| s.actors[a].id.clone();
    let mut out = match outcome {
        Outcome::Strike {
            by,
            patron_approval,
            round,
            responses,
            retaliation,
        } => {
            let mut r: Vec<_> = responses.iter().map(|(a, l)| (actor(*a), *l)).collect();
            r.sort_by(|a, b| a.0.cmp(&b.0));
            format!(
                "strike {} {patron_approval} {round} {r:?} {retaliation}",
                actor(*by)
            )
        }
        Outcome::Deal {
            terms,
            round,
            durability,
            via,
        } => {
            let via = match via {
                DealVia::Offer(k) => s.sides[*k].id.clone(),
                DealVia::Mediator => "mediator".into(),
            };
            format!("deal {terms:?} {round} {durability} {via}")
        }
        other => format!("{other:?}"),
    };
    let mut sides: Vec<usize> = (0..s.sides.len()).collect();
    sides.sort_by(|&a, &b| s.sides[a].id.cmp(&s.sides[b].id));
    for row in trace {
        for &k in &sides {
            out += &format!(
                " | {} {:?} {} {} {} {}",
                s.sides[k].id,
                row.offers[k],
                row.conceded[k],
                row.trust[k],
                row.acceptance[k],
                row.deal_estimate[k]
            );
        }
        out += &format!(" {:?}", row.proposal);
        for &k in &sides {
            let name = |b: &Option<Blocker>| match b {
                Some(Blocker::Veto(a)) => actor(*a),
                Some(Blocker::RedLine { actor: a, issue }) => {
                    format!("red line {} {}", actor(*a), s.issues[*issue].id)
                }
                other => format!("{other:?}"),
            };
            out += &format!(
                " {} {}",
                name(&row.blocked[k]),
                name(&row.mediator_blocked[k])
            );
        }
    }
    out
}

fn runs(s: &Arc<Scenario>) -> Vec<String> {
    let mut sim = Sim::new(s.clone());
    (0..RUNS)
        .map(|i| {
            let v = sim.run(SEED, i);
            describe(s, v.outcome, v.trace)
        })
        .collect()
}

fn assert_same(base: &[String], permuted: &[String], what: &str) {
    for (i, (a, b)) in base.iter().zip(permuted).enumerate() {
        assert_eq!(a, b, "run {i} differs when {what}");
    }
}

#[test]
fn listing_the_sides_and_actors_in_another_order_changes_nothing() {
    let base = raw();
    let expected = runs(&scenario(&base));
    // The runs are not all alike: otherwise equality would prove nothing.
    let kinds: std::collections::BTreeSet<&str> = expected
        .iter()
        .map(|r| r.split([' ', '{']).next().unwrap())
        .collect();
    assert!(
        kinds.len() >= 3,
        "too few kinds of outcome to compare: {kinds:?}"
    );

    let mut swapped = base.clone();
    swapped.sides.as_mut().unwrap().reverse();
    assert_same(
        &expected,
        &runs(&scenario(&swapped)),
        "the sides are swapped",
    );

    let mut reversed = base.clone();
    reversed.actors.as_mut().unwrap().reverse();
    assert_same(
        &expected,
        &runs(&scenario(&reversed)),
        "the actors are reversed",
    );

    let mut both = swapped;
    both.actors.as_mut().unwrap().rotate_left(3);
    assert_same(
        &expected,
        &runs(&scenario(&both)),
        "sides and actors are permuted",
    );
}

/// Events of one round happen in the order they are listed (a statement and then its
/// retraction is not the retraction and then the statement); the order of the rounds' groups in
/// the file is free.
#[test]
fn listing_the_rounds_events_in_another_order_changes_nothing() {
    let base = raw();
    let expected = runs(&scenario(&base));
    let mut reversed = base;
    let events = reversed.events.as_mut().unwrap();
    let rounds: std::collections::BTreeSet<u32> = events.iter().filter_map(|e| e.round).collect();
    assert!(
        rounds.len() >= 3,
        "the baseline schedules events in several rounds"
    );
    // Latest round first; within a round, the file's order (a stable sort).
    events.sort_by_key(|e| std::cmp::Reverse(e.round));
    assert_same(
        &expected,
        &runs(&scenario(&reversed)),
        "the rounds' events are reversed",
    );
}
