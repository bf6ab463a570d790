//! Drawing: `impl Widget for &App`. Layout only — no state changes here.
//!
//! ```text
//! 80×24                                    ≥120 wide
//! ┌Phone───────┐┌Transcript──────────┐     ┌Phone──┐┌Transcript──┐┌Flow──────┐
//! │caller,state││IVR …               │     │keypad ││            ││block,    │
//! │timer, typed││KEY 1               │     │       ││            ││branches, │
//! │countdown   ││λ …                 │     ├Contact┤│            ││why       │
//! │keypad 4×3  │├Flow────────────────┤     │       ││            ││          │
//! ├Contact─────┤│current block, why  │     │       ││            ││          │
//! └────────────┘└────────────────────┘     └───────┘└────────────┘└──────────┘
//!  key hints (from the key table) or the latest notice
//! ```
//! The map view (`m`) takes the whole right-hand side.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use serde_json::Value;

use super::app::{App, Choice, Entry, FlowView, Overlay};
use super::keymap;
use super::widgets::keypad::Keypad;
use super::widgets::map::{FlowMap, Marks, clamp, reveal};
use super::widgets::map_layout::MapLayout;
use super::widgets::text_input::TextInput;
use super::widgets::transcript::{Transcript, wrap};
use crate::driver::NO_MAPPING;
use crate::engine::Status;
use crate::engine::TraceKind;
use crate::flow::BlockIdx;
use crate::text::truncate;

/// Where each panel goes in an area.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub phone: Rect,
    pub keypad: Rect,
    pub contact: Rect,
    pub transcript: Rect,
    pub flow: Rect,
    pub map: Rect,
    pub bar: Rect,
}

/// Smallest screen the full layout is drawn for.
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 12;

/// The layout for a screen, used both to draw and to map mouse clicks.
pub fn areas(area: Rect, view: FlowView) -> Areas {
    let [main, bar] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let wide = main.width >= 120;
    let tall = main.height >= 36;
    let left_w = if wide { 34 } else { 26 };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(main);
    let keypad_rows: u16 = if tall { 8 } else { 4 };
    let [phone, contact] =
        Layout::vertical([Constraint::Length(keypad_rows + 6), Constraint::Min(0)]).areas(left);
    let inner = Block::bordered().inner(phone);
    let keypad = Rect {
        y: inner.y + 4,
        height: inner.height.saturating_sub(4),
        ..inner
    }
    .intersection(inner);
    let (transcript, flow) = if wide {
        let [t, f] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(right);
        (t, f)
    } else {
        let [t, f] = Layout::vertical([Constraint::Min(0), Constraint::Length(9)]).areas(right);
        (t, f)
    };
    let (transcript, flow, map) = match view {
        FlowView::Block => (transcript, flow, Rect::ZERO),
        FlowView::Map => (Rect::ZERO, Rect::ZERO, right),
    };
    Areas {
        phone,
        keypad,
        contact,
        transcript,
        flow,
        map,
        bar,
    }
}

/// Draw the app into a frame.
pub fn draw(frame: &mut Frame, app: &App) {
    frame.render_widget(app, frame.area());
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            Paragraph::new("flowsim: make the terminal larger (40×12 at least); q quits")
                .wrap(Wrap { trim: true })
                .render(area, buf);
            return;
        }
        let a = areas(area, self.view);
        render_phone(self, a.phone, a.keypad, buf);
        render_contact(self, a.contact, buf);
        if self.view == FlowView::Map {
            render_map(self, a.map, buf);
        } else {
            render_transcript(self, a.transcript, buf);
            render_flow(self, a.flow, buf);
        }
        render_bar(self, a.bar, buf);
        match &self.overlay {
            Overlay::None => {}
            Overlay::Help => render_help(self.view, area, buf),
            Overlay::Block { block, scroll } => render_block(self, *block, *scroll, area, buf),
            Overlay::Search { input } => render_search(self, input, a.map, buf),
            Overlay::Say { input } => render_say(input, a.transcript, buf),
            Overlay::Inspect { scroll } => render_inspect(self, *scroll, area, buf),
            Overlay::Caller { text, error } => render_caller(text, error.as_deref(), area, buf),
            Overlay::Unmapped {
                function,
                block,
                choice,
                text,
                error,
            } => render_unmapped(function, block, *choice, text, error.as_deref(), area, buf),
            Overlay::Outcome { dialog, error, .. } => {
                render_outcome(dialog, error.as_deref(), area, buf);
            }
        }
    }
}

