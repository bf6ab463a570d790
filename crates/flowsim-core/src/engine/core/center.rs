//! The contact center around the flow: queues and metrics, agents, callbacks,
//! customer profiles, cases, data tables, views, Voice ID, outbound calls, chat
//! waits and side requests. Every outcome comes from [`Environment`]; one nobody set
//! uses the documented default and says so ([`Engine::defaulted`]).

use serde_json::{Map, json};

use super::*;
use crate::env::{Profile, Queue};

impl Engine {
    // ---- shared helpers ---------------------------------------------------------

    /// A text parameter, references resolved.
    fn param(&mut self, block: &Block, idx: BlockIdx, key: &str) -> Option<String> {
        let v = block.params.get(key)?;
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        Some(self.text_value(idx, &text))
    }

    /// A nested object parameter with its text values resolved.
    fn param_map(&mut self, block: &Block, idx: BlockIdx, key: &str) -> Map<String, Value> {
        match block.params.get(key) {
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| (k.clone(), self.resolve_leaves(idx, v)))
                .collect(),
            _ => Map::new(),
        }
    }

    /// An outcome the environment did not set: say which default is used and which
    /// setting changes it. Under `--strict` the call stops instead. Asking
    /// ([`CallConfig::ask_outcomes`], the TUI): the call waits at
    /// [`Status::AwaitingOutcome`] with the default first, then `choices` (concrete
    /// settings with the flow's names), and `Err(Step::Wait)` ends the block for now.
    pub(super) fn defaulted(
        &mut self,
        idx: BlockIdx,
        setting: &str,
        outcome: &str,
        choices: impl FnOnce(&Self) -> Vec<OutcomeChoice>,
    ) -> Result<(), Step> {
        if self.config.ask_outcomes && !self.answered {
            let mut all = vec![OutcomeChoice {
                label: format!("the default: {outcome}"),
                directive: None,
            }];
            for c in choices(self) {
                if !all.iter().any(|a| a.directive == c.directive) {
                    all.push(c);
                }
            }
            let previous = std::mem::replace(&mut self.wait, Wait::None);
            self.wait = Wait::Outcome {
                block: idx,
                setting: setting.into(),
                choices: all,
                previous: Box::new(previous),
                utterance: None,
            };
            return Err(Step::Wait);
        }
        if self.config.strict {
            let label = self.flow().blocks[idx].label();
            return Err(Step::End(EndReason::Stopped {
                detail: format!(
                    "no {setting} in the environment (--strict) at block \"{label}\"; the default would be: {outcome}"
                ),
            }));
        }
        self.emit(TraceKind::EnvironmentDefault {
            block: self.block_ref(idx),
            setting: setting.into(),
            outcome: outcome.into(),
        });
        Ok(())
    }

    /// [`Input::Outcome`]: lay the chosen environment over the call's, then run the
    /// block that asked again (or hear the utterance that asked again).
    pub(super) fn outcome_answered(&mut self, env: Option<Arc<Environment>>) {
        let Wait::Outcome {
            block,
            previous,
            utterance,
            ..
        } = std::mem::replace(&mut self.wait, Wait::None)
        else {
            return;
        };
        if let Some(env) = env {
            self.config.env = env;
        }
        self.wait = *previous;
        self.answered = true;
        match utterance {
            Some(u) => self.lex_intent(block, u),
            None => {
                self.current = Some(block);
                self.run_one();
            }
        }
        self.answered = false;
        self.run();
    }

    /// A queue's answer time is `ask`: the question, or the default (and its trace
    /// line). `Err` is the block's step (a `--strict` stop, or the question).
    pub(super) fn ask_answer_after(
        &mut self,
        idx: BlockIdx,
        name: &str,
        q: &Queue,
    ) -> Result<(), Step> {
        if q.answer_after != Some(crate::env::AnswerAfter::Word(crate::env::AnswerWord::Ask)) {
            return Ok(());
        }
        let mut shown = q.clone();
        shown.answer_after = None;
        let default = match shown.answer_after_secs() {
            Some(s) => format!("an agent answers after {s} s"),
            None => "no agent answers (no agent online)".into(),
        };
        let n = call_quote(name);
        self.defaulted(
            idx,
            &format!(
                "when an agent answers in \"{name}\" (queues.\"{name}\".answer_after = \"ask\")"
            ),
            &default,
            |_| {
                [
                    ("an agent answers now", "0"),
                    ("after 30 s", "30"),
                    ("after 2 min", "2m"),
                    ("after 10 min", "10m"),
                    ("never", "never"),
                ]
                .into_iter()
                .map(|(label, v)| OutcomeChoice::set(label, format!("queue {n} answer_after {v}")))
                .collect()
            },
        )
    }

    fn set_namespace(&mut self, ns: &str, value: Value) {
        self.emit(TraceKind::ContactUpdated {
            field: format!("$.{ns}"),
            // `to_string` writes to a Vec directly; Display goes through a Formatter.
            value: serde_json::to_string(&value).unwrap_or_default(),
        });
        self.contact.namespaces.insert(ns.into(), value);
    }

    fn channel_is(&self, channels: &[&str]) -> bool {
        channels.contains(&self.contact.channel.as_str())
    }

    fn wrong_channel(&self, what: &str, channels: &str) -> Step {
        Step::Go(Choice::Error(
            ErrorType::NoMatchingError,
            format!(
                "{what} works on {channels} only; this contact is {} (--channel)",
                self.contact.channel
            ),
        ))
    }

    /// The queue a block means: `QueueId`, else the working queue. The state comes
    /// from the environment; a queue it does not list has the default state.
    fn metrics_queue(
        &mut self,
        block: &Block,
        idx: BlockIdx,
    ) -> Result<(String, String, Queue), Step> {
        let (name, arn) = match self.param(block, idx, "QueueId").filter(|q| !q.is_empty()) {
            Some(q) => {
                let name = block
                    .display_name("QueueId")
                    .unwrap_or_else(|| q.rsplit('/').next().unwrap_or(&q).to_owned());
                (name, q)
            }
            None => match &self.contact.queue {
                Some((n, a)) => (n.clone(), a.clone()),
                None => {
                    return Err(Step::Go(Choice::Error(
                        ErrorType::NoMatchingError,
                        "no QueueId and no working queue set".into(),
                    )));
                }
            },
        };
        match self.env_queue(&name, &arn) {
            Some((n, q)) => {
                let q = self.live_queue(&n, &arn, q);
                Ok((n, arn, q))
            }
            None => {
                self.defaulted(
                    idx,
                    &format!("queue \"{name}\" (queues.\"{name}\" in --env, or --queue)"),
                    "1 agent online, available and staffed; nobody waiting",
                    |_| metric_choices(block, &name),
                )?;
                let q = self.live_queue(&name, &arn, Queue::default());
                Ok((name, arn, q))
            }
        }
    }

    // ---- flow control: metrics, waits -------------------------------------------

    pub(super) fn check_metric(&mut self, flow: &Arc<Flow>, idx: BlockIdx) -> Step {
        let block = &flow.blocks[idx];
        let (name, _, q) = match self.metrics_queue(block, idx) {
            Ok(q) => q,
            Err(step) => return step,
        };
        let metric = self.param(block, idx, "MetricType").unwrap_or_default();
        // The console writes the oldest contact's age in milliseconds (reference §3.2).
        let value = match metric.as_str() {
            "NumberOfAgentsAvailable" => u64::from(q.agents_available),
            "NumberOfAgentsStaffed" => u64::from(q.agents_staffed),
            "NumberOfAgentsOnline" => u64::from(q.agents_online),
            "NumberOfContactsInQueue" => u64::from(q.contacts_in_queue),
            "OldestContactInQueueAgeSeconds" => u64::from(q.oldest_contact_age_secs) * 1000,
            other => {
                return Step::Go(Choice::Error(
                    ErrorType::NoMatchingError,
                    format!("unknown MetricType \"{other}\""),
                ));
            }
        };
        let why = format!("{metric} of {name} is {value}");
        self.match_conditions_result(flow, idx, &value.to_string(), why)
    }

    pub(super) fn get_metrics(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let (name, arn, q) = match self.metrics_queue(block, idx) {
            Ok(q) => q,
            Err(step) => return step,
        };
        // Waiting in this queue: its own place; otherwise where it would join.
        let position = self
            .position_in(&name, &arn)
            .unwrap_or(q.contacts_in_queue + 1);
        // The last reading is updated in place: a customer queue flow reads the
        // metrics every few seconds of a wait, and rebuilding the tree each time
        // (a dozen small maps) cost most of a simulated wait.
        let mut metrics = match self.contact.namespaces.get_mut("Metrics") {
            Some(Value::Object(m)) => std::mem::take(m),
            _ => Map::new(),
        };
        let mut queue = take_object(&mut metrics, "Queue");
        put_text(&mut queue, "Name", &name);
        put_text(&mut queue, "ARN", &arn);
        put_count(&mut queue, "Size", q.contacts_in_queue);
        put_count(&mut queue, "OldestContactAge", q.oldest_contact_age_secs);
        match q.estimated_wait_secs {
            Some(ewt) => put_count(&mut queue, "EstimatedWaitTime", ewt),
            None => {
                queue.shift_remove("EstimatedWaitTime");
            }
        }
        metrics.insert("Queue".into(), Value::Object(queue));
        // "If there are no agents, no metrics are returned."
        if q.agents_online > 0 || q.agents_staffed > 0 {
            let mut agents = take_object(&mut metrics, "Agents");
            for (key, count) in [
                ("Online", q.agents_online),
                ("Available", q.agents_available),
                ("Staffed", q.agents_staffed),
                ("AfterContactWork", q.agents_after_contact_work),
                ("Busy", q.agents_busy),
                ("Missed", q.agents_missed),
                ("NonProductive", q.agents_non_productive),
            ] {
                let mut c = take_object(&mut agents, key);
                put_count(&mut c, "Count", count);
                agents.insert(key.into(), Value::Object(c));
            }
            metrics.insert("Agents".into(), Value::Object(agents));
        } else {
            metrics.shift_remove("Agents");
        }
        let mut contact = take_object(&mut metrics, "Contact");
        put_count(&mut contact, "PositionInQueue", position);
        metrics.insert("Contact".into(), Value::Object(contact));
        self.set_namespace("Metrics", Value::Object(metrics));
        Step::Go(Choice::Next(format!("metrics of {name} read")))
    }

    pub(super) fn wait_block(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let limit = self
            .param(block, idx, "TimeLimitSeconds")
            .or_else(|| self.param(block, idx, "TimeoutSeconds"));
        let Some(secs) = limit.and_then(|t| t.trim().parse::<u32>().ok()) else {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "TimeLimitSeconds is missing or not a whole number".into(),
            ));
        };
        let listens = |event: &str| {
            block
                .params
                .get("Events")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|e| e == event))
        };
        match self.contact.channel.as_str() {
            "CHAT" | "EMAIL" => {}
            "TASK" => {}
            _ => return self.wrong_channel("Wait", "CHAT, EMAIL and TASK"),
        }
        // Waiting for a bot participant to leave when the chat has none (flowsim's
        // chats have no bot participant): `ParticipantNotFound` (reference §3, Wait).
        if listens("BotParticipantDisconnected") {
            return Step::Go(Choice::Error(
                ErrorType::ParticipantNotFound,
                "the Wait listens for BotParticipantDisconnected, but the chat has no bot \
                 participant"
                    .into(),
            ));
        }
        let (deadline, result) = match self.config.env.customer_returns_after_secs {
            Some(after)
                if after < secs
                    && listens("CustomerReturned")
                    && self.channel_is(&["CHAT", "EMAIL"]) =>
            {
                (self.now.plus_secs(after), "CustomerReturned")
            }
            Some(_) => (self.now.plus_secs(secs), "WaitCompleted"),
            None => {
                if listens("CustomerReturned")
                    && let Err(stop) = self.defaulted(
                        idx,
                        "customer_returns_after_secs",
                        "the customer does not return before the time limit",
                        |_| {
                            let after = (secs / 2).max(1);
                            vec![env_choice(
                                &format!("the customer writes back after {after} s"),
                                json!({ "customer_returns_after_secs": after }),
                            )]
                        },
                    )
                {
                    return stop;
                }
                (self.now.plus_secs(secs), "WaitCompleted")
            }
        };
        self.wait = Wait::Timer {
            block: idx,
            deadline,
            result,
        };
        Step::Wait
    }

    /// A Wait ends: its result (`WaitCompleted`, `CustomerReturned`) picks the branch.
    pub(super) fn timer_done(&mut self, idx: BlockIdx, result: &str) {
        let flow = self.flow().clone();
        self.wait = Wait::None;
        let step =
            self.match_conditions_result(&flow, idx, result, format!("the wait ended: {result}"));
        if let Step::Go(choice) = step {
            self.follow(idx, choice);
        }
        self.run();
    }

    pub(super) fn call_progress(&mut self, flow: &Arc<Flow>, idx: BlockIdx) -> Step {
        let status = match self.config.env.call_progress.clone() {
            Some(s) => s,
            None => {
                if let Err(stop) = self.defaulted(idx, "call_progress", "CallAnswered", |_| {
                    let block = &flow.blocks[idx];
                    operands(block, &["VoicemailBeep", "VoicemailNoBeep", "NotDetected"])
                        .into_iter()
                        .map(|s| env_choice(&s, json!({ "call_progress": s })))
                        .collect()
                }) {
                    return stop;
                }
                "CallAnswered".into()
            }
        };
        match self.match_conditions_result(flow, idx, &status, format!("call progress: {status}")) {
            Step::Go(Choice::NoMatch(why)) => {
                Step::Go(Choice::Error(ErrorType::NoMatchingError, why))
            }
            step => step,
        }
    }

    pub(super) fn check_voice_id(&mut self, flow: &Arc<Flow>, idx: BlockIdx) -> Step {
        if !self.channel_is(&["VOICE"]) {
            return self.wrong_channel("Voice ID", "VOICE");
        }
        let block = &flow.blocks[idx];
        let option = self
            .param(block, idx, "CheckVoiceIdOption")
            .unwrap_or_default();
        let v = self.config.env.voice_id.clone();
        let (set, setting, default, statuses): (_, _, _, &[&str]) = match option.as_str() {
            "enrollmentStatus" => (
                v.enrollment,
                "voice_id.enrollment",
                "NotEnrolled",
                &["Enrolled", "OptedOut"],
            ),
            "fraudDetection" => (
                v.fraud,
                "voice_id.fraud",
                "Inconclusive",
                &["HighRisk", "LowRisk"],
            ),
            _ => (
                v.authentication,
                "voice_id.authentication",
                "NotEnrolled",
                &[
                    "Authenticated",
                    "NotAuthenticated",
                    "Inconclusive",
                    "OptedOut",
                ],
            ),
        };
        let status = match set {
            Some(s) => s,
            None => {
                let key = setting.trim_start_matches("voice_id.");
                if let Err(stop) = self.defaulted(idx, setting, default, |_| {
                    operands(block, statuses)
                        .into_iter()
                        .map(|s| env_choice(&s, json!({ "voice_id": { key: s } })))
                        .collect()
                }) {
                    return stop;
                }
                default.to_owned()
            }
        };
        // An unmatched status: NMC when wired, else NME (the page says NME).
        match self.match_conditions_result(flow, idx, &status, format!("Voice ID: {status}")) {
            Step::Go(Choice::NoMatch(why))
                if block.error_target(ErrorType::NoMatchingCondition).is_none() =>
            {
                Step::Go(Choice::Error(ErrorType::NoMatchingError, why))
            }
            step => step,
        }
    }

    // ---- queues, agents, callbacks ----------------------------------------------

    pub(super) fn transfer_to_agent(&mut self, idx: BlockIdx) -> Step {
        let free = match self.config.env.agent_available {
            Some(f) => f,
            None => {
                if let Err(stop) =
                    self.defaulted(idx, "agent_available", "the agent is free", |_| {
                        vec![env_choice(
                            "the agent is with someone else",
                            json!({ "agent_available": false }),
                        )]
                    })
                {
                    return stop;
                }
                true
            }
        };
        if free {
            Step::End(EndReason::Ended {
                detail: "transferred to an agent".into(),
            })
        } else {
            Step::End(EndReason::Disconnected {
                detail: "the agent is with someone else, so the contact is disconnected".into(),
            })
        }
    }

    pub(super) fn dequeue_to_queue(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let Some(target) = self
            .param(block, idx, "QueueId")
            .or_else(|| self.param(block, idx, "AgentId"))
            .filter(|q| !q.is_empty())
        else {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no QueueId or AgentId to transfer to".into(),
            ));
        };
        let name = block
            .display_name("QueueId")
            .unwrap_or_else(|| target.rsplit('/').next().unwrap_or(&target).to_owned());
        if self
            .env_queue(&name, &target)
            .is_some_and(|(_, q)| q.at_capacity)
        {
            return Step::Go(Choice::Error(
                ErrorType::QueueAtCapacity,
                format!("{name} is at capacity (queues.\"{name}\".at_capacity)"),
            ));
        }
        if let Some((n, q)) = self.env_queue(&name, &target)
            && let Err(step) = self.ask_answer_after(idx, &n, &q)
        {
            return step;
        }
        if let Err(e) = self.requeue(&name, &target) {
            return Step::Go(Choice::Error(ErrorType::NoMatchingError, e));
        }
        self.emit(TraceKind::ContactUpdated {
            field: "queue".into(),
            value: name.clone(),
        });
        self.contact.queue = Some((name.clone(), target));
        self.contact.initiation_method = "QUEUE_TRANSFER".into();
        Step::Go(Choice::Next(format!(
            "moved to {name} as a new contact segment"
        )))
    }

    pub(super) fn set_callback_number(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let number = self.param(block, idx, "CallbackNumber").unwrap_or_default();
        if crate::phone::e164(&number).is_err() {
            return Step::Go(Choice::Error(
                ErrorType::InvalidCallbackNumber,
                format!("\"{number}\" is not a valid E.164 number (its country's numbering plan)"),
            ));
        }
        if let Some(p) = self
            .config
            .env
            .undialable_prefixes
            .iter()
            .find(|p| number.starts_with(p.as_str()))
        {
            return Step::Go(Choice::Error(
                ErrorType::CallbackNumberNotDialable,
                format!("{number} starts with {p} (undialable_prefixes)"),
            ));
        }
        self.emit(TraceKind::ContactUpdated {
            field: "callback number".into(),
            value: number.clone(),
        });
        self.contact.callback_number = Some(number);
        Step::Go(Choice::Next("callback number set".into()))
    }

    pub(super) fn create_callback(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let number = self
            .contact
            .callback_number
            .clone()
            .unwrap_or_else(|| self.contact.caller.clone());
        let queue = self
            .param(block, idx, "QueueId")
            .or_else(|| self.contact.queue.as_ref().map(|q| q.0.clone()));
        let Some(queue) = queue.filter(|q| !q.is_empty()) else {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no QueueId and no working queue for the callback".into(),
            ));
        };
        let delay = self
            .param(block, idx, "InitialCallDelaySeconds")
            .unwrap_or_else(|| "0".into());
        self.emit(TraceKind::ContactUpdated {
            field: "callback created".into(),
            value: format!("{number} in {queue}, first call after {delay} s"),
        });
        let shown = block
            .display_name("QueueId")
            .unwrap_or_else(|| queue.rsplit('/').next().unwrap_or(&queue).to_owned());
        self.note_callback(shown, number);
        Step::Go(Choice::Next("callback queued".into()))
    }

    pub(super) fn resume_contact(&mut self) -> Step {
        if self.channel_is(&["TASK"]) {
            Step::Go(Choice::Next("task resumed".into()))
        } else {
            self.wrong_channel("ResumeContact", "TASK")
        }
    }

    pub(super) fn previous_participant(&mut self) -> Step {
        Step::Go(Choice::Error(
            ErrorType::NoMatchingError,
            "this contact has no previous contact whose participant could be held".into(),
        ))
    }

    pub(super) fn complete_outbound(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let caller_id = self.param_map(block, idx, "CallerId");
        self.emit(TraceKind::ContactUpdated {
            field: "outbound call".into(),
            value: format!(
                "dialing {} {}",
                self.contact.caller,
                Value::Object(caller_id)
            ),
        });
        Step::Go(Choice::Next("outbound call placed".into()))
    }

    pub(super) fn route_to_agent(&mut self) -> Step {
        Step::Go(Choice::Error(
            ErrorType::NoMatchingError,
            "RouteContactToAgent is undocumented; flowsim takes its error branch".into(),
        ))
    }

    // ---- participants: views, sign-in, AI agents ----------------------------------

    pub(super) fn show_view(&mut self, flow: &Arc<Flow>, idx: BlockIdx) -> Step {
        if !self.channel_is(&["CHAT"]) {
            return self.wrong_channel("ShowView", "CHAT");
        }
        let block = &flow.blocks[idx];
        let id = match block.params.get("ViewResource").and_then(|v| v.get("Id")) {
            Some(Value::String(s)) => self.text_value(idx, s),
            _ => String::new(),
        };
        let short = crate::env::view_name(&id).to_owned();
        // The block's own identifier wins over the view's name (several blocks of a
        // flow may show the same view).
        let views = &self.config.env.views;
        let scripted = views
            .get(&block.id)
            .or_else(|| {
                views
                    .iter()
                    .find(|(k, _)| k.as_str() == id || k.as_str() == short)
                    .map(|(_, v)| v)
            })
            .cloned();
        let view = match scripted {
            Some(v) => v,
            None => {
                // The default: the customer takes the first action the block wires.
                let action = crate::env::default_view_action(block);
                let key = if short.is_empty() {
                    block.id.clone()
                } else {
                    short.clone()
                };
                if let Err(stop) = self.defaulted(
                    idx,
                    &format!("views.\"{short}\""),
                    &format!("the customer chooses {action}"),
                    |_| {
                        let k = call_quote(&key);
                        operands(block, &["Submit", "Back", "timeout", "error"])
                            .into_iter()
                            .map(|a| {
                                OutcomeChoice::set(
                                    format!("the customer chooses {a}"),
                                    format!("view {k} action {a}"),
                                )
                            })
                            .collect()
                    },
                ) {
                    return stop;
                }
                crate::env::View {
                    action,
                    data: Value::Object(Map::new()),
                }
            }
        };
        if view.action == "error" {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "the view could not be shown (action = \"error\")".into(),
            ));
        }
        if view.action == "timeout" {
            return Step::Go(Choice::Error(
                ErrorType::TimeLimitExceeded,
                "the customer did not answer the view in time".into(),
            ));
        }
        self.set_namespace(
            "Views",
            json!({"Action": view.action, "ViewResultData": view.data}),
        );
        let why = format!("the customer chose {}", view.action);
        self.match_conditions_result(flow, idx, &view.action, why)
    }

    pub(super) fn authenticate(&mut self, flow: &Arc<Flow>, idx: BlockIdx) -> Step {
        if !self.channel_is(&["CHAT"]) {
            return self.wrong_channel("AuthenticateParticipant", "CHAT");
        }
        let outcome = match self.config.env.authentication.clone() {
            Some(o) => o,
            None => {
                if let Err(stop) = self.defaulted(idx, "authentication", "timeout", |_| {
                    ["success", "opted_out", "error"]
                        .into_iter()
                        .map(|a| env_choice(a, json!({ "authentication": a })))
                        .collect()
                }) {
                    return stop;
                }
                "timeout".into()
            }
        };
        match outcome.as_str() {
            "success" => Step::Go(Choice::Next("the customer signed in".into())),
            "opted_out" => {
                self.match_conditions_result(flow, idx, "OptedOut", "the customer opted out".into())
            }
            "timeout" => Step::Go(Choice::Error(
                ErrorType::TimeLimitExceeded,
                "the customer did not sign in in time".into(),
            )),
            other => Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("sign-in failed ({other})"),
            )),
        }
    }

    pub(super) fn agentic_cx(&mut self) -> Step {
        Step::Go(Choice::Error(
            ErrorType::NoMatchingError,
            "an AI agent session needs an AI agent; flowsim takes the error branch".into(),
        ))
    }

    // ---- customer profiles --------------------------------------------------------

    /// Every customer-profile block fails without a Customer Profiles domain.
    fn profiles_domain(&self) -> Result<(), Step> {
        if self.config.env.customer_profiles == Some(false) {
            Err(Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "the instance has no Customer Profiles domain (customer_profiles = false)".into(),
            )))
        } else {
            Ok(())
        }
    }

    /// CreateCustomerProfile and UpdateCustomerProfile: a store write failure
    /// (`profile_writes_fail`) takes the error branch (actions-environment.md 8.2.2).
    fn profile_write(&self) -> Result<(), Step> {
        if self.config.env.profile_writes_fail == Some(true) {
            Err(Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "the profile store write failed (profile_writes_fail = true)".into(),
            )))
        } else {
            Ok(())
        }
    }

    fn profile_value(p: &Profile) -> Value {
        let mut m = Map::new();
        if let Some(id) = &p.profile_id {
            m.insert("ProfileId".into(), json!(id));
            m.insert(
                "ProfileARN".into(),
                json!(format!(
                    "arn:aws:profile:us-east-1:000000000000:domains/flowsim/profiles/{id}"
                )),
            );
        }
        if let Some(phone) = &p.phone {
            m.insert("PhoneNumber".into(), json!(phone));
        }
        for (k, v) in &p.fields {
            m.insert(k.clone(), json!(v));
        }
        Value::Object(m)
    }

    pub(super) fn get_profile(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if let Err(step) = self.profiles_domain() {
            return step;
        }
        let req = self.param_map(block, idx, "ProfileRequestData");
        let (key, value) = match search_key(&req) {
            Some((key, value)) => (key.to_owned(), value.to_owned()),
            None => ("_phone".to_owned(), self.contact.caller.clone()),
        };
        if value.is_empty() {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("the search value for {key} is empty"),
            ));
        }
        if self.config.env.customers.is_empty()
            && let Err(stop) =
                self.defaulted(idx, "customers (--customer)", "no profile is found", |_| {
                    profile_choices(&key, &value)
                })
        {
            return stop;
        }
        let found: Vec<Profile> = self
            .config
            .env
            .find_profiles(&key, &value)
            .into_iter()
            .cloned()
            .collect();
        match found.as_slice() {
            [] => Step::Go(Choice::Error(
                ErrorType::NoneFoundError,
                format!("no profile has {key} = {value}"),
            )),
            [p] => {
                self.set_namespace("Customer", Self::profile_value(p));
                Step::Go(Choice::Next(format!("profile found by {key}")))
            }
            many => Step::Go(Choice::Error(
                ErrorType::MultipleFoundError,
                format!("{} profiles have {key} = {value}", many.len()),
            )),
        }
    }

    pub(super) fn create_profile(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if let Err(step) = self.profiles_domain() {
            return step;
        }
        if let Err(step) = self.profile_write() {
            return step;
        }
        let req = self.param_map(block, idx, "ProfileRequestData");
        if req.is_empty() {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "CreateCustomerProfile: ProfileRequestData gives no field".into(),
            ));
        }
        let mut p = Profile {
            profile_id: Some(format!("{}-profile", &self.contact.contact_id[..8])),
            ..Profile::default()
        };
        for (k, v) in &req {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            if k == "PhoneNumber" {
                p.phone = Some(v.clone());
            }
            p.fields.insert(k.clone(), v);
        }
        self.set_namespace("Customer", Self::profile_value(&p));
        Step::Go(Choice::Next("profile created".into()))
    }

    /// The profile a block means: its `ProfileRequestData.ProfileId`, else the one in
    /// `$.Customer`; `Err` when there is no id to use.
    fn requested_profile_id(&self, req: &Map<String, Value>) -> Option<String> {
        match req.get("ProfileId") {
            Some(Value::String(id)) => Some(id.clone()),
            _ => self
                .contact
                .namespaces
                .get("Customer")
                .and_then(|c| c.get("ProfileId"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
        .filter(|id| !id.is_empty())
    }

    /// A profile by id: the environment's, else the one this call got or created.
    fn profile_by_id(&self, id: &str) -> Option<Value> {
        if let Some(p) = self.config.env.find_profiles("_profileId", id).first() {
            return Some(Self::profile_value(p));
        }
        self.contact
            .namespaces
            .get("Customer")
            .filter(|c| c.get("ProfileId").and_then(Value::as_str) == Some(id))
            .cloned()
    }

    pub(super) fn update_profile(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if let Err(step) = self.profiles_domain() {
            return step;
        }
        if let Err(step) = self.profile_write() {
            return step;
        }
        let req = self.param_map(block, idx, "ProfileRequestData");
        let Some(id) = self.requested_profile_id(&req) else {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no ProfileId to update (get or create a profile first)".into(),
            ));
        };
        let Some(mut customer) = self.profile_by_id(&id) else {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("no profile {id} to update (customers in --env, or --customer)"),
            ));
        };
        if let Value::Object(m) = &mut customer {
            for (k, v) in req.into_iter().filter(|(k, _)| k != "ProfileId") {
                m.insert(k, v);
            }
        }
        self.set_namespace("Customer", customer);
        Step::Go(Choice::Next("profile updated".into()))
    }

    pub(super) fn associate_profile(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if let Err(step) = self.profiles_domain() {
            return step;
        }
        let req = self.param_map(block, idx, "ProfileRequestData");
        let id = req
            .get("ProfileId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                self.contact
                    .namespaces
                    .get("Customer")
                    .and_then(|c| c.get("ProfileId"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
        match id.filter(|i| !i.is_empty()) {
            Some(id) => {
                self.emit(TraceKind::ContactUpdated {
                    field: "profile associated".into(),
                    value: id,
                });
                Step::Go(Choice::Next("contact associated with the profile".into()))
            }
            None => Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no ProfileId to associate".into(),
            )),
        }
    }

    pub(super) fn get_profile_object(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if let Err(step) = self.profiles_domain() {
            return step;
        }
        let req = self.param_map(block, idx, "ProfileRequestData");
        let kind = req
            .get("ObjectType")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let Some(id) = self.requested_profile_id(&req).filter(|_| !kind.is_empty()) else {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "GetCustomerProfileObject needs a ProfileId and an ObjectType".into(),
            ));
        };
        let object = self
            .config
            .env
            .find_profiles("_profileId", &id)
            .first()
            .and_then(|p| p.objects.get(&kind).cloned());
        let Some(object) = object else {
            if self.config.env.customers.is_empty()
                && let Err(stop) =
                    self.defaulted(idx, "customers[].objects", "the profile has no such object", |_| {
                        vec![env_choice(
                            &format!("profile {id} has a {kind} object"),
                            json!({"customers": [{"profile_id": id, "objects": {kind.as_str(): {"Id": "1"}}}]}),
                        )]
                    })
            {
                return stop;
            }
            return Step::Go(Choice::Error(
                ErrorType::NoneFoundError,
                format!("profile {id} has no {kind} object"),
            ));
        };
        // `_asset` → `$.Customer.Asset`, `_order` → `.Order`, `_case` → `.Case`.
        let key = match kind.strip_prefix('_') {
            Some(k) => {
                let mut c = k.chars();
                c.next().map_or_else(String::new, |f| {
                    f.to_ascii_uppercase().to_string() + c.as_str()
                })
            }
            None => kind.clone(),
        };
        let mut customer = self
            .contact
            .namespaces
            .get("Customer")
            .cloned()
            .unwrap_or_else(|| json!({"ProfileId": id}));
        customer[key.as_str()] = json!(object);
        self.set_namespace("Customer", customer);
        Step::Go(Choice::Next(format!("{kind} object read")))
    }

    pub(super) fn calculated_attributes(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if let Err(step) = self.profiles_domain() {
            return step;
        }
        let req = self.param_map(block, idx, "ProfileRequestData");
        let Some(id) = self.requested_profile_id(&req) else {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no ProfileId to read calculated attributes of".into(),
            ));
        };
        let profile = self
            .config
            .env
            .find_profiles("_profileId", &id)
            .first()
            .map(|p| (*p).clone());
        match profile {
            Some(p) if !p.calculated.is_empty() => {
                let mut customer = Self::profile_value(&p);
                customer["CalculatedAttributes"] = json!(p.calculated);
                self.set_namespace("Customer", customer);
                Step::Go(Choice::Next("calculated attributes read".into()))
            }
            _ => {
                if let Err(stop) = self.defaulted(
                    idx,
                    "customers[].calculated",
                    "no calculated attributes",
                    |_| {
                        vec![env_choice(
                            &format!("profile {id} has calculated attributes"),
                            json!({"customers": [{"profile_id": id,
                                "calculated": {"_average_hold_time": "120"}}]}),
                        )]
                    },
                ) {
                    return stop;
                }
                Step::Go(Choice::Error(
                    ErrorType::NoneFoundError,
                    format!("profile {id} has no calculated attributes"),
                ))
            }
        }
    }

    pub(super) fn segment_membership(&mut self) -> Step {
        Step::Go(Choice::Error(
            ErrorType::NoMatchingError,
            "segment membership is undocumented; flowsim takes the error branch".into(),
        ))
    }

    // ---- cases ----------------------------------------------------------------------

    fn case_value(c: &crate::env::Case) -> Value {
        let mut m = Map::new();
        m.insert("case_id".into(), json!(c.case_id));
        if let Some(cid) = &c.customer_id {
            m.insert("customer_id".into(), json!(cid));
        }
        for (k, v) in &c.fields {
            m.insert(k.clone(), json!(v));
        }
        Value::Object(m)
    }

    /// After a case operation that asked `LinkContactToCase`: `ContactNotLinked` when
    /// the environment says linking fails (the operation itself stands), else `done`.
    fn link_case(&self, block: &Block, done: Step) -> Step {
        let asks = block
            .params
            .get("LinkContactToCase")
            .is_some_and(|v| v == "true" || v == &Value::Bool(true));
        if asks && self.config.env.case_link_fails == Some(true) {
            Step::Go(Choice::Error(
                ErrorType::ContactNotLinked,
                "the case operation succeeded, but linking the contact failed (case_link_fails)"
                    .into(),
            ))
        } else {
            done
        }
    }

    pub(super) fn get_case(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let req = self.param_map(block, idx, "CaseRequestFields");
        // "At least one criterion is required, otherwise the Error branch."
        if req.is_empty() {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "GetCase needs at least one search field (CaseRequestFields)".into(),
            ));
        }
        if self.config.env.cases.is_empty()
            && self.contact.created_cases.is_empty()
            && let Err(stop) = self.defaulted(idx, "cases", "no case is found", |_| {
                let case = |n: u32| {
                    let mut c = Map::new();
                    c.insert("case_id".into(), json!(format!("case-{n}")));
                    let mut fields = Map::new();
                    for (k, v) in &req {
                        let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                        match k.as_str() {
                            "case_id" => c.insert("case_id".into(), json!(v)),
                            "customer_id" => c.insert("customer_id".into(), json!(v)),
                            _ => fields.insert(k.clone(), json!(v)),
                        };
                    }
                    c.insert("fields".into(), Value::Object(fields));
                    Value::Object(c)
                };
                vec![
                    env_choice("a case matches", json!({ "cases": [case(1)] })),
                    env_choice("two cases match", json!({ "cases": [case(1), case(2)] })),
                ]
            })
        {
            return stop;
        }
        let matches = |c: &&crate::env::Case| {
            req.iter().all(|(k, v)| {
                let want = v.as_str().unwrap_or_default();
                match k.as_str() {
                    "case_id" => c.case_id == want,
                    "customer_id" => c.customer_id.as_deref() == Some(want),
                    k => c.fields.get(k).is_some_and(|f| f == want),
                }
            })
        };
        // The environment's cases, then those made during the call (the last
        // updated last).
        let found: Vec<crate::env::Case> = self
            .config
            .env
            .cases
            .iter()
            .chain(&self.contact.created_cases)
            .filter(matches)
            .cloned()
            .collect();
        let last = block
            .params
            .get("GetLastUpdatedCase")
            .and_then(Value::as_str)
            == Some("true");
        match found.as_slice() {
            [] => Step::Go(Choice::Error(
                ErrorType::NoneFound,
                "no case matches".into(),
            )),
            [c] => {
                self.set_namespace("Case", Self::case_value(c));
                self.link_case(block, Step::Go(Choice::Next("case found".into())))
            }
            [.., c] if last => {
                self.set_namespace("Case", Self::case_value(c));
                self.link_case(
                    block,
                    Step::Go(Choice::Next("the last updated case found".into())),
                )
            }
            many => Step::Go(Choice::Error(
                ErrorType::MultipleFound,
                format!("{} cases match", many.len()),
            )),
        }
    }

    pub(super) fn create_case(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let fields = self.param_map(block, idx, "CaseRequestFields");
        let case = crate::env::Case {
            case_id: format!("{}-case", &self.contact.contact_id[..8]),
            customer_id: fields
                .get("customer_id")
                .and_then(Value::as_str)
                .map(str::to_owned),
            fields: fields
                .iter()
                .filter(|(k, _)| k.as_str() != "customer_id")
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect(),
        };
        if case.customer_id.as_deref().is_none_or(str::is_empty) {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "a case needs a customer_id (a customer profile)".into(),
            ));
        }
        self.set_namespace("Case", Self::case_value(&case));
        self.contact.created_cases.push(case);
        self.link_case(block, Step::Go(Choice::Next("case created".into())))
    }

    pub(super) fn update_case(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let id = self.param(block, idx, "CaseId").unwrap_or_default();
        let known = self
            .config
            .env
            .cases
            .iter()
            .chain(&self.contact.created_cases)
            .any(|c| c.case_id == id)
            || self
                .contact
                .namespaces
                .get("Case")
                .and_then(|c| c.get("case_id"))
                .is_some_and(|c| c == id.as_str());
        if id.is_empty() || !known {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("no case \"{id}\" to update (cases in --env, or CreateCase first)"),
            ));
        }
        let fields = self.param_map(block, idx, "CaseRequestFields");
        self.emit(TraceKind::ContactUpdated {
            field: format!("case {id}"),
            value: Value::Object(fields).to_string(),
        });
        self.link_case(block, Step::Go(Choice::Next("case updated".into())))
    }

    // ---- data tables -----------------------------------------------------------------

    /// The rows of the table a block names (`DataTableId`: ARN, id or name), with
    /// its short name; `Err` is the error branch (or a `--strict` stop).
    fn table_rows(
        &mut self,
        block: &Block,
        idx: BlockIdx,
        what: &str,
    ) -> Result<(String, Vec<IndexMap<String, String>>), Step> {
        let id = self.param(block, idx, "DataTableId").unwrap_or_default();
        let short = id.rsplit('/').next().unwrap_or(&id).to_owned();
        let rows = self
            .config
            .env
            .data_tables
            .iter()
            .find(|(k, _)| k.as_str() == id || k.as_str() == short)
            .map(|(_, r)| r.clone());
        match rows {
            Some(rows) => Ok((short, rows)),
            None => {
                self.defaulted(
                    idx,
                    &format!("data_tables.\"{short}\""),
                    "the table does not exist",
                    |_| {
                        vec![env_choice(
                            &format!("the table \"{short}\" exists, with no rows"),
                            json!({ "data_tables": { short.as_str(): [] } }),
                        )]
                    },
                )?;
                Err(Step::Go(Choice::Error(
                    ErrorType::NoMatchingError,
                    format!("{what}: no data table \"{short}\""),
                )))
            }
        }
    }

    /// Read, Evaluate: each query (`QueryName`, `PrimaryValues` matched exactly,
    /// `Attributes` read) gives `$.DataTables.<QueryName>.<attribute>`; a query no
    /// row matches leaves its name empty (reference §8.4).
    pub(super) fn evaluate_data_table(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let (short, rows) = match self.table_rows(block, idx, "EvaluateDataTableValues") {
            Ok(t) => t,
            Err(step) => return step,
        };
        let queries = match block.params.get("Queries") {
            Some(Value::Array(q)) if !q.is_empty() => q.clone(),
            _ => {
                return Step::Go(Choice::Error(
                    ErrorType::NoMatchingError,
                    "EvaluateDataTableValues needs 1 to 5 Queries".into(),
                ));
            }
        };
        let mut out = Map::new();
        let mut matched = 0;
        for q in &queries {
            let q = self.resolve_leaves(idx, q);
            let Some(name) = q.get("QueryName").and_then(Value::as_str) else {
                return Step::Go(Choice::Error(
                    ErrorType::NoMatchingError,
                    "a query has no QueryName".into(),
                ));
            };
            let wants = primary_values(&q, "AttributeName");
            let row = rows.iter().find(|r| {
                wants
                    .iter()
                    .all(|(k, v)| r.get(k).is_some_and(|have| have == v))
            });
            let Some(row) = row else {
                out.insert(name.to_owned(), Value::Object(Map::new()));
                continue;
            };
            matched += 1;
            let attrs: Vec<String> = q
                .get("Attributes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_else(|| row.keys().cloned().collect());
            let values: Map<String, Value> = attrs
                .iter()
                .filter_map(|a| row.get(a).map(|v| (a.clone(), json!(v))))
                .collect();
            out.insert(name.to_owned(), Value::Object(values));
        }
        self.set_namespace("DataTables", Value::Object(out));
        Step::Go(Choice::Next(format!(
            "{matched} of {} queries matched a row of {short}",
            queries.len()
        )))
    }

    /// Read, List: the rows of each primary key group (`PrimaryValues` `{Name,
    /// Value}` matched exactly; no group: the whole table as `default`) in
    /// `$.DataTableList.ResultData` (reference §8.4).
    pub(super) fn list_data_table(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let (short, rows) = match self.table_rows(block, idx, "ListDataTableValues") {
            Ok(t) => t,
            Err(step) => return step,
        };
        let groups: Vec<(String, Vec<(String, String)>)> =
            match block.params.get("PrimaryKeyGroups") {
                Some(Value::Array(g)) if !g.is_empty() => g
                    .iter()
                    .map(|g| self.resolve_leaves(idx, g))
                    .map(|g| {
                        let name = g
                            .get("PrimaryKeyGroupName")
                            .and_then(Value::as_str)
                            .unwrap_or("default")
                            .to_owned();
                        let keys = primary_values(&g, "Name");
                        (name, keys)
                    })
                    .collect(),
                _ => vec![("default".to_owned(), Vec::new())],
            };
        let pair = |k: &str, v: &str| json!({"attributeName": k, "attributeValue": v});
        let mut out = Map::new();
        for (name, keys) in &groups {
            let found: Vec<Value> = rows
                .iter()
                .filter(|r| keys.iter().all(|(k, v)| r.get(k).is_some_and(|h| h == v)))
                .map(|r| {
                    let primary: Vec<Value> = keys.iter().map(|(k, v)| pair(k, v)).collect();
                    let attributes: Vec<Value> = r
                        .iter()
                        .filter(|(k, _)| !keys.iter().any(|(pk, _)| pk == *k))
                        .map(|(k, v)| pair(k, v))
                        .collect();
                    json!({"primaryKeys": primary, "attributes": attributes})
                })
                .collect();
            out.insert(name.clone(), Value::Array(found));
        }
        self.set_namespace(
            "DataTableList",
            json!({"ResultData": {"dataTableId": short, "primaryKeyGroups": out}}),
        );
        Step::Go(Choice::Next(format!(
            "{} groups listed from {short}",
            groups.len()
        )))
    }

    pub(super) fn upsert_data_table(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let id = self.param(block, idx, "DataTableId").unwrap_or_default();
        let short = id.rsplit('/').next().unwrap_or(&id).to_owned();
        if !self
            .config
            .env
            .data_tables
            .keys()
            .any(|k| *k == id || *k == short)
        {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("no data table \"{short}\" (data_tables in --env)"),
            ));
        }
        self.sink(block, idx, "data table written")
    }

    // ---- other channels and side requests ------------------------------------------

    pub(super) fn load_content(&mut self) -> Step {
        if !self.channel_is(&["EMAIL"]) {
            return self.wrong_channel("LoadContactContent", "EMAIL");
        }
        self.set_namespace("Email", json!({"EmailMessage": {"Plaintext": ""}}));
        Step::Go(Choice::Next("email body loaded".into()))
    }

    pub(super) fn persistent_chat(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if !self.channel_is(&["CHAT"]) {
            return self.wrong_channel("CreatePersistentContactAssociation", "CHAT");
        }
        self.sink(block, idx, "persistent chat")
    }

    pub(super) fn render_template(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let kb = self
            .param(block, idx, "WisdomKnowledgeBaseArn")
            .unwrap_or_default();
        let template = self
            .param(block, idx, "WisdomMessageTemplateArn")
            .unwrap_or_default();
        if kb.is_empty() {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no WisdomKnowledgeBaseArn to render from".into(),
            ));
        }
        if template.is_empty() {
            return Step::Go(Choice::Error(
                ErrorType::TemplateRenderingError,
                "no WisdomMessageTemplateArn: there is no template to render".into(),
            ));
        }
        self.sink(block, idx, "message template rendered")
    }

    /// A parameter's text, or a nested object's `key` (`{"Address": …}`), resolved.
    fn param_or_field(&mut self, block: &Block, idx: BlockIdx, param: &str, key: &str) -> String {
        match block.params.get(param) {
            Some(Value::Object(_)) => self
                .param_map(block, idx, param)
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            _ => self.param(block, idx, param).unwrap_or_default(),
        }
    }

    /// Send message (SMS: `DestinationEndpoint.Address`) and Send message (email:
    /// `DestinationEmailAddress.EmailAddress`, required by the service): each needs
    /// its own destination parameter, else `NoMatchingError`.
    pub(super) fn send_to(
        &mut self,
        block: &Block,
        idx: BlockIdx,
        (param, key): (&str, &str),
        what: &str,
    ) -> Step {
        let to = self.param_or_field(block, idx, param, key);
        if to.trim().is_empty() {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("no {param} to send the {what} to"),
            ));
        }
        self.sink(block, idx, what)
    }

    /// Create contact: a contact of a channel Connect has.
    pub(super) fn create_contact(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let channel = self.param(block, idx, "Channel").unwrap_or_default();
        if !crate::env::CHANNELS.contains(&channel.to_ascii_uppercase().as_str()) {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("Channel \"{channel}\" is not VOICE, CHAT, TASK or EMAIL"),
            ));
        }
        self.sink(block, idx, "contact created")
    }

    /// Set recording, analytics and processing behavior (chat processor): chat only.
    pub(super) fn media_processing(&mut self, block: &Block, idx: BlockIdx) -> Step {
        if !block.params.contains_key("ChatProcessor") {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no ChatProcessor to set".into(),
            ));
        }
        if !self.channel_is(&["CHAT"]) {
            return Step::Go(Choice::Error(
                ErrorType::ChannelMismatch,
                format!(
                    "a chat processor is for chat contacts; this contact is {} (--channel)",
                    self.contact.channel
                ),
            ));
        }
        self.sink(block, idx, "media processing")
    }

    /// Set recording, analytics and processing behavior: one of `VoiceBehavior`,
    /// `ChatBehavior`, `ScreenRecordingBehavior`; a behavior for another channel than
    /// the contact's is `ChannelMismatch`; chat analytics can fail its in-flight
    /// redaction (`redaction_fails`).
    pub(super) fn set_analytics(&mut self, block: &Block) -> Step {
        let voice = block.params.contains_key("VoiceBehavior");
        let chat = block.params.contains_key("ChatBehavior");
        if !voice && !chat && !block.params.contains_key("ScreenRecordingBehavior") {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no VoiceBehavior, ChatBehavior or ScreenRecordingBehavior to set".into(),
            ));
        }
        let wants = if voice {
            Some("VOICE")
        } else if chat {
            Some("CHAT")
        } else {
            None
        };
        if let Some(want) = wants
            && !self.channel_is(&[want])
        {
            return Step::Go(Choice::Error(
                ErrorType::ChannelMismatch,
                format!(
                    "a {want} behavior on a {} contact (--channel)",
                    self.contact.channel
                ),
            ));
        }
        if chat && self.config.env.redaction_fails == Some(true) {
            return Step::Go(Choice::Error(
                ErrorType::InFlightRedactionConfigurationFailed,
                "the chat's in-flight redaction could not be configured (redaction_fails)".into(),
            ));
        }
        self.set_recording(block)
    }

    /// A side request with no outcome to choose: recorded in the trace with its
    /// parameters, then `NextAction`.
    pub(super) fn sink(&mut self, block: &Block, idx: BlockIdx, what: &str) -> Step {
        self.record_setting(block, idx, what)
    }
}

