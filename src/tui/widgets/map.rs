//! The map of the whole flow: the grid of [`map_layout`](super::map_layout) drawn
//! through a viewport that pans and zooms. Boxes and labels are drawn after the
//! edges and edges never enter a box, so no label is overdrawn. The current
//! block, the blocks and branches the call has taken, the selected block, search
//! matches and the branches no call can take are each drawn distinctly.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::Widget;

use super::map_layout::{Geometry, MapLayout, path_cells};
use crate::flow::BlockIdx;

/// What the call has done, for marking the map.
#[derive(Clone, Debug, Default)]
pub struct Marks {
    pub current: Option<BlockIdx>,
    /// By block index: has the call run it?
    pub visited: Vec<bool>,
    /// `(block, port)` the call has left by.
    pub taken: Vec<(BlockIdx, usize)>,
    pub selected: Option<BlockIdx>,
    /// By block index: does the search match it?
    pub matches: Vec<bool>,
    /// Test coverage, when shown: blocks and branches the tests reach in green,
    /// the rest in red.
    pub coverage: Option<crate::tui::coverage::FlowCoverage>,
}

pub struct FlowMap<'a> {
    pub layout: &'a MapLayout,
    pub geometry: &'a Geometry,
    /// Map cell at the area's top-left corner.
    pub offset: (i32, i32),
    pub marks: &'a Marks,
}

/// How an edge is drawn, weakest first: a stronger one wins a shared cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ink {
    Dead,
    Plain,
    Error,
    Uncovered,
    Covered,
    Taken,
    Selected,
    Current,
}

impl Ink {
    fn style(self) -> Style {
        match self {
            Self::Dead => Style::new().fg(Color::DarkGray).add_modifier(Modifier::DIM),
            Self::Plain => Style::new().fg(Color::Gray),
            Self::Error => Style::new().fg(Color::Red).add_modifier(Modifier::DIM),
            Self::Uncovered => Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            Self::Covered => Style::new().fg(Color::Green),
            Self::Taken => Style::new().fg(Color::Green),
            Self::Selected => Style::new().fg(Color::Cyan),
            Self::Current => Style::new().fg(Color::Yellow),
        }
    }
}

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;

fn glyph(mask: u8) -> char {
    match mask {
        m if m == UP | DOWN => '│',
        m if m == LEFT | RIGHT => '─',
        m if m == DOWN | RIGHT => '┌',
        m if m == DOWN | LEFT => '┐',
        m if m == UP | RIGHT => '└',
        m if m == UP | LEFT => '┘',
        m if m == UP | DOWN | RIGHT => '├',
        m if m == UP | DOWN | LEFT => '┤',
        m if m == LEFT | RIGHT | DOWN => '┬',
        m if m == LEFT | RIGHT | UP => '┴',
        m if m == UP | DOWN | LEFT | RIGHT => '┼',
        UP | DOWN => '│',
        LEFT | RIGHT => '─',
        _ => '·',
    }
}

