//! Test coverage on the map: the JSON `flowsim test --coverage-json` writes, read
//! back to tell, per flow, which blocks never ran and which branches were never
//! taken. Everything else the report's flow declares counts as covered.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::flow::Flow;

/// One flow's gaps, by the report's names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Gaps {
    /// Block labels (`Block::label`) that never ran.
    never_run: HashSet<String>,
    /// `(block identifier, branch label)` never taken.
    untaken: HashSet<(String, String)>,
}

/// A coverage report, by flow name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MapCoverage {
    flows: HashMap<String, Gaps>,
}

/// What the map colours for one flow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowCoverage {
    /// By block index: did a test run it?
    pub blocks: Vec<bool>,
    /// By block index, then port (branch) index: did a test take it?
    pub branches: Vec<Vec<bool>>,
    pub blocks_covered: usize,
}

/// A report that is not the `--coverage-json` shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a `flowsim test --coverage-json` report: {0}")]
pub struct BadReport(String);

impl MapCoverage {
    /// Read `{"flows": [{"flow", "blocks_never_run", "branches_never_taken"}, …]}`.
    pub fn from_json(v: &Value) -> Result<Self, BadReport> {
        let flows = v
            .get("flows")
            .and_then(Value::as_array)
            .ok_or_else(|| BadReport("no \"flows\" list".into()))?;
        let mut out = Self::default();
        for f in flows {
            let name = f
                .get("flow")
                .and_then(Value::as_str)
                .ok_or_else(|| BadReport("a flow without \"flow\"".into()))?;
            let strings = |key: &str| -> Vec<&Value> {
                f.get(key)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default()
            };
            let never_run = strings("blocks_never_run")
                .into_iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let untaken = strings("branches_never_taken")
                .into_iter()
                .filter_map(|u| {
                    let id = u.get("block_id")?.as_str()?;
                    let branch = u.get("branch")?.as_str()?;
                    Some((id.to_owned(), branch.to_owned()))
                })
                .collect();
            out.flows
                .insert(name.to_owned(), Gaps { never_run, untaken });
        }
        Ok(out)
    }

    /// The flow's coverage, if the report covers it.
    pub fn for_flow(&self, flow: &Flow) -> Option<FlowCoverage> {
        let gaps = self.flows.get(&flow.name)?;
        let blocks: Vec<bool> = flow
            .blocks
            .iter()
            .map(|b| !gaps.never_run.contains(&b.label()))
            .collect();
        let branches = flow
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                b.branches()
                    .into_iter()
                    .map(|(branch, _)| {
                        blocks[i] && !gaps.untaken.contains(&(b.id.clone(), branch.label()))
                    })
                    .collect()
            })
            .collect();
        let blocks_covered = blocks.iter().filter(|&&c| c).count();
        Some(FlowCoverage {
            blocks,
            branches,
            blocks_covered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_report() {
        let flows = crate::session::load_flows(None, None).unwrap();
        let v = serde_json::json!({"flows": [{
            "flow": flows.main.name,
            "blocks_never_run": ["Closed Message"],
            "branches_never_taken": [{"block": "Check Hours", "block_id": "Check Hours", "branch": "= False"}],
        }]});
        let cov = MapCoverage::from_json(&v).unwrap();
        let fc = cov.for_flow(&flows.main).unwrap();
        let closed = flows.main.find_block("Closed Message").unwrap();
        let hours = flows.main.find_block("Check Hours").unwrap();
        assert!(!fc.blocks[closed] && fc.blocks[hours]);
        let ports: Vec<String> = flows.main.blocks[hours]
            .branches()
            .iter()
            .map(|(b, _)| b.label())
            .collect();
        let false_port = ports.iter().position(|p| p == "= False").unwrap();
        assert!(!fc.branches[hours][false_port]);
        assert_eq!(fc.blocks_covered, flows.main.blocks.len() - 1);
        assert!(MapCoverage::from_json(&serde_json::json!({"x": 1})).is_err());
    }
}
