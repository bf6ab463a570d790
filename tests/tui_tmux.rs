//! End to end in a real terminal: flowsim's TUI in a detached tmux session,
//! driven with `send-keys`, read with `capture-pane`. Skipped (with a note) when
//! tmux is not installed.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long any one thing may take to appear on screen.
const TIMEOUT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// A private tmux server (its own socket), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Poll the screen until it shows `text`.
    fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Poll the screen until it shows every one of `texts`. A capture can catch a
    /// frame half drawn, so what one screen is asserted to show is waited for
    /// together, never checked on the capture that showed the first of it.
    fn wait_for_all(&self, texts: &[&str]) -> String {
        self.wait_until(&format!("{texts:?}"), |s| {
            texts.iter().all(|t| s.contains(t))
        })
    }

    /// Poll the screen until `ok` holds for it.
    fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "waited {TIMEOUT:?} for {what}; the screen shows:\n{screen}"
            );
            std::thread::sleep(POLL);
        }
    }

    fn keys(&self, keys: &str) {
        let out = self.run(&["send-keys", "-t", "e2e", "-l", keys]);
        assert!(out.status.success(), "send-keys {keys}");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Run `body` (a shell script; `{bin}` is flowsim) in a fresh tmux server and session
/// `e2e` of `width`×`height`. `None` when tmux is not installed.
fn start(name: &str, dir: &Path, body: &str, width: u16, height: u16) -> Option<Tmux> {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("note: tmux is not installed; skipping {name}");
        return None;
    }
    let script = dir.join("run.sh");
    let body = body.replace("{bin}", &shell_quote(env!("CARGO_BIN_EXE_flowsim")));
    std::fs::write(&script, body).unwrap();
    let tmux = Tmux {
        socket: format!("flowsim-{name}-{}", std::process::id()),
    };
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        &width.to_string(),
        "-y",
        &height.to_string(),
        &format!("sh {}", shell_quote(&script.display().to_string())),
    ]);
    assert!(
        started.status.success(),
        "tmux new-session: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    Some(tmux)
}

#[test]
fn dial_through_the_flow_in_a_real_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_flowsim");
    let flow = Path::new(env!("CARGO_MANIFEST_DIR")).join("contactflow/Vanity_Numbers.json");
    let body = format!(
        "cd {dir}\nFLOWSIM_DATA_DIR={data} {{bin}} tui {flow}\n\
         echo \"flowsim exited $?\"\nexec sleep 600\n",
        dir = shell_quote(&dir.path().display().to_string()),
        data = shell_quote(&dir.path().join("data").display().to_string()),
        flow = shell_quote(&flow.display().to_string()),
    );
    let Some(tmux) = start("e2e", dir.path(), &body, 120, 40) else {
        return;
    };

    tmux.wait_for("Welcome to the vanity");
    tmux.wait_for("▶ press a key");
    tmux.keys("1");
    tmux.wait_for("You are calling from");
    tmux.keys("2");
    tmux.wait_for("▶ enter digits");
    // No --lambda: the built-in vanity function answers.
    tmux.keys("8003569377#");
    tmux.wait_for("FLOWERS");
    tmux.wait_for_all(&["To hear these", "vanity-numbers ✓", "TargetNumber"]);

    tmux.keys("9");
    tmux.wait_for("ended: disconnected");
    tmux.keys("w");
    tmux.wait_for("recording written");
    tmux.keys("q");
    let screen = tmux.wait_for("flowsim exited 0");
    assert!(
        !screen.contains("Transcript"),
        "left the alternate screen:\n{screen}"
    );

    // The terminal is back: main screen, mouse released, cursor shown.
    let modes = tmux.run(&[
        "display-message",
        "-p",
        "-t",
        "e2e",
        "#{alternate_on} #{mouse_any_flag} #{mouse_button_flag} #{mouse_standard_flag} #{cursor_flag}",
    ]);
    assert_eq!(String::from_utf8_lossy(&modes.stdout).trim(), "0 0 0 0 1");

    let recordings: Vec<_> = std::fs::read_dir(dir.path().join("recordings"))
        .expect("recordings folder")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(recordings.len(), 1, "{recordings:?}");
    let text = std::fs::read_to_string(&recordings[0]).unwrap();
    assert!(text.contains("caller +15555550100"), "{text}");
    assert!(text.contains("press 8003569377#"), "{text}");
    assert!(text.contains("lambda vanity-numbers = json:"), "{text}");
    assert!(text.contains("FLOWERS"), "{text}");
    assert!(text.ends_with("expect end disconnected\n"), "{text}");

    // The recording replays green.
    let replay = Command::new(bin)
        .arg("test")
        .arg(&recordings[0])
        .env("FLOWSIM_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "{}{}\n{text}",
        String::from_utf8_lossy(&replay.stdout),
        String::from_utf8_lossy(&replay.stderr)
    );
}

