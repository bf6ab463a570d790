//! Call scripts (`.call`): tests and recordings (`flowsim test` is `crate::cli::test`).
//!
//! - [`parse`]: the language (docs/call-language.md), errors as `file:line: message`.
//! - [`run`]: one script against one call through the shared [`crate::driver::Driver`].
//! - [`record`]: a finished call's trace as a `.call` file (`run --record`, the TUI).
//! - [`report`]: human lines, JSON lines, JUnit XML.
//! - [`coverage`]: blocks and branches exercised, per flow.

pub mod coverage;
pub use flowsim_core::call as parse;
pub mod record;
pub mod report;
pub mod run;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::flow::FlowSet;
use crate::session::load_flows;

pub use parse::{
    Directive, EndExpect, Line, Matcher, ParseError, Script, load_script, parse_script,
};
pub use record::{RecordOptions, WriteError, recording_from_trace, write_atomic, write_new};
pub use run::{Failure, Outcome, RunOptions, ScriptResult, run_script};

/// Why the scripts to run cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no .call scripts in it", .0.display())]
    Empty(PathBuf),
    #[error("{}: no such file or folder", .0.display())]
    Missing(PathBuf),
}

/// Every `*.call` under the paths (folders recursively), in a stable order.
pub fn collect_scripts(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CollectError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if p.extension().is_some_and(|e| e == "call") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out).map_err(|source| CollectError::Read {
                path: p.clone(),
                source,
            })?;
            if out.len() == before {
                return Err(CollectError::Empty(p.clone()));
            }
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(CollectError::Missing(p.clone()));
        }
    }
    Ok(out)
}

/// Scripts with their flows loaded, ready to run.
pub struct Suite {
    pub scripts: Vec<(Script, FlowSet)>,
}

impl Suite {
    /// Parse scripts and load their flows (each flow file once). Every bad script is
    /// reported, one line each.
    pub fn load(
        files: &[PathBuf],
        default_flow: Option<&Path>,
        flows_dir: Option<&Path>,
    ) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        for f in files {
            match load_script(f) {
                Ok(s) => parsed.push(s),
                Err(e) => errors.push(e.to_string()),
            }
        }
        let mut cache: HashMap<Option<PathBuf>, FlowSet> = HashMap::new();
        let mut scripts = Vec::new();
        for s in parsed {
            let from_line = s.lines.iter().find_map(|l| match &l.directive {
                Directive::Flow(p) => Some((l.number, p.clone())),
                _ => None,
            });
            // No `flow` line and no --flow: the built-in flow, as everywhere else.
            let (line, path) = match (from_line, default_flow) {
                (Some((n, p)), _) => (n, Some(p)),
                (None, Some(p)) => (0, Some(p.to_path_buf())),
                (None, None) => (0, None),
            };
            let key = path
                .as_ref()
                .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()));
            let flows = match cache.get(&key) {
                Some(f) => f.clone(),
                None => match load_flows(path.as_deref(), flows_dir) {
                    Ok(f) => {
                        cache.insert(key, f.clone());
                        f
                    }
                    Err(e) => {
                        let at = if line > 0 {
                            format!("{}:{line}", s.path.display())
                        } else {
                            format!("{} (--flow)", s.path.display())
                        };
                        errors.push(format!("{at}: cannot load the flow: {e}"));
                        continue;
                    }
                },
            };
            errors.extend(run::check_against_flows(&s, &flows));
            scripts.push((s, flows));
        }
        if errors.is_empty() {
            Ok(Self { scripts })
        } else {
            Err(errors)
        }
    }

    /// Run every script on `jobs` threads, each with its own current-thread runtime.
    /// Results come back in script order.
    pub fn run(&self, opts: &RunOptions, jobs: usize) -> Vec<ScriptResult> {
        let n = self.scripts.len();
        let jobs = jobs.clamp(1, n.max(1));
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<ScriptResult>>> = Mutex::new(vec![None; n]);
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a current-thread runtime");
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let (script, flows) = &self.scripts[i];
                        let r = rt.block_on(run_script(script, flows, opts));
                        results.lock().expect("no panics while locked")[i] = Some(r);
                    }
                });
            }
        });
        results
            .into_inner()
            .expect("no panics while locked")
            .into_iter()
            .flatten()
            .collect()
    }
}
