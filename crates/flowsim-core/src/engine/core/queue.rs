//! The wait in queue (docs/semantics.md, "In queue"). After a successful
//! TransferContactToQueue the contact waits in its queue while the customer queue
//! flow (the `CustomerQueue` event hook, else [`DEFAULT_QUEUE_FLOW`]) runs on the
//! call's clock: Loop prompts cycle their messages, each taking its time, until the
//! interrupt timer fires; metrics read the live numbers (position, oldest contact).
//! An agent answers when the queue's `answer_after` runs out: the customer whisper
//! and agent whisper flows run, and the call ends connected to the agent. Hanging up
//! while waiting abandons the call; a callback created and then a disconnect (or a
//! hangup) ends it with the callback queued.
//!
//! Hold: once connected, the agent may put the caller on hold ([`Input::Hold`], a
//! `hold` line of a script): the agent hold flow (`AgentHold` hook, else
//! [`DEFAULT_AGENT_HOLD_FLOW`]) runs for the agent until it first waits (its prompts
//! heard by the agent), then the customer hold flow (`CustomerHold` hook, else
//! [`DEFAULT_CUSTOMER_HOLD_FLOW`]) runs on the call's clock until the hold ends; the
//! call then goes on connected (the next hold, or the end).

use std::sync::OnceLock;

use super::*;
use crate::env::Queue;

/// Queue-to-queue transfers one contact can make: "a maximum limit of 12 contacts in
/// a contact chain" (adminguide transfer-to-queue), so 11 transfers.
pub const MAX_QUEUE_TRANSFERS: u32 = 11;

/// What an end reason says when a flow ran out of transitions.
pub(super) const RAN_OUT: &str = "flow ended without transfer";

/// The customer queue flow when no `CustomerQueue` hook names one: Connect's
/// "Default customer queue" plays a message and the queue music, on a loop.
pub const DEFAULT_QUEUE_FLOW: &str = r#"{
  "Version": "2019-10-30",
  "StartAction": "hold-message",
  "Metadata": {"name": "Default customer queue", "type": "customerQueue"},
  "Actions": [
    {"Identifier": "hold-message", "Type": "MessageParticipantIteratively",
     "Parameters": {"Messages": [
       {"Text": "Thank you for calling. Your call is very important to us and will be answered in the order it was received."},
       {"PromptId": "arn:aws:connect:us-east-1:000000000000:instance/default/prompt/CustomerQueue.wav"}
     ]},
     "Transitions": {}}
  ]
}"#;

/// The customer hold flow when no `CustomerHold` hook names one: Connect's
/// "Default customer hold" plays the hold music on a loop.
pub const DEFAULT_CUSTOMER_HOLD_FLOW: &str = r#"{
  "Version": "2019-10-30",
  "StartAction": "hold-music",
  "Metadata": {"name": "Default customer hold", "type": "customerHold"},
  "Actions": [
    {"Identifier": "hold-music", "Type": "MessageParticipantIteratively",
     "Parameters": {"Messages": [
       {"PromptId": "arn:aws:connect:us-east-1:000000000000:instance/default/prompt/CustomerHold.wav"}
     ]},
     "Transitions": {}}
  ]
}"#;

/// The agent hold flow when no `AgentHold` hook names one: Connect's "Default agent
/// hold" plays the agent hold audio on a loop.
pub const DEFAULT_AGENT_HOLD_FLOW: &str = r#"{
  "Version": "2019-10-30",
  "StartAction": "agent-hold",
  "Metadata": {"name": "Default agent hold", "type": "agentHold"},
  "Actions": [
    {"Identifier": "agent-hold", "Type": "MessageParticipantIteratively",
     "Parameters": {"Messages": [
       {"PromptId": "arn:aws:connect:us-east-1:000000000000:instance/default/prompt/AgentHold.wav"}
     ]},
     "Transitions": {}}
  ]
}"#;

/// A built-in default flow of a role, parsed once.
#[derive(Clone, Copy)]
enum RoleFlow {
    Queue,
    CustomerHold,
    AgentHold,
}

