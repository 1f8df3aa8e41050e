//! Named statistics over the runs of an ensemble: one registry that says which statistics a
//! scenario has, what each is called, how it is computed from an ensemble's exact
//! [`Aggregate`], and how two variants of a [`Comparison`] differ in it.
//!
//! Nothing here names an outcome, an issue, a side or a parameter of a particular scenario: the
//! statistics are made from the scenario (its issues and sides) and from the outcome classes of
//! [`crate::outcome`], so they follow whatever the model produces.
//!
//! Names (stable, one scheme for every output that uses this registry):
//!
//! | statistic | name | value |
//! |---|---|---|
//! | share of an outcome class | `share:<class>` (`share:deal`, `share:strike`, `share:strike:<actor>`) | share of runs, 95% Wilson interval |
//! | mean deal terms on an issue | `terms:<issue>:mean` | mean over the runs that ended in a deal, 95% normal interval |
//! | a quantile of deal terms | `terms:<issue>:p10`, `:p50`, `:p90` | at 0.1-point resolution |
//! | rounds to outcome | `rounds:mean` | mean round the runs ended in, 95% normal interval |
//! | round of the deal | `deal_round:mean` | mean over the runs that ended in a deal |
//! | collapses by cause | `collapse:<cause>` | share of runs that collapsed for this cause, Wilson interval |
//!
//! Per-round series ([`Series`]) are named as in `series.csv`: `threat`, `gap`,
//! `strike_probability_max`, `trust:<side>`, `consistency:<side>`, `deal_estimate:<side>`,
//! `mandate:<side>:<issue>`, and `going` (the share of runs still going in a round).
//!
//! Guarantees: [`Statistic::parse`] reads back every name [`Statistic::name`] writes for the same
//! scenario; an undefined value (a mean without deals) is `None`, never NaN.

use crate::model::formulas::wilson_interval;
use crate::outcome::{CollapseCause, OutcomeClass, OutcomeKind};
use crate::scenario::Scenario;
use crate::study::batch::{Aggregate, ExactSum, RoundSums};
use crate::study::compare::{Comparison, Difference, Z95};

/// The quantiles of deal terms the registry offers, in percent.
pub const TERM_QUANTILES: [u8; 3] = [10, 50, 90];

/// One statistic over the runs of an ensemble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// The share of runs in an outcome class.
    Share(OutcomeClass),
    /// Mean deal terms on the issue of this index (runs that ended in a deal).
    TermsMean(usize),
    /// A quantile (in percent) of deal terms on the issue of this index.
    TermsQuantile(usize, u8),
    /// Mean round the runs ended in (the horizon for talks still going).
    RoundsMean,
    /// Mean round of the deal, over the runs that ended in one.
    DealRoundMean,
    /// Share of runs that collapsed for this cause.
    CollapseCause(CollapseCause),
}

/// A statistic's value and, where it has one, its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The value (`None` when it is undefined, e.g. mean terms without deals).
    pub value: Option<f64>,
    /// Lower and upper end of the 95% interval, when the statistic has one and it is defined.
    pub interval: Option<(f64, f64)>,
}

impl Estimate {
    fn of(value: f64, interval: Option<(f64, f64)>) -> Self {
        if value.is_finite() {
            Estimate {
                value: Some(value),
                interval: interval.filter(|(lo, hi)| lo.is_finite() && hi.is_finite()),
            }
        } else {
            Estimate {
                value: None,
                interval: None,
            }
        }
    }
}

/// Mean and sample variance of a histogram whose bin `i` stands for the value `i * scale`.
fn hist_moments(hist: &[u64], scale: f64) -> (f64, f64, u64) {
    let n: u64 = hist.iter().sum();
    if n == 0 {
        return (f64::NAN, f64::NAN, 0);
    }
    let nf = n as f64;
    let mean = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * scale * c as f64)
        .sum::<f64>()
        / nf;
    let var = if n < 2 {
        f64::NAN
    } else {
        hist.iter()
            .enumerate()
            .map(|(i, &c)| (i as f64 * scale - mean).powi(2) * c as f64)
            .sum::<f64>()
            / (nf - 1.0)
    };
    (mean, var, n)
}

/// A mean with its 95% normal interval from the sample variance over `n` values.
fn mean_estimate(mean: f64, var: f64, n: u64) -> Estimate {
    let margin = Z95 * (var / n as f64).sqrt();
    Estimate::of(mean, Some((mean - margin, mean + margin)))
}

