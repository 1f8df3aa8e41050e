//! The story of one run in plain language, and its trace as JSON Lines (`detente story`).

use std::io::{self, Write};

use crate::outcome::{Blocker, DealVia, Outcome, RoundRecord};
use crate::scenario::Override;
use crate::scenario::types::Scenario;

/// A point as `issue value` pairs, values rounded to whole points.
fn points(s: &Scenario, y: &[f64]) -> String {
    s.issues
        .iter()
        .zip(y)
        .map(|(i, v)| format!("{} {:.0}", i.id, v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// When a round takes place: its date and week (`2025-04-19, week 1`), or its week alone for an
/// undated scenario.
pub fn when(round: &crate::scenario::types::Round) -> String {
    let week = if round.week.fract() == 0.0 {
        format!("week {}", round.week)
    } else {
        format!("week {:.1}", round.week)
    };
    match round.date {
        Some(d) => format!("{d}, {week}"),
        None => week,
    }
}

/// Why a side's win-set refused a proposal, in words: its quota, a veto player, or a red line
/// with the limit the proposal `y` crosses (every declared limit of that line without `y`).
pub fn refusal(s: &Scenario, b: &Blocker, y: Option<&[f64]>) -> String {
    match b {
        Blocker::Quota => "too few of its factions prefer it to no deal".to_string(),
        Blocker::Veto(v) => format!("{} vetoes it", s.actors[*v].name),
        Blocker::RedLine { actor, issue } => {
            let line = s.actors[*actor].red_lines[*issue];
            let least = format!("at least {:.0}", line.at_least);
            let most = format!("at most {:.0}", line.at_most);
            let limits = match y {
                Some(y) if y[*issue] < line.at_least => least,
                Some(_) => most,
                None => {
                    let declared = [
                        (line.at_least > 0.0).then_some(least),
                        (line.at_most < 100.0).then_some(most),
                    ];
                    declared
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            format!(
                "the red line of {} on {} ({limits})",
                s.actors[*actor].name, s.issues[*issue].id
            )
        }
    }
}

/// The story of one run in plain language.
/// `run` is the run's index under the master seed `seed` (the `run` and `seed` columns of a
/// results table), so any run of an ensemble can be told again.
pub fn story(
    s: &Scenario,
    seed: u64,
    run: u64,
    trace: &[RoundRecord],
    outcome: &Outcome,
) -> String {
    let side = |k: usize| s.sides[k].name.as_str();
    let mut o = format!("{} — run {run}, seed {seed}\n", s.name);
    let mut prev: Option<&RoundRecord> = None;
    for rec in trace {
        let round = &s.rounds[rec.round - 1];
        o += &format!("\n{} — {} — {}\n", round.label, round.venue, when(round));
        for id in &rec.events {
            if let Some(e) = s.events.iter().find(|e| &e.id == id) {
                let note = if e.note.is_empty() {
                    id.as_str()
                } else {
                    e.note.as_str()
                };
                match e.date {
                    Some(d) => o += &format!("  · {d}: {note}\n"),
                    None => o += &format!("  · {note}\n"),
                }
            }
        }
        for k in 0..s.sides.len() {
            let leader = &s.actors[s.sides[k].leader].name;
            match prev {
                None => {
                    o += &format!(
                        "  {} ({} deciding) opens at {}.\n",
                        side(k),
                        leader,
                        points(s, &rec.offers[k])
                    )
                }
                Some(p) => {
                    let moves: Vec<String> = s
                        .issues
                        .iter()
                        .enumerate()
                        .filter(|(d, _)| (rec.offers[k][*d] - p.offers[k][*d]).abs() >= 0.5)
                        .map(|(d, i)| {
                            format!("{} {:.0}→{:.0}", i.id, p.offers[k][d], rec.offers[k][d])
                        })
                        .collect();
                    if moves.is_empty() {
                        o += &format!(
                            "  {} holds its offer (Zeuthen risk {:.2}; {} as it believes, {:.2}).\n",
                            side(k),
                            rec.zeuthen_risk[k],
                            possessive(side(1 - k)),
                            rec.believed_risk[k]
                        );
                    } else {
                        let how = if rec.conceded[k] {
                            "concedes"
                        } else {
                            "moves back toward its mandate"
                        };
                        let edge = if rec.at_boundary[k] {
                            ", as far as its members will ratify"
                        } else if rec.at_red_line[k] {
                            ", up to its leader's red line"
                        } else {
                            ""
                        };
                        o += &format!(
                            "  {} {how}: {}{edge} (Zeuthen risk {:.2}; {} as it believes, {:.2}).\n",
                            side(k),
                            moves.join(", "),
                            rec.zeuthen_risk[k],
                            possessive(side(1 - k)),
                            rec.believed_risk[k]
                        );
                    }
                }
            }
        }
        for k in 0..rec.audience_cost.len() {
            if rec.audience_cost[k] > 0.0 {
                o += &format!(
                    "  {} public commitments would cost its leader {:.3} a week for taking the offer of {}.\n",
                    possessive(side(k)),
                    rec.audience_cost[k],
                    side(1 - k)
                );
            }
        }
        if let Some(y) = &rec.proposal {
            o += &format!("  The mediator proposes {}.\n", points(s, y));
        }
        // Why a side refused proposal `y`.
        let why = |b: &Blocker, y: &[f64]| match b {
            Blocker::RedLine { .. } => format!("it crosses {}", refusal(s, b, Some(y))),
            _ => refusal(s, b, Some(y)),
        };
        for k in 0..rec.blocked.len() {
            if let Some(b) = &rec.blocked[k] {
                o += &format!(
                    "  {} could not ratify the offer of {}: {}.\n",
                    side(k),
                    side(1 - k),
                    why(b, &rec.offers[1 - k])
                );
            }
            if let Some(b) = &rec.mediator_blocked[k] {
                o += &format!(
                    "  {} could not ratify the mediator's proposal: {}.\n",
                    side(k),
                    why(b, rec.proposal.as_deref().unwrap_or(&rec.offers[1 - k]))
                );
            }
        }
        o += &format!(
            "  Chances of accepting: {} {:.0}%, {} {:.0}%. Own estimate of a deal: {} {:.0}%, {} {:.0}%.\n",
            side(0),
            100.0 * rec.acceptance[0],
            side(1),
            100.0 * rec.acceptance[1],
            side(0),
            100.0 * rec.deal_estimate[0],
            side(1),
            100.0 * rec.deal_estimate[1]
        );
        let trust_move = |k: usize| {
            prev.map_or(String::new(), |p| {
                format!(" ({:+.2})", rec.trust[k] - p.trust[k])
            })
        };
        o += &format!(
            "  Messaging consistency {} {:.2}, {} {:.2}; trust {}→{} {:.2}{}, {}→{} {:.2}{}. Gap {:.1} points, threat {:.2}.\n",
            side(0),
            rec.consistency[0],
            side(1),
            rec.consistency[1],
            side(0),
            side(1),
            rec.trust[0],
            trust_move(0),
            side(1),
            side(0),
            rec.trust[1],
            trust_move(1),
            rec.gap,
            rec.threat
        );
        for (a, p) in rec.strike_probability.iter().enumerate() {
            if *p > 0.005 {
                o += &format!(
                    "  {} weighs a strike: {:.0}% this round.\n",
                    s.actors[a].name,
                    100.0 * p
                );
            }
        }
        if rec.stalled_rounds > 0 {
            o += &format!(
                "  The talks have stalled for {} round(s).\n",
                rec.stalled_rounds
            );
        }
        prev = Some(rec);
    }
    o += "\nOutcome: ";
    o += &match outcome {
        Outcome::Deal {
            terms,
            round,
            durability,
            via,
        } => format!(
            "a deal in round {round} ({}, {}), on {}: {}. Chance it survives a full term: {:.0}%.\n",
            s.rounds[round - 1].venue,
            when(&s.rounds[round - 1]),
            match via {
                DealVia::Offer(k) => format!("the offer of {}", s.sides[*k].name),
                DealVia::Mediator => "the mediator's proposal".to_string(),
            },
            points(s, terms),
            100.0 * durability
        ),
        Outcome::TalksContinue => format!(
            "talks still going after {} rounds ({}), no deal yet.\n",
            s.rounds.len(),
            s.rounds.last().map(when).unwrap_or_default()
        ),
        Outcome::Collapse { cause, round } => {
            format!(
                "the talks collapse in round {round} ({}; {cause:?}).\n",
                when(&s.rounds[round - 1])
            )
        }
        Outcome::Strike {
            by,
            patron_approval,
            round,
            responses,
            retaliation,
        } => {
            let mut t = format!(
                "{} strikes in round {round} ({})",
                s.actors[*by].name,
                when(&s.rounds[round - 1])
            );
            if *patron_approval < 1.0 {
                t += &format!(
                    " with its patron's approval at {:.0}%",
                    100.0 * patron_approval
                );
            }
            for (p, r) in responses {
                t += &format!("; {} answers {}", s.actors[*p].name, r.name());
            }
            t += if *retaliation {
                "; the target retaliates.\n"
            } else {
                "; the target does not retaliate.\n"
            };
            t
        }
    };
    o
}

/// The story with the overrides it was told under, as a line after the title
/// (`  with --set a=1 --set b=2`); the story unchanged without overrides.
pub fn with_overrides(story: String, overrides: &[Override]) -> String {
    if overrides.is_empty() {
        return story;
    }
    let echo: Vec<String> = overrides.iter().map(|o| format!("--set {o}")).collect();
    story.replacen('\n', &format!("\n  with {}\n", echo.join(" ")), 1)
}

/// Writes the trace of a run of the negotiation model as JSON Lines: one round per line, then
/// `{"outcome": ...}`.
pub fn write_trace(w: &mut impl Write, trace: &[RoundRecord], outcome: &Outcome) -> io::Result<()> {
    for rec in trace {
        serde_json::to_writer(&mut *w, rec)?;
        w.write_all(b"\n")?;
    }
    serde_json::to_writer(&mut *w, &serde_json::json!({ "outcome": outcome }))?;
    w.write_all(b"\n")
}

/// A reference engine's trace as JSON Lines, one round (or state) per line.
pub fn engine_trace(trace: &crate::engines::Trace) -> serde_json::Result<String> {
    let lines: Vec<String> = match trace {
        crate::engines::Trace::ExpectedUtility(rounds) => rounds
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?,
        crate::engines::Trace::SpatialModel(states) => states
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?,
    };
    Ok(lines.join("\n") + "\n")
}

/// "X's", for a name in a sentence.
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}
