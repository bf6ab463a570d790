//! Recordings: a finished call's trace written as a `.call` script that replays it.
//!
//! A recording holds the `flow` (relative to the recording when possible), the
//! `caller` (and `dialed`, `hours`, `attribute` when not the defaults), every Lambda
//! answer captured during the call as `lambda NAME = …` lines (so a call made against
//! a live function replays offline), every key and silence in order, an `expect`
//! for every prompt, and the final `expect end`. A key (or hangup) given at an input
//! block whose own prompt says nothing, after another block's prompt, gets an
//! `expect block` for that block first: a replay stands at the last prompt it
//! expected, and a key given there, during a Play prompt, is dropped.
//!
//! A function that answered several times with different answers gets one `lambda`
//! line per answer: repeated `lambda` lines for one name answer in turn, the last
//! one repeating. Failures are written as `error` (function error, refused or
//! unreadable payload) or `timeout` (no answer within the time limit).

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use crate::engine::{CallConfig, DEFAULT_DIALED, EndReason, SimTime, TraceEvent, TraceKind};

use super::parse::{EndExpect, escape, fold};

/// What the trace does not say about a call.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordOptions<'a> {
    /// The flow file; `None` for the built-in flow (a script without `flow` runs it).
    pub flow_path: Option<&'a Path>,
    /// Where the recording goes, so `flow` can be written relative to it.
    pub recording_path: Option<&'a Path>,
    /// The call's settings: `hours closed` and initial attributes are written from it.
    pub config: Option<&'a CallConfig>,
}

/// The `.call` text that replays a finished call.
pub fn recording_from_trace(opts: &RecordOptions<'_>, events: &[TraceEvent]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# Recorded by flowsim {}. Replay: flowsim test FILE (--update rewrites the expects).\n",
        env!("CARGO_PKG_VERSION")
    ));
    match opts.flow_path {
        Some(p) => {
            let shown = match opts.recording_path.and_then(Path::parent) {
                Some(dir) => relative_path(dir, p),
                None => p.to_path_buf(),
            };
            out.push_str(&format!("flow {}\n", shown.display()));
        }
        None => out
            .push_str("# flow: the built-in vanity flow (no `flow` line: flowsim test runs it)\n"),
    }
    for e in events {
        if let TraceKind::CallStarted { caller, dialed, .. } = &e.kind {
            out.push_str(&format!("caller {caller}\n"));
            if dialed != DEFAULT_DIALED {
                out.push_str(&format!("dialed {dialed}\n"));
            }
        }
    }
    if let Some(c) = opts.config {
        if !c.hours_open {
            out.push_str("hours closed\n");
        }
        for (k, v) in &c.attributes {
            out.push_str(&format!("attribute {k} = \"{}\"\n", escape(v)));
        }
        out.push_str(&environment_lines(&c.env));
    }
    for (function, answers) in lambda_answers(events) {
        // A name with spaces (a placeholder ARN) as a pattern that matches it.
        let function = function.split_whitespace().collect::<Vec<_>>().join("*");
        let same = answers.iter().all(|a| *a == answers[0]);
        if same {
            out.push_str(&format!("lambda {function} = {}\n", answers[0]));
        } else {
            out.push_str(&format!(
                "# {function} answered {} times: the lines below answer in turn\n",
                answers.len()
            ));
            for a in &answers {
                out.push_str(&format!("lambda {function} = {a}\n"));
            }
        }
    }
    out.push('\n');
    body(events, &mut out);
    out
}

