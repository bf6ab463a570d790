//! The trace: everything that happened in a call, in order, as plain data.
//!
//! `flowsim run --json` prints one [`TraceEvent`] per line; the TUI, the test
//! runner, coverage and the recording writer all read the same events.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::time::SimTime;

/// One thing that happened, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Milliseconds since the call started.
    pub at: SimTime,
    #[serde(flatten)]
    pub kind: TraceKind,
}

/// Where in which flow a block is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRef {
    pub flow: String,
    /// The block Identifier.
    pub id: String,
    /// Its display label (identifier when readable, else `Type 1a2b3c4d`).
    pub label: String,
}

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "end", rename_all = "snake_case")]
pub enum EndReason {
    /// A DisconnectParticipant block, or the flow ran out of transitions before a
    /// transfer (Connect then ends the contact).
    Disconnected { detail: String },
    /// The caller hung up.
    Hangup,
    /// The call reached the queue and the simulation stopped there (kept for
    /// traces of earlier versions; a call now waits in its queue: see `Agent`).
    Queued { queue: String },
    /// An agent answered after `waited_ms` in `queue` (the whisper flows ran).
    Agent { queue: String, waited_ms: u64 },
    /// The caller hung up while waiting in `queue`.
    Abandoned { queue: String, waited_ms: u64 },
    /// The call ended with a callback queued (CreateCallbackContact) in `queue` for
    /// `number`; `waited_ms` in queue before, when the contact was in one.
    Callback {
        queue: String,
        number: String,
        waited_ms: Option<u64>,
    },
    /// EndFlowExecution (or a flow module ended with no caller).
    Ended { detail: String },
    /// The step budget ran out: a runaway loop.
    Budget { steps: u32 },
    /// `--strict` stopped the call at an unsupported block.
    Stopped { detail: String },
}

impl EndReason {
    /// The keyword `.call` scripts use: `disconnected`, `hangup`, `queue`, `agent`,
    /// `abandoned`, `callback`, `ended`, `budget`, `stopped`.
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::Disconnected { .. } => "disconnected",
            Self::Hangup => "hangup",
            Self::Queued { .. } => "queue",
            Self::Agent { .. } => "agent",
            Self::Abandoned { .. } => "abandoned",
            Self::Callback { .. } => "callback",
            Self::Ended { .. } => "ended",
            Self::Budget { .. } => "budget",
            Self::Stopped { .. } => "stopped",
        }
    }

    /// The queue the call reached, when it reached one.
    pub fn queue(&self) -> Option<&str> {
        match self {
            Self::Queued { queue }
            | Self::Agent { queue, .. }
            | Self::Abandoned { queue, .. }
            | Self::Callback { queue, .. } => Some(queue),
            _ => None,
        }
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        match self {
            Self::Disconnected { detail } => format!("disconnected ({detail})"),
            Self::Hangup => "caller hung up".into(),
            Self::Queued { queue } => format!("queued in {queue}"),
            Self::Agent { queue, waited_ms } => {
                format!("connected to agent in {queue} after {}", waited(*waited_ms))
            }
            Self::Abandoned { queue, waited_ms } => {
                format!("abandoned in {queue} after {}", waited(*waited_ms))
            }
            Self::Callback {
                queue,
                number,
                waited_ms,
            } => match waited_ms {
                Some(ms) => format!(
                    "callback queued in {queue} for {number} after {} in queue",
                    waited(*ms)
                ),
                None => format!("callback queued in {queue} for {number}"),
            },
            Self::Ended { detail } => format!("ended ({detail})"),
            Self::Budget { steps } => {
                format!(
                    "stopped after {steps} blocks: step budget exhausted (a loop with no way out?)"
                )
            }
            Self::Stopped { detail } => format!("stopped: {detail}"),
        }
    }
}

/// A time in queue as people say it: `45 s`, `2 min 10 s`, `1 h 5 min`.
pub fn waited(ms: u64) -> String {
    let s = ms / 1000;
    match (s / 3600, (s / 60) % 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// What an input block waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputMode {
    /// Get customer input: one key chooses a branch.
    Menu,
    /// Store customer input: digits until the terminator, a maximum or a timeout.
    Store,
    /// A Lex bot: an utterance (or DTMF).
    Lex,
}

impl InputMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Menu => "menu",
            Self::Store => "store",
            Self::Lex => "lex",
        }
    }

    /// What the caller is asked for: `a key`, `digits`, `an utterance`.
    pub fn awaited(self) -> &'static str {
        match self {
            Self::Menu => "a key",
            Self::Store => "digits",
            Self::Lex => "an utterance",
        }
    }
}

/// Which attributes an UpdateContactAttributes / UpdateFlowAttributes block set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeScope {
    /// `$.Attributes`: the contact's user-defined attributes.
    Contact,
    /// `$.FlowAttributes`: this flow's only.
    Flow,
}

impl AttributeScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Flow => "flow",
        }
    }

    /// The namespace a flow reads them from.
    pub fn namespace(self) -> &'static str {
        match self {
            Self::Contact => "Attributes",
            Self::Flow => "FlowAttributes",
        }
    }
}

/// What kind of prompt was played.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptKind {
    Text,
    Ssml,
    PromptId,
    Media,
}

