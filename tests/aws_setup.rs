//! The `aws` backend's setup mistakes (no credentials, no region) through the real
//! binary, with no AWS settings at all: the cause in one line, once per function, and
//! the SDK's full error only under `-v`. No network but 127.0.0.1 (IMDS is off).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

const NO_CREDENTIALS: &str = "no AWS credentials found (checked env, profile, SSO, IMDS): set \
                              AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use \
                              --aws-profile";
const NO_REGION: &str = "no region: pass --aws-region or use a full ARN";

/// A flow that invokes `fn` twice (the second block after the first one's error).
fn two_calls(dir: &Path, arn: &str) -> String {
    let lambda = |id: &str, next: &str| {
        json!({"Identifier": id, "Type": "InvokeLambdaFunction",
               "Parameters": {"LambdaFunctionARN": arn, "InvocationTimeLimitSeconds": "3"},
               "Transitions": {"NextAction": next,
                               "Errors": [{"NextAction": next, "ErrorType": "NoMatchingError"}]}})
    };
    let flow = json!({"Version": "2019-10-30", "StartAction": "a", "Actions": [
        lambda("a", "b"),
        lambda("b", "bye"),
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    ]});
    let p = dir.join("two-calls.json");
    std::fs::write(&p, flow.to_string()).unwrap();
    p.to_str().unwrap().to_owned()
}

/// A local endpoint that counts the connections it gets (and answers none).
fn endpoint() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().take(16) {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(s);
        }
    });
    (url, count)
}

/// Run flowsim with no AWS_* variable but `env`, HOME an empty folder, IMDS off.
fn flowsim(home: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_flowsim"));
    c.env_clear()
        .current_dir(home)
        .args(args)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("FLOWSIM_DATA_DIR", home)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    let all = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    (o, all)
}

fn assert_no_dump(out: &str) {
    for dump in [
        "DispatchFailure",
        "ConnectorError",
        "dispatch failure",
        "cannot reach",
    ] {
        assert!(!out.contains(dump), "{dump:?} in:\n{out}");
    }
}

#[test]
fn no_credentials_is_said_once_in_one_line() {
    let home = tempfile::tempdir().unwrap();
    let flow = two_calls(
        home.path(),
        "arn:aws:lambda:us-east-1:123456789012:function:fn",
    );
    let (url, connections) = endpoint();
    let args = [
        "run",
        flow.as_str(),
        "--lambda",
        "fn=aws",
        "--aws-endpoint-url",
        url.as_str(),
    ];
    let (o, out) = flowsim(home.path(), &args, &[]);
    assert!(o.status.success(), "{out}");
    assert_eq!(out.matches(NO_CREDENTIALS).count(), 1, "{out}");
    assert_eq!(
        out.matches("no AWS credentials found (as on the first call)")
            .count(),
        1,
        "{out}"
    );
    assert_no_dump(&out);
    for line in out.lines() {
        assert!(line.chars().count() < 250, "a long line: {line}");
    }
    assert_eq!(connections.load(Ordering::SeqCst), 0, "nothing was sent");

    // -v keeps the SDK's whole account.
    let mut verbose = args.to_vec();
    verbose.push("-v");
    let (_, out) = flowsim(home.path(), &verbose, &[]);
    assert!(out.contains(NO_CREDENTIALS), "{out}");
    assert!(out.contains("the AWS SDK's error in full:"), "{out}");
    assert!(out.contains("no providers in chain"), "{out}");
    assert!(out.contains("DispatchFailure"), "{out}");
}

#[test]
fn no_credentials_in_json_names_the_cause() {
    let home = tempfile::tempdir().unwrap();
    let flow = two_calls(home.path(), "fn");
    let (o, out) = flowsim(
        home.path(),
        &[
            "run",
            &flow,
            "--json",
            "--lambda",
            "fn=aws",
            "--aws-region",
            "eu-west-1",
        ],
        &[],
    );
    assert!(o.status.success(), "{out}");
    let results: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["event"] == "lambda_result")
        .collect();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0]["detail"],
        format!("invocation failed: {NO_CREDENTIALS}")
    );
    assert_eq!(
        results[1]["detail"],
        "invocation failed: no AWS credentials found (as on the first call)"
    );
}

#[test]
fn no_region_is_said_once_in_one_line() {
    let home = tempfile::tempdir().unwrap();
    // A bare function name: the region is nowhere.
    let flow = two_calls(home.path(), "fn");
    let creds = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEDUMMY"),
        ("AWS_SECRET_ACCESS_KEY", "dummy-secret-never-printed"),
    ];
    let (url, connections) = endpoint();
    // With an endpoint (SAM local) the signer misses the region; without one, the
    // endpoint resolver does.
    for extra in [&["--aws-endpoint-url", url.as_str()][..], &[]] {
        let mut args = vec!["run", flow.as_str(), "--lambda", "fn=aws"];
        args.extend_from_slice(extra);
        let (o, out) = flowsim(home.path(), &args, &creds);
        assert!(o.status.success(), "{out}");
        assert_eq!(out.matches(NO_REGION).count(), 1, "{out}");
        assert_eq!(
            out.matches("no region (as on the first call)").count(),
            1,
            "{out}"
        );
        assert_no_dump(&out);
        assert!(!out.to_lowercase().contains("missing"), "{out}");
        assert!(!out.contains("dummy-secret-never-printed"));
    }
    assert_eq!(connections.load(Ordering::SeqCst), 0, "nothing was sent");
}
