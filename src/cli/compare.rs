//! `detente compare BASE [VARIANT...] [--set ...]`: a base and variants under common random
//! numbers, with paired differences.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::CliError;
use super::run::Format;
use crate::outcome::{OutcomeClass, OutcomeKind};
use crate::scenario::{Diagnostics, Loaded, Override, Scenario, expand, load};
use crate::study::compare::{Comparison, Difference, compare};
use crate::study::results::{Study, StudyVariant};

/// What `compare` is asked to do.
#[derive(Debug, Clone)]
pub struct CompareArgs {
    /// The base scenario.
    pub base: PathBuf,
    /// Variant files.
    pub variants: Vec<PathBuf>,
    /// Overrides; each value of a list makes a variant of the base.
    pub set: Vec<Override>,
    /// Runs per variant.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Output format.
    pub format: Format,
    /// Write the picture here.
    pub plot: Option<PathBuf>,
    /// Results files.
    pub results: super::run::OutArgs,
}

/// One compared scenario and how it is named in the output.
pub struct Variant {
    /// Short name.
    pub label: String,
    /// The loaded scenario.
    pub loaded: Loaded,
}

/// Loads the base and the variants: the variant files, then one variant of the base per set of
/// overrides that the `--set`s stand for. Every problem of every file is reported at once.
pub fn variants(
    base: &Path,
    files: &[PathBuf],
    set: &[Override],
) -> Result<Vec<Variant>, Diagnostics> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut add = |label: String, r: Result<Loaded, Diagnostics>| match r {
        Ok(loaded) => out.push(Variant { label, loaded }),
        Err(Diagnostics(d)) => errors.extend(d),
    };
    add("base".into(), load(base, &[]));
    for f in files {
        let label = f.file_stem().map_or_else(
            || f.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        add(label, load(f, &[]));
    }
    if !set.is_empty() {
        for overrides in expand(set) {
            add(label_of(&overrides), load(base, &overrides));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Diagnostics(errors))
    }
}

/// The name of a variant made by overrides: the overrides as written (`base` without any).
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

/// Runs the comparison and prints it.
pub fn run(a: &CompareArgs, out: &mut impl Write) -> Result<(), CliError> {
    let vs = variants(&a.base, &a.variants, &a.set)?;
    if vs.len() < 2 {
        return Err(CliError::Usage(
            "nothing to compare: name variant files after the base, or give --set PATH=V1,V2"
                .into(),
        ));
    }
    for v in &vs {
        super::engines::require_negotiation(&v.loaded.scenario, "compare")?;
    }
    let mut interrupted = None;
    let c = match &a.results.dir {
        None => {
            let scenarios: Vec<Arc<Scenario>> = vs
                .iter()
                .map(|v| Arc::new(v.loaded.scenario.clone()))
                .collect();
            compare(&scenarios, a.runs, a.seed, a.threads)
        }
        Some(dir) => {
            let study = Study {
                command: "compare".into(),
                variants: vs
                    .iter()
                    .map(|v| StudyVariant {
                        label: v.label.clone(),
                        loaded: v.loaded.clone(),
                    })
                    .collect(),
                runs: a.runs,
                seed: a.seed,
                threads: a.threads,
                traces: a.results.traces,
            };
            let f = super::study_with_progress(&study, dir, a.results.resume)?;
            if !f.complete() {
                interrupted = Some((f.finished, f.requested, dir.clone()));
            }
            f.comparison
        }
    };
    let text = match a.format {
        Format::Table => table(&vs, &c, a.seed),
        Format::Json => {
            serde_json::to_string_pretty(&to_json(&vs, &c, a.seed)).expect("json") + "\n"
        }
    };
    if let Some(path) = &a.plot {
        super::write_atomically(path, plot(&vs, &c).as_bytes()).map_err(CliError::Io)?;
    }
    super::print_then_report(out, &text, interrupted)
}

