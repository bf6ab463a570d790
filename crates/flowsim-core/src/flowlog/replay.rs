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
type CannedIntent = crate::env::CannedAnswer;

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

/// What production's records say a contact was given: the settings and environment
/// its call runs in (hours, staffing, rolls and other outcomes as
/// [`Environment::replayed`](crate::env::Environment::replayed), queues at capacity,
/// Lex intents), and per block run the input that makes the block do what it did in
/// production (keys, stored input, Lambda answers). Built once by [`derive`]; both
/// [`replay`] and the TUI's replay mode feed the call from it, following the call
/// with a [`Feed`].
#[derive(Clone, Debug)]
pub struct Derived {
    pub contact_id: String,
    /// The settings the call runs with: `base` with the outcomes the records show.
    pub config: CallConfig,
    pub warnings: Vec<String>,
    runs: Vec<Execution>,
    /// Each run's block: (flow name, Identifier, flow).
    keys: Vec<(String, String, Arc<Flow>)>,
    /// The runs of each block, in order: the n-th time flowsim runs a block,
    /// production's n-th run of it gives the input.
    by_block: HashMap<(String, String), Vec<usize>>,
    start: jiff::Timestamp,
    logging_on: bool,
}

/// Follows a call's trace for a [`Derived`]: how many times each block has run,
/// and which block's Lambda is being invoked.
#[derive(Clone, Debug, Default)]
pub struct Feed {
    runs_of: HashMap<(String, String), usize>,
    lambda_block: Option<(String, String)>,
}

impl Feed {
    /// Note one trace event of the call (every one, in order).
    pub fn observe(&mut self, e: &TraceEvent) {
        match &e.kind {
            TraceKind::BlockStarted { block, .. } => {
                *self
                    .runs_of
                    .entry((block.flow.clone(), block.id.clone()))
                    .or_insert(0) += 1;
            }
            TraceKind::LambdaInvoked { block, .. } => {
                self.lambda_block = Some((block.flow.clone(), block.id.clone()));
            }
            _ => {}
        }
    }
}

/// What the caller does at a block waiting for them, as production's record says.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// Feed these in order while the block waits (`Input::Tick`: its timeout fires at
    /// its deadline); if it still waits after them, its timeout ends the input.
    Inputs(Vec<Input>),
    /// The block's deadline fires (a Wait production's customer did not end).
    Timeout,
    /// Production's contact ended in this block (no record, or one without a
    /// result: the caller hung up, or logging stopped).
    Hangup,
}

/// Derive a contact's inputs from its records (reference §2): see [`Derived`].
/// `base` carries the settings nothing in the records says (caller, env).
pub fn derive(
    flows: &FlowSet,
    records: &[LogRecord],
    base: CallConfig,
) -> Result<Derived, ReplayError> {
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
    let mut config = base;
    let mut by_block: HashMap<(String, String), Vec<usize>> = HashMap::new();
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
            }
            Kind::UpdateContactTargetQueue { .. } => {
                queue = run.first().parameter("Queue").map(str::to_owned);
            }
            Kind::TransferContactToQueue if run.results() == Some("QueueAtCapacity") => {
                // That queue is at capacity (by its id, as the engine finds queues).
                match queue.as_deref().and_then(|q| q.rsplit('/').next()) {
                    Some(id) if !id.is_empty() => {
                        env.queues.entry(id.to_owned()).or_default().at_capacity = true;
                    }
                    _ => config.queue_at_capacity = true,
                }
            }
            Kind::ConnectParticipantWithLexBot { bot, .. } => {
                if let Some(intent) = run.results().filter(|r| *r != "Timeout" && *r != "Error") {
                    let answer = CannedIntent {
                        intent: intent.to_owned(),
                        ..CannedIntent::default()
                    };
                    match lex.iter_mut().find(|(b, _)| b == bot) {
                        Some((_, v)) => v.push(answer),
                        None => lex.push((bot.clone(), vec![answer])),
                    }
                }
            }
            _ => {}
        }
        by_block.entry(key).or_default().push(i);
    }
    let env = Arc::make_mut(&mut config.env);
    for (bot, answers) in lex {
        // As `lex` lines too, so a recording of the call answers the same.
        for answer in &answers {
            env.lex_lines
                .push((bot.clone(), format!("intent:{}", answer.intent)));
        }
        env.bots.insert(0, (bot, LexBackend::Canned(answers)));
    }
    // Production logged from the first block on unless its first record turns
    // logging on: the contact came in with logging on.
    let logging_on = first.module_type() != "SetLoggingBehavior";
    let start = first
        .timestamp()
        .parse::<jiff::Timestamp>()
        .unwrap_or_else(|_| super::write::default_start());
    Ok(Derived {
        contact_id,
        config,
        warnings,
        runs,
        keys,
        by_block,
        start,
        logging_on,
    })
}

impl Derived {
    /// Production's block runs, in order.
    pub fn runs(&self) -> &[Execution] {
        &self.runs
    }

    /// Production's run of `block` matching the call's current run of it (the n-th
    /// for the n-th).
    pub fn run_of(&self, feed: &Feed, flow: &str, block: &str) -> Option<&Execution> {
        let key = (flow.to_owned(), block.to_owned());
        let n = feed.runs_of.get(&key).copied().unwrap_or(0);
        let i = *self.by_block.get(&key)?.get(n.checked_sub(1)?)?;
        Some(&self.runs[i])
    }

