//! Running a parsed script against one call, through the shared [`Driver`].
//!
//! Script time (docs/call-language.md, "Script time"): the call runs only as far as
//! the next directive needs. The engine runs in step mode, so the runner sees every
//! block and can stop right after the prompt an `expect "…"` matched: the call then
//! stands at that prompt, and a following `press` is pressed while it plays (the
//! engine drops a key pressed during a Play prompt, with a trace line, unless
//! touchtone buffering keeps it for the next input block; a key pressed at a Get
//! customer input prompt barges in and answers it). A `press`, `silence` or
//! `hangup` with no `expect` since the previous input is given when the call next
//! waits. `expect` consumes prompts in order and never matches one said before the
//! previous input. `expect end` runs the call to its end (input requests time
//! out). A script that stops before the call ends hangs up there.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::driver::{
    AnsweredBy, AtInput, Clock, Driver, DriverError, Next, run_until, unmapped_message,
};
use crate::engine::{CallConfig, EndReason, Engine, Input, Status, TraceEvent, TraceKind};
use crate::flow::FlowSet;
use crate::lambda::registry::{BackendContext, glob_match};
use crate::lambda::{BackendSpec, Mapping, Registry, RegistryError};

use super::parse::{Directive, EndExpect, EnvSetting, Matcher, Script, escape, fold};

/// What every script of a run shares: settings from the command line.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The call settings from flags and the config file (scripts override them).
    pub call: CallConfig,
    /// `--lambda` mappings; they win over a script's `lambda` lines.
    pub mappings: Vec<Mapping>,
    /// For building backends.
    pub backends: BackendContext,
    /// `--update`: don't check `expect "…"`/`expect /…/`; compute new ones.
    pub update: bool,
}

/// How a script went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed(Failure),
    /// The script could not run (unanswered Lambda, bad backend): bad input.
    Error(String),
}

/// A failed expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// 1-based script line.
    pub line: usize,
    /// What the line expected, e.g. `the IVR to say "press 1"`.
    pub expected: String,
    /// What happened: prompts since the last input, the current block, the last branch.
    pub actual: String,
}

/// The result of one script.
#[derive(Clone, Debug)]
pub struct ScriptResult {
    pub path: PathBuf,
    pub outcome: Outcome,
    /// The whole trace of the call.
    pub events: Vec<TraceEvent>,
    pub duration: Duration,
    /// `--update`: the script's new text, when it differs.
    pub updated: Option<String>,
}

impl ScriptResult {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    pub fn end(&self) -> Option<&EndReason> {
        self.events.iter().rev().find_map(|e| match &e.kind {
            TraceKind::Ended { reason } => Some(reason),
            _ => None,
        })
    }
}

/// The call settings a script asks for, over `base`; `Err` is a line whose setting
/// cannot be used (an environment file that does not load), as `file:line: why`.
pub fn call_config(script: &Script, base: &CallConfig) -> Result<CallConfig, String> {
    let mut c = base.clone();
    let mut env = None;
    for l in &script.lines {
        match &l.directive {
            Directive::Caller(n) => c.caller = n.clone(),
            Directive::Dialed(n) => c.dialed = n.clone(),
            Directive::Attribute(k, v) => {
                c.attributes.insert(k.clone(), v.clone());
            }
            Directive::Hours(open) => c.hours_open = *open,
            Directive::Env(setting) => {
                let at = |e: String| format!("{}:{}: {e}", script.path.display(), l.number);
                let env = env.get_or_insert_with(|| (*c.env).clone());
                if let EnvSetting::File(path) = setting {
                    env.merge(crate::config::load_env(path).map_err(|e| at(e.to_string()))?);
                }
                if let EnvSetting::Lex {
                    pattern,
                    backend,
                    dir,
                } = setting
                    && let Some(path) = backend.trim().strip_prefix("file:")
                {
                    let bot = crate::lexbots::load_export(&dir.join(path)).map_err(|e| at(e.0))?;
                    env.bots.push((
                        pattern.clone(),
                        crate::env::LexBackend::Offline(std::sync::Arc::new(bot)),
                    ));
                }
                setting.apply(env).map_err(|e| at(e.0))?;
            }
            _ => {}
        }
    }
    if let Some(env) = env {
        c.env = std::sync::Arc::new(env);
    }
    Ok(c)
}

