//! `detente diagnose`: how often each mechanism of the model is active in an ensemble
//! (docs/model.md, "Diagnose"). A mechanism that never binds on a scenario cannot move its
//! results, so the counts here say which levers of a scenario are live.
//!
//! Counting is pure: [`Activity::add`] reads one run's trace and outcome; parts of an ensemble
//! merge by adding integer counts, so the result does not depend on threads or chunks.

use std::collections::BTreeMap;

use crate::outcome::{Blocker, DealVia, Outcome, OutcomeKind, RoundRecord};
use crate::scenario::Scenario;

/// One mechanism's activity: how many times it was active out of how many chances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    /// Times it was active.
    pub active: u64,
    /// Times it could have been.
    pub of: u64,
}

impl Count {
    fn add(&mut self, active: bool) {
        self.of += 1;
        self.active += u64::from(active);
    }

    fn merge(&mut self, o: Count) {
        self.active += o.active;
        self.of += o.of;
    }

    /// The active share (0 with no chances).
    pub fn share(self) -> f64 {
        if self.of == 0 {
            0.0
        } else {
            self.active as f64 / self.of as f64
        }
    }
}

/// The chance of striking in a round from which a strike counts as a real risk for
/// [`Mechanism::StrikeLikely`].
pub const STRIKE_LIKELY: f64 = 0.01;

/// The mechanisms counted, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mechanism {
    /// A side's win-set refuses the other side's offer (side-rounds).
    WinSetRefusesOffer,
    /// A veto player blocks an offer or the mediator's proposal, because it values it below no
    /// deal or because it crosses the veto player's red line (runs).
    VetoBlocks,
    /// A concession stops at the boundary of the conceding side's win-set (side-rounds after
    /// the first).
    ConcessionAtWinSetBoundary,
    /// A red line blocks an offer or the mediator's proposal, or stops a concession (runs).
    RedLineBinds,
    /// A public commitment puts an audience cost on taking the other side's offer
    /// (side-rounds after the first).
    CommitmentCost,
    /// The mediator tables a proposal (rounds).
    MediatorProposes,
    /// The deal is the mediator's text (deals).
    MediatorTextIsTheDeal,
    /// A side's trust in the other falls (side-rounds).
    TrustFalls,
    /// Neither side concedes (rounds after the first).
    BothHold,
    /// The run's sequence of who conceded differs from the commonest sequence (runs).
    ConcessionOrderVaries,
    /// Some actor's chance of striking this round is at least [`STRIKE_LIKELY`] (rounds): strikes
    /// are weighed every round, so what can be inert is whether the chance is ever a real risk.
    StrikeLikely,
    /// The talks collapse (runs).
    Collapse,
}

impl Mechanism {
    /// Every mechanism, in report order.
    pub const ALL: [Mechanism; 12] = [
        Mechanism::WinSetRefusesOffer,
        Mechanism::VetoBlocks,
        Mechanism::ConcessionAtWinSetBoundary,
        Mechanism::RedLineBinds,
        Mechanism::CommitmentCost,
        Mechanism::MediatorProposes,
        Mechanism::MediatorTextIsTheDeal,
        Mechanism::TrustFalls,
        Mechanism::BothHold,
        Mechanism::ConcessionOrderVaries,
        Mechanism::StrikeLikely,
        Mechanism::Collapse,
    ];

