//! Faithful to the documentation (issue 16): one test per documented runtime rule,
//! quoting the rule and naming the page it comes from.

use std::path::Path;

use flowsim::engine::{CallConfig, Effect, Engine, Input, SimTime, Status, TraceEvent, TraceKind};
use flowsim::flow::{FlowSet, parse_str};
use flowsim::script::{Outcome, RunOptions, ScriptResult, parse_script, run_script};
use serde_json::{Value, json};

mod common;

fn flow_text(start: &str, actions: Value) -> String {
    json!({"Version": "2019-10-30", "StartAction": start, "Actions": actions}).to_string()
}

fn flows(start: &str, actions: Value) -> FlowSet {
    FlowSet::single(parse_str(&flow_text(start, actions), "t.json", "T").expect("valid flow"))
}

fn say(id: &str, text: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": text},
           "Transitions": {"NextAction": next}})
}

fn buffer_on(id: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "GetParticipantInput",
           "Parameters": {"EnableDTMFBuffer": "True"},
           "Transitions": {"NextAction": next, "Errors": [{"NextAction": next, "ErrorType": "NoMatchingError"}]}})
}

/// A menu: `1` → "one", anything else or a timeout → "other".
fn menu(id: &str, text: &str) -> Value {
    json!({"Identifier": id, "Type": "GetParticipantInput",
           "Parameters": {"Text": text, "InputTimeLimitSeconds": "5"},
           "Transitions": {"NextAction": "other",
             "Conditions": [{"NextAction": "one", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
             "Errors": [{"NextAction": "other", "ErrorType": "InputTimeLimitExceeded"},
                        {"NextAction": "other", "ErrorType": "NoMatchingCondition"},
                        {"NextAction": "other", "ErrorType": "NoMatchingError"}]}})
}

fn ends() -> [Value; 3] {
    [
        say("one", "you pressed one", "bye"),
        say("other", "no choice", "bye"),
        json!({"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}),
    ]
}

/// A pure engine call: inputs at given times, everything it emitted.
struct Call {
    engine: Engine,
    events: Vec<TraceEvent>,
    /// Each Lambda attempt the engine asked for: (call, attempt, time limit in ms).
    attempts: Vec<(u64, u32, u128)>,
}

impl Call {
    fn new(f: FlowSet) -> Self {
        let mut c = Self {
            engine: Engine::new(f, CallConfig::default()),
            events: Vec::new(),
            attempts: Vec::new(),
        };
        c.send(Input::Start, SimTime::ZERO);
        c
    }

    fn send(&mut self, input: Input, at: SimTime) {
        for e in self.engine.handle(input, at) {
            match e {
                Effect::Trace(t) => self.events.push(t),
                Effect::InvokeLambda(l) => self.attempts.push((
                    l.call,
                    l.request.attempt,
                    l.request.time_limit.as_millis(),
                )),
                Effect::RecognizeText(_) => panic!("these flows map no live bot"),
            }
        }
    }

    /// Let the Play prompt playing now end.
    fn play_out(&mut self) {
        while let Status::Playing { deadline, .. } = self.engine.status() {
            self.send(Input::Tick, deadline);
        }
    }

    fn said(&self, text: &str) -> bool {
        self.events
            .iter()
            .any(|e| matches!(&e.kind, TraceKind::Prompt { text: t, .. } if t == text))
    }

    fn dropped(&self) -> Vec<char> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::KeyDropped { key, .. } => Some(*key),
                _ => None,
            })
            .collect()
    }
}

fn play_then_menu(buffered: bool) -> FlowSet {
    let mut actions = vec![];
    if buffered {
        actions.push(buffer_on("buf", "hello"));
    }
    actions.push(say("hello", "Welcome, please listen to the menu", "m"));
    actions.push(menu("m", "Press 1 for one"));
    actions.extend(ends());
    flows(
        if buffered { "buf" } else { "hello" },
        Value::Array(actions),
    )
}

/// "Amazon Connect can't capture the DTMF input that the caller provides during the
/// play prompt block" — repost.aws knowledge-center connect-store-get-customer-input-blocks.
#[test]
fn a_key_during_a_play_prompt_is_not_captured() {
    let mut c = Call::new(play_then_menu(false));
    let Status::Playing { deadline, .. } = c.engine.status() else {
        panic!("the Play prompt plays: {:?}", c.engine.status());
    };
    // Six words at 250 ms.
    assert_eq!(deadline, SimTime(1500));
    c.send(Input::Key('1'), SimTime(500));
    assert_eq!(c.dropped(), vec!['1']);
    c.play_out();
    // The menu does not get the 1: it times out.
    let deadline = c.engine.next_deadline().expect("the menu waits");
    c.send(Input::Tick, deadline);
    c.play_out();
    assert!(c.said("no choice"));
    assert!(!c.said("you pressed one"));
}

/// "When touchtone buffering is enabled, customer keypad inputs … are collected into a
/// buffer of up to 30 characters as the customer presses them, even while prompts are
/// still playing or between flow block transitions" — adminguide
/// set-touchtone-buffer-behavior. "Get customer input: If the buffer contains digits, the
/// block automatically dequeues and uses the digit."
#[test]
fn touchtone_buffering_keeps_keys_for_the_next_input_block() {
    let mut c = Call::new(play_then_menu(true));
    assert_eq!(c.engine.touchtone_buffer().as_deref(), Some(""));
    assert!(matches!(c.engine.status(), Status::Playing { .. }));
    c.send(Input::Key('1'), SimTime(500));
    assert!(c.dropped().is_empty());
    assert!(
        c.events
            .iter()
            .any(|e| matches!(e.kind, TraceKind::KeyBuffered { key: '1', .. }))
    );
    c.play_out();
    assert!(
        c.events
            .iter()
            .any(|e| matches!(e.kind, TraceKind::KeyUsed { key: '1', .. }))
    );
    assert!(c.said("you pressed one"));
    // The menu's prompt was skipped: its key was already there.
    assert!(!c.said("Press 1 for one"));
}

/// "a buffer of up to 30 characters" — adminguide set-touchtone-buffer-behavior.
#[test]
fn the_touchtone_buffer_holds_30_keys() {
    let mut c = Call::new(play_then_menu(true));
    for i in 0..31 {
        c.send(Input::Key('2'), SimTime(10 + i));
    }
    assert_eq!(c.engine.touchtone_buffer().unwrap().len(), 30);
    assert_eq!(c.dropped(), vec!['2']);
}

/// "Play prompt: … When selected, the prompt is skipped entirely if the buffer already
/// contains digits. If the customer presses a key during the prompt, it interrupts the
/// prompt and adds the digit to the buffer." — adminguide set-touchtone-buffer-behavior.
#[test]
fn skip_when_dtmf_buffer_enabled_interrupts_and_skips() {
    let mut skip = say("hello", "Welcome, please listen to the menu", "m");
    skip["Parameters"]["SkipWhenDTMFBufferEnabled"] = json!("True");
    let mut actions = vec![
        buffer_on("buf", "hello"),
        skip,
        menu("m", "Press 1 for one"),
    ];
    actions.extend(ends());
    let mut c = Call::new(flows("buf", Value::Array(actions)));
    c.send(Input::Key('1'), SimTime(300));
    // Interrupted at once: the menu took the key.
    assert!(c.said("you pressed one"));
    let interrupted = c.events.iter().find_map(|e| match &e.kind {
        TraceKind::BranchTaken { block, reason, .. } if block.id == "hello" => {
            Some((e.at, reason.clone()))
        }
        _ => None,
    });
    assert_eq!(interrupted.as_ref().map(|(at, _)| *at), Some(SimTime(300)));
    assert!(interrupted.unwrap().1.contains("interrupted"));
}

/// Barge-in: a key pressed while a Get customer input block's own prompt plays answers
/// it ("Interrupt … customers can press a key to interrupt the prompt", adminguide
/// get-customer-input); the input timer starts when the prompt ends.
#[test]
fn a_key_barges_in_on_a_get_customer_input_prompt() {
    let mut actions = vec![menu("m", "Press 1 for one, or hold for an agent")];
    actions.extend(ends());
    let mut c = Call::new(flows("m", Value::Array(actions)));
    // Nine words: 2.25 s of prompt, then the 5 s timer.
    assert_eq!(c.engine.next_deadline(), Some(SimTime(7250)));
    assert_eq!(c.engine.prompt_playing(), Some(SimTime(2250)));
    c.send(Input::Key('1'), SimTime(400));
    assert!(c.dropped().is_empty());
    c.play_out();
    assert!(c.said("you pressed one"));
}

/// "prosody rate … n%: … 200% means a speaking rate twice the default rate" and `break`
/// `time` — polly/latest/dg/prosody-tag, polly break-tag: the estimate honours both.
#[test]
fn ssml_break_and_prosody_rate_change_the_prompt_length() {
    let ssml = json!({"Identifier": "s", "Type": "MessageParticipant",
        "Parameters": {"SSML": "<speak>one two<break time=\"2s\"/><prosody rate=\"200%\">three four</prosody></speak>"},
        "Transitions": {"NextAction": "bye"}});
    let mut actions = vec![ssml];
    actions.extend(ends());
    let c = Call::new(flows("s", Value::Array(actions)));
    let Status::Playing { deadline, .. } = c.engine.status() else {
        panic!("plays");
    };
    assert_eq!(deadline, SimTime(500 + 2000 + 250));
}

fn script(flow: &str, body: &str) -> ScriptResult {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.json");
    std::fs::write(&path, flow).unwrap();
    let text = format!("flow {}\n{body}", path.display());
    let s = parse_script(&text, Path::new("t.call")).expect("parses");
    let f = flowsim::session::load_flows(Some(&path), None).expect("loads");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run_script(&s, &f, &RunOptions::default()))
}

