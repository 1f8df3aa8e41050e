//! Criterion benchmarks of the simulator on the baseline scenario (`scenarios/iran-talks-2025.ron`):
//!
//! - `one_run/baseline_reused_world`: one whole run with a reused [`Sim`] (World and Schedule
//!   kept, reset between runs); the run index changes every iteration.
//! - `one_run/fresh_world`: [`Sim::new`] plus one run, the cost of not reusing the World.
//! - `ecs_overhead/empty_schedule`: a schedule of the same shape as the round schedule
//!   (9 chained sets, 15 empty systems, single-threaded executor) run 8 times, once per baseline
//!   round: the floor that the `bevy_ecs` machinery puts under one run.
//! - `one_run/mediated_every_round`: one run of the baseline with `stall_progress` = 1, so every
//!   round stalls and the mediator computes a Nash text in every round from the second.
//! - `mediator/nash_point_baseline`: one Nash point of the two baseline leaders between two
//!   offers of a late round (the mediator's whole computation).
//! - `ensemble/10k_runs_{1,2}_thread(s)`: [`run_ensemble`] of 10,000 runs, reported as runs/s.
//! - `results/20k_runs_{summary_only,with_out}`: the cost of writing results files (`--out`).

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use detente::scenario::{self, Scenario};
use detente::sim::Sim;
use detente::study::batch::{Ensemble, run_ensemble};
use detente::study::results::{Study, StudyVariant, run_study};

/// The baseline scenario, relative to the package root (the cwd of `cargo bench`).
const BASELINE: &str = "scenarios/iran-talks-2025.ron";

/// Seed of every bench.
const SEED: u64 = 2025;

fn baseline() -> Arc<Scenario> {
    let loaded = scenario::load(Path::new(BASELINE), &[]).expect("the baseline scenario loads");
    Arc::new(loaded.scenario)
}

fn one_run(c: &mut Criterion) {
    let scenario = baseline();
    let mut group = c.benchmark_group("one_run");
    group.measurement_time(Duration::from_secs(5));

    // One run on a reused World per iteration, the run index changing every time.
    let mut reused = |name: &str, mut sim: Sim| {
        let mut run = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                run = run.wrapping_add(1);
                let view = sim.run(SEED, black_box(run));
                black_box(view.trace.len())
            })
        });
    };
    reused("baseline_reused_world", Sim::new(scenario.clone()));
    let overrides = ["params.stall_progress=1".parse().expect("an override")];
    let mediated = scenario::load(Path::new(BASELINE), &overrides).expect("the baseline loads");
    reused(
        "mediated_every_round",
        Sim::new(Arc::new(mediated.scenario)),
    );

    let mut run = 0u64;
    group.bench_function("fresh_world", |b| {
        b.iter(|| {
            run = run.wrapping_add(1);
            let mut sim = Sim::new(scenario.clone());
            let view = sim.run(SEED, black_box(run));
            black_box(view.trace.len())
        })
    });
    group.finish();
}

/// The mediator's Nash point between two late-round offers of the baseline, for its two leaders
/// with no-deal values 0.1 below their utilities of the box's centre.
fn mediator(c: &mut Criterion) {
    use detente::model::formulas::{self, Bargainer};
    let s = baseline();
    let leader = |k: usize| &s.actors[s.sides[k].leader];
    let saliences: Vec<Vec<f64>> = (0..2)
        .map(|k| {
            let mut out = vec![0.0; s.issues.len()];
            formulas::normalise_salience(&leader(k).salience, &mut out);
            out
        })
        .collect();
    let offers = [[39.0, 69.0, 55.0, 55.0], [63.0, 40.0, 78.0, 80.0]];
    let centre: Vec<f64> = (0..4)
        .map(|d| 0.5 * (offers[0][d] + offers[1][d]))
        .collect();
    let bargainer = |k: usize| {
        let gamma = formulas::risk_exponent(leader(k).risk);
        let u = formulas::utility(&leader(k).ideal, &saliences[k], gamma, &centre);
        Bargainer {
            ideal: &leader(k).ideal,
            salience: &saliences[k],
            gamma,
            disagreement: u - 0.1,
            power: 1.0,
        }
    };
    let (a, b) = (bargainer(0), bargainer(1));
    let mut out = [0.0; 4];
    let mut group = c.benchmark_group("mediator");
    group.bench_function("nash_point_baseline", |bench| {
        bench.iter(|| {
            formulas::nash_point(&a, &b, black_box(&offers[0]), &offers[1], &mut out);
            black_box(out[0])
        })
    });
    group.finish();
}

