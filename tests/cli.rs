//! The `detente` binary as a user meets it: exit codes, summaries, errors on stderr.

use std::process::{Command, Output};

fn detente(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_detente"))
        .args(args)
        .output()
        .expect("the binary runs")
}

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
