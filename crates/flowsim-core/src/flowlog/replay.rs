//! Replay a production contact: its flow-log records give the call's inputs (keys,
//! stored input, Lambda answers, hours and other outcomes); the engine runs the
//! call; its path is compared block by block with production's.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde_json::Value;

use super::record::LogRecord;
use super::write::{LoggedBlock, WriteOptions, write_records};
use crate::engine::{
    CallConfig, Effect, Engine, Input, InputMode, LambdaOutcome, SimTime, Status, TraceEvent,
    TraceKind,
};
use crate::env::LexBackend;
use crate::flow::{Flow, FlowSet, Kind, PhoneFormat, Validation};

/// One block's run in production: consecutive records of one block merged (a Set
/// contact attributes block writes one per attribute, a check one per condition).
#[derive(Clone, Debug)]
pub struct Execution {
    pub records: Vec<LogRecord>,
}

impl Execution {
    pub fn first(&self) -> &LogRecord {
        &self.records[0]
    }
    pub fn identifier(&self) -> &str {
        self.first().identifier().unwrap_or("")
    }
    pub fn module_type(&self) -> &str {
        self.first().module_type()
    }
    /// The last `Results` of its records.
    pub fn results(&self) -> Option<&str> {
        self.records.iter().rev().find_map(LogRecord::results)
    }
    /// The last `ExternalResults` of its records.
    pub fn external(&self) -> Option<&Value> {
        self.records
            .iter()
            .rev()
            .find_map(LogRecord::external_results)
    }
    /// Production's record, shortly: `GetUserInput Results=1`.
    pub fn summary(&self) -> String {
        let mut s = self.module_type().to_owned();
        if let Some(r) = self.results() {
            s.push_str(&format!(" Results={r:?}"));
        }
        if let Some(x) = self.external() {
            s.push_str(&format!(" ExternalResults={x}"));
        }
        if self.records.len() > 1 {
            s.push_str(&format!(" ({} records)", self.records.len()));
        }
        s
    }
    fn closed(&self) -> bool {
        match self.module_type() {
            "SetAttributes" | "SetFlowAttributes" => false,
            "CheckAttribute" => self.results() == Some("true"),
            _ => self.results().is_some() || self.external().is_some(),
        }
    }
}

/// Group a contact's ordered records into block runs (reference §2.3).
pub fn executions(records: &[LogRecord]) -> Vec<Execution> {
    let mut out: Vec<Execution> = Vec::new();
    for r in records {
        if let Some(last) = out.last_mut() {
            let first = last.first();
            let same = first.flow_id() == r.flow_id()
                && first.identifier() == r.identifier()
                && first.module_type() == r.module_type()
                && r.identifier().is_some();
            let repeats = match r.module_type() {
                "SetAttributes" | "SetFlowAttributes" => last
                    .records
                    .iter()
                    .any(|x| x.parameter("Key") == r.parameter("Key")),
                _ => last.closed(),
            };
            if same && !repeats {
                last.records.push(r.clone());
                continue;
            }
        }
        out.push(Execution {
            records: vec![r.clone()],
        });
    }
    out
}

/// One canned Lex answer: an intent and its slots.
type CannedIntent = (String, indexmap::IndexMap<String, String>);

/// Where the simulated path left production's.
#[derive(Clone, Debug)]
pub struct Divergence {
    /// Index in [`ReplayReport::steps`].
    pub step: usize,
    /// The block, in production's words (or flowsim's, when production ran out).
    pub block: String,
    pub production: String,
    pub flowsim: String,
    pub why: String,
}

/// One step of the comparison: production's block run and flowsim's.
#[derive(Clone, Debug)]
pub struct ReplayStep {
    pub production: Option<Execution>,
    pub flowsim: Option<LoggedBlock>,
}

/// What a replay found.
#[derive(Clone, Debug)]
pub struct ReplayReport {
    pub contact_id: String,
    pub steps: Vec<ReplayStep>,
    pub divergence: Option<Divergence>,
    /// The simulated call's whole trace (for the transcript and `--record`).
    pub trace: Vec<TraceEvent>,
    /// The settings the call ran with (derived from the records).
    pub config: CallConfig,
    pub warnings: Vec<String>,
}

