//! The built-in vanity-number function (`builtin:vanity`) and its embedded call
//! pipeline.
//!
//! From the pure `flowsim-vanity` crate (shared with the deployed Lambdas):
//! - [`generate`]: the pure generator (number → ranked vanity numbers).
//! - [`words`]: the embedded SCOWL-derived word list and its keypad index.
//! - [`ssml`]: what the IVR says.
//! - [`record`]: the call record (the seed's SQS message and DynamoDB item).
//! - [`answer`]: the answer to a Connect event.
//!
//! Here:
//! - [`function`]: the function answering Connect events (the `LambdaBackend` for it
//!   is `crate::lambda::builtin`, so this module needs nothing from `lambda`).
//! - [`pipeline`]: the local queue and the SQLite call table.
//! - `remote` (feature `aws-pipeline`): the real SQS queue and DynamoDB table instead.
//!
//! `flowsim vanity` and `flowsim calls` print from here in `crate::cli::vanity`.

pub mod function;
pub mod pipeline;
#[cfg(feature = "aws-pipeline")]
pub mod remote;

// The pure parts live in `flowsim-vanity` (shared with the deployed Lambdas in
// `lambdas/`); these paths are kept.
pub use flowsim_vanity::{answer, generate, record, ssml, words};

use std::path::PathBuf;

pub use function::VanityFunction;
// `generate` is both the module and the function (re-exported by flowsim-vanity).
pub use generate::{Generated, InvalidNumber, Number, Part, Vanity};

/// Where the call table lives: `FLOWSIM_DATA_DIR`, else the user's data dir.
pub fn default_data_dir() -> Option<PathBuf> {
    std::env::var_os("FLOWSIM_DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("flowsim")))
}
