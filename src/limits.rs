//! The documented limits on the size of work, checked before any of it is allocated or started.
//!
//! Sizes are counted from the inputs first — design points from levels and list lengths, runs
//! from points and replications, `--set` variants from the number of values of each list — with
//! overflow-checked arithmetic; only a count within the limits is then expanded.
//!
//! Two kinds of limit:
//!
//! * **soft** limits ([`DESIGN_POINTS`], [`STUDY_RUNS`], [`SET_VARIANTS`]) catch work far larger
//!   than intended (a typo, a level too many); `--allow-large` on the commands that take them
//!   lifts them;
//! * **hard** limits ([`DESIGN_POINTS_HARD`], [`ENSEMBLE_RUNS`], [`SET_VARIANTS_HARD`],
//!   [`THREADS`], [`ENGINE_ITERATIONS`], and a count that does not fit 64 bits) cannot be lifted:
//!   beyond them the work cannot finish, or does not fit in memory, or means nothing.

use std::fmt;

/// Soft limit on the points of one experiment design (`plan`, `sweep`, `status`, `merge`).
///
/// Every process of a sweep (every shard too) holds the whole design in memory, about 100
/// bytes a point plus 8 a parameter, and a million points at one replication each is already
/// hours of runs; designs that large are rarely meant (ten levels on six parameters is a
/// million).
pub const DESIGN_POINTS: u64 = 1_000_000;

/// Hard limit on the points of one design, even with `--allow-large`: 10⁸ points take about
/// 10 GB of memory in every process before the first run, more than a cluster node can be
/// counted on to have.
pub const DESIGN_POINTS_HARD: u64 = 100_000_000;

/// Soft limit on the runs one process does: `run` (runs × `--set` variants), `compare` (runs ×
/// variants), one `sweep` or one shard of it (its points × replications).
///
/// At about 45,000 runs a second on a core, 10⁹ runs are about six core-hours; sharding a sweep
/// spreads them over processes, and each shard is held to this limit on its own.
pub const STUDY_RUNS: u64 = 1_000_000_000;

/// Hard limit on the runs of one ensemble: `--runs`, and the replications of each design point.
///
/// At 10⁹ runs the 95% interval of an outcome share is at most ±0.0031 percentage points: more
/// runs buy no precision anyone can use, and the ensemble plans its work in memory up front.
pub const ENSEMBLE_RUNS: u64 = 1_000_000_000;

/// Soft limit on the variants a list `--set` makes (the product of the numbers of values).
///
/// Each variant is a whole scenario loaded and validated (and, in `compare`, kept in memory with
/// its aggregates); a study of more than a thousand variants is an experiment file's job
/// (`plan`, `sweep`), which runs points in parallel, in shards, and resumes.
pub const SET_VARIANTS: u64 = 1_000;

/// Hard limit on `--set` variants, even with `--allow-large`: the variants are listed in memory
/// before the first is loaded, and 10⁶ of them with a few overrides each is already a gigabyte.
pub const SET_VARIANTS_HARD: u64 = 1_000_000;

/// Hard limit on `--threads`: more than any machine this runs on has hardware threads, so a
/// larger number is a typo. Counts above the machine's cores (but within this) are capped to
/// the cores with a warning: extra threads only slow the runs down.
pub const THREADS: usize = 4096;

/// Hard limit on the iterations of a reference engine: `max_iter` of the spatial model (KTAB),
/// `rounds` of the expected-utility model.
///
/// KTAB's default is 100 and its examples settle in a few dozen; every iteration is kept for the
/// trace, and 1,000 iterations of the 160-actor example already take about a minute and a half.
pub const ENGINE_ITERATIONS: usize = 1_000;

/// The longest `--points` list `status` prints in a command to copy: shells and `exec` accept
/// far longer arguments, but not lists of millions of points. Longer lists go to a file
/// (`status --points-file`), which `sweep --points @FILE` reads.
pub const POINTS_ARG_CHARS: usize = 4_000;

/// A limit that work of some size was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// What is counted, in the plural: `design points`, `runs`, `--set variants`.
    pub what: &'static str,
    /// The soft limit (lifted by `--allow-large`), if there is one.
    pub soft: Option<u64>,
    /// The hard limit.
    pub hard: u64,
    /// Why the hard limit is there, in a few words.
    pub why: &'static str,
    /// What to do instead, for the message.
    pub remedy: &'static str,
}

/// Design points of one experiment.
pub const DESIGN: Limit = Limit {
    what: "design points",
    soft: Some(DESIGN_POINTS),
    hard: DESIGN_POINTS_HARD,
    why: "every process holds the whole design in memory",
    remedy: "use fewer levels, points, base samples or trajectories, or split the parameters \
             over several experiments",
};

/// Runs done by one process.
pub const RUNS: Limit = Limit {
    what: "runs",
    soft: Some(STUDY_RUNS),
    hard: u64::MAX,
    why: "the count must fit 64 bits",
    remedy: "use fewer replications, runs or variants",
};

/// Runs of one ensemble (`--runs`, replications of a design point).
pub const ENSEMBLE: Limit = Limit {
    what: "runs of one ensemble",
    soft: None,
    hard: ENSEMBLE_RUNS,
    why: "more runs add no usable precision",
    remedy: "use fewer runs or replications",
};

