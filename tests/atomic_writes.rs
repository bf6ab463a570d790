//! Nothing written half-way: a process killed while it writes a recording leaves
//! either no file or the whole file at the path asked for, never a partial one.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::json;

mod common;

/// A flow whose call says one long prompt over and over until the step budget
/// stops it: its recording (an `expect` per prompt) is tens of megabytes, so the
/// write takes long enough to be caught in the middle.
fn long_flow(dir: &Path) {
    let text = "word ".repeat(400);
    let flow = json!({"Version": "2019-10-30", "StartAction": "a", "Actions": [
        {"Identifier": "a", "Type": "MessageParticipant", "Parameters": {"Text": text},
         "Transitions": {"NextAction": "a"}}
    ]});
    std::fs::write(dir.join("long.json"), flow.to_string()).unwrap();
}

fn record(dir: &Path, name: &str) -> Command {
    let mut c = Command::new(common::BIN);
    c.args(["run", "long.json", "--max-steps", "10000", "--record", name])
        .current_dir(dir)
        .env("FLOWSIM_DATA_DIR", dir.join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// The size of the temporary file the writer is filling, if there is one.
fn temp_file_len(dir: &Path, name: &str) -> Option<u64> {
    std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
        let n = e.file_name().to_string_lossy().into_owned();
        (n.starts_with(&format!(".{name}.")) && n.ends_with(".tmp"))
            .then(|| e.metadata().map_or(0, |m| m.len()))
    })
}

#[test]
fn a_recording_killed_mid_write_is_absent_or_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    long_flow(dir);

    // The whole recording, from a run left alone (the budget ends it: exit 1).
    let status = record(dir, "full.call").status().unwrap();
    assert_eq!(status.code(), Some(1));
    let full = std::fs::read(dir.join("full.call")).unwrap();
    assert!(full.len() > 10_000_000, "{} bytes", full.len());
    assert!(full.ends_with(b"expect end budget\n"));

    let mut caught_mid_write = 0;
    for attempt in 0..5 {
        let name = format!("rec{attempt}.call");
        let mut child = record(dir, &name).spawn().unwrap();
        // Wait for the writer to start filling its file, then kill it.
        let mut seen = None;
        while seen.is_none() {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            seen = temp_file_len(dir, &name).filter(|&n| n > 0);
            // A writer that wrote in place would be caught here, half-way.
            if std::fs::metadata(dir.join(&name)).is_ok_and(|m| m.len() > 0) {
                break;
            }
        }
        let _ = child.kill();
        child.wait().unwrap();

        match std::fs::read(dir.join(&name)) {
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound),
            Ok(bytes) => assert!(
                bytes == full,
                "{name} is {} bytes, not the whole {} bytes",
                bytes.len(),
                full.len()
            ),
        }
        if !dir.join(&name).exists() && seen.is_some() {
            // Killed between the first byte written and the rename.
            caught_mid_write += 1;
        }
        if caught_mid_write >= 2 {
            break;
        }
    }
    assert!(
        caught_mid_write > 0,
        "never caught the writer in the middle of a write; the test proved nothing"
    );
}

/// Calls through the built-in vanity pipeline, killed at staggered moments (some
/// before the Lambda, some while the record goes into the SQLite table, some after):
/// the table stays intact and every record in it is whole. A killed call may lose
/// its record; it never leaves half of one.
#[test]
fn calls_killed_at_any_moment_leave_the_call_store_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let flow = Path::new(env!("CARGO_MANIFEST_DIR")).join("contactflow/Vanity_Numbers.json");
    let call = || {
        let mut c = Command::new(common::BIN);
        c.arg("run")
            .arg(&flow)
            .args(["--keys", "1,2,8003569377#,9"])
            .env("FLOWSIM_DATA_DIR", &data)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    assert!(call().status().unwrap().success());
    for i in 1..=12u32 {
        let mut child = call().spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(u64::from(i) * 8));
        let _ = child.kill();
        child.wait().unwrap();
    }

    let db = rusqlite::Connection::open(data.join("calls.sqlite3")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(db);

    let out = Command::new(common::BIN)
        .args(["calls", "--json", "--limit", "100"])
        .env("FLOWSIM_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a whole JSON record"))
        .collect();
    assert!((1..=13).contains(&lines.len()), "{} records", lines.len());
    eprintln!("{} of 13 calls stored", lines.len());
    for r in &lines {
        assert_eq!(r["targetNumber"], "+18003569377", "{r}");
        assert_eq!(r["phoneNumber"], "+15555550100", "{r}");
        let vanity = r["vanityNumbers"].as_object().unwrap();
        assert_eq!(vanity.len(), 5, "{r}");
        assert_eq!(vanity["first"], "+1-800-FLOWERS", "{r}");
        assert_eq!(
            r["id"].as_str().unwrap(),
            format!("+15555550100-{}", r["timestamp"].as_str().unwrap())
        );
    }
}