fn share_estimate(k: u64, n: u64) -> Estimate {
    if n == 0 {
        return Estimate::of(f64::NAN, None);
    }
    let (lo, hi) = wilson_interval(k, n, Z95);
    Estimate::of(k as f64 / n as f64, Some((lo, hi)))
}

impl Statistic {
    /// The statistics of scenario `s` worth showing for these ensembles of it (or of its
    /// variants, matched to it by actor id): every common outcome share, a strike by each actor
    /// of `s` that struck in one of them, deal terms (mean and quantiles) per issue, rounds, and
    /// each collapse cause that occurred.
    pub fn registry(s: &Scenario, aggs: &[(&Scenario, &Aggregate)]) -> Vec<Statistic> {
        let mut out: Vec<Statistic> = OutcomeClass::COMMON
            .iter()
            .map(|&c| Statistic::Share(c))
            .collect();
        for (i, a) in s.actors.iter().enumerate() {
            let struck = aggs.iter().any(|(vs, agg)| {
                vs.actor_index(&a.id)
                    .is_some_and(|j| agg.count(OutcomeKind::Strike(j)) > 0)
            });
            if struck {
                out.push(Statistic::Share(OutcomeClass::Kind(OutcomeKind::Strike(i))));
            }
        }
        for d in 0..s.issues.len() {
            out.push(Statistic::TermsMean(d));
            out.extend(
                TERM_QUANTILES
                    .iter()
                    .map(|&q| Statistic::TermsQuantile(d, q)),
            );
        }
        out.push(Statistic::RoundsMean);
        out.push(Statistic::DealRoundMean);
        for c in CollapseCause::ALL {
            if aggs
                .iter()
                .any(|(_, agg)| agg.collapse_causes[c.index()] > 0)
            {
                out.push(Statistic::CollapseCause(c));
            }
        }
        out
    }

    /// Its name in the scheme of the module documentation (`share:deal`, `terms:<issue>:mean`).
    pub fn name(&self, s: &Scenario) -> String {
        let issue = |d: usize| s.issues.get(d).map_or("?", |i| i.id.as_str());
        match *self {
            Statistic::Share(c) => format!("share:{}", c.name(s)),
            Statistic::TermsMean(d) => format!("terms:{}:mean", issue(d)),
            Statistic::TermsQuantile(d, q) => format!("terms:{}:p{q}", issue(d)),
            Statistic::RoundsMean => "rounds:mean".into(),
            Statistic::DealRoundMean => "deal_round:mean".into(),
            Statistic::CollapseCause(c) => format!("collapse:{}", c.name()),
        }
    }

    /// Reads a name written by [`Statistic::name`] for `s`; `None` for a name it does not know.
    pub fn parse(name: &str, s: &Scenario) -> Option<Statistic> {
        if let Some(class) = name.strip_prefix("share:") {
            return OutcomeClass::parse(class, s).map(Statistic::Share);
        }
        if let Some(rest) = name.strip_prefix("terms:") {
            let (issue, what) = rest.rsplit_once(':')?;
            let d = s.issues.iter().position(|i| i.id == issue)?;
            if what == "mean" {
                return Some(Statistic::TermsMean(d));
            }
            let q: u8 = what.strip_prefix('p')?.parse().ok()?;
            return TERM_QUANTILES
                .contains(&q)
                .then_some(Statistic::TermsQuantile(d, q));
        }
        if let Some(cause) = name.strip_prefix("collapse:") {
            return CollapseCause::ALL
                .into_iter()
                .find(|c| c.name() == cause)
                .map(Statistic::CollapseCause);
        }
        match name {
            "rounds:mean" => Some(Statistic::RoundsMean),
            "deal_round:mean" => Some(Statistic::DealRoundMean),
            _ => None,
        }
    }

    /// A label for people (`deal`, `mean terms: enrichment`), with actors by display name.
    pub fn label(&self, s: &Scenario) -> String {
        let issue = |d: usize| s.issues.get(d).map_or("?", |i| i.id.as_str());
        match *self {
            Statistic::Share(OutcomeClass::Kind(OutcomeKind::Strike(by))) => format!(
                "strike by {}",
                s.actors.get(by).map_or("?", |a| a.name.as_str())
            ),
            Statistic::Share(OutcomeClass::Kind(OutcomeKind::TalksContinue)) => {
                "talks still going".into()
            }
            Statistic::Share(OutcomeClass::AnyStrike) => "strike (anyone)".into(),
            Statistic::Share(c) => c.name(s),
            Statistic::TermsMean(d) => format!("mean terms: {}", issue(d)),
            Statistic::TermsQuantile(d, q) => format!("p{q} terms: {}", issue(d)),
            Statistic::RoundsMean => "rounds to outcome (mean)".into(),
            Statistic::DealRoundMean => "round of the deal (mean)".into(),
            Statistic::CollapseCause(c) => format!("collapse by {}", c.name()),
        }
    }

