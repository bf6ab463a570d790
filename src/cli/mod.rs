//! The command line: parse, pick a front-end, map errors to exit codes. Only this
//! module tree knows about clap, printing and exit codes; the domain modules take
//! plain option structs and return typed errors.
//!
//! Exit codes: 0 success; 1 a test or expectation failed (or a call was stopped:
//! runaway loop, `--strict`); 2 bad input, with a one-line cause on stderr.

pub mod check;
pub mod diff;
pub mod explore;
pub mod export_test;
pub mod graph;
pub mod out;
pub mod replay;
pub mod run;
pub mod test;
pub mod tui;
pub mod vanity;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use indexmap::IndexMap;

use crate::engine::EndReason;
use crate::session::{SessionOptions, Setup};

#[derive(Debug, Parser)]
#[command(
    name = "flowsim",
    version,
    about = "Run Amazon Connect contact flows in the terminal",
    long_about = "Run Amazon Connect contact flows in the terminal: a keypad for the phone, \
                  prompts as text, Lambda blocks answered locally or by AWS.\n\n\
                  With no command, opens the TUI (`flowsim [FLOW] [OPTIONS]` is `flowsim tui …`); \
                  with no FLOW, on the built-in vanity-number flow.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Colour in human output: auto (a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, global = true, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// With no command: the TUI's arguments.
    #[command(flatten)]
    pub tui: tui::TuiArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Interactive TUI (the default). No FLOW: the built-in vanity flow.
    Tui(tui::TuiArgs),
    /// One headless call, printed as a transcript (or JSON lines).
    Run(run::RunArgs),
    /// Run `.call` scripts (tests and recordings) headless.
    Test(test::TestArgs),
    /// Run the built-in vanity-number generator.
    Vanity(vanity::VanityArgs),
    /// List the calls stored by the built-in vanity pipeline.
    Calls(vanity::CallsArgs),
    /// Static validation (lint): errors and warnings with rule codes.
    Check(check::CheckArgs),
    /// Write `.call` scripts as Amazon Connect test cases (`aws connect create-test-case`).
    ExportTest(export_test::ExportTestArgs),
    /// Search a flow's calls and write a `.call` suite covering its branches.
    Explore(explore::ExploreArgs),
    /// The paths that behave differently in two versions of a flow.
    Diff(diff::DiffArgs),
    /// Export the block graph (Graphviz DOT or Mermaid).
    Graph(graph::GraphArgs),
    /// Replay a production contact from its Amazon Connect flow logs: exit 0 when the
    /// simulated path is production's, 1 at the first divergence.
    Replay(replay::ReplayArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff): `flowsim manpage > flowsim.1`.
    Manpage,
}

/// `flowsim completions` arguments.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell, e.g. `flowsim completions bash > /etc/bash_completion.d/flowsim`.
    pub shell: clap_complete::Shell,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorWhen {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    fn choice(self) -> anstream::ColorChoice {
        match self {
            Self::Auto => anstream::ColorChoice::Auto,
            Self::Always => anstream::ColorChoice::Always,
            Self::Never => anstream::ColorChoice::Never,
        }
    }
}

/// The config file used when no `--config` is given: `flowsim.toml` in the
/// current folder, when there is one.
pub const LOCAL_CONFIG: &str = "flowsim.toml";

