//! Screens of the TUI, drawn into a TestBackend from an App driven on a virtual
//! clock, with the time on screen injected: every snapshot is exact.

use flowsim::driver::{Clock, Driver};
use flowsim::engine::{CallConfig, Engine, SimTime, Status};
use flowsim::lambda::registry::BackendContext;
use flowsim::lambda::{Mapping, Registry};
use flowsim::tui::action::Action;
use flowsim::tui::app::{App, Overlay};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

const VANITY: &str = r#"*vanity*=json:{"ssmlResponse":"<speak>The first number is 1-800-FLOWERS</speak>","ssmlError":"false"}"#;

fn app_with(registry: Registry, clock: Clock) -> App {
    let flows = flowsim::session::load_flows(None, None).expect("built-in flow");
    let engine = Engine::new(flows, CallConfig::default());
    let mut app = App::new(Driver::new(engine, registry, clock));
    app.start();
    app
}

fn app() -> App {
    let mapping = Mapping::parse(VANITY, std::path::Path::new(".")).unwrap();
    let registry = Registry::new(&[mapping], &BackendContext::default()).unwrap();
    app_with(registry, Clock::Virtual)
}

fn screen(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| flowsim::tui::ui::draw(f, app)).unwrap();
    terminal
}

/// Dial 1 (recording notice) and 1 (this number): the Lambda is invoked.
fn to_lambda(app: &mut App) {
    app.dispatch(Action::Dial('1'));
    app.dispatch(Action::Dial('1'));
    // "Please hold…" (a Play prompt) plays first; on a real clock it takes its time.
    play_out(app);
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingLambda { .. }
    ));
}

/// Let Play prompts play (real time: they take the time they take to say).
fn play_out(app: &mut App) {
    while let Status::Playing { .. } = app.engine().status() {
        if let Some(at) = app.driver().deadline_instant() {
            std::thread::sleep(at.saturating_duration_since(std::time::Instant::now()));
        }
        app.on_deadline();
    }
}

async fn finish_lambda(app: &mut App) {
    let outcome = app.driver_mut().lambda_finished().await.expect("in flight");
    app.on_lambda_finished(outcome);
}

#[test]
fn awaiting_input_with_countdown() {
    let mut app = app();
    app.set_now(SimTime(1800));
    insta::assert_snapshot!("prompting_80x24", screen(&app, 80, 24).backend());
    insta::assert_snapshot!("prompting_160x48", screen(&app, 160, 48).backend());
}

#[tokio::test]
async fn lambda_in_flight() {
    let mut app = app();
    to_lambda(&mut app);
    app.set_now(SimTime(2400));
    insta::assert_snapshot!("lambda_80x24", screen(&app, 80, 24).backend());
    insta::assert_snapshot!("lambda_160x48", screen(&app, 160, 48).backend());
}

#[tokio::test]
async fn call_ended() {
    let mut app = app();
    to_lambda(&mut app);
    finish_lambda(&mut app).await;
    app.dispatch(Action::Dial('9'));
    app.set_now(SimTime(9000));
    assert!(matches!(app.engine().status(), Status::Ended(_)));
    insta::assert_snapshot!("ended_80x24", screen(&app, 80, 24).backend());
    insta::assert_snapshot!("ended_160x48", screen(&app, 160, 48).backend());
}

#[test]
fn help_overlay() {
    let mut app = app();
    app.dispatch(Action::ToggleHelp);
    insta::assert_snapshot!("help_80x24", screen(&app, 80, 24).backend());
    app.dispatch(Action::Dial('5'));
    assert_eq!(app.overlay, Overlay::None, "any key closes the help");
}

#[tokio::test]
async fn step_mode_shows_each_branch() {
    let mut app = app();
    app.dispatch(Action::TogglePause);
    app.dispatch(Action::Dial('1'));
    assert!(matches!(app.engine().status(), Status::Paused { .. }));
    app.dispatch(Action::Step);
    assert!(matches!(app.engine().status(), Status::Paused { .. }));
    insta::assert_snapshot!("stepping_80x24", screen(&app, 80, 24).backend());
    app.dispatch(Action::TogglePause);
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingInput { .. }
    ));
}

