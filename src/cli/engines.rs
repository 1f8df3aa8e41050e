//! The reference engines from the command line: `story` prints one run's rounds, `run` an
//! ensemble's summary (one run when the engine is deterministic), with `--out` files.

use std::io::Write;

use serde_json::{Value, json};

use super::CliError;
use crate::engines::{Runner, Trace, bdm, smp, weighted_mean};
use crate::scenario::Loaded;
use crate::scenario::Scenario;
use crate::scenario::types::Engine;
use crate::study::batch::Ensemble;

/// The story of run 0 under `seed` of a reference-engine scenario: its rounds, as the engine's
/// papers tabulate them, and the trace. `None` for the negotiation model.
pub fn story(s: &Scenario, seed: u64) -> Option<(String, Trace)> {
    let trace = Runner::new(s)?.run(seed, 0);
    let text = match (&s.engine, &trace) {
        (Engine::ExpectedUtility { options, .. }, Trace::ExpectedUtility(rounds)) => {
            bdm_story(s, options, rounds)
        }
        (Engine::SpatialModel(settings), Trace::SpatialModel(states)) => {
            smp_story(s, settings, seed, states)
        }
        _ => unreachable!("the runner follows the scenario's engine"),
    };
    Some((text, trace))
}

/// Refuses the commands that need the negotiation model.
pub fn require_negotiation(s: &Scenario, command: &str) -> Result<(), super::CliError> {
    match s.engine {
        Engine::Negotiation => Ok(()),
        ref e => Err(super::CliError::Usage(format!(
            "`{}` uses the {} engine: `detente story` prints one run round by round, `detente \
             run` summarises runs and writes them with --out (`{command}` needs the negotiation \
             model)",
            s.name,
            e.name()
        ))),
    }
}

fn bdm_story(s: &Scenario, options: &bdm::Options, trace: &[bdm::Round]) -> String {
    let mut o = format!(
        "{} — expected-utility model (Bueno de Mesquita; {:?} conventions), issue `{}`\n\n",
        s.name, options.conventions, s.issues[0].id
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
    let last = trace.last().expect("round 0 at least");
    // The model's mean is the capability × salience weighted mean: round 0's is the baseline.
    o += &format!(
        "\nForecast (median after round {}): {:.6}; capability × salience weighted mean: {:.6}\n",
        trace.len() - 1,
        last.median,
        trace[0].mean
    );
    o
}

fn smp_story(
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
    let last = states.last().expect("state 0 at least");
    let means: Vec<String> = (0..s.issues.len())
        .map(|d| {
            format!(
                "{}: {:.2}",
                s.issues[d].id,
                weighted_mean(s, &states[0].positions, d)
            )
        })
        .collect();
    let finals: Vec<String> = (0..s.issues.len())
        .map(|d| {
            format!(
                "{}: {:.2}",
                s.issues[d].id,
                weighted_mean(s, &last.positions, d)
            )
        })
        .collect();
    o += &format!(
        "\ncapability × salience weighted mean of the input positions: {}\n\
         the same mean of the final positions: {}\n",
        means.join(", "),
        finals.join(", ")
    );
    o
}

/// What the summary needs of the runs of one variant.
#[derive(Default)]
struct Seen {
    first: Option<Trace>,
    finals: Vec<Vec<Vec<f64>>>,
    turns: Vec<f64>,
}

impl Seen {
    fn add(&mut self, t: &Trace) {
        self.turns.push(t.rounds() as f64);
        self.finals.push(t.final_positions());
        if self.first.is_none() {
            self.first = Some(t.clone());
        }
    }
}

/// Mean, standard deviation, 5th and 95th percentiles of `xs` (sorted in place).
fn spread(xs: &mut [f64]) -> (f64, f64, f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0).max(1.0);
    xs.sort_by(f64::total_cmp);
    let q = |p: f64| xs[((p * (n - 1.0)).round() as usize).min(xs.len() - 1)];
    (mean, var.sqrt(), q(0.05), q(0.95))
}

