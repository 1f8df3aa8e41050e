//! The expected-utility model as a `bevy_ecs` schedule: one round is five phases over the
//! actor entities of [`crate::engines::world`], ordered in [`round_schedule`]. The formulas are
//! the pure functions of the parent module; the systems only move data between them and the
//! `World`.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::ScheduleLabel;

use super::{
    Actor, Board, Expectation, Move, Options, Round, Scratch, condorcet_median_in, weighted_mean,
};
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

/// The round in progress: positions at its start, `R`, the median, the exponents and `P`,
/// and the buffers its formulas write in.
#[derive(Resource, Debug, Clone, Default)]
pub struct RoundState {
    x: Vec<f64>,
    range: f64,
    median: f64,
    risk: Vec<f64>,
    p: Vec<f64>,
    /// The range and Condorcet median of the positions now held, as last recorded (the next
    /// round's frame takes the median from here when its range is the same).
    recorded: Option<(f64, f64)>,
    scratch: Scratch,
}

/// The offer an actor takes this round, if any, and what it expected of a challenge with each
/// other actor.
#[derive(Component, Debug, Clone, Default)]
pub struct Offer(pub Option<Move>, pub Vec<Expectation>);

/// Round 0 (the input) then one [`Round`] per round played. The records of a run are
/// overwritten by the next run's, in place, so that their buffers are reused.
#[derive(Resource, Debug, Clone, Default)]
pub struct History {
    records: Vec<Round>,
    len: usize,
}

impl History {
    /// The rounds of the last run.
    pub fn rounds(&self) -> &[Round] {
        &self.records[..self.len]
    }

    /// The next record, emptied (its buffers kept).
    fn next(&mut self) -> &mut Round {
        if self.len == self.records.len() {
            self.records.push(Round::default());
        }
        self.len += 1;
        let r = &mut self.records[self.len - 1];
        r.positions.clear();
        r.risk.clear();
        r.moves.clear();
        r
    }
}

fn span(x: &[f64]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = x.iter().copied().fold(f64::INFINITY, f64::min);
    max - min
}

fn board<'a>(setup: &'a Setup, x: &'a [f64], range: f64, median: f64) -> Board<'a> {
    Board {
        x,
        weights: &setup.weights,
        salience: &setup.salience,
        range,
        median,
        q: setup.options.q,
        conventions: setup.options.conventions,
    }
}

/// Frame: the positions at the start of the round, the range (fixed or current) and the
/// median.
fn frame(setup: Res<Setup>, roster: Res<Roster>, q: Query<&Position>, mut b: ResMut<RoundState>) {
    let b = &mut *b;
    b.x.clear();
    b.x.extend(
        roster
            .0
            .iter()
            .map(|&e| q.get(e).expect("roster entity").0[0]),
    );
    b.range = if setup.options.fixed_range {
        setup.initial_range
    } else {
        span(&b.x)
    };
    b.median = match b.recorded {
        Some((range, median)) if range == b.range => median,
        _ => condorcet_median_in(&mut b.scratch.candidates, &b.x, &setup.weights, b.range),
    };
}

/// Risk: every actor's risk exponent from the danger it is in (risk-neutral pass), then `P`
/// with those exponents. With `R = 0` (all agree) every exponent is 1.
fn assess_risk(setup: Res<Setup>, mut b: ResMut<RoundState>) {
    let RoundState {
        x,
        range,
        median,
        risk,
        p,
        scratch,
        ..
    } = &mut *b;
    if *range > 0.0 {
        let board = board(&setup, x, *range, *median);
        board.risk(scratch, risk);
        board.probabilities(risk, &mut scratch.table, p);
    } else {
        risk.clear();
        risk.resize(x.len(), 1.0);
        p.clear();
    }
}

