//! The scenario as a generic tree, for the two operations that patch it before typed validation:
//! `extends` (a variant file merged onto its base) and `--set path=value` overrides.
//!
//! The tree is the `serde_json::Value` image of a [`RawScenario`](super::raw::RawScenario):
//! structs are objects holding *every* field (`null` when not given), enums are externally
//! tagged (`{"Strike": {...}}`, `"Faction"`). That makes both operations generic:
//!
//! * **merge**: objects merge field by field, `null` in the patch keeps the base; lists whose
//!   elements carry an `id` (or are enum values of distinct kinds) merge element by element, new
//!   elements are appended; any other value is replaced.
//! * **paths**: `actors.<id>.ideal.<issue>` — fields and map keys by name, list elements by
//!   `id`, by kind (`capabilities.strike`) or by index. The same paths name values in
//!   `detente explain` and in `because` keys.

use serde_json::{Map, Value};

use super::error::{Diagnostic, suggest};

/// The key by which a list element is matched in a merge and named in a path: its `id`, or the
/// lower-case name of its enum variant.
pub fn element_key(v: &Value) -> Option<String> {
    let obj = v.as_object()?;
    if let Some(Value::String(id)) = obj.get("id") {
        return Some(id.clone());
    }
    variant_name(v).map(str::to_ascii_lowercase)
}

/// The variant name of an externally tagged enum value with fields (`{"Strike": {...}}`).
fn variant_name(v: &Value) -> Option<&str> {
    let obj = v.as_object()?;
    if obj.len() != 1 {
        return None;
    }
    let (k, inner) = obj.iter().next()?;
    (k.starts_with(|c: char| c.is_ascii_uppercase()) && inner.is_object()).then_some(k.as_str())
}

/// Keys of all elements of a list, if every element has one and they are distinct.
fn keyed(list: &[Value]) -> Option<Vec<String>> {
    let keys: Vec<String> = list.iter().map(element_key).collect::<Option<_>>()?;
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    (sorted.len() == keys.len()).then_some(keys)
}

/// Joins a path prefix and a segment with a dot.
pub fn join(prefix: &str, seg: &str) -> String {
    if prefix.is_empty() {
        seg.to_owned()
    } else {
        format!("{prefix}.{seg}")
    }
}

/// Merges `patch` onto `base` and pushes onto `set` the path of every value the patch gives.
pub fn merge(base: &mut Value, patch: &Value, path: &str, set: &mut Vec<String>) {
    match (base, patch) {
        (_, Value::Null) => {}
        (Value::Object(b), Value::Object(p)) if variant_name(patch).is_none() => {
            for (k, pv) in p {
                let sub = join(path, k);
                match b.get_mut(k) {
                    Some(bv) => merge(bv, pv, &sub, set),
                    None => {
                        leaves(pv, &sub, set);
                        b.insert(k.clone(), pv.clone());
                    }
                }
            }
        }
        (b @ Value::Object(_), Value::Object(p)) => {
            // Enum values: same variant merges its fields, another variant replaces.
            let (pk, pv) = p.iter().next().expect("variant object has one key");
            match b.as_object_mut().and_then(|o| o.get_mut(pk)) {
                Some(bv) => merge(bv, pv, path, set),
                None => {
                    leaves(patch, path, set);
                    *b = patch.clone();
                }
            }
        }
        (Value::Array(b), Value::Array(p)) if keyed(p).is_some() && keyed(b).is_some() => {
            for pv in p {
                let key = element_key(pv).expect("keyed");
                let sub = join(path, &key);
                match b
                    .iter_mut()
                    .find(|bv| element_key(bv).as_deref() == Some(&key))
                {
                    Some(bv) => merge(bv, pv, &sub, set),
                    None => {
                        leaves(pv, &sub, set);
                        b.push(pv.clone());
                    }
                }
            }
        }
        (b, p) => {
            leaves(p, path, set);
            *b = p.clone();
        }
    }
}

/// Pushes the path of every non-null scalar under `v` (lists of scalars count as one value).
pub fn leaves(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => {}
        Value::Object(o) => match variant_name(v) {
            Some(_) => leaves(o.values().next().expect("one"), path, out),
            None => o.iter().for_each(|(k, sv)| leaves(sv, &join(path, k), out)),
        },
        Value::Array(a) => match keyed(a) {
            Some(keys) => a
                .iter()
                .zip(keys)
                .for_each(|(sv, k)| leaves(sv, &join(path, &k), out)),
            None if a.iter().all(|x| !x.is_object() && !x.is_array()) => out.push(path.to_owned()),
            None => a
                .iter()
                .enumerate()
                .for_each(|(i, sv)| leaves(sv, &join(path, &i.to_string()), out)),
        },
        _ => out.push(path.to_owned()),
    }
}