/// `run` on a reference-engine scenario: one run when the engine is deterministic, an ensemble
/// of `e.runs` seeded runs when it draws (stochastic SMP transitions); a summary as a table or
/// JSON, and with `out` the results files.
pub fn run(
    loaded: &[Loaded],
    e: Ensemble,
    json_format: bool,
    out_dir: Option<&std::path::Path>,
    resume: bool,
    out: &mut impl Write,
) -> Result<(), CliError> {
    if resume {
        return Err(CliError::Usage(
            "--resume is for the negotiation model's studies; a reference-engine run is short: \
             run it again with a new --out"
                .into(),
        ));
    }
    let stochastic = Runner::new(&loaded[0].scenario)
        .expect("a reference engine")
        .stochastic();
    let runs = if stochastic { e.runs } else { 1 };
    let mut seen: Vec<Seen> = loaded.iter().map(|_| Seen::default()).collect();
    let mut interrupted = None;
    if let Some(dir) = out_dir {
        super::catch_interrupts();
        let variants: Vec<crate::engines::output::Variant> = loaded
            .iter()
            .map(|l| crate::engines::output::Variant {
                label: super::compare::label_of(&l.overrides),
                scenario: &l.scenario,
            })
            .collect();
        let stop = super::progress(runs * loaded.len() as u64);
        let w = crate::engines::output::write_study(
            &variants,
            runs,
            e.seed,
            e.threads,
            dir,
            &stop,
            &mut |k, _, t| seen[k].add(t),
        );
        super::clear_progress();
        let w = w.map_err(CliError::Io)?;
        if w.finished < w.requested {
            interrupted = Some((w.finished, w.requested, dir.to_path_buf()));
        }
    } else {
        // Without --out a stopped ensemble would summarise fewer runs than asked: Ctrl-C ends
        // the process as usual, and the progress line only informs.
        let progress = super::progress(runs * loaded.len() as u64);
        for (k, (l, seen)) in loaded.iter().zip(&mut seen).enumerate() {
            let before = k as u64 * runs;
            let shown = |done: u64| {
                if runs >= 1000 {
                    progress(before + done);
                }
                false
            };
            let r = crate::engines::ensemble(
                &l.scenario,
                0,
                runs,
                e.seed,
                e.threads,
                &shown,
                |_, t| {
                    seen.add(&t);
                    Ok(())
                },
            );
            r.map_err(CliError::Io)?;
        }
        super::clear_progress();
    }
    let mut texts = Vec::new();
    let mut objects = Vec::new();
    for (l, seen) in loaded.iter().zip(&mut seen) {
        let Some(first) = seen.first.take() else {
            continue;
        };
        let (text, object) = if stochastic {
            ensemble_summary(
                l,
                seen.finals.len() as u64,
                e.seed,
                &seen.finals,
                &mut seen.turns,
            )
        } else {
            single_summary(l, &first)
        };
        texts.push(text);
        objects.push(object);
    }
    let text = if json_format {
        let v = if objects.len() == 1 {
            objects.swap_remove(0)
        } else {
            Value::Array(objects)
        };
        serde_json::to_string_pretty(&v).expect("json") + "\n"
    } else {
        texts.join("\n")
    };
    // Engine studies have no --resume: the message says to run again.
    super::print_then_report_as(out, &text, interrupted, false)
}

fn heading(l: &Loaded) -> String {
    let mut h = format!("{} — {} engine", l.scenario.name, l.scenario.engine.name());
    for o in &l.overrides {
        h += &format!(", {o}");
    }
    h
}

