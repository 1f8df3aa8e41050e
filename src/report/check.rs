//! The summary line `detente check` prints for a valid scenario.

use crate::scenario::Loaded;
use crate::scenario::provenance::Source;

/// One line: the file, its size, and how much of it rests on sources.
pub fn summary(l: &Loaded) -> String {
    let s = &l.scenario;
    let (mut sourced, mut assumed, mut defaults) = (0, 0, 0);
    for (path, _) in s.values() {
        match l.provenance.source(&path) {
            Source::Claims(..) => sourced += 1,
            Source::Assumed(_) => assumed += 1,
            Source::Default => defaults += 1,
        }
    }
    let file = l
        .files
        .last()
        .map(|f| f.display().to_string())
        .unwrap_or_default();
    let overrides = if l.overrides.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = l.overrides.iter().map(|o| o.to_string()).collect();
        format!(" (with --set {})", list.join(", "))
    };
    if s.engine != crate::scenario::types::Engine::Negotiation {
        return format!(
            "{file}: ok{overrides}: \"{}\": {} engine, {} actors, {} issues",
            s.name,
            s.engine.name(),
            s.actors.len(),
            s.issues.len()
        );
    }
    let unread = super::explain::declared_unread(l).len();
    let unread = if unread > 0 {
        format!("; {unread} declared values are read by nothing (see `detente explain`)")
    } else {
        String::new()
    };
    format!(
        "{file}: ok{overrides}: \"{}\": {} sides, {} actors, {} issues, {} rounds, {} events; \
         values: {sourced} sourced, {assumed} assumed, {defaults} at defaults{unread}",
        s.name,
        s.sides.len(),
        s.actors.len(),
        s.issues.len(),
        s.rounds.len(),
        s.events.len(),
    )
}
