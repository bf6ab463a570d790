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

use crate::catalogue::ErrorType;
use crate::flow::{Block, Branch, Kind, Prompt};

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
    let mut out = Vec::new();
    if let Some(reason) = reason.filter(|_| block.next_id.is_some()) {
        out.push(DeadBranch {
            branch: Branch::Next,
            reason,
        });
    }
    if let Some(reason) = cannot_fail(block)
        && block.error_target(ErrorType::NoMatchingError).is_some()
    {
        out.push(DeadBranch {
            branch: Branch::Error(ErrorType::NoMatchingError.as_str().into()),
            reason,
        });
    }
    out
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
