//! The deployed pipeline (cargo feature `aws-pipeline`, off by default): the built-in
//! function's call record sent to a real SQS queue (`FLOWSIM_PIPELINE=sqs:QUEUE_URL`)
//! instead of the embedded SQLite pipeline, and the calls read back from the real
//! DynamoDB table (`flowsim calls --table NAME`). The standard aws-config chain;
//! `--aws-endpoint-url` for both, or the SDK's own per-service `AWS_ENDPOINT_URL_SQS` /
//! `AWS_ENDPOINT_URL_DYNAMODB`. The message and the item are the seed's
//! ([`CallRecord`]), as the deployed Lambdas write them.

use std::collections::HashMap;

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::types::AttributeValue;
use tokio::sync::OnceCell;

use super::record::{CallRecord, VanityNumbers};

/// The environment variable choosing the built-in function's pipeline.
pub const PIPELINE_ENV: &str = "FLOWSIM_PIPELINE";

/// Region, profile and endpoint, as for `aws` Lambda backends.
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

async fn sdk_config(s: &AwsSettings) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &s.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &s.region {
        loader = loader.region(aws_config::Region::new(r.clone()));
    }
    if let Some(u) = &s.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    loader.load().await
}

/// `--pipeline`, else `FLOWSIM_PIPELINE`: `sqs:QUEUE_URL` → `Some(Ok(url))`; unset,
/// empty or `sqlite` → `None` (the embedded pipeline); anything else → `Some(Err(why))`.
pub fn pipeline_from(flag: Option<&str>) -> Option<Result<String, String>> {
    let v = match flag {
        Some(f) => f.to_owned(),
        None => std::env::var(PIPELINE_ENV).ok()?,
    };
    let v = v.trim();
    if v.is_empty() || v == "sqlite" {
        return None;
    }
    Some(match v.strip_prefix("sqs:") {
        Some(url) if !url.is_empty() => Ok(url.to_owned()),
        _ => Err(format!(
            "pipeline {v}: expected sqs:QUEUE_URL or sqlite (--pipeline or {PIPELINE_ENV})"
        )),
    })
}

/// Sends call records to a real queue.
pub struct SqsPipeline {
    url: String,
    settings: AwsSettings,
    client: OnceCell<aws_sdk_sqs::Client>,
}

impl SqsPipeline {
    pub fn new(url: String, settings: AwsSettings) -> Self {
        Self {
            url,
            settings,
            client: OnceCell::new(),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Send one record; the message id, or the SDK's error in one line.
    pub async fn send(&self, record: &CallRecord) -> Result<String, String> {
        let body = serde_json::to_string(record).map_err(|e| e.to_string())?;
        let client = self
            .client
            .get_or_init(|| async { aws_sdk_sqs::Client::new(&sdk_config(&self.settings).await) })
            .await;
        let out = client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(&e).to_string())?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }
}

fn text(item: &HashMap<String, AttributeValue>, key: &str) -> String {
    item.get(key)
        .and_then(|v| v.as_s().ok())
        .cloned()
        .unwrap_or_default()
}

/// A table item in the seed's schema as a record.
pub fn record_of_item(item: &HashMap<String, AttributeValue>) -> CallRecord {
    let empty = HashMap::new();
    let numbers = item
        .get("vanityNumbers")
        .and_then(|v| v.as_m().ok())
        .unwrap_or(&empty);
    CallRecord {
        phone_number: text(item, "callerNumber"),
        target_number: text(item, "cellNumber"),
        timestamp: text(item, "timestamp"),
        vanity_numbers: VanityNumbers {
            first: text(numbers, "first"),
            second: text(numbers, "second"),
            third: text(numbers, "third"),
            fourth: text(numbers, "fourth"),
            fifth: text(numbers, "fifth"),
        },
    }
}

/// Every call in the table (a scan), newest first, at most `limit`.
pub async fn list_table(
    settings: &AwsSettings,
    table: &str,
    limit: usize,
) -> Result<Vec<CallRecord>, String> {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config(settings).await);
    let mut records = Vec::new();
    let mut pages = client.scan().table_name(table).into_paginator().send();
    while let Some(page) = pages.next().await {
        let page =
            page.map_err(|e| aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string())?;
        records.extend(page.items().iter().map(record_of_item));
    }
    records.sort_by_key(|r| std::cmp::Reverse(r.timestamp.parse::<u64>().unwrap_or(0)));
    records.truncate(limit);
    Ok(records)
}
