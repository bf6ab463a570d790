//! Reading a test case: every shape and variant the references list
//! (connect-testing-language.md §10–11), normalized into [`TestCase`].
//!
//! Accepted top levels: the bare document (`{"Version", "Observations"}`), a
//! `CreateTestCase` body (`{"Name", "Content", "EntryPoint", …}`, `Content` and
//! `InitializationData` as strings or objects), and `describe-test-case` output
//! (`{"TestCase": {…}}`). Unknown keys are ignored; doubtful spellings give warnings.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::model::*;

/// Why a test case cannot be read: where (a JSON path such as
/// `Observations[1].Actions[0]`) and what.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct ParseError {
    pub at: String,
    pub message: String,
}

fn err(at: &str, message: impl Into<String>) -> ParseError {
    ParseError {
        at: at.to_owned(),
        message: message.into(),
    }
}

/// The test case in `text`, and warnings (variants the live service may reject).
/// `name` is used when the file gives none (the file stem).
pub fn parse(text: &str, name: &str) -> Result<(TestCase, Vec<String>), ParseError> {
    let top: Value = serde_json::from_str(text).map_err(|e| err("JSON", e.to_string()))?;
    let mut warnings = Vec::new();
    let top = match top.get("TestCase") {
        Some(tc) => tc.clone(),
        None => top,
    };
    let obj = top
        .as_object()
        .ok_or_else(|| err("top level", "expected a JSON object"))?;
    let (doc_value, wrapper) = if obj.contains_key("Observations") {
        (top.clone(), None)
    } else if let Some(content) = obj.get("Content") {
        let doc = match content {
            Value::String(s) => serde_json::from_str(s)
                .map_err(|e| err("Content", format!("not a JSON document: {e}")))?,
            Value::Object(_) => content.clone(),
            _ => return Err(err("Content", "expected a string or an object")),
        };
        (doc, Some(obj))
    } else {
        return Err(err(
            "top level",
            "not a test case: no `Observations`, `Content` or `TestCase` key",
        ));
    };
    let doc = document(&doc_value, &mut warnings)?;
    let mut case = TestCase {
        name: name.to_owned(),
        description: None,
        entry: EntryPoint::default(),
        init: InitData::default(),
        doc,
    };
    if let Some(w) = wrapper {
        if let Some(n) = w.get("Name").and_then(Value::as_str)
            && !n.trim().is_empty()
        {
            case.name = n.to_owned();
        }
        case.description = w
            .get("Description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(e) = w.get("EntryPoint") {
            case.entry = entry_point(e)?;
        }
        if let Some(i) = w.get("InitializationData") {
            case.init = init_data(i, &mut warnings)?;
        }
    }
    Ok((case, warnings))
}

fn entry_point(v: &Value) -> Result<EntryPoint, ParseError> {
    let at = "EntryPoint";
    let kind = text(v.get("Type")).unwrap_or_else(|| "VOICE_CALL".into());
    let chat = match kind.as_str() {
        "VOICE_CALL" => false,
        "CHAT" => true,
        other => {
            return Err(err(
                at,
                format!("Type \"{other}\": expected VOICE_CALL or CHAT"),
            ));
        }
    };
    let params = v
        .get("VoiceCallEntryPointParameters")
        .or_else(|| v.get("ChatEntryPointParameters"))
        .cloned()
        .unwrap_or(Value::Null);
    Ok(EntryPoint {
        chat,
        flow_id: text(params.get("FlowId")),
        source: text(params.get("SourcePhoneNumber")),
        destination: text(params.get("DestinationPhoneNumber")),
    })
}