impl RoleFlow {
    /// The name Connect gives the instance's default flow of this role.
    fn name(self) -> &'static str {
        match self {
            Self::Queue => "Default customer queue",
            Self::CustomerHold => "Default customer hold",
            Self::AgentHold => "Default agent hold",
        }
    }

    fn built_in(self) -> Arc<Flow> {
        static FLOWS: [OnceLock<Arc<Flow>>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let (i, text) = match self {
            Self::Queue => (0, DEFAULT_QUEUE_FLOW),
            Self::CustomerHold => (1, DEFAULT_CUSTOMER_HOLD_FLOW),
            Self::AgentHold => (2, DEFAULT_AGENT_HOLD_FLOW),
        };
        FLOWS[i]
            .get_or_init(|| {
                Arc::new(
                    crate::flow::parse_str(text, "built-in", self.name())
                        .expect("the built-in default flows parse"),
                )
            })
            .clone()
    }
}

/// How long a call that starts in a hold flow stays on hold when no hold was given.
pub const DEFAULT_HOLD_SECS: u32 = 60;

/// The queue part of a call.
#[derive(Clone, Debug, Default)]
pub(super) struct QueueState {
    /// The contact is in a queue (waiting, or being connected to an agent).
    wait: Option<InQueue>,
    /// A callback was created: (queue, number).
    callback: Option<(String, String)>,
    /// Holds asked for and not yet begun: how long each lasts (`None`: until taken
    /// off hold).
    holds: std::collections::VecDeque<Option<Duration>>,
    /// The hold now: since when, and until when (`None`: until taken off hold).
    on_hold: Option<(SimTime, Option<SimTime>)>,
}

#[derive(Clone, Debug)]
struct InQueue {
    name: String,
    arn: String,
    /// When the contact joined this queue, and its first queue.
    joined: SimTime,
    first_joined: SimTime,
    /// Contacts ahead when it joined, and the oldest one's age then.
    ahead: u32,
    oldest_secs: u32,
    agents_available: u32,
    /// When an agent answers; `None`: never.
    answer_at: Option<SimTime>,
    transfers: u32,
    phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Waiting,
    CustomerWhisper,
    AgentWhisper,
    /// On hold: the agent hold flow runs (until it first waits).
    AgentHold,
    /// On hold: the customer hold flow runs (until the hold ends).
    CustomerHold,
}

/// The wait as the TUI and scripts show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueInfo {
    pub queue: String,
    /// 1 = next to be answered.
    pub position: u32,
    /// Time in queue so far (all queues of the call).
    pub waited_ms: u64,
    pub agents_available: u32,
    /// When an agent answers; `None`: never (or already answered).
    pub answer_at: Option<SimTime>,
    /// An agent answered: the whisper flows run, or the call is on hold.
    pub answered: bool,
    /// On hold: since when, and until when (`None`: until taken off hold).
    pub on_hold: Option<(SimTime, Option<SimTime>)>,
}

impl Engine {
    /// The environment's state of a queue, by name or ARN.
    pub(super) fn env_queue(&self, name: &str, arn: &str) -> Option<(String, Queue)> {
        let env = &self.config.env;
        env.listed_queue(name)
            .or_else(|| env.listed_queue(arn))
            .or_else(|| env.queue(name))
            .map(|(n, q)| (n.to_owned(), q.clone()))
    }

    /// The queue as it stands now: while this contact waits in it, the contacts in
    /// queue and the oldest contact's age move with the call's clock.
    pub(super) fn live_queue(&self, name: &str, arn: &str, mut q: Queue) -> Queue {
        if let Some(w) = self.waiting_in(name, arn) {
            let ahead = self.ahead_now(w);
            let waited = self.now.since(w.joined).as_secs();
            let waited = u32::try_from(waited).unwrap_or(u32::MAX);
            q.contacts_in_queue = ahead + 1;
            q.oldest_contact_age_secs = if ahead > 0 {
                w.oldest_secs.saturating_add(waited)
            } else {
                waited
            };
        }
        q
    }

    /// This contact's position in queue `name`, while it waits there.
    pub(super) fn position_in(&self, name: &str, arn: &str) -> Option<u32> {
        self.waiting_in(name, arn).map(|w| self.ahead_now(w) + 1)
    }

