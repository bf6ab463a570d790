//! Branches the engine can never take, whatever the call does.
//!
//! Connect's console writes a `NextAction` for blocks whose results never use it (a
//! Loop with both results wired, a menu with a `NoMatchingCondition` branch, ...),
//! and a `NoMatchingError` for blocks that cannot fail as flowsim runs them (a
//! plain-text prompt always plays; only SSML can be malformed, and SSML without
//! references is checked once, here).
//! Coverage reports set these apart, so "every branch a call can take" can reach
//! 100%. The rules mirror how [`Engine`](super::Engine) picks a branch; the engine
//! tests pin both sides.

use crate::catalogue::{Channel, Channels, ErrorType};
use crate::flow::{Block, BlockIdx, Branch, Flow, Kind, Prompt};

/// A declared branch no call can take, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadBranch {
    pub branch: Branch,
    pub reason: &'static str,
}

/// The declared branches of `block` that the engine never takes.
pub fn dead_branches(block: &Block) -> Vec<DeadBranch> {
    let has_condition = |operand: &str| block.conditions.iter().any(|c| c.operand == operand);
    let has_no_match = block.error_target(ErrorType::NoMatchingCondition).is_some();
    // The kinds whose every result has a branch of its own once these are wired.
    let reason = if let Kind::GetParticipantInput { store: false, .. } = block.kind
        && has_no_match
    {
        // A key matches a condition or takes NoMatchingCondition.
        Some("every key matches a condition or takes NoMatchingCondition")
    } else if let Kind::Compare { .. } = block.kind
        && has_no_match
    {
        Some("every value matches a condition or takes NoMatchingCondition")
    } else if let Kind::ShowView = block.kind
        && has_no_match
    {
        Some("every view action matches a condition or takes NoMatchingCondition")
    } else if let Kind::Loop { .. } = block.kind
        && has_condition("ContinueLooping")
        && has_condition("DoneLooping")
    {
        Some("a Loop always ends in ContinueLooping or DoneLooping")
    } else if let Kind::CheckHoursOfOperation { .. } = block.kind
        && (has_no_match || (has_condition("True") && has_condition("False")))
    {
        Some("the hours are open (True) or closed (False)")
    } else {
        lex_next_unused(block, has_no_match)
    };
    let reason = reason.or_else(|| never_next(block));
    let mut out = Vec::new();
    if let Some(reason) = reason.filter(|_| block.next_id.is_some()) {
        out.push(DeadBranch {
            branch: Branch::Next,
            reason,
        });
    }
    if let Some(reason) = cannot_fail(block).or_else(|| static_queue(block))
        && block.error_target(ErrorType::NoMatchingError).is_some()
    {
        out.push(DeadBranch {
            branch: Branch::Error(ErrorType::NoMatchingError.as_str().into()),
            reason,
        });
    }
    out
}

