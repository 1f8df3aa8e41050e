//! Named random streams: one generator per phase, derived from (master seed, run index).
//!
//! Each phase draws from its own ChaCha8 stream (portable and value-stable, DESIGN §4), keyed by
//! the phase and positioned at the run index with `set_stream`. Adding a draw in one phase
//! therefore never shifts another phase's numbers, and run *i* of two variants uses the same
//! streams (common random numbers).

use bevy_ecs::prelude::*;
use rand::RngExt;
use rand::SeedableRng;
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

/// The generators of one run, with the spare normal draw of each (the polar method makes two).
#[derive(Resource, Debug, Clone)]
pub struct Streams {
    rngs: [ChaCha8Rng; STREAMS],
    spare: [Option<f64>; STREAMS],
}

/// SplitMix64: decorrelates the per-phase keys derived from one master seed.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn generator(seed: u64, run: u64, phase: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(splitmix(seed ^ splitmix(phase as u64 + 1)));
    rng.set_stream(run);
    rng
}

impl Streams {
    /// The streams of run `run` under master seed `seed`.
    pub fn new(seed: u64, run: u64) -> Self {
        Streams {
            rngs: std::array::from_fn(|p| generator(seed, run, p)),
            spare: [None; STREAMS],
        }
    }

    /// Repositions every stream for another run (no allocation).
    pub fn reset(&mut self, seed: u64, run: u64) {
        for (p, rng) in self.rngs.iter_mut().enumerate() {
            *rng = generator(seed, run, p);
        }
        self.spare = [None; STREAMS];
    }

    /// A uniform draw in [0, 1) from `stream`.
    pub fn uniform(&mut self, stream: Stream) -> f64 {
        self.rngs[stream as usize].random::<f64>()
    }

    /// A standard normal draw from `stream`: Marsaglia's polar method through `libm` (portable),
    /// each accepted pair giving two draws.
    pub fn normal(&mut self, stream: Stream) -> f64 {
        if let Some(z) = self.spare[stream as usize].take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform(stream) - 1.0;
            let v = 2.0 * self.uniform(stream) - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = libm::sqrt(-2.0 * libm::log(s) / s);
                self.spare[stream as usize] = Some(v * f);
                return u * f;
            }
        }
    }
}