    /// The answer to the Lambda call the call just made (the block [`Feed`] saw
    /// invoke it), and a warning when no record shows it (then an error answers).
    pub fn lambda_answer(&self, feed: &Feed, call: u64) -> (LambdaOutcome, Option<String>) {
        let run = feed
            .lambda_block
            .as_ref()
            .and_then(|(f, b)| self.run_of(feed, f, b));
        match run {
            Some(run) => (lambda_outcome(run), None),
            None => (
                LambdaOutcome::FunctionError {
                    message: "no flow-log record of this invocation".into(),
                },
                Some(format!(
                    "Lambda call {call}: no record of it in the logs; answered with an error"
                )),
            ),
        }
    }

    /// What the caller does now, if the call waits for them (an input block or a
    /// Wait); `None` when it does not.
    pub fn answer(&self, feed: &Feed, flows: &FlowSet, status: &Status) -> Option<Answer> {
        match status {
            Status::Waiting { block, .. } => {
                let run = self.run_of(feed, &block.flow, &block.id);
                Some(
                    if run.is_some_and(|r| r.results() == Some("CustomerReturned")) {
                        Answer::Inputs(vec![Input::Utterance("(customer message)".into())])
                    } else {
                        Answer::Timeout
                    },
                )
            }
            Status::AwaitingInput { block, mode, .. } => {
                let Some(results) = self
                    .run_of(feed, &block.flow, &block.id)
                    .and_then(Execution::results)
                else {
                    return Some(Answer::Hangup);
                };
                let flow = flows.find(&block.flow, Some(&block.flow));
                let b = flow.as_ref().and_then(|f| f.block(&block.id));
                Some(Answer::Inputs(input_for(
                    *mode,
                    results,
                    b.map(|b| &b.kind),
                )))
            }
            _ => None,
        }
    }

    /// Production's block runs against those of a call's trace (the whole call, or
    /// as far as it went), up to the first difference.
    pub fn compare(
        &self,
        flows: &FlowSet,
        trace: &[TraceEvent],
    ) -> (Vec<ReplayStep>, Option<Divergence>) {
        let simulated = write_records(
            flows,
            trace,
            WriteOptions {
                start: self.start,
                logging_on: self.logging_on,
            },
        );
        compare(&self.runs, &self.keys, simulated, trace)
    }
}

/// The block waiting for the caller's input, if one is: an [`Answer::Inputs`] is fed
/// while it still waits (same block, no step taken), then its timeout ends it.
pub fn input_block(status: &Status) -> Option<crate::engine::BlockRef> {
    match status {
        Status::AwaitingInput { block, .. } => Some(block.clone()),
        _ => None,
    }
}

/// Replay one contact's records through `flows` (its main flow is where the call
/// starts). `base` carries the settings nothing in the records says (caller, env).
pub fn replay(
    flows: &FlowSet,
    records: &[LogRecord],
    base: CallConfig,
) -> Result<ReplayReport, ReplayError> {
    let derived = derive(flows, records, base)?;
    let mut warnings = derived.warnings.clone();
    let mut engine = Engine::new(flows.clone(), derived.config.clone());
    let mut trace: Vec<TraceEvent> = Vec::new();
    let mut feed = Feed::default();
    let mut now = SimTime::ZERO;
    let mut pending = engine.handle(Input::Start, now);
    let mut lambdas: VecDeque<(u64, LambdaOutcome)> = VecDeque::new();
    for _ in 0..100_000 {
        // Trace events; Lambda calls answered from the records.
        for e in pending.drain(..) {
            match e {
                Effect::Trace(t) => {
                    feed.observe(&t);
                    trace.push(t);
                }
                Effect::InvokeLambda(call) => {
                    let (outcome, warning) = derived.lambda_answer(&feed, call.call);
                    warnings.extend(warning);
                    lambdas.push_back((call.call, outcome));
                }
                // A live bot is not asked during a replay: its turn times out below.
                Effect::RecognizeText(_) => {}
            }
        }
        if let Some((call, outcome)) = lambdas.pop_front() {
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
        let status = engine.status();
        if let Some(answer) = derived.answer(&feed, flows, &status) {
            let inputs = match answer {
                Answer::Hangup => vec![Input::Hangup],
                Answer::Timeout => vec![Input::Tick],
                Answer::Inputs(v) => v,
            };
            let mut out = Vec::new();
            let steps = engine.steps();
            let at = input_block(&status);
            let waiting =
                |engine: &Engine| engine.steps() == steps && input_block(&engine.status()) == at;
            for input in inputs {
                if input == Input::Tick {
                    now = engine.next_deadline().unwrap_or(now);
                }
                out.extend(engine.handle(input, now));
                // Stop feeding once the block is done.
                if !waiting(&engine) {
                    break;
                }
            }
            // Digits typed, still waiting: the block's timeout ends the input.
            if at.is_some() && waiting(&engine) {
                now = engine.next_deadline().unwrap_or(now);
                out.extend(engine.handle(Input::Tick, now));
            }
            pending = out;
            continue;
        }
        match status {
            // Replays never ask (no ask mode).
            Status::Ended(_) | Status::NotStarted | Status::AwaitingOutcome { .. } => break,
            Status::Paused { .. } => pending = engine.handle(Input::Step, now),
            Status::AwaitingLambda { deadline, .. }
            | Status::Playing { deadline, .. }
            | Status::AwaitingLex { deadline, .. } => {
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
            // Answered above.
            Status::Waiting { .. } | Status::AwaitingInput { .. } => break,
        }
    }
    let (steps, divergence) = derived.compare(flows, &trace);
    Ok(ReplayReport {
        contact_id: derived.contact_id,
        steps,
        divergence,
        trace,
        config: derived.config,
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