fn titled(title: &str) -> Block<'_> {
    Block::bordered().title(Span::styled(
        format!(" {title} "),
        Style::new().add_modifier(Modifier::BOLD),
    ))
}

fn secs(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
}

fn render_phone(app: &App, area: Rect, keypad: Rect, buf: &mut Buffer) {
    let status = app.engine().status();
    let caller = &app.engine().config().caller;
    titled("Phone").render(area, buf);
    let inner = Block::bordered().inner(area);
    let (state, color) = match &status {
        Status::NotStarted => ("ringing…".to_owned(), Color::Gray),
        Status::Paused { next } => (format!("⏸ before {}", next.label), Color::Yellow),
        Status::AwaitingInput { mode, .. } => (
            match mode {
                crate::engine::InputMode::Store => "▶ enter digits",
                crate::engine::InputMode::Lex => "▶ say something",
                crate::engine::InputMode::Menu => "▶ press a key",
            }
            .to_owned(),
            Color::Green,
        ),
        Status::Waiting { block, .. } => (format!("⏳ waiting at {}", block.label), Color::Cyan),
        Status::InQueue { queue, .. } => (format!("⏳ in queue {queue}"), Color::Cyan),
        Status::Playing { block, .. } => (format!("🔊 playing {}", block.label), Color::Cyan),
        Status::AwaitingLambda { function, .. } => {
            if app.driver().unanswered().is_some() {
                (format!("λ {function}: unmapped"), Color::Yellow)
            } else {
                (format!("λ {function}…"), Color::Magenta)
            }
        }
        Status::AwaitingLex { bot, .. } => (format!("💬 {bot}…"), Color::Magenta),
        Status::AwaitingOutcome { block, .. } => {
            (format!("? asking at {}", block.label), Color::Yellow)
        }
        Status::Ended(r) => (format!("■ ended: {}", r.keyword()), Color::Red),
    };
    let speed = app.driver().speed();
    let timer = if speed == 1.0 {
        app.call_time().to_string()
    } else {
        format!("{} {}", app.call_time(), super::app::speed_label(speed))
    };
    let lines = vec![
        Line::from(vec![
            Span::raw("☎ "),
            Span::styled(caller.clone(), Style::new().add_modifier(Modifier::BOLD)),
        ]),
        Line::from(Span::styled(state, Style::new().fg(color))),
        Line::from(vec![
            Span::styled(timer, Style::new().add_modifier(Modifier::DIM)),
            Span::raw("  "),
            Span::styled(app.typed().to_owned(), Style::new().fg(Color::Cyan)),
        ]),
    ];
    Paragraph::new(lines).render(
        Rect {
            height: 3.min(inner.height),
            ..inner
        },
        buf,
    );
    if inner.height > 3 {
        let row = Rect::new(inner.x, inner.y + 3, inner.width, 1);
        render_countdown(app, &status, row, buf);
    }
    Keypad {
        pressed: app.lit_key(),
        enabled: !matches!(status, Status::Ended(_)),
    }
    .render(keypad, buf);
}

