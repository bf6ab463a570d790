//! Prompts: Play prompt and Loop prompts. A prompt takes the time it takes to say
//! (docs/semantics.md, "Prompts take time"): a Play prompt holds the call until it
//! ends ([`Status::Playing`]); keys pressed meanwhile are dropped unless touchtone
//! buffering is on.

use super::*;

/// How long an audio prompt (a prompt from the library, an S3 file) plays: flowsim
/// cannot hear it, so it assumes this.
pub const AUDIO_PROMPT_MS: u64 = 3000;

impl Engine {
    pub(super) fn loop_prompts(&mut self, idx: BlockIdx, prompts: &[Prompt]) -> Step {
        for prompt in prompts {
            if let Err(e) = self.play(idx, Some(prompt)) {
                return Step::Go(Choice::Error(ErrorType::NoMatchingError, e));
            }
        }
        Step::End(EndReason::Ended {
            detail: "the messages loop until an agent answers or the caller hangs up".into(),
        })
    }

    /// A Play prompt (MessageParticipant): the prompt plays, then `Next`. With
    /// touchtone buffering on and `SkipWhenDTMFBufferEnabled`, a buffer holding
    /// digits skips it (adminguide touchtone-buffering).
    pub(super) fn message(
        &mut self,
        block: &Block,
        idx: BlockIdx,
        prompt: Option<&Prompt>,
    ) -> Step {
        let skippable = skip_when_buffered(block);
        if skippable && self.buffering && !self.typeahead.is_empty() {
            return Step::Go(Choice::Next(
                "prompt skipped: the touchtone buffer holds digits".into(),
            ));
        }
        match self.play(idx, prompt) {
            Ok(0) => Step::Go(Choice::Next("prompt played".into())),
            Ok(_) => {
                self.wait = Wait::Prompt {
                    block: idx,
                    deadline: self.playing_until,
                };
                Step::Wait
            }
            Err(e) => Step::Go(Choice::Error(ErrorType::NoMatchingError, e)),
        }
    }

    /// The Play prompt ended: take `Next`.
    pub(super) fn prompt_done(&mut self, idx: BlockIdx, why: &str) {
        self.playing_until = self.playing_until.min(self.now);
        self.resume(idx, Choice::Next(why.into()));
    }

    /// Play a prompt: render it and emit it; the prompt plays until
    /// `self.playing_until`. `Ok(duration in ms)`; `Err` = malformed SSML.
    pub(super) fn play(&mut self, idx: BlockIdx, prompt: Option<&Prompt>) -> Result<u64, String> {
        let Some(prompt) = prompt else {
            return Ok(0);
        };
        let rendered = self.render(idx, prompt)?;
        Ok(self.say(idx, &rendered))
    }

    /// What a prompt says, references resolved: `Err` = malformed SSML.
    pub(super) fn render(&mut self, idx: BlockIdx, prompt: &Prompt) -> Result<Rendered, String> {
        Ok(match prompt {
            Prompt::Text(t) => {
                let source = self.text_value(idx, t);
                let ms = ssml::spoken_ms(&source);
                (ssml::tidy(&source), PromptKind::Text, source, ms)
            }
            Prompt::Ssml(s) => {
                let source = self.text_value(idx, s);
                let (text, ms) = ssml::render_timed(&source).map_err(|e| e.to_string())?;
                (text, PromptKind::Ssml, source, ms)
            }
            Prompt::PromptId { id, name } => {
                let id = self.text_value(idx, id);
                let label = name
                    .clone()
                    .unwrap_or_else(|| id.rsplit('/').next().unwrap_or(&id).to_owned());
                (
                    format!("[prompt: {label}]"),
                    PromptKind::PromptId,
                    id,
                    AUDIO_PROMPT_MS,
                )
            }
            Prompt::Media { uri } => {
                let uri = self.text_value(idx, uri);
                (
                    format!("[audio: {uri}]"),
                    PromptKind::Media,
                    uri,
                    AUDIO_PROMPT_MS,
                )
            }
        })
    }

    /// Say a rendered prompt: it plays until `self.playing_until`; its duration.
    pub(super) fn say(&mut self, idx: BlockIdx, rendered: &Rendered) -> u64 {
        let (text, kind, source, duration_ms) = rendered.clone();
        // The caller heard something: a new sequence of Lambda functions starts.
        self.lambda_sequence = 0;
        let start = self.now.max(self.playing_until);
        self.playing_until = start.plus(Duration::from_millis(duration_ms));
        self.emit(TraceKind::Prompt {
            block: self.block_ref(idx),
            text,
            kind,
            source,
            duration_ms,
        });
        duration_ms
    }
}

/// A prompt ready to say: text shown, kind, source (references resolved), duration.
pub(super) type Rendered = (String, PromptKind, String, u64);

/// Play prompt's "Skip or interrupt this prompt when touchtone buffering is enabled".
pub(super) fn skip_when_buffered(block: &Block) -> bool {
    block
        .params
        .get("SkipWhenDTMFBufferEnabled")
        .is_some_and(|v| match v {
            Value::Bool(b) => *b,
            Value::String(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        })
}
