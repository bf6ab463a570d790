//! `flowsim diff OLD NEW`: the paths that behave differently in two versions of a
//! flow (see [`crate::explore::diff`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{SharedOpts, UsageError};
use crate::explore::{Bounds, diff};

/// `flowsim diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The flow as it was.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The flow as it is now.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Complete calls explored per version, at most.
    #[arg(long, value_name = "N", default_value_t = Bounds::default().max_calls)]
    pub max_calls: usize,
    /// Decisions per call the search branches at.
    #[arg(long, value_name = "N", default_value_t = Bounds::default().depth)]
    pub depth: usize,
    /// The changes as one JSON array.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub shared: SharedOpts,
}

/// `flowsim diff`: exit 0 the same behaviour, 1 changed paths, 2 bad input.
pub fn command(args: &DiffArgs) -> Result<ExitCode, UsageError> {
    let bounds = Bounds {
        max_calls: args.max_calls.max(1),
        depth: args.depth,
    };
    let (old, old_ex) = super::explore::explore_flow(&args.old, &args.shared, bounds)?;
    let (new, new_ex) = super::explore::explore_flow(&args.new, &args.shared, bounds)?;
    let changes = diff::diff(&old, &new, &old_ex, &new_ex);
    if args.json {
        super::out::line(&serde_json::to_string(&changes)?);
    } else {
        super::out::text(&diff::render(&changes));
    }
    Ok(ExitCode::from(u8::from(!changes.is_empty())))
}
