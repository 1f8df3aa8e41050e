//! Phase 5: responses. Each side accepts a proposal with probability
//! `σ(κ_a·(1 − δ)·[V_deal(y) − V_nodeal])·1[y ∈ W]`, the deal's value discounted by the fear
//! that the other side reneges (the commitment problem, Fearon 1995; Powell 2006):
//! `V_deal = −K + u_R/(1 − δ) + (u − u_R)/(1 − δ(1 − h))` with `u_R` the no-deal value. Values
//! are compared per round (× (1 − δ)), with the up-front cost K in per-round units; the
//! win-set W values the deal so for every member, with its own hazard, discount and cost
//! (`Model::win_set`, docs/model.md §2). A deal needs both sides.

use bevy_ecs::prelude::*;

use super::ActorBuffers;
use crate::model::components::{ActorIndex, Influence, NoDeal, Offer, SideIndex, Standing};
use crate::model::formulas;
use crate::model::resources::{Clock, Ending, Latent, LiveParams, Model};
use crate::model::rng::{Stream, Streams};
use crate::outcome::{Blocker, DealVia, Outcome};
use crate::scenario::types::{ForcedKind, Params};

/// Probability that side `k` accepts `y`, and why its win-set refuses `y` if it does (then the
/// probability is 0). The side decides by its leader's values; the win-set gates it.
/// `u_y` holds each actor's utility of `y` (side members at least), `u_own` the leader's
/// utility of the side's own offer; `round` dates the audience cost of accepting `y` (docs/model.md
/// §4).
#[allow(clippy::too_many_arguments)]
fn acceptance(
    model: &Model,
    p: &Params,
    buf: &mut ActorBuffers,
    k: usize,
    trust: f64,
    round: usize,
    y: &[f64],
    u_y: &[f64],
    u_own: f64,
) -> (f64, Option<Blocker>) {
    let s = &model.scenario;
    model.member_weights(k, &buf.influence, &mut buf.weights);
    let (_, blocker) = model.win_set(p, k, y, |m| u_y[m], trust, &buf.weights, &buf.no_deal);
    if blocker.is_some() {
        return (0.0, blocker);
    }
    let l = s.sides[k].leader;
    // Values per round (annuitised by 1 − δ), so κ_a is per unit of per-round utility.
    let gain = model.deal_gain(p, l, u_y[l], buf.no_deal[l], trust, y)
        - model.audience_cost(p, round, k, y);
    // Accepting forgoes holding out for its own offer: the per-round shortfall of `y` against
    // the side's own offer weighs with τ (Zeuthen: a side gives in when the other's offer is
    // nearly as good as its own).
    let holdout = p.aspiration * (u_own - u_y[l]).max(0.0);
    (
        formulas::acceptance_probability(p.acceptance_sharpness, gain, holdout),
        None,
    )
}

