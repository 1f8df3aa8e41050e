//! One run: a `World` and its round `Schedule`, reused across runs.

use std::sync::Arc;

use bevy_ecs::prelude::*;

use crate::model::resources::{Ending, Trace};
use crate::model::{round_schedule, spawn};
use crate::outcome::{Outcome, RoundRecord};
use crate::scenario::Scenario;

/// A simulator for one scenario: owns a World and its Schedule and resets them between runs.
/// Not shared between threads; make one per worker.
pub struct Sim {
    world: World,
    schedule: Schedule,
    reset: Schedule,
    horizon: usize,
}

/// The result of one run, borrowed from the simulator until its next run.
#[derive(Debug)]
pub struct RunView<'a> {
    /// How the run ended.
    pub outcome: &'a Outcome,
    /// One record per round played.
    pub trace: &'a [RoundRecord],
}

impl Sim {
    /// Builds the World and initialises the schedule.
    ///
    /// # Panics
    /// If the scenario uses a reference engine (see [`crate::engines`]), or if the schedule has
    /// an ambiguity (a bug in the model, caught by the tests).
    pub fn new(scenario: Arc<Scenario>) -> Self {
        assert!(
            scenario.engine == crate::scenario::types::Engine::Negotiation,
            "Sim runs the negotiation model; this scenario uses the {} engine",
            scenario.engine.name()
        );
        let horizon = scenario.rounds.len();
        let mut world = spawn::spawn(scenario);
        let mut schedule = round_schedule();
        crate::ecs::initialize(&mut schedule, &mut world);
        let mut reset = spawn::reset_schedule();
        crate::ecs::initialize(&mut reset, &mut world);
        Sim {
            world,
            schedule,
            reset,
            horizon,
        }
    }

    /// Switches to another scenario of the same shape (same actors, sides, issues; a sweep's
    /// design points differ only in values) without rebuilding the World. Returns `false`, and
    /// changes nothing, when the shapes differ.
    pub fn set_scenario(&mut self, scenario: Arc<Scenario>) -> bool {
        let old = &self
            .world
            .resource::<crate::model::resources::Model>()
            .scenario;
        let same = old.actors.len() == scenario.actors.len()
            && old.sides.len() == scenario.sides.len()
            && old.issues.len() == scenario.issues.len()
            && old
                .actors
                .iter()
                .zip(&scenario.actors)
                .all(|(a, b)| a.side == b.side && a.role == b.role);
        if same {
            self.horizon = scenario.rounds.len();
            self.world
                .insert_resource(crate::model::resources::Model::new(scenario));
        }
        same
    }

    /// Plays run `run` under master seed `seed` to its end and returns its outcome and trace.
    /// The same `(seed, run)` always gives the same result, whatever ran before.
    pub fn run(&mut self, seed: u64, run: u64) -> RunView<'_> {
        *self.world.resource_mut::<spawn::RunId>() = spawn::RunId { seed, run };
        self.reset.run(&mut self.world);
        for _ in 0..self.horizon {
            self.schedule.run(&mut self.world);
            if self.world.resource::<Ending>().0.is_some() {
                break;
            }
        }
        RunView {
            outcome: self
                .world
                .resource::<Ending>()
                .0
                .as_ref()
                .expect("the record phase ends the run at the horizon"),
            trace: self.world.resource::<Trace>().rows(),
        }
    }
}

impl crate::study::executor::Simulator for Sim {
    type View<'a> = RunView<'a>;

    fn run(&mut self, seed: u64, run: u64) -> RunView<'_> {
        Sim::run(self, seed, run)
    }
}
