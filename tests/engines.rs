//! The reference engines as runs: `run` and `--out` for both engines, seeded stochastic SMP
//! transitions (reproducible on any thread count, drawn with the election's probabilities),
//! and the ideal-accommodation matrix.

mod common;
use common::{detente, stdout};

use std::path::Path;
use std::process::Command;

use detente::engines::{Runner, Trace, ensemble};
use detente::scenario::{load, load_str};

const BDM: &str = "scenarios/reference/eu-emissions-1994.ron";
const KTAB: &str = "scenarios/reference/ktab-dummy-3dim.ron";

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("detente-engines-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The KTAB case with its `engine: SpatialModel()` replaced by `engine`.
fn ktab_with(engine: &str) -> Result<detente::scenario::Scenario, String> {
    let text = std::fs::read_to_string(KTAB).unwrap();
    assert!(text.contains("engine: SpatialModel(),"));
    let text = text.replace("engine: SpatialModel(),", &format!("engine: {engine},"));
    load_str(&text, Path::new(KTAB), &[])
        .map(|l| l.scenario)
        .map_err(|d| d.to_string())
}

fn stochastic() -> detente::scenario::Scenario {
    ktab_with("SpatialModel(transitions: Stochastic)").unwrap()
}

fn states<'a>(t: &'a Trace<'_>) -> &'a [detente::engines::smp::SmpState] {
    match t {
        Trace::SpatialModel(s) => s,
        Trace::ExpectedUtility(_) => panic!("an SMP trace"),
    }
}

fn traces(s: &detente::scenario::Scenario, runs: u64, seed: u64, threads: usize) -> Vec<Trace<'_>> {
    let mut out = Vec::new();
    ensemble(s, 0, runs, seed, threads, &|_| false, |r, t| {
        assert_eq!(r, out.len() as u64, "runs arrive in order");
        out.push(t);
        Ok(())
    })
    .unwrap();
    out
}

#[test]
fn run_prints_the_bdm_forecast_beside_the_baseline() {
    let s = stdout(&detente(&["run", BDM]));
    assert!(s.contains("deterministic: one run is the result"), "{s}");
    assert!(s.contains("10         7.0000     7.2421"), "{s}");
    assert!(
        s.contains("median after round 10): 7.0000; baseline (capability × salience weighted mean of the input): 7.3900"),
        "{s}"
    );
    let j: serde_json::Value =
        serde_json::from_str(&stdout(&detente(&["run", BDM, "--format", "json"]))).unwrap();
    assert_eq!(j["runs"], 1);
    assert_eq!(j["forecast_median"], 7.0);
    let w = &j["weighted_mean"]["delay"];
    assert!(
        (w["input"].as_f64().unwrap() - 7.389956).abs() < 1e-6,
        "{w}"
    );
    assert!(
        (w["final"].as_f64().unwrap() - 7.242131).abs() < 1e-6,
        "{w}"
    );
    assert_eq!(j["trace"].as_array().unwrap().len(), 11);
    assert_eq!(j["trace"][1]["moves"][0]["kind"], "Compromise");
}

