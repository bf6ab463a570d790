//! `flowsim test` and `flowsim run --record` through the real binary.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::root;

fn flowsim(args: &[&str]) -> Output {
    common::run_in(&root(), &std::env::temp_dir().join("flowsim-tests"), args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn project_flow() -> String {
    root()
        .join("contactflow/Vanity_Numbers.json")
        .display()
        .to_string()
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn every_script_and_recording_passes() {
    let out = flowsim(&["test", "contactflow/tests", "recordings"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn a_wrong_expectation_names_the_line_and_what_was_said() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        dir.path(),
        "wrong.call",
        &format!(
            "flow {}\nlambda vanity-numbers = error\n\nexpect \"welcome to the pizza line\"\npress 1\n",
            project_flow()
        ),
    );
    let out = flowsim(&["test", script.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("wrong.call:4: expected the IVR to say \"welcome to the pizza line\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("Welcome to the vanity number line."),
        "{stdout}"
    );
    assert!(stdout.contains("block \"Recording Notice\""), "{stdout}");
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
}

#[test]
fn a_typo_is_bad_input_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        dir.path(),
        "typo.call",
        &format!("flow {}\npresss 1\n", project_flow()),
    );
    let out = flowsim(&["test", script.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("typo.call:2: unknown directive `presss` (did you mean `press`?)"),
        "{stderr}"
    );
}

#[test]
fn junit_report_is_xml() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.call",
        &format!(
            "flow {}\nlambda vanity-numbers = error\nexpect \"<nope> & \\\"quotes\\\"\"\n",
            project_flow()
        ),
    );
    let junit = dir.path().join("junit.xml");
    let out = flowsim(&[
        "test",
        "contactflow/tests",
        bad.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    let cases = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(suite.attribute("tests").unwrap(), cases.to_string());
    assert_eq!(suite.attribute("failures"), Some("1"));
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains(r#"<nope> & \"quotes\""#)
    );
    assert!(
        doc.descendants()
            .filter(|n| n.has_tag_name("system-out"))
            .any(|n| n
                .text()
                .unwrap_or("")
                .contains("Welcome to the vanity number line"))
    );
}

#[test]
fn json_output_is_one_result_per_line() {
    let out = flowsim(&["test", "contactflow/tests/closed.call", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["status"], "passed");
    assert_eq!(lines[0]["end"], "disconnected");
}

#[test]
fn update_rewrites_the_expects() {
    let dir = tempfile::tempdir().unwrap();
    let script = write(
        dir.path(),
        "stale.call",
        &format!(
            "flow {}\nlambda vanity-numbers = error\nexpect \"an old greeting\"\npress 1\n# a comment stays\nexpect \"old\"\npress 1\nexpect end disconnected\n",
            project_flow()
        ),
    );
    let path = script.to_str().unwrap();
    assert_eq!(flowsim(&["test", path]).status.code(), Some(1));
    let out = flowsim(&["test", path, "--update"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let new = std::fs::read_to_string(&script).unwrap();
    assert!(!new.contains("an old greeting"), "{new}");
    assert!(new.contains("# a comment stays"));
    assert!(
        new.contains("expect \"Welcome to the vanity number line."),
        "{new}"
    );
    assert!(
        new.contains("expect \"Sorry, the vanity number service is not available"),
        "{new}"
    );
    assert_eq!(flowsim(&["test", path]).status.code(), Some(0));
}

#[test]
fn record_writes_a_replayable_script_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("call.call");
    let r = rec.to_str().unwrap();
    let lambda =
        r#"vanity-numbers=json:{"ssmlResponse":"<speak>Try FLOWERS.</speak>","ssmlError":"false"}"#;
    let flow = project_flow();
    let args = [
        "run",
        &flow,
        "--keys",
        "1,2,7203569377#,~",
        "--lambda",
        lambda,
        "--record",
        r,
    ];
    let out = flowsim(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let first = std::fs::read_to_string(&rec).unwrap();
    assert!(first.contains("press 7203569377#\n"), "{first}");
    assert!(first.contains("silence\n"), "{first}");
    assert!(first.contains("lambda vanity-numbers = json:{"), "{first}");
    assert!(first.contains("expect \"Try FLOWERS.\""), "{first}");
    assert!(first.ends_with("expect end disconnected\n"), "{first}");

    let again = flowsim(&[
        "run", &flow, "--keys", "9", "--lambda", lambda, "--record", r,
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&rec).unwrap(), first);

    let replay = flowsim(&["test", r]);
    assert_eq!(replay.status.code(), Some(0), "{}", text(&replay.stdout));

    let mut forced = args.to_vec();
    forced[3] = "9";
    forced.push("--force");
    assert_eq!(flowsim(&forced).status.code(), Some(0));
    assert_ne!(std::fs::read_to_string(&rec).unwrap(), first);
}

#[test]
fn recordings_cover_every_reachable_branch_of_the_project_flow() {
    let dir = tempfile::tempdir().unwrap();
    let cov = dir.path().join("coverage.json");
    let out = flowsim(&[
        "test",
        "recordings",
        "--coverage",
        "--coverage-json",
        cov.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("coverage Vanity_Numbers: blocks 32/32 (100.0%)"),
        "{stdout}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cov).unwrap()).unwrap();
    let flow = v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flow"] == "Vanity_Numbers")
        .unwrap();
    assert_eq!(flow["blocks_covered"], flow["blocks_total"]);
    assert_eq!(
        flow["branches_never_taken"],
        serde_json::json!([]),
        "every branch a call can take is taken"
    );
    assert_eq!(flow["branches_covered"], flow["branches_total"]);
    assert!(stdout.contains("branches 60/60 (100.0%)"), "{stdout}");
    // The console's unused NextActions and the errors of blocks that cannot fail
    // are set apart, each with its reason.
    let dead = flow["branches_dead"].as_array().unwrap();
    assert_eq!(dead.len(), 18, "{dead:?}");
    assert!(
        dead.iter()
            .all(|d| !d["reason"].as_str().unwrap().is_empty())
    );
}

#[test]
fn scripts_without_a_flow_run_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    // The built-in flow welcomes callers to "the vanity number line"; the seed flow
    // (given with --flow) does not, so the same script tells the two apart.
    let script = write(
        dir.path(),
        "noflow.call",
        "lambda *vanity* = error\nexpect \"vanity number line\"\n",
    );
    let s = script.to_str().unwrap();
    let out = flowsim(&["test", s]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let Some(seed) = common::seed() else { return };
    let out = flowsim(&["test", s, "--flow", seed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn the_readme_example_is_a_script_that_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let script =
        std::fs::read_to_string(root.join("contactflow/tests/readme_example.call")).unwrap();
    assert!(
        readme.contains(&format!("```\n{script}```")),
        "README.md's example and contactflow/tests/readme_example.call differ"
    );
    let out = flowsim(&["test", "contactflow/tests/readme_example.call"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