/// Options shared by `tui`, `run` and `test`.
#[derive(Debug, Args, Default, Clone)]
pub struct SharedOpts {
    /// The caller's number ($.CustomerEndpoint.Address).
    #[arg(long, value_name = "E164")]
    pub caller: Option<String>,
    /// The dialed number ($.SystemEndpoint.Address).
    #[arg(long, value_name = "E164")]
    pub dialed: Option<String>,
    /// Answer a Lambda function: PATTERN=BACKEND (repeatable). Backends: builtin:vanity,
    /// json:{…}, file:PATH, exec:COMMAND, aws, aws:NAME_OR_ARN, error, throttle, timeout.
    #[arg(long = "lambda", value_name = "PATTERN=BACKEND")]
    pub lambda: Vec<String>,
    /// Retries of a failed synchronous Lambda attempt, within the block's time limit:
    /// 0 to 3 (Connect's 3, the default); 0 gives every invocation one attempt.
    #[arg(long, value_name = "N")]
    pub lambda_retries: Option<u32>,
    /// CheckHoursOfOperation outcome.
    #[arg(long, value_enum)]
    pub hours: Option<Hours>,
    /// Folder of other flows, for TransferToFlow and flow modules.
    #[arg(long, value_name = "DIR")]
    pub flows: Option<PathBuf>,
    /// Seed for DistributeByPercentage and the contact id.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Stop (exit 1) at action types flowsim does not simulate.
    #[arg(long)]
    pub strict: bool,
    /// Blocks per call before it is stopped as a runaway loop.
    #[arg(long, value_name = "N")]
    pub max_steps: Option<u32>,
    /// An initial contact attribute KEY=VALUE (repeatable).
    #[arg(long = "attribute", value_name = "KEY=VALUE")]
    pub attributes: Vec<String>,
    /// TOML file with the same settings (flags win).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// AWS region for `aws` backends.
    #[arg(long, value_name = "REGION")]
    pub aws_region: Option<String>,
    /// AWS profile for `aws` backends.
    #[arg(long, value_name = "NAME")]
    pub aws_profile: Option<String>,
    /// Endpoint for `aws` backends (SAM local, LocalStack).
    #[arg(long, value_name = "URL")]
    pub aws_endpoint_url: Option<String>,
    /// The contact center in a TOML file: queues, hours, customers, views, …
    /// (docs/environment.md).
    #[arg(long = "env", value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// The contact's channel: voice (default), chat, task or email.
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// Where the built-in vanity function's call records go: sqlite (the embedded
    /// pipeline, default) or sqs:QUEUE_URL (a build with the aws-pipeline feature).
    #[arg(long, value_name = "sqlite|sqs:URL")]
    pub pipeline: Option<String>,
    /// Answer a Lex bot: PATTERN=BACKEND (repeatable), PATTERN the bot name or alias
    /// ARN (`*` wildcard); BACKEND intent:NAME[,slot=value…], file:EXPORT (a Lex V2
    /// export zip or folder), or aws / aws:ALIAS_ARN (the deployed bot, RecognizeText).
    #[arg(long = "lex", value_name = "PATTERN=BACKEND")]
    pub lex: Vec<String>,
    /// When the call starts, with its offset: hours schedules are evaluated then
    /// (e.g. 2026-12-01T20:00-05:00).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// A queue's state, NAME:key=value,… e.g. 'Sales:agents_available=0' (repeatable).
    #[arg(long = "queue", value_name = "NAME:K=V,…")]
    pub queues: Vec<String>,
    /// A customer profile found by phone, PHONE,Key=Value,… e.g. '+13035551234,FirstName=Ana'
    /// (repeatable).
    #[arg(long = "customer", value_name = "PHONE,K=V,…")]
    pub customers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Hours {
    Open,
    Closed,
}

/// A bad-input error: one line, exit 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! usage_from {
    ($($t:ty),* $(,)?) => {$(
        impl From<$t> for UsageError {
            fn from(e: $t) -> Self {
                Self(e.to_string())
            }
        }
    )*};
}

usage_from!(
    crate::session::SetupError,
    crate::flow::LoadError,
    crate::lambda::RegistryError,
    crate::driver::DriverError,
    crate::driver::KeysError,
    crate::script::WriteError,
    crate::script::CollectError,
    serde_json::Error,
);

