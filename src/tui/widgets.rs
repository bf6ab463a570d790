//! The TUI's own widgets.

pub mod keypad;
pub mod map;
pub mod map_layout;
pub mod outcome;
pub mod text_input;
pub mod transcript;
