//! flowsim: run Amazon Connect contact flows off the cloud.
//!
//! The pure part (flow model, action catalogue, engine, linter, `.call` language)
//! is the `flowsim-core` crate, re-exported here under the same names. This crate
//! adds what does IO, each layer depending only on those below it:
//! `cli` → `tui` / `script` (runner) → `driver` (async) → `lambda` backends →
//! `flowsim_core`.

pub use flowsim_core::{call, catalogue, check, engine, flow, mapping, ssml};

pub mod cli;
pub mod config;
pub mod driver;
pub mod graph_export;
pub mod lambda;
pub mod script;
pub mod transcript;
pub mod tui;
pub mod vanity;
