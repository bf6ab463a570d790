//! Amazon Connect's own test cases (the JSON testing language), run offline through
//! the same [`Driver`] as `.call` scripts (docs/native-tests.md).
//!
//! The execution semantics are connect-testing-language.md §7: observations with no
//! other observation pointing at them are armed from the start, several at once; the
//! events are `TestInitiated`, one `MessageReceived` per prompt played,
//! `FlowActionStarted` when an observable block is about to run, and
//! `TestCompleted`; an event goes to the first armed observation (document order)
//! it matches, whose actions run before the flow's next step. Where AWS waits out
//! five minutes for an event that never comes, the run fails at once, naming the
//! observation, what it waited for and what the call did instead.
//!
//! - [`mock`]: `OverrideSystemBehavior` for Lambda functions, a layer in front of
//!   the mapped backends;
//! - [`records`]: the API's result shapes (execution summary, records);
//! - [`export`]: a `.call` script as a test case (`flowsim export-test`).

pub mod export;
pub mod mock;
pub mod records;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::driver::{AtInput, Clock, Driver, DriverError, Next, run_until};
use crate::engine::{CallConfig, Engine, Input, Status, TraceEvent, TraceKind};
use crate::env::Hours;
use crate::flow::{FlowSet, Kind};
use crate::lambda::{BackendSpec, Registry};
use crate::script::run::contact_value;
use crate::script::{CollectError, Failure, Outcome, RunOptions, ScriptResult, collect_scripts};
use crate::testcase::{
    self, Action, ActionKind, Criteria, EventKind, Expected, FlowAction, Observation, Strategy,
    TestCase, Usage, matcher, same_resource,
};

use records::{ActionRecord, ObservationRecord, RecordStatus};

/// A test case ready to run: the file, what it holds, its flows.
#[derive(Clone, Debug)]
pub struct NativeCase {
    pub path: PathBuf,
    pub case: TestCase,
    pub flows: FlowSet,
    /// The file's text (failure lines point into it).
    pub text: String,
}

/// How a test case went, in the `.call` result shape (reports, JUnit, coverage
/// read it) and in the API's shapes.
#[derive(Clone, Debug)]
pub struct NativeResult {
    pub result: ScriptResult,
    pub name: String,
    pub observations: Vec<ObservationRecord>,
    /// Virtual milliseconds from the start to the end of the run.
    pub sim_ms: u64,
    /// The contact's id (the EXECUTION_START record).
    pub contact_id: String,
    /// A TIMEOUT (an observation never matched) rather than a FAILURE.
    pub timed_out: bool,
}

/// Is this `.json` file a test case (not a flow)? It names `Observations`, or is a
/// `CreateTestCase` body / `describe-test-case` output.
pub fn is_test_case(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => {
            v.get("Observations").is_some()
                || v.get("TestCase").is_some()
                || v.get("Content").is_some()
        }
        Err(_) => false,
    }
}

/// The `.call` scripts and the test cases under `paths`: a `.json` file named is a
/// test case; folders are searched for both (a `.json` there counts when it holds a
/// test case). A folder with neither is an error.
pub fn collect(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>), CollectError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "json") && is_test_case(&p) {
                out.push(p);
            }
        }
    }
    let (mut scripts, mut cases) = (Vec::new(), Vec::new());
    for p in paths {
        if p.is_file() && p.extension().is_some_and(|e| e == "json") {
            cases.push(p.clone());
            continue;
        }
        let before = cases.len();
        if p.is_dir() {
            walk(p, &mut cases);
        }
        match collect_scripts(std::slice::from_ref(p)) {
            Ok(s) => scripts.extend(s),
            Err(CollectError::Empty(_)) if cases.len() > before => {}
            Err(CollectError::Empty(d)) => {
                return Err(CollectError::Read {
                    path: d,
                    source: std::io::Error::other("no .call scripts or test cases in it"),
                });
            }
            Err(e) => return Err(e),
        }
    }
    Ok((scripts, cases))
}

