//! `flowsim check` and `flowsim graph`: every rule fires on a small flow and stays
//! quiet on its fixed version; the binary on the seed flow; SARIF; DOT/Mermaid.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use flowsim::check::{self, Finding, rules};
use serde_json::{Value, json};

mod common;

use common::{BIN, stdout};

fn findings_text(text: &str) -> Vec<Finding> {
    check::check_bytes(text.as_bytes(), "t.json", "t")
}

fn findings(v: &Value) -> Vec<Finding> {
    findings_text(&serde_json::to_string_pretty(v).unwrap())
}

fn findings_with(v: &Value, opts: &check::Options) -> Vec<Finding> {
    let text = serde_json::to_string_pretty(v).unwrap();
    check::check_bytes_with(text.as_bytes(), "t.json", "t", opts)
}

fn errors_of(v: &Value, code: &str) -> usize {
    findings(v)
        .iter()
        .filter(|f| f.code == code && f.severity == check::Severity::Error)
        .count()
}

fn codes(v: &Value) -> Vec<&'static str> {
    findings(v).iter().map(|f| f.code).collect()
}

fn has(v: &Value, code: &str) -> bool {
    codes(v).contains(&code)
}

/// A flow from actions; StartAction is the first one.
fn flow(actions: Value) -> Value {
    json!({"Version": "2019-10-30", "StartAction": actions[0]["Identifier"], "Actions": actions})
}

fn typed(mut f: Value, ty: &str) -> Value {
    f["Metadata"] = json!({"type": ty});
    f
}

fn say(id: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": "hi"},
           "Transitions": {"NextAction": next, "Errors": [{"NextAction": next, "ErrorType": "NoMatchingError"}]}})
}

fn ssml(id: &str, text: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"SSML": text},
           "Transitions": {"NextAction": next, "Errors": [{"NextAction": next, "ErrorType": "NoMatchingError"}]}})
}

fn bye(id: &str) -> Value {
    json!({"Identifier": id, "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}})
}

fn menu(id: &str, conds: Value, errors: Value) -> Value {
    json!({"Identifier": id, "Type": "GetParticipantInput",
           "Parameters": {"Text": "Press 1", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
           "Transitions": {"NextAction": "Bye", "Conditions": conds, "Errors": errors}})
}

fn cond(op: &str, operand: &str, next: &str) -> Value {
    json!({"NextAction": next, "Condition": {"Operator": op, "Operands": [operand]}})
}

fn err(t: &str, next: &str) -> Value {
    json!({"ErrorType": t, "NextAction": next})
}

fn lambda(id: &str, function: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "InvokeLambdaFunction",
           "Parameters": {"LambdaFunctionARN": format!("arn:aws:lambda:us-east-1:1:function:{function}"),
                          "InvocationTimeLimitSeconds": "8"},
           "Transitions": {"NextAction": next, "Errors": [err("NoMatchingError", "Bye")]}})
}

fn set_attrs(id: &str, attrs: Value, next: &str) -> Value {
    json!({"Identifier": id, "Type": "UpdateContactAttributes", "Parameters": {"Attributes": attrs},
           "Transitions": {"NextAction": next, "Errors": [err("NoMatchingError", "Bye")]}})
}

fn compare(id: &str, value: &str, conds: Value) -> Value {
    json!({"Identifier": id, "Type": "Compare", "Parameters": {"ComparisonValue": value},
           "Transitions": {"NextAction": "Bye", "Conditions": conds,
                           "Errors": [err("NoMatchingCondition", "Bye")]}})
}

/// A clean flow touching most rules: menu, lambda, attribute copy, compare, loop.
fn good() -> Value {
    flow(json!([
        menu("Menu", json!([cond("Equals", "1", "Lam"), cond("Equals", "#", "Bye")]),
             json!([err("InputTimeLimitExceeded", "Retry"), err("NoMatchingCondition", "Bye"), err("NoMatchingError", "Bye")])),
        {"Identifier": "Retry", "Type": "Loop", "Parameters": {"LoopCount": "2"},
         "Transitions": {"NextAction": "Bye", "Conditions": [cond("Equals", "ContinueLooping", "Menu"), cond("Equals", "DoneLooping", "Bye")]}},
        lambda("Lam", "check-things", "Copy"),
        set_attrs("Copy", json!({"Ok": "$.External.ok"}), "Check"),
        compare("Check", "$.Attributes.Ok", json!([cond("Equals", "true", "Done"), cond("Equals", "True", "Done")])),
        ssml("Done", "<speak>Thanks <say-as interpret-as=\"telephone\">$.CustomerEndpoint.Address</say-as> $.Attributes.Ok</speak>", "Bye"),
        bye("Bye"),
    ]))
}

#[test]
fn the_good_flow_is_clean() {
    let f = findings(&good());
    assert!(f.is_empty(), "{f:#?}");
    assert!(findings(&typed(good(), "contactFlow")).is_empty());
}

#[test]
fn fs000_invalid_json() {
    let f = findings_text("{\n  \"Actions\": [\n");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "FS000");
    assert_eq!(f[0].line, 3);
    assert!(!findings(&good()).iter().any(|f| f.code == "FS000"));
}

#[test]
fn fs001_legacy_format() {
    assert_eq!(codes(&json!({"modules": [], "start": "x"})), ["FS001"]);
    assert!(!has(&good(), "FS001"));
}

#[test]
fn fs002_start_action() {
    let mut f = good();
    f.as_object_mut().unwrap().remove("StartAction");
    assert!(has(&f, "FS002"));
    f["StartAction"] = json!("Menuu");
    let found = findings(&f);
    let s = found.iter().find(|f| f.code == "FS002").unwrap();
    assert!(s.hint.contains("\"Menu\""), "{s:?}");
    // Other rules still run on the repaired flow.
    f["Actions"][2]["Parameters"]["InvocationTimeLimitSeconds"] = json!("9");
    assert!(has(&f, "FS113"));
    assert!(!has(&good(), "FS002"));
}

#[test]
fn fs003_dangling_target_reports_all_and_keeps_linting() {
    let f = flow(json!([
        say("A", "Nowhere"),
        {"Identifier": "B", "Type": "PlayPrompt", "Parameters": {}, "Transitions": {"NextAction": "Gone"}},
    ]));
    let found = findings(&f);
    let dangling: Vec<_> = found.iter().filter(|f| f.code == "FS003").collect();
    assert_eq!(dangling.len(), 3, "{found:#?}");
    assert_eq!(dangling[0].block.as_deref(), Some("A"));
    assert!(found.iter().any(|f| f.code == "FS111"), "{found:#?}");
    // The blanked targets are not reported again as empty.
    assert!(!found.iter().any(|f| f.code == "FS101"), "{found:#?}");
    assert!(!has(&good(), "FS003"));
}

#[test]
fn fs004_duplicate_identifier() {
    let f = flow(json!([say("A", "B"), bye("B"), bye("B")]));
    let found = findings(&f);
    let d = found.iter().find(|f| f.code == "FS004").unwrap();
    assert_eq!(d.path, "Actions[2].Identifier");
    assert!(!has(&good(), "FS004"));
}

#[test]
fn fs005_invalid_flow() {
    let f = flow(
        json!([{"Identifier": "L", "Type": "Loop", "Parameters": {"LoopCount": [1]}, "Transitions": {}}]),
    );
    let found = findings(&f);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, "FS005");
    assert_eq!(found[0].path, "Actions[0].Parameters.LoopCount");
    assert_eq!(codes(&json!([1, 2])), ["FS005"]);
    assert!(!has(&good(), "FS005"));
}

