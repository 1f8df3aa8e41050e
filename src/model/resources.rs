//! Resources: the run-wide state of the simulation and what never changes during a run.

use std::sync::Arc;

use bevy_ecs::prelude::*;

use super::formulas;
use super::rng;
use crate::outcome::{Blocker, Outcome, RoundRecord};
use crate::scenario::types::{Capability, Params, RedLine, Role, Scenario};

/// One military option in the scenario, resolved for the model.
#[derive(Debug, Clone, PartialEq)]
pub struct StrikeOption {
    /// Actor index of who holds it.
    pub actor: usize,
    /// The striker's own side when it is a side's leader (`None` for a third party).
    pub own_side: Option<usize>,
    /// Side index of the target.
    pub target: usize,
    /// Side index of the patron whose approval is sought, if any.
    pub patron: Option<usize>,
    /// Success with full approval (or on its own, for a side).
    pub success: f64,
    /// Success without approval.
    pub success_alone: f64,
    /// Restraint threshold θ.
    pub restraint: f64,
    /// Positions after a successful strike (status quo elsewhere).
    pub point: Vec<f64>,
    /// The key of its draws: its owner's and target's ids (docs/model.md, "Randomness").
    pub key: u64,
}

/// The scenario and everything derived from it once per ensemble (immutable during runs).
#[derive(Resource, Debug, Clone)]
pub struct Model {
    /// The validated scenario.
    pub scenario: Arc<Scenario>,
    /// Normalised salience per actor (empty for a mediator without preferences).
    pub sal_norm: Vec<Vec<f64>>,
    /// Risk exponent γ = 2^(−ρ) per actor.
    pub gamma: Vec<f64>,
    /// Members of each side: the leader first, then the factions.
    pub members: Vec<Vec<usize>>,
    /// Influence weight added to each actor by lobbying third parties.
    pub lobby: Vec<f64>,
    /// Each side's normalised salience (members' saliences weighted by initial influence), used
    /// to choose on which issues it concedes.
    pub side_salience: Vec<Vec<f64>>,
    /// The status quo point.
    pub status_quo: Vec<f64>,
    /// The military options.
    pub strikes: Vec<StrikeOption>,
    /// Protectors: (actor, client side, initial commitment, response probability, military share).
    pub protectors: Vec<(usize, usize, f64, f64, f64)>,
    /// Mediators: (actor, clarity).
    pub mediators: Vec<(usize, f64)>,
    /// Each actor's utility of the status quo (0 for actors without preferences).
    pub u_status_quo: Vec<f64>,
    /// Each side member's utility of the military path of its side: the mean of its utilities
    /// of the successful outcomes of every option that targets the side or that it owns or
    /// patronises (its utility of the status quo if none; 0 for actors off the sides). The mean
    /// is summed in sorted order, so it does not depend on how the options are listed.
    pub u_strike_point: Vec<f64>,
    /// Per military option, each actor's utility of its successful outcome.
    pub u_option: Vec<Vec<f64>>,
    /// The key of each actor's draws, from its id (see [`rng::id_key`]).
    pub actor_key: Vec<u64>,
    /// The key of each side's draws, from its id.
    pub side_key: Vec<u64>,
    /// The key of each issue's draws, from its id.
    pub issue_key: Vec<u64>,
    /// Per issue, the band inside every red line that blocks outright (those of the leaders
    /// and veto players of both sides, all declared in public): where the mediator keeps its
    /// text. `None` when the band is empty on some issue (no text can respect them all).
    pub text_band: Option<Vec<RedLine>>,
    /// The public commitments the scheduled statements make, in file order (docs/model.md §4,
    /// audience costs): a statement fires in its round, so each is in force from then on.
    pub pledges: Vec<Pledge>,
}

/// A public commitment of a side to a stated position (a `Statement` with `commit`).
#[derive(Debug, Clone, PartialEq)]
pub struct Pledge {
    /// The committed side (the speaker's).
    pub side: usize,
    /// The round it is made in.
    pub round: usize,
    /// Its strength (0–1).
    pub strength: f64,
    /// The committed position per issue (`None`: not addressed).
    pub position: Vec<Option<f64>>,
}

