//! Writing a test case in the normalized form the live service publishes
//! (connect-testing-language.md §10.1, §11 "What to emit"), and checking a
//! `CreateTestCase` body against the rules the live service applies.

use serde_json::{Map, Value, json};

use super::model::*;

/// The testing-language document (`Content`), normalized: `Version` 2019-10-30,
/// `MatchingCriteria` as an object inside `Properties`, no `Usage`, `ActionType`
/// echoed in every action's `Parameters` but `Assert`'s, DTMF values as strings.
pub fn document(doc: &Document) -> Value {
    let observations: Vec<Value> = doc.observations.iter().map(observation).collect();
    json!({
        "Version": VERSION,
        "Metadata": doc.metadata,
        "Observations": observations,
    })
}

fn observation(o: &Observation) -> Value {
    let actions: Vec<Value> = o
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let transitions = match o.actions.get(i + 1) {
                Some(next) => json!({ "NextAction": next.id }),
                None => json!({}),
            };
            json!({
                "Identifier": a.id,
                "Type": action_type(&a.kind),
                "Parameters": parameters(&a.kind),
                "Transitions": transitions,
            })
        })
        .collect();
    let mut v = json!({
        "Identifier": o.id,
        "Event": event(&o.event),
        "Actions": actions,
        "Transitions": { "NextObservations": o.next },
    });
    if o.usage != Usage::Exactly(1) {
        let usage = match o.usage {
            Usage::Exactly(n) => json!({ "Type": "EXACTLY", "Times": n }),
            Usage::Any => json!({ "Type": "ANY" }),
        };
        v["Usage"] = usage;
    }
    v
}

fn event(e: &Event) -> Value {
    let (kind, props) = match &e.kind {
        EventKind::TestInitiated => ("TestInitiated", json!({})),
        EventKind::TestCompleted => ("TestCompleted", json!({})),
        EventKind::MessageReceived {
            expected, criteria, ..
        } => {
            let mut p = Map::new();
            match expected {
                Expected::Text(t) => p.insert("Text".into(), t.clone().into()),
                Expected::Ssml(t) => p.insert("SSML".into(), t.clone().into()),
                Expected::PromptId(t) => p.insert("PromptId".into(), t.clone().into()),
                Expected::Media(u) => p.insert(
                    "Media".into(),
                    json!({ "Uri": u, "SourceType": "S3", "MediaType": "audio/mpeg" }),
                ),
            };
            p.insert(
                "MatchingCriteria".into(),
                json!({ "Type": criteria.name() }),
            );
            ("MessageReceived", Value::Object(p))
        }
        EventKind::FlowActionStarted(a) => ("FlowActionStarted", flow_action(a)),
        EventKind::Unknown(t) => (t.as_str(), json!({})),
    };
    json!({ "Identifier": e.id, "Type": kind, "Actor": "System", "Properties": props })
}

fn flow_action(a: &FlowAction) -> Value {
    let params = match a {
        FlowAction::Lambda(r) => json!({ "LambdaFunctionARN": r }),
        FlowAction::Hours(r) => json!({ "HoursOfOperationId": r }),
        FlowAction::Queue { queue, agent } => match agent {
            Some(a) => json!({ "QueueId": queue, "AgentId": a }),
            None => json!({ "QueueId": queue }),
        },
        FlowAction::Dequeue(r) => json!({ "QueueId": r }),
        FlowAction::LexBot(r) => json!({ "LexV2Bot": { "AliasArn": r } }),
    };
    json!({ "ActionType": a.action_type(), "ActionParameters": params })
}

fn action_type(k: &ActionKind) -> &'static str {
    match k {
        ActionKind::Dtmf(_) | ActionKind::Utterance { .. } | ActionKind::Disconnect => {
            "SendInstruction"
        }
        ActionKind::Override { .. } => "OverrideSystemBehavior",
        ActionKind::Assert { .. } => "Assert",
        ActionKind::EndTest | ActionKind::LogData(_) => "TestControl",
    }
}

