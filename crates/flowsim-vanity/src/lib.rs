//! flowsim's vanity numbers, pure: no IO, no clock except [`answer::now_ms`], no
//! dependency but serde. Shared by flowsim (`flowsim::vanity` re-exports it) and the
//! deployed Lambdas in `lambdas/`, so there is one generator, not a copy.
//!
//! - [`generate`]: number → ranked vanity numbers.
//! - [`words`]: the embedded SCOWL-derived word list and its keypad index (compiled
//!   in: nothing to load at cold start).
//! - [`ssml`]: what the IVR says.
//! - [`record`]: the call record (the seed's SQS message and DynamoDB item).
//! - [`answer`]: the answer to the seed flow's Invoke Lambda block.

pub mod answer;
pub mod generate;
pub mod record;
pub mod ssml;
pub mod words;

pub use generate::{Generated, InvalidNumber, Number, Part, Vanity, generate};
