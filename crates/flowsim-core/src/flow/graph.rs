//! The block graph: one node per block, one edge per branch.

use petgraph::graph::{DiGraph, NodeIndex};

use super::model::{Block, BlockIdx};

/// An edge label: which branch of the source block leads to the target.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Branch {
    /// `Transitions.NextAction`.
    Next,
    /// A condition, shown as `Operator operand` (e.g. `Equals 1`).
    Condition(String),
    /// `Transitions.Errors[].ErrorType`.
    Error(String),
}

impl Branch {
    /// The label a user reads: `Next`, `= 1`, `NoMatchingError`.
    pub fn label(&self) -> String {
        match self {
            Self::Next => "Next".into(),
            Self::Condition(c) => c.clone(),
            Self::Error(e) => e.clone(),
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Self::Error(_))
    }
}

/// The flow as a petgraph graph. Node weights are block indices; node `i` is block `i`.
#[derive(Clone, Debug, Default)]
pub struct FlowGraph {
    pub graph: DiGraph<BlockIdx, Branch>,
}

impl FlowGraph {
    pub(crate) fn build(blocks: &[Block]) -> Self {
        let mut graph = DiGraph::with_capacity(blocks.len(), blocks.len() * 3);
        for i in 0..blocks.len() {
            graph.add_node(i);
        }
        for (i, b) in blocks.iter().enumerate() {
            for (branch, target) in b.branches() {
                if let Some(t) = target {
                    graph.add_edge(NodeIndex::new(i), NodeIndex::new(t), branch);
                }
            }
        }
        Self { graph }
    }

    /// Blocks reachable from `start` along any branch.
    pub fn reachable_from(&self, start: BlockIdx) -> Vec<bool> {
        let mut seen = vec![false; self.graph.node_count()];
        let mut dfs = petgraph::visit::Dfs::new(&self.graph, NodeIndex::new(start));
        while let Some(n) = dfs.next(&self.graph) {
            seen[n.index()] = true;
        }
        seen
    }
}
