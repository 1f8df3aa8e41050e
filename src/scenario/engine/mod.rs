//! The settings of the reference engines, as a scenario gives them (`engine: ...`).
//!
//! They are part of the scenario: the file format reads them ([`super::raw`]), validation checks
//! them ([`super::validate`]) and the validated [`super::types::Engine`] carries them. The
//! engines (`engines::bdm`, `engines::smp`) take them from here and re-export them, so the
//! scenario layer does not depend on the engines.
//!
//! * [`bdm`]: the expected-utility model's reading and options.
//! * [`smp`]: the Spatial Model of Politics' settings and stopping rule, and the
//!   ideal-accommodation matrix they describe.

pub mod bdm;
pub mod smp;
