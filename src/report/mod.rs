//! Reports: pictures of ensemble results.
pub mod svg;
