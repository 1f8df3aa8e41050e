//! Importers for users of the tools these engines come from: KTAB's scenario CSV and the
//! four-column tables of Bueno de Mesquita's model (`Actor, Capability, Position, Salience`),
//! turned into detente scenario files. Every malformed row is reported with its line and
//! column; nothing is written unless the whole file reads.

use std::fmt::Write as _;
use std::path::Path;

use crate::scenario::Diagnostic;

fn problem(file: &Path, text: &str, line: usize, column: usize, message: String) -> Diagnostic {
    Diagnostic::new(message)
        .in_file(file)
        .at_location(text, line, column, 1)
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
    text: &str,
    n: usize,
    line: &str,
    i: usize,
    what: &str,
) -> Result<f64, Diagnostic> {
    let field = line.split(',').nth(i).unwrap_or("").trim();
    match field.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(problem(
            file,
            text,
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
    let fields: Vec<&str> = head.split(',').collect();
    let name = fields.first().map_or("", |f| f.trim().trim_matches('"'));
    let description = fields.get(1).map_or("", |f| f.trim().trim_matches('"'));
    let count = |i: usize, what: &str| -> Result<usize, Diagnostic> {
        let f = fields.get(i).map_or("", |f| f.trim());
        f.parse::<usize>().map_err(|_| {
            problem(
                file,
                text,
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
        (Ok(a), Ok(d)) if a > 0 && d > 0 => (a, d),
        (Err(e1), Err(e2)) => return Err(vec![e1, e2]),
        (Err(e), _) | (_, Err(e)) => return Err(vec![e]),
        _ => {
            return Err(vec![problem(
                file,
                text,
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
    let dim_names: Vec<String> = (0..dims)
        .map(|d| {
            let h = header.get(3 + 2 * d).copied().unwrap_or("");
            let id = ident(h.trim_start_matches("Pstn").trim_start_matches("Pos"));
            if id.chars().all(|c| c.is_ascii_digit()) {
                format!("dim{id}")
            } else {
                id
            }
        })
        .collect();
    let rows = &lines[2..];
    if rows.len() != actors {
        errors.push(problem(
            file,
            text,
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
    out += "    issues: [\n";
    for d in &dim_names {
        let _ = writeln!(
            out,
            "        Issue(id: \"{d}\", low: \"0\", high: \"100\"),"
        );
    }
    out += "    ],\n    actors: [\n";
    let mut seen = std::collections::BTreeSet::new();
    for &(n, line) in rows {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.iter().filter(|c| !c.trim().is_empty()).count() < 3 + 2 * dims {
            errors.push(problem(
                file,
                text,
                n,
                1,
                format!(
                    "expected an actor, a description, a power and {dims} position/salience pairs"
                ),
            ));
            continue;
        }
        let actor = cells[0].trim();
        let mut id = ident(actor);
        while !seen.insert(id.clone()) {
            id.push('_');
        }
        let power = number(file, text, n, line, 2, "power");
        let mut pos = Vec::new();
        let mut sal = Vec::new();
        for d in 0..dims {
            pos.push(number(file, text, n, line, 3 + 2 * d, "position"));
            sal.push(number(file, text, n, line, 4 + 2 * d, "salience"));
        }
        let all: Result<Vec<f64>, Diagnostic> =
            std::iter::once(power).chain(pos).chain(sal).collect();
        match all {
            Err(e) => errors.push(e),
            Ok(v) => {
                let (power, pos, sal) = (v[0], &v[1..1 + dims], &v[1 + dims..]);
                let map = |xs: &[f64], scale: f64| {
                    dim_names
                        .iter()
                        .zip(xs)
                        .map(|(d, x)| format!("\"{d}\": {}", x / scale))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let _ = writeln!(
                    out,
                    "        Actor(id: \"{id}\", name: {}, capability: {power},\n              ideal: {{{}}},\n              salience: {{{}}}),",
                    quoted(actor),
                    map(pos, 1.0),
                    map(sal, 100.0)
                );
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

/// A table `Actor, Capability, Position, Salience` (one header line) as a scenario file for the
/// `ExpectedUtility` engine (Scholz-code conventions, 10 rounds; one issue, `position`).
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
    let want = ["actor", "capability", "position", "salience"];
    let got: Vec<String> = header
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if got.len() < 4 || got[..4] != want {
        return Err(vec![problem(
            file,
            text,
            n0,
            1,
            format!(
                "the header must be `Actor,Capability,Position,Salience`, not `{}`",
                header.trim()
            ),
        )]);
    }
    let mut out = String::new();
    let stem = file
        .file_stem()
        .map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned());
    let _ = writeln!(
        out,
        "// Imported from a table of actors, capabilities, positions and saliences ({}).",
        file.display()
    );
    let _ = writeln!(
        out,
        "Scenario(\n    name: {},\n    engine: ExpectedUtility(conventions: ScholzCode, rounds: 10),",
        quoted(&stem)
    );
    out += "    issues: [Issue(id: \"position\", low: \"0\", high: \"100\")],\n    actors: [\n";
    let mut seen = std::collections::BTreeSet::new();
    let mut count = 0;
    for (n, line) in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() < 4 {
            errors.push(problem(
                file,
                text,
                n,
                1,
                "expected 4 fields: actor, capability, position, salience".into(),
            ));
            continue;
        }
        let actor = cells[0].trim();
        let vals: Result<Vec<f64>, Diagnostic> =
            [("capability", 1), ("position", 2), ("salience", 3)]
                .iter()
                .map(|(what, i)| number(file, text, n, line, *i, what))
                .collect();
        match vals {
            Err(e) => errors.push(e),
            Ok(v) => {
                let mut id = ident(actor);
                while !seen.insert(id.clone()) {
                    id.push('_');
                }
                let _ = writeln!(
                    out,
                    "        Actor(id: \"{id}\", name: {}, capability: {}, ideal: {{\"position\": {}}}, salience: {{\"position\": {}}}),",
                    quoted(actor),
                    v[0],
                    v[1],
                    v[2]
                );
                count += 1;
            }
        }
    }
    if count == 0 && errors.is_empty() {
        errors.push(Diagnostic::new("no actors after the header").in_file(file));
    }
    out += "    ],\n)\n";
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
