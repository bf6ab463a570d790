//! Which backend answers which function: `--lambda PATTERN=BACKEND` mappings.

use std::path::PathBuf;
use std::sync::Arc;

use super::LambdaBackend;
use super::canned::{CannedBackend, FailureBackend};
pub use flowsim_core::mapping::{BackendSpec, Mapping, MappingError};
pub use flowsim_core::text::glob_match;

/// A backend that cannot be built, or a bad mapping: a one-line message for the user
/// (exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RegistryError {
    pub message: String,
}

impl RegistryError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl From<MappingError> for RegistryError {
    fn from(e: MappingError) -> Self {
        Self { message: e.message }
    }
}

/// What the registry needs to build backends.
#[derive(Clone, Debug, Default)]
pub struct BackendContext {
    /// Where the built-in pipeline keeps its table (`FLOWSIM_DATA_DIR` or the user's
    /// data dir); `None` keeps calls in memory only.
    pub data_dir: Option<PathBuf>,
    /// Settings for `aws` backends.
    pub aws: AwsOptions,
    /// `--pipeline`: where the built-in function's call records go (`sqs:QUEUE_URL`
    /// with the `aws-pipeline` feature; `sqlite`, the default, is the embedded one).
    pub pipeline: Option<String>,
}

/// `--aws-region`, `--aws-profile`, `--aws-endpoint-url`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwsOptions {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

/// Maps function names/ARNs to backends.
pub struct Registry {
    entries: Vec<(String, BackendSpec, Arc<dyn LambdaBackend>)>,
    factory: Factory,
    /// The backend for functions whose name contains `vanity`, unless mapped.
    vanity_default: Option<Arc<dyn LambdaBackend>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field(
                "entries",
                &self
                    .entries
                    .iter()
                    .map(|(p, s, _)| (p, s))
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// An empty registry: no mapping, no default.
    pub fn empty() -> Self {
        Self {
            entries: Vec::new(),
            factory: Factory::new(&BackendContext::default()),
            vanity_default: None,
        }
    }

    /// Build the backends for `mappings`; functions named `*vanity*` default to the
    /// built-in vanity function.
    pub fn new(mappings: &[Mapping], ctx: &BackendContext) -> Result<Self, RegistryError> {
        let factory = Factory::new(ctx);
        let mut entries = Vec::with_capacity(mappings.len());
        for m in mappings {
            entries.push((m.pattern.clone(), m.spec.clone(), factory.build(&m.spec)?));
        }
        let vanity_default = Some(factory.vanity());
        Ok(Self {
            entries,
            factory,
            vanity_default,
        })
    }

    /// Add a mapping in front of the others (the TUI's remembered answers).
    pub fn push_front(&mut self, pattern: String, spec: BackendSpec) -> Result<(), RegistryError> {
        let backend = self.factory.build(&spec)?;
        self.entries.insert(0, (pattern, spec, backend));
        Ok(())
    }

    /// Add a ready-made backend in front of the others (call scripts use this for
    /// several answers of one function, given in turn).
    pub fn push_front_backend(
        &mut self,
        pattern: String,
        spec: BackendSpec,
        backend: Arc<dyn LambdaBackend>,
    ) {
        self.entries.insert(0, (pattern, spec, backend));
    }

    /// Add, in front of the others, one function answered by `specs` in turn, the
    /// last repeating (a call script's several `lambda` lines for one function).
    pub fn push_front_sequence(
        &mut self,
        pattern: String,
        specs: &[BackendSpec],
    ) -> Result<(), RegistryError> {
        let backends = specs
            .iter()
            .map(|s| self.factory.build(s))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(first) = specs.first() else {
            return Ok(());
        };
        let backend = Arc::new(super::sequence::SequenceBackend::new(backends));
        self.entries.insert(0, (pattern, first.clone(), backend));
        Ok(())
    }

    /// The backend for a function, by name (last ARN segment) or whole ARN.
    pub fn resolve(&self, arn: &str, name: &str) -> Option<Arc<dyn LambdaBackend>> {
        for (pattern, _, backend) in &self.entries {
            if glob_match(pattern, name) || glob_match(pattern, arn) {
                return Some(backend.clone());
            }
        }
        if name.to_ascii_lowercase().contains("vanity") {
            return self.vanity_default.clone();
        }
        None
    }

    /// The AWS clients the `aws` backends share (the live Lex bots use them too).
    #[cfg(feature = "aws")]
    pub fn aws_clients(&self) -> Arc<super::aws::AwsClients> {
        self.factory.aws.clone()
    }

    /// Let every backend finish its background work.
    pub async fn close(&self) {
        for (_, _, backend) in &self.entries {
            backend.close().await;
        }
        if let Some(v) = self.factory.vanity.get() {
            v.close().await;
        }
    }
}

/// Builds backends, sharing what should be shared: one vanity function (one
/// pipeline), one set of AWS clients.
struct Factory {
    ctx: BackendContext,
    vanity: std::sync::OnceLock<Arc<dyn LambdaBackend>>,
    #[cfg(feature = "aws")]
    aws: Arc<super::aws::AwsClients>,
}

impl Factory {
    fn new(ctx: &BackendContext) -> Self {
        Self {
            ctx: ctx.clone(),
            vanity: std::sync::OnceLock::new(),
            #[cfg(feature = "aws")]
            aws: Arc::new(super::aws::AwsClients::new(ctx.aws.clone())),
        }
    }

    fn vanity(&self) -> Arc<dyn LambdaBackend> {
        self.vanity
            .get_or_init(|| super::builtin::vanity_backend(&self.ctx))
            .clone()
    }

    fn build(&self, spec: &BackendSpec) -> Result<Arc<dyn LambdaBackend>, RegistryError> {
        Ok(match spec {
            BackendSpec::Builtin(_) => self.vanity(),
            BackendSpec::Json(body) => Arc::new(CannedBackend::inline(body.clone())),
            BackendSpec::File(path) => Arc::new(CannedBackend::from_file(path)?),
            BackendSpec::Error => Arc::new(FailureBackend::Error),
            BackendSpec::Timeout => Arc::new(FailureBackend::Timeout),
            BackendSpec::Throttle => Arc::new(FailureBackend::Throttle),
            BackendSpec::Exec(cmd) => Arc::new(super::exec::ExecBackend::new(cmd)?),
            #[cfg(feature = "aws")]
            BackendSpec::Aws(target) => Arc::new(super::aws::AwsBackend::new(
                target.clone(),
                self.aws.clone(),
            )),
            #[cfg(not(feature = "aws"))]
            BackendSpec::Aws(_) => {
                return Err(RegistryError::new(
                    "the `aws` backend is not in this build (rebuild with the default `aws` feature)",
                ));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*", "anything"));
        assert!(glob_match("generate-*", "generate-vanity-numbers"));
        assert!(glob_match("*vanity*", "generate-vanity-numbers"));
        assert!(!glob_match("vanity", "generate-vanity-numbers"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }
}