fn render_countdown(app: &App, status: &Status, row: Rect, buf: &mut Buffer) {
    let now = app.now();
    let (from, deadline, color) = match status {
        Status::AwaitingInput { deadline, .. } => (app.countdown_from(), *deadline, Color::Green),
        Status::AwaitingLambda { call, deadline, .. } => {
            let from = app
                .transcript()
                .iter()
                .rev()
                .find_map(|e| match e {
                    Entry::Lambda(l) if l.call == *call => Some(l.at),
                    _ => None,
                })
                .unwrap_or(now);
            (from, *deadline, Color::Magenta)
        }
        _ => return,
    };
    let total = deadline.since(from).as_millis().max(1) as f64;
    let left_ms = u64::try_from(deadline.since(now).as_millis()).unwrap_or(0);
    let ratio = (left_ms as f64 / total).clamp(0.0, 1.0);
    let label = format!("{:>6} ", secs(left_ms));
    let bar_w = usize::from(row.width).saturating_sub(label.chars().count());
    let full = ((bar_w as f64) * ratio).ceil() as usize;
    Line::from(vec![
        Span::styled(label, Style::new().fg(color)),
        Span::styled("█".repeat(full.min(bar_w)), Style::new().fg(color)),
        Span::styled(
            "░".repeat(bar_w.saturating_sub(full)),
            Style::new().fg(Color::DarkGray),
        ),
    ])
    .render(row, buf);
}

fn render_contact(app: &App, area: Rect, buf: &mut Buffer) {
    titled("Contact").render(area, buf);
    let inner = Block::bordered().inner(area);
    let w = usize::from(inner.width);
    let c = app.engine().contact();
    let head = Style::new().add_modifier(Modifier::BOLD);
    let dim = Style::new().add_modifier(Modifier::DIM);
    let mut lines: Vec<Line> = Vec::new();
    // In queue: where the caller stands, how long it has waited, who could answer.
    if let Some(q) = app.engine().queue_info() {
        let waited = crate::engine::waited(q.waited_ms);
        let text = if let Some((since, _)) = q.on_hold {
            let held = crate::engine::waited(app.engine().now().since(since).as_millis() as u64);
            format!("queue {}: on hold for {held} (o: off hold)", q.queue)
        } else if q.answered {
            format!("queue {}: agent answered after {waited}", q.queue)
        } else {
            format!(
                "queue {}: position {}, waited {waited}, {} agent(s) available",
                q.queue, q.position, q.agents_available
            )
        };
        lines.push(Line::styled(truncate(&text, w), head.fg(Color::Cyan)));
    }
    lines.push(Line::styled("$.Attributes", head));
    if c.attributes.is_empty() {
        lines.push(Line::styled("  (none)", dim));
    }
    for (k, v) in &c.attributes {
        lines.push(Line::raw(truncate(&format!("  {k} = \"{v}\""), w)));
    }
    lines.push(Line::styled("$.External", head));
    match &c.external {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let (text, style) = match v {
                    Value::String(s) => (format!("  {k} = \"{s}\""), Style::new()),
                    other => (
                        format!("  {k} = {other} (not a string!)"),
                        Style::new().fg(Color::Yellow),
                    ),
                };
                lines.push(Line::styled(truncate(&text, w), style));
            }
        }
        Value::Null => lines.push(Line::styled(truncate("  (no Lambda response yet)", w), dim)),
        other => lines.push(Line::raw(truncate(&format!("  {other}"), w))),
    }
    if let Some(s) = &c.stored_input {
        lines.push(Line::raw(truncate(&format!("stored input \"{s}\""), w)));
    }
    let mut loops: Vec<_> = c.loops.iter().collect();
    loops.sort();
    for ((_, block), n) in loops {
        let label = app
            .engine()
            .flow()
            .block(block)
            .map_or_else(|| block.clone(), crate::flow::Block::label);
        lines.push(Line::raw(truncate(&format!("loop {label}: {n}"), w)));
    }
    let warnings: Vec<&str> = app.warnings().collect();
    if !warnings.is_empty() {
        lines.push(Line::styled(
            format!("warnings ({})", warnings.len()),
            head.fg(Color::Yellow),
        ));
        for warn in warnings.iter().rev() {
            lines.push(Line::styled(
                truncate(&format!("  {warn}"), w),
                Style::new().fg(Color::Yellow),
            ));
        }
    }
    Paragraph::new(lines).render(inner, buf);
}