/// Read the test cases and find their flows: the entry point's `FlowId` among the
/// `--flows` folder's flows (by name, file name, or last ARN segment), else the
/// `--flow` file (else the built-in flow). Every bad file is reported, one line each
/// (`file: where: what`); warnings go to `warn`.
pub fn load(
    files: &[PathBuf],
    default_flow: Option<&Path>,
    flows_dir: Option<&Path>,
    warn: &mut dyn FnMut(String),
) -> Result<Vec<NativeCase>, Vec<String>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let base = match crate::session::load_flows(default_flow, flows_dir) {
        Ok(f) => Some(f),
        Err(e) => {
            if !files.is_empty() {
                errors.push(format!("cannot load the flow: {e}"));
            }
            None
        }
    };
    for f in files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("{}: {e}", f.display()));
                continue;
            }
        };
        let stem = f
            .file_stem()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned());
        let (case, warnings) = match testcase::parse(&text, &stem) {
            Ok(c) => c,
            Err(e) => {
                errors.push(format!("{}: {e}", f.display()));
                continue;
            }
        };
        for w in warnings {
            warn(format!("{}: warning: {w}", f.display()));
        }
        if !case.init.segment_attributes.is_empty() {
            warn(format!(
                "{}: warning: InitializationData.SegmentAttributes are not seeded offline",
                f.display()
            ));
        }
        let Some(base) = &base else { continue };
        let flows = match (&case.entry.flow_id, flows_dir) {
            (Some(id), Some(_)) => match find_flow(base, id) {
                Some(set) => set,
                None => {
                    errors.push(format!(
                        "{}: EntryPoint FlowId \"{id}\": no flow of the --flows folder (or --flow) has that name",
                        f.display()
                    ));
                    continue;
                }
            },
            _ => base.clone(),
        };
        out.push(NativeCase {
            path: f.clone(),
            case,
            flows,
            text,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The flow set whose main flow `id` names (by flow name, file stem, or last ARN
/// segment), the others beside it.
fn find_flow(set: &FlowSet, id: &str) -> Option<FlowSet> {
    let all: Vec<&Arc<crate::flow::Flow>> = std::iter::once(&set.main)
        .chain(set.others.iter())
        .collect();
    if id.trim().is_empty() {
        return None;
    }
    let hit = all.iter().position(|f| {
        let stem = Path::new(&f.source)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        same_resource(id, &f.name) || same_resource(id, &stem)
    })?;
    let main = all[hit].clone();
    let others = all
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != hit)
        .map(|(_, f)| (*f).clone())
        .collect();
    Some(FlowSet {
        main,
        others,
        skipped: Vec::new(),
    })
}

/// Run every case on `jobs` threads (each with its own current-thread runtime),
/// results in order.
pub fn run_all(cases: &[NativeCase], opts: &RunOptions, jobs: usize) -> Vec<NativeResult> {
    let n = cases.len();
    let jobs = jobs.clamp(1, n.max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<NativeResult>>> = std::sync::Mutex::new(vec![None; n]);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a current-thread runtime");
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let r = rt.block_on(run_case(&cases[i], opts));
                    results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// The call settings a case asks for over `base`: the numbers, the attributes, the
/// channel.
fn call_config(case: &TestCase, base: &CallConfig) -> CallConfig {
    let mut c = base.clone();
    if let Some(s) = &case.entry.source {
        c.caller = s.clone();
    }
    if let Some(d) = &case.entry.destination {
        c.dialed = d.clone();
    }
    for (k, v) in &case.init.attributes {
        c.attributes.insert(k.clone(), v.clone());
    }
    if case.entry.chat {
        let mut env = (*c.env).clone();
        env.channel = Some("CHAT".into());
        c.env = Arc::new(env);
    }
    c
}

/// An instruction waiting for the flow's next input block (a hang-up goes at once).
#[derive(Clone, Debug)]
enum Instr {
    Keys(String),
    Utterance(String),
    Disconnect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not armed (yet).
    Idle,
    /// Armed at event index `since`.
    Armed {
        since: usize,
    },
    /// Matched as often as its usage asks (an `ANY` one stays armed as well).
    Passed,
    Failed,
}

/// An event the runner delivers.
enum Ev<'a> {
    Initiated,
    Completed,
    Message {
        text: &'a str,
        source: &'a str,
        block: &'a str,
    },
    Action {
        kind: &'static str,
        resources: Vec<String>,
    },
}

struct Runner<'a> {
    nc: &'a NativeCase,
    driver: Driver,
    config: CallConfig,
    events: Vec<TraceEvent>,
    states: Vec<State>,
    matches: Vec<u32>,
    records: Vec<ObservationRecord>,
    inputs: VecDeque<Instr>,
    overrides: mock::Overrides,
    /// EndTest ran, or an Assert failed: no more events.
    stopped: bool,
    failure: Option<Failure>,
    error: Option<String>,
    /// The step at which the last FlowActionStarted was delivered (one per block).
    announced_step: Option<u32>,
    last_input: usize,
    started: bool,
    /// The test failed on an observation never matched (AWS: a TIMEOUT).
    timed_out: bool,
}

/// Run one test case. Needs a tokio runtime (the driver spawns Lambda tasks).
pub async fn run_case(nc: &NativeCase, opts: &RunOptions) -> NativeResult {
    let started = Instant::now();
    let result = ScriptResult {
        path: nc.path.clone(),
        outcome: Outcome::Passed,
        events: Vec::new(),
        duration: Duration::ZERO,
        updated: None,
    };
    let finish = |mut result: ScriptResult, outcome: Outcome, r: Option<Runner>| {
        result.outcome = outcome;
        result.duration = started.elapsed();
        let (observations, sim_ms, contact_id, events, timed_out) = match r {
            Some(r) => (
                r.records,
                r.driver.now().as_millis(),
                r.driver.engine().contact().contact_id.clone(),
                r.events,
                r.timed_out,
            ),
            None => (Vec::new(), 0, String::new(), Vec::new(), false),
        };
        result.events = events;
        NativeResult {
            timed_out,
            result,
            name: nc.case.name.clone(),
            observations,
            sim_ms,
            contact_id,
        }
    };
    if let Some(o) = nc
        .case
        .doc
        .observations
        .iter()
        .find(|o| matches!(o.event.kind, EventKind::Unknown(_)))
    {
        let EventKind::Unknown(t) = &o.event.kind else {
            unreachable!()
        };
        let msg = format!(
            "observation \"{}\": event type \"{t}\" is not supported offline",
            o.id
        );
        return finish(result, Outcome::Error(msg), None);
    }
    let inner = match Registry::new(&opts.mappings, &opts.backends) {
        Ok(r) => r,
        Err(e) => return finish(result, Outcome::Error(e.to_string()), None),
    };
    let overrides = mock::Overrides::default();
    let mut registry = Registry::empty();
    registry.push_front_backend(
        "*".into(),
        BackendSpec::Builtin("test-case overrides".into()),
        Arc::new(mock::Layer {
            overrides: overrides.clone(),
            inner,
        }),
    );
    let config = call_config(&nc.case, &opts.call);
    let mut driver = Driver::new(
        Engine::new(nc.flows.clone(), config.clone()),
        registry,
        Clock::Virtual,
    );
    driver.set_stepping(true);
    let n = nc.case.doc.observations.len();
    let mut r = Runner {
        nc,
        driver,
        config,
        events: Vec::new(),
        states: vec![State::Idle; n],
        matches: vec![0; n],
        records: nc
            .case
            .doc
            .observations
            .iter()
            .map(|o| ObservationRecord::new(&o.id))
            .collect(),
        inputs: VecDeque::new(),
        overrides,
        stopped: false,
        failure: None,
        error: None,
        announced_step: None,
        last_input: 0,
        started: false,
        timed_out: false,
    };
    let outcome = match r.run().await {
        Ok(()) => r.outcome(),
        Err(DriverError::Unmapped { function, block }) => Outcome::Error(
            crate::driver::unmapped_message(&block, &function, crate::driver::AnsweredBy::Flag),
        ),
    };
    r.driver.close().await;
    finish(result, outcome, Some(r))
}

impl Runner<'_> {
    fn observations(&self) -> &[Observation] {
        &self.nc.case.doc.observations
    }

    async fn run(&mut self) -> Result<(), DriverError> {
        // Starting observations: none other points at them.
        let obs = &self.nc.case.doc.observations;
        let pointed: Vec<&String> = obs.iter().flat_map(|o| o.next.iter()).collect();
        for (state, o) in self.states.iter_mut().zip(obs) {
            if !pointed.contains(&&o.id) {
                *state = State::Armed { since: 0 };
            }
        }
        let before = self.config.clone();
        self.deliver(&Ev::Initiated);
        if self.config_changed(&before) {
            self.driver
                .restart(Engine::new(self.nc.flows.clone(), self.config.clone()));
            self.driver.set_stepping(true);
        }
        if !self.stopped && self.error.is_none() {
            self.started = true;
            self.driver.send(Input::Start)?;
            fn driver<'r>(r: &'r mut Runner<'_>) -> &'r mut Driver {
                &mut r.driver
            }
            run_until(self, driver, AtInput::TimeOut, |r| r.at_rest()).await?;
        }
        self.pull();
        // The call rests with nothing to wait for (or EndTest ended the test): it
        // ends there.
        if self.driver.engine().ended().is_none() {
            self.driver.send(Input::Hangup)?;
            self.pull();
        }
        if self.error.is_none() && self.failure.is_none() {
            self.stopped = false;
            self.deliver(&Ev::Completed);
        }
        Ok(())
    }

    fn config_changed(&self, before: &CallConfig) -> bool {
        self.config.hours_open != before.hours_open
            || self.config.queue_at_capacity != before.queue_at_capacity
            || !Arc::ptr_eq(&self.config.env, &before.env)
    }

    fn pull(&mut self) {
        let from = self.events.len();
        self.events.extend(self.driver.take_events());
        for i in from..self.events.len() {
            if self.stopped || self.error.is_some() {
                return;
            }
            if let TraceKind::Prompt {
                block,
                text,
                source,
                ..
            } = &self.events[i].kind
            {
                let (text, source, block) = (text.clone(), source.clone(), block.label.clone());
                self.deliver(&Ev::Message {
                    text: &text,
                    source: &source,
                    block: &block,
                });
            }
        }
    }

    /// At each resting point: deliver the new events, announce the block about to
    /// run, give a waiting input block its instruction.
    fn at_rest(&mut self) -> Result<Next, DriverError> {
        self.pull();
        if self.stopped || self.error.is_some() {
            return Ok(Next::Stop);
        }
        if matches!(self.inputs.front(), Some(Instr::Disconnect))
            && self.driver.engine().ended().is_none()
        {
            self.inputs.pop_front();
            self.last_input = self.events.len();
            self.driver.send(Input::Hangup)?;
            return Ok(Next::Fed);
        }
        match self.driver.engine().status() {
            Status::Paused { next } => {
                let step = self.driver.engine().steps();
                if self.announced_step != Some(step) {
                    self.announced_step = Some(step);
                    if let Some(ev) = self.observable(&next.id) {
                        self.deliver(&ev);
                        if self.stopped || self.error.is_some() {
                            return Ok(Next::Stop);
                        }
                    }
                }
                Ok(Next::Go)
            }
            Status::AwaitingInput { .. } => match self.inputs.pop_front() {
                Some(i) => {
                    self.last_input = self.events.len();
                    match i {
                        Instr::Keys(keys) => {
                            for c in keys.chars() {
                                self.driver.send(Input::Key(c))?;
                            }
                        }
                        Instr::Utterance(t) => self.driver.send(Input::Utterance(t))?,
                        Instr::Disconnect => self.driver.send(Input::Hangup)?,
                    }
                    Ok(Next::Fed)
                }
                // Nothing to say: the input times out, as a silent caller's does.
                None => Ok(Next::Go),
            },
            _ => Ok(Next::Go),
        }
    }

    /// The `FlowActionStarted` event for the block about to run, when it is one of
    /// the observable action types.
    fn observable(&self, block_id: &str) -> Option<Ev<'static>> {
        let engine = self.driver.engine();
        let flow = engine.flow();
        let b = flow.block(block_id)?;
        let contact = engine.contact();
        let value = |p: &str| contact_value(contact, p);
        let resolved = |s: &str| {
            if s.starts_with("$.") {
                value(s).unwrap_or_default()
            } else {
                s.to_owned()
            }
        };
        let (kind, resources) = match &b.kind {
            Kind::InvokeLambdaFunction { arn, .. } => ("InvokeLambdaFunction", vec![resolved(arn)]),
            Kind::CheckHoursOfOperation { hours } => (
                "CheckHoursOfOperation",
                vec![hours.as_deref().map(resolved).unwrap_or_default()],
            ),
            Kind::TransferContactToQueue => (
                "TransferContactToQueue",
                ["$.Queue.ARN", "$.Queue.Name", "$.Queue.Id"]
                    .iter()
                    .filter_map(|p| value(p))
                    .collect(),
            ),
            Kind::ConnectParticipantWithLexBot { bot, .. } => {
                ("ConnectParticipantWithLexBot", vec![resolved(bot)])
            }
            _ => return None,
        };
        Some(Ev::Action { kind, resources })
    }

    /// Give an event to the first armed observation it matches; run its actions.
    fn deliver(&mut self, ev: &Ev) {
        let now = self.driver.now().as_millis();
        let mut hit = None;
        for i in 0..self.states.len() {
            let armed = match self.states[i] {
                State::Armed { .. } => true,
                State::Passed => self.observations()[i].usage == Usage::Any,
                _ => false,
            };
            if !armed {
                continue;
            }
            if let Some(score) = matches(&self.observations()[i].event.kind, ev) {
                hit = Some((i, score));
                break;
            }
        }
        let Some((i, score)) = hit else { return };
        self.matches[i] += 1;
        let o = self.observations()[i].clone();
        let rec = &mut self.records[i];
        rec.score = Some(score);
        rec.timestamp_ms = now;
        if let Ev::Message { text, block, .. } = ev {
            rec.actual = Some(format!("MessageReceived \"{text}\" (block \"{block}\")"));
        }
        let done = match o.usage {
            Usage::Exactly(n) => self.matches[i] >= n,
            Usage::Any => true,
        };
        if done && self.states[i] != State::Passed {
            self.states[i] = State::Passed;
            self.records[i].status = RecordStatus::Passed;
        }
        for a in &o.actions {
            let r = self.action(&o, a);
            self.records[i].actions.push(r);
            if self.stopped || self.error.is_some() {
                return;
            }
        }
        if done {
            let since = self.events.len();
            for n in &o.next {
                if let Some(j) = self.observations().iter().position(|x| &x.id == n)
                    && self.states[j] == State::Idle
                {
                    self.states[j] = State::Armed { since };
                }
            }
        }
    }

    fn action(&mut self, o: &Observation, a: &Action) -> ActionRecord {
        let mut rec = ActionRecord::new(&a.id, &a.kind);
        match &a.kind {
            ActionKind::Dtmf(k) => self.inputs.push_back(Instr::Keys(k.clone())),
            ActionKind::Utterance { text, .. } => {
                self.inputs.push_back(Instr::Utterance(text.clone()))
            }
            ActionKind::Disconnect => self.inputs.push_back(Instr::Disconnect),
            ActionKind::Override { target, strategy } => {
                if let Err(e) = self.override_(&a.id, target, strategy) {
                    self.error = Some(format!(
                        "observation \"{}\", action \"{}\": {e}",
                        o.id, a.id
                    ));
                    rec.status = RecordStatus::Failed;
                }
            }
            ActionKind::Assert { path, op, operand } => {
                let got = contact_value(self.driver.engine().contact(), path);
                rec.sim.insert("Actual".into(), got.clone().into());
                if let Err(why) = testcase::assert::check(*op, got.as_deref(), operand.as_deref()) {
                    rec.status = RecordStatus::Failed;
                    let i = self.index(&o.id);
                    self.states[i] = State::Failed;
                    self.records[i].status = RecordStatus::Failed;
                    let operand = operand
                        .as_deref()
                        .map(|s| format!(" \"{s}\""))
                        .unwrap_or_default();
                    self.failure = Some(Failure {
                        line: self.line_of(&a.id),
                        expected: format!(
                            "observation \"{}\": Assert {path} {}{operand} (action \"{}\")",
                            o.id,
                            op.name(),
                            a.id
                        ),
                        actual: format!("{path}: {why}\n{}", self.situation(self.last_input)),
                    });
                    self.stopped = true;
                }
            }
            ActionKind::EndTest => self.stopped = true,
            ActionKind::LogData(exprs) => {
                let contact = self.driver.engine().contact();
                let mut data = serde_json::Map::new();
                for (k, v) in exprs {
                    data.insert(
                        k.clone(),
                        substitute(v, |p| contact_value(contact, p)).into(),
                    );
                }
                rec.sim.insert("LogData".into(), data.into());
            }
        }
        rec
    }

    /// Register an override. Lambda overrides queue in the answer layer; hours and
    /// queue overrides change the call's settings, so they must be registered before
    /// the call starts (in the `TestInitiated` observation).
    fn override_(
        &mut self,
        id: &str,
        target: &FlowAction,
        strategy: &Strategy,
    ) -> Result<(), String> {
        match target {
            FlowAction::Lambda(f) => {
                self.overrides.push(f, id, strategy.clone());
                return Ok(());
            }
            FlowAction::Dequeue(_) | FlowAction::LexBot(_) => {
                return Err(format!(
                    "overriding {} is not supported offline",
                    target.action_type()
                ));
            }
            _ => {}
        }
        if self.started {
            return Err(format!(
                "offline, an override of {} must be registered in the TestInitiated observation",
                target.action_type()
            ));
        }
        match (target, strategy) {
            (FlowAction::Hours(h), Strategy::Result { value: Some(v), .. }) => {
                let open = match v.as_str() {
                    "InHours" => true,
                    "OutOfHours" => false,
                    other => {
                        return Err(format!(
                            "hours mock Value \"{other}\": expected InHours or OutOfHours"
                        ));
                    }
                };
                self.set_hours(h, Hours::Fixed(open));
                Ok(())
            }
            (FlowAction::Hours(h), Strategy::Substitute(arn)) => {
                let last = |s: &str| s.rsplit('/').next().unwrap_or(s).to_owned();
                let found = self
                    .config
                    .env
                    .hours
                    .iter()
                    .find(|(n, _)| same_resource(n, arn) && !n.is_empty())
                    .map(|(_, h)| h.clone());
                match found {
                    Some(hours) => {
                        self.set_hours(h, hours);
                        Ok(())
                    }
                    None => Err(format!(
                        "SubstituteArn \"{arn}\": no hours named \"{}\" in the environment (--env)",
                        last(arn)
                    )),
                }
            }
            (FlowAction::Queue { .. }, Strategy::Error { value, .. })
                if value == "QueueAtCapacity" =>
            {
                self.config.queue_at_capacity = true;
                Ok(())
            }
            _ => Err(format!(
                "this override of {} is not supported offline",
                target.action_type()
            )),
        }
    }

    /// Hours `target` (every hours check when it names none, or names hours the
    /// environment does not know) are `hours` from now on.
    fn set_hours(&mut self, target: &str, hours: Hours) {
        let mut env = (*self.config.env).clone();
        let key = target
            .rsplit('/')
            .next()
            .unwrap_or(target)
            .trim()
            .to_owned();
        if let Hours::Fixed(open) = hours {
            self.config.hours_open = open;
        }
        if !key.is_empty() {
            env.hours.insert(key, hours);
        }
        self.config.env = Arc::new(env);
    }

    fn index(&self, id: &str) -> usize {
        self.observations()
            .iter()
            .position(|o| o.id == id)
            .unwrap_or(0)
    }

    /// The 1-based line of the file where `id` is an `Identifier` (else 1).
    fn line_of(&self, id: &str) -> usize {
        let plain = format!("\"{id}\"");
        let escaped = format!("\\\"{id}\\\"");
        self.nc
            .text
            .lines()
            .position(|l| l.contains("Identifier") && (l.contains(&plain) || l.contains(&escaped)))
            .map_or(1, |i| i + 1)
    }

    fn outcome(&mut self) -> Outcome {
        if let Some(e) = self.error.take() {
            return Outcome::Error(e);
        }
        for u in self.overrides.uses() {
            match u {
                mock::Use::Unmapped { function } => {
                    return Outcome::Error(format!(
                        "the flow invokes Lambda function `{function}`, which no override of the test \
                         case and no --lambda mapping answers (add e.g. --lambda '{function}=json:{{\"key\":\"value\"}}')"
                    ));
                }
                mock::Use::UnknownSubstitute { function, arn } => {
                    return Outcome::Error(format!(
                        "the override of `{function}` substitutes \"{arn}\", which no --lambda mapping answers"
                    ));
                }
                mock::Use::Consumed { .. } => {}
            }
        }
        if let Some(f) = self.failure.take() {
            return Outcome::Failed(f);
        }
        // An armed observation never matched: AWS would time out after 5 minutes.
        let waiting = self.states.iter().enumerate().find_map(|(i, s)| match s {
            State::Armed { since } => Some((i, *since)),
            _ => None,
        });
        let ended_by_test = self
            .records
            .iter()
            .any(|r| r.actions.iter().any(|a| a.kind == "EndTest"));
        if let Some((i, since)) = waiting
            && !ended_by_test
        {
            self.states[i] = State::Failed;
            self.records[i].status = RecordStatus::Failed;
            self.timed_out = true;
            let o = &self.observations()[i];
            return Outcome::Failed(Failure {
                line: self.line_of(&o.id),
                expected: format!(
                    "observation \"{}\" to see {}",
                    o.id,
                    describe_event(&o.event.kind)
                ),
                actual: format!(
                    "it never came\n{}",
                    self.situation_since(since, &o.event.kind)
                ),
            });
        }
        Outcome::Passed
    }

    fn situation_since(&self, since: usize, want: &EventKind) -> String {
        let mut out = String::new();
        let expected = match want {
            EventKind::MessageReceived {
                expected: Expected::Text(t) | Expected::Ssml(t),
                ..
            } => Some(matcher::words(t)),
            _ => None,
        };
        let said: Vec<String> = self.events[since.min(self.events.len())..]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Prompt { text, block, .. } => Some(match &expected {
                    Some(w) => format!(
                        "\n  \"{text}\" (block \"{}\", similarity {:.2})",
                        block.label,
                        matcher::similarity(&matcher::words(text), w)
                    ),
                    None => format!("\n  \"{text}\" (block \"{}\")", block.label),
                }),
                _ => None,
            })
            .collect();
        if said.is_empty() {
            out.push_str("said since it was armed: nothing");
        } else {
            out.push_str("said since it was armed:");
            for s in said {
                out.push_str(&s);
            }
        }
        let started: Vec<String> = self.events[since.min(self.events.len())..]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::LambdaInvoked { function, .. } => {
                    Some(format!("InvokeLambdaFunction {function}"))
                }
                TraceKind::BlockStarted {
                    type_name, block, ..
                } if matches!(
                    type_name.as_str(),
                    "CheckHoursOfOperation"
                        | "TransferContactToQueue"
                        | "ConnectParticipantWithLexBot"
                ) =>
                {
                    Some(format!("{type_name} (block \"{}\")", block.label))
                }
                _ => None,
            })
            .collect();
        if !started.is_empty() {
            out.push_str(&format!("\nactions started since: {}", started.join(", ")));
        }
        out.push('\n');
        out.push_str(&self.where_now());
        out
    }

    fn situation(&self, from: usize) -> String {
        let said: Vec<String> = self.events[from.min(self.events.len())..]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Prompt { text, .. } => Some(format!("\n  \"{text}\"")),
                _ => None,
            })
            .collect();
        let mut out = if said.is_empty() {
            "said since the last input: nothing".to_owned()
        } else {
            format!("said since the last input:{}", said.concat())
        };
        out.push('\n');
        out.push_str(&self.where_now());
        out
    }

    /// Where the call is, or the block it ended in and how.
    fn where_now(&self) -> String {
        let last_block = self.events.iter().rev().find_map(|e| match &e.kind {
            TraceKind::BlockStarted { block, .. } => Some(block.label.clone()),
            _ => None,
        });
        let at = last_block
            .map(|b| format!(" in block \"{b}\""))
            .unwrap_or_default();
        match self.driver.engine().status() {
            Status::Ended(r) => format!("the call ended{at}: {}", r.describe()),
            Status::AwaitingInput { mode, .. } => {
                format!("the call waits for {}{at}", mode.awaited())
            }
            _ => format!("the call is{at}"),
        }
    }
}

