//! Results files of reference-engine runs (`detente run SCENARIO --out DIR`), in the same
//! format as the negotiation model's: CSV and Parquet tables, a manifest, written in
//! `DIR/.partial/` and moved into place only once complete.
//!
//! * `rounds` — one row per variant, run and round (state): the engine's forecast and the
//!   capability × salience weighted mean per issue; the fractional change (SMP).
//! * `actors` — one row per variant, run, round and actor: positions (and ideals, SMP), risk,
//!   and what the actor did in that round: the move it accepted with its expected utility
//!   (BDM), or its challenge, the bargain it adopted and that bargain's probability (SMP).
//! * `expected_utilities` (BDM) — one row per variant, run, round, actor and other actor at
//!   another position: the
//!   actor's expected utility of challenging the other, and its perception of the other's of
//!   challenging it (the two numbers that decide an offer).
//! * `bargains` (SMP) — one row per variant, run, state, actor and bargain put to it: initiator,
//!   receiver, the election's probability, whether it was adopted, the position it gives.

use std::io;
use std::path::Path;
use std::time::{Instant, SystemTime};

use serde_json::json;

use super::{Trace, ensemble, weighted_mean};
use crate::scenario::Scenario;
use crate::scenario::types::Engine;
use crate::study::results_dir::{Layout, ResultsDir, identity};
use crate::study::table::{Column, ColumnType, TableWriter, Value};

/// One scenario of the study with its label (`base` or the overrides).
pub struct Variant {
    /// Label in the tables.
    pub label: String,
    /// The resolved scenario.
    pub scenario: Scenario,
}

/// What [`write_study`] shows its caller of each variant, in order.
pub enum Event<'a> {
    /// Run `.0` of the variant finished with trace `.1` (its rows are written).
    Run(u64, &'a Trace<'a>),
    /// The variant is done: `.0` of its runs finished (fewer than asked when stopped).
    End(u64),
}

/// How many runs finished of how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Runs finished per variant.
    pub finished: u64,
    /// Runs requested per variant.
    pub requested: u64,
}

fn issue_columns(s: &Scenario, prefix: &str, ty: ColumnType) -> Vec<Column> {
    s.issues
        .iter()
        .map(|i| Column::new(format!("{prefix}_{}", i.id), ty))
        .collect()
}

fn round_columns(s: &Scenario) -> Vec<Column> {
    let mut c = vec![
        Column::new("variant", ColumnType::Str),
        Column::new("run", ColumnType::U64),
        Column::new("round", ColumnType::U64),
        Column::new("median", ColumnType::OptF64),
        Column::new("mean", ColumnType::OptF64),
        Column::new("frac_change", ColumnType::OptF64),
    ];
    c.extend(issue_columns(s, "weighted_mean", ColumnType::OptF64));
    c
}

fn actor_columns(s: &Scenario) -> Vec<Column> {
    let mut c = vec![
        Column::new("variant", ColumnType::Str),
        Column::new("run", ColumnType::U64),
        Column::new("round", ColumnType::U64),
        Column::new("actor", ColumnType::Str),
    ];
    c.extend(issue_columns(s, "position", ColumnType::OptF64));
    c.extend(issue_columns(s, "ideal", ColumnType::OptF64));
    c.extend([
        Column::new("risk", ColumnType::OptF64),
        Column::new("win_prob", ColumnType::OptF64),
        Column::new("move", ColumnType::OptStr),
        Column::new("move_with", ColumnType::OptStr),
        Column::new("move_eu", ColumnType::OptF64),
        Column::new("challenge", ColumnType::OptStr),
        Column::new("challenge_p_win", ColumnType::OptF64),
        Column::new("challenge_gain", ColumnType::OptF64),
        Column::new("bargain_initiator", ColumnType::OptStr),
        Column::new("bargain_receiver", ColumnType::OptStr),
        Column::new("bargain_probability", ColumnType::OptF64),
        Column::new("bargains_offered", ColumnType::OptF64),
    ]);
    c
}

fn expectation_columns() -> Vec<Column> {
    vec![
        Column::new("variant", ColumnType::Str),
        Column::new("run", ColumnType::U64),
        Column::new("round", ColumnType::U64),
        Column::new("actor", ColumnType::Str),
        Column::new("other", ColumnType::Str),
        Column::new("eu_challenge", ColumnType::F64),
        Column::new("eu_challenged_perceived", ColumnType::F64),
    ]
}

