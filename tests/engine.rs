//! Engine tests on small hand-built flows: every action type, every branch kind.
//! Pure: no tokio, no clock — the tests feed inputs and times directly.

use flowsim::engine::{
    CallConfig, Effect, EndReason, Engine, Input, InputMode, LambdaCall, LexCall, SimTime, Status,
    TraceEvent, TraceKind,
};
use flowsim::flow::{FlowSet, parse_str};
use flowsim::lambda::LambdaOutcome;
use serde_json::{Value, json};

/// A test call: the engine plus everything it said.
struct Call {
    engine: Engine,
    events: Vec<TraceEvent>,
    lambdas: Vec<LambdaCall>,
    lex: Vec<LexCall>,
    now: SimTime,
}

fn flow_json(start: &str, actions: Value) -> String {
    json!({"Version": "2019-10-30", "StartAction": start, "Actions": actions}).to_string()
}

fn set(start: &str, actions: Value) -> FlowSet {
    FlowSet::single(parse_str(&flow_json(start, actions), "test.json", "Test").expect("valid flow"))
}

impl Call {
    fn start(start: &str, actions: Value) -> Self {
        Self::with(set(start, actions), CallConfig::default())
    }

    fn with(flows: FlowSet, config: CallConfig) -> Self {
        let mut c = Self {
            engine: Engine::new(flows, config),
            events: Vec::new(),
            lambdas: Vec::new(),
            lex: Vec::new(),
            now: SimTime::ZERO,
        };
        c.send(Input::Start);
        c
    }

    /// Feed an input; Play prompts then play to their end (the caller listens), as
    /// the driver's virtual clock lets them.
    fn send(&mut self, input: Input) {
        let mut input = input;
        loop {
            for e in self.engine.handle(input, self.now) {
                match e {
                    Effect::Trace(t) => self.events.push(t),
                    Effect::InvokeLambda(l) => self.lambdas.push(l),
                    Effect::RecognizeText(l) => self.lex.push(l),
                }
            }
            match self.engine.status() {
                Status::Playing { deadline, .. } => {
                    self.now = deadline;
                    input = Input::Tick;
                }
                _ => break,
            }
        }
    }

    fn keys(&mut self, keys: &str) {
        for k in keys.chars() {
            self.send(Input::Key(k));
        }
    }

    /// Let time run to the next deadline.
    fn timeout(&mut self) {
        self.now = self.engine.next_deadline().expect("a deadline");
        self.send(Input::Tick);
    }

    fn answer(&mut self, payload: &str) {
        let call = self.lambdas.last().expect("a lambda call").call;
        self.send(Input::LambdaDone {
            call,
            outcome: LambdaOutcome::Response {
                payload: payload.into(),
            },
        });
    }

    /// How long the prompts so far took to say, in ms.
    fn spoken(&self) -> u64 {
        self.events
            .iter()
            .map(|e| match &e.kind {
                TraceKind::Prompt { duration_ms, .. } => *duration_ms,
                _ => 0,
            })
            .sum()
    }

