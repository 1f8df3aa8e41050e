//! `run` with many `--set` variants streams them: each variant is made, run and summarised on
//! its own. These tests check that what comes out is what running the variants one by one
//! gives, that every invalid variant is still reported, and that the streaming summary of a
//! stochastic ensemble equals the figures computed from every run.

mod common;

use common::{detente, stdout};
use detente::engines::{Trace, ensemble};
use detente::report::engines::EnsembleSummary;
use detente::scenario::load;
use serde_json::Value;
use std::path::Path;

const BDM: &str = "scenarios/reference/eu-emissions-1994.ron";
const KTAB: &str = "scenarios/reference/ktab-smp-example.ron";
const BASELINE: &str = "scenarios/iran-talks-2025.ron";

/// The overrides of a grid: `--set` arguments (path=list) and, in the grid's order (the first
/// list varies slowest), each variant's single-valued `--set`s.
fn grid(lists: &[(&str, &[&str])]) -> (Vec<String>, Vec<Vec<String>>) {
    let args = lists
        .iter()
        .map(|(p, vs)| format!("{p}={}", vs.join(",")))
        .collect();
    let mut variants = vec![Vec::new()];
    for (p, vs) in lists {
        variants = variants
            .into_iter()
            .flat_map(|v: Vec<String>| {
                vs.iter().map(move |x| {
                    let mut next = v.clone();
                    next.push(format!("{p}={x}"));
                    next
                })
            })
            .collect();
    }
    (args, variants)
}

