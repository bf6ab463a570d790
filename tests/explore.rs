//! `flowsim explore` and `flowsim diff`, through the real binary: the explored suite
//! of the project's flow takes every branch a call can take with fewer scripts than
//! `recordings/`, every written script passes when run back, `--update` keeps the
//! names, and `diff` prints exactly the changes made to a copy of the flow.

mod common;

use std::path::Path;

use common::{bin, root, stderr, stdout};

fn explore(flow: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let o = bin()
        .arg("explore")
        .arg(flow)
        .arg("--out")
        .arg(out)
        .arg("--json")
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(stdout(&o).trim()).expect("one JSON report")
}

/// `flowsim test DIR --coverage-json`: (passed, branches covered, branches total).
fn run_back(dir: &Path) -> (bool, u64, u64) {
    let cov = dir.join("coverage.json.out");
    let o = bin()
        .arg("test")
        .arg(dir)
        .arg("--coverage-json")
        .arg(&cov)
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cov).unwrap()).unwrap();
    let main = &v["flows"][0];
    (
        o.status.success(),
        main["branches_covered"].as_u64().unwrap(),
        main["branches_total"].as_u64().unwrap(),
    )
}

fn calls_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "call")
        })
        .count()
}

#[test]
fn the_project_flow_explores_to_every_takeable_branch() {
    let dir = tempfile::tempdir().unwrap();
    let flow = root().join("contactflow/Vanity_Numbers.json");
    let report = explore(&flow, dir.path(), &[]);
    assert_eq!(report["percent"], 100.0, "{report:#}");
    let (passed, covered, total) = run_back(dir.path());
    assert!(passed, "every explored script passes when run back");
    assert_eq!(covered, total, "flowsim test --coverage: 100%");
    let scripts = calls_in(dir.path());
    assert!(
        scripts < calls_in(&root().join("recordings")),
        "{scripts} scripts"
    );
    // Readable names from the path.
    assert!(dir.path().join("closed_hours.call").is_file());
    assert!(
        dir.path()
            .join("menu_2_silence_invalid_number.call")
            .is_file()
            || std::fs::read_dir(dir.path()).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("invalid_number"))
    );
    // Every prompt an expect, the end pinned.
    let text = std::fs::read_to_string(dir.path().join("closed_hours.call")).unwrap();
    assert!(text.contains("hours closed\n"), "{text}");
    assert!(text.contains("expect \"Thank you for calling"), "{text}");
    assert!(
        text.trim_end().ends_with("expect end disconnected"),
        "{text}"
    );
}

