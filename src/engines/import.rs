//! Importers for users of the tools these engines come from: KTAB's scenario CSV and XML files
//! and the four-column tables of Bueno de Mesquita's model (`Actor, Capability, Position,
//! Salience`), turned into detente scenario files. Every malformed row or element is reported
//! with its line and column; nothing is written unless the whole file reads.
//!
//! Hostile or mistaken inputs are bounded: at most [`MAX_ACTORS`] actors, [`MAX_DIMENSIONS`]
//! dimensions (issues), [`MAX_CSV_FIELDS`] fields on a CSV line and XML elements nested at most
//! [`MAX_XML_DEPTH`] deep, each refused with a located error. A file that is not recognisably
//! of the kind asked for (its first lines or its root element are not those of the format) is
//! refused without quoting any of it; lines are shown only from files that are.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use crate::scenario::Diagnostic;

/// The most actors an imported scenario may have (KTAB's and BDM's published scenarios have
/// tens to a few hundred).
pub const MAX_ACTORS: usize = 10_000;

/// The most dimensions (issues) an imported KTAB scenario may have.
pub const MAX_DIMENSIONS: usize = 1_000;

/// The most fields on one line of an imported CSV file: an actor, a description, a power and
/// a position and a salience for each of [`MAX_DIMENSIONS`], and a trailing empty field.
pub const MAX_CSV_FIELDS: usize = 4 + 2 * MAX_DIMENSIONS;

/// The deepest nesting of elements in an imported XML file (a KTAB scenario needs 5; the XML
/// parser recurses once per level, so this bounds its stack).
pub const MAX_XML_DEPTH: usize = 64;

/// A problem at a place in a file that is not shown (the file's content is not quoted).
fn unquoted_problem(file: &Path, line: usize, column: usize, message: String) -> Diagnostic {
    Diagnostic {
        location: Some((line, column)),
        ..Diagnostic::new(message).in_file(file)
    }
}

/// The 1-based line and column (in characters) of byte offset `at` of `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Makes ids unique by appending `_` as often as needed (`a`, `a_`, `a__`), in time linear in
/// the length of the ids handed out, whatever the number of repeats.
#[derive(Default)]
struct UniqueIds {
    seen: BTreeSet<String>,
    /// For each base id, how many `_` its next copy needs at least.
    next: HashMap<String, usize>,
}

impl UniqueIds {
    fn unique(&mut self, base: String) -> String {
        let mut k = self.next.get(&base).copied().unwrap_or(0);
        loop {
            let candidate = format!("{base}{}", "_".repeat(k));
            if self.seen.insert(candidate.clone()) {
                self.next.insert(base, k + 1);
                return candidate;
            }
            k += 1;
        }
    }
}

/// A problem at `column` of `line_text`, line `line` of a file recognisably of its format
/// (the line is shown under the message).
fn problem(
    file: &Path,
    line_text: &str,
    line: usize,
    column: usize,
    message: String,
) -> Diagnostic {
    Diagnostic::new(message)
        .in_file(file)
        .at_line(line_text, line, column, 1)
}

/// The 1-based column at which field `i` of `line` starts.
fn column_of(line: &str, i: usize) -> usize {
    line.split(',')
        .take(i)
        .map(|f| f.chars().count() + 1)
        .sum::<usize>()
        + 1
}

fn number(
    file: &Path,
    n: usize,
    line: &str,
    cells: &[&str],
    i: usize,
    what: &str,
) -> Result<f64, Diagnostic> {
    let field = cells.get(i).copied().unwrap_or("").trim();
    match field.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(problem(
            file,
            line,
            n,
            column_of(line, i),
            format!("{what}: `{field}` is not a number"),
        )),
    }
}

/// An id from a name: lower case, letters, digits, `_` and `-`.
fn ident(name: &str) -> String {
    let s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "actor".into() } else { s }
}

fn quoted(s: &str) -> String {
    format!("{:?}", s.trim())
}

/// Issue ids from KTAB's dimension names: a leading `Pstn` or `Pos` is dropped, a bare number
/// `n` becomes `dimn`, an empty name `dim` and its place (1-based); repeated ids get a `_`.
fn dim_ids<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut ids = UniqueIds::default();
    names
        .enumerate()
        .map(|(d, name)| {
            let name = name.trim();
            let bare = name.trim_start_matches("Pstn").trim_start_matches("Pos");
            let id = if bare.trim().is_empty() {
                format!("dim{}", d + 1)
            } else {
                let id = ident(bare);
                if id.chars().all(|c| c.is_ascii_digit()) {
                    format!("dim{id}")
                } else {
                    id
                }
            };
            ids.unique(id)
        })
        .collect()
}