#[tokio::test]
async fn unmapped_lambda_is_asked_and_remembered() {
    let mut app = app_with(Registry::empty(), Clock::Real);
    app.set_now(SimTime(1000));
    to_lambda(&mut app);
    let Overlay::Unmapped { function, .. } = &app.overlay else {
        panic!("expected the unmapped overlay, got {:?}", app.overlay);
    };
    assert_eq!(function, "vanity-numbers");
    insta::assert_snapshot!("unmapped_80x24", screen(&app, 80, 24).backend());
    // Answer with a JSON response typed in.
    app.dispatch(Action::Backspace);
    app.dispatch(Action::Backspace);
    for c in r#"{"ssmlResponse":"<speak>hi</speak>","ssmlError":"false"}"#.chars() {
        app.dispatch(Action::Type(c));
    }
    app.dispatch(Action::Submit);
    assert_eq!(app.overlay, Overlay::None);
    finish_lambda(&mut app).await;
    play_out(&mut app);
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingInput { .. }
    ));
    assert_eq!(app.engine().contact().attributes["VanityError"], "false");
    // Remembered: the next call does not ask again.
    app.dispatch(Action::Restart);
    to_lambda(&mut app);
    assert_eq!(app.overlay, Overlay::None);
}

#[tokio::test]
async fn new_caller_restarts_the_call() {
    let mut app = app();
    app.dispatch(Action::NewCaller);
    for _ in 0..20 {
        app.dispatch(Action::Backspace);
    }
    for c in "3035551234".chars() {
        app.dispatch(Action::Type(c));
    }
    app.dispatch(Action::Submit);
    assert_eq!(app.engine().config().caller, "+13035551234");
    assert_eq!(app.engine().contact().caller, "+13035551234");
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingInput { .. }
    ));
}

#[tokio::test]
async fn timeout_now_hangup_and_recording() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app();
    app.recordings_dir = dir.path().join("recordings");
    app.dispatch(Action::TimeoutNow);
    to_lambda(&mut app);
    finish_lambda(&mut app).await;
    app.dispatch(Action::Hangup);
    app.dispatch(Action::WriteRecording);
    let files: Vec<_> = std::fs::read_dir(&app.recordings_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    insta::assert_snapshot!("recording", text);
    app.dispatch(Action::Inspect);
    assert_eq!(app.overlay, Overlay::Inspect { scroll: 0 });
    let lines = app.inspect_lines().join("\n");
    assert!(lines.contains("\"Name\": \"ContactFlowEvent\""), "{lines}");
    assert!(lines.contains("\"ssmlError\": \"false\""), "{lines}");
}

#[test]
fn tiny_screens_do_not_panic() {
    let app = app();
    for (w, h) in [(0, 0), (1, 1), (10, 3), (39, 11), (40, 12), (80, 24)] {
        let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
        (&app).render(buf.area, &mut buf);
    }
}

#[test]
fn clicking_the_keypad_dials() {
    use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut app = app();
    let screen = Rect::new(0, 0, 80, 24);
    let pad = flowsim::tui::ui::areas(screen, app.view).keypad;
    let click = Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: pad.x + 1,
        row: pad.y,
        modifiers: KeyModifiers::NONE,
    });
    flowsim::tui::event_loop::on_terminal_event(&mut app, click, screen);
    assert_eq!(app.lit_key(), Some('1'));
    assert_eq!(app.typed(), "");
    assert!(
        app.transcript()
            .iter()
            .any(|e| matches!(e, flowsim::tui::app::Entry::Keys(k) if k == "1"))
    );
}

