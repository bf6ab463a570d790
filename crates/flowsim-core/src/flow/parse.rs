//! JSON → [`Flow`]: accept what the console exports, refuse what cannot run.

/// `InvocationTimeLimitSeconds` when a block does not say.
pub const DEFAULT_LAMBDA_TIMEOUT_SECS: u32 = 3;

use std::collections::HashMap;
use std::path::Path;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::error::{FlowError, LoadError};
use super::graph::FlowGraph;
use super::model::{
    Block, CondBranch, ErrorBranch, Flow, Kind, LambdaResponseType, Operator, PhoneFormat, Prompt,
    Validation,
};
use crate::catalogue::ActionType;

/// Files larger than this are refused before parsing (Connect's own limit is
/// 256,000 characters of content; exports are pretty-printed, so allow room).
pub const MAX_FLOW_BYTES: u64 = 8 * 1024 * 1024;

/// Read and validate a flow file.
pub fn load_file(path: &Path) -> Result<Flow, LoadError> {
    let source = path.display().to_string();
    let err = |error| LoadError {
        source: source.clone(),
        error,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(FlowError::Io(e.to_string())))?;
    if meta.is_dir() {
        return Err(err(FlowError::Io("is a directory, not a flow file".into())));
    }
    if meta.len() > MAX_FLOW_BYTES {
        return Err(err(FlowError::Invalid {
            block: None,
            path: "$".into(),
            message: format!(
                "file is {} bytes, larger than any exported flow can be (limit {MAX_FLOW_BYTES})",
                meta.len()
            ),
        }));
    }
    let bytes = std::fs::read(path).map_err(|e| err(FlowError::Io(e.to_string())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        err(FlowError::Io(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )))
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_str(&text, &source, &stem)
}

/// Parse flow-language JSON. `source` labels errors; `fallback_name` names the flow
/// when its metadata does not.
pub fn parse_str(text: &str, source: &str, fallback_name: &str) -> Result<Flow, LoadError> {
    let wrap = |error| LoadError {
        source: source.to_owned(),
        error,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(wrap(invalid(None, "$", "the file is empty")));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        wrap(FlowError::Json {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })
    })?;
    if let Some((inner, field)) = wrapped_content(&value) {
        return parse_str(inner, &format!("{source} ({field})"), fallback_name);
    }
    build(&value, source, fallback_name).map_err(wrap)
}