/// `InitializationData`: a JSON string or an object; `Attributes` and
/// `SegmentAttributes` are read, a flat map of strings is taken as attributes (a
/// legacy guess, with a warning), other keys are warned about.
pub fn init_data(v: &Value, warnings: &mut Vec<String>) -> Result<InitData, ParseError> {
    let at = "InitializationData";
    let v = match v {
        Value::String(s) if s.trim().is_empty() => return Ok(InitData::default()),
        Value::String(s) => {
            serde_json::from_str(s).map_err(|e| err(at, format!("not a JSON object: {e}")))?
        }
        Value::Null => return Ok(InitData::default()),
        other => other.clone(),
    };
    let obj = v.as_object().ok_or_else(|| err(at, "expected an object"))?;
    let mut out = InitData::default();
    let known = obj.contains_key("Attributes") || obj.contains_key("SegmentAttributes");
    for (k, val) in obj {
        match (k.as_str(), val) {
            ("Attributes", Value::Object(m)) => {
                for (ak, av) in m {
                    out.attributes.insert(ak.clone(), scalar(av));
                }
            }
            ("SegmentAttributes", Value::Object(m)) => out.segment_attributes = m.clone(),
            (_, Value::String(s)) if !known => {
                warnings.push(format!(
                    "{at}: flat key \"{k}\" taken as an attribute (the service reads only \
                     {{\"Attributes\": {{…}}}})"
                ));
                out.attributes.insert(k.clone(), s.clone());
            }
            _ => warnings.push(format!("{at}: key \"{k}\" is not read")),
        }
    }
    Ok(out)
}

fn document(v: &Value, warnings: &mut Vec<String>) -> Result<Document, ParseError> {
    let version = text(v.get("Version")).unwrap_or_default();
    if version != VERSION && version != VERSION_2025 {
        warnings.push(format!(
            "Version \"{version}\": expected \"{VERSION}\" (or \"{VERSION_2025}\")"
        ));
    }
    let list = v
        .get("Observations")
        .and_then(Value::as_array)
        .ok_or_else(|| err("Observations", "expected a list"))?;
    let mut observations = Vec::with_capacity(list.len());
    for (i, o) in list.iter().enumerate() {
        observations.push(observation(o, &format!("Observations[{i}]"), warnings)?);
    }
    let ids: Vec<&str> = observations.iter().map(|o| o.id.as_str()).collect();
    for (i, o) in observations.iter().enumerate() {
        if ids[..i].contains(&o.id.as_str()) {
            return Err(err(
                &format!("Observations[{i}]"),
                format!("Identifier \"{}\" is used twice", o.id),
            ));
        }
        for n in &o.next {
            if !ids.contains(&n.as_str()) {
                return Err(err(
                    &format!("Observations[{i}].Transitions"),
                    format!("NextObservations names \"{n}\", which no observation has"),
                ));
            }
        }
    }
    Ok(Document {
        version,
        metadata: v
            .get("Metadata")
            .cloned()
            .unwrap_or(Value::Object(Map::new())),
        observations,
    })
}

fn observation(v: &Value, at: &str, warnings: &mut Vec<String>) -> Result<Observation, ParseError> {
    let id = text(v.get("Identifier").or_else(|| v.get("Id")))
        .ok_or_else(|| err(at, "no Identifier"))?;
    let ev = v
        .get("Event")
        .ok_or_else(|| err(at, format!("observation \"{id}\" has no Event")))?;
    let event = event(ev, &format!("{at}.Event"))?;
    let usage = match v.get("Usage") {
        None | Some(Value::Null) => Usage::Exactly(1),
        Some(u) => {
            let kind = text(u.get("Type")).unwrap_or_else(|| "EXACTLY".into());
            match kind.to_ascii_uppercase().as_str() {
                "EXACTLY" => {
                    let times = u.get("Times").map_or(Some(1), |t| match t {
                        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                        Value::String(s) => s.trim().parse().ok(),
                        _ => None,
                    });
                    Usage::Exactly(
                        times
                            .filter(|&t| t >= 1)
                            .ok_or_else(|| err(at, "Usage.Times: expected a number ≥ 1"))?,
                    )
                }
                "ANY" => Usage::Any,
                other => {
                    return Err(err(
                        at,
                        format!("Usage.Type \"{other}\": expected EXACTLY or ANY"),
                    ));
                }
            }
        }
    };
    let next = match v.get("Transitions") {
        Some(t) => t
            .get("NextObservations")
            .or_else(|| t.get("NextActions"))
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|s| text(Some(s))).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let actions = match v.get("Actions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => actions(list, &format!("{at}.Actions"), warnings)?,
        Some(_) => return Err(err(at, "Actions: expected a list")),
    };
    Ok(Observation {
        id,
        event,
        actions,
        usage,
        next,
    })
}