#[test]
fn the_seed_flow_explores_to_every_takeable_branch() {
    let Some(seed) = common::seed() else { return };
    let dir = tempfile::tempdir().unwrap();
    let report = explore(&seed, dir.path(), &[]);
    assert_eq!(report["percent"], 100.0, "{report:#}");
    // "RePlay Generated Vanity Numbers" plays the SSML "Play Generated Vanity
    // Numbers" already played: its NoMatchingError is dead (a reach rule).
    let replay = report["unreachable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["block"] == "RePlay Generated Vanity Numbers")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(replay["branch"], "NoMatchingError");
    assert!(
        replay["reason"]
            .as_str()
            .unwrap()
            .contains("SSML an earlier block played"),
        "{replay}"
    );
    let (passed, covered, total) = run_back(dir.path());
    assert!(passed);
    assert_eq!(covered, total, "flowsim test --coverage: 100%");
    assert!(calls_in(dir.path()) < calls_in(&root().join("recordings")));
}

/// A hand-built flow with the branches Connect never takes that the reach rules
/// name for `flowsim explore` (transfers' `Next`, Check staffing's `Next` beside its
/// NoMatchingCondition, a static working queue's error), and a menu that asks
/// again with no counter: the report counts none of the dead branches, the search
/// ends (the caller hangs up when the call goes round the same way), and every
/// script passes when run back.
#[test]
fn dead_transfer_branches_and_a_loop_with_no_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("rules.json");
    let q = "arn:aws:connect:us-east-1:111122223333:instance/i/queue/Sales";
    let text = serde_json::json!({
        "Version": "2019-10-30",
        "StartAction": "Set queue",
        "Metadata": {"name": "rules", "type": "contactFlow"},
        "Actions": [
            {"Identifier": "Set queue", "Type": "UpdateContactTargetQueue",
             "Parameters": {"QueueId": q},
             "Transitions": {"NextAction": "Menu",
                "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "Only after an error"}]}},
            {"Identifier": "Only after an error", "Type": "MessageParticipant",
             "Parameters": {"Text": "The queue could not be set."},
             "Transitions": {"NextAction": "Bye"}},
            {"Identifier": "Menu", "Type": "GetParticipantInput",
             "Parameters": {"Text": "Press 1 for sales.", "StoreInput": "False",
                            "InputTimeLimitSeconds": "5"},
             "Transitions": {"NextAction": "Menu",
                "Conditions": [{"NextAction": "Staffed",
                    "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
                "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "Menu"},
                           {"ErrorType": "InputTimeLimitExceeded", "NextAction": "Menu"}]}},
            {"Identifier": "Staffed", "Type": "CheckMetricData",
             "Parameters": {"MetricType": "NumberOfAgentsOnline"},
             "Transitions": {"NextAction": "Bye",
                "Conditions": [{"NextAction": "Transfer",
                    "Condition": {"Operator": "NumberGreaterThan", "Operands": ["0"]}}],
                "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "Bye"},
                           {"ErrorType": "NoMatchingError", "NextAction": "Bye"}]}},
            {"Identifier": "Transfer", "Type": "TransferContactToQueue", "Parameters": {},
             "Transitions": {"NextAction": "Bye",
                "Errors": [{"ErrorType": "QueueAtCapacity", "NextAction": "Bye"},
                           {"ErrorType": "NoMatchingError", "NextAction": "Bye"}]}},
            {"Identifier": "Bye", "Type": "DisconnectParticipant", "Parameters": {},
             "Transitions": {}}
        ]
    });
    std::fs::write(&flow, text.to_string()).unwrap();
    let out = dir.path().join("suite");
    let report = explore(&flow, &out, &[]);
    let dead: Vec<String> = report["unreachable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{} → {}",
                u["block"].as_str().unwrap(),
                u["branch"].as_str().unwrap()
            )
        })
        .collect();
    for d in [
        "Set queue → NoMatchingError",
        "Staffed → Next",
        "Transfer → Next",
        // Only the dead error leads to it.
        "Only after an error → Next",
    ] {
        assert!(dead.iter().any(|x| x == d), "{d}: {report:#}");
    }
    assert!(
        report["not_reached"].as_array().unwrap().iter().all(|u| {
            // A metric the queue reads is never an error here; the rules do not know it.
            u["block"] == "Staffed" || u["block"] == "Transfer"
        }),
        "{report:#}"
    );
    assert!(report["percent"].as_f64().unwrap() >= 75.0, "{report:#}");
    // The menu asks again forever: each explored call stops when it goes round.
    assert!(report["millis"].as_f64().unwrap() < 5_000.0, "{report:#}");
    let o = bin().arg("test").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", stdout(&o));
    let hangs_up = std::fs::read_dir(&out).unwrap().any(|e| {
        std::fs::read_to_string(e.unwrap().path())
            .unwrap()
            .contains("expect end hangup")
    });
    assert!(hangs_up, "a call that goes round the menu again hangs up");
}

