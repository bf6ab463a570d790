//! A set of flows: the one being run plus the others it may transfer to or
//! invoke as modules (`--flows DIR`).

use std::path::Path;
use std::sync::Arc;

use super::error::{FlowError, LoadError};
use super::model::Flow;
use super::parse::load_file;

/// The flow being run and the flows it can reach.
#[derive(Clone, Debug)]
pub struct FlowSet {
    pub main: Arc<Flow>,
    pub others: Vec<Arc<Flow>>,
    /// Files of a `--flows` folder that are not flows, each with why (one warning
    /// line each; they never stop a run).
    pub skipped: Vec<LoadError>,
}

impl FlowSet {
    pub fn single(main: Flow) -> Self {
        Self {
            main: Arc::new(main),
            others: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Load every `*.json` under `dir` (recursively), skipping the main flow's own
    /// file. Legacy-format files are skipped quietly (they cannot be transfer
    /// targets); any other file that is not a flow (a CloudFormation template, a Lex
    /// export, a broken file) is skipped and listed in [`FlowSet::skipped`].
    pub fn load_dir(main: Flow, dir: &Path) -> Result<Self, LoadError> {
        let main_source = std::fs::canonicalize(&main.source).ok();
        let mut files = Vec::new();
        collect_json(dir, &mut files).map_err(|e| LoadError {
            source: dir.display().to_string(),
            error: FlowError::Io(e.to_string()),
        })?;
        files.sort();
        let mut others = Vec::new();
        let mut skipped = Vec::new();
        for f in files {
            if main_source.is_some() && std::fs::canonicalize(&f).ok() == main_source {
                continue;
            }
            match load_file(&f) {
                Ok(flow) => others.push(Arc::new(flow)),
                Err(LoadError {
                    error: FlowError::Legacy,
                    ..
                }) => {}
                Err(e) => skipped.push(e),
            }
        }
        Ok(Self {
            main: Arc::new(main),
            others,
            skipped,
        })
    }

    /// Find a flow by ARN, id or name. `reference` is what the block holds (an ARN
    /// or id); `display_name` the name the console shows for it.
    pub fn find(&self, reference: &str, display_name: Option<&str>) -> Option<Arc<Flow>> {
        let id = reference.rsplit('/').next().unwrap_or(reference);
        let all = std::iter::once(&self.main).chain(self.others.iter());
        let mut by_name = None;
        for flow in all {
            let stem = Path::new(&flow.source)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let keys = [
                flow.metadata.get("id").and_then(|v| v.as_str()),
                flow.metadata.get("arn").and_then(|v| v.as_str()),
                flow.metadata.get("Arn").and_then(|v| v.as_str()),
                flow.metadata.get("ARN").and_then(|v| v.as_str()),
            ];
            if keys.iter().flatten().any(|k| *k == reference || *k == id) || stem == id {
                return Some(flow.clone());
            }
            if by_name.is_none()
                && (flow.name == reference
                    || stem == reference
                    || display_name.is_some_and(|n| n == flow.name || n == stem))
            {
                by_name = Some(flow.clone());
            }
        }
        by_name
    }
}

fn collect_json(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            out.push(path);
        }
    }
    Ok(())
}
