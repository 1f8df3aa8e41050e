//! Settings of Bueno de Mesquita's expected-utility model (the `ExpectedUtility` engine): which
//! reading of the model, `Q` and the range rule.

use serde::{Deserialize, Serialize};

/// Which reading of the model (the documentation of the engine, `engines::bdm`, lists every
/// difference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conventions {
    /// The paper's text, as this module reads it.
    Paper,
    /// Scholz et al.'s own code (the regression target).
    ScholzCode,
}

/// Options of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Which reading of the model.
    pub conventions: Conventions,
    /// `Q`, the probability that, if `j` does not resist `i`'s challenge, the status quo
    /// persists; 1.0 by default (and in Scholz et al.'s code), in which case `T` drops out.
    pub q: f64,
    /// `true`: the range `R` stays the initial range (max − min of the input positions) for
    /// all rounds, as in Scholz et al.'s code; `false`: `R` is recomputed from the positions
    /// at the start of each round.
    pub fixed_range: bool,
}

impl Options {
    /// Scholz et al.'s code: `Q = 1`, `R` fixed at the initial range.
    pub fn scholz_code() -> Self {
        Self {
            conventions: Conventions::ScholzCode,
            q: 1.0,
            fixed_range: true,
        }
    }

    /// The paper's text: `Q = 1`, `R` recomputed each round.
    pub fn paper() -> Self {
        Self {
            conventions: Conventions::Paper,
            q: 1.0,
            fixed_range: false,
        }
    }
}

impl Default for Options {
    /// [`Options::scholz_code`], the reading with a regression target.
    fn default() -> Self {
        Self::scholz_code()
    }
}
