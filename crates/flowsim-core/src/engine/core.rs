//! The engine proper: one call through a set of flows.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use indexmap::IndexMap;
use serde_json::Value;

use super::contact::Contact;
use super::lambda_io::{build_event, validate_response};
use super::time::SimTime;
use super::trace::{BlockRef, EndReason, PromptKind, TraceEvent, TraceKind};
use crate::flow::{
    Block,
    BlockIdx, Flow, FlowSet, Kind, LambdaResponseType, PhoneFormat, Prompt, Validation,
};
use super::invoke::{LambdaOutcome, LambdaRequest};
use crate::ssml;

/// The caller's number when none is given.
pub const DEFAULT_CALLER: &str = "+15555550100";
/// The dialed number when none is given.
pub const DEFAULT_DIALED: &str = "+18005550199";

/// How deep flow modules may nest (Connect's limit).
const MAX_MODULE_DEPTH: usize = 5;
/// Contact attributes are limited to 32 KB in total.
const MAX_ATTRIBUTE_BYTES: usize = 32 * 1024;

/// The call's settings: who calls, and the outcomes flowsim cannot know.
#[derive(Clone, Debug)]
pub struct CallConfig {
    pub caller: String,
    pub dialed: String,
    /// CheckHoursOfOperation outcome.
    pub hours_open: bool,
    /// TransferContactToQueue takes `QueueAtCapacity`.
    pub queue_at_capacity: bool,
    /// Seeds DistributeByPercentage and the contact id.
    pub seed: u64,
    /// Stop at unsupported blocks instead of passing through.
    pub strict: bool,
    /// Blocks per call before the call is stopped as a runaway loop.
    pub max_steps: u32,
    /// Initial contact attributes.
    pub attributes: IndexMap<String, String>,
}

impl Default for CallConfig {
    fn default() -> Self {
        Self {
            caller: DEFAULT_CALLER.into(),
            dialed: DEFAULT_DIALED.into(),
            hours_open: true,
            queue_at_capacity: false,
            seed: 0,
            strict: false,
            max_steps: 1000,
            attributes: IndexMap::new(),
        }
    }
}

/// What the outside world tells the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Begin the call.
    Start,
    /// The caller pressed a key (`0`-`9`, `*`, `#`).
    Key(char),
    /// The caller lets the pending input time out now.
    Silence,
    /// The caller said something (an intent, for Lex blocks).
    Utterance(String),
    /// Time passed; fire any deadline that is due.
    Tick,
    /// A Lambda invocation finished.
    LambdaDone { call: u64, outcome: LambdaOutcome },
    /// The caller hung up.
    Hangup,
    /// Step mode: run the next block.
    Step,
}

/// A Lambda invocation for the driver to carry out.
#[derive(Clone, Debug)]
pub struct LambdaCall {
    pub call: u64,
    pub request: LambdaRequest,
}

/// What the engine asks of the outside world.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Something happened: show it, log it.
    Trace(TraceEvent),
    /// Invoke a function and answer with [`Input::LambdaDone`].
    InvokeLambda(LambdaCall),
}

/// What the call is doing now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    NotStarted,
    /// Step mode: the next block is ready to run.
    Paused {
        next: BlockRef,
    },
    AwaitingInput {
        block: BlockRef,
        /// `menu`, `store` or `lex`.
        mode: &'static str,
        deadline: SimTime,
        /// Digits typed so far (store mode).
        typed: String,
    },
    AwaitingLambda {
        block: BlockRef,
        call: u64,
        function: String,
        deadline: SimTime,
    },
    Ended(EndReason),
}

#[derive(Clone, Debug)]
struct Frame {
    flow: Arc<Flow>,
    /// The InvokeFlowModule block in the frame below that called this module.
    caller: Option<BlockIdx>,
}

#[derive(Clone, Debug)]
enum Wait {
    None,
    Menu {
        block: BlockIdx,
        deadline: SimTime,
    },
    Store {
        block: BlockIdx,
        digits: String,
        deadline: SimTime,
        typed_any: bool,
    },
    Lex {
        block: BlockIdx,
        deadline: SimTime,
    },
    Lambda {
        block: BlockIdx,
        call: u64,
        function: String,
        deadline: SimTime,
        started: SimTime,
        response_type: LambdaResponseType,
        time_limit: u32,
    },
}

/// Which branch a block takes, and why.
enum Choice {
    Next(String),
    Cond(usize, String),
    /// An error type: its own branch, else `NoMatchingError`.
    Error(String, String),
    /// No condition matched: `NoMatchingCondition`, else `NextAction`.
    NoMatch(String),
}

/// What executing a block led to.
enum Step {
    /// Take a branch of the block just run.
    Go(Choice),
    /// Take a branch of another block of the (new) top flow (a module returned).
    GoFrom(BlockIdx, Choice),
    /// `self.current` was set (a transfer or a module call).
    Jumped,
    Wait,
    End(EndReason),
}

/// One simulated call. See the module docs for the contract.
#[derive(Debug)]
pub struct Engine {
    flows: FlowSet,
    config: CallConfig,
    contact: Contact,
    stack: Vec<Frame>,
    current: Option<BlockIdx>,
    wait: Wait,
    ended: Option<EndReason>,
    started: bool,
    stepping: bool,
    steps: u32,
    next_call: u64,
    typeahead: VecDeque<char>,
    rng: fastrand::Rng,
    now: SimTime,
    out: Vec<Effect>,
}

