//! `detente plan`, `sweep`, `merge`, `status` and `sensitivity`: experiments over a parameter
//! space, whole or as shards of a cluster job array.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use super::CliError;
use crate::limits::{self, LimitError};
use crate::study::design::{Design, Role};
use crate::study::experiment::{
    Experiment, Loaded, Part, Resolved, Slice, SweepOptions, check_part, embedded_experiment,
    load_experiment, merge_with, parse_shard, read_part, seconds_per_run, shard_from_env, shares,
    status, sweep_with,
};
use crate::study::sensitivity;

fn usage(m: impl Into<String>) -> CliError {
    CliError::Usage(m.into())
}

/// The size of an experiment, counted from its file before any point is made.
struct Sizes {
    /// Design points (`None`: more than 64 bits hold).
    points: Option<u64>,
    /// How the points are counted.
    formula: String,
    /// Runs per point.
    replications: u64,
    /// Points × replications.
    total: Option<u64>,
}

impl Sizes {
    fn of(e: &Experiment) -> Sizes {
        let dists: Vec<_> = e
            .parameters
            .iter()
            .map(|p| p.distribution.clone())
            .collect();
        let points = e.design.size(&dists);
        Sizes {
            points,
            formula: e.design.size_formula(&dists),
            replications: e.replications,
            total: points.and_then(|p| p.checked_mul(e.replications)),
        }
    }

    /// The design's own limits, whatever part of it runs: its points (held in memory by every
    /// process), the runs of each point, a total that fits 64 bits.
    fn check_design(&self, allow_large: bool) -> Result<(), LimitError> {
        limits::DESIGN.check(self.points, self.formula.clone(), allow_large)?;
        limits::ENSEMBLE.check(
            Some(self.replications),
            "replications of each design point",
            false,
        )?;
        limits::RUNS.check(self.total, "", true)?;
        Ok(())
    }

    /// `runs` of this design for one process (the whole design, a shard, a list of points),
    /// against the soft limit on runs; the message says how many shards would each be within it.
    fn check_runs(&self, runs: u64, points: u64, allow_large: bool) -> Result<u64, LimitError> {
        let how = format!("{points} points × {} replications", self.replications);
        limits::RUNS
            .check(Some(runs), how, allow_large)
            .map_err(|mut e| {
                let per_shard = limits::STUDY_RUNS / self.replications.max(1);
                if let (Some(points), true) = (self.points, per_shard > 0) {
                    let shards = points.div_ceil(per_shard);
                    e.hint = Some(format!(
                        "or run the sweep as {shards} or more shards (`--shard I/{shards}`, one \
                         process each), each within the limit"
                    ));
                }
                e
            })
    }

    fn line(&self) -> String {
        let show =
            |n: Option<u64>| n.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string());
        let formula = if self.formula.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.formula)
        };
        format!(
            "{} design points{formula} × {} replications = {} runs",
            show(self.points),
            self.replications,
            show(self.total)
        )
    }
}

/// The experiment's file, parsed only (not checked): its sizes can be counted from it. `None`
/// if it cannot be read or parsed, which [`load_experiment`] then reports.
fn parse_only(file: &Path) -> Option<Experiment> {
    let text = crate::safe_fs::read_input(file, "experiment file").ok()?;
    crate::scenario::load::parse_ron(&text, file).ok()
}

/// Loads an experiment after counting its size from the file: a design above the limits is
/// refused before any point is made.
fn load_checked(file: &Path, allow_large: bool) -> Result<Loaded, CliError> {
    if let Some(e) = parse_only(file) {
        Sizes::of(&e)
            .check_design(allow_large)
            .map_err(|m| refuse(file, m))?;
    }
    Ok(load_experiment(file)?)
}

/// A limit error about experiment `file`.
/// `detente check` on an experiment file: the size limits as `plan` applies them, then every
/// problem of the file and its scenario; the summary line of a valid one.
pub fn check(file: &Path, allow_large: bool) -> Result<String, CliError> {
    if let Some(e) = parse_only(file) {
        let sizes = Sizes::of(&e);
        sizes
            .check_design(allow_large)
            .and_then(|()| {
                let total = sizes.total.unwrap_or(u64::MAX);
                sizes.check_runs(total, sizes.points.unwrap_or(u64::MAX), allow_large)
            })
            .map_err(|m| refuse(file, m))?;
    }
    let l = load_experiment(file)?;
    let e = &l.experiment;
    Ok(format!(
        "{}: ok: experiment \"{}\" on {}: {} parameters, {}, {} design points × {} \
         replications = {} runs",
        file.display(),
        e.name,
        e.scenario,
        e.parameters.len(),
        describe_design(&e.design),
        l.points.len(),
        e.replications,
        l.total_runs().unwrap_or(u64::MAX)
    ))
}

