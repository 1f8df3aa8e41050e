//! Plain SVG pictures of ensemble results, written by hand (no dependencies).
//!
//! Every picture is a stand-alone SVG document of fixed width (760 px) that opens in a
//! browser: a title, labelled axes, sans-serif text of 12–14 px and the colour-blind-safe
//! Okabe–Ito palette. Hovering a bar shows its exact numbers (an SVG `<title>` tooltip), which
//! also carries the full text of labels that the picture truncates.
//!
//! Output is deterministic: the same input gives a byte-identical document (coordinates are
//! printed with one decimal, shares as percentages with one decimal). Text is escaped (`&`, `<`,
//! `>`, `"`, `'`), and characters that XML 1.0 cannot carry are replaced by U+FFFD.
//!
//! Degenerate input still gives a valid picture: empty slices ("no outcomes", "no issues",
//! "no deals"), shares outside [0, 1] (clamped), NaN shares (no bar) and NaN intervals (no
//! whisker).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Width of every picture, in px.
const WIDTH: f64 = 760.0;
/// Labels longer than this many characters are truncated with an ellipsis.
const LABEL_CHARS: usize = 28;
/// Titles longer than this many characters are truncated with an ellipsis.
const TITLE_CHARS: usize = 90;
/// Panel headings (issue names) longer than this are truncated.
const HEADING_CHARS: usize = 60;
/// Rough advance width of a 12 px sans-serif character, for layout decisions only.
const CHAR_W: f64 = 6.8;

const TEXT: &str = "#222222";
const MUTED: &str = "#555555";
const GRID: &str = "#dddddd";
const AXIS: &str = "#444444";
/// Okabe–Ito sky blue: outcome-share bars.
const SHARE_FILL: &str = "#56B4E9";
/// Okabe–Ito blue: deal-term histograms.
const HIST_FILL: &str = "#0072B2";
/// Okabe–Ito colours for variants, cycled (black is kept for whiskers and text).
const PALETTE: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
];

/// One outcome with its share and 95% interval (all in [0, 1]).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareBar {
    /// Name of the outcome.
    pub label: String,
    /// Share of runs that ended in this outcome, in [0, 1].
    pub share: f64,
    /// Lower end of the 95% interval of the share (NaN: no interval drawn).
    pub lo: f64,
    /// Upper end of the 95% interval of the share (NaN: no interval drawn).
    pub hi: f64,
}

/// Distribution of deal terms on one issue, for [`deal_terms`]: `counts[i]` holds the number of
/// deals per 0.1-point bin on 0–100 (1001 bins), re-binned into 50 bars of 2 points for drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsPanel {
    /// Name of the issue.
    pub issue: String,
    /// What position 0 means, shown under the left end of the axis.
    pub low: String,
    /// What position 100 means, shown under the right end of the axis.
    pub high: String,
    /// Deals per 0.1-point bin on 0–100 (1001 bins; bin `i` is position `i / 10`).
    pub counts: Vec<u64>,
}

/// One outcome of [`compare_shares`], with one bar per variant: `bars[i]` belongs to
/// `variants[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Name of the outcome.
    pub label: String,
    /// The outcome's share in each variant, in the order of the variants.
    pub bars: Vec<ShareBar>,
}

/// Outcome shares as horizontal bars with interval whiskers; x axis "share of runs (%)" 0–100.
///
/// Bars are listed top to bottom in the order given, each with its label on the left and its
/// share (in %) on the right.
pub fn outcome_shares(title: &str, bars: &[ShareBar]) -> String {
    document(title, |c, top| {
        shares_section(c, top, bars, "share of runs (%)")
    })
}

/// Horizontal bars of any quantity on 0–1, drawn ×100 like shares, with interval whiskers and
/// `axis` as the x-axis label (sensitivity indices: one bar per parameter).
pub fn index_bars(title: &str, axis: &str, bars: &[ShareBar]) -> String {
    document(title, |c, top| shares_section(c, top, bars, axis))
}

/// Distribution of deal terms: one small histogram panel per issue (issues listed top to
/// bottom), each with x axis "position (0–100)", the issue's `low`/`high` labels under the ends,
/// and y axis "deals". Panels with no deals say "no deals".
pub fn deal_terms(title: &str, panels: &[TermsPanel]) -> String {
    document(title, |c, top| terms_section(c, top, panels))
}

/// Shares side by side: for each outcome (group), one bar per variant (legend with variant
/// names, colour per variant), with interval whiskers; y axis "share of runs (%)".
///
/// With more variants than palette colours the colours cycle, and later cycles get a dashed or
/// solid outline to tell them apart.
pub fn compare_shares(title: &str, variants: &[String], groups: &[Group]) -> String {
    document(title, |c, top| compare_section(c, top, variants, groups))
}

