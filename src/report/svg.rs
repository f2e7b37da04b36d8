//! `chain --format svg`: the picture of `chain --format mermaid` as one
//! standalone SVG 1.1 file, written as plain text (no browser, no crate;
//! docs/dependencies.md says why).
//!
//! Each segment is a panel: its path name, an axis in seconds from 0 to
//! its longest finite limit (or twice the next one when the longest dwarfs
//! it: [`crate::report::mermaid::horizon`]), one bar per limit ([`Mark`]) from 0 to its
//! value, labelled on the left with who sets it and on the bar's end with
//! the value, and the verdict below. Colours: the first killer red and
//! named `first killer`, other killers orange, hops kept open by keepalive
//! grey, the client end's keepalive green, its retirement blue (a bar to
//! the end with `never` when it never retires).
//!
//! Every text is XML-escaped ([`crate::report::xml::escape`]) after being
//! cut; secrets are scrubbed from the chain before it gets here
//! (`cli::render_chain`). Output is deterministic: widths are estimated
//! from character counts, never measured.

use std::time::Duration;

use crate::model::chain::{Chain, Mark, MarkKind};
use crate::report::mermaid::{cut_note, horizon, who};
use crate::report::xml::escape;

/// Total width of the picture, px.
const WIDTH: u32 = 1000;
/// Width reserved for the bar labels on the left, px.
const LABEL_W: u32 = 400;
/// Room on the right of the longest bar for its value, px.
const VALUE_W: u32 = 250;
/// Height of one bar row, px.
const ROW_H: u32 = 26;
/// Longest label (characters) before it is cut with `…`.
const MAX_LABEL: usize = 60;

/// Renders every chain as one panel of one SVG document.
pub fn render(chains: &[Chain]) -> String {
    let mut body = String::new();
    let mut y = 10;
    for c in chains {
        y = panel(c, y, &mut body) + 20;
    }
    if chains.is_empty() {
        body.push_str("  <text x=\"10\" y=\"30\">no paths</text>\n");
        y = 50;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{y}\" \
         viewBox=\"0 0 {WIDTH} {y}\" font-family=\"sans-serif\" font-size=\"13\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n{body}</svg>\n"
    )
}

/// Cuts `s` to `max` characters (then `…`) and XML-escapes it.
fn cut(s: &str, max: usize) -> String {
    let t: String = s.chars().take(max).collect();
    if s.chars().count() > max {
        escape(&format!("{t}…"))
    } else {
        escape(&t)
    }
}

fn colour(m: &Mark) -> &'static str {
    match (m.kind, m.first) {
        (_, true) => "#d62728",
        (MarkKind::Killer, _) => "#ff7f0e",
        (MarkKind::KeptAlive, _) => "#b0b0b0",
        (MarkKind::Keepalive, _) => "#2ca02c",
        (MarkKind::Retirement, _) => "#1f77b4",
    }
}

