//! The Spatial Model of Politics as a `bevy_ecs` schedule: one turn is five phases over the
//! actor entities of [`crate::engines::world`], ordered in [`turn_schedule`]. The formulas are
//! the parent module's; the systems move data between them and the `World`.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::ScheduleLabel;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{
    Adoption, Bargain, Mat, Model, Offered, Settings, SmpActor, SmpState, StateTransitions, Turn,
    Work, accommodate, drawn, most_probable, state_dist,
};
use crate::engines::world::{self, ActorData, Position, Roster};
pub use crate::scenario::engine::smp::accommodation_matrix;

/// The schedule that plays one turn.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct SmpTurn;

/// The phases of a turn, in this order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Utilities from the ideals, the election over positions, inferred risk attitudes.
    Assess,
    /// The state's record (positions, win probabilities, fractional change) and the stopping
    /// rule.
    Record,
    /// Each actor's challenge and the bargains it puts on the table.
    Challenge,
    /// Each actor's election among the bargains put to it; the one it adopts.
    Resolve,
    /// Everyone takes its adopted position at once; ideals accommodate.
    Move,
}

/// An actor's ideal (0–1 scale): where it measures the value of positions from.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Ideal(pub Vec<f64>);

/// The bargains put to an actor this turn, its status quo first.
#[derive(Component, Debug, Clone, Default)]
struct Proposals(Vec<Bargain>);

/// The position an actor adopts this turn (0–1 scale).
#[derive(Component, Debug, Clone, Default)]
struct Adopted(Vec<f64>);

/// The state in progress and the run's path.
#[derive(Resource, Default)]
struct Now {
    work: Option<Work>,
    /// Positions of every state so far (0–1 scale), for the fractional change.
    path: Vec<Mat>,
    stopped: bool,
}

/// The run's states, as reported.
#[derive(Resource, Default)]
struct Trace(Vec<SmpState>);

/// The run's draws (stochastic transitions only).
#[derive(Resource)]
struct Draws(ChaCha8Rng);

/// The input positions, for resets (0–1 scale).
#[derive(Resource)]
struct Start(Mat);

/// Which key of [`crate::model::rng::keyed_stream`] the SMP draws from.
const STREAM_KEY: u64 = 0x534d_5001;

fn work(now: &Now) -> &Work {
    now.work.as_ref().expect("the assess phase ran")
}

fn scaled(m: &[Vec<f64>]) -> Mat {
    m.iter()
        .map(|p| p.iter().map(|x| x * 100.0).collect())
        .collect()
}

/// Assess: the derived quantities of the current state.
fn assess(
    model: Res<Model>,
    roster: Res<Roster>,
    q: Query<(&Position, &Ideal)>,
    mut now: ResMut<Now>,
) {
    let (pos, ideal): (Mat, Mat) = roster
        .0
        .iter()
        .map(|&e| {
            let (p, i) = q.get(e).expect("roster entity");
            (p.0.clone(), i.0.clone())
        })
        .unzip();
    now.work = Some(model.setup(pos, ideal));
}

/// Record: the state as KTAB reports it, then KTAB's stopping rule: at least `min_iter` and
/// at most `max_iter` turns; stop when the last step, relative to the first (plus
/// `min_sig_delta`), falls below `min_delta_ratio`.
fn record(model: Res<Model>, mut now: ResMut<Now>, mut trace: ResMut<Trace>) {
    let w = work(&now);
    let t = now.path.len();
    let frac_change = (t > 0).then(|| {
        let d01 =
            state_dist(&now.path[0], now.path.get(1).unwrap_or(&w.pos)) + model.s.min_sig_delta;
        state_dist(&w.pos, &now.path[t - 1]) / d01
    });
    let state = SmpState {
        positions: scaled(&w.pos),
        win_prob: model.win_probs(w),
        risk_attitudes: w.nra.clone(),
        frac_change,
        ideals: scaled(&w.ideal),
        turn: None,
    };
    let pos = w.pos.clone();
    now.path.push(pos);
    now.stopped = frac_change.is_some_and(|ratio| {
        model.s.max_iter <= t || (model.s.min_iter <= t && ratio < model.s.min_delta_ratio)
    });
    trace.0.push(state);
}

