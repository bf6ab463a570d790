//! One explored call: the pure engine driven in virtual time, stopping at each point
//! where the caller or the environment decides (an input block waits, a Lambda
//! function is invoked). `Clone` forks the call there, so the search never replays a
//! prefix.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use crate::engine::{
    BlockRef, Effect, Engine, Input, InputMode, LambdaCall, LambdaOutcome, SimTime, Status,
    TraceEvent, TraceKind,
};

/// Engine turns per call before the walker gives up on it (the engine's own step
/// budget ends runaway flows long before this).
const MAX_TURNS: usize = 20_000;

/// Where the call waits for a decision.
#[derive(Clone, Debug)]
pub enum Point {
    /// An input block waits (menu, store, Lex).
    Input { block: BlockRef, mode: InputMode },
    /// A Lambda function was invoked and waits for its answer.
    Lambda {
        block: Option<BlockRef>,
        call: LambdaCall,
    },
}

/// What answers a decision point.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Keys pressed at once (a menu's key, or digits and the terminator).
    Keys(String),
    Silence,
    Say(String),
    Lambda(Answer),
    /// The caller hangs up: the call met a state it was already in, loop counters
    /// included, so it would go round the same way until the step budget.
    Hangup,
}

/// A Lambda answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// The response body (JSON text), shared: forks copy their decisions.
    Json(Arc<str>),
    Error,
    Timeout,
}

/// A call in progress.
#[derive(Clone, Debug)]
pub struct Walker {
    engine: Engine,
    now: SimTime,
    pending: VecDeque<LambdaCall>,
    pub events: Vec<TraceEvent>,
    pub decisions: Vec<Decision>,
    /// The last decision at each point (flow and block), for [`Walker::again`].
    last: Vec<(String, Decision)>,
    /// [`Walker::state_key`]s met, loop counters included (see [`Walker::repeats`]).
    met: HashSet<u64>,
    /// Lambda points' states met (loop counters included) since the caller last gave
    /// an input, with the number of events, the time and the engine's steps then:
    /// see [`Walker::cycles`].
    round: HashMap<u64, (usize, SimTime, u32)>,
    /// Where [`Walker::advance`] cut the call: a Lambda point of a round it goes
    /// round for good.
    cut: Option<Point>,
    turns: usize,
}

impl Walker {
    pub fn new(engine: Engine) -> Self {
        let mut w = Self {
            engine,
            now: SimTime::ZERO,
            pending: VecDeque::new(),
            events: Vec::new(),
            decisions: Vec::new(),
            last: Vec::new(),
            met: HashSet::new(),
            round: HashMap::new(),
            cut: None,
            turns: 0,
        };
        w.send(Input::Start);
        w
    }

