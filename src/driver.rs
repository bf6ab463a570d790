//! The one async driver: runs an [`Engine`] and fulfils its effects.
//!
//! The driver owns the engine and the Lambda [`Registry`]. It feeds inputs to the
//! engine at the right [`SimTime`], runs Lambda invocations on tokio tasks and
//! hands their outcomes back, and collects the trace. Time is either *virtual*
//! (headless runs and tests: a 5 s timeout costs nothing; deadlines are reached by
//! jumping the clock) or *real* (the TUI: a 5 s timeout takes 5 s). The engine owns
//! every deadline, Lambda time limits included; the driver only tells it the time.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::engine::{
    Effect, Engine, Input, LambdaCall, LexCall, LexOutcome, SimTime, Status, TraceEvent, TraceKind,
};
use crate::lambda::{LambdaOutcome, Registry};

/// How the driver keeps time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Jump to deadlines; Lambda answers from canned backends take no time.
    Virtual,
    /// Wall-clock time since the call started.
    Real,
}

/// What stops a driver outright (not a flow branch).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DriverError {
    #[error("{}", unmapped_message(.block, .function, AnsweredBy::Flag))]
    Unmapped { function: String, block: String },
}

/// How the user maps a Lambda function to a backend, for [`unmapped_message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnsweredBy {
    /// `--lambda PATTERN=BACKEND` (and the config file).
    Flag,
    /// A call script's `lambda NAME = BACKEND` line, or `--lambda`.
    ScriptLine,
}

/// What every front-end says about a function no mapping answers (the TUI's
/// question shows it too).
pub const NO_MAPPING: &str = "which no --lambda mapping answers";

/// The one message for a Lambda function that no mapping answers, with a hint
/// for how to answer it.
pub fn unmapped_message(block: &str, function: &str, by: AnsweredBy) -> String {
    match by {
        AnsweredBy::Flag => format!(
            "block \"{block}\" invokes Lambda function `{function}`, {NO_MAPPING} \
             (add e.g. --lambda '{function}=json:{{\"key\":\"value\"}}')"
        ),
        AnsweredBy::ScriptLine => format!(
            "block \"{block}\" invokes Lambda function `{function}`, which no `lambda` line or \
             --lambda answers (add e.g. `lambda {function} = json:{{\"key\":\"value\"}}`)"
        ),
    }
}

/// What [`Driver::run_until`] does when the call waits for the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtInput {
    /// Return: the caller answers.
    Return,
    /// Let the input time out and go on.
    TimeOut,
}

/// What [`Driver::run_until`]'s callback decided at a resting point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Return now.
    Stop,
    /// Go on by the status: step, time out, or return (see [`AtInput`]).
    Go,
    /// The callback fed the call an input: settle again before looking at it.
    Fed,
}

struct InFlight {
    info: Invocation,
    started: Instant,
    time_limit: Duration,
    handle: JoinHandle<(LambdaOutcome, Option<String>)>,
}

/// What [`Driver::backend_finished`] brings back.
#[derive(Debug)]
pub enum Finished {
    Lambda(LambdaOutcome),
    Lex(LexOutcome),
}

/// A turn sent to a live Lex bot (`aws`), awaiting its answer.
struct LexInFlight {
    call: u64,
    started: Instant,
    time_limit: Duration,
    handle: JoinHandle<LexOutcome>,
}

/// Which invocation is running, and on what.
struct Invocation {
    call: u64,
    function: String,
    backend: String,
    /// The backend takes real time (network, process), even on a virtual clock.
    real_time: bool,
}

/// A Lambda call that no mapping answers, held until the user says what to do (TUI).
#[derive(Debug, Clone)]
pub struct Unanswered {
    pub call: LambdaCall,
    pub block: String,
}

