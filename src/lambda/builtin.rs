//! The built-in functions: `builtin:vanity`, the vanity generator of
//! [`crate::vanity`] with its call pipeline, as a Lambda backend.

use std::sync::Arc;

use super::registry::BackendContext;
use super::{BoxFuture, LambdaBackend, LambdaOutcome, LambdaRequest};
use crate::vanity::VanityFunction;
use crate::vanity::pipeline::{Pipeline, Sink};

/// The `builtin:vanity` backend: the function plus its call pipeline, storing into
/// `ctx.data_dir` (memory only when `None`).
pub fn vanity_backend(ctx: &BackendContext) -> Arc<dyn LambdaBackend> {
    Arc::new(VanityFunction::new(Pipeline::new(Sink::for_data_dir(
        ctx.data_dir.clone(),
    ))))
}

impl LambdaBackend for VanityFunction {
    fn describe(&self) -> String {
        "builtin:vanity".into()
    }

    fn invoke<'a>(&'a self, request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
        Box::pin(async move {
            LambdaOutcome::Response {
                payload: self.handle(&request.event),
            }
        })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.pipeline().flush())
    }
}
