//! The block graph as Graphviz DOT or a Mermaid flowchart (`flowsim graph`).
//!
//! Nodes are labelled with the block type and name; edges with the branch label
//! (parallel edges of the same kind between two blocks are merged, since console
//! exports mirror `NextAction` on a default branch); error edges are dashed and red;
//! the start block is bold and fed by a `start` marker.

use std::collections::BTreeMap;

use crate::flow::{Block, Flow};

/// One drawn edge: source, target, error?, labels.
struct Edge {
    from: usize,
    to: usize,
    error: bool,
    labels: Vec<String>,
}

fn edges(flow: &Flow) -> Vec<Edge> {
    let mut merged: BTreeMap<(usize, usize, bool), Vec<String>> = BTreeMap::new();
    for (i, b) in flow.blocks.iter().enumerate() {
        for (branch, target) in b.branches() {
            let Some(t) = target else { continue };
            let labels = merged.entry((i, t, branch.is_error())).or_default();
            let l = branch.label();
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
    }
    merged
        .into_iter()
        .map(|((from, to, error), labels)| Edge {
            from,
            to,
            error,
            labels,
        })
        .collect()
}

/// The node's two lines: type, and the name (identifier, or the UUID's start).
fn node_lines(b: &Block) -> (String, String) {
    let name = if b.friendly {
        b.id.clone()
    } else {
        b.id.chars().take(8).collect()
    };
    (b.type_name.clone(), name)
}

/// Escape text for a double-quoted DOT string.
pub fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The flow as a Graphviz digraph.
pub fn to_dot(flow: &Flow) -> String {
    let mut s = format!("digraph \"{}\" {{\n", dot_escape(&flow.name));
    s.push_str("  rankdir=LR;\n");
    s.push_str("  node [shape=box, style=\"rounded\", fontname=\"Helvetica\", fontsize=10];\n");
    s.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    s.push_str("  start [shape=circle, label=\"start\", style=filled, fillcolor=black, fontcolor=white, width=0.5];\n");
    for (i, b) in flow.blocks.iter().enumerate() {
        let (ty, name) = node_lines(b);
        let mut attrs = format!("label=\"{}\\n{}\"", dot_escape(&ty), dot_escape(&name));
        if i == flow.start {
            attrs.push_str(", penwidth=2.5, style=\"rounded,bold\"");
        } else if b.is_terminal() {
            attrs.push_str(", style=\"rounded,filled\", fillcolor=\"#eeeeee\"");
        }
        if !b.kind.simulated() {
            attrs.push_str(", color=orange");
        }
        s.push_str(&format!("  n{i} [{attrs}];\n"));
    }
    s.push_str(&format!("  start -> n{} [penwidth=2];\n", flow.start));
    for e in edges(flow) {
        let label = dot_escape(&e.labels.join("\n"));
        let style = if e.error {
            ", style=dashed, color=red, fontcolor=red"
        } else {
            ""
        };
        s.push_str(&format!(
            "  n{} -> n{} [label=\"{label}\"{style}];\n",
            e.from, e.to
        ));
    }
    s.push_str("}\n");
    s
}

/// Escape text for a double-quoted Mermaid label (entity codes).
pub fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The flow as a Mermaid flowchart.
pub fn to_mermaid(flow: &Flow) -> String {
    let mut s = String::from("flowchart LR\n");
    s.push_str("  start((start))\n");
    for (i, b) in flow.blocks.iter().enumerate() {
        let (ty, name) = node_lines(b);
        let text = format!("{}<br/>{}", mermaid_escape(&ty), mermaid_escape(&name));
        if b.is_terminal() {
            s.push_str(&format!("  n{i}([\"{text}\"])\n"));
        } else {
            s.push_str(&format!("  n{i}[\"{text}\"]\n"));
        }
    }
    s.push_str(&format!("  start --> n{}\n", flow.start));
    let mut red = Vec::new();
    for (k, e) in edges(flow).into_iter().enumerate() {
        let label = mermaid_escape(&e.labels.join(", "));
        let arrow = if e.error { "-.->" } else { "-->" };
        s.push_str(&format!("  n{} {arrow}|\"{label}\"| n{}\n", e.from, e.to));
        if e.error {
            // Edge 0 is start --> first block.
            red.push(k + 1);
        }
    }
    if !red.is_empty() {
        let list: Vec<String> = red.iter().map(usize::to_string).collect();
        s.push_str(&format!(
            "  linkStyle {} stroke:red,color:red\n",
            list.join(",")
        ));
    }
    s.push_str("  classDef startNode stroke-width:3px\n");
    s.push_str(&format!("  class n{} startNode\n", flow.start));
    s
}
