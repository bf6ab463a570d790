//! Parsing `.call` scripts: one directive per line, errors as `file:line: message`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use regex::Regex;

use crate::env::{EnvError, Environment, View};
use crate::mapping::Mapping;

/// Every directive keyword, for "did you mean" suggestions.
pub const DIRECTIVES: &[&str] = &[
    "flow",
    "caller",
    "dialed",
    "attribute",
    "hours",
    "lambda",
    "channel",
    "at",
    "queue",
    "customer",
    "view",
    "env",
    "lex",
    "expect",
    "say",
    "press",
    "silence",
    "wait",
    "hangup",
    "hold",
];

/// The forms of `expect` after the keyword.
const EXPECT_FORMS: &[&str] = &["no", "lambda", "attribute", "external", "block", "end"];

/// A parsed script.
#[derive(Debug, Clone)]
pub struct Script {
    /// The file, as given.
    pub path: PathBuf,
    /// Its folder: relative paths in the script start here.
    pub dir: PathBuf,
    /// The original text (for `--update`).
    pub text: String,
    /// Directives with their 1-based line numbers.
    pub lines: Vec<Line>,
}

/// One directive and where it was written.
#[derive(Debug, Clone)]
pub struct Line {
    pub number: usize,
    pub directive: Directive,
}

/// What a line says.
#[derive(Debug, Clone)]
pub enum Directive {
    /// `flow PATH` (resolved against the script's folder).
    Flow(PathBuf),
    Caller(String),
    Dialed(String),
    Attribute(String, String),
    /// `hours open|closed`: true when open.
    Hours(bool),
    /// `lambda NAME = BACKEND`. Several lines for one function answer in turn.
    Lambda(Mapping),
    /// The contact center: `channel`, `at`, `queue`, `customer`, `view`, `env`.
    Env(EnvSetting),
    /// `say "…"`: an utterance (to a Lex block, or a chat message).
    Say(String),
    /// `expect $.Path = "value"`: any value of the contact, resolved as a flow
    /// reference is.
    ExpectValue(String, String),
    /// `expect "…"` / `expect /re/`.
    Expect(Matcher),
    /// `expect no "…"`.
    ExpectNo(Matcher),
    /// `press KEYS`.
    Press(String),
    Silence,
    Wait(Duration),
    Hangup,
    /// `hold 30s`: once the agent has answered (and the whispers ran), the agent
    /// puts the caller on hold this long; several lines are several holds.
    Hold(Duration),
    ExpectLambda(String),
    ExpectAttribute(String, String),
    ExpectExternal(String, String),
    ExpectBlock(String),
    ExpectEnd(EndExpect),
}

impl Directive {
    /// Settings that describe the call rather than act on it (must come first).
    pub fn is_setting(&self) -> bool {
        matches!(
            self,
            Self::Flow(_)
                | Self::Caller(_)
                | Self::Dialed(_)
                | Self::Attribute(..)
                | Self::Hours(_)
                | Self::Lambda(_)
                | Self::Env(_)
        )
    }
}

/// One environment setting of a script (docs/environment.md).
#[derive(Debug, Clone, PartialEq)]
pub enum EnvSetting {
    /// `channel chat`.
    Channel(String),
    /// `at 2026-12-01T20:00-05:00`.
    At(String),
    /// `queue "Sales" agents_available 0 …`: NAME:key=value,… as `--queue` takes it.
    Queue(String),
    /// `customer +13035551234 FirstName=Ana`: PHONE,Key=Value,… as `--customer`.
    Customer(String),
    /// `view "form" action Submit email=a@b.c`.
    View {
        name: String,
        action: String,
        data: serde_json::Map<String, serde_json::Value>,
    },
    /// `env PATH`: an environment file (resolved against the script's folder).
    File(PathBuf),
    /// `lex PATTERN = BACKEND`: a Lex bot (`intent:NAME[,slot=v…]`, or `file:EXPORT`
    /// resolved against the script's folder; the runner reads it).
    Lex {
        pattern: String,
        backend: String,
        dir: PathBuf,
    },
    /// `env {…}`: environment settings inline, in the file's JSON form (what
    /// recordings write for settings with no line of their own).
    Inline(Box<Environment>),
}

