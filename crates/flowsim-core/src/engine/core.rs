//! The engine proper: one call through a set of flows.

use crate::catalogue::ErrorType;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use indexmap::IndexMap;
use serde_json::Value;

use super::contact::Contact;
use super::invoke::{LambdaOutcome, LambdaRequest, LexCall, LexOutcome, LexRequest};
use super::lambda_io::{build_event, validate_response};
use super::time::SimTime;
use super::trace::{
    AttributeScope, BlockRef, EndReason, InputMode, PromptKind, TraceEvent, TraceKind,
};
use crate::env::{Environment, Hours, LexBackend};
use crate::flow::{Block, BlockIdx, Flow, FlowSet, Kind, LambdaResponseType, Prompt, Validation};
use crate::ssml;

mod center;

mod branching;
mod input;
mod lambda;
mod prompt;
mod queue;
mod settings;
mod transfers;

pub use queue::{
    DEFAULT_AGENT_HOLD_FLOW, DEFAULT_CUSTOMER_HOLD_FLOW, DEFAULT_HOLD_SECS, DEFAULT_QUEUE_FLOW,
    MAX_QUEUE_TRANSFERS, QueueInfo,
};

/// What the trace shows for a digit typed into an encrypted Store customer input
/// (`InputEncryption`): the digits never appear in any output.
pub const MASKED_KEY: char = '•';

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
    /// The contact center: queues, profiles, views, … (defaults when unset). Shared:
    /// a call's config is cloned per call, the environment is not.
    pub env: Arc<Environment>,
    /// Ask instead of defaulting (the TUI): an environment outcome nobody set stops
    /// the call at [`Status::AwaitingOutcome`] until [`Input::Outcome`] answers.
    /// Off (run, test, explore): the documented default, and a trace line.
    pub ask_outcomes: bool,
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
            env: Arc::default(),
            ask_outcomes: false,
        }
    }
}

/// What the outside world tells the engine.
#[derive(Clone, Debug, PartialEq)]
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
    /// A live bot answered a [`Effect::RecognizeText`].
    LexDone { call: u64, outcome: LexOutcome },
    /// The caller hung up.
    Hangup,
    /// Step mode: run the next block.
    Step,
    /// The agent puts the caller on hold for `ms` (`None`: until [`Input::Resume`])
    /// once connected: after the agent answered and the whispers ran. Given before
    /// that, the hold waits its turn (several holds run one after the other).
    Hold { ms: Option<u64> },
    /// The agent takes the caller off hold now.
    Resume,
    /// The answer to [`Status::AwaitingOutcome`]: the call's environment with the
    /// chosen setting applied (the driver parses the choice's `.call` directive and
    /// lays it over [`Engine::config`]'s environment), or `None` for the documented
    /// default. The block that asked runs again with it.
    Outcome(Option<Arc<Environment>>),
}

/// One answer to an environment question: a concrete setting, as `.call` text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutcomeChoice {
    /// What it means, for the dialog (`no agent online`).
    pub label: String,
    /// The `.call` directive that sets it (`queue "BasicQueue" agents_online 0`);
    /// `None`: the documented default (nothing set).
    pub directive: Option<String>,
}

