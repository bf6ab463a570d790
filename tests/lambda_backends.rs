//! The `aws` backend against a local server speaking the Lambda Invoke API, and the
//! `exec` backend running a Python handler from disk — both through the real binary.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::Value;

mod common;

/// The seed flow with another InvocationTimeLimitSeconds.
fn seed_with_limit(seed: &Path, dir: &Path, secs: &str) -> PathBuf {
    let mut flow: Value = serde_json::from_str(&std::fs::read_to_string(seed).unwrap()).unwrap();
    for a in flow["Actions"].as_array_mut().unwrap() {
        if a["Type"] == "InvokeLambdaFunction" {
            a["Parameters"]["InvocationTimeLimitSeconds"] = Value::String(secs.into());
        }
    }
    let p = dir.join("seed-limit.json");
    std::fs::write(&p, flow.to_string()).unwrap();
    p
}

#[derive(Clone, Copy)]
enum Behaviour {
    Answer,
    FunctionError,
    /// 429 TooManyRequestsException, every time.
    Throttle,
    Late(Duration),
}

use common::http::Seen;

/// A one-thread HTTP/1.1 server: records each request's path and body.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn serve(behaviour: Behaviour) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        // Bounded: a test makes at most a few requests.
        for stream in listener.incoming().take(16).flatten() {
            let log = log.clone();
            thread::spawn(move || handle(stream, behaviour, &log));
        }
    });
    Server { port, seen }
}

fn handle(stream: TcpStream, behaviour: Behaviour, log: &Mutex<Vec<Seen>>) {
    let Some(seen) = common::http::read_request(&stream) else {
        return;
    };
    log.lock().unwrap().push(seen);
    let (status, extra, reply) = match behaviour {
        Behaviour::Answer => (
            "200 OK",
            "",
            r#"{"ssmlResponse":"<speak>The first number is <say-as interpret-as=\"telephone\">+1303-FLOWERS</say-as></speak>","ssmlError":"false"}"#,
        ),
        Behaviour::FunctionError => (
            "200 OK",
            "X-Amz-Function-Error: Unhandled\r\n",
            r#"{"errorMessage":"boom","errorType":"Error"}"#,
        ),
        Behaviour::Throttle => (
            "429 Too Many Requests",
            "x-amzn-ErrorType: TooManyRequestsException\r\n",
            r#"{"message":"Rate Exceeded.","Reason":"ConcurrentInvocationLimitExceeded"}"#,
        ),
        Behaviour::Late(d) => {
            thread::sleep(d);
            (
                "200 OK",
                "",
                r#"{"ssmlResponse":"<speak>too late</speak>","ssmlError":"false"}"#,
            )
        }
    };
    let extra = format!("X-Amz-Executed-Version: $LATEST\r\n{extra}");
    common::http::reply(&stream, status, &extra, reply);
}