/// A panic inside the TUI (forced by a test hook on the first key) leaves the
/// terminal as it found it: main screen, mouse released, cursor shown, cooked mode
/// with echo — and the panic message readable on the main screen.
#[test]
fn a_panic_in_the_tui_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "cd {dir}\nFLOWSIM_TEST_PANIC_ON_KEY=1 RUST_BACKTRACE=0 FLOWSIM_DATA_DIR={data} {{bin}} tui\n\
         echo \"flowsim exited $?\"\nstty -a | tr ' ' '\\n' | grep -x -e '-\\?icanon' -e '-\\?echo' | tr '\\n' ' '\n\
         echo '<stty'\nexec sleep 600\n",
        dir = shell_quote(&dir.path().display().to_string()),
        data = shell_quote(&dir.path().join("data").display().to_string()),
    );
    let Some(tmux) = start("panic", dir.path(), &body, 100, 30) else {
        return;
    };
    let modes = |tmux: &Tmux| {
        let out = tmux.run(&[
            "display-message",
            "-p",
            "-t",
            "e2e",
            "#{alternate_on} #{mouse_any_flag} #{cursor_flag}",
        ]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };

    tmux.wait_for("▶ press a key");
    // The TUI really did take the terminal over: alternate screen, mouse captured,
    // cursor hidden. The text can be on screen before the cursor is hidden (one
    // frame's bytes reach tmux in more than one read), so the modes are polled too.
    let start = Instant::now();
    while modes(&tmux) != "1 1 0" && start.elapsed() < TIMEOUT {
        std::thread::sleep(POLL);
    }
    assert_eq!(modes(&tmux), "1 1 0");
    tmux.keys("1");
    let screen = tmux.wait_for("<stty");
    assert!(screen.contains("flowsim exited 101"), "{screen}");
    assert!(
        screen.contains("FLOWSIM_TEST_PANIC_ON_KEY is set: a forced panic in the TUI"),
        "the panic message is on the main screen:\n{screen}"
    );
    assert!(
        screen.contains("icanon echo <stty"),
        "raw mode left:\n{screen}"
    );
    assert!(!screen.contains("Transcript"), "{screen}");
    assert_eq!(modes(&tmux), "0 0 1");
}

/// The help open for 7 s over a 5 s input: the call's clock stands still, so
/// the input is still waiting when the help closes; then it times out by itself,
/// and the transcript says so.
#[test]
fn the_help_stops_the_calls_clock() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "cd {dir}\nFLOWSIM_DATA_DIR={data} {{bin}} tui\necho \"flowsim exited $?\"\nexec sleep 600\n",
        dir = shell_quote(&dir.path().display().to_string()),
        data = shell_quote(&dir.path().join("data").display().to_string()),
    );
    let Some(tmux) = start("pause", dir.path(), &body, 120, 40) else {
        return;
    };
    tmux.wait_for("▶ press a key");
    tmux.keys("?");
    tmux.wait_for("Help · any key closes");
    std::thread::sleep(Duration::from_secs(7));
    tmux.keys("x");
    // The help gone and the prompt under it drawn again, in one capture.
    let screen = tmux.wait_until("the help to close", |s| {
        !s.contains("Help · any key closes") && s.contains("▶ press a key")
    });
    assert!(
        !screen.contains("(no key within"),
        "timed out under the help:\n{screen}"
    );
    assert!(
        !screen.contains("Sorry"),
        "timed out under the help:\n{screen}"
    );
    tmux.wait_for("(no key within 5 s)");
    tmux.keys("q");
    tmux.wait_for("flowsim exited 0");
}

