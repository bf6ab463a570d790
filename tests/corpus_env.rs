//! Every branch of the corpus's ShowView, customer-profile and Lex blocks is taken by a
//! `.call` script of `tests/fixtures/corpus_env/`, each driving a real corpus flow
//! (read from `../shared/corpus/flows` at test time, never copied here).
//!
//! The targets are computed from the flows (every branch a call can take of every
//! block of those types that the flow's start reaches), the scripts run through the
//! script runner, and coverage (`flowsim test --coverage`'s) says which were taken:
//! a target no script takes fails the test.
//!
//! `FLOWSIM_BLESS=1 cargo test --test corpus_env` (re)generates scripts for targets
//! no script takes: seeded random walks in an environment chosen for the target (the
//! view's action, profiles found or not, no profiles domain, a canned Lex intent for
//! bots that are not public: `lex * = intent:NAME`), kept as the walk's
//! recording when its replay passes and takes the target.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flowsim::catalogue::ActionType;
use flowsim::engine::{CallConfig, Effect, Engine, Input, SimTime, Status, TraceEvent};
use flowsim::env::{Environment, Profile, View};
use flowsim::flow::{Block, Flow, FlowSet, load_file};
use flowsim::lambda::LambdaOutcome;
use flowsim::script::coverage::Coverage;
use flowsim::script::parse::Directive;
use flowsim::script::record::{RecordOptions, recording_from_trace};
use flowsim::script::{RunOptions, ScriptResult, parse_script, run_script};
use serde_json::Value;

mod common;

const TYPES: [ActionType; 8] = [
    ActionType::ShowView,
    ActionType::ConnectParticipantWithLexBot,
    ActionType::GetCustomerProfile,
    ActionType::CreateCustomerProfile,
    ActionType::UpdateCustomerProfile,
    ActionType::GetCalculatedAttributesForCustomerProfile,
    ActionType::AssociateContactToCustomerProfile,
    ActionType::GetCustomerProfileObject,
];

fn fixtures() -> PathBuf {
    common::root().join("tests/fixtures/corpus_env")
}

fn corpus() -> Option<PathBuf> {
    common::shared()
        .map(|d| d.join("corpus/flows"))
        .filter(|d| d.is_dir())
}

/// (flow file, flow name, block id, branch label) of every target.
type Target = (PathBuf, String, String, String);

fn targets(corpus: &Path) -> Vec<Target> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(flow) = load_file(&path) else { continue };
        let reach = flow.graph.reachable_from(flow.start);
        for (i, b) in flow.blocks.iter().enumerate() {
            if !reach[i] || !b.kind.action().is_some_and(|t| TYPES.contains(&t)) {
                continue;
            }
            let dead = flowsim::engine::dead_branches(b);
            for (branch, _) in b.branches() {
                if dead.iter().any(|d| d.branch == branch) {
                    continue;
                }
                out.push((
                    path.clone(),
                    flow.name.clone(),
                    b.id.clone(),
                    branch.label(),
                ));
            }
        }
    }
    out
}

fn run(path: &Path) -> (ScriptResult, Option<Arc<Flow>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let script = parse_script(&text, path).expect("the script parses");
    let flow_path = script
        .lines
        .iter()
        .find_map(|l| match &l.directive {
            Directive::Flow(p) => Some(p.clone()),
            _ => None,
        })
        .expect("a corpus script names its flow");
    let flows = flowsim::session::load_flows(Some(&flow_path), None).expect("the flow loads");
    let main = flows.main.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    (
        rt.block_on(run_script(&script, &flows, &RunOptions::default())),
        Some(main),
    )
}

fn scripts() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "call"));
    v.sort();
    v
}

