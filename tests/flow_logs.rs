//! Flow logs: the records flowsim writes replay to the path the call took (every
//! recording, random walks over the corpus); hand-made production logs written from
//! the reference's examples replay; an edited one reports the block it diverges at.

use std::path::{Path, PathBuf};

use flowsim::engine::{CallConfig, Effect, Engine, Input, SimTime, Status, TraceEvent, TraceKind};
use flowsim::flow::{FlowSet, Kind, load_file};
use flowsim::flowlog::{self, LogRecord, WriteOptions};
use flowsim::lambda::LambdaOutcome;
use flowsim::script::{RunOptions, Suite};

mod common;

/// The top-level fields real records carry, as `reference/flow-logs.md` §1.2 lists
/// them (written here, not taken from the crate, so writer and reader cannot agree
/// on an invented field).
const REFERENCE_FIELDS: &[&str] = &[
    "ContactId",
    "ContactFlowId",
    "ContactFlowName",
    "ContactFlowModuleType",
    "Identifier",
    "Timestamp",
    "Parameters",
    "Results",
    "ExternalResults",
    "ModuleExecutionStack",
    "ResultData",
];

/// Records with every field the reference does not list removed.
fn stripped(text: &str) -> String {
    let mut out = String::new();
    for r in flowlog::parse_records(text).unwrap() {
        let mut m = r.0;
        m.retain(|k, _| REFERENCE_FIELDS.contains(&k.as_str()));
        out.push_str(&LogRecord(m).to_json());
        out.push('\n');
    }
    out
}

fn fixtures() -> PathBuf {
    common::root().join("tests/fixtures/flowlogs")
}

/// Write a call's records, strip them, read them back, replay: the path must be the
/// one the call took. `None` when the call logged nothing.
fn round_trip(
    flows: &FlowSet,
    trace: &[TraceEvent],
    base: CallConfig,
    always: bool,
) -> Option<String> {
    let opts = WriteOptions::for_env(&base.env, always);
    let blocks = flowlog::write_records(flows, trace, opts);
    if blocks.is_empty() {
        return None;
    }
    let text = stripped(&flowlog::render(&blocks, flowlog::LogFormat::JsonLines));
    let contacts = flowlog::contacts(&text).unwrap();
    assert_eq!(contacts.len(), 1, "one contact");
    let report = flowlog::replay(flows, &contacts[0].records, base).unwrap();
    let path = |b: &[flowlog::LoggedBlock]| -> Vec<(String, String)> {
        b.iter()
            .map(|b| (b.block.flow.clone(), b.block.id.clone()))
            .collect()
    };
    let simulated: Vec<flowlog::LoggedBlock> = report
        .steps
        .iter()
        .filter_map(|s| s.flowsim.clone())
        .collect();
    if let Some(d) = &report.divergence {
        return Some(format!(
            "diverged at step {} {}: production {}; flowsim {}; {}",
            d.step + 1,
            d.block,
            d.production,
            d.flowsim,
            d.why
        ));
    }
    if path(&simulated) != path(&blocks) {
        return Some("the replayed path differs from the call's".into());
    }
    Some(String::new())
}