impl FlowMap<'_> {
    fn ink(&self, from: BlockIdx, port: usize, dead: bool, error: bool) -> Ink {
        let m = self.marks;
        if m.current == Some(from) {
            Ink::Current
        } else if m.selected == Some(from) {
            Ink::Selected
        } else if let Some(c) = &m.coverage {
            let covered = c.branches.get(from).and_then(|b| b.get(port)).copied();
            match covered {
                Some(true) => Ink::Covered,
                _ if dead => Ink::Dead,
                _ => Ink::Uncovered,
            }
        } else if m.taken.contains(&(from, port)) {
            Ink::Taken
        } else if dead {
            Ink::Dead
        } else if error {
            Ink::Error
        } else {
            Ink::Plain
        }
    }

    fn block_style(&self, i: BlockIdx) -> Style {
        let m = self.marks;
        if m.current == Some(i) {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else if m.selected == Some(i) {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else if m.matches.get(i).copied().unwrap_or(false) {
            Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
        } else if let Some(c) = &m.coverage {
            if c.blocks.get(i).copied().unwrap_or(false) {
                Style::new().fg(Color::Green)
            } else {
                Style::new()
                    .fg(Color::LightRed)
                    .add_modifier(Modifier::BOLD)
            }
        } else if m.visited.get(i).copied().unwrap_or(false) {
            Style::new().fg(Color::Green)
        } else {
            Style::new()
        }
    }
}

impl Widget for FlowMap<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let (ox, oy) = self.offset;
        let (w, h) = (i32::from(area.width), i32::from(area.height));
        let visible = |x: i32, y: i32| x >= ox && y >= oy && x < ox + w && y < oy + h;
        let put = |buf: &mut Buffer, x: i32, y: i32, s: &str, style: Style| {
            if visible(x, y) {
                let cx = area.x + u16::try_from(x - ox).unwrap_or(0);
                let cy = area.y + u16::try_from(y - oy).unwrap_or(0);
                let room = usize::try_from(ox + w - x).unwrap_or(0);
                buf.set_stringn(cx, cy, s, room, style);
            }
        };
        // Edges: direction bits per visible cell, the strongest ink wins.
        let size = usize::from(area.width) * usize::from(area.height);
        let mut mask = vec![0u8; size];
        let mut ink = vec![Ink::Dead; size];
        let mut heads: Vec<(i32, i32, Ink)> = Vec::new();
        let cell = |x: i32, y: i32| -> Option<usize> {
            visible(x, y).then(|| usize::try_from((y - oy) * w + (x - ox)).unwrap_or(0))
        };
        for e in &self.geometry.edges {
            let port = &self.layout.nodes[e.from].ports[e.port];
            let k = self.ink(e.from, e.port, port.dead, port.error);
            let cells = path_cells(&e.points);
            for (j, &(x, y)) in cells.iter().enumerate() {
                let Some(c) = cell(x, y) else { continue };
                let mut bits = 0;
                for n in [
                    j.checked_sub(1).map(|p| cells[p]),
                    cells.get(j + 1).copied(),
                ]
                .into_iter()
                .flatten()
                {
                    bits |= match (n.0 - x, n.1 - y) {
                        (0, -1) => UP,
                        (0, 1) => DOWN,
                        (-1, 0) => LEFT,
                        (1, 0) => RIGHT,
                        _ => 0,
                    };
                }
                if j == 0 {
                    bits |= LEFT;
                }
                mask[c] |= bits;
                if k >= ink[c] {
                    ink[c] = k;
                }
            }
            if let Some(&(x, y)) = cells.last() {
                heads.push((x, y, k));
            }
        }
        for y in 0..h {
            for x in 0..w {
                let c = usize::try_from(y * w + x).unwrap_or(0);
                if mask[c] != 0 {
                    let mut s = [0u8; 4];
                    put(
                        buf,
                        x + ox,
                        y + oy,
                        glyph(mask[c]).encode_utf8(&mut s),
                        ink[c].style(),
                    );
                }
            }
        }
        for (x, y, k) in heads {
            put(buf, x, y, "▶", k.style());
        }
        // Boxes, labels and ports on top.
        let boxes = self.geometry.zoom == super::map_layout::Zoom::Boxes;
        for (i, b) in self.geometry.blocks.iter().enumerate() {
            let r = b.rect;
            if r.x + r.w < ox || r.x > ox + w || r.y + r.h < oy || r.y > oy + h {
                continue;
            }
            let style = self.block_style(i);
            if boxes {
                let iw = usize::try_from(r.w - 2).unwrap_or(0);
                let border = if style == Style::new() {
                    Style::new().fg(Color::Gray)
                } else {
                    style
                };
                put(buf, r.x, r.y, &format!("╭{}╮", "─".repeat(iw)), border);
                // Coverage in words too, for screens without colour: ✓ ran, ✗ never.
                if let Some(c) = &self.marks.coverage {
                    let ran = c.blocks.get(i).copied().unwrap_or(false);
                    put(buf, r.x + 1, r.y, if ran { "✓" } else { "✗" }, style);
                }
                for row in 1..r.h - 1 {
                    put(
                        buf,
                        r.x,
                        r.y + row,
                        &format!("│{}│", " ".repeat(iw)),
                        border,
                    );
                }
                put(
                    buf,
                    r.x,
                    r.y + r.h - 1,
                    &format!("╰{}╯", "─".repeat(iw)),
                    border,
                );
                for (row, line) in b.lines.iter().enumerate() {
                    put(buf, r.x + 1, r.y + 1 + row as i32, line, style);
                }
                for (p, port) in self.layout.nodes[i].ports.iter().enumerate() {
                    let (px, py) = b.ports[p];
                    let text = format!("{:>iw$}", port.label);
                    let k = self.ink(i, p, port.dead, port.error);
                    let pstyle = match k {
                        Ink::Plain => Style::new(),
                        k => k.style(),
                    };
                    put(buf, r.x + 1, py, &text, pstyle);
                    let untested = self.marks.coverage.as_ref().is_some_and(|c| {
                        !port.dead
                            && !c
                                .branches
                                .get(i)
                                .and_then(|b| b.get(p))
                                .copied()
                                .unwrap_or(false)
                    });
                    let mark = if untested {
                        "✗"
                    } else if port.target.is_some() {
                        "├"
                    } else {
                        "┤"
                    };
                    put(buf, px - 1, py, mark, border);
                }
            } else {
                let line = b.lines.first().map_or("", String::as_str);
                put(buf, r.x, r.y, line, style);
            }
        }
    }
}

/// The cell offset that shows `rect` in a `w`×`h` viewport, as little moved
/// from `offset` as it can be (centred when it has to move).
pub fn reveal(offset: (i32, i32), rect: super::map_layout::Cell, w: i32, h: i32) -> (i32, i32) {
    let axis = |o: i32, start: i32, len: i32, view: i32| {
        if start >= o && start + len <= o + view {
            o
        } else {
            start + len / 2 - view / 2
        }
    };
    (
        axis(offset.0, rect.x - 2, rect.w + 4, w),
        axis(offset.1, rect.y - 1, rect.h + 2, h),
    )
}

/// Keep the viewport on the map.
pub fn clamp(offset: (i32, i32), g: &Geometry, w: i32, h: i32) -> (i32, i32) {
    (
        offset.0.min(g.width - w).max(0),
        offset.1.min(g.height - h).max(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::widgets::map_layout::Zoom;

    #[test]
    fn tiny_areas_do_not_panic() {
        let flows = crate::session::load_flows(None, None).unwrap();
        let layout = MapLayout::new(&flows.main);
        let marks = Marks {
            current: Some(0),
            ..Marks::default()
        };
        for zoom in Zoom::ALL {
            for (w, h) in [(0, 0), (1, 1), (2, 2), (10, 3)] {
                let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
                FlowMap {
                    layout: &layout,
                    geometry: layout.geometry(zoom),
                    offset: (5, 3),
                    marks: &marks,
                }
                .render(buf.area, &mut buf);
            }
        }
    }
}