/// Every function's answers, in order of first invocation.
fn lambda_answers(events: &[TraceEvent]) -> Vec<(String, Vec<String>)> {
    let mut functions: Vec<(u64, String)> = Vec::new();
    let mut no_answer: Vec<u64> = Vec::new();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for e in events {
        match &e.kind {
            TraceKind::LambdaInvoked { call, function, .. } => {
                functions.push((*call, function.clone()));
            }
            TraceKind::LambdaBackend { call, outcome, .. } if outcome.starts_with("no answer") => {
                no_answer.push(*call);
            }
            // A failed attempt that Connect retried: its answer, in turn.
            TraceKind::LambdaRetry { call, error, .. } => {
                let Some((_, function)) = functions.iter().find(|(c, _)| c == call) else {
                    continue;
                };
                let answer = if error.starts_with("invocation failed") {
                    "throttle"
                } else {
                    "error"
                };
                match out.iter_mut().find(|(f, _)| f == function) {
                    Some((_, v)) => v.push(answer.to_owned()),
                    None => out.push((function.clone(), vec![answer.to_owned()])),
                }
            }
            TraceKind::LambdaResult {
                call,
                ok,
                response,
                raw,
                detail,
                ..
            } => {
                let Some((_, function)) = functions.iter().find(|(c, _)| c == call) else {
                    continue;
                };
                let answer = if no_answer.contains(call) || detail.starts_with("no answer") {
                    "timeout".to_owned()
                } else if let (true, Some(v)) = (*ok, response) {
                    format!("json:{}", compact(v))
                } else if let Some(v) = raw
                    .as_deref()
                    .and_then(|r| serde_json::from_str::<Value>(r).ok())
                {
                    format!("json:{}", compact(&v))
                } else {
                    "error".to_owned()
                };
                match out.iter_mut().find(|(f, _)| f == function) {
                    Some((_, v)) => v.push(answer),
                    None => out.push((function.clone(), vec![answer])),
                }
            }
            _ => {}
        }
    }
    out
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "{}".into())
}

