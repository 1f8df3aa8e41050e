//! How every simulation here builds its `bevy_ecs` schedules: the negotiation model and the
//! reference engines alike.

use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel, SingleThreadedExecutor};

/// A schedule as every simulation here builds it: systems run on one thread in the order given, and an
/// ambiguous order between two systems is a build error, not a silent race.
pub fn strict_schedule(label: impl ScheduleLabel) -> Schedule {
    let mut schedule = Schedule::new(label);
    schedule.set_executor(SingleThreadedExecutor::new());
    schedule.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    schedule
}

/// Initialises `schedule` on `world`, panicking with the schedule's own explanation if two of
/// its systems are ambiguously ordered (a bug in the model, caught by its tests).
pub fn initialize(schedule: &mut Schedule, world: &mut World) {
    if let Err(e) = schedule.initialize(world) {
        panic!(
            "the schedule is ambiguous: {}",
            e.to_string(schedule.graph(), world)
        );
    }
}
