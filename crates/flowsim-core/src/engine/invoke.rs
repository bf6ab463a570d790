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
    /// What is left of the block's `InvocationTimeLimitSeconds` (all of it on the
    /// first attempt; a retry gets the rest).
    pub time_limit: Duration,
    /// Which attempt this is: 1, then 2 to 4 for Connect's retries.
    pub attempt: u32,
}

/// What a backend reports. Validation of the payload is the engine's job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LambdaOutcome {
    /// The function returned; `payload` is the raw response body (JSON text, unchecked).
    Response { payload: String },
    /// The function ran and failed (`X-Amz-Function-Error`, a thrown error, non-zero exit).
    FunctionError { message: String },
    /// The invocation itself failed (unreachable, throttled, access denied, ...).
    /// `transient`: throttling or a service error (HTTP 429 or 5xx), which Connect
    /// retries; a refusal (permissions, no such function, a setup mistake) is not.
    InvokeError { cause: String, transient: bool },
    /// The function never answers; the block's time limit decides.
    NoAnswer,
}

/// How many times Connect retries a failed synchronous attempt: "When a Lambda
/// invocation returns an error, Amazon Connect retries up to three times, for maximum
/// until timeout specified" (adminguide invoke-lambda-function-block).
pub const LAMBDA_RETRIES: u32 = 3;

/// The error of an attempt that Connect retries, for the trace; `None` when the
/// outcome is final. Retried: the function's error ("returns an error") and a
/// transient invocation error — throttling and "a general service failure (500
/// error)" (same page). Final: a response (valid or not: the function ran and
/// answered), a refused invocation (4xx: it would be refused again), no answer (the
/// time limit is spent).
pub fn retried_error(outcome: &LambdaOutcome) -> Option<String> {
    match outcome {
        LambdaOutcome::FunctionError { message } => Some(format!("function error: {message}")),
        LambdaOutcome::InvokeError {
            cause,
            transient: true,
        } => Some(format!("invocation failed: {cause}")),
        LambdaOutcome::InvokeError { .. }
        | LambdaOutcome::Response { .. }
        | LambdaOutcome::NoAnswer => None,
    }
}
