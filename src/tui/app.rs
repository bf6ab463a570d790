//! The TUI's state: one [`App`] owns the driver (and through it the call) and
//! everything the screen shows. [`App::dispatch`] is the only place an [`Action`]
//! takes effect; [`App::on_events`] folds the call's trace into what is shown.
//! Nothing here touches the terminal or reads a clock: the event loop tells the
//! app the time with [`App::set_now`], so tests can render exact screens.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::action::Action;
use super::coverage::{FlowCoverage, MapCoverage};
use super::keymap::Mode;
use super::recording;
use super::widgets::map::reveal;
use super::widgets::map_layout::{MapLayout, Zoom};
use super::widgets::outcome::OutcomeDialog;
use super::widgets::text_input::TextInput;
use crate::driver::{Driver, DriverError};
use crate::engine::{Engine, Input, SimTime, Status, TraceEvent, TraceKind};
use crate::flow::{BlockIdx, Flow};
use crate::lambda::LambdaOutcome;
use crate::lambda::registry::BackendSpec;
use crate::script::record::{RecordOptions, recording_from_trace};
use crate::text::truncate;

/// How long a pressed key stays lit.
const KEY_LIT_MS: u64 = 250;
/// How many branches the flow panel remembers.
const BRANCH_HISTORY: usize = 32;

/// One line (or paragraph) of the transcript.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Call {
        caller: String,
        flow: String,
    },
    Prompt {
        at: SimTime,
        text: String,
    },
    Waiting {
        what: &'static str,
        timeout_ms: u64,
    },
    /// Keys pressed one after another.
    Keys(String),
    Silence,
    /// The input timed out by itself: nothing was pressed in time.
    TimedOut {
        what: &'static str,
        timeout_ms: u64,
    },
    Said(String),
    Stored(String),
    Lambda(LambdaEntry),
    Warning(String),
    Ended(String),
    /// Something the TUI itself says (recording written, step mode on, …).
    Note(String),
}

/// A Lambda call as the transcript shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaEntry {
    pub call: u64,
    pub block_id: String,
    pub function: String,
    pub at: SimTime,
    pub backend: Option<String>,
    pub duration_ms: Option<u64>,
    /// `None` while in flight.
    pub ok: Option<bool>,
    pub detail: String,
    /// `NoMatchingError → Error Prompt`.
    pub branch: Option<String>,
}

/// A branch the call took, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchNote {
    pub block: String,
    pub block_type: String,
    pub branch: String,
    pub reason: String,
    pub target: Option<String>,
}

/// The flow panel shows the current block, or a map of the whole flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowView {
    Block,
    Map,
}

/// What the unmapped-Lambda overlay will answer with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Json,
    Error,
    Timeout,
}

/// The overlay on top of the main screen, if any.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    None,
    Help,
    Inspect {
        scroll: usize,
    },
    Caller {
        text: String,
        error: Option<String>,
    },
    Unmapped {
        function: String,
        block: String,
        choice: Choice,
        text: String,
        error: Option<String>,
    },
    /// A block's parameters and branches (map: Enter).
    Block {
        block: BlockIdx,
        scroll: usize,
    },
    /// Map: find a block by name.
    Search {
        input: TextInput,
    },
    /// What the caller says to the Lex block listening (`s`).
    Say {
        input: TextInput,
    },
    /// An environment outcome nobody set ([`Status::AwaitingOutcome`]): the dialog,
    /// and each choice's `.call` directive (`None`: the default).
    Outcome {
        dialog: OutcomeDialog,
        directives: Vec<Option<String>>,
        error: Option<String>,
    },
}

/// The map view's own state.
#[derive(Debug, Default)]
pub struct MapState {
    pub zoom: Zoom,
    /// Map cell at the viewport's top-left (kept by the drawing, which knows the size).
    pub pan: Cell<(i32, i32)>,
    /// Keep the current block in view.
    pub follow: bool,
    pub selected: Option<BlockIdx>,
    /// The viewport's size at the last frame (columns, rows).
    pub viewport: Cell<(i32, i32)>,
}

impl Overlay {
    /// Does the call's clock stand still while this is open? Every overlay and
    /// dialog stops it: the user reads or answers, the call waits.
    pub fn stops_clock(&self) -> bool {
        !matches!(self, Self::None)
    }
}

/// The whole TUI state.
pub struct App {
    driver: Driver,
    now: SimTime,
    /// The flow file as given (for recordings), `None` for the built-in flow.
    pub flow_path: Option<String>,
    pub recordings_dir: PathBuf,
    /// Every trace event of the current call.
    events: Vec<TraceEvent>,
    transcript: Vec<Entry>,
    branches: Vec<BranchNote>,
    block_types: Vec<(String, String)>,
    typed: String,
    lit: Option<(char, SimTime)>,
    countdown_from: SimTime,
    ended_at: Option<SimTime>,
    /// Transcript lines scrolled back from the end (0 follows the end).
    pub scroll: usize,
    pub view: FlowView,
    pub overlay: Overlay,
    pub notice: Option<String>,
    stepping: bool,
    quit: bool,
    pub map: MapState,
    /// A test coverage report for the map, and whether it is shown.
    coverage: Option<MapCoverage>,
    pub show_coverage: bool,
    /// The map layout of the flow shown, computed once per flow.
    map_cache: RefCell<Option<(usize, Arc<MapLayout>)>>,
    /// Replay mode: a production contact's flow logs answer the call (tui/replay.rs).
    pub replay: Option<super::replay::ReplayMode>,
    /// The environment before this call's answers to environment questions: a
    /// restart asks them again.
    asked_from: Option<Arc<crate::env::Environment>>,
}