/// Writes the issues of a KTAB scenario (0–100 each) and opens its list of actors.
fn write_ktab_issues(out: &mut String, dims: &[String]) {
    *out += "    issues: [\n";
    for d in dims {
        let _ = writeln!(
            out,
            "        Issue(id: \"{d}\", low: \"0\", high: \"100\"),"
        );
    }
    *out += "    ],\n    actors: [\n";
}

/// Writes one actor of a KTAB scenario: positions as given (0–100), saliences divided by 100.
fn write_ktab_actor(
    out: &mut String,
    id: &str,
    name: &str,
    capability: f64,
    dims: &[String],
    position: &[f64],
    salience: &[f64],
) {
    let map = |xs: &[f64], scale: f64| {
        dims.iter()
            .zip(xs)
            .map(|(d, x)| format!("\"{d}\": {}", x / scale))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "        Actor(id: \"{id}\", name: {}, capability: {capability},\n              ideal: {{{}}},\n              salience: {{{}}}),",
        quoted(name),
        map(position, 1.0),
        map(salience, 100.0)
    );
}

/// A KTAB scenario CSV (first line: name, description, actors, dimensions; second: headers
/// `Actor, Description, Power, Pos1, Sal1, ...`; then one line per actor) as a scenario file
/// for the `SpatialModel` engine. Positions stay on 0–100; saliences are divided by 100.
pub fn ktab_csv(text: &str, file: &Path) -> Result<String, Vec<Diagnostic>> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().trim_matches(',').is_empty())
        .collect();
    let mut errors = Vec::new();
    let Some(&(n0, head)) = lines.first() else {
        return Err(vec![Diagnostic::new("the file is empty").in_file(file)]);
    };
    // Recognisably a KTAB scenario: its second line is the header `Actor, Description, ...`.
    let recognised = lines.get(1).is_some_and(|&(_, h)| {
        h.split(',')
            .next()
            .is_some_and(|f| f.trim().trim_matches('"').eq_ignore_ascii_case("actor"))
    });
    if !recognised {
        return Err(vec![
            unquoted_problem(
                file,
                n0,
                1,
                "this is not a KTAB scenario CSV file: its second line is not the header \
                 `Actor,Description,Power,...`"
                    .into(),
            )
            .with_help(
                "a KTAB scenario CSV file starts with `name,description,actors,dimensions` and \
                 the header `Actor,Description,Power,Pos1,Sal1,...`; check that the path names \
                 the intended file",
            ),
        ]);
    }
    if let Some(&(n, line)) = lines
        .iter()
        .find(|(_, l)| l.split(',').count() > MAX_CSV_FIELDS)
    {
        return Err(vec![unquoted_problem(
            file,
            n,
            1,
            format!(
                "this line has {} fields, more than the {MAX_CSV_FIELDS} a KTAB scenario may \
                 have ({MAX_DIMENSIONS} dimensions at most)",
                line.split(',').count()
            ),
        )]);
    }
    let fields: Vec<&str> = head.split(',').collect();
    let name = fields.first().map_or("", |f| f.trim().trim_matches('"'));
    let description = fields.get(1).map_or("", |f| f.trim().trim_matches('"'));
    let count = |i: usize, what: &str| -> Result<usize, Diagnostic> {
        let f = fields.get(i).map_or("", |f| f.trim());
        f.parse::<usize>().map_err(|_| {
            problem(
                file,
                head,
                n0,
                column_of(head, i),
                format!("{what}: `{f}` is not a whole number"),
            )
        })
    };
    let (actors, dims) = match (
        count(2, "number of actors"),
        count(3, "number of dimensions"),
    ) {
        (Ok(a), _) if a > MAX_ACTORS => {
            return Err(vec![problem(
                file,
                head,
                n0,
                column_of(head, 2),
                format!("{a} actors: an imported scenario has at most {MAX_ACTORS}"),
            )]);
        }
        (_, Ok(d)) if d > MAX_DIMENSIONS => {
            return Err(vec![problem(
                file,
                head,
                n0,
                column_of(head, 3),
                format!("{d} dimensions: an imported scenario has at most {MAX_DIMENSIONS}"),
            )]);
        }
        (Ok(a), Ok(d)) if a > 0 && d > 0 => (a, d),
        (Err(e1), Err(e2)) => return Err(vec![e1, e2]),
        (Err(e), _) | (_, Err(e)) => return Err(vec![e]),
        _ => {
            return Err(vec![problem(
                file,
                head,
                n0,
                1,
                "no actors or no dimensions".into(),
            )]);
        }
    };
    let Some(&(_, header)) = lines.get(1) else {
        return Err(vec![
            Diagnostic::new("the file has no header line").in_file(file),
        ]);
    };
    let header: Vec<&str> = header.split(',').map(str::trim).collect();
    let dim_names = dim_ids((0..dims).map(|d| header.get(3 + 2 * d).copied().unwrap_or("")));
    let rows = &lines[2..];
    if rows.len() != actors {
        errors.push(problem(
            file,
            head,
            n0,
            column_of(head, 2),
            format!(
                "the first line announces {actors} actors, the file has {}",
                rows.len()
            ),
        ));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Imported from a KTAB scenario file ({}).",
        file.display()
    );
    let _ = writeln!(
        out,
        "Scenario(\n    name: {},\n    description: {},\n    engine: SpatialModel(),",
        quoted(name),
        quoted(description)
    );
    write_ktab_issues(&mut out, &dim_names);
    let mut ids = UniqueIds::default();
    for &(n, line) in rows.iter().take(MAX_ACTORS) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.iter().filter(|c| !c.trim().is_empty()).count() < 3 + 2 * dims {
            errors.push(problem(
                file,
                line,
                n,
                1,
                format!(
                    "expected an actor, a description, a power and {dims} position/salience pairs"
                ),
            ));
            continue;
        }
        let actor = cells[0].trim();
        let id = ids.unique(ident(actor));
        let power = number(file, n, line, &cells, 2, "power");
        let mut pos = Vec::new();
        let mut sal = Vec::new();
        for d in 0..dims {
            pos.push(number(file, n, line, &cells, 3 + 2 * d, "position"));
            sal.push(number(file, n, line, &cells, 4 + 2 * d, "salience"));
        }
        let all: Result<Vec<f64>, Diagnostic> =
            std::iter::once(power).chain(pos).chain(sal).collect();
        match all {
            Err(e) => errors.push(e),
            Ok(v) => {
                let (power, pos, sal) = (v[0], &v[1..1 + dims], &v[1 + dims..]);
                write_ktab_actor(&mut out, &id, actor, power, &dim_names, pos, sal);
            }
        }
    }
    out += "    ],\n)\n";
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The accepted values of one model parameter, each with the detente variant it stands for.
type Spellings = &'static [(&'static str, &'static str)];

