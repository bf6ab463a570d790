//! Real flows: the seed flow, the project's own flow, and the shared corpus
//! (`../shared/corpus`, when present): every flow loads, legacy files are refused
//! clearly, and random key walks always end in a documented end state and never
//! take a branch coverage counts as dead.

use std::path::{Path, PathBuf};

use flowsim::engine::{
    CallConfig, Effect, EndReason, Engine, Input, SimTime, Status, TraceKind, dead_branches,
};
use flowsim::flow::{FlowError, FlowSet, load_file};
use flowsim::lambda::LambdaOutcome;

mod common;

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(json_files(&p));
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Flows that must load: the seed, the project's own, and the corpus.
fn all_flows() -> Vec<PathBuf> {
    let mut flows = vec![common::root().join("contactflow/Vanity_Numbers.json")];
    flows.extend(common::seed());
    match common::shared().map(|d| d.join("corpus")) {
        Some(corpus) if corpus.is_dir() => {
            flows.extend(json_files(&corpus.join("flows")));
            flows.extend(json_files(&corpus.join("flows_handwritten")));
        }
        _ => eprintln!("note: ../shared/corpus is absent; walking the seed and project flows only"),
    }
    flows
}

#[test]
fn every_flow_loads_and_validates() {
    let mut failures = Vec::new();
    for f in all_flows() {
        match load_file(&f) {
            Err(e) => failures.push(e.to_string()),
            // Every Type a real export uses is in the action catalogue.
            Ok(flow) => failures.extend(
                flow.blocks
                    .iter()
                    .filter(|b| b.kind.action().is_none())
                    .map(|b| format!("{}: `{}` is not in the catalogue", f.display(), b.type_name)),
            ),
        }
    }
    assert!(
        failures.is_empty(),
        "{} flows failed to load:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn legacy_files_are_refused_with_the_legacy_message() {
    let mut files = common::shared()
        .map(|d| json_files(&d.join("corpus/old_format")))
        .unwrap_or_default();
    // Always check at least one legacy file of our own.
    let tmp = tempfile::tempdir().unwrap();
    let own = tmp.path().join("legacy.json");
    std::fs::write(
        &own,
        r#"{"modules":[{"id":"1","type":"PlayPrompt"}],"version":"1","start":"1"}"#,
    )
    .unwrap();
    files.push(own);
    for f in files {
        let e = load_file(&f).expect_err(&format!("{} should be refused", f.display()));
        assert_eq!(e.error, FlowError::Legacy, "{}: {e}", f.display());
        assert!(e.to_string().contains("legacy export format"), "{e}");
    }
}

/// A branch taken must not be one [`dead_branches`] says no call can take.
fn assert_not_dead(flows: &FlowSet, kind: &TraceKind, seed: u64) {
    let TraceKind::BranchTaken { block, branch, .. } = kind else {
        return;
    };
    // Branches of flowsim's built-in default flows (queue, whisper, hold) are not
    // the corpus's.
    let Some(flow) = std::iter::once(&flows.main)
        .chain(&flows.others)
        .find(|f| f.name == block.flow)
    else {
        return;
    };
    let b = flow.blocks.iter().find(|b| b.id == block.id).unwrap();
    for dead in dead_branches(b) {
        assert_ne!(
            dead.branch.label(),
            *branch,
            "{}: walk {seed} took {} → {branch}, counted dead ({})",
            flow.source,
            block.label,
            dead.reason
        );
    }
}

/// One random walk: keys, digits, silences and hang-ups at input requests;
/// Lambda calls answered well, badly, or not at all.
fn walk(flows: &FlowSet, seed: u64) -> (EndReason, u32) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut config = CallConfig {
        seed,
        hours_open: rng.bool(),
        ..CallConfig::default()
    };
    // Most calls are voice; some walks run as chat and task contacts.
    std::sync::Arc::make_mut(&mut config.env).channel = match rng.u8(0..10) {
        0..=5 => None,
        6..=8 => Some("CHAT".into()),
        _ => Some("TASK".into()),
    };
    let max_steps = config.max_steps;
    let mut engine = Engine::new(flows.clone(), config);
    let mut now = SimTime::ZERO;
    let mut lambdas = Vec::new();
    let collect = |effects: Vec<Effect>, lambdas: &mut Vec<u64>| {
        for e in effects {
            match e {
                Effect::InvokeLambda(call) => lambdas.push(call.call),
                // No live bot is mapped in the walks.
                Effect::RecognizeText(_) => {}
                Effect::Trace(t) => {
                    assert_not_dead(flows, &t.kind, seed);
                    // Every block a real export uses is simulated.
                    if let TraceKind::Warning { message, .. } = &t.kind {
                        assert!(
                            !message.contains("not simulated")
                                && !message.contains("not one flowsim knows"),
                            "walk {seed}: {message}"
                        );
                    }
                }
            }
        }
    };
    collect(engine.handle(Input::Start, now), &mut lambdas);
    for _ in 0..5_000 {
        match engine.status() {
            Status::Ended(reason) => return (reason, engine.steps()),
            Status::AwaitingLambda { call, .. } => {
                let outcome = match rng.u8(0..4) {
                    0 => LambdaOutcome::Response {
                        payload: r#"{"ssmlResponse":"<speak>The first number is 1-800-FLOWERS</speak>","ssmlError":"false","vanity1":"+1-800-FLOWERS"}"#.into(),
                    },
                    1 => LambdaOutcome::Response {
                        payload: r#"{"ssmlResponse":"<speak>Sorry</speak>","ssmlError":"true"}"#.into(),
                    },
                    2 => LambdaOutcome::FunctionError { message: "boom".into() },
                    _ => LambdaOutcome::NoAnswer,
                };
                if outcome == LambdaOutcome::NoAnswer {
                    now = engine
                        .next_deadline()
                        .expect("a Lambda wait has a deadline");
                    collect(engine.handle(Input::Tick, now), &mut lambdas);
                } else {
                    collect(
                        engine.handle(Input::LambdaDone { call, outcome }, now),
                        &mut lambdas,
                    );
                }
            }
            Status::AwaitingInput { mode, .. } => {
                let input = match rng.u8(0..20) {
                    0..=9 => Input::Key(b"0123456789*#"[rng.usize(0..12)] as char),
                    10..=13 => {
                        for _ in 0..rng.usize(1..12) {
                            let k = b"0123456789"[rng.usize(0..10)] as char;
                            collect(engine.handle(Input::Key(k), now), &mut lambdas);
                        }
                        Input::Key('#')
                    }
                    14..=17 => {
                        now = engine.next_deadline().expect("input waits have deadlines");
                        Input::Tick
                    }
                    18 if mode == flowsim::engine::InputMode::Lex => {
                        Input::Utterance("Help".into())
                    }
                    18 => Input::Silence,
                    _ => Input::Hangup,
                };
                collect(engine.handle(input, now), &mut lambdas);
            }
            Status::AwaitingLex { .. } => {
                unreachable!("no live bot is mapped in the walks")
            }
            Status::Waiting { .. } => {
                let input = if rng.bool() {
                    Input::Utterance("I'm back".into())
                } else {
                    now = engine.next_deadline().expect("a Wait has a deadline");
                    Input::Tick
                };
                collect(engine.handle(input, now), &mut lambdas);
            }
            Status::Playing { deadline, .. } => {
                // A key during a Play prompt is dropped; mostly the prompt plays out.
                let input = if rng.u8(0..4) == 0 {
                    Input::Key('1')
                } else {
                    now = deadline;
                    Input::Tick
                };
                collect(engine.handle(input, now), &mut lambdas);
            }
            // In queue: mostly time passes (to the agent); sometimes the caller hangs up.
            Status::InQueue { deadline, .. } => {
                let input = match deadline {
                    Some(d) if rng.u8(0..8) != 0 => {
                        now = d;
                        Input::Tick
                    }
                    _ => Input::Hangup,
                };
                collect(engine.handle(input, now), &mut lambdas);
            }
            Status::Paused { .. } | Status::NotStarted | Status::AwaitingOutcome { .. } => {
                panic!("headless walks never pause or ask")
            }
        }
    }
    assert!(engine.steps() <= max_steps);
    panic!("walk {seed} did not end within 5,000 inputs")
}

#[test]
fn random_key_walks_end_in_documented_states() {
    for path in all_flows() {
        let flow = load_file(&path).unwrap();
        let dir = path.parent().unwrap();
        let flows = FlowSet::load_dir(flow.clone(), dir).unwrap_or_else(|_| FlowSet::single(flow));
        for seed in 0..200 {
            let (reason, steps) = walk(&flows, seed);
            assert!(
                steps <= 1000,
                "{}: walk {seed} ran {steps} blocks",
                path.display()
            );
            assert!(
                [
                    "disconnected",
                    "hangup",
                    "agent",
                    "abandoned",
                    "callback",
                    "ended",
                    "budget"
                ]
                .contains(&reason.keyword()),
                "{}: walk {seed} ended as {reason:?}",
                path.display()
            );
        }
    }
}
