//! Loading a flow, one whole scripted call on the engine, and the phone-number check.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use flowsim_core::engine::LambdaOutcome;
use flowsim_core::engine::{CallConfig, Effect, Engine, Input, SimTime, Status};
use flowsim_core::env::Environment;
use flowsim_core::flow::{FlowSet, parse_str};

fn seed_text() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed/Vanity_Numbers.json"),
    )
    .expect("../shared/seed/Vanity_Numbers.json")
}

fn load(c: &mut Criterion) {
    let text = seed_text();
    c.bench_function("load+validate seed flow", |b| {
        b.iter(|| parse_str(black_box(&text), "seed", "seed").unwrap())
    });
    let own = include_str!("../../../contactflow/Vanity_Numbers.json");
    c.bench_function("load+validate project flow", |b| {
        b.iter(|| parse_str(black_box(own), "own", "own").unwrap())
    });
}

/// Keys 1, 1 through the seed flow, the Lambda answered at once, the repeat menu
/// timing out: the whole call on virtual time.
fn call(flows: &FlowSet, response: &str, config: &CallConfig) -> usize {
    let mut engine = Engine::new(flows.clone(), config.clone());
    let mut keys = ['1', '1'].into_iter();
    let mut now = SimTime::ZERO;
    let mut events = 0;
    let mut pending = None;
    let mut take = |effects: Vec<Effect>, pending: &mut Option<u64>| {
        for e in effects {
            match e {
                Effect::Trace(_) => events += 1,
                Effect::InvokeLambda(l) => *pending = Some(l.call),
                Effect::RecognizeText(_) => {}
            }
        }
    };
    take(engine.handle(Input::Start, now), &mut pending);
    loop {
        match engine.status() {
            Status::Ended(_) => break,
            Status::AwaitingLambda { call, .. } => {
                let outcome = LambdaOutcome::Response {
                    payload: response.to_owned(),
                };
                take(
                    engine.handle(Input::LambdaDone { call, outcome }, now),
                    &mut pending,
                );
            }
            Status::AwaitingInput { .. } => match keys.next() {
                Some(k) => take(engine.handle(Input::Key(k), now), &mut pending),
                None => {
                    now = engine.next_deadline().unwrap();
                    take(engine.handle(Input::Tick, now), &mut pending);
                }
            },
            // A Play prompt plays to its end (prompts take time).
            Status::Playing { deadline, .. } => {
                now = deadline;
                take(engine.handle(Input::Tick, now), &mut pending);
            }
            _ => unreachable!(),
        }
    }
    events
}

fn scripted_call(c: &mut Criterion) {
    let flows = FlowSet::single(parse_str(&seed_text(), "seed", "seed").unwrap());
    let response = r#"{"ssmlResponse":"<speak>The first number is <say-as interpret-as=\"telephone\">+1-303-FLOWERS</say-as>.</speak>","ssmlError":"false"}"#;
    let plain = CallConfig::default();
    c.bench_function("scripted call, seed flow (engine)", |b| {
        b.iter(|| call(black_box(&flows), response, &plain))
    });
    // The same call in a described contact center: queues, hours, profiles, views.
    let mut env = Environment::default();
    for i in 0..10 {
        env.set_queue(&format!("Queue{i}:agents_online={i},contacts_in_queue=3"))
            .unwrap();
        env.add_customer(&format!("+1303555{i:04},FirstName=C{i}"))
            .unwrap();
        env.hours.insert(
            format!("Hours{i}"),
            flowsim_core::env::Hours::Fixed(i % 2 == 0),
        );
    }
    let with_env = CallConfig {
        env: env.into(),
        ..CallConfig::default()
    };
    c.bench_function(
        "scripted call, seed flow, with an environment (engine)",
        |b| b.iter(|| call(black_box(&flows), response, &with_env)),
    );
}

