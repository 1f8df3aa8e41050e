//! Comparisons of a base scenario with variants under common random numbers (docs/architecture.md §7).
//!
//! Run *i* of every variant uses the streams of `(seed, i)`, so the difference between a
//! variant and the base is measured run by run: for an outcome share, the paired differences
//! `d_i = 1[variant_i = k] − 1[base_i = k]` give the mean difference and its standard error,
//! and the interval reflects the change, not the noise of two independent samples. Rounds to
//! outcome are paired the same way. Deal terms are means over different sets of runs (the runs
//! that ended in a deal), so they are compared with Welch's interval.
//!
//! Like ensembles, every aggregate is an integer or an exact fixed-point sum, so a comparison is
//! identical on any thread count.

use std::ops::Range;
use std::sync::Arc;

use super::batch::Aggregate;
use crate::outcome::{OutcomeClass, OutcomeKind};
use crate::scenario::Scenario;
use crate::sim::{RunView, Sim};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Paired differences of one quantity: Σd and Σd² over runs (integers: exact in any order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Paired {
    /// Runs.
    pub n: u64,
    /// Σ d_i.
    pub sum: i64,
    /// Σ d_i².
    pub sum_sq: u64,
}

impl Paired {
    fn add(&mut self, d: i64) {
        self.n += 1;
        self.sum += d;
        self.sum_sq += (d * d) as u64;
    }

    fn merge(&mut self, o: &Paired) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }

    /// Mean difference and the half-width of its 95% interval (0 when every d is equal).
    pub fn mean_and_margin(&self) -> (f64, f64) {
        if self.n == 0 {
            return (0.0, 0.0);
        }
        let n = self.n as f64;
        let mean = self.sum as f64 / n;
        if self.n < 2 {
            return (mean, f64::INFINITY);
        }
        let var = ((self.sum_sq as f64 - n * mean * mean) / (n - 1.0)).max(0.0);
        (mean, Z95 * (var / n).sqrt())
    }
}

/// A difference with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// Variant minus base.
    pub diff: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Difference {
    /// The interval excludes zero.
    pub fn significant(&self) -> bool {
        self.lo > 0.0 || self.hi < 0.0
    }

    fn new(diff: f64, margin: f64) -> Self {
        Difference {
            diff,
            lo: diff - margin,
            hi: diff + margin,
        }
    }
}

/// One variant's results and its paired differences from the base.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VariantResult {
    /// The ensemble summary of this variant.
    pub agg: Aggregate,
    /// Paired differences of each class's indicator (variant − base), in the order of
    /// [`Comparison::classes`].
    pub paired: Vec<Paired>,
    /// Paired differences of the round each run ended in.
    pub rounds: Paired,
}

/// A finished comparison: `variants[0]` is the base.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comparison {
    /// The outcome classes compared: deal, talks going, collapse, any strike, then a strike by
    /// each actor of the base (variants' strikers are matched to the base's by id).
    pub classes: Vec<OutcomeClass>,
    /// Per variant, base first.
    pub variants: Vec<VariantResult>,
}

/// For each variant, the base's index of each of its actors (by id): a strike by an actor the
/// base does not have counts only as a strike by anyone.
fn actors_in_base(scenarios: &[Arc<Scenario>]) -> Vec<Vec<Option<usize>>> {
    scenarios
        .iter()
        .map(|s| {
            s.actors
                .iter()
                .map(|a| scenarios[0].actor_index(&a.id))
                .collect()
        })
        .collect()
}

/// The kind of a variant's run in the base's actor indices.
fn in_base(to_base: &[Option<usize>], k: OutcomeKind) -> Option<OutcomeKind> {
    match k {
        OutcomeKind::Strike(by) => to_base[by].map(OutcomeKind::Strike),
        other => Some(other),
    }
}

fn contains(c: OutcomeClass, k: Option<OutcomeKind>, any_strike: bool) -> bool {
    match c {
        OutcomeClass::AnyStrike => any_strike,
        OutcomeClass::Kind(_) => k.is_some_and(|k| c.contains(k)),
    }
}

impl Comparison {
    /// An empty comparison of these scenarios (base first).
    pub fn new(scenarios: &[Arc<Scenario>]) -> Self {
        let mut classes = OutcomeClass::COMMON.to_vec();
        classes.extend(
            (0..scenarios[0].actors.len()).map(|i| OutcomeClass::Kind(OutcomeKind::Strike(i))),
        );
        Comparison {
            variants: scenarios
                .iter()
                .map(|s| VariantResult {
                    agg: Aggregate::new(s),
                    paired: vec![Paired::default(); classes.len()],
                    rounds: Paired::default(),
                })
                .collect(),
            classes,
        }
    }

    /// Adds another comparison of the same scenarios (exact, in any order). Destructures each
    /// variant, so that a field added later cannot be forgotten here.
    pub fn merge(&mut self, o: &Comparison) {
        for (a, b) in self.variants.iter_mut().zip(&o.variants) {
            let VariantResult {
                agg,
                paired,
                rounds,
            } = a;
            agg.merge(&b.agg);
            paired
                .iter_mut()
                .zip(&b.paired)
                .for_each(|(x, y)| x.merge(y));
            rounds.merge(&b.rounds);
        }
    }

