//! Phase 8: trust. Each side's trust in the other moves toward the other's consistency this
//! round, faster down than up (η⁻ > η⁺), at its leader's learning rates.

use bevy_ecs::prelude::*;

use crate::model::components::{SideIndex, Standing};
use crate::model::formulas;
use crate::model::resources::Model;

/// `trust_k ← trust_k + η·(consistency_j − trust_k)`, η = η⁺ up, η⁻ down.
pub fn update_trust(model: Res<Model>, mut sides: Query<(&SideIndex, &mut Standing)>) {
    let mut consistency = [0.0; 2];
    for (k, st) in &sides {
        consistency[k.0] = st.consistency;
    }
    for (k, mut st) in &mut sides {
        let leader = &model.scenario.actors[model.scenario.sides[k.0].leader];
        st.trust = formulas::trust_update(
            st.trust,
            consistency[1 - k.0],
            leader.trust.gain,
            leader.trust.loss,
        );
    }
}
