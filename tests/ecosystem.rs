//! Ecosystem basics: shell completions, the man page, `--color` and NO_COLOR, and a
//! `flowsim.toml` in the current folder used as `--config`.

mod common;

use common::{run_in, stderr, stdout};

fn flowsim(args: &[&str]) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    run_in(&common::root(), data.path(), args)
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = flowsim(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("flowsim"), "{shell}: {text}");
        assert!(text.contains("check"), "{shell}: no subcommands");
    }
    let out = flowsim(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_man_page() {
    let out = flowsim(&["manpage"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.contains(".TH flowsim 1"), "{page}");
    assert!(page.contains("completions"), "{page}");
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let esc = |o: &std::process::Output| stdout(o).contains('\u{1b}');
    let always = flowsim(&["test", "contactflow/tests", "--color", "always"]);
    assert!(esc(&always), "{}", stdout(&always));
    let never = flowsim(&["--color", "never", "test", "contactflow/tests"]);
    assert!(!esc(&never));
    // Not a terminal: auto means no colour.
    assert!(!esc(&flowsim(&["test", "contactflow/tests"])));
    let no_color = common::bin()
        .args(["test", "contactflow/tests", "--color", "auto"])
        .env("NO_COLOR", "1")
        .env("FLOWSIM_DATA_DIR", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert!(!esc(&no_color));
    let bad = flowsim(&["test", "contactflow/tests", "--color", "sometimes"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn flowsim_toml_in_the_current_folder_is_the_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flowsim.toml"), "hours = \"closed\"\n").unwrap();
    let flow = common::root().join("contactflow/Vanity_Numbers.json");
    let flow = flow.to_str().unwrap();
    let out = run_in(dir.path(), dir.path(), &["run", flow, "-v"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("open every day"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("config: flowsim.toml (found in the current folder"),
        "{}",
        stderr(&out)
    );
    // --config wins, and without -v nothing is said.
    std::fs::write(dir.path().join("other.toml"), "hours = \"open\"\n").unwrap();
    let out = run_in(
        dir.path(),
        dir.path(),
        &["run", flow, "--config", "other.toml"],
    );
    assert!(!stdout(&out).contains("open every day"), "{}", stdout(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}
