//! The `detente` command line: argument parsing and one module per subcommand.
//!
//! [`main`] is the whole program; the binary only calls it. Every subcommand returns its problems
//! as [`CliError`], printed once, here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::scenario::{Diagnostics, Override};

mod check;
mod compare;
mod diagnose;
mod engines;
mod experiment;
mod explain;
mod run;
mod story;

pub use run::Format;

/// Scenario simulation of negotiations between political actors.
#[derive(Debug, Parser)]
#[command(name = "detente", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate scenario files: a summary line per valid file, every problem of the others.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Override a value before validation, e.g. `actors.<id>.influence=0.6` (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Override>,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Run an ensemble of a scenario and summarise its outcomes.
    Run {
        /// Scenario file.
        file: PathBuf,
        /// Runs, seed, threads, format.
        #[command(flatten)]
        ensemble: EnsembleOpts,
        /// Override a value before validation (repeatable); a list `a=1,2` runs one ensemble
        /// per value.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Override>,
        /// Also draw the outcome shares and the distribution of deal terms as an SVG picture.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        /// Results files.
        #[command(flatten)]
        results: run::OutArgs,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Compare a base scenario with variants under common random numbers.
    Compare {
        /// The base scenario.
        base: PathBuf,
        /// Variant files (e.g. ones that `extends` the base).
        variants: Vec<PathBuf>,
        /// Runs (per variant), seed, threads, format.
        #[command(flatten)]
        ensemble: EnsembleOpts,
        /// Each value makes a variant of the base: `--set actors.<id>.influence=0.2,0.6` makes
        /// two; several --set multiply (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUES")]
        set: Vec<Override>,
        /// Also draw the shares side by side as an SVG picture.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        /// Results files.
        #[command(flatten)]
        results: run::OutArgs,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Count how often each mechanism of the model is active in an ensemble, and flag the
    /// inert ones.
    Diagnose {
        /// Scenario file.
        file: PathBuf,
        /// Runs, seed, threads, format.
        #[command(flatten)]
        ensemble: EnsembleOpts,
        /// Also move every parameter and actor input one at a time over its range (common
        /// random numbers) and rank what moves deals and strikes most.
        #[arg(long)]
        knobs: bool,
        /// Runs at each end of each knob's range, with --knobs.
        #[arg(long, default_value_t = 1_000, value_parser = parse_runs)]
        knob_runs: u64,
        /// Override a value before validation (repeatable, one value each).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Override>,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Why runs end without a deal: how they end, what refuses the proposals of their last
    /// round (whose quota, which veto, which red line), and where the offers still differ.
    Why {
        /// Scenario file.
        file: PathBuf,
        /// Runs, seed, threads, format.
        #[command(flatten)]
        ensemble: EnsembleOpts,
        /// Override a value before validation (repeatable, one value each).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Override>,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Tell one run round by round.
    Story {
        /// Scenario file.
        file: PathBuf,
        /// Master seed of the run (as `run --seed` and a results table's `seed` column).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Index of the run under that seed (a results table's `run` column): replays that run
        /// of an ensemble exactly.
        #[arg(long, default_value_t = 0)]
        run: u64,
        /// Also write the full trace as JSON Lines (one round per line, then the outcome).
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// Override a value before validation (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Override>,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Show what an experiment file will run: design points, runs, a preview, the time it takes.
    Plan {
        /// Experiment file.
        file: PathBuf,
        /// Worker threads assumed for the estimate: 0 (the default) is one per core; more than
        /// the cores are capped to the cores.
        #[arg(long, default_value_t = 0, value_parser = parse_threads)]
        threads: usize,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Run an experiment's design (or one shard of it) and write its results.
    Sweep {
        /// Experiment file.
        file: PathBuf,
        /// Results directory (must not exist, unless --resume finishes the sweep in it).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Run shard I of N (0-based). Without it, a Slurm, Kubernetes indexed-Job or AWS Batch
        /// array index in the environment selects the shard (count from the scheduler or
        /// DETENTE_SHARDS).
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Run only these design points, as `detente status` suggests: numbers and ranges
        /// separated by commas (`3-17,40`), or `@FILE` for a list kept in a file.
        #[arg(long, value_name = "LIST")]
        points: Option<String>,
        /// Also write one row per run (runs.csv, runs.parquet: point, replication, outcome, round).
        #[arg(long)]
        runs_table: bool,
        /// Finish the sweep that was stopped (Ctrl-C, SIGTERM, a kill, a full disk) in DIR: the
        /// same command with --resume ends with the files an uninterrupted sweep writes.
        #[arg(long)]
        resume: bool,
        /// Worker threads: 0 (the default) is one per core; more than the cores are capped to
        /// the cores.
        #[arg(long, default_value_t = 0, value_parser = parse_threads)]
        threads: usize,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Combine sweep directories (shards, reruns) into one result, identical to an unsharded sweep.
    Merge {
        /// Sweep directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged result (must not exist).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Finish a merge into DIR that was killed.
        #[arg(long)]
        resume: bool,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// List the design points missing or failed in sweep directories, and how to rerun them.
    Status {
        /// Sweep directories.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The experiment file (default: the one named in the manifests).
        #[arg(long)]
        experiment: Option<PathBuf>,
        /// Also write the missing and failed points to FILE (must not exist), for
        /// `sweep --points @FILE`.
        #[arg(long, value_name = "FILE")]
        points_file: Option<PathBuf>,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Sobol or Morris sensitivity indices of a finished sweep's outcome shares.
    Sensitivity {
        /// A complete (or merged) sweep directory.
        dir: PathBuf,
        /// Bootstrap resamples for the 95% intervals.
        #[arg(long, default_value_t = 500)]
        resamples: usize,
        /// Work above the soft limits.
        #[command(flatten)]
        large: LargeOpt,
    },
    /// Turn a KTAB scenario (CSV, or XML when the file name ends in `.xml`) or a BDM table
    /// (Actor, Capability, Position, Salience) into a scenario file.
    Import {
        /// `ktab` (a KTAB scenario CSV or XML file) or `bdm`.
        #[arg(value_enum)]
        kind: ImportKind,
        /// The input file.
        file: PathBuf,
        /// Write the scenario here (must not exist) instead of printing it.
        #[arg(long, value_name = "FILE.ron")]
        out: Option<PathBuf>,
    },
    /// Explore a scenario in the browser: controls for its values, ensembles re-run on change,
    /// A/B comparisons, a run's story, export of the settings (serves 127.0.0.1 only unless
    /// --listen says otherwise).
    Serve(crate::serve::cli::ServeArgs),
    /// Print every parameter of a scenario with its value and where it comes from.
    Explain {
        /// Scenario file.
        file: PathBuf,
        /// Override a value before validation (repeatable).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Override>,
    },
}

/// How many runs, from which seed, on how many threads, printed how: shared by `run` and
/// `compare`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct EnsembleOpts {
    /// Number of runs (per variant), from 1 to 10^9.
    #[arg(long, default_value_t = 10_000, value_parser = parse_runs)]
    pub runs: u64,
    /// Master seed: the same seed gives the same numbers, whatever the thread count.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads: 0 (the default) is one per core; more than the cores are capped to the
    /// cores.
    #[arg(long, default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `--allow-large`: shared by the commands that check the soft limits of [`crate::limits`].
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct LargeOpt {
    /// Go ahead above the soft limits on design points, runs and --set variants (the hard
    /// limits stay).
    #[arg(long)]
    pub allow_large: bool,
}

/// Parses `--runs`: from 1 to [`crate::limits::ENSEMBLE_RUNS`].
fn parse_runs(text: &str) -> Result<u64, String> {
    let n: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of runs"))?;
    if n == 0 {
        return Err("at least 1 run: --runs 0 would summarise nothing".into());
    }
    crate::limits::ENSEMBLE
        .check(Some(n), "", false)
        .map_err(|e| e.to_string())
}

/// Parses `--threads`: 0 (one per core) up to [`crate::limits::THREADS`].
fn parse_threads(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of threads (0: one per core)"))?;
    if n > crate::limits::THREADS {
        return Err(format!(
            "{n} threads is above the hard limit of {} threads (more than any machine's hardware threads): give at most the cores, or 0 for one per core",
            crate::limits::THREADS
        ));
    }
    Ok(n)
}

/// `--threads` as used: more than the cores are capped to the cores, with a warning on stderr;
/// 0 stays 0 (one per core).
fn capped_threads(requested: usize) -> usize {
    if requested == 0 {
        return 0;
    }
    let (n, warning) = crate::limits::threads(requested, crate::limits::cores());
    if let Some(w) = warning {
        eprintln!("{w}");
    }
    n
}

/// Refuses, before anything is expanded, `--set` lists that make too many variants; returns
/// their number.
fn check_variants(set: &[Override], large: LargeOpt) -> Result<u64, CliError> {
    crate::scenario::check_variants(set, large.allow_large)
        .map_err(|e| CliError::Usage(e.to_string()))
}

/// Refuses, before anything runs, `runs` per variant of `variants` that make too many runs in
/// all.
/// `diagnose` (with the knob tornado if `knob_runs` is given) or, with `why`, `why`.
fn diagnose_or_why(
    file: &std::path::Path,
    set: &[Override],
    o: &EnsembleOpts,
    large: LargeOpt,
    knob_runs: Option<u64>,
    why: bool,
    out: &mut impl std::io::Write,
) -> Result<(), CliError> {
    check_runs(o.runs, 1, large)?;
    let runs = diagnose::Runs {
        runs: o.runs,
        seed: o.seed,
        threads: capped_threads(o.threads),
        knob_runs,
        why,
    };
    diagnose::run(file, set, runs, o.format, out)
}

fn check_runs(runs: u64, variants: u64, large: LargeOpt) -> Result<(), CliError> {
    crate::limits::RUNS
        .check(
            runs.checked_mul(variants),
            format!("{runs} runs × {variants} variants"),
            large.allow_large,
        )
        .map(|_| ())
        .map_err(|e| CliError::Usage(e.to_string()))
}

/// What `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// A KTAB scenario for the Spatial Model of Politics: KTAB's XML format when the file name
    /// ends in `.xml` (any case), its CSV format otherwise.
    Ktab,
    /// A table Actor, Capability, Position, Salience (the expected-utility model).
    Bdm,
}

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Problems in scenario files or overrides.
    Invalid(Diagnostics),
    /// Writing output failed.
    Io(std::io::Error),
    /// The command cannot do what it was asked.
    Usage(String),
    /// Results files could not be written.
    Results(crate::study::results::ResultsError),
    /// Ctrl-C stopped a sweep: the design points that finished are kept.
    SweepInterrupted {
        /// Points finished.
        done: usize,
        /// Points asked for.
        requested: usize,
        /// The results directory.
        dir: PathBuf,
    },
    /// Ctrl-C stopped a study: what finished is kept.
    Interrupted {
        /// Runs finished per variant.
        finished: u64,
        /// Runs asked for.
        requested: u64,
        /// The results directory.
        dir: PathBuf,
        /// Whether `--resume` can finish the study.
        resumable: bool,
    },
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CliError::Invalid(d) => write!(f, "{d}"),
            CliError::Io(e) => write!(f, "error: cannot write the output: {e}"),
            CliError::Usage(m) => write!(f, "error: {m}"),
            CliError::Results(e) => write!(f, "error: {e}"),
            CliError::SweepInterrupted {
                done,
                requested,
                dir,
            } => write!(
                f,
                "interrupted: {done} of {requested} design points finished and are kept in `{0}`; \
                 repeat the same command with --resume to finish (`detente status {0}` lists \
                 what is left)",
                dir.display()
            ),
            CliError::Interrupted {
                finished,
                requested,
                dir,
                resumable,
            } => write!(
                f,
                "interrupted: {finished} of {requested} runs finished and are kept in `{}` \
                 (manifest.json says so); {}",
                dir.display(),
                if *resumable {
                    "repeat the same command with --resume to finish"
                } else {
                    "to have them all, run the command again with another --out"
                }
            ),
        }
    }
}

impl CliError {
    /// The exit status for this error: 130 (as for SIGINT) when Ctrl-C stopped the work, 1 for
    /// everything else. Arguments clap rejects exit with 2 before any command runs.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Interrupted { .. } | CliError::SweepInterrupted { .. } => ExitCode::from(130),
            _ => ExitCode::FAILURE,
        }
    }
}

impl From<Diagnostics> for CliError {
    fn from(d: Diagnostics) -> Self {
        CliError::Invalid(d)
    }
}

/// Runs the command line `args` (program name first), writing results to stdout.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Check { files, set, large } => {
            check_variants(&set, large)?;
            check::run(&files, &set, large.allow_large, &mut out)
        }
        Command::Explain { file, set } => explain::run(&file, &set, &mut out),
        Command::Serve(a) => crate::serve::cli::run(&a, &mut out),
        Command::Run {
            file,
            ensemble: o,
            set,
            plot,
            results,
            large,
        } => {
            let variants = check_variants(&set, large)?;
            check_runs(o.runs, variants, large)?;
            let e = crate::study::batch::Ensemble {
                runs: o.runs,
                seed: o.seed,
                threads: capped_threads(o.threads),
                progress: true,
            };
            run::run(
                &file,
                &set,
                e,
                o.format,
                plot.as_deref(),
                &results,
                &mut out,
            )
        }
        Command::Compare {
            base,
            variants,
            ensemble: o,
            set,
            plot,
            results,
            large,
        } => {
            // The base, each variant file, and the `--set` variants if there are lists.
            let made = check_variants(&set, large)?;
            let all = 1 + variants.len() as u64 + if set.is_empty() { 0 } else { made };
            check_runs(o.runs, all, large)?;
            let a = compare::CompareArgs {
                base,
                variants,
                set,
                runs: o.runs,
                seed: o.seed,
                threads: capped_threads(o.threads),
                format: o.format,
                plot,
                results,
            };
            compare::run(&a, &mut out)
        }
        Command::Plan {
            file,
            threads,
            large,
        } => experiment::plan(&file, capped_threads(threads), large.allow_large, &mut out),
        Command::Sweep {
            file,
            out: dir,
            shard,
            points,
            threads,
            runs_table,
            resume,
            large,
        } => {
            let a = experiment::SweepArgs {
                file,
                out: dir,
                shard,
                points,
                threads: capped_threads(threads),
                runs_table,
                allow_large: large.allow_large,
                resume,
            };
            experiment::run_sweep(&a, &mut out)
        }
        Command::Merge {
            dirs,
            out: to,
            resume,
            large,
        } => experiment::run_merge(&dirs, &to, resume, large.allow_large, &mut out),
        Command::Status {
            dirs,
            experiment: file,
            points_file,
            large,
        } => experiment::run_status(
            &dirs,
            file.as_deref(),
            points_file.as_deref(),
            large.allow_large,
            &mut out,
        ),
        Command::Sensitivity {
            dir,
            resamples,
            large,
        } => experiment::run_sensitivity(&dir, resamples, large.allow_large, &mut out),
        Command::Import {
            kind,
            file,
            out: to,
        } => import(kind, &file, to.as_deref(), &mut out),
        Command::Diagnose {
            file,
            ensemble: o,
            knobs,
            knob_runs,
            set,
            large,
        } => {
            check_variants(&set, large)?;
            if knobs {
                check_runs(knob_runs, 2, large)?;
            }
            diagnose_or_why(
                &file,
                &set,
                &o,
                large,
                knobs.then_some(knob_runs),
                false,
                &mut out,
            )
        }
        Command::Why {
            file,
            ensemble: o,
            set,
            large,
        } => {
            check_variants(&set, large)?;
            diagnose_or_why(&file, &set, &o, large, None, true, &mut out)
        }
        Command::Story {
            file,
            seed,
            run,
            trace,
            set,
            large,
        } => {
            check_variants(&set, large)?;
            story::run(&file, &set, seed, run, trace.as_deref(), &mut out)
        }
    }
}

