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

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde_json::{Value as Json, json};

use super::compare::{Comparison, execute};
use super::results_dir::{Layout, ResultsDir, identity};
use super::table::{Column, ColumnType, TableWriter, Value};
use crate::outcome::{Outcome, OutcomeKind};
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

pub use super::results_dir::ResultsError;

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
fn write_series(staging: &Path, study: &Study, c: &Comparison) -> io::Result<Vec<String>> {
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
    w.finish()?;
    Ok(vec!["series.csv".into(), "series.parquet".into()])
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
        Value::Str(OutcomeKind::of(view.outcome).name(s)),
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
                Outcome::Collapse { cause: c, .. } => cause = Value::Str(c.name().to_owned()),
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
                        .map(|(p, level)| format!("{}:{}", s.actors[*p].id, level.name()))
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

/// What identifies a study for `--resume`: command, seed, runs, traces, and each variant's
/// label, overrides and resolved scenario (its content, not the paths it was read from).
fn study_identity(study: &Study) -> String {
    let variants: Vec<Json> = study
        .variants
        .iter()
        .map(|v| {
            json!({
                "label": v.label,
                "overrides": v.loaded.overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
                "scenario": v.loaded.scenario,
            })
        })
        .collect();
    identity(&json!({
        "command": study.command,
        "seed": study.seed,
        "requested_runs": study.runs,
        "traces": study.traces,
        "variants": variants,
    }))
}

/// What the manifest says the study was: command, seed, runs, and each variant's label, files
/// (as given, with their SHA-256) and overrides.
fn describe(study: &Study) -> Json {
    let variants: Vec<Json> = study
        .variants
        .iter()
        .map(|v| {
            let files: Vec<Json> = v
                .loaded
                .files
                .iter()
                .map(|f| {
                    json!({
                        "path": f.display().to_string(),
                        "sha256": super::sha256_file(f).ok(),
                    })
                })
                .collect();
            json!({
                "label": v.label,
                "files": files,
                "overrides": v.loaded.overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "command": study.command,
        "seed": study.seed,
        "requested_runs": study.runs,
        "traces": study.traces,
        "variants": variants,
    })
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Runs `study` and writes its results to `dir` (see [`super::results_dir`]), asking
/// `stop(finished runs)` after every chunk: when it returns true the study stops there, keeps
/// what finished, and records in the manifest how many of how many runs finished. With
/// `resume`, `dir` must hold a stopped run of the same study, which is completed to the same
/// files an uninterrupted run writes.
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
    let layout = Layout {
        tables: vec![("runs".into(), run_columns(&scenarios[0]))],
        streams: if study.traces {
            vec!["traces.jsonl".into()]
        } else {
            Vec::new()
        },
    };
    let id = study_identity(study);
    let started = SystemTime::now();
    let clock = Instant::now();
    let (mut out, done_before, mut comparison) = if resume {
        ResultsDir::resume(dir, id, layout, Comparison::new(&scenarios))?
    } else {
        (
            ResultsDir::create(dir, id, layout, &Comparison::new(&scenarios))?,
            0,
            Comparison::new(&scenarios),
        )
    };
    if done_before > study.runs || comparison.variants.len() != scenarios.len() {
        return Err(ResultsError::CannotResume(
            dir.to_path_buf(),
            "its checkpoint does not match the study".into(),
        ));
    }
    let done = execute(
        &scenarios,
        done_before..study.runs,
        study.seed,
        study.threads,
        &|done| stop(done_before + done),
        &mut comparison,
        |v, run, view| rows_of(study, v, run, view),
        |c, rows| {
            for r in rows {
                out.tables[0].push(&r.run)?;
                if let Some(line) = r.trace {
                    out.streams[0].write_all(line.as_bytes())?;
                    out.streams[0].write_all(b"\n")?;
                }
            }
            out.checkpoint(c.runs(), c)
        },
    )
    .map_err(|e| ResultsError::Io(dir.to_path_buf(), e))?;
    let finished = done_before + done;
    let seconds = clock.elapsed().as_secs_f64();
    let manifest = json!({
        "detente_version": env!("CARGO_PKG_VERSION"),
        "study": describe(study),
        "resolved_scenarios": study.variants.iter().map(|v| json!({"label": v.label, "scenario": v.loaded.scenario})).collect::<Vec<_>>(),
        "finished_runs": finished,
        "requested_runs": study.runs,
        "resumed_from": done_before,
        "started": rfc3339(started),
        "ended": rfc3339(SystemTime::now()),
        "seconds": seconds,
        "runs_per_second": if seconds > 0.0 { done as f64 / seconds } else { 0.0 },
    });
    let manifest = match manifest {
        Json::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    out.finish(
        finished,
        finished == study.runs,
        &comparison,
        manifest,
        |staging| write_series(staging, study, &comparison),
    )?;
    Ok(Finished {
        comparison,
        finished,
        requested: study.runs,
    })
}
