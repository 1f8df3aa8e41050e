//! The summary of a negotiation-model ensemble (`detente run`): the table for people, the JSON
//! object for scripts (documented in the README) and the `--plot` picture.
//!
//! Each takes the scenario, the overrides it was made with and the ensemble's aggregate; none
//! runs anything or prints: `cli::run` chooses what to render and where it goes.

use serde_json::{Map, Value, json};

use crate::outcome::{CollapseCause, OutcomeClass, OutcomeKind, Response};
use crate::scenario::{Override, Scenario};
use crate::study::batch::{Aggregate, ExactSum};

/// The widest venue the per-round table shows (longer ones are cut with "…").
const VENUE_WIDTH: usize = 20;

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
pub fn picture(s: &Scenario, overrides: &[Override], agg: &Aggregate) -> String {
    use super::svg::{ShareBar, TermsPanel, run_report};
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
    for o in overrides {
        title += &format!(", {o}");
    }
    run_report(&title, &bars, &panels)
}

fn pct(x: f64) -> String {
    format!("{:5.1}%", 100.0 * x)
}

/// The summary as one JSON object (documented in the README); `seed` is the ensemble's master
/// seed.
pub fn summary_json(s: &Scenario, overrides: &[Override], agg: &Aggregate, seed: u64) -> Value {
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
        "seed": seed,
        "overrides": overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
        "outcomes": outcomes,
        "deal_terms": terms,
        "rounds": {"mean": mean, "p50": p50},
        "collapse_causes": counts(collapse_causes(agg)),
        "protector_responses": counts(protector_responses(agg)),
    })
}

/// The summary as a table a reader can take in without the docs; `seed` is the ensemble's
/// master seed.
pub fn table(s: &Scenario, overrides: &[Override], agg: &Aggregate, seed: u64) -> String {
    let mut o = format!("{} — {} runs, seed {seed}\n", s.name, agg.runs);
    for ov in overrides {
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
            "  protector's answers to strikes: {}\n  the target retaliated in {} of {strikes} strikes\n",
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
    // Venues up to 20 characters, so that the table fits 100 columns.
    let venue = |v: &str| {
        if v.chars().count() > VENUE_WIDTH {
            v.chars().take(VENUE_WIDTH - 1).collect::<String>() + "…"
        } else {
            v.to_string()
        }
    };
    let vw = s
        .rounds
        .iter()
        .map(|r| venue(&r.venue).chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    o += &format!(
        "\nPer round (means over the runs still going; trust, consistency, own estimate of a deal: \
         {}/{})\n  {:<5} {:<10} {:<vw$} {:>6} {:>6} {:>5} {:>9} {:>9} {:>9} {:>7}\n",
        sides[0],
        sides[1],
        "round",
        "date",
        "venue",
        "going",
        "threat",
        "gap",
        "trust",
        "consist.",
        "estimate",
        "strike"
    );
    let pair = |a: f64, b: f64| format!("{a:.2}/{b:.2}");
    for (r, sums) in agg.per_round.iter().enumerate() {
        if sums.runs == 0 {
            continue;
        }
        let n = sums.runs as f64;
        let m = |x: &ExactSum| x.value() / n;
        o += &format!(
            "  {:<5} {:<10} {:<vw$} {:>6} {:>6.2} {:>5.1} {:>9} {:>9} {:>9} {:>7.3}\n",
            r + 1,
            s.rounds[r]
                .date
                .map_or_else(|| format!("week {}", s.rounds[r].week), |d| d.to_string()),
            venue(&s.rounds[r].venue),
            pct(n / agg.runs as f64).trim(),
            m(&sums.threat),
            m(&sums.gap),
            pair(m(&sums.trust[0]), m(&sums.trust[1])),
            pair(m(&sums.consistency[0]), m(&sums.consistency[1])),
            pair(m(&sums.deal_estimate[0]), m(&sums.deal_estimate[1])),
            m(&sums.strike_probability),
        );
    }
    o
}
