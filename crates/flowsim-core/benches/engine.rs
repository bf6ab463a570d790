//! Loading a flow, and one whole scripted call on the engine.

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

criterion_group!(benches, load, scripted_call);
criterion_main!(benches);
