//! What `detente story` and `detente run` print for a reference engine: one run's rounds as the
//! engine's papers tabulate them, the summary of a deterministic engine's one run, and the
//! summary of a stochastic engine's ensemble, as text or JSON.
//!
//! Nothing here runs an engine or prints: the command line runs, feeds the runs' traces in, and
//! chooses where the text goes. An ensemble's summary is streaming ([`EnsembleSummary`]): it
//! keeps counts and running sums, and the runs' final positions only up to a fixed budget, so
//! its memory does not grow with the number of runs.

use std::collections::BTreeMap;

use rand::{RngExt, SeedableRng};
use serde_json::{Map, Value, json};

use crate::engines::{Trace, bdm, smp, weighted_mean};
use crate::scenario::types::Engine;
use crate::scenario::{Override, Scenario};

/// The story of one run (`trace`, played under `seed`) of a reference-engine scenario: its
/// rounds (states), as the engine's papers tabulate them.
pub fn story(s: &Scenario, seed: u64, trace: &Trace) -> String {
    match trace {
        Trace::ExpectedUtility(rounds) => {
            let default = bdm::Options::default();
            let options = match &s.engine {
                Engine::ExpectedUtility { options, .. } => options,
                _ => &default,
            };
            bdm_story(s, options, rounds)
        }
        Trace::SpatialModel(states) => {
            let default = smp::Settings::default();
            let settings = match &s.engine {
                Engine::SpatialModel(settings) => settings,
                _ => &default,
            };
            smp_story(s, settings, seed, states)
        }
    }
}

/// The story of an expected-utility run: every round's median, mean and positions, the moves
/// made in it, and the forecast.
pub fn bdm_story(s: &Scenario, options: &bdm::Options, trace: &[bdm::Round]) -> String {
    let mut o = format!(
        "{} — expected-utility model (Bueno de Mesquita; {:?} conventions), issue `{}`\n\n",
        s.name,
        options.conventions,
        s.issues.first().map_or("", |i| i.id.as_str())
    );
    if s.issues.len() > 1 {
        o += "(the model is one-dimensional: only the first issue is used)\n\n";
    }
    o += &format!("{:<6} {:>10} {:>10}", "round", "median", "mean");
    for a in &s.actors {
        o += &format!(" {:>10}", a.id.chars().take(10).collect::<String>());
    }
    o += "\n";
    for (r, round) in trace.iter().enumerate() {
        o += &format!("{r:<6} {:>10.6} {:>10.6}", round.median, round.mean);
        for x in &round.positions {
            o += &format!(" {x:>10.6}");
        }
        o += "\n";
        for m in &round.moves {
            o += &format!(
                "         {} {:?} with {} → {:.6} (expected utility of the offer {:.4})\n",
                s.actors[m.actor].id, m.kind, s.actors[m.with].id, m.to, m.eu
            );
        }
    }
    // The model's mean is the capability × salience weighted mean: round 0's is the baseline.
    if let (Some(first), Some(last)) = (trace.first(), trace.last()) {
        o += &format!(
            "\nForecast (median after round {}): {:.6}; capability × salience weighted mean: {:.6}\n",
            trace.len() - 1,
            last.median,
            first.mean
        );
    }
    o
}