#[test]
fn fs101_empty_target() {
    let f = flow(json!([say("A", "")]));
    let found = findings(&f);
    assert!(
        found
            .iter()
            .any(|f| f.code == "FS101" && f.path == "Actions[0].Transitions.NextAction")
    );
    let no_next = flow(
        json!([{"Identifier": "A", "Type": "MessageParticipant", "Parameters": {"Text": "x"}, "Transitions": {}}]),
    );
    assert!(has(&no_next, "FS101"));
    // Terminal blocks and transfers are fine without NextAction.
    let queue = flow(
        json!([{"Identifier": "Q", "Type": "TransferContactToQueue", "Transitions": {"NextAction": "", "Errors": [err("NoMatchingError", "B")]}}, bye("B")]),
    );
    assert!(!has(&queue, "FS101"));
    assert!(!has(&good(), "FS101"));
}

#[test]
fn fs102_invalid_identifier() {
    for id in ["Menu: main", "__proto__", &"x".repeat(51), "a/b"] {
        let f = flow(json!([bye(id)]));
        assert!(has(&f, "FS102"), "{id}");
    }
    assert!(!has(&flow(json!([bye("Good Bye é")])), "FS102"));
    assert!(!has(&flow(json!([bye(&"x".repeat(50))])), "FS102"));
}

#[test]
fn fs103_unreachable_block() {
    let f = flow(json!([bye("A"), bye("Orphan")]));
    let found = findings(&f);
    assert!(
        found
            .iter()
            .any(|f| f.code == "FS103" && f.block.as_deref() == Some("Orphan"))
    );
    assert!(!has(&good(), "FS103"));
}

#[test]
fn fs104_infinite_loop() {
    let f = flow(json!([say("A", "B"), say("B", "A")]));
    assert!(has(&f, "FS104"));
    // A cycle with an exit is fine.
    let exit = flow(json!([
        say("A", "C"),
        compare("C", "$.Attributes.x", json!([cond("Equals", "1", "A")])),
        bye("Bye"),
    ]));
    assert!(!has(&exit, "FS104"));
    assert!(!has(&good(), "FS104"));
}

#[test]
fn fs105_no_exit_cycle() {
    let f = flow(json!([
        menu(
            "M",
            json!([cond("Equals", "1", "M")]),
            json!([
                err("NoMatchingCondition", "M"),
                err("InputTimeLimitExceeded", "M"),
                err("NoMatchingError", "M")
            ])
        ),
        bye("Bye"),
    ]));
    // The menu's NextAction is "Bye": make it loop too.
    let mut f = f;
    f["Actions"][0]["Transitions"]["NextAction"] = json!("M");
    let c = codes(&f);
    assert!(c.contains(&"FS105") && !c.contains(&"FS104"), "{c:?}");
    assert!(!has(&good(), "FS105"));
}

#[test]
fn fs106_input_missing_error_branch() {
    let f = flow(json!([
        menu(
            "M",
            json!([cond("Equals", "1", "Bye")]),
            json!([err("NoMatchingCondition", "Bye")])
        ),
        bye("Bye")
    ]));
    assert!(has(&f, "FS106"));
    assert!(!has(&good(), "FS106"));
}

#[test]
fn fs107_store_mode_conditions() {
    let mut f = flow(json!([
        menu(
            "M",
            json!([cond("Equals", "1", "Bye")]),
            json!([err("NoMatchingError", "Bye")])
        ),
        bye("Bye")
    ]));
    f["Actions"][0]["Parameters"]["StoreInput"] = json!("True");
    assert!(has(&f, "FS107"));
    assert!(!has(&good(), "FS107"));
}

#[test]
fn fs108_menu_condition() {
    for c in [
        cond("Equals", "12", "Bye"),
        cond("TextStartsWith", "1", "Bye"),
        cond("Equals", "a", "Bye"),
    ] {
        let f = flow(json!([
            menu("M", json!([c]), json!([err("NoMatchingError", "Bye")])),
            bye("Bye")
        ]));
        assert!(has(&f, "FS108"));
    }
    let ok = flow(json!([
        menu(
            "M",
            json!([cond("Equals", "*", "Bye")]),
            json!([err("NoMatchingError", "Bye")])
        ),
        bye("Bye")
    ]));
    assert!(!has(&ok, "FS108"));
}

#[test]
fn fs109_loop_branches() {
    let f = flow(json!([
        {"Identifier": "L", "Type": "Loop", "Parameters": {"LoopCount": "2"},
         "Transitions": {"NextAction": "Bye", "Conditions": [cond("Equals", "ContinueLooping", "L")]}},
        bye("Bye"),
    ]));
    let found = findings(&f);
    let l = found.iter().find(|f| f.code == "FS109").unwrap();
    assert!(l.message.contains("DoneLooping"), "{l:?}");
    assert!(!has(&good(), "FS109"));
}

#[test]
fn fs110_compare_value_not_path() {
    let f = flow(json!([
        compare("C", "LambdaError", json!([cond("Equals", "1", "Bye")])),
        bye("Bye")
    ]));
    assert!(has(&f, "FS110"));
    let f = flow(json!([
        compare("C", "$.Atributes.x", json!([cond("Equals", "1", "Bye")])),
        bye("Bye")
    ]));
    let found = findings(&f);
    assert!(
        found
            .iter()
            .any(|f| f.code == "FS110" && f.hint.contains("$.Attributes")),
        "{found:#?}"
    );
    // Async Lambda results (and Load Lambda result) are a known namespace.
    let f = flow(json!([
        compare(
            "C",
            "$.LambdaInvocation.ResultData.error",
            json!([cond("Equals", "1", "Bye")])
        ),
        bye("Bye")
    ]));
    assert!(!has(&f, "FS110"));
    assert!(!has(&good(), "FS110"));
}

#[test]
fn fs111_unknown_action_type() {
    let f = flow(
        json!([{"Identifier": "P", "Type": "PlayPrompt", "Parameters": {}, "Transitions": {"NextAction": "Bye"}}, bye("Bye")]),
    );
    let found = findings(&f);
    let u = found.iter().find(|f| f.code == "FS111").unwrap();
    assert!(u.hint.contains("MessageParticipant"));
    let typo = flow(
        json!([{"Identifier": "P", "Type": "MessageParticpant", "Parameters": {}, "Transitions": {"NextAction": "Bye"}}, bye("Bye")]),
    );
    assert!(
        findings(&typo)
            .iter()
            .any(|f| f.code == "FS111" && f.hint.contains("MessageParticipant"))
    );
    assert!(!has(&good(), "FS111"));
}

#[test]
fn fs112_unknown_parameter_with_suggestions() {
    let mut f = good();
    let p = &mut f["Actions"][0]["Parameters"];
    p["InputTimeoutSeconds"] = json!("5");
    p["InputTerminatorSequence"] = json!("#");
    p["DTMFConfiguration"] = json!({"DisableCancleKey": "True"});
    let found = findings(&f);
    let unk: Vec<_> = found.iter().filter(|f| f.code == "FS112").collect();
    assert_eq!(unk.len(), 3, "{found:#?}");
    let by_path = |p: &str| unk.iter().find(|f| f.path.ends_with(p)).unwrap();
    assert!(
        by_path(".InputTimeoutSeconds")
            .hint
            .contains("InputTimeLimitSeconds")
    );
    assert!(
        by_path(".InputTerminatorSequence")
            .hint
            .contains("DTMFConfiguration.InputTerminationSequence")
    );
    assert!(
        by_path("DTMFConfiguration.DisableCancleKey")
            .hint
            .contains("DisableCancelKey")
    );
    assert_eq!(
        by_path(".InputTimeoutSeconds").path,
        "Actions[0].Parameters.InputTimeoutSeconds"
    );
    assert!(!has(&good(), "FS112"));
}

