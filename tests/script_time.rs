//! Script time (docs/call-language.md): when each `.call` directive lands relative
//! to the call. Each test here failed before script time was defined.

use std::path::Path;

use flowsim::engine::TraceKind;
use flowsim::script::{Outcome, RunOptions, ScriptResult, parse_script, run_script};
use flowsim::session::load_flows;

mod common;

fn run(body: &str) -> ScriptResult {
    let flow = common::root().join("contactflow/Vanity_Numbers.json");
    let text = format!("flow {}\ncaller +18003569377\n{body}", flow.display());
    let script = parse_script(&text, Path::new("t.call")).expect("the script parses");
    let flows = load_flows(Some(&flow), None).expect("the flow loads");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run_script(&script, &flows, &RunOptions::default()))
}

/// The failing line (the script's own lines start at 3).
fn failed_at(r: &ScriptResult) -> usize {
    match &r.outcome {
        Outcome::Failed(f) => f.line,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn passed(r: &ScriptResult) {
    assert!(r.passed(), "{:?}", r.outcome);
}

#[test]
fn expect_never_matches_a_prompt_said_before_the_previous_input() {
    // "You are calling from" is said before the second `press 1`.
    let r = run(
        "expect \"To continue, press 1\"\npress 1\npress 1\nexpect \"calling from\"\n\
         expect no \"calling from\"\n",
    );
    assert_eq!(failed_at(&r), 6);
    // Expected and expected absent after the same input: the second fails.
    let r = run("press 1\nexpect \"calling from\"\nexpect no \"calling from\"\n");
    assert_eq!(failed_at(&r), 5);
    // "Please hold" is said before the 9.
    let r = run("press 1\npress 1\npress 9\nexpect \"Please hold\"\n");
    assert_eq!(failed_at(&r), 6);
}

#[test]
fn a_press_after_an_expect_is_pressed_while_that_prompt_plays() {
    // The 9 is pressed during "Please hold" (a Play prompt): Connect does not capture
    // it (touchtone buffering is off), so the menu after the numbers times out.
    let r = run(
        "press 1\npress 1\nexpect \"please hold\"\npress 9\nexpect \"first number is\"\n\
         expect end disconnected\n",
    );
    passed(&r);
    let key = r
        .events
        .iter()
        .position(|e| matches!(e.kind, TraceKind::Key { key: '9' }))
        .expect("9 was pressed");
    let numbers = r
        .events
        .iter()
        .position(
            |e| matches!(&e.kind, TraceKind::Prompt { text, .. } if text.contains("first number")),
        )
        .expect("the numbers were read");
    assert!(
        key < numbers,
        "the 9 was pressed after the numbers were read"
    );
    assert!(
        r.events
            .iter()
            .any(|e| matches!(e.kind, TraceKind::KeyDropped { key: '9', .. })),
        "the 9 is dropped with a trace line"
    );
}

#[test]
fn a_press_with_no_expect_since_the_last_input_is_given_at_the_next_wait() {
    // Each press answers the next menu.
    passed(&run(
        "press 1\npress 1\npress 9\nexpect \"goodbye\"\nexpect end disconnected\n",
    ));
    // After `expect` of a Play prompt (the numbers) the 9 is pressed while it plays,
    // and dropped (issue 16 item 1): the goodbye never comes.
    let r = run(
        "press 1\npress 1\nexpect \"first number is\"\npress 9\nexpect \"goodbye\"\n\
         expect end disconnected\n",
    );
    assert_eq!(failed_at(&r), 7);
}

#[test]
fn a_barge_in_answers_the_menu_whose_prompt_matched() {
    passed(&run(
        "expect \"To continue, press 1\"\npress 1\nexpect \"calling from\"\npress 1\n\
         expect \"please hold\"\nexpect end disconnected\n",
    ));
}

#[test]
fn a_key_during_the_last_prompt_is_dropped() {
    // The 5 is pressed during the goodbye prompt: dropped (touchtone buffering is
    // off), with a trace line. (A buffered key no input block takes still fails its
    // own `press` line: tests/documented.rs.)
    let r =
        run("press 1\npress 1\npress 9\nexpect \"goodbye\"\npress 5\nexpect end disconnected\n");
    passed(&r);
    assert!(
        r.events
            .iter()
            .any(|e| matches!(e.kind, TraceKind::KeyDropped { key: '5', .. }))
    );
}
