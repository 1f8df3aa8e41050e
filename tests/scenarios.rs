//! Every shipped scenario loads and validates; the baseline has what the article reports; the
//! variants patch what they say; `--set` reaches every kind of value.

use std::path::{Path, PathBuf};

use detente::scenario::digest::ClaimKind;
use detente::scenario::provenance::Source;
use detente::scenario::types::{Capability, Role};
use detente::scenario::{Override, load};

const BASELINE: &str = "scenarios/iran-talks-2025.ron";

fn ron_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // Experiment files are not scenarios: tests/experiments.rs checks them.
            if path.file_name().is_some_and(|n| n == "experiments") {
                continue;
            }
            ron_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "ron") {
            out.push(path);
        }
    }
}

fn set(overrides: &[&str]) -> Vec<Override> {
    overrides.iter().map(|o| o.parse().unwrap()).collect()
}

#[test]
fn every_scenario_loads() {
    let mut files = Vec::new();
    ron_files(Path::new("scenarios"), &mut files);
    assert!(
        files.len() >= 4,
        "baseline and variants expected, found {files:?}"
    );
    for f in files {
        if let Err(e) = load(&f, &[]) {
            panic!("{} does not load:\n{e}", f.display());
        }
    }
    load(Path::new("tests/data/minimal.ron"), &[]).unwrap();
}

#[test]
fn the_digest_covers_the_article() {
    let l = load(Path::new(BASELINE), &[]).unwrap();
    let d = l.digest.expect("the baseline cites a digest");
    assert!(d.claims.len() >= 25, "{} claims", d.claims.len());
    assert!(d.claims.iter().any(|c| c.kind == ClaimKind::Fact));
    assert!(d.claims.iter().any(|c| c.kind == ClaimKind::Assessment));
    for c in &d.claims {
        assert!(
            !c.text.contains('\n') && c.text.len() < 200,
            "{}: one line",
            c.id
        );
        assert!(
            c.paragraph >= 1 && c.paragraph <= 18,
            "{}: paragraph {}",
            c.id,
            c.paragraph
        );
    }
}

#[test]
fn the_baseline_has_the_actors_rounds_and_events_of_the_article() {
    let l = load(Path::new(BASELINE), &[]).unwrap();
    let s = &l.scenario;
    let id = |i: usize| s.actors[i].id.as_str();
    for a in [
        "hawks",
        "pragmatists",
        "trump",
        "negotiators",
        "khamenei",
        "russia",
        "israel",
    ] {
        assert!(s.actor_index(a).is_some(), "actor {a}");
    }
    let us = &s.sides[s.side_index("us").unwrap()];
    let iran = &s.sides[s.side_index("iran").unwrap()];
    assert_eq!(id(us.leader), "trump");
    assert_eq!(id(iran.leader), "khamenei");
    assert!(iran.veto.iter().any(|&v| id(v) == "khamenei"));
    assert!(s.actors.iter().any(|a| a.role == Role::Mediator));
    let venues: Vec<&str> = s.rounds.iter().map(|r| r.venue.as_str()).collect();
    assert_eq!(&venues[..4], ["Muscat", "Rome", "Geneva", "Oman"]);
    // Calendar: Rome a week after Muscat, Geneva and Oman weekly, then rounds two weeks apart to
    // the end of June; Trump's remarks of Monday 21 April fire at the next round, Geneva.
    let dates: Vec<String> = s
        .rounds
        .iter()
        .map(|r| r.date.unwrap().to_string())
        .collect();
    assert_eq!(&dates[..2], ["2025-04-12", "2025-04-19"]);
    assert_eq!(dates.last().unwrap(), "2025-06-28");
    let weeks: Vec<f64> = s.rounds.iter().map(|r| r.week).collect();
    assert_eq!(weeks, [0.0, 1.0, 2.0, 3.0, 5.0, 7.0, 9.0, 11.0]);
    assert_eq!(s.rounds[0].dt, 1.0);
    assert_eq!(s.rounds[4].dt, 2.0);
    let remarks = s
        .events
        .iter()
        .find(|e| e.id == "trump-cautious-optimism")
        .unwrap();
    assert_eq!(remarks.round, 3);
    assert_eq!(remarks.date.unwrap().to_string(), "2025-04-21");
    let israel = &s.actors[s.actor_index("israel").unwrap()];
    assert!(
        israel
            .capabilities
            .iter()
            .any(|c| matches!(c, Capability::Strike { .. }))
    );
    assert!(
        israel
            .capabilities
            .iter()
            .any(|c| matches!(c, Capability::Lobby { .. }))
    );
    let russia = &s.actors[s.actor_index("russia").unwrap()];
    assert!(
        russia
            .capabilities
            .iter()
            .any(|c| matches!(c, Capability::Protect { .. }))
    );
    for e in [
        "dismantlement-precondition",
        "envoy-limited-enrichment",
        "envoy-reversal",
        "partnership-ratified",
    ] {
        assert!(s.events.iter().any(|x| x.id == e), "event {e}");
    }
    // Most values rest on claims or are declared; the article grounds a real share of them.
    let sourced = s
        .values()
        .iter()
        .filter(|(p, _)| matches!(l.provenance.source(p), Source::Claims(..)))
        .count();
    assert!(sourced >= 40, "only {sourced} sourced values");
}

