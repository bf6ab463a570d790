//! Caller input: Get / Store customer input (keys, timeouts, type-ahead) and Lex bots.

use super::*;

/// The touchtone buffer holds up to 30 characters (adminguide touchtone-buffering).
pub const TOUCHTONE_BUFFER: usize = 30;

/// How long a live bot (`aws`) gets to answer one turn before the block takes its
/// error branch (Connect documents no figure; RecognizeText answers in well under
/// a second).
pub const LEX_LIVE_LIMIT_SECS: u64 = 10;

impl Engine {
    /// Get / Store customer input. The prompt plays (a key barges in on it), then
    /// the input timer runs. With touchtone buffering on and digits in the buffer,
    /// the block takes them at once and the prompt is not played
    /// (adminguide set-touchtone-buffer-behavior).
    pub(super) fn get_input(
        &mut self,
        idx: BlockIdx,
        prompt: Option<&Prompt>,
        timeout_secs: u32,
        store: bool,
    ) -> Step {
        let buffered = self.buffering && !self.typeahead.is_empty();
        let from = if buffered {
            self.now
        } else {
            if let Err(e) = self.play(idx, prompt) {
                return Step::Go(Choice::Error(ErrorType::NoMatchingError, e));
            }
            self.now.max(self.playing_until)
        };
        let deadline = from.plus_secs(timeout_secs);
        self.lambda_sequence = 0;
        self.emit(TraceKind::InputRequested {
            block: self.block_ref(idx),
            mode: if store {
                InputMode::Store
            } else {
                InputMode::Menu
            },
            timeout_ms: u64::from(timeout_secs) * 1000,
        });
        self.wait = if store {
            Wait::Store {
                block: idx,
                digits: String::new(),
                deadline,
                typed_any: false,
            }
        } else {
            Wait::Menu {
                block: idx,
                deadline,
            }
        };
        // Buffered keys answer at once.
        while matches!(self.wait, Wait::Menu { .. } | Wait::Store { .. }) {
            let Some(k) = self.typeahead.pop_front() else {
                break;
            };
            self.emit(TraceKind::KeyUsed {
                block: self.block_ref(idx),
                key: k,
            });
            self.key(k);
        }
        if matches!(self.wait, Wait::None) {
            // The buffer finished the input and the call moved on.
            return Step::Jumped;
        }
        Step::Wait
    }