    /// Its name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::WinSetRefusesOffer => "win_set_refuses_offer",
            Mechanism::VetoBlocks => "veto_blocks_proposal",
            Mechanism::ConcessionAtWinSetBoundary => "concession_at_win_set_boundary",
            Mechanism::RedLineBinds => "red_line_binds",
            Mechanism::CommitmentCost => "commitment_cost_paid",
            Mechanism::MediatorProposes => "mediator_proposes",
            Mechanism::MediatorTextIsTheDeal => "mediator_text_is_the_deal",
            Mechanism::TrustFalls => "trust_falls",
            Mechanism::BothHold => "both_sides_hold",
            Mechanism::ConcessionOrderVaries => "concession_order_varies",
            Mechanism::StrikeLikely => "strike_likely",
            Mechanism::Collapse => "collapse",
        }
    }

    /// What is counted, for people.
    pub fn what(self) -> &'static str {
        match self {
            Mechanism::WinSetRefusesOffer => "a side's win-set refuses the other's offer",
            Mechanism::VetoBlocks => "a veto blocks an offer or the mediator's text",
            Mechanism::ConcessionAtWinSetBoundary => "a concession stops at the win-set boundary",
            Mechanism::RedLineBinds => "a red line blocks a proposal or a concession",
            Mechanism::CommitmentCost => "a commitment's audience cost weighs on a side",
            Mechanism::MediatorProposes => "the mediator tables a proposal",
            Mechanism::MediatorTextIsTheDeal => "the deal is the mediator's text",
            Mechanism::TrustFalls => "a side's trust in the other falls",
            Mechanism::BothHold => "neither side concedes",
            Mechanism::ConcessionOrderVaries => "who conceded differs from the commonest order",
            Mechanism::StrikeLikely => "a strike's chance this round is 1% or more",
            Mechanism::Collapse => "the talks collapse",
        }
    }

    /// What one chance is.
    pub fn unit(self) -> &'static str {
        match self {
            Mechanism::WinSetRefusesOffer | Mechanism::TrustFalls => "side-rounds",
            Mechanism::ConcessionAtWinSetBoundary | Mechanism::CommitmentCost => {
                "side-rounds after the first"
            }
            Mechanism::MediatorProposes | Mechanism::StrikeLikely => "rounds",
            Mechanism::BothHold => "rounds after the first",
            Mechanism::MediatorTextIsTheDeal => "deals",
            Mechanism::VetoBlocks
            | Mechanism::RedLineBinds
            | Mechanism::ConcessionOrderVaries
            | Mechanism::Collapse => "runs",
        }
    }

    /// Below this share the mechanism is flagged inert: it is too rare to move results.
    pub fn inert_below(self) -> f64 {
        match self {
            Mechanism::WinSetRefusesOffer => 0.05,
            Mechanism::VetoBlocks | Mechanism::RedLineBinds => 0.02,
            Mechanism::MediatorTextIsTheDeal | Mechanism::TrustFalls => 0.10,
            _ => 0.01,
        }
    }
}

/// Who conceded in a round: index 0 neither, 1 side 0 only, 2 side 1 only, 3 both.
fn concession_code(rec: &RoundRecord) -> u8 {
    u8::from(rec.conceded.first() == Some(&true)) + 2 * u8::from(rec.conceded.get(1) == Some(&true))
}

/// The activity of an ensemble (or part of one).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    /// Runs counted.
    pub runs: u64,
    counts: BTreeMap<Mechanism, Count>,
    /// Deals by whose text: side 0's offer, side 1's offer, the mediator's.
    pub deals_via: [u64; 3],
    /// Collapses by cause, in the order of [`CollapseCause::ALL`].
    pub collapse_causes: [u64; 3],
    /// Per round (index 0 is round 1): runs still going, by who conceded (neither, side 0
    /// only, side 1 only, both).
    pub conceded: Vec<[u64; 4]>,
    /// Runs by their sequence of who conceded (codes of rounds 2 on).
    orders: BTreeMap<Vec<u8>, u64>,
    /// Why the runs without a deal ended as they did (`detente why`).
    pub no_deal: NoDeal,
}

/// How a run without a deal ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoDealEnd {
    /// The talks collapsed, by the cause of that index in `CollapseCause::ALL`.
    Collapse(usize),
    /// The actor of that index struck.
    Strike(usize),
    /// The talks were still going at the horizon.
    Horizon,
}

