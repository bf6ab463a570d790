//! Amazon Connect's own test cases ("Testing and simulation", 2026): the JSON testing
//! language, read into a model every variant of the published docs and of what the
//! live service accepts normalizes to (docs/native-tests.md).
//!
//! - [`model`]: the test case, its observations, events and actions;
//! - [`parse`]: any accepted shape (the bare document, a `CreateTestCase` body, the
//!   `describe-test-case` output) → [`model::TestCase`], with warnings;
//! - [`emit`]: the model → the normalized form the live service publishes, and
//!   [`emit::service_problems`], the live validation rules the exporter keeps;
//! - [`matcher`]: `MessageReceived` matching (Inclusion, Similarity with a score);
//! - [`assert`]: the `Assert` operators.
//!
//! Pure: the runner (`flowsim::native`) drives the engine with it.

pub mod assert;
pub mod emit;
pub mod matcher;
pub mod model;
pub mod parse;

pub use model::*;
pub use parse::{ParseError, parse};
