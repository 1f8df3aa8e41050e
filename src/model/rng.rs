//! Named random streams: one generator per phase, derived from (master seed, run index).
//!
//! Each phase draws from its own ChaCha8 stream (portable and value-stable, docs/model.md §9),
//! keyed by the phase and positioned at the run index with `set_stream`. Adding a draw in one phase
//! therefore never shifts another phase's numbers, and run *i* of two variants uses the same
//! streams (common random numbers).

use bevy_ecs::prelude::*;
use rand::SeedableRng;
use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;

/// The phases that draw random numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Influence drift.
    Deliberation = 0,
    /// Statement noise.
    Signalling = 1,
    /// Acceptance draws.
    Responses = 2,
    /// Third-party strike decisions and answers.
    ThirdParties = 3,
    /// Side strikes, misperception, collapse.
    Escalation = 4,
}

const STREAMS: usize = 5;

/// The generators of one run.
#[derive(Resource, Debug, Clone)]
pub struct Streams {
    rngs: [ChaCha8Rng; STREAMS],
}

/// SplitMix64: decorrelates the per-phase keys derived from one master seed.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn generator(seed: u64, run: u64, phase: usize) -> ChaCha8Rng {
    keyed_stream(seed, run, phase as u64 + 1)
}

/// The ChaCha8 stream named `key` of run `run` under master seed `seed`: the same derivation
/// as the phases' streams, for other simulations (the reference engines) that draw. Keys
/// 1–5 are the negotiation model's phases.
pub fn keyed_stream(seed: u64, run: u64, key: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(splitmix(seed ^ splitmix(key)));
    rng.set_stream(run);
    rng
}

impl Streams {
    /// The streams of run `run` under master seed `seed`.
    pub fn new(seed: u64, run: u64) -> Self {
        Streams {
            rngs: std::array::from_fn(|p| generator(seed, run, p)),
        }
    }

    /// Repositions every stream for another run (no allocation).
    pub fn reset(&mut self, seed: u64, run: u64) {
        for (p, rng) in self.rngs.iter_mut().enumerate() {
            *rng = generator(seed, run, p);
        }
    }

    /// A uniform draw in [0, 1) from `stream`.
    pub fn uniform(&mut self, stream: Stream) -> f64 {
        self.rngs[stream as usize].random::<f64>()
    }

    /// A standard normal draw from `stream` (ziggurat; portable, see [`super::ziggurat`]).
    pub fn normal(&mut self, stream: Stream) -> f64 {
        let rng = &mut self.rngs[stream as usize];
        super::ziggurat::standard_normal(|| rng.next_u64())
    }
}
