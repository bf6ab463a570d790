//! A `.call` recording of the call so far (DESIGN §3), and writing it safely.
//!
//! Self-contained so the TUI does not wait on the shared script writer; the two
//! write the same format.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::engine::{TraceEvent, TraceKind};

/// The `.call` text for a call: `caller`, the Lambda answers captured, every key
/// and silence, an `expect` for every prompt, and the final `expect end`.
pub fn recording_text(flow: Option<&str>, caller: &str, events: &[TraceEvent]) -> String {
    let mut head = String::from("# recorded with flowsim tui\n");
    match flow {
        Some(f) => head.push_str(&format!("# flow: {f}\n")),
        None => head.push_str("# flow: the built-in contactflow/Vanity_Numbers.json\n"),
    }
    head.push_str(&format!("caller {caller}\n"));

    let mut lambdas: Vec<(String, String)> = Vec::new();
    let mut body = String::new();
    let mut keys = String::new();
    let flush = |keys: &mut String, body: &mut String| {
        if !keys.is_empty() {
            body.push_str(&format!("press {keys}\n"));
            keys.clear();
        }
    };
    let function_of = |call: u64| {
        events.iter().find_map(|e| match &e.kind {
            TraceKind::LambdaInvoked {
                call: c, function, ..
            } if *c == call => Some(function.clone()),
            _ => None,
        })
    };
    let backend_outcome = |call: u64| {
        events.iter().find_map(|e| match &e.kind {
            TraceKind::LambdaBackend {
                call: c, outcome, ..
            } if *c == call => Some(outcome.clone()),
            _ => None,
        })
    };
    let mut ended = None;
    for e in events {
        match &e.kind {
            TraceKind::Key { key } => keys.push(*key),
            TraceKind::Silence => {
                flush(&mut keys, &mut body);
                body.push_str("silence\n");
            }
            TraceKind::Utterance { text } => {
                flush(&mut keys, &mut body);
                body.push_str(&format!("# said: {text}\n"));
            }
            TraceKind::Prompt { text, .. } => {
                flush(&mut keys, &mut body);
                if let Some(q) = quotable(text) {
                    body.push_str(&format!("expect \"{q}\"\n"));
                }
            }
            TraceKind::LambdaResult {
                call,
                ok,
                response,
                raw,
                ..
            } => {
                let Some(function) = function_of(*call) else {
                    continue;
                };
                let spec = match (ok, response, raw) {
                    (true, Some(r), _) => format!("json:{}", compact(r)),
                    (_, _, Some(raw)) if serde_json::from_str::<Value>(raw).is_ok() => {
                        format!("json:{}", raw.replace('\n', " "))
                    }
                    _ => match backend_outcome(*call) {
                        Some(o) if o.starts_with("no answer") => "timeout".into(),
                        None => "timeout".into(),
                        Some(_) => "error".into(),
                    },
                };
                if !lambdas.iter().any(|(f, _)| *f == function) {
                    lambdas.push((function, spec));
                }
            }
            TraceKind::Ended { reason } => {
                flush(&mut keys, &mut body);
                if matches!(reason, crate::engine::EndReason::Hangup) {
                    body.push_str("hangup\n");
                }
                ended = Some(reason.clone());
            }
            _ => {}
        }
    }
    flush(&mut keys, &mut body);
    for (function, spec) in &lambdas {
        head.push_str(&format!("lambda {function} = {spec}\n"));
    }
    head.push('\n');
    head.push_str(&body);
    if let Some(reason) = ended {
        let arg = match &reason {
            crate::engine::EndReason::Queued { queue } => format!(" \"{queue}\""),
            _ => String::new(),
        };
        head.push_str(&format!("expect end {}{arg}\n", reason.keyword()));
    } else {
        head.push_str("# the call had not ended when it was recorded\n");
    }
    head
}

/// A prompt as an `expect "…"` argument: one line, no double quotes (the longest
/// quote-free stretch when it has some).
fn quotable(text: &str) -> Option<String> {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let best = one_line
        .split('"')
        .map(str::trim)
        .max_by_key(|s| s.len())
        .unwrap_or("");
    (!best.is_empty()).then(|| best.to_owned())
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Write `text` as a new `.call` file in `dir` (created if needed): written to a
/// temporary file, then linked into place under a name that does not exist yet, so
/// an existing recording is never overwritten and no half-written file is seen.
pub fn write_new(dir: &Path, text: &str) -> io::Result<PathBuf> {
    fs::create_dir_all(dir)?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let tmp = dir.join(format!(".flowsim-{}-{stamp}.tmp", std::process::id()));
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    let result = (0..1000)
        .map(|n| {
            let name = if n == 0 {
                format!("call-{stamp}.call")
            } else {
                format!("call-{stamp}-{n}.call")
            };
            dir.join(name)
        })
        .find_map(|path| match fs::hard_link(&tmp, &path) {
            Ok(()) => Some(Ok(path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => None,
            Err(e) => Some(Err(e)),
        })
        .unwrap_or_else(|| Err(io::Error::other("no free recording name")));
    let _ = fs::remove_file(&tmp);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{BlockRef, EndReason, PromptKind, SimTime};

    fn ev(kind: TraceKind) -> TraceEvent {
        TraceEvent {
            at: SimTime::ZERO,
            kind,
        }
    }

    fn block() -> BlockRef {
        BlockRef {
            flow: "f".into(),
            id: "b".into(),
            label: "b".into(),
        }
    }

    fn prompt(text: &str) -> TraceEvent {
        ev(TraceKind::Prompt {
            block: block(),
            text: text.into(),
            kind: PromptKind::Text,
            source: text.into(),
        })
    }

    #[test]
    fn a_call_as_a_script() {
        let events = vec![
            prompt("Press 1 to \"confirm\", please."),
            ev(TraceKind::Key { key: '1' }),
            prompt("Enter the number."),
            ev(TraceKind::Key { key: '5' }),
            ev(TraceKind::Key { key: '#' }),
            ev(TraceKind::LambdaInvoked {
                block: block(),
                call: 1,
                function: "vanity".into(),
                time_limit_ms: 8000,
                response_type: "STRING_MAP".into(),
                request: Value::Null,
            }),
            ev(TraceKind::LambdaResult {
                block: block(),
                call: 1,
                ok: true,
                detail: "ok".into(),
                response: Some(serde_json::json!({"ssmlError": "false"})),
                raw: None,
                duration_ms: 3,
            }),
            prompt("Menu"),
            ev(TraceKind::Silence),
            ev(TraceKind::Ended {
                reason: EndReason::Disconnected { detail: "x".into() },
            }),
        ];
        let text = recording_text(Some("flow.json"), "+13035551234", &events);
        assert_eq!(
            text,
            "# recorded with flowsim tui\n# flow: flow.json\ncaller +13035551234\n\
             lambda vanity = json:{\"ssmlError\":\"false\"}\n\n\
             expect \"Press 1 to\"\npress 1\nexpect \"Enter the number.\"\npress 5#\n\
             expect \"Menu\"\nsilence\nexpect end disconnected\n"
        );
    }

    #[test]
    fn never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_new(dir.path(), "a").unwrap();
        let b = write_new(dir.path(), "b").unwrap();
        assert_ne!(a, b);
        assert_eq!(fs::read_to_string(a).unwrap(), "a");
        assert_eq!(fs::read_to_string(b).unwrap(), "b");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary file left behind");
    }
}
