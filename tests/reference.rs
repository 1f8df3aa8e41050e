//! The reference engines through the scenario format and `detente story`: the published
//! numbers of `docs/reference-engines.md` come out of the shipped reference scenarios.

mod common;
use common::{detente, stdout};

#[test]
fn the_bdm_case_prints_the_reference_medians_and_means() {
    let s = stdout(&detente(&[
        "story",
        "scenarios/reference/eu-emissions-1994.ron",
    ]));
    // Median and mean per round, Scholz-code conventions (6 decimals).
    let expected = [
        (7.000000, 7.389956),
        (8.415932, 7.461314),
        (9.610859, 7.552501),
        (9.961980, 7.590145),
        (9.961980, 7.358131),
        (9.961980, 7.349174),
        (7.472046, 7.414878),
        (8.824594, 7.510457),
        (9.671130, 7.572447),
        (9.671130, 7.324989),
        (7.000000, 7.242131),
    ];
    for (r, (median, mean)) in expected.iter().enumerate() {
        let line = format!("{r:<6} {median:>10.6} {mean:>10.6}");
        assert!(s.contains(&line), "no {line:?} in:\n{s}");
    }
    assert!(s.contains("belgium Compromise with france → 8.415932"));
    assert!(s.contains("capability × salience weighted mean"));
}

#[test]
fn the_ktab_case_prints_the_reference_win_probabilities() {
    let s = stdout(&detente(&[
        "story",
        "scenarios/reference/ktab-dummy-3dim.ron",
    ]));
    assert!(s.contains("11 states"));
    // Each actor's probability of winning in state 0 and in the final state (4 decimals).
    let first = [0.0047, 0.0302, 0.0054, 0.1492, 0.6001, 0.1447, 0.0656];
    let last = [0.3340, 0.3340, 0.0183, 0.0957, 0.1512, 0.4009, 0.1512];
    let states: Vec<&str> = s.split("\nstate ").collect();
    for (a, p) in first.iter().enumerate() {
        assert!(
            states[1].contains(&format!("sactor-0{a}"))
                && states[1].contains(&format!("P(win) {p:.4}")),
            "state 0, actor {a}"
        );
    }
    for (a, p) in last.iter().enumerate() {
        let row = states[11]
            .lines()
            .find(|l| l.contains(&format!("sactor-0{a}")))
            .unwrap();
        assert!(row.contains(&format!("P(win) {p:.4}")), "state 10: {row}");
    }
    assert!(states[3].contains("(fractional change 0.7631)"));
    assert!(
        states[2].contains("( 79.54,  44.71,  72.05)"),
        "positions after the first turn"
    );
}

#[test]
fn compare_refuses_reference_engines_and_check_names_them() {
    let o = detente(&[
        "compare",
        "scenarios/reference/eu-emissions-1994.ron",
        "--set",
        "engine.q=0.9",
    ]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("expected-utility engine") && e.contains("detente story"),
        "{e}"
    );
    let o = detente(&["check", "scenarios/reference/ktab-dummy-3dim.ron"]);
    assert!(stdout(&o).contains("spatial-model engine, 7 actors, 3 issues"));
}