/// Why the block never takes `NextAction` although it declares one, for the kinds
/// whose success goes elsewhere (rules added for `flowsim explore`'s corpus figures;
/// each names its source in `../shared/reference/`).
fn never_next(block: &Block) -> Option<&'static str> {
    let has_no_match = block.error_target(ErrorType::NoMatchingCondition).is_some();
    match &block.kind {
        // flow-language.md §1.4: "TransferContactToQueue and TransferToFlow end the
        // current flow when they succeed … Ignore their NextAction on success"; their
        // failures are error branches (the engine's `transfer_to_queue`/`transfer_to_flow`).
        Kind::TransferContactToQueue | Kind::TransferToFlow { .. } => {
            Some("a transfer that succeeds ends the flow; a failure is an error branch")
        }
        // actions-environment.md §3.2: the result is the metric's value, matched
        // against the conditions in order; NoMatchingCondition is the False branch.
        Kind::CheckMetricData if has_no_match => {
            Some("every metric value matches a condition or takes NoMatchingCondition")
        }
        // actions-environment.md §6.1: the only result is `MessagesInterrupted`, when
        // the interrupt timer fires; without a timer the messages loop until an agent
        // answers or the contact leaves (out of a queue, the flow ends there).
        Kind::MessageParticipantIteratively { .. } => {
            let timer = block.interrupt_secs().is_some();
            let interrupted = block
                .conditions
                .iter()
                .any(|c| c.operator.eval("MessagesInterrupted", &c.operand));
            if !timer {
                Some("with no interrupt timer the messages loop until the contact leaves")
            } else if interrupted || has_no_match {
                Some("the only result, MessagesInterrupted, has a branch of its own")
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A Set working queue naming a static queue: the engine fails it only when the
/// reference resolves to nothing (actions-environment.md §4.1; a queue named in the
/// flow is one the instance has, as Connect checks when the flow is saved).
fn static_queue(block: &Block) -> Option<&'static str> {
    match &block.kind {
        Kind::UpdateContactTargetQueue { queue, .. }
            if !queue.trim().is_empty() && !queue.contains("$.") =>
        {
            Some("the queue is named in the flow, so it is always set")
        }
        _ => None,
    }
}

/// A Lex block's `NextAction` once `NoMatchingCondition` is wired: the bot returns an
/// intent, which matches a condition or takes `NoMatchingCondition`; silence takes
/// `InputTimeLimitExceeded` and a bot failure `NoMatchingError` (each falling back to
/// `NoMatchingError`, never to `NextAction`). Connect's reference lists only those
/// transitions for the block (docs.aws.amazon.com/connect/latest/APIReference/
/// participant-actions-connectparticipantwithlexbot.html: the intent conditions, then
/// `InputTimeLimitExceeded`, `NoMatchingError`, `NoMatchingCondition`), and the
/// console writes `NextAction` as a copy of the error target (../shared/reference/lex.md
/// §1.4, "Default exit": 40 of 43 corpus actions).
fn lex_next_unused(block: &Block, has_no_match: bool) -> Option<&'static str> {
    (matches!(block.kind, Kind::ConnectParticipantWithLexBot { .. }) && has_no_match)
        .then_some("every intent matches a condition or takes NoMatchingCondition")
}

/// Why the block never takes `NoMatchingError`, if it never does: it raises no
/// error, or only errors that have branches of their own.
fn cannot_fail(block: &Block) -> Option<&'static str> {
    let own = |error: ErrorType| block.error_target(error).is_some();
    let plays = |prompt: &Option<Prompt>| match prompt {
        Some(Prompt::Ssml(s)) => static_ssml_plays(s),
        _ => true,
    };
    match &block.kind {
        Kind::MessageParticipant { prompt } if plays(prompt) => Some("the prompt always plays"),
        Kind::GetParticipantInput {
            prompt,
            store: false,
            ..
        } if plays(prompt) && own(ErrorType::InputTimeLimitExceeded) => {
            Some("the prompt always plays and silence has its own branch")
        }
        Kind::GetParticipantInput {
            prompt,
            store: true,
            validation,
            ..
        } if plays(prompt) && (validation.is_none() || own(ErrorType::InvalidPhoneNumber)) => {
            Some("the prompt always plays and an invalid number has its own branch")
        }
        Kind::CheckHoursOfOperation { hours: Some(_) } => {
            Some("the block names its hours of operation")
        }
        // An invalid voice or engine is an error (see `voices`): only a static, valid
        // one cannot fail.
        Kind::UpdateContactTextToSpeechVoice { voice, engine, .. } => {
            let voice_ok = voice
                .as_deref()
                .is_none_or(|v| super::voices::voice(v).is_some());
            let engine_ok = engine
                .as_deref()
                .is_none_or(|e| super::voices::engine(e).is_some());
            (voice_ok && engine_ok).then_some("the voice and engine are Polly's")
        }
        // Everything else: the catalogue says whether the type can fail at all.
        kind => kind
            .spec()
            .filter(|s| s.raises_no_error)
            .map(|_| "the block raises no error"),
    }
}

/// References whose values are always phone numbers in E.164 form (the CLI and the
/// script parser check `caller` and `dialed`), so they cannot break SSML.
const PHONE_NUMBER_REFS: [&str; 2] = ["$.CustomerEndpoint.Address", "$.SystemEndpoint.Address"];

