//! `expect block` of a block the flow does not have, and `expect lambda` of a
//! function the flow never invokes, are script errors (exit 2, `file:line`) before
//! any call runs. Before, they failed at run time (exit 1) as if the call had gone
//! another way.

mod common;

use common::{run_in, stderr, stdout};

fn test_script(body: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let flow = common::root().join("contactflow/Vanity_Numbers.json");
    std::fs::write(
        dir.path().join("s.call"),
        format!("flow {}\n{body}", flow.display()),
    )
    .unwrap();
    run_in(dir.path(), dir.path(), &["test", "s.call"])
}

#[test]
fn expect_block_of_no_such_block_is_a_script_error() {
    let out = test_script("press 1\nexpect block \"No Such Block\"\n");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_eq!(
        stderr(&out).trim(),
        "flowsim: s.call:3: `expect block \"No Such Block\"`: the flow has no block with that \
         name or identifier"
    );
    // Nothing ran.
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    // A block that exists, by name in any case, still runs.
    let out = test_script("expect block \"check hours\"\n");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn expect_lambda_of_a_function_the_flow_never_invokes_is_a_script_error() {
    let out = test_script("press 1\npress 1\nexpect lambda generate-vanity-numbers\n");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(
            "s.call:4: `expect lambda generate-vanity-numbers`: the flow never invokes that \
             function (it invokes vanity-numbers)"
        ),
        "{}",
        stderr(&out)
    );
    let out = test_script("press 1\npress 1\nexpect lambda vanity-*\n");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}
