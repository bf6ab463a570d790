//! The validated flow model.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::graph::{Branch, FlowGraph};
use crate::catalogue::{ActionType, ErrorType, FlowType, Spec};

/// Types a flow exported without one is inferred to be, in order of preference.
const INFER_ORDER: &[FlowType] = &[
    FlowType::ContactFlow,
    FlowType::CustomerQueue,
    FlowType::CustomerWhisper,
    FlowType::AgentWhisper,
    FlowType::OutboundWhisper,
    FlowType::CustomerHold,
    FlowType::AgentHold,
    FlowType::AgentTransfer,
    FlowType::QueueTransfer,
];

/// Index of a block in [`Flow::blocks`].
pub type BlockIdx = usize;

/// A loaded, validated flow.
#[derive(Clone, Debug)]
pub struct Flow {
    /// `Metadata.name`, else the file stem.
    pub name: String,
    /// Where it came from (a path, or a label for built-in flows).
    pub source: String,
    /// `Metadata.type` (`contactFlow`, `customerQueue`, …) when exported.
    pub flow_type: Option<String>,
    pub start: BlockIdx,
    pub blocks: Vec<Block>,
    pub by_id: HashMap<String, BlockIdx>,
    /// `Settings` of a flow module (input/output parameters, custom transitions).
    pub settings: Option<Value>,
    pub graph: FlowGraph,
    /// The top-level `Metadata` as written (entry point, annotations, …).
    pub metadata: Value,
}

impl Flow {
    pub fn block(&self, id: &str) -> Option<&Block> {
        self.by_id.get(id).map(|&i| &self.blocks[i])
    }

    /// Find a block by Identifier or by its display label.
    pub fn find_block(&self, name: &str) -> Option<BlockIdx> {
        self.by_id.get(name).copied().or_else(|| {
            self.blocks
                .iter()
                .position(|b| b.label() == name || b.id.eq_ignore_ascii_case(name))
        })
    }

    /// The role the flow runs in: `Metadata.type` when exported with one. Without
    /// one, an inbound flow (or a module), unless it holds Loop prompts, which only
    /// customer queue and hold flows may: then the type [`Flow::inferred_type`] says.
    pub fn role(&self) -> FlowType {
        if let Some(t) = self.declared_type() {
            return t;
        }
        let loops = self
            .blocks
            .iter()
            .any(|b| matches!(b.kind, Kind::MessageParticipantIteratively { .. }));
        match self.inferred_type() {
            t @ (FlowType::CustomerQueue | FlowType::CustomerHold | FlowType::AgentHold)
                if loops =>
            {
                t
            }
            FlowType::ContactFlowModule => FlowType::ContactFlowModule,
            _ => FlowType::ContactFlow,
        }
    }

    /// `Metadata.type`, when it names a type flowsim knows.
    pub fn declared_type(&self) -> Option<FlowType> {
        self.flow_type.as_deref().and_then(FlowType::parse)
    }

    /// The type of a flow exported without one: a module when it ends as one or has
    /// module settings; else the first type of [`INFER_ORDER`] its blocks fit best
    /// (fewest blocks the catalogue does not allow there), so a flow of Loop prompts
    /// is a customer queue flow and one with nothing typed an inbound flow.
    pub fn inferred_type(&self) -> FlowType {
        let module = self.settings.is_some()
            || self
                .blocks
                .iter()
                .any(|b| b.kind.action() == Some(ActionType::EndFlowModuleExecution));
        if module {
            return FlowType::ContactFlowModule;
        }
        let refused = |t: FlowType| {
            self.blocks
                .iter()
                .filter(|b| b.kind.spec().is_some_and(|s| !s.flows.allows(t)))
                .count()
        };
        INFER_ORDER
            .iter()
            .copied()
            .min_by_key(|&t| refused(t))
            .unwrap_or(FlowType::ContactFlow)
    }

    pub fn is_module(&self) -> bool {
        self.settings.is_some()
            || self
                .flow_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("contactFlowModule"))
    }
}