/// Whether SSML always renders: it has no references but phone numbers, and is
/// well-formed with a phone number in their place.
fn static_ssml_plays(ssml: &str) -> bool {
    let mut text = ssml.to_owned();
    for r in PHONE_NUMBER_REFS {
        text = text.replace(r, "+15555550100");
    }
    !text.contains("$.") && crate::ssml::render(&text).is_ok()
}

/// The dead branches of block `idx` of `flow`: [`dead_branches`], and the rules that
/// need the blocks around it (a prompt replayed: [`replays_a_played_prompt`]; a block
/// bound to channels no contact reaching it is on: [`channels_on_arrival`]).
pub fn dead_branches_in(flow: &Flow, idx: BlockIdx) -> Vec<DeadBranch> {
    let block = &flow.blocks[idx];
    let mut out = dead_branches(block);
    let nme = Branch::Error(ErrorType::NoMatchingError.as_str().into());
    if let Some(only) = channel_bound(&block.kind)
        && flow.graph.reachable_from(flow.start)[idx]
        && channels_on_arrival(flow)[idx] & only == 0
    {
        for (branch, _) in block.branches() {
            if branch != nme && !out.iter().any(|d| d.branch == branch) {
                out.push(DeadBranch {
                    branch,
                    reason: "no contact reaching it is on a channel it works on (an earlier \
                             block works on other channels only): it takes NoMatchingError",
                });
            }
        }
    }
    if matches!(block.kind, Kind::UpdateFlowAttributes { .. })
        && block.error_target(ErrorType::NoMatchingError).is_some()
        && !out.iter().any(|d| d.branch == nme)
        && flow_attributes_always_fit(flow)
    {
        out.push(DeadBranch {
            branch: nme.clone(),
            reason: "every flow attribute the flow sets is a fixed, valid key and value, \
                     together far under 32 KB",
        });
    }
    // The engine's `transfer_to_queue` fails with NoMatchingError when no working
    // queue is set or the contact already waits in a queue (flow-language.md §2.3);
    // in an inbound flow a transfer that succeeds ends the flow, so only the first.
    if matches!(block.kind, Kind::TransferContactToQueue)
        && flow.role() == crate::catalogue::FlowType::ContactFlow
        && block.error_target(ErrorType::NoMatchingError).is_some()
        && !out.iter().any(|d| d.branch == nme)
        && flow.graph.reachable_from(flow.start)[idx]
        && queue_set_on_arrival(flow)[idx]
    {
        out.push(DeadBranch {
            branch: nme.clone(),
            reason: "every way to it sets the working queue, and the contact waits in no queue",
        });
    }
    if block.error_target(ErrorType::NoMatchingError).is_some()
        && !out.iter().any(|d| d.branch == nme)
        && replays_a_played_prompt(flow, idx)
    {
        out.push(DeadBranch {
            branch: nme,
            reason: "it plays the SSML an earlier block played, and nothing between changes it",
        });
    }
    out
}

/// The channels of a kind whose handler runs it on those only, taking `NoMatchingError`
/// on any other (the engine's `wrong_channel`), as a bit set of [`Channel`]s:
/// actions-environment.md §6.3 ShowView "only supported on the chat channel" (non-chat:
/// NME), §6.4 Authenticate customer (non-chat: NME), §7.1 CheckVoiceId "Voice only; chat
/// and task take the Error branch", and the email / chat-only content and persistent
/// chat blocks. The catalogue's `channels` says which.
fn channel_bound(kind: &Kind) -> Option<u8> {
    if !matches!(
        kind,
        Kind::ShowView
            | Kind::AuthenticateParticipant
            | Kind::CheckVoiceId
            | Kind::LoadContactContent
            | Kind::CreatePersistentContactAssociation
    ) {
        return None;
    }
    match kind.spec()?.channels {
        Channels::Only(cs) => Some(cs.iter().fold(0, |m, c| m | channel_bit(*c))),
        Channels::All => None,
    }
}

fn channel_bit(c: Channel) -> u8 {
    match c {
        Channel::Voice => 1,
        Channel::Chat => 2,
        Channel::Task => 4,
        Channel::Email => 8,
    }
}

