//! `flowsim graph`: arguments and printing; the drawing is [`crate::graph_export`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::UsageError;
use crate::graph_export;

/// Output format of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    #[default]
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// `flowsim graph` arguments.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The flow file.
    pub flow: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// Run `flowsim graph`.
pub fn command(args: &GraphArgs) -> Result<ExitCode, UsageError> {
    let flow = crate::flow::load_file(&args.flow)?;
    let out = match args.format {
        GraphFormat::Dot => graph_export::to_dot(&flow),
        GraphFormat::Mermaid => graph_export::to_mermaid(&flow),
    };
    super::out::text(&out);
    Ok(ExitCode::SUCCESS)
}
