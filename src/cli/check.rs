//! `detente check FILE...`: validate scenario files; the summary line of a valid one is made by
//! [`crate::report::check`].

use std::io::Write;
use std::path::PathBuf;

use super::CliError;
use crate::report::check::summary;
use crate::scenario::{Diagnostics, Override, load};

/// Checks each file (once per set of overrides a list `--set` stands for); prints a summary line
/// per valid file and returns every problem of the others together.
pub fn run(files: &[PathBuf], set: &[Override], out: &mut impl Write) -> Result<(), CliError> {
    let mut problems = Vec::new();
    for file in files {
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
