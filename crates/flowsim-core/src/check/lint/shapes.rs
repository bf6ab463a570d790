//! The rules read from the catalogue and the action pages: flow types, channels,
//! required and forbidden branches, conditions per action, limits (FS118, FS121–FS130).

use serde_json::Value;

use super::{Linter, base};
use crate::catalogue::Channel;
use crate::catalogue::{ActionType, Channels, ErrorType, FlowType};
use crate::check::rules;
use crate::check::rules::Severity;
use crate::flow::{BlockIdx, Kind, Operator};

/// Where the flow type came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TypeSource {
    Wrapper,
    Metadata,
    Flag,
    Inferred,
}

impl TypeSource {
    fn describe(self) -> &'static str {
        match self {
            Self::Wrapper => "the API wrapper's Type",
            Self::Metadata => "Metadata.type",
            Self::Flag => "--flow-type",
            Self::Inferred => "inferred from its blocks; pass --flow-type to be sure",
        }
    }
}

/// Error branches Connect requires per action (the action pages; ShowView and TagContact
/// as the service checks them).
const REQUIRED_ERRORS: &[(ActionType, &[ErrorType])] = {
    use ActionType as A;
    use ErrorType as E;
    &[
        (
            A::TransferContactToQueue,
            &[E::QueueAtCapacity, E::NoMatchingError],
        ),
        (
            A::UpdateContactCallbackNumber,
            &[E::InvalidCallbackNumber, E::CallbackNumberNotDialable],
        ),
        (
            A::UpdateContactRecordingAndAnalyticsBehavior,
            &[E::NoMatchingError, E::ChannelMismatch],
        ),
        (
            A::ShowView,
            &[
                E::NoMatchingError,
                E::NoMatchingCondition,
                E::TimeLimitExceeded,
            ],
        ),
        (A::DistributeByPercentage, &[E::NoMatchingCondition]),
        (A::TagContact, &[E::NoMatchingError]),
        (A::UnTagContact, &[E::NoMatchingError]),
    ]
};

/// Static numeric parameters and their documented ranges (JSONPath values are not checked).
const RANGES: &[(ActionType, &str, i64, i64)] = {
    use ActionType as A;
    &[
        (A::Loop, "LoopCount", 0, 100),
        (A::Wait, "TimeLimitSeconds", 1, 604_800),
        (A::GetParticipantInput, "InputTimeLimitSeconds", 1, i64::MAX),
        (
            A::TransferParticipantToThirdParty,
            "ThirdPartyConnectionTimeLimitSeconds",
            0,
            600,
        ),
        (
            A::UpdateContactRoutingBehavior,
            "QueuePriority",
            1,
            i64::MAX,
        ),
        (
            A::CreateCallbackContact,
            "InitialCallDelaySeconds",
            1,
            259_200,
        ),
        (A::CreateCallbackContact, "RetryDelaySeconds", 1, 259_200),
        (
            A::CreateCallbackContact,
            "MaximumConnectionAttempts",
            1,
            i64::MAX,
        ),
        (A::CreateTask, "DelaySeconds", 1, 518_400),
        (A::UpdateContactData, "VoiceAuthenticationThreshold", 0, 100),
        (A::UpdateContactData, "FraudDetectionThreshold", 0, 100),
        (
            A::UpdateContactData,
            "VoiceAuthenticationResponseTime",
            5,
            10,
        ),
    ]
};

/// Actions that produce a result to compare (others take no conditions).
fn has_result(t: ActionType) -> bool {
    use ActionType as A;
    matches!(
        t,
        A::Compare
            | A::GetParticipantInput
            | A::ConnectParticipantWithLexBot
            | A::Loop
            | A::CheckHoursOfOperation
            | A::CheckMetricData
            | A::DistributeByPercentage
            | A::Wait
            | A::MessageParticipantIteratively
            | A::ShowView
            | A::CheckVoiceId
            | A::CheckOutboundCallStatus
            | A::AuthenticateParticipant
            | A::InvokeFlowModule
            | A::ConnectParticipantWithAgenticCX
            | A::CheckSegmentMembership
            | A::RouteContactToAgent
    )
}