/// Puts the proposals on the table — each side's offer and the mediator's text — and draws each
/// side's one answer for the round; of the proposals both accept, the one with the largest Nash
/// product is the deal. A side accepts its own offer whenever its members ratify it. Also records each side's best chance of accepting a
/// proposal other than its own, and its own estimate of a deal (see below).
#[allow(clippy::too_many_arguments)]
pub fn respond_to_proposals(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    mut latent: ResMut<Latent>,
    streams: Res<Streams>,
    mut ending: ResMut<Ending>,
    actors: Query<(&ActorIndex, &Influence, &NoDeal)>,
    mut sides: Query<(&SideIndex, &Offer, &mut Standing)>,
    mut buf: Local<ActorBuffers>,
    mut utils: Local<Vec<Vec<f64>>>,
    mut offers: Local<[Vec<f64>; 2]>,
    mut prev: Local<[Vec<f64>; 2]>,
    mut ahead: Local<Vec<f64>>,
    mut chosen: Local<Vec<f64>>,
) {
    let s = &model.scenario;
    let p = &params.0;
    buf.fill(&actors, s.actors.len());
    let mut trust = [0.0; 2];
    let mut sincere = [true; 2];
    for (k, o, st) in &sides {
        offers[k.0].clone_from(&o.y);
        prev[k.0].clone_from(&o.prev);
        trust[k.0] = st.trust;
        sincere[k.0] = st.sincere;
    }
    // A forced acceptance: the side takes the other's standing offer.
    for &(a, action) in &latent.forced {
        if action == ForcedKind::Accept {
            let k = s.actors[a].side.expect("validated: on a side");
            let terms = offers[1 - k].clone();
            let via = DealVia::Offer(1 - k);
            ending.0 = Some(deal(&model, p, &sincere, terms, clock.round, via));
            return;
        }
    }
    // The proposals: each side's offer, and the mediator's text if there is one.
    let proposals = if latent.proposal.is_some() { 3 } else { 2 };
    let point = |c: usize| -> &[f64] {
        match c {
            0 | 1 => &offers[c],
            _ => latent
                .proposal
                .as_deref()
                .expect("three proposals with a mediator"),
        }
    };
    // Each side member's utility of each proposal: the offers' come with them.
    utils.resize(4, Vec::new());
    for (k, o, _) in &sides {
        utils[k.0].clone_from(&o.utility);
    }
    if let Some(y) = &latent.proposal {
        model.member_utilities(y, &mut utils[2]);
    }
    // One draw per side for the round: a side accepts every proposal whose acceptance
    // probability exceeds it, so more proposals are no extra lottery tickets, and neither side
    // answers first (docs/model.md, "Responses and the deal").
    let draws: [f64; 2] = std::array::from_fn(|k| {
        streams.uniform(Stream::Responses, model.side_key[k], clock.round, 0)
    });
    let mut best = [0.0f64; 2];
    // Why each side refused the other's offer (index 0) and the mediator's text (index 1).
    let mut blocked: [[Option<Blocker>; 2]; 2] = [[None; 2]; 2];
    let mut agreed: Option<(f64, usize)> = None;
    // The proposal with the highest joint acceptance, and that acceptance (read by the strike
    // decisions; equal chances go to the lower point, whatever the listing of the sides).
    let mut prospect: Option<(f64, usize)> = None;
    for c in 0..proposals {
        let proposer = (c < 2).then_some(c);
        let mut both = true;
        let mut joint = 1.0;
        for k in 0..2 {
            let u_own = utils[k][s.sides[k].leader];
            let (prob, blocker) = acceptance(
                &model,
                p,
                &mut buf,
                k,
                trust[k],
                clock.round,
                point(c),
                &utils[c],
                u_own,
            );
            let prob = if proposer == Some(k) {
                if prob > 0.0 { 1.0 } else { 0.0 }
            } else {
                best[k] = best[k].max(prob);
                blocked[k][usize::from(c == 2)] = blocker;
                prob
            };
            both &= draws[k] < prob;
            joint *= prob;
        }
        let ahead = match prospect {
            None => true,
            Some((best_joint, b)) => {
                joint > best_joint || (joint == best_joint && lexicographic_lt(point(c), point(b)))
            }
        };
        if ahead {
            prospect = Some((joint, c));
        }
        if !both {
            continue;
        }
        // Several proposals accepted by both: the one with the largest Nash product of the
        // leaders' gains over no deal (Nash 1950); equal products go to the lower point, so the
        // choice does not depend on which side is listed first.
        let product: f64 = (0..2)
            .map(|k| {
                let l = s.sides[k].leader;
                (utils[c][l] + s.actors[l].deal_bonus - buf.no_deal[l]).max(0.0)
            })
            .product();
        let better = match agreed {
            None => true,
            Some((best_product, b)) => {
                product > best_product
                    || (product == best_product && lexicographic_lt(point(c), point(b)))
            }
        };
        if better {
            agreed = Some((product, c));
        }
    }
    chosen.clear();
    let joint = prospect.map_or(0.0, |(joint, c)| {
        chosen.extend_from_slice(point(c));
        joint
    });
    let agreed = agreed.map(|(_, c)| {
        let via = if c < 2 {
            DealVia::Offer(c)
        } else {
            DealVia::Mediator
        };
        (point(c).to_vec(), via)
    });
    // Each side's own estimate of a deal: the chance it would accept the other side's offer
    // where that side is heading — its offer moved on by its last move. A side that sees the
    // other conceding is optimistic; one facing a side that holds firm is not.
    latent.deal_chance = joint;
    std::mem::swap(&mut latent.prospect, &mut *chosen);
    let mut estimate = [0.0; 2];
    for k in 0..2 {
        let j = 1 - k;
        ahead.clear();
        ahead.extend(
            offers[j]
                .iter()
                .zip(&prev[j])
                .map(|(y, q)| (2.0 * y - q).clamp(0.0, 100.0)),
        );
        model.side_utilities(k, &ahead, &mut utils[3]);
        let u_own = utils[k][s.sides[k].leader];
        estimate[k] = acceptance(
            &model,
            p,
            &mut buf,
            k,
            trust[k],
            clock.round,
            &ahead,
            &utils[3],
            u_own,
        )
        .0;
    }
    for (k, _, mut st) in &mut sides {
        st.acceptance = best[k.0];
        st.deal_estimate = estimate[k.0];
        [st.blocked, st.mediator_blocked] = blocked[k.0];
    }
    if let Some((terms, via)) = agreed {
        ending.0 = Some(deal(&model, p, &sincere, terms, clock.round, via));
    }
}

/// `a` comes before `b` in the order of the issues (a tie-break that ignores the listing of
/// the sides).
fn lexicographic_lt(a: &[f64], b: &[f64]) -> bool {
    a.iter()
        .zip(b)
        .find(|(x, y)| x != y)
        .is_some_and(|(x, y)| x < y)
}

/// The deal on `terms`, with its durability: the chance that neither side reneges over a term of
/// `administration_weeks`, each with the hazard of its *true* type (docs/model.md §6, §7) — the
/// hazard the other side fears at trust 1 if the side is sincere, at trust 0 if not. The sides
/// decide on what they fear (trust); what the deal is worth in fact depends on who they are.
fn deal(
    model: &Model,
    p: &Params,
    sincere: &[bool; 2],
    terms: Vec<f64>,
    round: usize,
    via: DealVia,
) -> Outcome {
    let survives = |k: usize| {
        let h = model.hazard(p, if sincere[k] { 1.0 } else { 0.0 }, &terms);
        libm::pow(1.0 - h, p.administration_weeks)
    };
    let durability = survives(0) * survives(1);
    Outcome::Deal {
        terms,
        round,
        durability,
        via,
    }
}
