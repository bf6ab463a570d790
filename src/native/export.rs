//! `flowsim export-test`: a `.call` script as an Amazon Connect test case that
//! `aws connect create-test-case` accepts, checked by running the export offline.
//!
//! The script runs first (it must pass); its trace anchors what the native language
//! needs and a script leaves implicit. Each `expect "…"` becomes a `MessageReceived`
//! observation (Inclusion, prompt text as plain words; several expects met by one
//! prompt become one observation of that whole prompt); each input is a
//! `SendInstruction` of the observation before it, and an input with no `expect`
//! since the previous one (or after a `silence`) gets an observation of the prompt
//! the call said just before it; `expect attribute` / `external` / `$.…` become
//! `Assert Equals` on the next observation (or on `TestCompleted`); `expect lambda`
//! and `expect block` of an observable block become open `FlowActionStarted`
//! observations; `expect end` a `TestCompleted` one (`expect end queue` also
//! observes the transfer). `lambda` lines become `MockResponse` overrides in the
//! `TestInitiated` observation, one per invocation the run made; `hours` (or
//! `--hours`) an hours override of each hours check in the flow; `dialed` makes the
//! entry point a pair of numbers (no FlowId: the live service rejects both). Anything else is
//! refused with its line: `expect no` and `wait` (no native equivalent), environment
//! settings other than `channel`, Lambda backends other than `json:`, `error`,
//! `timeout` and the built-in one.

use std::path::Path;

use indexmap::IndexMap;

use super::{NativeCase, run_case};
use crate::call::{Directive, EndExpect, EnvSetting, Script};
use crate::engine::{TraceEvent, TraceKind, function_name};
use crate::flow::{FlowSet, Kind};
use crate::lambda::BackendSpec;
use crate::lambda::registry::glob_match;
use crate::script::{Outcome, RunOptions, run_script};
use crate::testcase::{
    self, Action, ActionKind, Criteria, Document, EntryPoint, Event, EventKind, Expected,
    FlowAction, InitData, Observation, Strategy, TestCase, Usage, matcher,
};

/// What an export needs besides the script.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// `--flow-id`: the `FlowId` to write (default: the flow's name).
    pub flow_id: Option<String>,
    /// `--hours`: hours open (true) or closed, for scripts without an `hours` line.
    pub hours: Option<bool>,
}

/// The script as a test case, or why not (`file:line: why`, or `file: why`).
pub async fn export(
    script: &Script,
    flows: &FlowSet,
    run: &RunOptions,
    opts: &ExportOptions,
) -> Result<TestCase, String> {
    let at = |n: usize, why: String| format!("{}:{n}: {why}", script.path.display());
    refuse_unexpressible(script).map_err(|(n, why)| at(n, why))?;
    let result = run_script(script, flows, run).await;
    match &result.outcome {
        Outcome::Passed => {}
        Outcome::Failed(f) => {
            return Err(at(
                f.line,
                format!(
                    "the script fails offline (expected {}): export a passing script",
                    f.expected
                ),
            ));
        }
        Outcome::Error(e) => return Err(format!("{}: {e}", script.path.display())),
    }
    let case = build(script, flows, &result.events, opts).map_err(|(n, why)| at(n, why))?;
    // The round trip: the export, run offline, passes as the script did.
    let nc = NativeCase {
        path: script.path.clone(),
        case: case.clone(),
        flows: flows.clone(),
        text: String::new(),
    };
    let back = run_case(&nc, run).await;
    match &back.result.outcome {
        Outcome::Passed => {}
        Outcome::Failed(f) => {
            return Err(format!(
                "{}: the exported test case does not pass offline (expected {}; {}): cannot express the script faithfully",
                script.path.display(),
                f.expected,
                f.actual.lines().next().unwrap_or("")
            ));
        }
        Outcome::Error(e) => {
            return Err(format!(
                "{}: the exported test case cannot run: {e}",
                script.path.display()
            ));
        }
    }
    let problems = testcase::emit::service_problems(&testcase::emit::create_request(&case));
    if let Some(p) = problems.first() {
        return Err(format!(
            "{}: the export would be rejected by the service: {p}",
            script.path.display()
        ));
    }
    Ok(case)
}

