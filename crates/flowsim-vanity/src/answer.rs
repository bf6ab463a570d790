//! The answer to the seed flow's Invoke Lambda block, as the seed's `vanity-to-sqs`
//! Lambda gives it: a flat map of strings (`ssmlResponse`, `ssmlError` "true"/"false",
//! `vanity1`…`vanity5`), and the call record to queue. Used by `builtin:vanity` in
//! flowsim and by the deployed `vanity-to-sqs` Lambda.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::generate::generate;
use crate::record::{CallRecord, VanityNumbers};
use crate::ssml;

/// How many numbers the function returns (`vanity1`…`vanity5`).
pub const COUNT: usize = 5;

/// Milliseconds since the epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The answer to one event, before it is serialised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The flat string map returned to Connect.
    pub response: Map<String, Value>,
    /// The record to queue (only for a valid number).
    pub record: Option<CallRecord>,
}

fn text_at<'a>(event: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = event;
    for key in path {
        v = v.get(key)?;
    }
    v.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// The number to convert: `Attributes.TargetNumber`, else `Parameters.TargetNumber`,
/// else the caller's number.
pub fn target_number(event: &Value) -> Option<&str> {
    text_at(
        event,
        &["Details", "ContactData", "Attributes", "TargetNumber"],
    )
    .or_else(|| text_at(event, &["Details", "Parameters", "TargetNumber"]))
    .or_else(|| caller_number(event))
}

/// The caller's number (`CustomerEndpoint.Address`).
pub fn caller_number(event: &Value) -> Option<&str> {
    text_at(
        event,
        &["Details", "ContactData", "CustomerEndpoint", "Address"],
    )
}

/// Answer one event. Pure apart from `now_ms`, the record's timestamp.
pub fn answer(event: &Value, now_ms: u64) -> Answer {
    let mut response = Map::new();
    let target = target_number(event).unwrap_or("");
    let (ssml_text, error, list, record) = match generate(target, COUNT) {
        Ok(g) => {
            let list: Vec<String> = g.results.iter().map(|v| v.display.clone()).collect();
            let record = CallRecord {
                phone_number: caller_number(event).unwrap_or("").to_owned(),
                target_number: target.to_owned(),
                timestamp: now_ms.to_string(),
                vanity_numbers: VanityNumbers::from_list(&list),
            };
            (
                ssml::results(&g.number.e164, &g.results),
                "false",
                list,
                Some(record),
            )
        }
        Err(reason) => (ssml::invalid(&reason), "true", Vec::new(), None),
    };
    response.insert("ssmlResponse".into(), Value::String(ssml_text));
    response.insert("ssmlError".into(), Value::String(error.into()));
    for i in 0..COUNT {
        let v = list.get(i).cloned().unwrap_or_default();
        response.insert(format!("vanity{}", i + 1), Value::String(v));
    }
    Answer { response, record }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(target: Option<&str>, caller: &str) -> Value {
        let mut attrs = json!({});
        if let Some(t) = target {
            attrs["TargetNumber"] = json!(t);
        }
        json!({"Details": {"ContactData": {"Attributes": attrs,
            "CustomerEndpoint": {"Address": caller, "Type": "TELEPHONE_NUMBER"}},
            "Parameters": {}}, "Name": "ContactFlowEvent"})
    }

    #[test]
    fn all_values_are_strings() {
        for e in [
            event(Some("+18003569377"), "+13035551234"),
            event(Some("nope"), "+13035551234"),
            event(None, "+15550000002"),
            json!({}),
        ] {
            let a = answer(&e, 42);
            assert_eq!(a.response.len(), 7);
            assert!(
                a.response.values().all(Value::is_string),
                "{:?}",
                a.response
            );
            roxmltree::Document::parse(a.response["ssmlResponse"].as_str().unwrap()).unwrap();
        }
    }

    #[test]
    fn reads_target_then_parameters_then_caller() {
        let a = answer(&event(Some("+18003569377"), "+13035551234"), 7);
        assert_eq!(a.response["vanity1"], "+1-800-FLOWERS");
        assert_eq!(a.response["ssmlError"], "false");
        let r = a.record.unwrap();
        assert_eq!(r.phone_number, "+13035551234");
        assert_eq!(r.timestamp, "7");
        assert_eq!(r.vanity_numbers.first, "+1-800-FLOWERS");

        let mut e = event(None, "+13035551234");
        e["Details"]["Parameters"]["TargetNumber"] = json!("+18004685865");
        assert_eq!(answer(&e, 0).record.unwrap().target_number, "+18004685865");
        assert_eq!(
            answer(&event(None, "+18004685865"), 0)
                .record
                .unwrap()
                .target_number,
            "+18004685865"
        );
    }

    #[test]
    fn invalid_numbers_are_errors_with_speech() {
        let a = answer(&event(Some("12345"), "+13035551234"), 0);
        assert_eq!(a.response["ssmlError"], "true");
        assert_eq!(
            a.response["ssmlResponse"],
            "<speak>Sorry, the number you entered is not a valid phone number. Please try again.</speak>"
        );
        assert_eq!(a.response["vanity1"], "");
        assert!(a.record.is_none());
    }

    #[test]
    fn no_words_is_not_an_error() {
        let a = answer(&event(Some("+15550000002"), "+13035551234"), 0);
        assert_eq!(a.response["ssmlError"], "false");
        assert_eq!(a.response["vanity1"], "");
        assert!(a.record.is_some());
    }
}
