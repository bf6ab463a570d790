//! Load errors: one line each, naming the file, the block and the JSON path.

use std::fmt;

/// Why a flow could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// Not JSON at all.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// The pre-2020 console export format.
    #[error(
        "this is Amazon Connect's legacy export format (top-level `modules`), which Connect no \
         longer imports and flowsim does not run; export the flow again as flow-language JSON \
         (`aws connect describe-contact-flow`, the `Content` field)"
    )]
    Legacy,
    /// Valid JSON, but not a valid flow.
    #[error("{}{path}: {message}", block.as_ref().map(|b| format!("block \"{b}\" at ")).unwrap_or_default())]
    Invalid {
        /// The block Identifier, when the problem is inside a block.
        block: Option<String>,
        /// JSON path, e.g. `Actions[3].Parameters.LoopCount`.
        path: String,
        message: String,
    },
}

/// A [`FlowError`] with the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file path, or a label such as `<built-in Vanity_Numbers.json>`.
    pub source: String,
    pub error: FlowError,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source, self.error)
    }
}

impl std::error::Error for LoadError {}