#[test]
fn exploring_is_deterministic_and_bounded() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let flow = root().join("contactflow/Vanity_Numbers.json");
    let ra = explore(&flow, a.path(), &[]);
    let rb = explore(&flow, b.path(), &[]);
    assert_eq!(
        ra["scripts"].as_array().unwrap().len(),
        rb["scripts"].as_array().unwrap().len()
    );
    for s in ra["scripts"].as_array().unwrap() {
        let name = Path::new(s.as_str().unwrap()).file_name().unwrap();
        assert_eq!(
            std::fs::read_to_string(a.path().join(name)).unwrap(),
            std::fs::read_to_string(b.path().join(name)).unwrap()
        );
    }
    // --max-calls bounds the search, and says so.
    let c = tempfile::tempdir().unwrap();
    let rc = explore(&flow, c.path(), &["--max-calls", "10"]);
    assert_eq!(rc["truncated"], true);
    // The calls under way when the bound is reached are finished, no new ones start.
    let (bounded, full) = (
        rc["calls_explored"].as_u64().unwrap(),
        ra["calls_explored"].as_u64().unwrap(),
    );
    assert!(bounded < full / 3, "{bounded} of {full}");
}

/// The project's flow with the welcome prompt reworded and the Choose Number
/// menu's `2` sent to Goodbye.
fn changed_copy(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("contactflow/Vanity_Numbers.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ids: Vec<(String, String)> = v["Actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["Identifier"].as_str().unwrap().to_owned(),
                a["Type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(ids.iter().any(|(i, _)| i == "Goodbye"));
    for a in v["Actions"].as_array_mut().unwrap() {
        if a["Identifier"] == "Recording Notice" {
            let ssml = a["Parameters"]["SSML"].as_str().unwrap();
            a["Parameters"]["SSML"] = ssml
                .replace("Welcome to the vanity number line.", "Hello, and welcome.")
                .into();
        }
        if a["Identifier"] == "Choose Number" {
            for c in a["Transitions"]["Conditions"].as_array_mut().unwrap() {
                if c["Condition"]["Operands"][0] == "2" {
                    c["NextAction"] = "Goodbye".into();
                }
            }
        }
    }
    let p = dir.join("Vanity_Numbers_v2.json");
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    p
}

#[test]
fn diff_prints_exactly_the_two_changes() {
    let dir = tempfile::tempdir().unwrap();
    let old = root().join("contactflow/Vanity_Numbers.json");
    let new = changed_copy(dir.path());
    let o = bin().arg("diff").arg(&old).arg(&new).output().unwrap();
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    let changes: Vec<&str> = out.lines().filter(|l| l.starts_with("changed ")).collect();
    assert_eq!(changes.len(), 2, "{out}");
    assert!(
        changes
            .iter()
            .any(|l| l.starts_with("changed prompt at Recording Notice")),
        "{out}"
    );
    assert!(
        changes
            .iter()
            .any(|l| l.starts_with("changed branch target at Choose Number")),
        "{out}"
    );
    assert!(out.contains("+ says \"Hello, and welcome."), "{out}");
    assert!(out.contains("= 2 → Goodbye"), "{out}");
    assert!(out.trim_end().ends_with("2 changed paths"), "{out}");
    // The same flow: no difference, exit 0.
    let o = bin().arg("diff").arg(&old).arg(&old).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 changed paths"));
    // --json: the same two.
    let o = bin()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .arg("--json")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
}

#[test]
fn a_suite_explored_from_one_version_fails_on_the_changed_paths_and_update_keeps_names() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite");
    let flow = dir.path().join("flow.json");
    std::fs::copy(root().join("contactflow/Vanity_Numbers.json"), &flow).unwrap();
    explore(&flow, &suite, &[]);
    let before: Vec<String> = names(&suite);
    // Version B: the welcome prompt reworded (the branch left alone).
    let text = std::fs::read_to_string(&flow).unwrap();
    std::fs::write(
        &flow,
        text.replace("Welcome to the vanity number line.", "Hello there."),
    )
    .unwrap();
    let o = bin().arg("test").arg(&suite).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "the old suite fails on version B");
    assert!(stdout(&o).contains("FAIL"));
    // --update: the same names, new expectations, all passing.
    explore(&flow, &suite, &["--update"]);
    assert_eq!(names(&suite), before);
    let o = bin().arg("test").arg(&suite).output().unwrap();
    assert!(o.status.success(), "{}", stdout(&o));
    let t = std::fs::read_to_string(suite.join("closed_hours.call")).unwrap();
    assert!(!t.contains("Welcome to the vanity"));
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".call"))
        .collect();
    v.sort();
    v
}