fn flow_json(buffered: bool) -> String {
    let mut actions = vec![];
    if buffered {
        actions.push(buffer_on("buf", "hello"));
    }
    actions.push(say("hello", "Welcome, please listen to the menu", "m"));
    actions.push(menu("m", "Press 1 for one"));
    actions.extend(ends());
    flow_text(
        if buffered { "buf" } else { "hello" },
        Value::Array(actions),
    )
}

/// Script time (issue 13 item 2) with the rule above: `press` after `expect` of a Play
/// prompt is pressed while it plays, and dropped unless touchtone buffering is on.
#[test]
fn a_script_press_during_a_play_prompt_is_dropped_unless_buffered() {
    let body = "expect \"Welcome\"\npress 1\nexpect \"you pressed one\"\n";
    let r = script(&flow_json(false), body);
    match &r.outcome {
        Outcome::Failed(f) => assert_eq!(f.line, 4, "{f:?}"),
        other => panic!("the 1 is dropped, so \"you pressed one\" never comes: {other:?}"),
    }
    // The transcript says so.
    let said = r
        .events
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::KeyDropped { key: '1', .. }))
        .find_map(|e| flowsim::transcript::line(e, flowsim::transcript::Detail::Call))
        .expect("a line for the dropped key");
    assert!(
        said.contains("key 1 dropped: pressed during a Play prompt"),
        "{said}"
    );
    let r = script(&flow_json(true), body);
    assert!(r.passed(), "{:?}", r.outcome);
    // Without an `expect`, the key is given when the menu waits, after its prompt.
    let r = script(&flow_json(false), "press 1\nexpect \"you pressed one\"\n");
    assert!(r.passed(), "{:?}", r.outcome);
}