/// The events of a call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceKind {
    CallStarted {
        flow: String,
        caller: String,
        dialed: String,
        contact_id: String,
    },
    BlockStarted {
        block: BlockRef,
        #[serde(rename = "type")]
        type_name: String,
        step: u32,
    },
    /// The IVR said something (rendered text).
    Prompt {
        block: BlockRef,
        text: String,
        kind: PromptKind,
        /// The SSML or text as sent, references resolved.
        source: String,
        /// How long it takes to say (an estimate: see `ssml::spoken_ms`); the call
        /// stands at this prompt until `at + duration_ms`.
        #[serde(default)]
        duration_ms: u64,
    },
    /// The call waits for the caller: keys (`menu`/`store`) or an utterance (`lex`).
    InputRequested {
        block: BlockRef,
        mode: InputMode,
        timeout_ms: u64,
    },
    /// The caller pressed a key.
    Key {
        key: char,
    },
    /// A key went into the touchtone buffer (touchtone buffering is on): the next
    /// Get / Store customer input takes it. `buffer` is what it holds now.
    KeyBuffered {
        key: char,
        buffer: String,
    },
    /// An input block took a key from the touchtone buffer.
    KeyUsed {
        block: BlockRef,
        key: char,
    },
    /// A key Connect does not capture: pressed during a Play prompt, or while no
    /// input block waits, with touchtone buffering off (or the buffer full).
    KeyDropped {
        key: char,
        reason: String,
    },
    /// The caller let the input time out (`silence`) or said an intent.
    Silence,
    Utterance {
        text: String,
    },
    /// Store mode collected a value (`"Timeout"` when nothing was typed).
    InputStored {
        block: BlockRef,
        value: String,
    },
    BranchTaken {
        block: BlockRef,
        /// `Next`, `= 1`, `NoMatchingError`, …
        branch: String,
        /// Why, e.g. `$.Attributes.LambdaError = "false"`.
        reason: String,
        /// The block it leads to; `None` ends the flow.
        target: Option<BlockRef>,
        /// The value the block's conditions were tested against (a Check contact
        /// attributes block's resolved value, `True`/`False` of a hours check, a
        /// roll, a metric), when it has conditions: flow logs write it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<String>,
    },
    AttributeSet {
        scope: AttributeScope,
        key: String,
        value: String,
    },
    /// Contact data changed: voice, queue, recording, language, logging.
    ContactUpdated {
        field: String,
        value: String,
    },
    LambdaInvoked {
        block: BlockRef,
        call: u64,
        function: String,
        time_limit_ms: u64,
        response_type: String,
        /// The exact event sent to the function.
        request: Value,
    },
    /// The driver's view: which backend answered and how long it took.
    LambdaBackend {
        call: u64,
        function: String,
        backend: String,
        duration_ms: u64,
        outcome: String,
    },
    /// What the function logged (a local program's stderr).
    LambdaLog {
        call: u64,
        function: String,
        text: String,
    },
    /// The engine's view: the response after Connect's validation.
    LambdaResult {
        block: BlockRef,
        call: u64,
        ok: bool,
        /// `valid JSON response`, `function error: …`, `no answer within 8 s`, …
        detail: String,
        /// The response as `$.External` now holds it (when valid).
        response: Option<Value>,
        /// The raw payload when it was refused.
        raw: Option<String>,
        duration_ms: u64,
    },
    /// An attempt of a synchronous invocation failed with an error Connect retries;
    /// the next attempt (same `call`) follows at once.
    LambdaRetry {
        block: BlockRef,
        call: u64,
        /// The attempt that failed (1 = the first).
        attempt: u32,
        /// `function error: …`, `invocation failed: …`.
        error: String,
        /// What is left of the block's time limit for the next attempt.
        left_ms: u64,
    },
    FlowChanged {
        from: String,
        to: String,
        how: String,
    },
    Warning {
        block: Option<BlockRef>,
        message: String,
    },
    /// A Lex bot heard an utterance: what it understood.
    LexRecognized {
        block: BlockRef,
        bot: String,
        utterance: String,
        intent: String,
        confidence: f64,
        slots: indexmap::IndexMap<String, String>,
        /// Other intents, best first, with their scores.
        alternatives: Vec<(String, f64)>,
    },
    /// An outcome the environment did not set: the default used, and the setting
    /// that changes it.
    EnvironmentDefault {
        block: BlockRef,
        setting: String,
        outcome: String,
    },
    /// The contact joined a queue (TransferContactToQueue, or a queue-to-queue
    /// transfer): where it stands and when an agent answers (`None`: never).
    QueueEntered {
        queue: String,
        position: u32,
        agents_available: u32,
        answer_after_ms: Option<u64>,
    },
    /// An agent answered after `waited_ms` in `queue`; the whisper flows run next.
    AgentAnswered {
        queue: String,
        waited_ms: u64,
    },
    /// The agent put the caller on hold (after answering): the agent hold flow
    /// runs for the agent, the customer hold flow for the caller. `for_ms`: how long
    /// the hold lasts (`None`: until the agent takes the caller off hold).
    HoldStarted {
        queue: String,
        for_ms: Option<u64>,
    },
    /// The caller is off hold after `held_ms`; the call goes on with the agent.
    HoldEnded {
        queue: String,
        held_ms: u64,
    },
    Ended {
        reason: EndReason,
    },
}