impl OutcomeChoice {
    pub fn set(label: impl Into<String>, directive: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            directive: Some(directive.into()),
        }
    }
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
    /// Send one turn to a live Lex bot and answer with [`Input::LexDone`].
    RecognizeText(LexCall),
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
        mode: InputMode,
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
    /// A live Lex bot is recognising what the caller said.
    AwaitingLex {
        block: BlockRef,
        call: u64,
        bot: String,
        deadline: SimTime,
    },
    /// A Play prompt plays until `deadline`; then the call goes on.
    Playing {
        block: BlockRef,
        deadline: SimTime,
    },
    /// A Wait block: the timer runs (a chat message from the customer ends it).
    Waiting {
        block: BlockRef,
        deadline: SimTime,
    },
    /// Waiting in `queue` for an agent: a Loop prompts block plays (`block`), or the
    /// customer queue flow has ended (`None`). `answer_at`: when an agent answers
    /// (`None`: never); `deadline`: the next thing due.
    InQueue {
        queue: String,
        block: Option<BlockRef>,
        answer_at: Option<SimTime>,
        deadline: Option<SimTime>,
    },
    /// [`CallConfig::ask_outcomes`]: `block` needs an outcome the environment does not
    /// give (`setting` names it); the first choice is the default. Answer with
    /// [`Input::Outcome`]; the call's clock does not run meanwhile.
    AwaitingOutcome {
        block: BlockRef,
        setting: String,
        choices: Vec<OutcomeChoice>,
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
    /// A Play prompt plays until `deadline`.
    Prompt {
        block: BlockIdx,
        deadline: SimTime,
    },
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
    /// A live bot's answer to `call` is awaited.
    LexBot {
        block: BlockIdx,
        call: u64,
        bot: String,
        utterance: String,
        deadline: SimTime,
    },
    /// A Wait block's timer: `result` when it runs out.
    Timer {
        block: BlockIdx,
        deadline: SimTime,
        result: &'static str,
    },
    Lambda {
        block: BlockIdx,
        call: u64,
        function: String,
        deadline: SimTime,
        started: SimTime,
        response_type: LambdaResponseType,
        time_limit: u32,
        /// The attempt running (1 = the first) and the request, for a retry.
        attempt: u32,
        request: Box<LambdaRequest>,
    },
    /// Loop prompts in queue: message `next` plays next at `deadline`, unless the
    /// interrupt timer fires first.
    Loop {
        block: BlockIdx,
        deadline: SimTime,
        next: usize,
        interrupt_at: Option<SimTime>,
        /// The messages, rendered when the block started.
        messages: Arc<[prompt::Rendered]>,
    },
    /// In queue, the customer queue flow over: the caller waits for an agent.
    InQueue,
    /// An environment question is open ([`Status::AwaitingOutcome`]). `previous`:
    /// the wait it interrupted; `utterance`: what the caller said, when the question
    /// came from an utterance (it is heard again), else the block runs again.
    Outcome {
        block: BlockIdx,
        setting: String,
        choices: Vec<OutcomeChoice>,
        previous: Box<Wait>,
        utterance: Option<String>,
    },
}