/// The unmapped-Lambda question answered after 10 s (past the function's 8 s
/// limit): the clock stood still, so the answer is the one the flow uses.
#[test]
fn an_unmapped_lambda_can_be_answered_slowly() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("lookup.json");
    std::fs::write(
        &flow,
        r#"{"Version":"2019-10-30","StartAction":"Lookup","Actions":[
  {"Identifier":"Lookup","Type":"InvokeLambdaFunction","Parameters":{
    "LambdaFunctionARN":"arn:aws:lambda:us-east-1:123456789012:function:lookup",
    "InvocationTimeLimitSeconds":"8","ResponseValidation":{"ResponseType":"STRING_MAP"}},
   "Transitions":{"NextAction":"Say","Errors":[{"NextAction":"Failed","ErrorType":"NoMatchingError"}]}},
  {"Identifier":"Say","Type":"MessageParticipant","Parameters":{"Text":"The answer is $.External.answer"},
   "Transitions":{"NextAction":"Bye"}},
  {"Identifier":"Failed","Type":"MessageParticipant","Parameters":{"Text":"The lookup failed"},
   "Transitions":{"NextAction":"Bye"}},
  {"Identifier":"Bye","Type":"DisconnectParticipant","Parameters":{},"Transitions":{}}]}"#,
    )
    .unwrap();
    let body = format!(
        "cd {dir}\nFLOWSIM_DATA_DIR={data} {{bin}} tui {flow}\necho \"flowsim exited $?\"\nexec sleep 600\n",
        dir = shell_quote(&dir.path().display().to_string()),
        data = shell_quote(&dir.path().join("data").display().to_string()),
        flow = shell_quote(&flow.display().to_string()),
    );
    let Some(tmux) = start("unmapped", dir.path(), &body, 120, 40) else {
        return;
    };
    tmux.wait_for("Unmapped Lambda function");
    std::thread::sleep(Duration::from_secs(10));
    let screen = tmux.screen();
    assert!(screen.contains("Unmapped Lambda function"), "{screen}");
    assert!(!screen.contains("no answer within"), "{screen}");
    // Replace the `{}` with a response of our own.
    let out = tmux.run(&["send-keys", "-t", "e2e", "BSpace", "BSpace"]);
    assert!(out.status.success());
    tmux.keys(r#"{"answer":"forty-two"}"#);
    let out = tmux.run(&["send-keys", "-t", "e2e", "Enter"]);
    assert!(out.status.success());
    // The answer said and the dialog gone, in one capture.
    let screen = tmux.wait_until("the answer with the dialog closed", |s| {
        s.contains("The answer is forty-two") && !s.contains("Unmapped Lambda function")
    });
    assert!(!screen.contains("The lookup failed"), "{screen}");
    tmux.keys("q");
    tmux.wait_for("flowsim exited 0");
}

/// No terminal: a sentence that says what to do instead, and exit 2.
#[test]
fn without_a_terminal_it_says_so() {
    let out = Command::new(env!("CARGO_BIN_EXE_flowsim"))
        .arg("tui")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("flowsim tui needs a terminal; use `flowsim run` for headless calls"),
        "{err}"
    );
}

