//! `detente diagnose --knobs`: a one-at-a-time tornado of every input of a scenario over its
//! range, under common random numbers (docs/model.md, "Diagnose").
//!
//! Each knob is a numeric value of the scenario (`Scenario::values`): a global parameter of the
//! model (a *process* knob, over its documented sweep range) or something the scenario says
//! about its actors, sides and issues (an *actor* input, over a range around its value, below).
//! For each knob the scenario is run at the low and at the high end of the range, run `i` of
//! both ends sharing its random numbers, and the effect is the difference of the deal and strike
//! shares, with a 95% interval from the paired runs. Knobs are ranked by their largest effect.
//! A model whose outcome is set by process knobs rather than by the actors is one whose levers
//! do not belong to the actors: the report warns when process knobs dominate.

use serde::Serialize;

use crate::outcome::{Outcome, OutcomeKind, Response};
use crate::scenario::params::PARAM_SPECS;
use crate::scenario::{Override, Prepared, Scenario};
use crate::sim::Sim;

/// What a knob belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KnobKind {
    /// A global parameter of the model (`params.*`).
    Process,
    /// What the scenario says about an actor, a side or an issue.
    Actor,
}

impl KnobKind {
    /// Its name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            KnobKind::Process => "process",
            KnobKind::Actor => "actor",
        }
    }
}

/// One input moved from `low` to `high`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Knob {
    /// Its path, as in `--set`.
    pub path: String,
    /// Process knob or actor input.
    pub kind: KnobKind,
    /// Its value in the scenario.
    pub value: f64,
    /// The low end of its range.
    pub low: f64,
    /// The high end of its range.
    pub high: f64,
}

/// The range of an actor, side or issue input around its value `v`, within the values the
/// scenario format accepts; `None` for inputs that are not varied (event rounds and positions,
/// the reference engines' capability).
fn input_range(path: &str, v: f64) -> Option<(f64, f64)> {
    let field = |name: &str| path.ends_with(name) || path.contains(&format!(".{name}."));
    let around = |w: f64, lo: f64, hi: f64| ((v - w).max(lo), (v + w).min(hi));
    if path.starts_with("events.") {
        return None;
    }
    let position =
        field("ideal") || field("outcome") || field("red_lines") || path.ends_with(".status_quo");
    Some(if position {
        around(25.0, 0.0, 100.0)
    } else if path.ends_with(".risk") {
        around(0.5, -1.0, 1.0)
    } else if path.ends_with(".discount") {
        ((v - 0.03).max(0.0), (v + 0.02).min(0.999))
    } else if path.ends_with(".leader_weight") {
        (0.5 * v, (2.0 * v).min(100.0))
    } else if field("salience") {
        around(0.3, 0.0, 1.0)
    } else {
        // Shares, probabilities and utility amounts on 0–1.
        around(0.2, 0.0, 1.0)
    })
}

/// Every knob of `s`, in the order of [`Scenario::values`]; a knob whose range is a point is
/// left out.
pub fn knobs(s: &Scenario) -> Vec<Knob> {
    s.values()
        .into_iter()
        .filter_map(|(path, value)| {
            let (kind, (low, high)) = match path.strip_prefix("params.") {
                Some(name) => (
                    KnobKind::Process,
                    PARAM_SPECS.iter().find(|p| p.name == name)?.sweep,
                ),
                None => (KnobKind::Actor, input_range(&path, value)?),
            };
            (high > low).then_some(Knob {
                path,
                kind,
                value,
                low,
                high,
            })
        })
        .collect()
}

/// One outcome over paired runs at the two ends of a knob's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Paired {
    /// Pairs of runs.
    pub runs: u64,
    /// Runs with the outcome at the low end.
    pub low: u64,
    /// Runs with the outcome at the high end.
    pub high: u64,
    /// Pairs in which exactly one end has it.
    pub discordant: u64,
}

impl Paired {
    fn add(&mut self, low: bool, high: bool) {
        self.runs += 1;
        self.low += u64::from(low);
        self.high += u64::from(high);
        self.discordant += u64::from(low != high);
    }

    /// The change of the share from the low to the high end.
    pub fn effect(&self) -> f64 {
        if self.runs == 0 {
            return 0.0;
        }
        (self.high as f64 - self.low as f64) / self.runs as f64
    }

    /// Half the width of the 95% interval of [`Paired::effect`]: the normal interval of the mean
    /// of the paired differences (each −1, 0 or 1), whose variance is
    /// discordant/n − effect².
    pub fn half_width(&self) -> f64 {
        if self.runs < 2 {
            return f64::INFINITY;
        }
        let n = self.runs as f64;
        let var = (self.discordant as f64 / n - self.effect().powi(2)).max(0.0);
        1.96 * (var / (n - 1.0)).sqrt()
    }
}

/// A number measured on paired runs at the two ends of a knob's range (rounds to the outcome,
/// a deal term where both ends reach a deal).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PairedMean {
    /// Pairs measured.
    pub runs: u64,
    sum: f64,
    sum_sq: f64,
}