fn flowsim(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut c = common::bin();
    c.args(args)
        .env("HOME", home.path())
        .env("FLOWSIM_DATA_DIR", home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEDUMMY")
        .env("AWS_SECRET_ACCESS_KEY", "dummy-secret-never-printed")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn events(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn lambda_result(events: &[Value]) -> &Value {
    events
        .iter()
        .find(|e| e["event"] == "lambda_result")
        .expect("a lambda_result event")
}

fn run_aws(flow: &Path, port: u16) -> (Output, Vec<Value>) {
    run_aws_with(flow, port, &[])
}

fn run_aws_with(flow: &Path, port: u16, extra: &[&str]) -> (Output, Vec<Value>) {
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut args = vec![
        "run",
        flow.to_str().unwrap(),
        "--keys",
        "1,1",
        "--json",
        "--lambda",
        "generate-vanity-numbers=aws",
        "--aws-endpoint-url",
        &endpoint,
    ];
    args.extend_from_slice(extra);
    let o = flowsim(&args, &[]);
    let ev = events(&o);
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(
        !out.contains("dummy-secret-never-printed"),
        "the secret leaked"
    );
    assert!(!out.contains("Signature="), "signed headers leaked");
    (o, ev)
}

#[test]
fn aws_backend_success_sends_connects_event() {
    let Some(seed) = common::seed() else { return };
    let server = serve(Behaviour::Answer);
    let (o, ev) = run_aws(&seed, server.port);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(lambda_result(&ev)["ok"], true, "{ev:?}");
    assert!(
        ev.iter().any(
            |e| e["event"] == "prompt" && e["text"].as_str().unwrap().contains("+1303-FLOWERS")
        )
    );
    let backend = ev.iter().find(|e| e["event"] == "lambda_backend").unwrap();
    assert_eq!(backend["backend"], "aws");
    let seen = server.seen.lock().unwrap();
    let (path, body, headers) = &seen[0];
    assert_eq!(
        path,
        "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A623537709549%3Afunction%3Agenerate-vanity-numbers/invocations"
    );
    assert!(headers.iter().any(|h| {
        h.to_ascii_lowercase()
            .starts_with("authorization: aws4-hmac-sha256")
    }));
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["Name"], "ContactFlowEvent");
    assert_eq!(
        event["Details"]["ContactData"]["Attributes"]["TargetNumber"],
        "+15555550100"
    );
    assert_eq!(
        event["Details"]["ContactData"]["CustomerEndpoint"]["Address"],
        "+15555550100"
    );
    assert_eq!(event["Details"]["Parameters"], serde_json::json!({}));
}

#[test]
fn aws_function_error_takes_the_error_branch() {
    let Some(seed) = common::seed() else { return };
    let server = serve(Behaviour::FunctionError);
    let (_, ev) = run_aws(&seed, server.port);
    let r = lambda_result(&ev);
    assert_eq!(r["ok"], false);
    assert!(r["detail"].as_str().unwrap().contains("Unhandled"), "{r}");
    // Connect retries a function error 3 times: four requests reach the function.
    assert_eq!(server.seen.lock().unwrap().len(), 4);
    assert!(ev.iter().any(|e| {
        e["event"] == "prompt"
            && e["text"]
                .as_str()
                .unwrap()
                .contains("currently unavailable")
    }));
}

#[test]
fn aws_late_reply_is_a_timeout() {
    let Some(seed) = common::seed() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let flow = seed_with_limit(&seed, tmp.path(), "2");
    let server = serve(Behaviour::Late(Duration::from_secs(3)));
    let (_, ev) = run_aws(&flow, server.port);
    let r = lambda_result(&ev);
    assert_eq!(r["ok"], false);
    assert!(
        r["detail"]
            .as_str()
            .unwrap()
            .contains("no answer within 2 s"),
        "{r}"
    );
    assert!(
        !ev.iter()
            .any(|e| e["event"] == "prompt" && e["text"].as_str().unwrap().contains("too late"))
    );
}

#[test]
fn aws_connection_refused_takes_the_error_branch() {
    let Some(seed) = common::seed() else { return };
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (_, ev) = run_aws(&seed, port);
    let r = lambda_result(&ev);
    assert_eq!(r["ok"], false);
    // One line naming the endpoint and the innermost cause, not the SDK's dump.
    let detail = r["detail"].as_str().unwrap();
    assert!(
        detail.starts_with(&format!(
            "invocation failed: cannot reach the endpoint http://127.0.0.1:{port} ("
        )),
        "{r}"
    );
    assert!(detail.to_lowercase().contains("refused"), "{r}");
    assert!(!detail.contains("DispatchFailure"), "{r}");
    assert!(!detail.contains("ConnectorError"), "{r}");
}

fn python() -> Option<&'static str> {
    ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn run_exec(mode: &str, flow: &Path) -> Vec<Value> {
    let py = python().expect("python3 (installed by .ci/run)");
    let backend = format!("generate-vanity-numbers=exec:{py} tests/fixtures/vanity_handler.py");
    let o = flowsim(
        &[
            "run",
            flow.to_str().unwrap(),
            "--caller",
            "+18005551234",
            "--keys",
            "1,1",
            "--json",
            "--lambda",
            &backend,
        ],
        &[("HANDLER_MODE", mode)],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    events(&o)
}

#[test]
fn exec_python_handler_runs_the_seed_flow() {
    let Some(seed) = common::seed() else { return };
    let ev = run_exec("ok", &seed);
    assert_eq!(lambda_result(&ev)["ok"], true);
    assert!(
        ev.iter().any(|e| e["event"] == "prompt"
            && e["text"] == "Python says the first number is +1800-FLOWERS."),
        "{ev:#?}"
    );
    let log = ev
        .iter()
        .find(|e| e["event"] == "lambda_log")
        .expect("stderr in the trace");
    assert!(
        log["text"]
            .as_str()
            .unwrap()
            .starts_with("handler got contact ")
    );
}

#[test]
fn exec_failures_take_the_error_branch() {
    let Some(seed) = common::seed() else { return };
    let ev = run_exec("fail", &seed);
    let r = lambda_result(&ev);
    assert_eq!(r["ok"], false);
    assert!(
        r["detail"].as_str().unwrap().contains("exit status 3"),
        "{r}"
    );
    assert!(
        ev.iter().any(
            |e| e["event"] == "lambda_log" && e["text"].as_str().unwrap().contains("Traceback")
        )
    );
    let r = lambda_result(&run_exec("garbage", &seed)).clone();
    assert!(r["detail"].as_str().unwrap().contains("not JSON"), "{r}");
    let tmp = tempfile::tempdir().unwrap();
    let ev = run_exec("slow", &seed_with_limit(&seed, tmp.path(), "1"));
    let r = lambda_result(&ev);
    assert!(
        r["detail"]
            .as_str()
            .unwrap()
            .contains("no answer within 1 s"),
        "{r}"
    );
}

/// Throttling is retried by the engine, as Connect retries it (3 times within the time
/// limit), and the SDK's own retries are off: four requests, not twelve; with
/// `--lambda-retries 0`, one.
#[test]
fn aws_throttling_is_retried_by_the_engine_only() {
    let Some(seed) = common::seed() else { return };
    let server = serve(Behaviour::Throttle);
    let (_, ev) = run_aws(&seed, server.port);
    let r = lambda_result(&ev);
    assert_eq!(r["ok"], false);
    assert!(
        r["detail"].as_str().unwrap().contains("TooManyRequests"),
        "{r}"
    );
    let retries: Vec<&Value> = ev.iter().filter(|e| e["event"] == "lambda_retry").collect();
    assert_eq!(retries.len(), 3, "{ev:?}");
    assert_eq!(retries[0]["attempt"], 1);
    assert_eq!(server.seen.lock().unwrap().len(), 4);
    let once = serve(Behaviour::Throttle);
    let (_, ev) = run_aws_with(&seed, once.port, &["--lambda-retries", "0"]);
    assert_eq!(lambda_result(&ev)["ok"], false);
    assert_eq!(once.seen.lock().unwrap().len(), 1);
}