/// A Lex flow in the TUI: `s` opens the utterance box (the call's clock stops
/// while typing), the offline bot elicits the missing slot, the transcript shows
/// `SAY`, and the recording (`say` lines, the `lex` mapping) replays green.
#[test]
fn utterances_typed_into_a_lex_flow_record_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_flowsim");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let flow = root.join("tests/fixtures/lex/airline.json");
    let bot = root.join("tests/fixtures/lex/AirlineSupport-LexJson");
    let body = format!(
        "cd {dir}\nFLOWSIM_DATA_DIR={data} {{bin}} tui {flow} --speed 0.5 --lex {lex}\n\
         echo \"flowsim exited $?\"\nexec sleep 600\n",
        dir = shell_quote(&dir.path().display().to_string()),
        data = shell_quote(&dir.path().join("data").display().to_string()),
        flow = shell_quote(&flow.display().to_string()),
        lex = shell_quote(&format!("*=file:{}", bot.display())),
    );
    let Some(tmux) = start("lex", dir.path(), &body, 120, 40) else {
        return;
    };
    tmux.wait_for("▶ say something");
    tmux.keys("s");
    tmux.wait_for("Say · Enter says it");
    tmux.keys("I want to cancel my flight");
    tmux.wait_for("I want to cancel my flight");
    let out = tmux.run(&["send-keys", "-t", "e2e", "Enter"]);
    assert!(out.status.success());
    tmux.wait_for("What is your confirmation number?");
    tmux.wait_for_all(&["SAY", "I want to cancel my flight"]);
    tmux.keys("s");
    tmux.wait_for("Say · Enter says it");
    tmux.keys("one two three");
    let out = tmux.run(&["send-keys", "-t", "e2e", "Enter"]);
    assert!(out.status.success());
    tmux.wait_for("Cancelling booking 123");
    tmux.wait_for("ended: disconnected");
    // The inspector shows each recognition.
    tmux.keys("l");
    tmux.wait_for_all(&[
        "Lex recognitions",
        "FlightCancellation",
        "ConfirmationNumber = 123",
    ]);
    tmux.keys("q");
    tmux.wait_until("the inspector to close", |s| {
        !s.contains("Lex recognitions")
    });
    tmux.keys("w");
    tmux.wait_for("recording written");
    tmux.keys("q");
    tmux.wait_for("flowsim exited 0");

    let recordings: Vec<_> = std::fs::read_dir(dir.path().join("recordings"))
        .expect("recordings folder")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(recordings.len(), 1, "{recordings:?}");
    let text = std::fs::read_to_string(&recordings[0]).unwrap();
    assert!(text.contains("lex * = file:"), "{text}");
    assert!(
        text.contains("say \"I want to cancel my flight\""),
        "{text}"
    );
    assert!(text.contains("say \"one two three\""), "{text}");
    let replay = Command::new(bin)
        .arg("test")
        .arg(&recordings[0])
        .env("FLOWSIM_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "{}{}\n{text}",
        String::from_utf8_lossy(&replay.stdout),
        String::from_utf8_lossy(&replay.stderr)
    );
}

#[test]
fn a_production_contact_replays_in_the_tui_step_by_step() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let logs = root.join("tests/fixtures/flowlogs/store_input.jsonl");
    let flows = root.join("tests/fixtures/flowlogs/flows");
    let body = format!(
        "cd {dir}\nFLOWSIM_DATA_DIR={data} {{bin}} replay {logs} --flows {flows} --tui\n\
         echo \"flowsim exited $?\"\nexec sleep 600\n",
        dir = shell_quote(&dir.path().display().to_string()),
        data = shell_quote(&dir.path().join("data").display().to_string()),
        logs = shell_quote(&logs.display().to_string()),
        flows = shell_quote(&flows.display().to_string()),
    );
    let Some(tmux) = start("replay", dir.path(), &body, 160, 48) else {
        return;
    };
    // Paused before the first block, nothing run yet.
    tmux.wait_for_all(&["⏸ next", "replay fba006bc", "block 0 of 8 logged"]);
    // One block: production's record of it beside it.
    tmux.keys("n");
    tmux.wait_for_all(&["block 1 of 8 logged", "SetLoggingBehavior"]);
    // The Lambda block: its answer from the records' ExternalResults.
    tmux.keys("nn");
    tmux.wait_for_all(&[
        "block 3 of 8 logged",
        "InvokeExternalResource",
        "Arnav Desai",
    ]);
    // To the end: the keys production's caller typed are fed, no keypad needed.
    tmux.keys("nnnnnnnn");
    tmux.wait_for_all(&["the simulated path is production's", "20240504"]);
    tmux.keys("q");
    tmux.wait_for("flowsim exited 0");
}