/// The Lambda registry for a script: `--lambda` mappings first, then the script's
/// `lambda` lines (several lines for one function answer in turn, the last repeats),
/// then the default (`*vanity*` → built-in).
pub fn registry(script: &Script, opts: &RunOptions) -> Result<Registry, RegistryError> {
    let mut groups: Vec<(String, Vec<BackendSpec>)> = Vec::new();
    for l in &script.lines {
        if let Directive::Lambda(m) = &l.directive {
            match groups.iter_mut().find(|(p, _)| *p == m.pattern) {
                Some((_, v)) => v.push(m.spec.clone()),
                None => groups.push((m.pattern.clone(), vec![m.spec.clone()])),
            }
        }
    }
    let mut all = opts.mappings.clone();
    let mut sequences = Vec::new();
    for (pattern, specs) in groups {
        if let [spec] = &specs[..] {
            all.push(Mapping {
                pattern,
                spec: spec.clone(),
            });
        } else if !opts
            .mappings
            .iter()
            .any(|m| glob_match(&m.pattern, &pattern))
        {
            sequences.push((pattern, specs));
        }
    }
    let mut reg = Registry::new(&all, &opts.backends)?;
    for (pattern, specs) in sequences {
        reg.push_front_sequence(pattern, &specs)?;
    }
    Ok(reg)
}

/// Run a script against `flows`. Needs a tokio runtime (the driver spawns Lambda tasks).
pub async fn run_script(script: &Script, flows: &FlowSet, opts: &RunOptions) -> ScriptResult {
    let started = Instant::now();
    let mut result = ScriptResult {
        path: script.path.clone(),
        outcome: Outcome::Passed,
        events: Vec::new(),
        duration: Duration::ZERO,
        updated: None,
    };
    let registry = match registry(script, opts) {
        Ok(r) => r,
        Err(e) => {
            result.outcome = Outcome::Error(e.to_string());
            return result;
        }
    };
    let config = match call_config(script, &opts.call) {
        Ok(c) => c,
        Err(e) => {
            result.outcome = Outcome::Error(e);
            return result;
        }
    };
    let engine = Engine::new(flows.clone(), config);
    let mut driver = Driver::new(engine, registry, Clock::Virtual);
    // Step mode: the runner sees each block, so an `expect` can stop at its prompt.
    driver.set_stepping(true);
    // Stand at each Play prompt: a `press` after its `expect` lands while it plays.
    driver.set_play_through(false);
    let mut run = Run {
        driver,
        events: Vec::new(),
        cursor: (0, 0),
        last_input: 0,
        started: false,
        expected_since_input: false,
        typed_ahead: None,
        marks: BTreeMap::new(),
        holds: script
            .lines
            .iter()
            .filter_map(|l| match l.directive {
                Directive::Hold(d) => Some(d),
                _ => None,
            })
            .collect(),
    };
    let outcome = run.script(script, opts.update).await;
    run.driver.close().await;
    result.outcome = match outcome {
        Ok(o) => o,
        // A function no mapping answers is an error when the call reaches it.
        Err(DriverError::Unmapped { function, block }) => {
            Outcome::Error(unmapped_message(&block, &function, AnsweredBy::ScriptLine))
        }
    };
    // A script that stopped early is not rewritten: its later lines never ran.
    if opts.update && result.outcome == Outcome::Passed {
        let text = rewrite(script, &run.marks, &run.events);
        if text != script.text {
            result.updated = Some(text);
        }
    }
    result.events = run.events;
    result.duration = started.elapsed();
    result
}