/// Summary of a deterministic engine's one run: forecast per round beside the baseline.
fn single_summary(l: &Loaded, trace: &Trace) -> (String, Value) {
    let s = &l.scenario;
    let mut o = format!("{} (deterministic: one run is the result)\n\n", heading(l));
    let issues = |d: usize| -> &str { &s.issues[d].id };
    match trace {
        Trace::ExpectedUtility(rounds) => {
            // The model's mean is the capability × salience weighted mean.
            o += &format!("{:<6} {:>10} {:>10}\n", "round", "median", "mean");
            for (r, round) in rounds.iter().enumerate() {
                o += &format!("{r:<6} {:>10.4} {:>10.4}\n", round.median, round.mean);
            }
            let last = rounds.last().expect("round 0");
            o += &format!(
                "\nForecast on `{}` (median after round {}): {:.4}; baseline (capability × \
                 salience weighted mean of the input): {:.4}\n",
                issues(0),
                rounds.len() - 1,
                last.median,
                rounds[0].mean
            );
        }
        Trace::SpatialModel(states) => {
            let last = states.last().expect("state 0");
            o += &format!("{} states; final positions:\n", states.len());
            for (i, a) in s.actors.iter().enumerate() {
                let p: Vec<String> = last.positions[i]
                    .iter()
                    .map(|x| format!("{x:6.2}"))
                    .collect();
                o += &format!(
                    "  {:<14} ({})  P(win) {:.4}\n",
                    a.id,
                    p.join(", "),
                    last.win_prob[i]
                );
            }
            for d in 0..s.issues.len() {
                o += &format!(
                    "`{}`: weighted mean of the final positions {:.2}; baseline (of the input) \
                     {:.2}\n",
                    issues(d),
                    weighted_mean(s, &last.positions, d),
                    weighted_mean(s, &states[0].positions, d)
                );
            }
        }
    }
    // Per issue: the weighted mean of the input (the baseline) and of the final positions;
    // the BDM forecast is the last median.
    let first = trace.positions(0);
    let last = trace.final_positions();
    let issues = first.first().map_or(0, Vec::len);
    let mut baseline = serde_json::Map::new();
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
    let object = json!({
        "scenario": s.name,
        "engine": s.engine.name(),
        "overrides": l.overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
        "runs": 1,
        "forecast_median": forecast,
        "weighted_mean": baseline,
        "trace": trace,
    });
    (o, object)
}

/// Summary of a stochastic engine's ensemble: every actor's final position per issue (mean,
/// sd, 5–95% range), turns played, and the baseline.
fn ensemble_summary(
    l: &Loaded,
    runs: u64,
    seed: u64,
    finals: &[Vec<Vec<f64>>],
    turns: &mut [f64],
) -> (String, Value) {
    let s = &l.scenario;
    let (tm, _, t05, t95) = spread(turns);
    let mut o = format!(
        "{} ({runs} runs, seed {seed})\n\nturns: mean {tm:.1}, 5–95% {t05:.0}–{t95:.0}\n\n\
         final positions: mean ± sd [5%, 95%]\n",
        heading(l)
    );
    let mut actors = serde_json::Map::new();
    for (i, a) in s.actors.iter().enumerate() {
        let mut row = format!("  {:<14}", a.id);
        let mut per_issue = serde_json::Map::new();
        for (d, issue) in s.issues.iter().enumerate() {
            let mut xs: Vec<f64> = finals.iter().map(|f| f[i][d]).collect();
            let (m, sd, lo, hi) = spread(&mut xs);
            row += &format!("  {}: {m:6.2} ± {sd:5.2} [{lo:6.2}, {hi:6.2}]", issue.id);
            per_issue.insert(
                issue.id.clone(),
                json!({"mean": m, "sd": sd, "p05": lo, "p95": hi}),
            );
        }
        o += &row;
        o += "\n";
        actors.insert(a.id.clone(), Value::Object(per_issue));
    }
    let mut baseline = serde_json::Map::new();
    for (d, issue) in s.issues.iter().enumerate() {
        let mut xs: Vec<f64> = finals.iter().map(|f| weighted_mean(s, f, d)).collect();
        let start: Vec<Vec<f64>> = s.actors.iter().map(|a| a.ideal.clone()).collect();
        let input = weighted_mean(s, &start, d);
        let (m, sd, _, _) = spread(&mut xs);
        o += &format!(
            "`{}`: weighted mean of the final positions {m:.2} ± {sd:.2}; baseline (of the \
             input) {input:.2}\n",
            issue.id
        );
        baseline.insert(
            issue.id.clone(),
            json!({"input": input, "final_mean": m, "final_sd": sd}),
        );
    }
    let object = json!({
        "scenario": s.name,
        "engine": s.engine.name(),
        "overrides": l.overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
        "runs": runs,
        "seed": seed,
        "turns_mean": tm,
        "final_positions": actors,
        "weighted_mean": baseline,
    });
    (o, object)
}