#[test]
fn fs113_lambda_timeout_range() {
    for t in [json!("0"), json!("9"), json!(20)] {
        let mut f = good();
        f["Actions"][2]["Parameters"]["InvocationTimeLimitSeconds"] = t;
        assert!(has(&f, "FS113"));
    }
    let mut f = good();
    f["Actions"][2]["Parameters"]["InvocationTimeLimitSeconds"] = json!(1);
    assert!(!has(&f, "FS113"));
    // ASYNCHRONOUS invocations allow up to 60 seconds.
    let mut f = good();
    f["Actions"][2]["Parameters"]["InvocationType"] = json!("ASYNCHRONOUS");
    f["Actions"][2]["Parameters"]["InvocationTimeLimitSeconds"] = json!("30");
    assert!(!has(&f, "FS113"));
    f["Actions"][2]["Parameters"]["InvocationTimeLimitSeconds"] = json!("61");
    assert!(has(&f, "FS113"));
    f["Actions"][2]["Parameters"]["InvocationType"] = json!("SYNCHRONOUS");
    f["Actions"][2]["Parameters"]["InvocationTimeLimitSeconds"] = json!("30");
    assert!(has(&f, "FS113"));
}

#[test]
fn fs114_lambda_boolean_case() {
    // Unknown function, capitalised operand only: suspicious (JavaScript says "true").
    let f = flow(json!([
        lambda("Lam", "check-things", "C"),
        compare("C", "$.External.ok", json!([cond("Equals", "True", "Bye")])),
        bye("Bye"),
    ]));
    assert!(has(&f, "FS114"));
    // The vanity function's ssmlError is lowercase, even through an attribute copy.
    let vanity = |operand: &str| {
        flow(json!([
            lambda("Lam", "generate-vanity-numbers", "Copy"),
            set_attrs("Copy", json!({"LambdaError": "$.External.ssmlError"}), "C"),
            compare(
                "C",
                "$.Attributes.LambdaError",
                json!([cond("Equals", operand, "Bye")])
            ),
            bye("Bye"),
        ]))
    };
    let found = findings(&vanity("True"));
    let b = found.iter().find(|f| f.code == "FS114").unwrap();
    assert!(
        b.message.contains("vanity") && b.hint.contains("\"true\""),
        "{b:?}"
    );
    assert!(!has(&vanity("true"), "FS114"));
    // Both spellings tested: fine.
    assert!(!has(&good(), "FS114"));
}

#[test]
fn fs115_undefined_attribute() {
    let mut f = good();
    f["Actions"][5]["Parameters"]["SSML"] = json!("<speak>Hello $.Attributes.ok</speak>");
    let found = findings(&f);
    let u = found.iter().find(|f| f.code == "FS115").unwrap();
    assert!(u.hint.contains("$.Attributes.Ok"), "{u:?}");
    assert_eq!(u.path, "Actions[5].Parameters.SSML");
    assert!(!has(&good(), "FS115"));

    // Flow attributes: only this flow can set them.
    let mut f = good();
    f["Actions"][5]["Parameters"]["SSML"] = json!("<speak>Hello $.FlowAttributes.bot</speak>");
    let u = findings(&f)
        .into_iter()
        .find(|f| f.code == "FS115")
        .unwrap();
    assert!(u.message.contains("$.FlowAttributes.bot"), "{u:?}");
    assert!(u.hint.contains("UpdateFlowAttributes"), "{u:?}");
    let mut set = f.clone();
    let actions = set["Actions"].as_array_mut().unwrap();
    actions.push(json!({"Identifier": "SetBot", "Type": "UpdateFlowAttributes",
        "Parameters": {"FlowAttributes": {"bot": {"Value": "x"}}}, "Transitions": {"NextAction": ""}}));
    let codes: Vec<String> = findings(&set)
        .into_iter()
        .filter(|f| f.code == "FS115")
        .map(|f| f.message)
        .collect();
    assert!(codes.is_empty(), "{codes:?}");

    // No key close to it: a note that the agent application or an API may set it, and
    // nothing at all when another flow given to the same check sets it.
    let mut f = good();
    f["Actions"][5]["Parameters"]["SSML"] = json!("<speak>Hello $.Attributes.CustomerTier</speak>");
    let u = findings(&f)
        .into_iter()
        .find(|f| f.code == "FS115")
        .unwrap();
    assert_eq!(u.severity, check::Severity::Info, "{u:?}");
    assert!(u.message.contains("agent application or an API"), "{u:?}");
    let opts = check::Options {
        other_attributes: Some(["CustomerTier".to_owned()].into_iter().collect()),
        ..Default::default()
    };
    assert!(!findings_with(&f, &opts).iter().any(|f| f.code == "FS115"));
}

#[test]
fn fs116_stale_external() {
    // Two Lambdas on two paths join before the reader.
    let f = flow(json!([
        menu(
            "M",
            json!([cond("Equals", "1", "L1"), cond("Equals", "2", "L2")]),
            json!([err("NoMatchingError", "Bye")])
        ),
        lambda("L1", "one", "Say"),
        lambda("L2", "two", "Say"),
        ssml("Say", "<speak>$.External.x</speak>", "Bye"),
        bye("Bye"),
    ]));
    let found = findings(&f);
    let s = found.iter().find(|f| f.code == "FS116").unwrap();
    assert!(
        s.message.contains("L1") && s.message.contains("L2"),
        "{s:?}"
    );
    // A read with no Lambda before it in this flow is not reported: a flow entered
    // by TransferToFlow sees the $.External its caller left (AWS's rules-engine
    // sample relies on it).
    let f = flow(json!([
        ssml("Say", "<speak>$.External.x</speak>", "Bye"),
        bye("Bye")
    ]));
    assert!(!has(&f, "FS116"));
    // Nor is one where a single Lambda may or may not have run.
    let f = flow(json!([
        menu(
            "M",
            json!([cond("Equals", "1", "L1")]),
            json!([err("NoMatchingError", "Say")])
        ),
        lambda("L1", "one", "Say"),
        ssml("Say", "<speak>$.External.x</speak>", "Bye"),
        bye("Bye"),
    ]));
    assert!(!has(&f, "FS116"));
    assert!(!has(&good(), "FS116"));
}

#[test]
fn fs117_malformed_ssml() {
    let f = flow(json!([
        ssml("S", "<speak>Hi <break time='1s'></speak>", "Bye"),
        bye("Bye")
    ]));
    assert!(has(&f, "FS117"));
    // References are blanked first; a whole-reference SSML is not checked.
    let f = flow(json!([ssml("S", "$.Attributes.Prompt", "Bye"), bye("Bye")]));
    assert!(!has(&f, "FS117"));
    assert!(!has(&good(), "FS117"));
}

#[test]
fn fs118_flow_type_restriction() {
    let end = flow(
        json!([say("A", "E"), {"Identifier": "E", "Type": "EndFlowExecution", "Transitions": {}}]),
    );
    assert!(has(&typed(end.clone(), "contactFlow"), "FS118"));
    assert!(!has(&typed(end.clone(), "customerQueue"), "FS118"));
    assert!(!has(&end, "FS118"));
    let transfer = flow(
        json!([{"Identifier": "T", "Type": "TransferToFlow", "Parameters": {"ContactFlowId": "x"},
                                "Transitions": {"Errors": [err("NoMatchingError", "Bye")]}}, bye("Bye")]),
    );
    assert!(has(&typed(transfer.clone(), "CUSTOMER_QUEUE"), "FS118"));
    assert!(!has(&typed(transfer, "contactFlow"), "FS118"));
    assert!(has(&typed(good(), "customerWhisper"), "FS118"));
}

