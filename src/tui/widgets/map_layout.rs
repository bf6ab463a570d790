//! Where the map draws each block and each branch, computed once per flow.
//!
//! Blocks go on a grid of columns and rows: where the designer put them on the
//! Connect canvas (the export's `Metadata.ActionMetadata.<id>.position`, clustered
//! into columns and rows so the picture keeps its shape), or, when positions are
//! missing, in layers (the entry at the left, one column per distance from it, rows
//! ordered by their predecessors to reduce crossings). Between the columns and
//! between the rows run channels that hold only edges: every edge leaves its
//! block's port on the right, runs in the channel beside its column, along the
//! channel above its target's row, down the channel left of the target, and into
//! the target's left side — so no edge ever crosses a box and no label is
//! overdrawn. No layout crate is used: layered-layout crates (`layout-rs`,
//! `rust-sugiyama`) place nodes in continuous coordinates for drawing programs and
//! leave edge routing to them, while this map needs the designer's own canvas
//! first, a character grid and edges that keep to channels — small enough to write
//! here, with the tests below.

use std::collections::HashMap;

use crate::engine::dead_branches;
use crate::flow::{Block, BlockIdx, Branch, Flow, Kind, Prompt};
use crate::tui::widgets::transcript::wrap;

/// How much the map shows of each block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Zoom {
    /// Boxes with the name and every branch (the Connect canvas).
    #[default]
    Boxes,
    /// One line per block: its name.
    Names,
    /// One dot per block: the whole shape of the flow.
    Dots,
}

impl Zoom {
    pub const ALL: [Self; 3] = [Self::Boxes, Self::Names, Self::Dots];

    /// One step further out (`-`).
    pub fn out(self) -> Self {
        match self {
            Self::Boxes => Self::Names,
            Self::Names | Self::Dots => Self::Dots,
        }
    }

    /// One step closer in (`+`).
    pub fn closer(self) -> Self {
        match self {
            Self::Dots => Self::Names,
            Self::Names | Self::Boxes => Self::Boxes,
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Boxes => 0,
            Self::Names => 1,
            Self::Dots => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Boxes => "boxes",
            Self::Names => "names",
            Self::Dots => "dots",
        }
    }

    /// Widest label inside a column, channel width, rows between block rows.
    fn metrics(self) -> (usize, i32, i32) {
        match self {
            Self::Boxes => (24, 7, 2),
            Self::Names => (28, 5, 1),
            Self::Dots => (1, 4, 1),
        }
    }
}

/// One branch of a block, as a port on its right side.
#[derive(Clone, Debug, PartialEq)]
pub struct Port {
    /// Short, as on the canvas: `1`, `Timeout`, `Error`, `> 0`.
    pub label: String,
    /// As the trace names it (`= 1`, `InputTimeLimitExceeded`, `Next`).
    pub branch: String,
    pub target: Option<BlockIdx>,
    pub error: bool,
    /// The engine never takes it (the console's unused NextAction and the like).
    pub dead: bool,
}

/// A block on the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Unique within the flow.
    pub label: String,
    pub col: usize,
    pub row: usize,
    pub ports: Vec<Port>,
}

/// A rectangle on the map's own grid (cells).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Cell {
    pub fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }
}

/// A drawn block: its box, its label rows, where each port leaves it.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub rect: Cell,
    /// The label as drawn, row by row (whole: wrapped, never cut, in boxes).
    pub lines: Vec<String>,
    /// `(x, y)` of each port's first cell outside the box, by port index.
    pub ports: Vec<(i32, i32)>,
}

/// An edge: corners of its path from a port to just left of its target.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: BlockIdx,
    pub port: usize,
    pub to: BlockIdx,
    pub points: Vec<(i32, i32)>,
}

/// Everything drawn at one zoom level, in map cells.
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    pub zoom: Zoom,
    pub blocks: Vec<Placed>,
    pub edges: Vec<Edge>,
    pub width: i32,
    pub height: i32,
}