/// Keys, silences, expects and the end, in call order.
fn body(events: &[TraceEvent], out: &mut String) {
    let mut keys = String::new();
    // The block waiting for input, whether an input answered it, and when.
    let mut waiting: Option<String> = None;
    let mut answered = false;
    let mut last_input_at = None;
    // When the block waiting asked for input.
    let mut requested_at = None;
    // The block of the prompt the last `expect` line since the last input or `wait`
    // matched: the replay stands at that prompt, and a `press` or `hangup` after it is
    // given while it plays (a key during a Play prompt is dropped). An input given at
    // a later block's wait, that block's prompt unexpected (silent, an SSML break),
    // first needs an `expect block` to bring the replay there.
    let mut stands_at: Option<String> = None;
    // When each Lambda call was invoked, by call id.
    let mut invoked: Vec<(u64, SimTime)> = Vec::new();
    // Waiting in queue: the time the replay stands at (time in queue passes only
    // with `wait`, so each later prompt or input there comes after one).
    let mut queue_clock: Option<SimTime> = None;
    let flush = |keys: &mut String, stands_at: &mut Option<String>, out: &mut String| {
        if !keys.is_empty() {
            out.push_str(&format!("press {keys}\n"));
            keys.clear();
            *stands_at = None;
        }
    };
    // On hold: when the hold ends. A prompt said at that very moment (before the
    // hold was taken off by hand) is not replayed: the replayed hold ends first.
    let mut hold_end: Option<SimTime> = None;
    // The last prompt or input the replay matches (where it stands), and whether one
    // came since the call joined the queue.
    let mut synced_at = None;
    let mut synced_in_queue = false;
    for (i, e) in events.iter().enumerate() {
        // Hanging up in queue with nothing said there (a chat contact, a silent
        // queue flow): the replay stands at the last prompt or input before the
        // queue and must first get there.
        if let TraceKind::Ended {
            reason: EndReason::Abandoned { .. },
        } = &e.kind
            && queue_clock.is_some()
            && !synced_in_queue
        {
            let mut from = synced_at;
            pass_time(&mut from, e.at, &mut keys, &mut stands_at, out);
            queue_clock = Some(e.at);
        }
        let synchronises = matches!(
            e.kind,
            TraceKind::Prompt { .. }
                | TraceKind::Key { .. }
                | TraceKind::Silence
                | TraceKind::Utterance { .. }
        );
        if synchronises {
            synced_at = Some(e.at);
            synced_in_queue = queue_clock.is_some();
        }
        if matches!(e.kind, TraceKind::Silence) {
            // The silence itself takes the input's time (a replayed `silence` runs to
            // the input's timeout): the wait goes up to the request only.
            silence_in_queue(
                &mut queue_clock,
                requested_at,
                e.at,
                &mut keys,
                &mut stands_at,
                out,
            );
        } else if synchronises
            // The wait up to the answer: what comes after (whispers, holds) runs by
            // itself, the answer does not.
            || matches!(e.kind, TraceKind::Ended { .. } | TraceKind::AgentAnswered { .. })
        {
            pass_time(&mut queue_clock, e.at, &mut keys, &mut stands_at, out);
        }
        match &e.kind {
            TraceKind::QueueEntered { .. } => queue_clock = Some(e.at),
            TraceKind::LambdaInvoked { call, .. } => invoked.push((*call, e.at)),
            // A function that never answers holds the call to its time limit in a
            // replay too: that time passes without a `wait` (the time up to the
            // invocation, a prompt playing in queue, does not).
            TraceKind::LambdaResult { call, detail, .. } if detail.starts_with("no answer") => {
                if let Some(&(_, at)) = invoked.iter().find(|(c, _)| c == call) {
                    pass_time(&mut queue_clock, at, &mut keys, &mut stands_at, out);
                }
                if let Some(c) = queue_clock.as_mut() {
                    *c = (*c).max(e.at);
                }
            }
            TraceKind::AgentAnswered { .. } => queue_clock = None,
            TraceKind::HoldStarted { for_ms, .. } => {
                flush(&mut keys, &mut stands_at, out);
                // As long as it lasted (taken off hold in the TUI, or a hangup).
                let held = events[i..].iter().find_map(|e| match e.kind {
                    TraceKind::HoldEnded { held_ms, .. } => Some(held_ms),
                    _ => None,
                });
                hold_end = held.map(|ms| e.at.plus(std::time::Duration::from_millis(ms)));
                if let Some(ms) = held.or(*for_ms).filter(|ms| *ms > 0) {
                    if ms.is_multiple_of(1000) {
                        out.push_str(&format!("hold {}s\n", ms / 1000));
                    } else {
                        out.push_str(&format!("hold {ms}ms\n"));
                    }
                }
            }
            TraceKind::Prompt { .. } if hold_end == Some(e.at) => {}
            TraceKind::HoldEnded { .. } => hold_end = None,
            TraceKind::Prompt { text, block, .. } => {
                flush(&mut keys, &mut stands_at, out);
                let t = fold(text);
                if !t.is_empty() {
                    out.push_str(&format!("expect \"{}\"\n", escape(&t)));
                    stands_at = Some(block.id.clone());
                }
            }
            TraceKind::InputRequested { block, .. } => {
                flush(&mut keys, &mut stands_at, out);
                waiting = Some(block.id.clone());
                requested_at = Some(e.at);
                answered = false;
            }
            TraceKind::Key { key } => {
                if keys.is_empty() {
                    go_to_wait(&waiting, &mut stands_at, out);
                }
                // An encrypted input's digits are masked in the trace: the recording
                // replays them as 0s (docs/semantics.md, "Encrypted input").
                keys.push(if *key == crate::engine::MASKED_KEY {
                    '0'
                } else {
                    *key
                });
                answered = true;
                last_input_at = Some(e.at);
            }
            TraceKind::Silence => {
                flush(&mut keys, &mut stands_at, out);
                out.push_str("silence\n");
                stands_at = None;
                answered = true;
                last_input_at = Some(e.at);
            }
            TraceKind::Utterance { text } => {
                flush(&mut keys, &mut stands_at, out);
                out.push_str(&format!("say \"{}\"\n", escape(text)));
                stands_at = None;
                answered = true;
                last_input_at = Some(e.at);
            }
            TraceKind::BranchTaken { block, .. } if waiting.as_deref() == Some(&block.id) => {
                // Left the wait without an input at this moment: it timed out.
                let timed_out = !answered || last_input_at.is_some_and(|t| e.at > t);
                flush(&mut keys, &mut stands_at, out);
                if timed_out {
                    silence_in_queue(
                        &mut queue_clock,
                        requested_at,
                        e.at,
                        &mut keys,
                        &mut stands_at,
                        out,
                    );
                    out.push_str("silence\n");
                    stands_at = None;
                }
                waiting = None;
            }
            TraceKind::Ended { reason } => {
                flush(&mut keys, &mut stands_at, out);
                if matches!(reason, EndReason::Hangup | EndReason::Abandoned { .. }) {
                    go_to_wait(&waiting, &mut stands_at, out);
                    out.push_str("hangup\n");
                }
                out.push_str(&format!("expect end {}\n", end_expect(reason)));
            }
            // Not input, not said: nothing for the script (the branch the call took
            // follows from the inputs and the environment written above).
            TraceKind::BranchTaken { .. }
            | TraceKind::CallStarted { .. }
            | TraceKind::BlockStarted { .. }
            | TraceKind::InputStored { .. }
            | TraceKind::AttributeSet { .. }
            | TraceKind::ContactUpdated { .. }
            | TraceKind::LambdaBackend { .. }
            | TraceKind::LambdaLog { .. }
            | TraceKind::LambdaResult { .. }
            | TraceKind::LambdaRetry { .. }
            | TraceKind::FlowChanged { .. }
            | TraceKind::Warning { .. }
            | TraceKind::LexRecognized { .. }
            | TraceKind::EnvironmentDefault { .. }
            | TraceKind::KeyBuffered { .. }
            | TraceKind::KeyUsed { .. }
            | TraceKind::KeyDropped { .. } => {}
        }
    }
    flush(&mut keys, &mut stands_at, out);
}

