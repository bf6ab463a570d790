//! Canned backends: `json:{…}`, `file:PATH`, and failure injection (`error`,
//! `throttle`, `timeout`).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{BoxFuture, LambdaBackend, LambdaOutcome, LambdaRequest, RegistryError};

/// Answers with fixed responses; a list is used in turn (the last one repeats).
#[derive(Debug)]
pub struct CannedBackend {
    label: String,
    responses: Vec<String>,
    next: AtomicUsize,
}

impl CannedBackend {
    /// `json:{…}`.
    pub fn inline(body: String) -> Self {
        Self {
            label: format!("json:{}", shorten(&body)),
            responses: vec![body],
            next: AtomicUsize::new(0),
        }
    }

    /// `file:PATH`: one JSON response, or a JSON array of responses used in turn.
    /// (A file holding a single response that is itself an array is not possible
    /// under Connect's rules, which require an object.)
    pub fn from_file(path: &Path) -> Result<Self, RegistryError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            RegistryError::new(format!(
                "{}: cannot read Lambda response file: {e}",
                path.display()
            ))
        })?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| RegistryError::new(format!("{}: not valid JSON: {e}", path.display())))?;
        let responses = match value {
            serde_json::Value::Array(items) if !items.is_empty() => {
                items.iter().map(serde_json::Value::to_string).collect()
            }
            serde_json::Value::Array(_) => {
                return Err(RegistryError::new(format!(
                    "{}: the list of responses is empty",
                    path.display()
                )));
            }
            other => vec![other.to_string()],
        };
        Ok(Self {
            label: format!("file:{}", path.display()),
            responses,
            next: AtomicUsize::new(0),
        })
    }
}

impl LambdaBackend for CannedBackend {
    fn describe(&self) -> String {
        self.label.clone()
    }

    fn invoke<'a>(&'a self, _request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let payload = self.responses[i.min(self.responses.len() - 1)].clone();
        Box::pin(async move { LambdaOutcome::Response { payload } })
    }
}

/// Failure injection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureBackend {
    /// The function throws.
    Error,
    /// The function never answers.
    Timeout,
    /// Lambda throttles the invocation (429), a transient error Connect retries.
    Throttle,
}

impl LambdaBackend for FailureBackend {
    fn describe(&self) -> String {
        match self {
            Self::Error => "error".into(),
            Self::Timeout => "timeout".into(),
            Self::Throttle => "throttle".into(),
        }
    }

    fn invoke<'a>(&'a self, _request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
        let outcome = match self {
            Self::Error => LambdaOutcome::FunctionError {
                message: "injected failure (backend `error`)".into(),
            },
            Self::Timeout => LambdaOutcome::NoAnswer,
            Self::Throttle => LambdaOutcome::InvokeError {
                cause: "TooManyRequestsException: Rate Exceeded. (backend `throttle`)".into(),
                transient: true,
            },
        };
        Box::pin(async move { outcome })
    }
}

/// At most 40 characters of the body, then `…`.
fn shorten(s: &str) -> String {
    crate::text::truncate(s, 41)
}
