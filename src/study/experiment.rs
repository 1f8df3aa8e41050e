//! Experiments (docs/architecture.md §7): a base scenario, parameters with ranges or distributions, a design,
//! replications per design point — planned, swept (whole or as shards of a cluster job array),
//! merged and checked.
//!
//! Replication *r* of every design point uses the random streams of `(seed, r)` (common random
//! numbers), so differences between points come from the parameters, not from the noise. Points
//! run in a spread order ([`super::design::spread_order`]) so that any prefix of finished work covers the
//! space evenly; shard *I* of *N* takes every *N*-th point of that order, starting at *I*.
//! Results rows carry their position in that order, so shards merge into exactly the table an
//! unsharded sweep writes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use sha2::{Digest as _, Sha256};

use super::design::{Design, Distribution, Point, spread_order, values};
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

/// A loaded, checked experiment with its base scenario prepared.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The experiment file's content.
    pub experiment: Experiment,
    /// The experiment file.
    pub file: PathBuf,
    /// SHA-256 of the experiment file and of the scenario files, in hex.
    pub hashes: Vec<(String, String)>,
    /// The base scenario, ready for overrides.
    pub base: Prepared,
    /// The design points.
    pub points: Vec<Point>,
    /// Point indices in spread order.
    pub order: Vec<usize>,
}

impl Loaded {
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

