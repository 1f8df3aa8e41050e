//! Results files: CSV and Parquet hold the same rows, one per run and variant; the same study
//! writes byte-identical tables; an existing directory is never overwritten; an interrupted
//! study keeps only whole files and `--resume` completes it to the same tables as an
//! uninterrupted run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use detente::scenario::{Override, load};
use detente::study::results::{ResultsError, Study, StudyVariant, run_study};
use detente::study::table::{Value, read_csv, read_parquet};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("detente-results-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn study(sets: &[&[&str]], runs: u64, threads: usize, traces: bool) -> Study {
    let variants = sets
        .iter()
        .map(|set| {
            let overrides: Vec<Override> = set.iter().map(|s| s.parse().unwrap()).collect();
            let loaded = load(Path::new("scenarios/iran-talks-2025.ron"), &overrides).unwrap();
            StudyVariant {
                label: if set.is_empty() {
                    "base".into()
                } else {
                    set.join(" ")
                },
                loaded,
            }
        })
        .collect();
    Study {
        command: "compare".into(),
        variants,
        runs,
        seed: 3,
        threads,
        traces,
    }
}

fn never(_: u64) -> bool {
    false
}

fn parquet_rows(path: &Path) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    read_parquet(path, |r| rows.push(r.to_vec())).unwrap();
    rows
}

fn bytes(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

const TABLES: [&str; 4] = ["runs.csv", "runs.parquet", "series.csv", "series.parquet"];

#[test]
fn csv_and_parquet_hold_the_same_rows_one_per_run_and_variant() {
    let dir = temp("rows");
    let s = study(&[&[], &["actors.hawks.influence=0.7"]], 2_500, 2, true);
    let f = run_study(&s, &dir, false, &never).unwrap();
    assert!(f.complete() && f.finished == 2_500);
    let mut rows = Vec::new();
    let columns = read_parquet(&dir.join("runs.parquet"), |r| rows.push(r.to_vec())).unwrap();
    assert_eq!(rows.len(), 5_000);
    let mut csv_rows = Vec::new();
    read_csv(&dir.join("runs.csv"), &columns, |r| {
        csv_rows.push(r.to_vec())
    })
    .unwrap();
    assert_eq!(rows, csv_rows);
    // Rows are in run order, base then variant for each run.
    assert_eq!(rows[0][0], Value::Str("base".into()));
    assert_eq!(rows[1][0], Value::Str("actors.hawks.influence=0.7".into()));
    assert_eq!(rows[2][1], Value::U64(1));
    let traces = std::fs::read_to_string(dir.join("traces.jsonl")).unwrap();
    assert_eq!(traces.lines().count(), 5_000);
    let manifest: serde_json::Value =
        serde_json::from_slice(&bytes(&dir, "manifest.json")).unwrap();
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["finished_runs"], 2_500);
    assert_eq!(manifest["study"]["seed"], 3);
    assert_eq!(
        manifest["study"]["variants"][1]["overrides"][0],
        "actors.hawks.influence=0.7"
    );
    assert_eq!(
        manifest["study"]["variants"][0]["files"][0]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert!(manifest["resolved_scenarios"][0]["scenario"]["actors"].is_array());
    assert!(manifest["runs_per_second"].as_f64().unwrap() > 0.0);
    let series = parquet_rows(&dir.join("series.parquet"));
    assert!(
        series
            .iter()
            .any(|r| r[2] == Value::Str("trust:iran".into()))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_study_writes_byte_identical_tables_on_any_thread_count() {
    let (a, b) = (temp("same-a"), temp("same-b"));
    run_study(&study(&[&[]], 3_000, 1, false), &a, false, &never).unwrap();
    run_study(&study(&[&[]], 3_000, 2, false), &b, false, &never).unwrap();
    for f in TABLES {
        assert!(bytes(&a, f) == bytes(&b, f), "{f} differs");
    }
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}

#[test]
fn an_existing_directory_is_never_overwritten() {
    let dir = temp("exists");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    match run_study(&study(&[&[]], 100, 1, false), &dir, false, &never) {
        Err(ResultsError::Exists(d)) => assert_eq!(d, dir),
        other => panic!("expected Exists, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_interrupted_study_keeps_whole_files_and_resume_matches_an_uninterrupted_one() {
    let (whole, cut) = (temp("whole"), temp("cut"));
    let s = study(&[&[], &["params.misperception=0.3"]], 20_000, 2, true);
    run_study(&s, &whole, false, &never).unwrap();

    // Stop once a quarter is done (the same hook Ctrl-C uses).
    let f = run_study(&s, &cut, false, &|done| done >= 5_000).unwrap();
    assert!(
        !f.complete() && f.finished >= 5_000 && f.finished < 20_000,
        "{}",
        f.finished
    );
    assert!(!cut.join(".partial").exists(), "no partial files left");
    let manifest: serde_json::Value =
        serde_json::from_slice(&bytes(&cut, "manifest.json")).unwrap();
    assert_eq!(manifest["complete"], false);
    assert_eq!(manifest["finished_runs"], f.finished);
    assert_eq!(manifest["requested_runs"], 20_000);
    assert_eq!(
        parquet_rows(&cut.join("runs.parquet")).len() as u64,
        2 * f.finished
    );

    // Resuming another study is refused; resuming this one completes it.
    match run_study(&study(&[&[]], 20_000, 2, true), &cut, true, &never) {
        Err(ResultsError::CannotResume(..)) => {}
        other => panic!("expected CannotResume, got {other:?}"),
    }
    let f = run_study(&s, &cut, true, &never).unwrap();
    assert!(f.complete());
    for file in TABLES.iter().chain(&["traces.jsonl", "state.json"]) {
        assert!(
            bytes(&whole, file) == bytes(&cut, file),
            "{file} differs after resume"
        );
    }
    match run_study(&s, &cut, true, &never) {
        Err(ResultsError::CannotResume(_, why)) => assert!(why.contains("complete"), "{why}"),
        other => panic!("expected CannotResume, got {other:?}"),
    }
    std::fs::remove_dir_all(&whole).unwrap();
    std::fs::remove_dir_all(&cut).unwrap();
}

#[test]
fn ctrl_c_stops_a_run_cleanly() {
    let dir = temp("sigint");
    let child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args([
            "run",
            "scenarios/iran-talks-2025.ron",
            "--runs",
            "20000000",
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
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("interrupted:") && err.contains("--resume"),
        "{err}"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&bytes(&dir, "manifest.json")).unwrap();
    assert_eq!(manifest["complete"], false);
    let finished = manifest["finished_runs"].as_u64().unwrap();
    assert!(finished > 0 && finished < 20_000_000);
    assert_eq!(
        parquet_rows(&dir.join("runs.parquet")).len() as u64,
        finished
    );
    assert!(!dir.join(".partial").exists());
    // The summary of the finished runs was still printed.
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{finished} runs")));
    std::fs::remove_dir_all(&dir).unwrap();
}
