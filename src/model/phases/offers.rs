//! Phase 4: offers. Zeuthen–Harsanyi concessions bounded by each side's win-set, and the
//! mediator's single text after a stalled round or near a deadline.

#![allow(clippy::needless_range_loop)] // per-side and per-issue arrays are indexed together

use bevy_ecs::prelude::*;

use super::ActorBuffers;
use crate::model::components::{
    ActorIndex, Influence, Mandate, NoDeal, Offer, Resolve, SideIndex, Standing,
};
use crate::model::formulas::{self, Bargainer};
use crate::model::resources::{Clock, Latent, LiveParams, Model};
use crate::model::rng::{Stream, Streams};

/// Bisection steps used to find where a concession leaves the win-set.
const BOUNDARY_STEPS: usize = 8;

/// Mean absolute gap between two points (points).
pub fn gap(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64
}

/// Deadline pressure in [0, 1]: 1 / (1 + weeks left), so 1 in the deadline's round and 1/2 a
/// week before it.
fn pressure(model: &Model, latent: &Latent, round: usize) -> f64 {
    match latent.deadline {
        Some(d) if d >= round => 1.0 / (1.0 + (model.week(d) - model.week(round))),
        Some(_) => 1.0,
        None => 0.0,
    }
}

/// Round 1: offers open at the mandates. Later rounds: a side whose offer its members would no
/// longer ratify retreats halfway to its mandate; then each side whose Zeuthen risk is not above
/// the other's, as it believes it, concedes (both may concede, or both hold),
/// `y_k,d += μ_k·(1 − ŝ_k,d)^η·(y_j,d − y_k,d)`, never beyond the boundary of its own win-set;
/// each side updates its belief about the other leader's resolve from the other's choice
/// (docs/model.md §4). Offers never cross the leader's red lines (§2). Tracks the gap and
/// stalls.
#[allow(clippy::too_many_arguments)]
pub fn exchange_offers(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    mut latent: ResMut<Latent>,
    actors: Query<(&ActorIndex, &Influence, &NoDeal)>,
    resolve: Query<(&ActorIndex, &Resolve)>,
    mut sides: Query<(&SideIndex, &Mandate, &mut Offer, &mut Standing)>,
    mut buf: Local<ActorBuffers>,
    mut scratch: Local<[Vec<f64>; 4]>,
    mut before: Local<Vec<f64>>,
    mut start: Local<[Vec<f64>; 2]>,
    mut target: Local<Vec<f64>>,
    mut utils: Local<[Vec<f64>; 2]>,
) {
    let s = &model.scenario;
    let p = &params.0;
    buf.fill(&actors, s.actors.len());
    let [y0, y1, m0, m1] = &mut *scratch;
    let mut trust = [0.0; 2];
    // Each side's belief (mean, sd) about the other leader's resolve.
    let mut belief = [(0.0, 0.0); 2];
    for (k, mandate, offer, standing) in &sides {
        let (y, m) = if k.0 == 0 {
            (&mut *y0, &mut *m0)
        } else {
            (&mut *y1, &mut *m1)
        };
        y.clone_from(&offer.y);
        m.clone_from(&mandate.0);
        trust[k.0] = standing.trust;
        belief[k.0] = (standing.belief_mean, standing.belief_sd);
        utils[k.0].clone_from(&offer.utility);
    }
    let leaders = [s.sides[0].leader, s.sides[1].leader];
    let mut tau = [0.0; 2];
    for (i, r) in &resolve {
        for k in 0..2 {
            if i.0 == leaders[k] {
                tau[k] = r.0;
            }
        }
    }
    latent.stalled_last = latent.stalled_rounds > 0;
    let mut risks = [0.0; 2];
    let mut believed = [0.0; 2];
    let mut conceded = [false; 2];
    let mut boundary = [false; 2];
    let mut red_line = [false; 2];
    let mut audience = [0.0; 2];
    if clock.round == 1 {
        // Open at the mandates, inside the leaders' red lines (a leader never offers what it
        // would never accept).
        y0.clone_from(m0);
        y1.clone_from(m1);
        model.respect_red_lines(leaders[0], y0);
        model.respect_red_lines(leaders[1], y1);
        model.member_utilities(y0, &mut utils[0]);
        model.member_utilities(y1, &mut utils[1]);
        latent.initial_gap = gap(y0, y1);
        latent.gap = latent.initial_gap;
    } else {
        let ActorBuffers {
            no_deal,
            influence,
            weights,
        } = &mut *buf;
        for k in 0..2 {
            let (y, m) = if k == 0 {
                (&mut *y0, &*m0)
            } else {
                (&mut *y1, &*m1)
            };
            model.member_weights(k, influence, weights);
            let u = &mut utils[k];
            if model
                .win_set(p, k, y, |a| u[a], trust[k], weights, no_deal)
                .1
                .is_some()
            {
                for (yd, md) in y.iter_mut().zip(m) {
                    *yd = 0.5 * (*yd + md);
                }
                model.respect_red_lines(leaders[k], y);
                model.member_utilities(y, u);
            }
        }
        // Side k's leader's utilities of its own offer and of the other's, deal bonus included,
        // net of the audience cost of its side's public commitments (§4; public, so both sides
        // compute them alike).
        let cost = |k: usize, y: &[f64]| model.audience_cost(p, clock.round, k, y);
        let ac = [[cost(0, y0), cost(0, y1)], [cost(1, y0), cost(1, y1)]];
        audience = [ac[0][1], ac[1][0]];
        let own = |k: usize| utils[k][leaders[k]] + s.actors[leaders[k]].deal_bonus - ac[k][k];
        let others =
            |k: usize| utils[1 - k][leaders[k]] + s.actors[leaders[k]].deal_bonus - ac[k][1 - k];
        // Side k's no-deal value as the other side sees it: without its private resolve, plus
        // the other side's belief about that resolve.
        let seen: [f64; 2] =
            std::array::from_fn(|k| no_deal[leaders[k]] - tau[k] + belief[1 - k].0);
        for k in 0..2 {
            risks[k] = formulas::zeuthen_risk(own(k), others(k), no_deal[leaders[k]]);
            believed[k] = formulas::zeuthen_risk(own(1 - k), others(1 - k), seen[1 - k]);
        }
        // Each side concedes when its own risk is not above the other's as it believes it
        // (Zeuthen–Harsanyi against beliefs): both may hold when each believes the other
        // weaker; with complete information this is Zeuthen's rule (ties: both concede).
        let concede: [bool; 2] =
            std::array::from_fn(|k| formulas::zeuthen_concedes(risks[k], believed[k], 1e-9));
        // What each side learns about the other leader's resolve from its choice: side j
        // conceded iff its true risk was not above its belief about k's, `believed[j]`, which k
        // knows (beliefs are updated from public moves only). k's model of j's risk is linear in
        // j's resolve around k's belief, with slope ∂r/∂d, seen through a probit of noise σ_b.
        for k in 0..2 {
            let j = 1 - k;
            let slope = formulas::zeuthen_risk_slope(own(j), others(j), seen[j]);
            let (margin, b) = if concede[j] {
                (believed[j] - believed[k], -slope)
            } else {
                (believed[k] - believed[j], slope)
            };
            let (m, sd) = belief[k];
            belief[k] = formulas::probit_update(m, sd, margin, b, p.belief_noise);
        }
        let press = p.deadline_pressure * pressure(&model, &latent, clock.round);
        // Both sides concede toward the other's offer as it stood before this round's moves:
        // concessions are simultaneous, whichever side is listed first.
        start[0].clone_from(y0);
        start[1].clone_from(y1);
        for k in 0..2 {
            if !concede[k] {
                continue;
            }
            let own = if k == 0 { &mut *y0 } else { &mut *y1 };
            let other = &start[1 - k];
            let mu = formulas::concession_rate(p.concession_speed, press, trust[k]);
            before.clone_from(own);
            formulas::concession_step(own, other, &model.side_salience[k], p.salience_exponent, mu);
            red_line[k] = model.respect_red_lines(leaders[k], own);
            model.member_weights(k, influence, weights);
            if !model.ratifies(p, k, own, trust[k], weights, no_deal) {
                // Stop at the boundary: the furthest point of the step the side can ratify.
                target.clone_from(own);
                let (mut lo, mut hi) = (0.0, 1.0);
                for _ in 0..BOUNDARY_STEPS {
                    let mid = 0.5 * (lo + hi);
                    for ((o, b), t) in own.iter_mut().zip(before.iter()).zip(target.iter()) {
                        *o = b + mid * (t - b);
                    }
                    if model.ratifies(p, k, own, trust[k], weights, no_deal) {
                        lo = mid
                    } else {
                        hi = mid
                    }
                }
                for ((o, b), t) in own.iter_mut().zip(before.iter()).zip(target.iter()) {
                    *o = b + lo * (t - b);
                }
                boundary[k] = true;
            }
            conceded[k] = *own != *before;
            if conceded[k] {
                model.member_utilities(own, &mut utils[k]);
            }
        }
        let g = gap(y0, y1);
        if latent.gap - g < p.stall_progress * latent.initial_gap {
            latent.stalled_rounds += 1;
        } else {
            latent.stalled_rounds = 0;
        }
        latent.gap = g;
    }
    for (k, _, mut offer, mut standing) in &mut sides {
        (standing.belief_mean, standing.belief_sd) = belief[k.0];
        offer.believed_risk = believed[k.0];
        let y = if k.0 == 0 { &*y0 } else { &*y1 };
        if clock.round == 1 {
            offer.prev.clone_from(y);
        } else {
            let o = &mut *offer;
            o.prev.clone_from(&o.y);
        }
        offer.y.clone_from(y);
        offer.utility.clone_from(&utils[k.0]);
        offer.risk = risks[k.0];
        offer.conceded = conceded[k.0];
        offer.at_boundary = boundary[k.0];
        offer.at_red_line = red_line[k.0];
        offer.audience_cost = audience[k.0];
    }
}