    /// Inputs given to the engine so far (the search's measure of work).
    pub fn turns(&self) -> usize {
        self.turns
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn send(&mut self, input: Input) {
        self.turns += 1;
        for e in self.engine.handle(input, self.now) {
            match e {
                Effect::Trace(t) => self.events.push(t),
                Effect::InvokeLambda(c) => self.pending.push_back(c),
                // Explore maps no live bot: the turn times out.
                Effect::RecognizeText(_) => {}
            }
        }
    }

    /// Run until the call needs a decision (`Some`) or has ended (`None`). A call
    /// that meets a Lambda point in a state it was in at this very time, with only
    /// Lambda answers since, is cut there (`None`): it goes round the same blocks
    /// with the same answers (a caller gave no input, no time passed, no block drew
    /// a random number) until the engine's step budget, taking no branch it has not
    /// taken; [`Walker::finish`] runs it there.
    pub fn advance(&mut self) -> Option<Point> {
        loop {
            if self.turns > MAX_TURNS {
                self.send(Input::Hangup);
                return None;
            }
            if let Some(call) = self.pending.front() {
                let block = match self.engine.status() {
                    Status::AwaitingLambda { block, .. } => Some(block),
                    _ => None,
                };
                let point = Point::Lambda {
                    block,
                    call: call.clone(),
                };
                if self.cycles(&point) {
                    self.cut = Some(point);
                    return None;
                }
                return Some(point);
            }
            match self.engine.status() {
                // Exploring never asks (no ask mode).
                Status::Ended(_) | Status::AwaitingOutcome { .. } => return None,
                Status::NotStarted => self.send(Input::Start),
                Status::Paused { .. } => self.send(Input::Step),
                // Digits typed into a store input: the inter-digit limit ends it.
                Status::AwaitingInput {
                    deadline, typed, ..
                } if !typed.is_empty() => self.tick(deadline),
                Status::AwaitingInput { block, mode, .. } => {
                    return Some(Point::Input { block, mode });
                }
                Status::AwaitingLambda { deadline, .. }
                | Status::AwaitingLex { deadline, .. }
                | Status::Playing { deadline, .. }
                | Status::Waiting { deadline, .. } => {
                    // Something else may be due first (the agent answering a call
                    // waiting in queue).
                    let first = self
                        .engine
                        .next_deadline()
                        .map_or(deadline, |d| d.min(deadline));
                    self.tick(first)
                }
                // In queue: time passes to the agent; a queue nobody answers is
                // abandoned.
                Status::InQueue { deadline, .. } => match deadline {
                    Some(d) => self.tick(d),
                    None => {
                        self.send(Input::Hangup);
                        return None;
                    }
                },
            }
        }
    }

    /// Whether the call was at this Lambda point in this state (loop counters
    /// included) before, its block run again since and only Lambda answers given:
    /// from here it repeats itself, unless a block drew a random number on the way, or time passed and something
    /// the clock brings can change the way (an agent answering, a hold ending, hours
    /// checked again). The state is remembered.
    fn cycles(&mut self, point: &Point) -> bool {
        let mut h = DefaultHasher::new();
        self.state_key(point).hash(&mut h);
        let mut loops: Vec<_> = self.engine.contact().loops.iter().collect();
        loops.sort();
        loops.hash(&mut h);
        let key = h.finish();
        let steps = self.engine.steps();
        let Some(&(from, at, then)) = self.round.get(&key) else {
            self.round.insert(key, (self.events.len(), self.now, steps));
            return false;
        };
        let ran = |kind: &str| {
            self.events[from..].iter().any(|e| {
                matches!(&e.kind, TraceKind::BlockStarted { type_name, .. } if type_name == kind)
            })
        };
        // The block itself ran again (a retried invocation is the same block still:
        // its attempts are counted where the state does not show them).
        let round = self.events[from..].iter().any(|e| match (&e.kind, point) {
            (
                TraceKind::BlockStarted { block, .. },
                Point::Lambda {
                    block: Some(at), ..
                },
            ) => block.flow == at.flow && block.id == at.id,
            (TraceKind::BlockStarted { .. }, _) => true,
            _ => false,
        });
        if !round || ran("DistributeByPercentage") {
            return false;
        }
        if at == self.now {
            return true;
        }
        // Each round takes as long and as many blocks: the step budget ends the
        // call when `rounds` more have run.
        let per_round = steps.saturating_sub(then).max(1);
        let rounds = self.engine.config().max_steps.saturating_sub(steps) / per_round + 1;
        let budget_ends = self.now.plus(self.now.since(at).saturating_mul(rounds));
        let due = self.engine.queue_info().is_some_and(|q| {
            q.answer_at.is_some_and(|t| t <= budget_ends)
                || q.on_hold.is_some_and(|(_, until)| until.is_some())
        });
        !due && !ran("CheckHoursOfOperation")
    }

    /// After the call's decisions, run it to where it stops: its end, or the next
    /// point. A call [`Walker::advance`] cut at a round goes round it, each point
    /// answered as it was the last time, to the engine's step budget (what the
    /// search's call would have done).
    pub fn finish(&mut self) {
        if self.advance().is_some() {
            return;
        }
        let mut next = self.cut.take();
        while let Some(point) = next {
            let Some(d) = self.again(&point).cloned() else {
                return;
            };
            self.apply(&point, d);
            // Cut again, the same round: go on round it.
            next = self.advance().or_else(|| self.cut.take());
        }
    }

    fn tick(&mut self, deadline: SimTime) {
        self.now = self.now.max(deadline);
        self.send(Input::Tick);
    }

    /// The caller hangs up.
    pub fn hang_up(&mut self) {
        self.send(Input::Hangup);
    }

    /// What this call decided the last time it stood at `point`.
    pub fn again(&self, point: &Point) -> Option<&Decision> {
        let key = point_key(point);
        self.last.iter().find(|(k, _)| *k == key).map(|(_, d)| d)
    }

    /// Answer the point [`Walker::advance`] stopped at.
    pub fn apply(&mut self, point: &Point, d: Decision) {
        if !matches!(d, Decision::Lambda(_)) {
            // The caller's input: a new round.
            self.round.clear();
        }
        let key = point_key(point);
        match self.last.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = d.clone(),
            None => self.last.push((key, d.clone())),
        }
        match &d {
            Decision::Keys(keys) => {
                // Keys after the input is complete (its maximum length reached) are
                // not typed: a replay could not tell which block they reach.
                for k in keys.chars() {
                    if !matches!(self.engine.status(), Status::AwaitingInput { .. }) {
                        break;
                    }
                    self.send(Input::Key(k));
                }
            }
            Decision::Silence => {
                if let Status::AwaitingInput { deadline, .. } = self.engine.status() {
                    // Something due before the input times out (the agent answering a
                    // call waiting in queue) happens first, as it would in a replay.
                    if let Some(first) = self.engine.next_deadline().filter(|d| *d < deadline) {
                        self.tick(first);
                        self.decisions.push(d);
                        return;
                    }
                    self.now = self.now.max(deadline);
                }
                self.send(Input::Silence);
            }
            Decision::Say(text) => self.send(Input::Utterance(text.clone())),
            Decision::Hangup => self.send(Input::Hangup),
            Decision::Lambda(answer) => {
                if let Some(call) = self.pending.pop_front() {
                    let outcome = match answer {
                        Answer::Json(payload) => LambdaOutcome::Response {
                            payload: payload.to_string(),
                        },
                        Answer::Error => LambdaOutcome::FunctionError {
                            message: "the error flowsim explore chose".into(),
                        },
                        // The engine waits on to the function's time limit.
                        Answer::Timeout => LambdaOutcome::NoAnswer,
                    };
                    self.send(Input::LambdaDone {
                        call: call.call,
                        outcome,
                    });
                }
            }
        }
        self.decisions.push(d);
    }