fn refuse(file: &Path, e: LimitError) -> CliError {
    usage(format!("{}: {e}", file.display()))
}

fn describe_design(d: &Design) -> String {
    match d {
        Design::Grid { levels } => format!("grid, {levels} levels per continuous parameter"),
        Design::LatinHypercube { points } => format!("Latin hypercube of {points} points"),
        Design::Sobol { base_samples } => {
            format!("Sobol/Saltelli with N = {base_samples} base samples")
        }
        Design::Morris {
            trajectories,
            levels,
        } => format!("Morris, {trajectories} trajectories on {levels} levels"),
    }
}

/// `detente plan EXPERIMENT`: the size of the design, a preview, and an estimate of the time.
/// A design above the limits is shown by its sizes only, then refused.
pub fn plan(
    file: &Path,
    threads: usize,
    allow_large: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    if let Some(e) = parse_only(file) {
        let sizes = Sizes::of(&e);
        let refused = sizes.check_design(allow_large).and_then(|()| {
            let total = sizes.total.unwrap_or(u64::MAX);
            sizes.check_runs(total, sizes.points.unwrap_or(u64::MAX), allow_large)
        });
        if let Err(m) = refused {
            let o = format!(
                "{} ({})\n  design: {}\n  {}\n",
                e.name,
                file.display(),
                describe_design(&e.design),
                sizes.line()
            );
            out.write_all(o.as_bytes()).map_err(CliError::Io)?;
            return Err(refuse(file, m));
        }
    }
    let l = load_experiment(file)?;
    let e = &l.experiment;
    let threads = if threads == 0 {
        rayon::current_num_threads()
    } else {
        threads
    };
    let per_run = seconds_per_run(&l);
    let total = l.total_runs().unwrap_or(u64::MAX);
    let seconds = per_run * total as f64 / threads as f64;
    let mut o = format!("{} ({})\n", e.name, file.display());
    o += &format!("  scenario: {}\n", e.scenario);
    o += &format!("  design: {}\n", describe_design(&e.design));
    o += &format!("  parameters ({}):\n", e.parameters.len());
    let width = e
        .parameters
        .iter()
        .map(|p| p.path.chars().count())
        .max()
        .unwrap_or(0);
    for (i, p) in e.parameters.iter().enumerate() {
        o += &format!("    [{}] {:<width$}  {}\n", i + 1, p.path, p.distribution);
    }
    o += &format!("  outcomes recorded: {}\n", e.outcomes.join(", "));
    o += &format!(
        "  {} design points × {} replications = {} runs; seed {}\n",
        l.points.len(),
        e.replications,
        total,
        e.seed
    );
    o += &format!(
        "  estimated time on this machine: {} ({:.1} µs a run, {threads} threads)\n",
        human(seconds),
        per_run * 1e6
    );
    o +=
        "\n  first points (in the order they run; columns are the parameters [1], [2]... above):\n";
    o += &format!("    {:>6}  ", "point");
    for i in 0..e.parameters.len() {
        o += &format!("{:>10}", format!("[{}]", i + 1));
    }
    o += "\n";
    for &point in l.order.iter().take(8) {
        o += &format!("    {point:>6}  ");
        for ov in l.overrides(point) {
            let v: f64 = ov.value.parse().unwrap_or(f64::NAN);
            o += &format!("{v:>10.4}");
        }
        o += "\n";
    }
    o += &format!(
        "\n  to run it: detente sweep {} --out DIR   (or as shards: --shard I/N, one process each)\n",
        file.display()
    );
    out.write_all(o.as_bytes()).map_err(CliError::Io)
}