/// The story of a Spatial Model of Politics run: every state's positions, win probabilities and
/// risk attitudes, the turn played from it, and the weighted means of the input and the end.
pub fn smp_story(
    s: &Scenario,
    settings: &smp::Settings,
    seed: u64,
    states: &[smp::SmpState],
) -> String {
    let draws = match settings.transitions {
        smp::StateTransitions::Deterministic => String::new(),
        smp::StateTransitions::Stochastic => format!(", stochastic transitions, seed {seed}"),
    };
    let mut o = format!(
        "{} — KTAB Spatial Model of Politics, {} states{draws}\n",
        s.name,
        states.len()
    );
    let id = |i: usize| s.actors[i].id.as_str();
    let accommodating = !settings.ideal_accommodation.is_empty();
    for (t, st) in states.iter().enumerate() {
        o += &format!("\nstate {t}");
        if let Some(c) = st.frac_change {
            o += &format!(" (fractional change {c:.4})");
        }
        o += "\n";
        for (a, actor) in s.actors.iter().enumerate() {
            let fmt = |p: &[f64]| -> String {
                p.iter()
                    .map(|x| format!("{x:6.2}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            o += &format!(
                "  {:<12} ({})  P(win) {:.4}  risk {:+.3}",
                actor.id,
                fmt(&st.positions[a]),
                st.win_prob[a],
                st.risk_attitudes.get(a).copied().unwrap_or(f64::NAN)
            );
            if accommodating {
                o += &format!("  ideal ({})", fmt(&st.ideals[a]));
            }
            o += "\n";
        }
        if let Some(turn) = &st.turn {
            o += "  turn:\n";
            for (a, (c, b)) in turn.challenges.iter().zip(&turn.adopted).enumerate() {
                let challenge = match c {
                    Some(c) => format!(
                        "challenges {} (P(win) {:.4}, gain {:.4})",
                        id(c.target),
                        c.p_win,
                        c.gain
                    ),
                    None => "no challenge".into(),
                };
                let bargain = if b.initiator == b.receiver {
                    "keeps its position".to_string()
                } else {
                    format!(
                        "adopts {}'s bargain with {}",
                        id(b.initiator),
                        id(b.receiver)
                    )
                };
                o += &format!(
                    "    {:<12} {challenge}; {bargain} (p {:.4} of {} bargains)\n",
                    id(a),
                    b.probability,
                    b.offered
                );
            }
        }
    }
    let (Some(first), Some(last)) = (states.first(), states.last()) else {
        return o;
    };
    let means_of = |positions: &[Vec<f64>]| -> Vec<String> {
        (0..s.issues.len())
            .map(|d| format!("{}: {:.2}", s.issues[d].id, weighted_mean(s, positions, d)))
            .collect()
    };
    let (means, finals) = (means_of(&first.positions), means_of(&last.positions));
    o += &format!(
        "\ncapability × salience weighted mean of the input positions: {}\n\
         the same mean of the final positions: {}\n",
        means.join(", "),
        finals.join(", ")
    );
    o
}

/// The scenario, its engine and the overrides that made the variant: the first line of every
/// summary.
pub fn heading(s: &Scenario, overrides: &[Override]) -> String {
    let mut h = format!("{} — {} engine", s.name, s.engine.name());
    for o in overrides {
        h += &format!(", {o}");
    }
    h
}

fn override_texts(overrides: &[Override]) -> Vec<String> {
    overrides.iter().map(|o| o.to_string()).collect()
}

/// Summary of a deterministic engine's one run: forecast per round beside the baseline.
pub fn single_summary(s: &Scenario, overrides: &[Override], trace: &Trace) -> String {
    let mut o = format!(
        "{} (deterministic: one run is the result)\n\n",
        heading(s, overrides)
    );
    let issues = |d: usize| -> &str { s.issues.get(d).map_or("", |i| i.id.as_str()) };
    match trace {
        Trace::ExpectedUtility(rounds) => {
            // The model's mean is the capability × salience weighted mean.
            o += &format!("{:<6} {:>10} {:>10}\n", "round", "median", "mean");
            for (r, round) in rounds.iter().enumerate() {
                o += &format!("{r:<6} {:>10.4} {:>10.4}\n", round.median, round.mean);
            }
            if let (Some(first), Some(last)) = (rounds.first(), rounds.last()) {
                o += &format!(
                    "\nForecast on `{}` (median after round {}): {:.4}; baseline (capability × \
                     salience weighted mean of the input): {:.4}\n",
                    issues(0),
                    rounds.len() - 1,
                    last.median,
                    first.mean
                );
            }
        }
        Trace::SpatialModel(states) => {
            let (Some(first), Some(last)) = (states.first(), states.last()) else {
                return o;
            };
            o += &format!("{} states; final positions:\n", states.len());
            for (i, a) in s.actors.iter().enumerate() {
                let p: Vec<String> = last
                    .positions
                    .get(i)
                    .into_iter()
                    .flatten()
                    .map(|x| format!("{x:6.2}"))
                    .collect();
                o += &format!(
                    "  {:<14} ({})  P(win) {:.4}\n",
                    a.id,
                    p.join(", "),
                    last.win_prob.get(i).copied().unwrap_or(f64::NAN)
                );
            }
            for d in 0..s.issues.len() {
                o += &format!(
                    "`{}`: weighted mean of the final positions {:.2}; baseline (of the input) \
                     {:.2}\n",
                    issues(d),
                    weighted_mean(s, &last.positions, d),
                    weighted_mean(s, &first.positions, d)
                );
            }
        }
    }
    o
}

/// [`single_summary`] as one JSON object (with the whole trace).
pub fn single_summary_json(s: &Scenario, overrides: &[Override], trace: &Trace) -> Value {
    // Per issue: the weighted mean of the input (the baseline) and of the final positions;
    // the BDM forecast is the last median.
    let first = trace.positions(0);
    let last = trace.final_positions();
    let issues = first.first().map_or(0, Vec::len);
    let mut baseline = Map::new();
    for (d, issue) in s.issues.iter().enumerate().take(issues) {
        baseline.insert(
            issue.id.clone(),
            json!({"input": weighted_mean(s, &first, d), "final": weighted_mean(s, &last, d)}),
        );
    }
    let forecast = match trace {
        Trace::ExpectedUtility(r) => json!(r.last().map(|r| r.median)),
        Trace::SpatialModel(_) => Value::Null,
    };
    json!({
        "scenario": s.name,
        "engine": s.engine.name(),
        "overrides": override_texts(overrides),
        "runs": 1,
        "forecast_median": forecast,
        "weighted_mean": baseline,
        "trace": trace,
    })
}

/// Values (runs × series) an [`EnsembleSummary`] keeps by default: the 5–95% ranges are exact
/// up to this many, about 8 MB; beyond, they come from a uniform sample of the runs.
pub const EXACT_VALUES: usize = 1 << 20;

/// Mean, standard deviation, 5th and 95th percentiles of `xs` (sorted in place).
fn spread(xs: &mut [f64]) -> (f64, f64, f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0).max(1.0);
    xs.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let i = ((p * (n - 1.0)).round() as usize).min(xs.len().saturating_sub(1));
        xs.get(i).copied().unwrap_or(f64::NAN)
    };
    (mean, var.sqrt(), q(0.05), q(0.95))
}