/// Why a contact cannot be replayed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReplayError(pub String);

/// The flow a record's `ContactFlowId` / `ContactFlowName` names.
fn flow_of(flows: &FlowSet, r: &LogRecord) -> Option<Arc<Flow>> {
    flows.find(r.flow_id(), r.flow_name())
}

/// Replay one contact's records through `flows` (its main flow is where the call
/// starts). `base` carries the settings nothing in the records says (caller, env).
pub fn replay(
    flows: &FlowSet,
    records: &[LogRecord],
    base: CallConfig,
) -> Result<ReplayReport, ReplayError> {
    let Some(first) = records.first() else {
        return Err(ReplayError("the contact has no records".into()));
    };
    let contact_id = first.contact_id().to_owned();
    let mut warnings = Vec::new();
    for r in records {
        let unknown = r.unknown_fields();
        if !unknown.is_empty() {
            warnings.push(format!(
                "record of {} at {}: fields {} are not in the reference; kept, not read",
                r.identifier().unwrap_or("?"),
                r.timestamp(),
                unknown.join(", ")
            ));
        }
        if !r.known_module_type() {
            warnings.push(format!(
                "record of {} at {}: module type {} is not in the reference; kept, compared by Identifier",
                r.identifier().unwrap_or("?"),
                r.timestamp(),
                r.module_type()
            ));
        }
    }
    let runs = executions(records);
    // Each run's block: (flow name, Identifier).
    let mut keys = Vec::with_capacity(runs.len());
    for run in &runs {
        let flow = flow_of(flows, run.first()).ok_or_else(|| {
            ReplayError(format!(
                "the records name flow {} ({}), which is not among the flows loaded (--flows DIR)",
                run.first().flow_name().unwrap_or("no ContactFlowName"),
                run.first().flow_id()
            ))
        })?;
        keys.push((flow.name.clone(), run.identifier().to_owned(), flow));
    }
    // The call's inputs, per block, in order.
    let mut config = base;
    // The runs of each block, in order: the n-th time flowsim runs a block, production's
    // n-th run of it gives the input.
    let mut inputs: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let env = Arc::make_mut(&mut config.env);
    // Each Lex bot's intents, in turn.
    let mut lex: Vec<(String, Vec<CannedIntent>)> = Vec::new();
    // The working queue as production's Set working queue records name it.
    let mut queue: Option<String> = None;
    for (i, (run, (flow_name, id, flow))) in runs.iter().zip(&keys).enumerate() {
        let Some(block) = flow.block(id) else {
            continue;
        };
        let key = (flow_name.clone(), id.clone());
        match &block.kind {
            Kind::CheckHoursOfOperation { .. }
            | Kind::DistributeByPercentage
            | Kind::CheckMetricData
            | Kind::CheckOutboundCallStatus
            | Kind::CheckVoiceId
            | Kind::ShowView
            | Kind::AuthenticateParticipant
            | Kind::Wait => {
                // One entry per run ("": none to force, the run erred).
                let r = run.results().filter(|r| *r != "Error").unwrap_or("");
                env.replayed
                    .entry(key.clone())
                    .or_default()
                    .push(r.to_owned());
                inputs.entry(key).or_default().push(i);
            }
            Kind::UpdateContactTargetQueue { .. } => {
                queue = run.first().parameter("Queue").map(str::to_owned);
            }
            Kind::TransferContactToQueue => {
                if run.results() == Some("QueueAtCapacity") {
                    // That queue is at capacity (by its id, as the engine finds queues).
                    match queue.as_deref().and_then(|q| q.rsplit('/').next()) {
                        Some(id) if !id.is_empty() => {
                            env.queues.entry(id.to_owned()).or_default().at_capacity = true;
                        }
                        _ => config.queue_at_capacity = true,
                    }
                }
            }
            Kind::ConnectParticipantWithLexBot { bot, .. } => {
                if let Some(intent) = run.results().filter(|r| *r != "Timeout" && *r != "Error") {
                    match lex.iter_mut().find(|(b, _)| b == bot) {
                        Some((_, v)) => v.push((intent.to_owned(), Default::default())),
                        None => {
                            lex.push((bot.clone(), vec![(intent.to_owned(), Default::default())]))
                        }
                    }
                }
                inputs.entry(key).or_default().push(i);
            }
            _ => {
                inputs.entry(key).or_default().push(i);
            }
        }
    }
    for (bot, answers) in lex {
        env.bots.insert(0, (bot, LexBackend::Canned(answers)));
    }
    // Production logged from the first block on unless its first record turns
    // logging on: the contact came in with logging on.
    let logging_on = first.module_type() != "SetLoggingBehavior";
    let start = first
        .timestamp()
        .parse::<jiff::Timestamp>()
        .unwrap_or_else(|_| super::write::default_start());
    let mut engine = Engine::new(flows.clone(), config.clone());
    let mut trace: Vec<TraceEvent> = Vec::new();
    let mut now = SimTime::ZERO;
    let mut lambda_block: Option<(String, String)> = None;
    let mut runs_of: HashMap<(String, String), usize> = HashMap::new();
    let next_input = |key: &(String, String), runs_of: &HashMap<(String, String), usize>| {
        let n = runs_of.get(key).copied().unwrap_or(0);
        inputs
            .get(key)
            .and_then(|v| v.get(n.checked_sub(1)?))
            .copied()
    };
    let mut pending = engine.handle(Input::Start, now);
    let mut lambdas: VecDeque<(u64, Option<(String, String)>)> = VecDeque::new();
    for _ in 0..100_000 {
        // Trace events; Lambda calls answered from the records.
        for e in pending.drain(..) {
            match e {
                Effect::Trace(t) => {
                    if let TraceKind::BlockStarted { block, .. } = &t.kind {
                        *runs_of
                            .entry((block.flow.clone(), block.id.clone()))
                            .or_insert(0) += 1;
                    }
                    if let TraceKind::LambdaInvoked { block, .. } = &t.kind {
                        lambda_block = Some((block.flow.clone(), block.id.clone()));
                    }
                    trace.push(t);
                }
                Effect::InvokeLambda(call) => lambdas.push_back((call.call, lambda_block.clone())),
                // A live bot is not asked during a replay: its turn times out below.
                Effect::RecognizeText(_) => {}
            }
        }
        if let Some((call, block)) = lambdas.pop_front() {
            let run = block.and_then(|b| next_input(&b, &runs_of));
            let outcome = match run.map(|i| &runs[i]) {
                Some(run) => lambda_outcome(run),
                None => {
                    warnings.push(format!(
                        "Lambda call {call}: no record of it in the logs; answered with an error"
                    ));
                    LambdaOutcome::FunctionError {
                        message: "no flow-log record of this invocation".into(),
                    }
                }
            };
            let waiting =
                matches!(engine.status(), Status::AwaitingLambda { call: c, .. } if c == call);
            if outcome == LambdaOutcome::NoAnswer {
                if waiting {
                    now = engine.next_deadline().unwrap_or(now);
                    pending = engine.handle(Input::Tick, now);
                }
            } else {
                pending = engine.handle(Input::LambdaDone { call, outcome }, now);
            }
            continue;
        }
        match engine.status() {
            // Replays never ask (no ask mode).
            Status::Ended(_) | Status::NotStarted | Status::AwaitingOutcome { .. } => break,
            Status::Paused { .. } => pending = engine.handle(Input::Step, now),
            Status::AwaitingLambda { deadline, .. } => {
                now = deadline;
                pending = engine.handle(Input::Tick, now);
            }
            Status::Playing { deadline, .. } | Status::AwaitingLex { deadline, .. } => {
                now = deadline;
                pending = engine.handle(Input::Tick, now);
            }
            // In queue: time passes to the agent; a queue nobody answers stays the end.
            Status::InQueue { deadline, .. } => match deadline {
                Some(d) => {
                    now = d;
                    pending = engine.handle(Input::Tick, now);
                }
                None => break,
            },
            Status::Waiting { block, deadline } => {
                let run = next_input(&(block.flow.clone(), block.id.clone()), &runs_of);
                if run.is_some_and(|i| runs[i].results() == Some("CustomerReturned")) {
                    pending = engine.handle(Input::Utterance("(customer message)".into()), now);
                } else {
                    now = deadline;
                    pending = engine.handle(Input::Tick, now);
                }
            }
            Status::AwaitingInput {
                block,
                mode,
                deadline,
                ..
            } => {
                let key = (block.flow.clone(), block.id.clone());
                // No record, or one without a result: production's contact ended in
                // this block (the caller hung up, or logging stopped).
                let Some(results) = next_input(&key, &runs_of).and_then(|i| runs[i].results())
                else {
                    pending = engine.handle(Input::Hangup, now);
                    continue;
                };
                let flow = flows.find(&block.flow, Some(&block.flow));
                let b = flow.as_ref().and_then(|f| f.block(&block.id));
                let inputs_now = input_for(mode, results, b.map(|b| &b.kind));
                let mut out = Vec::new();
                let steps = engine.steps();
                let waiting = |engine: &Engine| {
                    engine.steps() == steps
                        && matches!(engine.status(), Status::AwaitingInput { block: ref b2, .. } if *b2 == block)
                };
                for input in inputs_now {
                    let timeout = input == Input::Tick;
                    if timeout {
                        now = engine.next_deadline().unwrap_or(deadline);
                    }
                    out.extend(engine.handle(input, now));
                    // Stop feeding once the block is done.
                    if !waiting(&engine) {
                        break;
                    }
                }
                // Digits typed, still waiting: the block's timeout ends the input.
                if waiting(&engine) {
                    now = engine.next_deadline().unwrap_or(deadline);
                    out.extend(engine.handle(Input::Tick, now));
                }
                pending = out;
            }
        }
    }
    let simulated = write_records(flows, &trace, WriteOptions { start, logging_on });
    let (steps, divergence) = compare(&runs, &keys, simulated, &trace);
    Ok(ReplayReport {
        contact_id,
        steps,
        divergence,
        trace,
        config,
        warnings,
    })
}