/// A caller waits 30 simulated minutes in queue (the default customer queue flow's
/// message and music on a loop, a position announcement flow with a 30 s interrupt),
/// then the agent answers: the whole wait on virtual time.
fn queue_wait(c: &mut Criterion) {
    let inbound = parse_str(
        r#"{"Version": "2019-10-30", "StartAction": "q", "Actions": [
            {"Identifier": "q", "Type": "UpdateContactTargetQueue",
             "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/Sales"},
             "Transitions": {"NextAction": "hook"}},
            {"Identifier": "hook", "Type": "UpdateContactEventHooks",
             "Parameters": {"EventHooks": {"CustomerQueue": "$.Attributes.queueFlow"}},
             "Transitions": {"NextAction": "t"}},
            {"Identifier": "t", "Type": "TransferContactToQueue", "Parameters": {}, "Transitions": {}}]}"#,
        "inbound.json",
        "inbound",
    )
    .unwrap();
    let position = parse_str(
        r#"{"Version": "2019-10-30", "StartAction": "m", "Actions": [
            {"Identifier": "m", "Type": "GetMetricData", "Parameters": {}, "Transitions": {"NextAction": "p"}},
            {"Identifier": "p", "Type": "MessageParticipant",
             "Parameters": {"Text": "You are caller number $.Metrics.Contact.PositionInQueue."},
             "Transitions": {"NextAction": "loop"}},
            {"Identifier": "loop", "Type": "MessageParticipantIteratively",
             "Parameters": {"Messages": [{"Text": "Please hold."},
               {"PromptId": "arn:aws:connect:us-east-1:1:instance/i/prompt/hold-music.wav"}],
               "InterruptFrequencySeconds": "30"},
             "Transitions": {"NextAction": "m", "Conditions": [{"NextAction": "m",
               "Condition": {"Operator": "Equals", "Operands": ["MessagesInterrupted"]}}]}}]}"#,
        "position.json",
        "position",
    )
    .unwrap();
    let mut flows = FlowSet::single(inbound);
    flows.others.push(position.into());
    let mut env = Environment::default();
    env.set_queue("Sales:contacts_in_queue=20,answer_after=1800")
        .unwrap();
    let wait = |flows: &FlowSet, queue_flow: &str| {
        let mut config = CallConfig {
            env: env.clone().into(),
            ..CallConfig::default()
        };
        config
            .attributes
            .insert("queueFlow".into(), queue_flow.into());
        let mut engine = Engine::new(flows.clone(), config);
        let mut events = engine.handle(Input::Start, SimTime::ZERO).len();
        while let Some(d) = engine.next_deadline() {
            events += engine.handle(Input::Tick, d).len();
        }
        assert!(matches!(engine.status(), Status::Ended(_)));
        events
    };
    c.bench_function("30-minute queue wait, default queue flow (engine)", |b| {
        b.iter(|| wait(black_box(&flows), "none"))
    });
    c.bench_function(
        "30-minute queue wait, position announcements (engine)",
        |b| b.iter(|| wait(black_box(&flows), "position")),
    );
}

/// The numbering-plan check of one stored phone number and one dialed number
/// (libphonenumber's metadata is loaded on the first use, before the timing starts).
fn phone(c: &mut Criterion) {
    use flowsim_core::phone::{Plan, e164, stored_input};
    // The once-per-process cost: the first check loads the metadata.
    let first = std::time::Instant::now();
    assert!(stored_input("09171234567", Plan::Local("PH")).is_ok());
    eprintln!(
        "phone: first check, metadata load included: {:.1} ms",
        first.elapsed().as_secs_f64() * 1000.0
    );
    c.bench_function("phone: stored input, Local PH", |b| {
        b.iter(|| stored_input(std::hint::black_box("09171234567"), Plan::Local("PH")))
    });
    c.bench_function("phone: stored input, E164", |b| {
        b.iter(|| stored_input(std::hint::black_box("442071234567"), Plan::E164))
    });
    c.bench_function("phone: dialed number (transfer, callback)", |b| {
        b.iter(|| e164(std::hint::black_box("+13035551234")).is_ok())
    });
}

criterion_group!(benches, load, scripted_call, queue_wait, phone);
criterion_main!(benches);