impl Geometry {
    /// The block whose box holds the cell, if any.
    pub fn block_at(&self, x: i32, y: i32) -> Option<BlockIdx> {
        self.blocks.iter().position(|b| b.rect.contains(x, y))
    }
}

/// The map of one flow: the grid and its geometry at each zoom level.
#[derive(Clone, Debug)]
pub struct MapLayout {
    pub nodes: Vec<Node>,
    /// Positions came from the export's canvas (else: layered).
    pub from_canvas: bool,
    geometries: Vec<Geometry>,
    /// Blocks in reading order (column by column, top to bottom): the Tab order.
    pub order: Vec<BlockIdx>,
}

impl MapLayout {
    pub fn new(flow: &Flow) -> Self {
        let from_canvas =
            !flow.blocks.is_empty() && flow.blocks.iter().all(|b| b.position.is_some());
        let grid = if from_canvas {
            canvas_grid(flow)
        } else {
            layered_grid(flow)
        };
        let labels = unique_labels(flow);
        let nodes: Vec<Node> = flow
            .blocks
            .iter()
            .zip(labels)
            .zip(grid)
            .map(|((b, label), (col, row))| Node {
                label,
                col,
                row,
                ports: ports(b),
            })
            .collect();
        let geometries = Zoom::ALL.iter().map(|&z| geometry(&nodes, z)).collect();
        let mut order: Vec<BlockIdx> = (0..nodes.len()).collect();
        order.sort_by_key(|&i| (nodes[i].col, nodes[i].row));
        Self {
            nodes,
            from_canvas,
            geometries,
            order,
        }
    }

    pub fn geometry(&self, zoom: Zoom) -> &Geometry {
        &self.geometries[zoom.index()]
    }
}

/// The canvas positions, clustered: a new column where x jumps by more than a
/// block's width, a new row where y does by more than a block's height; two blocks
/// in one cell push the lower one down a row.
fn canvas_grid(flow: &Flow) -> Vec<(usize, usize)> {
    let pos: Vec<(f64, f64)> = flow
        .blocks
        .iter()
        .map(|b| b.position.unwrap_or_default())
        .collect();
    let cols = cluster(pos.iter().map(|p| p.0).collect(), 180.0);
    let rows = cluster(pos.iter().map(|p| p.1).collect(), 90.0);
    settle(cols, rows, &pos)
}

/// Cluster coordinates into indices: sorted, a new index after each gap > `gap`.
fn cluster(values: Vec<f64>, gap: f64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0; values.len()];
    let mut k = 0;
    let mut start = f64::MIN;
    for i in idx {
        if values[i] - start > gap {
            if start != f64::MIN {
                k += 1;
            }
            start = values[i];
        }
        out[i] = k;
    }
    out
}

/// One block per cell: within a column, blocks keep their order by `y` and move
/// down past one another; then empty rows go.
fn settle(cols: Vec<usize>, rows: Vec<usize>, pos: &[(f64, f64)]) -> Vec<(usize, usize)> {
    let n = cols.len();
    let mut by_col: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &c) in cols.iter().enumerate() {
        by_col.entry(c).or_default().push(i);
    }
    let mut row = rows;
    for members in by_col.values_mut() {
        members.sort_by(|&a, &b| row[a].cmp(&row[b]).then(pos[a].1.total_cmp(&pos[b].1)));
        let mut next = 0;
        for &i in members.iter() {
            row[i] = row[i].max(next);
            next = row[i] + 1;
        }
    }
    let mut used: Vec<usize> = row.clone();
    used.sort_unstable();
    used.dedup();
    (0..n)
        .map(|i| (cols[i], used.binary_search(&row[i]).unwrap_or(0)))
        .collect()
}