/// Two-part picture for `run`: outcome shares above, deal terms below, in one SVG.
pub fn run_report(title: &str, bars: &[ShareBar], panels: &[TermsPanel]) -> String {
    document(title, |c, top| {
        c.text(
            16.0,
            top + 14.0,
            Anchor::Start,
            Style::Heading,
            "Outcome shares",
        );
        let y = shares_section(c, top + 28.0, bars, "share of runs (%)");
        c.line(16.0, y + 4.0, WIDTH - 16.0, y + 4.0, GRID, 1.0, None);
        c.text(16.0, y + 26.0, Anchor::Start, Style::Heading, "Deal terms");
        terms_section(c, y + 36.0, panels)
    })
}

// ---------------------------------------------------------------------------------------------
// Sections. Each draws below `top` and returns the y just below what it drew.
// ---------------------------------------------------------------------------------------------

/// Horizontal share bars with a 0–100 % x axis.
fn shares_section(c: &mut Canvas, top: f64, bars: &[ShareBar], axis: &str) -> f64 {
    const X0: f64 = 212.0;
    const X1: f64 = 692.0;
    const ROW: f64 = 26.0;
    const BAR_H: f64 = 16.0;
    let plot_top = top + 4.0;
    let plot_bottom = plot_top + ROW * bars.len().max(1) as f64;
    let x_of = |v: f64| X0 + v * (X1 - X0);

    for k in 0..=5 {
        let x = x_of(k as f64 / 5.0);
        if k > 0 {
            c.line(x, plot_top, x, plot_bottom, GRID, 1.0, None);
        }
        c.line(x, plot_bottom, x, plot_bottom + 4.0, AXIS, 1.0, None);
        let tick = (k * 20).to_string();
        c.text(x, plot_bottom + 17.0, Anchor::Middle, Style::Muted, &tick);
    }
    let axis_label_y = plot_bottom + 34.0;
    c.text(
        (X0 + X1) / 2.0,
        axis_label_y,
        Anchor::Middle,
        Style::Label,
        axis,
    );
    if bars.is_empty() {
        let y = (plot_top + plot_bottom) / 2.0 + 4.0;
        c.note((X0 + X1) / 2.0, y, "no outcomes");
    }

    for (i, b) in bars.iter().enumerate() {
        let yc = plot_top + ROW * (i as f64 + 0.5);
        c.text(
            X0 - 8.0,
            yc + 4.0,
            Anchor::End,
            Style::Label,
            &truncate(&b.label, LABEL_CHARS),
        );
        c.open_group(&tooltip(&b.label, b));
        if let Some(s) = unit(b.share) {
            let attrs = format!(r#" fill="{SHARE_FILL}" class="bar""#);
            c.rect(X0, yc - BAR_H / 2.0, s * (X1 - X0), BAR_H, &attrs);
        }
        if let Some((lo, hi)) = interval(b.lo, b.hi) {
            let (xl, xh) = (x_of(lo), x_of(hi));
            let d = format!(
                "M{} {}H{}M{} {}V{}M{} {}V{}",
                n(xl),
                n(yc),
                n(xh),
                n(xl),
                n(yc - 5.0),
                n(yc + 5.0),
                n(xh),
                n(yc - 5.0),
                n(yc + 5.0)
            );
            c.whisker(&d);
        }
        c.close_group();
        let value = unit(b.share).map_or_else(|| "–".to_owned(), pct);
        c.text(WIDTH - 12.0, yc + 4.0, Anchor::End, Style::Label, &value);
    }
    // Axes last, so that they sit on top of the bars.
    c.line(X0, plot_top, X0, plot_bottom, AXIS, 1.0, Some("y-axis"));
    c.line(X0, plot_bottom, X1, plot_bottom, AXIS, 1.0, Some("x-axis"));
    axis_label_y + 8.0
}

/// One histogram panel per issue.
fn terms_section(c: &mut Canvas, top: f64, panels: &[TermsPanel]) -> f64 {
    if panels.is_empty() {
        c.note(WIDTH / 2.0, top + 24.0, "no issues");
        return top + 40.0;
    }
    panels.iter().fold(top, |y, p| terms_panel(c, y, p))
}

/// Number of bars in a deal-terms histogram (2 points each).
const TERM_BARS: usize = 50;

/// Sums 0.1-point bins into [`TERM_BARS`] bars; the last bar also takes position 100.
fn rebin(counts: &[u64]) -> [u64; TERM_BARS] {
    let mut bars = [0u64; TERM_BARS];
    let last = counts.len().saturating_sub(1).max(1);
    for (i, &k) in counts.iter().enumerate() {
        let j = (i * TERM_BARS / last).min(TERM_BARS - 1);
        bars[j] = bars[j].saturating_add(k);
    }
    bars
}

/// A "nice" tick step (1, 2 or 5 × 10^k) giving at most 4 intervals up to `max`, and the top of
/// the axis (a multiple of the step, at least `max`).
fn nice_ticks(max: u64) -> (u64, u64) {
    let mut base = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = base.saturating_mul(m);
            if step.saturating_mul(4) >= max {
                return (step, max.div_ceil(step).max(1).saturating_mul(step));
            }
        }
        base = base.saturating_mul(10);
    }
}