impl Model {
    /// Derives the model's static data from a validated scenario.
    pub fn new(scenario: Arc<Scenario>) -> Self {
        let s = &*scenario;
        let n = s.actors.len();
        let mut sal_norm = vec![Vec::new(); n];
        let mut gamma = vec![1.0; n];
        let mut lobby = vec![0.0; n];
        let mut strikes = Vec::new();
        let mut protectors = Vec::new();
        let mut mediators = Vec::new();
        let status_quo: Vec<f64> = s.issues.iter().map(|i| i.status_quo).collect();
        for (a, actor) in s.actors.iter().enumerate() {
            if !actor.salience.is_empty() {
                sal_norm[a] = vec![0.0; s.issues.len()];
                formulas::normalise_salience(&actor.salience, &mut sal_norm[a]);
            }
            gamma[a] = formulas::risk_exponent(actor.risk);
            for c in &actor.capabilities {
                match c {
                    Capability::Lobby { target, strength } => lobby[*target] += strength,
                    Capability::Strike {
                        target,
                        patron,
                        success,
                        success_alone,
                        restraint,
                        outcome,
                    } => {
                        let own_side = (actor.role == Role::Leader).then_some(actor.side).flatten();
                        let point = status_quo
                            .iter()
                            .zip(outcome)
                            .map(|(sq, o)| o.unwrap_or(*sq))
                            .collect();
                        strikes.push(StrikeOption {
                            actor: a,
                            own_side,
                            target: *target,
                            patron: *patron,
                            success: *success,
                            success_alone: *success_alone,
                            restraint: *restraint,
                            point,
                            key: rng::pair_key(
                                rng::id_key(&actor.id),
                                rng::id_key(&s.sides[*target].id),
                            ),
                        });
                    }
                    Capability::Protect {
                        client,
                        commitment,
                        response,
                        military,
                    } => protectors.push((a, *client, *commitment, *response, *military)),
                    Capability::Mediate { clarity } => mediators.push((a, *clarity)),
                }
            }
        }
        let members: Vec<Vec<usize>> = s
            .sides
            .iter()
            .map(|side| {
                std::iter::once(side.leader)
                    .chain(side.factions.iter().copied())
                    .collect()
            })
            .collect();
        let side_salience = (0..s.sides.len())
            .map(|k| {
                let mut acc = vec![0.0; s.issues.len()];
                for &m in &members[k] {
                    let w = if s.actors[m].role == Role::Leader {
                        1.0
                    } else {
                        s.actors[m].influence
                    };
                    for (x, v) in acc.iter_mut().zip(&sal_norm[m]) {
                        *x += w * v;
                    }
                }
                let mut out = vec![0.0; acc.len()];
                formulas::normalise_salience(&acc, &mut out);
                out
            })
            .collect();
        let mut model = Model {
            scenario: scenario.clone(),
            sal_norm,
            gamma,
            members,
            lobby,
            side_salience,
            status_quo,
            strikes,
            protectors,
            mediators,
            u_status_quo: Vec::new(),
            u_strike_point: Vec::new(),
            u_option: Vec::new(),
            actor_key: s.actors.iter().map(|a| rng::id_key(&a.id)).collect(),
            side_key: s.sides.iter().map(|k| rng::id_key(&k.id)).collect(),
            issue_key: s.issues.iter().map(|i| rng::id_key(&i.id)).collect(),
            text_band: None,
            pledges: s
                .events
                .iter()
                .filter_map(|e| match &e.effect {
                    crate::scenario::types::Effect::Statement {
                        actor,
                        position,
                        commit: Some(strength),
                    } => Some(Pledge {
                        side: s.actors[*actor].side?,
                        round: e.round,
                        strength: *strength,
                        position: position.clone(),
                    }),
                    _ => None,
                })
                .collect(),
        };
        model.text_band = {
            let mut band = vec![RedLine::NONE; s.issues.len()];
            for side in &s.sides {
                for &m in std::iter::once(&side.leader).chain(&side.veto) {
                    for (b, line) in band.iter_mut().zip(&s.actors[m].red_lines) {
                        b.at_least = b.at_least.max(line.at_least);
                        b.at_most = b.at_most.min(line.at_most);
                    }
                }
            }
            band.iter().all(|b| b.at_least <= b.at_most).then_some(band)
        };
        // Utilities of points that never move during a run, computed once.
        let prefers = |a: usize| !s.actors[a].ideal.is_empty();
        let at = |m: &Model, a: usize, y: &[f64]| if prefers(a) { m.utility(a, y) } else { 0.0 };
        model.u_status_quo = (0..n).map(|a| at(&model, a, &model.status_quo)).collect();
        model.u_option = model
            .strikes
            .iter()
            .map(|o| (0..n).map(|a| at(&model, a, &o.point)).collect())
            .collect();
        model.u_strike_point = (0..n)
            .map(|a| {
                let Some(k) = s.actors[a].side else {
                    return 0.0;
                };
                let mut values: Vec<f64> = model
                    .strikes
                    .iter()
                    .zip(&model.u_option)
                    .filter(|(o, _)| o.target == k || o.own_side == Some(k) || o.patron == Some(k))
                    .map(|(_, u)| u[a])
                    .collect();
                if values.is_empty() {
                    return at(&model, a, &model.status_quo);
                }
                values.sort_by(f64::total_cmp);
                values.iter().sum::<f64>() / values.len() as f64
            })
            .collect();
        model
    }