    /// What its values are measured in.
    pub fn unit(&self) -> &'static str {
        match self {
            Statistic::Share(_) | Statistic::CollapseCause(_) => "share of runs",
            Statistic::TermsMean(_) | Statistic::TermsQuantile(..) => "position (0–100)",
            Statistic::RoundsMean | Statistic::DealRoundMean => "rounds",
        }
    }

    /// Its value over the runs of `agg`, with a 95% interval where it has one.
    pub fn estimate(&self, agg: &Aggregate) -> Estimate {
        match *self {
            Statistic::Share(c) => share_estimate(agg.count_class(c), agg.runs),
            Statistic::TermsMean(d) => {
                if d >= agg.terms.len() || agg.deals == 0 {
                    return Estimate::of(f64::NAN, None);
                }
                mean_estimate(agg.terms_mean(d), agg.terms_variance(d), agg.deals)
            }
            Statistic::TermsQuantile(d, q) => {
                if d >= agg.terms.len() {
                    return Estimate::of(f64::NAN, None);
                }
                Estimate::of(agg.terms_quantile(d, f64::from(q) / 100.0), None)
            }
            Statistic::RoundsMean => {
                let (mean, var, n) = hist_moments(&agg.rounds, 1.0);
                mean_estimate(mean, var, n)
            }
            Statistic::DealRoundMean => {
                let (mean, var, n) = hist_moments(&agg.deal_rounds, 1.0);
                mean_estimate(mean, var, n)
            }
            Statistic::CollapseCause(c) => share_estimate(agg.collapse_causes[c.index()], agg.runs),
        }
    }

    /// How variant `v` of `c` differs from its base in this statistic, with a 95% interval:
    /// paired over runs (common random numbers) for shares and rounds, Welch's interval for mean
    /// deal terms (means over different sets of runs). `None` for statistics without a
    /// difference interval (quantiles, collapse causes, the round of the deal), and for a base
    /// statistic `c` does not track.
    pub fn difference(&self, c: &Comparison, v: usize) -> Option<Difference> {
        if v == 0 || v >= c.variants.len() {
            return None;
        }
        match *self {
            Statistic::Share(class) => c
                .classes
                .contains(&class)
                .then(|| c.share_difference(v, class)),
            Statistic::TermsMean(d) => {
                let t = c.terms_difference(v, d);
                t.diff.is_finite().then_some(t)
            }
            Statistic::RoundsMean => Some(c.rounds_difference(v)),
            _ => None,
        }
    }
}

/// What a per-round series measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeriesOf {
    /// Share of the runs still going in the round.
    Going,
    /// Latent threat.
    Threat,
    /// Mean gap between the offers.
    Gap,
    /// Highest strike probability of any actor.
    StrikeProbabilityMax,
    /// Trust of the side of this index in the other.
    Trust(usize),
    /// Consistency of the side's messaging.
    Consistency(usize),
    /// The side's own estimate of a deal.
    DealEstimate(usize),
    /// The side's mandate on the issue: (side, issue).
    Mandate(usize, usize),
}

/// One per-round series of a scenario, named as in `series.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Its name (`threat`, `trust:<side>`, `mandate:<side>:<issue>`, `going`).
    pub name: String,
    /// A label for people.
    pub label: String,
    /// What it measures.
    pub of: SeriesOf,
}