/// Waiting in queue (`clock`, where the replay stands), time up to `at` passes with a
/// `wait` line (keys typed before it are pressed first).
fn pass_time(
    clock: &mut Option<SimTime>,
    at: SimTime,
    keys: &mut String,
    stands_at: &mut Option<String>,
    out: &mut String,
) {
    if let Some(c) = clock
        && at > *c
    {
        if !keys.is_empty() {
            out.push_str(&format!("press {keys}\n"));
            keys.clear();
        }
        // After a `wait` the replay no longer stands at the prompt it expected.
        *stands_at = None;
        let ms = at.since(*c).as_millis();
        if ms.is_multiple_of(1000) {
            out.push_str(&format!("wait {}s\n", ms / 1000));
        } else {
            out.push_str(&format!("wait {ms}ms\n"));
        }
        *c = at;
    }
}

/// A silence at `at` in queue, the input requested at `requested`: the time up to the
/// request passes with a `wait`, the rest (the input's timeout) with the replayed
/// `silence` itself.
fn silence_in_queue(
    clock: &mut Option<SimTime>,
    requested: Option<SimTime>,
    at: SimTime,
    keys: &mut String,
    stands_at: &mut Option<String>,
    out: &mut String,
) {
    if let Some(r) = requested {
        pass_time(clock, r.min(at), keys, stands_at, out);
    }
    if let Some(c) = clock.as_mut() {
        *c = (*c).max(at);
    }
}

/// A key or hangup given at `waiting`'s wait, the replay standing at an earlier
/// block's prompt: `expect block` first brings it to the wait (else the input would
/// be given during that prompt, and a key there is dropped).
fn go_to_wait(waiting: &Option<String>, stands_at: &mut Option<String>, out: &mut String) {
    if let (Some(w), Some(at)) = (waiting, stands_at.as_ref())
        && w != at
    {
        out.push_str(&format!("expect block \"{}\"\n", escape(w)));
        *stands_at = Some(w.clone());
    }
}

/// The `expect end` matching a reason.
pub fn end_expect(reason: &EndReason) -> EndExpect {
    match reason {
        EndReason::Disconnected { .. } => EndExpect::Disconnected,
        EndReason::Hangup => EndExpect::Hangup,
        EndReason::Queued { queue } => EndExpect::Queue(Some(queue.clone())),
        EndReason::Agent { queue, .. } => EndExpect::Agent(Some(queue.clone())),
        EndReason::Abandoned { queue, .. } => EndExpect::Abandoned(Some(queue.clone())),
        EndReason::Callback { queue, .. } => EndExpect::Callback(Some(queue.clone())),
        EndReason::Ended { .. } => EndExpect::Ended,
        EndReason::Budget { .. } => EndExpect::Budget,
        EndReason::Stopped { .. } => EndExpect::Stopped,
    }
}

/// `to` relative to the folder `from` when both resolve, else `to` as given.
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let (Ok(from), Ok(to_abs)) = (absolute(from), absolute(to)) else {
        return to.to_path_buf();
    };
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to_abs.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Only the root in common: an absolute path says more than a run of `..`.
    if common <= 1 {
        return to_abs;
    }
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c.as_os_str());
    }
    out
}

fn absolute(p: &Path) -> std::io::Result<PathBuf> {
    let p = if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    };
    std::fs::canonicalize(p)
}