#[test]
fn variants_patch_only_what_they_change() {
    let base = load(Path::new(BASELINE), &[]).unwrap().scenario;
    let v = load(Path::new("scenarios/hawks-ascendant.ron"), &[]).unwrap();
    let hawks = base.actor_index("hawks").unwrap();
    assert!(v.scenario.actors[hawks].influence > base.actors[hawks].influence);
    assert_eq!(v.scenario.actors.len(), base.actors.len());
    assert_eq!(v.scenario.events, base.events);
    assert_eq!(v.files.len(), 2, "base and variant");
    let c = load(Path::new("scenarios/consistent-messaging.ron"), &[])
        .unwrap()
        .scenario;
    assert!(
        c.events.len() < base.events.len(),
        "consistent messaging disables events"
    );
    assert!(!c.events.iter().any(|e| e.id == "envoy-reversal"));
}

#[test]
fn set_reaches_every_kind_of_value() {
    let l = load(
        Path::new(BASELINE),
        &set(&[
            "actors.hawks.influence=0.6",                    // number
            "actors.hawks.name=\"Hawks\"",                   // string
            "params.mandate_rule=Median",                    // enum
            "sides.iran.veto=[khamenei, sceptics]",          // list
            "actors.israel.capabilities.strike.success=0.7", // nested, list element by kind
            "actors.hawks.ideal.enrichment=5",               // map key
            "events.envoy-reversal.enabled=false",           // bool
        ]),
    )
    .unwrap();
    let s = &l.scenario;
    let hawks = &s.actors[s.actor_index("hawks").unwrap()];
    assert_eq!(hawks.influence, 0.6);
    assert_eq!(hawks.name, "Hawks");
    assert_eq!(hawks.ideal[0], 5.0);
    assert_eq!(
        s.params.mandate_rule,
        detente::scenario::types::MandateRule::Median
    );
    assert_eq!(s.sides[s.side_index("iran").unwrap()].veto.len(), 2);
    let israel = &s.actors[s.actor_index("israel").unwrap()];
    assert!(
        israel
            .capabilities
            .iter()
            .any(|c| matches!(c, Capability::Strike { success, .. } if *success == 0.7))
    );
    assert!(!s.events.iter().any(|e| e.id == "envoy-reversal"));
    match l.provenance.source("actors.hawks.influence") {
        Source::Assumed(detente::scenario::provenance::Origin::Override(o)) => {
            assert_eq!(o, "actors.hawks.influence=0.6")
        }
        other => panic!("override provenance: {other:?}"),
    }
}

#[test]
fn set_on_a_variant_applies_after_extends() {
    let l = load(
        Path::new("scenarios/hawks-ascendant.ron"),
        &set(&["actors.hawks.influence=0.1"]),
    )
    .unwrap();
    let s = &l.scenario;
    assert_eq!(s.actors[s.actor_index("hawks").unwrap()].influence, 0.1);
}

