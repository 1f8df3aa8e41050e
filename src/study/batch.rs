//! Monte Carlo ensembles (docs/architecture.md §7): N seeded runs of one scenario, in parallel, summarised
//! without keeping any per-run data.
//!
//! Determinism: run *i* always uses the streams of `(seed, i)`, and every aggregate is an
//! integer (counts, histograms, fixed-point sums), so adding runs up in any order — any thread
//! count, any chunking — gives bit-identical summaries.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::model::formulas::wilson_interval;
use crate::outcome::{Outcome, OutcomeClass, OutcomeKind};
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
    /// Adds another sum.
    pub fn merge(&mut self, o: &ExactSum) {
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
    /// Runs that ended in a deal.
    pub deals: u64,
    /// Runs with talks still going at the horizon.
    pub talks_continue: u64,
    /// Runs that ended in a collapse.
    pub collapses: u64,
    /// Per actor: runs that ended in its strike.
    pub strikes: Vec<u64>,
    /// Collapses per cause, in the order of [`crate::outcome::CollapseCause::ALL`].
    pub collapse_causes: [u64; 3],
    /// Protector answers per level, in the order of [`crate::outcome::Response::ALL`].
    pub responses: [u64; 3],
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

fn add_counts(a: &mut [u64], b: &[u64]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
}

fn add_sums(a: &mut [ExactSum], b: &[ExactSum]) {
    a.iter_mut().zip(b).for_each(|(x, y)| x.merge(y));
}

impl RoundSums {
    /// Adds another round's sums. Destructures both, so that a field added later cannot be
    /// forgotten here.
    fn merge(&mut self, o: &RoundSums) {
        let RoundSums {
            runs,
            threat,
            gap,
            trust,
            consistency,
            deal_estimate,
            mandate,
            strike_probability,
        } = self;
        *runs += o.runs;
        threat.merge(&o.threat);
        gap.merge(&o.gap);
        add_sums(trust, &o.trust);
        add_sums(consistency, &o.consistency);
        add_sums(deal_estimate, &o.deal_estimate);
        mandate
            .iter_mut()
            .zip(&o.mandate)
            .for_each(|(a, b)| add_sums(a, b));
        strike_probability.merge(&o.strike_probability);
    }
}

impl Aggregate {
    /// An empty aggregate for scenario `s`.
    pub fn new(s: &Scenario) -> Self {
        let n = s.issues.len();
        let sides = s.sides.len();
        Aggregate {
            strikes: vec![0; s.actors.len()],
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
    pub fn add(&mut self, run: &RunView<'_>) {
        self.runs += 1;
        match run.outcome {
            Outcome::Deal { terms, round, .. } => {
                self.deals += 1;
                self.deal_rounds[*round] += 1;
                for (d, &y) in terms.iter().enumerate() {
                    self.terms[d][(y * 10.0).round().clamp(0.0, (BINS - 1) as f64) as usize] += 1;
                    self.terms_sum[d].add(y);
                    self.terms_sq[d].add(y * y);
                }
            }
            Outcome::Collapse { cause, .. } => {
                self.collapses += 1;
                self.collapse_causes[cause.index()] += 1;
            }
            Outcome::Strike {
                by,
                responses,
                retaliation,
                ..
            } => {
                self.strikes[*by] += 1;
                for (_, r) in responses {
                    self.responses[r.index()] += 1;
                }
                self.retaliations += u64::from(*retaliation);
            }
            Outcome::TalksContinue => self.talks_continue += 1,
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

    /// Adds another aggregate of the same scenario (exact: the order of merging does not
    /// matter). Destructures both, so that a field added later cannot be forgotten here.
    pub fn merge(&mut self, o: &Aggregate) {
        let Aggregate {
            runs,
            deals,
            talks_continue,
            collapses,
            strikes,
            collapse_causes,
            responses,
            retaliations,
            terms,
            terms_sum,
            terms_sq,
            rounds,
            deal_rounds,
            per_round,
        } = self;
        *runs += o.runs;
        *deals += o.deals;
        *talks_continue += o.talks_continue;
        *collapses += o.collapses;
        add_counts(strikes, &o.strikes);
        add_counts(collapse_causes, &o.collapse_causes);
        add_counts(responses, &o.responses);
        *retaliations += o.retaliations;
        terms
            .iter_mut()
            .zip(&o.terms)
            .for_each(|(a, b)| add_counts(a, b));
        add_sums(terms_sum, &o.terms_sum);
        add_sums(terms_sq, &o.terms_sq);
        add_counts(rounds, &o.rounds);
        add_counts(deal_rounds, &o.deal_rounds);
        per_round
            .iter_mut()
            .zip(&o.per_round)
            .for_each(|(a, b)| a.merge(b));
    }

    /// Runs of outcome kind `k`.
    pub fn count(&self, k: OutcomeKind) -> u64 {
        match k {
            OutcomeKind::Deal => self.deals,
            OutcomeKind::TalksContinue => self.talks_continue,
            OutcomeKind::Collapse => self.collapses,
            OutcomeKind::Strike(by) => self.strikes.get(by).copied().unwrap_or(0),
        }
    }

    /// Runs in outcome class `c`.
    pub fn count_class(&self, c: OutcomeClass) -> u64 {
        match c {
            OutcomeClass::Kind(k) => self.count(k),
            OutcomeClass::AnyStrike => self.strikes.iter().sum(),
        }
    }

    /// Share of runs that ended in a strike by anyone.
    pub fn strike_share(&self) -> f64 {
        self.share(OutcomeClass::AnyStrike).0
    }

    /// The actors that struck in some run, by index.
    pub fn strikers(&self) -> impl Iterator<Item = usize> + '_ {
        self.strikes
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, _)| i)
    }

    /// Share of runs in outcome class `c`, with its 95% Wilson interval.
    pub fn share(&self, c: OutcomeClass) -> (f64, f64, f64) {
        let n = self.count_class(c);
        let (lo, hi) = wilson_interval(n, self.runs, 1.959_963_984_540_054);
        (
            if self.runs > 0 {
                n as f64 / self.runs as f64
            } else {
                0.0
            },
            lo,
            hi,
        )
    }

    /// Sample variance of the deal terms of issue `d` (NaN with fewer than two deals).
    pub fn terms_variance(&self, d: usize) -> f64 {
        let n = self.deals as f64;
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

/// Runs in a chunk of an ensemble.
pub const CHUNK: u64 = 512;

/// Runs the ensemble through the [executor](super::executor): each worker keeps one reused
/// [`Sim`], and the chunks' aggregates are merged exactly.
pub fn run_ensemble(scenario: &Arc<Scenario>, e: Ensemble) -> Aggregate {
    let mut agg = Aggregate::new(scenario);
    let show = e.progress && e.runs >= 100_000 && std::io::stderr().is_terminal();
    let progress = Progress::new(show, e.runs);
    let done = super::executor::execute(
        e.threads,
        0..e.runs,
        CHUNK,
        || Sim::new(scenario.clone()),
        |sim, runs| {
            let mut part = Aggregate::new(scenario);
            for i in runs {
                part.add(&sim.run(e.seed, i));
            }
            part
        },
        |_, part| {
            agg.merge(&part);
            Ok::<_, std::convert::Infallible>(())
        },
        &|done| {
            progress.show(done);
            false
        },
    );
    progress.clear();
    let Ok(_) = done;
    agg
}

/// A progress line on stderr (`done/total runs, time left`), at most five times a second.
pub struct Progress {
    show: bool,
    total: u64,
    start: Instant,
    last: std::sync::Mutex<Option<Instant>>,
}

impl Progress {
    /// A progress line for `total` runs, drawn only when `show`.
    pub fn new(show: bool, total: u64) -> Self {
        Progress {
            show,
            total,
            start: Instant::now(),
            last: std::sync::Mutex::new(None),
        }
    }

    /// Shows that `done` runs have finished.
    pub fn show(&self, done: u64) {
        if !self.show {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(200)) {
            return;
        }
        *last = Some(Instant::now());
        let secs = self.start.elapsed().as_secs_f64();
        let eta = if done > 0 {
            secs * self.total.saturating_sub(done) as f64 / done as f64
        } else {
            0.0
        };
        eprint!(
            "\r  {done}/{} runs ({:.0}%), {eta:.0} s left   ",
            self.total,
            100.0 * done as f64 / self.total.max(1) as f64
        );
    }

    /// Clears the line.
    pub fn clear(&self) {
        if self.show {
            eprint!("\r{:60}\r", "");
        }
    }
}