impl EnvSetting {
    /// Lay the setting over `env` (files are the runner's: it reads them).
    pub fn apply(&self, env: &mut Environment) -> Result<(), EnvError> {
        match self {
            Self::Channel(c) => env.set_channel(c),
            Self::At(t) => env.set_at(t),
            Self::Queue(spec) => env.set_queue(spec),
            Self::Customer(spec) => env.add_customer(spec),
            Self::View { name, action, data } => {
                env.views.insert(
                    name.clone(),
                    View {
                        action: action.clone(),
                        data: serde_json::Value::Object(data.clone()),
                    },
                );
                Ok(())
            }
            Self::File(_) => Ok(()),
            Self::Lex {
                pattern, backend, ..
            } => {
                if backend.trim().starts_with("file:") {
                    return Ok(());
                }
                env.add_lex_answer(pattern, backend)
            }
            Self::Inline(more) => {
                env.merge((**more).clone());
                env.validate()
            }
        }
    }
}

/// What an `expect` looks for in a prompt: a phrase (case-insensitive, white space
/// folded) or a regular expression (case-insensitive, on the white-space-folded text).
#[derive(Debug, Clone)]
pub struct Matcher {
    pattern: Pattern,
    /// As written: `"phrase"` or `/regex/`.
    shown: String,
}

#[derive(Debug, Clone)]
enum Pattern {
    /// White space folded. Compared char by char, ignoring case: compiling a regex
    /// per phrase cost ~0.1 ms each, most of the time spent loading a recording.
    Phrase(String),
    Regex(Regex),
}

impl Matcher {
    /// A phrase.
    pub fn text(s: &str) -> Self {
        Self {
            pattern: Pattern::Phrase(fold(s)),
            shown: format!("\"{}\"", escape(s)),
        }
    }

    /// A regular expression (source without the slashes).
    pub fn regex(src: &str) -> Result<Self, regex::Error> {
        Ok(Self {
            pattern: Pattern::Regex(Regex::new(&format!("(?i){src}"))?),
            shown: format!("/{src}/"),
        })
    }

    /// Does the prompt text match?
    pub fn matches(&self, text: &str) -> bool {
        self.find_from(text, 0).is_some()
    }

    /// Match in the folded text from byte `offset`; the end of the match.
    pub fn find_from(&self, text: &str, offset: usize) -> Option<usize> {
        let folded = fold(text);
        if offset > folded.len() || !folded.is_char_boundary(offset) {
            return None;
        }
        match &self.pattern {
            Pattern::Regex(re) => re.find_at(&folded, offset).map(|m| m.end()),
            Pattern::Phrase(phrase) => find_ignoring_case(&folded, phrase, offset),
        }
    }
}

/// The end of the first case-insensitive occurrence of `needle` in `hay` at or after
/// byte `offset` (a char boundary).
fn find_ignoring_case(hay: &str, needle: &str, offset: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(offset);
    }
    let same = |a: char, b: char| a == b || a.to_lowercase().eq(b.to_lowercase());
    hay[offset..].char_indices().find_map(|(i, _)| {
        let start = offset + i;
        let mut rest = hay[start..].char_indices();
        for n in needle.chars() {
            match rest.next() {
                Some((_, h)) if same(h, n) => {}
                _ => return None,
            }
        }
        Some(rest.next().map_or(hay.len(), |(j, _)| start + j))
    })
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

/// How the call should end: `expect end …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndExpect {
    Disconnected,
    Hangup,
    /// `queue` or `queue "NAME"`: the call reached the queue (whatever came after:
    /// an agent, an abandon, a callback, or it still waits there).
    Queue(Option<String>),
    /// `agent` or `agent "NAME"`: an agent in that queue answered.
    Agent(Option<String>),
    /// `abandoned` or `abandoned "NAME"`: the caller hung up while waiting.
    Abandoned(Option<String>),
    /// `callback` or `callback "NAME"`: a callback was queued.
    Callback(Option<String>),
    Ended,
    Budget,
    Stopped,
}

impl fmt::Display for EndExpect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Disconnected => f.write_str("disconnected"),
            Self::Hangup => f.write_str("hangup"),
            Self::Queue(q) => with_queue(f, "queue", q.as_deref()),
            Self::Agent(q) => with_queue(f, "agent", q.as_deref()),
            Self::Abandoned(q) => with_queue(f, "abandoned", q.as_deref()),
            Self::Callback(q) => with_queue(f, "callback", q.as_deref()),
            Self::Ended => f.write_str("ended"),
            Self::Budget => f.write_str("budget"),
            Self::Stopped => f.write_str("stopped"),
        }
    }
}