/// No canvas: column = distance from the entry (unreached blocks in a last
/// column), rows ordered by the mean row of their predecessors, twice over.
fn layered_grid(flow: &Flow) -> Vec<(usize, usize)> {
    let n = flow.blocks.len();
    let mut layer = vec![usize::MAX; n];
    let mut queue = std::collections::VecDeque::new();
    if flow.start < n {
        layer[flow.start] = 0;
        queue.push_back(flow.start);
    }
    while let Some(i) = queue.pop_front() {
        for (_, t) in flow.blocks[i].branches() {
            if let Some(t) = t.filter(|&t| t < n && layer[t] == usize::MAX) {
                layer[t] = layer[i] + 1;
                queue.push_back(t);
            }
        }
    }
    let last = layer
        .iter()
        .filter(|&&l| l != usize::MAX)
        .max()
        .map_or(0, |d| d + 1);
    for l in &mut layer {
        if *l == usize::MAX {
            *l = last;
        }
    }
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, b) in flow.blocks.iter().enumerate() {
        for (_, t) in b.branches() {
            if let Some(t) = t.filter(|&t| t < n && t != i) {
                preds[t].push(i);
            }
        }
    }
    let mut row = vec![0usize; n];
    let mut seen = vec![0usize; last + 1];
    for i in 0..n {
        row[i] = seen[layer[i]];
        seen[layer[i]] += 1;
    }
    for _ in 0..2 {
        for l in 1..=last {
            let mut members: Vec<usize> = (0..n).filter(|&i| layer[i] == l).collect();
            let key = |i: usize| -> f64 {
                let p: Vec<f64> = preds[i]
                    .iter()
                    .filter(|&&p| layer[p] < l)
                    .map(|&p| row[p] as f64)
                    .collect();
                if p.is_empty() {
                    row[i] as f64
                } else {
                    p.iter().sum::<f64>() / p.len() as f64
                }
            };
            let keys: HashMap<usize, f64> = members.iter().map(|&i| (i, key(i))).collect();
            members.sort_by(|a, b| keys[a].total_cmp(&keys[b]).then(a.cmp(b)));
            for (r, &i) in members.iter().enumerate() {
                row[i] = r;
            }
        }
    }
    (0..n).map(|i| (layer[i], row[i])).collect()
}

/// A label for each block, unique in the flow: the block's name when it has one,
/// else the console's name for its type and the first words of its prompt; a
/// label used twice gets the start of the block's identifier.
fn unique_labels(flow: &Flow) -> Vec<String> {
    let base: Vec<String> = flow.blocks.iter().map(readable_label).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for l in &base {
        *count.entry(l.as_str()).or_default() += 1;
    }
    let mut out: Vec<String> = base
        .iter()
        .zip(&flow.blocks)
        .map(|(l, b)| {
            if count[l.as_str()] > 1 {
                format!("{l} #{}", short_id(&b.id, 4))
            } else {
                l.clone()
            }
        })
        .collect();
    // Identifiers that share their first characters: the longer prefix.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for i in 0..out.len() {
        if let Some(&j) = seen.get(&out[i]) {
            out[i] = format!("{} #{}", base[i], short_id(&flow.blocks[i].id, 8));
            out[j] = format!("{} #{}", base[j], short_id(&flow.blocks[j].id, 8));
        }
        seen.insert(out[i].clone(), i);
    }
    out
}

/// `label` in `w` characters, keeping a ` #id` suffix that tells it apart.
fn fit(label: &str, w: usize) -> String {
    if label.chars().count() <= w {
        return label.to_owned();
    }
    match label.rsplit_once(" #") {
        Some((head, id)) if id.chars().count() + 3 < w => {
            let room = w - id.chars().count() - 2;
            format!("{} #{id}", crate::text::truncate(head, room))
        }
        _ => crate::text::truncate(label, w),
    }
}

fn short_id(id: &str, n: usize) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(n)
        .collect()
}

