//! The TUI's ask mode (`CallConfig::ask_outcomes`): an environment outcome nobody
//! set stops the call with the question and its choices; the answer is an
//! environment, and the block runs with it exactly as a headless run with that
//! setting would. Flag off, nothing changes. Also `answer_after = "ask"` (issue 15).

use std::sync::Arc;

use flowsim::engine::{
    CallConfig, Effect, Engine, Input, OutcomeChoice, SimTime, Status, TraceEvent, TraceKind,
};
use flowsim::env::Environment;
use flowsim::flow::{FlowSet, parse_str};
use flowsim::script::parse::{Directive, parse_line};
use serde_json::{Value, json};

fn flows(start: &str, actions: Value) -> FlowSet {
    let text =
        json!({"Version": "2019-10-30", "StartAction": start, "Actions": actions}).to_string();
    FlowSet::single(parse_str(&text, "ask.json", "Ask").expect("valid flow"))
}

fn say(id: &str, text: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": text},
           "Transitions": {}})
}

fn err(kind: &str, next: &str) -> Value {
    json!({"ErrorType": kind, "NextAction": next})
}

/// The rules-engine sample's staffing check (NumberOfAgentsOnline > 0) on Sales.
fn staffing() -> FlowSet {
    flows(
        "q",
        json!([
            {"Identifier": "q", "Type": "UpdateContactTargetQueue",
             "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/Sales"},
             "Transitions": {"NextAction": "check", "Errors": [err("NoMatchingError", "error")]}},
            {"Parameters": {"MetricType": "NumberOfAgentsOnline"}, "Identifier": "check",
             "Type": "CheckMetricData",
             "Transitions": {"NextAction": "error",
                "Conditions": [{"NextAction": "staffed",
                                "Condition": {"Operator": "NumberGreaterThan", "Operands": ["0"]}}],
                "Errors": [err("NoMatchingCondition", "nobody"), err("NoMatchingError", "error")]}},
            say("staffed", "an agent will be with you"),
            say("nobody", "no agents are online"),
            say("error", "I am sorry, I have encountered an error")
        ]),
    )
}

/// Set the working queue, then transfer to it.
fn to_queue() -> FlowSet {
    flows(
        "q",
        json!([
            {"Identifier": "q", "Type": "UpdateContactTargetQueue",
             "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/Sales"},
             "Transitions": {"NextAction": "t", "Errors": [err("NoMatchingError", "error")]}},
            {"Identifier": "t", "Type": "TransferContactToQueue", "Parameters": {},
             "Transitions": {"NextAction": "error",
                "Errors": [err("QueueAtCapacity", "error"), err("NoMatchingError", "error")]}},
            say("error", "error")
        ]),
    )
}

fn traces(fx: Vec<Effect>, events: &mut Vec<TraceEvent>) {
    events.extend(fx.into_iter().filter_map(|e| match e {
        Effect::Trace(t) => Some(t),
        _ => None,
    }));
}

fn engine(flows: FlowSet, env: Environment, ask: bool) -> Engine {
    Engine::new(
        flows,
        CallConfig {
            env: env.into(),
            ask_outcomes: ask,
            ..CallConfig::default()
        },
    )
}

/// `env` with a `.call` setting line laid over it, as the TUI does with a choice.
fn with(env: &Environment, line: &str) -> Environment {
    let mut env = env.clone();
    match parse_line(line, std::path::Path::new(".")) {
        Ok(Some(Directive::Env(s))) => s.apply(&mut env).unwrap(),
        other => panic!("`{line}` is not a setting: {other:?}"),
    }
    env
}

