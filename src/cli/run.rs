//! `detente run SCENARIO`: an ensemble and its summary table (or JSON).
//!
//! A list `--set` (`a=1,2`) stands for one variant per value (several lists multiply). The
//! variants are made one at a time from the scenario read once ([`Grid`]): a first pass
//! validates them all and keeps only their problems; then each is made again, run and
//! summarised, and its summary printed as soon as it is done ([`Printer`]). Memory therefore
//! does not grow with the number of variants (except with `--out`, whose manifest records
//! every resolved variant).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::CliError;
use crate::report::run::{picture, summary_json, table};
use crate::scenario::{Diagnostics, Loaded, Override, Prepared, Scenario};
use crate::study::batch::{Ensemble, run_ensemble};
use crate::study::results::{Study, StudyVariant};

/// Output format of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON object for scripts.
    Json,
}

/// Where `run` and `compare` write results files.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OutArgs {
    /// Write results files here (runs and per-round series as CSV and Parquet, manifest).
    #[arg(long = "out", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// With --out: also write every run's full trace (traces.jsonl).
    #[arg(long)]
    pub traces: bool,
    /// With --out: finish a study that was interrupted in DIR.
    #[arg(long)]
    pub resume: bool,
}

/// The variants a list of `--set`s stands for, made one at a time: variant `k` has the
/// overrides of [`crate::scenario::expand`]'s `k`-th set (the first `--set` varies slowest),
/// applied to the scenario file read once.
pub(super) struct Grid {
    prepared: Prepared,
    /// Per `--set`: its path and its values.
    lists: Vec<(String, Vec<String>)>,
    count: u64,
}

/// Variants validated per chunk of the first pass.
const CHECK_CHUNK: u64 = 32;

impl Grid {
    /// The variants of `file` under `set`; `count` is their number
    /// ([`crate::scenario::variant_count`]).
    fn new(file: &Path, set: &[Override], count: u64) -> Result<Grid, CliError> {
        let prepared = crate::scenario::prepare(file)?;
        Ok(Grid {
            prepared,
            lists: set.iter().map(|o| (o.path.clone(), o.values())).collect(),
            count,
        })
    }

    /// The number of variants (at least 1).
    pub(super) fn len(&self) -> u64 {
        self.count
    }