/// Offers: the offer each actor takes, if any.
fn choose_offers(
    setup: Res<Setup>,
    mut b: ResMut<RoundState>,
    roster: Res<Roster>,
    mut offers: Query<&mut Offer>,
) {
    let RoundState {
        x,
        range,
        median,
        risk,
        p,
        scratch,
        ..
    } = &mut *b;
    let board = board(&setup, x, *range, *median);
    scratch.challenges.resize_with(x.len(), Vec::new);
    for (i, &e) in roster.0.iter().enumerate() {
        let mut offer = offers.get_mut(e).expect("roster entity");
        let offer = &mut *offer;
        if *range > 0.0 {
            board.expectations(p, risk, i, &mut scratch.challenges, &mut offer.1);
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
    mut b: ResMut<RoundState>,
    roster: Res<Roster>,
    q: Query<(&Position, &Offer)>,
    mut history: ResMut<History>,
) {
    let b = &mut *b;
    let round = history.next();
    let n = roster.0.len();
    // What each actor expected (the next round computes it afresh); none when all agree.
    let expecting = if b.range > 0.0 { n } else { 0 };
    round.expected.truncate(expecting);
    round.expected.resize_with(expecting, Vec::new);
    for (a, &e) in roster.0.iter().enumerate() {
        let (pos, offer) = q.get(e).expect("roster entity");
        round.positions.push(pos.0[0]);
        round.moves.extend(offer.0.clone());
        if let Some(expected) = round.expected.get_mut(a) {
            expected.clone_from(&offer.1);
        }
    }
    round.median = condorcet_median_in(
        &mut b.scratch.candidates,
        &round.positions,
        &setup.weights,
        b.range,
    );
    round.mean = weighted_mean(&round.positions, &setup.weights);
    round.risk.extend_from_slice(&b.risk);
    b.recorded = Some((b.range, round.median));
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
        let roster = std::mem::take(&mut self.world.resource_mut::<Roster>().0);
        let same = roster.len() == actors.len();
        if same {
            for (&e, a) in roster.iter().zip(actors) {
                let mut entity = self.world.entity_mut(e);
                *entity.get_mut::<world::Capability>().expect("an actor") =
                    world::Capability(a.capability);
                let mut salience = entity.get_mut::<world::Salience>().expect("an actor");
                salience.0.clear();
                salience.0.push(a.salience);
            }
            let mut setup = self.world.resource_mut::<Setup>();
            setup.options.clone_from(options);
            setup.weights.clear();
            setup
                .weights
                .extend(actors.iter().map(|a| a.capability * a.salience));
            setup.salience.clear();
            setup.salience.extend(actors.iter().map(|a| a.salience));
            for (start, a) in setup.start.iter_mut().zip(actors) {
                start.clear();
                start.push(a.position);
            }
            setup.initial_range = span(&setup.start.iter().map(|p| p[0]).collect::<Vec<_>>());
        }
        self.world.resource_mut::<Roster>().0 = roster;
        same
    }

    /// Plays `rounds` rounds from the input positions; returns round 0 (the input: positions,
    /// median, mean) then one record per round. Deterministic: the model draws nothing.
    pub fn run(&mut self, rounds: usize) -> &[Round] {
        let start = std::mem::take(&mut self.world.resource_mut::<Setup>().start);
        world::reset_positions(&mut self.world, &start);
        self.world.resource_mut::<Setup>().start = start;
        self.world.resource_scope(|w, mut history: Mut<History>| {
            w.resource_scope(|w, mut b: Mut<RoundState>| {
                let setup = w.resource::<Setup>();
                history.len = 0;
                let round0 = history.next();
                round0.positions.extend(setup.start.iter().map(|p| p[0]));
                round0.expected.clear();
                round0.median = condorcet_median_in(
                    &mut b.scratch.candidates,
                    &round0.positions,
                    &setup.weights,
                    setup.initial_range,
                );
                round0.mean = weighted_mean(&round0.positions, &setup.weights);
                b.recorded = Some((setup.initial_range, round0.median));
            })
        });
        for _ in 0..rounds {
            self.schedule.run(&mut self.world);
        }
        self.world.resource::<History>().rounds()
    }
}
