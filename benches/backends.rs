//! Per-invocation overhead of the `aws` backend (against a local server speaking the
//! Lambda Invoke API, keep-alive, answering at once) and of `exec` (a process per call).
//! What is measured is flowsim's share: signing, HTTP, process spawn, JSON — not a
//! function's own work.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use flowsim::lambda::{
    BackendContext, LambdaBackend, LambdaOutcome, LambdaRequest, Mapping, Registry,
};
use serde_json::json;

const REPLY: &str = r#"{"ssmlResponse":"<speak>+1303-FLOWERS</speak>","ssmlError":"false"}"#;

/// Serves Invoke requests until the process ends, keeping connections open.
fn serve() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || connection(stream));
        }
    });
    port
}

fn connection(stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    out.set_nodelay(true).ok();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        // One write: fragments would meet Nagle and delayed ACKs (40 ms stalls).
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{REPLY}",
            REPLY.len()
        );
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

fn request() -> LambdaRequest {
    LambdaRequest {
        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:vanity".into(),
        function_name: "vanity".into(),
        event: json!({
            "Details": {
                "ContactData": {"Attributes": {"TargetNumber": "+13035693377"},
                                "CustomerEndpoint": {"Address": "+13035693377", "Type": "TELEPHONE_NUMBER"}},
                "Parameters": {"TargetNumber": "+13035693377"}
            },
            "Name": "ContactFlowEvent"
        }),
        time_limit: Duration::from_secs(8),
        attempt: 1,
    }
}

fn registry(mapping: &str, endpoint: Option<String>) -> Registry {
    let mut ctx = BackendContext::default();
    ctx.aws.endpoint_url = endpoint;
    ctx.aws.region = Some("us-east-1".into());
    Registry::new(&[Mapping::parse(mapping, Path::new(".")).unwrap()], &ctx).unwrap()
}

/// Criterion reports means; the closing figures want a median and a p99 of single
/// invocations, so time a few hundred one by one as well.
fn percentiles(
    name: &str,
    rt: &tokio::runtime::Runtime,
    backend: &dyn LambdaBackend,
    req: &LambdaRequest,
) {
    let mut times: Vec<Duration> = (0..500)
        .map(|_| {
            let start = Instant::now();
            let out = rt.block_on(backend.invoke(req));
            assert!(matches!(out, LambdaOutcome::Response { .. }), "{out:?}");
            start.elapsed()
        })
        .collect();
    times.sort();
    eprintln!(
        "{name}: median {:?}, p99 {:?} over {} single invocations",
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times.len()
    );
}

fn backends(c: &mut Criterion) {
    // SAFETY: set before any thread reads the environment.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEDUMMY");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "dummy");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let req = request();

    let port = serve();
    let aws = registry("vanity=aws", Some(format!("http://127.0.0.1:{port}")));
    let backend = aws.resolve(&req.function_arn, &req.function_name).unwrap();
    percentiles("aws", &rt, backend.as_ref(), &req);
    c.bench_function("aws backend, local Invoke server", |b| {
        b.iter(|| {
            let out = rt.block_on(backend.invoke(&req));
            assert!(matches!(out, LambdaOutcome::Response { .. }), "{out:?}");
        })
    });

    let exec = registry("vanity=exec:cat", None);
    let backend = exec.resolve(&req.function_arn, &req.function_name).unwrap();
    percentiles("exec", &rt, backend.as_ref(), &req);
    c.bench_function("exec backend, `cat` as the function", |b| {
        b.iter(|| {
            let out = rt.block_on(backend.invoke(&req));
            assert!(matches!(out, LambdaOutcome::Response { .. }), "{out:?}");
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(200).measurement_time(Duration::from_secs(4));
    targets = backends
}
criterion_main!(benches);