/// Every overlay stops the call's clock: input timers and the Lambda limit wait
/// while the user reads, and run on from where they stopped.
#[tokio::test]
async fn overlays_stop_the_calls_clock() {
    let mut app = app_with(Registry::empty(), Clock::Real);
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingInput { .. }
    ));
    for open in [Action::ToggleHelp, Action::NewCaller] {
        app.dispatch(open.clone());
        assert!(app.clock_paused(), "{open:?} stops the clock");
        let before = app.driver().now();
        assert!(app.driver().deadline_instant().is_none());
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        assert_eq!(
            app.driver().now(),
            before,
            "{open:?}: the clock stood still"
        );
        app.dispatch(Action::Cancel);
        assert_eq!(app.overlay, Overlay::None);
        assert!(!app.clock_paused());
        assert!(app.driver().deadline_instant().is_some());
    }
    // The unmapped-Lambda question stops it too: its limit does not run out.
    to_lambda(&mut app);
    assert!(matches!(app.overlay, Overlay::Unmapped { .. }));
    assert!(app.clock_paused());
    app.dispatch(Action::Submit);
    assert!(!app.clock_paused());
}

/// `--paused`: step mode before the first block.
#[test]
fn starting_paused_stops_before_the_first_block() {
    let flows = flowsim::session::load_flows(None, None).expect("built-in flow");
    let engine = Engine::new(flows, CallConfig::default());
    let mapping = Mapping::parse(VANITY, std::path::Path::new(".")).unwrap();
    let registry = Registry::new(&[mapping], &BackendContext::default()).unwrap();
    let mut app = App::new(Driver::new(engine, registry, Clock::Virtual));
    app.set_stepping(true);
    app.start();
    assert!(matches!(app.engine().status(), Status::Paused { .. }));
    assert!(
        !app.transcript()
            .iter()
            .any(|e| matches!(e, flowsim::tui::app::Entry::Prompt { .. })),
        "nothing has run yet"
    );
    app.dispatch(Action::Step);
    assert!(matches!(app.engine().status(), Status::Paused { .. }));
}

// ---- the map ------------------------------------------------------------------

const RULES_QUEUE: &str =
    "aws-samples__amazon-connect-rules-engine__connect_contactflows_RulesEngineQueue.json";
const DTMF_INPUT: &str =
    "aws-samples__amazon-connect-rules-engine__connect_contactflows_RulesEngineDTMFInput.json";

fn corpus(name: &str) -> Option<std::path::PathBuf> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus/flows")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} is not here; skipping", p.display());
        None
    }
}

/// An app on a flow file, started, in the map view.
fn map_app(path: Option<&std::path::Path>) -> App {
    let flows = flowsim::session::load_flows(path, None).expect("flow");
    let engine = Engine::new(flows, CallConfig::default());
    let mapping = Mapping::parse(VANITY, std::path::Path::new(".")).unwrap();
    let registry = Registry::new(&[mapping], &BackendContext::default()).unwrap();
    let mut app = App::new(Driver::new(engine, registry, Clock::Virtual));
    app.start();
    app.notice = None;
    app.dispatch(Action::ToggleMap);
    app
}

/// Every block's label is drawn whole where its box is, every branch label
/// beside its port, and no edge runs through a box — at every zoom level, on the
/// whole map drawn at once (what panning shows piece by piece).
fn check_map(path: Option<&std::path::Path>) {
    use flowsim::tui::widgets::map::{FlowMap, Marks};
    use flowsim::tui::widgets::map_layout::{MapLayout, Zoom, path_cells};
    let flows = flowsim::session::load_flows(path, None).expect("flow");
    let flow = &flows.main;
    let layout = MapLayout::new(flow);
    let mut labels: Vec<&str> = layout.nodes.iter().map(|n| n.label.as_str()).collect();
    labels.sort_unstable();
    labels.dedup();
    assert_eq!(labels.len(), flow.blocks.len(), "labels are distinct");
    for zoom in Zoom::ALL {
        let g = layout.geometry(zoom);
        let area = Rect::new(0, 0, g.width as u16, g.height as u16);
        let mut buf = Buffer::empty(area);
        FlowMap {
            layout: &layout,
            geometry: g,
            offset: (0, 0),
            marks: &Marks::default(),
        }
        .render(area, &mut buf);
        let at = |x: i32, y: i32, n: usize| -> String {
            (0..n)
                .map(|k| buf[(x as u16 + k as u16, y as u16)].symbol().to_owned())
                .collect()
        };
        for (i, b) in g.blocks.iter().enumerate() {
            let inset = i32::from(zoom == Zoom::Boxes);
            for (row, line) in b.lines.iter().enumerate() {
                let n = line.chars().count();
                assert_eq!(
                    at(b.rect.x + inset, b.rect.y + inset + row as i32, n),
                    *line,
                    "{zoom:?}: block {i}'s label"
                );
            }
            if zoom == Zoom::Boxes {
                // The label is whole: its lines put back together are the label.
                assert_eq!(b.lines.join(" "), layout.nodes[i].label, "wrapped, not cut");
                for (p, port) in layout.nodes[i].ports.iter().enumerate() {
                    let (px, py) = b.ports[p];
                    let n = port.label.chars().count();
                    assert_eq!(at(px - 1 - n as i32, py, n), port.label, "port label");
                }
            }
        }
        for e in &g.edges {
            for (x, y) in path_cells(&e.points) {
                assert!(
                    g.block_at(x, y).is_none(),
                    "{zoom:?}: an edge crosses a box"
                );
            }
        }
    }
}