use crate::safe_fs::MAX_IMPORT_BYTES;

/// `detente import`: converts, checks the result like `check` would, then prints or writes it.
fn import(
    kind: ImportKind,
    file: &std::path::Path,
    to: Option<&std::path::Path>,
    out: &mut impl std::io::Write,
) -> Result<(), CliError> {
    let text = crate::safe_fs::read_input_limited(file, "file to import", MAX_IMPORT_BYTES)
        .map_err(|e| CliError::Invalid(e.into()))?;
    let xml = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    let scenario = match kind {
        ImportKind::Ktab if xml => crate::engines::import::ktab_xml(&text, file),
        ImportKind::Ktab => crate::engines::import::ktab_csv(&text, file),
        ImportKind::Bdm => crate::engines::import::bdm_csv(&text, file),
    }
    .map_err(|d| CliError::Invalid(Diagnostics(d)))?;
    let name = to.unwrap_or(std::path::Path::new("imported.ron"));
    crate::scenario::load_str(&scenario, name, &[])?;
    match to {
        Some(path) if path.exists() => Err(CliError::Usage(format!(
            "`{}` already exists: choose another --out",
            path.display()
        ))),
        Some(path) => write_atomically(path, scenario.as_bytes()).map_err(CliError::Io),
        None => out.write_all(scenario.as_bytes()).map_err(CliError::Io),
    }
}