impl SharedOpts {
    /// The options as the domain takes them.
    pub fn options(&self) -> SessionOptions {
        SessionOptions {
            caller: self.caller.clone(),
            dialed: self.dialed.clone(),
            lambda: self.lambda.clone(),
            lambda_retries: self.lambda_retries,
            hours_open: self.hours.map(|h| h == Hours::Open),
            flows: self.flows.clone(),
            seed: self.seed,
            strict: self.strict,
            max_steps: self.max_steps,
            attributes: self.attributes.clone(),
            config: self.config.clone(),
            aws_region: self.aws_region.clone(),
            aws_profile: self.aws_profile.clone(),
            aws_endpoint_url: self.aws_endpoint_url.clone(),
            env_file: self.env_file.clone(),
            channel: self.channel.clone(),
            at: self.at.clone(),
            lex: self.lex.clone(),
            pipeline: self.pipeline.clone(),
            queues: self.queues.clone(),
            customers: self.customers.clone(),
        }
    }

    /// `flowsim.toml` in the current folder when no `--config` names a file.
    pub fn local_config(&self) -> Option<PathBuf> {
        let p = PathBuf::from(LOCAL_CONFIG);
        (self.config.is_none() && p.is_file()).then_some(p)
    }

    /// Merge flags over the config file (`--config`, else `./flowsim.toml`).
    pub fn setup(&self, base: &Path) -> Result<Setup, UsageError> {
        let mut options = self.options();
        if options.config.is_none() {
            options.config = self.local_config();
        }
        let setup = Setup::new(&options, base)?;
        for w in &setup.warnings {
            eprintln!("flowsim: warning: {w}");
        }
        Ok(setup)
    }
}

/// Entry point: parse arguments and run. Never panics on user input.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            if let Err(err) = e.print()
                && out::is_closed(&err)
            {
                return ExitCode::from(out::CLOSED_PIPE);
            }
            return ExitCode::from(code);
        }
    };
    cli.color.choice().write_global();
    let command = cli.command.unwrap_or(Command::Tui(cli.tui));
    let result = match command {
        Command::Run(args) => run::command(&args),
        Command::Tui(args) => tui::command(&args),
        Command::Test(args) => test::command(&args),
        Command::Vanity(a) => Ok(vanity::command_vanity(&a.numbers, a.count, a.json)),
        Command::Calls(a) => Ok(vanity::command_calls_args(&a)),
        Command::Check(a) => check::command(&a),
        Command::ExportTest(a) => export_test::command(&a),
        Command::Explore(a) => explore::command(&a),
        Command::Diff(a) => diff::command(&a),
        Command::Graph(a) => graph::command(&a),
        Command::Replay(a) => replay::command(&a),
        Command::Completions(a) => {
            let mut buf = Vec::new();
            clap_complete::generate(a.shell, &mut Cli::command(), "flowsim", &mut buf);
            out::text(&String::from_utf8_lossy(&buf));
            Ok(ExitCode::SUCCESS)
        }
        Command::Manpage => manpage(),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(msg)) => {
            eprintln!("flowsim: {msg}");
            ExitCode::from(2)
        }
    }
}

/// `flowsim manpage`: flowsim(1) in roff, with its commands listed.
fn manpage() -> Result<ExitCode, UsageError> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|e| UsageError(format!("manpage: {e}")))?;
    out::text(&String::from_utf8_lossy(&buf));
    Ok(ExitCode::SUCCESS)
}

pub fn runtime() -> Result<tokio::runtime::Runtime, UsageError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError(format!("cannot start the async runtime: {e}")))
}

/// The exit code for a finished call.
pub fn end_code(reason: Option<&EndReason>) -> ExitCode {
    match reason {
        Some(EndReason::Budget { .. } | EndReason::Stopped { .. }) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Parse `KEY=VALUE` pairs (for tests of the attribute option).
pub fn parse_pairs(items: &[String]) -> Result<IndexMap<String, String>, UsageError> {
    items
        .iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| UsageError(format!("{a}: expected KEY=VALUE")))
        })
        .collect()
}

/// One warning line per file of a `--flows` folder that is not a flow.
fn warn_skipped(flows: crate::flow::FlowSet) -> crate::flow::FlowSet {
    for e in &flows.skipped {
        eprintln!("flowsim: warning: skipped {e}");
    }
    flows
}