    /// Set Touchtone Buffer Behavior: a GetParticipantInput with `EnableDTMFBuffer`.
    /// `True` starts buffering; `False` is Stop and Clear (with `StoreInput`, the
    /// buffer is stored first, encrypted with `InputEncryption`). Voice only: other
    /// channels take the error branch.
    pub(super) fn buffer_behavior(&mut self, block: &Block, idx: BlockIdx) -> Step {
        let flag = |name: &str| {
            block.params.get(name).is_some_and(|v| match v {
                Value::Bool(b) => *b,
                Value::String(s) => s.eq_ignore_ascii_case("true"),
                _ => false,
            })
        };
        if self.contact.channel != "VOICE" {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!(
                    "touchtone buffering is for voice contacts, not {}",
                    self.contact.channel
                ),
            ));
        }
        if flag("EnableDTMFBuffer") {
            self.buffering = true;
            self.emit(TraceKind::ContactUpdated {
                field: "touchtone buffering".into(),
                value: "on (up to 30 keys kept for the next input block)".into(),
            });
            return Step::Go(Choice::Next("touchtone buffering on".into()));
        }
        let held: String = self.typeahead.iter().collect();
        let why = if flag("StoreInput") {
            let value = if block.params.contains_key("InputEncryption") {
                format!("<encrypted {} digits>", held.len())
            } else {
                held.clone()
            };
            self.store(idx, value);
            self.typeahead.clear();
            "touchtone buffering stopped; the buffer was stored and cleared".to_owned()
        } else {
            self.clear_buffer(idx, "Stop and Clear empties the touchtone buffer");
            "touchtone buffering stopped and the buffer cleared".to_owned()
        };
        self.buffering = false;
        self.emit(TraceKind::ContactUpdated {
            field: "touchtone buffering".into(),
            value: "off".into(),
        });
        Step::Go(Choice::Next(why))
    }

    /// Empty the touchtone buffer, each key dropped with `why`.
    pub(super) fn clear_buffer(&mut self, _idx: BlockIdx, why: &str) {
        while let Some(key) = self.typeahead.pop_front() {
            self.emit(TraceKind::KeyDropped {
                key,
                reason: why.into(),
            });
        }
    }

    /// A key no input block is waiting for: into the buffer when buffering is on,
    /// else dropped, as Connect drops it.
    fn key_outside_input(&mut self, key: char, during: &str) -> bool {
        if !self.buffering {
            self.emit(TraceKind::KeyDropped {
                key,
                reason: format!(
                    "pressed {during}: Connect does not capture it without touchtone \
                     buffering (Set Touchtone Buffer Behavior)"
                ),
            });
            return false;
        }
        if self.typeahead.len() >= TOUCHTONE_BUFFER {
            self.emit(TraceKind::KeyDropped {
                key,
                reason: format!("the touchtone buffer is full ({TOUCHTONE_BUFFER} keys)"),
            });
            return false;
        }
        self.typeahead.push_back(key);
        self.emit(TraceKind::KeyBuffered {
            key,
            buffer: self.typeahead.iter().collect(),
        });
        true
    }

    pub(super) fn lex_bot(&mut self, idx: BlockIdx, prompt: Option<&Prompt>, bot: &str) -> Step {
        if let Err(e) = self.play(idx, prompt) {
            return Step::Go(Choice::Error(ErrorType::NoMatchingError, e));
        }
        self.emit(TraceKind::InputRequested {
            block: self.block_ref(idx),
            mode: InputMode::Lex,
            timeout_ms: 5000,
        });
        let _ = bot;
        self.wait = Wait::Lex {
            block: idx,
            deadline: self.now.plus_secs(5),
        };
        Step::Wait
    }

    pub(super) fn key(&mut self, key: char) {
        if matches!(
            self.wait,
            Wait::Menu { .. } | Wait::Store { .. } | Wait::Lex { .. }
        ) {
            // A key barges in: the input block's prompt stops.
            self.playing_until = self.playing_until.min(self.now);
        }
        match &mut self.wait {
            Wait::Menu { block, .. } => {
                let idx = *block;
                let flow = self.flow().clone();
                let b = &flow.blocks[idx];
                let k = key.to_string();
                let choice = match b
                    .conditions
                    .iter()
                    .position(|c| c.operator.eval(&k, &c.operand))
                {
                    Some(i) => Choice::Cond(i, format!("caller pressed {key}")),
                    None => {
                        Choice::NoMatch(format!("caller pressed {key}, which no condition expects"))
                    }
                };
                self.resume(idx, choice);
            }
            Wait::Store { block, .. } => {
                let idx = *block;
                let flow = self.flow().clone();
                let Kind::GetParticipantInput {
                    terminator,
                    cancel_disabled,
                    interdigit_secs,
                    validation,
                    ..
                } = &flow.blocks[idx].kind
                else {
                    unreachable!("store waits come from GetParticipantInput");
                };
                let max = match validation {
                    Some(Validation::Custom {
                        max_length: Some(m),
                    }) => Some(*m as usize),
                    _ => None,
                };
                let next_deadline = self.now.plus_secs(*interdigit_secs);
                let Wait::Store {
                    digits,
                    deadline,
                    typed_any,
                    ..
                } = &mut self.wait
                else {
                    unreachable!("matched above");
                };
                *typed_any = true;
                if key == '*' && !*cancel_disabled {
                    digits.clear();
                } else {
                    digits.push(key);
                }
                *deadline = next_deadline;
                if digits.ends_with(terminator.as_str()) {
                    let value = digits[..digits.len() - terminator.len()].to_owned();
                    self.finish_store(idx, value);
                } else if max.is_some_and(|m| digits.len() >= m) {
                    let value = digits.clone();
                    self.finish_store(idx, value);
                }
            }
            Wait::Lex { block, .. } => {
                let idx = *block;
                self.lex_intent(idx, key.to_string());
            }
            // The bot is still answering the last turn.
            Wait::LexBot { .. } => {
                self.key_outside_input(key, "while the Lex bot answers");
            }
            Wait::Prompt { block, .. } => {
                let idx = *block;
                let flow = self.flow().clone();
                let buffered = self.key_outside_input(key, "during a Play prompt");
                // "If the customer presses a key during the prompt, it interrupts the
                // prompt and adds the digit to the buffer."
                if buffered && prompt::skip_when_buffered(&flow.blocks[idx]) {
                    self.prompt_done(idx, "prompt interrupted by a key (touchtone buffering)");
                }
            }
            // A Wait block is no input block either.
            Wait::None
            | Wait::Lambda { .. }
            | Wait::Timer { .. }
            | Wait::Loop { .. }
            | Wait::InQueue
            | Wait::Outcome { .. } => {
                self.key_outside_input(key, "while no input block waits");
            }
        }
    }

    pub(super) fn timeout_input(&mut self) {
        match &self.wait {
            Wait::Menu { block, .. } => {
                let idx = *block;
                let secs = self.input_timeout(idx);
                self.resume(
                    idx,
                    Choice::Error(
                        ErrorType::InputTimeLimitExceeded,
                        format!("no key within {secs} s"),
                    ),
                );
            }
            Wait::Store {
                block,
                digits,
                typed_any,
                ..
            } => {
                let idx = *block;
                if *typed_any {
                    let value = digits.clone();
                    self.finish_store(idx, value);
                } else {
                    let flow = self.flow().clone();
                    let secs = self.input_timeout(idx);
                    if flow.blocks[idx]
                        .error_target(ErrorType::InputTimeLimitExceeded)
                        .is_some()
                    {
                        self.resume(
                            idx,
                            Choice::Error(
                                ErrorType::InputTimeLimitExceeded,
                                format!("no digits within {secs} s"),
                            ),
                        );
                    } else {
                        self.store(idx, "Timeout".into());
                        self.resume(
                            idx,
                            Choice::Next(format!("no digits within {secs} s: stored \"Timeout\"")),
                        );
                    }
                }
            }
            Wait::Lex { block, .. } => {
                let idx = *block;
                self.lex_elicit = None;
                self.resume(
                    idx,
                    Choice::Error(
                        ErrorType::InputTimeLimitExceeded,
                        "the caller said nothing".into(),
                    ),
                );
            }
            Wait::None
            | Wait::Prompt { .. }
            | Wait::Lambda { .. }
            | Wait::LexBot { .. }
            | Wait::Timer { .. }
            | Wait::Loop { .. }
            | Wait::InQueue
            | Wait::Outcome { .. } => {}
        }
    }

    pub(super) fn input_timeout(&self, idx: BlockIdx) -> u32 {
        match &self.flow().blocks[idx].kind {
            Kind::GetParticipantInput { timeout_secs, .. } => *timeout_secs,
            _ => 5,
        }
    }

    pub(super) fn store(&mut self, idx: BlockIdx, value: String) {
        self.emit(TraceKind::InputStored {
            block: self.block_ref(idx),
            value: value.clone(),
        });
        self.contact.stored_input = Some(value);
    }

    pub(super) fn finish_store(&mut self, idx: BlockIdx, typed: String) {
        let flow = self.flow().clone();
        let Kind::GetParticipantInput {
            validation,
            encrypted,
            ..
        } = &flow.blocks[idx].kind
        else {
            unreachable!("store waits come from GetParticipantInput");
        };
        let encrypted = *encrypted;
        // What the trace may show of the typed value.
        let shown = if encrypted {
            format!("<encrypted {} digits>", typed.len())
        } else {
            format!("\"{typed}\"")
        };
        let choice = match validation {
            Some(Validation::Phone { format, country }) => {
                let plan = crate::phone::Plan::of(*format, country.as_deref());
                match crate::phone::stored_input(&typed, plan) {
                    Ok(e164) => {
                        let (why, value) = if encrypted {
                            (
                                format!("{shown} is a valid phone number: stored encrypted"),
                                shown.clone(),
                            )
                        } else {
                            (
                                format!("{shown} is a valid phone number: stored {e164}"),
                                e164,
                            )
                        };
                        self.store(idx, value);
                        Choice::Next(why)
                    }
                    Err(why) => {
                        Choice::Error(ErrorType::InvalidPhoneNumber, format!("{shown}: {why}"))
                    }
                }
            }
            _ => {
                let value = if encrypted {
                    shown.clone()
                } else {
                    typed.clone()
                };
                self.store(idx, value);
                Choice::Next(format!("stored {shown}"))
            }
        };
        self.resume(idx, choice);
    }

    /// An utterance (or a key) at a Lex block: the bot the environment maps it to
    /// understands it, asks for a missing required slot, or the intent is done and
    /// picks the branch.
    pub(super) fn lex_intent(&mut self, idx: BlockIdx, utterance: String) {
        let flow = self.flow().clone();
        let block = &flow.blocks[idx];
        let bot = match &block.kind {
            Kind::ConnectParticipantWithLexBot { bot, .. } => self.text_value(idx, bot),
            _ => String::new(),
        };
        let env = self.config.env.clone();
        // Session attributes a canned bot returns, over the block's own.
        let mut returned = IndexMap::new();
        let recognition = match env.bot_for(&bot) {
            None => {
                match self.defaulted(
                    idx,
                    &format!("a bot for \"{bot}\" (--lex PATTERN=intent:NAME or file:EXPORT)"),
                    &format!("the utterance names the intent ({utterance})"),
                    |_| {
                        block
                            .conditions
                            .iter()
                            .map(|c| {
                                OutcomeChoice::set(
                                    format!("the bot understands {}", c.operand),
                                    format!("lex {bot} = intent:{}", c.operand),
                                )
                            })
                            .collect()
                    },
                ) {
                    Err(Step::End(reason)) => {
                        self.wait = Wait::None;
                        self.end(reason);
                        return;
                    }
                    // The question is open: the utterance is heard again once answered.
                    Err(_) => {
                        if let Wait::Outcome { utterance: u, .. } = &mut self.wait {
                            *u = Some(utterance);
                        }
                        return;
                    }
                    Ok(()) => {}
                }
                // `intent:NAME,slot=v,session.KEY=v` says what a canned bot would.
                let answer = utterance
                    .trim()
                    .starts_with("intent:")
                    .then(|| LexBackend::canned(&utterance).ok())
                    .flatten()
                    .unwrap_or_else(|| crate::env::CannedAnswer {
                        intent: utterance.clone(),
                        ..Default::default()
                    });
                canned_recognition(answer, &mut returned)
            }
            Some((pattern, LexBackend::Canned(answers))) => {
                let n = self.lex_turns.entry(pattern.to_owned()).or_insert(0);
                let answer = answers[(*n).min(answers.len() - 1)].clone();
                *n += 1;
                canned_recognition(answer, &mut returned)
            }
            Some((_, LexBackend::Failing)) => {
                self.lex_elicit = None;
                self.resume(
                    idx,
                    Choice::Error(
                        ErrorType::NoMatchingError,
                        format!("the bot \"{bot}\" failed (lex = error)"),
                    ),
                );
                return;
            }
            Some((_, LexBackend::Live { alias_arn })) => {
                let alias_arn = alias_arn.clone().unwrap_or_else(|| bot.clone());
                self.lex_ask_bot(idx, bot, alias_arn, utterance);
                return;
            }
            Some((_, LexBackend::Offline(model))) => {
                let mut r = match self.lex_elicit.take() {
                    // The answer to a slot the bot asked for.
                    Some((mut r, slot)) => {
                        let ty = model
                            .intents
                            .iter()
                            .find(|i| i.name == r.intent)
                            .and_then(|i| i.slots.iter().find(|s| s.name == slot))
                            .map_or("AMAZON.AlphaNumeric".to_owned(), |s| s.slot_type.clone());
                        if let Some(v) = model.resolve_slot(&ty, &utterance) {
                            r.slots.insert(slot, v);
                        }
                        r
                    }
                    None => model.recognize(&utterance),
                };
                let missing = model
                    .intents
                    .iter()
                    .find(|i| i.name == r.intent)
                    .and_then(|i| {
                        i.slots
                            .iter()
                            .find(|s| s.required && !r.slots.contains_key(&s.name))
                    })
                    .cloned();
                if let Some(slot) = missing {
                    self.emit_recognized(idx, &bot, &utterance, &r);
                    let prompt = slot
                        .prompt
                        .clone()
                        .unwrap_or_else(|| format!("What is the {}?", slot.name));
                    r.alternatives.clear();
                    self.lex_elicit = Some((r, slot.name));
                    self.lex_ask(idx, prompt);
                    return;
                }
                r
            }
        };
        self.emit_recognized(idx, &bot, &utterance, &recognition);
        let mut session = self.lex_block_session(idx);
        session.extend(returned);
        let session = Value::Object(
            session
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        );
        self.lex_branch(idx, &recognition, session, "Fulfilled", None);
    }

    /// The bot asks for a slot: its prompt is spoken and the block listens again.
    fn lex_ask(&mut self, idx: BlockIdx, prompt: String) {
        let _ = self.play(idx, Some(&Prompt::Text(prompt)));
        self.emit(TraceKind::InputRequested {
            block: self.block_ref(idx),
            mode: InputMode::Lex,
            timeout_ms: 5000,
        });
        self.wait = Wait::Lex {
            block: idx,
            deadline: self.now.plus_secs(5),
        };
    }

    /// The block's `LexSessionAttributes`, references resolved, as strings.
    fn lex_block_session(&mut self, idx: BlockIdx) -> IndexMap<String, String> {
        let flow = self.flow().clone();
        match flow.blocks[idx].params.get("LexSessionAttributes") {
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    let v = match self.resolve_leaves(idx, v) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect(),
            _ => IndexMap::new(),
        }
    }

    /// Set `$.Lex` from what the bot understood and take the intent's branch.
    fn lex_branch(
        &mut self,
        idx: BlockIdx,
        recognition: &crate::lex::Recognition,
        session: Value,
        dialog_state: &str,
        sentiment: Option<&(String, [f64; 4])>,
    ) {
        let flow = self.flow().clone();
        let block = &flow.blocks[idx];
        let intent = recognition.intent.clone();
        let mut lex = serde_json::json!({
            "IntentName": intent,
            "IntentConfidence": {"Score": recognition.confidence.to_string()},
            "Slots": recognition.slots,
            "SessionAttributes": session,
            "DialogState": dialog_state,
            "AlternateIntents": recognition.alternatives.iter().map(|(n, s)| {
                (n.clone(), serde_json::json!({"IntentName": n, "IntentConfidence": {"Score": s.to_string()}}))
            }).collect::<serde_json::Map<String, Value>>(),
        });
        if let Some((label, [pos, neg, neu, mixed])) = sentiment {
            lex["SentimentResponse"] = serde_json::json!({
                "Label": label,
                "Scores": {
                    "Positive": pos.to_string(),
                    "Negative": neg.to_string(),
                    "Neutral": neu.to_string(),
                    "Mixed": mixed.to_string(),
                },
            });
        }
        self.contact.namespaces.insert("Lex".into(), lex);
        let choice = match block
            .conditions
            .iter()
            .position(|c| c.operator.eval(&intent, &c.operand))
        {
            Some(i) => Choice::Cond(i, format!("intent {intent}")),
            None => Choice::NoMatch(format!("intent {intent} matches no condition")),
        };
        self.resume(idx, choice);
    }

    /// A live bot (`aws`): ask the driver to send the turn, and wait for its answer.
    fn lex_ask_bot(&mut self, idx: BlockIdx, bot: String, alias_arn: String, utterance: String) {
        let mut session = self.lex_block_session(idx);
        for (k, v) in &self.lex_session {
            session.insert(k.clone(), v.clone());
        }
        let mut request_attributes = IndexMap::new();
        request_attributes.insert(
            "x-amz-lex:channels:platform".to_owned(),
            "Connect".to_owned(),
        );
        if !utterance.is_empty()
            && utterance
                .chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
        {
            request_attributes.insert("x-amz-lex:dtmf-transcript".to_owned(), utterance.clone());
        }
        let locale_id = match self.contact.language.as_str() {
            "" => "en_US".to_owned(),
            l => l.replace('-', "_"),
        };
        let call = self.next_call;
        self.next_call += 1;
        self.out.push(Effect::RecognizeText(LexCall {
            call,
            request: LexRequest {
                alias_arn,
                locale_id,
                session_id: self.contact.contact_id.clone(),
                text: utterance.clone(),
                session_attributes: session,
                request_attributes,
                time_limit: Duration::from_secs(LEX_LIVE_LIMIT_SECS),
            },
        }));
        self.wait = Wait::LexBot {
            block: idx,
            call,
            bot,
            utterance,
            deadline: self.now.plus_secs(LEX_LIVE_LIMIT_SECS as u32),
        };
    }

    /// A live bot answered: ask for the slot it elicits, or take the intent's branch.
    pub(super) fn lex_done(&mut self, call: u64, outcome: LexOutcome) {
        let Wait::LexBot {
            block,
            call: waited,
            bot,
            utterance,
            ..
        } = &self.wait
        else {
            return;
        };
        if *waited != call {
            return;
        }
        let (idx, bot, utterance) = (*block, bot.clone(), utterance.clone());
        self.wait = Wait::None;
        let answer = match outcome {
            LexOutcome::Failed { cause } => {
                self.lex_session.clear();
                self.resume(
                    idx,
                    Choice::Error(
                        ErrorType::NoMatchingError,
                        format!("the bot \"{bot}\" failed: {cause}"),
                    ),
                );
                return;
            }
            LexOutcome::Answer(a) => a,
        };
        self.lex_session = answer.session_attributes.clone();
        self.emit_recognized(idx, &bot, &utterance, &answer.recognition);
        if let Some(slot) = &answer.elicit {
            let prompt = answer
                .message
                .clone()
                .unwrap_or_else(|| format!("What is the {slot}?"));
            self.lex_ask(idx, prompt);
            return;
        }
        if let Some(m) = &answer.message {
            let _ = self.play(idx, Some(&Prompt::Text(m.clone())));
        }
        let session = Value::Object(
            std::mem::take(&mut self.lex_session)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        );
        // "'Fulfilled' if an intent was returned to the flow" (reference lex.md §2).
        let state = match answer.intent_state.as_deref() {
            Some("Failed") => "Failed",
            _ => "Fulfilled",
        };
        self.lex_branch(
            idx,
            &answer.recognition,
            session,
            state,
            answer.sentiment.as_ref(),
        );
    }

    /// A live bot did not answer within [`LEX_LIVE_LIMIT_SECS`].
    pub(super) fn lex_timeout(&mut self) {
        if let Wait::LexBot { block, bot, .. } = &self.wait {
            let (idx, bot) = (*block, bot.clone());
            self.wait = Wait::None;
            self.lex_session.clear();
            self.resume(
                idx,
                Choice::Error(
                    ErrorType::NoMatchingError,
                    format!("the bot \"{bot}\" did not answer within {LEX_LIVE_LIMIT_SECS} s"),
                ),
            );
        }
    }

    fn emit_recognized(
        &mut self,
        idx: BlockIdx,
        bot: &str,
        utterance: &str,
        r: &crate::lex::Recognition,
    ) {
        self.emit(TraceKind::LexRecognized {
            block: self.block_ref(idx),
            bot: bot.to_owned(),
            utterance: utterance.to_owned(),
            intent: r.intent.clone(),
            confidence: r.confidence,
            slots: r.slots.clone(),
            alternatives: r.alternatives.clone(),
        });
    }
}

/// A canned answer as the bot's recognition; its session attributes go to `returned`.
fn canned_recognition(
    answer: crate::env::CannedAnswer,
    returned: &mut IndexMap<String, String>,
) -> crate::lex::Recognition {
    *returned = answer.session;
    crate::lex::Recognition {
        intent: answer.intent,
        confidence: 1.0,
        slots: answer.slots,
        alternatives: Vec::new(),
    }
}