    /// The identity of this experiment, for merging and resuming: the hash of the files.
    pub fn identity(&self) -> String {
        let mut h = Sha256::new();
        for (f, hash) in &self.hashes {
            h.update(f.as_bytes());
            h.update(hash.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
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
    let mut errors = Vec::new();
    let err = |field: String, msg: String| Diagnostic::new(msg).in_file(file).at_field(field);
    if experiment.parameters.is_empty() {
        errors.push(err(
            "parameters".into(),
            "an experiment needs at least one parameter".into(),
        ));
    }
    if experiment.replications == 0 {
        errors.push(err(
            "replications".into(),
            "at least one run per point".into(),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, p) in experiment.parameters.iter().enumerate() {
        if let Err(m) = p.distribution.validate() {
            errors.push(err(format!("parameters[{i}].distribution"), m));
            continue;
        }
        if !seen.insert(p.path.clone()) {
            errors.push(err(
                format!("parameters[{i}].path"),
                format!("`{}` is varied twice", p.path),
            ));
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
    if let Err(m) = experiment.design.validate(experiment.parameters.len()) {
        errors.push(err("design".into(), m));
    }
    let base_scenario = base.load(&[]).map(|l| l.scenario).ok();
    if let Some(s) = &base_scenario
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
        let known = base_scenario
            .as_ref()
            .is_some_and(|s| OutcomeClass::parse(o, s).is_some());
        if !known {
            errors.push(err(
                format!("outcomes[{i}]"),
                format!("unknown outcome `{o}`: use deal, talks_continue, collapse, strike or strike:<actor id>"),
            ));
        }
    }
    if experiment.outcomes.is_empty() {
        errors.push(err("outcomes".into(), "record at least one outcome".into()));
    }
    if !errors.is_empty() {
        return Err(Diagnostics(errors));
    }
    let dists: Vec<Distribution> = experiment
        .parameters
        .iter()
        .map(|p| p.distribution.clone())
        .collect();
    let points = experiment.design.points(&dists, experiment.seed);
    let order = spread_order(&experiment.design, &points);
    let mut hashes = vec![(
        file.display().to_string(),
        sha256_file(file)
            .map_err(|e| Diagnostics::one(Diagnostic::new(e.to_string()).in_file(file)))?,
    )];
    let files = base.load(&[]).map(|l| l.files).unwrap_or_default();
    for f in files {
        let h = sha256_file(&f)
            .map_err(|e| Diagnostics::one(Diagnostic::new(e.to_string()).in_file(&f)))?;
        hashes.push((f.display().to_string(), h));
    }
    Ok(Loaded {
        experiment,
        file: file.to_path_buf(),
        hashes,
        base,
        points,
        order,
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
    pub fn positions(&self, l: &Loaded) -> Vec<usize> {
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
pub fn point_columns(l: &Loaded) -> Vec<Column> {
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

fn point_row(l: &Loaded, r: &PointResult) -> Vec<Value> {
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
    /// Points run.
    pub points: usize,
    /// Points asked for.
    pub requested: usize,
    /// Point indices that could not run, with the reason.
    pub failed: Vec<(usize, String)>,
    /// Wall time.
    pub seconds: f64,
}

/// What every sweep manifest starts with: version, experiment, files and their hashes.
fn manifest_head(l: &Loaded) -> serde_json::Map<String, Json> {
    json_map(json!({
        "detente_version": env!("CARGO_PKG_VERSION"),
        "experiment": l.experiment,
        "experiment_file": l.file.display().to_string(),
        "identity": l.identity(),
        "files": l.hashes.iter().map(|(f, h)| json!({"path": f, "sha256": h})).collect::<Vec<_>>(),
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
) -> Result<SweepSummary, super::results::ResultsError> {
    sweep_with(l, slice, dir, threads, false, stop, progress)
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

/// [`sweep`], with one row per run as well (`runs.csv`, `runs.parquet`) when `runs_table`. The
/// points go through the [executor](super::executor) one per chunk, each worker keeping its
/// simulator across points of the same shape; the tables are written in spread order as points
/// finish, in a [results directory](super::results_dir).
pub fn sweep_with(
    l: &Loaded,
    slice: &Slice,
    dir: &Path,
    threads: usize,
    runs_table: bool,
    stop: &AtomicBool,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<SweepSummary, super::results::ResultsError> {
    use super::results::ResultsError;
    use super::results_dir::{Layout, ResultsDir, identity};
    let mut tables = vec![("points".to_owned(), point_columns(l))];
    if runs_table {
        tables.push(("runs".to_owned(), sweep_run_columns()));
    }
    let id = identity(&json!({
        "command": "sweep",
        "experiment": l.identity(),
        "slice": slice.describe(),
        "runs_table": runs_table,
    }));
    let none: &[(usize, String)] = &[];
    let mut out = ResultsDir::create(
        dir,
        id,
        Layout {
            tables,
            streams: Vec::new(),
        },
        &none,
    )?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let positions = slice.positions(l);
    let total = positions.len();
    let mut failed: Vec<(usize, String)> = Vec::new();
    let done = super::executor::execute(
        threads,
        0..total as u64,
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
                    failed.push((r.point, e.clone()));
                }
            }
            out.checkpoint(items.end, &failed)
        },
        &|done| {
            progress(done as usize, total);
            stop.load(Ordering::Relaxed)
        },
    )
    .map_err(|e| ResultsError::Io(dir.to_path_buf(), e))? as usize;
    let seconds = clock.elapsed().as_secs_f64();
    let runs = done as u64 * l.experiment.replications;
    let mut manifest = manifest_head(l);
    manifest.extend(json_map(json!({
        "slice": slice.describe(),
        "design_points": l.points.len(),
        "points_requested": total,
        "points_done": done,
        "failed": failed.iter().map(|(p, e)| json!({"point": p, "error": e})).collect::<Vec<_>>(),
        "runs": runs,
        "started": humantime::format_rfc3339_seconds(started).to_string(),
        "ended": humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        "seconds": seconds,
        "runs_per_second": if seconds > 0.0 { runs as f64 / seconds } else { 0.0 },
    })));
    out.finish(done as u64, done == total, &failed, manifest, |_| {
        Ok(Vec::new())
    })?;
    Ok(SweepSummary {
        points: done,
        requested: total,
        failed,
        seconds,
    })
}

/// The rows of a sweep directory's points table, with the manifest.
pub struct Part {
    /// The directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Json,
    /// Its rows.
    pub rows: Vec<Vec<Value>>,
}

/// Reads a sweep directory.
pub fn read_part(dir: &Path) -> Result<Part, String> {
    let manifest: Json = fs::read_to_string(dir.join("manifest.json"))
        .map_err(|e| {
            format!(
                "`{}`: no manifest.json ({e}); is it a sweep's --out directory?",
                dir.display()
            )
        })
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| format!("`{}`: manifest.json: {e}", dir.display()))
        })?;
    let mut rows = Vec::new();
    read_parquet(&dir.join("points.parquet"), |r| rows.push(r.to_vec()))
        .map_err(|e| format!("`{}`: points.parquet: {e}", dir.display()))?;
    Ok(Part {
        dir: dir.to_path_buf(),
        manifest,
        rows,
    })
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
    match row[1] {
        Value::U64(p) => p as usize,
        _ => usize::MAX,
    }
}

fn row_error(row: &[Value]) -> Option<String> {
    match row.last() {
        Some(Value::Str(e)) => Some(e.clone()),
        _ => None,
    }
}

/// Which design points the directories cover, which failed and which are missing.
pub fn status(l: &Loaded, parts: &[Part]) -> Result<Status, String> {
    let id = l.identity();
    let mut done = BTreeSet::new();
    let mut failed = BTreeMap::new();
    for p in parts {
        if p.manifest["identity"] != json!(id) {
            return Err(format!(
                "`{}` holds results of another experiment (or of changed files)",
                p.dir.display()
            ));
        }
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
/// order — the table an unsharded sweep writes. Successful rows win over failed ones.
pub fn merge(l: &Loaded, parts: &[Part], out: &Path) -> Result<Status, String> {
    let st = status(l, parts)?;
    if out.exists() {
        return Err(format!(
            "`{}` already exists: results are never overwritten",
            out.display()
        ));
    }
    // Position in the spread order → (part, row).
    let mut best: BTreeMap<usize, (usize, &Vec<Value>)> = BTreeMap::new();
    for (part, p) in parts.iter().enumerate() {
        for row in &p.rows {
            let position = match row[0] {
                Value::U64(x) => x as usize,
                _ => continue,
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
    let with_runs: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i].dir.join("runs.parquet").exists())
        .collect();
    let mut tables = vec![("points".to_owned(), point_columns(l))];
    if !with_runs.is_empty() {
        tables.push(("runs".to_owned(), sweep_run_columns()));
    }
    let id = super::results_dir::identity(&json!({"command": "merge", "experiment": l.identity()}));
    let layout = super::results_dir::Layout {
        tables,
        streams: Vec::new(),
    };
    let mut dir =
        super::results_dir::ResultsDir::create(out, id, layout, &()).map_err(|e| e.to_string())?;
    for (_, row) in best.values() {
        dir.tables[0].push(row).map_err(|e| e.to_string())?;
    }
    if !with_runs.is_empty() {
        let kept: BTreeSet<(usize, u64)> = best
            .iter()
            .map(|(pos, (part, _))| (*part, *pos as u64))
            .collect();
        let mut rows = Vec::new();
        for part in with_runs {
            read_parquet(&parts[part].dir.join("runs.parquet"), |r| {
                if let Value::U64(pos) = r[0]
                    && kept.contains(&(part, pos))
                {
                    rows.push(r.to_vec());
                }
            })
            .map_err(|e| e.to_string())?;
        }
        rows.sort_by_key(|r| match (&r[0], &r[2]) {
            (Value::U64(o), Value::U64(i)) => (*o, *i),
            _ => (u64::MAX, u64::MAX),
        });
        for r in &rows {
            dir.tables[1].push(r).map_err(|e| e.to_string())?;
        }
    }
    let mut manifest = manifest_head(l);
    manifest.extend(json_map(json!({
        "slice": "merged",
        "merged_from": parts.iter().map(|p| p.dir.display().to_string()).collect::<Vec<_>>(),
        "design_points": l.points.len(),
        "points_requested": l.points.len(),
        "points_done": st.done.len(),
        "failed": st.failed.iter().map(|(p, e)| json!({"point": p, "error": e})).collect::<Vec<_>>(),
    })));
    let complete = st.missing.is_empty() && st.failed.is_empty();
    let failed: Vec<(usize, String)> = st.failed.iter().map(|(p, e)| (*p, e.clone())).collect();
    dir.finish(st.done.len() as u64, complete, &failed, manifest, |_| {
        Ok(Vec::new())
    })
    .map_err(|e| e.to_string())?;
    Ok(st)
}

/// Shares of outcome `outcome` per design point, from a complete sweep's rows (index = point).
pub fn shares(l: &Loaded, rows: &[Vec<Value>], outcome: &str) -> Result<Vec<f64>, String> {
    let col = point_columns(l)
        .iter()
        .position(|c| c.name == format!("share_{outcome}"))
        .ok_or_else(|| format!("the sweep did not record `{outcome}`"))?;
    let mut out = vec![f64::NAN; l.points.len()];
    for row in rows {
        if let Value::F64(v) = row[col] {
            out[row_point(row)] = v;
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
