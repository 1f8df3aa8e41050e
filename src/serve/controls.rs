//! The page's controls, derived from the loaded scenario: one control per value the scenario
//! has, grouped by issue, side, actor, event and parameters, each with its valid range, its
//! unit where the parameter table gives one, and its provenance (the claims it cites, or that it
//! is an assumption or a default).
//!
//! Nothing is listed by name: numeric values come from [`Scenario::values`] (the paths `--set`
//! takes), events from the scenario and the files it was read from (so that an event switched
//! off by a file can be switched on again), choices and switches from the serialized global
//! parameters. Valid ranges come from the parameter table for global parameters and, for every
//! other value, from the validator itself: the value is set out of range and the range the
//! validator states is read back.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::scenario::params::PARAM_SPECS;
use crate::scenario::provenance::{Origin, Source};
use crate::scenario::raw::RawScenario;
use crate::scenario::{Loaded, Override, Prepared, Scenario};

/// A probe far outside any range the validator accepts.
const PROBE: &str = "1e300";

/// The valid range of the value at `path`, as the validator states it when the value is set
/// out of range (`allowed: LO to HI`); `None` when it states none.
fn probed_range(prepared: &Prepared, path: &str) -> Option<(f64, f64)> {
    for probe in [PROBE, "-1e300"] {
        let o = Override {
            path: path.to_owned(),
            value: probe.to_owned(),
        };
        let Err(d) = prepared.scenario(&[o]) else {
            continue;
        };
        let stated = d.0.iter().find_map(|d| {
            let help = d.help.as_deref()?.strip_prefix("allowed: ")?;
            let (lo, hi) = help.split_once(" to ")?;
            Some((lo.trim().parse().ok()?, hi.trim().parse().ok()?))
        });
        if stated.is_some() {
            return stated;
        }
    }
    None
}

/// The choices the validator names for a value set to something it cannot read: the
/// back-quoted names after "expected" in its message (`expected `Mean` or `Median``).
fn probed_choices(prepared: &Prepared, path: &str) -> Vec<String> {
    let o = Override {
        path: path.to_owned(),
        value: "\"?\"".to_owned(),
    };
    let Err(d) = prepared.scenario(&[o]) else {
        return Vec::new();
    };
    d.0.iter()
        .find_map(|d| {
            let text = d.message.split_once("expected")?.1;
            let names: Vec<String> = text
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            (!names.is_empty()).then_some(names)
        })
        .unwrap_or_default()
}

/// Where the value at `path` comes from, in words: the claims it cites (with their text), or
/// that it is an assumption, or the default, and which file or override set it.
pub fn provenance(l: &Loaded, path: &str) -> String {
    let top = l.files.last();
    let from = |o: &Origin| match o {
        Origin::File(f) if Some(f) == top => String::new(),
        Origin::File(f) => format!(" (from {})", super::file_name(f)),
        Origin::Override(o) => format!(" (--set {o})"),
    };
    match l.provenance.source(path) {
        Source::Claims(origin, claims) => {
            let mut t = format!("claims {}{}", claims.join(", "), from(origin));
            for c in &claims {
                if let Some(x) = l
                    .digest
                    .as_ref()
                    .and_then(|d| d.claims.iter().find(|x| &x.id == c))
                {
                    t += &format!("\n{c}: {} (para. {}, {:?})", x.text, x.paragraph, x.kind);
                }
            }
            t
        }
        Source::Assumed(origin) => format!("assumption{}", from(origin)),
        Source::Default => "default (assumption)".into(),
    }
}

/// The heading of the group a path belongs to, and the group's key (`actors.<id>`, `params`).
fn group(s: &Scenario, path: &str) -> (String, String) {
    let mut parts = path.split('.');
    let kind = parts.next().unwrap_or_default();
    let id = parts.next().unwrap_or_default();
    let key = format!("{kind}.{id}");
    let heading = match kind {
        "issues" => return ("issues".into(), "Issues (status quo)".into()),
        "params" => return ("params".into(), "Parameters".into()),
        "sides" => s
            .sides
            .iter()
            .find(|x| x.id == id)
            .map_or_else(|| format!("Side {id}"), |x| format!("Side: {}", x.name)),
        "actors" => s.actors.iter().find(|x| x.id == id).map_or_else(
            || format!("Actor {id}"),
            |a| {
                let side = a
                    .side
                    .and_then(|k| s.sides.get(k))
                    .map(|x| format!(", {}", x.id))
                    .unwrap_or_default();
                format!("{} ({:?}{side})", a.name, a.role)
            },
        ),
        "events" => format!("Event {id}"),
        _ => kind.to_owned(),
    };
    (key, heading)
}

// The label of a value inside its group: the path after the group's key (the same labels as
// `detente explain`).
use crate::report::explain::label;

/// A step of 1, 2 or 5 times a power of ten, about a hundredth of `span`.
fn nice_step(span: f64) -> f64 {
    if !(span.is_finite() && span > 0.0) {
        return 0.01;
    }
    let raw = span / 100.0;
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let f = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    f * p
}

/// The final on/off state of every event id the files of `l` name, base first: an event
/// switched off in a file is listed even though the validated scenario leaves it out.
fn event_states(l: &Loaded) -> BTreeMap<String, (bool, String, Option<u32>)> {
    let mut out = BTreeMap::new();
    for f in &l.files {
        let Ok(text) = crate::safe_fs::read_input(f, "scenario file") else {
            continue;
        };
        let Ok(raw) = crate::scenario::load::parse_ron::<RawScenario>(&text, f) else {
            continue;
        };
        for e in raw.events.iter().flatten() {
            let Some(id) = &e.id else { continue };
            let entry = out.entry(id.clone()).or_insert((true, String::new(), None));
            if let Some(on) = e.enabled {
                entry.0 = on;
            }
            if let Some(n) = &e.note {
                entry.1 = n.clone();
            }
            if e.round.is_some() {
                entry.2 = e.round;
            }
        }
    }
    out
}

