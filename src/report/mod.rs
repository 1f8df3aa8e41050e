//! Reports: what the commands print and draw from results — summary tables and JSON of
//! ensembles ([`run`]) and of the reference engines ([`engines`]), the text of `story`,
//! `explain`, `check` and `compare` ([`story`], [`explain`], [`check`], [`compare`]), and
//! pictures ([`svg`]). The CLI only prints what these modules make.
pub mod check;
pub mod compare;
pub mod diagnose;
pub mod engines;
pub mod explain;
pub mod run;
pub mod story;
pub mod svg;
