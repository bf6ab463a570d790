//! `flowsim vanity` and `flowsim calls`: arguments and printing. The generator and
//! the call table are [`crate::vanity`].

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use crate::vanity::generate::{Generated, Part, Vanity, generate};
use crate::vanity::pipeline::{self, CallRecord};

/// `flowsim vanity` arguments.
#[derive(Debug, Args)]
pub struct VanityArgs {
    /// Phone numbers (E.164, or 10-digit US).
    #[arg(required = true)]
    pub numbers: Vec<String>,
    /// How many vanity numbers per phone number.
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    /// One JSON object per number.
    #[arg(long)]
    pub json: bool,
}

/// `flowsim calls` arguments.
#[derive(Debug, Args)]
pub struct CallsArgs {
    /// Show at most N calls (newest first).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// One JSON object per call.
    #[arg(long)]
    pub json: bool,
    /// Read the deployed DynamoDB table NAME instead of the local SQLite one (the
    /// aws-config chain; AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL as for the SDK).
    #[cfg(feature = "aws-pipeline")]
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
}

/// How a substituted reading is explained, e.g. `0 read as O: BOOK`.
fn reading_note(v: &Vanity) -> Option<String> {
    if !v.substituted {
        return None;
    }
    let mut zeros = false;
    let mut ones = false;
    for part in &v.parts {
        if let Part::Word {
            shown,
            substituted: true,
            ..
        } = part
        {
            zeros |= shown.contains('0');
            ones |= shown.contains('1');
        }
    }
    let how = match (zeros, ones) {
        (true, true) => "0 read as O, 1 as I/L",
        (true, false) => "0 read as O",
        _ => "1 read as I/L",
    };
    Some(format!("{how}: {}", v.words.join(" ")))
}

/// The text lines for one number.
pub fn render_text(g: &Generated) -> Vec<String> {
    let mut lines = vec![g.number.e164.clone()];
    if g.results.is_empty() {
        lines.push("  no good vanity number: its digits spell no common English words".into());
    }
    for (i, v) in g.results.iter().enumerate() {
        let mut line = format!("  {}. {}", i + 1, v.display);
        if let Some(note) = reading_note(v) {
            line.push_str(&format!("   ({note})"));
        }
        lines.push(line);
    }
    lines
}

/// The JSON object for one number.
pub fn render_json(input: &str, g: &Generated) -> serde_json::Value {
    let results: Vec<_> = g
        .results
        .iter()
        .map(|v| {
            json!({
                "display": v.display,
                "digits": v.digits,
                "words": v.words,
                "score": f64::from(v.score) / 100.0,
                "substituted": v.substituted,
            })
        })
        .collect();
    json!({"input": input, "e164": g.number.e164, "results": results})
}

/// `flowsim vanity NUMBER… [--count N] [--json]`.
pub fn command_vanity(numbers: &[String], count: usize, json: bool) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut bad = false;
    for input in numbers {
        match generate(input, count) {
            Ok(g) => {
                let written = if json {
                    writeln!(out, "{}", render_json(input, &g))
                } else {
                    render_text(&g)
                        .iter()
                        .try_for_each(|line| writeln!(out, "{line}"))
                };
                if let Err(e) = written {
                    super::out::failed(&e);
                }
            }
            Err(reason) => {
                bad = true;
                let _ = out.flush();
                eprintln!("flowsim vanity: `{input}` is not a valid phone number: {reason}");
            }
        }
    }
    if bad {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of a millisecond timestamp.
pub fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    // civil-from-days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        tod / 3600,
        tod % 3600 / 60,
        tod % 60
    )
}

fn call_json(r: &CallRecord) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["id"] = json!(r.id());
    v
}