impl Linter<'_> {
    /// The flow's type and where it came from: the API wrapper, `Metadata.type`,
    /// `--flow-type`, else inferred (the first type every block is allowed in).
    pub(super) fn resolved_type(&self) -> Option<(FlowType, TypeSource)> {
        if let Some(t) = self.ctx.wrapper_type {
            return Some((t, TypeSource::Wrapper));
        }
        if let Some(t) = self.flow.flow_type.as_deref().and_then(FlowType::parse) {
            return Some((t, TypeSource::Metadata));
        }
        if let Some(t) = self.ctx.opts.flow_type {
            return Some((t, TypeSource::Flag));
        }
        Some((self.flow.inferred_type(), TypeSource::Inferred))
    }

    // ---- FS118 ------------------------------------------------------------------

    pub(super) fn flow_type(&mut self) {
        let Some((t, source)) = self.resolved_type() else {
            return;
        };
        let shown = match source {
            TypeSource::Metadata => self.flow.flow_type.clone().unwrap_or_default(),
            _ => t.as_str().to_owned(),
        };
        let flow = self.flow;
        for b in &flow.blocks {
            let Some(spec) = b.kind.spec() else { continue };
            if spec.flows.allows(t) {
                continue;
            }
            let mut r = crate::check::Raw::new(
                rules::FLOW_TYPE,
                format!("{}.Type", base(b)),
                format!(
                    "{} is {}, but this flow's type is `{shown}` ({}); Connect refuses the flow",
                    b.type_name,
                    spec.flows.describe(),
                    source.describe()
                ),
            )
            .block(&b.id, b.label())
            .hint("use another block, or put it in a flow of a type that allows it");
            if source == TypeSource::Inferred {
                r = r.severity(Severity::Warning);
            }
            self.out.push(r);
        }
    }

    // ---- FS121 / FS122 -----------------------------------------------------------

    pub(super) fn error_branches(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let Some(t) = b.kind.action() else { continue };
            let spec = t.spec();
            let t_path = format!("{}.Transitions.Errors", base(b));
            let mut need: Vec<ErrorType> = REQUIRED_ERRORS
                .iter()
                .filter(|(a, _)| *a == t)
                .flat_map(|(_, e)| e.iter().copied())
                .collect();
            if t == ActionType::UpdateContactRecordingAndAnalyticsBehavior
                && b.params.contains_key("ChatBehavior")
            {
                need.push(ErrorType::InFlightRedactionConfigurationFailed);
            }
            let missing: Vec<&str> = need
                .iter()
                .filter(|e| b.error_target(**e).is_none())
                .map(|e| e.as_str())
                .collect();
            if !missing.is_empty() {
                let list = missing.join(", ");
                self.push(
                    rules::MISSING_ERROR_BRANCH,
                    b,
                    t_path.clone(),
                    format!(
                        "{} has no {list} branch; Connect requires it and refuses the flow",
                        spec.name
                    ),
                    &format!(
                        "add {} to Transitions.Errors",
                        missing
                            .iter()
                            .map(|e| format!("{{\"ErrorType\": \"{e}\", \"NextAction\": …}}"))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ),
                );
            }
            // Unlisted types' errors are not known well enough to refuse one.
            if spec.params.known().is_none() {
                continue;
            }
            for (i, e) in b.errors.iter().enumerate() {
                let known = ErrorType::parse(&e.error_type);
                if known.is_some_and(|k| spec.errors.contains(&k)) {
                    continue;
                }
                let allowed = if spec.errors.is_empty() {
                    "none".to_owned()
                } else {
                    spec.errors
                        .iter()
                        .map(|e| e.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                self.push(
                    rules::ERROR_NOT_ALLOWED,
                    b,
                    format!("{t_path}[{i}].ErrorType"),
                    format!(
                        "{} cannot raise `{}`; Connect refuses the branch (its errors: {allowed})",
                        spec.name, e.error_type
                    ),
                    "remove the branch, or wire one of the errors the action has",
                );
            }
        }
    }

    // ---- FS123 / FS124 / FS125 -------------------------------------------------------

    pub(super) fn input_shapes(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            if b.kind.action() != Some(ActionType::GetParticipantInput) {
                continue;
            }
            let t = format!("{}.Transitions.Errors", base(b));
            let Some(store) = b.params.get("StoreInput") else {
                // "Set Touchtone Buffer Behavior" carries no StoreInput.
                if !b.params.contains_key("EnableDTMFBuffer") {
                    self.push(
                        rules::INPUT_NO_STORE_INPUT,
                        b,
                        format!("{}.Parameters", base(b)),
                        "GetParticipantInput has no StoreInput; Connect requires it (\"True\" to store digits, \"False\" for a menu)".into(),
                        "add \"StoreInput\": \"False\" for a menu, or \"True\" with InputValidation to store the digits",
                    );
                }
                continue;
            };
            let store = match store {
                Value::String(s) => s.eq_ignore_ascii_case("true"),
                Value::Bool(v) => *v,
                _ => false,
            };
            if store {
                if b.error_target(ErrorType::NoMatchingCondition).is_some() {
                    self.push(
                        rules::STORE_MODE_NO_MATCH,
                        b,
                        t,
                        "store mode (StoreInput True) has no conditions, so it has no NoMatchingCondition branch; Connect refuses the flow".into(),
                        "remove the NoMatchingCondition branch; check $.StoredCustomerInput with a Compare block instead",
                    );
                }
                continue;
            }
            let missing: Vec<&str> = [
                ErrorType::InputTimeLimitExceeded,
                ErrorType::NoMatchingCondition,
            ]
            .into_iter()
            .filter(|e| b.error_target(*e).is_none())
            .map(ErrorType::as_str)
            .collect();
            if !missing.is_empty() {
                self.push(
                    rules::MENU_MISSING_BRANCH,
                    b,
                    t,
                    format!(
                        "menu-mode GetParticipantInput has no {} branch; Connect requires the Timeout and Default branches",
                        missing.join(" or ")
                    ),
                    "add {\"ErrorType\": \"InputTimeLimitExceeded\", …} and {\"ErrorType\": \"NoMatchingCondition\", …}",
                );
            }
        }
    }

    // ---- FS126 ------------------------------------------------------------------

    pub(super) fn conditions_allowed(&mut self) {
        use ActionType as A;
        let flow = self.flow;
        for b in &flow.blocks {
            let Some(t) = b.kind.action() else { continue };
            let p = format!("{}.Transitions.Conditions", base(b));
            let bad = |this: &mut Self, i: Option<usize>, msg: String, hint: &str| {
                let path = match i {
                    Some(i) => format!("{p}[{i}].Condition"),
                    None => p.clone(),
                };
                this.push(rules::CONDITION_NOT_ALLOWED, b, path, msg, hint);
            };
            if !has_result(t) {
                if !b.conditions.is_empty() {
                    bad(
                        self,
                        None,
                        format!(
                            "{} has no result to compare, but {} condition(s) are declared; Connect refuses them",
                            t.name(),
                            b.conditions.len()
                        ),
                        "remove the conditions; branch on the value with a Compare block",
                    );
                }
                continue;
            }
            // (operators allowed, operands allowed) for the fixed-result actions.
            let fixed: Option<(&[Operator], Vec<String>)> = match t {
                A::CheckHoursOfOperation => {
                    Some((&[Operator::Equals], vec!["True".into(), "False".into()]))
                }
                A::MessageParticipantIteratively => {
                    Some((&[Operator::Equals], vec!["MessagesInterrupted".into()]))
                }
                A::CheckOutboundCallStatus => Some((
                    &[Operator::Equals],
                    [
                        "CallAnswered",
                        "VoicemailBeep",
                        "VoicemailNoBeep",
                        "NotDetected",
                    ]
                    .map(String::from)
                    .to_vec(),
                )),
                A::Wait => {
                    let mut ops = vec!["WaitCompleted".to_owned()];
                    ops.extend(
                        b.params
                            .get("Events")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_owned),
                    );
                    Some((&[Operator::Equals], ops))
                }
                _ => None,
            };
            let equals_only = matches!(
                t,
                A::ConnectParticipantWithLexBot | A::ShowView | A::CheckVoiceId
            );
            for (i, c) in b.conditions.iter().enumerate() {
                if let Some((ops, operands)) = &fixed {
                    if !ops.contains(&c.operator) || !operands.contains(&c.operand) {
                        bad(
                            self,
                            Some(i),
                            format!(
                                "condition `{} \"{}\"`: {} results are {} (compared with Equals)",
                                c.operator.name(),
                                c.operand,
                                t.name(),
                                operands.join(", ")
                            ),
                            &format!("use Equals with one of {}", operands.join(", ")),
                        );
                    }
                } else if equals_only && c.operator != Operator::Equals {
                    bad(
                        self,
                        Some(i),
                        format!(
                            "condition `{} \"{}\"`: {} compares its result with Equals only",
                            c.operator.name(),
                            c.operand,
                            t.name()
                        ),
                        "use Equals",
                    );
                } else if t == A::DistributeByPercentage && c.operator != Operator::NumberLessThan {
                    bad(
                        self,
                        Some(i),
                        format!(
                            "condition `{} \"{}\"`: DistributeByPercentage takes NumberLessThan thresholds only",
                            c.operator.name(),
                            c.operand
                        ),
                        "use NumberLessThan with 1 + the cumulative percentage",
                    );
                } else if t == A::CheckMetricData {
                    let metric = b
                        .params
                        .get("MetricType")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if metric.starts_with("NumberOfAgents")
                        && !(c.operator == Operator::NumberGreaterThan && c.operand.trim() == "0")
                    {
                        bad(
                            self,
                            Some(i),
                            format!(
                                "condition `{} \"{}\"`: for {metric} Connect allows only NumberGreaterThan 0",
                                c.operator.name(),
                                c.operand
                            ),
                            "use NumberGreaterThan 0 (the False branch is NoMatchingCondition)",
                        );
                    } else if matches!(
                        c.operator,
                        Operator::TextContains | Operator::TextStartsWith | Operator::TextEndsWith
                    ) {
                        bad(
                            self,
                            Some(i),
                            format!(
                                "condition `{} \"{}\"`: CheckMetricData compares a number (Equals or Number…)",
                                c.operator.name(),
                                c.operand
                            ),
                            "use Equals or a Number… operator",
                        );
                    }
                }
            }
            // Conditions an action must have.
            let required: Vec<String> = match t {
                A::CheckHoursOfOperation => vec!["True".into(), "False".into()],
                A::Wait => fixed.map(|(_, o)| o).unwrap_or_default(),
                _ => Vec::new(),
            };
            let absent: Vec<&str> = required
                .iter()
                .filter(|o| {
                    !b.conditions
                        .iter()
                        .any(|c| c.operator == Operator::Equals && &c.operand == *o)
                })
                .map(String::as_str)
                .collect();
            if !absent.is_empty() {
                bad(
                    self,
                    None,
                    format!(
                        "{} needs an Equals condition for {}; Connect refuses it without",
                        t.name(),
                        absent.join(" and ")
                    ),
                    "add a condition per result",
                );
            }
            if t == A::CheckMetricData && b.conditions.is_empty() {
                bad(
                    self,
                    None,
                    "CheckMetricData has no condition; Connect refuses it without one".into(),
                    "add a condition, e.g. NumberGreaterThan 0 for the True branch",
                );
            }
        }
    }

    // ---- FS127 ------------------------------------------------------------------

    pub(super) fn required_next_action(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let Some(t) = b.kind.action() else { continue };
            if !matches!(t, ActionType::CheckHoursOfOperation | ActionType::Loop) {
                continue;
            }
            if b.next_id.as_deref().is_none_or(|s| s.trim().is_empty()) {
                self.push(
                    rules::MISSING_NEXT_ACTION,
                    b,
                    format!("{}.Transitions.NextAction", base(b)),
                    format!("{} has no NextAction; Connect requires one", t.name()),
                    "set NextAction (the console writes the False / DoneLooping target)",
                );
            }
        }
    }

    // ---- FS128 ------------------------------------------------------------------

    pub(super) fn channels(&mut self) {
        let flow = self.flow;
        let channel = self.ctx.opts.channel;
        let mut warned: Vec<ActionType> = Vec::new();
        for (i, b) in flow.blocks.iter().enumerate() {
            let Some(t) = b.kind.action() else { continue };
            let Channels::Only(list) = t.spec().channels else {
                continue;
            };
            let names = list
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            match channel {
                Some(c) if !list.contains(&c) => self.push(
                    rules::CHANNEL_RESTRICTION,
                    b,
                    format!("{}.Type", base(b)),
                    format!(
                        "{} works only on {names}, but the flow runs on {}; the block takes its error branch",
                        t.name(),
                        c.as_str()
                    ),
                    "branch on $.Channel before it, or use a block for this channel",
                ),
                Some(_) => {}
                // Voice is the default channel of a flow that does not say.
                None if list.contains(&crate::catalogue::Channel::Voice) => {}
                None if warned.contains(&t) => {}
                // The flow says: the block is reached only past a Compare on $.Channel
                // whose condition names one of the channels.
                None if self.channel_guarded(i, list) => {}
                None => {
                    warned.push(t);
                    let n = flow
                        .blocks
                        .iter()
                        .filter(|x| x.kind.action() == Some(t))
                        .count();
                    let more = if n > 1 {
                        format!(" (and {} more such blocks)", n - 1)
                    } else {
                        String::new()
                    };
                    let r = crate::check::Raw::new(
                        rules::CHANNEL_RESTRICTION,
                        format!("{}.Type", base(b)),
                        format!(
                            "{} works only on {names}{more}; the flow does not say its channel, and on any other the block takes its error branch",
                            t.name()
                        ),
                    )
                    .block(&b.id, b.label())
                    .hint("pass --channel to check against the channel the flow runs on")
                    .severity(Severity::Warning);
                    self.out.push(r);
                }
            }
        }
    }

    /// Every path from the start to `target` passes a Compare on `$.Channel` through
    /// an Equals condition naming one of `allowed`.
    fn channel_guarded(&self, target: BlockIdx, allowed: &[Channel]) -> bool {
        let flow = self.flow;
        let mut seen = vec![false; flow.blocks.len()];
        let mut stack = vec![flow.start];
        while let Some(i) = stack.pop() {
            if i == target {
                return false;
            }
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            let b = &flow.blocks[i];
            let on_channel =
                matches!(&b.kind, Kind::Compare { value } if value.trim() == "$.Channel");
            for c in &b.conditions {
                let names_allowed = c.operator == Operator::Equals
                    && allowed
                        .iter()
                        .any(|ch| ch.as_str().eq_ignore_ascii_case(c.operand.trim()));
                if !(on_channel && names_allowed) {
                    stack.extend(c.target);
                }
            }
            stack.extend(b.errors.iter().filter_map(|e| e.target));
            stack.extend(b.next);
        }
        true
    }

    // ---- FS131 (and FS120 for a prompt or validation a mode needs) ---------------

    pub(super) fn parameter_conflicts(&mut self) {
        use ActionType as A;
        const PROMPTS: [&str; 4] = ["Text", "SSML", "PromptId", "Media"];
        let flow = self.flow;
        for b in &flow.blocks {
            let Some(t) = b.kind.action() else { continue };
            let pb = format!("{}.Parameters", base(b));
            let has = |k: &str| b.params.contains_key(k);
            let exclusive: &[&[&str]] = match t {
                A::UpdateContactTargetQueue
                | A::CheckMetricData
                | A::GetMetricData
                | A::DequeueContactAndTransferToQueue
                | A::CreateCallbackContact => &[&["QueueId", "AgentId"]],
                A::UpdateContactRoutingBehavior => &[&[
                    "QueuePriority",
                    "QueueTimeAdjustmentSeconds",
                    "RoutingProficiencies",
                ]],
                A::MessageParticipant
                | A::GetParticipantInput
                | A::ConnectParticipantWithLexBot => &[&PROMPTS],
                A::UpdateContactRecordingAndAnalyticsBehavior => {
                    &[&["VoiceBehavior", "ChatBehavior", "ScreenRecordingBehavior"]]
                }
                _ => &[],
            };
            for group in exclusive {
                let present: Vec<&str> = group.iter().copied().filter(|k| has(k)).collect();
                if present.len() > 1 {
                    self.push(
                        rules::PARAMETER_CONFLICT,
                        b,
                        format!("{pb}.{}", present[1]),
                        format!(
                            "{} takes only one of {}, but has {}; Connect refuses the block",
                            t.name(),
                            group.join(", "),
                            present.join(" and ")
                        ),
                        "keep one of them",
                    );
                }
            }
            if t == A::MessageParticipant && !PROMPTS.iter().any(|k| has(k)) {
                self.push(
                    rules::MISSING_PARAMETER,
                    b,
                    pb.clone(),
                    "no prompt: MessageParticipant needs one of Text, SSML, PromptId or Media".into(),
                    "choose the prompt in the console block (a saved draft can lack it; Connect will not publish the flow)",
                );
            }
            if t != A::GetParticipantInput {
                continue;
            }
            let store = b.params.get("StoreInput").is_some_and(|v| match v {
                Value::String(s) => s.eq_ignore_ascii_case("true"),
                Value::Bool(v) => *v,
                _ => false,
            });
            let validation = b.params.get("InputValidation");
            if store && validation.is_none() {
                self.push(
                    rules::MISSING_PARAMETER,
                    b,
                    format!("{pb}.InputValidation"),
                    "no InputValidation: store mode (StoreInput True) needs PhoneNumberValidation or CustomValidation".into(),
                    "add \"InputValidation\": {\"CustomValidation\": {\"MaximumLength\": \"…\"}}",
                );
            }
            if !store && validation.is_some() && b.params.contains_key("StoreInput") {
                self.push(
                    rules::PARAMETER_CONFLICT,
                    b,
                    format!("{pb}.InputValidation"),
                    "InputValidation is for store mode, but StoreInput is False (a menu); Connect refuses it".into(),
                    "remove InputValidation, or set StoreInput to True",
                );
            }
            let custom = validation.and_then(|v| v.get("CustomValidation")).is_some();
            if has("InputEncryption") && !custom {
                self.push(
                    rules::PARAMETER_CONFLICT,
                    b,
                    format!("{pb}.InputEncryption"),
                    "InputEncryption is allowed only with InputValidation.CustomValidation".into(),
                    "validate with CustomValidation, or remove InputEncryption",
                );
            }
        }
    }

    // ---- FS132 ------------------------------------------------------------------

    pub(super) fn parameter_ranges(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let Some(t) = b.kind.action() else { continue };
            let params = self.raw_action(b).get("Parameters").unwrap_or(&Value::Null);
            for (a, path, min, max) in RANGES {
                if *a != t {
                    continue;
                }
                let Some(v) = path.split('.').try_fold(params, |v, k| v.get(k)) else {
                    continue;
                };
                let text = match v {
                    Value::String(s) => s.trim().to_owned(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                // A JSONPath is resolved when the block runs.
                if text.starts_with("$.") || text.is_empty() {
                    continue;
                }
                let ok = text.parse::<i64>().is_ok_and(|n| n >= *min && n <= *max);
                if !ok {
                    let range = if *max == i64::MAX {
                        format!("an integer of at least {min}")
                    } else {
                        format!("an integer from {min} to {max}")
                    };
                    self.push(
                        rules::PARAMETER_RANGE,
                        b,
                        format!("{}.Parameters.{path}", base(b)),
                        format!("{path} is {v}; Connect requires {range}"),
                        &format!("use {range}"),
                    );
                }
            }
            let digits = |s: &str, extra: &[char]| {
                s.chars()
                    .all(|c| c.is_ascii_digit() || c == '*' || c == '#' || extra.contains(&c))
            };
            let text_at = |path: &[&str]| {
                path.iter()
                    .try_fold(params, |v, k| v.get(*k))
                    .and_then(Value::as_str)
                    .filter(|s| !s.trim_start().starts_with("$."))
            };
            if t == ActionType::TransferParticipantToThirdParty
                && let Some(d) = text_at(&["ThirdPartyDTMFDigits"])
                && (d.chars().count() > 50 || !digits(d, &[',']))
            {
                self.push(
                    rules::PARAMETER_RANGE,
                    b,
                    format!("{}.Parameters.ThirdPartyDTMFDigits", base(b)),
                    format!("ThirdPartyDTMFDigits \"{d}\": Connect allows at most 50 of 0-9, `,`, `*`, `#`"),
                    "keep to digits, `*`, `#` and `,` (a pause)",
                );
            }
        }
    }

    // ---- FS129 / FS130 ------------------------------------------------------------

    pub(super) fn limits(&mut self) {
        let n = self
            .raw
            .get("Actions")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if n > 250 {
            self.out.push(
                crate::check::Raw::new(
                    rules::TOO_MANY_ACTIONS,
                    "Actions",
                    format!("the flow has {n} actions; Connect allows at most 250 per flow"),
                )
                .hint("move part of it into a flow module or another flow (TransferToFlow)"),
            );
        }
        let flow = self.flow;
        for b in &flow.blocks {
            let params = self.raw_action(b).get("Parameters").unwrap_or(&Value::Null);
            let mut items: Vec<(String, &str, bool)> = Vec::new();
            let pb = format!("{}.Parameters", base(b));
            for key in ["Text", "SSML"] {
                if let Some(s) = params.get(key).and_then(Value::as_str) {
                    items.push((format!("{pb}.{key}"), s, key == "SSML"));
                }
            }
            if let Some(list) = params.get("Messages").and_then(Value::as_array) {
                for (i, m) in list.iter().enumerate() {
                    for key in ["Text", "SSML"] {
                        if let Some(s) = m.get(key).and_then(Value::as_str) {
                            items.push((format!("{pb}.Messages[{i}].{key}"), s, key == "SSML"));
                        }
                    }
                }
            }
            for (path, s, ssml) in items {
                let total = s.chars().count();
                let billed = if ssml { outside_tags(s) } else { total };
                let over = if billed > 3000 {
                    Some(format!(
                        "{billed} characters; Connect allows 3,000 per prompt"
                    ))
                } else if ssml && total > 6000 {
                    Some(format!(
                        "{total} characters with its tags; Connect allows 6,000 in all"
                    ))
                } else {
                    None
                };
                if let Some(what) = over {
                    self.push(
                        rules::PROMPT_TOO_LONG,
                        b,
                        path,
                        format!("the prompt is {what}"),
                        "split it over several blocks, or record it as an audio prompt",
                    );
                }
            }
        }
    }
}

/// Characters of SSML text outside `<…>` tags.
fn outside_tags(s: &str) -> usize {
    let mut n = 0;
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => n += 1,
            _ => {}
        }
    }
    n
}