/// The outcome classes shown, with their labels and JSON names: deal, talks going, collapse,
/// any strike, then a strike by each actor of the base that struck in some variant.
fn kinds(vs: &[Variant], c: &Comparison) -> Vec<(OutcomeClass, String, String)> {
    let base = &vs[0].loaded.scenario;
    let mut out: Vec<(OutcomeClass, String, String)> = OutcomeClass::COMMON
        .iter()
        .map(|&k| {
            let label = match k {
                OutcomeClass::Kind(OutcomeKind::TalksContinue) => "talks still going".into(),
                OutcomeClass::AnyStrike => "strike (anyone)".into(),
                other => other.name(base),
            };
            (k, label, k.name(base))
        })
        .collect();
    for (i, actor) in base.actors.iter().enumerate() {
        let k = OutcomeClass::Kind(OutcomeKind::Strike(i));
        if (0..vs.len()).any(|v| count(vs, c, v, k) > 0) {
            out.push((k, format!("  strike by {}", actor.id), k.name(base)));
        }
    }
    out
}

/// Runs of variant `v` in class `k` (a strike by a base actor is matched to the variant's
/// actor of the same id).
fn count(vs: &[Variant], c: &Comparison, v: usize, k: OutcomeClass) -> u64 {
    let a = &c.variants[v].agg;
    match k {
        OutcomeClass::Kind(OutcomeKind::Strike(i)) => {
            let id = &vs[0].loaded.scenario.actors[i].id;
            vs[v]
                .loaded
                .scenario
                .actor_index(id)
                .map_or(0, |j| a.count(OutcomeKind::Strike(j)))
        }
        other => a.count_class(other),
    }
}

fn share(vs: &[Variant], c: &Comparison, v: usize, k: OutcomeClass) -> (f64, f64, f64) {
    let a = &c.variants[v].agg;
    let n = count(vs, c, v, k);
    let (lo, hi) = crate::model::formulas::wilson_interval(n, a.runs, crate::study::compare::Z95);
    (n as f64 / a.runs.max(1) as f64, lo, hi)
}

fn diff_text(d: &Difference, scale: f64, decimals: usize) -> String {
    let star = if d.significant() { " *" } else { "" };
    // Signs are kept as computed: "-0.0" says the bound is just below zero.
    let f = |x: f64| format!("{:+.decimals$}", x * scale);
    format!("{} [{}, {}]{star}", f(d.diff), f(d.lo), f(d.hi))
}

/// The comparison as a table a policy analyst can read without the docs.
pub fn table(vs: &[Variant], c: &Comparison, seed: u64) -> String {
    let s = &vs[0].loaded.scenario;
    let mut o = format!(
        "{} — comparison, {} runs per variant, seed {seed}\n",
        s.name,
        c.runs()
    );
    o += "Run i of every variant uses the same random numbers, so each difference measures the\n";
    o += "change itself; [lo, hi] is its 95% interval and * marks a difference unlikely to be chance.\n\n";
    o += "Variants:\n";
    for (i, v) in vs.iter().enumerate() {
        let file = v
            .loaded
            .files
            .last()
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        o += &format!(
            "  {}  {}{}\n",
            letter(i),
            v.label,
            if i == 0 {
                format!(" ({file})")
            } else {
                String::new()
            }
        );
    }
    o += "\nOutcome shares (percentage points of difference from the base)\n";
    o += &format!("  {:<22} {:>7}", "", "base");
    for i in 1..vs.len() {
        o += &format!("   {:<30}", letter(i));
    }
    o += "\n";
    for (kind, label, _) in kinds(vs, c) {
        o += &format!("  {label:<22} {:>6.1}%", 100.0 * share(vs, c, 0, kind).0);
        for v in 1..vs.len() {
            let cell = format!(
                "{:.1}% {}",
                100.0 * share(vs, c, v, kind).0,
                diff_text(&c.share_difference(v, kind), 100.0, 1)
            );
            o += &format!("   {cell:<30}");
        }
        o += "\n";
    }
    o += "\nMean deal terms (0–100; difference in points)\n";
    for (d, issue) in s.issues.iter().enumerate() {
        o += &format!(
            "  {:<22} {:>7.1}",
            issue.id,
            c.variants[0].agg.terms_mean(d)
        );
        for v in 1..vs.len() {
            let cell = format!(
                "{:.1} {}",
                c.variants[v].agg.terms_mean(d),
                diff_text(&c.terms_difference(v, d), 1.0, 1)
            );
            o += &format!("   {cell:<30}");
        }
        o += "\n";
    }
    o += &format!("  {:<22} {:>7}", "deals", c.variants[0].agg.deals);
    for v in 1..vs.len() {
        o += &format!("   {:<30}", c.variants[v].agg.deals);
    }
    o += "\n\nRounds to outcome (mean; difference in rounds)\n";
    o += &format!(
        "  {:<22} {:>7.2}",
        "rounds",
        c.variants[0].agg.rounds_mean_median().0
    );
    for v in 1..vs.len() {
        let cell = format!(
            "{:.2} {}",
            c.variants[v].agg.rounds_mean_median().0,
            diff_text(&c.rounds_difference(v), 1.0, 2)
        );
        o += &format!("   {cell:<30}");
    }
    o += "\n";
    o
}

