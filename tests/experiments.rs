//! Experiments: the example files load; shards partition the design and merge into exactly the
//! unsharded result; a failing design point is recorded without stopping the sweep; `status`
//! reports what is missing; sensitivity ranks what matters above what does not.

mod common;
use common::detente;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use detente::study::experiment::{Slice, load_experiment, merge, read_part, status, sweep};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("detente-exp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const SMALL: &str = "tests/data/experiments/small-lhs.ron";

#[test]
fn the_example_experiments_load() {
    for entry in std::fs::read_dir("scenarios/experiments").unwrap() {
        let path = entry.unwrap().path();
        if let Err(e) = load_experiment(&path) {
            panic!("{} does not load:\n{e}", path.display());
        }
    }
}

#[test]
fn errors_in_an_experiment_file_are_all_reported_with_their_place() {
    let e = load_experiment(Path::new("tests/data/experiments/bad.ron"))
        .unwrap_err()
        .to_string();
    for part in [
        "parameters[0].path",
        "did you mean `hawks`?",
        "parameters[1].distribution",
        "outcomes[0]",
        "unknown outcome `deals`",
    ] {
        assert!(e.contains(part), "no {part:?} in:\n{e}");
    }
}

#[test]
fn shards_partition_the_design_and_merge_into_the_unsharded_result() {
    let l = load_experiment(Path::new(SMALL)).unwrap();
    let n = l.points.len();
    let mut seen = vec![0; n];
    for i in 0..4 {
        for p in (Slice::Shard { index: i, count: 4 }).positions(&l) {
            seen[p] += 1;
        }
    }
    assert!(
        seen.iter().all(|&c| c == 1),
        "each position in exactly one shard: {seen:?}"
    );

    let stop = AtomicBool::new(false);
    let whole = temp("whole");
    sweep(&l, &Slice::All, &whole, 2, &stop, &|_, _| {}).unwrap();
    let shards: Vec<PathBuf> = (0..4)
        .map(|i| {
            let d = temp(&format!("shard{i}"));
            sweep(
                &l,
                &Slice::Shard { index: i, count: 4 },
                &d,
                1,
                &stop,
                &|_, _| {},
            )
            .unwrap();
            d
        })
        .collect();
    // A missing shard is reported by status.
    let three: Vec<_> = shards[..3].iter().map(|d| read_part(d).unwrap()).collect();
    let st = status(&l, &three).unwrap();
    assert_eq!(st.missing.len(), n / 4);
    assert!(st.failed.is_empty());
    let parts: Vec<_> = shards.iter().map(|d| read_part(d).unwrap()).collect();
    let merged = temp("merged");
    let st = merge(&l, &parts, &merged).unwrap();
    assert!(st.missing.is_empty() && st.done.len() == n);
    for f in ["points.csv", "points.parquet"] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} differs"
        );
    }
    for d in shards.iter().chain([&whole, &merged]) {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn four_shard_processes_merge_to_the_unsharded_result() {
    let (whole, merged) = (temp("cli-whole"), temp("cli-merged"));
    let out = detente(&["sweep", SMALL, "--out", whole.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shards: Vec<PathBuf> = (0..4).map(|i| temp(&format!("cli-shard{i}"))).collect();
    let children: Vec<_> = shards
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Command::new(env!("CARGO_BIN_EXE_detente"))
                .args([
                    "sweep",
                    SMALL,
                    "--threads",
                    "1",
                    "--out",
                    d.to_str().unwrap(),
                ])
                // The shard comes from a Slurm job array's environment.
                .env("SLURM_ARRAY_TASK_ID", i.to_string())
                .env("SLURM_ARRAY_TASK_COUNT", "4")
                .output()
                .unwrap()
        })
        .collect();
    for c in &children {
        assert!(c.status.success(), "{}", text(&c.stderr));
        assert!(text(&c.stdout).contains("shard"), "{}", text(&c.stdout));
    }
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let out = detente(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for f in ["points.csv", "points.parquet"] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} differs"
        );
    }
    let out = detente(&[
        "status",
        shards[0].to_str().unwrap(),
        shards[2].to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let s = text(&out.stdout);
    assert!(s.contains("missing") && s.contains("--points"), "{s}");
    for d in shards.iter().chain([&whole, &merged]) {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn a_failing_design_point_is_recorded_and_the_others_run() {
    let l = load_experiment(Path::new("tests/data/experiments/some-invalid.ron")).unwrap();
    let dir = temp("invalid");
    let summary = sweep(
        &l,
        &Slice::All,
        &dir,
        2,
        &AtomicBool::new(false),
        &|_, _| {},
    )
    .unwrap();
    assert_eq!(summary.points, 5);
    assert_eq!(
        summary.failed.len(),
        2,
        "influence 1.3 and 1.5 are invalid: {:?}",
        summary.failed
    );
    assert!(
        summary
            .failed
            .iter()
            .all(|(_, e)| e.contains("out of range"))
    );
    let part = read_part(&dir).unwrap();
    let st = status(&l, &[part]).unwrap();
    assert_eq!((st.done.len(), st.failed.len()), (3, 2));
    let csv = std::fs::read_to_string(dir.join("points.csv")).unwrap();
    assert_eq!(csv.lines().count(), 6);
    assert!(csv.contains("out of range"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["failed"].as_array().unwrap().len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plan_tells_the_size_and_the_time() {
    let out = detente(&["plan", "scenarios/experiments/which-knobs-matter.ron"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for part in [
        "2560 design points",
        "× 100 replications = 256000 runs",
        "estimated time",
        "first points",
        "[1] actors.hawks.influence",
        // Distributions as they are written in the file, not as Rust debug text.
        "Uniform(low: 0.2, high: 0.7)",
        "LogUniform(low: 0.002, high: 0.05)",
    ] {
        assert!(s.contains(part), "no {part:?} in:\n{s}");
    }
    assert!(!s.contains("{ low"), "{s}");
}

#[test]
fn sensitivity_ranks_what_matters_above_what_does_not() {
    let dir = temp("sobol");
    let out = detente(&[
        "sweep",
        "tests/data/experiments/small-sobol.ron",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = detente(&["sensitivity", dir.to_str().unwrap(), "--resamples", "200"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    // Israel's war cost decides its strikes (ST 1.0 against 0.01 for hawk influence and 0.002
    // for the mediator's noise: a strike is weighed every round against its cost); the two
    // actors' inputs rank above the mediator's noise. For deals Israel's war cost ranks first
    // too (ST 0.52: strikes pre-empt deals), then hawk influence (0.44), then the mediator's
    // noise (0.11), which shifts the texts that make about a fifth of the deals.
    let strike = &s[s.find("\nstrike\n").expect("a strike section")..];
    let rows: Vec<&str> = strike.lines().skip(3).take(3).collect();
    assert!(rows[0].contains("actors.israel.war.cost"), "{s}");
    assert!(rows[1].contains("actors.hawks.influence"), "{s}");
    assert!(rows[2].contains("params.mediator_noise"), "{s}");
    let deal = &s[s.find("\ndeal\n").expect("a deal section")..];
    let rows: Vec<&str> = deal.lines().skip(3).take(3).collect();
    assert!(rows[0].contains("actors.israel.war.cost"), "{s}");
    assert!(rows[1].contains("actors.hawks.influence"), "{s}");
    assert!(rows[2].contains("params.mediator_noise"), "{s}");
    let csv = std::fs::read_to_string(dir.join("sensitivity.csv")).unwrap();
    assert!(csv.starts_with("outcome,parameter,method,index,value,lo,hi"));
    assert_eq!(
        csv.lines().count(),
        1 + 2 * 3 * 2,
        "two outcomes × three parameters × (S1, ST)"
    );
    let svg = std::fs::read_to_string(dir.join("sensitivity.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("the picture is XML");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn per_run_rows_on_request_merge_like_the_points() {
    let (whole, a, b, merged) = (
        temp("rt-whole"),
        temp("rt-a"),
        temp("rt-b"),
        temp("rt-merged"),
    );
    for (dir, shard) in [(&whole, None), (&a, Some("0/2")), (&b, Some("1/2"))] {
        let mut args = vec![
            "sweep",
            SMALL,
            "--runs-table",
            "--out",
            dir.to_str().unwrap(),
        ];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let out = detente(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let csv = std::fs::read_to_string(whole.join("runs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 24 * 20, "one row per run");
    assert!(csv.starts_with("order,point,replication,outcome,round"));
    let out = detente(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for f in ["points.csv", "points.parquet", "runs.csv", "runs.parquet"] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} differs"
        );
    }
    for d in [&whole, &a, &b, &merged] {
        std::fs::remove_dir_all(d).unwrap();
    }
}