/// KTAB's nine model parameters: the XML element, the `SpatialModel` field, and each accepted
/// value with the detente variant it maps to. KTAB's own spellings come first (they are the
/// names its reader accepts); `Proportional` and `No` are the spellings of KTAB's schema
/// `smpSchema.xsd`, and detente's own names are accepted too.
const KTAB_PARAMETERS: [(&str, &str, Spellings); 9] = [
    (
        "VictoryProbModel",
        "vpm",
        &[
            ("Linear", "Linear"),
            ("Square", "Square"),
            ("Quartic", "Quartic"),
            ("Octic", "Octic"),
            ("Binary", "Binary"),
        ],
    ),
    (
        "VotingRule",
        "voting_rule",
        &[
            ("Binary", "Binary"),
            ("PropBin", "PropBin"),
            ("Prop", "Proportional"),
            ("PropCbc", "PropCbc"),
            ("Cubic", "Cubic"),
            ("ASymProsp", "ASymProsp"),
            ("Proportional", "Proportional"),
        ],
    ),
    (
        "PCEModel",
        "pce",
        &[
            ("Conditional", "Conditional"),
            ("MarkovIncentive", "MarkovIncentive"),
            ("MarkovUniform", "MarkovUniform"),
        ],
    ),
    (
        "StateTransitions",
        "transitions",
        &[
            ("Deterministic", "Deterministic"),
            ("Stochastic", "Stochastic"),
        ],
    ),
    (
        "BigRRange",
        "big_r_range",
        &[("Min", "Min"), ("Mid", "Mid"), ("Max", "Max")],
    ),
    (
        "BigRAdjust",
        "big_r_adjust",
        &[
            ("None", "None"),
            ("OneThird", "OneThird"),
            ("Half", "Half"),
            ("TwoThirds", "TwoThirds"),
            ("Full", "Full"),
            ("No", "None"),
        ],
    ),
    (
        "ThirdPartyCommit",
        "third_party",
        &[
            ("NoCommit", "No"),
            ("SemiCommit", "Semi"),
            ("FullCommit", "Full"),
            ("No", "No"),
            ("Semi", "Semi"),
            ("Full", "Full"),
        ],
    ),
    (
        "InterVecBrgn",
        "inter_vec_brgn",
        &[("S1P1", "S1P1"), ("S2P2", "S2P2"), ("S2PMax", "S2PMax")],
    ),
    (
        "BargnModel",
        "bargn_model",
        &[
            ("InitOnlyInterp", "InitOnlyInterp"),
            ("InitRcvrInterp", "InitRcvrInterp"),
            ("PWCompInterp", "PwCompInterp"),
        ],
    ),
];

/// Reads a parsed KTAB XML scenario, collecting every problem with its place in the text.
struct XmlReader<'a, 'input> {
    file: &'a Path,
    text: &'a str,
    doc: &'a roxmltree::Document<'input>,
    errors: Vec<Diagnostic>,
    /// Problems found beyond [`MAX_PROBLEMS`], counted only.
    dropped: usize,
}