impl Series {
    /// Every per-round series of `s`: the share of runs going, threat, gap, the highest strike
    /// probability, then per side its trust, consistency and estimate of a deal, then per side
    /// and issue its mandate.
    pub fn all(s: &Scenario) -> Vec<Series> {
        let mut out = vec![
            Series {
                name: "going".into(),
                label: "share of runs still going".into(),
                of: SeriesOf::Going,
            },
            Series {
                name: "threat".into(),
                label: "latent threat".into(),
                of: SeriesOf::Threat,
            },
            Series {
                name: "gap".into(),
                label: "gap between the offers (points)".into(),
                of: SeriesOf::Gap,
            },
            Series {
                name: "strike_probability_max".into(),
                label: "highest strike probability".into(),
                of: SeriesOf::StrikeProbabilityMax,
            },
        ];
        for (k, side) in s.sides.iter().enumerate() {
            let other = s
                .sides
                .iter()
                .enumerate()
                .find(|(j, _)| *j != k)
                .map_or("the other side", |(_, o)| o.name.as_str());
            out.push(Series {
                name: format!("trust:{}", side.id),
                label: format!("trust of {} in {other}", side.name),
                of: SeriesOf::Trust(k),
            });
            out.push(Series {
                name: format!("consistency:{}", side.id),
                label: format!("consistency of {}", side.name),
                of: SeriesOf::Consistency(k),
            });
            out.push(Series {
                name: format!("deal_estimate:{}", side.id),
                label: format!("{}'s own estimate of a deal", side.name),
                of: SeriesOf::DealEstimate(k),
            });
        }
        for (k, side) in s.sides.iter().enumerate() {
            for (d, issue) in s.issues.iter().enumerate() {
                out.push(Series {
                    name: format!("mandate:{}:{}", side.id, issue.id),
                    label: format!("mandate of {} on {}", side.name, issue.id),
                    of: SeriesOf::Mandate(k, d),
                });
            }
        }
        out
    }

    /// The series' value in each round of `agg`: the mean over the runs still going in it
    /// (`going`: their share of all runs); `None` for a round no run reached.
    pub fn values(&self, agg: &Aggregate) -> Vec<Option<f64>> {
        agg.per_round
            .iter()
            .map(|r| {
                if r.runs == 0 {
                    return None;
                }
                if self.of == SeriesOf::Going {
                    return Some(r.runs as f64 / agg.runs.max(1) as f64);
                }
                sum_of(r, self.of).map(|x| x.value() / r.runs as f64)
            })
            .collect()
    }
}