    fn prompts(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Prompt { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// `(block id, branch label)` for every branch taken.
    fn branches(&self) -> Vec<(String, String)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::BranchTaken { block, branch, .. } => {
                    Some((block.id.clone(), branch.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn took(&self, block: &str, branch: &str) -> bool {
        self.branches()
            .iter()
            .any(|(b, br)| b == block && br == branch)
    }

    fn warnings(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Warning { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    fn end(&self) -> EndReason {
        self.engine.ended().cloned().expect("the call ended")
    }

    fn attr(&self, k: &str) -> Option<String> {
        self.engine.contact().attributes.get(k).cloned()
    }
}

fn say(id: &str, text: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": text}, "Transitions": {"NextAction": next}})
}

fn disconnect(id: &str) -> Value {
    json!({"Identifier": id, "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}})
}

fn eq(operand: &str, next: &str) -> Value {
    json!({"NextAction": next, "Condition": {"Operator": "Equals", "Operands": [operand]}})
}

fn err(kind: &str, next: &str) -> Value {
    json!({"NextAction": next, "ErrorType": kind})
}

fn menu(id: &str, conditions: Value, errors: Value) -> Value {
    json!({"Identifier": id, "Type": "GetParticipantInput",
           "Parameters": {"Text": "Press a key", "InputTimeLimitSeconds": "5", "StoreInput": "False"},
           "Transitions": {"NextAction": "default", "Conditions": conditions, "Errors": errors}})
}

// ---- MessageParticipant --------------------------------------------------------

#[test]
fn message_participant_every_prompt_kind() {
    let c = Call::start(
        "a",
        json!([
            say("a", "Hello   $.CustomerEndpoint.Address.", "b"),
            {"Identifier": "b", "Type": "MessageParticipant", "Parameters": {"SSML": "<speak>Dial <say-as interpret-as=\"characters\">ab</say-as></speak>"}, "Transitions": {"NextAction": "c"}},
            {"Identifier": "c", "Type": "MessageParticipant", "Parameters": {"PromptId": "arn:aws:connect:us-east-1:1:instance/x/prompt/p1"}, "Transitions": {"NextAction": "d"}},
            {"Identifier": "d", "Type": "MessageParticipant", "Parameters": {"Media": {"Uri": "s3://bucket/hello.wav", "SourceType": "S3", "MediaType": "Audio"}}, "Transitions": {}}
        ]),
    );
    assert_eq!(
        c.prompts(),
        [
            "Hello +15555550100.",
            "Dial a b",
            "[prompt: p1]",
            "[audio: s3://bucket/hello.wav]"
        ]
    );
    assert_eq!(
        c.end(),
        EndReason::Disconnected {
            detail: "flow ended without transfer".into()
        }
    );
}

#[test]
fn malformed_ssml_takes_no_matching_error() {
    let c = Call::start(
        "a",
        json!([
            {"Identifier": "a", "Type": "MessageParticipant", "Parameters": {"SSML": "<speak>oops <b></speak>"},
             "Transitions": {"NextAction": "x", "Errors": [err("NoMatchingError", "e")]}},
            say("x", "wrong", ""),
            say("e", "error path", "")
        ]),
    );
    assert!(c.took("a", "NoMatchingError"));
    assert_eq!(c.prompts(), ["error path"]);
}

#[test]
fn unresolved_reference_renders_empty_with_a_warning() {
    let c = Call::start("a", json!([say("a", "Hi $.Attributes.Name!", "")]));
    assert_eq!(c.prompts(), ["Hi!"]);
    assert!(
        c.warnings()[0].contains("$.Attributes.Name is not set"),
        "{:?}",
        c.warnings()
    );
}

// ---- GetParticipantInput, menu mode ----------------------------------------------

fn menu_flow() -> Value {
    json!([
        menu(
            "m",
            json!([eq("1", "one"), eq("2", "two")]),
            json!([
                err("InputTimeLimitExceeded", "late"),
                err("NoMatchingCondition", "bad"),
                err("NoMatchingError", "e")
            ])
        ),
        say("one", "one", ""),
        say("two", "two", ""),
        say("late", "late", ""),
        say("bad", "bad", ""),
        say("e", "e", ""),
        say("default", "default", "")
    ])
}

#[test]
fn menu_key_matches_condition() {
    let mut c = Call::start("m", menu_flow());
    assert!(matches!(
        c.engine.status(),
        Status::AwaitingInput {
            mode: InputMode::Menu,
            ..
        }
    ));
    // The input timer starts when the menu's prompt has been said.
    assert_eq!(c.engine.next_deadline(), Some(SimTime(5000 + c.spoken())));
    c.keys("2");
    assert!(c.took("m", "= 2"));
    assert_eq!(c.prompts().last().unwrap(), "two");
}

#[test]
fn menu_unknown_key_is_no_matching_condition() {
    let mut c = Call::start("m", menu_flow());
    c.keys("#");
    assert!(c.took("m", "NoMatchingCondition"));
}

#[test]
fn menu_timeout_is_input_time_limit_exceeded() {
    let mut c = Call::start("m", menu_flow());
    c.now = SimTime::from_secs(4);
    c.send(Input::Tick);
    assert!(c.branches().is_empty(), "no timeout before the deadline");
    c.timeout();
    assert!(c.took("m", "InputTimeLimitExceeded"));
    assert_eq!(c.prompts().last().unwrap(), "late");
}

#[test]
fn menu_silence_forces_the_timeout() {
    let mut c = Call::start("m", menu_flow());
    c.send(Input::Silence);
    assert!(c.took("m", "InputTimeLimitExceeded"));
}

#[test]
fn type_ahead_answers_the_next_menu() {
    let mut c = Call::start(
        "m1",
        json!([
            menu(
                "m1",
                json!([eq("1", "m2")]),
                json!([err("NoMatchingError", "e")])
            ),
            menu(
                "m2",
                json!([eq("2", "ok")]),
                json!([err("NoMatchingError", "e")])
            ),
            say("ok", "ok", ""),
            say("e", "e", ""),
            say("default", "default", "")
        ]),
    );
    c.keys("12");
    assert!(c.took("m1", "= 1"));
    assert!(c.took("m2", "= 2"));
    assert_eq!(c.prompts().last().unwrap(), "ok");
}

#[test]
fn missing_timeout_branch_falls_back_to_no_matching_error() {
    let mut c = Call::start(
        "m",
        json!([
            menu(
                "m",
                json!([eq("1", "e")]),
                json!([err("NoMatchingError", "e")])
            ),
            say("e", "fallback", ""),
            say("default", "d", "")
        ]),
    );
    c.timeout();
    assert!(c.took("m", "NoMatchingError"));
}

// ---- GetParticipantInput, store mode ---------------------------------------------

fn store(params: Value, errors: Value) -> Value {
    let mut p = json!({"Text": "Enter digits", "InputTimeLimitSeconds": "5", "StoreInput": "True"});
    p.as_object_mut()
        .unwrap()
        .extend(params.as_object().unwrap().clone());
    json!([
        {"Identifier": "s", "Type": "GetParticipantInput", "Parameters": p, "Transitions": {"NextAction": "ok", "Errors": errors}},
        {"Identifier": "ok", "Type": "MessageParticipant", "Parameters": {"Text": "got $.StoredCustomerInput"}, "Transitions": {}},
        say("invalid", "invalid", ""), say("late", "late", ""), say("e", "e", "")
    ])
}

#[test]
fn store_mode_terminator() {
    let mut c = Call::start("s", store(json!({}), json!([err("NoMatchingError", "e")])));
    c.keys("1234#");
    assert_eq!(c.prompts().last().unwrap(), "got 1234");
}

#[test]
fn store_mode_cancel_key_clears_and_collection_goes_on() {
    let mut c = Call::start("s", store(json!({}), json!([err("NoMatchingError", "e")])));
    c.keys("99*42#");
    assert_eq!(c.prompts().last().unwrap(), "got 42");
}

#[test]
fn store_mode_multi_character_terminator_with_cancel_disabled() {
    // The terminator ends input as soon as it is typed (a suffix match after each
    // key). Connect's documentation gives `1#2#3*4###` → `1#2#3*4#`, which no
    // key-by-key rule reproduces; see the README.
    let mut c = Call::start(
        "s",
        store(
            json!({"DTMFConfiguration": {"InputTerminationSequence": "##", "DisableCancelKey": "True"}}),
            json!([err("NoMatchingError", "e")]),
        ),
    );
    c.keys("1#2#3*4##");
    assert_eq!(c.prompts().last().unwrap(), "got 1#2#3*4");
}

#[test]
fn store_mode_maximum_length_ends_input() {
    let mut c = Call::start(
        "s",
        store(
            json!({"InputValidation": {"CustomValidation": {"MaximumLength": "3"}}}),
            json!([err("NoMatchingError", "e")]),
        ),
    );
    c.keys("123");
    assert_eq!(c.prompts().last().unwrap(), "got 123");
}

#[test]
fn store_mode_interdigit_timeout_keeps_digits() {
    let mut c = Call::start(
        "s",
        store(
            json!({"DTMFConfiguration": {"InterdigitTimeLimitSeconds": "3"}}),
            json!([err("NoMatchingError", "e")]),
        ),
    );
    c.now = SimTime::from_secs(2);
    c.keys("77");
    assert_eq!(c.engine.next_deadline(), Some(SimTime::from_secs(5)));
    c.timeout();
    assert_eq!(c.prompts().last().unwrap(), "got 77");
}

#[test]
fn store_mode_no_input_succeeds_with_timeout_value() {
    let mut c = Call::start("s", store(json!({}), json!([err("NoMatchingError", "e")])));
    c.timeout();
    assert!(c.took("s", "Next"));
    assert_eq!(c.prompts().last().unwrap(), "got Timeout");
}

#[test]
fn store_mode_declared_timeout_branch_is_honoured() {
    let mut c = Call::start(
        "s",
        store(
            json!({}),
            json!([
                err("InputTimeLimitExceeded", "late"),
                err("NoMatchingError", "e")
            ]),
        ),
    );
    c.timeout();
    assert!(c.took("s", "InputTimeLimitExceeded"));
}

#[test]
fn phone_validation_local_us() {
    let phone = json!({"InputValidation": {"PhoneNumberValidation": {"NumberFormat": "Local", "CountryCode": "US"}}});
    let errors = json!([
        err("InvalidPhoneNumber", "invalid"),
        err("NoMatchingError", "e")
    ]);
    let mut c = Call::start("s", store(phone.clone(), errors.clone()));
    c.keys("3035551234#");
    assert_eq!(c.prompts().last().unwrap(), "got +13035551234");
    let mut c = Call::start("s", store(phone.clone(), errors.clone()));
    c.keys("13035551234#");
    assert_eq!(c.prompts().last().unwrap(), "got +13035551234");
    let mut c = Call::start("s", store(phone, errors));
    c.keys("12#");
    assert!(c.took("s", "InvalidPhoneNumber"));
    assert_eq!(c.prompts().last().unwrap(), "invalid");
}

#[test]
fn phone_validation_e164() {
    let mut c = Call::start(
        "s",
        store(
            json!({"InputValidation": {"PhoneNumberValidation": {"NumberFormat": "E164"}}}),
            json!([
                err("InvalidPhoneNumber", "invalid"),
                err("NoMatchingError", "e")
            ]),
        ),
    );
    c.keys("442071234567#");
    assert_eq!(c.prompts().last().unwrap(), "got +442071234567");
}

// ---- InvokeLambdaFunction ----------------------------------------------------------

fn lambda_flow(response_type: &str, limit: &str) -> Value {
    json!([
        {"Identifier": "set", "Type": "UpdateContactAttributes", "Parameters": {"Attributes": {"TargetNumber": "+13035551234"}},
         "Transitions": {"NextAction": "l"}},
        {"Identifier": "l", "Type": "InvokeLambdaFunction",
         "Parameters": {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:my-fn:live",
                        "InvocationTimeLimitSeconds": limit,
                        "LambdaInvocationAttributes": {"Mode": "fast", "Who": "$.CustomerEndpoint.Address"},
                        "ResponseValidation": {"ResponseType": response_type}},
         "Transitions": {"NextAction": "ok", "Errors": [err("NoMatchingError", "e")]}},
        {"Identifier": "ok", "Type": "MessageParticipant", "Parameters": {"Text": "a=$.External.a b=$.External.n.b"}, "Transitions": {}},
        say("e", "lambda failed", "")
    ])
}

#[test]
fn lambda_event_is_shaped_as_connect_sends_it() {
    let c = Call::start("set", lambda_flow("STRING_MAP", "3"));
    let call = &c.lambdas[0];
    assert_eq!(call.request.function_name, "my-fn");
    assert_eq!(call.request.time_limit.as_secs(), 3);
    let ev = &call.request.event;
    assert_eq!(ev["Name"], "ContactFlowEvent");
    assert_eq!(
        ev["Details"]["ContactData"]["Attributes"]["TargetNumber"],
        "+13035551234"
    );
    assert_eq!(
        ev["Details"]["ContactData"]["CustomerEndpoint"]["Address"],
        "+15555550100"
    );
    assert_eq!(ev["Details"]["ContactData"]["Channel"], "VOICE");
    assert_eq!(
        ev["Details"]["Parameters"],
        json!({"Mode": "fast", "Who": "+15555550100"})
    );
    assert_eq!(c.engine.next_deadline(), Some(SimTime::from_secs(3)));
}

/// A nested `LambdaInvocationAttributes` value (AWS's configurable-workspace sample
/// passes `{"0": "Line_Of_Business", …}`) loads, and reaches the function as JSON with
/// each text leaf resolved; `{"Value": …}` wrappers are unwrapped as for attributes.
#[test]
fn lambda_nested_invocation_attributes_reach_the_function_as_json() {
    let flow = json!([
        {"Identifier": "l", "Type": "InvokeLambdaFunction",
         "Parameters": {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:f",
                        "LambdaInvocationAttributes": {
                            "Keys": {"0": "Line_Of_Business", "1": "$.CustomerEndpoint.Address"},
                            "List": ["a", 2, true],
                            "Wrapped": {"Value": "w"}}},
         "Transitions": {"NextAction": "x", "Errors": [err("NoMatchingError", "x")]}},
        disconnect("x")
    ]);
    let c = Call::start("l", flow);
    assert_eq!(
        c.lambdas[0].request.event["Details"]["Parameters"],
        json!({"Keys": {"0": "Line_Of_Business", "1": "+15555550100"},
               "List": ["a", "2", "True"], "Wrapped": "w"})
    );
}

#[test]
fn lambda_string_map_success_and_nested_refusal() {
    let mut c = Call::start("set", lambda_flow("STRING_MAP", "8"));
    c.answer(r#"{"a":"yes"}"#);
    assert_eq!(c.prompts().last().unwrap(), "a=yes b=");
    let mut c = Call::start("set", lambda_flow("STRING_MAP", "8"));
    c.answer(r#"{"a":"yes","n":{"b":"deep"}}"#);
    assert!(c.took("l", "NoMatchingError"));
    assert_eq!(c.prompts().last().unwrap(), "lambda failed");
}

#[test]
fn lambda_json_nested_values_are_readable() {
    let mut c = Call::start("set", lambda_flow("JSON", "8"));
    c.answer(r#"{"a":"yes","n":{"b":"deep"}}"#);
    assert_eq!(c.prompts().last().unwrap(), "a=yes b=deep");
}

#[test]
fn lambda_non_string_values_warn_naming_the_key() {
    let mut c = Call::start("set", lambda_flow("STRING_MAP", "8"));
    c.answer(r#"{"a":true}"#);
    assert_eq!(c.prompts().last().unwrap(), "a=true b=");
    assert!(
        c.warnings().iter().any(|w| w.contains("\"a\"")),
        "{:?}",
        c.warnings()
    );
    assert!(
        c.warnings().iter().any(|w| w.contains("$.External.a")),
        "{:?}",
        c.warnings()
    );
    // The wording shows the difference: a boolean is not the text a flow compares.
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.contains("as true (a boolean), not text")
                && w.contains("Equals \"True\" would not match")),
        "{:?}",
        c.warnings()
    );
    let mut c = Call::start("set", lambda_flow("STRING_MAP", "8"));
    c.answer(r#"{"a":3}"#);
    assert!(
        c.warnings()
            .iter()
            .any(|w| w.contains("\"a\" as 3 (a number), not the text \"3\"")),
        "{:?}",
        c.warnings()
    );
}

#[test]
fn lambda_failures_take_the_error_branch() {
    for outcome in [
        LambdaOutcome::FunctionError {
            message: "boom".into(),
        },
        LambdaOutcome::InvokeError {
            cause: "throttled".into(),
            transient: true,
        },
        LambdaOutcome::InvokeError {
            cause: "AccessDeniedException".into(),
            transient: false,
        },
        LambdaOutcome::Response {
            payload: "not json".into(),
        },
        LambdaOutcome::Response {
            payload: format!(r#"{{"a":"{}"}}"#, "x".repeat(33_000)),
        },
    ] {
        let mut c = Call::start("set", lambda_flow("JSON", "8"));
        let call = c.lambdas[0].call;
        // An error Connect retries is answered by each of the four attempts.
        while matches!(c.engine.status(), Status::AwaitingLambda { .. }) {
            c.send(Input::LambdaDone {
                call,
                outcome: outcome.clone(),
            });
        }
        let attempts = c.lambdas.len();
        let retried = flowsim::engine::retried_error(&outcome).is_some();
        assert_eq!(attempts, if retried { 4 } else { 1 }, "{outcome:?}");
        assert!(c.took("l", "NoMatchingError"), "{outcome:?}");
    }
}

#[test]
fn lambda_time_limit_and_late_answers() {
    let mut c = Call::start("set", lambda_flow("JSON", "2"));
    let call = c.lambdas[0].call;
    let invoked = c.now;
    c.timeout();
    let failed_at = c.events.iter().find_map(|e| match &e.kind {
        TraceKind::BranchTaken { block, branch, .. }
            if block.id == "l" && branch == "NoMatchingError" =>
        {
            Some(e.at)
        }
        _ => None,
    });
    assert_eq!(failed_at, Some(invoked.plus_secs(2)));
    // The late answer is ignored.
    let before = c.branches().len();
    c.send(Input::LambdaDone {
        call,
        outcome: LambdaOutcome::Response {
            payload: "{}".into(),
        },
    });
    assert_eq!(c.branches().len(), before);
    assert_eq!(c.prompts(), ["lambda failed"]);
}

#[test]
fn lambda_time_limit_outside_range_is_clamped_with_warning() {
    let c = Call::start("set", lambda_flow("JSON", "30"));
    assert_eq!(c.lambdas[0].request.time_limit.as_secs(), 8);
    assert!(c.warnings()[0].contains("outside 1–8"));
}

#[test]
fn each_invocation_replaces_external() {
    let mut c = Call::start(
        "l1",
        json!([
            {"Identifier": "l1", "Type": "InvokeLambdaFunction", "Parameters": {"LambdaFunctionARN": "f1"}, "Transitions": {"NextAction": "l2"}},
            {"Identifier": "l2", "Type": "InvokeLambdaFunction", "Parameters": {"LambdaFunctionARN": "f2"}, "Transitions": {"NextAction": "s"}},
            say("s", "[$.External.first][$.External.second]", "")
        ]),
    );
    c.answer(r#"{"first":"1"}"#);
    c.answer(r#"{"second":"2"}"#);
    assert_eq!(c.prompts(), ["[][2]"]);
}

// ---- Compare --------------------------------------------------------------------------

#[test]
fn compare_every_operator() {
    let cases = [
        ("Equals", "abc", "abc", true),
        ("Equals", "abc", "ABC", false),
        ("TextStartsWith", "abc", "ab", true),
        ("TextEndsWith", "abc", "bc", true),
        ("TextContains", "abc", "b", true),
        ("TextContains", "abc", "z", false),
        ("NumberGreaterThan", "10", "9", true),
        ("NumberGreaterOrEqualTo", "9", "9", true),
        ("NumberLessThan", "2.5", "3", true),
        ("NumberLessOrEqualTo", "4", "3", false),
        ("NumberLessThan", "abc", "3", false),
        ("NumericLessThan", "1", "3", true),
    ];
    for (op, value, operand, expect) in cases {
        let c = Call::start(
            "set",
            json!([
                {"Identifier": "set", "Type": "UpdateContactAttributes", "Parameters": {"Attributes": {"v": value}}, "Transitions": {"NextAction": "cmp"}},
                {"Identifier": "cmp", "Type": "Compare", "Parameters": {"ComparisonValue": "$.Attributes.v"},
                 "Transitions": {"NextAction": "no", "Conditions": [{"NextAction": "yes", "Condition": {"Operator": op, "Operands": [operand]}}],
                                 "Errors": [err("NoMatchingCondition", "no")]}},
                say("yes", "yes", ""), say("no", "no", "")
            ]),
        );
        let got = c.prompts()[0] == "yes";
        assert_eq!(got, expect, "{value} {op} {operand}");
    }
}

#[test]
fn compare_missing_value_is_no_matching_condition() {
    let c = Call::start(
        "cmp",
        json!([
            {"Identifier": "cmp", "Type": "Compare", "Parameters": {"ComparisonValue": "$.Attributes.nothing"},
             "Transitions": {"NextAction": "x", "Conditions": [eq("", "yes")], "Errors": [err("NoMatchingCondition", "no")]}},
            say("yes", "yes", ""), say("no", "no", ""), say("x", "x", "")
        ]),
    );
    assert!(c.took("cmp", "NoMatchingCondition"));
    assert_eq!(c.prompts(), ["no"]);
}

// ---- Loop -------------------------------------------------------------------------------

#[test]
fn loop_continues_count_times_then_done_once_then_resets() {
    let mut c = Call::start(
        "m",
        json!([
            menu("m", json!([eq("1", "loop")]), json!([err("NoMatchingError", "e")])),
            {"Identifier": "loop", "Type": "Loop", "Parameters": {"LoopCount": "2"},
             "Transitions": {"NextAction": "done", "Conditions": [eq("ContinueLooping", "body"), eq("DoneLooping", "done")]}},
            say("body", "body", "loop"),
            say("done", "done", "m"),
            say("e", "e", ""), say("default", "d", "")
        ]),
    );
    c.keys("1");
    assert_eq!(c.prompts()[1..], ["body", "body", "done", "Press a key"]);
    c.keys("1");
    assert_eq!(
        c.prompts()[5..],
        ["body", "body", "done", "Press a key"],
        "counter reset after DoneLooping"
    );
}

#[test]
fn loop_count_zero_is_done_at_once() {
    let c = Call::start(
        "loop",
        json!([
            {"Identifier": "loop", "Type": "Loop", "Parameters": {"LoopCount": 0},
             "Transitions": {"NextAction": "done", "Conditions": [eq("ContinueLooping", "body"), eq("DoneLooping", "done")]}},
            say("body", "body", "loop"), say("done", "done", "")
        ]),
    );
    assert_eq!(c.prompts(), ["done"]);
}

// ---- attributes --------------------------------------------------------------------------

#[test]
fn update_contact_and_flow_attributes() {
    let c = Call::start(
        "a",
        json!([
            {"Identifier": "a", "Type": "UpdateContactAttributes",
             "Parameters": {"Attributes": {"Caller": "$.CustomerEndpoint.Address", "Greeting": "Hi $.CustomerEndpoint.Address!"}, "TargetContact": "Current"},
             "Transitions": {"NextAction": "f", "Errors": [err("NoMatchingError", "e")]}},
            {"Identifier": "f", "Type": "UpdateFlowAttributes", "Parameters": {"FlowAttributes": {"Step": {"Value": "two"}}},
             "Transitions": {"NextAction": "s"}},
            say("s", "$.Attributes.Greeting $.FlowAttributes.Step", ""), say("e", "e", "")
        ]),
    );
    assert_eq!(c.attr("Caller").as_deref(), Some("+15555550100"));
    assert_eq!(c.prompts(), ["Hi +15555550100! two"]);
}

#[test]
fn bad_attribute_key_sets_nothing_and_errors() {
    let c = Call::start(
        "a",
        json!([
            {"Identifier": "a", "Type": "UpdateContactAttributes", "Parameters": {"Attributes": {"ok": "1", "bad.key": "2"}},
             "Transitions": {"NextAction": "s", "Errors": [err("NoMatchingError", "e")]}},
            say("s", "s", ""), say("e", "e", "")
        ]),
    );
    assert!(c.took("a", "NoMatchingError"));
    assert_eq!(c.attr("ok"), None);
}

// ---- hours, contact settings ---------------------------------------------------------------

fn hours_flow() -> Value {
    json!([
        {"Identifier": "h", "Type": "CheckHoursOfOperation", "Parameters": {"HoursOfOperationId": "arn:hours"},
         "Transitions": {"NextAction": "closed", "Conditions": [eq("True", "open"), eq("False", "closed")], "Errors": [err("NoMatchingError", "e")]}},
        say("open", "open", ""), say("closed", "closed", ""), say("e", "e", "")
    ])
}

#[test]
fn check_hours_open_and_closed() {
    let c = Call::start("h", hours_flow());
    assert_eq!(c.prompts(), ["open"]);
    let c = Call::with(
        set("h", hours_flow()),
        CallConfig {
            hours_open: false,
            ..CallConfig::default()
        },
    );
    assert_eq!(c.prompts(), ["closed"]);
    assert!(c.took("h", "= False"));
}

#[test]
fn check_hours_without_id_or_queue_is_an_error() {
    let c = Call::start(
        "h",
        json!([
            {"Identifier": "h", "Type": "CheckHoursOfOperation", "Parameters": {},
             "Transitions": {"Conditions": [eq("True", "x"), eq("False", "x")], "Errors": [err("NoMatchingError", "e")]}},
            say("x", "x", ""), say("e", "e", "")
        ]),
    );
    assert_eq!(c.prompts(), ["e"]);
}

#[test]
fn contact_settings_are_traced() {
    let c = Call::start(
        "v",
        json!([
            {"Identifier": "v", "Type": "UpdateContactTextToSpeechVoice", "Parameters": {"TextToSpeechVoice": "Matthew"}, "Transitions": {"NextAction": "r"}},
            {"Identifier": "r", "Type": "UpdateContactRecordingBehavior", "Parameters": {"RecordingBehavior": {"RecordedParticipants": ["Agent"]}}, "Transitions": {"NextAction": "l"}},
            {"Identifier": "l", "Type": "UpdateFlowLoggingBehavior", "Parameters": {"FlowLoggingBehavior": "Disabled"}, "Transitions": {"NextAction": "d"}},
            {"Identifier": "d", "Type": "UpdateContactData", "Parameters": {"LanguageCode": "en-GB", "Name": "Vanity"}, "Transitions": {"NextAction": "s"}},
            say("s", "$.TextToSpeechVoiceId $.LanguageCode $.Name", "")
        ]),
    );
    assert_eq!(c.prompts(), ["Matthew en-GB Vanity"]);
    assert!(!c.engine.contact().logging);
    assert!(c.engine.contact().recording.is_some());
}

// ---- queues and transfers -----------------------------------------------------------------

fn queue_flow(set_queue: bool) -> Value {
    let first = if set_queue { "q" } else { "t" };
    json!([
        {"Identifier": "start", "Type": "MessageParticipant", "Parameters": {"Text": "hi"}, "Transitions": {"NextAction": first}},
        {"Identifier": "q", "Type": "UpdateContactTargetQueue",
         "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/q1"},
         "Transitions": {"NextAction": "t", "Errors": [err("NoMatchingError", "e")]}},
        {"Identifier": "t", "Type": "TransferContactToQueue", "Parameters": {},
         "Transitions": {"NextAction": "e", "Errors": [err("QueueAtCapacity", "full"), err("NoMatchingError", "e")]}},
        say("full", "full", ""), say("e", "no queue", "")
    ])
}

#[test]
fn transfer_to_queue_waits_in_queue_until_an_agent_answers() {
    // The default customer queue flow plays; the default queue's agent answers
    // after 30 s (tests/queue.rs has the rest).
    let mut c = Call::start("start", queue_flow(true));
    assert!(matches!(c.engine.status(), Status::InQueue { ref queue, .. } if queue == "q1"));
    while c.engine.ended().is_none() {
        c.timeout();
    }
    assert_eq!(
        c.end(),
        EndReason::Agent {
            queue: "q1".into(),
            waited_ms: 30_000
        }
    );
    let c = Call::start("start", queue_flow(false));
    assert_eq!(c.prompts().last().unwrap(), "no queue");
    let c = Call::with(
        set("start", queue_flow(true)),
        CallConfig {
            queue_at_capacity: true,
            ..CallConfig::default()
        },
    );
    assert!(c.took("t", "QueueAtCapacity"));
}

#[test]
fn transfer_to_flow_and_modules_across_files() {
    let main = parse_str(
        &flow_json(
            "a",
            json!([
                {"Identifier": "a", "Type": "UpdateFlowAttributes", "Parameters": {"FlowAttributes": {"x": "1"}}, "Transitions": {"NextAction": "m"}},
                {"Identifier": "m", "Type": "InvokeFlowModule", "Parameters": {"FlowModuleId": "arn:aws:connect:us-east-1:1:instance/i/flow-module/mod-1"},
                 "Transitions": {"NextAction": "after", "Errors": [err("NoMatchingError", "e")]}},
                say("after", "back in main [$.FlowAttributes.x]", "t"),
                {"Identifier": "t", "Type": "TransferToFlow", "Parameters": {"ContactFlowId": "arn:aws:connect:us-east-1:1:instance/i/contact-flow/Other"},
                 "Transitions": {"NextAction": "e", "Errors": [err("NoMatchingError", "e")]}},
                say("e", "error", "")
            ]),
        ),
        "main.json",
        "Main",
    )
    .unwrap();
    let module = parse_str(
        &json!({"Version": "2019-10-30", "StartAction": "s", "Metadata": {"name": "Module", "id": "mod-1", "type": "contactFlowModule"},
                "Settings": {"Transitions": [{"DisplayName": "Success", "ReferenceName": "Success"}]},
                "Actions": [say("s", "in module", "end"), {"Identifier": "end", "Type": "EndFlowModuleExecution", "Parameters": {}, "Transitions": {}}]})
        .to_string(),
        "dir/Module.json",
        "Module",
    )
    .unwrap();
    let other = parse_str(
        &flow_json("o", json!([say("o", "in other [$.FlowAttributes.x]", "")])),
        "dir/Other.json",
        "Other",
    )
    .unwrap();
    let flows = FlowSet {
        main: std::sync::Arc::new(main),
        others: vec![std::sync::Arc::new(module), std::sync::Arc::new(other)],
        skipped: Vec::new(),
    };
    let c = Call::with(flows, CallConfig::default());
    assert_eq!(
        c.prompts(),
        ["in module", "back in main [1]", "in other []"]
    );
    let moves: Vec<String> = c
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::FlowChanged { to, how, .. } => Some(format!("{how}:{to}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        moves,
        ["module:Module", "module returned:Main", "transfer:Other"]
    );
}

#[test]
fn transfer_to_unknown_flow_is_an_error() {
    let c = Call::start(
        "t",
        json!([
            {"Identifier": "t", "Type": "TransferToFlow", "Parameters": {"ContactFlowId": "arn:x/contact-flow/missing"},
             "Transitions": {"Errors": [err("NoMatchingError", "e")]}},
            say("e", "error", "")
        ]),
    );
    assert_eq!(c.prompts(), ["error"]);
    assert!(c.events.iter().any(
        |e| matches!(&e.kind, TraceKind::BranchTaken { reason, .. } if reason.contains("--flows"))
    ));
}

// ---- endings -----------------------------------------------------------------------------

#[test]
fn disconnect_and_end_flow_execution() {
    let c = Call::start("d", json!([disconnect("d")]));
    assert_eq!(c.end().keyword(), "disconnected");
    let c = Call::start(
        "x",
        json!([{"Identifier": "x", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}}]),
    );
    // In an inbound flow it disconnects (adminguide end-flow-resume; issue 16 item 7).
    assert_eq!(c.end().keyword(), "disconnected");
}

#[test]
fn hangup_ends_the_call_at_once() {
    let mut c = Call::start("m", menu_flow());
    c.send(Input::Hangup);
    assert_eq!(c.end(), EndReason::Hangup);
    c.keys("1");
    assert!(c.branches().is_empty());
}

#[test]
fn runaway_loop_hits_the_step_budget() {
    let c = Call::start("a", json!([say("a", "a", "b"), say("b", "b", "a")]));
    assert_eq!(c.end(), EndReason::Budget { steps: 1000 });
}

#[test]
fn missing_error_branch_ends_the_flow() {
    let mut c = Call::start(
        "set",
        json!([
            {"Identifier": "set", "Type": "InvokeLambdaFunction", "Parameters": {"LambdaFunctionARN": "f"}, "Transitions": {"NextAction": "ok"}},
            say("ok", "ok", "")
        ]),
    );
    let call = c.lambdas[0].call;
    while matches!(c.engine.status(), Status::AwaitingLambda { .. }) {
        c.send(Input::LambdaDone {
            call,
            outcome: LambdaOutcome::FunctionError {
                message: "x".into(),
            },
        });
    }
    assert!(c.took("set", "NoMatchingError (no branch)"));
    assert_eq!(c.end().keyword(), "disconnected");
}

// ---- distribution, Lex, unknown types ------------------------------------------------------

fn distribute_flow() -> Value {
    json!([
        {"Identifier": "d", "Type": "DistributeByPercentage", "Parameters": {},
         "Transitions": {"NextAction": "c", "Conditions": [
            {"NextAction": "a", "Condition": {"Operator": "NumberLessThan", "Operands": ["31"]}},
            {"NextAction": "b", "Condition": {"Operator": "NumberLessThan", "Operands": ["81"]}}],
          "Errors": [err("NoMatchingCondition", "c")]}},
        say("a", "a", ""), say("b", "b", ""), say("c", "c", "")
    ])
}

#[test]
fn distribute_by_percentage_is_seeded() {
    let run = |seed| {
        Call::with(
            set("d", distribute_flow()),
            CallConfig {
                seed,
                ..CallConfig::default()
            },
        )
        .prompts()[0]
            .clone()
    };
    assert_eq!(run(7), run(7));
    let mut counts = std::collections::HashMap::new();
    for seed in 0..300 {
        *counts.entry(run(seed)).or_insert(0) += 1;
    }
    // 30% / 50% / 20%, loosely.
    assert!((60..=120).contains(&counts["a"]), "{counts:?}");
    assert!((110..=190).contains(&counts["b"]), "{counts:?}");
    assert!((30..=90).contains(&counts["c"]), "{counts:?}");
}

#[test]
fn lex_bot_intent_comes_from_input() {
    let mut c = Call::start(
        "lex",
        json!([
            {"Identifier": "lex", "Type": "ConnectParticipantWithLexBot",
             "Parameters": {"Text": "How can I help?", "LexV2Bot": {"AliasArn": "arn:aws:lex:us-east-1:1:bot-alias/B/A"}},
             "Transitions": {"Conditions": [eq("Billing", "billing")], "Errors": [err("NoMatchingCondition", "other"), err("NoMatchingError", "other")]}},
            say("billing", "billing $.Lex.IntentName", ""), say("other", "other", "")
        ]),
    );
    assert!(matches!(
        c.engine.status(),
        Status::AwaitingInput {
            mode: InputMode::Lex,
            ..
        }
    ));
    c.send(Input::Utterance("Billing".into()));
    assert_eq!(c.prompts(), ["How can I help?", "billing Billing"]);
}

#[test]
fn unknown_type_warns_once_and_takes_the_error_branch_or_stops_in_strict_mode() {
    // A type the catalogue does not know (a typo, or a type newer than flowsim): one
    // warning, the error branch (else the flow ends); `--strict` stops the call.
    let actions = json!([
        {"Identifier": "u", "Type": "PlayPromptX", "Parameters": {},
         "Transitions": {"NextAction": "s", "Errors": [err("NoMatchingError", "e")]}},
        say("s", "after", ""),
        {"Identifier": "e", "Type": "PlayPromptX", "Parameters": {},
         "Transitions": {"Errors": [err("NoMatchingError", "f")]}},
        say("f", "error branch", "")
    ]);
    let c = Call::start("u", actions.clone());
    assert_eq!(c.prompts(), ["error branch"]);
    assert_eq!(c.warnings().len(), 1, "{:?}", c.warnings());
    assert!(c.warnings()[0].contains("PlayPromptX"));
    let c = Call::with(
        set("u", actions),
        CallConfig {
            strict: true,
            ..CallConfig::default()
        },
    );
    assert_eq!(c.end().keyword(), "stopped");
    let c = Call::start(
        "u",
        json!([{"Identifier": "u", "Type": "PlayPromptX", "Parameters": {}, "Transitions": {"NextAction": "s"}}, say("s", "after", "")]),
    );
    assert_eq!(
        c.end().keyword(),
        "disconnected",
        "no error branch: the flow ends"
    );
}

#[test]
fn step_mode_runs_one_block_per_step() {
    let flows = set("a", json!([say("a", "a", "b"), say("b", "b", "")]));
    let mut engine = Engine::new(flows, CallConfig::default());
    engine.set_stepping(true);
    engine.handle(Input::Start, SimTime::ZERO);
    assert!(matches!(engine.status(), Status::Paused { .. }));
    assert!(matches!(engine.status(), Status::Paused { ref next } if next.id == "a"));
    engine.handle(Input::Step, SimTime::ZERO);
    // "a" takes a quarter second to say; then the call stands before "b".
    assert!(
        matches!(engine.status(), Status::Playing { ref block, deadline } if block.id == "a" && deadline == SimTime(250))
    );
    engine.handle(Input::Tick, SimTime(250));
    assert!(matches!(engine.status(), Status::Paused { ref next } if next.id == "b"));
    engine.handle(Input::Step, SimTime(250));
    engine.handle(Input::Tick, SimTime(500));
    assert!(matches!(engine.status(), Status::Ended(_)));
}

#[test]
fn same_inputs_same_trace() {
    let run = || {
        let mut c = Call::start("m", menu_flow());
        c.keys("1");
        serde_json::to_string(&c.events).unwrap()
    };
    assert_eq!(run(), run());
}

// ---- Dead branches (what coverage leaves out) --------------------------------------------

/// `dead_branches` of one block of a flow.
fn dead(flows: &FlowSet, id: &str) -> Vec<String> {
    let b = flows.main.blocks.iter().find(|b| b.id == id).unwrap();
    flowsim::engine::dead_branches(b)
        .into_iter()
        .map(|d| d.branch.label())
        .collect()
}

#[test]
fn dead_branches_are_the_ones_the_engine_never_takes() {
    // A menu without NoMatchingCondition: an unexpected key takes Next, so Next is live.
    let live = json!([
        {"Identifier": "m", "Type": "GetParticipantInput",
         "Parameters": {"Text": "Press", "InputTimeLimitSeconds": "5", "StoreInput": "False"},
         "Transitions": {"NextAction": "d", "Conditions": [eq("1", "d")],
                         "Errors": [err("InputTimeLimitExceeded", "d"), err("NoMatchingError", "d")]}},
        say("d", "d", "")
    ]);
    assert!(dead(&set("m", live.clone()), "m").contains(&"NoMatchingError".to_owned()));
    assert!(!dead(&set("m", live.clone()), "m").contains(&"Next".to_owned()));
    let mut c = Call::start("m", live);
    c.keys("7");
    assert!(c.took("m", "Next"));

    // With NoMatchingCondition, Next is dead: the same key takes NoMatchingCondition.
    let wired = json!([
        {"Identifier": "m", "Type": "GetParticipantInput",
         "Parameters": {"SSML": "<speak>Press $.Attributes.x</speak>", "InputTimeLimitSeconds": "5", "StoreInput": "False"},
         "Transitions": {"NextAction": "d", "Conditions": [eq("1", "d")],
                         "Errors": [err("NoMatchingCondition", "d"), err("NoMatchingError", "d")]}},
        say("d", "d", "")
    ]);
    // SSML with a reference may break, and silence has no branch of its own:
    // NoMatchingError stays live.
    assert_eq!(dead(&set("m", wired.clone()), "m"), ["Next"]);
    let mut c = Call::start("m", wired);
    c.keys("7");
    assert!(c.took("m", "NoMatchingCondition"));

    // A Loop with both results never takes Next; with one, it does.
    let looping = |conds: Value| {
        json!([
            {"Identifier": "l", "Type": "Loop", "Parameters": {"LoopCount": "1"},
             "Transitions": {"NextAction": "d", "Conditions": conds}},
            say("d", "d", "")
        ])
    };
    let both = looping(json!([eq("ContinueLooping", "d"), eq("DoneLooping", "d")]));
    assert_eq!(dead(&set("l", both), "l"), ["Next"]);
    let one = looping(json!([eq("DoneLooping", "d")]));
    assert!(dead(&set("l", one.clone()), "l").is_empty());
    assert!(Call::start("l", one).took("l", "Next"));
}

#[test]
fn a_lex_block_with_no_matching_condition_never_takes_next_and_a_failing_bot_takes_the_error() {
    let lex = |errors: Value| {
        json!([
            {"Identifier": "b", "Type": "ConnectParticipantWithLexBot",
             "Parameters": {"Text": "How can I help?", "LexV2Bot": {"AliasArn": "arn:aws:lex:us-east-1:1:bot-alias/B/A"}},
             "Transitions": {"NextAction": "next", "Conditions": [eq("Order", "order")], "Errors": errors}},
            say("order", "order", ""), say("next", "next", ""), say("other", "other", ""),
            say("failed", "failed", ""), say("silent", "silent", "")
        ])
    };
    let canned = |spec: &str| {
        let mut env = flowsim::env::Environment::default();
        env.add_lex_answer("*", spec).unwrap();
        CallConfig {
            env: std::sync::Arc::new(env),
            ..CallConfig::default()
        }
    };
    let wired = lex(json!([
        err("NoMatchingCondition", "other"),
        err("NoMatchingError", "failed")
    ]));
    assert_eq!(dead(&set("b", wired.clone()), "b"), ["Next"]);
    // Every outcome has its own branch, or falls back to NoMatchingError: an intent
    // no condition names, silence, a bot that fails.
    let mut c = Call::with(set("b", wired.clone()), canned("intent:Cancel"));
    c.send(Input::Utterance("cancel it".into()));
    assert!(c.took("b", "NoMatchingCondition"));
    let mut c = Call::with(set("b", wired.clone()), canned("intent:Order"));
    c.timeout();
    assert!(c.took("b", "NoMatchingError"));
    let mut c = Call::with(set("b", wired), canned("error"));
    c.send(Input::Utterance("I want to order".into()));
    assert!(c.took("b", "NoMatchingError"));
    assert_eq!(c.prompts(), ["How can I help?", "failed"]);

    // Without NoMatchingCondition, an intent no condition names takes Next.
    let unwired = lex(json!([err("NoMatchingError", "failed")]));
    assert!(!dead(&set("b", unwired.clone()), "b").contains(&"Next".to_owned()));
    let mut c = Call::with(set("b", unwired), canned("intent:Cancel"));
    c.send(Input::Utterance("cancel it".into()));
    assert!(c.took("b", "Next"));
}

#[test]
fn a_function_arn_that_resolves_to_nothing_takes_the_error_branch() {
    let c = Call::start(
        "l",
        json!([
            {"Identifier": "l", "Type": "InvokeLambdaFunction",
             "Parameters": {"LambdaFunctionARN": "$.Attributes.UPDATE_LAMBDA_ARN", "InvocationTimeLimitSeconds": "3"},
             "Transitions": {"NextAction": "ok", "Errors": [err("NoMatchingError", "failed")]}},
            say("ok", "ok", ""), say("failed", "failed", "")
        ]),
    );
    assert!(c.lambdas.is_empty(), "nothing to invoke");
    assert!(c.took("l", "NoMatchingError"));
    assert_eq!(c.prompts(), ["failed"]);

    // A draft saved in the console, with no ARN at all, loads and fails the same way.
    let c = Call::start(
        "l",
        json!([
            {"Identifier": "l", "Type": "InvokeLambdaFunction",
             "Parameters": {"InvocationTimeLimitSeconds": "3"},
             "Transitions": {"NextAction": "ok", "Errors": [err("NoMatchingError", "failed")]}},
            say("ok", "ok", ""), say("failed", "failed", "")
        ]),
    );
    assert!(c.lambdas.is_empty());
    assert_eq!(c.prompts(), ["failed"]);
}

#[test]
fn iterated_messages_play_then_the_call_waits_in_queue() {
    // Exported without a type, a flow of Loop prompts is a customer queue flow: the
    // messages loop until the agent answers (30 s by default).
    let mut c = Call::start(
        "hold",
        json!([
            {"Identifier": "hold", "Type": "MessageParticipantIteratively",
             "Parameters": {"Messages": [{"Text": "All agents are busy."}, {"SSML": "<speak>Please hold <break time=\"10s\"/></speak>"}]},
             "Transitions": {}}
        ]),
    );
    while c.engine.ended().is_none() {
        c.timeout();
    }
    let prompts = c.prompts();
    assert_eq!(prompts[..2], ["All agents are busy.", "Please hold …"]);
    assert!(prompts.len() > 2, "{prompts:?}");
    assert_eq!(c.end().keyword(), "agent");
}

#[test]
fn a_message_that_is_not_an_object_names_its_path() {
    let text = flow_json(
        "hold",
        json!([{"Identifier": "hold", "Type": "MessageParticipantIteratively",
                "Parameters": {"Messages": ["hi"]}, "Transitions": {}}]),
    );
    let e = parse_str(&text, "q.json", "Q").unwrap_err().to_string();
    assert!(e.contains("Actions[0].Parameters.Messages[0]"), "{e}");
}

#[test]
fn event_hooks_and_media_streaming_are_recorded_and_pass_on() {
    let c = Call::start(
        "hooks",
        json!([
            {"Identifier": "hooks", "Type": "UpdateContactEventHooks",
             "Parameters": {"EventHooks": {"CustomerQueue": "$.Attributes.queueFlow"}},
             "Transitions": {"NextAction": "stream", "Errors": [err("NoMatchingError", "bye")]}},
            {"Identifier": "stream", "Type": "UpdateContactMediaStreamingBehavior",
             "Parameters": {"MediaStreamingState": "Enabled", "MediaStreamType": "Audio"},
             "Transitions": {"NextAction": "tag", "Errors": [err("NoMatchingError", "bye")]}},
            {"Identifier": "tag", "Type": "TagContact",
             "Parameters": {"Tags": {"Department": "Sales"}},
             "Transitions": {"NextAction": "bye", "Errors": [err("NoMatchingError", "bye")]}},
            say("bye", "bye", "")
        ]),
    );
    assert!(c.took("hooks", "Next") && c.took("stream", "Next") && c.took("tag", "Next"));
    let updates: Vec<(String, String)> = c
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::ContactUpdated { field, value } => Some((field.clone(), value.clone())),
            _ => None,
        })
        .collect();
    assert!(
        updates.contains(&(
            "media streaming".into(),
            "MediaStreamingState = Enabled, MediaStreamType = Audio".into()
        )),
        "{updates:?}"
    );
    assert!(
        updates.contains(&("tags".into(), "Tags.Department = Sales".into())),
        "{updates:?}"
    );
    // Nested keys dotted, references resolved (here to nothing).
    assert!(
        updates.contains(&("event hooks".into(), "EventHooks.CustomerQueue = ".into())),
        "{updates:?}"
    );
    assert!(
        c.warnings().iter().all(|w| !w.contains("not simulated")),
        "{:?}",
        c.warnings()
    );
}

#[test]
fn third_party_transfer_hands_off_or_continues() {
    let transfer = |continue_flow: &str| {
        json!([
            {"Identifier": "set", "Type": "UpdateContactAttributes",
             "Parameters": {"Attributes": {"desk": "+13035550199"}}, "Transitions": {"NextAction": "xfer"}},
            {"Identifier": "xfer", "Type": "TransferParticipantToThirdParty",
             "Parameters": {"ThirdPartyPhoneNumber": "$.Attributes.desk", "ContinueFlowExecution": continue_flow,
                            "ThirdPartyConnectionTimeLimitSeconds": "30"},
             "Transitions": {"NextAction": "after", "Errors": [err("CallFailed", "after"), err("NoMatchingError", "after")]}},
            say("after", "back in the flow", "")
        ])
    };
    let c = Call::start("set", transfer("False"));
    assert!(c.prompts().is_empty());
    assert_eq!(
        c.end().describe(),
        "ended (handed off to +13035550199 by a third-party transfer)"
    );
    let c = Call::start("set", transfer("True"));
    assert!(c.took("xfer", "Next"));
    assert_eq!(c.prompts(), ["back in the flow"]);
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
}

/// Every catalogue type is simulated: a block of each, with no parameters, takes one
/// of its branches or ends the call, and never warns that it is unknown.
#[test]
fn every_catalogue_type_is_simulated() {
    use flowsim::catalogue::ActionType;
    for t in ActionType::ALL {
        let flow = json!([
            {"Identifier": "a", "Type": t.name(), "Parameters": {},
             "Transitions": {"NextAction": "x", "Errors": [err("NoMatchingError", "x")]}},
            disconnect("x")
        ]);
        let c = Call::start("a", flow);
        assert!(
            !c.warnings()
                .iter()
                .any(|w| w.contains("not one flowsim knows")),
            "{t}: {:?}",
            c.warnings()
        );
        let progressed = c.events.iter().any(|e| {
            matches!(
                &e.kind,
                TraceKind::BranchTaken { .. }
                    | TraceKind::Ended { .. }
                    | TraceKind::InputRequested { .. }
                    | TraceKind::LambdaInvoked { .. }
            )
        }) || !matches!(c.engine.status(), Status::Ended(_));
        assert!(progressed, "{t}");
    }
}
