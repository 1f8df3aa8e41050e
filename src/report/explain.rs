//! The explanation `detente explain` prints: every value of a scenario with where it comes from,
//! then a reference engine's settings.

use std::path::Path;

use crate::scenario::Loaded;
use crate::scenario::provenance::{Origin, Source};

/// The explanation as text: values grouped by issue, side, actor, event and parameters.
pub fn explain(l: &Loaded) -> String {
    let s = &l.scenario;
    let top = l.files.last().cloned().unwrap_or_default();
    let mut o = String::new();
    o += &format!("{}\n", s.name);
    for f in &l.files {
        o += &format!("  file: {}\n", f.display());
    }
    if let Some(d) = &l.digest {
        o += &format!(
            "  source: {} ({}), {} claims\n",
            d.source.title,
            d.source.date,
            d.claims.len()
        );
    }
    for ov in &l.overrides {
        o += &format!("  override: --set {ov}\n");
    }
    let values = s.values();
    let shown: Vec<String> = values.iter().map(|(p, _)| label(p)).collect();
    let width = shown
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let mut group = String::new();
    for ((path, value), shown) in values.iter().zip(&shown) {
        let g = heading(l, path);
        if g != group {
            o += &format!("\n{g}\n");
            group = g;
        }
        o += &format!("  {shown:<width$} = {:<8} ", trim(*value));
        match l.provenance.source(path) {
            Source::Claims(origin, claims) => {
                o += &format!("{}\n", from(origin, &top).trim_start());
                for c in claims {
                    let text = l
                        .digest
                        .as_ref()
                        .and_then(|d| d.claims.iter().find(|x| x.id == c))
                        .map(|x| format!("{} (para. {}, {:?})", x.text, x.paragraph, x.kind))
                        .unwrap_or_default();
                    o += &format!("      {c}: {text}\n");
                }
            }
            Source::Assumed(origin) => o += &format!("assumption{}\n", from(origin, &top)),
            Source::Default => {
                let doc = path
                    .strip_prefix("params.")
                    .and_then(|n| {
                        crate::scenario::params::PARAM_SPECS
                            .iter()
                            .find(|p| p.name == n)
                    })
                    .map(|p| {
                        format!(
                            " [{}, {}; sweep {}–{}] {}",
                            p.symbol, p.unit, p.sweep.0, p.sweep.1, p.doc
                        )
                    })
                    .unwrap_or_default();
                o += &format!("default (assumption){doc}\n");
            }
        }
    }
    let unread = declared_unread(l);
    if !unread.is_empty() {
        o += "\nDeclared, but read by nothing in the model (remove them, or give the actor the role or capability that uses them)\n";
        for (path, value, why) in unread {
            o += &format!("  {path} = {}: {why}\n", trim(value));
        }
    }
    o += &engine_settings(s);
    o
}

/// The values a scenario file (or `--set`) gives that the model never reads, with the reason
/// (`Scenario::unread_values`); values left at their defaults are not listed.
pub fn declared_unread(l: &Loaded) -> Vec<(String, f64, &'static str)> {
    l.scenario
        .unread_values()
        .into_iter()
        .filter(|(p, _, _)| !matches!(l.provenance.source(p), Source::Default))
        .collect()
}

/// The settings of a reference engine (`engine: ...` in the file), one per line; empty for the
/// negotiation model, whose parameters are listed above.
fn engine_settings(s: &crate::scenario::Scenario) -> String {
    use crate::scenario::types::Engine;
    let (name, value) = match &s.engine {
        Engine::Negotiation => return String::new(),
        Engine::ExpectedUtility { options, rounds } => (
            "ExpectedUtility",
            serde_json::json!({
                "conventions": options.conventions,
                "q": options.q,
                "fixed_range": options.fixed_range,
                "rounds": rounds,
            }),
        ),
        Engine::SpatialModel(settings) => (
            "SpatialModel",
            // Settings are plain data (no maps with non-string keys), so this cannot fail; were it
            // to, the heading is printed without fields rather than a panic.
            serde_json::to_value(settings).unwrap_or_default(),
        ),
    };
    let mut o = format!(
        "
Engine `{name}` (given in the file or its default)
"
    );
    let fields = value.as_object().cloned().unwrap_or_default();
    let width = fields.keys().map(|k| k.len()).max().unwrap_or(0);
    for (k, v) in &fields {
        let shown = match v {
            serde_json::Value::String(x) => x.clone(),
            serde_json::Value::Array(entries) if k == "ideal_accommodation" => {
                if entries.is_empty() {
                    "identity".into()
                } else {
                    let text: Vec<String> = entries
                        .iter()
                        .map(|e| {
                            format!(
                                "{} → {}: {}",
                                e["actor"].as_str().unwrap_or(""),
                                e["toward"].as_str().unwrap_or(""),
                                e["rate"]
                            )
                        })
                        .collect();
                    format!("identity except {}", text.join(", "))
                }
            }
            other => other.to_string(),
        };
        o += &format!("  {k:<width$} = {shown}\n");
    }
    o
}

/// The path of a value inside its group: `influence` for `actors.<id>.influence`, the issue id
/// for `issues.<issue>.status_quo`, the parameter name for `params.misperception`.
pub(crate) fn label(path: &str) -> String {
    let mut parts = path.splitn(3, '.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("issues"), Some(id), _) => id.to_owned(),
        (Some("params"), Some(name), _) => name.to_owned(),
        (_, _, Some(rest)) => rest.to_owned(),
        _ => path.to_owned(),
    }
}

fn heading(l: &Loaded, path: &str) -> String {
    let s = &l.scenario;
    let mut parts = path.split('.');
    let kind = parts.next().unwrap_or_default();
    let id = parts.next().unwrap_or_default();
    match kind {
        "issues" => "Issues (status quo, 0–100)".into(),
        "sides" => {
            let side = s.sides.iter().find(|x| x.id == id);
            format!(
                "Side `{id}`{}",
                side.map(|x| format!(": {}, led by `{}`", x.name, s.actors[x.leader].id))
                    .unwrap_or_default()
            )
        }
        "actors" => {
            let a = s.actors.iter().find(|x| x.id == id);
            let side = a
                .and_then(|a| a.side)
                .map(|i| format!(" of `{}`", s.sides[i].id))
                .unwrap_or_default();
            let negotiation = s.engine == crate::scenario::types::Engine::Negotiation;
            format!(
                "Actor `{id}`{}",
                a.map(|a| if negotiation {
                    format!(": {} ({:?}{side})", a.name, a.role)
                } else {
                    format!(": {}", a.name)
                })
                .unwrap_or_default()
            )
        }
        "events" => {
            let e = s.events.iter().find(|x| x.id == id);
            format!(
                "Event `{id}`{}",
                e.map(|e| format!(" (round {}): {}", e.round, e.note))
                    .unwrap_or_default()
            )
        }
        _ => "Parameters".into(),
    }
}

fn from(origin: &Origin, top: &Path) -> String {
    match origin {
        Origin::File(f) if f == top => String::new(),
        Origin::File(f) => format!(" (from {})", f.display()),
        Origin::Override(o) => format!(" (--set {o})"),
    }
}

/// A number without trailing zeros.
fn trim(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_owned() }
}
