//! Prompts: Play prompt and Loop prompts.

use super::*;

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

    /// Play a prompt: render it and emit it. `Err` = malformed SSML.
    pub(super) fn play(&mut self, idx: BlockIdx, prompt: Option<&Prompt>) -> Result<(), String> {
        let Some(prompt) = prompt else {
            return Ok(());
        };
        let (text, kind, source) = match prompt {
            Prompt::Text(t) => {
                let source = self.text_value(idx, t);
                (ssml::tidy(&source), PromptKind::Text, source)
            }
            Prompt::Ssml(s) => {
                let source = self.text_value(idx, s);
                let text = ssml::render(&source).map_err(|e| e.to_string())?;
                (text, PromptKind::Ssml, source)
            }
            Prompt::PromptId { id, name } => {
                let id = self.text_value(idx, id);
                let label = name
                    .clone()
                    .unwrap_or_else(|| id.rsplit('/').next().unwrap_or(&id).to_owned());
                (format!("[prompt: {label}]"), PromptKind::PromptId, id)
            }
            Prompt::Media { uri } => {
                let uri = self.text_value(idx, uri);
                (format!("[audio: {uri}]"), PromptKind::Media, uri)
            }
        };
        self.emit(TraceKind::Prompt {
            block: self.block_ref(idx),
            text,
            kind,
            source,
        });
        Ok(())
    }
}