    /// Whether this call was already in the state `key` (a [`Walker::state_key`]) with
    /// the same loop counters; the state is remembered. A call meeting a state again
    /// decides there as it did the first time (see [`crate::explore`]), and so do the
    /// points after it, so from here it goes round the same way, taking no branch it
    /// has not taken, until the engine's step budget ends it.
    pub fn repeats(&mut self, key: u64) -> bool {
        let mut h = DefaultHasher::new();
        key.hash(&mut h);
        let mut loops: Vec<_> = self.engine.contact().loops.iter().collect();
        loops.sort();
        loops.hash(&mut h);
        !self.met.insert(h.finish())
    }

    /// What the flow can still tell apart at this point: where the call stands and
    /// everything it can read, but the loop counters (a call meeting a state again
    /// with other counts repeats what it did there, so the loops run out: see the
    /// module docs of [`crate::explore`]).
    pub fn state_key(&self, point: &Point) -> u64 {
        let mut h = DefaultHasher::new();
        match point {
            Point::Input { block, mode } => {
                (0u8, &block.flow, &block.id, mode.as_str()).hash(&mut h);
            }
            Point::Lambda { block, call } => {
                (1u8, block.as_ref().map(|b| (&b.flow, &b.id))).hash(&mut h);
                call.request.function_arn.hash(&mut h);
            }
        }
        let c = self.engine.contact();
        for (k, v) in c.attributes.iter().chain(&c.flow_attributes).chain(&c.data) {
            (k, v).hash(&mut h);
        }
        hash_json(&c.external, &mut h);
        c.stored_input.hash(&mut h);
        c.queue.hash(&mut h);
        c.callback_number.hash(&mut h);
        (&c.language, &c.voice, &c.recording, c.logging).hash(&mut h);
        // Queue metrics move with the clock (the oldest contact's age, the position):
        // a call that differs only in them is in the same state.
        for (k, v) in c.namespaces.iter().filter(|(k, _)| k.as_str() != "Metrics") {
            k.hash(&mut h);
            hash_json(v, &mut h);
        }
        self.engine.touchtone_buffer().hash(&mut h);
        self.engine.flow().name.hash(&mut h);
        self.pending.len().hash(&mut h);
        h.finish()
    }
}

/// Hash a JSON value without printing it (an answer can be tens of KB, and the
/// state is hashed at every decision point).
fn hash_json(v: &serde_json::Value, h: &mut impl Hasher) {
    use serde_json::Value;
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Number(n) => (2u8, n.to_string()).hash(h),
        Value::String(s) => (3u8, s).hash(h),
        Value::Array(a) => {
            (4u8, a.len()).hash(h);
            for x in a {
                hash_json(x, h);
            }
        }
        Value::Object(m) => {
            (5u8, m.len()).hash(h);
            for (k, x) in m {
                k.hash(h);
                hash_json(x, h);
            }
        }
    }
}

/// A decision point's place: flow and block (or the function).
fn point_key(point: &Point) -> String {
    match point {
        Point::Input { block, .. } => format!("{}\n{}", block.flow, block.id),
        Point::Lambda { block, call } => match block {
            Some(b) => format!("{}\n{}", b.flow, b.id),
            None => call.request.function_arn.clone(),
        },
    }
}
