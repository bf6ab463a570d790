//! `OverrideSystemBehavior` for Lambda functions: a per-run answer layer in front of
//! the mapped backends. Overrides queue per function, first in first out; the next
//! invocation of that function consumes the oldest, once (its retries, attempts 2 to
//! 4, get the same answer: the mock is the invocation's result). With none queued, the
//! `--lambda` mappings (and the built-in default) answer as in any run.

use std::sync::{Arc, Mutex};

use crate::engine::function_name;
use crate::lambda::{BoxFuture, LambdaBackend, LambdaOutcome, LambdaRequest, Registry};
use crate::testcase::{Strategy, same_resource};

/// One consumed override or unanswered call, for the records.
#[derive(Clone, Debug, PartialEq)]
pub enum Use {
    /// The function, and the override (action id) that answered it.
    Consumed { function: String, action: String },
    /// No override and no mapping answered the function.
    Unmapped { function: String },
    /// A `SubstituteArn` no mapping answers.
    UnknownSubstitute { function: String, arn: String },
}

#[derive(Default)]
struct State {
    /// (function named, override action id, strategy), oldest first.
    queue: Vec<(String, String, Strategy)>,
    uses: Vec<Use>,
    /// The override that answered the last first attempt (function ARN, action id,
    /// strategy): a mocked result is the invocation's, so Connect's retries of it
    /// (attempts 2 to 4) get the same answer without consuming another.
    last: Option<(String, String, Strategy)>,
}

/// The shared handle the runner queues overrides through.
#[derive(Clone, Default)]
pub struct Overrides(Arc<Mutex<State>>);

impl Overrides {
    pub fn push(&self, function: &str, action: &str, strategy: Strategy) {
        self.lock()
            .queue
            .push((function.to_owned(), action.to_owned(), strategy));
    }

    /// What happened so far (consumed overrides, unanswered functions).
    pub fn uses(&self) -> Vec<Use> {
        self.lock().uses.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the queue half-changed: take it anyway.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self, request: &LambdaRequest) -> Option<(String, Strategy)> {
        let mut s = self.lock();
        if request.attempt > 1 {
            return s
                .last
                .as_ref()
                .filter(|(f, _, _)| *f == request.function_arn)
                .map(|(_, a, st)| (a.clone(), st.clone()));
        }
        s.last = None;
        let i = s.queue.iter().position(|(f, _, _)| {
            same_resource(f, &request.function_arn) || same_resource(f, &request.function_name)
        })?;
        let (_, action, strategy) = s.queue.remove(i);
        s.last = Some((
            request.function_arn.clone(),
            action.clone(),
            strategy.clone(),
        ));
        s.uses.push(Use::Consumed {
            function: request.function_name.clone(),
            action: action.clone(),
        });
        Some((action, strategy))
    }

    fn note(&self, u: Use) {
        self.lock().uses.push(u);
    }
}

/// The layer: overrides first, then the mapped backends.
pub struct Layer {
    pub overrides: Overrides,
    pub inner: Registry,
}

impl LambdaBackend for Layer {
    fn describe(&self) -> String {
        "test-case overrides, else the --lambda mappings".into()
    }

    fn invoke<'a>(&'a self, request: &'a LambdaRequest) -> BoxFuture<'a, LambdaOutcome> {
        Box::pin(async move {
            let limit = request.time_limit.as_secs_f64();
            let mapped = |arn: &str, name: &str| self.inner.resolve(arn, name);
            let backend = match self.overrides.take(request) {
                Some((
                    _,
                    Strategy::Result {
                        delay_secs,
                        loaded_data,
                        value,
                    },
                )) => {
                    // The delay is virtual: at or past the block's time limit the
                    // block times out; under it, the answer comes at once.
                    if delay_secs >= limit {
                        return LambdaOutcome::NoAnswer;
                    }
                    let payload = loaded_data.or(value).unwrap_or_else(|| "{}".into());
                    return LambdaOutcome::Response { payload };
                }
                Some((_, Strategy::Error { value, .. })) => {
                    return if value == "TimeLimitExceeded" {
                        LambdaOutcome::NoAnswer
                    } else {
                        LambdaOutcome::FunctionError { message: value }
                    };
                }
                Some((_, Strategy::Substitute(arn))) => match mapped(&arn, &function_name(&arn)) {
                    Some(b) => b,
                    None => {
                        self.overrides.note(Use::UnknownSubstitute {
                            function: request.function_name.clone(),
                            arn,
                        });
                        return LambdaOutcome::NoAnswer;
                    }
                },
                None => match mapped(&request.function_arn, &request.function_name) {
                    Some(b) => b,
                    None => {
                        self.overrides.note(Use::Unmapped {
                            function: request.function_name.clone(),
                        });
                        return LambdaOutcome::NoAnswer;
                    }
                },
            };
            backend.invoke(request).await
        })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.inner.close())
    }
}
