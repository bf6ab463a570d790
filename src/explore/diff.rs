//! `flowsim diff OLD NEW`: the behavioural difference of two flow versions.
//!
//! Each version is explored; every explored call's decisions (keys, silences,
//! Lambda answers, in the same environment) are replayed against the other version,
//! and the two calls are compared event by event: what each block said, which
//! branch it took and where that branch led, how the call ended. A prompt that says
//! something else is a difference and the comparison goes on (the calls still walk
//! the same blocks); a branch that leads elsewhere, or a block that takes another
//! branch, is a difference where the paths part. Differences are told apart by
//! where they are (flow, block, branch), so one change seen by many calls is
//! printed once, with the transcripts of the first call that shows it.

use std::collections::BTreeMap;

use crate::engine::{Engine, TraceEvent, TraceKind};
use crate::flow::FlowSet;
use crate::transcript::{self, Detail};

use super::walk::{Decision, Point, Walker};
use super::{Call, Explored};

/// One behavioural difference.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Change {
    /// `prompt`, `branch target`, `branch`, `end`, `path`.
    pub kind: &'static str,
    pub flow: String,
    pub block: String,
    /// What it was and what it is now, in words.
    pub old: String,
    pub new: String,
    /// The explored call that shows it, and its transcripts on both versions.
    pub call: String,
    pub old_transcript: Vec<String>,
    pub new_transcript: Vec<String>,
}

/// Run `call`'s decisions against `flows` (the same environment); where the other
/// version asks for a decision of another sort, or for one more, the caller hangs up
/// there. A call the walker cuts at a round of Lambda points goes round it to its end
/// ([`Walker::finish`]), as the explored call's own trace does.
pub fn replay(flows: &FlowSet, explored: &Explored, call: &Call) -> Vec<TraceEvent> {
    let config = explored.variants[call.variant].config.clone();
    let mut w = Walker::new(Engine::new(flows.clone(), config));
    let mut given = call.decisions.iter();
    loop {
        let Some(point) = w.advance() else {
            w.finish();
            break;
        };
        let fits = |d: &Decision| match (&point, d) {
            (Point::Lambda { .. }, Decision::Lambda(_)) => true,
            (Point::Input { .. }, Decision::Lambda(_)) => false,
            (Point::Input { .. }, _) => true,
            (Point::Lambda { .. }, _) => false,
        };
        let d = match given.next() {
            Some(d) if fits(d) => d.clone(),
            // Out of step (or out of decisions): hang up, the rest is the difference.
            _ => break,
        };
        w.apply(&point, d);
    }
    if w.engine().ended().is_none() {
        w.hang_up();
    }
    w.events
}

/// What the comparison looks at.
#[derive(Debug, PartialEq)]
enum Seen<'a> {
    Said {
        flow: &'a str,
        id: &'a str,
        label: &'a str,
        text: &'a str,
    },
    Took {
        flow: &'a str,
        id: &'a str,
        label: &'a str,
        branch: &'a str,
        to: Option<&'a str>,
    },
    End(String),
}

fn seen(events: &[TraceEvent]) -> Vec<Seen<'_>> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Prompt { block, text, .. } => Some(Seen::Said {
                flow: &block.flow,
                id: &block.id,
                label: &block.label,
                text,
            }),
            TraceKind::BranchTaken {
                block,
                branch,
                target,
                ..
            } => Some(Seen::Took {
                flow: &block.flow,
                id: &block.id,
                label: &block.label,
                branch,
                to: target.as_ref().map(|t| t.label.as_str()),
            }),
            TraceKind::Ended { reason } => Some(Seen::End(reason.describe())),
            _ => None,
        })
        .collect()
}