struct Run {
    driver: Driver,
    events: Vec<TraceEvent>,
    /// Where the last `expect` matched: event index, and the end of the match in
    /// that prompt's folded text (the next `expect` scans on from there).
    cursor: (usize, usize),
    /// Index of the first event after the last input.
    last_input: usize,
    started: bool,
    /// An `expect` ran since the previous input: the call stands where it matched,
    /// and the next input is given there rather than at the next wait.
    expected_since_input: bool,
    /// Keys pressed while the call was not waiting for input (during a prompt), not
    /// yet used by an input block: the script line and the events before them.
    typed_ahead: Option<(usize, usize, String)>,
    /// Script line → (events before its action, events after it), for `--update`.
    marks: BTreeMap<usize, (usize, usize)>,
    /// The script's `hold` lines, in order.
    holds: Vec<Duration>,
}

enum Check {
    Pass,
    Fail(String, String),
    /// A failure blamed on another line (e.g. the `press` whose keys went unused).
    FailAt(Failure),
}

impl Run {
    async fn script(&mut self, script: &Script, update: bool) -> Result<Outcome, DriverError> {
        for line in &script.lines {
            let d = &line.directive;
            if d.is_setting() {
                continue;
            }
            let before = self.events.len();
            let check = self.directive(d, update, line.number).await?;
            let after = self.events.len();
            let before = self.marks.get(&line.number).map_or(before, |m| m.0);
            self.marks.insert(line.number, (before, after));
            match check {
                Check::Pass => {}
                Check::Fail(expected, actual) => {
                    return Ok(Outcome::Failed(Failure {
                        line: line.number,
                        expected,
                        actual,
                    }));
                }
                Check::FailAt(f) => return Ok(Outcome::Failed(f)),
            }
        }
        if self.driver.engine().ended().is_none() {
            self.idle().await?;
            if let Some(f) = self.unused_keys() {
                return Ok(Outcome::Failed(f));
            }
            if self.driver.engine().ended().is_none() {
                self.driver.send(Input::Hangup)?;
                self.pull();
            }
        }
        if let Some(f) = self.unused_keys() {
            return Ok(Outcome::Failed(f));
        }
        if let Some(f) = self.unheld(script) {
            return Ok(Outcome::Failed(f));
        }
        Ok(Outcome::Passed)
    }

    /// A `hold` line whose hold never began (the call never reached an agent, or
    /// ended first): a failure of that line.
    fn unheld(&self, script: &Script) -> Option<Failure> {
        let held = self
            .events
            .iter()
            .filter(|e| matches!(e.kind, TraceKind::HoldStarted { .. }))
            .count();
        let line = script
            .lines
            .iter()
            .filter(|l| matches!(l.directive, Directive::Hold(_)))
            .nth(held)?;
        let now = match self.driver.engine().ended() {
            Some(r) => format!("the call ended: {}", r.describe()),
            None => "the script ended first".to_owned(),
        };
        Some(Failure {
            line: line.number,
            expected: "the agent to put the caller on hold (once connected)".into(),
            actual: format!("{now}; holds begun: {held}"),
        })
    }

    /// Keys pressed during a prompt that no input block used before the call ended
    /// (or the script stopped): a failure of the `press` line that gave them.
    fn unused_keys(&self) -> Option<Failure> {
        let (line, _, keys) = self.typed_ahead.as_ref()?;
        let now = match self.driver.engine().ended() {
            Some(r) => format!("the call ended ({}) first", r.describe()),
            None => "the script ended first".to_owned(),
        };
        Some(Failure {
            line: *line,
            expected: format!("an input block to take the keys pressed here ({keys})"),
            actual: format!(
                "they were pressed during a prompt and no input block came after: {now}\n{}",
                self.situation()
            ),
        })
    }

