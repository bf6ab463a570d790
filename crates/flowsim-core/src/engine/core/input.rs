//! Caller input: Get / Store customer input (keys, timeouts, type-ahead) and Lex bots.

use super::*;

impl Engine {
    pub(super) fn get_input(
        &mut self,
        idx: BlockIdx,
        prompt: Option<&Prompt>,
        timeout_secs: u32,
        store: bool,
    ) -> Step {
        if let Err(e) = self.play(idx, prompt) {
            return Step::Go(Choice::Error(ErrorType::NoMatchingError, e));
        }
        let deadline = self.now.plus_secs(timeout_secs);
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
        // Keys typed ahead answer at once.
        while matches!(self.wait, Wait::Menu { .. } | Wait::Store { .. }) {
            let Some(k) = self.typeahead.pop_front() else {
                break;
            };
            self.key(k);
        }
        if matches!(self.wait, Wait::None) {
            // The type-ahead finished the input and the call moved on.
            return Step::Jumped;
        }
        Step::Wait
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
            Wait::None | Wait::Lambda { .. } => self.typeahead.push_back(key),
            // A chat Wait: keys mean nothing there.
            Wait::Timer { .. } => {}
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
                self.resume(
                    idx,
                    Choice::Error(
                        ErrorType::InputTimeLimitExceeded,
                        "the caller said nothing".into(),
                    ),
                );
            }
            Wait::None | Wait::Lambda { .. } | Wait::Timer { .. } => {}
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
        let choice = match validation {
            Some(Validation::Phone { format, country }) => {
                match validate_phone(&typed, *format, country.as_deref()) {
                    Some(e164) => {
                        let why = format!("\"{typed}\" is a valid phone number: stored {e164}");
                        self.store(idx, e164);
                        Choice::Next(why)
                    }
                    None => Choice::Error(
                        ErrorType::InvalidPhoneNumber,
                        format!(
                            "\"{typed}\" is not a valid {} phone number",
                            match format {
                                PhoneFormat::Local => country.as_deref().unwrap_or("US"),
                                PhoneFormat::E164 => "E.164",
                            }
                        ),
                    ),
                }
            }
            _ => {
                let value = if *encrypted {
                    format!("<encrypted {} digits>", typed.len())
                } else {
                    typed.clone()
                };
                self.store(idx, value);
                Choice::Next(format!("stored \"{typed}\""))
            }
        };
        self.resume(idx, choice);
    }

    pub(super) fn lex_intent(&mut self, idx: BlockIdx, intent: String) {
        self.contact.lex_intent = Some(intent.clone());
        let flow = self.flow().clone();
        let b = &flow.blocks[idx];
        let choice = match b
            .conditions
            .iter()
            .position(|c| c.operator.eval(&intent, &c.operand))
        {
            Some(i) => Choice::Cond(i, format!("intent {intent}")),
            None => Choice::NoMatch(format!("intent {intent} matches no condition")),
        };
        self.resume(idx, choice);
    }
}