/// The summary of a stochastic engine's ensemble, fed one run at a time in run order: turns
/// played (counted exactly), and per actor and issue the final position, and per issue the
/// capability × salience weighted mean of the final positions (mean, sd, 5–95% range).
///
/// While runs × series stay within the budget every run's values are kept and the figures are
/// those of the whole ensemble, exactly; past it the means stay exact (running sums in run
/// order), the standard deviations are computed on the fly (Welford), and the 5–95% ranges
/// come from a uniform sample of runs of the budget's size, drawn from the ensemble's seed, and
/// the summary says so.
pub struct EnsembleSummary {
    actors: usize,
    issues: usize,
    /// Runs whose values the sample can hold.
    capacity: usize,
    runs: u64,
    /// Runs by turns played.
    turns: BTreeMap<usize, u64>,
    /// One row per kept run: each actor's final position per issue, then each issue's weighted
    /// mean.
    rows: Vec<f64>,
    /// Per series, the sum of every run's value, in run order.
    sums: Vec<f64>,
    /// Per series, Welford's running mean and sum of squared deviations.
    welford: Vec<(f64, f64)>,
    sampler: rand_chacha::ChaCha8Rng,
}

impl EnsembleSummary {
    /// An empty summary of an ensemble of `s` under master seed `seed`, with the default budget
    /// [`EXACT_VALUES`].
    pub fn new(s: &Scenario, seed: u64) -> Self {
        Self::with_budget(s, seed, EXACT_VALUES)
    }

    /// An empty summary that keeps at most `values` values (at least one run's).
    pub fn with_budget(s: &Scenario, seed: u64, values: usize) -> Self {
        let (actors, issues) = (s.actors.len(), s.issues.len());
        let width = (actors * issues + issues).max(1);
        let capacity = (values / width).max(1);
        EnsembleSummary {
            actors,
            issues,
            capacity,
            runs: 0,
            turns: BTreeMap::new(),
            rows: Vec::new(),
            sums: vec![0.0; width],
            welford: vec![(0.0, 0.0); width],
            sampler: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
        }
    }

    fn width(&self) -> usize {
        self.sums.len()
    }

    /// Runs added so far.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Whether the 5–95% ranges come from a sample (more runs than the budget holds).
    pub fn sampled(&self) -> bool {
        self.runs > self.capacity as u64
    }

    /// Adds the next run (in run order) of the ensemble of `s`.
    pub fn add(&mut self, s: &Scenario, trace: &Trace) {
        *self.turns.entry(trace.rounds()).or_default() += 1;
        let finals = trace.final_positions();
        let at = |i: usize, d: usize| {
            finals
                .get(i)
                .and_then(|p| p.get(d))
                .copied()
                .unwrap_or(f64::NAN)
        };
        let mut row = Vec::with_capacity(self.width());
        for i in 0..self.actors {
            row.extend((0..self.issues).map(|d| at(i, d)));
        }
        row.extend((0..self.issues).map(|d| weighted_mean(s, &finals, d)));
        self.runs += 1;
        let n = self.runs as f64;
        for ((x, sum), (mean, m2)) in row.iter().zip(&mut self.sums).zip(&mut self.welford) {
            *sum += x;
            let delta = x - *mean;
            *mean += delta / n;
            *m2 += delta * (x - *mean);
        }
        let seen = self.runs - 1;
        if seen < self.capacity as u64 {
            self.rows.extend(row);
        } else {
            // Algorithm R: run `seen` replaces a kept run with probability capacity/(seen+1).
            let j = self.sampler.random_range(0..=seen);
            if let Ok(j) = usize::try_from(j)
                && j < self.capacity
            {
                let w = self.width();
                self.rows[j * w..(j + 1) * w].copy_from_slice(&row);
            }
        }
    }