fn going(now: Res<Now>) -> bool {
    !now.stopped
}

/// Challenge: every actor, in order, picks its challenge; its status quo and the bargains its
/// challenge makes go to its own list and the target's, in KTAB's order.
fn challenge(
    model: Res<Model>,
    now: Res<Now>,
    roster: Res<Roster>,
    mut q: Query<&mut Proposals>,
    mut trace: ResMut<Trace>,
) {
    let w = work(&now);
    let na = model.na();
    let mut lists: Vec<Vec<Bargain>> = vec![Vec::new(); na];
    let mut challenges = Vec::with_capacity(na);
    for i in 0..na {
        lists[i].push(Bargain::status_quo(w, i));
        let c = model.challenge(w, i);
        if let Some(c) = &c {
            let offered = model.bargains(w, i, c);
            lists[i].extend(offered.iter().cloned());
            lists[c.target].extend(offered);
        }
        challenges.push(c);
    }
    for (&e, list) in roster.0.iter().zip(lists) {
        q.get_mut(e).expect("roster entity").0 = list;
    }
    trace.0.last_mut().expect("recorded").turn = Some(Turn {
        challenges,
        adopted: Vec::with_capacity(na),
        bargains: Vec::with_capacity(na),
    });
}

/// Resolve: each actor's election among the bargains put to it; it adopts the most probable
/// (deterministic) or draws one (stochastic).
fn resolve(
    model: Res<Model>,
    now: Res<Now>,
    roster: Res<Roster>,
    mut q: Query<(&Proposals, &mut Adopted)>,
    mut draws: ResMut<Draws>,
    mut trace: ResMut<Trace>,
) {
    let w = work(&now);
    let turn = trace
        .0
        .last_mut()
        .and_then(|s| s.turn.as_mut())
        .expect("the challenge phase ran");
    for (k, &e) in roster.0.iter().enumerate() {
        let (proposals, mut adopted) = q.get_mut(e).expect("roster entity");
        let offered = &proposals.0;
        let p = model.bargain_probabilities(w, offered);
        let top = most_probable(&p);
        let m = match model.s.transitions {
            StateTransitions::Deterministic => top,
            StateTransitions::Stochastic => drawn(&p, draws.0.random::<f64>()),
        };
        turn.bargains.push(
            offered
                .iter()
                .zip(&p)
                .map(|(b, &probability)| Offered {
                    initiator: b.init,
                    receiver: b.rcvr,
                    probability,
                    position: b.position_for(k).iter().map(|x| x * 100.0).collect(),
                })
                .collect(),
        );
        let b = &offered[m];
        adopted.0 = b.position_for(k).to_vec();
        turn.adopted.push(Adoption {
            initiator: b.init,
            receiver: b.rcvr,
            probability: p[m],
            top_probability: p[top],
            offered: offered.len(),
            index: m,
            position: adopted.0.iter().map(|x| x * 100.0).collect(),
        });
    }
}

/// Move: everyone takes its adopted position at once; then the ideals accommodate to the new
/// positions.
fn take_positions(
    model: Res<Model>,
    roster: Res<Roster>,
    mut q: Query<(&Adopted, &mut Position, &mut Ideal)>,
) {
    let mut new_pos = Vec::with_capacity(roster.0.len());
    let mut ideals = Vec::with_capacity(roster.0.len());
    for &e in &roster.0 {
        let (adopted, mut pos, ideal) = q.get_mut(e).expect("roster entity");
        pos.0.clone_from(&adopted.0);
        new_pos.push(adopted.0.clone());
        ideals.push(ideal.0.clone());
    }
    let next = accommodate(&model.accommodation, &ideals, &new_pos);
    for (&e, ideal) in roster.0.iter().zip(next) {
        q.get_mut(e).expect("roster entity").2.0 = ideal;
    }
}

