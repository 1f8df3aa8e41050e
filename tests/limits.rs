//! The documented limits: sizes are counted with checked arithmetic before anything is made,
//! work above a limit is refused at once with the number, the limit and what to do; malformed
//! shard variables and `--points` lists are errors; Ctrl-C exits 130 from a sweep as from `run`.

mod common;
use common::detente;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use detente::limits;
use detente::scenario::{Override, variant_count};
use detente::study::design::{Design, Distribution};
use detente::study::experiment::{Slice, parse_shard, shard_from_env};
use proptest::prelude::*;

const BASELINE: &str = "scenarios/iran-talks-2025.ron";
const SMALL: &str = "tests/data/experiments/small-lhs.ron";

/// Every scheduler variable `sweep` reads, removed so that the test's own environment (a CI
/// job on a cluster) does not leak into the child.
const SHARD_VARS: [&str; 6] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_COUNT",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "DETENTE_SHARDS",
];

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("detente-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// An experiment file on the baseline scenario with this design and these replications.
fn experiment(name: &str, design: &str, replications: &str) -> PathBuf {
    let dir = temp(name);
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join(BASELINE);
    let file = dir.join("experiment.ron");
    let text = common::two_parameter_experiment(name, &scenario, design, replications, None);
    std::fs::write(&file, text).unwrap();
    file
}

/// Runs the binary, which must end within a few seconds.
fn quick(args: &[&str]) -> Output {
    let start = Instant::now();
    let out = detente(args);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{args:?} took {:?}",
        start.elapsed()
    );
    out
}