/// One action of the flow.
#[derive(Clone, Debug)]
pub struct Block {
    pub id: String,
    /// Index in the file's `Actions` array (for JSON paths).
    pub json_index: usize,
    /// The `Type` as written.
    pub type_name: String,
    pub kind: Kind,
    pub next: Option<BlockIdx>,
    /// `NextAction` as written, even when it names no block (for `check`).
    pub next_id: Option<String>,
    pub conditions: Vec<CondBranch>,
    pub errors: Vec<ErrorBranch>,
    /// The raw `Parameters` object.
    pub params: Map<String, Value>,
    /// `Metadata.ActionMetadata.<id>` as written.
    pub metadata: Value,
    /// Canvas position from the metadata, when present.
    pub position: Option<(f64, f64)>,
    /// The identifier is a readable name (`isFriendlyName`, or not a UUID).
    pub friendly: bool,
}

impl Block {
    /// How the block is named to a user: its identifier when readable, else
    /// `Type 1a2b3c4d` (the first 8 characters of the UUID).
    pub fn label(&self) -> String {
        if self.friendly {
            self.id.clone()
        } else {
            let short: String = self.id.chars().take(8).collect();
            format!("{} {short}", self.type_name)
        }
    }

    /// Does the flow end here on success (disconnect, end, a transfer)? The
    /// catalogue's `ends_flow`, and a third-party transfer that does not continue.
    pub fn is_terminal(&self) -> bool {
        match &self.kind {
            Kind::TransferParticipantToThirdParty { continue_flow, .. } => !continue_flow,
            k => k.spec().is_some_and(|s| s.ends_flow),
        }
    }

    /// Every branch with its target (`None` when empty or dangling).
    pub fn branches(&self) -> Vec<(Branch, Option<BlockIdx>)> {
        let mut out = Vec::with_capacity(1 + self.conditions.len() + self.errors.len());
        for c in &self.conditions {
            out.push((Branch::Condition(c.label()), c.target));
        }
        for e in &self.errors {
            out.push((Branch::Error(e.error_type.clone()), e.target));
        }
        if self.next_id.is_some() {
            out.push((Branch::Next, self.next));
        }
        out
    }

    /// The target of the named error branch, if declared.
    pub fn error_target(&self, error_type: ErrorType) -> Option<&ErrorBranch> {
        self.errors
            .iter()
            .find(|e| e.error_type == error_type.as_str())
    }

    /// A Loop prompts block's interrupt timer (`InterruptFrequencySeconds`, a string
    /// or a number of seconds); `None` when absent, unreadable or zero.
    pub fn interrupt_secs(&self) -> Option<u32> {
        self.params
            .get("InterruptFrequencySeconds")
            .and_then(|v| match v {
                Value::String(s) => s.trim().parse::<u32>().ok(),
                Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                _ => None,
            })
            .filter(|s| *s > 0)
    }

