//! The expected-utility model as a `bevy_ecs` schedule: one round is five phases over the
//! actor entities of [`crate::engines::world`], ordered in [`round_schedule`]. The formulas are
//! the pure functions of the parent module; the systems only move data between them and the
//! `World`.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::ScheduleLabel;

use super::{Actor, Board, Expectation, Move, Options, Round, condorcet_median, weighted_mean};
use crate::engines::world::{self, ActorData, Position, Roster};

/// The schedule that plays one round.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
pub struct BdmRound;

/// The phases of a round (see the parent module's documentation), in this order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The round's range `R` and median.
    Frame,
    /// The risk-neutral pass: every actor's danger and risk exponent.
    Risk,
    /// The pass with those exponents: each actor's offers and the one it takes.
    Offers,
    /// Every actor takes its offer at once.
    Moves,
    /// The round's record: positions, median, mean, exponents, moves.
    Record,
}

/// What stays fixed over a run: the options, the weights `c·s`, the saliences and the initial
/// range.
#[derive(Resource, Debug, Clone)]
pub struct Setup {
    /// The model's options.
    pub options: Options,
    /// `c_i·s_i` per actor.
    pub weights: Vec<f64>,
    /// `s_i` per actor.
    pub salience: Vec<f64>,
    /// max − min of the input positions.
    pub initial_range: f64,
    /// The input positions (for resets).
    pub start: Vec<Vec<f64>>,
}

/// The round in progress: positions at its start, `R`, the median, the exponents and `P`.
#[derive(Resource, Debug, Clone, Default)]
pub struct RoundState {
    x: Vec<f64>,
    range: f64,
    median: f64,
    risk: Vec<f64>,
    p: Vec<f64>,
}

/// The offer an actor takes this round, if any, and what it expected of a challenge with each
/// other actor.
#[derive(Component, Debug, Clone, Default)]
pub struct Offer(pub Option<Move>, pub Vec<Expectation>);

/// Round 0 (the input) then one [`Round`] per round played.
#[derive(Resource, Debug, Clone, Default)]
pub struct History(pub Vec<Round>);

fn span(x: &[f64]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = x.iter().copied().fold(f64::INFINITY, f64::min);
    max - min
}

fn board<'a>(setup: &'a Setup, b: &'a RoundState) -> Board<'a> {
    Board {
        x: &b.x,
        weights: &setup.weights,
        salience: &setup.salience,
        range: b.range,
        median: b.median,
        q: setup.options.q,
        conventions: setup.options.conventions,
    }
}

/// Frame: the positions at the start of the round, the range (fixed or current) and the
/// median.
fn frame(setup: Res<Setup>, roster: Res<Roster>, q: Query<&Position>, mut b: ResMut<RoundState>) {
    b.x = world::positions(&roster, &q).iter().map(|p| p[0]).collect();
    b.range = if setup.options.fixed_range {
        setup.initial_range
    } else {
        span(&b.x)
    };
    b.median = condorcet_median(&b.x, &setup.weights, b.range);
}

/// Risk: every actor's risk exponent from the danger it is in (risk-neutral pass), then `P`
/// with those exponents. With `R = 0` (all agree) every exponent is 1.
fn assess_risk(setup: Res<Setup>, mut b: ResMut<RoundState>) {
    let (risk, p) = if b.range > 0.0 {
        let board = board(&setup, &b);
        let risk = board.risk();
        let p = board.probabilities(&risk);
        (risk, p)
    } else {
        (vec![1.0; b.x.len()], Vec::new())
    };
    b.risk = risk;
    b.p = p;
}

/// Offers: the offer each actor takes, if any.
fn choose_offers(
    setup: Res<Setup>,
    b: Res<RoundState>,
    roster: Res<Roster>,
    mut offers: Query<&mut Offer>,
) {
    let board = board(&setup, &b);
    for (i, &e) in roster.0.iter().enumerate() {
        let mut offer = offers.get_mut(e).expect("roster entity");
        if b.range > 0.0 {
            offer.1 = board.expectations(&b.p, &b.risk, i);
            offer.0 = board.choose(i, &offer.1);
        } else {
            offer.1.clear();
            offer.0 = None;
        }
    }
}

/// Moves: all at once, after every offer is chosen.
fn take_offers(mut q: Query<(&Offer, &mut Position)>) {
    for (offer, mut pos) in &mut q {
        if let Some(m) = &offer.0 {
            pos.0[0] = m.to;
        }
    }
}

