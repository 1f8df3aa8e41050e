//! `detente explain FILE`: every parameter with its value and its provenance, as
//! [`crate::report::explain`] writes it.

use std::io::Write;
use std::path::Path;

use super::CliError;
use crate::report::explain::explain;
use crate::scenario::{Override, load};

/// Prints the explanation of the scenario at `file`.
pub fn run(file: &Path, set: &[Override], out: &mut impl Write) -> Result<(), CliError> {
    let loaded = load(file, set)?;
    let _ = out.write_all(explain(&loaded).as_bytes());
    Ok(())
}