    /// `Metadata.ActionMetadata.<id>.parameters.<param>.displayName`, or the
    /// metadata's own shortcut names (`queue`, `contactFlowModuleName`, …).
    pub fn display_name(&self, param: &str) -> Option<String> {
        let m = &self.metadata;
        let from_params = m
            .get("parameters")
            .and_then(|p| p.get(param))
            .and_then(|p| p.get("displayName"))
            .and_then(Value::as_str);
        if let Some(n) = from_params {
            return Some(n.to_owned());
        }
        for key in ["queue", "contactFlow", "ContactFlow"] {
            if let Some(n) = m.get(key)
                && let Some(s) = n
                    .get("text")
                    .or_else(|| n.get("name"))
                    .and_then(Value::as_str)
            {
                return Some(s.to_owned());
            }
        }
        m.get("contactFlowModuleName")
            .or_else(|| m.get("lexV2BotName"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

/// A condition branch.
#[derive(Clone, Debug)]
pub struct CondBranch {
    pub operator: Operator,
    pub operand: String,
    pub target: Option<BlockIdx>,
    pub target_id: String,
}

impl CondBranch {
    pub fn label(&self) -> String {
        format!("{} {}", self.operator.symbol(), self.operand)
    }
}

/// An error branch.
#[derive(Clone, Debug)]
pub struct ErrorBranch {
    pub error_type: String,
    pub target: Option<BlockIdx>,
    pub target_id: String,
}

/// Condition operators (flow-language §1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    Equals,
    TextStartsWith,
    TextEndsWith,
    TextContains,
    NumberGreaterThan,
    NumberGreaterOrEqualTo,
    NumberLessThan,
    NumberLessOrEqualTo,
}

impl Operator {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Equals" => Self::Equals,
            "TextStartsWith" => Self::TextStartsWith,
            "TextEndsWith" => Self::TextEndsWith,
            "TextContains" => Self::TextContains,
            "NumberGreaterThan" | "NumericGreaterThan" => Self::NumberGreaterThan,
            "NumberGreaterOrEqualTo" | "NumericGreaterOrEqualTo" => Self::NumberGreaterOrEqualTo,
            "NumberLessThan" | "NumericLessThan" => Self::NumberLessThan,
            "NumberLessOrEqualTo" | "NumericLessOrEqualTo" => Self::NumberLessOrEqualTo,
            _ => return None,
        })
    }

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
        }
    }

    /// Short form for labels: `=`, `starts with`, `>`, …
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Equals => "=",
            Self::TextStartsWith => "starts with",
            Self::TextEndsWith => "ends with",
            Self::TextContains => "contains",
            Self::NumberGreaterThan => ">",
            Self::NumberGreaterOrEqualTo => ">=",
            Self::NumberLessThan => "<",
            Self::NumberLessOrEqualTo => "<=",
        }
    }

    /// Evaluate `value OP operand`. Text operators are case-sensitive; number
    /// operators are false when either side is not a number.
    pub fn eval(self, value: &str, operand: &str) -> bool {
        let num = |s: &str| -> Option<f64> {
            let t = s.trim();
            if t.is_empty() {
                return None;
            }
            t.parse::<f64>().ok().filter(|f| f.is_finite())
        };
        match self {
            Self::Equals => value == operand,
            Self::TextStartsWith => value.starts_with(operand),
            Self::TextEndsWith => value.ends_with(operand),
            Self::TextContains => value.contains(operand),
            _ => {
                let (Some(a), Some(b)) = (num(value), num(operand)) else {
                    return false;
                };
                match self {
                    Self::NumberGreaterThan => a > b,
                    Self::NumberGreaterOrEqualTo => a >= b,
                    Self::NumberLessThan => a < b,
                    _ => a <= b,
                }
            }
        }
    }
}

/// A prompt: what a MessageParticipant / GetParticipantInput says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prompt {
    Text(String),
    Ssml(String),
    /// A prompt ARN or id (static or a single path), with its display name.
    PromptId {
        id: String,
        name: Option<String>,
    },
    Media {
        uri: String,
    },
}

/// Store-mode input validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Validation {
    Phone {
        format: PhoneFormat,
        country: Option<String>,
    },
    Custom {
        max_length: Option<u32>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneFormat {
    Local,
    E164,
}

/// `ResponseValidation.ResponseType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LambdaResponseType {
    StringMap,
    Json,
}