/// The most problems of an XML file reported one by one (the rest are counted).
const MAX_PROBLEMS: usize = 100;

type XmlNode<'a, 'input> = roxmltree::Node<'a, 'input>;

impl<'a, 'input> XmlReader<'a, 'input> {
    /// A problem at byte offset `pos` of the text.
    fn at(&mut self, pos: usize, message: String) {
        if self.errors.len() >= MAX_PROBLEMS {
            self.dropped += 1;
            return;
        }
        let p = self.doc.text_pos_at(pos);
        let text = self.text;
        let start = text
            .get(..pos)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let end = text
            .get(pos..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| pos + i);
        let line = text.get(start..end).unwrap_or("");
        self.errors.push(problem(
            self.file,
            line,
            p.row as usize,
            p.col as usize,
            message,
        ));
    }

    /// The problems found, with a last line counting those not shown.
    fn finish(mut self) -> Vec<Diagnostic> {
        if self.dropped > 0 {
            self.errors.push(
                Diagnostic::new(format!(
                    "and {} more problems (only the first {MAX_PROBLEMS} are shown)",
                    self.dropped
                ))
                .in_file(self.file),
            );
        }
        self.errors
    }

    /// A problem at an element's start tag.
    fn at_node(&mut self, node: XmlNode<'a, 'input>, message: String) {
        self.at(node.range().start, message);
    }

    /// A problem at an element's text (at its start tag when it has none).
    fn at_value(&mut self, node: XmlNode<'a, 'input>, message: String) {
        let pos = match node.first_child().filter(|c| c.is_text()) {
            Some(t) => {
                let raw = &self.text[t.range()];
                t.range().start + (raw.len() - raw.trim_start().len())
            }
            None => node.range().start,
        };
        self.at(pos, message);
    }