fn with_queue(f: &mut fmt::Formatter<'_>, word: &str, queue: Option<&str>) -> fmt::Result {
    match queue {
        Some(q) => write!(f, "{word} \"{}\"", escape(q)),
        None => f.write_str(word),
    }
}

/// A bad script: `file:line: message` (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// Read and parse a script file.
pub fn load_script(path: &Path) -> Result<Script, ParseError> {
    let bytes = std::fs::read(path).map_err(|e| ParseError {
        path: path.to_owned(),
        line: 0,
        message: format!("cannot read script: {e}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..bad];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        ParseError {
            path: path.to_owned(),
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            message: format!(
                "not UTF-8 text (invalid byte at column {})",
                bad - line_start + 1
            ),
        }
    })?;
    parse_script(&text, path)
}

impl Script {
    /// Lines worth a warning, as `file:line: warning: …`: a `caller` or `dialed`
    /// number that is not E.164 (used as given: Connect does not validate caller IDs).
    pub fn warnings(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter_map(|l| {
                let (word, n) = match &l.directive {
                    Directive::Caller(n) => ("caller", n),
                    Directive::Dialed(n) => ("dialed", n),
                    _ => return None,
                };
                let w = crate::phone::e164_warning(n)?;
                Some(format!(
                    "{}:{}: warning: {word} {w}",
                    self.path.display(),
                    l.number
                ))
            })
            .collect()
    }
}

/// Parse script text; `path` names it in errors and gives the folder for relative paths.
pub fn parse_script(text: &str, path: &Path) -> Result<Script, ParseError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let mut lines = Vec::new();
    let mut first_action: Option<usize> = None;
    let mut flow_line: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let err = |message: String| ParseError {
            path: path.to_owned(),
            line: number,
            message,
        };
        let Some(directive) = parse_line(raw, &dir).map_err(err)? else {
            continue;
        };
        if directive.is_setting() {
            if let Some(a) = first_action {
                return Err(err(format!(
                    "settings (flow, caller, dialed, attribute, hours, lambda) must come before \
                     the call starts (line {a} already acts on the call)"
                )));
            }
            if matches!(directive, Directive::Flow(_)) {
                if let Some(f) = flow_line {
                    return Err(err(format!("a second `flow` line (the first is line {f})")));
                }
                flow_line = Some(number);
            }
        } else if first_action.is_none() {
            first_action = Some(number);
        }
        lines.push(Line { number, directive });
    }
    Ok(Script {
        path: path.to_owned(),
        dir,
        text: text.to_owned(),
        lines,
    })
}

