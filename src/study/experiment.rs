//! Experiments (docs/architecture.md §7): a base scenario, parameters with ranges or distributions, a design,
//! replications per design point — planned, swept (whole or as shards of a cluster job array),
//! resumed, merged and checked.
//!
//! Replication *r* of every design point uses the random streams of `(seed, r)` (common random
//! numbers), so differences between points come from the parameters, not from the noise. Points
//! run in a spread order ([`super::design::spread_order`]) so that any prefix of finished work covers the
//! space evenly; shard *I* of *N* takes every *N*-th point of that order, starting at *I*.
//! Results rows carry their position in that order, so shards merge into exactly the table an
//! unsharded sweep writes.
//!
//! An experiment is known by its content ([`Resolved`]): the experiment without the path of its
//! scenario, the resolved base scenario and the detente version. Its identity never depends on
//! how a path was spelled or where the command ran. Every sweep directory's manifest embeds the
//! resolved experiment, so `status`, `merge` and `sensitivity` need no other file, and refuse
//! (saying what differs) directories of different experiments or a manifest, table or state
//! changed after the sweep wrote them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

use super::design::{Design, Distribution, Point, spread_order, values};
use super::results_dir::ResultsError;
use super::sha256_file;
use super::table::{Column, ColumnType, Value, read_parquet};
use crate::outcome::{OutcomeClass, OutcomeKind};
use crate::scenario::error::{Diagnostic, Diagnostics};
use crate::scenario::load::parse_ron;
use crate::scenario::{Override, Prepared, prepare};
use crate::sim::Sim;

/// An experiment file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Experiment")]
pub struct Experiment {
    /// Title.
    pub name: String,
    /// The base scenario, relative to the experiment file.
    pub scenario: String,
    /// The parameters varied.
    pub parameters: Vec<Parameter>,
    /// How the design points are chosen.
    pub design: Design,
    /// Runs per design point.
    pub replications: u64,
    /// Outcome shares recorded per point: `deal`, `talks_continue`, `collapse`, `strike` (any),
    /// `strike:<actor id>`.
    pub outcomes: Vec<String>,
    /// Master seed (design and runs).
    #[serde(default = "one")]
    pub seed: u64,
}

fn one() -> u64 {
    1
}

/// One parameter of an experiment: an override path and how its value varies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Parameter")]
pub struct Parameter {
    /// Override path, as with `--set` (e.g. `actors.<id>.influence`).
    pub path: String,
    /// Its distribution.
    pub distribution: Distribution,
}

/// An experiment by its content: what its results depend on, with its design points. Made from
/// an experiment file ([`load_experiment`]) or from the manifest of a sweep directory
/// ([`embedded_experiment`], then [`Resolved::new`]); both give the same identity.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The experiment (its `scenario` path is kept for the record; it is not part of the
    /// identity).
    pub experiment: Experiment,
    /// The resolved base scenario (`extends` merged, validated) and its digest, as JSON:
    /// `{"scenario": ..., "digest": ...}`.
    pub scenario: Json,
    /// The design points.
    pub points: Vec<Point>,
    /// Point indices in spread order.
    pub order: Vec<usize>,
    /// Where it was read, for messages: an experiment file, or the manifest of a directory.
    pub source: String,
    identity: String,
}

/// The content hash of an experiment: the detente version, the experiment without the path
/// of its scenario, and the resolved base scenario ([`super::results_dir::identity`]).
fn content_identity(experiment: &Experiment, scenario: &Json) -> String {
    let mut e = serde_json::to_value(experiment).unwrap_or(Json::Null);
    if let Json::Object(m) = &mut e {
        m.remove("scenario");
    }
    super::results_dir::identity(&json!({"experiment": e, "base_scenario": scenario}))
}

/// The problems of an experiment that need no scenario to see, as (field, message).
fn experiment_problems(e: &Experiment) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    if e.parameters.is_empty() {
        errors.push((
            "parameters".into(),
            "an experiment needs at least one parameter".into(),
        ));
    }
    if e.replications == 0 {
        errors.push(("replications".into(), "at least one run per point".into()));
    }
    let mut seen = BTreeSet::new();
    for (i, p) in e.parameters.iter().enumerate() {
        if let Err(m) = p.distribution.validate() {
            errors.push((format!("parameters[{i}].distribution"), m));
            continue;
        }
        if !seen.insert(p.path.clone()) {
            errors.push((
                format!("parameters[{i}].path"),
                format!("`{}` is varied twice", p.path),
            ));
        }
    }
    if let Err(m) = e.design.validate(e.parameters.len()) {
        errors.push(("design".into(), m));
    }
    if e.outcomes.is_empty() {
        errors.push(("outcomes".into(), "record at least one outcome".into()));
    }
    errors
}

impl Resolved {
    /// The experiment `experiment` over the resolved base scenario `scenario`, read from
    /// `source`: checks what can be checked without the scenario file (parameters, design,
    /// replications, outcomes) and makes the design points. Call it only after the design's size
    /// was checked against the limits ([`crate::limits`]): every point is made in memory.
    pub fn new(experiment: Experiment, scenario: Json, source: String) -> Result<Self, String> {
        let problems = experiment_problems(&experiment);
        if !problems.is_empty() {
            let list: Vec<String> = problems
                .iter()
                .map(|(f, m)| format!("field `{f}`: {m}"))
                .collect();
            return Err(format!(
                "{source}: the experiment is not valid: {}",
                list.join("; ")
            ));
        }
        Ok(Self::made(experiment, scenario, source))
    }

    /// [`Resolved::new`] of a checked experiment.
    fn made(experiment: Experiment, scenario: Json, source: String) -> Self {
        let dists: Vec<Distribution> = experiment
            .parameters
            .iter()
            .map(|p| p.distribution.clone())
            .collect();
        let points = experiment.design.points(&dists, experiment.seed);
        let order = spread_order(&experiment.design, &points);
        let identity = content_identity(&experiment, &scenario);
        Resolved {
            experiment,
            scenario,
            points,
            order,
            source,
            identity,
        }
    }

    /// The distributions of the parameters, in order.
    pub fn distributions(&self) -> Vec<Distribution> {
        self.experiment
            .parameters
            .iter()
            .map(|p| p.distribution.clone())
            .collect()
    }

    /// The overrides of design point `point`.
    pub fn overrides(&self, point: usize) -> Vec<Override> {
        let vals = values(&self.distributions(), &self.points[point].unit);
        self.experiment
            .parameters
            .iter()
            .zip(vals)
            .map(|(p, v)| Override {
                path: p.path.clone(),
                value: format!("{v}"),
            })
            .collect()
    }

    /// Total runs of the whole design; `None` if the count does not fit 64 bits.
    pub fn total_runs(&self) -> Option<u64> {
        (self.points.len() as u64).checked_mul(self.experiment.replications)
    }