impl Engine {
    pub fn new(flows: FlowSet, config: CallConfig) -> Self {
        let mut rng = fastrand::Rng::with_seed(config.seed);
        let contact_id = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            rng.u32(..),
            rng.u16(..),
            rng.u16(..0x1000),
            rng.u16(..0x1000),
            rng.u64(..1 << 48)
        );
        let contact = Contact {
            contact_id,
            caller: config.caller.clone(),
            dialed: config.dialed.clone(),
            channel: "VOICE".into(),
            language: "en-US".into(),
            voice: "Joanna".into(),
            attributes: config.attributes.clone(),
            external: Value::Null,
            logging: true,
            ..Contact::default()
        };
        let main = flows.main.clone();
        Self {
            flows,
            config,
            contact,
            stack: vec![Frame {
                flow: main,
                caller: None,
            }],
            current: None,
            wait: Wait::None,
            ended: None,
            started: false,
            stepping: false,
            steps: 0,
            next_call: 1,
            typeahead: VecDeque::new(),
            rng,
            now: SimTime::ZERO,
            out: Vec::new(),
        }
    }

    /// Feed one input at time `now`; get back what the outside world must do.
    pub fn handle(&mut self, input: Input, now: SimTime) -> Vec<Effect> {
        self.now = self.now.max(now);
        if self.ended.is_some() {
            return Vec::new();
        }
        match input {
            Input::Start => {
                if !self.started {
                    self.started = true;
                    let flow = self.flow().clone();
                    self.emit(TraceKind::CallStarted {
                        flow: flow.name.clone(),
                        caller: self.contact.caller.clone(),
                        dialed: self.contact.dialed.clone(),
                        contact_id: self.contact.contact_id.clone(),
                    });
                    self.current = Some(flow.start);
                    self.run();
                }
            }
            Input::Step => {
                if self.started && matches!(self.wait, Wait::None) {
                    self.run_one();
                }
            }
            Input::Key(key) => {
                self.emit(TraceKind::Key { key });
                self.key(key);
            }
            Input::Silence => {
                self.emit(TraceKind::Silence);
                self.timeout_input();
            }
            Input::Utterance(text) => {
                self.emit(TraceKind::Utterance { text: text.clone() });
                if let Wait::Lex { block, .. } = self.wait {
                    self.lex_intent(block, text);
                }
            }
            Input::Tick => {
                if self.next_deadline().is_some_and(|d| self.now >= d) {
                    if let Wait::Lambda { .. } = self.wait {
                        self.lambda_timeout();
                    } else {
                        self.timeout_input();
                    }
                }
            }
            Input::LambdaDone { call, outcome } => self.lambda_done(call, outcome),
            Input::Hangup => self.end(EndReason::Hangup),
        }
        std::mem::take(&mut self.out)
    }

    /// When the engine wants [`Input::Tick`] if nothing else happens.
    pub fn next_deadline(&self) -> Option<SimTime> {
        match &self.wait {
            Wait::None => None,
            Wait::Menu { deadline, .. }
            | Wait::Store { deadline, .. }
            | Wait::Lex { deadline, .. }
            | Wait::Lambda { deadline, .. } => Some(*deadline),
        }
    }

    /// Step mode: stop before each block until [`Input::Step`].
    pub fn set_stepping(&mut self, on: bool) {
        self.stepping = on;
    }

    pub fn stepping(&self) -> bool {
        self.stepping
    }

    /// The contact as the flow sees it.
    pub fn contact(&self) -> &Contact {
        &self.contact
    }

    pub fn config(&self) -> &CallConfig {
        &self.config
    }

    /// The flow running now (a module while one runs).
    pub fn flow(&self) -> &Arc<Flow> {
        &self.stack.last().expect("the stack is never empty").flow
    }

    /// The flows this call can reach.
    pub fn flows(&self) -> &FlowSet {
        &self.flows
    }

    /// The block running or waiting now, in [`Engine::flow`].
    pub fn current_block(&self) -> Option<BlockIdx> {
        match &self.wait {
            Wait::None => self.current,
            Wait::Menu { block, .. }
            | Wait::Store { block, .. }
            | Wait::Lex { block, .. }
            | Wait::Lambda { block, .. } => Some(*block),
        }
    }

    pub fn steps(&self) -> u32 {
        self.steps
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn ended(&self) -> Option<&EndReason> {
        self.ended.as_ref()
    }

    pub fn status(&self) -> Status {
        if let Some(r) = &self.ended {
            return Status::Ended(r.clone());
        }
        if !self.started {
            return Status::NotStarted;
        }
        match &self.wait {
            Wait::Menu { block, deadline } => Status::AwaitingInput {
                block: self.block_ref(*block),
                mode: "menu",
                deadline: *deadline,
                typed: String::new(),
            },
            Wait::Store {
                block,
                digits,
                deadline,
                ..
            } => Status::AwaitingInput {
                block: self.block_ref(*block),
                mode: "store",
                deadline: *deadline,
                typed: digits.clone(),
            },
            Wait::Lex { block, deadline } => Status::AwaitingInput {
                block: self.block_ref(*block),
                mode: "lex",
                deadline: *deadline,
                typed: String::new(),
            },
            Wait::Lambda {
                block,
                call,
                function,
                deadline,
                ..
            } => Status::AwaitingLambda {
                block: self.block_ref(*block),
                call: *call,
                function: function.clone(),
                deadline: *deadline,
            },
            Wait::None => match self.current {
                Some(b) => Status::Paused {
                    next: self.block_ref(b),
                },
                None => Status::NotStarted,
            },
        }
    }

    // ---- running blocks -------------------------------------------------------

    fn run(&mut self) {
        while self.current.is_some() && self.ended.is_none() {
            if self.stepping {
                return;
            }
            self.run_one();
        }
    }

    /// Run the current block and follow its branch (one step).
    fn run_one(&mut self) {
        let Some(idx) = self.current.take() else {
            return;
        };
        if self.steps >= self.config.max_steps {
            self.end(EndReason::Budget { steps: self.steps });
            return;
        }
        self.steps += 1;
        let flow = self.flow().clone();
        let block = &flow.blocks[idx];
        self.emit(TraceKind::BlockStarted {
            block: self.block_ref(idx),
            type_name: block.type_name.clone(),
            step: self.steps,
        });
        match self.execute(&flow, idx) {
            Step::Go(choice) => self.follow(idx, choice),
            Step::GoFrom(from, choice) => self.follow(from, choice),
            Step::Jumped | Step::Wait => {}
            Step::End(reason) => self.end(reason),
        }
    }

    fn execute(&mut self, flow: &Arc<Flow>, idx: BlockIdx) -> Step {
        let block = &flow.blocks[idx];
        match &block.kind {
            Kind::MessageParticipantIteratively { prompts } => {
                for prompt in prompts {
                    if let Err(e) = self.play(idx, Some(prompt)) {
                        return Step::Go(Choice::Error("NoMatchingError".into(), e));
                    }
                }
                Step::End(EndReason::Ended {
                    detail: "the messages loop until an agent answers or the caller hangs up"
                        .into(),
                })
            }
            Kind::MessageParticipant { prompt } => match self.play(idx, prompt.as_ref()) {
                Ok(()) => Step::Go(Choice::Next("prompt played".into())),
                Err(e) => Step::Go(Choice::Error("NoMatchingError".into(), e)),
            },
            Kind::GetParticipantInput {
                prompt,
                timeout_secs,
                store,
                ..
            } => {
                if let Err(e) = self.play(idx, prompt.as_ref()) {
                    return Step::Go(Choice::Error("NoMatchingError".into(), e));
                }
                let deadline = self.now.plus_secs(*timeout_secs);
                self.emit(TraceKind::InputRequested {
                    block: self.block_ref(idx),
                    mode: if *store { "store" } else { "menu" }.into(),
                    timeout_ms: u64::from(*timeout_secs) * 1000,
                });
                self.wait = if *store {
                    Wait::Store {
                        block: idx,
                        digits: String::new(),
                        deadline,
                        typed_any: false,
                    }
                } else {
                    Wait::Menu {
                        block: idx,
                        deadline,
                    }
                };
                // Keys typed ahead answer at once.
                while matches!(self.wait, Wait::Menu { .. } | Wait::Store { .. }) {
                    let Some(k) = self.typeahead.pop_front() else {
                        break;
                    };
                    self.key(k);
                }
                if matches!(self.wait, Wait::None) {
                    // The type-ahead finished the input and the call moved on.
                    return Step::Jumped;
                }
                Step::Wait
            }
            Kind::ConnectParticipantWithLexBot { prompt, bot } => {
                if let Err(e) = self.play(idx, prompt.as_ref()) {
                    return Step::Go(Choice::Error("NoMatchingError".into(), e));
                }
                self.emit(TraceKind::InputRequested {
                    block: self.block_ref(idx),
                    mode: "lex".into(),
                    timeout_ms: 5000,
                });
                let _ = bot;
                self.wait = Wait::Lex {
                    block: idx,
                    deadline: self.now.plus_secs(5),
                };
                Step::Wait
            }
            Kind::InvokeLambdaFunction {
                arn,
                time_limit_secs,
                response_type,
                parameters,
                asynchronous,
            } => {
                let written = arn;
                let arn = self.text_value(idx, arn);
                if arn.trim().is_empty() {
                    // No ARN (a draft), or a reference that resolved to nothing.
                    let why = if written.trim().is_empty() {
                        "the block names no LambdaFunctionARN".to_owned()
                    } else {
                        format!("the function ARN \"{written}\" resolved to nothing")
                    };
                    return Step::Go(Choice::Error("NoMatchingError".into(), why));
                }
                let function = function_name(&arn);
                let mut params = IndexMap::with_capacity(parameters.len());
                for (k, v) in parameters {
                    let v = self.resolve_leaves(idx, v);
                    params.insert(k.clone(), v);
                }
                let limit = (*time_limit_secs).clamp(1, 8);
                if limit != *time_limit_secs {
                    self.warn(
                        Some(idx),
                        format!(
                            "InvocationTimeLimitSeconds {time_limit_secs} is outside 1–8; Connect would refuse it (using {limit})"
                        ),
                    );
                }
                if *asynchronous {
                    self.warn(
                        Some(idx),
                        "ASYNCHRONOUS invocation is simulated as synchronous".into(),
                    );
                }
                let event = build_event(&self.contact, &params);
                let call = self.next_call;
                self.next_call += 1;
                // Each invocation replaces $.External, whatever its outcome.
                self.contact.external = Value::Null;
                self.emit(TraceKind::LambdaInvoked {
                    block: self.block_ref(idx),
                    call,
                    function: function.clone(),
                    time_limit_ms: u64::from(limit) * 1000,
                    response_type: match response_type {
                        LambdaResponseType::Json => "JSON",
                        LambdaResponseType::StringMap => "STRING_MAP",
                    }
                    .into(),
                    request: event.clone(),
                });
                self.out.push(Effect::InvokeLambda(LambdaCall {
                    call,
                    request: LambdaRequest {
                        function_arn: arn,
                        function_name: function.clone(),
                        event,
                        time_limit: Duration::from_secs(u64::from(limit)),
                    },
                }));
                self.wait = Wait::Lambda {
                    block: idx,
                    call,
                    function,
                    deadline: self.now.plus_secs(limit),
                    started: self.now,
                    response_type: *response_type,
                    time_limit: limit,
                };
                Step::Wait
            }
            Kind::Compare { value } => {
                let reference = value.trim();
                let resolved = match super::refs::whole(reference) {
                    Some(r) => match self.contact.resolve(&r.segments) {
                        super::contact::Resolved::Value(v) => Some(v),
                        super::contact::Resolved::NonString { text, key } => {
                            self.warn(
                                Some(idx),
                                format!("{key} is {text}, not a string; comparing \"{text}\""),
                            );
                            Some(text)
                        }
                        super::contact::Resolved::Missing => None,
                    },
                    None => {
                        self.warn(Some(idx), format!("ComparisonValue \"{value}\" is not a reference; comparing it as text"));
                        Some(value.clone())
                    }
                };
                match resolved {
                    None => Step::Go(Choice::NoMatch(format!("{reference} is not set"))),
                    Some(v) => self.match_conditions(flow, idx, &v, reference),
                }
            }
            Kind::Loop { count } => {
                let text = self.text_value(idx, count);
                let n = text.trim().parse::<u32>().unwrap_or_else(|_| {
                    self.warn(
                        Some(idx),
                        format!("LoopCount \"{text}\" is not a number; looping 0 times"),
                    );
                    0
                });
                let key = (flow.name.clone(), block.id.clone());
                let done = *self.contact.loops.get(&key).unwrap_or(&0);
                let (result, why) = if done < n {
                    self.contact.loops.insert(key, done + 1);
                    ("ContinueLooping", format!("iteration {} of {n}", done + 1))
                } else {
                    self.contact.loops.remove(&key);
                    (
                        "DoneLooping",
                        format!("done after {n} iterations; counter reset"),
                    )
                };
                match block.conditions.iter().position(|c| c.operand == result) {
                    Some(i) => Step::Go(Choice::Cond(i, why)),
                    None => Step::Go(Choice::Next(format!("{result} ({why}); no branch for it"))),
                }
            }
            Kind::UpdateContactAttributes { attributes } => {
                self.set_attributes(idx, attributes, false)
            }
            Kind::UpdateFlowAttributes { attributes } => self.set_attributes(idx, attributes, true),
            Kind::CheckHoursOfOperation { hours } => {
                if hours.is_none() && self.contact.queue.is_none() {
                    return Step::Go(Choice::Error(
                        "NoMatchingError".into(),
                        "no HoursOfOperationId and no working queue to take hours from".into(),
                    ));
                }
                let open = self.config.hours_open;
                let result = if open { "True" } else { "False" };
                let why = format!(
                    "hours are {} (--hours)",
                    if open { "open" } else { "closed" }
                );
                self.match_conditions_result(flow, idx, result, why)
            }
            Kind::UpdateContactTextToSpeechVoice {
                voice,
                engine,
                style,
            } => {
                if let Some(v) = voice {
                    self.contact.voice = self.text_value(idx, v);
                }
                let mut value = self.contact.voice.clone();
                for extra in [engine, style].into_iter().flatten() {
                    value.push_str(&format!(" ({extra})"));
                }
                self.emit(TraceKind::ContactUpdated {
                    field: "voice".into(),
                    value,
                });
                Step::Go(Choice::Next("voice set".into()))
            }
            Kind::UpdateContactRecordingBehavior | Kind::UpdateContactRecordingAndAnalyticsBehavior => {
                let summary = Value::Object(block.params.clone()).to_string();
                self.contact.recording = Some(summary.clone());
                self.emit(TraceKind::ContactUpdated {
                    field: "recording".into(),
                    value: summary,
                });
                Step::Go(Choice::Next("recording behaviour set".into()))
            }
            Kind::TransferParticipantToThirdParty {
                number,
                continue_flow,
            } => {
                let number = self.text_value(idx, number);
                self.emit(TraceKind::ContactUpdated {
                    field: "third-party transfer".into(),
                    value: format!("dialing {number}"),
                });
                if *continue_flow {
                    Step::Go(Choice::Next(format!(
                        "{number} answered; the flow goes on when the third party hangs up"
                    )))
                } else {
                    Step::End(EndReason::Ended {
                        detail: format!("handed off to {number} by a third-party transfer"),
                    })
                }
            }
            Kind::UpdateContactEventHooks => self.record_setting(block, idx, "event hooks"),
            Kind::UpdateContactMediaStreamingBehavior => {
                self.record_setting(block, idx, "media streaming")
            }
            Kind::UpdateContactRoutingBehavior => self.record_setting(block, idx, "routing"),
            Kind::UpdateContactRoutingCriteria => {
                self.record_setting(block, idx, "routing criteria")
            }
            Kind::UpdateContactMediaProcessing => {
                self.record_setting(block, idx, "media processing")
            }
            Kind::CreateWisdomSession => self.record_setting(block, idx, "Q in Connect session"),
            Kind::StartVoiceIdStream => self.record_setting(block, idx, "Voice ID stream"),
            Kind::TagContact => self.record_setting(block, idx, "tags"),
            Kind::UnTagContact => self.record_setting(block, idx, "tags removed"),
            Kind::CreateTask => self.record_setting(block, idx, "task created"),
            Kind::UpdateFlowLoggingBehavior { enabled } => {
                self.contact.logging = *enabled;
                self.emit(TraceKind::ContactUpdated {
                    field: "logging".into(),
                    value: if *enabled { "enabled" } else { "disabled" }.into(),
                });
                Step::Go(Choice::Next("flow logging set".into()))
            }
            Kind::UpdateContactData { fields } => {
                for (k, v) in fields {
                    if k == "TargetContact" {
                        continue;
                    }
                    let v = self.text_value(idx, v);
                    if k == "LanguageCode" {
                        self.contact.language = v.clone();
                    }
                    self.contact.data.insert(k.clone(), v.clone());
                    self.emit(TraceKind::ContactUpdated {
                        field: k.clone(),
                        value: v,
                    });
                }
                Step::Go(Choice::Next("contact data updated".into()))
            }
            Kind::UpdateContactTargetQueue { queue, name } => {
                let arn = self.text_value(idx, queue);
                if arn.is_empty() {
                    return Step::Go(Choice::Error(
                        "NoMatchingError".into(),
                        "the queue reference is empty".into(),
                    ));
                }
                let name = name
                    .clone()
                    .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(&arn).to_owned());
                self.emit(TraceKind::ContactUpdated {
                    field: "queue".into(),
                    value: name.clone(),
                });
                self.contact.queue = Some((name, arn));
                Step::Go(Choice::Next("working queue set".into()))
            }
            Kind::TransferContactToQueue => match &self.contact.queue {
                None => Step::Go(Choice::Error(
                    "NoMatchingError".into(),
                    "no working queue set".into(),
                )),
                Some(_) if self.config.queue_at_capacity => Step::Go(Choice::Error(
                    "QueueAtCapacity".into(),
                    "the queue is at capacity (configured)".into(),
                )),
                Some((name, _)) => Step::End(EndReason::Queued {
                    queue: name.clone(),
                }),
            },
            Kind::TransferToFlow { flow: target, name } => {
                let reference = self.text_value(idx, target);
                match self.flows.find(&reference, name.as_deref()) {
                    None => Step::Go(Choice::Error(
                        "NoMatchingError".into(),
                        format!(
                            "flow {} not found (give the folder holding it with --flows DIR)",
                            name.as_deref().unwrap_or(&reference)
                        ),
                    )),
                    Some(next) => {
                        self.emit(TraceKind::FlowChanged {
                            from: flow.name.clone(),
                            to: next.name.clone(),
                            how: "transfer".into(),
                        });
                        self.contact.flow_attributes.clear();
                        self.current = Some(next.start);
                        self.stack = vec![Frame {
                            flow: next,
                            caller: None,
                        }];
                        Step::Jumped
                    }
                }
            }
            Kind::InvokeFlowModule { module, name } => {
                let reference = self.text_value(idx, module);
                if self.stack.len() > MAX_MODULE_DEPTH {
                    return Step::Go(Choice::Error(
                        "NoMatchingError".into(),
                        format!("flow modules nest deeper than {MAX_MODULE_DEPTH} levels"),
                    ));
                }
                match self.flows.find(&reference, name.as_deref()) {
                    None => Step::Go(Choice::Error(
                        "NoMatchingError".into(),
                        format!(
                            "module {} not found (give the folder holding it with --flows DIR)",
                            name.as_deref().unwrap_or(&reference)
                        ),
                    )),
                    Some(module) => {
                        self.emit(TraceKind::FlowChanged {
                            from: flow.name.clone(),
                            to: module.name.clone(),
                            how: "module".into(),
                        });
                        self.current = Some(module.start);
                        self.stack.push(Frame {
                            flow: module,
                            caller: Some(idx),
                        });
                        Step::Jumped
                    }
                }
            }
            Kind::EndFlowModuleExecution => {
                if self.stack.len() > 1 {
                    let frame = self.stack.pop().expect("len > 1");
                    let caller = frame.caller.expect("module frames have a caller");
                    self.emit(TraceKind::FlowChanged {
                        from: frame.flow.name.clone(),
                        to: self.flow().name.clone(),
                        how: "module returned".into(),
                    });
                    Step::GoFrom(caller, Choice::Next("module ended".into()))
                } else {
                    Step::End(EndReason::Ended {
                        detail: "flow module ended".into(),
                    })
                }
            }
            Kind::DisconnectParticipant => Step::End(EndReason::Disconnected {
                detail: if block.friendly {
                    format!("DisconnectParticipant \"{}\"", block.id)
                } else {
                    "DisconnectParticipant".into()
                },
            }),
            Kind::EndFlowExecution => Step::End(EndReason::Ended {
                detail: "EndFlowExecution".into(),
            }),
            Kind::DistributeByPercentage => {
                let roll = self.rng.u32(1..=100);
                self.match_conditions_result(
                    flow,
                    idx,
                    &roll.to_string(),
                    format!("rolled {roll} of 100"),
                )
            }
            Kind::Unknown
            | Kind::ShowView
            | Kind::AuthenticateParticipant
            | Kind::ConnectParticipantWithAgenticCX
            | Kind::CheckMetricData
            | Kind::CheckOutboundCallStatus
            | Kind::CheckVoiceId
            | Kind::GetMetricData
            | Kind::Wait
            | Kind::CompleteOutboundCall
            | Kind::CreateCase
            | Kind::DequeueContactAndTransferToQueue
            | Kind::GetCase
            | Kind::StartOutboundChatContact
            | Kind::TransferContactToAgent
            | Kind::UpdateCase
            | Kind::UpdateContactCallbackNumber
            | Kind::ResumeContact
            | Kind::UpdatePreviousContactParticipantState
            | Kind::AssociateContactToCustomerProfile
            | Kind::CreateCallbackContact
            | Kind::CreateCustomerProfile
            | Kind::GetCustomerProfile
            | Kind::GetCustomerProfileObject
            | Kind::GetCalculatedAttributesForCustomerProfile
            | Kind::UpdateCustomerProfile
            | Kind::EvaluateDataTableValues
            | Kind::ListDataTableValues
            | Kind::UpsertDataTableValues
            | Kind::LoadContactContent
            | Kind::CreatePersistentContactAssociation
            | Kind::CreateContact
            | Kind::StartOutboundEmailContact
            | Kind::RenderMessageTemplate
            | Kind::CheckSegmentMembership
            | Kind::RouteContactToAgent => {
                let message = format!("action type {} is not simulated", block.type_name);
                if self.config.strict {
                    return Step::End(EndReason::Stopped {
                        detail: format!("{message} (--strict) at block \"{}\"", block.label()),
                    });
                }
                self.warn(Some(idx), format!("{message}; passing through"));
                if block.next_id.is_some() {
                    Step::Go(Choice::Next("unsupported block passed through".into()))
                } else {
                    Step::Go(Choice::Error(
                        "NoMatchingError".into(),
                        "unsupported block with no NextAction".into(),
                    ))
                }
            }
        }
    }

    /// A contact setting or side request flowsim records but does not act on: each
    /// parameter in the trace, then `NextAction`.
    fn record_setting(&mut self, block: &Block, idx: BlockIdx, field: &str) -> Step {
        // Each parameter, nested keys dotted, references resolved:
        // `EventHooks.CustomerQueue = arn:…/contact-flow/…`.
        let mut parts = Vec::new();
        let mut todo: Vec<(String, &Value)> =
            block.params.iter().map(|(k, v)| (k.clone(), v)).collect();
        todo.reverse();
        while let Some((key, v)) = todo.pop() {
            match v {
                Value::String(s) => {
                    parts.push(format!("{key} = {}", self.text_value(idx, s)))
                }
                Value::Object(m) => {
                    todo.extend(m.iter().rev().map(|(k, v)| (format!("{key}.{k}"), v)));
                }
                other => parts.push(format!("{key} = {other}")),
            }
        }
        self.emit(TraceKind::ContactUpdated {
            field: field.into(),
            value: parts.join(", "),
        });
        Step::Go(Choice::Next(format!("{field} set")))
    }

    fn match_conditions(
        &mut self,
        flow: &Arc<Flow>,
        idx: BlockIdx,
        value: &str,
        what: &str,
    ) -> Step {
        let block = &flow.blocks[idx];
        for (i, c) in block.conditions.iter().enumerate() {
            if c.operator.eval(value, &c.operand) {
                return Step::Go(Choice::Cond(
                    i,
                    format!(
                        "{what} = \"{value}\" matches {} \"{}\"",
                        c.operator.name(),
                        c.operand
                    ),
                ));
            }
        }
        Step::Go(Choice::NoMatch(format!(
            "{what} = \"{value}\" matches no condition"
        )))
    }

    fn match_conditions_result(
        &mut self,
        flow: &Arc<Flow>,
        idx: BlockIdx,
        value: &str,
        why: String,
    ) -> Step {
        let block = &flow.blocks[idx];
        for (i, c) in block.conditions.iter().enumerate() {
            if c.operator.eval(value, &c.operand) {
                return Step::Go(Choice::Cond(i, why));
            }
        }
        Step::Go(Choice::NoMatch(format!(
            "{why}; result \"{value}\" matches no condition"
        )))
    }

    fn set_attributes(
        &mut self,
        idx: BlockIdx,
        attributes: &IndexMap<String, String>,
        flow_scope: bool,
    ) -> Step {
        let mut values = Vec::with_capacity(attributes.len());
        for (k, v) in attributes {
            let key = self.text_value(idx, k);
            if key.is_empty() || key.contains('$') || key.contains('.') {
                return Step::Go(Choice::Error(
                    "NoMatchingError".into(),
                    format!("attribute key \"{key}\" is empty or contains $ or . (nothing set)"),
                ));
            }
            let value = self.text_value(idx, v);
            values.push((key, value));
        }
        let target = if flow_scope {
            &self.contact.flow_attributes
        } else {
            &self.contact.attributes
        };
        let mut size: usize = target.iter().map(|(k, v)| k.len() + v.len()).sum();
        for (k, v) in &values {
            size += k.len() + v.len();
        }
        if size > MAX_ATTRIBUTE_BYTES {
            return Step::Go(Choice::Error(
                "NoMatchingError".into(),
                format!("attributes would total {size} bytes, over Connect's 32 KB (nothing set)"),
            ));
        }
        let scope = if flow_scope { "flow" } else { "contact" };
        for (k, v) in values {
            self.emit(TraceKind::AttributeSet {
                scope: scope.into(),
                key: k.clone(),
                value: v.clone(),
            });
            if flow_scope {
                self.contact.flow_attributes.insert(k, v);
            } else {
                self.contact.attributes.insert(k, v);
            }
        }
        Step::Go(Choice::Next(format!("{scope} attributes set")))
    }

    /// Take a branch of block `idx` of the top flow.
    fn follow(&mut self, idx: BlockIdx, choice: Choice) {
        let flow = self.flow().clone();
        let block = &flow.blocks[idx];
        let (branch, target, reason) = match choice {
            Choice::Next(reason) => ("Next".to_owned(), block.next, reason),
            Choice::Cond(i, reason) => {
                let c = &block.conditions[i];
                (c.label(), c.target, reason)
            }
            Choice::Error(kind, reason) => match block.error_target(&kind) {
                Some(e) => (kind, e.target, reason),
                None => match block.error_target("NoMatchingError") {
                    Some(e) => (
                        "NoMatchingError".into(),
                        e.target,
                        format!("{kind}: {reason}"),
                    ),
                    None => (format!("{kind} (no branch)"), None, reason),
                },
            },
            Choice::NoMatch(reason) => match block.error_target("NoMatchingCondition") {
                Some(e) => ("NoMatchingCondition".into(), e.target, reason),
                None => ("Next".into(), block.next, reason),
            },
        };
        self.emit(TraceKind::BranchTaken {
            block: self.block_ref(idx),
            branch,
            reason,
            target: target.map(|t| self.block_ref(t)),
        });
        match target {
            Some(t) => self.current = Some(t),
            None => self.end(EndReason::Disconnected {
                detail: "flow ended without transfer".into(),
            }),
        }
    }

    /// Take a branch of the block that was waiting, then run on.
    fn resume(&mut self, idx: BlockIdx, choice: Choice) {
        self.wait = Wait::None;
        self.follow(idx, choice);
        self.run();
    }

    // ---- input ----------------------------------------------------------------

    fn key(&mut self, key: char) {
        match &mut self.wait {
            Wait::Menu { block, .. } => {
                let idx = *block;
                let flow = self.flow().clone();
                let b = &flow.blocks[idx];
                let k = key.to_string();
                let choice = match b
                    .conditions
                    .iter()
                    .position(|c| c.operator.eval(&k, &c.operand))
                {
                    Some(i) => Choice::Cond(i, format!("caller pressed {key}")),
                    None => {
                        Choice::NoMatch(format!("caller pressed {key}, which no condition expects"))
                    }
                };
                self.resume(idx, choice);
            }
            Wait::Store { block, .. } => {
                let idx = *block;
                let flow = self.flow().clone();
                let Kind::GetParticipantInput {
                    terminator,
                    cancel_disabled,
                    interdigit_secs,
                    validation,
                    ..
                } = &flow.blocks[idx].kind
                else {
                    unreachable!("store waits come from GetParticipantInput");
                };
                let max = match validation {
                    Some(Validation::Custom {
                        max_length: Some(m),
                    }) => Some(*m as usize),
                    _ => None,
                };
                let next_deadline = self.now.plus_secs(*interdigit_secs);
                let Wait::Store {
                    digits,
                    deadline,
                    typed_any,
                    ..
                } = &mut self.wait
                else {
                    unreachable!("matched above");
                };
                *typed_any = true;
                if key == '*' && !*cancel_disabled {
                    digits.clear();
                } else {
                    digits.push(key);
                }
                *deadline = next_deadline;
                if digits.ends_with(terminator.as_str()) {
                    let value = digits[..digits.len() - terminator.len()].to_owned();
                    self.finish_store(idx, value);
                } else if max.is_some_and(|m| digits.len() >= m) {
                    let value = digits.clone();
                    self.finish_store(idx, value);
                }
            }
            Wait::Lex { block, .. } => {
                let idx = *block;
                self.lex_intent(idx, key.to_string());
            }
            Wait::None | Wait::Lambda { .. } => self.typeahead.push_back(key),
        }
    }

    fn timeout_input(&mut self) {
        match &self.wait {
            Wait::Menu { block, .. } => {
                let idx = *block;
                let secs = self.input_timeout(idx);
                self.resume(
                    idx,
                    Choice::Error(
                        "InputTimeLimitExceeded".into(),
                        format!("no key within {secs} s"),
                    ),
                );
            }
            Wait::Store {
                block,
                digits,
                typed_any,
                ..
            } => {
                let idx = *block;
                if *typed_any {
                    let value = digits.clone();
                    self.finish_store(idx, value);
                } else {
                    let flow = self.flow().clone();
                    let secs = self.input_timeout(idx);
                    if flow.blocks[idx]
                        .error_target("InputTimeLimitExceeded")
                        .is_some()
                    {
                        self.resume(
                            idx,
                            Choice::Error(
                                "InputTimeLimitExceeded".into(),
                                format!("no digits within {secs} s"),
                            ),
                        );
                    } else {
                        self.store(idx, "Timeout".into());
                        self.resume(
                            idx,
                            Choice::Next(format!("no digits within {secs} s: stored \"Timeout\"")),
                        );
                    }
                }
            }
            Wait::Lex { block, .. } => {
                let idx = *block;
                self.resume(
                    idx,
                    Choice::Error(
                        "InputTimeLimitExceeded".into(),
                        "the caller said nothing".into(),
                    ),
                );
            }
            Wait::None | Wait::Lambda { .. } => {}
        }
    }

    fn input_timeout(&self, idx: BlockIdx) -> u32 {
        match &self.flow().blocks[idx].kind {
            Kind::GetParticipantInput { timeout_secs, .. } => *timeout_secs,
            _ => 5,
        }
    }

    fn store(&mut self, idx: BlockIdx, value: String) {
        self.emit(TraceKind::InputStored {
            block: self.block_ref(idx),
            value: value.clone(),
        });
        self.contact.stored_input = Some(value);
    }

    fn finish_store(&mut self, idx: BlockIdx, typed: String) {
        let flow = self.flow().clone();
        let Kind::GetParticipantInput {
            validation,
            encrypted,
            ..
        } = &flow.blocks[idx].kind
        else {
            unreachable!("store waits come from GetParticipantInput");
        };
        let choice = match validation {
            Some(Validation::Phone { format, country }) => {
                match validate_phone(&typed, *format, country.as_deref()) {
                    Some(e164) => {
                        let why = format!("\"{typed}\" is a valid phone number: stored {e164}");
                        self.store(idx, e164);
                        Choice::Next(why)
                    }
                    None => Choice::Error(
                        "InvalidPhoneNumber".into(),
                        format!(
                            "\"{typed}\" is not a valid {} phone number",
                            match format {
                                PhoneFormat::Local => country.as_deref().unwrap_or("US"),
                                PhoneFormat::E164 => "E.164",
                            }
                        ),
                    ),
                }
            }
            _ => {
                let value = if *encrypted {
                    format!("<encrypted {} digits>", typed.len())
                } else {
                    typed.clone()
                };
                self.store(idx, value);
                Choice::Next(format!("stored \"{typed}\""))
            }
        };
        self.resume(idx, choice);
    }

    fn lex_intent(&mut self, idx: BlockIdx, intent: String) {
        self.contact.lex_intent = Some(intent.clone());
        let flow = self.flow().clone();
        let b = &flow.blocks[idx];
        let choice = match b
            .conditions
            .iter()
            .position(|c| c.operator.eval(&intent, &c.operand))
        {
            Some(i) => Choice::Cond(i, format!("intent {intent}")),
            None => Choice::NoMatch(format!("intent {intent} matches no condition")),
        };
        self.resume(idx, choice);
    }

    // ---- Lambda -----------------------------------------------------------------

    fn lambda_done(&mut self, call: u64, outcome: LambdaOutcome) {
        let Wait::Lambda {
            block,
            call: waiting,
            deadline,
            started,
            response_type,
            ..
        } = &self.wait
        else {
            self.warn(
                None,
                format!("Lambda call {call} answered after the flow moved on; ignored"),
            );
            return;
        };
        if *waiting != call {
            self.warn(
                None,
                format!("Lambda call {call} answered after the flow moved on; ignored"),
            );
            return;
        }
        let (idx, deadline, started, kind) = (*block, *deadline, *started, *response_type);
        if self.now > deadline {
            self.lambda_timeout();
            return;
        }
        let duration_ms = self.now.since(started).as_millis() as u64;
        let result = match outcome {
            LambdaOutcome::NoAnswer => return,
            LambdaOutcome::Response { payload } => match validate_response(&payload, kind) {
                Ok(accepted) => {
                    for w in accepted.warnings {
                        self.warn(Some(idx), w);
                    }
                    self.contact.external = accepted.external.clone();
                    Ok((accepted.external, kind))
                }
                Err(reason) => Err((reason, Some(payload))),
            },
            LambdaOutcome::FunctionError { message } => {
                Err((format!("function error: {message}"), None))
            }
            LambdaOutcome::InvokeError { cause } => {
                Err((format!("invocation failed: {cause}"), None))
            }
        };
        let block = self.block_ref(idx);
        match result {
            Ok((response, kind)) => {
                let detail = format!(
                    "valid {} response",
                    if kind == LambdaResponseType::Json {
                        "JSON"
                    } else {
                        "STRING_MAP"
                    }
                );
                self.emit(TraceKind::LambdaResult {
                    block,
                    call,
                    ok: true,
                    detail: detail.clone(),
                    response: Some(response),
                    raw: None,
                    duration_ms,
                });
                self.resume(idx, Choice::Next(detail));
            }
            Err((detail, raw)) => {
                self.emit(TraceKind::LambdaResult {
                    block,
                    call,
                    ok: false,
                    detail: detail.clone(),
                    response: None,
                    raw: raw.map(|r| truncate(&r, 2000)),
                    duration_ms,
                });
                self.resume(idx, Choice::Error("NoMatchingError".into(), detail));
            }
        }
    }

    fn lambda_timeout(&mut self) {
        let Wait::Lambda {
            block,
            call,
            started,
            time_limit,
            ..
        } = &self.wait
        else {
            return;
        };
        let (idx, call, started, limit) = (*block, *call, *started, *time_limit);
        let detail = format!("no answer within {limit} s (InvocationTimeLimitSeconds)");
        self.emit(TraceKind::LambdaResult {
            block: self.block_ref(idx),
            call,
            ok: false,
            detail: detail.clone(),
            response: None,
            raw: None,
            duration_ms: self.now.since(started).as_millis() as u64,
        });
        self.resume(idx, Choice::Error("NoMatchingError".into(), detail));
    }

    // ---- helpers ----------------------------------------------------------------

    /// Play a prompt: render it and emit it. `Err` = malformed SSML.
    fn play(&mut self, idx: BlockIdx, prompt: Option<&Prompt>) -> Result<(), String> {
        let Some(prompt) = prompt else {
            return Ok(());
        };
        let (text, kind, source) = match prompt {
            Prompt::Text(t) => {
                let source = self.text_value(idx, t);
                (ssml::tidy(&source), PromptKind::Text, source)
            }
            Prompt::Ssml(s) => {
                let source = self.text_value(idx, s);
                let text = ssml::render(&source).map_err(|e| e.to_string())?;
                (text, PromptKind::Ssml, source)
            }
            Prompt::PromptId { id, name } => {
                let id = self.text_value(idx, id);
                let label = name
                    .clone()
                    .unwrap_or_else(|| id.rsplit('/').next().unwrap_or(&id).to_owned());
                (format!("[prompt: {label}]"), PromptKind::PromptId, id)
            }
            Prompt::Media { uri } => {
                let uri = self.text_value(idx, uri);
                (format!("[audio: {uri}]"), PromptKind::Media, uri)
            }
        };
        self.emit(TraceKind::Prompt {
            block: self.block_ref(idx),
            text,
            kind,
            source,
        });
        Ok(())
    }

    /// Resolve a whole reference or interpolate text, reporting warnings.
    fn text_value(&mut self, idx: BlockIdx, text: &str) -> String {
        let (value, warnings) = self.contact.value_of(text);
        for w in warnings {
            self.warn(Some(idx), w);
        }
        value
    }

    /// A JSON value with each text leaf resolved as [`Self::text_value`] does.
    fn resolve_leaves(&mut self, idx: BlockIdx, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text_value(idx, s)),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), self.resolve_leaves(idx, v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.resolve_leaves(idx, v)).collect()),
            other => other.clone(),
        }
    }

    fn warn(&mut self, idx: Option<BlockIdx>, message: String) {
        let block = idx.map(|i| self.block_ref(i));
        self.emit(TraceKind::Warning { block, message });
    }

    fn block_ref(&self, idx: BlockIdx) -> BlockRef {
        let flow = self.flow();
        let b = &flow.blocks[idx];
        BlockRef {
            flow: flow.name.clone(),
            id: b.id.clone(),
            label: b.label(),
        }
    }

    fn end(&mut self, reason: EndReason) {
        if self.ended.is_some() {
            return;
        }
        self.wait = Wait::None;
        self.current = None;
        self.emit(TraceKind::Ended {
            reason: reason.clone(),
        });
        self.ended = Some(reason);
    }

    fn emit(&mut self, kind: TraceKind) {
        self.out
            .push(Effect::Trace(TraceEvent { at: self.now, kind }));
    }
}

