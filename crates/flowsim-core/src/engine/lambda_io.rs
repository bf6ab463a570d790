//! The Lambda event Connect sends, and its rules for the response.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::contact::{Contact, INSTANCE_ARN};
use crate::flow::LambdaResponseType;

/// Connect refuses responses of 32 KB or more.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024;

/// The event, shaped as Connect sends it (`Details.ContactData`, `Details.Parameters`).
pub fn build_event(contact: &Contact, parameters: &IndexMap<String, Value>) -> Value {
    let queue = contact.queue.as_ref().map_or(
        Value::Null,
        |(name, arn)| json!({ "ARN": arn, "Name": name, "OutboundCallerId": null }),
    );
    let mut data = Map::new();
    data.insert("Attributes".into(), contact.attributes_json());
    data.insert("Channel".into(), json!(contact.channel));
    data.insert("ContactId".into(), json!(contact.contact_id));
    data.insert(
        "CustomerEndpoint".into(),
        json!({ "Address": contact.caller, "Type": "TELEPHONE_NUMBER" }),
    );
    data.insert("CustomerId".into(), Value::Null);
    data.insert(
        "Description".into(),
        contact
            .data
            .get("Description")
            .map_or(Value::Null, |d| json!(d)),
    );
    data.insert("InitialContactId".into(), json!(contact.contact_id));
    data.insert("InitiationMethod".into(), json!("INBOUND"));
    data.insert("InstanceARN".into(), json!(INSTANCE_ARN));
    data.insert("LanguageCode".into(), json!(contact.language));
    data.insert(
        "MediaStreams".into(),
        json!({ "Customer": { "Audio": null } }),
    );
    data.insert("Name".into(), json!("ContactFlowEvent"));
    data.insert("PreviousContactId".into(), json!(contact.contact_id));
    data.insert("Queue".into(), queue);
    data.insert("References".into(), json!({}));
    data.insert(
        "SystemEndpoint".into(),
        json!({ "Address": contact.dialed, "Type": "TELEPHONE_NUMBER" }),
    );
    let params: Map<String, Value> = parameters
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    json!({
        "Details": { "ContactData": Value::Object(data), "Parameters": Value::Object(params) },
        "Name": "ContactFlowEvent"
    })
}

/// A response that Connect accepts: the value for `$.External`, plus warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub external: Value,
    pub warnings: Vec<String>,
}

/// Apply Connect's rules to a raw payload. `Err` is the reason the block takes
/// its error branch.
pub fn validate_response(payload: &str, kind: LambdaResponseType) -> Result<Accepted, String> {
    if payload.len() >= MAX_RESPONSE_BYTES {
        return Err(format!(
            "response is {} bytes, over Connect's 32 KB limit",
            payload.len()
        ));
    }
    let value: Value =
        serde_json::from_str(payload).map_err(|e| format!("response is not JSON ({e})"))?;
    let Value::Object(map) = &value else {
        return Err(format!(
            "response is {}, not a JSON object",
            match value {
                Value::Null => "null",
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                Value::Object(_) => unreachable!(),
            }
        ));
    };
    let mut warnings = Vec::new();
    for (k, v) in map {
        match v {
            Value::Object(_) | Value::Array(_) if kind == LambdaResponseType::StringMap => {
                return Err(format!(
                    "key \"{k}\" holds a nested value, which STRING_MAP validation refuses (set ResponseType to JSON)"
                ));
            }
            Value::Number(_) => warnings.push(format!(
                "Lambda returned \"{k}\" as {v} (a number), not the text \"{v}\"; flows compare \
                 text and read it as \"{v}\", so return a string to be sure"
            )),
            Value::Bool(_) => warnings.push(format!(
                "Lambda returned \"{k}\" as {v} (a boolean), not text; flows compare text and \
                 read it as \"{v}\", so Equals \"{}\" would not match",
                capitalised(&v.to_string())
            )),
            _ => {}
        }
    }
    Ok(Accepted {
        external: value,
        warnings,
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_map_rules() {
        use LambdaResponseType::{Json, StringMap};
        assert!(validate_response(r#"{"a":"b"}"#, StringMap).is_ok());
        assert!(
            validate_response(r#"{"a":{"b":"c"}}"#, StringMap)
                .unwrap_err()
                .contains("nested")
        );
        assert!(validate_response(r#"{"a":{"b":"c"}}"#, Json).is_ok());
        let w = validate_response(r#"{"ssmlError":false}"#, StringMap).unwrap();
        assert!(w.warnings[0].contains("ssmlError"), "{:?}", w.warnings);
        assert!(
            validate_response("[1]", Json)
                .unwrap_err()
                .contains("array")
        );
        assert!(
            validate_response("nope", Json)
                .unwrap_err()
                .contains("not JSON")
        );
        let big = format!(r#"{{"a":"{}"}}"#, "x".repeat(40_000));
        assert!(validate_response(&big, Json).unwrap_err().contains("32 KB"));
    }
}
