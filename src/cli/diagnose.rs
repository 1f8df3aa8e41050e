//! `detente diagnose SCENARIO`: how often each mechanism is active in an ensemble, with the
//! inert ones flagged (counts in [`crate::study::diagnose`], text in [`crate::report::diagnose`]);
//! with `--knobs`, the tornado of every input ([`crate::study::knobs`]).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use super::{CliError, Format};
use crate::scenario::types::Engine;
use crate::scenario::{Override, load};
use crate::sim::Sim;
use crate::study::batch::Progress;
use crate::study::diagnose::Activity;
use crate::study::knobs::{self, KnobEffect};

/// Runs per chunk of the executor.
const CHUNK: u64 = 512;

/// How much to run.
pub struct Runs {
    /// Runs of the activity count.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// With `--knobs`: runs at each end of each knob's range.
    pub knob_runs: Option<u64>,
    /// Report why runs end without a deal (`detente why`) instead of the mechanisms.
    pub why: bool,
}

/// Runs the ensemble of `file` (under `set`, single values) and prints what was active; with
/// knob runs, also the tornado of every knob.
pub fn run(
    file: &Path,
    set: &[Override],
    how: Runs,
    format: Format,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let Runs {
        runs,
        seed,
        threads,
        knob_runs,
        why,
    } = how;
    if set.iter().any(|o| o.values().len() > 1) {
        return Err(CliError::Usage(
            "diagnose and why look at one scenario: give each --set a single value".into(),
        ));
    }
    let scenario = Arc::new(load(file, set)?.scenario);
    if scenario.engine != Engine::Negotiation {
        return Err(CliError::Usage(format!(
            "diagnose and why read the mechanisms of the negotiation model; this scenario runs the {} reference engine",
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
    let tornado = match knob_runs {
        Some(n) => Some(knobs(file, set, &scenario, n, seed, threads)?),
        None => None,
    };
    let text = match format {
        Format::Table if why => crate::report::diagnose::why_table(&scenario, &activity, seed),
        Format::Json if why => {
            let mut v = crate::report::diagnose::why_json(&scenario, &activity, seed);
            v["overrides"] = set.iter().map(|o| o.to_string()).collect();
            serde_json::to_string_pretty(&v).expect("json") + "\n"
        }
        Format::Table => {
            let mut t = crate::report::diagnose::table(&scenario, &activity, seed);
            if let Some((effects, skipped, n)) = &tornado {
                t += &crate::report::diagnose::knobs_table(&scenario, effects, skipped, *n);
            }
            t
        }
        Format::Json => {
            let mut v = crate::report::diagnose::json(&scenario, &activity, seed);
            v["overrides"] = set.iter().map(|o| o.to_string()).collect();
            if let Some((effects, skipped, n)) = &tornado {
                v["knobs"] = crate::report::diagnose::knobs_json(&scenario, effects, skipped, *n);
            }
            serde_json::to_string_pretty(&v).expect("json") + "\n"
        }
    };
    out.write_all(text.as_bytes()).map_err(CliError::Io)
}

/// The knobs that could not be moved, with the reason.
type Skipped = Vec<(String, String)>;

/// Every knob of `scenario` moved over its range, `runs` paired runs at each end, ranked;
/// with the knobs an end of whose range does not validate, and the runs per end.
fn knobs(
    file: &Path,
    set: &[Override],
    scenario: &crate::scenario::Scenario,
    runs: u64,
    seed: u64,
    threads: usize,
) -> Result<(Vec<KnobEffect>, Skipped, u64), CliError> {
    let prepared = crate::scenario::prepare(file)?;
    let list = knobs::knobs(scenario);
    let show = std::io::stderr().is_terminal();
    let progress = Progress::new(show, 2 * runs * list.len() as u64);
    let (mut effects, mut skipped) = (Vec::new(), Vec::new());
    let done = crate::study::executor::execute(
        threads,
        0..list.len() as u64,
        1,
        || (),
        |_, chunk| {
            chunk
                .map(|i| {
                    let k = &list[i as usize];
                    (
                        k.path.clone(),
                        knobs::measure(&prepared, set, k, runs, seed),
                    )
                })
                .collect::<Vec<_>>()
        },
        |chunk, part| {
            for (path, r) in part {
                match r {
                    Ok(e) => effects.push(e),
                    Err(why) => skipped.push((path, why)),
                }
            }
            progress.show(2 * runs * chunk.end);
            Ok::<_, std::convert::Infallible>(())
        },
        &|_| false,
    );
    let Ok(_) = done;
    progress.clear();
    knobs::rank(&mut effects);
    Ok((effects, skipped, runs))
}