    /// `expect $.PATH = "VALUE"` and its older forms: the call runs on until `get`
    /// reads `want`, or rests; `shown` names the value in a failure.
    async fn expect_value(
        &mut self,
        shown: &str,
        want: &str,
        get: impl Fn(&Self) -> Option<String>,
    ) -> Result<Check, DriverError> {
        self.run_until(|r| get(r).as_deref() == Some(want)).await?;
        Ok(match get(self) {
            Some(a) if a == want => {
                self.expected_since_input = true;
                Check::Pass
            }
            got => Check::Fail(
                format!("{shown} = \"{}\"", escape(want)),
                format!("{}\n{}", describe_value(shown, got), self.situation()),
            ),
        })
    }

    async fn directive(
        &mut self,
        d: &Directive,
        update: bool,
        number: usize,
    ) -> Result<Check, DriverError> {
        Ok(match d {
            Directive::Expect(m) => {
                if update {
                    self.idle().await?;
                    return Ok(Check::Pass);
                }
                self.run_until(|r| r.find_prompt(m).is_some()).await?;
                match self.find_prompt(m) {
                    Some(at) => {
                        self.cursor = at;
                        self.expected_since_input = true;
                        Check::Pass
                    }
                    None => Check::Fail(format!("the IVR to say {m}"), self.situation()),
                }
            }
            Directive::ExpectNo(m) => {
                self.idle().await?;
                let said = self.prompts_since(self.last_input).find(|t| m.matches(t));
                match said {
                    None => Check::Pass,
                    Some(t) => Check::Fail(
                        format!("the IVR not to say {m} since the last input"),
                        format!("it said \"{t}\"\n{}", self.situation()),
                    ),
                }
            }
            Directive::Press(keys) => {
                let check = self
                    .input(number, &format!("to press {keys}"), true, |r| {
                        let from = r.events.len();
                        for c in keys.chars() {
                            r.driver.send(Input::Key(c))?;
                        }
                        r.pull();
                        // Pressed while no input block waits: the engine drops the keys
                        // (a trace line says so) or, with touchtone buffering on, keeps
                        // them for the next input block.
                        let buffered = r.events[from..]
                            .iter()
                            .any(|e| matches!(e.kind, TraceKind::KeyBuffered { .. }));
                        if buffered && r.typed_ahead.is_none() {
                            r.typed_ahead = Some((number, from, keys.clone()));
                        }
                        Ok(())
                    })
                    .await?;
                self.pull();
                check
            }
            Directive::Silence => {
                self.input(number, "to stay silent", false, |r| r.driver.silence())
                    .await?
            }
            Directive::Say(text) => {
                self.input(number, &format!("to say \"{text}\""), false, |r| {
                    r.driver.send(Input::Utterance(text.clone()))
                })
                .await?
            }
            Directive::ExpectValue(path, v) => {
                self.expect_value(path, v, |r| {
                    contact_value(r.driver.engine().contact(), path)
                })
                .await?
            }
            Directive::Hangup => {
                self.input(number, "to hang up", true, |r| r.driver.send(Input::Hangup))
                    .await?
            }
            Directive::Wait(d) => {
                // Blocks take no time: the call runs to its next rest, then the time
                // passes (firing timeouts, and running on after them).
                self.idle().await?;
                self.driver.set_stepping(false);
                let waited = self.driver.wait(*d).await;
                self.driver.set_stepping(true);
                waited?;
                self.pull();
                self.expected_since_input = false;
                Check::Pass
            }
            Directive::ExpectLambda(name) => {
                let found = |r: &Self| r.lambdas_since(r.last_input).any(|f| name_matches(name, f));
                self.run_until(found).await?;
                if found(self) {
                    self.expected_since_input = true;
                    Check::Pass
                } else {
                    let called: Vec<&str> = self.lambdas_since(self.last_input).collect();
                    let what = if called.is_empty() {
                        "no Lambda function was invoked since the last input".to_owned()
                    } else {
                        format!("invoked since the last input: {}", called.join(", "))
                    };
                    Check::Fail(
                        format!("Lambda function `{name}` to be invoked"),
                        format!("{what}\n{}", self.situation()),
                    )
                }
            }
            Directive::ExpectAttribute(k, v) => {
                self.expect_value(&format!("$.Attributes.{k}"), v, |r| {
                    r.driver.engine().contact().attributes.get(k).cloned()
                })
                .await?
            }
            Directive::ExpectExternal(k, v) => {
                self.expect_value(&format!("$.External.{k}"), v, |r| {
                    external(&r.driver.engine().contact().external, k)
                })
                .await?
            }
            Directive::ExpectBlock(name) => {
                let found = |r: &Self| {
                    r.blocks_since(r.last_input)
                        .any(|(id, label)| id == name || label.eq_ignore_ascii_case(name))
                };
                self.run_until(found).await?;
                if found(self) {
                    self.expected_since_input = true;
                    Check::Pass
                } else {
                    let ran: Vec<String> = self
                        .blocks_since(self.last_input)
                        .map(|(_, l)| format!("\"{l}\""))
                        .collect();
                    Check::Fail(
                        format!("the call to pass through block \"{name}\""),
                        format!(
                            "blocks run since the last input: {}\n{}",
                            if ran.is_empty() {
                                "none".to_owned()
                            } else {
                                ran.join(", ")
                            },
                            self.situation()
                        ),
                    )
                }
            }
            Directive::ExpectEnd(want) => {
                // What is said before any input times out is expected before this line.
                self.idle().await?;
                self.marks
                    .insert(number, (self.events.len(), self.events.len()));
                self.run_to_end().await?;
                match self.driver.engine().ended().cloned() {
                    Some(_) if self.typed_ahead.is_some() => {
                        // The keys pressed during a prompt were never used: that line
                        // is the mistake, not this one.
                        let f = self.unused_keys().expect("checked");
                        return Ok(Check::FailAt(f));
                    }
                    Some(reason) if end_matches(want, &reason) => Check::Pass,
                    // `expect end queue`: the call reached the queue and waits there.
                    None if reached_queue(want, self.driver.engine()) => Check::Pass,
                    Some(reason) => Check::Fail(
                        format!("the call to end: {want}"),
                        format!("it ended: {}\n{}", reason.describe(), self.situation()),
                    ),
                    None => Check::Fail(
                        format!("the call to end: {want}"),
                        format!("it did not end\n{}", self.situation()),
                    ),
                }
            }
            Directive::Flow(_)
            | Directive::Caller(_)
            | Directive::Dialed(_)
            | Directive::Attribute(..)
            | Directive::Hours(_)
            | Directive::Lambda(_)
            | Directive::Env(_) => Check::Pass,
            // The holds were given when the call started: the agent holds the caller
            // once connected (checked when the script ends).
            Directive::Hold(_) => Check::Pass,
        })
    }