/// What a Lambda record says the function did.
fn lambda_outcome(run: &Execution) -> LambdaOutcome {
    if let Some(x) = run.external() {
        return LambdaOutcome::Response {
            payload: x.to_string(),
        };
    }
    match run.results() {
        Some(r) if r.contains("imed Out") || r.contains("imeout") => LambdaOutcome::NoAnswer,
        Some(r) if r.contains("Returned An Error") => LambdaOutcome::FunctionError {
            message: r.to_owned(),
        },
        Some(r) if r.contains("Invalid Response") => LambdaOutcome::Response {
            payload: "not a JSON response".into(),
        },
        // Production's final error, after Connect's own retries: not retried again.
        Some(r) => LambdaOutcome::InvokeError {
            cause: r.to_owned(),
            transient: false,
        },
        // No Results and no ExternalResults: a success with nothing returned.
        None => LambdaOutcome::Response {
            payload: "{}".into(),
        },
    }
}

/// The caller's input that gives an input block the result production logged.
fn input_for(mode: InputMode, results: &str, kind: Option<&Kind>) -> Vec<Input> {
    if results == "Timeout" || results == "Error" || results.is_empty() {
        return vec![Input::Tick];
    }
    match mode {
        InputMode::Menu => match results.chars().next() {
            Some(c) if results.chars().count() == 1 => vec![Input::Key(c)],
            _ => vec![Input::Tick],
        },
        InputMode::Lex => vec![Input::Utterance(results.to_owned())],
        InputMode::Store => {
            let (terminator, validation) = match kind {
                Some(Kind::GetParticipantInput {
                    terminator,
                    validation,
                    ..
                }) => (terminator.clone(), validation.clone()),
                _ => ("#".into(), None),
            };
            let digits: String = if results == "InvalidPhoneNumber" {
                "0".into()
            } else if let Some(n) = results
                .strip_prefix("<encrypted ")
                .and_then(|r| r.strip_suffix(" digits>"))
                .and_then(|n| n.parse::<usize>().ok())
            {
                "5".repeat(n)
            } else {
                match &validation {
                    Some(Validation::Phone {
                        format: PhoneFormat::Local,
                        ..
                    }) => {
                        // The national number the caller typed.
                        crate::phone::national_number(results)
                            .unwrap_or_else(|| results.trim_start_matches('+').to_owned())
                    }
                    _ => results.trim_start_matches('+').to_owned(),
                }
            };
            let mut keys: Vec<Input> = digits.chars().map(Input::Key).collect();
            keys.extend(terminator.chars().map(Input::Key));
            keys
        }
    }
}