/// A buffered key no input block takes fails its own `press` line (docs/call-language.md,
/// script time rule 5).
#[test]
fn a_buffered_key_nobody_takes_fails_its_press_line() {
    let r = script(
        &flow_json(true),
        "press 1\nexpect \"you pressed one\"\npress 5\nexpect end disconnected\n",
    );
    match &r.outcome {
        Outcome::Failed(f) => assert_eq!(f.line, 4, "{f:?}"),
        other => panic!("expected a failure: {other:?}"),
    }
}

/// Prompts advance the virtual clock of a headless run (`--keys`).
#[test]
fn prompts_advance_virtual_time_headless() {
    let _ = common::root();
    let f = flows("hello", {
        let mut a = vec![
            say("hello", "Welcome, please listen to the menu", "m"),
            menu("m", "Press 1 for one"),
        ];
        a.extend(ends());
        Value::Array(a)
    });
    let engine = Engine::new(f, CallConfig::default());
    let registry = flowsim::lambda::Registry::empty();
    let mut d = flowsim::driver::Driver::new(engine, registry, flowsim::driver::Clock::Virtual);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut events = Vec::new();
    rt.block_on(flowsim::driver::run_with_keys_streaming(
        &mut d,
        vec![flowsim::driver::KeyItem::Keys("1".into())],
        &mut |e| events.extend(e),
    ))
    .unwrap();
    events.extend(d.take_events());
    let key_at = events
        .iter()
        .find_map(|e| matches!(e.kind, TraceKind::Key { .. }).then_some(e.at));
    // 1.5 s of welcome, 1 s of menu prompt: the caller answers when it has been said.
    assert_eq!(key_at, Some(SimTime(2500)));
    // "you pressed one" (0.75 s) then the end.
    assert_eq!(events.last().unwrap().at, SimTime(3250));
}