fn render_transcript(app: &App, area: Rect, buf: &mut Buffer) {
    let inner = Block::bordered().inner(area);
    let t = Transcript {
        entries: app.transcript(),
        scroll: app.scroll,
        now: app.now(),
    };
    let scroll = app.scroll.min(t.max_scroll(inner));
    let title = if scroll > 0 {
        format!("Transcript ↑{scroll} (End follows)")
    } else {
        "Transcript".to_owned()
    };
    titled(&title).render(area, buf);
    t.render(inner, buf);
}

fn render_flow(app: &App, area: Rect, buf: &mut Buffer) {
    let engine = app.engine();
    let flow = engine.flow();
    let title = format!(
        "Flow · {}{}{}",
        flow.name,
        if app.stepping() { " · step mode" } else { "" },
        match &app.replay {
            Some(r) => format!(" · replay {}", r.contact_id()),
            None => String::new(),
        }
    );
    titled(&title).render(area, buf);
    let inner = Block::bordered().inner(area);
    let w = usize::from(inner.width);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let dim = Style::new().add_modifier(Modifier::DIM);
    let mut lines: Vec<Line> = Vec::new();
    // Replay mode: production's record of the block, under the block and its branch.
    let production = |lines: &mut Vec<Line>| {
        for (text, style) in super::replay::flow_lines(app, w) {
            for row in wrap(&text, w) {
                lines.push(Line::styled(row, style));
            }
        }
    };
    let status = engine.status();
    match (engine.current_block(), &status) {
        (_, Status::Ended(r)) => {
            lines.push(Line::styled(
                truncate(&format!("■ {}", r.describe()), w),
                bold.fg(Color::Red),
            ));
            production(&mut lines);
        }
        (Some(idx), _) => {
            let b = &flow.blocks[idx];
            let mark = if matches!(status, Status::Paused { .. }) {
                "⏸ next "
            } else {
                "▶ "
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{mark}{}", b.label()), bold.fg(Color::Yellow)),
                Span::styled(format!("  {}", b.type_name), dim),
            ]));
            if let Some(n) = app.branches().last() {
                // The reason is wrapped, never cut: it is why the call is here.
                let to = n.target.as_deref().unwrap_or("(end of flow)");
                let text = format!("↳ via {} [{}] {} → {to}", n.block, n.branch, n.reason);
                for row in wrap(&text, w) {
                    lines.push(Line::styled(row, Style::new().fg(Color::Green)));
                }
            }
            production(&mut lines);
            let dead = crate::engine::dead_branches(b);
            for (branch, target) in b.branches() {
                let to =
                    target.map_or_else(|| "(end of flow)".to_owned(), |t| flow.blocks[t].label());
                // The console's unused NextAction and the like: shown, but marked.
                let never = dead.iter().any(|d| d.branch == branch);
                let style = if branch.is_error() || never {
                    dim
                } else {
                    Style::new()
                };
                let note = if never { " (never taken)" } else { "" };
                lines.push(Line::styled(
                    truncate(&format!("   {} → {to}{note}", branch.label()), w),
                    style,
                ));
            }
        }
        (None, _) => lines.push(Line::styled("(not started)", dim)),
    }
    let room = usize::from(inner.height).saturating_sub(lines.len());
    if room >= 2 && !app.branches().is_empty() {
        lines.push(Line::styled("branches taken, newest first:", dim));
        let mut left = room - 1;
        for n in app.branches().iter().rev() {
            let to = n.target.as_deref().unwrap_or("(end of flow)");
            let text = format!("{} [{}] {} → {to}", n.block, n.branch, n.reason);
            let rows = wrap(&text, w);
            if rows.len() > left {
                break;
            }
            left -= rows.len();
            lines.extend(rows.into_iter().map(|r| Line::styled(r, dim)));
        }
    }
    Paragraph::new(lines).render(inner, buf);
}