/// Production's block runs against flowsim's, up to the first difference.
fn compare(
    runs: &[Execution],
    keys: &[(String, String, Arc<Flow>)],
    simulated: Vec<LoggedBlock>,
    trace: &[TraceEvent],
) -> (Vec<ReplayStep>, Option<Divergence>) {
    let mut steps = Vec::new();
    let mut sim = simulated.into_iter();
    let label = |(flow, id, f): &(String, String, Arc<Flow>)| {
        let l = f.block(id).map_or_else(|| id.clone(), |b| b.label());
        format!("\"{l}\" in {flow}")
    };
    for (i, run) in runs.iter().enumerate() {
        let s = sim.next();
        let same = s
            .as_ref()
            .is_some_and(|s| s.block.flow == keys[i].0 && s.block.id == keys[i].1);
        steps.push(ReplayStep {
            production: Some(run.clone()),
            flowsim: s.clone(),
        });
        if same {
            continue;
        }
        let why = match (i.checked_sub(1).and_then(|p| steps[p].flowsim.as_ref()), &s) {
            (Some(prev), Some(_)) => format!(
                "after \"{}\" flowsim took {}",
                prev.block.label,
                prev.branch
            ),
            (Some(prev), None) => match trace.iter().rev().find_map(|e| match &e.kind {
                TraceKind::Ended { reason } => Some(reason.describe()),
                _ => None,
            }) {
                Some(end) if prev.branch.is_empty() => format!("the call ended in \"{}\": {end}", prev.block.label),
                Some(end) => format!("after \"{}\" flowsim took {}; the call {end}", prev.block.label, prev.branch),
                None => "flowsim's call stopped".into(),
            },
            (None, _) => "the call starts elsewhere: production's first logged block is not flowsim's (is --flow the flow the contact entered?)".into(),
        };
        let divergence = Divergence {
            step: i,
            block: label(&keys[i]),
            production: format!("ran {} ({})", label(&keys[i]), run.summary()),
            flowsim: match &s {
                Some(s) => format!(
                    "ran \"{}\" in {} ({})",
                    s.block.label, s.block.flow, s.type_name
                ),
                None => "ran no further block".into(),
            },
            why,
        };
        return (steps, Some(divergence));
    }
    if let Some(extra) = sim.next() {
        let why = match steps.last().and_then(|s| s.flowsim.as_ref()) {
            Some(prev) => format!(
                "after \"{}\" flowsim took {}",
                prev.block.label, prev.branch
            ),
            None => "flowsim logged blocks production did not".into(),
        };
        let d = Divergence {
            step: steps.len(),
            block: format!("\"{}\" in {}", extra.block.label, extra.block.flow),
            production: "logged no further block (a missing record, or the contact ended)".into(),
            flowsim: format!(
                "ran \"{}\" in {} ({})",
                extra.block.label, extra.block.flow, extra.type_name
            ),
            why,
        };
        steps.push(ReplayStep {
            production: None,
            flowsim: Some(extra),
        });
        return (steps, Some(d));
    }
    (steps, None)
}
