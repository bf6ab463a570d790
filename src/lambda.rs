//! Lambda backends: what answers an `InvokeLambdaFunction` block.
//!
//! The engine never calls a function itself: it emits an
//! [`Effect::InvokeLambda`](crate::engine::Effect) with a [`LambdaRequest`], and the
//! driver hands the request to the backend the [`Registry`] maps the function to.
//! The backend's [`LambdaOutcome`] goes back to the engine, which applies Connect's
//! rules (time limit, 32 KB, `STRING_MAP`/`JSON` validation) and picks the branch.

#[cfg(feature = "aws")]
pub mod aws;
pub mod builtin;
pub mod canned;
pub mod exec;
pub mod registry;
pub mod sequence;

use std::future::Future;
use std::pin::Pin;

pub use flowsim_core::engine::{LambdaOutcome, LambdaRequest};
pub use flowsim_core::mapping::{BackendSpec, Mapping, MappingError};
pub use registry::{AwsOptions, BackendContext, Registry, RegistryError};

/// The first line of a call's log when the log is flowsim's own diagnosis (the AWS
/// SDK's full error) rather than what the function printed: `flowsim run` shows such a
/// log only with `-v`.
pub const SDK_DETAIL_HEADER: &str = "(the AWS SDK's error in full)";

/// A boxed, sendable future, so backends can live behind `dyn LambdaBackend`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something that can answer Lambda invocations.
pub trait LambdaBackend: Send + Sync {
    /// How the backend is named in traces, e.g. `builtin:vanity`, `json:…`.
    fn describe(&self) -> String;

    /// Invoke the function. Must not block the async runtime.
    fn invoke<'a>(&'a self, request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome>;

    /// Invoke, also returning what the function logged (a program's stderr).
    fn invoke_logged<'a>(
        &'a self,
        request: &'a LambdaRequest,
    ) -> BoxFuture<'a, (LambdaOutcome, Option<String>)> {
        Box::pin(async move { (self.invoke(request).await, None) })
    }

    /// True when the answer takes real time (network, processes). In virtual time the
    /// driver then advances the clock by the measured duration; canned and built-in
    /// backends answer in zero virtual time, so runs stay deterministic.
    fn takes_real_time(&self) -> bool {
        false
    }

    /// Called once when the session ends, so background work (the vanity pipeline)
    /// can finish before the process exits.
    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}