impl PairedMean {
    fn add(&mut self, low: f64, high: f64) {
        let d = high - low;
        self.runs += 1;
        self.sum += d;
        self.sum_sq += d * d;
    }

    /// The mean change from the low to the high end.
    pub fn effect(&self) -> f64 {
        if self.runs == 0 {
            0.0
        } else {
            self.sum / self.runs as f64
        }
    }

    /// Whether every pair gave the same number at both ends.
    pub fn identical(&self) -> bool {
        self.sum_sq == 0.0
    }

    /// Half the width of the 95% normal interval of [`PairedMean::effect`].
    pub fn half_width(&self) -> f64 {
        if self.runs < 2 {
            return f64::INFINITY;
        }
        let n = self.runs as f64;
        let var = ((self.sum_sq - self.sum * self.sum / n) / (n - 1.0)).max(0.0);
        1.96 * (var / n).sqrt()
    }
}

/// A knob and what moving it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnobEffect {
    /// The knob.
    pub knob: Knob,
    /// Deals.
    pub deal: Paired,
    /// Strikes by anyone.
    pub strike: Paired,
    /// Collapses.
    pub collapse: Paired,
    /// Talks still going at the horizon.
    pub talks_continue: Paired,
    /// Strikes the target answered militarily.
    pub retaliated: Paired,
    /// Strikes a protector answered militarily.
    pub military_answer: Paired,
    /// Rounds to the outcome (the horizon for talks still going).
    pub rounds: PairedMean,
    /// Each deal term, over the pairs in which both ends reached a deal (issue order).
    pub terms: Vec<PairedMean>,
}

impl KnobEffect {
    /// Whether no pair of runs differs in any output: the knob changed nothing at all.
    pub fn identical(&self) -> bool {
        [
            self.deal,
            self.strike,
            self.collapse,
            self.talks_continue,
            self.retaliated,
            self.military_answer,
        ]
        .iter()
        .all(|p| p.discordant == 0)
            && self.rounds.identical()
            && self.terms.iter().all(PairedMean::identical)
    }

    /// The first output, in the order deals, strikes, collapses, talks going, rounds, military
    /// answers of target and protector, deal terms, that moved beyond its 95% interval: the
    /// evidence that the knob is not dead (docs/model.md, "Diagnose"). `None` if nothing did.
    pub fn moved(&self, issues: &[String]) -> Option<String> {
        let beyond = |effect: f64, half_width: f64| effect.abs() > half_width;
        let shares = [
            ("deal", self.deal),
            ("strike", self.strike),
            ("collapse", self.collapse),
            ("talks_continue", self.talks_continue),
        ];
        if let Some((name, _)) = shares
            .iter()
            .find(|(_, p)| beyond(p.effect(), p.half_width()))
        {
            return Some(name.to_string());
        }
        if beyond(self.rounds.effect(), self.rounds.half_width()) {
            return Some("rounds".into());
        }
        for (name, p) in [
            ("retaliated", self.retaliated),
            ("military_answer", self.military_answer),
        ] {
            if beyond(p.effect(), p.half_width()) {
                return Some(name.into());
            }
        }
        self.terms
            .iter()
            .zip(issues)
            .find(|(t, _)| beyond(t.effect(), t.half_width()))
            .map(|(_, issue)| format!("terms.{issue}"))
    }

    /// Its size: the larger of the two effects, in absolute value.
    pub fn size(&self) -> f64 {
        self.deal.effect().abs().max(self.strike.effect().abs())
    }

    /// Whether some effect is beyond its 95% interval.
    pub fn significant(&self) -> bool {
        [self.deal, self.strike]
            .iter()
            .any(|p| p.effect().abs() > p.half_width())
    }
}