/// A label short enough for a legend: each override without its top-level section
/// (`actors.<id>.influence=0.2` → `<id>.influence=0.2`).
fn short(label: &str) -> String {
    label
        .split(' ')
        .map(|o| match o.split_once('.') {
            Some((top, rest))
                if ["actors", "sides", "params", "events", "issues"].contains(&top) =>
            {
                rest
            }
            _ => o,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn letter(i: usize) -> String {
    if i == 0 {
        "base".into()
    } else {
        format!("V{i}")
    }
}

/// The comparison as one JSON object.
pub fn to_json(vs: &[Variant], c: &Comparison, seed: u64) -> Value {
    let s = &vs[0].loaded.scenario;
    let d = |x: &Difference| json!({"diff": x.diff, "lo": x.lo, "hi": x.hi, "significant": x.significant()});
    let num = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    let variants: Vec<Value> = vs
        .iter()
        .enumerate()
        .map(|(v, var)| {
            let mut outcomes = Map::new();
            for (kind, _, name) in kinds(vs, c) {
                let mut entry = json!({"share": share(vs, c, v, kind).0});
                if v > 0 {
                    entry["difference"] = d(&c.share_difference(v, kind));
                }
                outcomes.insert(name, entry);
            }
            let mut terms = Map::new();
            for (i, issue) in s.issues.iter().enumerate() {
                let mut entry = json!({"mean": num(c.variants[v].agg.terms_mean(i))});
                if v > 0 {
                    let t = c.terms_difference(v, i);
                    entry["difference"] = json!({"diff": num(t.diff), "lo": num(t.lo), "hi": num(t.hi), "significant": t.significant()});
                }
                terms.insert(issue.id.clone(), entry);
            }
            let mut rounds = json!({"mean": c.variants[v].agg.rounds_mean_median().0});
            if v > 0 {
                rounds["difference"] = d(&c.rounds_difference(v));
            }
            json!({
                "label": var.label,
                "overrides": var.loaded.overrides.iter().map(|o| o.to_string()).collect::<Vec<_>>(),
                "files": var.loaded.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "outcomes": outcomes,
                "deal_terms": terms,
                "rounds": rounds,
            })
        })
        .collect();
    json!({"scenario": s.name, "runs": c.runs(), "seed": seed, "variants": variants})
}

fn plot(vs: &[Variant], c: &Comparison) -> String {
    use crate::report::svg::{Group, ShareBar, compare_shares};
    let names: Vec<String> = vs
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{}: {}", letter(i), short(&v.label)))
        .collect();
    let groups: Vec<Group> = OutcomeClass::COMMON
        .iter()
        .zip(kinds(vs, c))
        .map(|(_, (kind, label, _))| Group {
            label,
            bars: (0..vs.len())
                .map(|v| {
                    let (share, lo, hi) = share(vs, c, v, kind);
                    ShareBar {
                        label: names[v].clone(),
                        share,
                        lo,
                        hi,
                    }
                })
                .collect(),
        })
        .collect();
    let title = format!(
        "{} — {} runs per variant",
        vs[0].loaded.scenario.name,
        c.runs()
    );
    compare_shares(&title, &names, &groups)
}
