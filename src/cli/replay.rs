//! Flow logs on the command line: `--flow-logs FILE` (run, test, tui) writes the
//! records Connect would write; `flowsim replay LOGS` runs a production contact's
//! records back through the engine. The records, the reader and the replay are
//! [`flowsim_core::flowlog`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{SharedOpts, UsageError};
use crate::engine::{TraceEvent, TraceKind};
use crate::flow::FlowSet;
use crate::flowlog::{self, LogFormat, LoggedBlock, ReplayReport, WriteOptions};
use crate::transcript::{self, Detail};

/// `--flow-logs FILE`: the flags `run`, `test` and `tui` share.
#[derive(Debug, Args, Default, Clone)]
pub struct FlowLogOpts {
    /// Write the call's flow-log records, as Connect writes them to CloudWatch (one
    /// per block while a Set logging behavior block has logging on).
    #[arg(long, value_name = "FILE")]
    pub flow_logs: Option<PathBuf>,
    /// `json` (one record per line, as CloudWatch stores them) or `cloudwatch`
    /// (what `aws logs filter-log-events` prints).
    #[arg(long, value_name = "FORMAT", default_value = "json", requires = "flow_logs",
          value_parser = ["json", "cloudwatch"])]
    pub flow_logs_format: String,
    /// Testing: logging is on from the first block, as for a contact transferred in
    /// with logging on (for flows that never enable it).
    #[arg(long, hide = true, requires = "flow_logs")]
    pub flow_logs_always: bool,
}

impl FlowLogOpts {
    /// The records of calls (`(flows, trace)` each), written to `--flow-logs` (an
    /// atomic write: nothing half-written). Calls sharing a contact id (scripts all
    /// run with seed 0) get distinct ids in the log.
    /// `--flow-logs` was given.
    pub fn enabled(&self) -> bool {
        self.flow_logs.is_some()
    }