/// An environment outcome nobody set is asked in the TUI: the pick (a `.call`
/// setting) decides the branch, lands in the recording, and the recording replays
/// green headless.
#[test]
fn an_environment_outcome_picked_in_the_dialog_records_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_flowsim");
    let flow = dir.path().join("staffing.json");
    let say = |id: &str, text: &str| {
        serde_json::json!({"Identifier": id, "Type": "MessageParticipant",
            "Parameters": {"Text": text}, "Transitions": {}})
    };
    let text = serde_json::json!({"Version": "2019-10-30", "StartAction": "Set queue",
    "Actions": [
        {"Identifier": "Set queue", "Type": "UpdateContactTargetQueue",
         "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/Sales"},
         "Transitions": {"NextAction": "Check staffing",
            "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "Sorry"}]}},
        {"Parameters": {"MetricType": "NumberOfAgentsOnline"}, "Identifier": "Check staffing",
         "Type": "CheckMetricData",
         "Transitions": {"NextAction": "Sorry",
            "Conditions": [{"NextAction": "Staffed",
                "Condition": {"Operator": "NumberGreaterThan", "Operands": ["0"]}}],
            "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "Nobody"},
                       {"ErrorType": "NoMatchingError", "NextAction": "Sorry"}]}},
        say("Staffed", "an agent will be with you"),
        say("Nobody", "no agents are online right now"),
        say("Sorry", "I am sorry, I have encountered an error")
    ]})
    .to_string();
    std::fs::write(&flow, text).unwrap();
    let body = format!(
        "cd {dir}\nFLOWSIM_DATA_DIR={data} {{bin}} tui staffing.json\n\
         echo \"flowsim exited $?\"\nexec sleep 600\n",
        dir = shell_quote(&dir.path().display().to_string()),
        data = shell_quote(&dir.path().join("data").display().to_string()),
    );
    let Some(tmux) = start("outcome", dir.path(), &body, 120, 40) else {
        return;
    };
    tmux.wait_for_all(&["Environment outcome", "queue \"Sales\" agents_online 0"]);
    tmux.keys("3");
    let out = tmux.run(&["send-keys", "-t", "e2e", "Enter"]);
    assert!(out.status.success());
    tmux.wait_for("no agents are online right now");
    tmux.wait_for("ended: disconnected");
    tmux.keys("w");
    tmux.wait_for("recording written");
    tmux.keys("q");
    tmux.wait_for("flowsim exited 0");

    let recordings: Vec<_> = std::fs::read_dir(dir.path().join("recordings"))
        .expect("recordings folder")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(recordings.len(), 1, "{recordings:?}");
    let text = std::fs::read_to_string(&recordings[0]).unwrap();
    assert!(text.contains("queue \"Sales\" agents_online 0\n"), "{text}");
    assert!(text.contains("no agents are online right now"), "{text}");
    let replay = Command::new(bin)
        .arg("test")
        .arg(&recordings[0])
        .env("FLOWSIM_DATA_DIR", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "{}{}\n{text}",
        String::from_utf8_lossy(&replay.stdout),
        String::from_utf8_lossy(&replay.stderr)
    );
}