/// `detente run FILE EXTRA --set S...`.
fn run(file: &str, extra: &[&str], sets: &[String]) -> String {
    let mut args = vec!["run", file];
    args.extend_from_slice(extra);
    for s in sets {
        args.extend(["--set", s.as_str()]);
    }
    stdout(&detente(&args))
}

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("detente-streaming-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A grid of a deterministic engine, larger than the workers' window, printed as one table
/// after the other and as a JSON array: each variant's part is exactly its own run's output.
#[test]
fn an_engine_grid_prints_what_its_variants_print_one_by_one() {
    let delays: &[&str] = &["2", "4", "6", "8", "10"];
    let (args, variants) = grid(&[
        ("actors.netherlands.ideal.delay", delays),
        ("actors.france.ideal.delay", delays),
        ("actors.uk.salience.delay", &["0.5", "0.9"]),
    ]);
    assert_eq!(variants.len(), 50);
    let tables = run(BDM, &["--threads", "2"], &args);
    let singles: Vec<String> = variants.iter().map(|v| run(BDM, &[], v)).collect();
    assert_eq!(tables, singles.join("\n"));

    // JSON: an array whose elements are, byte for byte, the objects the variants print alone
    // (pretty-printed one level deeper).
    let text = run(BDM, &["--format", "json"], &args);
    let elements: Vec<String> = variants
        .iter()
        .map(|v| {
            let one = run(BDM, &["--format", "json"], v);
            let one = one.strip_suffix('\n').expect("a line end");
            one.lines()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    assert_eq!(text, format!("[\n{}\n]\n", elements.join(",\n")));
    let array: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(array.as_array().map(Vec::len), Some(variants.len()));
    // The same on one thread: the order never depends on the thread count.
    assert_eq!(run(BDM, &["--threads", "1"], &args), tables);
}

/// With --out the summaries are the same, and the results files hold every variant's runs.
#[test]
fn an_engine_grid_with_out_prints_the_same_and_writes_every_variant() {
    let (args, variants) = grid(&[("actors.netherlands.ideal.delay", &["3", "5", "9"])]);
    let dir = temp("bdm-out");
    let d = dir.to_str().unwrap();
    let with_out = run(BDM, &["--out", d], &args);
    assert_eq!(with_out, run(BDM, &[], &args));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let labels: Vec<&str> = manifest["resolved_scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        variants.iter().map(|v| v[0].as_str()).collect::<Vec<_>>()
    );
    let rounds = std::fs::read_to_string(dir.join("rounds.csv")).unwrap();
    // A header, then 11 rounds (0 to 10) per variant.
    assert_eq!(rounds.lines().count(), 1 + 11 * variants.len());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A stochastic engine's grid: each variant's ensemble summary is its own run's.
#[test]
fn a_stochastic_grid_prints_what_its_variants_print_one_by_one() {
    let (args, variants) = grid(&[("actors.alice.capability", &["10", "20", "40"])]);
    let extra = ["--runs", "12", "--seed", "5", "--format", "json"];
    let array: Value = serde_json::from_str(&run(KTAB, &extra, &args)).unwrap();
    let array = array.as_array().expect("an array of summaries");
    assert_eq!(array.len(), 3);
    for (k, v) in variants.iter().enumerate() {
        let one: Value = serde_json::from_str(&run(KTAB, &extra, v)).unwrap();
        assert_eq!(array[k], one, "variant {k}");
        assert_eq!(one["runs"], 12);
    }
}

/// The negotiation model's grid, streamed without --out, is what each variant gives alone.
#[test]
fn a_negotiation_grid_prints_what_its_variants_print_one_by_one() {
    let (args, variants) = grid(&[
        ("actors.hawks.influence", &["0.2", "0.6"]),
        ("actors.hawks.risk", &["0.3", "0.5"]),
    ]);
    let extra = ["--runs", "300", "--seed", "9"];
    let singles: Vec<String> = variants.iter().map(|v| run(BASELINE, &extra, v)).collect();
    assert_eq!(run(BASELINE, &extra, &args), singles.join("\n"));
    let json = ["--runs", "300", "--seed", "9", "--format", "json"];
    let array: Value = serde_json::from_str(&run(BASELINE, &json, &args)).unwrap();
    for (k, v) in variants.iter().enumerate() {
        let one: Value = serde_json::from_str(&run(BASELINE, &json, v)).unwrap();
        assert_eq!(array[k], one, "variant {k}");
    }
}

/// Invalid variants anywhere in a grid are all reported, and nothing is printed.
#[test]
fn every_invalid_variant_of_a_grid_is_reported() {
    let mut delays: Vec<String> = (1..=40).map(|x| x.to_string()).collect();
    delays[7] = "400".into();
    delays[33] = "-3".into();
    let o = detente(&[
        "run",
        BDM,
        "--set",
        &format!("actors.netherlands.ideal.delay={}", delays.join(",")),
        "--set",
        "actors.uk.capability=0.1,-1",
    ]);
    assert!(!o.status.success());
    assert!(
        o.stdout.is_empty(),
        "nothing printed when a variant is invalid"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    // 2 bad delays × 2 capabilities, and 40 variants with capability -1 (two problems each).
    assert!(err.contains("delay=400"), "{err}");
    assert!(err.contains("delay=-3"), "{err}");
    assert_eq!(err.matches("ideal.delay: ").count(), 4, "{err}");
    assert_eq!(err.matches("capability=-1)").count(), 80, "{err}");
    assert!(err.ends_with("84 problems found\n"), "{err}");
}

/// The streaming summary of a stochastic ensemble: exact figures (those computed from every
/// run) within its budget, the same means and a sample's percentiles beyond.
#[test]
fn the_streaming_ensemble_summary_matches_the_runs() {
    let s = load(Path::new(KTAB), &[]).unwrap().scenario;
    let mut traces: Vec<Trace> = Vec::new();
    ensemble(&s, 0, 60, 3, 2, &|_| false, |_, t| {
        traces.push(t);
        Ok(())
    })
    .unwrap();
    let mut exact = EnsembleSummary::new(&s, 3);
    let width = s.actors.len() * s.issues.len() + s.issues.len();
    // Room for 25 runs of the 60.
    let mut sampled = EnsembleSummary::with_budget(&s, 3, 25 * width);
    for t in &traces {
        exact.add(&s, t);
        sampled.add(&s, t);
    }
    assert!(!exact.sampled());
    assert!(sampled.sampled());
    let (e, m) = (exact.json(&s, &[], 3), sampled.json(&s, &[], 3));
    assert_eq!(e["runs"], 60);
    assert!(e.get("percentiles_sample").is_none());
    assert_eq!(m["percentiles_sample"], 25);

    // The exact summary against figures computed here from every run.
    let n = traces.len() as f64;
    for (i, a) in s.actors.iter().enumerate() {
        for (d, issue) in s.issues.iter().enumerate() {
            let mut xs: Vec<f64> = traces.iter().map(|t| t.final_positions()[i][d]).collect();
            let mean = xs.iter().sum::<f64>() / n;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            xs.sort_by(f64::total_cmp);
            let q = |p: f64| xs[(p * (n - 1.0)).round() as usize];
            let got = &e["final_positions"][&a.id][&issue.id];
            assert_eq!(got["mean"].as_f64().unwrap(), mean);
            assert_eq!(got["sd"].as_f64().unwrap(), sd);
            assert_eq!(got["p05"].as_f64().unwrap(), q(0.05));
            assert_eq!(got["p95"].as_f64().unwrap(), q(0.95));
            // Beyond the budget: the same mean (sums in run order), nearly the same sd, and
            // percentiles that are values of some run.
            let far = &m["final_positions"][&a.id][&issue.id];
            assert_eq!(far["mean"].as_f64().unwrap(), mean);
            assert!((far["sd"].as_f64().unwrap() - sd).abs() <= 1e-9 * (1.0 + sd));
            for p in ["p05", "p95"] {
                let v = far[p].as_f64().unwrap();
                assert!(xs.contains(&v), "{p} {v} is one run's value");
            }
            assert!(far["p05"].as_f64().unwrap() <= far["p95"].as_f64().unwrap());
        }
    }
    let turns: f64 = traces.iter().map(|t| t.rounds() as f64).sum::<f64>() / n;
    assert_eq!(e["turns_mean"].as_f64().unwrap(), turns);
    assert_eq!(m["turns_mean"].as_f64().unwrap(), turns);
    let text = sampled.text(&s, &[], 3);
    assert!(
        text.contains("from a uniform sample of 25 of the runs"),
        "{text}"
    );
    assert!(!exact.text(&s, &[], 3).contains("sample"));
}
