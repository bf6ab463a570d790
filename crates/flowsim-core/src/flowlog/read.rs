//! Flow-log records from the ways users export them (reference §3.4): JSON lines
//! (CloudWatch's `@message`, `aws logs tail`), `aws logs filter-log-events` output,
//! a decoded subscription payload (`logEvents`), Logs Insights `get-query-results`
//! output and console exports (JSON or CSV with an `@message` column).

use std::collections::HashSet;

use serde_json::Value;

use super::record::LogRecord;

/// Why a log file cannot be read: one line, naming the line or record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

/// A record and where it came from, for ordering ties.
struct Found {
    record: LogRecord,
    /// CloudWatch's event `timestamp`, `ingestionTime`, `eventId` when known.
    tie: (i64, i64, String),
    /// Position in the file.
    pos: usize,
}

/// Every record in an export, in file order (duplicates are removed by [`contacts`]).
pub fn parse_records(text: &str) -> Result<Vec<LogRecord>, ReadError> {
    Ok(parse_found(text)?.into_iter().map(|f| f.record).collect())
}

fn parse_found(text: &str) -> Result<Vec<Found>, ReadError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    let mut out = Vec::new();
    if trimmed.is_empty() {
        return Err(ReadError("the file holds no flow-log records".into()));
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // One JSON document (filter-log-events, Insights, a pretty record), else JSON lines.
        match serde_json::from_str::<Value>(trimmed) {
            Ok(doc) => document(&doc, &mut out)?,
            Err(_) => {
                for (n, line) in trimmed.lines().enumerate() {
                    let line = line.trim();
                    if line.is_empty() {
                        continue;
                    }
                    let v: Value = serde_json::from_str(line).map_err(|e| {
                        ReadError(format!("line {}: not a JSON record ({e})", n + 1))
                    })?;
                    entry(&v, &format!("line {}", n + 1), &mut out)?;
                }
            }
        }
    } else {
        csv(trimmed, &mut out)?;
    }
    if out.is_empty() {
        return Err(ReadError("the file holds no flow-log records".into()));
    }
    Ok(out)
}

/// A whole JSON document.
fn document(doc: &Value, out: &mut Vec<Found>) -> Result<(), ReadError> {
    if let Some(events) = doc.get("events").or_else(|| doc.get("logEvents")) {
        let events = events
            .as_array()
            .ok_or_else(|| ReadError("`events` is not a list".into()))?;
        for (n, e) in events.iter().enumerate() {
            entry(e, &format!("event {}", n + 1), out)?;
        }
        return Ok(());
    }
    if let Some(rows) = doc.get("results") {
        let rows = rows
            .as_array()
            .ok_or_else(|| ReadError("`results` is not a list".into()))?;
        for (n, row) in rows.iter().enumerate() {
            entry(row, &format!("result {}", n + 1), out)?;
        }
        return Ok(());
    }
    match doc {
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                entry(item, &format!("item {}", n + 1), out)?;
            }
            Ok(())
        }
        other => entry(other, "the record", out),
    }
}

