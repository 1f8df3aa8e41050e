//! Phase 8: trust (Kydd 2005). Each side's trust in the other is its posterior that the other
//! is the sincere type, updated from the other's consistency this round (docs/model.md §7).

use bevy_ecs::prelude::*;

use crate::model::components::{SideIndex, Standing};
use crate::model::formulas;
use crate::model::resources::LiveParams;

/// `ψ_k ← clamp(posterior(ψ_k | 1 − consistency_j), ψ_min, ψ_max)`, with the reversal rates
/// `a_r`, `b_r` of the two types as likelihoods ([`formulas::trust_posterior`]).
pub fn update_trust(params: Res<LiveParams>, mut sides: Query<(&SideIndex, &mut Standing)>) {
    let p = &params.0;
    let mut consistency = [0.0; 2];
    for (k, st) in &sides {
        consistency[k.0] = st.consistency;
    }
    for (k, mut st) in &mut sides {
        let posterior = formulas::trust_posterior(
            st.trust,
            1.0 - consistency[1 - k.0],
            p.reversal_if_sincere,
            p.reversal_if_insincere,
        );
        st.trust = posterior.clamp(p.trust_floor, p.trust_ceiling.max(p.trust_floor));
    }
}
