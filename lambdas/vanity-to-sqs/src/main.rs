//! `vanity-to-sqs`: the seed flow's Invoke Lambda block (`generate-vanity-numbers`).
//!
//! The Connect event → the same answer as flowsim's `builtin:vanity` (the seed's
//! response contract: flat strings, `ssmlResponse`, `ssmlError` "true"/"false", plus
//! `vanity1`…`vanity5`) → the call record on the queue `SQS_QUEUE_URL_VANITY_URL` as
//! the seed sends it (`phoneNumber`, `targetNumber`, `timestamp`, `vanityNumbers`).
//!
//! - The word list is compiled in and indexed during init, before the first event.
//! - `SendMessage` is retried by the SDK's standard retry mode (exponential backoff
//!   with jitter on throttling and transient errors), within a time budget well under
//!   the flow's 8 s limit. If it still fails, or no queue is configured, the failure
//!   is logged with the record and the caller still gets their numbers.
//! - Logs are one JSON object a line (`tracing`), with the request id.

use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use flowsim_vanity::answer::{answer, now_ms};
use flowsim_vanity::record::CallRecord;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;
use tracing::{error, info, warn};

/// The seed's environment variable for the queue URL.
const QUEUE_ENV: &str = "SQS_QUEUE_URL_VANITY_URL";
/// SendMessage attempts (the first plus retries).
const ATTEMPTS: u32 = 4;
/// The whole send, retries included: Connect waits 8 s for the answer.
const SEND_BUDGET: Duration = Duration::from_secs(3);

struct Queue {
    client: Client,
    url: Option<String>,
}

/// JSON logs to stdout (CloudWatch adds the time), `INFO` and up.
fn init_tracing() {
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .init();
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let started = Instant::now();
    init_tracing();
    // Index the word list on another thread while the SDK's configuration loads.
    let index = std::thread::spawn(|| {
        let t = Instant::now();
        let words = flowsim_vanity::words::lexicon().len();
        (words, t.elapsed().as_micros() as u64)
    });
    let t = Instant::now();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(50)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(SEND_BUDGET)
                .operation_attempt_timeout(Duration::from_secs(1))
                .build(),
        )
        .load()
        .await;
    let client = Client::new(&config);
    let config_us = t.elapsed().as_micros() as u64;
    let (words, index_us) = index.join().map_err(|_| "the word index panicked")?;
    let queue = Queue {
        client,
        url: std::env::var(QUEUE_ENV).ok().filter(|u| !u.is_empty()),
    };
    if queue.url.is_none() {
        warn!(
            env = QUEUE_ENV,
            "no queue configured: call records are logged, not sent"
        );
    }
    info!(
        words,
        index_us,
        config_us,
        init_us = started.elapsed().as_micros() as u64,
        "initialised"
    );
    let queue = &queue;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(queue, event).await
    }))
    .await
}

async fn handle(queue: &Queue, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let t = Instant::now();
    let a = answer(&event.payload, now_ms());
    let generate_us = t.elapsed().as_micros() as u64;
    let request_id = event.context.request_id.as_str();
    let sent = match &a.record {
        Some(record) => send(queue, record, request_id).await,
        None => false,
    };
    info!(
        request_id,
        ssml_error = a
            .response
            .get("ssmlError")
            .and_then(serde_json::Value::as_str),
        vanity1 = a
            .response
            .get("vanity1")
            .and_then(serde_json::Value::as_str),
        generate_us,
        sent,
        total_us = t.elapsed().as_micros() as u64,
        "answered"
    );
    Ok(Value::Object(a.response))
}

/// Send the record; false (and an error log with the record) when it could not be.
async fn send(queue: &Queue, record: &CallRecord, request_id: &str) -> bool {
    let body = match serde_json::to_string(record) {
        Ok(b) => b,
        Err(e) => {
            error!(request_id, error = %e, "call record not serialisable");
            return false;
        }
    };
    let Some(url) = &queue.url else {
        error!(request_id, record = %body, "no queue configured; call record not sent");
        return false;
    };
    let t = Instant::now();
    match queue
        .client
        .send_message()
        .queue_url(url)
        .message_body(&body)
        .send()
        .await
    {
        Ok(out) => {
            info!(
                request_id,
                message_id = out.message_id(),
                send_us = t.elapsed().as_micros() as u64,
                "call record sent"
            );
            true
        }
        Err(e) => {
            error!(
                request_id,
                error = %DisplayErrorContext(&e),
                record = %body,
                send_us = t.elapsed().as_micros() as u64,
                "call record not sent; the caller still gets their numbers"
            );
            false
        }
    }
}
