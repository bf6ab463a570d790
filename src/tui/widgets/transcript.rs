//! The transcript: what the IVR said, keys, Lambda calls, warnings, the end —
//! word-wrapped to the panel, scrolled back from the end.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::engine::SimTime;
use crate::tui::app::{Entry, LambdaEntry};

/// Width of the tag column (`IVR `, `KEY `, …).
const TAG: usize = 5;

/// The transcript of a call as a widget.
pub struct Transcript<'a> {
    pub entries: &'a [Entry],
    /// Lines scrolled back from the end.
    pub scroll: usize,
    /// Call time now, for Lambda calls still in flight.
    pub now: SimTime,
}

impl Transcript<'_> {
    /// Every line at this width.
    pub fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let mut out = Vec::new();
        for e in self.entries {
            let (tag, text, style) = describe(e, self.now);
            wrap_into(&mut out, tag, &text, style, width);
        }
        out
    }

    /// How far the transcript can scroll back in an area of this size.
    pub fn max_scroll(&self, area: Rect) -> usize {
        self.lines(usize::from(area.width))
            .len()
            .saturating_sub(usize::from(area.height))
    }
}

fn describe(e: &Entry, now: SimTime) -> (&'static str, String, Style) {
    let dim = Style::new().add_modifier(Modifier::DIM);
    match e {
        Entry::Call { caller, flow } => ("CALL", format!("{caller} calls {flow}"), dim),
        Entry::Prompt { text, .. } => ("IVR", text.clone(), Style::new()),
        Entry::Waiting { what, timeout_ms } => (
            "",
            format!("(waiting for {what}, {} s)", timeout_ms / 1000),
            dim,
        ),
        Entry::Keys(k) => ("KEY", k.clone(), Style::new().fg(Color::Cyan)),
        Entry::Silence => (
            "KEY",
            "(silence: input timed out)".into(),
            Style::new().fg(Color::Cyan),
        ),
        Entry::TimedOut { what, timeout_ms } => (
            "KEY",
            format!(
                "(no {} within {} s)",
                what.trim_start_matches("an ").trim_start_matches("a "),
                timeout_ms / 1000
            ),
            Style::new().fg(Color::Cyan),
        ),
        Entry::Said(t) => ("SAY", t.clone(), Style::new().fg(Color::Cyan)),
        Entry::Stored(v) => ("", format!("stored input: {v}"), dim),
        Entry::Lambda(l) => ("λ", lambda_text(l, now), lambda_style(l)),
        Entry::Warning(w) => ("WARN", w.clone(), Style::new().fg(Color::Yellow)),
        Entry::Ended(r) => (
            "END",
            r.clone(),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ),
        Entry::Note(n) => ("·", n.clone(), dim.add_modifier(Modifier::ITALIC)),
    }
}

fn lambda_style(l: &LambdaEntry) -> Style {
    match l.ok {
        Some(false) => Style::new().fg(Color::LightRed),
        _ => Style::new().fg(Color::Magenta),
    }
}

/// `vanity-numbers ✓ valid JSON response, 12 ms (builtin:vanity) → Next → Save Result`
pub fn lambda_text(l: &LambdaEntry, now: SimTime) -> String {
    let mut s = l.function.clone();
    match l.ok {
        None => {
            let waited = now.since(l.at).as_millis();
            s.push_str(&format!(" … {:.1} s", waited as f64 / 1000.0));
        }
        Some(ok) => {
            s.push_str(if ok { " ✓ " } else { " ✗ " });
            s.push_str(&l.detail);
            if let Some(d) = l.duration_ms {
                s.push_str(&format!(", {d} ms"));
            }
        }
    }
    if let Some(b) = &l.backend {
        s.push_str(&format!(" ({b})"));
    }
    if let Some(b) = &l.branch {
        s.push_str(&format!(" → {b}"));
    }
    s
}

/// Word-wrap `text` under a tag column into `out`.
fn wrap_into(out: &mut Vec<Line<'static>>, tag: &str, text: &str, style: Style, width: usize) {
    let avail = width.saturating_sub(TAG).max(1);
    let mut first = true;
    let tag_style = style.add_modifier(Modifier::BOLD);
    for row in wrap(text, avail) {
        let tag_text = if first {
            format!("{tag:<TAG$}")
        } else {
            " ".repeat(TAG)
        };
        first = false;
        out.push(Line::from(vec![
            Span::styled(tag_text, tag_style),
            Span::styled(row, style),
        ]));
    }
}

/// Greedy word wrap by characters; words longer than a line are cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut cur = String::new();
    let mut cur_len = 0;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let need = if cur_len == 0 {
                word.len()
            } else {
                word.len() + 1
            };
            if cur_len + need <= width {
                if cur_len > 0 {
                    cur.push(' ');
                }
                cur.extend(word.iter());
                cur_len += need;
                break;
            }
            if cur_len > 0 {
                rows.push(std::mem::take(&mut cur));
                cur_len = 0;
                continue;
            }
            // A word longer than the line: cut it.
            let rest = word.split_off(width);
            rows.push(word.iter().collect());
            word = rest;
            if word.is_empty() {
                break;
            }
        }
    }
    if cur_len > 0 || rows.is_empty() {
        rows.push(cur);
    }
    rows
}

impl Widget for Transcript<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let lines = self.lines(usize::from(area.width));
        let h = usize::from(area.height);
        let scroll = self.scroll.min(lines.len().saturating_sub(h));
        let end = lines.len() - scroll;
        let start = end.saturating_sub(h);
        for (i, line) in lines[start..end].iter().enumerate() {
            let y = area.y + u16::try_from(i).unwrap_or(0);
            buf.set_line(area.x, y, line, area.width);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_cuts_long_ones() {
        assert_eq!(wrap("press 1 to confirm", 8), ["press 1", "to", "confirm"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("a b", 0), ["a", "b"]);
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let entries = vec![Entry::Prompt {
            at: SimTime::ZERO,
            text: "hello there".into(),
        }];
        for (w, h) in [(0, 0), (1, 1), (5, 1), (6, 2)] {
            let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
            Transcript {
                entries: &entries,
                scroll: 3,
                now: SimTime::ZERO,
            }
            .render(buf.area, &mut buf);
        }
    }
}
