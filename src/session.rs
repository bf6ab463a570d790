//! A session's settings: the options shared by every front-end (caller, Lambda
//! mappings, hours, …) merged over the config file, the flows they run, and the
//! Lambda functions no mapping answers. The command line fills [`SessionOptions`]
//! from its flags; nothing here knows about flags or exit codes.

use std::path::{Path, PathBuf};

use crate::config::{AwsConfig, ConfigError, ConfigFile};
use crate::engine::CallConfig;
use crate::flow::{Flow, FlowSet, Kind, LoadError};
use crate::lambda::registry::glob_match;
use crate::lambda::{AwsOptions, BackendContext, Mapping, MappingError, Registry, RegistryError};
use crate::phone;

/// The project's own flow, built in: `flowsim` with no FLOW runs it.
pub const BUILTIN_FLOW: &str = include_str!("../contactflow/Vanity_Numbers.json");
/// How the built-in flow is named in messages.
pub const BUILTIN_FLOW_NAME: &str = "<built-in contactflow/Vanity_Numbers.json>";

/// The settings given on the command line; `None`/empty falls back to the config file.
#[derive(Debug, Default, Clone)]
pub struct SessionOptions {
    pub caller: Option<String>,
    pub dialed: Option<String>,
    /// `PATTERN=BACKEND` mappings, tried in order before the config file's.
    pub lambda: Vec<String>,
    /// `--lambda-retries N`: retries of a failed synchronous attempt (default 3).
    pub lambda_retries: Option<u32>,
    /// CheckHoursOfOperation: open (`true`) or closed.
    pub hours_open: Option<bool>,
    pub flows: Option<PathBuf>,
    pub seed: Option<u64>,
    pub strict: bool,
    pub max_steps: Option<u32>,
    /// Initial contact attributes, `KEY=VALUE`.
    pub attributes: Vec<String>,
    /// The TOML config file.
    pub config: Option<PathBuf>,
    pub aws_region: Option<String>,
    pub aws_profile: Option<String>,
    pub aws_endpoint_url: Option<String>,
    /// `--env FILE`: the contact center in TOML.
    pub env_file: Option<PathBuf>,
    /// `--channel`.
    pub channel: Option<String>,
    /// `--at`: when the call starts (hours schedules).
    pub at: Option<String>,
    /// `--lex PATTERN=BACKEND` (repeatable).
    pub lex: Vec<String>,
    /// `--pipeline sqs:QUEUE_URL` for the built-in function's records.
    pub pipeline: Option<String>,
    /// `--queue 'NAME:key=value,…'` (repeatable).
    pub queues: Vec<String>,
    /// `--customer 'PHONE,Key=Value,…'` (repeatable).
    pub customers: Vec<String>,
}