/// `Play prompt: Welcome to the…`, or the name the designer gave the block.
pub fn readable_label(b: &Block) -> String {
    if b.friendly {
        return b.id.clone();
    }
    // `Get customer input / Store customer input`: the first is enough.
    let console = b
        .kind
        .spec()
        .map_or(b.type_name.as_str(), |s| s.block)
        .split(" / ")
        .next()
        .unwrap_or_default();
    if let Some(what) = what_it_does(b) {
        return what;
    }
    match prompt_words(b, 4) {
        Some(words) => format!("{console}: {words}"),
        None => match b.display_name("") {
            Some(name) => format!("{console}: {}", crate::text::truncate(&name, 24)),
            None => format!("{console} #{}", short_id(&b.id, 4)),
        },
    }
}

/// A short label from what the block works on, for the kinds whose parameters
/// say more than their console name: `Check NextQueue`, `Set Queue, Flow…`,
/// `λ rules-engine-lookup`, `Loop 3`.
fn what_it_does(b: &Block) -> Option<String> {
    let short = |v: &str| {
        let v = v.rsplit_once("$.Attributes.").map_or(v, |(_, a)| a);
        let v = v.rsplit_once("$.External.").map_or(v, |(_, a)| a);
        // Long names differ at the end (`CurrentRule_queueRoutingPriority`): keep it.
        let n = v.chars().count();
        if n > 22 {
            format!("…{}", v.chars().skip(n - 21).collect::<String>())
        } else {
            v.to_owned()
        }
    };
    let list = |keys: Vec<&String>| {
        let mut s = keys
            .iter()
            .take(2)
            .map(|k| short(k))
            .collect::<Vec<_>>()
            .join(", ");
        if keys.len() > 2 {
            s.push('…');
        }
        s
    };
    Some(match &b.kind {
        Kind::Compare { value } if !value.is_empty() => format!("Check {}", short(value)),
        Kind::UpdateContactAttributes { attributes }
        | Kind::UpdateFlowAttributes { attributes }
            if !attributes.is_empty() =>
        {
            format!("Set {}", list(attributes.keys().collect()))
        }
        Kind::InvokeLambdaFunction { arn, .. } if !arn.is_empty() => {
            format!("λ {}", short(arn.rsplit(':').next().unwrap_or(arn)))
        }
        Kind::Loop { count } => format!("Loop {}", short(count)),
        Kind::TransferToFlow { name: Some(n), .. }
        | Kind::InvokeFlowModule { name: Some(n), .. } => {
            format!("→ {}", crate::text::truncate(n, 24))
        }
        Kind::UpdateContactTargetQueue { name: Some(n), .. } => {
            format!("Queue {}", crate::text::truncate(n, 24))
        }
        _ => return None,
    })
}

