//! Reference engines: published models run over detente's data, each reproducing its reference
//! numbers (`tests` in each module).
//!
//! Each engine is a `bevy_ecs` schedule of its own over the same actor entities
//! ([`world`]: capability, position and salience per issue); its formulas are pure functions
//! beside it, and no engine's systems appear in another's schedule.
//!
//! * [`bdm`]: Bueno de Mesquita's expected-utility model (Scholz, Calbert & Smith 2011), with the
//!   paper's and the authors' code's conventions.
//! * [`smp`]: KTAB's Spatial Model of Politics.
//! * [`world`]: the actor entities every engine's `World` holds.
//! * [`Runner`] and [`ensemble`]: a scenario's engine, run once or many times in run order on
//!   any number of threads; [`output`]: their results files (`run --out`).
//! * [`import`]: KTAB and BDM input tables as scenario files.
pub mod bdm;
pub mod import;
pub mod output;
pub mod smp;
pub mod world;

use std::borrow::Cow;

use crate::scenario::Scenario;
use crate::scenario::types::Engine;

/// One run of a reference engine: its rounds (BDM) or states (SMP), borrowed from the engine
/// that played it ([`Runner::run`]) or owned ([`Trace::into_owned`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Trace<'a> {
    /// Round 0 (the input), then one record per round.
    ExpectedUtility(Cow<'a, [bdm::Round]>),
    /// State 0 (the input), then one state per turn.
    SpatialModel(Cow<'a, [smp::SmpState]>),
}

impl Trace<'_> {
    /// The trace with its rounds (states) copied out of the engine.
    pub fn into_owned(self) -> Trace<'static> {
        match self {
            Trace::ExpectedUtility(r) => Trace::ExpectedUtility(Cow::Owned(r.into_owned())),
            Trace::SpatialModel(s) => Trace::SpatialModel(Cow::Owned(s.into_owned())),
        }
    }

    /// Rounds played (states after the input).
    pub fn rounds(&self) -> usize {
        match self {
            Trace::ExpectedUtility(r) => r.len() - 1,
            Trace::SpatialModel(s) => s.len() - 1,
        }
    }

    /// Every actor's position per issue in round (state) `t`; the expected-utility model has
    /// one issue.
    pub fn positions(&self, t: usize) -> Vec<Vec<f64>> {
        match self {
            Trace::ExpectedUtility(r) => r[t].positions.iter().map(|&x| vec![x]).collect(),
            Trace::SpatialModel(s) => s[t].positions.clone(),
        }
    }

    /// Every actor's final position, per issue.
    pub fn final_positions(&self) -> Vec<Vec<f64>> {
        self.positions(self.rounds())
    }
}

enum Inner {
    ExpectedUtility(bdm::schedule::Engine, usize),
    SpatialModel(smp::schedule::Engine),
}

/// A reference engine set up for one scenario, reusable for many runs (one per worker thread).
pub struct Runner {
    inner: Inner,
    stochastic: bool,
}

impl Runner {
    /// The engine the scenario names, over its actors; `None` for the negotiation model.
    ///
    /// The expected-utility model reads each actor's first issue only; the spatial model reads
    /// every issue, with the scenario's saliences (0–1) on KTAB's 0–100 scale.
    pub fn new(s: &Scenario) -> Option<Self> {
        match &s.engine {
            Engine::Negotiation => None,
            Engine::ExpectedUtility { options, rounds } => Some(Runner {
                inner: Inner::ExpectedUtility(
                    bdm::schedule::Engine::new(&bdm_actors(s), options),
                    *rounds,
                ),
                stochastic: false,
            }),
            Engine::SpatialModel(settings) => {
                let actors: Vec<smp::SmpActor> = s
                    .actors
                    .iter()
                    .map(|a| smp::SmpActor {
                        // Accommodation entries name actors by id.
                        name: a.id.clone(),
                        power: a.capability,
                        position: a.ideal.clone(),
                        salience: a.salience.iter().map(|x| 100.0 * x).collect(),
                    })
                    .collect();
                Some(Runner {
                    inner: Inner::SpatialModel(smp::schedule::Engine::new(&actors, settings)),
                    stochastic: stochastic(s),
                })
            }
        }
    }