/// Prints a command's output, then reports an interruption, if the study was interrupted
/// (`(finished, requested, dir)`): the output of the finished runs is shown either way.
fn print_then_report(
    out: &mut impl std::io::Write,
    text: &str,
    interrupted: Option<(u64, u64, PathBuf)>,
) -> Result<(), CliError> {
    print_then_report_as(out, text, interrupted, true)
}

/// [`print_then_report`] for a study that `--resume` can finish (`resumable`) or not.
fn print_then_report_as(
    out: &mut impl std::io::Write,
    text: &str,
    interrupted: Option<(u64, u64, PathBuf)>,
    resumable: bool,
) -> Result<(), CliError> {
    out.write_all(text.as_bytes()).map_err(CliError::Io)?;
    match interrupted {
        Some((finished, requested, dir)) => Err(CliError::Interrupted {
            finished,
            requested,
            dir,
            resumable,
        }),
        None => Ok(()),
    }
}

/// Set by Ctrl-C: a running study stops after its current batch of runs.
static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether Ctrl-C was pressed since [`catch_interrupts`].
fn stop_requested() -> bool {
    STOP.load(std::sync::atomic::Ordering::SeqCst)
}

/// From now on Ctrl-C asks long work to stop (see [`stop_requested`]) instead of killing the
/// process.
fn catch_interrupts() {
    // A second handler cannot be installed; the first one sets the same flag.
    let _ = ctrlc::set_handler(|| STOP.store(true, std::sync::atomic::Ordering::SeqCst));
    STOP.store(false, std::sync::atomic::Ordering::SeqCst);
}

