//! An unmapped Lambda function is an error when a call reaches it (exit 2, naming
//! the function and the mapping to add), not before the call starts; a `--lambda`
//! pattern that matches no function of the flow gets one warning.

mod common;

use common::{run_in, stderr, stdout};

const FLOW: &str = "tests/fixtures/branch_lambda.json";

fn flowsim(args: &[&str]) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    run_in(&common::root(), data.path(), args)
}

#[test]
fn a_function_on_a_branch_the_call_never_takes_needs_no_mapping() {
    let out = flowsim(&["run", FLOW, "--keys", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Your balance is zero"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn reaching_an_unmapped_function_is_exit_2_naming_it() {
    let out = flowsim(&["run", FLOW, "--keys", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("`validateEntry`"), "{err}");
    assert!(err.contains("--lambda 'validateEntry="), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // The trace up to there is shown, the key that led there included.
    assert!(stdout(&out).contains("KEY   1"), "{}", stdout(&out));
}

#[test]
fn a_pattern_that_matches_no_function_is_warned_about_once() {
    let out = flowsim(&[
        "run",
        FLOW,
        "--keys",
        "1",
        "--lambda",
        "validate*=error",
        "--lambda",
        "nosuch=error",
        "--lambda",
        "nosuch=error",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("warning").count(), 1, "{err}");
    assert!(
        err.contains("`nosuch` matches no Lambda function (the flow invokes validateEntry)"),
        "{err}"
    );
}

#[test]
fn scripts_too() {
    let dir = tempfile::tempdir().unwrap();
    let flow = common::root().join(FLOW);
    let never = dir.path().join("never.call");
    std::fs::write(
        &never,
        format!(
            "flow {}\npress 2\nexpect \"balance is zero\"\nexpect end disconnected\n",
            flow.display()
        ),
    )
    .unwrap();
    let out = flowsim(&["test", never.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let reached = dir.path().join("reached.call");
    std::fs::write(
        &reached,
        format!(
            "flow {}\npress 1\nexpect end disconnected\n",
            flow.display()
        ),
    )
    .unwrap();
    let out = flowsim(&["test", reached.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("`lambda validateEntry = "),
        "{}",
        stdout(&out)
    );
    let out = flowsim(&["test", never.to_str().unwrap(), "--lambda", "nosuch=error"]);
    assert!(
        stderr(&out).contains("`nosuch` matches no Lambda function"),
        "{}",
        stderr(&out)
    );
}
