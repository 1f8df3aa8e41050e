//! What `detente compare` prints: the comparison of a base and its variants as a table, as one
//! JSON object, and as an SVG picture of the outcome shares.

use serde_json::{Map, Value, json};

use crate::outcome::{OutcomeClass, OutcomeKind};
use crate::scenario::Loaded;
use crate::study::compare::{Comparison, Difference};

/// One compared scenario and how it is named in the output.
pub struct Variant {
    /// Short name.
    pub label: String,
    /// The loaded scenario.
    pub loaded: Loaded,
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
///
/// `vs` are the variants `c` compares, in the same order, the base first (as in every function
/// here); without variants there is nothing to show and the text is empty.
pub fn table(vs: &[Variant], c: &Comparison, seed: u64) -> String {
    let Some(base) = vs.first() else {
        return String::new();
    };
    let s = &base.loaded.scenario;
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
    // Sections of rows: a label, the base's value, and each variant's value with its difference.
    type Row = (String, String, Vec<String>);
    let mut sections: Vec<(&str, Vec<Row>)> = Vec::new();
    let variants = 1..vs.len();
    let shares = kinds(vs, c)
        .into_iter()
        .map(|(kind, label, _)| {
            let cells = variants
                .clone()
                .map(|v| {
                    format!(
                        "{:.1}% {}",
                        100.0 * share(vs, c, v, kind).0,
                        diff_text(&c.share_difference(v, kind), 100.0, 1)
                    )
                })
                .collect();
            (
                label,
                format!("{:.1}%", 100.0 * share(vs, c, 0, kind).0),
                cells,
            )
        })
        .collect();
    sections.push((
        "Outcome shares (percentage points of difference from the base)",
        shares,
    ));
    let mut terms: Vec<Row> = s
        .issues
        .iter()
        .enumerate()
        .map(|(d, issue)| {
            let cells = variants
                .clone()
                .map(|v| {
                    format!(
                        "{:.1} {}",
                        c.variants[v].agg.terms_mean(d),
                        diff_text(&c.terms_difference(v, d), 1.0, 1)
                    )
                })
                .collect();
            (
                issue.id.clone(),
                format!("{:.1}", c.variants[0].agg.terms_mean(d)),
                cells,
            )
        })
        .collect();
    terms.push((
        "deals".into(),
        c.variants[0].agg.deals.to_string(),
        variants
            .clone()
            .map(|v| c.variants[v].agg.deals.to_string())
            .collect(),
    ));
    sections.push(("Mean deal terms (0–100; difference in points)", terms));
    let rounds = vec![(
        "rounds".to_string(),
        format!("{:.2}", c.variants[0].agg.rounds_mean_median().0),
        variants
            .clone()
            .map(|v| {
                format!(
                    "{:.2} {}",
                    c.variants[v].agg.rounds_mean_median().0,
                    diff_text(&c.rounds_difference(v), 1.0, 2)
                )
            })
            .collect(),
    )];
    sections.push(("Rounds to outcome (mean; difference in rounds)", rounds));
    // Side by side while the table fits 100 columns (two variants); beyond, one block per
    // variant against the base.
    let wide = 2 + 22 + 1 + 7 + (vs.len() - 1) * 33 <= MAX_WIDTH;
    if wide {
        for (title, rows) in &sections {
            o += &format!("\n{title}\n");
            if title.starts_with("Outcome") {
                o += &format!("  {:<22} {:>7}", "", "base");
                for i in variants.clone() {
                    o += &format!("   {:<30}", letter(i));
                }
                o += "\n";
            }
            for (label, base, cells) in rows {
                o += &format!("  {label:<22} {base:>7}");
                for cell in cells {
                    o += &format!("   {cell:<30}");
                }
                o += "\n";
            }
        }
    } else {
        for v in variants {
            o += &format!("\n{} against the base: {}\n", letter(v), vs[v].label);
            o += &format!("    {:<22} {:>7}   {}\n", "", "base", letter(v));
            for (title, rows) in &sections {
                o += &format!("  {title}\n");
                for (label, base, cells) in rows {
                    o += &format!("    {label:<22} {base:>7}   {}\n", cells[v - 1]);
                }
            }
        }
    }
    // Cells are padded to align the columns; what is left at the end of a line is only padding.
    o.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

/// The widest table `compare` prints side by side.
const MAX_WIDTH: usize = 100;

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

/// The comparison as one JSON object (`null` without variants).
pub fn to_json(vs: &[Variant], c: &Comparison, seed: u64) -> Value {
    let Some(base) = vs.first() else {
        return Value::Null;
    };
    let s = &base.loaded.scenario;
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

/// The outcome shares of every variant side by side, with their intervals, as an SVG picture.
pub fn plot(vs: &[Variant], c: &Comparison) -> String {
    let Some(base) = vs.first() else {
        return String::new();
    };
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
        base.loaded.scenario.name,
        c.runs()
    );
    compare_shares(&title, &names, &groups)
}
