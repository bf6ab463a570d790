//! The TUI's own widgets.

pub mod keypad;
pub mod map;
pub mod transcript;
