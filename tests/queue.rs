//! The wait in queue: the customer queue flow on the call's clock, the agent
//! answering (whisper flows), abandoned calls, callbacks, queue-to-queue transfers,
//! live queue metrics; `.call` scenarios over AWS's rules-engine sample; every
//! corpus flow of a queue or whisper type run in its role; recordings of a queue
//! call replaying the same.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use flowsim::engine::{
    CallConfig, Effect, EndReason, Engine, Input, SimTime, Status, TraceEvent, TraceKind,
};
use flowsim::env::Environment;
use flowsim::flow::{FlowSet, load_file, parse_str};
use flowsim::lambda::LambdaOutcome;
use serde_json::{Value, json};

mod common;

use common::root;

// ---- the engine, on hand-built flows ------------------------------------------------------

fn flow(name: &str, start: &str, actions: Value) -> flowsim::flow::Flow {
    let text =
        json!({"Version": "2019-10-30", "StartAction": start, "Actions": actions}).to_string();
    parse_str(&text, &format!("{name}.json"), name).expect("valid flow")
}

fn say(id: &str, text: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": text},
           "Transitions": {"NextAction": next}})
}

/// An inbound flow: working queue Sales, the hooks given, transfer to queue.
fn inbound(hooks: &[(&str, &str)]) -> flowsim::flow::Flow {
    let mut actions = vec![
        json!({"Identifier": "q", "Type": "UpdateContactTargetQueue",
        "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/Sales"},
        "Transitions": {"NextAction": "h0", "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}]}}),
    ];
    for (i, (hook, target)) in hooks.iter().enumerate() {
        actions.push(
            json!({"Identifier": format!("h{i}"), "Type": "UpdateContactEventHooks",
            "Parameters": {"EventHooks": {*hook: *target}},
            "Transitions": {"NextAction": format!("h{}", i + 1),
                            "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}]}}),
        );
    }
    actions.push(
        json!({"Identifier": format!("h{}", hooks.len()), "Type": "TransferContactToQueue",
        "Parameters": {}, "Transitions": {"NextAction": "bye", "Errors": [
            {"ErrorType": "QueueAtCapacity", "NextAction": "bye"},
            {"ErrorType": "NoMatchingError", "NextAction": "bye"}]}}),
    );
    actions.push(json!({"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}));
    flow("Inbound", "q", Value::Array(actions))
}

fn env(queue: &str) -> Arc<Environment> {
    let mut e = Environment::default();
    e.set_queue(queue).expect("a valid queue setting");
    Arc::new(e)
}

/// A headless call: inputs in, events out, Play prompts and Lambda calls answered
/// (`{}`) as they come.
struct Call {
    engine: Engine,
    events: Vec<TraceEvent>,
    now: SimTime,
}

impl Call {
    fn new(
        main: flowsim::flow::Flow,
        others: Vec<flowsim::flow::Flow>,
        env: Arc<Environment>,
    ) -> Self {
        Self::with(
            main,
            others,
            CallConfig {
                env,
                ..CallConfig::default()
            },
        )
    }

    fn with(
        main: flowsim::flow::Flow,
        others: Vec<flowsim::flow::Flow>,
        config: CallConfig,
    ) -> Self {
        let mut flows = FlowSet::single(main);
        flows.others = others.into_iter().map(Arc::new).collect();
        let mut c = Self {
            engine: Engine::new(flows, config),
            events: Vec::new(),
            now: SimTime::ZERO,
        };
        c.send(Input::Start);
        c
    }

    fn send(&mut self, input: Input) {
        let mut pending = vec![input];
        while let Some(i) = pending.pop() {
            for e in self.engine.handle(i, self.now) {
                match e {
                    Effect::Trace(t) => self.events.push(t),
                    Effect::InvokeLambda(l) => pending.push(Input::LambdaDone {
                        call: l.call,
                        outcome: LambdaOutcome::Response {
                            payload: "{}".into(),
                        },
                    }),
                    Effect::RecognizeText(_) => panic!("these flows map no live bot"),
                }
            }
        }
    }

    /// Let `secs` of call time pass, firing every deadline on the way.
    fn wait(&mut self, secs: u64) {
        let until = SimTime(self.now.0 + secs * 1000);
        while let Some(d) = self.engine.next_deadline().filter(|d| *d <= until) {
            if self.engine.ended().is_some() {
                break;
            }
            self.now = self.now.max(d);
            self.send(Input::Tick);
        }
        self.now = until;
    }

    fn prompts(&self) -> Vec<(u64, String)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Prompt { text, .. } => Some((e.at.0, text.clone())),
                _ => None,
            })
            .collect()
    }

    fn end(&self) -> EndReason {
        self.engine.ended().cloned().expect("the call ended")
    }

    fn flows_entered(&self) -> Vec<(String, String)> {
        self.events
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::FlowChanged { to, how, .. } => Some((to.clone(), how.clone())),
                _ => None,
            })
            .collect()
    }
}

fn position_queue() -> flowsim::flow::Flow {
    flow(
        "position_queue",
        "m",
        json!([
            {"Identifier": "m", "Type": "GetMetricData", "Parameters": {},
             "Transitions": {"NextAction": "p", "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "loop"}]}},
            say("p", "You are caller number $.Metrics.Contact.PositionInQueue.", "loop"),
            {"Identifier": "loop", "Type": "MessageParticipantIteratively",
             "Parameters": {"Messages": [{"Text": "Please hold."}], "InterruptFrequencySeconds": "60"},
             "Transitions": {"NextAction": "m", "Conditions": [{"NextAction": "m",
                "Condition": {"Operator": "Equals", "Operands": ["MessagesInterrupted"]}}]}}
        ]),
    )
}

#[test]
fn position_announcements_count_down_as_callers_ahead_are_answered() {
    // 3 ahead, the agent answers this caller after 4 min: one caller ahead is
    // answered each minute.
    let mut c = Call::new(
        inbound(&[("CustomerQueue", "position_queue")]),
        vec![position_queue()],
        env("Sales:contacts_in_queue=3,answer_after=240"),
    );
    c.wait(30 * 60);
    let said: Vec<String> = c
        .prompts()
        .into_iter()
        .filter(|(_, t)| t.starts_with("You are caller"))
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        said,
        [
            "You are caller number 4.",
            "You are caller number 3.",
            "You are caller number 2.",
            "You are caller number 1."
        ]
    );
    assert_eq!(
        c.end(),
        EndReason::Agent {
            queue: "Sales".into(),
            waited_ms: 240_000
        }
    );
    assert_eq!(
        c.end().describe(),
        "connected to agent in Sales after 4 min"
    );
}

#[test]
fn loop_prompts_cycle_their_messages_each_for_its_time_until_the_agent_answers() {
    let queue = flow(
        "hold_queue",
        "loop",
        json!([{"Identifier": "loop", "Type": "MessageParticipantIteratively",
                "Parameters": {"Messages": [{"Text": "One."}, {"PromptId": "arn:aws:connect:us-east-1:1:instance/i/prompt/music"}]},
                "Transitions": {}}]),
    );
    let mut c = Call::new(
        inbound(&[("CustomerQueue", "hold_queue")]),
        vec![queue],
        env("Sales:answer_after=20"),
    );
    assert!(matches!(c.engine.status(), Status::InQueue { ref queue, .. } if queue == "Sales"));
    c.wait(60);
    let p = c.prompts();
    // "One." then 3 s of audio, in turn, until 20 s.
    assert_eq!(p[0].1, "One.");
    assert_eq!(p[1].1, "[prompt: music]");
    assert_eq!(p[2].1, "One.");
    assert!(p.windows(2).all(|w| w[0].0 < w[1].0), "{p:?}");
    assert!(p.iter().all(|(at, _)| *at < 20_000), "{p:?}");
    assert_eq!(c.end().keyword(), "agent");
}

#[test]
fn hanging_up_in_queue_abandons_it_and_half_an_hour_costs_nothing() {
    let mut c = Call::new(
        inbound(&[("CustomerQueue", "position_queue")]),
        vec![position_queue()],
        env("Sales:answer_after=never"),
    );
    c.wait(30 * 60);
    assert!(c.engine.ended().is_none());
    let info = c.engine.queue_info().expect("in queue");
    // As of the last thing that happened (a message, at most a few seconds ago).
    assert_eq!(info.position, 1);
    assert!(info.waited_ms > 29 * 60 * 1000, "{info:?}");
    c.send(Input::Hangup);
    assert_eq!(
        c.end(),
        EndReason::Abandoned {
            queue: "Sales".into(),
            waited_ms: 30 * 60 * 1000
        }
    );
    assert_eq!(c.end().describe(), "abandoned in Sales after 30 min");
}

#[test]
fn no_agent_online_means_no_agent_answers_by_default() {
    let mut c = Call::new(
        inbound(&[]),
        vec![],
        env("Sales:agents_online=0,agents_available=0"),
    );
    assert_eq!(c.engine.queue_info().unwrap().answer_at, None);
    c.wait(3600);
    assert!(c.engine.ended().is_none());
    // The default customer queue flow: its message and the queue music, on a loop.
    let p = c.prompts();
    assert!(p[0].1.starts_with("Thank you for calling."), "{p:?}");
    assert!(p.len() > 100, "{}", p.len());
}

#[test]
fn check_metric_data_reads_the_live_queue() {
    // In queue: the oldest contact's age grows with the call's clock (ms operands).
    let queue = flow(
        "metric_queue",
        "loop",
        json!([
            {"Identifier": "loop", "Type": "MessageParticipantIteratively",
             "Parameters": {"Messages": [{"Text": "Hold on."}], "InterruptFrequencySeconds": "30"},
             "Transitions": {"NextAction": "check", "Conditions": [{"NextAction": "check",
                "Condition": {"Operator": "Equals", "Operands": ["MessagesInterrupted"]}}]}},
            {"Identifier": "check", "Type": "CheckMetricData", "Parameters": {"MetricType": "OldestContactInQueueAgeSeconds"},
             "Transitions": {"NextAction": "loop", "Conditions": [{"NextAction": "long",
                "Condition": {"Operator": "NumberGreaterOrEqualTo", "Operands": ["100000"]}}],
                "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "loop"}]}},
            say("long", "Sorry for the long wait.", "loop")
        ]),
    );
    let mut c = Call::new(
        inbound(&[("CustomerQueue", "metric_queue")]),
        vec![queue],
        env("Sales:answer_after=200"),
    );
    c.wait(300);
    let sorry: Vec<u64> = c
        .prompts()
        .into_iter()
        .filter(|(_, t)| t == "Sorry for the long wait.")
        .map(|(at, _)| at)
        .collect();
    // Interrupts every ~31 s: the age passes 100 s at the 4th.
    assert!(
        !sorry.is_empty() && sorry[0] >= 100_000 && sorry[0] < 140_000,
        "{sorry:?}"
    );
    assert_eq!(c.end().keyword(), "agent");
}

#[test]
fn the_whisper_flows_run_when_the_agent_answers() {
    let customer = flow(
        "cw",
        "a",
        json!([say("a", "You are now connected.", "end"),
        {"Identifier": "end", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}}]),
    );
    let agent = flow(
        "aw",
        "a",
        json!([say("a", "Caller from Sales.", "end"),
        {"Identifier": "end", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}}]),
    );
    let mut c = Call::new(
        inbound(&[("CustomerWhisper", "cw"), ("AgentWhisper", "aw")]),
        vec![customer, agent],
        env("Sales:answer_after=130"),
    );
    c.wait(200);
    let entered = c.flows_entered();
    assert!(
        entered.contains(&("cw".into(), "customer whisper".into())),
        "{entered:?}"
    );
    assert!(
        entered
            .iter()
            .any(|(f, how)| f == "aw" && how.starts_with("agent whisper")),
        "{entered:?}"
    );
    let said: Vec<String> = c.prompts().into_iter().map(|(_, t)| t).collect();
    let n = said.len();
    assert_eq!(
        said[n - 2..],
        ["You are now connected.", "Caller from Sales."]
    );
    assert_eq!(
        c.end().describe(),
        "connected to agent in Sales after 2 min 10 s"
    );
    let answered = c.events.iter().find_map(|e| match &e.kind {
        TraceKind::AgentAnswered { waited_ms, .. } => Some((e.at.0, *waited_ms)),
        _ => None,
    });
    assert_eq!(answered, Some((130_000, 130_000)));
}

#[test]
fn a_hook_naming_a_missing_flow_warns_and_the_default_queue_flow_plays() {
    let c = Call::new(
        inbound(&[(
            "CustomerQueue",
            "arn:aws:connect:us-east-1:1:instance/i/contact-flow/nope",
        )]),
        vec![],
        env("Sales:answer_after=10"),
    );
    let warned = c.events.iter().any(|e| matches!(&e.kind,
        TraceKind::Warning { message, .. } if message.contains("CustomerQueue flow") && message.contains("--flows")));
    assert!(warned);
    assert_eq!(
        c.flows_entered()[0],
        ("Default customer queue".into(), "customer queue".into())
    );
}

#[test]
fn dequeue_moves_the_contact_at_most_eleven_times() {
    let queue = flow(
        "mover",
        "loop",
        json!([
            {"Identifier": "loop", "Type": "MessageParticipantIteratively",
             "Parameters": {"Messages": [{"Text": "Hold."}], "InterruptFrequencySeconds": "25"},
             "Transitions": {"NextAction": "move", "Conditions": [{"NextAction": "move",
                "Condition": {"Operator": "Equals", "Operands": ["MessagesInterrupted"]}}]}},
            {"Identifier": "move", "Type": "DequeueContactAndTransferToQueue",
             "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/Support"},
             "Transitions": {"NextAction": "loop", "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "stuck"}]}},
            say("stuck", "We cannot move your call again.", "bye"),
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
        ]),
    );
    let mut c = Call::new(
        inbound(&[("CustomerQueue", "mover")]),
        vec![queue],
        env("Support:answer_after=never"),
    );
    c.wait(20 * 60);
    let joined: Vec<String> = c
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::QueueEntered { queue, .. } => Some(queue.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(joined.len(), 12, "{joined:?}");
    assert_eq!(joined[0], "Sales");
    assert!(joined[1..].iter().all(|q| q == "Support"));
    assert!(
        c.prompts()
            .iter()
            .any(|(_, t)| t == "We cannot move your call again.")
    );
    assert_eq!(c.end().keyword(), "disconnected");
    assert_eq!(c.engine.contact().initiation_method, "QUEUE_TRANSFER");
}

#[test]
fn a_callback_then_a_disconnect_ends_callback() {
    let queue = flow(
        "cb",
        "cb",
        json!([
            {"Identifier": "cb", "Type": "CreateCallbackContact", "Parameters": {"InitialCallDelaySeconds": "30"},
             "Transitions": {"NextAction": "bye", "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}]}},
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
        ]),
    );
    let c = Call::new(
        inbound(&[("CustomerQueue", "cb")]),
        vec![queue],
        env("Sales:answer_after=60"),
    );
    assert_eq!(
        c.end(),
        EndReason::Callback {
            queue: "Sales".into(),
            number: flowsim::engine::DEFAULT_CALLER.into(),
            waited_ms: Some(0)
        }
    );
}

#[test]
fn transfer_to_queue_from_the_queue_flow_fails_already_queued() {
    let queue = flow(
        "again",
        "t",
        json!([
            {"Identifier": "t", "Type": "TransferContactToQueue", "Parameters": {},
             "Transitions": {"NextAction": "no", "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "no"}]}},
            say("no", "Already queued.", "end"),
            {"Identifier": "end", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}}
        ]),
    );
    let mut c = Call::new(
        inbound(&[("CustomerQueue", "again")]),
        vec![queue],
        env("Sales:answer_after=30"),
    );
    c.wait(60);
    assert!(c.prompts().iter().any(|(_, t)| t == "Already queued."));
    // The queue flow ended: the caller waited on in silence until the agent.
    assert_eq!(c.end().keyword(), "agent");
}

// ---- hold, once the agent has answered ----------------------------------------------------

fn holds(c: &Call) -> Vec<(u64, &'static str, u64)> {
    c.events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::HoldStarted { for_ms, .. } => Some((e.at.0, "on", for_ms.unwrap_or(0))),
            TraceKind::HoldEnded { held_ms, .. } => Some((e.at.0, "off", *held_ms)),
            _ => None,
        })
        .collect()
}

fn end_flow(id: &str) -> Value {
    json!({"Identifier": id, "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}})
}

#[test]
fn a_hold_runs_the_hold_flows_of_the_hooks_on_the_calls_clock() {
    let customer = flow(
        "ch",
        "loop",
        json!([{"Identifier": "loop", "Type": "MessageParticipantIteratively",
                "Parameters": {"Messages": [{"Text": "Thanks for holding."}]},
                "Transitions": {}}]),
    );
    let agent = flow(
        "ah",
        "a",
        json!([say("a", "Your caller is on hold.", "end"), end_flow("end")]),
    );
    let mut c = Call::new(
        inbound(&[("CustomerHold", "ch"), ("AgentHold", "ah")]),
        vec![customer, agent],
        env("Sales:answer_after=60"),
    );
    c.send(Input::Hold { ms: Some(30_000) });
    c.wait(10 * 60);
    assert_eq!(holds(&c), [(60_000, "on", 30_000), (90_000, "off", 30_000)]);
    let entered = c.flows_entered();
    let n = entered.len();
    assert_eq!(entered[n - 2].0, "ah");
    assert!(entered[n - 2].1.starts_with("agent hold"), "{entered:?}");
    assert_eq!(entered[n - 1], ("ch".into(), "customer hold".into()));
    // The agent hears its flow's prompt; the caller's loop plays from the hold's
    // start, each message for its time, until the hold ends.
    let said = c.prompts();
    let agent_at = said
        .iter()
        .find(|(_, t)| t == "Your caller is on hold.")
        .map(|(at, _)| *at);
    assert_eq!(agent_at, Some(60_000));
    let holding: Vec<u64> = said
        .iter()
        .filter(|(_, t)| t == "Thanks for holding.")
        .map(|(at, _)| *at)
        .collect();
    assert!(holding.len() >= 5, "{holding:?}");
    assert_eq!(holding[0], 60_000);
    assert!(holding.iter().all(|at| *at < 90_000), "{holding:?}");
    assert!(holding.windows(2).all(|w| w[1] > w[0]), "{holding:?}");
    // Time in queue is the time before the agent answered.
    assert_eq!(
        c.end(),
        EndReason::Agent {
            queue: "Sales".into(),
            waited_ms: 60_000
        }
    );
    assert_eq!(
        c.events.last().map(|e| e.at.0),
        Some(90_000),
        "the call ends when the hold does"
    );
}

#[test]
fn without_hooks_the_default_hold_flows_play_and_two_holds_run_in_turn() {
    let mut c = Call::new(inbound(&[]), vec![], env("Sales:answer_after=30"));
    c.send(Input::Hold { ms: Some(10_000) });
    c.send(Input::Hold { ms: Some(6_000) });
    c.wait(10 * 60);
    assert_eq!(
        holds(&c),
        [
            (30_000, "on", 10_000),
            (40_000, "off", 10_000),
            (40_000, "on", 6_000),
            (46_000, "off", 6_000)
        ]
    );
    let entered: Vec<String> = c.flows_entered().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        entered,
        [
            "Default customer queue",
            "Default agent hold",
            "Default customer hold",
            "Default agent hold",
            "Default customer hold"
        ]
    );
    let music: Vec<u64> = c
        .prompts()
        .into_iter()
        .filter(|(_, t)| t == "[prompt: CustomerHold.wav]")
        .map(|(at, _)| at)
        .collect();
    // 3 s per audio prompt: 30, 33, 36, 39 s; then 40, 43 s.
    assert_eq!(music, [30_000, 33_000, 36_000, 39_000, 40_000, 43_000]);
    assert_eq!(c.end().keyword(), "agent");
}

#[test]
fn an_instance_default_hold_flow_among_the_flows_is_used_by_its_connect_name() {
    let mut edited = flow(
        "Default customer hold",
        "a",
        json!([say("a", "Our own hold message.", "end"), end_flow("end")]),
    );
    edited.name = "Default customer hold".into();
    let mut c = Call::new(inbound(&[]), vec![edited], env("Sales:answer_after=5"));
    c.send(Input::Hold { ms: Some(20_000) });
    c.wait(60);
    assert!(
        c.prompts()
            .iter()
            .any(|(at, t)| *at == 5_000 && t == "Our own hold message.")
    );
    // The hold flow ended: the caller stayed on hold, in silence, until the hold's end.
    assert_eq!(holds(&c), [(5_000, "on", 20_000), (25_000, "off", 20_000)]);
    assert_eq!(c.end().keyword(), "agent");
}

#[test]
fn resume_ends_an_open_hold_and_a_hangup_on_hold_still_ends_connected() {
    let mut c = Call::new(inbound(&[]), vec![], env("Sales:answer_after=10"));
    c.send(Input::Hold { ms: None });
    c.wait(100);
    // On hold until taken off it: the call is still going.
    assert!(c.engine.ended().is_none());
    let info = c.engine.queue_info().expect("in queue");
    assert!(info.answered);
    assert_eq!(info.on_hold, Some((SimTime(10_000), None)));
    c.send(Input::Resume);
    assert_eq!(holds(&c), [(10_000, "on", 0), (100_000, "off", 90_000)]);
    assert_eq!(c.end().keyword(), "agent");

    let mut c = Call::new(inbound(&[]), vec![], env("Sales:answer_after=10"));
    c.send(Input::Hold { ms: Some(60_000) });
    c.wait(25);
    c.send(Input::Hangup);
    assert_eq!(holds(&c), [(10_000, "on", 60_000), (25_000, "off", 15_000)]);
    assert_eq!(
        c.end(),
        EndReason::Agent {
            queue: "Sales".into(),
            waited_ms: 10_000
        }
    );
}

#[test]
fn no_hold_without_an_agent_and_today_s_end_when_nobody_holds() {
    // The caller abandons before the agent answers: the hold never begins.
    let mut c = Call::new(inbound(&[]), vec![], env("Sales:answer_after=60"));
    c.send(Input::Hold { ms: Some(30_000) });
    c.wait(20);
    c.send(Input::Hangup);
    assert!(holds(&c).is_empty());
    assert_eq!(c.end().keyword(), "abandoned");
    // Nobody holds: connected when the agent answers, as before.
    let mut c = Call::new(inbound(&[]), vec![], env("Sales:answer_after=60"));
    c.wait(120);
    assert!(holds(&c).is_empty());
    assert_eq!(c.events.last().map(|e| e.at.0), Some(60_000));
    assert_eq!(c.end().keyword(), "agent");
}

#[test]
fn a_call_that_starts_in_a_hold_flow_is_on_hold_then_ends_connected() {
    let text = json!({"Version": "2019-10-30", "StartAction": "loop",
        "Metadata": {"name": "My hold", "type": "customerHold"},
        "Actions": [{"Identifier": "loop", "Type": "MessageParticipantIteratively",
            "Parameters": {"Messages": [{"Text": "Still holding."}]}, "Transitions": {}}]})
    .to_string();
    let hold = parse_str(&text, "hold.json", "My hold").unwrap();
    let mut c = Call::new(hold.clone(), vec![], Arc::default());
    c.wait(10 * 60);
    let secs = u64::from(flowsim::engine::DEFAULT_HOLD_SECS) * 1000;
    assert_eq!(holds(&c), [(0, "on", secs), (secs, "off", secs)]);
    assert!(c.prompts().iter().all(|(_, t)| t == "Still holding."));
    assert!(c.prompts().len() > 5);
    assert_eq!(c.end().keyword(), "agent");
    // A hold given before the call starts sets its length.
    let flows = FlowSet::single(hold);
    let mut engine = Engine::new(flows, CallConfig::default());
    engine.handle(Input::Hold { ms: Some(5_000) }, SimTime::ZERO);
    engine.handle(Input::Start, SimTime::ZERO);
    while let Some(d) = engine.next_deadline() {
        engine.handle(Input::Tick, d);
    }
    assert_eq!(engine.now(), SimTime(5_000));
    assert_eq!(engine.ended().map(EndReason::keyword), Some("agent"));
}

#[test]
fn a_flow_exported_without_a_type_runs_in_the_role_its_blocks_say() {
    // Loop prompts is allowed in queue and hold flows only: the flow is a customer
    // queue flow, waiting in BasicQueue, its working queue (metrics need no QueueId).
    let text = json!({"Version": "2019-10-30", "StartAction": "loop",
        "Actions": [
            {"Identifier": "loop", "Type": "MessageParticipantIteratively",
             "Parameters": {"Messages": [{"Text": "Please hold."}], "InterruptFrequencySeconds": "20"},
             "Transitions": {"NextAction": "m", "Conditions": [{"NextAction": "m",
                "Condition": {"Operator": "Equals", "Operands": ["MessagesInterrupted"]}}]}},
            {"Identifier": "m", "Type": "GetMetricData", "Parameters": {},
             "Transitions": {"NextAction": "p", "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "bye"}]}},
            say("p", "You are caller number $.Metrics.Contact.PositionInQueue.", "bye"),
            {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]})
    .to_string();
    let f = parse_str(&text, "untyped.json", "untyped").unwrap();
    assert_eq!(f.flow_type, None);
    assert_eq!(f.role(), flowsim::catalogue::FlowType::CustomerQueue);
    let mut c = Call::new(
        f,
        vec![],
        env("BasicQueue:contacts_in_queue=2,answer_after=never"),
    );
    c.wait(60);
    assert!(
        c.prompts()
            .iter()
            .any(|(_, t)| t == "You are caller number 3."),
        "{:?}",
        c.prompts()
    );
    // Nothing typed: an inbound flow, as before.
    let plain = flow(
        "plain",
        "p",
        json!([say("p", "Hello.", "bye"),
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]),
    );
    assert_eq!(plain.role(), flowsim::catalogue::FlowType::ContactFlow);
}

#[test]
fn loop_prompts_on_chat_takes_its_error_branch() {
    let f = flow(
        "q",
        "loop",
        json!([
        {"Identifier": "loop", "Type": "MessageParticipantIteratively",
         "Parameters": {"Messages": [{"Text": "Please hold."}]},
         "Transitions": {"Errors": [{"ErrorType": "NoMatchingError", "NextAction": "sorry"}]}},
        say("sorry", "We cannot hold a chat here.", "bye"),
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]),
    );
    let e = Environment {
        channel: Some("chat".into()),
        ..Environment::default()
    };
    let mut c = Call::new(f.clone(), vec![], Arc::new(e));
    c.wait(60);
    assert_eq!(
        c.prompts()
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>(),
        ["We cannot hold a chat here."]
    );
    // On voice the messages play until the agent answers.
    let mut c = Call::new(f, vec![], env("BasicQueue:answer_after=20"));
    c.wait(60);
    assert!(c.prompts().iter().all(|(_, t)| t == "Please hold."));
    assert_eq!(c.end().keyword(), "agent");
}

// ---- corpus flows in their roles ----------------------------------------------------------

/// Customer queue and whisper flows of the corpus: by `Metadata.type`, else by the
/// file's name (exports rarely carry their type; the API wrapper that did is gone).
fn corpus_roles() -> Vec<(PathBuf, &'static str)> {
    let Some(shared) = common::shared() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(shared.join("corpus/flows")).unwrap() {
        let path = entry.unwrap().path();
        let Ok(f) = load_file(&path) else { continue };
        let name = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_ascii_lowercase();
        let name = name
            .rsplit("__")
            .find(|p| !p.starts_with("content"))
            .unwrap_or(&name)
            .replace(['_', '-', ' '], "");
        let t = f
            .flow_type
            .as_deref()
            .unwrap_or("")
            .replace(['_', '-'], "")
            .to_ascii_lowercase();
        let role = [
            ("customerqueue", "CustomerQueue"),
            ("customerwhisper", "CustomerWhisper"),
            ("agentwhisper", "AgentWhisper"),
            ("customerhold", "CustomerHold"),
            ("agenthold", "AgentHold"),
        ]
        .into_iter()
        .find(|(k, _)| t == *k || (t.is_empty() || t == "contactflow") && name.contains(k))
        .map(|(_, r)| r);
        if let Some(r) = role {
            out.push((path, r));
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_queue_whisper_and_hold_flow_runs_in_its_role() {
    let roles = corpus_roles();
    if common::shared().is_none() {
        return;
    }
    // 26 on the corpus of 2026-12: 9 customer queue, 6 customer whisper, 7 agent
    // whisper, 3 customer hold, 1 agent hold.
    assert!(roles.len() >= 24, "{roles:?}");
    assert!(
        roles.iter().filter(|(_, r)| r.ends_with("Hold")).count() >= 4,
        "{roles:?}"
    );
    for (path, role) in roles {
        let f = load_file(&path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let name = f.name.clone();
        let mut c = Call::new(
            inbound(&[(role, &stem)]),
            vec![f],
            env("Sales:answer_after=90"),
        );
        // A hold flow runs when the agent, once connected, holds the caller.
        c.send(Input::Hold { ms: Some(45_000) });
        let mut rounds = 0;
        while c.engine.ended().is_none() && rounds < 2000 {
            rounds += 1;
            match c.engine.status() {
                Status::AwaitingInput { .. } => c.send(Input::Silence),
                _ => match c.engine.next_deadline() {
                    Some(d) => {
                        c.now = c.now.max(d);
                        c.send(Input::Tick);
                    }
                    None => c.send(Input::Hangup),
                },
            }
        }
        let how = match role {
            "CustomerQueue" => "customer queue",
            "CustomerWhisper" => "customer whisper",
            "CustomerHold" => "customer hold",
            "AgentHold" => "agent hold",
            _ => "agent whisper",
        };
        assert!(
            c.flows_entered()
                .iter()
                .any(|(to, h)| *to == name && h.starts_with(how)),
            "{}: not run as the {role} flow: {:?}",
            path.display(),
            c.flows_entered()
        );
        let end = c.engine.ended().cloned();
        assert!(
            end.as_ref().is_some_and(|e| [
                "agent",
                "abandoned",
                "callback",
                "disconnected",
                "budget"
            ]
            .contains(&e.keyword())),
            "{}: ended {end:?}",
            path.display()
        );
        // A whisper flow that runs to its end connects the call.
        if role != "CustomerQueue"
            && !c
                .events
                .iter()
                .any(|e| matches!(e.kind, TraceKind::InputRequested { .. }))
        {
            assert!(
                matches!(
                    end,
                    Some(EndReason::Agent { .. }) | Some(EndReason::Disconnected { .. })
                ),
                "{}: {end:?}",
                path.display()
            );
        }
    }
}

// ---- .call scenarios --------------------------------------------------------------------

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/queue")
}

fn flowsim(args: &[&str]) -> std::process::Output {
    common::run_in(&root(), &std::env::temp_dir().join("flowsim-tests"), args)
}

/// The rules-engine sample's flows, under the names Connect knows them by
/// (`RulesEngineQueue.json`, …), with the rules scripts beside them.
fn rules_engine_folder() -> Option<tempfile::TempDir> {
    let shared = common::shared()?;
    let dir = tempfile::tempdir().unwrap();
    let prefix = "aws-samples__amazon-connect-rules-engine__connect_contactflows_";
    for entry in std::fs::read_dir(shared.join("corpus/flows")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(short) = name.strip_prefix(prefix) {
            std::fs::copy(&path, dir.path().join(short)).unwrap();
        }
    }
    for entry in std::fs::read_dir(fixtures().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    Some(dir)
}

fn results(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_rules_engine_sample_reaches_an_agent_an_abandon_and_a_callback() {
    let Some(dir) = rules_engine_folder() else {
        return;
    };
    let d = dir.path().to_str().unwrap();
    let scripts: Vec<String> = [
        "rules_agent",
        "rules_abandoned",
        "rules_callback",
        "rules_hold",
    ]
    .iter()
    .map(|s| format!("{d}/{s}.call"))
    .collect();
    let mut args = vec!["test", "--json", "--flows", d];
    args.extend(scripts.iter().map(String::as_str));
    let out = flowsim(&args);
    let stdout = common::stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        common::stderr(&out)
    );
    let ends: Vec<(String, String)> = results(&stdout)
        .iter()
        .map(|r| {
            let s = r["script"].as_str().unwrap();
            let short = Path::new(s)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (short, r["end"].as_str().unwrap().to_owned())
        })
        .collect();
    for (script, end) in [
        ("rules_agent", "agent"),
        ("rules_abandoned", "abandoned"),
        ("rules_callback", "callback"),
        ("rules_hold", "agent"),
    ] {
        assert!(ends.contains(&(script.into(), end.into())), "{ends:?}");
    }
}

#[test]
fn the_rules_engine_call_ends_connected_after_its_time_in_queue() {
    let Some(dir) = rules_engine_folder() else {
        return;
    };
    let d = dir.path().to_str().unwrap();
    // The same call as rules_agent.call, as a `flowsim run` with its Lambda answers.
    let script = std::fs::read_to_string(dir.path().join("rules_agent.call")).unwrap();
    let mut args: Vec<String> = vec![
        "run".into(),
        format!("{d}/RulesEngineMain.json"),
        "--flows".into(),
        d.into(),
        "--queue".into(),
        "Sales:answer_after=130".into(),
        "--json".into(),
    ];
    for l in script.lines() {
        if let Some(m) = l.strip_prefix("lambda ") {
            let (k, v) = m.split_once(" = ").unwrap();
            args.push("--lambda".into());
            args.push(format!("{k}={v}"));
        }
    }
    let out = flowsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let events: Vec<Value> = results(&common::stdout(&out));
    let end = events
        .iter()
        .find(|e| e["event"] == "ended")
        .expect("an end");
    assert_eq!(end["reason"]["end"], "agent");
    assert_eq!(end["reason"]["queue"], "Sales");
    assert_eq!(end["reason"]["waited_ms"], 130_000);
    let flows: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "flow_changed")
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert_eq!(
        flows,
        [
            "RulesEngineQueue",
            "RulesEngineCustomerQueue",
            "RulesEngineCustomerWhisper",
            "RulesEngineAgentWhisper"
        ]
    );
    // The transcript says it in words.
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--json")
        .collect();
    let text = common::stdout(&flowsim(&args));
    assert!(
        text.contains("END   connected to agent in Sales after 2 min 10 s"),
        "{text}"
    );
}

#[test]
fn the_hand_built_queue_scenarios_pass() {
    let dir = fixtures();
    let d = dir.to_str().unwrap();
    let mut args = vec![
        "test".to_owned(),
        "--json".into(),
        "--flows".into(),
        d.into(),
    ];
    for s in [
        "position",
        "callback_in_queue",
        "default_queue",
        "still_queued",
        "hold",
    ] {
        args.push(format!("{d}/{s}.call"));
    }
    let out = flowsim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let stdout = common::stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        common::stderr(&out)
    );
    let passed = results(&stdout)
        .iter()
        .filter(|r| r["status"] == "passed")
        .count();
    assert_eq!(passed, 5, "{stdout}");
}

#[test]
fn a_wrong_queue_end_fails_with_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let script = dir.path().join("wrong.call");
    std::fs::write(
        &script,
        format!(
            "flow {}\nattribute queueFlow = \"position_queue\"\nqueue \"Sales\" answer_after 40\n\nexpect end abandoned\n",
            f.join("queue_inbound.json").display()
        ),
    )
    .unwrap();
    let out = flowsim(&[
        "test",
        "--flows",
        f.to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    let stdout = common::stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("connected to agent in Sales after 40 s"),
        "{stdout}"
    );
}

#[test]
fn a_recorded_queue_call_replays_to_the_same_end() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let rec = dir.path().join("queued.call");
    let out = flowsim(&[
        "run",
        f.join("queue_inbound.json").to_str().unwrap(),
        "--flows",
        f.to_str().unwrap(),
        "--queue",
        "Sales:contacts_in_queue=2,answer_after=150",
        "--record",
        rec.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let text = std::fs::read_to_string(&rec).unwrap();
    assert!(text.contains("queue \"Sales\""), "{text}");
    assert!(text.contains("answer_after 150"), "{text}");
    assert!(text.contains("\nwait "), "{text}");
    assert!(text.contains("expect end agent \"Sales\""), "{text}");
    let out = flowsim(&[
        "test",
        "--flows",
        f.to_str().unwrap(),
        rec.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        common::stdout(&out)
    );
}

#[test]
fn a_hold_taken_off_by_hand_records_as_a_hold_line_that_replays_green() {
    // As in the TUI: `o` before the answer, `o` again 30 s into the hold, `w`.
    let f = fixtures();
    let flow_path = f.join("queue_inbound.json");
    let mut config = CallConfig {
        env: env("Sales:answer_after=20"),
        ..CallConfig::default()
    };
    config
        .attributes
        .insert("queueFlow".into(), "no_such_flow".into());
    let mut c = Call::with(load_file(&flow_path).unwrap(), vec![], config.clone());
    c.send(Input::Hold { ms: None });
    c.wait(50);
    c.send(Input::Resume);
    assert_eq!(holds(&c), [(20_000, "on", 0), (50_000, "off", 30_000)]);
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("held.call");
    let text = flowsim::script::recording_from_trace(
        &flowsim::script::RecordOptions {
            flow_path: Some(&flow_path),
            recording_path: Some(&rec),
            config: Some(&config),
        },
        &c.events,
    );
    assert!(text.contains("\nhold 30s\n"), "{text}");
    assert!(
        text.contains("expect \"[prompt: CustomerHold.wav]\""),
        "{text}"
    );
    assert!(text.contains("expect end agent \"Sales\""), "{text}");
    std::fs::write(&rec, &text).unwrap();
    let out = flowsim(&[
        "test",
        "--flows",
        f.to_str().unwrap(),
        rec.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        common::stdout(&out)
    );
}

#[test]
fn a_hold_line_of_a_call_that_never_reaches_an_agent_fails() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures();
    let script = dir.path().join("unheld.call");
    std::fs::write(
        &script,
        format!(
            "flow {}\nattribute queueFlow = \"none\"\nqueue \"Sales\" answer_after 60\n\nwait 10s\nhold 30s\nhangup\nexpect end abandoned\n",
            f.join("queue_inbound.json").display()
        ),
    )
    .unwrap();
    let out = flowsim(&[
        "test",
        "--flows",
        f.to_str().unwrap(),
        script.to_str().unwrap(),
    ]);
    let stdout = common::stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("on hold"), "{stdout}");
    assert!(stdout.contains(":6"), "{stdout}");
}

#[test]
fn a_run_left_in_queue_for_good_says_so() {
    let f = fixtures();
    let out = flowsim(&[
        "run",
        f.join("queue_inbound.json").to_str().unwrap(),
        "--flows",
        f.to_str().unwrap(),
        "--attribute",
        "queueFlow=position_queue",
        "--queue",
        "Sales:agents_online=0",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = common::stdout(&out);
    assert!(text.contains("You are caller number 1."), "{text}");
    assert!(
        text.contains("QUEUE the call waits in Sales for good: no agent answers"),
        "{text}"
    );
}
