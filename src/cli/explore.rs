//! `flowsim explore`: search a flow's calls and write a `.call` suite covering every
//! branch reached. The search is [`crate::explore`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{SharedOpts, UsageError};
use crate::explore::{self, Bounds};
use crate::lambda::Registry;
use crate::lambda::registry::BackendContext;
use crate::script::write_atomic;
use crate::session::load_flows;

/// `flowsim explore`.
#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// The flow to explore.
    #[arg(value_name = "FLOW")]
    pub flow: PathBuf,
    /// The folder the `.call` scripts go to (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Complete calls explored, at most.
    #[arg(long, value_name = "N", default_value_t = Bounds::default().max_calls)]
    pub max_calls: usize,
    /// Decisions per call the search branches at (later ones: silence, the first answer).
    #[arg(long, value_name = "N", default_value_t = Bounds::default().depth)]
    pub depth: usize,
    /// The report as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Keep the scripts already in DIR: rewrite those whose inputs the search still
    /// finds, and add scripts only for branches they do not take.
    #[arg(long)]
    pub update: bool,
    #[command(flatten)]
    pub shared: SharedOpts,
}

/// The explored suite for a flow, ready to write: `(path, text)` per script.
pub struct Suite {
    pub explored: explore::Explored,
    pub files: Vec<(PathBuf, String)>,
    /// `--update`: existing scripts whose inputs no explored call has any more.
    pub stale: Vec<PathBuf>,
}

/// Explore `flow` with the command line's settings.
pub fn explore_flow(
    flow: &Path,
    shared: &SharedOpts,
    bounds: Bounds,
) -> Result<(crate::flow::FlowSet, explore::Explored), UsageError> {
    let setup = shared.setup(Path::new("."))?;
    let flows = super::warn_skipped(load_flows(Some(flow), setup.flows_dir.as_deref())?);
    let registry = Registry::new(&setup.mappings, &BackendContext::default())?;
    let explored = explore::explore(&flows, &setup.call, Some(registry), bounds);
    Ok((flows, explored))
}

/// The inputs and settings of a script: its lines less comments and expectations.
fn inputs_of(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("expect"))
        .collect()
}

/// Name and write the chosen calls; with `update`, existing scripts keep their names.
pub fn suite(
    explored: explore::Explored,
    flow: &Path,
    out: &Path,
    update: bool,
) -> Result<Suite, UsageError> {
    let mut files = Vec::new();
    let mut stale = Vec::new();
    let mut covered: HashSet<usize> = HashSet::new();
    let mut taken_names: HashSet<PathBuf> = HashSet::new();
    if update && out.is_dir() {
        let existing = crate::script::collect_scripts(&[out.to_path_buf()]).unwrap_or_default();
        // Every explored call's inputs, as the script would hold them.
        let texts: Vec<String> = explored
            .calls
            .iter()
            .map(|c| explored.script_text(c, Some(flow), &out.join("x.call")))
            .collect();
        for path in existing {
            let old = std::fs::read_to_string(&path)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
            let want = inputs_of(&old);
            match texts.iter().position(|t| inputs_of(t) == want) {
                Some(i) => {
                    covered.extend(explored.calls[i].branches.iter().copied());
                    let text = explored.script_text(&explored.calls[i], Some(flow), &path);
                    taken_names.insert(path.clone());
                    files.push((path, text));
                }
                None => {
                    taken_names.insert(path.clone());
                    stale.push(path);
                }
            }
        }
    }
    for (name, call) in explored.named() {
        if call.branches.iter().all(|b| covered.contains(b)) {
            continue;
        }
        covered.extend(call.branches.iter().copied());
        let mut path = explore::script_path(out, &name);
        let mut n = 2;
        while taken_names.contains(&path) {
            path = explore::script_path(out, &format!("{name}_{n}"));
            n += 1;
        }
        taken_names.insert(path.clone());
        let text = explored.script_text(call, Some(flow), &path);
        files.push((path, text));
    }
    Ok(Suite {
        explored,
        files,
        stale,
    })
}

/// `flowsim explore`: exit 0 written, 2 bad input.
pub fn command(args: &ExploreArgs) -> Result<ExitCode, UsageError> {
    let bounds = Bounds {
        max_calls: args.max_calls.max(1),
        depth: args.depth,
    };
    let (flows, explored) = explore_flow(&args.flow, &args.shared, bounds)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| UsageError(format!("{}: cannot create: {e}", args.out.display())))?;
    let suite = suite(explored, &args.flow, &args.out, args.update)?;
    for (path, text) in &suite.files {
        write_atomic(path, text)?;
    }
    let names = suite
        .files
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    let report = suite.explored.report(&flows, names);
    if args.json {
        let mut v = serde_json::to_value(&report)?;
        v["stale"] = suite
            .stale
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .into();
        super::out::line(&v.to_string());
    } else {
        for (p, _) in &suite.files {
            super::out::line(&format!("wrote {}", p.display()));
        }
        for p in &suite.stale {
            super::out::line(&format!(
                "kept  {} (no explored call has its inputs any more: check it by hand)",
                p.display()
            ));
        }
        super::out::text(&explore::render(&report));
    }
    Ok(ExitCode::SUCCESS)
}
