//! The loader never panics on user input: random bytes, mutated copies of the baseline, and
//! random overrides all end in `Ok` or in diagnostics (property tests with a fixed seed, so CI
//! runs the same cases every time).

use std::path::Path;

use detente::scenario::{Override, load_str};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

const BASELINE: &str = include_str!("../scenarios/iran-talks-2025.ron");
const PATH: &str = "scenarios/fuzzed.ron";

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(20250419),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Tokens that make mutations likely to reach deep into parsing and validation.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"",
    "NaN",
    "inf",
    "-1",
    "1e308",
    "0.5",
    "None",
    "Some(",
    "Leader",
    "Strike(",
    "extends: Some(\"iran-talks-2025.ron\"),",
    "//",
    "/*",
    "\\",
    "\"hawks\"",
    "\"nobody\"",
    "id",
    "round: 99",
    "ü",
    "\u{0}",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, usize),
    Replace(usize, u8),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut b = text.as_bytes().to_vec();
    for m in muts {
        let n = b.len().max(1);
        match *m {
            Mutation::Delete(a, len) => {
                let a = a % n;
                let e = (a + len).min(b.len());
                b.drain(a.min(b.len())..e);
            }
            Mutation::Insert(a, t) => {
                let a = a % (b.len() + 1);
                b.splice(a..a, TOKENS[t].bytes());
            }
            Mutation::Replace(a, byte) => {
                if !b.is_empty() {
                    let i = a % b.len();
                    b[i] = byte;
                }
            }
            Mutation::Swap(x, y) => {
                if !b.is_empty() {
                    let (i, j) = (x % b.len(), y % b.len());
                    b.swap(i, j);
                }
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = load_str(&text, Path::new(PATH), &[]);
    }
}

proptest! {
    #![proptest_config(config(2500))]

    #[test]
    fn mutated_baseline_never_panics(muts in proptest::collection::vec(mutation(), 1..6)) {
        let text = apply(BASELINE, &muts);
        if let Err(e) = load_str(&text, Path::new(PATH), &[]) {
            // Every diagnostic renders, and says where.
            let shown = e.to_string();
            prop_assert!(shown.contains("error: "));
        }
    }

    #[test]
    fn random_overrides_never_panic(
        path in "[a-z_.]{0,12}(actors|params|sides|events|issues)?[.a-z_0-9-]{0,30}",
        value in "[-a-zA-Z0-9_.,\"\\[\\]() ]{0,16}",
    ) {
        let o = Override { path, value };
        let _ = load_str(BASELINE, Path::new("scenarios/iran-talks-2025.ron"), &[o]);
    }
}

#[test]
fn overrides_on_real_paths_with_odd_values_never_panic() {
    let paths = [
        "actors.hawks.influence",
        "params.misperception",
        "sides.us.veto",
        "events.envoy-reversal.effect",
        "actors.israel.capabilities.strike",
        "issues.enrichment.status_quo",
        "rounds.0.venue",
        "actors.hawks.ideal",
    ];
    let values = [
        "1", "-1", "\"x\"", "[]", "[1, 2]", "None", "Some(3)", "true", "Faction", "1e999", "",
    ];
    for p in paths {
        for v in values {
            let o = Override {
                path: p.into(),
                value: v.into(),
            };
            let _ = load_str(BASELINE, Path::new("scenarios/iran-talks-2025.ron"), &[o]);
        }
    }
}
