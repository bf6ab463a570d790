//! The test-case model: what every accepted spelling of the testing language means.

use indexmap::IndexMap;
use serde_json::Value;

/// The `Version` the live service publishes (and the exporter writes).
pub const VERSION: &str = "2019-10-30";
/// The `Version` of the launch-era API reference pages (accepted on import).
pub const VERSION_2025: &str = "2025-06-21";

/// One test case: its entry point, initial data and document.
#[derive(Clone, Debug, PartialEq)]
pub struct TestCase {
    pub name: String,
    pub description: Option<String>,
    pub entry: EntryPoint,
    pub init: InitData,
    pub doc: Document,
}

/// `EntryPoint`: the channel, the flow, the numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryPoint {
    /// `CHAT` (else `VOICE_CALL`).
    pub chat: bool,
    pub flow_id: Option<String>,
    /// `SourcePhoneNumber`: the caller, `$.CustomerEndpoint.Address`.
    pub source: Option<String>,
    /// `DestinationPhoneNumber`: the dialled number, `$.SystemEndpoint.Address`.
    pub destination: Option<String>,
}

/// `InitializationData`: `{"Attributes": {…}, "SegmentAttributes": {…}}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InitData {
    pub attributes: IndexMap<String, String>,
    pub segment_attributes: serde_json::Map<String, Value>,
}

/// The testing-language document (`Content`).
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub version: String,
    /// Kept as written (round trips), never read.
    pub metadata: Value,
    pub observations: Vec<Observation>,
}

/// An interaction group: one event to wait for, what to do then, what to arm next.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub id: String,
    pub event: Event,
    /// In run order (the `NextAction` chain from the first).
    pub actions: Vec<Action>,
    pub usage: Usage,
    /// `Transitions.NextObservations` (or the docs' `NextActions` typo).
    pub next: Vec<String>,
}

/// `Usage`: how often the event must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// `EXACTLY` (the default: once).
    Exactly(u32),
    /// `ANY`: at least once.
    Any,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: String,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    TestInitiated,
    TestCompleted,
    MessageReceived {
        expected: Expected,
        criteria: Criteria,
        /// A `Threshold` key (no documented basis; an offline hint).
        threshold: Option<f64>,
    },
    FlowActionStarted(FlowAction),
    /// The console's "Action completed" (JSON name unconfirmed): kept, reported as
    /// unsupported.
    Unknown(String),
}

/// What a `MessageReceived` expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    Text(String),
    Ssml(String),
    PromptId(String),
    /// `Media.Uri`.
    Media(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Criteria {
    /// "Similar": a score over a threshold ([`crate::testcase::matcher`]).
    Similarity,
    /// "Contains": the expected text inside the prompt.
    Inclusion,
}

impl Criteria {
    pub fn name(self) -> &'static str {
        match self {
            Self::Similarity => "Similarity",
            Self::Inclusion => "Inclusion",
        }
    }
}

/// A flow action named by a `FlowActionStarted` event or an override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowAction {
    /// `InvokeLambdaFunction` `LambdaFunctionARN`.
    Lambda(String),
    /// `CheckHoursOfOperation` `HoursOfOperationId`.
    Hours(String),
    /// `TransferContactToQueue` `QueueId` (and `AgentId`).
    Queue {
        queue: String,
        agent: Option<String>,
    },
    /// `DequeueAndTransferToQueue` `QueueId`.
    Dequeue(String),
    /// `ConnectParticipantWithLexBot` `LexV2Bot.AliasArn`.
    LexBot(String),
}

impl FlowAction {
    /// The flow-language action type.
    pub fn action_type(&self) -> &'static str {
        match self {
            Self::Lambda(_) => "InvokeLambdaFunction",
            Self::Hours(_) => "CheckHoursOfOperation",
            Self::Queue { .. } => "TransferContactToQueue",
            Self::Dequeue(_) => "DequeueAndTransferToQueue",
            Self::LexBot(_) => "ConnectParticipantWithLexBot",
        }
    }

    /// The resource it names (ARN, id or name; may be empty: any).
    pub fn resource(&self) -> &str {
        match self {
            Self::Lambda(r) | Self::Hours(r) | Self::Dequeue(r) | Self::LexBot(r) => r,
            Self::Queue { queue, .. } => queue,
        }
    }

    /// `Type(resource)` for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.action_type(), self.resource())
    }
}

/// Two resource names are the same resource: equal, or the same last ARN segment
/// (`…:function:vanity-numbers` and `vanity-numbers`). An empty name matches any.
pub fn same_resource(a: &str, b: &str) -> bool {
    let last = |s: &str| {
        let s = s.trim();
        let s = s.rsplit('/').next().unwrap_or(s);
        s.rsplit(':').next().unwrap_or(s).to_owned()
    };
    a.trim().is_empty()
        || b.trim().is_empty()
        || a.trim() == b.trim()
        || last(a).eq_ignore_ascii_case(&last(b))
}

#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub id: String,
    pub kind: ActionKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    /// `SendInstruction` `DtmfInput`: the keys, one sequence.
    Dtmf(String),
    /// `SendInstruction` `TextUtterance` (also `Utterance`, `TextInput`).
    Utterance {
        text: String,
        language: Option<String>,
    },
    /// `SendInstruction` `Disconnect`: the customer hangs up.
    Disconnect,
    /// `OverrideSystemBehavior`: single use, first in first out per resource.
    Override {
        target: FlowAction,
        strategy: Strategy,
    },
    Assert {
        path: String,
        op: Operator,
        operand: Option<String>,
    },
    EndTest,
    /// `LogData` `Expressions`: label → text with `$.` paths.
    LogData(IndexMap<String, String>),
}

/// An override's strategy.
#[derive(Clone, Debug, PartialEq)]
pub enum Strategy {
    /// `SubstituteResource` `SubstituteArn`.
    Substitute(String),
    /// `MockResponse` `ExecutionResult`.
    Result {
        delay_secs: f64,
        /// `LoadedData` (a Lambda's response as JSON text).
        loaded_data: Option<String>,
        /// `Value` (`InHours` / `OutOfHours` for hours).
        value: Option<String>,
    },
    /// `MockResponse` `Error`: `TimeLimitExceeded`, `NoMatchingError`, `QueueAtCapacity`.
    Error { value: String, delay_secs: f64 },
}

/// The `Assert` operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Equals,
    TextStartsWith,
    TextEndsWith,
    TextContains,
    NumberGreaterThan,
    NumberGreaterOrEqualTo,
    NumberLessThan,
    NumberLessOrEqualTo,
    Exists,
}

impl Operator {
    pub const ALL: [Operator; 9] = [
        Self::Equals,
        Self::TextStartsWith,
        Self::TextEndsWith,
        Self::TextContains,
        Self::NumberGreaterThan,
        Self::NumberGreaterOrEqualTo,
        Self::NumberLessThan,
        Self::NumberLessOrEqualTo,
        Self::Exists,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Equals => "Equals",
            Self::TextStartsWith => "TextStartsWith",
            Self::TextEndsWith => "TextEndsWith",
            Self::TextContains => "TextContains",
            Self::NumberGreaterThan => "NumberGreaterThan",
            Self::NumberGreaterOrEqualTo => "NumberGreaterOrEqualTo",
            Self::NumberLessThan => "NumberLessThan",
            Self::NumberLessOrEqualTo => "NumberLessOrEqualTo",
            Self::Exists => "Exists",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(s.trim()))
    }
}
