//! `detente run SCENARIO`: an ensemble and its summary table (or JSON).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::CliError;
use crate::outcome::{CollapseCause, OutcomeClass, OutcomeKind, Response};
use crate::scenario::{Loaded, Override, load};
use crate::study::batch::{Aggregate, Ensemble, run_ensemble};
use crate::study::results::{Study, StudyVariant};

/// Output format of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON object for scripts.
    Json,
}

/// Where `run` and `compare` write results files.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct OutArgs {
    /// Write results files here (runs and per-round series as CSV and Parquet, manifest).
    #[arg(long = "out", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// With --out: also write every run's full trace (traces.jsonl).
    #[arg(long)]
    pub traces: bool,
    /// With --out: finish a study that was interrupted in DIR.
    #[arg(long)]
    pub resume: bool,
}

/// Runs the ensemble and prints its summary; a list `--set` (`a=1,2`) runs one ensemble per
/// value, printed one after the other (a JSON array in JSON format). With `--out`, results
/// files are written as runs finish, and Ctrl-C stops cleanly.
pub fn run(
    file: &Path,
    set: &[Override],
    e: Ensemble,
    format: Format,
    plot: Option<&Path>,
    results: &OutArgs,
    out: &mut impl Write,
) -> Result<(), CliError> {
    let sets = crate::scenario::expand(set);
    if sets.len() > 1 && plot.is_some() {
        return Err(CliError::Usage(
            "--plot draws one ensemble: to picture several values side by side, use `detente compare`".into(),
        ));
    }
    if results.dir.is_none() && (results.traces || results.resume) {
        return Err(CliError::Usage(
            "--traces and --resume go with --out DIR".into(),
        ));
    }
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for overrides in &sets {
        match load(file, overrides) {
            Ok(l) => loaded.push(l),
            Err(crate::scenario::Diagnostics(d)) => problems.extend(d),
        }
    }
    if !problems.is_empty() {
        return Err(crate::scenario::Diagnostics(problems).into());
    }
    let engines: Vec<&str> = loaded.iter().map(|l| l.scenario.engine.name()).collect();
    if engines.iter().any(|&n| n != engines[0]) {
        return Err(CliError::Usage(format!(
            "the values of --set give different engines ({}): run them one at a time",
            engines.join(", ")
        )));
    }
    if loaded[0].scenario.engine != crate::scenario::types::Engine::Negotiation {
        if plot.is_some() || results.traces {
            return Err(CliError::Usage(
                "--plot and --traces are for the negotiation model; a reference engine's \
                 --out files hold every round of every run"
                    .into(),
            ));
        }
        return super::engines::run(
            &loaded,
            e,
            format == Format::Json,
            results.dir.as_deref(),
            results.resume,
            out,
        );
    }
    let mut aggregates = Vec::new();
    let mut interrupted = None;
    match &results.dir {
        None => {
            for l in &loaded {
                aggregates.push(run_ensemble(&Arc::new(l.scenario.clone()), e));
            }
        }
        Some(dir) => {
            let study = Study {
                command: "run".into(),
                variants: loaded
                    .iter()
                    .map(|l| StudyVariant {
                        label: super::compare::label_of(&l.overrides),
                        loaded: l.clone(),
                    })
                    .collect(),
                runs: e.runs,
                seed: e.seed,
                threads: e.threads,
                traces: results.traces,
            };
            let f = super::study_with_progress(&study, dir, results.resume)?;
            if !f.complete() {
                interrupted = Some((f.finished, f.requested, dir.clone()));
            }
            aggregates.extend(f.comparison.variants.into_iter().map(|v| v.agg));
        }
    }
    let mut tables = Vec::new();
    let mut objects = Vec::new();
    for (l, agg) in loaded.iter().zip(&aggregates) {
        if let Some(path) = plot {
            super::write_atomically(path, picture(l, agg).as_bytes()).map_err(CliError::Io)?;
        }
        match format {
            Format::Table => tables.push(table(l, agg, e)),
            Format::Json => objects.push(summary_json(l, agg, e)),
        }
    }
    let text = match format {
        Format::Table => tables.join("\n"),
        Format::Json if objects.len() == 1 => {
            serde_json::to_string_pretty(&objects[0]).expect("json") + "\n"
        }
        Format::Json => serde_json::to_string_pretty(&objects).expect("json") + "\n",
    };
    super::print_then_report(out, &text, interrupted)
}

