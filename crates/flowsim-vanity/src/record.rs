//! The call record: the seed's SQS message body (`../shared/seed/README.md` §d) and
//! the DynamoDB item written from it.
//!
//! The message is `{phoneNumber, targetNumber, timestamp, vanityNumbers: {first…fifth}}`;
//! the item is `{id: "phone-timestamp", callerNumber, cellNumber, timestamp,
//! vanityNumbers}`, so a table the seed filled keeps working.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a message body is not a call record: one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError(pub String);

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RecordError {}

/// The five numbers of a call, as the seed nests them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VanityNumbers {
    pub first: String,
    pub second: String,
    pub third: String,
    pub fourth: String,
    pub fifth: String,
}

impl VanityNumbers {
    /// From a ranked list (missing ones empty).
    pub fn from_list(list: &[String]) -> Self {
        let at = |i: usize| list.get(i).cloned().unwrap_or_default();
        Self {
            first: at(0),
            second: at(1),
            third: at(2),
            fourth: at(3),
            fifth: at(4),
        }
    }

    /// The five, in order.
    pub fn as_list(&self) -> [&str; 5] {
        [
            &self.first,
            &self.second,
            &self.third,
            &self.fourth,
            &self.fifth,
        ]
    }
}

/// One queue message / table row (the seed's SQS message body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRecord {
    /// The caller (CustomerEndpoint.Address).
    pub phone_number: String,
    /// The number converted.
    pub target_number: String,
    /// Milliseconds since the epoch, as a string.
    pub timestamp: String,
    pub vanity_numbers: VanityNumbers,
}

/// The seed's zod schema: these strings must have at least this many characters.
pub const MIN_LEN: usize = 10;

impl CallRecord {
    /// The table key, `phoneNumber-timestamp`.
    pub fn id(&self) -> String {
        format!("{}-{}", self.phone_number, self.timestamp)
    }

    /// Parse a queue message body. Like the seed's consumer, a `vanityNumbers` that is
    /// itself a JSON string is parsed again.
    pub fn from_body(body: &str) -> Result<Self, RecordError> {
        let mut value: serde_json::Value = serde_json::from_str(body)
            .map_err(|e| RecordError(format!("message is not JSON: {e}")))?;
        if let Some(inner) = value.get("vanityNumbers").and_then(|v| v.as_str()) {
            let parsed: serde_json::Value = serde_json::from_str(inner)
                .map_err(|e| RecordError(format!("vanityNumbers is not JSON: {e}")))?;
            value["vanityNumbers"] = parsed;
        }
        serde_json::from_value(value).map_err(|e| RecordError(format!("invalid call record: {e}")))
    }

    /// [`from_body`](Self::from_body), then [`validate`](Self::validate): what the
    /// deployed `sqs-to-ddb` accepts.
    pub fn from_body_strict(body: &str) -> Result<Self, RecordError> {
        let r = Self::from_body(body)?;
        r.validate()?;
        Ok(r)
    }

    /// The seed's zod schema: `phoneNumber` and `targetNumber` at least 10 characters,
    /// `timestamp` a string (here: digits, milliseconds), each vanity number at least
    /// 10 characters. One difference, because flowsim's generator never invents a
    /// number: a vanity number may be empty when fewer than five were found, but only
    /// after the last one found (`first` may be empty only if all are).
    pub fn validate(&self) -> Result<(), RecordError> {
        for (name, v) in [
            ("phoneNumber", &self.phone_number),
            ("targetNumber", &self.target_number),
        ] {
            if v.chars().count() < MIN_LEN {
                return Err(RecordError(format!(
                    "{name} must be at least {MIN_LEN} characters, got {v:?}"
                )));
            }
        }
        if self.timestamp.is_empty() || !self.timestamp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RecordError(format!(
                "timestamp must be milliseconds as a string, got {:?}",
                self.timestamp
            )));
        }
        let names = ["first", "second", "third", "fourth", "fifth"];
        let mut ended = false;
        for (name, v) in names.iter().zip(self.vanity_numbers.as_list()) {
            if v.is_empty() {
                ended = true;
            } else if ended {
                return Err(RecordError(format!(
                    "vanityNumbers.{name} follows an empty number"
                )));
            } else if v.chars().count() < MIN_LEN {
                return Err(RecordError(format!(
                    "vanityNumbers.{name} must be at least {MIN_LEN} characters, got {v:?}"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> serde_json::Value {
        serde_json::json!({"phoneNumber": "+13035551234", "targetNumber": "+18003569377",
            "timestamp": "1700000000000",
            "vanityNumbers": {"first": "+1-800-FLOWERS", "second": "+1-800-356-WORDS",
                "third": "", "fourth": "", "fifth": ""}})
    }

    #[test]
    fn seed_message_round_trips() {
        let r = CallRecord::from_body_strict(&body().to_string()).unwrap();
        assert_eq!(r.id(), "+13035551234-1700000000000");
        let again: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(again, body());
        // vanityNumbers as a JSON string, as the seed's consumer also accepts
        let mut b = body();
        b["vanityNumbers"] = serde_json::json!(b["vanityNumbers"].to_string());
        assert_eq!(CallRecord::from_body_strict(&b.to_string()).unwrap(), r);
    }

    #[test]
    fn strict_like_zod() {
        for (path, bad) in [
            ("phoneNumber", serde_json::json!("12345")),
            ("targetNumber", serde_json::json!(18003569377u64)),
            ("timestamp", serde_json::json!("yesterday")),
        ] {
            let mut b = body();
            b[path] = bad;
            assert!(
                CallRecord::from_body_strict(&b.to_string()).is_err(),
                "{path}"
            );
        }
        let mut b = body();
        b["vanityNumbers"]["first"] = serde_json::json!("short");
        assert!(CallRecord::from_body_strict(&b.to_string()).is_err());
        let mut b = body();
        b["vanityNumbers"]["fourth"] = serde_json::json!("+1-800-FLOWERS");
        assert!(CallRecord::from_body_strict(&b.to_string()).is_err());
        let mut b = body();
        b.as_object_mut().unwrap().remove("timestamp");
        assert!(CallRecord::from_body_strict(&b.to_string()).is_err());
        assert!(CallRecord::from_body_strict("not json").is_err());
    }
}
