//! flowsim: run Amazon Connect contact flows off the cloud.
//!
//! Layers, each depending only on those below it:
//! `cli` → `driver` (async, IO) → `engine` (pure) → `flow` (model + graph).
//! Lambda backends implement [`lambda::LambdaBackend`] and are used by the driver.

pub mod check;
pub mod cli;
pub mod config;
pub mod driver;
pub mod engine;
pub mod flow;
pub mod graph_export;
pub mod lambda;
pub mod script;
pub mod ssml;
pub mod transcript;
pub mod tui;
pub mod vanity;
