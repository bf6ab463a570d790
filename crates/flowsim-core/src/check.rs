//! `flowsim check`: static validation of flow files.
//!
//! Each file goes through two stages:
//! 1. a pre-pass over the raw JSON for what stops the flow from loading at all
//!    (not JSON, legacy format, `StartAction`, dangling targets, duplicate or
//!    malformed identifiers) — reported as findings, all of them, not just the first;
//! 2. the semantic rules ([`lint`]) over the validated [`Flow`] plus its raw JSON.
//!    When the loader refuses the file only because of problems stage 1 found, the
//!    raw JSON is repaired (dangling targets blanked, duplicates dropped) and loaded
//!    again so the semantic rules still run.
//!
//! The rule table is in [`rules`]; output formats in [`report`].

pub mod lint;
pub mod report;
pub mod rules;

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::catalogue::{Channel, FlowType};
use crate::flow::{Flow, FlowError, MAX_FLOW_BYTES};
pub use rules::{Rule, Severity};

/// What `check` knows beyond the file itself (flags, the other flows given).
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--flow-type`: used when neither an API wrapper nor `Metadata.type` says.
    pub flow_type: Option<FlowType>,
    /// `--channel`: the channel the flow runs on.
    pub channel: Option<Channel>,
    /// Contact attribute keys set by the other flows and modules given to the same
    /// `check` (files and `--flows`): FS115 does not report them.
    pub other_attributes: Option<HashSet<String>>,
}

/// Contact attribute keys an UpdateContactAttributes of this flow text sets (for
/// [`Options::other_attributes`]); empty when the text is not a flow.
pub fn attributes_set(bytes: &[u8]) -> HashSet<String> {
    let mut out = HashSet::new();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return out;
    };
    let Ok(mut v) = serde_json::from_str::<Value>(text.strip_prefix('\u{feff}').unwrap_or(text))
    else {
        return out;
    };
    if let Some((c, _)) = crate::flow::wrapped_content(&v) {
        match serde_json::from_str(c) {
            Ok(inner) => v = inner,
            Err(_) => return out,
        }
    }
    for a in v
        .get("Actions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if a.get("Type").and_then(Value::as_str) != Some("UpdateContactAttributes") {
            continue;
        }
        if let Some(m) = a
            .pointer("/Parameters/Attributes")
            .and_then(Value::as_object)
        {
            out.extend(m.keys().cloned());
        }
    }
    out
}

/// One problem found in a flow.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The file as named on the command line.
    pub file: String,
    /// 1-based line in the file (the block's `"Identifier"` line, when known).
    pub line: usize,
    #[serde(rename = "rule")]
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The block Identifier, when the finding is about one block.
    pub block: Option<String>,
    /// How the block is shown to users (`Block::label`).
    pub label: Option<String>,
    /// JSON path, e.g. `Actions[3].Parameters.InputTimeLimitSeconds`.
    pub path: String,
    pub message: String,
    pub hint: String,
}

/// A finding before it is placed in a file.
#[derive(Clone, Debug)]
pub struct Raw {
    pub rule: &'static Rule,
    pub block: Option<String>,
    pub label: Option<String>,
    pub path: String,
    pub message: String,
    pub hint: String,
    /// A line known directly (JSON syntax errors).
    pub line: Option<usize>,
    /// Overrides the rule's severity (e.g. a flow-type finding on an inferred type).
    pub severity: Option<Severity>,
}

impl Raw {
    pub fn new(rule: &'static Rule, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            rule,
            block: None,
            label: None,
            path: path.into(),
            message: message.into(),
            hint: String::new(),
            line: None,
            severity: None,
        }
    }

    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = Some(s);
        self
    }

    pub fn block(mut self, id: &str, label: String) -> Self {
        self.block = Some(id.to_owned());
        self.label = Some(label);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }
}

/// Output format of `check`'s findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Readable lines with hints, and a summary.
    #[default]
    Human,
    /// One JSON object per finding per line.
    Json,
    /// A SARIF 2.1.0 log (for code-scanning tools).
    Sarif,
}

/// The finding for a file too large to be an exported flow (`len` bytes), without
/// reading it.
pub fn check_oversized(name: &str, len: u64) -> Vec<Finding> {
    let raw = Raw::new(
        rules::INVALID_FLOW,
        "$",
        format!(
            "file is {len} bytes, larger than any exported flow can be (limit {MAX_FLOW_BYTES})"
        ),
    );
    place(name, "", vec![raw])
}

/// Check a flow held in memory; `name` labels the findings.
pub fn check_bytes(bytes: &[u8], name: &str, stem: &str) -> Vec<Finding> {
    check_bytes_with(bytes, name, stem, &Options::default())
}

/// The flow type an API wrapper declares (`ContactFlow.Type`; a module wrapper).
fn wrapper_type(v: &Value) -> Option<FlowType> {
    if v.get("ContactFlowModule").is_some() {
        return Some(FlowType::ContactFlowModule);
    }
    FlowType::parse(v.get("ContactFlow")?.get("Type")?.as_str()?)
}

/// [`check_bytes`] with what the command line adds.
pub fn check_bytes_with(bytes: &[u8], name: &str, stem: &str, opts: &Options) -> Vec<Finding> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let raw = Raw::new(
                rules::INVALID_JSON,
                "$",
                format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            );
            return place(name, "", vec![raw]);
        }
    };
    // An API wrapper (`describe-contact-flow` output): check the flow inside, with
    // lines counted in it. A wrapper holds the flow as a string, so `"Actions"` only
    // appears escaped in it; a flow file is not parsed an extra time to find out.
    let inner = (!text.contains("\"Actions\""))
        .then(|| serde_json::from_str::<Value>(text.strip_prefix('\u{feff}').unwrap_or(text)).ok())
        .flatten()
        .and_then(|v| {
            crate::flow::wrapped_content(&v)
                .map(|(c, f)| (c.to_owned(), format!("{name} ({f})"), wrapper_type(&v)))
        });
    if let Some((inner, name, wrapped)) = inner {
        let raws = check_text_with(&inner, &name, stem, opts, wrapped);
        return place(&name, &inner, raws);
    }
    let raws = check_text_with(text, name, stem, opts, None);
    place(name, text, raws)
}

/// All findings for a flow's text, before placing them on lines.
pub fn check_text(text: &str, source: &str, stem: &str) -> Vec<Raw> {
    check_text_with(text, source, stem, &Options::default(), None)
}

/// [`check_text`] with options and the type an API wrapper declared.
pub fn check_text_with(
    text: &str,
    source: &str,
    stem: &str,
    opts: &Options,
    wrapper: Option<FlowType>,
) -> Vec<Raw> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return vec![
            Raw::new(rules::INVALID_JSON, "$", "the file is empty")
                .hint("export the flow again; an exported flow is one JSON object"),
        ];
    }
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let mut r = Raw::new(
                rules::INVALID_JSON,
                "$",
                format!(
                    "not valid JSON at line {}, column {}: {}",
                    e.line(),
                    e.column(),
                    // serde_json ends its message with the position, already given.
                    e.to_string().trim_end_matches(&format!(
                        " at line {} column {}",
                        e.line(),
                        e.column()
                    ))
                ),
            )
            .hint("fix the syntax; an exported flow is one JSON object");
            r.line = Some(e.line());
            return vec![r];
        }
    };
    let mut pre = prepass(&value);
    if pre.iter().any(|r| r.rule == rules::LEGACY_FORMAT) {
        return pre;
    }
    // Load as is; if that fails only on what the pre-pass found, load a repaired copy.
    let start_repaired = pre.iter().any(|r| r.rule == rules::START_ACTION);
    let mut repaired = false;
    let mut attempt = crate::flow::parse_str(text, source, stem);
    let flow = loop {
        match attempt {
            Ok(f) => break Some(f),
            Err(e) => {
                if !repaired && covered(&e.error, &pre) {
                    repaired = true;
                    let fixed = serde_json::to_string(&repair(&value)).unwrap_or_default();
                    attempt = crate::flow::parse_str(&fixed, source, stem);
                    continue;
                }
                if !covered(&e.error, &pre) {
                    pre.push(load_error(e.error));
                }
                break None;
            }
        }
    };
    if let Some(flow) = flow {
        let ctx = lint::Context {
            start_repaired,
            wrapper_type: wrapper,
            opts,
        };
        let mut more = lint::lint(&flow, &value, ctx);
        // The pre-pass already reported what the repair blanked.
        if repaired {
            let seen: HashSet<String> = pre.iter().map(|r| r.path.clone()).collect();
            more.retain(|r| !seen.contains(&r.path));
        }
        // Label pre-pass findings the way the model does.
        for r in &mut pre {
            if let Some(b) = r.block.as_deref().and_then(|id| flow.block(id)) {
                r.label = Some(b.label());
            }
        }
        pre.extend(more);
    }
    pre
}

/// The loader refused the file for a reason the pre-pass already reported.
fn covered(e: &FlowError, pre: &[Raw]) -> bool {
    match e {
        FlowError::Invalid { path, message, .. } => pre.iter().any(|r| {
            r.path == *path
                || (message.contains("duplicate Identifier")
                    && r.rule == rules::DUPLICATE_IDENTIFIER)
        }),
        FlowError::Legacy | FlowError::Json { .. } => true,
        FlowError::Io(_) => false,
    }
}

/// A loader refusal as an FS005 finding.
fn load_error(e: FlowError) -> Raw {
    let (block, path, message) = match e {
        FlowError::Invalid {
            block,
            path,
            message,
        } => (block, path, message),
        other => (None, "$".into(), other.to_string()),
    };
    let mut r = Raw::new(rules::INVALID_FLOW, path, message)
        .hint("flowsim (and Connect) cannot load the flow until this is fixed");
    if let Some(b) = block {
        r = r.block(&b, b.clone());
    }
    r
}

pub(crate) const FORBIDDEN_ID_CHARS: &[char] = &[
    '%', ':', '(', '\\', '/', ')', '=', '$', ',', ';', '[', ']', '{', '}',
];
pub(crate) const FORBIDDEN_ID_NAMES: &[&str] = &[
    "__proto__",
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "toString",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "valueOf",
];

fn action_id(a: &Value) -> Option<&str> {
    a.get("Identifier").and_then(Value::as_str)
}

fn short_label(id: &str) -> String {
    id.to_owned()
}

/// Every transition target of an action, with its JSON path.
fn targets(a: &Value, base: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(t) = a.get("Transitions").and_then(Value::as_object) else {
        return out;
    };
    if let Some(v) = t.get("NextAction") {
        out.push((format!("{base}.Transitions.NextAction"), v.clone()));
    }
    for key in ["Conditions", "Errors"] {
        if let Some(list) = t.get(key).and_then(Value::as_array) {
            for (i, c) in list.iter().enumerate() {
                if let Some(v) = c.get("NextAction") {
                    out.push((
                        format!("{base}.Transitions.{key}[{i}].NextAction"),
                        v.clone(),
                    ));
                }
            }
        }
    }
    out
}

/// Stage 1: what stops the flow from loading, over the raw JSON.
pub fn prepass(root: &Value) -> Vec<Raw> {
    let mut out = Vec::new();
    let Some(top) = root.as_object() else {
        out.push(
            Raw::new(rules::INVALID_FLOW, "$", "expected a flow object")
                .hint("an exported flow is one JSON object with Version, StartAction and Actions"),
        );
        return out;
    };
    if top.contains_key("modules") {
        out.push(
            Raw::new(
                rules::LEGACY_FORMAT,
                "modules",
                "this is Amazon Connect's legacy export format (top-level `modules`), which \
                 Connect no longer imports and flowsim does not run",
            )
            .hint(
                "export the flow again as flow-language JSON (`aws connect \
                 describe-contact-flow`, the `Content` field)",
            ),
        );
        return out;
    }
    let Some(actions) = top.get("Actions").and_then(Value::as_array) else {
        // The loader reports the exact problem (FS005).
        return out;
    };
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, a) in actions.iter().enumerate() {
        let path = format!("Actions[{i}].Identifier");
        let Some(id) = action_id(a) else { continue };
        if let Some(first) = ids.get(id) {
            out.push(
                Raw::new(
                    rules::DUPLICATE_IDENTIFIER,
                    &path,
                    format!("Identifier \"{id}\" is also used by Actions[{first}]"),
                )
                .block(id, short_label(id))
                .hint("give each action its own Identifier; transitions name actions by it"),
            );
        } else {
            ids.insert(id, i);
        }
        if let Some(problem) = identifier_problem(id) {
            out.push(
                Raw::new(rules::INVALID_IDENTIFIER, &path, problem)
                    .block(id, short_label(id))
                    .hint(
                        "Connect refuses such identifiers; rename the action and its transitions",
                    ),
            );
        }
    }
    match top.get("StartAction") {
        None => out.push(
            Raw::new(
                rules::START_ACTION,
                "StartAction",
                "missing: the flow has no first block",
            )
            .hint("add \"StartAction\": \"<Identifier of the first action>\""),
        ),
        Some(Value::String(s)) if s.is_empty() => out.push(
            Raw::new(
                rules::START_ACTION,
                "StartAction",
                "empty: the flow has no first block",
            )
            .hint("set it to the Identifier of the first action"),
        ),
        Some(Value::String(s)) if !ids.contains_key(s.as_str()) => {
            let mut r = Raw::new(
                rules::START_ACTION,
                "StartAction",
                format!("\"{s}\" names no action in this flow"),
            );
            if let Some(sugg) = lint::closest(s, ids.keys().copied()) {
                r = r.hint(format!("did you mean \"{sugg}\"?"));
            } else {
                r = r.hint("set it to the Identifier of the first action");
            }
            out.push(r);
        }
        Some(Value::String(_)) => {}
        Some(_) => out.push(Raw::new(
            rules::START_ACTION,
            "StartAction",
            "expected a string naming the first action",
        )),
    }
    for (i, a) in actions.iter().enumerate() {
        let base = format!("Actions[{i}]");
        for (path, v) in targets(a, &base) {
            let Value::String(t) = v else { continue };
            if t.is_empty() || ids.contains_key(t.as_str()) {
                continue;
            }
            let mut r = Raw::new(
                rules::DANGLING_TARGET,
                path,
                format!("target \"{t}\" names no action in this flow"),
            );
            if let Some(id) = action_id(a) {
                r = r.block(id, short_label(id));
            }
            r = match lint::closest(&t, ids.keys().copied()) {
                Some(s) => r.hint(format!("did you mean \"{s}\"?")),
                None => r.hint("point the branch at an existing action, or add the missing one"),
            };
            out.push(r);
        }
    }
    out
}

/// Why an Identifier is not allowed, if it is not.
pub fn identifier_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("empty Identifier".into());
    }
    let n = id.chars().count();
    if n > 50 {
        return Some(format!(
            "Identifier is {n} characters long; the limit is 50"
        ));
    }
    if let Some(c) = id.chars().find(|c| FORBIDDEN_ID_CHARS.contains(c)) {
        return Some(format!(
            "Identifier \"{id}\" contains the forbidden character `{c}`"
        ));
    }
    if FORBIDDEN_ID_NAMES.contains(&id) {
        return Some(format!("\"{id}\" is a forbidden Identifier"));
    }
    None
}

/// Marks a duplicate renamed by [`repair`]; findings on such blocks are dropped.
pub(crate) const DUP_MARK: char = '\u{1}';

/// A copy of the flow with the pre-pass problems blanked so it loads: dangling
/// targets become `""`, later duplicates are renamed, a bad StartAction becomes
/// the first action.
fn repair(root: &Value) -> Value {
    let mut v = root.clone();
    let Some(actions) = v.get_mut("Actions").and_then(Value::as_array_mut) else {
        return v;
    };
    // Later duplicates are renamed (not dropped) so `json_index` stays right.
    let mut ids = HashSet::new();
    for (i, a) in actions.iter_mut().enumerate() {
        let Some(id) = action_id(a).map(str::to_owned) else {
            continue;
        };
        if !ids.insert(id.clone()) {
            a["Identifier"] = Value::String(format!("{id}{DUP_MARK}{i}"));
        }
    }
    let first = actions.first().and_then(action_id).map(str::to_owned);
    for a in actions.iter_mut() {
        let Some(t) = a.get_mut("Transitions").and_then(Value::as_object_mut) else {
            continue;
        };
        let fix = |x: &mut Value| {
            if let Value::String(s) = x
                && !s.is_empty()
                && !ids.contains(s.as_str())
            {
                s.clear();
            }
        };
        if let Some(n) = t.get_mut("NextAction") {
            fix(n);
        }
        for key in ["Conditions", "Errors"] {
            if let Some(list) = t.get_mut(key).and_then(Value::as_array_mut) {
                for c in list {
                    if let Some(n) = c.get_mut("NextAction") {
                        fix(n);
                    }
                }
            }
        }
    }
    let start_ok = v
        .get("StartAction")
        .and_then(Value::as_str)
        .is_some_and(|s| ids.contains(s));
    if !start_ok && let (Some(obj), Some(first)) = (v.as_object_mut(), first) {
        obj.insert("StartAction".into(), Value::String(first));
    }
    v
}

/// Turn raw findings into placed ones: file name and line.
fn place(name: &str, text: &str, raws: Vec<Raw>) -> Vec<Finding> {
    let lines = LineIndex::new(text);
    let mut out: Vec<Finding> = raws
        .into_iter()
        .map(|r| {
            let line = r
                .line
                .or_else(|| action_index(&r.path).and_then(|i| lines.action_line(i)))
                .or_else(|| r.block.as_deref().and_then(|b| lines.identifier_line(b)))
                .or_else(|| {
                    let key = r.path.split(['.', '[']).next().unwrap_or("");
                    lines.key_line(key)
                })
                .unwrap_or(1);
            Finding {
                file: name.to_owned(),
                line,
                code: r.rule.code,
                name: r.rule.name,
                severity: r.severity.unwrap_or(r.rule.severity),
                block: r.block,
                label: r.label,
                path: r.path,
                message: r.message,
                hint: r.hint,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.line, a.code).cmp(&(b.line, b.code)));
    out
}

/// `N` from a path starting `Actions[N]`.
fn action_index(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("Actions[")?;
    rest[..rest.find(']')?].parse().ok()
}

/// Lines of keys in the raw text.
struct LineIndex<'a> {
    text: &'a str,
    /// Offsets of every `"Identifier": "…"`, in file order (one per action in
    /// an exported flow).
    ids: Vec<usize>,
    actions: usize,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut ids = Vec::new();
        let needle = "\"Identifier\"";
        let mut from = 0;
        while let Some(i) = text[from..].find(needle) {
            let at = from + i;
            let rest = text[at + needle.len()..].trim_start();
            if rest
                .strip_prefix(':')
                .is_some_and(|r| r.trim_start().starts_with('"'))
            {
                ids.push(at);
            }
            from = at + needle.len();
        }
        let actions = serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.get("Actions").and_then(Value::as_array).map(Vec::len))
            .unwrap_or(usize::MAX);
        Self { text, ids, actions }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
    }

    /// The line of the `Identifier` of `Actions[i]`, when the identifiers in the
    /// text line up one to one with the actions.
    fn action_line(&self, i: usize) -> Option<usize> {
        (self.ids.len() == self.actions)
            .then(|| self.ids.get(i).map(|&o| self.line_of(o)))
            .flatten()
    }

    /// The line where `"key"` first appears as an object key.
    fn key_line(&self, key: &str) -> Option<usize> {
        if key.is_empty() || key == "$" {
            return None;
        }
        let needle = format!("\"{key}\"");
        let mut from = 0;
        while let Some(i) = self.text[from..].find(&needle) {
            let at = from + i;
            let rest = self.text[at + needle.len()..].trim_start();
            if rest.starts_with(':') {
                return Some(self.line_of(at));
            }
            from = at + needle.len();
        }
        None
    }

    fn identifier_line(&self, id: &str) -> Option<usize> {
        let encoded = serde_json::to_string(id).ok()?;
        self.ids.iter().find_map(|&at| {
            let rest = self.text[at + "\"Identifier\"".len()..].trim_start();
            let r = rest.strip_prefix(':')?.trim_start();
            r.starts_with(&encoded).then(|| self.line_of(at))
        })
    }
}

/// Lint a loaded flow without its file (for callers holding a [`Flow`]).
pub fn lint_flow(flow: &Flow, raw: &Value) -> Vec<Raw> {
    let opts = Options::default();
    let ctx = lint::Context {
        start_repaired: false,
        wrapper_type: None,
        opts: &opts,
    };
    lint::lint(flow, raw, ctx)
}