    /// The identity of this experiment, for merging, resuming and sensitivity: the hash of its
    /// content and the detente version (see [`Resolved`]), the same whatever path named its
    /// files.
    pub fn identity(&self) -> String {
        self.identity.clone()
    }

    /// What a manifest embeds: `{"experiment": ..., "resolved_scenario": ...}`.
    pub fn embedded(&self) -> Json {
        json!({"experiment": self.experiment, "resolved_scenario": self.scenario})
    }
}

/// A loaded, checked experiment with its base scenario prepared: what a sweep runs. It
/// dereferences to its [`Resolved`] content.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The experiment by its content, with its design points.
    pub resolved: Resolved,
    /// The experiment file, as it was named.
    pub file: PathBuf,
    /// The files read (the experiment file, then the scenario files) as they were named, with
    /// their SHA-256, for the record.
    pub hashes: Vec<(String, String)>,
    /// The base scenario, ready for overrides.
    pub base: Prepared,
}

impl std::ops::Deref for Loaded {
    type Target = Resolved;
    fn deref(&self) -> &Resolved {
        &self.resolved
    }
}

/// Reads and checks an experiment file: every problem at once, each with its field path.
pub fn load_experiment(file: &Path) -> Result<Loaded, Diagnostics> {
    let text = crate::safe_fs::read_input(file, "experiment file").map_err(Diagnostics::from)?;
    let experiment: Experiment = parse_ron(&text, file)?;
    let scenario_path = file
        .parent()
        .unwrap_or(Path::new(""))
        .join(&experiment.scenario);
    let base = prepare(&scenario_path).map_err(|d| {
        let mut d = d;
        for x in &mut d.0 {
            x.message = format!("{} (the experiment's scenario)", x.message);
        }
        d
    })?;
    let err = |field: String, msg: String| Diagnostic::new(msg).in_file(file).at_field(field);
    let mut errors: Vec<Diagnostic> = experiment_problems(&experiment)
        .into_iter()
        .map(|(f, m)| err(f, m))
        .collect();
    let mut seen = BTreeSet::new();
    for (i, p) in experiment.parameters.iter().enumerate() {
        if p.distribution.validate().is_err() || !seen.insert(p.path.clone()) {
            continue;
        }
        // The path must reach a numeric value of the scenario: checked at the median. Values
        // elsewhere in the range that the scenario rejects make failed points, recorded with
        // their error, not a failed experiment.
        let v = p.distribution.quantile(0.5);
        let o = Override {
            path: p.path.clone(),
            value: format!("{v}"),
        };
        if let Err(Diagnostics(ds)) = base.load(std::slice::from_ref(&o)) {
            for d in ds {
                // The override's own text is noise here: the field path says which parameter.
                let what = d
                    .message
                    .split_once(": ")
                    .map_or(d.message.as_str(), |(_, m)| m);
                let mut e = err(
                    format!("parameters[{i}].path"),
                    format!("`{}`: {what}", p.path),
                );
                e.help = d.help;
                errors.push(e);
            }
        }
    }
    let base_loaded = base.load(&[]);
    let base_scenario = base_loaded.as_ref().ok().map(|l| &l.scenario);
    if let Some(s) = base_scenario
        && s.engine != crate::scenario::types::Engine::Negotiation
    {
        errors.push(err(
            "scenario".into(),
            format!(
                "sweeps run the negotiation model; `{}` uses the {} engine",
                experiment.scenario,
                s.engine.name()
            ),
        ));
    }
    for (i, o) in experiment.outcomes.iter().enumerate() {
        let known = base_scenario.is_some_and(|s| OutcomeClass::parse(o, s).is_some());
        if !known {
            errors.push(err(
                format!("outcomes[{i}]"),
                format!("unknown outcome `{o}`: use deal, talks_continue, collapse, strike or strike:<actor id>"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let base_loaded = base_loaded?;
    let mut hashes = vec![(
        file.display().to_string(),
        sha256_file(file)
            .map_err(|e| Diagnostics::one(Diagnostic::new(e.to_string()).in_file(file)))?,
    )];
    for f in &base_loaded.files {
        let h = sha256_file(f)
            .map_err(|e| Diagnostics::one(Diagnostic::new(e.to_string()).in_file(f)))?;
        hashes.push((f.display().to_string(), h));
    }
    let scenario = json!({"scenario": base_loaded.scenario, "digest": base_loaded.digest});
    let resolved = Resolved::made(experiment, scenario, format!("`{}`", file.display()));
    Ok(Loaded {
        resolved,
        file: file.to_path_buf(),
        hashes,
        base,
    })
}

/// Which part of the design to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slice {
    /// Every point.
    All,
    /// Shard `index` of `count`: every `count`-th point of the spread order, from `index`.
    Shard {
        /// 0-based shard index.
        index: usize,
        /// Number of shards.
        count: usize,
    },
    /// These point indices only (to rerun missing or failed points).
    Points(Vec<usize>),
}

impl Slice {
    /// Positions in the spread order that this slice runs.
    pub fn positions(&self, l: &Resolved) -> Vec<usize> {
        match self {
            Slice::All => (0..l.order.len()).collect(),
            Slice::Shard { index, count } => {
                (*index..l.order.len()).step_by((*count).max(1)).collect()
            }
            Slice::Points(ps) => {
                let wanted: BTreeSet<usize> = ps.iter().copied().collect();
                (0..l.order.len())
                    .filter(|&p| wanted.contains(&l.order[p]))
                    .collect()
            }
        }
    }

    /// How the slice is written in manifests and commands (points as ranges, `3-17,40`).
    pub fn describe(&self) -> String {
        match self {
            Slice::All => "all".into(),
            Slice::Shard { index, count } => format!("{index}/{count}"),
            Slice::Points(ps) => Slice::ranges(ps),
        }
    }

    /// Point numbers as `--points` takes them: sorted, without repeats, runs of consecutive
    /// numbers as ranges (`0-3,7,9-10`).
    pub fn ranges(points: &[usize]) -> String {
        let set: BTreeSet<usize> = points.iter().copied().collect();
        let mut out: Vec<String> = Vec::new();
        let mut it = set.into_iter().peekable();
        while let Some(first) = it.next() {
            let mut last = first;
            while it.peek() == Some(&(last + 1)) {
                last += 1;
                it.next();
            }
            out.push(if last == first {
                first.to_string()
            } else {
                format!("{first}-{last}")
            });
        }
        out.join(",")
    }

    /// Parses `--points`: numbers and ranges `a-b` (both ends included) separated by commas,
    /// e.g. `3-17,40`, each below `design_points`. Every point is checked before the list is
    /// made, so its length never exceeds the design's.
    pub fn parse_points(text: &str, design_points: usize) -> Result<Slice, String> {
        let last = design_points.checked_sub(1);
        let bound = |x: usize| match last {
            Some(l) if x <= l => Ok(x),
            Some(l) => Err(format!("--points: the design has points 0 to {l}, not {x}")),
            None => Err("--points: the design has no points".to_string()),
        };
        let num = |t: &str| {
            t.trim().parse::<usize>().map_err(|_| {
                format!(
                    "--points {text}: `{}` is not a point number; give numbers and ranges separated by commas, e.g. 3-17,40",
                    t.trim()
                )
            })
        };
        let mut wanted = BTreeSet::new();
        for item in text.split(',') {
            if item.trim().is_empty() {
                return Err(format!(
                    "--points {text}: an empty item; give numbers and ranges separated by commas, e.g. 3-17,40"
                ));
            }
            match item.split_once('-') {
                Some((a, b)) => {
                    let (a, b) = (bound(num(a)?)?, bound(num(b)?)?);
                    if a > b {
                        return Err(format!(
                            "--points: the range {a}-{b} runs backwards; write {b}-{a}"
                        ));
                    }
                    wanted.extend(a..=b);
                }
                None => {
                    wanted.insert(bound(num(item)?)?);
                }
            }
        }
        Ok(Slice::Points(wanted.into_iter().collect()))
    }
}

/// The shard of this process from a cluster's job-array environment, if any: Slurm
/// (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`, `SLURM_ARRAY_TASK_MIN`), a Kubernetes
/// indexed Job (`JOB_COMPLETION_INDEX`) or AWS Batch (`AWS_BATCH_JOB_ARRAY_INDEX`); the count
/// comes from the scheduler where it says it, else from `DETENTE_SHARDS`.
///
/// A variable that is set must hold a number in range: anything else (empty, negative, not a
/// number, an index at or above the count, below `SLURM_ARRAY_TASK_MIN`) is an error naming the
/// variable and its value, never a silent run of the whole design.
pub fn shard_from_env(get: impl Fn(&str) -> Option<String>) -> Result<Option<Slice>, String> {
    let num = |k: &str| -> Result<Option<usize>, String> {
        match get(k) {
            None => Ok(None),
            Some(v) => v.trim().parse::<usize>().map(Some).map_err(|_| {
                format!(
                    "{k}={v:?} is not a shard index or count (a whole number from 0); fix the job's environment, or pass --shard I/N"
                )
            }),
        }
    };
    let (index, source) = if let Some(i) = num("SLURM_ARRAY_TASK_ID")? {
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let index = i.checked_sub(min).ok_or_else(|| {
            format!(
                "SLURM_ARRAY_TASK_ID={i} is below SLURM_ARRAY_TASK_MIN={min}: the job array's environment is inconsistent"
            )
        })?;
        (index, "SLURM_ARRAY_TASK_ID")
    } else if let Some(i) = num("JOB_COMPLETION_INDEX")? {
        (i, "JOB_COMPLETION_INDEX")
    } else if let Some(i) = num("AWS_BATCH_JOB_ARRAY_INDEX")? {
        (i, "AWS_BATCH_JOB_ARRAY_INDEX")
    } else {
        return Ok(None);
    };
    let count = match num("SLURM_ARRAY_TASK_COUNT")? {
        Some(c) => Some(c),
        None => num("DETENTE_SHARDS")?,
    };
    let count = count.ok_or_else(|| {
        format!(
            "{source} is set, but not the number of shards: set DETENTE_SHARDS or pass --shard I/N"
        )
    })?;
    if count == 0 || index >= count {
        return Err(format!(
            "shard index {index} (from {source}={}) is not below the shard count {count}",
            get(source).unwrap_or_default().trim()
        ));
    }
    Ok(Some(Slice::Shard { index, count }))
}

/// Parses `--shard I/N`.
pub fn parse_shard(text: &str) -> Result<Slice, String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}`: write the shard as I/N, e.g. 0/4"))?;
    let (index, count): (usize, usize) = (
        i.trim()
            .parse()
            .map_err(|_| format!("`{i}` is not a shard index"))?,
        n.trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a shard count"))?,
    );
    if count == 0 || index >= count {
        return Err(format!(
            "shard {index}/{count}: the index runs from 0 to {}",
            count.saturating_sub(1)
        ));
    }
    Ok(Slice::Shard { index, count })
}

/// The result of one design point.
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    /// Position in the spread order.
    pub position: usize,
    /// Point index in the design.
    pub point: usize,
    /// Parameter values.
    pub values: Vec<f64>,
    /// Runs in each recorded outcome class (in the order of the experiment's `outcomes`), or
    /// why the point could not run.
    pub counts: Result<Vec<u64>, String>,
    /// Mean round the runs ended in.
    pub rounds_mean: f64,
    /// Each run's outcome kind (named) and final round, when the runs table is asked for.
    pub runs: Vec<(String, u64)>,
}

/// Every problem of a design point's scenario on one line, for the points table.
fn one_line(d: Diagnostics) -> String {
    d.0.iter()
        .map(|x| match &x.field {
            Some(f) => format!("{f}: {}", x.message),
            None => x.message.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Plays every replication of design point `point`, reusing `sim` (a worker's simulator) when
/// the point's scenario has its shape.
pub fn run_point(
    l: &Loaded,
    position: usize,
    sim: &mut Option<Sim>,
    keep_runs: bool,
) -> PointResult {
    let point = l.order[position];
    let vals = values(&l.distributions(), &l.points[point].unit);
    let mut rounds = 0u64;
    let mut runs = Vec::new();
    let counts = l
        .base
        .scenario(&l.overrides(point))
        .map_err(one_line)
        .and_then(|scenario| {
            let classes = l
                .experiment
                .outcomes
                .iter()
                .map(|o| {
                    OutcomeClass::parse(o, &scenario)
                        .ok_or_else(|| format!("unknown outcome `{o}` at this point"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let scenario = Arc::new(scenario);
            let reused = sim
                .as_mut()
                .is_some_and(|s| s.set_scenario(scenario.clone()));
            let sim = match sim {
                Some(sim) if reused => sim,
                _ => sim.insert(Sim::new(scenario.clone())),
            };
            let mut counts = vec![0u64; classes.len()];
            for r in 0..l.experiment.replications {
                let view = sim.run(l.experiment.seed, r);
                let k = OutcomeKind::of(view.outcome);
                for (n, c) in counts.iter_mut().zip(&classes) {
                    *n += u64::from(c.contains(k));
                }
                let round = view.trace.last().map_or(0, |x| x.round) as u64;
                if keep_runs {
                    runs.push((k.name(&scenario), round));
                }
                rounds += round;
            }
            Ok(counts)
        });
    PointResult {
        position,
        point,
        values: vals,
        rounds_mean: rounds as f64 / l.experiment.replications as f64,
        counts,
        runs,
    }
}

/// Columns of the points table.
pub fn point_columns(l: &Resolved) -> Vec<Column> {
    let mut c = vec![
        Column::new("order", ColumnType::U64),
        Column::new("point", ColumnType::U64),
    ];
    for p in &l.experiment.parameters {
        c.push(Column::new(p.path.clone(), ColumnType::F64));
    }
    c.push(Column::new("replications", ColumnType::U64));
    for o in &l.experiment.outcomes {
        c.push(Column::new(format!("share_{o}"), ColumnType::OptF64));
    }
    c.push(Column::new("rounds_mean", ColumnType::OptF64));
    c.push(Column::new("error", ColumnType::OptStr));
    c
}

fn point_row(l: &Resolved, r: &PointResult) -> Vec<Value> {
    let mut row = vec![Value::U64(r.position as u64), Value::U64(r.point as u64)];
    row.extend(r.values.iter().map(|&v| Value::F64(v)));
    row.push(Value::U64(l.experiment.replications));
    match &r.counts {
        Ok(counts) => {
            for c in counts {
                row.push(Value::F64(*c as f64 / l.experiment.replications as f64));
            }
            row.push(Value::F64(r.rounds_mean));
            row.push(Value::Null);
        }
        Err(e) => {
            row.extend(l.experiment.outcomes.iter().map(|_| Value::Null));
            row.push(Value::Null);
            row.push(Value::Str(e.clone()));
        }
    }
    row
}

/// How a sweep ended.
#[derive(Debug)]
pub struct SweepSummary {
    /// Points done (before a resume and in this process).
    pub points: usize,
    /// Points asked for.
    pub requested: usize,
    /// Point indices that could not run, with the reason.
    pub failed: Vec<(usize, String)>,
    /// Wall time of this process.
    pub seconds: f64,
    /// Points that were already done when this process started (a resume), else 0.
    pub resumed_from: usize,
}

/// What every sweep manifest starts with: the version, the resolved experiment and its
/// identity.
fn manifest_head(l: &Resolved) -> serde_json::Map<String, Json> {
    json_map(json!({
        "detente_version": env!("CARGO_PKG_VERSION"),
        "experiment": l.experiment,
        "resolved_scenario": l.scenario,
        "identity": l.identity(),
    }))
}

fn json_map(v: Json) -> serde_json::Map<String, Json> {
    match v {
        Json::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// Runs `slice` of the experiment into `dir` (which must not exist): the points table as CSV and
/// Parquet, written as points finish, and a manifest. `progress(done, total)` is called after
/// each batch; when `stop` is set the sweep ends after the batch, keeping what finished.
pub fn sweep(
    l: &Loaded,
    slice: &Slice,
    dir: &Path,
    threads: usize,
    stop: &AtomicBool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<SweepSummary, ResultsError> {
    let options = SweepOptions {
        threads,
        ..SweepOptions::default()
    };
    sweep_with(l, slice, dir, &options, stop, progress)
}

/// Columns of the per-run table of a sweep (`--runs-table`).
pub fn sweep_run_columns() -> Vec<Column> {
    vec![
        Column::new("order", ColumnType::U64),
        Column::new("point", ColumnType::U64),
        Column::new("replication", ColumnType::U64),
        Column::new("outcome", ColumnType::Str),
        Column::new("round", ColumnType::U64),
    ]
}

/// How [`sweep_with`] runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct SweepOptions {
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Also write one row per run (`runs.csv`, `runs.parquet`).
    pub runs_table: bool,
    /// Finish the sweep stopped in the directory instead of starting one.
    pub resume: bool,
}

/// What a sweep's checkpoints carry besides its tables: the points that failed, and what the
/// sweep is (so that a refused `--resume` can say what differs).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SweepState {
    failed: Vec<(usize, String)>,
    slice: String,
    runs_table: bool,
    /// [`Resolved::embedded`].
    experiment: Json,
}

/// A checkpoint as [`super::results_dir`] writes it, read back only to explain a refused resume
/// or to see that a sweep is already complete.
#[derive(Debug, Deserialize)]
struct StoredCheckpoint {
    identity: String,
    #[serde(default)]
    detente_version: String,
    #[serde(default)]
    done: u64,
    #[serde(default)]
    complete: bool,
    #[serde(default)]
    state: Json,
}

/// The checkpoint of the study in `dir` (in its staging directory, else `state.json`), and
/// whether it was found in staging; `None` if there is none or it cannot be read (then
/// [`super::results_dir::ResultsDir::resume`] says why).
fn stored_checkpoint(dir: &Path) -> Option<(StoredCheckpoint, bool)> {
    let staged = dir.join(".partial").join("checkpoint.json");
    let (path, in_staging) = if fs::symlink_metadata(&staged).is_ok() {
        (staged, true)
    } else {
        (dir.join("state.json"), false)
    };
    let text = read_result_text(&path, "checkpoint").ok()?;
    serde_json::from_str(&text).ok().map(|c| (c, in_staging))
}

/// The identity of a sweep's results directory: the experiment's, the slice and the tables.
fn sweep_identity(l: &Resolved, slice: &str, runs_table: bool) -> String {
    super::results_dir::identity(&json!({
        "command": "sweep",
        "experiment": l.identity(),
        "slice": slice,
        "runs_table": runs_table,
    }))
}

/// A slice as [`Slice::describe`] writes it, in words.
fn slice_words(described: &str) -> String {
    match described {
        "all" => "the whole design".into(),
        "merged" => "merged results".into(),
        s if s.contains('/') => format!("shard {s}"),
        s => format!("the points {s}"),
    }
}

/// Why the sweep stopped in a directory (its checkpoint `theirs`) is not the one asked for.
fn explain_other_sweep(theirs: &StoredCheckpoint, ours: &SweepState, l: &Resolved) -> String {
    let mut why = Vec::new();
    if !theirs.detente_version.is_empty() && theirs.detente_version != env!("CARGO_PKG_VERSION") {
        why.push(format!(
            "it was written by detente {}, this is {}",
            theirs.detente_version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    if let Ok(state) = serde_json::from_value::<SweepState>(theirs.state.clone()) {
        if state.slice != ours.slice {
            why.push(format!(
                "it holds {}, not {}",
                slice_words(&state.slice),
                slice_words(&ours.slice)
            ));
        }
        if state.runs_table != ours.runs_table {
            why.push(if state.runs_table {
                "it was started with --runs-table".to_string()
            } else {
                "it was started without --runs-table".to_string()
            });
        }
        if let Ok((e, s)) = parse_embedded(&state.experiment, "its checkpoint") {
            let d = differences(
                (&e, &s, "the stopped sweep"),
                (&l.experiment, &l.scenario, &l.source),
            );
            if !d.is_empty() {
                why.push(format!(
                    "its experiment differs from {} in {}",
                    l.source,
                    d.join(", ")
                ));
            }
        }
    }
    let what = if why.is_empty() {
        "it holds another sweep (of another experiment, slice or detente version)".to_string()
    } else {
        format!("it holds another sweep: {}", why.join("; "))
    };
    format!(
        "{what}. Resume it with the command and experiment file that started it, or sweep into \
         another --out directory"
    )
}

/// [`sweep`], with one row per run as well (`runs.csv`, `runs.parquet`) when
/// `options.runs_table`, and finishing a stopped sweep when `options.resume`. The points go
/// through the [executor](super::executor) one per chunk, each worker keeping its simulator
/// across points of the same shape; the tables are written in spread order as points finish, in
/// a [results directory](super::results_dir), checkpointed as they grow.
///
/// With `resume`, `dir` must hold a sweep of the same experiment (by content), slice and tables
/// that was stopped (Ctrl-C, SIGTERM, SIGKILL, a full disk): it goes on from its last
/// checkpoint and ends with the files an uninterrupted sweep writes. Another sweep is refused,
/// saying what differs; a sweep already complete is left as it is.
pub fn sweep_with(
    l: &Loaded,
    slice: &Slice,
    dir: &Path,
    options: &SweepOptions,
    stop: &AtomicBool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<SweepSummary, ResultsError> {
    use super::results_dir::{Layout, ResultsDir};
    let runs_table = options.runs_table;
    let mut tables = vec![("points".to_owned(), point_columns(l))];
    if runs_table {
        tables.push(("runs".to_owned(), sweep_run_columns()));
    }
    let layout = Layout {
        tables,
        streams: Vec::new(),
    };
    let id = sweep_identity(l, &slice.describe(), runs_table);
    let initial = SweepState {
        failed: Vec::new(),
        slice: slice.describe(),
        runs_table,
        experiment: l.embedded(),
    };
    let positions = slice.positions(l);
    let total = positions.len();
    let started = SystemTime::now();
    let clock = Instant::now();
    let (mut out, before, mut state) = if options.resume {
        if let Some((cp, in_staging)) = stored_checkpoint(dir) {
            if cp.identity != id {
                return Err(ResultsError::CannotResume(
                    dir.to_path_buf(),
                    explain_other_sweep(&cp, &initial, l),
                ));
            }
            if cp.complete && !in_staging && dir.join("manifest.json").is_file() {
                // Finished before (a job requeued after its end): nothing to do but remove the
                // empty staging directory a kill in the last step of publishing may leave.
                if !unfinished(dir) {
                    let _ = fs::remove_dir(dir.join(".partial"));
                }
                let failed = serde_json::from_value::<SweepState>(cp.state)
                    .map(|s| s.failed)
                    .unwrap_or_default();
                let done = usize::try_from(cp.done).unwrap_or(usize::MAX).min(total);
                return Ok(SweepSummary {
                    points: done,
                    requested: total,
                    failed,
                    seconds: 0.0,
                    resumed_from: done,
                });
            }
        }
        ResultsDir::resume(dir, id, layout, initial)?
    } else {
        (ResultsDir::create(dir, id, layout, &initial)?, 0, initial)
    };
    let before = usize::try_from(before)
        .ok()
        .filter(|&b| b <= total)
        .ok_or_else(|| {
            ResultsError::CannotResume(
                dir.to_path_buf(),
                format!(
                    "its checkpoint counts {before} points done, more than the {total} of this sweep"
                ),
            )
        })?;
    let done = super::executor::execute(
        options.threads,
        before as u64..total as u64,
        1,
        || None,
        |sim, items| {
            items
                .map(|i| run_point(l, positions[i as usize], sim, runs_table))
                .collect::<Vec<_>>()
        },
        |items, results| {
            for r in &results {
                out.tables[0].push(&point_row(l, r))?;
                if runs_table {
                    for (i, (outcome, round)) in r.runs.iter().enumerate() {
                        let row = [
                            Value::U64(r.position as u64),
                            Value::U64(r.point as u64),
                            Value::U64(i as u64),
                            Value::Str(outcome.clone()),
                            Value::U64(*round),
                        ];
                        out.tables[1].push(&row)?;
                    }
                }
                if let Err(e) = &r.counts {
                    state.failed.push((r.point, e.clone()));
                }
            }
            out.checkpoint(items.end, &state)
        },
        &|done| {
            progress(before + done as usize, total);
            stop.load(Ordering::Relaxed)
        },
    )
    .map_err(|e| ResultsError::Io(dir.to_path_buf(), e))? as usize;
    let done = before + done;
    let seconds = clock.elapsed().as_secs_f64();
    let runs = done as u64 * l.experiment.replications;
    let runs_here = (done - before) as u64 * l.experiment.replications;
    let mut manifest = manifest_head(l);
    manifest.extend(json_map(json!({
        "experiment_file": l.file.display().to_string(),
        "inputs": l.hashes.iter().map(|(f, h)| json!({"path": f, "sha256": h})).collect::<Vec<_>>(),
        "slice": slice.describe(),
        "design_points": l.points.len(),
        "points_requested": total,
        "points_done": done,
        "resumed_from": before,
        "failed": state.failed.iter().map(|(p, e)| json!({"point": p, "error": e})).collect::<Vec<_>>(),
        "runs": runs,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "ended": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        "seconds": seconds,
        "runs_per_second": if seconds > 0.0 { runs_here as f64 / seconds } else { 0.0 },
    })));
    out.finish(done as u64, done == total, &state, manifest, |_| {
        Ok(Vec::new())
    })?;
    Ok(SweepSummary {
        points: done,
        requested: total,
        failed: state.failed,
        seconds,
        resumed_from: before,
    })
}

/// Largest manifest or checkpoint of a sweep directory that is read back: 256 MiB (a manifest
/// lists every failed point with its error; a million of them stay well within it).
pub const MAX_MANIFEST_BYTES: u64 = 256 << 20;

/// Largest `state.json` whose identity is read (streamed, never held in memory): 1 GiB, as
/// [`super::results_dir`] reads it.
const MAX_STATE_BYTES: u64 = 1 << 30;

/// Checks that `path`, a file of a results directory, is a regular file: never a symbolic link,
/// a FIFO, a device or a directory, which detente never writes there.
fn result_file(path: &Path) -> Result<(), String> {
    match fs::symlink_metadata(path) {
        Err(e) => Err(format!("`{}`: {e}", path.display())),
        Ok(m) if m.file_type().is_file() => Ok(()),
        Ok(m) => {
            let t = m.file_type();
            let kind = if t.is_symlink() {
                "a symbolic link"
            } else if t.is_dir() {
                "a directory"
            } else {
                "not a regular file (a FIFO, socket or device)"
            };
            Err(format!(
                "`{}` is {kind}: a results directory holds only the regular files detente \
                 wrote; restore the directory from a copy or run the sweep again",
                path.display()
            ))
        }
    }
}

/// Reads the `what` at `path` in a results directory: a regular file of at most
/// [`MAX_MANIFEST_BYTES`] of UTF-8 text ([`crate::safe_fs::read_input_limited`]).
fn read_result_text(path: &Path, what: &str) -> Result<String, String> {
    result_file(path)?;
    crate::safe_fs::read_input_limited(path, what, MAX_MANIFEST_BYTES).map_err(|e| e.to_string())
}

/// The rows of a sweep directory's points table, with the manifest.
#[derive(Debug, Clone)]
pub struct Part {
    /// The directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Json,
    /// The columns of its points table.
    pub columns: Vec<Column>,
    /// Its rows.
    pub rows: Vec<Vec<Value>>,
}

/// Checks that `name` in `dir` is the file the manifest records: a regular file with the
/// SHA-256 written in `manifest.json`.
fn verify_recorded(dir: &Path, manifest: &Json, name: &str) -> Result<(), String> {
    let path = dir.join(name);
    result_file(&path)?;
    let want = manifest
        .get("sha256")
        .and_then(|s| s.get(name))
        .and_then(Json::as_str)
        .ok_or_else(|| {
            format!(
                "`{}` records no SHA-256 of `{name}`: it was written by an older detente, or \
                 changed; run the sweep again",
                dir.join("manifest.json").display()
            )
        })?;
    let got = sha256_file(&path).map_err(|e| format!("`{}`: {e}", path.display()))?;
    if got != want {
        return Err(format!(
            "`{}` is not the file the sweep wrote: its SHA-256 is not the one manifest.json \
             records (it was changed or replaced); restore the directory from a copy or run the \
             sweep again",
            path.display()
        ));
    }
    Ok(())
}

/// Checks that `state.json`, when there is one, is of the study the manifest describes.
fn check_state(dir: &Path, manifest: &Json) -> Result<(), String> {
    #[derive(Deserialize)]
    struct Identity {
        identity: String,
    }
    let path = dir.join("state.json");
    if fs::symlink_metadata(&path).is_err() {
        return Ok(());
    }
    result_file(&path)?;
    let file = crate::safe_fs::open_regular(&path, "checkpoint").map_err(|e| e.to_string())?;
    let state: Identity = serde_json::from_reader(io::BufReader::new(file.take(MAX_STATE_BYTES)))
        .map_err(|e| {
        format!(
            "`{}` is not a checkpoint detente wrote ({e}); restore the directory from a \
                 copy or run the sweep again",
            path.display()
        )
    })?;
    if manifest.get("study_identity").and_then(Json::as_str) != Some(state.identity.as_str()) {
        return Err(format!(
            "`{}` belongs to another study than `{}`: the directory was changed after the sweep \
             wrote it (or holds files of two sweeps); restore it from a copy or run the sweep \
             again",
            path.display(),
            dir.join("manifest.json").display()
        ));
    }
    Ok(())
}

/// Whether the study in `dir` has not finished: its staging directory is there, and it is not
/// the empty one that a study killed in the last step of publishing leaves beside its manifest.
fn unfinished(dir: &Path) -> bool {
    let staging = dir.join(".partial");
    let Ok(meta) = fs::symlink_metadata(&staging) else {
        return false;
    };
    let empty = meta.is_dir() && fs::read_dir(&staging).is_ok_and(|mut d| d.next().is_none());
    !(empty && fs::symlink_metadata(dir.join("manifest.json")).is_ok())
}

/// Reads a sweep directory: its manifest, and its points table after checking that it is the
/// one the manifest records. A directory whose sweep has not finished, a file that is not a
/// regular file (symlink, FIFO, device), a manifest above [`MAX_MANIFEST_BYTES`], a table or a
/// `state.json` changed after the sweep wrote them are refused with the file and the reason.
pub fn read_part(dir: &Path) -> Result<Part, String> {
    let shown = dir.display();
    match fs::symlink_metadata(dir) {
        Err(e) => {
            return Err(format!(
                "`{shown}`: {e}: name the --out directory of a sweep"
            ));
        }
        Ok(m) if !m.is_dir() => {
            return Err(format!(
                "`{shown}` is not a directory: name the --out directory of a sweep"
            ));
        }
        Ok(_) => {}
    }
    let manifest_path = dir.join("manifest.json");
    if unfinished(dir) {
        return Err(format!(
            "`{shown}` holds a sweep that has not finished (it is still running, or it was \
             killed): wait for it to end, or finish it with the command that started it plus \
             --resume"
        ));
    }
    if fs::symlink_metadata(&manifest_path).is_err() {
        return Err(format!(
            "`{shown}` has no manifest.json: is it the --out directory of a sweep?"
        ));
    }
    let text = read_result_text(&manifest_path, "manifest")?;
    let manifest: Json = serde_json::from_str(&text)
        .ok()
        .filter(Json::is_object)
        .ok_or_else(|| {
            format!(
                "`{}` is not a manifest detente wrote (not a JSON object); restore the directory \
                 from a copy or run the sweep again",
                manifest_path.display()
            )
        })?;
    verify_recorded(dir, &manifest, "points.parquet")?;
    let points = dir.join("points.parquet");
    let mut rows = Vec::new();
    let columns = read_parquet(&points, |r| rows.push(r.to_vec()))
        .map_err(|e| format!("`{}`: {e}", points.display()))?;
    check_state(dir, &manifest)?;
    Ok(Part {
        dir: dir.to_path_buf(),
        manifest,
        columns,
        rows,
    })
}

/// The experiment and resolved scenario in `embedded` (as [`Resolved::embedded`] writes them),
/// read from `source` (for messages).
fn parse_embedded(embedded: &Json, source: &str) -> Result<(Experiment, Json), String> {
    let scenario = embedded
        .get("resolved_scenario")
        .filter(|s| s.is_object())
        .ok_or_else(|| {
            format!(
                "{source} embeds no resolved experiment (no `resolved_scenario`): it was written \
                 by an older detente; run the sweep again with this one"
            )
        })?;
    let value = embedded.get("experiment").cloned().unwrap_or(Json::Null);
    let experiment: Experiment = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let mut why = e.into_inner().to_string();
        if why.len() > 200 {
            let mut cut = 200;
            while !why.is_char_boundary(cut) {
                cut -= 1;
            }
            why.truncate(cut);
            why.push('…');
        }
        format!(
            "{source}, field `experiment.{path}`: {why}; restore the directory from a copy or \
             run the sweep again"
        )
    })?;
    Ok((experiment, scenario.clone()))
}

/// The experiment and resolved base scenario embedded in a sweep directory's manifest, not yet
/// checked: count its design's size ([`crate::limits`]) before [`Resolved::new`] makes its
/// points.
pub fn embedded_experiment(p: &Part) -> Result<(Experiment, Json), String> {
    let source = format!("`{}`", p.dir.join("manifest.json").display());
    parse_embedded(&p.manifest, &source)
}

/// The paths (up to `limit`, then `…`) where two JSON values differ.
fn json_differences(a: &Json, b: &Json, at: &str, out: &mut Vec<String>, limit: usize) {
    if a == b || out.len() > limit {
        return;
    }
    let join = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let (u, v) = (
                    x.get(k.as_str()).unwrap_or(&Json::Null),
                    y.get(k.as_str()).unwrap_or(&Json::Null),
                );
                json_differences(u, v, &join(k), out, limit);
            }
        }
        (Json::Array(x), Json::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                json_differences(u, v, &format!("{at}[{i}]"), out, limit);
            }
        }
        _ => out.push(if out.len() == limit {
            "…".to_string()
        } else if at.is_empty() {
            "(all)".to_string()
        } else {
            at.to_string()
        }),
    }
}

/// What differs between experiment `a` (called `a_name` in the words) and `b` (`b_name`),
/// each with its resolved base scenario, field by field.
fn differences(
    (a, a_scenario, a_name): (&Experiment, &Json, &str),
    (b, b_scenario, b_name): (&Experiment, &Json, &str),
) -> Vec<String> {
    let mut d = Vec::new();
    let mut differ = |field: String, x: String, y: String| {
        d.push(format!("{field} ({a_name}: {x}; {b_name}: {y})"));
    };
    if a.name != b.name {
        differ(
            "name".into(),
            format!("{:?}", a.name),
            format!("{:?}", b.name),
        );
    }
    if a.parameters.len() != b.parameters.len() {
        differ(
            "parameters".into(),
            a.parameters.len().to_string(),
            b.parameters.len().to_string(),
        );
    } else {
        for (i, (p, q)) in a.parameters.iter().zip(&b.parameters).enumerate() {
            if p.path != q.path {
                differ(
                    format!("parameters[{i}].path"),
                    format!("`{}`", p.path),
                    format!("`{}`", q.path),
                );
            }
            if p.distribution != q.distribution {
                differ(
                    format!("parameters[{i}].distribution"),
                    format!("{:?}", p.distribution),
                    format!("{:?}", q.distribution),
                );
            }
        }
    }
    if a.design != b.design {
        differ(
            "design".into(),
            format!("{:?}", a.design),
            format!("{:?}", b.design),
        );
    }
    if a.replications != b.replications {
        differ(
            "replications".into(),
            a.replications.to_string(),
            b.replications.to_string(),
        );
    }
    if a.outcomes != b.outcomes {
        differ(
            "outcomes".into(),
            format!("[{}]", a.outcomes.join(", ")),
            format!("[{}]", b.outcomes.join(", ")),
        );
    }
    if a.seed != b.seed {
        differ("seed".into(), a.seed.to_string(), b.seed.to_string());
    }
    let mut paths = Vec::new();
    json_differences(a_scenario, b_scenario, "", &mut paths, 3);
    for p in paths {
        d.push(match p.strip_prefix("scenario.") {
            Some(field) => format!("the base scenario's `{field}`"),
            None if p.starts_with("digest") => "the base scenario's digest".to_string(),
            None => format!("the base scenario ({p})"),
        });
    }
    d
}

/// Checks that sweep directory `p` holds results of experiment `l`: the same detente version,
/// a manifest whose embedded experiment matches the identity it records, the same experiment
/// as `l` (else the error says what differs), and a points table with the columns and the
/// design points of `l`.
pub fn check_part(l: &Resolved, p: &Part) -> Result<(), String> {
    let dir = p.dir.display();
    let manifest = p.dir.join("manifest.json");
    let version = p
        .manifest
        .get("detente_version")
        .and_then(Json::as_str)
        .unwrap_or("an unknown version");
    if version != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "`{dir}` was written by detente {version}, not by this detente {}: results of \
             different versions are not combined; run that sweep again with this version",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let (e, s) = embedded_experiment(p)?;
    let recorded = p.manifest.get("identity").and_then(Json::as_str);
    if recorded != Some(content_identity(&e, &s).as_str()) {
        return Err(format!(
            "`{}` was changed after the sweep wrote it: the experiment it embeds does not \
             match the identity it records; restore the directory from a copy or run the sweep \
             again",
            manifest.display()
        ));
    }
    if recorded != Some(l.identity.as_str()) {
        let ours = format!("`{dir}`");
        let d = differences((&e, &s, &ours), (&l.experiment, &l.scenario, &l.source));
        let what = if d.is_empty() {
            "their content".to_string()
        } else {
            d.join(", ")
        };
        return Err(format!(
            "`{dir}` holds results of another experiment than {}: they differ in {what}. \
             Results of different experiments are never combined: name only directories of one \
             experiment (and with --experiment, the file they were swept with), or sweep those \
             points again with one experiment file into a new directory",
            l.source
        ));
    }
    let want = point_columns(l);
    if p.columns != want {
        let names = |c: &[Column]| {
            c.iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(format!(
            "`{}` has the columns ({}), but the experiment in its manifest records ({}): the \
             table and the manifest do not belong together; restore the directory from a copy \
             or run the sweep again",
            p.dir.join("points.parquet").display(),
            names(&p.columns),
            names(&want)
        ));
    }
    let dists = l.distributions();
    let k = dists.len();
    for (i, row) in p.rows.iter().enumerate() {
        let bad = |why: String| {
            format!(
                "`{}`, row {}: {why}: the table does not belong to the experiment in its \
                 manifest; restore the directory from a copy or run the sweep again",
                p.dir.join("points.parquet").display(),
                i + 1
            )
        };
        let (Some(Value::U64(position)), Some(Value::U64(point))) = (row.first(), row.get(1))
        else {
            return Err(bad("it has no order and point numbers".into()));
        };
        let position = usize::try_from(*position)
            .ok()
            .filter(|&x| x < l.order.len())
            .ok_or_else(|| {
                bad(format!(
                    "position {position} is beyond the design's {} points",
                    l.order.len()
                ))
            })?;
        let at = l.order[position];
        if at as u64 != *point {
            return Err(bad(format!(
                "point {point} is not at position {position} of the design's order"
            )));
        }
        for (j, v) in values(&dists, &l.points[at].unit).iter().enumerate() {
            if !matches!(row.get(2 + j), Some(Value::F64(x)) if x.to_bits() == v.to_bits()) {
                return Err(bad(format!(
                    "its value of `{}` is not the design's at point {point}",
                    l.experiment.parameters[j].path
                )));
            }
        }
        if row.get(2 + k) != Some(&Value::U64(l.experiment.replications)) {
            return Err(bad(format!(
                "its replications are not the experiment's {}",
                l.experiment.replications
            )));
        }
    }
    Ok(())
}

/// What [`status`] finds in a set of sweep directories.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// Design points in the experiment.
    pub points: usize,
    /// Points with a result.
    pub done: BTreeSet<usize>,
    /// Points that failed, with the reason.
    pub failed: BTreeMap<usize, String>,
    /// Points with no row at all.
    pub missing: Vec<usize>,
}

fn row_point(row: &[Value]) -> usize {
    match row.get(1) {
        Some(Value::U64(p)) => usize::try_from(*p).unwrap_or(usize::MAX),
        _ => usize::MAX,
    }
}

fn row_position(row: &[Value]) -> Option<usize> {
    match row.first() {
        Some(Value::U64(p)) => usize::try_from(*p).ok(),
        _ => None,
    }
}

fn row_error(row: &[Value]) -> Option<String> {
    match row.last() {
        Some(Value::Str(e)) => Some(e.clone()),
        _ => None,
    }
}

/// Which design points the directories cover, which failed and which are missing. Every
/// directory is checked first ([`check_part`]).
pub fn status(l: &Resolved, parts: &[Part]) -> Result<Status, String> {
    let mut done = BTreeSet::new();
    let mut failed = BTreeMap::new();
    for p in parts {
        check_part(l, p)?;
        for row in &p.rows {
            let point = row_point(row);
            match row_error(row) {
                None => {
                    done.insert(point);
                    failed.remove(&point);
                }
                Some(e) if !done.contains(&point) => {
                    failed.insert(point, e);
                }
                Some(_) => {}
            }
        }
    }
    let missing = (0..l.points.len())
        .filter(|p| !done.contains(p) && !failed.contains_key(p))
        .collect();
    Ok(Status {
        points: l.points.len(),
        done,
        failed,
        missing,
    })
}

/// Combines sweep directories (shards, reruns) into `out`: one row per design point, in spread
/// order — the table an unsharded sweep writes. Successful rows win over failed ones. Every
/// directory must hold results of experiment `l` ([`check_part`]).
pub fn merge(l: &Resolved, parts: &[Part], out: &Path) -> Result<Status, String> {
    merge_with(l, parts, out, false)
}

/// [`merge`]; with `resume`, `out` holds a merge of the same directories that was killed, and
/// it is finished.
pub fn merge_with(
    l: &Resolved,
    parts: &[Part],
    out: &Path,
    resume: bool,
) -> Result<Status, String> {
    use super::results_dir::{Layout, ResultsDir, identity};
    let st = status(l, parts)?;
    // Position in the spread order → (part, row).
    let mut best: BTreeMap<usize, (usize, &Vec<Value>)> = BTreeMap::new();
    for (part, p) in parts.iter().enumerate() {
        for row in &p.rows {
            let Some(position) = row_position(row) else {
                continue;
            };
            let keep = match best.get(&position) {
                None => true,
                Some((_, old)) => row_error(old).is_some() && row_error(row).is_none(),
            };
            if keep {
                best.insert(position, (part, row));
            }
        }
    }
    // Per-run tables, where the parts have them: rows of the points kept, in run order.
    let mut with_runs = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if fs::symlink_metadata(p.dir.join("runs.parquet")).is_ok() {
            verify_recorded(&p.dir, &p.manifest, "runs.parquet")?;
            with_runs.push(i);
        }
    }
    let mut tables = vec![("points".to_owned(), point_columns(l))];
    if !with_runs.is_empty() {
        tables.push(("runs".to_owned(), sweep_run_columns()));
    }
    // The merge of these tables: a resume must see the same ones.
    let sums: Vec<&Json> = parts
        .iter()
        .map(|p| p.manifest.get("sha256").unwrap_or(&Json::Null))
        .collect();
    let id = identity(&json!({"command": "merge", "experiment": l.identity(), "parts": sums}));
    let layout = Layout {
        tables,
        streams: Vec::new(),
    };
    let rows = best.len() as u64;
    let (mut dir, before) = if resume {
        let (dir, before, ()) =
            ResultsDir::resume(out, id, layout, ()).map_err(|e| e.to_string())?;
        (dir, before)
    } else {
        (
            ResultsDir::create(out, id, layout, &()).map_err(|e| e.to_string())?,
            0,
        )
    };
    // A merge checkpoints when it starts and when all its rows are written.
    if before == 0 {
        for (_, row) in best.values() {
            dir.tables[0].push(row).map_err(|e| e.to_string())?;
        }
        if !with_runs.is_empty() {
            let kept: BTreeSet<(usize, u64)> = best
                .iter()
                .map(|(pos, (part, _))| (*part, *pos as u64))
                .collect();
            let mut runs = Vec::new();
            for part in with_runs {
                let path = parts[part].dir.join("runs.parquet");
                read_parquet(&path, |r| {
                    if let Some(Value::U64(pos)) = r.first()
                        && kept.contains(&(part, *pos))
                    {
                        runs.push(r.to_vec());
                    }
                })
                .map_err(|e| format!("`{}`: {e}", path.display()))?;
            }
            runs.sort_by_key(|r| match (r.first(), r.get(2)) {
                (Some(Value::U64(o)), Some(Value::U64(i))) => (*o, *i),
                _ => (u64::MAX, u64::MAX),
            });
            for r in &runs {
                dir.tables[1].push(r).map_err(|e| e.to_string())?;
            }
        }
    } else if before != rows {
        return Err(format!(
            "cannot resume `{}`: its checkpoint counts {before} rows, not the {rows} of this merge",
            out.display()
        ));
    }
    let mut manifest = manifest_head(l);
    manifest.extend(json_map(json!({
        "experiment_file": parts.first().and_then(|p| p.manifest.get("experiment_file")).cloned().unwrap_or(Json::Null),
        "slice": "merged",
        "merged_from": parts.iter().map(|p| p.dir.display().to_string()).collect::<Vec<_>>(),
        "design_points": l.points.len(),
        "points_requested": l.points.len(),
        "points_done": st.done.len(),
        "failed": st.failed.iter().map(|(p, e)| json!({"point": p, "error": e})).collect::<Vec<_>>(),
    })));
    let complete = st.missing.is_empty() && st.failed.is_empty();
    dir.finish(rows, complete, &(), manifest, |_| Ok(Vec::new()))
        .map_err(|e| e.to_string())?;
    Ok(st)
}

/// Shares of outcome `outcome` per design point, from a complete sweep's rows (index = point).
pub fn shares(l: &Resolved, rows: &[Vec<Value>], outcome: &str) -> Result<Vec<f64>, String> {
    let col = point_columns(l)
        .iter()
        .position(|c| c.name == format!("share_{outcome}"))
        .ok_or_else(|| format!("the sweep did not record `{outcome}`"))?;
    let mut out = vec![f64::NAN; l.points.len()];
    for row in rows {
        if let (Some(Value::F64(v)), Some(slot)) = (row.get(col), out.get_mut(row_point(row))) {
            *slot = *v;
        }
    }
    if let Some(p) = out.iter().position(|v| v.is_nan()) {
        return Err(format!(
            "design point {p} has no result (missing or failed): `detente status` lists what to rerun"
        ));
    }
    Ok(out)
}

/// Times a few runs of the base scenario: seconds per run on one thread.
pub fn seconds_per_run(l: &Loaded) -> f64 {
    let Ok(loaded) = l.base.load(&[]) else {
        return f64::NAN;
    };
    let mut sim = Sim::new(Arc::new(loaded.scenario));
    let n = 300;
    let start = Instant::now();
    for r in 0..n {
        sim.run(l.experiment.seed, r);
    }
    start.elapsed().as_secs_f64() / n as f64
}

/// Signals a long sweep to stop (set by Ctrl-C in the command line).
pub static STOP: AtomicBool = AtomicBool::new(false);