    /// An input directive. With an `expect` since the previous input, the call
    /// stands where that matched and, when `at_prompt`, the input is given there
    /// (a key while the prompt plays); otherwise the call runs to its next wait
    /// first.
    async fn input(
        &mut self,
        number: usize,
        what: &str,
        at_prompt: bool,
        act: impl FnOnce(&mut Self) -> Result<(), DriverError>,
    ) -> Result<Check, DriverError> {
        if at_prompt && self.expected_since_input {
            self.start()?;
        } else {
            self.idle().await?;
            // Given when the call next waits: after its prompt has been said.
            self.driver.hear_prompt_out();
        }
        let before = self.events.len();
        self.marks.insert(number, (before, before));
        if let Some(r) = self.driver.engine().ended() {
            return Ok(Check::Fail(
                format!("the call to wait for the caller ({what})"),
                format!(
                    "the call had already ended: {}\n{}",
                    r.describe(),
                    self.situation()
                ),
            ));
        }
        act(self)?;
        self.pull();
        self.last_input = before;
        // `expect` never matches a prompt said before the previous input.
        self.cursor = (before, 0);
        self.expected_since_input = false;
        Ok(Check::Pass)
    }

    fn start(&mut self) -> Result<(), DriverError> {
        if !self.started {
            self.started = true;
            // `hold` lines: the agent puts the caller on hold once connected.
            for d in self.holds.clone() {
                let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
                self.driver.send(Input::Hold { ms: Some(ms) })?;
            }
            self.driver.send(Input::Start)?;
            self.pull();
        }
        Ok(())
    }

