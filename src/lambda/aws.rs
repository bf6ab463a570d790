//! `aws` / `aws:NAME_OR_ARN`: invoke the deployed function with aws-sdk-lambda.
//!
//! Standard credential chain and profiles; the region comes from the function ARN,
//! else `--aws-region`, else `AWS_REGION`/`AWS_DEFAULT_REGION`, else the profile;
//! `--aws-endpoint-url` points at SAM local, LocalStack or any Invoke-compatible
//! endpoint. One client per region per process. The block's time limit is enforced
//! around the whole call (the SDK's own retries of throttling and 5xx happen inside
//! it, as Connect retries within its limit); a late answer is dropped. Nothing from
//! the request's credentials or signature is ever put in an outcome.

use std::collections::HashMap;
use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use tokio::sync::Mutex;

use super::registry::AwsOptions;
use super::{BoxFuture, LambdaBackend, LambdaOutcome, LambdaRequest};

/// The clients of one process, shared by every `aws` backend.
#[derive(Debug, Default)]
pub struct AwsClients {
    options: AwsOptions,
    by_region: Mutex<HashMap<String, Client>>,
}

impl AwsClients {
    pub fn new(options: AwsOptions) -> Self {
        Self {
            options,
            by_region: Mutex::new(HashMap::new()),
        }
    }

    async fn client(&self, arn_region: Option<&str>) -> Client {
        let region = arn_region
            .map(str::to_owned)
            .or_else(|| self.options.region.clone())
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .unwrap_or_default();
        let mut clients = self.by_region.lock().await;
        if let Some(c) = clients.get(&region) {
            return c.clone();
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(3));
        if let Some(p) = &self.options.profile {
            loader = loader.profile_name(p);
        }
        if !region.is_empty() {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(url) = &self.options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let client = Client::new(&config);
        clients.insert(region, client.clone());
        client
    }
}

/// One `aws` mapping.
#[derive(Debug)]
pub struct AwsBackend {
    /// `aws:NAME_OR_ARN`; `None` invokes the function the flow names.
    target: Option<String>,
    clients: Arc<AwsClients>,
}

impl AwsBackend {
    pub fn new(target: Option<String>, clients: Arc<AwsClients>) -> Self {
        Self { target, clients }
    }

    async fn call(&self, request: &LambdaRequest) -> LambdaOutcome {
        let function = self
            .target
            .clone()
            .unwrap_or_else(|| request.function_arn.clone());
        let client = self.clients.client(region_of(&function)).await;
        let payload = serde_json::to_vec(&request.event).unwrap_or_default();
        let send = client
            .invoke()
            .function_name(&function)
            .invocation_type(InvocationType::RequestResponse)
            .payload(Blob::new(payload))
            .send();
        match tokio::time::timeout(request.time_limit, send).await {
            Err(_) => LambdaOutcome::NoAnswer,
            Ok(Ok(out)) => {
                let body = out
                    .payload()
                    .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
                    .unwrap_or_default();
                match out.function_error() {
                    Some(kind) => LambdaOutcome::FunctionError {
                        message: format!("{kind}: {}", shorten(&body, 500)),
                    },
                    None => LambdaOutcome::Response { payload: body },
                }
            }
            Ok(Err(e)) => LambdaOutcome::InvokeError {
                cause: describe(&e),
            },
        }
    }
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME` → `REGION`.
fn region_of(function: &str) -> Option<&str> {
    let mut parts = function.split(':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("arn"), Some(_), Some("lambda"), Some(region)) if !region.is_empty() => Some(region),
        _ => None,
    }
}

fn describe<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            format!(
                "{}: {}",
                err.code().unwrap_or("service error"),
                err.message().unwrap_or("(no message)")
            )
        }
        SdkError::DispatchFailure(_) => {
            format!("cannot reach the endpoint ({})", DisplayErrorContext(e))
        }
        SdkError::TimeoutError(_) => "the request timed out".into(),
        SdkError::ResponseError(_) => format!("unreadable response ({})", DisplayErrorContext(e)),
        _ => DisplayErrorContext(e).to_string(),
    }
}

/// At most `max` characters, then `…`.
fn shorten(s: &str, max: usize) -> String {
    crate::text::truncate(s, max + 1)
}

impl LambdaBackend for AwsBackend {
    fn describe(&self) -> String {
        match &self.target {
            Some(t) => format!("aws:{t}"),
            None => "aws".into(),
        }
    }

    fn invoke<'a>(&'a self, request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
        Box::pin(self.call(request))
    }

    fn takes_real_time(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::region_of;

    #[test]
    fn regions_from_arns() {
        assert_eq!(
            region_of("arn:aws:lambda:eu-west-1:123:function:f"),
            Some("eu-west-1")
        );
        assert_eq!(region_of("my-function"), None);
    }
}