/// A data-table block's `PrimaryValues`: (attribute, value) pairs, the attribute
/// under `name_key` (`AttributeName` in Evaluate's queries, `Name` in List's groups).
fn primary_values(v: &Value, name_key: &str) -> Vec<(String, String)> {
    v.get("PrimaryValues")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p.get(name_key)?.as_str()?.to_owned(),
                p.get("Value")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// A name as a `.call` directive quotes it.
fn call_quote(name: &str) -> String {
    format!("\"{}\"", crate::call::escape(name))
}

/// A choice set by an `env {…}` line (the settings with no line of their own).
fn env_choice(label: &str, value: Value) -> OutcomeChoice {
    OutcomeChoice::set(label, format!("env {value}"))
}

/// The results a block's conditions test for, then `others` (each once).
fn operands(block: &Block, others: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in block
        .conditions
        .iter()
        .map(|c| c.operand.clone())
        .chain(others.iter().map(|s| (*s).to_owned()))
    {
        if !o.is_empty() && !out.contains(&o) {
            out.push(o);
        }
    }
    out
}

/// What a metrics block can be asked about a queue the environment does not list:
/// for CheckMetricData, a value that takes each of its conditions and one none
/// takes; then staffing settings any metrics block reads.
fn metric_choices(block: &Block, name: &str) -> Vec<OutcomeChoice> {
    use crate::flow::Operator as Op;
    let n = call_quote(name);
    let mut out = Vec::new();
    let metric = block
        .params
        .get("MetricType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let key = match metric {
        "NumberOfAgentsAvailable" => Some("agents_available"),
        "NumberOfAgentsStaffed" => Some("agents_staffed"),
        "NumberOfAgentsOnline" => Some("agents_online"),
        "NumberOfContactsInQueue" => Some("contacts_in_queue"),
        "OldestContactInQueueAgeSeconds" => Some("oldest_contact_age_secs"),
        _ => None,
    };
    if let (Kind::CheckMetricData, Some(key)) = (&block.kind, key) {
        // The oldest contact's age is compared in milliseconds (reference §3.2).
        let scale = if key == "oldest_contact_age_secs" {
            1000
        } else {
            1
        };
        let mut values: Vec<u64> = Vec::new();
        for c in &block.conditions {
            let Ok(v) = c.operand.trim().parse::<f64>() else {
                continue;
            };
            let v = v.max(0.0);
            let wanted = match c.operator {
                Op::NumberGreaterThan => v.floor() + 1.0,
                Op::NumberLessThan => (v.ceil() - 1.0).max(0.0),
                _ => v.ceil(),
            };
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let value = (wanted as u64).div_ceil(scale);
            if !values.contains(&value) {
                values.push(value);
            }
        }
        if !values.contains(&0) {
            values.push(0);
        }
        for v in values {
            out.push(OutcomeChoice::set(
                format!("{metric} {}", v * scale),
                format!("queue {n} {key} {v}"),
            ));
        }
    }
    out.push(OutcomeChoice::set(
        "no agent online",
        format!("queue {n} agents_online 0 agents_available 0 agents_staffed 0"),
    ));
    out.push(OutcomeChoice::set(
        "2 agents online, none available, 3 contacts waiting",
        format!(
            "queue {n} agents_online 2 agents_available 0 agents_staffed 2 contacts_in_queue 3"
        ),
    ));
    out.push(OutcomeChoice::set(
        "2 agents online and available",
        format!("queue {n} agents_online 2 agents_available 2 agents_staffed 2"),
    ));
    out
}

/// The identifier a GetCustomerProfile searches by: `IdentifierName` and
/// `IdentifierValue` (the page's misspelt `IdentiferValue` too), else the legacy
/// form's `PhoneNumber` (`_phone`) or `EmailAddress` (`_email`) with its value
/// (actions-environment.md 8.2.1). `None`: the request names no identifier.
fn search_key(req: &Map<String, Value>) -> Option<(&str, &str)> {
    let text = |k: &str| req.get(k).and_then(Value::as_str);
    if let Some(name) = text("IdentifierName") {
        let value = text("IdentifierValue")
            .or_else(|| text("IdentiferValue"))
            .unwrap_or_default();
        return Some((name, value));
    }
    [("PhoneNumber", "_phone"), ("EmailAddress", "_email")]
        .into_iter()
        .find_map(|(legacy, name)| text(legacy).map(|v| (name, v)))
}

/// A profile search nobody set up: one profile found by the block's identifier, or
/// two.
fn profile_choices(key: &str, value: &str) -> Vec<OutcomeChoice> {
    let found = if matches!(key, "_phone" | "PhoneNumber") {
        let number = if value.contains(char::is_whitespace) || value.is_empty() {
            call_quote(value)
        } else {
            value.to_owned()
        };
        OutcomeChoice::set(
            format!("a profile is found by {value}"),
            format!("customer {number} FirstName=Ana"),
        )
    } else {
        env_choice(
            &format!("a profile is found by {key} = {value}"),
            json!({"customers": [{"profile_id": "profile-1",
                "fields": {key: value, "FirstName": "Ana"}}]}),
        )
    };
    let profile = |id: &str, first: &str| {
        if matches!(key, "_phone" | "PhoneNumber") {
            json!({"phone": value, "profile_id": id, "fields": {"FirstName": first}})
        } else {
            json!({"profile_id": id, "fields": {key: value, "FirstName": first}})
        }
    };
    vec![
        found,
        env_choice(
            &format!("two profiles have {key} = {value}"),
            json!({"customers": [profile("profile-1", "Ana"), profile("profile-2", "Ben")]}),
        ),
    ]
}

/// What TransferContactToQueue can be asked about a queue the environment does not
/// list.
pub(super) fn queue_choices(name: &str) -> Vec<OutcomeChoice> {
    let n = call_quote(name);
    vec![
        OutcomeChoice::set(
            "3 contacts ahead: an agent answers after 2 min",
            format!("queue {n} contacts_in_queue 3"),
        ),
        OutcomeChoice::set(
            "an agent answers after 10 min",
            format!("queue {n} answer_after 10m"),
        ),
        OutcomeChoice::set(
            "no agent online: nobody answers",
            format!("queue {n} agents_online 0 agents_available 0 agents_staffed 0"),
        ),
        OutcomeChoice::set(
            "the queue is at capacity",
            format!("queue {n} at_capacity true"),
        ),
    ]
}

/// `m[key]`'s members, taken out to be updated (none when missing or not an object);
/// inserting it back under the same key keeps its place.
fn take_object(m: &mut Map<String, Value>, key: &str) -> Map<String, Value> {
    match m.get_mut(key) {
        Some(Value::Object(o)) => std::mem::take(o),
        _ => Map::new(),
    }
}

/// `m[key] = text`, reusing the string already there.
fn put_text(m: &mut Map<String, Value>, key: &str, text: &str) {
    match m.get_mut(key) {
        Some(Value::String(s)) => {
            if s != text {
                text.clone_into(s);
            }
        }
        _ => {
            m.insert(key.to_owned(), Value::String(text.to_owned()));
        }
    }
}

/// `m[key] = "N"`: Connect's metrics are numbers as text.
fn put_count(m: &mut Map<String, Value>, key: &str, n: u32) {
    use std::fmt::Write as _;
    match m.get_mut(key) {
        Some(Value::String(s)) => {
            s.clear();
            let _ = write!(s, "{n}");
        }
        _ => {
            m.insert(key.to_owned(), Value::String(n.to_string()));
        }
    }
}
