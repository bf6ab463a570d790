//! Property tests: random flows built from the action catalogue, driven by random
//! keys, silences, timeouts and Lambda outcomes.
//!
//! For every generated flow and input sequence:
//! - loading never panics; a flow with a dangling target is refused with one line
//!   naming the block and the JSON path, and every other generated flow loads;
//! - the engine never panics, never runs more blocks than the step budget, and once
//!   the inputs run out, letting every deadline pass ends the call;
//! - the same flow and inputs give the same trace (determinism).

use flowsim::engine::{CallConfig, Effect, EndReason, Engine, Input, SimTime, Status, TraceEvent};
use flowsim::flow::{FlowSet, parse_str};
use flowsim::lambda::LambdaOutcome;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Where a transition goes.
#[derive(Clone, Debug)]
enum Target {
    /// Block `i % n` (cycles and self-loops come naturally).
    Block(usize),
    /// `""`: end the flow.
    End,
    /// A name no block has.
    Dangling,
}

/// One action of the catalogue, with its parameters drawn.
#[derive(Clone, Debug)]
enum Action {
    Message(usize),
    Menu {
        timeout: u32,
        keys: Vec<char>,
    },
    Store {
        terminator: usize,
        cancel_disabled: bool,
        phone: bool,
    },
    Compare {
        value: usize,
        operator: usize,
        operand: usize,
    },
    Loop {
        count: u32,
    },
    SetAttributes {
        bad_key: bool,
    },
    Lambda {
        limit: u32,
        json: bool,
    },
    Hours {
        with_id: bool,
    },
    Distribute {
        split: u32,
    },
    Disconnect,
    SetQueue,
    TransferToQueue,
    Unknown,
}

#[derive(Clone, Debug)]
struct BlockSpec {
    action: Action,
    next: Target,
    /// Targets for the block's conditions and errors, used in turn.
    targets: Vec<Target>,
}

/// What the caller (or the Lambda) does next.
#[derive(Clone, Debug)]
enum Step {
    Key(char),
    Silence,
    /// Let time run to the next deadline.
    Wait,
    Utterance,
    Respond(usize),
    FunctionError,
    InvokeError,
    NoAnswer,
    Hangup,
}

const TEXTS: &[(&str, &str)] = &[
    (
        "Text",
        "Hello $.CustomerEndpoint.Address, you typed $.StoredCustomerInput.",
    ),
    (
        "Text",
        "Vanity: $.External.vanity1 $.External.a.b $.Attributes.x",
    ),
    (
        "SSML",
        "<speak>Call <say-as interpret-as=\"telephone\">$.Attributes.x</say-as><break time=\"1s\"/></speak>",
    ),
    ("SSML", "<speak><b>unclosed</speak>"),
    ("SSML", "$.External.ssml"),
    ("Text", ""),
];

const VALUES: &[&str] = &[
    "$.StoredCustomerInput",
    "$.External.ssmlError",
    "$.External.n",
    "$.Attributes.x",
    "$.Attributes.missing",
    "literal",
];
const OPERATORS: &[&str] = &[
    "Equals",
    "TextStartsWith",
    "TextContains",
    "NumberGreaterThan",
    "NumberLessOrEqualTo",
];
const OPERANDS: &[&str] = &["1", "false", "True", "5551234567", "", "abc"];
const TERMINATORS: &[&str] = &["#", "##", "*", "1#"];

const RESPONSES: &[&str] = &[
    r#"{"ssmlResponse":"<speak>hi</speak>","ssmlError":"false","vanity1":"1-800-FLOWERS"}"#,
    r#"{"ssmlError":false,"n":5}"#,
    r#"{"a":{"b":"nested"}}"#,
    r#"{"ssml":"<speak><unclosed></speak>"}"#,
    "not json",
    "[1,2,3]",
    "null",
    "",
];

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        40 => (0usize..64).prop_map(Target::Block),
        8 => Just(Target::End),
        1 => Just(Target::Dangling),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..TEXTS.len()).prop_map(Action::Message),
        (
            1u32..10,
            prop::collection::vec(prop::sample::select(b"0123456789*#".to_vec()), 0..4)
        )
            .prop_map(|(timeout, keys)| Action::Menu {
                timeout,
                keys: keys.into_iter().map(char::from).collect(),
            }),
        (0..TERMINATORS.len(), any::<bool>(), any::<bool>()).prop_map(
            |(terminator, cancel_disabled, phone)| Action::Store {
                terminator,
                cancel_disabled,
                phone
            }
        ),
        (0..VALUES.len(), 0..OPERATORS.len(), 0..OPERANDS.len()).prop_map(
            |(value, operator, operand)| Action::Compare {
                value,
                operator,
                operand
            }
        ),
        (0u32..4).prop_map(|count| Action::Loop { count }),
        any::<bool>().prop_map(|bad_key| Action::SetAttributes { bad_key }),
        (0u32..10, any::<bool>()).prop_map(|(limit, json)| Action::Lambda { limit, json }),
        any::<bool>().prop_map(|with_id| Action::Hours { with_id }),
        (0u32..=100).prop_map(|split| Action::Distribute { split }),
        Just(Action::Disconnect),
        Just(Action::SetQueue),
        Just(Action::TransferToQueue),
        Just(Action::Unknown),
    ]
}

