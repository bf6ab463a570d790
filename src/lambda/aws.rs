//! `aws` / `aws:NAME_OR_ARN`: invoke the deployed function with aws-sdk-lambda.
//!
//! Standard credential chain and profiles; the region comes from the function ARN,
//! else `--aws-region`, else `AWS_REGION`/`AWS_DEFAULT_REGION`, else the profile;
//! `--aws-endpoint-url` points at SAM local, LocalStack or any Invoke-compatible
//! endpoint. One client per region per process. The SDK's own retries are off
//! (`RetryConfig::disabled()`): the engine retries as Connect does (throttling, 5xx
//! and function errors, up to 3 times within the block's time limit), each attempt a
//! call of this backend, so one retry model applies, not two multiplied. The
//! attempt's time limit is enforced around the call; a late answer is dropped.
//! Nothing from the request's credentials or signature is ever put in an outcome.
//!
//! A failed invocation says its cause in one line: setup mistakes (no credentials,
//! no region) by name, once per function per session; the SDK's full account of
//! the error goes in the call's log, which `flowsim run -v` shows.

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::config::http::HttpResponse;
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
    by_region: Mutex<HashMap<String, aws_config::SdkConfig>>,
    /// The setup mistakes already explained, per function.
    explained: std::sync::Mutex<HashSet<(String, Setup)>>,
}

impl AwsClients {
    pub fn new(options: AwsOptions) -> Self {
        Self {
            options,
            by_region: Mutex::new(HashMap::new()),
            explained: std::sync::Mutex::new(HashSet::new()),
        }
    }

    /// True the first time `setup` is reported for `function`.
    fn first_report(&self, function: &str, setup: Setup) -> bool {
        self.explained
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((function.to_owned(), setup))
    }

    async fn client(&self, arn_region: Option<&str>) -> Client {
        Client::new(&self.config(arn_region).await)
    }

    /// The SDK configuration for a region (from an ARN, else the options, the
    /// environment, the profile): one per region per process, shared by the Lambda
    /// and Lex clients.
    pub(crate) async fn config(&self, arn_region: Option<&str>) -> aws_config::SdkConfig {
        let region = arn_region
            .map(str::to_owned)
            .or_else(|| self.options.region.clone())
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .unwrap_or_default();
        let mut configs = self.by_region.lock().await;
        if let Some(c) = configs.get(&region) {
            return c.clone();
        }
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::disabled());
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
        configs.insert(region, config.clone());
        config
    }

    /// A failed request to `target` as one line for the outcome (a setup mistake
    /// in full the first time, briefly after), and the SDK's full account for the
    /// call's log; and whether the failure is transient (throttling, 5xx: retried).
    pub(crate) fn explain<E>(
        &self,
        target: &str,
        e: &SdkError<E, HttpResponse>,
    ) -> (String, bool, Option<String>)
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        let failure = classify(e, &self.options);
        let cause = match failure.setup {
            Some(setup) if !self.first_report(target, setup) => {
                format!("{} (as on the first call)", setup.brief())
            }
            Some(setup) => setup.message(&self.options),
            None => failure.cause,
        };
        let log = failure
            .detail
            .map(|d| format!("{}\n{d}", super::SDK_DETAIL_HEADER));
        (cause, failure.transient, log)
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

    async fn call(&self, request: &LambdaRequest) -> (LambdaOutcome, Option<String>) {
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
        let outcome = match tokio::time::timeout(request.time_limit, send).await {
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
            Ok(Err(e)) => {
                let (cause, transient, log) = self.clients.explain(&function, &e);
                return (LambdaOutcome::InvokeError { cause, transient }, log);
            }
        };
        (outcome, None)
    }
}

/// A setup mistake: the same for every call until the user fixes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Setup {
    NoCredentials,
    NoRegion,
}

impl Setup {
    /// What is wrong and what to do, in one line.
    fn message(self, options: &AwsOptions) -> String {
        match (self, &options.profile) {
            (Setup::NoCredentials, None) => "no AWS credentials found (checked env, profile, SSO, \
                 IMDS): set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use \
                 --aws-profile"
                .into(),
            (Setup::NoCredentials, Some(p)) => format!(
                "no AWS credentials found for profile `{p}` (checked env, ~/.aws/config and \
                 ~/.aws/credentials, SSO, IMDS): check the profile's name and keys, or set \
                 AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
            ),
            (Setup::NoRegion, _) => "no region: pass --aws-region or use a full ARN".into(),
        }
    }

    /// The same, for later calls.
    fn brief(self) -> &'static str {
        match self {
            Setup::NoCredentials => "no AWS credentials found",
            Setup::NoRegion => "no region",
        }
    }
}

