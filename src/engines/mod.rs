//! Reference engines: published models run over detente's data.
pub mod bdm;
