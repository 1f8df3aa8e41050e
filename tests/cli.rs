//! The `detente` binary as a user meets it: exit codes, summaries, errors on stderr.

mod common;
use common::detente;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_prints_one_summary_line_per_valid_file() {
    let out = detente(&[
        "check",
        "scenarios/iran-talks-2025.ron",
        "scenarios/hawks-ascendant.ron",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let first = stdout.lines().next().unwrap();
    for part in [
        "scenarios/iran-talks-2025.ron: ok",
        "2 sides",
        "9 actors",
        "4 issues",
        "8 rounds",
        "sourced",
        "assumed",
    ] {
        assert!(first.contains(part), "{first}");
    }
}

#[test]
fn check_fails_with_every_error_and_still_summarises_the_good_files() {
    let out = detente(&[
        "check",
        "scenarios/iran-talks-2025.ron",
        "tests/broken/unknown-field.ron",
        "tests/broken/nan.ron",
    ]);
    assert!(!out.status.success());
    assert_eq!(text(&out.stdout).lines().count(), 1);
    let err = text(&out.stderr);
    assert!(
        err.contains("tests/broken/unknown-field.ron:15:38: unknown field `salince`"),
        "{err}"
    );
    assert!(err.contains("tests/broken/nan.ron:5:81"), "{err}");
    assert!(err.contains("2 problems found"), "{err}");
}

#[test]
fn misspelled_field_in_a_copy_of_the_baseline() {
    let dir = std::env::temp_dir().join(format!("detente-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = std::fs::read_to_string("scenarios/iran-talks-2025.ron").unwrap();
    let broken = base.replacen("influence:", "influense:", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("influense:"))
        .unwrap()
        + 1;
    let file = dir.join("copy.ron");
    std::fs::write(&file, broken).unwrap();
    let out = detente(&["check", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains(&format!("copy.ron:{line}:")), "{err}");
    assert!(
        err.contains("unknown field `influense`") && err.contains("did you mean `influence`?"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_override_names_the_override_and_the_closest_actor() {
    let out = detente(&[
        "check",
        "scenarios/iran-talks-2025.ron",
        "--set",
        "actors.hawk.influence=1",
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("--set actors.hawk.influence=1") && err.contains("did you mean `hawks`?"),
        "{err}"
    );
}

#[test]
fn explain_gives_every_value_its_provenance() {
    let out = detente(&["explain", "scenarios/iran-talks-2025.ron"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for part in [
        "Actor `hawks`",
        "Actor `israel`",
        "Parameters",
        "C06:",
        "assumption",
        "default (assumption)",
        "misperception",
    ] {
        assert!(s.contains(part), "explain lacks {part:?}");
    }
}

#[test]
fn run_prints_the_outcome_table_the_same_on_any_thread_count() {
    let args = [
        "run",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        "3000",
        "--seed",
        "11",
    ];
    let a = detente(&args);
    assert!(a.status.success(), "{}", text(&a.stderr));
    let table = text(&a.stdout);
    for part in [
        "3000 runs, seed 11",
        "deal",
        "talks still going",
        "collapse",
        "strike by",
        "95% interval",
        "Deal terms",
        "enrichment",
        "Rounds to outcome",
        "Per round",
        "Muscat",
    ] {
        assert!(table.contains(part), "table lacks {part:?}:\n{table}");
    }
    assert_eq!(
        table,
        text(&detente(&args).stdout),
        "same seed, same numbers"
    );
    let one = detente(&[&args[..], &["--threads", "1"]].concat());
    assert_eq!(
        table,
        text(&one.stdout),
        "--threads 1 prints the same numbers"
    );
}

#[test]
fn run_json_has_the_documented_shape() {
    let out = detente(&[
        "run",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        "2000",
        "--format",
        "json",
        "--set",
        "actors.hawks.influence=0.5",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["runs"], 2000);
    assert_eq!(v["seed"], 1);
    assert_eq!(v["overrides"][0], "actors.hawks.influence=0.5");
    assert!(v["scenario"].as_str().unwrap().contains("US–Iran"));
    let shares: f64 = v["outcomes"]
        .as_object()
        .unwrap()
        .values()
        .map(|o| o["share"].as_f64().unwrap())
        .sum();
    assert!((shares - 1.0).abs() < 1e-9, "shares sum to {shares}");
    for kind in ["deal", "talks_continue", "collapse"] {
        let o = &v["outcomes"][kind];
        assert!(
            o["lo"].as_f64().unwrap() <= o["share"].as_f64().unwrap()
                && o["share"].as_f64().unwrap() <= o["hi"].as_f64().unwrap()
        );
    }
    assert!(
        v["outcomes"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("strike:"))
    );
    for key in ["mean", "p10", "p50", "p90"] {
        assert!(
            v["deal_terms"]["enrichment"][key].is_number(),
            "deal_terms.enrichment.{key}"
        );
    }
    assert!(v["rounds"]["mean"].is_number() && v["rounds"]["p50"].is_number());
}

#[test]
fn story_tells_one_run_with_the_scenarios_names_and_writes_its_trace() {
    let dir = std::env::temp_dir().join(format!("detente-story-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("trace.jsonl");
    let out = detente(&[
        "story",
        "scenarios/iran-talks-2025.ron",
        "--seed",
        "7",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let story = text(&out.stdout);
    for part in [
        "Round 1 — Muscat",
        "Round 2 — Rome",
        "United States",
        "Iran",
        "Witkoff",
        "opens at",
        "trust",
        "Outcome: ",
    ] {
        assert!(story.contains(part), "story lacks {part:?}:\n{story}");
    }
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let rounds = story.matches("\nRound ").count();
    assert_eq!(
        lines.len(),
        rounds + 1,
        "one line per round, then the outcome"
    );
    // The outcome: an object with its fields, or the bare name of a unit outcome.
    let outcome = &lines.last().unwrap()["outcome"];
    assert!(lines[0]["offers"].is_array() && (outcome.is_object() || outcome.is_string()));
    assert!(!dir.join("trace.jsonl.partial").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn compare_prints_a_readable_table_and_a_picture() {
    let dir = std::env::temp_dir().join(format!("detente-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("compare.svg");
    let out = detente(&[
        "compare",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        "2000",
        "--set",
        "actors.hawks.influence=0.2,0.6",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    for part in [
        "comparison, 2000 runs per variant",
        "same random numbers",
        "95% interval",
        "V1  actors.hawks.influence=0.2",
        "V2  actors.hawks.influence=0.6",
        "deal",
        "strike (anyone)",
        "Mean deal terms",
        "Rounds to outcome",
    ] {
        assert!(table.contains(part), "table lacks {part:?}:\n{table}");
    }
    let picture = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&picture).expect("the SVG is XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    for label in [
        "V1: hawks.influence=0.2",
        "V2: hawks.influence=0.6",
        "deal",
        "collapse",
        "share of runs (%)",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(label)),
            "no {label:?} in the picture"
        );
    }
    assert!(
        texts
            .iter()
            .any(|t| t.contains("US–Iran") && t.contains("2000 runs")),
        "title"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_plot_draws_shares_and_deal_terms() {
    let dir = std::env::temp_dir().join(format!("detente-runplot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("run.svg");
    let out = detente(&[
        "run",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        "2000",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let picture = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&picture).expect("the SVG is XML");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    for label in [
        "deal",
        "talks still going",
        "collapse",
        "enrichment",
        "verification",
        "sanctions",
        "durability",
        "deals",
        "share of runs (%)",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(label)),
            "no {label:?} in the picture"
        );
    }
    assert!(
        texts.iter().any(|t| t.contains("2000 runs")),
        "title with the run count"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn list_overrides_work_on_check_run_and_story() {
    let out = detente(&[
        "check",
        "scenarios/iran-talks-2025.ron",
        "--set",
        "actors.hawks.influence=0.2,0.6",
    ]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout).lines().count(), 2);
    let out = detente(&[
        "run",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        "500",
        "--set",
        "params.misperception=0.1,0.3",
    ]);
    let s = text(&out.stdout);
    assert!(
        s.contains("with --set params.misperception=0.1")
            && s.contains("with --set params.misperception=0.3"),
        "{s}"
    );
    let out = detente(&[
        "story",
        "scenarios/iran-talks-2025.ron",
        "--set",
        "actors.hawks.influence=0.2,0.6",
    ]);
    assert_eq!(text(&out.stdout).matches("run 0, seed 1").count(), 2);
}

#[test]
fn diagnose_counts_the_live_mechanisms_and_flags_the_inert_ones() {
    let out = detente(&[
        "diagnose",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        "2000",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["runs"], 2000);
    assert_eq!(v["overrides"], serde_json::json!([]));
    let m = &v["mechanisms"];
    // The mechanisms the model v2 made live on the baseline: each fails this test if it
    // becomes inert again.
    for (name, at_least) in [
        ("win_set_refuses_offer", 0.15),
        ("veto_blocks_proposal", 0.5),
        ("concession_at_win_set_boundary", 0.015),
        ("red_line_binds", 0.5),
        ("commitment_cost_paid", 0.2),
        ("both_sides_hold", 0.05),
        ("trust_falls", 0.12),
        ("mediator_proposes", 0.03),
        ("mediator_text_is_the_deal", 0.10),
        ("concession_order_varies", 0.30),
        ("strike_likely", 0.05),
        ("collapse", 0.15),
    ] {
        let share = m[name]["share"].as_f64().unwrap();
        assert!(
            share >= at_least,
            "{name} active in {share}, want >= {at_least}"
        );
        assert_eq!(m[name]["inert"], false, "{name}");
    }
    // Shares are counts over chances, and the inert list is exactly the flagged mechanisms.
    let mut flagged = Vec::new();
    for (name, c) in m.as_object().unwrap() {
        let (a, of) = (c["active"].as_u64().unwrap(), c["of"].as_u64().unwrap());
        assert!(a <= of && of > 0, "{name}: {a} of {of}");
        assert!((c["share"].as_f64().unwrap() - a as f64 / of as f64).abs() < 1e-12);
        if c["inert"] == true {
            flagged.push(name.clone());
        }
    }
    let mut inert: Vec<String> = v["inert"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    inert.sort();
    flagged.sort();
    assert_eq!(inert, flagged);
    assert!(inert.is_empty(), "inert on the baseline: {inert:?}");
    // Every deal is someone's text, and the deals are those `run` counts.
    let via: u64 = v["deals_via"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(via, m["mediator_text_is_the_deal"]["of"].as_u64().unwrap());
    let r = baseline_run_json(2000);
    let deals = r["outcomes"]["deal"]["share"].as_f64().unwrap() * 2000.0;
    assert_eq!(via, deals.round() as u64);

    let table = detente(&["diagnose", "scenarios/iran-talks-2025.ron", "--runs", "500"]);
    assert!(table.status.success(), "{}", text(&table.stderr));
    let t = text(&table.stdout);
    assert!(t.contains("mechanism activity over 500 runs"), "{t}");
    assert!(t.contains("a side's trust in the other falls"), "{t}");
    assert!(t.contains("Who conceded"), "{t}");
    for line in t.lines().filter(|l| l.ends_with("INERT")) {
        let name = line.trim_start().split("  ").next().unwrap();
        assert!(
            !name.contains("trust") && !name.contains("win-set refuses"),
            "{line}"
        );
    }
}

#[test]
fn diagnose_knobs_ranks_every_input_and_says_whether_process_knobs_dominate() {
    let args = [
        "diagnose",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        "200",
        "--knobs",
        "--knob-runs",
        "100",
    ];
    let out = detente(&[&args[..], &["--format", "json"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let k = &v["knobs"];
    assert_eq!(k["runs_per_end"], 100);
    let ranked = k["ranked"].as_array().unwrap();
    assert!(ranked.len() > 150, "{} knobs", ranked.len());
    let paths: Vec<&str> = ranked.iter().map(|e| e["path"].as_str().unwrap()).collect();
    for p in [
        "params.aspiration",
        "actors.hawks.influence",
        "actors.khamenei.red_lines.at_least.enrichment",
        "sides.iran.ratification_quota",
    ] {
        assert!(paths.contains(&p), "no knob {p}");
    }
    // Largest effect first; every range is a real interval holding the scenario's value for
    // actor inputs; counts are of 100 paired runs.
    let size = |e: &serde_json::Value| {
        let f = |o: &str| e[o]["effect"].as_f64().unwrap().abs();
        f("deal").max(f("strike"))
    };
    for w in ranked.windows(2) {
        assert!(
            size(&w[0]) >= size(&w[1]),
            "{} before {}",
            w[0]["path"],
            w[1]["path"]
        );
    }
    for e in ranked {
        let (lo, hi, x) = (
            e["low"].as_f64().unwrap(),
            e["high"].as_f64().unwrap(),
            e["value"].as_f64().unwrap(),
        );
        assert!(lo < hi, "{e}");
        if e["kind"] == "actor" {
            assert!(lo <= x && x <= hi, "{e}");
        }
        assert!(e["deal"]["high"].as_u64().unwrap() <= 100);
    }
    // Moving the aspiration term over its range moves deals by far more than the noise.
    let aspiration = ranked
        .iter()
        .find(|e| e["path"] == "params.aspiration")
        .unwrap();
    let deal = &aspiration["deal"];
    assert!(deal["effect"].as_f64().unwrap().abs() > 3.0 * deal["half_width"].as_f64().unwrap());
    assert!(k["process_dominates"].is_boolean());
    let table = detente(&args);
    let t = text(&table.stdout);
    assert!(
        t.contains("Knobs, one at a time") && t.contains("Strongest actor input"),
        "{t}"
    );
}

#[test]
fn story_run_replays_any_run_of_an_ensemble_exactly() {
    let dir = std::env::temp_dir().join(format!("detente-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = detente(&[
        "run",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        "300",
        "--seed",
        "3",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // The first strike and the first deal that is not in round 1, by their rows.
    let strike = rows
        .iter()
        .find(|r| r[col("outcome")].starts_with("strike"))
        .expect("a strike in 300 runs");
    let deal = rows
        .iter()
        .find(|r| r[col("outcome")] == "deal" && r[col("round")] != "1")
        .expect("a deal in 300 runs");
    for row in [strike, deal] {
        let trace = dir.join(format!("run-{}.jsonl", row[col("run")]));
        let out = detente(&[
            "story",
            "scenarios/iran-talks-2025.ron",
            "--seed",
            row[col("seed")],
            "--run",
            row[col("run")],
            "--trace",
            trace.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains(&format!("run {}, seed 3", row[col("run")])),
            "{}",
            text(&out.stdout)
        );
        let last = std::fs::read_to_string(&trace).unwrap();
        let o: serde_json::Value =
            serde_json::from_str(last.lines().last().unwrap()).expect("the outcome line");
        let num = |s: &str| s.parse::<f64>().unwrap();
        match &o["outcome"] {
            serde_json::Value::Object(m) if m.contains_key("Strike") => {
                let s = &m["Strike"];
                assert_eq!(s["round"].as_u64().unwrap().to_string(), row[col("round")]);
                assert_eq!(
                    s["patron_approval"].as_f64().unwrap(),
                    num(row[col("patron_approval")])
                );
            }
            serde_json::Value::Object(m) if m.contains_key("Deal") => {
                let d = &m["Deal"];
                assert_eq!(d["round"].as_u64().unwrap().to_string(), row[col("round")]);
                assert_eq!(
                    d["terms"][0].as_f64().unwrap(),
                    num(row[col("terms_enrichment")])
                );
                assert_eq!(
                    d["durability"].as_f64().unwrap(),
                    num(row[col("durability")])
                );
            }
            other => panic!(
                "run {} replayed as {other}, not as its row",
                row[col("run")]
            ),
        }
    }
    // A reference engine has one run per seed: --run is refused there, with the fix.
    let out = detente(&["story", "scenarios/reference/bdm-china.ron", "--run", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("vary --seed instead"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn why_says_how_runs_without_a_deal_end_and_what_refused_them() {
    let args = ["why", "scenarios/iran-talks-2025.ron", "--runs", "2000"];
    let out = detente(&[&args[..], &["--format", "json"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    // The same runs as `run`: its deal share and `why`'s runs without a deal add up.
    let r = baseline_run_json(2000);
    let deals = (r["outcomes"]["deal"]["share"].as_f64().unwrap() * 2000.0).round() as u64;
    let no_deal = v["no_deal_runs"].as_u64().unwrap();
    assert_eq!(no_deal + deals, 2000);
    let ends = v["ends"].as_array().unwrap();
    let total: u64 = ends.iter().map(|e| e["runs"].as_u64().unwrap()).sum();
    assert_eq!(total, no_deal, "every run without a deal ends one way");
    let collapses: u64 = ends
        .iter()
        .filter(|e| e["end"].as_str().unwrap().starts_with("collapse:"))
        .map(|e| e["runs"].as_u64().unwrap())
        .sum();
    let collapse_share = r["outcomes"]["collapse"]["share"].as_f64().unwrap();
    assert_eq!(collapses, (collapse_share * 2000.0).round() as u64);
    // Khamenei's red line on enrichment refuses the US offer in most runs without a deal.
    let blockers = v["blockers"].as_array().unwrap();
    let top = blockers
        .iter()
        .max_by_key(|b| b["runs"].as_u64().unwrap())
        .unwrap();
    assert_eq!(top["side"], "iran", "{top}");
    assert_eq!(top["reason"]["red_line"]["actor"], "khamenei", "{top}");
    assert!(top["share"].as_f64().unwrap() > 0.5, "{top}");
    // The enrichment offers are still apart: the US's lower than Iran's.
    let enrichment = &v["last_offers"][0];
    assert_eq!(enrichment["issue"], "enrichment");
    assert!(enrichment["us"].as_f64().unwrap() + 10.0 < enrichment["iran"].as_f64().unwrap());
    let table = text(&detente(&args).stdout);
    for part in [
        "end without a deal",
        "How they end",
        "the red line of Ali Khamenei (Supreme Leader) on enrichment (at least 40)",
        "Where the offers still differ",
    ] {
        assert!(table.contains(part), "no {part:?} in:\n{table}");
    }
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
}

#[test]
fn check_validates_experiment_files_beside_scenarios() {
    let out = detente(&[
        "check",
        "scenarios/experiments/hawks-optimism-grid.ron",
        "scenarios/iran-talks-2025.ron",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("hawks-optimism-grid.ron: ok: experiment \"Hawks and misperception (grid)\""),
        "{s}"
    );
    assert!(
        s.contains("25 design points × 2000 replications = 50000 runs"),
        "{s}"
    );
    assert!(s.contains("iran-talks-2025.ron: ok: \"US–Iran"), "{s}");
    // A broken experiment gets the experiment's own errors, not advice to write `Scenario(`.
    let dir = std::env::temp_dir().join(format!("detente-check-exp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.ron");
    let scenario = std::fs::canonicalize("scenarios/iran-talks-2025.ron").unwrap();
    std::fs::write(
        &bad,
        format!(
            "// a comment first\nExperiment(name: \"x\", scenario: {:?}, parameters: \
             [Parameter(path: \"actors.nobody.influence\", distribution: Uniform(low: 0.1, \
             high: 0.5))], design: Grid(levels: 3), replications: 10, outcomes: [\"deal\"], \
             seed: 1)\n",
            scenario.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = detente(&["check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(
        e.contains("parameters[0].path: `actors.nobody.influence`"),
        "{e}"
    );
    assert!(!e.contains("Scenario("), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `run --format json` of the baseline with `runs` runs (seed 1).
fn baseline_run_json(runs: u64) -> serde_json::Value {
    let runs = runs.to_string();
    let out = detente(&[
        "run",
        "scenarios/iran-talks-2025.ron",
        "--runs",
        &runs,
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn the_run_table_fits_100_columns() {
    let out = detente(&["run", "scenarios/iran-talks-2025.ron", "--runs", "300"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(t.contains("2025-04-19 Rome"), "{t}");
    for line in t.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
}

#[test]
fn compare_of_many_variants_switches_to_one_block_per_variant_within_100_columns() {
    let out = detente(&[
        "compare",
        "scenarios/iran-talks-2025.ron",
        "scenarios/hawks-ascendant.ron",
        "scenarios/consistent-messaging.ron",
        "scenarios/hardliner-veto.ron",
        "--runs",
        "300",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    for part in [
        "V1 against the base: hawks-ascendant",
        "V3 against the base: hardliner-veto",
    ] {
        assert!(t.contains(part), "no {part:?} in:\n{t}");
    }
    for line in t.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
        assert_eq!(line, line.trim_end(), "trailing blanks: {line:?}");
    }
}
