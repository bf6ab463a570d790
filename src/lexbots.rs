//! Lex backends from `--lex PATTERN=BACKEND`, `lex` lines and `[env] lex`: canned
//! intents (`intent:NAME[,slot=value…]`, several for one pattern answer in turn) and
//! offline bots read from a Lex V2 console export (`file:PATH`, the zip or its
//! unpacked folder). The matching itself is [`flowsim_core::lex`]. Deployed bots
//! (`aws` / `aws:ALIAS_ARN`) are asked through a [`LiveBot`] the driver holds.

#[cfg(feature = "aws")]
pub mod aws;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{LexOutcome, LexRequest};
use crate::env::{Environment, LexBackend};
use crate::lambda::BoxFuture;
use crate::lex::Bot;

/// What answers the turns of a live bot (the engine asks through
/// [`Effect::RecognizeText`](crate::engine::Effect)).
pub trait LiveBot: Send + Sync {
    fn recognize<'a>(&'a self, request: &'a LexRequest) -> BoxFuture<'a, LexOutcome>;
}

/// A build without the `aws` feature: every turn fails, saying so.
#[derive(Debug)]
pub struct NoLiveBot;

impl LiveBot for NoLiveBot {
    fn recognize<'a>(&'a self, _: &'a LexRequest) -> BoxFuture<'a, LexOutcome> {
        Box::pin(async {
            LexOutcome::Failed {
                cause: "the `aws` Lex backend is not in this build (rebuild with the default `aws` feature)"
                    .into(),
            }
        })
    }
}

/// A Lex backend that cannot be used: one line naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LexError(pub String);

/// Build `env.bots` from `(pattern, backend, folder relative paths start from)`,
/// after any the environment's own `lex` table names (relative to `env_base`).
pub fn resolve(
    env: &mut Environment,
    env_base: &Path,
    extra: &[(String, String, PathBuf)],
) -> Result<(), LexError> {
    let mut specs: Vec<(String, String, PathBuf)> = extra.to_vec();
    for (p, b) in &env.lex {
        specs.push((p.clone(), b.clone(), env_base.to_path_buf()));
    }
    for (pattern, backend, base) in specs {
        let backend = backend.trim();
        if let Some(path) = backend.strip_prefix("file:") {
            let path = base.join(path);
            let bot = load_export(&path)?;
            let shown = std::path::absolute(&path).unwrap_or(path);
            env.lex_lines
                .push((pattern.clone(), format!("file:{}", shown.display())));
            env.bots.push((pattern, LexBackend::Offline(Arc::new(bot))));
            continue;
        }
        env.add_lex_answer(&pattern, backend)
            .map_err(|e| LexError(e.0))?;
    }
    Ok(())
}

/// Read a Lex V2 export: a zip, or the folder it unpacks to.
pub fn load_export(path: &Path) -> Result<Bot, LexError> {
    let shown = path.display();
    let err = |e: String| LexError(format!("{shown}: {e}"));
    let mut files = Vec::new();
    if path.is_dir() {
        collect(path, path, &mut files).map_err(|e| err(e.to_string()))?;
    } else {
        let f = std::fs::File::open(path)
            .map_err(|e| err(format!("cannot read the bot export: {e}")))?;
        let mut zip =
            zip::ZipArchive::new(f).map_err(|e| err(format!("not a Lex export zip: {e}")))?;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| err(e.to_string()))?;
            let name = entry.name().map_err(|e| err(e.to_string()))?.into_owned();
            if !entry.is_file() || !name.to_lowercase().ends_with(".json") {
                continue;
            }
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| err(format!("{name}: {e}")))?;
            files.push((name, text));
        }
    }
    Bot::from_export(&files).map_err(err)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect(root, &p, out)?;
        } else if p
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read_to_string(&p)?));
        }
    }
    Ok(())
}
