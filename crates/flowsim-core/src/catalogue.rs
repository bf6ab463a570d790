//! The action catalogue: every action `Type` of Connect's flow language, once.
//!
//! Each row gives a type's console block, its known parameters, the error types it
//! can raise, the flow types and channels it may appear in, and its traits (waits for
//! the caller, ends the flow, raises no error). The parser
//! ([`crate::flow`]), the engine's reach rules, the linter ([`crate::check`]) and
//! `docs/actions.md` ([`markdown`]) all read it. A type the catalogue does not know is
//! one that Connect does not have.
//!
//! Sources: `reference/flow-language.md` and `reference/actions-environment.md` (the
//! developer guide's four category pages, admin-guide block pages, and every `Type`
//! in the 223 real exports of the corpus).

use std::fmt;

pub mod outcomes;

/// The error types an action may raise (`Transitions.Errors[].ErrorType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorType {
    NoMatchingError,
    NoMatchingCondition,
    InputTimeLimitExceeded,
    InvalidPhoneNumber,
    QueueAtCapacity,
    CallFailed,
    ConnectionTimeLimitExceeded,
    TimeLimitExceeded,
    ParticipantNotFound,
    ContactNotLinked,
    MultipleFound,
    NoneFound,
    MultipleFoundError,
    NoneFoundError,
    InvalidCallbackNumber,
    CallbackNumberNotDialable,
    ChannelMismatch,
    InFlightRedactionConfigurationFailed,
    TemplateRenderingError,
}

impl ErrorType {
    pub const ALL: [ErrorType; 19] = [
        Self::NoMatchingError,
        Self::NoMatchingCondition,
        Self::InputTimeLimitExceeded,
        Self::InvalidPhoneNumber,
        Self::QueueAtCapacity,
        Self::CallFailed,
        Self::ConnectionTimeLimitExceeded,
        Self::TimeLimitExceeded,
        Self::ParticipantNotFound,
        Self::ContactNotLinked,
        Self::MultipleFound,
        Self::NoneFound,
        Self::MultipleFoundError,
        Self::NoneFoundError,
        Self::InvalidCallbackNumber,
        Self::CallbackNumberNotDialable,
        Self::ChannelMismatch,
        Self::InFlightRedactionConfigurationFailed,
        Self::TemplateRenderingError,
    ];

    /// The name as the flow language writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoMatchingError => "NoMatchingError",
            Self::NoMatchingCondition => "NoMatchingCondition",
            Self::InputTimeLimitExceeded => "InputTimeLimitExceeded",
            Self::InvalidPhoneNumber => "InvalidPhoneNumber",
            Self::QueueAtCapacity => "QueueAtCapacity",
            Self::CallFailed => "CallFailed",
            Self::ConnectionTimeLimitExceeded => "ConnectionTimeLimitExceeded",
            Self::TimeLimitExceeded => "TimeLimitExceeded",
            Self::ParticipantNotFound => "ParticipantNotFound",
            Self::ContactNotLinked => "ContactNotLinked",
            Self::MultipleFound => "MultipleFound",
            Self::NoneFound => "NoneFound",
            Self::MultipleFoundError => "MultipleFoundError",
            Self::NoneFoundError => "NoneFoundError",
            Self::InvalidCallbackNumber => "InvalidCallbackNumber",
            Self::CallbackNumberNotDialable => "CallbackNumberNotDialable",
            Self::ChannelMismatch => "ChannelMismatch",
            Self::InFlightRedactionConfigurationFailed => "InFlightRedactionConfigurationFailed",
            Self::TemplateRenderingError => "TemplateRenderingError",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Flow types (`Metadata.type`, compared without case, `_` or `-`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlowType {
    ContactFlow,
    CustomerQueue,
    CustomerHold,
    CustomerWhisper,
    AgentHold,
    AgentWhisper,
    OutboundWhisper,
    AgentTransfer,
    QueueTransfer,
    ContactFlowModule,
    /// Disconnect flows (`Metadata.type` is `contactFlow`; named for the docs only).
    Disconnect,
}

impl FlowType {
    /// The type as exports write it in `Metadata.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContactFlow => "contactFlow",
            Self::CustomerQueue => "customerQueue",
            Self::CustomerHold => "customerHold",
            Self::CustomerWhisper => "customerWhisper",
            Self::AgentHold => "agentHold",
            Self::AgentWhisper => "agentWhisper",
            Self::OutboundWhisper => "outboundWhisper",
            Self::AgentTransfer => "agentTransfer",
            Self::QueueTransfer => "queueTransfer",
            Self::ContactFlowModule => "contactFlowModule",
            Self::Disconnect => "disconnect",
        }
    }