/// Does `ev` match the observation's event? `Some(score)` when it does (1.0 but
/// for Similarity).
fn matches(want: &EventKind, ev: &Ev) -> Option<f64> {
    match (want, ev) {
        (EventKind::TestInitiated, Ev::Initiated) | (EventKind::TestCompleted, Ev::Completed) => {
            Some(1.0)
        }
        (
            EventKind::MessageReceived {
                expected,
                criteria,
                threshold,
            },
            Ev::Message { text, source, .. },
        ) => match expected {
            Expected::Text(t) | Expected::Ssml(t) => {
                let (p, e) = (matcher::words(text), matcher::words(t));
                match criteria {
                    Criteria::Inclusion => matcher::includes(&p, &e).then_some(1.0),
                    Criteria::Similarity => {
                        let s = matcher::similarity(&p, &e);
                        (s >= threshold.unwrap_or(matcher::DEFAULT_THRESHOLD)).then_some(s)
                    }
                }
            }
            Expected::PromptId(id) | Expected::Media(id) => {
                (same_resource(id, source) && !source.is_empty()).then_some(1.0)
            }
        },
        (EventKind::FlowActionStarted(a), Ev::Action { kind, resources }) => (a.action_type()
            == *kind
            && (a.resource().is_empty()
                || resources
                    .iter()
                    .any(|r| same_resource(a.resource(), r) && !r.is_empty())))
        .then_some(1.0),
        _ => None,
    }
}

