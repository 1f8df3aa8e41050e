//! `detente check FILE...`: validate scenario files; the summary line of a valid one is made by
//! [`crate::report::check`].

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::report::check::summary;
use crate::scenario::{Diagnostics, Override, load};

/// Checks each file (once per set of overrides a list `--set` stands for); prints a summary line
/// per valid file and returns every problem of the others together.
pub fn run(
    files: &[PathBuf],
    set: &[Override],
    allow_large: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let mut problems = Vec::new();
    for file in files {
        if is_experiment(file) {
            // An experiment names its own scenario and variations: `--set` is for scenarios.
            match super::experiment::check(file, allow_large) {
                Ok(line) => {
                    let _ = writeln!(out, "{line}");
                }
                Err(CliError::Invalid(Diagnostics(d))) => problems.extend(d),
                Err(e) => return Err(e),
            }
            continue;
        }
        for overrides in crate::scenario::expand(set) {
            match load(file, &overrides) {
                Ok(loaded) => {
                    let _ = writeln!(out, "{}", summary(&loaded));
                }
                Err(Diagnostics(d)) => problems.extend(d),
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(problems).into())
    }
}

/// Whether `file` is an experiment file: its first item, past comments and `#![...]`
/// attributes, is `Experiment(`. Unreadable files are not (the scenario loader reports them).
fn is_experiment(file: &std::path::Path) -> bool {
    let Ok(text) = crate::safe_fs::read_input(file, "file") else {
        return false;
    };
    let mut rest = text.as_str();
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, r)| r);
        } else if let Some(r) = rest.strip_prefix("#![") {
            rest = r.split_once(']').map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    rest.starts_with("Experiment")
}