    fn waiting_in(&self, name: &str, arn: &str) -> Option<&InQueue> {
        self.queue
            .wait
            .as_ref()
            .filter(|w| w.phase == Phase::Waiting && (w.name == name || w.arn == arn))
    }

    /// Contacts still ahead: those ahead when it joined are answered one after the
    /// other, evenly over the time until this contact's agent answers (none are
    /// answered when none ever answers this one).
    fn ahead_now(&self, w: &InQueue) -> u32 {
        let Some(at) = w.answer_at else {
            return w.ahead;
        };
        let total = at.since(w.joined).as_millis();
        let slot = total / u128::from(w.ahead + 1);
        if slot == 0 {
            return 0;
        }
        let gone = self.now.since(w.joined).as_millis() / slot;
        w.ahead
            .saturating_sub(u32::try_from(gone).unwrap_or(u32::MAX))
    }

    /// The wait, for display.
    pub fn queue_info(&self) -> Option<QueueInfo> {
        let w = self.queue.wait.as_ref()?;
        let answered = w.phase != Phase::Waiting;
        Some(QueueInfo {
            queue: w.name.clone(),
            position: if answered { 0 } else { self.ahead_now(w) + 1 },
            waited_ms: millis(self.now.since(w.first_joined)),
            agents_available: w.agents_available,
            answer_at: w.answer_at.filter(|_| !answered),
            answered,
            on_hold: self.queue.on_hold,
        })
    }

    /// When an agent answers, while the contact waits for one.
    pub(super) fn answer_due(&self) -> Option<SimTime> {
        self.queue
            .wait
            .as_ref()
            .filter(|w| w.phase == Phase::Waiting)
            .and_then(|w| w.answer_at)
    }

    /// When the hold ends, while on a hold with an end.
    pub(super) fn hold_due(&self) -> Option<SimTime> {
        self.queue.on_hold.and_then(|(_, until)| until)
    }

    /// [`Status::InQueue`], at Loop prompts `block` or with the queue flow over.
    pub(super) fn queue_status(&self, block: Option<BlockRef>) -> Status {
        Status::InQueue {
            queue: self
                .queue
                .wait
                .as_ref()
                .map(|w| w.name.clone())
                .unwrap_or_default(),
            block,
            answer_at: self.answer_due(),
            deadline: self.next_deadline(),
        }
    }

    pub(super) fn in_queue(&self) -> bool {
        self.queue.wait.is_some()
    }