fn describe_event(k: &EventKind) -> String {
    match k {
        EventKind::TestInitiated => "TestInitiated".into(),
        EventKind::TestCompleted => "TestCompleted".into(),
        EventKind::MessageReceived {
            expected,
            criteria,
            threshold,
        } => {
            let what = match expected {
                Expected::Text(t) => format!("\"{t}\""),
                Expected::Ssml(t) => format!("SSML \"{t}\""),
                Expected::PromptId(p) => format!("prompt {p}"),
                Expected::Media(m) => format!("media {m}"),
            };
            let how = match criteria {
                Criteria::Inclusion => "Inclusion".to_owned(),
                Criteria::Similarity => format!(
                    "Similarity ≥ {:.2}",
                    threshold.unwrap_or(matcher::DEFAULT_THRESHOLD)
                ),
            };
            format!("MessageReceived {what} ({how})")
        }
        EventKind::FlowActionStarted(a) => format!("FlowActionStarted {}", a.describe()),
        EventKind::Unknown(t) => t.clone(),
    }
}

/// `text` with every `$.Path` token replaced by its value (LogData expressions:
/// "the contact id: $.ContactId").
fn substitute(text: &str, get: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("$.") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail[2..]
            .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '_' || c == '-'))
            .map_or(tail.len(), |j| j + 2);
        let path = tail[..end].trim_end_matches('.');
        out.push_str(&get(path).unwrap_or_default());
        rest = &tail[path.len()..];
    }
    out.push_str(rest);
    out
}
