//! Results directories survive kills: a study stopped by SIGKILL at a random moment, by the
//! test hook between any two steps of a checkpoint or of publishing, or by SIGTERM, is finished
//! by `--resume` into files byte-identical to an uninterrupted study's; a changed file is
//! refused, never silently accepted.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{detente, stdout};

const BASE: &str = "scenarios/iran-talks-2025.ron";
const FILES: [&str; 5] = [
    "runs.csv",
    "runs.parquet",
    "series.csv",
    "series.parquet",
    "traces.jsonl",
];

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("detente-kill-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn args<'a>(dir: &'a str, runs: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["run", BASE, "--runs", runs, "--seed", "7", "--out", dir];
    a.extend_from_slice(extra);
    a
}

fn same_files(a: &Path, b: &Path, traces: bool) {
    for f in FILES.iter().filter(|f| traces || !f.ends_with(".jsonl")) {
        let (x, y) = (std::fs::read(a.join(f)), std::fs::read(b.join(f)));
        let (x, y) = (x.expect(f), y.expect(f));
        assert!(x == y, "{f} differs ({} vs {} bytes)", x.len(), y.len());
    }
}

/// Starts the study, kills it with `signal` once its first checkpoint is written and `after`
/// has passed, and returns its exit status.
fn kill_during(a: &[&str], dir: &Path, signal: &str, after: Duration) -> std::process::ExitStatus {
    let mut child = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(a)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    while !dir.join(".partial").join("checkpoint.json").exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "no checkpoint");
        if let Some(status) = child.try_wait().expect("waits") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(after);
    let ok = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success());
    child.wait().expect("the child ends")
}

/// Resumes until the study is complete (a kill may land after it finished).
fn resume(a: &[&str]) {
    let mut r = a.to_vec();
    r.push("--resume");
    let o = detente(&r);
    assert!(
        o.status.success(),
        "resume failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn sigkill_at_random_moments_then_resume_gives_identical_files() {
    let whole = temp("whole");
    let w = whole.to_str().unwrap();
    stdout(&detente(&args(w, "50000", &["--traces"])));
    // Moments spread over the study (a fixed list: the test is repeatable).
    for (i, ms) in [0u64, 60, 250].into_iter().enumerate() {
        let dir = temp(&format!("killed-{i}"));
        let d = dir.to_str().unwrap();
        let a = args(d, "50000", &["--traces"]);
        let status = kill_during(&a, &dir, "-KILL", Duration::from_millis(ms));
        if !status.success() {
            // A second kill, during the resume itself.
            let mut r = a.clone();
            r.push("--resume");
            kill_during(&r, &dir, "-KILL", Duration::from_millis(30));
            let again = dir.join(".partial").join("checkpoint.json").exists()
                || dir.join("state.json").exists();
            assert!(again, "a killed study leaves a checkpoint behind");
            let m = dir.join("manifest.json");
            let complete =
                std::fs::read_to_string(&m).is_ok_and(|t| t.contains("\"complete\": true"));
            if !complete {
                resume(&a);
            }
        }
        same_files(&whole, &dir, true);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&whole);
}

#[test]
fn a_kill_between_any_two_steps_of_a_checkpoint_or_of_publishing_is_resumable() {
    let whole = temp("hook-whole");
    let w = whole.to_str().unwrap();
    stdout(&detente(&args(w, "30000", &[])));
    for point in [
        "before-checkpoint:1",
        "after-checkpoint:1",
        "before-checkpoint:4",
        "after-checkpoint:6",
        "before-publish:1",
    ] {
        let dir = temp(&format!("hook-{}", point.replace(':', "-")));
        let d = dir.to_str().unwrap();
        let a = args(d, "30000", &[]);
        let o = Command::new(env!("CARGO_BIN_EXE_detente"))
            .args(&a)
            .env("DETENTE_TEST_HOOK", point)
            .output()
            .expect("runs");
        assert!(!o.status.success(), "{point}: the hook kills the study");
        let again = detente(&a);
        assert!(
            String::from_utf8_lossy(&again.stderr).contains("--resume"),
            "{point}: a rerun without --resume says to resume: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        resume(&a);
        same_files(&whole, &dir, false);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&whole);
}

#[test]
fn sigterm_stops_like_ctrl_c_and_resume_finishes() {
    let whole = temp("term-whole");
    stdout(&detente(&args(whole.to_str().unwrap(), "150000", &[])));
    let dir = temp("term");
    let d = dir.to_str().unwrap();
    let a = args(d, "150000", &[]);
    let status = kill_during(&a, &dir, "-TERM", Duration::from_millis(100));
    if status.code() != Some(0) {
        assert_eq!(status.code(), Some(130), "an interrupted study exits 130");
        let m: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap())
                .unwrap();
        assert_eq!(m["complete"], false);
        assert!(m["finished_runs"].as_u64().unwrap() < 150_000);
        resume(&a);
    }
    same_files(&whole, &dir, false);
    let _ = std::fs::remove_dir_all(&whole);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn resume_refuses_changed_files_and_other_studies() {
    let dir = temp("changed");
    let d = dir.to_str().unwrap();
    let a = args(d, "40000", &[]);
    let o = Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(&a)
        .env("DETENTE_TEST_HOOK", "after-checkpoint:3")
        .output()
        .expect("runs");
    assert!(!o.status.success());
    // Another seed is another study.
    let mut other = args(d, "40000", &["--resume"]);
    other[5] = "8";
    let o = detente(&other);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("another study"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A shortened table loses runs: refused, with the reason.
    let csv = dir.join(".partial").join("runs.csv");
    let len = std::fs::metadata(&csv).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&csv).unwrap();
    f.set_len(len / 2).unwrap();
    let mut r = a.clone();
    r.push("--resume");
    let o = detente(&r);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("runs.csv") && err.contains("fewer"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
