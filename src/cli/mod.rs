//! The command line: parse, pick a front-end, map errors to exit codes.
//!
//! Exit codes: 0 success; 1 a test or expectation failed (or a call was stopped:
//! runaway loop, `--strict`); 2 bad input, with a one-line cause on stderr.

pub mod check;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use indexmap::IndexMap;

use crate::config::{AwsConfig, ConfigFile};
use crate::driver::{Clock, Driver, KeyItem};
use crate::engine::{CallConfig, EndReason, Engine, TraceEvent};
use crate::flow::{Flow, FlowSet, Kind};
use crate::lambda::{AwsOptions, BackendContext, Mapping, Registry};
use crate::transcript::{self, Detail};

/// The project's own flow, built in: `flowsim` with no FLOW runs it.
pub const BUILTIN_FLOW: &str = include_str!("../../contactflow/Vanity_Numbers.json");
/// How the built-in flow is named in messages.
pub const BUILTIN_FLOW_NAME: &str = "<built-in contactflow/Vanity_Numbers.json>";

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
    /// With no command: the TUI's arguments.
    #[command(flatten)]
    pub tui: TuiArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Interactive TUI (the default). No FLOW: the built-in vanity flow.
    Tui(TuiArgs),
    /// One headless call, printed as a transcript (or JSON lines).
    Run(RunArgs),
    /// Run `.call` scripts (tests and recordings) headless.
    Test(crate::script::TestArgs),
    /// Run the built-in vanity-number generator.
    Vanity(VanityArgs),
    /// List the calls stored by the built-in vanity pipeline.
    Calls(CallsArgs),
    /// Static validation (lint): errors and warnings with rule codes.
    Check(check::CheckArgs),
    /// Export the block graph (Graphviz DOT or Mermaid).
    Graph(crate::graph_export::GraphArgs),
}

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
    /// json:{…}, file:PATH, exec:COMMAND, aws, aws:NAME_OR_ARN, error, timeout.
    #[arg(long = "lambda", value_name = "PATTERN=BACKEND")]
    pub lambda: Vec<String>,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Hours {
    Open,
    Closed,
}

#[derive(Debug, Args)]
pub struct TuiArgs {
    /// The flow file (default: the built-in vanity flow).
    pub flow: Option<PathBuf>,
    /// Folder the `w` key writes `.call` recordings to.
    #[arg(long, value_name = "DIR", default_value = "recordings")]
    pub recordings: PathBuf,
    #[command(flatten)]
    pub shared: SharedOpts,
}

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
    pub shared: SharedOpts,
}

#[derive(Debug, Args)]
pub struct VanityArgs {
    /// Phone numbers (E.164, or 10-digit US).
    #[arg(required = true)]
    pub numbers: Vec<String>,
    /// How many vanity numbers per phone number.
    #[arg(long, default_value_t = 5)]
    pub count: usize,
    /// One JSON object per number.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CallsArgs {
    /// Show at most N calls (newest first).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// One JSON object per call.
    #[arg(long)]
    pub json: bool,
}

/// A bad-input error: one line, exit 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl<E: std::fmt::Display> From<E> for UsageError {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

/// Everything a call needs, from flags and the config file.
pub struct Setup {
    pub call: CallConfig,
    pub mappings: Vec<Mapping>,
    pub flows_dir: Option<PathBuf>,
    pub aws: AwsConfig,
    pub data_dir: Option<PathBuf>,
}

impl SharedOpts {
    /// Merge flags over the config file.
    pub fn setup(&self, base: &Path) -> Result<Setup, UsageError> {
        let file = match &self.config {
            Some(p) => ConfigFile::load(p).map_err(UsageError)?,
            None => ConfigFile::default(),
        };
        let mut call = CallConfig::default();
        if let Some(c) = self.caller.clone().or(file.caller) {
            call.caller = check_number("--caller", &c)?;
        }
        if let Some(d) = self.dialed.clone().or(file.dialed) {
            call.dialed = check_number("--dialed", &d)?;
        }
        call.hours_open = match (self.hours, file.hours.as_deref()) {
            (Some(h), _) => h == Hours::Open,
            (None, Some("open") | None) => true,
            (None, Some("closed")) => false,
            (None, Some(other)) => {
                return Err(UsageError(format!(
                    "config: hours = \"{other}\": expected \"open\" or \"closed\""
                )));
            }
        };
        call.seed = self.seed.or(file.seed).unwrap_or(0);
        call.strict = self.strict || file.strict.unwrap_or(false);
        call.queue_at_capacity = file.queue_at_capacity.unwrap_or(false);
        if let Some(m) = self.max_steps.or(file.max_steps) {
            if m == 0 {
                return Err(UsageError("--max-steps must be at least 1".into()));
            }
            call.max_steps = m;
        }
        call.attributes = file.attributes;
        for a in &self.attributes {
            let (k, v) = a
                .split_once('=')
                .ok_or_else(|| UsageError(format!("--attribute {a}: expected KEY=VALUE")))?;
            call.attributes.insert(k.trim().to_owned(), v.to_owned());
        }
        let mut mappings = Vec::new();
        for m in &self.lambda {
            mappings.push(Mapping::parse(m, base)?);
        }
        let config_base = self
            .config
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(base)
            .to_path_buf();
        for (pattern, backend) in &file.lambda {
            mappings.push(Mapping::parse(
                &format!("{pattern}={backend}"),
                &config_base,
            )?);
        }
        let mut aws = file.aws;
        aws.region = self.aws_region.clone().or(aws.region);
        aws.profile = self.aws_profile.clone().or(aws.profile);
        aws.endpoint_url = self.aws_endpoint_url.clone().or(aws.endpoint_url);
        Ok(Setup {
            call,
            mappings,
            flows_dir: self.flows.clone().or(file.flows),
            aws,
            data_dir: crate::vanity::default_data_dir(),
        })
    }
}

