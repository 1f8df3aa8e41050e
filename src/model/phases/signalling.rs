//! Phase 3: signalling. Side members state positions; each side's consistency is scored.

use bevy_ecs::prelude::*;

use crate::model::components::{ActorIndex, Mandate, SideIndex, Standing, Voice};
use crate::model::formulas;
use crate::model::resources::{Clock, LiveParams, Model};
use crate::model::rng::{Stream, Streams};

/// Each member states its ideal shaded toward its side's mandate by λ, plus N(0, σ_msg) noise;
/// a scheduled statement replaces that on the issues it addresses. A member also reverses
/// itself in public with its side's type's probability (`a_r` if the side is sincere, `b_r`
/// if not; one keyed draw per member and round): the signals trust learns from (Kydd 2005).
#[allow(clippy::too_many_arguments)] // a system: each argument is one resource or query
pub fn make_statements(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    streams: Res<Streams>,
    sides: Query<(&SideIndex, &Mandate, &Standing)>,
    mut voices: Query<(&ActorIndex, &mut Voice)>,
    mut mandates: Local<Vec<Vec<f64>>>,
    mut sincere: Local<Vec<bool>>,
    mut noise: Local<Vec<f64>>,
) {
    let s = &model.scenario;
    let n = s.issues.len();
    mandates.resize(s.sides.len(), Vec::new());
    sincere.resize(s.sides.len(), true);
    for (k, m, st) in &sides {
        mandates[k.0].clone_from(&m.0);
        sincere[k.0] = st.sincere;
    }
    let (shade, sigma) = (params.0.statement_shading, params.0.message_noise);
    // One keyed draw per member, issue and round (also where a scheduled statement overrides).
    noise.clear();
    noise.resize(s.actors.len() * n, 0.0);
    if sigma > 0.0 {
        for (a, actor) in s.actors.iter().enumerate() {
            if actor.side.is_some() {
                let key = model.actor_key[a];
                for (x, &issue) in noise[a * n..(a + 1) * n].iter_mut().zip(&model.issue_key) {
                    *x = sigma * streams.normal(Stream::Signalling, key, clock.round, issue);
                }
            }
        }
    }
    for (i, mut v) in &mut voices {
        let a = &s.actors[i.0];
        let k = a.side.expect("voices belong to side members");
        let mandate = &mandates[k];
        let rate = formulas::over_weeks(
            if sincere[k] {
                params.0.reversal_if_sincere
            } else {
                params.0.reversal_if_insincere
            },
            model.dt(clock.round),
        );
        if streams.uniform(Stream::Types, model.actor_key[i.0], clock.round, 1) < rate {
            v.reversed = true;
        }
        let v = &mut *v;
        if v.spoken {
            v.prev.clone_from(&v.now);
        }
        let parts = v.now.iter_mut().zip(&v.forced).zip(&a.ideal).zip(mandate);
        for ((((now, &forced), &ideal), &m), &e) in parts.zip(&noise[i.0 * n..(i.0 + 1) * n]) {
            *now = if forced.is_nan() {
                (ideal + shade * (m - ideal) + e).clamp(0.0, 100.0)
            } else {
                forced
            };
        }
        v.spoken = true;
    }
}

/// A side's consistency: `1 − [ν1·|m̄_t − m̄_{t−1}|/100 + ν2·sd/50 + ν3·reversal]`, where `m̄`
/// is the mean statement of its members, `sd` their spread (mean over issues) and `reversal`
/// the share of members who contradicted themselves this round.
pub fn score_consistency(
    model: Res<Model>,
    params: Res<LiveParams>,
    voices: Query<(&ActorIndex, &Voice)>,
    mut sides: Query<(&SideIndex, &mut Standing)>,
    mut said: Local<Vec<(Vec<f64>, bool)>>,
    mut column: Local<Vec<f64>>,
) {
    let s = &model.scenario;
    let p = &params.0;
    said.resize(s.actors.len(), (Vec::new(), false));
    for (i, v) in &voices {
        said[i.0].0.clone_from(&v.now);
        said[i.0].1 = v.reversed;
    }
    for (k, mut standing) in &mut sides {
        let members = &model.members[k.0];
        let (mut mean_sum, mut sd_sum) = (0.0, 0.0);
        for d in 0..s.issues.len() {
            column.clear();
            column.extend(members.iter().map(|&m| said[m].0[d]));
            mean_sum += formulas::mean(&column);
            sd_sum += formulas::std_dev(&column);
        }
        let reversed = members.iter().filter(|&&m| said[m].1).count();
        let n = s.issues.len().max(1) as f64;
        let mean_now = mean_sum / n;
        let reversal = reversed as f64 / members.len().max(1) as f64;
        let prev = standing.prev_mean.unwrap_or(mean_now);
        standing.consistency = formulas::consistency(
            mean_now,
            prev,
            sd_sum / n,
            reversal,
            p.consistency_shift,
            p.consistency_spread,
            p.consistency_reversal,
        );
        standing.prev_mean = Some(mean_now);
    }
}