/// Parse one line; `Ok(None)` for blank lines and comments.
pub fn parse_line(raw: &str, dir: &Path) -> Result<Option<Directive>, String> {
    let line = raw.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (word, rest) = split_word(line);
    let d = match word {
        "flow" => {
            let p = bare(rest);
            if p.is_empty() {
                return Err(
                    "`flow` needs a path, e.g. flow ../contactflow/Vanity_Numbers.json".into(),
                );
            }
            Directive::Flow(dir.join(p))
        }
        "caller" | "dialed" => {
            let n = bare(rest);
            if word == "caller" {
                Directive::Caller(n.to_owned())
            } else {
                Directive::Dialed(n.to_owned())
            }
        }
        "attribute" => {
            let (k, v) = key_value(rest, "attribute Language = en")?;
            Directive::Attribute(k, v)
        }
        "hours" => match bare(rest) {
            "open" => Directive::Hours(true),
            "closed" => Directive::Hours(false),
            other => {
                return Err(format!(
                    "`hours {other}`: expected `hours open` or `hours closed`"
                ));
            }
        },
        "lambda" => {
            let Some((name, backend)) = rest.split_once('=') else {
                return Err(
                    "`lambda` needs NAME = BACKEND, e.g. lambda my-function = json:{\"a\":\"b\"}"
                        .into(),
                );
            };
            let name = name.trim();
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(format!(
                    "`lambda {name} = …`: expected one function name or pattern"
                ));
            }
            let backend = backend_text(backend.trim())?;
            let m = Mapping::parse(&format!("{name}={backend}"), dir).map_err(|e| e.to_string())?;
            Directive::Lambda(m)
        }
        "press" => {
            let (keys, after) = split_word(rest);
            end_of_line(after)?;
            if keys.is_empty() {
                return Err("`press` needs keys, e.g. press 1 or press 5551234567#".into());
            }
            if let Some(c) = keys
                .chars()
                .find(|c| !(c.is_ascii_digit() || *c == '*' || *c == '#'))
            {
                return Err(format!(
                    "`press {keys}`: `{c}` is not a phone key (0-9, * and # are)"
                ));
            }
            Directive::Press(keys.to_owned())
        }
        "silence" => {
            end_of_line(rest)?;
            Directive::Silence
        }
        "hangup" => {
            end_of_line(rest)?;
            Directive::Hangup
        }
        "wait" => Directive::Wait(duration(bare(rest))?),
        "hold" => {
            let d = duration(bare(rest)).map_err(|_| {
                format!(
                    "`hold {}`: expected a duration such as 30s or 2m",
                    bare(rest)
                )
            })?;
            if d.is_zero() {
                return Err("`hold 0s`: a hold lasts some time, e.g. hold 30s".into());
            }
            Directive::Hold(d)
        }
        "say" => {
            let t = rest.trim_start();
            if !t.starts_with('"') {
                return Err(
                    "`say` needs a quoted utterance, e.g. say \"I want my balance\"".into(),
                );
            }
            let (text, tail) = quoted(t)?;
            end_of_line(tail)?;
            Directive::Say(text)
        }
        "lex" => {
            let Some((pattern, backend)) = rest.split_once('=') else {
                return Err(
                    "`lex` needs PATTERN = BACKEND, e.g. lex MyBot = intent:CheckBalance".into(),
                );
            };
            let setting = EnvSetting::Lex {
                pattern: pattern.trim().to_owned(),
                backend: bare(backend).to_owned(),
                dir: dir.to_path_buf(),
            };
            setting
                .apply(&mut Environment::default())
                .map_err(|e| e.0)?;
            Directive::Env(setting)
        }
        "channel" | "at" | "queue" | "customer" | "view" | "env" => {
            let setting = parse_env(word, rest, dir)?;
            setting
                .apply(&mut Environment::default())
                .map_err(|e| e.0)?;
            Directive::Env(setting)
        }
        "expect" => parse_expect(rest)?,
        other => {
            let hint = match closest(other, DIRECTIVES) {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None => format!(" (directives: {})", DIRECTIVES.join(", ")),
            };
            return Err(format!("unknown directive `{other}`{hint}"));
        }
    };
    Ok(Some(d))
}

/// A name that may be quoted, then the rest.
fn name_then(s: &str) -> Result<(String, &str), String> {
    let t = s.trim_start();
    if t.starts_with('"') {
        quoted(t)
    } else {
        let (w, tail) = split_word(t);
        Ok((w.to_owned(), tail))
    }
}

/// `key value key value …` or `key=value …` (up to a comment); a value may be quoted
/// (`key="Start a new claim"`, `\"` and `\\` escaped), as recordings write values with
/// spaces, quotes or `#`.
fn pairs(s: &str) -> Result<Vec<(String, String)>, String> {
    // A word, or a quoted value: what it says and what follows it.
    fn value(s: &str) -> Result<(String, &str), String> {
        if s.starts_with('"') {
            let (v, tail) = quoted(s)?;
            if tail.starts_with(|c: char| !c.is_whitespace()) {
                return Err(format!(
                    "unexpected `{}` after a quoted value",
                    split_word(tail).0
                ));
            }
            Ok((v, tail))
        } else {
            let (w, tail) = split_word(s);
            Ok((w.to_owned(), tail))
        }
    }
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() && !rest.starts_with('#') {
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let key = &rest[..end];
        let after = &rest[end..];
        let (v, tail) = if let Some(after) = after.strip_prefix('=') {
            value(after)?
        } else {
            let after = after.trim_start();
            if after.is_empty() || after.starts_with('#') {
                return Err(format!("`{key}` has no value"));
            }
            value(after)?
        };
        out.push((key.to_owned(), v));
        rest = tail.trim_start();
    }
    Ok(out)
}

