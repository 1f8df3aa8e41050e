//! Reports: what the commands print and draw from results — summary tables and JSON of
//! ensembles ([`run`]), of the reference engines ([`engines`]), and pictures ([`svg`]).
pub mod engines;
pub mod run;
pub mod svg;
