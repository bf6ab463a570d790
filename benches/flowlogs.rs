//! Flow logs: a 10,000-record production log (one contact looping through a menu)
//! read and replayed through the engine. Goal: under a second.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use flowsim::engine::{CallConfig, Effect, Engine, Input, SimTime, TraceEvent};
use flowsim::flow::{FlowSet, parse_str};
use flowsim::flowlog::{self, LogFormat, WriteOptions};

const FLOW: &str = r#"{
  "Version": "2019-10-30", "StartAction": "Enable logging",
  "Metadata": {"name": "Loop_Menu"},
  "Actions": [
    {"Identifier": "Enable logging", "Type": "UpdateFlowLoggingBehavior",
     "Parameters": {"FlowLoggingBehavior": "Enabled"}, "Transitions": {"NextAction": "Menu"}},
    {"Identifier": "Menu", "Type": "GetParticipantInput",
     "Parameters": {"Text": "Press 1 to count, 9 to stop.", "InputTimeLimitSeconds": "5", "StoreInput": "False"},
     "Transitions": {"NextAction": "Bye",
       "Conditions": [{"NextAction": "Count", "Condition": {"Operator": "Equals", "Operands": ["1"]}},
                      {"NextAction": "Bye", "Condition": {"Operator": "Equals", "Operands": ["9"]}}],
       "Errors": [{"NextAction": "Bye", "ErrorType": "InputTimeLimitExceeded"},
                  {"NextAction": "Bye", "ErrorType": "NoMatchingCondition"}]}},
    {"Identifier": "Count", "Type": "UpdateContactAttributes",
     "Parameters": {"Attributes": {"Last": "$.StoredCustomerInput"}, "TargetContact": "Current"},
     "Transitions": {"NextAction": "Menu", "Errors": [{"NextAction": "Bye", "ErrorType": "NoMatchingError"}]}},
    {"Identifier": "Bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
  ]
}"#;

fn config() -> CallConfig {
    CallConfig {
        max_steps: 50_000,
        ..CallConfig::default()
    }
}

/// The log of a call that counts `loops` times: 2 records a loop.
fn log(flows: &FlowSet, loops: usize) -> String {
    let mut engine = Engine::new(flows.clone(), config());
    let mut trace: Vec<TraceEvent> = Vec::new();
    let mut keep = |fx: Vec<Effect>| {
        trace.extend(fx.into_iter().filter_map(|e| match e {
            Effect::Trace(t) => Some(t),
            Effect::InvokeLambda(_) | Effect::RecognizeText(_) => None,
        }))
    };
    let mut now = SimTime::ZERO;
    keep(engine.handle(Input::Start, now));
    for n in 0..=loops {
        now = SimTime(now.0 + 1500);
        keep(engine.handle(Input::Key(if n == loops { '9' } else { '1' }), now));
    }
    let opts = WriteOptions::for_env(&config().env, false);
    flowlog::render(
        &flowlog::write_records(flows, &trace, opts),
        LogFormat::JsonLines,
    )
}

fn replay_10k(c: &mut Criterion) {
    let flows = FlowSet::single(parse_str(FLOW, "bench", "Loop_Menu").unwrap());
    let text = log(&flows, 5_000);
    let records = text.lines().count();
    assert!(records >= 10_000, "{records} records");
    let contacts = flowlog::contacts(&text).unwrap();
    let report = flowlog::replay(&flows, &contacts[0].records, config()).unwrap();
    assert!(report.divergence.is_none(), "{:?}", report.divergence);
    let mut g = c.benchmark_group("flow logs");
    g.sample_size(10);
    g.bench_function("read and replay a 10,000-record log", |b| {
        b.iter(|| {
            let contacts = flowlog::contacts(black_box(&text)).unwrap();
            flowlog::replay(&flows, &contacts[0].records, config()).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, replay_10k);
criterion_main!(benches);
