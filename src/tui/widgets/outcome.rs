//! The outcome dialog: a question and N outcomes to pick one from, as a block
//! needs when nothing configured answers it (an unmapped Lambda, an environment
//! outcome, a Lex intent). The widget only draws and moves the choice; whoever
//! opens it stops the call's clock (every overlay does, see `Overlay::stops_clock`)
//! and acts on the pick.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

/// A question with outcomes to choose from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeDialog {
    pub title: String,
    /// Lines above the choices.
    pub question: Vec<String>,
    pub outcomes: Vec<String>,
    pub chosen: usize,
}

impl OutcomeDialog {
    pub fn new(title: &str, question: Vec<String>, outcomes: Vec<String>) -> Self {
        Self {
            title: title.to_owned(),
            question,
            outcomes,
            chosen: 0,
        }
    }

    /// Move the choice by `by` (wrapping).
    pub fn step(&mut self, by: isize) {
        let n = self.outcomes.len();
        if n > 0 {
            let at = isize::try_from(self.chosen).unwrap_or(0) + by;
            self.chosen =
                usize::try_from(at.rem_euclid(isize::try_from(n).unwrap_or(1))).unwrap_or(0);
        }
    }

    /// Choose by the outcome's number as shown (1-based), if there is one.
    pub fn choose_number(&mut self, n: usize) -> bool {
        if (1..=self.outcomes.len()).contains(&n) {
            self.chosen = n - 1;
            true
        } else {
            false
        }
    }

    pub fn choice(&self) -> Option<&str> {
        self.outcomes.get(self.chosen).map(String::as_str)
    }

    /// Rows the dialog wants: borders, question, a blank, outcomes, the hint.
    pub fn height(&self) -> u16 {
        u16::try_from(self.question.len() + self.outcomes.len() + 4).unwrap_or(u16::MAX)
    }

    /// Rows the dialog wants at `width` columns, long lines wrapped.
    pub fn height_for(&self, width: u16) -> u16 {
        let inner = usize::from(width.saturating_sub(2)).max(1);
        let rows = |len: usize| len.div_ceil(inner).max(1);
        let question: usize = self
            .question
            .iter()
            .map(|q| rows(q.chars().count() + 1))
            .sum();
        let outcomes: usize = self
            .outcomes
            .iter()
            .map(|o| rows(o.chars().count() + 8))
            .sum();
        u16::try_from(question + outcomes + 4).unwrap_or(u16::MAX)
    }
}

impl Widget for &OutcomeDialog {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        Clear.render(area, buf);
        let block = Block::bordered()
            .title(format!(" {} ", self.title))
            .border_style(Style::new().fg(Color::Cyan));
        let inner = block.inner(area);
        block.render(area, buf);
        let mut lines: Vec<Line> = self
            .question
            .iter()
            .map(|q| Line::raw(format!(" {q}")))
            .collect();
        lines.push(Line::raw(""));
        for (i, o) in self.outcomes.iter().enumerate() {
            let (mark, style) = if i == self.chosen {
                ("(•)", Style::new().add_modifier(Modifier::BOLD))
            } else {
                ("( )", Style::new().add_modifier(Modifier::DIM))
            };
            lines.push(Line::styled(format!(" {mark} {}. {o}", i + 1), style));
        }
        lines.push(Line::styled(
            " ↑↓ or a number: choose · Enter: answer · Esc: the first",
            Style::new().add_modifier(Modifier::DIM),
        ));
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .render(inner, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choosing_wraps_and_draws() {
        let mut d = OutcomeDialog::new(
            "Hours of operation",
            vec!["Is the queue open?".into()],
            vec!["True".into(), "False".into(), "Error".into()],
        );
        d.step(-1);
        assert_eq!(d.choice(), Some("Error"));
        d.step(2);
        assert_eq!(d.choice(), Some("False"));
        assert!(d.choose_number(1) && !d.choose_number(4));
        let mut buf = Buffer::empty(Rect::new(0, 0, 60, d.height()));
        (&d).render(buf.area, &mut buf);
        let text: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(text.contains("(•) 1. True"), "{text}");
        assert!(text.contains("( ) 3. Error"), "{text}");
    }
}