/// What the runs without a deal have in common (docs/model.md, "Diagnose", why): how they
/// ended, what refused the proposals of their last round, and how far apart the offers still
/// were. Everything is an integer count (gaps in millionths of a point), so merged parts give
/// the same totals on any thread count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoDeal {
    /// Runs without a deal.
    pub runs: u64,
    /// Those runs by how they ended.
    pub ends: BTreeMap<NoDealEnd, u64>,
    /// Runs in whose last round side `k` refused a proposal for this reason, keyed by (side,
    /// reason); a run counts once per side and reason.
    pub blockers: BTreeMap<(usize, Blocker), u64>,
    /// Per issue, the sum over those runs of each side's last offer (millionths of a point).
    pub offers: [Vec<u64>; 2],
}

/// Millionths of a point, for exact sums.
const MICRO: f64 = 1e6;

impl NoDeal {
    fn add(&mut self, trace: &[RoundRecord], outcome: &Outcome) {
        let end = match outcome {
            Outcome::Deal { .. } => return,
            Outcome::Collapse { cause, .. } => NoDealEnd::Collapse(cause.index()),
            Outcome::Strike { by, .. } => NoDealEnd::Strike(*by),
            Outcome::TalksContinue => NoDealEnd::Horizon,
        };
        self.runs += 1;
        *self.ends.entry(end).or_insert(0) += 1;
        let Some(last) = trace.last() else { return };
        for k in 0..last.blocked.len().min(2) {
            let mut seen: Vec<Blocker> = Vec::new();
            for b in last.blocked[k].iter().chain(&last.mediator_blocked[k]) {
                if !seen.contains(b) {
                    seen.push(*b);
                    *self.blockers.entry((k, *b)).or_insert(0) += 1;
                }
            }
        }
        for (k, sums) in self.offers.iter_mut().enumerate() {
            let Some(y) = last.offers.get(k) else {
                continue;
            };
            if sums.len() < y.len() {
                sums.resize(y.len(), 0);
            }
            for (s, v) in sums.iter_mut().zip(y) {
                *s += (v.clamp(0.0, 100.0) * MICRO).round() as u64;
            }
        }
    }

    fn merge(&mut self, o: NoDeal) {
        self.runs += o.runs;
        for (e, n) in o.ends {
            *self.ends.entry(e).or_insert(0) += n;
        }
        for (b, n) in o.blockers {
            *self.blockers.entry(b).or_insert(0) += n;
        }
        for (mine, theirs) in self.offers.iter_mut().zip(o.offers) {
            if mine.len() < theirs.len() {
                mine.resize(theirs.len(), 0);
            }
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }

    /// Side `k`'s mean last offer on each issue over the runs without a deal.
    pub fn mean_offer(&self, k: usize) -> Vec<f64> {
        let n = self.runs.max(1) as f64;
        self.offers[k]
            .iter()
            .map(|&s| s as f64 / MICRO / n)
            .collect()
    }
}

impl Activity {
    /// Counts one run of scenario `s`.
    pub fn add(&mut self, s: &Scenario, trace: &[RoundRecord], outcome: &Outcome) {
        self.runs += 1;
        let mut trust: Vec<f64> = s
            .sides
            .iter()
            .map(|k| s.actors[k.leader].trust.initial)
            .collect();
        let (mut vetoed, mut red_line) = (false, false);
        let mut order = Vec::with_capacity(trace.len());
        for rec in trace {
            let r = rec.round;
            for (k, t) in trust.iter_mut().enumerate() {
                self.count(Mechanism::WinSetRefusesOffer, rec.blocked[k].is_some());
                self.count(Mechanism::TrustFalls, rec.trust[k] < *t);
                *t = rec.trust[k];
                if r > 1 {
                    self.count(Mechanism::ConcessionAtWinSetBoundary, rec.at_boundary[k]);
                    self.count(Mechanism::CommitmentCost, rec.audience_cost[k] > 0.0);
                }
                for b in rec.blocked[k].iter().chain(&rec.mediator_blocked[k]) {
                    match *b {
                        Blocker::Veto(_) => vetoed = true,
                        Blocker::RedLine { actor, .. } => {
                            red_line = true;
                            // A veto player's red line is its veto, stated in advance.
                            vetoed |= s.sides[k].veto.contains(&actor);
                        }
                        Blocker::Quota => {}
                    }
                }
                red_line |= rec.at_red_line[k];
            }
            self.count(Mechanism::MediatorProposes, rec.proposal.is_some());
            self.count(
                Mechanism::StrikeLikely,
                rec.strike_probability.iter().any(|&p| p >= STRIKE_LIKELY),
            );
            let code = concession_code(rec);
            if r > 1 {
                self.count(Mechanism::BothHold, code == 0);
                order.push(code);
            }
            if self.conceded.len() < r {
                self.conceded.resize(r, [0; 4]);
            }
            self.conceded[r - 1][usize::from(code)] += 1;
        }
        self.count(Mechanism::VetoBlocks, vetoed);
        self.count(Mechanism::RedLineBinds, red_line);
        *self.orders.entry(order).or_insert(0) += 1;
        self.count(
            Mechanism::Collapse,
            OutcomeKind::of(outcome) == OutcomeKind::Collapse,
        );
        self.no_deal.add(trace, outcome);
        match outcome {
            Outcome::Deal { via, .. } => {
                let i = match via {
                    DealVia::Offer(k) => (*k).min(1),
                    DealVia::Mediator => 2,
                };
                self.deals_via[i] += 1;
                self.count(Mechanism::MediatorTextIsTheDeal, i == 2);
            }
            Outcome::Collapse { cause, .. } => self.collapse_causes[cause.index()] += 1,
            _ => {}
        }
    }