    /// The overrides of variant `k`.
    pub(super) fn overrides(&self, k: u64) -> Vec<Override> {
        let mut rest = k;
        let mut picked = vec![0; self.lists.len()];
        for (slot, (_, values)) in picked.iter_mut().zip(&self.lists).rev() {
            let n = values.len().max(1) as u64;
            *slot = (rest % n) as usize;
            rest /= n;
        }
        self.lists
            .iter()
            .zip(picked)
            .map(|((path, values), i)| Override {
                path: path.clone(),
                value: values.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    }

    /// Variant `k`, validated, with its overrides.
    pub(super) fn scenario(&self, k: u64) -> Result<(Scenario, Vec<Override>), Diagnostics> {
        let overrides = self.overrides(k);
        let s = self.prepared.scenario(&overrides)?;
        Ok((s, overrides))
    }

    /// Variant `k` with its files, digest and provenance (what results files record).
    fn loaded(&self, k: u64) -> Result<Loaded, Diagnostics> {
        self.prepared.load(&self.overrides(k))
    }

    /// The first pass: validates every variant with `resolve(worker, k)` (which gives its
    /// engine's name and what the caller keeps of it; `make()` is each worker's own state) on
    /// `threads` workers, and hands what it keeps to `keep` in order. Returns the engine they
    /// all use, or every variant's problems; variants on different engines are refused.
    pub(super) fn check<W, T: Send>(
        &self,
        threads: usize,
        make: impl Fn() -> W + Sync,
        resolve: impl Fn(&mut W, u64) -> Result<(&'static str, T), Diagnostics> + Sync,
        mut keep: impl FnMut(T),
    ) -> Result<&'static str, CliError> {
        let mut problems = Vec::new();
        // The engines of the variants in order, as (name, variants in a row).
        let mut engines: Vec<(&'static str, u64)> = Vec::new();
        let done = crate::study::executor::execute(
            threads,
            0..self.count,
            CHECK_CHUNK,
            make,
            |w, chunk| chunk.map(|k| resolve(w, k)).collect::<Vec<_>>(),
            |_, part| {
                for r in part {
                    match r {
                        Ok((engine, t)) => {
                            match engines.last_mut() {
                                Some((e, n)) if *e == engine => *n += 1,
                                _ => engines.push((engine, 1)),
                            }
                            keep(t);
                        }
                        Err(Diagnostics(d)) => problems.extend(d),
                    }
                }
                Ok::<_, std::convert::Infallible>(())
            },
            &|_| false,
        );
        let Ok(_) = done;
        if !problems.is_empty() {
            return Err(Diagnostics(problems).into());
        }
        match engines[..] {
            [(engine, _)] => Ok(engine),
            _ => {
                let names: Vec<&str> = engines
                    .iter()
                    .flat_map(|&(e, n)| std::iter::repeat_n(e, n as usize))
                    .collect();
                Err(CliError::Usage(format!(
                    "the values of --set give different engines ({}): run them one at a time",
                    names.join(", ")
                )))
            }
        }
    }
}

/// Prints the summaries of the variants as they come: tables one after the other, separated
/// by an empty line; in JSON one object, or an array of them when there are several, byte for
/// byte what `serde_json::to_string_pretty` gives of the whole.
pub(super) struct Printer<'a, W: Write> {
    out: &'a mut W,
    json: bool,
    items: u64,
    /// JSON: the first object, held until it is known whether an array is printed.
    held: Option<String>,
}

impl<'a, W: Write> Printer<'a, W> {
    /// A printer to `out`, of JSON objects when `json`, of tables otherwise.
    pub(super) fn new(out: &'a mut W, json: bool) -> Self {
        Printer {
            out,
            json,
            items: 0,
            held: None,
        }
    }

    /// Prints the next table.
    pub(super) fn table(&mut self, text: &str) -> std::io::Result<()> {
        if self.items > 0 {
            self.out.write_all(b"\n")?;
        }
        self.items += 1;
        self.out.write_all(text.as_bytes())
    }

    /// Prints the next JSON object, already pretty-printed.
    pub(super) fn pretty(&mut self, text: String) -> std::io::Result<()> {
        self.items += 1;
        match (self.items, self.held.take()) {
            (1, _) => {
                self.held = Some(text);
                Ok(())
            }
            (_, Some(first)) => self
                .out
                .write_all(b"[\n")
                .and_then(|()| indented(self.out, &first))
                .and_then(|()| self.out.write_all(b",\n"))
                .and_then(|()| indented(self.out, &text)),
            (_, None) => self
                .out
                .write_all(b",\n")
                .and_then(|()| indented(self.out, &text)),
        }
    }

    /// Ends the output: closes the JSON array, or prints the one object held.
    pub(super) fn finish(mut self) -> std::io::Result<()> {
        if !self.json {
            return Ok(());
        }
        match (self.items, self.held.take()) {
            (0, _) => self.out.write_all(b"[]\n"),
            (_, Some(only)) => self
                .out
                .write_all(only.as_bytes())
                .and_then(|()| self.out.write_all(b"\n")),
            (_, None) => self.out.write_all(b"\n]\n"),
        }
    }
}

/// `v` pretty-printed.
pub(super) fn pretty(v: &Value) -> Result<String, CliError> {
    serde_json::to_string_pretty(v).map_err(|e| CliError::Io(std::io::Error::other(e)))
}

/// Writes a pretty-printed JSON value one level deeper, as an element of an array: every line
/// (JSON strings hold no raw line breaks) indented by two spaces.
fn indented(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(b"  ")?;
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// What the first pass keeps of each variant.
enum Kept {
    /// Nothing: the variants are made again one at a time.
    Nothing,
    /// Everything results files record (`--out` of the negotiation model).
    Loaded(Vec<Loaded>),
    /// The label and resolved scenario of each, as a reference engine's manifest records them.
    Described(Vec<Value>),
    /// The summaries of the first variants of a deterministic reference engine, made on the
    /// way (see [`super::engines::check_and_render`]).
    Rendered(Vec<String>),
}

/// Runs the ensemble and prints its summary; a list `--set` (`a=1,2`) runs one ensemble per
/// value, printed one after the other (a JSON array in JSON format). With `--out`, results
/// files are written as runs finish, and Ctrl-C stops cleanly.
pub fn run(
    file: &Path,
    set: &[Override],
    e: Ensemble,
    format: Format,
    plot: Option<&Path>,
    results: &OutArgs,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let Some(count) = crate::scenario::variant_count(set) else {
        return Err(CliError::Usage(
            "the --set lists make more variants than can be counted: give fewer values".into(),
        ));
    };
    if count > 1 && plot.is_some() {
        return Err(CliError::Usage(
            "--plot draws one ensemble: to picture several values side by side, use `detente compare`".into(),
        ));
    }
    if results.dir.is_none() && (results.traces || results.resume) {
        return Err(CliError::Usage(
            "--traces and --resume go with --out DIR".into(),
        ));
    }
    let grid = Grid::new(file, set, count)?;
    // What the first pass keeps depends on the engine, which all variants must share: the
    // first variant's tells (if it is invalid, the pass reports it and nothing is kept).
    let first = grid.scenario(0).ok();
    let negotiation = first
        .as_ref()
        .is_none_or(|(s, _)| s.engine == crate::scenario::types::Engine::Negotiation);
    let deterministic = !negotiation && first.is_some_and(|(s, _)| !crate::engines::stochastic(&s));
    let name = |s: &Scenario| s.engine.name();
    let mut all = Vec::new();
    let (engine, kept) = match (&results.dir, negotiation) {
        (None, _) if deterministic => {
            let (engine, held) =
                super::engines::check_and_render(&grid, e, format == Format::Json)?;
            (engine, Kept::Rendered(held))
        }
        (None, _) => {
            let check = |_: &mut (), k| grid.scenario(k).map(|(s, _)| (name(&s), ()));
            (grid.check(e.threads, || (), check, |()| ())?, Kept::Nothing)
        }
        (Some(_), true) => {
            let check = |_: &mut (), k| grid.loaded(k).map(|l| (name(&l.scenario), l));
            let engine = grid.check(e.threads, || (), check, |l| all.push(l))?;
            (engine, Kept::Loaded(all))
        }
        (Some(_), false) => {
            let mut described = Vec::new();
            let check = |_: &mut (), k| {
                grid.scenario(k).map(|(s, o)| {
                    let label = super::compare::label_of(&o);
                    (name(&s), serde_json::json!({"label": label, "scenario": s}))
                })
            };
            let engine = grid.check(e.threads, || (), check, |d| described.push(d))?;
            (engine, Kept::Described(described))
        }
    };
    if engine != crate::scenario::types::Engine::Negotiation.name() {
        if plot.is_some() || results.traces {
            return Err(CliError::Usage(
                "--plot and --traces are for the negotiation model; a reference engine's \
                 --out files hold every round of every run"
                    .into(),
            ));
        }
        let (described, held) = match kept {
            Kept::Described(d) => (Some(d), Vec::new()),
            Kept::Rendered(held) => (None, held),
            _ => (None, Vec::new()),
        };
        return super::engines::run(
            &grid,
            described,
            held,
            e,
            format == Format::Json,
            results.dir.as_deref(),
            results.resume,
            out,
        );
    }
    let mut printer = Printer::new(out, format == Format::Json);
    let mut print = |s: &Scenario, overrides: &[Override], agg: &crate::study::batch::Aggregate| {
        if let Some(path) = plot {
            super::write_atomically(path, picture(s, overrides, agg).as_bytes())
                .map_err(CliError::Io)?;
        }
        match format {
            Format::Table => printer.table(&table(s, overrides, agg, e.seed)),
            Format::Json => printer.pretty(pretty(&summary_json(s, overrides, agg, e.seed))?),
        }
        .map_err(CliError::Io)
    };
    let mut interrupted = None;
    match (&results.dir, kept) {
        (Some(dir), Kept::Loaded(loaded)) => {
            let study = Study {
                command: "run".into(),
                variants: loaded
                    .into_iter()
                    .map(|l| StudyVariant {
                        label: super::compare::label_of(&l.overrides),
                        loaded: l,
                    })
                    .collect(),
                runs: e.runs,
                seed: e.seed,
                threads: e.threads,
                traces: results.traces,
            };
            let f = super::study_with_progress(&study, dir, results.resume)?;
            if !f.complete() {
                interrupted = Some((f.finished, f.requested, dir.clone()));
            }
            for (v, result) in study.variants.iter().zip(&f.comparison.variants) {
                print(&v.loaded.scenario, &v.loaded.overrides, &result.agg)?;
            }
        }
        _ => {
            for k in 0..grid.len() {
                let (s, overrides) = grid.scenario(k)?;
                let s = Arc::new(s);
                let agg = run_ensemble(&s, e);
                print(&s, &overrides, &agg)?;
            }
        }
    }
    printer.finish().map_err(CliError::Io)?;
    super::print_then_report(out, "", interrupted)
}