fn parse_env(word: &str, rest: &str, dir: &Path) -> Result<EnvSetting, String> {
    Ok(match word {
        "channel" => EnvSetting::Channel(bare(rest).to_owned()),
        "at" => EnvSetting::At(bare(rest).to_owned()),
        "env" if rest.trim_start().starts_with('{') => {
            let v: Environment =
                serde_json::from_str(rest.trim()).map_err(|e| format!("`env {{…}}`: {e}"))?;
            EnvSetting::Inline(Box::new(v))
        }
        "env" => {
            let p = bare(rest);
            if p.is_empty() {
                return Err("`env` needs a path, e.g. env center.toml".into());
            }
            EnvSetting::File(dir.join(p))
        }
        "queue" => {
            let (name, tail) = name_then(rest)?;
            if name.is_empty() {
                return Err("`queue` needs a name, e.g. queue \"Sales\" agents_available 0".into());
            }
            let settings: Vec<String> = pairs(tail)?
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            EnvSetting::Queue(format!("{name}:{}", settings.join(",")))
        }
        "customer" => {
            let (phone, tail) = name_then(rest)?;
            let mut spec = phone;
            for (k, v) in pairs(tail)? {
                spec.push_str(&format!(",{k}={v}"));
            }
            EnvSetting::Customer(spec)
        }
        _ => {
            let (name, tail) = name_then(rest)?;
            let all = pairs(tail)?;
            let mut action = None;
            let mut data = serde_json::Map::new();
            for (k, v) in all {
                if k == "action" {
                    action = Some(v);
                } else {
                    view_value(&mut data, &k, v)?;
                }
            }
            let Some(action) = action.filter(|_| !name.is_empty()) else {
                return Err(
                    "`view` needs a name and an action, e.g. view \"form\" action Submit email=a@b.c"
                        .into(),
                );
            };
            EnvSetting::View { name, action, data }
        }
    })
}

/// `a.b=v` in a view line: `{"a": {"b": "v"}}` in `$.Views.ViewResultData`, where the
/// flow reads it as `$.Views.ViewResultData.a.b`.
fn view_value(
    data: &mut serde_json::Map<String, serde_json::Value>,
    key: &str,
    v: String,
) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("`{key}`: a view value's key is NAME or NAME.NAME…"));
    }
    let mut at = data;
    for p in &parts[..parts.len() - 1] {
        let next = at
            .entry((*p).to_owned())
            .or_insert_with(|| serde_json::Value::Object(Default::default()));
        let serde_json::Value::Object(m) = next else {
            return Err(format!("`{key}`: `{p}` already has a value"));
        };
        at = m;
    }
    let last = parts[parts.len() - 1];
    if at.get(last).is_some_and(serde_json::Value::is_object) {
        return Err(format!("`{key}`: `{last}` already holds other values"));
    }
    at.insert(last.to_owned(), serde_json::Value::String(v));
    Ok(())
}

fn parse_expect(rest: &str) -> Result<Directive, String> {
    let rest = rest.trim_start();
    if rest.starts_with("$.") {
        let (path, v) = key_value(rest, "expect $.Lex.IntentName = \"CheckBalance\"")?;
        return Ok(Directive::ExpectValue(path, v));
    }
    if rest.starts_with('"') || rest.starts_with('/') {
        let m = matcher(rest)?;
        return Ok(Directive::Expect(m));
    }
    let (form, after) = split_word(rest);
    Ok(match form {
        "" => {
            return Err(
                "`expect` needs something to expect, e.g. expect \"press 1\" or expect end disconnected"
                    .into(),
            );
        }
        "no" => Directive::ExpectNo(matcher(after.trim_start())?),
        "lambda" => {
            let name = bare(after);
            if name.is_empty() {
                return Err("`expect lambda` needs a function name".into());
            }
            Directive::ExpectLambda(name.to_owned())
        }
        "attribute" => {
            let (k, v) = key_value(after, "expect attribute TargetNumber = \"+13035551234\"")?;
            Directive::ExpectAttribute(k, v)
        }
        "external" => {
            let (k, v) = key_value(after, "expect external ssmlError = \"false\"")?;
            Directive::ExpectExternal(k, v)
        }
        "block" => {
            let after = after.trim_start();
            let name = if after.starts_with('"') {
                let (s, tail) = quoted(after)?;
                end_of_line(tail)?;
                s
            } else {
                bare(after).to_owned()
            };
            if name.is_empty() {
                return Err("`expect block` needs a block identifier or label".into());
            }
            Directive::ExpectBlock(name)
        }
        "end" => {
            let (how, tail) = split_word(after);
            let e = match how {
                "disconnected" => EndExpect::Disconnected,
                "hangup" => EndExpect::Hangup,
                "ended" => EndExpect::Ended,
                "budget" => EndExpect::Budget,
                "stopped" => EndExpect::Stopped,
                "queue" | "agent" | "abandoned" | "callback" => {
                    let t = tail.trim_start();
                    let q = if t.starts_with('"') {
                        let (q, tail) = quoted(t)?;
                        end_of_line(tail)?;
                        Some(q)
                    } else {
                        let q = bare(t);
                        (!q.is_empty()).then(|| q.to_owned())
                    };
                    return Ok(Directive::ExpectEnd(match how {
                        "queue" => EndExpect::Queue(q),
                        "agent" => EndExpect::Agent(q),
                        "abandoned" => EndExpect::Abandoned(q),
                        _ => EndExpect::Callback(q),
                    }));
                }
                other => {
                    return Err(format!(
                        "`expect end {other}`: expected disconnected, hangup, queue \"NAME\", \
                         agent \"NAME\", abandoned, callback, ended, budget or stopped"
                    ));
                }
            };
            end_of_line(tail)?;
            Directive::ExpectEnd(e)
        }
        other => {
            let hint = closest(other, EXPECT_FORMS)
                .map(|s| format!(" (did you mean `expect {s}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "`expect {other}`: expected a quoted phrase, a /regex/, or one of: expect no, \
                 expect lambda, expect attribute, expect external, expect block, expect end{hint}"
            ));
        }
    })
}