/// Where a `--set` path led: the concrete path in serde's notation (`actors[0].influence`), for
/// matching deserialization errors back to the override, and whether the last field was absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The path in serde notation.
    pub concrete: String,
    /// The path as `detente explain` writes it (list elements by id or kind).
    pub canonical: String,
    /// The field did not exist in its object and was created (a map key, or a typo that typed
    /// deserialization will reject).
    pub created: bool,
    /// The names that existed beside it, for "did you mean".
    pub siblings: Vec<String>,
}

/// Sets the value at `path` (dot-separated) to `value`. Errors name the segment that does not
/// exist and the ones that do.
pub fn set_path(root: &mut Value, path: &str, value: Value) -> Result<Target, Diagnostic> {
    let segs: Vec<&str> = path.split('.').collect();
    if segs.iter().any(|s| s.is_empty()) {
        return Err(Diagnostic::new(format!("`{path}` is not a path"))
            .with_help("a path is names separated by dots, e.g. `actors.<id>.influence`"));
    }
    let mut cur = root;
    let mut concrete = String::new();
    let mut walked = String::new();
    let mut canonical = String::new();
    let mut created_inside = false;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        // Step transparently into an enum value's fields.
        if let Some(name) = variant_name(cur).map(str::to_owned)
            && *seg != name
        {
            concrete = format!("{concrete}.{name}");
            cur = cur.get_mut(&name).expect("variant");
        }
        // An absent struct or map: create it; typed validation judges the result.
        let fresh = cur.is_null();
        if fresh {
            *cur = Value::Object(Map::new());
        }
        let here = if walked.is_empty() {
            "the scenario".to_owned()
        } else {
            format!("`{walked}`")
        };
        match cur {
            Value::Object(obj) => {
                concrete = if concrete.is_empty() {
                    seg.to_string()
                } else {
                    format!("{concrete}.{seg}")
                };
                if !obj.contains_key(*seg) && fresh && !last {
                    // Inside a struct that was absent: its fields are absent too.
                    obj.insert(seg.to_string(), Value::Null);
                    created_inside = true;
                }
                if !obj.contains_key(*seg) {
                    let siblings: Vec<String> = obj.keys().cloned().collect();
                    if !last {
                        let names: Vec<&str> = siblings.iter().map(String::as_str).collect();
                        return Err(Diagnostic::new(format!("{here} has no field `{seg}`"))
                            .with_help(suggest(seg, &names, "fields here")));
                    }
                    obj.insert(seg.to_string(), value);
                    let canonical = join(&canonical, seg);
                    return Ok(Target {
                        concrete,
                        canonical,
                        created: true,
                        siblings,
                    });
                }
                canonical = join(&canonical, seg);
                cur = obj.get_mut(*seg).expect("checked");
            }
            Value::Array(list) => {
                let keys: Vec<String> = list
                    .iter()
                    .enumerate()
                    .map(|(j, v)| element_key(v).unwrap_or_else(|| j.to_string()))
                    .collect();
                let idx = keys
                    .iter()
                    .position(|k| k == seg || k.eq_ignore_ascii_case(seg))
                    .or_else(|| seg.parse::<usize>().ok().filter(|&j| j < list.len()));
                let Some(idx) = idx else {
                    let names: Vec<&str> = keys.iter().map(String::as_str).collect();
                    return Err(Diagnostic::new(format!("{here} has no element `{seg}`"))
                        .with_help(suggest(seg, &names, "elements")));
                };
                concrete = format!("{concrete}[{idx}]");
                canonical = join(&canonical, &keys[idx]);
                cur = &mut list[idx];
            }
            _ => {
                return Err(Diagnostic::new(format!(
                    "{here} is a single value: it has no `{seg}`"
                )));
            }
        }
        walked = join(&walked, seg);
    }
    *cur = value;
    Ok(Target {
        concrete,
        canonical,
        created: created_inside,
        siblings: Vec::new(),
    })
}

/// Parses the value of a `--set`: a number, `true`/`false`, a string (quoted, or bare as for an
/// id or an enum variant), `None`, `Some(x)`, or a list `[a, b]` of those.
pub fn parse_value(text: &str) -> Result<Value, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the value is empty".into());
    }
    if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        if inner.trim().is_empty() {
            return Ok(Value::Array(Vec::new()));
        }
        return inner
            .split(',')
            .map(parse_value)
            .collect::<Result<_, _>>()
            .map(Value::Array);
    }
    if let Some(inner) = t.strip_prefix("Some(").and_then(|r| r.strip_suffix(')')) {
        return parse_value(inner);
    }
    if let Some(s) = t.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        return Ok(Value::String(s.to_owned()));
    }
    match t {
        "None" => return Ok(Value::Null),
        "true" => return Ok(Value::Bool(true)),
        "false" => return Ok(Value::Bool(false)),
        _ => {}
    }
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.') {
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Value::from(i));
        }
        return match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Value::from(x)),
            _ => Err(format!("`{t}` is not a finite number")),
        };
    }
    if t.chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return Ok(Value::String(t.to_owned()));
    }
    Err(format!(
        "`{t}` is not a value: write a number, true/false, a name or a \"string\""
    ))
}
