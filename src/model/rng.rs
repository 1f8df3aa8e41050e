//! Named, keyed random draws: every draw of a run is addressed by what it is for, never by how
//! many draws came before it (docs/model.md, "Randomness").
//!
//! A draw is a pure function of (master seed, run index, stream, key, round, slot): the stream
//! names the phase, the key the entity that decides (an actor, side or strike option, from a
//! hash of its id, see [`id_key`]), the slot what is drawn. The result therefore does not depend
//! on the order in which actors, sides or options are listed or visited (docs/model.md, "Order
//! invariance"), adding a draw in one place never shifts another, and run *i* of two variants
//! sees the same numbers (common random numbers).
//!
//! The bits come from SplitMix64 (Steele, Lea & Flood 2014) applied as a counter-based generator:
//! the address is folded into a 64-bit state through the SplitMix64 finaliser, one word per
//! part, and the n-th word of a draw is the finaliser of `state + n·γ`. It is portable and
//! value-stable across platforms and releases; the reference engines keep sequential ChaCha8
//! streams ([`keyed_stream`]).

use bevy_ecs::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The phases that draw random numbers (the first part of a draw's address).
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
    /// Each run's private types (docs/model.md, "Trust").
    Types = 5,
    /// The mediator's estimates of the sides' no-deal values.
    Mediation = 6,
}

/// The SplitMix64 increment γ (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 finaliser: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64's step and finaliser: decorrelates the keys derived from one master seed.
fn splitmix(z: u64) -> u64 {
    mix(z.wrapping_add(GAMMA))
}

/// A stable 64-bit key for an entity named `id` (FNV-1a, then mixed): the key of its draws,
/// the same wherever the entity is listed.
pub fn id_key(id: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    splitmix(h)
}

/// The key of a pair of entities (a strike option: its owner and its target), not symmetric.
pub fn pair_key(a: u64, b: u64) -> u64 {
    splitmix(a ^ splitmix(b))
}

/// The ChaCha8 stream named `key` of run `run` under master seed `seed`, for simulations that
/// draw in sequence (the reference engines).
pub fn keyed_stream(seed: u64, run: u64, key: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(splitmix(seed ^ splitmix(key)));
    rng.set_stream(run);
    rng
}

/// The draws of one run: its master seed and index, folded once.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streams {
    run_key: u64,
}

impl Streams {
    /// The draws of run `run` under master seed `seed`.
    pub fn new(seed: u64, run: u64) -> Self {
        Streams {
            run_key: splitmix(splitmix(seed) ^ run),
        }
    }

    /// Points the draws at another run.
    pub fn reset(&mut self, seed: u64, run: u64) {
        *self = Streams::new(seed, run);
    }

    /// The state of the draw at this address.
    fn state(&self, stream: Stream, key: u64, round: usize, slot: u64) -> u64 {
        let s = splitmix(self.run_key ^ (stream as u64 + 1));
        let s = splitmix(s ^ key);
        let s = splitmix(s ^ round as u64);
        splitmix(s ^ slot)
    }

    /// A uniform draw in [0, 1) (53 bits) at this address.
    pub fn uniform(&self, stream: Stream, key: u64, round: usize, slot: u64) -> f64 {
        let bits = mix(self.state(stream, key, round, slot).wrapping_add(GAMMA));
        (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw at this address (ziggurat; portable, see [`super::ziggurat`]).
    pub fn normal(&self, stream: Stream, key: u64, round: usize, slot: u64) -> f64 {
        let mut z = self.state(stream, key, round, slot);
        super::ziggurat::standard_normal(|| {
            z = z.wrapping_add(GAMMA);
            mix(z)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_depend_on_their_address_only() {
        let s = Streams::new(7, 3);
        let a = s.uniform(Stream::Responses, id_key("a"), 2, 0);
        // Other draws in between change nothing.
        let _ = s.normal(Stream::Signalling, id_key("b"), 2, 5);
        assert_eq!(a, s.uniform(Stream::Responses, id_key("a"), 2, 0));
        assert_eq!(
            a,
            Streams::new(7, 3).uniform(Stream::Responses, id_key("a"), 2, 0)
        );
        // Every part of the address matters.
        let others = [
            Streams::new(8, 3).uniform(Stream::Responses, id_key("a"), 2, 0),
            Streams::new(7, 4).uniform(Stream::Responses, id_key("a"), 2, 0),
            s.uniform(Stream::Escalation, id_key("a"), 2, 0),
            s.uniform(Stream::Responses, id_key("b"), 2, 0),
            s.uniform(Stream::Responses, id_key("a"), 3, 0),
            s.uniform(Stream::Responses, id_key("a"), 2, 1),
        ];
        for o in others {
            assert_ne!(a, o);
        }
    }

    #[test]
    fn uniform_and_normal_draws_have_their_moments() {
        let s = Streams::new(1, 0);
        let n = 200_000;
        let (mut su, mut su2, mut sn, mut sn2) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..n {
            let u = s.uniform(Stream::Responses, 11, i, 0);
            assert!((0.0..1.0).contains(&u));
            su += u;
            su2 += u * u;
            let z = s.normal(Stream::Signalling, 11, i, 0);
            sn += z;
            sn2 += z * z;
        }
        let n = n as f64;
        // Standard errors: mean of U 0.00065, of N 0.0022; variances about 0.0003 and 0.003.
        assert!((su / n - 0.5).abs() < 0.003, "uniform mean {}", su / n);
        assert!((su2 / n - (su / n).powi(2) - 1.0 / 12.0).abs() < 0.002);
        assert!((sn / n).abs() < 0.01, "normal mean {}", sn / n);
        assert!((sn2 / n - 1.0).abs() < 0.015, "normal variance {}", sn2 / n);
    }

    #[test]
    fn keys_of_ids_differ() {
        assert_ne!(id_key("us"), id_key("iran"));
        assert_ne!(pair_key(1, 2), pair_key(2, 1));
        assert_eq!(id_key("us"), id_key("us"));
    }
}
