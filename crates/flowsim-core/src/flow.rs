//! Flow files: parse the flow-language JSON, validate it into a [`Flow`], and build
//! the block graph.
//!
//! `parse` works on a `serde_json::Value` rather than derived structs so that every
//! error can name the block Identifier and the JSON path it came from, and so the
//! console's loose typing (`"5"` for 5, `"True"` for true) is accepted in one place.

mod error;
mod graph;
mod model;
mod parse;
mod set;

pub use error::{FlowError, LoadError};
pub use graph::{Branch, FlowGraph};
pub use model::{
    Block, BlockIdx, CondBranch, ErrorBranch, Flow, Kind, LambdaResponseType, Operator,
    PhoneFormat, Prompt, Validation,
};
pub use parse::{MAX_FLOW_BYTES, load_file, parse_str, wrapped_content};
pub use set::FlowSet;
