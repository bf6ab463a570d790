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
//! ```

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

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
}

/// `[aws]`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

impl ConfigFile {
    /// Read a config file; the error is one line naming the file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read config: {e}", path.display()))?;
        let mut cfg: Self = toml::from_str(&text).map_err(|e| {
            let msg = e.message().to_owned();
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            match line {
                Some(l) => format!("{}:{l}: {msg}", path.display()),
                None => format!("{}: {msg}", path.display()),
            }
        })?;
        if let Some(dir) = path.parent() {
            cfg.flows = cfg.flows.map(|f| dir.join(f));
        }
        Ok(cfg)
    }
}
