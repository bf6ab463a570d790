//! The phone's 4×3 keypad. The pressed key is lit; clicks map back to keys
//! through [`key_at`], which uses the same geometry as the drawing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;

/// The keys, row by row, with the letters printed under them.
pub const KEYS: [(char, &str); 12] = [
    ('1', ""),
    ('2', "ABC"),
    ('3', "DEF"),
    ('4', "GHI"),
    ('5', "JKL"),
    ('6', "MNO"),
    ('7', "PQRS"),
    ('8', "TUV"),
    ('9', "WXYZ"),
    ('*', ""),
    ('0', "+"),
    ('#', ""),
];

/// A keypad: which key is lit, and whether keys can be pressed now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keypad {
    pub pressed: Option<char>,
    pub enabled: bool,
}

/// The cell of each key inside `area` (empty cells when the area is too small).
pub fn key_cells(area: Rect) -> [(char, Rect); 12] {
    let mut out = [(' ', Rect::ZERO); 12];
    for (i, (key, _)) in KEYS.iter().enumerate() {
        let (row, col) = (i / 3, i % 3);
        let x0 = area.x + split(area.width, 3, col);
        let x1 = area.x + split(area.width, 3, col + 1);
        let y0 = area.y + split(area.height, 4, row);
        let y1 = area.y + split(area.height, 4, row + 1);
        out[i] = (*key, Rect::new(x0, y0, x1 - x0, y1 - y0));
    }
    out
}

/// Offset of the `i`th of `n` equal parts of `len`.
fn split(len: u16, n: usize, i: usize) -> u16 {
    u16::try_from(usize::from(len) * i / n).unwrap_or(len)
}

/// The key under a screen position, for mouse clicks.
pub fn key_at(area: Rect, x: u16, y: u16) -> Option<char> {
    key_cells(area)
        .into_iter()
        .find(|(_, r)| r.width > 0 && r.height > 0 && r.contains((x, y).into()))
        .map(|(k, _)| k)
}

impl Widget for Keypad {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let letters_of = |k: char| KEYS.iter().find(|(c, _)| *c == k).map_or("", |(_, l)| l);
        for (key, cell) in key_cells(area) {
            if cell.is_empty() {
                continue;
            }
            let lit = self.pressed == Some(key);
            let base = if !self.enabled {
                Style::new().add_modifier(Modifier::DIM)
            } else if lit {
                Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::new()
            };
            buf.set_style(cell, base);
            let letters = letters_of(key);
            let digit = key.to_string();
            let w = usize::from(cell.width);
            if cell.height >= 2 {
                let top = cell.y + (cell.height - 2) / 2;
                put_centered(buf, cell, top, &digit, base.add_modifier(Modifier::BOLD));
                if letters.len() <= w {
                    put_centered(buf, cell, top + 1, letters, base);
                }
            } else {
                let inline = format!("{key} {letters}");
                let text = if letters.len() >= 3 && inline.len() + 2 <= w {
                    inline
                } else {
                    digit
                };
                let y = cell.y;
                put_centered(buf, cell, y, &text, base.add_modifier(Modifier::BOLD));
            }
        }
    }
}

fn put_centered(buf: &mut Buffer, cell: Rect, y: u16, text: &str, style: Style) {
    let len = u16::try_from(text.chars().count()).unwrap_or(u16::MAX);
    if len == 0 || len > cell.width {
        return;
    }
    let x = cell.x + (cell.width - len) / 2;
    buf.set_string(x, y, text, style);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keypad() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 15, 4));
        Keypad {
            pressed: None,
            enabled: true,
        }
        .render(buf.area, &mut buf);
        let mut expected = Buffer::with_lines([
            "  1    2    3  ",
            "  4    5    6  ",
            "  7    8    9  ",
            "  *    0    #  ",
        ]);
        expected.set_style(expected.area, Style::new());
        for y in 0..4 {
            for x in [2, 7, 12] {
                expected[(x, y)].set_style(Style::new().add_modifier(Modifier::BOLD));
            }
        }
        assert_eq!(buf, expected);
    }

    #[test]
    fn wide_keypad_shows_letters_and_lights_the_pressed_key() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 27, 8));
        Keypad {
            pressed: Some('5'),
            enabled: true,
        }
        .render(buf.area, &mut buf);
        let text: Vec<String> = (0..8)
            .map(|y| (0..27).map(|x| buf[(x, y)].symbol()).collect())
            .collect();
        assert_eq!(
            text,
            [
                "    1        2        3    ",
                "            ABC      DEF   ",
                "    4        5        6    ",
                "   GHI      JKL      MNO   ",
                "    7        8        9    ",
                "  PQRS      TUV     WXYZ   ",
                "    *        0        #    ",
                "             +             ",
            ]
        );
        // The whole cell of 5 is lit, no other.
        assert!(buf[(9, 2)].modifier.contains(Modifier::REVERSED));
        assert!(buf[(17, 3)].modifier.contains(Modifier::REVERSED));
        assert!(!buf[(8, 2)].modifier.contains(Modifier::REVERSED));
        assert!(!buf[(4, 0)].modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn clicks_find_keys() {
        let area = Rect::new(10, 5, 27, 8);
        assert_eq!(key_at(area, 10, 5), Some('1'));
        assert_eq!(key_at(area, 36, 12), Some('#'));
        assert_eq!(key_at(area, 23, 8), Some('5'));
        assert_eq!(key_at(area, 9, 5), None);
        assert_eq!(key_at(area, 37, 12), None);
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        for (w, h) in [(0, 0), (1, 1), (2, 1), (3, 4), (1, 8)] {
            let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
            Keypad {
                pressed: Some('1'),
                enabled: true,
            }
            .render(buf.area, &mut buf);
        }
        assert_eq!(key_at(Rect::ZERO, 0, 0), None);
    }
}