    fn pull(&mut self) {
        let from = self.events.len();
        self.events.extend(self.driver.take_events());
        // An input block that takes buffered keys uses them.
        if let Some((_, at, _)) = &self.typed_ahead {
            let at = (*at).max(from);
            if self.events[at..]
                .iter()
                .any(|e| matches!(e.kind, TraceKind::KeyUsed { .. }))
            {
                self.typed_ahead = None;
            }
        }
    }

    /// Run until `done`, the call waits for input, or it ends.
    async fn run_until(&mut self, done: impl Fn(&Self) -> bool) -> Result<(), DriverError> {
        self.start()?;
        self.drive(AtInput::Return, done).await
    }

    /// Run until the call waits for input or ends.
    async fn idle(&mut self) -> Result<(), DriverError> {
        self.run_until(|_| false).await
    }

    /// Run the call to its end; input requests time out.
    async fn run_to_end(&mut self) -> Result<(), DriverError> {
        self.start()?;
        self.drive(AtInput::TimeOut, |_| false).await
    }

    /// [`run_until`], collecting the events and stopping at `done`.
    async fn drive(
        &mut self,
        at_input: AtInput,
        done: impl Fn(&Self) -> bool,
    ) -> Result<(), DriverError> {
        fn driver(r: &mut Run) -> &mut Driver {
            &mut r.driver
        }
        run_until(self, driver, at_input, |r| {
            r.pull();
            Ok(if done(r) { Next::Stop } else { Next::Go })
        })
        .await
    }

    /// The next match of `m` after the cursor: (event index, end of the match).
    fn find_prompt(&self, m: &Matcher) -> Option<(usize, usize)> {
        let (start, offset) = self.cursor;
        self.events
            .iter()
            .enumerate()
            .skip(start)
            .find_map(|(i, e)| match &e.kind {
                TraceKind::Prompt { text, .. } => {
                    let from = if i == start { offset } else { 0 };
                    m.find_from(text, from).map(|end| (i, end))
                }
                _ => None,
            })
    }

