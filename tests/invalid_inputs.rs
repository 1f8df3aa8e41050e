//! The broken corpus: every file under `tests/broken/` (and every bad override) fails to load
//! with an error that says where (file:line:column or field path) and what is wrong.

use std::path::Path;

use detente::scenario::{Diagnostics, Override, load};

/// Loads `file` with `overrides` and returns the rendered errors; panics if it loads.
fn errors(file: &str, overrides: &[&str]) -> String {
    let overrides: Vec<Override> = overrides.iter().map(|o| o.parse().unwrap()).collect();
    match load(Path::new(file), &overrides) {
        Ok(_) => panic!("{file} with {overrides:?} loaded, but it is broken"),
        Err(Diagnostics(d)) => d.iter().map(|d| format!("{d}\n")).collect(),
    }
}

/// Asserts that the errors of `file` contain each of `expected`, in order of appearance.
fn expect(file: &str, overrides: &[&str], expected: &[&str]) {
    let text = errors(file, overrides);
    let mut rest = text.as_str();
    for e in expected {
        match rest.find(e) {
            Some(i) => rest = &rest[i + e.len()..],
            None => panic!("errors of {file} lack {e:?} (in order); they are:\n{text}"),
        }
    }
}

#[test]
fn syntax_error_names_line_column_and_shows_the_line() {
    expect(
        "tests/broken/syntax-missing-comma.ron",
        &[],
        &[
            "tests/broken/syntax-missing-comma.ron:23:9: expected a comma",
            "23 |",
            "^",
        ],
    );
}

#[test]
fn unknown_field_names_the_field_the_fix_and_the_allowed_ones() {
    expect(
        "tests/broken/unknown-field.ron",
        &[],
        &[
            "tests/broken/unknown-field.ron:15:38: unknown field `salince` in `Actor`",
            "^^^^^^^",
            "did you mean `salience`?",
            "allowed fields: `id`, `name`",
        ],
    );
}

#[test]
fn unknown_variant_lists_the_variants() {
    expect(
        "tests/broken/unknown-variant.ron",
        &[],
        &[
            "unknown-variant.ron:18:58: unknown variant `Fraction` of `Role`",
            "did you mean `Faction`?",
        ],
    );
}

#[test]
fn unknown_field_inside_an_event_effect() {
    expect(
        "tests/broken/effect-unknown-field.ron",
        &[],
        &[
            "effect-unknown-field.ron:2:109: unknown field `extra` in `Deadline`",
            "allowed fields: `round`",
        ],
    );
}

#[test]
fn wrong_struct_name() {
    expect(
        "tests/broken/wrong-struct-name.ron",
        &[],
        &["wrong-struct-name.ron:2:1: expected `Scenario(...)` but found `Scenaro(...)`"],
    );
}

#[test]
fn misspelled_actor_id_gets_did_you_mean() {
    expect(
        "tests/broken/misspelled-actor.ron",
        &[],
        &[
            "events[0].effect.actor: unknown actor `north_farmer`",
            "did you mean `north_farmers`?",
        ],
    );
}

#[test]
fn out_of_range_salience_has_its_field_path() {
    expect(
        "tests/broken/salience-out-of-range.ron",
        &[],
        &[
            "actors[1].salience.tariff: 1.4 is out of range",
            "allowed: 0 to 1",
        ],
    );
}

#[test]
fn nan_and_infinity_are_rejected_where_they_are_written() {
    expect(
        "tests/broken/nan.ron",
        &[],
        &["nan.ron:5:81: NaN is not allowed here: numbers must be finite"],
    );
    expect(
        "tests/broken/infinite.ron",
        &[],
        &["infinite.ron:19:75: inf is not allowed here"],
    );
}

#[test]
fn negative_influence() {
    expect(
        "tests/broken/negative-influence.ron",
        &[],
        &["actors[1].influence: -0.2 is out of range"],
    );
}

#[test]
fn veto_player_of_another_side() {
    expect(
        "tests/broken/veto-other-side.ron",
        &[],
        &["sides[0].veto[0]: veto player `south_pm` belongs to side `south`, not to `north`"],
    );
}

#[test]
fn side_without_a_leader_is_the_only_error() {
    let text = errors("tests/broken/side-without-leader.ron", &[]);
    assert!(
        text.contains("sides[1].leader: side `south` has no leader"),
        "{text}"
    );
    assert_eq!(
        text.matches("error:").count(),
        1,
        "no cascade of follow-up errors:\n{text}"
    );
}

#[test]
fn missing_role_is_the_only_error() {
    let text = errors("tests/broken/missing-role.ron", &[]);
    assert!(text.contains("actors[1].role: missing"), "{text}");
    assert_eq!(text.matches("error:").count(), 1, "{text}");
}

#[test]
fn duplicate_id() {
    expect(
        "tests/broken/duplicate-id.ron",
        &[],
        &[
            "actors[3].id: duplicate id `south_pm`",
            "actors[2] already has it",
            "1 further problem that names `south_pm` follows from it and is not shown",
            // The renamed faction's references are real problems, and stay.
            "sides[1].factions[0]: unknown actor `south_industry`",
        ],
    );
    // What only follows from the duplicate (the second `south_pm` is no listed faction) is left
    // out under it.
    let all = errors("tests/broken/duplicate-id.ron", &[]);
    assert!(!all.contains("is not listed in the factions"), "{all}");
}

