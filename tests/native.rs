//! Amazon Connect's own test cases, run offline (`flowsim test CASE.json`), and
//! `.call` scripts exported as test cases (`flowsim export-test`).

mod common;

use std::path::{Path, PathBuf};

use flowsim::native::{self, NativeCase, NativeResult};
use flowsim::script::{Outcome, RunOptions, Suite, collect_scripts};
use flowsim::testcase::{self, emit};
use serde_json::Value;

const FIX: &str = "tests/fixtures/native";

fn fix(name: &str) -> String {
    format!("{FIX}/{name}")
}

fn flowsim(args: &[&str]) -> std::process::Output {
    common::bin().args(args).output().expect("flowsim runs")
}

/// The project's flow: each passing case passes, each failing one fails naming the
/// observation and what happened instead.
#[test]
fn project_flow_cases() {
    let flow = [
        "--flows",
        "contactflow",
        "--flow",
        "contactflow/Vanity_Numbers.json",
    ];
    let ok = flowsim(&[&["test", &fix("project_keyed_number.json")], &flow[..]].concat());
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}{}",
        common::stdout(&ok),
        common::stderr(&ok)
    );

    let cases: [(&str, &[&str]); 3] = [
        (
            "project_fail_assert.json",
            &[
                "expected observation \"answer\": Assert $.Attributes.TargetNumber Equals \"+13035552255\"",
                "the value is \"+17203569377\"",
                "\"Your best vanity number is 7 2 0 - F L O W E R S.\"",
            ],
        ),
        (
            "project_fail_never.json",
            &[
                "expected observation \"answer\" to see MessageReceived \"your best vanity number is",
                "it never came",
                "\"Sorry, the vanity number service is not available right now. Please try again later.\" (block \"Error Message\", similarity 0.20)",
                "actions started since: InvokeLambdaFunction vanity-numbers",
                "the call ended in block \"Disconnect\"",
            ],
        ),
        (
            "project_fail_dtmf.json",
            &[
                "expected observation \"keyed\" to see MessageReceived \"Please enter the ten digit phone number",
                "(block \"Read Numbers\"",
                "the call ended in block \"Disconnect\"",
            ],
        ),
    ];
    for (file, wants) in cases {
        let out = flowsim(&[&["test", &fix(file)], &flow[..]].concat());
        let text = common::stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{file}: {text}");
        for w in wants {
            assert!(text.contains(w), "{file}: missing {w:?} in\n{text}");
        }
    }
}

/// The seed flow: the same kinds of cases.
#[test]
fn seed_flow_cases() {
    let Some(seed) = common::seed() else { return };
    let seed = seed.to_string_lossy().into_owned();
    let ok = flowsim(&["test", &fix("seed_own_number.json"), "--flow", &seed]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}{}",
        common::stdout(&ok),
        common::stderr(&ok)
    );
    let cases = [
        (
            "seed_fail_assert.json",
            "observation \"answer\": Assert $.Attributes.TargetNumber Equals \"+13035552255\"",
        ),
        (
            "seed_fail_never.json",
            "observation \"answer\" to see MessageReceived \"hi there\" (Inclusion)",
        ),
        (
            "seed_fail_dtmf.json",
            "observation \"own-number\" to see MessageReceived \"the phone number you are calling from is\"",
        ),
    ];
    for (file, want) in cases {
        let out = flowsim(&["test", &fix(file), "--flow", &seed]);
        let text = common::stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{file}: {text}");
        assert!(text.contains(want), "{file}: {text}");
    }
    // What happened instead: the DTMF 9 took the goodbye path.
    let out = flowsim(&["test", &fix("seed_fail_dtmf.json"), "--flow", &seed]);
    assert!(common::stdout(&out).contains("Manny's Vanity Number Service. Goodbye"));
}