    /// Parse `Metadata.type` (`contactFlow`, `CUSTOMER_QUEUE`, `customer-queue`, …).
    pub fn parse(s: &str) -> Option<Self> {
        let norm = s.replace(['_', '-'], "").to_ascii_lowercase();
        [
            Self::ContactFlow,
            Self::CustomerQueue,
            Self::CustomerHold,
            Self::CustomerWhisper,
            Self::AgentHold,
            Self::AgentWhisper,
            Self::OutboundWhisper,
            Self::AgentTransfer,
            Self::QueueTransfer,
            Self::ContactFlowModule,
        ]
        .into_iter()
        .find(|t| t.as_str().to_ascii_lowercase() == norm)
    }
}

/// Where an action may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flows {
    Any,
    Only(&'static [FlowType], &'static str),
    Not(&'static [FlowType], &'static str),
}

impl Flows {
    /// Whether the action is allowed in a flow of type `t`.
    pub fn allows(self, t: FlowType) -> bool {
        match self {
            Self::Any => true,
            Self::Only(list, _) => list.contains(&t),
            Self::Not(list, _) => !list.contains(&t),
        }
    }

    /// How the rule reads in a message: "allowed only in customer-queue flows".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Any => "allowed in every flow type",
            Self::Only(_, d) | Self::Not(_, d) => d,
        }
    }
}

/// Contact channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Voice,
    Chat,
    Task,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Voice => "VOICE",
            Self::Chat => "CHAT",
            Self::Task => "TASK",
            Self::Email => "EMAIL",
        }
    }
}

/// The channels an action works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channels {
    All,
    Only(&'static [Channel]),
}

/// The parameters an action takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Params {
    /// Exactly these top-level keys are known (unknown ones are reported).
    Known(&'static [&'static str]),
    /// Not yet listed: keys are not checked.
    Unlisted,
}

impl Params {
    pub fn known(self) -> Option<&'static [&'static str]> {
        match self {
            Self::Known(k) => Some(k),
            Self::Unlisted => None,
        }
    }
}

/// Console categories (the developer guide's four pages, and `X` for the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Participant,
    FlowControl,
    Contact,
    Interaction,
    Other,
}

/// One row of the catalogue.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub action: ActionType,
    /// The `Type` as the flow language writes it.
    pub name: &'static str,
    /// Other spellings Connect accepts for the same action.
    pub aliases: &'static [&'static str],
    /// The console block.
    pub block: &'static str,
    pub category: Category,
    pub params: Params,
    /// Parameters an export must carry (else `check` reports FS120; a draft loads and
    /// the block fails at run time).
    pub required: &'static [&'static str],
    pub errors: &'static [ErrorType],
    pub flows: Flows,
    pub channels: Channels,
    /// The caller is waited for (so a cycle through it is not a busy loop).
    pub waits: bool,
    /// The flow ends here on success (`NextAction` is not used).
    pub ends_flow: bool,
    /// The action never raises an error as flowsim runs it.
    pub raises_no_error: bool,
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal {
        block: $block:literal,
        cat: $cat:ident,
        $(aliases: [$($alias:literal),*],)?
        params: $params:expr,
        $(required: [$($req:literal),*],)?
        errors: [$($err:ident),*],
        $(flows: $flows:expr,)?
        $(channels: $channels:expr,)?
        traits: [$($t:ident), *] $(,)?
    } )* ) => {
        /// Every action type of the flow language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ActionType { $( $(#[$doc])* $variant, )* }

        impl ActionType {
            /// Every type, in catalogue order.
            pub const ALL: &'static [ActionType] = &[ $( ActionType::$variant, )* ];

            /// The catalogue row.
            pub fn spec(self) -> &'static Spec {
                match self { $( ActionType::$variant => {
                    const S: Spec = Spec {
                        action: ActionType::$variant,
                        name: $name,
                        aliases: &[$($($alias),*)?],
                        block: $block,
                        category: Category::$cat,
                        params: $params,
                        required: &[$($($req),*)?],
                        errors: &[$(ErrorType::$err),*],
                        flows: catalogue!(@or Flows::Any $(, $flows)?),
                        channels: catalogue!(@or Channels::All $(, $channels)?),
                        waits: catalogue!(@has waits $($t)*),
                        ends_flow: catalogue!(@has ends $($t)*),
                        raises_no_error: catalogue!(@has no_error $($t)*),
                    };
                    &S
                } )* }
            }
        }
    };
    (@or $default:expr) => { $default };
    (@or $default:expr, $given:expr) => { $given };
    (@has $want:ident) => { false };
    (@has waits waits $($rest:ident)*) => { true };
    (@has ends ends $($rest:ident)*) => { true };
    (@has no_error no_error $($rest:ident)*) => { true };
    (@has $want:ident $other:ident $($rest:ident)*) => { catalogue!(@has $want $($rest)*) };
}

use FlowType as F;

