//! Invoke Lambda: the request, the answer, the time limit.

use super::*;
use crate::engine::{LAMBDA_RETRIES, retried_error};

/// The longest a sequence of synchronous Lambda functions may run, in ms.
pub const LAMBDA_SEQUENCE_MS: u64 = 20_000;

impl Engine {
    fn set_lambda_invocation(&mut self, value: Value) {
        let mut current = self
            .contact
            .namespaces
            .get("LambdaInvocation")
            .cloned()
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        if let (Value::Object(m), Value::Object(new)) = (&mut current, value) {
            m.extend(new);
        }
        self.emit(TraceKind::ContactUpdated {
            field: "$.LambdaInvocation".into(),
            value: current.to_string(),
        });
        self.contact
            .namespaces
            .insert("LambdaInvocation".into(), current);
    }

    /// An asynchronous invocation finished: its result is readable as
    /// `$.LambdaInvocation.ResultData` (the flow did not wait for it).
    fn async_done(&mut self, call: u64, kind: LambdaResponseType, outcome: LambdaOutcome) {
        let result = match outcome {
            LambdaOutcome::Response { payload } => validate_response(&payload, kind)
                .map(|a| a.external)
                .map_err(|why| format!("refused: {why}")),
            LambdaOutcome::FunctionError { message } => Err(format!("function error: {message}")),
            LambdaOutcome::InvokeError { cause, .. } => Err(format!("invocation failed: {cause}")),
            LambdaOutcome::NoAnswer => Err("no answer".into()),
        };
        match result {
            Ok(data) => self.set_lambda_invocation(serde_json::json!({ "ResultData": data })),
            Err(why) => self.warn(
                None,
                format!("asynchronous Lambda call {call}: {why}; $.LambdaInvocation.ResultData stays unset"),
            ),
        }
    }

    pub(super) fn invoke_lambda(
        &mut self,
        idx: BlockIdx,
        arn: &str,
        time_limit_secs: u32,
        response_type: LambdaResponseType,
        parameters: &IndexMap<String, Value>,
        asynchronous: bool,
    ) -> Step {
        let written = arn;
        let arn = self.text_value(idx, arn);
        if arn.trim().is_empty() {
            // No ARN (a draft), or a reference that resolved to nothing.
            let why = if written.trim().is_empty() {
                "the block names no LambdaFunctionARN".to_owned()
            } else {
                format!("the function ARN \"{written}\" resolved to nothing")
            };
            return Step::Go(Choice::Error(ErrorType::NoMatchingError, why));
        }
        let function = function_name(&arn);
        let mut params = IndexMap::with_capacity(parameters.len());
        for (k, v) in parameters {
            let v = self.resolve_leaves(idx, v);
            params.insert(k.clone(), v);
        }
        // Synchronous calls wait at most 8 s; asynchronous ones run up to 60 s while
        // the flow moves on (admin guide, invoke-lambda-function-block).
        let max = if asynchronous { 60 } else { 8 };
        let limit = time_limit_secs.clamp(1, max);
        if limit != time_limit_secs {
            self.warn(
                Some(idx),
                format!(
                    "InvocationTimeLimitSeconds {time_limit_secs} is outside 1–{max}; Connect would refuse it (using {limit})"
                ),
            );
        }
        let event = build_event(&self.contact, &params);
        let call = self.next_call;
        self.next_call += 1;
        // Each synchronous invocation replaces $.External, whatever its outcome; an
        // asynchronous one leaves it and reports through $.LambdaInvocation.
        if !asynchronous {
            self.contact.external = Value::Null;
        }
        self.emit(TraceKind::LambdaInvoked {
            block: self.block_ref(idx),
            call,
            function: function.clone(),
            time_limit_ms: u64::from(limit) * 1000,
            response_type: match response_type {
                LambdaResponseType::Json => "JSON",
                LambdaResponseType::StringMap => "STRING_MAP",
            }
            .into(),
            request: event.clone(),
        });
        let request = LambdaRequest {
            function_arn: arn,
            function_name: function.clone(),
            event,
            time_limit: Duration::from_secs(u64::from(limit)),
            attempt: 1,
        };
        self.out.push(Effect::InvokeLambda(LambdaCall {
            call,
            request: request.clone(),
        }));
        if asynchronous {
            let id = format!("{}-{call}", &self.contact.contact_id[..8]);
            self.async_calls.insert(call, response_type);
            self.set_lambda_invocation(serde_json::json!({ "InvocationId": id }));
            return Step::Go(Choice::Next(format!(
                "invoked asynchronously (invocation {id}); the flow moves on"
            )));
        }
        // "Amazon Connect limits the duration of a sequence of Lambda functions to 20
        // seconds" (adminguide connect-lambda-functions, best practices): the time
        // synchronous functions took since the caller last heard a prompt or was asked
        // for input counts, and this one gets what is left.
        let left = LAMBDA_SEQUENCE_MS.saturating_sub(self.lambda_sequence);
        let deadline = self
            .now
            .plus(Duration::from_millis(left.min(u64::from(limit) * 1000)));
        let mut request = request;
        request.time_limit = deadline.since(self.now);
        self.wait = Wait::Lambda {
            block: idx,
            call,
            function,
            deadline,
            started: self.now,
            response_type,
            time_limit: limit,
            attempt: 1,
            request: Box::new(request),
        };
        Step::Wait
    }