    pub fn write(
        &self,
        calls: &[(&FlowSet, &[TraceEvent])],
        env: &crate::env::Environment,
    ) -> Result<(), UsageError> {
        let Some(path) = &self.flow_logs else {
            return Ok(());
        };
        let format = LogFormat::parse(&self.flow_logs_format).unwrap_or_default();
        let opts = WriteOptions::for_env(env, self.flow_logs_always);
        let mut blocks: Vec<LoggedBlock> = Vec::new();
        let mut ids: Vec<String> = Vec::new();
        for (n, (flows, trace)) in calls.iter().enumerate() {
            let mut these = flowlog::write_records(flows, trace, opts);
            let id = trace
                .iter()
                .find_map(|e| match &e.kind {
                    TraceKind::CallStarted { contact_id, .. } => Some(contact_id.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            if ids.contains(&id) && id.len() >= 12 {
                // The n-th call's id with its last 12 hex digits replaced by n.
                let new = serde_json::Value::String(format!("{}{n:012x}", &id[..id.len() - 12]));
                for r in these.iter_mut().flat_map(|b| b.records.iter_mut()) {
                    r.0.insert("ContactId".into(), new.clone());
                }
            }
            ids.push(id);
            blocks.extend(these);
        }
        let text = flowlog::render(&blocks, format);
        crate::script::write_atomic(path, &text)?;
        Ok(())
    }
}

/// `flowsim replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The flow logs: JSON lines, `aws logs filter-log-events` output, or a Logs
    /// Insights export (JSON or CSV with @message).
    #[arg(value_name = "LOGS")]
    pub logs: PathBuf,
    /// The contact to replay (default: the only one in the file).
    #[arg(long, value_name = "ID")]
    pub contact: Option<String>,
    /// The flow the contact entered (default: the flow of its first record, found in
    /// --flows by ContactFlowId or name).
    #[arg(long, value_name = "FLOW")]
    pub flow: Option<PathBuf>,
    /// Write the contact as a `.call` regression test (its Lambda answers captured).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Let --record replace an existing file.
    #[arg(long, requires = "record")]
    pub force: bool,
    /// Open the contact in the TUI, paused before its first block, to step through
    /// it (`n`) with production's record of each block in the flow panel.
    #[arg(long, conflicts_with = "record")]
    pub tui: bool,
    #[command(flatten)]
    pub shared: SharedOpts,
}

/// `flowsim replay`: exit 0 the simulated path is production's, 1 it diverges, 2 bad input.
pub fn command(args: &ReplayArgs) -> Result<ExitCode, UsageError> {
    if args.tui {
        let tui = super::tui::TuiArgs {
            flow: args.flow.clone(),
            recordings: PathBuf::from("recordings"),
            paused: true,
            speed: 1.0,
            coverage: None,
            replay: Some(args.logs.clone()),
            contact: args.contact.clone(),
            flow_logs: FlowLogOpts::default(),
            shared: args.shared.clone(),
        };
        return super::tui::command(&tui);
    }
    let setup = args.shared.setup(Path::new("."))?;
    if let Some(r) = &args.record
        && !args.force
        && r.exists()
    {
        return Err(UsageError(format!(
            "{}: already exists (use --force to overwrite)",
            r.display()
        )));
    }
    let shown = args.logs.display();
    let (flows, contact) = load_contact(
        &args.logs,
        args.contact.as_deref(),
        args.flow.as_deref(),
        &setup,
    )?;
    let report = flowlog::replay(&flows, &contact.records, setup.call.clone())
        .map_err(|e| UsageError(format!("{shown}: {e}")))?;
    for w in &report.warnings {
        eprintln!("flowsim: warning: {w}");
    }
    print_report(&report);
    if let Some(path) = &args.record {
        let flow_path = args
            .flow
            .clone()
            .or_else(|| std::path::absolute(&flows.main.source).ok());
        let opts = crate::script::RecordOptions {
            flow_path: flow_path.as_deref(),
            recording_path: Some(path),
            config: Some(&report.config),
        };
        let text = crate::script::recording_from_trace(&opts, &report.trace);
        crate::script::write_new(path, &text, args.force)?;
    }
    Ok(match report.divergence {
        None => ExitCode::SUCCESS,
        Some(_) => ExitCode::from(1),
    })
}

/// The contact of `logs` to replay (by `--contact`, or the only one) and the flows
/// (`--flow`, else found in `--flows` by the records' ContactFlowId or name).
pub fn load_contact(
    logs: &Path,
    contact: Option<&str>,
    flow: Option<&Path>,
    setup: &crate::session::Setup,
) -> Result<(FlowSet, flowlog::ContactLog), UsageError> {
    let shown = logs.display();
    let text = std::fs::read_to_string(logs).map_err(|e| UsageError(format!("{shown}: {e}")))?;
    let mut contacts = flowlog::contacts(&text).map_err(|e| UsageError(format!("{shown}: {e}")))?;
    let at = match contact {
        Some(id) => contacts
            .iter()
            .position(|c| c.contact_id == id)
            .ok_or_else(|| {
                UsageError(format!(
                    "{shown}: no records of contact {id} ({} contacts: {})",
                    contacts.len(),
                    list(&contacts)
                ))
            })?,
        None if contacts.len() == 1 => 0,
        None => {
            return Err(UsageError(format!(
                "{shown}: {} contacts ({}); pick one with --contact ID",
                contacts.len(),
                list(&contacts)
            )));
        }
    };
    let contact = contacts.swap_remove(at);
    if contact.duplicates > 0 {
        eprintln!(
            "flowsim: {} duplicate records removed (Connect delivers flow logs at least once)",
            contact.duplicates
        );
    }
    let flows = find_flows(flow, setup, &contact.records)?;
    Ok((flows, contact))
}

fn list(contacts: &[flowlog::ContactLog]) -> String {
    let mut ids: Vec<&str> = contacts
        .iter()
        .map(|c| c.contact_id.as_str())
        .take(5)
        .collect();
    if contacts.len() > 5 {
        ids.push("…");
    }
    ids.join(", ")
}

/// The flows: `--flow` (else the flow of the first record, by ContactFlowId or name
/// among `--flows`), with the others of `--flows`.
fn find_flows(
    flow: Option<&Path>,
    setup: &crate::session::Setup,
    records: &[flowlog::LogRecord],
) -> Result<FlowSet, UsageError> {
    let dir = setup.flows_dir.as_deref();
    if let Some(flow) = flow {
        return Ok(super::warn_skipped(crate::session::load_flows(
            Some(flow),
            dir,
        )?));
    }
    let Some(dir) = dir else {
        return Err(UsageError(
            "replay needs the flows: --flows DIR (found by the records' ContactFlowId or name) or --flow FLOW".into(),
        ));
    };
    let any = first_flow_file(dir)
        .ok_or_else(|| UsageError(format!("{}: holds no flow (*.json)", dir.display())))?;
    let all = super::warn_skipped(crate::session::load_flows(Some(&any), Some(dir))?);
    let first = &records[0];
    let main = all.find(first.flow_id(), first.flow_name()).ok_or_else(|| {
        UsageError(format!(
            "{}: no flow for the first record's ContactFlowId {} ({}); name the flow with --flow FLOW",
            dir.display(),
            first.flow_id(),
            first.flow_name().unwrap_or("no ContactFlowName")
        ))
    })?;
    let others = std::iter::once(all.main.clone())
        .chain(all.others.iter().cloned())
        .filter(|f| !std::sync::Arc::ptr_eq(f, &main))
        .collect();
    Ok(FlowSet {
        main,
        others,
        skipped: Vec::new(),
    })
}

/// A flow file under `dir` that loads (any: [`FlowSet::find`] picks the right one).
fn first_flow_file(dir: &Path) -> Option<PathBuf> {
    let mut todo = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .find(|f| crate::flow::load_file(f).is_ok())
}

/// The transcript, each logged block with production's record(s) beside it, then
/// the verdict.
fn print_report(report: &ReplayReport) {
    let mut at_event: HashMap<usize, usize> = HashMap::new();
    for (n, s) in report.steps.iter().enumerate() {
        if let Some(f) = &s.flowsim {
            at_event.insert(f.event, n);
        }
    }
    super::out::line(&format!("REPLAY contact {}", report.contact_id));
    for (i, e) in report.trace.iter().enumerate() {
        if let Some(line) = transcript::line(e, Detail::Flow) {
            super::out::line(&line);
        }
        if let Some(&n) = at_event.get(&i) {
            match &report.steps[n].production {
                Some(run) => {
                    for r in &run.records {
                        super::out::line(&format!("      log   {}", r.to_json()));
                    }
                }
                None => super::out::line("      log   (no record)"),
            }
        }
    }
    match &report.divergence {
        None => super::out::line(&format!(
            "SAME  the simulated path is production's ({} blocks logged)",
            report.steps.len()
        )),
        Some(d) => {
            super::out::line(&format!(
                "DIVERGED at block {} (step {})",
                d.block,
                d.step + 1
            ));
            super::out::line(&format!("      production: {}", d.production));
            super::out::line(&format!("      flowsim:    {}", d.flowsim));
            super::out::line(&format!("      why:        {}", d.why));
        }
    }
}
