//! A test case's results in the API's shapes (connect-testing-language.md §8):
//! `GetTestCaseExecutionSummary` and `ListTestCaseExecutionRecords` items, whose
//! `Record` is a JSON string of type INITIATION, EXECUTION_START, OBSERVATION or
//! COMPLETION. What only flowsim knows (similarity score, consumed override, log
//! data, the actual value of an Assert) is under `Sim`.

use serde_json::{Map, Value, json};

use super::NativeResult;
use crate::script::{Outcome, report};
use crate::testcase::ActionKind;

/// The run starts at this instant (epoch seconds) unless `--at` says otherwise:
/// Monday 2026-11-30 12:00 UTC, the engine's default "now" for hours.
pub const DEFAULT_START: i64 = 1_796_040_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStatus {
    /// Not matched (never armed, or still waiting).
    Pending,
    Passed,
    Failed,
}

impl RecordStatus {
    pub fn api(self) -> &'static str {
        match self {
            Self::Pending => "IN_PROGRESS",
            Self::Passed => "PASSED",
            Self::Failed => "FAILED",
        }
    }
}

/// One observation's result.
#[derive(Clone, Debug)]
pub struct ObservationRecord {
    pub id: String,
    pub status: RecordStatus,
    /// The Similarity score of the match (1.0 otherwise).
    pub score: Option<f64>,
    pub timestamp_ms: u64,
    /// What was observed, for messages.
    pub actual: Option<String>,
    pub actions: Vec<ActionRecord>,
}

impl ObservationRecord {
    pub fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            status: RecordStatus::Pending,
            score: None,
            timestamp_ms: 0,
            actual: None,
            actions: Vec::new(),
        }
    }
}

/// One action's result.
#[derive(Clone, Debug)]
pub struct ActionRecord {
    pub id: String,
    /// `SendInstruction`, `OverrideSystemBehavior`, `Assert`, `EndTest`, `LogData`.
    pub kind: &'static str,
    pub status: RecordStatus,
    pub sim: Map<String, Value>,
}

impl ActionRecord {
    pub fn new(id: &str, kind: &ActionKind) -> Self {
        let kind = match kind {
            ActionKind::Dtmf(_) | ActionKind::Utterance { .. } | ActionKind::Disconnect => {
                "SendInstruction"
            }
            ActionKind::Override { .. } => "OverrideSystemBehavior",
            ActionKind::Assert { .. } => "Assert",
            ActionKind::EndTest => "EndTest",
            ActionKind::LogData(_) => "LogData",
        };
        Self {
            id: id.to_owned(),
            kind,
            status: RecordStatus::Passed,
            sim: Map::new(),
        }
    }
}

/// The execution status: PASSED or FAILED (an error is FAILED, with an
/// INITIALIZATION_FAILURE reason).
pub fn status(r: &NativeResult) -> &'static str {
    if r.result.passed() {
        "PASSED"
    } else {
        "FAILED"
    }
}

/// `--json`: the `.call` result line's keys, and `ExecutionSummary` and
/// `ExecutionRecords` in the API's shapes.
pub fn json(r: &NativeResult, start: i64) -> Value {
    let mut v = report::json(&r.result);
    let at = |ms: u64| start as f64 + ms as f64 / 1000.0;
    let end = at(r.sim_ms);
    let passed = r
        .observations
        .iter()
        .filter(|o| o.status == RecordStatus::Passed)
        .count();
    let failed = r
        .observations
        .iter()
        .filter(|o| o.status == RecordStatus::Failed)
        .count();
    let total = r.observations.len();
    v["TestCase"] = r.name.clone().into();
    v["ExecutionSummary"] = json!({
        "Status": status(r),
        "StartTime": at(0),
        "EndTime": end,
        "ObservationSummary": {
            "TotalObservations": total,
            "ObservationsPassed": passed,
            "ObservationsFailed": failed,
        }
    });
    let record = |status: &str, ts: f64, id: Option<&str>, body: Value| {
        let mut item = json!({ "Status": status, "Timestamp": ts, "Record": body.to_string() });
        if let Some(id) = id {
            item["ObservationId"] = id.into();
        }
        item
    };
    let mut records = vec![
        record(
            "PASSED",
            at(0),
            None,
            json!({ "Type": "INITIATION", "Status": "PASSED" }),
        ),
        record(
            "PASSED",
            at(0),
            None,
            json!({ "Type": "EXECUTION_START", "Status": "PASSED", "ContactId": r.contact_id }),
        ),
    ];
    for o in r
        .observations
        .iter()
        .filter(|o| o.status != RecordStatus::Pending)
    {
        let actions: Vec<Value> = o
            .actions
            .iter()
            .map(|a| json!({ "Identifier": a.id, "Type": a.kind, "Status": a.status.api(), "Sim": a.sim }))
            .collect();
        let mut body = json!({
            "Type": "OBSERVATION",
            "Identifier": o.id,
            "Status": o.status.api(),
            "Actions": actions,
        });
        if let Some(a) = &o.actual {
            body["ActualEvent"] = a.clone().into();
        }
        if let Some(s) = o.score {
            body["Sim"] = json!({ "SimilarityScore": (s * 1000.0).round() / 1000.0 });
        }
        records.push(record(
            o.status.api(),
            at(o.timestamp_ms),
            Some(&o.id),
            body,
        ));
    }
    let (kind, reasons, message) = match &r.result.outcome {
        Outcome::Passed => ("SUCCESS", Vec::<&str>::new(), String::new()),
        Outcome::Failed(f) if r.timed_out => (
            "TIMEOUT",
            vec!["OBSERVE_EVENT"],
            format!("expected {}", f.expected),
        ),
        Outcome::Failed(f) => ("FAILURE", Vec::new(), format!("expected {}", f.expected)),
        Outcome::Error(e) => ("FAILURE", vec!["INITIALIZATION_FAILURE"], e.clone()),
    };
    records.push(record(
        status(r),
        end,
        None,
        json!({
            "Type": "COMPLETION",
            "Status": status(r),
            "CompletionReason": { "Type": kind, "Message": message, "Details": {}, "FailureReasons": reasons },
            "ExecutionSummary": {
                "TotalObservations": total,
                "PassedObservations": passed,
                "FailedObservations": failed,
            }
        }),
    ));
    v["ExecutionRecords"] = records.into();
    v
}