/// The first `n` words the block says, if it says anything.
fn prompt_words(b: &Block, n: usize) -> Option<String> {
    let prompt = match &b.kind {
        Kind::MessageParticipant { prompt }
        | Kind::GetParticipantInput { prompt, .. }
        | Kind::ConnectParticipantWithLexBot { prompt, .. } => prompt.as_ref(),
        Kind::MessageParticipantIteratively { prompts } => prompts.first(),
        _ => None,
    }?;
    let text = match prompt {
        Prompt::Text(t) => t.clone(),
        Prompt::Ssml(s) => strip_tags(s),
        Prompt::PromptId { name, id } => name.clone().unwrap_or_else(|| short_id(id, 8)),
        Prompt::Media { uri } => uri.clone(),
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let mut s: String = words
        .iter()
        .take(n)
        .map(|w| crate::text::truncate(w, 16))
        .collect::<Vec<_>>()
        .join(" ");
    if words.len() > n {
        s.push('…');
    }
    Some(s)
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The canvas's name for a branch: `1`, `Timeout`, `Error`, `No match`.
pub fn short_branch(branch: &Branch) -> String {
    match branch {
        Branch::Next => "Next".into(),
        Branch::Condition(c) => match c.strip_prefix("= ").unwrap_or(c) {
            // The Loop block's branches, as the canvas names them.
            "ContinueLooping" => "Looping".into(),
            "DoneLooping" => "Complete".into(),
            c => c.to_owned(),
        },
        Branch::Error(e) => match e.as_str() {
            "InputTimeLimitExceeded" => "Timeout".into(),
            "NoMatchingError" => "Error".into(),
            "NoMatchingCondition" => "No match".into(),
            "InvalidPhoneNumber" => "Invalid number".into(),
            other => crate::text::truncate(other, 14),
        },
    }
}

fn ports(b: &Block) -> Vec<Port> {
    let dead = dead_branches(b);
    b.branches()
        .into_iter()
        .map(|(branch, target)| Port {
            label: crate::text::truncate(&short_branch(&branch), 14),
            dead: dead.iter().any(|d| d.branch == branch),
            error: branch.is_error(),
            branch: branch.label(),
            target,
        })
        .collect()
}

/// Lay the grid out in cells at one zoom level and route every edge.
fn geometry(nodes: &[Node], zoom: Zoom) -> Geometry {
    let (max_w, channel, gap) = zoom.metrics();
    let cols = nodes.iter().map(|n| n.col + 1).max().unwrap_or(0);
    let rows = nodes.iter().map(|n| n.row + 1).max().unwrap_or(0);
    // Column widths (inner) and the drawn lines of every block.
    let mut inner_w = vec![1usize; cols];
    for n in nodes {
        let want = match zoom {
            Zoom::Boxes => {
                let port_w = n.ports.iter().map(|p| p.label.chars().count()).max();
                n.label.chars().count().max(port_w.unwrap_or(0) + 1).max(8)
            }
            Zoom::Names => n.label.chars().count(),
            Zoom::Dots => 1,
        };
        inner_w[n.col] = inner_w[n.col].max(want.min(max_w));
    }
    let lines: Vec<Vec<String>> = nodes
        .iter()
        .map(|n| match zoom {
            Zoom::Boxes => wrap(&n.label, inner_w[n.col]),
            Zoom::Names => vec![fit(&n.label, inner_w[n.col])],
            Zoom::Dots => vec!["●".into()],
        })
        .collect();
    let height_of = |i: usize| -> i32 {
        match zoom {
            Zoom::Boxes => 2 + (lines[i].len() + nodes[i].ports.len()) as i32,
            Zoom::Names | Zoom::Dots => 1,
        }
    };
    let border = i32::from(zoom == Zoom::Boxes) * 2;
    let box_w: Vec<i32> = inner_w.iter().map(|&w| w as i32 + border).collect();
    let mut row_h = vec![1i32; rows];
    for (i, n) in nodes.iter().enumerate() {
        row_h[n.row] = row_h[n.row].max(height_of(i));
    }
    // Column x: a channel, then the column, then a channel, …
    let mut col_x = vec![0i32; cols + 1];
    let mut x = channel;
    for c in 0..cols {
        col_x[c] = x;
        x += box_w[c] + channel;
    }
    col_x[cols] = x;
    let mut row_y = vec![0i32; rows + 1];
    let mut y = gap;
    for r in 0..rows {
        row_y[r] = y;
        y += row_h[r] + gap;
    }
    row_y[rows] = y;
    let blocks: Vec<Placed> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let rect = Cell {
                x: col_x[n.col],
                y: row_y[n.row],
                w: box_w[n.col],
                h: height_of(i),
            };
            let ports = (0..n.ports.len())
                .map(|p| {
                    let py = match zoom {
                        Zoom::Boxes => rect.y + 1 + (lines[i].len() + p) as i32,
                        Zoom::Names | Zoom::Dots => rect.y,
                    };
                    (rect.x + rect.w, py)
                })
                .collect();
            Placed {
                rect,
                lines: lines[i].clone(),
                ports,
            }
        })
        .collect();
    // Lanes: the cells of a channel between its first (port stubs) and last
    // (arrow heads) cell; the rows of a gap.
    let lanes = (channel - 2).max(1);
    let mut channel_use = vec![0i32; cols + 1];
    let mut gap_use = vec![0i32; rows + 1];
    let mut edges = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        for (p, port) in n.ports.iter().enumerate() {
            let Some(t) = port.target.filter(|&t| t < nodes.len()) else {
                continue;
            };
            let (px, py) = blocks[i].ports[p];
            let target = &blocks[t];
            // Channel right of the source column: lanes from its second cell.
            let out_ch = n.col + 1;
            let vx1 = col_x[n.col] + box_w[n.col] + 1 + channel_use[out_ch] % lanes;
            channel_use[out_ch] += 1;
            // Channel left of the target column (index = the target column).
            let in_ch = nodes[t].col;
            let in_start = col_x[in_ch] - channel;
            let vx2 = in_start + 1 + channel_use[in_ch] % lanes;
            channel_use[in_ch] += 1;
            let ty = match zoom {
                Zoom::Boxes => target.rect.y + 1,
                Zoom::Names | Zoom::Dots => target.rect.y,
            };
            let entry = target.rect.x - 1;
            let r = nodes[t].row;
            let hy = row_y[r] - 1 - gap_use[r] % gap;
            gap_use[r] += 1;
            let mut points = vec![
                (px, py),
                (vx1, py),
                (vx1, hy),
                (vx2, hy),
                (vx2, ty),
                (entry, ty),
            ];
            points.dedup();
            edges.push(Edge {
                from: i,
                port: p,
                to: t,
                points,
            });
        }
    }
    Geometry {
        zoom,
        blocks,
        edges,
        width: col_x[cols],
        height: row_y[rows],
    }
}