/// A flow of `actions` typed `ty`: refused when `block` is not allowed there.
fn flow_type_case(block: Value, ty: &str) -> Value {
    typed(flow(json!([block, bye("Bye")])), ty)
}

fn fs118_error(v: &Value) -> bool {
    findings(v)
        .iter()
        .any(|f| f.code == "FS118" && f.severity == check::Severity::Error)
}

#[test]
fn fs118_flow_types_from_the_catalogue() {
    let callback = json!({"Identifier": "CB", "Type": "CreateCallbackContact",
        "Parameters": {"InitialCallDelaySeconds": "10", "MaximumConnectionAttempts": "1", "RetryDelaySeconds": "60"},
        "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}});
    let percent = json!({"Identifier": "P", "Type": "DistributeByPercentage", "Parameters": {},
        "Transitions": {"NextAction": "Bye", "Conditions": [cond("NumberLessThan", "50", "Bye")],
                        "Errors": [err("NoMatchingCondition", "Bye")]}});
    let hours = json!({"Identifier": "H", "Type": "CheckHoursOfOperation", "Parameters": {},
        "Transitions": {"NextAction": "Bye", "Conditions": [cond("Equals", "True", "Bye"), cond("Equals", "False", "Bye")],
                        "Errors": [err("NoMatchingError", "Bye")]}});
    let dequeue = json!({"Identifier": "D", "Type": "DequeueContactAndTransferToQueue",
        "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/q"},
        "Transitions": {"NextAction": "Bye", "Errors": [err("QueueAtCapacity", "Bye"), err("NoMatchingError", "Bye")]}});
    let agent = json!({"Identifier": "A", "Type": "TransferContactToAgent", "Parameters": {}, "Transitions": {}});
    let refused = [
        (callback.clone(), "customerWhisper"),
        (callback.clone(), "agentWhisper"),
        (percent.clone(), "agentWhisper"),
        (say("S", "Bye"), "customerHold"),
        (say("S", "Bye"), "agentHold"),
        (hours.clone(), "customerHold"),
        (dequeue.clone(), "contactFlow"),
        (agent.clone(), "contactFlow"),
    ];
    for (b, ty) in &refused {
        assert!(fs118_error(&flow_type_case(b.clone(), ty)), "{ty}: {b}");
    }
    let accepted = [
        (callback, "contactFlow"),
        (percent, "contactFlow"),
        (say("S", "Bye"), "customerWhisper"),
        (hours, "contactFlow"),
        (dequeue, "customerQueue"),
        (agent, "agentTransfer"),
    ];
    for (b, ty) in &accepted {
        assert!(
            !has(&flow_type_case(b.clone(), ty), "FS118"),
            "{ty}: {:#?}",
            findings(&flow_type_case(b.clone(), ty))
        );
    }
}

#[test]
fn fs118_flow_type_sources_wrapper_flag_and_inference() {
    let end = flow(
        json!([say("A", "E"), {"Identifier": "E", "Type": "EndFlowExecution", "Transitions": {}}]),
    );
    // The API wrapper's Type wins over Metadata.type.
    let wrapped = |f: &Value, ty: &str| json!({"ContactFlow": {"Type": ty, "Name": "x", "Content": f.to_string()}});
    assert!(fs118_error(&wrapped(&end, "CONTACT_FLOW")));
    assert!(!has(
        &wrapped(&typed(end.clone(), "contactFlow"), "CUSTOMER_QUEUE"),
        "FS118"
    ));
    // --flow-type when the file does not say.
    let opts = check::Options {
        flow_type: flowsim::catalogue::FlowType::parse("CONTACT_FLOW"),
        ..Default::default()
    };
    assert!(
        findings_with(&end, &opts)
            .iter()
            .any(|f| f.code == "FS118" && f.severity == check::Severity::Error)
    );
    // Inferred: no type allows both blocks, so a warning, never an error.
    let mixed = flow(json!([
        {"Identifier": "A", "Type": "TransferContactToAgent", "Parameters": {}, "Transitions": {}},
        {"Identifier": "D", "Type": "DequeueContactAndTransferToQueue", "Parameters": {"QueueId": "q"},
         "Transitions": {"NextAction": "A", "Errors": [err("QueueAtCapacity", "A"), err("NoMatchingError", "A")]}},
    ]));
    let found = findings(&mixed);
    let ft: Vec<_> = found.iter().filter(|f| f.code == "FS118").collect();
    assert!(!ft.is_empty(), "{found:#?}");
    assert!(
        ft.iter().all(|f| f.severity == check::Severity::Warning),
        "{ft:#?}"
    );
    assert!(ft[0].message.contains("inferred"), "{ft:#?}");
}

#[test]
fn fs119_store_timeout_unchecked() {
    let store = |next: Value| {
        let mut v = vec![json!({"Identifier": "In", "Type": "GetParticipantInput",
            "Parameters": {"Text": "Number?", "StoreInput": "True", "InputTimeLimitSeconds": "5",
                           "InputValidation": {"CustomValidation": {"MaximumLength": "10"}}},
            "Transitions": {"NextAction": "Copy", "Errors": [err("NoMatchingError", "Bye")]}})];
        v.push(set_attrs(
            "Copy",
            json!({"N": "$.StoredCustomerInput"}),
            next.as_str().unwrap(),
        ));
        v
    };
    let mut a = store(json!("Say"));
    a.push(ssml("Say", "<speak>$.Attributes.N</speak>", "Bye"));
    a.push(bye("Bye"));
    assert!(has(&flow(Value::Array(a)), "FS119"));
    let mut b = store(json!("C"));
    b.push(compare(
        "C",
        "$.Attributes.N",
        json!([cond("Equals", "Timeout", "Bye")]),
    ));
    b.push(bye("Bye"));
    assert!(!has(&flow(Value::Array(b)), "FS119"));
}

#[test]
fn fs120_missing_parameter() {
    // A draft saved in the console: the Lambda block has no ARN, the queue block no
    // queue. The flow still loads (run takes the error branches); check reports both.
    let mut draft = lambda("L", "f", "Q");
    draft["Parameters"]
        .as_object_mut()
        .unwrap()
        .remove("LambdaFunctionARN");
    let f = flow(json!([
        draft,
        {"Identifier": "Q", "Type": "UpdateContactTargetQueue", "Parameters": {},
         "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}},
        bye("Bye"),
    ]));
    let found: Vec<Finding> = findings(&f)
        .into_iter()
        .filter(|f| f.code == "FS120")
        .collect();
    let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Actions[0].Parameters.LambdaFunctionARN",
            "Actions[1].Parameters.QueueId"
        ],
        "{found:?}"
    );
    assert!(!has(&f, "FS005"), "a draft still loads");
    assert!(!has(&good(), "FS120"));
}

