//! Coverage: which blocks ran and which declared branches were taken, per flow.
//!
//! The universe is every block of every flow the scripts loaded and every branch
//! each block declares ([`crate::flow::Block::branches`]); a run covers a block when
//! a `BlockStarted` names it and a branch when a `BranchTaken` names it (keyed by
//! flow name, block identifier and branch label).
//!
//! Branches no call can ever take ([`dead_branches_in`]: the `NextAction` the console
//! writes for a Loop with both results wired, and the like) are counted apart, so
//! the percentage is of the branches a call can take.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::engine::{TraceEvent, TraceKind, dead_branches_in};
use crate::flow::Flow;

/// Blocks and branches seen in traces.
#[derive(Debug, Default)]
pub struct Coverage {
    /// Flows by name (first one loaded wins).
    flows: BTreeMap<String, Arc<Flow>>,
    blocks: HashSet<(String, String)>,
    branches: HashSet<(String, String, String)>,
}

/// One flow's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlowCoverage {
    pub flow: String,
    pub source: String,
    pub blocks_total: usize,
    pub blocks_covered: usize,
    /// Branches a call can take (declared branches less the dead ones).
    pub branches_total: usize,
    pub branches_covered: usize,
    /// Labels of the blocks that never ran.
    pub blocks_never_run: Vec<String>,
    pub branches_never_taken: Vec<Untaken>,
    /// Declared branches no call can take, with the reason.
    pub branches_dead: Vec<Dead>,
}

/// A declared branch the engine never takes.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Dead {
    pub block: String,
    pub block_id: String,
    pub branch: String,
    pub reason: String,
}

/// A declared branch no run took.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Untaken {
    pub block: String,
    pub block_id: String,
    pub branch: String,
}

impl FlowCoverage {
    pub fn block_percent(&self) -> f64 {
        percent(self.blocks_covered, self.blocks_total)
    }

    pub fn branch_percent(&self) -> f64 {
        percent(self.branches_covered, self.branches_total)
    }
}

fn percent(n: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        n as f64 * 100.0 / total as f64
    }
}

impl Coverage {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a flow to the universe.
    pub fn add_flow(&mut self, flow: &Arc<Flow>) {
        self.flows
            .entry(flow.name.clone())
            .or_insert_with(|| flow.clone());
    }

    /// Count what a call's trace exercised.
    pub fn add_trace(&mut self, events: &[TraceEvent]) {
        for e in events {
            if let TraceKind::BlockStarted { block, .. } = &e.kind {
                self.blocks.insert((block.flow.clone(), block.id.clone()));
            }
            if let TraceKind::BranchTaken { block, branch, .. } = &e.kind {
                self.branches
                    .insert((block.flow.clone(), block.id.clone(), branch.clone()));
            }
        }
    }

    /// The figures, one entry per flow, by name.
    pub fn report(&self) -> Vec<FlowCoverage> {
        self.flows
            .values()
            .map(|flow| {
                let mut fc = FlowCoverage {
                    flow: flow.name.clone(),
                    source: flow.source.clone(),
                    blocks_total: flow.blocks.len(),
                    blocks_covered: 0,
                    branches_total: 0,
                    branches_covered: 0,
                    blocks_never_run: Vec::new(),
                    branches_never_taken: Vec::new(),
                    branches_dead: Vec::new(),
                };
                for (i, b) in flow.blocks.iter().enumerate() {
                    if self.blocks.contains(&(flow.name.clone(), b.id.clone())) {
                        fc.blocks_covered += 1;
                    } else {
                        fc.blocks_never_run.push(b.label());
                    }
                    let dead = dead_branches_in(flow, i);
                    for (branch, _) in b.branches() {
                        let label = branch.label();
                        if let Some(d) = dead.iter().find(|d| d.branch == branch) {
                            fc.branches_dead.push(Dead {
                                block: b.label(),
                                block_id: b.id.clone(),
                                branch: label,
                                reason: d.reason.to_owned(),
                            });
                            continue;
                        }
                        fc.branches_total += 1;
                        let key = (flow.name.clone(), b.id.clone(), label.clone());
                        if self.branches.contains(&key) {
                            fc.branches_covered += 1;
                        } else {
                            fc.branches_never_taken.push(Untaken {
                                block: b.label(),
                                block_id: b.id.clone(),
                                branch: label,
                            });
                        }
                    }
                }
                fc
            })
            .collect()
    }
}

/// The human report: counts, percentages, and the branches never taken.
pub fn render(report: &[FlowCoverage]) -> String {
    let mut out = String::new();
    for fc in report {
        out.push_str(&format!(
            "coverage {}: blocks {}/{} ({:.1}%), branches {}/{} ({:.1}%)\n",
            fc.flow,
            fc.blocks_covered,
            fc.blocks_total,
            fc.block_percent(),
            fc.branches_covered,
            fc.branches_total,
            fc.branch_percent()
        ));
        if !fc.blocks_never_run.is_empty() {
            out.push_str("  blocks never run:\n");
            for b in &fc.blocks_never_run {
                out.push_str(&format!("    {b}\n"));
            }
        }
        if !fc.branches_never_taken.is_empty() {
            out.push_str("  branches never taken:\n");
            for u in &fc.branches_never_taken {
                out.push_str(&format!("    {} → {}\n", u.block, u.branch));
            }
        }
        if !fc.branches_dead.is_empty() {
            out.push_str(&format!(
                "  not counted: {} declared branches no call can take:\n",
                fc.branches_dead.len()
            ));
            for d in &fc.branches_dead {
                out.push_str(&format!("    {} → {} ({})\n", d.block, d.branch, d.reason));
            }
        }
    }
    out
}

/// The machine-readable report (`--coverage-json`).
pub fn to_json(report: &[FlowCoverage]) -> serde_json::Value {
    serde_json::json!({ "flows": report })
}
