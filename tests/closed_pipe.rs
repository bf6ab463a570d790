//! Every command ends quietly when stdout's reader goes away (`flowsim … | head`):
//! exit 141 (what a shell shows for a tool stopped by SIGPIPE), nothing on stderr,
//! never a panic. Before, `print!` panicked: exit 101, "failed printing to stdout".

use std::process::{Command, Stdio};

mod common;

/// Run `args` with stdout a pipe whose reader is closed before the program starts
/// (so the first write fails, whatever the scheduling).
fn closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let data = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let child = Command::new(common::BIN)
        .args(args)
        .current_dir(common::root())
        .env("FLOWSIM_DATA_DIR", data.path())
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("flowsim starts");
    let out = child.wait_with_output().expect("flowsim ends");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_ends_quietly_on_a_closed_pipe() {
    let flow = "contactflow/Vanity_Numbers.json";
    let many: Vec<&str> = std::iter::once("check")
        .chain(std::iter::repeat_n(flow, 300))
        .collect();
    let commands: Vec<Vec<&str>> = vec![
        many,
        vec!["check", "--list-rules"],
        vec!["check", flow, "--format", "sarif"],
        vec!["graph", flow],
        vec!["graph", flow, "--format", "mermaid"],
        vec!["run", flow, "--keys", "1,1,9"],
        vec!["run", flow, "--keys", "1,1,9", "--json"],
        vec!["test", "contactflow/tests", "recordings"],
        vec!["test", "recordings", "--coverage"],
        vec!["vanity", "+18003569377", "+13035551234"],
        vec!["calls"],
        vec!["--help"],
        vec!["run", "--help"],
        vec!["--version"],
        vec!["completions", "bash"],
        vec!["manpage"],
    ];
    for args in commands {
        let shown = args.iter().take(4).copied().collect::<Vec<_>>().join(" ");
        let (code, stderr) = closed_pipe(&args);
        assert!(!stderr.contains("panicked"), "flowsim {shown}: {stderr}");
        assert_ne!(code, Some(101), "flowsim {shown}: {stderr}");
        assert_eq!(code, Some(141), "flowsim {shown}: exit {code:?}, {stderr}");
        assert!(stderr.is_empty(), "flowsim {shown}: {stderr}");
    }
}
