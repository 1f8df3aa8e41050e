//! Monte Carlo ensembles (DESIGN §8): N seeded runs of one scenario, in parallel, summarised
//! without keeping any per-run data.
//!
//! Determinism: run *i* always uses the streams of `(seed, i)`, and every aggregate is an
//! integer (counts, histograms, fixed-point sums), so adding runs up in any order — any thread
//! count, any chunking — gives bit-identical summaries.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::model::formulas::wilson_interval;
use crate::outcome::{Outcome, Response};
use crate::scenario::Scenario;
use crate::sim::{RunView, Sim};

/// Fixed-point scale of summed values (2^32): sums are exact and order-independent.
const FIXED: f64 = 4_294_967_296.0;
/// Histogram resolution of deal terms: 0.1 point.
const BINS: usize = 1001;

fn fixed(x: f64) -> i128 {
    (x * FIXED).round() as i128
}

/// A sum of f64 values kept exactly, so that it does not depend on the order of addition.
/// Serialized as a decimal string (it may not fit a JSON number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExactSum(i128);

impl serde::Serialize for ExactSum {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for ExactSum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map(ExactSum).map_err(serde::de::Error::custom)
    }
}

impl ExactSum {
    /// Adds `x` (rounded to 2^−32).
    pub fn add(&mut self, x: f64) {
        self.0 += fixed(x);
    }
    /// The total.
    pub fn value(&self) -> f64 {
        self.0 as f64 / FIXED
    }
    fn merge(&mut self, o: &ExactSum) {
        self.0 += o.0;
    }
}

/// Per-round sums over the runs still going in that round.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RoundSums {
    /// Runs that played this round.
    pub runs: u64,
    /// Latent threat.
    pub threat: ExactSum,
    /// Gap between offers.
    pub gap: ExactSum,
    /// Trust of each side in the other.
    pub trust: Vec<ExactSum>,
    /// Consistency of each side.
    pub consistency: Vec<ExactSum>,
    /// Each side's own estimate of a deal.
    pub deal_estimate: Vec<ExactSum>,
    /// Mandate of each side on each issue.
    pub mandate: Vec<Vec<ExactSum>>,
    /// Highest strike probability of any actor.
    pub strike_probability: ExactSum,
}

/// Everything an ensemble summary needs; merges exactly.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Aggregate {
    /// Runs added.
    pub runs: u64,
    /// Count per outcome kind (`deal`, `talks_continue`, `collapse`, `strike:<actor>`).
    pub outcomes: BTreeMap<String, u64>,
    /// Count per collapse cause.
    pub collapse_causes: BTreeMap<String, u64>,
    /// Count per protector response level.
    pub responses: BTreeMap<String, u64>,
    /// Strikes the target answered militarily.
    pub retaliations: u64,
    /// Per issue: histogram of deal terms at 0.1-point resolution.
    pub terms: Vec<Vec<u64>>,
    /// Per issue: sum of deal terms.
    pub terms_sum: Vec<ExactSum>,
    /// Per issue: sum of squared deal terms.
    pub terms_sq: Vec<ExactSum>,
    /// Histogram of the round each run ended in (1-based; the horizon for talks going on).
    pub rounds: Vec<u64>,
    /// Histogram of the round of each deal.
    pub deal_rounds: Vec<u64>,
    /// Per round: sums of key series.
    pub per_round: Vec<RoundSums>,
}

