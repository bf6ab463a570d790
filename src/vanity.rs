//! The built-in vanity-number function (`builtin:vanity`) and its embedded call
//! pipeline.
//!
//! - [`generate`]: the pure generator (number → ranked vanity numbers).
//! - [`words`]: the embedded SCOWL-derived word list and its keypad index.
//! - [`ssml`]: what the IVR says.
//! - [`function`]: the `LambdaBackend` answering Connect events.
//! - [`pipeline`]: the local queue and the SQLite call table.
//! - [`cli`]: `flowsim vanity` and `flowsim calls`.

pub mod cli;
pub mod function;
pub mod generate;
pub mod pipeline;
pub mod ssml;
pub mod words;

use std::path::PathBuf;
use std::sync::Arc;

use crate::lambda::LambdaBackend;
use crate::lambda::registry::BackendContext;

pub use cli::{command_calls, command_vanity};
pub use function::VanityFunction;
pub use generate::{Generated, InvalidNumber, Number, Part, Vanity, generate};

/// The `builtin:vanity` backend: the function plus its call pipeline, storing into
/// `ctx.data_dir` (memory only when `None`).
pub fn backend(ctx: &BackendContext) -> Arc<dyn LambdaBackend> {
    Arc::new(VanityFunction::new(pipeline::Pipeline::new(
        pipeline::Sink::for_data_dir(ctx.data_dir.clone()),
    )))
}

/// Where the call table lives: `FLOWSIM_DATA_DIR`, else the user's data dir.
pub fn default_data_dir() -> Option<PathBuf> {
    std::env::var_os("FLOWSIM_DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("flowsim")))
}
