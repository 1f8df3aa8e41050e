//! The reference engines from the command line: `story` prints one run's rounds, `run` an
//! ensemble's summary (one run when the engine is deterministic), with `--out` files.
//!
//! The variants of a `--set` grid are made, run and summarised one at a time (a deterministic
//! engine's on all workers at once, a bounded number ahead), and each summary is printed when
//! its variant is done; the summaries themselves are in [`crate::report::engines`].

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use super::CliError;
use super::run::{Grid, Printer, pretty};
use crate::engines::output::{Event, Variant, write_study};
use crate::engines::{Runner, Trace};
use crate::report::engines::{EnsembleSummary, single_summary, single_summary_json};
use crate::scenario::types::Engine;
use crate::scenario::{Override, Scenario};
use crate::study::batch::Ensemble;

/// The story of run 0 under `seed` of a reference-engine scenario: its rounds, as the engine's
/// papers tabulate them, and the trace. `None` for the negotiation model.
pub fn story(s: &Scenario, seed: u64) -> Option<(String, Trace<'static>)> {
    let trace = Runner::new(s)?.run(seed, 0).into_owned();
    Some((crate::report::engines::story(s, seed, &trace), trace))
}

/// Refuses the commands that need the negotiation model.
pub fn require_negotiation(s: &Scenario, command: &str) -> Result<(), super::CliError> {
    match s.engine {
        Engine::Negotiation => Ok(()),
        ref e => Err(super::CliError::Usage(format!(
            "`{}` uses the {} engine: `detente story` prints one run round by round, `detente \
             run` summarises runs and writes them with --out (`{command}` needs the negotiation \
             model)",
            s.name,
            e.name()
        ))),
    }
}

/// Variants of a deterministic engine made, run and summarised per chunk of the executor.
const VARIANT_CHUNK: u64 = 8;

/// What the summary of one variant is made of, fed run by run.
enum Summary {
    /// A deterministic engine: its one run.
    Single(Option<Trace<'static>>),
    /// A stochastic engine: the ensemble's streaming summary.
    Ensemble(Box<EnsembleSummary>),
}

impl Summary {
    fn new(s: &Scenario, stochastic: bool, seed: u64) -> Self {
        if stochastic {
            Summary::Ensemble(Box::new(EnsembleSummary::new(s, seed)))
        } else {
            Summary::Single(None)
        }
    }

    fn add(&mut self, s: &Scenario, trace: &Trace) {
        match self {
            Summary::Single(first) => {
                if first.is_none() {
                    *first = Some(trace.clone().into_owned());
                }
            }
            Summary::Ensemble(e) => e.add(s, trace),
        }
    }

