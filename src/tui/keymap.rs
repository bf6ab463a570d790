//! Keys → actions, as one table. The help bar and the help overlay are drawn from
//! the same table, so what the screen says is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// Which set of keys applies: the main screen, or the open overlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// The map view: panning, zooming, selecting; phone keys still dial.
    Map,
    Help,
    /// Scrollable text (the Lambda inspector).
    Inspect,
    /// A text field (new caller number, unmapped Lambda answer).
    Edit,
}

/// What a binding does.
#[derive(Clone, Copy, Debug)]
pub enum Does {
    /// Any phone key: `0`-`9`, `*`, `#`.
    Dial,
    Fixed(fn() -> Action),
}

/// One row of the key table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub codes: &'static [KeyCode],
    /// How the keys are written on screen.
    pub keys: &'static str,
    /// A word or two for the help bar; empty keeps the binding out of the bar.
    pub hint: &'static str,
    /// A sentence for the help overlay.
    pub help: &'static str,
    pub does: Does,
}

const fn b(
    codes: &'static [KeyCode],
    keys: &'static str,
    hint: &'static str,
    help: &'static str,
    does: fn() -> Action,
) -> Binding {
    Binding {
        codes,
        keys,
        hint,
        help,
        does: Does::Fixed(does),
    }
}

/// The main screen's keys, in the order the help bar shows them. A binding with no
/// help sentence is described by the one before it (`↑ ↓`, `> <`).
pub const NORMAL: &[Binding] = &[
    Binding {
        codes: &[],
        keys: "0-9 * #",
        hint: "dial",
        help: "press a phone key (or click the keypad)",
        does: Does::Dial,
    },
    b(
        &[KeyCode::Char('t'), KeyCode::Enter],
        "t",
        "timeout",
        "let the pending input time out now (also Enter)",
        || Action::TimeoutNow,
    ),
    b(
        &[KeyCode::Char('s')],
        "s",
        "say",
        "say something to a Lex bot: a one-line text box (the call's clock stops while you type)",
        || Action::Say,
    ),
    b(
        &[KeyCode::Char('h')],
        "h",
        "hang up",
        "the caller hangs up",
        || Action::Hangup,
    ),
    b(
        &[KeyCode::Char('o')],
        "o",
        "",
        "on hold / off hold, once the agent has answered",
        || Action::Hold,
    ),
    b(
        &[KeyCode::Char('r')],
        "r",
        "restart",
        "start the call again, same caller",
        || Action::Restart,
    ),
    b(
        &[KeyCode::Char('c')],
        "c",
        "caller",
        "call again from another number",
        || Action::NewCaller,
    ),
    b(
        &[KeyCode::Char('p')],
        "p",
        "step mode",
        "pause: run one block per step key, showing each branch",
        || Action::TogglePause,
    ),
    b(
        &[KeyCode::Char('n'), KeyCode::Char(' ')],
        "n",
        "step",
        "step mode: run the next block (also Space)",
        || Action::Step,
    ),
    b(
        &[KeyCode::Char('>'), KeyCode::Char('.')],
        "> <",
        "",
        "the call's clock twice / half as fast (×1/4 to ×16)",
        || Action::Speed(true),
    ),
    b(
        &[KeyCode::Char('<'), KeyCode::Char(',')],
        "<",
        "",
        "",
        || Action::Speed(false),
    ),
    b(
        &[KeyCode::Char('m')],
        "m",
        "map",
        "toggle the map of the whole flow",
        || Action::ToggleMap,
    ),
    b(
        &[KeyCode::Char('l')],
        "l",
        "lambda",
        "inspect the last Lambda event and response (or the Lex recognitions)",
        || Action::Inspect,
    ),
    b(
        &[KeyCode::Char('w')],
        "w",
        "record",
        "write the call as a .call recording",
        || Action::WriteRecording,
    ),
    b(
        &[KeyCode::Up],
        "↑ ↓",
        "",
        "scroll the transcript back / forward",
        || Action::Scroll(1),
    ),
    b(&[KeyCode::Down], "↓", "", "", || Action::Scroll(-1)),
    b(
        &[KeyCode::PageUp],
        "PgUp PgDn",
        "",
        "scroll the transcript a page back / forward",
        || Action::Scroll(10),
    ),
    b(&[KeyCode::PageDown], "PgDn", "", "", || Action::Scroll(-10)),
    b(
        &[KeyCode::End],
        "End",
        "",
        "follow the end of the transcript",
        || Action::ScrollEnd,
    ),
    b(
        &[KeyCode::Char('?'), KeyCode::F(1)],
        "?",
        "help",
        "show or hide this help",
        || Action::ToggleHelp,
    ),
    b(
        &[KeyCode::Char('q'), KeyCode::Esc],
        "q",
        "quit",
        "leave flowsim",
        || Action::Quit,
    ),
];

