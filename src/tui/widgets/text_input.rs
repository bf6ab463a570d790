//! A one-line text field: the text, a caret at its end, and an optional filter
//! on what may be typed. Dialogs own one and feed it the typed characters.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// A one-line text field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Longest text accepted, in characters (0: no limit).
    pub max_chars: usize,
}

impl TextInput {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            max_chars: 0,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Type a character; `false` when the field is full or `c` is a control.
    pub fn push(&mut self, c: char) -> bool {
        if c.is_control() || (self.max_chars > 0 && self.text.chars().count() >= self.max_chars) {
            return false;
        }
        self.text.push(c);
        true
    }

    pub fn backspace(&mut self) {
        self.text.pop();
    }

    pub fn clear(&mut self) {
        self.text.clear();
    }

    /// `prompt text▏`, showing the end of the text when it is wider than `width`.
    pub fn line(&self, prompt: &str, width: usize, style: Style) -> Line<'static> {
        let room = width.saturating_sub(prompt.chars().count() + 1).max(1);
        let n = self.text.chars().count();
        let shown: String = if n > room {
            let tail: String = self.text.chars().skip(n - room + 1).collect();
            format!("…{tail}")
        } else {
            self.text.clone()
        };
        Line::from(vec![
            Span::raw(prompt.to_owned()),
            Span::styled(shown, style),
            Span::styled("▏", Style::new().add_modifier(Modifier::SLOW_BLINK)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_limits_and_scrolls() {
        let mut t = TextInput::new("ab");
        t.max_chars = 3;
        assert!(t.push('c'));
        assert!(!t.push('d'));
        assert!(!TextInput::default().push('\n'));
        t.backspace();
        assert_eq!(t.text(), "ab");
        let long = TextInput::new("abcdefghij");
        let line = long.line("/", 6, Style::new());
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "/…hij▏", "six columns: prompt, ellipsis, tail, caret");
    }
}