fn human(seconds: f64) -> String {
    if !seconds.is_finite() {
        "unknown".into()
    } else if seconds < 90.0 {
        format!("{seconds:.1} s")
    } else if seconds < 5400.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

/// Arguments of `sweep`.
pub struct SweepArgs {
    /// The experiment file.
    pub file: PathBuf,
    /// Results directory.
    pub out: PathBuf,
    /// `--shard I/N`.
    pub shard: Option<String>,
    /// `--points 3-17,40` or `--points @FILE`.
    pub points: Option<String>,
    /// Worker threads.
    pub threads: usize,
    /// Also write one row per run.
    pub runs_table: bool,
    /// `--allow-large`: go ahead above the soft limits.
    pub allow_large: bool,
    /// `--resume`: finish the sweep stopped in the directory.
    pub resume: bool,
}

/// The text of `--points`: the list itself, or the content of FILE for `@FILE` (numbers and
/// ranges separated by commas, spaces or new lines).
fn points_text(p: &str) -> Result<String, CliError> {
    match p.strip_prefix('@') {
        None => Ok(p.to_string()),
        Some(f) => {
            let text = crate::safe_fs::read_input(Path::new(f), "--points file")
                .map_err(|e| usage(format!("--points @{f}: {e}")))?;
            let items: Vec<&str> = text
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|x| !x.is_empty())
                .collect();
            if items.is_empty() {
                return Err(usage(format!("--points @{f}: `{f}` lists no points")));
            }
            Ok(items.join(","))
        }
    }
}

/// `detente sweep EXPERIMENT --out DIR [--shard I/N | --points LIST]`.
pub fn run_sweep(a: &SweepArgs, out: &mut impl Write) -> Result<(), CliError> {
    // The arguments first: a malformed shard is an error before anything is loaded.
    let shard = match (&a.shard, &a.points) {
        (Some(_), Some(_)) => return Err(usage("give --shard or --points, not both")),
        (Some(s), None) => Some(parse_shard(s).map_err(usage)?),
        (None, Some(_)) => None,
        (None, None) => {
            shard_from_env(|k| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned()))
                .map_err(usage)?
        }
    };
    let l = load_checked(&a.file, a.allow_large)?;
    let slice = match (shard, &a.points) {
        (Some(s), _) => s,
        (None, Some(p)) => Slice::parse_points(&points_text(p)?, l.points.len()).map_err(usage)?,
        (None, None) => Slice::All,
    };
    // The runs of this process: the whole design, a shard of it, or the points listed.
    let points = slice.positions(&l).len() as u64;
    let sizes = Sizes {
        points: Some(l.points.len() as u64),
        formula: String::new(),
        replications: l.experiment.replications,
        total: l.total_runs(),
    };
    sizes
        .check_runs(
            points.saturating_mul(l.experiment.replications),
            points,
            a.allow_large,
        )
        .map_err(|m| refuse(&a.file, m))?;
    let _ = ctrlc::set_handler(|| crate::study::experiment::STOP.store(true, Ordering::SeqCst));
    let show = std::io::stderr().is_terminal();
    let start = std::time::Instant::now();
    let progress = move |done: usize, total: usize| {
        if show {
            let secs = start.elapsed().as_secs_f64();
            let eta = secs * total.saturating_sub(done) as f64 / done.max(1) as f64;
            eprint!(
                "\r  {done}/{total} points ({:.0}%), {} left   ",
                100.0 * done as f64 / total.max(1) as f64,
                human(eta)
            );
        }
    };
    let options = SweepOptions {
        threads: a.threads,
        runs_table: a.runs_table,
        resume: a.resume,
    };
    let summary = sweep_with(
        &l,
        &slice,
        &a.out,
        &options,
        &crate::study::experiment::STOP,
        &progress,
    )
    .map_err(CliError::Results)?;
    if show {
        eprint!("\r{:70}\r", "");
    }
    let mut o = if a.resume && summary.resumed_from == summary.points {
        format!(
            "{}: {} of {} design points were done before: nothing left to resume → {}\n",
            l.experiment.name,
            summary.points,
            summary.requested,
            a.out.display()
        )
    } else {
        let resumed = if a.resume {
            format!(" (resumed after {} points)", summary.resumed_from)
        } else {
            String::new()
        };
        format!(
            "{}: {} of {} design points ({} runs) in {:.1} s{resumed} → {}\n",
            l.experiment.name,
            summary.points,
            summary.requested,
            summary.points as u64 * l.experiment.replications,
            summary.seconds,
            a.out.display()
        )
    };
    if let Slice::Shard { index, count } = slice {
        o += &format!("  shard {index}/{count}; combine the shards with `detente merge DIR...`\n");
    }
    for (p, e) in &summary.failed {
        o += &format!(
            "  point {p} failed: {}\n",
            e.lines().next().unwrap_or_default()
        );
    }
    out.write_all(o.as_bytes()).map_err(CliError::Io)?;
    if summary.points < summary.requested {
        return Err(CliError::SweepInterrupted {
            done: summary.points,
            requested: summary.requested,
            dir: a.out.clone(),
        });
    }
    Ok(())
}