fn block() -> impl Strategy<Value = BlockSpec> {
    (action(), target(), prop::collection::vec(target(), 4)).prop_map(|(action, next, targets)| {
        BlockSpec {
            action,
            next,
            targets,
        }
    })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => prop::sample::select(b"0123456789*#".to_vec()).prop_map(|k| Step::Key(char::from(k))),
        2 => Just(Step::Silence),
        2 => Just(Step::Wait),
        1 => Just(Step::Utterance),
        3 => (0..RESPONSES.len() + 1).prop_map(Step::Respond),
        1 => Just(Step::FunctionError),
        1 => Just(Step::InvokeError),
        1 => Just(Step::NoAnswer),
        1 => Just(Step::Hangup),
    ]
}

fn id(i: usize) -> String {
    // Some identifiers have spaces, as the console allows.
    if i.is_multiple_of(3) {
        format!("block {i}")
    } else {
        format!("b{i}")
    }
}

fn resolve(t: &Target, n: usize) -> String {
    match t {
        Target::Block(i) => id(i % n),
        Target::End => String::new(),
        Target::Dangling => "nowhere".into(),
    }
}

fn cond(operator: &str, operand: &str, next: String) -> Value {
    json!({"NextAction": next, "Condition": {"Operator": operator, "Operands": [operand]}})
}

fn err(kind: &str, next: String) -> Value {
    json!({"NextAction": next, "ErrorType": kind})
}