fn event(v: &Value, at: &str) -> Result<Event, ParseError> {
    let id = text(v.get("Identifier")).unwrap_or_default();
    let kind = text(v.get("Type")).ok_or_else(|| err(at, "no Type"))?;
    let props = v.get("Properties").cloned().unwrap_or(Value::Null);
    let kind = match kind.as_str() {
        "TestInitiated" => EventKind::TestInitiated,
        "TestCompleted" => EventKind::TestCompleted,
        "MessageReceived" => {
            let expected = if let Some(t) = text(props.get("Text")) {
                Expected::Text(t)
            } else if let Some(s) = text(props.get("SSML")) {
                Expected::Ssml(s)
            } else if let Some(p) = text(props.get("PromptId")) {
                Expected::PromptId(p)
            } else if let Some(u) = props.get("Media").and_then(|m| text(m.get("Uri"))) {
                Expected::Media(u)
            } else {
                return Err(err(
                    at,
                    "MessageReceived: at least one of PromptId, Text, SSML or Media must be present",
                ));
            };
            // Inside Properties (an object or a string), or beside it (the example).
            let crit = props
                .get("MatchingCriteria")
                .or_else(|| v.get("MatchingCriteria"));
            let (criteria, threshold) = match crit {
                None | Some(Value::Null) => (Criteria::Similarity, None),
                Some(c) => {
                    let name = match c {
                        Value::String(s) => s.trim().to_owned(),
                        _ => text(c.get("Type")).unwrap_or_default(),
                    };
                    let criteria = match name.to_ascii_lowercase().as_str() {
                        "similarity" | "similar" | "" => Criteria::Similarity,
                        "inclusion" | "contains" => Criteria::Inclusion,
                        other => {
                            return Err(err(
                                at,
                                format!(
                                    "MatchingCriteria \"{other}\": expected Similarity or Inclusion"
                                ),
                            ));
                        }
                    };
                    (criteria, c.get("Threshold").and_then(number))
                }
            };
            EventKind::MessageReceived {
                expected,
                criteria,
                threshold,
            }
        }
        "FlowActionStarted" => EventKind::FlowActionStarted(flow_action(&props, at)?),
        other => EventKind::Unknown(other.to_owned()),
    };
    Ok(Event { id, kind })
}

/// `{ActionType, ActionParameters}` → the flow action it names.
fn flow_action(props: &Value, at: &str) -> Result<FlowAction, ParseError> {
    let kind = text(props.get("ActionType")).ok_or_else(|| err(at, "no ActionType"))?;
    let p = props
        .get("ActionParameters")
        .cloned()
        .unwrap_or(Value::Null);
    let get = |k: &str| text(p.get(k)).unwrap_or_default();
    Ok(match kind.as_str() {
        "InvokeLambdaFunction" => FlowAction::Lambda(get("LambdaFunctionARN")),
        "CheckHoursOfOperation" => FlowAction::Hours(get("HoursOfOperationId")),
        "TransferContactToQueue" => FlowAction::Queue {
            queue: get("QueueId"),
            agent: text(p.get("AgentId")),
        },
        "DequeueAndTransferToQueue" => FlowAction::Dequeue(get("QueueId")),
        "ConnectParticipantWithLexBot" => FlowAction::LexBot(
            p.get("LexV2Bot")
                .and_then(|b| text(b.get("AliasArn")))
                .unwrap_or_default(),
        ),
        other => {
            return Err(err(
                at,
                format!(
                    "ActionType \"{other}\": observable flow actions are InvokeLambdaFunction, \
                     CheckHoursOfOperation, TransferContactToQueue, DequeueAndTransferToQueue, \
                     ConnectParticipantWithLexBot"
                ),
            ));
        }
    })
}