/// Builds the turn schedule: the five phases chained, one system each; the turn's last three
/// phases are skipped once the stopping rule has fired.
pub fn turn_schedule() -> Schedule {
    let mut schedule = crate::ecs::strict_schedule(SmpTurn);
    schedule.configure_sets(
        (
            Phase::Assess,
            Phase::Record,
            Phase::Challenge,
            Phase::Resolve,
            Phase::Move,
        )
            .chain(),
    );
    schedule
        .configure_sets((Phase::Challenge, Phase::Resolve, Phase::Move).distributive_run_if(going));
    schedule.add_systems((
        assess.in_set(Phase::Assess),
        record.in_set(Phase::Record),
        challenge.in_set(Phase::Challenge),
        resolve.in_set(Phase::Resolve),
        take_positions.in_set(Phase::Move),
    ));
    schedule
}

/// The Spatial Model of Politics over a set of actors: a `World` with the actors as entities
/// and the turn schedule, reusable for several runs.
pub struct Engine {
    world: World,
    schedule: Schedule,
}

impl Engine {
    /// Spawns the actors (on KTAB's 0–100 input scale) under `settings`; the accommodation
    /// entries name actors by [`SmpActor::name`].
    pub fn new(actors: &[SmpActor], settings: &Settings) -> Self {
        let names: Vec<String> = actors.iter().map(|a| a.name.clone()).collect();
        let data: Vec<ActorData> = actors
            .iter()
            .map(|a| ActorData {
                capability: a.power,
                position: a.position.iter().map(|p| p / 100.0).collect(),
                salience: a.salience.iter().map(|s| s / 100.0).collect(),
            })
            .collect();
        let mut world = World::new();
        world::spawn_actors(&mut world, &data);
        let roster = world.resource::<Roster>().0.clone();
        for (e, a) in roster.iter().zip(&data) {
            world.entity_mut(*e).insert((
                Ideal(a.position.clone()),
                Proposals::default(),
                Adopted::default(),
            ));
        }
        world.insert_resource(Model::new(
            data.iter().map(|a| a.capability).collect(),
            data.iter().map(|a| a.salience.clone()).collect(),
            settings.clone(),
            accommodation_matrix(settings, &names),
        ));
        world.insert_resource(Start(data.into_iter().map(|a| a.position).collect()));
        world.insert_resource(Now::default());
        world.insert_resource(Trace::default());
        world.insert_resource(Draws(crate::model::rng::keyed_stream(0, 0, STREAM_KEY)));
        let mut schedule = turn_schedule();
        crate::ecs::initialize(&mut schedule, &mut world);
        Engine { world, schedule }
    }

    /// Plays run `run` under master seed `seed` from the input positions (ideals = positions)
    /// until the stopping rule fires; returns every state, state 0 being the input. The same
    /// `(seed, run)` always gives the same states; deterministic transitions ignore both.
    pub fn run(&mut self, seed: u64, run: u64) -> &[SmpState] {
        let start = self.world.resource::<Start>().0.clone();
        world::reset_positions(&mut self.world, &start);
        let roster = self.world.resource::<Roster>().0.clone();
        for (e, p) in roster.iter().zip(&start) {
            self.world
                .get_mut::<Ideal>(*e)
                .expect("roster entity")
                .0
                .clone_from(p);
        }
        *self.world.resource_mut::<Now>() = Now::default();
        self.world.resource_mut::<Trace>().0.clear();
        self.world.resource_mut::<Draws>().0 =
            crate::model::rng::keyed_stream(seed, run, STREAM_KEY);
        while !self.world.resource::<Now>().stopped {
            self.schedule.run(&mut self.world);
        }
        &self.world.resource::<Trace>().0
    }
}
