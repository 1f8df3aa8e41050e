//! `detente compare BASE [VARIANT...] [--set ...]`: a base and variants under common random
//! numbers, with paired differences. The table, the JSON object and the picture are made by
//! [`crate::report::compare`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CliError;
use super::run::Format;
use crate::report::compare::{Variant, plot, table, to_json};
use crate::scenario::{Diagnostics, Loaded, Override, Scenario, expand, load};
use crate::study::compare::compare;
use crate::study::results::{Study, StudyVariant};

/// How a variant made by overrides is named (kept here for the other commands that name
/// variants the way `compare` does).
pub use crate::scenario::label_of;

/// What `compare` is asked to do.
#[derive(Debug, Clone)]
pub struct CompareArgs {
    /// The base scenario.
    pub base: PathBuf,
    /// Variant files.
    pub variants: Vec<PathBuf>,
    /// Overrides; each value of a list makes a variant of the base.
    pub set: Vec<Override>,
    /// Runs per variant.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Output format.
    pub format: Format,
    /// Write the picture here.
    pub plot: Option<PathBuf>,
    /// Results files.
    pub results: super::run::OutArgs,
}

/// Loads the base and the variants: the variant files, then one variant of the base per set of
/// overrides that the `--set`s stand for. Every problem of every file is reported at once.
pub fn variants(
    base: &Path,
    files: &[PathBuf],
    set: &[Override],
) -> Result<Vec<Variant>, Diagnostics> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut add = |label: String, r: Result<Loaded, Diagnostics>| match r {
        Ok(loaded) => out.push(Variant { label, loaded }),
        Err(Diagnostics(d)) => errors.extend(d),
    };
    add("base".into(), load(base, &[]));
    for f in files {
        let label = f.file_stem().map_or_else(
            || f.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        add(label, load(f, &[]));
    }
    if !set.is_empty() {
        for overrides in expand(set) {
            add(label_of(&overrides), load(base, &overrides));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Diagnostics(errors))
    }
}

/// Runs the comparison and prints it.
pub fn run(a: &CompareArgs, out: &mut impl Write) -> Result<(), CliError> {
    let vs = variants(&a.base, &a.variants, &a.set)?;
    if vs.len() < 2 {
        return Err(CliError::Usage(
            "nothing to compare: name variant files after the base, or give --set PATH=V1,V2"
                .into(),
        ));
    }
    for v in &vs {
        super::engines::require_negotiation(&v.loaded.scenario, "compare")?;
    }
    let mut interrupted = None;
    let c = match &a.results.dir {
        None => {
            let scenarios: Vec<Arc<Scenario>> = vs
                .iter()
                .map(|v| Arc::new(v.loaded.scenario.clone()))
                .collect();
            compare(&scenarios, a.runs, a.seed, a.threads)
        }
        Some(dir) => {
            let study = Study {
                command: "compare".into(),
                variants: vs
                    .iter()
                    .map(|v| StudyVariant {
                        label: v.label.clone(),
                        loaded: v.loaded.clone(),
                    })
                    .collect(),
                runs: a.runs,
                seed: a.seed,
                threads: a.threads,
                traces: a.results.traces,
            };
            let f = super::study_with_progress(&study, dir, a.results.resume)?;
            if !f.complete() {
                interrupted = Some((f.finished, f.requested, dir.clone()));
            }
            f.comparison
        }
    };
    let text = match a.format {
        Format::Table => table(&vs, &c, a.seed),
        Format::Json => {
            serde_json::to_string_pretty(&to_json(&vs, &c, a.seed)).expect("json") + "\n"
        }
    };
    if let Some(path) = &a.plot {
        super::write_atomically(path, plot(&vs, &c).as_bytes()).map_err(CliError::Io)?;
    }
    super::print_then_report(out, &text, interrupted)
}