/// One entry: a record, a CloudWatch event (`message`), an Insights row (a list of
/// `{field, value}`), or a console export row (`@message`).
fn entry(v: &Value, at: &str, out: &mut Vec<Found>) -> Result<(), ReadError> {
    let pos = out.len();
    if let Value::Array(fields) = v {
        let get = |name: &str| {
            fields.iter().find_map(|f| {
                (f.get("field").and_then(Value::as_str) == Some(name))
                    .then(|| f.get("value").and_then(Value::as_str))
                    .flatten()
            })
        };
        let message = get("@message")
            .ok_or_else(|| ReadError(format!("{at}: an Insights row without @message")))?;
        out.push(Found {
            record: message_record(message, at)?,
            tie: (0, 0, String::new()),
            pos,
        });
        return Ok(());
    }
    let Value::Object(m) = v else {
        return Err(ReadError(format!("{at}: not a JSON object")));
    };
    if let Some(message) = m.get("message").or_else(|| m.get("@message")) {
        let message = message
            .as_str()
            .ok_or_else(|| ReadError(format!("{at}: `message` is not a string")))?;
        let tie = (
            m.get("timestamp").and_then(Value::as_i64).unwrap_or(0),
            m.get("ingestionTime").and_then(Value::as_i64).unwrap_or(0),
            m.get("eventId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        );
        out.push(Found {
            record: message_record(message, at)?,
            tie,
            pos,
        });
        return Ok(());
    }
    out.push(Found {
        record: checked(m.clone(), at)?,
        tie: (0, 0, String::new()),
        pos,
    });
    Ok(())
}

fn message_record(message: &str, at: &str) -> Result<LogRecord, ReadError> {
    match serde_json::from_str::<Value>(message) {
        Ok(Value::Object(m)) => checked(m, at),
        _ => Err(ReadError(format!(
            "{at}: the message is not a JSON flow-log record"
        ))),
    }
}

/// Refuse what is not a classic flow-log record, clearly (reference §4).
fn checked(m: serde_json::Map<String, Value>, at: &str) -> Result<LogRecord, ReadError> {
    if m.contains_key("LogVersion") || m.contains_key("ActionLogData") {
        return Err(ReadError(format!(
            "{at}: a vended AMAZON_CONNECT_FLOW_LOGS record; flowsim reads the classic flow-log records (/aws/connect/<alias>)"
        )));
    }
    if m.contains_key("Events") && !m.contains_key("Parameters") {
        return Err(ReadError(format!(
            "{at}: a pre-2021 record (`Events` of arrays); flowsim reads current records (`Parameters`)"
        )));
    }
    for key in ["ContactId", "ContactFlowModuleType", "Timestamp"] {
        if !m.get(key).is_some_and(Value::is_string) {
            return Err(ReadError(format!("{at}: not a flow-log record (no {key})")));
        }
    }
    Ok(LogRecord(m))
}

/// A CSV export with an `@message` column (RFC 4180 quoting).
fn csv(text: &str, out: &mut Vec<Found>) -> Result<(), ReadError> {
    let rows = csv_rows(text);
    let Some(header) = rows.first() else {
        return Ok(());
    };
    let col = header
        .iter()
        .position(|h| h.trim() == "@message" || h.trim() == "message")
        .ok_or_else(|| {
            ReadError(
                "not JSON, and not a CSV export with an @message column (a Logs Insights export: fields @timestamp, @message)".into(),
            )
        })?;
    for (n, row) in rows.iter().enumerate().skip(1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let message = row
            .get(col)
            .ok_or_else(|| ReadError(format!("CSV row {}: no @message value", n + 1)))?;
        let pos = out.len();
        out.push(Found {
            record: message_record(message, &format!("CSV row {}", n + 1))?,
            tie: (0, 0, String::new()),
            pos,
        });
    }
    Ok(())
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            other => field.push(other),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// One contact's records.
#[derive(Clone, Debug)]
pub struct ContactLog {
    pub contact_id: String,
    pub records: Vec<LogRecord>,
    /// Records dropped as at-least-once duplicates.
    pub duplicates: usize,
}

/// The contacts in an export: duplicates removed (reference §3.3's key), each
/// contact's records ordered by their own `Timestamp` (ties: CloudWatch's
/// timestamp, ingestion time, event id, then file order); contacts in order of
/// their first record.
pub fn contacts(text: &str) -> Result<Vec<ContactLog>, ReadError> {
    let mut found = parse_found(text)?;
    found.sort_by(|a, b| {
        (a.record.contact_id(), a.record.timestamp(), &a.tie, a.pos).cmp(&(
            b.record.contact_id(),
            b.record.timestamp(),
            &b.tie,
            b.pos,
        ))
    });
    let mut seen = HashSet::new();
    let mut out: Vec<ContactLog> = Vec::new();
    let mut first_pos: Vec<usize> = Vec::new();
    for f in found {
        let r = &f.record;
        let key = (
            r.contact_id().to_owned(),
            r.flow_id().to_owned(),
            r.identifier().unwrap_or("").to_owned(),
            r.module_type().to_owned(),
            r.timestamp().to_owned(),
            r.0.get("Parameters").map(canonical).unwrap_or_default(),
            r.results().unwrap_or("").to_owned(),
            r.0.get("ExternalResults")
                .map(canonical)
                .unwrap_or_default(),
        );
        let dup = !seen.insert(key);
        let id = r.contact_id().to_owned();
        let i = match out.iter().position(|c| c.contact_id == id) {
            Some(i) => i,
            None => {
                out.push(ContactLog {
                    contact_id: id,
                    records: Vec::new(),
                    duplicates: 0,
                });
                first_pos.push(f.pos);
                out.len() - 1
            }
        };
        first_pos[i] = first_pos[i].min(f.pos);
        if dup {
            out[i].duplicates += 1;
        } else {
            out[i].records.push(f.record);
        }
    }
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| first_pos[i]);
    let mut slots: Vec<Option<ContactLog>> = out.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

/// JSON with object keys sorted, so key order does not make two copies differ.
fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&m[k])))
                        .collect(),
                )
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}