    /// Fills `out` (indexed by actor) with every side member's utility of `y`.
    pub fn member_utilities(&self, y: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.resize(self.scenario.actors.len(), 0.0);
        for &m in self.members.iter().flatten() {
            out[m] = self.utility(m, y);
        }
    }

    /// Like [`Model::member_utilities`] for the members of side `k` only (others get 0).
    pub fn side_utilities(&self, k: usize, y: &[f64], out: &mut Vec<f64>) {
        out.clear();
        out.resize(self.scenario.actors.len(), 0.0);
        for &m in &self.members[k] {
            out[m] = self.utility(m, y);
        }
    }

    /// Actor `a`'s utility of point `y` (docs/model.md §1).
    pub fn utility(&self, a: usize, y: &[f64]) -> f64 {
        formulas::utility(
            &self.scenario.actors[a].ideal,
            &self.sal_norm[a],
            self.gamma[a],
            y,
        )
    }

    /// Weight of each member of side `k` (aligned with `members[k]`) in ratification and in the
    /// mandate: factions by influence plus lobbying, the leader by ω times the factions' total.
    pub fn member_weights(&self, k: usize, influence: &[f64], out: &mut Vec<f64>) {
        out.clear();
        let side = &self.scenario.sides[k];
        let factions: f64 = side
            .factions
            .iter()
            .map(|&f| (influence[f] + self.lobby[f]).max(0.0))
            .sum();
        for &m in &self.members[k] {
            out.push(if m == side.leader {
                side.leader_weight * factions
            } else {
                (influence[m] + self.lobby[m]).max(0.0)
            });
        }
    }

    /// The per-round hazard that the other side reneges on a deal at `y`, as a member of trust
    /// `trust` in that side sees it: trust, the deal's durability and a change of
    /// administration (docs/model.md §6).
    pub fn hazard(&self, p: &Params, trust: f64, y: &[f64]) -> f64 {
        let durability = self.scenario.durability_issue.map_or(0.0, |d| y[d]);
        formulas::hazard(
            p.reneging_hazard,
            trust,
            durability,
            p.hazard_trust_scale,
            p.hazard_durability_cut,
            p.withdrawal_probability,
            p.administration_weeks,
        )
    }

    /// What member `m` of a side gains per round from a deal at `y` over no deal,
    /// `V_deal,m(y) − d_m`, valued with its own discount δ_m, up-front cost K_m (per-round units)
    /// and hazard: its trust in the other side is the side's current trust `side_trust` shifted
    /// by how much more or less the member trusted it at the start than the side's leader did
    /// (docs/model.md §6). `u` is the member's utility of `y` (its deal bonus is added here),
    /// `d` its no-deal value.
    #[allow(clippy::too_many_arguments)]
    pub fn deal_gain(
        &self,
        p: &Params,
        m: usize,
        u: f64,
        d: f64,
        side_trust: f64,
        y: &[f64],
    ) -> f64 {
        let s = &self.scenario;
        let a = &s.actors[m];
        let trust = match a.side {
            Some(k) => formulas::clamp01(
                side_trust + a.trust.initial - s.actors[s.sides[k].leader].trust.initial,
            ),
            None => side_trust,
        };
        let h = self.hazard(p, trust, y);
        let annuity = 1.0 - a.discount;
        annuity * formulas::deal_value(a.upfront_cost / annuity, u + a.deal_bonus, d, a.discount, h)
            - d
    }