    fn count(&mut self, m: Mechanism, active: bool) {
        self.counts.entry(m).or_default().add(active);
    }

    /// Adds another part's counts.
    pub fn merge(&mut self, o: Activity) {
        self.runs += o.runs;
        for (m, c) in o.counts {
            self.counts.entry(m).or_default().merge(c);
        }
        for (a, b) in self.deals_via.iter_mut().zip(o.deals_via) {
            *a += b;
        }
        for (a, b) in self.collapse_causes.iter_mut().zip(o.collapse_causes) {
            *a += b;
        }
        if self.conceded.len() < o.conceded.len() {
            self.conceded.resize(o.conceded.len(), [0; 4]);
        }
        for (a, b) in self.conceded.iter_mut().zip(o.conceded) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (order, n) in o.orders {
            *self.orders.entry(order).or_insert(0) += n;
        }
        self.no_deal.merge(o.no_deal);
    }

    /// The activity of mechanism `m`. Concession order: runs off the commonest sequence.
    pub fn count_of(&self, m: Mechanism) -> Count {
        if m == Mechanism::ConcessionOrderVaries {
            // The commonest order; ties go to the smallest sequence (BTreeMap order).
            let modal = self.orders.values().copied().max().unwrap_or(0);
            return Count {
                active: self.runs - modal,
                of: self.runs,
            };
        }
        self.counts.get(&m).copied().unwrap_or_default()
    }

    /// The mechanisms whose share is below their inert threshold.
    pub fn inert(&self) -> Vec<Mechanism> {
        Mechanism::ALL
            .into_iter()
            .filter(|&m| self.count_of(m).share() < m.inert_below())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_merging_add_up() {
        let mut a = Count::default();
        a.add(true);
        a.add(false);
        let mut b = Count::default();
        b.add(true);
        a.merge(b);
        assert_eq!((a.active, a.of), (2, 3));
        assert!((a.share() - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(Count::default().share(), 0.0);
    }

    #[test]
    fn the_commonest_order_is_not_counted_as_varying() {
        let mut x = Activity::default();
        for (order, n) in [(vec![1u8, 2], 5u64), (vec![2, 2], 3), (vec![0], 1)] {
            x.orders.insert(order, n);
            x.runs += n;
        }
        let c = x.count_of(Mechanism::ConcessionOrderVaries);
        assert_eq!((c.active, c.of), (4, 9));
    }
}