#[test]
fn map_labels_whole_and_edges_clear() {
    check_map(None);
    for name in [RULES_QUEUE, DTMF_INPUT] {
        if let Some(p) = corpus(name) {
            check_map(Some(&p));
        }
    }
}

#[test]
fn map_of_the_projects_flow() {
    let at = |w, h| screen(&map_app(None), w, h);
    insta::assert_snapshot!("map_80x24", at(80, 24).backend());
    insta::assert_snapshot!("map_160x48", at(160, 48).backend());
    insta::assert_snapshot!("map_240x70", at(240, 70).backend());
    let mut app = map_app(None);
    app.dispatch(Action::MapZoom(false));
    insta::assert_snapshot!("map_names_160x48", screen(&app, 160, 48).backend());
}

/// The seed project's flow (27 blocks, its own canvas positions).
#[test]
fn map_of_the_seed_projects_flow() {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed/Vanity_Numbers.json");
    if !p.exists() {
        return;
    }
    check_map(Some(&p));
    // A fresh app for each size: follow mode moves the view as little as it can,
    // so what one size showed would shape the next.
    let at = |w, h| screen(&map_app(Some(&p)), w, h);
    insta::assert_snapshot!("map_seed_80x24", at(80, 24).backend());
    insta::assert_snapshot!("map_seed_160x48", at(160, 48).backend());
    insta::assert_snapshot!("map_seed_240x70", at(240, 70).backend());
}

#[test]
fn map_of_a_94_block_flow() {
    let Some(p) = corpus(RULES_QUEUE) else { return };
    let at = |w, h| screen(&map_app(Some(&p)), w, h);
    insta::assert_snapshot!("map_rules_80x24", at(80, 24).backend());
    insta::assert_snapshot!("map_rules_160x48", at(160, 48).backend());
    insta::assert_snapshot!("map_rules_240x70", at(240, 70).backend());
    let mut app = map_app(Some(&p));
    insta::assert_snapshot!("map_rules_160x45", screen(&app, 160, 45).backend());
    app.dispatch(Action::MapZoom(false));
    insta::assert_snapshot!("map_rules_names_160x45", screen(&app, 160, 45).backend());
    app.dispatch(Action::MapZoom(false));
    insta::assert_snapshot!("map_rules_dots_160x45", screen(&app, 160, 45).backend());
}

/// The issue's 89-block payment flow is not in the corpus; the rules engine's
/// 50-block DTMF input flow stands in for it at 120×40.
#[test]
fn map_of_a_50_block_flow() {
    let Some(p) = corpus(DTMF_INPUT) else { return };
    let mut app = map_app(Some(&p));
    insta::assert_snapshot!("map_dtmf_120x40", screen(&app, 120, 40).backend());
    app.dispatch(Action::MapZoom(false));
    insta::assert_snapshot!("map_dtmf_names_120x40", screen(&app, 120, 40).backend());
}