/// Runs one call.
pub struct Driver {
    engine: Engine,
    registry: Registry,
    clock: Clock,
    /// Real time: the call's time was `anchor_sim` at the instant `anchor`, and runs
    /// `speed` times as fast as the wall clock from there (unless stopped).
    anchor: Instant,
    anchor_sim: Duration,
    speed: f64,
    /// Real time: when the call's clock was stopped ([`Driver::pause_clock`]).
    paused_at: Option<Instant>,
    virtual_now: SimTime,
    inflight: Option<InFlight>,
    lex_inflight: Option<LexInFlight>,
    unanswered: Option<Unanswered>,
    /// What the last finished function logged, until its outcome is delivered.
    pending_log: Option<String>,
    events: Vec<TraceEvent>,
    /// Count of `InputRequested` events seen, to tell a new input request from the
    /// one already answered.
    input_requests: u64,
    /// Virtual time: a Play prompt plays out as soon as it starts (its time passes at
    /// once). The script runner turns this off to stand at a prompt (script time).
    play_through: bool,
    /// Lambda calls are held for the driver's owner to answer
    /// ([`Driver::answer_held`]) instead of going to the registry: a replay answers
    /// them from the flow logs.
    hold_lambdas: bool,
}

impl Driver {
    pub fn new(engine: Engine, registry: Registry, clock: Clock) -> Self {
        Self {
            engine,
            registry,
            clock,
            anchor: Instant::now(),
            anchor_sim: Duration::ZERO,
            speed: 1.0,
            paused_at: None,
            virtual_now: SimTime::ZERO,
            inflight: None,
            lex_inflight: None,
            unanswered: None,
            pending_log: None,
            events: Vec::new(),
            input_requests: 0,
            play_through: true,
            hold_lambdas: false,
        }
    }

