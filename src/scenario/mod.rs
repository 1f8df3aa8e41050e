//! Scenario files: the format users write, how it is loaded, patched and validated.
//!
//! ```text
//! file.ron ──parse (ron, spans)──▶ RawScenario ──extends / --set (tree)──▶ RawScenario
//!          ──validate (all errors, field paths)──▶ Scenario (typed, indices, immutable)
//! ```
//!
//! * [`raw`]: the serde types, mirroring the file; the reference for `scenarios/README.md`.
//! * [`params`]: the global model parameters, their defaults, units and ranges.
//! * [`tree`]: merge (`extends`) and path overrides (`--set`) on a generic tree.
//! * [`validate`]: every problem at once, each with its field path.
//! * [`types`]: the validated [`Scenario`] the model runs on.
//! * [`calendar`]: dates of rounds and events, weeks between rounds.
//! * [`engine`]: the settings of the reference engines (`engine: ...`).
//! * [`digest`] and [`provenance`]: the claims values cite, and where each value came from.

pub mod calendar;
pub mod digest;
pub mod engine;
pub mod error;
pub mod load;
pub mod params;
pub mod provenance;
pub mod raw;
pub mod tree;
pub mod types;
pub mod validate;

pub use error::{Diagnostic, Diagnostics};
pub use load::{
    Loaded, Override, Prepared, check_variants, expand, label_of, load, load_str, prepare,
    variant_count,
};
pub use types::Scenario;
