//! The built-in functions: `builtin:vanity`, the vanity generator of
//! [`crate::vanity`] with its call pipeline, as a Lambda backend.
//!
//! With the `aws-pipeline` feature and `FLOWSIM_PIPELINE=sqs:QUEUE_URL`, the call
//! record goes to that real queue (as the deployed `vanity-to-sqs` sends it) instead
//! of the embedded SQLite pipeline.

use std::sync::Arc;

use super::registry::BackendContext;
use super::{BoxFuture, LambdaBackend, LambdaOutcome, LambdaRequest};
use crate::vanity::VanityFunction;
use crate::vanity::pipeline::{Pipeline, Sink};

/// The `builtin:vanity` backend: the function plus its call pipeline, storing into
/// `ctx.data_dir` (memory only when `None`).
pub fn vanity_backend(ctx: &BackendContext) -> Arc<dyn LambdaBackend> {
    #[cfg(feature = "aws-pipeline")]
    match crate::vanity::remote::pipeline_from(ctx.pipeline.as_deref()) {
        Some(Ok(url)) => return Arc::new(sqs::SqsVanity::new(url, ctx)),
        Some(Err(why)) => eprintln!("flowsim: {why}; using the embedded pipeline"),
        None => {}
    }
    #[cfg(not(feature = "aws-pipeline"))]
    if let Some(p) = ctx.pipeline.as_deref().filter(|p| p.trim() != "sqlite") {
        eprintln!(
            "flowsim: --pipeline {p} needs a build with the aws-pipeline feature; using the embedded pipeline"
        );
    }
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

#[cfg(feature = "aws-pipeline")]
mod sqs {
    use super::*;
    use crate::vanity::answer::{answer, now_ms};
    use crate::vanity::remote::{AwsSettings, SqsPipeline};

    /// `builtin:vanity` with its records sent to a real SQS queue.
    pub struct SqsVanity {
        pipeline: SqsPipeline,
    }

    impl SqsVanity {
        pub fn new(url: String, ctx: &BackendContext) -> Self {
            let settings = AwsSettings {
                region: ctx.aws.region.clone(),
                profile: ctx.aws.profile.clone(),
                endpoint_url: ctx.aws.endpoint_url.clone(),
            };
            Self {
                pipeline: SqsPipeline::new(url, settings),
            }
        }
    }

    impl LambdaBackend for SqsVanity {
        fn describe(&self) -> String {
            format!("builtin:vanity → sqs:{}", self.pipeline.url())
        }

        fn invoke<'a>(&'a self, request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
            Box::pin(async move { self.invoke_logged(request).await.0 })
        }

        /// The answer, and how the send went as the call's log; a failed send is
        /// logged, and the caller still gets their numbers (as in the deployed function).
        fn invoke_logged<'a>(
            &'a self,
            request: &'a LambdaRequest,
        ) -> BoxFuture<'a, (LambdaOutcome, Option<String>)> {
            Box::pin(async move {
                let a = answer(&request.event, now_ms());
                let log = match &a.record {
                    Some(record) => Some(match self.pipeline.send(record).await {
                        Ok(id) => format!("call record sent to SQS (message {id})"),
                        Err(e) => format!("call record not sent to SQS: {e}"),
                    }),
                    None => None,
                };
                let payload = serde_json::Value::Object(a.response).to_string();
                (LambdaOutcome::Response { payload }, log)
            })
        }

        fn takes_real_time(&self) -> bool {
            true
        }
    }
}