fn prompts(events: &[TraceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Prompt { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

fn defaults(events: &[TraceEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::EnvironmentDefault { setting, .. } => Some(setting.clone()),
            _ => None,
        })
        .collect()
}

fn directives(choices: &[OutcomeChoice]) -> Vec<Option<&str>> {
    choices.iter().map(|c| c.directive.as_deref()).collect()
}

#[test]
fn ask_mode_stops_at_check_metric_data_with_the_default_first_and_the_flows_names() {
    let mut e = engine(staffing(), Environment::default(), true);
    let mut events = Vec::new();
    traces(e.handle(Input::Start, SimTime::ZERO), &mut events);
    let Status::AwaitingOutcome {
        block,
        setting,
        choices,
    } = e.status()
    else {
        panic!("not asking: {:?}", e.status());
    };
    assert_eq!(block.id, "check");
    assert!(setting.contains("queue \"Sales\""), "{setting}");
    assert!(
        choices[0].label.starts_with("the default: 1 agent online"),
        "{choices:?}"
    );
    let d = directives(&choices);
    assert_eq!(d[0], None);
    // A value that takes `> 0`, one that takes no condition, then staffing settings.
    assert_eq!(d[1], Some("queue \"Sales\" agents_online 1"));
    assert_eq!(d[2], Some("queue \"Sales\" agents_online 0"));
    assert!(d.contains(&Some(
        "queue \"Sales\" agents_online 2 agents_available 2 agents_staffed 2"
    )));
    // Nothing is due while the question is open, and nothing defaulted yet.
    assert_eq!(e.next_deadline(), None);
    assert!(defaults(&events).is_empty());
    assert!(prompts(&events).is_empty());
}

#[test]
fn the_pick_is_the_setting_and_the_call_runs_exactly_as_headless_with_it() {
    for (pick, heard) in [
        ("queue \"Sales\" agents_online 0", "no agents are online"),
        (
            "queue \"Sales\" agents_online 1",
            "an agent will be with you",
        ),
    ] {
        let mut e = engine(staffing(), Environment::default(), true);
        let mut asked = Vec::new();
        traces(e.handle(Input::Start, SimTime::ZERO), &mut asked);
        let env = with(&e.config().env, pick);
        traces(
            e.handle(Input::Outcome(Some(Arc::new(env.clone()))), SimTime::ZERO),
            &mut asked,
        );
        assert_eq!(prompts(&asked), [heard]);
        assert_eq!(e.config().env.as_ref(), &env, "the pick is the call's env");

        // Headless with the same setting from the start: the same trace, event for
        // event (the block that asked is not started twice).
        let mut headless = engine(staffing(), env, false);
        let mut events = Vec::new();
        traces(headless.handle(Input::Start, SimTime::ZERO), &mut events);
        assert_eq!(asked, events, "{pick}");
        assert_eq!(e.steps(), headless.steps());
    }
}

#[test]
fn picking_the_default_is_the_headless_default() {
    let mut e = engine(staffing(), Environment::default(), true);
    let mut asked = Vec::new();
    traces(e.handle(Input::Start, SimTime::ZERO), &mut asked);
    traces(e.handle(Input::Outcome(None), SimTime::ZERO), &mut asked);
    let mut headless = engine(staffing(), Environment::default(), false);
    let mut events = Vec::new();
    traces(headless.handle(Input::Start, SimTime::ZERO), &mut events);
    assert_eq!(asked, events);
    assert_eq!(prompts(&events), ["an agent will be with you"]);
    assert_eq!(defaults(&events).len(), 1);
}

#[test]
fn flag_off_nothing_is_asked() {
    let mut e = engine(staffing(), Environment::default(), false);
    let mut events = Vec::new();
    traces(e.handle(Input::Start, SimTime::ZERO), &mut events);
    assert!(
        !matches!(e.status(), Status::AwaitingOutcome { .. }),
        "{:?}",
        e.status()
    );
    assert_eq!(prompts(&events), ["an agent will be with you"]);
    // An answer nobody asked for changes nothing.
    assert!(e.handle(Input::Outcome(None), SimTime::ZERO).is_empty());
}

#[test]
fn a_view_is_asked_with_its_actions() {
    let f = flows(
        "v",
        json!([
            {"Identifier": "v", "Type": "ShowView",
             "Parameters": {"ViewResource": {"Id": "arn:aws:connect:us-east-1:1:instance/i/view/Payment:$LATEST"}},
             "Transitions": {"NextAction": "error",
                "Conditions": [
                    {"NextAction": "paid", "Condition": {"Operator": "Equals", "Operands": ["Submit"]}},
                    {"NextAction": "back", "Condition": {"Operator": "Equals", "Operands": ["Back"]}}],
                "Errors": [err("NoMatchingCondition", "error"), err("TimeLimitExceeded", "late"),
                           err("NoMatchingError", "error")]}},
            say("paid", "paid"), say("back", "back"), say("late", "late"), say("error", "error")
        ]),
    );
    let mut env = Environment::default();
    env.set_channel("chat").unwrap();
    let mut e = engine(f, env, true);
    e.handle(Input::Start, SimTime::ZERO);
    let Status::AwaitingOutcome { choices, .. } = e.status() else {
        panic!("not asking: {:?}", e.status());
    };
    let d = directives(&choices);
    assert_eq!(
        d[1..],
        [
            Some("view \"Payment\" action Submit"),
            Some("view \"Payment\" action Back"),
            Some("view \"Payment\" action timeout"),
            Some("view \"Payment\" action error"),
        ]
    );
    let env = with(&e.config().env, "view \"Payment\" action timeout");
    let mut events = Vec::new();
    traces(
        e.handle(Input::Outcome(Some(Arc::new(env))), SimTime::ZERO),
        &mut events,
    );
    assert_eq!(prompts(&events), ["late"]);
}

#[test]
fn a_customer_profile_lookup_is_asked_with_the_callers_number() {
    let f = flows(
        "p",
        json!([
            {"Identifier": "p", "Type": "GetCustomerProfile",
             "Parameters": {"ProfileRequestData": {"IdentifierName": "_phone",
                                                   "IdentifierValue": "$.CustomerEndpoint.Address"},
                            "ProfileResponseData": ["FirstName"]},
             "Transitions": {"NextAction": "hi",
                "Errors": [err("NoneFoundError", "who"), err("MultipleFoundError", "many"),
                           err("NoMatchingError", "who")]}},
            say("hi", "Hello $.Customer.FirstName"), say("who", "who are you"),
            say("many", "which one")
        ]),
    );
    let mut e = engine(f, Environment::default(), true);
    e.handle(Input::Start, SimTime::ZERO);
    let Status::AwaitingOutcome { choices, .. } = e.status() else {
        panic!("not asking: {:?}", e.status());
    };
    assert_eq!(
        choices[1].directive.as_deref(),
        Some("customer +15555550100 FirstName=Ana")
    );
    let env = with(&e.config().env, choices[1].directive.as_deref().unwrap());
    let mut events = Vec::new();
    traces(
        e.handle(Input::Outcome(Some(Arc::new(env))), SimTime::ZERO),
        &mut events,
    );
    assert_eq!(prompts(&events), ["Hello Ana"]);
}

fn queue_entered(events: &[TraceEvent]) -> Option<Option<u64>> {
    events.iter().find_map(|e| match &e.kind {
        TraceKind::QueueEntered {
            answer_after_ms, ..
        } => Some(*answer_after_ms),
        _ => None,
    })
}

fn ask_queue() -> Environment {
    serde_json::from_value(json!({"queues": {"Sales": {"answer_after": "ask"}}})).unwrap()
}

#[test]
fn answer_after_ask_headless_uses_the_default_and_says_so() {
    let mut e = engine(to_queue(), ask_queue(), false);
    let mut events = Vec::new();
    traces(e.handle(Input::Start, SimTime::ZERO), &mut events);
    assert_eq!(queue_entered(&events), Some(Some(30_000)));
    let d = defaults(&events);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("answer_after = \"ask\""), "{d:?}");

    let mut strict = Engine::new(
        to_queue(),
        CallConfig {
            env: ask_queue().into(),
            strict: true,
            ..CallConfig::default()
        },
    );
    strict.handle(Input::Start, SimTime::ZERO);
    assert_eq!(strict.ended().unwrap().keyword(), "stopped");
}

#[test]
fn answer_after_ask_in_ask_mode_asks_when_the_contact_starts_waiting() {
    let mut e = engine(to_queue(), ask_queue(), true);
    e.handle(Input::Start, SimTime::ZERO);
    let Status::AwaitingOutcome { block, choices, .. } = e.status() else {
        panic!("not asking: {:?}", e.status());
    };
    assert_eq!(block.id, "t");
    assert_eq!(
        directives(&choices)[1..],
        [
            Some("queue \"Sales\" answer_after 0"),
            Some("queue \"Sales\" answer_after 30"),
            Some("queue \"Sales\" answer_after 2m"),
            Some("queue \"Sales\" answer_after 10m"),
            Some("queue \"Sales\" answer_after never"),
        ]
    );
    let env = with(&e.config().env, "queue \"Sales\" answer_after 2m");
    let mut events = Vec::new();
    traces(
        e.handle(Input::Outcome(Some(Arc::new(env))), SimTime::ZERO),
        &mut events,
    );
    assert_eq!(queue_entered(&events), Some(Some(120_000)));
    assert!(defaults(&events).is_empty());
    assert!(
        matches!(e.status(), Status::InQueue { .. }),
        "{:?}",
        e.status()
    );
}

#[test]
fn answer_after_ask_is_a_queue_setting_in_every_form() {
    let mut env = Environment::default();
    env.set_queue("Sales:answer_after=ask").unwrap();
    assert_eq!(env, ask_queue());
    assert_eq!(
        with(&Environment::default(), "queue \"Sales\" answer_after ask"),
        env
    );
    let toml: Environment = toml::from_str("[queues.Sales]\nanswer_after = \"ask\"\n").unwrap();
    assert_eq!(toml, env);
}
