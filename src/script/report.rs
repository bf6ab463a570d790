//! Reporting script results: human lines, JSON lines, JUnit XML.

use std::fmt::Write as _;
use std::time::Duration;

use crate::transcript::{self, Detail};

use super::run::{Outcome, ScriptResult};

/// The status word: `passed`, `failed` or `error`.
pub fn status(r: &ScriptResult) -> &'static str {
    match r.outcome {
        Outcome::Passed => "passed",
        Outcome::Failed(_) => "failed",
        Outcome::Error(_) => "error",
    }
}

/// What a human reads for one result: `ok` line, or the failure in full.
pub fn human(r: &ScriptResult) -> String {
    let path = r.path.display();
    match &r.outcome {
        Outcome::Passed => format!("{OK}ok{OK:#}    {path}"),
        Outcome::Failed(f) => {
            let mut s = format!(
                "{BAD}FAIL{BAD:#}  {path}:{}: expected {}",
                f.line, f.expected
            );
            for l in f.actual.lines() {
                s.push_str("\n      ");
                s.push_str(l);
            }
            s
        }
        Outcome::Error(e) => format!("{BAD}ERROR{BAD:#} {path}: {e}"),
    }
}

/// Styles of the human lines; the output stream drops them unless colour is on
/// (`--color`, NO_COLOR, a terminal).
const OK: anstyle::Style = anstyle::AnsiColor::Green.on_default();
const BAD: anstyle::Style = anstyle::AnsiColor::Red.on_default().bold();

/// One JSON object for `--json`.
pub fn json(r: &ScriptResult) -> serde_json::Value {
    let mut v = serde_json::json!({
        "script": r.path.display().to_string(),
        "status": status(r),
        "duration_ms": millis(r.duration),
        "end": r.end().map(|e| e.keyword()),
    });
    match &r.outcome {
        Outcome::Passed => {}
        Outcome::Failed(f) => {
            v["line"] = f.line.into();
            v["expected"] = f.expected.clone().into();
            v["actual"] = f.actual.clone().into();
        }
        Outcome::Error(e) => v["error"] = e.clone().into(),
    }
    v
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// The human transcript of a call (for JUnit's `system-out`).
pub fn transcript(r: &ScriptResult) -> String {
    let mut s = String::new();
    for e in &r.events {
        if let Some(l) = transcript::line(e, Detail::Call) {
            s.push_str(&l);
            s.push('\n');
        }
    }
    s
}

/// JUnit XML for CI.
pub fn junit(results: &[ScriptResult], total: Duration) -> String {
    let failures = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    let errors = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Error(_)))
        .count();
    let secs = total.as_secs_f64();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"flowsim\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{secs:.3}\">",
        results.len()
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"flowsim\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{secs:.3}\">",
        results.len()
    );
    for r in results {
        let path = r.path.display().to_string();
        let name = r
            .path
            .file_stem()
            .map_or(path.clone(), |s| s.to_string_lossy().into_owned());
        let classname = r
            .path
            .parent()
            .map(|p| p.display().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".into());
        let _ = write!(
            x,
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" time=\"{:.3}\">",
            esc(&name),
            esc(&classname),
            esc(&path),
            r.duration.as_secs_f64()
        );
        match &r.outcome {
            Outcome::Passed => {}
            Outcome::Failed(f) => {
                let msg = format!("line {}: expected {}", f.line, f.expected);
                let _ = write!(
                    x,
                    "\n      <failure message=\"{}\" type=\"expectation\">{}:{}: expected {}\n{}</failure>",
                    esc(&msg),
                    esc(&path),
                    f.line,
                    esc(&f.expected),
                    esc(&f.actual)
                );
            }
            Outcome::Error(e) => {
                let _ = write!(
                    x,
                    "\n      <error message=\"{}\" type=\"bad input\">{}</error>",
                    esc(e),
                    esc(e)
                );
            }
        }
        let _ = writeln!(
            x,
            "\n      <system-out>{}</system-out>\n    </testcase>",
            esc(&transcript(r))
        );
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

pub use crate::ssml::escape_xml as esc;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::run::Failure;
    use std::path::PathBuf;

    #[test]
    fn junit_is_well_formed() {
        let r = ScriptResult {
            path: PathBuf::from("dir/a <b>.call"),
            outcome: Outcome::Failed(Failure {
                line: 3,
                expected: "the IVR to say \"x & y\"".into(),
                actual: "said: <speak>\u{1}".into(),
            }),
            events: Vec::new(),
            duration: Duration::from_millis(2),
            updated: None,
        };
        let x = junit(&[r], Duration::from_millis(3));
        let doc = roxmltree::Document::parse(&x).unwrap();
        let f = doc
            .descendants()
            .find(|n| n.has_tag_name("failure"))
            .unwrap();
        assert!(f.attribute("message").unwrap().contains("\"x & y\""));
    }
}
