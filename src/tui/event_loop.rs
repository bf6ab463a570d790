//! The event loop: one `tokio::select!` over terminal events, the running
//! Lambda or live Lex turn (through the driver's cancel-safe `backend_finished`), the engine's next
//! deadline, and a redraw tick for the countdown and the call timer. It never
//! awaits anything else, so the screen stays live while a slow Lambda runs.

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, MouseButton, MouseEventKind};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use ratatui::layout::Rect;

use super::action::Action;
use super::app::App;
use super::keymap::{self, Mode};
use super::ui;
use super::widgets::keypad;
use crate::driver::Finished;

/// How often the screen is redrawn while nothing else happens (countdown, timer).
const REDRAW_PERIOD: Duration = Duration::from_millis(100);

/// Test hook: with this variable set, the first key pressed panics inside the event
/// loop, so a test can check that a panic restores the terminal (tests/tui_tmux.rs).
pub const PANIC_ON_KEY_VAR: &str = "FLOWSIM_TEST_PANIC_ON_KEY";

/// Run until the user quits.
pub async fn run(terminal: &mut DefaultTerminal, app: &mut App) -> io::Result<()> {
    let panic_on_key = std::env::var_os(PANIC_ON_KEY_VAR).is_some();
    let mut events = EventStream::new();
    let mut redraw = tokio::time::interval(REDRAW_PERIOD);
    redraw.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    app.start();
    loop {
        let now = app.driver().now();
        app.set_now(now);
        terminal.draw(|f| ui::draw(f, app))?;
        if app.should_quit() {
            return Ok(());
        }
        let deadline = app.driver().deadline_instant();
        // While an overlay stops the call's clock, a finished Lambda waits too.
        let lambda_running = app.driver().lambda_in_flight().is_some() && !app.clock_paused();
        let lex_running = app.driver().lex_in_flight() && !app.clock_paused();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    if panic_on_key && matches!(event, Event::Key(_)) {
                        panic!("{PANIC_ON_KEY_VAR} is set: a forced panic in the TUI");
                    }
                    let size = terminal.size()?;
                    on_terminal_event(app, event, Rect::new(0, 0, size.width, size.height));
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            done = app.driver_mut().backend_finished(), if lambda_running || lex_running => {
                match done {
                    Some(Finished::Lambda(outcome)) => app.on_lambda_finished(outcome),
                    Some(Finished::Lex(outcome)) => app.on_lex_finished(outcome),
                    None => {}
                }
            }
            () = sleep_until(deadline), if deadline.is_some() => app.on_deadline(),
            _ = redraw.tick() => {}
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

/// A key, a click or a resize.
pub fn on_terminal_event(app: &mut App, event: Event, screen: Rect) {
    match event {
        Event::Key(key) => {
            if let Some(action) = keymap::action_for(app.mode(), key) {
                app.dispatch(action);
            }
        }
        Event::Mouse(m) if app.mode() == Mode::Normal => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let pad = ui::areas(screen, app.view).keypad;
                if let Some(key) = keypad::key_at(pad, m.column, m.row) {
                    app.dispatch(Action::Dial(key));
                }
            }
            MouseEventKind::ScrollUp => app.dispatch(Action::Scroll(3)),
            MouseEventKind::ScrollDown => app.dispatch(Action::Scroll(-3)),
            _ => {}
        },
        Event::Mouse(m) if app.mode() == Mode::Map => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let view = ui::map_viewport(screen);
                if view.contains(ratatui::layout::Position::new(m.column, m.row)) {
                    let (px, py) = app.map.pan.get();
                    let x = px + i32::from(m.column - view.x);
                    let y = py + i32::from(m.row - view.y);
                    let layout = app.map_layout();
                    if let Some(b) = layout.geometry(app.map.zoom).block_at(x, y) {
                        app.map_select(b);
                    }
                }
            }
            MouseEventKind::ScrollUp => app.dispatch(Action::MapPan(0, -3)),
            MouseEventKind::ScrollDown => app.dispatch(Action::MapPan(0, 3)),
            _ => {}
        },
        // A resize is drawn by the next loop turn.
        _ => {}
    }
}