fn parameters(k: &ActionKind) -> Value {
    let send = |instruction: Value| json!({ "ActionType": "SendInstruction", "Actor": "Customer", "Instruction": instruction });
    match k {
        ActionKind::Dtmf(keys) => {
            send(json!({ "Type": "DtmfInput", "Properties": { "Value": keys } }))
        }
        ActionKind::Utterance { text, language } => send(json!({
            "Type": "TextUtterance",
            "Properties": { "Text": text, "LanguageCode": language.as_deref().unwrap_or("en-US") }
        })),
        ActionKind::Disconnect => send(json!({ "Type": "Disconnect", "Properties": {} })),
        ActionKind::Override { target, strategy } => {
            let mut props = flow_action(target);
            props["Strategy"] = match strategy {
                Strategy::Substitute(arn) => {
                    json!({ "Type": "SubstituteResource", "SubstituteArn": arn })
                }
                Strategy::Result {
                    delay_secs,
                    loaded_data,
                    value,
                } => {
                    let mut r = Map::new();
                    if *delay_secs > 0.0 {
                        r.insert("DelaySeconds".into(), json!(delay_secs));
                    }
                    if let Some(d) = loaded_data {
                        r.insert("LoadedData".into(), d.clone().into());
                    }
                    if let Some(v) = value {
                        r.insert("Value".into(), v.clone().into());
                    }
                    json!({ "Type": "MockResponse", "Response": { "Type": "ExecutionResult", "ExecutionResult": r } })
                }
                Strategy::Error { value, delay_secs } => {
                    let mut e = json!({ "Value": value });
                    if *delay_secs > 0.0 {
                        e["DelaySeconds"] = json!(delay_secs);
                    }
                    json!({ "Type": "MockResponse", "Response": { "Type": "Error", "Error": e } })
                }
            };
            json!({
                "ActionType": "OverrideSystemBehavior",
                "Behavior": { "Type": "FlowAction", "Properties": props }
            })
        }
        ActionKind::Assert { path, op, operand } => {
            let mut p = json!({ "Namespace": path, "Operator": op.name() });
            if let Some(o) = operand {
                p["Operand"] = o.clone().into();
            }
            p
        }
        ActionKind::EndTest => {
            json!({ "ActionType": "TestControl", "Command": { "Type": "EndTest" } })
        }
        ActionKind::LogData(exprs) => json!({
            "ActionType": "TestControl",
            "Command": { "Type": "LogData", "Properties": { "Expressions": exprs } }
        }),
    }
}

/// A `CreateTestCase` request body (`aws connect create-test-case --instance-id ID
/// --cli-input-json file://THIS`): `Content` and `InitializationData` as strings.
pub fn create_request(case: &TestCase) -> Value {
    let content = serde_json::to_string(&document(&case.doc)).unwrap_or_default();
    let mut params = Map::new();
    if let Some(f) = &case.entry.flow_id {
        params.insert("FlowId".into(), f.clone().into());
    }
    if let Some(s) = &case.entry.source {
        params.insert("SourcePhoneNumber".into(), s.clone().into());
    }
    if let Some(d) = &case.entry.destination {
        params.insert("DestinationPhoneNumber".into(), d.clone().into());
    }
    let entry = if case.entry.chat {
        json!({ "Type": "CHAT", "ChatEntryPointParameters": params })
    } else {
        json!({ "Type": "VOICE_CALL", "VoiceCallEntryPointParameters": params })
    };
    let init = json!({
        "Attributes": case.init.attributes,
        "SegmentAttributes": case.init.segment_attributes,
    });
    let mut v = json!({
        "Name": case.name,
        "Content": content,
        "EntryPoint": entry,
        "InitializationData": init.to_string(),
        "Status": "PUBLISHED",
    });
    if let Some(d) = &case.description {
        v["Description"] = d.clone().into();
    }
    v
}