/// Record: the round as the papers tabulate it.
fn record(
    setup: Res<Setup>,
    b: Res<RoundState>,
    roster: Res<Roster>,
    mut q: Query<(&Position, &mut Offer)>,
    mut history: ResMut<History>,
) {
    let mut positions = Vec::with_capacity(roster.0.len());
    let mut moves = Vec::new();
    let mut expected = Vec::with_capacity(roster.0.len());
    for &e in &roster.0 {
        let (pos, mut offer) = q.get_mut(e).expect("roster entity");
        positions.push(pos.0[0]);
        moves.extend(offer.0.clone());
        if b.range > 0.0 {
            // The next round computes them afresh.
            expected.push(std::mem::take(&mut offer.1));
        }
    }
    history.0.push(Round {
        median: condorcet_median(&positions, &setup.weights, b.range),
        mean: weighted_mean(&positions, &setup.weights),
        positions,
        risk: b.risk.clone(),
        moves,
        expected,
    });
}

/// Builds the round schedule: the five phases chained, one system each.
pub fn round_schedule() -> Schedule {
    let mut schedule = crate::ecs::strict_schedule(BdmRound);
    schedule.configure_sets(
        (
            Phase::Frame,
            Phase::Risk,
            Phase::Offers,
            Phase::Moves,
            Phase::Record,
        )
            .chain(),
    );
    schedule.add_systems((
        frame.in_set(Phase::Frame),
        assess_risk.in_set(Phase::Risk),
        choose_offers.in_set(Phase::Offers),
        take_offers.in_set(Phase::Moves),
        record.in_set(Phase::Record),
    ));
    schedule
}

/// The expected-utility model over a set of actors: a `World` with the actors as entities and
/// the round schedule, reusable for several runs.
pub struct Engine {
    world: World,
    schedule: Schedule,
}

impl Engine {
    /// Spawns the actors (one issue: each actor's `position`) under `options`.
    pub fn new(actors: &[Actor], options: &Options) -> Self {
        let data: Vec<ActorData> = actors
            .iter()
            .map(|a| ActorData {
                capability: a.capability,
                position: vec![a.position],
                salience: vec![a.salience],
            })
            .collect();
        let mut world = World::new();
        world::spawn_actors(&mut world, &data);
        let roster = world.resource::<Roster>().0.clone();
        for e in roster {
            world.entity_mut(e).insert(Offer::default());
        }
        let x: Vec<f64> = actors.iter().map(|a| a.position).collect();
        world.insert_resource(Setup {
            options: options.clone(),
            weights: actors.iter().map(|a| a.capability * a.salience).collect(),
            salience: actors.iter().map(|a| a.salience).collect(),
            initial_range: span(&x),
            start: data.into_iter().map(|a| a.position).collect(),
        });
        world.insert_resource(RoundState::default());
        world.insert_resource(History::default());
        let mut schedule = round_schedule();
        crate::ecs::initialize(&mut schedule, &mut world);
        Engine { world, schedule }
    }

    /// Sets the engine up for other actors of the same number (another variant of a study),
    /// keeping its `World` and schedule; returns false, changing nothing, when the number of
    /// actors differs (build a new engine then). A reloaded engine plays exactly as
    /// [`Engine::new`] of the same actors would.
    pub fn reload(&mut self, actors: &[Actor], options: &Options) -> bool {
        let roster = self.world.resource::<Roster>().0.clone();
        if roster.len() != actors.len() {
            return false;
        }
        for (&e, a) in roster.iter().zip(actors) {
            let mut entity = self.world.entity_mut(e);
            entity.insert((
                world::Capability(a.capability),
                world::Salience(vec![a.salience]),
            ));
        }
        let x: Vec<f64> = actors.iter().map(|a| a.position).collect();
        let mut setup = self.world.resource_mut::<Setup>();
        setup.options.clone_from(options);
        setup.weights.clear();
        setup
            .weights
            .extend(actors.iter().map(|a| a.capability * a.salience));
        setup.salience.clear();
        setup.salience.extend(actors.iter().map(|a| a.salience));
        setup.initial_range = span(&x);
        setup.start = x.into_iter().map(|p| vec![p]).collect();
        true
    }

    /// Plays `rounds` rounds from the input positions; returns round 0 (the input: positions,
    /// median, mean) then one record per round. Deterministic: the model draws nothing.
    pub fn run(&mut self, rounds: usize) -> &[Round] {
        let setup = self.world.resource::<Setup>().clone();
        world::reset_positions(&mut self.world, &setup.start);
        let x: Vec<f64> = setup.start.iter().map(|p| p[0]).collect();
        let round0 = Round {
            median: condorcet_median(&x, &setup.weights, setup.initial_range),
            mean: weighted_mean(&x, &setup.weights),
            positions: x,
            risk: Vec::new(),
            moves: Vec::new(),
            expected: Vec::new(),
        };
        let mut history = self.world.resource_mut::<History>();
        history.0.clear();
        history.0.push(round0);
        for _ in 0..rounds {
            self.schedule.run(&mut self.world);
        }
        &self.world.resource::<History>().0
    }
}
