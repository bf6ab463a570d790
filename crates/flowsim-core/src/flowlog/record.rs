//! One flow-log record, as Connect writes it (`reference/flow-logs.md` §1–2).

use serde_json::{Map, Value};

use crate::engine::INSTANCE_ARN;
use crate::flow::{Block, Flow, Kind};

/// The top-level fields real records carry (reference §1.2). Anything else is kept
/// and shown with a warning, never dropped.
pub const KNOWN_FIELDS: &[&str] = &[
    "Results",
    "ContactId",
    "ContactFlowId",
    "ContactFlowName",
    "ContactFlowModuleType",
    "Identifier",
    "Timestamp",
    "Parameters",
    "ExternalResults",
    "ModuleExecutionStack",
    "ResultData",
];

/// The module types the reference lists (seen in logs, or legacy export names).
pub const KNOWN_MODULE_TYPES: &[&str] = &[
    "SetQueue",
    "InvokeExternalResource",
    "CheckAttribute",
    "SetLoggingBehavior",
    "SetAttributes",
    "SetFlowAttributes",
    "SetContactData",
    "SetVoice",
    "PlayPrompt",
    "GetUserInput",
    "StoreUserInput",
    "Disconnect",
    "Resume",
    "InvokeFlowModule",
    "ReturnFromFlowModule",
    "SetRecordingBehavior",
    "StartMediaStreaming",
    "StopMediaStreaming",
    "SetContactFlow",
    "SetEventHook",
    "TagContact",
    "GetCustomerProfile",
    "AssociateContactToCustomerProfile",
    "Dial",
    "Transfer",
    "Loop",
    "LoopPrompts",
    "CheckHoursOfOperation",
    "CheckStaffing",
    "CheckQueueStatus",
    "GetMetricData",
    "Wait",
    "SetCallBackNumber",
    "CreateCallback",
    "UpdateRoutingPriority",
];

/// One record. The JSON object is kept whole, in its own key order: fields flowsim
/// does not know survive a read and are shown.
#[derive(Clone, Debug, PartialEq)]
pub struct LogRecord(pub Map<String, Value>);

impl LogRecord {
    fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }
    pub fn contact_id(&self) -> &str {
        self.text("ContactId").unwrap_or("")
    }
    pub fn flow_id(&self) -> &str {
        self.text("ContactFlowId").unwrap_or("")
    }
    pub fn flow_name(&self) -> Option<&str> {
        self.text("ContactFlowName")
    }
    pub fn module_type(&self) -> &str {
        self.text("ContactFlowModuleType").unwrap_or("")
    }
    pub fn identifier(&self) -> Option<&str> {
        self.text("Identifier")
    }
    pub fn timestamp(&self) -> &str {
        self.text("Timestamp").unwrap_or("")
    }
    pub fn results(&self) -> Option<&str> {
        self.text("Results")
    }
    pub fn external_results(&self) -> Option<&Value> {
        self.0.get("ExternalResults")
    }
    pub fn parameters(&self) -> Option<&Map<String, Value>> {
        self.0.get("Parameters").and_then(Value::as_object)
    }
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters()
            .and_then(|p| p.get(key))
            .and_then(Value::as_str)
    }

    /// Fields the reference does not list, by name.
    pub fn unknown_fields(&self) -> Vec<&str> {
        self.0
            .keys()
            .map(String::as_str)
            .filter(|k| !KNOWN_FIELDS.contains(k))
            .collect()
    }

    /// The module type is one the reference lists.
    pub fn known_module_type(&self) -> bool {
        KNOWN_MODULE_TYPES.contains(&self.module_type())
    }

    /// The record as one compact JSON line (CloudWatch's `@message`).
    pub fn to_json(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }
}

/// The `ContactFlowId` Connect would write for a flow: `…/contact-flow/ID` (or
/// `…/flow-module/ID` for a module), ID being the flow's file name without `.json`
/// (`FlowSet::find` matches a reference by it), else its name.
pub fn flow_arn(flow: &Flow) -> String {
    let id = std::path::Path::new(&flow.source)
        .file_stem()
        .filter(|_| flow.source.ends_with(".json"))
        .map_or_else(|| flow.name.clone(), |s| s.to_string_lossy().into_owned());
    let kind = if flow.is_module() {
        "flow-module"
    } else {
        "contact-flow"
    };
    format!("{INSTANCE_ARN}/{kind}/{id}")
}

/// The `ContactFlowModuleType` Connect writes for a block: its legacy block name
/// (reference §2.1). Types with no legacy equivalent log under their own `Type`
/// (UNCONFIRMED in the reference; `docs/flow-logs.md` lists them).
pub fn module_type(block: &Block) -> String {
    let name = match &block.kind {
        Kind::GetParticipantInput { store: true, .. } => "StoreUserInput",
        Kind::GetParticipantInput { .. } | Kind::ConnectParticipantWithLexBot { .. } => {
            "GetUserInput"
        }
        Kind::UpdateContactMediaStreamingBehavior => {
            match block
                .params
                .get("MediaStreamingState")
                .and_then(Value::as_str)
            {
                Some("Disabled") => "StopMediaStreaming",
                _ => "StartMediaStreaming",
            }
        }
        Kind::CheckMetricData => {
            let staffing = block.conditions.iter().any(|c| {
                ["Staffed", "Available", "Online"]
                    .iter()
                    .any(|s| c.operand.contains(s))
            });
            if staffing {
                "CheckStaffing"
            } else {
                "CheckQueueStatus"
            }
        }
        _ => match block.type_name.as_str() {
            "UpdateContactTargetQueue" => "SetQueue",
            "InvokeLambdaFunction" => "InvokeExternalResource",
            "Compare" => "CheckAttribute",
            "UpdateFlowLoggingBehavior" => "SetLoggingBehavior",
            "UpdateContactAttributes" => "SetAttributes",
            "UpdateFlowAttributes" => "SetFlowAttributes",
            "UpdateContactData" => "SetContactData",
            "UpdateContactTextToSpeechVoice" => "SetVoice",
            "MessageParticipant" => "PlayPrompt",
            "DisconnectParticipant" => "Disconnect",
            "EndFlowExecution" => "Resume",
            "EndFlowModuleExecution" => "ReturnFromFlowModule",
            "UpdateContactRecordingBehavior" | "UpdateContactRecordingAndAnalyticsBehavior" => {
                "SetRecordingBehavior"
            }
            "UpdateContactEventHooks" => "SetContactFlow",
            "CompleteOutboundCall" => "Dial",
            "TransferContactToQueue" | "TransferToFlow" | "TransferParticipantToThirdParty" => {
                "Transfer"
            }
            "MessageParticipantIteratively" => "LoopPrompts",
            "UpdateContactCallbackNumber" => "SetCallBackNumber",
            "CreateCallbackContact" => "CreateCallback",
            "UpdateContactRoutingBehavior" => "UpdateRoutingPriority",
            other => other,
        },
    };
    name.to_owned()
}