/// The first line the native language cannot express.
fn refuse_unexpressible(script: &Script) -> Result<(), (usize, String)> {
    for l in &script.lines {
        let why = match &l.directive {
            Directive::ExpectNo(m) => Some(format!(
                "`expect no {m}`: the testing language has no way to expect a prompt not to be said"
            )),
            Directive::Wait(_) => Some("`wait`: the testing language cannot let time pass".into()),
            Directive::Hold(_) => Some("`hold`: the testing language cannot put a call on hold".into()),
            Directive::Env(EnvSetting::Channel(c)) if c.eq_ignore_ascii_case("voice") || c.eq_ignore_ascii_case("chat") => None,
            Directive::Env(_) => Some(
                "this environment setting has no override in the testing language (only hours, queue capacity and Lambda answers do)".into(),
            ),
            Directive::Lambda(m) => match &m.spec {
                BackendSpec::Json(_) | BackendSpec::Error | BackendSpec::Timeout | BackendSpec::Builtin(_) => None,
                other => Some(format!(
                    "`lambda {} = {other:?}`: only json:, error, timeout and builtin answers become MockResponse overrides",
                    m.pattern
                )),
            },
            Directive::ExpectEnd(EndExpect::Budget | EndExpect::Stopped) => {
                Some("this end has no event in the testing language".into())
            }
            _ => None,
        };
        if let Some(w) = why {
            return Err((l.number, w));
        }
    }
    Ok(())
}

struct Builder<'a> {
    events: &'a [TraceEvent],
    /// Chained observations, in order; the first is TestInitiated.
    chain: Vec<Observation>,
    /// Open observations (armed from the start), after the chain.
    open: Vec<Observation>,
    /// The trace index of the prompt the last chained observation matches.
    last_prompt: Option<usize>,
    /// Asserts for the next observation.
    pending: Vec<Action>,
    /// An input was given (or a silence) since the last observation.
    needs_anchor: bool,
    /// Trace position after the previous input.
    pos: usize,
    /// Where the next `expect` scans from: (event index, offset in its text).
    cursor: (usize, usize),
}

