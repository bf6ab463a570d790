//! `flowsim run`: one headless call, printed as a transcript or JSON lines.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{SharedOpts, UsageError, end_code, runtime};
use crate::driver::{Clock, Driver, KeyItem};
use crate::engine::{Engine, TraceEvent};
use crate::session::{load_flows, unmatched_patterns};
use crate::transcript::{self, Detail};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The flow file (flow-language JSON, as exported from Connect).
    pub flow: PathBuf,
    /// Answers to input requests, comma-separated: `1`, `5551234567#`; `~` is silence.
    #[arg(long, value_name = "K1,K2,…", allow_hyphen_values = true)]
    pub keys: Option<String>,
    /// One JSON trace event per line.
    #[arg(long)]
    pub json: bool,
    /// Show every block, branch and attribute, not just what the caller hears.
    #[arg(short, long)]
    pub verbose: bool,
    /// Write the call as a `.call` recording (replay with `flowsim test`).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Let --record replace an existing file.
    #[arg(long, requires = "record")]
    pub force: bool,
    #[command(flatten)]
    pub flow_logs: super::replay::FlowLogOpts,
    #[command(flatten)]
    pub shared: SharedOpts,
}

/// `flowsim run`.
pub fn command(args: &RunArgs) -> Result<ExitCode, UsageError> {
    let setup = args.shared.setup(Path::new("."))?;
    if args.verbose
        && let Some(p) = args.shared.local_config()
    {
        eprintln!(
            "flowsim: config: {} (found in the current folder; --config FILE names another)",
            p.display()
        );
    }
    if let Some(r) = &args.record
        && !args.force
        && r.exists()
    {
        return Err(UsageError(format!(
            "{}: already exists (use --force to overwrite)",
            r.display()
        )));
    }
    let flows = super::warn_skipped(load_flows(Some(&args.flow), setup.flows_dir.as_deref())?);
    let flow_set = args.flow_logs.flow_logs.is_some().then(|| flows.clone());
    let keys = KeyItem::parse_list(args.keys.as_deref().unwrap_or(""))?;
    let registry = setup.registry()?;
    // An unmapped function is an error when the call reaches it, not before.
    for w in unmatched_patterns(&[&flows], &args.shared.lambda) {
        eprintln!("flowsim: warning: {w}");
    }
    let engine = Engine::new(flows, setup.call.clone());
    let mut driver = Driver::new(engine, registry, Clock::Virtual);
    let detail = if args.verbose {
        Detail::Flow
    } else {
        Detail::Call
    };
    let json = args.json;
    let rt = runtime()?;
    let stdout = std::io::stdout();
    let mut trace: Vec<TraceEvent> = Vec::new();
    let record = args.record.is_some() || flow_set.is_some();
    let mut closed = false;
    let result = rt.block_on(async {
        let mut out = stdout.lock();
        let closed = &mut closed;
        let mut print = |events: Vec<TraceEvent>| {
            if record {
                trace.extend(events.iter().cloned());
            }
            for e in events {
                let line = if json {
                    serde_json::to_string(&e).ok()
                } else {
                    transcript::line(&e, detail)
                };
                if let Some(l) = line {
                    // A reader that went away: the call still runs to its end (a
                    // record in flight is stored), quietly.
                    if !*closed && let Err(e) = writeln!(out, "{l}") {
                        if !super::out::is_closed(&e) {
                            super::out::failed(&e);
                        }
                        *closed = true;
                    }
                }
            }
        };
        let r = crate::driver::run_with_keys_streaming(&mut driver, keys, &mut print).await;
        // What happened before an error (the key that led to an unmapped function).
        print(driver.take_events());
        // A call left waiting in queue for good: say why it has no end.
        if let Some(q) = driver.engine().queue_info()
            && driver.engine().ended().is_none()
            && !json
            && !*closed
        {
            let _ = writeln!(
                out,
                "{:>7}  QUEUE the call waits in {} for good: no agent answers (answer_after = never, \
                 or no agent online)",
                driver.engine().now().to_string(),
                q.queue
            );
        }
        driver.close().await;
        r
    });
    // The call reached a function no mapping answers: exit 2, naming it.
    result.map_err(|e| UsageError(format!("{}: {e}", args.flow.display())))?;
    if let Some(path) = &args.record {
        let opts = crate::script::RecordOptions {
            flow_path: Some(&args.flow),
            recording_path: Some(path),
            config: Some(&setup.call),
        };
        let text = crate::script::recording_from_trace(&opts, &trace);
        crate::script::write_new(path, &text, args.force)?;
    }
    if let Some(flows) = &flow_set {
        args.flow_logs.write(&[(flows, &trace)], &setup.call.env)?;
    }
    if closed {
        return Ok(ExitCode::from(super::out::CLOSED_PIPE));
    }
    Ok(end_code(driver.engine().ended()))
}