/// The flow inside an API or CLI wrapper: `aws connect describe-contact-flow` prints
/// `{"ContactFlow": {"Content": "<the flow as a JSON string>", ...}}` (modules:
/// `ContactFlowModule`), and tools store `{"Name": ..., "Content": "..."}`. Returns
/// the inner text and where it was found, when `value` is such a wrapper.
pub fn wrapped_content(value: &Value) -> Option<(&str, &'static str)> {
    let top = value.as_object()?;
    if top.contains_key("Actions") {
        return None;
    }
    fn content(v: Option<&Value>) -> Option<&str> {
        v?.get("Content")?.as_str()
    }
    if let Some(c) = content(top.get("ContactFlow")) {
        return Some((c, "ContactFlow.Content"));
    }
    if let Some(c) = content(top.get("ContactFlowModule")) {
        return Some((c, "ContactFlowModule.Content"));
    }
    top.get("Content")?.as_str().map(|c| (c, "Content"))
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

fn invalid(block: Option<&str>, path: impl Into<String>, message: impl Into<String>) -> FlowError {
    FlowError::Invalid {
        block: block.map(str::to_owned),
        path: path.into(),
        message: message.into(),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn build(root: &Value, source: &str, fallback_name: &str) -> Result<Flow, FlowError> {
    let Value::Object(top) = root else {
        return Err(invalid(
            None,
            "$",
            format!("expected a flow object, found {}", kind_of(root)),
        ));
    };
    if top.contains_key("modules") {
        return Err(FlowError::Legacy);
    }
    let actions = match top.get("Actions") {
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(invalid(
                None,
                "Actions",
                format!("expected an array of actions, found {}", kind_of(other)),
            ));
        }
        None => {
            return Err(invalid(
                None,
                "Actions",
                "missing: not an Amazon Connect flow-language file (expected Version, StartAction and Actions)",
            ));
        }
    };
    if let Some(v) = top.get("Version")
        && !v.is_string()
    {
        return Err(invalid(
            None,
            "Version",
            format!("expected a string, found {}", kind_of(v)),
        ));
    }
    let metadata = top.get("Metadata").cloned().unwrap_or(Value::Null);
    let action_meta = metadata
        .get("ActionMetadata")
        .or_else(|| metadata.get("actionMetadata"))
        .and_then(Value::as_object);

    // First pass: identifiers.
    let mut by_id: HashMap<String, usize> = HashMap::with_capacity(actions.len());
    for (i, a) in actions.iter().enumerate() {
        let path = format!("Actions[{i}]");
        let Value::Object(obj) = a else {
            return Err(invalid(
                None,
                path,
                format!("expected an action object, found {}", kind_of(a)),
            ));
        };
        let id = match obj.get("Identifier") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::String(_)) => {
                return Err(invalid(
                    None,
                    format!("{path}.Identifier"),
                    "empty Identifier",
                ));
            }
            Some(other) => {
                return Err(invalid(
                    None,
                    format!("{path}.Identifier"),
                    format!("expected a string, found {}", kind_of(other)),
                ));
            }
            None => {
                return Err(invalid(
                    None,
                    format!("{path}.Identifier"),
                    "missing Identifier",
                ));
            }
        };
        if by_id.insert(id.clone(), i).is_some() {
            return Err(invalid(
                Some(&id),
                format!("{path}.Identifier"),
                "duplicate Identifier (used by another action)",
            ));
        }
    }

    let mut blocks = Vec::with_capacity(actions.len());
    for (i, a) in actions.iter().enumerate() {
        let obj = a.as_object().expect("checked in the first pass");
        let id = obj["Identifier"].as_str().expect("checked").to_owned();
        let meta = action_meta
            .and_then(|m| m.get(&id))
            .cloned()
            .unwrap_or(Value::Null);
        blocks.push(build_block(i, &id, obj, meta, &by_id)?);
    }

    let start = match top.get("StartAction") {
        Some(Value::String(s)) if s.is_empty() => {
            return Err(invalid(
                None,
                "StartAction",
                "empty: the flow has no first block",
            ));
        }
        Some(Value::String(s)) => *by_id.get(s).ok_or_else(|| {
            invalid(
                None,
                "StartAction",
                format!("\"{s}\" names no action in this flow"),
            )
        })?,
        Some(other) => {
            return Err(invalid(
                None,
                "StartAction",
                format!("expected a string, found {}", kind_of(other)),
            ));
        }
        None => {
            return Err(invalid(
                None,
                "StartAction",
                "missing: the flow has no first block",
            ));
        }
    };

    let name = metadata
        .get("name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(fallback_name)
        .to_owned();
    let flow_type = metadata
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let graph = FlowGraph::build(&blocks);
    Ok(Flow {
        name,
        source: source.to_owned(),
        flow_type,
        start,
        blocks,
        by_id,
        settings: top.get("Settings").filter(|s| !s.is_null()).cloned(),
        graph,
        metadata,
    })
}

fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

fn build_block(
    index: usize,
    id: &str,
    obj: &Map<String, Value>,
    metadata: Value,
    by_id: &HashMap<String, usize>,
) -> Result<Block, FlowError> {
    let base = format!("Actions[{index}]");
    let type_name = match obj.get("Type") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(other) if !other.is_string() => {
            return Err(invalid(
                Some(id),
                format!("{base}.Type"),
                format!("expected a string, found {}", kind_of(other)),
            ));
        }
        _ => {
            return Err(invalid(
                Some(id),
                format!("{base}.Type"),
                "missing action Type",
            ));
        }
    };
    let params = match obj.get("Parameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            return Err(invalid(
                Some(id),
                format!("{base}.Parameters"),
                format!("expected an object, found {}", kind_of(other)),
            ));
        }
    };

    // Transitions.
    let tpath = format!("{base}.Transitions");
    let empty = Map::new();
    let transitions = match obj.get("Transitions") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(invalid(
                Some(id),
                tpath,
                format!("expected an object, found {}", kind_of(other)),
            ));
        }
    };
    let resolve = |target: &Value, path: String| -> Result<(Option<usize>, String), FlowError> {
        match target {
            Value::Null => Ok((None, String::new())),
            Value::String(s) if s.is_empty() => Ok((None, String::new())),
            Value::String(s) => match by_id.get(s) {
                Some(&t) => Ok((Some(t), s.clone())),
                None => Err(invalid(
                    Some(id),
                    path,
                    format!("target \"{s}\" names no action in this flow"),
                )),
            },
            other => Err(invalid(
                Some(id),
                path,
                format!("expected an action Identifier, found {}", kind_of(other)),
            )),
        }
    };
    let (next, next_id) = match transitions.get("NextAction") {
        None => (None, None),
        Some(v) => {
            let (t, s) = resolve(v, format!("{tpath}.NextAction"))?;
            (t, Some(s))
        }
    };
    let mut conditions = Vec::new();
    if let Some(list) = transitions.get("Conditions").filter(|v| !v.is_null()) {
        let cpath = format!("{tpath}.Conditions");
        let Value::Array(list) = list else {
            return Err(invalid(
                Some(id),
                cpath,
                format!("expected an array, found {}", kind_of(list)),
            ));
        };
        for (ci, c) in list.iter().enumerate() {
            let p = format!("{cpath}[{ci}]");
            let (target, target_id) = resolve(
                c.get("NextAction").unwrap_or(&Value::Null),
                format!("{p}.NextAction"),
            )?;
            let cond = c
                .get("Condition")
                .ok_or_else(|| invalid(Some(id), format!("{p}.Condition"), "missing Condition"))?;
            let op_text = cond
                .get("Operator")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    invalid(
                        Some(id),
                        format!("{p}.Condition.Operator"),
                        "missing or not a string",
                    )
                })?;
            let operator = Operator::parse(op_text).ok_or_else(|| {
                invalid(
                    Some(id),
                    format!("{p}.Condition.Operator"),
                    format!("unknown operator \"{op_text}\""),
                )
            })?;
            let operands = cond
                .get("Operands")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    invalid(
                        Some(id),
                        format!("{p}.Condition.Operands"),
                        "missing or not an array",
                    )
                })?;
            let operand = match operands.as_slice() {
                [Value::String(s)] => s.clone(),
                [Value::Number(n)] => n.to_string(),
                [Value::Bool(b)] => {
                    if *b {
                        "True".into()
                    } else {
                        "False".into()
                    }
                }
                [Value::Object(_)] => {
                    return Err(invalid(
                        Some(id),
                        format!("{p}.Condition.Operands[0]"),
                        "nested conditions are not supported (Connect documents no logical operator for them)",
                    ));
                }
                _ => {
                    return Err(invalid(
                        Some(id),
                        format!("{p}.Condition.Operands"),
                        format!(
                            "expected exactly one string operand, found {} operands",
                            operands.len()
                        ),
                    ));
                }
            };
            conditions.push(CondBranch {
                operator,
                operand,
                target,
                target_id,
            });
        }
    }
    let mut errors = Vec::new();
    if let Some(list) = transitions.get("Errors").filter(|v| !v.is_null()) {
        let epath = format!("{tpath}.Errors");
        let Value::Array(list) = list else {
            return Err(invalid(
                Some(id),
                epath,
                format!("expected an array, found {}", kind_of(list)),
            ));
        };
        for (ei, e) in list.iter().enumerate() {
            let p = format!("{epath}[{ei}]");
            let error_type = e.get("ErrorType").and_then(Value::as_str).ok_or_else(|| {
                invalid(
                    Some(id),
                    format!("{p}.ErrorType"),
                    "missing or not a string",
                )
            })?;
            let (target, target_id) = resolve(
                e.get("NextAction").unwrap_or(&Value::Null),
                format!("{p}.NextAction"),
            )?;
            errors.push(ErrorBranch {
                error_type: error_type.to_owned(),
                target,
                target_id,
            });
        }
    }

    let position = metadata
        .get("position")
        .or_else(|| metadata.get("Position"))
        .and_then(|p| Some((p.get("x")?.as_f64()?, p.get("y")?.as_f64()?)));
    let friendly = metadata
        .get("isFriendlyName")
        .and_then(|v| {
            v.as_bool()
                .or_else(|| v.as_str().map(|s| s.eq_ignore_ascii_case("true")))
        })
        .unwrap_or_else(|| !looks_like_uuid(id));

    let mut block = Block {
        id: id.to_owned(),
        json_index: index,
        type_name,
        kind: Kind::Unknown,
        next,
        next_id,
        conditions,
        errors,
        params,
        metadata,
        position,
        friendly,
    };
    block.kind = parse_kind(&block, &base)?;
    Ok(block)
}

