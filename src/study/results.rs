//! Results files of a study (`run --out DIR`, `compare --out DIR`): tables written as runs
//! finish, a manifest, and what is needed to resume an interrupted study.
//!
//! A results directory holds
//!
//! * `runs.csv` / `runs.parquet`: one row per run and variant (outcome, round, deal terms, key
//!   metrics at the end of the run);
//! * `series.csv` / `series.parquet`: per-round series in long format: for each variant, round
//!   and series (threat, gap, trust, consistency, each side's estimate of a deal and mandate), the
//!   runs still going and the series' mean over them (each run's own path is in the traces);
//! * `traces.jsonl` (with `--traces`): the full trace of every run, one JSON line per run;
//! * `manifest.json`: what was run (version, scenario files with their SHA-256, the resolved
//!   scenarios, overrides, seed, run count), when, how fast, and how many runs finished;
//! * `state.json`: the exact aggregates of the finished runs, which `--resume` continues from.
//!
//! Guarantees: rows are written in run order, so the same study gives byte-identical tables on
//! any thread count; files are written under `.partial/` and moved into place when complete, so
//! a file in the directory is always whole; memory stays flat for any run count; an existing
//! directory is never overwritten (only `--resume` reuses one, and only for the same study).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde_json::{Value as Json, json};

use super::compare::{Comparison, execute};
use super::table::{Column, ColumnType, TableWriter, Value, read_parquet};
use super::{sha256_file, write_json};
use crate::outcome::Outcome;
use crate::scenario::{Loaded, Scenario};
use crate::sim::RunView;

/// One variant of a study, as the results record it.
#[derive(Debug, Clone)]
pub struct StudyVariant {
    /// Name in the `variant` column.
    pub label: String,
    /// The loaded scenario (files, overrides, digest).
    pub loaded: Loaded,
}

/// What a study runs.
#[derive(Debug, Clone)]
pub struct Study {
    /// `run` or `compare`.
    pub command: String,
    /// Variants; the first is the base of a comparison.
    pub variants: Vec<StudyVariant>,
    /// Runs per variant.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Also write every run's full trace.
    pub traces: bool,
}

/// How a study ended.
#[derive(Debug)]
pub struct Finished {
    /// The aggregates of every finished run, per variant.
    pub comparison: Comparison,
    /// Runs finished per variant.
    pub finished: u64,
    /// Runs asked for per variant.
    pub requested: u64,
}

impl Finished {
    /// All requested runs finished.
    pub fn complete(&self) -> bool {
        self.finished == self.requested
    }
}

/// Why a study could not write its results.
#[derive(Debug)]
pub enum ResultsError {
    /// The directory exists and this is not a resume.
    Exists(PathBuf),
    /// `--resume` on a directory that holds no unfinished study, or another study.
    CannotResume(PathBuf, String),
    /// Reading or writing failed.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for ResultsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResultsError::Exists(d) => write!(
                f,
                "`{}` already exists: results are never overwritten. Choose another --out \
                 directory, remove this one, or add --resume to finish an interrupted study",
                d.display()
            ),
            ResultsError::CannotResume(d, why) => {
                write!(f, "cannot resume `{}`: {why}", d.display())
            }
            ResultsError::Io(p, e) => write!(f, "`{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for ResultsError {}

fn io_at(path: &Path) -> impl Fn(io::Error) -> ResultsError + '_ {
    move |e| ResultsError::Io(path.to_path_buf(), e)
}

/// Columns of the runs table for scenario `s` (the base's issues and sides name them).
fn run_columns(s: &Scenario) -> Vec<Column> {
    let mut c = vec![
        Column::new("variant", ColumnType::Str),
        Column::new("run", ColumnType::U64),
        Column::new("seed", ColumnType::U64),
        Column::new("outcome", ColumnType::Str),
        Column::new("round", ColumnType::U64),
    ];
    for i in &s.issues {
        c.push(Column::new(format!("terms_{}", i.id), ColumnType::OptF64));
    }
    c.extend([
        Column::new("durability", ColumnType::OptF64),
        Column::new("collapse_cause", ColumnType::OptStr),
        Column::new("striker", ColumnType::OptStr),
        Column::new("patron_approval", ColumnType::OptF64),
        Column::new("protector_response", ColumnType::OptStr),
        Column::new("retaliation", ColumnType::OptBool),
        Column::new("gap", ColumnType::F64),
        Column::new("threat", ColumnType::F64),
        Column::new("stalled_rounds", ColumnType::U64),
    ]);
    for side in &s.sides {
        for what in ["trust", "consistency", "deal_estimate"] {
            c.push(Column::new(format!("{what}_{}", side.id), ColumnType::F64));
        }
    }
    c
}