/// The map panel's inside: the viewport, and a footer for the selected block.
fn map_parts(inner: Rect) -> (Rect, Rect) {
    let footer_h = if inner.height >= 10 { 2 } else { 0 };
    let [view, footer] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(footer_h)]).areas(inner);
    (view, footer)
}

/// Where the map's viewport is on a screen of this size (for clicks).
pub fn map_viewport(screen: Rect) -> Rect {
    let area = areas(screen, FlowView::Map).map;
    map_parts(Block::bordered().inner(area)).0
}

/// What the map marks: the current block, the path taken, the selection, matches.
fn map_marks(app: &App, layout: &MapLayout) -> Marks {
    let engine = app.engine();
    let flow = engine.flow();
    let mut visited = vec![false; flow.blocks.len()];
    for id in app.visited() {
        if let Some(&i) = flow.by_id.get(&id) {
            visited[i] = true;
        }
    }
    let mut taken = Vec::new();
    for e in app.events() {
        if let TraceKind::BranchTaken { block, branch, .. } = &e.kind
            && let Some(&i) = flow.by_id.get(&block.id)
            && let Some(p) = layout.nodes[i]
                .ports
                .iter()
                .position(|p| p.branch == *branch)
        {
            taken.push((i, p));
        }
    }
    Marks {
        current: engine.current_block(),
        visited,
        taken,
        selected: app.map.selected,
        matches: app.map_matches(),
        coverage: app.flow_coverage(),
    }
}

fn render_map(app: &App, area: Rect, buf: &mut Buffer) {
    let engine = app.engine();
    let flow = engine.flow();
    let layout = app.map_layout();
    let zoom = app.map.zoom;
    let g = layout.geometry(zoom);
    let marks = map_marks(app, &layout);
    let covered = marks
        .coverage
        .as_ref()
        .map(|c| {
            format!(
                " · tests reach {}/{} blocks",
                c.blocks_covered,
                flow.blocks.len()
            )
        })
        .unwrap_or_default();
    let title = format!(
        "Map · {} · {} blocks{covered} · {} · {}{}",
        flow.name,
        flow.blocks.len(),
        zoom.name(),
        if layout.from_canvas {
            "canvas layout"
        } else {
            "layered layout"
        },
        if app.map.follow { " · following" } else { "" }
    );
    titled(&title).render(area, buf);
    let (view, footer) = map_parts(Block::bordered().inner(area));
    let (w, h) = (i32::from(view.width), i32::from(view.height));
    app.map.viewport.set((w, h));
    let mut pan = app.map.pan.get();
    if app.map.follow {
        // The current block, or where the flow starts once the call has ended.
        let target = marks.current.unwrap_or(flow.start);
        if let Some(b) = g.blocks.get(target) {
            pan = reveal(pan, b.rect, w, h);
        }
    }
    pan = clamp(pan, g, w, h);
    app.map.pan.set(pan);
    FlowMap {
        layout: &layout,
        geometry: g,
        offset: pan,
        marks: &marks,
    }
    .render(view, buf);
    if footer.height == 0 {
        return;
    }
    let fw = usize::from(footer.width);
    let dim = Style::new().add_modifier(Modifier::DIM);
    let shown = app.map.selected.or(marks.current);
    let mut lines = Vec::new();
    if let Some(i) = shown {
        let b = &flow.blocks[i];
        let mark = if Some(i) == marks.current {
            "▶"
        } else {
            "▸"
        };
        let console = b.kind.spec().map_or("", |s| s.block);
        lines.push(Line::from(vec![
            Span::styled(
                format!("{mark} {}", layout.nodes[i].label),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("  {} · {console}", b.type_name), dim),
        ]));
        let params = Value::Object(b.params.clone()).to_string();
        lines.push(Line::styled(truncate(&format!("  {params}"), fw), dim));
    } else {
        lines.push(Line::styled(
            "Tab selects a block; Enter shows its parameters",
            dim,
        ));
    }
    Paragraph::new(lines).render(footer, buf);
}