    /// The element children of `node`; any whose name is not in `known` is reported.
    fn children(&mut self, node: XmlNode<'a, 'input>, known: &[&str]) -> Vec<XmlNode<'a, 'input>> {
        let mut out = Vec::new();
        for c in node.children().filter(|c| c.is_element()) {
            let name = c.tag_name().name();
            if known.contains(&name) {
                out.push(c);
            } else {
                self.at_node(
                    c,
                    format!(
                        "unknown element `<{name}>` in `<{}>`; expected {}",
                        node.tag_name().name(),
                        known
                            .iter()
                            .map(|k| format!("`<{k}>`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        out
    }

    /// The first child element named `name`.
    fn child(node: XmlNode<'a, 'input>, name: &str) -> Option<XmlNode<'a, 'input>> {
        node.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
    }

    /// The first child element named `name`, reported at `node` when missing.
    fn required(&mut self, node: XmlNode<'a, 'input>, name: &str) -> Option<XmlNode<'a, 'input>> {
        let c = Self::child(node, name);
        if c.is_none() {
            self.at_node(
                node,
                format!("`<{}>` has no `<{name}>`", node.tag_name().name()),
            );
        }
        c
    }

    /// An element's text, trimmed (empty when it has none).
    fn text_of(node: XmlNode<'a, 'input>) -> String {
        node.children()
            .filter(|c| c.is_text())
            .filter_map(|c| c.text())
            .collect::<String>()
            .trim()
            .to_owned()
    }

    /// An element's text as a finite number within `[lo, hi]`.
    fn number(&mut self, node: XmlNode<'a, 'input>, what: &str, lo: f64, hi: f64) -> Option<f64> {
        let t = Self::text_of(node);
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() && (lo..=hi).contains(&x) => Some(x),
            Ok(x) if x.is_finite() => {
                self.at_value(node, format!("{what}: {t} is outside {lo}..{hi}"));
                None
            }
            _ if t.is_empty() => {
                self.at_value(
                    node,
                    format!("{what}: `<{}>` is empty", node.tag_name().name()),
                );
                None
            }
            _ => {
                self.at_value(node, format!("{what}: `{t}` is not a number"));
                None
            }
        }
    }

    /// The nine model parameters as `field: Variant` pairs in `Settings` order.
    fn parameters(&mut self, node: XmlNode<'a, 'input>) -> Vec<(String, String)> {
        let names: Vec<&str> = KTAB_PARAMETERS.iter().map(|p| p.0).collect();
        let given = self.children(node, &names);
        let mut out = Vec::new();
        for (element, field, values) in KTAB_PARAMETERS {
            let mut matches = given.iter().filter(|c| c.tag_name().name() == element);
            let Some(&el) = matches.next() else {
                self.at_node(
                    node,
                    format!("`<ModelParameters>` has no `<{element}>` (KTAB needs all nine)"),
                );
                continue;
            };
            if let Some(&again) = matches.next() {
                self.at_node(again, format!("`<{element}>` is given twice"));
            }
            let v = Self::text_of(el);
            match values.iter().find(|(k, _)| k.eq_ignore_ascii_case(&v)) {
                Some((_, variant)) => out.push((field.to_owned(), (*variant).to_owned())),
                None => {
                    // KTAB's spelling of each variant: the first one listed.
                    let valid: Vec<String> = values
                        .iter()
                        .enumerate()
                        .filter(|(n, (_, var))| !values[..*n].iter().any(|(_, v2)| v2 == var))
                        .map(|(_, (k, _))| format!("`{k}`"))
                        .collect();
                    self.at_value(
                        el,
                        format!("{element}: `{v}` is not one of {}", valid.join(", ")),
                    );
                }
            }
        }
        out
    }
}

/// Checks, before parsing, that `text` is recognisably a KTAB XML scenario — nothing but
/// whitespace, an XML declaration, comments, processing instructions and a DOCTYPE before a
/// root element `<Scenario>` — and that no element is nested deeper than [`MAX_XML_DEPTH`]
/// (the parser recurses once per level). A cheap scan of the markup; well-formedness is left
/// to the parser. Neither error quotes the text.
fn scan_xml(text: &str, file: &Path) -> Result<(), Diagnostic> {
    let not_ktab = |at: usize| {
        let (line, col) = line_col(text, at);
        unquoted_problem(
            file,
            line,
            col,
            "this is not a KTAB XML scenario: its root element is not `<Scenario>`".into(),
        )
        .with_help(
            "KTAB scenario files are XML whose root element is `<Scenario>`; check that the path \
             names the intended file",
        )
    };
    let b = text.as_bytes();
    let mut i = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut depth = 0usize;
    let mut root_seen = false;
    // The byte after the end of `end` searched from `from`, or the end of the text.
    let skip_past = |from: usize, end: &str| {
        text.get(from..)
            .and_then(|t| t.find(end))
            .map_or(b.len(), |k| from + k + end.len())
    };
    while i < b.len() {
        if b[i] != b'<' {
            if !root_seen && !b[i].is_ascii_whitespace() {
                return Err(not_ktab(i));
            }
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = skip_past(i + 4, "-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_past(i + 9, "]]>");
        } else if rest.starts_with(b"<?") {
            i = skip_past(i + 2, "?>");
        } else if rest.starts_with(b"<!") {
            // A DOCTYPE, with an internal subset in brackets and quoted strings.
            let (mut brackets, mut quote) = (0usize, None);
            i += 2;
            while i < b.len() {
                match (quote, b[i]) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, c @ (b'"' | b'\'')) => quote = Some(c),
                    (None, b'[') => brackets += 1,
                    (None, b']') => brackets = brackets.saturating_sub(1),
                    (None, b'>') if brackets == 0 => break,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            i = skip_past(i + 2, ">");
        } else {
            let start = i;
            let name_end = rest[1..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || matches!(c, b'/' | b'>'))
                .map_or(rest.len(), |k| k + 1);
            if !root_seen {
                let name = &rest[1..name_end];
                let local = name.rsplit(|&c| c == b':').next().unwrap_or(name);
                if local != b"Scenario" {
                    return Err(not_ktab(start));
                }
                root_seen = true;
            }
            // The end of the tag, past quoted attribute values.
            let mut quote = None;
            i += name_end;
            while i < b.len() {
                match (quote, b[i]) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, c @ (b'"' | b'\'')) => quote = Some(c),
                    (None, b'>') => break,
                    _ => {}
                }
                i += 1;
            }
            let self_closing = i < b.len() && i > 0 && b[i - 1] == b'/';
            i += 1;
            if !self_closing {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    let (line, col) = line_col(text, start);
                    return Err(unquoted_problem(
                        file,
                        line,
                        col,
                        format!(
                            "elements nested more than {MAX_XML_DEPTH} deep (a KTAB scenario \
                             needs 5)"
                        ),
                    ));
                }
            }
        }
    }
    if root_seen {
        Ok(())
    } else {
        Err(not_ktab(b.len()))
    }
}

/// One actor of a KTAB XML scenario.
struct XmlActor {
    name: String,
    id: String,
    capability: f64,
    position: Vec<f64>,
    salience: Vec<f64>,
}

/// A KTAB XML scenario (the format of KTAB's `smpc` and its `smpSchema.xsd`: `<Scenario>` with
/// `<name>`, `<desc>`, `<prngSeed>`, optional `<ModelParameters>`, `<Dimensions>` of `<dName>`,
/// `<Actors>` of `<Actor>` with `<name>`, `<description>`, `<capability>`, `<Position>` of
/// `<dCoord>` and `<Salience>` of `<dSal>`, and an optional `<IdealAdjustment>` of `<iaPair>`s)
/// as a scenario file for the `SpatialModel` engine, like [`ktab_csv`]: positions stay on
/// 0–100, saliences are divided by 100. The model parameters become the engine's settings, and
/// the ideal-adjustment pairs its `ideal_accommodation` (the entries that differ from the
/// identity matrix, which KTAB starts from).
pub fn ktab_xml(text: &str, file: &Path) -> Result<String, Vec<Diagnostic>> {
    scan_xml(text, file).map_err(|d| vec![d])?;
    let doc = match roxmltree::Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let (line, column) = match e {
                roxmltree::Error::UnclosedRootNode | roxmltree::Error::UnexpectedEndOfStream => {
                    let line = text.lines().count().max(1);
                    let column = text.lines().last().map_or(0, |l| l.chars().count()) + 1;
                    (line, column)
                }
                _ => (e.pos().row as usize, e.pos().col as usize),
            };
            let message = e.to_string().replace(&format!(" at {}", e.pos()), "");
            return Err(vec![
                Diagnostic::new(format!("not well-formed XML: {message}"))
                    .in_file(file)
                    .at_location(text, line, column, 1),
            ]);
        }
    };
    let mut r = XmlReader {
        file,
        text,
        doc: &doc,
        errors: Vec::new(),
        dropped: 0,
    };
    let root = doc.root_element();
    if root.tag_name().name() != "Scenario" {
        // Not reached: `scan_xml` refuses such a file first.
        r.at_node(root, "the root element is not KTAB's `<Scenario>`".into());
        return Err(r.finish());
    }
    let top = r.children(
        root,
        &[
            "name",
            "desc",
            "prngSeed",
            "ModelParameters",
            "Dimensions",
            "Actors",
            "IdealAdjustment",
        ],
    );
    let one = |name: &str| top.iter().copied().find(|c| c.tag_name().name() == name);
    let name = one("name").map(XmlReader::text_of).unwrap_or_default();
    let name = if name.is_empty() {
        file.file_stem()
            .map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned())
    } else {
        name
    };
    let description = one("desc").map(XmlReader::text_of).unwrap_or_default();
    let seed = one("prngSeed").map(XmlReader::text_of).unwrap_or_default();
    let settings = one("ModelParameters").map(|p| r.parameters(p));

    // Dimensions.
    let mut dims = Vec::new();
    if let Some(d) = r.required(root, "Dimensions") {
        let nodes = r.children(d, &["dName"]);
        if nodes.len() > MAX_DIMENSIONS {
            r.at_node(
                d,
                format!(
                    "{} dimensions: an imported scenario has at most {MAX_DIMENSIONS}",
                    nodes.len()
                ),
            );
            return Err(r.finish());
        }
        for n in nodes {
            let t = XmlReader::text_of(n);
            if t.is_empty() {
                r.at_node(n, "`<dName>` is empty".into());
            }
            dims.push(t);
        }
        if dims.is_empty() {
            r.at_node(d, "`<Dimensions>` has no `<dName>`".into());
        }
    }
    let dim_names = dim_ids(dims.iter().map(String::as_str));

    // Actors.
    let mut actors: Vec<XmlActor> = Vec::new();
    // Every actor's name, with its place in `actors` when it read without problems.
    let mut names: Vec<(String, Option<usize>)> = Vec::new();
    let mut ids = UniqueIds::default();
    if let Some(list) = r.required(root, "Actors") {
        let nodes = r.children(list, &["Actor"]);
        if nodes.len() > MAX_ACTORS {
            r.at_node(
                list,
                format!(
                    "{} actors: an imported scenario has at most {MAX_ACTORS}",
                    nodes.len()
                ),
            );
            return Err(r.finish());
        }
        if nodes.is_empty() {
            r.at_node(list, "`<Actors>` has no `<Actor>`".into());
        }
        for a in nodes {
            let before = r.errors.len();
            r.children(
                a,
                &["name", "description", "capability", "Position", "Salience"],
            );
            let actor = r.required(a, "name").map(XmlReader::text_of);
            if actor.as_deref() == Some("") {
                let n = XmlReader::child(a, "name").unwrap_or(a);
                r.at_node(n, "the actor's `<name>` is empty".into());
            }
            let what = |w: &str| match &actor {
                Some(n) if !n.is_empty() => format!("{n}: {w}"),
                _ => w.to_owned(),
            };
            let capability = r
                .required(a, "capability")
                .and_then(|c| r.number(c, &what("capability"), f64::MIN, f64::MAX));
            if let (Some(c), Some(node)) = (capability, XmlReader::child(a, "capability"))
                && c <= 0.0
            {
                r.at_value(node, format!("{}: must be positive", what("capability")));
            }
            let mut vector = |list: &str, item: &str, w: &str| -> Vec<f64> {
                let Some(l) = r.required(a, list) else {
                    return Vec::new();
                };
                let items = r.children(l, &[item]);
                if items.len() != dim_names.len() && !dim_names.is_empty() {
                    r.at_node(
                        l,
                        format!(
                            "{}: {} `<{item}>` for {} dimensions",
                            what(w),
                            items.len(),
                            dim_names.len()
                        ),
                    );
                }
                items
                    .into_iter()
                    .filter_map(|i| r.number(i, &what(w), 0.0, 100.0))
                    .collect()
            };
            let position = vector("Position", "dCoord", "position");
            let salience = vector("Salience", "dSal", "salience");
            let total: f64 = salience.iter().sum();
            if total > 100.0 + 1e-9 {
                let node = XmlReader::child(a, "Salience").unwrap_or(a);
                r.at_node(
                    node,
                    format!(
                        "{}: the saliences sum to {total}, more than 100",
                        what("salience")
                    ),
                );
            }
            let Some(actor) = actor else {
                continue;
            };
            let capability = match capability {
                Some(c) if r.errors.len() == before => c,
                _ => {
                    names.push((actor, None));
                    continue;
                }
            };
            names.push((actor.clone(), Some(actors.len())));
            let id = ids.unique(ident(&actor));
            actors.push(XmlActor {
                name: actor,
                id,
                capability,
                position,
                salience,
            });
        }
    }

    // Ideal adjustment: KTAB starts from the identity matrix and sets each pair's entry.
    // Only the entries given are stored (row-major order), not the n×n matrix.
    let identity = |i: usize, j: usize| if i == j { 1.0 } else { 0.0 };
    let mut matrix: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut last_pair: BTreeMap<usize, XmlNode> = BTreeMap::new();
    // Every actor's places in `names`, by name.
    let mut by_name: HashMap<&str, Vec<Option<usize>>> = HashMap::new();
    for (name, i) in &names {
        by_name.entry(name.as_str()).or_default().push(*i);
    }
    if let Some(ia) = one("IdealAdjustment") {
        for pair in r.children(ia, &["iaPair"]) {
            r.children(pair, &["adjustingIdeal", "referencePos", "adjust"]);
            // `Some(None)`: a known actor whose own data has problems (reported already).
            let mut index = |el: &str| -> Option<Option<usize>> {
                let node = r.required(pair, el)?;
                let who = XmlReader::text_of(node);
                let found: &[Option<usize>] = by_name.get(who.as_str()).map_or(&[], Vec::as_slice);
                match *found {
                    [i] => Some(i),
                    [] => {
                        r.at_value(node, format!("{el}: no actor is named `{who}`"));
                        None
                    }
                    _ => {
                        r.at_value(
                            node,
                            format!("{el}: {} actors are named `{who}`", found.len()),
                        );
                        None
                    }
                }
            };
            let i = index("adjustingIdeal");
            let j = index("referencePos");
            let rate = r
                .required(pair, "adjust")
                .and_then(|a| r.number(a, "adjust", 0.0, 1.0));
            if let (Some(Some(i)), Some(Some(j)), Some(rate)) = (i, j, rate) {
                matrix.insert((i, j), rate);
                last_pair.insert(i, pair);
            }
        }
    }
    for (&i, &pair) in &last_pair {
        // The row's entries in column order, the diagonal's 1 where it is not given (the
        // zeros of the identity add nothing).
        let mut row: Vec<(usize, f64)> = matrix
            .range((i, 0)..=(i, usize::MAX))
            .map(|(&(_, j), &v)| (j, v))
            .collect();
        if let Err(at) = row.binary_search_by_key(&i, |&(j, _)| j) {
            row.insert(at, (i, 1.0));
        }
        let sum: f64 = row.iter().map(|&(_, v)| v).sum();
        if sum > 1.0 + 1e-10 {
            r.at_node(
                pair,
                format!(
                    "the adjustments of {}'s ideal sum to {sum}, more than 1 (a pair not listed \
                     keeps the identity matrix's entry, so {} toward itself is 1 unless given)",
                    actors[i].name, actors[i].name
                ),
            );
        }
    }
    if !r.errors.is_empty() {
        return Err(r.finish());
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Imported from a KTAB scenario file ({}).",
        file.display()
    );
    if !seed.is_empty() {
        let _ = writeln!(
            out,
            "// KTAB's PRNG seed for this scenario: {seed} (detente's runs take their own seed)."
        );
    }
    let _ = writeln!(
        out,
        "Scenario(\n    name: {},\n    description: {},",
        quoted(&name),
        quoted(&description)
    );
    let mut fields: Vec<String> = settings
        .unwrap_or_default()
        .into_iter()
        .map(|(f, v)| format!("{f}: {v},"))
        .collect();
    let accommodation: Vec<String> = matrix
        .iter()
        .filter(|&(&(i, j), &v)| v != identity(i, j))
        .map(|(&(i, j), v)| {
            format!(
                "    (actor: \"{}\", toward: \"{}\", rate: {v}),",
                actors[i].id, actors[j].id
            )
        })
        .collect();
    if !accommodation.is_empty() {
        fields.push("ideal_accommodation: [".into());
        fields.extend(accommodation);
        fields.push("],".into());
    }
    if fields.is_empty() {
        out += "    engine: SpatialModel(),\n";
    } else {
        out += "    engine: SpatialModel(\n";
        for f in fields {
            let _ = writeln!(out, "        {f}");
        }
        out += "    ),\n";
    }
    write_ktab_issues(&mut out, &dim_names);
    for a in &actors {
        write_ktab_actor(
            &mut out,
            &a.id,
            &a.name,
            a.capability,
            &dim_names,
            &a.position,
            &a.salience,
        );
    }
    out += "    ],\n)\n";
    Ok(out)
}

