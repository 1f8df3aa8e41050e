//! The reference engines from the command line: `story` on a scenario whose `engine` is
//! `ExpectedUtility` or `SpatialModel` prints their rounds.

use crate::engines::{bdm, smp};
use crate::scenario::Scenario;
use crate::scenario::types::Engine;

/// The story of a reference-engine scenario: its rounds, as the engine's papers tabulate them.
/// `None` for the negotiation model.
pub fn story(s: &Scenario) -> Option<String> {
    match &s.engine {
        Engine::Negotiation => None,
        Engine::ExpectedUtility { options, rounds } => Some(bdm_story(s, options, *rounds)),
        Engine::SpatialModel(settings) => Some(smp_story(s, settings)),
    }
}

/// Refuses the commands that need the negotiation model.
pub fn require_negotiation(s: &Scenario, command: &str) -> Result<(), super::CliError> {
    match s.engine {
        Engine::Negotiation => Ok(()),
        ref e => Err(super::CliError::Usage(format!(
            "`{}` uses the {} engine, which is deterministic: `detente story` prints its rounds \
             (`{command}` runs the negotiation model)",
            s.name,
            e.name()
        ))),
    }
}

/// The capability × salience weighted mean of the actors' positions on issue `d`: the baseline
/// every engine reports beside its forecast.
fn weighted_mean(s: &Scenario, positions: &[f64], d: usize) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (a, x) in s.actors.iter().zip(positions) {
        let w = a.capability * a.salience.get(d).copied().unwrap_or(0.0);
        num += w * x;
        den += w;
    }
    if den > 0.0 { num / den } else { f64::NAN }
}

fn bdm_story(s: &Scenario, options: &bdm::Options, rounds: usize) -> String {
    let actors: Vec<bdm::Actor> = s
        .actors
        .iter()
        .map(|a| bdm::Actor {
            name: a.name.clone(),
            capability: a.capability,
            position: a.ideal[0],
            salience: a.salience[0],
        })
        .collect();
    let trace = bdm::simulate(&actors, options, rounds);
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
    o += &format!(
        "\nForecast (median after round {}): {:.6}; capability × salience weighted mean: {:.6}\n",
        trace.len() - 1,
        last.median,
        weighted_mean(s, &trace[0].positions, 0)
    );
    o
}

fn smp_story(s: &Scenario, settings: &smp::Settings) -> String {
    let actors: Vec<smp::SmpActor> = s
        .actors
        .iter()
        .map(|a| smp::SmpActor {
            name: a.name.clone(),
            power: a.capability,
            position: a.ideal.clone(),
            // The scenario's saliences are 0–1; KTAB reads them on 0–100.
            salience: a.salience.iter().map(|x| 100.0 * x).collect(),
        })
        .collect();
    let states = smp::run(&actors, settings);
    let mut o = format!(
        "{} — KTAB Spatial Model of Politics, {} states\n",
        s.name,
        states.len()
    );
    for (t, st) in states.iter().enumerate() {
        o += &format!("\nstate {t}");
        if let Some(c) = st.frac_change {
            o += &format!(" (fractional change {c:.4})");
        }
        o += "\n";
        for (a, actor) in s.actors.iter().enumerate() {
            let pos: Vec<String> = st.positions[a].iter().map(|x| format!("{x:6.2}")).collect();
            o += &format!(
                "  {:<12} ({})  P(win) {:.4}  risk {:+.3}\n",
                actor.id,
                pos.join(", "),
                st.win_prob[a],
                st.risk_attitudes.get(a).copied().unwrap_or(f64::NAN)
            );
        }
    }
    let last = states.last().expect("state 0 at least");
    let means: Vec<String> = (0..s.issues.len())
        .map(|d| {
            let x0: Vec<f64> = last.positions.iter().map(|p| p[d]).collect();
            format!("{}: {:.2}", s.issues[d].id, weighted_mean(s, &x0, d))
        })
        .collect();
    o += &format!(
        "\ncapability × salience weighted mean of the final positions: {}\n",
        means.join(", ")
    );
    o
}