    /// The Putnam win-set test of side `k` for deal `y` (Level II ratification): the
    /// influence-weighted share of the side's factions (lobbying included) that value the deal,
    /// with their own hazard, discount and up-front cost ([`Model::deal_gain`]), above their
    /// no-deal value; whether that share reaches the ratification quota; and whether every veto
    /// player (the leader among them, if it holds a veto) values it so too. The leader weighs in
    /// the mandate, not in the quota. `utility(m)` is member m's utility of `y`; `side_trust` the
    /// side's trust in the other. The reason for a refusal is a veto (of the veto player with the
    /// smallest key, so the reason does not depend on how members are listed), or else the
    /// quota; `None` when the side ratifies.
    #[allow(clippy::too_many_arguments)]
    pub fn win_set(
        &self,
        p: &Params,
        k: usize,
        y: &[f64],
        utility: impl Fn(usize) -> f64,
        side_trust: f64,
        weights: &[f64],
        no_deal: &[f64],
    ) -> (f64, Option<Blocker>) {
        let side = &self.scenario.sides[k];
        let (mut yes, mut total) = (0.0, 0.0);
        // The blocking member with the smallest key, and the red line it would see crossed.
        let mut veto: Option<(usize, Option<usize>)> = None;
        for (&m, &w) in self.members[k].iter().zip(weights) {
            let is_veto = side.veto.contains(&m);
            let crossed = self.crossed_red_line(m, y);
            let prefers = if m == side.leader && !is_veto {
                // A leader without a veto decides by its logit (§6), but never crosses its
                // own red line.
                crossed.is_none()
            } else {
                crossed.is_none()
                    && self.deal_gain(p, m, utility(m), no_deal[m], side_trust, y) >= 0.0
            };
            if m != side.leader {
                total += w;
                if prefers {
                    yes += w;
                }
            }
            let blocks = !prefers && (is_veto || m == side.leader);
            if blocks && veto.is_none_or(|(v, _)| self.actor_key[m] < self.actor_key[v]) {
                veto = Some((m, crossed));
            }
        }
        let share = if total > 0.0 { yes / total } else { 0.0 };
        let blocker = match veto {
            Some((actor, Some(issue))) => Some(Blocker::RedLine { actor, issue }),
            Some((v, None)) => Some(Blocker::Veto(v)),
            None if !formulas::ratifies(
                &[(true, yes), (false, total - yes)],
                side.ratification_quota,
            ) =>
            {
                Some(Blocker::Quota)
            }
            None => None,
        };
        (share, blocker)
    }

    /// Moves `y` inside actor `a`'s red lines (each issue to the nearest acceptable position);
    /// whether anything moved.
    pub fn respect_red_lines(&self, a: usize, y: &mut [f64]) -> bool {
        let mut moved = false;
        for (x, line) in y.iter_mut().zip(&self.scenario.actors[a].red_lines) {
            let c = line.clamp(*x);
            moved |= c != *x;
            *x = c;
        }
        moved
    }

    /// Weeks from the first round to round `round` (1-based; round 0 counts as the first).
    pub fn week(&self, round: usize) -> f64 {
        let rounds = &self.scenario.rounds;
        rounds.get(round.max(1) - 1).map_or(0.0, |r| r.week)
    }

    /// Weeks round `round` (1-based) covers: the span every per-week rate is applied over
    /// (docs/model.md §1, "Time"); one week outside the schedule.
    pub fn dt(&self, round: usize) -> f64 {
        let rounds = &self.scenario.rounds;
        round
            .checked_sub(1)
            .and_then(|r| rounds.get(r))
            .map_or(1.0, |r| r.dt)
    }

    /// The audience cost side `k`'s leader pays, per week, for a deal at `y` in round `round`:
    /// for each public commitment of a member of the side made by then (Fearon 1994; Tomz 2007),
    /// `a_c · strength · ½^(age/t½) · Σ_d max(0, (y_d − x_d)·s_d)/100` over the committed issues,
    /// with x_d the committed position and s_d = ±1 the direction toward the other leader's ideal
    /// (conceding beyond the commitment is what costs; `formulas::audience_cost`).
    pub fn audience_cost(&self, p: &Params, round: usize, k: usize, y: &[f64]) -> f64 {
        let other = &self.scenario.actors[self.scenario.sides[1 - k].leader].ideal;
        self.pledges
            .iter()
            .filter(|c| c.side == k && c.round <= round)
            .map(|c| {
                let beyond: f64 = c
                    .position
                    .iter()
                    .zip(y)
                    .zip(other)
                    .filter_map(|((x, &yd), &o)| x.map(|x| ((yd - x) * (o - x).signum()).max(0.0)))
                    .sum();
                formulas::audience_cost(
                    p.commitment_cost,
                    c.strength,
                    self.week(round) - self.week(c.round),
                    p.commitment_halflife,
                    beyond,
                )
            })
            .sum()
    }