/// The map view's keys (`m`), in the order the help bar shows them.
pub const MAP: &[Binding] = &[
    Binding {
        codes: &[],
        keys: "0-9 * #",
        hint: "dial",
        help: "press a phone key",
        does: Does::Dial,
    },
    b(
        &[KeyCode::Left, KeyCode::Char('h')],
        "←↓↑→",
        "pan",
        "move the view (also h j k l; PgUp PgDn by a screen)",
        || Action::MapPan(-8, 0),
    ),
    b(
        &[KeyCode::Right, KeyCode::Char('l')],
        "→",
        "",
        "pan right",
        || Action::MapPan(8, 0),
    ),
    b(
        &[KeyCode::Up, KeyCode::Char('k')],
        "↑",
        "",
        "pan up",
        || Action::MapPan(0, -4),
    ),
    b(
        &[KeyCode::Down, KeyCode::Char('j')],
        "↓",
        "",
        "pan down",
        || Action::MapPan(0, 4),
    ),
    b(&[KeyCode::PageUp], "PgUp", "", "pan a screen up", || {
        Action::MapPan(0, -20)
    }),
    b(
        &[KeyCode::PageDown],
        "PgDn",
        "",
        "pan a screen down",
        || Action::MapPan(0, 20),
    ),
    b(
        &[KeyCode::Char('+'), KeyCode::Char('=')],
        "+ -",
        "zoom",
        "zoom in and out: boxes with branches, names, dots",
        || Action::MapZoom(true),
    ),
    b(&[KeyCode::Char('-')], "-", "", "zoom out", || {
        Action::MapZoom(false)
    }),
    b(
        &[KeyCode::Tab],
        "Tab",
        "select",
        "select the next block (Shift-Tab: the previous; or click one)",
        || Action::MapSelect(1),
    ),
    b(
        &[KeyCode::BackTab],
        "S-Tab",
        "",
        "select the previous block",
        || Action::MapSelect(-1),
    ),
    b(
        &[KeyCode::Enter],
        "Enter",
        "details",
        "the selected block's parameters and branches",
        || Action::MapDetails,
    ),
    b(
        &[KeyCode::Char('/')],
        "/",
        "search",
        "find a block by name",
        || Action::MapSearch,
    ),
    b(
        &[KeyCode::Char('f')],
        "f",
        "follow",
        "keep the current block in view",
        || Action::MapFollow,
    ),
    b(
        &[KeyCode::Char('v')],
        "v",
        "",
        "show or hide test coverage (flowsim tui --coverage FILE)",
        || Action::MapCoverage,
    ),
    b(
        &[KeyCode::Char('n'), KeyCode::Char(' ')],
        "n",
        "step",
        "step mode: run the next block (also Space)",
        || Action::Step,
    ),
    b(
        &[KeyCode::Char('p')],
        "p",
        "step mode",
        "pause: run one block per step key",
        || Action::TogglePause,
    ),
    b(
        &[KeyCode::Char('t')],
        "t",
        "timeout",
        "let the pending input time out now",
        || Action::TimeoutNow,
    ),
    b(
        &[KeyCode::Char('>'), KeyCode::Char('.')],
        "> <",
        "",
        "the call's clock twice / half as fast",
        || Action::Speed(true),
    ),
    b(
        &[KeyCode::Char('<'), KeyCode::Char(',')],
        "<",
        "",
        "",
        || Action::Speed(false),
    ),
    b(
        &[KeyCode::Char('m'), KeyCode::Esc],
        "m",
        "back",
        "back to the transcript (also Esc)",
        || Action::ToggleMap,
    ),
    b(
        &[KeyCode::Char('?'), KeyCode::F(1)],
        "?",
        "help",
        "show or hide this help",
        || Action::ToggleHelp,
    ),
    b(&[KeyCode::Char('q')], "q", "quit", "leave flowsim", || {
        Action::Quit
    }),
];

/// The key table of a mode's main screen.
pub fn table(mode: Mode) -> &'static [Binding] {
    if mode == Mode::Map { MAP } else { NORMAL }
}