#[test]
fn map_search_select_and_details() {
    let mut app = map_app(None);
    app.dispatch(Action::MapSearch);
    assert!(app.clock_paused() || app.driver().clock() == Clock::Virtual);
    for c in "retry".chars() {
        app.dispatch(Action::Type(c));
    }
    assert_eq!(app.map_matches().iter().filter(|&&m| m).count(), 4);
    insta::assert_snapshot!("map_search_160x48", screen(&app, 160, 48).backend());
    app.dispatch(Action::Submit);
    assert_eq!(app.overlay, Overlay::None);
    let selected = app.map.selected.expect("a match is selected");
    assert!(app.engine().flow().blocks[selected].id.contains("Retry"));
    // Tab moves on from the selection, in reading order.
    app.dispatch(Action::MapSelect(1));
    assert_ne!(app.map.selected, Some(selected));
    insta::assert_snapshot!("map_selected_160x48", screen(&app, 160, 48).backend());
    app.dispatch(Action::MapDetails);
    assert!(matches!(app.overlay, Overlay::Block { .. }));
    insta::assert_snapshot!("map_details_160x48", screen(&app, 160, 48).backend());
    app.dispatch(Action::Cancel);
    // Panning leaves follow mode; f comes back to it.
    app.dispatch(Action::MapPan(8, 0));
    assert!(!app.map.follow);
    app.dispatch(Action::MapFollow);
    assert!(app.map.follow && app.map.selected.is_none());
}

#[test]
fn clicking_a_block_on_the_map_selects_it() {
    use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut app = map_app(None);
    let screen_rect = Rect::new(0, 0, 160, 48);
    let _ = screen(&app, 160, 48);
    let view = flowsim::tui::ui::map_viewport(screen_rect);
    let layout = app.map_layout();
    let g = layout.geometry(app.map.zoom);
    let (px, py) = app.map.pan.get();
    let target = (0..g.blocks.len())
        .find(|&b| {
            let r = g.blocks[b].rect;
            r.x >= px
                && r.y >= py
                && r.x - px + 1 < i32::from(view.width)
                && r.y - py + 1 < i32::from(view.height)
                && Some(b) != app.engine().current_block()
        })
        .expect("a block in view");
    let r = g.blocks[target].rect;
    let click = Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: view.x + (r.x - px + 1) as u16,
        row: view.y + (r.y - py) as u16,
        modifiers: KeyModifiers::NONE,
    });
    flowsim::tui::event_loop::on_terminal_event(&mut app, click, screen_rect);
    assert_eq!(app.map.selected, Some(target));
}

/// `--coverage`: the map colours (and marks ✓ / ✗) what the tests reach.
#[test]
fn map_coverage_overlay() {
    let mut app = map_app(None);
    let v = serde_json::json!({"flows": [{
        "flow": app.engine().flow().name,
        "blocks_never_run": ["Closed Message", "Recording Invalid Key"],
        "branches_never_taken": [
            {"block": "Check Hours", "block_id": "Check Hours", "branch": "= False"},
            {"block": "Recording Notice", "block_id": "Recording Notice", "branch": "InputTimeLimitExceeded"}
        ],
    }]});
    let cov = flowsim::tui::coverage::MapCoverage::from_json(&v).unwrap();
    app.set_coverage(Some(cov));
    let terminal = screen(&app, 160, 48);
    insta::assert_snapshot!("map_coverage_160x48", terminal.backend());
    let buf = terminal.backend().buffer();
    let text: String = buf.content.iter().map(|c| c.symbol()).collect();
    assert!(text.contains("tests reach 30/32 blocks"), "{text}");
    assert!(text.contains("╭✗"), "a block no test runs is marked");
    app.dispatch(Action::MapCoverage);
    assert!(!app.show_coverage);
    let text: String = screen(&app, 160, 48)
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(!text.contains("tests reach"), "v hides it");
}

