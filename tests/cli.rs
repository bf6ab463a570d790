//! The real binary: `flowsim run` on the seed flow and the project's flow, exit
//! codes, one-line errors.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, stderr, stdout};

fn run(args: &[&str]) -> Output {
    let tmp = tempfile::tempdir().unwrap();
    bin()
        .args(args)
        .env("FLOWSIM_DATA_DIR", tmp.path())
        .output()
        .unwrap()
}

/// Assert `needles` appear in `hay` in this order.
fn in_order(hay: &str, needles: &[&str]) {
    let mut from = 0;
    for n in needles {
        match hay[from..].find(n) {
            Some(i) => from += i + n.len(),
            None => panic!("`{n}` not found (in order) in:\n{hay}"),
        }
    }
}

const CANNED: &str = r#"generate-vanity-numbers=json:{"ssmlResponse":"<speak>The first number is <say-as interpret-as=\"telephone\">+1303-FLOWERS</say-as></speak>","ssmlError":"false"}"#;

#[test]
fn seed_flow_happy_path() {
    let Some(seed) = common::seed() else { return };
    let o = run(&[
        "run",
        seed.to_str().unwrap(),
        "--caller",
        "+13035551234",
        "--keys",
        "1,1",
        "--lambda",
        CANNED,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    in_order(
        &out,
        &[
            "This call will be recorded",
            "+1 303-555-1234",
            "Please hold while we generate your numbers.",
            "The first number is +1303-FLOWERS",
            "To hear this information again, press 1",
            "Goodbye",
            "END   disconnected",
        ],
    );
}

#[test]
fn seed_flow_silence_three_times() {
    let Some(seed) = common::seed() else { return };
    let o = run(&[
        "run",
        seed.to_str().unwrap(),
        "--keys",
        "~,~,~",
        "--lambda",
        CANNED,
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert_eq!(
        out.matches("This call will be recorded").count(),
        3,
        "{out}"
    );
    in_order(&out, &["No input received", "END   disconnected"]);
}

#[test]
fn seed_flow_invalid_number_and_closed_hours() {
    let Some(seed) = common::seed() else { return };
    let o = run(&[
        "run",
        seed.to_str().unwrap(),
        "--keys",
        "1,3,12#",
        "--lambda",
        CANNED,
    ]);
    in_order(
        &stdout(&o),
        &[
            "Please enter the 10-digit phone number",
            "Invalid Number Entered",
        ],
    );
    let o = run(&[
        "run",
        seed.to_str().unwrap(),
        "--hours",
        "closed",
        "--lambda",
        CANNED,
    ]);
    let out = stdout(&o);
    assert!(out.contains("6:00AM") || out.contains("hours"), "{out}");
    assert!(!out.contains("recorded"), "{out}");
}

#[test]
fn json_output_is_one_event_per_line() {
    let Some(seed) = common::seed() else { return };
    let o = run(&[
        "run",
        seed.to_str().unwrap(),
        "--keys",
        "1,1",
        "--json",
        "--lambda",
        CANNED,
    ]);
    assert!(o.status.success());
    let events: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    for k in [
        "call_started",
        "block_started",
        "branch_taken",
        "prompt",
        "attribute_set",
        "lambda_invoked",
        "lambda_backend",
        "lambda_result",
        "ended",
    ] {
        assert!(kinds.contains(&k), "no {k} event");
    }
    let invoked = events
        .iter()
        .find(|e| e["event"] == "lambda_invoked")
        .unwrap();
    assert_eq!(
        invoked["request"]["Details"]["ContactData"]["Attributes"]["TargetNumber"],
        "+15555550100"
    );
    assert_eq!(events.last().unwrap()["reason"]["end"], "disconnected");
}

#[test]
fn project_flow_runs_end_to_end() {
    let o = run(&[
        "run",
        "contactflow/Vanity_Numbers.json",
        "--caller",
        "+13035551234",
        "--keys",
        "1,2,8003569377#,9",
        "--lambda",
        r#"vanity-numbers=json:{"ssmlResponse":"<speak>The first number is 1-800-FLOWERS.</speak>","ssmlError":"false","vanity1":"+1-800-FLOWERS"}"#,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    in_order(
        &stdout(&o),
        &[
            "recorded",
            "+1 303-555-1234",
            "ten digit",
            "Please hold",
            "1-800-FLOWERS",
            "press 9",
            "Goodbye",
            "END   disconnected",
        ],
    );
}

#[test]
fn virtual_time_makes_timeouts_free() {
    let Some(seed) = common::seed() else { return };
    // Three 5 s timeouts: the clock says 15 s, the run takes milliseconds.
    let o = run(&[
        "run",
        seed.to_str().unwrap(),
        "--keys",
        "1,~,~,~",
        "--lambda",
        CANNED,
        "--json",
    ]);
    let events: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Prompts take the time they take to say (issue 16 item 1), one after another.
    let spoken: u64 = events
        .iter()
        .filter(|e| e["event"] == "prompt")
        .map(|e| e["duration_ms"].as_u64().unwrap())
        .sum();
    assert!(spoken > 0);
    assert_eq!(events.last().unwrap()["at"], 15_000 + spoken);
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<(PathBuf, &str)> = vec![
        (tmp.path().join("missing.json"), "cannot read the file"),
        (
            write(
                tmp.path(),
                "trunc.json",
                "{\"Version\": \"2019-10-30\", \"Actions\": [",
            ),
            "not valid JSON at line 1",
        ),
        (
            write(tmp.path(), "legacy.json", r#"{"modules": []}"#),
            "legacy export format",
        ),
        (
            write(
                tmp.path(),
                "dangling.json",
                r#"{"StartAction":"a","Actions":[{"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"x"},"Transitions":{"NextAction":"b"}}]}"#,
            ),
            "block \"a\" at Actions[0].Transitions.NextAction",
        ),
    ];
    for (path, expected) in cases {
        let o = run(&["run", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", path.display());
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(expected), "{err}");
        assert!(
            err.contains(path.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn unmapped_lambda_and_bad_flags_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(
        tmp.path(),
        "f.json",
        r#"{"StartAction":"l","Actions":[{"Identifier":"l","Type":"InvokeLambdaFunction","Parameters":{"LambdaFunctionARN":"arn:aws:lambda:us-east-1:1:function:mystery"},"Transitions":{}}]}"#,
    );
    let o = run(&["run", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`mystery`"), "{}", stderr(&o));
    for bad in [
        ["--lambda", "nope"],
        ["--keys", "1,,2"],
        ["--hours", "maybe"],
    ] {
        let o = run(&["run", f.to_str().unwrap(), bad[0], bad[1]]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn runaway_loop_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(
        tmp.path(),
        "loop.json",
        r#"{"StartAction":"a","Actions":[
            {"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"a"},"Transitions":{"NextAction":"b"}},
            {"Identifier":"b","Type":"MessageParticipant","Parameters":{"Text":"b"},"Transitions":{"NextAction":"a"}}]}"#,
    );
    let o = run(&["run", f.to_str().unwrap(), "--max-steps", "50"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("step budget exhausted"));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn describe_contact_flow_output_runs_and_checks_as_the_flow_inside() {
    let Some(seed) = common::seed() else { return };
    let dir = tempfile::tempdir().unwrap();
    let inner = std::fs::read_to_string(&seed).unwrap();
    let wrapped = dir.path().join("described.json");
    let api = serde_json::json!({"ContactFlow": {"Arn": "arn:aws:connect:…", "Name": "Vanity", "Content": inner}});
    std::fs::write(&wrapped, api.to_string()).unwrap();
    let w = wrapped.to_str().unwrap();
    let o = run(&["run", w, "--keys", "1,1", "--lambda", CANNED]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    in_order(&stdout(&o), &["+1303-FLOWERS", "disconnected"]);
    // check names the field, and counts lines inside it.
    let o = run(&["check", w]);
    in_order(&stdout(&o), &["(ContactFlow.Content):934:", "FS119"]);

    // A broken flow inside: one line naming the file and the field, exit 2.
    let bad = dir.path().join("bad.json");
    let api = serde_json::json!({"ContactFlowModule": {"Content": "{\"Actions\": ["}});
    std::fs::write(&bad, api.to_string()).unwrap();
    let o = run(&["run", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("bad.json (ContactFlowModule.Content): not valid JSON"),
        "{err}"
    );
}
