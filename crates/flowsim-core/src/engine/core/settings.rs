//! Contact settings: attributes, voice, recording, logging, contact data, the working queue, recorded side requests.

use super::*;

impl Engine {
    pub(super) fn set_voice(
        &mut self,
        idx: BlockIdx,
        voice: Option<&str>,
        engine: Option<&str>,
        style: Option<&str>,
    ) -> Step {
        // "Results in error if voice or engine are invalid"
        // (APIReference contact-actions-updatecontacttexttospeechvoice).
        let name = voice.map(|v| self.text_value(idx, v));
        let engine_name = engine.map(|e| self.text_value(idx, e));
        // A third-party engine (`deepgram:aura-2`): its voices are its own.
        if let Some(e) = engine_name.as_deref().filter(|e| e.contains(':')) {
            if let Some(n) = name {
                self.contact.voice = n;
            }
            self.emit(TraceKind::ContactUpdated {
                field: "voice".into(),
                value: format!("{} ({e})", self.contact.voice),
            });
            return Step::Go(Choice::Next("voice set (a third-party engine)".into()));
        }
        let found = match &name {
            Some(n) => match super::super::voices::voice(n) {
                Some(v) => Some(v),
                None => {
                    return Step::Go(Choice::Error(
                        ErrorType::NoMatchingError,
                        format!("\"{n}\" is not an Amazon Polly voice"),
                    ));
                }
            },
            None => None,
        };
        if let Some(e) = &engine_name {
            match super::super::voices::engine(e) {
                None => {
                    return Step::Go(Choice::Error(
                        ErrorType::NoMatchingError,
                        format!(
                            "\"{e}\" is not an Amazon Polly engine (standard, neural, long-form, \
                             generative)"
                        ),
                    ));
                }
                Some(e) => {
                    if let Some(v) = found
                        && !v.speaks_with(e)
                    {
                        self.warn(
                            Some(idx),
                            format!(
                                "Polly's voice list gives {} no {e} engine; Connect may refuse it",
                                v.name
                            ),
                        );
                    }
                }
            }
        }
        if let Some(v) = found {
            self.contact.voice = v.name.to_owned();
        }
        let mut value = self.contact.voice.clone();
        for extra in [engine, style].into_iter().flatten() {
            value.push_str(&format!(" ({extra})"));
        }
        self.emit(TraceKind::ContactUpdated {
            field: "voice".into(),
            value,
        });
        Step::Go(Choice::Next("voice set".into()))
    }

    pub(super) fn set_recording(&mut self, block: &Block) -> Step {
        let summary = Value::Object(block.params.clone()).to_string();
        self.contact.recording = Some(summary.clone());
        self.emit(TraceKind::ContactUpdated {
            field: "recording".into(),
            value: summary,
        });
        Step::Go(Choice::Next("recording behaviour set".into()))
    }

    pub(super) fn set_logging(&mut self, enabled: bool) -> Step {
        self.contact.logging = enabled;
        self.emit(TraceKind::ContactUpdated {
            field: "logging".into(),
            value: if enabled { "enabled" } else { "disabled" }.into(),
        });
        Step::Go(Choice::Next("flow logging set".into()))
    }

    pub(super) fn update_contact_data(
        &mut self,
        idx: BlockIdx,
        fields: &IndexMap<String, String>,
    ) -> Step {
        for (k, v) in fields {
            if k == "TargetContact" {
                continue;
            }
            let v = self.text_value(idx, v);
            if k == "LanguageCode" {
                self.contact.language = v.clone();
            }
            self.contact.data.insert(k.clone(), v.clone());
            self.emit(TraceKind::ContactUpdated {
                field: k.clone(),
                value: v,
            });
        }
        Step::Go(Choice::Next("contact data updated".into()))
    }

    pub(super) fn set_queue(&mut self, idx: BlockIdx, queue: &str, name: Option<&str>) -> Step {
        let arn = self.text_value(idx, queue);
        if arn.is_empty() {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "the queue reference is empty".into(),
            ));
        }
        let name = name
            .map(str::to_owned)
            .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(&arn).to_owned());
        self.emit(TraceKind::ContactUpdated {
            field: "queue".into(),
            value: name.clone(),
        });
        // An agent's queue (`AgentId`, or an ARN of `…/queue/agent/…`): it has no hours.
        let params = &self.flow().blocks[idx].params;
        self.agent_queue = (params.contains_key("AgentId") && !params.contains_key("QueueId"))
            || arn.contains("/agent/");
        self.contact.queue = Some((name, arn));
        Step::Go(Choice::Next("working queue set".into()))
    }

    pub(super) fn record_setting(&mut self, block: &Block, idx: BlockIdx, field: &str) -> Step {
        // Each parameter, nested keys dotted, references resolved:
        // `EventHooks.CustomerQueue = arn:…/contact-flow/…`.
        let mut parts = Vec::new();
        let mut todo: Vec<(String, &Value)> =
            block.params.iter().map(|(k, v)| (k.clone(), v)).collect();
        todo.reverse();
        while let Some((key, v)) = todo.pop() {
            match v {
                Value::String(s) => parts.push(format!("{key} = {}", self.text_value(idx, s))),
                Value::Object(m) => {
                    todo.extend(m.iter().rev().map(|(k, v)| (format!("{key}.{k}"), v)));
                }
                other => parts.push(format!("{key} = {other}")),
            }
        }
        self.emit(TraceKind::ContactUpdated {
            field: field.into(),
            value: parts.join(", "),
        });
        Step::Go(Choice::Next(format!("{field} set")))
    }

    pub(super) fn set_attributes(
        &mut self,
        idx: BlockIdx,
        attributes: &IndexMap<String, String>,
        scope: AttributeScope,
    ) -> Step {
        let mut values = Vec::with_capacity(attributes.len());
        for (k, v) in attributes {
            let key = self.text_value(idx, k);
            if key.is_empty() || key.contains('.') {
                return Step::Go(Choice::Error(
                    ErrorType::NoMatchingError,
                    format!("attribute key \"{key}\" is empty or contains . (nothing set)"),
                ));
            }
            if key.contains('$') {
                // Connect sets it and passes it to a Lambda, but a flow cannot read it
                // back (adminguide what-is-a-contact-attribute).
                self.warn(
                    Some(idx),
                    format!(
                        "attribute key \"{key}\" contains $: it is set and sent to Lambda \
                         functions, but a flow cannot read it back"
                    ),
                );
            }
            let value = self.text_value(idx, v);
            values.push((key, value));
        }
        let target = if scope == AttributeScope::Flow {
            &self.contact.flow_attributes
        } else {
            &self.contact.attributes
        };
        let mut size: usize = target.iter().map(|(k, v)| k.len() + v.len()).sum();
        for (k, v) in &values {
            size += k.len() + v.len();
        }
        if size > MAX_ATTRIBUTE_BYTES {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                format!("attributes would total {size} bytes, over Connect's 32 KB (nothing set)"),
            ));
        }
        for (k, v) in values {
            self.emit(TraceKind::AttributeSet {
                scope,
                key: k.clone(),
                value: v.clone(),
            });
            if scope == AttributeScope::Flow {
                self.contact.flow_attributes.insert(k, v);
            } else {
                self.contact.attributes.insert(k, v);
            }
        }
        Step::Go(Choice::Next(format!("{} attributes set", scope.as_str())))
    }
}
