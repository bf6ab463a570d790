//! `--caller` and `--dialed` (and a script's `caller`/`dialed` lines) accept
//! anything — Connect does not validate caller IDs: anonymous callers exist, a chat
//! contact has no number — and warn when the number is not E.164. Before, `--caller
//! abc` was refused (exit 2) while `--caller 12345` and `--dialed 18005550199`
//! passed silently.

mod common;

use common::{run_in, stderr, stdout};

fn flowsim(args: &[&str]) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    run_in(&common::root(), data.path(), args)
}

const FLOW: &str = "contactflow/Vanity_Numbers.json";

#[test]
fn any_caller_is_accepted_with_a_warning_unless_e164() {
    for (caller, warned) in [
        ("abc", true),
        ("anonymous", true),
        ("12345", true),
        ("+1", true),
        ("+13035551234", false),
    ] {
        let out = flowsim(&["run", FLOW, "--caller", caller, "--keys", "9"]);
        assert_eq!(out.status.code(), Some(0), "{caller}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("CALL  {caller} →")),
            "{}",
            stdout(&out)
        );
        let err = stderr(&out);
        assert_eq!(err.contains("warning: --caller"), warned, "{caller}: {err}");
        if warned {
            assert!(err.contains("is not an E.164 number"), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }
    let out = flowsim(&["run", FLOW, "--dialed", "18005550199", "--keys", "9"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("warning: --dialed `18005550199`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn numbers_the_flow_validates_are_still_checked() {
    // The flow's number entry validates as before: 12345 is not a US number.
    let out = flowsim(&["run", FLOW, "--caller", "abc", "--keys", "1,2,12345#,~,~,~"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("not a valid"), "{}", stdout(&out));
}

#[test]
fn script_lines_too() {
    let dir = tempfile::tempdir().unwrap();
    let flow = common::root().join(FLOW);
    let s = dir.path().join("anon.call");
    std::fs::write(
        &s,
        format!(
            "flow {}\ncaller anonymous\npress 9\nexpect end disconnected\n",
            flow.display()
        ),
    )
    .unwrap();
    let out = flowsim(&["test", s.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("anon.call:2: warning: caller `anonymous` is not an E.164 number"),
        "{}",
        stderr(&out)
    );
}