/// A quoted phrase or a /regex/, then the end of the line.
fn matcher(s: &str) -> Result<Matcher, String> {
    if s.starts_with('"') {
        let (text, tail) = quoted(s)?;
        end_of_line(tail)?;
        if fold(&text).is_empty() {
            return Err("empty phrase: expect \"\" would match anything".into());
        }
        Ok(Matcher::text(&text))
    } else if s.starts_with('/') {
        let (src, tail) = regex_literal(s)?;
        end_of_line(tail)?;
        Matcher::regex(&src).map_err(|e| {
            format!(
                "bad regular expression /{src}/: {}",
                one_line(&e.to_string())
            )
        })
    } else {
        Err(format!(
            "expected a quoted phrase (\"…\") or a regular expression (/…/), found `{}`",
            bare(s)
        ))
    }
}

/// `KEY = VALUE` where VALUE is quoted or runs to a comment.
fn key_value(s: &str, example: &str) -> Result<(String, String), String> {
    let Some((k, v)) = s.split_once('=') else {
        return Err(format!("expected KEY = VALUE, e.g. {example}"));
    };
    let k = k.trim();
    if k.is_empty() || k.contains(char::is_whitespace) {
        return Err(format!("expected one KEY before `=`, e.g. {example}"));
    }
    let v = v.trim_start();
    let value = if v.starts_with('"') {
        let (q, tail) = quoted(v)?;
        end_of_line(tail)?;
        q
    } else {
        bare(v).to_owned()
    };
    Ok((k.to_owned(), value))
}

/// The BACKEND of a `lambda` line: a `json:` body runs to the end of its JSON value
/// (which may hold `#`); anything else to a comment.
fn backend_text(s: &str) -> Result<String, String> {
    if let Some(body) = s.strip_prefix("json:") {
        let mut stream = serde_json::Deserializer::from_str(body).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(_)) => {
                let end = stream.byte_offset();
                end_of_line(&body[end..])?;
                Ok(format!("json:{}", &body[..end]))
            }
            Some(Err(e)) => Err(format!("`json:` backend is not valid JSON: {e}")),
            None => Err("`json:` backend is empty".into()),
        }
    } else {
        Ok(bare(s).to_owned())
    }
}

/// `"…"` with `\"` and `\\` escapes; returns the content and what follows.
pub fn quoted(s: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                Some((_, 'n')) => out.push('\n'),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => break,
            },
            '"' => return Ok((out, &s[i + 1..])),
            c => out.push(c),
        }
    }
    Err("unterminated quoted string (missing the closing \")".into())
}

/// `/…/` with `\/` for a slash; returns the regex source and what follows.
fn regex_literal(s: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, '/')) => out.push('/'),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => break,
            },
            '/' => return Ok((out, &s[i + 1..])),
            c => out.push(c),
        }
    }
    Err("unterminated regular expression (missing the closing /)".into())
}