#[test]
fn the_format_reference_documents_every_parameter_as_the_code_defines_it() {
    let doc = std::fs::read_to_string("scenarios/README.md").unwrap();
    for p in detente::scenario::params::PARAM_SPECS {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", p.name)))
            .unwrap_or_else(|| panic!("scenarios/README.md has no row for `{}`", p.name));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(
            cells[3],
            format!("{:?}", p.default),
            "default of {}",
            p.name
        );
        assert_eq!(cells[4], p.unit, "unit of {}", p.name);
        assert_eq!(
            cells[5],
            format!("{:?} – {:?}", p.valid.0, p.valid.1),
            "valid range of {}",
            p.name
        );
    }
}

#[test]
fn the_annotated_example_of_the_format_reference_loads_and_reaches_deals() {
    // The example a new user copies first must be a negotiation that can end in a deal.
    let doc = std::fs::read_to_string("scenarios/README.md").unwrap();
    let from = doc
        .find("## A complete annotated example")
        .expect("the section");
    let start = doc[from..].find("```ron\n").expect("a RON block") + from + "```ron\n".len();
    let end = doc[start..].find("```").expect("the block ends") + start;
    let dir = std::env::temp_dir().join(format!("detente-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ceasefire.ron");
    std::fs::write(&file, &doc[start..end]).unwrap();
    let loaded = load(&file, &[]).unwrap_or_else(|e| panic!("{e}"));
    let scenario = std::sync::Arc::new(loaded.scenario);
    let mut sim = detente::sim::Sim::new(scenario);
    let runs = 2_000;
    let deals = (0..runs)
        .filter(|&r| {
            matches!(
                sim.run(1, r).outcome,
                detente::outcome::Outcome::Deal { .. }
            )
        })
        .count();
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        deals as f64 > 0.2 * runs as f64,
        "{deals} deals in {runs} runs of the annotated example"
    );
}

#[test]
fn undated_rounds_are_a_week_apart_and_dates_place_events_and_deadlines() {
    let undated = load(Path::new("tests/data/minimal.ron"), &[])
        .unwrap()
        .scenario;
    let weeks: Vec<(f64, f64)> = undated.rounds.iter().map(|r| (r.week, r.dt)).collect();
    assert_eq!(weeks, [(0.0, 1.0), (1.0, 1.0)]);
    assert!(undated.rounds.iter().all(|r| r.date.is_none()));

    let text = r#"Scenario(extends: Some("minimal.ron"),
        rounds: [
            Round(venue: "A", date: "2024-02-26"),
            Round(venue: "B"),
            Round(venue: "C", date: "2024-03-14"),
        ],
        events: [
            Event(id: "leap", date: "2024-02-29",
                  effect: Statement(actor: "north_farmers", position: {"tariff": 90})),
            Event(id: "cutoff", round: 1, effect: Deadline(date: "2024-03-13")),
        ])"#;
    // `extends` resolves against the (never read) path's folder.
    let s = detente::scenario::load_str(text, Path::new("tests/data/calendar.ron"), &[])
        .unwrap()
        .scenario;
    let rounds: Vec<(String, f64, f64)> = s
        .rounds
        .iter()
        .map(|r| (r.date.unwrap().to_string(), r.week, r.dt))
        .collect();
    assert_eq!(
        rounds,
        [
            ("2024-02-26".to_string(), 0.0, 1.0),
            ("2024-03-04".to_string(), 1.0, 1.0),
            ("2024-03-14".to_string(), 17.0 / 7.0, 10.0 / 7.0),
        ]
    );
    let leap = s.events.iter().find(|e| e.id == "leap").unwrap();
    assert_eq!(
        leap.round, 2,
        "29 February falls between the first two rounds"
    );
    let cutoff = s.events.iter().find(|e| e.id == "cutoff").unwrap();
    assert!(
        matches!(
            cutoff.effect,
            detente::scenario::types::Effect::Deadline { round: 2 }
        ),
        "a deadline of 13 March lapses after the round of 4 March: {:?}",
        cutoff.effect
    );
}