#[test]
fn fs121_missing_error_branch() {
    let queue = |errors: Value| {
        flow(
            json!([{"Identifier": "Q", "Type": "TransferContactToQueue", "Parameters": {},
                     "Transitions": {"NextAction": "Bye", "Errors": errors}}, bye("Bye")]),
        )
    };
    assert_eq!(
        errors_of(&queue(json!([err("NoMatchingError", "Bye")])), "FS121"),
        1
    );
    assert!(!has(
        &queue(json!([
            err("QueueAtCapacity", "Bye"),
            err("NoMatchingError", "Bye")
        ])),
        "FS121"
    ));
    let callback = |errors: Value| {
        flow(
            json!([{"Identifier": "N", "Type": "UpdateContactCallbackNumber",
                     "Parameters": {"CallbackNumber": "$.StoredCustomerInput"},
                     "Transitions": {"NextAction": "Bye", "Errors": errors}}, bye("Bye")]),
        )
    };
    assert!(has(
        &callback(json!([err("InvalidCallbackNumber", "Bye")])),
        "FS121"
    ));
    assert!(!has(
        &callback(json!([
            err("InvalidCallbackNumber", "Bye"),
            err("CallbackNumberNotDialable", "Bye")
        ])),
        "FS121"
    ));
    let rec = |params: Value, errors: Value| {
        flow(
            json!([{"Identifier": "R", "Type": "UpdateContactRecordingAndAnalyticsBehavior",
                     "Parameters": params, "Transitions": {"NextAction": "Bye", "Errors": errors}}, bye("Bye")]),
        )
    };
    let voice =
        json!({"VoiceBehavior": {"VoiceRecordingBehavior": {"RecordedParticipants": ["Agent"]}}});
    let chat = json!({"ChatBehavior": {"ChatAnalyticsBehavior": {"Enabled": "True"}}});
    let two = json!([err("ChannelMismatch", "Bye"), err("NoMatchingError", "Bye")]);
    assert!(has(
        &rec(voice.clone(), json!([err("NoMatchingError", "Bye")])),
        "FS121"
    ));
    assert!(!has(&rec(voice, two.clone()), "FS121"));
    assert!(has(&rec(chat.clone(), two), "FS121"));
    assert!(!has(
        &rec(
            chat,
            json!([
                err("ChannelMismatch", "Bye"),
                err("NoMatchingError", "Bye"),
                err("InFlightRedactionConfigurationFailed", "Bye")
            ])
        ),
        "FS121"
    ));
    // DistributeByPercentage's remainder.
    let pct = |errors: Value| {
        flow(
            json!([{"Identifier": "P", "Type": "DistributeByPercentage", "Parameters": {},
                     "Transitions": {"NextAction": "Bye", "Conditions": [cond("NumberLessThan", "51", "Bye")],
                                     "Errors": errors}}, bye("Bye")]),
        )
    };
    assert!(has(&pct(json!([])), "FS121"));
    assert!(!has(
        &pct(json!([err("NoMatchingCondition", "Bye")])),
        "FS121"
    ));
    assert!(!has(&good(), "FS121"));
}

#[test]
fn fs122_error_branch_not_allowed() {
    let callback = |errors: Value| {
        flow(
            json!([{"Identifier": "N", "Type": "UpdateContactCallbackNumber",
                     "Parameters": {"CallbackNumber": "$.StoredCustomerInput"},
                     "Transitions": {"NextAction": "Bye", "Errors": errors}}, bye("Bye")]),
        )
    };
    let ok = json!([
        err("InvalidCallbackNumber", "Bye"),
        err("CallbackNumberNotDialable", "Bye")
    ]);
    let mut bad = ok.clone();
    bad.as_array_mut()
        .unwrap()
        .push(err("NoMatchingError", "Bye"));
    assert!(has(&callback(bad), "FS122"));
    assert!(!has(&callback(ok), "FS122"));
    let compare_nme = flow(json!([
        {"Identifier": "C", "Type": "Compare", "Parameters": {"ComparisonValue": "$.Channel"},
         "Transitions": {"NextAction": "Bye", "Conditions": [cond("Equals", "VOICE", "Bye")],
                         "Errors": [err("NoMatchingCondition", "Bye"), err("QueueAtCapacity", "Bye")]}},
        bye("Bye")
    ]));
    assert!(has(&compare_nme, "FS122"));
    assert!(!has(&good(), "FS122"));
}