/// `2s`, `500ms`, `1.5s`, `1m`.
fn duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("`wait {s}`: expected a duration such as 2s or 500ms");
    let (num, unit) = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or((s, ""), |i| s.split_at(i));
    let n: f64 = num.parse().map_err(|_| bad())?;
    let ms = match unit.trim() {
        "ms" => n,
        "s" | "" => n * 1000.0,
        "m" | "min" => n * 60_000.0,
        _ => return Err(bad()),
    };
    if !ms.is_finite() || !(0.0..=86_400_000.0).contains(&ms) {
        return Err(bad());
    }
    Ok(Duration::from_millis(ms.round() as u64))
}

/// The first white-space-separated word and the rest.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

/// Text up to a comment (`#` at the start or after white space), trimmed.
fn bare(s: &str) -> &str {
    let s = s.trim();
    let mut prev_space = true;
    for (i, c) in s.char_indices() {
        if c == '#' && prev_space {
            return s[..i].trim_end();
        }
        prev_space = c.is_whitespace();
    }
    s
}

/// Only white space or a comment may follow.
fn end_of_line(s: &str) -> Result<(), String> {
    let t = s.trim_start();
    if t.is_empty() || (t.starts_with('#') && (t.len() < s.len() || s.is_empty())) {
        Ok(())
    } else if t.starts_with('#') {
        Err(format!(
            "unexpected `{t}` (a comment needs a space before #)"
        ))
    } else {
        Err(format!(
            "unexpected `{}` at the end of the line",
            t.trim_end()
        ))
    }
}

/// Collapse runs of white space to one space, trimmed.
pub fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Escape a phrase for a `"…"` literal.
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn one_line(s: &str) -> String {
    fold(s)
}