/// The flow's JSON, and whether any transition dangles.
fn flow_json(blocks: &[BlockSpec]) -> (String, bool) {
    let n = blocks.len();
    let mut dangling = false;
    let mut actions = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let mut used: Vec<&Target> = Vec::new();
        let mut t = |k: usize| {
            let t = &b.targets[k % b.targets.len()];
            used.push(t);
            resolve(t, n)
        };
        let (type_name, params, conditions, errors) = match &b.action {
            Action::Message(m) => {
                let (k, v) = TEXTS[*m];
                (
                    "MessageParticipant",
                    json!({ k: v }),
                    vec![],
                    vec![err("NoMatchingError", t(0))],
                )
            }
            Action::Menu { timeout, keys } => (
                "GetParticipantInput",
                json!({"Text": "Press a key", "InputTimeLimitSeconds": timeout.to_string(), "StoreInput": "False"}),
                keys.iter()
                    .enumerate()
                    .map(|(j, k)| cond("Equals", &k.to_string(), t(j)))
                    .collect(),
                vec![
                    err("InputTimeLimitExceeded", t(1)),
                    err("NoMatchingCondition", t(2)),
                    err("NoMatchingError", t(3)),
                ],
            ),
            Action::Store {
                terminator,
                cancel_disabled,
                phone,
            } => {
                let mut p = json!({"Text": "Enter a number", "StoreInput": "True", "InputTimeLimitSeconds": "5",
                    "DTMFConfiguration": {"InputTerminationSequence": TERMINATORS[*terminator],
                                          "DisableCancelKey": if *cancel_disabled { "True" } else { "False" },
                                          "InterdigitTimeLimitSeconds": "2"}});
                p["InputValidation"] = if *phone {
                    json!({"PhoneNumberValidation": {"NumberFormat": "Local", "CountryCode": "US"}})
                } else {
                    json!({"CustomValidation": {"MaximumLength": "4"}})
                };
                (
                    "GetParticipantInput",
                    p,
                    vec![],
                    vec![
                        err("InvalidPhoneNumber", t(0)),
                        err("NoMatchingError", t(1)),
                    ],
                )
            }
            Action::Compare {
                value,
                operator,
                operand,
            } => (
                "Compare",
                json!({"ComparisonValue": VALUES[*value]}),
                vec![cond(OPERATORS[*operator], OPERANDS[*operand], t(0))],
                vec![err("NoMatchingCondition", t(1))],
            ),
            Action::Loop { count } => (
                "Loop",
                json!({"LoopCount": count.to_string()}),
                vec![
                    cond("Equals", "ContinueLooping", t(0)),
                    cond("Equals", "DoneLooping", t(1)),
                ],
                vec![],
            ),
            Action::SetAttributes { bad_key } => {
                let mut attrs = json!({"x": "$.StoredCustomerInput", "y": "$.External.vanity1"});
                if *bad_key {
                    attrs["bad.key"] = json!("z");
                }
                (
                    "UpdateContactAttributes",
                    json!({"Attributes": attrs, "TargetContact": "Current"}),
                    vec![],
                    vec![err("NoMatchingError", t(0))],
                )
            }
            Action::Lambda { limit, json } => (
                "InvokeLambdaFunction",
                json!({"LambdaFunctionARN": format!("arn:aws:lambda:us-east-1:123456789012:function:fn-{i}"),
                       "InvocationTimeLimitSeconds": limit.to_string(),
                       "LambdaInvocationAttributes": {"TargetNumber": "$.Attributes.x"},
                       "ResponseValidation": {"ResponseType": if *json { "JSON" } else { "STRING_MAP" }}}),
                vec![],
                vec![err("NoMatchingError", t(0))],
            ),
            Action::Hours { with_id } => (
                "CheckHoursOfOperation",
                if *with_id {
                    json!({"HoursOfOperationId": "arn:hours"})
                } else {
                    json!({})
                },
                vec![cond("Equals", "True", t(0)), cond("Equals", "False", t(1))],
                vec![err("NoMatchingError", t(2))],
            ),
            Action::Distribute { split } => (
                "DistributeByPercentage",
                json!({}),
                vec![cond("NumberLessThan", &split.to_string(), t(0))],
                vec![err("NoMatchingCondition", t(1))],
            ),
            Action::Disconnect => ("DisconnectParticipant", json!({}), vec![], vec![]),
            Action::SetQueue => (
                "UpdateContactTargetQueue",
                json!({"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/q1"}),
                vec![],
                vec![err("NoMatchingError", t(0))],
            ),
            Action::TransferToQueue => (
                "TransferContactToQueue",
                json!({}),
                vec![],
                vec![err("QueueAtCapacity", t(0)), err("NoMatchingError", t(1))],
            ),
            Action::Unknown => (
                "SomeFutureAction",
                json!({"Anything": [1, {"x": null}]}),
                vec![],
                vec![],
            ),
        };
        let next = if matches!(b.action, Action::Disconnect) {
            None
        } else {
            used.push(&b.next);
            Some(resolve(&b.next, n))
        };
        dangling |= used.iter().any(|t| matches!(t, Target::Dangling));
        let mut transitions = json!({});
        if let Some(next) = next {
            transitions["NextAction"] = json!(next);
        }
        if !conditions.is_empty() {
            transitions["Conditions"] = json!(conditions);
        }
        if !errors.is_empty() {
            transitions["Errors"] = json!(errors);
        }
        actions.push(json!({"Identifier": id(i), "Type": type_name, "Parameters": params, "Transitions": transitions}));
    }
    let flow = json!({"Version": "2019-10-30", "StartAction": id(0), "Actions": actions});
    (flow.to_string(), dangling)
}

/// Everything a call did: its trace, the events of its Lambda calls, how it ended.
#[derive(Debug, PartialEq)]
struct Run {
    trace: Vec<TraceEvent>,
    events: Vec<Value>,
    end: Option<EndReason>,
    steps: u32,
}

