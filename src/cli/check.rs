//! `flowsim check`: arguments, reading the files, printing, the exit code. The rules
//! themselves are [`flowsim_core::check`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::UsageError;
use crate::catalogue::{Channel, FlowType};
use crate::check::{self, Finding, Format, Options, Severity, report};
use crate::flow::MAX_FLOW_BYTES;

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FormatArg {
    /// Readable lines with hints, and a summary.
    #[default]
    Human,
    /// One JSON object per finding per line.
    Json,
    /// A SARIF 2.1.0 log (for code-scanning tools).
    Sarif,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Human => Self::Human,
            FormatArg::Json => Self::Json,
            FormatArg::Sarif => Self::Sarif,
        }
    }
}

/// `flowsim check` arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Flow files (flow-language JSON).
    #[arg(required_unless_present = "list_rules")]
    pub flows: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Exit 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print the rule table and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// The flow type when the file does not say (`Metadata.type` or an API wrapper's
    /// `Type`): CONTACT_FLOW, CUSTOMER_QUEUE, CUSTOMER_HOLD, CUSTOMER_WHISPER,
    /// AGENT_HOLD, AGENT_WHISPER, OUTBOUND_WHISPER, AGENT_TRANSFER, QUEUE_TRANSFER,
    /// CONTACT_FLOW_MODULE.
    #[arg(long, value_parser = parse_flow_type)]
    pub flow_type: Option<FlowType>,
    /// The channel the flows run on (VOICE, CHAT, TASK, EMAIL).
    #[arg(long, env = "FLOWSIM_CHANNEL", value_parser = parse_channel)]
    pub channel: Option<Channel>,
    /// A directory of the other flows and modules of the instance: contact attributes
    /// they set count as set (FS115). The flows given are always counted.
    #[arg(long = "flows", value_name = "DIR")]
    pub flows_dir: Option<PathBuf>,
}

fn parse_flow_type(s: &str) -> Result<FlowType, String> {
    FlowType::parse(s).ok_or_else(|| format!("unknown flow type `{s}`"))
}

fn parse_channel(s: &str) -> Result<Channel, String> {
    [Channel::Voice, Channel::Chat, Channel::Task, Channel::Email]
        .into_iter()
        .find(|c| c.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| format!("unknown channel `{s}` (VOICE, CHAT, TASK or EMAIL)"))
}

/// `.json` files under `dir`, recursively.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| format!("{}: cannot read the directory: {e}", d.display()))?;
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Run `flowsim check`.
pub fn command(args: &CheckArgs) -> Result<ExitCode, UsageError> {
    let format = Format::from(args.format);
    if args.list_rules {
        super::out::text(&report::list_rules(format));
        return Ok(ExitCode::SUCCESS);
    }
    let mut others: Vec<PathBuf> = args.flows.clone();
    if let Some(dir) = &args.flows_dir {
        others.extend(json_files(dir).map_err(UsageError)?);
    }
    let mut attributes = std::collections::HashSet::new();
    for p in &others {
        if std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() <= MAX_FLOW_BYTES)
            && let Ok(bytes) = std::fs::read(p)
        {
            attributes.extend(check::attributes_set(&bytes));
        }
    }
    let opts = Options {
        flow_type: args.flow_type,
        channel: args.channel,
        other_attributes: Some(attributes),
    };
    let mut all = Vec::new();
    let mut unreadable = Vec::new();
    for path in &args.flows {
        match check_file_with(path, &opts) {
            Ok(f) => all.extend(f),
            Err(msg) => unreadable.push(msg),
        }
    }
    // The summary counts the files read; an unreadable one is an error of its own.
    let read = args.flows.len() - unreadable.len();
    let out = match format {
        Format::Human if read == 0 => String::new(),
        Format::Human => report::human(&all, read),
        Format::Json => report::json_lines(&all),
        Format::Sarif => report::sarif(&all, &args.flows),
    };
    super::out::text(&out);
    if let Some(first) = unreadable.first() {
        for m in &unreadable[1..] {
            eprintln!("flowsim: {m}");
        }
        return Err(UsageError(first.clone()));
    }
    let fail = all.iter().any(|f| {
        f.severity == Severity::Error || (args.deny_warnings && f.severity == Severity::Warning)
    });
    Ok(if fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Check one file. `Err` only when the file cannot be read at all.
pub fn check_file(path: &Path) -> Result<Vec<Finding>, String> {
    check_file_with(path, &Options::default())
}

/// [`check_file`] with the command line's options.
pub fn check_file_with(path: &Path, opts: &Options) -> Result<Vec<Finding>, String> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| format!("{name}: cannot read the file: {e}"))?;
    if meta.is_dir() {
        return Err(format!("{name}: is a directory, not a flow file"));
    }
    if meta.len() > MAX_FLOW_BYTES {
        return Ok(check::check_oversized(&name, meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: cannot read the file: {e}"))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(check::check_bytes_with(&bytes, &name, &stem, opts))
}