/// Which branch a block takes, and why.
enum Choice {
    Next(String),
    Cond(usize, String),
    /// An error type: its own branch, else `NoMatchingError`.
    Error(ErrorType, String),
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

/// One simulated call. See the module docs for the contract. `Clone` forks a call
/// at a decision (`flowsim explore` searches the calls a flow can take this way).
#[derive(Clone, Debug)]
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
    /// The touchtone buffer (keys kept for the next input block): filled only while
    /// touchtone buffering is on.
    typeahead: VecDeque<char>,
    /// Touchtone buffering (the Set Touchtone Buffer Behavior block) is on.
    buffering: bool,
    /// When the prompt being said ends (the last prompt's end when none plays).
    playing_until: SimTime,
    /// Milliseconds synchronous Lambda functions took since the caller last heard a
    /// prompt or was asked for input (Connect's 20 s limit for a sequence).
    lambda_sequence: u64,
    /// The working queue is an agent's queue (Set working queue by agent).
    agent_queue: bool,
    /// Unknown action types already warned about.
    warned_types: std::collections::HashSet<String>,
    /// Canned Lex answers used so far, per bot pattern.
    lex_turns: std::collections::HashMap<String, usize>,
    /// A Lex bot waiting for a slot: what it understood so far, and the slot.
    lex_elicit: Option<(crate::lex::Recognition, String)>,
    /// A live bot's session attributes as it last returned them (one session per call).
    lex_session: IndexMap<String, String>,
    /// Asynchronous Lambda calls still running, with their response type.
    async_calls: std::collections::HashMap<u64, LambdaResponseType>,
    /// The wait in queue, the agent, a callback.
    queue: queue::QueueState,
    rng: fastrand::Rng,
    now: SimTime,
    out: Vec<Effect>,
    /// The value the running block's conditions were tested against, for its
    /// [`TraceKind::BranchTaken`].
    tested: Option<String>,
    /// How many times each block [`Environment::replayed`] lists has run.
    replayed_used: std::collections::HashMap<(String, String), usize>,
    /// An environment question was just answered: the block runs again and uses the
    /// default for what the answer left unset, without asking again.
    answered: bool,
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
            channel: config
                .env
                .channel
                .as_deref()
                .map_or_else(|| "VOICE".into(), str::to_ascii_uppercase),
            initiation_method: config
                .env
                .initiation_method
                .as_deref()
                .map_or_else(|| "INBOUND".into(), str::to_ascii_uppercase),
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
            buffering: false,
            playing_until: SimTime::ZERO,
            lambda_sequence: 0,
            agent_queue: false,
            warned_types: std::collections::HashSet::new(),
            async_calls: std::collections::HashMap::new(),
            lex_turns: std::collections::HashMap::new(),
            lex_elicit: None,
            queue: queue::QueueState::default(),
            lex_session: IndexMap::new(),
            rng,
            now: SimTime::ZERO,
            out: Vec::new(),
            tested: None,
            replayed_used: std::collections::HashMap::new(),
            answered: false,
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
                    self.start_in_queue_flow(&flow);
                    self.run();
                }
            }
            Input::Step => {
                if self.started && matches!(self.wait, Wait::None) {
                    self.run_one();
                }
            }
            Input::Key(key) => {
                // The digits of an encrypted input never leave the engine.
                let shown = if self.encrypted_input() && key.is_ascii_digit() {
                    MASKED_KEY
                } else {
                    key
                };
                self.emit(TraceKind::Key { key: shown });
                self.key(key);
            }
            Input::Silence => {
                self.emit(TraceKind::Silence);
                self.timeout_input();
            }
            Input::Utterance(text) => {
                self.emit(TraceKind::Utterance { text: text.clone() });
                match self.wait {
                    Wait::Lex { block, .. } => self.lex_intent(block, text),
                    // On chat, a message from the customer ends a Wait.
                    Wait::Timer { block, .. } => self.timer_done(block, "CustomerReturned"),
                    Wait::None
                    | Wait::Prompt { .. }
                    | Wait::Menu { .. }
                    | Wait::Store { .. }
                    | Wait::LexBot { .. }
                    | Wait::Lambda { .. }
                    | Wait::Loop { .. }
                    | Wait::InQueue
                    | Wait::Outcome { .. } => {}
                }
            }
            // An open question holds the call: nothing is due until it is answered.
            Input::Tick if matches!(self.wait, Wait::Outcome { .. }) => {}
            Input::Tick => {
                if self.answer_due().is_some_and(|d| self.now >= d) {
                    self.agent_answers();
                } else if self.hold_due().is_some_and(|d| self.now >= d) {
                    self.hold_over();
                } else if self.next_deadline().is_some_and(|d| self.now >= d) {
                    match self.wait {
                        Wait::Lambda { .. } => self.lambda_timeout(),
                        Wait::LexBot { .. } => self.lex_timeout(),
                        Wait::Prompt { block, .. } => self.prompt_done(block, "prompt played"),
                        Wait::Timer { block, result, .. } => self.timer_done(block, result),
                        Wait::Loop { block, .. } => self.loop_tick(block),
                        Wait::InQueue | Wait::Outcome { .. } => {}
                        Wait::None | Wait::Menu { .. } | Wait::Store { .. } | Wait::Lex { .. } => {
                            self.timeout_input()
                        }
                    }
                }
            }
            Input::LambdaDone { call, outcome } => self.lambda_done(call, outcome),
            Input::LexDone { call, outcome } => self.lex_done(call, outcome),
            Input::Hangup => self.end(EndReason::Hangup),
            Input::Hold { ms } => self.hold_requested(ms),
            Input::Resume => self.hold_over(),
            Input::Outcome(env) => self.outcome_answered(env),
        }
        std::mem::take(&mut self.out)
    }

    /// When the engine wants [`Input::Tick`] if nothing else happens.
    pub fn next_deadline(&self) -> Option<SimTime> {
        let own = match &self.wait {
            Wait::Outcome { .. } => return None,
            Wait::None | Wait::InQueue => None,
            Wait::Prompt { deadline, .. }
            | Wait::Menu { deadline, .. }
            | Wait::Store { deadline, .. }
            | Wait::Lex { deadline, .. }
            | Wait::LexBot { deadline, .. }
            | Wait::Timer { deadline, .. }
            | Wait::Lambda { deadline, .. }
            | Wait::Loop { deadline, .. } => Some(*deadline),
        };
        // Waiting in queue, the agent answers whatever the queue flow is doing; on
        // hold, the hold ends whatever the hold flow is doing.
        [own, self.answer_due(), self.hold_due()]
            .into_iter()
            .flatten()
            .min()
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
            Wait::Prompt { block, .. }
            | Wait::Menu { block, .. }
            | Wait::Store { block, .. }
            | Wait::Lex { block, .. }
            | Wait::LexBot { block, .. }
            | Wait::Timer { block, .. }
            | Wait::Lambda { block, .. }
            | Wait::Loop { block, .. }
            | Wait::Outcome { block, .. } => Some(*block),
            Wait::InQueue => None,
        }
    }

    pub fn steps(&self) -> u32 {
        self.steps
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// When the prompt being said ends, if one is playing now (a Play prompt, or the
    /// prompt of an input block, which a key may barge in on).
    pub fn prompt_playing(&self) -> Option<SimTime> {
        (self.playing_until > self.now
            && !matches!(
                self.wait,
                Wait::None | Wait::Lambda { .. } | Wait::LexBot { .. }
            ))
        .then_some(self.playing_until)
    }

    /// The call waits for an encrypted Store customer input.
    fn encrypted_input(&self) -> bool {
        match &self.wait {
            Wait::Store { block, .. } => matches!(
                self.flow().blocks[*block].kind,
                Kind::GetParticipantInput {
                    encrypted: true,
                    ..
                }
            ),
            _ => false,
        }
    }

    /// Touchtone buffering is on, and what the buffer holds.
    pub fn touchtone_buffer(&self) -> Option<String> {
        self.buffering.then(|| self.typeahead.iter().collect())
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
            // In queue, the agent may answer before the prompt or the Wait ends.
            Wait::Prompt { block, deadline } => Status::Playing {
                block: self.block_ref(*block),
                deadline: self.next_deadline().unwrap_or(*deadline),
            },
            Wait::Menu { block, deadline } => Status::AwaitingInput {
                block: self.block_ref(*block),
                mode: InputMode::Menu,
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
                mode: InputMode::Store,
                deadline: *deadline,
                typed: if self.encrypted_input() {
                    mask(digits)
                } else {
                    digits.clone()
                },
            },
            Wait::Lex { block, deadline } => Status::AwaitingInput {
                block: self.block_ref(*block),
                mode: InputMode::Lex,
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
            Wait::LexBot {
                block,
                call,
                bot,
                deadline,
                ..
            } => Status::AwaitingLex {
                block: self.block_ref(*block),
                call: *call,
                bot: bot.clone(),
                deadline: *deadline,
            },
            Wait::Timer {
                block, deadline, ..
            } => Status::Waiting {
                block: self.block_ref(*block),
                deadline: self.next_deadline().unwrap_or(*deadline),
            },
            Wait::Loop { block, .. } => self.queue_status(Some(self.block_ref(*block))),
            Wait::InQueue => self.queue_status(None),
            Wait::Outcome {
                block,
                setting,
                choices,
                ..
            } => Status::AwaitingOutcome {
                block: self.block_ref(*block),
                setting: setting.clone(),
                choices: choices.clone(),
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
        let flow = self.flow().clone();
        let block = &flow.blocks[idx];
        // Answering an environment question runs the block that asked again: the
        // same step, already counted and shown.
        if !self.answered {
            if self.steps >= self.config.max_steps {
                self.end(EndReason::Budget { steps: self.steps });
                return;
            }
            self.steps += 1;
            if !self.config.env.replayed.is_empty() {
                let key = (flow.name.clone(), block.id.clone());
                if self.config.env.replayed.contains_key(&key) {
                    *self.replayed_used.entry(key).or_insert(0) += 1;
                }
            }
            self.emit(TraceKind::BlockStarted {
                block: self.block_ref(idx),
                type_name: block.type_name.clone(),
                step: self.steps,
            });
        }
        match self.execute(&flow, idx) {
            Step::Go(choice) => self.follow(idx, choice),
            Step::GoFrom(from, choice) => self.follow(from, choice),
            Step::Jumped | Step::Wait => {}
            Step::End(reason) => self.end(reason),
        }
        self.agent_hold_waits();
    }

    fn execute(&mut self, flow: &Arc<Flow>, idx: BlockIdx) -> Step {
        let block = &flow.blocks[idx];
        match &block.kind {
            // "If this action is used on the chat channel, it immediately takes the
            // error branch" (APIReference participant-actions-messageparticipantiteratively).
            Kind::MessageParticipantIteratively { .. } if self.contact.channel == "CHAT" => {
                Step::Go(Choice::Error(
                    ErrorType::NoMatchingError,
                    "Loop prompts on the chat channel takes the error branch".into(),
                ))
            }
            Kind::MessageParticipantIteratively { prompts } if self.in_queue() => {
                self.start_loop(block, idx, prompts)
            }
            Kind::MessageParticipantIteratively { prompts } => self.loop_prompts(idx, prompts),
            Kind::MessageParticipant { prompt } => self.message(block, idx, prompt.as_ref()),
            Kind::GetParticipantInput { .. } if block.params.contains_key("EnableDTMFBuffer") => {
                self.buffer_behavior(block, idx)
            }
            Kind::GetParticipantInput {
                prompt,
                timeout_secs,
                store,
                ..
            } => self.get_input(idx, prompt.as_ref(), *timeout_secs, *store),
            Kind::ConnectParticipantWithLexBot { prompt, bot } => {
                // "In Amazon Lex mode, the buffer is automatically cleared before the
                // bot interaction begins" (adminguide set-touchtone-buffer-behavior).
                self.clear_buffer(idx, "a Lex block clears the touchtone buffer");
                self.lex_bot(idx, prompt.as_ref(), bot)
            }
            Kind::InvokeLambdaFunction {
                arn,
                time_limit_secs,
                response_type,
                parameters,
                asynchronous,
            } => self.invoke_lambda(
                idx,
                arn,
                *time_limit_secs,
                *response_type,
                parameters,
                *asynchronous,
            ),
            Kind::Compare { value } => self.compare(flow, idx, value),
            Kind::Loop { count } => self.loop_block(flow, idx, count),
            Kind::UpdateContactAttributes { attributes } => {
                self.set_attributes(idx, attributes, AttributeScope::Contact)
            }
            Kind::UpdateFlowAttributes { attributes } => {
                self.set_attributes(idx, attributes, AttributeScope::Flow)
            }
            Kind::CheckHoursOfOperation { hours } => self.check_hours(flow, idx, hours.as_deref()),
            Kind::UpdateContactTextToSpeechVoice {
                voice,
                engine,
                style,
            } => self.set_voice(idx, voice.as_deref(), engine.as_deref(), style.as_deref()),
            Kind::UpdateContactRecordingBehavior => self.set_recording(block),
            Kind::UpdateContactRecordingAndAnalyticsBehavior => self.set_analytics(block),
            Kind::TransferParticipantToThirdParty {
                number,
                continue_flow,
            } => self.third_party(idx, number, *continue_flow),
            Kind::UpdateContactEventHooks => self.set_hooks(block, idx),
            Kind::UpdateContactMediaStreamingBehavior => {
                self.record_setting(block, idx, "media streaming")
            }
            Kind::UpdateContactRoutingBehavior => self.record_setting(block, idx, "routing"),
            Kind::UpdateContactRoutingCriteria => {
                self.record_setting(block, idx, "routing criteria")
            }
            Kind::UpdateContactMediaProcessing => self.media_processing(block, idx),
            Kind::CreateWisdomSession => self.record_setting(block, idx, "Q in Connect session"),
            Kind::StartVoiceIdStream => self.record_setting(block, idx, "Voice ID stream"),
            Kind::TagContact => self.record_setting(block, idx, "tags"),
            Kind::UnTagContact => self.record_setting(block, idx, "tags removed"),
            Kind::CreateTask => self.record_setting(block, idx, "task created"),
            Kind::UpdateFlowLoggingBehavior { enabled } => self.set_logging(*enabled),
            Kind::UpdateContactData { fields } => self.update_contact_data(idx, fields),
            Kind::UpdateContactTargetQueue { queue, name } => {
                self.set_queue(idx, queue, name.as_deref())
            }
            Kind::TransferContactToQueue => self.transfer_to_queue(idx),
            Kind::TransferToFlow { flow: target, name } => {
                self.transfer_to_flow(flow, idx, target, name.as_deref())
            }
            Kind::InvokeFlowModule { module, name } => {
                self.invoke_module(flow, idx, module, name.as_deref())
            }
            Kind::EndFlowModuleExecution => self.end_module(block, idx),
            Kind::DisconnectParticipant => Step::End(EndReason::Disconnected {
                detail: if block.friendly {
                    format!("DisconnectParticipant \"{}\"", block.id)
                } else {
                    "DisconnectParticipant".into()
                },
            }),
            Kind::EndFlowExecution => self.end_flow_execution(flow),
            Kind::DistributeByPercentage => self.distribute(flow, idx),
            Kind::ShowView => self.show_view(flow, idx),
            Kind::AuthenticateParticipant => self.authenticate(flow, idx),
            Kind::ConnectParticipantWithAgenticCX => self.agentic_cx(),
            Kind::CheckMetricData => self.check_metric(flow, idx),
            Kind::CheckOutboundCallStatus => self.call_progress(flow, idx),
            Kind::CheckVoiceId => self.check_voice_id(flow, idx),
            Kind::GetMetricData => self.get_metrics(block, idx),
            Kind::Wait => self.wait_block(block, idx),
            Kind::CompleteOutboundCall => self.complete_outbound(block, idx),
            Kind::CreateCase => self.create_case(block, idx),
            Kind::DequeueContactAndTransferToQueue => self.dequeue_to_queue(block, idx),
            Kind::GetCase => self.get_case(block, idx),
            Kind::StartOutboundChatContact => self.send_to(
                block,
                idx,
                ("DestinationEndpoint", "Address"),
                "outbound message",
            ),
            Kind::TransferContactToAgent => self.transfer_to_agent(idx),
            Kind::UpdateCase => self.update_case(block, idx),
            Kind::UpdateContactCallbackNumber => self.set_callback_number(block, idx),
            Kind::ResumeContact => self.resume_contact(),
            Kind::UpdatePreviousContactParticipantState => self.previous_participant(),
            Kind::AssociateContactToCustomerProfile => self.associate_profile(block, idx),
            Kind::CreateCallbackContact => self.create_callback(block, idx),
            Kind::CreateCustomerProfile => self.create_profile(block, idx),
            Kind::GetCustomerProfile => self.get_profile(block, idx),
            Kind::GetCustomerProfileObject => self.get_profile_object(block, idx),
            Kind::GetCalculatedAttributesForCustomerProfile => {
                self.calculated_attributes(block, idx)
            }
            Kind::UpdateCustomerProfile => self.update_profile(block, idx),
            Kind::EvaluateDataTableValues => self.evaluate_data_table(block, idx),
            Kind::ListDataTableValues => self.list_data_table(block, idx),
            Kind::UpsertDataTableValues => self.upsert_data_table(block, idx),
            Kind::LoadContactContent => self.load_content(),
            Kind::CreatePersistentContactAssociation => self.persistent_chat(block, idx),
            Kind::CreateContact => self.create_contact(block, idx),
            Kind::StartOutboundEmailContact => self.send_to(
                block,
                idx,
                ("DestinationEmailAddress", "EmailAddress"),
                "outbound email",
            ),
            Kind::RenderMessageTemplate => self.render_template(block, idx),
            Kind::CheckSegmentMembership => self.segment_membership(),
            Kind::RouteContactToAgent => self.route_to_agent(),
            Kind::Unknown => self.unknown_type(block, idx),
        }
    }

    /// A contact setting or side request flowsim records but does not act on: each
    /// parameter in the trace, then `NextAction`.
    /// A `Type` the catalogue does not know (a typo, or a type newer than flowsim):
    /// one warning per type per call, then the block's error branch (else the flow
    /// ends), so a new type never locks a user out of their flow; `--strict` stops.
    fn unknown_type(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let message = format!("action type {} is not one flowsim knows", block.type_name);
        if self.config.strict {
            return Step::End(EndReason::Stopped {
                detail: format!("{message} (--strict) at block \"{}\"", block.label()),
            });
        }
        if self.warned_types.insert(block.type_name.clone()) {
            self.warn(
                Some(idx),
                format!("{message}; taking its error branch (flowsim check reports it)"),
            );
        }
        Step::Go(Choice::Error(
            ErrorType::NoMatchingError,
            format!("unknown action type {}", block.type_name),
        ))
    }

    /// End flow / Resume: "When used in an inbound flow, this block functions identically
    /// to the Disconnect block, and terminates the contact" (adminguide end-flow-resume).
    /// Elsewhere (a whisper, hold or queue flow) the flow ends and the contact goes on.
    fn end_flow_execution(&self, flow: &Flow) -> Step {
        // No type said: the type its blocks say (a module run on its own runs as an
        // inbound flow).
        use crate::catalogue::FlowType;
        let inbound = match flow.declared_type() {
            Some(t) => t == FlowType::ContactFlow,
            None => matches!(
                flow.role(),
                FlowType::ContactFlow | FlowType::ContactFlowModule
            ),
        };
        if inbound && self.stack.len() == 1 && !self.in_queue() {
            Step::End(EndReason::Disconnected {
                detail: "EndFlowExecution in an inbound flow disconnects".into(),
            })
        } else {
            Step::End(EndReason::Ended {
                detail: "EndFlowExecution".into(),
            })
        }
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
            Choice::Error(kind, reason) => match block.error_target(kind) {
                Some(e) => (kind.as_str().to_owned(), e.target, reason),
                None => match block.error_target(ErrorType::NoMatchingError) {
                    Some(e) => (
                        ErrorType::NoMatchingError.as_str().to_owned(),
                        e.target,
                        format!("{kind}: {reason}"),
                    ),
                    None => (format!("{kind} (no branch)"), None, reason),
                },
            },
            Choice::NoMatch(reason) => match block.error_target(ErrorType::NoMatchingCondition) {
                Some(e) => (
                    ErrorType::NoMatchingCondition.as_str().to_owned(),
                    e.target,
                    reason,
                ),
                None => ("Next".into(), block.next, reason),
            },
        };
        let value = self.tested.take();
        self.emit(TraceKind::BranchTaken {
            block: self.block_ref(idx),
            branch,
            reason,
            target: target.map(|t| self.block_ref(t)),
            value,
        });
        match target {
            Some(t) => self.current = Some(t),
            None => self.end(EndReason::Disconnected {
                detail: queue::RAN_OUT.into(),
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

    // ---- Lambda -----------------------------------------------------------------

    // ---- helpers ----------------------------------------------------------------

    /// Resolve a whole reference or interpolate text, reporting warnings.
    fn text_value(&mut self, idx: BlockIdx, text: &str) -> String {
        let (value, warnings) = self.contact.value_of(text);
        for w in warnings {
            self.warn(Some(idx), w);
        }
        value
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
        // In queue, a flow's end is not the call's (the caller waits on, the next
        // whisper flow runs), and a hangup abandons the queue.
        let Some(reason) = self.queue_end(reason) else {
            return;
        };
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

/// Digits masked as [`MASKED_KEY`]; `#` and `*` kept.
pub fn mask(typed: &str) -> String {
    typed
        .chars()
        .map(|c| if c.is_ascii_digit() { MASKED_KEY } else { c })
        .collect()
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
