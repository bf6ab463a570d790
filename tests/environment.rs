//! The contact center around the flow: each environment setting, and the branch it
//! selects. Engine tests on small flows (pure, no clock), plus the real binary for
//! `--env`, `--channel`, `--queue` and `--customer`.

mod common;

use flowsim::engine::{CallConfig, Effect, Engine, Input, SimTime, Status, TraceEvent, TraceKind};
use flowsim::env::Environment;
use flowsim::flow::{FlowSet, parse_str};
use serde_json::{Value, json};

fn flows(start: &str, actions: Value) -> FlowSet {
    let text =
        json!({"Version": "2019-10-30", "StartAction": start, "Actions": actions}).to_string();
    FlowSet::single(parse_str(&text, "env.json", "Env").expect("valid flow"))
}

fn say(id: &str, text: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": text},
           "Transitions": {}})
}

fn err(kind: &str, next: &str) -> Value {
    json!({"ErrorType": kind, "NextAction": next})
}

/// Run a call to its end (or its first rest), answering waits by letting time run.
fn run(flows: FlowSet, env: Environment) -> (Vec<TraceEvent>, Engine) {
    let config = CallConfig {
        env: env.into(),
        ..CallConfig::default()
    };
    let mut engine = Engine::new(flows, config);
    let mut events = Vec::new();
    let push = |fx: Vec<Effect>, events: &mut Vec<TraceEvent>| {
        for e in fx {
            if let Effect::Trace(t) = e {
                events.push(t);
            }
        }
    };
    push(engine.handle(Input::Start, SimTime::ZERO), &mut events);
    for _ in 0..20 {
        match engine.status() {
            Status::Waiting { .. } | Status::AwaitingInput { .. } => {
                let at = engine.next_deadline().unwrap();
                push(engine.handle(Input::Tick, at), &mut events);
            }
            _ => break,
        }
    }
    (events, engine)
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

/// AWS's rules-engine sample (RulesEngineQueue.json) checks `NumberOfAgentsOnline > 0` on the working queue
/// (its block, verbatim: conditions `NumberGreaterThan 0`, NoMatchingCondition and
/// NoMatchingError branches).
fn staffing_flow() -> FlowSet {
    flows("q", staffing_actions())
}

#[test]
fn check_staffing_takes_no_matching_condition_with_no_agents_online() {
    let mut env = Environment::default();
    env.set_queue("Sales:agents_online=0").unwrap();
    let (events, _) = run(staffing_flow(), env);
    assert_eq!(prompts(&events), ["no agents are online"]);
}

#[test]
fn check_staffing_takes_greater_than_zero_with_two_agents_online() {
    let mut env = Environment::default();
    env.set_queue("Sales:agents_online=2").unwrap();
    let (events, _) = run(staffing_flow(), env);
    assert_eq!(prompts(&events), ["an agent will be with you"]);
    assert!(defaults(&events).is_empty());
}

#[test]
fn an_unlisted_queue_is_staffed_by_default_and_the_trace_says_so() {
    let (events, _) = run(staffing_flow(), Environment::default());
    assert_eq!(prompts(&events), ["an agent will be with you"]);
    let d = defaults(&events);
    assert!(d[0].contains("queue \"Sales\""), "{d:?}");
}

#[test]
fn strict_stops_on_a_defaulted_outcome() {
    let config = CallConfig {
        strict: true,
        ..CallConfig::default()
    };
    let mut engine = Engine::new(staffing_flow(), config);
    engine.handle(Input::Start, SimTime::ZERO);
    assert_eq!(engine.ended().unwrap().keyword(), "stopped");
}

#[test]
fn get_metrics_fills_the_metrics_namespace() {
    let mut env = Environment::default();
    env.set_queue("Sales:contacts_in_queue=4,agents_available=3")
        .unwrap();
    let f = flows(
        "q",
        json!([
            {"Identifier": "q", "Type": "UpdateContactTargetQueue",
             "Parameters": {"QueueId": "Sales"}, "Transitions": {"NextAction": "m"}},
            {"Identifier": "m", "Type": "GetMetricData", "Parameters": {},
             "Transitions": {"NextAction": "s", "Errors": [err("NoMatchingError", "s")]}},
            say("s", "$.Metrics.Queue.Size waiting, $.Metrics.Agents.Available.Count free")
        ]),
    );
    let (events, _) = run(f, env);
    assert_eq!(prompts(&events), ["4 waiting, 3 free"]);
}

/// A flow that branches on `$.Channel`, as 11 real exports do.
fn channel_flow() -> FlowSet {
    flows(
        "c",
        json!([
            {"Identifier": "c", "Type": "Compare", "Parameters": {"ComparisonValue": "$.Channel"},
             "Transitions": {"NextAction": "voice",
                "Conditions": [{"NextAction": "chat", "Condition": {"Operator": "Equals", "Operands": ["CHAT"]}}],
                "Errors": [err("NoMatchingCondition", "voice")]}},
            say("chat", "chat path"),
            say("voice", "voice path")
        ]),
    )
}

#[test]
fn the_channel_picks_the_chat_path() {
    let (events, _) = run(channel_flow(), Environment::default());
    assert_eq!(prompts(&events), ["voice path"]);
    let mut env = Environment::default();
    env.set_channel("chat").unwrap();
    let (events, _) = run(channel_flow(), env);
    assert_eq!(prompts(&events), ["chat path"]);
}

fn wait_flow() -> FlowSet {
    flows(
        "w",
        json!([
            {"Identifier": "w", "Type": "Wait",
             "Parameters": {"TimeLimitSeconds": "900", "Events": ["CustomerReturned"]},
             "Transitions": {"NextAction": "e",
                "Conditions": [
                    {"NextAction": "back", "Condition": {"Operator": "Equals", "Operands": ["CustomerReturned"]}},
                    {"NextAction": "done", "Condition": {"Operator": "Equals", "Operands": ["WaitCompleted"]}}],
                "Errors": [err("NoMatchingError", "e")]}},
            say("back", "welcome back"),
            say("done", "time is up"),
            say("e", "wait failed")
        ]),
    )
}

#[test]
fn wait_on_chat_completes_at_the_time_limit_or_when_the_customer_returns() {
    let mut env = Environment::default();
    env.set_channel("chat").unwrap();
    let (events, engine) = run(wait_flow(), env.clone());
    assert_eq!(prompts(&events), ["time is up"]);
    assert_eq!(engine.now(), SimTime::from_secs(900));
    env.customer_returns_after_secs = Some(30);
    let (events, engine) = run(wait_flow(), env.clone());
    assert_eq!(prompts(&events), ["welcome back"]);
    assert_eq!(engine.now(), SimTime::from_secs(30));
    // A chat message during the wait is the customer returning.
    env.customer_returns_after_secs = None;
    let mut engine = Engine::new(
        wait_flow(),
        CallConfig {
            env: env.into(),
            ..CallConfig::default()
        },
    );
    engine.handle(Input::Start, SimTime::ZERO);
    assert!(matches!(engine.status(), Status::Waiting { .. }));
    let fx = engine.handle(Input::Utterance("hello?".into()), SimTime::from_secs(5));
    assert!(fx.iter().any(|e| matches!(e,
        Effect::Trace(t) if matches!(&t.kind, TraceKind::Prompt { text, .. } if text == "welcome back"))));
}

#[test]
fn wait_on_voice_takes_the_error_branch() {
    let (events, _) = run(wait_flow(), Environment::default());
    assert_eq!(prompts(&events), ["wait failed"]);
}

fn profile_flow() -> FlowSet {
    profile_flow_searching(json!({"IdentifierName": "_phone",
                                  "IdentifierValue": "$.CustomerEndpoint.Address"}))
}

/// A GetCustomerProfile with the request `req`, each branch saying which it took.
fn profile_flow_searching(req: Value) -> FlowSet {
    flows(
        "p",
        json!([
            {"Identifier": "p", "Type": "GetCustomerProfile",
             "Parameters": {"ProfileRequestData": req, "ProfileResponseData": ["FirstName"]},
             "Transitions": {"NextAction": "hi",
                "Errors": [err("NoneFoundError", "none"), err("MultipleFoundError", "many"),
                           err("NoMatchingError", "e")]}},
            say("hi", "hello $.Customer.FirstName"),
            say("none", "new customer"),
            say("many", "several of you"),
            say("e", "error")
        ]),
    )
}

#[test]
fn customer_profiles_are_found_not_found_or_several() {
    let (events, _) = run(profile_flow(), Environment::default());
    assert_eq!(prompts(&events), ["new customer"]);
    assert!(defaults(&events)[0].contains("customers"));
    let mut env = Environment::default();
    env.add_customer("+15555550100,FirstName=Ana").unwrap();
    let (events, _) = run(profile_flow(), env.clone());
    assert_eq!(prompts(&events), ["hello Ana"]);
    env.add_customer("+15555550100,FirstName=Bo").unwrap();
    let (events, _) = run(profile_flow(), env);
    assert_eq!(prompts(&events), ["several of you"]);
}

/// The legacy request (`{"PhoneNumber": …}`, `{"EmailAddress": …}`, the 2023 page's
/// form) searches that value, not the caller's number (actions-environment.md 8.2.1).
#[test]
fn a_legacy_profile_request_searches_its_own_value() {
    let mut env = Environment::default();
    env.add_customer("+15555550100,FirstName=Caller").unwrap();
    env.add_customer("+15555550199,FirstName=Ana").unwrap();
    env.add_customer("+15555550188,FirstName=Bo,EmailAddress=bo@example.com")
        .unwrap();
    let (events, _) = run(
        profile_flow_searching(json!({"PhoneNumber": "+15555550199"})),
        env.clone(),
    );
    assert_eq!(prompts(&events), ["hello Ana"]);
    let (events, _) = run(
        profile_flow_searching(json!({"EmailAddress": "bo@example.com"})),
        env.clone(),
    );
    assert_eq!(prompts(&events), ["hello Bo"]);
    let (events, _) = run(
        profile_flow_searching(json!({"PhoneNumber": "+15555550177"})),
        env,
    );
    assert_eq!(prompts(&events), ["new customer"]);
}

/// A failing profile-store write (`profile_writes_fail`) takes CreateCustomerProfile's
/// error branch (actions-environment.md 8.2.2); by default the profile is created.
#[test]
fn a_failing_profile_store_write_takes_the_create_error_branch() {
    let create = flows(
        "c",
        json!([
            {"Identifier": "c", "Type": "CreateCustomerProfile",
             "Parameters": {"ProfileRequestData": {"FirstName": "Ana"}, "ProfileResponseData": []},
             "Transitions": {"NextAction": "hi", "Errors": [err("NoMatchingError", "e")]}},
            say("hi", "hello $.Customer.FirstName"),
            say("e", "error")
        ]),
    );
    let (events, _) = run(create.clone(), Environment::default());
    assert_eq!(prompts(&events), ["hello Ana"]);
    let env = Environment {
        profile_writes_fail: Some(true),
        ..Environment::default()
    };
    let (events, _) = run(create, env);
    assert_eq!(prompts(&events), ["error"]);
}

fn view_flow() -> FlowSet {
    flows(
        "v",
        json!([
            {"Identifier": "v", "Type": "ShowView",
             "Parameters": {"ViewResource": {"Id": "arn:aws:connect:us-west-2:aws:view/form:1", "Version": "Latest"},
                            "InvocationTimeLimitSeconds": "600"},
             "Transitions": {"NextAction": "e",
                "Conditions": [
                    {"NextAction": "next", "Condition": {"Operator": "Equals", "Operands": ["Next"]}},
                    {"NextAction": "back", "Condition": {"Operator": "Equals", "Operands": ["Back"]}}],
                "Errors": [err("NoMatchingCondition", "nm"), err("TimeLimitExceeded", "late"),
                           err("NoMatchingError", "e")]}},
            say("next", "next with $.Views.ViewResultData.FormData.email"),
            say("back", "back"),
            say("nm", "no match"),
            say("late", "too late"),
            say("e", "error")
        ]),
    )
}

#[test]
fn show_view_branches_on_the_customers_action() {
    let chat = || {
        let mut env = Environment::default();
        env.set_channel("chat").unwrap();
        env
    };
    // Default: the first action the block wires, said in the trace.
    let (events, _) = run(view_flow(), chat());
    assert_eq!(prompts(&events), ["next with"]);
    assert!(defaults(&events)[0].contains("views.\"form\""));
    let mut env = chat();
    env.views.insert(
        "form".into(),
        flowsim::env::View {
            action: "Next".into(),
            data: json!({"FormData": {"email": "a@b.c"}}),
        },
    );
    let (events, _) = run(view_flow(), env.clone());
    assert_eq!(prompts(&events), ["next with a@b.c"]);
    env.views.get_mut("form").unwrap().action = "Back".into();
    assert_eq!(prompts(&run(view_flow(), env.clone()).0), ["back"]);
    env.views.get_mut("form").unwrap().action = "Cancel".into();
    assert_eq!(prompts(&run(view_flow(), env.clone()).0), ["no match"]);
    env.views.get_mut("form").unwrap().action = "timeout".into();
    assert_eq!(prompts(&run(view_flow(), env).0), ["too late"]);
    // ShowView is chat-only.
    assert_eq!(
        prompts(&run(view_flow(), Environment::default()).0),
        ["error"]
    );
}

#[test]
fn hours_come_from_the_environment_by_name() {
    let f = flows(
        "h",
        json!([
            {"Identifier": "h", "Type": "CheckHoursOfOperation",
             "Parameters": {"HoursOfOperationId": "arn:aws:connect:us-east-1:1:instance/i/operating-hours/Support"},
             "Transitions": {"NextAction": "e",
                "Conditions": [
                    {"NextAction": "open", "Condition": {"Operator": "Equals", "Operands": ["True"]}},
                    {"NextAction": "closed", "Condition": {"Operator": "Equals", "Operands": ["False"]}}],
                "Errors": [err("NoMatchingError", "e")]}},
            say("open", "open"), say("closed", "closed"), say("e", "error")
        ]),
    );
    let (events, _) = run(f.clone(), Environment::default());
    assert_eq!(prompts(&events), ["open"]);
    let mut env = Environment::default();
    env.hours
        .insert("Support".into(), flowsim::env::Hours::Fixed(false));
    assert_eq!(prompts(&run(f.clone(), env).0), ["closed"]);
    // A weekly schedule in its time zone, evaluated at the call's time (`--at`).
    let schedule = |at: &str| {
        let mut env = Environment::default();
        env.hours.insert(
            "Support".into(),
            flowsim::env::Hours::Schedule(flowsim::env::Schedule {
                time_zone: "America/New_York".into(),
                monday: vec!["09:00-17:00".into()],
                ..Default::default()
            }),
        );
        env.set_at(at).unwrap();
        prompts(&run(f.clone(), env).0)
    };
    assert_eq!(schedule("2026-11-30T16:59-05:00"), ["open"]);
    assert_eq!(schedule("2026-11-30T17:00-05:00"), ["closed"]);
    assert_eq!(
        schedule("2026-11-30T22:30+01:00"),
        ["open"],
        "16:30 in New York"
    );
}

#[test]
fn third_party_transfers_can_fail() {
    let f = |number: &str| {
        flows(
            "t",
            json!([
                {"Identifier": "t", "Type": "TransferParticipantToThirdParty",
                 "Parameters": {"ThirdPartyPhoneNumber": number, "ContinueFlowExecution": "True"},
                 "Transitions": {"NextAction": "ok",
                    "Errors": [err("CallFailed", "failed"), err("ConnectionTimeLimitExceeded", "slow"),
                               err("NoMatchingError", "e")]}},
                say("ok", "ok"), say("failed", "failed"), say("slow", "no answer"), say("e", "error")
            ]),
        )
    };
    assert_eq!(
        prompts(&run(f("+13035550100"), Environment::default()).0),
        ["ok"]
    );
    assert_eq!(prompts(&run(f(""), Environment::default()).0), ["failed"]);
    let env = Environment {
        third_party: Some("no_answer".into()),
        ..Environment::default()
    };
    assert_eq!(prompts(&run(f("+13035550100"), env).0), ["no answer"]);
}

#[test]
fn env_file_and_flags_reach_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.json");
    let text = json!({"Version": "2019-10-30", "StartAction": "q",
        "Actions": staffing_actions()})
    .to_string();
    std::fs::write(&flow, text).unwrap();
    let env = dir.path().join("center.toml");
    std::fs::write(&env, "[queues.Sales]\nagents_online = 0\n").unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["run", flow.to_str().unwrap()];
        all.extend_from_slice(args);
        let o = common::bin().args(&all).output().unwrap();
        (o.status.code(), common::stdout(&o), common::stderr(&o))
    };
    let (code, out, _) = run(&["--env", env.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(out.contains("no agents are online"), "{out}");
    let (_, out, _) = run(&[
        "--env",
        env.to_str().unwrap(),
        "--queue",
        "Sales:agents_online=2",
    ]);
    assert!(out.contains("an agent will be with you"), "{out}");
    let (code, _, err) = run(&["--queue", "Sales:agents=2"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown queue setting `agents`"), "{err}");
    std::fs::write(&env, "[queues.Sales]\nagents_onlin = 0\n").unwrap();
    let (code, _, err) = run(&["--env", env.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("center.toml:2"), "{err}");
}

fn staffing_actions() -> Value {
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
    ])
}

/// A file in a `--flows` folder that is not a flow (a CloudFormation template, a Lex
/// export) is skipped with one warning line instead of failing the run.
#[test]
fn a_non_flow_file_in_the_flows_folder_is_skipped_with_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.json");
    let text = json!({"Version": "2019-10-30", "StartAction": "s",
        "Actions": [say("s", "hello")]})
    .to_string();
    std::fs::write(&flow, text).unwrap();
    std::fs::write(
        dir.path().join("template.json"),
        r#"{"AWSTemplateFormatVersion": "2010-09-09"}"#,
    )
    .unwrap();
    let o = common::bin()
        .args([
            "run",
            flow.to_str().unwrap(),
            "--flows",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(common::stdout(&o).contains("hello"));
    assert_eq!(err.matches("warning: skipped").count(), 1, "{err}");
    assert!(err.contains("template.json"), "{err}");
}

/// An ASYNCHRONOUS Lambda: the flow moves on at once with
/// `$.LambdaInvocation.InvocationId`; the result arrives later as
/// `$.LambdaInvocation.ResultData`, and `$.External` is left alone.
#[test]
fn an_asynchronous_lambda_does_not_hold_the_flow() {
    let f = flows(
        "l",
        json!([
            {"Identifier": "l", "Type": "InvokeLambdaFunction",
             "Parameters": {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:1:function:slow",
                            "InvocationType": "ASYNCHRONOUS", "InvocationTimeLimitSeconds": "30"},
             "Transitions": {"NextAction": "s", "Errors": [err("NoMatchingError", "e")]}},
            {"Identifier": "s", "Type": "GetParticipantInput",
             "Parameters": {"Text": "invocation $.LambdaInvocation.InvocationId", "InputTimeLimitSeconds": "5"},
             "Transitions": {"NextAction": "r", "Errors": [err("InputTimeLimitExceeded", "r"),
                 err("NoMatchingCondition", "r"), err("NoMatchingError", "r")]}},
            say("r", "result $.LambdaInvocation.ResultData.status"),
            say("e", "error")
        ]),
    );
    let mut engine = Engine::new(f, CallConfig::default());
    let fx = engine.handle(Input::Start, SimTime::ZERO);
    let call = fx
        .iter()
        .find_map(|e| match e {
            Effect::InvokeLambda(c) => Some(c.call),
            Effect::Trace(_) | Effect::RecognizeText(_) => None,
        })
        .expect("the function is invoked");
    assert!(
        matches!(engine.status(), Status::AwaitingInput { .. }),
        "the flow moved on"
    );
    let said: Vec<String> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Trace(t) => match &t.kind {
                TraceKind::Prompt { text, .. } => Some(text.clone()),
                _ => None,
            },
            Effect::InvokeLambda(_) | Effect::RecognizeText(_) => None,
        })
        .collect();
    assert!(
        said[0].starts_with("invocation ") && said[0].len() > 12,
        "{said:?}"
    );
    engine.handle(
        Input::LambdaDone {
            call,
            outcome: flowsim::engine::LambdaOutcome::Response {
                payload: r#"{"status":"done"}"#.into(),
            },
        },
        SimTime::from_secs(1),
    );
    // The input times out (its timer starts when its prompt has been said).
    let deadline = engine.next_deadline().expect("the input waits");
    let fx = engine.handle(Input::Tick, deadline);
    assert!(fx.iter().any(|e| matches!(e, Effect::Trace(t)
        if matches!(&t.kind, TraceKind::Prompt { text, .. } if text == "result done"))));
}

/// The example in docs/environment.md is a valid environment file.
#[test]
fn the_documented_environment_file_loads() {
    let doc = std::fs::read_to_string(common::root().join("docs/environment.md")).unwrap();
    let start = doc.find("```toml\n").expect("a TOML example") + 8;
    let end = start + doc[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("center.toml");
    std::fs::write(&path, &doc[start..end]).unwrap();
    let env = flowsim::config::load_env(&path).expect("the example loads");
    assert_eq!(env.channel.as_deref(), Some("CHAT"));
    assert_eq!(env.queues["BasicQueue"].agents_online, 2);
    assert_eq!(env.data_tables["Rates"][0]["price"], "10");
    assert_eq!(env.views["form"].action, "Submit");
}

/// `.call` scripts set the environment (`channel`, `queue`, `customer`, `env`) and
/// expect any value of the contact (`expect $.Customer.FirstName = "Ana"`).
#[test]
fn call_scripts_set_the_environment() {
    let o = common::bin()
        .args(["test", "docs/examples/tests"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", common::stdout(&o));
    assert!(common::stdout(&o).contains("2 passed, 0 failed"));
}

/// Every environment outcome a call used lands in its recording, which replays
/// green offline: line forms where there are some, one inline `env {…}` otherwise.
#[test]
fn recordings_capture_the_environment_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("center.toml");
    std::fs::write(
        &env,
        "channel = \"CHAT\"\nthird_party = \"failed\"\n[hours]\nSupport = false\n\
         [queues.BasicQueue]\nagents_online = 0\n",
    )
    .unwrap();
    let rec = dir.path().join("call.call");
    let o = common::bin()
        .args([
            "run",
            "docs/examples/contact-center.json",
            "--env",
            env.to_str().unwrap(),
            "--customer",
            "+15555550100,FirstName=Bo",
            "--record",
            rec.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let text = std::fs::read_to_string(&rec).unwrap();
    assert!(text.contains("channel chat"), "{text}");
    assert!(
        text.contains("queue \"BasicQueue\" agents_online 0"),
        "{text}"
    );
    assert!(text.contains("customer +15555550100"), "{text}");
    assert!(text.contains("env {"), "{text}");
    let o = common::bin()
        .args(["test", rec.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}\n{text}", common::stdout(&o));
}

#[test]
fn bad_environment_lines_are_script_errors_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bad.call");
    std::fs::write(&script, "flow x.json\nchannel fax\n").unwrap();
    let o = common::bin()
        .args(["test", script.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o) + &common::stdout(&o);
    assert!(err.contains("bad.call:2"), "{err}");
    assert!(err.contains("channel `fax`"), "{err}");
}

/// Lex bots offline: a Lex V2 export laid out as the console exports it (slot
/// elicitation, a synonym resolved, FallbackIntent) and canned intents, driven by
/// `say` in `.call` scripts.
#[test]
fn lex_bots_answer_call_scripts() {
    let o = common::bin()
        .args(["test", "tests/fixtures/lex"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", common::stdout(&o));
    // The four scripts here (the corpus ones are in tests/fixtures/lex-corpus).
    let out = common::stdout(&o);
    for name in ["book", "cancel", "canned", "fallback"] {
        assert!(
            out.contains(&format!("ok    tests/fixtures/lex/{name}.call")),
            "{out}"
        );
    }
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

/// `--keys` items in double quotes are utterances; `--lex` maps a bot.
#[test]
fn run_says_quoted_keys_to_a_mapped_bot() {
    let o = common::bin()
        .args([
            "run",
            "tests/fixtures/lex/airline.json",
            "--lex",
            "*=file:tests/fixtures/lex/AirlineSupport-LexJson",
            "--keys",
            "\"cancel my flight\",\"one two three\"",
        ])
        .output()
        .unwrap();
    let out = common::stdout(&o);
    assert!(out.contains("What is your confirmation number?"), "{out}");
    assert!(out.contains("Cancelling booking 123."), "{out}");
    let o = common::bin()
        .args(["run", "tests/fixtures/lex/airline.json", "--lex", "*=bogus"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("intent:NAME"),
        "{}",
        common::stderr(&o)
    );
}

/// A case CreateCase made is there for the call's later GetCase (and UpdateCase), as
/// a case of the environment would be.
#[test]
fn get_case_finds_the_case_created_earlier_in_the_call() {
    let f = flows(
        "create",
        json!([
            {"Identifier": "create", "Type": "CreateCase",
             "Parameters": {"LinkContactToCase": "false", "CaseTemplateId": "t",
                            "CaseRequestFields": {"customer_id": "p-1", "title": "Lost card"}},
             "Transitions": {"NextAction": "get", "Errors": [err("NoMatchingError", "failed")]}},
            {"Identifier": "get", "Type": "GetCase",
             "Parameters": {"LinkContactToCase": "false", "GetLastUpdatedCase": "true",
                            "CaseResponseFields": ["case_id", "title"],
                            "CaseRequestFields": {"customer_id": "p-1"}},
             "Transitions": {"NextAction": "found",
                             "Errors": [err("NoneFound", "none"), err("MultipleFound", "many"),
                                        err("NoMatchingError", "failed")]}},
            say("found", "Found $.Case.title."),
            say("none", "No case."),
            say("many", "Many."),
            say("failed", "Failed."),
        ]),
    );
    let (events, _) = run(f, Environment::default());
    assert_eq!(prompts(&events), ["Found Lost card."]);
}