fn build(
    script: &Script,
    flows: &FlowSet,
    events: &[TraceEvent],
    opts: &ExportOptions,
) -> Result<TestCase, (usize, String)> {
    let mut entry = EntryPoint {
        flow_id: Some(
            opts.flow_id
                .clone()
                .unwrap_or_else(|| flows.main.name.clone()),
        ),
        ..EntryPoint::default()
    };
    let mut init = InitData::default();
    let mut start_actions = Vec::new();
    let mut hours = opts.hours.map(|h| (0, h));
    let mut lambdas: IndexMap<String, (usize, Vec<BackendSpec>)> = IndexMap::new();
    for l in &script.lines {
        match &l.directive {
            Directive::Caller(n) => entry.source = Some(n.clone()),
            // A dialled number names the flow (the live service rejects a FlowId
            // beside a DestinationPhoneNumber); the caller is then required.
            Directive::Dialed(n) => entry.destination = Some(n.clone()),
            Directive::Attribute(k, v) => {
                init.attributes.insert(k.clone(), v.clone());
            }
            Directive::Hours(open) => hours = Some((l.number, *open)),
            Directive::Env(EnvSetting::Channel(c)) => entry.chat = c.eq_ignore_ascii_case("chat"),
            Directive::Lambda(m) => lambdas
                .entry(m.pattern.clone())
                .or_insert((l.number, Vec::new()))
                .1
                .push(m.spec.clone()),
            _ => {}
        }
    }
    if entry.destination.is_some() {
        entry.flow_id = None;
        entry
            .source
            .get_or_insert_with(|| crate::engine::CallConfig::default().caller);
    }
    let all_flows: Vec<&crate::flow::Flow> = std::iter::once(&*flows.main)
        .chain(flows.others.iter().map(|f| &**f))
        .collect();
    if let Some((line, open)) = hours {
        let ids: Vec<String> = all_flows
            .iter()
            .flat_map(|f| f.blocks.iter())
            .filter_map(|b| match &b.kind {
                Kind::CheckHoursOfOperation { hours } => Some(hours.clone().unwrap_or_default()),
                _ => None,
            })
            .collect();
        if ids.is_empty() {
            return Err((
                line,
                "`hours`: the flow checks no hours of operation, so there is nothing to override"
                    .into(),
            ));
        }
        let mut seen = Vec::new();
        for id in ids {
            if seen.contains(&id) {
                continue;
            }
            start_actions.push(Action {
                id: format!("hours-{}", seen.len() + 1),
                kind: ActionKind::Override {
                    target: FlowAction::Hours(id.clone()),
                    strategy: Strategy::Result {
                        delay_secs: 0.0,
                        loaded_data: None,
                        value: Some(if open { "InHours" } else { "OutOfHours" }.into()),
                    },
                },
            });
            seen.push(id);
        }
    }
    for (pattern, (line, specs)) in &lambdas {
        let invoked: Vec<&str> = events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::LambdaInvoked { function, .. }
                    if function == pattern || glob_match(pattern, function) =>
                {
                    Some(function.as_str())
                }
                _ => None,
            })
            .collect();
        for (i, function) in invoked.iter().enumerate() {
            let spec = &specs[i.min(specs.len() - 1)];
            let arn = lambda_arn(&all_flows, function);
            let strategy = match spec {
                BackendSpec::Json(j) => Strategy::Result {
                    delay_secs: 0.0,
                    loaded_data: Some(j.clone()),
                    value: None,
                },
                BackendSpec::Error => Strategy::Error {
                    value: "NoMatchingError".into(),
                    delay_secs: 0.0,
                },
                BackendSpec::Timeout => Strategy::Error {
                    value: "TimeLimitExceeded".into(),
                    delay_secs: 0.0,
                },
                BackendSpec::Builtin(_) if specs.len() == 1 => continue,
                _ => {
                    return Err((
                        *line,
                        "a built-in answer in a sequence of answers cannot be mocked".into(),
                    ));
                }
            };
            start_actions.push(Action {
                id: format!("mock-line-{line}-{}", i + 1),
                kind: ActionKind::Override {
                    target: FlowAction::Lambda(arn),
                    strategy,
                },
            });
        }
    }
    let mut b = Builder {
        events,
        chain: vec![Observation {
            id: "start".into(),
            event: Event {
                id: "start-event".into(),
                kind: EventKind::TestInitiated,
            },
            actions: start_actions,
            usage: Usage::Exactly(1),
            next: Vec::new(),
        }],
        open: Vec::new(),
        last_prompt: None,
        pending: Vec::new(),
        needs_anchor: false,
        pos: 0,
        cursor: (0, 0),
    };
    for l in &script.lines {
        b.line(l.number, &l.directive, &all_flows)?;
    }
    if !b.pending.is_empty() {
        b.push_chain(
            format!("line-{}-end", script.lines.last().map_or(0, |l| l.number)),
            EventKind::TestCompleted,
            None,
        );
    }
    // Link the chain.
    let ids: Vec<String> = b.chain.iter().map(|o| o.id.clone()).collect();
    for (i, o) in b.chain.iter_mut().enumerate() {
        o.next = ids.get(i + 1).cloned().into_iter().collect();
    }
    let mut observations = b.chain;
    observations.extend(b.open);
    let name = script
        .path
        .file_stem()
        .map_or("test".into(), |s| s.to_string_lossy().into_owned());
    Ok(TestCase {
        name,
        description: Some(format!(
            "Exported by flowsim from {}",
            script.path.display()
        )),
        entry,
        init,
        doc: Document {
            version: testcase::VERSION.into(),
            metadata: serde_json::json!({}),
            observations,
        },
    })
}