/// The description of the scenario the page builds its controls from: name, issues, sides,
/// rounds, and the groups of controls.
pub fn describe(l: &Loaded, prepared: &Prepared, file: &str) -> Value {
    let s = &l.scenario;
    let mut groups: Vec<(String, String, Vec<Value>)> = Vec::new();
    let mut push = |s: &Scenario, path: &str, control: Value| {
        let (key, heading) = group(s, path);
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.2.push(control),
            None => groups.push((key, heading, vec![control])),
        }
    };
    // Events first in their own group, then every numeric value in file order.
    for (id, (on, note, round)) in event_states(l) {
        let path = format!("events.{id}.enabled");
        let when = round.map(|r| format!("round {r}: ")).unwrap_or_default();
        push(
            s,
            &path,
            json!({
                "path": path, "kind": "toggle", "label": format!("{when}{}", if note.is_empty() { id.clone() } else { note }),
                "value": on, "provenance": provenance(l, &format!("events.{id}")),
            }),
        );
    }
    // Switches and choices among the global parameters (booleans and enumerations).
    if let Ok(Value::Object(params)) = serde_json::to_value(&s.params) {
        for (name, v) in params {
            let path = format!("params.{name}");
            let control = match v {
                Value::Bool(b) => {
                    json!({"path": path, "kind": "toggle", "label": name, "value": b})
                }
                Value::String(x) => {
                    let options = probed_choices(prepared, &path);
                    if options.is_empty() {
                        continue;
                    }
                    json!({"path": path, "kind": "choice", "label": name, "value": x, "options": options})
                }
                _ => continue,
            };
            let mut control = control;
            control["provenance"] = json!(provenance(l, &path));
            push(s, &path, control);
        }
    }
    for (path, value) in s.values() {
        let spec = path
            .strip_prefix("params.")
            .and_then(|n| PARAM_SPECS.iter().find(|p| p.name == n));
        let (valid, slider, unit, doc) = match spec {
            Some(p) => (
                Some(p.valid),
                Some((
                    p.sweep.0.min(value).max(p.valid.0),
                    p.sweep.1.max(value).min(p.valid.1),
                )),
                p.unit,
                format!("{} ({}): {}", p.name, p.symbol, p.doc),
            ),
            None => {
                let valid = probed_range(prepared, &path);
                (valid, valid, "", String::new())
            }
        };
        let step = slider.map_or(0.01, |(lo, hi)| nice_step(hi - lo));
        let mut provenance = provenance(l, &path);
        if !doc.is_empty() {
            provenance = format!("{doc}\n{provenance}");
        }
        push(
            s,
            &path,
            json!({
                "path": path, "kind": "number", "label": label(&path), "value": value,
                "valid": valid.map(|(a, b)| [a, b]), "slider": slider.map(|(a, b)| [a, b]),
                "step": step, "unit": unit, "provenance": provenance,
            }),
        );
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(key, heading, controls)| json!({"key": key, "heading": heading, "controls": controls}))
        .collect();
    json!({
        "name": s.name,
        "description": s.description,
        "file": file,
        "issues": s.issues.iter().map(|i| json!({"id": i.id, "low": i.low, "high": i.high, "status_quo": i.status_quo})).collect::<Vec<_>>(),
        "sides": s.sides.iter().map(|x| json!({"id": x.id, "name": x.name})).collect::<Vec<_>>(),
        "actors": s.actors.iter().map(|a| json!({"id": a.id, "name": a.name})).collect::<Vec<_>>(),
        "rounds": s.rounds.iter().map(|r| json!({"label": r.label, "venue": r.venue, "week": r.week, "date": r.date.map(|d| d.to_string())})).collect::<Vec<_>>(),
        "groups": groups,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round_numbers() {
        assert_eq!(nice_step(1.0), 0.01);
        assert_eq!(nice_step(100.0), 1.0);
        assert!((nice_step(0.38) - 0.005).abs() < 1e-12);
        assert_eq!(nice_step(0.0), 0.01);
        assert_eq!(nice_step(f64::NAN), 0.01);
    }

    #[test]
    fn every_value_becomes_a_control_with_the_validators_range() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.ron");
        let prepared = crate::scenario::prepare(&path).unwrap();
        let l = prepared.load(&[]).unwrap();
        let d = describe(&l, &prepared, "minimal.ron");
        let controls: Vec<&Value> = d["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["controls"].as_array().unwrap())
            .collect();
        let find = |p: &str| {
            controls
                .iter()
                .find(|c| c["path"] == p)
                .unwrap_or_else(|| panic!("no control {p}"))
        };
        for (p, _) in l.scenario.values() {
            find(&p);
        }
        // The validator's ranges: a share, a position, and a parameter from its table.
        assert_eq!(
            find("actors.north_farmers.influence")["valid"],
            json!([0.0, 1.0])
        );
        assert_eq!(
            find("actors.north_pm.ideal.tariff")["valid"],
            json!([0.0, 100.0])
        );
        assert_eq!(find("params.concession_speed")["valid"], json!([0.0, 1.0]));
        assert_eq!(find("events.north-hardens.enabled")["value"], json!(true));
        let rule = find("params.mandate_rule");
        assert_eq!(rule["kind"], "choice");
        assert!(rule["options"].as_array().unwrap().len() >= 2, "{rule}");
        assert!(
            find("actors.north_pm.ideal.tariff")["provenance"]
                .as_str()
                .unwrap()
                .starts_with("assumption")
        );
    }
}
