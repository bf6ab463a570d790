//! flowsim-core: the pure part of flowsim. No IO, no clock, no async runtime, no
//! terminal: everything here is a function of its inputs, so the TUI, the headless
//! runner, replays and tests share one semantics, and other programs can embed it.
//!
//! Layers, each depending only on those below it:
//! - [`check`] (the linter) and [`call`] (the `.call` language) read the model;
//! - [`engine`] runs a call through a flow: inputs in, effects out;
//! - [`flow`] parses and validates a flow-language export into a model and a graph;
//! - [`ssml`], [`mapping`] and the action catalogue ([`catalogue`]) depend on nothing else.

pub mod call;
pub mod catalogue;
pub mod check;
pub mod engine;
pub mod env;
pub mod flow;
pub mod flowlog;
pub mod lex;
pub mod mapping;
pub mod phone;
pub mod ssml;
pub mod testcase;
pub mod text;