    /// The first issue (in issue order) on which `y` crosses one of actor `a`'s red lines.
    pub fn crossed_red_line(&self, a: usize, y: &[f64]) -> Option<usize> {
        self.scenario.actors[a]
            .red_lines
            .iter()
            .zip(y)
            .position(|(line, &x)| !line.allows(x))
    }

    /// Whether side `k` ratifies `y` ([`Model::win_set`] without the reason), computing each
    /// member's utility of `y`.
    #[allow(clippy::too_many_arguments)]
    pub fn ratifies(
        &self,
        p: &Params,
        k: usize,
        y: &[f64],
        side_trust: f64,
        weights: &[f64],
        no_deal: &[f64],
    ) -> bool {
        self.win_set(
            p,
            k,
            y,
            |m| self.utility(m, y),
            side_trust,
            weights,
            no_deal,
        )
        .1
        .is_none()
    }
}

/// The round clock.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    /// The current round, 1-based (0 before the first).
    pub round: usize,
}

/// The latent state of the negotiation (not owned by any actor).
#[derive(Resource, Debug, Clone, PartialEq, Default)]
pub struct Latent {
    /// Latent threat (the stockpile's weight), grows each round.
    pub threat: f64,
    /// Mean gap between the offers at the start of the talks.
    pub initial_gap: f64,
    /// Mean gap between the offers now.
    pub gap: f64,
    /// Consecutive rounds in which the gap did not narrow enough.
    pub stalled_rounds: u32,
    /// The previous round stalled (read by the mediator, which steps in after a stalled round;
    /// lagged so that this round's offers do not decide whether this round is mediated).
    pub stalled_last: bool,
    /// Last round before a deadline lapses, if one was set.
    pub deadline: Option<usize>,
    /// A deadline has lapsed without a deal.
    pub deadline_lapsed: bool,
    /// Current commitment of each protector (aligned with `Model::protectors`).
    pub commitments: Vec<f64>,
    /// Forced actions of this round: (actor, action).
    pub forced: Vec<(usize, crate::scenario::types::ForcedKind)>,
    /// The mediator's proposal this round, if any.
    pub proposal: Option<Vec<f64>>,
    /// Ids of the events that fired this round (indices into the scenario's events).
    pub fired: Vec<usize>,
    /// Probability of a collapse this round.
    pub collapse_probability: f64,
    /// The proposal on the table this round with the highest joint acceptance (ȳ of
    /// docs/model.md §8; empty before the first responses).
    pub prospect: Vec<f64>,
    /// Its joint acceptance `P̂deal = P_A(ȳ)·P_B(ȳ)`: the chance of a deal the strike decisions
    /// read.
    pub deal_chance: f64,
}

impl Latent {
    /// Progress of the talks in [0, 1]: how much of the initial gap has closed.
    pub fn progress(&self) -> f64 {
        if self.initial_gap > 0.0 {
            formulas::clamp01(1.0 - self.gap / self.initial_gap)
        } else {
            1.0
        }
    }
}

/// The global parameters in force (scheduled `ParameterChange` events modify them).
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct LiveParams(pub Params);

/// How the run ended, once it has.
#[derive(Resource, Debug, Clone, PartialEq, Default)]
pub struct Ending(pub Option<Outcome>);

/// The trace: one record per round played. Rows are kept between runs and overwritten, so a
/// reused World records without allocating.
#[derive(Resource, Debug, Clone, PartialEq, Default)]
pub struct Trace {
    rows: Vec<RoundRecord>,
    len: usize,
}

impl Trace {
    /// The records of the current run.
    pub fn rows(&self) -> &[RoundRecord] {
        &self.rows[..self.len]
    }

    /// Forgets the records (keeps their allocations).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The next record to fill; its fields hold stale values the caller overwrites.
    pub fn next_row(&mut self) -> &mut RoundRecord {
        if self.len == self.rows.len() {
            self.rows.push(RoundRecord::default());
        }
        self.len += 1;
        &mut self.rows[self.len - 1]
    }
}
