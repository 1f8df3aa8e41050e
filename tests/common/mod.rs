//! Helpers shared by the integration tests that run the `detente` binary.
// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Output};

/// Runs the binary with `args` and waits for it.
pub fn detente(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// The standard output of a run that must have succeeded (its stderr in the failure message).
pub fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Sends Ctrl-C (SIGINT) to `child` once it has started writing results into `dir` (its
/// `.partial` folder exists) and a little more, as a user would, and waits for it.
pub fn interrupt_once_started(child: Child, dir: &Path) -> Output {
    let start = std::time::Instant::now();
    while !dir.join(".partial").exists() {
        assert!(start.elapsed().as_secs() < 60, "the study did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    child.wait_with_output().expect("the child ends")
}

/// The text of an experiment over `scenario` with two parameters (the hawks' influence and
/// misperception, uniform) and the outcomes deal and strike; `replications` as written (tests
/// of limits pass values no integer type holds), and a `seed` line when one is given.
pub fn two_parameter_experiment(
    name: &str,
    scenario: &Path,
    design: &str,
    replications: &str,
    seed: Option<u64>,
) -> String {
    let seed = seed
        .map(|s| format!("    seed: {s},\n"))
        .unwrap_or_default();
    format!(
        r#"Experiment(
    name: "{name}",
    scenario: {scenario:?},
    parameters: [
        Parameter(path: "actors.hawks.influence", distribution: Uniform(low: 0.2, high: 0.7)),
        Parameter(path: "params.misperception", distribution: Uniform(low: 0.0, high: 0.3)),
    ],
    design: {design},
    replications: {replications},
    outcomes: ["deal", "strike"],
{seed})
"#
    )
}
