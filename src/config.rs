//! `--config FILE`: the shared options in TOML. Flags given on the command line win.
//!
//! ```toml
//! caller = "+13035551234"
//! dialed = "+18005550199"
//! hours = "closed"          # open | closed
//! flows = "other-flows/"    # relative to this file
//! seed = 7
//! strict = true
//! max_steps = 2000
//! queue_at_capacity = false
//!
//! [lambda]                  # PATTERN = BACKEND, tried in order
//! "generate-vanity-numbers" = "builtin:vanity"
//! "*" = "json:{}"
//!
//! [attributes]              # initial contact attributes
//! Language = "en"
//!
//! [aws]
//! region = "us-east-1"
//! profile = "dev"
//! endpoint_url = "http://127.0.0.1:3001"
//!
//! [env]                     # the contact center, as in an --env file
//! channel = "CHAT"
//! [env.queues.Sales]
//! agents_available = 0
//! ```

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use crate::env::Environment;

/// The file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub caller: Option<String>,
    pub dialed: Option<String>,
    pub hours: Option<String>,
    pub flows: Option<PathBuf>,
    pub seed: Option<u64>,
    pub strict: Option<bool>,
    pub max_steps: Option<u32>,
    pub queue_at_capacity: Option<bool>,
    #[serde(default)]
    pub lambda: IndexMap<String, String>,
    #[serde(default)]
    pub attributes: IndexMap<String, String>,
    #[serde(default)]
    pub aws: AwsConfig,
    /// The contact center (`docs/environment.md`).
    #[serde(default)]
    pub env: Environment,
}

/// `[aws]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

/// A config file that cannot be used: one line naming the file (and the line).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read config: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
}

/// Read an environment file (`--env FILE`): TOML of [`Environment`].
pub fn load_env(path: &Path) -> Result<Environment, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        line: e
            .span()
            .map(|sp| text[..sp.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_owned(),
    })
}

impl ConfigFile {
    /// Read a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg: Self = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1)),
            message: e.message().to_owned(),
        })?;
        if let Some(dir) = path.parent() {
            cfg.flows = cfg.flows.map(|f| dir.join(f));
        }
        Ok(cfg)
    }
}