/// The differences between two runs of one call, keyed by where they are.
fn compare(old: &[TraceEvent], new: &[TraceEvent]) -> Vec<(String, Change)> {
    let (a, b) = (seen(old), seen(new));
    let mut out = Vec::new();
    let mut change = |key: String, kind, flow: &str, block: &str, o: String, n: String| {
        out.push((
            key,
            Change {
                kind,
                flow: flow.to_owned(),
                block: block.to_owned(),
                old: o,
                new: n,
                call: String::new(),
                old_transcript: Vec::new(),
                new_transcript: Vec::new(),
            },
        ));
    };
    for (x, y) in a.iter().zip(&b) {
        match (x, y) {
            (x, y) if x == y => {}
            (
                Seen::Said {
                    flow,
                    id,
                    label,
                    text,
                },
                Seen::Said {
                    id: id2, text: t2, ..
                },
            ) if id == id2 => {
                change(
                    format!("prompt {flow} {id}"),
                    "prompt",
                    flow,
                    label,
                    format!("says \"{text}\""),
                    format!("says \"{t2}\""),
                );
            }
            (
                Seen::Took {
                    flow,
                    id,
                    label,
                    branch,
                    to,
                },
                Seen::Took {
                    id: id2,
                    branch: b2,
                    to: to2,
                    ..
                },
            ) if id == id2 => {
                if branch == b2 {
                    change(
                        format!("target {flow} {id} {branch}"),
                        "branch target",
                        flow,
                        label,
                        format!("{branch} → {}", to.unwrap_or("(end)")),
                        format!("{branch} → {}", to2.unwrap_or("(end)")),
                    );
                } else {
                    change(
                        format!("branch {flow} {id} {branch}"),
                        "branch",
                        flow,
                        label,
                        format!("takes {branch}"),
                        format!("takes {b2}"),
                    );
                }
                return out;
            }
            (Seen::End(e1), Seen::End(e2)) => {
                change(
                    format!("end {e1} {e2}"),
                    "end",
                    "",
                    "",
                    e1.clone(),
                    e2.clone(),
                );
                return out;
            }
            (x, y) => {
                let at = |s: &Seen| match s {
                    Seen::Said { flow, label, .. } | Seen::Took { flow, label, .. } => {
                        (flow.to_string(), label.to_string())
                    }
                    Seen::End(_) => (String::new(), "the end".into()),
                };
                let ((flow, block), describe) = (at(x), |s: &Seen| format!("{s:?}"));
                change(
                    format!("path {flow} {block} {:?} {:?}", describe(x), describe(y)),
                    "path",
                    &flow,
                    &block,
                    describe(x),
                    describe(y),
                );
                return out;
            }
        }
    }
    out
}

fn lines(events: &[TraceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| transcript::line(e, Detail::Call))
        .collect()
}

/// Every difference between `old` and `new`, by where it is.
pub fn diff(old: &FlowSet, new: &FlowSet, old_ex: &Explored, new_ex: &Explored) -> Vec<Change> {
    let mut found: BTreeMap<String, Change> = BTreeMap::new();
    // Old calls replayed on the new version, then new calls on the old one.
    for (ex, other, forward) in [(old_ex, new, true), (new_ex, old, false)] {
        for call in &ex.calls {
            let again = replay(other, ex, call);
            let events = ex.events(call);
            let events: &Vec<TraceEvent> = &events;
            let (o, n) = if forward {
                (events, &again)
            } else {
                (&again, events)
            };
            for (key, mut c) in compare(o, n) {
                if found.contains_key(&key) {
                    continue;
                }
                c.call = call.name(&ex.variants, true);
                c.old_transcript = lines(o);
                c.new_transcript = lines(n);
                found.insert(key, c);
            }
        }
    }
    found.into_values().collect()
}

/// The human form: each change, the call that shows it, both transcripts.
pub fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let at = if c.block.is_empty() {
            String::new()
        } else {
            format!(" at {} ({})", c.block, c.flow)
        };
        out.push_str(&format!("changed {}{at}:\n", c.kind));
        out.push_str(&format!("  - {}\n  + {}\n", c.old, c.new));
        out.push_str(&format!("  call {}:\n", c.call));
        for l in similar_lines(&c.old_transcript, &c.new_transcript) {
            out.push_str(&format!("    {l}\n"));
        }
    }
    out.push_str(&format!("{} changed paths\n", changes.len()));
    out
}

/// The two transcripts as one: common lines once, then the differing lines marked
/// `-` (old) and `+` (new).
fn similar_lines(a: &[String], b: &[String]) -> Vec<String> {
    let common = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let mut out: Vec<String> = a[..common].iter().map(|l| format!("  {l}")).collect();
    out.extend(a[common..].iter().map(|l| format!("- {l}")));
    out.extend(b[common..].iter().map(|l| format!("+ {l}")));
    out
}
