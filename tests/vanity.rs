//! The built-in vanity function through the library API: generator, Lambda backend,
//! pipeline (with a temp data dir, never the user's).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use flowsim::lambda::registry::BackendContext;
use flowsim::lambda::{LambdaOutcome, LambdaRequest, Registry};
use flowsim::vanity::function::{Clock, VanityFunction};
use flowsim::vanity::generate;
use flowsim::vanity::pipeline::{Pipeline, Sink, SqliteStore};
use serde_json::{Value, json};

fn request(target: &str, caller: &str) -> LambdaRequest {
    LambdaRequest {
        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:generate-vanity-numbers"
            .into(),
        function_name: "generate-vanity-numbers".into(),
        event: json!({"Details": {"ContactData": {
            "Attributes": {"TargetNumber": target},
            "CustomerEndpoint": {"Address": caller, "Type": "TELEPHONE_NUMBER"}},
            "Parameters": {}}, "Name": "ContactFlowEvent"}),
        time_limit: Duration::from_secs(8),
        attempt: 1,
    }
}

fn payload(outcome: LambdaOutcome) -> serde_json::Map<String, Value> {
    match outcome {
        LambdaOutcome::Response { payload } => serde_json::from_str(&payload).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn flowers_and_got_junk() {
    let f = generate("+18003569377", 5).unwrap();
    assert_eq!(f.results[0].display, "+1-800-FLOWERS");
    let j = generate("+18004685865", 5).unwrap();
    assert!(
        j.results.iter().any(|v| v.words == ["GOT", "JUNK"]),
        "{:?}",
        j.results
    );
}

#[test]
fn hopeless_endings_answer_with_nothing_invented() {
    for n in ["+15550000002", "+15551111112", "+445550000002"] {
        let g = generate(n, 5).unwrap();
        assert!(g.results.is_empty(), "{n}: {:?}", g.results);
    }
}

#[test]
fn generator_is_deterministic_over_many_numbers() {
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..300 {
        let n = format!(
            "+1{}{:02}{}{:06}",
            rng.u8(2..=9),
            rng.u8(0..100),
            rng.u8(2..=9),
            rng.u32(0..1_000_000)
        );
        let a = generate(&n, 5).unwrap();
        assert_eq!(a, generate(&n, 5).unwrap());
        for v in &a.results {
            // every letter is one of the number's digits on the keypad
            assert_eq!(v.digits.replace('-', ""), n, "{v:?}");
        }
    }
}

#[tokio::test]
async fn registry_default_backend_answers_and_close_drains() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = BackendContext {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let registry = Registry::new(&[], &ctx).unwrap();
    let backend = registry
        .resolve(
            "arn:…:function:generate-vanity-numbers",
            "generate-vanity-numbers",
        )
        .expect("vanity default");
    assert_eq!(backend.describe(), "builtin:vanity");
    let out = payload(
        backend
            .invoke(&request("+18003569377", "+13035551234"))
            .await,
    );
    assert_eq!(out["ssmlError"], "false");
    assert_eq!(out["vanity1"], "+1-800-FLOWERS");
    assert!(out.values().all(Value::is_string));
    roxmltree::Document::parse(out["ssmlResponse"].as_str().unwrap()).unwrap();
    // the record is in flight; close() must store it before returning
    registry.close().await;
    let store = SqliteStore::open(dir.path()).unwrap();
    let (rows, dead) = store.list(10).unwrap();
    assert_eq!(dead, 0);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].phone_number, "+13035551234");
    assert_eq!(rows[0].target_number, "+18003569377");
    assert_eq!(rows[0].vanity_numbers.first, "+1-800-FLOWERS");
}

#[tokio::test]
async fn injected_clock_sets_the_record_id_and_many_calls_are_all_stored() {
    let dir = tempfile::tempdir().unwrap();
    let tick = Arc::new(AtomicU64::new(1_700_000_000_000));
    let t = tick.clone();
    let clock: Clock = Arc::new(move || t.fetch_add(1, Ordering::SeqCst));
    let f = VanityFunction::with_clock(Pipeline::new(Sink::Dir(dir.path().to_path_buf())), clock);
    use flowsim::lambda::LambdaBackend;
    for i in 0..50 {
        let target = format!("+1303555{:04}", 4357 + i);
        f.invoke(&request(&target, "+13035551234")).await;
    }
    // an invalid number answers with an error and stores nothing
    let bad = payload(f.invoke(&request("123", "+13035551234")).await);
    assert_eq!(bad["ssmlError"], "true");
    f.close().await;
    let store = SqliteStore::open(dir.path()).unwrap();
    let (rows, _) = store.list(100).unwrap();
    assert_eq!(rows.len(), 50);
    // newest first
    assert_eq!(rows[0].timestamp, "1700000000049");
    assert!(store.contains("+13035551234-1700000000000").unwrap());
}

#[test]
fn memory_only_without_data_dir() {
    let backend = flowsim::lambda::builtin::vanity_backend(&BackendContext::default());
    assert_eq!(backend.describe(), "builtin:vanity");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let out = payload(backend.invoke(&request("+18004685865", "+1")).await);
        assert_eq!(out["ssmlError"], "false");
        backend.close().await;
    });
}

#[test]
fn calls_command_reads_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = Pipeline::new(Sink::Dir(dir.path().to_path_buf()));
    let f = VanityFunction::with_clock(p, Arc::new(|| 1_700_000_000_000));
    f.handle(&request("+18003569377", "+13035551234").event);
    f.pipeline().flush_blocking();
    let code = flowsim::cli::vanity::command_calls(10, true, Some(dir.path().to_path_buf()));
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    let empty = tempfile::tempdir().unwrap();
    let code = flowsim::cli::vanity::command_calls(10, false, Some(empty.path().to_path_buf()));
    assert_eq!(code, std::process::ExitCode::SUCCESS);
}

#[test]
fn vanity_command_exit_codes() {
    use std::process::ExitCode;
    assert_eq!(
        flowsim::cli::vanity::command_vanity(&["+18003569377".into()], 5, true),
        ExitCode::SUCCESS
    );
    assert_eq!(
        flowsim::cli::vanity::command_vanity(&["+18003569377".into(), "12".into()], 5, false),
        ExitCode::from(2)
    );
}
