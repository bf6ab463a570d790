//! `flowsim test`: arguments, printing the results and reports, the exit code. The
//! runner is [`crate::script`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Args;

use super::{SharedOpts, UsageError};
use crate::lambda::registry::BackendContext;
use crate::script::{RunOptions, Suite, coverage, report, write_atomic};

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
    for w in &suite.warnings {
        eprintln!("flowsim: {w}");
    }
    let mut warn = |w: String| eprintln!("flowsim: {w}");
    let natives = crate::native::load(
        &native_files,
        args.flow.as_deref(),
        setup.flows_dir.as_deref(),
        &mut warn,
    )
    .map_err(|e| UsageError(e.join("\nflowsim: ")))?;
    let mut sets: Vec<&crate::flow::FlowSet> = suite.flows.iter().collect();
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
    let want_coverage = args.coverage || args.coverage_json.is_some();
    let mut cov = coverage::Coverage::new();
    if want_coverage {
        for flows in suite.flows.iter().chain(natives.iter().map(|n| &n.flows)) {
            cov.add_flow(&flows.main);
            for f in &flows.others {
                cov.add_flow(f);
            }
        }
    }
    // Flow logs are written for the whole run at its end: only then are the calls'
    // traces kept (index of the script's flows, its events).
    let mut logged: Vec<(usize, Vec<crate::engine::TraceEvent>)> = Vec::new();
    let mut index = 0usize;
    let mut junit = args
        .junit
        .as_deref()
        .map(report::JunitWriter::create)
        .transpose()?;
    // Results stream: each is printed, counted and dropped as it comes, so memory
    // stays flat in the number of scripts.
    let mut counts = report::Counts::default();
    let mut updated = 0usize;
    let mut failure: Option<UsageError> = None;
    let started = Instant::now();
    suite.run_each(&opts, jobs, |r| {
        if failure.is_some() {
            return;
        }
        counts.add(&r);
        if args.json {
            super::out::line(&report::json(&r).to_string());
        } else {
            super::out::line(&report::human(&r));
        }
        if let Some(text) = &r.updated {
            if let Err(e) = write_atomic(&r.path, text) {
                failure = Some(e.into());
                return;
            }
            updated += 1;
            if !args.json {
                super::out::line(&format!("      updated {}", r.path.display()));
            }
        }
        if want_coverage {
            cov.add_trace(&r.events);
        }
        if args.flow_logs.enabled() {
            logged.push((index, r.events.clone()));
        }
        index += 1;
        if let Some(j) = &mut junit
            && let Err(e) = j.add(&r)
        {
            failure = Some(e.into());
        }
    });
    // Native test cases (docs/native-tests.md): run beside the scripts, reported alike.
    for n in crate::native::run_all(&natives, &opts, jobs) {
        counts.add(&n.result);
        super::out::line(&if args.json {
            crate::native::records::json(&n, crate::native::records::DEFAULT_START).to_string()
        } else {
            report::human(&n.result)
        });
        if want_coverage {
            cov.add_trace(&n.result.events);
        }
        if let Some(j) = &mut junit
            && let Err(e) = j.add(&n.result)
            && failure.is_none()
        {
            failure = Some(e.into());
        }
    }
    let elapsed = started.elapsed();
    if let Some(e) = failure {
        return Err(e);
    }
    let calls: Vec<_> = logged
        .iter()
        .map(|(i, events)| (suite.flows_for(*i), events.as_slice()))
        .collect();
    args.flow_logs.write(&calls, &setup.call.env)?;

    let mut code = 0u8;
    if want_coverage {
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
    if let Some(j) = junit {
        j.finish(elapsed)?;
    }
    let (passed, failed, errors) = (counts.passed(), counts.failures, counts.errors);
    let mut summary = format!("{passed} passed, {failed} failed");
    if errors > 0 {
        summary.push_str(&format!(", {errors} errors"));
    }
    if args.update {
        summary.push_str(&format!(", {updated} updated"));
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