#[test]
fn unknown_claim_id() {
    expect(
        "tests/broken/unknown-claim.ron",
        &[],
        &["rounds[0].because[1]: unknown claim `C99`", "did you mean"],
    );
}

#[test]
fn event_after_the_last_round() {
    expect(
        "tests/broken/event-after-last-round.ron",
        &[],
        &[
            "events[0].round: round 3 is outside the schedule",
            "rounds 1 to 2",
        ],
    );
}

#[test]
fn a_single_side_is_not_a_negotiation() {
    expect(
        "tests/broken/one-side.ron",
        &[],
        &["sides: the negotiation model is bilateral: a scenario needs two sides, found 1"],
    );
}

#[test]
fn extends_cycle() {
    expect(
        "tests/broken/extends-cycle-a.ron",
        &[],
        &[
            "extends: `extends` makes a cycle",
            "extends-cycle-a.ron -> ",
            "extends-cycle-b.ron -> ",
            "extends-cycle-a.ron",
        ],
    );
}

#[test]
fn extends_missing_file() {
    expect(
        "tests/broken/extends-missing.ron",
        &[],
        &["extends-missing.ron: extends: `extends` names `no-such-base.ron`, which does not exist"],
    );
}

#[test]
fn bad_set_path_names_the_override_and_the_closest_id() {
    expect(
        "tests/data/minimal.ron",
        &["actors.nobody.influence=1"],
        &[
            "--set actors.nobody.influence=1: `actors` has no element `nobody`",
            "did you mean `north_pm`?",
        ],
    );
    expect(
        "tests/data/minimal.ron",
        &["actors.north_pm.influnce=1"],
        &[
            "--set actors.north_pm.influnce=1: there is no field `influnce` there",
            "did you mean `influence`?",
        ],
    );
    expect(
        "tests/data/minimal.ron",
        &["params.concession_sped=0.1"],
        &[
            "--set params.concession_sped=0.1: there is no field `concession_sped`",
            "did you mean `concession_speed`?",
        ],
    );
    expect(
        "tests/data/minimal.ron",
        &["actors..influence=1"],
        &["`actors..influence` is not a path"],
    );
}

#[test]
fn bad_set_value_names_the_override() {
    expect(
        "tests/data/minimal.ron",
        &["actors.north_farmers.influence=abc"],
        &[
            "--set actors.north_farmers.influence=abc: wrong type of value",
            "expected a number",
        ],
    );
    expect(
        "tests/data/minimal.ron",
        &["actors.north_farmers.influence=NaN"],
        &["--set actors.north_farmers.influence=NaN: wrong type of value"],
    );
    expect(
        "tests/data/minimal.ron",
        &["actors.north_farmers.influence=1e999"],
        &["`1e999` is not a finite number"],
    );
    expect(
        "tests/data/minimal.ron",
        &["actors.north_pm.role=Fction"],
        &[
            "--set actors.north_pm.role=Fction: unknown variant `Fction`",
            "`Faction`",
        ],
    );
    expect(
        "tests/data/minimal.ron",
        &["actors.north_farmers.influence=1.5"],
        &[
            "actors[1].influence: 1.5 is out of range (the value comes from --set actors.north_farmers.influence=1.5)",
        ],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = errors(
        "tests/data/minimal.ron",
        &[
            "actors.north_pm.ideal.tarif=3",
            "actors.south_pm.war.cost=2",
            "events.north-hardens.round=5",
        ],
    );
    for e in [
        "actors[0].ideal.tarif: unknown issue `tarif`",
        "actors[2].war.cost: 2 is out of range",
        "events[0].round: round 5",
    ] {
        assert!(text.contains(e), "missing {e:?} in:\n{text}");
    }
    let text = errors(
        "tests/data/minimal.ron",
        &["actors.nobody.influence=1", "params.x=1"],
    );
    assert_eq!(text.matches("error:").count(), 2, "{text}");
}

#[test]
fn the_corpus_is_complete() {
    // Every file of the corpus is exercised by a test above; a new file needs its own test.
    let n = std::fs::read_dir("tests/broken").unwrap().count();
    assert!(n >= 15, "the broken corpus has {n} files");
    for entry in std::fs::read_dir("tests/broken").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let me = include_str!("invalid_inputs.rs");
        assert!(
            me.contains(&format!("tests/broken/{name}")) || name.starts_with("extends-cycle-b"),
            "{name} has no test"
        );
        assert!(load(&path, &[]).is_err(), "{name} loads");
    }
}

#[test]
fn bad_calendars_name_the_round_or_event_and_the_fix() {
    expect(
        "tests/broken/round-dates.ron",
        &[],
        &[
            "rounds[1].date: `2025-4-19` is not a date written YYYY-MM-DD",
            "rounds[2].date: 2025-04-05 is not after the previous round's date",
            "list rounds in the order they take place",
            "events[1].date: 2025-05-01 is after the last round",
            "events[2].date: an event has a `round` or a `date`, not both",
            "events[3].effect.date: 2025-04-01 is before the first round (2025-04-12)",
        ],
    );
    expect(
        "tests/broken/event-date-undated-rounds.ron",
        &[],
        &[
            "rounds[1].date: only this and later rounds are dated",
            "give rounds[0] a date too",
            "events[1].date: the rounds have no dates",
            "or use `round`",
        ],
    );
}
