//! `flowsim export-test`: `.call` scripts as Amazon Connect test cases.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{Hours, SharedOpts, UsageError};
use crate::lambda::registry::BackendContext;
use crate::native::export::{ExportOptions, export, write};
use crate::script::{RunOptions, Suite, collect_scripts};

/// `flowsim export-test`.
#[derive(Debug, Args)]
pub struct ExportTestArgs {
    /// Scripts, or folders searched recursively for `*.call`.
    #[arg(required = true, value_name = "SCRIPT")]
    pub paths: Vec<PathBuf>,
    /// Where the test cases go (one `NAME.json` each, a CreateTestCase body).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The flow for scripts without a `flow` line.
    #[arg(long, value_name = "FLOW")]
    pub flow: Option<PathBuf>,
    /// The `FlowId` to write (default: the flow's name; give the real id or ARN).
    #[arg(long, value_name = "ID")]
    pub flow_id: Option<String>,
    #[command(flatten)]
    pub shared: SharedOpts,
}

/// Export every script, or none: exit 0 all written, 2 a script cannot be
/// expressed (its line named) or bad input.
pub fn command(args: &ExportTestArgs) -> Result<ExitCode, UsageError> {
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
    let run = RunOptions {
        call: setup.call.clone(),
        mappings: setup.mappings.clone(),
        backends: BackendContext::default(),
        update: false,
    };
    let opts = ExportOptions {
        flow_id: args.flow_id.clone(),
        hours: args.shared.hours.map(|h| h == Hours::Open),
    };
    let rt = super::runtime()?;
    let mut cases = Vec::new();
    let mut bad = false;
    for (i, path) in suite.files.iter().enumerate() {
        let script = match crate::script::load_script(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("flowsim: {e}");
                bad = true;
                continue;
            }
        };
        match rt.block_on(export(&script, suite.flows_for(i), &run, &opts)) {
            Ok(c) => cases.push(c),
            Err(e) => {
                eprintln!("flowsim: {e}");
                bad = true;
            }
        }
    }
    // Nothing half-written: every script exports, or no file is written.
    if bad {
        return Ok(ExitCode::from(2));
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| UsageError(format!("{}: {e}", args.out.display())))?;
    for c in &cases {
        let path = write(c, &args.out)?;
        super::out::line(&format!("wrote {}", path.display()));
    }
    Ok(ExitCode::SUCCESS)
}