/// The closest candidate by edit distance, when close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let w = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (levenshtein(&w, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3) || c.starts_with(&w) || w.starts_with(c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_ignoring_case_and_spacing_from_an_offset() {
        let m = Matcher::text("press  1 to CONFIRM");
        let text = "Welcome.  Press 1\nto confirm. Then press 1 to confirm again.";
        let first = m.find_from(text, 0).unwrap();
        assert_eq!(&fold(text)[..first], "Welcome. Press 1 to confirm");
        let second = m.find_from(text, first).unwrap();
        assert!(second > first);
        assert_eq!(m.find_from(text, second), None);
        assert!(Matcher::text("ÉTÉ").matches("un été chaud"));
        assert!(!Matcher::text("press 2").matches("press 1"));
        assert_eq!(Matcher::text("").find_from("abc", 1), Some(1));
    }

    fn one(s: &str) -> Directive {
        parse_line(s, Path::new("/s")).unwrap().unwrap()
    }

    fn bad(s: &str) -> String {
        parse_line(s, Path::new("/s")).unwrap_err()
    }

    #[test]
    fn every_directive() {
        assert!(
            matches!(one("flow ../f.json # c"), Directive::Flow(p) if p == Path::new("/s/../f.json"))
        );
        assert!(matches!(one("caller +13035551234"), Directive::Caller(c) if c == "+13035551234"));
        assert!(matches!(one("dialed +18005550199"), Directive::Dialed(_)));
        assert!(
            matches!(one("attribute Language = en"), Directive::Attribute(k, v) if k == "Language" && v == "en")
        );
        assert!(matches!(one("hours closed"), Directive::Hours(false)));
        match one(r##"lambda f = json:{"a":"# not a comment"}  # comment"##) {
            Directive::Lambda(m) => {
                assert_eq!(m.pattern, "f");
                assert_eq!(
                    m.spec,
                    crate::mapping::BackendSpec::Json(r##"{"a":"# not a comment"}"##.into())
                );
            }
            d => panic!("{d:?}"),
        }
        assert!(matches!(one("lambda f = error"), Directive::Lambda(_)));
        assert!(
            matches!(one(r#"expect "Press  1 to \"confirm\"""#), Directive::Expect(m) if m.matches("press 1 to \"CONFIRM\" now"))
        );
        assert!(
            matches!(one("expect /first .* is [A-Z]{4}/"), Directive::Expect(m) if m.matches("The first number is abcd"))
        );
        assert!(matches!(
            one(r#"expect no "error""#),
            Directive::ExpectNo(_)
        ));
        assert!(matches!(one("press 5551234567#"), Directive::Press(k) if k == "5551234567#"));
        assert!(matches!(one("press # # the pound key"), Directive::Press(k) if k == "#"));
        assert!(matches!(one("silence"), Directive::Silence));
        assert!(matches!(one("wait 2s"), Directive::Wait(d) if d == Duration::from_secs(2)));
        assert!(matches!(one("wait 250ms"), Directive::Wait(d) if d == Duration::from_millis(250)));
        assert!(matches!(one("hold 30s"), Directive::Hold(d) if d == Duration::from_secs(30)));
        assert!(
            matches!(one("hold 2m # music"), Directive::Hold(d) if d == Duration::from_secs(120))
        );
        assert!(matches!(one("hangup"), Directive::Hangup));
        assert!(
            matches!(one("expect lambda vanity-numbers"), Directive::ExpectLambda(n) if n == "vanity-numbers")
        );
        assert!(
            matches!(one(r#"expect attribute T = "+1""#), Directive::ExpectAttribute(k, v) if k == "T" && v == "+1")
        );
        assert!(matches!(
            one(r#"expect external ssmlError = "false""#),
            Directive::ExpectExternal(..)
        ));
        assert!(
            matches!(one(r#"expect block "Good Bye""#), Directive::ExpectBlock(b) if b == "Good Bye")
        );
        assert!(matches!(
            one("expect end disconnected"),
            Directive::ExpectEnd(EndExpect::Disconnected)
        ));
        assert!(
            matches!(one(r#"expect end queue "Vanity Numbers""#), Directive::ExpectEnd(EndExpect::Queue(Some(q))) if q == "Vanity Numbers")
        );
        assert!(
            matches!(one(r#"expect end agent "Sales""#), Directive::ExpectEnd(EndExpect::Agent(Some(q))) if q == "Sales")
        );
        assert!(matches!(
            one("expect end abandoned"),
            Directive::ExpectEnd(EndExpect::Abandoned(None))
        ));
        assert!(matches!(
            one("expect end callback Sales"),
            Directive::ExpectEnd(EndExpect::Callback(Some(_)))
        ));
        assert_eq!(
            EndExpect::Agent(Some("Sales".into())).to_string(),
            "agent \"Sales\""
        );
        match one(r#"view "form" action Submit name="Ana \"A\" #1" Loc.0=Denver k v # c"#) {
            Directive::Env(EnvSetting::View { name, action, data }) => {
                assert_eq!((name.as_str(), action.as_str()), ("form", "Submit"));
                assert_eq!(
                    serde_json::Value::Object(data),
                    serde_json::json!({"name": "Ana \"A\" #1", "Loc": {"0": "Denver"}, "k": "v"})
                );
            }
            d => panic!("{d:?}"),
        }
        assert!(
            parse_line("  # only a comment", Path::new("."))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn errors() {
        assert!(bad("presss 1").contains("did you mean `press`"));
        assert!(bad("expct \"x\"").contains("did you mean `expect`"));
        assert!(bad("expect lamda f").contains("did you mean `expect lambda`"));
        assert!(bad("press 1a").contains("not a phone key"));
        assert!(bad("expect \"open").contains("unterminated"));
        assert!(bad("expect /(/").contains("bad regular expression"));
        assert!(bad("wait soon").contains("duration"));
        assert!(bad("hold later").contains("`hold later`"));
        assert!(bad("hold 0s").contains("some time"));
        assert!(bad("hours maybe").contains("open"));
        assert!(bad("expect end later").contains("disconnected"));
        assert!(bad("lambda f = json:{").contains("JSON"));
        assert!(bad("silence now").contains("unexpected"));
        assert!(bad(r#"view f action Submit k="a"b"#).contains("after a quoted value"));
        assert!(bad(r#"view f action Submit k="a"#).contains("unterminated"));
        assert!(bad("view f action Submit a..b=1").contains("NAME.NAME"));
        assert!(bad("view f action Submit a=1 a.b=2").contains("already has a value"));
        assert!(bad("view f action Submit k").contains("has no value"));
    }

    #[test]
    fn script_errors_name_the_line() {
        let e = parse_script("caller +1\n\npresss 1\n", Path::new("t.call")).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(
            e.to_string()
                .starts_with("t.call:3: unknown directive `presss`")
        );
        let e = parse_script("press 1\ncaller +1\n", Path::new("t.call")).unwrap_err();
        assert_eq!(e.line, 2);
    }
}
