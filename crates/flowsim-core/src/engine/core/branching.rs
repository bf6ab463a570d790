//! Branching on values: Compare, Loop, hours of operation, Distribute by percentage.

use super::*;

impl Engine {
    pub(super) fn compare(&mut self, flow: &Arc<Flow>, idx: BlockIdx, value: &str) -> Step {
        let reference = value.trim();
        let resolved = match crate::engine::refs::whole(reference) {
            Some(r) => match self.contact.resolve(&r.segments) {
                crate::engine::Resolved::Value(v) => Some(v),
                crate::engine::Resolved::NonString { text, key } => {
                    self.warn(
                        Some(idx),
                        format!("{key} is {text}, not a string; comparing \"{text}\""),
                    );
                    Some(text)
                }
                crate::engine::Resolved::Missing => None,
            },
            None => {
                self.warn(
                    Some(idx),
                    format!("ComparisonValue \"{value}\" is not a reference; comparing it as text"),
                );
                Some(value.to_owned())
            }
        };
        match resolved {
            None => Step::Go(Choice::NoMatch(format!("{reference} is not set"))),
            Some(v) => self.match_conditions(flow, idx, &v, reference),
        }
    }

    pub(super) fn loop_block(&mut self, flow: &Arc<Flow>, idx: BlockIdx, count: &str) -> Step {
        let block = &flow.blocks[idx];
        let text = self.text_value(idx, count);
        let n = text.trim().parse::<u32>().unwrap_or_else(|_| {
            self.warn(
                Some(idx),
                format!("LoopCount \"{text}\" is not a number; looping 0 times"),
            );
            0
        });
        let key = (flow.name.clone(), block.id.clone());
        let done = *self.contact.loops.get(&key).unwrap_or(&0);
        let (result, why) = if done < n {
            self.contact.loops.insert(key, done + 1);
            ("ContinueLooping", format!("iteration {} of {n}", done + 1))
        } else {
            self.contact.loops.remove(&key);
            (
                "DoneLooping",
                format!("done after {n} iterations; counter reset"),
            )
        };
        match block.conditions.iter().position(|c| c.operand == result) {
            Some(i) => Step::Go(Choice::Cond(i, why)),
            None => Step::Go(Choice::Next(format!("{result} ({why}); no branch for it"))),
        }
    }

    pub(super) fn check_hours(
        &mut self,
        flow: &Arc<Flow>,
        idx: BlockIdx,
        hours: Option<&str>,
    ) -> Step {
        if hours.is_none() && self.contact.queue.is_none() {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "no HoursOfOperationId and no working queue to take hours from".into(),
            ));
        }
        // "If you use this block with an agent queue, the check fails and the contact is
        // routed down the Error branch" (adminguide check-hours-of-operation).
        if hours.is_none() && self.agent_queue {
            return Step::Go(Choice::Error(
                ErrorType::NoMatchingError,
                "the working queue is an agent's queue, which has no hours of operation".into(),
            ));
        }
        // The environment's hours by id, ARN or name, else `--hours`.
        let block = &flow.blocks[idx];
        let name = block.display_name("HoursOfOperationId");
        let id = hours.map(|h| self.text_value(idx, h));
        let from_env = [id.as_deref(), name.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|k| {
                let last = k.rsplit('/').next().unwrap_or(k);
                self.config
                    .env
                    .hours
                    .iter()
                    .find(|(n, _)| n.as_str() == k || n.as_str() == last)
                    .map(|(n, h)| (n.clone(), h.clone()))
            });
        let (open, source) = match from_env {
            Some((n, Hours::Fixed(open))) => (open, format!("hours.\"{n}\"")),
            Some((n, Hours::Schedule(schedule))) => {
                let start = match self.config.env.start_time() {
                    Some(t) => t,
                    None => {
                        // A fixed default keeps calls reproducible: Monday noon UTC.
                        if let Err(stop) = self.defaulted(
                            idx,
                            "at (--at)",
                            "the call starts Monday 2026-11-30 12:00 UTC",
                            |_| {
                                [
                                    ("Monday 20:00 UTC", "2026-11-30T20:00Z"),
                                    ("Saturday 12:00 UTC", "2026-12-05T12:00Z"),
                                ]
                                .into_iter()
                                .map(|(label, at)| OutcomeChoice::set(label, format!("at {at}")))
                                .collect()
                            },
                        ) {
                            return stop;
                        }
                        jiff::Timestamp::from_second(1_796_040_000).expect("a valid instant")
                    }
                };
                let at = start
                    .checked_add(jiff::SignedDuration::from_millis(
                        i64::try_from(self.now.as_millis()).unwrap_or(i64::MAX),
                    ))
                    .unwrap_or(start);
                match schedule.open_at(at) {
                    Ok(open) => (open, format!("hours.\"{n}\" at {at}")),
                    Err(e) => return Step::Go(Choice::Error(ErrorType::NoMatchingError, e.0)),
                }
            }
            None => (self.config.hours_open, "--hours".to_owned()),
        };
        let result = if open { "True" } else { "False" };
        let why = format!(
            "hours are {} ({source})",
            if open { "open" } else { "closed" }
        );
        self.match_conditions_result(flow, idx, result, why)
    }

    pub(super) fn distribute(&mut self, flow: &Arc<Flow>, idx: BlockIdx) -> Step {
        let roll = self.rng.u32(1..=100);
        self.match_conditions_result(
            flow,
            idx,
            &roll.to_string(),
            format!("rolled {roll} of 100"),
        )
    }

    pub(super) fn match_conditions(
        &mut self,
        flow: &Arc<Flow>,
        idx: BlockIdx,
        value: &str,
        what: &str,
    ) -> Step {
        self.tested = Some(value.to_owned());
        let block = &flow.blocks[idx];
        for (i, c) in block.conditions.iter().enumerate() {
            if c.operator.eval(value, &c.operand) {
                return Step::Go(Choice::Cond(
                    i,
                    format!(
                        "{what} = \"{value}\" matches {} \"{}\"",
                        c.operator.name(),
                        c.operand
                    ),
                ));
            }
        }
        Step::Go(Choice::NoMatch(format!(
            "{what} = \"{value}\" matches no condition"
        )))
    }

    pub(super) fn match_conditions_result(
        &mut self,
        flow: &Arc<Flow>,
        idx: BlockIdx,
        value: &str,
        why: String,
    ) -> Step {
        let block = &flow.blocks[idx];
        // A replayed contact: the result production logged for this run of the block
        // (runs counted in `run_one`).
        let key = (flow.name.clone(), block.id.clone());
        let run = self.replayed_used.get(&key).copied().unwrap_or(0);
        let forced = self
            .config
            .env
            .replayed
            .get(&key)
            .and_then(|r| r.get(run.wrapping_sub(1)))
            .filter(|r| !r.is_empty());
        let (value, why) = match forced {
            Some(r) => (r.as_str(), format!("result \"{r}\" as the flow logs show")),
            None => (value, why),
        };
        self.tested = Some(value.to_owned());
        for (i, c) in block.conditions.iter().enumerate() {
            if c.operator.eval(value, &c.operand) {
                return Step::Go(Choice::Cond(i, why));
            }
        }
        Step::Go(Choice::NoMatch(format!(
            "{why}; result \"{value}\" matches no condition"
        )))
    }
}