/// The mediator's single text (Raiffa 1982), put on the table when a mediator is present (the
/// round's host, or any actor with `Mediate`) and the previous round stalled or a deadline falls
/// in this round or the next. It is the asymmetric Nash bargaining point between the two offers,
/// `argmax Π_k (U_k(y) − d̂_k)^α_k` over the box they span, with the leaders' utilities, the
/// mediator's own noisy estimates `d̂_k = d_k + σ_m·z_k` of their no-deal values (one normal
/// draw per side and round from the mediation stream) and bargaining powers from the leaders'
/// patience, `α_k ∝ 1/−ln δ_k` (Rubinstein 1982: the more patient side gets more). The box is
/// first projected inside the red lines of both sides' leaders and veto players
/// (`Model::text_band`). No text when the mediator believes no point of the box is better than
/// no deal for both, or when those red lines leave no room.
#[allow(clippy::too_many_arguments)]
pub fn mediate(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    streams: Res<Streams>,
    mut latent: ResMut<Latent>,
    actors: Query<(&ActorIndex, &Influence, &NoDeal)>,
    sides: Query<(&SideIndex, &Offer)>,
    mut buf: Local<ActorBuffers>,
    mut point: Local<Vec<f64>>,
    mut corners: Local<[Vec<f64>; 2]>,
) {
    let s = &model.scenario;
    let hosted = s.rounds[clock.round - 1].host.is_some() || !model.mediators.is_empty();
    let deadline_near = pressure(&model, &latent, clock.round) >= 0.5;
    if !hosted || !(latent.stalled_last || deadline_near) {
        return;
    }
    buf.fill(&actors, s.actors.len());
    let mut offers: [&[f64]; 2] = [&[], &[]];
    for (k, o) in &sides {
        offers[k.0] = &o.y;
    }
    let impatience = |k: usize| -libm::log(s.actors[s.sides[k].leader].discount.max(1e-12));
    let powers = formulas::patience_powers(impatience(0), impatience(1));
    let sigma = params.0.mediator_noise;
    let bargainer = |k: usize| {
        let l = s.sides[k].leader;
        let error = sigma * streams.normal(Stream::Mediation, model.side_key[k], clock.round, 0);
        Bargainer {
            ideal: &s.actors[l].ideal,
            salience: &model.sal_norm[l],
            gamma: model.gamma[l],
            disagreement: buf.no_deal[l] - s.actors[l].deal_bonus + error,
            power: powers[k],
        }
    };
    // The parties in the order of their sides' keys, not of their listing: the search is exact
    // only up to rounding, and its rounding must not depend on which side the file lists first.
    let [a, b] = if model.side_key[0] <= model.side_key[1] {
        [0, 1]
    } else {
        [1, 0]
    };
    // The box spanned by the offers, projected inside the red lines of the leaders and veto
    // players (declared in public): no text if no point respects them all.
    let Some(band) = &model.text_band else { return };
    for (c, y) in corners.iter_mut().zip([offers[a], offers[b]]) {
        c.clear();
        c.extend(y.iter().zip(band).map(|(x, line)| line.clamp(*x)));
    }
    point.resize(s.issues.len(), 0.0);
    if formulas::nash_point(
        &bargainer(a),
        &bargainer(b),
        &corners[0],
        &corners[1],
        &mut point,
    )
    .is_some()
    {
        latent.proposal = Some(point.clone());
    }
}