fn bargain_columns(s: &Scenario) -> Vec<Column> {
    let mut c = vec![
        Column::new("variant", ColumnType::Str),
        Column::new("run", ColumnType::U64),
        Column::new("round", ColumnType::U64),
        Column::new("actor", ColumnType::Str),
        Column::new("initiator", ColumnType::Str),
        Column::new("receiver", ColumnType::Str),
        Column::new("probability", ColumnType::F64),
        Column::new("adopted", ColumnType::Bool),
    ];
    c.extend(issue_columns(s, "position", ColumnType::F64));
    c
}

/// The engine's own table (see the module documentation) and its name.
fn detail_table(s: &Scenario) -> (&'static str, Vec<Column>) {
    match s.engine {
        Engine::SpatialModel(_) => ("bargains", bargain_columns(s)),
        _ => ("expected_utilities", expectation_columns()),
    }
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, Value::F64)
}

fn name(s: &Scenario, i: usize) -> Value {
    Value::Str(s.actors[i].id.clone())
}

/// Writes one run's rows. In the `actors` table, round `t`'s row of an actor shows its state
/// at `t` and, for BDM, the move it made *in* round `t` (which led to that state); for SMP,
/// the challenge and bargain of the turn played *from* state `t`.
fn write_run(
    rounds: &mut TableWriter,
    actors: &mut TableWriter,
    detail: &mut TableWriter,
    label: &str,
    s: &Scenario,
    run: u64,
    trace: &Trace,
) -> io::Result<()> {
    let d = s.issues.len();
    let head = |t: usize| {
        vec![
            Value::Str(label.to_owned()),
            Value::U64(run),
            Value::U64(t as u64),
        ]
    };
    let means = |pos: &[Vec<f64>]| -> Vec<Value> {
        (0..d)
            .map(|k| Value::F64(weighted_mean(s, pos, k)))
            .collect()
    };
    match trace {
        Trace::ExpectedUtility(rs) => {
            for (t, r) in rs.iter().enumerate() {
                let pos = trace.positions(t);
                let mut row = head(t);
                row.extend([Value::F64(r.median), Value::F64(r.mean), Value::Null]);
                // The model reads the first issue only: the others' columns stay empty.
                row.extend(means(&pos).into_iter().take(1));
                row.extend((1..d).map(|_| Value::Null));
                rounds.push(&row)?;
                for (i, x) in r.positions.iter().enumerate() {
                    let m = r.moves.iter().find(|m| m.actor == i);
                    let mut row = head(t);
                    row.push(name(s, i));
                    row.push(Value::F64(*x));
                    row.extend((1..d).map(|_| Value::Null));
                    row.extend((0..d).map(|_| Value::Null));
                    row.extend([
                        opt(r.risk.get(i).copied()),
                        Value::Null,
                        m.map_or(Value::Null, |m| {
                            Value::Str(format!("{:?}", m.kind).to_lowercase())
                        }),
                        m.map_or(Value::Null, |m| name(s, m.with)),
                        opt(m.map(|m| m.eu)),
                    ]);
                    row.extend((0..7).map(|_| Value::Null));
                    actors.push(&row)?;
                }
                for (i, row_of) in r.expected.iter().enumerate() {
                    for e in row_of {
                        let mut row = head(t);
                        row.extend([
                            name(s, i),
                            name(s, e.other),
                            Value::F64(e.own),
                            Value::F64(e.theirs),
                        ]);
                        detail.push(&row)?;
                    }
                }
            }
        }
        Trace::SpatialModel(states) => {
            for (t, st) in states.iter().enumerate() {
                let mut row = head(t);
                row.extend([Value::Null, Value::Null, opt(st.frac_change)]);
                row.extend(means(&st.positions));
                rounds.push(&row)?;
                for i in 0..st.positions.len() {
                    let mut row = head(t);
                    row.push(name(s, i));
                    row.extend(st.positions[i].iter().map(|&x| Value::F64(x)));
                    row.extend(st.ideals[i].iter().map(|&x| Value::F64(x)));
                    row.extend([
                        opt(st.risk_attitudes.get(i).copied()),
                        Value::F64(st.win_prob[i]),
                        Value::Null,
                        Value::Null,
                        Value::Null,
                    ]);
                    let c = st.turn.as_ref().and_then(|t| t.challenges[i].as_ref());
                    row.extend([
                        c.map_or(Value::Null, |c| name(s, c.target)),
                        opt(c.map(|c| c.p_win)),
                        opt(c.map(|c| c.gain)),
                    ]);
                    let a = st.turn.as_ref().map(|t| &t.adopted[i]);
                    row.extend([
                        a.map_or(Value::Null, |a| name(s, a.initiator)),
                        a.map_or(Value::Null, |a| name(s, a.receiver)),
                        opt(a.map(|a| a.probability)),
                        opt(a.map(|a| a.offered as f64)),
                    ]);
                    actors.push(&row)?;
                }
                let Some(turn) = &st.turn else { continue };
                for (i, (offered, a)) in turn.bargains.iter().zip(&turn.adopted).enumerate() {
                    for (m, b) in offered.iter().enumerate() {
                        let mut row = head(t);
                        row.extend([
                            name(s, i),
                            name(s, b.initiator),
                            name(s, b.receiver),
                            Value::F64(b.probability),
                            Value::Bool(m == a.index),
                        ]);
                        row.extend(b.position.iter().map(|&x| Value::F64(x)));
                        detail.push(&row)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Runs `runs` runs of each of the `described.len()` variants (all on the same reference
/// engine) and writes the tables and manifest to `dir`, which must not exist.
///
/// The variants are made one at a time by `variant(k)`, so that only one is in memory;
/// `described[k]` is what the identity and the manifest record of variant `k`: `{"label": ..,
/// "scenario": ..}` with its label and resolved scenario. `observe(k, variant, event)` sees
/// every run, in order, then the end of each variant. `stop(runs done)` is asked between
/// batches (the count runs on over the variants): when it returns true the study stops there
/// and the files hold the runs that finished.
#[allow(clippy::too_many_arguments)]
pub fn write_study(
    described: Vec<serde_json::Value>,
    variant: &dyn Fn(usize) -> io::Result<Variant>,
    runs: u64,
    seed: u64,
    threads: usize,
    dir: &Path,
    stop: &(dyn Fn(u64) -> bool + Sync),
    observe: &mut dyn FnMut(usize, &Variant, Event<'_>) -> io::Result<()>,
) -> io::Result<Written> {
    let count = described.len();
    let first = variant(0)?;
    let base = &first.scenario;
    let started = SystemTime::now();
    let clock = Instant::now();
    let (detail_name, detail_columns) = detail_table(base);
    let layout = Layout {
        tables: vec![
            ("rounds".into(), round_columns(base)),
            ("actors".into(), actor_columns(base)),
            (detail_name.into(), detail_columns),
        ],
        streams: Vec::new(),
    };
    let engine = match &base.engine {
        Engine::Negotiation => "negotiation",
        e => e.name(),
    };
    // The described variants go into the identity, then are taken back for the manifest:
    // they are held once.
    let mut what = json!({
        "command": "run",
        "seed": seed,
        "runs": runs,
        "variants": serde_json::Value::Array(described),
    });
    let id = identity(&what);
    let described = what["variants"].take();
    let mut out = ResultsDir::create(dir, id, layout, &(0, 0)).map_err(as_io)?;
    let mut finished = runs;
    let mut next = Some(first);
    for k in 0..count {
        let v = match next.take() {
            Some(v) => v,
            None => variant(k)?,
        };
        let before = k as u64 * runs;
        let stop_at = |done: u64| stop(before + done);
        let done = ensemble(
            &v.scenario,
            0,
            runs,
            seed,
            threads,
            &stop_at,
            |run, trace| {
                let [rounds, actors, detail] = &mut out.tables[..] else {
                    return Err(io::Error::other("three tables"));
                };
                write_run(rounds, actors, detail, &v.label, &v.scenario, run, &trace)?;
                observe(k, &v, Event::Run(run, &trace))?;
                out.checkpoint(before + run + 1, &(k, run + 1))
            },
        )?;
        observe(k, &v, Event::End(done))?;
        finished = finished.min(done);
        if done < runs {
            break;
        }
    }
    let manifest = json!({
        "detente_version": env!("CARGO_PKG_VERSION"),
        "command": "run",
        "engine": engine,
        "seed": seed,
        "resolved_scenarios": described,
        "finished_runs": finished,
        "requested_runs": runs,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "ended": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        "seconds": clock.elapsed().as_secs_f64(),
    });
    let manifest = match manifest {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    out.finish(finished, finished == runs, &finished, manifest, |_| {
        Ok(Vec::new())
    })
    .map_err(as_io)?;
    Ok(Written {
        finished,
        requested: runs,
    })
}

/// A results-directory error as an I/O error with the same message (the engine CLI reports
/// I/O errors).
fn as_io(e: crate::study::results::ResultsError) -> io::Error {
    let kind = match &e {
        crate::study::results::ResultsError::Io(_, inner) => inner.kind(),
        _ => io::ErrorKind::AlreadyExists,
    };
    io::Error::new(kind, e.to_string())
}
