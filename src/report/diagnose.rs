//! What `detente diagnose` prints: each mechanism's activity with the inert ones flagged, deals
//! by whose text, collapses by cause and who conceded in each round (table or JSON).

use serde_json::{Value, json};

use crate::outcome::CollapseCause;
use crate::scenario::Scenario;
use crate::study::diagnose::{Activity, Mechanism};
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