    /// Retry the running invocation (its attempt failed with `error`, which Connect
    /// retries): the next attempt gets what is left of the time limit.
    fn retry_lambda(&mut self, error: String) {
        let Wait::Lambda {
            block,
            call,
            deadline,
            attempt,
            request,
            ..
        } = &mut self.wait
        else {
            return;
        };
        let left = deadline.since(self.now);
        let failed = *attempt;
        *attempt += 1;
        request.attempt = *attempt;
        request.time_limit = left;
        let (block, call, request) = (*block, *call, (**request).clone());
        self.emit(TraceKind::LambdaRetry {
            block: self.block_ref(block),
            call,
            attempt: failed,
            error,
            left_ms: left.as_millis() as u64,
        });
        self.out
            .push(Effect::InvokeLambda(LambdaCall { call, request }));
    }

    pub(super) fn lambda_done(&mut self, call: u64, outcome: LambdaOutcome) {
        let Wait::Lambda {
            block,
            call: waiting,
            deadline,
            started,
            response_type,
            ..
        } = &self.wait
        else {
            if let Some(kind) = self.async_calls.remove(&call) {
                self.async_done(call, kind, outcome);
                return;
            }
            self.warn(
                None,
                format!("Lambda call {call} answered after the flow moved on; ignored"),
            );
            return;
        };
        if *waiting != call {
            self.warn(
                None,
                format!("Lambda call {call} answered after the flow moved on; ignored"),
            );
            return;
        }
        let (idx, deadline, started, kind) = (*block, *deadline, *started, *response_type);
        let attempt = match &self.wait {
            Wait::Lambda { attempt, .. } => *attempt,
            _ => 1,
        };
        if self.now > deadline {
            self.lambda_timeout();
            return;
        }
        // Connect retries a failed attempt up to 3 times within the time limit.
        let retries = self.config.env.lambda_retries.unwrap_or(LAMBDA_RETRIES);
        if let Some(error) = retried_error(&outcome)
            && attempt <= retries
            && self.now < deadline
        {
            self.retry_lambda(error);
            return;
        }
        // Which attempt answered, when there were several.
        let attempts = if attempt > 1 {
            format!(" (attempt {attempt})")
        } else {
            String::new()
        };
        let duration_ms = self.now.since(started).as_millis() as u64;
        if !matches!(outcome, LambdaOutcome::NoAnswer) {
            self.lambda_sequence += duration_ms;
        }
        let result = match outcome {
            LambdaOutcome::NoAnswer => return,
            LambdaOutcome::Response { payload } => match validate_response(&payload, kind) {
                Ok(accepted) => {
                    for w in accepted.warnings {
                        self.warn(Some(idx), w);
                    }
                    self.contact.external = accepted.external.clone();
                    Ok((accepted.external, kind))
                }
                Err(reason) => Err((reason, Some(payload))),
            },
            LambdaOutcome::FunctionError { message } => {
                Err((format!("function error: {message}"), None))
            }
            LambdaOutcome::InvokeError { cause, .. } => {
                Err((format!("invocation failed: {cause}"), None))
            }
        };
        let block = self.block_ref(idx);
        match result {
            Ok((response, kind)) => {
                let detail = format!(
                    "valid {} response{attempts}",
                    if kind == LambdaResponseType::Json {
                        "JSON"
                    } else {
                        "STRING_MAP"
                    }
                );
                self.emit(TraceKind::LambdaResult {
                    block,
                    call,
                    ok: true,
                    detail: detail.clone(),
                    response: Some(response),
                    raw: None,
                    duration_ms,
                });
                self.resume(idx, Choice::Next(detail));
            }
            Err((detail, raw)) => {
                let detail = format!("{detail}{attempts}");
                self.emit(TraceKind::LambdaResult {
                    block,
                    call,
                    ok: false,
                    detail: detail.clone(),
                    response: None,
                    raw: raw.map(|r| truncate(&r, 2000)),
                    duration_ms,
                });
                self.resume(idx, Choice::Error(ErrorType::NoMatchingError, detail));
            }
        }
    }

    pub(super) fn lambda_timeout(&mut self) {
        let Wait::Lambda {
            block,
            call,
            started,
            deadline,
            time_limit,
            attempt,
            ..
        } = &self.wait
        else {
            return;
        };
        let (idx, call, started, deadline, limit, attempt) =
            (*block, *call, *started, *deadline, *time_limit, *attempt);
        self.lambda_sequence += self.now.since(started).as_millis() as u64;
        let detail = if deadline.since(started) < Duration::from_secs(u64::from(limit)) {
            format!(
                "no answer before the Lambda functions in a row reached Connect's {} s limit \
                 for a sequence (this one had {:.1} s of its {limit} s)",
                LAMBDA_SEQUENCE_MS / 1000,
                deadline.since(started).as_secs_f64()
            )
        } else {
            format!("no answer within {limit} s (InvocationTimeLimitSeconds)")
        };
        let detail = if attempt > 1 {
            format!("{detail}; attempt {attempt} was running")
        } else {
            detail
        };
        self.emit(TraceKind::LambdaResult {
            block: self.block_ref(idx),
            call,
            ok: false,
            detail: detail.clone(),
            response: None,
            raw: None,
            duration_ms: self.now.since(started).as_millis() as u64,
        });
        self.resume(idx, Choice::Error(ErrorType::NoMatchingError, detail));
    }

    /// A JSON value with each text leaf resolved as [`Self::text_value`] does.
    pub(super) fn resolve_leaves(&mut self, idx: BlockIdx, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text_value(idx, s)),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), self.resolve_leaves(idx, v)))
                    .collect(),
            ),
            Value::Array(a) => {
                Value::Array(a.iter().map(|v| self.resolve_leaves(idx, v)).collect())
            }
            other => other.clone(),
        }
    }
}