/// The sweep directories `dirs` and their experiment: the one `file` names, or else the one
/// embedded in the first directory's manifest (its design's size checked against the limits
/// before any point is made). Every directory is checked to hold results of that experiment,
/// with the same columns and design points. Also returns how to name the experiment file in a
/// suggested command.
fn experiment_of(
    dirs: &[PathBuf],
    file: Option<&Path>,
    allow_large: bool,
) -> Result<(Resolved, Vec<Part>, String), CliError> {
    let parts: Vec<Part> = dirs
        .iter()
        .map(|d| read_part(d))
        .collect::<Result<_, _>>()
        .map_err(usage)?;
    let first = parts
        .first()
        .ok_or_else(|| usage("name at least one sweep directory"))?;
    let (resolved, hint) = match file {
        Some(f) => (
            load_checked(f, allow_large)?.resolved,
            f.display().to_string(),
        ),
        None => {
            let (e, scenario) = embedded_experiment(first).map_err(usage)?;
            let manifest = first.dir.join("manifest.json");
            Sizes::of(&e)
                .check_design(allow_large)
                .map_err(|m| refuse(&manifest, m))?;
            let source = format!("the experiment of `{}`", first.dir.display());
            let r = Resolved::new(e, scenario, source).map_err(usage)?;
            let hint = first.manifest["experiment_file"]
                .as_str()
                .unwrap_or("EXPERIMENT.ron")
                .to_string();
            (r, hint)
        }
    };
    for p in &parts {
        check_part(&resolved, p).map_err(usage)?;
    }
    Ok((resolved, parts, hint))
}