const QUEUE_FLOW: &[FlowType] = &[F::CustomerQueue];
const INBOUND_AND_QUEUE: &[FlowType] = &[
    F::ContactFlow,
    F::AgentTransfer,
    F::QueueTransfer,
    F::CustomerQueue,
    F::ContactFlowModule,
];
const INBOUND: &[FlowType] = &[F::ContactFlow, F::ContactFlowModule];
const INBOUND_TRANSFER: &[FlowType] = &[
    F::ContactFlow,
    F::AgentTransfer,
    F::QueueTransfer,
    F::ContactFlowModule,
];
const HOLD: &[FlowType] = &[F::CustomerHold, F::AgentHold];
const CHAT_ONLY: Channels = Channels::Only(&[Channel::Chat]);
const VOICE_ONLY: Channels = Channels::Only(&[Channel::Voice]);

catalogue! {
    // ---- participant actions ------------------------------------------------------
    MessageParticipant = "MessageParticipant" {
        block: "Play prompt", cat: Participant,
        // SkipWhenDTMFBufferEnabled: console exports (19 in the corpus); TextToSpeechType: one
        // corpus flow.
        params: Params::Known(&["Text", "SSML", "PromptId", "Media",
            "SkipWhenDTMFBufferEnabled", "TextToSpeechType"]),
        errors: [NoMatchingError],
        flows: Flows::Not(HOLD, "not allowed in hold flows (use Loop prompts)"),
        traits: [],
    }
    GetParticipantInput = "GetParticipantInput" {
        block: "Get customer input / Store customer input", cat: Participant,
        // EnableDTMFBuffer: the console's "Set Touchtone Buffer Behavior". MaxDigits, Timeout,
        // InputType: one
        // hand-written corpus flow (undocumented; kept so `check` stays quiet on it).
        params: Params::Known(&["Text", "SSML", "PromptId", "Media", "InputTimeLimitSeconds",
            "StoreInput", "InputValidation", "InputEncryption", "DTMFConfiguration",
            "EnableDTMFBuffer", "MaxDigits", "Timeout", "InputType"]),
        errors: [NoMatchingError, NoMatchingCondition, InputTimeLimitExceeded, InvalidPhoneNumber],
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows"),
        traits: [waits],
    }
    ConnectParticipantWithLexBot = "ConnectParticipantWithLexBot" {
        block: "Get customer input (Lex)", cat: Participant,
        // BotName, BotAlias, BotRegion: one hand-written corpus flow (undocumented).
        params: Params::Known(&["Text", "SSML", "PromptId", "Media", "LexV2Bot", "LexBot",
            "LexSessionAttributes", "LexInitializationData", "LexTimeoutSeconds", "BotName",
            "BotAlias", "BotRegion"]),
        errors: [NoMatchingError, NoMatchingCondition, InputTimeLimitExceeded],
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows"),
        traits: [waits],
    }
    DisconnectParticipant = "DisconnectParticipant" {
        block: "Disconnect / hang up", cat: Participant,
        params: Params::Known(&[]),
        errors: [],
        traits: [ends, no_error],
    }
    MessageParticipantIteratively = "MessageParticipantIteratively" {
        block: "Loop prompts", cat: Participant,
        // ContinueMessagingDuringInterrupt: console exports (undocumented).
        params: Params::Known(&["Messages", "InterruptFrequencySeconds",
            "ContinueMessagingDuringInterrupt"]),
        required: ["Messages"],
        errors: [NoMatchingError],
        flows: Flows::Only(&[F::CustomerQueue, F::CustomerHold, F::AgentHold],
            "allowed only in customer-queue and hold flows"),
        traits: [waits, ends],
    }
    ShowView = "ShowView" {
        block: "Show view", cat: Participant,
        params: Params::Known(&["ViewResource", "InvocationTimeLimitSeconds", "ViewData",
            "SensitiveDataConfiguration"]),
        required: ["ViewResource", "InvocationTimeLimitSeconds"],
        errors: [NoMatchingError, NoMatchingCondition, TimeLimitExceeded],
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows"),
        channels: CHAT_ONLY,
        traits: [],
    }
    TransferParticipantToThirdParty = "TransferParticipantToThirdParty" {
        block: "Transfer to phone number", cat: Participant,
        params: Params::Known(&["ThirdPartyPhoneNumber", "ThirdPartyConnectionTimeLimitSeconds",
            "ThirdPartyConnectionTimeoutSeconds", "ContinueFlowExecution",
            "ThirdPartyDTMFDigits", "CallerId", "VoiceConnector"]),
        errors: [CallFailed, ConnectionTimeLimitExceeded, NoMatchingError],
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows"),
        channels: VOICE_ONLY,
        traits: [],
    }
    AuthenticateParticipant = "AuthenticateParticipant" {
        block: "Authenticate Customer", cat: Other,
        params: Params::Known(&["CognitoConfiguration", "CustomerProfilesConfiguration",
            "TimeLimitMinutes"]),
        errors: [TimeLimitExceeded, NoMatchingError],
        flows: Flows::Only(INBOUND, "allowed only in inbound flows"),
        channels: CHAT_ONLY,
        traits: [],
    }
    ConnectParticipantWithAgenticCX = "ConnectParticipantWithAgenticCX" {
        block: "Agentic CX (AI agent)", cat: Other,
        // Parameters UNCONFIRMED (no page, no export): keys are not checked.
        params: Params::Unlisted,
        errors: [NoMatchingError],
        traits: [],
    }

    // ---- flow control -------------------------------------------------------------
    CheckHoursOfOperation = "CheckHoursOfOperation" {
        block: "Check hours of operation", cat: FlowControl,
        params: Params::Known(&["HoursOfOperationId"]),
        errors: [NoMatchingError],
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows (not whisper or hold)"),
        traits: [],
    }
    CheckMetricData = "CheckMetricData" {
        block: "Check staffing / Check queue status", cat: FlowControl,
        params: Params::Known(&["MetricType", "QueueId", "AgentId"]),
        required: ["MetricType"],
        errors: [NoMatchingCondition, NoMatchingError],
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows (not whisper or hold)"),
        traits: [],
    }
    CheckOutboundCallStatus = "CheckOutboundCallStatus" {
        block: "Check call progress", cat: FlowControl,
        params: Params::Known(&[]),
        errors: [NoMatchingError],
        traits: [],
    }
    CheckVoiceId = "CheckVoiceId" {
        block: "Check Voice ID", cat: FlowControl,
        params: Params::Known(&["CheckVoiceIdOption"]),
        required: ["CheckVoiceIdOption"],
        errors: [NoMatchingError],
        flows: Flows::Not(HOLD, "not allowed in hold flows"),
        channels: VOICE_ONLY,
        traits: [],
    }
    Compare = "Compare" {
        block: "Check contact attributes", cat: FlowControl,
        params: Params::Known(&["ComparisonValue"]),
        errors: [NoMatchingCondition],
        traits: [no_error],
    }
    DistributeByPercentage = "DistributeByPercentage" {
        block: "Distribute by percentage", cat: FlowControl,
        params: Params::Known(&[]),
        errors: [NoMatchingCondition],
        // The action page (the block page also lists outbound whisper; `check` follows
        // the API reference).
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows (not whisper or hold)"),
        traits: [no_error],
    }
    EndFlowExecution = "EndFlowExecution" {
        block: "End flow / Resume", cat: FlowControl,
        params: Params::Known(&[]),
        errors: [],
        flows: Flows::Only(&[F::CustomerQueue, F::CustomerWhisper, F::AgentWhisper,
            F::OutboundWhisper, F::ContactFlowModule],
            "allowed only in whisper and customer-queue flows"),
        traits: [ends, no_error],
    }
    GetMetricData = "GetMetricData" {
        block: "Get metrics", cat: FlowControl,
        params: Params::Known(&["QueueId", "AgentId", "QueueChannel"]),
        errors: [NoMatchingError],
        traits: [],
    }
    Loop = "Loop" {
        block: "Loop", cat: FlowControl,
        params: Params::Known(&["LoopCount"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    StartVoiceIdStream = "StartVoiceIdStream" {
        block: "Set Voice ID", cat: FlowControl,
        params: Params::Known(&[]),
        errors: [NoMatchingError],
        channels: VOICE_ONLY,
        traits: [no_error],
    }
    TransferToFlow = "TransferToFlow" {
        block: "Transfer to flow", cat: FlowControl,
        params: Params::Known(&["ContactFlowId"]),
        required: ["ContactFlowId"],
        errors: [NoMatchingError],
        flows: Flows::Not(QUEUE_FLOW, "not allowed in customer-queue flows"),
        traits: [ends],
    }
    UpdateFlowAttributes = "UpdateFlowAttributes" {
        block: "Set contact attributes (Flow)", cat: FlowControl,
        params: Params::Known(&["FlowAttributes"]),
        errors: [NoMatchingError],
        traits: [],
    }
    UpdateFlowLoggingBehavior = "UpdateFlowLoggingBehavior" {
        block: "Set logging behavior", cat: FlowControl,
        params: Params::Known(&["FlowLoggingBehavior"]),
        errors: [],
        traits: [no_error],
    }
    /// `UpdateRoutingCriteria` on the page, `UpdateContactRoutingCriteria` in exports.
    UpdateContactRoutingCriteria = "UpdateContactRoutingCriteria" {
        block: "Set routing criteria", cat: FlowControl,
        aliases: ["UpdateRoutingCriteria"],
        params: Params::Known(&["RoutingCriteria"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    Wait = "Wait" {
        block: "Wait", cat: FlowControl,
        // TimeLimitSeconds: the older console spelling, still in exports.
        params: Params::Known(&["TimeoutSeconds", "TimeLimitSeconds", "Events"]),
        errors: [NoMatchingError, ParticipantNotFound],
        channels: CHAT_ONLY,
        traits: [waits],
    }

    // ---- contact actions ----------------------------------------------------------
    CompleteOutboundCall = "CompleteOutboundCall" {
        block: "(outbound calls)", cat: Contact,
        params: Params::Known(&["CallerId", "VoiceConnector", "ConnectionTimeLimitSeconds"]),
        errors: [],
        traits: [no_error],
    }
    CreateCase = "CreateCase" {
        block: "Cases (Create case)", cat: Contact,
        params: Params::Known(&["LinkContactToCase", "CaseTemplateId", "CaseRequestFields",
            "ContactToLink"]),
        errors: [ContactNotLinked, NoMatchingError],
        traits: [],
    }
    CreateTask = "CreateTask" {
        block: "Create task", cat: Contact,
        params: Params::Known(&["ContactFlowId", "Name", "Description", "Attributes",
            "References", "DelaySeconds", "ScheduledTime", "TaskTemplateId"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    CreateWisdomSession = "CreateWisdomSession" {
        block: "Amazon Q in Connect", cat: Contact,
        params: Params::Known(&["WisdomAssistantArn"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    DequeueContactAndTransferToQueue = "DequeueContactAndTransferToQueue" {
        block: "Transfer to queue (customer queue flow)", cat: Contact,
        params: Params::Known(&["QueueId", "AgentId"]),
        errors: [QueueAtCapacity, NoMatchingError],
        flows: Flows::Only(QUEUE_FLOW, "allowed only in customer-queue flows"),
        traits: [],
    }
    EndFlowModuleExecution = "EndFlowModuleExecution" {
        block: "Return", cat: Contact,
        // Result, ResultData: the module's branch and output, as console exports write them.
        params: Params::Known(&["Result", "ResultData"]),
        errors: [],
        traits: [ends, no_error],
    }
    GetCase = "GetCase" {
        block: "Cases (Get case)", cat: Contact,
        params: Params::Known(&["LinkContactToCase", "GetLastUpdatedCase", "CustomerId",
            "CaseRequestFields", "CaseResponseFields", "ContactToLink"]),
        errors: [ContactNotLinked, MultipleFound, NoneFound, NoMatchingError],
        traits: [],
    }
    InvokeFlowModule = "InvokeFlowModule" {
        block: "Invoke module", cat: Contact,
        params: Params::Known(&["FlowModuleId"]),
        required: ["FlowModuleId"],
        // NoMatchingCondition: how custom module branches are matched (3 corpus exports).
        errors: [NoMatchingError, NoMatchingCondition],
        traits: [],
    }
    StartOutboundChatContact = "StartOutboundChatContact" {
        block: "Send message", cat: Contact,
        params: Params::Known(&["SourceEndpoint", "DestinationEndpoint", "ContactFlowArn",
            "ContactSubtype", "InitialSystemMessage", "RelatedContact"]),
        errors: [NoMatchingError],
        traits: [],
    }
    TagContact = "TagContact" {
        block: "Contact tags", cat: Contact,
        params: Params::Known(&["Tags"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    TransferContactToAgent = "TransferContactToAgent" {
        block: "Transfer to agent (beta)", cat: Contact,
        params: Params::Known(&[]),
        errors: [],
        flows: Flows::Only(&[F::AgentTransfer, F::QueueTransfer],
            "allowed only in transfer-to-agent and transfer-to-queue flows"),
        channels: VOICE_ONLY,
        traits: [ends],
    }
    TransferContactToQueue = "TransferContactToQueue" {
        block: "Transfer to queue", cat: Contact,
        params: Params::Known(&[]),
        errors: [QueueAtCapacity, NoMatchingError],
        flows: Flows::Only(INBOUND_TRANSFER,
            "allowed only in inbound and transfer flows (not whisper, hold or customer-queue)"),
        traits: [ends],
    }
    /// `UnTagContact` on the page; the service accepts `UntagContact`.
    UnTagContact = "UnTagContact" {
        block: "Contact tags (remove)", cat: Contact,
        aliases: ["UntagContact"],
        params: Params::Known(&["TagKeys"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    UpdateCase = "UpdateCase" {
        block: "Cases (Update case)", cat: Contact,
        params: Params::Known(&["LinkContactToCase", "CaseId", "CaseRequestFields"]),
        errors: [ContactNotLinked, NoMatchingError],
        traits: [],
    }
    UpdateContactAttributes = "UpdateContactAttributes" {
        block: "Set contact attributes", cat: Contact,
        params: Params::Known(&["Attributes", "TargetContact"]),
        errors: [NoMatchingError],
        traits: [],
    }
    UpdateContactCallbackNumber = "UpdateContactCallbackNumber" {
        block: "Set callback number", cat: Contact,
        params: Params::Known(&["CallbackNumber"]),
        required: ["CallbackNumber"],
        errors: [InvalidCallbackNumber, CallbackNumberNotDialable],
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows (not whisper or hold)"),
        traits: [],
    }
    UpdateContactData = "UpdateContactData" {
        block: "Set contact attributes / Set Voice ID / Connect assistant", cat: Contact,
        params: Params::Known(&["Name", "Description", "LanguageCode", "CustomerId",
            "References", "IsVoiceIdStreamingEnabled", "IsVoiceAuthenticationEnabled",
            "IsFraudDetectionEnabled", "VoiceAuthenticationThreshold",
            "VoiceAuthenticationResponseTime", "FraudDetectionThreshold", "WatchlistId",
            "WisdomSessionArn", "TargetContact"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    UpdateContactEventHooks = "UpdateContactEventHooks" {
        block: "Set customer queue / hold / whisper / disconnect / event flow", cat: Contact,
        // The console writes EventHooksConfiguration beside EventHooks (seen in exports
        // from independent repositories), though the reference does not list it.
        params: Params::Known(&["EventHooks", "EventHooksConfiguration"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    UpdateContactMediaProcessing = "UpdateContactMediaProcessing" {
        block: "Set recording, analytics and processing behavior (chat processor)", cat: Contact,
        params: Params::Known(&["ChatProcessor"]),
        errors: [NoMatchingError, ChannelMismatch],
        traits: [],
    }
    UpdateContactMediaStreamingBehavior = "UpdateContactMediaStreamingBehavior" {
        block: "Start / Stop media streaming", cat: Contact,
        params: Params::Known(&["MediaStreamingState", "MediaStreamType", "Participants"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    UpdateContactRecordingAndAnalyticsBehavior = "UpdateContactRecordingAndAnalyticsBehavior" {
        block: "Set recording, analytics and processing behavior", cat: Contact,
        params: Params::Known(&["VoiceBehavior", "ChatBehavior", "ScreenRecordingBehavior"]),
        errors: [NoMatchingError, ChannelMismatch, InFlightRedactionConfigurationFailed],
        traits: [],
    }
    UpdateContactRecordingBehavior = "UpdateContactRecordingBehavior" {
        block: "Set recording and analytics behavior", cat: Contact,
        params: Params::Known(&["RecordingBehavior", "AnalyticsBehavior"]),
        errors: [],
        traits: [no_error],
    }
    ResumeContact = "ResumeContact" {
        block: "Resume contact", cat: Contact,
        params: Params::Known(&[]),
        errors: [NoMatchingError],
        traits: [],
    }
    UpdateContactRoutingBehavior = "UpdateContactRoutingBehavior" {
        block: "Change routing priority / age", cat: Contact,
        params: Params::Known(&["QueuePriority", "QueueTimeAdjustmentSeconds",
            "RoutingProficiencies"]),
        errors: [],
        flows: Flows::Only(&[F::ContactFlow, F::ContactFlowModule],
            "allowed only in inbound flows"),
        traits: [no_error],
    }
    UpdateContactTargetQueue = "UpdateContactTargetQueue" {
        block: "Set working queue", cat: Contact,
        params: Params::Known(&["QueueId", "AgentId"]),
        errors: [NoMatchingError],
        flows: Flows::Only(INBOUND_TRANSFER,
            "allowed only in inbound and transfer flows (not whisper, hold or customer-queue)"),
        traits: [],
    }
    UpdateContactTextToSpeechVoice = "UpdateContactTextToSpeechVoice" {
        block: "Set voice", cat: Contact,
        // ExternalCredentialSecretARN: a console export (third-party voices).
        params: Params::Known(&["TextToSpeechVoice", "TextToSpeechEngine", "TextToSpeechStyle",
            "ExternalCredentialSecretARN"]),
        errors: [NoMatchingError],
        traits: [no_error],
    }
    UpdatePreviousContactParticipantState = "UpdatePreviousContactParticipantState" {
        block: "Hold customer or agent", cat: Contact,
        params: Params::Known(&["PreviousContactParticipantState"]),
        required: ["PreviousContactParticipantState"],
        errors: [NoMatchingError],
        flows: Flows::Only(INBOUND_TRANSFER, "allowed only in inbound and transfer flows"),
        traits: [],
    }

    // ---- interactions -------------------------------------------------------------
    AssociateContactToCustomerProfile = "AssociateContactToCustomerProfile" {
        block: "Customer profiles (Associate contact)", cat: Interaction,
        params: Params::Known(&["ProfileRequestData", "ProfileResponseData"]),
        errors: [NoMatchingError],
        traits: [],
    }
    CreateCallbackContact = "CreateCallbackContact" {
        block: "Transfer to queue (callback)", cat: Interaction,
        // CallbackMode: a console export (undocumented).
        params: Params::Known(&["QueueId", "AgentId", "InitialCallDelaySeconds",
            "MaximumConnectionAttempts", "RetryDelaySeconds", "ContactFlowId", "CallerId",
            "CallbackMode"]),
        errors: [NoMatchingError],
        flows: Flows::Only(INBOUND_AND_QUEUE,
            "allowed only in inbound, transfer and customer-queue flows (not whisper or hold)"),
        traits: [],
    }
    CreateCustomerProfile = "CreateCustomerProfile" {
        block: "Customer profiles (Create profile)", cat: Interaction,
        params: Params::Known(&["ProfileRequestData", "ProfileResponseData"]),
        errors: [NoMatchingError],
        traits: [],
    }
    InvokeLambdaFunction = "InvokeLambdaFunction" {
        block: "AWS Lambda function", cat: Interaction,
        params: Params::Known(&["LambdaFunctionARN", "InvocationTimeLimitSeconds", "InvocationType",
            "LambdaInvocationAttributes", "ResponseValidation"]),
        required: ["LambdaFunctionARN"],
        errors: [NoMatchingError],
        traits: [],
    }
    GetCustomerProfile = "GetCustomerProfile" {
        block: "Customer profiles (Get profile)", cat: Interaction,
        params: Params::Known(&["ProfileRequestData", "ProfileResponseData"]),
        errors: [MultipleFoundError, NoneFoundError, NoMatchingError],
        traits: [],
    }
    GetCustomerProfileObject = "GetCustomerProfileObject" {
        block: "Customer profiles (Get profile object)", cat: Interaction,
        params: Params::Known(&["ProfileRequestData", "ProfileResponseData"]),
        errors: [NoneFoundError, NoMatchingError],
        traits: [],
    }
    GetCalculatedAttributesForCustomerProfile = "GetCalculatedAttributesForCustomerProfile" {
        block: "Customer profiles (Get calculated attributes)", cat: Interaction,
        params: Params::Known(&["ProfileRequestData", "ProfileResponseData"]),
        errors: [NoneFoundError, NoMatchingError],
        traits: [],
    }
    UpdateCustomerProfile = "UpdateCustomerProfile" {
        block: "Customer profiles (Update profile)", cat: Interaction,
        params: Params::Known(&["ProfileRequestData", "ProfileResponseData"]),
        errors: [NoMatchingError],
        traits: [],
    }

    // ---- admin-guide-only and newer types --------------------------------------------
    EvaluateDataTableValues = "EvaluateDataTableValues" {
        block: "Data table: Read, Evaluate", cat: Other,
        params: Params::Known(&["DataTableId", "Queries"]),
        errors: [NoMatchingError],
        traits: [],
    }
    ListDataTableValues = "ListDataTableValues" {
        block: "Data table: Read, List", cat: Other,
        params: Params::Known(&["DataTableId", "PrimaryKeyGroups"]),
        errors: [NoMatchingError],
        traits: [],
    }
    UpsertDataTableValues = "UpsertDataTableValues" {
        block: "Data table: Write", cat: Other,
        params: Params::Known(&["LockVersion", "DataTableId", "DataTableUpsertAttributes"]),
        errors: [NoMatchingError],
        traits: [],
    }
    LoadContactContent = "LoadContactContent" {
        block: "Get stored content", cat: Other,
        params: Params::Known(&["ContentType"]),
        errors: [NoMatchingError],
        channels: Channels::Only(&[Channel::Email]),
        traits: [],
    }
    CreatePersistentContactAssociation = "CreatePersistentContactAssociation" {
        block: "Create persistent contact association", cat: Other,
        params: Params::Known(&["RehydrationType", "SourceContactId"]),
        errors: [NoMatchingError],
        channels: CHAT_ONLY,
        traits: [],
    }
    CreateContact = "CreateContact" {
        block: "Create contact (email)", cat: Other,
        params: Params::Known(&["Channel", "RelatedContact"]),
        errors: [NoMatchingError],
        traits: [],
    }
    StartOutboundEmailContact = "StartOutboundEmailContact" {
        block: "Send message (email)", cat: Other,
        params: Params::Known(&["FromEmailAddress", "EmailMessage", "DestinationEmailAddress"]),
        required: ["DestinationEmailAddress"],
        errors: [NoMatchingError],
        traits: [],
    }
    RenderMessageTemplate = "RenderMessageTemplate" {
        block: "Render message template", cat: Other,
        params: Params::Known(&["WisdomKnowledgeBaseArn", "WisdomMessageTemplateArn"]),
        errors: [TemplateRenderingError, NoMatchingError],
        traits: [],
    }
    CheckSegmentMembership = "CheckSegmentMembership" {
        block: "Customer profiles (segment check)", cat: Other,
        // Parameters UNCONFIRMED (no page, no export): keys are not checked.
        params: Params::Unlisted,
        errors: [NoMatchingError],
        traits: [],
    }
    RouteContactToAgent = "RouteContactToAgent" {
        block: "Interrupt agent", cat: Other,
        // Parameters UNCONFIRMED (no page, no export): keys are not checked.
        params: Params::Unlisted,
        errors: [NoMatchingError],
        flows: Flows::Only(QUEUE_FLOW, "allowed only in customer-queue flows"),
        traits: [],
    }
}

impl ActionType {
    /// The type a `Type` string names, aliases included.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| {
            let s = t.spec();
            s.name == name || s.aliases.contains(&name)
        })
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

impl fmt::Display for ActionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `docs/actions.md`: the catalogue as a table (a test keeps the file current).
pub fn markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Action types\n\n\
         Generated from `crates/flowsim-core/src/catalogue.rs` (`cargo test` checks it is \
         current). Every action `Type` of Amazon Connect's flow language that flowsim knows; \
         a type not listed here is one Connect does not have, and `flowsim check` reports it.\n\n\
         Traits: **waits** the caller is waited for; **ends** the flow ends here on success; \
         **no error** flowsim never raises an error for it. flowsim simulates every type \
         listed; the outcomes that depend on the contact center come from the environment \
         (`docs/environment.md`).\n\n\
         | Type | Console block | Errors | Flow types | Channels | Traits |\n\
         |---|---|---|---|---|---|\n",
    );
    for t in ActionType::ALL {
        let s = t.spec();
        let mut name = format!("`{}`", s.name);
        for a in s.aliases {
            let _ = write!(name, " (also `{a}`)");
        }
        let errors = if s.errors.is_empty() {
            "none".to_owned()
        } else {
            s.errors
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let flows = match s.flows {
            Flows::Any => "any".to_owned(),
            f => f.describe().to_owned(),
        };
        let channels = match s.channels {
            Channels::All => "all".to_owned(),
            Channels::Only(c) => c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
        };
        let traits: Vec<&str> = [
            (s.waits, "waits"),
            (s.ends_flow, "ends"),
            (s.raises_no_error, "no error"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect();
        let _ = writeln!(
            out,
            "| {name} | {} | {errors} | {flows} | {channels} | {} |",
            s.block,
            traits.join(", ")
        );
    }
    out.push_str(
        "\n## What selects each branch\n\n\
         Generated from `crates/flowsim-core/src/catalogue/outcomes.rs`, the table \
         `tests/catalogue_branches.rs` runs: for each branch of each type, a small flow with \
         that block and the `.call` lines that select the branch (*default*: nothing set; \
         the trace names the setting that changes it). *Parameters* are the block's own \
         parameters when they, not the environment, select the branch.\n\n\
         | Type | Branch | Selected by | Parameters | Sets |\n\
         |---|---|---|---|---|\n",
    );
    for o in outcomes::OUTCOMES {
        let sets = o
            .sets
            .iter()
            .map(|(k, v)| format!("`{k}` = {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let params = if o.params.is_empty() {
            String::new()
        } else {
            format!("`{}`", o.params.replace('|', "\\|"))
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {params} | {sets} |",
            o.action.name(),
            o.branch.label(),
            o.selects.describe().replace('|', "\\|"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_in_order_and_names_unique() {
        let mut seen = std::collections::HashSet::new();
        for t in ActionType::ALL {
            assert_eq!(t.spec().action, *t);
            for n in std::iter::once(t.spec().name).chain(t.spec().aliases.iter().copied()) {
                assert!(seen.insert(n), "{n} twice");
                assert_eq!(ActionType::from_name(n), Some(*t));
            }
        }
        assert_eq!(ActionType::from_name("PlayPrompt"), None);
    }

    #[test]
    fn error_types_round_trip() {
        for e in ErrorType::ALL {
            assert_eq!(ErrorType::parse(e.as_str()), Some(e));
        }
    }

    #[test]
    fn flow_types_parse_as_exports_write_them() {
        assert_eq!(
            FlowType::parse("CUSTOMER_QUEUE"),
            Some(FlowType::CustomerQueue)
        );
        assert_eq!(FlowType::parse("contactFlow"), Some(FlowType::ContactFlow));
        assert_eq!(
            FlowType::parse("customer-hold"),
            Some(FlowType::CustomerHold)
        );
        assert_eq!(FlowType::parse("bogus"), None);
    }
}

#[cfg(test)]
mod kinds {
    use super::ActionType;
    use crate::flow::{Kind, parse_str};

    /// Every catalogue type (and alias) parses to its own block kind, and a type the
    /// catalogue does not know parses to `Kind::Unknown`.
    #[test]
    fn catalogue_and_block_kinds_list_the_same_types() {
        for t in ActionType::ALL {
            let s = t.spec();
            for name in std::iter::once(s.name).chain(s.aliases.iter().copied()) {
                let json = format!(
                    r#"{{"Version":"2019-10-30","StartAction":"a","Actions":[
                        {{"Identifier":"a","Type":"{name}","Parameters":{{}},"Transitions":{{}}}}]}}"#
                );
                let flow = parse_str(&json, "t.json", "t").expect(name);
                assert_eq!(flow.blocks[0].kind.action(), Some(*t), "{name}");
            }
        }
        let json = r#"{"Version":"2019-10-30","StartAction":"a","Actions":[
            {"Identifier":"a","Type":"PlayPrompt","Parameters":{},"Transitions":{}}]}"#;
        let flow = parse_str(json, "t.json", "t").unwrap();
        assert!(matches!(flow.blocks[0].kind, Kind::Unknown));
    }

    /// docs/actions.md is generated from the catalogue; regenerate with
    /// `FLOWSIM_BLESS=1 cargo test -p flowsim-core`.
    #[test]
    fn docs_actions_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/actions.md");
        let want = super::markdown();
        if std::env::var_os("FLOWSIM_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/actions.md is stale: run FLOWSIM_BLESS=1 cargo test -p flowsim-core"
        );
    }
}
