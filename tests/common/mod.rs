//! Helpers shared by the integration tests: the real binary, and the optional
//! `../shared` folder (the seed flow and the corpus live there on machines that have
//! it; tests that need it skip with a message when it is absent).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod http;

/// The `flowsim` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_flowsim");

/// The package root, where relative paths in the tests start.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, to be run in the package root.
pub fn bin() -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(root());
    c
}

/// Run the binary in `dir` with `args`, keeping the vanity call table in `data`.
pub fn run_in(dir: &Path, data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("FLOWSIM_DATA_DIR", data)
        .output()
        .expect("flowsim runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `../shared` beside the package, or `None` (with a note on stderr) when this
/// machine does not have it.
pub fn shared() -> Option<PathBuf> {
    let dir = root().join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

/// The seed flow, `../shared/seed/Vanity_Numbers.json`, or `None` (with a note on
/// stderr) when it is absent. Tests that need it start with
/// `let Some(seed) = common::seed() else { return };`.
pub fn seed() -> Option<PathBuf> {
    let path = shared()?.join("seed/Vanity_Numbers.json");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}