/// The ARN the flow names for `function` (else the name).
fn lambda_arn(flows: &[&crate::flow::Flow], function: &str) -> String {
    flows
        .iter()
        .flat_map(|f| f.blocks.iter())
        .find_map(|b| match &b.kind {
            Kind::InvokeLambdaFunction { arn, .. } if function_name(arn) == function => {
                Some(arn.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| function.to_owned())
}

impl Builder<'_> {
    fn push_chain(&mut self, id: String, kind: EventKind, prompt: Option<usize>) {
        let actions = std::mem::take(&mut self.pending);
        self.chain.push(Observation {
            event: Event {
                id: format!("{id}-event"),
                kind,
            },
            id,
            actions,
            usage: Usage::Exactly(1),
            next: Vec::new(),
        });
        self.last_prompt = prompt;
        self.needs_anchor = false;
    }

    fn message(text: String) -> EventKind {
        EventKind::MessageReceived {
            expected: Expected::Text(text),
            criteria: Criteria::Inclusion,
            threshold: None,
        }
    }

    fn prompt_text(&self, i: usize) -> &str {
        match &self.events[i].kind {
            TraceKind::Prompt { text, .. } => text,
            _ => "",
        }
    }

    fn line(
        &mut self,
        n: usize,
        d: &Directive,
        flows: &[&crate::flow::Flow],
    ) -> Result<(), (usize, String)> {
        match d {
            Directive::Expect(m) => {
                let (from, offset) = self.cursor;
                let hit = self
                    .events
                    .iter()
                    .enumerate()
                    .skip(from)
                    .find_map(|(i, e)| match &e.kind {
                        TraceKind::Prompt { text, .. } => m
                            .find_from(text, if i == from { offset } else { 0 })
                            .map(|end| (i, end)),
                        _ => None,
                    });
                let Some((i, end)) = hit else {
                    return Err((
                        n,
                        format!("`expect {m}`: not found in the script's own run"),
                    ));
                };
                let shown = m.to_string();
                let literal = shown
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .map(|s| s.replace("\\\"", "\"").replace("\\\\", "\\"));
                self.expect_prompt(n, i, end, literal);
            }
            Directive::Press(keys) => {
                let at = self.find_input(|k| matches!(k, TraceKind::Key { .. }));
                self.input(n, at, ActionKind::Dtmf(keys.clone()))?;
                // The other keys of the sequence.
                let mut left = keys.chars().count().saturating_sub(1);
                while left > 0 && self.pos < self.events.len() {
                    if matches!(self.events[self.pos].kind, TraceKind::Key { .. }) {
                        left -= 1;
                    }
                    self.pos += 1;
                }
            }
            Directive::Say(text) => {
                let at = self.find_input(|k| matches!(k, TraceKind::Utterance { .. }));
                self.input(
                    n,
                    at,
                    ActionKind::Utterance {
                        text: text.clone(),
                        language: Some("en-US".into()),
                    },
                )?;
            }
            Directive::Hangup => {
                let at = self.find_input(|k| matches!(k, TraceKind::Ended { .. }));
                self.input(n, at, ActionKind::Disconnect)?;
            }
            Directive::Silence => {
                let at = self.find_input(|k| matches!(k, TraceKind::Silence));
                self.pos = at + 1;
                self.cursor = (self.pos, 0);
                self.needs_anchor = true;
            }
            Directive::ExpectAttribute(k, v) => self.assert(n, format!("$.Attributes.{k}"), v),
            Directive::ExpectExternal(k, v) => self.assert(n, format!("$.External.{k}"), v),
            Directive::ExpectValue(p, v) => self.assert(n, p.clone(), v),
            Directive::ExpectLambda(name) => {
                let arn = lambda_arn(flows, name);
                self.open_action(n, FlowAction::Lambda(arn));
            }
            Directive::ExpectBlock(name) => {
                let block = flows
                    .iter()
                    .find_map(|f| f.find_block(name).map(|i| &f.blocks[i]));
                let Some(block) = block else {
                    return Err((n, format!("`expect block \"{name}\"`: no such block")));
                };
                let action = match &block.kind {
                    Kind::InvokeLambdaFunction { arn, .. } => Some(FlowAction::Lambda(arn.clone())),
                    Kind::CheckHoursOfOperation { hours } => {
                        Some(FlowAction::Hours(hours.clone().unwrap_or_default()))
                    }
                    Kind::ConnectParticipantWithLexBot { bot, .. } => {
                        Some(FlowAction::LexBot(bot.clone()))
                    }
                    Kind::TransferContactToQueue => Some(FlowAction::Queue {
                        queue: String::new(),
                        agent: None,
                    }),
                    _ => None,
                };
                match action {
                    Some(a) => self.open_action(n, a),
                    None => {
                        // A block that speaks: observe its prompt, as `expect "…"` would.
                        let said = self.events.iter().enumerate().skip(self.cursor.0).find_map(
                            |(i, e)| match &e.kind {
                                TraceKind::Prompt { block: b, .. } if b.id == block.id => {
                                    Some((i, 0))
                                }
                                _ => None,
                            },
                        );
                        let Some((i, end)) = said else {
                            return Err((
                                n,
                                format!(
                                    "`expect block \"{name}\"`: a {} block is not observable in the testing language, and it says nothing",
                                    block.type_name
                                ),
                            ));
                        };
                        self.expect_prompt(n, i, end, None);
                    }
                }
            }
            Directive::ExpectEnd(end) => {
                if let EndExpect::Queue(q) = end {
                    self.open_action(
                        n,
                        FlowAction::Queue {
                            queue: q.clone().unwrap_or_default(),
                            agent: None,
                        },
                    );
                }
                self.push_chain(format!("line-{n}"), EventKind::TestCompleted, None);
            }
            _ => {}
        }
        Ok(())
    }

    /// An expectation met by the prompt at trace index `i` (up to `end` of its
    /// text): a new observation of `literal` (else the whole prompt), or, when the
    /// observation before matches the same prompt, that one widened to all of it.
    fn expect_prompt(&mut self, n: usize, i: usize, end: usize, literal: Option<String>) {
        self.cursor = (i, end);
        if self.last_prompt == Some(i) && !self.needs_anchor {
            let whole = matcher::plain(self.prompt_text(i));
            if let Some(o) = self.chain.last_mut() {
                o.event.kind = Self::message(whole);
            }
            return;
        }
        let text = match literal {
            Some(t) if !matcher::plain(&t).is_empty() => matcher::plain(&t),
            _ => matcher::plain(self.prompt_text(i)),
        };
        self.push_chain(format!("line-{n}"), Self::message(text), Some(i));
    }

    fn open_action(&mut self, n: usize, a: FlowAction) {
        self.open.push(Observation {
            id: format!("line-{n}"),
            event: Event {
                id: format!("line-{n}-event"),
                kind: EventKind::FlowActionStarted(a),
            },
            actions: Vec::new(),
            usage: Usage::Exactly(1),
            next: Vec::new(),
        });
    }

    fn assert(&mut self, n: usize, path: String, want: &str) {
        self.pending.push(Action {
            id: format!("line-{n}-assert"),
            kind: ActionKind::Assert {
                path,
                op: testcase::Operator::Equals,
                operand: Some(want.to_owned()),
            },
        });
    }

    /// The trace index of the next input event of the kind from the position.
    fn find_input(&self, is: impl Fn(&TraceKind) -> bool) -> usize {
        self.events
            .iter()
            .enumerate()
            .skip(self.pos)
            .find(|(_, e)| is(&e.kind))
            .map_or(self.events.len(), |(i, _)| i)
    }

    /// An instruction given at trace index `at`: on the observation before it, or
    /// on one of the prompt said just before it when the last observation already
    /// gave an input.
    fn input(&mut self, n: usize, at: usize, kind: ActionKind) -> Result<(), (usize, String)> {
        let last_prompt_before = (self.pos..at.min(self.events.len()))
            .rev()
            .find(|&i| matches!(self.events[i].kind, TraceKind::Prompt { .. }));
        if self.needs_anchor || self.chain.len() == 1 && !self.chain_has_input() {
            match last_prompt_before {
                Some(p) if self.last_prompt != Some(p) => {
                    let text = matcher::plain(self.prompt_text(p));
                    self.push_chain(format!("line-{n}-prompt"), Self::message(text), Some(p));
                }
                Some(_) => {}
                None if self.needs_anchor && self.chain.len() > 1 => {
                    return Err((n, "this input follows another input (or a silence) with no prompt between: the testing language has no event to give it on".into()));
                }
                None => {}
            }
        }
        let id = format!("line-{n}-input");
        if let Some(o) = self.chain.last_mut() {
            o.actions.push(Action { id, kind });
        }
        self.pos = (at + 1).min(self.events.len());
        self.cursor = (self.pos, 0);
        self.needs_anchor = true;
        Ok(())
    }

    fn chain_has_input(&self) -> bool {
        self.chain[0].actions.iter().any(|a| {
            matches!(
                a.kind,
                ActionKind::Dtmf(_) | ActionKind::Utterance { .. } | ActionKind::Disconnect
            )
        })
    }
}

/// Write `case` as `DIR/NAME.json` (a `CreateTestCase` body), atomically.
pub fn write(case: &TestCase, dir: &Path) -> Result<std::path::PathBuf, crate::script::WriteError> {
    let path = dir.join(format!("{}.json", case.name));
    let body = testcase::emit::create_request(case);
    let text = serde_json::to_string_pretty(&body).unwrap_or_default() + "\n";
    crate::script::write_atomic(&path, &text)?;
    Ok(path)
}
