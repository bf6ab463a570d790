//! The built-in vanity-number function (`builtin:vanity`) and its embedded call
//! pipeline.
//!
//! - [`generate`]: the pure generator (number → ranked vanity numbers).
//! - [`words`]: the embedded SCOWL-derived word list and its keypad index.
//! - [`ssml`]: what the IVR says.
//! - [`function`]: the function answering Connect events (the `LambdaBackend` for it
//!   is `crate::lambda::builtin`, so this module needs nothing from `lambda`).
//! - [`pipeline`]: the local queue and the SQLite call table.
//!
//! `flowsim vanity` and `flowsim calls` print from here in `crate::cli::vanity`.

pub mod function;
pub mod generate;
pub mod pipeline;
pub mod ssml;
pub mod words;

use std::path::PathBuf;

pub use function::VanityFunction;
pub use generate::{Generated, InvalidNumber, Number, Part, Vanity, generate};

/// Where the call table lives: `FLOWSIM_DATA_DIR`, else the user's data dir.
pub fn default_data_dir() -> Option<PathBuf> {
    std::env::var_os("FLOWSIM_DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("flowsim")))
}