impl Aggregate {
    /// An empty aggregate for scenario `s`.
    pub fn new(s: &Scenario) -> Self {
        let n = s.issues.len();
        let sides = s.sides.len();
        Aggregate {
            terms: vec![vec![0; BINS]; n],
            terms_sum: vec![ExactSum::default(); n],
            terms_sq: vec![ExactSum::default(); n],
            rounds: vec![0; s.rounds.len() + 1],
            deal_rounds: vec![0; s.rounds.len() + 1],
            per_round: (0..s.rounds.len())
                .map(|_| RoundSums {
                    trust: vec![ExactSum::default(); sides],
                    consistency: vec![ExactSum::default(); sides],
                    deal_estimate: vec![ExactSum::default(); sides],
                    mandate: vec![vec![ExactSum::default(); n]; sides],
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    /// Adds one run.
    pub fn add(&mut self, s: &Scenario, run: &RunView<'_>) {
        self.runs += 1;
        *self.outcomes.entry(kind(s, run.outcome)).or_default() += 1;
        match run.outcome {
            Outcome::Deal { terms, round, .. } => {
                self.deal_rounds[*round] += 1;
                for (d, &y) in terms.iter().enumerate() {
                    self.terms[d][(y * 10.0).round().clamp(0.0, (BINS - 1) as f64) as usize] += 1;
                    self.terms_sum[d].add(y);
                    self.terms_sq[d].add(y * y);
                }
            }
            Outcome::Collapse { cause, .. } => {
                *self
                    .collapse_causes
                    .entry(format!("{cause:?}").to_lowercase())
                    .or_default() += 1
            }
            Outcome::Strike {
                responses,
                retaliation,
                ..
            } => {
                for (_, r) in responses {
                    *self
                        .responses
                        .entry(response_name(*r).to_owned())
                        .or_default() += 1;
                }
                self.retaliations += u64::from(*retaliation);
            }
            Outcome::TalksContinue => {}
        }
        let last = run.trace.last().map_or(0, |r| r.round);
        self.rounds[last] += 1;
        for rec in run.trace {
            let r = &mut self.per_round[rec.round - 1];
            r.runs += 1;
            r.threat.add(rec.threat);
            r.gap.add(rec.gap);
            for k in 0..rec.trust.len() {
                r.trust[k].add(rec.trust[k]);
                r.consistency[k].add(rec.consistency[k]);
                r.deal_estimate[k].add(rec.deal_estimate[k]);
                for (d, m) in rec.mandates[k].iter().enumerate() {
                    r.mandate[k][d].add(*m);
                }
            }
            r.strike_probability
                .add(rec.strike_probability.iter().copied().fold(0.0, f64::max));
        }
    }

    /// Adds another aggregate (exact: the order of merging does not matter).
    pub fn merge(mut self, o: Aggregate) -> Aggregate {
        if self.terms.is_empty() {
            return o;
        }
        if o.terms.is_empty() {
            return self;
        }
        self.runs += o.runs;
        for (k, v) in o.outcomes {
            *self.outcomes.entry(k).or_default() += v;
        }
        for (k, v) in o.collapse_causes {
            *self.collapse_causes.entry(k).or_default() += v;
        }
        for (k, v) in o.responses {
            *self.responses.entry(k).or_default() += v;
        }
        self.retaliations += o.retaliations;
        for (a, b) in self.terms.iter_mut().zip(&o.terms) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.terms_sum
            .iter_mut()
            .zip(&o.terms_sum)
            .for_each(|(a, b)| a.merge(b));
        self.terms_sq
            .iter_mut()
            .zip(&o.terms_sq)
            .for_each(|(a, b)| a.merge(b));
        self.rounds
            .iter_mut()
            .zip(&o.rounds)
            .for_each(|(a, b)| *a += b);
        for (a, b) in self.per_round.iter_mut().zip(&o.per_round) {
            a.runs += b.runs;
            a.threat.merge(&b.threat);
            a.gap.merge(&b.gap);
            a.strike_probability.merge(&b.strike_probability);
            for k in 0..a.trust.len() {
                a.trust[k].merge(&b.trust[k]);
                a.consistency[k].merge(&b.consistency[k]);
                a.deal_estimate[k].merge(&b.deal_estimate[k]);
                a.mandate[k]
                    .iter_mut()
                    .zip(&b.mandate[k])
                    .for_each(|(x, y)| x.merge(y));
            }
        }
        self
    }

    /// Share of runs with outcome `kind`, with its 95% Wilson interval.
    pub fn share(&self, kind: &str) -> (f64, f64, f64) {
        let c = self.outcomes.get(kind).copied().unwrap_or(0);
        let (lo, hi) = wilson_interval(c, self.runs, 1.959_963_984_540_054);
        (
            if self.runs > 0 {
                c as f64 / self.runs as f64
            } else {
                0.0
            },
            lo,
            hi,
        )
    }

    /// Share of all strikes, whoever struck.
    pub fn strike_share(&self) -> f64 {
        let c: u64 = self
            .outcomes
            .iter()
            .filter(|(k, _)| k.starts_with("strike:"))
            .map(|(_, v)| v)
            .sum();
        c as f64 / self.runs.max(1) as f64
    }

    /// Number of deals.
    pub fn deals(&self) -> u64 {
        self.outcomes.get("deal").copied().unwrap_or(0)
    }

    /// Sample variance of the deal terms of issue `d` (NaN with fewer than two deals).
    pub fn terms_variance(&self, d: usize) -> f64 {
        let n = self.deals() as f64;
        if n < 2.0 {
            return f64::NAN;
        }
        let mean = self.terms_sum[d].value() / n;
        ((self.terms_sq[d].value() - n * mean * mean) / (n - 1.0)).max(0.0)
    }

    /// Mean deal terms of issue `d` (NaN without deals).
    pub fn terms_mean(&self, d: usize) -> f64 {
        let n: u64 = self.terms[d].iter().sum();
        if n == 0 {
            f64::NAN
        } else {
            self.terms_sum[d].value() / n as f64
        }
    }

    /// The `q`-quantile of deal terms on issue `d` (0.1-point resolution; NaN without deals).
    pub fn terms_quantile(&self, d: usize, q: f64) -> f64 {
        quantile(&self.terms[d], q).map_or(f64::NAN, |b| b as f64 / 10.0)
    }

    /// Mean and median of the round runs ended in.
    pub fn rounds_mean_median(&self) -> (f64, f64) {
        mean_median(&self.rounds)
    }

    /// Mean and median of the round deals were reached in (NaN without deals).
    pub fn deal_rounds_mean_median(&self) -> (f64, f64) {
        mean_median(&self.deal_rounds)
    }
}

fn mean_median(hist: &[u64]) -> (f64, f64) {
    let n: u64 = hist.iter().sum();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let total: u64 = hist.iter().enumerate().map(|(r, c)| r as u64 * c).sum();
    (
        total as f64 / n as f64,
        quantile(hist, 0.5).unwrap_or(0) as f64,
    )
}

fn quantile(hist: &[u64], q: f64) -> Option<usize> {
    let n: u64 = hist.iter().sum();
    if n == 0 {
        return None;
    }
    let target = (q * n as f64).ceil().max(1.0) as u64;
    let mut acc = 0;
    hist.iter().position(|&c| {
        acc += c;
        acc >= target
    })
}

/// The outcome kind as used in summaries: `deal`, `talks_continue`, `collapse`, `strike:<actor>`.
pub fn kind(s: &Scenario, o: &Outcome) -> String {
    match o {
        Outcome::Deal { .. } => "deal".into(),
        Outcome::TalksContinue => "talks_continue".into(),
        Outcome::Collapse { .. } => "collapse".into(),
        Outcome::Strike { by, .. } => format!("strike:{}", s.actors[*by].id),
    }
}

/// A protector response's name in summaries.
pub fn response_name(r: Response) -> &'static str {
    match r {
        Response::Diplomatic => "diplomatic",
        Response::Material => "material",
        Response::Military => "military",
    }
}

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ensemble {
    /// Number of runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Show a progress line on a terminal.
    pub progress: bool,
}

/// Runs the ensemble: runs are split into chunks, each worker keeps one reused [`Sim`].
pub fn run_ensemble(scenario: &Arc<Scenario>, e: Ensemble) -> Aggregate {
    const CHUNK: u64 = 512;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(e.threads)
        .build()
        .expect("a thread pool");
    let done = AtomicU64::new(0);
    let chunks: Vec<(u64, u64)> = (0..e.runs.div_ceil(CHUNK))
        .map(|c| (c * CHUNK, ((c + 1) * CHUNK).min(e.runs)))
        .collect();
    let show = e.progress && e.runs >= 100_000 && std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        if show {
            scope.spawn(|| progress(&done, e.runs));
        }
        let agg = pool.install(|| {
            chunks
                .par_iter()
                .map_init(
                    || Sim::new(scenario.clone()),
                    |sim, &(from, to)| {
                        let mut agg = Aggregate::new(scenario);
                        for i in from..to {
                            let view = sim.run(e.seed, i);
                            agg.add(scenario, &view);
                        }
                        done.fetch_add(to - from, Ordering::Relaxed);
                        agg
                    },
                )
                .reduce(Aggregate::default, Aggregate::merge)
        });
        done.store(u64::MAX, Ordering::Relaxed);
        if agg.runs == 0 {
            Aggregate::new(scenario)
        } else {
            agg
        }
    })
}

fn progress(done: &AtomicU64, total: u64) {
    let start = Instant::now();
    loop {
        let d = done.load(Ordering::Relaxed);
        if d == u64::MAX {
            eprint!("\r{:60}\r", "");
            return;
        }
        let secs = start.elapsed().as_secs_f64();
        let eta = if d > 0 {
            secs * (total - d) as f64 / d as f64
        } else {
            f64::NAN
        };
        eprint!(
            "\r  {d}/{total} runs ({:.0}%), {:.0} s left   ",
            100.0 * d as f64 / total as f64,
            eta
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