/// The command failed with `code` and its stderr names every part.
fn fails_with(out: &Output, code: i32, parts: &[&str]) -> String {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for p in parts {
        assert!(err.contains(p), "no {p:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    err
}

// Counting sizes.

#[test]
fn design_sizes_are_counted_with_checked_arithmetic() {
    let u = Distribution::Uniform {
        low: 0.0,
        high: 1.0,
    };
    let d = Distribution::Discrete {
        values: vec![1.0, 2.0, 3.0],
    };
    let three = vec![u.clone(), d.clone(), u.clone()];
    assert_eq!(Design::Grid { levels: 4 }.size(&three), Some(4 * 3 * 4));
    assert_eq!(Design::Grid { levels: 4 }.size(&[]), Some(1));
    assert_eq!(
        Design::Grid { levels: 1 << 32 }.size(&[u.clone(), u.clone()]),
        None
    );
    // Only the discrete lists count when every parameter is discrete.
    assert_eq!(
        Design::Grid { levels: usize::MAX }.size(&[d.clone(), d.clone()]),
        Some(9)
    );
    assert_eq!(
        Design::LatinHypercube { points: usize::MAX }.size(&three),
        Some(u64::MAX)
    );
    assert_eq!(Design::Sobol { base_samples: 8 }.size(&three), Some(8 * 5));
    assert_eq!(
        Design::Sobol {
            base_samples: usize::MAX
        }
        .size(&three),
        None
    );
    let morris = |trajectories| Design::Morris {
        trajectories,
        levels: 4,
    };
    assert_eq!(morris(10).size(&three), Some(40));
    assert_eq!(morris(usize::MAX).size(&three), None);
    // `len` saturates instead of wrapping.
    assert_eq!(
        Design::Grid { levels: 1 << 32 }.len(&[u.clone(), u.clone()]),
        usize::MAX
    );
}

#[test]
fn designs_above_the_hard_limit_fail_validation_instead_of_allocating() {
    let e = Design::LatinHypercube { points: usize::MAX }
        .validate(2)
        .unwrap_err();
    assert!(e.contains("hard limit of 100000000"), "{e}");
    let e = Design::Sobol {
        base_samples: (1 << 29) - 1,
    }
    .validate(20)
    .unwrap_err();
    assert!(e.contains("k + 2 = 22"), "{e}");
    Design::LatinHypercube {
        points: limits::DESIGN_POINTS_HARD as usize,
    }
    .validate(2)
    .unwrap();
}

#[test]
fn set_variants_are_counted_from_the_lists() {
    let o = |p: &str, v: &str| Override {
        path: p.into(),
        value: v.into(),
    };
    assert_eq!(variant_count(&[]), Some(1));
    assert_eq!(
        variant_count(&[o("a", "1,2,3"), o("b", "1"), o("c", "[1,2],3")]),
        Some(6)
    );
    let ten = "0,1,2,3,4,5,6,7,8,9";
    let many: Vec<Override> = (0..20).map(|i| o(&format!("p{i}"), ten)).collect();
    assert_eq!(variant_count(&many), None, "10^20 does not fit 64 bits");
    let e = detente::scenario::check_variants(&many[..8], true).unwrap_err();
    assert!(!e.soft, "10^8 is above the hard limit");
    let e = detente::scenario::check_variants(&many[..4], false).unwrap_err();
    assert!(e.soft && e.to_string().contains("--allow-large"), "{e}");
    assert_eq!(
        detente::scenario::check_variants(&many[..4], true),
        Ok(10_000)
    );
}

// Shards and point lists.

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
}

#[test]
fn shard_variables_must_hold_an_index_in_range() {
    let ok = |vars: &[(&str, &str)]| shard_from_env(env(vars)).unwrap();
    assert_eq!(ok(&[]), None);
    assert_eq!(
        ok(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "3")
        ]),
        Some(Slice::Shard { index: 1, count: 3 })
    );
    assert_eq!(
        ok(&[("JOB_COMPLETION_INDEX", " 2 "), ("DETENTE_SHARDS", "4")]),
        Some(Slice::Shard { index: 2, count: 4 })
    );
    for (vars, parts) in [
        (
            vec![("SLURM_ARRAY_TASK_ID", "abc"), ("DETENTE_SHARDS", "4")],
            vec!["SLURM_ARRAY_TASK_ID", "abc"],
        ),
        (
            vec![("SLURM_ARRAY_TASK_ID", "-1"), ("DETENTE_SHARDS", "4")],
            vec!["SLURM_ARRAY_TASK_ID", "-1"],
        ),
        (
            vec![("SLURM_ARRAY_TASK_ID", ""), ("DETENTE_SHARDS", "4")],
            vec!["SLURM_ARRAY_TASK_ID"],
        ),
        (
            vec![
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_MIN", "3"),
                ("DETENTE_SHARDS", "4"),
            ],
            vec!["SLURM_ARRAY_TASK_MIN=3"],
        ),
        (
            vec![
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "x"),
            ],
            vec!["SLURM_ARRAY_TASK_COUNT", "x"],
        ),
        (
            vec![("JOB_COMPLETION_INDEX", "4"), ("DETENTE_SHARDS", "4")],
            vec!["JOB_COMPLETION_INDEX=4", "4"],
        ),
        (
            vec![("JOB_COMPLETION_INDEX", "1"), ("DETENTE_SHARDS", "0")],
            vec!["JOB_COMPLETION_INDEX", "count 0"],
        ),
        (
            vec![
                ("AWS_BATCH_JOB_ARRAY_INDEX", "1.5"),
                ("DETENTE_SHARDS", "4"),
            ],
            vec!["AWS_BATCH_JOB_ARRAY_INDEX", "1.5"],
        ),
        (
            vec![("AWS_BATCH_JOB_ARRAY_INDEX", "1")],
            vec!["DETENTE_SHARDS"],
        ),
    ] {
        let e = shard_from_env(env(&vars)).unwrap_err();
        for p in parts {
            assert!(e.contains(p), "{vars:?}: no {p:?} in {e}");
        }
    }
    assert!(parse_shard("4/4").is_err() && parse_shard("0/0").is_err());
    assert!(parse_shard("-1/4").is_err() && parse_shard("1").is_err());
}

#[test]
fn point_lists_take_numbers_and_ranges() {
    let points = |t: &str, n: usize| match Slice::parse_points(t, n) {
        Ok(Slice::Points(p)) => Ok(p),
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    };
    assert_eq!(points("3-5,40,4, 7 ", 50), Ok(vec![3, 4, 5, 7, 40]));
    assert_eq!(points("9-9", 10), Ok(vec![9]));
    for (t, part) in [
        ("5-2", "backwards"),
        ("3-50", "0 to 49, not 50"),
        ("50", "0 to 49, not 50"),
        ("a", "`a` is not a point number"),
        ("3-", "`` is not a point number"),
        ("-3", "`` is not a point number"),
        ("1-2-3", "`2-3`"),
        ("1,,2", "empty item"),
        ("", "empty item"),
        ("0-99999999999999999999999", "not a point number"),
    ] {
        let e = points(t, 50).unwrap_err();
        assert!(e.contains(part), "{t:?}: no {part:?} in {e}");
    }
    assert!(points("0", 0).unwrap_err().contains("no points"));
    assert_eq!(Slice::ranges(&[7, 3, 4, 5, 40, 3]), "3-5,7,40");
    assert_eq!(Slice::ranges(&[]), "");
    assert_eq!(
        Slice::ranges(&[usize::MAX - 1, usize::MAX]),
        format!("{}-{}", usize::MAX - 1, usize::MAX)
    );
}