#[test]
fn run_out_writes_every_round_of_every_actor() {
    let dir = temp("bdm-out");
    let d = dir.to_str().unwrap();
    stdout(&detente(&["run", BDM, "--out", d]));
    let actors = std::fs::read_to_string(dir.join("actors.csv")).unwrap();
    assert_eq!(actors.lines().count(), 1 + 11 * 10);
    let belgium = actors
        .lines()
        .find(|l| l.starts_with("base,0,1,belgium,"))
        .unwrap();
    assert!(
        belgium.contains("8.415932") && belgium.contains(",compromise,france,"),
        "{belgium}"
    );
    // Every actor's two expected utilities with every other, per round; Belgium's perception of
    // France's expected utility is the one behind its round-1 compromise.
    // (Pairs at one position are left out: in round 1 the ten actors stand at three positions,
    // 4 ×4, 7 ×3, 10 ×3, which leaves 4·6 + 3·7 + 3·7 = 66 pairs.)
    let eu = std::fs::read_to_string(dir.join("expected_utilities.csv")).unwrap();
    let round1 = eu.lines().filter(|l| l.starts_with("base,0,1,")).count();
    assert_eq!(round1, 66);
    let belgium_france = eu
        .lines()
        .find(|l| l.starts_with("base,0,1,belgium,france,"))
        .unwrap();
    let theirs: f64 = belgium_france.rsplit(',').next().unwrap().parse().unwrap();
    assert!((theirs - 0.2432966).abs() < 1e-6, "{belgium_france}");
    let rounds = std::fs::read_to_string(dir.join("rounds.csv")).unwrap();
    assert_eq!(rounds.lines().count(), 1 + 11);
    assert!(rounds.lines().last().unwrap().starts_with("base,0,10,7,"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["complete"], true);
    assert_eq!(m["engine"], "expected-utility");
    for f in m["files"].as_array().unwrap() {
        assert!(dir.join(f.as_str().unwrap()).exists());
    }
    assert!(!dir.join(".partial").exists());
    // An existing directory is never overwritten.
    let o = detente(&["run", BDM, "--out", d]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn smp_out_holds_the_reference_win_probabilities_and_the_turns() {
    let dir = temp("smp-out");
    stdout(&detente(&["run", KTAB, "--out", dir.to_str().unwrap()]));
    let mut rows = 0;
    let table = std::fs::read_to_string(dir.join("actors.csv")).unwrap();
    for line in table.lines().skip(1) {
        rows += 1;
        let f: Vec<&str> = line.split(',').collect();
        // state 10 of SActor-05: P(win) 0.4009 (docs/reference-engines.md §2).
        if f[2] == "10" && f[3] == "sactor-05" {
            let p: f64 = f[11].parse().unwrap();
            assert_eq!(format!("{p:.4}"), "0.4009", "{line}");
            assert_eq!(f[15], "", "no turn from the last state: {line}");
        }
        // state 0 of SActor-00: it challenges SActor-06.
        if f[2] == "0" && f[3] == "sactor-00" {
            assert_eq!(f[15], "sactor-06", "{line}");
        }
    }
    assert_eq!(rows, 11 * 7);
    // Every bargain put to every actor in the 10 turns; exactly one adopted per actor and turn,
    // with the probability the actors table gives.
    let bargains = std::fs::read_to_string(dir.join("bargains.csv")).unwrap();
    let mut adopted = std::collections::BTreeMap::new();
    for line in bargains.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[7] == "true" {
            assert!(
                adopted
                    .insert((f[2].to_owned(), f[3].to_owned()), f[6].to_owned())
                    .is_none()
            );
        }
    }
    assert_eq!(adopted.len(), 10 * 7);
    for line in table.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[2] != "10" {
            assert_eq!(
                adopted[&(f[2].to_owned(), f[3].to_owned())],
                f[20],
                "{line}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stochastic_runs_are_reproducible_on_any_thread_count_and_differ_by_seed() {
    let s = stochastic();
    assert!(Runner::new(&s).unwrap().stochastic());
    let one = traces(&s, 40, 7, 1);
    let two = traces(&s, 40, 7, 2);
    assert_eq!(one, two);
    // A fresh runner gives run 13 alone exactly as the ensemble did.
    assert_eq!(Runner::new(&s).unwrap().run(7, 13), one[13]);
    let other = traces(&s, 40, 8, 2);
    let differing = one.iter().zip(&other).filter(|(a, b)| a != b).count();
    assert!(
        differing >= 30,
        "only {differing} of 40 runs differ by seed"
    );
    // Deterministic transitions ignore the seed.
    let det = load(Path::new(KTAB), &[]).unwrap().scenario;
    let mut r = Runner::new(&det).unwrap();
    assert!(!r.stochastic());
    assert_eq!(r.run(1, 0).into_owned(), r.run(99, 5).into_owned());
}

#[test]
fn stochastic_transitions_draw_with_the_elections_probabilities() {
    // Each actor adopts the election's most probable bargain with that bargain's probability:
    // over many decisions the count of such choices is binomial-like with mean Σ p_top and
    // variance Σ p_top (1 − p_top).
    let s = stochastic();
    let (mut hits, mut mean, mut var, mut decisions) = (0.0, 0.0, 0.0, 0);
    for t in traces(&s, 400, 2026, 0) {
        for st in states(&t) {
            for a in st.turn.iter().flat_map(|t| &t.adopted) {
                assert!(a.probability > 0.0 && a.probability <= a.top_probability);
                if a.probability == a.top_probability {
                    hits += 1.0;
                }
                mean += a.top_probability;
                var += a.top_probability * (1.0 - a.top_probability);
                decisions += 1;
            }
        }
    }
    assert!(decisions > 10_000, "{decisions} decisions");
    let z = (hits - mean) / var.sqrt();
    assert!(z.abs() < 4.0, "z = {z:.2} ({hits} vs {mean:.1} expected)");
    // The draws are not the deterministic choice: some decisions take a less probable bargain.
    assert!(hits < decisions as f64 * 0.95);
}

#[test]
fn run_summarises_a_stochastic_ensemble() {
    let o = detente(&[
        "run",
        KTAB,
        "--set",
        "engine.transitions=Stochastic",
        "--runs",
        "200",
        "--format",
        "json",
    ]);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["runs"], 200);
    let a = &j["final_positions"]["sactor-02"]["dim3"];
    let (lo, mean, hi) = (
        a["p05"].as_f64().unwrap(),
        a["mean"].as_f64().unwrap(),
        a["p95"].as_f64().unwrap(),
    );
    assert!(lo <= mean && mean <= hi && lo < hi, "{a}");
    assert!(j["turns_mean"].as_f64().unwrap() >= 2.0);
}

#[test]
fn identity_accommodation_written_out_changes_nothing() {
    let default = load(Path::new(KTAB), &[]).unwrap().scenario;
    let explicit = ktab_with(
        r#"SpatialModel(ideal_accommodation: [(actor: "sactor-00", toward: "sactor-00", rate: 1.0), (actor: "sactor-00", toward: "sactor-01", rate: 0.0)])"#,
    )
    .unwrap();
    let a = Runner::new(&default).unwrap().run(1, 0).into_owned();
    let b = Runner::new(&explicit).unwrap().run(1, 0).into_owned();
    assert_eq!(a, b);
    for st in states(&a) {
        assert_eq!(st.ideals, st.positions);
    }
}

#[test]
fn accommodation_moves_ideals_by_the_matrix() {
    // SActor-02 never accommodates (its ideal stays at its input); SActor-03 moves its ideal
    // half-way to its own new position and a quarter toward SActor-05's.
    let s = ktab_with(
        r#"SpatialModel(ideal_accommodation: [
            (actor: "sactor-02", toward: "sactor-02", rate: 0.0),
            (actor: "sactor-03", toward: "sactor-03", rate: 0.5),
            (actor: "sactor-03", toward: "sactor-05", rate: 0.25),
        ])"#,
    )
    .unwrap();
    let t = Runner::new(&s).unwrap().run(1, 0).into_owned();
    let st = states(&t);
    assert!(st.len() >= 3);
    for w in st.windows(2) {
        let (before, after) = (&w[0], &w[1]);
        assert_eq!(after.ideals[2], st[0].ideals[2]);
        for d in 0..3 {
            let expect = before.ideals[3][d]
                + 0.5 * (after.positions[3][d] - before.ideals[3][d])
                + 0.25 * (after.positions[5][d] - before.ideals[3][d]);
            assert!((after.ideals[3][d] - expect).abs() < 1e-9);
        }
        // The others keep ideal = position.
        assert_eq!(after.ideals[0], after.positions[0]);
    }
    // And the run differs from the identity's.
    let identity = Runner::new(&load(Path::new(KTAB), &[]).unwrap().scenario)
        .unwrap()
        .run(1, 0)
        .into_owned();
    assert_ne!(t, identity);
}

#[test]
fn bad_accommodation_entries_are_located() {
    let e = ktab_with(
        r#"SpatialModel(ideal_accommodation: [(actor: "sactor-9", toward: "sactor-01", rate: 0.5)])"#,
    )
    .unwrap_err();
    assert!(
        e.contains("engine.ideal_accommodation[0].actor") && e.contains("sactor-9"),
        "{e}"
    );
    let e = ktab_with(
        r#"SpatialModel(ideal_accommodation: [(actor: "sactor-01", toward: "sactor-00", rate: 0.5)])"#,
    )
    .unwrap_err();
    assert!(e.contains("sums to 1.5") && e.contains("rate: 0.5"), "{e}");
    let e = ktab_with(
        r#"SpatialModel(ideal_accommodation: [(actor: "sactor-01", toward: "sactor-01", rate: 1.5)])"#,
    )
    .unwrap_err();
    assert!(e.contains("engine.ideal_accommodation[0].rate"), "{e}");
}

#[test]
fn story_writes_an_engine_trace() {
    let dir = temp("story");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.jsonl");
    let s = stdout(&detente(&[
        "story",
        KTAB,
        "--set",
        "engine.transitions=Stochastic",
        "--seed",
        "5",
        "--trace",
        path.to_str().unwrap(),
    ]));
    assert!(s.contains("stochastic transitions, seed 5") && s.contains("challenges"));
    let text = std::fs::read_to_string(&path).unwrap();
    let n = text.lines().count();
    assert!(
        s.contains(&format!(", {n} states, stochastic")),
        "{n} lines"
    );
    for l in text.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["positions"].as_array().unwrap().len(), 7);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// KTAB's own log of its `smpExample.xml` (examples/smp/doc/20170530_ref-smpExample.txt in the
/// KTAB repository): everything of state 0 that comes before the first random draw. Actors:
/// alice, bob, carol, david, ellie.
#[test]
fn smp_example_state_0_matches_ktabs_log() {
    const SMP_EXAMPLE: &str = "scenarios/reference/ktab-smp-example.ron";
    const RISK: [f64; 5] = [1.000, -0.387, -0.500, -0.001, -0.298];
    const WIN: [f64; 5] = [0.3154, 0.1668, 0.1082, 0.2216, 0.1880];
    // (target, P(win), gain) of each actor's challenge.
    const CHALLENGE: [(usize, f64, f64); 5] = [
        (4, 0.5257, 0.0115),
        (2, 0.7180, 0.2315),
        (0, 0.4396, 0.0975),
        (2, 0.7837, 0.4318),
        (2, 0.5467, 0.0632),
    ];
    // Per actor, the bargains put to it: (initiator, receiver, probability); the status quo
    // is (actor, actor, p).
    let offers: [&[(usize, usize, f64)]; 5] = [
        &[(0, 0, 0.0054), (2, 0, 0.7502), (0, 4, 0.2444)],
        &[(1, 1, 0.4205), (1, 2, 0.5795)],
        &[
            (2, 2, 0.0859),
            (4, 2, 0.0695),
            (3, 2, 0.4215),
            (2, 0, 0.2255),
            (1, 2, 0.1976),
        ],
        &[(3, 3, 0.3948), (3, 2, 0.6052)],
        &[(4, 4, 0.0264), (4, 2, 0.0250), (0, 4, 0.9486)],
    ];
    // The initiator's position in each bargain (the receiver's differs by 0.01 at most).
    let bargains: [((usize, usize), [f64; 3]); 5] = [
        ((4, 2), [70.06, 76.00, 34.98]),
        ((3, 2), [33.48, 18.89, 19.04]),
        ((2, 0), [55.53, 63.19, 42.21]),
        ((1, 2), [23.48, 63.81, 70.13]),
        ((0, 4), [64.11, 48.13, 32.54]),
    ];
    let s = load(Path::new(SMP_EXAMPLE), &[]).unwrap().scenario;
    let mut runner = Runner::new(&s).unwrap();
    let dp = |x: f64, n: usize| format!("{x:.n$}");
    let mut seen = std::collections::BTreeSet::new();
    for seed in 1..=40 {
        let t = runner.run(seed, 0).into_owned();
        let st = &states(&t)[0];
        for i in 0..5 {
            assert_eq!(dp(st.risk_attitudes[i], 3), dp(RISK[i], 3), "risk of {i}");
            assert_eq!(dp(st.win_prob[i], 4), dp(WIN[i], 4), "P(win) of {i}");
            let c = st.turn.as_ref().unwrap().challenges[i].as_ref().unwrap();
            let (target, p, gain) = CHALLENGE[i];
            assert_eq!(
                (c.target, dp(c.p_win, 4), dp(c.gain, 4)),
                (target, dp(p, 4), dp(gain, 4)),
                "challenge of {i}"
            );
            // The bargain drawn is one KTAB put to the actor, with KTAB's probability.
            let a = &st.turn.as_ref().unwrap().adopted[i];
            assert_eq!(a.offered, offers[i].len());
            let &(_, _, p) = offers[i]
                .iter()
                .find(|o| (o.0, o.1) == (a.initiator, a.receiver))
                .unwrap_or_else(|| panic!("{i} adopted an unknown bargain {a:?}"));
            assert_eq!(dp(a.probability, 4), dp(p, 4), "bargain of {i}: {a:?}");
            if a.initiator != a.receiver && a.initiator == i {
                let (_, pos) = bargains
                    .iter()
                    .find(|b| b.0 == (a.initiator, a.receiver))
                    .unwrap();
                for (x, r) in a.position.iter().zip(pos) {
                    assert_eq!(dp(*x, 2), dp(*r, 2), "{a:?}");
                }
            }
            seen.insert((i, a.initiator, a.receiver));
            // All bargains put to the actor, with KTAB's probabilities.
            let mut got: Vec<(usize, usize, String)> = st.turn.as_ref().unwrap().bargains[i]
                .iter()
                .map(|b| (b.initiator, b.receiver, dp(b.probability, 4)))
                .collect();
            let mut want: Vec<(usize, usize, String)> = offers[i]
                .iter()
                .map(|&(a, b, p)| (a, b, dp(p, 4)))
                .collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "bargains put to {i}");
        }
    }
    // The draws visited most of the bargains on the table.
    assert!(seen.len() >= 10, "{} bargains drawn", seen.len());
}