fn sum_of(r: &RoundSums, of: SeriesOf) -> Option<&ExactSum> {
    match of {
        SeriesOf::Going => None,
        SeriesOf::Threat => Some(&r.threat),
        SeriesOf::Gap => Some(&r.gap),
        SeriesOf::StrikeProbabilityMax => Some(&r.strike_probability),
        SeriesOf::Trust(k) => r.trust.get(k),
        SeriesOf::Consistency(k) => r.consistency.get(k),
        SeriesOf::DealEstimate(k) => r.deal_estimate.get(k),
        SeriesOf::Mandate(k, d) => r.mandate.get(k).and_then(|m| m.get(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::batch::ExactSum;

    fn minimal() -> Scenario {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.ron");
        crate::scenario::load(&path, &[])
            .expect("the minimal scenario loads")
            .scenario
    }

    /// Ten hand-made runs of the minimal scenario (one issue, two rounds): deals at terms 20,
    /// 40, 40 and 60 (rounds 1, 2, 2, 2), three collapses (two by breakdown, one by stalemate,
    /// all in round 1), three strikes by actor 0 in round 2.
    fn hand_made(s: &Scenario) -> Aggregate {
        let mut a = Aggregate::new(s);
        a.runs = 10;
        a.deals = 4;
        a.collapses = 3;
        a.strikes[0] = 3;
        a.collapse_causes = [2, 1, 0];
        for (t, r) in [(20.0, 1), (40.0, 2), (40.0, 2), (60.0, 2)] {
            a.terms[0][(t * 10.0) as usize] += 1;
            a.terms_sum[0].add(t);
            a.terms_sq[0].add(t * t);
            a.deal_rounds[r] += 1;
        }
        // Round ended in: the 4 deals (1, 2, 2, 2), 3 collapses in round 1, 3 strikes in round 2.
        a.rounds[1] = 4;
        a.rounds[2] = 6;
        // Round 1: all 10 runs, threat 0.3 each; round 2: 6 runs, threat 0.5 each.
        a.per_round[0].runs = 10;
        a.per_round[1].runs = 6;
        for _ in 0..10 {
            a.per_round[0].threat.add(0.3);
        }
        for _ in 0..6 {
            a.per_round[1].threat.add(0.5);
        }
        a.per_round[1].trust[1] = {
            let mut t = ExactSum::default();
            t.add(6.0 * 0.25);
            t
        };
        a
    }

    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() < 1e-9
    }

    #[test]
    fn every_statistic_equals_its_hand_computed_value() {
        let s = minimal();
        let a = hand_made(&s);
        let v = |st: Statistic| st.estimate(&a).value.expect("defined");
        assert!(close(
            v(Statistic::Share(OutcomeClass::Kind(OutcomeKind::Deal))),
            0.4
        ));
        assert!(close(v(Statistic::Share(OutcomeClass::AnyStrike)), 0.3));
        assert!(close(
            v(Statistic::Share(OutcomeClass::Kind(
                OutcomeKind::TalksContinue
            ))),
            0.0
        ));
        assert!(close(v(Statistic::TermsMean(0)), 40.0));
        assert!(close(v(Statistic::TermsQuantile(0, 10)), 20.0));
        assert!(close(v(Statistic::TermsQuantile(0, 50)), 40.0));
        assert!(close(v(Statistic::TermsQuantile(0, 90)), 60.0));
        assert!(close(v(Statistic::RoundsMean), 1.6));
        assert!(close(v(Statistic::DealRoundMean), 1.75));
        assert!(close(
            v(Statistic::CollapseCause(CollapseCause::Breakdown)),
            0.2
        ));
        // Mean terms: sd of (20, 40, 40, 60) is sqrt(800/3); margin z·sd/2.
        let (lo, hi) = Statistic::TermsMean(0)
            .estimate(&a)
            .interval
            .expect("interval");
        let margin = Z95 * (800.0f64 / 3.0).sqrt() / 2.0;
        assert!(close(lo, 40.0 - margin) && close(hi, 40.0 + margin));
        // Rounds: 4 × 1 and 6 × 2, variance (4·0.36 + 6·0.16)/9.
        let (lo, _) = Statistic::RoundsMean
            .estimate(&a)
            .interval
            .expect("interval");
        assert!(close(lo, 1.6 - Z95 * ((2.4f64 / 9.0) / 10.0).sqrt()));
        // Shares carry the Wilson interval.
        let (lo, hi) = Statistic::Share(OutcomeClass::Kind(OutcomeKind::Deal))
            .estimate(&a)
            .interval
            .expect("interval");
        assert_eq!((lo, hi), wilson_interval(4, 10, Z95));
    }

    #[test]
    fn series_are_means_over_the_runs_still_going() {
        let s = minimal();
        let a = hand_made(&s);
        let all = Series::all(&s);
        let get = |name: &str| {
            all.iter()
                .find(|x| x.name == name)
                .unwrap_or_else(|| panic!("series {name}"))
                .values(&a)
        };
        let threat = get("threat");
        assert!(close(threat[0].unwrap(), 0.3) && close(threat[1].unwrap(), 0.5));
        let going = get("going");
        assert!(close(going[0].unwrap(), 1.0) && close(going[1].unwrap(), 0.6));
        let trust = get("trust:south");
        assert!(close(trust[1].unwrap(), 0.25));
        assert!(all.iter().any(|x| x.name == "mandate:north:tariff"));
        assert!(all.iter().any(|x| x.name == "strike_probability_max"));
    }

    #[test]
    fn undefined_values_are_none_and_names_read_back() {
        let s = minimal();
        let empty = Aggregate::new(&s);
        assert_eq!(Statistic::TermsMean(0).estimate(&empty).value, None);
        assert_eq!(Statistic::RoundsMean.estimate(&empty).value, None);
        assert_eq!(
            Statistic::Share(OutcomeClass::AnyStrike)
                .estimate(&empty)
                .value,
            None
        );
        let a = hand_made(&s);
        let all = Statistic::registry(&s, &[(&s, &a)]);
        assert!(
            all.contains(&Statistic::Share(OutcomeClass::Kind(OutcomeKind::Strike(
                0
            ))))
        );
        assert!(
            !all.contains(&Statistic::Share(OutcomeClass::Kind(OutcomeKind::Strike(
                1
            ))))
        );
        assert!(all.contains(&Statistic::CollapseCause(CollapseCause::Stalemate)));
        assert!(!all.contains(&Statistic::CollapseCause(CollapseCause::WalkOut)));
        for st in all {
            let name = st.name(&s);
            assert_eq!(Statistic::parse(&name, &s), Some(st), "{name}");
        }
        for bad in [
            "",
            "share:",
            "share:peace",
            "terms:tariff:p11",
            "terms:x:mean",
            "rounds",
        ] {
            assert_eq!(Statistic::parse(bad, &s), None, "{bad}");
        }
    }
}