/// Why the settings are unusable: one line for the user.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("config: hours = \"{0}\": expected \"open\" or \"closed\"")]
    Hours(String),
    #[error("--max-steps must be at least 1")]
    MaxSteps,
    #[error("--attribute {0}: expected KEY=VALUE")]
    Attribute(String),
    #[error("{}", .0.message)]
    Mapping(#[from] MappingError),
    #[error(transparent)]
    Env(#[from] crate::env::EnvError),
    #[error("{0}")]
    Lex(String),
}

/// Everything a call needs, from flags and the config file.
pub struct Setup {
    pub call: CallConfig,
    pub mappings: Vec<Mapping>,
    pub flows_dir: Option<PathBuf>,
    pub aws: AwsConfig,
    pub data_dir: Option<PathBuf>,
    /// `--pipeline`.
    pub pipeline: Option<String>,
    /// Settings used as given but worth a word (a caller that is not E.164), one
    /// line each, for the front-end to show.
    pub warnings: Vec<String>,
}

/// A caller or dialed number: taken as given (Connect does not validate caller
/// IDs), with a warning when it is not E.164.
fn number(flag: &'static str, n: &str, warnings: &mut Vec<String>) -> String {
    if let Some(w) = phone::e164_warning(n) {
        warnings.push(format!("{flag} {w}"));
    }
    n.to_owned()
}

impl Setup {
    /// Merge the options over the config file; `base` resolves relative mapping paths.
    pub fn new(opts: &SessionOptions, base: &Path) -> Result<Self, SetupError> {
        let file = match &opts.config {
            Some(p) => ConfigFile::load(p)?,
            None => ConfigFile::default(),
        };
        let mut call = CallConfig::default();
        let mut warnings = Vec::new();
        if let Some(c) = opts.caller.clone().or(file.caller) {
            call.caller = number("--caller", &c, &mut warnings);
        }
        if let Some(d) = opts.dialed.clone().or(file.dialed) {
            call.dialed = number("--dialed", &d, &mut warnings);
        }
        call.hours_open = match (opts.hours_open, file.hours.as_deref()) {
            (Some(open), _) => open,
            (None, Some("open") | None) => true,
            (None, Some("closed")) => false,
            (None, Some(other)) => return Err(SetupError::Hours(other.to_owned())),
        };
        call.seed = opts.seed.or(file.seed).unwrap_or(0);
        call.strict = opts.strict || file.strict.unwrap_or(false);
        call.queue_at_capacity = file.queue_at_capacity.unwrap_or(false);
        if let Some(m) = opts.max_steps.or(file.max_steps) {
            if m == 0 {
                return Err(SetupError::MaxSteps);
            }
            call.max_steps = m;
        }
        call.attributes = file.attributes;
        for a in &opts.attributes {
            let (k, v) = a
                .split_once('=')
                .ok_or_else(|| SetupError::Attribute(a.clone()))?;
            call.attributes.insert(k.trim().to_owned(), v.to_owned());
        }
        // The environment: the config's [env], then --env FILE, then flags.
        let mut env = file.env;
        if let Some(path) = &opts.env_file {
            env.merge(crate::config::load_env(path)?);
        }
        if let Some(c) = &opts.channel {
            env.set_channel(c)?;
        }
        if let Some(at) = &opts.at {
            env.set_at(at)?;
        }
        for q in &opts.queues {
            env.set_queue(q)?;
        }
        for c in &opts.customers {
            env.add_customer(c)?;
        }
        if let Some(n) = opts.lambda_retries {
            env.lambda_retries = Some(n);
        }
        env.validate()?;
        // Lex bots: the environment's `lex` table (paths relative to its file), then
        // --lex flags (relative to the working folder).
        let mut flags = Vec::new();
        for l in &opts.lex {
            let (p, b) = l
                .split_once('=')
                .ok_or_else(|| SetupError::Lex(format!("--lex {l}: expected PATTERN=BACKEND")))?;
            flags.push((p.trim().to_owned(), b.trim().to_owned(), base.to_path_buf()));
        }
        let env_base = opts
            .env_file
            .as_deref()
            .or(opts.config.as_deref())
            .and_then(Path::parent)
            .unwrap_or(base)
            .to_path_buf();
        crate::lexbots::resolve(&mut env, &env_base, &flags).map_err(|e| SetupError::Lex(e.0))?;
        call.env = std::sync::Arc::new(env);
        let mut mappings = Vec::new();
        for m in &opts.lambda {
            mappings.push(Mapping::parse(m, base)?);
        }
        let config_base = opts
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
        aws.region = opts.aws_region.clone().or(aws.region);
        aws.profile = opts.aws_profile.clone().or(aws.profile);
        aws.endpoint_url = opts.aws_endpoint_url.clone().or(aws.endpoint_url);
        Ok(Self {
            call,
            mappings,
            flows_dir: opts.flows.clone().or(file.flows),
            aws,
            data_dir: crate::vanity::default_data_dir(),
            pipeline: opts.pipeline.clone(),
            warnings,
        })
    }

    /// What the Lambda backends are built with.
    pub fn backend_context(&self) -> BackendContext {
        BackendContext {
            data_dir: self.data_dir.clone(),
            aws: AwsOptions {
                region: self.aws.region.clone(),
                profile: self.aws.profile.clone(),
                endpoint_url: self.aws.endpoint_url.clone(),
            },
            pipeline: self.pipeline.clone(),
        }
    }

    /// The Lambda registry for the mappings.
    pub fn registry(&self) -> Result<Registry, RegistryError> {
        Registry::new(&self.mappings, &self.backend_context())
    }
}

/// Load the flow (or the built-in one) and the flows beside it.
pub fn load_flows(path: Option<&Path>, flows_dir: Option<&Path>) -> Result<FlowSet, LoadError> {
    let main = match path {
        Some(p) => crate::flow::load_file(p)?,
        None => crate::flow::parse_str(BUILTIN_FLOW, BUILTIN_FLOW_NAME, "Vanity_Numbers")?,
    };
    Ok(match flows_dir {
        Some(dir) => FlowSet::load_dir(main, dir)?,
        None => FlowSet::single(main),
    })
}

/// A Lambda function a flow names statically that no backend answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmappedFunction {
    /// The flow file (or label).
    pub source: String,
    /// The block's label.
    pub block: String,
    pub function: String,
}

/// The `--lambda` mappings (`PATTERN=BACKEND`) whose pattern matches no Lambda
/// function any of the flows names, as one warning each. Nothing is said when a
/// flow names a function by reference (`$.…`): it may match at run time.
pub fn unmatched_patterns(flow_sets: &[&FlowSet], mappings: &[String]) -> Vec<String> {
    let mut functions: Vec<(String, String)> = Vec::new();
    for set in flow_sets {
        for flow in std::iter::once(&set.main).chain(set.others.iter()) {
            for b in &flow.blocks {
                if let Kind::InvokeLambdaFunction { arn, .. } = &b.kind {
                    if arn.contains("$.") {
                        return Vec::new();
                    }
                    if !arn.trim().is_empty() {
                        functions.push((crate::engine::function_name(arn), arn.clone()));
                    }
                }
            }
        }
    }
    let mut names: Vec<&str> = functions.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let invoked = if names.is_empty() {
        "the flow invokes no Lambda function".to_owned()
    } else {
        format!("the flow invokes {}", names.join(", "))
    };
    let mut out: Vec<String> = Vec::new();
    for m in mappings {
        let pattern = m.split_once('=').map_or(m.as_str(), |(p, _)| p).trim();
        let matched = functions
            .iter()
            .any(|(name, arn)| glob_match(pattern, name) || glob_match(pattern, arn));
        let w = format!("--lambda '{m}': `{pattern}` matches no Lambda function ({invoked})");
        if !matched && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Every Lambda function a flow names statically that no backend answers.
pub fn unmapped_functions(flows: &FlowSet, registry: &Registry) -> Vec<UnmappedFunction> {
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
                let function = crate::engine::function_name(arn);
                if registry.resolve(arn, &function).is_none() {
                    out.push(UnmappedFunction {
                        source: flow.source.clone(),
                        block: b.label(),
                        function,
                    });
                }
            }
        }
    }
    out
}