/// The schedule label of the empty schedule.
#[derive(ScheduleLabel, Debug, Clone, PartialEq, Eq, Hash)]
struct EmptyRound;

/// Nine sets, like `detente::model::Phase`.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Set {
    S1,
    S2,
    S3,
    S4,
    S5,
    S6,
    S7,
    S8,
    S9,
}

macro_rules! empty_systems {
    ($($name:ident),*) => { $(fn $name() {})* };
}
empty_systems!(
    e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14
);

/// 15 empty systems in 9 chained sets, the systems inside each set chained, with the counts of
/// `round_schedule` (2, 3, 2, 2, 1, 1, 2, 1, 1).
fn empty_schedule() -> Schedule {
    let mut schedule = Schedule::new(EmptyRound);
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.configure_sets(
        (
            Set::S1,
            Set::S2,
            Set::S3,
            Set::S4,
            Set::S5,
            Set::S6,
            Set::S7,
            Set::S8,
            Set::S9,
        )
            .chain(),
    );
    schedule.add_systems((
        (e0, e1).chain().in_set(Set::S1),
        (e2, e3, e4).chain().in_set(Set::S2),
        (e5, e6).chain().in_set(Set::S3),
        (e7, e8).chain().in_set(Set::S4),
        e9.in_set(Set::S5),
        e10.in_set(Set::S6),
        (e11, e12).chain().in_set(Set::S7),
        e13.in_set(Set::S8),
        e14.in_set(Set::S9),
    ));
    schedule
}

fn ecs_overhead(c: &mut Criterion) {
    // One schedule run per round of the baseline (8), as in a run that reaches the horizon.
    let rounds = baseline().rounds.len();
    let mut group = c.benchmark_group("ecs_overhead");
    group.measurement_time(Duration::from_secs(5));
    let mut world = World::new();
    let mut schedule = empty_schedule();
    schedule
        .initialize(&mut world)
        .expect("the empty schedule initialises");
    group.bench_function("empty_schedule", |b| {
        b.iter(|| {
            for _ in 0..rounds {
                schedule.run(black_box(&mut world));
            }
        })
    });
    group.finish();
}

fn ensemble(c: &mut Criterion) {
    const RUNS: u64 = 10_000;
    let scenario = baseline();
    let mut group = c.benchmark_group("ensemble");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Elements(RUNS));
    for (name, threads) in [("10k_runs_1_thread", 1), ("10k_runs_2_threads", 2)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let agg = run_ensemble(
                    &scenario,
                    Ensemble {
                        runs: RUNS,
                        seed: SEED,
                        threads,
                        progress: false,
                    },
                );
                black_box(agg.runs)
            })
        });
    }
    group.finish();
}

/// The cost of results files: the same 20,000-run ensemble on 2 threads, summarised only
/// (`run`), and written to CSV + Parquet with a manifest (`run --out`).
fn results_files(c: &mut Criterion) {
    const RUNS: u64 = 20_000;
    let loaded = scenario::load(Path::new(BASELINE), &[]).expect("the baseline scenario loads");
    let scenario = Arc::new(loaded.scenario.clone());
    let study = Study {
        command: "run".into(),
        variants: vec![StudyVariant {
            label: "base".into(),
            loaded,
        }],
        runs: RUNS,
        seed: SEED,
        threads: 2,
        traces: false,
    };
    let mut group = c.benchmark_group("results");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(RUNS));
    group.bench_function("20k_runs_summary_only", |b| {
        b.iter(|| {
            let e = Ensemble {
                runs: RUNS,
                seed: SEED,
                threads: 2,
                progress: false,
            };
            black_box(run_ensemble(&scenario, e).runs)
        })
    });
    let dir = std::env::temp_dir().join(format!("detente-bench-{}", std::process::id()));
    group.bench_function("20k_runs_with_out", |b| {
        b.iter(|| {
            let _ = std::fs::remove_dir_all(&dir);
            let f = run_study(&study, &dir, false, &|_| false).expect("results written");
            black_box(f.finished)
        })
    });
    let _ = std::fs::remove_dir_all(&dir);
    group.finish();
}

criterion_group!(
    benches,
    one_run,
    mediator,
    ecs_overhead,
    ensemble,
    results_files
);
criterion_main!(benches);