/// The calls, as text or one JSON object a line; `source` names where they came from.
fn print_calls(rows: &[CallRecord], json: bool, source: &str) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        for r in rows {
            if let Err(e) = writeln!(out, "{}", call_json(r)) {
                super::out::failed(&e);
            }
        }
    } else if rows.is_empty() {
        writeln!(out, "no calls recorded yet ({source})")
            .unwrap_or_else(|e| super::out::failed(&e));
    } else {
        writeln!(
            out,
            "{:<19}  {:<16}  {:<16}  VANITY NUMBERS",
            "TIME (UTC)", "CALLER", "TARGET"
        )
        .unwrap_or_else(|e| super::out::failed(&e));
        for r in rows {
            let when = r
                .timestamp
                .parse::<i64>()
                .map(format_utc)
                .unwrap_or_else(|_| r.timestamp.clone());
            let numbers: Vec<&str> = r
                .vanity_numbers
                .as_list()
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            let numbers = if numbers.is_empty() {
                "(none)".to_owned()
            } else {
                numbers.join(", ")
            };
            writeln!(
                out,
                "{when:<19}  {:<16}  {:<16}  {numbers}",
                r.phone_number, r.target_number
            )
            .unwrap_or_else(|e| super::out::failed(&e));
        }
    }
}

/// `flowsim calls`: from the deployed table with `--table` (feature `aws-pipeline`),
/// else from the local SQLite table.
pub fn command_calls_args(a: &CallsArgs) -> ExitCode {
    #[cfg(feature = "aws-pipeline")]
    if let Some(table) = &a.table {
        return command_calls_table(table, a.limit, a.json);
    }
    command_calls(a.limit, a.json, crate::vanity::default_data_dir())
}

#[cfg(feature = "aws-pipeline")]
fn command_calls_table(table: &str, limit: usize, json: bool) -> ExitCode {
    let settings = crate::vanity::remote::AwsSettings::default();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("flowsim calls: {e}");
            return ExitCode::from(2);
        }
    };
    let rows = match rt.block_on(crate::vanity::remote::list_table(&settings, table, limit)) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("flowsim calls: cannot read the table {table}: {e}");
            return ExitCode::from(2);
        }
    };
    print_calls(&rows, json, &format!("table {table}"));
    ExitCode::SUCCESS
}

/// `flowsim calls [--limit N] [--json]`: newest first.
pub fn command_calls(limit: usize, json: bool, data_dir: Option<PathBuf>) -> ExitCode {
    let Some(dir) = data_dir.or_else(crate::vanity::default_data_dir) else {
        eprintln!("flowsim calls: no data directory (set FLOWSIM_DATA_DIR)");
        return ExitCode::from(2);
    };
    let store = match pipeline::open_existing(&dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("flowsim calls: cannot open the call table: {e}");
            return ExitCode::from(2);
        }
    };
    let (rows, dead_rows) = match &store {
        Some(s) => match s.list(limit) {
            Ok(x) => x,
            Err(e) => {
                eprintln!(
                    "flowsim calls: cannot read {}: {e}",
                    dir.join(pipeline::DB_FILE).display()
                );
                return ExitCode::from(2);
            }
        },
        None => (Vec::new(), 0),
    };
    let dead = dead_rows + pipeline::dead_letter_file_count(&dir) as u64;
    print_calls(
        &rows,
        json,
        &dir.join(pipeline::DB_FILE).display().to_string(),
    );
    if dead > 0 {
        let msg = format!(
            "{dead} call record(s) could not be stored and are kept as dead letters in {}",
            dir.display()
        );
        if json {
            eprintln!("flowsim calls: {msg}");
        } else {
            writeln!(std::io::stdout().lock(), "{msg}").unwrap_or_else(|e| super::out::failed(&e));
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00");
        assert_eq!(format_utc(1_700_000_000_000), "2023-11-14 22:13:20");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00:00");
    }

    #[test]
    fn text_marks_substitutions() {
        let g = generate("+13035552005", 5).unwrap();
        for (line, v) in render_text(&g).iter().skip(1).zip(&g.results) {
            assert_eq!(line.contains("read as"), v.substituted, "{line}");
        }
        let j = render_json("8003569377", &generate("8003569377", 5).unwrap());
        assert_eq!(j["e164"], "+18003569377");
        assert_eq!(j["results"][0]["display"], "+1-800-FLOWERS");
        assert_eq!(j["results"][0]["digits"], "+1-800-3569377");
    }
}