fn render_bar(app: &App, area: Rect, buf: &mut Buffer) {
    if let Some(n) = &app.notice {
        Line::styled(format!(" {n}"), Style::new().fg(Color::Yellow)).render(area, buf);
        return;
    }
    let mut spans = vec![Span::raw(" ")];
    let table = if app.view == FlowView::Map {
        keymap::MAP
    } else {
        keymap::NORMAL
    };
    for (keys, hint) in keymap::help_bar(table, usize::from(area.width).saturating_sub(1)) {
        spans.push(Span::styled(
            keys,
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        spans.push(Span::raw(if hint.is_empty() {
            " ".to_owned()
        } else {
            format!(" {hint} ")
        }));
    }
    Line::from(spans).render(area, buf);
}

/// A centered box of at most `w`×`h`, cleared.
fn popup(area: Rect, w: u16, h: u16, title: &str, buf: &mut Buffer) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(r, buf);
    let block = titled(title).border_style(Style::new().fg(Color::Cyan));
    let inner = block.inner(r);
    block.render(r, buf);
    inner
}

fn render_help(view: FlowView, area: Rect, buf: &mut Buffer) {
    let table = if view == FlowView::Map {
        keymap::MAP
    } else {
        keymap::NORMAL
    };
    let shown = table.iter().filter(|b| !b.help.is_empty());
    let rows = shown.clone().count() as u16 + 4;
    let inner = popup(area, 72, rows + 2, "Help · any key closes", buf);
    let mut lines: Vec<Line> = shown
        .map(|b| {
            Line::from(vec![
                Span::styled(
                    format!(" {:<10}", b.keys),
                    Style::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(b.help),
            ])
        })
        .collect();
    lines.push(Line::raw(" mouse     click the keypad to dial"));
    lines.push(Line::styled(
        " Times are real: a 5 s timeout takes 5 s (t ends it now).",
        Style::new().add_modifier(Modifier::DIM),
    ));
    lines.push(Line::styled(
        " The call's clock stops while this help or any dialog is open.",
        Style::new().add_modifier(Modifier::DIM),
    ));
    Paragraph::new(lines).render(inner, buf);
}

fn render_inspect(app: &App, scroll: usize, area: Rect, buf: &mut Buffer) {
    render_scrolled(
        app.inspect_lines(),
        "Last Lambda call or Lex recognitions · ↑↓ PgUp PgDn scroll · Esc closes",
        scroll,
        area,
        buf,
    );
}

fn render_block(app: &App, block: BlockIdx, scroll: usize, area: Rect, buf: &mut Buffer) {
    render_scrolled(
        app.block_lines(block),
        "Block · ↑↓ PgUp PgDn scroll · Esc closes",
        scroll,
        area,
        buf,
    );
}

/// The map's search box, at the bottom of the map.
fn render_search(app: &App, input: &TextInput, map: Rect, buf: &mut Buffer) {
    if map.height < 4 {
        return;
    }
    let n = app.map_matches().iter().filter(|&&m| m).count();
    let r = Rect::new(map.x, map.y + map.height - 3, map.width, 3);
    let title = format!("Search · {n} matching · Enter selects · Tab next · Esc");
    let inner = popup(r, r.width, 3, &title, buf);
    input
        .line(" /", usize::from(inner.width), Style::new().fg(Color::Cyan))
        .render(inner, buf);
}

/// The utterance box, at the foot of the transcript.
fn render_say(input: &TextInput, area: Rect, buf: &mut Buffer) {
    if area.height < 3 {
        return;
    }
    let r = Rect::new(area.x, area.y + area.height - 3, area.width, 3);
    let inner = popup(
        r,
        r.width,
        3,
        "Say · Enter says it · Esc · the call's clock is stopped",
        buf,
    );
    input
        .line(
            " 💬 ",
            usize::from(inner.width),
            Style::new().fg(Color::Cyan),
        )
        .render(inner, buf);
}

fn render_scrolled(lines: Vec<String>, title: &str, scroll: usize, area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(4).max(20);
    let h = area.height.saturating_sub(2);
    let inner = popup(area, w, h, title, buf);
    let lines = fold(lines, usize::from(inner.width));
    let max = lines.len().saturating_sub(usize::from(inner.height));
    let scroll = scroll.min(max);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(usize::from(inner.height))
        .map(|l| {
            if l.starts_with("──") {
                Line::styled(
                    l,
                    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
                )
            } else {
                Line::raw(l)
            }
        })
        .collect();
    Paragraph::new(shown).render(inner, buf);
}

/// Lines wider than `width` folded onto the next rows, under their own indent
/// (two more), so a long JSON string is read whole rather than cut.
fn fold(lines: Vec<String>, width: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let chars: Vec<char> = line.chars().collect();
        if chars.len() <= width || width < 8 {
            out.push(line);
            continue;
        }
        let indent = chars
            .iter()
            .take_while(|c| **c == ' ')
            .count()
            .min(width / 2)
            + 2;
        out.push(chars[..width].iter().collect());
        let room = width - indent;
        for piece in chars[width..].chunks(room) {
            out.push(format!(
                "{}{}",
                " ".repeat(indent),
                piece.iter().collect::<String>()
            ));
        }
    }
    out
}

fn field(text: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {text}"), Style::new().fg(Color::Cyan)),
        Span::styled("▏", Style::new().add_modifier(Modifier::SLOW_BLINK)),
    ])
}

