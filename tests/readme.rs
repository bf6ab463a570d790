//! The README's commands run as written from a fresh copy of the repo with no
//! `../shared` beside it: every ```sh block, line by line in one shell per block,
//! with `flowsim` on PATH; every ```toml block as a config file. Only lines that call
//! AWS or open the TUI are skipped (and `cargo test`, which is what runs this), and
//! the test prints each line it skipped and why.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

/// The fenced blocks of `lang` in `text`, each with the line it starts on.
fn blocks(text: &str, lang: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, Vec<String>)> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        match &mut current {
            None if t.starts_with("```") && t[3..].trim() == lang => {
                current = Some((i + 1, Vec::new()));
            }
            Some(_) if t.starts_with("```") => out.extend(current.take()),
            Some((_, lines)) => lines.push(line.to_owned()),
            None => {}
        }
    }
    out
}

/// Commands of a block: continuation lines (`\` at the end) joined.
fn commands(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut acc = String::new();
    for l in lines {
        if let Some(head) = l.strip_suffix('\\') {
            acc.push_str(head);
            acc.push(' ');
            continue;
        }
        acc.push_str(l);
        out.push(std::mem::take(&mut acc));
    }
    if !acc.is_empty() {
        out.push(acc);
    }
    out
}

/// Why a command cannot run here, if it cannot.
fn skip_reason(cmd: &str) -> Option<&'static str> {
    // The command without its trailing comment.
    let code = cmd.split(" # ").next().unwrap_or(cmd).trim();
    let words: Vec<&str> = code.split_whitespace().collect();
    if code.contains("=aws") || code.contains("--aws-") || words.first() == Some(&"sam") {
        return Some("calls AWS (or a local Invoke endpoint)");
    }
    if code == "cargo run --release" {
        return Some("opens the TUI");
    }
    if code == "cargo test" {
        return Some("runs the test suite, this test included");
    }
    if words.first() == Some(&"cargo") && words.get(1) == Some(&"+nightly") {
        return Some("needs a nightly toolchain and cargo-fuzz, and fuzzes for 10 minutes");
    }
    const COMMANDS: &[&str] = &[
        "run",
        "test",
        "vanity",
        "calls",
        "check",
        "export-test",
        "graph",
        "explore",
        "replay",
        "diff",
        "completions",
        "manpage",
        "help",
        "--help",
        "--version",
    ];
    if words.first() == Some(&"flowsim") && words.get(1).is_none_or(|w| !COMMANDS.contains(w)) {
        return Some("opens the TUI");
    }
    None
}

/// A copy of the repo's files (tracked, and new ones not ignored) in `dest`.
fn fresh_copy(dest: &Path) {
    let root = common::root();
    let out = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(&root)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git ls-files failed");
    for rel in out.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()) {
        let rel = PathBuf::from(String::from_utf8_lossy(rel).into_owned());
        let from = root.join(&rel);
        if !from.is_file() {
            continue; // deleted in the work tree
        }
        let to = dest.join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
}

#[test]
fn every_readme_command_runs_from_a_fresh_copy() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // No `../shared` beside the copy.
    let repo = tmp.path().join("flowsim");
    fresh_copy(&repo);
    assert!(!tmp.path().join("shared").exists());
    let bin_dir = Path::new(common::BIN).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let data = tmp.path().join("data");

    let mut ran = 0;
    let mut skipped = Vec::new();
    for (start, lines) in blocks(&readme, "sh") {
        let mut script = String::from("set -e\n");
        for cmd in commands(&lines) {
            if cmd.trim().is_empty() || cmd.trim_start().starts_with('#') {
                continue;
            }
            match skip_reason(&cmd) {
                Some(why) => skipped.push(format!("README.md:{start}: {}  ({why})", cmd.trim())),
                None => {
                    ran += 1;
                    script.push_str(&format!(
                        "printf '%s\\n' {} >&2\n{cmd}\n",
                        shell_quote(&format!("$ {}", cmd.trim()))
                    ));
                }
            }
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .current_dir(&repo)
            .env("PATH", &path)
            .env("FLOWSIM_DATA_DIR", &data)
            .output()
            .expect("sh runs");
        assert!(
            out.status.success(),
            "the block at README.md:{start} failed (exit {:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Each TOML block is a config file flowsim accepts.
    for (start, lines) in blocks(&readme, "toml") {
        let dir = repo.join(format!("toml-{start}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("flowsim.toml"), lines.join("\n")).unwrap();
        let out = Command::new(common::BIN)
            .args(["run", "../contactflow/Vanity_Numbers.json", "--keys", "9"])
            .current_dir(&dir)
            .env("FLOWSIM_DATA_DIR", &data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the config at README.md:{start}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    eprintln!("ran {ran} README commands; skipped {}:", skipped.len());
    for s in &skipped {
        eprintln!("  skipped {s}");
    }
    assert!(ran >= 15, "only {ran} commands ran");
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
