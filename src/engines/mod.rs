//! Reference engines: published models run over detente's data, each reproducing its reference
//! numbers (`tests` in each module).
//!
//! * [`bdm`]: Bueno de Mesquita's expected-utility model (Scholz, Calbert & Smith 2011), with the
//!   paper's and the authors' code's conventions.
//! * [`smp`]: KTAB's Spatial Model of Politics.
//! * [`import`]: KTAB and BDM input tables as scenario files.
pub mod bdm;
pub mod import;
pub mod smp;