/// The actions in run order: from the first one no other links to, along
/// `NextAction`; actions no chain reaches run after, in array order.
fn actions(
    list: &[Value],
    at: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<Action>, ParseError> {
    let mut parsed = Vec::with_capacity(list.len());
    for (i, a) in list.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let id = text(a.get("Identifier").or_else(|| a.get("Id")))
            .unwrap_or_else(|| format!("action-{i}"));
        let next = a
            .get("Transitions")
            .and_then(|t| text(t.get("NextAction")))
            .filter(|s| !s.is_empty());
        parsed.push((action(a, &id, &here, warnings)?, next));
    }
    let ids: Vec<String> = parsed.iter().map(|(a, _)| a.id.clone()).collect();
    for (i, (_, next)) in parsed.iter().enumerate() {
        if let Some(n) = next
            && !ids.contains(n)
        {
            return Err(err(
                &format!("{at}[{i}].Transitions"),
                format!("NextAction names \"{n}\", which no action of this observation has"),
            ));
        }
    }
    let linked: Vec<&String> = parsed.iter().filter_map(|(_, n)| n.as_ref()).collect();
    let mut order = Vec::with_capacity(parsed.len());
    let mut done = vec![false; parsed.len()];
    for start in 0..parsed.len() {
        if done[start] || linked.contains(&&ids[start]) {
            continue;
        }
        let mut i = start;
        while !done[i] {
            done[i] = true;
            order.push(i);
            match parsed[i]
                .1
                .as_ref()
                .and_then(|n| ids.iter().position(|x| x == n))
            {
                Some(j) => i = j,
                None => break,
            }
        }
    }
    // A chain that loops on itself (no start): array order.
    order.extend((0..parsed.len()).filter(|&i| !done[i]));
    let mut slots: Vec<Option<Action>> = parsed.into_iter().map(|(a, _)| Some(a)).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

fn action(v: &Value, id: &str, at: &str, warnings: &mut Vec<String>) -> Result<Action, ParseError> {
    let kind = text(v.get("Type")).ok_or_else(|| err(at, "no Type"))?;
    let p = v.get("Parameters").cloned().unwrap_or(Value::Null);
    let kind = match kind.as_str() {
        "SendInstruction" => {
            // The documented form, or a practitioner's `Parameters.DtmfInput{Value}`.
            let (itype, props) = match p.get("Instruction") {
                Some(ins) => (
                    text(ins.get("Type")).unwrap_or_default(),
                    ins.get("Properties").cloned().unwrap_or(Value::Null),
                ),
                None => match p.get("DtmfInput") {
                    Some(d) => ("DtmfInput".to_owned(), d.clone()),
                    None => return Err(err(at, "SendInstruction: no Instruction")),
                },
            };
            match itype.as_str() {
                "DtmfInput" => {
                    let keys =
                        text(props.get("Value")).ok_or_else(|| err(at, "DtmfInput: no Value"))?;
                    if keys.is_empty()
                        || !keys
                            .chars()
                            .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
                    {
                        return Err(err(
                            at,
                            format!("DtmfInput Value \"{keys}\": expected keys 0-9, * and #"),
                        ));
                    }
                    ActionKind::Dtmf(keys)
                }
                "TextUtterance" | "Utterance" | "TextInput" => {
                    let text = text(props.get("Text"))
                        .or_else(|| text(props.get("Value")))
                        .or_else(|| text(props.get("SSML")))
                        .ok_or_else(|| err(at, format!("{itype}: no Text, Value or SSML")))?;
                    ActionKind::Utterance {
                        text,
                        language: self::text(props.get("LanguageCode")),
                    }
                }
                "Disconnect" => ActionKind::Disconnect,
                other => {
                    return Err(err(
                        at,
                        format!(
                            "Instruction Type \"{other}\": expected DtmfInput, TextUtterance or Disconnect"
                        ),
                    ));
                }
            }
        }
        "OverrideSystemBehavior" => {
            let props = p
                .get("Behavior")
                .and_then(|b| b.get("Properties"))
                .ok_or_else(|| err(at, "OverrideSystemBehavior: no Behavior.Properties"))?;
            let target = flow_action(props, at)?;
            let s = props
                .get("Strategy")
                .ok_or_else(|| err(at, "no Strategy"))?;
            let strategy = match text(s.get("Type")).unwrap_or_default().as_str() {
                "SubstituteResource" => Strategy::Substitute(
                    text(s.get("SubstituteArn"))
                        .ok_or_else(|| err(at, "SubstituteResource: no SubstituteArn"))?,
                ),
                "MockResponse" => {
                    let r = s.get("Response").cloned().unwrap_or(Value::Null);
                    match text(r.get("Type")).unwrap_or_default().as_str() {
                        "ExecutionResult" => {
                            let e = r.get("ExecutionResult").cloned().unwrap_or(Value::Null);
                            let as_text = |v: Option<&Value>| match v {
                                Some(Value::String(s)) => Some(s.clone()),
                                Some(Value::Null) | None => None,
                                Some(other) => Some(other.to_string()),
                            };
                            let loaded = as_text(e.get("LoadedData"));
                            let value = as_text(e.get("Value"));
                            Strategy::Result {
                                delay_secs: e.get("DelaySeconds").and_then(number).unwrap_or(0.0),
                                loaded_data: loaded,
                                value,
                            }
                        }
                        "Error" => {
                            let e = r.get("Error").cloned().unwrap_or(Value::Null);
                            Strategy::Error {
                                value: text(e.get("Value"))
                                    .ok_or_else(|| err(at, "MockResponse Error: no Value"))?,
                                delay_secs: e.get("DelaySeconds").and_then(number).unwrap_or(0.0),
                            }
                        }
                        other => {
                            return Err(err(
                                at,
                                format!(
                                    "MockResponse Response.Type \"{other}\": expected ExecutionResult or Error"
                                ),
                            ));
                        }
                    }
                }
                other => {
                    return Err(err(
                        at,
                        format!(
                            "Strategy Type \"{other}\": expected SubstituteResource or MockResponse"
                        ),
                    ));
                }
            };
            ActionKind::Override { target, strategy }
        }
        "Assert" => {
            let path = text(p.get("Namespace")).ok_or_else(|| err(at, "Assert: no Namespace"))?;
            let op_name = text(p.get("Operator")).ok_or_else(|| err(at, "Assert: no Operator"))?;
            let op = Operator::from_name(&op_name).ok_or_else(|| {
                err(
                    at,
                    format!(
                        "Assert Operator \"{op_name}\": expected one of {}",
                        Operator::ALL.map(Operator::name).join(", ")
                    ),
                )
            })?;
            if op == Operator::Exists {
                warnings.push(format!(
                    "{at}: Assert Exists is supported offline; the live service rejects it"
                ));
            }
            ActionKind::Assert {
                path,
                op,
                operand: p.get("Operand").map(scalar),
            }
        }
        "TestControl" => {
            let cmd = p.get("Command").cloned().unwrap_or(Value::Null);
            let name = match &cmd {
                Value::String(s) => s.trim().to_owned(),
                _ => text(cmd.get("Type")).unwrap_or_default(),
            };
            match name.as_str() {
                "EndTest" => ActionKind::EndTest,
                "LogData" => {
                    let mut out = IndexMap::new();
                    if let Some(Value::Object(m)) =
                        cmd.get("Properties").and_then(|p| p.get("Expressions"))
                    {
                        for (k, v) in m {
                            out.insert(k.clone(), scalar(v));
                        }
                    }
                    ActionKind::LogData(out)
                }
                other => {
                    return Err(err(
                        at,
                        format!("TestControl Command \"{other}\": expected EndTest or LogData"),
                    ));
                }
            }
        }
        other => {
            return Err(err(
                at,
                format!(
                    "action Type \"{other}\": expected SendInstruction, OverrideSystemBehavior, Assert or TestControl"
                ),
            ));
        }
    };
    Ok(Action {
        id: id.to_owned(),
        kind,
    })
}

/// A string (trimmed: the docs write `"InvokeLambdaFunction "`) or a number as text.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value as text: strings as they are, others as JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}
