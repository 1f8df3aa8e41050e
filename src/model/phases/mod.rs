//! The systems of one round, one module per phase of docs/model.md §3. Each system gathers what it
//! needs, calls the pure functions of [`formulas`](super::formulas), and writes back; the order
//! of the phases is set in one place, [`round_schedule`](super::round_schedule).

pub mod deliberation;
pub mod escalation;
pub mod events;
pub mod offers;
pub mod record;
pub mod responses;
pub mod signalling;
pub mod third_parties;
pub mod trust;

use bevy_ecs::prelude::*;

use super::components::{ActorIndex, Influence, NoDeal};

/// Copies a per-actor value into `out`, indexed by actor (query order does not matter).
pub fn gather<T: Component + Copy>(
    q: &Query<(&ActorIndex, &T)>,
    n: usize,
    out: &mut Vec<T>,
    fill: T,
) {
    out.clear();
    out.resize(n, fill);
    for (i, v) in q {
        out[i.0] = *v;
    }
}

/// Scratch buffers of per-actor values for systems that need every actor at once.
#[derive(Default)]
pub struct ActorBuffers {
    /// Influence share per actor.
    pub influence: Vec<f64>,
    /// No-deal value per actor.
    pub no_deal: Vec<f64>,
    /// Member weights of one side (see [`Model::member_weights`](super::resources::Model::member_weights)).
    pub weights: Vec<f64>,
}

impl ActorBuffers {
    /// Fills `influence` and `no_deal` from the actors' components.
    pub fn fill(&mut self, q: &Query<(&ActorIndex, &Influence, &NoDeal)>, n: usize) {
        self.influence.clear();
        self.influence.resize(n, 0.0);
        self.no_deal.clear();
        self.no_deal.resize(n, 0.0);
        for (i, inf, nd) in q {
            self.influence[i.0] = inf.0;
            self.no_deal[i.0] = nd.0;
        }
    }
}