/// Runs a study into its results directory with a progress line on a terminal, stopping
/// cleanly on Ctrl-C.
fn study_with_progress(
    study: &crate::study::results::Study,
    dir: &std::path::Path,
    resume: bool,
) -> Result<crate::study::results::Finished, CliError> {
    catch_interrupts();
    let stop = progress(study.runs);
    let result = crate::study::results::run_study(study, dir, resume, &stop);
    clear_progress();
    result.map_err(CliError::Results)
}

/// A callback for long work that reports `done` of `total` runs with the time left on a
/// terminal (nothing when stderr is not one) and answers whether Ctrl-C asked to stop.
fn progress(total: u64) -> impl Fn(u64) -> bool + Sync {
    use std::io::IsTerminal;
    let show = std::io::stderr().is_terminal();
    let start = std::time::Instant::now();
    move |done: u64| {
        if show {
            let secs = start.elapsed().as_secs_f64();
            let eta = if done > 0 {
                secs * total.saturating_sub(done) as f64 / done as f64
            } else {
                0.0
            };
            eprint!(
                "\r  {done}/{total} runs ({:.0}%), {eta:.0} s left   ",
                100.0 * done as f64 / total.max(1) as f64
            );
        }
        stop_requested()
    }
}

/// Clears the line [`progress`] wrote.
fn clear_progress() {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprint!("\r{:60}\r", "");
    }
}

pub use crate::study::write_atomically;

/// The program: parse arguments, run, print errors once, exit non-zero on failure.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}
