//! Reports: pictures of ensemble results.
pub mod check;
pub mod compare;
pub mod explain;
pub mod story;
pub mod svg;