/// A failed invocation, for the user.
#[derive(Debug)]
struct Failure {
    /// One line.
    cause: String,
    /// Set when the cause is a setup mistake.
    setup: Option<Setup>,
    /// The SDK's full account, for `-v`.
    detail: Option<String>,
    /// Throttling (429) or a service error (5xx): Connect retries it.
    transient: bool,
}

/// The error and its sources, outermost first.
fn chain<'a>(e: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(e), |e| (*e).source())
}

/// The innermost message of the chain, on one line.
fn innermost(e: &(dyn Error + 'static)) -> String {
    let last = chain(e)
        .last()
        .map_or_else(String::new, ToString::to_string);
    last.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which mistake the chain names, if any.
fn setup_mistake(e: &(dyn Error + 'static)) -> Option<Setup> {
    chain(e).find_map(|e| {
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("no providers in chain") || text.contains("credentials not loaded") {
            Some(Setup::NoCredentials)
        } else if text.contains("missing signing region") || text.contains("missing region") {
            Some(Setup::NoRegion)
        } else {
            None
        }
    })
}

fn classify<E>(e: &SdkError<E, HttpResponse>, options: &AwsOptions) -> Failure
where
    E: ProvideErrorMetadata + Error + 'static,
{
    let full = || Some(DisplayErrorContext(e).to_string());
    if let SdkError::ServiceError(se) = e {
        let err = se.err();
        let status = se.raw().status().as_u16();
        return Failure {
            transient: status == 429 || status >= 500,
            cause: format!(
                "{}: {}",
                err.code().unwrap_or("service error"),
                err.message().unwrap_or("(no message)")
            ),
            setup: None,
            detail: None,
        };
    }
    if let Some(setup) = setup_mistake(e) {
        return Failure {
            cause: setup.message(options),
            setup: Some(setup),
            detail: full(),
            transient: false,
        };
    }
    let cause = match e {
        SdkError::DispatchFailure(_) => match &options.endpoint_url {
            Some(url) => format!("cannot reach the endpoint {url} ({})", innermost(e)),
            None => format!("cannot reach the endpoint ({})", innermost(e)),
        },
        SdkError::TimeoutError(_) => "the request timed out".into(),
        SdkError::ResponseError(_) => format!("unreadable response ({})", innermost(e)),
        SdkError::ConstructionFailure(_) => {
            format!("cannot build the request ({})", innermost(e))
        }
        _ => innermost(e),
    };
    Failure {
        cause,
        setup: None,
        detail: full(),
        transient: false,
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
        Box::pin(async move { self.call(request).await.0 })
    }

    fn invoke_logged<'a>(
        &'a self,
        request: &'a LambdaRequest,
    ) -> BoxFuture<'a, (LambdaOutcome, Option<String>)> {
        Box::pin(self.call(request))
    }

    fn takes_real_time(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::{Setup, innermost, region_of, setup_mistake};

    /// An error with a message and an optional source, like the SDK's chains.
    #[derive(Debug)]
    struct Chained(&'static str, Option<Box<Chained>>);

    impl std::fmt::Display for Chained {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Chained {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    fn chained(messages: &[&'static str]) -> Chained {
        let (last, rest) = messages.split_last().unwrap();
        rest.iter().rev().fold(Chained(last, None), |inner, m| {
            Chained(m, Some(Box::new(inner)))
        })
    }

    #[test]
    fn setup_mistakes_are_found_down_the_chain() {
        let no_creds = chained(&[
            "dispatch failure",
            "other",
            "the credential provider was not enabled",
            "no providers in chain provided credentials",
        ]);
        assert_eq!(setup_mistake(&no_creds), Some(Setup::NoCredentials));
        let no_region = chained(&["dispatch failure", "other", "missing signing region"]);
        assert_eq!(setup_mistake(&no_region), Some(Setup::NoRegion));
        let resolver = chained(&["dispatch failure", "Invalid Configuration: Missing Region"]);
        assert_eq!(setup_mistake(&resolver), Some(Setup::NoRegion));
        let refused = chained(&[
            "dispatch failure",
            "io error",
            "tcp connect error",
            "Connection refused\n(os error 111)",
        ]);
        assert_eq!(setup_mistake(&refused), None);
        assert_eq!(innermost(&refused), "Connection refused (os error 111)");
    }

    #[test]
    fn regions_from_arns() {
        assert_eq!(
            region_of("arn:aws:lambda:eu-west-1:123:function:f"),
            Some("eu-west-1")
        );
        assert_eq!(region_of("my-function"), None);
    }
}
