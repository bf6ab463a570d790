//! Call scripts (`.call`): tests and recordings, and the `flowsim test` command.
//!
//! - [`parse`]: the language (DESIGN §3), errors as `file:line: message`.
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
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::Args;

use crate::cli::{SharedOpts, UsageError, load_flows};
use crate::flow::FlowSet;
use crate::lambda::registry::BackendContext;

pub use parse::{
    Directive, EndExpect, Line, Matcher, ParseError, Script, load_script, parse_script,
};
pub use record::{RecordOptions, recording_from_trace, write_atomic, write_new};
pub use run::{Failure, Outcome, RunOptions, ScriptResult, run_script};

/// `flowsim test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Scripts, or folders searched recursively for `*.call`.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The flow for scripts without a `flow` line.
    #[arg(long, value_name = "FLOW")]
    pub flow: Option<PathBuf>,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// One JSON result per line.
    #[arg(long)]
    pub json: bool,
    /// Print the blocks and branches the scripts exercised, per flow.
    #[arg(long)]
    pub coverage: bool,
    /// Write the coverage as JSON.
    #[arg(long, value_name = "FILE")]
    pub coverage_json: Option<PathBuf>,
    /// Rewrite the `expect "…"` lines of the scripts from what actually happened.
    #[arg(long)]
    pub update: bool,
    /// Scripts run in parallel (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    #[command(flatten)]
    pub shared: SharedOpts,
}

/// Every `*.call` under the paths (folders recursively), in a stable order.
pub fn collect_scripts(paths: &[PathBuf]) -> Result<Vec<PathBuf>, UsageError> {
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
            walk(p, &mut out).map_err(|e| UsageError(format!("{}: {e}", p.display())))?;
            if out.len() == before {
                return Err(UsageError(format!(
                    "{}: no .call scripts in it",
                    p.display()
                )));
            }
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(UsageError(format!(
                "{}: no such file or folder",
                p.display()
            )));
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
                    Err(UsageError(e)) => {
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

/// `flowsim test`: exit 0 all passed, 1 any failed, 2 bad input.
pub fn command_test(args: &TestArgs) -> Result<ExitCode, UsageError> {
    let setup = args.shared.setup(Path::new("."))?;
    let files = collect_scripts(&args.paths)?;
    let suite = match Suite::load(&files, args.flow.as_deref(), setup.flows_dir.as_deref()) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("flowsim: {e}");
            }
            return Ok(ExitCode::from(2));
        }
    };
    let opts = RunOptions {
        call: setup.call.clone(),
        mappings: setup.mappings.clone(),
        // Test runs keep the built-in pipeline's call records in memory.
        backends: BackendContext::default(),
        update: args.update,
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let started = Instant::now();
    let results = suite.run(&opts, jobs);
    let elapsed = started.elapsed();

    let mut code = 0u8;
    for r in &results {
        if args.json {
            println!("{}", report::json(r));
        } else {
            println!("{}", report::human(r));
        }
        if let Some(text) = &r.updated {
            write_atomic(&r.path, text).map_err(UsageError)?;
            if !args.json {
                println!("      updated {}", r.path.display());
            }
        }
    }
    if args.coverage || args.coverage_json.is_some() {
        let mut cov = coverage::Coverage::new();
        for (_, flows) in &suite.scripts {
            cov.add_flow(&flows.main);
            for f in &flows.others {
                cov.add_flow(f);
            }
        }
        for r in &results {
            cov.add_trace(&r.events);
        }
        let rep = cov.report();
        if args.coverage {
            if args.json {
                println!("{}", serde_json::json!({ "coverage": rep }));
            } else {
                print!("{}", coverage::render(&rep));
            }
        }
        if let Some(path) = &args.coverage_json {
            let text = serde_json::to_string_pretty(&coverage::to_json(&rep))?;
            write_atomic(path, &(text + "\n")).map_err(UsageError)?;
        }
    }
    if let Some(path) = &args.junit {
        write_atomic(path, &report::junit(&results, elapsed)).map_err(UsageError)?;
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let failed = results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
        .count();
    let errors = results.len() - passed - failed;
    let mut summary = format!("{passed} passed, {failed} failed");
    if errors > 0 {
        summary.push_str(&format!(", {errors} errors"));
    }
    if args.update {
        let n = results.iter().filter(|r| r.updated.is_some()).count();
        summary.push_str(&format!(", {n} updated"));
    }
    summary.push_str(&format!(" ({:.2} s)", elapsed.as_secs_f64()));
    if args.json {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    if failed > 0 {
        code = 1;
    }
    if errors > 0 {
        code = 2;
    }
    Ok(ExitCode::from(code))
}