/// The outcomes shown, with their labels: deal, talks going, collapse, then a strike by each
/// actor that struck in some run (named by its display name).
fn outcome_rows(s: &crate::scenario::Scenario, agg: &Aggregate) -> Vec<(OutcomeClass, String)> {
    let mut rows: Vec<(OutcomeClass, String)> = vec![
        (OutcomeClass::Kind(OutcomeKind::Deal), "deal".into()),
        (
            OutcomeClass::Kind(OutcomeKind::TalksContinue),
            "talks still going".into(),
        ),
        (OutcomeClass::Kind(OutcomeKind::Collapse), "collapse".into()),
    ];
    for by in agg.strikers() {
        rows.push((
            OutcomeClass::Kind(OutcomeKind::Strike(by)),
            format!("strike by {}", s.actors[by].name),
        ));
    }
    rows
}

/// The non-zero counts of `counts`, named: collapse causes or protector answers.
fn named_counts(
    names: impl Iterator<Item = &'static str>,
    counts: &[u64],
) -> Vec<(&'static str, u64)> {
    names
        .zip(counts.iter().copied())
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Collapses by cause, the causes that occurred.
pub fn collapse_causes(agg: &Aggregate) -> Vec<(&'static str, u64)> {
    named_counts(
        CollapseCause::ALL.iter().map(|c| c.name()),
        &agg.collapse_causes,
    )
}

/// Protector answers by level, the levels that occurred.
pub fn protector_responses(agg: &Aggregate) -> Vec<(&'static str, u64)> {
    named_counts(Response::ALL.iter().map(|r| r.name()), &agg.responses)
}

/// The `--plot` picture: outcome shares with intervals, and the distribution of deal terms.
pub fn picture(l: &Loaded, agg: &Aggregate) -> String {
    use crate::report::svg::{ShareBar, TermsPanel, run_report};
    let s = &l.scenario;
    let kinds = outcome_rows(s, agg);
    let bars: Vec<ShareBar> = kinds
        .into_iter()
        .map(|(k, label)| {
            let (share, lo, hi) = agg.share(k);
            ShareBar {
                label,
                share,
                lo,
                hi,
            }
        })
        .collect();
    let panels: Vec<TermsPanel> = s
        .issues
        .iter()
        .zip(&agg.terms)
        .map(|(i, counts)| TermsPanel {
            issue: i.id.clone(),
            low: i.low.clone(),
            high: i.high.clone(),
            counts: counts.clone(),
        })
        .collect();
    let mut title = format!("{} — {} runs", s.name, agg.runs);
    for o in &l.overrides {
        title += &format!(", {o}");
    }
    run_report(&title, &bars, &panels)
}

fn pct(x: f64) -> String {
    format!("{:5.1}%", 100.0 * x)
}

/// The summary as one JSON object (documented in the README).
pub fn summary_json(l: &Loaded, agg: &Aggregate, e: Ensemble) -> Value {
    let s = &l.scenario;
    let mut outcomes = Map::new();
    for (k, _) in outcome_rows(s, agg) {
        let (share, lo, hi) = agg.share(k);
        outcomes.insert(k.name(s), json!({"share": share, "lo": lo, "hi": hi}));
    }
    let counts = |c: Vec<(&str, u64)>| -> Map<String, Value> {
        c.into_iter()
            .map(|(k, n)| (k.to_owned(), json!(n)))
            .collect()
    };
    let mut terms = Map::new();
    for (d, issue) in s.issues.iter().enumerate() {
        let f = |x: f64| if x.is_nan() { Value::Null } else { json!(x) };
        terms.insert(
            issue.id.clone(),
            json!({"mean": f(agg.terms_mean(d)), "p10": f(agg.terms_quantile(d, 0.1)), "p50": f(agg.terms_quantile(d, 0.5)), "p90": f(agg.terms_quantile(d, 0.9))}),
        );
    }
    let (mean, p50) = agg.rounds_mean_median();
    json!({
        "scenario": s.name,
        "runs": agg.runs,
        "seed": e.seed,
        "overrides": l.overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
        "outcomes": outcomes,
        "deal_terms": terms,
        "rounds": {"mean": mean, "p50": p50},
        "collapse_causes": counts(collapse_causes(agg)),
        "protector_responses": counts(protector_responses(agg)),
    })
}

/// The summary as a table a reader can take in without the docs.
pub fn table(l: &Loaded, agg: &Aggregate, e: Ensemble) -> String {
    let s = &l.scenario;
    let mut o = format!("{} — {} runs, seed {}\n", s.name, agg.runs, e.seed);
    for ov in &l.overrides {
        o += &format!("  with --set {ov}\n");
    }
    o += "\nOutcome                         share   95% interval\n";
    let mut row = |label: String, kind: OutcomeClass| {
        let (share, lo, hi) = agg.share(kind);
        o += &format!(
            "  {label:<28} {}   [{:.1}, {:.1}]\n",
            pct(share),
            100.0 * lo,
            100.0 * hi
        );
    };
    for (kind, label) in outcome_rows(s, agg) {
        row(label, kind);
    }
    let causes = collapse_causes(agg);
    if !causes.is_empty() {
        let parts: Vec<String> = causes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        o += &format!("  collapses by cause: {}\n", parts.join(", "));
    }
    let answers = protector_responses(agg);
    if !answers.is_empty() {
        let parts: Vec<String> = answers.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let strikes = agg.count_class(OutcomeClass::AnyStrike);
        o += &format!(
            "  protector's answers to strikes: {}; target retaliated in {} of {strikes}\n",
            parts.join(", "),
            agg.retaliations
        );
    }
    let deals = agg.deals;
    if deals > 0 {
        o += &format!("\nDeal terms ({deals} deals; 0–100)   mean    p10    p50    p90\n");
        for (d, issue) in s.issues.iter().enumerate() {
            o += &format!(
                "  {:<30} {:6.1} {:6.1} {:6.1} {:6.1}\n",
                issue.id,
                agg.terms_mean(d),
                agg.terms_quantile(d, 0.1),
                agg.terms_quantile(d, 0.5),
                agg.terms_quantile(d, 0.9)
            );
        }
    }
    let (mean, p50) = agg.rounds_mean_median();
    o += &format!(
        "\nRounds to outcome: mean {mean:.2}, median {p50:.0} (of {})\n",
        s.rounds.len()
    );
    if deals > 0 {
        let (dm, dp) = agg.deal_rounds_mean_median();
        o += &format!("Round of the deal: mean {dm:.2}, median {dp:.0}\n");
    }
    let sides: Vec<&str> = s.sides.iter().map(|x| x.id.as_str()).collect();
    o += &format!(
        "\nPer round (means over the runs still going)\n  {:<5} {:<16} {:>6} {:>6} {:>5} {:>13} {:>13} {:>13} {:>7}\n",
        "round",
        "venue",
        "going",
        "threat",
        "gap",
        format!("trust {}/{}", sides[0], sides[1]),
        format!("consist {}/{}", sides[0], sides[1]),
        format!("est. {}/{}", sides[0], sides[1]),
        "strike"
    );
    for (r, sums) in agg.per_round.iter().enumerate() {
        if sums.runs == 0 {
            continue;
        }
        let n = sums.runs as f64;
        let m = |x: &crate::study::batch::ExactSum| x.value() / n;
        o += &format!(
            "  {:<5} {:<16} {:>6} {:>6.2} {:>5.1} {:>6.2}/{:<6.2} {:>6.2}/{:<6.2} {:>6.2}/{:<6.2} {:>7.3}\n",
            r + 1,
            s.rounds[r].venue.chars().take(16).collect::<String>(),
            pct(n / agg.runs as f64).trim(),
            m(&sums.threat),
            m(&sums.gap),
            m(&sums.trust[0]),
            m(&sums.trust[1]),
            m(&sums.consistency[0]),
            m(&sums.consistency[1]),
            m(&sums.deal_estimate[0]),
            m(&sums.deal_estimate[1]),
            m(&sums.strike_probability),
        );
    }
    o
}
