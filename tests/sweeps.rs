//! Sweep directories survive kills and are known by their content: a sharded sweep killed by
//! SIGKILL at any moment (after some milliseconds, or by the test hook between any two steps of
//! a checkpoint or of publishing), by SIGTERM or by Ctrl-C is finished by the same command with
//! `--resume` into files byte-identical to an uninterrupted sweep's, and its shards merge into
//! the unsharded table; the experiment's identity does not depend on how its paths are spelled;
//! `sensitivity` needs nothing but the directory; a changed experiment, manifest, table or
//! state, shards of different experiments and hostile files are refused with the file and the
//! reason, never a panic or a hang.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use common::stdout;
use detente::study::experiment::load_experiment;
use serde_json::Value as Json;

const POINTS: [&str; 2] = ["points.csv", "points.parquet"];
const WITH_RUNS: [&str; 4] = ["points.csv", "points.parquet", "runs.csv", "runs.parquet"];

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("detente-sweeps-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// A project directory of its own: the baseline scenario (`scenarios/iran.ron`) with its
/// digest, and `exp.ron`, an experiment over it with two parameters.
fn project(name: &str, design: &str, replications: u64, seed: u64) -> PathBuf {
    let dir = temp(name);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::create_dir_all(dir.join("seeds")).unwrap();
    std::fs::copy(
        root.join("scenarios/iran-talks-2025.ron"),
        dir.join("scenarios/iran.ron"),
    )
    .unwrap();
    std::fs::copy(
        root.join("seeds/us-iran-talks-2025.ron"),
        dir.join("seeds/us-iran-talks-2025.ron"),
    )
    .unwrap();
    write_experiment(
        &dir.join("exp.ron"),
        "scenarios/iran.ron",
        design,
        replications,
        seed,
    );
    dir
}

fn write_experiment(file: &Path, scenario: &str, design: &str, replications: u64, seed: u64) {
    let text = common::two_parameter_experiment(
        "Sweeps",
        Path::new(scenario),
        design,
        &replications.to_string(),
        Some(seed),
    );
    std::fs::write(file, text).unwrap();
}

/// Runs the binary in `cwd`, with a deadline: a command that hangs fails the test.
fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_detente"));
    c.args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for v in [
        "SLURM_ARRAY_TASK_ID",
        "JOB_COMPLETION_INDEX",
        "AWS_BATCH_JOB_ARRAY_INDEX",
        "DETENTE_TEST_HOOK",
    ] {
        c.env_remove(v);
    }
    c.envs(env.iter().copied());
    let mut child = c.spawn().expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("`detente {}` did not end within 60 s", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().expect("the output")
}

fn detente(args: &[&str]) -> Output {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args, &[])
}

/// The stderr of a command that must have failed with exit code 1, without a panic, naming
/// every one of `parts`.
fn refused(o: &Output, parts: &[&str]) -> String {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "exit code 1 expected:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    for p in parts {
        assert!(err.contains(p), "no {p:?} in:\n{err}");
    }
    err
}

fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let (x, y) = (std::fs::read(a.join(f)), std::fs::read(b.join(f)));
        let (x, y) = (
            x.unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display())),
            y.unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display())),
        );
        assert!(
            x == y,
            "{f} differs between {} and {} ({} vs {} bytes)",
            a.display(),
            b.display(),
            x.len(),
            y.len()
        );
    }
}

fn manifest(dir: &Path) -> Json {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// The sweep command of shard `shard` (`None`: the whole design) into `out`.
fn sweep_args<'a>(exp: &'a Path, out: &'a Path, shard: Option<&'a str>) -> Vec<&'a str> {
    let mut a = vec!["sweep", s(exp), "--threads", "1", "--out", s(out)];
    if let Some(sh) = shard {
        a.extend(["--shard", sh]);
    }
    a
}

/// Whether the sweep in `dir` finished: published, nothing left in staging.
fn finished(dir: &Path) -> bool {
    !dir.join(".partial").exists()
        && std::fs::read_to_string(dir.join("manifest.json"))
            .is_ok_and(|t| t.contains("\"complete\": true"))
}

