//! The flow parser and validator (`flowsim check`), then a short call through
//! whatever parsed: none of it may panic, whatever the bytes.
#![no_main]

use flowsim_core::engine::{CallConfig, Engine, Input, SimTime};
use flowsim_core::flow::FlowSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The linter takes raw bytes (non-UTF-8 is a finding, not a crash).
    let _ = flowsim_core::check::check_bytes(data, "fuzz.json", "fuzz");
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(flow) = flowsim_core::flow::parse_str(text, "fuzz.json", "fuzz") else {
        return;
    };
    let config = CallConfig {
        max_steps: 200,
        ..CallConfig::default()
    };
    let mut engine = Engine::new(FlowSet::single(flow), config);
    let mut now = SimTime::ZERO;
    let _ = engine.handle(Input::Start, now);
    // A few answers: keys, then silence until the call ends or stops asking.
    for input in [
        Input::Key('1'),
        Input::Key('#'),
        Input::Silence,
        Input::Silence,
    ] {
        if engine.ended().is_some() {
            break;
        }
        let _ = engine.handle(input, now);
        if let Some(d) = engine.next_deadline() {
            now = d;
            let _ = engine.handle(Input::Tick, now);
        }
    }
    let _ = engine.status();
});
