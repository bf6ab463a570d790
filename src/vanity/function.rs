//! `builtin:vanity`: answers the seed flow's Invoke Lambda block like the seed's
//! `vanity-to-sqs` Lambda, then queues the call record. The `LambdaBackend` impl is
//! in `crate::lambda::builtin`.

use std::sync::Arc;

use serde_json::Value;

pub use flowsim_vanity::answer::{Answer, COUNT, answer, caller_number, target_number};

use super::pipeline::Pipeline;

/// Milliseconds since the epoch; injectable for tests.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(flowsim_vanity::answer::now_ms)
}

/// The built-in function with its pipeline.
pub struct VanityFunction {
    pipeline: Pipeline,
    clock: Clock,
}

impl VanityFunction {
    /// With the system clock.
    pub fn new(pipeline: Pipeline) -> Self {
        Self::with_clock(pipeline, system_clock())
    }

    /// With an injected clock (record timestamps).
    pub fn with_clock(pipeline: Pipeline, clock: Clock) -> Self {
        Self { pipeline, clock }
    }

    /// The call pipeline.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Answer an event and queue its record; returns the response JSON text.
    pub fn handle(&self, event: &Value) -> String {
        let a = answer(event, (self.clock)());
        if let Some(record) = &a.record {
            self.pipeline.send(record);
        }
        Value::Object(a.response).to_string()
    }
}