    /// Virtual time: let Play prompts play out at once (the default), or hold the
    /// call at each one until the deadline is reached ([`run_until`] does that).
    pub fn set_play_through(&mut self, on: bool) {
        self.play_through = on;
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Step mode on or off (the TUI's pause key): see [`Engine::set_stepping`].
    pub fn set_stepping(&mut self, on: bool) {
        self.engine.set_stepping(on);
    }

    /// Replace the call (restart) keeping the registry.
    pub fn restart(&mut self, engine: Engine) {
        if let Some(f) = self.inflight.take() {
            f.handle.abort();
        }
        if let Some(f) = self.lex_inflight.take() {
            f.handle.abort();
        }
        self.engine = engine;
        self.anchor = Instant::now();
        self.anchor_sim = Duration::ZERO;
        self.paused_at = None;
        self.virtual_now = SimTime::ZERO;
        self.unanswered = None;
        self.input_requests = 0;
    }

    /// The call's time now.
    pub fn now(&self) -> SimTime {
        match self.clock {
            Clock::Virtual => self.virtual_now,
            Clock::Real => SimTime::from_duration(self.real_sim()),
        }
    }

    /// Real time: the call's time as a duration since it started.
    fn real_sim(&self) -> Duration {
        if self.paused_at.is_some() {
            self.anchor_sim
        } else {
            self.anchor_sim + self.anchor.elapsed().mul_f64(self.speed)
        }
    }

    /// Real time: run the call's clock `speed` times as fast as the wall clock
    /// (`--speed 4`: a 5 s timeout in 1.25 s), from now on.
    pub fn set_speed(&mut self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.anchor_sim = self.real_sim();
            self.anchor = Instant::now();
            self.speed = speed;
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Real time: stop the call's clock (the TUI, while the user reads or answers a
    /// dialog). Input timers and the Lambda limit stand still until
    /// [`Driver::resume_clock`]; a virtual clock only moves when told anyway.
    pub fn pause_clock(&mut self) {
        if self.clock == Clock::Real && self.paused_at.is_none() {
            self.anchor_sim = self.real_sim();
            self.paused_at = Some(Instant::now());
        }
    }

    /// Real time: start the call's clock again where it stopped; the pause counts
    /// neither for the call nor for a running Lambda's time.
    pub fn resume_clock(&mut self) {
        if let Some(at) = self.paused_at.take() {
            let paused = at.elapsed();
            self.anchor = Instant::now();
            if let Some(f) = &mut self.inflight {
                f.started += paused;
            }
        }
    }

    /// Is the call's clock stopped?
    pub fn clock_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// When the engine's next deadline falls, as a wall-clock instant (real time).
    /// `None` while the clock is stopped, and on a virtual clock (its time moves only
    /// when told: [`Driver::advance_to_deadline`]).
    pub fn deadline_instant(&self) -> Option<Instant> {
        if self.paused_at.is_some() || self.clock == Clock::Virtual {
            return None;
        }
        self.engine.next_deadline().map(|d| {
            let ahead = d.as_duration().saturating_sub(self.anchor_sim);
            self.anchor + ahead.div_f64(self.speed)
        })
    }

    /// Number of input requests so far (a new one means a new prompt awaits keys).
    pub fn input_requests(&self) -> u64 {
        self.input_requests
    }

    /// Events since the last call of this method.
    pub fn take_events(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.events)
    }

    /// A Lambda call waiting for the user to pick a backend (TUI).
    pub fn unanswered(&self) -> Option<&Unanswered> {
        self.unanswered.as_ref()
    }

    /// Is a Lambda invocation running?
    pub fn lambda_in_flight(&self) -> Option<(&str, &str, Duration)> {
        self.inflight.as_ref().map(|f| {
            (
                f.info.function.as_str(),
                f.info.backend.as_str(),
                self.paused_at
                    .unwrap_or_else(Instant::now)
                    .saturating_duration_since(f.started),
            )
        })
    }

    /// Feed an input at the current time.
    pub fn send(&mut self, input: Input) -> Result<(), DriverError> {
        let now = self.now();
        let effects = self.engine.handle(input, now);
        self.apply(effects)?;
        if self.clock == Clock::Virtual && self.play_through {
            while let Status::Playing { deadline, .. } = self.engine.status() {
                self.virtual_now = self.virtual_now.max(deadline);
                let effects = self.engine.handle(Input::Tick, self.virtual_now);
                self.apply(effects)?;
            }
        }
        Ok(())
    }

    fn apply(&mut self, effects: Vec<Effect>) -> Result<(), DriverError> {
        for effect in effects {
            match effect {
                Effect::Trace(event) => {
                    if matches!(event.kind, TraceKind::InputRequested { .. }) {
                        self.input_requests += 1;
                    }
                    self.events.push(event);
                }
                Effect::InvokeLambda(call) => self.invoke(call)?,
                Effect::RecognizeText(call) => self.recognize(call),
            }
        }
        Ok(())
    }

    /// Hold every Lambda call for [`Driver::answer_held`] (a replay's answers).
    pub fn set_hold_lambdas(&mut self, on: bool) {
        self.hold_lambdas = on;
    }

    /// Answer the held Lambda call ([`Driver::unanswered`]) with `outcome`, at once;
    /// no answer lets the block's time limit pass.
    pub fn answer_held(&mut self, outcome: LambdaOutcome) -> Result<(), DriverError> {
        let Some(u) = self.unanswered.take() else {
            return Ok(());
        };
        let info = Invocation {
            call: u.call.call,
            function: u.call.request.function_name.clone(),
            backend: "flow logs".into(),
            real_time: false,
        };
        self.note_backend(&info, Duration::ZERO, &outcome, None);
        if matches!(outcome, LambdaOutcome::NoAnswer) {
            return self.advance_to_deadline();
        }
        self.send(Input::LambdaDone {
            call: info.call,
            outcome,
        })
    }

    fn invoke(&mut self, call: LambdaCall) -> Result<(), DriverError> {
        if self.hold_lambdas {
            let block = self
                .engine
                .current_block()
                .map(|b| self.engine.flow().blocks[b].label())
                .unwrap_or_default();
            self.unanswered = Some(Unanswered { call, block });
            return Ok(());
        }
        let name = &call.request.function_name;
        let Some(backend) = self.registry.resolve(&call.request.function_arn, name) else {
            let block = self
                .engine
                .current_block()
                .map(|b| self.engine.flow().blocks[b].label())
                .unwrap_or_default();
            if self.clock == Clock::Real {
                self.unanswered = Some(Unanswered { call, block });
                return Ok(());
            }
            return Err(DriverError::Unmapped {
                function: name.clone(),
                block,
            });
        };
        let request = call.request.clone();
        let describe = backend.describe();
        let real_time = backend.takes_real_time();
        let handle = tokio::spawn(async move { backend.invoke_logged(&request).await });
        self.inflight = Some(InFlight {
            info: Invocation {
                call: call.call,
                function: call.request.function_name.clone(),
                backend: describe,
                real_time,
            },
            started: Instant::now(),
            time_limit: call.request.time_limit,
            handle,
        });
        Ok(())
    }

    /// Send a turn to the live bot (the registry's `aws` Lex client) on a task.
    fn recognize(&mut self, call: LexCall) {
        #[cfg(feature = "aws")]
        let bot: std::sync::Arc<dyn crate::lexbots::LiveBot> = std::sync::Arc::new(
            crate::lexbots::aws::AwsLex::new(self.registry.aws_clients()),
        );
        #[cfg(not(feature = "aws"))]
        let bot: std::sync::Arc<dyn crate::lexbots::LiveBot> =
            std::sync::Arc::new(crate::lexbots::NoLiveBot);
        let request = call.request.clone();
        let handle = tokio::spawn(async move { bot.recognize(&request).await });
        self.lex_inflight = Some(LexInFlight {
            call: call.call,
            started: Instant::now(),
            time_limit: call.request.time_limit,
            handle,
        });
    }

    /// Is a live Lex bot answering?
    pub fn lex_in_flight(&self) -> bool {
        self.lex_inflight.is_some()
    }

    /// Wait for the live bot's answer (if a turn is in flight); cancel-safe, for
    /// `select!`. Returns `None` at once when nothing is in flight.
    pub async fn lex_finished(&mut self) -> Option<LexOutcome> {
        let f = self.lex_inflight.as_mut()?;
        Some(
            (&mut f.handle)
                .await
                .unwrap_or_else(|e| LexOutcome::Failed {
                    cause: format!("backend task failed: {e}"),
                }),
        )
    }

    /// Wait for whichever answer is awaited, a Lambda's or a live bot's;
    /// cancel-safe, for `select!`. `None` at once when nothing is in flight.
    pub async fn backend_finished(&mut self) -> Option<Finished> {
        if self.lex_inflight.is_some() {
            self.lex_finished().await.map(Finished::Lex)
        } else {
            self.lambda_finished().await.map(Finished::Lambda)
        }
    }

    /// Deliver the live bot's answer to the engine (real time).
    pub fn complete_lex(&mut self, outcome: LexOutcome) -> Result<(), DriverError> {
        match self.lex_inflight.take() {
            Some(f) => self.send(Input::LexDone {
                call: f.call,
                outcome,
            }),
            None => Ok(()),
        }
    }

    /// The user chose a backend for the unanswered call (TUI): invoke it now.
    pub fn answer_unmapped(&mut self) -> Result<(), DriverError> {
        if let Some(u) = self.unanswered.take() {
            self.invoke(u.call)?;
        }
        Ok(())
    }

    /// Wait for the running Lambda (if any) to finish; cancel-safe, for `select!`.
    /// Returns `None` at once when nothing is in flight.
    pub async fn lambda_finished(&mut self) -> Option<LambdaOutcome> {
        let f = self.inflight.as_mut()?;
        let (outcome, log) = match (&mut f.handle).await {
            Ok(o) => o,
            Err(e) => (
                LambdaOutcome::InvokeError {
                    cause: format!("backend task failed: {e}"),
                    transient: false,
                },
                None,
            ),
        };
        self.pending_log = log;
        Some(outcome)
    }

    /// Deliver a finished Lambda's outcome to the engine (real time).
    pub fn complete_lambda(&mut self, outcome: LambdaOutcome) -> Result<(), DriverError> {
        let Some(f) = self.inflight.take() else {
            return Ok(());
        };
        let elapsed = f.started.elapsed();
        let log = self.pending_log.take();
        self.note_backend(&f.info, elapsed, &outcome, log);
        if matches!(outcome, LambdaOutcome::NoAnswer) {
            return Ok(());
        }
        self.send(Input::LambdaDone {
            call: f.info.call,
            outcome,
        })
    }

    fn note_backend(
        &mut self,
        info: &Invocation,
        elapsed: Duration,
        outcome: &LambdaOutcome,
        log: Option<String>,
    ) {
        let summary = match outcome {
            LambdaOutcome::Response { payload } => format!("response, {} bytes", payload.len()),
            LambdaOutcome::FunctionError { message } => format!("function error: {message}"),
            LambdaOutcome::InvokeError { cause, .. } => format!("invocation failed: {cause}"),
            LambdaOutcome::NoAnswer => "no answer".into(),
        };
        let duration_ms = if info.real_time || self.clock == Clock::Real {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        } else {
            0
        };
        self.events.push(TraceEvent {
            at: self.now(),
            kind: TraceKind::LambdaBackend {
                call: info.call,
                function: info.function.clone(),
                backend: info.backend.clone(),
                duration_ms,
                outcome: summary,
            },
        });
        if let Some(text) = log {
            self.events.push(TraceEvent {
                at: self.now(),
                kind: TraceKind::LambdaLog {
                    call: info.call,
                    function: info.function.clone(),
                    text,
                },
            });
        }
    }

    /// Deliver `Tick` if the engine's deadline has passed (real time).
    pub fn tick(&mut self) -> Result<(), DriverError> {
        if self.engine.next_deadline().is_some_and(|d| self.now() >= d) {
            self.send(Input::Tick)?;
        }
        Ok(())
    }

    // ---- virtual time ------------------------------------------------------------

    /// Virtual time: run until the call waits for the caller, pauses, or ends.
    /// Lambda calls are awaited here; a canned answer takes no virtual time, a
    /// real one (network, process) the time it really took.
    pub async fn settle(&mut self) -> Result<(), DriverError> {
        debug_assert_eq!(self.clock, Clock::Virtual);
        loop {
            self.settle_lambdas().await?;
            let Some(f) = self.lex_inflight.take() else {
                return Ok(());
            };
            // The bot is on the network: its real time passes on the call's clock.
            let mut handle = f.handle;
            let limit = f.time_limit + Duration::from_millis(50);
            let outcome = match tokio::time::timeout(limit, &mut handle).await {
                Ok(Ok(o)) => Some(o),
                Ok(Err(e)) => Some(LexOutcome::Failed {
                    cause: format!("backend task failed: {e}"),
                }),
                Err(_) => {
                    handle.abort();
                    None
                }
            };
            self.virtual_now = self.virtual_now.plus(f.started.elapsed().min(f.time_limit));
            match outcome {
                Some(outcome) => self.send(Input::LexDone {
                    call: f.call,
                    outcome,
                })?,
                None => self.advance_to_deadline()?,
            }
        }
    }

    /// Virtual time: await the Lambda invocations in flight, one after another.
    async fn settle_lambdas(&mut self) -> Result<(), DriverError> {
        while let Some(f) = self.inflight.take() {
            let limit = f.time_limit;
            let started = f.started;
            let call = f.info.call;
            let real_time = f.info.real_time;
            // A real backend gets its time limit (plus a little) of real time.
            let failed = |e: tokio::task::JoinError| {
                (
                    LambdaOutcome::InvokeError {
                        cause: format!("backend task failed: {e}"),
                        transient: false,
                    },
                    None,
                )
            };
            let (outcome, log) = if real_time {
                let mut handle = f.handle;
                match tokio::time::timeout(limit + Duration::from_millis(50), &mut handle).await {
                    Ok(Ok(o)) => o,
                    Ok(Err(e)) => failed(e),
                    Err(_) => {
                        handle.abort();
                        (LambdaOutcome::NoAnswer, None)
                    }
                }
            } else {
                f.handle.await.unwrap_or_else(failed)
            };
            let elapsed = started.elapsed();
            if real_time {
                self.virtual_now = self
                    .virtual_now
                    .plus(elapsed.min(limit + Duration::from_millis(1)));
            }
            self.note_backend(&f.info, elapsed, &outcome, log);
            if matches!(outcome, LambdaOutcome::NoAnswer) {
                self.advance_to_deadline()?;
            } else {
                self.send(Input::LambdaDone { call, outcome })?;
            }
        }
        Ok(())
    }

    /// The caller stays silent: the pending input times out. In virtual time the
    /// clock moves to the input's deadline first, so the timeout takes its time.
    pub fn silence(&mut self) -> Result<(), DriverError> {
        if self.clock == Clock::Virtual
            && let Some(d) = self.engine.next_deadline()
        {
            self.virtual_now = self.virtual_now.max(d);
        }
        self.send(Input::Silence)
    }

    /// Virtual time: let the prompt being said play to its end (the caller listens
    /// before answering). Nothing fires: an input block's timer starts there.
    pub fn hear_prompt_out(&mut self) {
        if self.clock == Clock::Virtual
            && let Some(end) = self.engine.prompt_playing()
            && matches!(self.engine.status(), Status::AwaitingInput { .. })
        {
            self.virtual_now = self.virtual_now.max(end);
        }
    }

    /// Virtual time: jump to the engine's next deadline and fire it.
    pub fn advance_to_deadline(&mut self) -> Result<(), DriverError> {
        if let Some(d) = self.engine.next_deadline() {
            self.virtual_now = self.virtual_now.max(d);
            self.send(Input::Tick)?;
        }
        Ok(())
    }

    /// Virtual time: let `d` pass, firing deadlines on the way.
    pub async fn wait(&mut self, d: Duration) -> Result<(), DriverError> {
        let until = self.virtual_now.plus(d);
        loop {
            self.settle().await?;
            match self.engine.next_deadline() {
                Some(dl) if dl <= until && self.engine.ended().is_none() => {
                    self.virtual_now = self.virtual_now.max(dl);
                    self.send(Input::Tick)?;
                }
                _ => break,
            }
        }
        self.virtual_now = self.virtual_now.max(until);
        Ok(())
    }

    /// Virtual time: [`run_until`] on the driver alone.
    pub async fn run_until(
        &mut self,
        at_input: AtInput,
        at_rest: impl FnMut(&mut Self) -> Result<Next, DriverError>,
    ) -> Result<(), DriverError> {
        fn itself(d: &mut Driver) -> &mut Driver {
            d
        }
        run_until(self, itself, at_input, at_rest).await
    }

    /// Let the Lambda registry finish background work (the vanity pipeline).
    pub async fn close(&self) {
        self.registry.close().await;
    }
}

/// A bad `--keys` list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    #[error("empty item in --keys (use ~ for silence)")]
    EmptyItem,
}

/// One `--keys` item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyItem {
    /// Keys to press (`1`, `5551234567#`), or an utterance at a Lex block.
    Keys(String),
    /// `~`: let the input time out.
    Silence,
    /// `"…"`: an utterance (to a Lex block), whatever the block waits for.
    Say(String),
}

