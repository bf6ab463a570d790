//! One Lambda invocation as the engine asks for it, and what a backend reports.
//! The engine owns these types; backends (in the `flowsim` crate) depend on them.

use std::time::Duration;

/// One invocation, as Connect would make it.
#[derive(Clone, Debug)]
pub struct LambdaRequest {
    /// The ARN (or bare name) as written in the flow, references resolved.
    pub function_arn: String,
    /// The function name: the last segment of the ARN (a `:qualifier` removed).
    pub function_name: String,
    /// The event Connect sends (`{"Details": {...}, "Name": "ContactFlowEvent"}`).
    pub event: serde_json::Value,
    /// The block's `InvocationTimeLimitSeconds`.
    pub time_limit: Duration,
}

/// What a backend reports. Validation of the payload is the engine's job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LambdaOutcome {
    /// The function returned; `payload` is the raw response body (JSON text, unchecked).
    Response { payload: String },
    /// The function ran and failed (`X-Amz-Function-Error`, a thrown error, non-zero exit).
    FunctionError { message: String },
    /// The invocation itself failed (unreachable, throttled, access denied, ...).
    InvokeError { cause: String },
    /// The function never answers; the block's time limit decides.
    NoAnswer,
}