/// The channels a contact reaching each block may be on (bit sets, see
/// [`channel_bit`]): any at the start; a channel-bound block ([`channel_bound`]) passes
/// on its own channels by its other branches, every channel by its error branches (a
/// contact's channel never changes in a flow). Dead branches carry none.
fn channels_on_arrival(flow: &Flow) -> Vec<u8> {
    let mut on = vec![0u8; flow.blocks.len()];
    on[flow.start] = 0b1111;
    let mut todo = vec![flow.start];
    while let Some(at) = todo.pop() {
        let b = &flow.blocks[at];
        let dead = dead_branches(b);
        let bound = channel_bound(&b.kind);
        for (branch, target) in b.branches() {
            let Some(t) = target else { continue };
            if dead.iter().any(|d| d.branch == branch) {
                continue;
            }
            let carried = match bound {
                Some(only) if !branch.is_error() => on[at] & only,
                _ => on[at],
            };
            if carried & !on[t] != 0 {
                on[t] |= carried;
                todo.push(t);
            }
        }
    }
    on
}

/// Whether no Set flow attributes block of `flow` can fail as the engine's
/// `set_attributes` runs it: every key and value written is fixed (no reference), each
/// key non-empty without a `.`, and twice their bytes (what is there, and a block's
/// new values, which the engine adds before it sets them) within 32 KB. A transfer
/// clears a flow's attributes; a module shares its caller's, so neither a module nor
/// a flow invoking one qualifies.
fn flow_attributes_always_fit(flow: &Flow) -> bool {
    if flow.role() == crate::catalogue::FlowType::ContactFlowModule {
        return false;
    }
    let mut bytes = 0usize;
    for b in &flow.blocks {
        if matches!(b.kind, Kind::InvokeFlowModule { .. }) {
            return false;
        }
        if let Kind::UpdateFlowAttributes { attributes } = &b.kind {
            for (k, v) in attributes {
                if k.is_empty() || k.contains('.') || k.contains("$.") || v.contains("$.") {
                    return false;
                }
                bytes += k.len() + v.len();
            }
        }
    }
    2 * bytes <= 32 * 1024
}

/// Whether every way from the flow's start to each block passes a Set working queue
/// left by `Next` (the queue set): a must-analysis over the branches a call can take,
/// from "every block has one" down to the fixed point. The start has none.
fn queue_set_on_arrival(flow: &Flow) -> Vec<bool> {
    let n = flow.blocks.len();
    let live: Vec<Vec<(Branch, BlockIdx)>> = flow
        .blocks
        .iter()
        .map(|b| {
            let dead = dead_branches(b);
            b.branches()
                .into_iter()
                .filter_map(|(branch, t)| Some((branch, t?)))
                .filter(|(branch, _)| !dead.iter().any(|d| &d.branch == branch))
                .collect()
        })
        .collect();
    let reachable = flow.graph.reachable_from(flow.start);
    let mut set = vec![true; n];
    set[flow.start] = false;
    loop {
        let mut into = vec![true; n];
        into[flow.start] = false;
        for (at, edges) in live.iter().enumerate() {
            if !reachable[at] {
                continue;
            }
            for (branch, t) in edges {
                let sets = matches!(flow.blocks[at].kind, Kind::UpdateContactTargetQueue { .. })
                    && *branch == Branch::Next;
                into[*t] &= set[at] || sets;
            }
        }
        if into == set {
            return set;
        }
        set = into;
    }
}

/// References a prompt may hold for [`replays_a_played_prompt`]: values only the
/// blocks it does not pass through change (attributes, a Lambda's answer, the
/// caller's and the dialled numbers).
const STILL_REFS: [&str; 5] = [
    "Attributes",
    "FlowAttributes",
    "External",
    "CustomerEndpoint",
    "SystemEndpoint",
];

