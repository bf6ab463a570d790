//! The `PATTERN=BACKEND` language of `--lambda` and the `.call` `lambda` line: which
//! backend answers which function, as data. Building the backends is the `flowsim`
//! crate's job (`lambda::Registry`).

use std::path::{Path, PathBuf};

/// A parsed `BACKEND` of `--lambda PATTERN=BACKEND`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendSpec {
    /// `builtin:NAME` (only `builtin:vanity` exists).
    Builtin(String),
    /// `json:{…}`: one canned response, given inline.
    Json(String),
    /// `file:PATH`: a canned response, or a list of responses used in turn.
    File(PathBuf),
    /// `exec:COMMAND`: a local program.
    Exec(String),
    /// `aws` / `aws:NAME_OR_ARN`: the real function.
    Aws(Option<String>),
    /// `error`: the function fails.
    Error,
    /// `timeout`: the function never answers.
    Timeout,
    /// `throttle`: Lambda throttles the invocation (429 TooManyRequestsException),
    /// which Connect retries.
    Throttle,
}

impl BackendSpec {
    /// Parse a backend spec. `base` is the folder relative `file:` paths start from.
    pub fn parse(text: &str, base: &Path) -> Result<Self, MappingError> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(':') {
            Some((k, r)) => (k, Some(r)),
            None => (text, None),
        };
        let spec = match (kind, rest) {
            ("builtin", Some(name)) => {
                if name != "vanity" {
                    return Err(MappingError::new(format!(
                        "unknown built-in function `{name}` (there is only builtin:vanity)"
                    )));
                }
                Self::Builtin(name.to_owned())
            }
            ("json", Some(body)) => {
                serde_json::from_str::<serde_json::Value>(body).map_err(|e| {
                    MappingError::new(format!("`json:` backend is not valid JSON: {e}"))
                })?;
                Self::Json(body.to_owned())
            }
            ("file", Some(path)) if !path.is_empty() => Self::File(base.join(path)),
            ("exec", Some(cmd)) if !cmd.trim().is_empty() => Self::Exec(cmd.to_owned()),
            ("aws", None) => Self::Aws(None),
            ("aws", Some(target)) if !target.is_empty() => Self::Aws(Some(target.to_owned())),
            ("error", None) => Self::Error,
            ("timeout", None) => Self::Timeout,
            ("throttle", None) => Self::Throttle,
            _ => {
                return Err(MappingError::new(format!(
                    "unknown Lambda backend `{text}` (expected builtin:vanity, json:{{…}}, \
                     file:PATH, exec:COMMAND, aws, aws:NAME, error, throttle or timeout)"
                )));
            }
        };
        Ok(spec)
    }
}

/// One `PATTERN=BACKEND` mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub pattern: String,
    pub spec: BackendSpec,
}

impl Mapping {
    /// Parse `PATTERN=BACKEND`. The first `=` splits (JSON bodies may hold more).
    pub fn parse(text: &str, base: &Path) -> Result<Self, MappingError> {
        let Some((pattern, backend)) = text.split_once('=') else {
            return Err(MappingError::new(format!(
                "`--lambda {text}`: expected PATTERN=BACKEND, e.g. generate-vanity-numbers=builtin:vanity"
            )));
        };
        let pattern = pattern.trim();
        if pattern.is_empty() {
            return Err(MappingError::new(format!(
                "`--lambda {text}`: empty PATTERN"
            )));
        }
        Ok(Self {
            pattern: pattern.to_owned(),
            spec: BackendSpec::parse(backend, base)?,
        })
    }
}

/// A bad mapping or backend: a one-line message for the user (exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MappingError {
    pub message: String,
}

impl MappingError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_parse() {
        let m = Mapping::parse(r#"f=json:{"a":"="}"#, Path::new(".")).unwrap();
        assert_eq!(m.pattern, "f");
        assert_eq!(m.spec, BackendSpec::Json(r#"{"a":"="}"#.into()));
        assert!(Mapping::parse("f", Path::new(".")).is_err());
        assert!(Mapping::parse("f=json:{", Path::new(".")).is_err());
        assert!(Mapping::parse("f=bogus", Path::new(".")).is_err());
        assert_eq!(
            Mapping::parse("f=timeout", Path::new(".")).unwrap().spec,
            BackendSpec::Timeout
        );
        assert_eq!(
            Mapping::parse("f=throttle", Path::new(".")).unwrap().spec,
            BackendSpec::Throttle
        );
    }
}