/// Runs the two ends of `knob` (`runs` runs each, master seed `seed`, on the scenario `base`
/// prepared with the overrides `set`). `Err` says why an end does not validate.
pub fn measure(
    base: &Prepared,
    set: &[Override],
    knob: &Knob,
    runs: u64,
    seed: u64,
) -> Result<KnobEffect, String> {
    let end = |v: f64| -> Result<(Sim, usize, usize), String> {
        let mut overrides = set.to_vec();
        overrides.push(format!("{}={v}", knob.path).parse::<Override>()?);
        let s = base.load(&overrides).map_err(|e| e.to_string())?.scenario;
        let (horizon, issues) = (s.rounds.len(), s.issues.len());
        Ok((Sim::new(std::sync::Arc::new(s)), horizon, issues))
    };
    let ((mut low, horizon, issues), (mut high, _, _)) = (end(knob.low)?, end(knob.high)?);
    let mut effect = KnobEffect {
        knob: knob.clone(),
        deal: Paired::default(),
        strike: Paired::default(),
        collapse: Paired::default(),
        talks_continue: Paired::default(),
        retaliated: Paired::default(),
        military_answer: Paired::default(),
        rounds: PairedMean::default(),
        terms: vec![PairedMean::default(); issues],
    };
    let (mut terms_low, mut terms_high) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let a = Summary::of(low.run(seed, run).outcome, horizon, &mut terms_low);
        let b = Summary::of(high.run(seed, run).outcome, horizon, &mut terms_high);
        effect
            .deal
            .add(a.kind == OutcomeKind::Deal, b.kind == OutcomeKind::Deal);
        let struck = |k: OutcomeKind| matches!(k, OutcomeKind::Strike(_));
        effect.strike.add(struck(a.kind), struck(b.kind));
        let collapsed = |k: OutcomeKind| k == OutcomeKind::Collapse;
        effect.collapse.add(collapsed(a.kind), collapsed(b.kind));
        let going = |k: OutcomeKind| k == OutcomeKind::TalksContinue;
        effect.talks_continue.add(going(a.kind), going(b.kind));
        effect.retaliated.add(a.retaliated, b.retaliated);
        effect.military_answer.add(a.military, b.military);
        effect.rounds.add(a.rounds, b.rounds);
        if a.kind == OutcomeKind::Deal && b.kind == OutcomeKind::Deal {
            for ((t, lo), hi) in effect.terms.iter_mut().zip(&terms_low).zip(&terms_high) {
                t.add(*lo, *hi);
            }
        }
    }
    Ok(effect)
}

/// What [`measure`] compares of one run.
struct Summary {
    kind: OutcomeKind,
    rounds: f64,
    retaliated: bool,
    military: bool,
}

impl Summary {
    /// The summary of `o`; a deal's terms are copied into `terms`.
    fn of(o: &Outcome, horizon: usize, terms: &mut Vec<f64>) -> Summary {
        if let Outcome::Deal { terms: t, .. } = o {
            terms.clone_from(t);
        }
        let (retaliated, military) = match o {
            Outcome::Strike {
                retaliation,
                responses,
                ..
            } => (
                *retaliation,
                responses.iter().any(|(_, r)| *r == Response::Military),
            ),
            _ => (false, false),
        };
        Summary {
            kind: OutcomeKind::of(o),
            rounds: o.round().unwrap_or(horizon) as f64,
            retaliated,
            military,
        }
    }
}

/// The effects in tornado order: largest first, ties by path.
pub fn rank(effects: &mut [KnobEffect]) {
    effects.sort_by(|a, b| {
        b.size()
            .total_cmp(&a.size())
            .then_with(|| a.knob.path.cmp(&b.knob.path))
    });
}

/// Whether process knobs dominate a ranked tornado: more of them than actor inputs among the
/// ten largest significant effects, or the largest process effect more than twice the largest
/// actor effect.
pub fn process_dominates(ranked: &[KnobEffect]) -> bool {
    let top: Vec<&KnobEffect> = ranked.iter().filter(|e| e.significant()).take(10).collect();
    let count = |k: KnobKind| top.iter().filter(|e| e.knob.kind == k).count();
    let largest = |k: KnobKind| {
        ranked
            .iter()
            .filter(|e| e.knob.kind == k)
            .map(KnobEffect::size)
            .fold(0.0, f64::max)
    };
    count(KnobKind::Process) > count(KnobKind::Actor)
        || largest(KnobKind::Process) > 2.0 * largest(KnobKind::Actor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_effects_and_their_intervals() {
        let mut p = Paired::default();
        // 10 pairs: 3 only high, 1 only low, 6 alike.
        for (lo, hi) in [(false, true); 3]
            .into_iter()
            .chain([(true, false)])
            .chain([(true, true); 2])
            .chain([(false, false); 4])
        {
            p.add(lo, hi);
        }
        assert_eq!((p.runs, p.low, p.high, p.discordant), (10, 3, 5, 4));
        assert!((p.effect() - 0.2).abs() < 1e-15);
        // Differences: three 1s, one −1, six 0s: variance (4/10 − 0.04)·10/9 = 0.4.
        assert!((p.half_width() - 1.96 * (0.4f64 / 10.0).sqrt()).abs() < 1e-12);
        assert_eq!(Paired::default().effect(), 0.0);
    }

    #[test]
    fn ranges_stay_within_what_the_format_accepts() {
        assert_eq!(input_range("actors.a.ideal.x", 90.0), Some((65.0, 100.0)));
        assert_eq!(input_range("actors.a.salience.x", 0.1), Some((0.0, 0.4)));
        let (lo, hi) = input_range("actors.a.risk", -0.8).unwrap();
        assert!(lo == -1.0 && (hi + 0.3).abs() < 1e-12);
        assert_eq!(
            input_range("actors.a.red_lines.at_least.x", 40.0),
            Some((15.0, 65.0))
        );
        assert_eq!(input_range("events.e.round", 3.0), None);
        let (lo, hi) = input_range("actors.a.discount", 0.99).unwrap();
        assert!((lo - 0.96).abs() < 1e-12 && hi == 0.999);
    }
}
