//! Criterion benchmarks of the reference engines:
//!
//! - `bdm/eu_10_rounds_reused`: the EU emission-standards case (10 actors), 10 rounds on a
//!   reused engine (World and schedule kept); `bdm/eu_10_rounds_fresh` builds the engine too;
//!   `bdm/eu_10_rounds_paper_reused` under the paper's conventions.
//! - `bdm/1k_perturbed_runs`: 1,000 runs of that case with every position moved by a uniform
//!   draw in ±0.5 (the inputs are drawn once, outside the timing), one thread.
//! - `smp/turn/{7,25,100}_actors`: KTAB's Spatial Model of Politics, default settings, three
//!   dimensions, random positions and saliences: 5 turns (min_iter = max_iter = 5) per
//!   iteration; the time per turn is the median divided by 5.
//! - `grid/eu_variant_*`: one variant of a `--set` grid over
//!   `scenarios/reference/eu-emissions-1994.ron` (four actors' positions, each variant another
//!   combination), as `detente run` makes it: `resolve` applies the overrides to the scenario
//!   read once and validates it, `engine` reloads a kept engine and plays the 10 rounds, `render`
//!   prints the summary table, and `total` is all three — the cost per variant of a
//!   10,000-variant grid.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use detente::engines::Runner;
use detente::engines::bdm::{self, Actor, Options};
use detente::engines::smp::{self, SmpActor};
use detente::report::engines::single_summary;
use detente::scenario::{Override, Scenario};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn eu() -> Vec<Actor> {
    let rows = [
        ("Netherlands", 0.08, 4.0, 0.8),
        ("Belgium", 0.08, 7.0, 0.4),
        ("Luxembourg", 0.03, 4.0, 0.2),
        ("Germany", 0.16, 4.0, 0.8),
        ("France", 0.16, 10.0, 0.6),
        ("Italy", 0.16, 10.0, 0.6),
        ("UK", 0.16, 10.0, 0.9),
        ("Ireland", 0.05, 7.0, 0.1),
        ("Denmark", 0.05, 4.0, 1.0),
        ("Greece", 0.08, 7.0, 0.7),
    ];
    rows.iter()
        .map(|&(n, c, x, s)| Actor {
            name: n.into(),
            capability: c,
            position: x,
            salience: s,
        })
        .collect()
}

fn bdm_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("bdm");
    g.measurement_time(Duration::from_secs(5));
    let actors = eu();
    let options = Options::scholz_code();
    let mut engine = bdm::schedule::Engine::new(&actors, &options);
    g.bench_function("eu_10_rounds_reused", |b| {
        b.iter(|| black_box(engine.run(10).len()))
    });
    g.bench_function("eu_10_rounds_fresh", |b| {
        b.iter(|| black_box(bdm::simulate(&actors, &options, 10).len()))
    });
    let mut paper = bdm::schedule::Engine::new(&actors, &Options::paper());
    g.bench_function("eu_10_rounds_paper_reused", |b| {
        b.iter(|| black_box(paper.run(10).len()))
    });
    let mut rng = ChaCha8Rng::seed_from_u64(2025);
    let inputs: Vec<Vec<Actor>> = (0..1000)
        .map(|_| {
            let mut a = eu();
            for x in &mut a {
                x.position += rng.random_range(-0.5..0.5);
            }
            a
        })
        .collect();
    g.sample_size(10);
    g.bench_function("1k_perturbed_runs", |b| {
        b.iter(|| {
            let mut medians = 0.0;
            for a in &inputs {
                medians += bdm::simulate(a, &options, 10)[10].median;
            }
            black_box(medians)
        })
    });
    g.finish();
}

fn random_smp(n: usize, seed: u64) -> Vec<SmpActor> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let raw: Vec<f64> = (0..3).map(|_| rng.random_range(0.1..1.0)).collect();
            let total: f64 = raw.iter().sum();
            SmpActor {
                name: format!("a{i}"),
                power: rng.random_range(10.0..150.0),
                position: (0..3).map(|_| rng.random_range(0.0..100.0)).collect(),
                salience: raw.iter().map(|s| 90.0 * s / total).collect(),
            }
        })
        .collect()
}

fn smp_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("smp/turn");
    g.sample_size(10);
    let settings = smp::Settings {
        min_iter: 5,
        max_iter: 5,
        ..smp::Settings::default()
    };
    for n in [7, 25, 100] {
        let actors = random_smp(n, 7);
        let mut engine = smp::schedule::Engine::new(&actors, &settings);
        assert_eq!(engine.run(0, 0).len(), 6, "5 turns");
        g.bench_function(BenchmarkId::from_parameter(format!("{n}_actors")), |b| {
            b.iter(|| black_box(engine.run(0, 0).len()))
        });
    }
    g.finish();
}

/// The reference scenario of the grid, relative to the package root (the cwd of `cargo bench`).
const EU: &str = "scenarios/reference/eu-emissions-1994.ron";

/// The overrides of variant `k` of a 10 × 10 × 10 × 10 grid over four actors' positions.
fn grid_overrides(k: u64) -> Vec<Override> {
    ["netherlands", "belgium", "germany", "france"]
        .iter()
        .enumerate()
        .map(|(i, a)| Override {
            path: format!("actors.{a}.ideal.delay"),
            value: (1 + (k / 10u64.pow(3 - i as u32)) % 10).to_string(),
        })
        .collect()
}

fn grid_benches(c: &mut Criterion) {
    let prepared = detente::scenario::prepare(std::path::Path::new(EU)).expect("the EU case loads");
    let variant = |k: u64| -> (Scenario, Vec<Override>) {
        let o = grid_overrides(k);
        (prepared.scenario(&o).expect("a valid variant"), o)
    };
    // As `run` does: each worker keeps its engine and reloads it for the next variant.
    let mut kept = Runner::new(&variant(0).0).expect("a reference engine");
    let mut play = |s: &Scenario, o: &[Override], render: bool| -> usize {
        assert!(kept.reload(s), "a variant of the same game");
        let trace = kept.run(1, 0);
        if render {
            single_summary(s, o, &trace).len()
        } else {
            trace.rounds()
        }
    };
    let mut g = c.benchmark_group("grid");
    g.measurement_time(Duration::from_secs(5));
    let mut k = 0u64;
    g.bench_function("eu_variant_resolve", |b| {
        b.iter(|| {
            k = (k + 1) % 10_000;
            black_box(variant(k).0.actors.len())
        })
    });
    let (s, o) = variant(1234);
    g.bench_function("eu_variant_engine", |b| {
        b.iter(|| black_box(play(&s, &o, false)))
    });
    let mut runner = Runner::new(&s).expect("a reference engine");
    let trace = runner.run(1, 0);
    g.bench_function("eu_variant_render", |b| {
        b.iter(|| black_box(single_summary(&s, &o, &trace).len()))
    });
    let mut k = 0u64;
    g.bench_function("eu_variant_total", |b| {
        b.iter(|| {
            k = (k + 1) % 10_000;
            let (s, o) = variant(k);
            black_box(play(&s, &o, true))
        })
    });
    g.finish();
}

criterion_group!(benches, bdm_benches, smp_benches, grid_benches);
criterion_main!(benches);