/// Draws one chain from `top`; returns the y below it.
fn panel(c: &Chain, top: u32, out: &mut String) -> u32 {
    let end = horizon(&c.timeline);
    let x0 = LABEL_W;
    let span = f64::from(WIDTH - LABEL_W - VALUE_W);
    let x = |d: Duration| f64::from(x0) + span * (d.as_secs_f64() / end.as_secs_f64()).min(1.0);
    let mut y = top + 20;
    out.push_str(&format!(
        "  <text x=\"10\" y=\"{y}\" font-weight=\"bold\" font-size=\"15\">path: {}</text>\n",
        cut(&c.name, 110)
    ));
    y += 12;
    let axis_top = y;
    y += 8;
    // Bars are drawn after the grid, so the grid lines stay behind them.
    let mut bars = String::new();
    let out_bars = &mut bars;
    for m in &c.timeline {
        // At least 2 px, so a short limit beside a long one still shows.
        let w = (x(m.at.unwrap_or(end)) - f64::from(x0)).max(2.0);
        out_bars.push_str(&format!(
            "  <text x=\"{}\" y=\"{}\" text-anchor=\"end\"{}>{}</text>\n",
            x0 - 8,
            y + 17,
            if m.first { " font-weight=\"bold\"" } else { "" },
            cut(&who(m), MAX_LABEL)
        ));
        out_bars.push_str(&format!(
            "  <rect x=\"{x0}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"{}/>\n",
            y + 4,
            ROW_H - 8,
            colour(m),
            if m.at.is_none() {
                " fill-opacity=\"0.35\""
            } else {
                ""
            }
        ));
        out_bars.push_str(&format!(
            "  <text x=\"{:.1}\" y=\"{}\">{}</text>\n",
            f64::from(x0) + w + 6.0,
            y + 17,
            cut(&format!("{}{}", m.value, cut_note(m, end)), 40)
        ));
        y += ROW_H;
    }
    // Axis: a line and nice ticks, labelled in the unit of the step.
    let (step, unit, name) = tick_step(end);
    out.push_str(&format!(
        "  <line x1=\"{x0}\" y1=\"{y}\" x2=\"{:.1}\" y2=\"{y}\" stroke=\"#333333\"/>\n",
        f64::from(x0) + span
    ));
    let mut t = 0u64;
    while t <= end.as_secs() {
        let tx = x(Duration::from_secs(t));
        out.push_str(&format!(
            "  <line x1=\"{tx:.1}\" y1=\"{axis_top}\" x2=\"{tx:.1}\" y2=\"{}\" stroke=\"#dddddd\"/>\n",
            y + 4
        ));
        out.push_str(&format!(
            "  <text x=\"{tx:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555555\">{}{name}</text>\n",
            y + 17,
            t / unit
        ));
        t += step;
    }
    out.push_str(&bars);
    y += 24;
    for line in wrap(&format!("\u{2192} {}", c.verdict), VERDICT_CHARS)
        .iter()
        .take(4)
    {
        out.push_str(&format!(
            "  <text x=\"10\" y=\"{}\" font-size=\"12\">{}</text>\n",
            y + 12,
            cut(line, VERDICT_CHARS + 20)
        ));
        y += 16;
    }
    y
}

/// Characters of a verdict line (12 px text across the picture).
const VERDICT_CHARS: usize = 150;

/// Splits `s` at spaces into lines of at most `max` characters (a longer
/// word is a line of its own).
fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in s.split(' ') {
        let last = lines.last_mut().expect("never empty");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > max {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// A tick step for an axis from 0 to `end`: at most about eight ticks, a
/// round number of seconds, minutes, hours or days. Returns the step (s),
/// the unit (s) and the unit's name.
fn tick_step(end: Duration) -> (u64, u64, &'static str) {
    const STEPS: [(u64, u64, &str); 22] = [
        (1, 1, "s"),
        (2, 1, "s"),
        (5, 1, "s"),
        (10, 1, "s"),
        (15, 1, "s"),
        (30, 1, "s"),
        (60, 60, "m"),
        (120, 60, "m"),
        (300, 60, "m"),
        (600, 60, "m"),
        (900, 60, "m"),
        (1800, 60, "m"),
        (3600, 3600, "h"),
        (7200, 3600, "h"),
        (10800, 3600, "h"),
        (21600, 3600, "h"),
        (43200, 3600, "h"),
        (86400, 86400, "d"),
        (172_800, 86400, "d"),
        (604_800, 86400, "d"),
        (2_592_000, 86400, "d"),
        (7_776_000, 86400, "d"),
    ];
    let secs = end.as_secs().max(1);
    STEPS
        .into_iter()
        .find(|(step, _, _)| secs / step <= 8)
        .unwrap_or((31_536_000, 86400, "d"))
}

#[cfg(test)]
mod tests {
    use super::tick_step;
    use std::time::Duration;

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(tick_step(Duration::from_secs(350)), (60, 60, "m"));
        assert_eq!(tick_step(Duration::from_secs(7200)), (900, 60, "m"));
        assert_eq!(tick_step(Duration::from_secs(28800)), (3600, 3600, "h"));
        assert_eq!(
            tick_step(Duration::from_secs(31_536_000)),
            (7_776_000, 86400, "d")
        );
    }
}
