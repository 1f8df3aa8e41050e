//! Comparisons of a base scenario with variants under common random numbers (DESIGN §8).
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

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::batch::{Aggregate, kind};
use crate::outcome::Outcome;
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
    /// Paired differences of each outcome kind's indicator (variant − base).
    pub kinds: BTreeMap<String, Paired>,
    /// Paired differences of the round each run ended in.
    pub rounds: Paired,
}

/// A finished comparison: `variants[0]` is the base.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Comparison {
    /// Per variant, base first.
    pub variants: Vec<VariantResult>,
}

/// The outcome kinds of a run for pairing: its own kind and, for a strike, `strike` (anyone).
fn kinds(s: &Scenario, o: &Outcome) -> [String; 2] {
    let k = kind(s, o);
    let any = if k.starts_with("strike:") {
        "strike".to_owned()
    } else {
        String::new()
    };
    [k, any]
}

impl Comparison {
    /// An empty comparison of these scenarios (base first).
    pub fn new(scenarios: &[Arc<Scenario>]) -> Self {
        Comparison {
            variants: scenarios
                .iter()
                .map(|s| VariantResult {
                    agg: Aggregate::new(s),
                    kinds: BTreeMap::new(),
                    rounds: Paired::default(),
                })
                .collect(),
        }
    }

    fn merge(mut self, o: Comparison) -> Comparison {
        if self.variants.is_empty() {
            return o;
        }
        for (a, b) in self.variants.iter_mut().zip(o.variants) {
            a.agg = std::mem::take(&mut a.agg).merge(b.agg);
            for (k, p) in b.kinds {
                a.kinds.entry(k).or_default().merge(&p);
            }
            a.rounds.merge(&b.rounds);
        }
        self
    }

    /// Runs per variant.
    pub fn runs(&self) -> u64 {
        self.variants[0].agg.runs
    }

    /// Difference in the share of outcome `kind` (`deal`, `collapse`, `strike:<id>`, or
    /// `strike` for any strike) between variant `v` and the base, paired.
    pub fn share_difference(&self, v: usize, kind: &str) -> Difference {
        let (d, m) = self.variants[v]
            .kinds
            .get(kind)
            .copied()
            .unwrap_or_default()
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
        let se2 = |x: &Aggregate| x.terms_variance(d) / x.deals() as f64;
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
    let never = AtomicBool::new(false);
    let mut c = Comparison::new(scenarios);
    execute(
        scenarios,
        0..runs,
        seed,
        threads,
        &never,
        &mut c,
        |_, _, _| (),
        |_| Ok(()),
    )
    .expect("no sink, no error");
    c
}

/// Runs `runs` (a range of run indices) of every variant, adding them to `into`, in batches of
/// chunks run in parallel and handed to `sink` in run order: for each run index, one value
/// `per_run(variant, run, view)` per variant. Stops after the batch during which `stop` was
/// set. Returns the number of runs done (a prefix of the range).
#[allow(clippy::too_many_arguments)]
pub fn execute<R: Send>(
    scenarios: &[Arc<Scenario>],
    runs: Range<u64>,
    seed: u64,
    threads: usize,
    stop: &AtomicBool,
    into: &mut Comparison,
    per_run: impl Fn(usize, u64, &RunView<'_>) -> R + Sync,
    mut sink: impl FnMut(Vec<R>) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    const CHUNK: u64 = 256;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let chunks: Vec<Range<u64>> = runs
        .clone()
        .step_by(CHUNK as usize)
        .map(|from| from..(from + CHUNK).min(runs.end))
        .collect();
    // Eight chunks a worker per batch: few barriers, and still few rows held at once.
    let per_batch = pool.current_num_threads().max(1) * 8;
    let spare = Mutex::new(Vec::new());
    let mut done = 0;
    for batch in chunks.chunks(per_batch) {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let results: Vec<(Comparison, Vec<R>)> = pool.install(|| {
            batch
                .par_iter()
                .map_init(
                    || SimSet::take(&spare, scenarios),
                    |set, range| {
                        let sims = &mut set.sims;
                        let mut c = Comparison::new(scenarios);
                        let mut rows =
                            Vec::with_capacity((range.end - range.start) as usize * sims.len());
                        for i in range.clone() {
                            c.add_run(scenarios, sims, seed, i, &per_run, &mut rows);
                        }
                        (c, rows)
                    },
                )
                .collect()
        });
        for (c, rows) in results {
            done += c.runs();
            let merged = std::mem::replace(
                into,
                Comparison {
                    variants: Vec::new(),
                },
            );
            *into = merged.merge(c);
            sink(rows)?;
        }
    }
    // Runs where neither side had a kind contribute d = 0: complete the counts.
    let n = into.runs();
    for v in into.variants.iter_mut().skip(1) {
        for p in v.kinds.values_mut() {
            p.n = n;
        }
    }
    Ok(done)
}

/// One simulator per variant, lent to a worker for a batch and given back afterwards, so that
/// Worlds are built once per study, not once per batch.
struct SimSet<'a> {
    sims: Vec<Sim>,
    home: &'a Mutex<Vec<Vec<Sim>>>,
}

impl<'a> SimSet<'a> {
    fn take(home: &'a Mutex<Vec<Vec<Sim>>>, scenarios: &[Arc<Scenario>]) -> Self {
        let reused = home.lock().expect("not poisoned").pop();
        let sims =
            reused.unwrap_or_else(|| scenarios.iter().map(|s| Sim::new(s.clone())).collect());
        SimSet { sims, home }
    }
}

impl Drop for SimSet<'_> {
    fn drop(&mut self) {
        if let Ok(mut home) = self.home.lock() {
            home.push(std::mem::take(&mut self.sims));
        }
    }
}

impl Comparison {
    /// Plays run `i` of every variant and adds it.
    fn add_run<R>(
        &mut self,
        scenarios: &[Arc<Scenario>],
        sims: &mut [Sim],
        seed: u64,
        i: u64,
        per_run: &impl Fn(usize, u64, &RunView<'_>) -> R,
        rows: &mut Vec<R>,
    ) {
        let base = sims[0].run(seed, i);
        let (base_kinds, base_round) = (kinds(&scenarios[0], base.outcome), last_round(base.trace));
        self.variants[0].agg.add(&scenarios[0], &base);
        rows.push(per_run(0, i, &base));
        for (v, sim) in sims.iter_mut().enumerate().skip(1) {
            let view = sim.run(seed, i);
            rows.push(per_run(v, i, &view));
            let var_kinds = kinds(&scenarios[v], view.outcome);
            let r = &mut self.variants[v];
            r.agg.add(&scenarios[v], &view);
            let mut all: Vec<&String> = base_kinds
                .iter()
                .chain(&var_kinds)
                .filter(|k| !k.is_empty())
                .collect();
            all.sort();
            all.dedup();
            for k in all {
                let d = i64::from(var_kinds.contains(k)) - i64::from(base_kinds.contains(k));
                r.kinds.entry(k.clone()).or_default().add(d);
            }
            r.rounds
                .add(last_round(view.trace) as i64 - base_round as i64);
        }
    }
}

fn last_round(trace: &[crate::outcome::RoundRecord]) -> usize {
    trace.last().map_or(0, |r| r.round)
}
