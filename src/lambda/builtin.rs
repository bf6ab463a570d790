//! The built-in functions. `builtin:vanity` is provided by [`crate::vanity`].

use std::sync::Arc;

use super::LambdaBackend;
use super::registry::BackendContext;

/// The built-in vanity function, with its call pipeline.
pub fn vanity_backend(ctx: &BackendContext) -> Arc<dyn LambdaBackend> {
    crate::vanity::backend(ctx)
}