/// Reads parameters with the console's loose typing, naming the path on error.
struct Params<'a> {
    id: &'a str,
    base: String,
    map: &'a Map<String, Value>,
}

impl Params<'_> {
    fn path(&self, key: &str) -> String {
        format!("{}.{key}", self.base)
    }

    fn err(&self, key: &str, message: impl Into<String>) -> FlowError {
        invalid(Some(self.id), self.path(key), message)
    }

    /// A string (numbers and booleans are written out as the console would).
    fn string(&self, key: &str) -> Result<Option<String>, FlowError> {
        self.string_in(self.map, key, &self.path(key))
    }

    fn string_in(
        &self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<String>, FlowError> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => scalar_string(v).map(Some).ok_or_else(|| {
                invalid(
                    Some(self.id),
                    path,
                    format!("expected a string, found {}", kind_of(v)),
                )
            }),
        }
    }

    fn int_in(
        &self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<u32>, FlowError> {
        match self.string_in(map, key, path)? {
            None => Ok(None),
            Some(s) => {
                let t = s.trim();
                t.parse::<u32>()
                    .ok()
                    .or_else(|| {
                        t.parse::<f64>()
                            .ok()
                            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= f64::from(u32::MAX))
                            .map(|f| f as u32)
                    })
                    .map(Some)
                    .ok_or_else(|| {
                        invalid(
                            Some(self.id),
                            path,
                            format!("expected a whole number of seconds, found \"{s}\""),
                        )
                    })
            }
        }
    }

    fn int(&self, key: &str) -> Result<Option<u32>, FlowError> {
        self.int_in(self.map, key, &self.path(key))
    }

    fn bool_in(
        &self,
        map: &Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Result<Option<bool>, FlowError> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(invalid(
                Some(self.id),
                path,
                format!("expected \"True\" or \"False\", found {v}"),
            )),
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, FlowError> {
        self.bool_in(self.map, key, &self.path(key))
    }

    fn object(&self, key: &str) -> Result<Option<&Map<String, Value>>, FlowError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(v) => Err(self.err(key, format!("expected an object, found {}", kind_of(v)))),
        }
    }

    /// A map of string values (attributes, Lambda parameters).
    fn string_map(&self, key: &str) -> Result<IndexMap<String, String>, FlowError> {
        let mut out = IndexMap::new();
        if let Some(m) = self.object(key)? {
            for (k, v) in m {
                let s = match v {
                    Value::Object(o) => o.get("Value").and_then(scalar_string),
                    other => scalar_string(other),
                }
                .ok_or_else(|| {
                    invalid(
                        Some(self.id),
                        format!("{}.{k}", self.path(key)),
                        format!("expected a string, found {}", kind_of(v)),
                    )
                })?;
                out.insert(k.clone(), s);
            }
        }
        Ok(out)
    }

    /// A map whose values are text, or nested objects and arrays of text (a Lambda's
    /// `LambdaInvocationAttributes`: Connect passes nested values on as JSON, with
    /// each text leaf resolved). Scalars become text as in [`Self::string_map`].
    fn value_map(&self, key: &str) -> Result<IndexMap<String, Value>, FlowError> {
        fn leaves(v: &Value) -> Option<Value> {
            Some(match v {
                Value::Object(o) => Value::Object(
                    o.iter()
                        .map(|(k, v)| Some((k.clone(), leaves(v)?)))
                        .collect::<Option<_>>()?,
                ),
                Value::Array(a) => Value::Array(a.iter().map(leaves).collect::<Option<_>>()?),
                Value::Null => Value::Null,
                other => Value::String(scalar_string(other)?),
            })
        }
        let mut out = IndexMap::new();
        if let Some(m) = self.object(key)? {
            for (k, v) in m {
                // The console's `{"Value": …}` wrapper, as in string_map.
                let v = match v {
                    Value::Object(o) if o.len() == 1 && o.contains_key("Value") => &o["Value"],
                    other => other,
                };
                let value = leaves(v).ok_or_else(|| {
                    invalid(
                        Some(self.id),
                        format!("{}.{k}", self.path(key)),
                        format!("expected text or an object of text, found {}", kind_of(v)),
                    )
                })?;
                out.insert(k.clone(), value);
            }
        }
        Ok(out)
    }

    fn prompt(&self, block: &Block) -> Result<Option<Prompt>, FlowError> {
        if let Some(t) = self.string("Text")? {
            return Ok(Some(Prompt::Text(t)));
        }
        if let Some(s) = self.string("SSML")? {
            return Ok(Some(Prompt::Ssml(s)));
        }
        if let Some(p) = self.string("PromptId")? {
            return Ok(Some(Prompt::PromptId {
                id: p,
                name: block.display_name("PromptId"),
            }));
        }
        if let Some(m) = self.object("Media")? {
            let uri = self
                .string_in(m, "Uri", &format!("{}.Uri", self.path("Media")))?
                .unwrap_or_default();
            return Ok(Some(Prompt::Media { uri }));
        }
        Ok(None)
    }
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("True".into()),
        Value::Bool(false) => Some("False".into()),
        _ => None,
    }
}

