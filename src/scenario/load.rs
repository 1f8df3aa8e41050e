//! Reading scenario files: RON with located errors, `extends` chains, `--set` overrides, the
//! digest, and the provenance of every value.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use serde_json::Value;

use super::digest::Digest;
use super::error::{Diagnostic, Diagnostics, suggest};
use super::provenance::{Layer, Provenance};
use super::raw::RawScenario;
use super::tree;
use super::types::Scenario;
use super::validate::validate;

/// A `--set path=value` override, applied to the merged scenario before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Dot path, e.g. `actors.<id>.influence`.
    pub path: String,
    /// The value as written, e.g. `0.6`.
    pub value: String,
}

impl FromStr for Override {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((p, v)) if !p.trim().is_empty() => Ok(Override {
                path: p.trim().to_owned(),
                value: v.trim().to_owned(),
            }),
            _ => Err(format!(
                "`{s}` is not an override: write PATH=VALUE, e.g. actors.<id>.influence=0.6"
            )),
        }
    }
}

impl Override {
    /// The values of a list override (`0.2,0.4,0.6`), split at commas outside brackets and
    /// quotes; a single value gives one.
    pub fn values(&self) -> Vec<String> {
        let (mut out, mut cur, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
        for c in self.value.chars() {
            match c {
                '"' => quoted = !quoted,
                '[' | '(' if !quoted => depth += 1,
                ']' | ')' if !quoted => depth -= 1,
                ',' if !quoted && depth == 0 => {
                    out.push(cur.trim().to_owned());
                    cur.clear();
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        out.push(cur.trim().to_owned());
        out
    }
}

/// How many sets of overrides [`expand`] makes of `overrides`: the product of the numbers of
/// values, counted from the lists without making any set; `None` if it does not fit 64 bits.
pub fn variant_count(overrides: &[Override]) -> Option<u64> {
    crate::limits::product(overrides.iter().map(|o| o.values().len() as u64))
}

/// [`variant_count`] checked against [`crate::limits::VARIANTS`] (`allow_large` lifts the soft
/// limit): call it before [`expand`], which makes every set in memory.
pub fn check_variants(
    overrides: &[Override],
    allow_large: bool,
) -> Result<u64, crate::limits::LimitError> {
    let lists: Vec<String> = overrides
        .iter()
        .map(|o| o.values().len())
        .filter(|&n| n > 1)
        .map(|n| n.to_string())
        .collect();
    let how = if lists.len() > 1 {
        format!("{} values", lists.join(" × "))
    } else {
        String::new()
    };
    crate::limits::VARIANTS.check(variant_count(overrides), how, allow_large)
}

/// The sets of overrides that a list of `--set`s stands for: each override with several values
/// (`--set a=1,2`) multiplies the sets, one per value, in order (the first override varies
/// slowest). Without lists, one set: the overrides as given.
///
/// Every set is made in memory: check their number with [`check_variants`] first.
pub fn expand(overrides: &[Override]) -> Vec<Vec<Override>> {
    let mut sets = vec![Vec::new()];
    for o in overrides {
        let values = o.values();
        sets = sets
            .into_iter()
            .flat_map(|set| {
                values.iter().map(move |v| {
                    let mut next = set.clone();
                    next.push(Override {
                        path: o.path.clone(),
                        value: v.clone(),
                    });
                    next
                })
            })
            .collect();
    }
    sets
}

/// The name of a variant made by one set of overrides: the overrides as written, separated by
/// spaces (`base` without any). Results tables and comparisons name variants by it.
pub fn label_of(overrides: &[Override]) -> String {
    if overrides.is_empty() {
        "base".into()
    } else {
        overrides
            .iter()
            .map(|o| o.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

/// A loaded, validated scenario with everything needed to explain it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// The files read, base first (the last one is the file named by the user).
    pub files: Vec<PathBuf>,
    /// The digest the scenario cites, if it names one.
    pub digest: Option<Digest>,
    /// Where each value came from.
    pub provenance: Provenance,
    /// The overrides applied.
    pub overrides: Vec<Override>,
}

/// Loads, merges, overrides and validates the scenario at `path`.
pub fn load(path: &Path, overrides: &[Override]) -> Result<Loaded, Diagnostics> {
    let text = read(path, "scenario file", None)?;
    load_str(&text, path, overrides)
}

/// Like [`load`], for text already in memory; `path` names it in errors and anchors relative
/// `extends` and `digest` paths. Never panics, whatever the text.
pub fn load_str(text: &str, path: &Path, overrides: &[Override]) -> Result<Loaded, Diagnostics> {
    prepare_str(text, path)?.load(overrides)
}

/// A scenario read, merged and with its digest, ready to be validated under any overrides: what
/// a sweep loads once and instantiates at every design point.
#[derive(Debug, Clone)]
pub struct Prepared {
    merged: Value,
    layers: Vec<Layer>,
    files: Vec<PathBuf>,
    top: PathBuf,
    digest: Option<Digest>,
    claims: Option<BTreeSet<String>>,
}

/// Reads the scenario at `path` (and what it extends, and its digest) once.
pub fn prepare(path: &Path) -> Result<Prepared, Diagnostics> {
    let text = read(path, "scenario file", None)?;
    prepare_str(&text, path)
}

/// Like [`prepare`], for text already in memory.
pub fn prepare_str(text: &str, path: &Path) -> Result<Prepared, Diagnostics> {
    let mut chain = Vec::new();
    collect_chain(text, path, &mut chain)?;
    chain.reverse(); // base first

    let mut merged = Value::Null;
    let mut layers = Vec::new();
    // The digest, and the file that names it.
    let mut digest_path: Option<(PathBuf, PathBuf)> = None;
    for (file, raw) in &chain {
        let image = serde_json::to_value(raw).expect("raw scenarios serialize");
        let mut set = Vec::new();
        tree::merge(&mut merged, &image, "", &mut set);
        if let Some(d) = &raw.digest {
            digest_path = Some((relative_to(file, d), file.clone()));
        }
        layers.push(Layer::from_file(file.clone(), raw, set));
    }
    let top = chain
        .last()
        .map(|(f, _)| f.clone())
        .unwrap_or_else(|| path.to_path_buf());
    let digest = match &digest_path {
        Some((p, from)) => Some(read_digest(p, from)?),
        None => None,
    };
    let claims = digest
        .as_ref()
        .map(|d| d.claims.iter().map(|c| c.id.clone()).collect());
    Ok(Prepared {
        merged,
        layers,
        files: chain.into_iter().map(|(f, _)| f).collect(),
        top,
        digest,
        claims,
    })
}

impl Prepared {
    /// Applies `overrides` and validates: the same result as [`load`] of the file with them.
    pub fn load(&self, overrides: &[Override]) -> Result<Loaded, Diagnostics> {
        let (scenario, targets) = self.resolve(overrides)?;
        let mut layers = self.layers.clone();
        for (o, t) in overrides.iter().zip(&targets) {
            layers.push(Layer::from_override(o, &t.canonical));
        }
        Ok(Loaded {
            scenario,
            files: self.files.clone(),
            digest: self.digest.clone(),
            provenance: Provenance { layers },
            overrides: overrides.to_vec(),
        })
    }

    /// Only the validated scenario under `overrides` (no provenance): what a sweep needs at each
    /// design point.
    pub fn scenario(&self, overrides: &[Override]) -> Result<Scenario, Diagnostics> {
        self.resolve(overrides).map(|(s, _)| s)
    }

    fn resolve(
        &self,
        overrides: &[Override],
    ) -> Result<(Scenario, Vec<tree::Target>), Diagnostics> {
        let (merged, targets, raw) = apply_overrides(&self.merged, overrides)?;
        let raw: RawScenario = match raw {
            Some(raw) => raw,
            None => typed(&merged, None, &self.top)?,
        };
        let scenario = validate(&raw, &self.top, self.claims.as_ref()).map_err(|mut errors| {
            for d in &mut errors {
                let field = d.field.clone().unwrap_or_default();
                if let Some((o, _)) = overrides
                    .iter()
                    .zip(&targets)
                    .find(|(_, t)| field.starts_with(&without_variants(&t.concrete)))
                {
                    d.message = format!("{} (the value comes from --set {o})", d.message);
                }
            }
            Diagnostics(errors)
        })?;
        Ok((scenario, targets))
    }
}

/// `d` with the file and field that named the file it is about.
fn named_by(d: Diagnostic, file: &Path, field: &str) -> Diagnostic {
    Diagnostic {
        message: format!("{} (named by `{field}` in `{}`)", d.message, file.display()),
        ..d
    }
}

/// Reads the `what` at `path` as an input file ([`crate::safe_fs::read_input`]: a regular file,
/// bounded, UTF-8); `from` is the file and field that named it.
fn read(path: &Path, what: &str, from: Option<(&Path, &str)>) -> Result<String, Diagnostics> {
    crate::safe_fs::read_input(path, what).map_err(|e| {
        let d = Diagnostic::from(e);
        match from {
            // A located problem (invalid UTF-8) is placed in the file named.
            Some((file, field)) if d.file.is_none() => d.in_file(file).at_field(field),
            Some((file, field)) => named_by(d, file, field),
            None => d,
        }
        .into()
    })
}

fn relative_to(file: &Path, rel: &str) -> PathBuf {
    file.parent().unwrap_or(Path::new("")).join(rel)
}

fn ron_options() -> ron::Options {
    use ron::extensions::Extensions;
    // `Some(...)` may be omitted; `Strike(target: ..)` needs no extra `Strike(...)` wrapper.
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Parses RON text into `T`, turning ron's error into a located diagnostic.
///
/// The offending line is shown with a caret only when the text is recognisably a file of the
/// kind `T` stands for: it starts (after comments and `#![enable(..)]` attributes) with `T`'s
/// struct name, or a close misspelling of it, and `(`. Any other text — some other file named
/// by mistake or on purpose — gets a content-free "this is not a scenario file" at the place
/// ron stopped: nothing of it is quoted.
pub fn parse_ron<T: serde::de::DeserializeOwned>(text: &str, file: &Path) -> Result<T, Diagnostic> {
    ron_options().from_str::<T>(text).map_err(|e| {
        let (line, col) = (e.span.start.line, e.span.start.col);
        let name = struct_name::<T>();
        if let Some(name) = name.filter(|n| !looks_like(text, n)) {
            let kind = format!("{} file", name.to_lowercase());
            let a = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            return Diagnostic {
                location: Some((line, col)),
                ..Diagnostic::new(format!(
                    "this is not {a} {kind}: it does not start with `{name}(`"
                ))
                .in_file(file)
                .with_help(format!(
                    "{a} {kind} is RON text that starts with `{name}(`; check that the path \
                     names the intended file"
                ))
            };
        }
        let len = if e.span.end.line == line {
            e.span.end.col.saturating_sub(col)
        } else {
            1
        };
        let (message, help) = describe(&e.code);
        let mut d = Diagnostic::new(message)
            .in_file(file)
            .at_location(text, line, col, len);
        d.help = help;
        d
    })
}

/// The struct name `T` deserializes from (`Scenario` for a scenario), if it is a struct:
/// asked of `T`'s `Deserialize` impl with a deserializer that only records the name.
fn struct_name<T: serde::de::DeserializeOwned>() -> Option<&'static str> {
    use serde::de::value::Error;
    use serde::de::{Error as _, Visitor};
    struct Probe<'a>(&'a mut Option<&'static str>);
    impl<'de> serde::Deserializer<'de> for Probe<'_> {
        type Error = Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            name: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            *self.0 = Some(name);
            Err(Error::custom("probed"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut name = None;
    let _ = T::deserialize(Probe(&mut name));
    name
}

/// Whether `text` starts like a RON file of the struct `name`: after whitespace, comments and
/// `#![...]` attributes, an identifier equal to `name` or a close misspelling of it (so that
/// `Scenaro(` still gets a full error), then `(`.
fn looks_like(text: &str, name: &str) -> bool {
    let rest = skip_trivia(text);
    let ident_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let (ident, after) = rest.split_at(ident_len);
    if ident.is_empty() || !skip_trivia(after).starts_with('(') {
        return false;
    }
    ident == name || strsim::jaro_winkler(&ident.to_lowercase(), &name.to_lowercase()) >= 0.85
}

/// `text` after leading whitespace, `//` and `/* */` comments and `#![...]` attributes.
fn skip_trivia(mut text: &str) -> &str {
    loop {
        let t = text.trim_start();
        text = if let Some(r) = t.strip_prefix("//") {
            r.split_once('\n').map_or("", |(_, r)| r)
        } else if let Some(r) = t.strip_prefix("/*") {
            r.split_once("*/").map_or("", |(_, r)| r)
        } else if let Some(r) = t.strip_prefix("#!") {
            r.split_once(']').map_or("", |(_, r)| r)
        } else {
            return t;
        };
    }
}

/// A plain-language message and a hint for a ron error.
fn describe(code: &ron::Error) -> (String, Option<String>) {
    use ron::Error as E;
    match code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown field `{found}`{}",
                outer
                    .as_ref()
                    .map(|o| format!(" in `{o}`"))
                    .unwrap_or_default()
            ),
            Some(suggest(found, expected, "allowed fields")),
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown variant `{found}`{}",
                outer
                    .as_ref()
                    .map(|o| format!(" of `{o}`"))
                    .unwrap_or_default()
            ),
            Some(suggest(found, expected, "allowed")),
        ),
        E::DuplicateStructField { field, outer } => (
            format!(
                "field `{field}` given twice{}",
                outer
                    .as_ref()
                    .map(|o| format!(" in `{o}`"))
                    .unwrap_or_default()
            ),
            Some("keep one of them".into()),
        ),
        E::ExpectedDifferentStructName { expected, found } => (
            format!("expected `{expected}(...)` but found `{found}(...)`"),
            Some(format!("write `{expected}`")),
        ),
        E::ExpectedComma => (
            "expected a comma".into(),
            Some("separate fields and list items with `,`; check the line above too".into()),
        ),
        E::Eof => (
            "the file ends too early".into(),
            Some("a `)`, `]` or `}` is probably missing".into()),
        ),
        E::ExpectedFloat | E::ExpectedInteger => (
            format!("{code}"),
            Some("write a plain number, e.g. `0.4`".into()),
        ),
        E::ExpectedString => (
            format!("{code}"),
            Some("strings are written in double quotes".into()),
        ),
        other => (format!("{other}"), None),
    }
}

/// Parses `text` (from `file`) and the files it extends, newest first, detecting cycles.
fn collect_chain(
    text: &str,
    file: &Path,
    chain: &mut Vec<(PathBuf, RawScenario)>,
) -> Result<(), Diagnostics> {
    let raw: RawScenario = parse_ron(text, file).map_err(|d| match chain.last() {
        Some((by, _)) => named_by(d, by, "extends"),
        None => d,
    })?;
    let next = raw.extends.clone();
    chain.push((file.to_path_buf(), raw));
    let Some(rel) = next else { return Ok(()) };
    let base = relative_to(file, &rel);
    if !base.exists() {
        return Err(Diagnostic::new(format!(
            "`extends` names `{rel}`, which does not exist (looked for `{}`)",
            base.display()
        ))
        .in_file(file)
        .at_field("extends")
        .with_help("the path is relative to the file that extends it")
        .into());
    }
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if chain.iter().any(|(f, _)| canon(f) == canon(&base)) {
        let cycle: Vec<String> = chain
            .iter()
            .map(|(f, _)| f.display().to_string())
            .chain([base.display().to_string()])
            .collect();
        return Err(
            Diagnostic::new(format!("`extends` makes a cycle: {}", cycle.join(" -> ")))
                .in_file(file)
                .at_field("extends")
                .with_help("a variant extends a base that does not extend it back")
                .into(),
        );
    }
    if chain.len() > 32 {
        return Err(Diagnostic::new("`extends` chain deeper than 32 files")
            .in_file(file)
            .at_field("extends")
            .into());
    }
    let text = read(&base, "scenario file", Some((file, "extends")))?;
    collect_chain(&text, &base, chain)
}

/// Applies each override in turn; one that fails (bad path, bad value, wrong type) is reported
/// and skipped so that every bad override is reported at once.
fn apply_overrides(
    base: &Value,
    overrides: &[Override],
) -> Result<(Value, Vec<tree::Target>, Option<RawScenario>), Diagnostics> {
    // Fast path (a sweep applies overrides at every design point): all at once on one copy,
    // one deserialization. Only when that fails is each override applied and checked on its
    // own, so that every error is reported against the override that caused it.
    let mut candidate = base.clone();
    let fast: Option<Vec<tree::Target>> = overrides
        .iter()
        .map(|o| {
            let value = tree::parse_value(&o.value).ok()?;
            tree::set_path(&mut candidate, &o.path, value).ok()
        })
        .collect();
    if let Some(targets) = fast
        && let Ok(raw) = RawScenario::deserialize(&candidate)
    {
        return Ok((candidate, targets, Some(raw)));
    }
    let mut merged = base.clone();
    let merged = &mut merged;
    let mut errors = Vec::new();
    let mut targets = Vec::new();
    for o in overrides {
        let named = |d: Diagnostic| Diagnostic {
            message: format!("--set {o}: {}", d.message),
            ..d
        };
        let value = match tree::parse_value(&o.value) {
            Ok(v) => v,
            Err(e) => {
                errors.push(named(Diagnostic::new(e)));
                continue;
            }
        };
        let mut candidate = merged.clone();
        match tree::set_path(&mut candidate, &o.path, value) {
            Ok(t) => match typed(&candidate, Some((o, &t)), Path::new("")) {
                Ok(_) => {
                    *merged = candidate;
                    targets.push(t);
                }
                Err(Diagnostics(d)) => errors.extend(d),
            },
            Err(d) => errors.push(named(d)),
        }
    }
    if errors.is_empty() {
        Ok((merged.clone(), targets, None))
    } else {
        Err(Diagnostics(errors))
    }
}

/// Deserializes the merged tree; with `cause`, a failure is reported against that override.
fn typed(
    merged: &Value,
    cause: Option<(&Override, &tree::Target)>,
    top: &Path,
) -> Result<RawScenario, Diagnostics> {
    serde_path_to_error::deserialize(merged).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.inner().to_string();
        match cause {
            Some((o, t)) if t.created && inner.contains("unknown field") => {
                // The field serde did not know (the last segment, or an earlier one inside a
                // struct the override created).
                let name = inner
                    .split_once("unknown field `")
                    .and_then(|(_, rest)| rest.split_once('`'))
                    .map_or_else(|| o.path.rsplit('.').next().unwrap_or_default(), |(n, _)| n);
                // serde lists the allowed fields after "expected"; absent structs have no siblings.
                let listed: Vec<&str> = inner
                    .split_once("expected")
                    .map(|(_, rest)| rest.split('`').skip(1).step_by(2).collect())
                    .unwrap_or_default();
                let names: Vec<&str> = if listed.is_empty() {
                    t.siblings.iter().map(String::as_str).collect()
                } else {
                    listed
                };
                Diagnostic::new(format!("--set {o}: there is no field `{name}` there"))
                    .with_help(suggest(name, &names, "fields here"))
            }
            Some((o, _)) if inner.contains("unknown variant") => {
                Diagnostic::new(format!("--set {o}: {}", plain(&inner)))
            }
            Some((o, _)) => Diagnostic::new(format!(
                "--set {o}: wrong type of value for `{}`: {}",
                o.path,
                plain(&inner)
            ))
            .with_help("numbers are written 0.6, names bare or in quotes, lists [a, b]"),
            None => Diagnostic::new(format!("{at}: {}", plain(&inner))).in_file(top),
        }
        .into()
    })
}

/// A serde path without the enum variant segments (`capabilities[1].Lobby.strength` →
/// `capabilities[1].strength`), as validation writes field paths.
fn without_variants(path: &str) -> String {
    path.split('.')
        .filter(|seg| !seg.starts_with(|c: char| c.is_ascii_uppercase()))
        .collect::<Vec<_>>()
        .join(".")
}

/// serde's type-error text, reworded for users.
fn plain(msg: &str) -> String {
    msg.replace("expected f64", "expected a number")
        .replace("expected u32", "expected a whole number")
        .replace("invalid type: ", "")
}

fn read_digest(path: &Path, from: &Path) -> Result<Digest, Diagnostics> {
    let text = read(path, "digest", Some((from, "digest")))?;
    let digest: Digest = parse_ron(&text, path).map_err(|d| named_by(d, from, "digest"))?;
    let mut seen = BTreeSet::new();
    let dup: Vec<Diagnostic> = digest
        .claims
        .iter()
        .enumerate()
        .filter(|(_, c)| !seen.insert(c.id.clone()))
        .map(|(i, c)| {
            Diagnostic::new(format!("duplicate claim id `{}`", c.id))
                .in_file(path)
                .at_field(format!("claims[{i}].id"))
        })
        .collect();
    if dup.is_empty() {
        Ok(digest)
    } else {
        Err(Diagnostics(dup))
    }
}