/// A sample of the corpus: every written script passes when run back, and the
/// suite takes what the report says. The full table is in docs/explore.md.
#[test]
fn corpus_sample_scripts_pass_when_run_back() {
    let Some(shared) = common::shared() else {
        return;
    };
    let corpus = shared.join("corpus/flows");
    let mut flows: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    flows.sort();
    for flow in flows.iter().step_by(37) {
        let dir = tempfile::tempdir().unwrap();
        let report = explore(flow, dir.path(), &["--max-calls", "300"]);
        if calls_in(dir.path()) == 0 {
            continue;
        }
        let o = bin().arg("test").arg(dir.path()).output().unwrap();
        assert!(o.status.success(), "{}: {}", flow.display(), stdout(&o));
        assert!(report["branches_reached"].as_u64().unwrap() > 0, "{report}");
    }
}

/// Whether the report lists `block`'s `branch` as not reached.
fn missed(report: &serde_json::Value, block: &str, branch: &str) -> bool {
    report["not_reached"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["block"] == block && u["branch"] == branch)
}

/// What explore gives beyond keys and Lambda answers, on corpus flows that need it:
/// attributes the flow inherits (a module named by an attribute, a Lambda ARN), the
/// session attributes a Lex bot returns, the data a chain of views enters.
#[test]
fn inherited_attributes_lex_session_attributes_and_view_data_are_explored() {
    let Some(shared) = common::shared() else {
        return;
    };
    let flows = shared.join("corpus/flows");
    let run = |name: &str| {
        let dir = tempfile::tempdir().unwrap();
        let flow = flows.join(format!("{name}.json"));
        let report = explore(&flow, dir.path(), &["--flows", flows.to_str().unwrap()]);
        let o = bin()
            .arg("test")
            .arg(dir.path())
            .arg("--flows")
            .arg(&flows)
            .output()
            .unwrap();
        assert!(o.status.success(), "{name}: {}", stdout(&o));
        report
    };
    // `FlowModuleId: $.Attributes.INIT_MODULE_ID`, set by the campaign that starts the
    // call: given the module whose name matches, the call goes on into it.
    let outbound = run(
        "aws-samples__sample-amazon-connect-outbound-call__amazon-connect-flows_OutboundCallFlow",
    );
    assert!(!missed(&outbound, "Initialize Call", "Next"), "{outbound}");
    assert!(
        !missed(&outbound, "Update Call Status to Connected", "Next"),
        "{outbound}"
    );
    // A Compare on `$.Lex.SessionAttributes.Tool` after the bot's default branch.
    let agent = run(
        "aws-samples__sample-amazon-connect-customer-starter-kit-japan__78acbdc8__mplate_ac-pkg-phase3-contactflow-stack.yaml__SelfServiceAgentContactFlow",
    );
    assert!(!missed(&agent, "Compare 17af5c40", "= Escalate"), "{agent}");
    assert!(!missed(&agent, "Compare 17af5c40", "= Complete"), "{agent}");
    // `actionName` from `$.Views.ViewResultData.actionName`, compared after the view.
    let recording = run(
        "aws-samples__amazon-connect-step-by-step-guides-module-library__examples_StartStopPauseResumeRecording_contactFlow",
    );
    let p = recording["percent"].as_f64().unwrap();
    assert!(p >= 80.0, "{recording}");
}

#[test]
fn junit_stays_complete_when_results_stream() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite");
    explore(&root().join("contactflow/Vanity_Numbers.json"), &suite, &[]);
    let n = calls_in(&suite);
    let junit = dir.path().join("junit.xml");
    let o = bin()
        .arg("test")
        .arg(&suite)
        .arg("--junit")
        .arg(&junit)
        .arg("--jobs")
        .arg("3")
        .output()
        .unwrap();
    assert!(o.status.success());
    let x = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&x).unwrap();
    let cases = doc
        .descendants()
        .filter(|d| d.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, n);
    assert!(x.contains(&format!("tests=\"{n}\"")));
    // In script order, and no temporary file left beside it.
    let out = stdout(&o);
    let ok: Vec<&str> = out.lines().filter(|l| l.starts_with("ok")).collect();
    let mut sorted = ok.clone();
    sorted.sort();
    assert_eq!(ok, sorted);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "suite and junit.xml only"
    );
}