fn series_columns() -> Vec<Column> {
    vec![
        Column::new("variant", ColumnType::Str),
        Column::new("round", ColumnType::U64),
        Column::new("series", ColumnType::Str),
        Column::new("runs", ColumnType::U64),
        Column::new("mean", ColumnType::F64),
    ]
}

/// The per-round series in long format: for each variant, round and series, the number of runs
/// still going in that round and the series' mean over them.
fn write_series(staging: &Path, study: &Study, c: &Comparison) -> io::Result<()> {
    let mut w = TableWriter::create(staging, "series", series_columns())?;
    for (var, result) in study.variants.iter().zip(&c.variants) {
        let s = &var.loaded.scenario;
        for (r, sums) in result.agg.per_round.iter().enumerate() {
            if sums.runs == 0 {
                continue;
            }
            let n = sums.runs as f64;
            let mut push = |name: String, total: f64| {
                w.push(&[
                    Value::Str(var.label.clone()),
                    Value::U64(r as u64 + 1),
                    Value::Str(name),
                    Value::U64(sums.runs),
                    Value::F64(total / n),
                ])
            };
            push("threat".into(), sums.threat.value())?;
            push("gap".into(), sums.gap.value())?;
            push(
                "strike_probability_max".into(),
                sums.strike_probability.value(),
            )?;
            for (k, side) in s.sides.iter().enumerate() {
                push(format!("trust:{}", side.id), sums.trust[k].value())?;
                push(
                    format!("consistency:{}", side.id),
                    sums.consistency[k].value(),
                )?;
                push(
                    format!("deal_estimate:{}", side.id),
                    sums.deal_estimate[k].value(),
                )?;
                for (d, issue) in s.issues.iter().enumerate() {
                    push(
                        format!("mandate:{}:{}", side.id, issue.id),
                        sums.mandate[k][d].value(),
                    )?;
                }
            }
        }
    }
    w.finish().map(|_| ())
}

/// The rows one run contributes: its row in the runs table and its trace line.
struct RunRows {
    run: Vec<Value>,
    trace: Option<String>,
}

fn rows_of(study: &Study, v: usize, run: u64, view: &RunView<'_>) -> RunRows {
    let var = &study.variants[v];
    let s = &var.loaded.scenario;
    let last = view.trace.last();
    let label = || Value::Str(var.label.clone());
    let mut row = vec![
        label(),
        Value::U64(run),
        Value::U64(study.seed),
        Value::Str(super::batch::kind(s, view.outcome)),
        Value::U64(last.map_or(0, |r| r.round) as u64),
    ];
    let (mut durability, mut cause, mut striker, mut approval, mut response, mut retaliation) = (
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
    );
    match view.outcome {
        Outcome::Deal {
            terms,
            durability: d,
            ..
        } => {
            row.extend(terms.iter().map(|&y| Value::F64(y)));
            durability = Value::F64(*d);
        }
        other => {
            row.extend(s.issues.iter().map(|_| Value::Null));
            match other {
                Outcome::Collapse { cause: c, .. } => {
                    cause = Value::Str(format!("{c:?}").to_lowercase())
                }
                Outcome::Strike {
                    by,
                    patron_approval,
                    responses,
                    retaliation: r,
                    ..
                } => {
                    striker = Value::Str(s.actors[*by].id.clone());
                    approval = Value::F64(*patron_approval);
                    let text: Vec<String> = responses
                        .iter()
                        .map(|(p, level)| {
                            format!(
                                "{}:{}",
                                s.actors[*p].id,
                                super::batch::response_name(*level)
                            )
                        })
                        .collect();
                    if !text.is_empty() {
                        response = Value::Str(text.join(";"));
                    }
                    retaliation = Value::Bool(*r);
                }
                _ => {}
            }
        }
    }
    row.extend([durability, cause, striker, approval, response, retaliation]);
    row.push(Value::F64(last.map_or(0.0, |r| r.gap)));
    row.push(Value::F64(last.map_or(0.0, |r| r.threat)));
    row.push(Value::U64(last.map_or(0, |r| r.stalled_rounds) as u64));
    for k in 0..s.sides.len() {
        let pick = |f: fn(&crate::outcome::RoundRecord) -> &Vec<f64>| {
            Value::F64(last.map_or(0.0, |r| f(r)[k]))
        };
        row.push(pick(|r| &r.trust));
        row.push(pick(|r| &r.consistency));
        row.push(pick(|r| &r.deal_estimate));
    }
    let trace = study.traces.then(|| {
        serde_json::to_string(&json!({
            "variant": var.label, "run": run, "trace": view.trace, "outcome": view.outcome,
        }))
        .expect("traces serialize")
    });
    RunRows { run: row, trace }
}