/// Header names accepted for the four columns of a BDM table, in order: the usual ones, and
/// those of the Predictioneer-style tables of other replications (`Stakeholder, Resources,
/// Position, Salience`; `Clout`, `Influence`, `Power`).
const BDM_HEADERS: [&[&str]; 4] = [
    &["actor", "stakeholder", "name"],
    &["capability", "resources", "clout", "influence", "power"],
    &["position"],
    &["salience"],
];

/// A table `Actor, Capability, Position, Salience` (one header line; fields may be quoted) as a
/// scenario file for the `ExpectedUtility` engine (Scholz-code conventions, 10 rounds; one
/// issue, `position`). Saliences are on 0–1; a table with any salience above 1 is read as
/// giving them on 0–100, and all are divided by 100.
pub fn bdm_csv(text: &str, file: &Path) -> Result<String, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((n0, header)) = lines.next() else {
        return Err(vec![Diagnostic::new("the file is empty").in_file(file)]);
    };
    let got: Vec<String> = header
        .split(',')
        .map(|h| h.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    // The header is not quoted back: a file that is not a BDM table may hold anything.
    let wrong = if got.len() < 4 {
        Some(format!("it has {} of the 4 columns", got.len()))
    } else {
        BDM_HEADERS
            .iter()
            .zip(&got)
            .position(|(names, h)| !names.contains(&h.as_str()))
            .map(|i| {
                let names: Vec<String> = BDM_HEADERS[i].iter().map(|n| format!("`{n}`")).collect();
                format!("column {} is not one of {}", i + 1, names.join(", "))
            })
    };
    if let Some(wrong) = wrong {
        return Err(vec![
            unquoted_problem(
                file,
                n0,
                1,
                format!(
                    "this is not a BDM table: the header must be \
                     `Actor,Capability,Position,Salience` ({wrong})"
                ),
            )
            .with_help("check that the path names the intended file"),
        ]);
    }
    let unquoted = |l: &str| l.replace('"', " ");
    let mut rows = Vec::new();
    for (k, (n, line)) in lines.enumerate() {
        if k == MAX_ACTORS {
            errors.push(unquoted_problem(
                file,
                n,
                1,
                format!("more than {MAX_ACTORS} actors: an imported scenario has at most that"),
            ));
            break;
        }
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() < 4 {
            errors.push(problem(
                file,
                line,
                n,
                1,
                "expected 4 fields: actor, capability, position, salience".into(),
            ));
            continue;
        }
        let actor = cells[0].trim().trim_matches('"').trim().to_owned();
        let plain = unquoted(line);
        let plain_cells: Vec<&str> = plain.split(',').collect();
        let vals: Result<Vec<f64>, Diagnostic> =
            [("capability", 1), ("position", 2), ("salience", 3)]
                .iter()
                .map(|(what, i)| number(file, n, &plain, &plain_cells, *i, what))
                .collect();
        match vals {
            Err(e) => errors.push(e),
            Ok(v) => rows.push((actor, v)),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(Diagnostic::new("no actors after the header").in_file(file));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let percent = rows.iter().any(|(_, v)| v[2] > 1.0);
    let mut out = String::new();
    let stem = file
        .file_stem()
        .map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned());
    let _ = writeln!(
        out,
        "// Imported from a table of actors, capabilities, positions and saliences ({}).",
        file.display()
    );
    if percent {
        out += "// Its saliences are given on 0-100 and written here on 0-1.\n";
    }
    let _ = writeln!(
        out,
        "Scenario(\n    name: {},\n    engine: ExpectedUtility(conventions: ScholzCode, rounds: 10),",
        quoted(&stem)
    );
    out += "    issues: [Issue(id: \"position\", low: \"0\", high: \"100\")],\n    actors: [\n";
    let mut ids = UniqueIds::default();
    for (actor, v) in rows {
        let id = ids.unique(ident(&actor));
        let salience = if percent { v[2] / 100.0 } else { v[2] };
        let _ = writeln!(
            out,
            "        Actor(id: \"{id}\", name: {}, capability: {}, ideal: {{\"position\": {}}}, salience: {{\"position\": {}}}),",
            quoted(&actor),
            v[0],
            v[1],
            salience
        );
    }
    out += "    ],\n)\n";
    Ok(out)
}