fn outcome(s: &Step) -> Option<LambdaOutcome> {
    Some(match s {
        Step::Respond(i) => LambdaOutcome::Response {
            payload: RESPONSES.get(*i).map_or_else(
                || format!(r#"{{"big":"{}"}}"#, "x".repeat(40_000)),
                |r| (*r).to_owned(),
            ),
        },
        Step::FunctionError => LambdaOutcome::FunctionError {
            message: "boom".into(),
        },
        Step::InvokeError => LambdaOutcome::InvokeError {
            cause: "throttled".into(),
            transient: true,
        },
        Step::NoAnswer => LambdaOutcome::NoAnswer,
        _ => return None,
    })
}

fn call(flows: &FlowSet, max_steps: u32, seed: u64, steps: &[Step]) -> Run {
    let config = CallConfig {
        max_steps,
        seed,
        ..CallConfig::default()
    };
    let mut engine = Engine::new(flows.clone(), config);
    let mut run = Run {
        trace: Vec::new(),
        events: Vec::new(),
        end: None,
        steps: 0,
    };
    let mut now = SimTime::ZERO;
    let send = |engine: &mut Engine, input: Input, now: SimTime, run: &mut Run| {
        for e in engine.handle(input, now) {
            match e {
                Effect::Trace(t) => run.trace.push(t),
                Effect::InvokeLambda(l) => run.events.push(l.request.event),
                Effect::RecognizeText(_) => {}
            }
        }
        assert!(
            engine.steps() <= max_steps,
            "ran {} blocks with a budget of {max_steps}",
            engine.steps()
        );
        if let Status::AwaitingInput { .. } | Status::AwaitingLambda { .. } = engine.status() {
            assert!(engine.next_deadline().is_some(), "a wait with no deadline");
        }
    };
    send(&mut engine, Input::Start, now, &mut run);
    assert_ne!(engine.status(), Status::NotStarted);
    for s in steps {
        if engine.ended().is_some() {
            // An ended call ignores everything.
            assert!(engine.handle(Input::Key('1'), now).is_empty());
            break;
        }
        let input = match (s, engine.status()) {
            (Step::Key(k), _) => Input::Key(*k),
            (Step::Silence, _) => Input::Silence,
            (Step::Utterance, _) => Input::Utterance("Sales".into()),
            (Step::Hangup, _) => Input::Hangup,
            (Step::Wait, _) => {
                if let Some(d) = engine.next_deadline() {
                    now = d;
                }
                Input::Tick
            }
            (s, Status::AwaitingLambda { call, .. }) => {
                let outcome = outcome(s).expect("a Lambda step");
                if outcome == LambdaOutcome::NoAnswer {
                    now = engine.next_deadline().expect("a Lambda deadline");
                    Input::Tick
                } else {
                    Input::LambdaDone { call, outcome }
                }
            }
            // A Lambda answer when none is awaited: a stale call id, ignored.
            (s, _) => Input::LambdaDone {
                call: 999,
                outcome: outcome(s).expect("a Lambda step"),
            },
        };
        send(&mut engine, input, now, &mut run);
    }
    // The inputs ran out: every wait times out, which spends steps, so the call
    // must end within the budget.
    let mut rounds = 0;
    while engine.ended().is_none() {
        rounds += 1;
        assert!(
            rounds <= max_steps + 2,
            "the call neither ended nor spent its budget: {:?}",
            engine.status()
        );
        now = engine
            .next_deadline()
            .unwrap_or_else(|| panic!("not ended, yet no deadline: {:?}", engine.status()));
        send(&mut engine, Input::Tick, now, &mut run);
    }
    run.end = engine.ended().cloned();
    run.steps = engine.steps();
    if let Some(EndReason::Budget { steps }) = &run.end {
        assert_eq!(*steps, max_steps, "the budget ends the call at the budget");
    }
    run
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_flows_never_panic_always_end_and_replay_identically(
        blocks in prop::collection::vec(block(), 1..10),
        steps in prop::collection::vec(step(), 0..40),
        max_steps in 1u32..80,
        seed in any::<u64>(),
    ) {
        let (text, dangling) = flow_json(&blocks);
        let flow = match parse_str(&text, "random.json", "Random") {
            Ok(flow) => {
                prop_assert!(!dangling, "a flow with a dangling target loaded");
                flow
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(!msg.contains('\n'), "multi-line error: {}", msg);
                prop_assert!(dangling, "a valid generated flow was refused: {}\n{}", msg, text);
                prop_assert!(msg.contains("names no action"), "{}", msg);
                prop_assert!(msg.starts_with("random.json: block \""), "{}", msg);
                return Ok(());
            }
        };
        let flows = FlowSet::single(flow);
        let first = call(&flows, max_steps, seed, &steps);
        let second = call(&flows, max_steps, seed, &steps);
        prop_assert_eq!(first, second);
    }
}

/// A self-loop with no input is a runaway loop: the budget ends it, exactly.
#[test]
fn a_self_loop_spends_exactly_the_budget() {
    let text = json!({"Version": "2019-10-30", "StartAction": "a", "Actions": [
        {"Identifier": "a", "Type": "UpdateContactAttributes", "Parameters": {"Attributes": {"k": "v"}},
         "Transitions": {"NextAction": "a", "Errors": [err("NoMatchingError", "a".into())]}}
    ]})
    .to_string();
    let flows = FlowSet::single(parse_str(&text, "loop.json", "Loop").unwrap());
    let run = call(&flows, 37, 0, &[]);
    assert_eq!(run.end, Some(EndReason::Budget { steps: 37 }));
}