#[test]
fn explain_lists_the_engine_settings() {
    let s = stdout(&detente(&[
        "explain",
        "scenarios/reference/ktab-smp-example.ron",
    ]));
    assert!(s.contains("Engine `SpatialModel`"), "{s}");
    assert!(s.contains("transitions         = Stochastic"), "{s}");
    assert!(s.contains("bob → alice: 0.07"), "{s}");
    let s = stdout(&detente(&["explain", BDM, "--set", "engine.q=0.9"]));
    assert!(s.contains("q           = 0.9"), "{s}");
}

#[test]
fn ctrl_c_stops_a_stochastic_ensemble_and_keeps_the_finished_runs() {
    let dir = temp("sigint");
    let child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args([
            "run",
            KTAB,
            "--set",
            "engine.transitions=Stochastic",
            "--runs",
            "50000000",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = common::interrupt_once_started(child, &dir);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted:") && err.contains("another --out"),
        "{err}"
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["complete"], false);
    let finished = m["finished_runs"].as_u64().unwrap();
    assert!(finished > 0 && finished < 50_000_000);
    // Every finished run has its rows: state 0 of each is in the rounds table once.
    let rounds = std::fs::read_to_string(dir.join("rounds.csv")).unwrap();
    let starts = rounds
        .lines()
        .filter(|l| l.split(',').nth(2) == Some("0"))
        .count() as u64;
    assert_eq!(starts, finished);
    assert!(!dir.join(".partial").exists());
    // The summary of the finished runs is printed.
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("({finished} runs")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn spatial_saliences_must_sum_to_a_share() {
    let text = r#"Scenario(
    name: "saliences",
    engine: SpatialModel(),
    issues: [Issue(id: "a", low: "0", high: "100"), Issue(id: "b", low: "0", high: "100")],
    actors: [
        Actor(id: "x", name: "X", capability: 1.0, ideal: {"a": 30, "b": 20}, salience: {"a": 0.0, "b": 0.0}),
        Actor(id: "y", name: "Y", capability: 2.0, ideal: {"a": 50, "b": 70}, salience: {"a": 0.5, "b": 0.3}),
        Actor(id: "z", name: "Z", capability: 2.0, ideal: {"a": 80, "b": 10}, salience: {"a": 0.7, "b": 0.6}),
    ],
)"#;
    let e = load_str(text, Path::new("saliences.ron"), &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("actors[0].salience") && e.contains("salience 0"),
        "{e}"
    );
    assert!(
        e.contains("actors[2].salience") && e.contains("sum to 1.300, above 1"),
        "{e}"
    );
    assert!(!e.contains("actors[1]"), "{e}");
}

/// A runner kept from one variant to the next (as `run --set` grids do on each worker) plays
/// every variant exactly as a runner built for it would, and refuses a variant it cannot take.
#[test]
fn a_reloaded_runner_plays_as_a_new_one() {
    let base = load(Path::new(BDM), &[])
        .expect("the EU case loads")
        .scenario;
    let variant = |paths: &[(&str, &str)]| {
        let text = std::fs::read_to_string(BDM).unwrap();
        let overrides: Vec<String> = paths.iter().map(|(p, v)| format!("{p}={v}")).collect();
        let overrides: Vec<_> = overrides
            .iter()
            .map(|o| {
                o.parse::<detente::scenario::Override>()
                    .expect("an override")
            })
            .collect();
        load_str(&text, Path::new(BDM), &overrides)
            .expect("the variant loads")
            .scenario
    };
    let mut kept = Runner::new(&base).expect("an engine");
    let first = kept.run(1, 0).into_owned();
    for paths in [
        &[
            ("actors.germany.ideal.delay", "9"),
            ("actors.uk.salience.delay", "0.2"),
        ][..],
        &[("actors.france.capability", "0.3"), ("engine.rounds", "4")][..],
        &[("actors.denmark.ideal.delay", "9")][..],
    ] {
        let s = variant(paths);
        assert!(kept.reload(&s), "{paths:?}");
        let fresh = Runner::new(&s).expect("an engine").run(1, 0).into_owned();
        assert_eq!(kept.run(1, 0).into_owned(), fresh, "{paths:?}");
        assert_ne!(fresh, first, "{paths:?} changes the game");
    }
    assert!(kept.reload(&base));
    assert_eq!(kept.run(1, 0).into_owned(), first);
    let ktab = load(Path::new(KTAB), &[])
        .expect("the KTAB case loads")
        .scenario;
    assert!(!kept.reload(&ktab), "another engine is refused");
    assert_eq!(
        kept.run(1, 0).into_owned(),
        first,
        "a refused reload changes nothing"
    );
}
