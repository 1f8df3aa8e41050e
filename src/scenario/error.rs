//! Diagnostics for scenario files: where the problem is and what would fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a scenario, a digest or an override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in (`None` for a `--set` override).
    pub file: Option<PathBuf>,
    /// 1-based line and column, when the problem has a place in the text.
    pub location: Option<(usize, usize)>,
    /// The offending line of text, for the caret display: at most about 120 characters around
    /// the problem, control characters masked.
    pub line_text: Option<String>,
    /// 1-based column of the caret in `line_text`.
    pub caret: usize,
    /// Width of the caret underline (at least 1).
    pub span_len: usize,
    /// Field path inside the scenario, e.g. `actors[3].salience.<issue>`.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with a message only; add the rest with the builder methods.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            file: None,
            location: None,
            line_text: None,
            caret: 1,
            span_len: 1,
            field: None,
            message: message.into(),
            help: None,
        }
    }

    /// Sets the file.
    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_path_buf());
        self
    }

    /// Sets the field path.
    pub fn at_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the place in `text` (1-based line and column, span length in characters) and keeps
    /// the line for the caret display.
    pub fn at_location(self, text: &str, line: usize, col: usize, len: usize) -> Self {
        let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        self.at_line(line_text, line, col, len)
    }

    /// Like [`Diagnostic::at_location`], given the line itself (`line_text`, line `line` of the
    /// file); only a window of it around `col` is kept.
    pub fn at_line(mut self, line_text: &str, line: usize, col: usize, len: usize) -> Self {
        self.location = Some((line, col));
        let (shown, caret) = shown_line(line_text, col);
        self.line_text = Some(shown);
        self.caret = caret;
        self.span_len = len.max(1);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("error: ")?;
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some((line, col)) = self.location {
                write!(f, ":{line}:{col}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)?;
        if let (Some((line, _)), Some(text)) = (self.location, &self.line_text) {
            let gutter = line.to_string().len();
            let col = self.caret;
            write!(
                f,
                "\n {:gutter$} |\n {line} | {text}\n {:gutter$} | ",
                "", ""
            )?;
            let lead = text.chars().take(col.saturating_sub(1)).count();
            let room = text.chars().count().saturating_sub(lead).max(1);
            write!(f, "{:lead$}{}", "", "^".repeat(self.span_len.min(room)))?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The widest line shown under an error, in characters.
const SHOWN_LINE: usize = 120;

/// The line as shown under an error, and the column in it: tabs as spaces, control characters
/// (terminal escapes) as `?`, and a long line cut to [`SHOWN_LINE`] characters around `col`
/// (with `…` where it was cut).
fn shown_line(text: &str, col: usize) -> (String, usize) {
    // Only the part that can be shown is looked at: a line may be megabytes long.
    let keep = col.saturating_add(2 * SHOWN_LINE);
    let chars: Vec<char> = text
        .chars()
        .take(keep.saturating_add(1))
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect();
    if chars.len() <= SHOWN_LINE {
        return (chars.into_iter().collect(), col);
    }
    let start = col
        .saturating_sub(1)
        .saturating_sub(SHOWN_LINE / 3)
        .min(chars.len().saturating_sub(SHOWN_LINE));
    let end = (start + SHOWN_LINE).min(chars.len());
    let mut shown = String::new();
    let mut col = col.saturating_sub(start);
    if start > 0 {
        shown.push('…');
        col += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, col)
}

/// Every problem found while loading a scenario; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// A single problem.
    pub fn one(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics::one(d)
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            writeln!(f, "{d}")?;
        }
        if self.0.len() > 1 {
            write!(f, "{} problems found", self.0.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// The candidate closest to `name` (highest Jaro–Winkler similarity), for "did you mean".
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase());
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// "did you mean `x`?" followed by the allowed names, for help texts.
pub fn suggest(name: &str, candidates: &[&str], what: &str) -> String {
    const SHOWN: usize = 12;
    let mut list = candidates
        .iter()
        .take(SHOWN)
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if candidates.len() > SHOWN {
        list += &format!(" and {} more", candidates.len() - SHOWN);
    }
    match closest(name, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? {what}: {list}"),
        None => format!("there are no {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_cut_around_the_caret() {
        let line = format!("{}BAD{}", "a".repeat(5000), "b".repeat(5000));
        let d = Diagnostic::new("x")
            .in_file(Path::new("f.ron"))
            .at_location(&line, 1, 5001, 3);
        let shown = d.to_string();
        assert!(shown.len() < 600, "{shown}");
        let lines: Vec<&str> = shown.lines().collect();
        let column = |l: &str, pat: &str| l.find(pat).map(|b| l[..b].chars().count());
        assert_eq!(column(lines[3], "^^^"), column(lines[2], "BAD"), "{shown}");
    }

    #[test]
    fn control_characters_are_not_printed() {
        let d = Diagnostic::new("x")
            .in_file(Path::new("f.ron"))
            .at_location("a\u{1b}[2Jb", 1, 2, 1);
        assert!(!d.to_string().contains('\u{1b}'));
    }
}