    /// The summary as a table or pretty-printed JSON; `None` when no run finished.
    fn render(
        &self,
        s: &Scenario,
        overrides: &[Override],
        seed: u64,
        json: bool,
    ) -> Result<Option<String>, CliError> {
        Ok(Some(match (self, json) {
            (Summary::Single(None), _) => return Ok(None),
            (Summary::Ensemble(e), _) if e.runs() == 0 => return Ok(None),
            (Summary::Single(Some(t)), _) => render_single(s, overrides, t, json)?,
            (Summary::Ensemble(e), false) => e.text(s, overrides, seed),
            (Summary::Ensemble(e), true) => pretty(&e.json(s, overrides, seed))?,
        }))
    }
}

/// The summary of the one run of a deterministic engine, as a table or pretty-printed JSON.
fn render_single(
    s: &Scenario,
    overrides: &[Override],
    trace: &Trace,
    json: bool,
) -> Result<String, CliError> {
    if json {
        pretty(&single_summary_json(s, overrides, trace))
    } else {
        Ok(single_summary(s, overrides, trace))
    }
}

/// Variant `k`'s one run on a worker's `kept` engine (reloaded for `s` where it can be,
/// built anew otherwise), rendered; `None` for the negotiation model.
fn play(
    kept: &mut Option<Runner>,
    s: &Scenario,
    overrides: &[Override],
    seed: u64,
    json: bool,
) -> Option<Result<String, CliError>> {
    if !kept.as_mut().is_some_and(|r| r.reload(s)) {
        *kept = Runner::new(s);
    }
    let trace = kept.as_mut()?.run(seed, 0);
    Some(render_single(s, overrides, &trace, json))
}

/// Bytes of summaries the first pass of a deterministic engine's grid holds.
const HELD_BYTES: usize = 16 << 20;

/// The first pass of a `--set` grid of a deterministic engine without `--out`: validates
/// every variant (as [`super::run::Grid::check`]) and, on the way, runs and renders the first
/// ones, holding their summaries up to [`HELD_BYTES`] so that they are not made twice. Returns
/// the engine's name and the summaries of variants `0..held.len()`.
pub(super) fn check_and_render(
    grid: &Grid,
    e: Ensemble,
    json: bool,
) -> Result<(&'static str, Vec<String>), CliError> {
    let holding = AtomicBool::new(true);
    let (mut held, mut bytes) = (Vec::new(), 0);
    let engine = grid.check(
        e.threads,
        || None::<Runner>,
        |kept, k| {
            let (s, overrides) = grid.scenario(k)?;
            let text = holding
                .load(Ordering::Relaxed)
                .then(|| play(kept, &s, &overrides, e.seed, json)?.ok())
                .flatten();
            Ok((s.engine.name(), text))
        },
        |text| match text {
            Some(t) if holding.load(Ordering::Relaxed) && bytes + t.len() <= HELD_BYTES => {
                bytes += t.len();
                held.push(t);
            }
            // A summary not held (over the budget, or failed): this one and the rest are
            // made in the second pass.
            _ => holding.store(false, Ordering::Relaxed),
        },
    )?;
    Ok((engine, held))
}

/// Prints one rendered summary.
fn print(printer: &mut Printer<'_, impl Write>, text: String, json: bool) -> std::io::Result<()> {
    if json {
        printer.pretty(text)
    } else {
        printer.table(&text)
    }
}

/// `run` on a reference-engine scenario: one run when the engine is deterministic, an ensemble
/// of `e.runs` seeded runs when it draws (stochastic SMP transitions); a summary per variant of
/// `grid` as a table or JSON, and with `out_dir` the results files (`described` holds what
/// their manifest records of each variant; `held`, the summaries of the first variants
/// already made by [`check_and_render`]).
#[allow(clippy::too_many_arguments)]
pub fn run(
    grid: &Grid,
    described: Option<Vec<serde_json::Value>>,
    held: Vec<String>,
    e: Ensemble,
    json_format: bool,
    out_dir: Option<&std::path::Path>,
    resume: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    if resume {
        return Err(CliError::Usage(
            "--resume is for the negotiation model's studies; a reference-engine run is short: \
             run it again with a new --out"
                .into(),
        ));
    }
    let (first, _) = grid.scenario(0)?;
    let stochastic = crate::engines::stochastic(&first);
    drop(first);
    let runs = if stochastic { e.runs } else { 1 };
    let mut printer = Printer::new(out, json_format);
    let mut interrupted = None;
    match (out_dir, described) {
        (Some(dir), Some(described)) => {
            super::catch_interrupts();
            let make = |k: usize| -> std::io::Result<Variant> {
                let (scenario, overrides) = grid
                    .scenario(k as u64)
                    .map_err(|d| std::io::Error::other(d.to_string()))?;
                Ok(Variant {
                    label: super::compare::label_of(&overrides),
                    scenario,
                })
            };
            let stop = super::progress(runs.saturating_mul(grid.len()));
            // The summary of the variant in progress. Printing never stops the study: a
            // failure to print is reported once the files are complete.
            let mut summary: Option<Summary> = None;
            let mut print_failure: Option<std::io::Error> = None;
            let w = write_study(
                described,
                &make,
                runs,
                e.seed,
                e.threads,
                dir,
                &stop,
                &mut |k, v, event| {
                    let current = summary
                        .get_or_insert_with(|| Summary::new(&v.scenario, stochastic, e.seed));
                    match event {
                        Event::Run(_, t) => current.add(&v.scenario, t),
                        Event::End(_) => {
                            let done = summary.take();
                            if print_failure.is_some() {
                                return Ok(());
                            }
                            let overrides = grid.overrides(k as u64);
                            let text = match done
                                .map(|d| d.render(&v.scenario, &overrides, e.seed, json_format))
                            {
                                Some(Ok(Some(text))) => text,
                                Some(Err(CliError::Io(err))) => {
                                    print_failure = Some(err);
                                    return Ok(());
                                }
                                _ => return Ok(()),
                            };
                            super::clear_progress();
                            if let Err(err) = print(&mut printer, text, json_format) {
                                print_failure = Some(err);
                            }
                        }
                    }
                    Ok(())
                },
            );
            super::clear_progress();
            let w = w.map_err(CliError::Io)?;
            if let Some(err) = print_failure {
                return Err(CliError::Io(err));
            }
            if w.finished < w.requested {
                interrupted = Some((w.finished, w.requested, dir.to_path_buf()));
            }
        }
        _ if stochastic => {
            // Without --out a stopped ensemble would summarise fewer runs than asked: Ctrl-C
            // ends the process as usual, and the progress line only informs.
            let progress = super::progress(runs.saturating_mul(grid.len()));
            for k in 0..grid.len() {
                let (s, overrides) = grid.scenario(k)?;
                let before = k.saturating_mul(runs);
                let shown = |done: u64| {
                    if runs >= 1000 {
                        progress(before + done);
                    }
                    false
                };
                let mut summary = EnsembleSummary::new(&s, e.seed);
                crate::engines::ensemble(&s, 0, runs, e.seed, e.threads, &shown, |_, t| {
                    summary.add(&s, &t);
                    Ok(())
                })
                .map_err(CliError::Io)?;
                let text = Summary::Ensemble(Box::new(summary)).render(
                    &s,
                    &overrides,
                    e.seed,
                    json_format,
                )?;
                if let Some(text) = text {
                    super::clear_progress();
                    print(&mut printer, text, json_format).map_err(CliError::Io)?;
                }
            }
            super::clear_progress();
        }
        _ => {
            // One run per variant: the variants themselves are the work items, made, run and
            // rendered on the workers and printed in order, after those already made.
            let from = held.len() as u64;
            for text in held {
                print(&mut printer, text, json_format).map_err(CliError::Io)?;
            }
            let done = crate::study::executor::execute(
                e.threads,
                from..grid.len(),
                VARIANT_CHUNK,
                || None::<Runner>,
                |kept, chunk| {
                    chunk
                        .map(|k| {
                            let (s, overrides) = grid.scenario(k)?;
                            play(kept, &s, &overrides, e.seed, json_format).transpose()
                        })
                        .collect::<Vec<_>>()
                },
                |_, texts| {
                    for text in texts {
                        if let Some(text) = text? {
                            print(&mut printer, text, json_format).map_err(CliError::Io)?;
                        }
                    }
                    Ok::<_, CliError>(())
                },
                &|_| false,
            );
            done?;
        }
    }
    printer.finish().map_err(CliError::Io)?;
    // Engine studies have no --resume: the message says to run again.
    super::print_then_report_as(out, "", interrupted, false)
}