impl App {
    /// An app around a driver whose call has not started yet.
    pub fn new(driver: Driver) -> Self {
        Self {
            driver,
            now: SimTime::ZERO,
            flow_path: None,
            recordings_dir: PathBuf::from("recordings"),
            events: Vec::new(),
            transcript: Vec::new(),
            branches: Vec::new(),
            block_types: Vec::new(),
            typed: String::new(),
            lit: None,
            countdown_from: SimTime::ZERO,
            ended_at: None,
            scroll: 0,
            view: FlowView::Block,
            overlay: Overlay::None,
            notice: None,
            stepping: false,
            quit: false,
            map: MapState {
                follow: true,
                ..MapState::default()
            },
            map_cache: RefCell::new(None),
            coverage: None,
            show_coverage: false,
            replay: None,
            asked_from: None,
        }
    }

    /// Replay a production contact (before [`App::start`]): in step mode, the
    /// records answering the call (tui/replay.rs).
    pub fn set_replay(&mut self, mode: super::replay::ReplayMode) {
        self.note(&format!(
            "replay of contact {}: production's records answer the call",
            mode.contact_id()
        ));
        self.replay = Some(mode);
        self.driver.set_hold_lambdas(true);
        self.set_stepping(true);
    }

    /// Colour the map by a coverage report (shown from the start).
    pub fn set_coverage(&mut self, coverage: Option<MapCoverage>) {
        self.show_coverage = coverage.is_some();
        self.coverage = coverage;
    }

    /// The shown flow's test coverage, when a report is loaded and shown.
    pub fn flow_coverage(&self) -> Option<FlowCoverage> {
        if !self.show_coverage {
            return None;
        }
        self.coverage.as_ref()?.for_flow(self.engine().flow())
    }

    /// The map layout of the flow the call is in (computed on first use per flow).
    pub fn map_layout(&self) -> Arc<MapLayout> {
        let flow: &Flow = self.engine().flow();
        let key = std::ptr::from_ref(flow) as usize;
        let mut cache = self.map_cache.borrow_mut();
        match &*cache {
            Some((k, layout)) if *k == key => layout.clone(),
            _ => {
                let layout = Arc::new(MapLayout::new(flow));
                *cache = Some((key, layout.clone()));
                layout
            }
        }
    }

    /// Blocks whose map label or identifier holds the search text.
    pub fn map_matches(&self) -> Vec<bool> {
        let Overlay::Search { input } = &self.overlay else {
            return Vec::new();
        };
        let q = input.text().to_lowercase();
        let flow = self.engine().flow();
        self.map_layout()
            .nodes
            .iter()
            .zip(&flow.blocks)
            .map(|(n, b)| {
                !q.is_empty()
                    && (n.label.to_lowercase().contains(&q) || b.id.to_lowercase().contains(&q))
            })
            .collect()
    }

    /// Select a block on the map and bring it into view.
    pub fn map_select(&mut self, block: BlockIdx) {
        let layout = self.map_layout();
        let g = layout.geometry(self.map.zoom);
        if let Some(b) = g.blocks.get(block) {
            self.map.selected = Some(block);
            self.map.follow = false;
            let (w, h) = self.map.viewport.get();
            self.map.pan.set(reveal(self.map.pan.get(), b.rect, w, h));
        }
    }

    fn dispatch_map(&mut self, action: Action) {
        match action {
            Action::MapPan(dx, dy) => {
                self.map.follow = false;
                let (x, y) = self.map.pan.get();
                let (_, h) = self.map.viewport.get();
                // A page is a screen: PgUp / PgDn ask for 20 rows.
                let dy = if dy.abs() >= 20 {
                    dy.signum() * (h - 2).max(1)
                } else {
                    dy
                };
                self.map.pan.set(((x + dx).max(0), (y + dy).max(0)));
            }
            Action::MapZoom(closer) => {
                let layout = self.map_layout();
                let old = layout.geometry(self.map.zoom);
                self.map.zoom = if closer {
                    self.map.zoom.closer()
                } else {
                    self.map.zoom.out()
                };
                // Keep the block in the middle of the view there after zooming.
                let new = layout.geometry(self.map.zoom);
                let (w, h) = self.map.viewport.get();
                let (x, y) = self.map.pan.get();
                let centre = old
                    .block_at(x + w / 2, y + h / 2)
                    .or_else(|| self.map.selected.or(self.engine().current_block()));
                if let Some(b) = centre.and_then(|b| new.blocks.get(b)) {
                    let r = b.rect;
                    self.map
                        .pan
                        .set((r.x + r.w / 2 - w / 2, r.y + r.h / 2 - h / 2));
                }
            }
            Action::MapSelect(by) => {
                let layout = self.map_layout();
                let order = &layout.order;
                if order.is_empty() {
                    return;
                }
                let from = self.map.selected.or(self.engine().current_block());
                let next = match from.and_then(|f| order.iter().position(|&b| b == f)) {
                    Some(at) if self.map.selected.is_some() => {
                        let n = order.len() as i32;
                        order[usize::try_from((at as i32 + by).rem_euclid(n)).unwrap_or(0)]
                    }
                    Some(at) => order[at],
                    None => order[0],
                };
                self.map_select(next);
            }
            Action::MapDetails => match self.map.selected.or(self.engine().current_block()) {
                Some(block) => self.overlay = Overlay::Block { block, scroll: 0 },
                None => self.notice = Some("Tab selects a block".into()),
            },
            Action::MapSearch => {
                self.overlay = Overlay::Search {
                    input: TextInput::default(),
                };
            }
            Action::MapFollow => {
                self.map.follow = true;
                self.map.selected = None;
            }
            Action::MapCoverage => {
                if self.coverage.is_some() {
                    self.show_coverage = !self.show_coverage;
                } else {
                    self.notice = Some("no coverage: flowsim tui FLOW --coverage FILE".into());
                }
            }
            _ => {}
        }
    }