    /// Mean, sd, 5% and 95% of series `k`.
    fn series(&self, k: usize) -> (f64, f64, f64, f64) {
        let w = self.width();
        let mut xs: Vec<f64> = self.rows.iter().skip(k).step_by(w).copied().collect();
        let exact = spread(&mut xs);
        if !self.sampled() {
            return exact;
        }
        let n = self.runs as f64;
        let (_, m2) = self.welford[k];
        let sd = (m2 / (n - 1.0).max(1.0)).sqrt();
        (self.sums[k] / n, sd, exact.2, exact.3)
    }

    /// Mean, 5% and 95% of the turns played.
    fn turns(&self) -> (f64, f64, f64) {
        let n = self.runs;
        let total: u64 = self.turns.iter().map(|(&t, &c)| t as u64 * c).sum();
        let q = |p: f64| {
            let i = (p * (n as f64 - 1.0)).round() as u64;
            let i = i.min(n.saturating_sub(1));
            let mut below = 0;
            for (&t, &c) in &self.turns {
                below += c;
                if i < below {
                    return t as f64;
                }
            }
            f64::NAN
        };
        (total as f64 / n as f64, q(0.05), q(0.95))
    }

    /// The summary as a table.
    pub fn text(&self, s: &Scenario, overrides: &[Override], seed: u64) -> String {
        let (tm, t05, t95) = self.turns();
        let runs = self.runs;
        let mut o = format!(
            "{} ({runs} runs, seed {seed})\n\nturns: mean {tm:.1}, 5–95% {t05:.0}–{t95:.0}\n\n\
             final positions: mean ± sd [5%, 95%]\n",
            heading(s, overrides)
        );
        if self.sampled() {
            o += &format!(
                "  (5% and 95% from a uniform sample of {} of the runs)\n",
                self.capacity
            );
        }
        for (i, a) in s.actors.iter().enumerate().take(self.actors) {
            let mut row = format!("  {:<14}", a.id);
            for (d, issue) in s.issues.iter().enumerate().take(self.issues) {
                let (m, sd, lo, hi) = self.series(i * self.issues + d);
                row += &format!("  {}: {m:6.2} ± {sd:5.2} [{lo:6.2}, {hi:6.2}]", issue.id);
            }
            o += &row;
            o += "\n";
        }
        for (d, issue) in s.issues.iter().enumerate().take(self.issues) {
            let (m, sd, _, _) = self.series(self.actors * self.issues + d);
            o += &format!(
                "`{}`: weighted mean of the final positions {m:.2} ± {sd:.2}; baseline (of the \
                 input) {:.2}\n",
                issue.id,
                input_mean(s, d)
            );
        }
        o
    }

    /// The summary as one JSON object.
    pub fn json(&self, s: &Scenario, overrides: &[Override], seed: u64) -> Value {
        let (tm, _, _) = self.turns();
        let mut actors = Map::new();
        for (i, a) in s.actors.iter().enumerate().take(self.actors) {
            let mut per_issue = Map::new();
            for (d, issue) in s.issues.iter().enumerate().take(self.issues) {
                let (m, sd, lo, hi) = self.series(i * self.issues + d);
                per_issue.insert(
                    issue.id.clone(),
                    json!({"mean": m, "sd": sd, "p05": lo, "p95": hi}),
                );
            }
            actors.insert(a.id.clone(), Value::Object(per_issue));
        }
        let mut baseline = Map::new();
        for (d, issue) in s.issues.iter().enumerate().take(self.issues) {
            let (m, sd, _, _) = self.series(self.actors * self.issues + d);
            baseline.insert(
                issue.id.clone(),
                json!({"input": input_mean(s, d), "final_mean": m, "final_sd": sd}),
            );
        }
        let mut object = json!({
            "scenario": s.name,
            "engine": s.engine.name(),
            "overrides": override_texts(overrides),
            "runs": self.runs,
            "seed": seed,
            "turns_mean": tm,
            "final_positions": actors,
            "weighted_mean": baseline,
        });
        if self.sampled()
            && let Value::Object(m) = &mut object
        {
            m.insert("percentiles_sample".into(), json!(self.capacity));
        }
        object
    }
}

/// The capability × salience weighted mean of the input positions on issue `d`.
fn input_mean(s: &Scenario, d: usize) -> f64 {
    let start: Vec<Vec<f64>> = s.actors.iter().map(|a| a.ideal.clone()).collect();
    weighted_mean(s, &start, d)
}
