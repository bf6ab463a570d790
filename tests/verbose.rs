//! `flowsim run -v` shows what the README promises: the exact event sent, the raw
//! response and the function's log in full; without `-v` none of it.

use std::path::Path;
use std::process::Command;

use serde_json::json;

/// Run the real binary in `dir` (FLOWSIM_DATA_DIR and HOME there); stdout.
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_flowsim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("HOME", dir)
        .env("FLOWSIM_DATA_DIR", dir);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    stdout
}

const VANITY: [&str; 4] = [
    "run",
    "contactflow/Vanity_Numbers.json",
    "--keys",
    "1,2,8003569377#,9",
];

#[test]
fn verbose_run_shows_the_event_and_the_response() {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = VANITY.to_vec();
    args.push("-v");
    let out = run(tmp.path(), &args, &[]);
    let event = out.find("event sent:").expect("the event") + 1;
    let response = out.find("response:").expect("the response") + 1;
    assert!(event < response, "{out}");
    let event_text = &out[event..response];
    assert!(
        event_text.contains(r#""Name": "ContactFlowEvent""#),
        "{out}"
    );
    assert!(event_text.contains(r#""Details": {"#), "{out}");
    assert!(
        event_text.contains(r#""TargetNumber": "+18003569377""#),
        "{out}"
    );
    assert!(
        out[response..].contains(r#""vanity1": "+1-800-FLOWERS""#),
        "{out}"
    );

    // Without -v, none of it.
    let out = run(tmp.path(), &VANITY, &[]);
    for hidden in ["ContactFlowEvent", "event sent:", "response:", "vanity1"] {
        assert!(!out.contains(hidden), "{hidden:?} in:\n{out}");
    }
}

fn python() -> &'static str {
    ["python3", "python"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("python3 (installed by .ci/run)")
}

/// A flow whose one Lambda block (`fn`) says what it got, or that it failed.
fn lambda_flow(dir: &Path) -> String {
    let flow = json!({"Version": "2019-10-30", "StartAction": "l", "Actions": [
        {"Identifier": "l", "Type": "InvokeLambdaFunction",
         "Parameters": {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:fn",
                        "InvocationTimeLimitSeconds": "5"},
         "Transitions": {"NextAction": "ok",
                         "Errors": [{"NextAction": "failed", "ErrorType": "NoMatchingError"}]}},
        {"Identifier": "ok", "Type": "MessageParticipant",
         "Parameters": {"Text": "got $.External.said"}, "Transitions": {"NextAction": "bye"}},
        {"Identifier": "failed", "Type": "MessageParticipant",
         "Parameters": {"Text": "lambda failed"}, "Transitions": {"NextAction": "bye"}},
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    ]});
    let p = dir.join("l.json");
    std::fs::write(&p, flow.to_string()).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn verbose_run_shows_an_exec_handlers_whole_log() {
    let tmp = tempfile::tempdir().unwrap();
    let flow = lambda_flow(tmp.path());
    let backend = format!("fn=exec:{} tests/fixtures/noisy_handler.py", python());
    let args = ["run", flow.as_str(), "--lambda", backend.as_str()];
    let crash = [("NOISY_MODE", "crash")];

    let mut verbose = args.to_vec();
    verbose.push("-v");
    let out = run(tmp.path(), &verbose, &crash);
    for line in [
        "noisy: first log line",
        "noisy: second log line",
        "noisy: contact ",
        "Traceback (most recent call last):",
        "in lookup",
        "ValueError: noisy: cannot look up +15555550100",
    ] {
        assert!(out.contains(line), "{line:?} missing from:\n{out}");
    }
    assert!(!out.contains("more lines") && !out.contains("(+"), "{out}");
    assert!(out.contains("IVR   lambda failed"), "{out}");

    // Without -v, the log is one line, as before.
    let out = run(tmp.path(), &args, &crash);
    assert!(!out.contains("second log line"), "{out}");
    assert!(!out.contains("Traceback"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("fn logged: noisy: first log line (+")),
        "{out}"
    );

    // A handler that answers: its log and its response.
    let out = run(tmp.path(), &verbose, &[("NOISY_MODE", "ok")]);
    assert!(out.contains("noisy: second log line"), "{out}");
    assert!(out.contains(r#""count": "3""#), "{out}");
    assert!(out.contains("IVR   got hello"), "{out}");
}

#[test]
fn verbose_run_shows_a_refused_response_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let flow = lambda_flow(tmp.path());
    let out = run(
        tmp.path(),
        &[
            "run",
            &flow,
            "-v",
            "--lambda",
            r#"fn=json:{"said":{"nested":1}}"#,
        ],
        &[],
    );
    let raw = out.find("raw response:").expect("the raw response");
    assert!(out[raw..].contains(r#"{"said":{"nested":1}}"#), "{out}");
    assert!(out.contains("IVR   lambda failed"), "{out}");
}