#[test]
fn every_recording_replays_from_its_flow_logs() {
    let dir = common::root().join("recordings");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "call"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the recordings are there");
    let suite = Suite::load(&files, None, None).unwrap();
    let results = suite.run(&RunOptions::default(), 2);
    let mut failures = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let (script, flows) = (
            flowsim::script::load_script(&r.path).unwrap(),
            suite.flows_for(i),
        );
        let base = flowsim::script::run::call_config(&script, &CallConfig::default()).unwrap();
        match round_trip(flows, &r.events, base, false) {
            None => failures.push(format!("{}: no records", r.path.display())),
            Some(e) if !e.is_empty() => failures.push(format!("{}: {e}", r.path.display())),
            Some(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A random walk (as `tests/corpus.rs` walks): the trace.
fn walk(flows: &FlowSet, config: CallConfig, seed: u64) -> Vec<TraceEvent> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut engine = Engine::new(flows.clone(), config);
    let mut now = SimTime::ZERO;
    let mut trace = Vec::new();
    let take = |effects: Vec<Effect>, trace: &mut Vec<TraceEvent>| {
        for e in effects {
            if let Effect::Trace(t) = e {
                trace.push(t);
            }
        }
    };
    take(engine.handle(Input::Start, now), &mut trace);
    for _ in 0..2_000 {
        let input = match engine.status() {
            Status::Ended(_)
            | Status::NotStarted
            | Status::Paused { .. }
            | Status::AwaitingOutcome { .. } => break,
            Status::AwaitingLambda { call, .. } => {
                let outcome = match rng.u8(0..4) {
                    0 => LambdaOutcome::Response {
                        payload: r#"{"ssmlResponse":"<speak>1-800-FLOWERS</speak>","ssmlError":"false","vanity1":"+1-800-FLOWERS"}"#.into(),
                    },
                    1 => LambdaOutcome::Response {
                        payload: r#"{"ssmlResponse":"<speak>Sorry</speak>","ssmlError":"true"}"#.into(),
                    },
                    2 => LambdaOutcome::FunctionError { message: "boom".into() },
                    _ => LambdaOutcome::NoAnswer,
                };
                if outcome == LambdaOutcome::NoAnswer {
                    now = engine.next_deadline().unwrap();
                    Input::Tick
                } else {
                    Input::LambdaDone { call, outcome }
                }
            }
            Status::AwaitingInput { mode, .. } => match rng.u8(0..20) {
                0..=9 => Input::Key(b"0123456789*#"[rng.usize(0..12)] as char),
                10..=13 => {
                    for _ in 0..rng.usize(1..12) {
                        let k = b"0123456789"[rng.usize(0..10)] as char;
                        take(engine.handle(Input::Key(k), now), &mut trace);
                    }
                    Input::Key('#')
                }
                14..=17 => {
                    now = engine.next_deadline().unwrap();
                    Input::Tick
                }
                18 if mode == flowsim::engine::InputMode::Lex => Input::Utterance("Help".into()),
                _ => Input::Hangup,
            },
            Status::Waiting { deadline, .. } => {
                now = deadline;
                Input::Tick
            }
            Status::Playing { deadline, .. } | Status::AwaitingLex { deadline, .. } => {
                now = deadline;
                Input::Tick
            }
            // In queue: time passes to the agent; a queue nobody answers is the end.
            Status::InQueue { deadline, .. } => match deadline {
                Some(d) => {
                    now = d;
                    Input::Tick
                }
                None => break,
            },
        };
        take(engine.handle(input, now), &mut trace);
    }
    trace
}

fn enables_logging(flows: &FlowSet) -> bool {
    std::iter::once(&flows.main)
        .chain(&flows.others)
        .flat_map(|f| f.blocks.iter())
        .any(|b| matches!(b.kind, Kind::UpdateFlowLoggingBehavior { enabled: true }))
}

#[test]
fn corpus_walks_replay_from_their_flow_logs() {
    let Some(corpus) = common::shared().map(|d| d.join("corpus/flows")) else {
        eprintln!("note: ../shared/corpus is absent; walking the project's flow only");
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.push(common::root().join("contactflow/Vanity_Numbers.json"));
    files.retain(|p| p.extension().is_some_and(|x| x == "json"));
    files.sort();
    let (mut walks, mut empty, mut failures) = (0, 0, Vec::new());
    for path in &files {
        let Ok(flow) = load_file(path) else { continue };
        let dir = path.parent().unwrap_or(Path::new("."));
        let flows = FlowSet::load_dir(flow.clone(), dir).unwrap_or_else(|_| FlowSet::single(flow));
        let always = !enables_logging(&flows);
        for seed in 0..8 {
            let mut config = CallConfig {
                seed,
                hours_open: seed % 2 == 0,
                ..CallConfig::default()
            };
            std::sync::Arc::make_mut(&mut config.env).channel =
                (seed % 4 == 3).then(|| "CHAT".to_owned());
            let trace = walk(&flows, config.clone(), seed);
            let mut base = config.clone();
            // Nothing production logs says how the hours or the seed were.
            base.hours_open = true;
            base.seed = 99;
            walks += 1;
            match round_trip(&flows, &trace, base, always) {
                None => empty += 1,
                Some(e) if !e.is_empty() => {
                    failures.push(format!("{} walk {seed}: {e}", path.display()))
                }
                Some(_) => {}
            }
        }
    }
    eprintln!(
        "{walks} walks over {} flows: {empty} wrote no records, {} diverged",
        files.len(),
        failures.len()
    );
    assert!(walks > 100, "the corpus was walked");
    assert!(walks - empty > 100, "most walks with records replayed");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn replay(args: &[&str]) -> std::process::Output {
    common::bin().arg("replay").args(args).output().unwrap()
}

#[test]
fn a_production_lambda_error_replays() {
    let o = replay(&[
        "tests/fixtures/flowlogs/lambda_error.jsonl",
        "--flows",
        "tests/fixtures/flowlogs/flows",
    ]);
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", common::stderr(&o));
    assert!(
        out.contains("The Lambda Function Returned An Error."),
        "{out}"
    );
    assert!(
        out.contains("SAME  the simulated path is production's (5 blocks logged)"),
        "{out}"
    );
    assert!(out.contains("Sorry, something went wrong"), "{out}");
}

#[test]
fn a_production_store_input_replays_and_records_a_test() {
    let tmp = tempfile::tempdir().unwrap();
    let call = tmp.path().join("store.call");
    let o = replay(&[
        "tests/fixtures/flowlogs/store_input.jsonl",
        "--flows",
        "tests/fixtures/flowlogs/flows",
        "--record",
        call.to_str().unwrap(),
    ]);
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", common::stderr(&o));
    assert!(out.contains("Welcome back, Arnav Desai."), "{out}");
    assert!(out.contains("stored \"20240504\""), "{out}");
    // The recording replays as a regression test, its Lambda answer captured.
    let text = std::fs::read_to_string(&call).unwrap();
    assert!(text.contains("lambda customer-lookup"), "{text}");
    let t = common::bin().arg("test").arg(&call).output().unwrap();
    assert_eq!(t.status.code(), Some(0), "{}{}", common::stdout(&t), text);
}

#[test]
fn a_transfer_to_a_full_queue_replays_from_filter_log_events_output() {
    let o = replay(&[
        "tests/fixtures/flowlogs/transfer_queue.json",
        "--flows",
        "tests/fixtures/flowlogs/flows",
    ]);
    let out = common::stdout(&o);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(err.contains("1 duplicate records removed"), "{err}");
    assert!(out.contains("All of our agents are busy"), "{out}");
    assert!(out.contains("QueueAtCapacity"), "{out}");
}

#[test]
fn a_logs_insights_csv_export_replays() {
    let o = replay(&[
        "tests/fixtures/flowlogs/lambda_error_insights.csv",
        "--flows",
        "tests/fixtures/flowlogs/flows",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        common::stdout(&o),
        common::stderr(&o)
    );
}

#[test]
fn an_edited_log_reports_the_block_it_diverges_at() {
    let o = replay(&[
        "tests/fixtures/flowlogs/diverged.jsonl",
        "--flows",
        "tests/fixtures/flowlogs/flows",
    ]);
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("DIVERGED at block \"Gold greeting\" in Sample Flow name (step 5)"),
        "{out}"
    );
    assert!(out.contains("flowsim:    ran \"Account number\""), "{out}");
    assert!(
        out.contains("after \"Check tier\" flowsim took NoMatchingCondition"),
        "{out}"
    );
}

#[test]
fn unknown_module_types_and_fields_are_kept_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures().join("lambda_error.jsonl")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // A field and a module type the reference does not list.
    lines[1] = lines[1].replacen("{", "{\"TraceVersion\":\"2\",", 1);
    lines.insert(
        2,
        lines[1]
            .replace("\"SetQueue\"", "\"SetWisdomAssistant\"")
            .replace("5c8e0f3a-1111-4c2d-9e0f-000000000001", "wisdom-block"),
    );
    let f = tmp.path().join("odd.jsonl");
    std::fs::write(&f, lines.join("\n")).unwrap();
    let o = replay(&[
        f.to_str().unwrap(),
        "--flows",
        "tests/fixtures/flowlogs/flows",
    ]);
    let err = common::stderr(&o);
    assert!(
        err.contains("fields TraceVersion are not in the reference"),
        "{err}"
    );
    assert!(
        err.contains("module type SetWisdomAssistant is not in the reference"),
        "{err}"
    );
    // Kept: the extra record is production's block 3, which the flow does not have.
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("DIVERGED at block \"wisdom-block\""), "{out}");
}

#[test]
fn bad_logs_are_one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.jsonl");
    std::fs::write(&f, "{\"ContactId\":\"1\",\"ContactFlowModuleType\":\"SetQueue\",\"Timestamp\":\"x\"}\nnot json\n").unwrap();
    let o = replay(&[
        f.to_str().unwrap(),
        "--flows",
        "tests/fixtures/flowlogs/flows",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(err.contains("line 2: not a JSON record"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let vended = tmp.path().join("vended.jsonl");
    std::fs::write(&vended, "{\"LogVersion\":\"1\",\"ActionLogData\":{}}\n").unwrap();
    let o = replay(&[
        vended.to_str().unwrap(),
        "--flows",
        "tests/fixtures/flowlogs/flows",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("vended AMAZON_CONNECT_FLOW_LOGS"));
    let o = replay(&[
        "tests/fixtures/flowlogs/lambda_error.jsonl",
        "--flows",
        "tests/fixtures/flowlogs/flows",
        "--contact",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("no records of contact nope"));
}

#[test]
fn run_writes_flow_logs_that_replay_in_both_formats() {
    let tmp = tempfile::tempdir().unwrap();
    for format in ["json", "cloudwatch"] {
        let logs = tmp.path().join(format!("logs.{format}"));
        let o = common::run_in(
            &common::root(),
            tmp.path(),
            &[
                "run",
                "contactflow/Vanity_Numbers.json",
                "--keys",
                "1,2,7203569377#,9",
                "--flow-logs",
                logs.to_str().unwrap(),
                "--flow-logs-format",
                format,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
        let text = std::fs::read_to_string(&logs).unwrap();
        if format == "json" {
            let first: serde_json::Value =
                serde_json::from_str(text.lines().next().unwrap()).unwrap();
            assert_eq!(first["ContactFlowModuleType"], "SetLoggingBehavior");
            assert_eq!(first["Parameters"]["LoggingBehavior"], "Enable");
            assert_eq!(first["Timestamp"], "2026-11-30T12:00:00.000Z");
            let lambda = text
                .lines()
                .find(|l| l.contains("InvokeExternalResource"))
                .unwrap();
            let lambda: serde_json::Value = serde_json::from_str(lambda).unwrap();
            assert_eq!(lambda["Parameters"]["TimeLimit"], "8000");
            assert_eq!(
                lambda["Parameters"]["ResponseValidation"],
                "ResponseType=STRING_MAP"
            );
            assert!(lambda["ExternalResults"]["vanity1"].is_string(), "{lambda}");
            assert!(text.contains("\"ContactFlowModuleType\":\"StoreUserInput\""));
            assert!(text.contains("\"Results\":\"+17203569377\""));
        } else {
            assert!(
                text.contains("\"events\"")
                    && text.contains("\"logStreamName\": \"2026/11/30/12/stream-flowsim\"")
            );
        }
        let o = replay(&[
            logs.to_str().unwrap(),
            "--flow",
            "contactflow/Vanity_Numbers.json",
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}{}",
            common::stdout(&o),
            common::stderr(&o)
        );
    }
}

#[test]
fn no_records_before_logging_is_enabled() {
    // The fixture flow enables logging first; without that block nothing is logged.
    let flow = load_file(&fixtures().join("flows/Sample_Flow.json")).unwrap();
    let flows = FlowSet::single(flow);
    let trace = walk(&flows, CallConfig::default(), 1);
    let mut cut: Vec<TraceEvent> = trace.clone();
    // Drop the enabling block's logging update: no record at all.
    cut.retain(
        |e| !matches!(&e.kind, TraceKind::ContactUpdated { field, .. } if field == "logging"),
    );
    let opts = WriteOptions::for_env(&Default::default(), false);
    assert!(flowlog::write_records(&flows, &cut, opts).is_empty());
    assert!(!flowlog::write_records(&flows, &trace, opts).is_empty());
}

#[test]
fn closed_hours_and_a_staffing_check_carry_into_the_recording() {
    let tmp = tempfile::tempdir().unwrap();
    let call = tmp.path().join("hours.call");
    let o = replay(&[
        "tests/fixtures/flowlogs/hours_closed.jsonl",
        "--flow",
        "tests/fixtures/flowlogs/hours/Hours_Flow.json",
        "--record",
        call.to_str().unwrap(),
    ]);
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", common::stderr(&o));
    assert!(out.contains("Nobody is staffed right now."), "{out}");
    assert!(out.contains("We are closed."), "{out}");
    assert!(
        out.contains("SAME  the simulated path is production's (7 blocks logged)"),
        "{out}"
    );
    // The recording carries the outcomes the records gave (hours closed, nobody
    // staffed), not the environment's defaults (open, one agent staffed).
    let text = std::fs::read_to_string(&call).unwrap();
    assert!(text.contains("\"replayed\""), "{text}");
    assert!(text.contains("\"False\""), "{text}");
    let t = common::bin().arg("test").arg(&call).output().unwrap();
    assert_eq!(t.status.code(), Some(0), "{}{}", common::stdout(&t), text);
    // Without them the same script takes the default path and fails.
    let bare: String = text
        .lines()
        .filter(|l| !l.starts_with("env "))
        .map(|l| format!("{l}\n"))
        .collect();
    let bare_call = tmp.path().join("bare.call");
    std::fs::write(&bare_call, &bare).unwrap();
    let t = common::bin().arg("test").arg(&bare_call).output().unwrap();
    assert_eq!(t.status.code(), Some(1), "{}{}", common::stdout(&t), bare);
}
