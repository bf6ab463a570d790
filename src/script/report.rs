//! Reporting script results: human lines, JSON lines, JUnit XML.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use super::record::WriteError;

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

/// JUnit XML for CI, from results in memory.
pub fn junit(results: &[ScriptResult], total: Duration) -> String {
    let mut counts = Counts::default();
    let mut body = String::new();
    for r in results {
        counts.add(r);
        body.push_str(&testcase(r));
    }
    let mut x = junit_head(&counts, total);
    x.push_str(&body);
    x.push_str(JUNIT_TAIL);
    x
}

/// Passed, failed and errors so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    pub tests: usize,
    pub failures: usize,
    pub errors: usize,
}

impl Counts {
    pub fn add(&mut self, r: &ScriptResult) {
        self.tests += 1;
        match r.outcome {
            Outcome::Passed => {}
            Outcome::Failed(_) => self.failures += 1,
            Outcome::Error(_) => self.errors += 1,
        }
    }

    pub fn passed(&self) -> usize {
        self.tests - self.failures - self.errors
    }
}

fn junit_head(c: &Counts, total: Duration) -> String {
    let secs = total.as_secs_f64();
    let (tests, failures, errors) = (c.tests, c.failures, c.errors);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"flowsim\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{secs:.3}\">"
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"flowsim\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{secs:.3}\">"
    );
    x
}

const JUNIT_TAIL: &str = "  </testsuite>\n</testsuites>\n";

/// One `<testcase>` element, with its newline.
fn testcase(r: &ScriptResult) -> String {
    let mut x = String::new();
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
    x
}

/// JUnit XML written as results come: the test cases go to a hidden file beside the
/// report, and [`JunitWriter::finish`] puts the totals in front and moves the whole
/// into place (a reader sees the complete report or none; nothing is left behind on
/// error).
pub struct JunitWriter {
    path: std::path::PathBuf,
    body_path: std::path::PathBuf,
    body: Option<std::io::BufWriter<std::fs::File>>,
    counts: Counts,
}

impl JunitWriter {
    pub fn create(path: &Path) -> Result<Self, WriteError> {
        let dir = parent_dir(path);
        let name = path
            .file_name()
            .map_or_else(|| "junit.xml".into(), |n| n.to_string_lossy().into_owned());
        let body_path = dir.join(format!(".{name}.{}.cases.tmp", std::process::id()));
        let file = std::fs::File::create(&body_path).map_err(|source| WriteError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            body_path,
            body: Some(std::io::BufWriter::new(file)),
            counts: Counts::default(),
        })
    }

    pub fn add(&mut self, r: &ScriptResult) -> Result<(), WriteError> {
        self.counts.add(r);
        let io = |source| WriteError::Io {
            path: self.path.clone(),
            source,
        };
        match &mut self.body {
            Some(b) => b.write_all(testcase(r).as_bytes()).map_err(io),
            None => Ok(()),
        }
    }

    /// Write the report in place.
    pub fn finish(mut self, total: Duration) -> Result<(), WriteError> {
        let io = |source| WriteError::Io {
            path: self.path.clone(),
            source,
        };
        let body = self.body.take().expect("finish runs once");
        body.into_inner().map_err(|e| io(e.into_error()))?;
        let dir = parent_dir(&self.path);
        let name = self
            .path
            .file_name()
            .map_or_else(|| "junit.xml".into(), |n| n.to_string_lossy().into_owned());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            out.write_all(junit_head(&self.counts, total).as_bytes())?;
            std::io::copy(&mut std::fs::File::open(&self.body_path)?, &mut out)?;
            out.write_all(JUNIT_TAIL.as_bytes())?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(io)
    }
}

impl Drop for JunitWriter {
    fn drop(&mut self) {
        self.body = None;
        let _ = std::fs::remove_file(&self.body_path);
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
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