proptest! {
    #[test]
    fn ranges_parse_back_to_the_same_points(set in prop::collection::btree_set(0usize..300, 1..120)) {
        let text = Slice::ranges(&set.iter().copied().collect::<Vec<_>>());
        let back = match Slice::parse_points(&text, 300) {
            Ok(Slice::Points(p)) => p,
            other => panic!("{text}: {other:?}"),
        };
        prop_assert_eq!(back.into_iter().collect::<BTreeSet<_>>(), set);
    }
}

// The binary: each audit case ends at once, with the exit code and a message naming the limit.

#[test]
fn oversized_designs_are_refused_by_plan_sweep_status_and_merge() {
    let lhs = experiment(
        "lhs-max",
        "LatinHypercube(points: 18446744073709551615)",
        "20",
    );
    let grid = experiment("grid-wrap", "Grid(levels: 4294967296)", "20");
    let reps = experiment(
        "reps-wrap",
        "LatinHypercube(points: 3)",
        "6148914691236517211",
    );
    let out = quick(&["plan", lhs.to_str().unwrap()]);
    fails_with(
        &out,
        1,
        &[
            "18446744073709551615 design points",
            "hard limit of 100000000",
        ],
    );
    // plan shows the sizes it counted before refusing.
    assert!(text(&out.stdout).contains("18446744073709551615 design points"));
    let out = quick(&["plan", grid.to_str().unwrap(), "--allow-large"]);
    fails_with(
        &out,
        1,
        &["design points", "4294967296 × 4294967296", "64-bit"],
    );
    let out = quick(&["plan", reps.to_str().unwrap()]);
    fails_with(
        &out,
        1,
        &["6148914691236517211", "replications", "1000000000"],
    );

    let dir = temp("refused-sweep");
    let out = quick(&[
        "sweep",
        grid.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    fails_with(&out, 1, &["64-bit"]);
    assert!(!dir.exists(), "nothing is written for a refused design");
    let out = quick(&[
        "sweep",
        reps.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    fails_with(&out, 1, &["replications"]);

    // status and merge of a real sweep, checked against the oversized design: refused, never
    // "0 points complete".
    let part = temp("refused-part");
    let out = quick(&[
        "sweep",
        SMALL,
        "--shard",
        "0/3",
        "--out",
        part.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = quick(&[
        "status",
        part.to_str().unwrap(),
        "--experiment",
        grid.to_str().unwrap(),
    ]);
    let err = fails_with(&out, 1, &["64-bit"]);
    assert!(!text(&out.stdout).contains("complete"), "{err}");
    for f in [&lhs, &grid, &reps] {
        std::fs::remove_dir_all(f.parent().unwrap()).unwrap();
    }
    std::fs::remove_dir_all(&part).unwrap();
}

#[test]
fn merge_refuses_a_design_above_the_limits() {
    // A sweep directory whose manifest claims a larger design: merge reads the experiment the
    // manifest embeds, and counts its size before it makes any point.
    let file = experiment("merge-grow", "LatinHypercube(points: 6)", "5");
    let part = temp("merge-grow-part");
    let out = quick(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        part.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let manifest = part.join("manifest.json");
    let text_of = std::fs::read_to_string(&manifest).unwrap();
    assert!(text_of.contains("\"points\": 6"), "{text_of}");
    std::fs::write(
        &manifest,
        text_of.replace("\"points\": 6", "\"points\": 2000000"),
    )
    .unwrap();
    let merged = temp("merge-grow-out");
    let out = quick(&[
        "merge",
        part.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    fails_with(
        &out,
        1,
        &["2000000 design points", "limit of 1000000", "--allow-large"],
    );
    assert!(!merged.exists());
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
    std::fs::remove_dir_all(&part).unwrap();
}

#[test]
fn soft_limits_name_the_way_out_and_allow_large_lifts_them() {
    let soft = experiment("soft-grid", "Grid(levels: 1001)", "1");
    let out = quick(&["plan", soft.to_str().unwrap()]);
    fails_with(
        &out,
        1,
        &["1002001 design points", "limit of 1000000", "--allow-large"],
    );
    // Too many runs for one process: the message says how many shards keep each within it.
    let runs = experiment("soft-runs", "LatinHypercube(points: 40)", "100000000");
    let out = quick(&["plan", runs.to_str().unwrap()]);
    fails_with(
        &out,
        1,
        &[
            "4000000000 runs",
            "limit of 1000000000",
            "--allow-large",
            "--shard I/4",
        ],
    );
    let out = quick(&["plan", runs.to_str().unwrap(), "--allow-large"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("= 4000000000 runs"));
    let dir = temp("soft-runs-shard");
    let out = quick(&[
        "sweep",
        runs.to_str().unwrap(),
        "--shard",
        "0/2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    fails_with(
        &out,
        1,
        &[
            "2000000000 runs (20 points × 100000000 replications)",
            "--shard I/4",
        ],
    );
    assert!(!dir.exists());
    for f in [&soft, &runs] {
        std::fs::remove_dir_all(f.parent().unwrap()).unwrap();
    }
}

#[test]
fn runs_and_threads_out_of_range_are_usage_errors() {
    let out = quick(&["run", BASELINE, "--runs", "1000000000000"]);
    fails_with(
        &out,
        2,
        &["--runs", "1000000000000", "hard limit of 1000000000"],
    );
    let out = quick(&["run", BASELINE, "--runs", "0"]);
    fails_with(&out, 2, &["--runs", "at least 1 run"]);
    let out = quick(&[
        "compare",
        BASELINE,
        "--set",
        "params.misperception=0.1,0.2",
        "--runs",
        "0",
    ]);
    fails_with(&out, 2, &["at least 1 run"]);
    let out = quick(&["run", BASELINE, "--runs", "100", "--threads", "100000"]);
    fails_with(&out, 2, &["--threads", "100000", "hard limit of 4096"]);
    let out = quick(&["sweep", SMALL, "--out", "unused", "--threads", "5000"]);
    fails_with(&out, 2, &["hard limit of 4096"]);
    // Runs × variants above the soft limit on the runs of one process.
    let out = quick(&[
        "run",
        BASELINE,
        "--runs",
        "1000000000",
        "--set",
        "params.misperception=0.1,0.2",
    ]);
    fails_with(
        &out,
        1,
        &["2000000000 runs", "limit of 1000000000", "--allow-large"],
    );
}

#[test]
fn threads_above_the_cores_are_capped_with_a_warning() {
    let cores = limits::cores();
    let more = (cores + 1).to_string();
    let out = quick(&["run", BASELINE, "--runs", "50", "--threads", &more]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("--threads {more} is more than the {cores} cores")),
        "{err}"
    );
    // 0 is one per core, without a warning.
    let out = quick(&["run", BASELINE, "--runs", "50", "--threads", "0"]);
    assert!(out.status.success() && !text(&out.stderr).contains("warning"));
}

#[test]
fn set_lists_are_counted_before_they_are_expanded() {
    let ten = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95";
    let mut args = vec!["check".to_string(), BASELINE.to_string()];
    for i in 0..8 {
        args.push("--set".into());
        args.push(format!("params.p{i}={ten}"));
    }
    let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let out = quick(&refs);
    fails_with(
        &out,
        1,
        &["100000000 --set variants", "hard limit of 1000000"],
    );
    let mut with = refs.clone();
    with.push("--allow-large");
    fails_with(&quick(&with), 1, &["hard limit of 1000000"]);
    // Above the soft limit only: --allow-large would lift it.
    let out = quick(&[
        "run",
        BASELINE,
        "--runs",
        "10",
        "--set",
        &format!("params.a={ten}"),
        "--set",
        &format!("params.b={ten}"),
        "--set",
        &format!("params.c={ten}"),
        "--set",
        "params.d=1,2",
    ]);
    fails_with(
        &out,
        1,
        &[
            "2000 --set variants (10 × 10 × 10 × 2 values)",
            "limit of 1000",
            "--allow-large",
        ],
    );
}

#[test]
fn reference_engine_iterations_are_capped_with_the_field_path() {
    let dir = temp("engine-iterations");
    std::fs::create_dir_all(&dir).unwrap();
    let ktab = std::fs::read_to_string("scenarios/reference/ktab-dummy-3dim.ron").unwrap();
    let big = dir.join("ktab.ron");
    std::fs::write(
        &big,
        ktab.replace("SpatialModel()", "SpatialModel(max_iter: 4294967295)"),
    )
    .unwrap();
    let out = quick(&["story", big.to_str().unwrap()]);
    fails_with(
        &out,
        1,
        &["engine.max_iter", "4294967295 iterations", "limit of 1000"],
    );
    let bdm = std::fs::read_to_string("scenarios/reference/eu-emissions-1994.ron").unwrap();
    let big = dir.join("bdm.ron");
    std::fs::write(&big, bdm.replace("rounds: 10", "rounds: 1001")).unwrap();
    let out = quick(&["check", big.to_str().unwrap()]);
    fails_with(&out, 1, &["engine.rounds", "1001 rounds", "from 1 to 1000"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `sweep SMALL` with these scheduler variables (and no others).
fn sweep_with_env(vars: &[(&str, &str)], dir: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_detente"));
    c.args(["sweep", SMALL, "--out", dir.to_str().unwrap()]);
    for v in SHARD_VARS {
        c.env_remove(v);
    }
    c.envs(vars.iter().copied());
    c.output().unwrap()
}

#[test]
fn a_malformed_array_index_is_an_error_not_the_whole_design() {
    let dir = temp("bad-index");
    for (vars, parts) in [
        (
            vec![
                ("SLURM_ARRAY_TASK_ID", "abc"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            vec!["SLURM_ARRAY_TASK_ID=\"abc\""],
        ),
        (
            vec![("JOB_COMPLETION_INDEX", "-1"), ("DETENTE_SHARDS", "4")],
            vec!["JOB_COMPLETION_INDEX=\"-1\""],
        ),
        (
            vec![("AWS_BATCH_JOB_ARRAY_INDEX", "9"), ("DETENTE_SHARDS", "4")],
            vec!["AWS_BATCH_JOB_ARRAY_INDEX=9", "shard count 4"],
        ),
    ] {
        let out = sweep_with_env(&vars, &dir);
        fails_with(&out, 1, &parts);
        assert!(!dir.exists(), "{vars:?}: nothing runs");
    }
    // A bad --points list is refused the same way.
    let out = quick(&[
        "sweep",
        SMALL,
        "--out",
        dir.to_str().unwrap(),
        "--points",
        "5-2",
    ]);
    fails_with(&out, 1, &["5-2 runs backwards"]);
    let out = quick(&[
        "sweep",
        SMALL,
        "--out",
        dir.to_str().unwrap(),
        "--points",
        "3-24",
    ]);
    fails_with(&out, 1, &["points 0 to 23, not 24"]);
    assert!(!dir.exists());
}

#[test]
fn status_suggests_ranges_that_sweep_takes_back() {
    let (part, rerun, listed, merged) = (
        temp("ranges-part"),
        temp("ranges-rerun"),
        temp("ranges-listed"),
        temp("ranges-merged"),
    );
    let out = quick(&[
        "sweep",
        SMALL,
        "--shard",
        "1/3",
        "--out",
        part.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let points_file = temp("ranges-file");
    let out = quick(&[
        "status",
        part.to_str().unwrap(),
        "--points-file",
        points_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    let list = s
        .lines()
        .find_map(|l| l.split_once("--points ").map(|(_, r)| r.trim().to_string()))
        .unwrap_or_else(|| panic!("no --points in:\n{s}"));
    assert_eq!(list, format!("@{}", points_file.display()));
    let listed_text = std::fs::read_to_string(&points_file).unwrap();
    assert!(listed_text.contains('-'), "ranges: {listed_text}");
    // The command status suggests, with the list on the command line and from the file.
    let out = quick(&[
        "sweep",
        SMALL,
        "--points",
        listed_text.trim(),
        "--out",
        rerun.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = quick(&[
        "sweep",
        SMALL,
        "--points",
        &list,
        "--out",
        listed.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(rerun.join("points.csv")).unwrap(),
        std::fs::read(listed.join("points.csv")).unwrap()
    );
    let out = quick(&["status", part.to_str().unwrap(), rerun.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stdout));
    let out = quick(&[
        "merge",
        part.to_str().unwrap(),
        rerun.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(
        text(&out.stdout).contains("24 of 24"),
        "{}",
        text(&out.stdout)
    );
    let out = quick(&[
        "status",
        part.to_str().unwrap(),
        "--points-file",
        points_file.to_str().unwrap(),
    ]);
    fails_with(&out, 1, &["already exists"]);
    for d in [&part, &rerun, &listed, &merged] {
        std::fs::remove_dir_all(d).unwrap();
    }
    std::fs::remove_file(&points_file).unwrap();
}

#[test]
fn an_interrupted_sweep_exits_130_like_run() {
    let file = experiment("interrupted", "LatinHypercube(points: 400)", "4000");
    let dir = temp("interrupted-out");
    let child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(["sweep", file.to_str().unwrap(), "--threads", "1", "--out"])
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = common::interrupt_once_started(child, &dir);
    let err = fails_with(
        &out,
        130,
        &["interrupted", "design points finished", "detente status"],
    );
    assert!(dir.join("manifest.json").exists(), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(file.parent().unwrap()).unwrap();
}
