//! The flow engine: pure and deterministic.
//!
//! The engine may not do IO, read a clock, or touch tokio. It is driven from
//! outside: [`Engine::handle`] takes an [`Input`] and the current [`SimTime`] and
//! returns [`Effect`]s — trace events to show, and Lambda invocations for the
//! driver to fulfil. [`Engine::next_deadline`] says when the engine wants a
//! [`Input::Tick`] if nothing else happens (input timeouts, the inter-digit limit,
//! Lambda time limits). The TUI (real time) and the headless runner (virtual time)
//! drive this one engine, so they share one semantics.
//!
//! Flow errors are data, not `Err`: a timeout, a failed Lambda, a key that matches
//! no condition are Connect branches, chosen here and reported as trace events.

mod contact;
mod core;
mod invoke;
mod lambda_io;
mod reach;
pub mod refs;
mod time;
mod trace;
pub mod voices;

pub use contact::{Contact, INSTANCE_ARN, Resolved};
pub use core::{
    CallConfig, DEFAULT_AGENT_HOLD_FLOW, DEFAULT_CALLER, DEFAULT_CUSTOMER_HOLD_FLOW,
    DEFAULT_DIALED, DEFAULT_HOLD_SECS, DEFAULT_QUEUE_FLOW, Effect, Engine, Input, LambdaCall,
    MASKED_KEY, MAX_QUEUE_TRANSFERS, OutcomeChoice, QueueInfo, Status, function_name, mask,
};
pub use invoke::{
    LAMBDA_RETRIES, LambdaOutcome, LambdaRequest, LexAnswer, LexCall, LexOutcome, LexRequest,
    retried_error,
};
pub use lambda_io::{MAX_RESPONSE_BYTES, build_event, validate_response};
pub use reach::{DeadBranch, dead_branches, dead_branches_in};
pub use time::SimTime;
pub use trace::{
    AttributeScope, BlockRef, EndReason, InputMode, PromptKind, TraceEvent, TraceKind, waited,
};