/// `--speed` and `>` / `<`: the call's clock against the wall clock.
#[tokio::test]
async fn speed_runs_the_calls_clock_faster() {
    let mut app = app_with(Registry::empty(), Clock::Real);
    app.dispatch(Action::Speed(true));
    app.dispatch(Action::Speed(true));
    assert_eq!(app.driver().speed(), 4.0);
    let before = app.driver().now();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let ran = app.driver().now().since(before).as_millis();
    assert!(
        (350..4000).contains(&ran),
        "100 ms at ×4 is {ran} ms of call time"
    );
    // The deadline comes four times as soon.
    let deadline = app.driver().deadline_instant().expect("an input waits");
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    // (13.5 s of prompt and timeout at ×1; at ×4 under 3.4 s.)
    assert!(left.as_millis() < 3500, "{left:?}");
    for _ in 0..10 {
        app.dispatch(Action::Speed(false));
    }
    assert_eq!(app.driver().speed(), 0.25);
    let screen_text: String = screen(&app, 80, 24)
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen_text.contains("×1/4"), "{screen_text}");
}

/// A production contact's flow logs (`log`, under tests/fixtures/flowlogs) in replay
/// mode, on the virtual clock.
fn replay_app(log: &str) -> App {
    let dir = std::path::Path::new("tests/fixtures/flowlogs");
    let flows = flowsim::session::load_flows(
        Some(dir.join("flows/Sample_Flow.json").as_path()),
        Some(dir.join("flows").as_path()),
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.join(log)).unwrap();
    let contact = flowsim::flowlog::contacts(&text).unwrap().remove(0);
    let derived =
        flowsim::flowlog::derive(&flows, &contact.records, CallConfig::default()).unwrap();
    let engine = Engine::new(flows.clone(), derived.config.clone());
    let mut app = App::new(Driver::new(engine, Registry::empty(), Clock::Virtual));
    app.set_replay(flowsim::tui::replay::ReplayMode::new(derived, flows));
    app.start();
    app
}

// ---- environment outcomes asked ----------------------------------------------------

/// An app in ask mode (as `flowsim tui` runs) on a small flow, started.
fn ask_app(actions: serde_json::Value, env: flowsim::env::Environment, clock: Clock) -> App {
    let text = serde_json::json!({"Version": "2019-10-30", "StartAction": "Set queue",
        "Actions": actions})
    .to_string();
    let flow = flowsim::flow::parse_str(&text, "staffing.json", "Staffing").expect("flow");
    let config = CallConfig {
        env: env.into(),
        ask_outcomes: true,
        ..CallConfig::default()
    };
    let engine = Engine::new(flowsim::flow::FlowSet::single(flow), config);
    let mut app = App::new(Driver::new(engine, Registry::empty(), clock));
    app.start();
    app
}