/// `detente status DIR...`.
pub fn run_status(
    dirs: &[PathBuf],
    file: Option<&Path>,
    points_file: Option<&Path>,
    allow_large: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let (l, parts, experiment_file) = experiment_of(dirs, file, allow_large)?;
    let st = status(&l, &parts).map_err(usage)?;
    let mut o = format!(
        "{}: {} of {} design points done, {} failed, {} missing\n",
        l.experiment.name,
        st.done.len(),
        st.points,
        st.failed.len(),
        st.missing.len()
    );
    for (p, e) in &st.failed {
        o += &format!(
            "  failed point {p}: {}\n",
            e.lines().next().unwrap_or_default()
        );
    }
    let todo: Vec<usize> = st
        .missing
        .iter()
        .copied()
        .chain(st.failed.keys().copied())
        .collect();
    if todo.is_empty() {
        o += &format!(
            "  complete: `detente merge {} --out DIR` combines them\n",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
    } else {
        let list = Slice::ranges(&todo);
        let shown = match list.char_indices().filter(|&(_, c)| c == ',').nth(19) {
            Some((cut, _)) => format!("{} … ({} points)", &list[..cut], todo.len()),
            None => list.clone(),
        };
        o += &format!("  missing or failed: {shown}\n");
        let arg = match points_file {
            Some(f) => {
                if f.exists() {
                    return Err(usage(format!(
                        "--points-file: `{}` already exists: choose another file",
                        f.display()
                    )));
                }
                super::write_atomically(f, format!("{list}\n").as_bytes()).map_err(CliError::Io)?;
                o += &format!(
                    "  the {} points are listed in {}\n",
                    todo.len(),
                    f.display()
                );
                Some(format!("@{}", f.display()))
            }
            None if list.len() <= limits::POINTS_ARG_CHARS => Some(list),
            None => None,
        };
        match arg {
            Some(arg) => {
                o += &format!(
                    "  rerun only those:\n    detente sweep {experiment_file} --out RERUN_DIR --points {arg}\n  then merge the directories with RERUN_DIR\n",
                );
            }
            None => {
                o += &format!(
                    "  the list of {} points is too long for a command line: write it to a file \
                     with\n    detente status {} --points-file FILE\n  then rerun only those \
                     with\n    detente sweep {} --out RERUN_DIR --points @FILE\n  and merge the \
                     directories with RERUN_DIR\n",
                    todo.len(),
                    dirs.iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    experiment_file
                );
            }
        }
    }
    out.write_all(o.as_bytes()).map_err(CliError::Io)?;
    if todo.is_empty() {
        Ok(())
    } else {
        Err(usage(format!(
            "{} design points missing or failed",
            todo.len()
        )))
    }
}

/// `detente merge DIR... --out MERGED [--resume]`.
pub fn run_merge(
    dirs: &[PathBuf],
    to: &Path,
    resume: bool,
    allow_large: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let (l, parts, _) = experiment_of(dirs, None, allow_large)?;
    let st = merge_with(&l, &parts, to, resume).map_err(usage)?;
    let mut o = format!(
        "merged {} directories into {}: {} of {} design points\n",
        dirs.len(),
        to.display(),
        st.done.len(),
        st.points
    );
    if !st.missing.is_empty() || !st.failed.is_empty() {
        o += &format!(
            "  {} missing and {} failed: `detente status {}` says how to rerun them\n",
            st.missing.len(),
            st.failed.len(),
            to.display()
        );
    }
    out.write_all(o.as_bytes()).map_err(CliError::Io)
}

/// `detente sensitivity DIR`: Sobol or Morris indices for each recorded outcome.
pub fn run_sensitivity(
    dir: &Path,
    resamples: usize,
    allow_large: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let (l, parts, _) = experiment_of(&[dir.to_path_buf()], None, allow_large)?;
    let e = &l.experiment;
    if !matches!(e.design, Design::Sobol { .. } | Design::Morris { .. }) {
        return Err(usage(format!(
            "sensitivity needs a Sobol or Morris design; the experiment of `{}` uses {}",
            dir.display(),
            describe_design(&e.design)
        )));
    }
    let rows = &parts[0].rows;
    let k = e.parameters.len();
    let mut o = format!(
        "{} — sensitivity of the outcome shares ({})\n",
        e.name,
        describe_design(&e.design)
    );
    let mut csv = String::from("outcome,parameter,method,index,value,lo,hi\n");
    let mut bars = Vec::new();
    for outcome in &e.outcomes {
        let y_point = shares(&l, rows, outcome).map_err(usage)?;
        o += &format!("\n{outcome}\n");
        match &e.design {
            Design::Sobol { base_samples } => {
                // Saltelli layout: per block, A, B, AB_1..AB_k.
                let mut y = vec![f64::NAN; base_samples * (k + 2)];
                for p in &l.points {
                    let slot = match p.role {
                        Role::SaltelliA { block } => block * (k + 2),
                        Role::SaltelliB { block } => block * (k + 2) + 1,
                        Role::SaltelliAB { block, factor } => block * (k + 2) + 2 + factor,
                        _ => continue,
                    };
                    if let (Some(y), Some(v)) = (y.get_mut(slot), y_point.get(p.index)) {
                        *y = *v;
                    }
                }
                let idx = match sensitivity::sobol(&y, k, resamples, e.seed) {
                    Ok(idx) => idx,
                    Err(m) => {
                        o += &format!("  no indices: {m}\n");
                        continue;
                    }
                };
                let mut ranked: Vec<usize> = (0..k).collect();
                ranked.sort_by(|&a, &b| idx[b].total.value.total_cmp(&idx[a].total.value));
                o += &format!(
                    "  {:<44} {:>22} {:>22}\n",
                    "parameter (ranked by total index)", "first order S1 [95%]", "total ST [95%]"
                );
                for &i in &ranked {
                    let (f, t) = (idx[i].first, idx[i].total);
                    o += &format!(
                        "  {:<44} {:>6.3} [{:>6.3}, {:>6.3}] {:>6.3} [{:>6.3}, {:>6.3}]\n",
                        e.parameters[i].path, f.value, f.lo, f.hi, t.value, t.lo, t.hi
                    );
                    for (name, est) in [("first", f), ("total", t)] {
                        csv += &format!(
                            "{outcome},{},sobol,{name},{},{},{}\n",
                            e.parameters[i].path, est.value, est.lo, est.hi
                        );
                    }
                    if outcome == &e.outcomes[0] {
                        bars.push(crate::report::svg::ShareBar {
                            label: e.parameters[i].path.clone(),
                            share: t.value.clamp(0.0, 1.0),
                            lo: t.lo.clamp(0.0, 1.0),
                            hi: t.hi.clamp(0.0, 1.0),
                        });
                    }
                }
                if let Some(mut w) = sensitivity::sobol_warning(*base_samples, &idx) {
                    // Name the parameters instead of their indices (S_2 → S1(path)).
                    for (i, p) in e.parameters.iter().enumerate().rev() {
                        w = w.replace(&format!("ST_{i}"), &format!("ST({})", p.path));
                        w = w.replace(&format!("S_{i}"), &format!("S1({})", p.path));
                    }
                    o += &format!("  warning: {w}\n");
                }
            }
            Design::Morris { trajectories, .. } => {
                let mut y = vec![f64::NAN; trajectories * (k + 1)];
                let mut steps = vec![(0usize, 0.0f64); trajectories * k];
                for p in &l.points {
                    if let Role::Morris {
                        trajectory,
                        step,
                        factor,
                        delta,
                    } = p.role
                    {
                        let slot = trajectory * (k + 1) + step;
                        if let (Some(y), Some(v)) = (y.get_mut(slot), y_point.get(p.index)) {
                            *y = *v;
                        }
                        if let (true, Some(f)) = (step > 0, factor)
                            && let Some(s) = steps.get_mut(trajectory * k + step - 1)
                        {
                            *s = (f, delta);
                        }
                    }
                }
                let idx = match sensitivity::morris(&y, k, &steps, resamples, e.seed) {
                    Ok(idx) => idx,
                    Err(m) => {
                        o += &format!("  no indices: {m}\n");
                        continue;
                    }
                };
                let mut ranked: Vec<usize> = (0..k).collect();
                ranked.sort_by(|&a, &b| idx[b].mu_star.value.total_cmp(&idx[a].mu_star.value));
                o += &format!(
                    "  {:<44} {:>24} {:>9} {:>9}\n",
                    "parameter (ranked by μ*)", "μ* [95%]", "μ", "σ"
                );
                for &i in &ranked {
                    let m = &idx[i];
                    o += &format!(
                        "  {:<44} {:>7.3} [{:>6.3}, {:>6.3}] {:>9.3} {:>9.3}\n",
                        e.parameters[i].path,
                        m.mu_star.value,
                        m.mu_star.lo,
                        m.mu_star.hi,
                        m.mu,
                        m.sigma
                    );
                    csv += &format!(
                        "{outcome},{},morris,mu_star,{},{},{}\n",
                        e.parameters[i].path, m.mu_star.value, m.mu_star.lo, m.mu_star.hi
                    );
                    csv += &format!("{outcome},{},morris,mu,{},,\n", e.parameters[i].path, m.mu);
                    csv += &format!(
                        "{outcome},{},morris,sigma,{},,\n",
                        e.parameters[i].path, m.sigma
                    );
                    if outcome == &e.outcomes[0] {
                        let top = idx
                            .iter()
                            .map(|x| x.mu_star.hi)
                            .fold(0.0, f64::max)
                            .max(1e-12);
                        bars.push(crate::report::svg::ShareBar {
                            label: e.parameters[i].path.clone(),
                            share: m.mu_star.value / top,
                            lo: m.mu_star.lo / top,
                            hi: m.mu_star.hi / top,
                        });
                    }
                }
                if let Some(w) = sensitivity::morris_warning(*trajectories) {
                    o += &format!("  warning: {w}\n");
                }
            }
            other => {
                return Err(usage(format!(
                    "sensitivity needs a Sobol or Morris design; this experiment uses {}",
                    describe_design(other)
                )));
            }
        }
    }
    super::write_atomically(&dir.join("sensitivity.csv"), csv.as_bytes()).map_err(CliError::Io)?;
    let axis = if matches!(e.design, Design::Sobol { .. }) {
        "total Sobol index ST (× 100)"
    } else {
        "μ* relative to the largest μ* (× 100)"
    };
    let title = format!("{} — sensitivity of the share `{}`", e.name, e.outcomes[0]);
    let svg = crate::report::svg::index_bars(&title, axis, &bars);
    super::write_atomically(&dir.join("sensitivity.svg"), svg.as_bytes()).map_err(CliError::Io)?;
    o += &format!(
        "\nwritten: {} and {}\n",
        dir.join("sensitivity.csv").display(),
        dir.join("sensitivity.svg").display()
    );
    out.write_all(o.as_bytes()).map_err(CliError::Io)
}
