//! Where each value of a loaded scenario comes from: which file or override set it, and which
//! claims of the digest support it (docs/architecture.md §3).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::load::Override;
use super::raw::{Because, RawScenario};

/// Who set a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A scenario file (the base or a variant).
    File(PathBuf),
    /// A `--set` override, as written.
    Override(String),
}

/// One layer of a loaded scenario: a file of the `extends` chain, or an override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Who this layer is.
    pub origin: Origin,
    /// Paths of the values this layer sets.
    pub set: BTreeSet<String>,
    /// The layer's own `because` entries, by item path (`actors.<id>`, `params`...); list-form
    /// `because` (issues, rounds, events) is stored under the key `""`, covering the whole item.
    pub because: BTreeMap<String, Because>,
}

/// The layers of a loaded scenario, base first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Provenance {
    /// Base file first, then variants, then overrides.
    pub layers: Vec<Layer>,
}

/// What [`Provenance::source`] says of one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source<'a> {
    /// Set by `origin`, which cites these claims for it.
    Claims(&'a Origin, Vec<String>),
    /// Set by `origin` without a claim: an assumption.
    Assumed(&'a Origin),
    /// Not set by any file: the built-in default (an assumption too).
    Default,
}

impl Layer {
    /// The layer of one scenario file; `set` lists the paths it gives.
    pub fn from_file(file: PathBuf, raw: &RawScenario, set: Vec<String>) -> Layer {
        let mut because = BTreeMap::new();
        let whole = |claims: &Option<Vec<String>>| -> Option<Because> {
            claims
                .as_ref()
                .map(|c| BTreeMap::from([(String::new(), c.clone())]))
        };
        let mut add = |item: String, b: Option<Because>| {
            if let Some(b) = b {
                because.insert(item, b);
            }
        };
        for i in raw.issues.iter().flatten() {
            add(
                format!("issues.{}", i.id.as_deref().unwrap_or_default()),
                whole(&i.because),
            );
        }
        for s in raw.sides.iter().flatten() {
            add(
                format!("sides.{}", s.id.as_deref().unwrap_or_default()),
                s.because.clone(),
            );
        }
        for a in raw.actors.iter().flatten() {
            add(
                format!("actors.{}", a.id.as_deref().unwrap_or_default()),
                a.because.clone(),
            );
        }
        for (n, r) in raw.rounds.iter().flatten().enumerate() {
            add(format!("rounds.{n}"), whole(&r.because));
        }
        for e in raw.events.iter().flatten() {
            add(
                format!("events.{}", e.id.as_deref().unwrap_or_default()),
                whole(&e.because),
            );
        }
        if let Some(p) = &raw.params {
            add("params".into(), p.because.clone());
        }
        let set = set
            .into_iter()
            .filter(|p| !p.contains(".because"))
            .collect();
        Layer {
            origin: Origin::File(file),
            set,
            because,
        }
    }

    /// The layer of one `--set` override; `canonical` is the path it set, as `explain` writes it.
    pub fn from_override(o: &Override, canonical: &str) -> Layer {
        Layer {
            origin: Origin::Override(o.to_string()),
            set: BTreeSet::from([canonical.to_owned()]),
            because: BTreeMap::new(),
        }
    }

    /// Claims this layer cites for the value at `path`.
    fn claims(&self, path: &str) -> Vec<String> {
        let mut out = BTreeSet::new();
        for (item, because) in &self.because {
            let Some(rel) = path
                .strip_prefix(item.as_str())
                .and_then(|r| r.strip_prefix('.'))
            else {
                continue;
            };
            for (key, claims) in because {
                let covers = key.is_empty()
                    || rel == key
                    || rel
                        .strip_prefix(key.as_str())
                        .is_some_and(|r| r.starts_with('.'));
                if covers {
                    out.extend(claims.iter().cloned());
                }
            }
        }
        out.into_iter().collect()
    }
}

impl Provenance {
    /// The source of the value at `path` (as in [`Scenario::values`](super::Scenario::values)):
    /// the last layer that set it, with the claims it cites.
    pub fn source(&self, path: &str) -> Source<'_> {
        match self.layers.iter().rev().find(|l| l.set.contains(path)) {
            None => Source::Default,
            Some(layer) => match layer.claims(path) {
                c if c.is_empty() => Source::Assumed(&layer.origin),
                c => Source::Claims(&layer.origin, c),
            },
        }
    }
}
