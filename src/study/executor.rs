//! The one executor of every study: `run`, `compare`, `sweep`, the reference engines and
//! whatever comes later go through [`execute`] (docs/architecture.md, "One run pipeline").
//!
//! A study is a range of work items (runs, or a sweep's design points) cut into chunks of a
//! fixed size. Worker threads take chunks in order, each with a simulator of its own that it
//! keeps for the whole study (building a `World` costs several runs), and turn each chunk into
//! a part (a partial aggregate, the rows of a table...). Parts are handed to the caller's
//! `deliver` **in chunk order**, on the calling thread, whatever the thread count.
//!
//! Guarantees:
//! * chunk boundaries depend only on the range and the chunk size, so a study cut into the same
//!   chunks gives the same parts on any thread count;
//! * at most [`WINDOW_PER_THREAD`] chunks per worker are computed ahead of delivery: memory is
//!   bounded by the window, never by the number of runs;
//! * `stop(done)` is asked after every delivery; once it says stop (or `deliver` fails) no new
//!   chunk is started, the chunks in flight are finished and dropped, and what was delivered is
//!   a prefix of the range.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

/// Something that plays one run from `(master seed, run index)`: the negotiation model
/// ([`crate::sim::Sim`]) and each reference engine ([`crate::engines::Runner`]).
///
/// The same `(seed, run)` always gives the same view, whatever ran before on the simulator.
pub trait Simulator {
    /// What a run leaves to look at, borrowed from the simulator until its next run.
    type View<'a>
    where
        Self: 'a;

    /// Plays run `run` under master seed `seed`.
    fn run(&mut self, seed: u64, run: u64) -> Self::View<'_>;
}

/// Chunks a worker may have computed ahead of delivery.
pub const WINDOW_PER_THREAD: usize = 4;

/// The worker threads for `threads` (0: one per core).
pub fn worker_count(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    }
}

/// The chunks of `range`, `size` items each (the last may be shorter).
pub fn chunks(range: Range<u64>, size: u64) -> impl Iterator<Item = Range<u64>> {
    let size = size.max(1);
    let end = range.end;
    (range.start..end)
        .step_by(usize::try_from(size).unwrap_or(usize::MAX))
        .map(move |from| from..from.saturating_add(size).min(end))
}

struct Gate {
    /// Next chunk to hand out.
    next: usize,
    /// Chunks delivered so far.
    delivered: usize,
    /// No new chunk may start.
    stopping: bool,
}