#[test]
fn fs123_input_missing_store_input() {
    let mut f = good();
    f["Actions"][0]["Parameters"]
        .as_object_mut()
        .unwrap()
        .remove("StoreInput");
    assert!(has(&f, "FS123"));
    // Set Touchtone Buffer Behavior carries no StoreInput.
    let buffer = flow(json!([
        {"Identifier": "B", "Type": "GetParticipantInput", "Parameters": {"EnableDTMFBuffer": "True"},
         "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}},
        bye("Bye")
    ]));
    assert!(!has(&buffer, "FS123"));
    assert!(!has(&good(), "FS123"));
}

#[test]
fn fs124_menu_missing_branch() {
    for missing in ["InputTimeLimitExceeded", "NoMatchingCondition"] {
        let errors: Vec<Value> = [
            "InputTimeLimitExceeded",
            "NoMatchingCondition",
            "NoMatchingError",
        ]
        .into_iter()
        .filter(|e| *e != missing)
        .map(|e| err(e, "Bye"))
        .collect();
        let f = flow(json!([
            menu("M", json!([cond("Equals", "1", "Bye")]), json!(errors)),
            bye("Bye")
        ]));
        let found = findings(&f);
        let m = found.iter().find(|f| f.code == "FS124").expect(missing);
        assert!(m.message.contains(missing), "{m:?}");
    }
    assert!(!has(&good(), "FS124"));
}

fn store(errors: Value) -> Value {
    flow(json!([
        {"Identifier": "S", "Type": "GetParticipantInput",
         "Parameters": {"Text": "Enter your account number", "StoreInput": "True", "InputTimeLimitSeconds": "5",
                        "InputValidation": {"CustomValidation": {"MaximumLength": "8"}}},
         "Transitions": {"NextAction": "Bye", "Errors": errors}},
        bye("Bye")
    ]))
}

#[test]
fn fs125_store_mode_no_matching_condition() {
    assert!(has(
        &store(json!([
            err("NoMatchingCondition", "Bye"),
            err("NoMatchingError", "Bye")
        ])),
        "FS125"
    ));
    let ok = store(json!([err("NoMatchingError", "Bye")]));
    assert!(!has(&ok, "FS125"));
    assert!(!has(&ok, "FS124"));
    assert!(!has(&good(), "FS125"));
}

fn hours(conds: Value, next: Option<&str>) -> Value {
    let mut t = json!({"Conditions": conds, "Errors": [err("NoMatchingError", "Bye")]});
    if let Some(n) = next {
        t["NextAction"] = json!(n);
    }
    flow(
        json!([{"Identifier": "H", "Type": "CheckHoursOfOperation", "Parameters": {}, "Transitions": t},
                bye("Bye")]),
    )
}

#[test]
fn fs126_condition_not_allowed() {
    let tf = json!([
        cond("Equals", "True", "Bye"),
        cond("Equals", "False", "Bye")
    ]);
    assert!(has(
        &hours(
            json!([
                cond("Equals", "Open", "Bye"),
                cond("Equals", "False", "Bye")
            ]),
            Some("Bye")
        ),
        "FS126"
    ));
    assert!(has(
        &hours(json!([cond("Equals", "True", "Bye")]), Some("Bye")),
        "FS126"
    ));
    assert!(!has(&hours(tf, Some("Bye")), "FS126"));
    // No result, no conditions.
    let mut f = good();
    f["Actions"][5]["Transitions"]["Conditions"] = json!([cond("Equals", "x", "Bye")]);
    assert!(has(&f, "FS126"));
    // Staffing metrics: only NumberGreaterThan 0; a check needs a condition.
    let metric = |m: &str, conds: Value| {
        flow(
            json!([{"Identifier": "M", "Type": "CheckMetricData", "Parameters": {"MetricType": m},
                     "Transitions": {"NextAction": "Bye", "Conditions": conds,
                                     "Errors": [err("NoMatchingCondition", "Bye"), err("NoMatchingError", "Bye")]}},
                    bye("Bye")]),
        )
    };
    assert!(has(
        &metric(
            "NumberOfAgentsAvailable",
            json!([cond("NumberGreaterThan", "2", "Bye")])
        ),
        "FS126"
    ));
    assert!(has(&metric("NumberOfAgentsAvailable", json!([])), "FS126"));
    assert!(!has(
        &metric(
            "NumberOfAgentsAvailable",
            json!([cond("NumberGreaterThan", "0", "Bye")])
        ),
        "FS126"
    ));
    assert!(!has(
        &metric(
            "NumberOfContactsInQueue",
            json!([cond("NumberLessOrEqualTo", "2", "Bye")])
        ),
        "FS126"
    ));
    // Wait: WaitCompleted and each listed event.
    let wait = |conds: Value| {
        flow(json!([{"Identifier": "W", "Type": "Wait",
                     "Parameters": {"TimeLimitSeconds": "900", "Events": ["CustomerReturned"]},
                     "Transitions": {"NextAction": "Bye", "Conditions": conds, "Errors": [err("NoMatchingError", "Bye")]}},
                    bye("Bye")]))
    };
    assert!(has(
        &wait(json!([cond("Equals", "WaitCompleted", "Bye")])),
        "FS126"
    ));
    assert!(!has(
        &wait(json!([
            cond("Equals", "WaitCompleted", "Bye"),
            cond("Equals", "CustomerReturned", "Bye")
        ])),
        "FS126"
    ));
    assert!(!has(&good(), "FS126"));
}

#[test]
fn fs127_missing_next_action() {
    let tf = json!([
        cond("Equals", "True", "Bye"),
        cond("Equals", "False", "Bye")
    ]);
    assert!(has(&hours(tf.clone(), None), "FS127"));
    assert!(!has(&hours(tf, Some("Bye")), "FS127"));
    let mut f = good();
    f["Actions"][1]["Transitions"]
        .as_object_mut()
        .unwrap()
        .remove("NextAction");
    assert!(has(&f, "FS127"));
    assert!(!has(&good(), "FS127"));
}

fn show_view() -> Value {
    flow(json!([
        {"Identifier": "V", "Type": "ShowView",
         "Parameters": {"ViewResource": {"Id": "arn:aws:connect:us-west-2:aws:view/detail:1"},
                        "InvocationTimeLimitSeconds": "600", "ViewData": {}},
         "Transitions": {"NextAction": "Bye", "Conditions": [cond("Equals", "Next", "Bye")],
                         "Errors": [err("NoMatchingError", "Bye"), err("NoMatchingCondition", "Bye"),
                                    err("TimeLimitExceeded", "Bye")]}},
        bye("Bye")
    ]))
}

#[test]
fn fs128_channel_restriction() {
    let voice = check::Options {
        channel: Some(flowsim::catalogue::Channel::Voice),
        ..Default::default()
    };
    let chat = check::Options {
        channel: Some(flowsim::catalogue::Channel::Chat),
        ..Default::default()
    };
    let v = show_view();
    assert!(
        findings_with(&v, &voice)
            .iter()
            .any(|f| f.code == "FS128" && f.severity == check::Severity::Error)
    );
    assert!(!findings_with(&v, &chat).iter().any(|f| f.code == "FS128"));
    // Unknown channel: a warning.
    let found = findings(&v);
    let w = found.iter().find(|f| f.code == "FS128").unwrap();
    assert_eq!(w.severity, check::Severity::Warning);
    let wait = flow(json!([
        {"Identifier": "W", "Type": "Wait", "Parameters": {"TimeLimitSeconds": "60"},
         "Transitions": {"NextAction": "Bye", "Conditions": [cond("Equals", "WaitCompleted", "Bye")],
                         "Errors": [err("NoMatchingError", "Bye")]}},
        bye("Bye")
    ]));
    assert!(
        findings_with(&wait, &voice)
            .iter()
            .any(|f| f.code == "FS128")
    );
    assert!(
        !findings_with(&wait, &chat)
            .iter()
            .any(|f| f.code == "FS128")
    );
    // A flow that checks $.Channel before the block says its channel.
    let guarded = flow(json!([
        compare("Ch", "$.Channel", json!([cond("Equals", "CHAT", "V")])),
        show_view()["Actions"][0].clone(),
        bye("Bye")
    ]));
    assert!(!has(&guarded, "FS128"), "{:#?}", findings(&guarded));
    let unguarded = flow(json!([
        compare("Ch", "$.Channel", json!([cond("Equals", "VOICE", "V")])),
        show_view()["Actions"][0].clone(),
        bye("Bye")
    ]));
    assert!(has(&unguarded, "FS128"));
    assert!(!has(&good(), "FS128"));
}

#[test]
fn fs129_too_many_actions() {
    let mut actions: Vec<Value> = (0..250)
        .map(|i| say(&format!("S{i}"), &format!("S{}", i + 1)))
        .collect();
    actions.push(bye("S250"));
    let f = flow(json!(actions));
    let found = findings(&f);
    let n: Vec<_> = found.iter().filter(|f| f.code == "FS129").collect();
    assert_eq!(n.len(), 1, "{found:#?}");
    assert!(n[0].message.contains("at most 250"), "{n:?}");
    let mut f = f;
    let a = f["Actions"].as_array_mut().unwrap();
    a.remove(249);
    a[248]["Transitions"] =
        json!({"NextAction": "S250", "Errors": [err("NoMatchingError", "S250")]});
    assert!(!has(&f, "FS129"));
    assert!(!has(&good(), "FS129"));
}

#[test]
fn fs130_prompt_too_long() {
    let long = "a".repeat(3001);
    let f = flow(json!([
        {"Identifier": "A", "Type": "MessageParticipant", "Parameters": {"Text": long},
         "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}},
        bye("Bye")
    ]));
    assert!(has(&f, "FS130"));
    // SSML: tags do not count toward 3,000 (but toward 6,000 in all).
    let tagged = format!("<speak>{}</speak>", "<s>a</s>".repeat(600));
    let f = flow(json!([ssml("A", &tagged, "Bye"), bye("Bye")]));
    assert!(!has(&f, "FS130"));
    let huge = format!("<speak>{}</speak>", "<s>a</s>".repeat(1000));
    assert!(has(
        &flow(json!([ssml("A", &huge, "Bye"), bye("Bye")])),
        "FS130"
    ));
    // Loop prompts' messages.
    let f = typed(
        flow(json!([
            {"Identifier": "L", "Type": "MessageParticipantIteratively",
             "Parameters": {"Messages": [{"Text": "short"}, {"Text": "b".repeat(3001)}]},
             "Transitions": {}}
        ])),
        "customerQueue",
    );
    let found = findings(&f);
    let p = found.iter().find(|f| f.code == "FS130").unwrap();
    assert_eq!(p.path, "Actions[0].Parameters.Messages[1].Text");
    let ok = flow(json!([say("A", "Bye"), bye("Bye")]));
    assert!(!has(&ok, "FS130"));
    assert!(!has(&good(), "FS130"));
}

#[test]
fn fs131_parameter_conflict() {
    let queue = |params: Value| {
        flow(
            json!([{"Identifier": "Q", "Type": "UpdateContactTargetQueue", "Parameters": params,
                     "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}}, bye("Bye")]),
        )
    };
    assert!(has(
        &queue(json!({"QueueId": "q", "AgentId": "a"})),
        "FS131"
    ));
    assert!(!has(&queue(json!({"QueueId": "q"})), "FS131"));
    let mut two = good();
    two["Actions"][5]["Parameters"]["Text"] = json!("and text");
    assert!(has(&two, "FS131"));
    // A menu with InputValidation; encryption without CustomValidation.
    let mut f = good();
    f["Actions"][0]["Parameters"]["InputValidation"] =
        json!({"CustomValidation": {"MaximumLength": "4"}});
    assert!(has(&f, "FS131"));
    let mut f = store(json!([err("NoMatchingError", "Bye")]));
    f["Actions"][0]["Parameters"]["InputValidation"] =
        json!({"PhoneNumberValidation": {"NumberFormat": "E164"}});
    f["Actions"][0]["Parameters"]["InputEncryption"] =
        json!({"EncryptionKeyId": "k", "Key": "pem"});
    assert!(has(&f, "FS131"));
    assert!(!has(
        &store(json!([err("NoMatchingError", "Bye")])),
        "FS131"
    ));
    assert!(!has(&good(), "FS131"));
}

#[test]
fn fs120_prompt_and_store_validation() {
    let empty = flow(json!([
        {"Identifier": "A", "Type": "MessageParticipant", "Parameters": {},
         "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}},
        bye("Bye")
    ]));
    assert!(has(&empty, "FS120"));
    let mut f = store(json!([err("NoMatchingError", "Bye")]));
    f["Actions"][0]["Parameters"]
        .as_object_mut()
        .unwrap()
        .remove("InputValidation");
    let found = findings(&f);
    assert!(
        found
            .iter()
            .any(|f| f.code == "FS120" && f.path.ends_with("InputValidation")),
        "{found:#?}"
    );
}

#[test]
fn fs132_parameter_range() {
    for v in [json!("101"), json!(-1), json!("2.5")] {
        let mut f = good();
        f["Actions"][1]["Parameters"]["LoopCount"] = v;
        assert!(has(&f, "FS132"));
    }
    let mut f = good();
    f["Actions"][1]["Parameters"]["LoopCount"] = json!("$.Attributes.Tries");
    assert!(!has(&f, "FS132"));
    let dial = |digits: &str| {
        flow(json!([
            {"Identifier": "D", "Type": "TransferParticipantToThirdParty",
             "Parameters": {"ThirdPartyPhoneNumber": "+15555550100", "ThirdPartyConnectionTimeLimitSeconds": "30",
                            "ContinueFlowExecution": "False", "ThirdPartyDTMFDigits": digits},
             "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}},
            bye("Bye")
        ]))
    };
    assert!(has(&dial("12a"), "FS132"));
    assert!(!has(&dial("12,,#"), "FS132"));
    let wait = |secs: &str| {
        flow(json!([
            {"Identifier": "W", "Type": "Wait", "Parameters": {"TimeLimitSeconds": secs},
             "Transitions": {"NextAction": "Bye", "Conditions": [cond("Equals", "WaitCompleted", "Bye")],
                             "Errors": [err("NoMatchingError", "Bye")]}},
            bye("Bye")
        ]))
    };
    assert!(has(&wait("604801"), "FS132"));
    assert!(!has(&wait("604800"), "FS132"));
    assert!(!has(&good(), "FS132"));
}

/// Per-rule counts over the corpus of real exports (printed with `--nocapture`), and no
/// FS111/FS112 on any type or parameter a real export uses.
#[test]
fn corpus_summary_has_no_unknown_types_or_parameters() {
    let corpus = common::root().join("../shared/corpus/flows");
    if !corpus.is_dir() {
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut attributes = std::collections::HashSet::new();
    for f in &files {
        attributes.extend(check::attributes_set(&std::fs::read(f).unwrap()));
    }
    let opts = check::Options {
        other_attributes: Some(attributes),
        ..Default::default()
    };
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    let mut unknown = Vec::new();
    for f in &files {
        for x in flowsim::cli::check::check_file_with(f, &opts).unwrap() {
            *counts.entry((x.code, x.severity.as_str())).or_default() += 1;
            if x.code == "FS111" || x.code == "FS112" {
                unknown.push(format!("{}: {}", x.file, x.message));
            }
        }
    }
    for ((code, sev), n) in &counts {
        println!("{code} {sev:8} {n}");
    }
    assert!(unknown.is_empty(), "{unknown:#?}");
}

#[test]
fn every_rule_has_a_test() {
    let src = include_str!("check.rs");
    for r in rules::RULES {
        let name = format!("fn {}_", r.code.to_ascii_lowercase());
        assert!(src.contains(&name), "no test for {}", r.code);
    }
}

#[test]
fn docs_rules_md_is_generated_from_the_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let want = rules::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        have, want,
        "docs/rules.md is stale: run UPDATE_DOCS=1 cargo test --test check"
    );
}

#[test]
fn the_readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for r in rules::RULES {
        assert!(
            readme.contains(&format!("- `{}` {} (", r.code, r.name)),
            "README.md's Rules section lacks {} {}",
            r.code,
            r.name
        );
    }
}

// ---- the binary --------------------------------------------------------------

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

#[test]
fn seed_flow_check_through_the_binary() {
    let Some(seed) = common::seed() else { return };
    let seed = seed.to_str().unwrap();
    let o = run(&["check", seed]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("0 errors"), "{out}");
    // The store-mode input copies $.StoredCustomerInput without checking for "Timeout".
    assert!(out.contains("block \"Get Custom Phone Number\""), "{out}");
    assert!(
        out.contains("warning[FS119 store-timeout-unchecked]"),
        "{out}"
    );
    assert!(out.contains("  hint: "), "{out}");
    let o = run(&["check", "--deny-warnings", seed]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn json_output_is_one_object_per_line() {
    let Some(seed) = common::seed() else { return };
    let seed = seed.to_str().unwrap();
    let o = run(&["check", "--format", "json", seed]);
    for line in stdout(&o).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for k in [
            "file", "line", "rule", "name", "severity", "block", "path", "message", "hint",
        ] {
            assert!(v.get(k).is_some(), "{k} in {line}");
        }
    }
}

#[test]
fn sarif_output_has_the_required_fields() {
    let Some(seed) = common::seed() else { return };
    let seed = seed.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad flow.json");
    let text = serde_json::to_string_pretty(&flow(json!([say("A", "Nowhere")]))).unwrap();
    std::fs::write(&bad, &text).unwrap();
    let id_line = text
        .lines()
        .position(|l| l.contains("\"Identifier\": \"A\""))
        .unwrap()
        + 1;
    let o = run(&["check", "--format", "sarif", seed, bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    let rules: Vec<&str> = run0["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules.len(), rules::RULES.len());
    let results = run0["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert!(rules.contains(&r["ruleId"].as_str().unwrap()));
        assert!(matches!(r["level"].as_str(), Some("error" | "warning")));
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].as_str().is_some());
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    let dangling = results.iter().find(|r| r["ruleId"] == "FS003").unwrap();
    assert!(
        dangling["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("bad%20flow.json")
    );
    // The line of the block's `"Identifier": "A"`.
    assert_eq!(
        dangling["locations"][0]["physicalLocation"]["region"]["startLine"],
        id_line
    );
}

#[test]
fn check_flags_channel_flow_type_and_flows_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut view = show_view();
    view["Actions"][0]["Parameters"]["ViewData"] = json!({"tier": "$.Attributes.Tier"});
    let view_path = dir.path().join("view.json");
    std::fs::write(&view_path, view.to_string()).unwrap();
    let others = dir.path().join("others");
    std::fs::create_dir(&others).unwrap();
    let setter = flow(json!([
        set_attrs("S", json!({"Tier": "gold"}), "Bye"),
        bye("Bye")
    ]));
    std::fs::write(others.join("setter.json"), setter.to_string()).unwrap();
    let v = view_path.to_str().unwrap();

    let o = run(&["check", v]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("warning[FS128 channel-restriction]"), "{out}");
    assert!(out.contains("note[FS115 undefined-attribute]"), "{out}");
    assert!(
        out.contains("0 errors, 1 warning, 1 note in 1 file"),
        "{out}"
    );

    let o = run(&["check", "--channel", "VOICE", v]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error[FS128 channel-restriction]"));

    let o = run(&[
        "check",
        "--channel",
        "chat",
        "--flows",
        others.to_str().unwrap(),
        v,
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "0 errors, 0 warnings in 1 file\n");

    // Attributes set by another flow given on the same command line count too.
    let setter_path = others.join("setter.json");
    let o = run(&[
        "check",
        "--channel",
        "CHAT",
        v,
        setter_path.to_str().unwrap(),
    ]);
    assert!(!stdout(&o).contains("FS115"), "{}", stdout(&o));

    let o = run(&[
        "check",
        "--flow-type",
        "CUSTOMER_WHISPER",
        "--channel",
        "CHAT",
        v,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("error[FS118 flow-type-restriction]"));
    assert!(stdout(&o).contains("(--flow-type)"));

    assert_eq!(
        run(&["check", "--flow-type", "bogus", v]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["check", "--channel", "fax", v]).status.code(),
        Some(2)
    );
}

#[test]
fn exit_codes() {
    let Some(seed) = common::seed() else { return };
    let seed = seed.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("x.json");
    std::fs::write(&not_json, "hello").unwrap();
    let o = run(&["check", not_json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("FS000"));
    let o = run(&["check", dir.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("flowsim: "));
    assert_eq!(run(&["check"]).status.code(), Some(2));
    assert_eq!(
        run(&["check", "--format", "xml", seed]).status.code(),
        Some(2)
    );
    let o = run(&["check", "--list-rules"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("FS003 dangling-target"));
}

// ---- graph --------------------------------------------------------------------

fn dot_available() -> bool {
    Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Check DOT text: with Graphviz when installed, else by structure.
fn assert_valid_dot(dot: &str) {
    assert!(dot.starts_with("digraph \""), "{dot}");
    assert!(dot.trim_end().ends_with('}'));
    if dot_available() {
        use std::io::Write;
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dot.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(
            o.status.success(),
            "dot -Tsvg: {}\n{dot}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains("<svg"));
    } else {
        assert_eq!(dot.matches('{').count(), dot.matches('}').count());
        for line in dot.lines().skip(1) {
            let l = line.trim();
            assert!(l == "}" || l.ends_with(';'), "{l}");
            assert_eq!(l.replace("\\\"", "").matches('"').count() % 2, 0, "{l}");
        }
    }
}

#[test]
fn graph_dot_for_the_seed_flow() {
    let Some(seed) = common::seed() else { return };
    let seed = seed.to_str().unwrap();
    let o = run(&["graph", seed]);
    assert_eq!(o.status.code(), Some(0));
    let dot = stdout(&o);
    assert_valid_dot(&dot);
    assert!(dot.contains("start -> n0"));
    assert!(dot.contains("label=\"MessageParticipant\\nGood Bye\""));
    assert!(dot.contains("style=dashed, color=red"));
    assert!(dot.contains("label=\"= ContinueLooping\""));
}

#[test]
fn graph_escapes_quotes_and_backslashes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("q.json");
    let f = flow(json!([say("Say \"hi\" \\ now", "Bye"), bye("Bye")]));
    std::fs::write(&p, f.to_string()).unwrap();
    let dot = stdout(&run(&["graph", p.to_str().unwrap()]));
    assert!(dot.contains(r#"Say \"hi\" \\ now"#), "{dot}");
    assert_valid_dot(&dot);
    let mm = stdout(&run(&["graph", "--format", "mermaid", p.to_str().unwrap()]));
    assert!(mm.contains("Say #quot;hi#quot; \\ now"), "{mm}");
}

#[test]
fn graph_mermaid_for_the_seed_flow() {
    let Some(seed) = common::seed() else { return };
    let seed = seed.to_str().unwrap();
    let o = run(&["graph", "--format", "mermaid", seed]);
    assert_eq!(o.status.code(), Some(0));
    let mm = stdout(&o);
    let mut lines = mm.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    for l in lines {
        let l = l.trim();
        assert!(
            l.starts_with('n')
                || l.starts_with("start")
                || l.starts_with("linkStyle")
                || l.starts_with("classDef")
                || l.starts_with("class "),
            "{l}"
        );
        assert_eq!(l.matches('"').count() % 2, 0, "{l}");
    }
    assert!(mm.contains("-.->|\"NoMatchingError\"|"));
    assert!(mm.contains("linkStyle "));
    // Not loadable: exit 2 with a one-line cause.
    let o = run(&["graph", "/nonexistent/flow.json"]);
    assert_eq!(o.status.code(), Some(2));
}

/// Every flow of the shared corpus when it exists on this machine (it does not
/// always); otherwise the seed flow. No crash, and `graph` output passes `dot`.
#[test]
fn corpus_flows_check_and_graph() {
    let corpus = common::root().join("../shared/corpus/flows");
    let mut files: Vec<PathBuf> = Vec::new();
    if corpus.is_dir() {
        let mut stack = vec![corpus];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    files.push(p);
                }
            }
        }
    } else {
        files.extend(common::seed());
    }
    for f in files {
        let found = flowsim::cli::check::check_file(&f).unwrap();
        for x in &found {
            assert!(x.line >= 1 && !x.message.is_empty());
        }
        if let Ok(flow) = flowsim::flow::load_file(&f) {
            assert_valid_dot(&flowsim::graph_export::to_dot(&flow));
        }
    }
}

/// "If you use * as the terminating keypress, you must also choose Disable cancel key"
/// (adminguide store-customer-input).
#[test]
fn fs133_star_terminator_cancel_key() {
    let store = |dtmf: Value| {
        flow(json!([
            {"Identifier": "S", "Type": "GetParticipantInput",
             "Parameters": {"Text": "Enter it", "StoreInput": "True", "InputTimeLimitSeconds": "5",
                            "DTMFConfiguration": dtmf},
             "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}},
            bye("Bye")
        ]))
    };
    assert!(has(
        &store(json!({"InputTerminationSequence": "*"})),
        "FS133"
    ));
    assert!(has(
        &store(json!({"InputTerminationSequence": "#*", "DisableCancelKey": "False"})),
        "FS133"
    ));
    assert!(!has(
        &store(json!({"InputTerminationSequence": "*", "DisableCancelKey": "True"})),
        "FS133"
    ));
    assert!(!has(
        &store(json!({"InputTerminationSequence": "#"})),
        "FS133"
    ));
}

/// A JSONPath "must be the entirety of the value" (APIReference
/// flow-language-actions-parameter-restrictions); prompt text interpolates.
#[test]
fn fs134_partial_jsonpath() {
    let set = |v: &str| {
        flow(json!([
            {"Identifier": "A", "Type": "UpdateContactAttributes",
             "Parameters": {"Attributes": {"k": v}, "TargetContact": "Current"},
             "Transitions": {"NextAction": "Bye", "Errors": [err("NoMatchingError", "Bye")]}},
            bye("Bye")
        ]))
    };
    assert!(has(&set("id-$.Attributes.X"), "FS134"));
    assert!(has(&set("$.Attributes.X and more"), "FS134"));
    assert!(!has(&set("$.Attributes.X"), "FS134"));
    assert!(!has(&set("$.Attributes.['user name']"), "FS134"));
    assert!(!has(&set("plain"), "FS134"));
    assert!(!has(&good(), "FS134"));
}
