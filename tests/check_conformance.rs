//! `flowsim check` against flows built from Connect's documentation, the way the
//! independent conformance suite is: 40 flows Connect refuses (each must get a finding,
//! and at most two may get only warnings) and 25 it accepts (none may get an error).

use flowsim::check::{self, Finding, Severity};
use serde_json::{Value, json};

fn flow(actions: Value) -> Value {
    json!({"Version": "2019-10-30", "StartAction": actions[0]["Identifier"], "Actions": actions})
}

/// The `describe-contact-flow` wrapper, which carries the flow type.
fn wrapped(f: Value, ty: &str) -> Value {
    json!({"ContactFlow": {"Name": "case", "Type": ty, "Content": f.to_string()}})
}

fn err(t: &str, next: &str) -> Value {
    json!({"ErrorType": t, "NextAction": next})
}

fn cond(op: &str, operand: &str, next: &str) -> Value {
    json!({"NextAction": next, "Condition": {"Operator": op, "Operands": [operand]}})
}

fn say(id: &str, text: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": text},
           "Transitions": {"NextAction": next, "Errors": [err("NoMatchingError", next)]}})
}

fn bye() -> Value {
    json!({"Identifier": "Bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}})
}

fn end() -> Value {
    json!({"Identifier": "End", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}})
}

fn action(id: &str, ty: &str, params: Value, transitions: Value) -> Value {
    json!({"Identifier": id, "Type": ty, "Parameters": params, "Transitions": transitions})
}

fn menu(errors: &[&str]) -> Value {
    let errors: Vec<Value> = errors.iter().map(|e| err(e, "Bye")).collect();
    action(
        "Menu",
        "GetParticipantInput",
        json!({"Text": "Press 1 for sales", "StoreInput": "False", "InputTimeLimitSeconds": "5"}),
        json!({"NextAction": "Bye", "Conditions": [cond("Equals", "1", "Bye")], "Errors": errors}),
    )
}

fn store(errors: &[&str]) -> Value {
    let errors: Vec<Value> = errors.iter().map(|e| err(e, "Bye")).collect();
    action(
        "Store",
        "GetParticipantInput",
        json!({"Text": "Enter your account number", "StoreInput": "True", "InputTimeLimitSeconds": "5",
               "InputValidation": {"CustomValidation": {"MaximumLength": "8"}}}),
        json!({"NextAction": "Bye", "Errors": errors}),
    )
}

fn callback_contact() -> Value {
    action(
        "Callback",
        "CreateCallbackContact",
        json!({"InitialCallDelaySeconds": "10", "MaximumConnectionAttempts": "1", "RetryDelaySeconds": "60"}),
        json!({"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}),
    )
}

fn percent(errors: &[&str]) -> Value {
    let errors: Vec<Value> = errors.iter().map(|e| err(e, "Bye")).collect();
    action(
        "Split",
        "DistributeByPercentage",
        json!({}),
        json!({"NextAction": "Bye", "Conditions": [cond("NumberLessThan", "51", "Bye")], "Errors": errors}),
    )
}

fn hours(next: bool, operands: [&str; 2]) -> Value {
    let mut t = json!({"Conditions": [cond("Equals", operands[0], "Bye"), cond("Equals", operands[1], "Bye")],
                       "Errors": [err("NoMatchingError", "Bye")]});
    if next {
        t["NextAction"] = json!("Bye");
    }
    action("Hours", "CheckHoursOfOperation", json!({}), t)
}

fn dequeue() -> Value {
    action(
        "Dequeue",
        "DequeueContactAndTransferToQueue",
        json!({"QueueId": "arn:aws:connect:us-east-1:111122223333:instance/i/queue/q"}),
        json!({"NextAction": "Bye", "Errors": [err("QueueAtCapacity", "Bye"), err("NoMatchingError", "Bye")]}),
    )
}

fn to_agent() -> Value {
    action("Agent", "TransferContactToAgent", json!({}), json!({}))
}

fn to_queue(errors: &[&str]) -> Value {
    let errors: Vec<Value> = errors.iter().map(|e| err(e, "Bye")).collect();
    action(
        "Queue",
        "TransferContactToQueue",
        json!({}),
        json!({"NextAction": "Bye", "Errors": errors}),
    )
}

fn callback_number(errors: &[&str]) -> Value {
    let errors: Vec<Value> = errors.iter().map(|e| err(e, "Bye")).collect();
    action(
        "Number",
        "UpdateContactCallbackNumber",
        json!({"CallbackNumber": "$.CustomerEndpoint.Address"}),
        json!({"NextAction": "Bye", "Errors": errors}),
    )
}

fn recording(errors: &[&str]) -> Value {
    let errors: Vec<Value> = errors.iter().map(|e| err(e, "Bye")).collect();
    action(
        "Record",
        "UpdateContactRecordingAndAnalyticsBehavior",
        json!({"VoiceBehavior": {"VoiceRecordingBehavior": {"RecordedParticipants": ["Agent", "Customer"]}}}),
        json!({"NextAction": "Bye", "Errors": errors}),
    )
}

fn lambda(extra: Value) -> Value {
    let mut p = json!({"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:f",
                       "InvocationTimeLimitSeconds": "8"});
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    action(
        "Lambda",
        "InvokeLambdaFunction",
        p,
        json!({"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}),
    )
}

fn show_view() -> Value {
    action(
        "View",
        "ShowView",
        json!({"ViewResource": {"Id": "arn:aws:connect:us-west-2:aws:view/detail:1"},
               "InvocationTimeLimitSeconds": "400", "ViewData": {"Heading": "Order"}}),
        json!({"NextAction": "Bye", "Conditions": [cond("Equals", "Next", "Bye")],
               "Errors": [err("NoMatchingError", "Bye"), err("NoMatchingCondition", "Bye"),
                          err("TimeLimitExceeded", "Bye")]}),
    )
}

fn wait() -> Value {
    action(
        "Wait",
        "Wait",
        json!({"TimeLimitSeconds": "900", "Events": ["CustomerReturned"]}),
        json!({"NextAction": "Bye",
               "Conditions": [cond("Equals", "WaitCompleted", "Bye"), cond("Equals", "CustomerReturned", "Bye")],
               "Errors": [err("NoMatchingError", "Bye")]}),
    )
}

fn loop_prompts(text: &str) -> Value {
    action(
        "LoopPrompts",
        "MessageParticipantIteratively",
        json!({"Messages": [{"Text": "You are in the queue"}, {"Text": text}],
               "InterruptFrequencySeconds": "30"}),
        json!({"Conditions": [cond("Equals", "MessagesInterrupted", "End")],
               "Errors": [err("NoMatchingError", "End")]}),
    )
}

fn chain(n: usize) -> Value {
    let mut a: Vec<Value> = (0..n - 1)
        .map(|i| {
            let next = if i + 2 == n {
                "Bye".to_owned()
            } else {
                format!("S{}", i + 1)
            };
            say(&format!("S{i}"), "hello", &next)
        })
        .collect();
    a.push(bye());
    flow(json!(a))
}

fn refused() -> Vec<(&'static str, Value)> {
    let long = "x".repeat(3001);
    vec![
        (
            "callback in a customer whisper",
            wrapped(flow(json!([callback_contact(), bye()])), "CUSTOMER_WHISPER"),
        ),
        (
            "percentage in an agent whisper",
            wrapped(
                flow(json!([percent(&["NoMatchingCondition"]), end(), bye()])),
                "AGENT_WHISPER",
            ),
        ),
        (
            "prompt in a customer hold flow",
            wrapped(
                flow(json!([say("Hi", "hi", "End"), end()])),
                "CUSTOMER_HOLD",
            ),
        ),
        (
            "hours in an agent hold flow",
            wrapped(
                flow(json!([hours(true, ["True", "False"]), bye()])),
                "AGENT_HOLD",
            ),
        ),
        (
            "dequeue in an inbound flow",
            wrapped(flow(json!([dequeue(), bye()])), "CONTACT_FLOW"),
        ),
        (
            "transfer to agent in an inbound flow",
            wrapped(flow(json!([to_agent()])), "CONTACT_FLOW"),
        ),
        ("251 actions", chain(251)),
        ("show view, chat only", flow(json!([show_view(), bye()]))),
        ("wait, chat only", flow(json!([wait(), bye()]))),
        (
            "input without StoreInput",
            flow(json!([
                action(
                    "In",
                    "GetParticipantInput",
                    json!({"Text": "Press 1", "InputTimeLimitSeconds": "5"}),
                    json!({"NextAction": "Bye", "Conditions": [cond("Equals", "1", "Bye")],
                       "Errors": [err("InputTimeLimitExceeded", "Bye"), err("NoMatchingCondition", "Bye"),
                                  err("NoMatchingError", "Bye")]})
                ),
                bye()
            ])),
        ),
        (
            "menu without timeout branch",
            flow(json!([
                menu(&["NoMatchingCondition", "NoMatchingError"]),
                bye()
            ])),
        ),
        (
            "menu without default branch",
            flow(json!([
                menu(&["InputTimeLimitExceeded", "NoMatchingError"]),
                bye()
            ])),
        ),
        (
            "store mode with NoMatchingCondition",
            flow(json!([
                store(&["NoMatchingCondition", "NoMatchingError"]),
                bye()
            ])),
        ),
        (
            "queue without QueueAtCapacity",
            flow(json!([to_queue(&["NoMatchingError"]), bye()])),
        ),
        (
            "callback number without not-dialable",
            flow(json!([callback_number(&["InvalidCallbackNumber"]), bye()])),
        ),
        (
            "recording without ChannelMismatch",
            flow(json!([recording(&["NoMatchingError"]), bye()])),
        ),
        (
            "percentage without remainder",
            flow(json!([percent(&[]), bye()])),
        ),
        (
            "hours without NextAction",
            flow(json!([hours(false, ["True", "False"]), bye()])),
        ),
        (
            "prompt over 3,000 characters",
            flow(json!([say("Long", &long, "Bye"), bye()])),
        ),
        (
            "loop prompts message over 3,000 characters",
            wrapped(flow(json!([loop_prompts(&long), end()])), "CUSTOMER_QUEUE"),
        ),
        (
            "end flow in an inbound flow",
            wrapped(flow(json!([say("Hi", "hi", "End"), end()])), "CONTACT_FLOW"),
        ),
        (
            "transfer to flow in a customer queue flow",
            wrapped(
                flow(json!([
                    action(
                        "Go",
                        "TransferToFlow",
                        json!({"ContactFlowId": "arn:aws:connect:us-east-1:111122223333:instance/i/contact-flow/f"}),
                        json!({"Errors": [err("NoMatchingError", "End")]})
                    ),
                    end()
                ])),
                "CUSTOMER_QUEUE",
            ),
        ),
        (
            "identifier with a colon",
            flow(json!([say("Menu: main", "hi", "Bye"), bye()])),
        ),
        (
            "identifier over 50 characters",
            flow(json!([say(&"a".repeat(51), "hi", "Bye"), bye()])),
        ),
        (
            "console block name as type",
            flow(json!([
                action(
                    "P",
                    "PlayPrompt",
                    json!({"Text": "hi"}),
                    json!({"NextAction": "Bye"})
                ),
                bye()
            ])),
        ),
        (
            "synchronous lambda over 8 s",
            flow(json!([
                lambda(json!({"InvocationTimeLimitSeconds": "9"})),
                bye()
            ])),
        ),
        (
            "asynchronous lambda over 60 s",
            flow(json!([
                lambda(
                    json!({"InvocationType": "ASYNCHRONOUS", "InvocationTimeLimitSeconds": "61"})
                ),
                bye()
            ])),
        ),
        (
            "loop without DoneLooping",
            flow(json!([
                action(
                    "L",
                    "Loop",
                    json!({"LoopCount": "3"}),
                    json!({"NextAction": "Bye", "Conditions": [cond("Equals", "ContinueLooping", "L")]})
                ),
                bye()
            ])),
        ),
        (
            "compare on a literal",
            flow(json!([
                action(
                    "C",
                    "Compare",
                    json!({"ComparisonValue": "Gold"}),
                    json!({"NextAction": "Bye", "Conditions": [cond("Equals", "Gold", "Bye")],
                       "Errors": [err("NoMatchingCondition", "Bye")]})
                ),
                bye()
            ])),
        ),
        (
            "menu condition with two keys",
            flow(json!([
                action(
                    "Menu",
                    "GetParticipantInput",
                    json!({"Text": "Press 12", "StoreInput": "False", "InputTimeLimitSeconds": "5"}),
                    json!({"NextAction": "Bye", "Conditions": [cond("Equals", "12", "Bye")],
                       "Errors": [err("InputTimeLimitExceeded", "Bye"), err("NoMatchingCondition", "Bye"),
                                  err("NoMatchingError", "Bye")]})
                ),
                bye()
            ])),
        ),
        (
            "dangling target",
            flow(json!([say("Hi", "hi", "Gone"), bye()])),
        ),
        (
            "duplicate identifier",
            flow(json!([
                say("Hi", "hi", "Bye"),
                say("Hi", "again", "Bye"),
                bye()
            ])),
        ),
        (
            "StartAction naming nothing",
            json!({"Version": "2019-10-30", "StartAction": "Nope", "Actions": [bye()]}),
        ),
        (
            "store mode with conditions",
            flow(json!([
                action(
                    "Store",
                    "GetParticipantInput",
                    json!({"Text": "Enter", "StoreInput": "True", "InputTimeLimitSeconds": "5",
                       "InputValidation": {"CustomValidation": {"MaximumLength": "4"}}}),
                    json!({"NextAction": "Bye", "Conditions": [cond("Equals", "1", "Bye")],
                       "Errors": [err("NoMatchingError", "Bye")]})
                ),
                bye()
            ])),
        ),
        (
            "input without NoMatchingError",
            flow(json!([
                menu(&["InputTimeLimitExceeded", "NoMatchingCondition"]),
                bye()
            ])),
        ),
        (
            "callback number with NoMatchingError",
            flow(json!([
                callback_number(&[
                    "InvalidCallbackNumber",
                    "CallbackNumberNotDialable",
                    "NoMatchingError"
                ]),
                bye()
            ])),
        ),
        (
            "hours compared with Open",
            flow(json!([hours(true, ["Open", "Closed"]), bye()])),
        ),
        (
            "staffing compared with 2",
            flow(json!([
                action(
                    "Staff",
                    "CheckMetricData",
                    json!({"MetricType": "NumberOfAgentsAvailable"}),
                    json!({"NextAction": "Bye", "Conditions": [cond("NumberGreaterThan", "2", "Bye")],
                       "Errors": [err("NoMatchingCondition", "Bye"), err("NoMatchingError", "Bye")]})
                ),
                bye()
            ])),
        ),
        (
            "staffing in a whisper flow",
            wrapped(
                flow(json!([
                    action(
                        "Staff",
                        "CheckMetricData",
                        json!({"MetricType": "NumberOfAgentsAvailable"}),
                        json!({"NextAction": "End", "Conditions": [cond("NumberGreaterThan", "0", "End")],
                           "Errors": [err("NoMatchingCondition", "End"), err("NoMatchingError", "End")]})
                    ),
                    end()
                ])),
                "CUSTOMER_WHISPER",
            ),
        ),
        (
            "working queue in a customer queue flow",
            wrapped(
                flow(json!([
                    action(
                        "Set",
                        "UpdateContactTargetQueue",
                        json!({"QueueId": "arn:aws:connect:us-east-1:111122223333:instance/i/queue/q"}),
                        json!({"NextAction": "End", "Errors": [err("NoMatchingError", "End")]})
                    ),
                    end()
                ])),
                "CUSTOMER_QUEUE",
            ),
        ),
    ]
}

fn accepted() -> Vec<(&'static str, Value)> {
    let doc_example = json!({
        "Version": "2019-10-30", "StartAction": "12345678-1234-1234-1234-123456789012",
        "Metadata": {"EntryPointPosition": {"x": 88, "y": 100}},
        "Actions": [
            {"Identifier": "12345678-1234-1234-1234-123456789012", "Type": "MessageParticipant",
             "Transitions": {"NextAction": "abcdef-abcd-abcd-abcd-abcdefghijkl", "Errors": [], "Conditions": []},
             "Parameters": {"Text": "Thanks for calling the sample flow!"}},
            {"Identifier": "abcdef-abcd-abcd-abcd-abcdefghijkl", "Type": "DisconnectParticipant",
             "Transitions": {}, "Parameters": {}}
        ]
    });
    let module = json!({
        "Version": "2019-10-30", "StartAction": "Say",
        "Settings": {"Transitions": [{"DisplayName": "Success", "ReferenceName": "Success"}]},
        "Actions": [say("Say", "from the module", "Return"),
                    action("Return", "EndFlowModuleExecution", json!({"Result": "Success"}), json!({}))]
    });
    vec![
        ("the developer guide's example flow", doc_example.clone()),
        (
            "the example in its API wrapper",
            wrapped(doc_example, "CONTACT_FLOW"),
        ),
        (
            "a menu",
            flow(json!([
                menu(&[
                    "InputTimeLimitExceeded",
                    "NoMatchingCondition",
                    "NoMatchingError"
                ]),
                bye()
            ])),
        ),
        (
            "store customer input",
            flow(json!([store(&["NoMatchingError"]), bye()])),
        ),
        (
            "asynchronous lambda, 30 s",
            flow(json!([
                lambda(
                    json!({"InvocationType": "ASYNCHRONOUS", "InvocationTimeLimitSeconds": "30"})
                ),
                bye()
            ])),
        ),
        (
            "transfer to queue",
            wrapped(
                flow(json!([
                    to_queue(&["QueueAtCapacity", "NoMatchingError"]),
                    bye()
                ])),
                "CONTACT_FLOW",
            ),
        ),
        (
            "customer queue flow with loop prompts and dequeue",
            wrapped(
                flow(json!([
                    action(
                        "LoopPrompts",
                        "MessageParticipantIteratively",
                        json!({"Messages": [{"Text": "Please hold"}], "InterruptFrequencySeconds": "60"}),
                        json!({"Conditions": [cond("Equals", "MessagesInterrupted", "Dequeue")],
                               "Errors": [err("NoMatchingError", "Bye")]})
                    ),
                    dequeue(),
                    bye()
                ])),
                "CUSTOMER_QUEUE",
            ),
        ),
        (
            "agent whisper",
            wrapped(
                flow(json!([say("Whisper", "Sales call", "End"), end()])),
                "AGENT_WHISPER",
            ),
        ),
        (
            "customer hold flow",
            wrapped(
                flow(json!([action(
                    "Hold",
                    "MessageParticipantIteratively",
                    json!({"Messages": [{"Text": "Still holding"}]}),
                    json!({"Conditions": [], "Errors": []})
                )])),
                "CUSTOMER_HOLD",
            ),
        ),
        (
            "transfer to agent in a transfer flow",
            wrapped(flow(json!([to_agent()])), "AGENT_TRANSFER"),
        ),
        (
            "callback",
            wrapped(
                flow(json!([
                    action(
                        "Number",
                        "UpdateContactCallbackNumber",
                        json!({"CallbackNumber": "$.CustomerEndpoint.Address"}),
                        json!({"NextAction": "Callback", "Errors": [err("InvalidCallbackNumber", "Bye"),
                                                                    err("CallbackNumberNotDialable", "Bye")]})
                    ),
                    callback_contact(),
                    bye()
                ])),
                "CONTACT_FLOW",
            ),
        ),
        (
            "percentage with remainder",
            wrapped(
                flow(json!([percent(&["NoMatchingCondition"]), bye()])),
                "CONTACT_FLOW",
            ),
        ),
        (
            "hours of operation",
            wrapped(
                flow(json!([hours(true, ["True", "False"]), bye()])),
                "CUSTOMER_QUEUE",
            ),
        ),
        (
            "show view",
            wrapped(flow(json!([show_view(), bye()])), "CONTACT_FLOW"),
        ),
        (
            "wait",
            wrapped(flow(json!([wait(), bye()])), "CONTACT_FLOW"),
        ),
        (
            "loop",
            flow(json!([
                action(
                    "L",
                    "Loop",
                    json!({"LoopCount": "2"}),
                    json!({"NextAction": "Bye", "Conditions": [cond("Equals", "ContinueLooping", "Hi"),
                                                               cond("Equals", "DoneLooping", "Bye")]})
                ),
                say("Hi", "again", "L"),
                bye()
            ])),
        ),
        (
            "compare an asynchronous lambda's result",
            flow(json!([
                action(
                    "C",
                    "Compare",
                    json!({"ComparisonValue": "$.LambdaInvocation.ResultData.status"}),
                    json!({"NextAction": "Bye", "Conditions": [cond("Equals", "ok", "Bye")],
                       "Errors": [err("NoMatchingCondition", "Bye")]})
                ),
                bye()
            ])),
        ),
        (
            "recording and analytics",
            flow(json!([
                recording(&["ChannelMismatch", "NoMatchingError"]),
                bye()
            ])),
        ),
        (
            "check staffing",
            flow(json!([
                action(
                    "Staff",
                    "CheckMetricData",
                    json!({"MetricType": "NumberOfAgentsAvailable"}),
                    json!({"NextAction": "Bye", "Conditions": [cond("NumberGreaterThan", "0", "Bye")],
                       "Errors": [err("NoMatchingCondition", "Bye"), err("NoMatchingError", "Bye")]})
                ),
                bye()
            ])),
        ),
        (
            "flow attributes",
            flow(json!([
                action(
                    "Set",
                    "UpdateFlowAttributes",
                    json!({"FlowAttributes": {"tier": {"Value": "gold"}}}),
                    json!({"NextAction": "Hi", "Errors": [err("NoMatchingError", "Bye")]})
                ),
                say("Hi", "Your tier is $.FlowAttributes.tier", "Bye"),
                bye()
            ])),
        ),
        ("a module", module),
        (
            "a 3,000-character prompt",
            flow(json!([say("Long", &"x".repeat(3000), "Bye"), bye()])),
        ),
        (
            "contact tags",
            flow(json!([
                action(
                    "Tag",
                    "TagContact",
                    json!({"Tags": {"Department": "Sales"}}),
                    json!({"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]})
                ),
                bye()
            ])),
        ),
        ("250 actions", chain(250)),
        (
            "transfer to a phone number",
            flow(json!([
                action(
                    "Dial",
                    "TransferParticipantToThirdParty",
                    json!({"ThirdPartyPhoneNumber": "+15555550100", "ThirdPartyConnectionTimeLimitSeconds": "30",
                       "ContinueFlowExecution": "True"}),
                    json!({"NextAction": "Bye", "Errors": [err("CallFailed", "Bye"), err("ConnectionTimeLimitExceeded", "Bye"),
                                                        err("NoMatchingError", "Bye")]})
                ),
                bye()
            ])),
        ),
    ]
}

fn check(v: &Value) -> Vec<Finding> {
    check::check_bytes(v.to_string().as_bytes(), "case.json", "case")
}

#[test]
fn refused_flows_are_flagged() {
    let cases = refused();
    assert_eq!(cases.len(), 40);
    let mut warnings_only = Vec::new();
    for (name, v) in &cases {
        let f = check(v);
        assert!(!f.is_empty(), "{name}: no finding");
        if !f.iter().any(|x| x.severity == Severity::Error) {
            warnings_only.push(*name);
        }
    }
    // Without --channel the chat-only cases (ShowView, Wait) are warnings: 38 of 40 are
    // errors.
    assert!(warnings_only.len() <= 2, "{warnings_only:?}");
}

#[test]
fn accepted_flows_have_no_error() {
    let cases = accepted();
    assert_eq!(cases.len(), 25);
    for (name, v) in &cases {
        let errors: Vec<Finding> = check(v)
            .into_iter()
            .filter(|x| x.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}
