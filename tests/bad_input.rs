//! The bad-input catalogue, on the real binary: malformed and hostile flows,
//! scripts with every kind of mistake, Lambdas that answer garbage. Each case names
//! the exact one-line error (exit 2) or the branch the call takes.

mod common;

use std::path::PathBuf;
use std::process::Output;

use serde_json::{Value, json};

/// A scratch folder to run the binary in, so messages name short relative paths.
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Self {
        Self {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> &Self {
        std::fs::write(self.path(name), bytes).unwrap();
        self
    }

    fn run(&self, args: &[&str]) -> Output {
        common::run_in(self.tmp.path(), &self.path("data"), args)
    }

    /// The command fails with exit 2 and exactly this one line on stderr.
    fn fails(&self, args: &[&str], line: &str) {
        let o = self.run(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(2),
            "flowsim {args:?}: expected exit 2; stderr:\n{err}"
        );
        assert_eq!(err, format!("flowsim: {line}\n"), "flowsim {args:?}");
        assert!(o.stdout.is_empty(), "flowsim {args:?} printed results");
    }

    /// The command succeeds (exit `code`); its stdout.
    fn ok(&self, args: &[&str], code: i32) -> String {
        let o = self.run(args);
        assert_eq!(
            o.status.code(),
            Some(code),
            "flowsim {args:?}; stderr:\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }
}

fn flow(start: &str, actions: Value) -> String {
    json!({"Version": "2019-10-30", "StartAction": start, "Actions": actions}).to_string()
}

fn disconnect(id: &str) -> Value {
    json!({"Identifier": id, "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}})
}

fn say(id: &str, text: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": text},
           "Transitions": {"NextAction": next}})
}

const DISCONNECT_ONLY: &str = r#"{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}"#;

// ---- flows ---------------------------------------------------------------------------

#[test]
fn truncated_json() {
    let d = Dir::new();
    d.write("t.json", &DISCONNECT_ONLY[..60]);
    d.fails(
        &["run", "t.json"],
        "t.json: not valid JSON at line 1, column 60: EOF while parsing a string",
    );
    d.write("e.json", "");
    d.fails(&["run", "e.json"], "e.json: $: the file is empty");
    d.write("ws.json", " \n\t\n");
    d.fails(&["run", "ws.json"], "ws.json: $: the file is empty");
    let checked = d.run(&["check", "e.json"]);
    assert!(
        String::from_utf8_lossy(&checked.stdout)
            .contains("error[FS000 invalid-json]: the file is empty"),
        "{checked:?}"
    );
    d.write("g.json", format!("{DISCONNECT_ONLY}garbage"));
    d.fails(
        &["run", "g.json"],
        "g.json: not valid JSON at line 1, column 138: trailing characters",
    );
    // `graph` loads the same way.
    d.fails(
        &["graph", "t.json"],
        "t.json: not valid JSON at line 1, column 60: EOF while parsing a string",
    );
}

#[test]
fn wrong_types_name_the_json_path() {
    let d = Dir::new();
    d.write(
        "a.json",
        r#"{"Version":"2019-10-30","StartAction":"a","Actions":{}}"#,
    );
    d.fails(
        &["run", "a.json"],
        "a.json: Actions: expected an array of actions, found an object",
    );
    d.write(
        "l.json",
        flow(
            "a",
            json!([{"Identifier": "a", "Type": "Loop", "Parameters": {"LoopCount": [1]}, "Transitions": {}}]),
        ),
    );
    d.fails(
        &["run", "l.json"],
        "l.json: block \"a\" at Actions[0].Parameters.LoopCount: expected a string, found an array",
    );
    d.write("n.json", "[1, 2, 3]");
    d.fails(
        &["run", "n.json"],
        "n.json: $: expected a flow object, found an array",
    );
    d.write("s.json", r#"{"Version":"2019-10-30","Actions":[]}"#);
    d.fails(
        &["run", "s.json"],
        "s.json: StartAction: missing: the flow has no first block",
    );
    d.write(
        "dup.json",
        flow("a", json!([disconnect("a"), disconnect("a")])),
    );
    d.fails(
        &["run", "dup.json"],
        "dup.json: block \"a\" at Actions[1].Identifier: duplicate Identifier (used by another action)",
    );
    d.write(
        "dangling.json",
        flow("a", json!([say("a", "hi", "nowhere")])),
    );
    d.fails(
        &["run", "dangling.json"],
        "dangling.json: block \"a\" at Actions[0].Transitions.NextAction: target \"nowhere\" names no action in this flow",
    );
}

#[test]
fn deeply_nested_json() {
    let d = Dir::new();
    d.write("arrays.json", "[".repeat(100_000));
    d.fails(
        &["run", "arrays.json"],
        "arrays.json: not valid JSON at line 1, column 128: recursion limit exceeded",
    );
    d.write("objects.json", "{\"a\":".repeat(100_000));
    d.fails(
        &["run", "objects.json"],
        "objects.json: not valid JSON at line 1, column 636: recursion limit exceeded",
    );
    // The linter reports it as a finding (exit 1), on one line.
    let out = d.ok(&["check", "arrays.json"], 1);
    assert!(
        out.starts_with("arrays.json:1: ($): error[FS000 invalid-json]: not valid JSON at line 1, column 128: recursion limit exceeded\n"),
        "{out}"
    );
}

#[test]
fn a_50_mb_file_is_refused_before_reading() {
    let d = Dir::new();
    let f = std::fs::File::create(d.path("big.json")).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    d.fails(
        &["run", "big.json"],
        "big.json: $: file is 52428800 bytes, larger than any exported flow can be (limit 8388608)",
    );
    let out = d.ok(&["check", "big.json"], 1);
    assert!(out.contains("file is 52428800 bytes"), "{out}");
}

#[test]
fn non_utf8_bytes() {
    let d = Dir::new();
    d.write("b.json", b"{\"Version\":\"2019-10-30\",\xff\xfe}");
    d.fails(
        &["run", "b.json"],
        "b.json: cannot read the file: not UTF-8 text (invalid byte at offset 24)",
    );
    // A byte-order mark is fine.
    d.write("bom.json", format!("\u{feff}{DISCONNECT_ONLY}"));
    assert!(d.ok(&["run", "bom.json"], 0).contains("END   disconnected"));
}

#[test]
fn legacy_missing_and_directory() {
    let d = Dir::new();
    d.write("legacy.json", r#"{"modules":[]}"#);
    d.fails(
        &["run", "legacy.json"],
        "legacy.json: this is Amazon Connect's legacy export format (top-level `modules`), which \
         Connect no longer imports and flowsim does not run; export the flow again as \
         flow-language JSON (`aws connect describe-contact-flow`, the `Content` field)",
    );
    d.fails(
        &["run", "missing.json"],
        "missing.json: cannot read the file: No such file or directory (os error 2)",
    );
    d.fails(
        &["run", "."],
        ".: cannot read the file: is a directory, not a flow file",
    );
    // check: exit 2 and the one line, no summary of files it never read.
    d.fails(
        &["check", "missing.json"],
        "missing.json: cannot read the file: No such file or directory (os error 2)",
    );
}

#[test]
fn cycles_and_self_loops_end_on_the_step_budget() {
    let d = Dir::new();
    d.write("self.json", flow("a", json!([say("a", "again", "a")])));
    let out = d.ok(&["run", "self.json", "--max-steps", "50"], 1);
    assert!(
        out.ends_with(
            "END   stopped after 50 blocks: step budget exhausted (a loop with no way out?)\n"
        ),
        "{out}"
    );
    assert_eq!(out.matches("IVR   again").count(), 50);
    d.write(
        "cycle.json",
        flow(
            "a",
            json!([
                say("a", "one", "b"),
                say("b", "two", "c"),
                say("c", "three", "a")
            ]),
        ),
    );
    let out = d.ok(&["run", "cycle.json"], 1);
    assert!(out.contains("stopped after 1000 blocks"), "{out}");
    // A menu that loops to itself on every outcome: each timeout spends a step.
    d.write(
        "menu.json",
        flow(
            "m",
            json!([{"Identifier": "m", "Type": "GetParticipantInput",
                    "Parameters": {"Text": "Press a key", "InputTimeLimitSeconds": "5", "StoreInput": "False"},
                    "Transitions": {"NextAction": "m", "Errors": [{"NextAction": "m", "ErrorType": "NoMatchingError"}]}}]),
        ),
    );
    let out = d.ok(&["run", "menu.json", "--max-steps", "20"], 1);
    assert!(out.contains("stopped after 20 blocks"), "{out}");
}

/// A chain of `n` blocks (attribute updates and compares), ending in a disconnect,
/// or looping back to the start when `cycle`.
fn long_flow(n: usize, cycle: bool) -> String {
    let actions: Vec<Value> = (0..n)
        .map(|i| {
            let next = if i + 1 < n {
                format!("b{}", i + 1)
            } else if cycle {
                "b0".into()
            } else {
                "end".into()
            };
            if i % 2 == 0 {
                json!({"Identifier": format!("b{i}"), "Type": "UpdateContactAttributes",
                       "Parameters": {"Attributes": {"n": i.to_string()}},
                       "Transitions": {"NextAction": next, "Errors": [{"NextAction": next, "ErrorType": "NoMatchingError"}]}})
            } else {
                json!({"Identifier": format!("b{i}"), "Type": "Compare",
                       "Parameters": {"ComparisonValue": "$.Attributes.n"},
                       "Transitions": {"NextAction": next,
                                       "Conditions": [{"NextAction": next, "Condition": {"Operator": "Equals", "Operands": ["x"]}}],
                                       "Errors": [{"NextAction": next, "ErrorType": "NoMatchingCondition"}]}})
            }
        })
        .chain(std::iter::once(disconnect("end")))
        .collect();
    flow("b0", Value::Array(actions))
}

#[test]
fn a_10000_block_flow_loads_checks_graphs_and_runs() {
    let d = Dir::new();
    d.write("long.json", long_flow(10_000, false));
    let out = d.ok(&["run", "long.json", "--max-steps", "20000", "-v"], 0);
    assert!(out.contains("b9999 (Compare)"), "the call ran every block");
    assert!(out.ends_with("END   disconnected (DisconnectParticipant \"end\")\n"));
    // Connect refuses more than 250 actions (FS129), and that is the only finding.
    let out = d.ok(&["check", "long.json"], 1);
    assert!(out.contains("FS129") && out.contains("1 error,"), "{out}");
    let out = d.ok(&["graph", "long.json"], 0);
    assert!(out.contains("b9999"));
    // With the default budget, a 10,000-block cycle is stopped.
    d.write("ring.json", long_flow(10_000, true));
    let out = d.ok(&["run", "ring.json"], 1);
    assert!(out.contains("stopped after 1000 blocks"), "{out}");
}

// ---- scripts -------------------------------------------------------------------------

/// A folder with a valid flow and one script holding `body` after its `flow` line.
fn script_dir(body: &str) -> Dir {
    let d = Dir::new();
    d.write("f.json", DISCONNECT_ONLY);
    d.write("s.call", format!("flow f.json\n{body}"));
    d
}

#[test]
fn scripts_with_every_kind_of_mistake() {
    let cases = [
        (
            "frobnicate 1\n",
            "s.call:2: unknown directive `frobnicate` (directives: flow, caller, dialed, attribute, hours, lambda, channel, at, queue, customer, view, env, lex, expect, say, press, silence, wait, hangup, hold)",
        ),
        (
            "expect \"unterminated\n",
            "s.call:2: unterminated quoted string (missing the closing \")",
        ),
        (
            "expect \"a\" b\n",
            "s.call:2: unexpected `b` at the end of the line",
        ),
        (
            "expect \"\"\n",
            "s.call:2: empty phrase: expect \"\" would match anything",
        ),
        (
            "expect /[a-/\n",
            "s.call:2: bad regular expression /[a-/: regex parse error: (?i)[a- ^ error: unclosed character class",
        ),
        (
            "lambda foo\n",
            "s.call:2: `lambda` needs NAME = BACKEND, e.g. lambda my-function = json:{\"a\":\"b\"}",
        ),
        (
            "lambda foo = json:{bad\n",
            "s.call:2: `json:` backend is not valid JSON: key must be a string at line 1 column 2",
        ),
        (
            "lambda foo = nope:x\n",
            "s.call:2: unknown Lambda backend `nope:x` (expected builtin:vanity, json:{…}, file:PATH, exec:COMMAND, aws, aws:NAME, error, throttle or timeout)",
        ),
        (
            "press 12a\n",
            "s.call:2: `press 12a`: `a` is not a phone key (0-9, * and # are)",
        ),
        (
            "wait forever\n",
            "s.call:2: `wait forever`: expected a duration such as 2s or 500ms",
        ),
        (
            "expect end sideways\n",
            "s.call:2: `expect end sideways`: expected disconnected, hangup, queue \"NAME\", agent \"NAME\", abandoned, callback, ended, budget or stopped",
        ),
        (
            "hours sometimes\n",
            "s.call:2: `hours sometimes`: expected `hours open` or `hours closed`",
        ),
        (
            "attribute novalue\n",
            "s.call:2: expected KEY = VALUE, e.g. attribute Language = en",
        ),
        (
            "press 1\ncaller +13035551234\n",
            "s.call:3: settings (flow, caller, dialed, attribute, hours, lambda) must come before the call starts (line 2 already acts on the call)",
        ),
        (
            "flow f.json\n",
            "s.call:2: a second `flow` line (the first is line 1)",
        ),
    ];
    for (body, line) in cases {
        script_dir(body).fails(&["test", "s.call"], line);
    }
}

#[test]
fn scripts_whose_flow_or_text_is_bad() {
    let d = Dir::new();
    d.write("missing.call", "flow nothere.json\npress 1\n");
    d.fails(
        &["test", "missing.call"],
        "missing.call:1: cannot load the flow: ./nothere.json: cannot read the file: No such file or directory (os error 2)",
    );
    d.write("t.json", &DISCONNECT_ONLY[..60]);
    d.write("bad.call", "# a comment\nflow t.json\n");
    d.fails(
        &["test", "bad.call"],
        "bad.call:2: cannot load the flow: ./t.json: not valid JSON at line 1, column 60: EOF while parsing a string",
    );
    d.write("bytes.call", b"flow t.json\npress 1 \xff\n");
    d.fails(
        &["test", "bytes.call"],
        "bytes.call:2: not UTF-8 text (invalid byte at column 9)",
    );
    d.fails(&["test", "none.call"], "none.call: no such file or folder");
}

// ---- Lambda responses ----------------------------------------------------------------

/// A flow whose one Lambda block (time limit 1 s, STRING_MAP) says which branch it took.
fn lambda_dir() -> Dir {
    let d = Dir::new();
    d.write(
        "l.json",
        flow(
            "l",
            json!([
                {"Identifier": "l", "Type": "InvokeLambdaFunction",
                 "Parameters": {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:123456789012:function:fn",
                                "InvocationTimeLimitSeconds": "1",
                                "ResponseValidation": {"ResponseType": "STRING_MAP"}},
                 "Transitions": {"NextAction": "ok", "Errors": [{"NextAction": "failed", "ErrorType": "NoMatchingError"}]}},
                say("ok", "got $.External.a", "bye"),
                say("failed", "lambda failed", "bye"),
                disconnect("bye")
            ]),
        ),
    );
    d
}

/// Run the Lambda flow with `backend`; the branch line and the prompt said.
fn lambda_branch(d: &Dir, backend: &str) -> (String, String) {
    let out = d.ok(
        &["run", "l.json", "-v", "--lambda", &format!("fn={backend}")],
        0,
    );
    let branch = out
        .lines()
        .find(|l| l.contains("↳") && (l.ends_with("→ ok") || l.ends_with("→ failed")))
        .unwrap_or_else(|| panic!("no branch in:\n{out}"))
        .split_once("↳ ")
        .unwrap()
        .1
        .to_owned();
    let said = out
        .lines()
        .find_map(|l| l.split_once("IVR   ").map(|(_, s)| s.to_owned()))
        // `-v` adds how long the prompt takes to say.
        .map(|s| s.split_once("  (").map_or(s.clone(), |(t, _)| t.to_owned()))
        .unwrap_or_else(|| panic!("nothing said in:\n{out}"));
    (branch, said)
}

#[test]
fn lambda_responses_valid_nested_and_not_objects() {
    let d = lambda_dir();
    assert_eq!(
        lambda_branch(&d, r#"json:{"a":"b"}"#),
        (
            "Next: valid STRING_MAP response → ok".into(),
            "got b".into()
        )
    );
    assert_eq!(
        lambda_branch(&d, r#"json:{"a":{"b":"c"}}"#),
        (
            "NoMatchingError: key \"a\" holds a nested value, which STRING_MAP validation refuses (set ResponseType to JSON) → failed".into(),
            "lambda failed".into()
        )
    );
    assert_eq!(
        lambda_branch(&d, "json:[1]").0,
        "NoMatchingError: response is an array, not a JSON object → failed"
    );
}

#[test]
fn lambda_response_over_32_kb() {
    let d = lambda_dir();
    d.write("huge.json", json!({"a": "x".repeat(40_000)}).to_string());
    assert_eq!(
        lambda_branch(&d, "file:huge.json").0,
        "NoMatchingError: response is 40008 bytes, over Connect's 32 KB limit → failed"
    );
}

#[test]
fn lambda_response_files_that_are_not_json_are_bad_input() {
    let d = lambda_dir();
    d.write("not.json", "nope\n");
    d.fails(
        &["run", "l.json", "--lambda", "fn=file:not.json"],
        "./not.json: not valid JSON: expected ident at line 1 column 2",
    );
    d.fails(
        &["run", "l.json", "--lambda", "fn=file:gone.json"],
        "./gone.json: cannot read Lambda response file: No such file or directory (os error 2)",
    );
}

#[cfg(unix)]
#[test]
fn lambda_programs_that_print_garbage_flood_or_hang() {
    let d = lambda_dir();
    assert_eq!(
        lambda_branch(&d, "exec:echo not json").0,
        "NoMatchingError: function error: `echo` printed something that is not JSON (expected ident at line 1 column 2) (attempt 4) → failed"
    );
    // A program that never stops printing is stopped at Connect's 32 KB limit,
    // not read into memory until the time limit.
    assert_eq!(
        lambda_branch(&d, "exec:yes").0,
        "NoMatchingError: invocation failed: `yes` printed 32768 bytes or more, over Connect's 32 KB response limit (stopped it) → failed"
    );
    // A slow function: the block's 1 s limit decides.
    assert_eq!(
        lambda_branch(&d, "exec:sleep 30"),
        (
            "NoMatchingError: no answer within 1 s (InvocationTimeLimitSeconds) → failed".into(),
            "lambda failed".into()
        )
    );
    assert_eq!(
        lambda_branch(&d, "exec:no-such-program-xyz").0,
        "NoMatchingError: invocation failed: cannot start `no-such-program-xyz`: No such file or directory (os error 2) → failed"
    );
}

#[test]
fn bad_flags_and_config() {
    let d = Dir::new();
    d.write("f.json", DISCONNECT_ONLY);
    d.fails(
        &["run", "f.json", "--lambda", "x"],
        "`--lambda x`: expected PATTERN=BACKEND, e.g. generate-vanity-numbers=builtin:vanity",
    );
    d.fails(
        &["run", "f.json", "--max-steps", "0"],
        "--max-steps must be at least 1",
    );
    d.write("bad.toml", "caller = [\n");
    d.fails(
        &["run", "f.json", "--config", "bad.toml"],
        "bad.toml:1: unclosed array, expected `]`",
    );
    d.fails(
        &["run", "f.json", "--config", "nope.toml"],
        "nope.toml: cannot read config: No such file or directory (os error 2)",
    );
}