fn parse_kind(block: &Block, base: &str) -> Result<Kind, FlowError> {
    let p = Params {
        id: &block.id,
        base: format!("{base}.Parameters"),
        map: &block.params,
    };
    use ActionType as A;
    let Some(action) = ActionType::from_name(&block.type_name) else {
        return Ok(Kind::Unknown);
    };
    Ok(match action {
        A::MessageParticipant => Kind::MessageParticipant {
            prompt: p.prompt(block)?,
        },
        A::MessageParticipantIteratively => {
            let mut prompts = Vec::new();
            match block.params.get("Messages") {
                None => {}
                Some(Value::Array(messages)) => {
                    for (i, m) in messages.iter().enumerate() {
                        let path = format!("{}[{i}]", p.path("Messages"));
                        let Value::Object(map) = m else {
                            return Err(invalid(
                                Some(&block.id),
                                path,
                                format!("expected a message object, found {}", kind_of(m)),
                            ));
                        };
                        let one = Params {
                            id: &block.id,
                            base: path,
                            map,
                        };
                        prompts.extend(one.prompt(block)?);
                    }
                }
                Some(other) => {
                    return Err(p.err(
                        "Messages",
                        format!("expected an array of messages, found {}", kind_of(other)),
                    ));
                }
            }
            Kind::MessageParticipantIteratively { prompts }
        }
        A::GetParticipantInput => {
            let store = p.bool("StoreInput")?.unwrap_or(false);
            let timeout_secs = match p.int("InputTimeLimitSeconds")? {
                Some(t) => t,
                None => p.int("InputTimeoutSeconds")?.unwrap_or(5),
            };
            let dtmf_path = p.path("DTMFConfiguration");
            let dtmf = p.object("DTMFConfiguration")?;
            let empty = Map::new();
            let dtmf = dtmf.unwrap_or(&empty);
            let terminator = p
                .string_in(
                    dtmf,
                    "InputTerminationSequence",
                    &format!("{dtmf_path}.InputTerminationSequence"),
                )?
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "#".into());
            if terminator.len() > 5
                || !terminator
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '#' || c == '*')
            {
                return Err(invalid(
                    Some(&block.id),
                    format!("{dtmf_path}.InputTerminationSequence"),
                    format!("\"{terminator}\" is not 1–5 characters from 0-9, # and *"),
                ));
            }
            let cancel_disabled = p
                .bool_in(
                    dtmf,
                    "DisableCancelKey",
                    &format!("{dtmf_path}.DisableCancelKey"),
                )?
                .unwrap_or(false);
            let interdigit_secs = p
                .int_in(
                    dtmf,
                    "InterdigitTimeLimitSeconds",
                    &format!("{dtmf_path}.InterdigitTimeLimitSeconds"),
                )?
                .unwrap_or(5);
            let validation = match p.object("InputValidation")? {
                None => None,
                Some(v) => {
                    let vpath = p.path("InputValidation");
                    if let Some(Value::Object(ph)) = v.get("PhoneNumberValidation") {
                        let ppath = format!("{vpath}.PhoneNumberValidation");
                        let fmt =
                            p.string_in(ph, "NumberFormat", &format!("{ppath}.NumberFormat"))?;
                        let format = match fmt.as_deref() {
                            Some("E164") => PhoneFormat::E164,
                            Some("Local") | None => PhoneFormat::Local,
                            Some(other) => {
                                return Err(invalid(
                                    Some(&block.id),
                                    format!("{ppath}.NumberFormat"),
                                    format!("expected \"Local\" or \"E164\", found \"{other}\""),
                                ));
                            }
                        };
                        let country =
                            p.string_in(ph, "CountryCode", &format!("{ppath}.CountryCode"))?;
                        Some(Validation::Phone { format, country })
                    } else if let Some(Value::Object(c)) = v.get("CustomValidation") {
                        let max_length = p.int_in(
                            c,
                            "MaximumLength",
                            &format!("{vpath}.CustomValidation.MaximumLength"),
                        )?;
                        Some(Validation::Custom { max_length })
                    } else {
                        None
                    }
                }
            };
            Kind::GetParticipantInput {
                prompt: p.prompt(block)?,
                timeout_secs,
                store,
                validation,
                terminator,
                cancel_disabled,
                interdigit_secs,
                encrypted: p.object("InputEncryption")?.is_some(),
            }
        }
        A::ConnectParticipantWithLexBot => {
            let bot = p
                .object("LexV2Bot")?
                .and_then(|b| b.get("AliasArn").and_then(Value::as_str).map(str::to_owned))
                .or_else(|| {
                    p.map
                        .get("LexBot")
                        .and_then(|b| b.get("Name"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .or_else(|| block.display_name("LexV2Bot"))
                .unwrap_or_else(|| "Lex bot".into());
            Kind::ConnectParticipantWithLexBot {
                prompt: p.prompt(block)?,
                bot,
            }
        }
        A::InvokeLambdaFunction => {
            let response_type = match p.object("ResponseValidation")? {
                Some(rv) => match rv.get("ResponseType").and_then(Value::as_str) {
                    Some("JSON") => LambdaResponseType::Json,
                    Some("STRING_MAP") | None => LambdaResponseType::StringMap,
                    Some(other) => {
                        return Err(invalid(
                            Some(&block.id),
                            format!("{}.ResponseType", p.path("ResponseValidation")),
                            format!("expected \"STRING_MAP\" or \"JSON\", found \"{other}\""),
                        ));
                    }
                },
                None => LambdaResponseType::StringMap,
            };
            Kind::InvokeLambdaFunction {
                // A draft saved in the console may lack it: the block then fails at
                // run time, and `check` reports FS120.
                arn: p.string("LambdaFunctionARN")?.unwrap_or_default(),
                // Connect's default is 3 s (repost.aws knowledge-center
                // connect-lambda-function-failures; docs/semantics.md, "Lambda").
                time_limit_secs: p
                    .int("InvocationTimeLimitSeconds")?
                    .unwrap_or(DEFAULT_LAMBDA_TIMEOUT_SECS),
                response_type,
                parameters: p.value_map("LambdaInvocationAttributes")?,
                asynchronous: p
                    .string("InvocationType")?
                    .is_some_and(|t| t == "ASYNCHRONOUS"),
            }
        }
        A::Compare => Kind::Compare {
            value: p.string("ComparisonValue")?.unwrap_or_default(),
        },
        A::Loop => Kind::Loop {
            count: p.string("LoopCount")?.unwrap_or_else(|| "0".into()),
        },
        A::UpdateContactAttributes => Kind::UpdateContactAttributes {
            attributes: p.string_map("Attributes")?,
        },
        A::UpdateFlowAttributes => Kind::UpdateFlowAttributes {
            attributes: p.string_map("FlowAttributes")?,
        },
        A::CheckHoursOfOperation => Kind::CheckHoursOfOperation {
            hours: p.string("HoursOfOperationId")?,
        },
        A::UpdateContactTextToSpeechVoice => Kind::UpdateContactTextToSpeechVoice {
            voice: p.string("TextToSpeechVoice")?,
            engine: p.string("TextToSpeechEngine")?,
            style: p.string("TextToSpeechStyle")?,
        },
        A::UpdateContactRecordingBehavior => Kind::UpdateContactRecordingBehavior,
        A::UpdateContactRecordingAndAnalyticsBehavior => {
            Kind::UpdateContactRecordingAndAnalyticsBehavior
        }
        A::TransferParticipantToThirdParty => Kind::TransferParticipantToThirdParty {
            number: p.string("ThirdPartyPhoneNumber")?.unwrap_or_default(),
            continue_flow: p.bool("ContinueFlowExecution")?.unwrap_or(true),
        },
        A::UpdateContactEventHooks => Kind::UpdateContactEventHooks,
        A::UpdateContactMediaStreamingBehavior => Kind::UpdateContactMediaStreamingBehavior,
        // Settings and side requests that succeed in a simulation: recorded, then on.
        A::UpdateContactRoutingBehavior => Kind::UpdateContactRoutingBehavior,
        A::UpdateContactRoutingCriteria => Kind::UpdateContactRoutingCriteria,
        A::UpdateContactMediaProcessing => Kind::UpdateContactMediaProcessing,
        A::CreateWisdomSession => Kind::CreateWisdomSession,
        A::StartVoiceIdStream => Kind::StartVoiceIdStream,
        A::TagContact => Kind::TagContact,
        A::UnTagContact => Kind::UnTagContact,
        A::CreateTask => Kind::CreateTask,
        A::UpdateFlowLoggingBehavior => Kind::UpdateFlowLoggingBehavior {
            enabled: p
                .string("FlowLoggingBehavior")?
                .is_none_or(|s| s.eq_ignore_ascii_case("Enabled")),
        },
        A::UpdateContactData => {
            let mut fields = IndexMap::new();
            for (k, v) in p.map {
                if let Some(s) = scalar_string(v) {
                    fields.insert(k.clone(), s);
                }
            }
            Kind::UpdateContactData { fields }
        }
        A::UpdateContactTargetQueue => {
            let (queue, param) = match (p.string("QueueId")?, p.string("AgentId")?) {
                (Some(q), _) => (q, "QueueId"),
                (None, Some(a)) => (a, "AgentId"),
                (None, None) => (String::new(), "QueueId"),
            };
            Kind::UpdateContactTargetQueue {
                queue,
                name: block.display_name(param),
            }
        }
        A::TransferContactToQueue => Kind::TransferContactToQueue,
        A::TransferToFlow => Kind::TransferToFlow {
            flow: p.string("ContactFlowId")?.unwrap_or_default(),
            name: block.display_name("ContactFlowId"),
        },
        A::InvokeFlowModule => Kind::InvokeFlowModule {
            module: p.string("FlowModuleId")?.unwrap_or_default(),
            name: block.display_name("FlowModuleId"),
        },
        A::EndFlowModuleExecution => Kind::EndFlowModuleExecution,
        A::DisconnectParticipant => Kind::DisconnectParticipant,
        A::EndFlowExecution => Kind::EndFlowExecution,
        A::DistributeByPercentage => Kind::DistributeByPercentage,
        // Their parameters are read from `Block::params` when they run.
        A::ShowView => Kind::ShowView,
        A::AuthenticateParticipant => Kind::AuthenticateParticipant,
        A::ConnectParticipantWithAgenticCX => Kind::ConnectParticipantWithAgenticCX,
        A::CheckMetricData => Kind::CheckMetricData,
        A::CheckOutboundCallStatus => Kind::CheckOutboundCallStatus,
        A::CheckVoiceId => Kind::CheckVoiceId,
        A::GetMetricData => Kind::GetMetricData,
        A::Wait => Kind::Wait,
        A::CompleteOutboundCall => Kind::CompleteOutboundCall,
        A::CreateCase => Kind::CreateCase,
        A::DequeueContactAndTransferToQueue => Kind::DequeueContactAndTransferToQueue,
        A::GetCase => Kind::GetCase,
        A::StartOutboundChatContact => Kind::StartOutboundChatContact,
        A::TransferContactToAgent => Kind::TransferContactToAgent,
        A::UpdateCase => Kind::UpdateCase,
        A::UpdateContactCallbackNumber => Kind::UpdateContactCallbackNumber,
        A::ResumeContact => Kind::ResumeContact,
        A::UpdatePreviousContactParticipantState => Kind::UpdatePreviousContactParticipantState,
        A::AssociateContactToCustomerProfile => Kind::AssociateContactToCustomerProfile,
        A::CreateCallbackContact => Kind::CreateCallbackContact,
        A::CreateCustomerProfile => Kind::CreateCustomerProfile,
        A::GetCustomerProfile => Kind::GetCustomerProfile,
        A::GetCustomerProfileObject => Kind::GetCustomerProfileObject,
        A::GetCalculatedAttributesForCustomerProfile => {
            Kind::GetCalculatedAttributesForCustomerProfile
        }
        A::UpdateCustomerProfile => Kind::UpdateCustomerProfile,
        A::EvaluateDataTableValues => Kind::EvaluateDataTableValues,
        A::ListDataTableValues => Kind::ListDataTableValues,
        A::UpsertDataTableValues => Kind::UpsertDataTableValues,
        A::LoadContactContent => Kind::LoadContactContent,
        A::CreatePersistentContactAssociation => Kind::CreatePersistentContactAssociation,
        A::CreateContact => Kind::CreateContact,
        A::StartOutboundEmailContact => Kind::StartOutboundEmailContact,
        A::RenderMessageTemplate => Kind::RenderMessageTemplate,
        A::CheckSegmentMembership => Kind::CheckSegmentMembership,
        A::RouteContactToAgent => Kind::RouteContactToAgent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Flow, LoadError> {
        parse_str(json, "t.json", "t")
    }

    #[test]
    fn legacy_is_refused() {
        let e = parse(r#"{"modules":[],"start":"x"}"#).unwrap_err();
        assert_eq!(e.error, FlowError::Legacy);
        assert!(
            e.to_string()
                .starts_with("t.json: this is Amazon Connect's legacy export format")
        );
    }

    #[test]
    fn json_errors_have_line_and_column() {
        let e = parse("{\n  \"Actions\": [\n").unwrap_err();
        assert!(matches!(e.error, FlowError::Json { line: 3, .. }), "{e}");
    }

    #[test]
    fn dangling_target_names_block_and_path() {
        let e = parse(
            r#"{"Version":"2019-10-30","StartAction":"a","Actions":[
              {"Identifier":"a","Type":"MessageParticipant","Parameters":{"Text":"hi"},
               "Transitions":{"NextAction":"nowhere"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json: block \"a\" at Actions[0].Transitions.NextAction: target \"nowhere\" names no action in this flow"
        );
    }

    #[test]
    fn console_typing_is_accepted() {
        let f = parse(
            r###"{"Version":"2019-10-30","StartAction":"Get it","Metadata":{"ActionMetadata":{"Get it":{"Position":{"x":1,"y":-2.5}}}},"Actions":[
              {"Identifier":"Get it","Type":"GetParticipantInput","Parameters":{"Text":"x","StoreInput":"True","InputTimeLimitSeconds":"7",
               "DTMFConfiguration":{"DisableCancelKey":"False","InputTerminationSequence":"##"}},
               "Transitions":{"NextAction":"","Errors":[{"NextAction":"","ErrorType":"NoMatchingError"}]}}]}"###,
        )
        .unwrap();
        let b = &f.blocks[0];
        assert!(b.friendly);
        assert_eq!(b.position, Some((1.0, -2.5)));
        assert_eq!(b.next, None);
        match &b.kind {
            Kind::GetParticipantInput {
                timeout_secs,
                store,
                terminator,
                ..
            } => {
                assert_eq!(*timeout_secs, 7);
                assert!(*store);
                assert_eq!(terminator, "##");
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn wrong_types_name_the_path() {
        let e = parse(
            r#"{"StartAction":"a","Actions":[{"Identifier":"a","Type":"Loop","Parameters":{"LoopCount":[1]},"Transitions":{}}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json: block \"a\" at Actions[0].Parameters.LoopCount: expected a string, found an array"
        );
    }
}
