//! A map of the whole flow: blocks where the Connect editor put them (the
//! metadata positions, scaled into the panel), else in BFS layers from the start;
//! branches as lines; the current block and the blocks already run marked.

use std::collections::VecDeque;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Line as CanvasLine};

use crate::flow::{BlockIdx, Flow};

/// Longest label drawn on the map.
const LABEL_CHARS: usize = 16;

pub struct FlowMap<'a> {
    pub flow: &'a Flow,
    pub current: Option<BlockIdx>,
    /// Block identifiers the call has run.
    pub visited: &'a [String],
}

/// A position for every block: metadata when every block has one, else BFS layers.
pub fn positions(flow: &Flow) -> Vec<(f64, f64)> {
    if !flow.blocks.is_empty() && flow.blocks.iter().all(|b| b.position.is_some()) {
        return flow
            .blocks
            .iter()
            .map(|b| b.position.unwrap_or_default())
            .collect();
    }
    let n = flow.blocks.len();
    let mut layer = vec![usize::MAX; n];
    let mut queue = VecDeque::new();
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
    let deepest = layer.iter().filter(|&&l| l != usize::MAX).max().copied();
    let orphan = deepest.map_or(0, |d| d + 1);
    let mut row_in_layer = vec![0usize; orphan + 1];
    (0..n)
        .map(|i| {
            let l = if layer[i] == usize::MAX {
                orphan
            } else {
                layer[i]
            };
            let row = row_in_layer[l];
            row_in_layer[l] += 1;
            (l as f64 * 250.0, row as f64 * 120.0)
        })
        .collect()
}

fn label(flow: &Flow, i: BlockIdx) -> String {
    crate::text::truncate(&flow.blocks[i].label(), LABEL_CHARS)
}

impl Widget for FlowMap<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.width < 2 || area.height < 2 || self.flow.blocks.is_empty() {
            return;
        }
        let pos = positions(self.flow);
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in &pos {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        // Room to the right of the last column for its labels, and a margin below.
        let span_x = (x1 - x0).max(1.0);
        let label_room = span_x * (LABEL_CHARS as f64) / f64::from(area.width).max(1.0);
        let x_bounds = [x0, x1 + label_room];
        let y_bounds = [-(y1 + (y1 - y0).max(1.0) / f64::from(area.height)), -y0];
        let flow = self.flow;
        let current = self.current;
        Canvas::default()
            .marker(Marker::Braille)
            .x_bounds(x_bounds)
            .y_bounds(y_bounds)
            .paint(|ctx| {
                for (i, b) in flow.blocks.iter().enumerate() {
                    for (_, t) in b.branches() {
                        let Some(t) = t.filter(|&t| t < pos.len()) else {
                            continue;
                        };
                        let color = if Some(i) == current {
                            Color::Yellow
                        } else {
                            Color::DarkGray
                        };
                        ctx.draw(&CanvasLine {
                            x1: pos[i].0,
                            y1: -pos[i].1,
                            x2: pos[t].0,
                            y2: -pos[t].1,
                            color,
                        });
                    }
                }
            })
            .render(area, buf);
        // Labels go straight into the buffer so they never overlap: the current
        // block first, then the others top to bottom; a label that would run into
        // another is cut short, and one with no room moves down a row or two.
        let w = usize::from(area.width);
        let h = usize::from(area.height);
        let mut taken = vec![false; w * h];
        let cell = |(x, y): (f64, f64)| {
            let fx = (x - x_bounds[0]) / (x_bounds[1] - x_bounds[0]);
            let fy = (-y - y_bounds[1]) / (y_bounds[0] - y_bounds[1]);
            let cx = (fx * (w as f64 - 1.0)).round().clamp(0.0, w as f64 - 1.0) as usize;
            let cy = (fy * (h as f64 - 1.0)).round().clamp(0.0, h as f64 - 1.0) as usize;
            (cx, cy)
        };
        let mut order: Vec<BlockIdx> = (0..flow.blocks.len()).collect();
        order.sort_by_key(|&i| (Some(i) != current, cell(pos[i]).1, cell(pos[i]).0));
        for i in order {
            let b = &flow.blocks[i];
            let style = if Some(i) == current {
                Style::new()
                    .fg(Color::Black)
                    .bg(Color::Yellow)
                    .add_modifier(Modifier::BOLD)
            } else if self.visited.contains(&b.id) {
                Style::new().fg(Color::Green)
            } else {
                Style::new()
            };
            let full = label(flow, i);
            let text: Vec<char> = full.chars().collect();
            let (cx, cy0) = cell(pos[i]);
            for cy in cy0..(cy0 + 3).min(h) {
                let free = (cx..w).take_while(|&x| !taken[cy * w + x]).count();
                let n = text.len().min(free.saturating_sub(1)).max(free.min(1));
                if n < text.len().min(4) && cy + 1 < (cy0 + 3).min(h) {
                    continue;
                }
                if n == 0 {
                    break;
                }
                let shown = crate::text::truncate(&full, n);
                let x = area.x + u16::try_from(cx).unwrap_or(0);
                let y = area.y + u16::try_from(cy).unwrap_or(0);
                buf.set_stringn(x, y, &shown, n, style);
                for x in cx..(cx + n + 1).min(w) {
                    taken[cy * w + x] = true;
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_areas_do_not_panic() {
        let flows = crate::session::load_flows(None, None).unwrap();
        for (w, h) in [(0, 0), (1, 1), (2, 2), (10, 3)] {
            let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
            FlowMap {
                flow: &flows.main,
                current: Some(0),
                visited: &[],
            }
            .render(buf.area, &mut buf);
        }
        assert_eq!(positions(&flows.main).len(), flows.main.blocks.len());
    }
}