impl KeyItem {
    /// Parse `--keys 1,3,5551234567#,~`.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, KeysError> {
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        text.split(',')
            .map(|item| {
                let item = item.trim();
                if item == "~" {
                    Ok(Self::Silence)
                } else if let Some(said) = item.strip_prefix('"').and_then(|i| i.strip_suffix('"'))
                {
                    Ok(Self::Say(said.to_owned()))
                } else if item.is_empty() {
                    Err(KeysError::EmptyItem)
                } else {
                    Ok(Self::Keys(item.to_owned()))
                }
            })
            .collect()
    }
}

/// Virtual time: the one loop that runs a call on. `ctx` holds the driver (`driver`
/// reaches it) and whatever the caller keeps beside it. Each round settles Lambda
/// calls, then asks `at_rest` (which may take the events, feed an input, or stop);
/// then a pause steps, a Lambda wait jumps to its deadline, an input request returns
/// or times out (`at_input`), and the end returns. It also returns when the call
/// waits with no deadline to jump to.
pub async fn run_until<C>(
    ctx: &mut C,
    driver: fn(&mut C) -> &mut Driver,
    at_input: AtInput,
    mut at_rest: impl FnMut(&mut C) -> Result<Next, DriverError>,
) -> Result<(), DriverError> {
    loop {
        let d = driver(ctx);
        debug_assert_eq!(d.clock, Clock::Virtual);
        d.settle().await?;
        match at_rest(ctx)? {
            Next::Stop => return Ok(()),
            Next::Fed => continue,
            Next::Go => {}
        }
        let d = driver(ctx);
        let status = d.engine.status();
        // Waiting in queue for an agent is a rest, as waiting for the caller is: time
        // in queue passes with `wait`, or on to the end (unless no agent ever
        // answers: then nothing would end it).
        let in_queue = d.engine.queue_info().is_some_and(|q| !q.answered);
        let rest = match &status {
            Status::Playing { .. } | Status::Waiting { .. } => at_input == AtInput::Return,
            Status::InQueue { answer_at, .. } => at_input == AtInput::Return || answer_at.is_none(),
            _ => false,
        };
        if in_queue && rest {
            return Ok(());
        }
        match status {
            // An environment question (the TUI's ask mode) waits for its answer.
            Status::Ended(_) | Status::NotStarted | Status::AwaitingOutcome { .. } => {
                return Ok(());
            }
            Status::Paused { .. } => d.send(Input::Step)?,
            Status::AwaitingInput { .. } if at_input == AtInput::Return => return Ok(()),
            Status::AwaitingInput { .. }
            | Status::AwaitingLambda { .. }
            | Status::AwaitingLex { .. }
            | Status::Playing { .. }
            | Status::Waiting { .. }
            | Status::InQueue { .. } => {
                if d.engine.next_deadline().is_none() {
                    return Ok(());
                }
                d.advance_to_deadline()?;
            }
        }
    }
}

