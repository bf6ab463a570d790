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

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

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

/// Scripts checked and their flows loaded, ready to run. Only the paths and the
/// flows are kept: each script is parsed again when it runs, so a suite of any size
/// takes memory for its flows, not its scripts.
pub struct Suite {
    pub files: Vec<PathBuf>,
    /// The flows, each loaded once.
    pub flows: Vec<FlowSet>,
    /// Index into `flows`, per file.
    flow_of: Vec<u32>,
    /// The scripts' warnings (a caller that is not E.164), one line each.
    pub warnings: Vec<String>,
}

/// Results a streamed run may have finished ahead of the next one in order.
const RESULT_WINDOW: usize = 256;

impl Suite {
    /// Parse scripts and load their flows (each flow file once). Every bad script is
    /// reported, one line each.
    pub fn load(
        files: &[PathBuf],
        default_flow: Option<&Path>,
        flows_dir: Option<&Path>,
    ) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let mut cache: HashMap<Option<PathBuf>, u32> = HashMap::new();
        let mut suite = Self {
            files: Vec::with_capacity(files.len()),
            flows: Vec::new(),
            flow_of: Vec::with_capacity(files.len()),
            warnings: Vec::new(),
        };
        for f in files {
            let s = match load_script(f) {
                Ok(s) => s,
                Err(e) => {
                    errors.push(e.to_string());
                    continue;
                }
            };
            suite.warnings.extend(s.warnings());
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
            let index = match cache.get(&key) {
                Some(&i) => i,
                None => match load_flows(path.as_deref(), flows_dir) {
                    Ok(flows) => {
                        let i = suite.flows.len() as u32;
                        suite.flows.push(flows);
                        cache.insert(key, i);
                        i
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
            errors.extend(run::check_against_flows(&s, &suite.flows[index as usize]));
            suite.files.push(f.clone());
            suite.flow_of.push(index);
        }
        if errors.is_empty() {
            Ok(suite)
        } else {
            Err(errors)
        }
    }

    /// Run every script on `jobs` threads, each with its own current-thread runtime,
    /// handing each result to `each` in script order as soon as it and those before
    /// it are done. At most [`RESULT_WINDOW`] results wait for an earlier one, so the
    /// memory a run takes does not grow with the number of scripts.
    /// The flows script `i` runs against.
    pub fn flows_for(&self, i: usize) -> &FlowSet {
        &self.flows[self.flow_of[i] as usize]
    }

    pub fn run_each(&self, opts: &RunOptions, jobs: usize, mut each: impl FnMut(ScriptResult)) {
        let n = self.files.len();
        let jobs = jobs.clamp(1, n.max(1));
        let next = AtomicUsize::new(0);
        // How many results `each` has had: a worker does not start a script more
        // than the window ahead of it.
        let handed = (Mutex::new(0usize), Condvar::new());
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, ScriptResult)>(jobs * 2);
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                let tx = tx.clone();
                let (next, handed) = (&next, &handed);
                scope.spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a current-thread runtime");
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        {
                            let (lock, cv) = handed;
                            let mut done = lock.lock().expect("no panics while locked");
                            while i >= *done + RESULT_WINDOW {
                                done = cv.wait(done).expect("no panics while locked");
                            }
                        }
                        let r = rt.block_on(self.run_one(i, opts));
                        if tx.send((i, r)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut waiting: BTreeMap<usize, ScriptResult> = BTreeMap::new();
            let mut want = 0;
            for (i, r) in rx {
                waiting.insert(i, r);
                while let Some(r) = waiting.remove(&want) {
                    each(r);
                    want += 1;
                    let (lock, cv) = &handed;
                    *lock.lock().expect("no panics while locked") = want;
                    cv.notify_all();
                }
            }
        });
    }

    /// Parse and run script `i` (it parsed when the suite loaded; a file changed
    /// since is reported as its result).
    async fn run_one(&self, i: usize, opts: &RunOptions) -> ScriptResult {
        let path = &self.files[i];
        let flows = &self.flows[self.flow_of[i] as usize];
        match load_script(path) {
            Ok(script) => run_script(&script, flows, opts).await,
            Err(e) => ScriptResult {
                path: path.clone(),
                outcome: Outcome::Error(e.to_string()),
                events: Vec::new(),
                duration: std::time::Duration::ZERO,
                updated: None,
            },
        }
    }

    /// Run every script; results in script order (kept in memory: small suites and
    /// tests; `flowsim test` streams with [`Suite::run_each`]).
    pub fn run(&self, opts: &RunOptions, jobs: usize) -> Vec<ScriptResult> {
        let mut out = Vec::with_capacity(self.files.len());
        self.run_each(opts, jobs, |r| out.push(r));
        out
    }
}
