//! What every reference engine's `World` holds: the actors as entities with the data all the
//! engines read (capability, position per issue, salience per issue), in a fixed order.
//!
//! Each engine adds its own components and resources and orders its phases in one schedule
//! of its own module ([`super::bdm::schedule`], [`super::smp::schedule`]); nothing here knows
//! any engine's phases.

use bevy_ecs::prelude::*;

/// An actor's capability ("power"): the resources it can bring to bear, ≥ 0.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Capability(pub f64);

/// An actor's current position, one value per issue, on the engine's own scale.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Position(pub Vec<f64>);

/// How much each issue matters to an actor, one value per issue, on the engine's own scale.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Salience(pub Vec<f64>);

/// The actors in input order. Engines index their matrices by this order, so results never
/// depend on how the `World` stores its entities.
#[derive(Resource, Debug, Clone, Default)]
pub struct Roster(pub Vec<Entity>);

/// One actor as the engines read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActorData {
    /// Capability ("power").
    pub capability: f64,
    /// Position per issue.
    pub position: Vec<f64>,
    /// Salience per issue.
    pub salience: Vec<f64>,
}

/// Spawns the actors, in order, and records them in the [`Roster`].
pub fn spawn_actors(world: &mut World, actors: &[ActorData]) {
    let roster = actors
        .iter()
        .map(|a| {
            world
                .spawn((
                    Capability(a.capability),
                    Position(a.position.clone()),
                    Salience(a.salience.clone()),
                ))
                .id()
        })
        .collect();
    world.insert_resource(Roster(roster));
}

/// Resets every actor's position to its input (`positions[i]` for the `i`th actor of the
/// roster), for the next run on the same `World`.
pub fn reset_positions(world: &mut World, positions: &[Vec<f64>]) {
    let roster = world.resource::<Roster>().0.clone();
    for (e, p) in roster.iter().zip(positions) {
        world
            .get_mut::<Position>(*e)
            .expect("every roster entity has a position")
            .0
            .clone_from(p);
    }
}

/// The current positions in roster order.
pub fn positions(roster: &Roster, q: &Query<&Position>) -> Vec<Vec<f64>> {
    roster
        .0
        .iter()
        .map(|&e| q.get(e).expect("roster entity").0.clone())
        .collect()
}