/// The open output files of a study, in the staging directory.
struct Writers {
    runs: TableWriter,
    traces: Option<BufWriter<File>>,
}

impl Writers {
    fn create(staging: &Path, base: &Scenario, traces: bool) -> io::Result<Self> {
        Ok(Writers {
            runs: TableWriter::create(staging, "runs", run_columns(base))?,
            traces: if traces {
                Some(BufWriter::new(File::create(staging.join("traces.jsonl"))?))
            } else {
                None
            },
        })
    }

    fn write(&mut self, rows: Vec<RunRows>) -> io::Result<()> {
        for r in rows {
            self.runs.push(&r.run)?;
            if let (Some(w), Some(line)) = (&mut self.traces, r.trace) {
                w.write_all(line.as_bytes())?;
                w.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    fn finish(self) -> io::Result<()> {
        self.runs.finish()?;
        if let Some(mut w) = self.traces {
            w.flush()?;
        }
        Ok(())
    }
}

/// What identifies a study for `--resume`: command, seed, runs, variants with their overrides
/// and the hashes of their files.
fn identity(study: &Study) -> io::Result<Json> {
    let variants = study
        .variants
        .iter()
        .map(|v| {
            let files = v
                .loaded
                .files
                .iter()
                .map(|f| Ok(json!({"path": f.display().to_string(), "sha256": sha256_file(f)?})))
                .collect::<io::Result<Vec<_>>>()?;
            Ok(json!({
                "label": v.label,
                "files": files,
                "overrides": v.loaded.overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
            }))
        })
        .collect::<io::Result<Vec<_>>>()?;
    Ok(json!({
        "command": study.command,
        "seed": study.seed,
        "requested_runs": study.runs,
        "traces": study.traces,
        "variants": variants,
    }))
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Runs `study` and writes its results to `dir`, calling `stop(finished runs)` between batches
/// of runs: when it returns true the study stops there, keeps what finished, and records in the
/// manifest how many of how many runs finished. With `resume`, `dir` must hold an unfinished
/// run of the same study, which is completed to the same files an uninterrupted run writes.
pub fn run_study(
    study: &Study,
    dir: &Path,
    resume: bool,
    stop: &(dyn Fn(u64) -> bool + Sync),
) -> Result<Finished, ResultsError> {
    let scenarios: Vec<Arc<Scenario>> = study
        .variants
        .iter()
        .map(|v| Arc::new(v.loaded.scenario.clone()))
        .collect();
    let id = identity(study).map_err(io_at(dir))?;
    let staging = dir.join(".partial");
    let started = SystemTime::now();
    let clock = Instant::now();

    let (mut comparison, done_before) = if resume {
        prepare_resume(study, dir, &id)?
    } else {
        if dir.exists() {
            return Err(ResultsError::Exists(dir.to_path_buf()));
        }
        fs::create_dir_all(dir).map_err(io_at(dir))?;
        (Comparison::new(&scenarios), 0)
    };
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_at(&staging))?;
    }
    fs::create_dir_all(&staging).map_err(io_at(&staging))?;
    let mut writers =
        Writers::create(&staging, &scenarios[0], study.traces).map_err(io_at(&staging))?;
    if resume {
        copy_finished(dir, &mut writers, study.traces)?;
    }

    let stop_now = std::sync::atomic::AtomicBool::new(false);
    // Rows go to a writer thread through a short queue, so that writing one batch overlaps
    // with simulating the next; the queue's bound keeps memory flat.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RunRows>>(2);
    let (done, writers) = std::thread::scope(|scope| -> io::Result<(u64, Writers)> {
        let writer = scope.spawn(move || -> io::Result<Writers> {
            for rows in rx {
                writers.write(rows)?;
            }
            Ok(writers)
        });
        let mut finished = done_before;
        let done = execute(
            &scenarios,
            done_before..study.runs,
            study.seed,
            study.threads,
            &stop_now,
            &mut comparison,
            |v, run, view| rows_of(study, v, run, view),
            |rows| {
                finished += (rows.len() / scenarios.len()) as u64;
                if stop(finished) {
                    stop_now.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                tx.send(rows)
                    .map_err(|_| io::Error::other("the writer stopped"))
            },
        );
        drop(tx);
        let written = writer.join().expect("the writer thread does not panic");
        // A write error explains a closed queue: report it first.
        let writers = written?;
        Ok((done?, writers))
    })
    .map_err(io_at(&staging))?;
    let finished = done_before + done;
    writers.finish().map_err(io_at(&staging))?;
    write_series(&staging, study, &comparison).map_err(io_at(&staging))?;

    // Move the complete files into place, then record the study.
    let mut files = vec!["runs.csv", "runs.parquet", "series.csv", "series.parquet"];
    if study.traces {
        files.push("traces.jsonl");
    }
    for f in &files {
        fs::rename(staging.join(f), dir.join(f)).map_err(io_at(&dir.join(f)))?;
    }
    fs::remove_dir_all(&staging).map_err(io_at(&staging))?;
    let seconds = clock.elapsed().as_secs_f64();
    let runs_done_now = (finished - done_before) * scenarios.len() as u64;
    write_json(
        &dir.join("state.json"),
        &json!({"finished_runs": finished, "comparison": comparison}),
    )
    .map_err(io_at(dir))?;
    let manifest = json!({
        "detente_version": env!("CARGO_PKG_VERSION"),
        "study": id,
        "resolved_scenarios": study.variants.iter().map(|v| json!({"label": v.label, "scenario": v.loaded.scenario})).collect::<Vec<_>>(),
        "finished_runs": finished,
        "requested_runs": study.runs,
        "complete": finished == study.runs,
        "started": rfc3339(started),
        "ended": rfc3339(SystemTime::now()),
        "seconds": seconds,
        "runs_per_second": if seconds > 0.0 { runs_done_now as f64 / seconds } else { 0.0 },
        "files": files,
    });
    write_json(&dir.join("manifest.json"), &manifest).map_err(io_at(dir))?;
    Ok(Finished {
        comparison,
        finished,
        requested: study.runs,
    })
}

/// Checks that `dir` holds an unfinished run of this study and returns its state.
fn prepare_resume(study: &Study, dir: &Path, id: &Json) -> Result<(Comparison, u64), ResultsError> {
    let fail = |why: &str| ResultsError::CannotResume(dir.to_path_buf(), why.to_owned());
    let manifest: Json = fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| {
            fail("it has no readable manifest.json (was the study started with --out?)")
        })?;
    if manifest["complete"] == json!(true) {
        return Err(fail("the study there is complete: nothing to resume"));
    }
    if &manifest["study"] != id {
        return Err(fail(
            "it holds another study (different scenario files, overrides, seed, run count or \
             --traces): repeat the original command with --resume",
        ));
    }
    let state: Json = fs::read_to_string(dir.join("state.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| fail("its state.json is missing or unreadable"))?;
    let finished = state["finished_runs"]
        .as_u64()
        .ok_or_else(|| fail("state.json has no run count"))?;
    let comparison: Comparison = serde_json::from_value(state["comparison"].clone())
        .map_err(|e| fail(&format!("state.json: {e}")))?;
    if finished > study.runs || comparison.variants.len() != study.variants.len() {
        return Err(fail("state.json does not match the study"));
    }
    Ok((comparison, finished))
}

/// Copies the rows of the finished runs into the new files (from the Parquet table, which holds
/// exactly what the CSV file holds; the series table is rebuilt from the state).
fn copy_finished(dir: &Path, w: &mut Writers, traces: bool) -> Result<(), ResultsError> {
    let mut error = None;
    let path = dir.join("runs.parquet");
    read_parquet(&path, |row| {
        if error.is_none() {
            error = w.runs.push(row).err();
        }
    })
    .map_err(io_at(&path))?;
    if let Some(e) = error.take() {
        return Err(ResultsError::Io(path, e));
    }
    if traces {
        let path = dir.join("traces.jsonl");
        let text = fs::read(&path).map_err(io_at(&path))?;
        if let Some(t) = &mut w.traces {
            t.write_all(&text).map_err(io_at(&path))?;
        }
    }
    Ok(())
}
