//! `detente story SCENARIO`: one run told round by round, and its trace as JSON Lines. The
//! story and the trace lines are made by [`crate::report::story`].

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::CliError;
use crate::report::story::{engine_trace, story, with_overrides};
use crate::scenario::{Override, load};
use crate::sim::Sim;

/// Plays run `run` under the master seed `seed` (the run an ensemble or study with that seed
/// played under that index), prints its story, and writes the trace to `trace` if asked.
pub fn run(
    file: &Path,
    set: &[Override],
    seed: u64,
    run: u64,
    trace: Option<&Path>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let sets = crate::scenario::expand(set);
    if sets.len() > 1 && trace.is_some() {
        return Err(CliError::Usage(
            "--trace writes one run: give each --set a single value".into(),
        ));
    }
    for (i, overrides) in sets.iter().enumerate() {
        let loaded = load(file, overrides)?;
        if run > 0 && loaded.scenario.engine != crate::scenario::types::Engine::Negotiation {
            return Err(CliError::Usage(format!(
                "--run {run}: a reference engine plays one run per seed; vary --seed instead"
            )));
        }
        if let Some((text, t)) = super::engines::story(&loaded.scenario, seed) {
            if let Some(path) = trace {
                let lines = engine_trace(&t).map_err(|e| CliError::Io(e.into()))?;
                crate::study::write_atomically(path, lines.as_bytes()).map_err(CliError::Io)?;
            }
            out.write_all(text.as_bytes()).map_err(CliError::Io)?;
            continue;
        }
        let scenario = Arc::new(loaded.scenario);
        let mut sim = Sim::new(scenario.clone());
        let view = sim.run(seed, run);
        if let Some(path) = trace {
            // Complete or not at all, never through a planted link, never over a device, link
            // or directory (`safe_fs::write_atomically_with`).
            crate::safe_fs::write_atomically_with(path, |f| {
                crate::report::story::write_trace(f, view.trace, view.outcome)
            })
            .map_err(CliError::Io)?;
        }
        let mut text = with_overrides(
            story(&scenario, seed, run, view.trace, view.outcome),
            overrides,
        );
        if i > 0 {
            text.insert(0, '\n');
        }
        out.write_all(text.as_bytes()).map_err(CliError::Io)?;
    }
    Ok(())
}
