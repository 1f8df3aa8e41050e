//! Building a `World` for a scenario, and resetting it between runs (DESIGN §2: a worker keeps
//! its World and Schedule; building a fresh pair costs several times a whole run).

use std::sync::Arc;

use bevy_ecs::prelude::*;

use super::components::*;
use super::resources::*;
use super::rng::Streams;
use crate::scenario::Scenario;

/// Creates a World with one entity per actor and per side and every resource of the model.
pub fn spawn(scenario: Arc<Scenario>) -> World {
    let mut world = World::new();
    let model = Model::new(scenario);
    let s = model.scenario.clone();
    let n = s.issues.len();
    for (a, actor) in s.actors.iter().enumerate() {
        let mut e = world.spawn((ActorIndex(a), Influence(actor.influence), StrikeChance(0.0)));
        if actor.side.is_some() {
            e.insert((
                Voice {
                    now: vec![0.0; n],
                    prev: vec![0.0; n],
                    forced: vec![f64::NAN; n],
                    reversed: false,
                    spoken: false,
                },
                NoDeal(0.0),
            ));
        } else {
            e.insert(NoDeal(0.0));
        }
    }
    for k in 0..s.sides.len() {
        world.spawn((
            SideIndex(k),
            Mandate(vec![0.0; n]),
            Offer {
                y: vec![0.0; n],
                ..Default::default()
            },
            Standing::default(),
        ));
    }
    world.insert_resource(LiveParams(s.params.clone()));
    world.insert_resource(Latent::default());
    world.insert_resource(Clock::default());
    world.insert_resource(Ending::default());
    world.insert_resource(Trace::default());
    world.insert_resource(Streams::new(0, 0));
    world.insert_resource(model);
    world
}

/// Puts every component and resource back to its state before round 1 of run `run` under
/// master seed `seed`, in place (allocations are kept).
pub fn reset(world: &mut World, seed: u64, run: u64) {
    let s = world.resource::<Model>().scenario.clone();
    let commitments: Vec<f64> = world
        .resource::<Model>()
        .protectors
        .iter()
        .map(|p| p.2)
        .collect();
    let mut actors = world.query::<(
        &ActorIndex,
        &mut Influence,
        &mut StrikeChance,
        &mut NoDeal,
        Option<&mut Voice>,
    )>();
    for (i, mut inf, mut sc, mut nd, voice) in actors.iter_mut(world) {
        inf.0 = s.actors[i.0].influence;
        sc.0 = 0.0;
        nd.0 = 0.0;
        if let Some(mut v) = voice {
            v.now.fill(0.0);
            v.prev.fill(0.0);
            v.forced.fill(f64::NAN);
            v.reversed = false;
            v.spoken = false;
        }
    }
    let mut sides = world.query::<(&SideIndex, &mut Standing, &mut Offer)>();
    for (k, mut st, mut offer) in sides.iter_mut(world) {
        let leader = &s.actors[s.sides[k.0].leader];
        *st = Standing {
            trust: leader.trust.initial,
            ..Default::default()
        };
        offer.risk = 0.0;
        offer.conceded = false;
        offer.at_boundary = false;
    }
    world.resource_mut::<LiveParams>().0.clone_from(&s.params);
    {
        let mut latent = world.resource_mut::<Latent>();
        let l = &mut *latent;
        l.threat = s.params.threat_initial;
        l.initial_gap = 0.0;
        l.gap = 0.0;
        l.stalled_rounds = 0;
        l.deadline = None;
        l.deadline_lapsed = false;
        l.commitments.clone_from(&commitments);
        l.forced.clear();
        l.proposal = None;
        l.fired.clear();
        l.collapse_probability = 0.0;
    }
    *world.resource_mut::<Clock>() = Clock::default();
    world.resource_mut::<Ending>().0 = None;
    world.resource_mut::<Trace>().clear();
    world.resource_mut::<Streams>().reset(seed, run);
}