/// Whether block `idx` is a Play prompt of SSML that every way into it has already
/// played successfully: each path back from it meets a Play prompt of the same SSML,
/// left by its `Next` (the SSML rendered), before the flow's start, and passes only
/// blocks that change nothing the SSML reads (prompts, menus that store nothing,
/// Check contact attributes, Loop, hours). The same text with the same values renders
/// the same way, so it cannot be malformed the second time. (The seed flow's
/// "RePlay Generated Vanity Numbers".)
fn replays_a_played_prompt(flow: &Flow, idx: BlockIdx) -> bool {
    let Kind::MessageParticipant {
        prompt: Some(Prompt::Ssml(ssml)),
    } = &flow.blocks[idx].kind
    else {
        return false;
    };
    let refs_still = super::refs::find_all(ssml)
        .iter()
        .all(|r| STILL_REFS.contains(&r.segments[0].as_str()));
    if !refs_still {
        return false;
    }
    let same = |b: &Block| matches!(&b.kind, Kind::MessageParticipant { prompt: Some(Prompt::Ssml(s)) } if s == ssml);
    let transparent = |b: &Block| {
        matches!(
            b.kind,
            Kind::MessageParticipant { .. }
                | Kind::GetParticipantInput { store: false, .. }
                | Kind::Compare { .. }
                | Kind::Loop { .. }
                | Kind::CheckHoursOfOperation { .. }
        )
    };
    // Blocks whose every way in is justified, searched backwards.
    let mut todo = vec![idx];
    let mut seen = vec![false; flow.blocks.len()];
    seen[idx] = true;
    while let Some(at) = todo.pop() {
        if at == flow.start {
            return false;
        }
        for (p, b) in flow.blocks.iter().enumerate() {
            for (branch, target) in b.branches() {
                if target != Some(at) {
                    continue;
                }
                if same(b) && branch == Branch::Next {
                    continue;
                }
                // A way in through a dead branch is no way in.
                if dead_branches(b).iter().any(|d| d.branch == branch) {
                    continue;
                }
                if same(b) || !transparent(b) {
                    return false;
                }
                if !seen[p] {
                    seen[p] = true;
                    todo.push(p);
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::engine::{CallConfig, Effect, Engine, Input, SimTime, TraceKind};
    use crate::env::Environment;
    use crate::flow::{FlowSet, parse_str};

    /// Check Voice ID, then a view (the step-by-step guides' Agent Workspace example):
    /// `from_start` also wires the start to the view directly.
    fn flow(from_start: bool) -> Flow {
        let view = json!({"Identifier": "v", "Type": "ShowView",
            "Parameters": {"ViewResource": {"Id": "detail"}, "InvocationTimeLimitSeconds": "300"},
            "Transitions": {"NextAction": "d",
                "Conditions": [{"NextAction": "d", "Condition": {"Operator": "Equals", "Operands": ["Back"]}}],
                "Errors": [{"NextAction": "d", "ErrorType": "NoMatchingCondition"},
                           {"NextAction": "d", "ErrorType": "NoMatchingError"},
                           {"NextAction": "d", "ErrorType": "TimeLimitExceeded"}]}});
        let check = json!({"Identifier": "c", "Type": "CheckVoiceId",
            "Parameters": {"CheckVoiceIdOption": "voiceAuthentication"},
            "Transitions": {"NextAction": "d",
                "Conditions": [{"NextAction": "v", "Condition": {"Operator": "Equals", "Operands": ["NotEnrolled"]}}],
                "Errors": [{"NextAction": if from_start { "v" } else { "d" }, "ErrorType": "NoMatchingError"}]}});
        let text = json!({"Version": "2019-10-30", "StartAction": "c",
            "Actions": [check, view, {"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]});
        parse_str(&text.to_string(), "t.json", "t").unwrap()
    }

    fn dead(f: &Flow) -> Vec<String> {
        dead_branches_in(f, f.by_id["v"])
            .into_iter()
            .map(|d| d.branch.label())
            .collect()
    }

    fn branches_taken(f: Flow, channel: &str) -> Vec<String> {
        let env = Environment {
            channel: Some(channel.into()),
            ..Environment::default()
        };
        let config = CallConfig {
            env: Arc::new(env),
            ..CallConfig::default()
        };
        let mut e = Engine::new(FlowSet::single(f), config);
        taken_at(e.handle(Input::Start, SimTime::ZERO), "v")
    }

    /// The branches block `id` took in `effects`.
    fn taken_at(effects: Vec<Effect>, id: &str) -> Vec<String> {
        effects
            .into_iter()
            .filter_map(|fx| match fx {
                Effect::Trace(t) => match t.kind {
                    TraceKind::BranchTaken { block, branch, .. } if block.id == id => Some(branch),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Whether the reach rules say block `id`'s `NoMatchingError` is never taken.
    fn error_dead(f: &Flow, id: &str) -> bool {
        dead_branches_in(f, f.by_id[id])
            .iter()
            .any(|d| d.branch.label() == "NoMatchingError")
    }

    #[test]
    fn a_view_only_voice_contacts_reach_takes_only_its_error() {
        // Every way to the view is a Voice ID result: a voice contact, which a view
        // (chat only) sends to NoMatchingError.
        let only_voice = flow(false);
        let d = dead(&only_voice);
        assert_eq!(
            d,
            ["Next", "= Back", "NoMatchingCondition", "TimeLimitExceeded"]
        );
        assert_eq!(branches_taken(only_voice, "VOICE"), ["NoMatchingError"]);
        // A chat contact errs at Check Voice ID and reaches the view, which then answers.
        let both = flow(true);
        assert!(dead(&both).iter().all(|b| b == "Next"), "{:?}", dead(&both));
        assert_eq!(branches_taken(both, "CHAT"), ["= Back"]);
    }

    /// A menu, then Set working queue and Transfer to queue; `skip` wires key 2 to the
    /// transfer directly.
    fn queue_flow(skip: bool) -> Flow {
        let menu = json!({"Identifier": "m", "Type": "GetParticipantInput",
            "Parameters": {"Text": "Press 1", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
            "Transitions": {"NextAction": "q",
                "Conditions": [{"NextAction": if skip { "t" } else { "q" }, "Condition": {"Operator": "Equals", "Operands": ["2"]}}],
                "Errors": [{"NextAction": "q", "ErrorType": "InputTimeLimitExceeded"},
                           {"NextAction": "q", "ErrorType": "NoMatchingCondition"},
                           {"NextAction": "q", "ErrorType": "NoMatchingError"}]}});
        let set = json!({"Identifier": "q", "Type": "UpdateContactTargetQueue",
            "Parameters": {"QueueId": "$.Attributes.queue"},
            "Transitions": {"NextAction": "t", "Errors": [{"NextAction": "d", "ErrorType": "NoMatchingError"}]}});
        let transfer = json!({"Identifier": "t", "Type": "TransferContactToQueue", "Parameters": {},
            "Transitions": {"NextAction": "d", "Errors": [
                {"NextAction": "d", "ErrorType": "QueueAtCapacity"},
                {"NextAction": "d", "ErrorType": "NoMatchingError"}]}});
        let text = json!({"Version": "2019-10-30", "StartAction": "m",
            "Actions": [menu, set, transfer, {"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]});
        parse_str(&text.to_string(), "t.json", "t").unwrap()
    }

    #[test]
    fn fixed_flow_attributes_always_fit() {
        let flow = |value: &str| {
            let set = json!({"Identifier": "s", "Type": "UpdateFlowAttributes",
                "Parameters": {"FlowAttributes": {"mode": {"Value": value}}},
                "Transitions": {"NextAction": "d", "Errors": [{"NextAction": "d", "ErrorType": "NoMatchingError"}]}});
            let text = json!({"Version": "2019-10-30", "StartAction": "s",
                "Actions": [set, {"Identifier": "d", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}]});
            parse_str(&text.to_string(), "t.json", "t").unwrap()
        };
        assert!(error_dead(&flow("task"), "s"));
        // A Lambda's answer may be as big as 32 KB: the write can fail.
        assert!(!error_dead(&flow("$.External.big"), "s"));
    }

    #[test]
    fn a_transfer_every_way_to_which_sets_the_queue_cannot_lack_one() {
        assert!(error_dead(&queue_flow(false), "t"));
        // Key 2 skips Set working queue: the transfer finds none and errs, as the
        // engine runs it.
        let skipping = queue_flow(true);
        assert!(!error_dead(&skipping, "t"));
        let mut e = Engine::new(FlowSet::single(skipping), CallConfig::default());
        e.handle(Input::Start, SimTime::ZERO);
        let taken = taken_at(e.handle(Input::Key('2'), SimTime::ZERO), "t");
        assert_eq!(taken, ["NoMatchingError"]);
    }
}