/// A file that could not be written: one line naming it.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: already exists (use --force to overwrite)", .0.display())]
    Exists(PathBuf),
    #[error("{}: cannot write: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Write a new file atomically (a temporary file in the same folder, then a rename).
/// Refuses to replace an existing file unless `force`.
pub fn write_new(path: &Path, text: &str, force: bool) -> Result<(), WriteError> {
    if !force && path.exists() {
        return Err(WriteError::Exists(path.to_path_buf()));
    }
    write_atomic(path, text)
}

/// Replace a file's contents atomically.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), WriteError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "recording.call".into());
    let result = write_temp(dir, &name, text).and_then(|tmp| {
        std::fs::rename(&tmp, path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    });
    result.map_err(|source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Write `text` to a hidden temporary file `.{name}.{pid}.tmp` in `dir`, synced to
/// disk, for the caller to move or link into place: a reader sees the whole file or
/// none. On error nothing is left behind.
pub fn write_temp(dir: &Path, name: &str, text: &str) -> std::io::Result<PathBuf> {
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()
    })();
    match written {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// The environment a call ran in, as `.call` settings, so a recording replays
/// offline with the same outcomes (those it leaves out are defaults, and replay the
/// same way).
fn environment_lines(env: &crate::env::Environment) -> String {
    let mut out = String::new();
    let defaults = crate::env::Queue::default();
    if let Some(c) = &env.channel {
        out.push_str(&format!("channel {}\n", c.to_ascii_lowercase()));
    }
    if let Some(at) = &env.at {
        out.push_str(&format!("at {at}\n"));
    }
    for (name, q) in &env.queues {
        let mut line = format!("queue \"{}\"", escape(name));
        let fields = [
            ("agents_online", q.agents_online, defaults.agents_online),
            (
                "agents_available",
                q.agents_available,
                defaults.agents_available,
            ),
            ("agents_staffed", q.agents_staffed, defaults.agents_staffed),
            ("agents_after_contact_work", q.agents_after_contact_work, 0),
            ("agents_busy", q.agents_busy, 0),
            ("agents_missed", q.agents_missed, 0),
            ("agents_non_productive", q.agents_non_productive, 0),
            ("contacts_in_queue", q.contacts_in_queue, 0),
            ("oldest_contact_age_secs", q.oldest_contact_age_secs, 0),
        ];
        for (k, v, d) in fields {
            if v != d {
                line.push_str(&format!(" {k} {v}"));
            }
        }
        if let Some(e) = q.estimated_wait_secs {
            line.push_str(&format!(" estimated_wait_secs {e}"));
        }
        if q.at_capacity {
            line.push_str(" at_capacity true");
        }
        match q.answer_after {
            Some(crate::env::AnswerAfter::Secs(s)) => line.push_str(&format!(" answer_after {s}")),
            Some(crate::env::AnswerAfter::Word(crate::env::AnswerWord::Never)) => {
                line.push_str(" answer_after never")
            }
            Some(crate::env::AnswerAfter::Word(crate::env::AnswerWord::Ask)) => {
                line.push_str(" answer_after ask")
            }
            None => {}
        }
        if let Some(arn) = &q.arn {
            line.push_str(&format!(" arn {}", word(arn)));
        }
        out.push_str(&line);
        out.push('\n');
    }
    for p in &env.customers {
        let mut line = format!("customer {}", p.phone.as_deref().unwrap_or("\"\""));
        if let Some(id) = &p.profile_id {
            line.push_str(&format!(" ProfileId={id}"));
        }
        for (k, v) in &p.fields {
            line.push_str(&format!(" {k}={v}"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    for (name, v) in &env.views {
        let Some(pairs) = view_pairs(&v.data) else {
            continue;
        };
        let mut line = format!("view \"{}\" action {}", escape(name), word(&v.action));
        for (k, val) in pairs {
            line.push_str(&format!(" {k}={}", word(&val)));
        }
        out.push_str(&line);
        out.push('\n');
    }
    for (pattern, backend) in &env.lex_lines {
        out.push_str(&format!("lex {pattern} = {backend}\n"));
    }
    // Settings with no line form of their own: inline, as the environment file's JSON
    // form on one `env` line. Whatever the lines above leave out goes here, so a new
    // setting cannot be lost from recordings.
    let mut rest = env.clone();
    rest.channel = None;
    rest.at = None;
    rest.queues.clear();
    // Written as `lex` lines above; not part of the file form.
    rest.lex.clear();
    rest.lex_lines.clear();
    rest.bots.clear();
    if rest
        .customers
        .iter()
        .all(|c| c.calculated.is_empty() && c.objects.is_empty())
    {
        rest.customers.clear();
    }
    // Views a `view` line cannot say (numbers, lists, odd keys) go in the JSON.
    rest.views.retain(|_, v| view_pairs(&v.data).is_none());
    if rest != crate::env::Environment::default()
        && let Ok(json) = serde_json::to_string(&rest)
    {
        out.push_str(&format!("env {json}\n"));
    }
    out
}

/// A view's data as a `view` line's `key=value` pairs (`a.b=v` for nested objects), or
/// `None` when a line cannot say it: a value that is not text, an empty object, a key
/// that is empty or holds `.`, `=`, `"`, `#` or white space, a top-level `action`.
fn view_pairs(data: &Value) -> Option<Vec<(String, String)>> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) -> Option<()> {
        match v {
            // A carriage return has no escape in a quoted value.
            Value::String(s) if !prefix.is_empty() && !s.contains('\r') => {
                out.push((prefix.to_owned(), s.clone()))
            }
            Value::Object(m) if !m.is_empty() || prefix.is_empty() => {
                for (k, x) in m {
                    let plain = !k.is_empty()
                        && !k
                            .chars()
                            .any(|c| c.is_whitespace() || matches!(c, '.' | '=' | '"' | '#'));
                    // A top-level `action` would read as the view's action.
                    if !plain || (prefix.is_empty() && k == "action") {
                        return None;
                    }
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, x, out)?;
                }
            }
            _ => return None,
        }
        Some(())
    }
    let mut out = Vec::new();
    walk("", data, &mut out)?;
    Some(out)
}

/// A value as one word of a line: as it is, or quoted when it is empty or holds
/// white space, `"` or `#`.
fn word(s: &str) -> String {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c == '"' || c == '#') {
        format!("\"{}\"", escape(s).replace('\n', "\\n"))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The views a recording writes read back as they were: text with spaces, quotes
    /// and `#` quoted, nested objects as `a.b=v`, anything else in the `env {…}` JSON.
    #[test]
    fn views_read_back_from_their_lines() {
        let mut env = crate::env::Environment::default();
        let cases = [
            serde_json::json!({"actionName": "Start a new claim"}),
            serde_json::json!({"q": "say \"hi\" #1 \\n", "e": "", "multi": "a\nb"}),
            serde_json::json!({"Line_Of_Business": {"0": "Cardiology"}, "LockVersion": "7"}),
            serde_json::json!({"n": 3, "list": ["a"]}),
            serde_json::json!({"a.b": "dotted key"}),
            serde_json::json!({"action": "a value named action"}),
            serde_json::json!({}),
        ];
        for (i, data) in cases.iter().enumerate() {
            env.views.insert(
                format!("view {i}"),
                crate::env::View {
                    action: if i == 1 {
                        "Go on".into()
                    } else {
                        "Submit".into()
                    },
                    data: data.clone(),
                },
            );
        }
        let text = environment_lines(&env);
        assert!(
            text.contains(r#"action Submit actionName="Start a new claim""#),
            "{text}"
        );
        assert!(text.contains("Line_Of_Business.0=Cardiology"), "{text}");
        let script = super::super::parse::parse_script(&text, Path::new("t.call")).unwrap();
        let mut back = crate::env::Environment::default();
        for l in &script.lines {
            if let super::super::parse::Directive::Env(s) = &l.directive {
                s.apply(&mut back).unwrap();
            }
        }
        assert_eq!(back.views, env.views, "{text}");
    }

    #[test]
    fn relative_paths() {
        let here = std::env::current_dir().unwrap();
        let p = relative_path(&here.join("src"), &here.join("Cargo.toml"));
        assert_eq!(p, Path::new("../Cargo.toml"));
    }

    #[test]
    fn write_new_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.call");
        write_new(&p, "one\n", false).unwrap();
        assert!(
            write_new(&p, "two\n", false)
                .unwrap_err()
                .to_string()
                .contains("--force")
        );
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one\n");
        write_new(&p, "two\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two\n");
    }
}
