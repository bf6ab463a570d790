//! The interactive TUI: a keypad phone for a flow, in real time.
//!
//! [`run`] sets the terminal up (raw mode, alternate screen, mouse), runs the
//! [`event_loop`] on an [`app::App`] that owns the one [`Driver`], and restores the
//! terminal on every way out — return, error, or panic.

pub mod action;
pub mod app;
pub mod coverage;
pub mod event_loop;
pub mod keymap;
pub mod recording;
pub mod replay;
pub mod ui;
pub mod widgets;

use std::io;
use std::path::PathBuf;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;

use crate::driver::{Clock, Driver};
use crate::engine::{CallConfig, Engine, TraceEvent};
use crate::flow::FlowSet;
use crate::lambda::Registry;

/// What the TUI needs besides the flows.
pub struct Options {
    /// The flow file as given (`None`: the built-in flow), named in recordings.
    pub flow_path: Option<String>,
    /// Where `w` writes recordings.
    pub recordings_dir: PathBuf,
    /// Start in step mode, before the first block (`--paused`).
    pub paused: bool,
    /// The call's clock against the wall clock (`--speed`, 1 = real time).
    pub speed: f64,
    /// A `flowsim test --coverage-json` report to colour the map by (`--coverage`).
    pub coverage: Option<coverage::MapCoverage>,
    /// Replay a production contact (`--replay LOGS`): its records answer the call
    /// (whose config is theirs), on a virtual clock, in step mode.
    pub replay: Option<crate::flowlog::Derived>,
}

/// Restores the terminal when dropped (normal exit, error, or unwinding panic).
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<(Self, ratatui::DefaultTerminal)> {
        // Installed before ratatui's own hook, so a panic restores the terminal
        // (ratatui's hook) and releases the mouse (this one) before the message prints.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(io::stdout(), DisableMouseCapture);
            previous(info);
        }));
        let terminal = ratatui::try_init()?;
        let guard = Self;
        execute!(io::stdout(), EnableMouseCapture)?;
        Ok((guard, terminal))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// Run the TUI on `flows` until the user quits; the trace of the call on screen then
/// (for `--flow-logs`).
pub fn run(
    flows: FlowSet,
    call: CallConfig,
    registry: Registry,
    options: Options,
    runtime: &tokio::runtime::Runtime,
) -> io::Result<Vec<TraceEvent>> {
    runtime.block_on(async {
        let clock = if options.replay.is_some() {
            Clock::Virtual
        } else {
            Clock::Real
        };
        // An environment outcome nobody set is asked, not defaulted (a replay's
        // outcomes come from the records).
        let call = CallConfig {
            ask_outcomes: options.replay.is_none(),
            ..call
        };
        let engine = Engine::new(flows.clone(), call);
        let driver = Driver::new(engine, registry, clock);
        let mut app = app::App::new(driver);
        app.flow_path = options.flow_path;
        app.recordings_dir = options.recordings_dir;
        app.set_stepping(options.paused);
        if let Some(derived) = options.replay {
            app.set_replay(replay::ReplayMode::new(derived, flows));
        }
        if options.speed != 1.0 {
            app.set_speed(options.speed);
        }
        app.set_coverage(options.coverage);
        let result = {
            let (_guard, mut terminal) = TerminalGuard::enter()?;
            event_loop::run(&mut terminal, &mut app).await
        };
        app.driver().close().await;
        result.map(|()| app.events().to_vec())
    })
}