/// Virtual time: run a whole call answering input requests from `keys`; when
/// they run out, input requests time out. Returns when the call ends.
pub async fn run_with_keys(driver: &mut Driver, keys: Vec<KeyItem>) -> Result<(), DriverError> {
    run_with_keys_streaming(driver, keys, &mut |_| {}).await
}

/// [`run_with_keys`], handing the trace to `sink` as it happens.
pub async fn run_with_keys_streaming(
    driver: &mut Driver,
    keys: Vec<KeyItem>,
    sink: &mut dyn FnMut(Vec<TraceEvent>),
) -> Result<(), DriverError> {
    let mut keys: VecDeque<KeyItem> = keys.into();
    let mut answered = 0;
    driver.send(Input::Start)?;
    driver
        .run_until(AtInput::TimeOut, |driver| {
            sink(driver.take_events());
            let Status::AwaitingInput { mode, .. } = driver.engine().status() else {
                return Ok(Next::Go);
            };
            let request = driver.input_requests();
            if request == answered {
                return Ok(Next::Go);
            }
            answered = request;
            let Some(item) = keys.pop_front() else {
                return Ok(Next::Go);
            };
            // `--keys` answers when the prompt has been said.
            driver.hear_prompt_out();
            match item {
                KeyItem::Silence => driver.silence()?,
                KeyItem::Say(text) => driver.send(Input::Utterance(text))?,
                KeyItem::Keys(text) if mode == crate::engine::InputMode::Lex => {
                    driver.send(Input::Utterance(text))?
                }
                KeyItem::Keys(text) => {
                    for c in text.chars() {
                        driver.send(Input::Key(c))?;
                    }
                }
            }
            Ok(Next::Fed)
        })
        .await
}