#[test]
fn explore_bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = bin()
        .arg("explore")
        .arg("no/such/flow.json")
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    assert_eq!(calls_in(dir.path()), 0);
}

/// A flow from `actions`, written to `dir/name.json`.
fn write_flow(
    dir: &Path,
    name: &str,
    start: &str,
    actions: serde_json::Value,
) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.json"));
    let text = serde_json::json!({
        "Version": "2019-10-30",
        "StartAction": start,
        "Metadata": {"name": name, "type": "contactFlow"},
        "Actions": actions,
    });
    std::fs::write(&path, text.to_string()).unwrap();
    path
}

fn texts(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "call"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Voicemail Express's recording wait: a Play prompt, then an input block whose
/// prompt says nothing (an SSML break). The explored key is pressed at that
/// block's wait; a replay standing at the Play prompt would press it there, where
/// Connect drops it. The recording brings the replay to the block first.
#[test]
fn a_key_at_a_silent_input_prompt_after_a_play_prompt_replays_at_its_block() {
    let dir = tempfile::tempdir().unwrap();
    let msg = |id: &str, text: &str, next: &str| {
        serde_json::json!({"Identifier": id, "Type": "MessageParticipant",
            "Parameters": {"Text": text}, "Transitions": {"NextAction": next}})
    };
    let flow = write_flow(
        dir.path(),
        "record",
        "Notice",
        serde_json::json!([
            msg("Notice", "Leave a message after the tone.", "Record"),
            {"Identifier": "Record", "Type": "GetParticipantInput",
             "Parameters": {"SSML": "<speak><break time=\"2s\"/></speak>",
                            "StoreInput": "False", "InputTimeLimitSeconds": "5"},
             "Transitions": {"NextAction": "Nothing",
                "Conditions": [{"NextAction": "Saved",
                    "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
                "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "Nothing"},
                           {"ErrorType": "InputTimeLimitExceeded", "NextAction": "Nothing"},
                           {"ErrorType": "NoMatchingError", "NextAction": "Nothing"}]}},
            msg("Saved", "Saved. Goodbye.", "Bye"),
            msg("Nothing", "Nothing recorded.", "Bye"),
            {"Identifier": "Bye", "Type": "DisconnectParticipant", "Parameters": {},
             "Transitions": {}}
        ]),
    );
    let out = dir.path().join("suite");
    let report = explore(&flow, &out, &[]);
    assert_eq!(report["percent"], 100.0, "{report:#}");
    let o = bin().arg("test").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", stdout(&o));
    let saved = texts(&out)
        .into_iter()
        .find(|t| t.contains("expect \"Saved. Goodbye.\""))
        .expect("a script presses 1");
    assert!(
        saved.contains(
            "expect \"Leave a message after the tone.\"\nexpect block \"Record\"\npress 1\n"
        ),
        "{saved}"
    );
}

/// Voicemail Express in queue (corpus): a silence in queue takes the input's own
/// timeout (the `wait` before it goes up to the request only), a Lambda timeout in
/// queue comes after the prompt playing before it (a `wait` for that prompt), and
/// the recording wait's keys are pressed at its block: every script passes.
#[test]
fn voicemail_express_suites_pass_when_run_back() {
    let Some(shared) = common::shared() else {
        return;
    };
    let corpus = shared.join("corpus/flows");
    for name in [
        "amazon-connect__amazon-connect-salesforce-scv__Solutions_VMX2-VoicemailExpress_CloudFormation_vmx-contactflows.yaml__VMXCoreFlow",
        "amazon-connect__voicemail-express-amazon-connect__CloudFormation_vmx3-contactflows.yaml__VMXCoreFlowModule",
        "amazon-connect__voicemail-express-amazon-connect__CloudFormation_vmx3-contactflows.yaml__VMXInQueueOption",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let flow = corpus.join(format!("{name}.json"));
        let flows = corpus.to_str().unwrap();
        let report = explore(&flow, dir.path(), &["--flows", flows]);
        let o = bin()
            .arg("test")
            .arg(dir.path())
            .args(["--flows", flows])
            .output()
            .unwrap();
        assert!(o.status.success(), "{name}: {}", stdout(&o));
        assert!(report["branches_reached"].as_u64().unwrap() > 0, "{report}");
        if name.ends_with("VMXInQueueOption") {
            let all = texts(dir.path()).join("\n");
            assert!(
                all.contains(
                    "wait 6500ms\nexpect \"The voicemail system has encountered an error."
                ),
                "the greeting's time passes before the Lambda times out"
            );
            assert!(
                !all.contains("wait 65s\nsilence"),
                "the silence takes the input's time"
            );
        }
    }
}

/// A flow whose Lambda answer can send the call back to the same Lambda, with no
/// input and no time between: `again` loops for good.
fn lambda_loop(dir: &Path) -> std::path::PathBuf {
    write_flow(
        dir,
        "lambda_loop",
        "Ask",
        serde_json::json!([
            {"Identifier": "Ask", "Type": "InvokeLambdaFunction",
             "Parameters": {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:next",
                            "InvocationTimeLimitSeconds": "3"},
             "Transitions": {"NextAction": "Route",
                "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "Bye"}]}},
            {"Identifier": "Route", "Type": "Compare",
             "Parameters": {"ComparisonValue": "$.External.step"},
             "Transitions": {"NextAction": "Bye",
                "Conditions": [
                    {"NextAction": "Ask", "Condition": {"Operator": "Equals", "Operands": ["again"]}},
                    {"NextAction": "Done", "Condition": {"Operator": "Equals", "Operands": ["done"]}}],
                "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "Bye"}]}},
            {"Identifier": "Done", "Type": "MessageParticipant", "Parameters": {"Text": "Done."},
             "Transitions": {"NextAction": "Bye"}},
            {"Identifier": "Bye", "Type": "DisconnectParticipant", "Parameters": {},
             "Transitions": {}}
        ]),
    )
}

/// A call going round Lambda points only, in the same state at the same time, is
/// cut there by the search (it would go round to the step budget, taking no new
/// branch); the written script still runs it to the budget, and says so.
#[test]
fn a_lambda_only_loop_is_cut_by_the_search_and_replayed_to_the_budget() {
    use flowsim::engine::{CallConfig, EndReason, Engine};
    use flowsim::explore::walk::{Answer, Decision, Walker};
    use flowsim::flow::{FlowSet, load_file};

    let dir = tempfile::tempdir().unwrap();
    let flow = lambda_loop(dir.path());
    let flows = FlowSet::single(load_file(&flow).unwrap());
    let again = || Decision::Lambda(Answer::Json(r#"{"step":"again"}"#.into()));
    let mut w = Walker::new(Engine::new(flows, CallConfig::default()));
    let mut points = 0;
    while let Some(point) = w.advance() {
        points += 1;
        assert!(points < 10, "the call goes round for good");
        w.apply(&point, again());
    }
    // The second time round the same state it stops, long before the budget.
    assert_eq!(points, 1);
    assert!(w.engine().ended().is_none());
    assert!(w.engine().steps() < 10, "{} steps", w.engine().steps());
    w.finish();
    assert!(
        matches!(w.engine().ended(), Some(EndReason::Budget { .. })),
        "{:?}",
        w.engine().ended()
    );

    let out = dir.path().join("suite");
    let report = explore(&flow, &out, &[]);
    assert_eq!(report["percent"], 100.0, "{report:#}");
    let o = bin().arg("test").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        texts(&out).iter().any(|t| t.contains("expect end budget")),
        "the looping call is written to its real end"
    );
    // `flowsim diff` replays the cut call to the same end: a flow is its own
    // version, the loop included.
    let o = bin().arg("diff").arg(&flow).arg(&flow).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 changed paths"), "{}", stdout(&o));
}