/// Variants made by list `--set`s.
pub const VARIANTS: Limit = Limit {
    what: "--set variants",
    soft: Some(SET_VARIANTS),
    hard: SET_VARIANTS_HARD,
    why: "the variants are listed in memory first",
    remedy: "give the lists fewer values, or vary the parameters in an experiment file \
             (`detente plan`, `detente sweep`)",
};

/// Work refused by a [`Limit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError {
    /// The limit.
    pub limit: Limit,
    /// The count, `None` when it does not fit 64 bits.
    pub count: Option<u64>,
    /// How the count was made, e.g. `4 levels ^ 3 parameters`, if worth saying.
    pub how: String,
    /// Whether only the soft limit was passed (so `--allow-large` would lift it).
    pub soft: bool,
    /// A further way out, e.g. running the sweep as shards.
    pub hint: Option<String>,
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.limit;
        let how = if self.how.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.how)
        };
        match self.count {
            None => write!(
                f,
                "the number of {}{how} does not fit a 64-bit count: {}",
                l.what, l.remedy
            )?,
            Some(n) if self.soft => write!(
                f,
                "{n} {}{how} is above the limit of {} {}: {}, or pass --allow-large to do it anyway",
                l.what,
                l.soft.unwrap_or(l.hard),
                l.what,
                l.remedy
            )?,
            Some(n) => write!(
                f,
                "{n} {}{how} is above the hard limit of {} {} ({}): {}",
                l.what, l.hard, l.what, l.why, l.remedy
            )?,
        }
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LimitError {}

impl Limit {
    /// Checks `count` (`None`: it overflowed) against the limit; `allow_large` lifts the soft
    /// limit. Returns the count.
    pub fn check(
        self,
        count: Option<u64>,
        how: impl Into<String>,
        allow_large: bool,
    ) -> Result<u64, LimitError> {
        let refuse = |soft| LimitError {
            limit: self,
            count,
            how: how.into(),
            soft,
            hint: None,
        };
        match count {
            None => Err(refuse(false)),
            Some(n) if n > self.hard => Err(refuse(false)),
            Some(n) if !allow_large && self.soft.is_some_and(|s| n > s) => Err(refuse(true)),
            Some(n) => Ok(n),
        }
    }
}

/// The product of `factors`, `None` if it overflows 64 bits (a factor 0 gives 0, whatever the
/// others).
pub fn product(factors: impl IntoIterator<Item = u64>) -> Option<u64> {
    let mut zero = false;
    let mut acc = Some(1u64);
    for f in factors {
        zero |= f == 0;
        acc = acc.and_then(|a| a.checked_mul(f));
    }
    if zero { Some(0) } else { acc }
}

/// The number of threads to use for `--threads requested` on a machine with `cores` hardware
/// threads: 0 means one per core; more than the cores are capped to the cores, with a warning to
/// print. Counts above [`THREADS`] are refused earlier, when the arguments are parsed.
pub fn threads(requested: usize, cores: usize) -> (usize, Option<String>) {
    let cores = cores.max(1);
    if requested == 0 {
        (cores, None)
    } else if requested > cores {
        (
            cores,
            Some(format!(
                "warning: --threads {requested} is more than the {cores} cores of this machine: \
                 using {cores}"
            )),
        )
    } else {
        (requested, None)
    }
}

/// The hardware threads of this machine (1 if it cannot tell).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_are_checked() {
        assert_eq!(product([]), Some(1));
        assert_eq!(product([4, 4, 4]), Some(64));
        assert_eq!(product([1 << 32, 1 << 32]), None);
        assert_eq!(product([u64::MAX, 1]), Some(u64::MAX));
        assert_eq!(product([u64::MAX, 2]), None);
        // A zero makes the product 0 even after an overflow.
        assert_eq!(product([1 << 40, 1 << 40, 0]), Some(0));
    }

    #[test]
    fn soft_limits_are_lifted_hard_ones_are_not() {
        let n = DESIGN_POINTS + 1;
        let e = DESIGN.check(Some(n), "", false).unwrap_err();
        assert!(e.soft);
        let m = e.to_string();
        assert!(
            m.contains(&n.to_string()) && m.contains("--allow-large"),
            "{m}"
        );
        assert_eq!(DESIGN.check(Some(n), "", true), Ok(n));
        let e = DESIGN
            .check(Some(DESIGN_POINTS_HARD + 1), "", true)
            .unwrap_err();
        assert!(!e.soft && !e.to_string().contains("--allow-large"), "{e}");
        let e = DESIGN.check(None, "2^64 ^ 2", true).unwrap_err();
        assert!(e.to_string().contains("64-bit"), "{e}");
        assert_eq!(
            DESIGN.check(Some(DESIGN_POINTS), "", false),
            Ok(DESIGN_POINTS)
        );
        assert_eq!(
            ENSEMBLE.check(Some(ENSEMBLE_RUNS), "", false),
            Ok(ENSEMBLE_RUNS)
        );
        assert!(ENSEMBLE.check(Some(ENSEMBLE_RUNS + 1), "", true).is_err());
        assert_eq!(RUNS.check(Some(u64::MAX), "", true), Ok(u64::MAX));
        assert!(RUNS.check(None, "", true).is_err());
    }

    #[test]
    fn threads_default_to_the_cores_and_are_capped() {
        assert_eq!(threads(0, 8), (8, None));
        assert_eq!(threads(3, 8), (3, None));
        let (n, w) = threads(100, 8);
        assert_eq!(n, 8);
        assert!(w.unwrap().contains("100"));
        assert_eq!(threads(0, 0), (1, None));
    }
}
