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

/// One RecognizeText turn for a bot answered outside the engine (`aws` /
/// `aws:ALIAS_ARN`): the driver sends it and answers with
/// [`Input::LexDone`](crate::engine::Input::LexDone).
#[derive(Clone, Debug, PartialEq)]
pub struct LexRequest {
    /// The bot as the block names it (alias ARN, references resolved), or the
    /// mapping's `aws:ALIAS_ARN` when it gives one.
    pub alias_arn: String,
    /// The contact's language (`$.LanguageCode`, `en_US` when unset).
    pub locale_id: String,
    /// One session per call: the contact id, as Connect uses it.
    pub session_id: String,
    /// What the caller said (or the keys pressed).
    pub text: String,
    /// The block's `LexSessionAttributes`, then what the bot returned on earlier turns.
    pub session_attributes: indexmap::IndexMap<String, String>,
    /// What Connect adds: `x-amz-lex:channels:platform`, and
    /// `x-amz-lex:dtmf-transcript` for keys.
    pub request_attributes: indexmap::IndexMap<String, String>,
    /// How long the engine waits for the answer.
    pub time_limit: Duration,
}

/// A [`LexRequest`] with the id its answer must carry.
#[derive(Clone, Debug, PartialEq)]
pub struct LexCall {
    pub call: u64,
    pub request: LexRequest,
}

/// What a live bot answered.
#[derive(Clone, Debug, PartialEq)]
pub enum LexOutcome {
    /// The bot answered one turn.
    Answer(Box<LexAnswer>),
    /// The request failed (unreachable, access denied, no such bot): the block's
    /// error branch.
    Failed { cause: String },
}

/// One RecognizeText response, as the flow needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct LexAnswer {
    /// The top interpretation (`sessionState.intent`), its slots' interpreted
    /// values, and the other interpretations.
    pub recognition: crate::lex::Recognition,
    /// `dialogAction.type == ElicitSlot`: the slot the bot asks for next.
    pub elicit: Option<String>,
    /// The bot's messages, joined (spoken to the caller).
    pub message: Option<String>,
    /// `intent.state` (`Fulfilled`, `ReadyForFulfillment`, `InProgress`, `Failed`…).
    pub intent_state: Option<String>,
    /// `sessionState.sessionAttributes` as returned.
    pub session_attributes: indexmap::IndexMap<String, String>,
    /// The top interpretation's sentiment: label and (positive, negative, neutral,
    /// mixed) scores.
    pub sentiment: Option<(String, [f64; 4])>,
}
