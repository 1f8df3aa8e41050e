//! A study whose disk fills up stops with a clear error (exit status 1, no panic) and leaves a
//! directory `--resume` finishes, once there is room again, into files byte-identical to those
//! of a study that never ran out of space.
//!
//! The disk is a 2 MB tmpfs, mounted for the test. That needs root, or a user namespace
//! (`unshare -rm`, in which the test runs itself again); where neither is allowed, the test
//! prints why it is skipped and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{detente, stdout};

const BASE: &str = "scenarios/iran-talks-2025.ron";
/// About 320 bytes of results per run: 20,000 runs need some 6.5 MB, far above the disk's 2 MB.
const RUNS: &str = "20000";
const SMALL: &str = "size=2m";
const LARGE: &str = "size=64m";
/// Set in the copy of this test that runs inside `unshare -rm`.
const IN_NAMESPACE: &str = "DETENTE_FULL_DISK_IN_NAMESPACE";
const TEST_NAME: &str = "a_full_disk_stops_the_study_cleanly_and_resume_finishes_it";

/// A tmpfs mounted at `dir`, unmounted (and `dir` removed) when dropped, whether the test passed
/// or not.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs with `options` at a new directory `dir`; the reason when that fails.
    fn mount(dir: PathBuf, options: &str) -> Result<Self, String> {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(&dir)
            .output();
        match o {
            Ok(o) if o.status.success() => Ok(Self { dir }),
            Ok(o) => {
                let _ = std::fs::remove_dir(&dir);
                Err(format!(
                    "`mount -t tmpfs` failed ({}): {}",
                    o.status,
                    String::from_utf8_lossy(&o.stderr).trim()
                ))
            }
            Err(e) => {
                let _ = std::fs::remove_dir(&dir);
                Err(format!("cannot run `mount`: {e}"))
            }
        }
    }

    /// Changes the size of the mounted tmpfs (`options` as `size=64m`).
    fn remount(&self, options: &str) {
        let o = Command::new("mount")
            .args(["-o", &format!("remount,{options}"), "tmpfs"])
            .arg(&self.dir)
            .output()
            .expect("mount runs");
        assert!(
            o.status.success(),
            "remount with {options}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            // Busy (a child still holds a file): detach it now, it goes when released.
            let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
        }
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("detente-full-disk-{}-{name}", std::process::id()))
}

fn study(dir: &Path, resume: bool) -> std::process::Output {
    let d = dir.to_str().expect("a UTF-8 temporary path");
    let mut a = vec!["run", BASE, "--runs", RUNS, "--seed", "3", "--out", d];
    if resume {
        a.push("--resume");
    }
    detente(&a)
}

/// Fails the test unless `o` is the clean error of a full disk: exit status 1, no panic, an
/// error that names the results directory and says how to go on.
fn assert_clean_full_disk_error(o: &std::process::Output, dir: &Path, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "{what}: {RUNS} runs fit into a 2 MB disk (raise RUNS); stderr: {err}"
    );
    assert!(!err.contains("panicked"), "{what}: a panic: {err}");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{what}: exit status; stderr: {err}"
    );
    assert!(
        err.contains(&dir.display().to_string()),
        "{what}: the error names the directory: {err}"
    );
    assert!(
        err.contains("No space left on device") && err.contains("--resume"),
        "{what}: the error says the disk is full and how to go on: {err}"
    );
    assert!(
        dir.join(".partial").join("checkpoint.json").is_file(),
        "{what}: a checkpoint is left behind for --resume"
    );
}

/// The manifest without what differs between two runs of the same study: the times and the
/// note that it was resumed.
fn stable_manifest(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("a manifest");
    let mut m: serde_json::Value = serde_json::from_str(&text).expect("the manifest is JSON");
    let o = m.as_object_mut().expect("the manifest is an object");
    for k in [
        "started",
        "ended",
        "seconds",
        "runs_per_second",
        "resumed_from",
    ] {
        o.remove(k);
    }
    m
}

fn run_on_a_full_disk() -> Result<(), String> {
    let disk = Tmpfs::mount(temp("disk"), SMALL)?;
    let whole = TempDir(temp("whole"));
    let out = disk.dir.join("res");

    // The disk fills up: a clean error, a resumable directory.
    let o = study(&out, false);
    assert_clean_full_disk_error(&o, &out, "the study");

    // Resuming while the disk is still full fails the same way and loses nothing.
    let o = study(&out, true);
    assert_clean_full_disk_error(&o, &out, "--resume on the full disk");

    // A rerun without --resume is refused, pointing at --resume.
    let o = study(&out, false);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("--resume") && !err.contains("panicked"),
        "a rerun without --resume: {err}"
    );

    // Room again: --resume finishes the study.
    disk.remount(LARGE);
    let o = study(&out, true);
    stdout(&o);

    // Byte-identical to the same study written in one go.
    stdout(&study(&whole.0, false));
    let files = [
        "runs.csv",
        "runs.parquet",
        "series.csv",
        "series.parquet",
        "state.json",
    ];
    for f in files {
        let a = std::fs::read(whole.0.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let b = std::fs::read(out.join(f)).unwrap_or_else(|e| panic!("resumed {f}: {e}"));
        assert!(a == b, "{f} differs ({} vs {} bytes)", a.len(), b.len());
    }
    let size = std::fs::metadata(whole.0.join("runs.csv")).map_or(0, |m| m.len());
    assert!(
        size > 2 << 20,
        "runs.csv ({size} bytes) would fit the small disk"
    );
    assert!(
        !out.join(".partial").exists(),
        "the staging directory is gone"
    );
    let m = stable_manifest(&out);
    assert_eq!(m["complete"], true);
    assert_eq!(m, stable_manifest(&whole.0), "the manifests differ");
    Ok(())
}

#[test]
fn a_full_disk_stops_the_study_cleanly_and_resume_finishes_it() {
    let direct = match run_on_a_full_disk() {
        Ok(()) => return,
        Err(reason) => reason,
    };
    if std::env::var_os(IN_NAMESPACE).is_some() {
        eprintln!("skipped: no tmpfs even in a user namespace: {direct}");
        return;
    }
    // Not allowed to mount here: run this test again as root of a new user and mount namespace.
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("skipped: {direct}; and the test binary is not found for unshare: {e}");
            return;
        }
    };
    let o = Command::new("unshare")
        .args(["-rm", "--"])
        .arg(&exe)
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(IN_NAMESPACE, "1")
        .output();
    match o {
        Err(e) => eprintln!("skipped: {direct}; and `unshare` cannot run: {e}"),
        Ok(o) => {
            let out = String::from_utf8_lossy(&o.stdout);
            let err = String::from_utf8_lossy(&o.stderr);
            let started = out.contains("running 1 test");
            if !started {
                // `unshare` itself refused (user namespaces disabled): nothing was tested.
                eprintln!(
                    "skipped: {direct}; and `unshare -rm` failed: {}",
                    err.trim()
                );
                return;
            }
            eprint!("{err}");
            assert!(o.status.success(), "in a user namespace:\n{out}\n{err}");
        }
    }
}