/// The function name in an ARN: `arn:aws:lambda:r:a:function:NAME[:qualifier]`.
pub fn function_name(arn: &str) -> String {
    match arn.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest).to_owned(),
        None => arn.rsplit(':').next().unwrap_or(arn).to_owned(),
    }
}

/// Connect's phone-number validation; `Some(E.164)` when valid.
pub fn validate_phone(typed: &str, format: PhoneFormat, country: Option<&str>) -> Option<String> {
    if typed.is_empty() || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match format {
        PhoneFormat::E164 => (8..=15).contains(&typed.len()).then(|| format!("+{typed}")),
        PhoneFormat::Local => {
            let country = country.unwrap_or("US").to_ascii_uppercase();
            match country.as_str() {
                // The North American Numbering Plan.
                "US" | "CA" | "PR" | "GU" | "VI" | "AS" | "MP" => {
                    let national = match typed.len() {
                        10 => typed,
                        11 if typed.starts_with('1') => &typed[1..],
                        _ => return None,
                    };
                    let b = national.as_bytes();
                    // Area code and exchange cannot start with 0 or 1.
                    (b[0] >= b'2' && b[3] >= b'2').then(|| format!("+1{national}"))
                }
                other => {
                    let code = calling_code(other)?;
                    let national = typed.strip_prefix('0').unwrap_or(typed);
                    (6..=12)
                        .contains(&national.len())
                        .then(|| format!("+{code}{national}"))
                }
            }
        }
    }
}

fn calling_code(country: &str) -> Option<&'static str> {
    Some(match country {
        "GB" => "44",
        "IE" => "353",
        "AU" => "61",
        "NZ" => "64",
        "DE" => "49",
        "FR" => "33",
        "ES" => "34",
        "IT" => "39",
        "NL" => "31",
        "BE" => "32",
        "CH" => "41",
        "AT" => "43",
        "SE" => "46",
        "NO" => "47",
        "DK" => "45",
        "FI" => "358",
        "PL" => "48",
        "PT" => "351",
        "MX" => "52",
        "BR" => "55",
        "AR" => "54",
        "CO" => "57",
        "IN" => "91",
        "JP" => "81",
        "KR" => "82",
        "SG" => "65",
        "ZA" => "27",
        _ => return None,
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}
