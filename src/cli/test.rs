//! `flowsim test`: arguments, printing the results and reports, the exit code. The
//! runner is [`crate::script`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;

use super::{SharedOpts, UsageError};
use crate::lambda::registry::BackendContext;
use crate::script::{Outcome, RunOptions, Suite, coverage, report, write_atomic};

/// `flowsim test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Scripts and native test cases (`.json`), or folders searched recursively for both.
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
    pub flow_logs: super::replay::FlowLogOpts,
    #[command(flatten)]
    pub shared: SharedOpts,
}

/// `flowsim test`: exit 0 all passed, 1 any failed, 2 bad input.
pub fn command(args: &TestArgs) -> Result<ExitCode, UsageError> {
    let setup = args.shared.setup(Path::new("."))?;
    let (files, native_files) = crate::native::collect(&args.paths)?;
    let suite = match Suite::load(&files, args.flow.as_deref(), setup.flows_dir.as_deref()) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("flowsim: {e}");
            }
            return Ok(ExitCode::from(2));
        }
    };
    for (script, _) in &suite.scripts {
        for w in script.warnings() {
            eprintln!("flowsim: {w}");
        }
    }
    let mut warn = |w: String| eprintln!("flowsim: {w}");
    let natives = crate::native::load(
        &native_files,
        args.flow.as_deref(),
        setup.flows_dir.as_deref(),
        &mut warn,
    )
    .map_err(|e| UsageError(e.join("\nflowsim: ")))?;
    let mut sets: Vec<&crate::flow::FlowSet> = suite.scripts.iter().map(|(_, f)| f).collect();
    sets.extend(natives.iter().map(|n| &n.flows));
    for w in crate::session::unmatched_patterns(&sets, &args.shared.lambda) {
        eprintln!("flowsim: warning: {w}");
    }
    let opts = RunOptions {
        call: setup.call.clone(),
        mappings: setup.mappings.clone(),
        // Test runs keep the built-in pipeline's call records in memory; `aws`
        // backends (Lambda and Lex) take --aws-region/--aws-profile/--aws-endpoint-url.
        backends: BackendContext {
            data_dir: None,
            aws: setup.backend_context().aws,
            ..BackendContext::default()
        },
        update: args.update,
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let started = Instant::now();
    let mut results = suite.run(&opts, jobs);
    // Native test cases (docs/native-tests.md): run beside the scripts, reported alike.
    let natives = crate::native::run_all(&natives, &opts, jobs);
    let elapsed = started.elapsed();

    let mut code = 0u8;
    for r in &results {
        if args.json {
            super::out::line(&report::json(r).to_string());
        } else {
            super::out::line(&report::human(r));
        }
        if let Some(text) = &r.updated {
            write_atomic(&r.path, text)?;
            if !args.json {
                super::out::line(&format!("      updated {}", r.path.display()));
            }
        }
    }
    for n in &natives {
        super::out::line(&if args.json {
            crate::native::records::json(n, crate::native::records::DEFAULT_START).to_string()
        } else {
            report::human(&n.result)
        });
    }
    results.extend(natives.into_iter().map(|n| n.result));
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
                super::out::line(&serde_json::json!({ "coverage": rep }).to_string());
            } else {
                super::out::text(&coverage::render(&rep));
            }
        }
        if let Some(path) = &args.coverage_json {
            let text = serde_json::to_string_pretty(&coverage::to_json(&rep))?;
            write_atomic(path, &(text + "\n"))?;
        }
    }
    let calls: Vec<_> = (suite.scripts.iter().zip(&results))
        .map(|((_, flows), r)| (flows, r.events.as_slice()))
        .collect();
    args.flow_logs.write(&calls, &setup.call.env)?;
    if let Some(path) = &args.junit {
        write_atomic(path, &report::junit(&results, elapsed))?;
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
        super::out::line(&summary);
    }
    if failed > 0 {
        code = 1;
    }
    if errors > 0 {
        code = 2;
    }
    Ok(ExitCode::from(code))
}