    /// Sets this runner up for `s` (another variant of the same study) without building a new
    /// engine, when `s` names the expected-utility model over as many actors; returns false,
    /// changing nothing, otherwise. A reloaded runner runs exactly as [`Runner::new`] of `s`.
    pub fn reload(&mut self, s: &Scenario) -> bool {
        match (&mut self.inner, &s.engine) {
            (Inner::ExpectedUtility(engine, r), Engine::ExpectedUtility { options, rounds }) => {
                let ok = engine.reload(&bdm_actors(s), options);
                if ok {
                    *r = *rounds;
                }
                ok
            }
            _ => false,
        }
    }

    /// Whether runs differ by seed (stochastic SMP transitions); otherwise every run is the
    /// same and one is the result.
    pub fn stochastic(&self) -> bool {
        self.stochastic
    }

    /// Run `run` under master seed `seed`; the same pair always gives the same trace, which
    /// borrows the engine until its next run.
    pub fn run(&mut self, seed: u64, run: u64) -> Trace<'_> {
        match &mut self.inner {
            Inner::ExpectedUtility(e, rounds) => {
                Trace::ExpectedUtility(Cow::Borrowed(e.run(*rounds)))
            }
            Inner::SpatialModel(e) => Trace::SpatialModel(Cow::Borrowed(e.run(seed, run))),
        }
    }
}

/// The expected-utility model's actors of `s`: each actor's first issue.
fn bdm_actors(s: &Scenario) -> Vec<bdm::Actor> {
    s.actors
        .iter()
        .map(|a| bdm::Actor {
            name: a.id.clone(),
            capability: a.capability,
            position: a.ideal[0],
            salience: a.salience[0],
        })
        .collect()
}

/// Whether the runs of `s`'s engine differ by seed (stochastic SMP transitions), as
/// [`Runner::stochastic`] says, without building the engine.
pub fn stochastic(s: &Scenario) -> bool {
    match &s.engine {
        Engine::SpatialModel(settings) => settings.transitions == smp::StateTransitions::Stochastic,
        _ => false,
    }
}

/// The capability × salience weighted mean of `positions` on issue `d`: the baseline every
/// engine reports beside its forecast (the one Bueno de Mesquita's model has been shown to
/// lose to).
pub fn weighted_mean(s: &Scenario, positions: &[Vec<f64>], d: usize) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for (a, x) in s.actors.iter().zip(positions) {
        let w = a.capability * a.salience.get(d).copied().unwrap_or(0.0);
        num += w * x[d];
        den += w;
    }
    if den > 0.0 { num / den } else { f64::NAN }
}

/// Runs in a chunk of a reference-engine ensemble.
pub const CHUNK: u64 = 16;

/// Runs `runs` runs (from `first`) of the scenario's engine through the
/// [executor](crate::study::executor) on `threads` workers (0: one per core), calling
/// `each(run, trace)` in run order, so what it sees never depends on the thread count.
/// `stop(runs done)` is asked after each chunk and ends the ensemble there when it returns
/// true. Returns the number of runs done.
pub fn ensemble(
    s: &Scenario,
    first: u64,
    runs: u64,
    seed: u64,
    threads: usize,
    stop: &(dyn Fn(u64) -> bool + Sync),
    mut each: impl FnMut(u64, Trace<'static>) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    use crate::study::executor::{Simulator, execute};
    execute(
        threads,
        first..first.saturating_add(runs),
        CHUNK,
        || Runner::new(s),
        |runner, chunk| match runner {
            Some(r) => chunk
                .map(|i| (i, Simulator::run(r, seed, i).into_owned()))
                .collect(),
            None => Vec::new(),
        },
        |_, traces| {
            for (r, t) in traces {
                each(r, t)?;
            }
            Ok(())
        },
        stop,
    )
}

impl crate::study::executor::Simulator for Runner {
    type View<'a> = Trace<'a>;

    fn run(&mut self, seed: u64, run: u64) -> Trace<'_> {
        Runner::run(self, seed, run)
    }
}
