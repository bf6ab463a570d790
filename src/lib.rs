//! flowsim: run Amazon Connect contact flows off the cloud.
//!
//! The pure part (flow model, action catalogue, engine, linter, `.call` language,
//! phone numbers, text helpers) is the `flowsim-core` crate, re-exported here under
//! the same names. This crate adds what does IO, each layer depending only on those
//! below it (`tests/layers.rs` checks that no two modules depend on each other and
//! that only the entry points use `cli`):
//!
//! - [`cli`]: clap arguments, printing, exit codes; the only user of everything below;
//! - [`tui`] (interactive) and [`script`] (the `.call` runner);
//! - [`session`]: shared settings merged over the config file, flow loading;
//! - [`driver`]: the async driver and the one virtual-time loop;
//! - [`lambda`]: the backends that answer Lambda blocks;
//! - `flowsim_core`.
//!
//! [`vanity`] (the built-in generator and call pipeline) is a leaf used by `lambda`
//! (its backend) and `cli` (`flowsim vanity`, `flowsim calls`); [`config`] (the TOML
//! file) is a leaf used by `session`; [`transcript`] and [`graph_export`] render
//! traces and flows for `cli` and `script`.

pub use flowsim_core::{
    call, catalogue, check, engine, env, flow, flowlog, lex, mapping, phone, ssml, testcase, text,
};

pub mod cli;
pub mod config;
pub mod driver;
pub mod explore;
pub mod graph_export;
pub mod lambda;
pub mod lexbots;
pub mod native;
pub mod script;
pub mod session;
pub mod transcript;
pub mod tui;
pub mod vanity;