/// Starts every command at once (the shards of a job array), kills them all with `signal` once
/// each has written its first checkpoint and `after` has passed, and returns their exit status.
fn kill_during(commands: &[(Vec<&str>, &Path)], signal: &str, after: Duration) -> Vec<ExitStatus> {
    let mut children: Vec<_> = commands
        .iter()
        .map(|(a, _)| {
            Command::new(env!("CARGO_BIN_EXE_detente"))
                .args(a)
                .env_remove("DETENTE_TEST_HOOK")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("the binary runs")
        })
        .collect();
    let start = Instant::now();
    for ((_, dir), child) in commands.iter().zip(&mut children) {
        while !dir.join(".partial").join("checkpoint.json").exists() {
            assert!(start.elapsed() < Duration::from_secs(60), "no checkpoint");
            if child.try_wait().expect("waits").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    std::thread::sleep(after);
    for child in &children {
        let _ = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
    }
    children
        .iter_mut()
        .map(|c| c.wait().expect("the child ends"))
        .collect()
}

/// Resumes the sweep of `args` (into `dir`) until it is finished.
fn resume(args: &[&str], dir: &Path) {
    if finished(dir) {
        return;
    }
    let mut r = args.to_vec();
    r.push("--resume");
    let o = detente(&r);
    assert!(o.status.success(), "resume failed: {}", text(&o.stderr));
    assert!(finished(dir), "{}", text(&o.stdout));
}

/// The uninterrupted results of experiment `exp`: the whole design, and its two shards.
fn references(p: &Path, exp: &Path, runs_table: bool) -> (PathBuf, [PathBuf; 2]) {
    let whole = p.join("ref-whole");
    let shards = [p.join("ref-0"), p.join("ref-1")];
    for (out, shard) in [
        (&whole, None),
        (&shards[0], Some("0/2")),
        (&shards[1], Some("1/2")),
    ] {
        let mut a = sweep_args(exp, out, shard);
        if runs_table {
            a.push("--runs-table");
        }
        stdout(&detente(&a));
    }
    (whole, shards)
}

fn merge(dirs: &[&Path], out: &Path) -> Output {
    let mut a = vec!["merge"];
    a.extend(dirs.iter().map(|d| s(d)));
    a.extend(["--out", s(out)]);
    detente(&a)
}

#[test]
fn shards_killed_at_random_moments_resume_and_merge_to_the_unsharded_table() {
    let p = project("kill", "LatinHypercube(points: 120)", 150, 4);
    let exp = p.join("exp.ron");
    let (whole, refs) = references(&p, &exp, true);
    // Moments spread over the shards' run (a fixed list: the test is repeatable); a kill that
    // lands after a shard finished leaves it complete, which the comparison still checks.
    for (i, ms) in [0u64, 90, 220].into_iter().enumerate() {
        let shards = [p.join(format!("k{i}-0")), p.join(format!("k{i}-1"))];
        let mut commands: Vec<(Vec<&str>, &Path)> = Vec::new();
        for (dir, shard) in shards.iter().zip(["0/2", "1/2"]) {
            let mut a = sweep_args(&exp, dir, Some(shard));
            a.push("--runs-table");
            commands.push((a, dir));
        }
        let status = kill_during(&commands, "-KILL", Duration::from_millis(ms));
        for ((a, dir), st) in commands.iter().zip(&status) {
            if st.success() {
                continue;
            }
            assert!(
                dir.join(".partial").join("checkpoint.json").exists()
                    || dir.join("state.json").exists(),
                "a killed sweep leaves a checkpoint behind"
            );
            if !finished(dir) {
                // Without --resume, the command says to resume.
                let again = detente(a);
                refused(&again, &["--resume"]);
                // A second kill, during the resume itself.
                let mut r = a.clone();
                r.push("--resume");
                kill_during(&[(r, dir)], "-KILL", Duration::from_millis(40));
            }
            resume(a, dir);
        }
        for (dir, reference) in shards.iter().zip(&refs) {
            same_files(reference, dir, &WITH_RUNS);
        }
        let merged = p.join(format!("k{i}-merged"));
        stdout(&merge(&[&shards[0], &shards[1]], &merged));
        same_files(&whole, &merged, &WITH_RUNS);
    }
    std::fs::remove_dir_all(&p).unwrap();
}

#[test]
fn a_kill_between_any_two_steps_of_a_checkpoint_or_of_publishing_is_resumable() {
    let p = project("hook", "LatinHypercube(points: 120)", 150, 6);
    let exp = p.join("exp.ron");
    let (_, refs) = references(&p, &exp, false);
    for (i, point) in [
        "before-checkpoint:1",
        "after-checkpoint:1",
        "before-checkpoint:2",
        "after-checkpoint:3",
        "before-publish:1",
        "before-manifest:1",
    ]
    .into_iter()
    .enumerate()
    {
        let shard = ["0/2", "1/2"][i % 2];
        let dir = p.join(format!("hook-{i}"));
        let a = sweep_args(&exp, &dir, Some(shard));
        let o = run_in(&p, &a, &[("DETENTE_TEST_HOOK", point)]);
        assert!(!o.status.success(), "{point}: the hook kills the sweep");
        assert!(!finished(&dir), "{point}");
        refused(&detente(&a), &["--resume"]);
        if point == "after-checkpoint:1" {
            // Killed again at the same point of the resume.
            let mut r = a.clone();
            r.push("--resume");
            let o = run_in(&p, &r, &[("DETENTE_TEST_HOOK", point)]);
            assert!(!o.status.success(), "{point}: the hook kills the resume");
        }
        resume(&a, &dir);
        same_files(&refs[i % 2], &dir, &POINTS);
        // A finished sweep resumed again (a requeued job) is left as it is.
        let before = std::fs::read(dir.join("manifest.json")).unwrap();
        let mut r = a.clone();
        r.push("--resume");
        let out = stdout(&detente(&r));
        assert!(out.contains("nothing left to resume"), "{out}");
        assert_eq!(before, std::fs::read(dir.join("manifest.json")).unwrap());
    }
    std::fs::remove_dir_all(&p).unwrap();
}

#[test]
fn sigterm_and_ctrl_c_stop_a_shard_with_130_and_resume_finishes_it() {
    let p = project("term", "LatinHypercube(points: 120)", 150, 8);
    let exp = p.join("exp.ron");
    let (_, refs) = references(&p, &exp, false);
    for (i, signal) in ["-TERM", "-INT"].into_iter().enumerate() {
        let dir = p.join(format!("sig-{i}"));
        let a = sweep_args(&exp, &dir, Some("1/2"));
        let status = kill_during(&[(a.clone(), &dir)], signal, Duration::from_millis(60));
        if status[0].code() != Some(0) {
            assert_eq!(
                status[0].code(),
                Some(130),
                "{signal}: an interrupted sweep exits 130"
            );
            let m = manifest(&dir);
            assert_eq!(m["complete"], false, "{signal}");
            let done = m["points_done"].as_u64().unwrap();
            assert!(done < 60, "{signal}");
            refused(&detente(&a), &["interrupted", "--resume"]);
            resume(&a, &dir);
            assert_eq!(manifest(&dir)["resumed_from"], done, "{signal}");
        }
        same_files(&refs[1], &dir, &POINTS);
    }
    std::fs::remove_dir_all(&p).unwrap();
}

#[test]
fn the_identity_is_the_content_never_the_spelling_of_a_path() {
    let p = project("id-a", "LatinHypercube(points: 24)", 10, 5);
    // A copy of the same files elsewhere, whose experiment names its scenario by an absolute
    // path.
    let q = project("id-b", "LatinHypercube(points: 24)", 10, 5);
    write_experiment(
        &q.join("exp.ron"),
        s(&q.join("scenarios/iran.ron")),
        "LatinHypercube(points: 24)",
        10,
        5,
    );
    let ids = [
        load_experiment(&p.join("exp.ron")).unwrap().identity(),
        load_experiment(&p.join("scenarios/../exp.ron"))
            .unwrap()
            .identity(),
        load_experiment(&q.join("exp.ron")).unwrap().identity(),
    ];
    assert!(ids.iter().all(|i| i == &ids[0]), "{ids:?}");
    // Shards swept from different directories with the path spelled three ways.
    stdout(&run_in(
        &p,
        &["sweep", "exp.ron", "--out", "a", "--shard", "0/3"],
        &[],
    ));
    stdout(&run_in(
        &p,
        &["sweep", "./exp.ron", "--out", "b", "--shard", "1/3"],
        &[],
    ));
    let c = p.join("c");
    stdout(&detente(&[
        "sweep",
        s(&q.join("exp.ron")),
        "--out",
        s(&c),
        "--shard",
        "2/3",
    ]));
    let whole = q.join("whole");
    stdout(&detente(&[
        "sweep",
        s(&q.join("exp.ron")),
        "--out",
        s(&whole),
    ]));
    for d in ["a", "b", "c"] {
        assert_eq!(
            manifest(&p.join(d))["identity"],
            Json::from(ids[0].clone()),
            "{d}"
        );
    }
    let merged = p.join("merged");
    stdout(&merge(&[&p.join("a"), &p.join("b"), &c], &merged));
    same_files(&whole, &merged, &POINTS);
    // status from another directory, by relative paths, needs no experiment file.
    let st = run_in(
        &p.join("scenarios"),
        &["status", "../a", "../b", "../c"],
        &[],
    );
    let shown = stdout(&st);
    assert!(shown.contains("24 of 24 design points done"), "{shown}");
    // A sweep started by one spelling is resumed by another, from another directory.
    let d = p.join("resumed");
    let o = run_in(
        &p,
        &["sweep", "exp.ron", "--threads", "1", "--out", "resumed"],
        &[("DETENTE_TEST_HOOK", "after-checkpoint:1")],
    );
    assert!(!o.status.success());
    stdout(&run_in(
        &q,
        &[
            "sweep",
            "exp.ron",
            "--threads",
            "1",
            "--out",
            s(&d),
            "--resume",
        ],
        &[],
    ));
    same_files(&whole, &d, &POINTS);
    // Content is what counts: another value in the scenario, or another seed, is another
    // experiment.
    let scenario = q.join("scenarios/iran.ron");
    let t = std::fs::read_to_string(&scenario).unwrap();
    assert!(t.contains("withdrawal_probability: 0.5,"));
    std::fs::write(
        &scenario,
        t.replace(
            "withdrawal_probability: 0.5,",
            "withdrawal_probability: 0.6,",
        ),
    )
    .unwrap();
    assert_ne!(
        load_experiment(&q.join("exp.ron")).unwrap().identity(),
        ids[0]
    );
    write_experiment(
        &p.join("exp.ron"),
        "scenarios/iran.ron",
        "LatinHypercube(points: 24)",
        10,
        6,
    );
    assert_ne!(
        load_experiment(&p.join("exp.ron")).unwrap().identity(),
        ids[0]
    );
    std::fs::remove_dir_all(&p).unwrap();
    std::fs::remove_dir_all(&q).unwrap();
}

#[test]
fn sensitivity_needs_only_the_directory_from_any_working_directory() {
    let p = project("sens", "Sobol(base_samples: 32)", 30, 2);
    let exp = p.join("exp.ron");
    let whole = temp("sens-whole");
    stdout(&detente(&["sweep", s(&exp), "--out", s(&whole)]));
    for shard in ["0/2", "1/2"] {
        let out = p.join(format!("shard-{}", &shard[..1]));
        stdout(&detente(&[
            "sweep",
            s(&exp),
            "--out",
            s(&out),
            "--shard",
            shard,
        ]));
    }
    let merged = p.join("merged");
    stdout(&merge(&[&p.join("shard-0"), &p.join("shard-1")], &merged));
    // The merged directory moved away, and the experiment and its scenario deleted.
    let moved = temp("sens-moved");
    std::fs::rename(&merged, &moved).unwrap();
    std::fs::remove_dir_all(&p).unwrap();
    let elsewhere = temp("sens-cwd");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let o = run_in(
        &elsewhere,
        &["sensitivity", s(&moved), "--resamples", "50"],
        &[],
    );
    let shown = stdout(&o);
    assert!(shown.contains("actors.hawks.influence"), "{shown}");
    let name = moved.file_name().unwrap().to_str().unwrap();
    stdout(&run_in(
        moved.parent().unwrap(),
        &["sensitivity", name, "--resamples", "50"],
        &[],
    ));
    stdout(&detente(&["sensitivity", s(&whole), "--resamples", "50"]));
    same_files(&whole, &moved, &["sensitivity.csv", "sensitivity.svg"]);
    for d in [&whole, &moved, &elsewhere] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

/// Replaces the points table of `dir` by `from`'s, and records its SHA-256 in `dir`'s
/// manifest: a directory whose table and manifest do not belong together, though each is
/// whole.
fn transplant_table(from: &Path, dir: &Path) {
    std::fs::copy(from.join("points.parquet"), dir.join("points.parquet")).unwrap();
    let mut m = manifest(dir);
    m["sha256"]["points.parquet"] = manifest(from)["sha256"]["points.parquet"].clone();
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
}

#[test]
fn a_changed_experiment_manifest_table_or_state_is_refused_with_the_reason() {
    let p = project("changed", "Sobol(base_samples: 8)", 5, 3);
    let exp = p.join("exp.ron");
    let a = p.join("a");
    stdout(&detente(&["sweep", s(&exp), "--out", s(&a)]));
    // The manifest's experiment edited (another seed): refused, not indices of another design.
    let edited = p.join("edited");
    stdout(&detente(&["sweep", s(&exp), "--out", s(&edited)]));
    let m = std::fs::read_to_string(edited.join("manifest.json")).unwrap();
    assert!(m.contains("\"seed\": 3"));
    std::fs::write(
        edited.join("manifest.json"),
        m.replace("\"seed\": 3", "\"seed\": 4"),
    )
    .unwrap();
    refused(
        &detente(&["sensitivity", s(&edited)]),
        &["manifest.json", "changed after the sweep wrote it"],
    );
    // The table replaced: its hash is not the one the manifest records.
    let swapped = p.join("swapped");
    stdout(&detente(&[
        "sweep",
        s(&exp),
        "--out",
        s(&swapped),
        "--shard",
        "0/2",
    ]));
    std::fs::copy(a.join("points.parquet"), swapped.join("points.parquet")).unwrap();
    refused(
        &detente(&["sensitivity", s(&swapped)]),
        &["points.parquet", "SHA-256"],
    );
    // state.json of another study.
    let state = p.join("state");
    stdout(&detente(&[
        "sweep",
        s(&exp),
        "--out",
        s(&state),
        "--shard",
        "1/2",
    ]));
    std::fs::copy(a.join("state.json"), state.join("state.json")).unwrap();
    refused(
        &detente(&["status", s(&state)]),
        &["state.json", "another study"],
    );
    // The parameters in the other order: a table whose columns are not the manifest's (this
    // was an index out of bounds, or indices given to the wrong parameters).
    let other = p.join("other.ron");
    std::fs::write(
        &other,
        std::fs::read_to_string(&exp).unwrap().replace(
            "        Parameter(path: \"actors.hawks.influence\", distribution: Uniform(low: 0.2, high: 0.7)),\n        Parameter(path: \"params.misperception\", distribution: Uniform(low: 0.0, high: 0.3)),",
            "        Parameter(path: \"params.misperception\", distribution: Uniform(low: 0.0, high: 0.3)),\n        Parameter(path: \"actors.hawks.influence\", distribution: Uniform(low: 0.2, high: 0.7)),",
        ),
    )
    .unwrap();
    let reordered = p.join("reordered");
    stdout(&detente(&["sweep", s(&other), "--out", s(&reordered)]));
    transplant_table(&a, &reordered);
    refused(
        &detente(&["sensitivity", s(&reordered)]),
        &[
            "points.parquet",
            "columns",
            "params.misperception, actors.hawks.influence",
        ],
    );
    // The same columns over another range: rows that are not the design's points.
    let ranged = p.join("ranged.ron");
    std::fs::write(
        &ranged,
        std::fs::read_to_string(&exp)
            .unwrap()
            .replace("low: 0.2, high: 0.7", "low: 0.3, high: 0.7"),
    )
    .unwrap();
    let moved = p.join("moved");
    stdout(&detente(&["sweep", s(&ranged), "--out", s(&moved)]));
    transplant_table(&a, &moved);
    refused(
        &detente(&["sensitivity", s(&moved)]),
        &[
            "points.parquet",
            "row 1",
            "actors.hawks.influence",
            "not the design's",
        ],
    );
    // status against an experiment file edited since: says what differs.
    refused(
        &detente(&["status", s(&a), "--experiment", s(&ranged)]),
        &["another experiment", "parameters[0].distribution"],
    );
    std::fs::remove_dir_all(&p).unwrap();
}

#[test]
fn shards_of_different_experiments_are_never_merged_or_resumed() {
    let p = project("mixed", "LatinHypercube(points: 60)", 40, 7);
    let exp = p.join("exp.ron");
    let (a, b, merged) = (p.join("a"), p.join("b"), p.join("merged"));
    stdout(&detente(&[
        "sweep",
        s(&exp),
        "--out",
        s(&a),
        "--shard",
        "0/2",
    ]));
    // The experiment file edited between the shards of one job array.
    write_experiment(
        &exp,
        "scenarios/iran.ron",
        "LatinHypercube(points: 60)",
        41,
        7,
    );
    stdout(&detente(&[
        "sweep",
        s(&exp),
        "--out",
        s(&b),
        "--shard",
        "1/2",
    ]));
    let err = refused(
        &merge(&[&a, &b], &merged),
        &["another experiment", "replications", "40", "41"],
    );
    assert!(err.contains(s(&b)) && err.contains(s(&a)), "{err}");
    assert!(!merged.exists(), "nothing is written");
    // A stopped shard resumed after its experiment changed: refused, saying what changed.
    let c = p.join("c");
    let args = sweep_args(&exp, &c, Some("0/2"));
    let o = run_in(&p, &args, &[("DETENTE_TEST_HOOK", "after-checkpoint:2")]);
    assert!(!o.status.success());
    write_experiment(
        &exp,
        "scenarios/iran.ron",
        "LatinHypercube(points: 60)",
        41,
        8,
    );
    let mut r = args.clone();
    r.push("--resume");
    refused(&detente(&r), &["cannot resume", "seed", "7", "8"]);
    // Another shard of the same experiment is another sweep too.
    write_experiment(
        &exp,
        "scenarios/iran.ron",
        "LatinHypercube(points: 60)",
        41,
        7,
    );
    let mut other = sweep_args(&exp, &c, Some("1/2"));
    other.push("--resume");
    refused(&detente(&other), &["shard 0/2, not shard 1/2"]);
    // With the experiment back as it was, the resume finishes the shard.
    resume(&args, &c);
    let st = stdout(&detente(&["status", s(&b), s(&c)]));
    assert!(st.contains("60 of 60 design points done"), "{st}");
    std::fs::remove_dir_all(&p).unwrap();
}

#[test]
fn a_killed_merge_is_resumed() {
    let p = project("merge-kill", "LatinHypercube(points: 40)", 10, 9);
    let exp = p.join("exp.ron");
    let (whole, refs) = references(&p, &exp, true);
    for (i, point) in [
        "before-checkpoint:2",
        "before-publish:1",
        "before-manifest:1",
    ]
    .into_iter()
    .enumerate()
    {
        let out = p.join(format!("merged-{i}"));
        let mut a = vec!["merge", s(&refs[0]), s(&refs[1]), "--out", s(&out)];
        let o = run_in(&p, &a, &[("DETENTE_TEST_HOOK", point)]);
        assert!(!o.status.success(), "{point}: the hook kills the merge");
        refused(&detente(&a), &["--resume"]);
        a.push("--resume");
        stdout(&detente(&a));
        same_files(&whole, &out, &WITH_RUNS);
    }
    std::fs::remove_dir_all(&p).unwrap();
}

#[test]
fn hostile_files_in_a_results_directory_are_refused_without_hanging() {
    let p = project("hostile", "LatinHypercube(points: 12)", 5, 1);
    let exp = p.join("exp.ron");
    let good = p.join("good");
    stdout(&detente(&["sweep", s(&exp), "--out", s(&good)]));
    let fifo_ok = Command::new("mkfifo")
        .arg(p.join("probe"))
        .status()
        .is_ok_and(|s| s.success());
    type Spoil = fn(&Path);
    let mut cases: Vec<(&str, Spoil, &str)> = vec![
        (
            "symlink",
            |d| {
                std::fs::rename(d.join("manifest.json"), d.join("elsewhere.json")).unwrap();
                std::os::unix::fs::symlink("elsewhere.json", d.join("manifest.json")).unwrap();
            },
            "manifest.json` is a symbolic link",
        ),
        (
            "device",
            |d| {
                std::fs::remove_file(d.join("points.parquet")).unwrap();
                std::os::unix::fs::symlink("/dev/zero", d.join("points.parquet")).unwrap();
            },
            "points.parquet` is a symbolic link",
        ),
        (
            "huge",
            |d| {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(d.join("manifest.json"))
                    .unwrap();
                f.set_len(300 << 20).unwrap();
            },
            "more than the 256 MiB",
        ),
        (
            "directory",
            |d| {
                std::fs::remove_file(d.join("points.parquet")).unwrap();
                std::fs::create_dir(d.join("points.parquet")).unwrap();
            },
            "points.parquet` is a directory",
        ),
        (
            "garbage",
            |d| {
                std::fs::write(d.join("manifest.json"), b"root:x:0:0:root:/root:/bin/sh\n").unwrap()
            },
            "not a manifest detente wrote",
        ),
        (
            "killed",
            |d| {
                std::fs::create_dir(d.join(".partial")).unwrap();
                std::fs::write(d.join(".partial").join("checkpoint.json"), b"{}").unwrap();
            },
            "has not finished",
        ),
    ];
    if fifo_ok {
        cases.push((
            "fifo",
            |d| {
                std::fs::remove_file(d.join("points.parquet")).unwrap();
                let ok = Command::new("mkfifo")
                    .arg(d.join("points.parquet"))
                    .status()
                    .unwrap();
                assert!(ok.success());
            },
            "points.parquet` is not a regular file",
        ));
    } else {
        eprintln!("skipping the FIFO case: mkfifo is not available here");
    }
    for (name, spoil, says) in cases {
        let d = p.join(name);
        std::fs::create_dir_all(&d).unwrap();
        for f in std::fs::read_dir(&good).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, d.join(f.file_name().unwrap())).unwrap();
        }
        spoil(&d);
        let merged = p.join(format!("{name}-merged"));
        for args in [
            vec!["sensitivity", s(&d)],
            vec!["status", s(&d)],
            vec!["merge", s(&d), "--out", s(&merged)],
        ] {
            let err = refused(&detente(&args), &[says]);
            assert!(
                !err.contains("root:x"),
                "{name}: a line of the file is echoed: {err}"
            );
        }
        assert!(!merged.exists(), "{name}");
    }
    std::fs::remove_dir_all(&p).unwrap();
}

#[test]
fn values_that_json_reads_back_inexactly_by_default_keep_the_identity() {
    // serde_json's default float parsing reads this value back one unit in the last place off;
    // the manifest's embedded experiment must still hash to its identity and give the same
    // design points.
    let p = project("floats", "LatinHypercube(points: 8)", 3, 1);
    let exp = p.join("exp.ron");
    let t = std::fs::read_to_string(&exp).unwrap();
    std::fs::write(
        &exp,
        t.replace(
            "low: 0.0, high: 0.3",
            "low: 1.6484757319101375e-6, high: 0.3",
        ),
    )
    .unwrap();
    let dir = p.join("out");
    stdout(&detente(&["sweep", s(&exp), "--out", s(&dir)]));
    assert_eq!(
        manifest(&dir)["identity"],
        Json::from(load_experiment(&exp).unwrap().identity())
    );
    let shown = stdout(&run_in(&p.join("seeds"), &["status", "../out"], &[]));
    assert!(shown.contains("8 of 8 design points done"), "{shown}");
    std::fs::remove_dir_all(&p).unwrap();
}