#[test]
fn importers_turn_the_reference_tables_into_scenarios_that_reproduce_them() {
    let dir = std::env::temp_dir().join(format!("detente-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (eu, ktab) = (dir.join("eu.ron"), dir.join("ktab.ron"));
    stdout(&detente(&[
        "import",
        "bdm",
        "tests/data/import/eu-emissions-1994.csv",
        "--out",
        eu.to_str().unwrap(),
    ]));
    stdout(&detente(&[
        "import",
        "ktab",
        "tests/data/import/ktab-dummy-3dim.csv",
        "--out",
        ktab.to_str().unwrap(),
    ]));
    assert!(
        stdout(&detente(&["check", eu.to_str().unwrap()]))
            .contains("expected-utility engine, 10 actors, 1 issues")
    );
    // The imported scenarios tell the same story as the shipped reference scenarios.
    let body = |s: String| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    let shipped = body(stdout(&detente(&[
        "story",
        "scenarios/reference/eu-emissions-1994.ron",
    ])));
    let imported = body(stdout(&detente(&["story", eu.to_str().unwrap()])));
    assert_eq!(
        shipped.replace("issue `delay`", ""),
        imported
            .replace("issue `position`", "")
            .replace("\"position\"", "\"delay\"")
    );
    let shipped = body(stdout(&detente(&[
        "story",
        "scenarios/reference/ktab-dummy-3dim.ron",
    ])));
    let imported = body(stdout(&detente(&["story", ktab.to_str().unwrap()])));
    assert_eq!(shipped, imported);
    // An existing file is not overwritten.
    assert!(
        !detente(&[
            "import",
            "bdm",
            "tests/data/import/eu-emissions-1994.csv",
            "--out",
            eu.to_str().unwrap()
        ])
        .status
        .success()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn malformed_import_files_give_located_errors() {
    let o = detente(&["import", "bdm", "tests/data/import/bdm-broken.csv"]);
    assert!(!o.status.success());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("bdm-broken.csv:3:9: capability: `high` is not a number"),
        "{e}"
    );
    assert!(e.contains("bdm-broken.csv:4:1: expected 4 fields"), "{e}");
    let dir = std::env::temp_dir().join(format!("detente-import-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "Name,desc,three,2,\nActor,Description,Power,P1,S1,P2,S2,\n",
    )
    .unwrap();
    let o = detente(&["import", "ktab", bad.to_str().unwrap()]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success()
            && e.contains("bad.csv:1:11: number of actors: `three` is not a whole number"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// The other BDM example data (scenarios/reference/bdm-*.ron) against the open replication of
// Scholz et al.'s code, jmckib/bdm-scholz-expected-utility-model's bdm_scholz_model.py (run in a
// scratch folder, Python 3, logic unchanged) on tests/data/import/bdm-china.csv (capability as given, salience/100), 10 rounds;
// detente ScholzCode agrees to <= 1.5e-13. Columns: round, median, mean, then the only actors that
// ever move: shanghai(3), tianjiyun(5), usa(19), japan(20), europe(21). Everyone else keeps the
// initial position.
#[rustfmt::skip]
const CHINA_SCHOLZ: [[f64; 8]; 11] = [
    [ 0.0, 20.000000000, 30.721539915, 35.000000000, 20.000000000, 100.000000000, 60.000000000, 90.000000000],
    [ 1.0, 20.000000000, 29.181624941, 25.000000000, 25.000000000, 60.000000000, 35.000000000, 100.000000000],
    [ 2.0, 20.000000000, 27.849551252, 25.000000000, 35.000000000, 35.000000000, 25.000000000, 60.000000000],
    [ 3.0, 20.000000000, 27.006376949, 25.000000000, 25.000000000, 25.000000000, 25.000000000, 35.000000000],
    [ 4.0, 20.000000000, 26.649990820, 25.000000000, 20.578443406, 20.578443406, 25.000000000, 25.000000000],
    [ 5.0, 20.000000000, 26.781572335, 25.000000000, 25.000000000, 25.000000000, 25.000000000, 20.578443406],
    [ 6.0, 20.000000000, 26.651029946, 25.000000000, 20.601358282, 20.601358282, 25.000000000, 25.000000000],
    [ 7.0, 20.000000000, 26.781929534, 25.000000000, 25.000000000, 25.000000000, 25.000000000, 20.601358282],
    [ 8.0, 20.000000000, 26.651030457, 25.000000000, 20.601369549, 20.601369549, 25.000000000, 25.000000000],
    [ 9.0, 20.000000000, 26.781929710, 25.000000000, 25.000000000, 25.000000000, 25.000000000, 20.601369549],
    [10.0, 20.000000000, 26.651030457, 25.000000000, 20.601369554, 20.601369554, 25.000000000, 25.000000000],
];

// Same code on bdm-honduras-crisis.csv: a 2-cycle, only united_states(3) moves
// (compromise with honduras, then confrontation with costa_rica). Round, median, mean, x_usa.
#[rustfmt::skip]
const HONDURAS_SCHOLZ: [[f64; 4]; 11] = [
    [ 0.0, 0.500000000, 0.500850331, 0.500000000],
    [ 1.0, 0.123023499, 0.131744135, 0.123023499],
    [ 2.0, 0.500000000, 0.500850331, 0.500000000],
    [ 3.0, 0.123023499, 0.131744135, 0.123023499],
    [ 4.0, 0.500000000, 0.500850331, 0.500000000],
    [ 5.0, 0.123023499, 0.131744135, 0.123023499],
    [ 6.0, 0.500000000, 0.500850331, 0.500000000],
    [ 7.0, 0.123023499, 0.131744135, 0.123023499],
    [ 8.0, 0.500000000, 0.500850331, 0.500000000],
    [ 9.0, 0.123023499, 0.131744135, 0.123023499],
    [10.0, 0.500000000, 0.500850331, 0.500000000],
];

// Same code on bdm-sultan.csv: nobody ever moves (every pair has EU_ji <= 0 or is a capitulation,
// which that code never fires). median 13.900000000, mean 13.619912135 in every round 0..=10.
const SULTAN_SCHOLZ: (f64, f64) = (13.900000000, 13.619912135);

fn story_line(r: usize, median: f64, mean: f64) -> String {
    format!("{r:<6} {median:>10.6} {mean:>10.6}")
}

#[test]
fn bdm_china_matches_jmckib_scholz_code() {
    let s = stdout(&detente(&["story", "scenarios/reference/bdm-china.ron"]));
    for row in CHINA_SCHOLZ {
        let line = story_line(row[0] as usize, row[1], row[2]);
        assert!(s.contains(&line), "no {line:?} in:\n{s}");
    }
    assert!(s.contains("tianjiyun Compromise with ziannian → 20.578443"));
    assert!(s.contains("usa Confrontation with japan → 60.000000"));
    // Every number of the table to 1e-9, from the trace.
    let j: serde_json::Value = serde_json::from_str(&stdout(&detente(&[
        "run",
        "scenarios/reference/bdm-china.ron",
        "--format",
        "json",
    ])))
    .unwrap();
    for row in CHINA_SCHOLZ {
        let r = &j["trace"][row[0] as usize];
        let x = |i: usize| r["positions"][i].as_f64().unwrap();
        let got = [
            r["median"].as_f64().unwrap(),
            r["mean"].as_f64().unwrap(),
            x(3),
            x(5),
            x(19),
            x(20),
            x(21),
        ];
        for (g, e) in got.iter().zip(&row[1..]) {
            assert!((g - e).abs() <= 1e-9, "round {}: {g} vs {e}", row[0]);
        }
    }
}

#[test]
fn bdm_honduras_is_a_two_cycle_under_scholz_code() {
    let s = stdout(&detente(&[
        "story",
        "scenarios/reference/bdm-honduras-crisis.ron",
    ]));
    for row in HONDURAS_SCHOLZ {
        let line = format!(
            "{} {:>10.6} {:>10.6} {:>10.6} {:>10.6} {:>10.6}",
            story_line(row[0] as usize, row[1], row[2]),
            1.0,
            0.0,
            0.5,
            row[3],
            0.5
        );
        assert!(s.contains(&line), "no {line:?} in:\n{s}");
    }
}

#[test]
fn bdm_sultan_never_moves_under_scholz_code() {
    let s = stdout(&detente(&["story", "scenarios/reference/bdm-sultan.ron"]));
    for r in 0..=10 {
        let line = story_line(r, SULTAN_SCHOLZ.0, SULTAN_SCHOLZ.1);
        assert!(s.contains(&line), "no {line:?} in:\n{s}");
    }
    assert!(
        !s.contains("Confrontation") && !s.contains("Compromise") && !s.contains("Capitulation")
    );
}