    fn prompts_since(&self, from: usize) -> impl Iterator<Item = &str> {
        self.events[from.min(self.events.len())..]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Prompt { text, .. } => Some(text.as_str()),
                _ => None,
            })
    }

    fn lambdas_since(&self, from: usize) -> impl Iterator<Item = &str> {
        self.events[from.min(self.events.len())..]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::LambdaInvoked { function, .. } => Some(function.as_str()),
                _ => None,
            })
    }

    fn blocks_since(&self, from: usize) -> impl Iterator<Item = (&str, &str)> {
        self.events[from.min(self.events.len())..]
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::BlockStarted { block, .. } => {
                    Some((block.id.as_str(), block.label.as_str()))
                }
                _ => None,
            })
    }

    /// What the call has been doing: prompts since the last input, where it is now,
    /// and the last branch taken.
    fn situation(&self) -> String {
        let mut out = String::new();
        let said: Vec<&str> = self.prompts_since(self.last_input).collect();
        if said.is_empty() {
            out.push_str("said since the last input: nothing");
        } else {
            out.push_str("said since the last input:");
            for s in said {
                out.push_str(&format!("\n  \"{}\"", fold(s)));
            }
        }
        let now = match self.driver.engine().status() {
            Status::Ended(r) => format!("the call ended: {}", r.describe()),
            Status::AwaitingInput { block, mode, .. } => {
                let what = mode.awaited();
                format!("the call waits for {what} at block \"{}\"", block.label)
            }
            Status::AwaitingLambda {
                block, function, ..
            } => {
                format!(
                    "the call waits for Lambda `{function}` at block \"{}\"",
                    block.label
                )
            }
            Status::AwaitingLex { block, bot, .. } => {
                format!(
                    "the call waits for the Lex bot \"{bot}\" at block \"{}\"",
                    block.label
                )
            }
            Status::Waiting { block, .. } => {
                format!("the call waits at block \"{}\" (a Wait)", block.label)
            }
            Status::AwaitingOutcome { block, setting, .. } => {
                format!("the call asks for {setting} at block \"{}\"", block.label)
            }
            Status::InQueue {
                queue, answer_at, ..
            } => match answer_at {
                Some(at) => format!("the call waits in queue {queue}; an agent answers at {at}"),
                None => format!(
                    "the call waits in queue {queue}; no agent answers (answer_after = never, \
                     or no agent online)"
                ),
            },
            Status::Playing { block, .. } => {
                format!("the call plays the prompt of block \"{}\"", block.label)
            }
            Status::Paused { next } => format!("the call is at block \"{}\"", next.label),
            Status::NotStarted => "the call has not started".into(),
        };
        out.push('\n');
        out.push_str(&now);
        let last = self.events.iter().rev().find_map(|e| match &e.kind {
            TraceKind::BranchTaken {
                block,
                branch,
                target,
                ..
            } => Some(format!(
                "last branch: \"{}\" → {branch} → {}",
                block.label,
                target
                    .as_ref()
                    .map_or("(end of flow)".to_owned(), |t| format!("\"{}\"", t.label))
            )),
            _ => None,
        });
        if let Some(l) = last {
            out.push('\n');
            out.push_str(&l);
        }
        out
    }
}

/// What a script expects that its flows cannot give, found before the call runs:
/// `expect block` of a block no flow has, `expect lambda` of a function no flow
/// invokes. One `file:line: message` each (a bad script: exit 2).
pub fn check_against_flows(script: &Script, flows: &FlowSet) -> Vec<String> {
    let all: Vec<&crate::flow::Flow> = std::iter::once(&flows.main)
        .chain(flows.others.iter())
        .map(|f| &**f)
        .collect();
    let mut functions = Vec::new();
    // A function named by reference (`$.…`) is known only at run time.
    let mut dynamic = false;
    for f in &all {
        for b in &f.blocks {
            if let crate::flow::Kind::InvokeLambdaFunction { arn, .. } = &b.kind {
                if arn.contains("$.") {
                    dynamic = true;
                } else if !arn.trim().is_empty() {
                    functions.push(crate::engine::function_name(arn));
                }
            }
        }
    }
    functions.sort();
    functions.dedup();
    let at = |n: usize| format!("{}:{n}", script.path.display());
    let mut out = Vec::new();
    for l in &script.lines {
        match &l.directive {
            Directive::ExpectBlock(name) => {
                let known = all.iter().any(|f| {
                    f.blocks
                        .iter()
                        .any(|b| b.id == *name || b.label().eq_ignore_ascii_case(name))
                });
                if !known {
                    out.push(format!(
                        "{}: `expect block \"{name}\"`: the flow has no block with that name or \
                         identifier",
                        at(l.number)
                    ));
                }
            }
            Directive::ExpectLambda(name)
                if !dynamic && !functions.iter().any(|f| name_matches(name, f)) =>
            {
                let invokes = if functions.is_empty() {
                    "it invokes no Lambda function".to_owned()
                } else {
                    format!("it invokes {}", functions.join(", "))
                };
                out.push(format!(
                    "{}: `expect lambda {name}`: the flow never invokes that function ({invokes})",
                    at(l.number)
                ));
            }
            _ => {}
        }
    }
    out
}