/// A count for a tick label: plain below 10 000, else with a k or M suffix.
fn count_label(k: u64) -> String {
    if k < 10_000 {
        k.to_string()
    } else if k < 1_000_000 {
        compact(k as f64 / 1e3, "k")
    } else {
        compact(k as f64 / 1e6, "M")
    }
}

fn compact(v: f64, suffix: &str) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}{suffix}")
    } else {
        format!("{v:.1}{suffix}")
    }
}

/// One issue's histogram of deal terms.
fn terms_panel(c: &mut Canvas, top: f64, p: &TermsPanel) -> f64 {
    const X0: f64 = 84.0;
    const X1: f64 = 734.0;
    const PLOT_H: f64 = 84.0;
    let bins = rebin(&p.counts);
    let total = bins.iter().fold(0u64, |a, &k| a.saturating_add(k));
    let max = bins.iter().copied().max().unwrap_or(0);

    c.text(
        X0,
        top + 16.0,
        Anchor::Start,
        Style::Heading,
        &truncate(&p.issue, HEADING_CHARS),
    );
    if total > 0 {
        let deals = if total == 1 {
            "1 deal".to_owned()
        } else {
            format!("{total} deals")
        };
        c.text(X1, top + 16.0, Anchor::End, Style::Muted, &deals);
    }
    let plot_top = top + 28.0;
    let plot_bottom = plot_top + PLOT_H;
    let x_of = |pos: f64| X0 + pos / 100.0 * (X1 - X0);

    // y axis: nice ticks with gridlines.
    let (step, axis_top) = nice_ticks(max);
    let mut tick = 0u64;
    while tick <= axis_top {
        let y = plot_bottom - tick as f64 / axis_top as f64 * PLOT_H;
        if tick > 0 {
            c.line(X0, y, X1, y, GRID, 1.0, None);
        }
        c.line(X0 - 4.0, y, X0, y, AXIS, 1.0, None);
        c.text(
            X0 - 7.0,
            y + 4.0,
            Anchor::End,
            Style::Muted,
            &count_label(tick),
        );
        match tick.checked_add(step) {
            Some(t) => tick = t,
            None => break,
        }
    }
    let mid = (plot_top + plot_bottom) / 2.0;
    c.text_rotated(22.0, mid, -90.0, Anchor::Middle, Style::Label, "deals");

    // Bars.
    let bar_w = (X1 - X0) / TERM_BARS as f64;
    for (j, &k) in bins.iter().enumerate() {
        if k == 0 {
            continue;
        }
        let h = k as f64 / axis_top as f64 * PLOT_H;
        let from = j * 2;
        let tip = format!("{}–{}: {k} deals", from, from + 2);
        c.open_group(&tip);
        let attrs = format!(r#" fill="{HIST_FILL}" class="bin""#);
        c.rect(
            X0 + j as f64 * bar_w + 0.5,
            plot_bottom - h,
            bar_w - 1.0,
            h,
            &attrs,
        );
        c.close_group();
    }
    if total == 0 {
        c.note((X0 + X1) / 2.0, mid + 4.0, "no deals");
    }

    // x axis: ticks every 20 points, then the ends' meanings and the axis label.
    for k in 0..=5 {
        let x = x_of(k as f64 * 20.0);
        c.line(x, plot_bottom, x, plot_bottom + 4.0, AXIS, 1.0, None);
        c.text(
            x,
            plot_bottom + 17.0,
            Anchor::Middle,
            Style::Muted,
            &(k * 20).to_string(),
        );
    }
    let row = plot_bottom + 33.0;
    c.text(
        X0,
        row,
        Anchor::Start,
        Style::Label,
        &truncate(&p.low, LABEL_CHARS),
    );
    c.text(
        (X0 + X1) / 2.0,
        row,
        Anchor::Middle,
        Style::Label,
        "position (0–100)",
    );
    c.text(
        X1,
        row,
        Anchor::End,
        Style::Label,
        &truncate(&p.high, LABEL_CHARS),
    );
    c.line(X0, plot_top, X0, plot_bottom, AXIS, 1.0, Some("y-axis"));
    c.line(X0, plot_bottom, X1, plot_bottom, AXIS, 1.0, Some("x-axis"));
    row + 18.0
}

/// Grouped vertical bars: one group per outcome, one bar per variant, with a legend on top.
fn compare_section(c: &mut Canvas, top: f64, variants: &[String], groups: &[Group]) -> f64 {
    const X1: f64 = WIDTH - 16.0;
    const PLOT_H: f64 = 240.0;
    const ANGLE: f64 = 35.0;
    let slots = groups
        .iter()
        .map(|g| g.bars.len())
        .max()
        .unwrap_or(0)
        .max(variants.len())
        .max(1);

    // Legend, flowing left to right and wrapping.
    let (mut x, mut y) = (72.0, top + 14.0);
    for (i, v) in variants.iter().enumerate() {
        let name = truncate(v, LABEL_CHARS);
        let w = 18.0 + text_width(&name) + 20.0;
        if x + w > X1 + 20.0 && x > 72.0 {
            x = 72.0;
            y += 20.0;
        }
        let attrs = format!("{} class=\"legend\"", variant_style(i));
        c.rect(x, y - 10.0, 12.0, 12.0, &attrs);
        c.text(x + 18.0, y, Anchor::Start, Style::Label, &name);
        x += w;
    }
    let legend_bottom = if variants.is_empty() { top } else { y + 8.0 };

    // Group labels go horizontal if they fit under their group, else slanted; slanted labels
    // may need a wider left margin for the first group's label.
    let labels: Vec<Cow<'_, str>> = groups
        .iter()
        .map(|g| truncate(&g.label, LABEL_CHARS))
        .collect();
    let widest = labels.iter().map(|l| text_width(l)).fold(0.0, f64::max);
    let n_groups = groups.len().max(1) as f64;
    let (sin, cos) = ANGLE.to_radians().sin_cos();
    let mut x0 = 72.0;
    let slanted = widest > (X1 - x0) / n_groups - 8.0;
    if slanted && let Some(first) = labels.first() {
        for _ in 0..2 {
            let gw = (X1 - x0) / n_groups;
            x0 = f64::max(72.0, text_width(first) * cos + 8.0 - gw / 2.0);
        }
    }
    let gw = (X1 - x0) / n_groups;
    let bw = (gw * 0.8 / slots as f64).min(48.0);

    let plot_top = legend_bottom + 20.0;
    let plot_bottom = plot_top + PLOT_H;
    let y_of = |v: f64| plot_bottom - v * PLOT_H;
    for k in 0..=5 {
        let y = y_of(k as f64 / 5.0);
        if k > 0 {
            c.line(x0, y, X1, y, GRID, 1.0, None);
        }
        c.line(x0 - 4.0, y, x0, y, AXIS, 1.0, None);
        c.text(
            x0 - 7.0,
            y + 4.0,
            Anchor::End,
            Style::Muted,
            &(k * 20).to_string(),
        );
    }
    let mid = (plot_top + plot_bottom) / 2.0;
    let y_label_x = (x0 - 50.0).max(22.0);
    c.text_rotated(
        y_label_x,
        mid,
        -90.0,
        Anchor::Middle,
        Style::Label,
        "share of runs (%)",
    );
    if groups.is_empty() {
        c.note((x0 + X1) / 2.0, mid + 4.0, "no outcomes");
    }

    let mut labels_bottom = plot_bottom + 24.0;
    for (g, (group, label)) in groups.iter().zip(&labels).enumerate() {
        let gx = x0 + gw * g as f64;
        let start = gx + (gw - bw * slots as f64) / 2.0;
        for (i, b) in group.bars.iter().enumerate() {
            let bx = start + bw * i as f64;
            let xc = bx + bw / 2.0;
            let name = variants.get(i).map_or("", String::as_str);
            let tip = if name.is_empty() {
                tooltip(&group.label, b)
            } else {
                tooltip(&format!("{} · {name}", group.label), b)
            };
            c.open_group(&tip);
            let share = unit(b.share);
            if let Some(s) = share {
                let attrs = format!("{} class=\"bar\"", variant_style(i));
                c.rect(bx + 1.0, y_of(s), bw - 2.0, s * PLOT_H, &attrs);
            }
            let whisker = interval(b.lo, b.hi);
            if let Some((lo, hi)) = whisker {
                let cap = (bw * 0.25).min(5.0);
                let (yl, yh) = (y_of(lo), y_of(hi));
                let d = format!(
                    "M{} {}V{}M{} {}H{}M{} {}H{}",
                    n(xc),
                    n(yl),
                    n(yh),
                    n(xc - cap),
                    n(yl),
                    n(xc + cap),
                    n(xc - cap),
                    n(yh),
                    n(xc + cap)
                );
                c.whisker(&d);
            }
            c.close_group();
            if let Some(s) = share
                && bw >= 30.0
            {
                let top_of = whisker.map_or(s, |(_, hi)| hi.max(s));
                let value = format!("{:.0}%", s * 100.0);
                c.text(xc, y_of(top_of) - 5.0, Anchor::Middle, Style::Muted, &value);
            }
        }
        let xc = gx + gw / 2.0;
        if slanted {
            let y = plot_bottom + 14.0;
            c.text_rotated(xc + 4.0, y, -ANGLE, Anchor::End, Style::Label, label);
            labels_bottom = labels_bottom.max(y + text_width(label) * sin * 0.9 + 4.0);
        } else {
            c.text(xc, plot_bottom + 17.0, Anchor::Middle, Style::Label, label);
        }
    }
    c.line(x0, plot_top, x0, plot_bottom, AXIS, 1.0, Some("y-axis"));
    c.line(x0, plot_bottom, X1, plot_bottom, AXIS, 1.0, Some("x-axis"));
    let axis_label_y = labels_bottom + 14.0;
    c.text(
        (x0 + X1) / 2.0,
        axis_label_y,
        Anchor::Middle,
        Style::Label,
        "outcome",
    );
    axis_label_y + 8.0
}

// ---------------------------------------------------------------------------------------------
// Document and drawing primitives.
// ---------------------------------------------------------------------------------------------

/// A whole SVG document: the title on top, then `body` drawn from a given y, which returns the
/// y of its bottom.
fn document(title: &str, body: impl FnOnce(&mut Canvas, f64) -> f64) -> String {
    let mut c = Canvas { out: String::new() };
    c.text(
        WIDTH / 2.0,
        26.0,
        Anchor::Middle,
        Style::Title,
        &truncate(title, TITLE_CHARS),
    );
    let bottom = body(&mut c, 40.0);
    let height = (bottom + 12.0).ceil();
    let (w, h) = (n0(WIDTH), n0(height));
    let mut out = String::with_capacity(c.out.len() + 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12" role="img">"#
    );
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(
        out,
        r##"<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>"##
    );
    out.push_str(&c.out);
    out.push_str("</svg>\n");
    out
}

#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

#[derive(Clone, Copy)]
enum Style {
    Title,
    Heading,
    Label,
    Muted,
}

impl Style {
    fn attrs(self) -> String {
        match self {
            Style::Title => format!(r#" font-size="14" font-weight="bold" fill="{TEXT}""#),
            Style::Heading => format!(r#" font-size="13" font-weight="bold" fill="{TEXT}""#),
            Style::Label => format!(r#" font-size="12" fill="{TEXT}""#),
            Style::Muted => format!(r#" font-size="12" fill="{MUTED}""#),
        }
    }
}

/// The SVG elements of a document's body, in drawing order.
struct Canvas {
    out: String,
}

impl Canvas {
    fn text(&mut self, x: f64, y: f64, anchor: Anchor, style: Style, content: &str) {
        self.text_with(x, y, anchor, style, "", content);
    }

    /// Text rotated by `angle` degrees (clockwise, SVG convention) about its anchor point.
    fn text_rotated(&mut self, x: f64, y: f64, angle: f64, a: Anchor, s: Style, content: &str) {
        let t = format!(r#" transform="rotate({} {} {})""#, n(angle), n(x), n(y));
        self.text_with(x, y, a, s, &t, content);
    }

    fn text_with(&mut self, x: f64, y: f64, a: Anchor, s: Style, extra: &str, content: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{}" y="{}" text-anchor="{}"{}{}>{}</text>"#,
            n(x),
            n(y),
            a.as_str(),
            s.attrs(),
            extra,
            escape(content)
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        w: f64,
        class: Option<&str>,
    ) {
        let class = class.map_or_else(String::new, |k| format!(r#" class="{k}""#));
        let _ = writeln!(
            self.out,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="{}"{class}/>"#,
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(w)
        );
    }

    /// A rectangle; `attrs` holds its fill and any further attributes (leading space included).
    fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, attrs: &str) {
        let _ = writeln!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}"{attrs}/>"#,
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
    }

    /// An interval whisker along path `d`: black on a white halo, visible on any bar colour.
    fn whisker(&mut self, d: &str) {
        let _ = writeln!(
            self.out,
            r##"<path d="{d}" fill="none" stroke="#ffffff" stroke-width="3" class="whisker-halo"/>"##
        );
        let _ = writeln!(
            self.out,
            r##"<path d="{d}" fill="none" stroke="#000000" stroke-width="1.2" class="whisker"/>"##
        );
    }

    /// A muted note centred at (x, y) on a white patch, so that gridlines do not cross it.
    fn note(&mut self, x: f64, y: f64, content: &str) {
        let w = text_width(content) + 12.0;
        self.rect(x - w / 2.0, y - 13.0, w, 18.0, r##" fill="#ffffff""##);
        self.text(x, y, Anchor::Middle, Style::Muted, content);
    }

    /// Opens a group whose tooltip is `tip`.
    fn open_group(&mut self, tip: &str) {
        let _ = writeln!(self.out, "<g><title>{}</title>", escape(tip));
    }

    fn close_group(&mut self) {
        self.out.push_str("</g>\n");
    }
}

/// Fill (and, after the first cycle through the palette, outline) of variant `i`.
fn variant_style(i: usize) -> String {
    let fill = PALETTE[i % PALETTE.len()];
    match (i / PALETTE.len()) % 3 {
        0 => format!(r#" fill="{fill}""#),
        1 => format!(
            r##" fill="{fill}" stroke="#000000" stroke-width="1.5" stroke-dasharray="3 2""##
        ),
        _ => format!(r##" fill="{fill}" stroke="#000000" stroke-width="2""##),
    }
}

/// Tooltip text of a share: "label: 45.2% (95% interval 40.1–50.3%)".
fn tooltip(label: &str, b: &ShareBar) -> String {
    let share = unit(b.share).map_or_else(|| "n/a".to_owned(), pct);
    match interval(b.lo, b.hi) {
        Some((lo, hi)) => format!(
            "{label}: {share} (95% interval {:.1}–{:.1}%)",
            tidy(lo * 100.0),
            tidy(hi * 100.0)
        ),
        None => format!("{label}: {share}"),
    }
}

/// A share clamped to [0, 1], or `None` if it is NaN.
fn unit(x: f64) -> Option<f64> {
    (!x.is_nan()).then(|| x.clamp(0.0, 1.0))
}

/// An interval clamped to [0, 1] and put in order, or `None` if either end is NaN.
fn interval(lo: f64, hi: f64) -> Option<(f64, f64)> {
    let (lo, hi) = (unit(lo)?, unit(hi)?);
    Some((lo.min(hi), lo.max(hi)))
}

/// A share as a percentage with one decimal: "45.2%".
fn pct(x: f64) -> String {
    format!("{:.1}%", tidy(x * 100.0))
}

/// Turns −0 into 0, so that it never prints as "-0.0".
fn tidy(x: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x }
}

/// A coordinate with one decimal.
fn n(x: f64) -> String {
    let s = format!("{:.1}", tidy(x));
    if s == "-0.0" { "0.0".to_owned() } else { s }
}

/// A whole number of px.
fn n0(x: f64) -> String {
    format!("{:.0}", tidy(x))
}

/// Estimated width of `s` in 12 px sans-serif.
fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_W
}

/// `s` cut to at most `max` characters, ending in "…" if it was cut.
fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.truncate(t.trim_end().len());
    t.push('…');
    Cow::Owned(t)
}

/// `s` escaped for XML text and attribute values. Tabs and line breaks become spaces, and
/// characters XML 1.0 does not allow become U+FFFD.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, share: f64, lo: f64, hi: f64) -> ShareBar {
        ShareBar {
            label: label.to_owned(),
            share,
            lo,
            hi,
        }
    }

    fn sample_bars() -> Vec<ShareBar> {
        vec![
            bar("deal", 0.5, 0.45, 0.55),
            bar("walk-out", 0.3, 0.25, 0.35),
            bar("A & <B>", 0.2, f64::NAN, f64::NAN),
        ]
    }

    fn panel(issue: &str, counts: Vec<u64>) -> TermsPanel {
        TermsPanel {
            issue: issue.to_owned(),
            low: "none".to_owned(),
            high: "all".to_owned(),
            counts,
        }
    }

    fn sample_panels() -> Vec<TermsPanel> {
        let mut counts = vec![0u64; 1001];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = (i as u64 * 7919) % 13;
        }
        vec![
            panel("tariffs", counts),
            panel("troops \"east\"", vec![0; 1001]),
        ]
    }

    fn sample_variants() -> Vec<String> {
        vec!["baseline".to_owned(), "hawkish".to_owned()]
    }

    fn sample_groups() -> Vec<Group> {
        vec![
            Group {
                label: "deal".to_owned(),
                bars: vec![bar("deal", 0.5, 0.4, 0.6), bar("deal", 0.4, 0.3, 0.5)],
            },
            Group {
                label: "A & <B>".to_owned(),
                bars: vec![bar("x", 0.2, f64::NAN, 0.3), bar("x", 1.0, 0.9, 1.0)],
            },
        ]
    }

    /// Parses `svg`, checks the root, and returns the texts of all `<text>` elements.
    fn check(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("valid XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let w: f64 = root.attribute("width").unwrap().parse().unwrap();
        let h: f64 = root.attribute("height").unwrap().parse().unwrap();
        assert_eq!(w, WIDTH);
        assert!(h > 0.0);
        assert_eq!(root.attribute("viewBox").unwrap(), format!("0 0 {w} {h}"));
        for node in doc.descendants().filter(|d| d.is_element()) {
            for a in ["x", "y", "width", "height", "x1", "x2", "y1", "y2"] {
                if let Some(v) = node.attribute(a) {
                    let v: f64 = v.parse().expect("numeric coordinate");
                    assert!(
                        v.is_finite()
                            && v >= 0.0
                            && (a.starts_with('y') || a == "height" || v <= w)
                    );
                }
            }
        }
        doc.descendants()
            .filter(|d| d.has_tag_name("text"))
            .map(|d| d.text().unwrap_or("").to_owned())
            .collect()
    }

    fn has(texts: &[String], s: &str) {
        assert!(
            texts.iter().any(|t| t == s),
            "missing text {s:?} in {texts:?}"
        );
    }

    fn all() -> Vec<String> {
        let (bars, panels) = (sample_bars(), sample_panels());
        vec![
            outcome_shares("Run of \"crisis\": 1000 runs", &bars),
            deal_terms("Deal terms: crisis, 1000 runs", &panels),
            compare_shares(
                "Compare: crisis, 1000 runs",
                &sample_variants(),
                &sample_groups(),
            ),
            run_report("crisis: 1000 runs", &bars, &panels),
        ]
    }

    #[test]
    fn every_function_gives_a_parsable_svg() {
        for svg in all() {
            check(&svg);
        }
    }

    #[test]
    fn outcome_shares_texts() {
        let t = check(&outcome_shares(
            "Run of \"crisis\": 1000 runs",
            &sample_bars(),
        ));
        has(&t, "Run of \"crisis\": 1000 runs");
        for l in [
            "deal",
            "walk-out",
            "A & <B>",
            "share of runs (%)",
            "50.0%",
            "0",
            "100",
        ] {
            has(&t, l);
        }
    }

    #[test]
    fn deal_terms_texts() {
        let t = check(&deal_terms(
            "Deal terms: crisis, 1000 runs",
            &sample_panels(),
        ));
        for l in [
            "Deal terms: crisis, 1000 runs",
            "tariffs",
            "troops \"east\"",
            "position (0–100)",
        ] {
            has(&t, l);
        }
        for l in ["deals", "none", "all", "no deals"] {
            has(&t, l);
        }
        assert_eq!(t.iter().filter(|s| *s == "no deals").count(), 1);
        assert_eq!(t.iter().filter(|s| *s == "position (0–100)").count(), 2);
    }

    #[test]
    fn compare_shares_texts() {
        let t = check(&compare_shares(
            "Compare: crisis",
            &sample_variants(),
            &sample_groups(),
        ));
        for l in [
            "Compare: crisis",
            "baseline",
            "hawkish",
            "deal",
            "A & <B>",
            "share of runs (%)",
        ] {
            has(&t, l);
        }
        has(&t, "outcome");
    }

    #[test]
    fn run_report_has_both_parts() {
        let t = check(&run_report(
            "crisis: 1000 runs",
            &sample_bars(),
            &sample_panels(),
        ));
        for l in [
            "crisis: 1000 runs",
            "Outcome shares",
            "Deal terms",
            "deal",
            "walk-out",
        ] {
            has(&t, l);
        }
        for l in [
            "share of runs (%)",
            "position (0–100)",
            "deals",
            "tariffs",
            "troops \"east\"",
        ] {
            has(&t, l);
        }
    }

    #[test]
    fn escaping_round_trips() {
        let nasty = "A & <B> \"q\" 'a'";
        let svg = outcome_shares(nasty, &[bar(nasty, 0.1, 0.0, 0.2)]);
        assert!(!svg.contains("<B>"));
        let t = check(&svg);
        assert_eq!(
            t.iter().filter(|s| *s == nasty).count(),
            2,
            "title and label"
        );
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let title = doc
            .root_element()
            .children()
            .find(|c| c.has_tag_name("title"))
            .unwrap();
        assert_eq!(title.text(), Some(nasty));
    }

    #[test]
    fn control_characters_do_not_break_the_xml() {
        let svg = outcome_shares("a\u{0}b\u{1b}c\nd", &[bar("x\u{7}\u{FFFF}", 0.5, 0.4, 0.6)]);
        let t = check(&svg);
        has(&t, "a\u{FFFD}b\u{FFFD}c d");
        has(&t, "x\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn deterministic() {
        assert_eq!(all(), all());
    }

    fn find<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
        doc.descendants()
            .filter(|d| d.attribute("class") == Some(class))
            .collect()
    }

    fn attr(node: roxmltree::Node<'_, '_>, a: &str) -> f64 {
        node.attribute(a).unwrap().parse().unwrap()
    }

    #[test]
    fn half_share_reaches_the_middle_of_the_axis() {
        let svg = outcome_shares(
            "t",
            &[bar("half", 0.5, 0.4, 0.6), bar("full", 1.0, 1.0, 1.0)],
        );
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let axis = find(&doc, "x-axis")[0];
        let (x1, x2) = (attr(axis, "x1"), attr(axis, "x2"));
        let bars = find(&doc, "bar");
        assert_eq!(bars.len(), 2);
        assert_eq!(attr(bars[0], "x"), x1);
        assert!((attr(bars[0], "width") / (x2 - x1) - 0.5).abs() < 1e-3);
        assert!((attr(bars[1], "width") / (x2 - x1) - 1.0).abs() < 1e-3);

        let groups = [Group {
            label: "g".to_owned(),
            bars: vec![bar("g", 0.5, 0.4, 0.6)],
        }];
        let svg = compare_shares("t", &["v".to_owned()], &groups);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let axis = find(&doc, "y-axis")[0];
        let (y1, y2) = (attr(axis, "y1"), attr(axis, "y2"));
        let b = find(&doc, "bar")[0];
        assert!((attr(b, "height") / (y2 - y1) - 0.5).abs() < 1e-3);
        assert!((attr(b, "y") + attr(b, "height") - y2).abs() < 1e-9);
    }

    #[test]
    fn empty_inputs() {
        let t = check(&outcome_shares("", &[]));
        has(&t, "no outcomes");
        has(&t, "share of runs (%)");
        let t = check(&deal_terms("t", &[]));
        has(&t, "no issues");
        let t = check(&deal_terms("t", &[panel("empty", vec![])]));
        has(&t, "no deals");
        let t = check(&compare_shares("t", &[], &[]));
        has(&t, "no outcomes");
        check(&compare_shares("t", &sample_variants(), &[]));
        check(&compare_shares("t", &[], &sample_groups()));
        let t = check(&run_report("t", &[], &[]));
        has(&t, "no outcomes");
        has(&t, "no issues");
    }

    #[test]
    fn extreme_and_nan_values() {
        let bars = [
            bar("zero", 0.0, 0.0, 0.0),
            bar("one", 1.0, 1.0, 1.0),
            bar("nan interval", 0.3, f64::NAN, 0.4),
            bar("nan share", f64::NAN, f64::NAN, f64::NAN),
            bar("out of range", 1.7, -0.5, f64::INFINITY),
            bar("negative zero", -0.0, -0.0, -0.0),
        ];
        let svg = outcome_shares("t", &bars);
        assert!(!svg.contains("NaN") && !svg.contains("inf") && !svg.contains("-0.0"));
        let t = check(&svg);
        has(&t, "0.0%");
        has(&t, "100.0%");
        let doc = roxmltree::Document::parse(&svg).unwrap();
        assert_eq!(find(&doc, "bar").len(), 5, "no bar for a NaN share");
        assert_eq!(
            find(&doc, "whisker").len(),
            4,
            "no whisker for NaN intervals"
        );
    }

    #[test]
    fn long_labels_are_truncated() {
        let long = "an outcome with a very long name indeed, far too long";
        let svg = outcome_shares("t", &[bar(long, 0.5, 0.4, 0.6)]);
        let t = check(&svg);
        let cut = t.iter().find(|s| s.starts_with("an outcome")).unwrap();
        assert!(cut.ends_with('…'));
        assert_eq!(cut.chars().count(), LABEL_CHARS);
        assert!(svg.contains(long), "the full label stays in the tooltip");
        assert_eq!(truncate("short", 28), "short");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("ab  cdef", 4), "ab…");
    }

    #[test]
    fn many_variants_cycle_colours() {
        let variants: Vec<String> = (0..20).map(|i| format!("variant {i}")).collect();
        let groups: Vec<Group> = (0..6)
            .map(|g| Group {
                label: format!("outcome number {g} with a long label"),
                bars: (0..20)
                    .map(|i| bar("b", (i as f64) / 20.0, 0.0, 0.1))
                    .collect(),
            })
            .collect();
        let svg = compare_shares("t", &variants, &groups);
        let t = check(&svg);
        for v in &variants {
            has(&t, v);
        }
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let legend = find(&doc, "legend");
        assert_eq!(legend.len(), 20);
        assert_eq!(legend[0].attribute("fill"), legend[7].attribute("fill"));
        assert_ne!(legend[0].attribute("stroke"), legend[7].attribute("stroke"));
        assert_ne!(legend[0].attribute("fill"), legend[1].attribute("fill"));
    }

    #[test]
    fn rebinning() {
        let mut counts = vec![0u64; 1001];
        counts[0] = 1; // position 0.0 → bar 0
        counts[19] = 2; // 1.9 → bar 0
        counts[20] = 4; // 2.0 → bar 1
        counts[999] = 8; // 99.9 → bar 49
        counts[1000] = 16; // 100.0 → bar 49
        let bins = rebin(&counts);
        assert_eq!((bins[0], bins[1], bins[49]), (3, 4, 24));
        assert_eq!(bins.iter().sum::<u64>(), 31);
        assert_eq!(rebin(&[]), [0; TERM_BARS]);
        assert_eq!(rebin(&[u64::MAX, u64::MAX])[0], u64::MAX);
    }

    #[test]
    fn ticks_and_counts() {
        assert_eq!(nice_ticks(0), (1, 1));
        assert_eq!(nice_ticks(1), (1, 1));
        assert_eq!(nice_ticks(5), (2, 6));
        assert_eq!(nice_ticks(37), (10, 40));
        assert!(nice_ticks(u64::MAX).1 >= u64::MAX / 2);
        assert_eq!(count_label(9_999), "9999");
        assert_eq!(count_label(20_000), "20k");
        assert_eq!(count_label(1_500_000), "1.5M");
        let huge = panel("huge", vec![u64::MAX; 1001]);
        check(&deal_terms("t", &[huge]));
    }
}
