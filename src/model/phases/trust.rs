//! Phase 8: trust (Kydd 2005). Each side's trust in the other is its posterior that the other
//! is the sincere type, updated from the other's consistency this round (docs/model.md §7).

use bevy_ecs::prelude::*;

use crate::model::components::{SideIndex, Standing};
use crate::model::formulas;
use crate::model::resources::{Clock, LiveParams, Model};

/// `ψ_k ← clamp(posterior(ψ_k | 1 − consistency_j), ψ_min, ψ_max)`, with the two types'
/// chances of a reversal over the weeks the round covers (from the per-week rates `a_r`, `b_r`,
/// [`formulas::over_weeks`]) as likelihoods ([`formulas::trust_posterior`]).
pub fn update_trust(
    model: Res<Model>,
    params: Res<LiveParams>,
    clock: Res<Clock>,
    mut sides: Query<(&SideIndex, &mut Standing)>,
) {
    let p = &params.0;
    let dt = model.dt(clock.round);
    let (a, b) = (
        formulas::over_weeks(p.reversal_if_sincere, dt),
        formulas::over_weeks(p.reversal_if_insincere, dt),
    );
    let mut consistency = [0.0; 2];
    for (k, st) in &sides {
        consistency[k.0] = st.consistency;
    }
    for (k, mut st) in &mut sides {
        let posterior = formulas::trust_posterior(st.trust, 1.0 - consistency[1 - k.0], a, b);
        st.trust = posterior.clamp(p.trust_floor, p.trust_ceiling.max(p.trust_floor));
    }
}
