//! The page's settings as files and commands: a scenario variant file (`extends` the served
//! scenario and gives only the changed values) and the equivalent `--set` command line.
//!
//! The variant is made from the overrides on the tree image of the scenario (the same image
//! `extends` and `--set` work on, [`crate::scenario::tree`]): each override path is followed
//! through the merged scenario and only the elements it passes through are written (list
//! elements by their id or kind; a list whose elements have neither is written whole, as a merge
//! would replace it). [`variant`] then loads the text it made, beside the served file, and
//! refuses to hand it out unless it validates to exactly the scenario the overrides give.

use std::path::Path;

use serde_json::{Map, Value};

use crate::scenario::raw::RawScenario;
use crate::scenario::tree::{element_key, merge, parse_value};
use crate::scenario::{Loaded, Override, Prepared};

/// The variant name of an externally tagged enum value with fields (`{"Strike": {...}}`).
fn variant_name(v: &Value) -> Option<&str> {
    let obj = v.as_object()?;
    let (k, inner) = obj.iter().next()?;
    (obj.len() == 1 && k.starts_with(|c: char| c.is_ascii_uppercase()) && inner.is_object())
        .then_some(k.as_str())
}

/// Adds the value at path `segs` to `patch`, following the merged scenario `base`.
fn add(patch: &mut Value, base: &Value, segs: &[&str], value: Value) -> Result<(), String> {
    let Some((seg, rest)) = segs.split_first() else {
        *patch = value;
        return Ok(());
    };
    if let Some(name) = variant_name(base)
        && *seg != name
    {
        if !patch.is_object() {
            *patch = Value::Object(Map::new());
        }
        let inner = patch
            .as_object_mut()
            .expect("object")
            .entry(name.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        return add(inner, &base[name], segs, value);
    }
    match base {
        Value::Array(list) => {
            let keys: Option<Vec<String>> = list.iter().map(element_key).collect();
            let idx = keys
                .as_ref()
                .and_then(|k| {
                    k.iter()
                        .position(|k| k == seg || k.eq_ignore_ascii_case(seg))
                })
                .or_else(|| seg.parse::<usize>().ok().filter(|&j| j < list.len()))
                .ok_or_else(|| format!("no element `{seg}`"))?;
            match keys {
                Some(keys) => {
                    if !patch.is_array() {
                        *patch = Value::Array(Vec::new());
                    }
                    let items = patch.as_array_mut().expect("array");
                    let at = match items
                        .iter()
                        .position(|e| element_key(e).as_deref() == Some(keys[idx].as_str()))
                    {
                        Some(at) => at,
                        None => {
                            let skeleton = match variant_name(&list[idx]) {
                                Some(kind) => Value::Object(Map::from_iter([(
                                    kind.to_owned(),
                                    Value::Object(Map::new()),
                                )])),
                                None => Value::Object(Map::from_iter([(
                                    "id".to_owned(),
                                    list[idx]["id"].clone(),
                                )])),
                            };
                            items.push(skeleton);
                            items.len() - 1
                        }
                    };
                    add(&mut items[at], &list[idx], rest, value)
                }
                None => {
                    // A list merged as a whole: write all of it, changed.
                    if !patch.is_array() {
                        *patch = base.clone();
                    }
                    let items = patch.as_array_mut().expect("array");
                    add(&mut items[idx], &list[idx], rest, value)
                }
            }
        }
        Value::Object(_) | Value::Null => {
            if !patch.is_object() {
                *patch = Value::Object(Map::new());
            }
            let child_base = base.get(*seg).unwrap_or(&Value::Null);
            let child = patch
                .as_object_mut()
                .expect("object")
                .entry((*seg).to_owned())
                .or_insert(Value::Null);
            add(child, child_base, rest, value)
        }
        _ => Err(format!("`{seg}` is inside a single value")),
    }
}

/// The merged tree image of the files of `l`, base first (what `extends` makes of them).
fn merged_image(l: &Loaded) -> Result<Value, String> {
    let mut merged = Value::Null;
    for f in &l.files {
        let text = crate::safe_fs::read_input(f, "scenario file").map_err(|e| e.to_string())?;
        let raw: RawScenario =
            crate::scenario::load::parse_ron(&text, f).map_err(|e| e.to_string())?;
        let image = serde_json::to_value(&raw).map_err(|e| e.to_string())?;
        merge(&mut merged, &image, "", &mut Vec::new());
    }
    Ok(merged)
}

/// The text of a variant of the served scenario `file` with `overrides`: a RON scenario file
/// that `extends` it and gives only the changed values, checked to validate, beside `file`, to
/// exactly `prepared.scenario(overrides)`.
pub fn variant(
    file: &Path,
    base: &Loaded,
    prepared: &Prepared,
    overrides: &[Override],
) -> Result<String, String> {
    let expected = prepared
        .scenario(overrides)
        .map_err(|d| format!("the settings are not valid: {d}"))?;
    let merged = merged_image(base)?;
    let mut patch = Value::Object(Map::new());
    for o in overrides {
        let value = parse_value(&o.value).map_err(|e| format!("--set {o}: {e}"))?;
        let segs: Vec<&str> = o.path.split('.').collect();
        add(&mut patch, &merged, &segs, value).map_err(|e| format!("--set {o}: {e}"))?;
    }
    let name = super::file_name(file);
    patch["extends"] = Value::String(name.clone());
    let raw: RawScenario =
        serde_json::from_value(patch).map_err(|e| format!("cannot write the variant: {e}"))?;
    let config = ron::ser::PrettyConfig::new().struct_names(true).extensions(
        ron::extensions::Extensions::IMPLICIT_SOME
            | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
    );
    let text = ron::ser::to_string_pretty(&raw, config)
        .map_err(|e| format!("cannot write the variant: {e}"))?;
    // Fields not given are written as `None`: leave them out, as a person would.
    let body: Vec<&str> = text
        .lines()
        .filter(|line| {
            !line.split_once(':').is_some_and(|(k, v)| {
                is_field(k.trim()) && v.trim().trim_end_matches(',') == "None"
            })
        })
        .collect();
    let mut out = format!("// A variant of {name}, written by `detente serve`:\n");
    for o in overrides {
        out += &format!("//   --set {o}\n");
    }
    out += &body.join("\n");
    out.push('\n');
    let beside = file.with_file_name(format!("{}-variant.ron", stem(file)));
    let loaded = crate::scenario::load_str(&out, &beside, &[])
        .map_err(|d| format!("the variant does not load: {d}"))?;
    if loaded.scenario != expected {
        return Err(
            "these settings cannot be written as a variant file that gives the same scenario: \
             use the --set command line"
                .into(),
        );
    }
    Ok(out)
}

fn is_field(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The file stem of `path` (`iran-talks-2025` for `scenarios/iran-talks-2025.ron`).
pub fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// A word as a POSIX shell reads it: as it is when it holds only safe characters, otherwise in
/// single quotes.
fn shell_word(w: &str) -> String {
    let safe = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+=:,/@%".contains(c));
    if safe {
        w.to_owned()
    } else {
        format!("'{}'", w.replace('\'', r"'\''"))
    }
}

/// The command line that runs the served scenario with `overrides` (`detente run FILE --set
/// ...`), with the runs and seed the page used.
pub fn command_line(file: &str, overrides: &[Override], runs: u64, seed: u64) -> String {
    let mut words = vec!["detente".to_owned(), "run".into(), shell_word(file)];
    for o in overrides {
        words.push("--set".into());
        words.push(shell_word(&o.to_string()));
    }
    if runs != 10_000 {
        words.push(format!("--runs {runs}"));
    }
    if seed != 1 {
        words.push(format!("--seed {seed}"));
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(path: &str, value: &str) -> Override {
        Override {
            path: path.into(),
            value: value.into(),
        }
    }

    #[test]
    fn a_variant_gives_the_scenario_of_its_overrides() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.ron");
        let prepared = crate::scenario::prepare(&file).unwrap();
        let base = prepared.load(&[]).unwrap();
        let set = [
            o("actors.north_farmers.influence", "0.3"),
            o("actors.north_pm.ideal.tariff", "35"),
            o("params.concession_speed", "0.2"),
            o("events.north-hardens.enabled", "false"),
            o("rounds.1.venue", "\"Bern\""),
            o("params.mandate_rule", "Median"),
        ];
        let text = variant(&file, &base, &prepared, &set).unwrap();
        assert!(text.contains("extends: \"minimal.ron\""), "{text}");
        assert!(!text.contains("None"), "{text}");
        // Only what changed: the other actors are not in the file.
        assert!(!text.contains("south_pm"), "{text}");
        let back = crate::scenario::load_str(&text, &file.with_file_name("v.ron"), &[]).unwrap();
        assert_eq!(back.scenario, prepared.scenario(&set).unwrap());
        assert_eq!(back.scenario.rounds[1].venue, "Bern");
        assert!(back.scenario.events.is_empty());
    }

    #[test]
    fn invalid_settings_are_refused_with_the_reason() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/minimal.ron");
        let prepared = crate::scenario::prepare(&file).unwrap();
        let base = prepared.load(&[]).unwrap();
        let e = variant(
            &file,
            &base,
            &prepared,
            &[o("actors.north_farmers.influence", "7")],
        )
        .unwrap_err();
        assert!(e.contains("out of range"), "{e}");
    }

    #[test]
    fn command_lines_quote_what_the_shell_would_split() {
        let c = command_line(
            "scenarios/a b.ron",
            &[
                o("actors.x.influence", "0.5"),
                o("rounds.0.venue", "\"It's\""),
            ],
            10_000,
            1,
        );
        assert_eq!(
            c,
            r#"detente run 'scenarios/a b.ron' --set actors.x.influence=0.5 --set 'rounds.0.venue="It'\''s"'"#
        );
        assert!(command_line("f.ron", &[], 500, 7).ends_with("--runs 500 --seed 7"));
    }
}