/// The targets no script takes, after running them all (each must pass). Coverage
/// is computed per script (each drives one flow), keyed by the flow's file: corpus
/// flows may share a name and block identifiers.
fn untaken(corpus: &Path) -> (Vec<Target>, usize) {
    let all = targets(corpus);
    let mut taken: BTreeSet<(PathBuf, String, String)> = BTreeSet::new();
    let mut failed = Vec::new();
    for s in scripts() {
        let (r, flow) = run(&s);
        if !r.passed() {
            failed.push(format!("{}: {:?}", s.display(), r.outcome));
        }
        let Some(flow) = flow else { continue };
        let mut cov = Coverage::new();
        cov.add_flow(&flow);
        cov.add_trace(&r.events);
        let source = PathBuf::from(&flow.source);
        for fc in cov.report() {
            let never: BTreeSet<(String, String)> = fc
                .branches_never_taken
                .iter()
                .map(|u| (u.block_id.clone(), u.branch.clone()))
                .collect();
            for t in all.iter().filter(|t| same_file(&t.0, &source)) {
                if !never.contains(&(t.2.clone(), t.3.clone())) {
                    taken.insert((t.0.clone(), t.2.clone(), t.3.clone()));
                }
            }
        }
    }
    assert!(failed.is_empty(), "scripts fail:\n{}", failed.join("\n"));
    let n = all.len();
    (
        all.into_iter()
            .filter(|t| !taken.contains(&(t.0.clone(), t.2.clone(), t.3.clone())))
            .collect(),
        n,
    )
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// `unreached.txt`: targets no generated walk reaches yet, one `FILE BLOCK → BRANCH`
/// a line (`#` comments). The test fails when a listed target is taken by a script
/// or is no longer a target, so the list only shrinks.
fn unreached_list() -> BTreeSet<String> {
    std::fs::read_to_string(fixtures().join("unreached.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn target_line((p, _, b, br): &Target) -> String {
    let file = p.file_name().unwrap_or_default().to_string_lossy();
    format!("{file} {b} → {br}")
}

#[test]
fn every_branch_of_the_corpus_view_profile_and_lex_blocks_is_taken_by_a_script() {
    let Some(corpus) = corpus() else {
        eprintln!("note: ../shared/corpus is absent; nothing to cover");
        return;
    };
    if std::env::var_os("FLOWSIM_BLESS").is_some() {
        generate(&corpus);
    }
    let (left, total) = untaken(&corpus);
    assert!(total > 300, "only {total} targets in the corpus");
    let listed = unreached_list();
    let left: BTreeSet<String> = left.iter().map(target_line).collect();
    if std::env::var_os("FLOWSIM_BLESS").is_some() {
        let mut text = String::from(
            "# Branches of corpus ShowView / customer-profile / Lex blocks that no seeded walk of\n\
             # tests/corpus_env.rs reaches yet (FLOWSIM_BLESS=1 rewrites this list; it may only\n\
             # shrink: a listed branch some script takes fails the test).\n",
        );
        for l in &left {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(fixtures().join("unreached.txt"), text).unwrap();
        return;
    }
    let missing: Vec<&String> = left.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "{} of {total} branches of ShowView / customer-profile / Lex blocks are taken by no script \
         of tests/fixtures/corpus_env (FLOWSIM_BLESS=1 generates them):\n{}",
        missing.len(),
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let stale: Vec<&String> = listed.difference(&left).collect();
    assert!(
        stale.is_empty(),
        "unreached.txt lists branches that are now taken (or no longer exist); remove them:\n{}",
        stale
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "{} of {total} branches taken by scripts; {} listed as unreached",
        total - left.len(),
        left.len()
    );
}

// ---- generating scripts ---------------------------------------------------------

/// Environments likely to select `branch` of block `b`.
fn environments(b: &Block, branch: &str) -> Vec<(Environment, Vec<(String, String)>)> {
    let caller = flowsim::engine::DEFAULT_CALLER;
    let mut out = Vec::new();
    let mut env = Environment::default();
    let mut attrs = Vec::new();
    match b.kind.action() {
        Some(ActionType::ShowView) => {
            let action = match branch {
                "NoMatchingError" => "error".to_owned(),
                "TimeLimitExceeded" => "timeout".to_owned(),
                "NoMatchingCondition" | "Next" => "FlowsimOther".to_owned(),
                label => b
                    .conditions
                    .iter()
                    .find(|c| c.label() == label)
                    .map_or_else(|| label.to_owned(), |c| c.operand.clone()),
            };
            env.channel = Some("CHAT".into());
            env.views.insert(
                b.id.clone(),
                View {
                    action,
                    data: Value::Object(Default::default()),
                },
            );
            out.push((env, attrs));
        }
        // Lex: the bot is not public, so a canned intent (`lex * = intent:NAME`)
        // answers what the caller says; an intent no condition names for the rest.
        Some(ActionType::ConnectParticipantWithLexBot) => {
            let intent = b
                .conditions
                .iter()
                .find(|c| c.label() == branch)
                .map_or_else(|| "FlowsimOther".to_owned(), |c| c.operand.clone());
            if env.add_lex_answer("*", &format!("intent:{intent}")).is_ok() {
                out.push((env, attrs));
            }
        }
        _ => {
            if branch == "NoMatchingError" {
                env.customer_profiles = Some(false);
                out.push((env, attrs));
                return out;
            }
            // The profile the block searches for: by its identifier, or the caller.
            let req = b.params.get("ProfileRequestData");
            let key = req
                .and_then(|r| r.get("IdentifierName"))
                .and_then(Value::as_str)
                .unwrap_or("_phone")
                .to_owned();
            let value = req
                .and_then(|r| r.get("IdentifierValue"))
                .and_then(Value::as_str)
                .unwrap_or(caller)
                .to_owned();
            let value = match value.strip_prefix("$.Attributes.") {
                Some(attr) => {
                    attrs.push((attr.to_owned(), "flowsim-1".to_owned()));
                    "flowsim-1".to_owned()
                }
                None if value.starts_with("$.External.") => "flowsim-1".to_owned(),
                None if value.starts_with('$') => caller.to_owned(),
                None => value,
            };
            let by_phone = matches!(key.as_str(), "_phone" | "PhoneNumber");
            let profile = |n: usize| {
                let mut p = Profile {
                    phone: Some(if by_phone {
                        value.clone()
                    } else {
                        caller.to_owned()
                    }),
                    profile_id: Some(format!("profile-{n}")),
                    ..Profile::default()
                };
                if !matches!(key.as_str(), "_phone" | "PhoneNumber") {
                    p.fields.insert(key.clone(), value.clone());
                }
                p.fields.insert("FirstName".into(), "Ana".into());
                p
            };
            match branch {
                "NoneFoundError" => out.push((env.clone(), attrs.clone())),
                "MultipleFoundError" => {
                    env.customers = vec![profile(1), profile(2)];
                    out.push((env, attrs));
                }
                _ => {
                    let mut with_calc = profile(1);
                    with_calc
                        .calculated
                        .insert("_average_hold_time".into(), "40".into());
                    env.customers = vec![with_calc];
                    out.push((env.clone(), attrs.clone()));
                    env.customers = vec![profile(1)];
                    out.push((env, attrs));
                }
            }
        }
    }
    out
}

/// A seeded random walk: keys, digits and timeouts at inputs, Lambda functions
/// answered with JSON; the whole trace.
fn walk(flows: &FlowSet, config: CallConfig, seed: u64, payload: &str) -> Vec<TraceEvent> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut engine = Engine::new(flows.clone(), config);
    let mut now = SimTime::ZERO;
    let mut events = Vec::new();
    let push = |fx: Vec<Effect>, events: &mut Vec<TraceEvent>| {
        for e in fx {
            if let Effect::Trace(t) = e {
                events.push(t);
            }
        }
    };
    push(engine.handle(Input::Start, now), &mut events);
    for _ in 0..300 {
        let input = match engine.status() {
            Status::Ended(_) => break,
            Status::AwaitingLambda { call, .. } => Input::LambdaDone {
                call,
                outcome: if rng.u8(0..4) == 0 {
                    LambdaOutcome::FunctionError {
                        message: "boom".into(),
                    }
                } else {
                    LambdaOutcome::Response {
                        payload: payload.into(),
                    }
                },
            },
            Status::AwaitingInput { mode, .. } => match rng.u8(0..10) {
                0..=5 => Input::Key(b"0123456789"[rng.usize(0..10)] as char),
                6..=8 if mode == flowsim::engine::InputMode::Lex => Input::Utterance("yes".into()),
                _ => {
                    now = engine.next_deadline().unwrap_or(now);
                    Input::Tick
                }
            },
            Status::Waiting { .. } | Status::Playing { .. } | Status::AwaitingLex { .. } => {
                now = engine.next_deadline().unwrap_or(now);
                Input::Tick
            }
            // In queue: time passes to the agent; a queue nobody answers is hung up on.
            Status::InQueue { deadline, .. } => match deadline {
                Some(d) => {
                    now = d;
                    Input::Tick
                }
                None => Input::Hangup,
            },
            Status::Paused { .. } | Status::NotStarted => break,
        };
        push(engine.handle(input, now), &mut events);
    }
    // The caller hangs up at a rest (an input, a wait, the queue), as a script's
    // `hangup` does: a prompt playing or a Lambda running finishes first.
    for _ in 0..50 {
        match engine.status() {
            Status::Playing { deadline, .. } | Status::AwaitingLex { deadline, .. } => {
                now = deadline;
                push(engine.handle(Input::Tick, now), &mut events);
            }
            Status::AwaitingLambda { call, .. } => {
                let outcome = LambdaOutcome::Response {
                    payload: payload.into(),
                };
                push(
                    engine.handle(Input::LambdaDone { call, outcome }, now),
                    &mut events,
                );
            }
            _ => break,
        }
    }
    if engine.ended().is_none() {
        push(engine.handle(Input::Hangup, now), &mut events);
    }
    events
}

fn takes(events: &[TraceEvent], block: &str, branch: &str) -> bool {
    events.iter().any(|e| {
        matches!(&e.kind, flowsim::engine::TraceKind::BranchTaken { block: b, branch: br, .. }
            if b.id == block && br == branch)
    })
}

fn generate(corpus: &Path) {
    std::fs::create_dir_all(fixtures()).unwrap();
    let (left, _) = untaken(corpus);
    let mut done: BTreeSet<(PathBuf, String, String)> = BTreeSet::new();
    for (path, _, block_id, branch) in left {
        if done.contains(&(path.clone(), block_id.clone(), branch.clone())) {
            continue;
        }
        let flow = load_file(&path).unwrap();
        let Some(b) = flow.blocks.iter().find(|b| b.id == block_id).cloned() else {
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let view_keys: BTreeSet<String> = text
            .match_indices("$.Views.ViewResultData.")
            .map(|(i, m)| {
                text[i + m.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            })
            .filter(|k: &String| !k.is_empty())
            .collect();
        // A Lambda answer holding every `$.External.X` the flow reads (and the
        // profile searches by it find their profile: `environments`).
        let mut answer = serde_json::Map::new();
        for (i, m) in text.match_indices("$.External.") {
            let k: String = text[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !k.is_empty() {
                answer.insert(k, Value::String("flowsim-1".into()));
            }
        }
        answer.insert("result".into(), Value::String("true".into()));
        let payload = Value::Object(answer).to_string();
        let operands: Vec<String> = flow
            .blocks
            .iter()
            .filter(|b| b.kind.action() == Some(ActionType::Compare))
            .flat_map(|b| b.conditions.iter().map(|c| c.operand.clone()))
            .collect();
        let flows = FlowSet::single(flow);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let short: String = block_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let name: String = format!("{stem}__{short}__{branch}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let out = fixtures().join(format!("{name}.call"));
        'search: for (env, attrs) in environments(&b, &branch) {
            let config = CallConfig {
                env: Arc::new(env),
                attributes: attrs.into_iter().collect(),
                ..CallConfig::default()
            };
            for seed in 0..200 {
                // Other views get a random action of their block, and half the walks
                // of a profile target run as chats.
                let mut rng = fastrand::Rng::with_seed(seed);
                let mut config = config.clone();
                let env = Arc::make_mut(&mut config.env);
                if env.channel.is_none() && seed % 2 == 1 {
                    env.channel = Some("CHAT".into());
                }
                // The view data the flow reads back gets values its comparisons test.
                let mut data = serde_json::Map::new();
                for k in &view_keys {
                    if !operands.is_empty() {
                        let v = &operands[rng.usize(0..operands.len())];
                        data.insert(k.clone(), Value::String(v.clone()));
                    }
                }
                for v in
                    flows.main.blocks.iter().filter(|v| {
                        v.kind.action() == Some(ActionType::ShowView) && v.id != block_id
                    })
                {
                    if !v.conditions.is_empty() {
                        let c = &v.conditions[rng.usize(0..v.conditions.len())];
                        env.views.entry(v.id.clone()).or_insert_with(|| View {
                            action: c.operand.clone(),
                            data: Value::Object(data.clone()),
                        });
                    }
                }
                if let Some(v) = env.views.get_mut(&block_id)
                    && v.data.as_object().is_some_and(|m| m.is_empty())
                {
                    v.data = Value::Object(data.clone());
                }
                let events = walk(&flows, config.clone(), seed, &payload);
                if !takes(&events, &block_id, &branch) {
                    continue;
                }
                let text = recording_from_trace(
                    &RecordOptions {
                        flow_path: Some(&path),
                        recording_path: Some(&out),
                        config: Some(&config),
                    },
                    &events,
                );
                std::fs::write(&out, &text).unwrap();
                if let Err(e) = parse_script(&text, &out) {
                    eprintln!("{}: the recording does not parse: {e}", out.display());
                    let _ = std::fs::remove_file(&out);
                    continue;
                }
                let (r, _) = run(&out);
                if r.passed() && takes(&r.events, &block_id, &branch) {
                    for e in &r.events {
                        if let flowsim::engine::TraceKind::BranchTaken { block, branch, .. } =
                            &e.kind
                        {
                            done.insert((path.clone(), block.id.clone(), branch.clone()));
                        }
                    }
                    break 'search;
                }
                let _ = std::fs::remove_file(&out);
            }
        }
    }
}

// ---- every outcome a call used lands in its recording ----------------------------

/// A random contact center for `flow`: its queues and hours in random states, and a
/// random answer for every other outcome.
fn random_env(flow: &Flow, rng: &mut fastrand::Rng) -> Environment {
    let mut env = Environment {
        channel: [None, Some("CHAT"), Some("TASK")][rng.usize(0..3)].map(str::to_owned),
        call_progress: rng
            .bool()
            .then(|| ["VoicemailBeep", "NotDetected", "CallAnswered"][rng.usize(0..3)].into()),
        third_party: rng
            .bool()
            .then(|| ["failed", "no_answer", "answered"][rng.usize(0..3)].into()),
        customer_returns_after_secs: rng.bool().then(|| rng.u32(1..120)),
        authentication: rng
            .bool()
            .then(|| ["success", "opted_out", "error"][rng.usize(0..3)].into()),
        agent_available: rng.bool().then(|| rng.bool()),
        case_link_fails: rng.bool().then(|| rng.bool()),
        customer_profiles: rng.bool().then(|| rng.bool()),
        ..Environment::default()
    };
    env.voice_id.authentication = rng
        .bool()
        .then(|| ["Authenticated", "NotAuthenticated", "OptedOut"][rng.usize(0..3)].into());
    for b in &flow.blocks {
        let last = |key: &str| {
            b.params
                .get(key)
                .and_then(Value::as_str)
                .map(|q| q.rsplit('/').next().unwrap_or(q).to_owned())
        };
        if let Some(q) = last("QueueId") {
            let name = b.display_name("QueueId").unwrap_or(q);
            let n = rng.u32(0..3);
            let _ = env.set_queue(&format!(
                "{name}:agents_online={n},agents_available={},contacts_in_queue={},at_capacity={}",
                rng.u32(0..=n),
                rng.u32(0..5),
                rng.u8(0..6) == 0
            ));
        }
        if let Some(h) = last("HoursOfOperationId") {
            env.hours.insert(h, flowsim::env::Hours::Fixed(rng.bool()));
        }
    }
    if rng.bool() {
        let _ = env.add_customer(&format!(
            "{},FirstName=Ana",
            flowsim::engine::DEFAULT_CALLER
        ));
    }
    env
}

fn branches(events: &[TraceEvent]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            flowsim::engine::TraceKind::BranchTaken { block, branch, .. } => {
                Some((block.id.clone(), branch.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Calls in random environments over the corpus flows that ask the environment
/// something: each call's recording replays green and takes the same branches.
#[test]
fn recordings_of_calls_in_random_environments_replay_the_same_branches() {
    let Some(corpus) = corpus() else {
        eprintln!("note: ../shared/corpus is absent");
        return;
    };
    let asks: [&str; 9] = [
        "\"CheckMetricData\"",
        "\"GetMetricData\"",
        "\"CheckVoiceId\"",
        "\"CheckOutboundCallStatus\"",
        "\"Wait\"",
        "\"TransferParticipantToThirdParty\"",
        "\"GetCustomerProfile\"",
        "\"CheckHoursOfOperation\"",
        "\"ShowView\"",
    ];
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                asks.iter().any(|a| {
                    t.contains(&format!("\"Type\": {a}")) || t.contains(&format!("\"Type\":{a}"))
                })
            })
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "only {} flows ask the environment",
        files.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut calls = 0;
    for (i, path) in files.iter().enumerate() {
        let Ok(flow) = load_file(path) else { continue };
        let flows = FlowSet::single(flow.clone());
        for seed in 0..3u64 {
            let mut rng = fastrand::Rng::with_seed(seed * 1000 + i as u64);
            let config = CallConfig {
                env: Arc::new(random_env(&flow, &mut rng)),
                hours_open: rng.bool(),
                ..CallConfig::default()
            };
            let events = walk(&flows, config.clone(), seed, r#"{"result":"true"}"#);
            let out = dir.path().join(format!("call{i}_{seed}.call"));
            let text = recording_from_trace(
                &RecordOptions {
                    flow_path: Some(path),
                    recording_path: Some(&out),
                    config: Some(&config),
                },
                &events,
            );
            std::fs::write(&out, &text).unwrap();
            let (r, _) = run(&out);
            calls += 1;
            if !r.passed() {
                failures.push(format!("{}: {:?}\n{text}", path.display(), r.outcome));
            } else if branches(&r.events) != branches(&events) {
                let (a, b) = (branches(&events), branches(&r.events));
                let at = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
                failures.push(format!(
                    "{}: the replay took other branches: at branch {at} the call took {:?}, \
                     the replay {:?} ({} against {} branches)\n{text}",
                    path.display(),
                    a.get(at),
                    b.get(at),
                    a.len(),
                    b.len()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} recordings do not replay:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