/// Every cell of an edge's path, in order.
pub fn path_cells(points: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    for w in points.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        let (dx, dy) = ((x2 - x1).signum(), (y2 - y1).signum());
        let (mut x, mut y) = (x1, y1);
        while (x, y) != (x2, y2) {
            if out.last() != Some(&(x, y)) {
                out.push((x, y));
            }
            x += dx;
            y += dy;
        }
    }
    if let Some(&last) = points.last() {
        out.push(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Flow {
        let flows = crate::session::load_flows(None, None).unwrap();
        (*flows.main).clone()
    }

    #[test]
    fn clustering_keeps_order() {
        assert_eq!(
            cluster(vec![0.0, 500.0, 100.0, 900.0], 180.0),
            vec![0, 1, 0, 2]
        );
    }

    #[test]
    fn no_edge_crosses_a_box_and_labels_are_unique() {
        let flow = seed();
        let layout = MapLayout::new(&flow);
        let mut labels: Vec<&str> = layout.nodes.iter().map(|n| n.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), flow.blocks.len());
        for zoom in Zoom::ALL {
            let g = layout.geometry(zoom);
            for (a, ba) in g.blocks.iter().enumerate() {
                for bb in &g.blocks[a + 1..] {
                    let r = (ba.rect, bb.rect);
                    let apart = r.0.x + r.0.w <= r.1.x
                        || r.1.x + r.1.w <= r.0.x
                        || r.0.y + r.0.h <= r.1.y
                        || r.1.y + r.1.h <= r.0.y;
                    assert!(apart, "{zoom:?}: boxes overlap {r:?}");
                }
            }
            for e in &g.edges {
                for (x, y) in path_cells(&e.points) {
                    assert!(g.block_at(x, y).is_none(), "{zoom:?}: {e:?} crosses a box");
                    assert!(x >= 0 && y >= 0 && x < g.width && y < g.height);
                }
            }
        }
    }

    #[test]
    fn layered_without_positions() {
        let mut flow = seed();
        for b in &mut flow.blocks {
            b.position = None;
        }
        let layout = MapLayout::new(&flow);
        assert!(!layout.from_canvas);
        assert_eq!(layout.nodes[flow.start].col, 0);
        let mut cells: Vec<(usize, usize)> = layout.nodes.iter().map(|n| (n.col, n.row)).collect();
        cells.sort_unstable();
        cells.dedup();
        assert_eq!(cells.len(), flow.blocks.len(), "one block per cell");
    }
}