/// Runs `range` in chunks of `chunk` items on `threads` workers (0: one per core).
///
/// Each worker calls `make()` once and keeps what it returns (its simulator) for all its
/// chunks; `work(simulator, chunk)` turns a chunk into a part; `deliver(chunk, part)` receives
/// the parts in chunk order on the calling thread; `stop(items delivered)` is asked after each
/// delivery. Returns the number of items delivered (a prefix of `range`), or the first error of
/// `deliver`.
pub fn execute<S, P, E>(
    threads: usize,
    range: Range<u64>,
    chunk: u64,
    make: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, Range<u64>) -> P + Sync,
    mut deliver: impl FnMut(Range<u64>, P) -> Result<(), E>,
    stop: &(dyn Fn(u64) -> bool + Sync),
) -> Result<u64, E>
where
    P: Send,
{
    let total = range.end.saturating_sub(range.start);
    let chunk = chunk.max(1);
    let count = usize::try_from(total.div_ceil(chunk)).unwrap_or(usize::MAX);
    if count == 0 {
        return Ok(0);
    }
    let nth = |c: usize| {
        let from = range.start + c as u64 * chunk;
        from..from.saturating_add(chunk).min(range.end)
    };
    let workers = worker_count(threads).min(count).max(1);
    let window = workers * WINDOW_PER_THREAD;
    let gate = Mutex::new(Gate {
        next: 0,
        delivered: 0,
        stopping: false,
    });
    let moved = Condvar::new();
    let (tx, rx) = mpsc::channel::<(usize, P)>();
    let mut done = 0u64;
    let mut failure = None;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (gate, moved, make, work, nth) = (&gate, &moved, &make, &work, &nth);
            scope.spawn(move || {
                let mut sim = make();
                loop {
                    let c = {
                        let mut g = gate.lock().unwrap_or_else(|p| p.into_inner());
                        while !g.stopping && g.next < count && g.next >= g.delivered + window {
                            g = moved.wait(g).unwrap_or_else(|p| p.into_inner());
                        }
                        if g.stopping || g.next >= count {
                            return;
                        }
                        g.next += 1;
                        g.next - 1
                    };
                    let part = work(&mut sim, nth(c));
                    if tx.send((c, part)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut next = 0usize;
        let mut stopped = false;
        // Receive until every worker has finished; after a stop, parts in flight are dropped.
        for (c, part) in rx {
            if stopped {
                continue;
            }
            waiting.insert(c, part);
            while let Some(part) = waiting.remove(&next) {
                let items = nth(next);
                let n = items.end - items.start;
                next += 1;
                match deliver(items, part) {
                    Ok(()) => {
                        done += n;
                        stopped = stop(done);
                    }
                    Err(e) => {
                        failure = Some(e);
                        stopped = true;
                    }
                }
                if stopped {
                    waiting.clear();
                    break;
                }
            }
            let mut g = gate.lock().unwrap_or_else(|p| p.into_inner());
            g.delivered = next;
            g.stopping |= stopped;
            drop(g);
            moved.notify_all();
        }
    });
    match failure {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn collect(threads: usize, range: Range<u64>, chunk: u64, stop_at: u64) -> (u64, Vec<u64>) {
        let mut seen = Vec::new();
        let done = execute(
            threads,
            range,
            chunk,
            || 0u64,
            |made, items| {
                *made += 1;
                items.map(|i| i * i).collect::<Vec<_>>()
            },
            |_, part| {
                seen.extend(part);
                Ok::<_, Infallible>(())
            },
            &|d| d >= stop_at,
        )
        .unwrap_or_else(|e| match e {});
        (done, seen)
    }

    #[test]
    fn parts_arrive_in_order_on_any_thread_count() {
        let want: Vec<u64> = (3..1000).map(|i| i * i).collect();
        for threads in [1, 2, 3, 8] {
            for chunk in [1, 7, 64, 5000] {
                let (done, seen) = collect(threads, 3..1000, chunk, u64::MAX);
                assert_eq!(done, 997);
                assert_eq!(seen, want, "threads {threads}, chunk {chunk}");
            }
        }
    }

    #[test]
    fn a_stop_keeps_a_prefix() {
        for threads in [1, 2, 4] {
            let (done, seen) = collect(threads, 0..10_000, 10, 95);
            assert_eq!(done, 100, "stops after the delivery that passed 95");
            assert_eq!(seen, (0..100).map(|i| i * i).collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_error_of_the_sink_stops_the_study() {
        let mut calls = 0;
        let r = execute(
            2,
            0..1000,
            10,
            || (),
            |_, items| items.end,
            |_, end| {
                calls += 1;
                if end == 50 { Err(end) } else { Ok(()) }
            },
            &|_| false,
        );
        assert_eq!(r, Err(50));
        assert_eq!(calls, 5);
    }

    #[test]
    fn each_worker_builds_one_simulator() {
        let built = std::sync::atomic::AtomicU64::new(0);
        let done = execute(
            2,
            0..10_000,
            3,
            || built.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            |_, _| (),
            |_, ()| Ok::<_, Infallible>(()),
            &|_| false,
        );
        assert_eq!(done.ok(), Some(10_000));
        assert!(built.into_inner() <= 2);
    }

    #[test]
    fn empty_ranges_do_nothing() {
        assert_eq!(collect(2, 5..5, 10, u64::MAX), (0, vec![]));
        assert_eq!(chunks(0..0, 4).count(), 0);
        assert_eq!(
            chunks(0..10, 4).collect::<Vec<_>>(),
            vec![0..4, 4..8, 8..10]
        );
    }
}
