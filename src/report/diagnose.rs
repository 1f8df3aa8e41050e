//! What `detente diagnose` prints: each mechanism's activity with the inert ones flagged, deals
//! by whose text, collapses by cause and who conceded in each round (table or JSON).

use serde_json::{Value, json};

use crate::outcome::{Blocker, CollapseCause};
use crate::scenario::Scenario;
use crate::study::diagnose::{Activity, Mechanism, NoDealEnd};
use crate::study::knobs::{self, KnobEffect, KnobKind};

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The table for people.
pub fn table(s: &Scenario, a: &Activity, seed: u64) -> String {
    let mut o = format!(
        "{} — mechanism activity over {} runs (seed {seed})\n\n",
        s.name, a.runs
    );
    o += &format!(
        "{:<48} {:>7}  {:<36} {}\n",
        "Mechanism", "active", "of", "inert below"
    );
    for m in Mechanism::ALL {
        let c = a.count_of(m);
        let flag = if c.share() < m.inert_below() {
            "  INERT"
        } else {
            ""
        };
        o += &format!(
            "  {:<46} {:>7}  {:<36} {}{flag}\n",
            m.what(),
            pct(c.share()),
            format!("{} {}", c.of, m.unit()),
            pct(m.inert_below())
        );
    }
    let inert = a.inert();
    o += &if inert.is_empty() {
        "\nNo mechanism is inert.\n".to_string()
    } else {
        format!(
            "\nInert on this scenario ({}): {}.\n",
            inert.len(),
            inert
                .iter()
                .map(|m| m.name())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let side = |k: usize| s.sides.get(k).map_or("?", |x| x.name.as_str());
    o += &format!(
        "\nDeals by whose text: offer of {} {}, offer of {} {}, mediator {}\n",
        side(0),
        a.deals_via[0],
        side(1),
        a.deals_via[1],
        a.deals_via[2]
    );
    o += "Collapses by cause:";
    for c in CollapseCause::ALL {
        o += &format!(" {} {}", c.name(), a.collapse_causes[c.index()]);
    }
    o += &format!(
        "\n\nWho conceded (share of the runs still going)\n  round  {:>9}  {:>16}  {:>16}  {:>9}\n",
        "neither",
        format!("{} only", side(0)),
        format!("{} only", side(1)),
        "both"
    );
    for (r, c) in a.conceded.iter().enumerate() {
        let n = c.iter().sum::<u64>().max(1) as f64;
        o += &format!(
            "  {:<5}  {:>9}  {:>16}  {:>16}  {:>9}\n",
            r + 1,
            pct(c[0] as f64 / n),
            pct(c[1] as f64 / n),
            pct(c[2] as f64 / n),
            pct(c[3] as f64 / n)
        );
    }
    o
}

/// One JSON object for scripts.
pub fn json(s: &Scenario, a: &Activity, seed: u64) -> Value {
    let mechanisms: serde_json::Map<String, Value> = Mechanism::ALL
        .into_iter()
        .map(|m| {
            let c = a.count_of(m);
            (
                m.name().to_string(),
                json!({
                    "active": c.active, "of": c.of, "unit": m.unit(), "share": c.share(),
                    "inert_below": m.inert_below(), "inert": c.share() < m.inert_below(),
                }),
            )
        })
        .collect();
    let sides: Vec<&str> = s.sides.iter().map(|k| k.id.as_str()).collect();
    json!({
        "scenario": s.name,
        "runs": a.runs,
        "seed": seed,
        "mechanisms": mechanisms,
        "inert": a.inert().iter().map(|m| m.name()).collect::<Vec<_>>(),
        "deals_via": {
            format!("offer:{}", sides.first().copied().unwrap_or("?")): a.deals_via[0],
            format!("offer:{}", sides.get(1).copied().unwrap_or("?")): a.deals_via[1],
            "mediator": a.deals_via[2],
        },
        "collapse_causes": CollapseCause::ALL
            .iter()
            .map(|c| (c.name().to_string(), json!(a.collapse_causes[c.index()])))
            .collect::<serde_json::Map<_, _>>(),
        "conceded_by_round": a.conceded.iter().enumerate().map(|(r, c)| json!({
            "round": r + 1, "neither": c[0], "side0_only": c[1], "side1_only": c[2], "both": c[3],
        })).collect::<Vec<_>>(),
    })
}

/// Rows of the knob tornado shown in the table (all of them are in the JSON).
const KNOB_ROWS: usize = 25;

/// Points with a sign, for effects.
fn points(x: f64) -> String {
    format!("{:+.1}", 100.0 * x)
}

/// A value of a knob's range, short.
fn value(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The knob tornado for people: the largest effects first, then the strongest actor input and
/// process knob, and a warning when process knobs dominate.
pub fn knobs_table(
    s: &Scenario,
    effects: &[KnobEffect],
    skipped: &[(String, String)],
    runs: u64,
) -> String {
    let mut o = format!(
        "\nKnobs, one at a time over their ranges ({} knobs, {runs} paired runs at each end; \
         effects in points, ± the 95% interval)\n",
        effects.len()
    );
    o += &format!(
        "  {:>3}  {:<46} {:<8} {:>17}  {:>15}  {:>15}\n",
        "#", "knob", "kind", "range", "deals", "strikes"
    );
    for (i, e) in effects.iter().take(KNOB_ROWS).enumerate() {
        let k = &e.knob;
        o += &format!(
            "  {:>3}  {:<46} {:<8} {:>17}  {:>15}  {:>15}\n",
            i + 1,
            k.path,
            k.kind.name(),
            format!("{} – {}", value(k.low), value(k.high)),
            format!(
                "{} ±{:.1}",
                points(e.deal.effect()),
                100.0 * e.deal.half_width()
            ),
            format!(
                "{} ±{:.1}",
                points(e.strike.effect()),
                100.0 * e.strike.half_width()
            ),
        );
    }
    if effects.len() > KNOB_ROWS {
        o += &format!(
            "  … {} more (every knob is in --format json)\n",
            effects.len() - KNOB_ROWS
        );
    }
    let strongest = |kind: KnobKind| {
        effects
            .iter()
            .position(|e| e.knob.kind == kind)
            .map(|i| (i + 1, &effects[i]))
    };
    for (kind, what) in [
        (KnobKind::Actor, "actor input"),
        (KnobKind::Process, "process knob"),
    ] {
        if let Some((rank, e)) = strongest(kind) {
            o += &format!(
                "Strongest {what}: {} (#{rank}, {} points)\n",
                e.knob.path,
                points(if e.deal.effect().abs() >= e.strike.effect().abs() {
                    e.deal.effect()
                } else {
                    e.strike.effect()
                })
            );
        }
    }
    o += if knobs::process_dominates(effects) {
        "Warning: process knobs dominate the actors' inputs: the outcome is set more by how the \
         model is tuned than by what the scenario says about the actors.\n"
    } else {
        "The actors' inputs are among the strongest effects.\n"
    };
    let issues = issue_ids(s);
    let still: Vec<&str> = effects
        .iter()
        .filter(|e| e.moved(&issues).is_none())
        .map(|e| e.knob.path.as_str())
        .collect();
    if !still.is_empty() {
        o += &format!(
            "{} knobs move no output (shares, rounds, answers to strikes, deal terms) beyond its \
             95% interval: {}\n",
            still.len(),
            still.join(", ")
        );
    }
    for (path, why) in skipped {
        o += &format!("Not moved: {path}: {why}\n");
    }
    o
}

fn issue_ids(s: &Scenario) -> Vec<String> {
    s.issues.iter().map(|i| i.id.clone()).collect()
}

/// The knob tornado for scripts.
pub fn knobs_json(
    s: &Scenario,
    effects: &[KnobEffect],
    skipped: &[(String, String)],
    runs: u64,
) -> Value {
    let paired = |p: &crate::study::knobs::Paired| json!({"effect": p.effect(), "half_width": p.half_width(), "low": p.low, "high": p.high});
    let mean = |m: &crate::study::knobs::PairedMean| json!({"effect": m.effect(), "half_width": m.half_width(), "pairs": m.runs});
    let issues = issue_ids(s);
    json!({
        "runs_per_end": runs,
        "process_dominates": knobs::process_dominates(effects),
        "ranked": effects.iter().map(|e| json!({
            "path": e.knob.path, "kind": e.knob.kind.name(), "value": e.knob.value,
            "low": e.knob.low, "high": e.knob.high,
            "deal": paired(&e.deal), "strike": paired(&e.strike),
            "collapse": paired(&e.collapse), "talks_continue": paired(&e.talks_continue),
            "retaliated": paired(&e.retaliated), "military_answer": paired(&e.military_answer),
            "rounds": mean(&e.rounds),
            "terms": issues.iter().zip(&e.terms).map(|(i, t)| (i.clone(), mean(t))).collect::<serde_json::Map<_, _>>(),
            "moved": e.moved(&issues),
        })).collect::<Vec<_>>(),
        "skipped": skipped.iter().map(|(p, w)| json!({"path": p, "why": w})).collect::<Vec<_>>(),
    })
}

fn end_words(s: &Scenario, e: NoDealEnd) -> String {
    match e {
        NoDealEnd::Collapse(c) => format!("collapse ({})", CollapseCause::ALL[c].name()),
        NoDealEnd::Strike(a) => format!("strike by {}", s.actors[a].name),
        NoDealEnd::Horizon => "talks still going at the horizon".into(),
    }
}

/// `detente why`: how the runs without a deal end, what refused the proposals of their last
/// round, and how far apart the offers still are on each issue.
pub fn why_table(s: &Scenario, a: &Activity, seed: u64) -> String {
    let w = &a.no_deal;
    let share = |n: u64| 100.0 * n as f64 / w.runs.max(1) as f64;
    let mut o = format!(
        "{} — why runs end without a deal, {} runs (seed {seed})\n\n{} of {} runs ({:.1}%) end \
         without a deal.\n",
        s.name,
        a.runs,
        w.runs,
        a.runs,
        100.0 * w.runs as f64 / a.runs.max(1) as f64
    );
    if w.runs == 0 {
        return o;
    }
    o += "\nHow they end (share of the runs without a deal)\n";
    let mut ends: Vec<(NoDealEnd, u64)> = w.ends.iter().map(|(e, n)| (*e, *n)).collect();
    ends.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    for (e, n) in ends {
        o += &format!("  {:<48} {:>6.1}%\n", end_words(s, e), share(n));
    }
    o += "\nWhat refused a proposal in their last round (share of the runs without a deal; a run\n\
          can count under several reasons)\n";
    let mut blockers: Vec<(&(usize, Blocker), &u64)> = w.blockers.iter().collect();
    blockers.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
    for ((k, b), n) in blockers {
        o += &format!(
            "  {:<14} {:<66} {:>6.1}%\n",
            s.sides[*k].name,
            crate::report::story::refusal(s, b, None),
            share(*n)
        );
    }
    let (y0, y1) = (w.mean_offer(0), w.mean_offer(1));
    o += &format!(
        "\nWhere the offers still differ (means of the last offers, 0–100)\n  {:<16} {:>14} {:>14} {:>7}\n",
        "issue", s.sides[0].id, s.sides[1].id, "gap"
    );
    let mut rows: Vec<(usize, f64)> = (0..s.issues.len())
        .map(|d| {
            (
                d,
                (y0.get(d).copied().unwrap_or(0.0) - y1.get(d).copied().unwrap_or(0.0)).abs(),
            )
        })
        .collect();
    rows.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    for (d, gap) in rows {
        o += &format!(
            "  {:<16} {:>14.1} {:>14.1} {:>7.1}\n",
            s.issues[d].id,
            y0.get(d).copied().unwrap_or(0.0),
            y1.get(d).copied().unwrap_or(0.0),
            gap
        );
    }
    o
}

/// `detente why --format json`.
pub fn why_json(s: &Scenario, a: &Activity, seed: u64) -> Value {
    let w = &a.no_deal;
    let share = |n: u64| n as f64 / w.runs.max(1) as f64;
    let (y0, y1) = (w.mean_offer(0), w.mean_offer(1));
    json!({
        "scenario": s.name,
        "runs": a.runs,
        "seed": seed,
        "no_deal_runs": w.runs,
        "ends": w.ends.iter().map(|(e, n)| json!({
            "end": match e {
                NoDealEnd::Collapse(c) => format!("collapse:{}", CollapseCause::ALL[*c].name()),
                NoDealEnd::Strike(x) => format!("strike:{}", s.actors[*x].id),
                NoDealEnd::Horizon => "talks_continue".into(),
            },
            "runs": n, "share": share(*n),
        })).collect::<Vec<_>>(),
        "blockers": w.blockers.iter().map(|((k, b), n)| json!({
            "side": s.sides[*k].id,
            "reason": match b {
                Blocker::Quota => json!({"quota": true}),
                Blocker::Veto(v) => json!({"veto": s.actors[*v].id}),
                Blocker::RedLine { actor, issue } => json!({"red_line": {"actor": s.actors[*actor].id, "issue": s.issues[*issue].id}}),
            },
            "runs": n, "share": share(*n),
        })).collect::<Vec<_>>(),
        "last_offers": s.issues.iter().enumerate().map(|(d, i)| json!({
            "issue": i.id,
            s.sides[0].id.clone(): y0.get(d),
            s.sides[1].id.clone(): y1.get(d),
        })).collect::<Vec<_>>(),
    })
}
