//! Output formats of `check`: human, JSON lines, SARIF 2.1.0.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::rules::{RULES, Severity};
use super::{Finding, Format};

/// `file:line: block "label" (path): error[FS003 dangling-target]: message`,
/// a `  hint:` line, and a summary.
pub fn human(findings: &[Finding], files: usize) -> String {
    let mut s = String::new();
    for f in findings {
        s.push_str(&format!("{}:{}: ", f.file, f.line));
        if let Some(l) = &f.label {
            s.push_str(&format!("block \"{l}\" "));
        }
        s.push_str(&format!(
            "({}): {}[{} {}]: {}\n",
            f.path,
            f.severity.as_str(),
            f.code,
            f.name,
            f.message
        ));
        if !f.hint.is_empty() {
            s.push_str(&format!("  hint: {}\n", f.hint));
        }
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let notes = findings
        .iter()
        .filter(|f| f.severity == Severity::Info)
        .count();
    let warnings = findings.len() - errors - notes;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let notes = if notes > 0 {
        format!(", {}", plural(notes, "note"))
    } else {
        String::new()
    };
    s.push_str(&format!(
        "{}, {}{notes} in {}\n",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(files, "file")
    ));
    s
}

/// One JSON object per finding per line.
pub fn json_lines(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        s.push_str(&serde_json::to_string(f).unwrap_or_default());
        s.push('\n');
    }
    s
}

/// A SARIF 2.1.0 log with one run.
pub fn sarif(findings: &[Finding], files: &[PathBuf]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.description},
                "fullDescription": {"text": format!("{} Example: {}", r.description, r.example)},
                "defaultConfiguration": {"level": r.severity.sarif_level()},
                "helpUri": r.source,
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = RULES.iter().position(|r| r.code == f.code).unwrap_or(0);
            let mut text = f.message.clone();
            if !f.hint.is_empty() {
                text.push_str(&format!(" (hint: {})", f.hint));
            }
            let mut logical = vec![json!({
                "fullyQualifiedName": f.path,
                "kind": "element",
            })];
            if let Some(b) = &f.block {
                logical.push(json!({"name": b, "kind": "object"}));
            }
            json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": f.severity.sarif_level(),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&f.file)},
                        "region": {"startLine": f.line},
                    },
                    "logicalLocations": logical,
                }],
                "properties": {"name": f.name, "block": f.block, "label": f.label, "jsonPath": f.path},
            })
        })
        .collect();
    let artifacts: BTreeSet<String> = files
        .iter()
        .map(|p| uri(&p.display().to_string()))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "flowsim",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "artifacts": artifacts.iter().map(|u| json!({"location": {"uri": u}})).collect::<Vec<_>>(),
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// A relative path as a SARIF URI: forward slashes, spaces and `%` escaped.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

/// `--list-rules`: a table, or JSON lines with `--format json`.
pub fn list_rules(format: Format) -> String {
    let mut s = String::new();
    match format {
        Format::Json | Format::Sarif => {
            for r in RULES {
                s.push_str(
                    &json!({
                        "rule": r.code,
                        "name": r.name,
                        "severity": r.severity,
                        "description": r.description,
                        "example": r.example,
                        "source": r.source,
                    })
                    .to_string(),
                );
                s.push('\n');
            }
        }
        Format::Human => {
            let w = RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for r in RULES {
                s.push_str(&format!(
                    "{} {:w$} {:7} {}\n      e.g. {}\n      see {}\n",
                    r.code,
                    r.name,
                    r.severity.as_str(),
                    r.description,
                    r.example,
                    r.source,
                ));
            }
        }
    }
    s
}