fn check_number(flag: &str, n: &str) -> Result<String, UsageError> {
    let digits = n.strip_prefix('+').unwrap_or(n);
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UsageError(format!(
            "{flag} {n}: expected a phone number in E.164 form, e.g. +13035551234"
        )));
    }
    Ok(n.to_owned())
}

impl Setup {
    pub fn registry(&self) -> Result<Registry, UsageError> {
        let ctx = BackendContext {
            data_dir: self.data_dir.clone(),
            aws: AwsOptions {
                region: self.aws.region.clone(),
                profile: self.aws.profile.clone(),
                endpoint_url: self.aws.endpoint_url.clone(),
            },
        };
        Ok(Registry::new(&self.mappings, &ctx)?)
    }
}

/// Load the flow (or the built-in one) and the flows beside it.
pub fn load_flows(path: Option<&Path>, flows_dir: Option<&Path>) -> Result<FlowSet, UsageError> {
    let main = match path {
        Some(p) => crate::flow::load_file(p)?,
        None => crate::flow::parse_str(BUILTIN_FLOW, BUILTIN_FLOW_NAME, "Vanity_Numbers")?,
    };
    Ok(match flows_dir {
        Some(dir) => FlowSet::load_dir(main, dir)?,
        None => FlowSet::single(main),
    })
}

/// Every Lambda function a flow names statically that no backend answers.
pub fn unmapped_functions(flows: &FlowSet, registry: &Registry) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let all = std::iter::once(&flows.main).chain(flows.others.iter());
    for flow in all {
        let flow: &Flow = flow;
        for b in &flow.blocks {
            if let Kind::InvokeLambdaFunction { arn, .. } = &b.kind {
                // References resolve at run time; a missing ARN fails there (FS120).
                if arn.contains("$.") || arn.trim().is_empty() {
                    continue;
                }
                let name = crate::engine::function_name(arn);
                if registry.resolve(arn, &name).is_none() {
                    out.push((flow.source.clone(), b.label(), name));
                }
            }
        }
    }
    out
}

/// Entry point: parse arguments and run. Never panics on user input.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let command = cli.command.unwrap_or(Command::Tui(cli.tui));
    let result = match command {
        Command::Run(args) => run(&args),
        Command::Tui(args) => tui(&args),
        Command::Test(args) => crate::script::command_test(&args),
        Command::Vanity(a) => Ok(crate::vanity::command_vanity(&a.numbers, a.count, a.json)),
        Command::Calls(a) => Ok(crate::vanity::command_calls(
            a.limit,
            a.json,
            crate::vanity::default_data_dir(),
        )),
        Command::Check(a) => check::command(&a),
        Command::Graph(a) => crate::graph_export::command(&a),
    };
    match result {
        Ok(code) => code,
        Err(UsageError(msg)) => {
            eprintln!("flowsim: {msg}");
            ExitCode::from(2)
        }
    }
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

fn run(args: &RunArgs) -> Result<ExitCode, UsageError> {
    let setup = args.shared.setup(Path::new("."))?;
    if let Some(r) = &args.record {
        if !args.force && r.exists() {
            return Err(UsageError(format!(
                "{}: already exists (use --force to overwrite)",
                r.display()
            )));
        }
    }
    let flows = load_flows(Some(&args.flow), setup.flows_dir.as_deref())?;
    let keys = KeyItem::parse_list(args.keys.as_deref().unwrap_or("")).map_err(UsageError)?;
    let registry = setup.registry()?;
    if let Some((source, block, function)) =
        unmapped_functions(&flows, &registry).into_iter().next()
    {
        return Err(UsageError(format!(
            "{source}: block \"{block}\" invokes Lambda function `{function}`, which no --lambda \
             mapping answers (add e.g. --lambda '{function}=json:{{\"key\":\"value\"}}')"
        )));
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
    let record = args.record.is_some();
    let result = rt.block_on(async {
        let mut out = stdout.lock();
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
                    let _ = writeln!(out, "{l}");
                }
            }
        };
        let r = crate::driver::run_with_keys_streaming(&mut driver, keys, &mut print).await;
        driver.close().await;
        r
    });
    result?;
    if let Some(path) = &args.record {
        let opts = crate::script::RecordOptions {
            flow_path: Some(&args.flow),
            recording_path: Some(path),
            config: Some(&setup.call),
        };
        let text = crate::script::recording_from_trace(&opts, &trace);
        crate::script::write_new(path, &text, args.force).map_err(UsageError)?;
    }
    Ok(end_code(driver.engine().ended()))
}

fn tui(args: &TuiArgs) -> Result<ExitCode, UsageError> {
    let setup = args.shared.setup(Path::new("."))?;
    let flows = load_flows(args.flow.as_deref(), setup.flows_dir.as_deref())?;
    let registry = setup.registry()?;
    let options = crate::tui::Options {
        flow_path: args.flow.as_ref().map(|p| p.display().to_string()),
        recordings_dir: args.recordings.clone(),
    };
    let rt = runtime()?;
    crate::tui::run(flows, setup.call, registry, options, &rt)
        .map_err(|e| UsageError(format!("terminal: {e}")))?;
    Ok(ExitCode::SUCCESS)
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
