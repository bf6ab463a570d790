//! `sqs-to-ddb`: an SQS batch → the DynamoDB table `TABLE_NAME`, each call written
//! once.
//!
//! - Each message is parsed and validated as strictly as the seed's zod schema
//!   ([`CallRecord::from_body_strict`]), then put with `attribute_not_exists(id)` on
//!   `id = phoneNumber-timestamp`: a message delivered twice is one item (the second
//!   put is a logged duplicate, not a failure).
//! - Failures are reported per message (`batchItemFailures`, with
//!   `ReportBatchItemFailures` on the event source mapping): the rest of the batch is
//!   kept, and a bad message is received again until the queue's redrive policy moves
//!   it to the dead-letter queue.
//! - The item keeps the seed's schema: `id`, `callerNumber`, `cellNumber`,
//!   `timestamp`, `vanityNumbers` {first…fifth}.
//! - Logs are one JSON object a line (`tracing`).

use std::collections::HashMap;
use std::time::Instant;

use aws_config::BehaviorVersion;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use flowsim_vanity::record::CallRecord;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use tracing::{error, info};

const TABLE_ENV: &str = "TABLE_NAME";

struct Table {
    client: Client,
    name: String,
}

enum Stored {
    New(String),
    Duplicate(String),
}

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
    let name = std::env::var(TABLE_ENV).map_err(|_| format!("{TABLE_ENV} is not set"))?;
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let table = Table {
        client: Client::new(&config),
        name,
    };
    info!(
        table = %table.name,
        init_us = started.elapsed().as_micros() as u64,
        "initialised"
    );
    let table = &table;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        handle(table, event).await
    }))
    .await
}

async fn handle(table: &Table, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    let request_id = event.context.request_id.as_str();
    let mut failures = Vec::new();
    for message in event.payload.records {
        let message_id = message.message_id.clone().unwrap_or_default();
        match store(table, message.body.as_deref().unwrap_or("")).await {
            Ok(Stored::New(id)) => info!(request_id, message_id, id, "stored"),
            Ok(Stored::Duplicate(id)) => {
                info!(request_id, message_id, id, "duplicate: already stored")
            }
            Err(e) => {
                error!(request_id, message_id, error = %e, body = message.body.as_deref().unwrap_or(""), "not stored; reported as a batch item failure");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = message_id;
                failures.push(failure);
            }
        }
    }
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    Ok(response)
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

/// The seed's item for a record.
fn item(r: &CallRecord) -> HashMap<String, AttributeValue> {
    let v = &r.vanity_numbers;
    let numbers: HashMap<String, AttributeValue> = [
        ("first", &v.first),
        ("second", &v.second),
        ("third", &v.third),
        ("fourth", &v.fourth),
        ("fifth", &v.fifth),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_owned(), s(n)))
    .collect();
    HashMap::from([
        ("id".to_owned(), s(&r.id())),
        ("callerNumber".to_owned(), s(&r.phone_number)),
        ("cellNumber".to_owned(), s(&r.target_number)),
        ("timestamp".to_owned(), s(&r.timestamp)),
        ("vanityNumbers".to_owned(), AttributeValue::M(numbers)),
    ])
}

async fn store(table: &Table, body: &str) -> Result<Stored, String> {
    let record = CallRecord::from_body_strict(body).map_err(|e| e.to_string())?;
    let id = record.id();
    let put = table
        .client
        .put_item()
        .table_name(&table.name)
        .set_item(Some(item(&record)))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await;
    match put {
        Ok(_) => Ok(Stored::New(id)),
        Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
            Ok(Stored::Duplicate(id))
        }
        Err(e) => Err(DisplayErrorContext(&e).to_string()),
    }
}