/// The reference's documented example (§10.1, verbatim) and the AWS page's own
/// spelling of it (Version 2025-06-21, `Usage`, a bare-string MatchingCriteria
/// beside Properties, `NextAction: ""`, the missing comma repaired), over a flow
/// whose own hours are closed: they pass only because the hours are substituted.
#[test]
fn documented_examples() {
    let env = fix("env.toml");
    let mapping = "order-lookup=json:{\"orderStatus\":\"shipped\"}";
    for (case, flow) in [
        ("documented_example.json", "flows/BasicQueueFlow.json"),
        ("aws_example_page.json", "flows/BasicHoursFlow.json"),
    ] {
        let out = flowsim(&[
            "test",
            &fix(case),
            "--flow",
            &fix(flow),
            "--env",
            &env,
            "--lambda",
            mapping,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{case}: {}{}",
            common::stdout(&out),
            common::stderr(&out)
        );
        // Without the substitution the flow is closed: the welcome never comes.
        let text = std::fs::read_to_string(fix(case)).unwrap();
        let without = text.replace("SubstituteResource", "NoSuchStrategy");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(case);
        std::fs::write(&p, without).unwrap();
        let out = flowsim(&[
            "test",
            p.to_str().unwrap(),
            "--flow",
            &fix(flow),
            "--env",
            &env,
            "--lambda",
            mapping,
        ]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{case}: a bad strategy is bad input: {}",
            common::stderr(&out)
        );
        assert!(
            common::stderr(&out).contains("Strategy Type \"NoSuchStrategy\""),
            "{}",
            common::stderr(&out)
        );
    }
    // The hours matter: with the flow's hours open anyway, removing the override
    // still passes; with them closed and the override gone, it fails at the welcome.
    let text = std::fs::read_to_string(fix("documented_example.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut v2 = v.clone();
    v2["Observations"][0]["Actions"] = Value::Array(Vec::new());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("no_override.json");
    std::fs::write(&p, v2.to_string()).unwrap();
    let out = flowsim(&[
        "test",
        p.to_str().unwrap(),
        "--flow",
        &fix("flows/BasicQueueFlow.json"),
        "--env",
        &env,
        "--lambda",
        mapping,
    ]);
    let s = common::stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(
        s.contains(
            "observation \"welcome\" to see MessageReceived \"Press 1 to be connected to an agent\""
        ) && s.contains("\"We are closed. Goodbye.\""),
        "{s}"
    );
}

/// §10.2: the CreateTestCase-style wrapper (Content and InitializationData as
/// objects; the `/* … */` placeholder filled with the second observation set:
/// Lambda mock, FlowActionStarted, LogData) resolves its FlowId in --flows.
#[test]
fn wrapper_and_lambda_mock() {
    let out = flowsim(&[
        "test",
        &fix("wrapper_lambda_mock.json"),
        "--flows",
        &fix("flows"),
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        common::stdout(&out),
        common::stderr(&out)
    );
    let line: Value = serde_json::from_str(common::stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(line["TestCase"], "after-hours-lambda-mock");
    assert_eq!(line["ExecutionSummary"]["Status"], "PASSED");
    assert_eq!(
        line["ExecutionSummary"]["ObservationSummary"]["TotalObservations"],
        4
    );
    assert_eq!(
        line["ExecutionSummary"]["ObservationSummary"]["ObservationsPassed"],
        4
    );
    let records: Vec<Value> = line["ExecutionRecords"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::from_str(r["Record"].as_str().unwrap()).unwrap())
        .collect();
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "INITIATION",
            "EXECUTION_START",
            "OBSERVATION",
            "OBSERVATION",
            "OBSERVATION",
            "OBSERVATION",
            "COMPLETION"
        ]
    );
    let shipped = records
        .iter()
        .find(|r| r["Identifier"] == "shipped")
        .unwrap();
    assert_eq!(
        shipped["Actions"][1]["Sim"]["LogData"]["status"], "Shipped",
        "{shipped}"
    );
    assert_eq!(records[6]["CompletionReason"]["Type"], "SUCCESS");
    assert_eq!(records[6]["ExecutionSummary"]["PassedObservations"], 4);
    // An unknown FlowId is bad input naming the file.
    let text = std::fs::read_to_string(fix("wrapper_lambda_mock.json"))
        .unwrap()
        .replace("flow:main", "flow:nowhere");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("w.json");
    std::fs::write(&p, text).unwrap();
    let out = flowsim(&["test", p.to_str().unwrap(), "--flows", &fix("flows")]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains("w.json: EntryPoint FlowId \"flow:nowhere\"") && err.lines().count() == 1,
        "{err}"
    );
}

/// §11: every import variant normalizes to the same test case as the normalized
/// form, and both run.
#[test]
fn variants_normalize() {
    let read = |f: &str| {
        let text = std::fs::read_to_string(fix(f)).unwrap();
        testcase::parse(&text, "x").unwrap().0
    };
    let (v, n) = (read("variants.json"), read("variants_normalized.json"));
    assert_eq!(emit::document(&v.doc), emit::document(&n.doc));
    let out = flowsim(&[
        "test",
        &fix("variants.json"),
        &fix("variants_normalized.json"),
        "--flow",
        &fix("flows/main.json"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        common::stdout(&out),
        common::stderr(&out)
    );
    // The live service rejects Exists: a warning says so.
    assert!(
        common::stderr(&out)
            .contains("Assert Exists is supported offline; the live service rejects it")
    );
}

/// Bad input: one line naming the file and the place, exit 2, nothing run.
#[test]
fn bad_test_cases() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "{\"Observations\": [{\"Identifier\": \"a\"}]}",
            "Observations[0]: observation \"a\" has no Event",
        ),
        (
            "{\"Observations\": [{\"Identifier\": \"a\", \"Event\": {\"Type\": \"MessageReceived\"}}]}",
            "at least one of PromptId, Text, SSML or Media",
        ),
        (
            "{\"Observations\": [{\"Identifier\": \"a\", \"Event\": {\"Type\": \"TestInitiated\"}, \"Transitions\": {\"NextObservations\": [\"b\"]}}]}",
            "NextObservations names \"b\"",
        ),
        (
            "{\"Observations\": [{\"Identifier\": \"a\", \"Event\": {\"Type\": \"TestInitiated\"}, \"Actions\": [{\"Type\": \"Assert\", \"Parameters\": {\"Namespace\": \"$.X\", \"Operator\": \"NotEquals\"}}]}]}",
            "Assert Operator \"NotEquals\"",
        ),
        ("{\"Observations\": [", "JSON:"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let p = dir.path().join(format!("bad{i}.json"));
        std::fs::write(&p, text).unwrap();
        let out = flowsim(&["test", p.to_str().unwrap()]);
        let err = common::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("bad{i}.json: ")) && err.contains(want),
            "{want}: {err}"
        );
        assert!(common::stdout(&out).is_empty());
    }
}

fn run_opts() -> RunOptions {
    RunOptions::default()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Every `.call` of `recordings/` and `contactflow/tests/` exports (or is refused,
/// naming the line, for what the native language cannot say); each written file
/// holds the shapes the reference gives, and runs offline to the script's result.
#[test]
fn every_script_exports_and_round_trips() {
    let files = collect_scripts(&[
        PathBuf::from("recordings"),
        PathBuf::from("contactflow/tests"),
    ])
    .unwrap();
    let seed = common::seed();
    let files: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| seed.is_some() || !f.to_string_lossy().contains("seed_"))
        .collect();
    let suite = Suite::load(&files, None, None).unwrap();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let opts = native::export::ExportOptions::default();
    let mut refused = Vec::new();
    let mut exported = 0;
    for (i, path) in suite.files.iter().enumerate() {
        let script = flowsim::script::load_script(path).unwrap();
        let flows = suite.flows_for(i);
        match rt.block_on(native::export::export(&script, flows, &run_opts(), &opts)) {
            Err(e) => refused.push(e),
            Ok(case) => {
                exported += 1;
                let path = native::export::write(&case, dir.path()).unwrap();
                let text = std::fs::read_to_string(&path).unwrap();
                let body: Value = serde_json::from_str(&text).unwrap();
                check_shapes(&body, &path);
                // Read back from the file and run offline: it passes, as the script does.
                let (back, _) = testcase::parse(&text, "x").unwrap();
                let nc = NativeCase {
                    path: path.clone(),
                    case: back,
                    flows: flows.clone(),
                    text,
                };
                let r: NativeResult = rt.block_on(native::run_case(&nc, &run_opts()));
                assert_eq!(r.result.outcome, Outcome::Passed, "{}", path.display());
                let script_run =
                    rt.block_on(flowsim::script::run_script(&script, flows, &run_opts()));
                assert_eq!(
                    script_run.end().map(|e| e.keyword()),
                    r.result.end().map(|e| e.keyword()),
                    "{}: same end",
                    path.display()
                );
            }
        }
    }
    refused.sort();
    assert_eq!(
        refused,
        [
            "contactflow/tests/answers_in_turn.call:12: `expect no \"no words\"`: the testing language has no way to expect a prompt not to be said",
            "contactflow/tests/keyed_number.call:20: `expect no \"sorry\"`: the testing language has no way to expect a prompt not to be said",
            "contactflow/tests/timeouts.call:5: `wait`: the testing language cannot let time pass",
        ]
    );
    assert!(exported >= 30, "{exported}");
}

/// The CreateTestCase body and its Content as the reference's shapes give them.
fn check_shapes(body: &Value, path: &Path) {
    let at = path.display();
    assert!(
        emit::service_problems(body).is_empty(),
        "{at}: {:?}",
        emit::service_problems(body)
    );
    for k in [
        "Name",
        "Content",
        "EntryPoint",
        "InitializationData",
        "Status",
    ] {
        assert!(body.get(k).is_some(), "{at}: {k}");
    }
    assert!(
        body["Content"].is_string() && body["InitializationData"].is_string(),
        "{at}"
    );
    assert_eq!(body["EntryPoint"]["Type"], "VOICE_CALL");
    let doc: Value = serde_json::from_str(body["Content"].as_str().unwrap()).unwrap();
    assert_eq!(doc["Version"], "2019-10-30");
    let obs = doc["Observations"].as_array().unwrap();
    assert_eq!(obs[0]["Event"]["Type"], "TestInitiated", "{at}");
    for o in obs {
        assert!(o.get("Usage").is_none(), "{at}");
        assert!(o["Transitions"]["NextObservations"].is_array(), "{at}");
        let ev = &o["Event"];
        assert_eq!(ev["Actor"], "System");
        if ev["Type"] == "MessageReceived" {
            let t = ev["Properties"]["Text"].as_str().unwrap();
            // Plain words: what the voice transcript hears.
            assert!(
                t.chars()
                    .all(|c| c.is_ascii_lowercase() || c == ' ' || c.is_alphanumeric())
                    && !t.chars().any(|c| c.is_ascii_digit()),
                "{at}: {t}"
            );
            assert!(ev["Properties"]["MatchingCriteria"]["Type"].is_string());
        }
        for a in o["Actions"].as_array().unwrap() {
            let kind = a["Type"].as_str().unwrap();
            let echo = a["Parameters"].get("ActionType");
            if kind == "Assert" {
                assert!(echo.is_none(), "{at}");
            } else {
                assert_eq!(echo.and_then(Value::as_str), Some(kind), "{at}");
            }
            assert!(a["Transitions"].is_object());
        }
    }
}

/// `flowsim export-test` end to end: files written, a refusal naming the line and
/// writing nothing, and the export run by `flowsim test`.
#[test]
fn export_test_cli() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let o = out_dir.to_str().unwrap();
    let out = flowsim(&[
        "export-test",
        "contactflow/tests/keyed_number.call",
        "recordings/own_number.call",
        "--out",
        o,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        common::stderr(&out).trim(),
        "flowsim: contactflow/tests/keyed_number.call:20: `expect no \"sorry\"`: the testing language has no way to expect a prompt not to be said"
    );
    assert!(!out_dir.exists(), "nothing half-written");
    let out = flowsim(&[
        "export-test",
        "recordings/own_number.call",
        "contactflow/tests/closed.call",
        "--out",
        o,
        "--flow-id",
        "arn:aws:connect:us-east-1:123456789012:instance/abc/contact-flow/1234",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let body: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("own_number.json")).unwrap())
            .unwrap();
    assert_eq!(
        body["EntryPoint"]["VoiceCallEntryPointParameters"]["FlowId"],
        "arn:aws:connect:us-east-1:123456789012:instance/abc/contact-flow/1234"
    );
    // `dialed` makes the entry point a pair of numbers; `hours closed` an hours mock.
    let closed: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("closed.json")).unwrap())
            .unwrap();
    let params = &closed["EntryPoint"]["VoiceCallEntryPointParameters"];
    assert!(
        params.get("FlowId").is_none() && params["DestinationPhoneNumber"] == "+18005550199",
        "{params}"
    );
    assert!(
        closed["Content"]
            .as_str()
            .unwrap()
            .contains("\"Value\":\"OutOfHours\"")
    );
    let out = flowsim(&["test", o, "--flow", "contactflow/Vanity_Numbers.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    assert!(common::stdout(&out).contains("2 passed, 0 failed"));
}

/// Native cases join `.call` scripts in one run: JUnit and coverage count them.
#[test]
fn mixed_with_scripts_in_reports() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let cov = dir.path().join("cov.json");
    let out = flowsim(&[
        "test",
        "contactflow/tests/builtin_vanity.call",
        &fix("project_keyed_number.json"),
        &fix("project_fail_assert.json"),
        "--flow",
        "contactflow/Vanity_Numbers.json",
        "--junit",
        junit.to_str().unwrap(),
        "--coverage-json",
        cov.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stdout(&out).contains("2 passed, 1 failed"),
        "{}",
        common::stdout(&out)
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("tests=\"3\"")
            && xml.contains("failures=\"1\"")
            && xml.contains("project_fail_assert.json"),
        "{xml}"
    );
    let c: Value = serde_json::from_str(&std::fs::read_to_string(&cov).unwrap()).unwrap();
    assert!(
        c.to_string().contains("Use Entered Number"),
        "the keyed path of the native case is covered"
    );
}

/// `TextUtterance` reaches a Lex block as a `say` line does (the offline bot
/// answers); `$.Lex.Slots` is asserted; Similarity tolerates a missing article.
#[test]
fn utterance_to_a_lex_bot() {
    let lex = "*=file:tests/fixtures/lex/AirlineSupport-LexJson";
    let out = flowsim(&[
        "test",
        &fix("lex_book.json"),
        "--flow",
        "tests/fixtures/lex/airline.json",
        "--lex",
        lex,
        "--json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        common::stdout(&out),
        common::stderr(&out)
    );
    let line: Value = serde_json::from_str(common::stdout(&out).lines().next().unwrap()).unwrap();
    let booked = line["ExecutionRecords"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ObservationId"] == "booked")
        .unwrap();
    let rec: Value = serde_json::from_str(booked["Record"].as_str().unwrap()).unwrap();
    assert_eq!(rec["Actions"][0]["Sim"]["Actual"], "economy");
    // Another cabin: the assert fails with the slot's value.
    let text = std::fs::read_to_string(fix("lex_book.json"))
        .unwrap()
        .replace("\"economy\"", "\"first\"");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("lex.json");
    std::fs::write(&p, text).unwrap();
    let out = flowsim(&[
        "test",
        p.to_str().unwrap(),
        "--flow",
        "tests/fixtures/lex/airline.json",
        "--lex",
        lex,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        common::stdout(&out).contains("$.Lex.Slots.CabinClass: the value is \"economy\""),
        "{}",
        common::stdout(&out)
    );
}