fn name_matches(pattern: &str, function: &str) -> bool {
    pattern == function || glob_match(pattern, function)
}

fn describe_value(name: &str, v: Option<String>) -> String {
    match v {
        Some(v) => format!("{name} is \"{}\"", escape(&v)),
        None => format!("{name} is not set"),
    }
}

/// `$.External.a.b` as text (non-strings as JSON).
fn external(v: &serde_json::Value, path: &str) -> Option<String> {
    let mut cur = v;
    for seg in path.split('.') {
        cur = cur.get(seg)?;
    }
    Some(match cur {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// Does the end match `expect end …`? `queue` matches every end after the queue
/// was reached (docs/call-language.md).
pub fn end_matches(want: &EndExpect, got: &EndReason) -> bool {
    let named = |w: &Option<String>| {
        got.queue()
            .is_some_and(|q| w.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(q)))
    };
    match (want, got) {
        (EndExpect::Disconnected, EndReason::Disconnected { .. })
        | (EndExpect::Hangup, EndReason::Hangup)
        | (EndExpect::Ended, EndReason::Ended { .. })
        | (EndExpect::Budget, EndReason::Budget { .. })
        | (EndExpect::Stopped, EndReason::Stopped { .. }) => true,
        (EndExpect::Queue(w), _) => named(w),
        (EndExpect::Agent(w), EndReason::Agent { .. })
        | (EndExpect::Abandoned(w), EndReason::Abandoned { .. })
        | (EndExpect::Callback(w), EndReason::Callback { .. }) => named(w),
        _ => false,
    }
}

/// `expect end queue ["NAME"]` of a call that waits in that queue for good.
fn reached_queue(want: &EndExpect, engine: &Engine) -> bool {
    match (want, engine.queue_info()) {
        (EndExpect::Queue(w), Some(q)) => {
            w.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(&q.queue))
        }
        _ => false,
    }
}

/// `--update`: the script with its `expect "…"`/`expect /…/` lines regenerated from
/// the prompts actually said; every other line and comment is kept. Each prompt is
/// expected right before the input that followed it.
pub fn rewrite(
    script: &Script,
    marks: &BTreeMap<usize, (usize, usize)>,
    events: &[TraceEvent],
) -> String {
    let dropped: Vec<usize> = script
        .lines
        .iter()
        .filter(|l| matches!(l.directive, Directive::Expect(_)))
        .map(|l| l.number)
        .collect();
    let mut out = String::new();
    let mut emitted = 0;
    let emit = |out: &mut String, emitted: &mut usize, to: usize| {
        let to = to.min(events.len());
        for e in &events[(*emitted).min(to)..to] {
            if let TraceKind::Prompt { text, .. } = &e.kind {
                let t = fold(text);
                if !t.is_empty() {
                    out.push_str(&format!("expect \"{}\"\n", escape(&t)));
                }
            }
        }
        *emitted = (*emitted).max(to);
    };
    for (i, raw) in script.text.lines().enumerate() {
        let n = i + 1;
        match marks.get(&n) {
            Some(&(before, after)) => {
                emit(&mut out, &mut emitted, before);
                if !dropped.contains(&n) {
                    out.push_str(raw);
                    out.push('\n');
                }
                emit(&mut out, &mut emitted, after);
            }
            None if dropped.contains(&n) => {}
            None => {
                out.push_str(raw);
                out.push('\n');
            }
        }
    }
    emit(&mut out, &mut emitted, events.len());
    out
}

/// `$.A.B.C` of the contact, resolved as a flow reference is; `None` when unset.
pub fn contact_value(contact: &crate::engine::Contact, path: &str) -> Option<String> {
    let r = crate::engine::refs::whole(path)?;
    match contact.resolve(&r.segments) {
        crate::engine::Resolved::Value(v) => Some(v),
        crate::engine::Resolved::NonString { text, .. } => Some(text),
        crate::engine::Resolved::Missing => None,
    }
}
