//! `detente diagnose SCENARIO`: how often each mechanism is active in an ensemble, with the
//! inert ones flagged (counts in [`crate::study::diagnose`], text in [`crate::report::diagnose`]).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::{CliError, Format};
use crate::scenario::types::Engine;
use crate::scenario::{Override, load};
use crate::sim::Sim;
use crate::study::diagnose::Activity;

/// Runs per chunk of the executor.
const CHUNK: u64 = 512;

/// Runs `runs` runs of `file` (under `set`, single values) on `threads` workers and prints
/// what was active.
pub fn run(
    file: &Path,
    set: &[Override],
    runs: u64,
    seed: u64,
    threads: usize,
    format: Format,
    out: &mut impl Write,
) -> Result<(), CliError> {
    if set.iter().any(|o| o.values().len() > 1) {
        return Err(CliError::Usage(
            "diagnose looks at one scenario: give each --set a single value".into(),
        ));
    }
    let scenario = Arc::new(load(file, set)?.scenario);
    if scenario.engine != Engine::Negotiation {
        return Err(CliError::Usage(format!(
            "diagnose counts the mechanisms of the negotiation model; this scenario runs the {} reference engine",
            scenario.engine.name()
        )));
    }
    let mut activity = Activity::default();
    let done = crate::study::executor::execute(
        threads,
        0..runs,
        CHUNK,
        || Sim::new(scenario.clone()),
        |sim, chunk| {
            let mut part = Activity::default();
            for run in chunk {
                let v = sim.run(seed, run);
                part.add(&scenario, v.trace, v.outcome);
            }
            part
        },
        |_, part| {
            activity.merge(part);
            Ok::<_, std::convert::Infallible>(())
        },
        &|_| false,
    );
    let Ok(_) = done;
    let text = match format {
        Format::Table => crate::report::diagnose::table(&scenario, &activity, seed),
        Format::Json => {
            serde_json::to_string_pretty(&crate::report::diagnose::json(&scenario, &activity, seed))
                .expect("json")
                + "\n"
        }
    };
    out.write_all(text.as_bytes()).map_err(CliError::Io)
}