    /// Each recognition of the call: the utterance, the bot, the interpretations
    /// with their scores, the slots, and the branch the block took after it.
    pub fn lex_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, e) in self.events.iter().enumerate() {
            let TraceKind::LexRecognized {
                block,
                bot,
                utterance,
                intent,
                confidence,
                slots,
                alternatives,
            } = &e.kind
            else {
                continue;
            };
            if !out.is_empty() {
                out.push(String::new());
            }
            out.push(format!("── \"{utterance}\" at {} ──", e.at));
            out.push(format!("block     {}", block.label));
            out.push(format!("bot       {bot}"));
            out.push(format!("intent    {intent} ({confidence:.2})"));
            for (name, score) in alternatives {
                out.push(format!("  also    {name} ({score:.2})"));
            }
            for (k, v) in slots {
                out.push(format!("slot      {k} = {v}"));
            }
            // The next thing the block did: ask again, or branch.
            let next = self.events[i + 1..].iter().find_map(|n| match &n.kind {
                TraceKind::LexRecognized { .. } => Some("asks for more".to_owned()),
                TraceKind::BranchTaken {
                    block: b, branch, ..
                } if b.id == block.id => Some(format!("branch {branch}")),
                _ => None,
            });
            out.push(format!(
                "then      {}",
                next.unwrap_or_else(|| "waits".into())
            ));
        }
        if out.is_empty() {
            out.push("no Lex recognition yet".into());
        }
        out
    }

    /// The selected block's parameters and branches, as the details overlay shows them.
    pub fn block_lines(&self, block: BlockIdx) -> Vec<String> {
        let flow = self.engine().flow();
        let Some(b) = flow.blocks.get(block) else {
            return Vec::new();
        };
        let layout = self.map_layout();
        let console = b.kind.spec().map_or("", |s| s.block);
        let mut out = vec![
            format!("block     {}", layout.nodes[block].label),
            format!("id        {}", b.id),
            format!("type      {} ({console})", b.type_name),
        ];
        if let Some((x, y)) = b.position {
            out.push(format!("canvas    x {x:.0}, y {y:.0}"));
        }
        out.push(String::new());
        out.push("── branches ──".into());
        let dead = crate::engine::dead_branches(b);
        for (branch, target) in b.branches() {
            let to = target.map_or_else(
                || "(end of flow)".to_owned(),
                |t| layout.nodes[t].label.clone(),
            );
            let note = if dead.iter().any(|d| d.branch == branch) {
                " (never taken)"
            } else {
                ""
            };
            out.push(format!("  {} → {to}{note}", branch.label()));
        }
        out.push(String::new());
        out.push("── parameters ──".into());
        out.extend(pretty(&Value::Object(b.params.clone())));
        out
    }

    /// Begin the call (in step mode, stopped before the first block, if
    /// [`App::set_stepping`] turned it on).
    pub fn start(&mut self) {
        self.driver.set_stepping(self.stepping);
        if self.stepping {
            self.note("step mode: n runs the next block, p resumes");
        }
        let r = self.driver.send(Input::Start);
        self.after(r);
    }

    /// The call's clock runs `speed` times as fast as the wall clock (`--speed`).
    pub fn set_speed(&mut self, speed: f64) {
        self.driver.set_speed(speed);
        let s = self.driver.speed();
        if s == 1.0 {
            self.notice = Some("real time".into());
        } else {
            self.notice = Some(format!("the call's clock runs at {}", speed_label(s)));
        }
    }

    /// Step mode on or off before the call starts (`--paused`).
    pub fn set_stepping(&mut self, on: bool) {
        self.stepping = on;
        self.driver.set_stepping(on);
    }

    /// Stop or restart the call's clock to match the open overlay; called after
    /// everything that can open or close one.
    fn sync_clock(&mut self) {
        if self.overlay.stops_clock() {
            self.driver.pause_clock();
        } else {
            self.driver.resume_clock();
        }
    }

    /// Is the call's clock stopped (an overlay or dialog is open)?
    pub fn clock_paused(&self) -> bool {
        self.driver.clock_paused()
    }

    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    pub fn driver_mut(&mut self) -> &mut Driver {
        &mut self.driver
    }

    pub fn engine(&self) -> &Engine {
        self.driver.engine()
    }

    /// The time the screen shows: call time, from the event loop (or a test).
    pub fn now(&self) -> SimTime {
        self.now
    }

    pub fn set_now(&mut self, now: SimTime) {
        self.now = now;
        if self
            .lit
            .is_some_and(|(_, t)| now.since(t).as_millis() >= u128::from(KEY_LIT_MS))
        {
            self.lit = None;
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn stepping(&self) -> bool {
        self.stepping
    }

    pub fn transcript(&self) -> &[Entry] {
        &self.transcript
    }

    pub fn branches(&self) -> &[BranchNote] {
        &self.branches
    }

    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// Keys typed since the current input request began.
    pub fn typed(&self) -> &str {
        &self.typed
    }

    /// Identifiers of the blocks this call has run.
    pub fn visited(&self) -> Vec<String> {
        self.block_types.iter().map(|(id, _)| id.clone()).collect()
    }

    /// The key lit on the keypad.
    pub fn lit_key(&self) -> Option<char> {
        self.lit.map(|(k, _)| k)
    }

    /// The call timer: time since the call started, frozen when it ends.
    pub fn call_time(&self) -> SimTime {
        self.ended_at.unwrap_or(self.now)
    }

    /// When the countdown of the pending input began.
    pub fn countdown_from(&self) -> SimTime {
        self.countdown_from
    }

    /// Which key set applies now.
    pub fn mode(&self) -> Mode {
        match self.overlay {
            Overlay::None if self.view == FlowView::Map => Mode::Map,
            Overlay::None => Mode::Normal,
            Overlay::Help => Mode::Help,
            Overlay::Inspect { .. } | Overlay::Block { .. } => Mode::Inspect,
            Overlay::Caller { .. }
            | Overlay::Unmapped { .. }
            | Overlay::Search { .. }
            | Overlay::Say { .. }
            | Overlay::Outcome { .. } => Mode::Edit,
        }
    }

    /// The only mutator for user intent.
    pub fn dispatch(&mut self, action: Action) {
        if !matches!(action, Action::Scroll(_) | Action::ScrollEnd) {
            self.notice = None;
        }
        match self.overlay {
            Overlay::None => self.dispatch_main(action),
            _ => self.dispatch_overlay(action),
        }
        self.sync_clock();
    }

    fn dispatch_main(&mut self, action: Action) {
        if matches!(action, Action::Dial(_) | Action::TimeoutNow | Action::Say) {
            super::replay::take_over(self);
        }
        let status = self.engine().status();
        let ended = matches!(status, Status::Ended(_));
        match action {
            Action::Dial(c) => {
                self.lit = Some((c, self.now));
                if ended {
                    self.notice = Some("the call has ended: r restarts it".into());
                } else {
                    let r = self.driver.send(Input::Key(c));
                    self.after(r);
                }
            }
            Action::TimeoutNow => {
                if matches!(status, Status::AwaitingInput { .. }) {
                    let r = self.driver.send(Input::Silence);
                    self.after(r);
                } else {
                    self.notice = Some("no input is pending".into());
                }
            }
            Action::Say => {
                let listens = matches!(
                    status,
                    Status::AwaitingInput {
                        mode: crate::engine::InputMode::Lex,
                        ..
                    } | Status::Waiting { .. }
                );
                if listens {
                    self.overlay = Overlay::Say {
                        input: TextInput::default(),
                    };
                } else {
                    self.notice = Some("no Lex block is listening".into());
                }
            }
            Action::Hangup => {
                if !ended {
                    let r = self.driver.send(Input::Hangup);
                    self.after(r);
                }
            }
            Action::Hold => {
                let on_hold = self
                    .engine()
                    .queue_info()
                    .is_some_and(|q| q.on_hold.is_some());
                let (input, notice) = if ended {
                    (None, "the call has ended: r restarts it")
                } else if on_hold {
                    (Some(Input::Resume), "the agent takes the caller off hold")
                } else {
                    (
                        Some(Input::Hold { ms: None }),
                        "once the agent has answered, the caller is on hold until o again",
                    )
                };
                self.notice = Some(notice.into());
                if let Some(input) = input {
                    let r = self.driver.send(input);
                    self.after(r);
                }
            }
            Action::Restart => {
                let caller = self.engine().config().caller.clone();
                self.restart(caller);
            }
            Action::NewCaller => {
                self.overlay = Overlay::Caller {
                    text: self.engine().config().caller.clone(),
                    error: None,
                };
            }
            Action::TogglePause => {
                self.stepping = !self.stepping;
                self.driver.set_stepping(self.stepping);
                if self.stepping {
                    self.note("step mode: n runs the next block, p resumes");
                } else {
                    self.note("resumed");
                    let mut r = Ok(());
                    while r.is_ok() && matches!(self.engine().status(), Status::Paused { .. }) {
                        r = self.driver.send(Input::Step);
                    }
                    self.after(r);
                }
            }
            Action::Step => {
                if matches!(status, Status::Paused { .. }) {
                    let r = self.driver.send(Input::Step);
                    self.after(r);
                } else if !self.stepping {
                    self.notice = Some("p turns step mode on".into());
                }
            }
            Action::Speed(faster) => {
                let now = self.driver.speed();
                let next = if faster { now * 2.0 } else { now / 2.0 };
                self.set_speed(next.clamp(0.25, 16.0));
            }
            Action::ToggleMap => {
                self.view = match self.view {
                    FlowView::Block => FlowView::Map,
                    FlowView::Map => FlowView::Block,
                };
            }
            Action::Inspect => {
                if self.events.iter().any(|e| {
                    matches!(
                        e.kind,
                        TraceKind::LambdaInvoked { .. } | TraceKind::LexRecognized { .. }
                    )
                }) {
                    self.overlay = Overlay::Inspect { scroll: 0 };
                } else {
                    self.notice = Some(
                        "no Lambda function has been invoked, no Lex bot has heard anything".into(),
                    );
                }
            }
            Action::WriteRecording => self.write_recording(),
            Action::ToggleHelp => self.overlay = Overlay::Help,
            Action::Scroll(n) => {
                self.scroll = add_signed(self.scroll, n);
            }
            Action::ScrollEnd => self.scroll = 0,
            Action::Quit => self.quit = true,
            Action::MapPan(..)
            | Action::MapZoom(_)
            | Action::MapSelect(_)
            | Action::MapDetails
            | Action::MapSearch
            | Action::MapFollow
            | Action::MapCoverage => self.dispatch_map(action),
            Action::Type(_)
            | Action::Backspace
            | Action::NextChoice
            | Action::Submit
            | Action::Cancel => {}
        }
    }

    fn dispatch_overlay(&mut self, action: Action) {
        if action == Action::Quit {
            self.quit = true;
            return;
        }
        match &mut self.overlay {
            Overlay::None => {}
            Overlay::Help => self.overlay = Overlay::None,
            Overlay::Inspect { scroll } | Overlay::Block { scroll, .. } => match action {
                Action::Scroll(n) => *scroll = add_signed(*scroll, -n),
                _ => self.overlay = Overlay::None,
            },
            Overlay::Search { input } => match action {
                Action::Type(c) => {
                    input.push(c);
                }
                Action::Backspace => input.backspace(),
                Action::Cancel => self.overlay = Overlay::None,
                Action::Submit | Action::NextChoice => {
                    let matches = self.map_matches();
                    let order = self.map_layout().order.clone();
                    // From the selected block on, so Tab walks through the matches.
                    let start = self
                        .map
                        .selected
                        .and_then(|s| order.iter().position(|&b| b == s))
                        .map_or(0, |p| p + 1);
                    let found = (0..order.len())
                        .map(|k| order[(start + k) % order.len()])
                        .find(|&b| matches.get(b).copied().unwrap_or(false));
                    match found {
                        Some(b) => {
                            self.map_select(b);
                            if action == Action::Submit {
                                self.overlay = Overlay::None;
                            }
                        }
                        None => self.notice = Some("no block matches".into()),
                    }
                }
                _ => {}
            },
            Overlay::Say { input } => match action {
                Action::Type(c) => {
                    input.push(c);
                }
                Action::Backspace => input.backspace(),
                Action::Cancel => self.overlay = Overlay::None,
                Action::Submit => {
                    let said = input.text().trim().to_owned();
                    self.overlay = Overlay::None;
                    if said.is_empty() {
                        self.notice = Some("nothing said".into());
                    } else {
                        // The clock runs again before the caller speaks.
                        self.sync_clock();
                        let r = self.driver.send(Input::Utterance(said));
                        self.after(r);
                    }
                }
                _ => {}
            },
            Overlay::Caller { text, error } => match action {
                Action::Type(c) if c.is_ascii_digit() || (c == '+' && text.is_empty()) => {
                    text.push(c);
                }
                Action::Type(_) => *error = Some("digits only, E.164: +13035551234".into()),
                Action::Backspace => {
                    text.pop();
                }
                Action::Cancel => self.overlay = Overlay::None,
                Action::Submit => match check_caller(text) {
                    Ok(number) => {
                        self.overlay = Overlay::None;
                        self.restart(number);
                    }
                    Err(e) => *error = Some(e.to_string()),
                },
                _ => {}
            },
            Overlay::Outcome { dialog, .. } => match action {
                Action::Scroll(n) => dialog.step(if n > 0 { -1 } else { 1 }),
                Action::NextChoice => dialog.step(1),
                Action::Type(c) => {
                    if let Some(n) = c.to_digit(10) {
                        dialog.choose_number(n as usize);
                    }
                }
                // The call cannot wait forever: Esc answers with the default.
                Action::Cancel => {
                    dialog.chosen = 0;
                    self.answer_outcome();
                }
                Action::Submit => self.answer_outcome(),
                _ => {}
            },
            Overlay::Unmapped {
                function,
                choice,
                text,
                ..
            } => match action {
                Action::NextChoice => {
                    *choice = match choice {
                        Choice::Json => Choice::Error,
                        Choice::Error => Choice::Timeout,
                        Choice::Timeout => Choice::Json,
                    };
                }
                Action::Type(c) if *choice == Choice::Json => text.push(c),
                Action::Backspace if *choice == Choice::Json => {
                    text.pop();
                }
                Action::Cancel => {
                    // Cancelling is answering "error": the call cannot wait forever.
                    *choice = Choice::Error;
                    let function = function.clone();
                    self.answer_unmapped(&function, "error");
                }
                Action::Submit => {
                    let spec = match choice {
                        Choice::Json => format!("json:{text}"),
                        Choice::Error => "error".into(),
                        Choice::Timeout => "timeout".into(),
                    };
                    let function = function.clone();
                    self.answer_unmapped(&function, &spec);
                }
                _ => {}
            },
        }
    }

    fn answer_unmapped(&mut self, function: &str, spec: &str) {
        if self.driver.unanswered().is_none() {
            // The call ended (or started again) while the question was open.
            self.overlay = Overlay::None;
            self.notice = Some("the call is no longer waiting for that Lambda".into());
            return;
        }
        let parsed = BackendSpec::parse(spec, std::path::Path::new("."))
            .map_err(crate::lambda::RegistryError::from)
            .and_then(|s| {
                self.driver
                    .registry_mut()
                    .push_front(function.to_owned(), s)
            });
        match parsed {
            Ok(()) => {
                self.overlay = Overlay::None;
                self.note(&format!(
                    "{function} answers with {} for this session",
                    truncate(spec, 60)
                ));
                let r = self.driver.answer_unmapped();
                self.after(r);
            }
            Err(e) => {
                if let Overlay::Unmapped { error, .. } = &mut self.overlay {
                    *error = Some(e.to_string());
                }
            }
        }
    }

    /// Answer the open environment question with the chosen setting: it is laid over
    /// the call's environment (as the same `.call` line in a script would be, so a
    /// recording writes it) and the block that asked runs again.
    fn answer_outcome(&mut self) {
        let Overlay::Outcome {
            dialog, directives, ..
        } = &self.overlay
        else {
            return;
        };
        let directive = directives.get(dialog.chosen).cloned().flatten();
        let before = self.engine().config().env.clone();
        let env = match &directive {
            None => None,
            Some(line) => match with_directive(&self.engine().config().env, line) {
                Ok(env) => Some(Arc::new(env)),
                Err(e) => {
                    if let Overlay::Outcome { error, .. } = &mut self.overlay {
                        *error = Some(e);
                    }
                    return;
                }
            },
        };
        self.overlay = Overlay::None;
        if self.asked_from.is_none() {
            self.asked_from = Some(before);
        }
        match &directive {
            Some(line) => self.note(&format!("set for this call: {line}")),
            None => self.note("the default applies"),
        }
        // The clock runs again before the block does.
        self.sync_clock();
        let r = self.driver.send(Input::Outcome(env));
        self.after(r);
    }

    /// A new call through the same flows, from `caller`.
    pub fn restart(&mut self, caller: String) {
        let mut config = self.engine().config().clone();
        config.caller = caller;
        if let Some(env) = self.asked_from.take() {
            config.env = env;
        }
        let flows = self.engine().flows().clone();
        let mut engine = Engine::new(flows, config);
        engine.set_stepping(self.stepping);
        self.driver.restart(engine);
        let _ = self.driver.take_events();
        if let Some(r) = &mut self.replay {
            r.reset();
        }
        self.events.clear();
        self.transcript.clear();
        self.branches.clear();
        self.typed.clear();
        self.lit = None;
        self.countdown_from = SimTime::ZERO;
        self.ended_at = None;
        self.scroll = 0;
        self.now = SimTime::ZERO;
        self.overlay = Overlay::None;
        self.start();
    }

    /// A Lambda running in real time finished (event loop).
    pub fn on_lambda_finished(&mut self, outcome: LambdaOutcome) {
        let r = self.driver.complete_lambda(outcome);
        self.after(r);
    }

    /// A live Lex bot answered (event loop).
    pub fn on_lex_finished(&mut self, outcome: crate::engine::LexOutcome) {
        let r = self.driver.complete_lex(outcome);
        self.after(r);
    }

    /// Time passed (event loop): fire the engine's deadline if due. An input that
    /// times out by itself says so in the transcript.
    pub fn on_deadline(&mut self) {
        let waiting = matches!(self.engine().status(), Status::AwaitingInput { .. });
        let requests = self.driver.input_requests();
        let r = self.driver.tick();
        let timed_out = waiting
            && (requests != self.driver.input_requests()
                || !matches!(self.engine().status(), Status::AwaitingInput { .. }));
        let waited = self.transcript.iter().rev().find_map(|e| match e {
            Entry::Waiting { what, timeout_ms } => Some((*what, *timeout_ms)),
            _ => None,
        });
        if let (true, Some((what, timeout_ms))) = (timed_out, waited) {
            self.transcript.push(Entry::TimedOut { what, timeout_ms });
        }
        self.after(r);
    }

    /// After the driver ran: take its events and look for questions to ask.
    fn after(&mut self, result: Result<(), DriverError>) {
        if let Err(e) = result {
            self.notice = Some(e.to_string());
        }
        super::replay::pump(self);
        let events = self.driver.take_events();
        self.on_events(events);
        if let Some(u) = self.driver.unanswered()
            && !matches!(self.overlay, Overlay::Unmapped { .. })
        {
            self.overlay = Overlay::Unmapped {
                function: u.call.request.function_name.clone(),
                block: u.block.clone(),
                choice: Choice::Json,
                text: "{}".into(),
                error: None,
            };
        }
        // The call ended (or started again) under the question: it closes.
        if self.driver.unanswered().is_none() && matches!(self.overlay, Overlay::Unmapped { .. }) {
            self.overlay = Overlay::None;
        }
        match self.engine().status() {
            Status::AwaitingOutcome {
                block,
                setting,
                choices,
            } if !matches!(self.overlay, Overlay::Outcome { .. }) => {
                let type_name = self
                    .block_types
                    .iter()
                    .find(|(id, _)| *id == block.id)
                    .map_or("block", |(_, t)| t.as_str());
                let question = vec![
                    format!("Block \"{}\" ({type_name}) needs {setting},", block.label),
                    "which the environment does not set. The choice is set for this call"
                        .to_owned(),
                    "and written into recordings (w).".to_owned(),
                ];
                let outcomes = choices
                    .iter()
                    .map(|c| match &c.directive {
                        Some(d) => format!("{d}  · {}", c.label),
                        None => c.label.clone(),
                    })
                    .collect();
                self.overlay = Overlay::Outcome {
                    dialog: OutcomeDialog::new("Environment outcome", question, outcomes),
                    directives: choices.into_iter().map(|c| c.directive).collect(),
                    error: None,
                };
            }
            Status::AwaitingOutcome { .. } => {}
            // Answered, or the call ended (or started again) under the question.
            _ if matches!(self.overlay, Overlay::Outcome { .. }) => self.overlay = Overlay::None,
            _ => {}
        }
        self.sync_clock();
    }

    fn note(&mut self, text: &str) {
        self.transcript.push(Entry::Note(text.to_owned()));
    }

    /// Fold trace events into the transcript, the flow panel and the phone.
    pub fn on_events(&mut self, events: Vec<TraceEvent>) {
        for event in events {
            self.on_event(&event);
            self.events.push(event);
        }
    }

    fn on_event(&mut self, event: &TraceEvent) {
        match &event.kind {
            TraceKind::CallStarted { flow, caller, .. } => self.transcript.push(Entry::Call {
                caller: caller.clone(),
                flow: flow.clone(),
            }),
            TraceKind::BlockStarted {
                block, type_name, ..
            } => {
                if !self.block_types.iter().any(|(id, _)| *id == block.id) {
                    self.block_types.push((block.id.clone(), type_name.clone()));
                }
            }
            TraceKind::Prompt { text, .. } => self.transcript.push(Entry::Prompt {
                at: event.at,
                text: text.clone(),
            }),
            TraceKind::InputRequested {
                mode, timeout_ms, ..
            } => {
                self.typed.clear();
                self.countdown_from = event.at;
                let what = mode.awaited();
                self.transcript.push(Entry::Waiting {
                    what,
                    timeout_ms: *timeout_ms,
                });
            }
            TraceKind::Key { key } => {
                self.typed.push(*key);
                self.countdown_from = event.at;
                if let Some(Entry::Keys(k)) = self.transcript.last_mut() {
                    k.push(*key);
                } else {
                    self.transcript.push(Entry::Keys(key.to_string()));
                }
            }
            TraceKind::Silence => self.transcript.push(Entry::Silence),
            TraceKind::KeyDropped { key, reason } => self
                .transcript
                .push(Entry::Warning(format!("key {key} dropped: {reason}"))),
            TraceKind::KeyBuffered { .. } | TraceKind::KeyUsed { .. } => {}
            TraceKind::LambdaRetry { attempt, error, .. } => self.transcript.push(Entry::Warning(
                format!("Lambda attempt {attempt} failed ({error}): Connect retries"),
            )),
            TraceKind::Utterance { text } => self.transcript.push(Entry::Said(text.clone())),
            TraceKind::InputStored { value, .. } => {
                self.transcript.push(Entry::Stored(value.clone()));
            }
            TraceKind::LambdaInvoked {
                block,
                call,
                function,
                ..
            } => self.transcript.push(Entry::Lambda(LambdaEntry {
                call: *call,
                block_id: block.id.clone(),
                function: function.clone(),
                at: event.at,
                backend: None,
                duration_ms: None,
                ok: None,
                detail: String::new(),
                branch: None,
            })),
            TraceKind::LambdaBackend {
                call,
                backend,
                duration_ms,
                ..
            } => {
                if let Some(l) = self.lambda_entry(*call) {
                    l.backend = Some(backend.clone());
                    l.duration_ms = Some(*duration_ms);
                }
            }
            TraceKind::LambdaResult {
                call,
                ok,
                detail,
                duration_ms,
                ..
            } => {
                if let Some(l) = self.lambda_entry(*call) {
                    l.ok = Some(*ok);
                    l.detail = detail.clone();
                    if l.duration_ms.is_none() {
                        l.duration_ms = Some(*duration_ms);
                    }
                }
            }
            TraceKind::BranchTaken {
                block,
                branch,
                reason,
                target,
                ..
            } => {
                let target_label = target.as_ref().map(|t| t.label.clone());
                for entry in self.transcript.iter_mut().rev().take(4) {
                    if let Entry::Lambda(l) = entry {
                        if l.block_id == block.id && l.branch.is_none() && l.ok.is_some() {
                            l.branch = Some(format!(
                                "{branch} → {}",
                                target_label.as_deref().unwrap_or("(end of flow)")
                            ));
                        }
                        break;
                    }
                }
                let block_type = self
                    .block_types
                    .iter()
                    .find(|(id, _)| *id == block.id)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default();
                self.branches.push(BranchNote {
                    block: block.label.clone(),
                    block_type,
                    branch: branch.clone(),
                    reason: reason.clone(),
                    target: target_label,
                });
                if self.branches.len() > BRANCH_HISTORY {
                    self.branches.remove(0);
                }
            }
            TraceKind::LambdaLog { function, text, .. } => {
                // A program's stderr: its last lines, as the developer would tail them.
                for line in text
                    .lines()
                    .rev()
                    .take(3)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                {
                    self.transcript
                        .push(Entry::Note(format!("{function} logged: {line}")));
                }
            }
            TraceKind::Warning { block, message } => {
                self.transcript.push(Entry::Warning(match block {
                    Some(b) => format!("[{}] {message}", b.label),
                    None => message.clone(),
                }))
            }
            TraceKind::LexRecognized {
                bot,
                intent,
                confidence,
                slots,
                ..
            } => {
                let slots: Vec<String> = slots.iter().map(|(k, v)| format!("{k}={v}")).collect();
                self.transcript.push(Entry::Note(format!(
                    "{bot}: {intent} ({confidence:.2}) {}",
                    slots.join(" ")
                )));
            }
            TraceKind::EnvironmentDefault {
                block,
                setting,
                outcome,
            } => self.transcript.push(Entry::Note(format!(
                "[{}] {outcome} (default; set {setting})",
                block.label
            ))),
            TraceKind::FlowChanged { from, to, how } => {
                self.transcript
                    .push(Entry::Note(format!("flow {from} → {to} ({how})")));
            }
            TraceKind::QueueEntered {
                queue, position, ..
            } => self.transcript.push(Entry::Note(format!(
                "in queue {queue}, position {position}"
            ))),
            TraceKind::AgentAnswered { queue, waited_ms } => {
                self.transcript.push(Entry::Note(format!(
                    "agent answered in {queue} after {}",
                    crate::engine::waited(*waited_ms)
                )))
            }
            TraceKind::HoldStarted { .. } => self
                .transcript
                .push(Entry::Note("on hold (o takes the caller off hold)".into())),
            TraceKind::HoldEnded { held_ms, .. } => self.transcript.push(Entry::Note(format!(
                "off hold after {}",
                crate::engine::waited(*held_ms)
            ))),
            TraceKind::Ended { reason } => {
                self.ended_at = Some(event.at);
                self.transcript.push(Entry::Ended(reason.describe()));
            }
            TraceKind::AttributeSet { .. } | TraceKind::ContactUpdated { .. } => {}
        }
    }

    fn lambda_entry(&mut self, call: u64) -> Option<&mut LambdaEntry> {
        self.transcript.iter_mut().rev().find_map(|e| match e {
            Entry::Lambda(l) if l.call == call => Some(l),
            _ => None,
        })
    }

    /// Warnings of this call, newest last.
    pub fn warnings(&self) -> impl Iterator<Item = &str> {
        self.transcript.iter().filter_map(|e| match e {
            Entry::Warning(w) => Some(w.as_str()),
            _ => None,
        })
    }

    /// The last Lambda call in full: event sent, backend, result, response.
    pub fn inspect_lines(&self) -> Vec<String> {
        // The latest of a Lambda call and a Lex recognition is shown.
        let last_lambda = self
            .events
            .iter()
            .rposition(|e| matches!(e.kind, TraceKind::LambdaInvoked { .. }));
        let last_lex = self
            .events
            .iter()
            .rposition(|e| matches!(e.kind, TraceKind::LexRecognized { .. }));
        if last_lex > last_lambda {
            return self.lex_lines();
        }
        let Some((call, invoked)) = self.events.iter().rev().find_map(|e| match &e.kind {
            TraceKind::LambdaInvoked { call, .. } => Some((*call, e)),
            _ => None,
        }) else {
            return vec!["no Lambda function has been invoked yet".into()];
        };
        let mut out = Vec::new();
        if let TraceKind::LambdaInvoked {
            block,
            function,
            time_limit_ms,
            response_type,
            request,
            ..
        } = &invoked.kind
        {
            out.push(format!("function  {function}   (call {call})"));
            out.push(format!("block     {}", block.label));
            out.push(format!(
                "limits    {} s, response type {response_type}",
                time_limit_ms / 1000
            ));
            out.push(format!("invoked   at {}", invoked.at));
            out.push(String::new());
            out.push("── event sent ──".into());
            out.extend(pretty(request));
        }
        for e in &self.events {
            match &e.kind {
                TraceKind::LambdaBackend {
                    call: c,
                    backend,
                    duration_ms,
                    outcome,
                    ..
                } if *c == call => {
                    out.push(String::new());
                    out.push(format!("── {backend}, {duration_ms} ms ──"));
                    out.push(outcome.clone());
                }
                TraceKind::LambdaResult {
                    call: c,
                    ok,
                    detail,
                    response,
                    raw,
                    ..
                } if *c == call => {
                    out.push(String::new());
                    out.push(format!(
                        "── result: {} {detail} ──",
                        if *ok { "✓" } else { "✗" }
                    ));
                    if let Some(r) = response {
                        out.extend(pretty(r));
                    }
                    if let Some(raw) = raw {
                        out.push("raw payload:".into());
                        match serde_json::from_str::<Value>(raw) {
                            Ok(v) => out.extend(pretty(&v)),
                            Err(_) => out.extend(raw.lines().map(str::to_owned)),
                        }
                    }
                }
                _ => {}
            }
        }
        if self.driver.lambda_in_flight().is_some() {
            out.push(String::new());
            out.push("── waiting for the answer… ──".into());
        }
        out
    }

    fn write_recording(&mut self) {
        if !self
            .events
            .iter()
            .any(|e| matches!(e.kind, TraceKind::CallStarted { .. }))
        {
            self.notice = Some("nothing to record yet".into());
            return;
        }
        // The folder first, so the recording can name its flow relative to it.
        if let Err(e) = std::fs::create_dir_all(&self.recordings_dir) {
            self.notice = Some(format!(
                "could not write the recording: {}: {e}",
                self.recordings_dir.display()
            ));
            return;
        }
        let flow_path = self.flow_path.as_deref().map(Path::new);
        let placeholder = self.recordings_dir.join("call.call");
        let opts = RecordOptions {
            flow_path,
            recording_path: Some(&placeholder),
            config: Some(self.engine().config()),
        };
        let text = recording_from_trace(&opts, &self.events);
        match recording::write_new(&self.recordings_dir, &text) {
            Ok(path) => {
                let msg = format!("recording written: {}", path.display());
                self.note(&msg);
                self.notice = Some(msg);
            }
            Err(e) => self.notice = Some(format!("could not write the recording: {e}")),
        }
    }
}

/// `env` with one `.call` setting line laid over it (`queue "Sales" agents_online 0`).
fn with_directive(
    env: &crate::env::Environment,
    line: &str,
) -> Result<crate::env::Environment, String> {
    use crate::script::parse::{Directive, parse_line};
    let mut env = env.clone();
    match parse_line(line, Path::new(".")) {
        Ok(Some(Directive::Env(setting))) => {
            setting.apply(&mut env).map_err(|e| e.to_string())?;
            Ok(env)
        }
        Ok(_) => Err(format!("`{line}` is not an environment setting")),
        Err(e) => Err(format!("`{line}`: {e}")),
    }
}

/// `×4`, `×1/2`.
pub fn speed_label(speed: f64) -> String {
    if speed >= 1.0 {
        format!("×{speed}")
    } else {
        format!("×1/{}", (1.0 / speed).round())
    }
}

fn pretty(v: &Value) -> Vec<String> {
    serde_json::to_string_pretty(v)
        .unwrap_or_else(|_| v.to_string())
        .lines()
        .map(str::to_owned)
        .collect()
}

fn add_signed(v: usize, n: i32) -> usize {
    if n >= 0 {
        v.saturating_add(usize::try_from(n).unwrap_or(0))
    } else {
        v.saturating_sub(usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX))
    }
}

/// A number typed into the new-caller box: E.164, or a 10-digit US number.
fn check_caller(text: &str) -> Result<String, crate::phone::InvalidNumber> {
    crate::phone::normalise_typed(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_numbers() {
        assert_eq!(check_caller("3035551234").unwrap(), "+13035551234");
        assert_eq!(check_caller("+442071234567").unwrap(), "+442071234567");
        // Not E.164 and not 10 digits: the `+` is not guessed.
        assert!(check_caller("442071234567").is_err());
        assert!(check_caller("+").is_err());
        assert!(check_caller("12ab").is_err());
    }

    #[test]
    fn scrolling_saturates() {
        assert_eq!(add_signed(3, -10), 0);
        assert_eq!(add_signed(3, 2), 5);
    }
}