/// The action for a key press in a mode, if any.
pub fn action_for(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c' | 'd') => Some(Action::Quit),
            _ => None,
        };
    }
    match mode {
        Mode::Normal | Mode::Map => {
            if let KeyCode::Char(c @ ('0'..='9' | '*' | '#')) = key.code {
                return Some(Action::Dial(c));
            }
            table(mode).iter().find_map(|bind| match bind.does {
                Does::Fixed(f) if bind.codes.contains(&key.code) => Some(f()),
                _ => None,
            })
        }
        Mode::Help => match key.code {
            KeyCode::Char('q') => Some(Action::Quit),
            _ => Some(Action::ToggleHelp),
        },
        Mode::Inspect => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Action::Scroll(1)),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::Scroll(-1)),
            KeyCode::PageUp => Some(Action::Scroll(10)),
            KeyCode::PageDown | KeyCode::Char(' ') => Some(Action::Scroll(-10)),
            KeyCode::Home => Some(Action::Scroll(i32::MAX / 2)),
            KeyCode::Esc | KeyCode::Char('l' | 'q') | KeyCode::Enter => Some(Action::Cancel),
            _ => None,
        },
        Mode::Edit => match key.code {
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Enter => Some(Action::Submit),
            KeyCode::Tab | KeyCode::BackTab => Some(Action::NextChoice),
            // The outcome dialog's choices (other text fields ignore them).
            KeyCode::Up => Some(Action::Scroll(1)),
            KeyCode::Down => Some(Action::Scroll(-1)),
            KeyCode::Backspace => Some(Action::Backspace),
            KeyCode::Char(c) => Some(Action::Type(c)),
            _ => None,
        },
    }
}

/// The help bar: `key hint` pairs from the table in table order, fitted to
/// `width`: as many full hints as leave room for the other keys bare (an empty
/// hint); `?`, the way to all the others, always keeps its hint.
pub fn help_bar(table: &'static [Binding], width: usize) -> Vec<(&'static str, &'static str)> {
    let hinted: Vec<&Binding> = table.iter().filter(|b| !b.hint.is_empty()).collect();
    let full = |b: &Binding| b.keys.chars().count() + b.hint.chars().count() + 2;
    let bare = |b: &Binding| b.keys.chars().count() + 1;
    let is_help = |b: &Binding| b.keys == "?";
    let cost = |k: usize| -> usize {
        hinted
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if i < k || is_help(b) {
                    full(b)
                } else {
                    bare(b)
                }
            })
            .sum()
    };
    let shown = match (0..=hinted.len()).rev().find(|&k| cost(k) <= width) {
        Some(k) => k,
        // Not even the bare keys fit: `? help` alone, if that does.
        None => {
            return hinted
                .iter()
                .filter(|b| is_help(b) && full(b) <= width)
                .map(|b| (b.keys, b.hint))
                .collect();
        }
    };
    hinted
        .iter()
        .enumerate()
        .map(|(i, b)| (b.keys, if i < shown || is_help(b) { b.hint } else { "" }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn digits_dial_and_letters_act() {
        assert_eq!(
            action_for(Mode::Normal, key(KeyCode::Char('7'))),
            Some(Action::Dial('7'))
        );
        assert_eq!(
            action_for(Mode::Normal, key(KeyCode::Char('#'))),
            Some(Action::Dial('#'))
        );
        assert_eq!(
            action_for(Mode::Normal, key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(Mode::Edit, key(KeyCode::Char('q'))),
            Some(Action::Type('q'))
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(Mode::Edit, ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn every_code_is_bound_once() {
        for table in [NORMAL, MAP] {
            let mut seen = Vec::new();
            for bind in table {
                for c in bind.codes {
                    assert!(!seen.contains(c), "{c:?} bound twice");
                    seen.push(*c);
                }
            }
        }
    }

    #[test]
    fn help_bar_fits() {
        let drawn = |bar: &[(&str, &str)]| -> usize {
            bar.iter()
                .map(|(k, h)| {
                    k.chars().count()
                        + if h.is_empty() {
                            1
                        } else {
                            h.chars().count() + 2
                        }
                })
                .sum()
        };
        for w in [10, 20, 40, 79, 200] {
            let bar = help_bar(NORMAL, w);
            assert!(drawn(&bar) <= w, "{w}: {bar:?}");
            assert!(
                bar.iter().any(|(k, h)| *k == "?" && !h.is_empty()),
                "{w}: {bar:?}"
            );
        }
        // At 80 columns every key is on the bar, some without their hint.
        let keys: Vec<&str> = help_bar(NORMAL, 79).iter().map(|(k, _)| *k).collect();
        for k in ["m", "l", "w", "?", "q"] {
            assert!(keys.contains(&k), "{keys:?}");
        }
    }
}
