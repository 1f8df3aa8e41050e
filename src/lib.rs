//! `detente`: scenario simulation of negotiations between political actors.
//!
//! A scenario file (RON) declares the issues, the sides and their actors, third parties, the
//! schedule of rounds and events, and the model's parameters. The engine steps the actors through
//! the rounds as a `bevy_ecs` simulation and ends each run in an outcome.
//!
//! Data flow (docs/architecture.md §1):
//!
//! ```text
//! scenario.ron ──parse──▶ RawScenario ──validate──▶ Scenario ──spawn──▶ World ──rounds──▶ Outcome
//! ```
//!
//! * [`scenario`]: the file format, loading, `extends`, `--set`, validation, provenance.
//! * [`model`]: the negotiation model of docs/model.md — components, resources, pure
//!   [`model::formulas`], one system set per phase, ordered in [`model::round_schedule`].
//! * [`sim`]: one run in a reused `World` ([`sim::Sim`]); [`outcome`]: what a run ends in and
//!   its per-round trace.
//! * [`study`]: ensembles over many runs, aggregated exactly (identical on any thread count).
//! * [`report`]: pictures of results (SVG).
//! * [`engines`]: reference engines (Bueno de Mesquita's expected-utility model, KTAB's Spatial
//!   Model of Politics), each a `bevy_ecs` schedule of its own; [`ecs`]: how schedules are built.
//! * [`limits`]: the documented limits on the size of work, checked before any of it starts.
//! * [`cli`]: the subcommands behind the `detente` binary.
//! * [`stats`]: the registry of named statistics over runs (shares, deal terms, rounds,
//!   per-round series); [`serve`]: the local web explorer (`detente serve`).
//! * [`safe_fs`]: reading input files (regular files only, bounded, UTF-8, errors that never
//!   quote them) and writing outputs atomically without following planted links.

pub mod cli;
pub mod ecs;
pub mod engines;
pub mod limits;
pub mod model;
pub mod outcome;
pub mod report;
pub mod safe_fs;
pub mod scenario;
pub mod serve;
pub mod sim;
pub mod stats;
pub mod study;