/// What the live service rejects in a `CreateTestCase` body (PUBLISHED), as found
/// by practitioners (connect-testing-language.md §2–§6, §11; anchors-2026.md): one
/// message each. Empty: it publishes.
pub fn service_problems(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut p = |m: String| out.push(m);
    match body.get("Name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => {}
        _ => p("Name: required, at least 1 character".into()),
    }
    let entry = body.get("EntryPoint").cloned().unwrap_or(Value::Null);
    let chat = entry.get("Type").and_then(Value::as_str) == Some("CHAT");
    let params = entry
        .get(if chat {
            "ChatEntryPointParameters"
        } else {
            "VoiceCallEntryPointParameters"
        })
        .cloned()
        .unwrap_or(Value::Null);
    let flow = params.get("FlowId").is_some();
    let source = params.get("SourcePhoneNumber");
    let dest = params.get("DestinationPhoneNumber");
    if flow && dest.is_some() {
        p("EntryPoint: Must specify either FlowId or phone numbers".into());
    }
    if !flow && dest.is_none() {
        p("EntryPoint: Must specify either FlowId or phone numbers".into());
    }
    if dest.is_some() && source.is_none() {
        p("EntryPoint: Missing mandatory parameter SourcePhoneNumber".into());
    }
    for (k, n) in [
        ("SourcePhoneNumber", source),
        ("DestinationPhoneNumber", dest),
    ] {
        if let Some(n) = n
            && !n.as_str().is_some_and(e164)
        {
            p(format!(
                "EntryPoint: {k} {n} is not E.164 (\\+[1-9]\\d{{1,14}})"
            ));
        }
    }
    match body.get("InitializationData").and_then(Value::as_str) {
        Some(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) if m.keys().all(|k| k == "Attributes" || k == "SegmentAttributes") => {}
            _ => p("InitializationData: expected a string holding {\"Attributes\": {…}, \"SegmentAttributes\": {…}}".into()),
        },
        None => p("InitializationData: expected a JSON string".into()),
    }
    let doc: Value = match body
        .get("Content")
        .and_then(Value::as_str)
        .map(serde_json::from_str)
    {
        Some(Ok(d)) => d,
        _ => {
            p("Content: expected a string holding the testing-language document".into());
            return out;
        }
    };
    if doc.get("Version").and_then(Value::as_str) != Some(VERSION) {
        p(format!("Content: Version must be \"{VERSION}\""));
    }
    let empty = Vec::new();
    let obs = doc
        .get("Observations")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    if obs.is_empty() {
        p("Content: no Observations".into());
    }
    for (i, o) in obs.iter().enumerate() {
        let at = format!("Observations[{i}]");
        if o.get("Usage").is_some() {
            p(format!(
                "{at}: Usage is not accepted (the default, exactly once, applies)"
            ));
        }
        if o.get("Identifier")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            p(format!("{at}: no Identifier"));
        }
        let ev = o.get("Event").cloned().unwrap_or(Value::Null);
        if ev
            .get("Identifier")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            p(format!("{at}.Event: no Identifier"));
        }
        if ev.get("MatchingCriteria").is_some() {
            p(format!(
                "{at}.Event: MatchingCriteria must be an object inside Properties"
            ));
        }
        if ev.get("Type").and_then(Value::as_str) == Some("MessageReceived") {
            let props = ev.get("Properties").cloned().unwrap_or(Value::Null);
            let has = ["PromptId", "Text", "SSML"].iter().any(|k| {
                props
                    .get(k)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.trim().is_empty())
            });
            if !has {
                p(format!(
                    "{at}.Event: At least one of PromptId, Text, or SSML must be present"
                ));
            }
            if props
                .get("MatchingCriteria")
                .is_none_or(|c| c.get("Type").is_none())
            {
                p(format!(
                    "{at}.Event: MatchingCriteria must be an object {{\"Type\": …}} inside Properties"
                ));
            }
        }
        for (j, a) in o
            .get("Actions")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .iter()
            .enumerate()
        {
            let at = format!("{at}.Actions[{j}]");
            let kind = a.get("Type").and_then(Value::as_str).unwrap_or("");
            let params = a.get("Parameters").cloned().unwrap_or(Value::Null);
            let echoed = params.get("ActionType").and_then(Value::as_str);
            if kind == "Assert" {
                let op = params.get("Operator").and_then(Value::as_str).unwrap_or("");
                if op == "Exists" {
                    p(format!(
                        "{at}: Invalid operator parameter for AssertAction (Exists)"
                    ));
                }
                if op == "Equals" && params.get("Operand").is_none() {
                    p(format!("{at}: Equals needs an Operand"));
                }
            } else if echoed != Some(kind) {
                p(format!(
                    "{at}: Parameters.ActionType must repeat the Type \"{kind}\""
                ));
            }
            if kind == "SendInstruction"
                && chat
                && params.pointer("/Instruction/Type").and_then(Value::as_str) == Some("DtmfInput")
            {
                p(format!(
                    "{at}: DTMF input is not supported for Chat entry point"
                ));
            }
            if let Some(v) = params.pointer("/Instruction/Properties/Value")
                && !v.is_string()
            {
                p(format!("{at}: the DTMF Value must be a string"));
            }
            if kind == "OverrideSystemBehavior"
                && params
                    .pointer("/Behavior/Properties/ActionParameters")
                    .is_none_or(|v| v.as_object().is_none_or(Map::is_empty))
            {
                p(format!(
                    "{at}: InvalidFlowActionParametersProblem (empty ActionParameters)"
                ));
            }
            if let Some(d) =
                params.pointer("/Behavior/Properties/Strategy/Response/ExecutionResult/LoadedData")
                && !d.is_string()
            {
                p(format!("{at}: LoadedData must be a JSON string"));
            }
        }
    }
    out
}

fn e164(s: &str) -> bool {
    let Some(d) = s.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&d.len()) && d.chars().all(|c| c.is_ascii_digit()) && !d.starts_with('0')
}