fn text_of(app: &App) -> String {
    let t = screen(app, 160, 48);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn replay_steps_with_the_production_record_in_the_flow_panel() {
    let mut app = replay_app("store_input.jsonl");
    assert!(matches!(app.engine().status(), Status::Paused { .. }));
    // Logging on, the working queue, the Lambda (answered from ExternalResults).
    for _ in 0..3 {
        app.dispatch(Action::Step);
    }
    assert!(matches!(app.engine().status(), Status::Paused { .. }));
    let shown = text_of(&app);
    assert!(shown.contains("block 3 of 8 logged"), "{shown}");
    assert!(shown.contains("InvokeExternalResource"), "{shown}");
    insta::assert_snapshot!("replay_lambda_160x48", screen(&app, 160, 48).backend());
    // The account number block: production's digits are fed, no keypad needed.
    for _ in 0..3 {
        app.dispatch(Action::Step);
    }
    let shown = text_of(&app);
    assert!(shown.contains("block 6 of 8 logged"), "{shown}");
    assert!(shown.contains("Results \"20240504\""), "{shown}");
    for _ in 0..10 {
        app.dispatch(Action::Step);
    }
    assert!(matches!(app.engine().status(), Status::Ended(_)));
    let shown = text_of(&app);
    assert!(
        shown.contains("the simulated path is production's (8 blocks logged)"),
        "{shown}"
    );
}

#[test]
fn a_replay_that_parts_from_production_names_the_divergence() {
    let mut app = replay_app("diverged.jsonl");
    for _ in 0..20 {
        app.dispatch(Action::Step);
    }
    let shown = text_of(&app);
    assert!(shown.contains("DIVERGED at block"), "{shown}");
    assert!(shown.contains("no production record"), "{shown}");
}

fn set_sales(next: &str) -> serde_json::Value {
    serde_json::json!({"Identifier": "Set queue", "Type": "UpdateContactTargetQueue",
        "Parameters": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/Sales"},
        "Transitions": {"NextAction": next,
                        "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "Sorry"}]}})
}

fn play(id: &str, text: &str) -> serde_json::Value {
    serde_json::json!({"Identifier": id, "Type": "MessageParticipant",
        "Parameters": {"Text": text}, "Transitions": {}})
}

#[test]
fn an_environment_outcome_is_asked_in_a_dialog_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = ask_app(
        serde_json::json!([
            set_sales("Check staffing"),
            {"Parameters": {"MetricType": "NumberOfAgentsOnline"}, "Identifier": "Check staffing",
             "Type": "CheckMetricData",
             "Transitions": {"NextAction": "Sorry",
                "Conditions": [{"NextAction": "Staffed",
                    "Condition": {"Operator": "NumberGreaterThan", "Operands": ["0"]}}],
                "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "Nobody"},
                           {"ErrorType": "NoMatchingError", "NextAction": "Sorry"}]}},
            play("Staffed", "an agent will be with you"),
            play("Nobody", "no agents are online"),
            play("Sorry", "I am sorry, I have encountered an error")
        ]),
        flowsim::env::Environment::default(),
        Clock::Virtual,
    );
    app.recordings_dir = dir.path().join("recordings");
    let Overlay::Outcome { dialog, .. } = &app.overlay else {
        panic!("expected the outcome dialog, got {:?}", app.overlay);
    };
    assert!(
        dialog.outcomes[0].starts_with("the default: "),
        "{dialog:?}"
    );
    insta::assert_snapshot!(
        "outcome_check_metric_100x30",
        screen(&app, 100, 30).backend()
    );
    // ↓ then the number: the number wins; Enter answers.
    app.dispatch(Action::Scroll(-1));
    app.dispatch(Action::Type('3'));
    app.dispatch(Action::Submit);
    assert_eq!(app.overlay, Overlay::None);
    assert!(matches!(app.engine().status(), Status::Ended(_)));
    let heard: Vec<&str> = app
        .transcript()
        .iter()
        .filter_map(|e| match e {
            flowsim::tui::app::Entry::Prompt { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(heard, ["no agents are online"]);
    assert_eq!(
        app.engine().config().env.queues["Sales"].agents_online,
        0,
        "the pick is the call's environment"
    );
    app.dispatch(Action::WriteRecording);
    let files: Vec<_> = std::fs::read_dir(&app.recordings_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("queue \"Sales\" agents_online 0\n"), "{text}");
}

#[test]
fn answer_after_ask_is_asked_when_the_contact_starts_waiting() {
    let env: flowsim::env::Environment =
        serde_json::from_value(serde_json::json!({"queues": {"Sales": {"answer_after": "ask"}}}))
            .unwrap();
    let mut app = ask_app(
        serde_json::json!([
            set_sales("To queue"),
            {"Identifier": "To queue", "Type": "TransferContactToQueue", "Parameters": {},
             "Transitions": {"NextAction": "Sorry",
                "Errors": [{"ErrorType": "QueueAtCapacity", "NextAction": "Sorry"},
                           {"ErrorType": "NoMatchingError", "NextAction": "Sorry"}]}},
            play("Sorry", "I am sorry, I have encountered an error")
        ]),
        env,
        Clock::Real,
    );
    assert!(matches!(app.overlay, Overlay::Outcome { .. }));
    assert!(
        app.clock_paused(),
        "the call's clock stops while it is open"
    );
    insta::assert_snapshot!(
        "outcome_answer_after_100x30",
        screen(&app, 100, 30).backend()
    );
    app.dispatch(Action::Type('4'));
    app.dispatch(Action::Submit);
    let q = app.engine().queue_info().expect("waiting in queue");
    assert_eq!(q.queue, "Sales");
    assert_eq!(q.answer_at, Some(SimTime(120_000)), "after 2 min");
    assert!(!app.clock_paused());
}