/// What a block does, with its parameters parsed: one variant per catalogue type
/// ([`ActionType`]), named as the type, plus [`Kind::Unknown`] for a `Type` the
/// catalogue does not know. Types without fields read their raw parameters from
/// [`Block::params`] when they run.
#[derive(Clone, Debug)]
pub enum Kind {
    MessageParticipant {
        prompt: Option<Prompt>,
    },
    /// Prompts that loop until the contact leaves the flow (customer queue and hold
    /// flows).
    MessageParticipantIteratively {
        prompts: Vec<Prompt>,
    },
    GetParticipantInput {
        prompt: Option<Prompt>,
        timeout_secs: u32,
        store: bool,
        validation: Option<Validation>,
        terminator: String,
        cancel_disabled: bool,
        interdigit_secs: u32,
        encrypted: bool,
    },
    ConnectParticipantWithLexBot {
        prompt: Option<Prompt>,
        bot: String,
    },
    InvokeLambdaFunction {
        arn: String,
        time_limit_secs: u32,
        response_type: LambdaResponseType,
        /// `LambdaInvocationAttributes`: text values, or nested objects of text that
        /// reach the function as JSON.
        parameters: IndexMap<String, Value>,
        asynchronous: bool,
    },
    Compare {
        value: String,
    },
    Loop {
        count: String,
    },
    UpdateContactAttributes {
        attributes: IndexMap<String, String>,
    },
    UpdateFlowAttributes {
        attributes: IndexMap<String, String>,
    },
    CheckHoursOfOperation {
        hours: Option<String>,
    },
    UpdateContactTextToSpeechVoice {
        voice: Option<String>,
        engine: Option<String>,
        style: Option<String>,
    },
    UpdateContactRecordingBehavior,
    UpdateContactRecordingAndAnalyticsBehavior,
    /// Dial a number; the flow ends (hand-off) or continues once the third party hangs
    /// up.
    TransferParticipantToThirdParty {
        number: String,
        continue_flow: bool,
    },
    UpdateFlowLoggingBehavior {
        enabled: bool,
    },
    UpdateContactData {
        fields: IndexMap<String, String>,
    },
    UpdateContactTargetQueue {
        queue: String,
        name: Option<String>,
    },
    TransferContactToQueue,
    TransferToFlow {
        flow: String,
        name: Option<String>,
    },
    InvokeFlowModule {
        module: String,
        name: Option<String>,
    },
    EndFlowModuleExecution,
    DisconnectParticipant,
    EndFlowExecution,
    DistributeByPercentage,
    // Contact settings and side requests: recorded in the trace, then `NextAction`.
    UpdateContactEventHooks,
    UpdateContactMediaStreamingBehavior,
    UpdateContactRoutingBehavior,
    UpdateContactRoutingCriteria,
    UpdateContactMediaProcessing,
    CreateWisdomSession,
    StartVoiceIdStream,
    TagContact,
    UnTagContact,
    CreateTask,
    // The contact center's: outcomes come from the environment.
    ShowView,
    AuthenticateParticipant,
    ConnectParticipantWithAgenticCX,
    CheckMetricData,
    CheckOutboundCallStatus,
    CheckVoiceId,
    GetMetricData,
    Wait,
    CompleteOutboundCall,
    CreateCase,
    DequeueContactAndTransferToQueue,
    GetCase,
    StartOutboundChatContact,
    TransferContactToAgent,
    UpdateCase,
    UpdateContactCallbackNumber,
    ResumeContact,
    UpdatePreviousContactParticipantState,
    AssociateContactToCustomerProfile,
    CreateCallbackContact,
    CreateCustomerProfile,
    GetCustomerProfile,
    GetCustomerProfileObject,
    GetCalculatedAttributesForCustomerProfile,
    UpdateCustomerProfile,
    EvaluateDataTableValues,
    ListDataTableValues,
    UpsertDataTableValues,
    LoadContactContent,
    CreatePersistentContactAssociation,
    CreateContact,
    StartOutboundEmailContact,
    RenderMessageTemplate,
    CheckSegmentMembership,
    RouteContactToAgent,
    /// A `Type` the catalogue does not know (a typo, or a type newer than flowsim).
    Unknown,
}

