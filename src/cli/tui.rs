//! `flowsim tui`, the default command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{SharedOpts, UsageError, runtime};
use crate::session::load_flows;

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// The flow file (default: the built-in vanity flow).
    pub flow: Option<PathBuf>,
    /// Folder the `w` key writes `.call` recordings to.
    #[arg(long, value_name = "DIR", default_value = "recordings")]
    pub recordings: PathBuf,
    /// Start in step mode, stopped before the first block (`n` steps, `p` runs on).
    #[arg(long)]
    pub paused: bool,
    /// Run the call's clock this many times as fast as real time (`--speed 4`: a 5 s
    /// timeout takes 1.25 s; `>` and `<` change it while running).
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub speed: f64,
    /// Colour the map (`m`) by a `flowsim test --coverage-json` report: what the tests
    /// reach and what they never do (`v` toggles it).
    #[arg(long, value_name = "FILE")]
    pub coverage: Option<PathBuf>,
    /// Replay a production contact from its flow logs (as `flowsim replay LOGS`
    /// reads them), paused before its first block: `n` steps, with production's
    /// record of each block in the flow panel.
    #[arg(long, value_name = "LOGS")]
    pub replay: Option<PathBuf>,
    /// The contact of --replay to open (default: the only one in the file).
    #[arg(long, value_name = "ID", requires = "replay")]
    pub contact: Option<String>,
    #[command(flatten)]
    pub flow_logs: super::replay::FlowLogOpts,
    #[command(flatten)]
    pub shared: SharedOpts,
}

/// `flowsim tui` (and `flowsim` with no command).
pub fn command(args: &TuiArgs) -> Result<ExitCode, UsageError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Err(UsageError(
            "flowsim tui needs a terminal; use `flowsim run` for headless calls".into(),
        ));
    }
    if !(args.speed.is_finite() && (0.01..=1000.0).contains(&args.speed)) {
        return Err(UsageError(format!(
            "--speed {}: expected a factor between 0.01 and 1000",
            args.speed
        )));
    }
    let mut setup = args.shared.setup(Path::new("."))?;
    // Replay mode: the contact's flows and the call its records derive.
    let (flows, replay) = match &args.replay {
        Some(logs) => {
            let (flows, contact) = super::replay::load_contact(
                logs,
                args.contact.as_deref(),
                args.flow.as_deref(),
                &setup,
            )?;
            let derived = crate::flowlog::derive(&flows, &contact.records, setup.call.clone())
                .map_err(|e| UsageError(format!("{}: {e}", logs.display())))?;
            for w in &derived.warnings {
                eprintln!("flowsim: warning: {w}");
            }
            setup.call = derived.config.clone();
            (flows, Some(derived))
        }
        None => (
            super::warn_skipped(load_flows(
                args.flow.as_deref(),
                setup.flows_dir.as_deref(),
            )?),
            None,
        ),
    };
    let registry = setup.registry()?;
    let coverage = match &args.coverage {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
            Some(
                crate::tui::coverage::MapCoverage::from_json(&value)
                    .map_err(|e| UsageError(format!("{}: {e}", path.display())))?,
            )
        }
    };
    let options = crate::tui::Options {
        flow_path: args
            .flow
            .as_ref()
            .map(|p| p.display().to_string())
            .or_else(|| args.replay.is_some().then(|| flows.main.source.clone())),
        recordings_dir: args.recordings.clone(),
        paused: args.paused || replay.is_some(),
        speed: args.speed,
        coverage,
        replay,
    };
    let rt = runtime()?;
    let logged = args.flow_logs.flow_logs.is_some().then(|| flows.clone());
    let env = setup.call.env.clone();
    let trace = crate::tui::run(flows, setup.call, registry, options, &rt)
        .map_err(|e| UsageError(format!("terminal: {e}")))?;
    // The call on screen when the user quit.
    if let Some(flows) = &logged {
        args.flow_logs.write(&[(flows, &trace)], &env)?;
    }
    Ok(ExitCode::SUCCESS)
}
