//! The contact: everything a flow can read with a reference, and the loop counters.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::refs::{self, Reference};

/// The simulated contact. Read-only outside the engine.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Contact {
    pub contact_id: String,
    pub caller: String,
    pub dialed: String,
    pub channel: String,
    /// `$.InitiationMethod`.
    pub initiation_method: String,
    pub language: String,
    pub voice: String,
    /// `$.Attributes`: user-defined contact attributes.
    pub attributes: IndexMap<String, String>,
    /// `$.FlowAttributes`: cleared when another flow takes over.
    pub flow_attributes: IndexMap<String, String>,
    /// `$.External`: the last Lambda response.
    pub external: Value,
    /// `$.StoredCustomerInput`.
    pub stored_input: Option<String>,
    /// Working queue: (name, ARN).
    pub queue: Option<(String, String)>,
    /// Other contact data set by UpdateContactData (`Name`, `Description`, …).
    pub data: IndexMap<String, String>,
    /// Recording and analytics as last set.
    pub recording: Option<String>,
    pub logging: bool,
    /// Namespaces the contact center fills: `Metrics`, `Customer`, `Case`, `Views`,
    /// `DataTable`, `Email`, `VoiceId`, … (read as `$.Name.path`).
    pub namespaces: IndexMap<String, Value>,
    /// The callback number (`$.CustomerCallbackNumber`).
    pub callback_number: Option<String>,
    /// Event hooks set by UpdateContactEventHooks: hook (`CustomerQueue`, …) →
    /// (the flow reference as resolved, the name the console shows for it).
    pub hooks: IndexMap<String, (String, Option<String>)>,
    /// Loop counters per (flow, block id).
    pub loops: HashMap<(String, String), u32>,
    /// Cases CreateCase made during the call: GetCase and UpdateCase find them as
    /// they find the environment's.
    pub created_cases: Vec<crate::env::Case>,
}

/// A resolved reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    Value(String),
    /// A Lambda value that is not a string (`true`, `5`): rendered as JSON
    /// prints it, with a warning naming the key.
    NonString {
        text: String,
        key: String,
    },
    Missing,
}

impl Contact {
    /// Resolve a reference's segments (after `$`).
    pub fn resolve(&self, segs: &[String]) -> Resolved {
        let s = |v: &str| Resolved::Value(v.to_owned());
        let opt = |v: Option<&String>| v.map_or(Resolved::Missing, |v| Resolved::Value(v.clone()));
        let rest: Vec<&str> = segs.iter().skip(1).map(String::as_str).collect();
        match (segs[0].as_str(), rest.as_slice()) {
            ("Attributes", [k]) => opt(self.attributes.get(*k)),
            ("FlowAttributes", [k]) => opt(self.flow_attributes.get(*k)),
            ("External", path) if !path.is_empty() => json_path(&self.external, "External", path),
            ("StoredCustomerInput", []) => opt(self.stored_input.as_ref()),
            ("CustomerEndpoint", ["Address"]) => s(&self.caller),
            ("CustomerEndpoint" | "SystemEndpoint", ["Type"]) => s("TELEPHONE_NUMBER"),
            ("SystemEndpoint", ["Address"]) => s(&self.dialed),
            ("Channel", []) => s(&self.channel),
            ("ContactId" | "InitialContactId", []) => s(&self.contact_id),
            ("InitiationMethod", []) => s(&self.initiation_method),
            ("CustomerCallbackNumber", []) => opt(self.callback_number.as_ref()),
            ("InstanceARN", []) => s(INSTANCE_ARN),
            ("AwsRegion", []) => s("us-east-1"),
            ("LanguageCode", []) => s(&self.language),
            ("TextToSpeechVoiceId", []) => s(&self.voice),
            ("Queue", ["Name"]) => self.queue.as_ref().map_or(Resolved::Missing, |q| s(&q.0)),
            ("Queue", ["ARN"]) => self.queue.as_ref().map_or(Resolved::Missing, |q| s(&q.1)),
            (ns, path) if !path.is_empty() && self.namespaces.contains_key(ns) => {
                json_path(&self.namespaces[ns], ns, path)
            }
            (field, []) => opt(self.data.get(field)),
            _ => Resolved::Missing,
        }
    }

    /// Interpolate every reference in `text`. Returns the text and, for each
    /// reference that was missing or not a string, a warning.
    pub fn interpolate(&self, text: &str) -> (String, Vec<String>) {
        let found = refs::find_all(text);
        if found.is_empty() {
            return (text.to_owned(), Vec::new());
        }
        let mut out = String::with_capacity(text.len());
        let mut warnings = Vec::new();
        let mut last = 0;
        for r in &found {
            out.push_str(&text[last..r.start]);
            let (value, warning) = self.resolve_ref(text, r);
            out.push_str(&value);
            warnings.extend(warning);
            last = r.end;
        }
        out.push_str(&text[last..]);
        (out, warnings)
    }

    /// A value that is either one whole reference (resolved) or text (interpolated).
    pub fn value_of(&self, text: &str) -> (String, Vec<String>) {
        match refs::whole(text) {
            Some(r) => {
                let (v, w) = self.resolve_ref(text, &r);
                (v, w.into_iter().collect())
            }
            None => self.interpolate(text),
        }
    }

    fn resolve_ref(&self, text: &str, r: &Reference) -> (String, Option<String>) {
        match self.resolve(&r.segments) {
            Resolved::Value(v) => (v, None),
            Resolved::NonString { text: v, key } => {
                let warning = format!(
                    "{key} is {v}, not a string: Connect reads it as \"{v}\" and Equals is case-sensitive (return strings from the Lambda)"
                );
                (v, Some(warning))
            }
            Resolved::Missing => (
                String::new(),
                Some(format!("{} is not set; it reads as empty", r.text(text))),
            ),
        }
    }

    /// The user-defined attributes, as the Lambda event carries them.
    pub fn attributes_json(&self) -> Value {
        Value::Object(
            self.attributes
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    }
}

/// The instance the simulated contact belongs to.
pub const INSTANCE_ARN: &str =
    "arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-4000-8000-000000000000";

/// `$.NS.a.b` inside a JSON value: text, or a non-string rendered as JSON prints it.
fn json_path(root: &Value, ns: &str, path: &[&str]) -> Resolved {
    let mut v = root;
    for p in path {
        v = match v {
            Value::Object(m) => match m.get(*p) {
                Some(x) => x,
                None => return Resolved::Missing,
            },
            Value::Array(a) => match p.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(x) => x,
                None => return Resolved::Missing,
            },
            _ => return Resolved::Missing,
        };
    }
    match v {
        Value::String(s) => Resolved::Value(s.clone()),
        Value::Null => Resolved::Missing,
        other => Resolved::NonString {
            text: other.to_string(),
            key: format!("$.{ns}.{}", path.join(".")),
        },
    }
}