    /// UpdateContactEventHooks: remember the hooks, then the trace line and `Next`.
    pub(super) fn set_hooks(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if let Some(Value::Object(hooks)) = block.params.get("EventHooks") {
            for (hook, v) in hooks {
                let Some(reference) = v.as_str() else {
                    continue;
                };
                let reference = self.text_value(idx, reference);
                let name = block
                    .metadata
                    .get("parameters")
                    .and_then(|p| p.get("EventHooks"))
                    .and_then(|e| e.get(hook))
                    .and_then(|h| h.get("displayName"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                self.contact.hooks.insert(hook.clone(), (reference, name));
            }
        }
        self.record_setting(block, idx, "event hooks")
    }

    /// The flow an event hook names, if it is among the flows (a warning if not).
    fn hook_flow(&mut self, hook: &str, otherwise: &str) -> Option<Arc<Flow>> {
        let (reference, name) = self.contact.hooks.get(hook)?.clone();
        let found = self.flows.find(&reference, name.as_deref());
        if found.is_none() {
            self.warn(
                None,
                format!(
                    "the {hook} flow {} is not among the flows (give the folder holding it \
                     with --flows DIR); {otherwise}",
                    name.unwrap_or(reference)
                ),
            );
        }
        found
    }

    /// The flow of a role: the hook's, else the instance's default flow of that role
    /// when it is among the flows (by its Connect name, e.g. "Default customer
    /// hold"), else the built-in one.
    fn role_flow(&mut self, hook: &str, default: RoleFlow, otherwise: &str) -> Arc<Flow> {
        self.hook_flow(hook, otherwise)
            .or_else(|| self.flows.find(default.name(), None))
            .unwrap_or_else(|| default.built_in())
    }

    /// Another flow takes over the contact (not a module: nothing returns to this).
    fn switch_flow(&mut self, flow: Arc<Flow>, how: &str) {
        self.emit(TraceKind::FlowChanged {
            from: self.flow().name.clone(),
            to: flow.name.clone(),
            how: how.into(),
        });
        self.contact.flow_attributes.clear();
        self.wait = Wait::None;
        self.current = Some(flow.start);
        self.stack = vec![Frame { flow, caller: None }];
    }

    /// TransferContactToQueue succeeded: the contact joins `name` and the customer
    /// queue flow starts.
    pub(super) fn enter_queue(&mut self, idx: BlockIdx, name: String, arn: String) -> Step {
        let q = match self.env_queue(&name, &arn) {
            Some((_, q)) => q,
            None => {
                if let Err(stop) = self.defaulted(
                    idx,
                    &format!("queue \"{name}\" (queues.\"{name}\" in --env, or --queue)"),
                    "1 agent online and available, nobody waiting: an agent answers after 30 s",
                    |_| super::center::queue_choices(&name),
                ) {
                    return stop;
                }
                Queue::default()
            }
        };
        if let Err(stop) = self.ask_answer_after(idx, &name, &q) {
            return stop;
        }
        self.join(name, arn, &q, 0);
        let flow = self.role_flow(
            "CustomerQueue",
            RoleFlow::Queue,
            "the default customer queue flow plays",
        );
        self.switch_flow(flow, "customer queue");
        Step::Jumped
    }

    /// A call that starts in a customer queue flow (run on its own, as Connect never
    /// does) is already waiting: in the contact's working queue, else `BasicQueue`.
    /// One that starts in a hold flow is connected and on hold: for the first hold
    /// given, else [`DEFAULT_HOLD_SECS`]; then it ends connected.
    pub(super) fn start_in_queue_flow(&mut self, flow: &Flow) {
        use crate::catalogue::FlowType;
        let hold = match flow.role() {
            FlowType::CustomerQueue => None,
            FlowType::CustomerHold => Some(Phase::CustomerHold),
            FlowType::AgentHold => Some(Phase::AgentHold),
            _ => return,
        };
        if self.queue.wait.is_some() {
            return;
        }
        let (name, arn) = self
            .contact
            .queue
            .clone()
            .unwrap_or_else(|| ("BasicQueue".to_owned(), String::new()));
        // The queue it waits in is its working queue (`$.Queue`, metrics without a
        // QueueId).
        self.contact.queue = Some((name.clone(), arn.clone()));
        let q = self
            .env_queue(&name, &arn)
            .map_or_else(Queue::default, |(_, q)| q);
        self.join(name, arn, &q, 0);
        if let Some(phase) = hold {
            let for_ms = self
                .queue
                .holds
                .pop_front()
                .unwrap_or(Some(Duration::from_secs(DEFAULT_HOLD_SECS.into())));
            if let Some(w) = self.queue.wait.as_mut() {
                w.answer_at = Some(self.now);
                w.phase = phase;
            }
            self.emit(TraceKind::AgentAnswered {
                queue: self.queue_name(),
                waited_ms: 0,
            });
            self.hold_begins(for_ms);
        }
    }

    fn queue_name(&self) -> String {
        self.queue
            .wait
            .as_ref()
            .map(|w| w.name.clone())
            .unwrap_or_default()
    }

    fn join(&mut self, name: String, arn: String, q: &Queue, transfers: u32) {
        let first_joined = self
            .queue
            .wait
            .as_ref()
            .map_or(self.now, |w| w.first_joined);
        let after = q.answer_after_secs();
        self.emit(TraceKind::QueueEntered {
            queue: name.clone(),
            position: q.contacts_in_queue + 1,
            agents_available: q.agents_available,
            answer_after_ms: after.map(|s| u64::from(s) * 1000),
        });
        self.queue.wait = Some(InQueue {
            name,
            arn,
            joined: self.now,
            first_joined,
            ahead: q.contacts_in_queue,
            oldest_secs: q.oldest_contact_age_secs,
            agents_available: q.agents_available,
            answer_at: after.map(|s| self.now.plus_secs(s)),
            transfers,
            phase: Phase::Waiting,
        });
    }

    /// DequeueContactAndTransferToQueue: the contact, waiting in a queue, moves to
    /// `name` (a new contact segment); the customer queue flow goes on.
    pub(super) fn requeue(&mut self, name: &str, arn: &str) -> Result<(), String> {
        let Some(w) = self
            .queue
            .wait
            .as_ref()
            .filter(|w| w.phase == Phase::Waiting)
        else {
            return Err(
                "the contact is not waiting in a queue (the block runs in a customer queue flow)"
                    .into(),
            );
        };
        if w.transfers >= MAX_QUEUE_TRANSFERS {
            return Err(format!(
                "{MAX_QUEUE_TRANSFERS} queue-to-queue transfers already: a contact chain holds \
                 at most 12 contacts"
            ));
        }
        let transfers = w.transfers + 1;
        let q = self
            .env_queue(name, arn)
            .map_or_else(Queue::default, |(_, q)| q);
        self.join(name.to_owned(), arn.to_owned(), &q, transfers);
        Ok(())
    }

    /// CreateCallbackContact: remember the callback; the call's end reports it.
    pub(super) fn note_callback(&mut self, queue: String, number: String) {
        self.queue.callback = Some((queue, number));
    }

    /// Loop prompts in a queue (or hold) flow: the messages play in turn, each for
    /// its time, until the interrupt timer (`InterruptFrequencySeconds`) fires. They
    /// are rendered once: nothing else runs while the block plays to change them.
    pub(super) fn start_loop(&mut self, block: &Block, idx: BlockIdx, prompts: &[Prompt]) -> Step {
        let interrupt = block.interrupt_secs().map(|s| self.now.plus_secs(s));
        let mut messages = Vec::with_capacity(prompts.len());
        for p in prompts {
            match self.render(idx, p) {
                Ok(r) => messages.push(r),
                Err(e) => return Step::Go(Choice::Error(ErrorType::NoMatchingError, e)),
            }
        }
        self.wait = Wait::Loop {
            block: idx,
            deadline: self.now,
            next: 0,
            interrupt_at: interrupt,
            messages: messages.into(),
        };
        self.loop_play(idx);
        Step::Wait
    }

    /// The Loop prompts timer: the interrupt, or the next message.
    pub(super) fn loop_tick(&mut self, idx: BlockIdx) {
        let Wait::Loop { interrupt_at, .. } = self.wait else {
            return;
        };
        if interrupt_at.is_some_and(|t| self.now >= t) {
            self.wait = Wait::None;
            self.playing_until = self.playing_until.min(self.now);
            let flow = self.flow().clone();
            let step = self.match_conditions_result(
                &flow,
                idx,
                "MessagesInterrupted",
                "the interrupt timer fired".into(),
            );
            if let Step::Go(choice) = step {
                self.follow(idx, choice);
            }
            self.run();
        } else {
            self.loop_play(idx);
        }
    }

    /// Play the next message of a Loop prompts block and set its timer.
    fn loop_play(&mut self, idx: BlockIdx) {
        let Wait::Loop {
            next,
            interrupt_at,
            ref messages,
            ..
        } = self.wait
        else {
            return;
        };
        let messages = messages.clone();
        let mut end = interrupt_at;
        if !messages.is_empty() {
            self.say(idx, &messages[next % messages.len()]);
            // A message that takes no time still takes a moment (no busy loop).
            let said = self
                .playing_until
                .max(self.now.plus(Duration::from_secs(1)));
            end = Some(end.map_or(said, |i| i.min(said)));
        }
        self.wait = match end {
            Some(deadline) => Wait::Loop {
                block: idx,
                deadline,
                next: next + 1,
                interrupt_at,
                messages,
            },
            // No message and no interrupt: the caller waits in silence.
            None => Wait::InQueue,
        };
    }

    /// The agent answers: the whisper flows run, then the call is connected.
    pub(super) fn agent_answers(&mut self) {
        let Some(w) = self.queue.wait.as_mut() else {
            return;
        };
        w.phase = Phase::CustomerWhisper;
        let (queue, waited_ms) = (w.name.clone(), millis(self.now.since(w.first_joined)));
        self.emit(TraceKind::AgentAnswered { queue, waited_ms });
        self.wait = Wait::None;
        self.current = None;
        self.playing_until = self.playing_until.min(self.now);
        match self.next_whisper() {
            Some(end) => self.end(end),
            None => self.run(),
        }
    }

    /// Start the whisper flow of the current phase (`None`), or, with none left, the
    /// end: connected to the agent.
    fn next_whisper(&mut self) -> Option<EndReason> {
        loop {
            let (hook, how) = match self.queue.wait.as_ref()?.phase {
                Phase::Waiting | Phase::AgentHold | Phase::CustomerHold => return None,
                Phase::CustomerWhisper => ("CustomerWhisper", "customer whisper"),
                Phase::AgentWhisper => ("AgentWhisper", "agent whisper, heard by the agent"),
            };
            if let Some(flow) = self.hook_flow(hook, "it is skipped") {
                self.switch_flow(flow, how);
                return None;
            }
            if !self.whisper_done() {
                return self.after_whispers();
            }
        }
    }

    /// The whisper phase is over: `true` when another one follows.
    fn whisper_done(&mut self) -> bool {
        match self.queue.wait.as_mut() {
            Some(w) if w.phase == Phase::CustomerWhisper => {
                w.phase = Phase::AgentWhisper;
                true
            }
            _ => false,
        }
    }

    /// The whispers are over (or a hold): the next hold begins (`None`), else the
    /// call ends connected.
    fn after_whispers(&mut self) -> Option<EndReason> {
        match self.queue.holds.pop_front() {
            Some(for_ms) => {
                self.start_hold(for_ms);
                None
            }
            None => self.connected(),
        }
    }

    /// [`Input::Hold`]: once connected the agent holds the caller, for `ms` (`None`:
    /// until [`Input::Resume`]). On hold already: nothing (take the caller off hold
    /// first).
    pub(super) fn hold_requested(&mut self, ms: Option<u64>) {
        if self.queue.on_hold.is_some() {
            return;
        }
        let d = ms.map(Duration::from_millis);
        self.queue.holds.push_back(d);
        if self.started {
            self.emit(TraceKind::ContactUpdated {
                field: "hold".into(),
                value: match ms {
                    Some(ms) => format!(
                        "once connected, the agent puts the caller on hold for {}",
                        crate::engine::waited(ms)
                    ),
                    None => "once connected, the agent puts the caller on hold".into(),
                },
            });
        }
    }

    /// A hold begins: the agent hold flow runs first (until it first waits).
    fn start_hold(&mut self, for_ms: Option<Duration>) {
        if let Some(w) = self.queue.wait.as_mut() {
            w.phase = Phase::AgentHold;
        }
        self.wait = Wait::None;
        self.current = None;
        self.playing_until = self.playing_until.min(self.now);
        self.hold_begins(for_ms);
        let flow = self.role_flow(
            "AgentHold",
            RoleFlow::AgentHold,
            "the default agent hold flow plays",
        );
        self.switch_flow(flow, "agent hold, heard by the agent");
    }

    /// The hold starts now (the trace line).
    fn hold_begins(&mut self, for_ms: Option<Duration>) {
        self.queue.on_hold = Some((self.now, for_ms.map(|d| self.now.plus(d))));
        self.emit(TraceKind::HoldStarted {
            queue: self.queue_name(),
            for_ms: for_ms.map(millis),
        });
    }

    /// The agent hold flow waits (or ended): it plays on for the agent; the caller's
    /// customer hold flow runs on the call's clock.
    fn customer_hold(&mut self) {
        if let Some(w) = self.queue.wait.as_mut() {
            w.phase = Phase::CustomerHold;
        }
        self.wait = Wait::None;
        self.current = None;
        // What the agent hears does not hold up the caller's flow.
        self.playing_until = self.playing_until.min(self.now);
        let flow = self.role_flow(
            "CustomerHold",
            RoleFlow::CustomerHold,
            "the default customer hold flow plays",
        );
        self.switch_flow(flow, "customer hold");
    }

    /// After each block: the agent hold flow, once it waits, hands over to the
    /// customer hold flow.
    pub(super) fn agent_hold_waits(&mut self) {
        let agent = self
            .queue
            .wait
            .as_ref()
            .is_some_and(|w| w.phase == Phase::AgentHold);
        if agent && self.ended.is_none() && !matches!(self.wait, Wait::None) {
            self.customer_hold();
        }
    }

    /// The hold is over (its time ran out, or [`Input::Resume`]): the call goes on
    /// connected.
    pub(super) fn hold_over(&mut self) {
        if !self.off_hold() {
            return;
        }
        self.wait = Wait::None;
        self.current = None;
        self.playing_until = self.playing_until.min(self.now);
        match self.after_whispers() {
            Some(end) => self.end(end),
            None => self.run(),
        }
    }

    /// Leave the hold (the trace line): `false` when not on hold.
    fn off_hold(&mut self) -> bool {
        let Some((since, _)) = self.queue.on_hold.take() else {
            return false;
        };
        self.emit(TraceKind::HoldEnded {
            queue: self.queue_name(),
            held_ms: millis(self.now.since(since)),
        });
        true
    }

    /// The end once the whispers are over: connected, after the time in queue.
    fn connected(&self) -> Option<EndReason> {
        let w = self.queue.wait.as_ref()?;
        let answered = w.answer_at.map_or(self.now, |a| a.min(self.now));
        Some(EndReason::Agent {
            queue: w.name.clone(),
            waited_ms: millis(answered.since(w.first_joined)),
        })
    }

    /// How the call really ends, given what would end it now: `None` when it goes on
    /// (a queue flow ended: the caller waits on; a whisper flow ended: the next
    /// runs).
    pub(super) fn queue_end(&mut self, reason: EndReason) -> Option<EndReason> {
        let flow_done = match &reason {
            EndReason::Ended { .. } => true,
            EndReason::Disconnected { detail } => detail == RAN_OUT,
            _ => false,
        };
        let Some(w) = self.queue.wait.as_ref() else {
            return Some(self.with_callback(reason));
        };
        let (phase, name, waited_ms) = (
            w.phase,
            w.name.clone(),
            millis(self.now.since(w.first_joined)),
        );
        match (phase, reason) {
            (_, r @ (EndReason::Budget { .. } | EndReason::Stopped { .. })) => Some(r),
            (Phase::Waiting, EndReason::Hangup) if self.queue.callback.is_none() => {
                Some(EndReason::Abandoned {
                    queue: name,
                    waited_ms,
                })
            }
            (Phase::Waiting, _) if flow_done => {
                // "The flow stops running"; the contact stays in queue, in silence.
                self.emit(TraceKind::ContactUpdated {
                    field: "queue".into(),
                    value: format!(
                        "the customer queue flow ended; the caller waits in {name} in silence"
                    ),
                });
                self.wait = Wait::InQueue;
                self.current = None;
                None
            }
            (Phase::Waiting, r) => Some(self.with_callback(r)),
            (Phase::AgentHold, _) if flow_done => {
                self.customer_hold();
                None
            }
            (Phase::CustomerHold, _) if flow_done => {
                // The hold flow stops; the caller stays on hold, in silence.
                self.wait = Wait::InQueue;
                self.current = None;
                None
            }
            // Hanging up on hold: the call was connected to the agent.
            (Phase::AgentHold | Phase::CustomerHold, EndReason::Hangup) => {
                self.off_hold();
                self.connected()
            }
            (_, _) if flow_done => {
                if self.whisper_done() {
                    self.next_whisper()
                } else {
                    self.after_whispers()
                }
            }
            (_, r) => Some(r),
        }
    }

    /// A call that hangs up or is disconnected with a callback queued ends `callback`.
    fn with_callback(&self, reason: EndReason) -> EndReason {
        match (&self.queue.callback, &reason) {
            (Some((queue, number)), EndReason::Disconnected { .. } | EndReason::Hangup) => {
                EndReason::Callback {
                    queue: queue.clone(),
                    number: number.clone(),
                    waited_ms: self
                        .queue
                        .wait
                        .as_ref()
                        .map(|w| millis(self.now.since(w.first_joined))),
                }
            }
            _ => reason,
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
