//! A call's trace → the flow-log records Connect would write for it.
//!
//! One record per block run while logging is on (a Set contact attributes block:
//! one per attribute; a Check contact attributes block: one per condition tested),
//! written when the block finishes, stamped on the call's clock.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::record::{LogRecord, flow_arn, module_type};
use crate::engine::{BlockRef, InputMode, PromptKind, TraceEvent, TraceKind};
use crate::flow::{Block, Flow, FlowSet, Kind, Operator, Validation};

/// How records are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One compact JSON record per line, as CloudWatch stores `@message`.
    #[default]
    JsonLines,
    /// What `aws logs filter-log-events` prints: `{"events": [{…, "message": …}]}`.
    Cloudwatch,
}

impl LogFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" | "jsonl" | "json-lines" => Some(Self::JsonLines),
            "cloudwatch" => Some(Self::Cloudwatch),
            _ => None,
        }
    }
}

/// Settings of a writer.
#[derive(Clone, Copy, Debug)]
pub struct WriteOptions {
    /// The call's start: timestamps are this plus the call's virtual time.
    pub start: jiff::Timestamp,
    /// Logging is on from the first block (a contact transferred in with logging on,
    /// or a test of a flow that never enables it).
    pub logging_on: bool,
}

impl WriteOptions {
    /// The environment's start time (`--at`), else the engine's default instant
    /// (Monday 2026-11-30 12:00 UTC, as hours checks use).
    pub fn for_env(env: &crate::env::Environment, logging_on: bool) -> Self {
        Self {
            start: env.start_time().unwrap_or_else(default_start),
            logging_on,
        }
    }
}

/// The instant a call starts when nothing says (the hours checks' default).
pub fn default_start() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_796_040_000).expect("a valid instant")
}

/// One block's run and the records it wrote.
#[derive(Clone, Debug)]
pub struct LoggedBlock {
    pub block: BlockRef,
    /// The action `Type`.
    pub type_name: String,
    /// The branch taken and why (`Next: valid STRING_MAP response`); empty when the
    /// call ended in the block.
    pub branch: String,
    pub records: Vec<LogRecord>,
    /// Index of the block's `BlockStarted` event in the trace.
    pub event: usize,
}

