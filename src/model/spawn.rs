//! Building a `World` for a scenario, and resetting it between runs (docs/architecture.md §1: a
//! worker keeps its World and Schedule; building a fresh pair costs several times a whole run).

use std::sync::Arc;

use bevy_ecs::prelude::*;

use super::components::*;
use super::resources::*;
use super::rng::{Stream, Streams};
use crate::scenario::Scenario;

/// Creates a World with one entity per actor and per side and every resource of the model.
pub fn spawn(scenario: Arc<Scenario>) -> World {
    let mut world = World::new();
    let model = Model::new(scenario);
    let s = model.scenario.clone();
    let n = s.issues.len();
    for (a, actor) in s.actors.iter().enumerate() {
        let mut e = world.spawn((
            ActorIndex(a),
            Influence(actor.influence),
            StrikeChance(0.0),
            Resolve(0.0),
        ));
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
    world.insert_resource(RunId::default());
    world.insert_resource(model);
    world
}

/// Which run the World is set up for: the master seed and the run index.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunId {
    /// Master seed.
    pub seed: u64,
    /// Run index.
    pub run: u64,
}

/// The schedule that resets a World between runs (its query state is built once).
#[derive(bevy_ecs::schedule::ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reset;

/// Builds the reset schedule: [`reset_run`] alone, single-threaded.
pub fn reset_schedule() -> Schedule {
    let mut schedule = Schedule::new(Reset);
    schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
    schedule.add_systems(reset_run);
    schedule
}

/// Everything an actor entity carries that a run changes.
type ActorState = (
    &'static ActorIndex,
    &'static mut Influence,
    &'static mut StrikeChance,
    &'static mut NoDeal,
    &'static mut Resolve,
    Option<&'static mut Voice>,
);

/// Puts every component and resource back to its state before round 1 of the run named by
/// [`RunId`], in place (allocations are kept).
#[allow(clippy::too_many_arguments)]
pub fn reset_run(
    model: Res<Model>,
    id: Res<RunId>,
    mut actors: Query<ActorState>,
    mut sides: Query<(&SideIndex, &mut Standing, &mut Offer)>,
    mut params: ResMut<LiveParams>,
    mut latent: ResMut<Latent>,
    mut clock: ResMut<Clock>,
    mut ending: ResMut<Ending>,
    mut trace: ResMut<Trace>,
    mut streams: ResMut<Streams>,
) {
    let s = &model.scenario;
    streams.reset(id.seed, id.run);
    let spread = s.params.resolve_spread;
    for (i, mut inf, mut sc, mut nd, mut resolve, voice) in &mut actors {
        inf.0 = s.actors[i.0].influence;
        sc.0 = 0.0;
        nd.0 = 0.0;
        // Slot 2 of the types stream: slot 0 holds the sides' types (keyed by side id), slot 1
        // the members' reversals.
        resolve.0 = if s.actors[i.0].side.is_some() && spread > 0.0 {
            spread * streams.normal(Stream::Types, model.actor_key[i.0], 0, 2)
        } else {
            0.0
        };
        if let Some(mut v) = voice {
            v.now.fill(0.0);
            v.prev.fill(0.0);
            v.forced.fill(f64::NAN);
            v.reversed = false;
            v.spoken = false;
        }
    }
    for (k, mut st, mut offer) in &mut sides {
        let leader = &s.actors[s.sides[k.0].leader];
        let type_draw = streams.uniform(Stream::Types, model.side_key[k.0], 0, 0);
        *st = Standing {
            trust: leader.trust.initial,
            sincere: type_draw < s.sides[k.0].sincere,
            belief_mean: 0.0,
            belief_sd: spread,
            ..Default::default()
        };
        offer.risk = 0.0;
        offer.believed_risk = 0.0;
        offer.conceded = false;
        offer.at_boundary = false;
        offer.at_red_line = false;
        offer.audience_cost = 0.0;
    }
    params.0.clone_from(&s.params);
    let l = &mut *latent;
    l.threat = s.params.threat_initial;
    l.initial_gap = 0.0;
    l.gap = 0.0;
    l.stalled_rounds = 0;
    l.stalled_last = false;
    l.deadline = None;
    l.deadline_lapsed = false;
    l.commitments.clear();
    l.commitments.extend(model.protectors.iter().map(|p| p.2));
    l.forced.clear();
    l.proposal = None;
    l.fired.clear();
    l.collapse_probability = 0.0;
    l.prospect.clear();
    l.deal_chance = 0.0;
    *clock = Clock::default();
    ending.0 = None;
    trace.clear();
}
