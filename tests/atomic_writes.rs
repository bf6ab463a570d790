//! Nothing written half-way: a process killed while it writes a recording leaves
//! either no file or the whole file at the path asked for, never a partial one.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::json;

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
    let mut c = Command::new(env!("CARGO_BIN_EXE_flowsim"));
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