/// "Also found" (issue 16): an encrypted Store customer input (`InputEncryption`, for card
/// numbers and PINs: adminguide store-customer-input, "Encrypt entry") never appears in
/// any output: transcript, `-v`, `--json`, a recording, `flowsim test`, the TUI's state.
#[test]
fn encrypted_input_is_masked_in_every_output() {
    let flow = flow_text(
        "card",
        json!([
            {"Identifier": "card", "Type": "GetParticipantInput",
             "Parameters": {"Text": "Enter your card number", "StoreInput": "True",
                "InputTimeLimitSeconds": "5",
                "InputEncryption": {"EncryptionKeyId": "k", "Key": "-----BEGIN CERTIFICATE-----x"},
                "DTMFConfiguration": {"InputTerminationSequence": "#"}},
             "Transitions": {"NextAction": "thanks", "Errors": [{"NextAction": "thanks", "ErrorType": "NoMatchingError"}]}},
            say("thanks", "Thank you. $.StoredCustomerInput", "bye"),
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::write(dir.path().join("card.json"), &flow).unwrap();
    let secret = "4111222233334444";
    let keys = format!("{secret}#");
    let mut outputs = Vec::new();
    for args in [
        vec!["run", "card.json", "--keys", &keys],
        vec!["run", "card.json", "--keys", &keys, "-v"],
        vec!["run", "card.json", "--keys", &keys, "--json"],
        vec!["run", "card.json", "--keys", &keys, "--record", "rec.call"],
    ] {
        let o = common::run_in(dir.path(), &data, &args);
        assert!(o.status.success(), "{args:?}: {}", common::stderr(&o));
        outputs.push((
            format!("{args:?}"),
            common::stdout(&o) + &common::stderr(&o),
        ));
    }
    let recording = std::fs::read_to_string(dir.path().join("rec.call")).unwrap();
    outputs.push(("the recording".into(), recording));
    // The recording replays (its digits are 0s).
    let o = common::run_in(dir.path(), &data, &["test", "rec.call"]);
    assert!(o.status.success(), "{}", common::stdout(&o));
    outputs.push((
        "flowsim test".into(),
        common::stdout(&o) + &common::stderr(&o),
    ));
    for (what, text) in &outputs {
        for part in [secret, "4111", "3333", "4444"] {
            assert!(
                !text.contains(part),
                "{what} shows the digits {part}:\n{text}"
            );
        }
    }
    assert!(outputs[0].1.contains("KEY   •"), "{}", outputs[0].1);
    // The TUI's phone shows what was typed from the engine's status: masked too.
    let mut c = Call::new(flows(
        "card",
        serde_json::from_str::<Value>(&flow).unwrap()["Actions"].clone(),
    ));
    for k in "4111".chars() {
        c.send(Input::Key(k), SimTime(100));
    }
    let Status::AwaitingInput { typed, .. } = c.engine.status() else {
        panic!("waits for digits");
    };
    assert_eq!(typed, "••••");
}

fn lambda(id: &str, limit: Option<&str>, next: &str) -> Value {
    let mut params =
        json!({"LambdaFunctionARN": format!("arn:aws:lambda:us-east-1:1:function:{id}")});
    if let Some(l) = limit {
        params["InvocationTimeLimitSeconds"] = json!(l);
    }
    json!({"Identifier": id, "Type": "InvokeLambdaFunction", "Parameters": params,
           "Transitions": {"NextAction": next, "Errors": [{"NextAction": "failed", "ErrorType": "NoMatchingError"}]}})
}

fn lambda_calls(c: &Call) -> Vec<(u64, u64)> {
    c.events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::LambdaInvoked {
                call,
                time_limit_ms,
                ..
            } => Some((*call, *time_limit_ms)),
            _ => None,
        })
        .collect()
}

fn answer(c: &mut Call, call: u64, at: SimTime) {
    c.send(
        Input::LambdaDone {
            call,
            outcome: flowsim::engine::LambdaOutcome::Response {
                payload: "{}".into(),
            },
        },
        at,
    );
}

fn lambda_flow(blocks: Vec<Value>) -> FlowSet {
    let mut actions = blocks;
    actions.push(say("ok", "all done", "bye"));
    actions.push(say("failed", "it failed", "bye"));
    actions.push(json!({"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}));
    let start = actions[0]["Identifier"].as_str().unwrap().to_owned();
    flows(&start, Value::Array(actions))
}

/// "The default timeout is 3 seconds" for a Lambda invoked from a flow, at most 8 —
/// repost.aws knowledge-center connect-lambda-function-failures.
#[test]
fn the_default_lambda_timeout_is_3_seconds() {
    let mut c = Call::new(lambda_flow(vec![lambda("f", None, "ok")]));
    let calls = lambda_calls(&c);
    assert_eq!(calls, vec![(1, 3000)]);
    // A function that answers in 4 s has timed out.
    answer(&mut c, 1, SimTime::from_secs(4));
    c.play_out();
    assert!(c.said("it failed"));
}

/// "Amazon Connect limits the duration of a sequence of Lambda functions to 20 seconds.
/// It times out with an error" — adminguide connect-lambda-functions (best practices).
/// A sequence: synchronous functions with no prompt and no input between them.
#[test]
fn a_sequence_of_lambda_functions_is_limited_to_20_seconds() {
    let three = lambda_flow(vec![
        lambda("a", Some("8"), "b"),
        lambda("b", Some("8"), "c"),
        lambda("c", Some("8"), "ok"),
    ]);
    let mut c = Call::new(three);
    answer(&mut c, 1, SimTime::from_secs(7));
    answer(&mut c, 2, SimTime::from_secs(14));
    // The third has 6 s left, not 8: its 7 s answer comes too late.
    let deadline = c.engine.next_deadline().unwrap();
    assert_eq!(deadline, SimTime::from_secs(20));
    c.send(Input::Tick, deadline);
    c.play_out();
    assert!(c.said("it failed"));
    let why = c.events.iter().find_map(|e| match &e.kind {
        TraceKind::LambdaResult {
            ok: false, detail, ..
        } => Some(detail.clone()),
        _ => None,
    });
    assert!(why.unwrap().contains("20 s limit"));
    // A prompt between them starts a new sequence.
    let split = lambda_flow(vec![
        lambda("a", Some("8"), "b"),
        lambda("b", Some("8"), "p"),
        say("p", "one moment", "c"),
        lambda("c", Some("8"), "ok"),
    ]);
    let mut c = Call::new(split);
    answer(&mut c, 1, SimTime::from_secs(7));
    answer(&mut c, 2, SimTime::from_secs(14));
    c.play_out();
    let third = lambda_calls(&c).last().unwrap().0;
    let at = c.engine.now().plus_secs(7);
    answer(&mut c, third, at);
    c.play_out();
    assert!(c.said("all done"));
}

/// "If you use this block with an agent queue, the check fails and the contact is routed
/// down the Error branch" — adminguide check-hours-of-operation.
#[test]
fn hours_of_an_agent_queue_take_the_error_branch() {
    let f = flows(
        "q",
        json!([
            {"Identifier": "q", "Type": "UpdateContactTargetQueue",
             "Parameters": {"AgentId": "arn:aws:connect:us-east-1:1:instance/i/agent/a1"},
             "Transitions": {"NextAction": "h", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
            {"Identifier": "h", "Type": "CheckHoursOfOperation", "Parameters": {},
             "Transitions": {"NextAction": "open",
               "Conditions": [{"NextAction": "open", "Condition": {"Operator": "Equals", "Operands": ["True"]}},
                              {"NextAction": "closed", "Condition": {"Operator": "Equals", "Operands": ["False"]}}],
               "Errors": [{"NextAction": "err", "ErrorType": "NoMatchingError"}]}},
            say("open", "open", "bye"),
            say("closed", "closed", "bye"),
            say("err", "error", "bye"),
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
        ]),
    );
    let mut c = Call::new(f);
    c.play_out();
    assert!(c.said("error"), "{:?}", c.events);
}

/// "When used in an inbound flow, this block functions identically to the Disconnect
/// block, and terminates the contact" — adminguide end-flow-resume. (The API reference,
/// flow-language-actions-endflowexecution, lists other flow types only; `flowsim check`
/// reports the block in an inbound flow, the engine disconnects.)
#[test]
fn end_flow_execution_in_an_inbound_flow_disconnects() {
    let end = json!([{"Identifier": "x", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}}]);
    let c = Call::new(flows("x", end.clone()));
    assert_eq!(c.engine.ended().unwrap().keyword(), "disconnected");
    let whisper = json!({"Version": "2019-10-30", "StartAction": "x", "Actions": end,
                         "Metadata": {"type": "agentWhisper"}})
    .to_string();
    let f = FlowSet::single(parse_str(&whisper, "w.json", "W").unwrap());
    let c = Call::new(f);
    assert_eq!(c.engine.ended().unwrap().keyword(), "ended");
}

/// Attribute keys containing `$`: "Amazon Connect can't read them back, but still passes
/// them to a Lambda" — adminguide what-is-a-contact-attribute (as the audit of issue 16
/// item 8 quotes it). The Set block succeeds, with a warning.
#[test]
fn an_attribute_key_with_a_dollar_is_set_and_passed_to_lambda() {
    let f = lambda_flow(vec![
        json!({"Identifier": "s", "Type": "UpdateContactAttributes",
               "Parameters": {"Attributes": {"price$": "5", "plain": "x"}, "TargetContact": "Current"},
               "Transitions": {"NextAction": "f", "Errors": [{"NextAction": "failed", "ErrorType": "NoMatchingError"}]}}),
        lambda("f", Some("3"), "ok"),
    ]);
    let c = Call::new(f);
    assert_eq!(
        c.engine
            .contact()
            .attributes
            .get("price$")
            .map(String::as_str),
        Some("5")
    );
    let event = c.events.iter().find_map(|e| match &e.kind {
        TraceKind::LambdaInvoked { request, .. } => Some(request.clone()),
        _ => None,
    });
    assert_eq!(
        event.unwrap()["Details"]["ContactData"]["Attributes"]["price$"],
        "5"
    );
    assert!(c.events.iter().any(|e| matches!(&e.kind, TraceKind::Warning { message, .. } if message.contains("cannot read it back"))));
}

/// "Results in error if voice or engine are invalid" — APIReference
/// contact-actions-updatecontacttexttospeechvoice. Polly's voices are data
/// (`engine::voices`).
#[test]
fn an_invalid_voice_or_engine_is_an_error() {
    let set = |params: Value| {
        lambda_flow(vec![
            json!({"Identifier": "v", "Type": "UpdateContactTextToSpeechVoice",
            "Parameters": params,
            "Transitions": {"NextAction": "ok", "Errors": [{"NextAction": "failed", "ErrorType": "NoMatchingError"}]}}),
        ])
    };
    for (params, ok) in [
        (json!({"TextToSpeechVoice": "Joanna"}), true),
        (
            json!({"TextToSpeechVoice": "Léa", "TextToSpeechEngine": "neural"}),
            true,
        ),
        (json!({"TextToSpeechVoice": "NotAVoice"}), false),
        (
            json!({"TextToSpeechVoice": "Joanna", "TextToSpeechEngine": "turbo"}),
            false,
        ),
    ] {
        let mut c = Call::new(set(params.clone()));
        c.play_out();
        assert_eq!(c.said("all done"), ok, "{params}");
    }
    assert_eq!(
        flowsim::engine::voices::voice("lea").unwrap().language,
        "fr-FR"
    );
}

/// Issue 16 item 11, a documented decision (docs/semantics.md, "Store input"): the admin
/// guide's store-customer-input example (terminator `##`, keys `1#2#3*4###` → stored
/// `1#2#3*4#`) cannot come from any key-by-key rule; flowsim ends the input the moment
/// the terminator is typed, so it stores `1#2#3*4`, and the last `#`, pressed with no
/// input block waiting, is dropped.
#[test]
fn decision_the_terminator_ends_the_input_when_typed() {
    let f = flows(
        "s",
        json!([
            {"Identifier": "s", "Type": "GetParticipantInput",
             "Parameters": {"Text": "Enter", "StoreInput": "True", "InputTimeLimitSeconds": "5",
                "DTMFConfiguration": {"InputTerminationSequence": "##", "DisableCancelKey": "True"}},
             "Transitions": {"NextAction": "w", "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
            say("w", "thank you for entering that number", "bye"),
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
        ]),
    );
    let mut c = Call::new(f);
    for k in "1#2#3*4###".chars() {
        c.send(Input::Key(k), SimTime(2000));
    }
    assert_eq!(c.engine.contact().stored_input.as_deref(), Some("1#2#3*4"));
    assert_eq!(c.dropped(), vec!['#']);
}

/// Issue 16 item 11, a documented decision: under `STRING_MAP` ("key/value pairs of the
/// string type", adminguide connect-lambda-functions) a number value (`{"count":5}`) is
/// accepted and read as JSON prints it, with a warning naming the key — the flowsim
/// behaviour the seed flow's author relied on; a nested value takes the error branch.
#[test]
fn decision_string_map_accepts_a_number_with_a_warning() {
    let mut c = Call::new(lambda_flow(vec![lambda("f", Some("3"), "ok")]));
    c.send(
        Input::LambdaDone {
            call: 1,
            outcome: flowsim::engine::LambdaOutcome::Response {
                payload: r#"{"count":5}"#.into(),
            },
        },
        SimTime(100),
    );
    c.play_out();
    assert!(c.said("all done"));
    assert!(c.events.iter().any(
        |e| matches!(&e.kind, TraceKind::Warning { message, .. } if message.contains("count"))
    ));
}

/// A Store customer input block validating a phone number, its errors wired.
fn store_phone(validation: Value) -> FlowSet {
    flows(
        "s",
        json!([
            {"Identifier": "s", "Type": "GetParticipantInput",
             "Parameters": {"Text": "Your number?", "StoreInput": "True", "InputTimeLimitSeconds": "5",
                "InputValidation": {"PhoneNumberValidation": validation}},
             "Transitions": {"NextAction": "ok",
                "Errors": [{"NextAction": "invalid", "ErrorType": "InvalidPhoneNumber"},
                           {"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
            say("ok", "thanks", "bye"),
            say("invalid", "that is not a number", "bye"),
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
        ]),
    )
}

/// What the block stored for `keys` (then `#`), or `None` when it took InvalidPhoneNumber.
fn stored_phone(validation: Value, keys: &str) -> Option<String> {
    let mut c = Call::new(store_phone(validation));
    for k in keys.chars().chain(['#']) {
        c.send(Input::Key(k), SimTime(2000));
    }
    c.play_out();
    if c.said("that is not a number") {
        return None;
    }
    assert!(c.said("thanks"));
    c.engine.contact().stored_input.clone()
}

/// "E164 enforces … a fully defined e.164 phone number"; `CountryCode` is used "when
/// validating" a `Local` number — APIReference participant-actions-getparticipantinput.
/// flowsim checks both against libphonenumber's numbering plans (the `phonenumber` crate).
#[test]
fn phone_validation_follows_the_numbering_plan() {
    let local = |c: &str| json!({"NumberFormat": "Local", "CountryCode": c});
    let e164 = json!({"NumberFormat": "E164"});
    // A valid Philippine mobile number, dialed locally with its trunk 0.
    assert_eq!(
        stored_phone(local("PH"), "09171234567").as_deref(),
        Some("+639171234567")
    );
    // `12345678` is not a fully defined E.164 number (a +1 number has 10 digits).
    assert_eq!(stored_phone(e164.clone(), "12345678"), None);
    assert_eq!(
        stored_phone(e164, "442071234567").as_deref(),
        Some("+442071234567")
    );
    // An 11-digit number that is not British, and a British one with its trunk 0.
    assert_eq!(stored_phone(local("GB"), "12345678901"), None);
    assert_eq!(
        stored_phone(local("GB"), "02071234567").as_deref(),
        Some("+442071234567")
    );
    // US: 10 digits or 1 + 10; an area code that does not exist is refused.
    assert_eq!(
        stored_phone(local("US"), "13035551234").as_deref(),
        Some("+13035551234")
    );
    assert_eq!(stored_phone(local("US"), "1234567890"), None);
}

/// Numbers a flow dials are checked the same way: a third-party transfer to a number no
/// plan has fails (`CallFailed`), and so does a callback number (`InvalidCallbackNumber`)
/// — adminguide transfer-to-phone-number, set-callback-number.
#[test]
fn dialed_numbers_follow_the_numbering_plan() {
    let transfer = |number: &str| {
        flows(
            "x",
            json!([
                {"Identifier": "x", "Type": "TransferParticipantToThirdParty",
                 "Parameters": {"ThirdPartyPhoneNumber": number, "ContinueFlowExecution": "True",
                                "ThirdPartyConnectionTimeLimitSeconds": "30"},
                 "Transitions": {"NextAction": "ok", "Errors": [
                    {"NextAction": "invalid", "ErrorType": "CallFailed"},
                    {"NextAction": "bye", "ErrorType": "NoMatchingError"}]}},
                say("ok", "back", "bye"),
                say("invalid", "cannot dial", "bye"),
                {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
            ]),
        )
    };
    let callback = |number: &str| {
        flows(
            "n",
            json!([
                {"Identifier": "n", "Type": "UpdateContactCallbackNumber",
                 "Parameters": {"CallbackNumber": number},
                 "Transitions": {"NextAction": "ok", "Errors": [
                    {"NextAction": "invalid", "ErrorType": "InvalidCallbackNumber"},
                    {"NextAction": "bye", "ErrorType": "CallbackNumberNotDialable"}]}},
                say("ok", "back", "bye"),
                say("invalid", "cannot dial", "bye"),
                {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
            ]),
        )
    };
    for (number, valid) in [
        ("+442071234567", true),
        ("+639171234567", true),
        ("+12345678", false),
        ("+4420712345678", false),
    ] {
        for f in [transfer(number), callback(number)] {
            let mut c = Call::new(f);
            c.play_out();
            assert_eq!(c.said("back"), valid, "{number}");
            assert_eq!(c.said("cannot dial"), !valid, "{number}");
        }
    }
}

fn fail(c: &mut Call, call: u64, at: SimTime) {
    c.send(
        Input::LambdaDone {
            call,
            outcome: flowsim::engine::LambdaOutcome::FunctionError {
                message: "boom".into(),
            },
        },
        at,
    );
}

/// The attempts the trace says failed and were retried.
fn retried(c: &Call) -> Vec<u32> {
    c.events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::LambdaRetry { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .collect()
}

/// "If your Lambda invocation gets throttled, the request is retried. It is also retried
/// if a general service failure (500 error) happens. When a Lambda invocation returns an
/// error, Amazon Connect retries up to three times, for maximum until timeout specified.
/// At that point, the contact is routed down the Error branch" — adminguide
/// invoke-lambda-function-block (and connect-lambda-functions, "Invocation retry policy").
/// A function that fails twice, then succeeds, takes Success on its third attempt.
#[test]
fn a_failed_lambda_attempt_is_retried_up_to_3_times() {
    let mut c = Call::new(lambda_flow(vec![lambda("f", Some("3"), "ok")]));
    fail(&mut c, 1, SimTime(100));
    fail(&mut c, 1, SimTime(200));
    answer(&mut c, 1, SimTime(300));
    c.play_out();
    assert!(c.said("all done"));
    // Three attempts of one call, each given what is left of the 3 s.
    assert_eq!(c.attempts, vec![(1, 1, 3000), (1, 2, 2900), (1, 3, 2800)]);
    assert_eq!(retried(&c), vec![1, 2]);
    // Four failures: the error branch, after attempt 4.
    let mut c = Call::new(lambda_flow(vec![lambda("f", Some("3"), "ok")]));
    for t in 1..=4 {
        fail(&mut c, 1, SimTime(t * 100));
    }
    c.play_out();
    assert!(c.said("it failed"));
    assert_eq!(c.attempts.len(), 4);
    assert_eq!(retried(&c), vec![1, 2, 3]);
    // Throttling is retried; a refused invocation (access denied) and a response that
    // fails validation are not.
    for (outcome, attempts) in [
        (
            flowsim::engine::LambdaOutcome::InvokeError {
                cause: "TooManyRequestsException".into(),
                transient: true,
            },
            4,
        ),
        (
            flowsim::engine::LambdaOutcome::InvokeError {
                cause: "AccessDeniedException".into(),
                transient: false,
            },
            1,
        ),
        (
            flowsim::engine::LambdaOutcome::Response {
                payload: "not json".into(),
            },
            1,
        ),
    ] {
        let mut c = Call::new(lambda_flow(vec![lambda("f", Some("3"), "ok")]));
        while matches!(c.engine.status(), Status::AwaitingLambda { .. }) {
            c.send(
                Input::LambdaDone {
                    call: 1,
                    outcome: outcome.clone(),
                },
                SimTime(100),
            );
        }
        assert_eq!(c.attempts.len(), attempts, "{outcome:?}");
    }
}

/// The same page: retries happen "for maximum until timeout specified". An attempt that
/// fails late leaves the next one what is left; one that never answers spends the time
/// limit, and no attempt runs beyond it.
#[test]
fn lambda_retries_stay_within_the_time_limit() {
    let mut c = Call::new(lambda_flow(vec![lambda("f", Some("3"), "ok")]));
    fail(&mut c, 1, SimTime(2900));
    assert_eq!(c.attempts, vec![(1, 1, 3000), (1, 2, 100)]);
    let deadline = c.engine.next_deadline().unwrap();
    assert_eq!(deadline, SimTime::from_secs(3));
    c.send(Input::Tick, deadline);
    c.play_out();
    assert!(c.said("it failed"));
    assert_eq!(c.attempts.len(), 2, "no attempt after the time limit");
    // A failure at the limit itself is not retried.
    let mut c = Call::new(lambda_flow(vec![lambda("f", Some("3"), "ok")]));
    fail(&mut c, 1, SimTime::from_secs(3));
    c.play_out();
    assert!(c.said("it failed"));
    assert_eq!(c.attempts.len(), 1);
}

/// The retries end to end, through `.call` scripts and the real binary: canned answers
/// answer the attempts in turn; a side-effecting `exec:` program runs once per attempt
/// (four times when it always fails); `--lambda-retries 0` gives one attempt.
#[test]
fn lambda_retries_run_the_backend_once_per_attempt() {
    let flow = flow_text(
        "f",
        json!([
            lambda("f", Some("3"), "ok"),
            say("ok", "all done", "bye"),
            say("failed", "it failed", "bye"),
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
        ]),
    );
    let r = script(
        &flow,
        "lambda f = error\nlambda f = throttle\nlambda f = json:{}\nexpect \"all done\"\n",
    );
    assert!(r.passed(), "{:?}", r.outcome);
    let backends = r
        .events
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::LambdaBackend { .. }))
        .count();
    assert_eq!(backends, 3);
    let r = script(
        &flow,
        "env {\"lambda_retries\":0}\nlambda f = error\nlambda f = json:{}\nexpect \"it failed\"\n",
    );
    assert!(r.passed(), "{:?}", r.outcome);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.json"), &flow).unwrap();
    let runs = |extra: &[&str]| {
        let count = dir.path().join("count");
        let _ = std::fs::remove_file(&count);
        let mut args = vec![
            "run",
            "f.json",
            "--lambda",
            "f=exec:sh -c 'echo \"$FLOWSIM_LAMBDA_ATTEMPT\" >> count; exit 1'",
        ];
        args.extend_from_slice(extra);
        let out = common::run_in(dir.path(), dir.path(), &args);
        assert!(
            common::stdout(&out).contains("it failed"),
            "{}",
            common::stderr(&out)
        );
        std::fs::read_to_string(&count).unwrap_or_default()
    };
    assert_eq!(runs(&[]), "1\n2\n3\n4\n");
    assert_eq!(runs(&["--lambda-retries", "0"]), "1\n");
    let out = common::run_in(
        dir.path(),
        dir.path(),
        &[
            "run",
            "f.json",
            "--lambda",
            "f=error",
            "--lambda-retries",
            "4",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("at most 3"));
}
