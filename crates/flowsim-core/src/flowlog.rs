//! Amazon Connect flow logs: the records Connect writes to CloudWatch for each block
//! a contact runs while logging is on, written from a call's trace, read back from
//! the ways users export them, and replayed through the engine.
//!
//! - [`record`]: the record model, the legacy module-type names, the fields the
//!   reference knows;
//! - [`write`]: a call's trace → records (`--flow-logs FILE`);
//! - [`read`]: JSON lines, `aws logs filter-log-events` output, Logs Insights
//!   JSON/CSV exports → the records of one contact, deduplicated and ordered;
//! - [`replay`]: a contact's records → the call's inputs → the engine's path, compared
//!   with production's.
//!
//! Pure like the rest of the core: text in, records and reports out; timestamps
//! come from the call's virtual clock. See `docs/flow-logs.md`.

pub mod read;
pub mod record;
pub mod replay;
pub mod write;

pub use read::{ContactLog, ReadError, contacts, parse_records};
pub use record::{KNOWN_FIELDS, LogRecord, flow_arn, module_type};
pub use replay::{
    Answer, Derived, Divergence, Execution, Feed, ReplayError, ReplayReport, ReplayStep, derive,
    executions, input_block, replay,
};
pub use write::{LogFormat, LoggedBlock, WriteOptions, default_start, render, write_records};
