//! Human-readable lines for trace events (`flowsim run`, test failures).

use crate::engine::{TraceEvent, TraceKind};
use crate::lambda::SDK_DETAIL_HEADER;

/// Where the text of a line starts, after the time and the tag (`λ     `).
const INDENT: &str = "               ";

/// `label` on a line of its own, then `text` indented under it.
fn block(label: &str, text: &str) -> String {
    format!("\n{INDENT}{label}{}", lines_under(text))
}

/// Each line of `text` on a line of its own, indented under the line before.
fn lines_under(text: &str) -> String {
    let mut out = String::new();
    for l in text.lines() {
        out.push('\n');
        out.push_str(INDENT);
        out.push_str("  ");
        out.push_str(l);
    }
    out
}

/// A JSON value, pretty-printed.
fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// How much to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Prompts, keys, Lambda calls, warnings, the end.
    Call,
    /// Also every block, branch and attribute.
    Flow,
}

/// One line for an event, or `None` when the detail level hides it.
pub fn line(event: &TraceEvent, detail: Detail) -> Option<String> {
    let verbose = detail == Detail::Flow;
    let body = match &event.kind {
        TraceKind::CallStarted {
            flow,
            caller,
            dialed,
            ..
        } => format!("CALL  {caller} → {dialed} (flow {flow})"),
        TraceKind::Prompt {
            text, duration_ms, ..
        } if verbose => format!("IVR   {text}  ({} to say)", seconds(*duration_ms)),
        TraceKind::Prompt { text, .. } => format!("IVR   {text}"),
        TraceKind::InputRequested {
            mode, timeout_ms, ..
        } => {
            let what = mode.awaited();
            format!("      (waiting for {what}, {} s)", timeout_ms / 1000)
        }
        TraceKind::Key { key } => format!("KEY   {key}"),
        TraceKind::Silence => "KEY   (silence)".into(),
        TraceKind::KeyDropped { key, reason } => format!("      key {key} dropped: {reason}"),
        TraceKind::KeyBuffered { key, buffer } => {
            format!("      key {key} kept in the touchtone buffer (now \"{buffer}\")")
        }
        TraceKind::KeyUsed { key, .. } => {
            format!("      key {key} taken from the touchtone buffer")
        }
        TraceKind::Utterance { text } => format!("SAY   {text}"),
        TraceKind::InputStored { value, .. } => format!("      stored input: {value}"),
        TraceKind::LambdaInvoked {
            function,
            time_limit_ms,
            response_type,
            request,
            ..
        } if verbose => format!(
            "λ     invoke {function} ({response_type}, limit {} s){}",
            time_limit_ms / 1000,
            block("event sent:", &pretty(request))
        ),
        TraceKind::LambdaBackend {
            function,
            backend,
            duration_ms,
            outcome,
            ..
        } => {
            // The cause of a failed invocation is on the result's line, just after.
            let outcome = if outcome.starts_with("invocation failed: ") {
                "invocation failed"
            } else {
                outcome
            };
            format!("λ     {function} via {backend}: {outcome} ({duration_ms} ms)")
        }
        TraceKind::LambdaLog { function, text, .. } => {
            if let Some(detail) = text.strip_prefix(SDK_DETAIL_HEADER) {
                if !verbose {
                    return None;
                }
                format!(
                    "λ     {function}: the AWS SDK's error in full:{}",
                    lines_under(detail.trim_start_matches('\n'))
                )
            } else if verbose && text.lines().count() > 1 {
                format!("λ     {function} logged:{}", lines_under(text))
            } else {
                let mut lines = text.lines();
                let first = lines.next().unwrap_or("");
                let more = lines.count();
                if more > 0 {
                    format!("λ     {function} logged: {first} (+{more} lines)")
                } else {
                    format!("λ     {function} logged: {first}")
                }
            }
        }
        TraceKind::LambdaResult {
            ok,
            detail,
            response,
            raw,
            ..
        } => {
            let mut line = format!("λ     {} {detail}", if *ok { "✓" } else { "✗" });
            if verbose {
                if let Some(r) = response {
                    line.push_str(&block("response:", &pretty(r)));
                } else if let Some(r) = raw {
                    line.push_str(&block("raw response:", r));
                }
            }
            line
        }
        TraceKind::LambdaRetry {
            attempt,
            error,
            left_ms,
            ..
        } => format!(
            "λ     ✗ attempt {attempt}: {error}; Connect retries ({} left)",
            seconds(*left_ms)
        ),
        TraceKind::Warning { block, message } => match block {
            Some(b) => format!("WARN  [{}] {message}", b.label),
            None => format!("WARN  {message}"),
        },
        TraceKind::LexRecognized {
            utterance,
            intent,
            confidence,
            slots,
            alternatives,
            ..
        } => {
            let mut line = format!("LEX   \"{utterance}\" → {intent} ({confidence:.2})");
            for (k, v) in slots {
                line.push_str(&format!(" {k}={v}"));
            }
            if verbose && !alternatives.is_empty() {
                let alt: Vec<String> = alternatives
                    .iter()
                    .map(|(n, s)| format!("{n} {s:.2}"))
                    .collect();
                line.push_str(&format!("; also {}", alt.join(", ")));
            }
            line
        }
        TraceKind::EnvironmentDefault {
            block,
            setting,
            outcome,
        } => format!("ENV   [{}] {outcome} (default; set {setting})", block.label),
        TraceKind::Ended { reason } => format!("END   {}", reason.describe()),
        TraceKind::FlowChanged { from, to, how } => format!("FLOW  {from} → {to} ({how})"),
        TraceKind::QueueEntered {
            queue,
            position,
            agents_available,
            answer_after_ms,
        } => format!(
            "QUEUE {queue}: position {position}, {agents_available} agent(s) available, {}",
            match answer_after_ms {
                Some(ms) => format!("an agent answers after {}", crate::engine::waited(*ms)),
                None => "no agent answers".into(),
            }
        ),
        TraceKind::AgentAnswered { queue, waited_ms } => format!(
            "AGENT answered in {queue} after {} in queue",
            crate::engine::waited(*waited_ms)
        ),
        TraceKind::HoldStarted { queue, for_ms } => match for_ms {
            Some(ms) => format!(
                "HOLD  the agent in {queue} puts the caller on hold for {}",
                crate::engine::waited(*ms)
            ),
            None => format!("HOLD  the agent in {queue} puts the caller on hold"),
        },
        TraceKind::HoldEnded { queue, held_ms } => format!(
            "HOLD  off hold after {}: back with the agent in {queue}",
            crate::engine::waited(*held_ms)
        ),
        TraceKind::BlockStarted {
            block, type_name, ..
        } if verbose => format!("▸     {} ({type_name})", block.label),
        TraceKind::BranchTaken {
            branch,
            reason,
            target,
            ..
        } if verbose => format!(
            "      ↳ {branch}: {reason} → {}",
            target
                .as_ref()
                .map_or("(end of flow)", |t| t.label.as_str())
        ),
        TraceKind::AttributeSet { scope, key, value } if verbose => {
            format!("SET   $.{}.{key} = \"{value}\"", scope.namespace())
        }
        TraceKind::ContactUpdated { field, value } if verbose => format!("SET   {field} = {value}"),
        // Shown only with -v.
        TraceKind::LambdaInvoked { .. }
        | TraceKind::BlockStarted { .. }
        | TraceKind::BranchTaken { .. }
        | TraceKind::AttributeSet { .. }
        | TraceKind::ContactUpdated { .. } => return None,
    };
    Some(format!("{:>7}  {body}", event.at.to_string()))
}

/// `2.5 s`: a prompt's spoken length.
fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
}