/// The records a call's trace makes: one [`LoggedBlock`] per block run while
/// logging was on.
pub fn write_records(
    flows: &FlowSet,
    events: &[TraceEvent],
    opts: WriteOptions,
) -> Vec<LoggedBlock> {
    let by_name: HashMap<&str, &Arc<Flow>> = std::iter::once(&flows.main)
        .chain(flows.others.iter())
        .map(|f| (f.name.as_str(), f))
        .collect();
    let mut contact_id = String::new();
    let mut logging = opts.logging_on;
    // Flow names, the running one last (modules push, returns pop).
    let mut stack: Vec<String> = vec![flows.main.name.clone()];
    let mut out = Vec::new();
    // The last block's record time: each block's records are at least 1 ms after
    // the previous block's (Connect's blocks take time; flowsim's take none), so
    // two runs of a block are never the same record, which readers would drop as
    // an at-least-once duplicate.
    let mut last_ms: Option<u64> = None;
    let mut i = 0;
    while i < events.len() {
        match &events[i].kind {
            TraceKind::CallStarted { contact_id: c, .. } => contact_id = c.clone(),
            TraceKind::FlowChanged { to, how, .. } => match how.as_str() {
                "module" => stack.push(to.clone()),
                "module returned" => {
                    stack.pop();
                    if stack.last() != Some(to) {
                        stack.push(to.clone());
                    }
                }
                _ => stack = vec![to.clone()],
            },
            TraceKind::BlockStarted {
                block, type_name, ..
            } => {
                let end = events[i + 1..]
                    .iter()
                    .position(|e| {
                        matches!(
                            e.kind,
                            TraceKind::BlockStarted { .. } | TraceKind::FlowChanged { .. }
                        )
                    })
                    .map_or(events.len(), |p| i + 1 + p);
                let segment = &events[i + 1..end];
                let was_on = logging;
                for e in segment {
                    if let TraceKind::ContactUpdated { field, value } = &e.kind
                        && field == "logging"
                    {
                        logging = value == "enabled";
                    }
                }
                let flow = by_name.get(block.flow.as_str());
                let b = flow.and_then(|f| f.block(&block.id));
                if (was_on || logging)
                    && let (Some(flow), Some(b)) = (flow, b)
                {
                    let arns: Vec<String> = stack
                        .iter()
                        .rev()
                        .filter_map(|n| by_name.get(n.as_str()).map(|f| flow_arn(f)))
                        .collect();
                    let ctx = Ctx {
                        contact_id: &contact_id,
                        flow,
                        block: b,
                        stack: &arns,
                        start: opts.start,
                        at: {
                            let at = segment_end(&events[i], segment);
                            let at = last_ms.map_or(at, |l| at.max(l + 1));
                            last_ms = Some(at);
                            at
                        },
                    };
                    let branch = segment
                        .iter()
                        .find_map(|e| match &e.kind {
                            TraceKind::BranchTaken { branch, reason, .. } => {
                                Some(format!("{branch}: {reason}"))
                            }
                            _ => None,
                        })
                        .unwrap_or_default();
                    out.push(LoggedBlock {
                        block: block.clone(),
                        type_name: type_name.clone(),
                        branch,
                        records: block_records(&ctx, segment),
                        event: i,
                    });
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The records as the format writes them (each line ends in a newline).
pub fn render(blocks: &[LoggedBlock], format: LogFormat) -> String {
    let records = blocks.iter().flat_map(|b| b.records.iter());
    match format {
        LogFormat::JsonLines => {
            let mut s = String::new();
            for r in records {
                s.push_str(&r.to_json());
                s.push('\n');
            }
            s
        }
        LogFormat::Cloudwatch => {
            let events: Vec<Value> = records
                .enumerate()
                .map(|(n, r)| {
                    let ms = r
                        .timestamp()
                        .parse::<jiff::Timestamp>()
                        .map(|t| t.as_millisecond())
                        .unwrap_or(0);
                    let hour = jiff::Timestamp::from_millisecond(ms)
                        .map(|t| t.strftime("%Y/%m/%d/%H").to_string())
                        .unwrap_or_default();
                    json!({
                        "logStreamName": format!("{hour}/stream-flowsim"),
                        "timestamp": ms,
                        "message": r.to_json(),
                        "ingestionTime": ms + 500,
                        "eventId": format!("{ms:020}{n:016}"),
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&json!({
                "events": events,
                "searchedLogStreams": [],
            }))
            .unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

/// When a block's record is written: when it finished (its branch), else when the
/// last thing in it happened.
fn segment_end(start: &TraceEvent, segment: &[TraceEvent]) -> u64 {
    segment
        .iter()
        .find(|e| matches!(e.kind, TraceKind::BranchTaken { .. }))
        .or(segment.last())
        .unwrap_or(start)
        .at
        .as_millis()
}

struct Ctx<'a> {
    contact_id: &'a str,
    flow: &'a Flow,
    block: &'a Block,
    /// ARNs of the running flows, innermost first.
    stack: &'a [String],
    start: jiff::Timestamp,
    at: u64,
}

impl Ctx<'_> {
    fn record(&self, parameters: Map<String, Value>, results: Option<String>) -> LogRecord {
        let mut m = Map::new();
        // Records with Results lead with it, as production's do (reference §1.4).
        if let Some(r) = results {
            m.insert("Results".into(), Value::String(r));
        }
        m.insert("ContactId".into(), json!(self.contact_id));
        m.insert(
            "ContactFlowId".into(),
            json!(
                self.stack
                    .first()
                    .cloned()
                    .unwrap_or_else(|| flow_arn(self.flow))
            ),
        );
        m.insert("ContactFlowName".into(), json!(self.flow.name));
        m.insert(
            "ContactFlowModuleType".into(),
            json!(module_type(self.block)),
        );
        m.insert("Identifier".into(), json!(self.block.id));
        let at = self
            .start
            .checked_add(jiff::SignedDuration::from_millis(
                i64::try_from(self.at).unwrap_or(i64::MAX),
            ))
            .unwrap_or(self.start);
        m.insert(
            "Timestamp".into(),
            json!(at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
        );
        m.insert("Parameters".into(), Value::Object(parameters));
        if self.stack.len() > 1 {
            m.insert("ModuleExecutionStack".into(), json!(self.stack));
        }
        LogRecord(m)
    }
}

/// A JSON value with every scalar leaf as a string (flow logs write strings).
fn stringify(v: &Value) -> Value {
    match v {
        Value::String(_) => v.clone(),
        Value::Null => Value::String(String::new()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(a) => Value::Array(a.iter().map(stringify).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), stringify(v))).collect())
        }
    }
}

fn static_params(block: &Block) -> Map<String, Value> {
    block
        .params
        .iter()
        .map(|(k, v)| (k.clone(), stringify(v)))
        .collect()
}

/// The log's `ComparisonMethod` for an operator (reference §2.2).
fn comparison_method(op: Operator) -> &'static str {
    match op {
        Operator::Equals => "Equals",
        Operator::TextContains => "Contains",
        Operator::TextStartsWith => "StartsWith",
        Operator::TextEndsWith => "EndsWith",
        Operator::NumberGreaterThan => "GreaterThan",
        Operator::NumberGreaterOrEqualTo => "GreaterThanOrEqualTo",
        Operator::NumberLessThan => "LessThan",
        Operator::NumberLessOrEqualTo => "LessThanOrEqualTo",
    }
}

/// A Lambda failure as the log's `Results` (reference §2.4).
fn lambda_error(detail: &str) -> String {
    if let Some(cause) = detail.strip_prefix("invocation failed: ") {
        cause.to_owned()
    } else if detail.starts_with("function error") {
        "The Lambda Function Returned An Error.".into()
    } else if detail.starts_with("no answer") {
        "The Lambda Function Timed Out.".into()
    } else {
        "The Lambda Function Returned An Invalid Response.".into()
    }
}

fn prompt_params(segment: &[TraceEvent], p: &mut Map<String, Value>) {
    for e in segment {
        if let TraceKind::Prompt { kind, source, .. } = &e.kind {
            match kind {
                PromptKind::Text | PromptKind::Ssml => {
                    p.insert("Text".into(), json!(source));
                    p.insert(
                        "TextToSpeechType".into(),
                        json!(if *kind == PromptKind::Ssml {
                            "ssml"
                        } else {
                            "text"
                        }),
                    );
                }
                PromptKind::PromptId => {
                    p.insert("PromptLocation".into(), json!(source));
                }
                PromptKind::Media => {
                    p.insert("PromptSource".into(), json!(source));
                }
            }
            return;
        }
    }
}

fn block_records(ctx: &Ctx<'_>, segment: &[TraceEvent]) -> Vec<LogRecord> {
    let (branch, value) = segment
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::BranchTaken { branch, value, .. } => Some((branch.as_str(), value.clone())),
            _ => None,
        })
        .unwrap_or(("", None));
    let error = branch == "NoMatchingError" || branch.ends_with("(no branch)");
    let block = ctx.block;
    match &block.kind {
        Kind::UpdateContactAttributes { .. } | Kind::UpdateFlowAttributes { .. } => {
            let contact = matches!(block.kind, Kind::UpdateContactAttributes { .. });
            let records: Vec<LogRecord> = segment
                .iter()
                .filter_map(|e| match &e.kind {
                    TraceKind::AttributeSet { key, value, .. } => {
                        let mut p = Map::new();
                        p.insert("Value".into(), json!(value));
                        if contact {
                            p.insert("AddAttributeToRelatedContact".into(), json!("false"));
                        }
                        p.insert("Key".into(), json!(key));
                        Some(ctx.record(p, None))
                    }
                    _ => None,
                })
                .collect();
            if records.is_empty() {
                vec![ctx.record(Map::new(), error.then(|| "Error".into()))]
            } else {
                records
            }
        }
        Kind::Compare { .. } => {
            let Some(v) = value else {
                return vec![ctx.record(Map::new(), Some("false".into()))];
            };
            let mut out = Vec::new();
            for c in &block.conditions {
                let hit = c.operator.eval(&v, &c.operand);
                let mut p = Map::new();
                p.insert(
                    "ComparisonMethod".into(),
                    json!(comparison_method(c.operator)),
                );
                p.insert("Value".into(), json!(v));
                p.insert("SecondValue".into(), json!(c.operand));
                out.push(ctx.record(p, Some(hit.to_string())));
                if hit {
                    break;
                }
            }
            if out.is_empty() {
                out.push(ctx.record(Map::new(), None));
            }
            out
        }
        Kind::InvokeLambdaFunction { arn, .. } => {
            let mut p = Map::new();
            let mut results = None;
            let mut external = None;
            for e in segment {
                match &e.kind {
                    TraceKind::LambdaInvoked {
                        function,
                        time_limit_ms,
                        response_type,
                        request,
                        ..
                    } => {
                        let shown = if arn.contains("$.") { function } else { arn };
                        p.insert("FunctionArn".into(), json!(shown));
                        p.insert(
                            "ResponseValidation".into(),
                            json!(format!("ResponseType={response_type}")),
                        );
                        p.insert("TimeLimit".into(), json!(time_limit_ms.to_string()));
                        if let Some(params) = request.pointer("/Details/Parameters")
                            && params.as_object().is_some_and(|o| !o.is_empty())
                        {
                            p.insert("Parameters".into(), stringify(params));
                        }
                    }
                    TraceKind::LambdaResult {
                        ok: true, response, ..
                    } => external = response.clone(),
                    TraceKind::LambdaResult {
                        ok: false, detail, ..
                    } => results = Some(lambda_error(detail)),
                    _ => {}
                }
            }
            if results.is_none() && external.is_none() && error {
                results = Some("Error".into());
            }
            let mut r = ctx.record(p, results);
            if let Some(x) = external {
                r.0.insert("ExternalResults".into(), x);
            }
            vec![r]
        }
        Kind::GetParticipantInput {
            store, validation, ..
        } if !block.params.contains_key("EnableDTMFBuffer") => {
            let mut p = Map::new();
            prompt_params(segment, &mut p);
            let mut mode = None;
            for e in segment {
                if let TraceKind::InputRequested {
                    timeout_ms,
                    mode: m,
                    ..
                } = &e.kind
                {
                    p.insert("Timeout".into(), json!((timeout_ms / 1000).to_string()));
                    mode = Some(*m);
                }
            }
            if *store {
                let max = match validation {
                    Some(Validation::Custom {
                        max_length: Some(m),
                    }) => m.to_string(),
                    _ => "20".into(),
                };
                p.insert("MaxDigits".into(), json!(max));
            } else {
                p.insert("MaxDigits".into(), json!("1"));
            }
            let results = if branch == "InputTimeLimitExceeded" {
                Some("Timeout".to_owned())
            } else if branch == "InvalidPhoneNumber" {
                Some("InvalidPhoneNumber".to_owned())
            } else if *store {
                segment
                    .iter()
                    .find_map(|e| match &e.kind {
                        TraceKind::InputStored { value, .. } => Some(value.clone()),
                        _ => None,
                    })
                    .or_else(|| error.then(|| "Error".into()))
            } else {
                segment
                    .iter()
                    .find_map(|e| match &e.kind {
                        TraceKind::Key { key } => Some(key.to_string()),
                        TraceKind::KeyUsed { key, .. } => Some(key.to_string()),
                        _ => None,
                    })
                    .filter(|_| mode == Some(InputMode::Menu) || mode.is_none())
                    .or_else(|| error.then(|| "Error".into()))
            };
            vec![ctx.record(p, results)]
        }
        Kind::ConnectParticipantWithLexBot { bot, .. } => {
            let mut p = Map::new();
            p.insert("BotAliasArn".into(), json!(bot));
            prompt_params(segment, &mut p);
            let intent = segment.iter().rev().find_map(|e| match &e.kind {
                TraceKind::LexRecognized { intent, .. } => Some(intent.clone()),
                _ => None,
            });
            let results = if branch == "InputTimeLimitExceeded" {
                Some("Timeout".into())
            } else if error {
                Some("Error".into())
            } else {
                intent
            };
            vec![ctx.record(p, results)]
        }
        Kind::MessageParticipant { .. } | Kind::MessageParticipantIteratively { .. } => {
            let mut p = Map::new();
            prompt_params(segment, &mut p);
            vec![ctx.record(p, error.then(|| "Error".into()))]
        }
        Kind::UpdateFlowLoggingBehavior { enabled } => {
            let mut p = Map::new();
            p.insert(
                "LoggingBehavior".into(),
                json!(if *enabled { "Enable" } else { "Disable" }),
            );
            vec![ctx.record(p, None)]
        }
        Kind::UpdateContactTargetQueue { queue, .. } => {
            let mut p = Map::new();
            let shown = segment.iter().find_map(|e| match &e.kind {
                TraceKind::ContactUpdated { field, value } if field == "queue" => {
                    Some(value.clone())
                }
                _ => None,
            });
            let q = if queue.contains("$.") {
                shown.unwrap_or_default()
            } else {
                queue.clone()
            };
            p.insert("Queue".into(), json!(q));
            vec![ctx.record(p, error.then(|| "Error".into()))]
        }
        Kind::UpdateContactTextToSpeechVoice { .. } => {
            let mut p = Map::new();
            for e in segment {
                if let TraceKind::ContactUpdated { field, value } = &e.kind
                    && field == "voice"
                {
                    let voice = value.split(" (").next().unwrap_or(value);
                    p.insert("GlobalVoice".into(), json!(voice));
                }
            }
            vec![ctx.record(p, error.then(|| "Error".into()))]
        }
        Kind::TransferContactToQueue => {
            let results = match branch {
                "QueueAtCapacity" => Some("QueueAtCapacity".to_owned()),
                _ if error => Some("Error".into()),
                _ => None,
            };
            vec![ctx.record(Map::new(), results)]
        }
        _ => {
            let results = value.or_else(|| {
                if error {
                    Some("Error".into())
                } else if branch.is_empty()
                    || branch == "Next"
                    || branch.starts_with(['=', '<', '>'])
                {
                    None
                } else if crate::catalogue::ErrorType::ALL
                    .iter()
                    .any(|t| t.as_str() == branch)
                {
                    Some(branch.to_owned())
                } else {
                    None
                }
            });
            vec![ctx.record(static_params(block), results)]
        }
    }
}