    /// Runs per variant.
    pub fn runs(&self) -> u64 {
        self.variants[0].agg.runs
    }

    /// Difference in the share of outcome `kind` (`deal`, `collapse`, `strike:<id>`, or
    /// `strike` for any strike) between variant `v` and the base, paired.
    pub fn share_difference(&self, v: usize, class: OutcomeClass) -> Difference {
        let (d, m) = self
            .classes
            .iter()
            .position(|&c| c == class)
            .map_or_else(Paired::default, |i| self.variants[v].paired[i])
            .mean_and_margin();
        Difference::new(d, m)
    }

    /// Difference in mean rounds to outcome, paired.
    pub fn rounds_difference(&self, v: usize) -> Difference {
        let (d, m) = self.variants[v].rounds.mean_and_margin();
        Difference::new(d, m)
    }

    /// Difference in mean deal terms on issue `d` (Welch's interval; NaN without deals).
    pub fn terms_difference(&self, v: usize, d: usize) -> Difference {
        let (a, b) = (&self.variants[v].agg, &self.variants[0].agg);
        let diff = a.terms_mean(d) - b.terms_mean(d);
        let se2 = |x: &Aggregate| x.terms_variance(d) / x.deals as f64;
        let se = (se2(a) + se2(b)).sqrt();
        let margin = if diff == 0.0 && se.is_nan() {
            0.0
        } else {
            Z95 * se
        };
        Difference::new(diff, margin)
    }
}

/// Runs `runs` runs of the base (`scenarios[0]`) and every variant under common random numbers.
pub fn compare(scenarios: &[Arc<Scenario>], runs: u64, seed: u64, threads: usize) -> Comparison {
    let mut c = Comparison::new(scenarios);
    let done = execute(
        scenarios,
        0..runs,
        seed,
        threads,
        &|_| false,
        &mut c,
        |_, _, _| (),
        |_, _| Ok(()),
    );
    debug_assert!(done.is_ok(), "no sink, no error");
    c
}

/// Runs in a chunk of a comparison (every variant plays each run).
pub const CHUNK: u64 = 256;

/// Runs `runs` (a range of run indices) of every variant through the
/// [executor](super::executor), adding them to `into`. For each run index, `per_run(variant,
/// run, view)` makes one value per variant; after each chunk is merged into `into`, `sink(into,
/// values)` gets the chunk's values in run order. `stop(runs done)` is asked after each chunk.
/// Returns the number of runs done (a prefix of the range).
#[allow(clippy::too_many_arguments)]
pub fn execute<R: Send>(
    scenarios: &[Arc<Scenario>],
    runs: Range<u64>,
    seed: u64,
    threads: usize,
    stop: &(dyn Fn(u64) -> bool + Sync),
    into: &mut Comparison,
    per_run: impl Fn(usize, u64, &RunView<'_>) -> R + Sync,
    mut sink: impl FnMut(&Comparison, Vec<R>) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let to_base = actors_in_base(scenarios);
    super::executor::execute(
        threads,
        runs,
        CHUNK,
        || {
            scenarios
                .iter()
                .map(|s| Sim::new(s.clone()))
                .collect::<Vec<_>>()
        },
        |sims, range| {
            let mut c = Comparison::new(scenarios);
            let mut rows = Vec::with_capacity((range.end - range.start) as usize * sims.len());
            for i in range {
                c.add_run(&to_base, sims, seed, i, &per_run, &mut rows);
            }
            (c, rows)
        },
        |_, (c, rows)| {
            into.merge(&c);
            sink(into, rows)
        },
        stop,
    )
}

impl Comparison {
    /// Plays run `i` of every variant and adds it.
    fn add_run<R>(
        &mut self,
        to_base: &[Vec<Option<usize>>],
        sims: &mut [Sim],
        seed: u64,
        i: u64,
        per_run: &impl Fn(usize, u64, &RunView<'_>) -> R,
        rows: &mut Vec<R>,
    ) {
        let base = sims[0].run(seed, i);
        let base_kind = Some(OutcomeKind::of(base.outcome));
        let base_strike = matches!(base_kind, Some(OutcomeKind::Strike(_)));
        let base_round = last_round(base.trace);
        self.variants[0].agg.add(&base);
        rows.push(per_run(0, i, &base));
        for (v, sim) in sims.iter_mut().enumerate().skip(1) {
            let view = sim.run(seed, i);
            rows.push(per_run(v, i, &view));
            let own = OutcomeKind::of(view.outcome);
            let kind = in_base(&to_base[v], own);
            let strike = matches!(own, OutcomeKind::Strike(_));
            let r = &mut self.variants[v];
            r.agg.add(&view);
            for (p, &c) in r.paired.iter_mut().zip(&self.classes) {
                p.add(
                    i64::from(contains(c, kind, strike))
                        - i64::from(contains(c, base_kind, base_strike)),
                );
            }
            r.rounds
                .add(last_round(view.trace) as i64 - base_round as i64);
        }
    }
}

fn last_round(trace: &[crate::outcome::RoundRecord]) -> usize {
    trace.last().map_or(0, |r| r.round)
}
