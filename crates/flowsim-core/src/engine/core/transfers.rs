//! Leaving the block graph: transfers to a queue, a flow, a third party; modules in and out.

use super::*;

impl Engine {
    pub(super) fn third_party(&mut self, idx: BlockIdx, number: &str, continue_flow: bool) -> Step {
        if self.contact.channel != "VOICE" {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!(
                    "Transfer to phone number works on VOICE only; this contact is {} (--channel)",
                    self.contact.channel
                ),
            ));
        }
        let number = self.text_value(idx, number);
        if crate::phone::e164(&number).is_err() {
            return Step::Go(Choice::Error(
                ErrorType::CallFailed,
                format!(
                    "\"{number}\" is not a number that can be dialed (E.164, valid in its country's numbering plan)"
                ),
            ));
        }
        self.emit(TraceKind::ContactUpdated {
            field: "third-party transfer".into(),
            value: format!("dialing {number}"),
        });
        match self.config.env.third_party.as_deref() {
            Some("failed") => {
                return Step::Go(Choice::Error(
                    ErrorType::CallFailed,
                    format!("the call to {number} failed (third_party = \"failed\")"),
                ));
            }
            Some("no_answer") => {
                return Step::Go(Choice::Error(
                    ErrorType::ConnectionTimeLimitExceeded,
                    format!("{number} did not answer in time (third_party = \"no_answer\")"),
                ));
            }
            _ => {}
        }
        if continue_flow {
            Step::Go(Choice::Next(format!(
                "{number} answered; the flow goes on when the third party hangs up"
            )))
        } else {
            Step::End(EndReason::Ended {
                detail: format!("handed off to {number} by a third-party transfer"),
            })
        }
    }

    pub(super) fn transfer_to_flow(
        &mut self,
        flow: &Arc<Flow>,
        idx: BlockIdx,
        target: &str,
        name: Option<&str>,
    ) -> Step {
        let reference = self.text_value(idx, target);
        match self.flows.find(&reference, name) {
            None => Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!(
                    "flow {} not found (give the folder holding it with --flows DIR)",
                    name.unwrap_or(&reference)
                ),
            )),
            Some(next) => {
                self.emit(TraceKind::FlowChanged {
                    from: flow.name.clone(),
                    to: next.name.clone(),
                    how: "transfer".into(),
                });
                self.contact.flow_attributes.clear();
                self.current = Some(next.start);
                self.stack = vec![Frame {
                    flow: next,
                    caller: None,
                }];
                Step::Jumped
            }
        }
    }

    pub(super) fn invoke_module(
        &mut self,
        flow: &Arc<Flow>,
        idx: BlockIdx,
        module: &str,
        name: Option<&str>,
    ) -> Step {
        let reference = self.text_value(idx, module);
        if self.stack.len() > MAX_MODULE_DEPTH {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("flow modules nest deeper than {MAX_MODULE_DEPTH} levels"),
            ));
        }
        match self.flows.find(&reference, name) {
            None => Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!(
                    "module {} not found (give the folder holding it with --flows DIR)",
                    name.unwrap_or(&reference)
                ),
            )),
            Some(module) => {
                self.emit(TraceKind::FlowChanged {
                    from: flow.name.clone(),
                    to: module.name.clone(),
                    how: "module".into(),
                });
                self.current = Some(module.start);
                self.stack.push(Frame {
                    flow: module,
                    caller: Some(idx),
                });
                Step::Jumped
            }
        }
    }

    pub(super) fn end_module(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let result = match block.params.get("Result") {
            Some(Value::String(r)) => self.text_value(idx, r),
            _ => String::new(),
        };
        let data = block
            .params
            .get("ResultData")
            .map(|d| self.resolve_leaves(idx, d))
            .unwrap_or(Value::Null);
        if self.stack.len() > 1 {
            let frame = self.stack.pop().expect("len > 1");
            let caller = frame.caller.expect("module frames have a caller");
            self.emit(TraceKind::FlowChanged {
                from: frame.flow.name.clone(),
                to: self.flow().name.clone(),
                how: "module returned".into(),
            });
            if result.is_empty() {
                return Step::GoFrom(caller, Choice::Next("module ended".into()));
            }
            // "$.Modules.Result (the branch name) and $.Modules.ResultData"; the
            // Invoke module block's conditions match the result (reference §7).
            self.emit(TraceKind::ContactUpdated {
                field: "$.Modules".into(),
                value: format!("Result = {result}"),
            });
            self.contact.namespaces.insert(
                "Modules".into(),
                serde_json::json!({"Result": result, "ResultData": data}),
            );
            let flow = self.flow().clone();
            let found = flow.blocks[caller]
                .conditions
                .iter()
                .position(|c| c.operator.eval(&result, &c.operand));
            match found {
                Some(i) => Step::GoFrom(
                    caller,
                    Choice::Cond(i, format!("the module returned {result}")),
                ),
                None => Step::GoFrom(
                    caller,
                    Choice::NoMatch(format!(
                        "the module returned {result}, which no condition matches"
                    )),
                ),
            }
        } else {
            Step::End(EndReason::Ended {
                detail: "flow module ended".into(),
            })
        }
    }

    pub(super) fn transfer_to_queue(&mut self, idx: BlockIdx) -> Step {
        match self.contact.queue.clone() {
            None => Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no working queue set".into(),
            )),
            // "If the contact has already been put into a queue … the action fails."
            Some(_) if self.in_queue() => Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "the contact is already in a queue".into(),
            )),
            Some(_) if self.config.queue_at_capacity => Step::Go(Choice::Error(
                ErrorType::QueueAtCapacity,
                "the queue is at capacity (configured)".into(),
            )),
            Some((name, arn))
                if self
                    .env_queue(&name, &arn)
                    .is_some_and(|(_, q)| q.at_capacity) =>
            {
                Step::Go(Choice::Error(
                    ErrorType::QueueAtCapacity,
                    format!("{name} is at capacity (queues.\"{name}\".at_capacity)"),
                ))
            }
            Some((name, arn)) => self.enter_queue(idx, name, arn),
        }
    }
}