fn render_caller(text: &str, error: Option<&str>, area: Rect, buf: &mut Buffer) {
    let inner = popup(area, 50, 7, "New caller", buf);
    let mut lines = vec![
        Line::raw(" Call again from (E.164):"),
        field(text),
        Line::raw(""),
        Line::styled(
            " Enter: call · Esc: cancel",
            Style::new().add_modifier(Modifier::DIM),
        ),
    ];
    if let Some(e) = error {
        lines.push(Line::styled(format!(" {e}"), Style::new().fg(Color::Red)));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// The environment outcome dialog, centred; an error (a choice that did not apply)
/// under it.
fn render_outcome(
    dialog: &super::widgets::outcome::OutcomeDialog,
    error: Option<&str>,
    area: Rect,
    buf: &mut Buffer,
) {
    let w = 86.min(area.width);
    let h = (dialog.height_for(w) + u16::from(error.is_some())).min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    dialog.render(r, buf);
    if let Some(e) = error
        && r.height > 2
    {
        let row = Rect::new(r.x + 2, r.y + r.height - 2, r.width.saturating_sub(4), 1);
        Paragraph::new(Line::styled(e.to_owned(), Style::new().fg(Color::Red))).render(row, buf);
    }
}

fn render_unmapped(
    function: &str,
    block: &str,
    choice: Choice,
    text: &str,
    error: Option<&str>,
    area: Rect,
    buf: &mut Buffer,
) {
    let inner = popup(area, 72, 12, "Unmapped Lambda function", buf);
    let radio = |c: Choice| if c == choice { "(•)" } else { "( )" };
    let sel = |c: Choice| {
        if c == choice {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    };
    let mut lines = vec![
        Line::raw(format!(" Block \"{block}\" invokes `{function}`,")),
        Line::raw(format!(" {NO_MAPPING}. Answer for this session:")),
        Line::raw(""),
        Line::styled(
            format!(" {} a JSON response:", radio(Choice::Json)),
            sel(Choice::Json),
        ),
        field(&format!("    {text}")),
        Line::styled(
            format!(" {} a function error", radio(Choice::Error)),
            sel(Choice::Error),
        ),
        Line::styled(
            format!(" {} no answer (timeout)", radio(Choice::Timeout)),
            sel(Choice::Timeout),
        ),
        Line::styled(
            " Tab: choose · Enter: answer · Esc: error",
            Style::new().add_modifier(Modifier::DIM),
        ),
    ];
    if let Some(e) = error {
        lines.push(Line::styled(format!(" {e}"), Style::new().fg(Color::Red)));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}