impl Kind {
    /// The catalogue type of this kind; `None` for [`Kind::Unknown`].
    pub fn action(&self) -> Option<ActionType> {
        use ActionType as A;
        Some(match self {
            Self::MessageParticipant { .. } => A::MessageParticipant,
            Self::MessageParticipantIteratively { .. } => A::MessageParticipantIteratively,
            Self::GetParticipantInput { .. } => A::GetParticipantInput,
            Self::ConnectParticipantWithLexBot { .. } => A::ConnectParticipantWithLexBot,
            Self::InvokeLambdaFunction { .. } => A::InvokeLambdaFunction,
            Self::Compare { .. } => A::Compare,
            Self::Loop { .. } => A::Loop,
            Self::UpdateContactAttributes { .. } => A::UpdateContactAttributes,
            Self::UpdateFlowAttributes { .. } => A::UpdateFlowAttributes,
            Self::CheckHoursOfOperation { .. } => A::CheckHoursOfOperation,
            Self::UpdateContactTextToSpeechVoice { .. } => A::UpdateContactTextToSpeechVoice,
            Self::UpdateContactRecordingBehavior => A::UpdateContactRecordingBehavior,
            Self::UpdateContactRecordingAndAnalyticsBehavior => {
                A::UpdateContactRecordingAndAnalyticsBehavior
            }
            Self::TransferParticipantToThirdParty { .. } => A::TransferParticipantToThirdParty,
            Self::UpdateFlowLoggingBehavior { .. } => A::UpdateFlowLoggingBehavior,
            Self::UpdateContactData { .. } => A::UpdateContactData,
            Self::UpdateContactTargetQueue { .. } => A::UpdateContactTargetQueue,
            Self::TransferContactToQueue => A::TransferContactToQueue,
            Self::TransferToFlow { .. } => A::TransferToFlow,
            Self::InvokeFlowModule { .. } => A::InvokeFlowModule,
            Self::EndFlowModuleExecution => A::EndFlowModuleExecution,
            Self::DisconnectParticipant => A::DisconnectParticipant,
            Self::EndFlowExecution => A::EndFlowExecution,
            Self::DistributeByPercentage => A::DistributeByPercentage,
            Self::UpdateContactEventHooks => A::UpdateContactEventHooks,
            Self::UpdateContactMediaStreamingBehavior => A::UpdateContactMediaStreamingBehavior,
            Self::UpdateContactRoutingBehavior => A::UpdateContactRoutingBehavior,
            Self::UpdateContactRoutingCriteria => A::UpdateContactRoutingCriteria,
            Self::UpdateContactMediaProcessing => A::UpdateContactMediaProcessing,
            Self::CreateWisdomSession => A::CreateWisdomSession,
            Self::StartVoiceIdStream => A::StartVoiceIdStream,
            Self::TagContact => A::TagContact,
            Self::UnTagContact => A::UnTagContact,
            Self::CreateTask => A::CreateTask,
            Self::ShowView => A::ShowView,
            Self::AuthenticateParticipant => A::AuthenticateParticipant,
            Self::ConnectParticipantWithAgenticCX => A::ConnectParticipantWithAgenticCX,
            Self::CheckMetricData => A::CheckMetricData,
            Self::CheckOutboundCallStatus => A::CheckOutboundCallStatus,
            Self::CheckVoiceId => A::CheckVoiceId,
            Self::GetMetricData => A::GetMetricData,
            Self::Wait => A::Wait,
            Self::CompleteOutboundCall => A::CompleteOutboundCall,
            Self::CreateCase => A::CreateCase,
            Self::DequeueContactAndTransferToQueue => A::DequeueContactAndTransferToQueue,
            Self::GetCase => A::GetCase,
            Self::StartOutboundChatContact => A::StartOutboundChatContact,
            Self::TransferContactToAgent => A::TransferContactToAgent,
            Self::UpdateCase => A::UpdateCase,
            Self::UpdateContactCallbackNumber => A::UpdateContactCallbackNumber,
            Self::ResumeContact => A::ResumeContact,
            Self::UpdatePreviousContactParticipantState => A::UpdatePreviousContactParticipantState,
            Self::AssociateContactToCustomerProfile => A::AssociateContactToCustomerProfile,
            Self::CreateCallbackContact => A::CreateCallbackContact,
            Self::CreateCustomerProfile => A::CreateCustomerProfile,
            Self::GetCustomerProfile => A::GetCustomerProfile,
            Self::GetCustomerProfileObject => A::GetCustomerProfileObject,
            Self::GetCalculatedAttributesForCustomerProfile => {
                A::GetCalculatedAttributesForCustomerProfile
            }
            Self::UpdateCustomerProfile => A::UpdateCustomerProfile,
            Self::EvaluateDataTableValues => A::EvaluateDataTableValues,
            Self::ListDataTableValues => A::ListDataTableValues,
            Self::UpsertDataTableValues => A::UpsertDataTableValues,
            Self::LoadContactContent => A::LoadContactContent,
            Self::CreatePersistentContactAssociation => A::CreatePersistentContactAssociation,
            Self::CreateContact => A::CreateContact,
            Self::StartOutboundEmailContact => A::StartOutboundEmailContact,
            Self::RenderMessageTemplate => A::RenderMessageTemplate,
            Self::CheckSegmentMembership => A::CheckSegmentMembership,
            Self::RouteContactToAgent => A::RouteContactToAgent,
            Self::Unknown => return None,
        })
    }

    /// The catalogue row, `None` for an unknown type.
    pub fn spec(&self) -> Option<&'static Spec> {
        self.action().map(ActionType::spec)
    }

    /// Whether flowsim simulates this block: every catalogue type; not a type the
    /// catalogue does not know.
    pub fn simulated(&self) -> bool {
        self.action().is_some()
    }
}
